/// A token bucket on an injected clock: `rate` tokens per second, burst `rate`.
///
/// Pure value type: `available(at:)` computes the refill without mutating; `take(at:)` consumes.
public struct TokenBucket: Sendable, Equatable {
    /// Tokens per second (and burst size).
    public var rate: Int
    /// Tokens ×1e9 at `updatedAt` (nano-tokens keep integer math exact).
    public private(set) var nanoTokens: Int64
    /// Time of the last update (ns).
    public private(set) var updatedAt: Int64

    /// A full bucket at `now`.
    public init(rate: Int, now: Int64) {
        self.rate = max(1, rate)
        nanoTokens = Int64(self.rate) * 1_000_000_000
        updatedAt = now
    }

    /// Nano-tokens available at `now`.
    @inlinable public func nanoAvailable(at now: Int64) -> Int64 {
        let cap = Int64(rate) * 1_000_000_000
        let elapsed = max(0, now - updatedAt)
        // A full refill takes exactly one second (burst = rate), so elapsed × rate never overflows.
        let refill = elapsed >= 1_000_000_000 ? cap : elapsed * Int64(rate) // ns × tokens/s = nano-tokens
        return min(cap, nanoTokens + refill)
    }

    /// Whole tokens available at `now`.
    @inlinable public func available(at now: Int64) -> Int { Int(nanoAvailable(at: now) / 1_000_000_000) }

    /// Milliseconds until one token is available (0 when one already is), rounded up.
    @inlinable public func retryAfterMs(at now: Int64) -> Int64 {
        let missing = 1_000_000_000 - nanoAvailable(at: now)
        if missing <= 0 { return 0 }
        let ns = (missing + Int64(rate) - 1) / Int64(rate)
        return (ns + 999_999) / 1_000_000
    }

    /// Consumes one token; false (and unchanged) when none is available.
    @discardableResult
    public mutating func take(at now: Int64) -> Bool {
        let avail = nanoAvailable(at: now)
        guard avail >= 1_000_000_000 else { return false }
        nanoTokens = avail - 1_000_000_000
        updatedAt = max(updatedAt, now)
        return true
    }
}
