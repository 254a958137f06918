import AlephBook
import AlephCore

/// Paper or live.
public enum ExecutionMode: String, Sendable, CaseIterable, Codable {
    /// Simulated fills in this process against real or simulated books.
    case paper
    /// Orders go to the venue.
    case live
}

/// What the engine must know about an executor's venue to keep its promises.
public struct ExecutorTraits: Sendable, Equatable {
    /// Orders live at the venue, outside this process: each order (and its client order id) is
    /// made durable in the ledger before its request leaves. An in-process venue keeps no state
    /// a crash could leave behind, so its orders need no write-ahead.
    public var remote: Bool
    /// After an uncertain send, "not found" by client order id is conclusive only this long after
    /// the send (the venue's receive window plus clock skew): a late request is refused by then.
    public var notFoundFinalAfterMs: Int
    /// Client order ids are legal for this venue up to this length.
    public var maxClientOrderIdLength: Int
    /// How the venue spells client order ids.
    public var clientIdFormat: ClientIdFormat
    /// Most orders one batch request may carry (1: no batch order entry).
    public var batchLimit: Int
    /// The venue changes resting orders in place (`modify`).
    public var modifies: Bool
    /// The private stream carries balance and position changes; when false the account is
    /// read again (by REST) shortly after each fill or order end.
    public var streamsAccount: Bool
    /// The venue's own cancel-all-after switch (`armDeadman`), nil when it has none.
    public var nativeDeadman: NativeDeadman?

    /// Creates traits.
    public init(remote: Bool, notFoundFinalAfterMs: Int, maxClientOrderIdLength: Int = 32, clientIdFormat: ClientIdFormat = .alphanumeric,
                batchLimit: Int = 1, modifies: Bool = false, streamsAccount: Bool = true, nativeDeadman: NativeDeadman? = nil) {
        self.nativeDeadman = nativeDeadman
        self.remote = remote
        self.notFoundFinalAfterMs = notFoundFinalAfterMs
        self.maxClientOrderIdLength = maxClientOrderIdLength
        self.clientIdFormat = clientIdFormat
        self.batchLimit = batchLimit
        self.modifies = modifies
        self.streamsAccount = streamsAccount
    }
}

/// Rate-limit usage for health: named counters as the venue reports them.
public struct RateLimitUsage: Sendable, Equatable {
    /// Counter name → (used, limit); limit 0 when the venue does not say.
    public var counters: [String: RateCounter]
    /// Until when (ns since epoch) the venue asked us to send nothing, if it did.
    public var blockedUntil: Int64?

    /// Creates usage.
    public init(counters: [String: RateCounter] = [:], blockedUntil: Int64? = nil) {
        self.counters = counters
        self.blockedUntil = blockedUntil
    }
}

/// One rate-limit counter.
public struct RateCounter: Sendable, Equatable {
    /// Used in the current window.
    public var used: Int
    /// Allowed per window (0: unknown).
    public var limit: Int
    /// Creates a counter.
    public init(used: Int, limit: Int) {
        self.used = used
        self.limit = limit
    }
}

/// The one interface every execution venue conforms to — the paper venue and every live venue —
/// so the engine routes each order to its instrument's venue and never branches on the mode.
///
/// Executors are asynchronous and may answer `uncertain`; the engine, not the venue code, owns the
/// rule that an uncertain order is never resent, only looked up. `submit` and `cancel` run on the
/// caller's executor (`nonisolated(nonsending)`): an in-process venue answers without suspending,
/// so paper trading stays one atomic engine step.
public protocol VenueExecutor: AnyObject, Sendable {
    /// Venue name as on instruments (`sim`, `binance`…).
    var venue: String { get }
    /// Paper or live.
    var mode: ExecutionMode { get }
    /// Durability and lookup rules.
    var traits: ExecutorTraits { get }

    /// Places one order.
    nonisolated(nonsending) func submit(_ request: SubmitRequest) async -> SubmitOutcome
    /// Places up to `traits.batchLimit` orders as one venue request: one outcome per order, in
    /// order (a venue that answers per order inside one reply refuses some and takes others).
    nonisolated(nonsending) func submit(batch: [SubmitRequest]) async -> [SubmitOutcome]
    /// Changes a resting order's price and/or quantity (venues with `traits.modifies`).
    nonisolated(nonsending) func modify(_ request: ModifyRequest) async -> ModifyOutcome
    /// Cancels one order (by venue id when known, else by client order id).
    nonisolated(nonsending) func cancel(_ order: Order) async -> CancelOutcome
    /// Looks an order up by its client order id.
    func lookup(_ order: Order) async -> LookupResult
    /// Every open order at the venue on our instruments (ours and others').
    func openOrders() async throws -> [VenueOpenOrder]
    /// Fills on our instruments since `since` (ns since epoch), with the ids that find their order.
    func fills(since: Int64) async throws -> [VenueFillReport]
    /// The account: balances and positions.
    func account() async throws -> VenueAccountSnapshot
    /// Runs the private stream until cancelled, reporting through `sink` (in order).
    func run(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async
    /// Rate-limit usage for health.
    var rateLimit: RateLimitUsage { get }
    /// Arms the venue's own cancel-all-after switch for `timeoutMs` (nil disarms it); nil on
    /// success, the venue's refusal otherwise. Only for venues with `traits.nativeDeadman`.
    func armDeadman(timeoutMs: Int?) async -> VenueRejection?

    /// A simulated venue reacting to a book (resting orders the market came to); live venues: none.
    func onBook(_ book: OrderBook) -> [VenueOrderState]
    /// A simulated venue reacting to a public trade; live venues: none.
    func onTrade(_ trade: Trade) -> [VenueOrderState]
    /// After a restart: orders the ledger holds as live at this venue (a simulated venue rests them again).
    func restore(_ orders: [Order])
    /// The venue's instruments (with their native symbols), whenever its metadata is (re)loaded.
    func setInstruments(_ list: [Instrument])
}

extension VenueExecutor {
    /// Without batch order entry: one request per order, in order.
    public nonisolated(nonsending) func submit(batch: [SubmitRequest]) async -> [SubmitOutcome] {
        var out: [SubmitOutcome] = []
        for r in batch { out.append(await submit(r)) }
        return out
    }
    /// Venues without in-place modification say so; nothing is sent.
    public nonisolated(nonsending) func modify(_ request: ModifyRequest) async -> ModifyOutcome {
        .rejected(VenueRejection(code: .venueRejected, message: "\(venue) orders cannot be modified in this build: cancel the order and place a new one"))
    }
    /// Live venues ignore market data.
    public func onBook(_ book: OrderBook) -> [VenueOrderState] { [] }
    /// Live venues ignore market data.
    public func onTrade(_ trade: Trade) -> [VenueOrderState] { [] }
    /// Live venues keep their own orders.
    public func restore(_ orders: [Order]) {}
    /// Simulated venues need no symbols.
    public func setInstruments(_ list: [Instrument]) {}
    /// No limits reported.
    public var rateLimit: RateLimitUsage { RateLimitUsage() }
    /// Venues without a switch of their own refuse; the gateway's switch is the only one.
    public func armDeadman(timeoutMs: Int?) async -> VenueRejection? {
        VenueRejection(code: .venueRejected, message: "\(venue) has no cancel-all-after switch of its own")
    }
}
