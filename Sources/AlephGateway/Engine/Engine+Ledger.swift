import AlephCore
import AlephRPC
import AlephRisk
import AlephVenues

/// What a restart found in the ledger.
public struct RestoreReport: Sendable, Equatable {
    /// Intents restored (each answers its retries with the stored outcome).
    public var intents = 0
    /// Orders restored.
    public var orders = 0
    /// Orders still live after the restart (resting again at the paper venue).
    public var openOrders = 0
    /// Fills replayed into positions and cash.
    public var fills = 0
    /// Orders found mid-flight (pending or uncertain) and resolved by reconciliation.
    public var reconciled = 0
    /// True when the stored position/balance snapshots disagreed with the fills (fills win).
    public var snapshotMismatch = false
    /// Runtime `set_risk_limits` changes applied again.
    public var limitChanges = 0
    /// Runtime `set_risk_limits` changes not applied because the configured limits changed since.
    public var limitChangesDropped = 0
}

extension Engine {
    /// Rebuilds orders, fills, positions, cash, intents and risk state from a ledger snapshot.
    /// Positions and cash are replayed from the fills (the stored snapshots are checked against
    /// them); resting paper orders go back on the paper venue.
    @discardableResult
    public func restore(from s: LedgerSnapshot) -> RestoreReport {
        var report = RestoreReport()
        for (venue, b) in s.balances {
            if b.startingCash != config.paper.startingCash || b.currency != config.paper.currency {
                logger.warning("the ledger's paper account differs from the config; the ledger wins",
                               metadata: ["venue": "\(venue)", "ledger_starting_cash": "\(b.startingCash) \(b.currency)",
                                          "config_starting_cash": "\(config.paper.startingCash) \(config.paper.currency)"])
            }
            accounts[venue] = Portfolio(currency: b.currency, cash: b.startingCash)
        }
        for (o, session) in s.orders {
            orders[o.id] = o
            orderIds.append(o.id)
            if let session { orderSessions[o.id] = session }
            nextOrder = max(nextOrder, Engine.number(o.id, prefix: "o-") + 1)
        }
        for f in s.fills {
            fills.append(f)
            fillTradeIds.insert(f.venueTradeId)
            let o = orders[f.orderId]
            let venue = o?.venue ?? venueOf(f.instrument)
            var acct = accounts[venue] ?? Portfolio(currency: config.paper.currency, cash: o?.live == true ? .zero : config.paper.startingCash)
            acct.apply(instrument: f.instrument, side: f.side, price: f.price, quantity: f.quantity, fee: f.fee)
            accounts[venue] = acct
            nextFill = max(nextFill, Engine.number(f.id, prefix: "f-") + 1)
        }
        for (venue, b) in s.balances where b.cash != accounts[venue]?.cash || b.feesPaid != accounts[venue]?.feesPaid { report.snapshotMismatch = true }
        for (id, p) in s.positions where accounts[venueOf(id)]?.positions[id] != p { report.snapshotMismatch = true }
        if report.snapshotMismatch {
            logger.error("ledger position/balance snapshots disagree with the recorded fills; positions were rebuilt from the fills")
        }
        for i in s.intents {
            // A stored rejection is a venue's refusal: nothing was placed, so the id is free again.
            if i.result["status"]?.stringValue == OrderStatus.rejected.rawValue { continue }
            intents[i.intentId] = IntentRecord(fingerprint: i.fingerprint, firstResult: i.result, orderId: i.orderId)
        }
        if let r = s.risk { risk.restore(r, history: s.riskHistory); riskWritten = (r, time.nowNanos()) }
        baselinedVenues = s.baselinedVenues
        for f in s.fundings where !fundingIds.contains(f.id) {
            fundingIds.insert(f.id)
            accounts[f.venue, default: Portfolio(currency: config.paper.currency, cash: .zero)]
                .positions[f.instrument, default: Position(instrument: f.instrument)].funding += f.amount
        }
        (report.limitChanges, report.limitChangesDropped) = restoreLimitChanges(s.riskLimitChanges)
        // Live orders: in-process (paper) ones rest again; anything caught mid-flight at a paper
        // venue never reached it. Orders sent to a remote venue are reconciled with it before that
        // venue trades again.
        let now = time.nowNanos()
        var restingByVenue: [String: [Order]] = [:]
        for id in orderIds {
            guard var o = orders[id], !o.status.isTerminal else { continue }
            if let cid = o.clientOrderId, !clientIds.isOurs(cid) { legacyClientIds[cid] = o.id }
            if let v = o.venueOrderId {
                venueOrderIndex[Engine.venueKey(o.venue, o.instrument, v)] = o.id
                venueOrderIdOnly[Engine.venueKey(o.venue, "", v)] = o.id
            }
            if o.live {
                orders.markOpen(o.id)
                report.openOrders += 1
                // A cancel asked for before the restart is sent (again) once the venue shows the order live.
                if o.cancelRequested != nil {
                    cancelsWanted.insert(o.id)
                    if o.status == .pendingCancel { cancelSeenLive.insert(o.id) }
                }
                if executors[o.venue]?.traits.remote != true {
                    logger.error("an order placed live is in the ledger but its venue is not live now: it stays as it was until the venue is live again",
                                 metadata: ["order": "\(o.id)", "venue": "\(o.venue)", "status": "\(o.status.rawValue)"])
                }
                continue
            }
            switch o.status {
            case .open, .partiallyFilled:
                orders.markOpen(o.id)
                report.openOrders += 1
                restingByVenue[o.venue, default: []].append(o)
            case .pendingSubmit, .uncertain, .pendingCancel:
                // The paper venue lives in this process: an order that never reached a durable
                // answer never reached it either.
                let next: OrderStatus = o.status == .pendingCancel ? .cancelled : .rejected
                o.move(to: next, reason: "found \(o.status.rawValue) at restart; the paper venue never saw it", at: now)
                orders[o.id] = o
                pendingRecords.append(.order(o, session: orderSessions[o.id]))
                report.reconciled += 1
            default: break
            }
        }
        for (venue, list) in restingByVenue {
            // Orders from before client ids were derived rest under their gateway id.
            executor(for: venue).restore(list.map { o in var c = o; if c.clientOrderId == nil { c.clientOrderId = c.id }; return c })
        }
        for f in s.fills {
            if let v = orders[f.orderId]?.venue { noteFillTime(venue: v, f.timestamp) }
        }
        report.intents = s.intents.count
        report.orders = s.orders.count
        report.fills = s.fills.count
        pendingRecords.append(.event(kind: "restart", ref: nil, at: now, data: .object([
            JSONMember("intents", .int(report.intents)), JSONMember("orders", .int(report.orders)), JSONMember("open_orders", .int(report.openOrders)),
            JSONMember("fills", .int(report.fills)), JSONMember("reconciled", .int(report.reconciled)),
            JSONMember("snapshot_mismatch", .bool(report.snapshotMismatch)), JSONMember("limit_changes", .int(report.limitChanges)),
            JSONMember("limit_changes_dropped", .int(report.limitChangesDropped)),
        ])))
        _ = commitStep()
        logger.info("restored from ledger", metadata: ["intents": "\(report.intents)", "orders": "\(report.orders)", "open": "\(report.openOrders)", "fills": "\(report.fills)"])
        return report
    }

    static func number(_ id: String, prefix: String) -> Int {
        id.hasPrefix(prefix) ? Int(id.dropFirst(prefix.count)) ?? 0 : 0
    }

    /// Refuses state changes once the ledger has failed: nothing may be reported that cannot be kept.
    func requireLedger() throws(RPCError) {
        if let f = ledger.failure {
            throw RPCError.app(.ledgerUnavailable, "the ledger failed (\(f.message)); trading is stopped until the gateway restarts")
        }
    }

    /// Journals a gate rejection for audit (rate-limit rejections excepted, so a flood cannot bloat the journal).
    func journalRejection(_ req: SignalRequest, result: JSON, session: Int, now: Int64) {
        let code = result["rejection"]?["code"]?.stringValue
        if code == "rate_limited" { return }
        pendingRecords.append(.event(kind: "signal_rejected", ref: req.intentId, at: now, data: .object([
            JSONMember("session", .int(session)), JSONMember("instrument", .string(req.instrument)), JSONMember("side", .string(req.side.rawValue)),
            JSONMember("code", code.map(JSON.string) ?? .null),
        ])))
    }

    /// Writes the breaker marks when they moved (at most once a second) or the state changed.
    func persistRiskIfChanged() {
        let snap = risk.snapshot
        let now = time.nowNanos()
        if let (last, at) = riskWritten {
            if last == snap { return }
            if last.state == snap.state && last.day == snap.day && now - at < 1_000_000_000 { return }
        } else if snap.state == .active && snap.peakEquity == paperStartingCash && snap.dayStartEquity == paperStartingCash {
            return
        }
        riskWritten = (snap, now)
        pendingRecords.append(.risk(snap, event: nil))
    }

    /// Orders by id (for tests and tools).
    public func order(_ id: String) -> Order? { orders[id] }


    /// Waits (at most `timeout`) until every answer held back for this outbox has been released,
    /// so a client that hangs up right after its last request still gets the answers.
    public nonisolated func settle(_ outbox: Outbox, timeout: Duration = .seconds(10)) async {
        let deadline = ContinuousClock.now + timeout
        while sender.waiting(for: outbox) > 0 && ledger.failure == nil && outbox.closedReason == nil && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .microseconds(200))
        }
    }

    /// Waits until everything journaled so far is durable and released.
    public func flushLedger() async {
        _ = commitStep()
        let target = ledger.lastTicket
        while (ledger.durableTicket < target || sender.waiting > 0) && ledger.failure == nil { try? await Task.sleep(for: .microseconds(200)) }
    }
}
