import AlephRPC

/// EIP-712 typed data in the `eth_signTypedData_v4` JSON form: `types`, `primaryType`, `domain`,
/// `message`. Supports nested structs, arrays (dynamic and fixed) of anything, `bytes`, `string`,
/// `bytesN`, `uintN`/`intN` (JSON numbers or decimal/hex strings, negatives for intN), `address`, `bool`.
public struct TypedData: Sendable {
    /// One struct member.
    public struct Field: Sendable, Equatable {
        /// Member name.
        public var name: String
        /// Solidity type.
        public var type: String
        /// Creates a field.
        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    /// Struct definitions by name.
    public let types: [String: [Field]]
    /// The message's struct type.
    public let primaryType: String
    /// The domain object.
    public let domain: JSON
    /// The message object.
    public let message: JSON

    /// Canonical domain fields, in order, with their types.
    static let domainFields: [(String, String)] = [("name", "string"), ("version", "string"), ("chainId", "uint256"),
                                                     ("verifyingContract", "address"), ("salt", "bytes32")]

    /// Reads the JSON document.
    public init(json: JSON) throws(CryptoError) {
        guard case .object? = json["types"] ?? nil, let typesJSON = json["types"]?.objectValue else {
            throw .invalidField(field: "types", reason: "required: an object of struct definitions")
        }
        var t: [String: [Field]] = [:]
        for m in typesJSON {
            guard let list = m.value.arrayValue else { throw .invalidField(field: "types.\(m.key)", reason: "must be an array of {name, type}") }
            t[m.key] = try list.enumerated().map { (i, f) throws(CryptoError) -> Field in
                guard let n = f["name"]?.stringValue, let ty = f["type"]?.stringValue else {
                    throw .invalidField(field: "types.\(m.key)[\(i)]", reason: "needs string name and type")
                }
                return Field(name: n, type: ty)
            }
        }
        guard let p = json["primaryType"]?.stringValue else { throw .invalidField(field: "primaryType", reason: "required string") }
        guard t[p] != nil else { throw .invalidField(field: "primaryType", reason: "'\(p)' is not defined in types") }
        if t["EIP712Domain"] == nil {
            // Derive the domain type from the fields present, in canonical order.
            let present = json["domain"]?.objectValue?.map(\.key) ?? []
            t["EIP712Domain"] = TypedData.domainFields.filter { present.contains($0.0) }.map { Field(name: $0.0, type: $0.1) }
        }
        types = t
        primaryType = p
        domain = json["domain"] ?? .object([])
        message = json["message"] ?? .object([])
    }

    /// `Name(type name,…)` followed by every referenced struct type, sorted by name.
    public func encodeType(_ name: String) throws(CryptoError) -> String {
        var deps = Set<String>()
        try collect(name, into: &deps)
        deps.remove(name)
        return try ([name] + deps.sorted()).map { n throws(CryptoError) -> String in
            guard let fields = types[n] else { throw .invalidField(field: "types", reason: "'\(n)' is not defined") }
            return n + "(" + fields.map { "\($0.type) \($0.name)" }.joined(separator: ",") + ")"
        }.joined()
    }

    private func collect(_ name: String, into deps: inout Set<String>) throws(CryptoError) {
        guard !deps.contains(name), let fields = types[name] else { return }
        deps.insert(name)
        for f in fields {
            let base = TypedData.baseType(f.type)
            if types[base] != nil { try collect(base, into: &deps) }
        }
    }

    /// A type with every array suffix removed (`Person[][3]` → `Person`).
    static func baseType(_ t: String) -> String {
        t.firstIndex(of: "[").map { String(t[..<$0]) } ?? t
    }

    /// keccak256(encodeType(name)).
    public func typeHash(_ name: String) throws(CryptoError) -> [UInt8] { Keccak256.hash(try encodeType(name)) }

    /// keccak256(typeHash ‖ encodeData(value)).
    public func hashStruct(_ name: String, _ value: JSON, path: String) throws(CryptoError) -> [UInt8] {
        guard let fields = types[name] else { throw .invalidField(field: path, reason: "unknown type '\(name)'") }
        guard case .object = value else { throw .invalidField(field: path, reason: "\(name) must be an object") }
        var enc = try typeHash(name)
        for f in fields {
            enc += try encodeValue(f.type, value[f.name] ?? .null, path: path.isEmpty ? f.name : "\(path).\(f.name)")
        }
        return Keccak256.hash(enc)
    }

    /// The domain separator.
    public func domainSeparator() throws(CryptoError) -> [UInt8] { try hashStruct("EIP712Domain", domain, path: "domain") }

    /// hashStruct of the message.
    public func messageHash() throws(CryptoError) -> [UInt8] { try hashStruct(primaryType, message, path: "message") }

    /// keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message)): the digest to sign.
    public func digest() throws(CryptoError) -> [UInt8] {
        Keccak256.hash([0x19, 0x01] + (try domainSeparator()) + (try messageHash()))
    }

    /// One 32-byte word for a value of a type.
    func encodeValue(_ type: String, _ v: JSON, path: String) throws(CryptoError) -> [UInt8] {
        if type.hasSuffix("]"), let open = type.lastIndex(of: "[") {
            let element = String(type[..<open])
            let sizeText = type[type.index(after: open)..<type.index(before: type.endIndex)]
            guard let items = v.arrayValue else { throw .invalidField(field: path, reason: "\(type) needs an array, got \(v.typeName)") }
            if !sizeText.isEmpty {
                guard let n = Int(sizeText), n == items.count else { throw .invalidField(field: path, reason: "\(type) needs exactly \(sizeText) items, got \(items.count)") }
            }
            var concat: [UInt8] = []
            for (i, item) in items.enumerated() { concat += try encodeValue(element, item, path: "\(path)[\(i)]") }
            return Keccak256.hash(concat)
        }
        if types[type] != nil { return try hashStruct(type, v, path: path) }
        switch type {
        case "string":
            guard let s = v.stringValue else { throw .invalidField(field: path, reason: "string needs a string, got \(v.typeName)") }
            return Keccak256.hash(s)
        case "bytes":
            guard let s = v.stringValue else { throw .invalidField(field: path, reason: "bytes needs a 0x hex string") }
            return Keccak256.hash(try Hex.decode(s))
        case "bool":
            switch v {
            case .bool(let b): return word(b ? [1] : [])
            case .number("0"), .string("false"): return word([])
            case .number("1"), .string("true"): return word([1])
            default: throw .invalidField(field: path, reason: "bool needs true or false")
            }
        case "address":
            guard let s = v.stringValue else { throw .invalidField(field: path, reason: "address needs a 0x string") }
            return word(try EthereumAddress.parse(s, field: path))
        default:
            if type.hasPrefix("bytes"), let n = Int(type.dropFirst(5)), (1...32).contains(n) {
                guard let s = v.stringValue else { throw .invalidField(field: path, reason: "\(type) needs a 0x hex string") }
                let b = try Hex.decode(s)
                guard b.count <= n else { throw .invalidLength(field: path, expected: n, got: b.count) }
                return b + [UInt8](repeating: 0, count: 32 - b.count)
            }
            if type.hasPrefix("uint") || type.hasPrefix("int") {
                let signed = type.hasPrefix("int")
                let bitsText = type.dropFirst(signed ? 3 : 4)
                let bits = bitsText.isEmpty ? 256 : Int(bitsText) ?? 0
                guard bits % 8 == 0, (8...256).contains(bits) else { throw .invalidField(field: path, reason: "unsupported type \(type)") }
                return try integerWord(v, bits: bits, signed: signed, path: path)
            }
            throw .invalidField(field: path, reason: "unsupported type \(type)")
        }
    }

    func word(_ b: [UInt8]) -> [UInt8] { [UInt8](repeating: 0, count: 32 - b.count) + b }

    /// uintN/intN as a 32-byte two's-complement word, range-checked.
    func integerWord(_ v: JSON, bits: Int, signed: Bool, path: String) throws(CryptoError) -> [UInt8] {
        var text: String
        switch v {
        case .number(let n): text = n
        case .string(let s): text = s
        default: throw .invalidField(field: path, reason: "integer needs a number or a decimal/hex string")
        }
        if text.contains(".") || text.contains("e") || text.contains("E") {
            if !(text.hasPrefix("0x") || text.hasPrefix("0X")) { throw .invalidNumber(field: path, reason: "'\(text)' is not an integer") }
        }
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        if negative && !signed { throw .invalidNumber(field: path, reason: "uint\(bits) cannot be negative") }
        let mag = try BigEndian.parse(text, field: path)
        // Range: uint → < 2^bits; int → -2^(bits-1) ≤ x < 2^(bits-1).
        let limitBits = signed ? bits - 1 : bits
        let bitLength = mag.isEmpty ? 0 : (mag.count - 1) * 8 + (8 - mag[0].leadingZeroBitCount)
        let isMinNegative = negative && bitLength == limitBits + 1 && mag.dropFirst().allSatisfy { $0 == 0 } && mag[0].nonzeroBitCount == 1
        guard bitLength <= limitBits || isMinNegative else { throw .invalidNumber(field: path, reason: "'\(v)' does not fit in \(signed ? "int" : "uint")\(bits)") }
        var w = word(mag)
        if negative && !mag.isEmpty {
            // Two's complement over 256 bits.
            for i in 0..<32 { w[i] = ~w[i] }
            var i = 31
            while i >= 0 { w[i] &+= 1; if w[i] != 0 { break }; i -= 1 }
        }
        return w
    }
}
