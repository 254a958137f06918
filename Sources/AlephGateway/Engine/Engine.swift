import AlephBook
import AlephCore
import AlephRPC
import AlephRisk
import AlephNet
import AlephVenueKit
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
    /// One account per venue: positions and PnL from its fills; for a paper venue also its cash
    /// (each paper venue starts with `[paper] starting_cash`). Live venues' cash is the venue's
    /// own balances (`venueBalances`).
    var accounts: [String: Portfolio] = [:]
    /// One executor per venue (paper or live); a venue without one gets a paper executor.
    var executors: [String: any VenueExecutor] = [:]
    /// Client order ids of this ledger (`ax<tag><n>`).
    let clientIds: ClientOrderIds
    /// Orders from before client ids were derived (`o-<n>` sent as is), by client id.
    var legacyClientIds: [String: String] = [:]
    /// Intents being placed right now (a duplicate waits for the first outcome).
    var inFlight: [String: InFlightIntent] = [:]
    /// Each execution venue's state (reconciling, live, degraded) and counters.
    var venueExec: [String: VenueExecState] = [:]
    /// Venues whose cumulative fill counts ran ahead of the fills booked (a catch-up is due).
    var fillsMissing: Set<String> = []
    /// `venue|client id` of orders with our prefix the ledger does not hold.
    var orphansSeen: Set<String> = []
    /// Live venues whose equity is in the breaker's peak and day-start baselines.
    var baselinedVenues: Set<String> = []
    /// The last equity computed with every account valued (see `riskEquity`).
    var lastCompleteEquity: Fixed?
    /// Gateway order ids by `venue|instrument|venue order id`.
    var venueOrderIndex: [String: String] = [:]
    /// Gateway order ids by `venue||venue order id` (venues whose order ids are unique across symbols).
    var venueOrderIdOnly: [String: String] = [:]
    /// Live venue balances by venue and asset.
    var venueBalances: [String: [String: VenueBalance]] = [:]
    /// Live venue derivatives positions by venue and instrument.
    var venuePositions: [String: [String: VenuePosition]] = [:]
    /// When the stream last changed each venue's balances and positions (snapshots keep newer values).
    var accountMarks: [String: AccountMarks] = [:]
    /// Live venue margin summaries (perp venues that report one).
    var venueMargins: [String: VenueMargin] = [:]
    /// Perp contexts (mark, index, funding) by instrument, from venues that stream them.
    var contexts: [String: InstrumentContext] = [:]
    /// Ids of the funding payments booked: a payment reported twice counts once.
    var fundingIds: Set<String> = []
    /// Orders whose modify got no answer: looked up until the venue's version is known.
    var modifyUncertain: Set<String> = []
    /// Live venues whose account changed (a fill, an order's end) and must be read again.
    var accountStale: Set<String> = []
    /// Remote orders with a cancel asked for (`Order.cancelRequested`) and not yet ended: watched
    /// until the venue confirms (see `cancelsDue`).
    var cancelsWanted: Set<String> = []
    /// When each watched order's cancel was last sent (ns; none yet after a restart).
    var cancelSentAt: [String: Int64] = [:]
    /// Cancelling orders a lookup or reconciliation found still live at the venue since the last send.
    var cancelSeenLive: Set<String> = []
    /// Orders with a modify in flight (a cancel-replace's old leg must not end them).
    var modifying: Set<String> = []
    /// `venue||venue order id` of venue orders a cancel-replace superseded.
    var supersededVenueIds: Set<String> = []
    /// Venues whose own cancel-all-after switch is armed: its timeout (ms) and when it was last armed (ns).
    var nativeDeadmen: [String: (timeoutMs: Int, armedAt: Int64)] = [:]
    /// The on-chain transaction service (`[venues.evm]`), if configured.
    var evm: EVMTransactionService?
    /// Its configuration (the allowlist, the value cap).
    var evmConfig: EVMConfig?
    /// Notifications queued per outbox (counted only under lockstep: a step ends on one).
    var emittedTo: [ObjectIdentifier: Int] = [:]

    /// Every order by id, which are open, and the open orders' running totals.
    var orders = OrderTable()
    var orderIds = ChunkedArray<String>()
    var fills = ChunkedArray<Fill>()
    var intents = ShardedMap<String, IntentRecord>()
    var nextOrder = 1
    var nextFill = 1

    var sessions: [Int: Session] = [:]
    var subscriptions: [Int: Subscription] = [:]
    var subscriptionsByInstrument: [String: [Int]] = [:]
    var accountSubscriptions: [Int] = []
    var nextSubscription = 1
    var risk: RiskBook
    var sessionStates: [Int: SessionState] = [:]
    /// Ids of the open orders.
    var openOrderIds: Set<String> { orders.openIds }
    var orderSessions = ShardedMap<String, Int>()
    /// Notifications raised while a request or market batch executes; sent after its ledger records are durable.
    var deferred: [Outgoing]? = nil
    /// The durable journal; every state change is appended before it is reported.
    let ledger: Ledger
    /// Releases answers and notifications once the ledger has them.
    let sender: DurableSender
    /// Records of the current step, handed to the ledger when it ends.
    var pendingRecords: [LedgerRecord] = []
    /// Venue trade ids of every fill booked: a fill delivered twice counts once.
    var fillTradeIds = ShardedSet<String>()
    /// Market-data feed health by venue.
    var feedHealth: [String: FeedHealth] = [:]
    /// Instrument ids per venue feed.
    var feedInstruments: [String: [String]] = [:]
    /// Wrong admin tokens per source address.
    var authThrottle = AuthThrottle()
    /// The risk snapshot last written, and when.
    var riskWritten: (RiskSnapshot, Int64)? = nil

    /// Counters for observability.
    public private(set) var marketEventsApplied = 0
    /// Integrity errors seen on books.
    public private(set) var bookErrors = 0

    /// Creates the engine for a set of instruments, journaling into `ledger` (restore with `restore(from:)`).
    /// `executors` are the live venues; every other venue paper-trades in this process.
    public init(instruments: [Instrument], config: EngineConfig, time: any TimeSource, logger: Logger, ledger: Ledger,
                executors: [any VenueExecutor] = []) {
        self.time = time
        self.ledger = ledger
        let sender = DurableSender()
        self.sender = sender
        ledger.setListener(sender)
        self.config = config
        self.logger = logger
        instrumentList = instruments
        self.instruments = Dictionary(instruments.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        clientIds = ClientOrderIds(tag: ledger.clientIdTag)
        for e in executors {
            self.executors[e.venue] = e
            // A remote venue trades only once its orders are reconciled with it.
            venueExec[e.venue] = VenueExecState(venue: e.venue, mode: e.mode, state: e.traits.remote ? .reconciling : .live)
        }
        for venue in Set(instruments.map(\.venue)) where self.executors[venue] == nil {
            self.executors[venue] = PaperExecutor(venue: venue, config: config.paper)
            venueExec[venue] = VenueExecState(venue: venue, mode: .paper, state: .live)
        }
        for (venue, e) in self.executors {
            accounts[venue] = Portfolio(currency: config.paper.currency, cash: e.mode == .paper ? config.paper.startingCash : .zero)
        }
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

    /// Detaches a session and drops its subscriptions; an armed dead-man's switch with
    /// `on_disconnect = cancel` fires at once (with `keep` it is disarmed).
    public func unregister(_ session: Session) async {
        let deadman = sessionStates[session.id]?.deadman
        sessions[session.id] = nil
        sessionStates[session.id] = nil
        if let deadman, deadman.onDisconnect == .cancel { await tripDeadman(session: session.id, trigger: "disconnect") }
        risk.forget(session: session.id)
        for (id, sub) in subscriptions where sub.sessionId == session.id { removeSubscription(id) }
    }

    /// Number of attached sessions.
    public var sessionCount: Int { sessions.count }

    // MARK: market data

    /// Applies market events in order: books, trades, and the paper fills they cause.
    public func ingest(_ events: [MarketEvent]) {
        deferred = []
        defer { finishStep() }
        for e in events {
            marketEventsApplied += 1
            switch e {
            case .snapshot(let u), .delta(let u), .levels(let u):
                // Changed in place: the book is copied only if someone still holds an old version.
                guard books[u.instrument] != nil else { continue }
                do {
                    switch e {
                    case .snapshot:
                        try books[u.instrument]!.applySnapshot(bids: u.bids, asks: u.asks, sequence: u.sequence, exchangeTime: u.exchangeTime, receiveTime: u.receiveTime)
                    case .delta:
                        try books[u.instrument]!.applyDelta(bids: u.bids, asks: u.asks, sequence: u.sequence, exchangeTime: u.exchangeTime, receiveTime: u.receiveTime)
                    default:
                        try books[u.instrument]!.applyUpdate(bids: u.bids, asks: u.asks, sequence: u.sequence, exchangeTime: u.exchangeTime, receiveTime: u.receiveTime)
                    }
                } catch {
                    bookErrors += 1
                    logger.warning("book integrity error", metadata: ["instrument": "\(u.instrument)", "error": "\(error)"])
                }
                let book = books[u.instrument]!
                publishBook(book)
                if case .levels = e, !book.verified { continue }
                applyMarketReports(executor(forInstrument: u.instrument)?.onBook(book))
            case .book(let book):
                guard books[book.instrument] != nil else { continue }
                books[book.instrument] = book
                publishBook(book)
                // Resting orders at a simulated venue only trade against a verified book.
                if book.verified { applyMarketReports(executor(forInstrument: book.instrument)?.onBook(book)) }
            case .trade(let t):
                publishTrade(t)
                applyMarketReports(executor(forInstrument: t.instrument)?.onTrade(t))
            case .context(let c):
                if instruments[c.instrument] != nil { contexts[c.instrument] = c }
            case .tickSize(let id, let tick):
                guard var i = instruments[id], i.tickSize != tick, tick.isPositive else { continue }
                logger.notice("tick size changed", metadata: ["instrument": "\(id)", "from": "\(i.tickSize)", "to": "\(tick)"])
                i.tickSize = tick
                instruments[id] = i
                if let k = instrumentList.firstIndex(where: { $0.id == id }) { instrumentList[k] = i }
                executors[i.venue]?.setInstruments([i])
            }
        }
        evaluateBreaker()
    }

    /// A copy of a book (for tests and benchmarks).
    public func book(_ instrument: String) -> OrderBook? { books[instrument] }

    // MARK: fills

    /// The executor of an instrument's venue (nil for an unknown instrument).
    func executor(forInstrument id: String) -> (any VenueExecutor)? {
        guard let venue = instruments[id]?.venue else { return nil }
        return executor(for: venue)
    }

    /// The executor of a venue; a venue without a configured one paper-trades in this process.
    func executor(for venue: String) -> any VenueExecutor {
        if let e = executors[venue] { return e }
        let e = PaperExecutor(venue: venue, config: config.paper)
        executors[venue] = e
        venueExec[venue] = VenueExecState(venue: venue, mode: .paper, state: .live)
        if accounts[venue] == nil { accounts[venue] = Portfolio(currency: config.paper.currency, cash: config.paper.startingCash) }
        return e
    }

    /// Applies what a simulated venue reported about resting orders after a market event.
    func applyMarketReports(_ reports: [VenueOrderState]?) {
        guard let reports, !reports.isEmpty else { return }
        let now = time.nowNanos()
        for r in reports { applyVenueState(r, at: now) }
    }

    /// Books one fill from any venue: once per venue trade id (paper fills get `<venue>-<fill id>`).
    /// Returns nil for a duplicate or an unknown order.
    func bookFill(orderId: String, venueTradeId: String?, price: Fixed, quantity: Fixed, fee: Fixed, liquidity: Liquidity, at now: Int64) -> Fill? {
        guard var order = orders[orderId] else {
            logger.error("fill for unknown order", metadata: ["order": "\(orderId)"])
            return nil
        }
        let id = "f-\(nextFill)"
        let tradeId = venueTradeId ?? "\(order.venue)-\(id)"
        if fillTradeIds.contains(tradeId) {
            logger.debug("duplicate fill ignored", metadata: ["order": "\(orderId)", "venue_trade_id": "\(tradeId)"])
            return nil
        }
        let instrument = order.instrument
        let fill = Fill(id: id, orderId: order.id, intentId: order.intentId, instrument: instrument, side: order.side,
                        price: price, quantity: quantity, fee: fee, liquidity: liquidity, timestamp: now, venueTradeId: tradeId)
        nextFill += 1
        fillTradeIds.insert(tradeId)
        order.apply(fill: fill)
        orders[order.id] = order
        if order.status.isTerminal { orders.markClosed(order.id) }
        if let s = orderSessions[order.id] { risk.recordTraded(session: s, notional: fill.price.multiplied(by: fill.quantity), now: now) }
        fills.append(fill)
        let venue = order.venue
        var acct = accounts[venue] ?? Portfolio(currency: config.paper.currency, cash: order.live ? .zero : config.paper.startingCash)
        acct.apply(instrument: instrument, side: fill.side, price: fill.price, quantity: fill.quantity, fee: fill.fee)
        accounts[venue] = acct
        pendingRecords.append(.fill(fill))
        if order.live { accountStale.insert(venue) }
        pendingRecords.append(.order(order, session: orderSessions[order.id]))
        pendingRecords.append(.position(acct.positions[instrument] ?? Position(instrument: instrument)))
        if !order.live {
            pendingRecords.append(.balance(LedgerBalance(venue: venue, currency: acct.currency, cash: acct.cash, startingCash: acct.startingCash, feesPaid: acct.feesPaid)))
        }
        publishAccount(.fills, instrument: instrument, Presenter.fill(fill, instrument: instruments[instrument]))
        publishAccount(.orders, instrument: instrument, Presenter.order(order, instrument: instruments[instrument]))
        publishPosition(instrument)
        return fill
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
