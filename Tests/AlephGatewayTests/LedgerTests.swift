import AlephCore
import AlephRPC
import AlephRisk
import AlephVenues
import Foundation
import GRDB
import Logging
import Synchronization
import Testing
@testable import AlephGateway

@Suite struct LedgerTests {
    static func tempPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("alephtx-ledger-\(UUID().uuidString)").path
        return (dir as NSString).appendingPathComponent("ledger.sqlite")
    }

    static func fill(_ id: String, trade: String, qty: Fixed = "1") -> Fill {
        Fill(id: id, orderId: "o-1", intentId: "i", instrument: "sim:BTC-USD", side: .buy, price: "100", quantity: qty, fee: "0.01",
             liquidity: .taker, timestamp: 1, venueTradeId: trade)
    }

    @Test func recordsSurviveReopenAndAFillDeliveredTwiceIsStoredOnce() throws {
        let path = LedgerTests.tempPath()
        do {
            let l = try Ledger(path: path)
            var o = Order(id: "o-1", intentId: "i", instrument: "sim:BTC-USD", side: .buy, type: .limit, timeInForce: .gtc, limitPrice: "100.5",
                          quantity: "2", postOnly: false, reduceOnly: false, rationale: "why", createdAt: 5)
            o.venue = "sim"
            l.append([.order(o, session: 7)])
            o.apply(fill: LedgerTests.fill("f-1", trade: "T1"))
            let t = l.append([.fill(LedgerTests.fill("f-1", trade: "T1")), .order(o, session: 7),
                              .fill(LedgerTests.fill("f-2", trade: "T1")),  // same venue trade id: ignored
                              .intent(LedgerIntent(intentId: "i", session: 7, fingerprint: "fp", params: .object([JSONMember("x", .int(1))]), rationale: "why",
                                                   receivedAt: 5, result: .object([JSONMember("status", .string("partially_filled"))]), orderId: "o-1")),
                              .risk(RiskSnapshot(state: .reducing, peakEquity: "1000.5", dayStartEquity: "999", day: 3),
                                    event: RiskEvent(at: 9, from: .active, to: .reducing, reason: "drawdown", equity: "900", limit: "50", value: "100.5"))])
            l.waitDurable()
            #expect(l.durableTicket == t && l.failure == nil)
        }
        let l2 = try Ledger(path: path)
        let s = try l2.load()
        #expect(s.orders.count == 1 && s.orders[0].order.status == .partiallyFilled && s.orders[0].order.limitPrice == "100.5" && s.orders[0].session == 7)
        #expect(s.orders[0].order.rationale == "why" && s.orders[0].order.filledQuantity == "1")
        #expect(s.fills.map(\.id) == ["f-1"])
        #expect(s.intents.first?.fingerprint == "fp" && s.intents.first?.result["status"] == .string("partially_filled"))
        #expect(s.risk == RiskSnapshot(state: .reducing, peakEquity: "1000.5", dayStartEquity: "999", day: 3))
        #expect(s.riskHistory.first?.value == "100.5" && s.riskHistory.first?.to == .reducing)
        var lines: [String] = []
        try l2.exportJournal { lines.append($0) }
        // order, fill, order, intent, risk: the ignored duplicate fill leaves no event.
        #expect(lines.count == 5)
        #expect(try lines.map { try JSONParser.parse($0)["kind"]?.stringValue ?? "" } == ["order", "fill", "order", "intent", "risk"])
    }

    @Test func theJournalIsAppendOnly() throws {
        let path = LedgerTests.tempPath()
        let l = try Ledger(path: path)
        l.append([.event(kind: "test", ref: nil, at: 1, data: .null)])
        l.waitDurable()
        let db = try DatabaseQueue(path: path)
        #expect(throws: (any Error).self) { try db.write { try $0.execute(sql: "UPDATE events SET kind = 'x'") } }
        #expect(throws: (any Error).self) { try db.write { try $0.execute(sql: "DELETE FROM events") } }
        #expect(try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events WHERE kind = 'test'") } == 1)
    }

    @Test func concurrentWritersShareCommits() async throws {
        let l = try Ledger(path: LedgerTests.tempPath())
        let n = 400
        await withTaskGroup(of: Void.self) { g in
            for k in 0..<8 {
                g.addTask {
                    for j in 0..<(n / 8) { l.append([.event(kind: "w", ref: "\(k)-\(j)", at: 1, data: .null)]) }
                }
            }
        }
        l.waitDurable()
        let (commits, records) = l.stats
        #expect(records == n)
        #expect(commits < n, "group commit: \(commits) commits for \(n) appends")
        var count = 0
        try l.exportJournal { _ in count += 1 }
        #expect(count == n)
    }

    @Test func aFailedWriteWithholdsTheAnswerAndStopsTrading() async throws {
        let path = LedgerTests.tempPath()
        let l = try Ledger(path: path)
        let sender = DurableSender()
        l.setListener(sender)
        let box = Outbox(onOverflow: { _ in })
        // Break the table under the ledger: the next fill insert fails.
        let raw = try DatabaseQueue(path: path)
        try await raw.writeWithoutTransaction { try $0.execute(sql: "DROP TABLE fills") }
        let t = l.append([.fill(LedgerTests.fill("f-1", trade: "T"))])
        sender.send(box, Array("ok".utf8), ticket: t, failure: Array("failed".utf8))
        l.waitDurable()
        for _ in 0..<100 where sender.waiting > 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(l.failure?.code == "write_failed")
        box.finish()
        let bytes = await box.nextBatch() ?? []
        #expect(String(decoding: bytes, as: UTF8.self) == "failed\n", "the outbox frames each message with a newline")
    }

    @Test func answersWaitForDurabilityAndKeepPerClientOrder() async throws {
        let sender = DurableSender()
        let a = Outbox(onOverflow: { _ in }), b = Outbox(onOverflow: { _ in })
        sender.send(a, Array("a1".utf8), ticket: 2)
        sender.send(a, Array("a2".utf8), ticket: 0)      // depends on nothing, but queues behind a1
        sender.send(b, Array("b1".utf8), ticket: 0)      // other client: goes at once
        #expect(sender.waiting == 2)
        sender.progress(.durable(1))
        #expect(sender.waiting == 2)
        sender.progress(.durable(2))
        #expect(sender.waiting == 0)
        a.finish(); b.finish()
        #expect(String(decoding: await a.nextBatch() ?? [], as: UTF8.self) == "a1\na2\n")
        #expect(String(decoding: await b.nextBatch() ?? [], as: UTF8.self) == "b1\n")
    }

    @Test func stateMachine() {
        #expect(OrderStatus.pendingSubmit.canMove(to: .open) && OrderStatus.open.canMove(to: .pendingCancel) && OrderStatus.pendingCancel.canMove(to: .filled))
        #expect(OrderStatus.uncertain.canMove(to: .filled) && OrderStatus.pendingSubmit.canMove(to: .uncertain))
        for end in [OrderStatus.filled, .cancelled, .rejected, .expired] {
            for next in OrderStatus.allCases where next != end { #expect(!end.canMove(to: next), "\(end) -> \(next)") }
        }
        #expect(!OrderStatus.open.canMove(to: .pendingSubmit) && !OrderStatus.open.canMove(to: .rejected) && !OrderStatus.uncertain.canMove(to: .pendingSubmit))
        var o = Order(id: "o", intentId: "i", instrument: "x", side: .buy, type: .limit, timeInForce: .gtc, limitPrice: "1", quantity: "1",
                      postOnly: false, reduceOnly: false, rationale: nil, createdAt: 0)
        #expect(o.move(to: .open, at: 1) && o.move(to: .cancelled, at: 2) && !o.move(to: .open, at: 3) && o.status == .cancelled)
    }
}
