import AlephCore
import AlephRPC
import AlephVenueKit

extension Engine {
    /// The gateway order a client order id stands for, if it is ours.
    func orderId(forClientId cid: String) -> String? {
        if let id = clientIds.orderId(for: cid), orders[id] != nil { return id }
        return legacyClientIds[cid]
    }

    /// Merges what a venue says about one of our orders, whatever the arrival order of answers,
    /// stream events and lookups: fills are booked once each (by venue trade id), the status only
    /// moves forward (a stale `open` never undoes a fill, an `open` while a cancel travels keeps
    /// `pending_cancel`), and an end state is final. Journals and announces any change.
    /// Returns false when the client id is not one of our orders.
    @discardableResult
    func applyVenueState(_ s: VenueOrderState, at now: Int64, fromLookup: Bool = false) -> Bool {
        guard let id = orderId(forClientId: s.clientOrderId), let before = orders[id] else { return false }
        for f in s.fills {
            _ = bookFill(orderId: id, venueTradeId: f.venueTradeId, price: f.price, quantity: f.quantity, fee: f.fee,
                         liquidity: f.liquidity, at: f.timestamp == 0 ? now : f.timestamp)
            noteFillTime(venue: before.venue, f.timestamp)
        }
        guard var o = orders[id] else { return true }
        // A report about a venue order a cancel-replace superseded only brings fills.
        if let v = s.venueOrderId, supersededVenueIds.contains(Engine.venueKey(o.venue, "", v)) {
            venueOrderIdOnly[Engine.venueKey(o.venue, "", v)] = id
            return true
        }
        var status = s.status
        // While a modify travels, the old leg's cancel may arrive before the answer naming the new one.
        if modifying.contains(id) && !fromLookup && status == .cancelled { status = nil }
        let afterFills = o
        if let v = s.venueOrderId, !v.isEmpty, o.venueOrderId != v {
            o.venueOrderId = v
            venueOrderIndex[Engine.venueKey(o.venue, o.instrument, v)] = id
            venueOrderIdOnly[Engine.venueKey(o.venue, "", v)] = id
        }
        if !o.status.isTerminal {
            if let p = s.limitPrice, o.limitPrice != nil, p != o.limitPrice { o.limitPrice = p }
            if let q = s.quantity, q.isPositive, q >= o.filledQuantity, q != o.quantity { o.quantity = q }
        }
        if let st = status, st != o.status, Engine.shouldMove(from: o.status, to: st, filled: o.filledQuantity, quantity: o.quantity) {
            if !o.move(to: st, reason: s.reason, at: max(now, o.updatedAt)) {
                logger.error("venue reported an impossible transition", metadata: ["order": "\(o.id)", "from": "\(o.status.rawValue)", "to": "\(st.rawValue)"])
            }
        }
        if let venueFilled = s.filledQuantity, venueFilled > o.filledQuantity {
            // The venue counts more than we booked: fills are missing (a stream gap); catch up.
            fillsMissing.insert(o.venue)
        }
        orders[id] = o
        if o.status.isTerminal {
            orders.markClosed(id)
            modifyUncertain.remove(id)
            if o.live && !before.status.isTerminal { accountStale.insert(o.venue) }
        } else {
            orders.markOpen(id)
        }
        if o != afterFills {
            pendingRecords.append(.order(o, session: orderSessions[id]))
            // Fills already announced their order state; announce other changes.
            publishAccount(.orders, instrument: o.instrument, Presenter.order(o, instrument: instruments[o.instrument]))
        }
        return true
    }

    /// True (once) when a venue's account changed since it was last read.
    public func takeAccountStale(venue: String) -> Bool { accountStale.remove(venue) != nil }

    /// Remembers the latest fill time of a venue (where a catch-up starts).
    func noteFillTime(venue: String, _ t: Int64) {
        guard var v = venueExec[venue], t > v.lastFillAt else { return }
        v.lastFillAt = t
        venueExec[venue] = v
    }

    /// Whether a venue status may replace ours: end states always (when the machine allows),
    /// non-final states only forward, and never while our cancel is in flight.
    static func shouldMove(from current: OrderStatus, to next: OrderStatus, filled: Fixed, quantity: Fixed) -> Bool {
        if current.isTerminal { return false }
        if next.isTerminal { return true }
        switch (current, next) {
        case (.pendingSubmit, _), (.uncertain, _): return next == .open || next == .partiallyFilled
        case (.open, .partiallyFilled): return true
        case (.pendingCancel, _): return false
        default: return false
        }
    }

    /// One event from a venue's private stream (or a simulated venue).
    public func applyExecution(_ event: ExecutionEvent, venue: String) {
        deferred = []
        defer { finishStep() }
        let now = time.nowNanos()
        switch event {
        case .order(var s):
            if orderId(forClientId: s.clientOrderId) == nil, let v = s.venueOrderId, let id = venueOrderIdOnly[Engine.venueKey(venue, "", v)],
               let cid = orders[id]?.clientOrderId {
                // A report without our client id (Bybit maker executions): found by the venue's order id.
                s.clientOrderId = cid
            }
            if !applyVenueState(s, at: now) { noteForeign(s, venue: venue) }
        case .balances(let list, let complete):
            applyBalances(list, complete: complete, venue: venue, at: now)
        case .positions(let list):
            applyVenuePositions(list, venue: venue)
        case .funding(let list):
            applyFunding(list, venue: venue)
        case .streamUp:
            venueExec[venue]?.streamUp = true
            if venueExec[venue]?.state == .degraded { venueExec[venue]?.state = .live }
        case .streamDown(let why):
            if venueExec[venue]?.streamUp == true { venueExec[venue]?.streamReconnects += 1 }
            venueExec[venue]?.streamUp = false
            venueExec[venue]?.lastError = why
            if venueExec[venue]?.state == .live { venueExec[venue]?.state = .degraded }
        case .fillFailed(let tradeId, let reason):
            reverseFill(venueTradeId: tradeId, reason: reason, at: now)
        }
    }

    /// A report for an order that is not ours by id: another client's order on the account, or —
    /// with our prefix — an order this ledger does not hold (adopted or cancelled at reconciliation).
    func noteForeign(_ s: VenueOrderState, venue: String) {
        if clientIds.isOurs(s.clientOrderId) {
            logger.warning("venue reported an order of ours the ledger does not hold", metadata: ["venue": "\(venue)", "client_order_id": "\(s.clientOrderId)"])
            orphansSeen.insert("\(venue)|\(s.clientOrderId)")
        }
    }

    /// Orders at `venue` whose state is not settled: uncertain, cancels in flight, and orders
    /// still pending their first answer longer than `pendingAfterNs`.
    public func unsettledOrders(venue: String, pendingAfterNs: Int64 = 5_000_000_000) -> [Order] {
        let now = time.nowNanos()
        return orders.unsettledIds.union(modifyUncertain).compactMap { orders.openOrder($0) }.filter { o in
            guard o.venue == venue else { return false }
            if modifyUncertain.contains(o.id) { return true }
            switch o.status {
            case .uncertain, .pendingCancel: return true
            case .pendingSubmit: return now - o.createdAt > pendingAfterNs && !inFlight.values.contains { $0.orderId == o.id }
            default: return false
            }
        }.sorted { Engine.number($0.id, prefix: "o-") < Engine.number($1.id, prefix: "o-") }
    }

    /// Applies a lookup made for an unsettled order. "Not found" ends an uncertain order as never
    /// placed only once the venue could no longer accept its request (`finalAfterMs` after it
    /// was sent); before that it stays uncertain and is asked again.
    public func resolve(orderId: String, _ result: LookupResult, finalAfterMs: Int) {
        deferred = []
        defer { finishStep() }
        guard var o = orders[orderId], !o.status.isTerminal else { return }
        let now = time.nowNanos()
        switch result {
        case .found(let s):
            let was = o.status
            if modifyUncertain.remove(orderId) != nil {
                // The venue's version after a modify that got no answer: whatever it holds now.
                modifying.remove(orderId)
                let old = o.venueOrderId
                applyVenueState(s, at: now, fromLookup: true)
                supersede(old, of: orderId)
                return
            }
            applyVenueState(s, at: now, fromLookup: true)
            noteLiveWhileCancelling(orderId, venueStatus: s.status)
            if was == .uncertain, orders[orderId]?.status != .uncertain {
                venueExec[o.venue]?.resolved += 1
                logger.notice("uncertain order resolved", metadata: ["order": "\(orderId)", "status": "\(orders[orderId]?.status.rawValue ?? "?")"])
            }
        case .notFound, .gone:
            // Orders leave right after they are created (and made durable).
            let sentAt = o.createdAt
            var why = "not found by client order id \(finalAfterMs) ms after sending"
            if case .gone(let proof) = result { why = proof } else { guard now - sentAt >= Int64(finalAfterMs) * 1_000_000 else { return } }
            switch o.status {
            case .uncertain, .pendingSubmit:
                o.move(to: .rejected, reason: "never reached the venue: \(why)", at: now)
                venueExec[o.venue]?.resolved += 1
            case .pendingCancel where o.venueOrderId == nil && o.filledQuantity.isZero:
                o.move(to: .cancelled, reason: "not found at the venue after the cancel", at: now)
            default:
                return
            }
            orders[orderId] = o
            orders.markClosed(orderId)
            pendingRecords.append(.order(o, session: orderSessions[orderId]))
            publishAccount(.orders, instrument: o.instrument, Presenter.order(o, instrument: instruments[o.instrument]))
            logger.notice("order not found at the venue", metadata: ["order": "\(orderId)", "status": "\(o.status.rawValue)"])
        case .failed(let why):
            venueExec[o.venue]?.lastError = "lookup failed: \(why)"
        }
    }
}

extension Engine {
    /// Key of the venue-order-id index.
    static func venueKey(_ venue: String, _ instrument: String, _ venueOrderId: String) -> String { "\(venue)|\(instrument)|\(venueOrderId)" }

    /// The gateway order a venue order id stands for.
    func orderId(venue: String, instrument: String, venueOrderId: String) -> String? {
        // Every order's venue id is indexed as it is learned, and again at restore.
        venueOrderIndex[Engine.venueKey(venue, instrument, venueOrderId)]
    }

    /// Books fills found by a catch-up query (after a stream gap, a restart, or a count that ran
    /// ahead of the fills booked): each once, by its venue trade id. Returns how many were new.
    @discardableResult
    public func applyCatchUp(_ reports: [VenueFillReport], venue: String) -> Int {
        deferred = []
        defer { finishStep() }
        let now = time.nowNanos()
        let before = fills.count
        for r in reports {
            let id = r.clientOrderId.flatMap { orderId(forClientId: $0) }
                ?? r.venueOrderId.flatMap { orderId(venue: venue, instrument: r.instrument, venueOrderId: $0) }
            guard let id, let o = orders[id], let cid = o.clientOrderId else { continue }
            applyVenueState(VenueOrderState(clientOrderId: cid, venueOrderId: r.venueOrderId, status: nil, fills: [r.fill]), at: now)
        }
        let booked = fills.count - before
        if booked > 0 {
            venueExec[venue]?.caughtUpFills += booked
            logger.notice("catch-up booked fills the stream had not delivered", metadata: ["venue": "\(venue)", "fills": "\(booked)"])
        }
        fillsMissing.remove(venue)
        return booked
    }

    /// Where a fills catch-up for `venue` starts (ns): just before the last fill booked, or the
    /// oldest live order's creation.
    public func catchUpStart(venue: String) -> Int64 {
        let live = openOrderIds.compactMap { orders[$0] }.filter { $0.venue == venue && $0.live }.map(\.createdAt).min()
        let last = venueExec[venue]?.lastFillAt ?? 0
        let candidates = [live, last > 0 ? last : nil].compactMap { $0 }
        return (candidates.min() ?? time.nowNanos() - 3_600_000_000_000) - 5_000_000_000
    }

    /// Whether the fills of a venue ran behind the venue's counts (a catch-up is due).
    public func needsCatchUp(venue: String) -> Bool { fillsMissing.contains(venue) }

    /// Live orders of ours at `venue` as the ledger holds them.
    public func liveOrders(venue: String) -> [Order] {
        openOrderIds.compactMap { orders[$0] }.filter { $0.venue == venue && $0.live }
            .sorted { Engine.number($0.id, prefix: "o-") < Engine.number($1.id, prefix: "o-") }
    }

    /// Start-up (and reconnect) reconciliation of a remote venue against its open orders: every
    /// open order of ours is merged; live ledger orders the venue does not list are returned for a
    /// lookup; orders carrying our prefix that the ledger lacks are orphans, returned for the
    /// configured policy.
    public func reconcileOpen(_ open: [VenueOpenOrder], venue: String) -> (missing: [Order], orphans: [VenueOpenOrder]) {
        deferred = []
        defer { finishStep() }
        let now = time.nowNanos()
        var listed = Set<String>()
        var orphans: [VenueOpenOrder] = []
        for oo in open {
            if let id = orderId(forClientId: oo.state.clientOrderId) {
                listed.insert(id)
                applyVenueState(oo.state, at: now)
                noteLiveWhileCancelling(id, venueStatus: oo.state.status)
            } else if clientIds.isOurs(oo.state.clientOrderId) {
                orphans.append(oo)
            }
        }
        let missing = liveOrders(venue: venue).filter { !listed.contains($0.id) }
        return (missing, orphans)
    }

    /// Journals an orphan as our order (policy `adopt`), with the id its client order id names.
    public func adopt(_ oo: VenueOpenOrder, venue: String) {
        deferred = []
        defer { finishStep() }
        guard let id = clientIds.orderId(for: oo.state.clientOrderId), orders[id] == nil, let inst = oo.instrument.flatMap({ instruments[$0] }) else { return }
        let now = time.nowNanos()
        var o = Order(id: id, intentId: "adopted-\(oo.state.clientOrderId)", instrument: inst.id, side: oo.side, type: .limit, timeInForce: .gtc,
                      limitPrice: oo.price, quantity: oo.quantity, postOnly: false, reduceOnly: false,
                      rationale: "adopted at reconciliation: open at \(venue) with our client order id, missing from the ledger", createdAt: oo.createdAt)
        o.venue = venue
        o.live = true
        o.clientOrderId = oo.state.clientOrderId
        o.venueOrderId = oo.state.venueOrderId
        o.move(to: .open, at: now)
        orders[id] = o
        orderIds.append(id)
        orders.markOpen(id)
        nextOrder = max(nextOrder, Engine.number(id, prefix: "o-") + 1)
        if let v = o.venueOrderId { venueOrderIndex[Engine.venueKey(venue, inst.id, v)] = id }
        pendingRecords.append(.order(o, session: nil))
        pendingRecords.append(.event(kind: "reconcile", ref: venue, at: now, data: .object([
            JSONMember("action", .string("adopted")), JSONMember("order_id", .string(id)), JSONMember("client_order_id", .string(oo.state.clientOrderId)),
        ])))
        applyVenueState(oo.state, at: now)
        venueExec[venue]?.adopted += 1
        logger.warning("adopted an orphan order", metadata: ["venue": "\(venue)", "order": "\(id)"])
    }

    /// Journals an orphan cancelled at the venue (policy `cancel`).
    public func noteOrphanCancelled(_ oo: VenueOpenOrder, venue: String, outcome: String) {
        deferred = []
        defer { finishStep() }
        pendingRecords.append(.event(kind: "reconcile", ref: venue, at: time.nowNanos(), data: .object([
            JSONMember("action", .string("orphan_cancelled")), JSONMember("client_order_id", .string(oo.state.clientOrderId)),
            JSONMember("venue_order_id", oo.state.venueOrderId.map(JSON.string) ?? .null), JSONMember("outcome", .string(outcome)),
        ])))
        venueExec[venue]?.orphansCancelled += 1
        logger.warning("cancelled an orphan order at the venue", metadata: ["venue": "\(venue)", "client_order_id": "\(oo.state.clientOrderId)"])
    }

    /// The venue is reconciled: it trades again.
    public func markReconciled(venue: String, report: JSON) {
        deferred = []
        defer { finishStep() }
        let now = time.nowNanos()
        let up = venueExec[venue]?.streamUp ?? true
        venueExec[venue]?.state = up ? .live : .degraded
        venueExec[venue]?.reconciledAt = now
        pendingRecords.append(.event(kind: "reconcile", ref: venue, at: now, data: report))
        logger.notice("venue reconciled", metadata: ["venue": "\(venue)"])
    }

    /// Records a problem with a venue (health).
    public func noteVenueError(_ venue: String, _ why: String) {
        venueExec[venue]?.lastError = why
    }

    /// Rate-limit usage as the executor reports it (health).
    public func updateRateLimit(_ venue: String, _ usage: RateLimitUsage) {
        venueExec[venue]?.rateLimit = usage
    }
}
