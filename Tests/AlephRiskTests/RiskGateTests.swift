import AlephBook
import AlephCore
import Testing
@testable import AlephRisk

let inst = Instrument(venue: "t", base: "BTC", quote: "USD", kind: .spot, tickSize: "0.1", lotSize: "0.001", minNotional: "5")
let t0: Int64 = 1_800_000_000_000_000_000

func testBook(receivedAt: Int64 = t0, verified: Bool = true) -> OrderBook {
    var b = OrderBook(instrument: inst.id)
    try! b.applySnapshot(bids: [BookLevel(price: "99.9", quantity: "1"), BookLevel(price: "99.8", quantity: "2"), BookLevel(price: "99", quantity: "10")],
                         asks: [BookLevel(price: "100.1", quantity: "1"), BookLevel(price: "100.2", quantity: "2"), BookLevel(price: "101", quantity: "10")],
                         sequence: 1, exchangeTime: receivedAt, receiveTime: receivedAt)
    if !verified { try? b.applyDelta(bids: [], asks: [], sequence: 5, exchangeTime: 0, receiveTime: receivedAt) }
    return b
}

func state(_ edit: (inout RiskState) -> Void = { _ in }) -> RiskState {
    var s = RiskState(instrument: InstrumentRules(inst), book: testBook(), equity: "1000", peakEquity: "1000", dayStartEquity: "1000")
    edit(&s)
    return s
}

func buy(_ q: Fixed, limit: Fixed? = nil, reduceOnly: Bool = false) -> RiskIntent {
    RiskIntent(instrument: inst.id, side: .buy, quantity: q, type: limit == nil ? .market : .limit, limitPrice: limit,
               timeInForce: limit == nil ? .ioc : .gtc, reduceOnly: reduceOnly)
}

func sell(_ q: Fixed, limit: Fixed? = nil, reduceOnly: Bool = false) -> RiskIntent {
    RiskIntent(instrument: inst.id, side: .sell, quantity: q, type: limit == nil ? .market : .limit, limitPrice: limit,
               timeInForce: limit == nil ? .ioc : .gtc, reduceOnly: reduceOnly)
}

func check(_ o: RiskIntent, _ s: RiskState = state(), _ l: RiskLimits = RiskLimits(), now: Int64 = t0) -> RiskDecision {
    RiskGate.check(o, s, l, now: now)
}

@Suite struct RiskGateTests {
    @Test func approvesAPlainOrderAndListsEveryCheck() {
        let d = check(buy("1", limit: "100"), state(), .defaults)
        #expect(d.approved)
        #expect(d.allResults.map(\.check) == RiskCheck.ordered)
        #expect(d.result(.maxOrderNotional).headroom == Fixed("24900"))
        #expect(d.result(.priceCollar).outcome == .passed && d.result(.maxSlippage).outcome == .skipped)
    }

    @Test func halted() {
        let d = check(sell("0.1"), state { $0.tradingState = .halted; $0.position = "1" })
        #expect(d.rejection?.code == .halted && d.rejection?.retryable == false)
        #expect(check(sell("0.1"), state { $0.position = "1" }).approved)
    }

    @Test func reduceOnly() {
        let reducing = state { $0.tradingState = .reducing; $0.position = "0.5" }
        #expect(check(sell("0.5"), reducing).approved)
        let r = check(sell("0.6"), reducing).rejection
        #expect(r?.code == .reduceOnly && r?.limit == Fixed("0.5") && r?.value == Fixed("0.6") && r?.maxAllowedQuantity == Fixed("0.5"))
        let b = check(buy("0.1"), reducing).rejection
        #expect(b?.code == .reduceOnly && b?.limit == .zero && b?.maxAllowedQuantity == nil)
        #expect(check(buy("0.1", reduceOnly: true), state { $0.position = "-1" }).approved)
        #expect(check(buy("0.1", reduceOnly: true), state()).rejection?.code == .reduceOnly)
    }

    @Test func unknownInstrument() {
        let d = check(buy("1"), state { $0.instrument = nil })
        #expect(d.rejection?.code == .unknownInstrument && d.result(.tickSize).outcome == .skipped)
    }

    @Test func tickSize() {
        #expect(check(buy("1", limit: "100")).approved)
        let r = check(buy("1", limit: "100.05")).rejection
        #expect(r?.code == .tickSize && r?.limit == Fixed("0.1") && r?.value == Fixed("100.05") && r?.correctedPrice == Fixed("100"))
        #expect(check(sell("1", limit: "100.05")).rejection?.correctedPrice == Fixed("100.1"))
    }

    @Test func lotSize() {
        let r = check(buy("0.0515")).rejection
        #expect(r?.code == .lotSize && r?.limit == Fixed("0.001") && r?.value == Fixed("0.0515") && r?.maxAllowedQuantity == Fixed("0.051"))
        #expect(check(buy("0.0005")).rejection?.correctedQuantity == Fixed("0.001"))
    }

    @Test func minNotional() {
        #expect(check(buy("0.05", limit: "100")).approved) // exactly 5
        let r = check(buy("0.049", limit: "100")).rejection
        #expect(r?.code == .minNotional && r?.limit == Fixed(5) && r?.value == Fixed("4.9") && r?.correctedQuantity == Fixed("0.05"))
    }

    @Test func maxOrderQuantity() {
        let l = RiskLimits(maxOrderQuantity: "1")
        #expect(check(buy("1", limit: "100"), state(), l).approved)
        let r = check(buy("1.001", limit: "100"), state(), l).rejection
        #expect(r?.code == .maxOrderQuantity && r?.limit == Fixed(1) && r?.value == Fixed("1.001") && r?.maxAllowedQuantity == Fixed(1))
    }

    @Test func maxOrderNotional() {
        let l = RiskLimits(maxOrderNotional: "1000")
        #expect(check(buy("10", limit: "100"), state(), l).approved)
        let r = check(buy("10.001", limit: "100"), state(), l).rejection
        #expect(r?.code == .maxOrderNotional && r?.limit == Fixed(1000) && r?.value == Fixed("1000.1") && r?.maxAllowedQuantity == Fixed(10))
        // Market orders are valued at their expected average fill.
        let m = check(buy("3"), state(), RiskLimits(maxOrderNotional: "300")).rejection
        #expect(m?.code == .maxOrderNotional && m?.value == Fixed("300.5"))
    }

    @Test func maxPositionCountsOpenOrders() {
        let l = RiskLimits(maxPositionNotional: "1000") // mark = mid 100 → 10 units
        let s = state { $0.position = "5"; $0.openBuyQuantity = "2" }
        #expect(check(buy("3", limit: "100"), s, l).approved)
        let r = check(buy("3.001", limit: "100"), s, l).rejection
        #expect(r?.code == .maxPosition && r?.limit == Fixed(1000) && r?.value == Fixed("1000.1") && r?.maxAllowedQuantity == Fixed(3))
        let flip = check(sell("100", limit: "99"), s, l).rejection
        #expect(flip?.code == .maxPosition && flip?.maxAllowedQuantity == Fixed(15))
        #expect(check(sell("5", limit: "100"), state { $0.position = "50" }, l).approved) // reducing always passes
    }

    @Test func maxGrossExposure() {
        let l = RiskLimits(maxGrossNotional: "2000")
        let s = state { $0.grossNotional = "1500" }
        #expect(check(buy("5", limit: "100"), s, l).approved)
        let r = check(buy("5.001", limit: "100"), s, l).rejection
        #expect(r?.code == .maxGrossExposure && r?.value == Fixed("2000.1") && r?.maxAllowedQuantity == Fixed(5))
        #expect(check(sell("5", limit: "100"), state { $0.grossNotional = "5000"; $0.position = "5" }, l).approved)
    }

    @Test func maxOpenOrders() {
        let l = RiskLimits(maxOpenOrders: 10, maxOpenOrdersPerInstrument: 2)
        #expect(check(buy("1", limit: "99"), state { $0.openOrdersOnInstrument = 1; $0.openOrders = 1 }, l).approved)
        let r = check(buy("1", limit: "99"), state { $0.openOrdersOnInstrument = 2; $0.openOrders = 2 }, l).rejection
        #expect(r?.code == .maxOpenOrders && r?.limit == Fixed(2) && r?.value == Fixed(3))
        let t = check(buy("1", limit: "99"), state { $0.openOrdersOnInstrument = 0; $0.openOrders = 10 }, l).rejection
        #expect(t?.code == .maxOpenOrders && t?.limit == Fixed(10) && t?.value == Fixed(11))
        #expect(check(buy("1"), state { $0.openOrders = 99 }, l).result(.maxOpenOrders).outcome == .skipped)
    }

    @Test func rateLimitOnAManualClock() {
        let l = RiskLimits(maxOrdersPerSecond: 2)
        var bucket = TokenBucket(rate: 2, now: t0)
        #expect(check(buy("1", limit: "100"), state { $0.sessionBucket = bucket }, l).approved)
        bucket.take(at: t0)
        bucket.take(at: t0)
        let r = check(buy("1", limit: "100"), state { $0.sessionBucket = bucket }, l).rejection
        #expect(r?.code == .rateLimited && r?.retryable == true && r?.retryAfterMs == 500 && r?.limit == Fixed(2) && r?.value == Fixed(3))
        #expect(check(buy("1", limit: "100"), state { $0.sessionBucket = bucket }, l, now: t0 + 499_000_000).rejection?.retryAfterMs == 1)
        #expect(check(buy("1", limit: "100"), state { $0.sessionBucket = bucket }, l, now: t0 + 500_000_000).approved)
        #expect(check(buy("1", limit: "100"), state { $0.venueBucket = bucket }, l).rejection?.code == .rateLimited)
        #expect(bucket.available(at: t0 + 10_000_000_000) == 2) // never above the burst
    }

    @Test func priceCollar() {
        let l = RiskLimits(priceCollarBps: 100) // mid 100 → band 1.0: 101 / 99
        #expect(check(buy("1", limit: "101"), state(), l).approved)
        let r = check(buy("1", limit: "101.1"), state(), l).rejection
        #expect(r?.code == .priceCollar && r?.limit == Fixed(1) && r?.value == Fixed("1.1") && r?.correctedPrice == Fixed(101))
        #expect(check(sell("1", limit: "98.9"), state(), l).rejection?.correctedPrice == Fixed(99))
        #expect(check(buy("1", limit: "50"), state(), l).approved) // passive is never through the mid
    }

    @Test func maxSlippage() {
        let l = RiskLimits(maxSlippageBps: 50)
        #expect(check(buy("3"), state(), l).approved)
        let r = check(buy("13"), state(), l).rejection // 1310.5 walked vs 1300 at mid: cost 10.5, allowance 6.5
        #expect(r?.code == .maxSlippage && r?.limit == Fixed("6.5") && r?.value == Fixed("10.5") && r?.maxAllowedQuantity == Fixed(5))
        #expect(check(buy("5"), state(), l).approved) // the suggested size passes, exactly at the bound
        #expect(check(buy("5.001"), state(), l).rejection?.code == .maxSlippage)
    }

    @Test func staleBook() {
        let l = RiskLimits(maxBookAgeMs: 1000)
        #expect(check(buy("1", limit: "100"), state(), l, now: t0 + 1_000_000_000).approved)
        let r = check(buy("1", limit: "100"), state(), l, now: t0 + 1_001_000_000).rejection
        #expect(r?.code == .staleBook && r?.retryable == true && r?.limit == Fixed(1000) && r?.value == Fixed(1001))
        #expect(check(buy("1", limit: "100"), state { $0.book = testBook(verified: false) }, l).rejection?.code == .staleBook)
        #expect(check(buy("1", limit: "100"), state { $0.book = OrderBook(instrument: "") }, l).rejection?.code == .staleBook)
    }

    @Test func drawdownBreaker() {
        let l = RiskLimits(maxDrawdown: "100", dailyLossLimit: "50")
        #expect(check(buy("1", limit: "100"), state { $0.equity = "960"; $0.dayStartEquity = "1000"; $0.peakEquity = "1060" }, l).approved)
        #expect(check(buy("1", limit: "100"), state { $0.equity = "950"; $0.dayStartEquity = "1000"; $0.peakEquity = "1050" }, l).approved) // both at the boundary
        let dd = check(buy("1", limit: "100"), state { $0.equity = "899"; $0.peakEquity = "1000"; $0.dayStartEquity = "900" }, l)
        #expect(dd.rejection?.code == .drawdownBreaker && dd.breach == RiskBreach(kind: .drawdown, limit: "100", value: "101"))
        let daily = check(buy("1", limit: "100"), state { $0.equity = "949"; $0.peakEquity = "1000"; $0.dayStartEquity = "1000" }, l)
        #expect(daily.breach == RiskBreach(kind: .dailyLoss, limit: "50", value: "51") && daily.rejection?.value == Fixed(51))
        let reducing = check(sell("1", limit: "100"), state { $0.equity = "800"; $0.peakEquity = "1000"; $0.position = "2" }, l)
        #expect(reducing.approved && reducing.breach != nil)
    }

    @Test func sessionBudget() {
        let l = RiskLimits(sessionDailyNotional: "1000")
        #expect(check(buy("5", limit: "100"), state { $0.sessionNotionalToday = "500" }, l).approved)
        let r = check(buy("5.001", limit: "100"), state { $0.sessionNotionalToday = "500" }, l).rejection
        #expect(r?.code == .sessionBudget && r?.limit == Fixed(1000) && r?.value == Fixed("1000.1") && r?.maxAllowedQuantity == Fixed(5))
    }

    @Test func firstFailureInOrderWins() {
        let l = RiskLimits(maxOrderQuantity: "1", priceCollarBps: 10)
        let d = check(buy("2", limit: "150.05"), state(), l)
        #expect(d.rejection?.code == .tickSize)
        #expect(d.result(.maxOrderQuantity).outcome == .failed && d.result(.priceCollar).outcome == .failed)
    }
}

@Suite struct RiskExtremesTests {
    @Test func hugeAgesRatesAndLimitsDoNotTrap() {
        let l = RiskLimits(maxOrdersPerSecond: 1_000_000, priceCollarBps: 1_000_000, maxSlippageBps: 1_000_000, maxBookAgeMs: 86_400_000)
        let far = t0 + 86_400_000_000_000 * 365
        let d = check(buy("1", limit: "100"), state { $0.sessionBucket = TokenBucket(rate: 1_000_000, now: 0) }, l, now: far)
        #expect(d.rejection?.code == .staleBook && d.rejection?.value == Fixed.units((far - t0) / 1_000_000))
        let ancient = check(buy("1", limit: "100"), state(), l, now: Int64.max)
        #expect(ancient.rejection?.code == .staleBook && ancient.rejection!.value! > Fixed.units(86_400_000))
        var b = TokenBucket(rate: 1_000_000, now: 0)
        b.take(at: 0)
        #expect(b.available(at: 0) == 999_999 && b.available(at: 999) == 999_999 && b.available(at: 1_000) == 1_000_000)
        #expect(b.available(at: Int64.max / 2) == 1_000_000)
    }
}
