import AlephCore

/// One asset balance at a venue (absolute values, not deltas).
public struct VenueBalance: Sendable, Equatable {
    /// Asset, e.g. `USDT`.
    public var asset: String
    /// Available.
    public var free: Fixed
    /// Held by open orders or otherwise locked.
    public var locked: Fixed

    /// Creates a balance.
    public init(asset: String, free: Fixed, locked: Fixed) {
        self.asset = asset
        self.free = free
        self.locked = locked
    }

    /// Free plus locked.
    public var total: Fixed { free + locked }
}

/// One derivatives position as a venue reports it.
public struct VenuePosition: Sendable, Equatable {
    /// Our instrument id.
    public var instrument: String
    /// Signed size in base units (positive long).
    public var quantity: Fixed
    /// Average entry price, if given.
    public var entryPrice: Fixed?
    /// Unrealized PnL in quote currency, if given.
    public var unrealizedPnL: Fixed?
    /// Price at which the venue liquidates the position, if it says.
    public var liquidationPrice: Fixed?
    /// Margin the position ties up (quote currency), if the venue says.
    public var marginUsed: Fixed?
    /// Leverage the venue applies, if it says.
    public var leverage: Fixed?

    /// Creates a position.
    public init(instrument: String, quantity: Fixed, entryPrice: Fixed?, unrealizedPnL: Fixed?,
                liquidationPrice: Fixed? = nil, marginUsed: Fixed? = nil, leverage: Fixed? = nil) {
        self.instrument = instrument
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.unrealizedPnL = unrealizedPnL
        self.liquidationPrice = liquidationPrice
        self.marginUsed = marginUsed
        self.leverage = leverage
    }
}

/// A margin account's summary as the venue computes it (perp venues that report one).
public struct VenueMargin: Sendable, Equatable {
    /// Collateral plus unrealized PnL.
    public var accountValue: Fixed
    /// Margin tied up by positions (and orders, where the venue counts them).
    public var marginUsed: Fixed
    /// What could be withdrawn now.
    public var withdrawable: Fixed

    /// Creates a summary.
    public init(accountValue: Fixed, marginUsed: Fixed, withdrawable: Fixed) {
        self.accountValue = accountValue
        self.marginUsed = marginUsed
        self.withdrawable = withdrawable
    }
}

/// One funding payment on a perp position (positive: received, negative: paid).
public struct VenueFunding: Sendable, Equatable {
    /// Our instrument id.
    public var instrument: String
    /// Amount in the quote (settlement) currency, signed as the account saw it.
    public var amount: Fixed
    /// The funding rate applied, if given.
    public var rate: Fixed?
    /// Position size it was paid on, if given.
    public var positionSize: Fixed?
    /// Payment time (ns since epoch).
    public var timestamp: Int64
    /// Dedupe key, namespaced by venue (`hyperliquid:<coin>:<time>`).
    public var id: String

    /// Creates a payment.
    public init(instrument: String, amount: Fixed, rate: Fixed?, positionSize: Fixed?, timestamp: Int64, id: String) {
        self.instrument = instrument
        self.amount = amount
        self.rate = rate
        self.positionSize = positionSize
        self.timestamp = timestamp
        self.id = id
    }
}

/// A venue account at one moment.
public struct VenueAccountSnapshot: Sendable, Equatable {
    /// Every asset with a balance (a full snapshot replaces the previous one).
    public var balances: [VenueBalance]
    /// Derivatives positions (empty for spot-only accounts).
    public var positions: [VenuePosition]
    /// The margin summary, for venues that compute one.
    public var margin: VenueMargin?

    /// Creates a snapshot.
    public init(balances: [VenueBalance], positions: [VenuePosition] = [], margin: VenueMargin? = nil) {
        self.balances = balances
        self.positions = positions
        self.margin = margin
    }
}

/// What an executor's private stream (or a simulated venue reacting to market data) reports.
public enum ExecutionEvent: Sendable, Equatable {
    /// An order changed or filled.
    case order(VenueOrderState)
    /// Absolute balances of the assets that changed (`complete`: every asset, replacing the rest).
    case balances([VenueBalance], complete: Bool)
    /// Current derivatives positions of the instruments listed.
    case positions([VenuePosition])
    /// Funding payments (each booked once by its id).
    case funding([VenueFunding])
    /// The private stream is (again) subscribed: what was missed while it was down must be
    /// caught up now (orders and fills since the last one seen).
    case streamUp
    /// The private stream is down (reconnecting); events may be missed until `streamUp`.
    case streamDown(String)
    /// A fill the venue reported did not settle (Polymarket: a trade that ended `FAILED` on
    /// chain): the fill with this venue trade id is reversed, once.
    case fillFailed(venueTradeId: String, reason: String)
}
