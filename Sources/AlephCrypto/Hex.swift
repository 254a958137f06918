/// Hex encoding and decoding (`0x` prefix optional on input).
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex with a `0x` prefix.
    public static func encode<B: Sequence>(_ bytes: B, prefix: Bool = true) -> String where B.Element == UInt8 {
        var out: [UInt8] = prefix ? [0x30, 0x78] : []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes of a hex string; throws on odd length or a non-hex character.
    public static func decode(_ text: String) throws(CryptoError) -> [UInt8] {
        var u = Array(text.utf8)
        if u.count >= 2 && u[0] == 0x30 && (u[1] == 0x78 || u[1] == 0x58) { u.removeFirst(2) }
        guard u.count % 2 == 0 else { throw .invalidHex("odd number of digits") }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { throw .invalidHex("non-hex character at \(i)") }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// Decodes and checks the length.
    public static func decode(_ text: String, length: Int, field: String) throws(CryptoError) -> [UInt8] {
        let b = try decode(text)
        guard b.count == length else { throw .invalidLength(field: field, expected: length, got: b.count) }
        return b
    }

    @inline(__always) static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x57
        case 0x41...0x46: return c - 0x37
        default: return nil
        }
    }
}
