import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// JSON-RPC over stdin/stdout. Nothing else is ever written to stdout. Returns when stdin closes.
public struct StdioServer: Service {
    let maxLineBytes: Int
    let runner: ConnectionRunner
    let counter: SessionCounter
    let logger: Logger

    /// Creates the stdio transport.
    public init(maxLineBytes: Int, runner: ConnectionRunner, counter: SessionCounter, logger: Logger) {
        self.maxLineBytes = maxLineBytes
        self.runner = runner
        self.counter = counter
        self.logger = logger
    }

    /// Serves the single stdio session until stdin reaches end of file.
    public func run() async throws {
        let maxLine = maxLineBytes
        let bridge = try StdioBridge()
        let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .takingOwnershipOfDescriptors(input: bridge.input, output: bridge.output) { ch in
                ch.eventLoop.makeCompletedFuture { try ConnectionRunner.wrap(ch, maxLineBytes: maxLine) }
            }
        logger.info("serving JSON-RPC on stdio")
        await runner.run(channel, id: counter.take(), transport: "stdio", peer: "stdio")
        bridge.finish()
        logger.info("stdin closed")
    }
}
