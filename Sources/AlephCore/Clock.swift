import Foundation
import Synchronization

/// Source of time, injected everywhere so tests can drive it by hand.
public protocol TimeSource: Sendable {
    /// Wall-clock time in nanoseconds since the Unix epoch.
    func nowNanos() -> Int64
}

/// The real wall clock.
public struct SystemTimeSource: TimeSource {
    /// Creates the system clock.
    public init() {}
    /// Current wall-clock time.
    public func nowNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// A clock that only moves when a test tells it to.
public final class ManualTimeSource: TimeSource {
    private let value: Mutex<Int64>
    /// Starts at `start` nanoseconds.
    public init(start: Int64 = 1_700_000_000_000_000_000) { value = Mutex(start) }
    /// Current manual time.
    public func nowNanos() -> Int64 { value.withLock { $0 } }
    /// Moves time forward.
    public func advance(nanos: Int64) { value.withLock { $0 += nanos } }
}
