import AlephBook
import AlephCore
import AlephVenueKit
import Testing
@testable import AlephVenues

/// Frames of recorded Binance captures the live feed never subscribes to decode to nothing, not
/// to errors: a replay of a capture reads every line.
struct BinanceCaptureFrameTests {
    @Test func bookTickerIsNotDepthAndNotAnError() throws {
        let ticker = Array(#"{"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}"#.utf8)
        var d = BinanceDepth()
        #expect(try ticker.withUnsafeBytes { try BinanceDecoder.depth($0, into: &d) } == false)
        guard case .other = try ticker.withUnsafeBytes({ try BinanceDecoder.message($0) }) else { Issue.record("a bookTicker is other"); return }
        // A real depth event still decodes on the fast path.
        let depth = Array(#"{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":7,"b":[["1.00","2.0"]],"a":[["1.01","3.0"]]}}"#.utf8)
        #expect(try depth.withUnsafeBytes { try BinanceDecoder.depth($0, into: &d) } == true)
        #expect(d.bids == [BookLevel(price: "1", quantity: "2")] && d.asks == [BookLevel(price: "1.01", quantity: "3")] && d.finalId == 7)
    }
}
