import ArgumentParser

/// `alephtx bench decode` (filled in with the venue decoders).
struct BenchDecode: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "ns per Binance depth message (217 B and ~1 KB) into fixed point.")
    func run() throws { throw ValidationError("not implemented yet") }
}
