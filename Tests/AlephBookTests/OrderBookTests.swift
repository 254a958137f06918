import AlephCore
import Testing
@testable import AlephBook

@Suite struct OrderBookTests {
    func lv(_ p: Fixed, _ q: Fixed) -> BookLevel { BookLevel(price: p, quantity: q) }

    func sample() throws -> OrderBook {
        var b = OrderBook(instrument: "t:A-B")
        try b.applySnapshot(bids: [lv("99", "1"), lv("100", "2"), lv("98", "3")], asks: [lv("102", "1"), lv("101", "1.5"), lv("103", "0")],
                            sequence: 10, exchangeTime: 1, receiveTime: 2)
        return b
    }

    @Test func snapshotSortsAndDropsZeros() throws {
        let b = try sample()
        #expect(b.bids.map(\.price) == [100, 99, 98].map { Fixed($0) })
        #expect(b.asks.map(\.price) == [Fixed(101), Fixed(102)])
        #expect(b.verified && b.sequence == 10 && b.mid == Fixed("100.5") && b.spread == Fixed(1))
    }

    @Test func deltasInsertUpdateDelete() throws {
        var b = try sample()
        try b.applyDelta(bids: [lv("100", "0"), lv("99.5", "4")], asks: [lv("101", "2"), lv("104", "1")], sequence: 11, exchangeTime: 3, receiveTime: 4)
        #expect(b.bestBid == lv("99.5", "4") && b.bestAsk == lv("101", "2") && b.asks.count == 3 && b.receiveTime == 4)
        try b.applyDelta(bids: [lv("97", "0")], asks: [], sequence: 12, exchangeTime: 5, receiveTime: 6)
        #expect(b.bids.count == 3)
    }

    @Test func gapMarksUnverified() throws {
        var b = try sample()
        #expect(throws: BookError.sequenceGap(expected: 11, got: 13)) {
            try b.applyDelta(bids: [lv("100", "9")], asks: [], sequence: 13, exchangeTime: 0, receiveTime: 0)
        }
        #expect(!b.verified && b.bestBid == lv("100", "2"))
        #expect(throws: BookError.outOfOrder(last: 10, got: 10)) { try b.applyDelta(bids: [], asks: [], sequence: 10, exchangeTime: 0, receiveTime: 0) }
        try b.applySnapshot(bids: [lv("1", "1")], asks: [lv("2", "1")], sequence: 20, exchangeTime: 0, receiveTime: 0)
        #expect(b.verified)
    }

    @Test func crossedAndInvalid() throws {
        var b = try sample()
        #expect(throws: BookError.crossed(bid: Fixed(101), ask: Fixed(101))) {
            try b.applyDelta(bids: [lv("101", "1")], asks: [], sequence: 11, exchangeTime: 0, receiveTime: 0)
        }
        #expect(!b.verified)
        var c = OrderBook(instrument: "x")
        #expect(throws: BookError.self) { try c.applySnapshot(bids: [lv("1", "-1")], asks: [], sequence: 1, exchangeTime: 0, receiveTime: 0) }
        #expect(throws: BookError.self) { try c.applySnapshot(bids: [lv("2", "1")], asks: [lv("2", "1")], sequence: 1, exchangeTime: 0, receiveTime: 0) }
    }

    @Test func walks() throws {
        let b = try sample()
        let e = b.walk(side: .buy, quantity: "2")
        #expect(e.quantity == Fixed(2) && e.notional == Fixed("202.5") && e.worstPrice == Fixed(102) && e.levels.count == 2)
        #expect(b.walk(side: .buy, quantity: "10").quantity == Fixed("2.5"))
        #expect(b.walk(side: .buy, quantity: "10", limit: "101").quantity == Fixed("1.5"))
        #expect(b.walk(side: .sell, quantity: "2.5").averagePrice == Fixed("99.8"))
        let n = b.walk(side: .buy, notional: "200", lotSize: "0.1")
        #expect(n.quantity == Fixed("1.9") && n.notional <= Fixed(200))
        #expect(b.depth(side: .buy, withinBps: 100) == Fixed(2))
        #expect(b.depth(side: .buy, withinBps: 200) == Fixed(3))
        #expect(b.microprice! > Fixed("100.5"))
    }
}

@Suite struct OrderBookPropertyTests {
    /// Random sets and deletes near and far from the touch, checked against a dictionary model.
    @Test func matchesADictionaryModel() throws {
        var rng = SeededRandom(seed: 99)
        var book = OrderBook(instrument: "x")
        var model: [Side: [Int64: Int64]] = [.buy: [:], .sell: [:]]
        try book.applySnapshot(bids: [], asks: [], sequence: 1, exchangeTime: 0, receiveTime: 0)
        for step in 0..<200_000 {
            let side: Side = rng.next() & 1 == 0 ? .buy : .sell
            // Prices 1..400 ticks on each side of 10,000 (bids below, asks above: never crossed).
            let k = Int64(rng.next() % (step % 3 == 0 ? 400 : 30)) + 1
            let price: Int64 = side == .buy ? 10_000 - k : 10_000 + k
            let qty: Int64 = rng.next() % 5 == 0 ? 0 : Int64(rng.next() % 1000) + 1
            try book.set(side, price: Fixed(Int(price)), quantity: Fixed(Int(qty)))
            model[side]![price] = qty == 0 ? nil : qty
            if step % 997 == 0 || step == 199_999 {
                let bids = model[.buy]!.sorted { $0.key > $1.key }.map { BookLevel(price: Fixed(Int($0.key)), quantity: Fixed(Int($0.value))) }
                let asks = model[.sell]!.sorted { $0.key < $1.key }.map { BookLevel(price: Fixed(Int($0.key)), quantity: Fixed(Int($0.value))) }
                #expect(Array(book.bids) == bids, "bids differ at step \(step)")
                #expect(Array(book.asks) == asks, "asks differ at step \(step)")
                #expect(book.bestBid == bids.first && book.bestAsk == asks.first)
            }
        }
    }
}
