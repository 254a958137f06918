import AlephBook
import AlephCore
import Testing
@testable import AlephRisk

@Suite struct RiskBookTests {
    let day: Int64 = 86_400_000_000_000

    @Test func dailyResetOnAManualClock() {
        let clock = ManualTimeSource(start: 10 * day + 1)
        var rb = RiskBook(limits: RiskLimits(dailyLossLimit: "50", sessionDailyNotional: "1000"), equity: "1000", now: clock.nowNanos())
        rb.recordTraded(session: 1, notional: "900", now: clock.nowNanos())
        rb.observe(equity: "960", now: clock.nowNanos())
        #expect(rb.breach(equity: "960") == nil && rb.breach(equity: "949")?.kind == .dailyLoss)
        clock.advance(nanos: day - 2) // 23:59:59.999999999 of the same day
        rb.observe(equity: "960", now: clock.nowNanos())
        #expect(rb.dayStartEquity == Fixed(1000) && rb.sessionNotionalToday(1) == Fixed(900))
        clock.advance(nanos: 1) // midnight UTC
        rb.observe(equity: "960", now: clock.nowNanos())
        #expect(rb.dayStartEquity == Fixed(960) && rb.sessionNotionalToday(1) == .zero)
        #expect(rb.breach(equity: "949") == nil && rb.breach(equity: "909")?.kind == .dailyLoss)
    }

    @Test func breakerTripsOnceAndResumeResetsTheBaseline() {
        var rb = RiskBook(limits: RiskLimits(maxDrawdown: "100", onBreach: .reducing), equity: "1000", now: 0)
        rb.observe(equity: "1200", now: 1)
        #expect(rb.peakEquity == Fixed(1200))
        let b = rb.breach(equity: "1099")!
        #expect(b.kind == .drawdown && b.value == Fixed(101))
        #expect(rb.trip(b, equity: "1099", now: 2)?.to == .reducing && rb.state == .reducing)
        #expect(rb.trip(b, equity: "1099", now: 3) == nil)
        #expect(rb.halt(equity: "1099", now: 4)?.to == .halted && rb.trip(b, equity: "1000", now: 5) == nil)
        #expect(rb.resume(equity: "1000", now: 6)?.to == .active && rb.breach(equity: "1000") == nil && rb.peakEquity == Fixed(1000))
        #expect(rb.history.map(\.reason) == ["drawdown", "halt", "resume"])
    }

    @Test func bucketsPerSessionAndVenue() {
        var rb = RiskBook(limits: RiskLimits(maxOrdersPerSecond: 3), equity: "1", now: 0)
        for _ in 0..<3 { rb.recordOrder(session: 1, venue: "sim", now: 0) }
        #expect(rb.sessionBucket(1, now: 0)?.available(at: 0) == 0)
        #expect(rb.sessionBucket(2, now: 0)?.available(at: 0) == 3)
        #expect(rb.venueBucket("sim", now: 0)?.available(at: 0) == 0)
        #expect(rb.venueBucket("sim", now: 1_000_000_000)?.available(at: 1_000_000_000) == 3)
    }

    @Test func overridesApplyPerInstrument() {
        var o = RiskOverrides()
        o.maxOrderNotional = .some("10")
        o.maxBookAgeMs = .some(nil)
        let rb = RiskBook(limits: .defaults, overrides: ["t:X-Y": o], equity: "1", now: 0)
        #expect(rb.limits(for: "t:X-Y").maxOrderNotional == Fixed(10) && rb.limits(for: "t:X-Y").maxBookAgeMs == nil)
        #expect(rb.limits(for: "other").maxOrderNotional == Fixed(25000))
    }
}

/// The gate is total and never approves by accident: over random intents and states, nothing
/// traps, and every approved order is independently within every limit.
@Suite struct RiskPropertyTests {
    @Test func everyApprovedOrderIsWithinEveryLimit() {
        var rng = SeededRandom(seed: 4242)
        func fx(_ maxUnits: Int64, _ decimals: Int64 = 3) -> Fixed {
            let scale = Int64(pow10(decimals))
            return Fixed(raw: Int64(rng.next() % UInt64(maxUnits * scale + 1)) * (Fixed.scale / scale))
        }
        var approved = 0
        for k in 0..<20_000 {
            let limits = RiskLimits(
                maxOrderQuantity: rng.next() % 3 == 0 ? fx(20) : nil, maxOrderNotional: rng.next() % 3 == 0 ? fx(3000) : nil,
                maxPositionNotional: rng.next() % 3 == 0 ? fx(5000) : nil, maxGrossNotional: rng.next() % 3 == 0 ? fx(8000) : nil,
                maxOpenOrders: rng.next() % 3 == 0 ? Int(rng.next() % 5) : nil, maxOpenOrdersPerInstrument: rng.next() % 3 == 0 ? Int(rng.next() % 3) : nil,
                maxOrdersPerSecond: rng.next() % 3 == 0 ? 1 + Int(rng.next() % 3) : nil, priceCollarBps: rng.next() % 3 == 0 ? Int64(rng.next() % 300) : nil,
                maxSlippageBps: rng.next() % 3 == 0 ? Int64(rng.next() % 200) : nil, maxBookAgeMs: rng.next() % 3 == 0 ? Int64(rng.next() % 2000) : nil,
                maxDrawdown: rng.next() % 3 == 0 ? fx(200) : nil, dailyLossLimit: rng.next() % 3 == 0 ? fx(200) : nil,
                sessionDailyNotional: rng.next() % 3 == 0 ? fx(5000) : nil)
            let side: Side = rng.next() % 2 == 0 ? .buy : .sell
            let isLimit = rng.next() % 2 == 0
            let qty = k % 97 == 0 ? Fixed.max : (rng.next() % 4 == 0 ? fx(30, 4) : fx(3, 3))
            let price: Fixed? = isLimit ? (k % 89 == 0 ? Fixed.max : Fixed(90) + fx(20, 2)) : nil
            let intent = RiskIntent(instrument: inst.id, side: side, quantity: qty, type: isLimit ? .limit : .market, limitPrice: price,
                                    timeInForce: isLimit && rng.next() % 2 == 0 ? .gtc : .ioc, reduceOnly: rng.next() % 8 == 0)
            var bucket = TokenBucket(rate: 3, now: t0)
            for _ in 0..<(rng.next() % 4) { bucket.take(at: t0) }
            let states: [TradingState] = [.active, .active, .active, .active, .active, .active, .reducing, .halted]
            let s = RiskState(
                tradingState: states[Int(rng.next() % 8)], instrument: rng.next() % 20 == 0 ? nil : InstrumentRules(inst),
                book: rng.next() % 20 == 0 ? nil : testBook(receivedAt: t0 - Int64(rng.next() % 3_000_000_000), verified: rng.next() % 10 != 0),
                position: fx(40) - Fixed(20), openBuyQuantity: fx(5), openSellQuantity: fx(5), openOrders: Int(rng.next() % 6),
                openOrdersOnInstrument: Int(rng.next() % 4), grossNotional: fx(9000), equity: Fixed(1000) - fx(300), peakEquity: Fixed(1000) + fx(50),
                dayStartEquity: Fixed(1000), sessionBucket: bucket, venueBucket: nil, sessionNotionalToday: fx(5000))
            let d = RiskGate.check(intent, s, limits, now: t0)
            #expect(d.allResults.allSatisfy { $0.outcome != .failed } == d.approved)
            guard d.approved else { continue }
            approved += 1
            // Independent re-verification of every limit.
            #expect(s.tradingState != .halted && s.instrument != nil)
            let pos = s.position
            let reducible = (side == .buy && pos.isNegative) || (side == .sell && pos.isPositive) ? pos.magnitude : .zero
            if s.tradingState == .reducing || intent.reduceOnly { #expect(qty <= reducible) }
            #expect(qty.isMultiple(of: inst.lotSize))
            if let p = price { #expect(p.isMultiple(of: inst.tickSize)) }
            let book: OrderBook? = s.book.sequence > 0 ? s.book : nil
            if let cap = limits.maxOrderQuantity { #expect(qty <= cap) }
            let ref: Fixed? = price ?? {
                guard let w = book?.walkSummary(side: side, quantity: qty), w.quantity.isPositive else { return side == .buy ? book?.bestAsk?.price : book?.bestBid?.price }
                return w.notional.divided(by: w.quantity)
            }()
            if let ref, ref.isPositive {
                let notional = ref.multiplied(by: qty)
                #expect(notional >= inst.minNotional)
                if let cap = limits.maxOrderNotional { #expect(notional <= cap) }
                if let cap = limits.sessionDailyNotional { #expect(s.sessionNotionalToday + notional <= cap) }
            }
            if let maxAge = limits.maxBookAgeMs { #expect(book != nil && book!.verified && t0 - book!.receiveTime <= maxAge * 1_000_000) }
            if limits.maxOrdersPerSecond != nil { #expect(bucket.available(at: t0) >= 1) }
            if let n = limits.priceCollarBps, let p = price, let mid = book?.mid {
                #expect(side == .buy ? p <= mid + mid.bps(n) : p >= mid - mid.bps(n))
            }
            if let cap = limits.maxDrawdown, qty > reducible { #expect(s.peakEquity - s.equity <= cap) }
            if let cap = limits.dailyLossLimit, qty > reducible { #expect(s.dayStartEquity - s.equity <= cap) }
            if intent.canRest, let per = limits.maxOpenOrdersPerInstrument { #expect(s.openOrdersOnInstrument < per) }
            if intent.canRest, let total = limits.maxOpenOrders { #expect(s.openOrders < total) }
        }
        #expect(approved > 1000, "only \(approved) approvals: the property would prove little")
    }

    func pow10(_ n: Int64) -> Int64 { (0..<n).reduce(1) { a, _ in a * 10 } }
}
