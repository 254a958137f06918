import Synchronization

/// Our own count of Hyperliquid's per-IP REST weight over the last minute (the venue reports
/// none): a request that would take it past 1100 of the 1200 waits for the window instead.
/// Requests are kept in time order with a running sum, so each reserve expires only what left
/// the window (amortized O(1)) instead of rescanning the minute.
public final class HyperliquidWeights: Sendable {
    /// Hyperliquid's budget per IP and minute.
    public static let limit = 1200
    /// What we allow ourselves by default.
    public static let ceiling = 1100
    static let windowNs: Int64 = 60_000_000_000
    let ceilingUsed: Int

    struct Window {
        var at: [Int64] = []
        var weight: [Int] = []
        var head = 0
        var sum = 0

        /// Drops what left the window; compacts once the dropped part dominates.
        mutating func expire(now: Int64) {
            while head < at.count, now - at[head] >= HyperliquidWeights.windowNs {
                sum -= weight[head]
                head += 1
            }
            if head >= 1024, head * 2 >= at.count {
                at.removeFirst(head)
                weight.removeFirst(head)
                head = 0
            }
        }
    }
    private let window = Mutex(Window())

    init(ceiling: Int) { ceilingUsed = ceiling }

    /// Reserves `weight` now, or says how long (ms) to wait.
    func reserve(_ weight: Int, now: Int64) -> Int? {
        window.withLock { w in
            w.expire(now: now)
            if w.sum + weight > ceilingUsed, w.head < w.at.count {
                return Int(max(1, (w.at[w.head] + HyperliquidWeights.windowNs - now) / 1_000_000))
            }
            w.at.append(now)
            w.weight.append(weight)
            w.sum += weight
            return nil
        }
    }

    /// Weight used in the last minute.
    func used(now: Int64) -> Int { window.withLock { w in w.expire(now: now); return w.sum } }
}
