import AlephBook
import AlephCore
import AlephCrypto
import AlephNet
import AlephRPC
import AlephVenueKit
import Logging
import Synchronization

/// Hyperliquid orders as signed L1 actions (`order`, `cancel`, `cancelByCloid`, `batchModify`)
/// on `/exchange`; lookups, open orders, fills and the account from `/info`; order states, fills
/// and funding from the account's user channels.
///
/// Every action takes its nonce from one allocator (strictly increasing under any concurrency)
/// and carries `expiresAfter` (now + `recv_window_ms`), so a delayed request cannot land late and
/// "not found" is final soon after. `status: ok` is never taken as "placed": each entry of
/// `statuses[]` is its own order's outcome. A lost answer or a 5xx makes the order `uncertain`;
/// it is resolved by `orderStatus` with its cloid. IP weight is counted locally (1200 a minute)
/// and sending pauses before the limit; a 429 blocks sending.
public final class HyperliquidExecutor: VenueExecutor {
    /// `hyperliquid`.
    public let venue = "hyperliquid"
    /// Live.
    public let mode = ExecutionMode.live
    /// Remote; hex cloids; batches of up to 40 orders (one weight unit); modifies in place (cancel-replace).
    public let traits: ExecutorTraits
    let config: VenueConfig
    let credentials: HyperliquidCredentials
    let rest: VenueREST
    let time: any TimeSource
    let logger: Logger
    /// Signatures are for mainnet unless `testnet` (a custom `rest_url` does not change the network).
    let mainnet: Bool
    let nonces = HyperliquidNonces()
    let weights: HyperliquidWeights

    struct State {
        var universe = HyperliquidUniverse()
        var byCoin: [String: Instrument] = [:]
        var byId: [String: Instrument] = [:]
        /// Fills the user channel brought lately, by oid (an order answer carries totals only; the
        /// stream usually has its fills by then, which spares a 20-weight `/info` read-back).
        var streamFills: [String: [VenueFill]] = [:]
        var streamFillOrder: [String] = []
        /// The user channels are subscribed (worth waiting a moment for their fills).
        var streamUp = false
    }
    let state = Mutex(State())

    /// Creates the executor (`transport` carries the requests: the real HTTP client unless a
    /// benchmark swaps in a sink; `ipWeightCeiling`: the weight a minute our own accounting allows,
    /// Hyperliquid's 1200 less a margin unless a benchmark lifts it).
    public init(config: VenueConfig, credentials: HyperliquidCredentials, time: any TimeSource, logger: Logger, transport: any HTTPSending = HTTPTransport(),
                ipWeightCeiling: Int = HyperliquidWeights.ceiling) {
        weights = HyperliquidWeights(ceiling: ipWeightCeiling)
        self.config = config
        self.credentials = credentials
        self.time = time
        self.logger = logger
        mainnet = !config.testnet
        rest = VenueREST(venue: "hyperliquid", time: time, transport: transport, onReply: { r, rest in HyperliquidExecutor.account(r, rest: rest, logger: logger) })
        traits = ExecutorTraits(remote: true, notFoundFinalAfterMs: config.recvWindowMs + 3_000, maxClientOrderIdLength: 34, clientIdFormat: .hex128,
                                batchLimit: 40, modifies: true, streamsAccount: false,
                                nativeDeadman: NativeDeadman(name: "scheduleCancel", minTimeoutMs: 6_000, maxTimeoutMs: 3_600_000))
    }

    /// 429: nothing is sent until the venue's `Retry-After` (1 s when it names none).
    static func account(_ r: HTTPReply, rest: VenueREST, logger: Logger) {
        guard r.status == 429 else { return }
        let seconds = r.header("retry-after").flatMap { Int64($0) } ?? 1
        rest.gate.block(until: rest.nowNanos() + seconds * 1_000_000_000)
        logger.warning("Hyperliquid rate limit (HTTP 429): nothing is sent until it clears", metadata: ["retry_after_s": "\(seconds)"])
    }

    /// Loads instruments (wire coin ↔ id).
    public func setInstruments(_ list: [Instrument]) {
        state.withLock { s in
            for i in list where i.venue == venue && !i.symbol.isEmpty {
                s.byCoin[i.symbol] = i
                s.byId[i.id] = i
            }
        }
    }

    /// Sets the asset universe (tests and benchmarks; otherwise loaded from `/info` on first use).
    public func setUniverse(_ u: HyperliquidUniverse) { state.withLock { $0.universe = u } }

    func instrument(coin: String) -> Instrument? { state.withLock { $0.byCoin[coin] } }
    func instrument(id: String) -> Instrument? { state.withLock { $0.byId[id] } }
    var instrumentList: [Instrument] { state.withLock { Array($0.byId.values) } }

    /// The asset of an instrument, loading the universe when it is not known yet.
    func asset(_ inst: Instrument) async -> HyperliquidAsset? {
        if let a = state.withLock({ $0.universe.byCoin[inst.symbol] }) { return a }
        let spot = instrumentList.contains { $0.kind == .spot }
        let perp = instrumentList.contains { $0.kind == .perp }
        let meta = perp ? try? await info(HyperliquidActions.info("meta")) : nil
        let spotMeta = spot ? try? await info(HyperliquidActions.info("spotMeta")) : nil
        if let u = try? HyperliquidUniverse.parse(meta: meta, spotMeta: spotMeta), !u.byCoin.isEmpty { state.withLock { $0.universe = u } }
        return state.withLock { $0.universe.byCoin[inst.symbol] }
    }

    // MARK: requests

    /// The gate's refusal, or our own weight accounting's: nothing leaves while either says wait.
    func refusal(weight: Int) -> VenueRejection? {
        if let r = rest.rateRefusal() { return r }
        if let wait = weights.reserve(weight, now: time.nowNanos()) {
            return VenueRejection(code: .venueRateLimited, venueCode: "ipWeight", message: "Hyperliquid IP weight budget (1200 a minute) nearly used: nothing is sent for \(wait) ms",
                                  retryable: true, retryAfterMs: wait)
        }
        return nil
    }

    /// An `/info` query that must answer 200 with JSON.
    func info(_ body: [UInt8], weight: Int = 20) async throws -> JSON {
        if let r = refusal(weight: weight) { throw HTTPFailure(description: r.message) }
        let spec = HTTPRequestSpec(method: "POST", url: "\(config.restURL)/info", headers: [("Content-Type", "application/json")], body: body)
        switch await rest.send(spec, timeout: .seconds(10)) {
        case .reply(let r) where r.status == 200:
            do { return try JSONParser.parse(r.body) } catch { throw HTTPFailure(description: "hyperliquid /info answered non-JSON: \(error)") }
        case .reply(let r): throw HTTPFailure(description: "hyperliquid /info: HTTP \(r.status) \(String(decoding: r.body.prefix(200), as: UTF8.self))")
        case .notSent(let why), .unknown(let why): throw HTTPFailure(description: "hyperliquid /info: \(why)")
        }
    }

    /// Signs and posts one action with a fresh nonce and `expiresAfter`.
    nonisolated(nonsending) func post(_ action: JSON, expires: Bool = true) async -> HTTPOutcome {
        let nowMs = rest.nowMs()
        let nonce = nonces.next(nowMs: nowMs)
        let expiresAfter: Int64? = expires ? nowMs + Int64(config.recvWindowMs) : nil
        let signature: RecoverableSignature
        do {
            let digest = try HyperliquidActions.digest(action: action, nonce: nonce, vault: credentials.vaultBytes, expiresAfter: expiresAfter, mainnet: mainnet)
            signature = try await credentials.signer.sign(digest: digest)
        } catch {
            return .notSent("signing failed: \(error)")
        }
        let body = HyperliquidActions.body(action: action, nonce: nonce, signature: signature, vault: credentials.vault, expiresAfter: expiresAfter)
        let spec = HTTPRequestSpec(method: "POST", url: "\(config.restURL)/exchange", headers: [("Content-Type", "application/json")], body: body)
        return await rest.send(spec, timeout: .milliseconds(config.submitTimeoutMs))
    }

    /// The rejection a non-200 answer means, or nil when its outcome is unknown (5xx).
    func httpRefusal(_ r: HTTPReply) -> VenueRejection? {
        if r.status == 429 {
            let ms = r.header("retry-after").flatMap { Int($0) }.map { $0 * 1000 } ?? 1000
            return VenueRejection(code: .venueRateLimited, venueCode: "429", message: "Hyperliquid rate limit (HTTP 429)", retryable: true, retryAfterMs: ms)
        }
        if r.status >= 500 { return nil }
        return VenueRejection(code: .venueRejected, venueCode: String(r.status),
                              message: "Hyperliquid refused the request (HTTP \(r.status)): \(String(decoding: r.body.prefix(300), as: UTF8.self))")
    }

    // MARK: orders

    public nonisolated(nonsending) func submit(_ request: SubmitRequest) async -> SubmitOutcome {
        await submit(batch: [request])[0]
    }

    /// One `order` action for every order that can be sent; each `statuses[]` entry is its own outcome.
    public nonisolated(nonsending) func submit(batch requests: [SubmitRequest]) async -> [SubmitOutcome] {
        var outcomes = [SubmitOutcome?](repeating: nil, count: requests.count)
        var wires: [(index: Int, wire: HyperliquidOrderWire)] = []
        for (k, r) in requests.enumerated() {
            guard let inst = instrument(id: r.order.instrument), let asset = await asset(inst) else {
                outcomes[k] = .rejected(VenueRejection(code: .venueUnavailable, message: "Hyperliquid asset for \(r.order.instrument) is not loaded yet", retryable: true))
                continue
            }
            switch HyperliquidActions.wire(order: r.order, asset: asset, instrument: inst, mid: r.book?.mid, slippageBps: config.marketSlippageBps,
                                           cloid: r.order.clientOrderId) {
            case .success(let w): wires.append((k, w))
            case .failure(let rej): outcomes[k] = .rejected(rej)
            }
        }
        if !wires.isEmpty {
            if let r = refusal(weight: 1 + wires.count / 40) {
                for (k, _) in wires { outcomes[k] = .rejected(r) }
            } else {
                let sentAt = rest.nowMs()
                let result = await post(HyperliquidActions.order(wires.map(\.wire)))
                let mapped = await outcomesOf(result, requests: wires.map { requests[$0.index] }, sentAtMs: sentAt)
                for (j, (k, _)) in wires.enumerated() { outcomes[k] = mapped[j] }
            }
        }
        return outcomes.map { $0 ?? .uncertain("no outcome") }
    }

    /// Maps an `order` action's result to one outcome per order sent.
    nonisolated(nonsending) func outcomesOf(_ result: HTTPOutcome, requests: [SubmitRequest], sentAtMs: Int64) async -> [SubmitOutcome] {
        let n = requests.count
        switch result {
        case .notSent(let why): return Array(repeating: .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true)), count: n)
        case .unknown(let why): return Array(repeating: .uncertain("no answer from Hyperliquid within \(config.submitTimeoutMs) ms (\(why))"), count: n)
        case .reply(let r):
            guard r.status == 200 else {
                if let rej = httpRefusal(r) { return Array(repeating: .rejected(rej), count: n) }
                return Array(repeating: .uncertain("Hyperliquid answered HTTP \(r.status): outcome unknown"), count: n)
            }
            switch HyperliquidExecWire.answer(r.body) {
            case nil: return Array(repeating: .uncertain("Hyperliquid answered 200 with an unreadable body"), count: n)
            case .err(let text)?: return Array(repeating: .rejected(HyperliquidExecWire.rejection(text)), count: n)
            case .ok(let statuses)?:
                guard statuses.count == n else {
                    return Array(repeating: .uncertain("Hyperliquid answered \(statuses.count) statuses for \(n) orders"), count: n)
                }
                var out: [SubmitOutcome] = []
                for (k, st) in statuses.enumerated() {
                    out.append(await outcome(st, request: requests[k], sentAtMs: sentAtMs))
                }
                return out
            }
        }
    }

    /// One order's status entry as its outcome (fills read back when it traded at once).
    nonisolated(nonsending) func outcome(_ st: HyperliquidStatus, request: SubmitRequest, sentAtMs: Int64) async -> SubmitOutcome {
        let cid = request.order.clientOrderId ?? ""
        let now = time.nowNanos()
        switch st {
        case .resting(let oid):
            return .acknowledged(VenueOrderState(clientOrderId: cid, venueOrderId: String(oid), status: .open, filledQuantity: .zero, timestamp: now))
        case .filled(let oid, let total, _):
            // Filled at once (all of it, or an IOC's part: the rest is cancelled by the venue).
            let status: OrderStatus = total >= request.order.quantity ? .filled : .cancelled
            var s = VenueOrderState(clientOrderId: cid, venueOrderId: String(oid), status: status, filledQuantity: total,
                                    reason: status == .cancelled ? "immediate-or-cancel: remainder cancelled" : nil, timestamp: now)
            s.fills = await fillsOf(oid: oid, total: total, instrument: request.instrument, sinceMs: sentAtMs - 2_000)
            return .acknowledged(s)
        case .error(let text):
            if text.lowercased().contains("could not immediately match") {
                // An IOC that found nothing: the order existed and expired.
                return .acknowledged(VenueOrderState(clientOrderId: cid, status: .expired, filledQuantity: .zero, reason: text, timestamp: now))
            }
            return .rejected(HyperliquidExecWire.rejection(text))
        case .text(let t):
            return .uncertain("Hyperliquid answered '\(t)' for an order")
        }
    }

    /// The fills of an order that traded at once, adding up to `total`: from the user channel when
    /// they arrive within a moment of the answer, else read back from `/info`.
    func fillsOf(oid: Int64, total: Fixed, instrument: Instrument, sinceMs: Int64) async -> [VenueFill] {
        let key = String(oid)
        for _ in 0..<(state.withLock { $0.streamUp } ? 60 : 0) {
            let got = state.withLock { $0.streamFills[key] ?? [] }
            if got.reduce(Fixed.zero, { $0 + $1.quantity }) >= total { return got }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return await fillsOf(oid: oid, instrument: instrument, sinceMs: sinceMs)
    }

    /// Remembers the fills a stream event carries (the newest 2000 orders' worth).
    func remember(_ event: ExecutionEvent) {
        switch event {
        case .streamUp: state.withLock { $0.streamUp = true }
        case .streamDown: state.withLock { $0.streamUp = false }
        default: break
        }
        guard case .order(let s) = event, !s.fills.isEmpty, let oid = s.venueOrderId else { return }
        state.withLock { st in
            if st.streamFills[oid] == nil { st.streamFillOrder.append(oid) }
            var list = st.streamFills[oid] ?? []
            for f in s.fills where !list.contains(where: { $0.venueTradeId == f.venueTradeId }) { list.append(f) }
            st.streamFills[oid] = list
            if st.streamFillOrder.count > 2_000 {
                for old in st.streamFillOrder.prefix(500) { st.streamFills[old] = nil }
                st.streamFillOrder.removeFirst(500)
            }
        }
    }

    /// The fills of one order since a time, read back from `/info`.
    func fillsOf(oid: Int64, instrument: Instrument, sinceMs: Int64) async -> [VenueFill] {
        guard let list = try? await info(HyperliquidActions.info("userFillsByTime", [JSONMember("user", .string(credentials.tradingAccount)),
                                                                                      JSONMember("startTime", .int(sinceMs))])).arrayValue else { return [] }
        return list.compactMap { f in
            guard f["oid"]?.int64Value == oid else { return nil }
            return HyperliquidExecWire.fill(f, instrument: instrument)?.fill
        }
    }

    public nonisolated(nonsending) func cancel(_ order: Order) async -> CancelOutcome {
        guard let inst = instrument(id: order.instrument), let asset = await asset(inst) else {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "instrument not loaded", retryable: true))
        }
        if let r = refusal(weight: 1) { return .rejected(r) }
        let action: JSON
        if let v = order.venueOrderId, let oid = Int64(v) {
            action = HyperliquidActions.cancel([(asset.asset, oid)])
        } else if let cid = order.clientOrderId {
            action = HyperliquidActions.cancelByCloid([(asset.asset, cid)])
        } else {
            return .notLive("no venue order id or cloid")
        }
        switch await post(action) {
        case .notSent(let why): return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why): return .uncertain(why)
        case .reply(let r):
            guard r.status == 200 else {
                if let rej = httpRefusal(r) { return .rejected(rej) }
                return .uncertain("HTTP \(r.status)")
            }
            switch HyperliquidExecWire.answer(r.body) {
            case nil: return .uncertain("unreadable cancel answer")
            case .err(let text)?: return .rejected(HyperliquidExecWire.rejection(text))
            case .ok(let statuses)?:
                guard let first = statuses.first else { return .uncertain("cancel answered without a status") }
                switch first {
                case .text("success"):
                    // Cancelled; read it back for the fills that may have come first.
                    if case .found(let s) = await lookup(order), s.status?.isTerminal == true { return .done(s) }
                    return .done(VenueOrderState(clientOrderId: order.clientOrderId ?? "", venueOrderId: order.venueOrderId, status: .cancelled,
                                                 timestamp: time.nowNanos()))
                case .error(let text): return .notLive(text)
                default: return .uncertain("unexpected cancel status")
                }
            }
        }
    }

    /// `batchModify` with one entry (the order keeps its cloid; the venue cancel-replaces it under a new oid).
    public nonisolated(nonsending) func modify(_ request: ModifyRequest) async -> ModifyOutcome {
        let order = request.order
        guard let inst = instrument(id: order.instrument), let asset = await asset(inst) else {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "instrument not loaded", retryable: true))
        }
        var changed = order
        changed.limitPrice = request.price
        changed.quantity = request.quantity
        let wire: HyperliquidOrderWire
        switch HyperliquidActions.wire(order: changed, asset: asset, instrument: inst, mid: nil, slippageBps: config.marketSlippageBps, cloid: order.clientOrderId) {
        case .success(let w): wire = w
        case .failure(let rej): return .rejected(rej)
        }
        let target: JSON = order.venueOrderId.flatMap { Int64($0) }.map { .int($0) } ?? .string(order.clientOrderId ?? "")
        if let r = refusal(weight: 1) { return .rejected(r) }
        let sentAt = rest.nowMs()
        switch await post(HyperliquidActions.batchModify([(target, wire)])) {
        case .notSent(let why): return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why): return .uncertain(why)
        case .reply(let r):
            guard r.status == 200 else {
                if let rej = httpRefusal(r) { return .rejected(rej) }
                return .uncertain("HTTP \(r.status)")
            }
            switch HyperliquidExecWire.answer(r.body) {
            case nil: return .uncertain("unreadable modify answer")
            case .err(let text)?: return .rejected(HyperliquidExecWire.rejection(text))
            case .ok(let statuses)?:
                let cid = order.clientOrderId ?? ""
                let now = time.nowNanos()
                switch statuses.first {
                case .resting(let oid)?:
                    return .done(VenueOrderState(clientOrderId: cid, venueOrderId: String(oid), status: order.filledQuantity.isPositive ? .partiallyFilled : .open,
                                                 timestamp: now, limitPrice: request.price, quantity: request.quantity))
                case .filled(let oid, let total, _)?:
                    var s = VenueOrderState(clientOrderId: cid, venueOrderId: String(oid), status: order.filledQuantity + total >= request.quantity ? .filled : .partiallyFilled,
                                            timestamp: now, limitPrice: request.price, quantity: request.quantity)
                    s.fills = await fillsOf(oid: oid, total: total, instrument: inst, sinceMs: sentAt - 2_000)
                    return .done(s)
                case .error(let text)?: return .rejected(HyperliquidExecWire.rejection(text))
                default: return .uncertain("modify answered without a usable status")
                }
            }
        }
    }

    public func lookup(_ order: Order) async -> LookupResult {
        guard let inst = instrument(id: order.instrument) else { return .failed("instrument not loaded") }
        let target: JSON
        if let cid = order.clientOrderId, cid.hasPrefix("0x") { target = .string(cid) } else if let v = order.venueOrderId, let oid = Int64(v) { target = .int(oid) } else {
            return .failed("no cloid or venue order id to look up")
        }
        let j: JSON
        do { j = try await info(HyperliquidActions.info("orderStatus", [JSONMember("user", .string(credentials.tradingAccount)), JSONMember("oid", target)]), weight: 2) } catch {
            return .failed("\(error)")
        }
        switch HyperliquidExecWire.orderStatus(j) {
        case .none: return .notFound
        case .some(nil): return .failed("unreadable orderStatus answer")
        case .some(.some(let found)):
            var s = found.state
            if let cid = order.clientOrderId { s.clientOrderId = cid }
            if s.status == nil { return .failed("unknown order status word; asked again later") }
            let filled = s.filledQuantity ?? .zero
            if (filled.isPositive || s.status == .filled), let v = s.venueOrderId, let oid = Int64(v) {
                s.fills = await fillsOf(oid: oid, instrument: inst, sinceMs: order.createdAt / 1_000_000 - 5_000)
            }
            return .found(s)
        }
    }

    public func openOrders() async throws -> [VenueOpenOrder] {
        let j = try await info(HyperliquidActions.info("frontendOpenOrders", [JSONMember("user", .string(credentials.tradingAccount)), JSONMember("dex", .string(""))]))
        let now = time.nowNanos()
        return (j.arrayValue ?? []).compactMap { o in
            HyperliquidExecWire.openOrder(o, instrument: o["coin"]?.stringValue.flatMap { instrument(coin: $0) }, at: now)
        }
    }

    /// `userFillsByTime` from shortly before `since`, paged by time (2000 a page).
    public func fills(since: Int64) async throws -> [VenueFillReport] {
        var out: [VenueFillReport] = []
        var start = max(0, since / 1_000_000 - 2_000)
        var seen: Set<String> = []
        for _ in 0..<10 {
            let j = try await info(HyperliquidActions.info("userFillsByTime", [JSONMember("user", .string(credentials.tradingAccount)),
                                                                              JSONMember("startTime", .int(start))]))
            let list = j.arrayValue ?? []
            var last = start
            for f in list {
                guard let coin = f["coin"]?.stringValue, let inst = instrument(coin: coin), let r = HyperliquidExecWire.fill(f, instrument: inst),
                      seen.insert(r.fill.venueTradeId).inserted else { continue }
                out.append(r)
                last = max(last, f["time"]?.int64Value ?? last)
            }
            if list.count < 2000 { break }
            start = last
        }
        return out
    }

    public func account() async throws -> VenueAccountSnapshot {
        let list = instrumentList
        let perp = list.contains { $0.kind == .perp }
        let spot = list.contains { $0.kind == .spot }
        let user = [JSONMember("user", .string(credentials.tradingAccount))]
        let perpState = perp ? try await info(HyperliquidActions.info("clearinghouseState", user + [JSONMember("dex", .string(""))]), weight: 2) : nil
        let spotState = spot ? try await info(HyperliquidActions.info("spotClearinghouseState", user), weight: 2) : nil
        if let limits = try? await info(HyperliquidActions.info("userRateLimit", user)), let used = limits["nRequestsUsed"]?.intValue,
           let cap = limits["nRequestsCap"]?.intValue {
            rest.gate.record("address_requests", used: used, limit: cap)
        }
        return HyperliquidExecWire.account(perp: perpState, spot: spotState, instrument: { [self] coin in instrument(coin: coin) })
    }

    public func run(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async {
        let stream = HyperliquidPrivateStream(url: config.wsPrivateURL, account: credentials.tradingAccount, heartbeatMs: config.heartbeatMs,
                                              idleTimeoutMs: max(config.idleTimeoutMs, 30_000), instruments: { [self] coin in instrument(coin: coin) })
        await PrivateStreamRunner(venue: venue, protocol: stream, backoffMinMs: config.backoffMinMs, backoffMaxMs: config.backoffMaxMs,
                                  time: time, logger: logger).run(sink: { [self] event in
            remember(event)
            await sink(event)
        })
    }

    public var rateLimit: RateLimitUsage {
        var u = rest.gate.usage
        u.counters["ip_weight_1m"] = RateCounter(used: weights.used(now: time.nowNanos()), limit: HyperliquidWeights.limit)
        return u
    }
}
