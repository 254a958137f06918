import AlephGateway
import AlephMCP
import ArgumentParser
import Foundation
import Logging
import MCP
import ServiceLifecycle

/// `alephtx mcp`: the same gateway as `serve`, faced by the Model Context Protocol on stdio.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the gateway as an MCP server on stdio (tools and resources from the same schemas as JSON-RPC). Logs go to stderr.")

    @Option(help: "TOML config file (see README); its [server] transports stay off unless --tcp or --unix is given.")
    var config: String?

    @Option(help: "Data directory (default: $ALEPHTX_DATA_DIR, else ~/.alephtx).")
    var dataDir: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(parsing: .unconditional, help: "Seed of the simulated market, 0 ... 18446744073709551615 (default 42).")
    var seed: String?

    @Option(help: "Serve MCP over Streamable HTTP on this loopback HOST:PORT (endpoint /mcp) instead of stdio; runs until SIGTERM.")
    var http: String?

    @Option(help: "Also serve JSON-RPC on HOST:PORT (off by default).")
    var tcp: String?

    @Option(help: "Also serve JSON-RPC on this Unix-domain socket (off by default).")
    var unix: String?

    func validate() throws {
        if let seed, UInt64(seed) == nil {
            throw ValidationError("--seed must be a whole number from 0 to \(UInt64.max), got '\(seed)'")
        }
        if let tcp, (try? GatewayConfig.hostPort(tcp)) == nil {
            throw ValidationError("--tcp must be HOST:PORT (for example 127.0.0.1:7878), got '\(tcp)'")
        }
        if let http {
            guard let (host, _) = try? GatewayConfig.hostPort(http) else {
                throw ValidationError("--http must be HOST:PORT (for example 127.0.0.1:7879), got '\(http)'")
            }
            guard GatewayConfig.isLoopback(host) else {
                throw ValidationError("--http serves MCP on loopback only (127.0.0.1 or ::1), got '\(host)'")
            }
        }
    }

    func run() async throws {
        var cfg = try Serve.loadConfig(config)
        cfg.stdio = false
        cfg.tcp = tcp
        cfg.unix = unix
        if let logLevel { cfg.logLevel = logLevel }
        if let seed, let n = UInt64(seed) { cfg.simSeed = n }
        if let dataDir { cfg.dataDir = dataDir }
        let http = self.http
        try await GatewayLaunch.run(cfg, what: "starting MCP") { gateway, logger in
            if let http, let (host, port) = try? GatewayConfig.hostPort(http) {
                let sessions = MCPHTTPSessions(engine: gateway.engine, counter: gateway.counter, logger: logger)
                return [.init(service: MCPHTTPServer(host: host, port: port, sessions: sessions, logger: logger))]
            }
            let face = MCPFace(engine: gateway.engine, sessionId: gateway.counter.take(), logger: logger)
            return [.init(service: MCPStdioService(face: face, logger: logger),
                          successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)]
        }
    }
}

/// The MCP face on stdin/stdout; returns when the client closes stdin.
struct MCPStdioService: Service {
    let face: MCPFace
    let logger: Logger

    func run() async throws {
        try await face.run(transport: StdioTransport(logger: logger))
    }
}
