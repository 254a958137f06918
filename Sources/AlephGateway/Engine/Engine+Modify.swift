import AlephCore
import AlephRPC
import AlephRisk
import AlephVenueKit

extension Engine {
    /// `modify_order`: a new limit price and/or total quantity for a resting limit order, by
    /// `order_id` or `intent_id`. The order as it would then rest passes the risk gate first (its
    /// own current exposure set aside); the venue changes it in place or cancel-replaces it under
    /// the same client order id. Answers with the order as the venue left it (fills a crossing
    /// price took included); a refusal (`modify_rejected`, with `data.rejection`) changes nothing.
    func modifyOrder(_ params: JSON?, session: Session) async throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["order_id", "intent_id", "limit_price", "quantity"])
        let byOrder = try p.optionalString("order_id", maxLength: 128)
        let byIntent = try p.optionalString("intent_id", maxLength: 128)
        guard (byOrder == nil) != (byIntent == nil) else {
            throw RPCError.invalidParams(field: "order_id", reason: "give exactly one of order_id or intent_id")
        }
        let newPrice = try p.decimal("limit_price")
        let newQuantity = try p.decimal("quantity")
        if newPrice == nil && newQuantity == nil {
            throw RPCError.invalidParams(field: "limit_price", reason: "give limit_price, quantity (the new total) or both")
        }
        if let x = newPrice, !x.isPositive { throw RPCError.invalidParams(field: "limit_price", reason: "must be greater than 0") }
        if let x = newQuantity, !x.isPositive { throw RPCError.invalidParams(field: "quantity", reason: "must be greater than 0") }
        let id = byOrder ?? intents[byIntent!]?.orderId ?? inFlight[byIntent!]?.orderId
        guard let id, let order = orders[id] else {
            throw RPCError.app(.orderNotFound, "no order \(byOrder.map { "'\($0)'" } ?? "for intent '\(byIntent!)'")",
                               details: [JSONMember("order_id", byOrder.map(JSON.string) ?? .null), JSONMember("intent_id", byIntent.map(JSON.string) ?? .null)])
        }
        try requireLedger()
        func notModifiable(_ why: String) -> RPCError {
            RPCError.app(.orderNotModifiable, "order \(id) cannot be modified: \(why)",
                         details: [JSONMember("order_id", .string(id)), JSONMember("status", .string(order.status.rawValue))])
        }
        guard order.type == .limit, let oldPrice = order.limitPrice else { throw notModifiable("only limit orders rest") }
        guard order.status == .open || order.status == .partiallyFilled else {
            throw notModifiable(order.status.isTerminal ? "it is already \(order.status.rawValue)" : "it is \(order.status.rawValue); retry once it is open")
        }
        guard !modifying.contains(id) else { throw notModifiable("a modification is already in flight") }
        let price = newPrice ?? oldPrice
        let quantity = newQuantity ?? order.quantity
        guard quantity > order.filledQuantity else {
            throw RPCError.invalidParams(field: "quantity", reason: "the new total must exceed the \(order.filledQuantity) already filled")
        }
        if price == oldPrice && quantity == order.quantity { return Presenter.order(order, instrument: instruments[order.instrument]) }
        let executor = executor(for: order.venue)
        guard executor.traits.modifies else {
            throw RPCError.app(.notImplemented, "\(order.venue) orders cannot be modified in this build: cancel the order and place a new one",
                               details: [JSONMember("order_id", .string(id)), JSONMember("venue", .string(order.venue))])
        }
        guard let inst = instruments[order.instrument], let book = books[order.instrument], book.sequence > 0 else {
            throw RPCError.app(.venueUnavailable, "no market data for \(order.instrument) yet; retry shortly", details: [JSONMember("order_id", .string(id))])
        }
        // The gate judges what would rest, with the order's own exposure set aside.
        let now = time.nowNanos()
        let rest = quantity - order.filledQuantity
        let intent = RiskIntent(instrument: inst.id, side: order.side, quantity: rest, type: .limit, limitPrice: price, timeInForce: order.timeInForce,
                                reduceOnly: order.reduceOnly, postOnly: order.postOnly, requestedNotional: nil)
        let state = riskState(for: intent, session: session.id, now: now, excluding: id)
        let decision = RiskGate.check(intent, state, risk.limits(for: inst.id), now: now)
        if let b = decision.breach { apply(breach: b, equity: state.equity, now: now) }
        if let r = decision.rejection {
            let rej = Engine.totalQuantities(RiskPresenter.rejection(r, intent: intent, instrument: inst), filled: order.filledQuantity)
            throw RPCError.app(.modifyRejected, "the risk gate refused the modification: \(rej["message"]?.stringValue ?? r.code.rawValue)",
                               details: [JSONMember("order_id", .string(id)), JSONMember("rejection", rej)])
        }
        risk.recordOrder(session: session.id, venue: inst.venue, now: now)
        modifying.insert(id)
        let oldVenueId = order.venueOrderId
        let request = ModifyRequest(order: order, instrument: inst, price: price, quantity: quantity, book: book)
        let remote = executor.traits.remote
        let outcome = remote ? await suspendStep { await executor.modify(request) } : await executor.modify(request)
        let at = time.nowNanos()
        switch outcome {
        case .done(var s):
            modifying.remove(id)
            if s.limitPrice == nil { s.limitPrice = price }
            if s.quantity == nil { s.quantity = quantity }
            if s.clientOrderId.isEmpty { s.clientOrderId = order.clientOrderId ?? "" }
            applyVenueState(s, at: at)
            supersede(oldVenueId, of: id)
            pendingRecords.append(.event(kind: "modify", ref: id, at: at, data: .object([
                JSONMember("limit_price", .string(price.description)), JSONMember("quantity", .string(quantity.description)),
                JSONMember("previous_limit_price", .string(oldPrice.description)), JSONMember("previous_quantity", .string(order.quantity.description)),
                JSONMember("venue_order_id", orders[id]?.venueOrderId.map(JSON.string) ?? .null),
            ])))
            let now = orders[id] ?? order
            return Presenter.order(now, instrument: inst)
        case .rejected(let r):
            modifying.remove(id)
            throw RPCError.app(.modifyRejected, "the venue refused the modification: \(r.description)",
                               details: [JSONMember("order_id", .string(id)), JSONMember("rejection", Engine.rejectionJSON(r))])
        case .uncertain(let why):
            // The venue may or may not have changed it: looked up until its version is known.
            modifyUncertain.insert(id)
            logger.warning("modify outcome unknown: the order is looked up", metadata: ["order": "\(id)", "why": "\(why)"])
            throw RPCError.app(.venueUnavailable, "no answer to the modification (\(why)); the order is looked up and get_orders shows the venue's version shortly",
                               details: [JSONMember("order_id", .string(id)), JSONMember("retryable", .bool(false))])
        }
    }

    /// A cancel-replace gave the order a new venue id: reports about the old one can no longer
    /// move its status (the old leg's `cancelled` is not the order's end).
    func supersede(_ oldVenueId: String?, of id: String) {
        guard let old = oldVenueId, let o = orders[id], o.venueOrderId != old else { return }
        supersededVenueIds.insert(Engine.venueKey(o.venue, "", old))
    }

    /// Rejection quantities of the resting part turned into the order's totals (what `quantity` means here).
    static func totalQuantities(_ rejection: JSON, filled: Fixed) -> JSON {
        guard filled.isPositive, case .object(var m) = rejection else { return rejection }
        func shift(_ v: JSON) -> JSON {
            guard let t = v.stringValue, let q = try? Fixed(parsing: t) else { return v }
            return .string((q + filled).description)
        }
        for k in m.indices {
            if m[k].key == "max_allowed_quantity" { m[k].value = shift(m[k].value) }
            if m[k].key == "corrected", case .object(var c) = m[k].value {
                for j in c.indices where c[j].key == "quantity" { c[j].value = shift(c[j].value) }
                m[k].value = .object(c)
            }
        }
        return .object(m)
    }
}
