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

    /// Rules from an instrument.
    public init(_ i: Instrument) {
        tickSize = i.tickSize
        lotSize = i.lotSize
        minNotional = i.minNotional
    }

    /// Rules from values.
    public init(tickSize: Fixed, lotSize: Fixed, minNotional: Fixed) {
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minNotional = minNotional
    }
}
