import AlephBook
import AlephCore
import AlephRPC
import AlephVenueKit
import AlephVenues
import Testing

@Suite struct DYDXExecutionTests {
    let btc = DYDXMarket(ticker: "BTC-USD", clobPairId: 0, atomicResolution: -10, quantumConversionExponent: -9, stepBaseQuantums: 1_000_000, subticksPerTick: 100_000)
    let owner = "dydx1navfnxx0ywpgtdjevkkmk2k79lvr37jtmp8y6t"

    func order(_ type: OrderType, _ tif: TimeInForce, price: Fixed?, qty: Fixed = "0.002", cid: String = "axk3p9q1042", postOnly: Bool = false,
               reduceOnly: Bool = false) -> Order {
        var o = Order(id: "o-1042", intentId: "i", instrument: "dydx:BTC-USD-PERP", side: .buy, type: type, timeInForce: tif, limitPrice: price,
                      quantity: qty, postOnly: postOnly, reduceOnly: reduceOnly, rationale: nil, createdAt: 0)
        o.clientOrderId = cid
        return o
    }

    func context(shortTermLimits: Bool = false) -> DYDXOrders.Context {
        DYDXOrders.Context(owner: owner, subaccount: 0, height: 5_000, nowSeconds: 1_800_000_000, goodTilBlocks: 20, statefulTTLSeconds: 86_400,
                           slippageBps: 100, shortTermLimits: shortTermLimits)
    }

    /// Client ids go to 32 bits and metadata and back; other clients' orders keep a dydx: name.
    @Test func clientIdsRoundTrip() throws {
        for cid in ["axk3p9q1042", "ax000001", "axzzzzz4294967295", "axabcde7"] {
            let ids = try #require(DYDXClientIds.chain(cid))
            #expect(ids.metadata >> 26 == 0x2A)
            #expect(DYDXClientIds.clientOrderId(clientId: ids.clientId, metadata: ids.metadata, orderFlags: 64, clobPairId: 0) == cid)
        }
        // Two ledgers do not share client ids for the same order number.
        #expect(DYDXClientIds.chain("axaaaaa5")!.clientId != DYDXClientIds.chain("axaaaab5")!.clientId)
        #expect(DYDXClientIds.chain("axk3p9q") == nil && DYDXClientIds.chain("axK3P9Q1") == nil && DYDXClientIds.chain("ax12345x9") == nil)
        #expect(DYDXClientIds.chain("axk3p9q4294967296") == nil)
        #expect(DYDXClientIds.clientOrderId(clientId: 7, metadata: 2, orderFlags: 0, clobPairId: 1) == "dydx:0:1:7")
    }

    /// Market → short-term IOC at a protective price on the tick grid; GTC → long-term with a time;
    /// the chain's stateless rules refuse at once.
    @Test func ordersToChainOrders() throws {
        var book = OrderBook(instrument: "dydx:BTC-USD-PERP")
        try book.applySnapshot(bids: [BookLevel(price: "99999", quantity: "1")], asks: [BookLevel(price: "100001", quantity: "1")], sequence: 1, exchangeTime: 0, receiveTime: 0)
        let m = try DYDXOrders.build(order(.market, .ioc, price: nil), market: btc, book: book, context: context()).get()
        #expect(m.id.orderFlags == 0 && m.timeInForce == 1 && m.goodTil == .block(5_020) && m.quantums == 20_000_000)
        // 100001 × 1.01 = 101001.01 → floored to the 1 USD tick.
        #expect(m.subticks == 10_100_100_000)
        #expect(DYDXClientIds.clientOrderId(clientId: m.id.clientId, metadata: m.clientMetadata, orderFlags: 0, clobPairId: 0) == "axk3p9q1042")
        let l = try DYDXOrders.build(order(.limit, .gtc, price: "99000", postOnly: true), market: btc, book: nil, context: context()).get()
        #expect(l.id.orderFlags == 64 && l.timeInForce == 2 && l.goodTil == .time(1_800_086_400))
        let q = try DYDXOrders.build(order(.limit, .gtc, price: "99000"), market: btc, book: nil, context: context(shortTermLimits: true)).get()
        #expect(q.id.orderFlags == 0 && q.timeInForce == 0 && q.goodTil == .block(5_020))
        func refused(_ o: Order, book: OrderBook? = nil) -> String? {
            if case .failure(let r) = DYDXOrders.build(o, market: btc, book: book, context: context()) { return r.venueCode }
            return nil
        }
        #expect(refused(order(.limit, .fok, price: "99000")) == "48")
        #expect(refused(order(.limit, .gtc, price: "99000", reduceOnly: true)) == "9003")
        #expect(refused(order(.limit, .gtc, price: Fixed("99000.5"))) == "6")
        #expect(refused(order(.limit, .gtc, price: "99000", qty: "0.00015")) == "4")
        #expect(refused(order(.market, .ioc, price: nil)) == "no_liquidity")
        #expect(refused(order(.limit, .gtc, price: "99000", cid: "custom-1")) == "client_id")
        #expect(refused(order(.limit, .ioc, price: "99000", reduceOnly: true)) == nil)
    }

    /// Broadcast answers, codes, sequences, times and Indexer order states.
    @Test func wireDecoding() throws {
        #expect(DYDXExecWire.broadcast(Array(#"{"tx_response":{"code":0,"txhash":"AB12","raw_log":""}}"#.utf8)) == .accepted(txHash: "AB12"))
        let refused = DYDXExecWire.broadcast(Array(#"{"tx_response":{"code":32,"codespace":"sdk","raw_log":"account sequence mismatch, expected 8, got 7: incorrect account sequence","txhash":"X"}}"#.utf8))
        guard case .refused(let space, let code, let log)? = refused else { Issue.record("not refused"); return }
        #expect(space == "sdk" && code == 32 && DYDXExecWire.expectedSequence(log) == 8)
        #expect(DYDXExecWire.broadcast(Array("not json".utf8)) == nil && DYDXExecWire.broadcast(Array(#"{"tx_response":{"code":0}}"#.utf8)) == nil)
        #expect(DYDXExecWire.rejection(codespace: "clob", code: 2003, log: "").code == .postOnlyWouldCross)
        #expect(DYDXExecWire.rejection(codespace: "clob", code: 3007, log: "").code == .insufficientBalance)
        #expect(DYDXExecWire.rejection(codespace: "sdk", code: 4, log: "").code == .venueAuth)
        #expect(DYDXExecWire.alreadyThere(codespace: "sdk", code: 19) && !DYDXExecWire.alreadyThere(codespace: "clob", code: 19))
        #expect(DYDXExecWire.time("1970-01-01T00:00:01.5Z") == 1_500_000_000)
        #expect(DYDXExecWire.time("2026-12-01T18:00:00.000Z") == 1_796_148_000_000_000_000)
        #expect(DYDXExecWire.time("2026-13-01T00:00:00Z") == nil && DYDXExecWire.time("soon") == nil)
        let ids = DYDXClientIds.chain("axk3p9q1042")!
        func state(_ status: String, tif: String = "GTT", filled: String = "0", gtb: String? = "5020", height: Int64 = 5_000, cancel: Bool = false) throws -> VenueOrderState {
            let text = #"{"id":"u-1","clientId":"\#(ids.clientId)","clientMetadata":"\#(ids.metadata)","clobPairId":"0","orderFlags":"0","side":"BUY","size":"0.002","totalFilled":"\#(filled)","price":"99000","status":"\#(status)","timeInForce":"\#(tif)","goodTilBlock":\#(gtb.map { "\"\($0)\"" } ?? "null"),"ticker":"BTC-USD","updatedAt":"2026-12-01T18:00:00.000Z"}"#
            let o = try #require(DYDXExecWire.order(try JSONParser.parse(Array(text.utf8))))
            #expect(o.clientOrderId == "axk3p9q1042")
            return DYDXExecWire.state(o, height: height, nowNs: 0, cancelRequested: cancel)
        }
        #expect(try state("BEST_EFFORT_OPENED").status == .open && state("OPEN", filled: "0.001").status == .partiallyFilled)
        #expect(try state("FILLED", filled: "0.002").status == .filled)
        #expect(try state("CANCELED", tif: "IOC").status == .expired && state("CANCELED", tif: "IOC", filled: "0.001").status == .cancelled)
        #expect(try state("BEST_EFFORT_CANCELED", height: 5_021).status == .expired)
        #expect(try state("BEST_EFFORT_CANCELED", height: 5_021, cancel: true).status == .cancelled)
        // Our cancel, best effort, before the order's good-til-block: it may still match elsewhere.
        #expect(try state("BEST_EFFORT_CANCELED", height: 5_010, cancel: true).status == nil)
        #expect(try state("BEST_EFFORT_CANCELED", height: 5_020, cancel: true).status == nil)
        #expect(try state("CANCELED", height: 5_010).status == .cancelled)
    }

    /// The subaccount as balances, positions and margin.
    @Test func subaccount() throws {
        let j = try JSONParser.parse(Array(#"{"equity":"1000.5","freeCollateral":"900.25","openPerpetualPositions":{"BTC-USD":{"market":"BTC-USD","side":"SHORT","size":"-0.01","entryPrice":"100000","unrealizedPnl":"-1.5"}}}"#.utf8))
        let a = try #require(DYDXExecWire.account(j, instrument: { $0 == "BTC-USD" ? btc.instrument : nil }))
        #expect(a.balances == [VenueBalance(asset: "USDC", free: "900.25", locked: "100.25")])
        #expect(a.positions.first?.quantity == Fixed("-0.01") && a.positions.first?.instrument == "dydx:BTC-USD-PERP")
        #expect(a.margin == VenueMargin(accountValue: "1000.5", marginUsed: "100.25", withdrawable: "900.25"))
        #expect(DYDXExecWire.account(try JSONParser.parse(Array("{}".utf8)), instrument: { _ in nil }) == nil)
    }
}
