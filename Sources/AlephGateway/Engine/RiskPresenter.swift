import AlephCore
import AlephRPC
import AlephRisk

/// Risk values to protocol JSON, and the one-sentence messages of rejections.
enum RiskPresenter {
    static func opt(_ v: Fixed?) -> JSON { v.map { .string($0.description) } ?? .null }
    static func optInt<I: BinaryInteger>(_ v: I?) -> JSON { v.map { .int($0) } ?? .null }

    static func check(_ r: CheckResult) -> JSON {
        .object([JSONMember("check", .string(r.check.rawValue)),
                 JSONMember("outcome", .string(r.outcome == .passed ? "passed" : r.outcome == .failed ? "failed" : "skipped")),
                 JSONMember("limit", opt(r.limit)), JSONMember("value", opt(r.value)), JSONMember("headroom", opt(r.headroom))])
    }

    static func checks(_ d: RiskDecision) -> JSON { .array(d.allResults.map(check)) }

    static func rejection(_ r: RiskRejection, intent: RiskIntent, instrument: Instrument?) -> JSON {
        var corrected: [JSONMember] = []
        if let p = r.correctedPrice { corrected.append(JSONMember("limit_price", .string(p.description))) }
        if let q = r.correctedQuantity { corrected.append(JSONMember("quantity", .string(q.description))) }
        if let n = r.correctedNotional { corrected.append(JSONMember("notional", .string(n.ceiled(to: Fixed(raw: 1_000_000)).description))) }
        var b = JSONObjectBuilder()
        b.add("code", r.code.rawValue)
        b.add("message", message(r, intent: intent, instrument: instrument))
        b.add("limit", opt(r.limit))
        b.add("value", opt(r.value))
        b.add("max_allowed_quantity", opt(r.maxAllowedQuantity))
        if !corrected.isEmpty { b.add("corrected", .object(corrected)) }
        b.add("retryable", r.retryable)
        b.add("retry_after_ms", optInt(r.retryAfterMs))
        if r.overflow { b.add("overflow", true) }
        return b.json
    }

    static func message(_ r: RiskRejection, intent o: RiskIntent, instrument i: Instrument?) -> String {
        let base = i?.base ?? "units", quote = i?.quote ?? "quote"
        let lim = r.limit?.description ?? "?", val = r.value?.description ?? "?"
        let smaller = r.maxAllowedQuantity.map { "; at most \($0) \(base) would pass" } ?? ""
        switch r.code {
        case .halted: return "Trading is halted: nothing passes until an admin calls resume."
        case .reduceOnly:
            return r.maxAllowedQuantity == nil
                ? "Only orders that shrink a position pass now, and a \(o.side.rawValue) of \(val) \(base) would not reduce the position."
                : "Only orders that shrink a position pass now: a \(o.side.rawValue) of \(val) exceeds the reducible \(lim) \(base)."
        case .unknownInstrument: return "Unknown instrument '\(o.instrument)'; call list_instruments for valid ids."
        case .tickSize: return "Limit price \(val) is not a multiple of the tick size \(lim); use \(r.correctedPrice?.description ?? "a price on the grid")."
        case .lotSize:
            if o.quantity.isZero, let n = o.requestedNotional {
                let need = r.correctedNotional.map { " (about \($0.ceiled(to: Fixed(raw: 1_000_000))) \(quote))" } ?? ""
                return "A notional of \(n) \(quote) buys less than one lot (\(lim) \(base)); use at least \(r.correctedQuantity?.description ?? lim) \(base)\(need)."
            }
            return "Quantity \(val) is not a multiple of the lot size \(lim); use \(r.correctedQuantity?.description ?? "a multiple") \(base)."
        case .minNotional:
            let need = r.correctedNotional.map { " (about \($0.ceiled(to: Fixed(raw: 1_000_000))) \(quote))" } ?? ""
            let asked = o.requestedNotional.map { "A notional of \($0) \(quote) buys \(o.quantity) \(base), worth \(val) \(quote)," } ?? "Order notional \(val) \(quote) is"
            return "\(asked) below the minimum \(lim); use at least \(r.correctedQuantity?.description ?? "more") \(base)\(need)."
        case .maxOrderQuantity: return "Quantity \(val) \(base) exceeds the per-order maximum \(lim)\(smaller)."
        case .maxOrderNotional:
            if r.overflow { return "Order notional overflows: it is above \(val) \(quote), the largest amount AlephTX represents, and the per-order maximum is \(lim)\(smaller)." }
            return "Order notional \(val) \(quote) exceeds the per-order maximum \(lim)\(smaller)."
        case .maxPosition:
            if r.overflow { return "The worst-case position would be worth more than \(val) \(quote) (it overflows), above the limit \(lim)\(smaller)." }
            return "The worst-case position (with open orders) would be worth \(val) \(quote), above the limit \(lim)\(smaller)."
        case .maxGrossExposure:
            if r.overflow { return "Gross exposure would overflow (above \(val) \(quote)), above the limit \(lim)\(smaller)." }
            return "Gross exposure would reach \(val) \(quote), above the limit \(lim)\(smaller)."
        case .postOnlyWouldCross:
            return "A post-only \(o.side.rawValue) at \(val) would cross the book (best \(o.side == .buy ? "ask" : "bid") \(lim)) and take liquidity; \(r.correctedPrice.map { "\($0) would rest" } ?? "use a price that rests")."
        case .insufficientBalance:
            return o.side == .buy
                ? "The order needs \(val) \(quote) and the venue account has \(lim) \(quote) free\(smaller)."
                : "The order sells \(val) \(base) and the venue account has \(lim) \(base) free\(smaller)."
        case .maxOpenOrders: return "This would be open order number \(val), above the limit \(lim); cancel some first."
        case .rateLimited: return "More than \(lim) orders per second; retry after \(r.retryAfterMs ?? 1) ms."
        case .priceCollar: return "The limit price is \(val) \(quote) through the mid, beyond the collar of \(lim); use \(r.correctedPrice?.description ?? "a closer price")."
        case .maxSlippage: return "The expected fill costs \(val) \(quote) of slippage against the mid, above the \(lim) allowed\(smaller)."
        case .staleBook:
            return r.value == nil ? "The book is missing or not verified (gap or resync in progress); retry shortly."
                : "The book is \(val) ms old (limit \(lim) ms) or not verified; retry when it updates."
        case .drawdownBreaker: return "The drawdown breaker is tripped (loss \(val) over the limit \(lim) \(quote)); only orders that reduce positions pass."
        case .sessionBudget:
            if r.overflow { return "This session's traded notional today would overflow (above \(val) \(quote)), above its budget \(lim)\(smaller)." }
            return "This session's traded notional today would reach \(val) \(quote), above its budget \(lim)\(smaller)."
        }
    }

    static func limits(_ l: RiskLimits) -> JSON {
        .object([
            JSONMember("max_order_quantity", opt(l.maxOrderQuantity)), JSONMember("max_order_notional", opt(l.maxOrderNotional)),
            JSONMember("max_position_notional", opt(l.maxPositionNotional)), JSONMember("max_gross_notional", opt(l.maxGrossNotional)),
            JSONMember("max_open_orders", optInt(l.maxOpenOrders)), JSONMember("max_open_orders_per_instrument", optInt(l.maxOpenOrdersPerInstrument)),
            JSONMember("max_orders_per_second", optInt(l.maxOrdersPerSecond)), JSONMember("price_collar_bps", optInt(l.priceCollarBps)),
            JSONMember("max_slippage_bps", optInt(l.maxSlippageBps)), JSONMember("max_book_age_ms", optInt(l.maxBookAgeMs)),
            JSONMember("max_drawdown", opt(l.maxDrawdown)), JSONMember("daily_loss_limit", opt(l.dailyLossLimit)),
            JSONMember("session_daily_notional", opt(l.sessionDailyNotional)), JSONMember("on_breach", .string(l.onBreach.rawValue)),
        ])
    }

    static func event(_ e: RiskEvent) -> JSON {
        .object([JSONMember("state", .string(e.to.rawValue)), JSONMember("previous_state", .string(e.from.rawValue)),
                 JSONMember("reason", .string(e.reason)), JSONMember("equity", .string(e.equity.description)),
                 JSONMember("limit", opt(e.limit)), JSONMember("value", opt(e.value)), JSONMember("ts_us", .int(e.at / 1000))])
    }
}
