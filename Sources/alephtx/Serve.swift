import AlephGateway
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `alephtx serve`.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve JSON-RPC (TCP on 127.0.0.1:7878 by default) with the paper venue on the simulated market.")

    @Flag(help: "Serve JSON-RPC on stdin/stdout (only protocol messages go to stdout). Exits 0 when stdin closes.")
    var stdio = false

    @Option(help: "Listen on HOST:PORT (port 0 picks a free port). Default 127.0.0.1:7878 unless --stdio is given alone.")
    var tcp: String?

    @Option(help: "TOML config file (see README).")
    var config: String?

    @Option(help: "Data directory (default: $ALEPHTX_DATA_DIR, else ~/.alephtx).")
    var dataDir: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(help: "Longest accepted request line in bytes, 64 ... 268435456 (default 1 MiB).")
    var maxLineBytes: Int?

    @Option(parsing: .unconditional, help: "Seed of the simulated market, 0 ... 18446744073709551615 (default 42).")
    var seed: String?

    @Option(help: "Admin token for TCP sessions (session.hello); prefer env ALEPHTX_ADMIN_TOKEN so it stays out of process listings.")
    var adminToken: String?

    @Flag(help: .hidden)
    var testHooks = false

    func validate() throws {
        if let maxLineBytes, !GatewayConfig.maxLineBytesRange.contains(maxLineBytes) {
            throw ValidationError("--max-line-bytes must be between \(GatewayConfig.maxLineBytesRange.lowerBound) and \(GatewayConfig.maxLineBytesRange.upperBound), got \(maxLineBytes)")
        }
        if let seed, UInt64(seed) == nil {
            throw ValidationError("--seed must be a whole number from 0 to \(UInt64.max), got '\(seed)'")
        }
        if let tcp, tcp != "off", (try? GatewayConfig.hostPort(tcp)) == nil {
            throw ValidationError("--tcp must be HOST:PORT (for example 127.0.0.1:7878) or off, got '\(tcp)'")
        }
    }

    func run() async throws {
        // Past flag parsing, failures are runtime errors: printed without the usage text.
        var cfg = GatewayConfig()
        if let path = config {
            // Read through a handle: devices and pipes (/dev/null, <(…)) are fine configs too.
            guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data(),
                  let text = String(data: data, encoding: .utf8) else {
                throw RuntimeError("cannot read config file \(path)")
            }
            do { cfg = try GatewayConfig.load(toml: text) } catch { throw RuntimeError(error.description) }
        }
        if stdio { cfg.stdio = true }
        if let tcp { cfg.tcp = tcp == "off" ? nil : tcp } else if stdio && config == nil { cfg.tcp = nil }
        if let logLevel { cfg.logLevel = logLevel }
        if let maxLineBytes { cfg.maxLineBytes = maxLineBytes }
        if let seed, let n = UInt64(seed) { cfg.simSeed = n }
        if testHooks { cfg.testHooks = true }
        cfg.adminToken = adminToken ?? ProcessInfo.processInfo.environment["ALEPHTX_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let t = cfg.adminToken, t.utf8.count < 16 {
            throw RuntimeError("the admin token must be at least 16 characters")
        }
        if let dataDir { cfg.dataDir = dataDir }
        guard let level = Logger.Level(rawValue: cfg.logLevel) else {
            throw RuntimeError("unknown log level '\(cfg.logLevel)'; use trace, debug, info, notice, warning, error or critical")
        }
        if !cfg.stdio && cfg.tcp == nil {
            throw RuntimeError("nothing to serve: TCP is off and --stdio is not given")
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
        logger.info("starting", metadata: ["version": "\(AlephGatewayVersion.string)", "data_dir": "\(dir)", "seed": "\(cfg.simSeed)"])
        if let dirWarning { logger.warning("\(dirWarning)") }
        let gateway: Gateway
        do { gateway = try await Gateway(config: cfg, dataDir: dir, logger: logger) } catch { throw RuntimeError("\(error)") }
        let watchdog = ShutdownWatchdog(ledger: gateway.ledger, grace: .seconds(3), logger: logger)
        watchdog.arm()
        let group = ServiceGroup(configuration: .init(
            services: gateway.services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        logger.info("stopped")
        withExtendedLifetime(gateway.lock) {}
    }
}

/// A failure at run time (not a usage mistake): printed as `Error: …` without the usage text.
struct RuntimeError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    let description: String
    init(_ description: String) { self.description = description }
}
