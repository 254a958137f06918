import AlephBook
import AlephCore
import AlephCrypto
import AlephNet
import AlephRPC
import AlephVenueKit
import Logging
import Synchronization

/// dYdX v4 orders as signed Cosmos transactions sent to a node (`BROADCAST_MODE_SYNC`); order
/// states, fills and the account from the Indexer (`v4_subaccounts`, REST catch-up).
///
/// Short-term orders (market, IOC, and resting limits when `limit_orders = "short_term"`) carry
/// `good_til_block` = height + `good_til_blocks` and skip the account sequence, so they go out in
/// parallel. Long-term orders and their cancels take the account's sequence one at a time
/// (`DYDXSequence`) and carry a `timeout_height`, so a lost one can never land late. `code 0` only
/// means CheckTx admitted the transaction: the order's fate is what the Indexer reports, awaited
/// briefly before answering. An order the Indexer never saw whose expiry height has passed is
/// `gone` (it never reached the book); one it saw that expired unfilled is `expired`.
public final class DYDXExecutor: VenueExecutor {
    /// `dydx`.
    public let venue = "dydx"
    /// Live.
    public let mode = ExecutionMode.live
    /// Remote; alphanumeric client ids mapped to 32-bit client ids; no batches or modifies.
    public let traits: ExecutorTraits
    let config: VenueConfig
    let credentials: DYDXCredentials
    let rest: VenueREST
    let node: DYDXNode
    let time: any TimeSource
    let logger: Logger
    let sequence = DYDXSequence()

    struct State {
        var markets: [String: DYDXMarket] = [:]
        var byTicker: [String: Instrument] = [:]
        var byId: [String: Instrument] = [:]
        var accountNumber: UInt64?
        var height: Int64 = 0
        var heightAt: Int64 = 0
        /// Indexer order UUID → our client order id.
        var owners: [String: String] = [:]
        /// Client order id → order flags it was placed with.
        var flags: [String: UInt32] = [:]
        /// Client order id → the height after which an order the Indexer never saw cannot exist.
        var deadAfter: [String: Int64] = [:]
        var cancelRequested: Set<String> = []
        /// Client order id → market ticker.
        var tickerOf: [String: String] = [:]
        /// The latest Indexer state of recent orders (an order answer waits for it).
        var latest: [String: VenueOrderState] = [:]
        var latestOrder: [String] = []
        var streamUp = false
        /// Fills the stream brought for recent orders (an order answer takes them instead of a REST read).
        var streamFills: [String: [VenueFill]] = [:]
    }
    let state = Mutex(State())

    /// Creates the executor (`transport`: the real HTTP client unless a test swaps it).
    public init(config: VenueConfig, credentials: DYDXCredentials, time: any TimeSource, logger: Logger, transport: any HTTPSending = HTTPTransport()) {
        self.config = config
        self.credentials = credentials
        self.time = time
        self.logger = logger
        rest = VenueREST(venue: "dydx", time: time, transport: transport, onReply: { r, rest in DYDXExecutor.account(r, rest: rest, logger: logger) })
        node = DYDXNode(url: config.nodeURL, rest: rest)
        // After a restart an order's expiry height is not known: "not found" is final after the
        // window at the slowest block rate assumed.
        traits = ExecutorTraits(remote: true, notFoundFinalAfterMs: config.goodTilBlocks * config.blockTimeMs + config.recvWindowMs,
                                maxClientOrderIdLength: 32, clientIdFormat: .alphanumeric, batchLimit: 1, modifies: false, streamsAccount: false)
    }

    /// 429 from the node or the Indexer: nothing is sent until its `Retry-After` (1 s when none).
    static func account(_ r: HTTPReply, rest: VenueREST, logger: Logger) {
        guard r.status == 429 else { return }
        let seconds = r.header("retry-after").flatMap { Int64($0) } ?? 1
        rest.gate.block(until: rest.nowNanos() + seconds * 1_000_000_000)
        logger.warning("dYdX rate limit (HTTP 429): nothing is sent until it clears", metadata: ["retry_after_s": "\(seconds)"])
    }

    /// The subaccount owner.
    public var address: String { credentials.address }

    /// Loads instruments (ticker ↔ id).
    public func setInstruments(_ list: [Instrument]) {
        state.withLock { s in
            for i in list where i.venue == venue && !i.symbol.isEmpty {
                s.byTicker[i.symbol] = i
                s.byId[i.id] = i
            }
        }
    }

    /// Sets market parameters (tests and benchmarks; otherwise read from the Indexer on first use).
    public func setMarkets(_ m: [String: DYDXMarket]) { state.withLock { $0.markets.merge(m) { $1 } } }

    func instrument(id: String) -> Instrument? { state.withLock { $0.byId[id] } }
    func instrument(ticker: String) -> Instrument? { state.withLock { $0.byTicker[ticker] } }

    /// A market's parameters, read from the Indexer when not known yet.
    func market(_ ticker: String) async -> DYDXMarket? {
        if let m = state.withLock({ $0.markets[ticker] }) { return m }
        if let j = try? await indexer("/perpetualMarkets"), let all = try? DYDXMarket.parse(j) { setMarkets(all) }
        return state.withLock { $0.markets[ticker] }
    }

    /// An Indexer REST query that must answer 200 with JSON.
    func indexer(_ pathAndQuery: String) async throws -> JSON {
        let body = try await rest.get(HTTPRequestSpec(method: "GET", url: config.restURL + pathAndQuery),
                                      describe: { "Indexer \(pathAndQuery): HTTP \($0.status) \(String(decoding: $0.body.prefix(200), as: UTF8.self))" })
        do { return try JSONParser.parse(body) } catch { throw HTTPFailure(description: "Indexer \(pathAndQuery) answered non-JSON: \(error)") }
    }

    var subaccountQuery: String { "address=\(credentials.address)&subaccountNumber=\(config.subaccountNumber)" }

    // MARK: chain state

    /// The account number (read once; the sequence is the lane's).
    func accountNumber() async throws -> UInt64 {
        if let n = state.withLock({ $0.accountNumber }) { return n }
        let a = try await node.account(credentials.address)
        state.withLock { $0.accountNumber = a.number }
        return a.number
    }

    /// Takes a block height seen anywhere (stream, node); heights only move forward.
    func noteHeight(_ h: Int64) {
        let now = time.nowNanos()
        state.withLock { s in
            if h >= s.height {
                s.height = h
                s.heightAt = now
            }
        }
    }

    /// The chain's height: the latest seen when recent, else the node's.
    func currentHeight() async throws -> Int64 {
        let (h, at) = state.withLock { ($0.height, $0.heightAt) }
        if h > 0 && time.nowNanos() - at < Int64(max(250, min(config.blockTimeMs, 2_000))) * 1_000_000 { return h }
        let fresh = try await node.height()
        noteHeight(fresh)
        return max(fresh, h)
    }

    /// The known height (no query).
    var knownHeight: Int64 { state.withLock { $0.height } }

    // MARK: the Indexer's view of our orders

    /// Records an Indexer order (its UUID and flags) and returns its state for the engine.
    func observe(_ o: DYDXExecWire.IndexerOrder) -> VenueOrderState {
        let now = time.nowNanos()
        return state.withLock { s in
            s.owners[o.uuid] = o.clientOrderId
            s.flags[o.clientOrderId] = o.orderFlags
            if !o.ticker.isEmpty { s.tickerOf[o.clientOrderId] = o.ticker }
            let st = DYDXExecWire.state(o, height: s.height, nowNs: now, cancelRequested: s.cancelRequested.contains(o.clientOrderId))
            if s.latest[o.clientOrderId] == nil { s.latestOrder.append(o.clientOrderId) }
            s.latest[o.clientOrderId] = st
            if s.latestOrder.count > 4_000 {
                for old in s.latestOrder.prefix(1_000) { s.latest[old] = nil }
                s.latestOrder.removeFirst(1_000)
            }
            return st
        }
    }

    /// Keeps fills the stream brought for an order (deduplicated; recent orders only).
    func remember(_ cid: String, _ fills: [VenueFill]) {
        state.withLock { st in
            var list = st.streamFills[cid] ?? []
            for f in fills where !list.contains(where: { $0.venueTradeId == f.venueTradeId }) { list.append(f) }
            if st.streamFills.count > 4_000 { st.streamFills.removeAll(keepingCapacity: true) }
            st.streamFills[cid] = list
        }
    }

    func owner(_ uuid: String) -> String? { state.withLock { $0.owners[uuid] } }

    /// Every order of the subaccount on a market the Indexer lists (newest first).
    func indexerOrders(ticker: String?) async throws -> [DYDXExecWire.IndexerOrder] {
        let t = ticker.map { "&ticker=\($0)" } ?? ""
        let j = try await indexer("/orders?\(subaccountQuery)\(t)&limit=1000&returnLatestOrders=true")
        return (j.arrayValue ?? j["orders"]?.arrayValue ?? []).compactMap(DYDXExecWire.order)
    }

    /// The fills of one order (by its UUID).
    func fills(ofOrder uuid: String, ticker: String) async -> [VenueFill] {
        guard let j = try? await indexer("/fills?\(subaccountQuery)&market=\(ticker)&marketType=PERPETUAL&limit=1000") else { return [] }
        return (j["fills"]?.arrayValue ?? []).compactMap { f in
            guard let r = DYDXExecWire.fill(f), r.orderUUID == uuid else { return nil }
            return r.fill
        }
    }

    // MARK: sending

    /// One signed transaction's answer.
    enum Sent {
        case admitted(String)
        case refused(VenueRejection, codespace: String, code: Int, log: String)
        case already(String)
        case notSent(String)
        case unknown(String)
    }

    /// Signs and broadcasts one message; `sequence` is the lane's for stateful transactions.
    nonisolated(nonsending) func send(_ message: [UInt8], sequence seq: UInt64, timeoutHeight: UInt64) async -> Sent {
        let number: UInt64
        do { number = try await accountNumber() } catch { return .notSent("account number unknown: \(error)") }
        let signed: CosmosTx.Signed
        do {
            signed = try credentials.sign(messages: [message], memo: "AlephTX", timeoutHeight: timeoutHeight, chainId: config.chainName,
                                          accountNumber: number, sequence: seq)
        } catch {
            return .notSent("signing failed: \(error)")
        }
        switch await node.broadcast(signed.txRaw, timeoutMs: config.submitTimeoutMs) {
        case .notSent(let why): return .notSent(why)
        case .unknown(let why): return .unknown("no answer from the dYdX node within \(config.submitTimeoutMs) ms (\(why)); tx \(signed.txHash)")
        case .reply(let r):
            if r.status == 429 {
                let ms = r.header("retry-after").flatMap { Int($0) }.map { $0 * 1000 } ?? 1000
                return .refused(VenueRejection(code: .venueRateLimited, venueCode: "429", message: "dYdX node rate limit (HTTP 429)", retryable: true, retryAfterMs: ms),
                                codespace: "http", code: 429, log: "")
            }
            if r.status >= 500 { return .unknown("the dYdX node answered HTTP \(r.status); tx \(signed.txHash)") }
            if r.status != 200 {
                let text = String(decoding: r.body.prefix(300), as: UTF8.self)
                return .refused(VenueRejection(code: .venueRejected, venueCode: "http:\(r.status)", message: "the dYdX node refused the transaction (HTTP \(r.status)): \(text)"),
                                codespace: "http", code: r.status, log: text)
            }
            switch DYDXExecWire.broadcast(r.body) {
            case nil: return .unknown("the dYdX node answered 200 with an unreadable body; tx \(signed.txHash)")
            case .accepted(let hash)?: return .admitted(hash)
            case .refused(let space, let code, let log)?:
                if DYDXExecWire.alreadyThere(codespace: space, code: code) { return .already("\(space):\(code) \(log.prefix(200))") }
                return .refused(DYDXExecWire.rejection(codespace: space, code: code, log: log), codespace: space, code: code, log: log)
            }
        }
    }

    /// A stateful transaction under the account sequence: read when unknown, retried (at most
    /// twice) with the sequence the node names on `incorrect account sequence`. Its
    /// `timeout_height` (`timeoutBlocks` past the height) is taken once the lane is ours — a
    /// transaction that waited behind a slow one must not leave already timed out — and handed
    /// to `willSend` first.
    nonisolated(nonsending) func sendStateful(_ message: [UInt8], timeoutBlocks: UInt64, willSend: (UInt64) -> Void = { _ in }) async -> Sent {
        await sequence.acquire()
        let timeoutHeight: UInt64
        do { timeoutHeight = UInt64(max(0, try await currentHeight())) + timeoutBlocks } catch {
            await sequence.release()
            return .notSent("the dYdX node's height is unknown (\(error))")
        }
        willSend(timeoutHeight)
        var result = Sent.notSent("not attempted")
        for _ in 0..<3 {
            var seq = await sequence.next
            if seq == nil {
                do {
                    let a = try await node.account(credentials.address)
                    state.withLock { $0.accountNumber = a.number }
                    seq = a.sequence
                } catch {
                    result = .notSent("account sequence unknown: \(error)")
                    break
                }
            }
            let used = seq ?? 0
            result = await send(message, sequence: used, timeoutHeight: timeoutHeight)
            switch result {
            case .admitted: await sequence.admitted(used)
            case .refused(_, let space, let code, let log) where space == "sdk" && code == 32:
                await sequence.set(DYDXExecWire.expectedSequence(log))
                logger.info("dYdX account sequence resynchronised", metadata: ["expected": "\(DYDXExecWire.expectedSequence(log).map(String.init) ?? "?")"])
                continue
            case .unknown, .already: await sequence.set(nil)
            case .refused, .notSent: break
            }
            break
        }
        await sequence.release()
        return result
    }

    // MARK: orders

    public nonisolated(nonsending) func submit(_ request: SubmitRequest) async -> SubmitOutcome {
        let order = request.order
        let cid = order.clientOrderId ?? ""
        if let r = rest.rateRefusal() { return .rejected(r) }
        guard let inst = instrument(id: order.instrument), let market = await market(inst.symbol) else {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "dYdX market for \(order.instrument) is not loaded yet", retryable: true))
        }
        let height: Int64
        do { height = try await currentHeight() } catch {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: the dYdX node's height is unknown (\(error))", retryable: true))
        }
        do { _ = try await accountNumber() } catch {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: the dYdX account cannot be read (\(error))", retryable: true))
        }
        let context = DYDXOrders.Context(owner: credentials.address, subaccount: UInt32(config.subaccountNumber), height: UInt32(clamping: height),
                                         nowSeconds: rest.nowMs() / 1000, goodTilBlocks: UInt32(config.goodTilBlocks),
                                         statefulTTLSeconds: Int64(config.statefulTTLSeconds), slippageBps: config.marketSlippageBps,
                                         shortTermLimits: config.shortTermLimits)
        let chainOrder: DYDXMessages.Order
        switch DYDXOrders.build(order, market: market, book: request.book, context: context) {
        case .success(let o): chainOrder = o
        case .failure(let r): return .rejected(r)
        }
        let shortTerm = chainOrder.id.orderFlags == 0
        state.withLock { s in
            s.flags[cid] = chainOrder.id.orderFlags
            s.tickerOf[cid] = inst.symbol
            if case .block(let b) = chainOrder.goodTil { s.deadAfter[cid] = Int64(b) }
        }
        let message = DYDXMessages.placeOrder(chainOrder)
        let sent: Sent
        if shortTerm {
            sent = await send(message, sequence: await sequence.next ?? 0, timeoutHeight: 0)
        } else {
            // A lost stateful order can land only until its timeout height.
            sent = await sendStateful(message, timeoutBlocks: UInt64(config.goodTilBlocks)) { h in state.withLock { $0.deadAfter[cid] = Int64(h) } }
        }
        switch sent {
        case .notSent(let why): return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why): return .uncertain(why)
        case .already(let why): return .uncertain("the order already reached the chain (\(why)); its state is read from the Indexer")
        case .refused(let r, _, _, _): return .rejected(r)
        case .admitted(let hash):
            return .acknowledged(await awaitIndexer(cid, ioc: chainOrder.timeInForce == 1, txHash: hash))
        }
    }

    /// The Indexer's report of an admitted order: its end for an IOC, any state for a resting
    /// order, waited for up to the submit timeout (then `open` as admitted; the stream and
    /// lookups finish it).
    nonisolated(nonsending) func awaitIndexer(_ cid: String, ioc: Bool, txHash: String) async -> VenueOrderState {
        let deadline = time.nowNanos() + Int64(config.submitTimeoutMs) * 1_000_000
        var polls = 0
        while time.nowNanos() < deadline {
            if let s = state.withLock({ $0.latest[cid] }), let st = s.status, !ioc || st.isTerminal {
                var out = s
                let want = s.filledQuantity ?? .zero
                if want.isPositive, let uuid = s.venueOrderId, let t = ticker(of: cid) {
                    // The stream's fills usually arrive with the state; a REST read fills any gap.
                    let streamed = state.withLock { $0.streamFills[cid] ?? [] }
                    out.fills = streamed.reduce(Fixed.zero, { $0 + $1.quantity }) >= want ? streamed : await fills(ofOrder: uuid, ticker: t)
                }
                return out
            }
            polls += 1
            // Without the stream, ask the Indexer now and then.
            if polls % 40 == 0 || (!state.withLock { $0.streamUp } && polls % 10 == 0), let t = ticker(of: cid) {
                if let list = try? await indexerOrders(ticker: t), let o = list.first(where: { $0.clientOrderId == cid }) { _ = observe(o) }
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return VenueOrderState(clientOrderId: cid, status: .open, filledQuantity: .zero, reason: "admitted by the node (tx \(txHash)); not yet reported by the Indexer",
                               timestamp: time.nowNanos())
    }

    /// Ticker of an order we placed (from its instrument), for lookups.
    func ticker(of cid: String) -> String? { state.withLock { s in s.tickerOf[cid] } }

    public nonisolated(nonsending) func cancel(_ order: Order) async -> CancelOutcome {
        guard let cid = order.clientOrderId, DYDXClientIds.chain(cid) != nil || cid.hasPrefix("dydx:") else { return .notLive("no dYdX client id") }
        guard let inst = instrument(id: order.instrument), let market = await market(inst.symbol) else {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "dYdX market for \(order.instrument) is not loaded yet", retryable: true))
        }
        if let r = rest.rateRefusal() { return .rejected(r) }
        let height: Int64
        do { height = try await currentHeight() } catch {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: the dYdX node's height is unknown (\(error))", retryable: true))
        }
        let known = state.withLock { ($0.flags[cid], $0.deadAfter[cid]) }
        let flags = known.0 ?? (order.type == .limit && order.timeInForce == .gtc && !config.shortTermLimits ? DYDXOrders.longTermFlags : 0)
        guard let id = orderId(cid, flags: flags, market: market) else { return .notLive("not one of our dYdX client ids") }
        state.withLock { _ = $0.cancelRequested.insert(cid) }
        let sent: Sent
        if flags == 0 {
            // A short-term cancel must outlive the order: good-til-block at least the order's.
            let gtb = max(height + Int64(config.goodTilBlocks), known.1 ?? 0)
            sent = await send(DYDXMessages.cancelOrder(id, goodTil: .block(UInt32(clamping: gtb))), sequence: await sequence.next ?? 0, timeoutHeight: 0)
        } else {
            let gtbt = rest.nowMs() / 1000 + Int64(min(config.statefulTTLSeconds, 30 * 86_400))
            sent = await sendStateful(DYDXMessages.cancelOrder(id, goodTil: .time(UInt32(clamping: gtbt))), timeoutBlocks: UInt64(config.goodTilBlocks))
        }
        switch sent {
        case .notSent(let why):
            state.withLock { _ = $0.cancelRequested.remove(cid) }
            return .rejected(VenueRejection(code: .venueUnavailable, message: "not sent: \(why)", retryable: true))
        case .unknown(let why): return .uncertain(why)
        case .already: return .accepted
        case .admitted: return .accepted
        case .refused(let r, let space, let code, _):
            if space == "clob" && (code == 3006 || code == 3008 || code == 3009 || code == 9) { return code == 9 ? .accepted : .notLive(r.message) }
            state.withLock { _ = $0.cancelRequested.remove(cid) }
            return .rejected(r)
        }
    }

    /// The chain order id of one of ours, or of another client's (`dydx:<flags>:<clob>:<id>`).
    func orderId(_ cid: String, flags: UInt32, market: DYDXMarket) -> DYDXMessages.OrderId? {
        if let id = DYDXOrders.orderId(cid, flags: flags, market: market, owner: credentials.address, subaccount: UInt32(config.subaccountNumber)) { return id }
        let parts = cid.split(separator: ":")
        guard parts.count == 4, parts[0] == "dydx", let f = UInt32(parts[1]), let clob = UInt32(parts[2]), let n = UInt32(parts[3]) else { return nil }
        return DYDXMessages.OrderId(owner: credentials.address, number: UInt32(config.subaccountNumber), clientId: n, orderFlags: f, clobPairId: clob)
    }

    public func lookup(_ order: Order) async -> LookupResult {
        guard let cid = order.clientOrderId else { return .failed("no client order id") }
        guard let inst = instrument(id: order.instrument) else { return .failed("instrument not loaded") }
        if let r = rest.rateRefusal() { return .failed(r.message) }
        var found: DYDXExecWire.IndexerOrder?
        if let uuid = order.venueOrderId, !uuid.isEmpty {
            // Known to the Indexer before: read it by its UUID (exact, however long the history).
            switch await rest.send(HTTPRequestSpec(method: "GET", url: "\(config.restURL)/orders/\(uuid)"), timeout: .seconds(10)) {
            case .reply(let r) where r.status == 200:
                guard let j = try? JSONParser.parse(r.body), let o = DYDXExecWire.order(j) else { return .failed("unreadable Indexer order \(uuid)") }
                found = o
            case .reply(let r) where r.status == 404: break
            case .reply(let r): return .failed("Indexer /orders/\(uuid): HTTP \(r.status)")
            case .notSent(let why), .unknown(let why): return .failed("Indexer /orders/\(uuid): \(why)")
            }
        }
        if found == nil {
            let list: [DYDXExecWire.IndexerOrder]
            do { list = try await indexerOrders(ticker: inst.symbol) } catch { return .failed("\(error)") }
            found = list.first(where: { $0.clientOrderId == cid })
        }
        if let o = found, o.clientOrderId == cid {
            var s = observe(o)
            if o.filled.isPositive { s.fills = await fills(ofOrder: o.uuid, ticker: inst.symbol) }
            s.clientOrderId = cid
            return .found(s)
        }
        // Never seen: final once the chain is past the order's expiry height (and the Indexer
        // has had two blocks to catch up); before that, or after a restart, the time rule decides.
        if let dead = state.withLock({ $0.deadAfter[cid] }) {
            let h = (try? await currentHeight()) ?? knownHeight
            if h > dead + 2 { return .gone("not seen by the dYdX Indexer and the chain (height \(h)) is past its expiry height \(dead)") }
        }
        return .notFound
    }

    public func openOrders() async throws -> [VenueOpenOrder] {
        let list = try await indexerOrders(ticker: nil)
        return list.compactMap { o in
            let s = observe(o)
            guard s.status == .open || s.status == .partiallyFilled else { return nil }
            return VenueOpenOrder(state: s, symbol: o.ticker, instrument: instrument(ticker: o.ticker)?.id, side: o.side, price: o.price, quantity: o.size,
                                  createdAt: o.updatedAt)
        }
    }

    /// The subaccount's fills since shortly before `since` (their orders named by UUID, resolved
    /// through the orders seen or one lookup each).
    public func account() async throws -> VenueAccountSnapshot {
        _ = try? await accountNumber()
        let j = try await indexer("/addresses/\(credentials.address)/subaccountNumber/\(config.subaccountNumber)")
        guard let a = DYDXExecWire.account(j["subaccount"] ?? j, instrument: { [self] t in instrument(ticker: t) }) else {
            throw HTTPFailure(description: "Indexer subaccount answer without equity and freeCollateral")
        }
        return a
    }

    public func run(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async {
        let stream = DYDXPrivateStream(url: config.wsPrivateURL.isEmpty ? config.wsURL : config.wsPrivateURL, address: credentials.address,
                                       subaccount: config.subaccountNumber, heartbeatMs: config.heartbeatMs, idleTimeoutMs: max(config.idleTimeoutMs, 5_000),
                                       observe: { [self] o in observe(o) }, owner: { [self] u in owner(u) }, onHeight: { [self] h in noteHeight(h) },
                                       onFills: { [self] cid, fills in remember(cid, fills) })
        await PrivateStreamRunner(venue: venue, protocol: stream, backoffMinMs: config.backoffMinMs, backoffMaxMs: config.backoffMaxMs,
                                  time: time, logger: logger).run(sink: { [self] event in
            switch event {
            case .streamUp: state.withLock { $0.streamUp = true }
            case .streamDown: state.withLock { $0.streamUp = false }
            default: break
            }
            await sink(event)
        })
    }

    public var rateLimit: RateLimitUsage { rest.gate.usage }
}
