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

    @Option(help: "Longest accepted request line in bytes (default 1 MiB).")
    var maxLineBytes: Int?

    @Option(help: "Seed of the simulated market (default 42).")
    var seed: UInt64?

    @Option(help: "Admin token for TCP sessions (session.hello); prefer env ALEPHTX_ADMIN_TOKEN so it stays out of process listings.")
    var adminToken: String?

    @Flag(help: .hidden)
    var testHooks = false

    func run() async throws {
        var cfg = GatewayConfig()
        if let path = config {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read config file \(path)")
            }
            do { cfg = try GatewayConfig.load(toml: text) } catch { throw ValidationError(error.description) }
        }
        if stdio { cfg.stdio = true }
        if let tcp { cfg.tcp = tcp } else if stdio && config == nil { cfg.tcp = nil }
        if let logLevel { cfg.logLevel = logLevel }
        if let maxLineBytes {
            guard maxLineBytes >= 64 else { throw ValidationError("--max-line-bytes must be at least 64") }
            cfg.maxLineBytes = maxLineBytes
        }
        if let seed { cfg.simSeed = seed }
        if testHooks { cfg.testHooks = true }
        cfg.adminToken = adminToken ?? ProcessInfo.processInfo.environment["ALEPHTX_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let t = cfg.adminToken, t.utf8.count < 16 {
            throw ValidationError("the admin token must be at least 16 characters")
        }
        if let dataDir { cfg.dataDir = dataDir }
        guard let level = Logger.Level(rawValue: cfg.logLevel) else {
            throw ValidationError("unknown log level '\(cfg.logLevel)'; use trace, debug, info, notice, warning, error or critical")
        }
        let dir = cfg.dataDir ?? ProcessInfo.processInfo.environment["ALEPHTX_DATA_DIR"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".alephtx")
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw ValidationError("cannot create data directory \(dir): \(error.localizedDescription)")
        }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "alephtx")
        logger.info("starting", metadata: ["version": "\(AlephGatewayVersion.string)", "data_dir": "\(dir)", "seed": "\(cfg.simSeed)"])
        let gateway: Gateway
        do { gateway = try await Gateway(config: cfg, dataDir: dir, logger: logger) } catch { throw ValidationError("\(error)") }
        let group = ServiceGroup(configuration: .init(
            services: gateway.services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}
