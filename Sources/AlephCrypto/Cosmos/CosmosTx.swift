import Crypto

/// The Cosmos SDK transaction envelope signed with SIGN_MODE_DIRECT: `Any`, `TxBody`, `AuthInfo`
/// (one secp256k1 signer), `SignDoc`, `TxRaw`; signatures are secp256k1 over SHA-256, 64 bytes
/// `r ‖ s`, low-s. Pure.
public enum CosmosTx {
    /// What a signed transaction is made of.
    public struct Signed: Sendable, Equatable {
        /// `TxBody` bytes.
        public var bodyBytes: [UInt8]
        /// `AuthInfo` bytes.
        public var authInfoBytes: [UInt8]
        /// `SignDoc` bytes (what is hashed and signed).
        public var signDocBytes: [UInt8]
        /// `r ‖ s`.
        public var signature: [UInt8]
        /// `TxRaw` bytes: what is broadcast.
        public var txRaw: [UInt8]
        /// Upper-case hex SHA-256 of `txRaw` (the chain's tx hash).
        public var txHash: String
    }

    /// `Any{type_url, value}`.
    public static func any(_ typeURL: String, _ value: [UInt8]) -> [UInt8] {
        var w = ProtoWriter()
        w.string(1, typeURL)
        w.bytes(2, value)
        return w.bytes
    }

    /// The 33-byte compressed form of a 64-byte X ‖ Y public key.
    public static func compressed(_ xy: [UInt8]) -> [UInt8] { [xy[63] & 1 == 1 ? 0x03 : 0x02] + Array(xy.prefix(32)) }

    /// `bech32(hrp, RIPEMD160(SHA256(compressed pubkey)))`.
    public static func address(hrp: String, compressedPublicKey pk: [UInt8]) -> String {
        Bech32.encode(hrp: hrp, RIPEMD160.hash(Array(SHA256.hash(data: pk))))
    }

    /// Signs `messages` (already wrapped in `Any`) for one signer.
    public static func sign(messages: [[UInt8]], memo: String, timeoutHeight: UInt64 = 0, chainId: String, accountNumber: UInt64, sequence: UInt64,
                            gasLimit: UInt64, fee: [(denom: String, amount: String)] = [], key: [UInt8],
                            compressedPublicKey: [UInt8]? = nil) throws(CryptoError) -> Signed {
        // The key's public half, derived unless the caller keeps it (a signer signs many orders).
        let pub: [UInt8]
        if let compressedPublicKey { pub = compressedPublicKey } else { pub = compressed(try Secp256k1.publicKey(of: key)) }
        var body = ProtoWriter()
        for m in messages { body.message(1, m) }
        body.string(2, memo)
        body.varint(3, timeoutHeight)
        var pubKey = ProtoWriter()
        pubKey.bytes(1, pub)
        var single = ProtoWriter()
        single.varint(1, 1)   // SIGN_MODE_DIRECT
        var mode = ProtoWriter()
        mode.message(1, single.bytes)
        var signer = ProtoWriter()
        signer.message(1, any("/cosmos.crypto.secp256k1.PubKey", pubKey.bytes))
        signer.message(2, mode.bytes)
        signer.varint(3, sequence)
        var feeW = ProtoWriter()
        for c in fee {
            var coin = ProtoWriter()
            coin.string(1, c.denom)
            coin.string(2, c.amount)
            feeW.message(1, coin.bytes)
        }
        feeW.varint(2, gasLimit)
        var auth = ProtoWriter()
        auth.message(1, signer.bytes)
        auth.message(2, feeW.bytes)
        var doc = ProtoWriter()
        doc.bytes(1, body.bytes)
        doc.bytes(2, auth.bytes)
        doc.string(3, chainId)
        doc.varint(4, accountNumber)
        let sig = try Secp256k1.sign(digest: Array(SHA256.hash(data: doc.bytes)), key: key)
        let rs = sig.r + sig.s
        var raw = ProtoWriter()
        raw.bytes(1, body.bytes)
        raw.bytes(2, auth.bytes)
        raw.bytes(3, rs, always: true)
        let hash = Hex.encode(Array(SHA256.hash(data: raw.bytes)), prefix: false).uppercased()
        return Signed(bodyBytes: body.bytes, authInfoBytes: auth.bytes, signDocBytes: doc.bytes, signature: rs, txRaw: raw.bytes, txHash: hash)
    }
}
