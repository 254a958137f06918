import AlephBook
import AlephCore
import AlephVenueKit
import AsyncHTTPClient
import Logging
import NIOCore
import Synchronization
import WSClient

/// Why a connection ended on our side.
struct FeedStop: Error, CustomStringConvertible {
    var description: String
}

/// Runs one venue feed forever: connect, subscribe, keep the venue's heartbeat, watch for an
/// idle socket, sync books (REST snapshots with retry and backoff, or resubscription), push
/// events to the engine, and on any failure mark books unverified and reconnect with
/// exponential backoff and jitter. Health goes to `onHealth` whenever it changes materially.
public final class FeedRunner: Sendable {
    let config: VenueConfig
    let core: FeedCore
    let sink: @Sendable ([MarketEvent]) async -> Void
    let onHealth: @Sendable (FeedHealth) async -> Void
    let time: any TimeSource
    let logger: Logger
    /// Sees every raw frame (symbol nil) and REST snapshot body (its symbol) as received, before
    /// decoding: the recorder.
    let tap: (@Sendable (Int64, UnsafeRawBufferPointer, String?) -> Void)?

    /// Creates a runner around an adapter.
    public init(config: VenueConfig, adapter: any VenueAdapter, time: any TimeSource, logger: Logger,
                sink: @escaping @Sendable ([MarketEvent]) async -> Void, onHealth: @escaping @Sendable (FeedHealth) async -> Void,
                tap: (@Sendable (Int64, UnsafeRawBufferPointer, String?) -> Void)? = nil) {
        self.tap = tap
        self.config = config
        self.core = FeedCore(adapter: adapter, health: FeedHealth(venue: config.venue, symbols: config.symbols))
        self.sink = sink
        self.onHealth = onHealth
        self.time = time
        self.logger = logger
    }

    enum Input: Sendable {
        case frame(String, Int64)
        case snapshot(String, [UInt8], Int64)
        case snapshotFailed(String, String)
        /// A timer tick, stamped when it was queued (behind every frame read before it).
        case tick(Int64)
        case closed(String)
    }

    /// Runs until the task is cancelled.
    public func run() async {
        var attempt = 0
        var first = true
        while !Task.isCancelled {
            if !first { core.health.reconnects += 1 }
            first = false
            core.health.state = .connecting
            await onHealth(core.health)
            var received = false
            do {
                received = try await connectOnce()
            } catch is CancellationError {
                break
            } catch {
                core.health.lastError = "\(error)"
                logger.warning("feed disconnected", metadata: ["venue": "\(config.venue)", "error": "\(error)"])
            }
            await sink(core.adapter.reset())
            if Task.isCancelled { break }
            if received { attempt = 0 }
            let base = min(Double(config.backoffMaxMs), Double(config.backoffMinMs) * pow2(attempt))
            let delay = base * Double.random(in: 0.5...1.0)
            attempt += 1
            core.health.state = .backoff
            await onHealth(core.health)
            try? await Task.sleep(for: .milliseconds(Int(delay)))
        }
        core.health.state = .stopped
        await onHealth(core.health)
    }

    private func pow2(_ n: Int) -> Double { n >= 30 ? Double(1 << 30) : Double(1 << n) }

    /// One connection; returns whether any frame arrived.
    private func connectOnce() async throws -> Bool {
        let (inputs, feed) = AsyncStream<Input>.makeStream(bufferingPolicy: .unbounded)
        core.receivedFrame = false
        var wsConfig = WebSocketClientConfiguration(maxFrameSize: 1 << 24)
        wsConfig.closeTimeout = .seconds(2)
        let url = core.adapter.streamURL
        try await WebSocketClient.connect(url: url, configuration: wsConfig, logger: logger) { inbound, outbound, _ in
            let connectedAt = self.time.nowNanos()
            for f in self.core.adapter.subscribeFrames { try await outbound.write(.text(f)) }
            self.core.health.state = .syncing
            self.core.health.lastMessageAt = connectedAt
            await self.onHealth(self.core.health)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        if case .text(let s) = message { feed.yield(.frame(s, self.time.nowNanos())) }
                    }
                    feed.yield(.closed("the venue closed the socket"))
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(100))
                        feed.yield(.tick(self.time.nowNanos()))
                    }
                }
                group.addTask {
                    var snapshotTasks: [String: Task<Void, Never>] = [:]
                    defer { for t in snapshotTasks.values { t.cancel() } }
                    var lastHeartbeat = connectedAt
                    for await input in inputs {
                        let now = self.time.nowNanos()
                        var out = AdapterOutput()
                        switch input {
                        case .frame(var text, let at):
                            self.core.receivedFrame = true
                            self.core.health.lastMessageAt = at
                            if let tap = self.tap { text.withUTF8 { tap(at, UnsafeRawBufferPointer($0), nil) } }
                            do {
                                out = try text.withUTF8 { p throws(WireError) in try self.core.adapter.onFrame(UnsafeRawBufferPointer(p), receiveTime: at) }
                            } catch {
                                self.core.health.badFrames += 1
                                self.core.health.lastError = "bad frame: \(error)"
                            }
                        case .snapshot(let symbol, let bytes, let at):
                            snapshotTasks[symbol] = nil
                            if let tap = self.tap { bytes.withUnsafeBytes { tap(at, $0, symbol) } }
                            do {
                                out = try bytes.withUnsafeBytes { p throws(WireError) in try self.core.adapter.onSnapshot(symbol: symbol, p, receiveTime: at) }
                            } catch {
                                self.core.health.snapshotFailures += 1
                                self.core.health.lastError = "snapshot for \(symbol) undecodable: \(error)"
                                out.snapshotsNeeded.append(symbol)
                            }
                        case .snapshotFailed(let symbol, let why):
                            self.core.health.snapshotFailures += 1
                            self.core.health.lastError = "snapshot for \(symbol) failed: \(why)"
                            await self.onHealth(self.core.health)
                        case .tick(let queuedAt):
                            // Silence as of when the tick was queued: frames read before it are all
                            // processed by now, so a backlog still being worked through is not silence.
                            if queuedAt - self.core.health.lastMessageAt > Int64(self.config.idleTimeoutMs) * 1_000_000 {
                                throw FeedStop(description: "no data for \(self.config.idleTimeoutMs) ms")
                            }
                            if now - connectedAt > Int64(self.config.maxConnectionAgeMs) * 1_000_000 {
                                throw FeedStop(description: "proactive reconnect after \(self.config.maxConnectionAgeMs) ms")
                            }
                            if let hb = self.core.adapter.heartbeatFrame, now - lastHeartbeat >= Int64(self.config.heartbeatMs) * 1_000_000 {
                                lastHeartbeat = now
                                try await outbound.write(.text(hb))
                            }
                        case .closed(let why):
                            throw FeedStop(description: why)
                        }
                        if !out.events.isEmpty { await self.sink(out.events) }
                        for f in out.send { try await outbound.write(.text(f)) }
                        if out.gaps > 0 || out.resyncs > 0 {
                            self.core.health.gaps += out.gaps
                            self.core.health.resyncs += out.resyncs
                            if let p = out.problem { self.core.health.lastError = p }
                            self.logger.notice("book resync", metadata: ["venue": "\(self.config.venue)", "why": "\(out.problem ?? "")"])
                        } else if let p = out.problem {
                            self.core.health.lastError = p
                        }
                        if let r = out.reconnect { throw FeedStop(description: "venue asked to reconnect: \(r)") }
                        for symbol in out.snapshotsNeeded where snapshotTasks[symbol] == nil {
                            guard let url = self.core.adapter.snapshotURL(symbol: symbol) else { continue }
                            snapshotTasks[symbol] = Task { await self.fetchSnapshot(symbol: symbol, url: url, feed: feed) }
                        }
                        let state: FeedState = self.core.adapter.allSynced ? .live : .syncing
                        if state != self.core.health.state || out.gaps > 0 || out.resyncs > 0 {
                            self.core.health.state = state
                            await self.onHealth(self.core.health)
                        }
                    }
                }
                defer { feed.finish() }
                try await group.next()
                group.cancelAll()
            }
        }
        feed.finish()
        return core.receivedFrame
    }

    /// Fetches a REST snapshot, retrying with backoff until it arrives or the connection ends.
    private func fetchSnapshot(symbol: String, url: String, feed: AsyncStream<Input>.Continuation) async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                var req = HTTPClientRequest(url: url)
                req.method = .GET
                let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(10))
                let body = try await resp.body.collect(upTo: 64 << 20)
                guard resp.status == .ok else { throw FeedStop(description: "HTTP \(resp.status.code)") }
                feed.yield(.snapshot(symbol, Array(buffer: body), time.nowNanos()))
                return
            } catch {
                feed.yield(.snapshotFailed(symbol, "\(error)"))
            }
            let delay = min(Double(config.backoffMaxMs), Double(config.backoffMinMs) * pow2(attempt)) * Double.random(in: 0.5...1.0)
            attempt += 1
            try? await Task.sleep(for: .milliseconds(Int(delay)))
        }
    }
}

/// The adapter and health of one feed. Only the feed's single processing task (and the runner
/// loop between connections, when that task is gone) touches them, so access is never concurrent.
final class FeedCore: @unchecked Sendable {
    var adapter: any VenueAdapter
    var health: FeedHealth
    var receivedFrame = false
    init(adapter: any VenueAdapter, health: FeedHealth) {
        self.adapter = adapter
        self.health = health
    }
}
