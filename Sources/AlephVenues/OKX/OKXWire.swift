import AlephBook
import AlephCore

/// One `books` push for one instrument.
public struct OKXBooks: Sendable, Equatable {
    /// Instrument id (e.g. `BTC-USDT`).
    public var instId = ""
    /// True for `action: snapshot`.
    public var snapshot = false
    /// Bid levels as sent.
    public var bids: [BookLevel] = []
    /// Ask levels as sent.
    public var asks: [BookLevel] = []
    /// The exact price and size text of each bid (the checksum is over the venue's strings).
    public var bidText: [(price: String, size: String)] = []
    /// The exact text of each ask.
    public var askText: [(price: String, size: String)] = []
    /// Exchange time (ms).
    public var ts: Int64 = 0
    /// CRC-32 of the top 25 levels (0 or absent: not sent; deprecated by OKX in 2026).
    public var checksum: Int64?
    /// This push's sequence id (absent in data recorded before OKX added it).
    public var seqId: Int64?
    /// The previous push's sequence id (-1 on snapshots).
    public var prevSeqId: Int64?
    /// An empty push.
    public init() {}

    public static func == (a: OKXBooks, b: OKXBooks) -> Bool {
        a.instId == b.instId && a.snapshot == b.snapshot && a.bids == b.bids && a.asks == b.asks && a.ts == b.ts
            && a.checksum == b.checksum && a.seqId == b.seqId && a.prevSeqId == b.prevSeqId
    }
}

/// One public trade.
public struct OKXTrade: Sendable, Equatable {
    /// Instrument id.
    public var instId: String
    /// Trade id.
    public var tradeId: String
    /// Price.
    public var price: Fixed
    /// Size.
    public var size: Fixed
    /// Taker side.
    public var side: Side
    /// Trade time (ms).
    public var ts: Int64
}

/// One frame from the public socket.
public enum OKXMessage: Sendable, Equatable {
    /// Order-book pushes (one per instrument in `data`).
    case books([OKXBooks])
    /// Trades.
    case trades([OKXTrade])
    /// An `event` frame: `subscribe`, `unsubscribe`, `error` (with code and message), `notice`.
    case event(name: String, code: String?, message: String?)
    /// The text frame `pong`.
    case pong
    /// Anything else well-formed.
    case other
}
