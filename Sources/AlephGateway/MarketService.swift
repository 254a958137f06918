import AlephVenues
import Logging
import ServiceLifecycle

/// Runs a market-data feed and hands its events to the engine in order.
public struct MarketService: Service {
    let feed: any MarketDataFeed
    let engine: Engine
    let logger: Logger

    /// Creates the service.
    public init(feed: any MarketDataFeed, engine: Engine, logger: Logger) {
        self.feed = feed
        self.engine = engine
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        let engine = self.engine
        do {
            try await cancelWhenGracefulShutdown {
                try await feed.run { events in await engine.ingest(events) }
            }
        } catch is CancellationError {
            return
        }
    }
}
