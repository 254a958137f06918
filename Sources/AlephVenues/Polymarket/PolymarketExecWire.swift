import AlephCore
import AlephRPC
import AlephVenueKit

/// One of our fills inside a Polymarket trade, with the trade's settlement status.
public struct PolymarketTradeFill: Sendable, Equatable {
    /// Our order (its id is the order hash).
    public var orderId: String
    /// The fill (`venueTradeId` = `polymarket:<trade id>:<order id>`).
    public var fill: VenueFill
    /// `MATCHED`, `MINED`, `CONFIRMED`, `RETRYING`, `FAILED`.
    public var status: String
    /// The token traded.
    public var tokenId: String
}

/// Polymarket execution messages, pure: `POST /order` answers, order objects (REST and the
/// `order` event) and trades (REST and the `trade` event), with the venue's status spellings
/// normalised (`ORDER_STATUS_LIVE`, `live`, `TRADE_STATUS_CONFIRMED` …).
public enum PolymarketExecWire {
    /// `LIVE`, `MATCHED`, … without the REST prefixes.
    public static func normalise(_ s: String?, prefix: String) -> String {
        var t = (s ?? "").uppercased()
        if t.hasPrefix(prefix) { t.removeFirst(prefix.count) }
        return t
    }

    /// The outcome a refusal means (`error` or `errorMsg` text, HTTP status).
    public static func refusal(status: Int, message: String) -> VenueRejection {
        let m = message.lowercased()
        if status == 401 || m.contains("unauthorized") || m.contains("invalid api key") || m.contains("l1 request headers") || m.contains("signature") {
            return VenueRejection(code: .venueAuth, venueCode: String(status), message: "Polymarket refused the credentials: \(message)")
        }
        if status == 429 { return VenueRejection(code: .venueRateLimited, venueCode: "429", message: "Polymarket rate limit: \(message)", retryable: true, retryAfterMs: 1000) }
        if m.contains("not enough balance") || m.contains("allowance") {
            return VenueRejection(code: .insufficientBalance, venueCode: "INSUFFICIENT_BALANCE", message: "Polymarket: \(message)")
        }
        if m.contains("crosses book") { return VenueRejection(code: .postOnlyWouldCross, venueCode: "POST_ONLY_CROSSES", message: "Polymarket: \(message)") }
        if m.contains("fok orders are fully filled or killed") { return VenueRejection(code: .venueRejected, venueCode: "FOK_NOT_FILLED", message: "Polymarket: \(message)") }
        if m.contains("no orders found to match with fak") { return VenueRejection(code: .venueRejected, venueCode: "FAK_NO_MATCH", message: "Polymarket: \(message)") }
        if m.contains("cancel-only") || m.contains("trading is currently disabled") || m.contains("not yet ready") {
            return VenueRejection(code: .venueUnavailable, venueCode: String(status), message: "Polymarket: \(message)", retryable: true)
        }
        return VenueRejection(code: .venueRejected, venueCode: String(status), message: "Polymarket refused the order: \(message)")
    }

    /// The text of an error body (`{"error":…}`, `{"errorMsg":…}`, `{"error_msg":…}`) or the body itself.
    public static func errorText(_ body: [UInt8]) -> String {
        if let j = try? JSONParser.parse(body) {
            for k in ["error", "errorMsg", "error_msg"] { if let t = j[k]?.stringValue, !t.isEmpty { return t } }
        }
        return String(decoding: body.prefix(300), as: UTF8.self)
    }

    /// An order object as a state (`size_matched` is the cumulative fill).
    public static func orderState(_ o: JSON, clientOrderId: String, now: Int64) -> VenueOrderState? {
        guard let id = o["id"]?.stringValue else { return nil }
        let st = normalise(o["status"]?.stringValue, prefix: "ORDER_STATUS_")
        let matched = PolymarketDecoder.dec(o["size_matched"]) ?? .zero
        let original = PolymarketDecoder.dec(o["original_size"])
        let status: OrderStatus?
        switch st {
        case "LIVE": status = matched.isPositive ? .partiallyFilled : .open
        case "MATCHED": status = .filled
        case "UNMATCHED", "CANCELED_ORDER_TIMED_OUT", "CANCELED_EXPIRED_ORDER": status = matched.isPositive ? .cancelled : .expired
        case let s where s.hasPrefix("CANCELED") || s == "INVALID": status = .cancelled
        default: status = nil
        }
        var s = VenueOrderState(clientOrderId: clientOrderId, venueOrderId: id, status: status, filledQuantity: matched, timestamp: now)
        s.quantity = original
        s.limitPrice = PolymarketDecoder.dec(o["price"])
        if st.hasPrefix("CANCELED_"), st != "CANCELED" { s.reason = st.lowercased() }
        return s
    }

    /// Our fills in a trade: as taker (`taker_order_id` is ours: the top-level size and price),
    /// and as maker (each `maker_orders[]` entry that is ours: its `matched_amount` at its price).
    public static func fills(_ t: JSON, isOurs: (String) -> Bool, now: Int64) -> [PolymarketTradeFill] {
        guard let tradeId = t["id"]?.stringValue else { return [] }
        let status = normalise(t["status"]?.stringValue, prefix: "TRADE_STATUS_")
        let secs = Int64(t["match_time"]?.stringValue ?? t["matchtime"]?.stringValue ?? t["timestamp"]?.stringValue ?? "") ?? 0
        let at = secs > 0 ? (secs > 10_000_000_000 ? secs * 1_000_000 : secs * 1_000_000_000) : now
        let feeBps = PolymarketDecoder.dec(t["fee_rate_bps"]) ?? .zero
        var out: [PolymarketTradeFill] = []
        func add(_ order: String, _ price: Fixed, _ size: Fixed, _ liquidity: Liquidity, _ token: String) {
            let fee = price.multiplied(by: size).multiplied(by: feeBps).divided(by: Fixed(10_000)) ?? .zero
            out.append(PolymarketTradeFill(orderId: order, fill: VenueFill(venueTradeId: "polymarket:\(tradeId):\(order)", price: price, quantity: size, fee: fee,
                                                                           liquidity: liquidity, timestamp: at, feeAsset: "USDC", venueFee: fee),
                                           status: status, tokenId: token))
        }
        if let taker = t["taker_order_id"]?.stringValue, isOurs(taker), let p = PolymarketDecoder.dec(t["price"]), let s = PolymarketDecoder.dec(t["size"]) {
            add(taker, p, s, .taker, t["asset_id"]?.stringValue ?? "")
        }
        for m in t["maker_orders"]?.arrayValue ?? [] {
            guard let id = m["order_id"]?.stringValue, isOurs(id), let p = PolymarketDecoder.dec(m["price"]),
                  let s = PolymarketDecoder.dec(m["matched_amount"]) else { continue }
            add(id, p, s, .maker, m["asset_id"]?.stringValue ?? t["asset_id"]?.stringValue ?? "")
        }
        return out
    }
}
