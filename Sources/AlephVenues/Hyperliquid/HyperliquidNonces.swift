import Synchronization

/// The one nonce allocator of a signer: strictly increasing and unique under any concurrency,
/// `max(now in ms, last + 1)`. Hyperliquid keeps the highest nonces per signer and refuses a
/// reused one or one below the smallest kept, so two actions must never share a nonce.
/// It runs ahead of the clock only by bursts above one action per millisecond; a restart takes
/// far longer than such a burst, so the first nonce after it is above every earlier one.
public final class HyperliquidNonces: Sendable {
    private let last = Mutex<Int64>(0)

    /// Starts at `floor` (0: the clock decides).
    public init(floor: Int64 = 0) { last.withLock { $0 = floor } }

    /// The next nonce at `nowMs`.
    public func next(nowMs: Int64) -> Int64 {
        last.withLock { l in
            l = max(nowMs, l + 1)
            return l
        }
    }

    /// The last nonce handed out.
    public var current: Int64 { last.withLock { $0 } }
}
