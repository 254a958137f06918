import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Allocates session numbers across transports.
public final class SessionCounter: Sendable {
    private let next = Atomic<Int>(1)
    /// Creates a counter starting at 1.
    public init() {}
    /// The next session id.
    public func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// JSON-RPC over TCP: one child task per connection; stops accepting on graceful shutdown.
public struct TCPServer: Service {
    let host: String
    let port: Int
    let maxLineBytes: Int
    let runner: ConnectionRunner
    let counter: SessionCounter
    let logger: Logger
    let onBound: @Sendable (SocketAddress) -> Void

    /// Creates the server; `onBound` receives the bound address (useful with port 0).
    public init(host: String, port: Int, maxLineBytes: Int, runner: ConnectionRunner, counter: SessionCounter, logger: Logger,
                onBound: @escaping @Sendable (SocketAddress) -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.maxLineBytes = maxLineBytes
        self.runner = runner
        self.counter = counter
        self.logger = logger
        self.onBound = onBound
    }

    /// Binds, logs `listening on HOST:PORT`, and serves until shutdown.
    public func run() async throws {
        let maxLine = maxLineBytes
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture { try ConnectionRunner.wrap(child, maxLineBytes: maxLine) }
            }
        let bound = server.channel.localAddress!
        logger.info("listening on \(bound.ipAddress ?? host):\(bound.port ?? port)")
        onBound(bound)
        let open = OpenChannels()
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await conn in inbound {
                        let id = counter.take()
                        let peer = conn.channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
                        let key = ObjectIdentifier(conn.channel)
                        open.add(key, conn.channel)
                        group.addTask {
                            await runner.run(conn, id: id, transport: "tcp", peer: peer)
                            open.remove(key)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
            open.closeAll()
        }
    }
}

/// Live connections, so graceful shutdown can close them.
final class OpenChannels: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])
    func add(_ key: ObjectIdentifier, _ ch: any Channel) { channels.withLock { $0[key] = ch } }
    func remove(_ key: ObjectIdentifier) { channels.withLock { _ = $0.removeValue(forKey: key) } }
    func closeAll() { for ch in channels.withLock({ Array($0.values) }) { ch.close(promise: nil) } }
}
