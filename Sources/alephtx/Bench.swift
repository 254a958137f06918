import ArgumentParser
import Foundation

/// `alephtx bench …`.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmarks (build with -c release); print JSON.",
                                                    subcommands: [BenchRPC.self, BenchRisk.self, BenchCrypto.self, BenchLedger.self, BenchBook.self, BenchDecode.self, BenchOrderPath.self, BenchReplay.self])
}

/// Allocation counting needs the malloc interposer preloaded (its documented Linux mechanism):
/// re-runs this command with LD_PRELOAD, so `serve` never carries an interposed malloc.
/// Returns when already preloaded (or when the library cannot be found: counts then read -1).
func reexecWithInterposer() throws {
    guard ProcessInfo.processInfo.environment["ALEPHTX_BENCH_PRELOADED"] == nil, let lib = BenchRisk.interposerLibrary() else { return }
    var env = ProcessInfo.processInfo.environment
    env["LD_PRELOAD"] = lib
    env["ALEPHTX_BENCH_PRELOADED"] = "1"
    let p = Process()
    p.executableURL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
    p.arguments = Array(CommandLine.arguments.dropFirst())
    p.environment = env
    try p.run()
    p.waitUntilExit()
    throw ExitCode(p.terminationStatus)
}

/// True when allocations are being counted.
var interposerActive: Bool { ProcessInfo.processInfo.environment["ALEPHTX_BENCH_PRELOADED"] != nil }
