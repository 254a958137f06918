import AlephBook
import AlephCore

/// Bybit v5 public (spot or linear): `orderbook.{depth}.{symbol}` and `publicTrade.{symbol}`;
/// JSON ping heartbeat; a gap resubscribes the book (which brings a new snapshot).
public struct BybitAdapter: VenueAdapter {
    public let venue = "bybit"
    let config: VenueConfig
    let instruments: [String: String]
    let depth: Int
    var syncs: [String: BybitBookSync] = [:]

    /// Creates the adapter (`depth`: 1, 50, 200 or 500 levels).
    public init(config: VenueConfig, instruments: [String: String], depth: Int = 50) {
        self.config = config
        self.instruments = instruments
        self.depth = depth
        for (sym, id) in instruments { syncs[sym] = BybitBookSync(instrument: id) }
    }

    public var streamURL: String { config.wsURL }
    public var subscribeFrames: [String] {
        let topics = config.symbols.flatMap { [#""orderbook.\#(depth).\#($0)""#, #""publicTrade.\#($0)""#] }
        return [#"{"op":"subscribe","args":[\#(topics.joined(separator: ","))]}"#]
    }
    public var heartbeatFrame: String? { #"{"op":"ping"}"# }
    public var allSynced: Bool { syncs.values.allSatisfy(\.synced) }

    public mutating func reset() -> [MarketEvent] { syncs.resetAll() }

    func resubscribe(_ symbol: String) -> [String] {
        [#"{"op":"unsubscribe","args":["orderbook.\#(depth).\#(symbol)"]}"#, #"{"op":"subscribe","args":["orderbook.\#(depth).\#(symbol)"]}"#]
    }

    public mutating func onFrame(_ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput {
        var out = AdapterOutput()
        switch try BybitDecoder.message(bytes) {
        case .book(let b):
            guard var sync = syncs[b.symbol] else { return out }
            let r = sync.on(b, receiveTime: receiveTime)
            let resub = resubscribe(b.symbol)
            if r.fold(into: &out, book: sync.book) { out.send += resub }
            syncs[b.symbol] = sync
        case .trades(let list):
            for t in list {
                guard let id = instruments[t.symbol] else { continue }
                out.events.append(.trade(Trade(instrument: id, tradeId: t.tradeId, price: t.price, quantity: t.size, aggressor: t.side,
                                               sequence: 0, exchangeTime: t.time * 1_000_000, receiveTime: receiveTime)))
            }
        case .op(let name, let success, let message):
            if !success { out.problem = "bybit \(name) failed: \(message ?? "")" }
        case .other: break
        }
        return out
    }

    public mutating func onSnapshot(symbol: String, _ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput { AdapterOutput() }
    public func snapshotURL(symbol: String) -> String? { nil }
}
