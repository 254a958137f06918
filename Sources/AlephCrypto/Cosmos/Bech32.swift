/// Bech32 (BIP-173; not bech32m): Cosmos account addresses `<hrp>1<data><checksum>`.
public enum Bech32 {
    private static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let gen: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> i) & 1 == 1 { chk ^= gen[i] }
        }
        return chk
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] { hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 } }

    /// Regroups bits (8 → 5 with padding, or 5 → 8 strictly).
    static func convert(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var acc = 0, bits = 0, out: [UInt8] = []
        let maxv = (1 << to) - 1
        for v in data {
            guard Int(v) >> from == 0 else { return nil }
            acc = (acc << from) | Int(v)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> bits) & maxv))
            }
        }
        if pad { if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxv)) } } else if bits >= from || (acc << (to - bits)) & maxv != 0 { return nil }
        return out
    }

    /// Encodes bytes (an address's 20-byte hash) under a human-readable part.
    public static func encode(hrp: String, _ bytes: [UInt8]) -> String {
        let h = Array(hrp.lowercased().utf8)
        let data = convert(bytes, from: 8, to: 5, pad: true) ?? []
        let mod = polymod(expand(h) + data + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksum = (0..<6).map { UInt8((mod >> (5 * (5 - $0))) & 31) }
        return String(decoding: h + [UInt8(ascii: "1")] + (data + checksum).map { alphabet[Int($0)] }, as: UTF8.self)
    }

    /// Decodes `<hrp>1…`; nil when the checksum or the characters are wrong.
    public static func decode(_ text: String) -> (hrp: String, bytes: [UInt8])? {
        let s = Array(text.lowercased().utf8)
        guard text == text.lowercased() || text == text.uppercased(), let sep = s.lastIndex(of: UInt8(ascii: "1")), sep >= 1, s.count - sep >= 7, s.count <= 90 else { return nil }
        let hrp = Array(s[..<sep])
        var data: [UInt8] = []
        for c in s[(sep + 1)...] {
            guard let i = alphabet.firstIndex(of: c) else { return nil }
            data.append(UInt8(i))
        }
        guard polymod(expand(hrp) + data) == 1, let bytes = convert(Array(data.dropLast(6)), from: 5, to: 8, pad: false) else { return nil }
        return (String(decoding: hrp, as: UTF8.self), bytes)
    }
}
