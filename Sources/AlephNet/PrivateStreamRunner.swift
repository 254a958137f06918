import AlephCore
import AlephVenueKit
import Logging
import NIOCore
import WSClient

/// What one private-stream frame asks of the runner.
public struct PrivateStreamOutput: Sendable {
    /// Events for the engine, in order.
    public var events: [ExecutionEvent] = []
    /// Frames to send (a subscription after a login, a pong).
    public var send: [String] = []
    /// The stream is now subscribed: events flow (the runner reports `streamUp` once per connection).
    public var ready = false
    /// The venue asked us to reconnect, or refused us: close and start over (after backoff).
    public var reconnect: String?
    /// An empty output.
    public init() {}
}

/// One venue's private-stream protocol over one connection: login and subscription frames,
/// heartbeat, and the pure translation of frames into execution events.
public protocol PrivateStreamProtocol: Sendable {
    /// Socket URL.
    var url: String { get }
    /// Our heartbeat period (ms), 0 when the venue pings us.
    var heartbeatMs: Int { get }
    /// No frame for this long: the socket is dead, reconnect (ms).
    var idleTimeoutMs: Int { get }
    /// Frames sent right after connecting (signed with `nowMs`).
    mutating func openingFrames(nowMs: Int64) -> [String]
    /// Our heartbeat frame, if the venue wants one.
    func heartbeatFrame(nowMs: Int64) -> String?
    /// Handles one text frame.
    mutating func onFrame(_ text: String, nowMs: Int64) -> PrivateStreamOutput
}

/// Runs a venue's private stream forever: connect, log in and subscribe, keep the heartbeat,
/// watch for a silent socket, hand every event to `sink` in order, and after any failure report
/// `streamDown`, back off with jitter and reconnect. `streamUp` after each (re)subscription tells
/// the engine to catch up on what the gap may have hidden.
public struct PrivateStreamRunner<P: PrivateStreamProtocol>: Sendable {
    let proto: P
    let backoffMinMs: Int
    let backoffMaxMs: Int
    let time: any TimeSource
    let logger: Logger
    let venue: String

    /// Creates a runner.
    public init(venue: String, protocol proto: P, backoffMinMs: Int, backoffMaxMs: Int, time: any TimeSource, logger: Logger) {
        self.venue = venue
        self.proto = proto
        self.backoffMinMs = backoffMinMs
        self.backoffMaxMs = backoffMaxMs
        self.time = time
        self.logger = logger
    }

    enum Input: Sendable {
        case frame(String)
        case tick
        case closed(String)
    }

    /// Runs until cancelled.
    public func run(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async {
        var attempt = 0
        while !Task.isCancelled {
            var wasReady = false
            do {
                wasReady = try await connectOnce(sink: sink)
            } catch is CancellationError {
                break
            } catch {
                logger.warning("private stream ended", metadata: ["venue": "\(venue)", "error": "\(error)"])
                await sink(.streamDown("\(error)"))
            }
            if Task.isCancelled { break }
            if wasReady { attempt = 0 }
            let base = min(Double(backoffMaxMs), Double(backoffMinMs) * Double(1 << min(attempt, 20)))
            attempt += 1
            try? await Task.sleep(for: .milliseconds(Int(base * Double.random(in: 0.5...1.0))))
        }
    }

    private func connectOnce(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async throws -> Bool {
        let p = ProtoBox(proto)
        let (inputs, feed) = AsyncStream<Input>.makeStream(bufferingPolicy: .unbounded)
        var wsConfig = WebSocketClientConfiguration(maxFrameSize: 1 << 24)
        wsConfig.closeTimeout = .seconds(2)
        let box = ReadyBox()
        // The socket layer traces frame bytes; a private stream's frames carry signed logins, so
        // it never logs below info whatever the gateway's level.
        var wsLogger = logger
        if wsLogger.logLevel < .info { wsLogger.logLevel = .info }
        try await WebSocketClient.connect(url: p.value.url, configuration: wsConfig, logger: wsLogger) { inbound, outbound, _ in
            for f in p.value.openingFrames(nowMs: self.time.nowNanos() / 1_000_000) { try await outbound.write(.text(f)) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        if case .text(let s) = message { feed.yield(.frame(s)) }
                    }
                    feed.yield(.closed("the venue closed the private stream"))
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(100))
                        feed.yield(.tick)
                    }
                }
                group.addTask {
                    var lastFrame = self.time.nowNanos()
                    var lastHeartbeat = lastFrame
                    for await input in inputs {
                        let now = self.time.nowNanos()
                        switch input {
                        case .frame(let text):
                            lastFrame = now
                            let out = p.value.onFrame(text, nowMs: now / 1_000_000)
                            for f in out.send { try await outbound.write(.text(f)) }
                            if out.ready && !box.ready {
                                box.ready = true
                                await sink(.streamUp)
                            }
                            for e in out.events { await sink(e) }
                            if let why = out.reconnect { throw FeedStop(description: why) }
                        case .tick:
                            if p.value.idleTimeoutMs > 0, now - lastFrame > Int64(p.value.idleTimeoutMs) * 1_000_000 {
                                throw FeedStop(description: "private stream silent for \(p.value.idleTimeoutMs) ms")
                            }
                            if p.value.heartbeatMs > 0, now - lastHeartbeat >= Int64(p.value.heartbeatMs) * 1_000_000, let hb = p.value.heartbeatFrame(nowMs: now / 1_000_000) {
                                lastHeartbeat = now
                                try await outbound.write(.text(hb))
                            }
                        case .closed(let why):
                            throw FeedStop(description: why)
                        }
                    }
                }
                defer { feed.finish() }
                try await group.next()
                group.cancelAll()
            }
        }
        feed.finish()
        if box.ready { await sink(.streamDown("private stream closed")) }
        return box.ready
    }
}

/// The protocol state of one connection (touched by one task at a time: the opening, then the processing task).
final class ProtoBox<P>: @unchecked Sendable {
    var value: P
    init(_ v: P) { value = v }
}

/// Whether this connection reached `ready` (touched by the connection's single processing task).
final class ReadyBox: @unchecked Sendable {
    var ready = false
}
