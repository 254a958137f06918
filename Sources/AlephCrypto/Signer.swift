/// Something that signs 32-byte digests for one address. Executors depend on this, never on raw
/// keys, so a remote signer (KMS, HSM, a separate process) can replace the local key.
public protocol Signer: Sendable {
    /// The 20-byte address whose key signs.
    var address: [UInt8] { get }
    /// A recoverable, low-s signature of `digest`.
    func sign(digest: [UInt8]) async throws -> RecoverableSignature
}

/// A signer holding its key in process memory (loaded from the environment or a file).
public struct LocalSigner: Signer {
    private let key: PrivateKey
    /// The key's address.
    public let address: [UInt8]

    /// Wraps a key.
    public init(key: PrivateKey) throws(CryptoError) {
        self.key = key
        address = try EthereumAddress.fromPrivateKey(key.bytes)
    }

    /// Signs with libsecp256k1 (RFC 6979, low-s).
    public func sign(digest: [UInt8]) async throws -> RecoverableSignature {
        try Secp256k1.sign(digest: digest, key: key.bytes)
    }
}
