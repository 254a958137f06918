import AlephCore
import AlephRPC
import AlephVenueKit

/// OKX v5 execution messages to venue states (pure).
public enum OKXExecWire {
    /// OKX order `state` to ours.
    public static func status(_ s: String) -> OrderStatus? {
        switch s {
        case "live": return .open
        case "partially_filled": return .partiallyFilled
        case "filled": return .filled
        case "canceled", "mmp_canceled": return .cancelled
        default: return nil
        }
    }

    static func dec(_ v: JSON?) -> Fixed? {
        guard let s = v?.stringValue, !s.isEmpty else { return nil }
        return try? Fixed(parsing: s)
    }

    /// The fill dedupe key: `(instId, tradeId)`.
    public static func tradeKey(instId: String, tradeId: String) -> String { "okx:\(instId):\(tradeId)" }

    /// A fee in the quote currency (OKX reports fees negative when paid).
    static func quoteFee(_ fee: Fixed?, ccy: String?, price: Fixed, instrument: Instrument) -> Fixed {
        guard let fee else { return .zero }
        let paid = -fee
        if ccy == instrument.quote { return paid }
        if ccy == instrument.base { return paid.multiplied(by: price) }
        return .zero
    }

    /// An order object (REST details or the `orders` channel). From the channel, the `fill*`
    /// fields describe this update's fill (with `fillFee`); from REST they describe only the last
    /// fill, so REST states carry no fills (the fills endpoint brings them).
    public static func order(_ o: JSON, instrument: Instrument, channel: Bool, now: Int64) -> VenueOrderState? {
        guard let instId = o["instId"]?.stringValue, let ordId = o["ordId"]?.stringValue else { return nil }
        let at = Int64(o["uTime"]?.stringValue ?? "").map { $0 * 1_000_000 } ?? now
        var fills: [VenueFill] = []
        if channel, let tid = o["tradeId"]?.stringValue, !tid.isEmpty, let q = dec(o["fillSz"]), q.isPositive, let p = dec(o["fillPx"]) {
            let fee = dec(o["fillFee"])
            fills.append(VenueFill(venueTradeId: tradeKey(instId: instId, tradeId: tid), price: p, quantity: q,
                                   fee: quoteFee(fee, ccy: o["fillFeeCcy"]?.stringValue, price: p, instrument: instrument),
                                   liquidity: o["execType"]?.stringValue == "M" ? .maker : .taker,
                                   timestamp: Int64(o["fillTime"]?.stringValue ?? "").map { $0 * 1_000_000 } ?? at,
                                   feeAsset: o["fillFeeCcy"]?.stringValue, venueFee: fee.map { -$0 }))
        }
        let st = o["state"]?.stringValue.flatMap(status)
        var reason: String? = nil
        if st == .cancelled, let src = o["cancelSource"]?.stringValue, !src.isEmpty {
            reason = ["13": "fill-or-kill not filled", "14": "immediate-or-cancel remainder", "31": "post-only would take", "1": "cancelled by user"][src]
                ?? "cancelled at the venue (cancelSource \(src))"
        }
        return VenueOrderState(clientOrderId: o["clOrdId"]?.stringValue ?? "", venueOrderId: ordId, status: st,
                               filledQuantity: dec(o["accFillSz"]), fills: fills, reason: reason, timestamp: at)
    }

    /// One row of `/api/v5/trade/fills`.
    public static func fill(_ f: JSON, instrument: Instrument) -> VenueFillReport? {
        guard let instId = f["instId"]?.stringValue, let tid = f["tradeId"]?.stringValue, let p = dec(f["fillPx"]), let q = dec(f["fillSz"]) else { return nil }
        let fee = dec(f["fee"])
        let at = Int64(f["fillTime"]?.stringValue ?? f["ts"]?.stringValue ?? "0").map { $0 * 1_000_000 } ?? 0
        return VenueFillReport(clientOrderId: f["clOrdId"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }, venueOrderId: f["ordId"]?.stringValue,
                               instrument: instrument.id,
                               fill: VenueFill(venueTradeId: tradeKey(instId: instId, tradeId: tid), price: p, quantity: q,
                                               fee: quoteFee(fee, ccy: f["feeCcy"]?.stringValue, price: p, instrument: instrument),
                                               liquidity: f["execType"]?.stringValue == "M" ? .maker : .taker, timestamp: at,
                                               feeAsset: f["feeCcy"]?.stringValue, venueFee: fee.map { -$0 }))
    }

    /// `/api/v5/account/balance` (or the `account` channel) details.
    public static func balances(_ data: JSON?) -> [VenueBalance] {
        var out: [VenueBalance] = []
        for acct in data?.arrayValue ?? [] {
            for d in acct["details"]?.arrayValue ?? [] {
                guard let ccy = d["ccy"]?.stringValue else { continue }
                let free = dec(d["availBal"]) ?? dec(d["cashBal"]) ?? .zero
                let locked = dec(d["frozenBal"]) ?? .zero
                out.append(VenueBalance(asset: ccy, free: free, locked: locked))
            }
        }
        return out
    }

    /// A placement's two-level answer: top-level `code`, then the item's `sCode`. Nil means the
    /// outcome is unknown (timeouts, system errors, a duplicate id that must be looked up).
    public static func classify(status: Int, code: String?, message: String, sCode: String?, sMsg: String?) -> VenueRejection? {
        if status >= 500 { return nil }
        let c = (sCode.flatMap { $0 == "0" ? nil : $0 }) ?? code ?? String(status)
        let m = (sMsg.flatMap { $0.isEmpty ? nil : $0 }) ?? message
        switch c {
        case "50004", "51149", "50026", "50001", "51016": return nil
        case "50011", "50061", "50013":
            return VenueRejection(code: .venueRateLimited, venueCode: c, message: m.isEmpty ? "rate limited" : m, retryable: true, retryAfterMs: 2_000)
        case "51008", "51131", "51127", "51119": return VenueRejection(code: .insufficientBalance, venueCode: c, message: m)
        case "51024", "50100", "50101", "50102", "50103", "50104", "50105", "50106", "50107", "50108", "50109", "50110", "50111", "50112", "50113", "50114":
            return VenueRejection(code: .venueAuth, venueCode: c, message: m)
        case "50036", "50037": return VenueRejection(code: .venueRejected, venueCode: c, message: m, retryable: true)
        default:
            if m.lowercased().contains("post only") || m.lowercased().contains("post_only") {
                return VenueRejection(code: .postOnlyWouldCross, venueCode: c, message: m)
            }
            return VenueRejection(code: .venueRejected, venueCode: c, message: m)
        }
    }
}
