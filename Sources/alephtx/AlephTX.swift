import AlephGateway
import ArgumentParser

/// The `alephtx` command.
@main
struct AlephTX: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alephtx",
        abstract: "A trading gateway for AI agents: JSON-RPC 2.0 over stdio, TCP and Unix sockets, and MCP.",
        subcommands: [Serve.self, MCPCommand.self, PolymarketCommand.self, RecordCommand.self, ReplayCommand.self, BacktestCommand.self, Bench.self, CryptoCommand.self, LedgerCommand.self, Version.self],
        defaultSubcommand: nil)
}

/// `alephtx version`.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("alephtx \(AlephGatewayVersion.string)") }
}
