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

    static func position(_ q: Fixed) -> Position {
        var p = Position(instrument: "sim:BTC-USD")
        p.quantity = q
        return p
    }

    /// Within one batch the tables keep only each row's last state, while the journal keeps every
    /// state in order; text with quotes, newlines, non-ASCII and empty strings survives both.
    @Test func aBatchJournalsEveryStateAndKeepsTheLastRow() throws {
        let path = LedgerTests.tempPath()
        let why = "say \"hi\"\nà 東京 \\ done"
        do {
            let l = try Ledger(path: path)
            var o = Order(id: "o-3", intentId: "i-3", instrument: "sim:BTC-USD", side: .sell, type: .limit, timeInForce: .gtc, limitPrice: "-0.00000001",
                          quantity: "2", postOnly: true, reduceOnly: false, rationale: why, createdAt: 5)
            o.venue = "sim"
            o.clientOrderId = ""
            var batch: [LedgerRecord] = [.order(o, session: nil)]
            _ = o.move(to: .open, reason: nil, at: 6)
            batch.append(.order(o, session: nil))
            o.apply(fill: LedgerTests.fill("f-9", trade: "T9", qty: "0.5"))
            batch += [.fill(LedgerTests.fill("f-9", trade: "T9", qty: "0.5")), .order(o, session: nil),
                      .position(LedgerTests.position("-0.5")),
                      .balance(LedgerBalance(currency: "USD", cash: "10", startingCash: "10", feesPaid: "0")),
                      .position(LedgerTests.position("-1.25")),
                      .balance(LedgerBalance(currency: "USD", cash: "12.5", startingCash: "10", feesPaid: "0.01"))]
            l.append(batch)
            l.waitDurable()
            #expect(l.failure == nil && l.stats.commits == 1)
        }
        let l2 = try Ledger(path: path)
        let s = try l2.load()
        #expect(s.orders.count == 1)
        let (row, session) = s.orders[0]
        #expect(row.status == .partiallyFilled && row.filledQuantity == "0.5" && row.limitPrice == "-0.00000001" && session == nil)
        #expect(row.rationale == why && row.clientOrderId == "" && row.postOnly && !row.reduceOnly && row.updatedAt == 1)
        #expect(s.positions["sim:BTC-USD"]?.quantity == "-1.25")
        #expect(s.balance == LedgerBalance(currency: "USD", cash: "12.5", startingCash: "10", feesPaid: "0.01"))
        var lines: [JSON] = []
        try l2.exportJournal { lines.append((try? JSONParser.parse($0)) ?? .null) }
        #expect(lines.map { $0["kind"]?.stringValue ?? "?" } == ["order", "order", "fill", "order"])
        #expect(lines.map { $0["data"]?["state"]?.stringValue ?? "-" } == ["pending_submit", "open", "-", "partially_filled"])
        #expect(lines[0]["data"]?["limit_price"] == .string("-0.00000001") && lines[3]["data"]?["filled_quantity"] == .string("0.5"))
        #expect(lines[2]["data"]?["quantity"] == .string("0.5") && lines[2]["data"]?["venue_trade_id"] == .string("T9"))
    }

    /// A record that cannot be written fails the whole batch: nothing of it remains, the failure
    /// is reported, and the ledger accepts nothing more.
    @Test func aBadRecordRollsBackItsWholeBatch() throws {
        let path = LedgerTests.tempPath()
        let l = try Ledger(path: path)
        l.append([.event(kind: "before", ref: nil, at: 1, data: .null)])
        l.waitDurable()
        let bad = Order(id: "x-1", intentId: "i", instrument: "sim:BTC-USD", side: .buy, type: .market, timeInForce: .ioc, limitPrice: nil,
                        quantity: "1", postOnly: false, reduceOnly: false, rationale: nil, createdAt: 1)
        l.append([.event(kind: "in_batch", ref: nil, at: 2, data: .null), .order(bad, session: 1)])
        l.waitDurable()
        #expect(l.failure?.code == "corrupt")
        let db = try DatabaseQueue(path: path)
        #expect(try db.read { try String.fetchAll($0, sql: "SELECT kind FROM events ORDER BY seq") } == ["before"])
        #expect(try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM orders") } == 0)
    }

    /// Under continuous writes the WAL restarts once it passes the reset size instead of growing
    /// without end (a checkpoint from the background connection alone never completes).
    @Test func theWALStaysBoundedUnderContinuousWrites() throws {
        let path = LedgerTests.tempPath()
        let l = try Ledger(path: path, resetFrames: 64)
        let blob = JSON.string(String(repeating: "x", count: 3000))
        let start = Date()
        var n = 0
        while Date().timeIntervalSince(start) < 0.6 {
            l.append([.event(kind: "load", ref: "\(n)", at: Int64(n), data: blob)])
            n += 1
            if n % 4 == 0 { l.waitDurable() }
        }
        l.waitDurable()
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        // Every append writes at least one 4 KiB page: unbounded, the WAL would hold them all.
        #expect(n > 400, "wrote \(n) events")
        #expect(wal < 2 * 1024 * 1024, "WAL is \(wal) bytes after \(n) appends")
        #expect(wal < n * 4096 / 2)
        #expect(try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events WHERE kind = 'load'") } == n)
    }

    /// A ledger written by the first schema opens under the current one with its intents intact.
    @Test func aV1LedgerMigrates() throws {
        let path = LedgerTests.tempPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do {
            let db = try DatabaseQueue(path: path)
            try LedgerSchema.migrator.migrate(db, upTo: "v1")
            try db.write { db in
                for (id, t) in [("late", 20), ("early", 10)] {
                    try db.execute(sql: "INSERT INTO intents (intent_id, session, fingerprint, params, rationale, received_at, result, order_id) VALUES (?, 1, 'fp', '{}', NULL, ?, '{\"status\":\"filled\"}', NULL)",
                                   arguments: [id, t])
                }
            }
        }
        let l = try Ledger(path: path)
        let s = try l.load()
        #expect(s.intents.map(\.intentId) == ["early", "late"])
        l.append([.intent(LedgerIntent(intentId: "new", session: 2, fingerprint: "f", params: .null, rationale: nil, receivedAt: 30, result: .null, orderId: nil))])
        l.waitDurable()
        #expect(l.failure == nil)
        // Writing an intent id again records its outcome in the same row: ids stay unique.
        l.append([.intent(LedgerIntent(intentId: "early", session: 2, fingerprint: "f", params: .null, rationale: nil, receivedAt: 40,
                                       result: .object([JSONMember("status", .string("open"))]), orderId: "o-9"))])
        l.waitDurable()
        #expect(l.failure == nil)
        let again = try l.load()
        #expect(again.intents.map(\.intentId) == ["early", "late", "new"], "the intent id stays unique after the migration")
        #expect(again.intents[0].result["status"] == .string("open") && again.intents[0].orderId == "o-9")
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
        sender.send(box, Array("ok".utf8), ticket: t, failure: .bytes(Array("failed".utf8)))
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
