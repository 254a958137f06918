import AlephBook
import AlephCore

/// OKX v5 public: `books` and `trades` per instrument; text `ping`/`pong` heartbeat; a broken
/// `seqId` chain or checksum resubscribes the book (which brings a new snapshot).
public struct OKXAdapter: VenueAdapter {
    public let venue = "okx"
    let config: VenueConfig
    let instruments: [String: String]
    var syncs: [String: OKXBookSync] = [:]

    /// Creates the adapter.
    public init(config: VenueConfig, instruments: [String: String]) {
        self.config = config
        self.instruments = instruments
        for (sym, id) in instruments { syncs[sym] = OKXBookSync(instrument: id) }
    }

    public var streamURL: String { config.wsURL }
    public var subscribeFrames: [String] {
        let args = config.symbols.flatMap { [#"{"channel":"books","instId":"\#($0)"}"#, #"{"channel":"trades","instId":"\#($0)"}"#] }
        return [#"{"op":"subscribe","args":[\#(args.joined(separator: ","))]}"#]
    }
    public var heartbeatFrame: String? { "ping" }
    public var allSynced: Bool { syncs.values.allSatisfy(\.synced) }

    public mutating func reset() -> [MarketEvent] { syncs.resetAll() }

    static func resubscribe(_ instId: String) -> [String] {
        [#"{"op":"unsubscribe","args":[{"channel":"books","instId":"\#(instId)"}]}"#, #"{"op":"subscribe","args":[{"channel":"books","instId":"\#(instId)"}]}"#]
    }

    public mutating func onFrame(_ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput {
        var out = AdapterOutput()
        switch try OKXDecoder.message(bytes) {
        case .books(let list):
            for b in list {
                guard var sync = syncs[b.instId] else { continue }
                let r = sync.on(b, receiveTime: receiveTime)
                if r.fold(into: &out, book: sync.book) { out.send += OKXAdapter.resubscribe(b.instId) }
                syncs[b.instId] = sync
            }
        case .trades(let list):
            for t in list {
                guard let id = instruments[t.instId] else { continue }
                out.events.append(.trade(Trade(instrument: id, tradeId: t.tradeId, price: t.price, quantity: t.size, aggressor: t.side,
                                               sequence: Int64(t.tradeId) ?? 0, exchangeTime: t.ts * 1_000_000, receiveTime: receiveTime)))
            }
        case .event(let name, let code, let message):
            if name == "error" { out.problem = "okx error \(code ?? "?"): \(message ?? "")" }
        case .pong, .other: break
        }
        return out
    }

    public mutating func onSnapshot(symbol: String, _ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput { AdapterOutput() }
    public func snapshotURL(symbol: String) -> String? { nil }
}
