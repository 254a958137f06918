import AlephCore

/// The trading rules of an instrument the gate needs: trivially copyable (no strings), so passing
/// them costs no reference counting on the hot path.
public struct InstrumentRules: Sendable, Equatable {
    /// Minimum price increment.
    public var tickSize: Fixed
    /// Minimum quantity increment.
    public var lotSize: Fixed
    /// Minimum order notional.
    public var minNotional: Fixed
    /// Significant figures a price may carry (0: no such rule).
    public var significantFigures: Int

    /// Rules from an instrument.
    public init(_ i: Instrument) {
        tickSize = i.tickSize
        lotSize = i.lotSize
        minNotional = i.minNotional
        significantFigures = i.priceSignificantFigures
    }

    /// Rules from values.
    public init(tickSize: Fixed, lotSize: Fixed, minNotional: Fixed, significantFigures: Int = 0) {
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minNotional = minNotional
        self.significantFigures = significantFigures
    }

    /// The price step that applies at `price`.
    @inlinable public func tick(at price: Fixed) -> Fixed {
        significantFigures == 0 ? tickSize : Fixed.tick(at: price, tickSize: tickSize, significantFigures: significantFigures)
    }
}
