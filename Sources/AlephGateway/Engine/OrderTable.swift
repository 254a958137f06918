import AlephCore

/// Every order of the engine's history by id, which of them are open, and running totals of the
/// open ones that the risk gate reads on every intent.
///
/// The totals are kept exactly as the per-order sums they replace (each open order's
/// `limit × remaining` rounded on its own, then added), but updated on each change instead of
/// summed over every open order per intent: with thousands of resting orders a scan per intent
/// dominated the order path. The invariant: the totals always equal the sums over the ids in
/// `openIds` that have an order, whatever order ids and orders change in. The sums are kept in
/// 128-bit raw units, so adding and taking out are exact inverses even where `Fixed` would
/// saturate (absurd sizes); they saturate only when read.
struct OrderTable {
    /// Open orders on one instrument: how many, and how much they would still buy and sell.
    struct InstrumentTotals: Equatable {
        /// Open orders counted.
        var count = 0
        /// Σ remaining quantity of open buys, in raw units.
        var buyRaw: Int128 = 0
        /// Σ remaining quantity of open sells, in raw units.
        var sellRaw: Int128 = 0
        /// Σ remaining quantity of open buys (saturated).
        var buy: Fixed { OrderTable.saturated(buyRaw) }
        /// Σ remaining quantity of open sells (saturated).
        var sell: Fixed { OrderTable.saturated(sellRaw) }
    }

    private var byId = ShardedMap<String, Order>()
    /// Ids of the orders that are open (not terminal), as the engine marks them.
    private(set) var openIds: Set<String> = []
    private var byInstrument: [String: InstrumentTotals] = [:]
    /// Ids of the open orders whose state is not settled (`pending_submit`, `uncertain`,
    /// `pending_cancel`): what the resolver looks up on every tick, without scanning the rest.
    private(set) var unsettledIds: Set<String> = []
    /// Open and uncertain orders per venue (`get_health` shows them for every venue).
    private var byVenue: [String: VenueTotals] = [:]
    /// Σ limit × remaining over the open orders in raw units (a market order counts zero).
    private var openNotionalRaw: Int128 = 0
    /// Σ limit × remaining over the open orders (a market order counts zero), saturated.
    var openNotional: Fixed { OrderTable.saturated(openNotionalRaw) }

    /// Number of orders held (open or not).
    var count: Int { byId.count }

    /// The order with `id`; assigning updates the open totals if it is open.
    subscript(id: String) -> Order? {
        get { byId[id] }
        set {
            if openIds.contains(id) {
                if let old = byId[id] { add(old, id: id, sign: -1) }
                if let newValue { add(newValue, id: id, sign: 1) }
            }
            byId[id] = newValue
        }
    }

    /// Marks `id` open (its order, if held, joins the totals).
    mutating func markOpen(_ id: String) {
        guard openIds.insert(id).inserted, let o = byId[id] else { return }
        add(o, id: id, sign: 1)
    }

    /// Marks `id` no longer open (its order leaves the totals).
    mutating func markClosed(_ id: String) {
        guard openIds.remove(id) != nil, let o = byId[id] else { return }
        add(o, id: id, sign: -1)
    }

    /// One venue's open orders: how many, how many of them uncertain, and what its paper buys
    /// hold back (Σ limit × remaining over buys matched in this process).
    struct VenueTotals: Equatable {
        /// Open orders.
        var open = 0
        /// Of them, uncertain.
        var uncertain = 0
        /// Σ limit × remaining over its open paper buys, in raw units.
        var paperBuysRaw: Int128 = 0
        /// Σ limit × remaining over its open paper buys (saturated).
        var paperBuys: Fixed { OrderTable.saturated(paperBuysRaw) }
    }

    /// Open-order totals on `venue`.
    func totals(onVenue venue: String) -> VenueTotals { byVenue[venue] ?? VenueTotals() }

    /// Open-order totals on `instrument`.
    func totals(on instrument: String) -> InstrumentTotals { byInstrument[instrument] ?? InstrumentTotals() }

    /// The order with `id` if it is open (counted in the totals), to leave it out of a check.
    func openOrder(_ id: String) -> Order? { openIds.contains(id) ? byId[id] : nil }

    /// Whether the running totals equal a recount (the invariant; debug builds check it each step).
    var totalsMatchRecount: Bool {
        let r = recomputed()
        return runningTotals == r.byInstrument && openNotional == r.notional && unsettledIds == r.unsettled
            && byVenue.filter({ $0.value != VenueTotals() }) == r.byVenue
    }

    /// The totals summed from scratch over the open orders (the invariant's other side, for tests).
    func recomputed() -> (byInstrument: [String: InstrumentTotals], notional: Fixed, unsettled: Set<String>, byVenue: [String: VenueTotals]) {
        var t: [String: InstrumentTotals] = [:], n: Int128 = 0, u: Set<String> = [], v: [String: VenueTotals] = [:]
        for id in openIds {
            guard let o = byId[id] else { continue }
            v[o.venue, default: VenueTotals()].open += 1
            if o.status == .uncertain { v[o.venue, default: VenueTotals()].uncertain += 1 }
            if o.side == .buy && !o.live { v[o.venue, default: VenueTotals()].paperBuysRaw += Int128(OrderTable.notional(o).raw) }
            if OrderTable.isUnsettled(o.status) { u.insert(id) }
            t[o.instrument, default: InstrumentTotals()].count += 1
            let q = Int128(o.remainingQuantity.raw)
            if o.side == .buy { t[o.instrument, default: InstrumentTotals()].buyRaw += q } else { t[o.instrument, default: InstrumentTotals()].sellRaw += q }
            n += Int128(OrderTable.notional(o).raw)
        }
        return (t, OrderTable.saturated(n), u, v)
    }

    /// States a lookup must settle.
    static func isUnsettled(_ s: OrderStatus) -> Bool { s == .pendingSubmit || s == .uncertain || s == .pendingCancel }

    /// A raw 128-bit sum as `Fixed`, saturated at its bounds.
    static func saturated(_ raw: Int128) -> Fixed {
        Fixed(raw: raw > Int128(Int64.max) ? .max : raw < Int128(Int64.min) ? .min : Int64(raw))
    }

    /// The running totals per instrument (empty entries dropped), to compare with `recomputed()`.
    var runningTotals: [String: InstrumentTotals] { byInstrument.filter { $0.value != InstrumentTotals() } }

    private static func notional(_ o: Order) -> Fixed { (o.limitPrice ?? .zero).multiplied(by: o.remainingQuantity) }

    private mutating func add(_ o: Order, id: String, sign: Int) {
        if OrderTable.isUnsettled(o.status) {
            if sign > 0 { unsettledIds.insert(id) } else { unsettledIds.remove(id) }
        }
        var t = byInstrument[o.instrument] ?? InstrumentTotals()
        let q = Int128(o.remainingQuantity.raw) * Int128(sign)
        t.count += sign
        if o.side == .buy { t.buyRaw += q } else { t.sellRaw += q }
        let notional = Int128(OrderTable.notional(o).raw) * Int128(sign)
        openNotionalRaw += notional
        byInstrument[o.instrument] = t
        var c = byVenue[o.venue] ?? VenueTotals()
        c.open += sign
        if o.status == .uncertain { c.uncertain += sign }
        if o.side == .buy && !o.live { c.paperBuysRaw += notional }
        byVenue[o.venue] = c
    }
}
