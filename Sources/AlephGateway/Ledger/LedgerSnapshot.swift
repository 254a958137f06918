import AlephCore
import AlephRPC
import AlephRisk

/// Everything a restart rebuilds from the ledger, oldest first.
public struct LedgerSnapshot: Sendable {
    /// Accepted intents.
    public var intents: [LedgerIntent] = []
    /// Every order with the session that placed it.
    public var orders: [(order: Order, session: Int?)] = []
    /// Every fill.
    public var fills: [Fill] = []
    /// Stored position snapshots (checked against the fills on load).
    public var positions: [String: Position] = [:]
    /// Stored cash account, if any trade happened.
    public var balance: LedgerBalance?
    /// Stored risk state, if it ever changed.
    public var risk: RiskSnapshot?
    /// Trading state changes, oldest first (the last 100).
    public var riskHistory: [RiskEvent] = []
    /// Number of journal events.
    public var eventCount = 0

    /// True for a new ledger.
    public var isEmpty: Bool { intents.isEmpty && orders.isEmpty && fills.isEmpty && risk == nil }
}
