import CSecp256k1
import Foundation

/// A recoverable ECDSA signature: r, s (low-s, EIP-2) and the recovery id (0 or 1).
public struct RecoverableSignature: Sendable, Equatable {
    /// r, 32 bytes big-endian.
    public var r: [UInt8]
    /// s, 32 bytes big-endian, always ≤ n/2.
    public var s: [UInt8]
    /// Recovery id.
    public var recoveryId: UInt8

    /// `r ‖ s ‖ (27 + recid)`: the 65-byte off-chain form (EIP-191/712, Hyperliquid, Polymarket).
    public var ethereumBytes: [UInt8] { r + s + [27 + recoveryId] }
}

/// secp256k1 through the system libsecp256k1: deterministic RFC 6979 nonces (its default nonce
/// function), low-s signatures, public-key recovery. Never a hand-made nonce.
public enum Secp256k1 {
    /// One context for the process: randomised once for side-channel blinding, read-only after.
    nonisolated(unsafe) static let context: OpaquePointer = {
        let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
        var seed = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<32 { seed[i] = UInt8.random(in: 0...255, using: &rng) }
        _ = secp256k1_context_randomize(ctx, seed)
        return ctx
    }()

    /// True for a valid secret key (32 bytes, 1 ≤ k < n).
    public static func isValidPrivateKey(_ key: [UInt8]) -> Bool {
        key.count == 32 && secp256k1_ec_seckey_verify(context, key) == 1
    }

    /// The 64-byte uncompressed public key X ‖ Y (no 0x04 prefix).
    public static func publicKey(of key: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard isValidPrivateKey(key) else { throw .invalidPrivateKey }
        var pub = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &pub, key) == 1 else { throw .invalidPrivateKey }
        return serialize(&pub)
    }

    /// Signs a 32-byte digest.
    public static func sign(digest: [UInt8], key: [UInt8]) throws(CryptoError) -> RecoverableSignature {
        guard digest.count == 32 else { throw .invalidLength(field: "digest", expected: 32, got: digest.count) }
        guard isValidPrivateKey(key) else { throw .invalidPrivateKey }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(context, &sig, digest, key, nil, nil) == 1 else { throw .invalidPrivateKey }
        var compact = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recid, &sig)
        return RecoverableSignature(r: Array(compact[0..<32]), s: Array(compact[32..<64]), recoveryId: UInt8(recid))
    }

    /// The 64-byte public key that produced `signature` over `digest`.
    public static func recover(digest: [UInt8], signature: RecoverableSignature) throws(CryptoError) -> [UInt8] {
        guard digest.count == 32, signature.r.count == 32, signature.s.count == 32, signature.recoveryId < 4 else { throw .invalidSignature }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &sig, signature.r + signature.s, Int32(signature.recoveryId)) == 1 else {
            throw .invalidSignature
        }
        var pub = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &pub, &sig, digest) == 1 else { throw .invalidSignature }
        return serialize(&pub)
    }

    static func serialize(_ pub: inout secp256k1_pubkey) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 65)
        var len = 65
        _ = secp256k1_ec_pubkey_serialize(context, &out, &len, &pub, UInt32(SECP256K1_EC_UNCOMPRESSED))
        return Array(out[1..<65])
    }

    /// The curve order n, big-endian.
    public static let order: [UInt8] = try! Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    /// n / 2, big-endian: every signature's s is at most this.
    public static let halfOrder: [UInt8] = try! Hex.decode("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
}
