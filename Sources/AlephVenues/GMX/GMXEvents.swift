import AlephCrypto
import BigInt

/// GMX's EventEmitter logs: `EventLog1`/`EventLog2(address msgSender, string eventName, string
/// indexed eventNameHash, bytes32 indexed topic1[, bytes32 indexed topic2], EventLogData eventData)`,
/// where `EventLogData` is seven `(items, arrayItems)` sections of `(string key, value)` pairs, read
/// by key — never by position.
public struct GMXEvent: Sendable, Equatable {
    /// `OrderCreated`, `OrderExecuted`, `PositionIncrease`, …
    public var name: String
    /// topic1 (EventLog1/2).
    public var topic1: [UInt8]
    /// topic2 (EventLog2 only).
    public var topic2: [UInt8]?
    /// Values by key, per section.
    public var addresses: [String: [UInt8]] = [:]
    /// uint256 items.
    public var uints: [String: BigUInt] = [:]
    /// bool items.
    public var bools: [String: Bool] = [:]
    /// bytes32 items.
    public var bytes32s: [String: [UInt8]] = [:]
    /// bytes items.
    public var bytes: [String: [UInt8]] = [:]
    /// string items.
    public var strings: [String: String] = [:]

    static let dataType = "(((string,address)[],(string,address[])[]),((string,uint256)[],(string,uint256[])[]),((string,int256)[],(string,int256[])[]),((string,bool)[],(string,bool[])[]),((string,bytes32)[],(string,bytes32[])[]),((string,bytes)[],(string,bytes[])[]),((string,string)[],(string,string[])[]))"
    /// topic0 of `EventLog1`.
    public static let eventLog1 = ABI.topic("EventLog1(address,string,string,bytes32,\(dataType))")
    /// topic0 of `EventLog2`.
    public static let eventLog2 = ABI.topic("EventLog2(address,string,string,bytes32,bytes32,\(dataType))")
    /// keccak256 of an event name (the indexed `eventNameHash`).
    public static func nameHash(_ name: String) -> [UInt8] { Keccak256.hash(Array(name.utf8)) }

    /// Decodes a log of the EventEmitter; nil for any other log.
    public static func decode(_ log: EVMLog) -> GMXEvent? {
        guard let t0 = log.topics.first, (t0 == eventLog1 && log.topics.count == 3) || (t0 == eventLog2 && log.topics.count == 4),
              let types = try? [ABIType.address, .string, ABIType.parse(dataType)] as [ABIType],
              let v = try? ABI.decode(types, log.data), case .string(let name) = v[1], nameHash(name) == log.topics[1],
              case .tuple(let sections) = v[2], sections.count == 7 else { return nil }
        var e = GMXEvent(name: name, topic1: log.topics[2], topic2: log.topics.count == 4 ? log.topics[3] : nil)
        func items(_ k: Int) -> [(String, ABIValue)] {
            guard case .tuple(let s) = sections[k], case .array(let list) = s[0] else { return [] }
            return list.compactMap { item in
                guard case .tuple(let kv) = item, kv.count == 2, case .string(let key) = kv[0] else { return nil }
                return (key, kv[1])
            }
        }
        for (k, v) in items(0) { if case .address(let a) = v { e.addresses[k] = a } }
        for (k, v) in items(1) { if case .uint(let n) = v { e.uints[k] = n } }
        for (k, v) in items(3) { if case .bool(let b) = v { e.bools[k] = b } }
        for (k, v) in items(4) { if case .fixedBytes(let b) = v { e.bytes32s[k] = b } }
        for (k, v) in items(5) { if case .bytes(let b) = v { e.bytes[k] = b } }
        for (k, v) in items(6) { if case .string(let s) = v { e.strings[k] = s } }
        return e
    }

    /// GMX custom errors the executor explains (selectors from Errors.sol).
    public static let errors = [
        "OrderNotFulfillableAtAcceptablePrice(uint256,uint256)", "InsufficientExecutionFee(uint256,uint256)",
        "InsufficientWntAmountForExecutionFee(uint256,uint256)", "EmptyOrder()", "Unauthorized(address,string)", "OrderTypeCannotBeCreated(uint256)",
        "UnexpectedValidFromTime(uint256)", "RequestNotYetCancellable(uint256,uint256,string)", "InvalidOrderPrices(uint256,uint256,uint256,uint256)",
        "MaxOpenInterestExceeded(uint256,uint256)", "InsufficientReserve(uint256,uint256)", "MinPositionSize(uint256,uint256)",
        "InsufficientCollateralUsd(int256)", "DisabledMarket(address)", "DisabledFeature(bytes32)",
    ]
}
