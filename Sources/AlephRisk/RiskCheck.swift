/// Every pre-trade check, in the order the gate runs them. The raw value is the stable code.
public enum RiskCheck: String, Sendable, CaseIterable, Codable {
    /// Trading state Halted: nothing passes.
    case halted
    /// Trading state Reducing (or a reduce-only order): only orders that shrink a position pass.
    case reduceOnly = "reduce_only"
    /// The instrument is not listed.
    case unknownInstrument = "unknown_instrument"
    /// Limit price not on the tick grid.
    case tickSize = "tick_size"
    /// Quantity not a multiple of the lot size.
    case lotSize = "lot_size"
    /// Order notional below the venue minimum.
    case minNotional = "min_notional"
    /// Quantity above the per-order cap.
    case maxOrderQuantity = "max_order_quantity"
    /// Notional above the per-order cap.
    case maxOrderNotional = "max_order_notional"
    /// Worst-case position notional (with open orders on the same side) above the cap.
    case maxPosition = "max_position"
    /// Gross exposure across all instruments above the cap.
    case maxGrossExposure = "max_gross_exposure"
    /// A live spot venue's free balance cannot pay for the order (quote for a buy, base for a sell).
    case insufficientBalance = "insufficient_balance"
    /// Too many open orders (per instrument or in total).
    case maxOpenOrders = "max_open_orders"
    /// Orders per second per session or per venue exceeded.
    case rateLimited = "rate_limited"
    /// Limit price too far through the mid.
    case priceCollar = "price_collar"
    /// A post-only limit order would cross the book and take liquidity.
    case postOnlyWouldCross = "post_only_would_cross"
    /// Expected fill of a market order too far from the mid.
    case maxSlippage = "max_slippage"
    /// Book too old or not verified.
    case staleBook = "stale_book"
    /// Equity below peak minus max drawdown, or today's loss beyond the limit.
    case drawdownBreaker = "drawdown_breaker"
    /// The session's daily traded notional would exceed its budget.
    case sessionBudget = "session_budget"

    /// Number of checks.
    public static let count = 19
    /// The check at a position in the run order (a switch: no table lookup on the hot path).
    @inlinable public static func at(_ index: Int) -> RiskCheck {
        switch index {
        case 0: return .halted
        case 1: return .reduceOnly
        case 2: return .unknownInstrument
        case 3: return .tickSize
        case 4: return .lotSize
        case 5: return .minNotional
        case 6: return .maxOrderQuantity
        case 7: return .maxOrderNotional
        case 8: return .maxPosition
        case 9: return .maxGrossExposure
        case 10: return .insufficientBalance
        case 11: return .maxOpenOrders
        case 12: return .rateLimited
        case 13: return .priceCollar
        case 14: return .postOnlyWouldCross
        case 15: return .maxSlippage
        case 16: return .staleBook
        case 17: return .drawdownBreaker
        default: return .sessionBudget
        }
    }

    /// Position in the run order.
    @inlinable public var index: Int {
        switch self {
        case .halted: return 0
        case .reduceOnly: return 1
        case .unknownInstrument: return 2
        case .tickSize: return 3
        case .lotSize: return 4
        case .minNotional: return 5
        case .maxOrderQuantity: return 6
        case .maxOrderNotional: return 7
        case .maxPosition: return 8
        case .maxGrossExposure: return 9
        case .insufficientBalance: return 10
        case .maxOpenOrders: return 11
        case .rateLimited: return 12
        case .priceCollar: return 13
        case .postOnlyWouldCross: return 14
        case .maxSlippage: return 15
        case .staleBook: return 16
        case .drawdownBreaker: return 17
        case .sessionBudget: return 18
        }
    }
}

/// Trading state of the whole gateway.
public enum TradingState: String, Sendable, Codable, CaseIterable {
    /// Everything the limits allow passes.
    case active
    /// Only orders that shrink a position pass.
    case reducing
    /// Nothing passes.
    case halted
}

/// What a breached drawdown breaker does.
public enum BreachAction: String, Sendable, Codable, CaseIterable {
    /// Move to Reducing.
    case reducing
    /// Move to Halted.
    case halted

    /// The state it moves to.
    public var state: TradingState { self == .reducing ? .reducing : .halted }
}
