import AlephRPC
import Logging
import NIOCore

/// Serves one attached client: reads framed lines, runs them on the engine, and writes the
/// outbox. Reading pauses while too many answers wait (TCP back-pressure reaches the client);
/// a client that stops reading is closed once its outbox overflows, never slowing the engine.
public struct ConnectionRunner: Sendable {
    let engine: Engine
    let logger: Logger
    let maxQueued: Int

    /// Creates a runner.
    public init(engine: Engine, logger: Logger, maxQueued: Int = 8192) {
        self.engine = engine
        self.logger = logger
        self.maxQueued = maxQueued
    }

    /// Runs until the client hangs up (or stdin closes); then flushes and returns.
    public func run(_ channel: NIOAsyncChannel<InboundFrame, ByteBuffer>, id: Int, transport: String, peer: String) async {
        let raw = channel.channel
        let outbox = Outbox(maxQueued: maxQueued, onOverflow: { reason in
            var bytes: [UInt8] = []
            RPCEnvelope.writeError(id: .null, error: .app(.slowConsumer, reason), into: &bytes)
            bytes.append(0x0A)
            let message = ByteBuffer(bytes: bytes)
            raw.eventLoop.execute {
                raw.writeAndFlush(message, promise: nil)
                raw.close(promise: nil)
            }
        }, onHangUp: { _ in
            // Stop reading: the request loop ends, queued answers are written, then the channel closes.
            raw.eventLoop.execute { raw.close(mode: .input, promise: nil) }
        })
        // A channel closed from outside (peer reset, shutdown) also wakes a reader paused for space.
        raw.closeFuture.whenComplete { _ in outbox.close(reason: "closed") }
        let session = Session(id: id, transport: transport, peer: peer, outbox: outbox)
        let log = logger.with("session", "\(id)").with("peer", peer)
        log.debug("session opened")
        await engine.register(session)
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // Batches go out through the channel's writer (pipelined, with its
                        // back-pressure). At the end one last write straight to the channel is awaited:
                        // channel writes complete in order, so when it completes everything before it
                        // reached the socket or pipe, and closing the channel drops nothing.
                        do {
                            while let batch = await outbox.nextBatch() {
                                try await outbound.write(ByteBuffer(bytes: batch))
                            }
                            try await raw.writeAndFlush(ByteBuffer()).get()
                        } catch {
                            // The peer is gone: wake a reader paused for space so the session ends.
                            outbox.close(reason: "write failed: \(error)")
                        }
                    }
                    do {
                        for try await frame in inbound {
                            await outbox.waitForSpace()
                            if outbox.closedReason != nil { break }
                            if let reason = outbox.hangUpReason {
                                log.warning("closing the connection", metadata: ["reason": "\(reason)"])
                                break
                            }
                            switch frame {
                            case .tooLong(let limit):
                                var out: [UInt8] = []
                                RPCEnvelope.writeError(id: .null, error: .invalidRequest(
                                    "line longer than \(limit) bytes; it was discarded", code: "line_too_long",
                                    extra: [JSONMember("limit", .int(limit))]), into: &out)
                                outbox.push(out)
                            case .line(let buffer):
                                if ConnectionRunner.isBlank(buffer) { continue }
                                let message = buffer.withUnsafeReadableBytes { RPCEnvelope.decode($0) }
                                await engine.execute(message, session: session)
                            }
                        }
                    } catch {
                        log.debug("read ended", metadata: ["error": "\(error)"])
                    }
                    await engine.settle(outbox)
                    outbox.finish()
                    try await group.waitForAll()
                }
            }
        } catch {
            log.debug("connection ended", metadata: ["error": "\(error)"])
        }
        outbox.close(reason: "closed")
        await engine.unregister(session)
        if let reason = outbox.closedReason, reason != "closed" { log.warning("session closed", metadata: ["reason": "\(reason)"]) }
        log.debug("session closed")
    }

    /// Adds line framing to a fresh channel and wraps it for `run` (stdio and TCP alike).
    static func wrap(_ channel: any Channel, maxLineBytes: Int) throws -> NIOAsyncChannel<InboundFrame, ByteBuffer> {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLineBytes: maxLineBytes)))
        return try NIOAsyncChannel<InboundFrame, ByteBuffer>(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
    }

    static func isBlank(_ b: ByteBuffer) -> Bool {
        b.readableBytesView.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}

extension Logger {
    func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy[metadataKey: key] = "\(value)"
        return copy
    }
}
