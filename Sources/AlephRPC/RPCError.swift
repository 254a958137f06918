/// A JSON-RPC error object. Application errors carry a stable string `data.code`.
public struct RPCError: Error, Sendable, Equatable {
    /// Numeric JSON-RPC code.
    public var code: Int
    /// Short human message.
    public var message: String
    /// Structured detail (`code`, `field`, `reason`, …).
    public var data: JSON?

    /// Creates an error object.
    public init(code: Int, message: String, data: JSON? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// The stable application code in `data.code`, if any.
    public var appCode: String? { data?["code"]?.stringValue }

    /// -32700: the line is not valid JSON (or not UTF-8).
    public static func parseError(_ reason: String) -> RPCError {
        RPCError(code: -32700, message: "Parse error", data: .object([JSONMember("code", .string("parse_error")), JSONMember("reason", .string(reason))]))
    }

    /// -32600: valid JSON but not a valid request.
    public static func invalidRequest(_ reason: String, code: String = "invalid_request", extra: [JSONMember] = []) -> RPCError {
        RPCError(code: -32600, message: "Invalid Request", data: .object([JSONMember("code", .string(code)), JSONMember("reason", .string(reason))] + extra))
    }

    /// -32601: no such method.
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: -32601, message: "Method not found", data: .object([
            JSONMember("code", .string("method_not_found")), JSONMember("method", .string(method)),
            JSONMember("reason", .string("no method named '\(method)'; call rpc.discover for the list")),
        ]))
    }

    /// -32602: params wrong; `field` names the offending field and `reason` says why.
    public static func invalidParams(field: String, reason: String) -> RPCError {
        RPCError(code: -32602, message: "Invalid params", data: .object([
            JSONMember("code", .string("invalid_params")), JSONMember("field", .string(field)), JSONMember("reason", .string(reason)),
        ]))
    }

    /// -32603: a bug on our side.
    public static func internalError(_ reason: String) -> RPCError {
        RPCError(code: -32603, message: "Internal error", data: .object([JSONMember("code", .string("internal_error")), JSONMember("reason", .string(reason))]))
    }

    /// An application error in -32000...-32099 with a stable string code.
    public static func app(_ kind: AppErrorCode, _ message: String, details: [JSONMember] = []) -> RPCError {
        RPCError(code: kind.number, message: message, data: .object([JSONMember("code", .string(kind.rawValue))] + details))
    }

    /// The error as a JSON object.
    public var json: JSON {
        var b = JSONObjectBuilder()
        b.add("code", .int(code))
        b.add("message", message)
        b.add("data", data)
        return b.json
    }
}

/// Stable application error codes and their JSON-RPC numbers.
public enum AppErrorCode: String, Sendable, CaseIterable {
    /// The instrument id is not listed.
    case unknownInstrument = "unknown_instrument"
    /// The intent id was used before with different parameters.
    case intentConflict = "intent_conflict"
    /// No order with that id.
    case orderNotFound = "order_not_found"
    /// The order can no longer be cancelled.
    case orderNotCancellable = "order_not_cancellable"
    /// No subscription with that id in this session.
    case subscriptionNotFound = "subscription_not_found"
    /// The venue cannot be reached or has no data yet.
    case venueUnavailable = "venue_unavailable"
    /// The book is too old or not verified.
    case staleBook = "stale_book"
    /// The session lacks the right.
    case unauthorized = "unauthorized"
    /// Too many requests.
    case rateLimited = "rate_limited"
    /// The feature exists in the protocol but is not implemented yet.
    case notImplemented = "not_implemented"
    /// Too many subscriptions in this session.
    case tooManySubscriptions = "too_many_subscriptions"
    /// The client stopped reading and its outbound queue overflowed; the connection closes.
    case slowConsumer = "slow_consumer"
    /// The ledger could not make the outcome durable; trading is stopped until restart.
    case ledgerUnavailable = "ledger_unavailable"
    /// The order cannot be modified in its state (not resting, a change in flight, not a limit order).
    case orderNotModifiable = "order_not_modifiable"
    /// The risk gate or the venue refused the modification; `data.rejection` says why, the order is unchanged.
    case modifyRejected = "modify_rejected"
    /// `backtest.step` sent to a gateway that is not running a backtest.
    case notBacktesting = "not_backtesting"
    /// `submit_transaction` refused by configuration (allowlist, value cap) or the trading state; nothing was sent.
    case transactionRefused = "transaction_refused"

    /// The JSON-RPC numeric code.
    public var number: Int {
        switch self {
        case .unknownInstrument: return -32001
        case .intentConflict: return -32002
        case .orderNotFound: return -32003
        case .orderNotCancellable: return -32004
        case .subscriptionNotFound: return -32005
        case .venueUnavailable: return -32006
        case .staleBook: return -32007
        case .unauthorized: return -32008
        case .rateLimited: return -32009
        case .notImplemented: return -32010
        case .tooManySubscriptions: return -32011
        case .slowConsumer: return -32012
        case .ledgerUnavailable: return -32013
        case .orderNotModifiable: return -32014
        case .modifyRejected: return -32015
        case .notBacktesting: return -32016
        case .transactionRefused: return -32017
        }
    }
}
