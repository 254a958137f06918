import NIOCore
import Synchronization

/// The bounded outbound queue of one connection.
///
/// Responses and order/fill notifications queue in order and are never dropped; book updates
/// conflate per subscription (latest wins, keeping their place in the queue). When more than
/// `maxQueued` messages wait because the client does not read, the connection is closed with a
/// reason instead of growing without bound. The engine only ever calls the non-blocking `push`.
public final class Outbox: Sendable {
    enum Entry {
        case message([UInt8])
        case slot(Int)
    }

    struct State {
        var queue = CircularBuffer<Entry>(initialCapacity: 64)
        var slots: [Int: [UInt8]] = [:]
        var writerWaiter: CheckedContinuation<Void, Never>?
        var spaceWaiters: [CheckedContinuation<Void, Never>] = []
        var closedReason: String?
        var finished = false
        var hangUp: String?
        var conflated = 0
    }

    private let state = Mutex(State())
    /// Most messages that may wait before the connection is closed as a slow consumer.
    public let maxQueued: Int
    /// Queue length above which the reader pauses (stops reading requests).
    public let readerHighWater: Int
    private let onOverflow: @Sendable (String) -> Void
    private let onHangUp: @Sendable (String) -> Void

    /// Creates an outbox; `onOverflow` is called once (off the lock) with the reason when it overflows.
    /// `onHangUp` is called once when the gateway decides to close the connection (see `hangUp`).
    public init(maxQueued: Int = 8192, readerHighWater: Int = 512, onOverflow: @escaping @Sendable (String) -> Void,
                onHangUp: @escaping @Sendable (String) -> Void = { _ in }) {
        self.onHangUp = onHangUp
        self.maxQueued = max(2, maxQueued)
        // Reading pauses well before the cap, so answers alone can never overflow it.
        self.readerHighWater = max(1, min(readerHighWater, maxQueued / 2))
        self.onOverflow = onOverflow
    }

    /// Queues one complete message (without newline). Returns false if the outbox is closed.
    @discardableResult
    public func push(_ bytes: [UInt8]) -> Bool {
        enqueue(.message(bytes), slotPayload: nil)
    }

    /// Queues a conflatable message for subscription `slot`: replaces a pending one if any.
    @discardableResult
    public func pushConflated(slot: Int, _ bytes: [UInt8]) -> Bool {
        enqueue(.slot(slot), slotPayload: bytes)
    }

    private func enqueue(_ entry: Entry, slotPayload: [UInt8]?) -> Bool {
        var overflow: String? = nil
        let (accepted, waiter): (Bool, CheckedContinuation<Void, Never>?) = state.withLock { s in
            if s.closedReason != nil || s.finished { return (false, nil) }
            if case .slot(let id) = entry, let payload = slotPayload {
                if s.slots[id] != nil {
                    s.slots[id] = payload
                    s.conflated += 1
                    return (true, nil)
                }
                s.slots[id] = payload
            }
            if s.queue.count >= maxQueued {
                let reason = "slow consumer: more than \(maxQueued) messages queued; the client is not reading"
                s.closedReason = reason
                overflow = reason
                let w = s.writerWaiter
                s.writerWaiter = nil
                return (false, w)
            }
            s.queue.append(entry)
            let w = s.writerWaiter
            s.writerWaiter = nil
            return (true, w)
        }
        waiter?.resume()
        if let overflow { onOverflow(overflow) }
        return accepted
    }

    /// Waits for messages and returns all pending ones joined by newlines; nil when finished or closed.
    public func nextBatch() async -> [UInt8]? {
        while true {
            let batch: [UInt8]?? = state.withLock { s in
                if s.closedReason != nil { return .some(nil) }
                if s.queue.isEmpty { return s.finished ? .some(nil) : .none }
                var out: [UInt8] = []
                out.reserveCapacity(256 * s.queue.count)
                while let e = s.queue.popFirst() {
                    switch e {
                    case .message(let m): out.append(contentsOf: m)
                    case .slot(let id): out.append(contentsOf: s.slots.removeValue(forKey: id) ?? [])
                    }
                    out.append(0x0A)
                }
                let waiters = s.spaceWaiters
                s.spaceWaiters = []
                for w in waiters { w.resume() }
                return .some(out)
            }
            if let b = batch { return b }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if !s.queue.isEmpty || s.finished || s.closedReason != nil { return true }
                    s.writerWaiter = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }

    /// Suspends the reader while too many messages wait to be written.
    public func waitForSpace() async {
        while true {
            let ok = state.withLock { $0.queue.count < readerHighWater || $0.closedReason != nil || $0.finished }
            if ok { return }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.queue.count < readerHighWater || s.closedReason != nil || s.finished { return true }
                    s.spaceWaiters.append(c)
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }

    /// No more messages will be pushed; the writer drains what is queued and ends.
    public func finish() { wakeAll { $0.finished = true } }

    /// Stops taking requests from this client: what is queued is still written, then the
    /// connection closes (`closedReason` stays nil; `hangUpReason` says why).
    public func hangUp(reason: String) {
        var first = false
        wakeAll { s in
            if s.hangUp == nil { s.hangUp = reason; first = true }
        }
        if first { onHangUp(reason) }
    }

    /// Why the gateway hung up on this client, if it did.
    public var hangUpReason: String? { state.withLock { $0.hangUp } }

    /// Closes immediately (queued messages are dropped) with a reason.
    public func close(reason: String) { wakeAll { s in if s.closedReason == nil { s.closedReason = reason } } }

    /// Applies `change` under the lock, then wakes the writer and every paused reader.
    private func wakeAll(_ change: (inout State) -> Void) {
        let (w, spaces) = state.withLock { s -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            change(&s)
            defer { s.writerWaiter = nil; s.spaceWaiters = [] }
            return (s.writerWaiter, s.spaceWaiters)
        }
        w?.resume()
        spaces.forEach { $0.resume() }
    }

    /// Why the outbox was closed, if it was.
    public var closedReason: String? { state.withLock { $0.closedReason } }
    /// Messages waiting.
    public var queuedCount: Int { state.withLock { $0.queue.count } }
    /// How many book updates were replaced by newer ones before being written.
    public var conflatedCount: Int { state.withLock { $0.conflated } }
}
