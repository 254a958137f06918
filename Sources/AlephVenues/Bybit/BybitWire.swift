import AlephBook
import AlephCore

/// One `orderbook.{depth}.{symbol}` push.
public struct BybitBook: Sendable, Equatable {
    /// Symbol.
    public var symbol = ""
    /// `snapshot` (reset, including `u == 1` after a service restart) or `delta`.
    public var snapshot = false
    /// Push time (ms).
    public var ts: Int64 = 0
    /// Update id: +1 per push per topic; 1 after a service restart.
    public var updateId: Int64 = 0
    /// Cross sequence.
    public var seq: Int64 = 0
    /// Bids (size 0 deletes).
    public var bids: [BookLevel] = []
    /// Asks.
    public var asks: [BookLevel] = []
    /// An empty push.
    public init() {}
}

/// One public trade.
public struct BybitTrade: Sendable, Equatable {
    /// Symbol.
    public var symbol: String
    /// Trade id.
    public var tradeId: String
    /// Price.
    public var price: Fixed
    /// Size.
    public var size: Fixed
    /// Taker side.
    public var side: Side
    /// Trade time (ms).
    public var time: Int64
}

/// One frame from the public socket.
public enum BybitMessage: Sendable, Equatable {
    /// An order-book push.
    case book(BybitBook)
    /// Trades.
    case trades([BybitTrade])
    /// An `op` reply: `subscribe`, `ping`/`pong` with success and message.
    case op(name: String, success: Bool, message: String?)
    /// Anything else well-formed.
    case other
}
