import AlephCore
import AlephRPC
import AlephRisk
import AlephVenues
import Foundation
import Logging
import Testing
@testable import AlephGateway

@Suite struct RestartTests {
    func engine(_ path: String, time: ManualTimeSource, market: inout SimMarket) async throws -> (Engine, Session) {
        let ledger = try Ledger(path: path)
        var config = EngineConfig()
        config.riskLimits = RiskLimits()  // no limits: these tests are about the ledger
        let e = Engine(instruments: market.instruments, config: config, time: time, logger: Logger(label: "t"), ledger: ledger)
        let snap = try ledger.load()
        if !snap.isEmpty { await e.restore(from: snap) }
        await e.ingest(market.start(now: time.nowNanos()))
        let s = Session(id: 1, transport: "stdio", peer: "t", outbox: Outbox(onOverflow: { _ in }))
        await e.register(s)
        return (e, s)
    }

    func call(_ e: Engine, _ line: String) async throws -> JSON {
        let s = Session(id: Int.random(in: 100...1_000_000), transport: "stdio", peer: "t", outbox: Outbox(onOverflow: { _ in }))
        await e.register(s)
        let answer = try await roundTrip(e, s, line)
        await e.unregister(s)
        return answer
    }

    static func signal(_ id: String, _ side: String, _ qty: String, limit: String? = nil) -> String {
        let lp = limit.map { #","limit_price":"\#($0)""# } ?? ""
        return #"{"jsonrpc":"2.0","id":1,"method":"place_signal","params":{"intent_id":"\#(id)","instrument":"sim:BTC-USD","side":"\#(side)","quantity":"\#(qty)"\#(lp)}}"#
    }

    @Test func restartRebuildsStateAndRetriesTradeNothing() async throws {
        let path = LedgerTests.tempPath()
        let time = ManualTimeSource()
        var m1 = SimMarket(seed: 11)
        let (e1, _) = try await engine(path, time: time, market: &m1)
        let a = try await call(e1, RestartTests.signal("m1", "buy", "0.5"))
        let b = try await call(e1, RestartTests.signal("m2", "sell", "0.2"))
        let rest = try await call(e1, RestartTests.signal("l1", "buy", "0.3", limit: "1000"))
        #expect(a["result"]?["status"] == .string("filled") && b["result"]?["status"] == .string("filled"))
        #expect(rest["result"]?["status"] == .string("open"))
        let p1 = await e1.currentPortfolio
        let fills1 = await e1.fills.count

        // A new engine on the same file: same state, nothing trades twice.
        var m2 = SimMarket(seed: 11)
        let (e2, _) = try await engine(path, time: time, market: &m2)
        #expect(await e2.currentPortfolio == p1)
        #expect(await e2.fills.count == fills1)
        #expect(await (e2.executor(for: "sim") as? PaperExecutor)?.restingCount == 1)
        let again = try await call(e2, RestartTests.signal("m1", "buy", "0.5"))
        #expect(again["result"]?["duplicate"] == .bool(true) && again["result"]?["order_id"] == a["result"]?["order_id"])
        let conflict = try await call(e2, RestartTests.signal("m1", "buy", "0.6"))
        #expect(conflict["error"]?["data"]?["code"] == .string("intent_conflict"))
        #expect(await e2.fills.count == fills1)
        // New ids continue after the restored ones.
        let c = try await call(e2, RestartTests.signal("m3", "buy", "0.1"))
        #expect(c["result"]?["order_id"] == .string("o-4"))
        // The restored resting order still trades: a print through its limit fills it.
        await e2.ingest([.trade(Trade(instrument: "sim:BTC-USD", tradeId: "x", price: "999", quantity: "1", aggressor: .sell, sequence: 1, exchangeTime: 1, receiveTime: 1))])
        await e2.flushLedger()
        #expect(await e2.order("o-3")?.status == .filled)
        let cancel = try await call(e2, #"{"jsonrpc":"2.0","id":1,"method":"cancel_order","params":{"order_id":"o-3"}}"#)
        #expect(cancel["error"]?["data"]?["code"] == .string("order_not_cancellable"))
    }

    @Test func aFillDeliveredTwiceMovesThePositionOnce() async throws {
        let time = ManualTimeSource()
        var m = SimMarket(seed: 2)
        let (e, _) = try await engine(":memory:", time: time, market: &m)
        _ = try await call(e, RestartTests.signal("r", "buy", "1", limit: "1000"))
        let cid = await e.order("o-1")!.clientOrderId!
        let f = VenueFill(venueTradeId: "V-1", price: "1000", quantity: "0.4", fee: "0.1", liquidity: .maker, timestamp: 5)
        let report = VenueOrderState(clientOrderId: cid, status: nil, fills: [f])
        await e.applyExecution(.order(report), venue: "sim")
        await e.applyExecution(.order(report), venue: "sim")
        await e.flushLedger()
        #expect(await e.currentPortfolio.positions["sim:BTC-USD"]?.quantity == "0.4")
        #expect(await e.order("o-1")?.status == .partiallyFilled)
        #expect(await e.fills.count == 1)
    }

    @Test func uncertainOrdersAreLookedUpNotResent() async throws {
        let path = LedgerTests.tempPath()
        let time = ManualTimeSource()
        // A ledger left by a live executor: one order sent with no answer, for venue "ext".
        let cid: String
        do {
            let l = try Ledger(path: path)
            cid = ClientOrderIds(tag: l.clientIdTag).id(forOrder: "o-7")
            var o = Order(id: "o-7", intentId: "u", instrument: "sim:BTC-USD", side: .buy, type: .limit, timeInForce: .gtc, limitPrice: "100",
                          quantity: "2", postOnly: false, reduceOnly: false, rationale: nil, createdAt: 1)
            o.venue = "ext"
            o.live = true
            o.clientOrderId = cid
            o.status = .uncertain
            l.append([.order(o, session: nil)])
            l.waitDurable()
        }
        let ext = ScriptedExecutor(venue: "ext")
        let e = Engine(instruments: SimMarket(seed: 2).instruments, config: EngineConfig(), time: time, logger: Logger(label: "t"),
                       ledger: try Ledger(path: path), executors: [ext])
        await e.restore(from: try Ledger(path: path).load())
        #expect(await e.order("o-7")?.status == .uncertain)
        #expect(await e.unsettledOrders(venue: "ext").map(\.id) == ["o-7"])
        let fill = VenueFill(venueTradeId: "X-9", price: "100", quantity: "2", fee: "0", liquidity: .maker, timestamp: 3)
        let found = VenueOrderState(clientOrderId: cid, venueOrderId: "EXT-1", status: .filled, filledQuantity: "2", fills: [fill, fill])
        await e.resolve(orderId: "o-7", .found(found), finalAfterMs: 0)
        let o7 = await e.order("o-7")
        #expect(o7?.status == .filled && o7?.venueOrderId == "EXT-1")
        #expect(await e.currentPortfolio.positions["sim:BTC-USD"]?.quantity == "2")
        // Resolving again finds nothing new; nothing was ever resent.
        await e.resolve(orderId: "o-7", .found(found), finalAfterMs: 0)
        #expect(await e.fills.count == 1)
        #expect(ext.submitted.isEmpty)
        #expect(await e.unsettledOrders(venue: "ext").isEmpty)
    }

    /// Limits changed at runtime survive a restart while the configured limits are the ones they
    /// were made against; once the configuration changes, it wins.
    @Test func runtimeLimitChangesSurviveARestartUntilTheConfigChanges() async throws {
        let path = LedgerTests.tempPath()
        let time = ManualTimeSource()
        var m1 = SimMarket(seed: 5)
        let (e1, _) = try await engine(path, time: time, market: &m1)
        let g = try await call(e1, #"{"jsonrpc":"2.0","id":1,"method":"set_risk_limits","params":{"limits":{"max_open_orders":3,"max_drawdown":"25"}}}"#)
        #expect(g["result"]?["limits"]?["max_open_orders"] == .int(3), "\(g)")
        _ = try await call(e1, #"{"jsonrpc":"2.0","id":2,"method":"set_risk_limits","params":{"instrument":"sim:BTC-USD","limits":{"max_order_notional":"123"}}}"#)
        let bad = try await call(e1, #"{"jsonrpc":"2.0","id":3,"method":"set_risk_limits","params":{"limits":{"max_open_orders":2,"nope":"1"}}}"#)
        #expect(bad["error"] != nil)

        var m2 = SimMarket(seed: 5)
        let (e2, _) = try await engine(path, time: time, market: &m2)
        let r2 = try await call(e2, #"{"jsonrpc":"2.0","id":4,"method":"get_risk"}"#)
        #expect(r2["result"]?["limits"]?["max_open_orders"] == .int(3) && r2["result"]?["limits"]?["max_drawdown"] == .string("25"), "\(r2)")
        #expect(r2["result"]?["instrument_limits"]?["sim:BTC-USD"]?["max_order_notional"] == .string("123"))
        // The refused call changed nothing, before or after the restart.
        #expect(r2["result"]?["limits"]?["max_open_orders"] != .int(2))

        // Another configuration: the runtime changes were made against the old one and are dropped.
        let ledger = try Ledger(path: path)
        var config = EngineConfig()
        config.riskLimits = RiskLimits()
        config.riskLimits.maxOpenOrders = 50
        var m3 = SimMarket(seed: 5)
        let e3 = Engine(instruments: m3.instruments, config: config, time: time, logger: Logger(label: "t"), ledger: ledger)
        let report = await e3.restore(from: try ledger.load())
        #expect(report.limitChanges == 0 && report.limitChangesDropped == 2)
        await e3.ingest(m3.start(now: time.nowNanos()))
        let r3 = try await call(e3, #"{"jsonrpc":"2.0","id":5,"method":"get_risk"}"#)
        #expect(r3["result"]?["limits"]?["max_open_orders"] == .int(50) && r3["result"]?["limits"]?["max_drawdown"] == .null, "\(r3)")
    }
}
