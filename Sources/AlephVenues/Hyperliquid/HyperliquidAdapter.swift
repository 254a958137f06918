import AlephBook
import AlephCore

/// Hyperliquid public data over one socket: `l2Book` (full images) and `trades` per coin, and
/// `activeAssetCtx` (mark, oracle, funding) per perp; `{"method":"ping"}` heartbeat. Nothing to
/// resubscribe after a bad image: the next push replaces it.
public struct HyperliquidAdapter: VenueAdapter {
    public let venue = "hyperliquid"
    let url: String
    /// Wire coin → instrument id.
    let instruments: [String: String]
    /// Wire coins that are perps (they have an asset context).
    let perps: Set<String>
    var syncs: [String: HyperliquidBookSync] = [:]

    /// Creates the adapter for wire coins (`BTC`, `PURR/USDC`, `@107`) and their instrument ids.
    public init(url: String, instruments: [String: String], perps: Set<String>) {
        self.url = url
        self.instruments = instruments
        self.perps = perps
        for (coin, id) in instruments { syncs[coin] = HyperliquidBookSync(instrument: id) }
    }

    public var streamURL: String { url }
    public var subscribeFrames: [String] {
        instruments.keys.sorted().flatMap { coin -> [String] in
            let c = HyperliquidAdapter.quoted(coin)
            var frames = [#"{"method":"subscribe","subscription":{"type":"l2Book","coin":\#(c)}}"#,
                          #"{"method":"subscribe","subscription":{"type":"trades","coin":\#(c)}}"#]
            if perps.contains(coin) { frames.append(#"{"method":"subscribe","subscription":{"type":"activeAssetCtx","coin":\#(c)}}"#) }
            return frames
        }
    }
    public var heartbeatFrame: String? { #"{"method":"ping"}"# }
    public var allSynced: Bool { syncs.values.allSatisfy(\.synced) }

    public mutating func reset() -> [MarketEvent] { syncs.resetAll() }

    static func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }

    public mutating func onFrame(_ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput {
        var out = AdapterOutput()
        switch try HyperliquidDecoder.message(bytes) {
        case .book(let coin, let time, let bids, let asks):
            guard var sync = syncs[coin] else { return out }
            _ = sync.on(time: time, bids: bids, asks: asks, receiveTime: receiveTime).fold(into: &out, book: sync.book)
            syncs[coin] = sync
        case .trades(let list):
            for t in list {
                guard let id = instruments[t.coin] else { continue }
                out.events.append(.trade(Trade(instrument: id, tradeId: String(t.tid), price: t.price, quantity: t.size, aggressor: t.side,
                                               sequence: 0, exchangeTime: t.time * 1_000_000, receiveTime: receiveTime)))
            }
        case .context(let c):
            guard let id = instruments[c.coin] else { return out }
            out.events.append(.context(InstrumentContext(instrument: id, markPrice: c.mark, indexPrice: c.oracle, fundingRate: c.funding,
                                                         openInterest: c.openInterest, receiveTime: receiveTime)))
        case .error(let text):
            out.problem = "hyperliquid error: \(text)"
        case .pong, .subscribed, .other: break
        }
        return out
    }

    public mutating func onSnapshot(symbol: String, _ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput { AdapterOutput() }
    public func snapshotURL(symbol: String) -> String? { nil }
}
