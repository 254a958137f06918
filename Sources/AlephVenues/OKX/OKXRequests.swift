import AlephCore
import AlephCrypto
import AlephNet

/// OKX v5 REST and private-WebSocket requests, signed (pure: the time is an argument).
///
/// `OK-ACCESS-SIGN` = Base64(HMAC-SHA256(secret, ISO-8601 ms timestamp ‖ METHOD ‖ request path with
/// query ‖ body)); the WebSocket login signs Unix seconds ‖ `GET` ‖ `/users/self/verify`. Demo
/// trading adds `x-simulated-trading: 1` to every request.
public struct OKXRequests: Sendable {
    /// REST base URL.
    public let restURL: String
    let credentials: VenueCredentials
    /// Demo trading.
    public let demo: Bool
    /// Bound on how late OKX may still accept a placement (`expTime` = now + this), ms.
    public let expireAfterMs: Int

    /// Creates a builder.
    public init(restURL: String, credentials: VenueCredentials, demo: Bool, expireAfterMs: Int) {
        self.restURL = restURL
        self.credentials = credentials
        self.demo = demo
        self.expireAfterMs = expireAfterMs
    }

    /// `2026-01-01T00:00:00.000Z` for a time in ms since the epoch (UTC, no calendar library).
    public static func isoTimestamp(ms: Int64) -> String {
        let days = Int64((Double(ms) / 86_400_000).rounded(.down))
        let msOfDay = ms - days * 86_400_000
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        if m <= 2 { y += 1 }
        func p(_ v: Int64, _ w: Int) -> String { String(v).leftPad(w) }
        let h = msOfDay / 3_600_000, mi = msOfDay / 60_000 % 60, s = msOfDay / 1000 % 60, ms3 = msOfDay % 1000
        return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))T\(p(h, 2)):\(p(mi, 2)):\(p(s, 2)).\(p(ms3, 3))Z"
    }

    /// A signed request: `path` includes its query; `body` is the exact JSON sent.
    public func signed(_ method: String, _ path: String, body: String = "", timestampMs: Int64, extraHeaders: [(String, String)] = []) -> HTTPRequestSpec {
        let ts = OKXRequests.isoTimestamp(ms: timestampMs)
        let sign = RequestSigner.okx(credentials.secret, timestamp: ts, method: method, requestPath: path, body: body)
        var headers: [(String, String)] = [("OK-ACCESS-KEY", credentials.apiKey), ("OK-ACCESS-SIGN", sign), ("OK-ACCESS-TIMESTAMP", ts),
                                           ("OK-ACCESS-PASSPHRASE", credentials.passphrase ?? ""), ("Content-Type", "application/json")]
        if demo { headers.append(("x-simulated-trading", "1")) }
        headers += extraHeaders
        return HTTPRequestSpec(method: method, url: restURL + path, headers: headers, body: body.isEmpty ? nil : Array(body.utf8))
    }

    /// The JSON body of a placement (keys in a fixed order).
    public static func orderBody(instId: String, order: Order, spot: Bool) -> String {
        var fields: [(String, String)] = [("instId", instId), ("tdMode", spot ? "cash" : "cross")]
        if let c = order.clientOrderId { fields.append(("clOrdId", c)) }
        fields.append(("side", order.side.rawValue))
        let ordType: String
        switch order.type {
        case .market: ordType = "market"
        case .limit:
            if order.postOnly { ordType = "post_only" } else {
                switch order.timeInForce {
                case .gtc: ordType = "limit"
                case .ioc: ordType = "ioc"
                case .fok: ordType = "fok"
                }
            }
        }
        fields.append(("ordType", ordType))
        if let px = order.limitPrice, order.type == .limit { fields.append(("px", px.description)) }
        fields.append(("sz", order.quantity.description))
        // Spot market orders size in the base currency (OKX's default for buys is the quote).
        if spot && order.type == .market { fields.append(("tgtCcy", "base_ccy")) }
        if order.reduceOnly && !spot { fields.append(("reduceOnly", "true")) }
        if spot && order.type == .market { fields.append(("banAmend", "true")) }
        return "{" + fields.map { k, v in v == "true" ? "\"\(k)\":true" : "\"\(k)\":\"\(v)\"" }.joined(separator: ",") + "}"
    }

    /// `POST /api/v5/trade/order`, bounded by `expTime`.
    public func newOrder(instId: String, order: Order, spot: Bool, timestampMs: Int64) -> HTTPRequestSpec {
        signed("POST", "/api/v5/trade/order", body: OKXRequests.orderBody(instId: instId, order: order, spot: spot), timestampMs: timestampMs,
               extraHeaders: [("expTime", String(timestampMs + Int64(expireAfterMs)))])
    }

    /// `POST /api/v5/trade/cancel-order` by order id when known, else by client order id.
    public func cancelOrder(instId: String, venueOrderId: String?, clientOrderId: String?, timestampMs: Int64) -> HTTPRequestSpec {
        let id = venueOrderId.map { "\"ordId\":\"\($0)\"" } ?? "\"clOrdId\":\"\(clientOrderId ?? "")\""
        return signed("POST", "/api/v5/trade/cancel-order", body: "{\"instId\":\"\(instId)\",\(id)}", timestampMs: timestampMs)
    }

    /// `POST /api/v5/trade/cancel-all-after`: OKX cancels every open order after `seconds`
    /// (10 … 120) unless called again; 0 disables it.
    public func cancelAllAfter(seconds: Int, timestampMs: Int64) -> HTTPRequestSpec {
        signed("POST", "/api/v5/trade/cancel-all-after", body: "{\"timeOut\":\"\(seconds)\"}", timestampMs: timestampMs)
    }

    /// `GET /api/v5/trade/order` by client order id.
    public func queryOrder(instId: String, clientOrderId: String, timestampMs: Int64) -> HTTPRequestSpec {
        signed("GET", "/api/v5/trade/order?instId=\(instId)&clOrdId=\(clientOrderId)", timestampMs: timestampMs)
    }

    /// `GET /api/v5/trade/orders-pending`.
    public func pendingOrders(instType: String, timestampMs: Int64) -> HTTPRequestSpec {
        signed("GET", "/api/v5/trade/orders-pending?instType=\(instType)", timestampMs: timestampMs)
    }

    /// `GET /api/v5/trade/fills` (last 3 days), for one order or from a time.
    public func fills(instType: String, instId: String? = nil, ordId: String? = nil, beginMs: Int64? = nil, after: String? = nil, timestampMs: Int64) -> HTTPRequestSpec {
        var q = "instType=\(instType)"
        if let instId { q += "&instId=\(instId)" }
        if let ordId { q += "&ordId=\(ordId)" }
        if let beginMs { q += "&begin=\(beginMs)" }
        if let after { q += "&after=\(after)" }
        return signed("GET", "/api/v5/trade/fills?\(q)&limit=100", timestampMs: timestampMs)
    }

    /// `GET /api/v5/account/balance`.
    public func balance(timestampMs: Int64) -> HTTPRequestSpec { signed("GET", "/api/v5/account/balance", timestampMs: timestampMs) }

    /// `GET /api/v5/public/time` (unsigned).
    public func serverTime() -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", url: "\(restURL)/api/v5/public/time") }

    /// The private WebSocket login frame (Unix seconds).
    public func login(timestampSeconds: Int64) -> String {
        let ts = String(timestampSeconds)
        let sign = RequestSigner.okxWebSocketLogin(credentials.secret, timestampSeconds: ts)
        return #"{"op":"login","args":[{"apiKey":"\#(credentials.apiKey)","passphrase":"\#(credentials.passphrase ?? "")","timestamp":"\#(ts)","sign":"\#(sign)"}]}"#
    }
}
