import AlephBook
import AlephCore

/// One execution produced by the paper venue.
public struct PaperFill: Sendable, Equatable {
    /// Order filled.
    public var orderId: String
    /// Execution price.
    public var price: Fixed
    /// Quantity.
    public var quantity: Fixed
    /// Maker or taker.
    public var liquidity: Liquidity
    /// Fee charged (quote currency).
    public var fee: Fixed
}

/// What happened to a submitted order right away.
public struct PaperOutcome: Sendable, Equatable {
    /// Immediate fills.
    public var fills: [PaperFill]
    /// Status after the submit: `open`, `partially_filled`, `filled`, `cancelled` or `rejected`.
    public var status: OrderStatus
    /// Why the order was rejected or its remainder cancelled.
    public var reason: String?
}

/// A simulated execution venue that matches against an external book (sim or live data).
///
/// Market and marketable orders walk the book as taker (partial when depth runs out); resting
/// limit orders fill as maker at their limit when a trade prints through them or the opposite
/// touch moves through them. Paper fills do not consume the data book's liquidity.
///
/// Queue position: a resting order joins the back of its price level, behind the quantity the
/// book showed there. Trades at its price eat that queue first; the level shrinking (cancels
/// ahead, or trades already counted) lowers it to at most what is left. Only a trade at its
/// price larger than the queue still ahead fills it (a trade through its price always does).
/// Pure: no clock, no I/O; the engine passes books and trades in.
public struct PaperVenue: Sendable {
    /// Fees and cash.
    public var config: PaperConfig

    private struct Resting: Sendable, Equatable {
        var orderId: String
        var side: Side
        var price: Fixed
        var remaining: Fixed
        /// Quantity ahead of it at its price (the level when it joined, worn down since).
        var ahead: Fixed = .zero
    }

    /// Resting orders per instrument, in time priority.
    private var resting: [String: [Resting]] = [:]

    /// Creates a venue.
    public init(config: PaperConfig) { self.config = config }

    /// Ids of resting orders on an instrument.
    public func restingOrderIds(instrument: String) -> [String] { resting[instrument, default: []].map(\.orderId) }

    /// True when an order with this id rests on any instrument.
    public func isResting(orderId: String) -> Bool { resting.values.contains { $0.contains { $0.orderId == orderId } } }

    /// The quantity ahead of a resting order at its price (nil when it does not rest).
    public func queueAhead(orderId: String) -> Fixed? {
        for list in resting.values { if let r = list.first(where: { $0.orderId == orderId }) { return r.ahead } }
        return nil
    }

    /// Number of resting orders across all instruments.
    public var restingCount: Int { resting.values.reduce(0) { $0 + $1.count } }

    private func fee(_ price: Fixed, _ qty: Fixed, _ liq: Liquidity) -> Fixed {
        price.multiplied(by: qty).applyingBps(liq == .maker ? config.makerFeeBps : config.takerFeeBps)
    }

    /// Submits an order with a base quantity against `book`.
    public mutating func submit(_ order: Order, book: OrderBook) -> PaperOutcome {
        let qty = order.quantity
        switch order.type {
        case .market:
            let est = book.walk(side: order.side, quantity: qty)
            if est.quantity.isZero { return PaperOutcome(fills: [], status: .rejected, reason: "no liquidity on the \(order.side == .buy ? "ask" : "bid") side") }
            if order.timeInForce == .fok && est.quantity < qty {
                return PaperOutcome(fills: [], status: .cancelled, reason: "fill-or-kill: only \(est.quantity) of \(qty) available")
            }
            let fills = est.levels.map { PaperFill(orderId: order.id, price: $0.price, quantity: $0.quantity, liquidity: .taker, fee: fee($0.price, $0.quantity, .taker)) }
            if est.quantity < qty {
                return PaperOutcome(fills: fills, status: .cancelled, reason: "insufficient liquidity: filled \(est.quantity) of \(qty), remainder cancelled")
            }
            return PaperOutcome(fills: fills, status: .filled, reason: nil)
        case .limit:
            guard let limit = order.limitPrice else { return PaperOutcome(fills: [], status: .rejected, reason: "limit order without limit price") }
            let crosses: Bool
            if order.side == .buy { crosses = book.bestAsk.map { $0.price <= limit } ?? false } else { crosses = book.bestBid.map { $0.price >= limit } ?? false }
            if order.postOnly && crosses {
                return PaperOutcome(fills: [], status: .rejected, reason: "post-only order would cross the book (best \(order.side == .buy ? "ask" : "bid") \(order.side == .buy ? book.bestAsk!.price : book.bestBid!.price))")
            }
            let est = crosses ? book.walk(side: order.side, quantity: qty, limit: limit) : .empty
            if order.timeInForce == .fok && est.quantity < qty {
                return PaperOutcome(fills: [], status: .cancelled, reason: "fill-or-kill: only \(est.quantity) of \(qty) available at \(limit) or better")
            }
            let fills = est.levels.map { PaperFill(orderId: order.id, price: $0.price, quantity: $0.quantity, liquidity: .taker, fee: fee($0.price, $0.quantity, .taker)) }
            let remaining = qty - est.quantity
            if remaining.isZero { return PaperOutcome(fills: fills, status: .filled, reason: nil) }
            if order.timeInForce == .ioc {
                return PaperOutcome(fills: fills, status: .cancelled, reason: est.quantity.isZero ? "immediate-or-cancel: nothing available at \(limit) or better" : "immediate-or-cancel: remainder cancelled")
            }
            resting[order.instrument, default: []].append(Resting(orderId: order.id, side: order.side, price: limit, remaining: remaining,
                                                                  ahead: fills.isEmpty ? book.quantity(at: limit, side: order.side) : .zero))
            return PaperOutcome(fills: fills, status: fills.isEmpty ? .open : .partiallyFilled, reason: nil)
        }
    }

    /// Puts a resting order back after a restart (from the ledger), behind those already resting;
    /// `ahead`: the queue ahead of it when known (after a restart it is not: zero).
    public mutating func restore(orderId: String, instrument: String, side: Side, price: Fixed, remaining: Fixed, ahead: Fixed = .zero) {
        guard remaining.isPositive, !resting[instrument, default: []].contains(where: { $0.orderId == orderId }) else { return }
        resting[instrument, default: []].append(Resting(orderId: orderId, side: side, price: price, remaining: remaining, ahead: ahead))
    }

    /// A resting order's price and remaining quantity, if it rests.
    public func restingOrder(orderId: String, instrument: String) -> (side: Side, price: Fixed, remaining: Fixed)? {
        resting[instrument]?.first(where: { $0.orderId == orderId }).map { ($0.side, $0.price, $0.remaining) }
    }

    /// Removes a resting order; false when it is not resting.
    public mutating func cancel(orderId: String, instrument: String) -> Bool {
        guard var list = resting[instrument], let idx = list.firstIndex(where: { $0.orderId == orderId }) else { return false }
        list.remove(at: idx)
        resting[instrument] = list.isEmpty ? nil : list
        return true
    }

    /// Fills resting orders that a public trade printed through (strictly better than their
    /// limit), or at their limit beyond the queue ahead of them (which the trade wears down).
    public mutating func onTrade(_ trade: Trade) -> [PaperFill] {
        guard var list = resting[trade.instrument], !list.isEmpty else { return [] }
        var fills: [PaperFill] = []
        var available = trade.quantity
        for k in list.indices where available.isPositive {
            let r = list[k]
            guard r.side == .buy ? trade.aggressor == .sell : trade.aggressor == .buy else { continue }
            let through = r.side == .buy ? trade.price < r.price : trade.price > r.price
            var reach = available
            if !through {
                guard trade.price == r.price else { continue }
                let eaten = min(r.ahead, trade.quantity)
                list[k].ahead -= eaten
                reach = min(available, trade.quantity - eaten)
                guard reach.isPositive else { continue }
            }
            let q = min(r.remaining, reach)
            fills.append(PaperFill(orderId: r.orderId, price: r.price, quantity: q, liquidity: .maker, fee: fee(r.price, q, .maker)))
            list[k].remaining -= q
            available -= q
        }
        list.removeAll { $0.remaining.isZero }
        resting[trade.instrument] = list.isEmpty ? nil : list
        return fills
    }

    /// Fills resting orders the opposite touch has moved through (the market came to them).
    public mutating func onBook(_ book: OrderBook) -> [PaperFill] {
        guard var list = resting[book.instrument], !list.isEmpty else { return [] }
        var fills: [PaperFill] = []
        var askUsed = Fixed.zero, bidUsed = Fixed.zero
        for k in list.indices {
            // The queue ahead is at most what the level still shows.
            if list[k].ahead.isPositive { list[k].ahead = min(list[k].ahead, book.quantity(at: list[k].price, side: list[k].side)) }
            let r = list[k]
            let available: Fixed
            if r.side == .buy {
                guard let ask = book.bestAsk, ask.price <= r.price else { continue }
                available = book.walk(side: .buy, quantity: r.remaining + askUsed, limit: r.price).quantity - askUsed
            } else {
                guard let bid = book.bestBid, bid.price >= r.price else { continue }
                available = book.walk(side: .sell, quantity: r.remaining + bidUsed, limit: r.price).quantity - bidUsed
            }
            let q = min(r.remaining, available)
            guard q.isPositive else { continue }
            if r.side == .buy { askUsed += q } else { bidUsed += q }
            fills.append(PaperFill(orderId: r.orderId, price: r.price, quantity: q, liquidity: .maker, fee: fee(r.price, q, .maker)))
            list[k].remaining -= q
        }
        list.removeAll { $0.remaining.isZero }
        resting[book.instrument] = list.isEmpty ? nil : list
        return fills
    }
}
