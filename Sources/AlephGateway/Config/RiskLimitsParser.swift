import AlephCore
import AlephRPC
import AlephRisk

/// One limit value from a config file or an RPC call: `off` (null / "off") or text.
enum LimitValue {
    case off
    case text(String)
    case integer(Int64)
}

/// Applies `key = value` to limits or overrides, with errors that name the field.
enum RiskLimitsParser {
    static func value(_ j: JSON, field: String) throws(RPCError) -> LimitValue {
        switch j {
        case .null: return .off
        case .string(let s): return s == "off" ? .off : .text(s)
        case .number(let n): return Int64(n).map(LimitValue.integer) ?? .text(n)
        default: throw RPCError.invalidParams(field: field, reason: "must be a number, a decimal string, or null/\"off\" to switch it off")
        }
    }

    static func value(_ t: TOMLValue, field: String) throws(RPCError) -> LimitValue {
        switch t {
        case .string(let s): return s == "off" ? .off : .text(s)
        case .integer(let n): return .integer(n)
        case .float(let f): return .text(f)
        default: throw RPCError.invalidParams(field: field, reason: "must be a number, a decimal string, or \"off\"")
        }
    }

    static func decimal(_ v: LimitValue, _ field: String) throws(RPCError) -> Fixed? {
        let text: String
        switch v {
        case .off: return nil
        case .text(let s): text = s
        case .integer(let n): text = String(n)
        }
        do {
            let x = try Fixed(parsing: text)
            guard !x.isNegative else { throw RPCError.invalidParams(field: field, reason: "must not be negative") }
            return x
        } catch let e as RPCError { throw e } catch {
            throw RPCError.invalidParams(field: field, reason: "'\(text)' is \(error)")
        }
    }

    static func integer(_ v: LimitValue, _ field: String, _ range: ClosedRange<Int64>) throws(RPCError) -> Int64? {
        switch v {
        case .off: return nil
        case .integer(let n):
            guard range.contains(n) else { throw RPCError.invalidParams(field: field, reason: "must be between \(range.lowerBound) and \(range.upperBound)") }
            return n
        case .text(let s):
            guard let n = Int64(s), range.contains(n) else { throw RPCError.invalidParams(field: field, reason: "must be an integer between \(range.lowerBound) and \(range.upperBound)") }
            return n
        }
    }

    static func unknown(_ key: String, _ field: String, _ allowed: [String]) -> RPCError {
        RPCError.invalidParams(field: field, reason: "unknown limit '\(key)'; known: \(allowed.joined(separator: ", "))")
    }

    /// Applies one global limit.
    static func apply(_ key: String, _ json: JSON, to l: inout RiskLimits, field: String) throws(RPCError) {
        try apply(key, try value(json, field: field), to: &l, field: field)
    }

    static func apply(_ key: String, _ v: LimitValue, to l: inout RiskLimits, field: String) throws(RPCError) {
        switch key {
        case "max_order_quantity": l.maxOrderQuantity = try decimal(v, field)
        case "max_order_notional": l.maxOrderNotional = try decimal(v, field)
        case "max_position_notional": l.maxPositionNotional = try decimal(v, field)
        case "max_gross_notional": l.maxGrossNotional = try decimal(v, field)
        case "max_open_orders": l.maxOpenOrders = try integer(v, field, 0...1_000_000).map { Int($0) }
        case "max_open_orders_per_instrument": l.maxOpenOrdersPerInstrument = try integer(v, field, 0...1_000_000).map { Int($0) }
        case "max_orders_per_second": l.maxOrdersPerSecond = try integer(v, field, 1...1_000_000).map { Int($0) }
        case "price_collar_bps": l.priceCollarBps = try integer(v, field, 0...1_000_000)
        case "max_slippage_bps": l.maxSlippageBps = try integer(v, field, 0...1_000_000)
        case "max_book_age_ms": l.maxBookAgeMs = try integer(v, field, 0...86_400_000)
        case "max_drawdown": l.maxDrawdown = try decimal(v, field)
        case "daily_loss_limit": l.dailyLossLimit = try decimal(v, field)
        case "session_daily_notional": l.sessionDailyNotional = try decimal(v, field)
        case "on_breach":
            guard case .text(let s) = v, let a = BreachAction(rawValue: s) else {
                throw RPCError.invalidParams(field: field, reason: "must be \"reducing\" or \"halted\"")
            }
            l.onBreach = a
        default: throw unknown(key, field, RiskLimits.keys)
        }
    }

    /// Applies one per-instrument override.
    static func apply(_ key: String, _ json: JSON, to o: inout RiskOverrides, field: String) throws(RPCError) {
        try apply(key, try value(json, field: field), to: &o, field: field)
    }

    static func apply(_ key: String, _ v: LimitValue, to o: inout RiskOverrides, field: String) throws(RPCError) {
        switch key {
        case "max_order_quantity": o.maxOrderQuantity = .some(try decimal(v, field))
        case "max_order_notional": o.maxOrderNotional = .some(try decimal(v, field))
        case "max_position_notional": o.maxPositionNotional = .some(try decimal(v, field))
        case "max_open_orders_per_instrument": o.maxOpenOrdersPerInstrument = .some(try integer(v, field, 0...1_000_000).map { Int($0) })
        case "price_collar_bps": o.priceCollarBps = .some(try integer(v, field, 0...1_000_000))
        case "max_slippage_bps": o.maxSlippageBps = .some(try integer(v, field, 0...1_000_000))
        case "max_book_age_ms": o.maxBookAgeMs = .some(try integer(v, field, 0...86_400_000))
        default: throw unknown(key, field, RiskLimits.instrumentKeys.sorted())
        }
    }
}
