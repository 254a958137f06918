import AlephBook
import AlephCore

/// Decodes OKX v5 public frames in one pass into fixed point (keeping level text for checksums).
public enum OKXDecoder {
    /// Decodes one text frame.
    public static func message(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> OKXMessage {
        var s = WireScanner(bytes)
        if bytes.count == 4, s.equals(0..<4, "pong") { return .pong }
        try s.expect(0x7B)
        if s.consume(0x7D) { try s.end(); return .other }
        var channel: Range<Int>? = nil
        var argInst: String? = nil
        var action: Range<Int>? = nil
        var event: String? = nil, code: String? = nil, msg: String? = nil
        var dataStart: Int? = nil
        repeat {
            let k = try s.key()
            if s.equals(k, "arg") {
                try s.expect(0x7B)
                if !s.consume(0x7D) {
                    repeat {
                        let ak = try s.key()
                        if s.equals(ak, "channel") { channel = try s.string() } else if s.equals(ak, "instId") { argInst = try s.text() } else { try s.skip() }
                    } while try s.more(0x7D)
                }
            } else if s.equals(k, "action") { action = try s.string() }
            else if s.equals(k, "event") { event = try s.text() }
            else if s.equals(k, "code") { code = s.peek() == 0x22 ? try s.text() : String(try s.int64()) }
            else if s.equals(k, "msg") { msg = try s.text() }
            else if s.equals(k, "data") { s.ws(); dataStart = s.i; try s.skip() }
            else { try s.skip() }
        } while try s.more(0x7D)
        try s.end()
        if let event { return .event(name: event, code: code, message: msg) }
        guard let channel, let dataStart else { return .other }
        var d = WireScanner(bytes)
        d.i = dataStart
        if s.equals(channel, "books") || s.equals(channel, "books-l2-tbt") || s.equals(channel, "books50-l2-tbt") {
            let isSnapshot = action.map { s.equals($0, "snapshot") } ?? true
            var out: [OKXBooks] = []
            try d.expect(0x5B)
            if !d.consume(0x5D) {
                repeat {
                    var b = try books(&d)
                    b.snapshot = isSnapshot
                    if b.instId.isEmpty { b.instId = argInst ?? "" }
                    out.append(b)
                } while try d.more(0x5D)
            }
            return .books(out)
        }
        if s.equals(channel, "trades") || s.equals(channel, "trades-all") {
            var out: [OKXTrade] = []
            try d.expect(0x5B)
            if !d.consume(0x5D) {
                repeat { out.append(try trade(&d, argInst)) } while try d.more(0x5D)
            }
            return .trades(out)
        }
        return .other
    }

    private static func books(_ s: inout WireScanner) throws(WireError) -> OKXBooks {
        var b = OKXBooks()
        try s.expect(0x7B)
        var seen = 0
        if !s.consume(0x7D) {
            repeat {
                let k = try s.key()
                if s.equals(k, "asks") { try s.levelsWithText(into: &b.asks, text: &b.askText); seen |= 1 }
                else if s.equals(k, "bids") { try s.levelsWithText(into: &b.bids, text: &b.bidText); seen |= 2 }
                else if s.equals(k, "ts") { b.ts = try s.int64() }
                else if s.equals(k, "checksum") { b.checksum = try s.int64() }
                else if s.equals(k, "seqId") { b.seqId = try s.int64() }
                else if s.equals(k, "prevSeqId") { b.prevSeqId = try s.int64() }
                else if s.equals(k, "instId") { b.instId = try s.text() }
                else { try s.skip() }
            } while try s.more(0x7D)
        }
        if seen != 3 { throw WireError(s.i, "books data without asks and bids") }
        return b
    }

    private static func trade(_ s: inout WireScanner, _ inst: String?) throws(WireError) -> OKXTrade {
        var t = OKXTrade(instId: inst ?? "", tradeId: "", price: .zero, size: .zero, side: .buy, ts: 0)
        var seen = 0
        try s.expect(0x7B)
        if !s.consume(0x7D) {
            repeat {
                let k = try s.key()
                if s.equals(k, "instId") { t.instId = try s.text() }
                else if s.equals(k, "tradeId") { t.tradeId = try s.text(); seen |= 1 }
                else if s.equals(k, "px") { t.price = try s.decimal(); seen |= 2 }
                else if s.equals(k, "sz") { t.size = try s.decimal(); seen |= 4 }
                else if s.equals(k, "side") {
                    let v = try s.string()
                    if s.equals(v, "buy") { t.side = .buy } else if s.equals(v, "sell") { t.side = .sell } else { throw WireError(v.lowerBound, "side is neither buy nor sell") }
                    seen |= 8
                }
                else if s.equals(k, "ts") { t.ts = try s.int64(); seen |= 16 }
                else { try s.skip() }
            } while try s.more(0x7D)
        }
        if seen != 31 { throw WireError(s.i, "trade without tradeId, px, sz, side and ts") }
        return t
    }
}
