import AlephCore
import AlephRPC
import AlephVenueKit
import AlephVenues
import Foundation
import GRDB
import Logging
import Testing
@testable import AlephGateway

/// The engine's side of the executor layer, driven by a scripted remote venue: write-ahead before
/// a send, uncertain never resent, forward-only merging, refusals that keep the intent id, and a
/// duplicate that arrives while the first attempt is still at the venue.
@Suite struct ExecutionLayerTests {
    /// An engine on a file ledger with the sim instruments, trading "sim:BTC-USD" through `ext`.
    func setup(_ ext: ScriptedExecutor, path: String = LedgerTests.tempPath()) async throws -> (Engine, Session, String) {
        var market = SimMarket(seed: 3)
        var instruments = market.instruments
        // Route the BTC book's instrument to the scripted venue.
        for k in instruments.indices where instruments[k].id == "sim:BTC-USD" { instruments[k].venue = ext.venue }
        var config = EngineConfig()
        config.riskLimits = .init()
        let e = Engine(instruments: instruments, config: config, time: SystemTimeSource(), logger: Logger(label: "t"), ledger: try Ledger(path: path),
                       executors: [ext])
        await e.ingest(market.start(now: SystemTimeSource().nowNanos()))
        await e.markReconciled(venue: ext.venue, report: .null)
        let s = Session(id: 1, transport: "stdio", peer: "t", outbox: Outbox(onOverflow: { _ in }))
        await e.register(s)
        return (e, s, path)
    }

    /// One request on a fresh session (the round-trip helper finishes a session's outbox).
    func call(_ e: Engine, _ line: String) async throws -> JSON {
        let s = Session(id: Int.random(in: 100...1_000_000), transport: "stdio", peer: "t", outbox: Outbox(onOverflow: { _ in }))
        await e.register(s)
        defer { Task { await e.unregister(s) } }
        return try await roundTrip(e, s, line)
    }

    static func signal(_ id: String, qty: String = "0.01", limit: String? = nil) -> String {
        let lp = limit.map { #","limit_price":"\#($0)""# } ?? ""
        return #"{"jsonrpc":"2.0","id":1,"method":"place_signal","params":{"intent_id":"\#(id)","instrument":"sim:BTC-USD","side":"buy","quantity":"\#(qty)"\#(lp)}}"#
    }

    /// True when the order with this client id is in the ledger file (read by a separate connection).
    static func durable(_ path: String, _ cid: String?) -> Bool {
        guard let cid, let db = try? DatabaseQueue(path: path) else { return false }
        return ((try? db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM orders WHERE client_order_id = ?", arguments: [cid]) }) ?? 0) == 1
    }

    @Test func anOrderIsDurableBeforeItLeavesAndUncertainIsNeverResent() async throws {
        let path = LedgerTests.tempPath()
        let ext = ScriptedExecutor(probe: { o in ExecutionLayerTests.durable(path, o.clientOrderId) })
        ext.script(.uncertain("no answer"))
        let (e, _, _) = try await setup(ext, path: path)
        let r = try await call(e, Self.signal("a"))
        #expect(r["result"]?["status"] == .string("uncertain"), "\(r)")
        #expect(ext.durableWhenSent == [true])
        // The same intent again: the first outcome, nothing sent.
        let again = try await call(e, Self.signal("a"))
        #expect(again["result"]?["duplicate"] == .bool(true) && again["result"]?["current"]?["status"] == .string("uncertain"))
        #expect(ext.submitted.count == 1)
        // Not found yet (inside the window): still uncertain; then found filled: merged once.
        let o1 = await e.order("o-1")!
        await e.resolve(orderId: "o-1", .notFound, finalAfterMs: 60_000)
        #expect(await e.order("o-1")?.status == .uncertain)
        let fill = VenueFill(venueTradeId: "ext:1", price: "65000", quantity: "0.01", fee: "0.1", liquidity: .taker, timestamp: 1)
        await e.resolve(orderId: "o-1", .found(VenueOrderState(clientOrderId: o1.clientOrderId!, venueOrderId: "V1", status: .filled, filledQuantity: "0.01",
                                                               fills: [fill])), finalAfterMs: 60_000)
        #expect(await e.order("o-1")?.status == .filled && ext.submitted.count == 1)
    }

    @Test func notFoundAfterTheWindowEndsRejectedNeverPlaced() async throws {
        let ext = ScriptedExecutor()
        ext.script(.uncertain("reset"))
        let (e, _, _) = try await setup(ext)
        _ = try await call(e, Self.signal("b"))
        await e.resolve(orderId: "o-1", .notFound, finalAfterMs: 0)
        let o = await e.order("o-1")
        #expect(o?.status == .rejected && o?.reason?.contains("never reached the venue") == true)
        #expect(await e.unsettledOrders(venue: "ext").isEmpty)
    }

    @Test func aVenueRefusalKeepsTheIntentIdAndAStaleReportNeverMovesBack() async throws {
        let ext = ScriptedExecutor()
        ext.script(.rejected(VenueRejection(code: .insufficientBalance, venueCode: "-2010", message: "insufficient")))
        let (e, _, _) = try await setup(ext)
        let r = try await call(e, Self.signal("c", limit: "60000"))
        #expect(r["result"]?["status"] == .string("rejected") && r["result"]?["rejection"]?["code"] == .string("insufficient_balance"))
        #expect(r["result"]?["rejection"]?["venue_code"] == .string("-2010"))
        // Resent with the same id: a second attempt (a new order and client id), not a duplicate.
        let cid2 = ClientOrderIds(tag: "").prefix
        _ = cid2
        ext.script(.acknowledged(VenueOrderState(clientOrderId: "", venueOrderId: "V2", status: .open)))
        let r2 = try await call(e, Self.signal("c", limit: "60000"))
        #expect(r2["result"]?["duplicate"] == .bool(false) && r2["result"]?["order_id"] == .string("o-2"), "\(r2)")
        // The venue's ack carried no client id: the order is found by its own id when reports come.
        let o2 = await e.order("o-2")!
        #expect(o2.status == .open || o2.status == .pendingSubmit)
        let f = VenueFill(venueTradeId: "ext:9", price: "60000", quantity: "0.004", fee: "0", liquidity: .maker, timestamp: 2)
        await e.applyExecution(.order(VenueOrderState(clientOrderId: o2.clientOrderId!, venueOrderId: "V2", status: .partiallyFilled, fills: [f])), venue: "ext")
        // A stale "open" after the partial fill does not move it back.
        await e.applyExecution(.order(VenueOrderState(clientOrderId: o2.clientOrderId!, venueOrderId: "V2", status: .open)), venue: "ext")
        #expect(await e.order("o-2")?.status == .partiallyFilled)
        await e.applyExecution(.order(VenueOrderState(clientOrderId: o2.clientOrderId!, venueOrderId: "V2", status: .cancelled)), venue: "ext")
        await e.applyExecution(.order(VenueOrderState(clientOrderId: o2.clientOrderId!, venueOrderId: "V2", status: .open)), venue: "ext")
        let final = await e.order("o-2")
        #expect(final?.status == .cancelled && final?.filledQuantity == "0.004")
    }

    @Test func aDuplicateWhileTheFirstIsAtTheVenueWaitsForItsOutcome() async throws {
        let gate = AsyncGate()
        let ext = GatedExecutor(gate: gate)
        let (e, s, _) = try await setup(ext.inner)
        _ = s
        async let first = roundTrip(e, Session(id: 2, transport: "stdio", peer: "a", outbox: Outbox(onOverflow: { _ in })), Self.signal("d"))
        // Let the first reach the venue, then send the duplicate.
        try await Task.sleep(for: .milliseconds(100))
        async let second = roundTrip(e, Session(id: 3, transport: "stdio", peer: "b", outbox: Outbox(onOverflow: { _ in })), Self.signal("d"))
        try await Task.sleep(for: .milliseconds(100))
        #expect(ext.inner.submitted.count == 1)
        gate.open()
        let (a, b) = try await (first, second)
        #expect(a["result"]?["status"] == .string("open") && b["result"]?["duplicate"] == .bool(true))
        #expect(b["result"]?["order_id"] == a["result"]?["order_id"] && ext.inner.submitted.count == 1)
    }

    @Test func aCancelAllWhileAnOrderIsBeingPlacedCancelsItOnceTheVenueAnswers() async throws {
        let gate = AsyncGate()
        let ext = GatedExecutor(gate: gate)
        let (e, _, _) = try await setup(ext.inner)
        async let placed = roundTrip(e, Session(id: 2, transport: "stdio", peer: "a", outbox: Outbox(onOverflow: { _ in })), Self.signal("p", limit: "60000"))
        // Wait until the request is at the venue (its answer held at the gate).
        for _ in 0..<500 where ext.inner.submitted.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let placing = await e.order("o-1")?.status
        #expect(ext.inner.submitted.count == 1 && placing == .pendingSubmit)
        // Called off while its request is at the venue: listed as pending, nothing sent yet.
        let all = try await call(e, #"{"jsonrpc":"2.0","id":2,"method":"cancel_all","params":{}}"#)
        #expect(all["result"]?["pending"] == .array([.string("o-1")]) && all["result"]?["count"] == .int(0), "\(all)")
        #expect(ext.inner.state.withLock { $0.cancelled.isEmpty })
        let cid = await e.order("o-1")!.clientOrderId!
        ext.inner.scriptCancel(.done(VenueOrderState(clientOrderId: cid, venueOrderId: "V1", status: .cancelled)))
        gate.open()
        let a = try await placed
        #expect(a["result"]?["order_id"] == .string("o-1"), "\(a)")
        // The venue's answer came back "open": the cancel followed at once.
        #expect(ext.inner.state.withLock { $0.cancelled.map(\.id) } == ["o-1"])
        let o = await e.order("o-1")
        #expect(o?.status == .cancelled && o?.reason == "cancelled by cancel_all", "\(String(describing: o))")
        #expect(await e.cancelsDue(venue: "ext", retryAfterNs: 0).isEmpty)
        #expect(await e.cancelsWanted.isEmpty)
    }

    @Test func anOrderCalledOffThatTheVenueRefusedNeedsNoCancel() async throws {
        let gate = AsyncGate()
        let ext = GatedExecutor(gate: gate)
        ext.inner.state.withLock { $0.outcomes = [.rejected(VenueRejection(code: .insufficientBalance, venueCode: "-2010", message: "insufficient"))] }
        let (e, _, _) = try await setup(ext.inner)
        async let placed = roundTrip(e, Session(id: 2, transport: "stdio", peer: "a", outbox: Outbox(onOverflow: { _ in })), Self.signal("q", limit: "60000"))
        for _ in 0..<500 where ext.inner.submitted.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let all = try await call(e, #"{"jsonrpc":"2.0","id":2,"method":"cancel_all","params":{}}"#)
        #expect(all["result"]?["pending"] == .array([.string("o-1")]), "\(all)")
        gate.open()
        let a = try await placed
        #expect(a["result"]?["status"] == .string("rejected"))
        let left = await e.cancelsDue(venue: "ext", retryAfterNs: 0)
        #expect(ext.inner.state.withLock { $0.cancelled.isEmpty } && left.isEmpty)
    }

    @Test func cancelOrderWhileTheOrderIsBeingPlacedIsKeptAndSentOnceTheVenueAnswers() async throws {
        let gate = AsyncGate()
        let ext = GatedExecutor(gate: gate)
        let path = LedgerTests.tempPath()
        let (e, _, _) = try await setup(ext.inner, path: path)
        async let placed = roundTrip(e, Session(id: 2, transport: "stdio", peer: "a", outbox: Outbox(onOverflow: { _ in })), Self.signal("c", limit: "60000"))
        for _ in 0..<500 where ext.inner.submitted.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let c = try await call(e, #"{"jsonrpc":"2.0","id":2,"method":"cancel_order","params":{"intent_id":"c"}}"#)
        #expect(c["result"]?["status"] == .string("pending_submit") && c["result"]?["cancel_requested"] == .string("cancelled by request"), "\(c)")
        #expect(ext.inner.state.withLock { $0.cancelled.isEmpty })
        // The request is durable before the venue answers.
        await e.flushLedger()
        let stored = try Ledger(path: path).load().orders.first { $0.order.id == "o-1" }?.order
        #expect(stored?.status == .pendingSubmit && stored?.cancelRequested == "cancelled by request")
        let cid = await e.order("o-1")!.clientOrderId!
        ext.inner.scriptCancel(.done(VenueOrderState(clientOrderId: cid, venueOrderId: "V1", status: .cancelled)))
        gate.open()
        _ = try await placed
        #expect(ext.inner.state.withLock { $0.cancelled.map(\.id) } == ["o-1"])
        #expect(await e.order("o-1")?.status == .cancelled)
    }

    @Test func aCancelTheVenueTookButNeverDidIsSentAgainWhileTheOrderStaysLive() async throws {
        let ext = ScriptedExecutor()
        ext.script(.acknowledged(VenueOrderState(clientOrderId: "", venueOrderId: "V1", status: .open)))
        let (e, _, _) = try await setup(ext)
        _ = try await call(e, Self.signal("r", limit: "60000"))
        let cid = await e.order("o-1")!.clientOrderId!
        // The cancel's answer is lost: pending_cancel, settled by lookups.
        ext.scriptCancel(.uncertain("timeout"))
        let c = try await call(e, #"{"jsonrpc":"2.0","id":2,"method":"cancel_order","params":{"order_id":"o-1"}}"#)
        #expect(c["result"]?["status"] == .string("pending_cancel"), "\(c)")
        // Not due while nothing says the venue still has it.
        #expect(await e.cancelsDue(venue: "ext", retryAfterNs: 0).isEmpty)
        // A lookup finds it still open: due once the retry window has passed, not before.
        let open = VenueOrderState(clientOrderId: cid, venueOrderId: "V1", status: .open)
        await e.resolve(orderId: "o-1", .found(open), finalAfterMs: 0)
        #expect(await e.order("o-1")?.status == .pendingCancel)
        #expect(await e.cancelsDue(venue: "ext", retryAfterNs: 60_000_000_000).isEmpty)
        #expect(await e.cancelsDue(venue: "ext", retryAfterNs: 0) == ["o-1"])
        ext.scriptCancel(.done(VenueOrderState(clientOrderId: cid, venueOrderId: "V1", status: .cancelled)))
        await e.retryCancel("o-1")
        #expect(ext.state.withLock { $0.cancelled.count } == 2)
        #expect(await e.order("o-1")?.status == .cancelled)
        #expect(await e.cancelsDue(venue: "ext", retryAfterNs: 0).isEmpty)
        #expect(await e.cancelsWanted.isEmpty)
    }

    @Test func aCancelRefusedOutrightIsNotKeptAndNotRetried() async throws {
        let ext = ScriptedExecutor()
        ext.script(.acknowledged(VenueOrderState(clientOrderId: "", venueOrderId: "V1", status: .open)))
        let (e, _, _) = try await setup(ext)
        _ = try await call(e, Self.signal("n", limit: "60000"))
        ext.scriptCancel(.rejected(VenueRejection(code: .venueRateLimited, message: "slow down", retryable: true)))
        let c = try await call(e, #"{"jsonrpc":"2.0","id":2,"method":"cancel_order","params":{"order_id":"o-1"}}"#)
        #expect(c["error"]?["data"]?["code"] == .string("rate_limited"), "\(c)")
        let o = await e.order("o-1")
        #expect(o?.status == .open && o?.cancelRequested == nil)
        #expect(await e.cancelsDue(venue: "ext", retryAfterNs: 0).isEmpty)
    }

    @Test func aCancelAskedForBeforeACrashIsSentAfterTheRestartOnceTheOrderIsFoundLive() async throws {
        let path = LedgerTests.tempPath()
        let gate = AsyncGate()
        let ext = GatedExecutor(gate: gate)
        let cid: String
        do {
            let (e, _, _) = try await setup(ext.inner, path: path)
            let placing = Task { try await roundTrip(e, Session(id: 2, transport: "stdio", peer: "a", outbox: Outbox(onOverflow: { _ in })), Self.signal("k", limit: "60000")) }
            for _ in 0..<500 where ext.inner.submitted.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            let all = try await call(e, #"{"jsonrpc":"2.0","id":2,"method":"cancel_all","params":{}}"#)
            #expect(all["result"]?["pending"] == .array([.string("o-1")]))
            cid = await e.order("o-1")!.clientOrderId!
            await e.flushLedger()
            // The process dies here: the venue's answer never comes back to this engine.
            placing.cancel()
        }
        let ext2 = ScriptedExecutor()
        let e2 = Engine(instruments: try await setupInstruments(), config: EngineConfig(), time: SystemTimeSource(), logger: Logger(label: "t"),
                        ledger: try Ledger(path: path), executors: [ext2])
        await e2.restore(from: try Ledger(path: path).load())
        let restored = await e2.order("o-1")
        #expect(restored?.status == .pendingSubmit && restored?.cancelRequested == "cancelled by cancel_all")
        // Reconciliation finds the order resting at the venue: its cancel is due at once.
        await e2.resolve(orderId: "o-1", .found(VenueOrderState(clientOrderId: cid, venueOrderId: "V9", status: .open)), finalAfterMs: 0)
        #expect(await e2.order("o-1")?.status == .open)
        #expect(await e2.cancelsDue(venue: "ext", retryAfterNs: 60_000_000_000) == ["o-1"])
        ext2.scriptCancel(.done(VenueOrderState(clientOrderId: cid, venueOrderId: "V9", status: .cancelled)))
        await e2.retryCancel("o-1")
        #expect(ext2.state.withLock { $0.cancelled.map(\.id) } == ["o-1"])
        let o = await e2.order("o-1")
        #expect(o?.status == .cancelled && o?.reason == "cancelled by cancel_all", "\(String(describing: o))")
        #expect(ext2.submitted.isEmpty)
    }

    /// The instruments `setup` routes (the BTC book on venue `ext`).
    func setupInstruments() async throws -> [Instrument] {
        var instruments = SimMarket(seed: 3).instruments
        for k in instruments.indices where instruments[k].id == "sim:BTC-USD" { instruments[k].venue = "ext" }
        return instruments
    }
}

/// Opens once.
final class AsyncGate: @unchecked Sendable {
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isOpen = false
    private let lock = NSLock()
    func wait() async {
        await withCheckedContinuation { c in
            lock.lock()
            if isOpen { lock.unlock(); c.resume(); return }
            waiters.append(c)
            lock.unlock()
        }
    }
    func open() {
        lock.lock()
        isOpen = true
        let w = waiters
        waiters = []
        lock.unlock()
        w.forEach { $0.resume() }
    }
}

/// A scripted venue whose submits wait at a gate (an order "at the venue" without its answer).
final class GatedExecutor: @unchecked Sendable {
    let inner: ScriptedExecutor
    init(gate: AsyncGate) {
        inner = ScriptedExecutor(venue: "ext")
        inner.gate = gate
        inner.script(.acknowledged(VenueOrderState(clientOrderId: "", venueOrderId: "G1", status: .open)))
    }
}
