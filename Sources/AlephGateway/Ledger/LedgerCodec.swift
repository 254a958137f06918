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

    static func order(_ row: Row) throws(LedgerError) -> (Order, Int?) {
        var o = Order(id: row["order_id"], intentId: row["intent_id"], instrument: row["instrument"], side: try enumValue(row["side"], "orders.side"),
                      type: try enumValue(row["type"], "orders.type"), timeInForce: try enumValue(row["time_in_force"], "orders.time_in_force"),
                      limitPrice: try (row["limit_price"] as String?).map { s throws(LedgerError) in try decimal(s, "orders.limit_price") },
                      quantity: try decimal(row["quantity"], "orders.quantity"), postOnly: row["post_only"], reduceOnly: row["reduce_only"],
                      rationale: row["rationale"], createdAt: row["created_at"])
        o.filledQuantity = try decimal(row["filled_quantity"], "orders.filled_quantity")
        o.filledNotional = try decimal(row["filled_notional"], "orders.filled_notional")
        o.fees = try decimal(row["fees"], "orders.fees")
        o.status = try enumValue(row["state"], "orders.state")
        o.reason = row["reason"]
        o.venue = row["venue"]
        o.venueOrderId = row["venue_order_id"]
        o.clientOrderId = row["client_order_id"]
        o.updatedAt = row["updated_at"]
        return (o, row["session"])
    }

    static func fill(_ row: Row) throws(LedgerError) -> Fill {
        Fill(id: row["fill_id"], orderId: row["order_id"], intentId: row["intent_id"], instrument: row["instrument"],
             side: try enumValue(row["side"], "fills.side"), price: try decimal(row["price"], "fills.price"),
             quantity: try decimal(row["quantity"], "fills.quantity"), fee: try decimal(row["fee"], "fills.fee"),
             liquidity: try enumValue(row["liquidity"], "fills.liquidity"), timestamp: row["ts"], venueTradeId: row["venue_trade_id"])
    }
}
