import AlephCore
import AlephRPC

extension Engine {
    /// Suffix of a reversing fill's venue trade id.
    static let reversedSuffix = ":reversed"

    /// Undoes a fill the venue says did not settle: a reversing fill (the other side, same price
    /// and quantity, the fee refunded) restores position and cash; the order's filled quantity
    /// goes back (a filled order that kept nothing ends `cancelled`). Journaled and announced on
    /// `fills` (with `reversal: true`), `orders` and `positions`; a second report changes nothing.
    func reverseFill(venueTradeId: String, reason: String, at now: Int64) {
        let reversalId = venueTradeId + Engine.reversedSuffix
        guard fillTradeIds.contains(venueTradeId), !fillTradeIds.contains(reversalId) else { return }
        var original: Fill?
        var k = fills.count - 1
        while k >= 0 {
            if fills[k].venueTradeId == venueTradeId { original = fills[k]; break }
            k -= 1
        }
        guard let f = original, var order = orders[f.orderId] else { return }
        let rev = Fill(id: "f-\(nextFill)", orderId: f.orderId, intentId: f.intentId, instrument: f.instrument, side: f.side == .buy ? .sell : .buy,
                       price: f.price, quantity: f.quantity, fee: -f.fee, liquidity: f.liquidity, timestamp: now, venueTradeId: reversalId)
        nextFill += 1
        fillTradeIds.insert(reversalId)
        fills.append(rev)
        order.filledQuantity = order.filledQuantity - f.quantity
        order.filledNotional = order.filledNotional - f.price.multiplied(by: f.quantity)
        order.fees = order.fees - f.fee
        if order.status == .filled || order.status == .partiallyFilled {
            if order.status == .filled, order.live, order.type == .market || order.timeInForce != .gtc {
                order.status = .cancelled
            } else if order.status == .filled {
                order.status = order.filledQuantity.isPositive ? .partiallyFilled : .open
            } else if !order.filledQuantity.isPositive {
                order.status = .open
            }
            if !order.status.isTerminal { orders.markOpen(order.id) } else { orders.markClosed(order.id) }
        }
        order.reason = "trade \(venueTradeId) did not settle (\(reason)): its fill was reversed"
        order.updatedAt = now
        orders[order.id] = order
        let venue = order.venue
        var acct = accounts[venue] ?? Portfolio(currency: config.paper.currency, cash: .zero)
        acct.apply(instrument: f.instrument, side: rev.side, price: rev.price, quantity: rev.quantity, fee: rev.fee)
        accounts[venue] = acct
        if order.live { accountStale.insert(venue) }
        pendingRecords.append(.fill(rev))
        pendingRecords.append(.order(order, session: orderSessions[order.id]))
        pendingRecords.append(.position(acct.positions[f.instrument] ?? Position(instrument: f.instrument)))
        pendingRecords.append(.event(kind: "fill_reversed", ref: f.id, at: now, data: .object([
            JSONMember("fill_id", .string(f.id)), JSONMember("reversal_fill_id", .string(rev.id)), JSONMember("order_id", .string(order.id)),
            JSONMember("venue_trade_id", .string(venueTradeId)), JSONMember("reason", .string(reason)),
        ])))
        logger.warning("a fill did not settle and was reversed", metadata: ["order": "\(order.id)", "fill": "\(f.id)", "venue_trade_id": "\(venueTradeId)",
                                                                            "reason": "\(reason)"])
        publishAccount(.fills, instrument: f.instrument, Presenter.fill(rev, instrument: instruments[f.instrument]))
        publishAccount(.orders, instrument: f.instrument, Presenter.order(order, instrument: instruments[f.instrument]))
        publishPosition(f.instrument)
    }
}
