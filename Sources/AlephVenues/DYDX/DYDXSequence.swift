/// The account's sequence for stateful transactions (long-term orders and their cancels): one
/// transaction at a time holds it, in arrival order, so concurrent orders never sign the same
/// sequence. It is read from the node when unknown, advanced on admission, set from the node's
/// own "expected N" on `incorrect account sequence`, and forgotten after an answer that never
/// came (the next holder reads it again). Short-term orders never take it.
public actor DYDXSequence {
    /// The next sequence to sign, nil when it must be read from the node.
    public private(set) var next: UInt64?
    var busy = false
    var waiters: [CheckedContinuation<Void, Never>] = []

    /// Creates an empty lane.
    public init() {}

    /// Waits for the lane.
    public func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Hands the lane to the next waiter.
    public func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }

    /// Sets the next sequence (read from the node or named by a refusal; nil forgets it).
    public func set(_ value: UInt64?) { next = value }

    /// A transaction with `used` was admitted: the next one signs `used + 1`.
    public func admitted(_ used: UInt64) { next = used + 1 }
}
