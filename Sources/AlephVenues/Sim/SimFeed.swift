import AlephCore
import Synchronization

/// Runs a `SimMarket` in real time: a snapshot at start, then one step every `interval`.
public final class SimFeed: MarketDataFeed {
    private let market: Mutex<SimMarket>
    private let interval: Duration
    private let time: any TimeSource
    /// Instruments simulated.
    public let instruments: [Instrument]

    /// Creates a feed from a seed; `interval` between steps (default 100 ms).
    public init(specs: [SimInstrumentSpec] = SimInstrumentSpec.defaults, seed: UInt64, interval: Duration = .milliseconds(100), time: any TimeSource) {
        let m = SimMarket(specs: specs, seed: seed)
        instruments = m.instruments
        market = Mutex(m)
        self.interval = interval
        self.time = time
    }

    /// Emits events until the task is cancelled.
    public func run(emit: @escaping @Sendable ([MarketEvent]) async -> Void) async throws {
        let first = market.withLock { $0.start(now: time.nowNanos()) }
        await emit(first)
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            let events = market.withLock { $0.step(now: time.nowNanos()) }
            await emit(events)
        }
    }
}
