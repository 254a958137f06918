import AlephCrypto
import AlephVenueKit

/// A venue's API credentials, read from the environment or files named in the config. The
/// description never shows them, and nothing here is ever journaled or sent over RPC.
public struct VenueCredentials: Sendable, CustomStringConvertible {
    /// The API key (sent in a header; still never logged).
    public let apiKey: String
    /// The secret's HMAC state, precomputed once.
    public let secret: HMACKey
    /// OKX passphrase.
    public let passphrase: String?

    /// Credentials from values (tests).
    public init(apiKey: String, secret: String, passphrase: String? = nil) {
        self.apiKey = apiKey
        self.secret = HMACKey(secret: secret)
        self.passphrase = passphrase
    }

    /// Reads the credentials a live venue's config names; errors name the variable or file, never a value.
    public static func load(_ c: VenueConfig) throws(CryptoError) -> VenueCredentials {
        func read(_ env: String?, _ file: String?, _ what: String) throws(CryptoError) -> String {
            if let env { return try Secret.fromEnvironment(env) }
            if let file { return try Secret.fromFile(file) }
            throw .invalidField(field: what, reason: "no \(what)_env or \(what)_file in [venues.\(c.venue)]")
        }
        let key = try read(c.apiKeyEnv, c.apiKeyFile, "api_key")
        let secret = try read(c.apiSecretEnv, c.apiSecretFile, "api_secret")
        let pass = c.venue == "okx" ? try read(c.passphraseEnv, c.passphraseFile, "passphrase") : nil
        return VenueCredentials(apiKey: key, secret: secret, passphrase: pass)
    }

    /// Redacted.
    public var description: String { "VenueCredentials(redacted)" }
}
