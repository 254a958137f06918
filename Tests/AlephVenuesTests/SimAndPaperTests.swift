import AlephBook
import AlephCore
import Testing
@testable import AlephVenues

@Suite struct SimMarketTests {
    func run(seed: UInt64, steps: Int) -> [MarketEvent] {
        var m = SimMarket(seed: seed)
        var out = m.start(now: 0)
        for k in 1...steps { out += m.step(now: Int64(k) * 100_000_000) }
        return out
    }

    @Test func deterministicFromSeed() {
        #expect(run(seed: 1, steps: 200) == run(seed: 1, steps: 200))
        #expect(run(seed: 1, steps: 200) != run(seed: 2, steps: 200))
    }

    /// Every event applies cleanly: consecutive sequences, never crossed, 20+ levels, outcome in (0, 1).
    @Test func booksStayConsistent() throws {
        var m = SimMarket(seed: 7)
        var books: [String: OrderBook] = [:]
        var trades = 0
        let specs = Dictionary(uniqueKeysWithValues: SimInstrumentSpec.defaults.map { ($0.instrument.id, $0.instrument) })
        func apply(_ events: [MarketEvent]) throws {
            for e in events {
                switch e {
                case .snapshot(let u):
                    var b = OrderBook(instrument: u.instrument)
                    try b.applySnapshot(bids: u.bids, asks: u.asks, sequence: u.sequence, exchangeTime: u.exchangeTime, receiveTime: u.receiveTime)
                    books[u.instrument] = b
                case .delta(let u):
                    try books[u.instrument]!.applyDelta(bids: u.bids, asks: u.asks, sequence: u.sequence, exchangeTime: u.exchangeTime, receiveTime: u.receiveTime)
                case .trade(let t):
                    trades += 1
                    #expect(t.price.isMultiple(of: specs[t.instrument]!.tickSize) && t.quantity.isPositive)
                case .book, .context, .tickSize:
                    Issue.record("the sim market sends snapshots, deltas and trades only")
                }
            }
        }
        try apply(m.start(now: 0))
        for k in 1...3000 { try apply(m.step(now: Int64(k))) }
        #expect(trades > 1000)
        for (id, b) in books {
            #expect(b.verified && b.bids.count >= 20 && b.asks.count >= 20)
            let inst = specs[id]!
            for l in Array(b.bids) + Array(b.asks) { #expect(l.price.isMultiple(of: inst.tickSize) && l.quantity.isMultiple(of: inst.lotSize)) }
            if inst.kind == .outcome { #expect(b.bids.last!.price.isPositive && b.asks.last!.price < Fixed(1)) }
        }
        #expect(SimInstrumentSpec.defaults.contains { $0.instrument.kind == .outcome })
    }
}

@Suite struct PaperVenueTests {
    func book() throws -> OrderBook {
        var b = OrderBook(instrument: "sim:X-USD")
        try b.applySnapshot(bids: [BookLevel(price: "99", quantity: "2"), BookLevel(price: "98", quantity: "2")],
                            asks: [BookLevel(price: "101", quantity: "1"), BookLevel(price: "102", quantity: "1")],
                            sequence: 1, exchangeTime: 0, receiveTime: 0)
        return b
    }

    func order(_ id: String, _ side: Side, _ type: OrderType, _ qty: Fixed, limit: Fixed? = nil, tif: TimeInForce = .gtc, postOnly: Bool = false) -> Order {
        Order(id: id, intentId: id, instrument: "sim:X-USD", side: side, type: type, timeInForce: tif, limitPrice: limit,
              quantity: qty, postOnly: postOnly, reduceOnly: false, rationale: nil, createdAt: 0)
    }

    @Test func marketWalksAndPartials() throws {
        var v = PaperVenue(config: PaperConfig(makerFeeBps: "1", takerFeeBps: "10"))
        let r = v.submit(order("a", .buy, .market, "1.5", tif: .ioc), book: try book())
        #expect(r.status == .filled && r.fills.map(\.price) == [Fixed(101), Fixed(102)])
        #expect(r.fills[0].fee == Fixed("0.101") && r.fills[1].fee == Fixed("0.051"))
        let p = v.submit(order("b", .buy, .market, "5", tif: .ioc), book: try book())
        #expect(p.status == .cancelled && p.fills.reduce(Fixed.zero) { $0 + $1.quantity } == Fixed(2))
        let k = v.submit(order("c", .buy, .market, "5", tif: .fok), book: try book())
        #expect(k.status == .cancelled && k.fills.isEmpty)
    }

    @Test func limitRestsPostOnlyAndCancel() throws {
        var v = PaperVenue(config: PaperConfig())
        #expect(v.submit(order("p", .buy, .limit, "1", limit: "101", postOnly: true), book: try book()).status == .rejected)
        let r = v.submit(order("l", .buy, .limit, "3", limit: "101"), book: try book())
        #expect(r.status == .partiallyFilled && r.fills.count == 1 && v.restingOrderIds(instrument: "sim:X-USD") == ["l"])
        #expect(v.cancel(orderId: "l", instrument: "sim:X-USD") && !v.cancel(orderId: "l", instrument: "sim:X-USD"))
        let ioc = v.submit(order("i", .sell, .limit, "1", limit: "100", tif: .ioc), book: try book())
        #expect(ioc.status == .cancelled && ioc.fills.isEmpty && v.restingCount == 0)
    }

    @Test func restingFillsOnlyWhenTradedThrough() throws {
        var v = PaperVenue(config: PaperConfig(makerFeeBps: "0"))
        _ = v.submit(order("r", .buy, .limit, "2", limit: "100"), book: try book())
        let at = Trade(instrument: "sim:X-USD", tradeId: "1", price: "100", quantity: "5", aggressor: .sell, sequence: 1, exchangeTime: 0, receiveTime: 0)
        #expect(v.onTrade(at).isEmpty)
        let through = Trade(instrument: "sim:X-USD", tradeId: "2", price: "99.5", quantity: "0.5", aggressor: .sell, sequence: 2, exchangeTime: 0, receiveTime: 0)
        let f = v.onTrade(through)
        #expect(f == [PaperFill(orderId: "r", price: "100", quantity: "0.5", liquidity: .maker, fee: .zero)])
        var moved = OrderBook(instrument: "sim:X-USD")
        try moved.applySnapshot(bids: [BookLevel(price: "98", quantity: "1")], asks: [BookLevel(price: "99.9", quantity: "1"), BookLevel(price: "100", quantity: "9")],
                                sequence: 2, exchangeTime: 0, receiveTime: 0)
        let g = v.onBook(moved)
        #expect(g.count == 1 && g[0].quantity == Fixed("1.5") && g[0].price == Fixed(100) && v.restingCount == 0)
    }

    @Test func previewOnACopyChangesNothing() throws {
        let v = PaperVenue(config: PaperConfig())
        var scratch = v
        _ = scratch.submit(order("x", .buy, .limit, "1", limit: "50"), book: try book())
        #expect(scratch.restingCount == 1 && v.restingCount == 0)
    }
}
