import AlephBook
import AlephCore

/// Polymarket's market channel on one socket: `{"assets_ids":[…],"type":"market"}` for every
/// configured outcome token, text `PING` every heartbeat; `book` snapshots, `price_change`
/// levels, `last_trade_price` prints as trades, `tick_size_change` reported to the catalog. A
/// bad book waits for the next `book` (sent on every resubscribe). Each `PONG` confirms the
/// synced books (the venue pushes every change), so a quiet market's book stays fresh while the
/// subscription lives.
public struct PolymarketAdapter: VenueAdapter {
    public let venue = "polymarket"
    let url: String
    /// Token id → instrument id.
    let instruments: [String: String]
    var syncs: [String: PolymarketBookSync] = [:]
    /// Tick sizes the venue changed since the catalog was read (token → tick).
    public private(set) var tickChanges: [String: Fixed] = [:]
    var tradeCount: Int64 = 0

    /// Creates the adapter for token ids and their instrument ids.
    public init(url: String, instruments: [String: String]) {
        self.url = url
        self.instruments = instruments
        for (token, id) in instruments { syncs[token] = PolymarketBookSync(instrument: id) }
    }

    public var streamURL: String { url }
    public var subscribeFrames: [String] {
        [#"{"assets_ids":["# + instruments.keys.sorted().map { "\"\($0)\"" }.joined(separator: ",") + #"],"type":"market"}"#]
    }
    public var heartbeatFrame: String? { "PING" }
    public var allSynced: Bool { syncs.values.allSatisfy(\.synced) }

    public mutating func reset() -> [MarketEvent] { syncs.resetAll() }

    public mutating func onFrame(_ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput {
        var out = AdapterOutput()
        if bytes.count == 4, bytes.elementsEqual("PONG".utf8) {
            // Polymarket pushes every change and has no sequence numbers: a PONG on the live
            // subscription confirms each synced book as it stands (quiet markets stay tradeable).
            for token in syncs.keys.sorted() {
                guard var sync = syncs[token], sync.confirm(receiveTime: receiveTime) else { continue }
                syncs[token] = sync
                out.events.append(.book(sync.book))
            }
            return out
        }
        for e in try PolymarketDecoder.events(bytes) {
            switch e {
            case .book(let token, let time, let bids, let asks, let tick):
                guard var sync = syncs[token] else { continue }
                _ = sync.snapshot(time: time, bids: bids, asks: asks, receiveTime: receiveTime).fold(into: &out, book: sync.book)
                syncs[token] = sync
                if let tick { noteTick(token, tick, into: &out) }
            case .levels(let token, let time, let bids, let asks):
                guard var sync = syncs[token] else { continue }
                _ = sync.levels(time: time, bids: bids, asks: asks, receiveTime: receiveTime).fold(into: &out, book: sync.book)
                syncs[token] = sync
            case .tick(let token, let size):
                noteTick(token, size, into: &out)
            case .trade(let token, let time, let price, let size, let side):
                guard let id = instruments[token] else { continue }
                tradeCount += 1
                out.events.append(.trade(Trade(instrument: id, tradeId: "\(time)-\(tradeCount)", price: price, quantity: size, aggressor: side,
                                               sequence: 0, exchangeTime: time * 1_000_000, receiveTime: receiveTime)))
            }
        }
        return out
    }

    mutating func noteTick(_ token: String, _ tick: Fixed, into out: inout AdapterOutput) {
        guard let id = instruments[token], tickChanges[token] != tick else { return }
        tickChanges[token] = tick
        out.events.append(.tickSize(instrument: id, tick: tick))
    }

    public mutating func onSnapshot(symbol: String, _ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput { AdapterOutput() }
    public func snapshotURL(symbol: String) -> String? { nil }
}
