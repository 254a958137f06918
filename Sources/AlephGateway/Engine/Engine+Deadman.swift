import AlephCore
import AlephRPC
import AlephRisk
import AlephVenueKit

extension Engine {
    /// `session.set_deadman`: arms (or with `timeout_ms: 0` disarms) this session's switch.
    func setDeadman(_ params: JSON?, session: Session) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["timeout_ms", "on_disconnect"])
        guard p.has("timeout_ms") else { throw RPCError.invalidParams(field: "timeout_ms", reason: "is required (0 disarms)") }
        let timeout = try p.int("timeout_ms", default: 0, range: 0...Deadman.maxTimeoutMs)
        if timeout != 0 && timeout < Deadman.minTimeoutMs {
            throw RPCError.invalidParams(field: "timeout_ms", reason: "must be 0 (disarm) or at least \(Deadman.minTimeoutMs)")
        }
        let onDisconnect = try p.enumValue("on_disconnect", Deadman.OnDisconnect.self) ?? .cancel
        let now = time.nowNanos()
        let armed = timeout == 0 ? nil : Deadman(timeoutNanos: Int64(timeout) * 1_000_000, onDisconnect: onDisconnect, deadline: 0)
        sessionStates[session.id]?.deadman = armed.map { var d = $0; d.rearm(now: now); return d }
        logger.notice(timeout == 0 ? "dead-man's switch disarmed" : "dead-man's switch armed", metadata: [
            "session": "\(session.id)", "peer": "\(session.peer)", "timeout_ms": "\(timeout)", "on_disconnect": "\(onDisconnect.rawValue)"])
        return deadmanJSON(session: session.id, now: now)
    }

    /// Any message from a session pushes its deadline back.
    func touchDeadman(_ session: Int) {
        guard sessionStates[session]?.deadman != nil else { return }
        sessionStates[session]?.deadman?.rearm(now: time.nowNanos())
    }

    /// Re-arms a session's switch from outside a request (a transport that saw a message the
    /// engine does not execute, such as an MCP ping).
    public func touch(session: Int) { touchDeadman(session) }

    /// Fires every switch whose deadline has passed (the gateway's timer calls this).
    public func fireExpiredDeadmen() async {
        let now = time.nowNanos()
        let due = sessionStates.compactMap { id, st in st.deadman.map { $0.deadline <= now } == true ? id : nil }.sorted()
        for id in due {
            // A message that arrived while an earlier switch was firing re-armed this one.
            guard let d = sessionStates[id]?.deadman, d.deadline <= time.nowNanos() else { continue }
            sessionStates[id]?.deadman = nil
            await tripDeadman(session: id, trigger: "timeout")
        }
    }

    /// Cancels every open order `session` placed, on every venue; announces and journals it.
    func tripDeadman(session id: Int, trigger: String) async {
        let outer = deferred
        deferred = []
        logger.warning("dead-man's switch fired: cancelling the session's orders", metadata: ["session": "\(id)", "trigger": "\(trigger)"])
        let result = await cancelAll(instrument: nil, session: id, reason: "cancelled by the dead-man's switch of session \(id) (\(trigger))")
        let now = time.nowNanos()
        let equity = riskEquity(marks: marks())
        let base = RiskPresenter.event(RiskEvent(at: now, from: risk.state, to: risk.state, reason: "deadman", equity: equity, limit: nil, value: nil))
        var members: [JSONMember] = []
        if case .object(let m) = base { members = m }
        members.append(JSONMember("session", .int(id)))
        members.append(JSONMember("trigger", .string(trigger)))
        members.append(JSONMember("cancelled", result["cancelled"] ?? .array([])))
        if let pending = result["pending"] { members.append(JSONMember("pending", pending)) }
        if let failed = result["failed"] { members.append(JSONMember("failed", failed)) }
        let event = JSON.object(members)
        pendingRecords.append(.event(kind: "deadman", ref: "session-\(id)", at: now, data: event))
        publishAccount(.risk, instrument: "", event)
        logger.notice("dead-man's switch done", metadata: ["session": "\(id)", "cancelled": "\(result["count"]?.intValue ?? 0)",
                                                         "pending": "\(result["pending"]?.arrayValue?.count ?? 0)",
                                                         "failed": "\(result["failed"]?.arrayValue?.count ?? 0)"])
        finishStep()
        deferred = outer
    }

    /// The switch of `session` and, per venue, who backs it.
    func deadmanJSON(session: Int, now: Int64) -> JSON {
        let d = sessionStates[session]?.deadman
        var venues: [JSON] = []
        for venue in executors.keys.sorted() {
            guard let e = executors[venue] else { continue }
            let native = e.traits.nativeDeadman
            let armed = nativeDeadmen[venue].flatMap { $0.armedAt > 0 ? $0 : nil }
            var b = JSONObjectBuilder()
            b.add("venue", venue)
            b.add("switch", native == nil ? "gateway" : "venue")
            b.add("native", native.map { JSON.string($0.name) } ?? .null)
            b.add("native_armed", armed != nil)
            b.add("native_timeout_ms", armed.map { JSON.int($0.timeoutMs) } ?? .null)
            venues.append(b.json)
        }
        var b = JSONObjectBuilder()
        b.add("armed", d != nil)
        b.add("timeout_ms", .int(Int((d?.timeoutNanos ?? 0) / 1_000_000)))
        b.add("on_disconnect", (d?.onDisconnect ?? .cancel).rawValue)
        b.add("remaining_ms", d.map { JSON.int(Int(max(0, $0.deadline - now) / 1_000_000)) } ?? .null)
        b.add("venues", .array(venues))
        return b.json
    }

    /// What each venue's own switch should be now: armed (with the timeout that backs the
    /// longest armed session switch) where an armed session has a live order, else disarmed.
    func nativeDeadmanPlan() -> [String: Int] {
        // Nothing armed and nothing held: no order needs looking at (the timer calls this often).
        let armed = sessionStates.values.contains { $0.deadman != nil }
        if !armed && nativeDeadmen.isEmpty { return [:] }
        var longest: [String: Int] = [:]
        for id in armed ? openOrderIds : [] {
            guard let o = orders[id], !o.status.isTerminal, let s = orderSessions[id],
                  let d = sessionStates[s]?.deadman, executors[o.venue]?.traits.nativeDeadman != nil else { continue }
            longest[o.venue] = max(longest[o.venue] ?? 0, Int(d.timeoutNanos / 1_000_000))
        }
        var plan: [String: Int] = [:]
        for (venue, ms) in longest { if let n = executors[venue]?.traits.nativeDeadman { plan[venue] = n.timeout(backing: ms) } }
        // A switch without a disarm stays refreshed while any order of ours there is live: letting
        // it lapse would cancel every order of the account, not only the armed sessions'.
        for (venue, held) in nativeDeadmen where plan[venue] == nil && executors[venue]?.traits.nativeDeadman?.stopCancelsAll == true {
            if orders.totals(onVenue: venue).open > 0 { plan[venue] = held.timeoutMs }
        }
        return plan
    }

    /// Arms, refreshes (at a third of its timeout) or disarms each venue's own switch to follow
    /// `nativeDeadmanPlan` (the gateway's timer calls this).
    public func maintainNativeDeadmen() async {
        let plan = nativeDeadmanPlan()
        let now = time.nowNanos()
        for venue in Set(plan.keys).union(nativeDeadmen.keys).sorted() {
            guard let e = executors[venue] else { continue }
            let want = plan[venue]
            let have = nativeDeadmen[venue]
            if let want {
                if let have, have.timeoutMs == want, now - have.armedAt < Int64(want) * 1_000_000 / 3 { continue }
                if let refusal = await e.armDeadman(timeoutMs: want) {
                    logger.warning("the venue's own dead-man's switch could not be armed", metadata: ["venue": "\(venue)", "error": "\(refusal.description)"])
                    // One without a disarm may be armed at the venue all the same (a lost answer): held
                    // (shown as not armed), and tried again at the next tick.
                    nativeDeadmen[venue] = e.traits.nativeDeadman?.stopCancelsAll == true ? (want, 0) : nil
                } else {
                    if have == nil { logger.notice("venue dead-man's switch armed", metadata: ["venue": "\(venue)", "timeout_ms": "\(want)"]) }
                    nativeDeadmen[venue] = (want, now)
                }
            } else if have != nil {
                if let refusal = await e.armDeadman(timeoutMs: nil) {
                    logger.warning("the venue's own dead-man's switch could not be disarmed", metadata: ["venue": "\(venue)", "error": "\(refusal.description)"])
                } else {
                    logger.notice("venue dead-man's switch disarmed", metadata: ["venue": "\(venue)"])
                    nativeDeadmen[venue] = nil
                }
            }
        }
    }
}
