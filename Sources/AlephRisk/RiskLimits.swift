import AlephCore

/// Hard limits. `nil` switches a limit off.
public struct RiskLimits: Sendable, Equatable {
    /// Largest quantity per order (base units).
    public var maxOrderQuantity: Fixed?
    /// Largest notional per order (quote currency).
    public var maxOrderNotional: Fixed?
    /// Largest worst-case position notional per instrument.
    public var maxPositionNotional: Fixed?
    /// Largest gross exposure across instruments (positions plus open orders).
    public var maxGrossNotional: Fixed?
    /// Most open orders in total.
    public var maxOpenOrders: Int?
    /// Most open orders per instrument.
    public var maxOpenOrdersPerInstrument: Int?
    /// Orders per second, per session and per venue (token bucket, burst = rate).
    public var maxOrdersPerSecond: Int?
    /// How far (bps) a limit price may be through the mid.
    public var priceCollarBps: Int64?
    /// How far (bps) a market order's expected average fill may be from the mid.
    public var maxSlippageBps: Int64?
    /// Oldest acceptable book, in milliseconds since the last update.
    public var maxBookAgeMs: Int64?
    /// Largest allowed fall of equity from its peak.
    public var maxDrawdown: Fixed?
    /// Largest allowed loss since the start of the UTC day.
    public var dailyLossLimit: Fixed?
    /// A session's daily traded notional.
    public var sessionDailyNotional: Fixed?
    /// What a breaker breach does.
    public var onBreach: BreachAction

    /// Creates limits; every limit defaults to off.
    public init(maxOrderQuantity: Fixed? = nil, maxOrderNotional: Fixed? = nil, maxPositionNotional: Fixed? = nil, maxGrossNotional: Fixed? = nil,
                maxOpenOrders: Int? = nil, maxOpenOrdersPerInstrument: Int? = nil, maxOrdersPerSecond: Int? = nil, priceCollarBps: Int64? = nil,
                maxSlippageBps: Int64? = nil, maxBookAgeMs: Int64? = nil, maxDrawdown: Fixed? = nil, dailyLossLimit: Fixed? = nil,
                sessionDailyNotional: Fixed? = nil, onBreach: BreachAction = .reducing) {
        self.maxOrderQuantity = maxOrderQuantity
        self.maxOrderNotional = maxOrderNotional
        self.maxPositionNotional = maxPositionNotional
        self.maxGrossNotional = maxGrossNotional
        self.maxOpenOrders = maxOpenOrders
        self.maxOpenOrdersPerInstrument = maxOpenOrdersPerInstrument
        self.maxOrdersPerSecond = maxOrdersPerSecond
        self.priceCollarBps = priceCollarBps
        self.maxSlippageBps = maxSlippageBps
        self.maxBookAgeMs = maxBookAgeMs
        self.maxDrawdown = maxDrawdown
        self.dailyLossLimit = dailyLossLimit
        self.sessionDailyNotional = sessionDailyNotional
        self.onBreach = onBreach
    }

    /// Safe defaults for a 100,000 USD paper account (documented in the README).
    public static let defaults = RiskLimits(
        maxOrderQuantity: nil, maxOrderNotional: "25000", maxPositionNotional: "50000", maxGrossNotional: "150000",
        maxOpenOrders: 200, maxOpenOrdersPerInstrument: 50, maxOrdersPerSecond: 20, priceCollarBps: 500, maxSlippageBps: 100,
        maxBookAgeMs: 5000, maxDrawdown: "10000", dailyLossLimit: "5000", sessionDailyNotional: "1000000", onBreach: .reducing)

    /// Config keys, in documentation order.
    public static let keys = ["max_order_quantity", "max_order_notional", "max_position_notional", "max_gross_notional", "max_open_orders",
                              "max_open_orders_per_instrument", "max_orders_per_second", "price_collar_bps", "max_slippage_bps", "max_book_age_ms",
                              "max_drawdown", "daily_loss_limit", "session_daily_notional", "on_breach"]

    /// Keys that may be overridden per instrument.
    public static let instrumentKeys: Set<String> = ["max_order_quantity", "max_order_notional", "max_position_notional",
                                                     "max_open_orders_per_instrument", "price_collar_bps", "max_slippage_bps", "max_book_age_ms"]
}

/// Per-instrument overrides: a present value replaces the global one (`.some(nil)` switches it off).
public struct RiskOverrides: Sendable, Equatable {
    /// Override of `maxOrderQuantity`.
    public var maxOrderQuantity: Fixed??
    /// Override of `maxOrderNotional`.
    public var maxOrderNotional: Fixed??
    /// Override of `maxPositionNotional`.
    public var maxPositionNotional: Fixed??
    /// Override of `maxOpenOrdersPerInstrument`.
    public var maxOpenOrdersPerInstrument: Int??
    /// Override of `priceCollarBps`.
    public var priceCollarBps: Int64??
    /// Override of `maxSlippageBps`.
    public var maxSlippageBps: Int64??
    /// Override of `maxBookAgeMs`.
    public var maxBookAgeMs: Int64??

    /// No overrides.
    public init() {}

    /// The global limits with these overrides applied.
    public func applied(to base: RiskLimits) -> RiskLimits {
        var l = base
        if let v = maxOrderQuantity { l.maxOrderQuantity = v }
        if let v = maxOrderNotional { l.maxOrderNotional = v }
        if let v = maxPositionNotional { l.maxPositionNotional = v }
        if let v = maxOpenOrdersPerInstrument { l.maxOpenOrdersPerInstrument = v }
        if let v = priceCollarBps { l.priceCollarBps = v }
        if let v = maxSlippageBps { l.maxSlippageBps = v }
        if let v = maxBookAgeMs { l.maxBookAgeMs = v }
        return l
    }
}
