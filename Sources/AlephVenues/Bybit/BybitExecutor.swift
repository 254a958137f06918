import AlephCore
import AlephNet
import AlephRPC
import AlephVenueKit
import Logging
import Synchronization

/// Bybit v5 orders (category `linear` or `spot`) over REST; order states, executions, positions
/// and the wallet over the private stream.
///
/// Every create, cancel and amend answer is an acknowledgement: after a create the order is read
/// back (`/v5/order/realtime` by link id, its executions) so `place_signal` answers what the venue
/// did. `10000`, `10016`, `170146`, `110079`, 5xx and lost answers make the order `uncertain`; a
/// duplicate link id (`110072`/`170141`) means an earlier send landed and is looked up. The
/// `X-Bapi-Limit-Status`/`-Reset-Timestamp` headers are tracked, `10006` waits for the reset,
/// and HTTP 403 (the IP limit) stops everything for 10 minutes, as Bybit asks.
public final class BybitExecutor: VenueExecutor {
    /// `bybit`.
    public let venue = "bybit"
    /// Live.
    public let mode = ExecutionMode.live
    /// Remote; "not found" is final after the receive window plus 3 s of skew.
    public let traits: ExecutorTraits
    let config: VenueConfig
    let requests: BybitRequests
    let rest: VenueREST
    let time: any TimeSource
    let logger: Logger
    let bySymbol = Mutex<[String: Instrument]>([:])
    let byId = Mutex<[String: Instrument]>([:])

    /// Creates the executor.
    public init(config: VenueConfig, credentials: VenueCredentials, time: any TimeSource, logger: Logger) {
        self.config = config
        self.requests = BybitRequests(restURL: config.restURL, credentials: credentials, recvWindowMs: config.recvWindowMs, category: config.category)
        self.time = time
        self.logger = logger
        rest = VenueREST(venue: "bybit", time: time, onReply: { r, rest in BybitExecutor.account(r, rest: rest, logger: logger) })
        traits = ExecutorTraits(remote: true, notFoundFinalAfterMs: config.recvWindowMs + 3_000, maxClientOrderIdLength: 36)
    }

    /// Rate-limit headers; 10006 and 403 block sending.
    static func account(_ r: HTTPReply, rest: VenueREST, logger: Logger) {
        if let limit = r.header("x-bapi-limit").flatMap({ Int($0) }), let left = r.header("x-bapi-limit-status").flatMap({ Int($0) }) {
            rest.gate.record("endpoint_1s", used: limit - left, limit: limit)
            if left <= 0, let reset = r.header("x-bapi-limit-reset-timestamp").flatMap({ Int64($0) }) {
                rest.gate.block(until: reset * 1_000_000)
            }
        }
        if r.status == 403 {
            rest.gate.block(until: rest.nowNanos() + 600_000_000_000)
            logger.error("Bybit refused this IP (HTTP 403, access too frequent): nothing is sent for 10 minutes")
        }
    }

    /// Loads instruments.
    public func setInstruments(_ list: [Instrument]) {
        for i in list where i.venue == venue && !i.symbol.isEmpty {
            bySymbol.withLock { $0[i.symbol] = i }
            byId.withLock { $0[i.id] = i }
        }
    }

    func instrument(symbol: String) -> Instrument? { bySymbol.withLock { $0[symbol] } }
    func instrument(id: String) -> Instrument? { byId.withLock { $0[id] } }
    var settleCoins: [String] { Array(Set(bySymbol.withLock { $0.values.map(\.quote) })).sorted() }

    func syncClock() async {
        let sent = time.nowNanos() / 1_000_000
        guard case .reply(let r) = await rest.send(requests.serverTime(), timeout: .seconds(5)), r.status == 200,
              let j = try? JSONParser.parse(r.body), let nano = j["result"]?["timeNano"]?.stringValue, let n = Int64(nano) else { return }
        rest.setServerTime(n / 1_000_000, sentMs: sent, backMs: time.nowNanos() / 1_000_000)
    }

    static func envelope(_ body: [UInt8]) -> (json: JSON?, code: Int?, msg: String) {
        guard let j = try? JSONParser.parse(body) else { return (nil, nil, "") }
        return (j, j["retCode"]?.intValue, j["retMsg"]?.stringValue ?? "")
    }

    func resetWaitMs(_ r: HTTPReply) -> Int? {
        guard let reset = r.header("x-bapi-limit-reset-timestamp").flatMap({ Int64($0) }) else { return nil }
        return Int(max(1, reset - time.nowNanos() / 1_000_000))
    }

    public nonisolated(nonsending) func submit(_ request: SubmitRequest) async -> SubmitOutcome {
        guard let inst = instrument(id: request.order.instrument) else {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "Bybit instrument \(request.order.instrument) is not loaded yet", retryable: true))
        }
        if let r = rest.rateRefusal() { return .rejected(r) }
        if !rest.synced { await syncClock() }
        switch await rest.send(requests.newOrder(symbol: inst.symbol, order: request.order, timestampMs: rest.nowMs()), timeout: .milliseconds(config.submitTimeoutMs)) {
        case .notSent(let why): return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why): return .uncertain("no answer from Bybit within \(config.submitTimeoutMs) ms (\(why))")
        case .reply(let r):
            let e = BybitExecutor.envelope(r.body)
            if r.status == 200, e.code == 0, let oid = e.json?["result"]?["orderId"]?.stringValue {
                var s = VenueOrderState(clientOrderId: request.order.clientOrderId ?? "", venueOrderId: oid, status: .open, timestamp: time.nowNanos())
                if case .found(let now) = await lookup(request.order) { s = now }
                return .acknowledged(s)
            }
            if e.json == nil && r.status < 500 && r.status != 403 && r.status != 429 { return .uncertain("Bybit answered HTTP \(r.status) with an unreadable body") }
            guard let rej = BybitExecWire.classify(status: r.status, retCode: e.code, message: e.msg, resetMs: resetWaitMs(r)) else {
                return .uncertain("Bybit: outcome unknown (HTTP \(r.status), \(e.code.map(String.init) ?? "") \(e.msg))")
            }
            if rej.code == .venueRateLimited, let ms = rej.retryAfterMs { rest.gate.block(until: time.nowNanos() + Int64(ms) * 1_000_000) }
            return .rejected(rej)
        }
    }

    public nonisolated(nonsending) func cancel(_ order: Order) async -> CancelOutcome {
        guard let inst = instrument(id: order.instrument) else { return .rejected(VenueRejection(code: .venueUnavailable, message: "instrument not loaded", retryable: true)) }
        if let r = rest.rateRefusal() { return .rejected(r) }
        let req = requests.cancelOrder(symbol: inst.symbol, venueOrderId: order.venueOrderId, clientOrderId: order.clientOrderId, timestampMs: rest.nowMs())
        switch await rest.send(req, timeout: .milliseconds(config.submitTimeoutMs)) {
        case .notSent(let why): return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why): return .uncertain(why)
        case .reply(let r):
            let e = BybitExecutor.envelope(r.body)
            if r.status == 200, e.code == 0 {
                // An acknowledgement: read the order back; a cancel usually lands at once.
                if case .found(let st) = await lookup(order), st.status?.isTerminal == true { return .done(st) }
                return .accepted
            }
            if [110001, 110008, 110010, 170213, 170142].contains(e.code ?? 0) { return .notLive(e.msg) }
            if r.status >= 500 || [10000, 10016, 110079].contains(e.code ?? 0) { return .uncertain("Bybit cancel: \(e.code.map(String.init) ?? String(r.status))") }
            return .rejected(BybitExecWire.classify(status: r.status, retCode: e.code, message: e.msg, resetMs: resetWaitMs(r))
                             ?? VenueRejection(code: .venueRejected, message: "HTTP \(r.status)"))
        }
    }

    public func lookup(_ order: Order) async -> LookupResult {
        guard let inst = instrument(id: order.instrument), let cid = order.clientOrderId else { return .failed("instrument not loaded") }
        if let r = rest.rateRefusal() { return .failed(r.message) }
        switch await rest.send(requests.queryOrder(clientOrderId: cid, timestampMs: rest.nowMs()), timeout: .seconds(10)) {
        case .notSent(let why), .unknown(let why): return .failed(why)
        case .reply(let r):
            let e = BybitExecutor.envelope(r.body)
            guard r.status == 200, e.code == 0 else { return .failed("Bybit order lookup: HTTP \(r.status) \(e.code.map(String.init) ?? "") \(e.msg)") }
            guard let o = e.json?["result"]?["list"]?.arrayValue?.first, var s = BybitExecWire.order(o, now: time.nowNanos()) else { return .notFound }
            s.clientOrderId = cid
            if let filled = s.filledQuantity, filled.isPositive, let oid = s.venueOrderId {
                guard let body = try? await rest.get(requests.executions(orderId: oid, timestampMs: rest.nowMs())),
                      let rows = (try? JSONParser.parse(body))?["result"]?["list"]?.arrayValue else { return .failed("executions of \(oid) unavailable") }
                s.fills = rows.compactMap { BybitExecWire.execution($0, instrumentId: inst.id)?.fill }
            }
            return .found(s)
        }
    }

    public func openOrders() async throws -> [VenueOpenOrder] {
        if !rest.synced { await syncClock() }
        var out: [VenueOpenOrder] = []
        for coin in settleCoins {
            var cursor: String? = nil
            for _ in 0..<20 {
                let body = try await rest.get(requests.openOrders(settleCoin: coin, cursor: cursor, timestampMs: rest.nowMs()))
                let result = (try JSONParser.parse(body))["result"]
                for o in result?["list"]?.arrayValue ?? [] {
                    guard let sym = o["symbol"]?.stringValue, let inst = instrument(symbol: sym), let s = BybitExecWire.order(o, now: time.nowNanos()),
                          let st = s.status, !st.isTerminal, let q = BybitExecWire.dec(o["qty"]) else { continue }
                    out.append(VenueOpenOrder(state: s, symbol: sym, instrument: inst.id, side: o["side"]?.stringValue == "Sell" ? .sell : .buy,
                                              price: BybitExecWire.dec(o["price"]), quantity: q,
                                              createdAt: (BybitExecWire.ms(o["createdTime"]) ?? 0) * 1_000_000))
                }
                cursor = result?["nextPageCursor"]?.stringValue
                if cursor?.isEmpty ?? true { break }
            }
            if config.category == "spot" { break }
        }
        return out
    }

    public func fills(since: Int64) async throws -> [VenueFillReport] {
        var out: [VenueFillReport] = []
        let start = max(since / 1_000_000 - 2_000, rest.nowMs() - 7 * 86_400_000 + 60_000)
        var cursor: String? = nil
        for _ in 0..<50 {
            let body = try await rest.get(requests.executions(startTimeMs: start, cursor: cursor, timestampMs: rest.nowMs()))
            let result = (try JSONParser.parse(body))["result"]
            for e in result?["list"]?.arrayValue ?? [] {
                guard let sym = e["symbol"]?.stringValue, let inst = instrument(symbol: sym), let r = BybitExecWire.execution(e, instrumentId: inst.id) else { continue }
                out.append(r)
            }
            cursor = result?["nextPageCursor"]?.stringValue
            if cursor?.isEmpty ?? true { break }
        }
        return out
    }

    public func account() async throws -> VenueAccountSnapshot {
        if !rest.synced { await syncClock() }
        let wallet = try JSONParser.parse(try await rest.get(requests.wallet(timestampMs: rest.nowMs())))
        var positions: [VenuePosition] = []
        if config.category == "linear" {
            for coin in settleCoins {
                let body = try JSONParser.parse(try await rest.get(requests.positions(settleCoin: coin, timestampMs: rest.nowMs())))
                for p in body["result"]?["list"]?.arrayValue ?? [] {
                    guard let sym = p["symbol"]?.stringValue, let inst = instrument(symbol: sym), let vp = BybitExecWire.position(p, instrumentId: inst.id) else { continue }
                    positions.append(vp)
                }
            }
        }
        return VenueAccountSnapshot(balances: BybitExecWire.balances(wallet["result"]?["list"]), positions: positions)
    }

    public func run(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async {
        if !rest.synced { await syncClock() }
        let stream = BybitPrivateStream(url: config.wsPrivateURL, requests: requests, heartbeatMs: config.heartbeatMs, idleTimeoutMs: max(config.idleTimeoutMs, 25_000),
                                        offsetMs: { [rest] in rest.offsetMs }, instruments: { [self] sym in instrument(symbol: sym) })
        await PrivateStreamRunner(venue: venue, protocol: stream, backoffMinMs: config.backoffMinMs, backoffMaxMs: config.backoffMaxMs,
                                  time: time, logger: logger).run(sink: sink)
    }

    public var rateLimit: RateLimitUsage { rest.gate.usage }
}
