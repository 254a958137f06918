import AlephBook
import AlephCore

/// The order the gate judges.
public struct RiskIntent: Sendable, Equatable {
    /// Instrument id as given.
    public var instrument: String
    /// Side.
    public var side: Side
    /// Base quantity.
    public var quantity: Fixed
    /// Market or limit.
    public var type: OrderType
    /// Limit price, for limit orders.
    public var limitPrice: Fixed?
    /// Time in force.
    public var timeInForce: TimeInForce
    /// Must only shrink the position.
    public var reduceOnly: Bool
    /// Must rest without taking liquidity (limit orders only).
    public var postOnly: Bool
    /// The notional the agent asked for when `quantity` was derived from it (for messages).
    public var requestedNotional: Fixed?

    /// Creates an intent.
    public init(instrument: String, side: Side, quantity: Fixed, type: OrderType, limitPrice: Fixed?, timeInForce: TimeInForce, reduceOnly: Bool,
                postOnly: Bool = false, requestedNotional: Fixed? = nil) {
        self.instrument = instrument
        self.side = side
        self.quantity = quantity
        self.type = type
        self.limitPrice = limitPrice
        self.timeInForce = timeInForce
        self.reduceOnly = reduceOnly
        self.postOnly = postOnly
        self.requestedNotional = requestedNotional
    }

    /// True when the order may rest on the book.
    @inlinable public var canRest: Bool { type == .limit && timeInForce == .gtc }
}

/// Everything the gate needs to know about the world, gathered by the engine.
public struct RiskState: Sendable {
    /// Trading state.
    public var tradingState: TradingState
    /// The instrument's rules, nil when the instrument is unknown.
    public var instrument: InstrumentRules?
    /// Its book; an empty book (sequence 0) when there is none yet. Non-optional so the gate reads it in place.
    public var book: OrderBook
    /// Signed position quantity in the instrument.
    public var position: Fixed
    /// Open (resting) buy quantity in the instrument.
    public var openBuyQuantity: Fixed
    /// Open (resting) sell quantity in the instrument.
    public var openSellQuantity: Fixed
    /// Open orders in total.
    public var openOrders: Int
    /// Open orders in the instrument.
    public var openOrdersOnInstrument: Int
    /// Σ |position| × mark over instruments plus Σ open-order notional.
    public var grossNotional: Fixed
    /// Current equity (cash plus positions at mark).
    public var equity: Fixed
    /// Highest equity seen since the last reset.
    public var peakEquity: Fixed
    /// Equity at the start of the UTC day.
    public var dayStartEquity: Fixed
    /// The session's order bucket.
    public var sessionBucket: TokenBucket?
    /// The venue's order bucket.
    public var venueBucket: TokenBucket?
    /// Notional the session traded today.
    public var sessionNotionalToday: Fixed
    /// For a live spot venue with known balances: the free quote asset (nil: not checked).
    public var availableQuote: Fixed? = nil
    /// For a live spot venue with known balances: the free base asset (nil: not checked).
    public var availableBase: Fixed? = nil

    /// Creates a state.
    public init(tradingState: TradingState = .active, instrument: InstrumentRules?, book: OrderBook?, position: Fixed = .zero,
                openBuyQuantity: Fixed = .zero, openSellQuantity: Fixed = .zero, openOrders: Int = 0, openOrdersOnInstrument: Int = 0,
                grossNotional: Fixed = .zero, equity: Fixed = .zero, peakEquity: Fixed = .zero, dayStartEquity: Fixed = .zero,
                sessionBucket: TokenBucket? = nil, venueBucket: TokenBucket? = nil, sessionNotionalToday: Fixed = .zero) {
        self.tradingState = tradingState
        self.instrument = instrument
        self.book = book ?? OrderBook(instrument: "")
        self.position = position
        self.openBuyQuantity = openBuyQuantity
        self.openSellQuantity = openSellQuantity
        self.openOrders = openOrders
        self.openOrdersOnInstrument = openOrdersOnInstrument
        self.grossNotional = grossNotional
        self.equity = equity
        self.peakEquity = peakEquity
        self.dayStartEquity = dayStartEquity
        self.sessionBucket = sessionBucket
        self.venueBucket = venueBucket
        self.sessionNotionalToday = sessionNotionalToday
    }
}
