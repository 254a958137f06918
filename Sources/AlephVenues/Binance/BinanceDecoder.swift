import AlephBook
import AlephCore

/// Decodes Binance spot frames in one pass straight into fixed point.
public enum BinanceDecoder {
    /// Decodes one socket frame (raw or combined-stream wrapped).
    public static func message(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> BinanceMessage {
        var s = WireScanner(bytes)
        let m = try object(&s, wrapped: true)
        try s.end()
        return m
    }

    /// Decodes a depth event into `out`, reusing its arrays (the hot path: no allocation once warm).
    /// Returns false when the frame is well-formed but not a depth event.
    public static func depth(_ bytes: UnsafeRawBufferPointer, into out: inout BinanceDepth) throws(WireError) -> Bool {
        var ticker = false
        return try depth(bytes, into: &out, ticker: &ticker)
    }

    /// As `depth(_:into:)`, and says whether the frame was a `bookTicker` (nothing more to decode).
    public static func depth(_ bytes: UnsafeRawBufferPointer, into out: inout BinanceDepth, ticker: inout Bool) throws(WireError) -> Bool {
        ticker = false
        out.bids.removeAll(keepingCapacity: true)
        out.asks.removeAll(keepingCapacity: true)
        var s = WireScanner(bytes)
        try s.expect(0x7B)
        if s.consume(0x7D) { return false }
        var key = try s.key()
        if s.equals(key, "stream") || s.equals(key, "data") {
            var isDepth = false
            while true {
                if s.equals(key, "data") { isDepth = try depthFields(&s, &out, ticker: &ticker) } else { try s.skip() }
                if !(try s.more(0x7D)) { break }
                key = try s.key()
            }
            try s.end()
            return isDepth
        }
        s = WireScanner(bytes)
        let isDepth = try depthFields(&s, &out, ticker: &ticker)
        try s.end()
        return isDepth
    }

    private static func depthFields(_ s: inout WireScanner, _ out: inout BinanceDepth) throws(WireError) -> Bool {
        var ticker = false
        return try depthFields(&s, &out, ticker: &ticker)
    }

    private static func depthFields(_ s: inout WireScanner, _ out: inout BinanceDepth, ticker: inout Bool) throws(WireError) -> Bool {
        try s.expect(0x7B)
        var isDepth = false, sawTicker = false
        if s.consume(0x7D) { return false }
        repeat {
            let k = try s.key()
            if k.count != 1 { try s.skip(); continue }
            switch s.bytes[k.lowerBound] {
            case UInt8(ascii: "e"):
                let v = try s.string()
                isDepth = s.equals(v, "depthUpdate")
            case UInt8(ascii: "E"): out.eventTime = try s.int64()
            case UInt8(ascii: "s"):
                // Same symbol as the previous event (the usual case): keep the string.
                let r = try s.string()
                let raw = UnsafeRawBufferPointer(rebasing: s.bytes[r])
                if !out.symbol.utf8.elementsEqual(raw) { out.symbol = String(decoding: raw, as: UTF8.self) }
            case UInt8(ascii: "U"): out.firstId = try s.int64()
            case UInt8(ascii: "u"): out.finalId = try s.int64()
            // A `bookTicker` (recorded captures carry it) has string `b`/`a`: not depth, skipped.
            case UInt8(ascii: "b"): if s.peek() == 0x22 { try s.skip(); sawTicker = true } else { try s.levels(into: &out.bids) }
            case UInt8(ascii: "a"): if s.peek() == 0x22 { try s.skip(); sawTicker = true } else { try s.levels(into: &out.asks) }
            default: try s.skip()
            }
        } while try s.more(0x7D)
        ticker = sawTicker
        return isDepth && !sawTicker
    }

    private static func object(_ s: inout WireScanner, wrapped: Bool) throws(WireError) -> BinanceMessage {
        s.ws()
        let start = s.i
        try s.expect(0x7B)
        if s.consume(0x7D) { return .other }
        var event: Range<Int>? = nil
        var ackId: Int64? = nil
        var hasResult = false
        var code: Int64? = nil
        var msg: String? = nil
        var inner: BinanceMessage? = nil
        repeat {
            let k = try s.key()
            if wrapped && s.equals(k, "data") { inner = try object(&s, wrapped: false) }
            else if s.equals(k, "e") { event = try s.string() }
            else if s.equals(k, "id") {
                if s.null() { ackId = 0 } else if s.peek() == 0x22 { _ = try s.string(); ackId = 0 } else { ackId = try s.int64() }
            }
            else if s.equals(k, "result") { hasResult = true; try s.skip() }
            else if s.equals(k, "code") { code = try s.int64() }
            else if s.equals(k, "msg") { msg = try s.text() }
            else { try s.skip() }
        } while try s.more(0x7D)
        if let inner { return inner }
        let end = s.i
        if let e = event {
            var again = WireScanner(UnsafeRawBufferPointer(rebasing: s.bytes[start..<end]))
            if s.equals(e, "depthUpdate") {
                var d = BinanceDepth()
                _ = try depthFields(&again, &d)
                return .depth(d)
            }
            if s.equals(e, "trade") { return .trade(try trade(&again)) }
            if s.equals(e, "serverShutdown") { return .serverShutdown }
            return .other
        }
        if let code { return .error("code \(code): \(msg ?? "")") }
        if hasResult, let ackId { return .ack(id: ackId) }
        return .other
    }

    private static func trade(_ s: inout WireScanner) throws(WireError) -> BinanceTrade {
        var t = BinanceTrade(symbol: "", tradeId: 0, price: .zero, quantity: .zero, tradeTime: 0, buyerIsMaker: false)
        var seen = 0
        try s.expect(0x7B)
        repeat {
            let k = try s.key()
            if k.count != 1 { try s.skip(); continue }
            switch s.bytes[k.lowerBound] {
            case UInt8(ascii: "s"): t.symbol = try s.text(); seen |= 1
            case UInt8(ascii: "t"): t.tradeId = try s.int64(); seen |= 2
            case UInt8(ascii: "p"): t.price = try s.decimal(); seen |= 4
            case UInt8(ascii: "q"): t.quantity = try s.decimal(); seen |= 8
            case UInt8(ascii: "T"): t.tradeTime = try s.int64(); seen |= 16
            case UInt8(ascii: "m"): t.buyerIsMaker = try s.bool(); seen |= 32
            default: try s.skip()
            }
        } while try s.more(0x7D)
        if seen != 63 { throw WireError(s.i, "trade event without s, t, p, q, T and m") }
        return t
    }

    /// Decodes a REST depth snapshot body.
    public static func snapshot(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> BinanceSnapshot {
        var s = WireScanner(bytes)
        var out = BinanceSnapshot()
        var seen = 0
        try s.expect(0x7B)
        if !s.consume(0x7D) {
            repeat {
                let k = try s.key()
                if s.equals(k, "lastUpdateId") { out.lastUpdateId = try s.int64(); seen |= 1 }
                else if s.equals(k, "bids") { try s.levels(into: &out.bids); seen |= 2 }
                else if s.equals(k, "asks") { try s.levels(into: &out.asks); seen |= 4 }
                else { try s.skip() }
            } while try s.more(0x7D)
        }
        try s.end()
        if seen != 7 { throw WireError(0, "snapshot without lastUpdateId, bids and asks") }
        return out
    }
}
