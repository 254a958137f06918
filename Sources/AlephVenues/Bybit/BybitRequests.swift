import AlephCore
import AlephCrypto
import AlephNet

/// Bybit v5 REST and private-WebSocket requests, signed (pure: the time is an argument).
///
/// `X-BAPI-SIGN` = hex HMAC-SHA256(secret, timestamp ‖ api key ‖ recv window ‖ payload), the
/// payload being the JSON body of a POST or the query string of a GET. The private stream's
/// `auth` signs `GET/realtime` ‖ expiry.
public struct BybitRequests: Sendable {
    /// REST base URL.
    public let restURL: String
    let credentials: VenueCredentials
    /// `X-BAPI-RECV-WINDOW` (ms).
    public let recvWindowMs: Int
    /// `linear` or `spot`.
    public let category: String

    /// Creates a builder.
    public init(restURL: String, credentials: VenueCredentials, recvWindowMs: Int, category: String) {
        self.restURL = restURL
        self.credentials = credentials
        self.recvWindowMs = recvWindowMs
        self.category = category
    }

    /// A signed request; `query` for GET, `body` for POST.
    public func signed(_ method: String, _ path: String, query: String = "", body: String = "", timestampMs: Int64) -> HTTPRequestSpec {
        let ts = String(timestampMs), rw = String(recvWindowMs)
        let sign = RequestSigner.bybit(credentials.secret, timestamp: ts, apiKey: credentials.apiKey, recvWindow: rw, payload: method == "GET" ? query : body)
        let headers: [(String, String)] = [("X-BAPI-API-KEY", credentials.apiKey), ("X-BAPI-TIMESTAMP", ts), ("X-BAPI-RECV-WINDOW", rw),
                                           ("X-BAPI-SIGN", sign), ("Content-Type", "application/json")]
        return HTTPRequestSpec(method: method, url: restURL + path + (query.isEmpty ? "" : "?" + query), headers: headers,
                               body: body.isEmpty ? nil : Array(body.utf8))
    }

    /// The JSON body of `POST /v5/order/create` (keys in a fixed order).
    public func orderBody(symbol: String, order: Order) -> String {
        var f: [(String, String, Bool)] = [("category", category, true), ("symbol", symbol, true), ("side", order.side == .buy ? "Buy" : "Sell", true),
                                           ("orderType", order.type == .market ? "Market" : "Limit", true), ("qty", order.quantity.description, true)]
        if order.type == .limit, let px = order.limitPrice {
            f.append(("price", px.description, true))
            let tif = order.postOnly ? "PostOnly" : order.timeInForce.rawValue.uppercased()
            f.append(("timeInForce", tif, true))
        }
        if category == "spot" && order.type == .market { f.append(("marketUnit", "baseCoin", true)) }
        if category == "linear" {
            f.append(("positionIdx", "0", false))
            if order.reduceOnly { f.append(("reduceOnly", "true", false)) }
        }
        if let c = order.clientOrderId { f.append(("orderLinkId", c, true)) }
        return "{" + f.map { k, v, quoted in quoted ? "\"\(k)\":\"\(v)\"" : "\"\(k)\":\(v)" }.joined(separator: ",") + "}"
    }

    /// `POST /v5/order/create`.
    public func newOrder(symbol: String, order: Order, timestampMs: Int64) -> HTTPRequestSpec {
        signed("POST", "/v5/order/create", body: orderBody(symbol: symbol, order: order), timestampMs: timestampMs)
    }

    /// `POST /v5/order/cancel` by order id when known, else by link id.
    public func cancelOrder(symbol: String, venueOrderId: String?, clientOrderId: String?, timestampMs: Int64) -> HTTPRequestSpec {
        let id = venueOrderId.map { "\"orderId\":\"\($0)\"" } ?? "\"orderLinkId\":\"\(clientOrderId ?? "")\""
        return signed("POST", "/v5/order/cancel", body: "{\"category\":\"\(category)\",\"symbol\":\"\(symbol)\",\(id)}", timestampMs: timestampMs)
    }

    /// `GET /v5/order/realtime` by link id (finds closed orders too).
    public func queryOrder(clientOrderId: String, timestampMs: Int64) -> HTTPRequestSpec {
        signed("GET", "/v5/order/realtime", query: "category=\(category)&orderLinkId=\(clientOrderId)", timestampMs: timestampMs)
    }

    /// `GET /v5/order/realtime` open orders (linear needs a settle coin).
    public func openOrders(settleCoin: String, cursor: String?, timestampMs: Int64) -> HTTPRequestSpec {
        var q = "category=\(category)&limit=50"
        if category == "linear" { q += "&settleCoin=\(settleCoin)" }
        if let cursor, !cursor.isEmpty { q += "&cursor=\(cursor)" }
        return signed("GET", "/v5/order/realtime", query: q, timestampMs: timestampMs)
    }

    /// `GET /v5/execution/list` for one order or from a time (7-day windows).
    public func executions(orderId: String? = nil, startTimeMs: Int64? = nil, cursor: String? = nil, timestampMs: Int64) -> HTTPRequestSpec {
        var q = "category=\(category)&limit=100"
        if let orderId { q += "&orderId=\(orderId)" }
        if let startTimeMs { q += "&startTime=\(startTimeMs)" }
        if let cursor, !cursor.isEmpty { q += "&cursor=\(cursor)" }
        return signed("GET", "/v5/execution/list", query: q, timestampMs: timestampMs)
    }

    /// `GET /v5/account/wallet-balance` (unified account).
    public func wallet(timestampMs: Int64) -> HTTPRequestSpec {
        signed("GET", "/v5/account/wallet-balance", query: "accountType=UNIFIED", timestampMs: timestampMs)
    }

    /// `GET /v5/position/list` (linear).
    public func positions(settleCoin: String, timestampMs: Int64) -> HTTPRequestSpec {
        signed("GET", "/v5/position/list", query: "category=\(category)&settleCoin=\(settleCoin)", timestampMs: timestampMs)
    }

    /// `GET /v5/market/time` (unsigned).
    public func serverTime() -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", url: "\(restURL)/v5/market/time") }

    /// The private stream's `auth` frame, valid until `expiresMs`.
    public func auth(expiresMs: Int64) -> String {
        let e = String(expiresMs)
        return #"{"req_id":"axauth","op":"auth","args":["\#(credentials.apiKey)",\#(e),"\#(RequestSigner.bybitWebSocketAuth(credentials.secret, expires: e))"]}"#
    }
}
