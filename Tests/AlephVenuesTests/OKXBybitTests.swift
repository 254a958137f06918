import AlephBook
import AlephCore
import Foundation
import Testing
@testable import AlephVenues

func decodeOKX(_ line: String) throws -> OKXMessage {
    var l = line
    return try l.withUTF8 { p throws(WireError) in try OKXDecoder.message(UnsafeRawBufferPointer(p)) }
}

func decodeBybit(_ line: String) throws -> BybitMessage {
    var l = line
    return try l.withUTF8 { p throws(WireError) in try BybitDecoder.message(UnsafeRawBufferPointer(p)) }
}

func topText(_ side: ReversedCollection<[BookLevel]>, _ n: Int) -> [String] {
    side.prefix(n).map { "\(Decimal(string: $0.price.description)!):\(Decimal(string: $0.quantity.description)!)" }
}

func topText(_ side: [(Decimal, Decimal)]) -> [String] { side.map { "\($0.0):\($0.1)" } }

@Suite struct OKXTests {
    @Test func recordedBooksVerifyEveryChecksumAndMatchTheReference() throws {
        guard let lines = SharedData.lines("okx/cryptofeed_books_2022-05-13.jsonl") else { return }
        var syncs: [String: OKXBookSync] = [:]
        var refs: [String: ReferenceBook] = [:]
        var pushes = 0
        for (k, line) in lines.enumerated() {
            guard case .books(let list) = try decodeOKX(line) else { Issue.record("line \(k) is not books"); return }
            let j = ReferenceBook.json(line)
            let data = (j["data"] as! [[String: Any]])[0]
            for b in list {
                pushes += 1
                var sync = syncs[b.instId] ?? OKXBookSync(instrument: b.instId)
                #expect(sync.on(b, receiveTime: Int64(k)) == .applied, "line \(k)")
                syncs[b.instId] = sync
                var ref = b.snapshot ? ReferenceBook() : refs[b.instId] ?? ReferenceBook()
                ref.apply(data["bids"] as! [[Any]], bid: true)
                ref.apply(data["asks"] as! [[Any]], bid: false)
                refs[b.instId] = ref
                if k % 25 == 0 || k == lines.count - 1 {
                    let top = ref.top(20)
                    #expect(topText(sync.book.bids, 20) == topText(top.bids) && topText(sync.book.asks, 20) == topText(top.asks), "line \(k)")
                }
            }
        }
        #expect(pushes == 290)
        #expect(syncs.values.map(\.checksumsVerified).reduce(0, +) == 290)
        #expect(syncs.count == 3 && syncs.values.allSatisfy { $0.book.verified })
    }

    @Test func okcoinV5BooksVerify() throws {
        guard let lines = SharedData.lines("okx/okcoin_v5_books_BTC-USD_2023-07-10.jsonl") else { return }
        var sync = OKXBookSync(instrument: "BTC-USD")
        for line in lines {
            guard case .books(let list) = try decodeOKX(line) else { Issue.record("not books"); return }
            for b in list { #expect(sync.on(b, receiveTime: 0) == .applied) }
        }
        #expect(sync.checksumsVerified == 2)
    }

    @Test func aBadChecksumOrABrokenChainForcesAResync() throws {
        guard let lines = SharedData.lines("okx/cryptofeed_books_2022-05-13.jsonl") else { return }
        // Corrupt one size in the first BTC-USDT update: the checksum must catch it.
        var sync = OKXBookSync(instrument: "BTC-USDT")
        var corrupted = false
        for line in lines where line.contains(#""instId":"BTC-USDT""#) {
            var l = line
            if !corrupted && line.contains(#""action":"update""#), let r = l.range(of: #""0.16","0","1"]"#) {
                l.replaceSubrange(r, with: #""0.17","0","1"]"#)
                corrupted = true
                guard case .books(let list) = try decodeOKX(l) else { return }
                guard case .resync(let why) = sync.on(list[0], receiveTime: 0) else { Issue.record("corruption not detected"); return }
                #expect(why.contains("checksum") && !sync.book.verified)
                break
            }
            guard case .books(let list) = try decodeOKX(l) else { return }
            _ = sync.on(list[0], receiveTime: 0)
        }
        #expect(corrupted)
        // seqId chain: snapshot 10, update prev 10 → 11, heartbeat 11/11, then prev 12 ≠ 11 → resync.
        func frame(_ action: String, prev: Int, seq: Int, bids: String = #"[["100","1","0","1"]]"#) -> String {
            #"{"arg":{"channel":"books","instId":"X-Y"},"action":"\#(action)","data":[{"asks":[["101","1","0","1"]],"bids":\#(bids),"ts":"1","checksum":0,"prevSeqId":\#(prev),"seqId":\#(seq)}]}"#
        }
        var s2 = OKXBookSync(instrument: "X-Y")
        func on(_ f: String) throws -> BookSyncResult { guard case .books(let l) = try decodeOKX(f) else { return .stale }; return s2.on(l[0], receiveTime: 0) }
        #expect(try on(frame("snapshot", prev: -1, seq: 10)) == .applied)
        #expect(try on(frame("update", prev: 10, seq: 11, bids: #"[["99","2","0","1"]]"#)) == .applied)
        #expect(try on(#"{"arg":{"channel":"books","instId":"X-Y"},"action":"update","data":[{"asks":[],"bids":[],"ts":"2","checksum":0,"prevSeqId":11,"seqId":11}]}"#) == .stale)
        guard case .resync(let why) = try on(frame("update", prev: 12, seq: 13)) else { Issue.record("chain break not detected"); return }
        #expect(why.contains("prevSeqId") && !s2.book.verified)
        #expect(try on(frame("snapshot", prev: -1, seq: 20)) == .applied && s2.book.verified)
    }

    @Test func decodesEventsTradesAndPong() throws {
        #expect(try decodeOKX("pong") == .pong)
        #expect(try decodeOKX(#"{"event":"error","code":"60012","msg":"Invalid request"}"#) == .event(name: "error", code: "60012", message: "Invalid request"))
        guard case .trades(let t) = try decodeOKX(#"{"arg":{"channel":"trades","instId":"BTC-USD-220527"},"data":[{"instId":"BTC-USD-220527","tradeId":"7849","px":"30218.8","sz":"1","side":"buy","ts":"1652459199958"}]}"#) else {
            Issue.record("no trades"); return
        }
        #expect(t == [OKXTrade(instId: "BTC-USD-220527", tradeId: "7849", price: "30218.8", size: "1", side: .buy, ts: 1652459199958)])
        for bad in ["pon", #"{"arg":{"channel":"books"},"data":[{"asks":[["1"]]}]}"#, #"{"arg":{"channel":"trades"},"data":[{"side":"up"}]}"#, "{"] {
            #expect(throws: WireError.self) { _ = try decodeOKX(bad) }
        }
    }
}

@Suite struct BybitTests {
    @Test func recordedOrderbookMatchesTheReference() throws {
        guard let lines = SharedData.lines("bybit/2024-12-01_XRPUSDT_ob500.jsonl") else { return }
        #expect(lines.count == 50)
        var sync = BybitBookSync(instrument: "XRPUSDT")
        var ref = ReferenceBook()
        for (k, line) in lines.enumerated() {
            guard case .book(let b) = try decodeBybit(line) else { Issue.record("line \(k)"); return }
            #expect(sync.on(b, receiveTime: Int64(k)) == .applied, "line \(k)")
            let data = ReferenceBook.json(line)["data"] as! [String: Any]
            if b.snapshot { ref = ReferenceBook() }
            ref.apply(data["b"] as! [[Any]], bid: true)
            ref.apply(data["a"] as! [[Any]], bid: false)
            let top = ref.top(20)
            #expect(topText(sync.book.bids, 20) == topText(top.bids) && topText(sync.book.asks, 20) == topText(top.asks), "line \(k)")
        }
        #expect(sync.book.verified && sync.book.sequence == 20254918)
        #expect(sync.book.bids.count == ref.bids.count && sync.book.asks.count == ref.asks.count)
    }

    @Test func aMissingDeltaIsAGapAndAURestartSnapshotResets() throws {
        guard let lines = SharedData.lines("bybit/2024-12-01_XRPUSDT_ob500.jsonl") else { return }
        var sync = BybitBookSync(instrument: "XRPUSDT")
        for (k, line) in lines.prefix(10).enumerated() where k != 5 {
            guard case .book(let b) = try decodeBybit(line) else { return }
            let r = sync.on(b, receiveTime: 0)
            if k < 5 { #expect(r == .applied) }
            if k == 6 { guard case .resync = r else { Issue.record("gap not detected"); return } }
            if k > 6 { #expect(r == .buffered, "a delta after a gap must wait for the next snapshot") }
        }
        #expect(!sync.book.verified)
        // A `u == 1` snapshot (service restart) resets the book and the sequence.
        let restart = #"{"topic":"orderbook.50.XRPUSDT","type":"snapshot","ts":2,"data":{"s":"XRPUSDT","b":[["1.5","10"]],"a":[["1.6","20"]],"u":1,"seq":5},"cts":1}"#
        guard case .book(let b) = try decodeBybit(restart) else { return }
        #expect(sync.on(b, receiveTime: 0) == .applied)
        #expect(sync.book.verified && sync.book.sequence == 1 && Array(sync.book.bids) == [BookLevel(price: "1.5", quantity: "10")])
        let next = #"{"topic":"orderbook.50.XRPUSDT","type":"delta","ts":3,"data":{"s":"XRPUSDT","b":[["1.5","0"]],"a":[],"u":2,"seq":6},"cts":2}"#
        guard case .book(let d) = try decodeBybit(next) else { return }
        #expect(sync.on(d, receiveTime: 0) == .applied && sync.book.bids.isEmpty)
    }

    @Test func decodesTradesAndOps() throws {
        guard let lines = SharedData.lines("bybit/tardis_v5_samples.jsonl") else { return }
        var trades = 0
        for l in lines where l.contains("publicTrade") {
            guard case .trades(let t) = try decodeBybit(l) else { Issue.record("trade sample"); return }
            trades += t.count
        }
        #expect(trades > 0)
        #expect(try decodeBybit(#"{"success":true,"ret_msg":"pong","conn_id":"x","op":"ping"}"#) == .op(name: "ping", success: true, message: "pong"))
        for bad in [#"{"topic":"orderbook.1.X","type":"weird","data":{"s":"X","b":[],"a":[],"u":1}}"#, #"{"topic":"orderbook.1.X","type":"delta","data":{"s":"X"}}"#] {
            #expect(throws: WireError.self) { _ = try decodeBybit(bad) }
        }
    }
}
