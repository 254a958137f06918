import AlephGateway
import Foundation
import Logging
import MCP
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// MCP over Streamable HTTP on a loopback address (`alephtx mcp --http HOST:PORT`), endpoint
/// `/mcp`: NIO reads each request whole and writes the SDK transport's answer — JSON, or an SSE
/// stream chunk by chunk. The SDK validates Origin (localhost only), Accept, Content-Type,
/// protocol version and session.
public struct MCPHTTPServer: Service {
    let host: String
    let port: Int
    let sessions: MCPHTTPSessions
    let logger: Logger
    /// Longest request body accepted.
    static let maxBody = 4 << 20

    /// Creates the server.
    public init(host: String, port: Int, sessions: MCPHTTPSessions, logger: Logger) {
        self.host = host
        self.port = port
        self.sessions = sessions
        self.logger = logger
    }

    /// Binds, logs `MCP over HTTP on http://HOST:PORT/mcp`, serves until shutdown.
    public func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        let bound = server.channel.localAddress!
        logger.info("MCP over HTTP on http://\(bound.ipAddress ?? host):\(bound.port ?? port)/mcp")
        let sessions = self.sessions
        let logger = self.logger
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await conn in inbound {
                        group.addTask { await MCPHTTPServer.serve(conn, sessions: sessions, logger: logger) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
            Task { await sessions.closeAll() }
        }
    }

    /// One keep-alive connection: request after request.
    static func serve(_ conn: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, sessions: MCPHTTPSessions, logger: Logger) async {
        do {
            try await conn.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        head = h
                        body.clear()
                    case .body(var b):
                        if body.readableBytes + b.readableBytes <= maxBody { body.writeBuffer(&b) }
                    case .end:
                        guard let h = head else { continue }
                        head = nil
                        try await answer(h, body: body, sessions: sessions, outbound: outbound)
                    }
                }
            }
        } catch {
            logger.debug("MCP HTTP connection ended", metadata: ["error": "\(error)"])
        }
    }

    static func answer(_ head: HTTPRequestHead, body: ByteBuffer, sessions: MCPHTTPSessions,
                       outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
        let response: HTTPResponse
        if path != "/mcp" {
            response = .error(statusCode: 404, .invalidRequest("the MCP endpoint is /mcp"))
        } else if body.readableBytes >= maxBody {
            response = .error(statusCode: 413, .invalidRequest("request body over \(maxBody) bytes"))
        } else {
            var headers: [String: String] = [:]
            for (k, v) in head.headers { headers[k] = headers[k].map { "\($0), \(v)" } ?? v }
            let request = HTTPRequest(method: head.method.rawValue, headers: headers,
                                      body: body.readableBytes > 0 ? Data(body.readableBytesView) : nil, path: path)
            response = await sessions.handle(request)
        }
        var h = HTTPHeaders()
        for (k, v) in response.headers { h.add(name: k, value: v) }
        let status = HTTPResponseStatus(statusCode: response.statusCode)
        switch response {
        case .stream(let stream, _):
            h.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            try await outbound.write(.head(HTTPResponseHead(version: head.version, status: status, headers: h)))
            do {
                for try await chunk in stream { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk)))) }
            } catch {}
            try await outbound.write(.end(nil))
        default:
            let data = response.bodyData ?? Data()
            h.replaceOrAdd(name: "Content-Length", value: String(data.count))
            try await outbound.write(.head(HTTPResponseHead(version: head.version, status: status, headers: h)))
            if !data.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: data)))) }
            try await outbound.write(.end(nil))
        }
    }
}
