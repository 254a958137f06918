import AlephBook
import AlephCore
import AlephVenueKit
import Synchronization

/// A remote venue driven by the test: each submit takes the next scripted outcome (or waits on
/// a gate first), lookups answer from a table, and every request is recorded, so a test can
/// count venue orders per intent.
final class ScriptedExecutor: VenueExecutor {
    let venue: String
    let mode = ExecutionMode.live
    let traits: ExecutorTraits

    struct State {
        var outcomes: [SubmitOutcome] = []
        var cancels: [CancelOutcome] = []
        var lookups: [String: LookupResult] = [:]
        var submitted: [Order] = []
        var cancelled: [Order] = []
        var lookedUp: [String] = []
        var durableWhenSent: [Bool] = []
        var batches: [Int] = []
        var modifies: [ModifyOutcome] = []
        var modified: [ModifyRequest] = []
    }
    let state = Mutex(State())
    /// Called at submit time; returns whether the order was durable (write-ahead check).
    let probe: @Sendable (Order) -> Bool
    /// When set, submits wait here after being recorded (an order at the venue, its answer pending).
    nonisolated(unsafe) var gate: AsyncGate?

    init(venue: String = "ext", finalAfterMs: Int = 0, batchLimit: Int = 1, modifies: Bool = false,
         probe: @escaping @Sendable (Order) -> Bool = { _ in true }) {
        self.venue = venue
        traits = ExecutorTraits(remote: true, notFoundFinalAfterMs: finalAfterMs, batchLimit: batchLimit, modifies: modifies)
        self.probe = probe
    }

    /// Records the batch's size, then answers each order as `submit` would.
    nonisolated(nonsending) func submit(batch: [SubmitRequest]) async -> [SubmitOutcome] {
        state.withLock { $0.batches.append(batch.count) }
        var out: [SubmitOutcome] = []
        for r in batch { out.append(await submit(r)) }
        return out
    }

    /// The next scripted modify outcome (`.uncertain` when none).
    nonisolated(nonsending) func modify(_ r: ModifyRequest) async -> ModifyOutcome {
        state.withLock { s in
            s.modified.append(r)
            return s.modifies.isEmpty ? .uncertain("no script") : s.modifies.removeFirst()
        }
    }

    func scriptModify(_ o: ModifyOutcome...) { state.withLock { $0.modifies += o } }
    var batches: [Int] { state.withLock { $0.batches } }
    var modified: [ModifyRequest] { state.withLock { $0.modified } }

    func script(_ o: SubmitOutcome...) { state.withLock { $0.outcomes += o } }
    func scriptCancel(_ o: CancelOutcome...) { state.withLock { $0.cancels += o } }
    func setLookup(_ cid: String, _ r: LookupResult) { state.withLock { $0.lookups[cid] = r } }
    var submitted: [Order] { state.withLock { $0.submitted } }
    var durableWhenSent: [Bool] { state.withLock { $0.durableWhenSent } }

    nonisolated(nonsending) func submit(_ r: SubmitRequest) async -> SubmitOutcome {
        let durable = probe(r.order)
        var outcome: SubmitOutcome = state.withLock { s in
            s.submitted.append(r.order)
            s.durableWhenSent.append(durable)
            return s.outcomes.isEmpty ? .uncertain("no script") : s.outcomes.removeFirst()
        }
        if let gate { await gate.wait() }
        if case .acknowledged(var st) = outcome, st.clientOrderId.isEmpty {
            st.clientOrderId = r.order.clientOrderId ?? ""
            outcome = .acknowledged(st)
        }
        return outcome
    }

    nonisolated(nonsending) func cancel(_ order: Order) async -> CancelOutcome {
        state.withLock { s in
            s.cancelled.append(order)
            return s.cancels.isEmpty ? .accepted : s.cancels.removeFirst()
        }
    }

    func lookup(_ order: Order) async -> LookupResult {
        state.withLock { s in
            s.lookedUp.append(order.clientOrderId ?? "")
            return s.lookups[order.clientOrderId ?? ""] ?? .notFound
        }
    }

    func openOrders() async throws -> [VenueOpenOrder] { [] }
    func fills(since: Int64) async throws -> [VenueFillReport] { [] }
    func account() async throws -> VenueAccountSnapshot { VenueAccountSnapshot(balances: []) }
    func run(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async {}
}
