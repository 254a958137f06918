import AlephBook
import AlephCore
import AlephRPC
import AlephRisk
import AlephVenues

extension Engine {
    /// `place_signal`: idempotency first, then the risk gate, then the paper venue.
    func placeSignal(_ params: JSON?, session: Session) throws(RPCError) -> JSON {
        let req = try SignalRequest(params)
        if !req.preview, let prior = intents[req.intentId] {
            if prior.fingerprint != req.fingerprint {
                throw RPCError.app(.intentConflict, "intent_id '\(req.intentId)' was already used with different parameters; use a new intent_id",
                                   details: [JSONMember("intent_id", .string(req.intentId)), JSONMember("order_id", prior.orderId.map(JSON.string) ?? .null)])
            }
            return Engine.markDuplicate(prior.firstResult)
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
            return res
        }
        guard let inst, let book else { throw RPCError.internalError("approved order without instrument or book") }

        var order = Order(id: "o-\(nextOrder)", intentId: req.intentId, instrument: inst.id, side: req.side, type: req.type,
                          timeInForce: req.timeInForce, limitPrice: req.limitPrice, quantity: quantity, postOnly: req.postOnly,
                          reduceOnly: req.reduceOnly, rationale: req.rationale, createdAt: now)
        order.venue = inst.venue
        order.clientOrderId = order.id
        if req.preview {
            var scratch = paper
            let outcome = scratch.submit(order, book: book)
            var res = result(req, order: order, orderId: nil, status: .previewed, expected: outcome, inst: inst, decidedOn: decidedOn,
                             checks: RiskPresenter.checks(decision))
            if let w = previewWarning(req) { res = Engine.adding("warnings", .array([.string(w)]), to: res) }
            return res
        }
        risk.recordOrder(session: session.id, venue: inst.venue, now: now)
        nextOrder += 1
        orders[order.id] = order
        orderIds.append(order.id)
        orderSessions[order.id] = session.id
        // Journal first: pending_submit, then what the venue answered.
        pendingRecords.append(.order(order, session: session.id))
        let outcome = paper.submit(order, book: book)
        for f in outcome.fills { record(f, instrument: inst.id) }
        order = orders[order.id] ?? order
        let afterFills = order
        if !order.move(to: outcome.status, reason: outcome.reason, at: now) {
            logger.error("paper venue answered an impossible transition", metadata: ["order": "\(order.id)", "from": "\(order.status.rawValue)", "to": "\(outcome.status.rawValue)"])
        }
        if order.type == .limit && !order.status.isTerminal { order.venueOrderId = order.id }
        orders[order.id] = order
        if order.status != afterFills.status || order.reason != afterFills.reason || order.venueOrderId != afterFills.venueOrderId {
            pendingRecords.append(.order(order, session: session.id))
        }
        if !order.status.isTerminal { openOrderIds.insert(order.id) } else { openOrderIds.remove(order.id) }
        // Fills already announced partially_filled/filled; announce other end states too.
        if outcome.fills.isEmpty || order.status == .cancelled {
            publishAccount(.orders, instrument: inst.id, Presenter.order(order, instrument: inst))
        }
        let res = result(req, order: order, orderId: order.id, status: order.status, expected: outcome, inst: inst, decidedOn: decidedOn, checks: nil)
        let fingerprint = req.fingerprint
        intents[req.intentId] = IntentRecord(fingerprint: fingerprint, firstResult: res, orderId: order.id)
        pendingRecords.append(.intent(LedgerIntent(intentId: req.intentId, session: session.id, fingerprint: fingerprint, params: params ?? .null,
                                                   rationale: req.rationale, receivedAt: now, result: res, orderId: order.id)))
        return res
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

    func result(_ req: SignalRequest, order: Order, orderId: String?, status: OrderStatus, expected: PaperOutcome, inst: Instrument, decidedOn: JSON,
                checks: JSON?) -> JSON {
        let pd = inst.priceDecimals, qd = inst.quantityDecimals
        var filled = Fixed.zero, notional = Fixed.zero, fees = Fixed.zero
        for f in expected.fills { filled += f.quantity; notional += f.price.multiplied(by: f.quantity); fees += f.fee }
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
        if status == .previewed { b.add("expected_status", expected.status.rawValue) }
        b.add("filled_quantity", Presenter.decimal(filled, qd))
        b.add("average_price", Presenter.optDecimal(filled.isZero ? nil : notional.divided(by: filled), pd))
        b.add("notional", Presenter.decimal(notional))
        b.add("fees", Presenter.decimal(fees))
        b.add("fills", .array(expected.fills.map { f in
            .object([JSONMember("price", Presenter.decimal(f.price, pd)), JSONMember("quantity", Presenter.decimal(f.quantity, qd)),
                     JSONMember("fee", Presenter.decimal(f.fee)), JSONMember("liquidity", .string(f.liquidity.rawValue))])
        }))
        b.add("reason", expected.reason.map(JSON.string) ?? .null)
        b.add("checks", checks)
        b.add("decided_on", decidedOn)
        b.add("duplicate", false)
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
        members.append(JSONMember(key, value))
        return .object(members)
    }

    static func markDuplicate(_ result: JSON) -> JSON {
        guard case .object(var members) = result else { return result }
        if let k = members.firstIndex(where: { $0.key == "duplicate" }) { members[k].value = .bool(true) }
        return .object(members)
    }

    /// `cancel_order` by `order_id` or `intent_id`.
    func cancelOrder(_ params: JSON?) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["order_id", "intent_id"])
        let byOrder = try p.optionalString("order_id", maxLength: 128)
        let byIntent = try p.optionalString("intent_id", maxLength: 128)
        guard (byOrder == nil) != (byIntent == nil) else {
            throw RPCError.invalidParams(field: "order_id", reason: "give exactly one of order_id or intent_id")
        }
        let id = byOrder ?? intents[byIntent!]?.orderId
        guard let id, var order = orders[id] else {
            throw RPCError.app(.orderNotFound, "no order \(byOrder.map { "'\($0)'" } ?? "for intent '\(byIntent!)'")",
                               details: [JSONMember("order_id", byOrder.map(JSON.string) ?? .null), JSONMember("intent_id", byIntent.map(JSON.string) ?? .null)])
        }
        try requireLedger()
        if order.status.isTerminal {
            throw RPCError.app(.orderNotCancellable, "order \(id) is already \(order.status.rawValue)",
                               details: [JSONMember("order_id", .string(id)), JSONMember("status", .string(order.status.rawValue))])
        }
        return cancel(&order, reason: "cancelled by request")
    }

    /// Cancels one live order at the venue and in the books; announces and returns it.
    @discardableResult
    func cancel(_ order: inout Order, reason: String) -> JSON {
        _ = paper.cancel(orderId: order.id, instrument: order.instrument)
        openOrderIds.remove(order.id)
        order.move(to: .cancelled, reason: reason, at: time.nowNanos())
        orders[order.id] = order
        pendingRecords.append(.order(order, session: orderSessions[order.id]))
        let json = Presenter.order(order, instrument: instruments[order.instrument])
        publishAccount(.orders, instrument: order.instrument, json)
        return json
    }

    /// `cancel_all`, optionally for one instrument.
    func cancelAll(_ params: JSON?) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["instrument"])
        let instrument = try p.optionalString("instrument", maxLength: 128)
        if let instrument, instruments[instrument] == nil { throw unknownInstrument(instrument) }
        try requireLedger()
        var cancelled: [JSON] = []
        // Oldest first, over the open orders only (not the whole history).
        for id in openOrderIds.sorted(by: { Engine.number($0, prefix: "o-") < Engine.number($1, prefix: "o-") }) {
            guard var order = orders[id], !order.status.isTerminal, instrument == nil || order.instrument == instrument else { continue }
            cancel(&order, reason: "cancelled by cancel_all")
            cancelled.append(.string(id))
        }
        return .object([JSONMember("cancelled", .array(cancelled)), JSONMember("count", .int(cancelled.count))])
    }
}
