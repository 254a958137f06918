import AlephBook
import AlephCore
import AlephRPC
import AlephVenues

extension Engine {
    /// `place_signal`.
    func placeSignal(_ params: JSON?, session: Session) throws(RPCError) -> JSON {
        let req = try SignalRequest(params)
        guard let inst = instruments[req.instrument] else { throw unknownInstrument(req.instrument) }
        if !req.preview, let prior = intents[req.intentId] {
            if prior.fingerprint != req.fingerprint {
                throw RPCError.app(.intentConflict, "intent_id '\(req.intentId)' was already used with different parameters; use a new intent_id",
                                   details: [JSONMember("intent_id", .string(req.intentId)), JSONMember("order_id", prior.orderId.map(JSON.string) ?? .null)])
            }
            return Engine.markDuplicate(prior.firstResult)
        }
        guard let book = books[inst.id], book.sequence > 0 else {
            throw RPCError.app(.venueUnavailable, "no market data for \(inst.id) yet; retry shortly", details: [JSONMember("instrument", .string(inst.id))])
        }
        let now = time.nowNanos()
        let decidedOn = Presenter.freshness(book, now: now)

        // Resolve the base quantity.
        var quantity: Fixed
        if let q = req.quantity {
            quantity = q
        } else {
            let notional = req.notional!
            if let lp = req.limitPrice {
                quantity = (notional.divided(by: lp, rounding: .down) ?? .zero).floored(to: inst.lotSize)
            } else {
                quantity = book.walk(side: req.side, notional: notional, lotSize: inst.lotSize).quantity
            }
            if quantity.isZero {
                let ref = req.limitPrice ?? (req.side == .buy ? book.bestAsk?.price : book.bestBid?.price) ?? .zero
                let oneLot = ref.multiplied(by: inst.lotSize, rounding: .up)
                return rejected(req, inst: inst, decidedOn: decidedOn, Rejection(
                    code: "lot_size", message: "notional \(notional) buys less than one lot (\(inst.lotSize) \(inst.base) ≈ \(oneLot) \(inst.quote)) at the current price",
                    limit: inst.lotSize.description, value: "0", maxAllowedQuantity: nil,
                    corrected: [JSONMember("notional", .string(max(oneLot, inst.minNotional).description))], retryable: false))
            }
        }
        if let r = validate(req, quantity: quantity, inst: inst, book: book) {
            return rejected(req, inst: inst, decidedOn: decidedOn, r)
        }

        var order = Order(id: "o-\(nextOrder)", intentId: req.intentId, instrument: inst.id, side: req.side, type: req.type,
                          timeInForce: req.timeInForce, limitPrice: req.limitPrice, quantity: quantity, postOnly: req.postOnly,
                          reduceOnly: req.reduceOnly, rationale: req.rationale, createdAt: now)
        if req.preview {
            var scratch = paper
            let outcome = scratch.submit(order, book: book)
            return result(req, order: order, orderId: nil, status: .previewed, expected: outcome, inst: inst, decidedOn: decidedOn)
        }
        nextOrder += 1
        orders[order.id] = order
        orderIds.append(order.id)
        let outcome = paper.submit(order, book: book)
        for f in outcome.fills { record(f, instrument: inst.id) }
        order = orders[order.id]!
        order.status = outcome.status
        order.reason = outcome.reason
        order.updatedAt = now
        orders[order.id] = order
        // Fills already announced partially_filled/filled; announce other end states too.
        if outcome.fills.isEmpty || order.status == .cancelled {
            publishAccount(.orders, instrument: inst.id, Presenter.order(order, instrument: inst))
        }
        let res = result(req, order: order, orderId: order.id, status: order.status, expected: outcome, inst: inst, decidedOn: decidedOn)
        intents[req.intentId] = IntentRecord(fingerprint: req.fingerprint, firstResult: res, orderId: order.id)
        return res
    }

    /// Instrument rules and reduce-only; later the full risk gate (issue 4) takes over these checks.
    func validate(_ req: SignalRequest, quantity: Fixed, inst: Instrument, book: OrderBook) -> Rejection? {
        if !book.verified {
            return Rejection(code: "stale_book", message: "the \(inst.id) book is not verified (gap or resync in progress); retry shortly",
                             limit: nil, value: nil, maxAllowedQuantity: nil, retryable: true)
        }
        if let lp = req.limitPrice {
            if inst.kind == .outcome && lp >= Fixed(1) {
                return Rejection(code: "price_out_of_range", message: "outcome prices are between 0 and 1; \(lp) is not",
                                 limit: "1", value: lp.description, maxAllowedQuantity: nil,
                                 corrected: [JSONMember("limit_price", .string((Fixed(1) - inst.tickSize).description))], retryable: false)
            }
            if !lp.isMultiple(of: inst.tickSize) {
                let down = lp.floored(to: inst.tickSize), up = lp.ceiled(to: inst.tickSize)
                let passive = req.side == .buy ? down : up
                return Rejection(code: "tick_size", message: "limit_price \(lp) is not a multiple of the tick size \(inst.tickSize); the nearest passive price is \(passive)",
                                 limit: inst.tickSize.description, value: lp.description, maxAllowedQuantity: nil,
                                 corrected: [JSONMember("limit_price", .string(passive.description)),
                                             JSONMember("limit_price_down", .string(down.description)),
                                             JSONMember("limit_price_up", .string(up.description))], retryable: false)
            }
        }
        if !quantity.isMultiple(of: inst.lotSize) {
            let down = quantity.floored(to: inst.lotSize)
            return Rejection(code: "lot_size", message: "quantity \(quantity) is not a multiple of the lot size \(inst.lotSize); use \(down)",
                             limit: inst.lotSize.description, value: quantity.description, maxAllowedQuantity: down.isZero ? nil : down.description,
                             corrected: [JSONMember("quantity", .string((down.isZero ? inst.lotSize : down).description))], retryable: false)
        }
        let refPrice = req.limitPrice ?? (req.side == .buy ? book.bestAsk?.price : book.bestBid?.price) ?? book.mid ?? .zero
        let notional = refPrice.multiplied(by: quantity)
        if notional < inst.minNotional {
            let minQty = (inst.minNotional.divided(by: refPrice, rounding: .up) ?? inst.lotSize).ceiled(to: inst.lotSize)
            return Rejection(code: "min_notional", message: "order notional \(notional) \(inst.quote) is below the minimum \(inst.minNotional); use at least \(minQty) \(inst.base)",
                             limit: inst.minNotional.description, value: notional.description, maxAllowedQuantity: nil,
                             corrected: [JSONMember("quantity", .string(minQty.description))], retryable: false)
        }
        if req.reduceOnly {
            let pos = portfolio.positions[inst.id]?.quantity ?? .zero
            let reducible = (req.side == .buy && pos.isNegative) || (req.side == .sell && pos.isPositive) ? pos.magnitude : .zero
            if quantity > reducible {
                return Rejection(code: "reduce_only", message: reducible.isZero
                                 ? "reduce-only \(req.side.rawValue) would not reduce the position (\(pos) \(inst.base))"
                                 : "reduce-only \(req.side.rawValue) of \(quantity) exceeds the position of \(pos.magnitude) \(inst.base)",
                                 limit: reducible.description, value: quantity.description,
                                 maxAllowedQuantity: reducible.isZero ? nil : reducible.description, retryable: false)
            }
        }
        return nil
    }

    func rejected(_ req: SignalRequest, inst: Instrument, decidedOn: JSON, _ r: Rejection) -> JSON {
        var b = JSONObjectBuilder()
        b.add("intent_id", req.intentId)
        b.add("order_id", .null)
        b.add("status", OrderStatus.rejected.rawValue)
        b.add("instrument", inst.id)
        b.add("rejection", r.json)
        b.add("decided_on", decidedOn)
        b.add("duplicate", false)
        return b.json
    }

    func result(_ req: SignalRequest, order: Order, orderId: String?, status: OrderStatus, expected: PaperOutcome, inst: Instrument, decidedOn: JSON) -> JSON {
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
        b.add("decided_on", decidedOn)
        b.add("duplicate", false)
        return b.json
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
        if order.status.isTerminal {
            throw RPCError.app(.orderNotCancellable, "order \(id) is already \(order.status.rawValue)",
                               details: [JSONMember("order_id", .string(id)), JSONMember("status", .string(order.status.rawValue))])
        }
        _ = paper.cancel(orderId: id, instrument: order.instrument)
        order.status = .cancelled
        order.reason = "cancelled by request"
        order.updatedAt = time.nowNanos()
        orders[id] = order
        let json = Presenter.order(order, instrument: instruments[order.instrument])
        publishAccount(.orders, instrument: order.instrument, json)
        return json
    }

    /// `cancel_all`, optionally for one instrument.
    func cancelAll(_ params: JSON?) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["instrument"])
        let instrument = try p.optionalString("instrument", maxLength: 128)
        if let instrument, instruments[instrument] == nil { throw unknownInstrument(instrument) }
        var cancelled: [JSON] = []
        for id in orderIds {
            guard var order = orders[id], !order.status.isTerminal, instrument == nil || order.instrument == instrument else { continue }
            _ = paper.cancel(orderId: id, instrument: order.instrument)
            order.status = .cancelled
            order.reason = "cancelled by cancel_all"
            order.updatedAt = time.nowNanos()
            orders[id] = order
            publishAccount(.orders, instrument: order.instrument, Presenter.order(order, instrument: instruments[order.instrument]))
            cancelled.append(.string(id))
        }
        return .object([JSONMember("cancelled", .array(cancelled)), JSONMember("count", .int(cancelled.count))])
    }
}
