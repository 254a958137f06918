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

    /// Creates a position.
    public init(instrument: String, quantity: Fixed, entryPrice: Fixed?, unrealizedPnL: Fixed?) {
        self.instrument = instrument
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.unrealizedPnL = unrealizedPnL
    }
}

/// A venue account at one moment.
public struct VenueAccountSnapshot: Sendable, Equatable {
    /// Every asset with a balance (a full snapshot replaces the previous one).
    public var balances: [VenueBalance]
    /// Derivatives positions (empty for spot-only accounts).
    public var positions: [VenuePosition]

    /// Creates a snapshot.
    public init(balances: [VenueBalance], positions: [VenuePosition] = []) {
        self.balances = balances
        self.positions = positions
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
    /// The private stream is (again) subscribed: what was missed while it was down must be
    /// caught up now (orders and fills since the last one seen).
    case streamUp
    /// The private stream is down (reconnecting); events may be missed until `streamUp`.
    case streamDown(String)
}
