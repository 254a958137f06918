import AlephBook
import AlephCore
import AlephRPC
import AlephRisk
import AlephVenues

extension Engine {
    /// `place_signal`: idempotency first, then the risk gate, then the executor of the
    /// instrument's venue — the same path for paper and live. A remote venue's order is durable
    /// (with its client order id) before its request leaves; an answer that does not come makes
    /// the order `uncertain`, which is never resent, only looked up.
    func placeSignal(_ params: JSON?, session: Session) async throws(RPCError) -> JSON {
        switch try await prepareSignal(params, session: session, batch: nil) {
        case .answer(let a): return a
        case .inBatch: throw RPCError.internalError("a single signal cannot repeat its own batch")
        case .ready(let r):
            try await makeDurable([r])
            let executor = executor(for: r.inst.venue)
            let outcome = r.remote ? await suspendStep { await executor.submit(r.request) } : await executor.submit(r.request)
            let answer = settleSubmit(r.req, orderId: r.request.order.id, outcome: outcome, params: r.params, session: session, inst: r.inst,
                                      decidedOn: r.decidedOn)
            await cancelIfCalledOff(r.request.order.id)
            return answer
        }
    }

    /// A remote venue's orders (and their intents) durable before their requests leave: a venue
    /// accepts a client id again once the first order is final, so only the ledger can stop a
    /// second order after a crash. Nothing leaves before this.
    func makeDurable(_ ready: [ReadySignal]) async throws(RPCError) {
        guard ready.contains(where: \.remote) else { return }
        let ticket = commitStep()
        let durable = await suspendStep { await sender.waitDurable(ticket) }
        if !durable {
            for r in ready { finishFlight(r.req.intentId, result: nil) }
            throw RPCError.app(.ledgerUnavailable, "the ledger failed before the order could be made durable; nothing was sent")
        }
    }

    /// Idempotency, the risk gate and the order's journal record: everything before the send.
    /// `batch`: intent ids already prepared in the same JSON-RPC batch (a repeat waits for the batch).
    func prepareSignal(_ params: JSON?, session: Session, batch: Set<String>?) async throws(RPCError) -> SignalStep {
        let req = try SignalRequest(params)
        if let batch, batch.contains(req.intentId) { return .inBatch }
        if !req.preview {
            if let prior = intents[req.intentId] {
                if prior.fingerprint != req.fingerprint { throw conflict(req.intentId, orderId: prior.orderId) }
                return .answer(duplicateAnswer(prior))
            }
            if let flight = inFlight[req.intentId] {
                if flight.fingerprint != req.fingerprint { throw conflict(req.intentId, orderId: flight.orderId) }
                // The same intent is being placed right now: wait for its outcome, never trade twice.
                let first = await suspendStep { await withCheckedContinuation { (c: CheckedContinuation<JSON?, Never>) in
                    inFlight[req.intentId]?.waiters.append(c)
                } }
                if let first { return .answer(Engine.markDuplicate(first)) }
                // The first attempt was refused (nothing placed): this one is a fresh attempt.
                return try await prepareSignal(params, session: session, batch: batch)
            }
        }
        if !req.preview { try requireLedger() }
        let now = time.nowNanos()
        let inst = instruments[req.instrument]
        if let inst, (books[inst.id]?.sequence ?? 0) == 0 {
            throw RPCError.app(.venueUnavailable, "no market data for \(inst.id) yet; retry shortly", details: [JSONMember("instrument", .string(inst.id))])
        }
        if let inst, inst.kind == .outcome, let lp = req.limitPrice, lp >= Fixed(1) {
            throw RPCError.invalidParams(field: "limit_price", reason: "outcome shares are priced between 0 and 1 (they pay 1 \(inst.quote)); \(lp) is not")
        }
        let book = inst.flatMap { books[$0.id] }
        let decidedOn: JSON = book.map { Presenter.freshness($0, now: now) } ?? .null

        // Resolve the base quantity (a notional buys whole lots at the limit, or walks the book).
        var quantity = req.quantity ?? .zero
        if let notional = req.notional, let inst, let book {
            if let lp = req.limitPrice {
                quantity = (notional.divided(by: lp, rounding: .down) ?? .zero).floored(to: inst.lotSize)
            } else {
                quantity = book.walk(side: req.side, notional: notional, lotSize: inst.lotSize).quantity
            }
        }
        let intent = RiskIntent(instrument: req.instrument, side: req.side, quantity: quantity, type: req.type, limitPrice: req.limitPrice,
                                timeInForce: req.timeInForce, reduceOnly: req.reduceOnly, postOnly: req.postOnly, requestedNotional: req.notional)
        let state = riskState(for: intent, session: session.id, now: now)
        let decision = RiskGate.check(intent, state, risk.limits(for: req.instrument), now: now)
        if let b = decision.breach { apply(breach: b, equity: state.equity, now: now) }
        if let r = decision.rejection {
            // A gate rejection does not consume the intent id: the agent corrects and resends.
            var res = rejected(req, decidedOn: decidedOn, rejection: RiskPresenter.rejection(r, intent: intent, instrument: inst),
                               checks: RiskPresenter.checks(decision))
            if !req.preview { journalRejection(req, result: res, session: session.id, now: now) }
            if req.preview, let w = previewWarning(req) { res = Engine.adding("warnings", .array([.string(w)]), to: res) }
            return .answer(res)
        }
        guard let inst, let book else { throw RPCError.internalError("approved order without instrument or book") }

        var order = Order(id: "o-\(nextOrder)", intentId: req.intentId, instrument: inst.id, side: req.side, type: req.type,
                          timeInForce: req.timeInForce, limitPrice: req.limitPrice, quantity: quantity, postOnly: req.postOnly,
                          reduceOnly: req.reduceOnly, rationale: req.rationale, createdAt: now)
        order.venue = inst.venue
        let executor = executor(for: inst.venue)
        order.clientOrderId = clientIds.id(forOrder: order.id, format: executor.traits.clientIdFormat)
        if req.preview {
            var scratch = PaperVenue(config: config.paper)
            let outcome = scratch.submit(order, book: book)
            var res = result(req, order: order, orderId: nil, status: .previewed,
                             fills: outcome.fills.map { ($0.price, $0.quantity, $0.fee, $0.liquidity) }, reason: outcome.reason,
                             expectedStatus: outcome.status, inst: inst, decidedOn: decidedOn, checks: RiskPresenter.checks(decision))
            if let w = previewWarning(req) { res = Engine.adding("warnings", .array([.string(w)]), to: res) }
            return .answer(res)
        }
        order.live = executor.traits.remote
        if let phase = venueExec[inst.venue]?.state, phase == .reconciling {
            throw RPCError.app(.venueUnavailable, "\(inst.venue) is reconciling its orders after a start; retry shortly",
                               details: [JSONMember("instrument", .string(inst.id)), JSONMember("venue", .string(inst.venue)), JSONMember("retryable", .bool(true))])
        }
        risk.recordOrder(session: session.id, venue: inst.venue, now: now)
        nextOrder += 1
        orders[order.id] = order
        orderIds.append(order.id)
        orderSessions[order.id] = session.id
        orders.markOpen(order.id)
        let fingerprint = req.fingerprint
        inFlight[req.intentId] = InFlightIntent(fingerprint: fingerprint, orderId: order.id)
        // Journal first: the pending_submit order (and, for a remote venue, the intent already
        // consumed: a crash after the send must never let a retry place it again).
        pendingRecords.append(.order(order, session: session.id))
        let remote = executor.traits.remote
        if remote {
            pendingRecords.append(.intent(LedgerIntent(intentId: req.intentId, session: session.id, fingerprint: fingerprint, params: params ?? .null,
                                                       rationale: req.rationale, receivedAt: now,
                                                       result: pendingResult(req, order: order, inst: inst, decidedOn: decidedOn), orderId: order.id)))
        }
        return .ready(ReadySignal(req: req, params: params, inst: inst, decidedOn: decidedOn, remote: remote,
                                  request: SubmitRequest(order: order, instrument: inst, book: book, sentAt: now)))
    }

    /// Applies a submit outcome to the order, answers, and records the intent's outcome.
    func settleSubmit(_ req: SignalRequest, orderId: String, outcome: SubmitOutcome, params: JSON?, session: Session, inst: Instrument,
                      decidedOn: JSON) -> JSON {
        let now = time.nowNanos()
        let fillsBefore = fills.count
        var rejection: JSON? = nil
        var consumed = true
        switch outcome {
        case .acknowledged(let s):
            applyVenueState(s, at: now)
        case .rejected(let r):
            rejection = Engine.rejectionJSON(r)
            consumed = false
            if var o = orders[orderId], !o.status.isTerminal {
                o.move(to: .rejected, reason: r.description, at: now)
                orders[orderId] = o
                orders.markClosed(orderId)
                pendingRecords.append(.order(o, session: session.id))
                publishAccount(.orders, instrument: o.instrument, Presenter.order(o, instrument: inst))
            }
        case .uncertain(let why):
            if var o = orders[orderId], o.status == .pendingSubmit {
                o.move(to: .uncertain, reason: why, at: now)
                orders[orderId] = o
                pendingRecords.append(.order(o, session: session.id))
                publishAccount(.orders, instrument: o.instrument, Presenter.order(o, instrument: inst))
                logger.warning("order outcome unknown: it will be looked up, never resent", metadata: ["order": "\(orderId)", "venue": "\(o.venue)", "why": "\(why)"])
            }
        }
        let order = orders[orderId]!
        _ = fillsBefore
        // The order's fills so far, however they arrived (the answer, or the stream while it travelled).
        let booked = recentFills(of: order).map { ($0.price, $0.quantity, $0.fee, $0.liquidity) }
        var res = result(req, order: order, orderId: order.id, status: order.status, fills: booked, reason: order.reason, expectedStatus: nil,
                         inst: inst, decidedOn: decidedOn, checks: nil)
        if let rejection { res = Engine.adding("rejection", rejection, to: res) }
        let fingerprint = req.fingerprint
        if consumed { intents[req.intentId] = IntentRecord(fingerprint: fingerprint, firstResult: res, orderId: order.id) }
        pendingRecords.append(.intent(LedgerIntent(intentId: req.intentId, session: session.id, fingerprint: fingerprint, params: params ?? .null,
                                                   rationale: req.rationale, receivedAt: now, result: res, orderId: order.id)))
        finishFlight(req.intentId, result: consumed ? res : nil)
        return res
    }

    /// The fills of a recent order, oldest first: scanned back from the newest fill until they
    /// add up to the order's filled quantity (a fresh order's fills are the last ones booked).
    func recentFills(of order: Order) -> [Fill] {
        guard order.filledQuantity.isPositive else { return [] }
        var out: [Fill] = []
        var sum = Fixed.zero
        var k = fills.count - 1
        var scanned = 0
        while k >= 0 && sum < order.filledQuantity && scanned < 100_000 {
            let f = fills[k]
            if f.orderId == order.id {
                out.append(f)
                sum += f.quantity
            }
            k -= 1
            scanned += 1
        }
        return out.reversed()
    }

    /// Ends an in-flight intent and answers the duplicates that waited for it.
    func finishFlight(_ intentId: String, result: JSON?) {
        guard let f = inFlight.removeValue(forKey: intentId) else { return }
        for w in f.waiters { w.resume(returning: result) }
    }

    /// Ends the current synchronous step before awaiting a venue: its records are handed to the
    /// ledger and its own notifications are kept for the end of the request, so other requests
    /// and market data that run meanwhile never take or commit them.
    func suspendStep<T>(_ body: () async -> T) async -> T {
        let mine = deferred
        _ = commitStep()
        deferred = nil
        let value = await body()
        deferred = (deferred ?? []) + (mine ?? [])
        if mine == nil && deferred?.isEmpty == true { deferred = nil }
        return value
    }

    func conflict(_ intentId: String, orderId: String?) -> RPCError {
        RPCError.app(.intentConflict, "intent_id '\(intentId)' was already used with different parameters; use a new intent_id",
                     details: [JSONMember("intent_id", .string(intentId)), JSONMember("order_id", orderId.map(JSON.string) ?? .null)])
    }

    /// The intent's result while its order is being placed (stored before a remote send).
    func pendingResult(_ req: SignalRequest, order: Order, inst: Instrument, decidedOn: JSON) -> JSON {
        result(req, order: order, orderId: order.id, status: .pendingSubmit, fills: [], reason: nil, expectedStatus: nil, inst: inst,
               decidedOn: decidedOn, checks: nil)
    }

    /// A venue's refusal as a `rejection` object.
    static func rejectionJSON(_ r: VenueRejection) -> JSON {
        var b = JSONObjectBuilder()
        b.add("code", r.code.rawValue)
        b.add("message", r.message)
        b.add("limit", .null)
        b.add("value", .null)
        b.add("max_allowed_quantity", .null)
        b.add("retryable", r.retryable)
        b.add("retry_after_ms", r.retryAfterMs.map { JSON.int($0) } ?? .null)
        b.add("venue_code", r.venueCode.map(JSON.string) ?? .null)
        return b.json
    }

    /// What sending a previewed signal would run into with its intent id, if anything.
    func previewWarning(_ req: SignalRequest) -> String? {
        guard let prior = intents[req.intentId] else { return nil }
        if prior.fingerprint != req.fingerprint {
            return "intent_id '\(req.intentId)' was already used with different parameters: sending this would fail with intent_conflict; use a new intent_id"
        }
        return "intent_id '\(req.intentId)' was already used with these parameters: sending this would return its first outcome (duplicate) and trade nothing"
    }

    /// `result` with one more member.
    static func adding(_ key: String, _ value: JSON, to result: JSON) -> JSON {
        guard case .object(var members) = result else { return result }
        if let k = members.firstIndex(where: { $0.key == key }) { members[k].value = value } else { members.append(JSONMember(key, value)) }
        return .object(members)
    }

    func rejected(_ req: SignalRequest, decidedOn: JSON, rejection: JSON, checks: JSON) -> JSON {
        var b = JSONObjectBuilder()
        b.add("intent_id", req.intentId)
        b.add("order_id", .null)
        b.add("status", OrderStatus.rejected.rawValue)
        b.add("instrument", req.instrument)
        b.add("rejection", rejection)
        b.add("checks", checks)
        b.add("decided_on", decidedOn)
        b.add("duplicate", false)
        return b.json
    }

    func result(_ req: SignalRequest, order: Order, orderId: String?, status: OrderStatus, fills fs: [(Fixed, Fixed, Fixed, Liquidity)], reason: String?,
                expectedStatus: OrderStatus?, inst: Instrument, decidedOn: JSON, checks: JSON?) -> JSON {
        let pd = inst.priceDecimals, qd = inst.quantityDecimals
        var filled = Fixed.zero, notional = Fixed.zero, fees = Fixed.zero
        for f in fs { filled += f.1; notional += f.0.multiplied(by: f.1); fees += f.2 }
        var o = JSONObjectBuilder()
        o.add("instrument", inst.id)
        o.add("side", order.side.rawValue)
        o.add("type", order.type.rawValue)
        o.add("time_in_force", order.timeInForce.rawValue)
        o.add("quantity", Presenter.decimal(order.quantity, qd))
        o.add("limit_price", Presenter.optDecimal(order.limitPrice, pd))
        o.add("post_only", order.postOnly)
        o.add("reduce_only", order.reduceOnly)
        var b = JSONObjectBuilder()
        b.add("intent_id", req.intentId)
        b.add("order_id", orderId.map(JSON.string) ?? .null)
        b.add("status", status.rawValue)
        b.add("instrument", inst.id)
        b.add("order", o.json)
        if let expectedStatus { b.add("expected_status", expectedStatus.rawValue) }
        b.add("filled_quantity", Presenter.decimal(filled, qd))
        b.add("average_price", Presenter.optDecimal(filled.isZero ? nil : notional.divided(by: filled), pd))
        b.add("notional", Presenter.decimal(notional))
        b.add("fees", Presenter.decimal(fees))
        b.add("fills", .array(fs.map { f in
            .object([JSONMember("price", Presenter.decimal(f.0, pd)), JSONMember("quantity", Presenter.decimal(f.1, qd)),
                     JSONMember("fee", Presenter.decimal(f.2)), JSONMember("liquidity", .string(f.3.rawValue))])
        }))
        b.add("reason", reason.map(JSON.string) ?? .null)
        b.add("checks", checks)
        b.add("decided_on", decidedOn)
        b.add("duplicate", false)
        if orderId != nil, status != .previewed {
            b.add("venue", order.venue)
            b.add("mode", order.live ? "live" : "paper")
        }
        return b.json
    }

    /// The first outcome of an intent, marked duplicate. When that outcome was not final at the
    /// venue's answer (placed with no answer yet: `pending_submit`, `uncertain`), the order's state
    /// now is added as `current`, so a retry learns where it stands without trading again.
    func duplicateAnswer(_ prior: IntentRecord) -> JSON {
        var res = Engine.markDuplicate(prior.firstResult)
        let first = prior.firstResult["status"]?.stringValue
        if first == OrderStatus.pendingSubmit.rawValue || first == OrderStatus.uncertain.rawValue, let id = prior.orderId, let o = orders[id] {
            res = Engine.adding("current", Presenter.order(o, instrument: instruments[o.instrument]), to: res)
        }
        return res
    }

    static func markDuplicate(_ result: JSON) -> JSON {
        guard case .object(var members) = result else { return result }
        if let k = members.firstIndex(where: { $0.key == "duplicate" }) { members[k].value = .bool(true) }
        return .object(members)
    }
}
