import AlephCore
import AlephRPC
import AlephRisk
import GRDB

/// Writes records into the tables and the journal; runs inside one transaction per batch.
enum LedgerStore {
    static func write(_ records: [LedgerRecord], _ db: Database) throws {
        for r in records {
            switch r {
            case .intent(let i):
                try db.cachedStatement(sql: """
                    INSERT INTO intents (intent_id, session, fingerprint, params, rationale, received_at, result, order_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [i.intentId, i.session, i.fingerprint, JSONWriter.string(i.params), i.rationale, i.receivedAt,
                                             JSONWriter.string(i.result), i.orderId])
                try journal(db, at: i.receivedAt, kind: "intent", ref: i.intentId, data: .object([
                    JSONMember("session", .int(i.session)), JSONMember("params", i.params), JSONMember("order_id", i.orderId.map(JSON.string) ?? .null),
                    JSONMember("status", statusOf(i.result)),
                ]))
            case .order(let o, let session):
                try db.cachedStatement(sql: """
                    INSERT INTO orders (seq, order_id, intent_id, session, venue, venue_order_id, client_order_id, instrument, side, type,
                        time_in_force, limit_price, quantity, filled_quantity, filled_notional, fees, state, post_only, reduce_only,
                        rationale, reason, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(seq) DO UPDATE SET venue_order_id = excluded.venue_order_id, filled_quantity = excluded.filled_quantity,
                        filled_notional = excluded.filled_notional, fees = excluded.fees, state = excluded.state, reason = excluded.reason,
                        updated_at = excluded.updated_at
                    """).execute(arguments: [try LedgerStore.seq(o.id, "o-"), o.id, o.intentId, session, o.venue, o.venueOrderId, o.clientOrderId, o.instrument, o.side.rawValue,
                                             o.type.rawValue, o.timeInForce.rawValue, o.limitPrice?.description, o.quantity.description,
                                             o.filledQuantity.description, o.filledNotional.description, o.fees.description, o.status.rawValue,
                                             o.postOnly, o.reduceOnly, o.rationale, o.reason, o.createdAt, o.updatedAt])
                try journal(db, at: o.updatedAt, kind: "order", ref: o.id, data: LedgerCodec.orderJSON(o))
            case .fill(let f):
                try db.cachedStatement(sql: """
                    INSERT INTO fills (seq, fill_id, venue_trade_id, order_id, intent_id, instrument, side, price, quantity, fee, liquidity, ts)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """).execute(arguments: [try LedgerStore.seq(f.id, "f-"), f.id, f.venueTradeId, f.orderId, f.intentId, f.instrument, f.side.rawValue, f.price.description,
                                             f.quantity.description, f.fee.description, f.liquidity.rawValue, f.timestamp])
                if db.changesCount == 1 {
                    try journal(db, at: f.timestamp, kind: "fill", ref: f.id, data: LedgerCodec.fillJSON(f))
                }
            case .position(let p):
                try db.cachedStatement(sql: """
                    INSERT INTO positions (instrument, quantity, average_entry, realized_pnl, fees) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(instrument) DO UPDATE SET quantity = excluded.quantity, average_entry = excluded.average_entry,
                        realized_pnl = excluded.realized_pnl, fees = excluded.fees
                    """).execute(arguments: [p.instrument, p.quantity.description, p.averageEntry.description, p.realizedPnL.description, p.fees.description])
            case .balance(let b):
                try db.cachedStatement(sql: """
                    INSERT INTO balances (currency, cash, starting_cash, fees_paid) VALUES (?, ?, ?, ?)
                    ON CONFLICT(currency) DO UPDATE SET cash = excluded.cash, starting_cash = excluded.starting_cash, fees_paid = excluded.fees_paid
                    """).execute(arguments: [b.currency, b.cash.description, b.startingCash.description, b.feesPaid.description])
            case .risk(let s, let event):
                try db.cachedStatement(sql: """
                    INSERT INTO risk_state (id, state, peak_equity, day_start_equity, day) VALUES (1, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET state = excluded.state, peak_equity = excluded.peak_equity,
                        day_start_equity = excluded.day_start_equity, day = excluded.day
                    """).execute(arguments: [s.state.rawValue, s.peakEquity.description, s.dayStartEquity.description, s.day])
                if let e = event { try journal(db, at: e.at, kind: "risk", ref: e.to.rawValue, data: LedgerCodec.riskEventJSON(e)) }
            case .event(let kind, let ref, let at, let data):
                try journal(db, at: at, kind: kind, ref: ref, data: data)
            }
        }
    }

    /// The number in a gateway id (`o-12` → 12), the row's key.
    static func seq(_ id: String, _ prefix: String) throws -> Int64 {
        guard id.hasPrefix(prefix), let n = Int64(id.dropFirst(prefix.count)), n > 0 else {
            throw LedgerError("corrupt", "id '\(id)' is not \(prefix)<number>")
        }
        return n
    }

    private static func journal(_ db: Database, at: Int64, kind: String, ref: String?, data: JSON) throws {
        try db.cachedStatement(sql: "INSERT INTO events (at, kind, ref, data) VALUES (?, ?, ?, ?)")
            .execute(arguments: [at, kind, ref, JSONWriter.string(data)])
    }

    private static func statusOf(_ result: JSON) -> JSON {
        guard case .object(let m) = result, let s = m.first(where: { $0.key == "status" }) else { return .null }
        return s.value
    }
}
