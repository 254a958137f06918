import AlephBook
import AlephCore

/// A normalised market-data event from any venue.
public enum MarketEvent: Sendable, Equatable {
    /// A full book image.
    case snapshot(BookUpdate)
    /// Incremental level changes (quantity zero deletes).
    case delta(BookUpdate)
    /// A public trade.
    case trade(Trade)
    /// Levels a venue feed has already sequenced and applied to its own book (which it sent
    /// whole as `.book` when it last synced): the engine applies them to its copy as they are,
    /// with no `+1` rule — the cheap form of `.book` for each update in between.
    case levels(BookUpdate)
    /// The whole book as a venue feed maintains it (its own sequence and checksum rules already
    /// applied); the engine takes it as is, `verified` flag included.
    case book(OrderBook)
    /// A derivative's context from its venue: mark, index, funding, open interest.
    case context(InstrumentContext)
    /// The venue changed an instrument's tick size (Polymarket `tick_size_change` near 0 and 1):
    /// the gate judges new orders by it at once.
    case tickSize(instrument: String, tick: Fixed)
}

/// What a perp venue says about an instrument besides its book (each field when it says it).
public struct InstrumentContext: Sendable, Equatable {
    /// Instrument id.
    public var instrument: String
    /// The venue's mark price (what its PnL and liquidations use).
    public var markPrice: Fixed?
    /// The index (oracle) price.
    public var indexPrice: Fixed?
    /// The current funding rate (per the venue's funding interval; Hyperliquid: per hour).
    public var fundingRate: Fixed?
    /// Open interest in base units.
    public var openInterest: Fixed?
    /// Receive time (ns since epoch).
    public var receiveTime: Int64

    /// Creates a context.
    public init(instrument: String, markPrice: Fixed?, indexPrice: Fixed?, fundingRate: Fixed?, openInterest: Fixed?, receiveTime: Int64) {
        self.instrument = instrument
        self.markPrice = markPrice
        self.indexPrice = indexPrice
        self.fundingRate = fundingRate
        self.openInterest = openInterest
        self.receiveTime = receiveTime
    }
}

/// Levels for one instrument with freshness metadata.
public struct BookUpdate: Sendable, Equatable {
    /// Instrument id.
    public var instrument: String
    /// Bid levels.
    public var bids: [BookLevel]
    /// Ask levels.
    public var asks: [BookLevel]
    /// Venue sequence number.
    public var sequence: Int64
    /// Exchange timestamp (ns since epoch).
    public var exchangeTime: Int64
    /// Local receive timestamp (ns since epoch).
    public var receiveTime: Int64

    /// Creates an update.
    public init(instrument: String, bids: [BookLevel], asks: [BookLevel], sequence: Int64, exchangeTime: Int64, receiveTime: Int64) {
        self.instrument = instrument
        self.bids = bids
        self.asks = asks
        self.sequence = sequence
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
    }
}

/// A public trade print.
public struct Trade: Sendable, Equatable {
    /// Instrument id.
    public var instrument: String
    /// Venue trade id.
    public var tradeId: String
    /// Price.
    public var price: Fixed
    /// Quantity (base units).
    public var quantity: Fixed
    /// Side of the aggressor (taker).
    public var aggressor: Side
    /// Venue sequence number of the trade stream.
    public var sequence: Int64
    /// Exchange timestamp (ns).
    public var exchangeTime: Int64
    /// Receive timestamp (ns).
    public var receiveTime: Int64

    /// Creates a trade.
    public init(instrument: String, tradeId: String, price: Fixed, quantity: Fixed, aggressor: Side,
                sequence: Int64, exchangeTime: Int64, receiveTime: Int64) {
        self.instrument = instrument
        self.tradeId = tradeId
        self.price = price
        self.quantity = quantity
        self.aggressor = aggressor
        self.sequence = sequence
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
    }
}

/// A source of market data for a set of instruments (simulated, replayed or live).
public protocol MarketDataFeed: Sendable {
    /// Instruments this feed publishes.
    var instruments: [Instrument] { get }
    /// Runs until cancelled, handing every event to `emit` in order.
    func run(emit: @escaping @Sendable ([MarketEvent]) async -> Void) async throws
}
