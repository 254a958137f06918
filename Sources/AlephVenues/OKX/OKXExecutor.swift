import AlephCore
import AlephNet
import AlephRPC
import AlephVenueKit
import Logging
import Synchronization

/// OKX v5 spot orders over REST, fills and balances over the private WebSocket (`orders`,
/// `account`).
///
/// A placement answer is only an acknowledgement (`sCode 0`, the order id): the order's state and
/// fills are then read back at once (order details and its fills), so `place_signal` answers
/// what the venue did. Every placement carries `expTime`, so an order OKX did not take within
/// the receive window never executes later, and "not found" after it is conclusive. `50004`,
/// `51149`, `50026`, `50001`, 5xx and lost answers make the order `uncertain`; `51016` (our
/// client id is live) is looked up, never re-sent. Cancels are acknowledgements too: the order
/// stays `pending_cancel` until the stream or a lookup says how it ended.
public final class OKXExecutor: VenueExecutor {
    /// `okx`.
    public let venue = "okx"
    /// Live.
    public let mode = ExecutionMode.live
    /// Remote; "not found" is final after `expTime` plus 3 s of skew.
    public let traits: ExecutorTraits
    let config: VenueConfig
    let requests: OKXRequests
    let rest: VenueREST
    let time: any TimeSource
    let logger: Logger
    let instrumentsByInstId = Mutex<[String: Instrument]>([:])
    let byId = Mutex<[String: Instrument]>([:])
    /// Placements per instrument in the last 2 s (OKX allows 60): sending pauses before the limit.
    let recentOrders = Mutex<[String: [Int64]]>([:])
    static let ordersPer2s = 60

    /// Creates the executor.
    public init(config: VenueConfig, credentials: VenueCredentials, time: any TimeSource, logger: Logger) {
        self.config = config
        self.requests = OKXRequests(restURL: config.restURL, credentials: credentials, demo: config.testnet, expireAfterMs: config.recvWindowMs)
        self.time = time
        self.logger = logger
        rest = VenueREST(venue: "okx", time: time, onReply: { r, rest in
            // 50011/50013 (HTTP 429 or 200): wait out OKX's 2 s window.
            if r.status == 429 { rest.gate.block(until: rest.nowNanos() + 2_000_000_000) }
        })
        traits = ExecutorTraits(remote: true, notFoundFinalAfterMs: config.recvWindowMs + 3_000, maxClientOrderIdLength: 32,
                                nativeDeadman: NativeDeadman(name: "cancel-all-after", minTimeoutMs: 10_000, maxTimeoutMs: 120_000))
    }

    /// Loads instruments (spot ones trade; swaps need contract sizes this build does not load).
    public func setInstruments(_ list: [Instrument]) {
        for i in list where i.venue == venue && !i.symbol.isEmpty {
            instrumentsByInstId.withLock { $0[i.symbol] = i }
            byId.withLock { $0[i.id] = i }
        }
    }

    func instrument(instId: String) -> Instrument? { instrumentsByInstId.withLock { $0[instId] } }
    func instrument(id: String) -> Instrument? { byId.withLock { $0[id] } }
    var spotInstIds: [String] { instrumentsByInstId.withLock { $0.values.filter { $0.kind == .spot }.map(\.symbol).sorted() } }

    func syncClock() async {
        let sent = time.nowNanos() / 1_000_000
        guard case .reply(let r) = await rest.send(requests.serverTime(), timeout: .seconds(5)), r.status == 200,
              let j = try? JSONParser.parse(r.body), let ts = j["data"]?.arrayValue?.first?["ts"]?.stringValue, let server = Int64(ts) else { return }
        rest.setServerTime(server, sentMs: sent, backMs: time.nowNanos() / 1_000_000)
    }

    /// The body's top-level code/msg and first item's sCode/sMsg.
    static func codes(_ body: [UInt8]) -> (json: JSON?, code: String?, msg: String, sCode: String?, sMsg: String?) {
        guard let j = try? JSONParser.parse(body) else { return (nil, nil, "", nil, nil) }
        let item = j["data"]?.arrayValue?.first
        return (j, j["code"]?.stringValue, j["msg"]?.stringValue ?? "", item?["sCode"]?.stringValue, item?["sMsg"]?.stringValue)
    }

    /// Refuses locally before OKX's per-instrument placement limit is reached.
    func reserveOrderSlot(_ instId: String) -> VenueRejection? {
        let now = time.nowNanos()
        return recentOrders.withLock { m -> VenueRejection? in
            var list = (m[instId] ?? []).filter { now - $0 < 2_000_000_000 }
            rest.gate.record("orders_2s:\(instId)", used: list.count, limit: OKXExecutor.ordersPer2s)
            if list.count >= OKXExecutor.ordersPer2s - 2, let first = list.first {
                m[instId] = list
                return VenueRejection(code: .venueRateLimited, message: "OKX allows \(OKXExecutor.ordersPer2s) orders per 2 s per instrument",
                                      retryable: true, retryAfterMs: Int((first + 2_000_000_000 - now) / 1_000_000) + 1)
            }
            list.append(now)
            m[instId] = list
            return nil
        }
    }

    public nonisolated(nonsending) func submit(_ request: SubmitRequest) async -> SubmitOutcome {
        guard let inst = instrument(id: request.order.instrument) else {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "OKX instrument \(request.order.instrument) is not loaded yet", retryable: true))
        }
        guard inst.kind == .spot else {
            return .rejected(VenueRejection(code: .venueRejected, message: "live OKX orders are spot only in this build (\(inst.symbol) sizes in contracts)"))
        }
        if let r = rest.rateRefusal() ?? reserveOrderSlot(inst.symbol) { return .rejected(r) }
        if !rest.synced { await syncClock() }
        let req = requests.newOrder(instId: inst.symbol, order: request.order, spot: true, timestampMs: rest.nowMs())
        switch await rest.send(req, timeout: .milliseconds(config.submitTimeoutMs)) {
        case .notSent(let why):
            return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why):
            return .uncertain("no answer from OKX within \(config.submitTimeoutMs) ms (\(why))")
        case .reply(let r):
            let c = OKXExecutor.codes(r.body)
            if r.status == 200, c.code == "0", c.sCode == "0" || c.sCode == nil,
               let ordId = c.json?["data"]?.arrayValue?.first?["ordId"]?.stringValue, !ordId.isEmpty {
                // An acknowledgement: read the order back for its state and fills.
                var s = VenueOrderState(clientOrderId: request.order.clientOrderId ?? "", venueOrderId: ordId, status: .open,
                                        timestamp: time.nowNanos())
                if case .found(let now) = await lookup(request.order, venueOrderId: ordId) { s = now }
                return .acknowledged(s)
            }
            if c.json == nil && r.status < 500 { return .uncertain("OKX answered HTTP \(r.status) with an unreadable body") }
            guard let rej = OKXExecWire.classify(status: r.status, code: c.code, message: c.msg, sCode: c.sCode, sMsg: c.sMsg) else {
                return .uncertain("OKX: outcome unknown (HTTP \(r.status), \(c.sCode ?? c.code ?? "") \(c.sMsg ?? c.msg))")
            }
            if rej.code == .venueRateLimited { rest.gate.block(until: time.nowNanos() + 2_000_000_000) }
            return .rejected(rej)
        }
    }

    /// `cancel-all-after`: OKX cancels every open order of the account `timeoutMs` from now
    /// (whole seconds, 10 … 120) unless called again; nil disables it.
    public func armDeadman(timeoutMs: Int?) async -> VenueRejection? {
        if let r = rest.rateRefusal() { return r }
        let seconds = timeoutMs.map { min(120, max(10, ($0 + 999) / 1000)) } ?? 0
        switch await rest.send(requests.cancelAllAfter(seconds: seconds, timestampMs: rest.nowMs()), timeout: .seconds(10)) {
        case .notSent(let why), .unknown(let why):
            return VenueRejection(code: .venueUnavailable, message: "cancel-all-after: \(why)", retryable: true)
        case .reply(let r):
            let c = OKXExecutor.codes(r.body)
            if r.status == 200, c.code == "0" { return nil }
            return OKXExecWire.classify(status: r.status, code: c.code, message: c.msg, sCode: c.sCode, sMsg: c.sMsg)
                ?? VenueRejection(code: .venueRejected, venueCode: c.code, message: "OKX refused cancel-all-after: HTTP \(r.status) \(c.msg)")
        }
    }

    public nonisolated(nonsending) func cancel(_ order: Order) async -> CancelOutcome {
        guard let inst = instrument(id: order.instrument) else { return .rejected(VenueRejection(code: .venueUnavailable, message: "instrument not loaded", retryable: true)) }
        if let r = rest.rateRefusal() { return .rejected(r) }
        let req = requests.cancelOrder(instId: inst.symbol, venueOrderId: order.venueOrderId, clientOrderId: order.clientOrderId, timestampMs: rest.nowMs())
        switch await rest.send(req, timeout: .milliseconds(config.submitTimeoutMs)) {
        case .notSent(let why): return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why): return .uncertain(why)
        case .reply(let r):
            let c = OKXExecutor.codes(r.body)
            if r.status == 200, c.code == "0", c.sCode == "0" {
                // An acknowledgement: read the order back; a cancel usually lands at once.
                if case .found(let st) = await lookup(order), st.status?.isTerminal == true { return .done(st) }
                return .accepted
            }
            if c.sCode == "51400" || c.sCode == "51401" || c.sCode == "51410" || c.code == "51603" { return .notLive(c.sMsg ?? c.msg) }
            if r.status >= 500 || c.code == "50004" || c.sCode == "51412" { return .uncertain("OKX cancel: \(c.sCode ?? c.code ?? String(r.status))") }
            return .rejected(OKXExecWire.classify(status: r.status, code: c.code, message: c.msg, sCode: c.sCode, sMsg: c.sMsg)
                             ?? VenueRejection(code: .venueRejected, message: "HTTP \(r.status)"))
        }
    }

    public func lookup(_ order: Order) async -> LookupResult { await lookup(order, venueOrderId: nil) }

    /// Order details by client order id, with the order's fills when it has any.
    func lookup(_ order: Order, venueOrderId: String?) async -> LookupResult {
        guard let inst = instrument(id: order.instrument), let cid = order.clientOrderId else { return .failed("instrument not loaded") }
        if let r = rest.rateRefusal() { return .failed(r.message) }
        switch await rest.send(requests.queryOrder(instId: inst.symbol, clientOrderId: cid, timestampMs: rest.nowMs()), timeout: .seconds(10)) {
        case .notSent(let why), .unknown(let why): return .failed(why)
        case .reply(let r):
            let c = OKXExecutor.codes(r.body)
            if c.code == "51603" { return .notFound }
            guard r.status == 200, c.code == "0", let o = c.json?["data"]?.arrayValue?.first,
                  var s = OKXExecWire.order(o, instrument: inst, channel: false, now: time.nowNanos()) else {
                return .failed("OKX order details: HTTP \(r.status) \(c.code ?? "") \(c.msg)")
            }
            s.clientOrderId = cid
            if let filled = s.filledQuantity, filled.isPositive, let ordId = s.venueOrderId {
                guard let body = try? await rest.get(requests.fills(instType: "SPOT", instId: inst.symbol, ordId: ordId, timestampMs: rest.nowMs())),
                      let rows = (try? JSONParser.parse(body))?["data"]?.arrayValue else { return .failed("fills of \(ordId) unavailable") }
                s.fills = rows.compactMap { OKXExecWire.fill($0, instrument: inst)?.fill }
            }
            return .found(s)
        }
    }

    public func openOrders() async throws -> [VenueOpenOrder] {
        if !rest.synced { await syncClock() }
        let body = try await rest.get(requests.pendingOrders(instType: "SPOT", timestampMs: rest.nowMs()))
        var out: [VenueOpenOrder] = []
        for o in (try JSONParser.parse(body))["data"]?.arrayValue ?? [] {
            guard let instId = o["instId"]?.stringValue, let inst = instrument(instId: instId),
                  let s = OKXExecWire.order(o, instrument: inst, channel: false, now: time.nowNanos()), let q = OKXExecWire.dec(o["sz"]) else { continue }
            out.append(VenueOpenOrder(state: s, symbol: instId, instrument: inst.id, side: o["side"]?.stringValue == "sell" ? .sell : .buy,
                                      price: OKXExecWire.dec(o["px"]), quantity: q,
                                      createdAt: Int64(o["cTime"]?.stringValue ?? "").map { $0 * 1_000_000 } ?? time.nowNanos()))
        }
        return out
    }

    public func fills(since: Int64) async throws -> [VenueFillReport] {
        var out: [VenueFillReport] = []
        // The fills endpoint covers 3 days; pages go back by bill id.
        let begin = max(since / 1_000_000 - 2_000, rest.nowMs() - 3 * 86_400_000 + 60_000)
        var after: String? = nil
        for _ in 0..<50 {
            let body = try await rest.get(requests.fills(instType: "SPOT", beginMs: begin, after: after, timestampMs: rest.nowMs()))
            let rows = (try JSONParser.parse(body))["data"]?.arrayValue ?? []
            for f in rows {
                guard let instId = f["instId"]?.stringValue, let inst = instrument(instId: instId), let r = OKXExecWire.fill(f, instrument: inst) else { continue }
                out.append(r)
            }
            guard rows.count == 100, let last = rows.last?["billId"]?.stringValue else { break }
            after = last
        }
        return out
    }

    public func account() async throws -> VenueAccountSnapshot {
        if !rest.synced { await syncClock() }
        let body = try await rest.get(requests.balance(timestampMs: rest.nowMs()))
        return VenueAccountSnapshot(balances: OKXExecWire.balances((try JSONParser.parse(body))["data"]))
    }

    public func run(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async {
        if !rest.synced { await syncClock() }
        let stream = OKXPrivateStream(url: config.wsPrivateURL, requests: requests, heartbeatMs: config.heartbeatMs, idleTimeoutMs: max(config.idleTimeoutMs, 35_000),
                                      offsetMs: { [rest] in rest.offsetMs }, instruments: { [self] id in instrument(instId: id) })
        await PrivateStreamRunner(venue: venue, protocol: stream, backoffMinMs: config.backoffMinMs, backoffMaxMs: config.backoffMaxMs,
                                  time: time, logger: logger).run(sink: sink)
    }

    public var rateLimit: RateLimitUsage { rest.gate.usage }
}
