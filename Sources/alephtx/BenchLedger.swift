import ArgumentParser
import Foundation
import Synchronization

/// `alephtx bench ledger`: durable `place_signal` round trips over TCP with 1 and 10 clients,
/// against the same run with an in-memory ledger (no disk) as the reference. Clients are closed
/// loops (each waits for its answer), so a stall delays at most one request per client: read
/// p99.9 and max next to p99. `--ping` sends `ping` instead, the transport alone.
struct BenchLedger: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Durable place_signal latency and throughput (1 and 10 clients).")

    @Option(help: "Seconds per scenario.")
    var seconds = 5.0

    @Option(help: "Client counts to run.")
    var clients: [Int] = [1, 10]

    @Option(help: "Ledgers to run: memory, file_sync_full, file_sync_normal.")
    var ledgers: [String] = ["memory", "file_sync_full", "file_sync_normal"]

    @Flag(help: "Send ping instead of place_signal (the transport alone).")
    var ping = false

    func run() throws {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("alephtx-bench-ledger-\(getpid())").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var results: [String: Any] = [:]
        for (name, path, sync) in [("memory", ":memory:", "full"), ("file_sync_full", "\(root)/full/ledger.sqlite", "full"),
                                   ("file_sync_normal", "\(root)/normal/ledger.sqlite", "normal")] where ledgers.contains(name) {
            let cfgPath = "\(root)/\(name).toml"
            try BenchLedger.config(path: path, sync: sync).write(toFile: cfgPath, atomically: true, encoding: .utf8)
            let server = try Child([exe, "serve", "--tcp", "127.0.0.1:0", "--log-level", "info", "--data-dir", root, "--config", cfgPath], captureStderr: true)
            let port = try server.waitForPort()
            Thread.sleep(forTimeInterval: 0.5) // first books
            var byClients: [String: Any] = [:]
            for n in clients {
                byClients[String(n)] = try BenchLedger.scenario(port: port, clients: n, seconds: seconds, tag: "\(name)-\(n)", ping: ping)
            }
            server.stop()
            results[name] = byClients
        }
        var ratios: [String: Double] = [:]
        for n in clients {
            let k = String(n)
            if let m = (results["memory"] as? [String: Any])?[k] as? [String: Double], let f = (results["file_sync_full"] as? [String: Any])?[k] as? [String: Double] {
                ratios["p99_full_vs_memory_\(k)_clients"] = round2(f["p99_us"]! / m["p99_us"]!)
                ratios["rps_full_vs_memory_\(k)_clients"] = round2(f["rps"]! / m["rps"]!)
            }
        }
        let out: [String: Any] = ["bench": "ledger", "method": "place_signal (market IOC, alternating sides)", "seconds_per_scenario": seconds,
                                  "results": results, "ratios": ratios]
        let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func config(path: String, sync: String) -> String {
        """
        [ledger]
        path = "\(path)"
        sync = "\(sync)"

        [risk]
        max_orders_per_second = "off"
        max_order_notional = "off"
        max_position_notional = "off"
        max_gross_notional = "off"
        max_open_orders = 1000000
        max_open_orders_per_instrument = 1000000
        price_collar_bps = "off"
        max_slippage_bps = "off"
        max_drawdown = "off"
        daily_loss_limit = "off"
        session_daily_notional = "off"
        """
    }

    /// `clients` threads, each with its own connection, send signals back to back for `seconds`.
    static func scenario(port: Int, clients: Int, seconds: Double, tag: String, ping: Bool = false) throws -> [String: Double] {
        let shared = Mutex<(latencies: [Double], errors: Int, failure: String?)>(([], 0, nil))
        let start = nowNs()
        let end = start + UInt64(seconds * 1e9)
        let threads = (0..<clients).map { k in
            Thread {
                var mine: [Double] = []
                var bad = 0
                do {
                    let fd = try connectTCP(port: port)
                    defer { close(fd) }
                    var buf = [UInt8](repeating: 0, count: 1 << 16)
                    var j = 0
                    while nowNs() < end {
                        let side = j % 2 == 0 ? "buy" : "sell"
                        let line = ping ? #"{"jsonrpc":"2.0","id":\#(j),"method":"ping"}"# : #"{"jsonrpc":"2.0","id":\#(j),"method":"place_signal","params":{"intent_id":"\#(tag)-\#(k)-\#(j)","instrument":"sim:ETH-USD","side":"\#(side)","quantity":"0.01"}}"#
                        let msg = Array(line.utf8) + [0x0A]
                        let t0 = nowNs()
                        try writeAll(fd, msg)
                        let n = try readOneLine(fd, &buf)
                        mine.append(Double(nowNs() - t0) / 1000)
                        if !buf[0..<n].starts(with: Array(#"{"jsonrpc":"2.0","id":\#(j),"result""#.utf8)) { bad += 1 }
                        j += 1
                    }
                } catch {
                    shared.withLock { $0.failure = "\(error)" }
                }
                shared.withLock {
                    $0.latencies += mine
                    $0.errors += bad
                }
            }
        }
        threads.forEach { $0.start() }
        while threads.contains(where: { !$0.isFinished }) { Thread.sleep(forTimeInterval: 0.01) }
        let (latencies, errors, failure) = shared.withLock { $0 }
        if let failure { throw BenchError(description: "client failed: \(failure)") }
        let elapsed = Double(nowNs() - start) / 1e9
        let sorted = latencies.sorted()
        guard !sorted.isEmpty else { throw BenchError(description: "no round trips completed") }
        return ["requests": Double(sorted.count), "errors": Double(errors), "rps": round2(Double(sorted.count) / elapsed),
                "p50_us": round2(sorted[sorted.count / 2]), "p99_us": round2(sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]),
                "p999_us": round2(sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.999))]),
                "max_us": round2(sorted.last!)]
    }
}

/// Reads exactly one line (the socket carries only answers here); returns its length.
private func readOneLine(_ fd: CInt, _ buf: inout [UInt8]) throws -> Int {
    var have = 0
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress! + have, $0.count - have) }
        if n < 0 { if errno == EINTR { continue }; throw BenchError(description: "read failed: \(errno)") }
        if n == 0 { throw BenchError(description: "peer closed") }
        have += n
        if buf[have - 1] == 0x0A { return have }
        if have == buf.count { throw BenchError(description: "answer longer than \(buf.count) bytes") }
    }
}
