import AlephCore
import AlephRPC
import AlephVenueKit

/// Bybit v5 execution messages to venue states (pure).
public enum BybitExecWire {
    /// Bybit `orderStatus` to ours.
    public static func status(_ s: String) -> OrderStatus? {
        switch s {
        case "New", "Untriggered": return .open
        case "PartiallyFilled": return .partiallyFilled
        case "Filled": return .filled
        case "Cancelled", "PartiallyFilledCanceled", "Deactivated": return .cancelled
        case "Rejected": return .rejected
        default: return nil
        }
    }

    static func dec(_ v: JSON?) -> Fixed? {
        switch v {
        case .string(let s)?: return s.isEmpty ? nil : try? Fixed(parsing: s)
        case .number(let n)?: return try? Fixed(parsing: n)
        default: return nil
        }
    }

    static func ms(_ v: JSON?) -> Int64? {
        switch v {
        case .string(let s)?: return Int64(s)
        case .number(let n)?: return Int64(n)
        default: return nil
        }
    }

    /// The fill dedupe key: `execId`.
    public static func tradeKey(_ execId: String) -> String { "bybit:\(execId)" }

    /// An order object (REST or the `order` topic); fills come from executions.
    public static func order(_ o: JSON, now: Int64) -> VenueOrderState? {
        guard let oid = o["orderId"]?.stringValue else { return nil }
        let st = o["orderStatus"]?.stringValue.flatMap(status)
        var reason: String? = nil
        if st == .cancelled || st == .rejected {
            let why = o["rejectReason"]?.stringValue.flatMap { $0 == "EC_NoError" ? nil : $0 } ?? o["cancelType"]?.stringValue
            reason = why.map { "\($0) at the venue" }
        }
        return VenueOrderState(clientOrderId: o["orderLinkId"]?.stringValue ?? "", venueOrderId: oid, status: st, filledQuantity: dec(o["cumExecQty"]),
                               fills: [], reason: reason, timestamp: (ms(o["updatedTime"]) ?? 0) * 1_000_000)
    }

    /// One execution (REST list or the `execution` topic); funding and settlement rows are not fills.
    public static func execution(_ e: JSON, instrumentId: String) -> VenueFillReport? {
        guard let execId = e["execId"]?.stringValue, let p = dec(e["execPrice"]), let q = dec(e["execQty"]), q.isPositive else { return nil }
        let type = e["execType"]?.stringValue ?? "Trade"
        guard ["Trade", "AdlTrade", "BustTrade", "Delivery"].contains(type) else { return nil }
        let fee = dec(e["execFee"]) ?? .zero
        return VenueFillReport(clientOrderId: e["orderLinkId"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }, venueOrderId: e["orderId"]?.stringValue,
                               instrument: instrumentId,
                               fill: VenueFill(venueTradeId: tradeKey(execId), price: p, quantity: q, fee: fee,
                                               liquidity: e["isMaker"]?.boolValue == true ? .maker : .taker,
                                               timestamp: (ms(e["execTime"]) ?? 0) * 1_000_000, feeAsset: e["feeCurrency"]?.stringValue, venueFee: fee))
    }

    /// Wallet coins (`/v5/account/wallet-balance` list or the `wallet` topic).
    public static func balances(_ list: JSON?) -> [VenueBalance] {
        var out: [VenueBalance] = []
        for acct in list?.arrayValue ?? [] {
            for c in acct["coin"]?.arrayValue ?? [] {
                guard let coin = c["coin"]?.stringValue, let wallet = dec(c["walletBalance"]) else { continue }
                let locked = dec(c["locked"]) ?? .zero
                out.append(VenueBalance(asset: coin, free: wallet - locked, locked: locked))
            }
        }
        return out
    }

    /// A position row (REST or the `position` topic).
    public static func position(_ p: JSON, instrumentId: String) -> VenuePosition? {
        guard let size = dec(p["size"]) else { return nil }
        let side = p["side"]?.stringValue ?? ""
        return VenuePosition(instrument: instrumentId, quantity: side == "Sell" ? -size : size, entryPrice: dec(p["avgPrice"]) ?? dec(p["entryPrice"]),
                             unrealizedPnL: dec(p["unrealisedPnl"]))
    }

    /// `retCode` classes: nil is an unknown outcome (time-outs, restarts, a duplicate link id to look up).
    public static func classify(status: Int, retCode: Int?, message: String, resetMs: Int?) -> VenueRejection? {
        if status >= 500 { return nil }
        if status == 403 { return VenueRejection(code: .venueRateLimited, venueCode: "403", message: "access too frequent", retryable: true, retryAfterMs: 600_000) }
        if status == 429 { return VenueRejection(code: .venueRateLimited, venueCode: "429", message: message, retryable: true, retryAfterMs: resetMs ?? 1_000) }
        guard let c = retCode else { return VenueRejection(code: .venueRejected, venueCode: String(status), message: message.isEmpty ? "HTTP \(status)" : message) }
        switch c {
        case 10000, 10016, 170146, 110079, 110072, 170141: return nil
        case 10006: return VenueRejection(code: .venueRateLimited, venueCode: "10006", message: message, retryable: true, retryAfterMs: resetMs ?? 1_000)
        case 110004, 110007, 110012, 170131: return VenueRejection(code: .insufficientBalance, venueCode: String(c), message: message)
        case 10003, 10004, 10005, 10010: return VenueRejection(code: .venueAuth, venueCode: String(c), message: message)
        case 10002: return VenueRejection(code: .venueRejected, venueCode: "10002", message: message, retryable: true)
        default:
            if message.lowercased().contains("post") && message.lowercased().contains("only") {
                return VenueRejection(code: .postOnlyWouldCross, venueCode: String(c), message: message)
            }
            return VenueRejection(code: .venueRejected, venueCode: String(c), message: message)
        }
    }
}
