import AlephBook
import AlephCore
import AlephCrypto
import AlephNet
import AlephRPC
import AlephVenueKit
import Logging
import Synchronization

/// Polymarket CLOB orders: EIP-712 orders signed for the exchange version `GET /version` names
/// (re-read after an `order_version_mismatch`), L2 HMAC headers on every private request, fills
/// from the `user` channel's trades (booked once when first matched, reversed if the trade ends
/// `FAILED`), balances by REST.
///
/// Exactly once: the order id is the signed order's hash, and the order signs to the same bytes
/// every time (salt from our client order id, timestamp from the order's creation), so a lost
/// answer is looked up by that id (`GET /data/order/{id}`), never resent as a new order.
public final class PolymarketExecutor: VenueExecutor {
    /// `polymarket`.
    public let venue = "polymarket"
    /// Live.
    public let mode = ExecutionMode.live
    /// Remote; one order per request.
    public let traits: ExecutorTraits
    let config: VenueConfig
    let credentials: PolymarketCredentials
    let rest: VenueREST
    let time: any TimeSource
    let logger: Logger
    let byId = Mutex<[String: Instrument]>([:])
    let byToken = Mutex<[String: Instrument]>([:])
    /// Order hash → our client order id (every hash we signed or restored).
    let clientIds = Mutex<[String: String]>([:])
    /// The exchange version orders are signed for (nil until read).
    let version = Mutex<Int?>(nil)
    /// The id the next heartbeat carries (empty before the first accepted one).
    let heartbeatId = Mutex("")

    /// Creates the executor.
    public init(config: VenueConfig, credentials: PolymarketCredentials, time: any TimeSource, logger: Logger, transport: any HTTPSending = HTTPTransport()) {
        self.config = config
        self.credentials = credentials
        self.time = time
        self.logger = logger
        rest = VenueREST(venue: "polymarket", time: time, transport: transport, onReply: { r, rest in
            if r.status == 429 { rest.gate.block(until: rest.nowNanos() + 1_000_000_000) }
        })
        traits = ExecutorTraits(remote: true, notFoundFinalAfterMs: config.recvWindowMs + 3_000, maxClientOrderIdLength: 64, streamsAccount: false,
                                nativeDeadman: PolymarketHeartbeats.deadman)
    }

    public func setInstruments(_ list: [Instrument]) {
        for i in list where i.venue == venue {
            byId.withLock { $0[i.id] = i }
            if let t = i.outcome?.tokenId { byToken.withLock { $0[t] = i } }
        }
    }

    func instrument(id: String) -> Instrument? { byId.withLock { $0[id] } }
    func instrument(token: String) -> Instrument? { byToken.withLock { $0[token] } }
    var conditionIds: [String] { Array(Set(byId.withLock { $0.values.compactMap { $0.outcome?.conditionId } })).sorted() }
    func clientId(ofOrder hash: String) -> String? { clientIds.withLock { $0[hash.lowercased()] } }

    /// Orders the ledger holds as live: their hashes (under either exchange version) find them again.
    public func restore(_ orders: [Order]) {
        for o in orders { for v in [1, 2] { if let h = try? hash(o, version: v) { remember(h, o.clientOrderId ?? o.id) } } }
    }

    func remember(_ hash: String, _ cid: String) { clientIds.withLock { $0[hash.lowercased()] = cid } }

    // MARK: requests

    /// A request with L2 headers (`path` may carry a query; the signature covers the bare path).
    func signed(_ method: String, _ pathAndQuery: String, body: String? = nil) -> HTTPRequestSpec {
        let path = String(pathAndQuery.split(separator: "?", maxSplits: 1).first ?? "")
        var headers = credentials.l2Headers(method: method, path: path, body: body, timestamp: rest.nowMs() / 1000)
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return HTTPRequestSpec(method: method, url: config.restURL + pathAndQuery, headers: headers, body: body.map { Array($0.utf8) })
    }

    /// The exchange version (read once, and again after a mismatch).
    func currentVersion(refresh: Bool = false) async -> Int {
        if !refresh, let v = version.withLock({ $0 }) { return v }
        let spec = HTTPRequestSpec(method: "GET", url: config.restURL + "/version")
        if case .reply(let r) = await rest.send(spec, timeout: .seconds(5)), r.status == 200,
           let v = (try? JSONParser.parse(r.body))?["version"]?.intValue, v == 1 || v == 2 {
            version.withLock { $0 = v }
            return v
        }
        // The official clients default to 2 when /version cannot be read.
        return version.withLock { $0 } ?? 2
    }

    /// The order's plan for `version`.
    func plan(_ o: Order, book: OrderBook?, version: Int) -> Result<PolymarketOrderPlan, VenueRejection> {
        guard let i = instrument(id: o.instrument) else {
            return .failure(VenueRejection(code: .venueUnavailable, message: "Polymarket market of \(o.instrument) is not loaded yet", retryable: true))
        }
        return PolymarketOrders.plan(o, instrument: i, book: book, version: version, chainId: config.chainId, signer: credentials.address,
                                     funder: credentials.funder, signatureType: credentials.signatureType, slippageBps: config.marketSlippageBps)
    }

    /// The order id (EIP-712 hash) the order signs to under `version`.
    func hash(_ o: Order, version: Int) throws -> String {
        guard case .success(let p) = plan(o, book: nil, version: version) else {
            // Market orders need the book for their price; their hash was remembered when sent.
            throw HTTPFailure(description: "no plan")
        }
        return Hex.encode(try TypedData(json: p.order.typedData).digest())
    }

    // MARK: orders

    public nonisolated(nonsending) func submit(_ r: SubmitRequest) async -> SubmitOutcome {
        let v = await currentVersion()
        let first = await send(r, version: v)
        if case .rejected(let rej) = first, rej.venueCode == "order_version_mismatch" {
            // Refused for the wrong struct (so nothing was placed): sign for the version now in force.
            let now = await currentVersion(refresh: true)
            if now != v {
                logger.notice("Polymarket exchange version changed", metadata: ["from": "\(v)", "to": "\(now)"])
                return await send(r, version: now)
            }
        }
        return first
    }

    nonisolated(nonsending) func send(_ r: SubmitRequest, version v: Int) async -> SubmitOutcome {
        let p: PolymarketOrderPlan
        switch plan(r.order, book: r.book, version: v) {
        case .failure(let rej): return .rejected(rej)
        case .success(let x): p = x
        }
        let cid = r.order.clientOrderId ?? r.order.id
        let digest: [UInt8]
        let signature: RecoverableSignature
        do {
            digest = try TypedData(json: p.order.typedData).digest()
            signature = try await credentials.signer.sign(digest: digest)
        } catch {
            return .rejected(VenueRejection(code: .venueRejected, message: "signing failed: \(error)"))
        }
        let orderId = Hex.encode(digest)
        remember(orderId, cid)
        if let refusal = rest.rateRefusal() { return .rejected(refusal) }
        let body = p.order.postBody(signature: Hex.encode(signature.ethereumBytes), owner: credentials.apiKey, orderType: p.orderType,
                                    postOnly: p.postOnly, deferExec: false)
        switch await rest.send(signed("POST", "/order", body: body), timeout: .milliseconds(config.submitTimeoutMs)) {
        case .notSent(let why): return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why): return .uncertain(why)
        case .reply(let reply):
            if reply.status >= 500 { return .uncertain("Polymarket HTTP \(reply.status)") }
            let j = try? JSONParser.parse(reply.body)
            let text = PolymarketExecWire.errorText(reply.body)
            if text.contains("order_version_mismatch") {
                return .rejected(VenueRejection(code: .venueRejected, venueCode: "order_version_mismatch", message: "Polymarket: \(text)", retryable: true))
            }
            guard reply.status == 200, let j, j["success"]?.boolValue == true, (j["errorMsg"]?.stringValue ?? "").isEmpty,
                  let id = j["orderID"]?.stringValue, !id.isEmpty else {
                if j?["status"]?.stringValue == "unmatched" {
                    return .acknowledged(VenueOrderState(clientOrderId: cid, venueOrderId: orderId, status: .expired, filledQuantity: .zero,
                                                         reason: "no match (\(p.orderType))", timestamp: time.nowNanos()))
                }
                return .rejected(PolymarketExecWire.refusal(status: reply.status, message: text))
            }
            if id.lowercased() != orderId.lowercased() {
                logger.error("Polymarket order id differs from the signed order's hash", metadata: ["sent": "\(orderId)", "answered": "\(id)"])
                remember(id, cid)
            }
            switch j["status"]?.stringValue?.lowercased() {
            case "live":
                return .acknowledged(VenueOrderState(clientOrderId: cid, venueOrderId: id, status: .open, filledQuantity: .zero, timestamp: time.nowNanos()))
            case "matched":
                return .acknowledged(await matchedState(r.order, orderId: id, cid: cid, orderType: p.orderType, sentAt: r.sentAt))
            default:
                // `delayed`: accepted, matching deferred: the order is looked up until it settles.
                return .uncertain("Polymarket status \(j["status"]?.stringValue ?? "?")")
            }
        }
    }

    /// A matched order's state with its fills, read back from the account's trades.
    func matchedState(_ o: Order, orderId: String, cid: String, orderType: String, sentAt: Int64) async -> VenueOrderState {
        let fills = (try? await tradeFills(market: instrument(id: o.instrument)?.outcome?.conditionId, afterSeconds: sentAt / 1_000_000_000 - 60))?
            .filter { $0.orderId.lowercased() == orderId.lowercased() && $0.status != "FAILED" } ?? []
        let filled = fills.reduce(Fixed.zero) { $0 + $1.fill.quantity }
        let status: OrderStatus = filled >= o.quantity ? .filled : (orderType == "GTC" ? (filled.isPositive ? .partiallyFilled : .open) : .cancelled)
        var s = VenueOrderState(clientOrderId: cid, venueOrderId: orderId, status: status, filledQuantity: fills.isEmpty ? nil : filled, timestamp: time.nowNanos())
        s.fills = fills.map(\.fill)
        return s
    }

    public nonisolated(nonsending) func cancel(_ order: Order) async -> CancelOutcome {
        let cid = order.clientOrderId ?? order.id
        let id: String
        if let v = order.venueOrderId { id = v } else if let h = try? hash(order, version: await currentVersion()) { id = h } else {
            return .notLive("no order id")
        }
        if let r = rest.rateRefusal() { return .rejected(r) }
        switch await rest.send(signed("DELETE", "/order", body: #"{"orderID":"\#(id)"}"#), timeout: .milliseconds(config.submitTimeoutMs)) {
        case .notSent(let why): return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why): return .uncertain(why)
        case .reply(let r):
            if r.status >= 500 { return .uncertain("Polymarket HTTP \(r.status)") }
            guard r.status == 200, let j = try? JSONParser.parse(r.body) else {
                return .rejected(PolymarketExecWire.refusal(status: r.status, message: PolymarketExecWire.errorText(r.body)))
            }
            if (j["canceled"]?.arrayValue ?? []).contains(where: { $0.stringValue?.lowercased() == id.lowercased() }) {
                return .done(VenueOrderState(clientOrderId: cid, venueOrderId: id, status: .cancelled, timestamp: time.nowNanos()))
            }
            let why = j["not_canceled"]?[id]?.stringValue ?? j["not_canceled"]?.objectValue?.first?.value.stringValue ?? "not cancelled"
            return .notLive(why)
        }
    }

    public func lookup(_ order: Order) async -> LookupResult {
        let cid = order.clientOrderId ?? order.id
        var ids: [String] = []
        if let v = order.venueOrderId { ids.append(v) }
        let current = await currentVersion()
        for v in [current, 3 - current] { if let h = try? hash(order, version: v), !ids.contains(h) { ids.append(h) } }
        if ids.isEmpty { return .failed("the order's id cannot be computed (a market order sent without an answer)") }
        for id in ids {
            switch await rest.send(signed("GET", "/data/order/\(id)"), timeout: .seconds(10)) {
            case .notSent(let why), .unknown(let why): return .failed(why)
            case .reply(let r):
                if r.status == 404 { continue }
                guard r.status == 200, let j = try? JSONParser.parse(r.body) else { return .failed("Polymarket GET /data/order: HTTP \(r.status)") }
                guard j["id"] != nil, var s = PolymarketExecWire.orderState(j, clientOrderId: cid, now: time.nowNanos()) else { continue }
                remember(id, cid)
                if let matched = s.filledQuantity, matched.isPositive {
                    guard let fills = try? await tradeFills(market: instrument(id: order.instrument)?.outcome?.conditionId,
                                                            afterSeconds: order.createdAt / 1_000_000_000 - 60) else { return .failed("trades unavailable") }
                    s.fills = fills.filter { $0.orderId.lowercased() == id.lowercased() && $0.status != "FAILED" }.map(\.fill)
                }
                return .found(s)
            }
        }
        return .notFound
    }

    public func openOrders() async throws -> [VenueOpenOrder] {
        var out: [VenueOpenOrder] = []
        for item in try await pages("/data/orders") {
            guard let id = item["id"]?.stringValue, let token = item["asset_id"]?.stringValue, let inst = instrument(token: token),
                  let s = PolymarketExecWire.orderState(item, clientOrderId: clientId(ofOrder: id) ?? "", now: time.nowNanos()) else { continue }
            let created = (item["created_at"]?.int64Value ?? Int64(item["created_at"]?.stringValue ?? "") ?? 0) * 1_000_000_000
            out.append(VenueOpenOrder(state: s, symbol: token, instrument: inst.id, side: item["side"]?.stringValue == "SELL" ? .sell : .buy,
                                      price: s.limitPrice, quantity: s.quantity ?? .zero, createdAt: created))
        }
        return out
    }

    public func fills(since: Int64) async throws -> [VenueFillReport] {
        let fills = try await tradeFills(market: nil, afterSeconds: since / 1_000_000_000 - 1)
        return fills.filter { $0.status != "FAILED" }.compactMap { f in
            guard let inst = instrument(token: f.tokenId) else { return nil }
            return VenueFillReport(clientOrderId: clientId(ofOrder: f.orderId), venueOrderId: f.orderId, instrument: inst.id, fill: f.fill)
        }
    }

    /// Our fills in the account's trades after a time (every page).
    func tradeFills(market: String?, afterSeconds: Int64) async throws -> [PolymarketTradeFill] {
        var q = "/data/trades?after=\(max(0, afterSeconds))"
        if let market { q += "&market=\(market)" }
        let now = time.nowNanos()
        return try await pages(q).flatMap { PolymarketExecWire.fills($0, isOurs: { self.clientId(ofOrder: $0) != nil }, now: now) }
    }

    /// Every item of a paginated list (`next_cursor` until `LTE=`).
    func pages(_ path: String) async throws -> [JSON] {
        var out: [JSON] = []
        var cursor = "MA=="
        for _ in 0..<100 {
            let sep = path.contains("?") ? "&" : "?"
            let body = try await rest.get(signed("GET", "\(path)\(sep)next_cursor=\(cursor)"))
            guard let j = try? JSONParser.parse(body) else { throw HTTPFailure(description: "polymarket \(path): not JSON") }
            out += j["data"]?.arrayValue ?? []
            guard let next = j["next_cursor"]?.stringValue, next != "LTE=", !next.isEmpty, next != cursor else { return out }
            cursor = next
        }
        return out
    }

    /// Collateral and each outcome token, from `/balance-allowance` (6-decimal base units).
    public func account() async throws -> VenueAccountSnapshot {
        func balance(_ query: String) async throws -> Fixed {
            let body = try await rest.get(signed("GET", "/balance-allowance?\(query)&signature_type=\(credentials.signatureType)"))
            guard let text = (try? JSONParser.parse(body))?["balance"]?.stringValue, let units = Int64(text) else {
                throw HTTPFailure(description: "polymarket /balance-allowance: no balance")
            }
            return Fixed(raw: units * 100)
        }
        var list = [VenueBalance(asset: "USDC", free: try await balance("asset_type=COLLATERAL"), locked: .zero)]
        for i in byId.withLock({ Array($0.values) }).sorted(by: { $0.id < $1.id }) {
            guard let t = i.outcome?.tokenId else { continue }
            list.append(VenueBalance(asset: i.base, free: try await balance("asset_type=CONDITIONAL&token_id=\(t)"), locked: .zero))
        }
        return VenueAccountSnapshot(balances: list)
    }

    public func run(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async {
        let proto = PolymarketPrivateStream(url: config.wsPrivateURL, subscribeFrame: credentials.userChannelFrame(markets: conditionIds),
                                            heartbeatMs: config.heartbeatMs, idleTimeoutMs: config.idleTimeoutMs,
                                            clientId: { [self] id in self.clientId(ofOrder: id) },
                                            instrument: { [self] t in self.instrument(token: t) })
        await PrivateStreamRunner(venue: venue, protocol: proto, backoffMinMs: config.backoffMinMs, backoffMaxMs: config.backoffMaxMs,
                                  time: time, logger: logger).run(sink: sink)
    }
}
