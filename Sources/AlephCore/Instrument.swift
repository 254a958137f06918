/// What kind of contract an instrument is.
public enum InstrumentKind: String, Sendable, Codable, CaseIterable {
    /// Spot pair: base asset against quote asset.
    case spot
    /// Perpetual future.
    case perp
    /// Prediction-market outcome share priced between 0 and 1.
    case outcome
}

/// Static trading rules of one instrument, id `<venue>:<BASE>-<QUOTE>[-PERP]`.
public struct Instrument: Sendable, Hashable {
    /// Canonical id, e.g. `sim:BTC-USD`.
    public var id: String
    /// Venue name, e.g. `sim`.
    public var venue: String
    /// Base asset, e.g. `BTC`.
    public var base: String
    /// Quote asset, e.g. `USD`.
    public var quote: String
    /// Contract kind.
    public var kind: InstrumentKind
    /// Minimum price increment.
    public var tickSize: Fixed
    /// Minimum quantity increment (base units).
    public var lotSize: Fixed
    /// Minimum order notional in quote currency.
    public var minNotional: Fixed
    /// Human description.
    public var description: String
    /// The venue's own symbol (`BTCUSDT`, `BTC-USDT-SWAP`); empty for the simulated market.
    public var symbol: String = ""
    /// Prices may carry at most this many significant figures (integers always pass), on top of
    /// the tick size; 0 when the venue has no such rule (Hyperliquid: 5).
    public var priceSignificantFigures: Int = 0
    /// For prediction-market outcomes: the question, the outcome, the venue's ids and state.
    public var outcome: OutcomeInfo? = nil

    /// Creates an instrument; the id is derived from venue, base, quote and kind.
    public init(venue: String, base: String, quote: String, kind: InstrumentKind,
                tickSize: Fixed, lotSize: Fixed, minNotional: Fixed, description: String = "") {
        self.venue = venue
        self.base = base
        self.quote = quote
        self.kind = kind
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minNotional = minNotional
        self.description = description
        self.id = "\(venue):\(base)-\(quote)" + (kind == .perp ? "-PERP" : "")
    }

    /// The price step that applies at `price`: the tick size, or — under a significant-figures
    /// rule — the larger step the price's magnitude allows (never above 1: integers always pass).
    public func tick(at price: Fixed) -> Fixed { Fixed.tick(at: price, tickSize: tickSize, significantFigures: priceSignificantFigures) }

    /// Decimal places of the tick size, used to print prices.
    public var priceDecimals: Int { tickSize.significantDecimals }
    /// Decimal places of the lot size, used to print quantities.
    public var quantityDecimals: Int { lotSize.significantDecimals }
}
