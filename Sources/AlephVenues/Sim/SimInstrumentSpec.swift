import AlephCore

/// How one simulated instrument behaves.
public struct SimInstrumentSpec: Sendable, Equatable {
    /// Static rules.
    public var instrument: Instrument
    /// Starting mid price.
    public var startPrice: Fixed
    /// Largest move of the centre per step, in ticks.
    public var maxStepTicks: Int64
    /// Levels per side.
    public var depth: Int
    /// Smallest level size, in lots.
    public var minLevelLots: Int64
    /// Largest level size, in lots.
    public var maxLevelLots: Int64

    /// Creates a spec.
    public init(instrument: Instrument, startPrice: Fixed, maxStepTicks: Int64, depth: Int, minLevelLots: Int64, maxLevelLots: Int64) {
        self.instrument = instrument
        self.startPrice = startPrice
        self.maxStepTicks = maxStepTicks
        self.depth = depth
        self.minLevelLots = minLevelLots
        self.maxLevelLots = maxLevelLots
    }

    /// The default simulated market: BTC and ETH spot, a BTC perp and a prediction-market outcome.
    public static let defaults: [SimInstrumentSpec] = [
        SimInstrumentSpec(
            instrument: Instrument(venue: "sim", base: "BTC", quote: "USD", kind: .spot, tickSize: "0.1", lotSize: "0.0001", minNotional: "5",
                                   description: "Simulated bitcoin spot"),
            startPrice: "65000", maxStepTicks: 15, depth: 25, minLevelLots: 100, maxLevelLots: 20_000),
        SimInstrumentSpec(
            instrument: Instrument(venue: "sim", base: "ETH", quote: "USD", kind: .spot, tickSize: "0.01", lotSize: "0.001", minNotional: "5",
                                   description: "Simulated ether spot"),
            startPrice: "3500", maxStepTicks: 10, depth: 25, minLevelLots: 50, maxLevelLots: 30_000),
        SimInstrumentSpec(
            instrument: Instrument(venue: "sim", base: "BTC", quote: "USD", kind: .perp, tickSize: "0.5", lotSize: "0.001", minNotional: "5",
                                   description: "Simulated bitcoin perpetual"),
            startPrice: "65010", maxStepTicks: 4, depth: 25, minLevelLots: 10, maxLevelLots: 3_000),
        SimInstrumentSpec(
            instrument: Instrument(venue: "sim", base: "RAIN", quote: "USD", kind: .outcome, tickSize: "0.001", lotSize: "1", minNotional: "1",
                                   description: "Simulated prediction market: YES shares of 'it rains tomorrow', pays 1 USD"),
            startPrice: "0.55", maxStepTicks: 1, depth: 25, minLevelLots: 50, maxLevelLots: 5_000),
    ]
}
