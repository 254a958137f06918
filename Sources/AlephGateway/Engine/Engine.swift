import AlephBook
import AlephCore
import AlephRPC
import AlephRisk
import AlephVenues
import Logging

/// The single writer of all trading state: books, orders, fills, positions, intents and
/// subscriptions. Transports and feeds reach it only through its async methods, so the order of
/// events is deterministic and replayable.
public actor Engine {
    let time: any TimeSource
    let config: EngineConfig
    let logger: Logger

    var instrumentList: [Instrument]
    var instruments: [String: Instrument]
    var books: [String: OrderBook] = [:]
    var paper: PaperVenue
    var portfolio: Portfolio

    var orders: [String: Order] = [:]
    var orderIds: [String] = []
    var fills: [Fill] = []
    var intents: [String: IntentRecord] = [:]
    var nextOrder = 1
    var nextFill = 1

    var sessions: [Int: Session] = [:]
    var subscriptions: [Int: Subscription] = [:]
    var subscriptionsByInstrument: [String: [Int]] = [:]
    var accountSubscriptions: [Int] = []
    var nextSubscription = 1
    var risk: RiskBook
    var sessionStates: [Int: SessionState] = [:]
    var openOrderIds: Set<String> = []
    var orderSessions: [String: Int] = [:]
    /// Notifications raised while a request executes; sent right after its response.
    var deferred: [(Outbox, [UInt8], Int?)]? = nil

    /// Counters for observability.
    public private(set) var marketEventsApplied = 0
    /// Integrity errors seen on books.
    public private(set) var bookErrors = 0

    /// Creates the engine for a set of instruments.
    public init(instruments: [Instrument], config: EngineConfig, time: any TimeSource, logger: Logger) {
        self.time = time
        self.config = config
        self.logger = logger
        instrumentList = instruments
        self.instruments = Dictionary(instruments.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        paper = PaperVenue(config: config.paper)
        portfolio = Portfolio(currency: config.paper.currency, cash: config.paper.startingCash)
        risk = RiskBook(limits: config.riskLimits, overrides: config.riskOverrides, equity: config.paper.startingCash, now: time.nowNanos())
        for i in instruments { books[i.id] = OrderBook(instrument: i.id) }
    }

    // MARK: sessions

    /// Attaches a session so it can receive notifications.
    public func register(_ session: Session) {
        sessions[session.id] = session
        // stdio belongs to the process that spawned us: it is admin and needs no hello.
        let local = session.transport != "tcp"
        sessionStates[session.id] = SessionState(admin: local, authenticated: local || !config.requireAuth)
    }

    /// Detaches a session and drops its subscriptions.
    public func unregister(_ session: Session) {
        sessions[session.id] = nil
        sessionStates[session.id] = nil
        risk.forget(session: session.id)
        for (id, sub) in subscriptions where sub.sessionId == session.id { removeSubscription(id) }
    }

    /// Number of attached sessions.
    public var sessionCount: Int { sessions.count }

    // MARK: market data

    /// Applies market events in order: books, trades, and the paper fills they cause.
    public func ingest(_ events: [MarketEvent]) {
        for e in events {
            marketEventsApplied += 1
            switch e {
            case .snapshot(let u), .delta(let u):
                guard var book = books[u.instrument] else { continue }
                do {
                    if case .snapshot = e {
                        try book.applySnapshot(bids: u.bids, asks: u.asks, sequence: u.sequence, exchangeTime: u.exchangeTime, receiveTime: u.receiveTime)
                    } else {
                        try book.applyDelta(bids: u.bids, asks: u.asks, sequence: u.sequence, exchangeTime: u.exchangeTime, receiveTime: u.receiveTime)
                    }
                } catch {
                    bookErrors += 1
                    logger.warning("book integrity error", metadata: ["instrument": "\(u.instrument)", "error": "\(error)"])
                }
                books[u.instrument] = book
                publishBook(book)
                let paperFills = paper.onBook(book)
                for f in paperFills { record(f, instrument: u.instrument) }
            case .trade(let t):
                publishTrade(t)
                let paperFills = paper.onTrade(t)
                for f in paperFills { record(f, instrument: t.instrument) }
            }
        }
        evaluateBreaker()
    }

    /// A copy of a book (for tests and benchmarks).
    public func book(_ instrument: String) -> OrderBook? { books[instrument] }

    // MARK: fills

    /// Books one paper fill: order, portfolio, notifications.
    func record(_ pf: PaperFill, instrument: String) {
        guard var order = orders[pf.orderId] else {
            logger.error("fill for unknown order", metadata: ["order": "\(pf.orderId)"])
            return
        }
        let now = time.nowNanos()
        let fill = Fill(id: "f-\(nextFill)", orderId: order.id, intentId: order.intentId, instrument: instrument, side: order.side,
                        price: pf.price, quantity: pf.quantity, fee: pf.fee, liquidity: pf.liquidity, timestamp: now)
        nextFill += 1
        order.apply(fill: fill)
        orders[order.id] = order
        if order.status.isTerminal { openOrderIds.remove(order.id) }
        if let s = orderSessions[order.id] { risk.recordTraded(session: s, notional: fill.price.multiplied(by: fill.quantity), now: now) }
        fills.append(fill)
        portfolio.apply(instrument: instrument, side: fill.side, price: fill.price, quantity: fill.quantity, fee: fill.fee)
        publishAccount(.fills, instrument: instrument, Presenter.fill(fill, instrument: instruments[instrument]))
        publishAccount(.orders, instrument: instrument, Presenter.order(order, instrument: instruments[instrument]))
        publishPosition(instrument)
    }

    /// Mark price for an instrument: mid if both sides exist.
    func mark(_ instrument: String) -> Fixed? { books[instrument]?.mid }

    /// Marks of every instrument with a mid.
    func marks() -> [String: Fixed] {
        var m: [String: Fixed] = [:]
        for (id, b) in books { if let mid = b.mid { m[id] = mid } }
        return m
    }
}
