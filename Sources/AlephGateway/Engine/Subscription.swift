/// Notification channels an agent can subscribe to; the notification `method` is the raw value.
public enum SubscriptionChannel: String, Sendable, CaseIterable {
    /// Top-N book levels (conflated: latest wins).
    case book
    /// Public trades.
    case trades
    /// Our order updates.
    case orders
    /// Our fills.
    case fills
    /// Our position changes.
    case positions
    /// Trading-state changes and breaker trips.
    case risk
    /// Market-data feed state changes, gaps and resyncs.
    case feeds

    /// True when the channel needs an instrument.
    public var requiresInstrument: Bool { self == .book || self == .trades }
}

/// One live subscription.
public struct Subscription: Sendable {
    /// Numeric id (presented as `sub-<n>`).
    public var id: Int
    /// Owning session.
    public var sessionId: Int
    /// Channel.
    public var channel: SubscriptionChannel
    /// Instrument filter (required for book/trades, optional otherwise).
    public var instrument: String?
    /// Book depth for `book`.
    public var depth: Int

    /// The id as agents see it.
    public var publicId: String { "sub-\(id)" }
}
