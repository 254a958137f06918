/// A venue's own cancel-all-after switch (Hyperliquid `scheduleCancel`, OKX `cancel-all-after`):
/// once armed, the venue cancels the account's open orders unless it is armed again in time, so
/// orders die even if the gateway itself dies.
public struct NativeDeadman: Sendable, Equatable {
    /// The venue's name for it (shown in `get_risk`).
    public var name: String
    /// Shortest timeout the venue accepts (ms).
    public var minTimeoutMs: Int
    /// Longest timeout the venue accepts (ms).
    public var maxTimeoutMs: Int

    /// Creates a description.
    public init(name: String, minTimeoutMs: Int, maxTimeoutMs: Int) {
        self.name = name
        self.minTimeoutMs = minTimeoutMs
        self.maxTimeoutMs = maxTimeoutMs
    }

    /// The venue timeout that backs a gateway switch of `gatewayTimeoutMs`: twice the gateway's
    /// (so the gateway's own switch always fires first while it lives), within the venue's range.
    public func timeout(backing gatewayTimeoutMs: Int) -> Int {
        min(maxTimeoutMs, max(minTimeoutMs, gatewayTimeoutMs.multipliedReportingOverflow(by: 2).overflow ? maxTimeoutMs : gatewayTimeoutMs * 2))
    }
}
