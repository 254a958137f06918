import AlephCore

/// The outcome of one check.
public struct CheckResult: Sendable, Equatable {
    /// How a check ended.
    public enum Outcome: UInt8, Sendable {
        /// Not run: limit off or not applicable (e.g. a collar on a market order).
        case skipped
        /// Within the limit.
        case passed
        /// Breached.
        case failed
    }
    /// Which check.
    public var check: RiskCheck
    /// Outcome.
    public var outcome: Outcome
    /// The limit.
    public var limit: Fixed?
    /// The value the order would reach.
    public var value: Fixed?

    /// Creates a result.
    @inlinable public init(check: RiskCheck, outcome: Outcome, limit: Fixed?, value: Fixed?) {
        self.check = check
        self.outcome = outcome
        self.limit = limit
        self.value = value
    }

    /// How much room is left: limit minus value (value minus limit for the `min_notional` floor).
    @inlinable public var headroom: Fixed? {
        guard let limit, let value else { return nil }
        return check == .minNotional ? value - limit : limit - value
    }

    /// A not-run result.
    @inlinable public static func skipped(_ c: RiskCheck) -> CheckResult { CheckResult(check: c, outcome: .skipped, limit: nil, value: nil) }
}

/// Why an order was refused, with what would pass. Numbers only; `RiskMessages` renders text.
public struct RiskRejection: Sendable, Equatable {
    /// The first failing check.
    public var code: RiskCheck
    /// The limit.
    public var limit: Fixed?
    /// The value the order would reach.
    public var value: Fixed?
    /// A smaller quantity that would pass this check, where one exists.
    public var maxAllowedQuantity: Fixed?
    /// A price on the grid / inside the collar that would pass.
    public var correctedPrice: Fixed?
    /// A quantity on the lot grid / above the minimum that would pass.
    public var correctedQuantity: Fixed?
    /// True when the same order may pass later without changes.
    public var retryable: Bool
    /// For rate limits: when to retry.
    public var retryAfterMs: Int64?

    /// A rejection with only the essentials.
    public init(code: RiskCheck, limit: Fixed? = nil, value: Fixed? = nil, maxAllowedQuantity: Fixed? = nil, correctedPrice: Fixed? = nil,
                correctedQuantity: Fixed? = nil, retryable: Bool, retryAfterMs: Int64? = nil) {
        self.code = code
        self.limit = limit
        self.value = value
        self.maxAllowedQuantity = maxAllowedQuantity
        self.correctedPrice = correctedPrice
        self.correctedQuantity = correctedQuantity
        self.retryable = retryable
        self.retryAfterMs = retryAfterMs
    }
}

/// A breaker breach detected during a check.
public struct RiskBreach: Sendable, Equatable {
    /// `drawdown` or `daily_loss`.
    public var kind: String
    /// The limit breached.
    public var limit: Fixed
    /// The loss reached.
    public var value: Fixed
}

/// The gate's verdict: every check it considered, and the first failure if any.
public struct RiskDecision: Sendable {
    /// One result per check, in run order (inline: no allocation).
    public var results: InlineArray<17, CheckResult>
    /// The first failing check, nil when approved.
    public var rejection: RiskRejection?
    /// A breaker breach found now (the engine moves the trading state).
    public var breach: RiskBreach?
    /// Expected fill walked from the book: quantity.
    public var expectedQuantity: Fixed
    /// Expected fill walked from the book: notional.
    public var expectedNotional: Fixed

    /// True when no check failed.
    @inlinable public var approved: Bool { rejection == nil }

    @inlinable init() {
        results = InlineArray(repeating: CheckResult(check: .halted, outcome: .skipped, limit: nil, value: nil))
        rejection = nil
        breach = nil
        expectedQuantity = .zero
        expectedNotional = .zero
    }

    /// The result of one check.
    @inlinable public func result(_ c: RiskCheck) -> CheckResult { results[c.index] }

    /// All results in run order (allocates; for presentation).
    public var allResults: [CheckResult] { (0..<RiskCheck.count).map { results[$0] } }
}
