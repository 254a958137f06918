import AlephBook
import AlephCore
import AlephRPC

extension Engine {
    /// `list_instruments`, optionally filtered by venue and kind.
    func listInstruments(_ params: JSON?) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["venue", "kind"])
        let venue = try p.optionalString("venue", maxLength: 64)
        let kind = try p.enumValue("kind", InstrumentKind.self)
        let list = instrumentList.filter { (venue == nil || $0.venue == venue) && (kind == nil || $0.kind == kind) }
        return .object([JSONMember("instruments", .array(list.map(Presenter.instrument)))])
    }

    /// `get_book`.
    func getBook(_ params: JSON?) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["instrument", "depth"])
        let id = try p.string("instrument", maxLength: 128)
        let depth = try p.int("depth", default: config.defaultBookDepth, range: 1...100)
        guard let inst = instruments[id] else { throw unknownInstrument(id) }
        guard let book = books[id], book.sequence > 0 else {
            throw RPCError.app(.venueUnavailable, "no market data for \(id) yet; retry shortly", details: [JSONMember("instrument", .string(id))])
        }
        var out = Presenter.book(book, depth: depth, instrument: inst, now: time.nowNanos())
        if let c = contexts[id] {
            let pd = inst.priceDecimals
            var ctx = JSONObjectBuilder()
            ctx.add("mark_price", Presenter.optDecimal(c.markPrice, pd))
            ctx.add("index_price", Presenter.optDecimal(c.indexPrice, pd))
            ctx.add("funding_rate", c.fundingRate.map { JSON.string($0.description) } ?? .null)
            ctx.add("open_interest", Presenter.optDecimal(c.openInterest, inst.quantityDecimals))
            ctx.add("receive_ts_us", .int(c.receiveTime / 1000))
            out = Engine.adding("context", ctx.json, to: out)
        }
        return out
    }

    /// Parses an opaque cursor (`<n>`: index to continue below, newest first).
    private func cursor(_ p: Params) throws(RPCError) -> Int? {
        guard let c = try p.optionalString("cursor", maxLength: 32) else { return nil }
        guard let n = Int(c), n >= 0 else { throw RPCError.invalidParams(field: "cursor", reason: "not a cursor returned by this method") }
        return n
    }

    /// `get_orders`: newest first; `status` is `open` (default: live orders), `all`, or one status.
    func getOrders(_ params: JSON?) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["instrument", "status", "limit", "cursor"])
        let instrument = try p.optionalString("instrument", maxLength: 128)
        if let instrument, instruments[instrument] == nil { throw unknownInstrument(instrument) }
        let statusText = try p.optionalString("status", maxLength: 32) ?? "open"
        let statusFilter: (Order) -> Bool
        switch statusText {
        case "open": statusFilter = { !$0.status.isTerminal }
        case "all": statusFilter = { _ in true }
        default:
            guard let st = OrderStatus(rawValue: statusText), st != .previewed else {
                throw RPCError.invalidParams(field: "status", reason: "'\(statusText)' is not one of: open, all, pending_submit, partially_filled, pending_cancel, uncertain, filled, cancelled, rejected, expired")
            }
            statusFilter = { $0.status == st }
        }
        let limit = try p.int("limit", default: 100, range: 1...1000)
        var idx = min(try cursor(p) ?? orderIds.count, orderIds.count) - 1
        var out: [JSON] = []
        while idx >= 0 && out.count < limit {
            if let o = orders[orderIds[idx]], instrument == nil || o.instrument == instrument, statusFilter(o) {
                out.append(Presenter.order(o, instrument: instruments[o.instrument]))
            }
            idx -= 1
        }
        let next: JSON = idx >= 0 && out.count == limit ? .string(String(idx + 1)) : .null
        return .object([JSONMember("orders", .array(out)), JSONMember("next_cursor", next)])
    }

    /// `get_fills`: newest first.
    func getFills(_ params: JSON?) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["instrument", "order_id", "limit", "cursor"])
        let instrument = try p.optionalString("instrument", maxLength: 128)
        if let instrument, instruments[instrument] == nil { throw unknownInstrument(instrument) }
        let orderId = try p.optionalString("order_id", maxLength: 128)
        let limit = try p.int("limit", default: 100, range: 1...1000)
        var idx = min(try cursor(p) ?? fills.count, fills.count) - 1
        var out: [JSON] = []
        while idx >= 0 && out.count < limit {
            let f = fills[idx]
            if (instrument == nil || f.instrument == instrument) && (orderId == nil || f.orderId == orderId) {
                out.append(Presenter.fill(f, instrument: instruments[f.instrument]))
            }
            idx -= 1
        }
        let next: JSON = idx >= 0 && out.count == limit ? .string(String(idx + 1)) : .null
        return .object([JSONMember("fills", .array(out)), JSONMember("next_cursor", next)])
    }

    /// `get_positions`: every instrument with a position (paper: from our fills; live spot: the
    /// venue's base balance; live perp: the venue's position), marked at mid.
    func getPositions(_ params: JSON?) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["instrument"])
        let instrument = try p.optionalString("instrument", maxLength: 128)
        if let instrument, instruments[instrument] == nil { throw unknownInstrument(instrument) }
        var list: [JSON] = []
        var unrealized = Fixed.zero, realized = Fixed.zero
        let all = allPositions()
        for inst in instrumentList where instrument == nil || inst.id == instrument {
            guard let pos = all[inst.id] else { continue }
            let m = mark(inst.id)
            unrealized += m.map { pos.unrealizedPnL(mark: $0) } ?? .zero
            realized += pos.realizedPnL
            let paper = isPaper(inst.venue)
            list.append(Presenter.position(pos, mark: m, instrument: inst, mode: paper ? "paper" : "live",
                                           venue: paper ? nil : venuePositions[inst.venue]?[inst.id]))
        }
        return .object([
            JSONMember("positions", .array(list)),
            JSONMember("unrealized_pnl", Presenter.decimal(unrealized)),
            JSONMember("realized_pnl", Presenter.decimal(realized)),
        ])
    }

    /// `get_balances`: the paper accounts' cash (what is reserved by resting buys, what is
    /// available), equity over every account valued in USD, PnL against the paper starting cash;
    /// and `accounts`, one per venue with its mode and balances (a live venue's as it reports them).
    func getBalances(_ params: JSON?) throws(RPCError) -> JSON {
        _ = try Params(params, allowed: [])
        let marks = self.marks()
        var paperCash = Fixed.zero, starting = Fixed.zero, fees = Fixed.zero, reserved = Fixed.zero
        var accountsJSON: [JSON] = []
        for venue in accounts.keys.sorted() {
            guard let a = accounts[venue] else { continue }
            fees += a.feesPaid
            var entry = JSONObjectBuilder()
            entry.add("venue", venue)
            let paper = isPaper(venue)
            entry.add("mode", paper ? "paper" : "live")
            var balances: [JSON] = []
            if paper {
                let r = orders.totals(onVenue: venue).paperBuys
                paperCash += a.cash
                starting += a.startingCash
                reserved += r
                balances.append(Presenter.venueBalance(asset: a.currency, free: a.cash - r, locked: r))
            } else {
                for (asset, b) in (venueBalances[venue] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    balances.append(Presenter.venueBalance(asset: asset, free: b.free, locked: b.locked))
                }
            }
            entry.add("balances", .array(balances))
            entry.add("equity", Presenter.decimal(equity(venue: venue, marks: marks), 2))
            if !paper, let m = venueMargins[venue] {
                entry.add("margin", .object([JSONMember("account_value", Presenter.decimal(m.accountValue)),
                                             JSONMember("margin_used", Presenter.decimal(m.marginUsed)),
                                             JSONMember("withdrawable", Presenter.decimal(m.withdrawable))]))
            }
            accountsJSON.append(entry.json)
        }
        let equity = totalEquity(marks: marks)
        var cash = JSONObjectBuilder()
        cash.add("asset", config.paper.currency)
        cash.add("total", Presenter.decimal(paperCash, 2))
        cash.add("reserved", Presenter.decimal(reserved, 2))
        cash.add("available", Presenter.decimal(paperCash - reserved, 2))
        var b = JSONObjectBuilder()
        b.add("currency", config.paper.currency)
        b.add("balances", .array([cash.json]))
        b.add("equity", Presenter.decimal(equity, 2))
        b.add("starting_cash", Presenter.decimal(starting, 2))
        b.add("pnl", Presenter.decimal(equity - starting - liveEquityTotal(marks: marks), 2))
        b.add("fees_paid", Presenter.decimal(fees))
        b.add("accounts", .array(accountsJSON))
        return b.json
    }

    /// Live accounts' equity (not part of the paper PnL).
    func liveEquityTotal(marks: [String: Fixed]) -> Fixed {
        accounts.keys.filter { !isPaper($0) }.reduce(Fixed.zero) { $0 + liveEquity($1, marks: marks) }
    }
}
