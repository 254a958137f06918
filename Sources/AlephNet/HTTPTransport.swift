import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP request, built by a venue's pure request builder.
public struct HTTPRequestSpec: Sendable, Equatable {
    /// `GET`, `POST`, `DELETE`, `PUT`.
    public var method: String
    /// Full URL including the query string.
    public var url: String
    /// Headers (signatures included; never logged).
    public var headers: [(String, String)]
    /// Body bytes, if any.
    public var body: [UInt8]?

    /// Creates a request.
    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// Equal when method, URL, headers and body are.
    public static func == (a: HTTPRequestSpec, b: HTTPRequestSpec) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body && a.headers.elementsEqual(b.headers, by: { $0 == $1 })
    }
}

/// A complete HTTP answer.
public struct HTTPReply: Sendable {
    /// Status code.
    public var status: Int
    /// Response headers (names lowercased).
    public var headers: [String: String]
    /// Body bytes.
    public var body: [UInt8]

    /// Creates a reply.
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A header by lowercase name.
    public func header(_ name: String) -> String? { headers[name] }
}

/// What became of a request, from the point of view of "could it have reached the venue?".
public enum HTTPOutcome: Sendable {
    /// A complete answer arrived.
    case reply(HTTPReply)
    /// It failed before the request could have been written (connection refused, DNS, connect
    /// timeout): the venue never saw it.
    case notSent(String)
    /// It may have been written and no complete answer came (timeout, reset, closed mid-answer):
    /// the outcome at the venue is unknown.
    case unknown(String)
}

/// Anything that can carry a venue's REST request (the real transport; a benchmark's loopback sink).
public protocol HTTPSending: Sendable {
    /// Sends one request and waits at most `timeout` for the complete answer (starting on the
    /// caller's executor: an in-process sink answers without a thread hop).
    nonisolated(nonsending) func send(_ r: HTTPRequestSpec, timeout: Duration, maxBody: Int) async -> HTTPOutcome
}

/// Venue-free HTTP for REST calls: one shared client (connection pooling, one NIO event loop
/// group with the WebSockets and the TCP server), explicit timeouts, and an answer that says
/// whether a failed request could have reached the venue.
public struct HTTPTransport: HTTPSending {
    private let client: HTTPClient

    /// Uses the process-wide shared client.
    public init() { client = HTTPClient.shared }

    /// Sends one request and waits at most `timeout` for the complete answer.
    public nonisolated(nonsending) func send(_ r: HTTPRequestSpec, timeout: Duration, maxBody: Int = 32 << 20) async -> HTTPOutcome {
        var req = HTTPClientRequest(url: r.url)
        req.method = HTTPMethod(rawValue: r.method)
        for (k, v) in r.headers { req.headers.add(name: k, value: v) }
        if let body = r.body { req.body = .bytes(ByteBuffer(bytes: body)) }
        let ms = Int64(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        do {
            let resp = try await client.execute(req, timeout: .milliseconds(max(1, ms)))
            let body = try await resp.body.collect(upTo: maxBody)
            var headers: [String: String] = [:]
            for h in resp.headers { headers[h.name.lowercased()] = h.value }
            return .reply(HTTPReply(status: Int(resp.status.code), headers: headers, body: Array(buffer: body)))
        } catch {
            return HTTPTransport.classify(error)
        }
    }

    /// Connect-phase failures are `notSent`; anything else may have reached the venue.
    static func classify(_ error: any Error) -> HTTPOutcome {
        let text = "\(error)"
        if let e = error as? HTTPClientError {
            let before: [HTTPClientError] = [.connectTimeout, .invalidURL, .emptyHost, .emptyScheme, .tlsHandshakeTimeout, .alreadyShutdown,
                                             .getConnectionFromPoolTimeout]
            return before.contains(e) ? .notSent(text) : .unknown(text)
        }
        if error is NIOConnectionError { return .notSent(text) }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return .notSent(text) }
        if text.contains("connectionRefused") || text.contains("Connection refused") { return .notSent(text) }
        return .unknown(text)
    }

    /// A GET whose answer must be 200; throws with what went wrong otherwise (metadata, snapshots).
    public func get(_ url: String, timeout: Duration) async throws -> [UInt8] {
        switch await send(HTTPRequestSpec(method: "GET", url: url), timeout: timeout) {
        case .reply(let r) where r.status == 200: return r.body
        case .reply(let r): throw HTTPFailure(description: "\(url) answered HTTP \(r.status)")
        case .notSent(let why), .unknown(let why): throw HTTPFailure(description: "\(url): \(why)")
        }
    }
}

extension HTTPTransport {
    /// A JSON POST whose answer must be 200 (Hyperliquid's `/info` queries).
    public func post(_ url: String, json: String, timeout: Duration) async throws -> [UInt8] {
        let spec = HTTPRequestSpec(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        switch await send(spec, timeout: timeout) {
        case .reply(let r) where r.status == 200: return r.body
        case .reply(let r): throw HTTPFailure(description: "\(url) answered HTTP \(r.status)")
        case .notSent(let why), .unknown(let why): throw HTTPFailure(description: "\(url): \(why)")
        }
    }
}

/// A failed GET.
public struct HTTPFailure: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var description: String
    /// Creates a failure.
    public init(description: String) { self.description = description }
}
