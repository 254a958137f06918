import AlephCore
import AlephRPC
import AlephVenueKit

extension Engine {
    /// `cancel_order` by `order_id` or `intent_id`: answers with the order as the venue left it
    /// (`cancelled`, `filled` when a fill won the race, or `pending_cancel` while the venue has
    /// not confirmed).
    func cancelOrder(_ params: JSON?) async throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["order_id", "intent_id"])
        let byOrder = try p.optionalString("order_id", maxLength: 128)
        let byIntent = try p.optionalString("intent_id", maxLength: 128)
        guard (byOrder == nil) != (byIntent == nil) else {
            throw RPCError.invalidParams(field: "order_id", reason: "give exactly one of order_id or intent_id")
        }
        let id = byOrder ?? intents[byIntent!]?.orderId ?? inFlight[byIntent!]?.orderId
        guard let id, let order = orders[id] else {
            throw RPCError.app(.orderNotFound, "no order \(byOrder.map { "'\($0)'" } ?? "for intent '\(byIntent!)'")",
                               details: [JSONMember("order_id", byOrder.map(JSON.string) ?? .null), JSONMember("intent_id", byIntent.map(JSON.string) ?? .null)])
        }
        try requireLedger()
        if order.status.isTerminal {
            throw RPCError.app(.orderNotCancellable, "order \(id) is already \(order.status.rawValue)",
                               details: [JSONMember("order_id", .string(id)), JSONMember("status", .string(order.status.rawValue))])
        }
        if order.status == .pendingSubmit {
            // Its request is at the venue and its answer not back: cancelled as soon as it is.
            requestCancelWhenPlaced(id, reason: "cancelled by request")
            return orders[id].map { Presenter.order($0, instrument: instruments[$0.instrument]) } ?? .null
        }
        return try await cancel(id, reason: "cancelled by request")
    }

    /// Cancels one live order at its venue and merges what the venue says. A refusal (rate
    /// limit…) leaves the order as it was and is an error; no answer leaves it `pending_cancel`,
    /// settled by lookups and the stream, and sent again while the venue still shows it live.
    @discardableResult
    func cancel(_ id: String, reason: String) async throws(RPCError) -> JSON {
        guard var order = orders[id], !order.status.isTerminal, order.status != .pendingSubmit else {
            return orders[id].map { Presenter.order($0, instrument: instruments[$0.instrument]) } ?? .null
        }
        let executor = executor(for: order.venue)
        let remote = executor.traits.remote
        let previous = order.status
        let firstRequest = order.cancelRequested == nil
        if firstRequest { order.cancelRequested = reason }
        if remote {
            cancelsWanted.insert(id)
            cancelSentAt[id] = time.nowNanos()
        }
        if order.status != .pendingCancel || firstRequest {
            if order.status != .pendingCancel { order.move(to: .pendingCancel, reason: nil, at: time.nowNanos()) }
            orders[id] = order
            if remote {
                pendingRecords.append(.order(order, session: orderSessions[id]))
                publishAccount(.orders, instrument: order.instrument, Presenter.order(order, instrument: instruments[order.instrument]))
            }
        }
        let outcome = remote ? await suspendStep { await executor.cancel(order) } : await executor.cancel(order)
        let now = time.nowNanos()
        switch outcome {
        case .done(var s):
            if s.status == .cancelled, s.reason == nil { s.reason = reason }
            applyVenueState(s, at: now)
        case .accepted, .uncertain:
            // Stays pending_cancel: the stream or a lookup settles it.
            break
        case .notLive(let why):
            if remote {
                let found = await suspendStep { await executor.lookup(order) }
                if case .found(let s) = found { applyVenueState(s, at: time.nowNanos()) }
            } else if var o = orders[id], o.status == .pendingCancel {
                // In-process venue: nothing rests there, so the order is done as it stands.
                o.move(to: o.filledQuantity.isPositive && o.remainingQuantity.isPositive ? .cancelled : .cancelled, reason: "\(reason) (\(why))", at: now)
                orders[id] = o
                orders.markClosed(id)
                pendingRecords.append(.order(o, session: orderSessions[id]))
                publishAccount(.orders, instrument: o.instrument, Presenter.order(o, instrument: instruments[o.instrument]))
            }
        case .rejected(let r):
            if var o = orders[id], o.status == .pendingCancel {
                o.move(to: previous == .uncertain ? .uncertain : previous, reason: nil, at: now)
                // The caller hears of the refusal; a cancel asked for earlier stays asked for.
                if firstRequest { o.cancelRequested = nil; cancelsWanted.remove(id) }
                orders[id] = o
                if remote { pendingRecords.append(.order(o, session: orderSessions[id])) }
            }
            throw RPCError.app(r.code == .venueRateLimited ? .rateLimited : .venueUnavailable, "the venue refused the cancel: \(r.description)",
                               details: [JSONMember("order_id", .string(id)), JSONMember("venue_code", r.venueCode.map(JSON.string) ?? .null),
                                         JSONMember("retryable", .bool(r.retryable)), JSONMember("retry_after_ms", r.retryAfterMs.map { JSON.int($0) } ?? .null)])
        }
        let final = orders[id] ?? order
        if final.status == .pendingCancel && !remote {
            logger.error("in-process venue left a cancel pending", metadata: ["order": "\(id)"])
        }
        return Presenter.order(final, instrument: instruments[final.instrument])
    }

    /// `cancel_all`, optionally for one instrument: every live order, oldest first.
    func cancelAll(_ params: JSON?) async throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["instrument"])
        let instrument = try p.optionalString("instrument", maxLength: 128)
        if let instrument, instruments[instrument] == nil { throw unknownInstrument(instrument) }
        try requireLedger()
        return await cancelAll(instrument: instrument, reason: "cancelled by cancel_all")
    }

    /// Cancels every live order (of one instrument, of one session); failures are listed, never thrown.
    func cancelAll(instrument: String?, session: Int? = nil, reason: String) async -> JSON {
        var cancelled: [JSON] = [], pending: [JSON] = [], failed: [JSON] = []
        let ids = openOrderIds.sorted(by: { Engine.number($0, prefix: "o-") < Engine.number($1, prefix: "o-") })
        for id in ids {
            guard let order = orders[id], !order.status.isTerminal,
                  instrument == nil || order.instrument == instrument,
                  session == nil || orderSessions[id] == session else { continue }
            if order.status == .pendingSubmit {
                // Its request is at the venue and its answer not back: cancelled as soon as it is.
                requestCancelWhenPlaced(id, reason: reason)
                pending.append(.string(id))
                continue
            }
            do {
                try await cancel(id, reason: reason)
                switch orders[id]?.status {
                case .cancelled?: cancelled.append(.string(id))
                case .pendingCancel?: pending.append(.string(id))
                default: break
                }
            } catch {
                failed.append(.object([JSONMember("order_id", .string(id)), JSONMember("error", .string(error.message))]))
            }
        }
        var b = JSONObjectBuilder()
        b.add("cancelled", .array(cancelled))
        b.add("count", .int(cancelled.count))
        if !pending.isEmpty { b.add("pending", .array(pending)) }
        if !failed.isEmpty { b.add("failed", .array(failed)) }
        return b.json
    }
}
