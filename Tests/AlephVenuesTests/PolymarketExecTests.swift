import AlephBook
import AlephCore
import AlephCrypto
import AlephRPC
import AlephVenueKit
import Testing
@testable import AlephVenues

/// Polymarket order building and execution messages, pure.
struct PolymarketExecTests {
    func instrument(tick: Fixed = "0.01", negRisk: Bool = false) -> Instrument {
        var i = Instrument(venue: "polymarket", base: "M-YES", quote: "USDC", kind: .outcome, tickSize: tick, lotSize: "0.01", minNotional: "0")
        i.symbol = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
        i.outcome = OutcomeInfo(question: "q", outcome: "Yes", marketSlug: "m", conditionId: "0x" + String(repeating: "ab", count: 32), tokenId: i.symbol,
                                endDate: nil, status: "active", negRisk: negRisk, minSize: "5")
        return i
    }

    func order(_ side: Side, qty: Fixed, price: Fixed?, type: OrderType = .limit, tif: TimeInForce = .gtc, cid: String = "axT01") -> Order {
        var o = Order(id: "o-1", intentId: "i", instrument: "polymarket:M-YES-USDC", side: side, type: type, timeInForce: tif, limitPrice: price,
                      quantity: qty, postOnly: false, reduceOnly: false, rationale: nil, createdAt: 1_767_225_600_000_000_000)
        o.clientOrderId = cid
        return o
    }

    func plan(_ o: Order, _ i: Instrument, version: Int = 2, book: OrderBook? = nil) -> Result<PolymarketOrderPlan, VenueRejection> {
        PolymarketOrders.plan(o, instrument: i, book: book, version: version, chainId: 137, signer: "0x14791697260E4c9A71f18484C9f997B308e59325",
                              funder: "0x14791697260E4c9A71f18484C9f997B308e59325", signatureType: 0, slippageBps: 100)
    }

    @Test func amountsExchangesAndTypesFollowTheVenue() throws {
        // The SDK's table: BUY 100 @ 0.52 → 52000000 / 100000000.
        guard case .success(let p) = plan(order(.buy, qty: "100", price: "0.52"), instrument()) else { Issue.record("refused"); return }
        #expect(p.order.makerAmount == "52000000" && p.order.takerAmount == "100000000" && p.orderType == "GTC")
        #expect(p.order.exchange == Polymarket.Exchange.v2 && p.order.timestamp == "1767225600000" && p.order.side == "BUY")
        guard case .success(let s) = plan(order(.sell, qty: "37.5", price: "0.073", tif: .fok), instrument(tick: "0.001", negRisk: true), version: 1) else {
            Issue.record("refused"); return
        }
        #expect(s.order.makerAmount == "37500000" && s.order.takerAmount == "2737500" && s.orderType == "FOK" && s.order.exchange == Polymarket.Exchange.v1NegRisk)
        guard case .success(let f) = plan(order(.buy, qty: "10", price: "0.5", tif: .ioc), instrument(negRisk: true)) else { Issue.record("refused"); return }
        #expect(f.orderType == "FAK" && f.order.exchange == Polymarket.Exchange.v2NegRisk)
    }

    @Test func theSameOrderSignsToTheSameHashAndAnotherOrderToAnother() throws {
        let i = instrument()
        func hash(_ o: Order) throws -> String {
            guard case .success(let p) = plan(o, i) else { throw CryptoError.invalidField(field: "plan", reason: "refused") }
            return Hex.encode(try TypedData(json: p.order.typedData).digest())
        }
        let a = try hash(order(.buy, qty: "10", price: "0.5"))
        #expect(a == (try hash(order(.buy, qty: "10", price: "0.5"))))
        #expect(a != (try hash(order(.buy, qty: "10", price: "0.5", cid: "axT02"))))
        #expect(Int(PolymarketOrders.salt(clientOrderId: "axT01"))! < 1 << 53)
    }

    @Test func whatTheVenueWouldRefuseIsRefusedBeforeSigning() {
        let i = instrument()
        for (o, code) in [(order(.buy, qty: "10", price: "0.505"), "INVALID_ORDER_MIN_TICK_SIZE"), (order(.buy, qty: "10", price: "0.995"), "INVALID_ORDER_MIN_TICK_SIZE"),
                          (order(.buy, qty: "4", price: "0.5"), "INVALID_ORDER_MIN_SIZE")] {
            guard case .failure(let r) = plan(o, i) else { Issue.record("\(o) must be refused"); continue }
            #expect(r.venueCode == code)
        }
        // A market order needs a book; with one, its price is the touch moved by the slippage, on the grid.
        guard case .failure = plan(order(.buy, qty: "10", price: nil, type: .market, tif: .ioc), i) else { Issue.record("no book"); return }
        var book = OrderBook(instrument: i.id)
        try? book.applySnapshot(bids: [BookLevel(price: "0.48", quantity: "100")], asks: [BookLevel(price: "0.52", quantity: "100")], sequence: 1, exchangeTime: 1, receiveTime: 1)
        guard case .success(let m) = plan(order(.buy, qty: "10", price: nil, type: .market, tif: .ioc), i, book: book) else { Issue.record("refused"); return }
        #expect(m.price == "0.53" && m.orderType == "FAK")
    }

    @Test func answersOrdersAndTradesAreRead() throws {
        #expect(PolymarketExecWire.refusal(status: 400, message: "not enough balance / allowance").code == .insufficientBalance)
        #expect(PolymarketExecWire.refusal(status: 401, message: "Unauthorized/Invalid api key").code == .venueAuth)
        #expect(PolymarketExecWire.refusal(status: 400, message: "invalid post-only order: order crosses book").code == .postOnlyWouldCross)
        #expect(PolymarketExecWire.errorText(Array(#"{"error":"order_version_mismatch"}"#.utf8)) == "order_version_mismatch")
        let item = try JSONParser.parse(#"{"id":"0xeec9","status":"ORDER_STATUS_LIVE","original_size":"100","size_matched":"10","price":"0.52","asset_id":"7"}"#)
        let s = try #require(PolymarketExecWire.orderState(item, clientOrderId: "c", now: 1))
        #expect(s.status == .partiallyFilled && s.filledQuantity == "10" && s.quantity == "100" && s.limitPrice == "0.52")
        let gone = try JSONParser.parse(#"{"id":"0x1","status":"CANCELED_MARKET_RESOLVED","original_size":"5","size_matched":"0"}"#)
        #expect(PolymarketExecWire.orderState(gone, clientOrderId: "c", now: 1)?.status == .cancelled)
        // The checklist's trade: we were the maker (maker_orders), the taker was someone else.
        let trade = try JSONParser.parse(#"""
            {"id":"28c4d2eb","taker_order_id":"0x06bc","asset_id":"7","side":"SELL","size":"10","price":"0.52","status":"TRADE_STATUS_MATCHED",
             "match_time":"1767225660","fee_rate_bps":"0","maker_orders":[{"order_id":"0xeec9","matched_amount":"10","price":"0.52","asset_id":"7"},
             {"order_id":"0xother","matched_amount":"3","price":"0.52"}]}
            """#)
        let fills = PolymarketExecWire.fills(trade, isOurs: { $0 == "0xeec9" }, now: 0)
        #expect(fills.count == 1 && fills[0].status == "MATCHED" && fills[0].fill.liquidity == .maker && fills[0].fill.quantity == "10")
        #expect(fills[0].fill.venueTradeId == "polymarket:28c4d2eb:0xeec9" && fills[0].fill.timestamp == 1_767_225_660_000_000_000)
        let taker = PolymarketExecWire.fills(trade, isOurs: { $0 == "0x06bc" }, now: 0)
        #expect(taker.count == 1 && taker[0].fill.liquidity == .taker && taker[0].fill.price == "0.52")
    }
}
