import AlephCore

/// The outcome of one check. Compact and trivially copyable: the hot path writes one per check.
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
    public var check: RiskCheck { RiskCheck.at(Int(index)) }
    /// Outcome.
    public var outcome: Outcome
    @usableFromInline var index: UInt8
    @usableFromInline var flags: UInt8
    @usableFromInline var limitRaw: Int64
    @usableFromInline var valueRaw: Int64

    /// Creates a result.
    @inlinable public init(check: RiskCheck, outcome: Outcome, limit: Fixed?, value: Fixed?) {
        self.outcome = outcome
        index = UInt8(check.index)
        flags = (limit == nil ? 0 : 1) | (value == nil ? 0 : 2)
        limitRaw = limit?.raw ?? 0
        valueRaw = value?.raw ?? 0
    }

    /// The limit.
    @inlinable public var limit: Fixed? { flags & 1 != 0 ? Fixed(raw: limitRaw) : nil }
    /// The value the order would reach.
    @inlinable public var value: Fixed? { flags & 2 != 0 ? Fixed(raw: valueRaw) : nil }

    /// How much room is left: limit minus value (value minus limit for the `min_notional` floor).
    @inlinable public var headroom: Fixed? {
        guard let limit, let value else { return nil }
        return check == .minNotional ? value - limit : limit - value
    }
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
    /// The order's notional does not fit in `Fixed` (above ±92,233,720,368): `value` is that bound.
    public var overflow = false
    /// For a corrected quantity: what it is worth now (so an agent sizing by notional can resend).
    public var correctedNotional: Fixed?

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

/// Which breaker tripped.
public enum BreachKind: String, Sendable, Equatable {
    /// Equity fell more than `max_drawdown` below its peak.
    case drawdown
    /// Today's loss exceeded `daily_loss_limit`.
    case dailyLoss = "daily_loss"
}

/// A breaker breach detected during a check.
public struct RiskBreach: Sendable, Equatable {
    /// Drawdown or daily loss.
    public var kind: BreachKind
    /// The limit breached.
    public var limit: Fixed
    /// The loss reached.
    public var value: Fixed
}

/// The gate's verdict: every check it considered, and the first failure if any.
///
/// Storage is flat and trivially copyable: limits and values as raw `Int64`s in inline arrays,
/// outcome and presence as 2-bit fields in two words, so building a decision is a few stores.
public struct RiskDecision: Sendable {
    @usableFromInline var limitRaw = CheckSlots()
    @usableFromInline var valueRaw = CheckSlots()
    @usableFromInline var outcomes: UInt64 = 0 // 2 bits per check: 0 skipped, 1 passed, 2 failed
    @usableFromInline var present: UInt64 = 0  // bit 2i: limit present, bit 2i+1: value present
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
        rejection = nil
        breach = nil
        expectedQuantity = Fixed(raw: 0)
        expectedNotional = Fixed(raw: 0)
    }

    @inlinable @inline(__always) mutating func record(_ c: RiskCheck, _ outcome: CheckResult.Outcome, limit: Fixed?, value: Fixed?) {
        // Each check is recorded at most once and slots start at zero: OR the bits in.
        let shift = UInt64(2 &* c.index)
        outcomes |= UInt64(outcome.rawValue) << shift
        if let limit { limitRaw[c.index] = limit.raw; present |= 1 << shift }
        if let value { valueRaw[c.index] = value.raw; present |= 2 << shift }
    }

    /// The result of one check.
    @inlinable public func result(_ c: RiskCheck) -> CheckResult {
        let i = c.index
        let o = CheckResult.Outcome(rawValue: UInt8((outcomes >> UInt64(2 * i)) & 3)) ?? .skipped
        let bits = (present >> UInt64(2 * i)) & 3
        return CheckResult(check: c, outcome: o, limit: bits & 1 != 0 ? Fixed(raw: limitRaw[i]) : nil,
                           value: bits & 2 != 0 ? Fixed(raw: valueRaw[i]) : nil)
    }

    /// All results in run order (allocates; for presentation).
    public var allResults: [CheckResult] { (0..<RiskCheck.count).map { result(RiskCheck.at($0)) } }
}
