import AlephBook
import AlephCore
import Foundation
import Testing
@testable import AlephVenues

@Suite struct BinanceTests {
    static func decode(_ line: String) throws -> BinanceMessage {
        var l = line
        return try l.withUTF8 { p throws(WireError) in try BinanceDecoder.message(UnsafeRawBufferPointer(p)) }
    }

    static func levels(_ side: ReversedCollection<[BookLevel]>, _ n: Int) -> [(Decimal, Decimal)] {
        side.prefix(n).map { (Decimal(string: $0.price.description)!, Decimal(string: $0.quantity.description)!) }
    }

    @Test func recordedSpotStreamMatchesTheReference() throws {
        guard let snapText = SharedData.file("binance/spot_btcusdt_snapshot.json"), let lines = SharedData.lines("binance/spot_btcusdt_depth_updates.jsonl") else { return }
        #expect(lines.count == 6_495)
        let snap = try snapText.withUnsafeBytes { p throws(WireError) in try BinanceDecoder.snapshot(p) }
        var sync = BinanceBookSync(instrument: "binance:BTCUSDT")
        // The first events arrive before the snapshot (buffered), the rest after.
        var applied = 0, stale = 0
        var ref = ReferenceBook()
        let snapJSON = try JSONSerialization.jsonObject(with: snapText) as! [String: Any]
        ref.apply(snapJSON["bids"] as! [[Any]], bid: true)
        ref.apply(snapJSON["asks"] as! [[Any]], bid: false)
        let lastUpdateId = (snapJSON["lastUpdateId"] as! NSNumber).int64Value
        for (k, line) in lines.enumerated() {
            guard case .depth(let d) = try BinanceTests.decode(line) else { Issue.record("not a depth event: \(line.prefix(80))"); return }
            if k == 20 { #expect(sync.onSnapshot(snap, receiveTime: 1) == .applied) }
            switch sync.onDepth(d, receiveTime: Int64(k)) {
            case .applied: applied += 1
            case .stale: stale += 1
            case .buffered: #expect(k < 20)
            default: Issue.record("unexpected result at \(k)")
            }
            let j = ReferenceBook.json(line)
            if (j["u"] as! NSNumber).int64Value > lastUpdateId {
                ref.apply(j["b"] as! [[Any]], bid: true)
                ref.apply(j["a"] as! [[Any]], bid: false)
            }
            if k >= 20 && (k % 250 == 0 || k == lines.count - 1) {
                let top = ref.top(20)
                #expect(BinanceTests.levels(sync.book.bids, 20).map { "\($0.0):\($0.1)" } == top.bids.map { "\($0.0):\($0.1)" }, "bids at event \(k)")
                #expect(BinanceTests.levels(sync.book.asks, 20).map { "\($0.0):\($0.1)" } == top.asks.map { "\($0.0):\($0.1)" }, "asks at event \(k)")
            }
        }
        #expect(sync.synced && sync.book.verified)
        #expect(applied > 6_000)
        // The whole book, not only the top, equals the reference at the end.
        #expect(sync.book.bids.count == ref.bids.count && sync.book.asks.count == ref.asks.count)
        print("binance: \(applied) applied, \(stale) stale, \(sync.book.bids.count)/\(sync.book.asks.count) levels")
    }

    @Test func aMissingEventIsAGapUntilTheNextSnapshot() throws {
        var sync = BinanceBookSync(instrument: "b:X")
        var snap = BinanceSnapshot()
        snap.lastUpdateId = 100
        snap.bids = [BookLevel(price: "10", quantity: "1")]
        snap.asks = [BookLevel(price: "11", quantity: "1")]
        #expect(sync.onSnapshot(snap, receiveTime: 0) == .applied)
        func ev(_ U: Int64, _ u: Int64) -> BinanceDepth {
            var d = BinanceDepth(); d.firstId = U; d.finalId = u; d.bids = [BookLevel(price: "10", quantity: Fixed(Int(u)))]; return d
        }
        #expect(sync.onDepth(ev(95, 101), receiveTime: 1) == .applied)   // straddles lastUpdateId + 1
        #expect(sync.onDepth(ev(90, 99), receiveTime: 1) == .stale)
        #expect(sync.onDepth(ev(102, 105), receiveTime: 1) == .applied)
        guard case .resync = sync.onDepth(ev(107, 110), receiveTime: 1) else { Issue.record("gap not detected"); return }
        #expect(!sync.book.verified && !sync.synced)
        #expect(sync.onDepth(ev(111, 112), receiveTime: 1) == .buffered)
        // A snapshot older than the buffered stream is refused.
        snap.lastUpdateId = 105
        #expect(sync.onSnapshot(snap, receiveTime: 2) == .snapshotTooOld)
        snap.lastUpdateId = 110
        #expect(sync.onSnapshot(snap, receiveTime: 2) == .applied)
        #expect(sync.book.verified && sync.book.sequence == 112 && sync.book.bestBid?.quantity == "112")
    }

    @Test func decodesTradesControlAndErrors() throws {
        guard case .trade(let t) = try BinanceTests.decode(#"{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}"#) else {
            Issue.record("no trade"); return
        }
        #expect(t.price == "61837.63" && t.quantity == "0.02" && t.buyerIsMaker && t.tradeId == 3735683259)
        #expect(try BinanceTests.decode(#"{"result":null,"id":7}"#) == .ack(id: 7))
        #expect(try BinanceTests.decode(#"{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1}}"#) == .serverShutdown)
        if case .error(let m) = try BinanceTests.decode(#"{"code":2,"msg":"Invalid request"}"#) { #expect(m.contains("Invalid request")) } else { Issue.record("no error") }
        guard case .depth(let d) = try BinanceTests.decode(#"{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[["1.5","2"]],"a":[]}}"#) else {
            Issue.record("wrapped depth"); return
        }
        #expect(d.firstId == 5 && d.finalId == 6 && d.bids == [BookLevel(price: "1.5", quantity: "2")] && d.asks.isEmpty)
        for bad in [#"{"e":"depthUpdate","U":1"#, #"{"e":"trade","p":"x"}"#, "", "[", #"{"e":"depthUpdate","b":[["1","2"]"#, #"{"e":"depthUpdate","a":[[1e999999,"1"]]}"#, #"{"e":"depthUpdate","a":[["-","1"]]}"#] {
            #expect(throws: WireError.self) { _ = try BinanceTests.decode(bad) }
        }
    }
}
