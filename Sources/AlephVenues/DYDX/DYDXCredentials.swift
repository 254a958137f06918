import AlephCrypto
import AlephVenueKit

/// What a live dYdX venue signs with: a secp256k1 key (hex, or derived from a BIP-39 mnemonic at
/// `m/44'/118'/0'/0/0`), read from the environment or a file the config names, and the `dydx1…`
/// address it owns. The description never shows the key.
public struct DYDXCredentials: Sendable, CustomStringConvertible {
    /// The key (never log or send it).
    let key: PrivateKey
    /// Its 33-byte compressed public key.
    public let publicKey: [UInt8]
    /// Its bech32 address, the subaccount owner.
    public let address: String

    /// Credentials from a key (tests, benchmarks).
    public init(key: PrivateKey) throws(CryptoError) {
        self.key = key
        publicKey = CosmosTx.compressed(try Secp256k1.publicKey(of: key.bytes))
        address = CosmosTx.address(hrp: "dydx", compressedPublicKey: publicKey)
    }

    /// Reads the key or mnemonic the config names; errors name the variable or file, never a value.
    public static func load(_ c: VenueConfig) throws(CryptoError) -> DYDXCredentials {
        if let env = c.keyEnv { return try DYDXCredentials(key: try PrivateKey.fromEnvironment(env)) }
        if let file = c.keyFile { return try DYDXCredentials(key: try PrivateKey.fromFile(file)) }
        let words: String
        let source: String
        if let env = c.mnemonicEnv {
            words = try Secret.fromEnvironment(env)
            source = "environment variable \(env)"
        } else if let file = c.mnemonicFile {
            words = try Secret.fromFile(file)
            source = "mnemonic file \(file)"
        } else {
            throw .invalidField(field: "key", reason: "no key_env, key_file, mnemonic_env or mnemonic_file in [venues.dydx]")
        }
        do { return try DYDXCredentials(key: try HDKey.cosmosKey(mnemonic: words)) } catch {
            throw .invalidField(field: source, reason: "not a usable mnemonic (\(error))")
        }
    }

    /// Signs messages for this account.
    func sign(messages: [[UInt8]], memo: String, timeoutHeight: UInt64, chainId: String, accountNumber: UInt64, sequence: UInt64) throws(CryptoError) -> CosmosTx.Signed {
        try CosmosTx.sign(messages: messages, memo: memo, timeoutHeight: timeoutHeight, chainId: chainId, accountNumber: accountNumber, sequence: sequence,
                          gasLimit: 1_000_000, key: key.bytes, compressedPublicKey: publicKey)
    }

    /// Redacted.
    public var description: String { "DYDXCredentials(address: \(address), key redacted)" }
}
