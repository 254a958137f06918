import AlephBook
import AlephCore
import AlephRPC
import AlephRisk
import AlephVenues
import Logging
import Testing
@testable import AlephGateway

/// The fingerprint is stored with every intent: it must keep the exact text of the first format.
@Suite struct FingerprintTests {
    @Test func keepsTheStoredFormat() throws {
        let cases: [String] = [
            #"{"intent_id":"a","instrument":"sim:ETH-USD","side":"buy","quantity":"0.01"}"#,
            #"{"intent_id":"a","instrument":"sim:BTC-USD","side":"sell","notional":"1500.5","type":"limit","limit_price":"27345.10","post_only":true}"#,
            #"{"intent_id":"a","instrument":"x","side":"sell","quantity":"3","type":"limit","limit_price":"0.00000001","time_in_force":"ioc","reduce_only":true}"#,
        ]
        for text in cases {
            let r = try SignalRequest(try JSONParser.parse(text)["params"] ?? JSONParser.parse(text))
            let old = [r.instrument, r.side.rawValue, r.quantity.map { "q\($0)" } ?? "", r.notional.map { "n\($0)" } ?? "", r.type.rawValue,
                       r.limitPrice.map { "\($0)" } ?? "", r.timeInForce.rawValue, r.postOnly ? "po" : "", r.reduceOnly ? "ro" : ""].joined(separator: "|")
            #expect(r.fingerprint == old)
        }
    }
}

/// Runs one request line on `e` as session `s` and returns the first line it answered
/// (after the ledger made it durable). Finishes `s`'s outbox.
func roundTrip(_ e: Engine, _ s: Session, _ line: String) async throws -> JSON {
    var copy = line
    let msg = copy.withUTF8 { RPCEnvelope.decode(UnsafeRawBufferPointer($0)) }
    await e.execute(msg, session: s)
    await e.flushLedger()
    s.outbox.finish()
    let bytes = await s.outbox.nextBatch() ?? []
    let first = bytes.split(separator: 0x0A).first.map(Array.init) ?? []
    return try JSONParser.parse(first)
}

@Suite struct EngineTests {
    func setup() async throws -> (Engine, Session, ManualTimeSource) {
        let time = ManualTimeSource()
        var market = SimMarket(seed: 3)
        let engine = Engine(instruments: market.instruments, config: EngineConfig(), time: time, logger: Logger(label: "test"), ledger: try Ledger(path: ":memory:"))
        await engine.ingest(market.start(now: time.nowNanos()))
        let session = Session(id: 1, transport: "test", peer: "test", outbox: Outbox(onOverflow: { _ in }))
        await engine.register(session)
        return (engine, session, time)
    }

    func call(_ e: Engine, _ s: Session, _ line: String) async throws -> JSON { try await roundTrip(e, s, line) }

    @Test func idempotentIntents() async throws {
        let (e, _, _) = try await setup()
        let s1 = Session(id: 2, transport: "t", peer: "t", outbox: Outbox(onOverflow: { _ in }))
        let req = #"{"jsonrpc":"2.0","id":1,"method":"place_signal","params":{"intent_id":"x","instrument":"sim:ETH-USD","side":"buy","quantity":"1"}}"#
        let a = try await call(e, s1, req)
        #expect(a["result"]?["status"] == .string("filled") && a["result"]?["duplicate"] == .bool(false))
        let s2 = Session(id: 3, transport: "t", peer: "t", outbox: Outbox(onOverflow: { _ in }))
        let b = try await call(e, s2, req)
        #expect(b["result"]?["order_id"] == a["result"]?["order_id"] && b["result"]?["duplicate"] == .bool(true))
        let s3 = Session(id: 4, transport: "t", peer: "t", outbox: Outbox(onOverflow: { _ in }))
        let c = try await call(e, s3, req.replacingOccurrences(of: #""quantity":"1""#, with: #""quantity":"2""#))
        #expect(c["error"]?["data"]?["code"] == .string("intent_conflict"))
    }

    @Test func staleBookIsRejectedAsRetryable() async throws {
        let time = ManualTimeSource()
        var market = SimMarket(seed: 3)
        let e = Engine(instruments: market.instruments, config: EngineConfig(), time: time, logger: Logger(label: "t"), ledger: try Ledger(path: ":memory:"))
        await e.ingest(market.start(now: 0))
        // Drop the first delta of ETH: a gap.
        var events = market.step(now: 1) + market.step(now: 2)
        if let k = events.firstIndex(where: { if case .delta(let u) = $0 { return u.instrument == "sim:ETH-USD" }; return false }) { events.remove(at: k) }
        await e.ingest(events)
        #expect(await e.book("sim:ETH-USD")?.verified == false)
        let s = Session(id: 9, transport: "t", peer: "t", outbox: Outbox(onOverflow: { _ in }))
        let r = try await call(e, s, #"{"jsonrpc":"2.0","id":1,"method":"place_signal","params":{"intent_id":"g","instrument":"sim:ETH-USD","side":"buy","quantity":"1"}}"#)
        #expect(r["result"]?["rejection"]?["code"] == .string("stale_book") && r["result"]?["rejection"]?["retryable"] == .bool(true))
        #expect(await e.bookErrors >= 1)
    }

    @Test func marketMovesTripTheBreakerWithoutNewOrders() async throws {
        let time = ManualTimeSource()
        var market = SimMarket(seed: 5)
        var config = EngineConfig()
        config.riskLimits = RiskLimits(maxDrawdown: "1000", onBreach: .halted)
        let e = Engine(instruments: market.instruments, config: config, time: time, logger: Logger(label: "t"), ledger: try Ledger(path: ":memory:"))
        await e.ingest(market.start(now: time.nowNanos()))
        let s = Session(id: 1, transport: "stdio", peer: "t", outbox: Outbox(onOverflow: { _ in }))
        await e.register(s)
        _ = try await call(e, s, #"{"jsonrpc":"2.0","id":1,"method":"place_signal","params":{"intent_id":"big","instrument":"sim:BTC-USD","side":"buy","quantity":"0.3"}}"#)
        let s2 = Session(id: 2, transport: "stdio", peer: "t", outbox: Outbox(onOverflow: { _ in }))
        await e.register(s2)
        _ = try await call(e, s2, #"{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"channel":"risk"}}"#)
        #expect(await e.tradingState == .active)
        // Crash the bid side: a snapshot far below the entry marks the position down by thousands.
        let crash = BookUpdate(instrument: "sim:BTC-USD", bids: [BookLevel(price: "50000", quantity: "1")], asks: [BookLevel(price: "50001", quantity: "1")],
                               sequence: 1_000, exchangeTime: time.nowNanos(), receiveTime: time.nowNanos())
        await e.ingest([.snapshot(crash)])
        #expect(await e.tradingState == .halted)
    }
}
