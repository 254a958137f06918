import AlephCore
import AlephCrypto
import AlephNet

/// Binance spot REST and WebSocket-API requests, signed (pure: the timestamp is an argument).
///
/// REST: every parameter goes in the query string in the order given, then
/// `signature` = hex HMAC-SHA256(secret, that exact query); the key travels in `X-MBX-APIKEY`.
/// WebSocket API: parameters (with `apiKey`) sorted by name, signed the same way.
public struct BinanceRequests: Sendable {
    /// REST base URL.
    public let restURL: String
    let credentials: VenueCredentials
    /// `recvWindow` sent with trading requests (ms).
    public let recvWindowMs: Int

    /// Creates a builder.
    public init(restURL: String, credentials: VenueCredentials, recvWindowMs: Int) {
        self.restURL = restURL
        self.credentials = credentials
        self.recvWindowMs = recvWindowMs
    }

    /// `key=value&…` in the given order, values percent-encoded outside `[A-Za-z0-9._~-]`.
    public static func query(_ params: [(String, String)]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(192)
        for (k, (key, value)) in params.enumerated() {
            if k > 0 { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: key.utf8)
            out.append(UInt8(ascii: "="))
            escape(value, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    static func escape(_ v: String, into out: inout [UInt8]) {
        for u in v.utf8 {
            switch u {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.append(u)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(u >> 4)])
                out.append(hexDigits[Int(u & 0x0F)])
            }
        }
    }

    static func escape(_ v: String) -> String {
        var out: [UInt8] = []
        escape(v, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A signed REST request: `params` plus `signature`, the key in its header.
    public func signed(_ method: String, _ path: String, _ params: [(String, String)]) -> HTTPRequestSpec {
        let q = BinanceRequests.query(params)
        let sig = RequestSigner.binance(credentials.secret, payload: q)
        return HTTPRequestSpec(method: method, url: "\(restURL)\(path)?\(q)&signature=\(sig)", headers: [("X-MBX-APIKEY", credentials.apiKey)])
    }

    /// `POST /api/v3/order` for one of our orders; `FULL` answers carry the immediate fills.
    public func newOrder(symbol: String, order: Order, timestampMs: Int64) -> HTTPRequestSpec {
        signed("POST", "/api/v3/order", BinanceRequests.orderParams(symbol: symbol, order: order)
            + [("recvWindow", String(recvWindowMs)), ("timestamp", String(timestampMs))])
    }

    /// The order's own parameters (shared by REST and the WebSocket API).
    public static func orderParams(symbol: String, order: Order) -> [(String, String)] {
        var p: [(String, String)] = [("symbol", symbol), ("side", order.side == .buy ? "BUY" : "SELL")]
        switch order.type {
        case .market:
            p.append(("type", "MARKET"))
            p.append(("quantity", order.quantity.description))
        case .limit:
            if order.postOnly {
                p.append(("type", "LIMIT_MAKER"))
            } else {
                p.append(("type", "LIMIT"))
                p.append(("timeInForce", order.timeInForce.rawValue.uppercased()))
            }
            p.append(("quantity", order.quantity.description))
            p.append(("price", (order.limitPrice ?? .zero).description))
        }
        if let cid = order.clientOrderId { p.append(("newClientOrderId", cid)) }
        p.append(("newOrderRespType", "FULL"))
        return p
    }

    /// `GET /api/v3/order` by our client order id.
    public func queryOrder(symbol: String, clientOrderId: String, timestampMs: Int64) -> HTTPRequestSpec {
        signed("GET", "/api/v3/order", [("symbol", symbol), ("origClientOrderId", clientOrderId), ("recvWindow", String(recvWindowMs)),
                                        ("timestamp", String(timestampMs))])
    }

    /// `DELETE /api/v3/order` by venue id when known, else by our client order id.
    public func cancelOrder(symbol: String, venueOrderId: String?, clientOrderId: String?, timestampMs: Int64) -> HTTPRequestSpec {
        var p: [(String, String)] = [("symbol", symbol)]
        if let v = venueOrderId { p.append(("orderId", v)) } else if let c = clientOrderId { p.append(("origClientOrderId", c)) }
        p += [("recvWindow", String(recvWindowMs)), ("timestamp", String(timestampMs))]
        return signed("DELETE", "/api/v3/order", p)
    }

    /// `GET /api/v3/openOrders` for one symbol.
    public func openOrders(symbol: String, timestampMs: Int64) -> HTTPRequestSpec {
        signed("GET", "/api/v3/openOrders", [("symbol", symbol), ("recvWindow", String(recvWindowMs)), ("timestamp", String(timestampMs))])
    }

    /// `GET /api/v3/myTrades` for one symbol: by order id, or from a time (windows of at most 24 h).
    public func myTrades(symbol: String, orderId: String? = nil, startTimeMs: Int64? = nil, endTimeMs: Int64? = nil, timestampMs: Int64) -> HTTPRequestSpec {
        var p: [(String, String)] = [("symbol", symbol)]
        if let orderId { p.append(("orderId", orderId)) }
        if let startTimeMs { p.append(("startTime", String(startTimeMs))) }
        if let endTimeMs { p.append(("endTime", String(endTimeMs))) }
        p += [("limit", "1000"), ("recvWindow", String(recvWindowMs)), ("timestamp", String(timestampMs))]
        return signed("GET", "/api/v3/myTrades", p)
    }

    /// `GET /api/v3/account` (zero balances left out).
    public func account(timestampMs: Int64) -> HTTPRequestSpec {
        signed("GET", "/api/v3/account", [("omitZeroBalances", "true"), ("recvWindow", String(recvWindowMs)), ("timestamp", String(timestampMs))])
    }

    /// `GET /api/v3/time` (unsigned).
    public func serverTime() -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", url: "\(restURL)/api/v3/time") }

    /// A signed WebSocket-API request frame: params and `apiKey` sorted by name, then `signature`.
    public func wsRequest(id: String, method: String, params: [(String, String)]) -> String {
        var all = params + [("apiKey", credentials.apiKey)]
        all.sort { $0.0 < $1.0 }
        let payload = BinanceRequests.query(all)
        let sig = RequestSigner.binance(credentials.secret, payload: payload)
        var b: [UInt8] = []
        b.append(contentsOf: #"{"id":""#.utf8)
        b.append(contentsOf: id.utf8)
        b.append(contentsOf: #"","method":""#.utf8)
        b.append(contentsOf: method.utf8)
        b.append(contentsOf: #"","params":{"#.utf8)
        for (k, v) in all {
            b.append(contentsOf: "\"\(k)\":".utf8)
            if k == "timestamp" || k == "recvWindow" { b.append(contentsOf: v.utf8) } else { b.append(contentsOf: "\"\(v)\"".utf8) }
            b.append(UInt8(ascii: ","))
        }
        b.append(contentsOf: "\"signature\":\"\(sig)\"}}".utf8)
        return String(decoding: b, as: UTF8.self)
    }

    /// `userDataStream.subscribe.signature`: the account's events on this WebSocket-API connection.
    public func userDataSubscribe(id: String, timestampMs: Int64) -> String {
        wsRequest(id: id, method: "userDataStream.subscribe.signature", params: [("timestamp", String(timestampMs))])
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
