import AlephGateway
import Foundation
import Logging
import MCP

/// The MCP sessions of the Streamable HTTP face: an `initialize` without a session id opens a
/// new session (its own engine session, `MCPFace` and SDK transport); requests carrying
/// `Mcp-Session-Id` go to theirs; `DELETE` ends one (its dead-man's switch fires if armed with
/// on_disconnect = cancel).
public actor MCPHTTPSessions {
    let engine: Engine
    let counter: SessionCounter
    let logger: Logger
    var sessions: [String: StatefulHTTPServerTransport] = [:]

    /// Creates the table.
    public init(engine: Engine, counter: SessionCounter, logger: Logger) {
        self.engine = engine
        self.counter = counter
        self.logger = logger
    }

    /// Answers one HTTP request to the MCP endpoint.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        if let id = request.header(HTTPHeaderName.sessionID) {
            guard let transport = sessions[id] else {
                return .error(statusCode: 404, .invalidRequest("unknown or ended MCP session"))
            }
            let response = await transport.handleRequest(request)
            if request.method == "DELETE" { sessions[id] = nil }
            return response
        }
        guard request.method == "POST" else {
            return .error(statusCode: 400, .invalidRequest("missing Mcp-Session-Id: initialize first"))
        }
        let id = UUID().uuidString
        let transport = StatefulHTTPServerTransport(sessionIDGenerator: FixedSessionID(id: id), logger: logger)
        let face = MCPFace(engine: engine, sessionId: counter.take(), logger: logger)
        do { try await face.start(transport: transport) } catch {
            return .error(statusCode: 500, .internalError("cannot start the MCP session: \(error)"))
        }
        let response = await transport.handleRequest(request)
        if response.statusCode < 300 {
            sessions[id] = transport
            Task { await face.finish() }
        } else {
            await transport.disconnect()
            await face.finish()
        }
        return response
    }

    /// Ends every session (graceful shutdown).
    public func closeAll() async {
        for t in sessions.values { await t.disconnect() }
        sessions.removeAll()
    }

    /// Sessions open now.
    public var count: Int { sessions.count }
}

/// Hands the SDK transport the session id this table chose.
struct FixedSessionID: SessionIDGenerator {
    let id: String
    func generateSessionID() -> String { id }
}
