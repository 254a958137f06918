/// Unsigned integers of any size as minimal big-endian bytes (RLP and EIP-712 need uint256).
public enum BigEndian {
    /// Minimal big-endian bytes of a decimal (`"1000"`) or hex (`"0x3e8"`) string; zero is `[]`.
    public static func parse(_ text: String, field: String) throws(CryptoError) -> [UInt8] {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            var hex = String(text.dropFirst(2))
            if hex.isEmpty { return [] }
            if hex.count % 2 == 1 { hex = "0" + hex }
            let b: [UInt8]
            do { b = try Hex.decode(hex) } catch { throw .invalidNumber(field: field, reason: "'\(text)' is not a hex number") }
            return trim(b)
        }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .invalidNumber(field: field, reason: "'\(text)' is not a non-negative integer")
        }
        // Decimal to base-256, most significant byte first.
        var out: [UInt8] = []
        for c in text.utf8 {
            var carry = UInt(c - 0x30)
            for i in stride(from: out.count - 1, through: 0, by: -1) {
                let v = UInt(out[i]) * 10 + carry
                out[i] = UInt8(v & 0xFF)
                carry = v >> 8
            }
            while carry > 0 { out.insert(UInt8(carry & 0xFF), at: 0); carry >>= 8 }
        }
        return trim(out)
    }

    /// Minimal bytes of a machine integer.
    public static func bytes(_ v: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var x = v
        while x > 0 { out.insert(UInt8(x & 0xFF), at: 0); x >>= 8 }
        return out
    }

    /// Drops leading zero bytes.
    public static func trim(_ b: [UInt8]) -> [UInt8] { Array(b.drop(while: { $0 == 0 })) }

    /// Left-pads to `width` bytes; throws if it does not fit.
    public static func padded(_ b: [UInt8], to width: Int, field: String) throws(CryptoError) -> [UInt8] {
        let t = trim(b)
        guard t.count <= width else { throw .invalidNumber(field: field, reason: "does not fit in \(width * 8) bits") }
        return [UInt8](repeating: 0, count: width - t.count) + t
    }
}
