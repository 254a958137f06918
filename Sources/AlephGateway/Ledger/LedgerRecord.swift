import AlephCore
import AlephRPC
import AlephRisk

/// An accepted intent as the ledger keeps it: enough to answer a retry, across restarts, with the
/// stored outcome, and to tell a conflicting reuse apart.
public struct LedgerIntent: Sendable, Equatable {
    /// The agent's idempotency key.
    public var intentId: String
    /// Session that sent it.
    public var session: Int
    /// Canonical text of the trading parameters (rationale excluded).
    public var fingerprint: String
    /// The request's params as received.
    public var params: JSON
    /// The agent's rationale.
    public var rationale: String?
    /// Receive time (ns since epoch).
    public var receivedAt: Int64
    /// The first answer, returned again for duplicates.
    public var result: JSON
    /// The order it created, if any.
    public var orderId: String?

    /// Creates an intent record.
    public init(intentId: String, session: Int, fingerprint: String, params: JSON, rationale: String?, receivedAt: Int64, result: JSON, orderId: String?) {
        self.intentId = intentId
        self.session = session
        self.fingerprint = fingerprint
        self.params = params
        self.rationale = rationale
        self.receivedAt = receivedAt
        self.result = result
        self.orderId = orderId
    }
}

/// A paper account's cash totals as the ledger keeps them (one per paper venue; the simulated
/// market's under its bare currency, other venues' as `<venue>:<currency>`).
public struct LedgerBalance: Sendable, Equatable {
    /// The paper venue.
    public var venue: String = "sim"
    /// Account currency.
    public var currency: String
    /// Cash balance.
    public var cash: Fixed
    /// Cash at start.
    public var startingCash: Fixed
    /// Total fees paid.
    public var feesPaid: Fixed

    /// The key stored in the `balances` table.
    var key: String { venue == "sim" ? currency : "\(venue):\(currency)" }
}

/// One durable change. Intents, orders, fills and risk changes also append a journal event;
/// positions and balances are derived snapshots kept current in the same transaction.
public enum LedgerRecord: Sendable {
    /// An accepted intent (unique by id).
    case intent(LedgerIntent)
    /// An order's current state (inserted, then updated in place).
    case order(Order, session: Int?)
    /// A fill (unique by venue trade id: a duplicate is ignored).
    case fill(Fill)
    /// A position's current state.
    case position(Position)
    /// The cash account's current state.
    case balance(LedgerBalance)
    /// Trading state and breaker marks.
    case risk(RiskSnapshot, event: RiskEvent?)
    /// A free-form journal entry (e.g. a rejected signal, a reconciliation).
    case event(kind: String, ref: String?, at: Int64, data: JSON)
}
