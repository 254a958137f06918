import AlephCore
import AlephNet
import AlephRPC
import AlephVenueKit
import Logging
import Synchronization

/// Binance spot orders over REST, fills and balances over the WebSocket-API user data stream.
///
/// Placement asks for `FULL` answers (status and immediate fills). A 5xx, `-1007`/`-1006`/`-1000`,
/// a timeout after the request was written or a reset makes the order `uncertain`; it is then
/// looked up by `origClientOrderId` (with `recvWindow` bounding how late Binance could still
/// accept it). Rate limits: `Retry-After` on 429/418 blocks every request until then; the
/// `X-MBX-USED-WEIGHT-1M` header is tracked and sending pauses near the limit, before a ban.
public final class BinanceExecutor: VenueExecutor {
    /// `binance`.
    public let venue = "binance"
    /// Live.
    public let mode = ExecutionMode.live
    /// Remote; "not found" is final after the receive window plus 3 s of skew.
    public let traits: ExecutorTraits
    let config: VenueConfig
    let requests: BinanceRequests
    let rest: VenueREST
    let time: any TimeSource
    let logger: Logger

    struct State {
        var bySymbol: [String: Instrument] = [:]
        var byId: [String: Instrument] = [:]
    }
    let state = Mutex(State())

    /// Request weight per minute Binance allows (spot default); sending pauses above 90 %.
    static let weightLimit = 6000
    /// Orders per 10 s (spot default).
    static let orderLimit10s = 50

    /// Creates the executor.
    /// `transport` carries the REST requests (the real HTTP client unless a benchmark swaps in a sink).
    public init(config: VenueConfig, credentials: VenueCredentials, time: any TimeSource, logger: Logger, transport: any HTTPSending = HTTPTransport()) {
        self.config = config
        self.requests = BinanceRequests(restURL: config.restURL, credentials: credentials, recvWindowMs: config.recvWindowMs)
        self.time = time
        self.logger = logger
        rest = VenueREST(venue: "binance", time: time, transport: transport, onReply: { r, rest in BinanceExecutor.account(r, rest: rest, logger: logger) })
        traits = ExecutorTraits(remote: true, notFoundFinalAfterMs: config.recvWindowMs + 3_000, maxClientOrderIdLength: 36)
    }

    /// Loads symbols.
    public func setInstruments(_ list: [Instrument]) {
        state.withLock { s in
            for i in list where i.venue == venue && !i.symbol.isEmpty {
                s.bySymbol[i.symbol] = i
                s.byId[i.id] = i
            }
        }
    }

    func instrument(symbol: String) -> Instrument? { state.withLock { $0.bySymbol[symbol] } }
    func instrument(id: String) -> Instrument? { state.withLock { $0.byId[id] } }
    var symbols: [String] { state.withLock { Array($0.bySymbol.keys).sorted() } }

    /// Venue time in ms (our clock plus the measured offset).
    func nowMs() -> Int64 { rest.nowMs() }

    /// Measures the offset to Binance's clock (`GET /api/v3/time`).
    func syncClock() async {
        let sent = time.nowNanos() / 1_000_000
        guard case .reply(let r) = await rest.send(requests.serverTime(), timeout: .seconds(5)), r.status == 200,
              let j = try? JSONParser.parse(r.body), let server = BinanceExecWire.int(j["serverTime"]) else { return }
        rest.setServerTime(server, sentMs: sent, backMs: time.nowNanos() / 1_000_000)
    }

    nonisolated(nonsending) func send(_ req: HTTPRequestSpec, timeout: Duration) async -> HTTPOutcome { await rest.send(req, timeout: timeout) }

    /// Binance's rate-limit headers: request weight (pausing near the limit, before a ban), order
    /// counts, and `Retry-After` on 429/418.
    static func account(_ r: HTTPReply, rest: VenueREST, logger: Logger) {
        let now = rest.nowNanos()
        let gate = rest.gate
        if let w = r.header("x-mbx-used-weight-1m").flatMap({ Int($0) }) {
            gate.record("weight_1m", used: w, limit: BinanceExecutor.weightLimit)
            if w * 10 >= BinanceExecutor.weightLimit * 9 {
                let next = (now / 60_000_000_000 + 1) * 60_000_000_000
                gate.block(until: next)
                logger.warning("Binance request weight near its limit: pausing until the next minute", metadata: ["used": "\(w)"])
            }
        }
        if let c = r.header("x-mbx-order-count-10s").flatMap({ Int($0) }) { gate.record("orders_10s", used: c, limit: BinanceExecutor.orderLimit10s) }
        if r.status == 429 || r.status == 418 {
            let seconds = r.header("retry-after").flatMap { Int64($0) } ?? (r.status == 418 ? 120 : 1)
            gate.block(until: now + seconds * 1_000_000_000)
            logger.warning("Binance rate limit: nothing is sent until the venue's Retry-After", metadata: ["status": "\(r.status)", "retry_after_s": "\(seconds)"])
        }
    }

    func retryAfterMs(_ r: HTTPReply) -> Int? { r.header("retry-after").flatMap { Int($0) }.map { $0 * 1000 } }

    public nonisolated(nonsending) func submit(_ request: SubmitRequest) async -> SubmitOutcome {
        guard let inst = instrument(id: request.order.instrument) else {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "Binance instrument \(request.order.instrument) is not loaded yet", retryable: true))
        }
        if let r = rest.rateRefusal() { return .rejected(r) }
        let req = requests.newOrder(symbol: inst.symbol, order: request.order, timestampMs: nowMs())
        switch await send(req, timeout: .milliseconds(config.submitTimeoutMs)) {
        case .notSent(let why):
            return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why):
            return .uncertain("no answer from Binance within \(config.submitTimeoutMs) ms (\(why))")
        case .reply(let r):
            if r.status == 200 {
                guard let j = try? JSONParser.parse(r.body), let s = BinanceExecWire.order(j, instrument: inst, now: time.nowNanos()) else {
                    return .uncertain("Binance answered 200 with an unreadable body")
                }
                return .acknowledged(s)
            }
            let err = BinanceExecWire.error(r.body)
            if err?.code == -1021 { await syncClock() }
            guard let rej = BinanceExecWire.classify(status: r.status, code: err?.code, message: err?.message ?? "", retryAfterMs: retryAfterMs(r)) else {
                return .uncertain("Binance: outcome unknown (HTTP \(r.status)\(err.map { ", \($0.code) \($0.message)" } ?? ""))")
            }
            return .rejected(rej)
        }
    }

    public nonisolated(nonsending) func cancel(_ order: Order) async -> CancelOutcome {
        guard let inst = instrument(id: order.instrument) else { return .rejected(VenueRejection(code: .venueUnavailable, message: "instrument not loaded", retryable: true)) }
        if let r = rest.rateRefusal() { return .rejected(r) }
        let req = requests.cancelOrder(symbol: inst.symbol, venueOrderId: order.venueOrderId, clientOrderId: order.clientOrderId, timestampMs: nowMs())
        switch await send(req, timeout: .milliseconds(config.submitTimeoutMs)) {
        case .notSent(let why): return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why): return .uncertain(why)
        case .reply(let r):
            if r.status == 200, let j = try? JSONParser.parse(r.body), var s = BinanceExecWire.order(j, instrument: inst, now: time.nowNanos()) {
                if s.clientOrderId.isEmpty, let c = order.clientOrderId { s.clientOrderId = c }
                return .done(s)
            }
            let err = BinanceExecWire.error(r.body)
            if err?.code == -2011 || err?.code == -2013 { return .notLive(err?.message ?? "unknown order") }
            if r.status >= 500 { return .uncertain("HTTP \(r.status)") }
            return .rejected(BinanceExecWire.classify(status: r.status, code: err?.code, message: err?.message ?? "", retryAfterMs: retryAfterMs(r))
                             ?? VenueRejection(code: .venueRejected, message: "HTTP \(r.status)"))
        }
    }

    public func lookup(_ order: Order) async -> LookupResult {
        guard let inst = instrument(id: order.instrument), let cid = order.clientOrderId else { return .failed("instrument not loaded") }
        if let r = rest.rateRefusal() { return .failed(r.message) }
        switch await send(requests.queryOrder(symbol: inst.symbol, clientOrderId: cid, timestampMs: nowMs()), timeout: .seconds(10)) {
        case .notSent(let why), .unknown(let why): return .failed(why)
        case .reply(let r):
            if r.status == 200, let j = try? JSONParser.parse(r.body), var s = BinanceExecWire.order(j, instrument: inst, now: time.nowNanos()) {
                s.clientOrderId = cid
                if let filled = s.filledQuantity, filled.isPositive, let oid = s.venueOrderId {
                    // The order query carries no trades: fetch this order's fills.
                    if case .reply(let t) = await send(requests.myTrades(symbol: inst.symbol, orderId: oid, timestampMs: nowMs()), timeout: .seconds(10)),
                       t.status == 200, let arr = (try? JSONParser.parse(t.body))?.arrayValue {
                        s.fills = arr.compactMap { BinanceExecWire.trade($0, instrument: inst)?.fill }
                    } else {
                        return .failed("fills of \(oid) unavailable")
                    }
                }
                return .found(s)
            }
            if BinanceExecWire.error(r.body)?.code == -2013 { return .notFound }
            return .failed("HTTP \(r.status) \(String(decoding: r.body.prefix(200), as: UTF8.self))")
        }
    }

    public func openOrders() async throws -> [VenueOpenOrder] {
        var out: [VenueOpenOrder] = []
        for sym in symbols {
            let inst = instrument(symbol: sym)
            let body = try await get(requests.openOrders(symbol: sym, timestampMs: nowMs()))
            for o in (try JSONParser.parse(body)).arrayValue ?? [] {
                if let oo = BinanceExecWire.openOrder(o, instrument: inst, now: time.nowNanos()) { out.append(oo) }
            }
        }
        return out
    }

    public func fills(since: Int64) async throws -> [VenueFillReport] {
        var out: [VenueFillReport] = []
        let now = nowMs()
        // myTrades windows are at most 24 h; older gaps need the ledger's last fill to be recent.
        let start = max(since / 1_000_000 - 2_000, now - 24 * 3_600_000 + 60_000)
        for sym in symbols {
            guard let inst = instrument(symbol: sym) else { continue }
            let body = try await get(requests.myTrades(symbol: sym, startTimeMs: start, timestampMs: nowMs()))
            for t in (try JSONParser.parse(body)).arrayValue ?? [] {
                if let (oid, f) = BinanceExecWire.trade(t, instrument: inst) {
                    out.append(VenueFillReport(clientOrderId: nil, venueOrderId: oid, instrument: inst.id, fill: f))
                }
            }
        }
        return out
    }

    public func account() async throws -> VenueAccountSnapshot {
        if !rest.synced { await syncClock() }
        return VenueAccountSnapshot(balances: BinanceExecWire.balances(try JSONParser.parse(try await get(requests.account(timestampMs: nowMs())))))
    }

    /// A signed GET that must answer 200.
    func get(_ req: HTTPRequestSpec) async throws -> [UInt8] {
        try await rest.get(req, describe: { r in "HTTP \(r.status): \(BinanceExecWire.error(r.body).map { "\($0.code) \($0.message)" } ?? "")" })
    }

    public func run(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async {
        if !rest.synced { await syncClock() }
        let stream = BinanceUserStream(url: config.wsPrivateURL, requests: requests, idleTimeoutMs: max(config.idleTimeoutMs, 60_000),
                                       offsetMs: { [rest] in rest.offsetMs },
                                       instruments: { [self] sym in instrument(symbol: sym) })
        await PrivateStreamRunner(venue: venue, protocol: stream, backoffMinMs: config.backoffMinMs, backoffMaxMs: config.backoffMaxMs,
                                  time: time, logger: logger).run(sink: sink)
    }

    public var rateLimit: RateLimitUsage { rest.gate.usage }
}
