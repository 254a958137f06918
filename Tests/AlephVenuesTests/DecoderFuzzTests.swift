import AlephBook
import AlephCore
import Foundation
import Testing
@testable import AlephVenues

/// Random, truncated and mutated frames through every decoder: typed errors only, no crash, no hang.
@Suite struct DecoderFuzzTests {
    static let seeds: [String] = [
        #"{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":50093239189,"u":50093239202,"b":[["61737.63000000","0.00000000"]],"a":[["61837.64000000","1.54698000"]]}"#,
        #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":3,"p":"61837.63000000","q":"0.02000000","T":1,"m":true,"M":true}}"#,
        #"{"lastUpdateId":50093239218,"bids":[["61837.63000000","3.78826000"]],"asks":[["61837.64000000","1.5"]]}"#,
        #"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["30243.5","1.2112","0","4"]],"bids":[],"ts":"1652459199958","checksum":-1881014294,"prevSeqId":1,"seqId":2}]}"#,
        #"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1.5","sz":"2","side":"sell","ts":"1"}]}"#,
        #"{"event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"}}"#,
        #"{"topic":"orderbook.500.XRPUSDT","type":"delta","ts":1733011200693,"data":{"s":"XRPUSDT","b":[["1.9531","6198"]],"a":[["1.9535","8415"]],"u":20254870,"seq":1},"cts":1}"#,
        #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"x","BT":false}]}"#,
    ]
    static let alphabet: [UInt8] = Array(#"{}[]":,0123456789.-+eE"\ truefalsenull"#.utf8) + [0, 0xFF, 0x0A, 0xC3]

    static func decode(_ which: Int, _ p: UnsafeRawBufferPointer) throws(WireError) {
        switch which {
        case 0: _ = try BinanceDecoder.message(p)
        case 1:
            var depth = BinanceDepth()
            _ = try BinanceDecoder.depth(p, into: &depth)
        case 2: _ = try BinanceDecoder.snapshot(p)
        case 3: _ = try OKXDecoder.message(p)
        default: _ = try BybitDecoder.message(p)
        }
    }

    @Test func hundredThousandFrames() {
        var rng = SeededRandom(seed: 2026)
        var outcomes = [0, 0] // ok, typed error
        let start = Date()
        for k in 0..<100_000 {
            var b = Array(DecoderFuzzTests.seeds[Int(rng.next() % UInt64(DecoderFuzzTests.seeds.count))].utf8)
            switch k % 4 {
            case 0: b = Array(b.prefix(Int(rng.next() % UInt64(b.count + 1))))                      // truncated
            case 1: for _ in 0..<(1 + rng.next() % 4) { b[Int(rng.next() % UInt64(b.count))] = DecoderFuzzTests.alphabet[Int(rng.next() % UInt64(DecoderFuzzTests.alphabet.count))] }
            case 2: b = (0..<Int(rng.next() % 200)).map { _ in DecoderFuzzTests.alphabet[Int(rng.next() % UInt64(DecoderFuzzTests.alphabet.count))] } // random
            default:                                                                                 // spliced
                let other = Array(DecoderFuzzTests.seeds[Int(rng.next() % UInt64(DecoderFuzzTests.seeds.count))].utf8)
                b = Array(b.prefix(Int(rng.next() % UInt64(b.count)))) + Array(other.suffix(Int(rng.next() % UInt64(other.count))))
            }
            b.withUnsafeBytes { p in
                for which in 0..<5 {
                    do throws(WireError) {
                        try DecoderFuzzTests.decode(which, p)
                        outcomes[0] += 1
                    } catch {
                        outcomes[1] += 1
                        #expect(error.offset >= 0 && error.offset <= p.count)
                    }
                }
            }
        }
        #expect(outcomes[0] + outcomes[1] == 500_000)
        #expect(outcomes[1] > 100_000 && outcomes[0] > 10_000, "\(outcomes)")
        #expect(Date().timeIntervalSince(start) < 60, "decoding must not hang")
    }

    @Test func deepNestingIsRefusedNotRecursedInto() {
        let deep = Array(("{\"x\":" + String(repeating: "[", count: 100_000)).utf8)
        deep.withUnsafeBytes { p in
            #expect(throws: WireError.self) { _ = try OKXDecoder.message(p) }
            #expect(throws: WireError.self) { _ = try BybitDecoder.message(p) }
            #expect(throws: WireError.self) { _ = try BinanceDecoder.message(p) }
        }
    }
}
