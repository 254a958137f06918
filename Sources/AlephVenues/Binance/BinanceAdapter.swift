import AlephBook
import AlephCore

/// Binance spot: combined `<symbol>@depth@100ms` and `<symbol>@trade` streams; books synced from
/// the REST snapshot by the official procedure. Server pings are answered by the socket layer.
public struct BinanceAdapter: VenueAdapter {
    public let venue = "binance"
    let config: VenueConfig
    let instruments: [String: String]   // symbol → instrument id
    var syncs: [String: BinanceBookSync] = [:]
    var scratch = BinanceDepth()

    /// Creates the adapter for symbols mapped to instrument ids.
    public init(config: VenueConfig, instruments: [String: String]) {
        self.config = config
        self.instruments = instruments
        for (sym, id) in instruments { syncs[sym] = BinanceBookSync(instrument: id) }
    }

    public var streamURL: String {
        let streams = config.symbols.flatMap { ["\($0.lowercased())@depth@100ms", "\($0.lowercased())@trade"] }.joined(separator: "/")
        return "\(config.wsURL)/stream?streams=\(streams)"
    }
    public var subscribeFrames: [String] { [] }
    public var heartbeatFrame: String? { nil }
    public var allSynced: Bool { syncs.values.allSatisfy(\.synced) }

    public mutating func reset() -> [MarketEvent] { syncs.resetAll() }

    public mutating func onFrame(_ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput {
        var out = AdapterOutput()
        // Depth events are the bulk of the stream: one pass into reused arrays. Anything else
        // (trades, acks, shutdown notices) is decoded by the general path.
        var ticker = false
        if try BinanceDecoder.depth(bytes, into: &scratch, ticker: &ticker) {
            onDepth(scratch, receiveTime: receiveTime, into: &out)
            return out
        }
        // A `bookTicker` (recorded captures carry them) has nothing the books need.
        if ticker { return out }
        switch try BinanceDecoder.message(bytes) {
        case .depth(let d): onDepth(d, receiveTime: receiveTime, into: &out)
        case .trade(let t):
            guard let id = instruments[t.symbol] else { return out }
            out.events.append(.trade(Trade(instrument: id, tradeId: String(t.tradeId), price: t.price, quantity: t.quantity,
                                           aggressor: t.buyerIsMaker ? .sell : .buy, sequence: t.tradeId, exchangeTime: t.tradeTime * 1_000_000,
                                           receiveTime: receiveTime)))
        case .serverShutdown: out.reconnect = "serverShutdown"
        case .error(let m): out.problem = m
        case .ack, .other: break
        }
        return out
    }

    private mutating func onDepth(_ d: BinanceDepth, receiveTime: Int64, into out: inout AdapterOutput) {
        guard syncs[d.symbol] != nil else { return }
        let before = syncs[d.symbol]!.bufferedCount
        let r = syncs[d.symbol]!.onDepth(d, receiveTime: receiveTime)
        if r == .buffered && before == 0 { out.snapshotsNeeded.append(d.symbol) }
        if r == .applied {
            // This event's levels alone: the engine's copy follows without a copy of the whole book.
            let b = syncs[d.symbol]!.book
            out.events.append(.levels(BookUpdate(instrument: b.instrument, bids: d.bids, asks: d.asks, sequence: b.sequence,
                                                 exchangeTime: b.exchangeTime, receiveTime: b.receiveTime)))
            return
        }
        if r.fold(into: &out, book: syncs[d.symbol]!.book) { out.snapshotsNeeded.append(d.symbol) }
    }

    public mutating func onSnapshot(symbol: String, _ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput {
        var out = AdapterOutput()
        guard var sync = syncs[symbol] else { return out }
        let snap = try BinanceDecoder.snapshot(bytes)
        let r = sync.onSnapshot(snap, receiveTime: receiveTime)
        if r == .snapshotTooOld { out.snapshotsNeeded.append(symbol) }
        if r.fold(into: &out, book: sync.book) { out.snapshotsNeeded.append(symbol) }
        syncs[symbol] = sync
        return out
    }

    public func snapshotURL(symbol: String) -> String? {
        "\(config.restURL)/api/v3/depth?symbol=\(symbol)&limit=\(config.snapshotLimit)"
    }
}
