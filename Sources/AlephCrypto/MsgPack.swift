import AlephRPC

/// A msgpack encoder that reproduces Python `msgpack.packb` defaults byte for byte (Hyperliquid
/// hashes actions this way): smallest integer width, fixstr/str8/16/32, maps in member order.
/// Non-integer numbers are refused: Hyperliquid sends every decimal as a string.
public enum MsgPack {
    /// Encodes a JSON value.
    public static func encode(_ v: JSON) throws(CryptoError) -> [UInt8] {
        var out: [UInt8] = []
        try encode(v, into: &out, path: "action")
        return out
    }

    static func encode(_ v: JSON, into out: inout [UInt8], path: String) throws(CryptoError) {
        switch v {
        case .null: out.append(0xC0)
        case .bool(let b): out.append(b ? 0xC3 : 0xC2)
        case .number(let text):
            guard let n = Int64(text) else {
                if let u = UInt64(text) { out.append(0xCF); append(u, bytes: 8, into: &out); return }
                throw .invalidField(field: path, reason: "'\(text)' is not an integer: send decimals as strings")
            }
            integer(n, into: &out)
        case .string(let s):
            let b = Array(s.utf8)
            if b.count <= 31 { out.append(0xA0 | UInt8(b.count)) } else if b.count <= 0xFF { out.append(0xD9); out.append(UInt8(b.count)) } else if b.count <= 0xFFFF {
                out.append(0xDA); append(UInt64(b.count), bytes: 2, into: &out)
            } else { out.append(0xDB); append(UInt64(b.count), bytes: 4, into: &out) }
            out.append(contentsOf: b)
        case .array(let items):
            header(items.count, fix: 0x90, b16: 0xDC, b32: 0xDD, into: &out)
            for (i, item) in items.enumerated() { try encode(item, into: &out, path: "\(path)[\(i)]") }
        case .object(let members):
            header(members.count, fix: 0x80, b16: 0xDE, b32: 0xDF, into: &out)
            for m in members {
                try encode(.string(m.key), into: &out, path: path)
                try encode(m.value, into: &out, path: "\(path).\(m.key)")
            }
        }
    }

    static func header(_ n: Int, fix: UInt8, b16: UInt8, b32: UInt8, into out: inout [UInt8]) {
        if n <= 15 { out.append(fix | UInt8(n)) } else if n <= 0xFFFF { out.append(b16); append(UInt64(n), bytes: 2, into: &out) } else {
            out.append(b32); append(UInt64(n), bytes: 4, into: &out)
        }
    }

    static func integer(_ n: Int64, into out: inout [UInt8]) {
        if n >= 0 {
            let u = UInt64(n)
            if u <= 0x7F { out.append(UInt8(u)) } else if u <= 0xFF { out.append(0xCC); out.append(UInt8(u)) } else if u <= 0xFFFF {
                out.append(0xCD); append(u, bytes: 2, into: &out)
            } else if u <= 0xFFFF_FFFF { out.append(0xCE); append(u, bytes: 4, into: &out) } else { out.append(0xCF); append(u, bytes: 8, into: &out) }
        } else if n >= -32 {
            out.append(UInt8(bitPattern: Int8(n)))
        } else if n >= -128 {
            out.append(0xD0); out.append(UInt8(bitPattern: Int8(n)))
        } else if n >= -32768 {
            out.append(0xD1); append(UInt64(UInt16(bitPattern: Int16(n))), bytes: 2, into: &out)
        } else if n >= Int64(Int32.min) {
            out.append(0xD2); append(UInt64(UInt32(bitPattern: Int32(n))), bytes: 4, into: &out)
        } else {
            out.append(0xD3); append(UInt64(bitPattern: n), bytes: 8, into: &out)
        }
    }

    static func append(_ v: UInt64, bytes: Int, into out: inout [UInt8]) {
        for i in stride(from: bytes - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) }
    }
}
