import AlephBook
import AlephCore

/// A spot `depthUpdate` event.
public struct BinanceDepth: Sendable, Equatable {
    /// Symbol, upper case.
    public var symbol = ""
    /// Event time (ms).
    public var eventTime: Int64 = 0
    /// First update id in the event (`U`).
    public var firstId: Int64 = 0
    /// Final update id in the event (`u`).
    public var finalId: Int64 = 0
    /// Bid changes (absolute quantities; zero removes).
    public var bids: [BookLevel] = []
    /// Ask changes.
    public var asks: [BookLevel] = []
    /// An empty event (to decode into).
    public init() {}
}

/// A REST `/api/v3/depth` snapshot.
public struct BinanceSnapshot: Sendable, Equatable {
    /// The book's update id.
    public var lastUpdateId: Int64 = 0
    /// Bids.
    public var bids: [BookLevel] = []
    /// Asks.
    public var asks: [BookLevel] = []
    /// An empty snapshot.
    public init() {}
}

/// A `trade` event.
public struct BinanceTrade: Sendable, Equatable {
    /// Symbol.
    public var symbol: String
    /// Trade id.
    public var tradeId: Int64
    /// Price.
    public var price: Fixed
    /// Quantity.
    public var quantity: Fixed
    /// Trade time (ms).
    public var tradeTime: Int64
    /// True when the buyer was the maker (the taker sold).
    public var buyerIsMaker: Bool
}

/// One frame from the market-data socket.
public enum BinanceMessage: Sendable, Equatable {
    /// A diff-depth event.
    case depth(BinanceDepth)
    /// A trade.
    case trade(BinanceTrade)
    /// The reply to a SUBSCRIBE (`result` null is success).
    case ack(id: Int64)
    /// `serverShutdown`: reconnect now.
    case serverShutdown
    /// An error reply (`code`, `msg`).
    case error(String)
    /// Anything else well-formed (ignored).
    case other
}
