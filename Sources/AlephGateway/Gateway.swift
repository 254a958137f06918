import AlephCore
import AlephVenues
import Logging
import ServiceLifecycle

/// Assembles the engine, the simulated market and the transports from a config.
public struct Gateway: Sendable {
    /// The engine.
    public let engine: Engine
    /// The services to run, in start order.
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]

    /// Builds everything; throws a `ConfigError` for an address it refuses to listen on.
    public init(config: GatewayConfig, logger: Logger, time: any TimeSource = SystemTimeSource()) throws(ConfigError) {
        let feed = SimFeed(seed: config.simSeed, interval: .milliseconds(config.simIntervalMs), time: time)
        let engine = Engine(instruments: feed.instruments,
                            config: {
                                var e = EngineConfig(paper: config.paper, maxSubscriptionsPerSession: config.maxSubscriptionsPerSession)
                                e.testHooks = config.testHooks
                                return e
                            }(),
                            time: time, logger: logger)
        self.engine = engine
        let runner = ConnectionRunner(engine: engine, logger: logger, maxQueued: config.maxQueuedMessages)
        let counter = SessionCounter()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: MarketService(feed: feed, engine: engine, logger: logger)),
        ]
        if let tcp = config.tcp {
            let (host, port) = try GatewayConfig.hostPort(tcp)
            guard GatewayConfig.isLoopback(host) else {
                throw ConfigError("refusing to listen on \(host): only loopback addresses are allowed until session authentication lands; use 127.0.0.1 (and an SSH tunnel for remote agents)")
            }
            services.append(.init(service: TCPServer(host: host, port: port, maxLineBytes: config.maxLineBytes, runner: runner, counter: counter, logger: logger)))
        }
        if config.stdio {
            services.append(.init(service: StdioServer(maxLineBytes: config.maxLineBytes, runner: runner, counter: counter, logger: logger),
                                  successTerminationBehavior: .gracefullyShutdownGroup,
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        self.services = services
    }
}
