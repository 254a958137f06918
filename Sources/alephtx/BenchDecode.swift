import AlephVenues
import ArgumentParser
import Foundation
import MallocInterposerSwift

/// `alephtx bench decode`: Binance depth messages decoded into fixed point, against Foundation's
/// JSONSerialization on the same bytes in the same run.
struct BenchDecode: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "ns per Binance depth message (217 B and ~1 KB) into fixed point.")

    @Option(help: "Messages per size.")
    var iterations = 1_000_000

    /// A depth event with `n` levels a side, padded to `target` bytes when given.
    static func message(levels n: Int, target: Int?) -> [UInt8] {
        func side(_ base: Int, _ step: Int) -> String {
            (0..<n).map { k in #"["\#(base + step * k).\#(10 + k)","\#(k % 3).\#(12 + k)"]"# }.joined(separator: ",")
        }
        var s = #"{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":50093239189,"u":50093239202,"b":[\#(side(61737, -1))],"a":[\#(side(61738, 1))]}"#
        if let target, s.utf8.count < target {
            s.insert(contentsOf: String(repeating: " ", count: target - s.utf8.count), at: s.index(before: s.endIndex))
        }
        return Array(s.utf8)
    }

    func run() throws {
        try reexecWithInterposer()
        MallocInterposerSwift.initialize()
        var results: [String: Any] = [:]
        for (name, msg) in [("3_levels", BenchDecode.message(levels: 3, target: 217)), ("20_levels", BenchDecode.message(levels: 20, target: nil))] {
            var out = BinanceDepth()
            var sink: Int64 = 0
            try msg.withUnsafeBytes { p in
                for _ in 0..<10_000 { _ = try BinanceDecoder.depth(p, into: &out) }
                guard out.bids.count == (name == "3_levels" ? 3 : 20) else { throw ValidationError("decoder check failed") }
            }
            MallocInterposerSwift.hook()
            let a0 = MallocInterposerSwift.getStatistics().mallocCount
            let t0 = DispatchTime.now().uptimeNanoseconds
            try msg.withUnsafeBytes { p in
                for _ in 0..<iterations {
                    _ = try BinanceDecoder.depth(p, into: &out)
                    sink &+= out.finalId &+ out.bids[0].price.raw
                }
            }
            let t1 = DispatchTime.now().uptimeNanoseconds
            let allocs = MallocInterposerSwift.getStatistics().mallocCount - a0
            MallocInterposerSwift.unhook()
            // Reference: Foundation's JSONSerialization on the same bytes (a tree of NSObjects, no decimals).
            let data = Data(msg)
            let refN = max(1, iterations / 20)
            let r0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<refN { if let o = try JSONSerialization.jsonObject(with: data) as? [String: Any], o.count == 42 { sink &+= 1 } }
            let r1 = DispatchTime.now().uptimeNanoseconds
            if sink == 42 { print("") }
            let ns = Double(t1 - t0) / Double(iterations), ref = Double(r1 - r0) / Double(refN)
            results[name] = ["bytes": msg.count, "ns_per_message": (ns * 10).rounded() / 10,
                             "allocations_per_message": interposerActive ? Double(allocs) / Double(iterations) : -1,
                             "reference_jsonserialization_ns": ref.rounded(), "speedup_vs_reference": (ref / ns * 10).rounded() / 10]
        }
        let out: [String: Any] = ["bench": "decode", "decoder": "BinanceDecoder.depth into reused arrays (fixed point)", "iterations": iterations, "results": results]
        let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
