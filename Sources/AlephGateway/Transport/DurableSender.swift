import Synchronization

/// Holds back every message that reports ledger state until that state is durable.
///
/// Each message carries a ledger ticket (0: depends on nothing). A message goes out at once when
/// its ticket is durable and nothing is waiting for its outbox; otherwise it queues in arrival
/// order and is released by the ledger writer's progress, so each outbox still sees its messages
/// in the order the engine produced them. If the ledger fails, waiting answers are replaced by
/// their error form and waiting notifications are dropped: nothing that is not durable is ever
/// reported as done.
public final class DurableSender: LedgerListener {
    private struct Waiting {
        var outbox: Outbox
        var bytes: [UInt8]
        var slot: Int?
        var ticket: UInt64
        var failure: FailureAnswer?
    }

    private struct State {
        var durable: UInt64 = 0
        var failed = false
        var queue: [Waiting] = []
        var head = 0
        var waitingPerOutbox: [ObjectIdentifier: Int] = [:]
        /// Tasks waiting for a ticket (write-ahead before an order leaves).
        var ticketWaiters: [(ticket: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []

        mutating func release(_ outbox: Outbox) {
            let key = ObjectIdentifier(outbox)
            let n = waitingPerOutbox[key, default: 1] - 1
            waitingPerOutbox[key] = n <= 0 ? nil : n
        }
    }

    private let state = Mutex(State())
    /// Messages waiting, readable without the lock: when nothing waits, a message that depends
    /// on nothing goes straight out (the engine is the only producer, so order holds).
    private let waitingTotal = Atomic<Int>(0)

    /// Creates a sender; call `progress` with the ledger's reports.
    public init() {}

    /// Sends `bytes` once `ticket` is durable. `failure` replaces an answer if the ledger fails first.
    public func send(_ outbox: Outbox, _ bytes: [UInt8], slot: Int? = nil, ticket: UInt64, failure: FailureAnswer? = nil) {
        if ticket == 0 && waitingTotal.load(ordering: .acquiring) == 0 {
            deliver(outbox, bytes, slot)
            return
        }
        state.withLock { s in
            let key = ObjectIdentifier(outbox)
            if s.failed && ticket > s.durable {
                if let failure { _ = outbox.push(failure.render()) }
                return
            }
            if ticket <= s.durable && s.waitingPerOutbox[key, default: 0] == 0 {
                deliver(outbox, bytes, slot)
                return
            }
            s.queue.append(Waiting(outbox: outbox, bytes: bytes, slot: slot, ticket: ticket, failure: failure))
            s.waitingPerOutbox[key, default: 0] += 1
            waitingTotal.add(1, ordering: .releasing)
        }
    }

    /// Suspends until `ticket` is durable: true, or false when the ledger failed first.
    public func waitDurable(_ ticket: UInt64) async -> Bool {
        // Already durable (or failed): no suspension at all.
        if let now: Bool = state.withLock({ s in ticket <= s.durable ? true : (s.failed ? false : nil) }) { return now }
        return await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let now: Bool? = state.withLock { s in
                if ticket <= s.durable { return true }
                if s.failed { return false }
                s.ticketWaiters.append((ticket, c))
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }

    /// Applies the ledger writer's progress.
    public func progress(_ p: LedgerProgress) {
        var wake: [(CheckedContinuation<Bool, Never>, Bool)] = []
        defer { for (c, ok) in wake { c.resume(returning: ok) } }
        state.withLock { s in
            if !s.ticketWaiters.isEmpty {
                var keep: [(ticket: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
                for w in s.ticketWaiters {
                    switch p {
                    case .durable(let t): if w.ticket <= max(t, s.durable) { wake.append((w.continuation, true)) } else { keep.append(w) }
                    case .failed: wake.append((w.continuation, w.ticket <= s.durable))
                    }
                }
                s.ticketWaiters = keep
            }
            switch p {
            case .durable(let t):
                s.durable = max(s.durable, t)
                while s.head < s.queue.count, s.queue[s.head].ticket <= s.durable {
                    let w = s.queue[s.head]
                    deliver(w.outbox, w.bytes, w.slot)
                    s.release(w.outbox)
                    s.head += 1
                    waitingTotal.subtract(1, ordering: .releasing)
                }
            case .failed:
                s.failed = true
                while s.head < s.queue.count {
                    let w = s.queue[s.head]
                    if w.ticket <= s.durable { deliver(w.outbox, w.bytes, w.slot) } else if let f = w.failure { _ = w.outbox.push(f.render()) }
                    s.release(w.outbox)
                    s.head += 1
                    waitingTotal.subtract(1, ordering: .releasing)
                }
            }
            if s.head == s.queue.count {
                s.queue.removeAll(keepingCapacity: true)
                s.head = 0
            } else if s.head > 4096 && s.head * 2 > s.queue.count {
                s.queue.removeFirst(s.head)
                s.head = 0
            }
        }
    }

    /// Messages waiting for durability on one outbox.
    public func waiting(for outbox: Outbox) -> Int { state.withLock { $0.waitingPerOutbox[ObjectIdentifier(outbox)] ?? 0 } }

    /// Messages waiting for durability.
    public var waiting: Int { state.withLock { $0.queue.count - $0.head } }

    private func deliver(_ outbox: Outbox, _ bytes: [UInt8], _ slot: Int?) {
        if let slot { _ = outbox.pushConflated(slot: slot, bytes) } else { _ = outbox.push(bytes) }
    }
}
