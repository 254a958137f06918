import AlephCore
import AlephRPC

extension Engine {
    /// Every method the gateway serves. A test checks each has schema files and vice versa.
    public static let methods: [String] = [
        "rpc.discover", "ping", "list_instruments", "get_book", "subscribe", "unsubscribe", "place_signal",
        "cancel_order", "modify_order", "cancel_all", "get_orders", "get_fills", "get_positions", "get_balances",
        "get_risk", "halt", "resume", "set_risk_limits", "session.hello", "session.set_deadman", "get_health",
        "backtest.step", "submit_transaction",
    ]

    /// Methods a session may call before authenticating (when authentication is required).
    static let openMethods: Set<String> = ["ping", "rpc.discover", "session.hello"]

    /// Every notification method the gateway sends.
    public static let notifications: [String] = SubscriptionChannel.allCases.map(\.rawValue) + ["backtest.finished"]

    /// Methods that reach a venue (a backtest delays them by the order latency).
    static let tradingMethods: Set<String> = ["place_signal", "cancel_order", "modify_order", "cancel_all"]

    /// Methods whose answers report nothing the ledger keeps: they need not wait for a commit.
    static let marketMethods: Set<String> = ["ping", "rpc.discover", "list_instruments", "get_book", "subscribe", "unsubscribe", "session.hello", "session.set_deadman", "get_health", "backtest.step"]

    /// Executes one decoded line and queues its response(s) on the session's outbox. Answers that
    /// report ledger state are released only once that state is durable.
    public func execute(_ message: RPCMessage, session: Session) async {
        touchDeadman(session.id)
        var after: [Outgoing] = []
        deferred = []
        var response: [UInt8]? = nil
        var failure: FailureAnswer? = nil
        var needsLedger = false
        switch message {
        case .failure(let error):
            var out: [UInt8] = []
            RPCEnvelope.writeError(id: .null, error: error, into: &out)
            response = out
        case .single(let call):
            needsLedger = Engine.touchesLedger(call)
            response = await answer(call, session: session, after: &after)
            if needsLedger, response != nil, case .request(let req) = call, let id = req.id { failure = .ledgerUnavailable(ids: [id], batch: false) }
        case .batch(let calls):
            var out: [UInt8] = [UInt8(ascii: "[")]
            var any = false
            var ids: [RPCId] = []
            let batchAnswers: [[UInt8]?]? = Engine.isSignalBatch(calls) ? await answerSignalBatch(calls, session: session) : nil
            for (k, call) in calls.enumerated() {
                needsLedger = needsLedger || Engine.touchesLedger(call)
                let answered: [UInt8]?
                if let batchAnswers { answered = batchAnswers[k] } else { answered = await answer(call, session: session, after: &after) }
                guard let one = answered else { continue }
                if any { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: one)
                any = true
                if case .request(let req) = call, let id = req.id { ids.append(id) }
            }
            out.append(UInt8(ascii: "]"))
            if any {
                response = out
                if needsLedger { failure = .ledgerUnavailable(ids: ids, batch: true) }
            }
        }
        let raised = deferred ?? []
        deferred = nil
        // Market-only requests that journaled nothing need no commit and wait for nothing.
        let ticket = needsLedger || !pendingRecords.isEmpty ? commitStep() : 0
        if let response { sender.send(session.outbox, response, ticket: needsLedger ? ticket : 0, failure: failure) }
        for o in after + raised { sender.send(o.outbox, o.bytes, slot: o.slot, ticket: o.durable ? ticket : 0) }
        if let reason = sessionStates[session.id]?.hangUp {
            // Closed once what is queued (this answer included) is written.
            session.outbox.hangUp(reason: reason)
        }
    }

    static func touchesLedger(_ call: RPCCall) -> Bool {
        guard case .request(let req) = call else { return false }
        return !marketMethods.contains(req.method)
    }

    /// Hands the current step's records to the ledger; returns the ticket covering them and everything before.
    func commitStep() -> UInt64 {
        persistRiskIfChanged()
        let t = ledger.append(pendingRecords)
        pendingRecords.removeAll(keepingCapacity: true)
        return t
    }

    /// Ends a market step: commit, then release its notifications.
    func finishStep() {
        // Debug builds (every e2e run) check the open-order totals against a full recount each step.
        assert(orders.totalsMatchRecount, "open-order running totals drifted from the open orders")
        let raised = deferred ?? []
        deferred = nil
        let ticket = commitStep()
        for o in raised { sender.send(o.outbox, o.bytes, slot: o.slot, ticket: o.durable ? ticket : 0) }
    }

    /// Runs one call; returns the encoded response, or nil for a notification.
    func answer(_ call: RPCCall, session: Session, after: inout [Outgoing]) async -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        switch call {
        case .invalid(let id, let error):
            RPCEnvelope.writeError(id: id, error: error, into: &out)
            return out
        case .request(let req):
            do {
                let result = try await dispatch(req, session: session, after: &after)
                guard let id = req.id else { return nil }
                RPCEnvelope.writeResult(id: id, result: result, into: &out)
            } catch {
                guard let id = req.id else { return nil }
                RPCEnvelope.writeError(id: id, error: error, into: &out)
            }
            return out
        }
    }

    func dispatch(_ req: RPCRequest, session: Session, after: inout [Outgoing]) async throws(RPCError) -> JSON {
        if sessionStates[session.id]?.authenticated == false && !Engine.openMethods.contains(req.method) {
            throw RPCError.app(.unauthorized, "this gateway requires authentication: send session.hello with the token first")
        }
        if let lockstep = config.lockstep, Engine.tradingMethods.contains(req.method) {
            // The order latency passes (in simulated time) before the venue sees the request.
            await suspendStep { await lockstep.beforeTrading(session: session) }
        }
        switch req.method {
        case "ping":
            _ = try Params(req.params, allowed: [])
            return .object([JSONMember("pong", .bool(true)), JSONMember("server_ts_us", .int(time.nowNanos() / 1000))])
        case "rpc.discover":
            _ = try Params(req.params, allowed: [])
            return OpenRPC.document
        case "list_instruments": return try listInstruments(req.params)
        case "get_book": return try getBook(req.params)
        case "subscribe":
            let (result, initial) = try subscribe(req.params, session: session)
            if let initial { after.append(initial) }
            return result
        case "unsubscribe": return try unsubscribe(req.params, session: session)
        case "place_signal": return try await placeSignal(req.params, session: session)
        case "cancel_order": return try await cancelOrder(req.params)
        case "modify_order": return try await modifyOrder(req.params, session: session)
        case "cancel_all": return try await cancelAll(req.params)
        case "get_orders": return try getOrders(req.params)
        case "get_fills": return try getFills(req.params)
        case "get_positions": return try getPositions(req.params)
        case "get_balances": return try getBalances(req.params)
        case "get_risk": return try getRisk(req.params, session: session)
        case "halt": return try await halt(req.params, session: session)
        case "resume": return try resume(req.params, session: session)
        case "set_risk_limits": return try setRiskLimits(req.params, session: session)
        case "session.hello": return try sessionHello(req.params, session: session)
        case "session.set_deadman": return try setDeadman(req.params, session: session)
        case "get_health": return try getHealth(req.params)
        case "backtest.step": return try await backtestStep(req.params, session: session)
        case "submit_transaction": return try await submitTransaction(req.params, session: session)
        case "test.internal_error" where config.testHooks:
            throw RPCError.internalError("injected by test.internal_error (--test-hooks)")
        default: throw RPCError.methodNotFound(req.method)
        }
    }
}
