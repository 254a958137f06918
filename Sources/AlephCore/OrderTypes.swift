/// Order side.
public enum Side: String, Sendable, Codable, CaseIterable {
    /// Buy the base asset.
    case buy
    /// Sell the base asset.
    case sell

    /// The other side.
    public var opposite: Side { self == .buy ? .sell : .buy }
    /// +1 for buy, -1 for sell.
    public var sign: Int64 { self == .buy ? 1 : -1 }
}

/// Order type.
public enum OrderType: String, Sendable, Codable, CaseIterable {
    /// Executes immediately against the book.
    case market
    /// Executes at the limit price or better.
    case limit
}

/// Time in force.
public enum TimeInForce: String, Sendable, Codable, CaseIterable {
    /// Good till cancelled: the remainder rests.
    case gtc
    /// Immediate or cancel: the remainder is cancelled.
    case ioc
    /// Fill or kill: all or nothing.
    case fok
}

/// Lifecycle state of an order as reported to agents.
public enum OrderStatus: String, Sendable, Codable, CaseIterable {
    /// Accepted by the gateway, not yet acknowledged by the venue.
    case accepted
    /// Resting on the book.
    case open
    /// Some quantity filled, the rest resting.
    case partiallyFilled = "partially_filled"
    /// Completely filled.
    case filled
    /// Cancelled (by the agent, or the unfilled remainder of IOC/FOK/market).
    case cancelled
    /// Rejected before trading.
    case rejected
    /// Validated only; nothing was sent (`preview`).
    case previewed

    /// True when the order can no longer change.
    public var isTerminal: Bool {
        switch self {
        case .filled, .cancelled, .rejected, .previewed: return true
        case .accepted, .open, .partiallyFilled: return false
        }
    }
}

/// Whether a fill added or removed liquidity.
public enum Liquidity: String, Sendable, Codable {
    /// Resting order was hit.
    case maker
    /// Order crossed the spread.
    case taker
}
