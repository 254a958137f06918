import AlephRPC
import BigInt

/// ABI values to and from JSON the way eth-abi users write them: integers as JSON numbers or
/// decimal strings, `bool`, addresses and byte strings as `0x` hex, strings as strings, arrays and
/// tuples as arrays. Output: integers as JSON numbers, addresses EIP-55, bytes lower-case hex.
public enum ABIJSON {
    /// The value of type `t` written as `json`.
    public static func value(_ json: JSON, _ t: ABIType, path: String = "value") throws(ABIError) -> ABIValue {
        switch t {
        case .uint(let bits):
            let n = try integer(json, path)
            guard n >= 0 else { throw ABIError("\(path): uint\(bits) cannot be negative") }
            return .uint(n.magnitude)
        case .int: return .int(try integer(json, path))
        case .bool:
            guard let b = json.boolValue else { throw ABIError("\(path): expected true or false") }
            return .bool(b)
        case .address:
            guard let s = json.stringValue else { throw ABIError("\(path): expected an address string") }
            do { return .address(try EthereumAddress.parse(s, field: path)) } catch { throw ABIError("\(path): \(error)") }
        case .fixedBytes(let n):
            let b = try hex(json, path)
            guard b.count <= n else { throw ABIError("\(path): \(b.count) bytes do not fit bytes\(n)") }
            return .fixedBytes(b)
        case .bytes: return .bytes(try hex(json, path))
        case .string:
            guard let s = json.stringValue else { throw ABIError("\(path): expected a string") }
            return .string(s)
        case .array(let e):
            guard let items = json.arrayValue else { throw ABIError("\(path): expected an array") }
            var out: [ABIValue] = []
            for (k, x) in items.enumerated() { out.append(try value(x, e, path: "\(path)[\(k)]")) }
            return .array(out)
        case .fixedArray(let e, let n):
            guard let items = json.arrayValue, items.count == n else { throw ABIError("\(path): expected an array of \(n)") }
            var out: [ABIValue] = []
            for (k, x) in items.enumerated() { out.append(try value(x, e, path: "\(path)[\(k)]")) }
            return .array(out)
        case .tuple(let ts):
            guard let items = json.arrayValue, items.count == ts.count else { throw ABIError("\(path): expected an array of \(ts.count) (a tuple)") }
            var out: [ABIValue] = []
            for (k, (x, tt)) in zip(items, ts).enumerated() { out.append(try value(x, tt, path: "\(path)[\(k)]")) }
            return .tuple(out)
        }
    }

    /// A value as JSON.
    public static func json(_ v: ABIValue) -> JSON {
        switch v {
        case .uint(let n): return .number(String(n))
        case .int(let n): return .number(String(n))
        case .bool(let b): return .bool(b)
        case .address(let a): return .string(EthereumAddress.checksummed(a))
        case .fixedBytes(let b), .bytes(let b): return .string(Hex.encode(b))
        case .string(let s): return .string(s)
        case .array(let items), .tuple(let items): return .array(items.map(json))
        }
    }

    /// A short text form (error messages, revert descriptions).
    public static func text(_ v: ABIValue) -> String { JSONWriter.string(json(v)) }

    static func integer(_ json: JSON, _ path: String) throws(ABIError) -> BigInt {
        let text: String
        switch json {
        case .number(let n): text = n
        case .string(let s): text = s
        default: throw ABIError("\(path): expected an integer (a JSON number or a decimal string)")
        }
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), digits.count <= 80, let n = BigInt(text, radix: 10) else {
            throw ABIError("\(path): '\(text)' is not a whole decimal number")
        }
        return n
    }

    static func hex(_ json: JSON, _ path: String) throws(ABIError) -> [UInt8] {
        guard let s = json.stringValue else { throw ABIError("\(path): expected 0x-prefixed hex") }
        do { return try Hex.decode(s) } catch { throw ABIError("\(path): \(error)") }
    }
}
