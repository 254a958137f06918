/// An order as the gateway tracks it.
public struct Order: Sendable, Equatable {
    /// Gateway order id (`o-<n>`).
    public var id: String
    /// The agent's idempotency key that created it.
    public var intentId: String
    /// Instrument id.
    public var instrument: String
    /// Side.
    public var side: Side
    /// Market or limit.
    public var type: OrderType
    /// Time in force.
    public var timeInForce: TimeInForce
    /// Limit price (limit orders only).
    public var limitPrice: Fixed?
    /// Ordered quantity in base units.
    public var quantity: Fixed
    /// Filled quantity so far.
    public var filledQuantity: Fixed
    /// Sum of price × quantity over fills (quote currency).
    public var filledNotional: Fixed
    /// Fees paid so far (quote currency).
    public var fees: Fixed
    /// Current status.
    public var status: OrderStatus
    /// Post-only flag.
    public var postOnly: Bool
    /// Reduce-only flag.
    public var reduceOnly: Bool
    /// Free text from the agent.
    public var rationale: String?
    /// Creation time (ns since epoch).
    public var createdAt: Int64
    /// Last change time (ns since epoch).
    public var updatedAt: Int64
    /// Why the order ended the way it did (e.g. `insufficient_liquidity`), if relevant.
    public var reason: String?
    /// Venue that executes it (`sim` for the paper venue).
    public var venue: String = ""
    /// The venue's id for the order, once acknowledged.
    public var venueOrderId: String?
    /// The client order id sent to the venue (derived from the gateway id).
    public var clientOrderId: String?
    /// Sent to a venue outside this process (live), not matched in it (paper).
    public var live: Bool = false
    /// Why a cancel was asked for (`cancel_order`, `cancel_all`, the dead-man's switch), once one
    /// was: durable, so the cancel is sent again until the venue confirms the order's end.
    public var cancelRequested: String?

    /// Creates an order in the `pending_submit` state.
    public init(id: String, intentId: String, instrument: String, side: Side, type: OrderType,
                timeInForce: TimeInForce, limitPrice: Fixed?, quantity: Fixed, postOnly: Bool,
                reduceOnly: Bool, rationale: String?, createdAt: Int64) {
        self.id = id
        self.intentId = intentId
        self.instrument = instrument
        self.side = side
        self.type = type
        self.timeInForce = timeInForce
        self.limitPrice = limitPrice
        self.quantity = quantity
        self.filledQuantity = .zero
        self.filledNotional = .zero
        self.fees = .zero
        self.status = .pendingSubmit
        self.postOnly = postOnly
        self.reduceOnly = reduceOnly
        self.rationale = rationale
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.reason = nil
    }

    /// Quantity still open.
    public var remainingQuantity: Fixed { quantity - filledQuantity }

    /// Volume-weighted average fill price, or nil before the first fill.
    public var averagePrice: Fixed? {
        filledQuantity.isZero ? nil : filledNotional.divided(by: filledQuantity)
    }

    /// Records a fill on this order and moves the status forward (a fill on a pending cancel
    /// keeps it pending until the venue answers the cancel; a fill reported late for an order
    /// already ended — cancelled or expired with a partial fill — keeps the end state).
    public mutating func apply(fill: Fill) {
        filledQuantity += fill.quantity
        filledNotional += fill.price.multiplied(by: fill.quantity)
        fees += fill.fee
        updatedAt = fill.timestamp
        if !remainingQuantity.isPositive {
            status = .filled
        } else if status.isTerminal || status == .pendingCancel || status == .uncertain {
            // Unchanged: the venue's answer (or a later report) says where it stands.
        } else {
            status = .partiallyFilled
        }
    }

    /// Moves to `next` when the state machine allows it; returns false (and changes nothing) otherwise.
    @discardableResult
    public mutating func move(to next: OrderStatus, reason: String? = nil, at time: Int64) -> Bool {
        guard status.canMove(to: next) else { return false }
        status = next
        if let reason { self.reason = reason }
        updatedAt = time
        return true
    }
}

/// One execution.
public struct Fill: Sendable, Equatable {
    /// Gateway fill id (`f-<n>`), unique.
    public var id: String
    /// Order it belongs to.
    public var orderId: String
    /// Intent that created the order.
    public var intentId: String
    /// Instrument id.
    public var instrument: String
    /// Side of our order.
    public var side: Side
    /// Execution price.
    public var price: Fixed
    /// Executed quantity (base units).
    public var quantity: Fixed
    /// Fee in quote currency (negative is a rebate).
    public var fee: Fixed
    /// Maker or taker.
    public var liquidity: Liquidity
    /// Execution time (ns since epoch).
    public var timestamp: Int64
    /// The venue's trade id: a fill delivered twice with the same id counts once.
    public var venueTradeId: String

    /// Creates a fill.
    public init(id: String, orderId: String, intentId: String, instrument: String, side: Side,
                price: Fixed, quantity: Fixed, fee: Fixed, liquidity: Liquidity, timestamp: Int64, venueTradeId: String? = nil) {
        self.venueTradeId = venueTradeId ?? id
        self.id = id
        self.orderId = orderId
        self.intentId = intentId
        self.instrument = instrument
        self.side = side
        self.price = price
        self.quantity = quantity
        self.fee = fee
        self.liquidity = liquidity
        self.timestamp = timestamp
    }
}
