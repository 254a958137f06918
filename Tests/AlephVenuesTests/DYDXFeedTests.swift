import AlephBook
import AlephCore
import AlephRPC
import AlephVenueKit
import AlephVenues
import Testing

@Suite struct DYDXFeedTests {
    let btc = DYDXMarket(ticker: "BTC-USD", clobPairId: 0, atomicResolution: -10, quantumConversionExponent: -9, stepBaseQuantums: 1_000_000, subticksPerTick: 100_000)
    let eth = DYDXMarket(ticker: "ETH-USD", clobPairId: 1, atomicResolution: -9, quantumConversionExponent: -9, stepBaseQuantums: 1_000_000, subticksPerTick: 100_000)

    /// The spec's examples (they are in the vectors too), exact in both directions.
    @Test func quantumsAndSubticks() throws {
        #expect(btc.stepSize == Fixed("0.0001") && btc.tickSize == Fixed(1) && eth.stepSize == Fixed("0.001") && eth.tickSize == Fixed("0.1"))
        #expect(try btc.quantums("0.01") == 100_000_000 && btc.subticks("65000") == 6_500_000_000)
        #expect(try eth.quantums("0.5") == 500_000_000 && eth.subticks("3456.7") == 3_456_700_000)
        #expect(btc.size(quantums: 100_000_000) == Fixed("0.01") && eth.price(subticks: 3_456_700_000) == Fixed("3456.7"))
        // Not a whole number of steps: refused, not rounded.
        #expect(throws: DYDXMarket.ConversionError.self) { try btc.quantums("0.00015") }
        #expect(throws: DYDXMarket.ConversionError.self) { try btc.subticks("65000.5") }
        #expect(throws: DYDXMarket.ConversionError.self) { try eth.subticks("3456.75") }
        #expect(throws: DYDXMarket.ConversionError.self) { try btc.quantums("0") }
        #expect(btc.instrument.id == "dydx:BTC-USD-PERP" && btc.instrument.kind == .perp)
        let parsed = try DYDXMarket.parse(try JSONParser.parse(Array(#"{"markets":{"BTC-USD":{"clobPairId":"0","atomicResolution":-10,"quantumConversionExponent":-9,"stepBaseQuantums":1000000,"subticksPerTick":100000,"status":"ACTIVE"}}}"#.utf8)))
        #expect(parsed["BTC-USD"] == btc)
        #expect(throws: DYDXMarket.ConversionError.self) { try DYDXMarket.parse(try JSONParser.parse(Array(#"{"markets":{"X":{"clobPairId":1}}}"#.utf8))) }
    }

    func frame(_ s: String, _ a: inout DYDXAdapter, _ t: Int64 = 1) throws -> AdapterOutput {
        try Array(s.utf8).withUnsafeBytes { try a.onFrame($0, receiveTime: t) }
    }

    @Test func snapshotUpdatesTradesAndACrossedBook() throws {
        var a = DYDXAdapter(url: "ws://x", instruments: ["BTC-USD": "dydx:BTC-USD-PERP"])
        #expect(a.subscribeFrames.count == 2 && !a.allSynced)
        // Updates before the snapshot are ignored.
        #expect(try frame(#"{"type":"channel_data","channel":"v4_orderbook","id":"BTC-USD","message_id":1,"contents":{"bids":[["100","1"]]}}"#, &a).events.isEmpty)
        var out = try frame(#"{"type":"subscribed","channel":"v4_orderbook","id":"BTC-USD","message_id":2,"contents":{"bids":[{"price":"100","size":"1"},{"price":"99","size":"2"}],"asks":[{"price":"101","size":"3"}]}}"#, &a)
        guard case .book(let b)? = out.events.first else { Issue.record("no book"); return }
        #expect(b.verified && b.bestBid?.price == Fixed(100) && b.bestAsk?.quantity == Fixed(3) && a.allSynced)
        out = try frame(#"{"type":"channel_batch_data","channel":"v4_orderbook","id":"BTC-USD","message_id":3,"contents":[{"bids":[["100","0"]]},{"asks":[["100.5","4"]]}]}"#, &a)
        #expect(out.events.count == 2)
        var engineBook = b
        for e in out.events { if case .levels(let u) = e { try engineBook.applyUpdate(bids: u.bids, asks: u.asks, sequence: u.sequence, exchangeTime: 0, receiveTime: 0) } }
        #expect(engineBook.bestBid?.price == Fixed(99) && engineBook.bestAsk?.price == Fixed("100.5"))
        out = try frame(#"{"type":"channel_data","channel":"v4_trades","id":"BTC-USD","message_id":4,"contents":{"trades":[{"id":"t1","side":"SELL","size":"0.5","price":"99","createdAt":"2026-01-01T00:00:00Z"}]}}"#, &a)
        guard case .trade(let t)? = out.events.first else { Issue.record("no trade"); return }
        #expect(t.aggressor == .sell && t.quantity == Fixed("0.5") && t.tradeId == "t1")
        // A bid through the ask: the book is dropped and resubscribed.
        out = try frame(#"{"type":"channel_data","channel":"v4_orderbook","id":"BTC-USD","message_id":5,"contents":{"bids":[["102","1"]]}}"#, &a)
        #expect(out.resyncs == 1 && out.send.count == 2 && !a.allSynced)
        guard case .book(let dropped)? = out.events.last else { Issue.record("no invalidation"); return }
        #expect(!dropped.verified)
        #expect(throws: WireError.self) { try frame(#"{"type":"subscribed","channel":"v4_orderbook","id":"BTC-USD","message_id":6,"contents":{"bids":[{"price":"x","size":"1"}]}}"#, &a) }
        #expect(try frame(#"{"type":"error","message":"Invalid subscribe message"}"#, &a).problem?.contains("Invalid") == true)
    }
}
