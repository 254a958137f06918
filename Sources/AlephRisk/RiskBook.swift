import AlephCore

/// One change of trading state, for `get_risk` history and `risk` notifications.
public struct RiskEvent: Sendable, Equatable {
    /// When (ns).
    public var at: Int64
    /// State before.
    public var from: TradingState
    /// State after.
    public var to: TradingState
    /// `drawdown`, `daily_loss`, `halt`, `resume`.
    public var reason: String
    /// Equity at the time.
    public var equity: Fixed
    /// Limit breached, for breaker events.
    public var limit: Fixed?
    /// Loss reached, for breaker events.
    public var value: Fixed?

    /// Creates an event.
    public init(at: Int64, from: TradingState, to: TradingState, reason: String, equity: Fixed, limit: Fixed?, value: Fixed?) {
        self.at = at
        self.from = from
        self.to = to
        self.reason = reason
        self.equity = equity
        self.limit = limit
        self.value = value
    }
}

/// The gate's mutable bookkeeping, kept by the engine: state, equity marks, buckets, budgets.
/// Pure: every method takes `now`; the day rolls over at 00:00 UTC.
public struct RiskBook: Sendable {
    /// Global limits.
    public var limits: RiskLimits
    /// Per-instrument overrides.
    public var overrides: [String: RiskOverrides]
    /// Trading state.
    public private(set) var state: TradingState = .active
    /// Highest equity since start or the last resume.
    public private(set) var peakEquity: Fixed
    /// Equity at the start of the current UTC day (or the last resume).
    public private(set) var dayStartEquity: Fixed
    /// Current UTC day number.
    public private(set) var day: Int64
    /// State changes, oldest first (bounded).
    public private(set) var history: [RiskEvent] = []
    private var sessionBuckets: [Int: TokenBucket] = [:]
    private var venueBuckets: [String: TokenBucket] = [:]
    private var sessionNotional: [Int: Fixed] = [:]

    /// Starts Active with `equity` as peak and day start.
    public init(limits: RiskLimits, overrides: [String: RiskOverrides] = [:], equity: Fixed, now: Int64) {
        self.limits = limits
        self.overrides = overrides
        peakEquity = equity
        dayStartEquity = equity
        day = RiskBook.dayNumber(now)
    }

    /// Restores state, equity marks and history from a ledger after a restart.
    public mutating func restore(_ s: RiskSnapshot, history: [RiskEvent]) {
        state = s.state
        peakEquity = s.peakEquity
        dayStartEquity = s.dayStartEquity
        day = s.day
        self.history = Array(history.suffix(100))
    }

    /// UTC day number of a time.
    public static func dayNumber(_ now: Int64) -> Int64 { now >= 0 ? now / 86_400_000_000_000 : (now + 1) / 86_400_000_000_000 - 1 }

    /// Limits for an instrument (global with its overrides).
    public func limits(for instrument: String) -> RiskLimits {
        overrides[instrument].map { $0.applied(to: limits) } ?? limits
    }

    /// Rolls the day over if needed (new day-start equity, fresh session budgets) and raises the peak.
    /// An account joined (or left) the equity measure: its equity moves the peak and the day's
    /// start with it, so money that was always there is neither a gain nor a loss.
    public mutating func shiftBaselines(by amount: Fixed) {
        peakEquity += amount
        dayStartEquity += amount
    }

    /// Observes current equity: a new UTC day resets the day start; a new high moves the peak.
    public mutating func observe(equity: Fixed, now: Int64) {
        let today = RiskBook.dayNumber(now)
        if today != day {
            day = today
            dayStartEquity = equity
            sessionNotional = [:]
        }
        if equity > peakEquity { peakEquity = equity }
    }

    /// The breach at this equity, if any (does not change state).
    public func breach(equity: Fixed) -> RiskBreach? {
        if let cap = limits.maxDrawdown, peakEquity - equity > cap { return RiskBreach(kind: .drawdown, limit: cap, value: peakEquity - equity) }
        if let cap = limits.dailyLossLimit, dayStartEquity - equity > cap { return RiskBreach(kind: .dailyLoss, limit: cap, value: dayStartEquity - equity) }
        return nil
    }

    /// Applies a breach: moves to the `on_breach` state unless already there or stricter. Returns the event if the state changed.
    public mutating func trip(_ b: RiskBreach, equity: Fixed, now: Int64) -> RiskEvent? {
        let target = limits.onBreach.state
        if state == .halted || state == target { return nil }
        return transition(to: target, reason: b.kind.rawValue, equity: equity, now: now, limit: b.limit, value: b.value)
    }

    /// Operator halt.
    public mutating func halt(equity: Fixed, now: Int64) -> RiskEvent? {
        state == .halted ? nil : transition(to: .halted, reason: "halt", equity: equity, now: now, limit: nil, value: nil)
    }

    /// Operator resume: back to Active; peak and day start restart from the current equity.
    public mutating func resume(equity: Fixed, now: Int64) -> RiskEvent? {
        peakEquity = equity
        dayStartEquity = equity
        return state == .active ? nil : transition(to: .active, reason: "resume", equity: equity, now: now, limit: nil, value: nil)
    }

    private mutating func transition(to: TradingState, reason: String, equity: Fixed, now: Int64, limit: Fixed?, value: Fixed?) -> RiskEvent {
        let e = RiskEvent(at: now, from: state, to: to, reason: reason, equity: equity, limit: limit, value: value)
        state = to
        history.append(e)
        if history.count > 100 { history.removeFirst(history.count - 100) }
        return e
    }

    /// The session's bucket as of now (full if it never ordered).
    public func sessionBucket(_ session: Int, now: Int64) -> TokenBucket? {
        guard let rate = limits.maxOrdersPerSecond else { return nil }
        var b = sessionBuckets[session] ?? TokenBucket(rate: rate, now: now)
        b.rate = rate
        return b
    }

    /// The venue's bucket as of now.
    public func venueBucket(_ venue: String, now: Int64) -> TokenBucket? {
        guard let rate = limits.maxOrdersPerSecond else { return nil }
        var b = venueBuckets[venue] ?? TokenBucket(rate: rate, now: now)
        b.rate = rate
        return b
    }

    /// Consumes one order token from the session and the venue.
    public mutating func recordOrder(session: Int, venue: String, now: Int64) {
        if var b = sessionBucket(session, now: now) { b.take(at: now); sessionBuckets[session] = b }
        if var b = venueBucket(venue, now: now) { b.take(at: now); venueBuckets[venue] = b }
    }

    /// Adds traded notional to the session's daily budget.
    public mutating func recordTraded(session: Int, notional: Fixed, now: Int64) {
        if RiskBook.dayNumber(now) != day {
            day = RiskBook.dayNumber(now)
            sessionNotional = [:]
        }
        sessionNotional[session, default: .zero] += notional
    }

    /// Notional the session traded today.
    public func sessionNotionalToday(_ session: Int) -> Fixed { sessionNotional[session] ?? .zero }

    /// Forgets a closed session's bucket and budget.
    public mutating func forget(session: Int) {
        sessionBuckets[session] = nil
    }
}
