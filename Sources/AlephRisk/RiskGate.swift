import AlephBook
import AlephCore

/// The pre-trade risk gate: a pure, total function. It runs every check in `RiskCheck` order,
/// records each result, and rejects on the first failure. No I/O, no clock, no allocation.
public enum RiskGate {
    /// Judges `intent` against `state` and `limits` at time `now` (ns).
    public static func check(_ o: RiskIntent, _ s: RiskState, _ l: RiskLimits, now: Int64) -> RiskDecision {
        var d = RiskDecision()
        for i in 0..<RiskCheck.count { d.results[i] = .skipped(RiskCheck.ordered[i]) }
        let qty = o.quantity
        let signedQty = o.side == .buy ? qty : -qty
        let pos = s.position
        // Quantity that shrinks the position (the rest, if any, opens the other way).
        let reducible = (o.side == .buy && pos.isNegative) || (o.side == .sell && pos.isPositive) ? pos.magnitude : .zero
        let isReducing = qty <= reducible && qty.isPositive

        // 1. halted
        if s.tradingState == .halted {
            fail(&d, .halted, limit: nil, value: nil, RiskRejection(code: .halted, retryable: false))
        } else {
            pass(&d, .halted, limit: nil, value: nil)
        }
        // 2. reduce_only
        if s.tradingState == .reducing || o.reduceOnly {
            if qty > reducible {
                fail(&d, .reduceOnly, limit: reducible, value: qty,
                     RiskRejection(code: .reduceOnly, limit: reducible, value: qty, maxAllowedQuantity: reducible.isPositive ? reducible : nil, retryable: false))
            } else {
                pass(&d, .reduceOnly, limit: reducible, value: qty)
            }
        }
        // 3. unknown_instrument
        guard let inst = s.instrument else {
            fail(&d, .unknownInstrument, limit: nil, value: nil, RiskRejection(code: .unknownInstrument, retryable: false))
            return d
        }
        pass(&d, .unknownInstrument, limit: nil, value: nil)
        let book = s.book
        let mid = book?.mid

        // Expected fill (market orders and the marketable part of limits) and reference price.
        var refPrice: Fixed? = o.limitPrice
        if let book {
            let w = book.walkSummary(side: o.side, quantity: qty, limit: o.type == .limit ? o.limitPrice : nil)
            d.expectedQuantity = w.quantity
            d.expectedNotional = w.notional
            if o.type == .market {
                refPrice = w.quantity.isPositive ? w.notional.divided(by: w.quantity) : (o.side == .buy ? book.bestAsk?.price : book.bestBid?.price) ?? mid
            }
        }
        // A market order that fills completely is worth exactly its walked notional.
        let notional = o.type == .market && d.expectedQuantity == qty ? d.expectedNotional : refPrice.map { $0.multiplied(by: qty) }
        let mark = mid ?? refPrice

        // 4. tick_size
        if let lp = o.limitPrice {
            if lp.isMultiple(of: inst.tickSize) {
                pass(&d, .tickSize, limit: inst.tickSize, value: lp)
            } else {
                let corrected = o.side == .buy ? lp.floored(to: inst.tickSize) : lp.ceiled(to: inst.tickSize)
                fail(&d, .tickSize, limit: inst.tickSize, value: lp,
                     RiskRejection(code: .tickSize, limit: inst.tickSize, value: lp, correctedPrice: corrected, retryable: false))
            }
        }
        // 5. lot_size
        if qty.isMultiple(of: inst.lotSize) {
            pass(&d, .lotSize, limit: inst.lotSize, value: qty)
        } else {
            let down = qty.floored(to: inst.lotSize)
            fail(&d, .lotSize, limit: inst.lotSize, value: qty,
                 RiskRejection(code: .lotSize, limit: inst.lotSize, value: qty, maxAllowedQuantity: down.isPositive ? down : nil,
                               correctedQuantity: down.isPositive ? down : inst.lotSize, retryable: false))
        }
        // 6. min_notional
        if let notional, let ref = refPrice, ref.isPositive {
            if notional >= inst.minNotional {
                pass(&d, .minNotional, limit: inst.minNotional, value: notional)
            } else {
                let minQty = (inst.minNotional.divided(by: ref, rounding: .up) ?? inst.lotSize).ceiled(to: inst.lotSize)
                fail(&d, .minNotional, limit: inst.minNotional, value: notional,
                     RiskRejection(code: .minNotional, limit: inst.minNotional, value: notional, correctedQuantity: minQty, retryable: false))
            }
        }
        // 7. max_order_quantity
        if let cap = l.maxOrderQuantity {
            if qty <= cap {
                pass(&d, .maxOrderQuantity, limit: cap, value: qty)
            } else {
                let allowed = cap.floored(to: inst.lotSize)
                fail(&d, .maxOrderQuantity, limit: cap, value: qty,
                     RiskRejection(code: .maxOrderQuantity, limit: cap, value: qty, maxAllowedQuantity: allowed.isPositive ? allowed : nil, retryable: false))
            }
        }
        // 8. max_order_notional
        if let cap = l.maxOrderNotional, let notional, let ref = refPrice, ref.isPositive {
            if notional <= cap {
                pass(&d, .maxOrderNotional, limit: cap, value: notional)
            } else {
                let allowed = (cap.divided(by: ref, rounding: .down) ?? .zero).floored(to: inst.lotSize)
                fail(&d, .maxOrderNotional, limit: cap, value: notional,
                     RiskRejection(code: .maxOrderNotional, limit: cap, value: notional, maxAllowedQuantity: allowed.isPositive ? allowed : nil, retryable: false))
            }
        }
        // 9. max_position (worst case with open orders on the same side)
        if let cap = l.maxPositionNotional, let mark, mark.isPositive {
            let open = o.side == .buy ? s.openBuyQuantity : -s.openSellQuantity
            let base = pos + open
            let worst = base + signedQty
            let value = worst.magnitude.multiplied(by: mark)
            if worst.magnitude <= base.magnitude || value <= cap {
                pass(&d, .maxPosition, limit: cap, value: value)
            } else {
                let capQty = cap.divided(by: mark, rounding: .down) ?? .zero
                let opposite = (base.isPositive && o.side == .sell) || (base.isNegative && o.side == .buy)
                let room = opposite ? base.magnitude + capQty : capQty - base.magnitude
                let allowed = room.floored(to: inst.lotSize)
                fail(&d, .maxPosition, limit: cap, value: value,
                     RiskRejection(code: .maxPosition, limit: cap, value: value, maxAllowedQuantity: allowed.isPositive ? allowed : nil, retryable: false))
            }
        }
        // 10. max_gross_exposure
        if let cap = l.maxGrossNotional, let ref = refPrice, ref.isPositive {
            let increase = Swift.max(.zero, (pos + signedQty).magnitude - pos.magnitude)
            let value = s.grossNotional + increase.multiplied(by: ref)
            if increase.isZero || value <= cap {
                pass(&d, .maxGrossExposure, limit: cap, value: value)
            } else {
                let room = (cap - s.grossNotional).divided(by: ref, rounding: .down) ?? .zero
                let allowed = (reducible + Swift.max(.zero, room)).floored(to: inst.lotSize)
                fail(&d, .maxGrossExposure, limit: cap, value: value,
                     RiskRejection(code: .maxGrossExposure, limit: cap, value: value, maxAllowedQuantity: allowed.isPositive ? allowed : nil, retryable: false))
            }
        }
        // 11. max_open_orders (only orders that can rest)
        if o.canRest && (l.maxOpenOrdersPerInstrument != nil || l.maxOpenOrders != nil) {
            if let per = l.maxOpenOrdersPerInstrument, s.openOrdersOnInstrument + 1 > per {
                fail(&d, .maxOpenOrders, limit: Fixed(per), value: Fixed(s.openOrdersOnInstrument + 1),
                     RiskRejection(code: .maxOpenOrders, limit: Fixed(per), value: Fixed(s.openOrdersOnInstrument + 1), retryable: false))
            } else if let total = l.maxOpenOrders, s.openOrders + 1 > total {
                fail(&d, .maxOpenOrders, limit: Fixed(total), value: Fixed(s.openOrders + 1),
                     RiskRejection(code: .maxOpenOrders, limit: Fixed(total), value: Fixed(s.openOrders + 1), retryable: false))
            } else if let per = l.maxOpenOrdersPerInstrument {
                pass(&d, .maxOpenOrders, limit: Fixed(per), value: Fixed(s.openOrdersOnInstrument + 1))
            } else {
                pass(&d, .maxOpenOrders, limit: Fixed(l.maxOpenOrders!), value: Fixed(s.openOrders + 1))
            }
        }
        // 12. rate_limited
        if let rate = l.maxOrdersPerSecond {
            let sAvail = s.sessionBucket?.available(at: now) ?? rate
            let vAvail = s.venueBucket?.available(at: now) ?? rate
            let avail = Swift.min(sAvail, vAvail)
            let used = Fixed(rate - avail + 1)
            if avail >= 1 {
                pass(&d, .rateLimited, limit: Fixed(rate), value: used)
            } else {
                let retry = Swift.max(s.sessionBucket?.retryAfterMs(at: now) ?? 0, s.venueBucket?.retryAfterMs(at: now) ?? 0)
                fail(&d, .rateLimited, limit: Fixed(rate), value: used,
                     RiskRejection(code: .rateLimited, limit: Fixed(rate), value: used, retryable: true, retryAfterMs: Swift.max(1, retry)))
            }
        }
        // 13. price_collar (bps through the mid)
        if let n = l.priceCollarBps, let lp = o.limitPrice, let mid, mid.isPositive {
            let through = o.side == .buy ? lp - mid : mid - lp
            let bps = (through.multiplied(by: Fixed(10_000))).divided(by: mid) ?? .zero
            if bps <= Fixed.units(n) {
                pass(&d, .priceCollar, limit: Fixed.units(n), value: bps)
            } else {
                let band = mid.bps(n, rounding: .down)
                let corrected = o.side == .buy ? (mid + band).floored(to: inst.tickSize) : (mid - band).ceiled(to: inst.tickSize)
                fail(&d, .priceCollar, limit: Fixed.units(n), value: bps,
                     RiskRejection(code: .priceCollar, limit: Fixed.units(n), value: bps, correctedPrice: corrected, retryable: false))
            }
        }
        // 14. max_slippage (market orders: expected average fill vs mid)
        if let n = l.maxSlippageBps, o.type == .market, let mid, mid.isPositive, let book, d.expectedQuantity.isPositive {
            let avg = d.expectedNotional.divided(by: d.expectedQuantity) ?? mid
            let away = o.side == .buy ? avg - mid : mid - avg
            let bps = (away.multiplied(by: Fixed(10_000))).divided(by: mid) ?? .zero
            let limitBps = Fixed.units(n)
            if bps <= limitBps {
                pass(&d, .maxSlippage, limit: limitBps, value: bps)
            } else {
                let allowed = maxQuantityWithinSlippage(book: book, side: o.side, mid: mid, bps: n, lot: inst.lotSize)
                fail(&d, .maxSlippage, limit: limitBps, value: bps,
                     RiskRejection(code: .maxSlippage, limit: limitBps, value: bps, maxAllowedQuantity: allowed.isPositive ? allowed : nil, retryable: false))
            }
        }
        // 15. stale_book
        if let maxAge = l.maxBookAgeMs {
            let limitMs = Fixed.units(maxAge)
            if let book, book.sequence > 0 {
                let ageNs = Swift.max(0, now - book.receiveTime)
                let ageMs = Fixed.units(ageNs / 1_000_000)
                if !book.verified || ageNs / 1_000_000 > maxAge || (ageNs / 1_000_000 == maxAge && ageNs % 1_000_000 > 0) {
                    fail(&d, .staleBook, limit: limitMs, value: ageMs, RiskRejection(code: .staleBook, limit: limitMs, value: ageMs, retryable: true))
                } else {
                    pass(&d, .staleBook, limit: limitMs, value: ageMs)
                }
            } else {
                fail(&d, .staleBook, limit: limitMs, value: nil, RiskRejection(code: .staleBook, limit: limitMs, retryable: true))
            }
        }
        // 16. drawdown_breaker
        if l.maxDrawdown != nil || l.dailyLossLimit != nil {
            let drawdown = s.peakEquity - s.equity
            let dayLoss = s.dayStartEquity - s.equity
            if let cap = l.maxDrawdown, drawdown > cap {
                d.breach = RiskBreach(kind: "drawdown", limit: cap, value: drawdown)
            } else if let cap = l.dailyLossLimit, dayLoss > cap {
                d.breach = RiskBreach(kind: "daily_loss", limit: cap, value: dayLoss)
            }
            if let b = d.breach, !isReducing {
                fail(&d, .drawdownBreaker, limit: b.limit, value: b.value, RiskRejection(code: .drawdownBreaker, limit: b.limit, value: b.value, retryable: false))
            } else if let b = d.breach {
                pass(&d, .drawdownBreaker, limit: b.limit, value: b.value)
            } else if let cap = l.maxDrawdown {
                pass(&d, .drawdownBreaker, limit: cap, value: drawdown)
            } else {
                pass(&d, .drawdownBreaker, limit: l.dailyLossLimit!, value: dayLoss)
            }
        }
        // 17. session_budget
        if let cap = l.sessionDailyNotional, let notional, let ref = refPrice, ref.isPositive {
            let value = s.sessionNotionalToday + notional
            if value <= cap {
                pass(&d, .sessionBudget, limit: cap, value: value)
            } else {
                let allowed = ((cap - s.sessionNotionalToday).divided(by: ref, rounding: .down) ?? .zero).floored(to: inst.lotSize)
                fail(&d, .sessionBudget, limit: cap, value: value,
                     RiskRejection(code: .sessionBudget, limit: cap, value: value, maxAllowedQuantity: allowed.isPositive ? allowed : nil, retryable: false))
            }
        }
        return d
    }

    /// Largest lot-rounded quantity whose average fill stays within `bps` of `mid`.
    @inlinable
    static func maxQuantityWithinSlippage(book: OrderBook, side: Side, mid: Fixed, bps: Int64, lot: Fixed) -> Fixed {
        let band = mid.bps(bps, rounding: .down)
        let bound = side == .buy ? mid + band : mid - band
        var q = Fixed.zero, notional = Fixed.zero
        for level in side == .buy ? book.asks : book.bids {
            let inside = side == .buy ? level.price <= bound : level.price >= bound
            if inside {
                q += level.quantity
                notional += level.price.multiplied(by: level.quantity)
                continue
            }
            // Take only as much of this level as keeps the average within the bound.
            let slack = side == .buy ? bound.multiplied(by: q) - notional : notional - bound.multiplied(by: q)
            let perUnit = (level.price - bound).magnitude
            let extra = Swift.min(level.quantity, slack.divided(by: perUnit, rounding: .down) ?? .zero)
            q += Swift.max(.zero, extra)
            break
        }
        return q.floored(to: lot)
    }

    @inline(__always)
    static func pass(_ d: inout RiskDecision, _ c: RiskCheck, limit: Fixed?, value: Fixed?) {
        d.results[c.index] = CheckResult(check: c, outcome: .passed, limit: limit, value: value)
    }

    @inline(__always)
    static func fail(_ d: inout RiskDecision, _ c: RiskCheck, limit: Fixed?, value: Fixed?, _ r: RiskRejection) {
        d.results[c.index] = CheckResult(check: c, outcome: .failed, limit: limit, value: value)
        if d.rejection == nil { d.rejection = r }
    }
}

extension RiskCheck {
    /// Checks in run order (a stored table, so reading it never allocates).
    public static let ordered: [RiskCheck] = [.halted, .reduceOnly, .unknownInstrument, .tickSize, .lotSize, .minNotional, .maxOrderQuantity,
                                              .maxOrderNotional, .maxPosition, .maxGrossExposure, .maxOpenOrders, .rateLimited, .priceCollar,
                                              .maxSlippage, .staleBook, .drawdownBreaker, .sessionBudget]
}
