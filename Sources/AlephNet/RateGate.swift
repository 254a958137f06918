import AlephVenueKit
import Synchronization

/// A venue's rate-limit state as its answers report it: counters (for health), and a block
/// until a time the venue named (`Retry-After`, a ban) or that our own accounting chose to stay
/// clear of one. While blocked nothing is sent; callers get the wait instead.
public final class RateGate: Sendable {
    private struct State {
        var usage = RateLimitUsage()
    }
    private let state = Mutex(State())

    /// Creates an open gate.
    public init() {}

    /// Milliseconds to wait before sending, or nil when the gate is open at `now` (ns).
    public func wait(now: Int64) -> Int? {
        state.withLock { s in
            guard let until = s.usage.blockedUntil, until > now else { return nil }
            return Int(max(1, (until - now + 999_999) / 1_000_000))
        }
    }

    /// Sends nothing until `until` (ns since epoch); a later block extends, an earlier one does not shorten.
    public func block(until: Int64) {
        state.withLock { s in s.usage.blockedUntil = max(s.usage.blockedUntil ?? 0, until) }
    }

    /// Records a counter the venue reported.
    public func record(_ name: String, used: Int, limit: Int) {
        state.withLock { s in s.usage.counters[name] = RateCounter(used: used, limit: limit) }
    }

    /// Current usage (for health).
    public var usage: RateLimitUsage { state.withLock { $0.usage } }
}
