import AlephCore

/// Settings of the paper venue.
public struct PaperConfig: Sendable, Equatable {
    /// Fee for resting (maker) fills, in bps of notional; negative is a rebate.
    public var makerFeeBps: Fixed
    /// Fee for crossing (taker) fills, in bps of notional.
    public var takerFeeBps: Fixed
    /// Starting cash in the quote currency.
    public var startingCash: Fixed
    /// The account currency.
    public var currency: String

    /// Creates a config; defaults are 2 bps maker, 5 bps taker, 100,000 USD.
    public init(makerFeeBps: Fixed = "2", takerFeeBps: Fixed = "5", startingCash: Fixed = "100000", currency: String = "USD") {
        self.makerFeeBps = makerFeeBps
        self.takerFeeBps = takerFeeBps
        self.startingCash = startingCash
        self.currency = currency
    }
}
