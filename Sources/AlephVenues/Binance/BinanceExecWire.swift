import AlephCore
import AlephRPC
import AlephVenueKit

/// Binance spot execution messages to venue states (pure: instruments and times are arguments).
public enum BinanceExecWire {
    /// Binance order status to ours.
    public static func status(_ s: String) -> OrderStatus? {
        switch s {
        case "NEW", "PENDING_NEW": return .open
        case "PARTIALLY_FILLED": return .partiallyFilled
        case "FILLED": return .filled
        case "CANCELED", "PENDING_CANCEL": return s == "CANCELED" ? .cancelled : nil
        case "REJECTED": return .rejected
        case "EXPIRED", "EXPIRED_IN_MATCH": return .expired
        default: return nil
        }
    }

    static func dec(_ v: JSON?) -> Fixed? {
        switch v {
        case .string(let s)?: return try? Fixed(parsing: s)
        case .number(let n)?: return try? Fixed(parsing: n)
        default: return nil
        }
    }

    static func text(_ v: JSON?) -> String? {
        switch v {
        case .string(let s)?: return s
        case .number(let n)?: return n
        default: return nil
        }
    }

    static func int(_ v: JSON?) -> Int64? { text(v).flatMap { Int64($0) } }

    /// The fill dedupe key: `(symbol, trade id, order id)` (a self-trade has two reports with one trade id).
    public static func tradeKey(symbol: String, tradeId: String, orderId: String) -> String { "binance:\(symbol):\(tradeId):\(orderId)" }

    /// A fee in the instrument's quote currency: as is in the quote, × price in the base, else 0
    /// (the venue's own asset and amount are kept on the fill).
    public static func quoteFee(_ amount: Fixed, asset: String?, price: Fixed, instrument: Instrument) -> Fixed {
        guard let asset else { return .zero }
        if asset == instrument.quote { return amount }
        if asset == instrument.base { return amount.multiplied(by: price) }
        return .zero
    }

    /// An order object (`POST`/`GET`/`DELETE /api/v3/order`, `openOrders`) with its `fills[]` if any.
    public static func order(_ o: JSON, instrument: Instrument, now: Int64) -> VenueOrderState? {
        guard let symbol = o["symbol"]?.stringValue, let orderId = text(o["orderId"]) else { return nil }
        // A cancel answer names the cancel request `clientOrderId`; the order's own is `origClientOrderId`.
        let cid = o["origClientOrderId"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? o["clientOrderId"]?.stringValue ?? ""
        let at = int(o["transactTime"]).map { $0 * 1_000_000 } ?? int(o["updateTime"]).map { $0 * 1_000_000 } ?? now
        var fills: [VenueFill] = []
        for f in o["fills"]?.arrayValue ?? [] {
            guard let tid = text(f["tradeId"]), let p = dec(f["price"]), let q = dec(f["qty"]) else { continue }
            let asset = f["commissionAsset"]?.stringValue
            let fee = dec(f["commission"]) ?? .zero
            fills.append(VenueFill(venueTradeId: tradeKey(symbol: symbol, tradeId: tid, orderId: orderId), price: p, quantity: q,
                                   fee: quoteFee(fee, asset: asset, price: p, instrument: instrument), liquidity: .taker, timestamp: at,
                                   feeAsset: asset, venueFee: fee))
        }
        let st = o["status"]?.stringValue.flatMap(status)
        return VenueOrderState(clientOrderId: cid, venueOrderId: orderId, status: st, filledQuantity: dec(o["executedQty"]), fills: fills,
                               reason: st == .expired ? o["expiryReason"]?.stringValue ?? "expired at the venue" : nil, timestamp: at)
    }

    /// An open order from `GET /api/v3/openOrders`.
    public static func openOrder(_ o: JSON, instrument: Instrument?, now: Int64) -> VenueOpenOrder? {
        guard let symbol = o["symbol"]?.stringValue, let inst = instrument ?? nil,
              let state = order(o, instrument: inst, now: now), let q = dec(o["origQty"]) else { return nil }
        return VenueOpenOrder(state: state, symbol: symbol, instrument: inst.id, side: o["side"]?.stringValue == "SELL" ? .sell : .buy,
                              price: dec(o["price"]), quantity: q, createdAt: int(o["time"]).map { $0 * 1_000_000 } ?? now)
    }

    /// One row of `GET /api/v3/myTrades`.
    public static func trade(_ t: JSON, instrument: Instrument) -> (venueOrderId: String, fill: VenueFill)? {
        guard let symbol = t["symbol"]?.stringValue, let tid = text(t["id"]), let oid = text(t["orderId"]),
              let p = dec(t["price"]), let q = dec(t["qty"]) else { return nil }
        let asset = t["commissionAsset"]?.stringValue
        let fee = dec(t["commission"]) ?? .zero
        let at = (int(t["time"]) ?? 0) * 1_000_000
        return (oid, VenueFill(venueTradeId: tradeKey(symbol: symbol, tradeId: tid, orderId: oid), price: p, quantity: q,
                               fee: quoteFee(fee, asset: asset, price: p, instrument: instrument),
                               liquidity: t["isMaker"]?.boolValue == true ? .maker : .taker, timestamp: at, feeAsset: asset, venueFee: fee))
    }

    /// `GET /api/v3/account` balances.
    public static func balances(_ a: JSON) -> [VenueBalance] {
        (a["balances"]?.arrayValue ?? []).compactMap { b in
            guard let asset = b["asset"]?.stringValue, let free = dec(b["free"]), let locked = dec(b["locked"]) else { return nil }
            return VenueBalance(asset: asset, free: free, locked: locked)
        }
    }

    /// An `executionReport` event (user data stream).
    public static func executionReport(_ e: JSON, instrument: Instrument) -> VenueOrderState? {
        guard let symbol = e["s"]?.stringValue, let oid = text(e["i"]) else { return nil }
        // Cancels rename the order: `c` is the cancel's id, `C` the order's own.
        let original = e["C"]?.stringValue ?? ""
        let cid = original.isEmpty ? (e["c"]?.stringValue ?? "") : original
        let at = (int(e["T"]) ?? int(e["E"]) ?? 0) * 1_000_000
        var fills: [VenueFill] = []
        if e["x"]?.stringValue == "TRADE", let tid = text(e["t"]), let q = dec(e["l"]), let p = dec(e["L"]), q.isPositive {
            let asset = e["N"]?.stringValue
            let fee = dec(e["n"]) ?? .zero
            fills.append(VenueFill(venueTradeId: tradeKey(symbol: symbol, tradeId: tid, orderId: oid), price: p, quantity: q,
                                   fee: quoteFee(fee, asset: asset, price: p, instrument: instrument),
                                   liquidity: e["m"]?.boolValue == true ? .maker : .taker, timestamp: at, feeAsset: asset, venueFee: fee))
        }
        let st = e["X"]?.stringValue.flatMap(status)
        let reason: String? = st == .expired ? (e["eR"]?.stringValue ?? "expired at the venue") : st == .rejected ? e["r"]?.stringValue : nil
        return VenueOrderState(clientOrderId: cid, venueOrderId: oid, status: st, filledQuantity: dec(e["z"]), fills: fills, reason: reason, timestamp: at)
    }

    /// An `outboundAccountPosition` event: absolute balances of the assets that changed.
    public static func accountPosition(_ e: JSON) -> [VenueBalance] {
        (e["B"]?.arrayValue ?? []).compactMap { b in
            guard let asset = b["a"]?.stringValue, let free = dec(b["f"]), let locked = dec(b["l"]) else { return nil }
            return VenueBalance(asset: asset, free: free, locked: locked)
        }
    }

    /// A Binance error body `{"code":-2010,"msg":"…"}`.
    public static func error(_ body: [UInt8]) -> (code: Int, message: String)? {
        guard let j = try? JSONParser.parse(body), let code = j["code"]?.intValue else { return nil }
        return (code, j["msg"]?.stringValue ?? "")
    }

    /// What an order-placement error means: a definite refusal, or an unknown outcome (nil).
    /// `-1007`, `-1006`, `-1000` and any 5xx mean the venue may have the order.
    public static func classify(status: Int, code: Int?, message: String, retryAfterMs: Int?) -> VenueRejection? {
        if status >= 500 { return nil }
        if status == 429 || status == 418 || code == -1003 || code == -1015 {
            return VenueRejection(code: .venueRateLimited, venueCode: code.map(String.init) ?? String(status), message: message.isEmpty ? "rate limited" : message,
                                  retryable: true, retryAfterMs: retryAfterMs ?? 1_000)
        }
        guard let code else {
            return VenueRejection(code: .venueRejected, venueCode: String(status), message: message.isEmpty ? "HTTP \(status)" : message)
        }
        switch code {
        case -1007, -1006, -1000: return nil
        case -2010:
            let m = message.lowercased()
            if m.contains("insufficient") { return VenueRejection(code: .insufficientBalance, venueCode: "-2010", message: message) }
            if m.contains("immediately match") { return VenueRejection(code: .postOnlyWouldCross, venueCode: "-2010", message: message) }
            if m.contains("duplicate") { return nil }  // an order with our id exists: look it up
            return VenueRejection(code: .venueRejected, venueCode: "-2010", message: message)
        case -1021: return VenueRejection(code: .venueRejected, venueCode: "-1021", message: message, retryable: true)
        case -1022, -2014, -2015: return VenueRejection(code: .venueAuth, venueCode: String(code), message: message)
        default: return VenueRejection(code: .venueRejected, venueCode: String(code), message: message)
        }
    }
}
