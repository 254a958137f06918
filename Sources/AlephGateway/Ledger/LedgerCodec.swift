import AlephCore
import AlephRPC
import AlephRisk
import GRDB

/// Rows and journal JSON back into gateway types.
enum LedgerCodec {
    static func riskEvent(at: Int64, _ data: JSON) throws(LedgerError) -> RiskEvent {
        guard let from = data["from"]?.stringValue.flatMap(TradingState.init(rawValue:)),
              let to = data["to"]?.stringValue.flatMap(TradingState.init(rawValue:)),
              let reason = data["reason"]?.stringValue else { throw LedgerError("corrupt", "risk event without from/to/reason") }
        return RiskEvent(at: at, from: from, to: to, reason: reason, equity: try decimal(data["equity"]?.stringValue, "equity"),
                         limit: try data["limit"]?.stringValue.map { s throws(LedgerError) in try decimal(s, "limit") },
                         value: try data["value"]?.stringValue.map { s throws(LedgerError) in try decimal(s, "value") })
    }

    static func decimal(_ text: String?, _ column: String) throws(LedgerError) -> Fixed {
        guard let text else { throw LedgerError("corrupt", "missing decimal in \(column)") }
        do { return try Fixed(parsing: text) } catch { throw LedgerError("corrupt", "bad decimal '\(text)' in \(column)") }
    }

    static func enumValue<E: RawRepresentable>(_ text: String?, _ column: String) throws(LedgerError) -> E where E.RawValue == String {
        guard let text, let v = E(rawValue: text) else { throw LedgerError("corrupt", "bad value '\(text ?? "null")' in \(column)") }
        return v
    }

    /// The columns `order(_:)` reads, in its order.
    static let orderColumns = """
        order_id, intent_id, instrument, side, type, time_in_force, limit_price, quantity, post_only, reduce_only, rationale, created_at,
        filled_quantity, filled_notional, fees, state, reason, venue, venue_order_id, client_order_id, updated_at, session, live,
        cancel_requested
        """

    /// An order and its session from a row selected with `orderColumns`.
    static func order(_ row: Row) throws(LedgerError) -> (order: Order, session: Int?) {
        var o = Order(id: row[0], intentId: row[1], instrument: row[2], side: try enumValue(row[3], "orders.side"),
                      type: try enumValue(row[4], "orders.type"), timeInForce: try enumValue(row[5], "orders.time_in_force"),
                      limitPrice: try (row[6] as String?).map { s throws(LedgerError) in try decimal(s, "orders.limit_price") },
                      quantity: try decimal(row[7], "orders.quantity"), postOnly: row[8], reduceOnly: row[9],
                      rationale: row[10], createdAt: row[11])
        o.filledQuantity = try decimal(row[12], "orders.filled_quantity")
        o.filledNotional = try decimal(row[13], "orders.filled_notional")
        o.fees = try decimal(row[14], "orders.fees")
        o.status = try enumValue(row[15], "orders.state")
        o.reason = row[16]
        o.venue = row[17]
        o.venueOrderId = row[18]
        o.clientOrderId = row[19]
        o.updatedAt = row[20]
        o.live = row[22]
        o.cancelRequested = row[23]
        return (o, row[21])
    }

    /// The columns `fill(_:)` reads, in its order.
    static let fillColumns = "fill_id, order_id, intent_id, instrument, side, price, quantity, fee, liquidity, ts, venue_trade_id"

    /// A fill from a row selected with `fillColumns`.
    static func fill(_ row: Row) throws(LedgerError) -> Fill {
        Fill(id: row[0], orderId: row[1], intentId: row[2], instrument: row[3],
             side: try enumValue(row[4], "fills.side"), price: try decimal(row[5], "fills.price"),
             quantity: try decimal(row[6], "fills.quantity"), fee: try decimal(row[7], "fills.fee"),
             liquidity: try enumValue(row[8], "fills.liquidity"), timestamp: row[9], venueTradeId: row[10])
    }
}
