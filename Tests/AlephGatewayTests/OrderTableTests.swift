import AlephCore
import Testing
@testable import AlephGateway

/// The order table's running open-order totals against a recount, under random histories.
@Suite struct OrderTableTests {
    struct Rng {
        var s: UInt64
        mutating func next(_ n: Int) -> Int {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Int((s >> 33) % UInt64(n))
        }
    }

    func order(_ id: String, _ rng: inout Rng) -> Order {
        let inst = ["a:X", "b:Y", "c:Z"][rng.next(3)]
        let price: Fixed? = rng.next(5) == 0 ? nil : Fixed(raw: Int64(1 + rng.next(10_000_000)) * 1_000)
        var o = Order(id: id, intentId: "i-\(id)", instrument: inst, side: rng.next(2) == 0 ? .buy : .sell, type: price == nil ? .market : .limit,
                      timeInForce: .gtc, limitPrice: price, quantity: Fixed(raw: Int64(1 + rng.next(1_000_000)) * 37),
                      postOnly: false, reduceOnly: false, rationale: nil, createdAt: 0)
        o.venue = String(inst.prefix(1))
        return o
    }

    @Test func runningTotalsEqualARecountAfterEveryChange() {
        var rng = Rng(s: 42)
        var t = OrderTable()
        var ids: [String] = []
        var sawOpen = 0, sawUnsettled = 0
        for step in 0..<4_000 {
            switch rng.next(8) {
            case 0, 1:  // a new order, usually opened right after (either order of the two steps)
                let id = "o-\(step)"
                ids.append(id)
                if rng.next(2) == 0 { t[id] = order(id, &rng); t.markOpen(id) } else { t.markOpen(id); t[id] = order(id, &rng) }
            case 2:  // a fill
                guard let id = ids.randomElement(using: &rng), var o = t[id], o.remainingQuantity.raw > 1 else { continue }
                o.filledQuantity = Fixed(raw: o.filledQuantity.raw + 1 + Int64(rng.next(Int(o.remainingQuantity.raw - 1))))
                t[id] = o
            case 3:  // a modify (new price and size, in place)
                guard let id = ids.randomElement(using: &rng), let filled = t[id]?.filledQuantity else { continue }
                t[id]?.limitPrice = Fixed(raw: Int64(1 + rng.next(10_000_000)) * 1_000)
                t[id]?.quantity = filled + Fixed(raw: Int64(1 + rng.next(1000)))
            case 7:  // a state change (uncertain, cancelling, acknowledged…)
                guard let id = ids.randomElement(using: &rng), t[id] != nil else { continue }
                t[id]?.status = [OrderStatus.pendingSubmit, .uncertain, .open, .partiallyFilled, .pendingCancel][rng.next(5)]
            case 4:  // ends
                guard let id = ids.randomElement(using: &rng) else { continue }
                t.markClosed(id)
            case 5:  // reopened (a reversal) or marked twice
                guard let id = ids.randomElement(using: &rng) else { continue }
                t.markOpen(id)
            default:  // forgotten
                guard rng.next(4) == 0, let id = ids.randomElement(using: &rng) else { continue }
                t[id] = nil
            }
            let recount = t.recomputed()
            #expect(t.runningTotals == recount.byInstrument, "step \(step)")
            #expect(t.openNotional == recount.notional, "step \(step)")
            #expect(t.unsettledIds == recount.unsettled, "step \(step)")
            #expect(t.totalsMatchRecount, "step \(step)")
            if t.runningTotals != recount.byInstrument || t.openNotional != recount.notional || t.unsettledIds != recount.unsettled { return }
            sawUnsettled = max(sawUnsettled, t.unsettledIds.count)
            sawOpen = max(sawOpen, t.openIds.count)
        }
        #expect(sawOpen > 100 && sawUnsettled > 20)
    }

    @Test func totalsPastFixedsRangeStayExactWhenOrdersLeave() {
        var t = OrderTable()
        func put(_ id: String, _ qty: Fixed, _ price: Fixed) {
            t[id] = Order(id: id, intentId: id, instrument: "a:X", side: .buy, type: .limit, timeInForce: .gtc, limitPrice: price, quantity: qty,
                          postOnly: false, reduceOnly: false, rationale: nil, createdAt: 0)
            t.markOpen(id)
        }
        // Two orders whose notionals (and quantities) each nearly fill Fixed's range: the sum saturates when read…
        put("huge1", "90000000000", "90000000000")
        put("huge2", "90000000000", "90000000000")
        put("small", "2", "100")
        #expect(t.openNotional == Fixed(raw: .max) && t.totals(on: "a:X").buy == Fixed(raw: .max))
        // …and comes back exactly once they leave (a saturating running sum would not).
        t.markClosed("huge1")
        t.markClosed("huge2")
        #expect(t.openNotional == Fixed(200) && t.totals(on: "a:X").buy == Fixed(2) && t.totals(on: "a:X").count == 1)
        #expect(t.totalsMatchRecount)
    }
}

extension OrderTableTests.Rng: RandomNumberGenerator {
    mutating func next() -> UInt64 {
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return s
    }
}
