import AlephBook
import AlephCore

/// One order to place, with what it was decided on.
public struct SubmitRequest: Sendable {
    /// The order (its `clientOrderId` is durable in the ledger before a remote venue sees it).
    public var order: Order
    /// Its instrument's rules.
    public var instrument: Instrument
    /// The book the decision was made on (simulated venues fill against it; live ones ignore it).
    public var book: OrderBook?
    /// When it was sent (ns since epoch).
    public var sentAt: Int64

    /// Creates a request.
    public init(order: Order, instrument: Instrument, book: OrderBook?, sentAt: Int64) {
        self.order = order
        self.instrument = instrument
        self.book = book
        self.sentAt = sentAt
    }
}

/// What placing an order came to.
public enum SubmitOutcome: Sendable, Equatable {
    /// The venue took the order; its state (and any immediate fills) as it answered.
    case acknowledged(VenueOrderState)
    /// The venue refused it: nothing was placed.
    case rejected(VenueRejection)
    /// No usable answer (timeout after sending, connection lost, a venue "unknown outcome" error):
    /// the order may or may not exist. It is never resent, only looked up by client order id.
    case uncertain(String)
}

/// What a cancel request came to.
public enum CancelOutcome: Sendable, Equatable {
    /// The venue's state of the order after the cancel: cancelled, or filled when a fill won the race.
    case done(VenueOrderState)
    /// Accepted but not yet done (OKX and Bybit answer acks); the stream or a lookup finishes it.
    case accepted
    /// The order is not (or no longer) live at the venue; look it up for its true end state.
    case notLive(String)
    /// Refused (rate limit, auth…): the order is unchanged.
    case rejected(VenueRejection)
    /// No usable answer: the order is looked up until its state is known.
    case uncertain(String)
}

/// A lookup by client order id.
public enum LookupResult: Sendable, Equatable {
    /// The venue knows the order.
    case found(VenueOrderState)
    /// The venue does not know it (final only after the executor's `notFoundFinalAfterMs`).
    case notFound
    /// The venue does not know it and never can: its expiry passed unseen (a dYdX order past its
    /// good-til-block or its transaction's timeout height). Final at once; says why.
    case gone(String)
    /// The lookup itself failed; try again later.
    case failed(String)
}

/// A change to a resting order's price and/or quantity.
public struct ModifyRequest: Sendable {
    /// The order as the ledger holds it now.
    public var order: Order
    /// Its instrument's rules.
    public var instrument: Instrument
    /// The new limit price.
    public var price: Fixed
    /// The new total quantity (filled plus what should rest).
    public var quantity: Fixed
    /// The book the decision was made on.
    public var book: OrderBook?

    /// Creates a request.
    public init(order: Order, instrument: Instrument, price: Fixed, quantity: Fixed, book: OrderBook?) {
        self.order = order
        self.instrument = instrument
        self.price = price
        self.quantity = quantity
        self.book = book
    }
}

/// What a modify came to.
public enum ModifyOutcome: Sendable, Equatable {
    /// The venue changed the order; its state after (new venue order id, price, quantity, any fills).
    case done(VenueOrderState)
    /// Refused: the order is unchanged.
    case rejected(VenueRejection)
    /// No usable answer: the order is looked up until the venue's version is known.
    case uncertain(String)
}
