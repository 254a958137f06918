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
                case .book, .levels, .context, .tickSize:
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
        // A buyer lifting at our bid's price never fills a bid.
        let lift = Trade(instrument: "sim:X-USD", tradeId: "1", price: "100", quantity: "5", aggressor: .buy, sequence: 1, exchangeTime: 0, receiveTime: 0)
        #expect(v.onTrade(lift).isEmpty)
        let through = Trade(instrument: "sim:X-USD", tradeId: "2", price: "99.5", quantity: "0.5", aggressor: .sell, sequence: 2, exchangeTime: 0, receiveTime: 0)
        let f = v.onTrade(through)
        #expect(f == [PaperFill(orderId: "r", price: "100", quantity: "0.5", liquidity: .maker, fee: .zero)])
        var moved = OrderBook(instrument: "sim:X-USD")
        try moved.applySnapshot(bids: [BookLevel(price: "98", quantity: "1")], asks: [BookLevel(price: "99.9", quantity: "1"), BookLevel(price: "100", quantity: "9")],
                                sequence: 2, exchangeTime: 0, receiveTime: 0)
        let g = v.onBook(moved)
        #expect(g.count == 1 && g[0].quantity == Fixed("1.5") && g[0].price == Fixed(100) && v.restingCount == 0)
    }

    func trade(_ price: Fixed, _ qty: Fixed, _ n: Int64) -> Trade {
        Trade(instrument: "sim:X-USD", tradeId: "\(n)", price: price, quantity: qty, aggressor: .sell, sequence: n, exchangeTime: 0, receiveTime: 0)
    }

    func bidBook(_ at99: Fixed, sequence: Int64) throws -> OrderBook {
        var b = OrderBook(instrument: "sim:X-USD")
        try b.applySnapshot(bids: [BookLevel(price: "99", quantity: at99), BookLevel(price: "98", quantity: "2")].filter { $0.quantity.isPositive },
                            asks: [BookLevel(price: "101", quantity: "1")], sequence: sequence, exchangeTime: 0, receiveTime: 0)
        return b
    }

    /// A resting bid behind 5 units at its level fills only once 5 units have traded there.
    @Test func queuePositionByTrades() throws {
        var v = PaperVenue(config: PaperConfig(makerFeeBps: "0"))
        #expect(v.submit(order("q", .buy, .limit, "1", limit: "99"), book: try bidBook("5", sequence: 1)).status == .open)
        #expect(v.queueAhead(orderId: "q") == Fixed(5))
        #expect(v.onTrade(trade("99", "3", 1)).isEmpty && v.queueAhead(orderId: "q") == Fixed(2))
        #expect(v.onTrade(trade("99", "2", 2)).isEmpty && v.queueAhead(orderId: "q") == .zero)
        // The level shows what the trades left (2 → 0 ahead, then others join behind us): no change.
        #expect(v.onBook(try bidBook("4", sequence: 2)).isEmpty && v.queueAhead(orderId: "q") == .zero)
        #expect(v.onTrade(trade("99", "0.4", 3)) == [PaperFill(orderId: "q", price: "99", quantity: "0.4", liquidity: .maker, fee: .zero)])
        #expect(v.onTrade(trade("99", "5", 4)) == [PaperFill(orderId: "q", price: "99", quantity: "0.6", liquidity: .maker, fee: .zero)])
        #expect(v.restingCount == 0)
    }

    /// Cancels ahead (the level shrinking with no trade) move the order up; orders joining behind do not move it back.
    @Test func queuePositionByCancels() throws {
        var v = PaperVenue(config: PaperConfig(makerFeeBps: "0"))
        _ = v.submit(order("q", .buy, .limit, "1", limit: "99"), book: try bidBook("5", sequence: 1))
        #expect(v.onBook(try bidBook("3", sequence: 2)).isEmpty && v.queueAhead(orderId: "q") == Fixed(3))
        #expect(v.onBook(try bidBook("7", sequence: 3)).isEmpty && v.queueAhead(orderId: "q") == Fixed(3))
        #expect(v.onTrade(trade("99", "2.5", 1)).isEmpty)
        #expect(v.onTrade(trade("99", "0.5", 2)).isEmpty && v.queueAhead(orderId: "q") == .zero)
        #expect(v.onTrade(trade("99", "1", 3)).map(\.quantity) == [Fixed(1)])
        // A trade through the price fills at once, queue or not.
        _ = v.submit(order("t", .buy, .limit, "1", limit: "99"), book: try bidBook("5", sequence: 4))
        #expect(v.onTrade(trade("98", "0.25", 4)).map(\.quantity) == [Fixed("0.25")])
        // A level that empties (everyone ahead cancelled) puts the order at the front.
        _ = v.submit(order("e", .buy, .limit, "1", limit: "99"), book: try bidBook("5", sequence: 5))
        _ = v.onBook(try bidBook("0", sequence: 6))
        #expect(v.queueAhead(orderId: "e") == .zero)
    }

    @Test func previewOnACopyChangesNothing() throws {
        let v = PaperVenue(config: PaperConfig())
        var scratch = v
        _ = scratch.submit(order("x", .buy, .limit, "1", limit: "50"), book: try book())
        #expect(scratch.restingCount == 1 && v.restingCount == 0)
    }
}
