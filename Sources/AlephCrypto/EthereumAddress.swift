/// Ethereum addresses: the last 20 bytes of keccak256(X ‖ Y), shown with the EIP-55 checksum.
public enum EthereumAddress {
    /// The 20-byte address of a 64-byte public key.
    public static func fromPublicKey(_ xy: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard xy.count == 64 else { throw .invalidLength(field: "public_key", expected: 64, got: xy.count) }
        return Array(Keccak256.hash(xy)[12..<32])
    }

    /// The address of a private key.
    public static func fromPrivateKey(_ key: [UInt8]) throws(CryptoError) -> [UInt8] {
        try fromPublicKey(try Secp256k1.publicKey(of: key))
    }

    /// EIP-55 mixed-case hex with `0x`.
    public static func checksummed(_ address: [UInt8]) -> String {
        let lower = Hex.encode(address, prefix: false)
        let hash = Keccak256.hash(Array(lower.utf8))
        var out = "0x"
        for (i, ch) in lower.enumerated() {
            let nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0F
            out.append(ch.isLetter && nibble >= 8 ? Character(ch.uppercased()) : ch)
        }
        return out
    }

    /// Parses `0x` + 40 hex digits (any case; a mixed-case address must carry a valid checksum).
    public static func parse(_ text: String, field: String = "address") throws(CryptoError) -> [UInt8] {
        let b = try Hex.decode(text, length: 20, field: field)
        let body = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
        let mixed = body != body.lowercased() && body != body.uppercased()
        if mixed && checksummed(b) != "0x" + body {
            throw .invalidField(field: field, reason: "EIP-55 checksum mismatch (a typo?)")
        }
        return b
    }
}
