import AlephBook
import AlephCore
import AlephCrypto
import AlephVenueKit

/// A Polymarket order ready to sign: the EIP-712 struct, its order type and post-only flag.
public struct PolymarketOrderPlan: Sendable, Equatable {
    /// The struct (V1 or V2).
    public var order: Polymarket.Order
    /// `GTC`, `FOK` or `FAK`.
    public var orderType: String
    /// Post-only (GTC only).
    public var postOnly: Bool
    /// The price sent.
    public var price: Fixed
}

/// Builds Polymarket orders from gateway orders, pure. There is no client order id at
/// Polymarket: the order id is the EIP-712 digest of the signed order. So the salt is derived
/// from our client order id and the timestamp is the order's creation time: the same ledger
/// order always signs to the same bytes and the same order id (a resend after a lost answer,
/// or after a restart, can never become a second order).
public enum PolymarketOrders {
    /// The exchange contract an order is signed for.
    public static func exchange(version: Int, negRisk: Bool, chainId: Int) -> String {
        if version == 1 {
            if chainId == 80002 { return negRisk ? "0xd91E80cF2E7be2e162c6513ceD06f1dD0dA35296" : "0xdFE02Eb6733538f8Ea35D585af8DE5958AD99E40" }
            return negRisk ? Polymarket.Exchange.v1NegRisk : Polymarket.Exchange.v1
        }
        return negRisk ? Polymarket.Exchange.v2NegRisk : Polymarket.Exchange.v2
    }

    /// 53 bits of keccak(client order id): below 2^53, as JavaScript clients need.
    public static func salt(clientOrderId: String) -> String {
        let h = Keccak256.hash(clientOrderId)
        var v: UInt64 = 0
        for b in h.prefix(8) { v = v << 8 | UInt64(b) }
        return String(v >> 11)
    }

    /// The tick as the venue spells it (`0.01`, `0.001`, …).
    static func tickText(_ tick: Fixed) -> String {
        var s = tick.description
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() } }
        return s
    }

    /// The plan for an order, or why the venue would refuse it (nothing is signed then).
    public static func plan(_ o: Order, instrument i: Instrument, book: OrderBook?, version: Int, chainId: Int, signer: String, funder: String,
                            signatureType: Int, slippageBps: Int) -> Result<PolymarketOrderPlan, VenueRejection> {
        guard let info = i.outcome else { return .failure(VenueRejection(code: .venueRejected, message: "\(i.id) is not a Polymarket outcome")) }
        let tick = i.tickSize
        let price: Fixed
        if o.type == .market {
            let bps = Fixed(slippageBps)
            guard let book, let ref = o.side == .buy ? book.bestAsk?.price : book.bestBid?.price else {
                return .failure(VenueRejection(code: .venueUnavailable, message: "no \(o.side == .buy ? "ask" : "bid") in the \(i.id) book to price a market order", retryable: true))
            }
            let moved = ref.multiplied(by: Fixed(10_000) + (o.side == .buy ? bps : -bps)).divided(by: Fixed(10_000)) ?? ref
            price = o.side == .buy ? min(Fixed(1) - tick, moved.ceiled(to: tick)) : max(tick, moved.floored(to: tick))
        } else {
            guard let p = o.limitPrice else { return .failure(VenueRejection(code: .venueRejected, message: "a limit order needs a price")) }
            price = p
        }
        guard price >= tick, price <= Fixed(1) - tick, price.isMultiple(of: tick) else {
            return .failure(VenueRejection(code: .venueRejected, venueCode: "INVALID_ORDER_MIN_TICK_SIZE",
                                           message: "price \(price) is off \(i.id)'s tick \(tick) or outside [\(tick), \(Fixed(1) - tick)]"))
        }
        if o.quantity < info.minSize {
            return .failure(VenueRejection(code: .venueRejected, venueCode: "INVALID_ORDER_MIN_SIZE",
                                           message: "size \(o.quantity) is under \(i.id)'s minimum of \(info.minSize) shares"))
        }
        let side = o.side == .buy ? "BUY" : "SELL"
        let amounts: (maker: String, taker: String)
        do { amounts = try Polymarket.Amounts.limit(side: side, size: o.quantity, price: price, tick: tickText(tick)) } catch {
            return .failure(VenueRejection(code: .venueRejected, message: "cannot size the order: \(error)"))
        }
        let cid = o.clientOrderId ?? o.id
        let zero32 = "0x" + String(repeating: "0", count: 64)
        let order = Polymarket.Order(version: version, chainId: UInt64(chainId), exchange: exchange(version: version, negRisk: info.negRisk, chainId: chainId),
                                     salt: salt(clientOrderId: cid), maker: funder, signer: signer, taker: "0x" + String(repeating: "0", count: 40),
                                     tokenId: info.tokenId, makerAmount: amounts.maker, takerAmount: amounts.taker, expiration: "0", nonce: "0",
                                     feeRateBps: "0", side: side, signatureType: signatureType, timestamp: String(o.createdAt / 1_000_000),
                                     metadata: zero32, builder: zero32)
        let type: String
        switch (o.type, o.timeInForce) {
        case (_, .fok): type = "FOK"
        case (.market, _), (_, .ioc): type = "FAK"
        default: type = "GTC"
        }
        return .success(PolymarketOrderPlan(order: order, orderType: type, postOnly: o.postOnly && type == "GTC", price: price))
    }
}
