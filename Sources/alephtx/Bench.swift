import ArgumentParser

/// `alephtx bench …`.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmarks (build with -c release); print JSON.", subcommands: [BenchRPC.self, BenchRisk.self, BenchCrypto.self, BenchLedger.self])
}
