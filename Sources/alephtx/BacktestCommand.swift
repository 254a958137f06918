import AlephCore
import AlephGateway
import AlephRPC
import AlephVenues
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// `alephtx backtest`: an agent (or a built-in strategy) against a recording, through the same
/// adapters, engine, risk gate and paper venue as live, on simulated time that moves in lockstep
/// with the agent; writes report.json and report.html.
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backtest", abstract: """
        Run an agent against recordings exactly as it would run live: the gateway listens on a private Unix socket and starts \
        --agent with ALEPHTX_CONNECT set to it (agents built on agents/alephtx_client.py connect there unchanged). Simulated time \
        moves only when the agent waits (backtest.step), so runs are deterministic. Writes report.json and report.html to --out.
        """)

    @Option(help: "binance or hyperliquid (the recording's venue).") var venue = "binance"
    @Option(help: "The venue symbol (BTCUSDT; a Hyperliquid perp coin such as BTC).") var symbol = "BTCUSDT"
    @Option(parsing: .upToNextOption, help: "Recording files, replayed in order (`<recv_ts_ns> <frame>` lines, gzip or plain).") var data: [String]
    @Option(help: "The agent's command line (run with /bin/sh -c; its output goes to OUT/agent.log).") var agent: String?
    @Option(help: "A built-in strategy instead of an agent (\(BuiltinStrategy.names.joined(separator: ", "))).") var strategy: String?
    @Option(help: "Order size of the built-in strategy.") var size = "0.05"
    @Option(help: "Output directory (created).") var out: String
    @Option(help: "Order latency: a trading request reaches the venue this many ms of simulated time after it is sent.") var latencyMs = 0
    @Option(help: "Equity sample interval in ms of simulated time.") var sampleMs = 1000
    @Option(help: "Seed handed to the agent as ALEPHTX_SEED.") var seed: UInt64 = 1
    @Option(help: "TOML config for [paper] (fees, starting cash) and [risk]; feeds in it are ignored.") var config: String?
    @Option(help: "Maker fee in bps (overrides the config).") var makerFeeBps: String?
    @Option(help: "Taker fee in bps (overrides the config).") var takerFeeBps: String?
    @Option(help: "trace … critical (gateway log, stderr).") var logLevel = "warning"

    func validate() throws {
        guard (agent == nil) != (strategy == nil) else { throw ValidationError("give exactly one of --agent CMD or --strategy NAME") }
        if let strategy, !BuiltinStrategy.names.contains(strategy) {
            throw ValidationError("unknown strategy '\(strategy)'; built in: \(BuiltinStrategy.names.joined(separator: ", "))")
        }
        guard latencyMs >= 0, latencyMs <= 60_000 else { throw ValidationError("--latency-ms must be 0…60000") }
        guard sampleMs >= 1 else { throw ValidationError("--sample-ms must be at least 1") }
        guard !data.isEmpty else { throw ValidationError("--data needs at least one recording file") }
    }

    func run() async throws {
        var cfg = try Serve.loadConfig(config)
        if let m = makerFeeBps { cfg.paper.makerFeeBps = try fee(m, "--maker-fee-bps") }
        if let t = takerFeeBps { cfg.paper.takerFeeBps = try fee(t, "--taker-fee-bps") }
        let level = Logger.Level(rawValue: logLevel) ?? .warning
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "alephtx")
        do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            throw RuntimeError("cannot create \(out): \(error.localizedDescription)")
        }
        let (adapter, inst): (any VenueAdapter, Instrument)
        do { (adapter, inst) = try Replay.setup(venue: venue, symbol: symbol) } catch { throw RuntimeError(error.description) }
        let clock = ManualTimeSource(start: 0)
        let driver: BacktestDriver
        do {
            driver = try BacktestDriver(files: data, adapter: adapter, settings: .init(symbol: symbol, instrument: inst, latencyNs: Int64(latencyMs) * 1_000_000,
                                                                                  sampleNs: Int64(sampleMs) * 1_000_000), clock: clock)
        } catch { throw RuntimeError(error.description) }
        var ec = EngineConfig(paper: cfg.paper, maxSubscriptionsPerSession: cfg.maxSubscriptionsPerSession)
        ec.riskLimits = cfg.riskLimits
        ec.riskOverrides = cfg.riskOverrides
        ec.stableValues = cfg.stableValues
        ec.lockstep = driver
        let engine: Engine
        do { engine = Engine(instruments: [inst], config: ec, time: clock, logger: logger, ledger: try Ledger(path: ":memory:")) } catch {
            throw RuntimeError("\(error)")
        }
        await engine.addInstruments([inst], venue: inst.venue)
        await driver.attach(engine)
        guard await driver.warmUp() else { throw RuntimeError("the recording never gave \(inst.id) a verified book (no snapshot?)") }
        let progress = Progress(driver: driver, files: data)
        progress.start()
        var agentFailed = false
        if let agent {
            agentFailed = try await runAgent(agent, engine: engine, logger: logger, maxLineBytes: cfg.maxLineBytes, maxQueued: cfg.maxQueuedMessages)
        } else if let name = strategy {
            let outbox = Outbox(maxQueued: 1 << 20, onOverflow: { _ in })
            let session = Session(id: 1, transport: "backtest", peer: "strategy:\(name)", outbox: outbox)
            await engine.register(session)
            let drain = Task { while await outbox.nextBatch() != nil {} }
            guard let strat = BuiltinStrategy(name: name, instrument: inst.id, size: Fixed(stringLiteral: size), session: session) else { return }
            await driver.runToEnd(onFrame: { engine in await strat.onFrame(engine) })
            outbox.finish()
            drain.cancel()
        }
        progress.stop()
        await engine.flushLedger()
        let report = BacktestReport(
            run: .init(venue: inst.venue, instrument: inst.id, data: data.map { ($0 as NSString).lastPathComponent }, agent: agent ?? "strategy:\(strategy!)",
                       seed: seed, latencyMs: latencyMs, sampleMs: sampleMs, makerFeeBps: cfg.paper.makerFeeBps, takerFeeBps: cfg.paper.takerFeeBps,
                       startingCash: cfg.paper.startingCash, currency: cfg.paper.currency),
            samples: await driver.samples, fills: await engine.allFills, orders: await engine.orderCount, stats: await driver.stats,
            dataEnded: await driver.ended, steps: await driver.steps)
        let json = report.json
        do {
            try Data(JSONWriter.bytes(json) + [0x0A]).write(to: URL(fileURLWithPath: (out as NSString).appendingPathComponent("report.json")))
            try Data(BacktestHTML.render(report).utf8).write(to: URL(fileURLWithPath: (out as NSString).appendingPathComponent("report.html")))
        } catch { throw RuntimeError("cannot write the report to \(out): \(error.localizedDescription)") }
        print(JSONWriter.string(.object([
            JSONMember("report", .string((out as NSString).appendingPathComponent("report.json"))),
            JSONMember("pnl", json["pnl"] ?? .null), JSONMember("final_equity", json["final_equity"] ?? .null),
            JSONMember("trades", json["trades"]?["count"] ?? .null), JSONMember("frames", json["replay"]?["frames"] ?? .null),
            JSONMember("data_ended", json["replay"]?["data_ended"] ?? .null), JSONMember("steps", json["replay"]?["steps"] ?? .null),
        ])))
        if agentFailed { throw ExitCode(1) }
    }

    private func fee(_ text: String, _ flag: String) throws -> Fixed {
        do { return try Fixed(parsing: text) } catch { throw ValidationError("\(flag): '\(text)' is not a decimal number of bps") }
    }

    /// Serves a private Unix socket and runs the agent until it exits; true when it failed.
    private func runAgent(_ command: String, engine: Engine, logger: Logger, maxLineBytes: Int, maxQueued: Int) async throws -> Bool {
        let dir = NSTemporaryDirectory() + "alephtx-backtest-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/agent.sock"
        let bound = BoundSignal()
        let runner = ConnectionRunner(engine: engine, logger: logger, maxQueued: maxQueued)
        let server = TCPServer(endpoint: .unix(path: path), maxLineBytes: maxLineBytes, runner: runner, counter: SessionCounter(), logger: logger,
                               onBound: { _ in bound.fire() })
        let log = (out as NSString).appendingPathComponent("agent.log")
        let agentService = AgentProcess(command: command, env: ["ALEPHTX_CONNECT": "unix:\(path)", "ALEPHTX_SEED": String(seed), "ALEPHTX_BACKTEST": "1"],
                                        log: log, bound: bound)
        let group = ServiceGroup(configuration: .init(services: [
            .init(service: server),
            .init(service: agentService, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
        ], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        if let code = agentService.exitCode, code != 0 {
            FileHandle.standardError.write(Data("backtest: the agent exited with status \(code) (its output: \(log))\n".utf8))
            return true
        }
        return false
    }
}

/// Fires once the socket is listening.
final class BoundSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    func fire() {
        let w = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.fired = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for c in w { c.resume() }
    }
    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.fired { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }
}

/// The agent as a service: started once the socket listens, ended (SIGTERM) on shutdown; its
/// exit ends the run.
final class AgentProcess: Service, Sendable {
    let command: String
    let env: [String: String]
    let log: String
    let bound: BoundSignal
    private let status = Mutex<Int32?>(nil)

    init(command: String, env: [String: String], log: String, bound: BoundSignal) {
        self.command = command
        self.env = env
        self.log = log
        self.bound = bound
    }

    /// The agent's exit status once it ended.
    var exitCode: Int32? { status.withLock { $0 } }

    func run() async throws {
        await bound.wait()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new }
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        let ended = BoundSignal()
        p.terminationHandler = { _ in ended.fire() }
        do { try p.run() } catch { throw RuntimeError("cannot start the agent: \(error.localizedDescription)") }
        await withGracefulShutdownHandler {
            await ended.wait()
        } onGracefulShutdown: {
            if p.isRunning { p.terminate() }
        }
        status.withLock { $0 = p.terminationStatus }
        try? handle?.close()
    }
}

/// A progress line on stderr (events/s, simulated time, ETA) while it is a terminal.
final class Progress: Sendable {
    let driver: BacktestDriver
    let total: Int64
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(driver: BacktestDriver, files: [String]) {
        self.driver = driver
        total = files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int64) ?? 0) }
    }

    func start() {
        guard isatty(2) == 1 else { return }
        let driver = driver, total = total
        let t = Task {
            let t0 = DispatchTime.now().uptimeNanoseconds
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                let (frames, read, now) = await driver.progress
                let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                let frac = total > 0 ? min(1, Double(read) / Double(total)) : 0
                let eta = frac > 0 ? secs * (1 - frac) / frac : 0
                let sim = BacktestHTML.iso(now)
                FileHandle.standardError.write(Data(String(format: "\r%5.1f%%  %8.0f frames/s  sim %@  ETA %4.0fs ", frac * 100, Double(frames) / max(secs, 0.001), sim, eta).utf8))
            }
        }
        task.withLock { $0 = t }
    }

    func stop() {
        guard let t = task.withLock({ $0 }) else { return }
        t.cancel()
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
