import AlephCrypto
import AlephVenueKit

/// What a live Polymarket venue signs and authenticates with: the wallet key (EIP-712 orders,
/// L1 auth), the funder wallet, and the L2 API credentials (HMAC on every private request; the
/// user channel's auth frame carries them too, as the venue requires). Read from the environment
/// or files the config names; the description never shows them.
public struct PolymarketCredentials: Sendable, CustomStringConvertible {
    /// Signs orders.
    public let signer: any Signer
    /// The signer's address (EIP-55).
    public let address: String
    /// The wallet holding the funds (`maker`): the signer for type 0, the proxy or safe otherwise.
    public let funder: String
    /// 0 EOA, 1 POLY_PROXY, 2 GNOSIS_SAFE.
    public let signatureType: Int
    /// The API key (a UUID; also the `owner` of every order).
    public let apiKey: String
    /// The L2 secret as the venue issued it (URL-safe base64): the user channel's auth frame needs it.
    let secret: String
    /// The L2 HMAC key (the secret decoded).
    public let hmac: HMACKey
    /// The L2 passphrase.
    let passphrase: String

    /// Credentials from values (tests, benchmarks).
    public init(signer: any Signer, address: String, funder: String? = nil, signatureType: Int = 0,
                apiKey: String, secret: String, passphrase: String) throws(CryptoError) {
        self.signer = signer
        self.address = address
        self.funder = try funder.map { f throws(CryptoError) in EthereumAddress.checksummed(try EthereumAddress.parse(f, field: "funder")) } ?? address
        self.signatureType = signatureType
        self.apiKey = apiKey
        self.secret = secret
        self.hmac = try RequestSigner.polymarketKey(secretBase64URL: secret)
        self.passphrase = passphrase
    }

    /// Reads what the config names; errors name the variable or file, never a value.
    public static func load(_ c: VenueConfig) throws(CryptoError) -> PolymarketCredentials {
        let key: PrivateKey
        if let env = c.keyEnv { key = try PrivateKey.fromEnvironment(env) } else if let file = c.keyFile { key = try PrivateKey.fromFile(file) } else {
            throw .invalidField(field: "key", reason: "no key_env or key_file in [venues.polymarket]")
        }
        func read(_ env: String?, _ file: String?, _ what: String) throws(CryptoError) -> String {
            if let env { return try Secret.fromEnvironment(env) }
            if let file { return try Secret.fromFile(file) }
            throw .invalidField(field: what, reason: "no \(what)_env or \(what)_file in [venues.polymarket]")
        }
        let signer = try LocalSigner(key: key)
        return try PolymarketCredentials(signer: signer, address: EthereumAddress.checksummed(signer.address), funder: c.funder,
                                         signatureType: c.signatureType, apiKey: read(c.apiKeyEnv, c.apiKeyFile, "api_key"),
                                         secret: read(c.apiSecretEnv, c.apiSecretFile, "api_secret"),
                                         passphrase: read(c.passphraseEnv, c.passphraseFile, "api_passphrase"))
    }

    /// L2 headers for one request (`path` without the query string, `body` exactly as sent).
    public func l2Headers(method: String, path: String, body: String?, timestamp: Int64) -> [(String, String)] {
        let ts = String(timestamp)
        return [("POLY_ADDRESS", address), ("POLY_SIGNATURE", RequestSigner.polymarketL2(hmac, timestamp: ts, method: method, requestPath: path, body: body)),
                ("POLY_TIMESTAMP", ts), ("POLY_API_KEY", apiKey), ("POLY_PASSPHRASE", passphrase)]
    }

    /// The user channel's subscription frame (it carries the credentials; never logged).
    public func userChannelFrame(markets: [String]) -> String {
        let m = markets.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"type":"user","auth":{"apiKey":"\#(apiKey)","secret":"\#(secret)","passphrase":"\#(passphrase)"},"markets":[\#(m)]}"#
    }

    /// Redacted.
    public var description: String { "PolymarketCredentials(address: \(address), funder: \(funder), secrets redacted)" }
}
