import AlephCrypto
import AlephNet
import AlephRPC
import BigInt

/// Ethereum JSON-RPC over HTTP: one request per call, typed answers, errors that say whether the
/// request could have reached the node.
public struct EVMRPC: Sendable {
    let url: String
    let http: any HTTPSending
    let timeout: Duration

    /// A client for `url`.
    public init(url: String, http: any HTTPSending = HTTPTransport(), timeout: Duration = .seconds(10)) {
        self.url = url
        self.http = http
        self.timeout = timeout
    }

    /// Calls `method`; the `result` member, or the node's error.
    public func call(_ method: String, _ params: [JSON]) async throws(EVMError) -> JSON {
        let body = JSONWriter.bytes(.object([JSONMember("jsonrpc", .string("2.0")), JSONMember("id", .int(1)),
                                             JSONMember("method", .string(method)), JSONMember("params", .array(params))]))
        let outcome = await http.send(HTTPRequestSpec(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: body),
                                      timeout: timeout, maxBody: 64 << 20)
        switch outcome {
        case .notSent(let why): throw .transport(why, maybeSent: false)
        case .unknown(let why): throw .transport(why, maybeSent: true)
        case .reply(let r):
            guard r.status == 200 else { throw .transport("HTTP \(r.status)", maybeSent: true) }
            guard let json = try? JSONParser.parse(r.body) else { throw .garbage("\(method): not JSON") }
            if let e = json["error"] {
                let code = e["code"]?.intValue ?? 0
                let message = e["message"]?.stringValue ?? "?"
                var data: [UInt8]? = nil
                // Revert data: in `data`, nested in `data.data`, or as hex in the message.
                if let d = e["data"]?.stringValue { data = try? Hex.decode(d) } else if let d = e["data"]?["data"]?.stringValue { data = try? Hex.decode(d) }
                throw .node(code: code, message: message, data: data)
            }
            guard let result = json["result"] else { throw .garbage("\(method): no result") }
            return result
        }
    }

    /// A QUANTITY result.
    public func quantity(_ method: String, _ params: [JSON]) async throws(EVMError) -> BigUInt {
        let r = try await call(method, params)
        guard let q = EVMRPC.parseQuantity(r) else { throw .garbage("\(method): \(JSONWriter.string(r)) is not a quantity") }
        return q
    }

    /// `0x…` hex → integer.
    public static func parseQuantity(_ j: JSON?) -> BigUInt? {
        guard let s = j?.stringValue, s.hasPrefix("0x"), s.count > 2, s.count <= 66 else { return nil }
        return BigUInt(s.dropFirst(2), radix: 16)
    }

    /// An integer as a QUANTITY.
    public static func quantity(_ v: BigUInt) -> JSON { .string("0x" + String(v, radix: 16)) }

    /// Bytes as DATA.
    public static func data(_ b: [UInt8]) -> JSON { .string(Hex.encode(b)) }
}
