import AlephCore
import AlephCrypto
import AlephRPC
import AlephVenueKit

/// One order in an `order` action, exactly as it is signed: `{a, b, p, s, r, t[, c]}`.
public struct HyperliquidOrderWire: Sendable, Equatable {
    /// Asset id.
    public var asset: Int
    /// Buy (else sell).
    public var isBuy: Bool
    /// Limit price on the wire (no trailing zeros, no exponent).
    public var price: String
    /// Size on the wire.
    public var size: String
    /// Reduce-only.
    public var reduceOnly: Bool
    /// `Gtc`, `Ioc` or `Alo`.
    public var tif: String
    /// `0x` + 32 hex digits, or nil.
    public var cloid: String?

    /// Creates a wire order.
    public init(asset: Int, isBuy: Bool, price: String, size: String, reduceOnly: Bool, tif: String, cloid: String?) {
        self.asset = asset
        self.isBuy = isBuy
        self.price = price
        self.size = size
        self.reduceOnly = reduceOnly
        self.tif = tif
        self.cloid = cloid
    }

    /// The signed key order: a, b, p, s, r, t, then c when present (never null).
    public var json: JSON {
        var m = [JSONMember("a", .int(asset)), JSONMember("b", .bool(isBuy)), JSONMember("p", .string(price)), JSONMember("s", .string(size)),
                 JSONMember("r", .bool(reduceOnly)), JSONMember("t", .object([JSONMember("limit", .object([JSONMember("tif", .string(tif))]))]))]
        if let cloid { m.append(JSONMember("c", .string(cloid))) }
        return .object(m)
    }
}

/// Hyperliquid request builders, pure: L1 actions in the SDK's key order, their signing digest,
/// the `/exchange` envelope, and `/info` query bodies.
public enum HyperliquidActions {
    /// `{"type":"order","orders":[…],"grouping":"na"}`.
    public static func order(_ orders: [HyperliquidOrderWire], grouping: String = "na") -> JSON {
        .object([JSONMember("type", .string("order")), JSONMember("orders", .array(orders.map(\.json))), JSONMember("grouping", .string(grouping))])
    }

    /// `{"type":"cancel","cancels":[{"a","o"}…]}`.
    public static func cancel(_ list: [(asset: Int, oid: Int64)]) -> JSON {
        .object([JSONMember("type", .string("cancel")),
                 JSONMember("cancels", .array(list.map { .object([JSONMember("a", .int($0.asset)), JSONMember("o", .int($0.oid))]) }))])
    }

    /// `{"type":"cancelByCloid","cancels":[{"asset","cloid"}…]}` (long key names, as the venue wants).
    public static func cancelByCloid(_ list: [(asset: Int, cloid: String)]) -> JSON {
        .object([JSONMember("type", .string("cancelByCloid")),
                 JSONMember("cancels", .array(list.map { .object([JSONMember("asset", .int($0.asset)), JSONMember("cloid", .string($0.cloid))]) }))])
    }

    /// `{"type":"batchModify","modifies":[{"oid": oid or cloid, "order": …}]}`.
    public static func batchModify(_ list: [(oid: JSON, order: HyperliquidOrderWire)]) -> JSON {
        .object([JSONMember("type", .string("batchModify")),
                 JSONMember("modifies", .array(list.map { .object([JSONMember("oid", $0.oid), JSONMember("order", $0.order.json)]) }))])
    }

    /// `{"type":"scheduleCancel","time":ms}`, or without `time` to clear the schedule.
    public static func scheduleCancel(time: Int64?) -> JSON {
        var m = [JSONMember("type", .string("scheduleCancel"))]
        if let time { m.append(JSONMember("time", .int(time))) }
        return .object(m)
    }

    /// The EIP-712 digest the agent key signs (phantom agent: source "a" on mainnet, "b" on testnet).
    public static func digest(action: JSON, nonce: Int64, vault: [UInt8]?, expiresAfter: Int64?, mainnet: Bool) throws(CryptoError) -> [UInt8] {
        let cid = try Hyperliquid.connectionId(action: action, nonce: UInt64(nonce), vault: vault, expiresAfter: expiresAfter.map { UInt64($0) })
        return Hyperliquid.agentDigest(connectionId: cid, mainnet: mainnet)
    }

    /// The `/exchange` body: `{"action","nonce","signature":{"r","s","v"},"vaultAddress","expiresAfter"}`.
    public static func body(action: JSON, nonce: Int64, signature: RecoverableSignature, vault: String?, expiresAfter: Int64?) -> [UInt8] {
        let sig = JSON.object([JSONMember("r", .string(Hex.encode(signature.r))), JSONMember("s", .string(Hex.encode(signature.s))),
                               JSONMember("v", .int(27 + Int(signature.recoveryId)))])
        let doc = JSON.object([JSONMember("action", action), JSONMember("nonce", .int(nonce)), JSONMember("signature", sig),
                               JSONMember("vaultAddress", vault.map(JSON.string) ?? .null), JSONMember("expiresAfter", expiresAfter.map { .int($0) } ?? .null)])
        return JSONWriter.bytes(doc)
    }

    /// An `/info` body: `{"type": type, …fields}`.
    public static func info(_ type: String, _ fields: [JSONMember] = []) -> [UInt8] {
        JSONWriter.bytes(.object([JSONMember("type", .string(type))] + fields))
    }

    /// The order's wire form: the limit (a market order is an IOC limit `slippageBps` through the
    /// mid, on the price grid, toward the passive side so it never exceeds the slippage), the size
    /// on the lot grid, the time in force (post-only → `Alo`).
    public static func wire(order: Order, asset: HyperliquidAsset, instrument: Instrument, mid: Fixed?, slippageBps: Int,
                            cloid: String?) -> Result<HyperliquidOrderWire, VenueRejection> {
        let buy = order.side == .buy
        let price: Fixed
        let tif: String
        switch order.type {
        case .market:
            guard let mid, mid.isPositive else {
                return .failure(VenueRejection(code: .venueRejected, venueCode: "marketOrderNoLiquidityRejected",
                                               message: "no mid price for \(asset.coin): a market order needs both sides of the book", retryable: true))
            }
            let edge = buy ? mid + mid.bps(Int64(slippageBps), rounding: .down) : mid - mid.bps(Int64(slippageBps), rounding: .down)
            price = buy ? edge.floored(to: instrument.tick(at: edge)) : edge.ceiled(to: instrument.tick(at: edge))
            if order.timeInForce == .fok { return .failure(fokRefusal) }
            tif = "Ioc"
        case .limit:
            guard let lp = order.limitPrice else { return .failure(VenueRejection(code: .venueRejected, message: "limit order without a price")) }
            guard lp.isMultiple(of: instrument.tick(at: lp)) else {
                return .failure(VenueRejection(code: .venueRejected, venueCode: "tickRejected", message: "Price must be divisible by tick size."))
            }
            price = lp
            switch order.timeInForce {
            case .gtc: tif = order.postOnly ? "Alo" : "Gtc"
            case .ioc: tif = "Ioc"
            case .fok: return .failure(fokRefusal)
            }
        }
        guard price.isPositive else { return .failure(VenueRejection(code: .venueRejected, message: "price \(price) is not positive")) }
        guard order.quantity.isMultiple(of: instrument.lotSize) else {
            return .failure(VenueRejection(code: .venueRejected, message: "size \(order.quantity) has more than \(asset.szDecimals) decimals"))
        }
        return .success(HyperliquidOrderWire(asset: asset.asset, isBuy: buy, price: price.description, size: order.remainingQuantityForWire.description,
                                             reduceOnly: order.reduceOnly, tif: tif, cloid: cloid))
    }

    static let fokRefusal = VenueRejection(code: .venueRejected, venueCode: "unsupportedTif",
                                           message: "Hyperliquid has no fill-or-kill orders; use ioc (fill what you can now) or gtc")
}

extension Order {
    /// What a new order sends as its size: the whole quantity (nothing is filled before it is placed).
    var remainingQuantityForWire: Fixed { quantity - filledQuantity }
}
