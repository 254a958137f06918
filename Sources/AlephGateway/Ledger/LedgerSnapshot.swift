import AlephCore
import AlephRPC
import AlephRisk

/// Everything a restart rebuilds from the ledger, oldest first.
public struct LedgerSnapshot: Sendable {
    /// Accepted intents.
    public var intents: [LedgerIntent] = []
    /// Journaled on-chain transactions (`evm_tx` events): the latest form of each, by intent.
    public var evmTxs: [JSON] = []
    /// Every order with the session that placed it.
    public var orders: [(order: Order, session: Int?)] = []
    /// Every fill.
    public var fills: [Fill] = []
    /// Stored position snapshots (checked against the fills on load).
    public var positions: [String: Position] = [:]
    /// Stored paper accounts by venue, for the venues that traded.
    public var balances: [String: LedgerBalance] = [:]
    /// The simulated market's paper account, if it traded.
    public var balance: LedgerBalance? { balances["sim"] }
    /// Stored risk state, if it ever changed.
    public var risk: RiskSnapshot?
    /// Trading state changes, oldest first (the last 100).
    public var riskHistory: [RiskEvent] = []
    /// Runtime `set_risk_limits` changes, oldest first.
    public var riskLimitChanges: [RiskLimitChange] = []
    /// Live venues already in the breaker's baselines (`risk_baseline` events).
    public var baselinedVenues: Set<String> = []
    /// Funding payments booked (`funding` events), oldest first.
    public var fundings: [LedgerFunding] = []
    /// Number of journal events.
    public var eventCount = 0

    /// True for a new ledger.
    public var isEmpty: Bool { intents.isEmpty && orders.isEmpty && fills.isEmpty && risk == nil && riskLimitChanges.isEmpty }
}

/// One accepted `set_risk_limits` call as the journal keeps it.
public struct RiskLimitChange: Sendable {
    /// The instrument it overrode, or nil for the global limits.
    public var instrument: String?
    /// The limits as sent (name → value, null switches a limit off).
    public var changes: [JSONMember]
    /// Fingerprint of the configured limits it was made against.
    public var configFingerprint: String
    /// When (ns since epoch).
    public var at: Int64
}

/// One funding payment as the journal keeps it.
public struct LedgerFunding: Sendable, Equatable {
    /// Dedupe key.
    public var id: String
    /// Venue.
    public var venue: String
    /// Instrument id.
    public var instrument: String
    /// Signed amount (received positive).
    public var amount: Fixed
    /// When (ns since epoch).
    public var at: Int64

    /// Creates a record.
    public init(id: String, venue: String, instrument: String, amount: Fixed, at: Int64) {
        self.id = id
        self.venue = venue
        self.instrument = instrument
        self.amount = amount
        self.at = at
    }
}
