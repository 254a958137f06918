import AlephBook
import AlephCore
import AlephRPC

/// One public trade as Hyperliquid prints it.
public struct HyperliquidTrade: Sendable, Equatable {
    /// Coin on the wire (`BTC`, `PURR/USDC`, `@107`).
    public var coin: String
    /// Trade id (`tid`).
    public var tid: Int64
    /// Price.
    public var price: Fixed
    /// Size.
    public var size: Fixed
    /// Aggressor side (`B` buy, `A` sell).
    public var side: Side
    /// Exchange time (ms).
    public var time: Int64
}

/// A perp's context: mark, oracle, funding, open interest (`activeAssetCtx`).
public struct HyperliquidAssetContext: Sendable, Equatable {
    /// Coin.
    public var coin: String
    /// Mark price.
    public var mark: Fixed?
    /// Oracle (index) price.
    public var oracle: Fixed?
    /// Current hourly funding rate.
    public var funding: Fixed?
    /// Open interest (base units).
    public var openInterest: Fixed?
}

/// A decoded public frame.
public enum HyperliquidMessage: Sendable, Equatable {
    /// A full `l2Book` image (Hyperliquid pushes snapshots only).
    case book(coin: String, time: Int64, bids: [BookLevel], asks: [BookLevel])
    /// Trades.
    case trades([HyperliquidTrade])
    /// A perp's context.
    case context(HyperliquidAssetContext)
    /// Heartbeat answer.
    case pong
    /// A subscription acknowledged.
    case subscribed
    /// The venue's error text.
    case error(String)
    /// Anything else.
    case other
}

/// Decodes Hyperliquid public WebSocket frames (`{"channel":…,"data":…}`) into fixed point.
public enum HyperliquidDecoder {
    /// Decodes one text frame.
    public static func message(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> HyperliquidMessage {
        let j: JSON
        do { j = try JSONParser.parse(bytes) } catch { throw WireError(0, "not JSON: \(error)") }
        guard let channel = j["channel"]?.stringValue else { return .other }
        let data = j["data"]
        switch channel {
        case "l2Book":
            guard let coin = data?["coin"]?.stringValue, let levels = data?["levels"]?.arrayValue, levels.count == 2 else {
                throw WireError(0, "l2Book without coin or two sides")
            }
            let time = data?["time"]?.int64Value ?? 0
            return .book(coin: coin, time: time, bids: try side(levels[0]), asks: try side(levels[1]))
        case "trades":
            var out: [HyperliquidTrade] = []
            for t in data?.arrayValue ?? [] {
                guard let coin = t["coin"]?.stringValue, let px = dec(t["px"]), let sz = dec(t["sz"]), let s = t["side"]?.stringValue else {
                    throw WireError(0, "trade without coin, px, sz or side")
                }
                out.append(HyperliquidTrade(coin: coin, tid: t["tid"]?.int64Value ?? 0, price: px, size: sz, side: s == "B" ? .buy : .sell,
                                            time: t["time"]?.int64Value ?? 0))
            }
            return .trades(out)
        case "activeAssetCtx":
            guard let coin = data?["coin"]?.stringValue, let ctx = data?["ctx"] else { return .other }
            return .context(HyperliquidAssetContext(coin: coin, mark: dec(ctx["markPx"]), oracle: dec(ctx["oraclePx"]), funding: dec(ctx["funding"]),
                                                    openInterest: dec(ctx["openInterest"])))
        case "pong": return .pong
        case "subscriptionResponse": return .subscribed
        case "error": return .error(data?.stringValue ?? "\(data.map { JSONWriter.string($0) } ?? "")")
        default: return .other
        }
    }

    static func side(_ v: JSON) throws(WireError) -> [BookLevel] {
        guard let list = v.arrayValue else { throw WireError(0, "book side is not an array") }
        var out: [BookLevel] = []
        out.reserveCapacity(list.count)
        for l in list {
            guard let px = dec(l["px"]), let sz = dec(l["sz"]) else { throw WireError(0, "level without px or sz") }
            out.append(BookLevel(price: px, quantity: sz))
        }
        return out
    }

    /// A decimal string (or number) in fixed point.
    static func dec(_ v: JSON?) -> Fixed? {
        guard let t = v?.stringValue ?? v?.numberText else { return nil }
        return try? Fixed(parsing: t)
    }
}
