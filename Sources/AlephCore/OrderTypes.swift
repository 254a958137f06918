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

/// Lifecycle state of an order.
///
/// `pending_submit → open → partially_filled → filled`, with the end states `cancelled`,
/// `rejected` and `expired`; `pending_cancel` while a cancel is in flight; `uncertain` when an
/// order was sent and no answer came back: it is never resubmitted automatically, only reconciled
/// against the venue. `previewed` marks a `preview` answer and is never stored.
public enum OrderStatus: String, Sendable, Codable, CaseIterable {
    /// Recorded by the gateway, not yet acknowledged by the venue.
    case pendingSubmit = "pending_submit"
    /// Resting on the book.
    case open
    /// Some quantity filled, the rest resting.
    case partiallyFilled = "partially_filled"
    /// A cancel was sent; the venue has not confirmed it yet.
    case pendingCancel = "pending_cancel"
    /// Sent to the venue with no answer (timeout, lost connection): reconciled, never resent.
    case uncertain
    /// Completely filled.
    case filled
    /// Cancelled (by the agent, or the unfilled remainder of IOC/FOK/market).
    case cancelled
    /// Rejected before trading.
    case rejected
    /// Expired at the venue (time in force ran out).
    case expired
    /// Validated only; nothing was sent (`preview`).
    case previewed

    /// True when the order can no longer change.
    public var isTerminal: Bool {
        switch self {
        case .filled, .cancelled, .rejected, .expired, .previewed: return true
        case .pendingSubmit, .open, .partiallyFilled, .pendingCancel, .uncertain: return false
        }
    }

    /// Whether the state machine allows moving from `self` to `next` (staying put is allowed).
    public func canMove(to next: OrderStatus) -> Bool {
        if next == self { return true }
        switch self {
        case .pendingSubmit:
            return [.open, .partiallyFilled, .filled, .cancelled, .rejected, .expired, .uncertain].contains(next)
        case .open:
            return [.partiallyFilled, .filled, .cancelled, .expired, .pendingCancel, .uncertain].contains(next)
        case .partiallyFilled:
            return [.filled, .cancelled, .expired, .pendingCancel, .uncertain].contains(next)
        case .pendingCancel:
            // A fill can still land while the cancel travels; the venue may also refuse the cancel.
            return [.open, .partiallyFilled, .filled, .cancelled, .expired, .uncertain].contains(next)
        case .uncertain:
            // Reconciliation finds out what really happened.
            return [.open, .partiallyFilled, .filled, .cancelled, .rejected, .expired].contains(next)
        case .filled, .cancelled, .rejected, .expired, .previewed:
            return false
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
