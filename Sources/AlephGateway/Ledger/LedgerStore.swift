import AlephCore
import AlephRPC
import AlephRisk
import GRDB

/// Writes batches of records into the tables and the journal, one transaction per batch, on the
/// ledger writer's connection. Only the writer's queue uses it.
///
/// The journal gets every record in order. The tables keep current state, so within one batch
/// only the last state of each order, position, balance and risk row is written: a market order
/// that goes pending_submit → filled in one step writes two journal events and one order row.
final class LedgerStore {
    private let begin: LedgerStatement
    private let commit: LedgerStatement
    private let rollback: LedgerStatement
    private let intent: LedgerStatement
    private let order: LedgerStatement
    private let fill: LedgerStatement
    private let position: LedgerStatement
    private let balance: LedgerStatement
    private let risk: LedgerStatement
    private let event: LedgerStatement
    private var json = JournalJSON()
    private var encoded: [UInt8] = []
    private var lastOrder: [String: Int] = [:]
    private var lastPosition: [String: Int] = [:]

    init(_ db: Database) throws {
        begin = try LedgerStatement(db, "BEGIN IMMEDIATE")
        commit = try LedgerStatement(db, "COMMIT")
        rollback = try LedgerStatement(db, "ROLLBACK")
        intent = try LedgerStatement(db, """
            INSERT INTO intents (intent_id, session, fingerprint, params, rationale, received_at, result, order_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(intent_id) DO UPDATE SET result = excluded.result, order_id = excluded.order_id
            """)
        order = try LedgerStatement(db, """
            INSERT INTO orders (seq, order_id, intent_id, session, venue, venue_order_id, client_order_id, instrument, side, type,
                time_in_force, limit_price, quantity, filled_quantity, filled_notional, fees, state, post_only, reduce_only,
                rationale, reason, created_at, updated_at, live, cancel_requested)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(seq) DO UPDATE SET venue_order_id = excluded.venue_order_id, filled_quantity = excluded.filled_quantity,
                filled_notional = excluded.filled_notional, fees = excluded.fees, state = excluded.state, reason = excluded.reason,
                updated_at = excluded.updated_at, cancel_requested = excluded.cancel_requested
            """)
        fill = try LedgerStatement(db, """
            INSERT INTO fills (seq, fill_id, venue_trade_id, order_id, intent_id, instrument, side, price, quantity, fee, liquidity, ts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        position = try LedgerStatement(db, """
            INSERT INTO positions (instrument, quantity, average_entry, realized_pnl, fees) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(instrument) DO UPDATE SET quantity = excluded.quantity, average_entry = excluded.average_entry,
                realized_pnl = excluded.realized_pnl, fees = excluded.fees
            """)
        balance = try LedgerStatement(db, """
            INSERT INTO balances (currency, cash, starting_cash, fees_paid) VALUES (?, ?, ?, ?)
            ON CONFLICT(currency) DO UPDATE SET cash = excluded.cash, starting_cash = excluded.starting_cash, fees_paid = excluded.fees_paid
            """)
        risk = try LedgerStatement(db, """
            INSERT INTO risk_state (id, state, peak_equity, day_start_equity, day) VALUES (1, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET state = excluded.state, peak_equity = excluded.peak_equity,
                day_start_equity = excluded.day_start_equity, day = excluded.day
            """)
        event = try LedgerStatement(db, "INSERT INTO events (at, kind, ref, data) VALUES (?, ?, ?, ?)")
    }

    /// Writes `records` in one transaction; on error nothing of the batch remains.
    func write(_ records: [LedgerRecord]) throws(LedgerError) {
        try begin.run()
        do {
            try writeRows(records)
            try commit.run()
        } catch {
            _ = try? rollback.run()
            throw error
        }
    }

    private func writeRows(_ records: [LedgerRecord]) throws(LedgerError) {
        lastOrder.removeAll(keepingCapacity: true)
        lastPosition.removeAll(keepingCapacity: true)
        var lastBalance: [String: Int] = [:], lastRisk = -1
        for (k, r) in records.enumerated() {
            switch r {
            case .order(let o, _): lastOrder[o.id] = k
            case .position(let p): lastPosition[p.instrument] = k
            case .balance(let b): lastBalance[b.key] = k
            case .risk: lastRisk = k
            default: break
            }
        }
        for (k, r) in records.enumerated() {
            switch r {
            case .intent(let i): try writeIntent(i)
            case .order(let o, let session):
                if lastOrder[o.id] == k { try writeOrderRow(o, session: session) }
                try journal(at: o.updatedAt, kind: "order", ref: o.id, orderJSON(o))
            case .fill(let f):
                if try writeFillRow(f) == 1 { try journal(at: f.timestamp, kind: "fill", ref: f.id, fillJSON(f)) }
            case .position(let p) where lastPosition[p.instrument] == k:
                position.text(p.instrument)
                position.decimal(p.quantity)
                position.decimal(p.averageEntry)
                position.decimal(p.realizedPnL)
                position.decimal(p.fees)
                try position.run()
            case .balance(let b) where lastBalance[b.key] == k:
                balance.text(b.key)
                balance.decimal(b.cash)
                balance.decimal(b.startingCash)
                balance.decimal(b.feesPaid)
                try balance.run()
            case .risk(let s, let e):
                if k == lastRisk {
                    risk.text(s.state.rawValue)
                    risk.decimal(s.peakEquity)
                    risk.decimal(s.dayStartEquity)
                    risk.int(s.day)
                    try risk.run()
                }
                if let e { try journal(at: e.at, kind: "risk", ref: e.to.rawValue, riskEventJSON(e)) }
            case .event(let kind, let ref, let at, let data):
                encoded.removeAll(keepingCapacity: true)
                JSONWriter.write(data, into: &encoded)
                try journal(at: at, kind: kind, ref: ref, encoded)
            case .position, .balance: break
            }
        }
    }

    private func writeIntent(_ i: LedgerIntent) throws(LedgerError) {
        encoded.removeAll(keepingCapacity: true)
        JSONWriter.write(i.params, into: &encoded)
        intent.text(i.intentId)
        intent.int(i.session)
        intent.text(i.fingerprint)
        intent.text(bytes: encoded)
        intent.text(i.rationale)
        intent.int(i.receivedAt)
        intent.text(bytes: JSONWriter.bytes(i.result))
        intent.text(i.orderId)
        try intent.run()
        json.begin()
        json.int("session", i.session)
        json.raw("params", encoded)
        json.string("order_id", i.orderId)
        json.json("status", LedgerStore.statusOf(i.result))
        json.end()
        try journal(at: i.receivedAt, kind: "intent", ref: i.intentId, json.bytes)
    }

    private func writeOrderRow(_ o: Order, session: Int?) throws(LedgerError) {
        order.int(try LedgerStore.seq(o.id, "o-"))
        order.text(o.id)
        order.text(o.intentId)
        order.int(session)
        order.text(o.venue)
        order.text(o.venueOrderId)
        order.text(o.clientOrderId)
        order.text(o.instrument)
        order.text(o.side.rawValue)
        order.text(o.type.rawValue)
        order.text(o.timeInForce.rawValue)
        order.decimal(o.limitPrice)
        order.decimal(o.quantity)
        order.decimal(o.filledQuantity)
        order.decimal(o.filledNotional)
        order.decimal(o.fees)
        order.text(o.status.rawValue)
        order.bool(o.postOnly)
        order.bool(o.reduceOnly)
        order.text(o.rationale)
        order.text(o.reason)
        order.int(o.createdAt)
        order.int(o.updatedAt)
        order.bool(o.live)
        order.text(o.cancelRequested)
        try order.run()
    }

    /// Returns 1 when inserted, 0 when the venue trade id was already booked.
    private func writeFillRow(_ f: Fill) throws(LedgerError) -> Int {
        fill.int(try LedgerStore.seq(f.id, "f-"))
        fill.text(f.id)
        fill.text(f.venueTradeId)
        fill.text(f.orderId)
        fill.text(f.intentId)
        fill.text(f.instrument)
        fill.text(f.side.rawValue)
        fill.decimal(f.price)
        fill.decimal(f.quantity)
        fill.decimal(f.fee)
        fill.text(f.liquidity.rawValue)
        fill.int(f.timestamp)
        return try fill.run()
    }

    private func orderJSON(_ o: Order) -> [UInt8] {
        json.begin()
        json.string("order_id", o.id)
        json.string("intent_id", o.intentId)
        json.string("venue", o.venue)
        json.string("venue_order_id", o.venueOrderId)
        json.string("client_order_id", o.clientOrderId)
        if o.live { json.json("live", .bool(true)) }
        json.string("instrument", o.instrument)
        json.string("side", o.side.rawValue)
        json.string("type", o.type.rawValue)
        json.string("time_in_force", o.timeInForce.rawValue)
        json.decimal("limit_price", o.limitPrice)
        json.decimal("quantity", o.quantity)
        json.decimal("filled_quantity", o.filledQuantity)
        json.decimal("fees", o.fees)
        json.string("state", o.status.rawValue)
        json.string("reason", o.reason)
        if let c = o.cancelRequested { json.string("cancel_requested", c) }
        json.end()
        return json.bytes
    }

    private func fillJSON(_ f: Fill) -> [UInt8] {
        json.begin()
        json.string("fill_id", f.id)
        json.string("venue_trade_id", f.venueTradeId)
        json.string("order_id", f.orderId)
        json.string("intent_id", f.intentId)
        json.string("instrument", f.instrument)
        json.string("side", f.side.rawValue)
        json.decimal("price", f.price)
        json.decimal("quantity", f.quantity)
        json.decimal("fee", f.fee)
        json.string("liquidity", f.liquidity.rawValue)
        json.end()
        return json.bytes
    }

    private func riskEventJSON(_ e: RiskEvent) -> [UInt8] {
        json.begin()
        json.string("from", e.from.rawValue)
        json.string("to", e.to.rawValue)
        json.string("reason", e.reason)
        json.decimal("equity", e.equity)
        json.decimal("limit", e.limit)
        json.decimal("value", e.value)
        json.end()
        return json.bytes
    }

    private func journal(at: Int64, kind: String, ref: String?, _ data: [UInt8]) throws(LedgerError) {
        event.int(at)
        event.text(kind)
        event.text(ref)
        event.text(bytes: data)
        try event.run()
    }

    /// The number in a gateway id (`o-12` → 12), the row's key.
    static func seq(_ id: String, _ prefix: String) throws(LedgerError) -> Int64 {
        guard id.hasPrefix(prefix), let n = Int64(id.dropFirst(prefix.count)), n > 0 else {
            throw LedgerError("corrupt", "id '\(id)' is not \(prefix)<number>")
        }
        return n
    }

    private static func statusOf(_ result: JSON) -> JSON {
        guard case .object(let m) = result, let s = m.first(where: { $0.key == "status" }) else { return .null }
        return s.value
    }
}
