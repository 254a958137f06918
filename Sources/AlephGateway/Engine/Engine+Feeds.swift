import AlephBook
import AlephCore
import AlephNet
import AlephVenueKit
import AlephRPC

extension Engine {
    /// Adds (or refreshes the rules of) instruments learned from a venue at run time.
    public func addInstruments(_ list: [Instrument], venue: String) {
        for i in list {
            if instruments[i.id] == nil {
                instrumentList.append(i)
                books[i.id] = OrderBook(instrument: i.id)
            } else if let k = instrumentList.firstIndex(where: { $0.id == i.id }) {
                instrumentList[k] = i
            }
            instruments[i.id] = i
        }
        feedInstruments[venue] = list.map(\.id).sorted()
        executors[venue]?.setInstruments(list)
    }

    /// True once a venue's instruments are loaded (its executor can place orders).
    public func hasInstruments(venue: String) -> Bool { !(feedInstruments[venue] ?? []).isEmpty }

    /// Records a feed's health; state changes, gaps and resyncs go out on the `feeds` channel.
    public func updateFeed(_ h: FeedHealth) {
        let old = feedHealth[h.venue]
        feedHealth[h.venue] = h
        if old?.state != h.state || old?.gaps != h.gaps || old?.resyncs != h.resyncs || old?.reconnects != h.reconnects {
            if old?.state != h.state {
                logger.info("feed state", metadata: ["venue": "\(h.venue)", "state": "\(h.state.rawValue)"])
            }
            let data = feedJSON(h, now: time.nowNanos())
            for id in accountSubscriptions {
                guard let sub = subscriptions[id], sub.channel == .feeds, let session = sessions[sub.sessionId] else { continue }
                emit(session.outbox, notification(sub, data), slot: nil, durable: false)
            }
        }
    }

    func feedJSON(_ h: FeedHealth, now: Int64) -> JSON {
        var b = JSONObjectBuilder()
        b.add("venue", h.venue)
        b.add("state", h.state.rawValue)
        b.add("last_message_age_ms", h.lastMessageAt == 0 ? .null : .int(max(0, (now - h.lastMessageAt) / 1_000_000)))
        b.add("reconnects", .int(h.reconnects))
        b.add("resyncs", .int(h.resyncs))
        b.add("gaps", .int(h.gaps))
        b.add("snapshot_failures", .int(h.snapshotFailures))
        b.add("bad_frames", .int(h.badFrames))
        b.add("last_error", h.lastError.map(JSON.string) ?? .null)
        b.add("symbols", .array(h.symbols.map(JSON.string)))
        b.add("instruments", .array((feedInstruments[h.venue] ?? []).map(JSON.string)))
        return b.json
    }

    /// `get_health`: every feed, and the freshness of every book with data.
    func getHealth(_ params: JSON?) throws(RPCError) -> JSON {
        _ = try Params(params, allowed: [])
        let now = time.nowNanos()
        let feeds = feedHealth.keys.sorted().compactMap { feedHealth[$0].map { feedJSON($0, now: now) } }
        let booksJSON: [JSON] = instrumentList.compactMap { i in
            guard let b = books[i.id], b.sequence > 0 || b.verified else { return nil }
            return .object([JSONMember("instrument", .string(i.id)), JSONMember("freshness", Presenter.freshness(b, now: now))])
        }
        let execution = venueExec.keys.sorted().compactMap { venueExec[$0].map { executionJSON($0, now: now) } }
        return .object([JSONMember("feeds", .array(feeds)), JSONMember("books", .array(booksJSON)), JSONMember("ledger", Engine.ledgerJSON(ledger.health)),
                        JSONMember("execution", .array(execution))])
    }

    func executionJSON(_ v: VenueExecState, now: Int64) -> JSON {
        var b = JSONObjectBuilder()
        b.add("venue", v.venue)
        b.add("mode", v.mode.rawValue)
        b.add("state", v.state.rawValue)
        b.add("stream", v.mode == .paper ? .null : .bool(v.streamUp))
        let counts = orders.totals(onVenue: v.venue)
        b.add("open_orders", .int(counts.open))
        b.add("uncertain_orders", .int(counts.uncertain))
        b.add("resolved", .int(v.resolved))
        b.add("adopted", .int(v.adopted))
        b.add("orphans_cancelled", .int(v.orphansCancelled))
        b.add("stream_reconnects", .int(v.streamReconnects))
        b.add("caught_up_fills", .int(v.caughtUpFills))
        b.add("reconciled_ts_us", v.reconciledAt == 0 ? .null : .int(v.reconciledAt / 1000))
        b.add("last_error", v.lastError.map(JSON.string) ?? .null)
        var rl = JSONObjectBuilder()
        let usage = executors[v.venue]?.rateLimit ?? v.rateLimit
        for (name, c) in usage.counters.sorted(by: { $0.key < $1.key }) {
            rl.add(name, .object([JSONMember("used", .int(c.used)), JSONMember("limit", c.limit > 0 ? .int(c.limit) : .null)]))
        }
        b.add("rate_limit", .object([JSONMember("counters", rl.json),
                                     JSONMember("blocked_ms", usage.blockedUntil.map { .int(max(0, Int(($0 - now) / 1_000_000))) } ?? .null)]))
        return b.json
    }

    static func ledgerJSON(_ h: LedgerHealth) -> JSON {
        .object([
            JSONMember("ok", .bool(h.failure == nil)), JSONMember("sync", .string(h.sync.rawValue)), JSONMember("in_memory", .bool(h.inMemory)),
            JSONMember("commits", .int(h.commits)), JSONMember("records", .int(h.records)), JSONMember("waiting", .int(h.waiting)),
            JSONMember("last_commit_us", .int(h.lastCommitMicros)), JSONMember("max_commit_us", .int(h.maxCommitMicros)),
            JSONMember("wal_bytes", .int(h.walBytes)),
            JSONMember("failure", h.failure.map { .object([JSONMember("code", .string($0.code)), JSONMember("message", .string($0.message))]) } ?? .null),
        ])
    }
}
