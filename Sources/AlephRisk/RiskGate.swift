import AlephBook
import AlephCore

/// The pre-trade risk gate: a pure, total function. It runs every check in `RiskCheck` order,
/// records each result, and rejects on the first failure. No I/O, no clock, no allocation, and on
/// the approval path no 128-bit division: values that need one (bps, averages) are rendered later.
///
/// Units of the recorded values: quantities in base units, notionals in quote currency,
/// `price_collar` as the distance through the mid (quote per unit), `max_slippage` as the expected
/// slippage cost (quote currency), `stale_book` in milliseconds, counts as integers.
public enum RiskGate {
    /// Judges `o` against `s` and `l` at time `now` (ns).
    public static func check(_ o: RiskIntent, _ s: RiskState, _ l: RiskLimits, now: Int64) -> RiskDecision {
        var d = RiskDecision()
        let qty = o.quantity
        let buy = o.side == .buy
        let signedQty = buy ? qty : -qty
        let pos = s.position
        // Quantity that shrinks the position (the rest, if any, opens the other way).
        let reducible = (buy && pos.isNegative) || (!buy && pos.isPositive) ? pos.magnitude : .zero
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
        guard let rules = s.instrument else {
            fail(&d, .unknownInstrument, limit: nil, value: nil, RiskRejection(code: .unknownInstrument, retryable: false))
            return d
        }
        pass(&d, .unknownInstrument, limit: nil, value: nil)

        // Book facts, read in place (the book is borrowed, never copied).
        let hasBook = s.book.sequence > 0
        let mid = hasBook ? s.book.mid : nil
        let touch: Fixed? = hasBook ? (buy ? s.book.bestAsk?.price : s.book.bestBid?.price) : nil
        if hasBook {
            let w = s.book.walkSummary(side: o.side, quantity: qty, limit: o.type == .limit ? o.limitPrice : nil)
            d.expectedQuantity = w.quantity
            d.expectedNotional = w.notional
        }
        // What the order is worth: at its limit, or walked from the book (the unfillable rest at the touch).
        let notional: Fixed?
        if let lp = o.limitPrice {
            notional = lp.multiplied(by: qty)
        } else if d.expectedQuantity.isPositive {
            notional = d.expectedQuantity == qty ? d.expectedNotional
                : d.expectedNotional + (qty - d.expectedQuantity).multiplied(by: touch ?? mid ?? .zero)
        } else {
            notional = (touch ?? mid)?.multiplied(by: qty)
        }
        /// True when the notional is clamped at the largest `Fixed` (the order is absurdly large).
        let overflowed = notional.map { $0.magnitude.raw == Int64.max } ?? false
        /// What `q` would be worth, valued exactly as the order's own notional (failure paths:
        /// hints are searched with it, so a hint always passes the check it came from).
        func value(of q: Fixed) -> Fixed {
            if let lp = o.limitPrice { return lp.multiplied(by: q) }
            guard hasBook else { return (touch ?? mid ?? .zero).multiplied(by: q) }
            let w = s.book.walkSummary(side: o.side, quantity: q)
            return w.quantity == q ? w.notional : w.notional + (q - w.quantity).multiplied(by: touch ?? mid ?? .zero)
        }
        /// Per-unit reference price (failure paths only: it divides). With an overflowing notional
        /// the touch (or mid) stands in, never the clamped total.
        func refPrice() -> Fixed? {
            if let lp = o.limitPrice { return lp }
            if let notional, qty.isPositive, !overflowed { return notional.divided(by: qty) }
            return touch ?? mid
        }
        let valued = notional != nil && (o.limitPrice != nil || touch != nil || mid != nil)

        // 4. tick_size
        if let lp = o.limitPrice {
            let tick = rules.tick(at: lp)
            if lp.isMultiple(of: tick) {
                pass(&d, .tickSize, limit: tick, value: lp)
            } else {
                // Rounded toward the passive side; under a significant-figures rule the rounded
                // price can cross a power of ten, where its own (coarser) step still divides it.
                let corrected = buy ? lp.floored(to: tick) : lp.ceiled(to: tick)
                fail(&d, .tickSize, limit: tick, value: lp,
                     RiskRejection(code: .tickSize, limit: tick, value: lp, correctedPrice: corrected, retryable: false))
            }
        }
        // 5. lot_size (a notional too small to buy one lot lands here as quantity 0)
        if qty.isZero {
            let least = smallestLots(lot: rules.lotSize) { valued ? value(of: $0) >= rules.minNotional : true } ?? rules.lotSize
            var r = RiskRejection(code: .lotSize, limit: rules.lotSize, value: qty, correctedQuantity: least, retryable: false)
            if valued { r.correctedNotional = value(of: least) }
            fail(&d, .lotSize, limit: rules.lotSize, value: qty, r)
        } else if qty.isMultiple(of: rules.lotSize) {
            pass(&d, .lotSize, limit: rules.lotSize, value: qty)
        } else {
            let down = qty.floored(to: rules.lotSize)
            fail(&d, .lotSize, limit: rules.lotSize, value: qty,
                 RiskRejection(code: .lotSize, limit: rules.lotSize, value: qty, maxAllowedQuantity: down.isPositive ? down : nil,
                               correctedQuantity: down.isPositive ? down : rules.lotSize, retryable: false))
        }
        // 6. min_notional
        if valued, let notional {
            if notional >= rules.minNotional {
                pass(&d, .minNotional, limit: rules.minNotional, value: notional)
            } else {
                let minQty = smallestLots(lot: rules.lotSize) { value(of: $0) >= rules.minNotional } ?? rules.lotSize
                var r = RiskRejection(code: .minNotional, limit: rules.minNotional, value: notional, correctedQuantity: minQty, retryable: false)
                r.correctedNotional = value(of: minQty)
                fail(&d, .minNotional, limit: rules.minNotional, value: notional, r)
            }
        }
        // 7. max_order_quantity
        if let cap = l.maxOrderQuantity {
            if qty <= cap {
                pass(&d, .maxOrderQuantity, limit: cap, value: qty)
            } else {
                let allowed = cap.floored(to: rules.lotSize)
                fail(&d, .maxOrderQuantity, limit: cap, value: qty,
                     RiskRejection(code: .maxOrderQuantity, limit: cap, value: qty, maxAllowedQuantity: allowed.isPositive ? allowed : nil, retryable: false))
            }
        }
        // 8. max_order_notional
        if let cap = l.maxOrderNotional, valued, let notional {
            if notional <= cap && !overflowed {
                pass(&d, .maxOrderNotional, limit: cap, value: notional)
            } else {
                let allowed = largestLots(upTo: qty, lot: rules.lotSize) { value(of: $0) <= cap }
                var r = RiskRejection(code: .maxOrderNotional, limit: cap, value: notional, maxAllowedQuantity: allowed, retryable: false)
                r.overflow = overflowed
                fail(&d, .maxOrderNotional, limit: cap, value: notional, r)
            }
        }
        // 9. max_position (worst case with open orders on the same side), marked at mid
        if let cap = l.maxPositionNotional, let mark = mid ?? touch ?? o.limitPrice, mark.isPositive {
            let open = buy ? s.openBuyQuantity : -s.openSellQuantity
            let base = pos + open
            let worst = base + signedQty
            let worstValue = worst.magnitude.multiplied(by: mark)
            let saturated = worstValue.raw == Int64.max
            if worst.magnitude <= base.magnitude || (worstValue <= cap && !saturated) {
                pass(&d, .maxPosition, limit: cap, value: worstValue)
            } else {
                let allowed = largestLots(upTo: qty, lot: rules.lotSize) { q in
                    let w = base + (buy ? q : -q)
                    return w.magnitude <= base.magnitude || w.magnitude.multiplied(by: mark) <= cap
                }
                var r = RiskRejection(code: .maxPosition, limit: cap, value: worstValue, maxAllowedQuantity: allowed, retryable: false)
                r.overflow = saturated
                fail(&d, .maxPosition, limit: cap, value: worstValue, r)
            }
        }
        // 10. max_gross_exposure: only the part of the order that grows the position adds exposure
        if let cap = l.maxGrossNotional, valued, let notional {
            let increase = Swift.max(.zero, (pos + signedQty).magnitude - pos.magnitude)
            let added = increase == qty ? notional : increase.multiplied(by: refPrice() ?? .zero)
            let gross = s.grossNotional + added
            if increase.isZero || (gross <= cap && !overflowed) {
                pass(&d, .maxGrossExposure, limit: cap, value: gross)
            } else {
                // Valued like the order: the growing part of `q`, at `q`'s own average price.
                let allowed = largestLots(upTo: qty, lot: rules.lotSize) { q in
                    let inc = Swift.max(.zero, (pos + (buy ? q : -q)).magnitude - pos.magnitude)
                    if inc.isZero { return true }
                    let v = value(of: q)
                    let add = inc == q ? v : inc.multiplied(by: o.limitPrice ?? (v.divided(by: q) ?? .zero))
                    return s.grossNotional + add <= cap
                }
                var r = RiskRejection(code: .maxGrossExposure, limit: cap, value: gross, maxAllowedQuantity: allowed, retryable: false)
                r.overflow = overflowed
                fail(&d, .maxGrossExposure, limit: cap, value: gross, r)
            }
        }
        // 11. insufficient_balance: a live spot account pays in full, at once (no margin)
        if buy, let free = s.availableQuote, valued, let notional {
            if notional <= free && !overflowed {
                pass(&d, .insufficientBalance, limit: free, value: notional)
            } else {
                let allowed = largestLots(upTo: qty, lot: rules.lotSize) { value(of: $0) <= free }
                fail(&d, .insufficientBalance, limit: free, value: notional,
                     RiskRejection(code: .insufficientBalance, limit: free, value: notional, maxAllowedQuantity: allowed, retryable: false))
            }
        } else if !buy, let free = s.availableBase {
            if qty <= free {
                pass(&d, .insufficientBalance, limit: free, value: qty)
            } else {
                let allowed = free.floored(to: rules.lotSize)
                fail(&d, .insufficientBalance, limit: free, value: qty,
                     RiskRejection(code: .insufficientBalance, limit: free, value: qty, maxAllowedQuantity: allowed.isPositive ? allowed : nil, retryable: false))
            }
        }
        // 12. max_open_orders (only orders that can rest)
        if o.canRest {
            if let per = l.maxOpenOrdersPerInstrument, s.openOrdersOnInstrument + 1 > per {
                fail(&d, .maxOpenOrders, limit: Fixed.units(Int64(per)), value: Fixed.units(Int64(s.openOrdersOnInstrument + 1)),
                     RiskRejection(code: .maxOpenOrders, limit: Fixed.units(Int64(per)), value: Fixed.units(Int64(s.openOrdersOnInstrument + 1)), retryable: false))
            } else if let total = l.maxOpenOrders, s.openOrders + 1 > total {
                fail(&d, .maxOpenOrders, limit: Fixed.units(Int64(total)), value: Fixed.units(Int64(s.openOrders + 1)),
                     RiskRejection(code: .maxOpenOrders, limit: Fixed.units(Int64(total)), value: Fixed.units(Int64(s.openOrders + 1)), retryable: false))
            } else if let per = l.maxOpenOrdersPerInstrument {
                pass(&d, .maxOpenOrders, limit: Fixed.units(Int64(per)), value: Fixed.units(Int64(s.openOrdersOnInstrument + 1)))
            } else if let total = l.maxOpenOrders {
                pass(&d, .maxOpenOrders, limit: Fixed.units(Int64(total)), value: Fixed.units(Int64(s.openOrders + 1)))
            }
        }
        // 13. rate_limited (session and venue buckets)
        if let rate = l.maxOrdersPerSecond {
            let sAvail = s.sessionBucket?.available(at: now) ?? rate
            let vAvail = s.venueBucket?.available(at: now) ?? rate
            let avail = Swift.min(sAvail, vAvail)
            let used = Fixed.units(Int64(rate - avail + 1))
            if avail >= 1 {
                pass(&d, .rateLimited, limit: Fixed.units(Int64(rate)), value: used)
            } else {
                let retry = Swift.max(s.sessionBucket?.retryAfterMs(at: now) ?? 0, s.venueBucket?.retryAfterMs(at: now) ?? 0)
                fail(&d, .rateLimited, limit: Fixed.units(Int64(rate)), value: used,
                     RiskRejection(code: .rateLimited, limit: Fixed.units(Int64(rate)), value: used, retryable: true, retryAfterMs: Swift.max(1, retry)))
            }
        }
        // 14. price_collar: how far the limit is through the mid, against mid × N bps
        if let n = l.priceCollarBps, let lp = o.limitPrice, let mid, mid.isPositive {
            let band = mid.bps(n, rounding: .down)
            let through = buy ? lp - mid : mid - lp
            if through <= band {
                pass(&d, .priceCollar, limit: band, value: through)
            } else {
                let edge = buy ? mid + band : mid - band
                let corrected = buy ? edge.floored(to: rules.tick(at: edge)) : edge.ceiled(to: rules.tick(at: edge))
                fail(&d, .priceCollar, limit: band, value: through,
                     RiskRejection(code: .priceCollar, limit: band, value: through, correctedPrice: corrected, retryable: false))
            }
        }
        // 15. post_only_would_cross: a post-only order must rest, never take
        if o.postOnly, let lp = o.limitPrice, hasBook {
            let opposite = buy ? s.book.bestAsk?.price : s.book.bestBid?.price
            if let opposite, buy ? lp >= opposite : lp <= opposite {
                let step = rules.tick(at: opposite)
                let rest = buy ? opposite - step : opposite + step
                fail(&d, .postOnlyWouldCross, limit: opposite, value: lp,
                     RiskRejection(code: .postOnlyWouldCross, limit: opposite, value: lp, correctedPrice: rest.isPositive ? rest : nil, retryable: false))
            } else {
                pass(&d, .postOnlyWouldCross, limit: opposite, value: lp)
            }
        }
        // 16. max_slippage (market orders): expected cost against the mid, against mid × N bps per unit
        if let n = l.maxSlippageBps, o.type == .market, let mid, mid.isPositive, d.expectedQuantity.isPositive {
            let atMid = mid.multiplied(by: d.expectedQuantity)
            let cost = buy ? d.expectedNotional - atMid : atMid - d.expectedNotional
            let allowance = atMid.bps(n, rounding: .down)
            if cost <= allowance {
                pass(&d, .maxSlippage, limit: allowance, value: cost)
            } else {
                let allowed = maxQuantityWithinSlippage(book: s.book, side: o.side, mid: mid, bps: n, lot: rules.lotSize)
                fail(&d, .maxSlippage, limit: allowance, value: cost,
                     RiskRejection(code: .maxSlippage, limit: allowance, value: cost, maxAllowedQuantity: allowed.isPositive ? allowed : nil, retryable: false))
            }
        }
        // 17. stale_book
        if let maxAge = l.maxBookAgeMs {
            let limitMs = Fixed.units(maxAge)
            if hasBook {
                let received = s.book.receiveTime
                let ageNs = Swift.max(0, now - received)
                let ageMsWhole = ageNs / 1_000_000
                let ageMs = Fixed.units(ageMsWhole)
                let tooOld = ageMsWhole > maxAge || (ageMsWhole == maxAge && ageNs % 1_000_000 > 0)
                if !s.book.verified || tooOld {
                    fail(&d, .staleBook, limit: limitMs, value: ageMs, RiskRejection(code: .staleBook, limit: limitMs, value: ageMs, retryable: true))
                } else {
                    pass(&d, .staleBook, limit: limitMs, value: ageMs)
                }
            } else {
                fail(&d, .staleBook, limit: limitMs, value: nil, RiskRejection(code: .staleBook, limit: limitMs, retryable: true))
            }
        }
        // 18. drawdown_breaker
        if l.maxDrawdown != nil || l.dailyLossLimit != nil {
            let drawdown = s.peakEquity - s.equity
            let dayLoss = s.dayStartEquity - s.equity
            if let cap = l.maxDrawdown, drawdown > cap {
                d.breach = RiskBreach(kind: .drawdown, limit: cap, value: drawdown)
            } else if let cap = l.dailyLossLimit, dayLoss > cap {
                d.breach = RiskBreach(kind: .dailyLoss, limit: cap, value: dayLoss)
            }
            if let b = d.breach {
                if isReducing {
                    pass(&d, .drawdownBreaker, limit: b.limit, value: b.value)
                } else {
                    fail(&d, .drawdownBreaker, limit: b.limit, value: b.value, RiskRejection(code: .drawdownBreaker, limit: b.limit, value: b.value, retryable: false))
                }
            } else if let cap = l.maxDrawdown {
                pass(&d, .drawdownBreaker, limit: cap, value: drawdown)
            } else if let cap = l.dailyLossLimit {
                pass(&d, .drawdownBreaker, limit: cap, value: dayLoss)
            }
        }
        // 19. session_budget
        if let cap = l.sessionDailyNotional, valued, let notional {
            let today = s.sessionNotionalToday + notional
            if today <= cap && !overflowed {
                pass(&d, .sessionBudget, limit: cap, value: today)
            } else {
                let allowed = largestLots(upTo: qty, lot: rules.lotSize) { s.sessionNotionalToday + value(of: $0) <= cap }
                var r = RiskRejection(code: .sessionBudget, limit: cap, value: today, maxAllowedQuantity: allowed, retryable: false)
                r.overflow = overflowed
                fail(&d, .sessionBudget, limit: cap, value: today, r)
            }
        }
        return d
    }

    /// The largest positive whole-lot quantity not above `upper` for which `fits` holds, or nil.
    /// `fits` must be monotone (true up to some quantity, false beyond): a binary search over lots.
    static func largestLots(upTo upper: Fixed, lot: Fixed, _ fits: (Fixed) -> Bool) -> Fixed? {
        guard lot.isPositive else { return nil }
        var lo: Int64 = 0, hi = upper.raw / lot.raw
        if hi <= 0 || !fits(Fixed(raw: lot.raw)) { return nil }
        lo = 1
        while lo < hi {
            let mid = lo + (hi - lo + 1) / 2
            if fits(Fixed(raw: mid * lot.raw)) { lo = mid } else { hi = mid - 1 }
        }
        return Fixed(raw: lo * lot.raw)
    }

    /// The smallest positive whole-lot quantity for which `fits` holds (monotone: false below
    /// some quantity, true from there), or nil when none fits below the largest `Fixed`.
    static func smallestLots(lot: Fixed, _ fits: (Fixed) -> Bool) -> Fixed? {
        guard lot.isPositive else { return nil }
        let maxLots = Int64.max / lot.raw
        var hi: Int64 = 1
        while !fits(Fixed(raw: hi * lot.raw)) {
            if hi > maxLots / 2 { return nil }
            hi *= 2
        }
        var lo = hi / 2 + 1
        if hi == 1 { return lot }
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if fits(Fixed(raw: mid * lot.raw)) { hi = mid } else { lo = mid + 1 }
        }
        return Fixed(raw: hi * lot.raw)
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
        d.record(c, .passed, limit: limit, value: value)
    }

    @inline(__always)
    static func fail(_ d: inout RiskDecision, _ c: RiskCheck, limit: Fixed?, value: Fixed?, _ r: RiskRejection) {
        d.record(c, .failed, limit: limit, value: value)
        if d.rejection == nil { d.rejection = r }
    }
}

extension RiskCheck {
    /// Checks in run order.
    public static let ordered: [RiskCheck] = (0..<RiskCheck.count).map(RiskCheck.at)
}
