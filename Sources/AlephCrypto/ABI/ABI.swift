import BigInt
import Foundation

/// The Solidity contract ABI: encoding and decoding of argument lists (head/tail layout),
/// function selectors and event topics. Pure; byte-identical to eth-abi (tested on random types).
public enum ABI {
    /// Encodes `values` as the argument list `types` (a tuple without its own offset).
    public static func encode(_ types: [ABIType], _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        guard types.count == values.count else { throw ABIError("\(types.count) types but \(values.count) values") }
        var out: [UInt8] = []
        try encodeSequence(types, values, into: &out, path: "")
        return out
    }

    /// `selector ‖ encode(types, values)` for a signature `name(T1,…)`.
    public static func call(_ signature: String, _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        let (name, types) = try ABIType.parseSignature(signature)
        return selector(name + ABIType.tuple(types).description) + (try encode(types, values))
    }

    /// The first 4 bytes of keccak256 of a canonical signature.
    public static func selector(_ signature: String) -> [UInt8] { Array(Keccak256.hash(Array(signature.utf8)).prefix(4)) }

    /// An event's topic 0: keccak256 of its canonical signature.
    public static func topic(_ signature: String) -> [UInt8] { Keccak256.hash(Array(signature.utf8)) }

    /// Decodes `data` as the argument list `types`.
    public static func decode(_ types: [ABIType], _ data: [UInt8]) throws(ABIError) -> [ABIValue] {
        try data.withUnsafeBufferPointer { buf throws(ABIError) in try decodeSequence(types, buf, start: 0, path: "") }
    }

    // MARK: encoding

    static func encodeSequence(_ types: [ABIType], _ values: [ABIValue], into out: inout [UInt8], path: String) throws(ABIError) {
        let headLength = types.reduce(0) { $0 + $1.headSize }
        var tails: [UInt8] = []
        for (k, (t, v)) in zip(types, values).enumerated() {
            let at = path.isEmpty ? "[\(k)]" : "\(path)[\(k)]"
            if t.isDynamic {
                word(UInt64(headLength + tails.count), into: &out)
                try encodeValue(t, v, into: &tails, path: at)
            } else {
                try encodeValue(t, v, into: &out, path: at)
            }
        }
        out += tails
    }

    static func encodeValue(_ t: ABIType, _ v: ABIValue, into out: inout [UInt8], path: String) throws(ABIError) {
        switch (t, v) {
        case (.uint(let bits), .uint(let x)):
            guard x < (BigUInt(1) << bits) else { throw ABIError("\(path): \(x) does not fit uint\(bits)") }
            out += padLeft(Array(x.serialize()), 0)
        case (.int(let bits), .int(let x)):
            let limit = BigInt(1) << (bits - 1)
            guard x >= -limit && x < limit else { throw ABIError("\(path): \(x) does not fit int\(bits)") }
            if x >= 0 { out += padLeft(Array(x.magnitude.serialize()), 0) } else {
                let twos = (BigUInt(1) << 256) - x.magnitude
                out += padLeft(Array(twos.serialize()), 0xff)
            }
        case (.address, .address(let a)):
            guard a.count == 20 else { throw ABIError("\(path): an address has 20 bytes, not \(a.count)") }
            out += [UInt8](repeating: 0, count: 12) + a
        case (.bool, .bool(let b)):
            word(b ? 1 : 0, into: &out)
        case (.fixedBytes(let n), .fixedBytes(let b)):
            guard b.count <= n else { throw ABIError("\(path): \(b.count) bytes do not fit bytes\(n)") }
            out += b + [UInt8](repeating: 0, count: 32 - b.count)
        case (.bytes, .bytes(let b)):
            dynamicBytes(b, into: &out)
        case (.string, .string(let s)):
            dynamicBytes(Array(s.utf8), into: &out)
        case (.array(let e), .array(let items)):
            word(UInt64(items.count), into: &out)
            try encodeSequence([ABIType](repeating: e, count: items.count), items, into: &out, path: path)
        case (.fixedArray(let e, let n), .array(let items)):
            guard items.count == n else { throw ABIError("\(path): \(t) needs \(n) items, got \(items.count)") }
            try encodeSequence([ABIType](repeating: e, count: n), items, into: &out, path: path)
        case (.tuple(let ts), .tuple(let items)):
            guard ts.count == items.count else { throw ABIError("\(path): \(t) has \(ts.count) fields, got \(items.count)") }
            try encodeSequence(ts, items, into: &out, path: path)
        default:
            throw ABIError("\(path): a \(kind(v)) is not a \(t)")
        }
    }

    static func kind(_ v: ABIValue) -> String {
        switch v {
        case .uint: return "unsigned integer"
        case .int: return "signed integer"
        case .address: return "address"
        case .bool: return "bool"
        case .fixedBytes, .bytes: return "byte string"
        case .string: return "string"
        case .array: return "array"
        case .tuple: return "tuple"
        }
    }

    static func word(_ x: UInt64, into out: inout [UInt8]) {
        out += [UInt8](repeating: 0, count: 24)
        for k in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: x >> (8 * UInt64(k)))) }
    }

    static func padLeft(_ b: [UInt8], _ fill: UInt8) -> [UInt8] {
        let trimmed = b.count > 32 ? Array(b.suffix(32)) : b
        return [UInt8](repeating: fill, count: 32 - trimmed.count) + trimmed
    }

    static func dynamicBytes(_ b: [UInt8], into out: inout [UInt8]) {
        word(UInt64(b.count), into: &out)
        out += b
        let pad = (32 - b.count % 32) % 32
        out += [UInt8](repeating: 0, count: pad)
    }

    // MARK: decoding

    static func decodeSequence(_ types: [ABIType], _ buf: UnsafeBufferPointer<UInt8>, start: Int, path: String) throws(ABIError) -> [ABIValue] {
        var out: [ABIValue] = []
        out.reserveCapacity(types.count)
        var cursor = start
        for (k, t) in types.enumerated() {
            let at = path.isEmpty ? "[\(k)]" : "\(path)[\(k)]"
            if t.isDynamic {
                let offset = try readInt(buf, at: cursor, path: at, what: "offset")
                guard offset <= buf.count - start else { throw ABIError("\(at): offset \(offset) points past the end of the data") }
                out.append(try decodeValue(t, buf, at: start + offset, path: at))
            } else {
                out.append(try decodeValue(t, buf, at: cursor, path: at))
            }
            cursor += t.headSize
        }
        return out
    }

    static func decodeValue(_ t: ABIType, _ buf: UnsafeBufferPointer<UInt8>, at p: Int, path: String) throws(ABIError) -> ABIValue {
        switch t {
        case .uint(let bits):
            let w = try wordAt(buf, p, path)
            guard w.prefix(32 - bits / 8).allSatisfy({ $0 == 0 }) else { throw ABIError("\(path): value does not fit uint\(bits) (non-zero padding)") }
            return .uint(BigUInt(Data(w)))
        case .int(let bits):
            let w = try wordAt(buf, p, path)
            let negative = w[32 - bits / 8] & 0x80 != 0
            guard w.prefix(32 - bits / 8).allSatisfy({ $0 == (negative ? 0xff : 0) }) else {
                throw ABIError("\(path): value does not fit int\(bits) (bad sign extension)")
            }
            let u = BigUInt(Data(w))
            return .int(negative ? -BigInt((BigUInt(1) << 256) - u) : BigInt(u))
        case .address:
            let w = try wordAt(buf, p, path)
            guard w.prefix(12).allSatisfy({ $0 == 0 }) else { throw ABIError("\(path): address with non-zero padding") }
            return .address(Array(w.suffix(20)))
        case .bool:
            let w = try wordAt(buf, p, path)
            guard w.prefix(31).allSatisfy({ $0 == 0 }), w[31] <= 1 else { throw ABIError("\(path): a bool must be 0 or 1") }
            return .bool(w[31] == 1)
        case .fixedBytes(let n):
            let w = try wordAt(buf, p, path)
            guard w.suffix(32 - n).allSatisfy({ $0 == 0 }) else { throw ABIError("\(path): bytes\(n) with non-zero padding") }
            return .fixedBytes(Array(w.prefix(n)))
        case .bytes, .string:
            let n = try readInt(buf, at: p, path: path, what: "length")
            guard n <= buf.count - p - 32 else { throw ABIError("\(path): length \(n) runs past the end of the data") }
            let body = Array(buf[(p + 32)..<(p + 32 + n)])
            let padded = (n + 31) / 32 * 32
            guard p + 32 + padded <= buf.count, buf[(p + 32 + n)..<(p + 32 + padded)].allSatisfy({ $0 == 0 }) else {
                throw ABIError("\(path): \(t) with missing or non-zero padding")
            }
            if case .bytes = t { return .bytes(body) }
            guard let s = String(validating: body, as: UTF8.self) else { throw ABIError("\(path): string is not valid UTF-8") }
            return .string(s)
        case .array(let e):
            let n = try readInt(buf, at: p, path: path, what: "length")
            let size = max(e.headSize, 1)
            guard n <= (buf.count - p - 32) / size else { throw ABIError("\(path): \(n) items do not fit in the data") }
            return .array(try decodeSequence([ABIType](repeating: e, count: n), buf, start: p + 32, path: path))
        case .fixedArray(let e, let n):
            return .array(try decodeSequence([ABIType](repeating: e, count: n), buf, start: p, path: path))
        case .tuple(let ts):
            return .tuple(try decodeSequence(ts, buf, start: p, path: path))
        }
    }

    static func wordAt(_ buf: UnsafeBufferPointer<UInt8>, _ p: Int, _ path: String) throws(ABIError) -> [UInt8] {
        guard p >= 0, p <= buf.count - 32 else { throw ABIError("\(path): the data ends before this value") }
        return Array(buf[p..<(p + 32)])
    }

    /// A length or offset word: must fit comfortably in an Int.
    static func readInt(_ buf: UnsafeBufferPointer<UInt8>, at p: Int, path: String, what: String) throws(ABIError) -> Int {
        let w = try wordAt(buf, p, path)
        guard w.prefix(26).allSatisfy({ $0 == 0 }) else { throw ABIError("\(path): \(what) is too large") }
        var n = 0
        for b in w.suffix(6) { n = n << 8 | Int(b) }
        return n
    }
}
