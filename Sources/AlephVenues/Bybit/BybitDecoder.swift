import AlephBook
import AlephCore

/// Decodes Bybit v5 public frames in one pass into fixed point.
public enum BybitDecoder {
    /// Decodes one text frame.
    public static func message(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> BybitMessage {
        var s = WireScanner(bytes)
        try s.expect(0x7B)
        if s.consume(0x7D) { try s.end(); return .other }
        var topic: Range<Int>? = nil
        var type: Range<Int>? = nil
        var ts: Int64 = 0
        var op: String? = nil, success: Bool? = nil, retMsg: String? = nil
        var dataStart: Int? = nil
        repeat {
            let k = try s.key()
            if s.equals(k, "topic") { topic = try s.string() }
            else if s.equals(k, "type") { type = try s.string() }
            else if s.equals(k, "ts") { ts = try s.int64() }
            else if s.equals(k, "op") { op = try s.text() }
            else if s.equals(k, "success") { success = try s.bool() }
            else if s.equals(k, "ret_msg") { retMsg = try s.text() }
            else if s.equals(k, "data") { s.ws(); dataStart = s.i; try s.skip() }
            else { try s.skip() }
        } while try s.more(0x7D)
        try s.end()
        if let op { return .op(name: op, success: success ?? true, message: retMsg) }
        guard let topic, let dataStart else { return .other }
        var d = WireScanner(bytes)
        d.i = dataStart
        let t = UnsafeRawBufferPointer(rebasing: bytes[topic])
        if t.starts(with: "orderbook.".utf8) {
            var b = try book(&d)
            b.ts = ts
            guard let type else { throw WireError(topic.lowerBound, "orderbook push without type") }
            if s.equals(type, "snapshot") { b.snapshot = true } else if s.equals(type, "delta") { b.snapshot = false } else {
                throw WireError(type.lowerBound, "orderbook type is neither snapshot nor delta")
            }
            return .book(b)
        }
        if t.starts(with: "publicTrade.".utf8) {
            var out: [BybitTrade] = []
            try d.expect(0x5B)
            if !d.consume(0x5D) {
                repeat { out.append(try trade(&d)) } while try d.more(0x5D)
            }
            return .trades(out)
        }
        return .other
    }

    private static func book(_ s: inout WireScanner) throws(WireError) -> BybitBook {
        var b = BybitBook()
        var seen = 0
        try s.expect(0x7B)
        if !s.consume(0x7D) {
            repeat {
                let k = try s.key()
                if s.equals(k, "s") { b.symbol = try s.text(); seen |= 1 }
                else if s.equals(k, "b") { try s.levels(into: &b.bids); seen |= 2 }
                else if s.equals(k, "a") { try s.levels(into: &b.asks); seen |= 4 }
                else if s.equals(k, "u") { b.updateId = try s.int64(); seen |= 8 }
                else if s.equals(k, "seq") { b.seq = try s.int64() }
                else { try s.skip() }
            } while try s.more(0x7D)
        }
        if seen != 15 { throw WireError(s.i, "orderbook data without s, b, a and u") }
        return b
    }

    private static func trade(_ s: inout WireScanner) throws(WireError) -> BybitTrade {
        var t = BybitTrade(symbol: "", tradeId: "", price: .zero, size: .zero, side: .buy, time: 0)
        var seen = 0
        try s.expect(0x7B)
        if !s.consume(0x7D) {
            repeat {
                let k = try s.key()
                if s.equals(k, "s") { t.symbol = try s.text(); seen |= 1 }
                else if s.equals(k, "i") { t.tradeId = try s.text(); seen |= 2 }
                else if s.equals(k, "p") { t.price = try s.decimal(); seen |= 4 }
                else if s.equals(k, "v") { t.size = try s.decimal(); seen |= 8 }
                else if s.equals(k, "S") {
                    let v = try s.string()
                    if s.equals(v, "Buy") { t.side = .buy } else if s.equals(v, "Sell") { t.side = .sell } else { throw WireError(v.lowerBound, "side is neither Buy nor Sell") }
                    seen |= 16
                }
                else if s.equals(k, "T") { t.time = try s.int64(); seen |= 32 }
                else { try s.skip() }
            } while try s.more(0x7D)
        }
        if seen != 63 { throw WireError(s.i, "trade without s, i, p, v, S and T") }
        return t
    }
}
