/// A venue's own cancel-all-after switch (Hyperliquid `scheduleCancel`, OKX `cancel-all-after`,
/// Polymarket heartbeats): once armed, the venue cancels the account's open orders unless it is
/// armed again in time, so orders die even if the gateway itself dies.
public struct NativeDeadman: Sendable, Equatable {
    /// The venue's name for it (shown in `get_risk`).
    public var name: String
    /// Shortest timeout the venue accepts (ms).
    public var minTimeoutMs: Int
    /// Longest timeout the venue accepts (ms).
    public var maxTimeoutMs: Int
    /// The venue has no disarm (Polymarket): once armed, stopping the refreshes cancels every open
    /// order of the account at the deadline, so the gateway keeps refreshing it while any order of
    /// its own there is live, and stops only when none is.
    public var stopCancelsAll: Bool

    /// Creates a description.
    public init(name: String, minTimeoutMs: Int, maxTimeoutMs: Int, stopCancelsAll: Bool = false) {
        self.name = name
        self.minTimeoutMs = minTimeoutMs
        self.maxTimeoutMs = maxTimeoutMs
        self.stopCancelsAll = stopCancelsAll
    }

    /// The venue timeout that backs a gateway switch of `gatewayTimeoutMs`: twice the gateway's
    /// (so the gateway's own switch always fires first while it lives), within the venue's range.
    public func timeout(backing gatewayTimeoutMs: Int) -> Int {
        min(maxTimeoutMs, max(minTimeoutMs, gatewayTimeoutMs.multipliedReportingOverflow(by: 2).overflow ? maxTimeoutMs : gatewayTimeoutMs * 2))
    }
}
