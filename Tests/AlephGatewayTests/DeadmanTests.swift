import AlephCore
import AlephRPC
import AlephVenueKit
import AlephVenues
import Logging
import Testing
@testable import AlephGateway

/// The dead-man's switch on the engine's injected clock: re-armed by any message, fired once
/// after silence, only the silent session's orders, disconnect rules, and the venue backstop's
/// timeout rule.
@Suite struct DeadmanTests {
    /// One request on a session that stays attached; its answer.
    func send(_ e: Engine, _ s: Session, _ method: String, _ params: String = "{}") async throws -> JSON {
        var line = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#
        let msg = line.withUTF8 { RPCEnvelope.decode(UnsafeRawBufferPointer($0)) }
        await e.execute(msg, session: s)
        await e.flushLedger()
        let bytes = await s.outbox.nextBatch() ?? []
        return try JSONParser.parse(bytes.split(separator: 0x0A).first.map(Array.init) ?? [])
    }

    func setup() async throws -> (Engine, ManualTimeSource, Fixed) {
        let time = ManualTimeSource()
        var market = SimMarket(seed: 3)
        let e = Engine(instruments: market.instruments, config: EngineConfig(), time: time, logger: Logger(label: "t"), ledger: try Ledger(path: ":memory:"))
        await e.ingest(market.start(now: time.nowNanos()))
        let bid = await e.book("sim:BTC-USD")!.bestBid!.price
        return (e, time, (bid - Fixed(100)).floored(to: "0.1"))
    }

    func session(_ e: Engine, _ id: Int) async -> Session {
        let s = Session(id: id, transport: "tcp", peer: "127.0.0.1:\(id)", outbox: Outbox(onOverflow: { _ in }))
        await e.register(s)
        return s
    }

    func rest(_ e: Engine, _ s: Session, _ intent: String, _ px: Fixed) async throws -> String {
        let r = try await send(e, s, "place_signal", #"{"intent_id":"\#(intent)","instrument":"sim:BTC-USD","side":"buy","quantity":"0.01","limit_price":"\#(px)"}"#)
        #expect(r["result"]?["status"] == .string("open"), "\(r)")
        return r["result"]?["order_id"]?.stringValue ?? ""
    }

    @Test func silenceFiresOnceAndOnlyForTheSilentSession() async throws {
        let (e, time, px) = try await setup()
        let a = await session(e, 1), b = await session(e, 2)
        let armed = try await send(e, a, "session.set_deadman", #"{"timeout_ms":1000}"#)
        #expect(armed["result"]?["armed"] == .bool(true) && armed["result"]?["remaining_ms"] == .int(1000))
        let mine = try await rest(e, a, "a1", px)
        let theirs = try await rest(e, b, "b1", px)
        // Speaking re-arms: 900 ms, a ping, 900 ms more: nothing fires.
        time.advance(nanos: 900_000_000)
        _ = try await send(e, a, "ping")
        time.advance(nanos: 900_000_000)
        await e.fireExpiredDeadmen()
        #expect(await e.order(mine)?.status == .open)
        // 1.1 s of silence: the session's order is cancelled, the other session's is not.
        time.advance(nanos: 200_000_000)
        await e.fireExpiredDeadmen()
        let (m1, t1) = (await e.order(mine)?.status, await e.order(theirs)?.status)
        #expect(m1 == .cancelled && t1 == .open)
        // Fired once: disarmed, nothing more happens, the session still works.
        let risk = try await send(e, a, "get_risk")
        #expect(risk["result"]?["deadman"]?["armed"] == .bool(false))
        time.advance(nanos: 5_000_000_000)
        await e.fireExpiredDeadmen()
        #expect(await e.order(theirs)?.status == .open)
        // Disarming with 0 stops it before it fires.
        _ = try await send(e, b, "session.set_deadman", #"{"timeout_ms":100}"#)
        _ = try await send(e, b, "session.set_deadman", #"{"timeout_ms":0}"#)
        time.advance(nanos: 1_000_000_000)
        await e.fireExpiredDeadmen()
        #expect(await e.order(theirs)?.status == .open)
    }

    @Test func disconnectCancelsOrKeeps() async throws {
        let (e, _, px) = try await setup()
        let a = await session(e, 1), b = await session(e, 2), c = await session(e, 3)
        _ = try await send(e, a, "session.set_deadman", #"{"timeout_ms":60000}"#)
        _ = try await send(e, b, "session.set_deadman", #"{"timeout_ms":60000,"on_disconnect":"keep"}"#)
        let oa = try await rest(e, a, "a1", px), ob = try await rest(e, b, "b1", px), oc = try await rest(e, c, "c1", px)
        await e.unregister(a)
        await e.unregister(b)
        await e.unregister(c)
        #expect(await e.order(oa)?.status == .cancelled)
        let (sb, sc) = (await e.order(ob)?.status, await e.order(oc)?.status)
        #expect(sb == .open && sc == .open)
    }

    @Test func badParamsChangeNothing() async throws {
        let (e, _, _) = try await setup()
        let a = await session(e, 1)
        for (params, field) in [("{}", "timeout_ms"), (#"{"timeout_ms":99}"#, "timeout_ms"), (#"{"timeout_ms":86400001}"#, "timeout_ms"),
                                (#"{"timeout_ms":1000,"on_disconnect":"later"}"#, "on_disconnect")] {
            let r = try await send(e, a, "session.set_deadman", params)
            #expect(r["error"]?["data"]?["field"] == .string(field), "\(params) → \(r)")
        }
        #expect(try await send(e, a, "get_risk")["result"]?["deadman"]?["armed"] == .bool(false))
    }

    @Test func venueBackstopTimeoutStaysInTheVenueRange() {
        let hl = NativeDeadman(name: "scheduleCancel", minTimeoutMs: 6_000, maxTimeoutMs: 3_600_000)
        #expect(hl.timeout(backing: 700) == 6_000)
        #expect(hl.timeout(backing: 10_000) == 20_000)
        #expect(hl.timeout(backing: 86_400_000) == 3_600_000)
        #expect(hl.timeout(backing: Int.max) == 3_600_000)
        let okx = NativeDeadman(name: "cancel-all-after", minTimeoutMs: 10_000, maxTimeoutMs: 120_000)
        #expect(okx.timeout(backing: 30_000) == 60_000 && okx.timeout(backing: 100_000) == 120_000)
    }
}
