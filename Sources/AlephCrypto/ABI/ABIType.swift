/// A Solidity ABI type, as eth-abi and the Solidity ABI spec write it: `uint256`, `int24`,
/// `address`, `bool`, `bytes32`, `bytes`, `string`, `T[]`, `T[k]` and tuples `(T1,T2,…)`.
public indirect enum ABIType: Sendable, Equatable, CustomStringConvertible {
    /// `uintN`, N a multiple of 8 in 8…256.
    case uint(Int)
    /// `intN`, two's complement.
    case int(Int)
    /// `address` (20 bytes).
    case address
    /// `bool`.
    case bool
    /// `bytesN`, N in 1…32.
    case fixedBytes(Int)
    /// `bytes` (dynamic).
    case bytes
    /// `string` (dynamic, UTF-8).
    case string
    /// `T[]` (dynamic).
    case array(ABIType)
    /// `T[k]`.
    case fixedArray(ABIType, Int)
    /// `(T1,…,Tn)`.
    case tuple([ABIType])

    /// Dynamic types are encoded in the tail, behind an offset in the head.
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: return true
        case .fixedArray(let t, _): return t.isDynamic
        case .tuple(let ts): return ts.contains(where: \.isDynamic)
        default: return false
        }
    }

    /// Bytes this type takes in a head: 32 (an offset) for a dynamic type, its whole size otherwise.
    public var headSize: Int {
        if isDynamic { return 32 }
        switch self {
        case .fixedArray(let t, let n): return t.headSize * n
        case .tuple(let ts): return ts.reduce(0) { $0 + $1.headSize }
        default: return 32
        }
    }

    /// The canonical spelling (what selectors and topics hash).
    public var description: String {
        switch self {
        case .uint(let n): return "uint\(n)"
        case .int(let n): return "int\(n)"
        case .address: return "address"
        case .bool: return "bool"
        case .fixedBytes(let n): return "bytes\(n)"
        case .bytes: return "bytes"
        case .string: return "string"
        case .array(let t): return "\(t)[]"
        case .fixedArray(let t, let n): return "\(t)[\(n)]"
        case .tuple(let ts): return "(" + ts.map(\.description).joined(separator: ",") + ")"
        }
    }

    /// Parses one type (`uint` and `int` mean their 256-bit forms).
    public static func parse(_ text: String) throws(ABIError) -> ABIType {
        var p = Parser(Array(text.utf8), text: text)
        let t = try p.type()
        guard p.i == p.s.count else { throw ABIError("unexpected '\(String(decoding: p.s[p.i...], as: UTF8.self))' after the type in '\(text)'") }
        return t
    }

    /// The parameter types of a signature `name(T1,…)` (and the name).
    public static func parseSignature(_ signature: String) throws(ABIError) -> (name: String, types: [ABIType]) {
        guard let open = signature.firstIndex(of: "("), signature.hasSuffix(")") else {
            throw ABIError("'\(signature)' is not a signature name(types…)")
        }
        let name = String(signature[..<open])
        guard !name.isEmpty, name.utf8.allSatisfy({ Parser.isIdent($0) }) else { throw ABIError("bad function name in '\(signature)'") }
        guard case .tuple(let ts) = try parse(String(signature[open...])) else { throw ABIError("bad parameter list in '\(signature)'") }
        return (name, ts)
    }

    private struct Parser {
        let s: [UInt8]
        let text: String
        var i = 0
        var depth = 0
        init(_ s: [UInt8], text: String) {
            self.s = s
            self.text = text
        }

        static func isIdent(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 }

        mutating func type() throws(ABIError) -> ABIType {
            depth += 1
            defer { depth -= 1 }
            guard depth <= 32 else { throw ABIError("type nested too deeply in '\(text)'") }
            var t: ABIType
            if i < s.count && s[i] == UInt8(ascii: "(") {
                i += 1
                var items: [ABIType] = []
                if i < s.count && s[i] == UInt8(ascii: ")") { i += 1 } else {
                    while true {
                        items.append(try type())
                        guard i < s.count else { throw ABIError("unclosed tuple in '\(text)'") }
                        if s[i] == UInt8(ascii: ",") { i += 1; continue }
                        if s[i] == UInt8(ascii: ")") { i += 1; break }
                        throw ABIError("expected ',' or ')' at \(i) in '\(text)'")
                    }
                }
                t = .tuple(items)
            } else {
                let start = i
                while i < s.count && Parser.isIdent(s[i]) { i += 1 }
                t = try Parser.base(String(decoding: s[start..<i], as: UTF8.self), text: text)
            }
            while i < s.count && s[i] == UInt8(ascii: "[") {
                i += 1
                let start = i
                while i < s.count && s[i] >= 48 && s[i] <= 57 { i += 1 }
                guard i < s.count && s[i] == UInt8(ascii: "]") else { throw ABIError("bad array suffix in '\(text)'") }
                if start == i { t = .array(t) } else {
                    guard i - start <= 6, let n = Int(String(decoding: s[start..<i], as: UTF8.self)), n > 0 else {
                        throw ABIError("bad array length in '\(text)'")
                    }
                    t = .fixedArray(t, n)
                }
                i += 1
            }
            return t
        }

        static func base(_ name: String, text: String) throws(ABIError) -> ABIType {
            switch name {
            case "address": return .address
            case "bool": return .bool
            case "bytes": return .bytes
            case "string": return .string
            case "uint": return .uint(256)
            case "int": return .int(256)
            case "": throw ABIError("missing type in '\(text)'")
            default: break
            }
            func bits(_ prefix: String) -> Int? {
                guard name.hasPrefix(prefix), name.count > prefix.count else { return nil }
                let digits = name.dropFirst(prefix.count)
                guard digits.first != "0", let n = Int(digits) else { return nil }
                return n
            }
            if let n = bits("uint") {
                guard n % 8 == 0, (8...256).contains(n) else { throw ABIError("uint\(n): the size must be a multiple of 8 from 8 to 256") }
                return .uint(n)
            }
            if let n = bits("int") {
                guard n % 8 == 0, (8...256).contains(n) else { throw ABIError("int\(n): the size must be a multiple of 8 from 8 to 256") }
                return .int(n)
            }
            if let n = bits("bytes") {
                guard (1...32).contains(n) else { throw ABIError("bytes\(n): the size must be 1 to 32") }
                return .fixedBytes(n)
            }
            throw ABIError("unknown ABI type '\(name)' in '\(text)'")
        }
    }
}
