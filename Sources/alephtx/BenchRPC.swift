import ArgumentParser
struct BenchRPC: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "rpc"); func run() async throws { throw ValidationError("not implemented yet") } }
