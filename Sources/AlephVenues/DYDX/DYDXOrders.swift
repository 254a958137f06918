import AlephBook
import AlephCore
import AlephVenueKit

/// How a gateway order becomes a dYdX `Order` (pure): market and IOC orders are short-term IOC
/// orders (`good_til_block` = height + window; a market order is an IOC at a protective price
/// `slippage` through the touch); resting limits are long-term orders (flags 64,
/// `good_til_block_time` = now + TTL, post-only as `TIME_IN_FORCE_POST_ONLY`) unless the venue is
/// set to quote with short-term limits. The chain's own stateless rules are checked here first, so
/// a refusal is immediate and clear: no fill-or-kill (deprecated), reduce-only only on IOC orders,
/// sizes and prices exact multiples of the market's step and tick.
public enum DYDXOrders {
    /// The chain's short-term window (blocks).
    public static let shortBlockWindow: UInt32 = 40
    /// `order_flags` of a long-term order.
    public static let longTermFlags: UInt32 = 64

    /// What placing needs besides the order.
    public struct Context: Sendable {
        /// Subaccount owner (`dydx1…`).
        public var owner: String
        /// Subaccount number.
        public var subaccount: UInt32
        /// The chain's current height.
        public var height: UInt32
        /// Unix seconds now.
        public var nowSeconds: Int64
        /// Short-term lifetime in blocks.
        public var goodTilBlocks: UInt32
        /// Long-term lifetime in seconds.
        public var statefulTTLSeconds: Int64
        /// Protective-price distance of market orders (bps).
        public var slippageBps: Int
        /// Resting limits as short-term orders (quoting) instead of long-term ones.
        public var shortTermLimits: Bool

        /// Creates a context.
        public init(owner: String, subaccount: UInt32, height: UInt32, nowSeconds: Int64, goodTilBlocks: UInt32, statefulTTLSeconds: Int64,
                    slippageBps: Int, shortTermLimits: Bool) {
            self.owner = owner
            self.subaccount = subaccount
            self.height = height
            self.nowSeconds = nowSeconds
            self.goodTilBlocks = goodTilBlocks
            self.statefulTTLSeconds = statefulTTLSeconds
            self.slippageBps = slippageBps
            self.shortTermLimits = shortTermLimits
        }
    }

    static func refusal(_ code: String, _ message: String, retryable: Bool = false) -> VenueRejection {
        VenueRejection(code: .venueRejected, venueCode: code, message: message, retryable: retryable)
    }

    /// The chain order for a gateway order, or why it cannot be one.
    public static func build(_ order: Order, market: DYDXMarket, book: OrderBook?, context c: Context) -> Result<DYDXMessages.Order, VenueRejection> {
        guard let cid = order.clientOrderId, let ids = DYDXClientIds.chain(cid) else {
            return .failure(refusal("client_id", "client order id \(order.clientOrderId ?? "none") cannot be a dYdX client id"))
        }
        if order.timeInForce == .fok {
            return .failure(refusal("48", "dYdX refuses fill-or-kill orders (deprecated on chain): use ioc (fill what you can now) or gtc"))
        }
        let buy = order.side == .buy
        let price: Fixed
        let ioc = order.type == .market || order.timeInForce == .ioc
        switch order.type {
        case .market:
            guard let touch = buy ? book?.bestAsk?.price : book?.bestBid?.price, touch.isPositive else {
                return .failure(refusal("no_liquidity", "no \(buy ? "ask" : "bid") in the \(market.ticker) book: a market order needs one for its protective price",
                                        retryable: true))
            }
            let edge = buy ? touch + touch.bps(Int64(c.slippageBps), rounding: .down) : touch - touch.bps(Int64(c.slippageBps), rounding: .down)
            price = buy ? edge.floored(to: market.tickSize) : edge.ceiled(to: market.tickSize)
        case .limit:
            guard let lp = order.limitPrice else { return .failure(refusal("6", "limit order without a price")) }
            price = lp
        }
        if order.reduceOnly && !ioc {
            return .failure(refusal("9003", "dYdX accepts reduce-only only on IOC orders: send it as ioc (or a market order)"))
        }
        if order.postOnly && ioc { return .failure(refusal("2003", "a post-only order cannot be immediate-or-cancel")) }
        let quantums: UInt64, subticks: UInt64
        do { quantums = try market.quantums(order.quantity) } catch { return .failure(refusal("4", error.description)) }
        do { subticks = try market.subticks(price) } catch { return .failure(refusal("6", error.description)) }
        let shortTerm = ioc || c.shortTermLimits
        let flags: UInt32 = shortTerm ? 0 : longTermFlags
        let id = DYDXMessages.OrderId(owner: c.owner, number: c.subaccount, clientId: ids.clientId, orderFlags: flags, clobPairId: market.clobPairId)
        let goodTil: DYDXMessages.GoodTil
        if shortTerm {
            goodTil = .block(c.height + min(max(1, c.goodTilBlocks), shortBlockWindow))
        } else {
            let t = c.nowSeconds + c.statefulTTLSeconds
            guard t > 0, t <= Int64(UInt32.max) else { return .failure(refusal("3001", "good-til-block-time out of range")) }
            goodTil = .time(UInt32(t))
        }
        var o = DYDXMessages.Order(id: id, side: buy ? 1 : 2, quantums: quantums, subticks: subticks, goodTil: goodTil)
        o.timeInForce = ioc ? 1 : order.postOnly ? 2 : 0
        o.reduceOnly = order.reduceOnly
        o.clientMetadata = ids.metadata
        return .success(o)
    }

    /// The chain order id of one of our orders on a market (`flags` as it was placed).
    public static func orderId(_ clientOrderId: String, flags: UInt32, market: DYDXMarket, owner: String, subaccount: UInt32) -> DYDXMessages.OrderId? {
        guard let ids = DYDXClientIds.chain(clientOrderId) else { return nil }
        return DYDXMessages.OrderId(owner: owner, number: subaccount, clientId: ids.clientId, orderFlags: flags, clobPairId: market.clobPairId)
    }
}
