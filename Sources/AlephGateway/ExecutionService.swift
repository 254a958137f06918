import AlephCore
import AlephRPC
import AlephVenues
import Logging
import ServiceLifecycle
import Synchronization

/// One remote venue's execution as a service: its private stream into the engine, the start-up
/// reconciliation that must finish before the venue trades, the lookups that settle uncertain
/// orders and cancels in flight (with backoff), the REST catch-up after every stream
/// (re)subscription or fill-count shortfall, and periodic account refreshes.
public struct ExecutionService: Service {
    let executor: any VenueExecutor
    let config: VenueConfig
    let engine: Engine
    let time: any TimeSource
    let logger: Logger

    /// Creates the service.
    public init(executor: any VenueExecutor, config: VenueConfig, engine: Engine, time: any TimeSource, logger: Logger) {
        self.executor = executor
        self.config = config
        self.engine = engine
        self.time = time
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.runAll() }
    }

    private func runAll() async {
        let venue = executor.venue
        // Without instruments (tick, lot, symbols) nothing can be placed or read back.
        while !Task.isCancelled, !(await engine.hasInstruments(venue: venue)) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if Task.isCancelled { return }
        let streamUp = Flag()
        let engine = self.engine
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await executor.run(sink: { event in
                    if case .streamUp = event { streamUp.set() }
                    await engine.applyExecution(event, venue: venue)
                })
            }
            group.addTask { await self.supervise(streamUp: streamUp) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Reconciles at start, then settles, catches up and refreshes until cancelled.
    private func supervise(streamUp: Flag) async {
        let venue = executor.venue
        var attempt = 0
        while !Task.isCancelled {
            do {
                try await reconcile(start: true)
                break
            } catch {
                await engine.noteVenueError(venue, "reconciliation failed: \(error)")
                logger.warning("reconciliation failed; retrying", metadata: ["venue": "\(venue)", "error": "\(error)"])
                attempt += 1
                try? await Task.sleep(for: .milliseconds(min(config.backoffMaxMs, config.backoffMinMs << min(attempt, 16))))
            }
        }
        _ = streamUp.take()
        var interval = config.resolveIntervalMs
        var nextResolve = time.nowNanos()
        var nextAccount = time.nowNanos() + Int64(config.accountRefreshMs) * 1_000_000
        var lastUnsettled: Set<String> = []
        var lastAccountRead = time.nowNanos()
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
            let now = time.nowNanos()
            await engine.updateRateLimit(venue, executor.rateLimit)
            if streamUp.take() {
                // A (re)subscribed stream may have missed events: catch up orders and fills.
                try? await reconcile(start: false)
            } else if await engine.needsCatchUp(venue: venue) {
                try? await catchUpFills()
            }
            if now >= nextResolve {
                let unsettled = await engine.unsettledOrders(venue: venue)
                let ids = Set(unsettled.map(\.id))
                for o in unsettled {
                    if Task.isCancelled { return }
                    let r = await executor.lookup(o)
                    await engine.resolve(orderId: o.id, r, finalAfterMs: executor.traits.notFoundFinalAfterMs)
                }
                // Back off while the same orders stay unsettled; start fast for new ones.
                interval = ids.isEmpty || !ids.isSubset(of: lastUnsettled) ? config.resolveIntervalMs : min(config.backoffMaxMs, interval * 2)
                lastUnsettled = ids
                nextResolve = time.nowNanos() + Int64(interval) * 1_000_000
            }
            // Cancels asked for and not confirmed: sent once the order is live, again while it stays so.
            for id in await engine.cancelsDue(venue: venue, retryAfterNs: Int64(max(2_000, config.submitTimeoutMs)) * 1_000_000) {
                if Task.isCancelled { return }
                await engine.retryCancel(id)
            }
            // Venues whose stream carries no balances are read again soon after their account changed.
            var refresh = now >= nextAccount
            if !executor.traits.streamsAccount, now - lastAccountRead >= 200_000_000, await engine.takeAccountStale(venue: venue) { refresh = true }
            if refresh {
                lastAccountRead = now
                let mark = await engine.accountMark(venue: venue)
                if let a = try? await executor.account() { await engine.applyAccount(a, venue: venue, readSince: mark) }
                nextAccount = time.nowNanos() + Int64(config.accountRefreshMs) * 1_000_000
            }
        }
    }

    /// Account, open orders (merged; missing ones looked up; orphans adopted or cancelled), then
    /// the fills since the last one booked.
    private func reconcile(start: Bool) async throws {
        let venue = executor.venue
        let mark = await engine.accountMark(venue: venue)
        let account = try await executor.account()
        await engine.applyAccount(account, venue: venue, readSince: mark)
        let open = try await executor.openOrders()
        let (missing, orphans) = await engine.reconcileOpen(open, venue: venue)
        for o in missing {
            let r = await executor.lookup(o)
            if case .failed(let why) = r { throw HTTPLookupFailure(description: "lookup of \(o.id) failed: \(why)") }
            await engine.resolve(orderId: o.id, r, finalAfterMs: executor.traits.notFoundFinalAfterMs)
        }
        let booked = try await catchUpFills()
        var adopted = 0, cancelled = 0
        for oo in orphans {
            switch config.orphans {
            case .adopt:
                await engine.adopt(oo, venue: venue)
                adopted += 1
            case .cancel:
                var stub = Order(id: "orphan", intentId: "orphan", instrument: oo.instrument ?? "", side: oo.side, type: .limit, timeInForce: .gtc,
                                 limitPrice: oo.price, quantity: oo.quantity, postOnly: false, reduceOnly: false, rationale: nil, createdAt: oo.createdAt)
                stub.venue = venue
                stub.clientOrderId = oo.state.clientOrderId
                stub.venueOrderId = oo.state.venueOrderId
                stub.status = .open
                let outcome = await executor.cancel(stub)
                await engine.noteOrphanCancelled(oo, venue: venue, outcome: "\(outcome)")
                cancelled += 1
            }
        }
        if start {
            await engine.markReconciled(venue: venue, report: .object([
                JSONMember("venue_open_orders", .int(open.count)), JSONMember("looked_up", .int(missing.count)),
                JSONMember("fills_booked", .int(booked)), JSONMember("orphans_adopted", .int(adopted)), JSONMember("orphans_cancelled", .int(cancelled)),
            ]))
        }
    }

    @discardableResult
    private func catchUpFills() async throws -> Int {
        let venue = executor.venue
        let since = await engine.catchUpStart(venue: venue)
        let fills = try await executor.fills(since: since)
        return await engine.applyCatchUp(fills, venue: venue)
    }
}

/// A lookup that failed during reconciliation (retried with backoff).
struct HTTPLookupFailure: Error, CustomStringConvertible {
    var description: String
}

/// A flag one task raises and another takes.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    /// Raises it.
    func set() { value.store(true, ordering: .releasing) }
    /// True when it was raised since the last take.
    func take() -> Bool { value.exchange(false, ordering: .acquiring) }
}
