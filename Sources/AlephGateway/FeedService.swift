import AlephCore
import AlephNet
import AlephVenues
import Logging
import ServiceLifecycle

/// One live venue feed as a service: fetches instrument metadata (retrying with backoff, then
/// refreshing on a schedule), registers the instruments with the engine, and runs the feed.
public struct FeedService: Service {
    let config: VenueConfig
    let engine: Engine
    let time: any TimeSource
    let logger: Logger
    let recorder: RecordingWriter?

    /// Creates the service; with `recorder`, every frame is also recorded (the `record` tap).
    public init(config: VenueConfig, engine: Engine, time: any TimeSource, logger: Logger, recorder: RecordingWriter? = nil) {
        self.recorder = recorder
        self.config = config
        self.engine = engine
        self.time = time
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        defer { recorder?.finish() }
        await cancelWhenGracefulShutdown { await self.runFeed() }
    }

    /// The venue's feed adapter for its catalog (symbol → instrument).
    public static func adapter(_ config: VenueConfig, catalog: [String: Instrument]) -> any VenueAdapter {
        let ids = catalog.mapValues(\.id)
        switch config.venue {
        case "binance": return BinanceAdapter(config: config, instruments: ids)
        case "okx": return OKXAdapter(config: config, instruments: ids)
        case "polymarket": return PolymarketAdapter(url: config.wsURL, instruments: ids)
        case "dydx": return DYDXAdapter(url: config.wsURL, instruments: ids)
        case "hyperliquid":
            let byCoin = Dictionary(catalog.values.map { ($0.symbol, $0.id) }, uniquingKeysWith: { a, _ in a })
            return HyperliquidAdapter(url: config.wsURL, instruments: byCoin, perps: Set(catalog.values.filter { $0.kind == .perp }.map(\.symbol)))
        default: return BybitAdapter(config: config, instruments: ids)
        }
    }

    /// The instruments of the configured symbols (Polymarket: every token of its markets).
    static func listed(_ config: VenueConfig, _ catalog: [String: Instrument]) -> [Instrument] {
        config.venue == "polymarket" ? catalog.values.sorted { $0.id < $1.id } : config.symbols.compactMap { catalog[$0] }
    }

    private func runFeed() async {
        let engine = self.engine
        var health = FeedHealth(venue: config.venue, symbols: config.symbols)
        // Metadata first: without tick and lot sizes the gate cannot judge an order.
        var catalog: [String: Instrument] = [:]
        var attempt = 0
        while !Task.isCancelled {
            do {
                catalog = try await InstrumentCatalog.fetch(config)
                break
            } catch {
                health.lastError = "instrument metadata: \(error)"
                health.state = .backoff
                await engine.updateFeed(health)
                logger.warning("instrument metadata unavailable", metadata: ["venue": "\(config.venue)", "error": "\(error)"])
                let delay = min(Double(config.backoffMaxMs), Double(config.backoffMinMs) * Double(1 << min(attempt, 20))) * Double.random(in: 0.5...1.0)
                attempt += 1
                try? await Task.sleep(for: .milliseconds(Int(delay)))
            }
        }
        if Task.isCancelled { return }
        await engine.addInstruments(FeedService.listed(config, catalog), venue: config.venue)
        let adapter = FeedService.adapter(config, catalog: catalog)
        let recorder = self.recorder
        var tap: (@Sendable (Int64, UnsafeRawBufferPointer, String?) -> Void)? = nil
        if let recorder { tap = { at, bytes, _ in recorder.write(receiveTime: at, bytes) } }
        let runner = FeedRunner(config: config, adapter: adapter, time: time, logger: logger,
                                sink: { events in await engine.ingest(events) }, onHealth: { h in await engine.updateFeed(h) },
                                tap: tap)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await runner.run() }
            if let recorder {
                group.addTask {
                    // Flush and rewrite the manifest twice a second, as `alephtx record` does.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(500))
                        recorder.checkpoint()
                    }
                }
            }
            group.addTask {
                // Tick, lot and notional rules change: refresh them on a schedule.
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(config.metadataRefreshMs))
                    if Task.isCancelled { return }
                    if let fresh = try? await InstrumentCatalog.fetch(config) {
                        await engine.addInstruments(FeedService.listed(config, fresh), venue: config.venue)
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
