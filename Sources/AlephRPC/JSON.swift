/// A JSON value. Numbers keep their literal text so decimals convert to fixed point exactly;
/// objects keep member order so output is stable and readable.
public enum JSON: Sendable, Equatable {
    /// `null`
    case null
    /// `true` / `false`
    case bool(Bool)
    /// A number, as its literal text (e.g. `"27345.10"`, `"1e-3"`).
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([JSON])
    /// An object, members in order.
    case object([JSONMember])

    /// A JSON integer.
    public static func int<I: BinaryInteger>(_ v: I) -> JSON { .number(String(v)) }

    /// Looks up an object member (the last one wins on duplicates); nil for non-objects.
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    /// The string payload, if this is a string.
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    /// The array payload, if this is an array.
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a }; return nil }
    /// The members, if this is an object.
    public var objectValue: [JSONMember]? { if case .object(let o) = self { return o }; return nil }
    /// The integer value of a number without fraction or exponent.
    public var intValue: Int? { if case .number(let n) = self { return Int(n) }; return nil }
    /// The boolean payload, if this is a boolean.
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    /// The 64-bit integer value of a number without fraction or exponent.
    public var int64Value: Int64? { if case .number(let n) = self { return Int64(n) }; return nil }
    /// The number's text, if this is a number.
    public var numberText: String? { if case .number(let n) = self { return n }; return nil }

    /// The JSON type name, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// One member of a JSON object.
public struct JSONMember: Sendable, Equatable {
    /// Member name.
    public var key: String
    /// Member value.
    public var value: JSON
    /// Creates a member.
    public init(_ key: String, _ value: JSON) {
        self.key = key
        self.value = value
    }
}

/// Builds objects fluently while skipping absent optionals.
public struct JSONObjectBuilder: Sendable {
    /// Members so far.
    public private(set) var members: [JSONMember] = []
    /// An empty builder.
    public init() { members.reserveCapacity(16) }
    /// Adds a member.
    public mutating func add(_ key: String, _ value: JSON) { members.append(JSONMember(key, value)) }
    /// Adds a member only when the value is present.
    public mutating func add(_ key: String, _ value: JSON?) { if let value { members.append(JSONMember(key, value)) } }
    /// Adds a string member.
    public mutating func add(_ key: String, _ value: String) { members.append(JSONMember(key, .string(value))) }
    /// Adds a string member only when present.
    public mutating func add(_ key: String, _ value: String?) { if let value { members.append(JSONMember(key, .string(value))) } }
    /// Adds a boolean member.
    public mutating func add(_ key: String, _ value: Bool) { members.append(JSONMember(key, .bool(value))) }
    /// Adds an integer member.
    public mutating func add(_ key: String, _ value: Int64) { members.append(JSONMember(key, .int(value))) }
    /// Adds an integer member.
    public mutating func add(_ key: String, _ value: Int) { members.append(JSONMember(key, .int(value))) }
    /// The finished object.
    public var json: JSON { .object(members) }
}
