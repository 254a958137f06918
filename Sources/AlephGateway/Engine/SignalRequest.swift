import AlephCore
import AlephRPC

/// Validated `place_signal` parameters.
struct SignalRequest: Sendable {
    static let fields: Set<String> = ["intent_id", "instrument", "side", "quantity", "notional", "type", "limit_price",
                                      "time_in_force", "post_only", "reduce_only", "preview", "rationale"]
    var intentId: String
    var instrument: String
    var side: Side
    var quantity: Fixed?
    var notional: Fixed?
    var type: OrderType
    var limitPrice: Fixed?
    var timeInForce: TimeInForce
    var postOnly: Bool
    var reduceOnly: Bool
    var preview: Bool
    var rationale: String?

    /// Reads and cross-checks params; every problem is a -32602 naming the field.
    init(_ params: JSON?) throws(RPCError) {
        let p = try Params(params, allowed: SignalRequest.fields)
        intentId = try p.string("intent_id", maxLength: 128)
        instrument = try p.string("instrument", maxLength: 128)
        guard let s = try p.enumValue("side", Side.self) else { throw RPCError.invalidParams(field: "side", reason: "required: buy or sell") }
        side = s
        quantity = try p.decimal("quantity")
        notional = try p.decimal("notional")
        switch (quantity, notional) {
        case (nil, nil): throw RPCError.invalidParams(field: "quantity", reason: "give exactly one of quantity (base units) or notional (quote currency)")
        case (.some, .some): throw RPCError.invalidParams(field: "notional", reason: "give exactly one of quantity or notional, not both")
        default: break
        }
        if let q = quantity, !q.isPositive { throw RPCError.invalidParams(field: "quantity", reason: "must be greater than 0") }
        if let n = notional, !n.isPositive { throw RPCError.invalidParams(field: "notional", reason: "must be greater than 0") }
        type = try p.enumValue("type", OrderType.self) ?? (p.has("limit_price") ? .limit : .market)
        limitPrice = try p.decimal("limit_price")
        if type == .limit && limitPrice == nil { throw RPCError.invalidParams(field: "limit_price", reason: "required for limit orders") }
        if type == .market && limitPrice != nil { throw RPCError.invalidParams(field: "limit_price", reason: "market orders take no limit_price; use type limit") }
        if let lp = limitPrice, !lp.isPositive { throw RPCError.invalidParams(field: "limit_price", reason: "must be greater than 0") }
        timeInForce = try p.enumValue("time_in_force", TimeInForce.self) ?? (type == .market ? .ioc : .gtc)
        if type == .market && timeInForce == .gtc { throw RPCError.invalidParams(field: "time_in_force", reason: "a market order cannot rest; use ioc or fok") }
        postOnly = try p.bool("post_only", default: false)
        if postOnly && type == .market { throw RPCError.invalidParams(field: "post_only", reason: "only limit orders can be post-only") }
        if postOnly && timeInForce != .gtc { throw RPCError.invalidParams(field: "post_only", reason: "post-only orders must be gtc") }
        reduceOnly = try p.bool("reduce_only", default: false)
        preview = try p.bool("preview", default: false)
        rationale = try p.optionalString("rationale", maxLength: 8192)
    }

    /// Canonical text of everything that decides the trade (rationale and preview excluded):
    /// `instrument|side|q<quantity>|n<notional>|type|limit|tif|po|ro`, empty fields left empty.
    /// Stored with each intent, so the format never changes.
    var fingerprint: String {
        var b: [UInt8] = []
        b.reserveCapacity(instrument.utf8.count + 48)
        let bar = UInt8(ascii: "|")
        b.append(contentsOf: instrument.utf8)
        b.append(bar)
        b.append(contentsOf: side.rawValue.utf8)
        b.append(bar)
        if let q = quantity { b.append(UInt8(ascii: "q")); q.writeDecimal(into: &b) }
        b.append(bar)
        if let n = notional { b.append(UInt8(ascii: "n")); n.writeDecimal(into: &b) }
        b.append(bar)
        b.append(contentsOf: type.rawValue.utf8)
        b.append(bar)
        limitPrice?.writeDecimal(into: &b)
        b.append(bar)
        b.append(contentsOf: timeInForce.rawValue.utf8)
        b.append(bar)
        if postOnly { b.append(contentsOf: "po".utf8) }
        b.append(bar)
        if reduceOnly { b.append(contentsOf: "ro".utf8) }
        return String(decoding: b, as: UTF8.self)
    }
}
