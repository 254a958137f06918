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

/// Line-delimited JSON-RPC on a listening socket (TCP, or a Unix-domain socket): one child task
/// per connection; stops accepting on graceful shutdown.
public struct TCPServer: Service {
    /// Where to listen.
    public enum Endpoint: Sendable {
        /// A TCP address (port 0 picks a free port).
        case tcp(host: String, port: Int)
        /// A Unix-domain socket file (mode 0600; a stale file is replaced, a live one refused).
        case unix(path: String)
    }

    let endpoint: Endpoint
    let maxLineBytes: Int
    let runner: ConnectionRunner
    let counter: SessionCounter
    let logger: Logger
    let onBound: @Sendable (SocketAddress) -> Void

    /// Creates a TCP server; `onBound` receives the bound address (useful with port 0).
    public init(host: String, port: Int, maxLineBytes: Int, runner: ConnectionRunner, counter: SessionCounter, logger: Logger,
                onBound: @escaping @Sendable (SocketAddress) -> Void = { _ in }) {
        self.init(endpoint: .tcp(host: host, port: port), maxLineBytes: maxLineBytes, runner: runner, counter: counter, logger: logger, onBound: onBound)
    }

    /// Creates a server on any endpoint.
    public init(endpoint: Endpoint, maxLineBytes: Int, runner: ConnectionRunner, counter: SessionCounter, logger: Logger,
                onBound: @escaping @Sendable (SocketAddress) -> Void = { _ in }) {
        self.endpoint = endpoint
        self.maxLineBytes = maxLineBytes
        self.runner = runner
        self.counter = counter
        self.logger = logger
        self.onBound = onBound
    }

    /// Binds, logs `listening on …`, and serves until shutdown.
    public func run() async throws {
        let maxLine = maxLineBytes
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let server: NIOAsyncChannel<NIOAsyncChannel<InboundFrame, ByteBuffer>, Never>
        let transport: String
        switch endpoint {
        case .tcp(let host, let port):
            transport = "tcp"
            server = try await bootstrap
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: host, port: port) { child in
                    child.eventLoop.makeCompletedFuture { try ConnectionRunner.wrap(child, maxLineBytes: maxLine) }
                }
            let bound = server.channel.localAddress!
            logger.info("listening on \(bound.ipAddress ?? host):\(bound.port ?? port)")
        case .unix(let path):
            transport = "unix"
            try UnixSocketFile.removeIfStale(path)
            server = try await UnixSocketFile.privately {
                try await bootstrap.bind(unixDomainSocketPath: path) { child in
                    child.eventLoop.makeCompletedFuture { try ConnectionRunner.wrap(child, maxLineBytes: maxLine) }
                }
            }
            logger.info("listening on unix:\(path)")
        }
        onBound(server.channel.localAddress!)
        let open = OpenChannels()
        defer { if case .unix(let path) = endpoint { UnixSocketFile.remove(path) } }
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await conn in inbound {
                        let id = counter.take()
                        let peer: String
                        if transport == "tcp" {
                            peer = conn.channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
                        } else {
                            peer = "unix"
                        }
                        let key = ObjectIdentifier(conn.channel)
                        open.add(key, conn.channel)
                        group.addTask {
                            await runner.run(conn, id: id, transport: transport, peer: peer)
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
