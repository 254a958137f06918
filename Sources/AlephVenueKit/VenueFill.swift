import AlephCore

/// A fill as a venue reports it.
public struct VenueFill: Sendable, Equatable {
    /// The venue's trade id (the dedupe key).
    public var venueTradeId: String
    /// Price.
    public var price: Fixed
    /// Quantity.
    public var quantity: Fixed
    /// Fee (quote currency).
    public var fee: Fixed
    /// Maker or taker.
    public var liquidity: Liquidity
    /// Execution time (ns since epoch).
    public var timestamp: Int64

    /// Creates a fill.
    public init(venueTradeId: String, price: Fixed, quantity: Fixed, fee: Fixed, liquidity: Liquidity, timestamp: Int64) {
        self.venueTradeId = venueTradeId
        self.price = price
        self.quantity = quantity
        self.fee = fee
        self.liquidity = liquidity
        self.timestamp = timestamp
    }
}

/// What a venue says about one of our orders.
public struct VenueOrderReport: Sendable, Equatable {
    /// Gateway order id.
    public var orderId: String
    /// The venue's current status (nil: unchanged).
    public var status: OrderStatus?
    /// The venue's order id, if known.
    public var venueOrderId: String?
    /// Every fill the venue has for the order (already booked ones are skipped by trade id).
    public var fills: [VenueFill]
    /// Why, for end states.
    public var reason: String?

    /// Creates a report.
    public init(orderId: String, status: OrderStatus?, venueOrderId: String? = nil, fills: [VenueFill] = [], reason: String? = nil) {
        self.orderId = orderId
        self.status = status
        self.venueOrderId = venueOrderId
        self.fills = fills
        self.reason = reason
    }
}

/// A venue executor's reconciliation side: asked after a restart or a lost connection about the
/// orders the ledger still has live (including `uncertain` ones), it answers with the venue's
/// truth. Live venues implement it with their open-orders and fills endpoints.
public protocol VenueReconciler: Sendable {
    /// Venue name as on instruments.
    var venue: String { get }
    /// The venue's view of these orders.
    func reconcile(orders: [Order]) async throws -> [VenueOrderReport]
}
