import AlephBook
import AlephCore
import AlephRPC
import AlephVenues

extension Engine {
    static let subscribeFields: Set<String> = ["channel", "instrument", "depth"]

    /// `subscribe`: returns the result and the initial notification to send right after it.
    func subscribe(_ params: JSON?, session: Session) throws(RPCError) -> (JSON, Outgoing?) {
        let p = try Params(params, allowed: Engine.subscribeFields)
        guard let channel = try p.enumValue("channel", SubscriptionChannel.self) else { throw RPCError.invalidParams(field: "channel", reason: "required") }
        let instrument = try p.optionalString("instrument", maxLength: 128)
        if channel.requiresInstrument && instrument == nil {
            throw RPCError.invalidParams(field: "instrument", reason: "required for the \(channel.rawValue) channel")
        }
        if let instrument, instruments[instrument] == nil { throw unknownInstrument(instrument) }
        if (channel == .risk || channel == .feeds) && instrument != nil {
            throw RPCError.invalidParams(field: "instrument", reason: "the \(channel.rawValue) channel is gateway-wide and takes no instrument")
        }
        if channel != .book && p.has("depth") { throw RPCError.invalidParams(field: "depth", reason: "only the book channel takes a depth") }
        let depth = try p.int("depth", default: config.defaultBookDepth, range: 1...100)
        let owned = subscriptions.values.filter { $0.sessionId == session.id }.count
        if owned >= config.maxSubscriptionsPerSession {
            throw RPCError.app(.tooManySubscriptions, "this session already holds \(owned) subscriptions; unsubscribe some first",
                               details: [JSONMember("limit", .int(config.maxSubscriptionsPerSession))])
        }
        let sub = Subscription(id: nextSubscription, sessionId: session.id, channel: channel, instrument: instrument, depth: depth)
        nextSubscription += 1
        subscriptions[sub.id] = sub
        if let instrument, channel.requiresInstrument {
            subscriptionsByInstrument[instrument, default: []].append(sub.id)
        } else {
            accountSubscriptions.append(sub.id)
        }
        var b = JSONObjectBuilder()
        b.add("subscription", sub.publicId)
        b.add("channel", channel.rawValue)
        b.add("instrument", instrument.map(JSON.string) ?? .null)
        if channel == .book { b.add("depth", .int(depth)) }
        var initial: Outgoing? = nil
        if channel == .book, let instrument, let book = books[instrument], book.sequence > 0 {
            initial = Outgoing(outbox: session.outbox, bytes: notification(sub, Presenter.book(book, depth: sub.depth, instrument: instruments[instrument], now: time.nowNanos())),
                               slot: sub.id, durable: false)
        }
        return (b.json, initial)
    }

    /// `unsubscribe`.
    func unsubscribe(_ params: JSON?, session: Session) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["subscription"])
        let text = try p.string("subscription")
        guard text.hasPrefix("sub-"), let id = Int(text.dropFirst(4)), let sub = subscriptions[id], sub.sessionId == session.id else {
            throw RPCError.app(.subscriptionNotFound, "no subscription '\(text)' in this session", details: [JSONMember("subscription", .string(text))])
        }
        removeSubscription(id)
        var b = JSONObjectBuilder()
        b.add("subscription", text)
        b.add("unsubscribed", true)
        return b.json
    }

    func removeSubscription(_ id: Int) {
        guard let sub = subscriptions.removeValue(forKey: id) else { return }
        if let i = sub.instrument, sub.channel.requiresInstrument {
            subscriptionsByInstrument[i]?.removeAll { $0 == id }
            if subscriptionsByInstrument[i]?.isEmpty == true { subscriptionsByInstrument[i] = nil }
        } else {
            accountSubscriptions.removeAll { $0 == id }
        }
    }

    func notification(_ sub: Subscription, _ data: JSON) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        RPCEnvelope.writeNotification(method: sub.channel.rawValue, params: .object([
            JSONMember("subscription", .string(sub.publicId)), JSONMember("data", data),
        ]), into: &out)
        return out
    }

    func publishBook(_ book: OrderBook) {
        guard let ids = subscriptionsByInstrument[book.instrument] else { return }
        let now = time.nowNanos()
        var cache: [Int: JSON] = [:]
        for id in ids {
            guard let sub = subscriptions[id], sub.channel == .book, let session = sessions[sub.sessionId] else { continue }
            let data = cache[sub.depth] ?? Presenter.book(book, depth: sub.depth, instrument: instruments[book.instrument], now: now)
            cache[sub.depth] = data
            emit(session.outbox, notification(sub, data), slot: sub.id, durable: false)
        }
    }

    func publishTrade(_ trade: Trade) {
        guard let ids = subscriptionsByInstrument[trade.instrument] else { return }
        var data: JSON? = nil
        for id in ids {
            guard let sub = subscriptions[id], sub.channel == .trades, let session = sessions[sub.sessionId] else { continue }
            let d = data ?? Presenter.trade(trade, instrument: instruments[trade.instrument])
            data = d
            emit(session.outbox, notification(sub, d), slot: nil, durable: false)
        }
    }

    /// `data` is built only if some session subscribes to it (most requests have no listener).
    func publishAccount(_ channel: SubscriptionChannel, instrument: String, _ data: @autoclosure () -> JSON) {
        var built: JSON? = nil
        for id in accountSubscriptions {
            guard let sub = subscriptions[id], sub.channel == channel, sub.instrument == nil || sub.instrument == instrument,
                  let session = sessions[sub.sessionId] else { continue }
            if built == nil { built = data() }
            emit(session.outbox, notification(sub, built!), slot: nil)
        }
    }

    func publishPosition(_ instrument: String) {
        guard accountSubscriptions.contains(where: { subscriptions[$0]?.channel == .positions }) else { return }
        let p = position(instrument) ?? Position(instrument: instrument)
        publishAccount(.positions, instrument: instrument, Presenter.position(p, mark: mark(instrument), instrument: instruments[instrument]))
    }

    /// Queues a notification for the end of the current step (after the response, once durable);
    /// outside a step it goes out as soon as everything journaled so far is durable.
    /// `durable: false` is for market data, which reports nothing the ledger keeps.
    func emit(_ outbox: Outbox, _ bytes: [UInt8], slot: Int?, durable: Bool = true) {
        var slot = slot
        if config.lockstep != nil {
            emittedTo[ObjectIdentifier(outbox), default: 0] += 1
            slot = nil
        }
        let o = Outgoing(outbox: outbox, bytes: bytes, slot: slot, durable: durable)
        if deferred != nil {
            deferred!.append(o)
        } else {
            sender.send(outbox, bytes, slot: slot, ticket: durable ? commitStep() : 0)
        }
    }

    func unknownInstrument(_ id: String) -> RPCError {
        RPCError.app(.unknownInstrument, "unknown instrument '\(id)'; call list_instruments for valid ids", details: [
            JSONMember("instrument", .string(id)),
            JSONMember("known", .array(instrumentList.prefix(50).map { .string($0.id) })),
        ])
    }
}
