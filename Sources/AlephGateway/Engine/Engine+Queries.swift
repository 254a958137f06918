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
        return Presenter.book(book, depth: depth, instrument: inst, now: time.nowNanos())
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

    /// `get_positions`: every instrument traded, marked at mid.
    func getPositions(_ params: JSON?) throws(RPCError) -> JSON {
        let p = try Params(params, allowed: ["instrument"])
        let instrument = try p.optionalString("instrument", maxLength: 128)
        if let instrument, instruments[instrument] == nil { throw unknownInstrument(instrument) }
        var list: [JSON] = []
        var unrealized = Fixed.zero, realized = Fixed.zero
        for inst in instrumentList where instrument == nil || inst.id == instrument {
            guard let pos = portfolio.positions[inst.id] else { continue }
            let m = mark(inst.id)
            unrealized += m.map { pos.unrealizedPnL(mark: $0) } ?? .zero
            realized += pos.realizedPnL
            list.append(Presenter.position(pos, mark: m, instrument: inst))
        }
        return .object([
            JSONMember("positions", .array(list)),
            JSONMember("unrealized_pnl", Presenter.decimal(unrealized)),
            JSONMember("realized_pnl", Presenter.decimal(realized)),
        ])
    }

    /// `get_balances`: cash, cash reserved by resting buys, equity and PnL.
    func getBalances(_ params: JSON?) throws(RPCError) -> JSON {
        _ = try Params(params, allowed: [])
        var reserved = Fixed.zero
        for id in openOrderIds {
            guard let o = orders[id], o.side == .buy else { continue }
            reserved += (o.limitPrice ?? .zero).multiplied(by: o.remainingQuantity)
        }
        let equity = portfolio.equity(marks: marks())
        var cash = JSONObjectBuilder()
        cash.add("asset", portfolio.currency)
        cash.add("total", Presenter.decimal(portfolio.cash, 2))
        cash.add("reserved", Presenter.decimal(reserved, 2))
        cash.add("available", Presenter.decimal(portfolio.cash - reserved, 2))
        var b = JSONObjectBuilder()
        b.add("currency", portfolio.currency)
        b.add("balances", .array([cash.json]))
        b.add("equity", Presenter.decimal(equity, 2))
        b.add("starting_cash", Presenter.decimal(portfolio.startingCash, 2))
        b.add("pnl", Presenter.decimal(equity - portfolio.startingCash, 2))
        b.add("fees_paid", Presenter.decimal(portfolio.feesPaid))
        return b.json
    }
}
