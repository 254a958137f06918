import ArgumentParser
import Foundation

/// `alephtx bench rpc`: round-trip latency over stdio and TCP and pipelined throughput,
/// against a `cat` pipe echo measured in the same run as the reference.
struct BenchRPC: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rpc", abstract: "JSON-RPC round trip (stdio, TCP) and pipelined throughput.")

    @Option(help: "Sequential round trips per transport.")
    var iterations = 20_000

    @Option(help: "Requests in the pipelined run.")
    var pipelined = 200_000

    func run() throws {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let ping = Array(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8) + [0x0A]

        // Reference: a C program echoing lines through pipes.
        let echo = try Child(["/bin/cat"])
        let ref = try roundTrips(echo.input, echo.output, message: ping, count: iterations)
        echo.stop()

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("alephtx-bench-\(getpid())").path
        let stdio = try Child([exe, "serve", "--stdio", "--log-level", "error", "--data-dir", dir])
        _ = try roundTrips(stdio.input, stdio.output, message: ping, count: 2000) // warm-up
        let s = try roundTrips(stdio.input, stdio.output, message: ping, count: iterations)
        let sPipe = try pipelinedRate(stdio.input, stdio.output, message: ping, count: pipelined)
        stdio.stop()

        let server = try Child([exe, "serve", "--tcp", "127.0.0.1:0", "--log-level", "info", "--data-dir", dir], captureStderr: true)
        let port = try server.waitForPort()
        let fd = try connectTCP(port: port)
        _ = try roundTrips(fd, fd, message: ping, count: 2000)
        let t = try roundTrips(fd, fd, message: ping, count: iterations)
        let tPipe = try pipelinedRate(fd, fd, message: ping, count: pipelined)
        close(fd)
        server.stop()
        try? FileManager.default.removeItem(atPath: dir)

        func stats(_ xs: [Double]) -> [String: Double] {
            let sorted = xs.sorted()
            return ["p50_us": round2(sorted[sorted.count / 2]), "p99_us": round2(sorted[Int(Double(sorted.count) * 0.99)]), "mean_us": round2(xs.reduce(0, +) / Double(xs.count))]
        }
        let r = stats(ref), ss = stats(s), ts = stats(t)
        let out: [String: Any] = [
            "bench": "rpc", "message": "ping", "iterations": iterations, "pipelined_requests": pipelined,
            "reference_pipe_echo": r, "stdio": ss.merging(["p50_ratio_vs_echo": round2(ss["p50_us"]! / r["p50_us"]!)]) { a, _ in a },
            "tcp": ts.merging(["p50_ratio_vs_echo": round2(ts["p50_us"]! / r["p50_us"]!)]) { a, _ in a },
            "pipelined_rps": ["stdio": Int(sPipe), "tcp": Int(tPipe)],
        ]
        let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }

func nowNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

struct BenchError: Error, CustomStringConvertible { var description: String }

func writeAll(_ fd: CInt, _ bytes: [UInt8]) throws {
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, bytes.count - off) }
        if n < 0 { if errno == EINTR { continue }; throw BenchError(description: "write failed: \(errno)") }
        off += n
    }
}

/// Reads until `lines` newlines have been seen.
func readLines(_ fd: CInt, _ lines: Int, _ buf: inout [UInt8]) throws {
    var seen = 0
    while seen < lines {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue }; throw BenchError(description: "read failed: \(errno)") }
        if n == 0 { throw BenchError(description: "peer closed") }
        for i in 0..<n where buf[i] == 0x0A { seen += 1 }
    }
}

func roundTrips(_ wfd: CInt, _ rfd: CInt, message: [UInt8], count: Int) throws -> [Double] {
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    var out: [Double] = []
    out.reserveCapacity(count)
    for _ in 0..<count {
        let t0 = nowNs()
        try writeAll(wfd, message)
        try readLines(rfd, 1, &buf)
        out.append(Double(nowNs() - t0) / 1000)
    }
    return out
}

func pipelinedRate(_ wfd: CInt, _ rfd: CInt, message: [UInt8], count: Int) throws -> Double {
    let chunk = Array([[UInt8]](repeating: message, count: 1000).joined())
    let t0 = nowNs()
    let writer = Thread {
        var sent = 0
        while sent < count {
            try? writeAll(wfd, chunk)
            sent += 1000
        }
    }
    writer.start()
    var buf = [UInt8](repeating: 0, count: 1 << 20)
    try readLines(rfd, (count + 999) / 1000 * 1000, &buf)
    return Double((count + 999) / 1000 * 1000) / (Double(nowNs() - t0) / 1e9)
}

func connectTCP(port: Int) throws -> CInt {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var one: CInt = 1
    setsockopt(fd, CInt(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<CInt>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard rc == 0 else { throw BenchError(description: "connect failed: \(errno)") }
    return fd
}

/// A child process with pipes on stdin/stdout (and optionally stderr).
final class Child {
    let process = Process()
    let stdinPipe = Pipe(), stdoutPipe = Pipe(), stderrPipe = Pipe()
    var input: CInt { stdinPipe.fileHandleForWriting.fileDescriptor }
    var output: CInt { stdoutPipe.fileHandleForReading.fileDescriptor }

    init(_ argv: [String], captureStderr: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = captureStderr ? stderrPipe : FileHandle.nullDevice
        try process.run()
    }

    func waitForPort() throws -> Int {
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let data = stderrPipe.fileHandleForReading.availableData
            text += String(decoding: data, as: UTF8.self)
            if let r = text.range(of: #"listening on 127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                return Int(text[r].split(separator: ":").last!)!
            }
            if data.isEmpty { Thread.sleep(forTimeInterval: 0.01) }
        }
        throw BenchError(description: "server did not report its port")
    }

    func stop() {
        try? stdinPipe.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}
