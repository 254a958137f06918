import AlephBook
import AlephCore
import Synchronization

/// The paper venue behind the executor interface: matching in this process against whatever book
/// the engine decided on (the simulated market, or a live venue's book for a venue without keys).
///
/// It answers at once and never suspends, so a paper order is one atomic engine step. Resting
/// orders fill as the market comes to them (`onBook`, `onTrade`). Fill ids are
/// `<venue>:<client order id>:<cumulative filled, raw>`: unique per order and the same after a
/// restart, so a fill replayed through the ledger is never booked twice.
public final class PaperExecutor: VenueExecutor {
    /// Venue name (`sim`, or the live venue it paper-trades for).
    public let venue: String
    /// Paper.
    public let mode = ExecutionMode.paper
    /// In-process: no write-ahead needed, nothing is ever uncertain.
    public let traits = ExecutorTraits(remote: false, notFoundFinalAfterMs: 0, maxClientOrderIdLength: 64, modifies: true)

    private struct State {
        var venue: PaperVenue
        /// Cumulative filled quantity per resting client order id (for fill ids).
        var filled: [String: Fixed] = [:]
    }

    private let state: Mutex<State>

    /// Creates a paper venue with fees from `config`.
    public init(venue: String, config: PaperConfig) {
        self.venue = venue
        state = Mutex(State(venue: PaperVenue(config: config)))
    }

    /// Matches against the request's book.
    public nonisolated(nonsending) func submit(_ request: SubmitRequest) async -> SubmitOutcome {
        submitNow(request)
    }

    /// `submit` without the async wrapper (tests, previews).
    public func submitNow(_ request: SubmitRequest) -> SubmitOutcome {
        guard let cid = request.order.clientOrderId else {
            return .rejected(VenueRejection(code: .venueRejected, message: "order without a client order id"))
        }
        guard let book = request.book, book.sequence > 0 else {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "no book for \(request.order.instrument)", retryable: true))
        }
        var order = request.order
        order.id = cid
        let venue = self.venue
        return state.withLock { s in
            let out = s.venue.submit(order, book: book)
            var cumulative = Fixed.zero
            var fills: [VenueFill] = []
            for f in out.fills {
                cumulative += f.quantity
                fills.append(VenueFill(venueTradeId: "\(venue):\(cid):\(cumulative.raw)", price: f.price, quantity: f.quantity, fee: f.fee,
                                       liquidity: f.liquidity, timestamp: request.sentAt))
            }
            if out.status == .open || out.status == .partiallyFilled { s.filled[cid] = cumulative }
            if out.status == .rejected, out.reason?.hasPrefix("post-only") == true {
                return .rejected(VenueRejection(code: .postOnlyWouldCross, message: out.reason ?? "post-only order would cross"))
            }
            if out.status == .rejected {
                return .rejected(VenueRejection(code: .venueRejected, message: out.reason ?? "rejected"))
            }
            return .acknowledged(VenueOrderState(clientOrderId: cid, venueOrderId: cid, status: out.status, filledQuantity: cumulative,
                                                 fills: fills, reason: out.reason, timestamp: request.sentAt))
        }
    }

    /// Changes a resting order: it leaves the book and comes back with the new price and
    /// remaining quantity (behind the others at its price), taking what it crosses at once.
    public nonisolated(nonsending) func modify(_ request: ModifyRequest) async -> ModifyOutcome { modifyNow(request) }

    /// `modify` without the async wrapper.
    public func modifyNow(_ request: ModifyRequest) -> ModifyOutcome {
        guard let cid = request.order.clientOrderId else { return .rejected(VenueRejection(code: .venueRejected, message: "order without a client order id")) }
        guard let book = request.book, book.sequence > 0 else {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "no book for \(request.order.instrument)", retryable: true))
        }
        let inst = request.order.instrument
        let venue = self.venue
        let now = book.receiveTime
        return state.withLock { s in
            guard let old = s.venue.restingOrder(orderId: cid, instrument: inst) else {
                return .rejected(VenueRejection(code: .venueRejected, message: "order \(cid) is not resting at the paper venue"))
            }
            let before = s.filled[cid] ?? request.order.filledQuantity
            let ahead = s.venue.queueAhead(orderId: cid) ?? .zero
            _ = s.venue.cancel(orderId: cid, instrument: inst)
            var o = request.order
            o.id = cid
            o.limitPrice = request.price
            o.quantity = request.quantity - before
            let out = s.venue.submit(o, book: book)
            if out.status == .rejected {
                s.venue.restore(orderId: cid, instrument: inst, side: old.side, price: old.price, remaining: old.remaining, ahead: ahead)
                let code: VenueRejectionCode = out.reason?.hasPrefix("post-only") == true ? .postOnlyWouldCross : .venueRejected
                return .rejected(VenueRejection(code: code, message: out.reason ?? "rejected"))
            }
            var cumulative = before
            var fills: [VenueFill] = []
            for f in out.fills {
                cumulative += f.quantity
                fills.append(VenueFill(venueTradeId: "\(venue):\(cid):\(cumulative.raw)", price: f.price, quantity: f.quantity, fee: f.fee,
                                       liquidity: f.liquidity, timestamp: now))
            }
            let status: OrderStatus = out.status == .filled ? .filled : cumulative.isPositive ? .partiallyFilled : .open
            if status == .filled { s.filled[cid] = nil } else { s.filled[cid] = cumulative }
            return .done(VenueOrderState(clientOrderId: cid, venueOrderId: cid, status: status, filledQuantity: cumulative, fills: fills,
                                         timestamp: now, limitPrice: request.price, quantity: request.quantity))
        }
    }

    /// Removes a resting order.
    public nonisolated(nonsending) func cancel(_ order: Order) async -> CancelOutcome { cancelNow(order) }

    /// `cancel` without the async wrapper.
    public func cancelNow(_ order: Order) -> CancelOutcome {
        guard let cid = order.clientOrderId else { return .notLive("no client order id") }
        let removed = state.withLock { s in
            let r = s.venue.cancel(orderId: cid, instrument: order.instrument)
            s.filled[cid] = nil
            return r
        }
        if !removed && order.type == .limit && order.timeInForce == .gtc && !order.status.isTerminal && order.status != .pendingSubmit {
            // Not resting here (already filled in this very step, or never rested): say so.
            return .notLive("not resting at the paper venue")
        }
        return .done(VenueOrderState(clientOrderId: cid, venueOrderId: order.venueOrderId, status: .cancelled, reason: nil))
    }

    /// The paper venue holds nothing the engine does not: a lookup finds what was last reported.
    public func lookup(_ order: Order) async -> LookupResult { .notFound }

    /// Resting orders are the engine's own open orders.
    public func openOrders() async throws -> [VenueOpenOrder] { [] }

    /// Paper fills reach the engine as they happen; there is nothing to catch up.
    public func fills(since: Int64) async throws -> [VenueFillReport] { [] }

    /// The paper account is kept by the engine from its fills.
    public func account() async throws -> VenueAccountSnapshot { VenueAccountSnapshot(balances: []) }

    /// No private stream.
    public func run(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async {}

    /// Resting orders the opposite touch moved through.
    public func onBook(_ book: OrderBook) -> [VenueOrderState] {
        state.withLock { s in report(s.venue.onBook(book), &s, at: book.receiveTime) }
    }

    /// Resting orders a public trade printed through.
    public func onTrade(_ trade: Trade) -> [VenueOrderState] {
        state.withLock { s in report(s.venue.onTrade(trade), &s, at: trade.receiveTime) }
    }

    /// Rests the ledger's open limit orders again.
    public func restore(_ orders: [Order]) {
        state.withLock { s in
            for o in orders where o.type == .limit && !o.status.isTerminal {
                guard let cid = o.clientOrderId, let lp = o.limitPrice else { continue }
                s.venue.restore(orderId: cid, instrument: o.instrument, side: o.side, price: lp, remaining: o.remainingQuantity)
                s.filled[cid] = o.filledQuantity
            }
        }
    }

    /// The queue ahead of a resting order at its price (tests, backtest reports).
    public func queueAhead(clientOrderId: String) -> Fixed? { state.withLock { $0.venue.queueAhead(orderId: clientOrderId) } }

    /// Number of resting orders (tests).
    public var restingCount: Int { state.withLock { $0.venue.restingCount } }

    private func report(_ fills: [PaperFill], _ s: inout State, at time: Int64) -> [VenueOrderState] {
        var out: [VenueOrderState] = []
        for f in fills {
            let cum = (s.filled[f.orderId] ?? .zero) + f.quantity
            s.filled[f.orderId] = cum
            let fill = VenueFill(venueTradeId: "\(venue):\(f.orderId):\(cum.raw)", price: f.price, quantity: f.quantity, fee: f.fee,
                                 liquidity: f.liquidity, timestamp: time)
            let stillResting = s.venue.isResting(orderId: f.orderId)
            if !stillResting { s.filled[f.orderId] = nil }
            out.append(VenueOrderState(clientOrderId: f.orderId, venueOrderId: f.orderId, status: nil, filledQuantity: cum, fills: [fill],
                                       timestamp: time))
        }
        return out
    }
}
