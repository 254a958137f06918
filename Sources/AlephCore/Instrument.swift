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

    /// Decimal places of the tick size, used to print prices.
    public var priceDecimals: Int { tickSize.significantDecimals }
    /// Decimal places of the lot size, used to print quantities.
    public var quantityDecimals: Int { lotSize.significantDecimals }
}
