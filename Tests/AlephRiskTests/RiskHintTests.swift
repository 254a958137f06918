import AlephBook
import AlephCore
import Testing
@testable import AlephRisk

/// Every hint the gate gives (`max_allowed_quantity`, `corrected.quantity`, `corrected.limit_price`)
/// must pass the very check that produced it, on the same state: random orders, sizes up to
/// overflow, both sides, market and limit.
@Suite struct RiskHintTests {
    struct Rng {
        var s: UInt64
        mutating func next() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s }
        mutating func int(_ n: Int64) -> Int64 { Int64(next() % UInt64(n)) }
    }

    /// A deep book with uneven levels, so walked averages move with size.
    static func deepBook() -> OrderBook {
        var b = OrderBook(instrument: inst.id)
        var bids: [BookLevel] = [], asks: [BookLevel] = []
        for k in 0..<40 {
            let q = Fixed(raw: Int64(1 + (k * 37) % 13) * 10_000_000 + Int64(k) * 1_000_000)
            bids.append(BookLevel(price: Fixed(raw: (9_990 - Int64(k) * 7) * 1_000_000), quantity: q))
            asks.append(BookLevel(price: Fixed(raw: (10_010 + Int64(k) * 9) * 1_000_000), quantity: q))
        }
        try! b.applySnapshot(bids: bids, asks: asks, sequence: 1, exchangeTime: t0, receiveTime: t0)
        return b
    }

    @Test func everyHintPassesTheCheckItCameFrom() {
        var rng = Rng(s: 0x9E37_79B9_7F4A_7C15)
        var limits = RiskLimits.defaults
        limits.maxOrdersPerSecond = nil
        limits.maxBookAgeMs = nil
        var seen: [RiskCheck: Int] = [:]
        for _ in 0..<4000 {
            let buy = rng.int(2) == 0
            // Quantities from one lot to far past overflow at this price.
            let magnitude = rng.int(12)
            var raw: Int64 = 100_000
            for _ in 0..<magnitude { raw = raw.multipliedReportingOverflow(by: 10).overflow ? raw : raw * 10 }
            let q = Fixed(raw: (raw / 100_000 * (1 + rng.int(9))) * 100_000)
            let limit: Fixed? = rng.int(3) == 0 ? nil : Fixed(raw: (9_900 + rng.int(300)) * 1_000_000 + (rng.int(4) == 0 ? 30_000 : 0))
            let postOnly = limit != nil && rng.int(3) == 0
            let o = RiskIntent(instrument: inst.id, side: buy ? .buy : .sell, quantity: q, type: limit == nil ? .market : .limit,
                               limitPrice: limit, timeInForce: limit == nil ? .ioc : .gtc, reduceOnly: false, postOnly: postOnly)
            var l = limits
            l.maxOrderNotional = Fixed.units(100 + rng.int(20_000))
            l.maxPositionNotional = Fixed.units(100 + rng.int(50_000))
            l.maxGrossNotional = Fixed.units(100 + rng.int(80_000))
            l.sessionDailyNotional = Fixed.units(100 + rng.int(100_000))
            l.maxSlippageBps = 1 + rng.int(50)
            let s = state {
                $0.book = RiskHintTests.deepBook()
                $0.position = Fixed(raw: (rng.int(200) - 100) * 1_000_000)
                $0.grossNotional = Fixed.units(rng.int(40_000))
                $0.sessionNotionalToday = Fixed.units(rng.int(50_000))
            }
            let d = RiskGate.check(o, s, l, now: t0)
            guard let r = d.rejection else { continue }
            seen[r.code, default: 0] += 1
            if let hint = r.maxAllowedQuantity {
                #expect(hint <= q && hint.isPositive)
                var o2 = o
                o2.quantity = hint
                let d2 = RiskGate.check(o2, s, l, now: t0)
                #expect(d2.result(r.code).outcome == .passed, "max_allowed_quantity \(hint) from \(r.code) fails it again (q \(q), limit \(String(describing: limit)))")
            }
            if let cq = r.correctedQuantity {
                var o2 = o
                o2.quantity = cq
                #expect(RiskGate.check(o2, s, l, now: t0).result(r.code).outcome == .passed, "corrected quantity \(cq) from \(r.code)")
            }
            if let cp = r.correctedPrice {
                var o2 = o
                o2.limitPrice = cp
                #expect(RiskGate.check(o2, s, l, now: t0).result(r.code).outcome == .passed, "corrected price \(cp) from \(r.code)")
            }
            if r.overflow { #expect(r.value?.magnitude.raw == Int64.max) }
        }
        // The run exercised the hints that matter.
        for c in [RiskCheck.maxOrderNotional, .maxPosition, .maxGrossExposure, .minNotional, .tickSize, .postOnlyWouldCross] {
            #expect(seen[c, default: 0] > 0, "no \(c) rejection in the run")
        }
    }

    @Test func overflowIsFlaggedAndTheHintUsesTheRealPrice() {
        var l = RiskLimits.defaults
        l.maxBookAgeMs = nil
        let d = RiskGate.check(buy("1000000000"), state(), l, now: t0)
        let r = d.rejection
        #expect(r?.code == .maxOrderNotional && r?.overflow == true)
        // 25,000 USD: the book's 13 units cost 1,310.5, the rest is valued at the touch 100.1:
        // 13 + floor(23,689.5 / 100.1) to the lot = 249.658 (a clamped-price guess gave about 0.000025).
        #expect(r?.maxAllowedQuantity == Fixed("249.658"))
    }

    @Test func aNotionalBelowOneLotIsALotSizeRejectionWithTheLeastThatPasses() {
        let o = RiskIntent(instrument: inst.id, side: .buy, quantity: .zero, type: .market, limitPrice: nil, timeInForce: .ioc,
                           reduceOnly: false, requestedNotional: "0.05")
        let r = RiskGate.check(o, state(), RiskLimits(), now: t0).rejection
        #expect(r?.code == .lotSize)
        // min notional 5 at 100.1: 0.05 units.
        #expect(r?.correctedQuantity == Fixed("0.05") && r?.correctedNotional == Fixed("5.005"))
    }

    @Test func postOnlyThatWouldCrossGetsThePriceThatRests() {
        let o = RiskIntent(instrument: inst.id, side: .buy, quantity: "0.1", type: .limit, limitPrice: "100.1", timeInForce: .gtc,
                           reduceOnly: false, postOnly: true)
        let r = RiskGate.check(o, state(), RiskLimits(), now: t0).rejection
        #expect(r?.code == .postOnlyWouldCross && r?.correctedPrice == Fixed("100") && r?.limit == Fixed("100.1"))
        var ok = o
        ok.limitPrice = "100"
        #expect(RiskGate.check(ok, state(), RiskLimits(), now: t0).approved)
    }
}
