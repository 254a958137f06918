import AlephCore

/// Typed, strict access to by-name params; every failure is a -32602 naming the field.
public struct Params: Sendable {
    private let members: [JSONMember]
    private let allowed: Set<String>

    /// Wraps `params` (absent means `{}`); rejects arrays and members not in `allowed`.
    public init(_ params: JSON?, allowed: Set<String>) throws(RPCError) {
        self.allowed = allowed
        switch params {
        case nil: members = []
        case .object(let m)?: members = m
        case .array?: throw RPCError.invalidParams(field: "params", reason: "params must be an object with named fields, not an array")
        default: throw RPCError.invalidParams(field: "params", reason: "params must be an object")
        }
        for m in members where !allowed.contains(m.key) {
            throw RPCError.invalidParams(field: m.key, reason: "unknown field; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    /// The raw value of a field, if present (a JSON null counts as absent).
    public func raw(_ key: String) -> JSON? {
        guard let v = members.last(where: { $0.key == key })?.value, v != .null else { return nil }
        return v
    }

    /// True when the field is present and not null.
    public func has(_ key: String) -> Bool { raw(key) != nil }

    /// A required string.
    public func string(_ key: String, maxLength: Int = 4096) throws(RPCError) -> String {
        guard let v = try optionalString(key, maxLength: maxLength) else { throw RPCError.invalidParams(field: key, reason: "required") }
        return v
    }

    /// An optional string (non-empty, at most `maxLength` bytes).
    public func optionalString(_ key: String, maxLength: Int = 4096) throws(RPCError) -> String? {
        guard let v = raw(key) else { return nil }
        guard case .string(let s) = v else { throw RPCError.invalidParams(field: key, reason: "must be a string, got \(v.typeName)") }
        if s.isEmpty { throw RPCError.invalidParams(field: key, reason: "must not be empty") }
        if s.utf8.count > maxLength { throw RPCError.invalidParams(field: key, reason: "longer than \(maxLength) bytes") }
        return s
    }

    /// An optional boolean.
    public func bool(_ key: String, default def: Bool) throws(RPCError) -> Bool {
        guard let v = raw(key) else { return def }
        guard case .bool(let b) = v else { throw RPCError.invalidParams(field: key, reason: "must be true or false, got \(v.typeName)") }
        return b
    }

    /// An optional integer within a range.
    public func int(_ key: String, default def: Int, range: ClosedRange<Int>) throws(RPCError) -> Int {
        guard let v = raw(key) else { return def }
        guard case .number(let text) = v else {
            throw RPCError.invalidParams(field: key, reason: "must be an integer, got \(v.typeName)")
        }
        guard let n = Int(text) else {
            // A whole number too large for Int is out of range, not "non-integer".
            let whole = !text.isEmpty && text.drop(while: { $0 == "-" }).allSatisfy(\.isNumber)
            throw RPCError.invalidParams(field: key, reason: whole ? "must be between \(range.lowerBound) and \(range.upperBound)"
                                                                   : "must be an integer, got a non-integer number")
        }
        guard range.contains(n) else { throw RPCError.invalidParams(field: key, reason: "must be between \(range.lowerBound) and \(range.upperBound)") }
        return n
    }

    /// An optional decimal given as a string or a number, parsed exactly to fixed point.
    public func decimal(_ key: String) throws(RPCError) -> Fixed? {
        guard let v = raw(key) else { return nil }
        let text: String
        switch v {
        case .string(let s): text = s
        case .number(let n): text = n
        default: throw RPCError.invalidParams(field: key, reason: "must be a decimal string or number, got \(v.typeName)")
        }
        do { return try Fixed(parsing: text) } catch {
            throw RPCError.invalidParams(field: key, reason: "'\(text)' is \(error.description)")
        }
    }

    /// An optional enum value given by its raw string.
    public func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(RPCError) -> E? where E.RawValue == String {
        guard let v = raw(key) else { return nil }
        guard case .string(let s) = v else { throw RPCError.invalidParams(field: key, reason: "must be a string, got \(v.typeName)") }
        guard let e = E(rawValue: s) else {
            throw RPCError.invalidParams(field: key, reason: "'\(s)' is not one of: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }
}
