import AlephBook
import AlephCore
import AlephRPC
import AlephRisk

extension Engine {
    /// Σ |position| × mark plus Σ open-order notional at limit: gross exposure.
    func grossNotional(marks: [String: Fixed]) -> Fixed {
        var gross = Fixed.zero
        for (venue, account) in accounts {
            let paper = isPaper(venue)
            for (id, stored) in account.positions {
                // Live accounts hold what the venue says (balances, positions); paper ones what our fills built.
                guard let p = paper ? stored : position(id), !p.quantity.isZero else { continue }
                gross += p.quantity.magnitude.multiplied(by: marks[id] ?? p.averageEntry)
            }
        }
        return gross + orders.openNotional
    }

    /// Everything the gate needs about the world for one intent.
    func riskState(for intent: RiskIntent, session: Int, now: Int64, excluding: String? = nil) -> RiskState {
        // Running totals of the open orders (kept by the order table), less the one left out.
        let totals = orders.totals(on: intent.instrument)
        var openBuy = totals.buy, openSell = totals.sell, onInstrument = totals.count
        let left = excluding.flatMap { orders.openOrder($0) }
        if let o = left, o.instrument == intent.instrument {
            onInstrument -= 1
            if o.side == .buy { openBuy -= o.remainingQuantity } else { openSell -= o.remainingQuantity }
        }
        let marks = self.marks()
        let gross = grossNotional(marks: marks)
        let equity = riskEquity(marks: marks)
        risk.observe(equity: equity, now: now)
        let venue = instruments[intent.instrument]?.venue ?? ""
        var state = RiskState(
            tradingState: risk.state, instrument: instruments[intent.instrument].map(InstrumentRules.init), book: books[intent.instrument],
            position: position(intent.instrument)?.quantity ?? .zero, openBuyQuantity: openBuy, openSellQuantity: openSell,
            openOrders: openOrderIds.count - (left == nil ? 0 : 1), openOrdersOnInstrument: onInstrument, grossNotional: gross, equity: equity,
            peakEquity: risk.peakEquity, dayStartEquity: risk.dayStartEquity, sessionBucket: risk.sessionBucket(session, now: now),
            venueBucket: risk.venueBucket(venue, now: now), sessionNotionalToday: risk.sessionNotionalToday(session))
        // A live spot account pays in full: the gate checks its free balances (perps and paper are margin accounts).
        if !isPaper(venue), let inst = instruments[intent.instrument], inst.kind == .spot, let balances = venueBalances[venue] {
            state.availableQuote = balances[inst.quote]?.free ?? .zero
            state.availableBase = balances[inst.base]?.free ?? .zero
        }
        return state
    }

    /// The current trading state.
    public var tradingState: TradingState { risk.state }

    /// Passive breaker: as prices move, a breach moves the trading state even without new orders.
    func evaluateBreaker() {
        guard risk.limits.maxDrawdown != nil || risk.limits.dailyLossLimit != nil else { return }
        guard accounts.values.contains(where: { a in a.positions.values.contains { !$0.quantity.isZero } || a.cash != a.startingCash })
                || !venueBalances.isEmpty else { return }
        let now = time.nowNanos()
        let m = marks()
        // Judge only complete valuations: an account not valued yet is not a loss.
        guard equityComplete(marks: m) else { return }
        let equity = riskEquity(marks: m)
        risk.observe(equity: equity, now: now)
        if let b = risk.breach(equity: equity) { apply(breach: b, equity: equity, now: now) }
    }

    func apply(breach b: RiskBreach, equity: Fixed, now: Int64) {
        guard let event = risk.trip(b, equity: equity, now: now) else { return }
        logger.warning("risk breaker tripped", metadata: ["kind": "\(b.kind.rawValue)", "limit": "\(b.limit)", "value": "\(b.value)", "state": "\(event.to.rawValue)"])
        publishRisk(event)
    }

    func publishRisk(_ e: RiskEvent) {
        pendingRecords.append(.risk(risk.snapshot, event: e))
        riskWritten = (risk.snapshot, e.at)
        publishAccount(.risk, instrument: "", RiskPresenter.event(e))
    }

    func requireAdmin(_ session: Session, _ what: String) throws(RPCError) {
        guard sessionStates[session.id]?.admin == true else {
            throw RPCError.app(.unauthorized, "\(what) needs an admin session: stdio sessions are admin; over TCP send session.hello with the admin token first")
        }
    }

    /// `session.hello`: identifies the client; with the admin token the session becomes admin.
    func sessionHello(_ params: JSON?, session: Session) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["token", "client"])
        let token = try p.optionalString("token", maxLength: 1024)
        _ = try p.optionalString("client", maxLength: 256)
        var st = sessionStates[session.id] ?? SessionState(admin: false, authenticated: false)
        if let token {
            guard let expected = config.adminToken else {
                throw RPCError.app(.unauthorized, "no admin token is configured on this gateway (--admin-token or ALEPHTX_ADMIN_TOKEN)")
            }
            let now = time.nowNanos()
            if let wait = authThrottle.lockedOut(source: session.source, now: now) {
                logger.warning("session.hello refused: too many wrong tokens from this source",
                               metadata: ["session": "\(session.id)", "peer": "\(session.peer)", "retry_after_ms": "\(wait)"])
                throw RPCError.app(.rateLimited, "too many wrong tokens from \(session.source); retry after \(wait) ms",
                                   details: [JSONMember("retry_after_ms", .int(wait))])
            }
            guard constantTimeEquals(token, expected) else {
                st.failedHellos += 1
                let total = authThrottle.fail(source: session.source, now: now)
                let closing = st.failedHellos >= AuthThrottle.perConnection
                if closing { st.hangUp = "\(st.failedHellos) wrong tokens" }
                sessionStates[session.id] = st
                // Never the attempted token: only that one failed, and how many.
                logger.warning("session.hello failed: wrong token", metadata: [
                    "session": "\(session.id)", "peer": "\(session.peer)", "failures_on_connection": "\(st.failedHellos)",
                    "failures_from_source": "\(total)", "disconnecting": "\(closing)",
                ])
                throw RPCError.app(.unauthorized, closing ? "wrong token; too many attempts, closing the connection" : "wrong token")
            }
            st.admin = true
            st.authenticated = true
        } else if config.requireAuth && session.transport == "tcp" {
            throw RPCError.app(.unauthorized, "this gateway requires a token: session.hello {\"token\": …}")
        }
        sessionStates[session.id] = st
        var b = JSONObjectBuilder()
        b.add("session_id", .int(session.id))
        b.add("transport", session.transport)
        b.add("admin", st.admin)
        b.add("server_version", OpenRPC.version)
        return b.json
    }

    /// `get_risk`: state, limits, usage with headroom, breaker history.
    func getRisk(_ params: JSON?, session: Session) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["instrument"])
        let instrument = try p.optionalString("instrument", maxLength: 128)
        if let instrument, instruments[instrument] == nil { throw unknownInstrument(instrument) }
        let now = time.nowNanos()
        let marks = self.marks()
        let equity = riskEquity(marks: marks)
        risk.observe(equity: equity, now: now)
        let gross = grossNotional(marks: marks)
        let l = risk.limits
        var usage: [JSON] = []
        func use(_ name: String, _ limit: Fixed?, _ value: Fixed) {
            usage.append(.object([JSONMember("check", .string(name)), JSONMember("limit", limit.map { .string($0.description) } ?? .null),
                                  JSONMember("value", .string(value.description)),
                                  JSONMember("headroom", limit.map { .string(($0 - value).description) } ?? .null)]))
        }
        use(RiskCheck.maxGrossExposure.rawValue, l.maxGrossNotional, gross)
        use(RiskCheck.maxOpenOrders.rawValue, l.maxOpenOrders.map { Fixed($0) }, Fixed(openOrderIds.count))
        use("drawdown", l.maxDrawdown, risk.peakEquity - equity)
        use("daily_loss", l.dailyLossLimit, risk.dayStartEquity - equity)
        use(RiskCheck.sessionBudget.rawValue, l.sessionDailyNotional, risk.sessionNotionalToday(session.id))
        if let rate = l.maxOrdersPerSecond, let bucket = risk.sessionBucket(session.id, now: now) {
            use(RiskCheck.rateLimited.rawValue, Fixed(rate), Fixed(rate - bucket.available(at: now)))
        }
        var overrides: [JSONMember] = []
        for (id, _) in risk.overrides.sorted(by: { $0.key < $1.key }) { overrides.append(JSONMember(id, RiskPresenter.limits(risk.limits(for: id)))) }
        var b = JSONObjectBuilder()
        b.add("state", risk.state.rawValue)
        b.add("limits", RiskPresenter.limits(l))
        b.add("instrument_limits", .object(overrides))
        if let instrument { b.add("effective_limits", RiskPresenter.limits(risk.limits(for: instrument))) }
        b.add("equity", Presenter.decimal(equity))
        b.add("peak_equity", Presenter.decimal(risk.peakEquity))
        b.add("day_start_equity", Presenter.decimal(risk.dayStartEquity))
        b.add("usage", .array(usage))
        b.add("history", .array(risk.history.map(RiskPresenter.event)))
        b.add("admin", sessionStates[session.id]?.admin ?? false)
        b.add("deadman", deadmanJSON(session: session.id, now: now))
        return b.json
    }

    /// `halt`: anyone may stop trading; optionally cancels every open order.
    func halt(_ params: JSON?, session: Session) async throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["cancel_all"])
        let cancel = try p.bool("cancel_all", default: false)
        let now = time.nowNanos()
        let equity = riskEquity(marks: marks())
        if let e = risk.halt(equity: equity, now: now) { publishRisk(e) }
        var cancelled: JSON = .array([])
        if cancel { cancelled = await cancelAll(instrument: nil, reason: "cancelled by halt")["cancelled"] ?? .array([]) }
        logger.notice("trading halted by request", metadata: ["session": "\(session.id)", "peer": "\(session.peer)", "cancel_all": "\(cancel)",
                                                          "cancelled": "\(cancelled.arrayValue?.count ?? 0)"])
        return .object([JSONMember("state", .string(risk.state.rawValue)), JSONMember("cancelled", cancelled)])
    }

    /// `resume` (admin): back to Active; drawdown peak and day start restart from current equity.
    func resume(_ params: JSON?, session: Session) throws(RPCError) -> JSON {
        _ = try Params(params, allowed: [])
        try requireAdmin(session, "resume")
        let equity = riskEquity(marks: marks())
        let before = risk.state
        if let e = risk.resume(equity: equity, now: time.nowNanos()) { publishRisk(e) }
        logger.notice("trading resumed by request", metadata: ["session": "\(session.id)", "peer": "\(session.peer)", "from": "\(before.rawValue)",
                                                           "equity": "\(equity)"])
        return .object([JSONMember("state", .string(risk.state.rawValue)), JSONMember("equity", Presenter.decimal(equity))])
    }

    /// `set_risk_limits` (admin): changes global limits, or one instrument's overrides.
    func setRiskLimits(_ params: JSON?, session: Session) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["limits", "instrument"])
        try requireAdmin(session, "set_risk_limits")
        let instrument = try p.optionalString("instrument", maxLength: 128)
        if let instrument, instruments[instrument] == nil { throw unknownInstrument(instrument) }
        guard case .object(let members)? = p.raw("limits") else {
            throw RPCError.invalidParams(field: "limits", reason: "required: an object of limit names to values (null switches a limit off)")
        }
        try requireLedger()
        try applyLimitChanges(instrument: instrument, members)
        // Journaled, so a restart keeps the change (see `restoreLimitChanges`).
        pendingRecords.append(.event(kind: "risk_limits", ref: instrument ?? "*", at: time.nowNanos(), data: .object([
            JSONMember("instrument", instrument.map(JSON.string) ?? .null), JSONMember("changes", .object(members)),
            JSONMember("config", .string(configLimitsFingerprint())),
        ])))
        logger.notice("risk limits changed", metadata: ["session": "\(session.id)", "instrument": "\(instrument ?? "*")"])
        return .object([JSONMember("instrument", instrument.map(JSON.string) ?? .null),
                        JSONMember("limits", RiskPresenter.limits(instrument.map { risk.limits(for: $0) } ?? risk.limits))])
    }
}

extension Engine {
    /// Applies `set_risk_limits` changes all or nothing (a bad name or value changes nothing).
    func applyLimitChanges(instrument: String?, _ members: [JSONMember]) throws(RPCError) {
        if let instrument {
            var o = risk.overrides[instrument] ?? RiskOverrides()
            for m in members { try RiskLimitsParser.apply(m.key, m.value, to: &o, field: "limits.\(m.key)") }
            risk.overrides[instrument] = o
        } else {
            var l = risk.limits
            for m in members { try RiskLimitsParser.apply(m.key, m.value, to: &l, field: "limits.\(m.key)") }
            risk.limits = l
        }
    }

    /// Identifies the configured limits (global and per instrument): a runtime change is kept
    /// across restarts only while the configuration it was made against is unchanged.
    func configLimitsFingerprint() -> String {
        let book = RiskBook(limits: config.riskLimits, overrides: config.riskOverrides, equity: .zero, now: 0)
        var text = JSONWriter.string(RiskPresenter.limits(config.riskLimits))
        for id in config.riskOverrides.keys.sorted() {
            text += "|\(id)=" + JSONWriter.string(RiskPresenter.limits(book.limits(for: id)))
        }
        return String(CRC32.checksum(Array(text.utf8)), radix: 16)
    }

    /// Re-applies the journaled `set_risk_limits` changes made against the current configuration;
    /// returns how many were applied and how many were dropped because the configured limits
    /// changed since (the configuration then wins).
    func restoreLimitChanges(_ changes: [RiskLimitChange]) -> (applied: Int, dropped: Int) {
        let current = configLimitsFingerprint()
        var applied = 0, dropped = 0
        for c in changes {
            guard c.configFingerprint == current, c.instrument.map({ instruments[$0] != nil }) ?? true else { dropped += 1; continue }
            do {
                try applyLimitChanges(instrument: c.instrument, c.changes)
                applied += 1
            } catch {
                dropped += 1
            }
        }
        if dropped > 0 {
            logger.warning("runtime risk limit changes made against another configuration were not restored; the configured limits apply",
                           metadata: ["dropped": "\(dropped)", "applied": "\(applied)"])
        }
        return (applied, dropped)
    }
}

/// Compares secrets without an early exit on the first differing byte.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var diff = UInt8(truncatingIfNeeded: x.count ^ y.count)
    for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
    return diff == 0
}
