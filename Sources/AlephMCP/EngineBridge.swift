import AlephGateway
import AlephRPC
import Synchronization

/// The MCP face's one session on the engine: MCP tool calls become JSON-RPC requests executed by
/// the same engine, under the same rules (durable answers, stable error codes, risk, the
/// dead-man's switch) as any other client; notifications for its subscriptions come back here.
public final class EngineBridge: Sendable {
    /// A JSON-RPC answer: the result, or the error object (`code`, `message`, `data`).
    public enum Answer: Sendable {
        /// The method's result.
        case result(JSON)
        /// The JSON-RPC error object.
        case error(JSON)
    }

    let engine: Engine
    /// The engine session of the MCP client.
    public let session: Session
    private let pending = Mutex<[Int: CheckedContinuation<Answer, Never>]>([:])
    private let nextId = Atomic<Int>(1)
    private let onNotification: @Sendable (String, JSON) async -> Void

    /// Creates the bridge; `onNotification(method, params)` receives every notification.
    public init(engine: Engine, sessionId: Int, onNotification: @escaping @Sendable (String, JSON) async -> Void) {
        self.engine = engine
        let outbox = Outbox(maxQueued: 1 << 20, onOverflow: { _ in })
        session = Session(id: sessionId, transport: "mcp", peer: "mcp", outbox: outbox)
        self.onNotification = onNotification
    }

    /// Attaches the session and reads what the engine sends it until `close()`.
    public func run() async {
        await engine.register(session)
        while let batch = await session.outbox.nextBatch() {
            for line in batch.split(separator: 0x0A, omittingEmptySubsequences: true) {
                guard let message = try? JSONParser.parse(Array(line)) else { continue }
                if let id = message["id"]?.intValue, message["method"] == nil {
                    let answer: Answer = message["error"].map { .error($0) } ?? .result(message["result"] ?? .null)
                    pending.withLock { $0.removeValue(forKey: id) }?.resume(returning: answer)
                } else if let method = message["method"]?.stringValue {
                    await onNotification(method, message["params"] ?? .null)
                }
            }
        }
        // Nothing more will answer: whoever still waits gets an error.
        for c in pending.withLock({ p in defer { p.removeAll() }; return Array(p.values) }) {
            c.resume(returning: .error(.object([JSONMember("code", .int(-32603)), JSONMember("message", .string("the gateway is shutting down"))])))
        }
    }

    /// Detaches the session (its dead-man's switch fires if so configured) and ends `run`.
    public func close() async {
        await engine.unregister(session)
        session.outbox.finish()
    }

    /// Calls a method on the engine and waits for its (durable) answer.
    public func call(_ method: String, _ params: JSON) async -> Answer {
        let id = nextId.wrappingAdd(1, ordering: .relaxed).oldValue
        var line: [UInt8] = []
        JSONWriter.write(.object([JSONMember("jsonrpc", .string("2.0")), JSONMember("id", .int(id)), JSONMember("method", .string(method)),
                                  JSONMember("params", params)]), into: &line)
        let message = line.withUnsafeBytes { RPCEnvelope.decode($0) }
        return await withCheckedContinuation { (c: CheckedContinuation<Answer, Never>) in
            pending.withLock { $0[id] = c }
            Task { await engine.execute(message, session: session) }
        }
    }

    /// Re-arms the session's dead-man's switch (any MCP message counts).
    public func touch() async { await engine.touch(session: session.id) }
}
