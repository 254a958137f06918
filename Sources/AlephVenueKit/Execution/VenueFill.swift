import AlephCore

/// A fill as a venue reports it. `venueTradeId` is the dedupe key, namespaced by the venue's own
/// rule (for example `binance:BTCUSDT:<trade id>:<order id>`, `okx:<instId>:<trade id>`,
/// `bybit:<exec id>`), so a fill seen on the stream, in an order answer and in a catch-up counts once.
public struct VenueFill: Sendable, Equatable {
    /// The venue's trade id (the dedupe key).
    public var venueTradeId: String
    /// Price.
    public var price: Fixed
    /// Quantity.
    public var quantity: Fixed
    /// Fee in the instrument's quote currency (venues that charge in another asset are converted
    /// by the executor; `feeAsset` and `venueFee` keep what the venue said).
    public var fee: Fixed
    /// The asset the venue charged the fee in, when it said.
    public var feeAsset: String?
    /// The fee as the venue charged it, in `feeAsset`.
    public var venueFee: Fixed?
    /// Maker or taker.
    public var liquidity: Liquidity
    /// Execution time (ns since epoch).
    public var timestamp: Int64

    /// Creates a fill.
    public init(venueTradeId: String, price: Fixed, quantity: Fixed, fee: Fixed, liquidity: Liquidity, timestamp: Int64,
                feeAsset: String? = nil, venueFee: Fixed? = nil) {
        self.venueTradeId = venueTradeId
        self.feeAsset = feeAsset
        self.venueFee = venueFee
        self.price = price
        self.quantity = quantity
        self.fee = fee
        self.liquidity = liquidity
        self.timestamp = timestamp
    }
}
