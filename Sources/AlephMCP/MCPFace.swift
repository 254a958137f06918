import AlephGateway
import AlephRPC
import Foundation
import Logging
import MCP
import Synchronization

/// Serves the gateway over the Model Context Protocol with the official MCP SDK: the curated
/// tools of `MCPCatalog` (schemas from `schemas/`), the resources of `MCPResources` with
/// subscriptions, and every call executed by the engine through one `EngineBridge` session.
public final class MCPFace: Sendable {
    let engine: Engine
    let bridge: EngineBridge
    let server: Server
    let logger: Logger
    /// Subscription ids by resource URI (for `resources/unsubscribe`).
    let subscriptions = Mutex<[String: String]>([:])
    /// Calls being answered (waited for when the client closes its input).
    let inFlight = Atomic<Int>(0)
    /// The task reading what the engine sends the session.
    let pump = Mutex<Task<Void, Never>?>(nil)

    /// Creates the face for one MCP client (session `sessionId` on the engine).
    public init(engine: Engine, sessionId: Int, logger: Logger) {
        self.engine = engine
        self.logger = logger
        let server = Server(name: "alephtx", version: OpenRPC.version, title: "AlephTX trading gateway",
                            instructions: MCPFace.instructions,
                            capabilities: .init(resources: .init(subscribe: true, listChanged: false), tools: .init(listChanged: false)))
        self.server = server
        bridge = EngineBridge(engine: engine, sessionId: sessionId) { method, params in
            guard let data = params["data"], let uri = MCPResources.uri(channel: method, data: data) else { return }
            let meta: [String: Value] = ["alephtx/channel": .string(method), "alephtx/event": ValueCoding.value(data)]
            try? await server.notify(ResourceUpdatedEvent.message(.init(uri: uri, _meta: meta)))
        }
    }

    static let instructions = """
        AlephTX trades spot, perpetual and prediction markets on several venues through one gateway with a risk gate \
        and a durable ledger. Read instruments and books first; preview_signal checks a trade without placing it; \
        place_signal places it (intent_id makes retries safe). Prices and quantities are decimal strings. \
        Errors carry a stable code in error.data.code. Arm set_deadman so your orders are cancelled if you go silent.
        """

    /// Serves until the client closes the transport; then waits for calls in flight, detaches
    /// the session (its dead-man's switch fires if armed with on_disconnect = cancel) and returns.
    public func run(transport inner: any Transport) async throws {
        try await start(transport: inner)
        await finish()
    }

    /// Attaches the engine session and starts serving on `inner` (every message re-arms the
    /// session's dead-man's switch).
    public func start(transport inner: any Transport) async throws {
        let bridge = self.bridge
        pump.withLock { $0 = Task { await bridge.run() } }
        await registerHandlers()
        let transport = TouchingTransport(inner, logger: logger) { await bridge.touch() }
        try await server.start(transport: transport)
        logger.info("serving MCP", metadata: ["tools": "\(MCPCatalog.tools.count)", "session": "\(bridge.session.id)"])
    }

    /// Waits until the client is gone, answers what it already asked, and detaches the session.
    public func finish() async {
        await server.waitUntilCompleted()
        // Answers to calls already read still go out.
        let deadline = ContinuousClock.now + .seconds(10)
        while inFlight.load(ordering: .acquiring) > 0 && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        await bridge.close()
        await pump.withLock({ $0 })?.value
        await server.stop()
        logger.info("MCP client closed", metadata: ["session": "\(bridge.session.id)"])
    }

    /// Runs one engine call for a handler, counted as in flight.
    func call(_ method: String, _ params: JSON) async -> EngineBridge.Answer {
        inFlight.add(1, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .releasing) }
        return await bridge.call(method, params)
    }

    func registerHandlers() async {
        let tools = MCPCatalog.tools.map(MCPFace.tool)
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { [self] params in await callTool(params) }
        await server.withMethodHandler(ListResources.self) { _ in
            ListResources.Result(resources: MCPResources.fixed.map {
                Resource(name: $0.name, uri: $0.uri, description: $0.description, mimeType: "application/json")
            })
        }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            ListResourceTemplates.Result(templates: [
                Resource.Template(uriTemplate: MCPResources.bookTemplate, name: "book",
                                  description: "Order book of one instrument (get_book); subscribe for every update.", mimeType: "application/json"),
            ])
        }
        await server.withMethodHandler(ReadResource.self) { [self] params in
            guard let entry = MCPResources.entry(params.uri) else { throw MCPError.invalidParams("unknown resource \(params.uri)") }
            switch await call(entry.method, entry.params) {
            case .result(let r):
                return ReadResource.Result(contents: [.text(ValueCoding.text(r), uri: params.uri, mimeType: "application/json")])
            case .error(let e):
                throw MCPError.invalidParams(e["message"]?.stringValue ?? "cannot read \(params.uri)")
            }
        }
        await server.withMethodHandler(ResourceSubscribe.self) { [self] params in
            guard let entry = MCPResources.entry(params.uri), let channel = entry.channel else {
                throw MCPError.invalidParams("\(params.uri) cannot be subscribed to (subscribable: orders, fills, positions, risk, book/{instrument})")
            }
            if subscriptions.withLock({ $0[params.uri] }) != nil { return Empty() }
            var p = [JSONMember("channel", .string(channel))]
            if let instrument = entry.params["instrument"] { p.append(JSONMember("instrument", instrument)) }
            switch await call("subscribe", .object(p)) {
            case .result(let r):
                if let id = r["subscription"]?.stringValue { subscriptions.withLock { $0[params.uri] = id } }
                return Empty()
            case .error(let e):
                throw MCPError.invalidParams(e["message"]?.stringValue ?? "cannot subscribe to \(params.uri)")
            }
        }
        await server.withMethodHandler(ResourceUnsubscribe.self) { [self] params in
            guard let id = subscriptions.withLock({ $0.removeValue(forKey: params.uri) }) else { return Empty() }
            _ = await call("unsubscribe", .object([JSONMember("subscription", .string(id))]))
            return Empty()
        }
    }

    /// `tools/call`: the tool's method on the engine; its result as structured content (and as
    /// text for hosts that read only text), or the JSON-RPC error object with `isError`.
    func callTool(_ params: CallTool.Parameters) async -> CallTool.Result {
        guard let spec = MCPCatalog.tool(named: params.name) else {
            let error = JSON.object([JSONMember("code", .int(-32601)), JSONMember("message", .string("unknown tool '\(params.name)'")),
                                     JSONMember("data", .object([JSONMember("code", .string("unknown_tool"))]))])
            return CallTool.Result(content: [.text(text: ValueCoding.text(.object([JSONMember("error", error)])), annotations: nil, _meta: nil)], isError: true)
        }
        var members: [JSONMember] = []
        for (k, v) in (params.arguments ?? [:]).sorted(by: { $0.key < $1.key }) where !spec.fixed.contains(where: { $0.key == k }) {
            members.append(JSONMember(k, ValueCoding.json(v)))
        }
        if spec.fixed.contains(where: { f in params.arguments?[f.key] != nil }) {
            let names = spec.fixed.map(\.key).joined(separator: ", ")
            let error = JSON.object([JSONMember("code", .int(-32602)), JSONMember("message", .string("\(spec.name) sets \(names) itself; leave it out")),
                                     JSONMember("data", .object([JSONMember("code", .string("invalid_params")), JSONMember("field", .string(spec.fixed[0].key))]))])
            return CallTool.Result(content: [.text(text: ValueCoding.text(.object([JSONMember("error", error)])), annotations: nil, _meta: nil)], isError: true)
        }
        members.append(contentsOf: spec.fixed)
        switch await call(spec.method, .object(members)) {
        case .result(let r):
            return CallTool.Result(content: [.text(text: ValueCoding.text(r), annotations: nil, _meta: nil)], structuredContent: Optional<Value>.some(ValueCoding.value(r)), isError: false)
        case .error(let e):
            return CallTool.Result(content: [.text(text: ValueCoding.text(.object([JSONMember("error", e)])), annotations: nil, _meta: nil)], isError: true)
        }
    }

    /// The MCP description of a tool.
    static func tool(_ spec: MCPToolSpec) -> Tool {
        Tool(name: spec.name, title: spec.title, description: spec.description,
             inputSchema: ValueCoding.value(spec.inputSchema ?? .object([JSONMember("type", .string("object"))])),
             annotations: .init(title: spec.title, readOnlyHint: spec.readOnly, destructiveHint: spec.destructive,
                                idempotentHint: spec.idempotent, openWorldHint: spec.openWorld),
             outputSchema: spec.outputSchema.map(ValueCoding.value))
    }
}

/// `notifications/resources/updated` with the event itself in `_meta` (`alephtx/channel`,
/// `alephtx/event`), so a client needs no read to learn what changed.
struct ResourceUpdatedEvent: MCP.Notification {
    static let name = "notifications/resources/updated"
    struct Parameters: Hashable, Codable, Sendable {
        let uri: String
        let _meta: [String: Value]?
    }
}
