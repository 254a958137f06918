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

    @Option(help: "Also serve on this Unix-domain socket (file mode 0600; default $ALEPH_SOCKET when set; 'off' for none).")
    var unix: String?

    @Option(help: "Record every enabled feed's raw frames into this directory while serving (as `alephtx record` does), for replay and backtests.")
    var record: String?

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
        var cfg = try Serve.loadConfig(config)
        if stdio { cfg.stdio = true }
        if let tcp { cfg.tcp = tcp == "off" ? nil : tcp } else if stdio && config == nil { cfg.tcp = nil }
        if let unix { cfg.unix = unix == "off" || unix.isEmpty ? nil : unix } else if cfg.unix == nil,
           let env = ProcessInfo.processInfo.environment["ALEPH_SOCKET"], !env.isEmpty { cfg.unix = env }
        if let logLevel { cfg.logLevel = logLevel }
        if let maxLineBytes { cfg.maxLineBytes = maxLineBytes }
        if let seed, let n = UInt64(seed) { cfg.simSeed = n }
        if testHooks { cfg.testHooks = true }
        cfg.adminToken = adminToken ?? ProcessInfo.processInfo.environment["ALEPHTX_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let t = cfg.adminToken, t.utf8.count < 16 {
            throw RuntimeError("the admin token must be at least 16 characters")
        }
        if let dataDir { cfg.dataDir = dataDir }
        if let record { cfg.recordDir = record }
        if !cfg.stdio && cfg.tcp == nil && cfg.unix == nil {
            throw RuntimeError("nothing to serve: TCP is off and neither --stdio nor --unix is given")
        }
        try await GatewayLaunch.run(cfg, what: "starting")
    }
}

extension Serve {
    /// The config file at `path` (defaults when nil). Read through a handle: devices and pipes
    /// (/dev/null, <(…)) are fine configs too.
    static func loadConfig(_ path: String?) throws -> GatewayConfig {
        guard let path else { return GatewayConfig() }
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data(),
              let text = String(data: data, encoding: .utf8) else {
            throw RuntimeError("cannot read config file \(path)")
        }
        do { return try GatewayConfig.load(toml: text) } catch { throw RuntimeError(error.description) }
    }
}

/// A failure at run time (not a usage mistake): printed as `Error: …` without the usage text.
struct RuntimeError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    let description: String
    init(_ description: String) { self.description = description }
}
