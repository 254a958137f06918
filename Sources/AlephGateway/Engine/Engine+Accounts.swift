import AlephCore
import AlephRPC
import AlephVenueKit

extension Engine {
    /// Absolute balances streamed by a venue (`complete`: the whole account, replacing what was known).
    func applyBalances(_ list: [VenueBalance], complete: Bool, venue: String, at now: Int64) {
        var m = complete ? [:] : venueBalances[venue] ?? [:]
        for b in list { m[b.asset] = b }
        venueBalances[venue] = m
        accountMarks[venue, default: AccountMarks()].touchBalances(list.map(\.asset))
    }

    /// Current derivatives positions streamed by a venue.
    func applyVenuePositions(_ list: [VenuePosition], venue: String) {
        var m = venuePositions[venue] ?? [:]
        for p in list { m[p.instrument] = p }
        venuePositions[venue] = m
        accountMarks[venue, default: AccountMarks()].touchPositions(list.map(\.instrument))
    }

    /// The venue's stream counter, taken before an account snapshot is read (see `applyAccount`).
    public func accountMark(venue: String) -> Int64 { accountMarks[venue]?.seq ?? 0 }

    /// A venue account snapshot (start, reconnect, refresh). With `mark` (taken before the read),
    /// balances and positions the stream changed since then keep their streamed values.
    public func applyAccount(_ a: VenueAccountSnapshot, venue: String, readSince mark: Int64? = nil) {
        var balances = Dictionary(a.balances.map { ($0.asset, $0) }, uniquingKeysWith: { _, b in b })
        var positions = Dictionary(a.positions.map { ($0.instrument, $0) }, uniquingKeysWith: { _, b in b })
        if let mark, let marks = accountMarks[venue] {
            for (asset, b) in venueBalances[venue] ?? [:] where marks.balanceNewer(asset, than: mark) { balances[asset] = b }
            for (inst, p) in venuePositions[venue] ?? [:] where marks.positionNewer(inst, than: mark) { positions[inst] = p }
        }
        venueBalances[venue] = balances
        venuePositions[venue] = positions
        if let m = a.margin { venueMargins[venue] = m }
    }

    /// Books funding payments once each (by id): journaled, and added to the position's funding.
    func applyFunding(_ list: [VenueFunding], venue: String) {
        for f in list where !fundingIds.contains(f.id) {
            fundingIds.insert(f.id)
            accounts[venue, default: Portfolio(currency: config.paper.currency, cash: .zero)]
                .positions[f.instrument, default: Position(instrument: f.instrument)].funding += f.amount
            var data: [JSONMember] = [JSONMember("venue", .string(venue)), JSONMember("instrument", .string(f.instrument)),
                                      JSONMember("amount", .string(f.amount.description))]
            if let r = f.rate { data.append(JSONMember("rate", .string(r.description))) }
            if let q = f.positionSize { data.append(JSONMember("position", .string(q.description))) }
            pendingRecords.append(.event(kind: "funding", ref: f.id, at: f.timestamp, data: .object(data)))
        }
    }
}

extension Engine {
    /// The venue of an instrument id (loaded instruments first, else the id's prefix).
    func venueOf(_ instrument: String) -> String {
        instruments[instrument]?.venue ?? String(instrument.split(separator: ":", maxSplits: 1).first ?? "")
    }

    /// True when the venue paper-trades here (its cash is ours to keep).
    func isPaper(_ venue: String) -> Bool { (executors[venue]?.mode ?? .paper) == .paper }

    /// The position in one instrument: for a live spot instrument the venue's base balance (what
    /// the account really holds), for a live perp the venue's position when it reported one, else
    /// the position our fills built.
    func position(_ instrument: String) -> Position? {
        let venue = venueOf(instrument)
        var p = accounts[venue]?.positions[instrument]
        if !isPaper(venue), let inst = instruments[instrument] {
            switch inst.kind {
            case .spot:
                if let b = venueBalances[venue]?[inst.base] {
                    var q = p ?? Position(instrument: instrument)
                    q.quantity = b.total
                    p = q
                }
            case .perp, .outcome:
                if let vp = venuePositions[venue]?[instrument] {
                    var q = p ?? Position(instrument: instrument)
                    q.quantity = vp.quantity
                    if let e = vp.entryPrice { q.averageEntry = e }
                    p = q
                }
            }
        }
        return p
    }

    /// Every position with a quantity or history, by instrument.
    func allPositions() -> [String: Position] {
        var out: [String: Position] = [:]
        for (_, a) in accounts { for (id, _) in a.positions { out[id] = position(id) } }
        for (venue, m) in venuePositions { for id in m.keys where out[id] == nil { out[id] = position(id) } ; _ = venue }
        return out
    }

    /// What one unit of `asset` is worth in USD by the valuation rule: stablecoins at their
    /// configured value (USD, USDT, USDC… at 1), other assets at the mid of `<venue>:<ASSET>-<stable>`.
    func usdValue(of asset: String, venue: String, marks: [String: Fixed]) -> Fixed? {
        if let v = config.stableValues[asset] { return v }
        for (stable, v) in config.stableValues.sorted(by: { $0.key < $1.key }) {
            if let m = marks["\(venue):\(asset)-\(stable)"] { return m.multiplied(by: v) }
        }
        return nil
    }

    /// A live venue's equity in USD: its balances valued by the rule, plus perps' unrealized PnL.
    func liveEquity(_ venue: String, marks: [String: Fixed]) -> Fixed {
        var e = Fixed.zero
        for (asset, b) in venueBalances[venue] ?? [:] {
            if let v = usdValue(of: asset, venue: venue, marks: marks) { e += b.total.multiplied(by: v) }
        }
        for (_, p) in venuePositions[venue] ?? [:] { e += p.unrealizedPnL ?? .zero }
        return e
    }

    /// One venue's equity: a paper account's cash and positions at mark, or a live account's valued balances.
    func equity(venue: String, marks: [String: Fixed]) -> Fixed {
        isPaper(venue) ? (accounts[venue]?.equity(marks: marks) ?? .zero) : liveEquity(venue, marks: marks)
    }

    /// Equity over every account (the drawdown breaker's measure).
    func totalEquity(marks: [String: Fixed]) -> Fixed {
        var e = Fixed.zero
        for venue in accounts.keys { e += equity(venue: venue, marks: marks) }
        return e
    }

    /// Live venues configured (fixed at start).
    var liveVenueCount: Int { executors.values.reduce(0) { $0 + ($1.traits.remote ? 1 : 0) } }

    /// True when every account can be valued now: each live venue has reported its balances and
    /// every asset it holds that one of our instruments prices has a mark. Until then (a start, a
    /// book not yet synced) the breaker judges on the last complete equity, so a price that is not
    /// known yet never reads as a loss.
    func equityComplete(marks: [String: Fixed]) -> Bool {
        if liveVenueCount == 0 { return true }
        return accounts.keys.allSatisfy { isPaper($0) || venueValued($0, marks: marks) }
    }

    /// Whether one live venue can be valued now (balances reported, every priced asset marked).
    func venueValued(_ venue: String, marks: [String: Fixed]) -> Bool {
        guard let balances = venueBalances[venue] else { return false }
        for (asset, b) in balances where b.total.isPositive && config.stableValues[asset] == nil {
            for stable in config.stableValues.keys where instruments["\(venue):\(asset)-\(stable)"] != nil && marks["\(venue):\(asset)-\(stable)"] == nil {
                return false
            }
        }
        return true
    }

    /// A live account first valued joins the breaker's baselines with its equity (journaled, so a
    /// restart does not add it twice): an account's existing money is neither gain nor loss.
    func baselineNewAccounts(marks: [String: Fixed]) {
        guard baselinedVenues.count < liveVenueCount else { return }
        for venue in accounts.keys.sorted() where !isPaper(venue) && !baselinedVenues.contains(venue) && venueValued(venue, marks: marks) {
            let e = liveEquity(venue, marks: marks)
            risk.shiftBaselines(by: e)
            baselinedVenues.insert(venue)
            riskWritten = nil
            pendingRecords.append(.event(kind: "risk_baseline", ref: venue, at: time.nowNanos(), data: .object([
                JSONMember("venue", .string(venue)), JSONMember("equity", .string(e.description)),
            ])))
            logger.info("live account joins the equity measure", metadata: ["venue": "\(venue)", "equity": "\(e)"])
        }
    }

    /// The equity the risk gate and the breaker judge on: now when complete, else the last complete value.
    func riskEquity(marks: [String: Fixed]) -> Fixed {
        baselineNewAccounts(marks: marks)
        if equityComplete(marks: marks) {
            let e = totalEquity(marks: marks)
            lastCompleteEquity = e
            return e
        }
        return lastCompleteEquity ?? max(risk.peakEquity, paperStartingCash)
    }

    /// Starting cash over the paper accounts.
    var paperStartingCash: Fixed { accounts.filter { isPaper($0.key) }.values.reduce(Fixed.zero) { $0 + $1.startingCash } }

    /// Every account folded into one (positions of all venues; paper cash and fees summed).
    public var currentPortfolio: Portfolio {
        var p = Portfolio(currency: config.paper.currency, cash: .zero)
        p.startingCash = .zero
        for (venue, a) in accounts {
            if isPaper(venue) {
                p.cash += a.cash
                p.startingCash += a.startingCash
            }
            p.feesPaid += a.feesPaid
            for (id, pos) in a.positions { p.positions[id] = pos }
        }
        return p
    }
}
