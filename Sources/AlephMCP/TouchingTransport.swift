import Foundation
import Logging
import MCP

/// Wraps an MCP transport and reports every message that arrives (any message from the client
/// re-arms its dead-man's switch, pings included, which the SDK answers itself).
public actor TouchingTransport: Transport {
    let inner: any Transport
    let onMessage: @Sendable () async -> Void
    /// The inner transport's logger.
    public nonisolated let logger: Logger
    private let stream: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    private var pump: Task<Void, Never>?

    /// Wraps `inner`; `onMessage` runs before each message is handed on.
    public init(_ inner: any Transport, logger: Logger, onMessage: @escaping @Sendable () async -> Void) {
        self.inner = inner
        self.logger = logger
        self.onMessage = onMessage
        (stream, continuation) = AsyncThrowingStream.makeStream()
    }

    /// Connects the inner transport and starts relaying its messages.
    public func connect() async throws {
        try await inner.connect()
        let upstream = await inner.receive()
        let continuation = self.continuation
        let onMessage = self.onMessage
        pump = Task {
            do {
                for try await data in upstream {
                    await onMessage()
                    continuation.yield(data)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    /// Disconnects the inner transport.
    public func disconnect() async { await inner.disconnect() }

    /// Sends through the inner transport.
    public func send(_ data: Data) async throws { try await inner.send(data) }

    /// The relayed messages.
    public func receive() -> AsyncThrowingStream<Data, Swift.Error> { stream }
}
