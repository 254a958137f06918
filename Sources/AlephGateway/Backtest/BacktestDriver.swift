import AlephBook
import AlephCore
import AlephRPC
import AlephVenueKit

/// The clock and the data of a backtest: replays a recording through the venue's adapter into the
/// engine (the live path), moving simulated time only when the agent asks (`backtest.step`) or
/// while a trading request of the agent is on its way to the venue (the order latency). Nothing
/// here depends on wall time, so the same inputs give the same run.
public actor BacktestDriver: Lockstep {
    /// What the driver needs to know.
    public struct Settings: Sendable {
        /// Venue symbol the recording is for (`BTCUSDT`).
        public var symbol: String
        /// Its instrument.
        public var instrument: Instrument
        /// From a trading request's send to the venue seeing it (ns of simulated time).
        public var latencyNs: Int64
        /// Equity is sampled at most this often (ns of simulated time).
        public var sampleNs: Int64

        /// Creates settings.
        public init(symbol: String, instrument: Instrument, latencyNs: Int64, sampleNs: Int64) {
            self.symbol = symbol
            self.instrument = instrument
            self.latencyNs = latencyNs
            self.sampleNs = sampleNs
        }
    }

    /// One equity sample.
    public struct Sample: Sendable, Equatable {
        /// Simulated time (ns).
        public var time: Int64
        /// The account's value then.
        public var mark: BacktestMark
    }

    let settings: Settings
    let clock: ManualTimeSource
    private let source: FrameSource
    private var adapter: any VenueAdapter
    private var engine: Engine?
    private var nextSample: Int64 = .min
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []
    /// What was replayed.
    public private(set) var stats = Replay.Stats()
    /// Equity samples, in time order (the last one taken when the data ends).
    public private(set) var samples: [Sample] = []
    /// True once every frame has been replayed.
    public private(set) var ended = false
    /// Steps answered.
    public private(set) var steps = 0

    /// A driver over `files`; `clock` is the engine's time source.
    public init(files: [String], adapter: any VenueAdapter, settings: Settings, clock: ManualTimeSource) throws(ReplayError) {
        source = try FrameSource(paths: files)
        self.adapter = adapter
        self.settings = settings
        self.clock = clock
    }

    /// Frames replayed, compressed bytes read and the simulated time (for a progress line).
    public var progress: (frames: Int, bytesRead: Int64, now: Int64) { (stats.frames, source.bytesRead, clock.nowNanos()) }

    /// Connects the engine (built with this driver as its lockstep).
    public func attach(_ engine: Engine) { self.engine = engine }

    /// Replays until the instrument's book is verified (its first snapshot), so the agent starts
    /// on a usable book; false when the data ended first.
    public func warmUp() async -> Bool {
        guard let engine else { return false }
        while source.peek() != nil {
            _ = await take(engine: engine, countingFor: nil)
            if await engine.book(settings.instrument.id)?.verified == true {
                await sample(force: true)
                return true
            }
        }
        finish()
        return false
    }

    /// Replays everything with no agent (a built-in strategy reacts through `onFrame`).
    public func runToEnd(onFrame: (@Sendable (Engine) async -> Void)? = nil) async {
        guard let engine else { return }
        while source.peek() != nil {
            _ = await take(engine: engine, countingFor: nil)
            if let onFrame { await onFrame(engine) }
        }
        await finishSampling()
    }

    // MARK: Lockstep

    /// `backtest.step`.
    public func step(_ params: JSON?, session: Session) async throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["until_us"])
        let until = p.has("until_us") ? try p.int("until_us", default: 0, range: 0...(Int.max / 1000)) : nil
        await lock()
        defer { unlock() }
        guard let engine else { throw RPCError.internalError("backtest driver has no engine") }
        steps += 1
        var produced = 0
        if let until {
            produced = await advance(engine: engine, until: Int64(until) * 1000, outbox: session.outbox)
        } else {
            while source.peek() != nil {
                produced += await take(engine: engine, countingFor: session.outbox)
                if produced > 0 { break }
            }
        }
        if source.peek() == nil { await finishSampling() }
        return .object([JSONMember("time_us", .int(clock.nowNanos() / 1000)), JSONMember("frames", .int(stats.frames)),
                        JSONMember("notifications", .int(produced)), JSONMember("done", .bool(ended))])
    }

    /// The order latency passes in simulated time (the data keeps playing meanwhile).
    public func beforeTrading(session: Session) async {
        guard settings.latencyNs > 0, let engine else { return }
        await lock()
        defer { unlock() }
        _ = await advance(engine: engine, until: clock.nowNanos() + settings.latencyNs, outbox: nil)
        if source.peek() == nil { await finishSampling() }
    }

    // MARK: replay

    /// Every frame received up to `deadline`, then the clock moves to it (unless the data ended).
    private func advance(engine: Engine, until deadline: Int64, outbox: Outbox?) async -> Int {
        var produced = 0
        while let f = source.peek(), f.receiveTime <= deadline { produced += await take(engine: engine, countingFor: outbox) }
        if source.peek() != nil { moveClock(to: deadline) }
        return produced
    }

    /// One frame through the adapter into the engine; the notifications it queued for `outbox`.
    private func take(engine: Engine, countingFor outbox: Outbox?) async -> Int {
        guard let f = source.pop() else { return 0 }
        moveClock(to: f.receiveTime)
        // The account as it stood when this frame arrived (before it applies).
        if f.receiveTime >= nextSample && nextSample != .min { await sample(force: false) }
        stats.frames += 1
        if Replay.isSnapshot(f) { stats.snapshots += 1 }
        let out: AdapterOutput
        do { out = try Replay.decode(f, symbol: settings.symbol, adapter: &adapter) } catch {
            stats.decodeErrors += 1
            return 0
        }
        guard !out.events.isEmpty else { return 0 }
        stats.events += out.events.count
        if let outbox { return await engine.ingest(out.events, countingFor: outbox) }
        await engine.ingest(out.events)
        return 0
    }

    private func moveClock(to t: Int64) {
        let d = t - clock.nowNanos()
        if d > 0 { clock.advance(nanos: d) }
    }

    /// Records the account's value now; the next sample is due one interval later.
    private func sample(force: Bool) async {
        guard let engine else { return }
        let now = clock.nowNanos()
        let mark = await engine.backtestMark(venue: settings.instrument.venue, instrument: settings.instrument.id)
        if let last = samples.last, last.time == now { samples[samples.count - 1].mark = mark } else { samples.append(Sample(time: now, mark: mark)) }
        let interval = max(1, settings.sampleNs)
        nextSample = (now / interval + 1) * interval
    }

    private func finishSampling() async {
        guard !ended else { return }
        await sample(force: true)
        finish()
    }

    private func finish() {
        ended = true
        stats.malformed = source.malformed
        stats.tornFiles = source.tornFiles
    }

    // One replay at a time: a step and a delayed order never interleave their frames.
    private func lock() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { queue.append($0) }
    }

    private func unlock() {
        if queue.isEmpty { busy = false } else { queue.removeFirst().resume() }
    }
}
