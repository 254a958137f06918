import BigInt

/// What a revert's data says: `Error(string)`, `Panic(uint256)`, a custom error of a known
/// signature, an unknown selector, or nothing.
public enum ABIRevert: Sendable, Equatable, CustomStringConvertible {
    /// `revert()` or a `require` without a message.
    case empty
    /// `Error(string)`.
    case error(String)
    /// `Panic(uint256)` (Solidity's checks).
    case panic(BigUInt)
    /// A custom error from the list given to `decode`.
    case custom(signature: String, values: [ABIValue])
    /// A selector none of the known errors has (or data that does not decode as it).
    case unknown(selector: [UInt8], data: [UInt8])

    /// Decodes revert data; `errors` are custom error signatures (`Name(T1,…)`) to recognise.
    public static func decode(_ data: [UInt8], errors: [String] = []) -> ABIRevert {
        guard data.count >= 4 else { return data.isEmpty ? .empty : .unknown(selector: data, data: []) }
        let sel = Array(data.prefix(4)), body = Array(data.dropFirst(4))
        if sel == [0x08, 0xc3, 0x79, 0xa0], let v = try? ABI.decode([.string], body), case .string(let s) = v[0] { return .error(s) }
        if sel == [0x4e, 0x48, 0x7b, 0x71], let v = try? ABI.decode([.uint(256)], body), case .uint(let c) = v[0] { return .panic(c) }
        for sig in errors {
            guard let (name, types) = try? ABIType.parseSignature(sig) else { continue }
            let canonical = name + ABIType.tuple(types).description
            if ABI.selector(canonical) == sel, let values = try? ABI.decode(types, body) { return .custom(signature: canonical, values: values) }
        }
        return .unknown(selector: sel, data: body)
    }

    /// What Solidity's panic codes mean.
    public static func panicMeaning(_ code: BigUInt) -> String {
        switch code {
        case 0x01: return "assertion failed"
        case 0x11: return "arithmetic overflow or underflow"
        case 0x12: return "division or modulo by zero"
        case 0x21: return "invalid enum value"
        case 0x22: return "corrupt storage byte array"
        case 0x31: return "pop on an empty array"
        case 0x32: return "array index out of bounds"
        case 0x41: return "out of memory"
        case 0x51: return "call to a zero internal function"
        default: return "panic"
        }
    }

    /// A readable form: `Error("…")`, `Panic(0x11: arithmetic overflow or underflow)`, `Name(args)`.
    public var description: String {
        switch self {
        case .empty: return "reverted without a reason"
        case .error(let s): return "Error(\"\(s)\")"
        case .panic(let c): return "Panic(0x\(String(c, radix: 16)): \(ABIRevert.panicMeaning(c)))"
        case .custom(let sig, let values):
            let name = sig.prefix(while: { $0 != "(" })
            return "\(name)(" + values.map(ABIJSON.text).joined(separator: ", ") + ")"
        case .unknown(let sel, let data): return "custom error \(Hex.encode(sel))" + (data.isEmpty ? "" : " with \(data.count) bytes of arguments")
        }
    }
}
