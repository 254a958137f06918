import AlephCore

/// What a venue says about one of our orders at one moment: in an order answer, a private-stream
/// event, a lookup or an open-orders listing. The engine merges these into the order (fills once
/// by trade id, status only forward) whatever their arrival order.
public struct VenueOrderState: Sendable, Equatable {
    /// Our client order id (the key that finds the order).
    public var clientOrderId: String
    /// The venue's order id, once known.
    public var venueOrderId: String?
    /// The venue's status for the order; nil when the message carries a fill only.
    public var status: OrderStatus?
    /// Cumulative filled quantity as the venue counts it, when the message says (cross-checks the
    /// fills booked: a shortfall triggers a fills catch-up).
    public var filledQuantity: Fixed?
    /// Fills carried by this message (booked once each by `venueTradeId`).
    public var fills: [VenueFill]
    /// Why the order ended (venue wording), for end states.
    public var reason: String?
    /// Venue time of the message (ns since epoch), 0 when unknown.
    public var timestamp: Int64
    /// The order's limit price as the venue holds it, when the message says (a modify changes it).
    public var limitPrice: Fixed?
    /// The order's total quantity as the venue holds it, when the message says (a modify changes it).
    public var quantity: Fixed?

    /// Creates a state report.
    public init(clientOrderId: String, venueOrderId: String? = nil, status: OrderStatus?, filledQuantity: Fixed? = nil,
                fills: [VenueFill] = [], reason: String? = nil, timestamp: Int64 = 0, limitPrice: Fixed? = nil, quantity: Fixed? = nil) {
        self.clientOrderId = clientOrderId
        self.venueOrderId = venueOrderId
        self.status = status
        self.filledQuantity = filledQuantity
        self.fills = fills
        self.reason = reason
        self.timestamp = timestamp
        self.limitPrice = limitPrice
        self.quantity = quantity
    }
}

/// An open order at the venue as an open-orders listing returns it (ours or not: the engine
/// tells ours by the client-id prefix).
public struct VenueOpenOrder: Sendable, Equatable {
    /// The state (status open or partially filled).
    public var state: VenueOrderState
    /// Venue-native symbol.
    public var symbol: String
    /// Our instrument id for it, if the venue's instruments are loaded.
    public var instrument: String?
    /// Side.
    public var side: Side
    /// Limit price.
    public var price: Fixed?
    /// Original quantity (base units).
    public var quantity: Fixed
    /// Creation time (ns since epoch).
    public var createdAt: Int64

    /// Creates an open order.
    public init(state: VenueOrderState, symbol: String, instrument: String?, side: Side, price: Fixed?, quantity: Fixed, createdAt: Int64) {
        self.state = state
        self.symbol = symbol
        self.instrument = instrument
        self.side = side
        self.price = price
        self.quantity = quantity
        self.createdAt = createdAt
    }
}

/// A fill found by a catch-up query, with what identifies its order.
public struct VenueFillReport: Sendable, Equatable {
    /// Our client order id, when the venue returns it.
    public var clientOrderId: String?
    /// The venue's order id.
    public var venueOrderId: String?
    /// Our instrument id.
    public var instrument: String
    /// The fill.
    public var fill: VenueFill

    /// Creates a report.
    public init(clientOrderId: String?, venueOrderId: String?, instrument: String, fill: VenueFill) {
        self.clientOrderId = clientOrderId
        self.venueOrderId = venueOrderId
        self.instrument = instrument
        self.fill = fill
    }
}
