/// An event: its topic 0 and how to decode a log's topics (indexed parameters) and data (the rest).
public struct ABIEvent: Sendable, Equatable {
    /// Canonical signature `Name(T1,…)`.
    public let signature: String
    /// Parameter types in declaration order.
    public let types: [ABIType]
    /// Which parameters are indexed.
    public let indexed: [Bool]
    /// keccak256 of the signature.
    public let topic0: [UInt8]

    /// An event from a signature and the positions of its indexed parameters.
    public init(_ signature: String, indexed: [Bool]) throws(ABIError) {
        let (name, types) = try ABIType.parseSignature(signature)
        guard indexed.count == types.count else { throw ABIError("\(signature): \(types.count) parameters, \(indexed.count) indexed flags") }
        guard indexed.filter({ $0 }).count <= 3 else { throw ABIError("\(signature): at most 3 indexed parameters") }
        self.types = types
        self.indexed = indexed
        self.signature = name + ABIType.tuple(types).description
        topic0 = ABI.topic(self.signature)
    }

    /// The parameters of a log of this event, in declaration order. An indexed dynamic value
    /// (string, bytes, array, tuple) is only its keccak256 in the log: it comes back as `bytes32`.
    public func decode(topics: [[UInt8]], data: [UInt8]) throws(ABIError) -> [ABIValue] {
        guard topics.first == topic0 else { throw ABIError("the log is not a \(signature)") }
        let indexedTypes = zip(types, indexed).filter { $0.1 }.map(\.0)
        guard topics.count == indexedTypes.count + 1 else { throw ABIError("\(signature): \(topics.count - 1) topics for \(indexedTypes.count) indexed parameters") }
        let plain = try ABI.decode(zip(types, indexed).filter { !$0.1 }.map(\.0), data)
        var out: [ABIValue] = [], t = 1, d = 0
        for (type, isIndexed) in zip(types, indexed) {
            if isIndexed {
                guard topics[t].count == 32 else { throw ABIError("\(signature): topic \(t) is not 32 bytes") }
                out.append(type.isDynamic || { if case .tuple = type { return true }; if case .fixedArray = type { return true }; return false }()
                           ? .fixedBytes(topics[t]) : try ABI.decode([type], topics[t])[0])
                t += 1
            } else {
                out.append(plain[d])
                d += 1
            }
        }
        return out
    }
}
