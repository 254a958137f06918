import AlephBook
import AlephCore
import AlephRPC
import AlephVenueKit
import Foundation
import Testing
@testable import AlephVenues

/// Polymarket metadata and market-channel decoding on the real samples of shared/data/polymarket.
struct PolymarketFeedTests {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/polymarket")

    func sample(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: Self.data.appendingPathComponent(name))) }

    func events(_ bytes: [UInt8]) throws -> [PolymarketMarketEvent] { try bytes.withUnsafeBytes { try PolymarketDecoder.events($0) } }

    @Test func theRealBookDecodesWithEveryLevel() throws {
        let e = try events(try sample("nautilus_ws_messages_book.json"))
        guard case .book(let token, let time, let bids, let asks, _)? = e.first else { Issue.record("no book: \(e)"); return }
        #expect(token == "48331043336612883890938759509493159234755048973500640148014422747788308965732" && time == 1_728_799_418_260)
        #expect(bids.count == 76 && asks.count == 86)
        var sync = PolymarketBookSync(instrument: "x")
        #expect(sync.snapshot(time: time, bids: bids, asks: asks, receiveTime: 1) == .applied)
        #expect(sync.book.bestBid?.price == "0.511" && sync.book.bestAsk?.price == "0.514")
    }

    @Test func bothPriceChangeFormsAndTheOtherEvents() throws {
        let legacy = try events(try sample("nautilus_ws_messages_price_change.json"))
        #expect(legacy == [.levels(token: "48331043336612883890938759509493159234755048973500640148014422747788308965732", time: 1_723_967_931_411,
                                   bids: [], asks: [BookLevel(price: "0.514", quantity: "21574.08")])])
        let v2 = try events(try sample("nautilus_ws_messages_price_change_v2.json"))
        guard case .levels(_, _, let bids, let asks)? = v2.first else { Issue.record("\(v2)"); return }
        #expect(v2.count == 1 && bids.count == 3 && asks.isEmpty)
        #expect(try events(try sample("nautilus_ws_messages_tick_size_change.json"))
            == [.tick(token: "115474063863764126958837769719736461272619491980773624567012766320777398670353", size: "0.001")])
        guard case .trade(_, _, let px, let sz, let side)? = try events(try sample("nautilus_ws_messages_last_trade_price.json")).first else {
            Issue.record("no trade"); return
        }
        #expect(px == "0.491" && sz == "85.36" && side == .sell)
        // Frames the feed does not use decode to nothing; PONG is not JSON and not an error.
        #expect(try events(try sample("nautilus_ws_market_best_bid_ask_msg.json")).isEmpty)
        #expect(try events(Array("PONG".utf8)).isEmpty)
        #expect(throws: WireError.self) { try events(Array("{\"event_type\":\"book\"}".utf8)) }
        // Every tardis line (arrays of books, multi-asset changes, size-0 removals) decodes.
        let lines = String(decoding: try sample("tardis_ws_samples.jsonl"), as: UTF8.self).split(separator: "\n")
        var n = 0
        for l in lines { n += try events(Array(l.utf8)).count }
        #expect(n >= 9)
        // A leading-dot price.
        #expect(try events(Array(#"{"event_type":"book","asset_id":"1","bids":[{"price":".48","size":"30"}],"asks":[]}"#.utf8))
            == [.book(token: "1", time: 0, bids: [BookLevel(price: "0.48", quantity: "30")], asks: [], tick: nil)])
    }

    @Test func levelsBeforeTheFirstBookWaitAndACrossedChangeResyncs() {
        var sync = PolymarketBookSync(instrument: "x")
        #expect(sync.levels(time: 1, bids: [BookLevel(price: "0.4", quantity: "1")], asks: [], receiveTime: 1) == .buffered)
        #expect(sync.snapshot(time: 2, bids: [BookLevel(price: "0.4", quantity: "1")], asks: [BookLevel(price: "0.6", quantity: "1")], receiveTime: 2) == .applied)
        guard case .resync = sync.levels(time: 3, bids: [BookLevel(price: "0.7", quantity: "1")], asks: [], receiveTime: 3) else {
            Issue.record("a crossed book must resync"); return
        }
        #expect(!sync.synced && !sync.book.verified)
    }

    @Test func gammaMarketsBecomeReadableOutcomeInstruments() throws {
        let m = try JSONParser.parse(#"""
            {"slug":"will-btc-close-above-100k-on-2026-12-31","question":"Will BTC close above $100k on 2026-12-31?",
             "conditionId":"0xbd31dc8a20211944f6b70f31557f1001557b59905b7738480ca09bd4532f84af","outcomes":"[\"Yes\", \"No\"]",
             "clobTokenIds":"[\"52114319501245915516055106046884209969926127482827954674443846427813813222426\", \"71321045679252212594626385532706912750332728571942532289631379312455583992563\"]",
             "negRisk":false,"orderPriceMinTickSize":0.01,"orderMinSize":5,"acceptingOrders":true,"closed":false,"endDate":"2026-12-31T12:00:00Z"}
            """#)
        let list = try PolymarketMarkets.instruments(market: m)
        #expect(list.map(\.id) == ["polymarket:WILL-BTC-CLOSE-ABOVE-100K-ON-2026-12-31-YES-USDC", "polymarket:WILL-BTC-CLOSE-ABOVE-100K-ON-2026-12-31-NO-USDC"])
        #expect(list[0].kind == .outcome && list[0].tickSize == "0.01" && list[0].symbol.hasPrefix("5211") && list[1].outcome?.outcome == "No")
        // Names with spaces and very long slugs still make legal ids of at most 128 bytes.
        let long = String(repeating: "very-long-slug-", count: 12) + "end"
        let base = PolymarketMarkets.baseName(slug: long, outcome: "Donald J. Trump", condition: "0xabcdef0123456789")
        let id = "polymarket:\(base)-USDC"
        #expect(id.utf8.count <= 128 && base.hasSuffix("-DONALD_J._TRUMP") && base.contains("ABCDEF01"))
        #expect(id.range(of: #"^[a-z0-9_]+:[A-Z0-9_.]+(-[A-Z0-9_.]+)+$"#, options: .regularExpression) != nil)
        // A market without tokens is refused clearly.
        #expect(throws: PolymarketMarkets.Failure.self) {
            try PolymarketMarkets.instruments(market: try JSONParser.parse(#"{"slug":"x","question":"q","conditionId":"0x1","outcomes":"[]","clobTokenIds":"[]","orderPriceMinTickSize":0.01}"#))
        }
    }
}
