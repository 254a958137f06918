import AlephGateway
import Foundation
import Logging
import ServiceLifecycle

/// What `serve` and `mcp` share past their own flags: logging to stderr, the data directory,
/// the gateway, the shutdown watchdog and the service group.
enum GatewayLaunch {
    /// Runs the gateway for `cfg` with the `faces` built for it until shutdown.
    static func run(_ cfg: GatewayConfig, what: String,
                    faces: (Gateway, Logger) -> [ServiceGroupConfiguration.ServiceConfiguration] = { _, _ in [] }) async throws {
        guard let level = Logger.Level(rawValue: cfg.logLevel) else {
            throw RuntimeError("unknown log level '\(cfg.logLevel)'; use trace, debug, info, notice, warning, error or critical")
        }
        let dir = DataDirectory.resolve(cfg.dataDir)
        let dirWarning: String?
        do { dirWarning = try DataDirectory.prepare(dir) } catch { throw RuntimeError(error.description) }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "alephtx")
        logger.info("\(what)", metadata: ["version": "\(AlephGatewayVersion.string)", "data_dir": "\(dir)", "seed": "\(cfg.simSeed)"])
        if let dirWarning { logger.warning("\(dirWarning)") }
        let gateway: Gateway
        do { gateway = try await Gateway(config: cfg, dataDir: dir, logger: logger) } catch { throw RuntimeError("\(error)") }
        let watchdog = ShutdownWatchdog(ledger: gateway.ledger, grace: .seconds(3), logger: logger)
        watchdog.arm()
        let group = ServiceGroup(configuration: .init(
            services: gateway.services + faces(gateway, logger),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        await gateway.engine.flushLedger()
        logger.info("stopped")
        withExtendedLifetime(gateway.lock) {}
    }
}
