import AlephBook
import AlephCore
import AlephRPC

/// One decoded market-channel event.
public enum PolymarketMarketEvent: Sendable, Equatable {
    /// A full book of one token (replaces it).
    case book(token: String, time: Int64, bids: [BookLevel], asks: [BookLevel], tick: Fixed?)
    /// Absolute level sizes (0 removes) for one token: bids are `BUY`, asks `SELL`.
    case levels(token: String, time: Int64, bids: [BookLevel], asks: [BookLevel])
    /// A new tick size for a token.
    case tick(token: String, size: Fixed)
    /// A trade print.
    case trade(token: String, time: Int64, price: Fixed, size: Fixed, side: Side)
}

/// Decodes Polymarket market-channel frames: one object or an array of them, dispatched on
/// `event_type` (`book`, `price_change` in both the 2024 single-level and the current
/// `price_changes[]` form, `tick_size_change`, `last_trade_price`); `PONG` and events it does not
/// use decode to nothing. Prices may lack the leading zero (`.48`). Pure.
public enum PolymarketDecoder {
    /// The events of one frame.
    public static func events(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> [PolymarketMarketEvent] {
        let text = bytes.prefix(8)
        if text.elementsEqual("PONG".utf8) || text.elementsEqual("PING".utf8) { return [] }
        let json: JSON
        do { json = try JSONParser.parse(bytes) } catch { throw WireError(0, "polymarket: not JSON: \(error)") }
        var out: [PolymarketMarketEvent] = []
        for item in json.arrayValue ?? [json] { try decode(item, into: &out) }
        return out
    }

    static func decode(_ m: JSON, into out: inout [PolymarketMarketEvent]) throws(WireError) {
        let kind = m["event_type"]?.stringValue ?? (m["price_changes"] != nil ? "price_change" : "")
        let time = Int64(m["timestamp"]?.stringValue ?? m["timestamp"]?.numberText ?? "") ?? 0
        switch kind {
        case "book":
            guard let token = m["asset_id"]?.stringValue else { throw WireError(0, "polymarket book without asset_id") }
            out.append(.book(token: token, time: time, bids: try levels(m["bids"]), asks: try levels(m["asks"]),
                             tick: m["tick_size"]?.stringValue.flatMap { try? Fixed(parsing: $0) }))
        case "price_change":
            let changes = m["price_changes"]?.arrayValue ?? [m]
            var byToken: [(String, [BookLevel], [BookLevel])] = []
            for c in changes {
                guard let token = c["asset_id"]?.stringValue, let side = c["side"]?.stringValue,
                      let price = dec(c["price"]), let size = dec(c["size"]) else { throw WireError(0, "polymarket price_change entry incomplete") }
                let level = BookLevel(price: price, quantity: size)
                if let k = byToken.firstIndex(where: { $0.0 == token }) {
                    if side == "BUY" { byToken[k].1.append(level) } else { byToken[k].2.append(level) }
                } else {
                    byToken.append((token, side == "BUY" ? [level] : [], side == "BUY" ? [] : [level]))
                }
            }
            for (token, bids, asks) in byToken { out.append(.levels(token: token, time: time, bids: bids, asks: asks)) }
        case "tick_size_change":
            guard let token = m["asset_id"]?.stringValue, let size = dec(m["new_tick_size"]) else { throw WireError(0, "polymarket tick_size_change incomplete") }
            out.append(.tick(token: token, size: size))
        case "last_trade_price":
            guard let token = m["asset_id"]?.stringValue, let price = dec(m["price"]), let size = dec(m["size"]) else {
                throw WireError(0, "polymarket last_trade_price incomplete")
            }
            out.append(.trade(token: token, time: time, price: price, size: size, side: m["side"]?.stringValue == "SELL" ? .sell : .buy))
        default:
            break
        }
    }

    static func levels(_ v: JSON?) throws(WireError) -> [BookLevel] {
        var out: [BookLevel] = []
        for l in v?.arrayValue ?? [] {
            guard let p = dec(l["price"]), let s = dec(l["size"]) else { throw WireError(0, "polymarket level without price or size") }
            out.append(BookLevel(price: p, quantity: s))
        }
        return out
    }

    /// A decimal string, `.48` included.
    static func dec(_ v: JSON?) -> Fixed? {
        guard var t = v?.stringValue ?? v?.numberText, !t.isEmpty else { return nil }
        if t.hasPrefix(".") { t = "0" + t }
        return try? Fixed(parsing: t)
    }
}
