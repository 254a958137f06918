import AlephCore

/// The part of `RiskBook` that must survive a restart: trading state and the equity marks the
/// breaker measures from. Buckets and session budgets are deliberately not kept.
public struct RiskSnapshot: Sendable, Equatable {
    /// Trading state.
    public var state: TradingState
    /// Highest equity since start or the last resume.
    public var peakEquity: Fixed
    /// Equity at the start of `day`.
    public var dayStartEquity: Fixed
    /// UTC day number of `dayStartEquity`.
    public var day: Int64

    /// Creates a snapshot.
    public init(state: TradingState, peakEquity: Fixed, dayStartEquity: Fixed, day: Int64) {
        self.state = state
        self.peakEquity = peakEquity
        self.dayStartEquity = dayStartEquity
        self.day = day
    }
}

extension RiskBook {
    /// What a restart needs to carry on where it stopped.
    public var snapshot: RiskSnapshot {
        RiskSnapshot(state: state, peakEquity: peakEquity, dayStartEquity: dayStartEquity, day: day)
    }
}
