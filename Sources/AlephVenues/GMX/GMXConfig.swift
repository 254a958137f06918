import AlephCore
import BigInt

/// `[venues.gmx]`: the GMX v2 contracts, the markets traded, and the order defaults. Orders are
/// sent from the `[venues.evm]` account.
public struct GMXConfig: Sendable, Equatable {
    /// One GM market (`[venues.gmx.markets."ETH-USD"]`).
    public struct Market: Sendable, Equatable {
        /// `ETH-USD` (the instrument is `gmx:ETH-USD-PERP`).
        public var symbol: String
        /// The GM market token.
        public var market: [UInt8]
        /// The index token (its price comes from the tickers under this address).
        public var indexToken: [UInt8] = []
        /// The index token's decimals (prices are USD per smallest unit × 10^30).
        public var indexDecimals: Int
        /// The collateral token (an ERC-20 such as USDC, or the wrapped native token).
        public var collateralToken: [UInt8]
        /// Its decimals.
        public var collateralDecimals: Int
        /// Collateral = size / leverage (in USD, the collateral priced at 1).
        public var leverage: Fixed
        /// Price step of the instrument.
        public var tickSize: Fixed
        /// Size step of the instrument.
        public var lotSize: Fixed

        /// Creates a market.
        public init(symbol: String, market: [UInt8], indexDecimals: Int, collateralToken: [UInt8], collateralDecimals: Int, leverage: Fixed = "2",
                    tickSize: Fixed = "0.01", lotSize: Fixed = "0.0001") {
            self.symbol = symbol
            self.market = market
            self.indexDecimals = indexDecimals
            self.collateralToken = collateralToken
            self.collateralDecimals = collateralDecimals
            self.leverage = leverage
            self.tickSize = tickSize
            self.lotSize = lotSize
        }

        /// `gmx:<SYMBOL>-PERP`.
        public var instrument: Instrument {
            let parts = symbol.split(separator: "-").map(String.init)
            var i = Instrument(venue: "gmx", base: parts.first ?? symbol, quote: parts.count > 1 ? parts[1] : "USD", kind: .perp, tickSize: tickSize,
                               lotSize: lotSize, minNotional: "1", description: "GMX v2 perpetual \(symbol)")
            i.symbol = symbol
            return i
        }
    }

    /// Enabled.
    public var enabled = false
    /// `ExchangeRouter`: multicall, createOrder, cancelOrder.
    public var exchangeRouter: [UInt8] = []
    /// `Router`: the ERC-20 spender to approve.
    public var router: [UInt8] = []
    /// `OrderVault`: receives fee and collateral in the same multicall.
    public var orderVault: [UInt8] = []
    /// `EventEmitter`: where OrderCreated/Executed/Cancelled are logged.
    public var eventEmitter: [UInt8] = []
    /// `Reader` (positions; not read yet).
    public var reader: [UInt8] = []
    /// `DataStore`.
    public var dataStore: [UInt8] = []
    /// The wrapped native token (WETH on Arbitrum): the execution fee travels as it.
    public var wnt: [UInt8] = []
    /// Execution fee per order, wei (the excess is refunded by GMX).
    public var executionFeeWei: BigUInt = 0
    /// Acceptable price = the book's touch moved this far against us.
    public var slippageBps: Int = 100
    /// GMX price API (`…/prices/tickers`): the books the gate judges orders on.
    public var tickersURL = ""
    /// How often the tickers and the EventEmitter's logs are polled.
    public var pollMs = 500
    /// Markets.
    public var markets: [Market] = []

    /// Defaults (disabled).
    public init() {}
}
