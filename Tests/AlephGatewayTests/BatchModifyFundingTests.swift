import AlephCore
import AlephRPC
import AlephVenueKit
import AlephVenues
import Foundation
import Logging
import Testing
@testable import AlephGateway

/// JSON-RPC batches of signals as venue batches, `modify_order` (paper and a cancel-replacing
/// venue), and funding payments booked once across restarts.
@Suite struct BatchModifyFundingTests {
    let layer = ExecutionLayerTests()

    /// A whole-batch line on a fresh session: the array of answers.
    func batch(_ e: Engine, _ calls: [String]) async throws -> [JSON] {
        let s = Session(id: Int.random(in: 100...1_000_000), transport: "stdio", peer: "t", outbox: Outbox(onOverflow: { _ in }))
        await e.register(s)
        let r = try await roundTrip(e, s, "[" + calls.joined(separator: ",") + "]")
        return r.arrayValue ?? []
    }

    static func signal(_ n: Int, _ intent: String, qty: String, limit: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(n),"method":"place_signal","params":{"intent_id":"\#(intent)","instrument":"sim:BTC-USD","side":"buy","quantity":"\#(qty)","limit_price":"\#(limit)"}}"#
    }

    @Test func aBatchOfSignalsGoesToTheVenueAsOneRequestWithAnOutcomeEach() async throws {
        let ext = ScriptedExecutor(batchLimit: 10)
        ext.script(.acknowledged(VenueOrderState(clientOrderId: "", venueOrderId: "V1", status: .open)),
                   .rejected(VenueRejection(code: .insufficientBalance, venueCode: "perpMarginRejected", message: "Insufficient margin to place order.")),
                   .acknowledged(VenueOrderState(clientOrderId: "", venueOrderId: "V3", status: .open)))
        let (e, _, _) = try await layer.setup(ext)
        let bid = await e.book("sim:BTC-USD")!.bestBid!.price
        let lp = (bid - Fixed(100)).floored(to: "0.1").description
        let answers = try await batch(e, [Self.signal(1, "x1", qty: "0.01", limit: lp), Self.signal(2, "x2", qty: "0.02", limit: lp),
                                          Self.signal(3, "x3", qty: "0.03", limit: lp), Self.signal(4, "x1", qty: "0.01", limit: lp)])
        #expect(answers.map { $0["id"]?.intValue } == [1, 2, 3, 4])
        #expect(answers[0]["result"]?["status"] == .string("open") && answers[2]["result"]?["status"] == .string("open"))
        #expect(answers[1]["result"]?["status"] == .string("rejected") && answers[1]["result"]?["rejection"]?["code"] == .string("insufficient_balance"))
        // The repeat of x1 is answered after the batch as its duplicate; nothing more was sent.
        #expect(answers[3]["result"]?["duplicate"] == .bool(true) && answers[3]["result"]?["order_id"] == answers[0]["result"]?["order_id"])
        #expect(ext.batches == [3] && ext.submitted.count == 3)
        // The refused intent is free again.
        ext.script(.acknowledged(VenueOrderState(clientOrderId: "", venueOrderId: "V4", status: .open)))
        let again = try await layer.call(e, Self.signal(5, "x2", qty: "0.01", limit: lp))
        #expect(again["result"]?["status"] == .string("open") && again["result"]?["duplicate"] == .bool(false))
    }

    @Test func aCancelReplaceKeepsTheOrderWhenTheOldLegEnds() async throws {
        let ext = ScriptedExecutor(modifies: true)
        ext.script(.acknowledged(VenueOrderState(clientOrderId: "", venueOrderId: "V1", status: .open)))
        let (e, _, _) = try await layer.setup(ext)
        let bid = await e.book("sim:BTC-USD")!.bestBid!.price
        let lp = (bid - Fixed(100)).floored(to: "0.1")
        _ = try await layer.call(e, Self.signal(1, "m1", qty: "0.01", limit: lp.description))
        let cid = await e.order("o-1")!.clientOrderId!
        let newPrice = lp - Fixed(1)
        ext.scriptModify(.done(VenueOrderState(clientOrderId: cid, venueOrderId: "V2", status: .open, limitPrice: newPrice, quantity: "0.02")))
        let m = try await layer.call(e, #"{"jsonrpc":"2.0","id":2,"method":"modify_order","params":{"order_id":"o-1","limit_price":"\#(newPrice)","quantity":"0.02"}}"#)
        #expect(m["result"]?["venue_order_id"] == .string("V2") && m["result"]?["quantity"] == .string("0.0200"), "\(m)")
        #expect(ext.modified.first?.quantity == Fixed(stringLiteral: "0.02") && ext.modified.first?.price == newPrice)
        // The venue reports the old leg cancelled: the order lives on; the new leg's cancel ends it.
        await e.applyExecution(.order(VenueOrderState(clientOrderId: cid, venueOrderId: "V1", status: .cancelled)), venue: "ext")
        let kept = await e.order("o-1")
        #expect(kept?.status == .open && kept?.limitPrice == newPrice)
        await e.applyExecution(.order(VenueOrderState(clientOrderId: cid, venueOrderId: "V2", status: .cancelled)), venue: "ext")
        #expect(await e.order("o-1")?.status == .cancelled)
        // A venue refusal changes nothing; an unanswered modify is looked up.
        ext.script(.acknowledged(VenueOrderState(clientOrderId: "", venueOrderId: "V5", status: .open)))
        _ = try await layer.call(e, Self.signal(3, "m2", qty: "0.01", limit: lp.description))
        ext.scriptModify(.rejected(VenueRejection(code: .venueRejected, venueCode: "tickRejected", message: "Price must be divisible by tick size.")), .uncertain("timeout"))
        let refused = try await layer.call(e, #"{"jsonrpc":"2.0","id":4,"method":"modify_order","params":{"order_id":"o-2","limit_price":"\#(newPrice)"}}"#)
        #expect(refused["error"]?["data"]?["code"] == .string("modify_rejected") && refused["error"]?["data"]?["rejection"]?["venue_code"] == .string("tickRejected"))
        #expect(await e.order("o-2")?.limitPrice == lp)
        let lost = try await layer.call(e, #"{"jsonrpc":"2.0","id":5,"method":"modify_order","params":{"order_id":"o-2","limit_price":"\#(newPrice)"}}"#)
        #expect(lost["error"]?["data"]?["code"] == .string("venue_unavailable"))
        let unsettled = await e.unsettledOrders(venue: "ext")
        #expect(unsettled.map(\.id) == ["o-2"])
        let cid2 = await e.order("o-2")!.clientOrderId!
        await e.resolve(orderId: "o-2", .found(VenueOrderState(clientOrderId: cid2, venueOrderId: "V6", status: .open, limitPrice: newPrice)), finalAfterMs: 0)
        let settled = await e.order("o-2")
        let left = await e.unsettledOrders(venue: "ext")
        #expect(settled?.limitPrice == newPrice && left.isEmpty)
    }

    @Test func modifyOnPaperPassesTheGateAndCanTrade() async throws {
        var market = SimMarket(seed: 3)
        let time = ManualTimeSource(start: SystemTimeSource().nowNanos())  // the book never ages, however loaded the machine
        let e = Engine(instruments: market.instruments, config: EngineConfig(), time: time, logger: Logger(label: "t"), ledger: try Ledger(path: ":memory:"))
        await e.ingest(market.start(now: time.nowNanos()))
        let book = await e.book("sim:BTC-USD")!
        let lp = (book.bestBid!.price - Fixed(50)).floored(to: "0.1")
        _ = try await layer.call(e, Self.signal(1, "p1", qty: "0.01", limit: lp.description))
        #expect(await e.order("o-1")?.status == .open)
        func modify(_ params: String) async throws -> JSON {
            try await layer.call(e, #"{"jsonrpc":"2.0","id":9,"method":"modify_order","params":{\#(params)}}"#)
        }
        // Off the grid: refused by the gate with its corrected price; the order is unchanged.
        let off = try await modify(#""intent_id":"p1","limit_price":"\#(lp)05""#)
        #expect(off["error"]?["data"]?["code"] == .string("modify_rejected") && off["error"]?["data"]?["rejection"]?["code"] == .string("tick_size"), "\(off)")
        #expect(await e.order("o-1")?.limitPrice == lp)
        // Not above what is filled, nothing to change, unknown order.
        #expect(try await modify(#""intent_id":"p1""#)["error"]?["data"]?["field"] == .string("limit_price"))
        #expect(try await modify(#""order_id":"o-99","quantity":"1""#)["error"]?["data"]?["code"] == .string("order_not_found"))
        // A new size at a new price rests; a crossing price takes liquidity at once.
        let moved = try await modify(#""intent_id":"p1","limit_price":"\#(lp - Fixed(1))","quantity":"0.02""#)
        let after = await e.order("o-1")
        #expect(moved["result"]?["quantity"] != nil && after?.quantity == Fixed(stringLiteral: "0.02"))
        let ask = await e.book("sim:BTC-USD")!.bestAsk!.price
        let crossed = try await modify(#""order_id":"o-1","limit_price":"\#(ask + Fixed(10))""#)
        #expect(crossed["result"]?["status"] == .string("filled"), "\(crossed)")
        let done = try await modify(#""order_id":"o-1","limit_price":"\#(lp)""#)
        #expect(done["error"]?["data"]?["code"] == .string("order_not_modifiable"))
        // A venue without in-place modification says so.
        let ext = ScriptedExecutor()
        ext.script(.acknowledged(VenueOrderState(clientOrderId: "", venueOrderId: "V1", status: .open)))
        let (e2, _, _) = try await layer.setup(ext)
        _ = try await layer.call(e2, Self.signal(1, "q1", qty: "0.01", limit: lp.description))
        let no = try await layer.call(e2, #"{"jsonrpc":"2.0","id":9,"method":"modify_order","params":{"order_id":"o-1","quantity":"0.02"}}"#)
        #expect(no["error"]?["data"]?["code"] == .string("not_implemented"))
    }

    @Test func fundingIsBookedOnceAndSurvivesARestart() async throws {
        let ext = ScriptedExecutor()
        let (e, _, path) = try await layer.setup(ext)
        let f = VenueFunding(instrument: "sim:BTC-USD", amount: "-1.25", rate: "0.0001", positionSize: "0.5", timestamp: 1_700_000_000_000_000_000, id: "ext:BTC:1")
        await e.applyExecution(.funding([f]), venue: "ext")
        await e.applyExecution(.funding([f]), venue: "ext")
        let pos = try await layer.call(e, #"{"jsonrpc":"2.0","id":1,"method":"get_positions","params":{"instrument":"sim:BTC-USD"}}"#)
        #expect(pos["result"]?["positions"]?.arrayValue?.first?["funding"] == .string("-1.25"), "\(pos)")
        await e.flushLedger()
        let ext2 = ScriptedExecutor()
        let e2 = Engine(instruments: SimMarket(seed: 3).instruments.map { var i = $0; if i.id == "sim:BTC-USD" { i.venue = "ext" }; return i },
                        config: EngineConfig(), time: SystemTimeSource(), logger: Logger(label: "t"), ledger: try Ledger(path: path), executors: [ext2])
        await e2.restore(from: try Ledger(path: path).load())
        await e2.applyExecution(.funding([f]), venue: "ext")
        let again = try await layer.call(e2, #"{"jsonrpc":"2.0","id":1,"method":"get_positions","params":{"instrument":"sim:BTC-USD"}}"#)
        #expect(again["result"]?["positions"]?.arrayValue?.first?["funding"] == .string("-1.25"), "\(again)")
    }
}
