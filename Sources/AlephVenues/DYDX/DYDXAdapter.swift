import AlephBook
import AlephCore
import AlephRPC

/// dYdX v4 Indexer WebSocket: `v4_orderbook` (a snapshot in `subscribed`, then absolute level
/// sizes in `channel_data`/`channel_batch_data`, `"0"` removes) and `v4_trades` per market,
/// `{"type":"ping"}` heartbeat. The feed has no sequence numbers: the connection's `message_id`
/// orders updates, and a crossed book is resubscribed (a fresh snapshot), never patched.
public struct DYDXAdapter: VenueAdapter {
    public let venue = "dydx"
    let url: String
    /// Ticker → instrument id.
    let instruments: [String: String]
    var books: [String: OrderBook] = [:]
    var synced: Set<String> = []

    /// Creates the adapter for tickers (`BTC-USD`) and their instrument ids.
    public init(url: String, instruments: [String: String]) {
        self.url = url
        self.instruments = instruments
        for (t, id) in instruments { books[t] = OrderBook(instrument: id) }
    }

    public var streamURL: String { url }
    public var subscribeFrames: [String] { instruments.keys.sorted().flatMap { DYDXAdapter.subscribe($0) } }
    public var heartbeatFrame: String? { #"{"type":"ping"}"# }
    public var allSynced: Bool { synced.count == instruments.count }

    static func subscribe(_ ticker: String) -> [String] {
        let t = JSONWriter.string(.string(ticker))
        return [#"{"type":"subscribe","channel":"v4_orderbook","id":\#(t)}"#, #"{"type":"subscribe","channel":"v4_trades","id":\#(t)}"#]
    }

    public mutating func reset() -> [MarketEvent] {
        synced.removeAll()
        var out: [MarketEvent] = []
        for (t, var b) in books {
            b.invalidate()
            books[t] = b
            out.append(.book(b))
        }
        return out
    }

    /// A level list: `[{"price","size"}]` (snapshots) or `[["price","size"]]` (updates).
    static func levels(_ j: JSON?) throws(WireError) -> [BookLevel] {
        var out: [BookLevel] = []
        for l in j?.arrayValue ?? [] {
            let p: String?, s: String?
            if let pair = l.arrayValue, pair.count >= 2 { p = pair[0].stringValue; s = pair[1].stringValue } else { p = l["price"]?.stringValue; s = l["size"]?.stringValue }
            guard let p, let s, let price = try? Fixed(parsing: p), let size = try? Fixed(parsing: s), price.isPositive, !size.isNegative else {
                throw WireError(0, "dydx: bad book level \(JSONWriter.string(l))")
            }
            out.append(BookLevel(price: price, quantity: size))
        }
        return out
    }

    public mutating func onFrame(_ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput {
        var out = AdapterOutput()
        let m: JSON
        do { m = try JSONParser.parse(Array(bytes)) } catch { throw WireError(0, "dydx: not JSON") }
        let type = m["type"]?.stringValue ?? ""
        let channel = m["channel"]?.stringValue ?? ""
        let ticker = m["id"]?.stringValue ?? ""
        let seq = m["message_id"]?.int64Value ?? 0
        switch (type, channel) {
        case ("error", _):
            out.problem = "dydx error: \(m["message"]?.stringValue ?? "?")"
        case ("subscribed", "v4_orderbook"):
            guard var b = books[ticker], let c = m["contents"] else { return out }
            do {
                try b.applySnapshot(bids: try DYDXAdapter.levels(c["bids"]), asks: try DYDXAdapter.levels(c["asks"]), sequence: seq, exchangeTime: receiveTime,
                                    receiveTime: receiveTime)
                synced.insert(ticker)
            } catch let e as WireError { throw e } catch {
                out.problem = "dydx \(ticker) snapshot: \(error)"
                synced.remove(ticker)
            }
            books[ticker] = b
            out.events.append(.book(b))
        case ("channel_data", "v4_orderbook"), ("channel_batch_data", "v4_orderbook"):
            guard books[ticker] != nil, synced.contains(ticker) else { return out }
            let updates = type == "channel_batch_data" ? (m["contents"]?.arrayValue ?? []) : [m["contents"] ?? .null]
            for c in updates {
                let bids = try DYDXAdapter.levels(c["bids"]), asks = try DYDXAdapter.levels(c["asks"])
                do {
                    try books[ticker]!.applyUpdate(bids: bids, asks: asks, sequence: seq, exchangeTime: receiveTime, receiveTime: receiveTime)
                    out.events.append(.levels(BookUpdate(instrument: books[ticker]!.instrument, bids: bids, asks: asks, sequence: seq,
                                                         exchangeTime: receiveTime, receiveTime: receiveTime)))
                } catch {
                    // Crossed (the Indexer's optimistic view of short-term orders): start over from a fresh snapshot.
                    synced.remove(ticker)
                    books[ticker]!.invalidate()
                    out.events.append(.book(books[ticker]!))
                    out.gaps += 1
                    out.resyncs += 1
                    out.problem = "dydx \(ticker): \(error); resubscribing"
                    let t = JSONWriter.string(.string(ticker))
                    out.send += [#"{"type":"unsubscribe","channel":"v4_orderbook","id":\#(t)}"#, #"{"type":"subscribe","channel":"v4_orderbook","id":\#(t)}"#]
                    return out
                }
            }
        case ("channel_data", "v4_trades"), ("channel_batch_data", "v4_trades"):
            guard let id = instruments[ticker] else { return out }
            let batches = type == "channel_batch_data" ? (m["contents"]?.arrayValue ?? []) : [m["contents"] ?? .null]
            for c in batches {
                for t in c["trades"]?.arrayValue ?? [] {
                    guard let p = t["price"]?.stringValue.flatMap({ try? Fixed(parsing: $0) }), let s = t["size"]?.stringValue.flatMap({ try? Fixed(parsing: $0) }),
                          p.isPositive, s.isPositive else { throw WireError(0, "dydx: bad trade \(JSONWriter.string(t))") }
                    let side: Side = t["side"]?.stringValue == "SELL" ? .sell : .buy
                    out.events.append(.trade(Trade(instrument: id, tradeId: t["id"]?.stringValue ?? "", price: p, quantity: s, aggressor: side,
                                                   sequence: seq, exchangeTime: receiveTime, receiveTime: receiveTime)))
                }
            }
        default: break   // connected, pong, subscribed trades (history), unsubscribed
        }
        return out
    }

    public mutating func onSnapshot(symbol: String, _ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput { AdapterOutput() }
    public func snapshotURL(symbol: String) -> String? { nil }
}
