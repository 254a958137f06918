import AlephCore

/// Every order of the engine's history by id, which of them are open, and running totals of the
/// open ones that the risk gate reads on every intent.
///
/// The totals are kept exactly as the per-order sums they replace (each open order's
/// `limit × remaining` rounded on its own, then added), but updated on each change instead of
/// summed over every open order per intent: with thousands of resting orders a scan per intent
/// dominated the order path. The invariant: the totals always equal the sums over the ids in
/// `openIds` that have an order, whatever order ids and orders change in.
struct OrderTable {
    /// Open orders on one instrument: how many, and how much they would still buy and sell.
    struct InstrumentTotals: Equatable {
        /// Open orders counted.
        var count = 0
        /// Σ remaining quantity of open buys.
        var buy = Fixed.zero
        /// Σ remaining quantity of open sells.
        var sell = Fixed.zero
    }

    private var byId = ShardedMap<String, Order>()
    /// Ids of the orders that are open (not terminal), as the engine marks them.
    private(set) var openIds: Set<String> = []
    private var byInstrument: [String: InstrumentTotals] = [:]
    /// Σ limit × remaining over the open orders (a market order counts zero).
    private(set) var openNotional = Fixed.zero

    /// Number of orders held (open or not).
    var count: Int { byId.count }

    /// The order with `id`; assigning updates the open totals if it is open.
    subscript(id: String) -> Order? {
        get { byId[id] }
        set {
            if openIds.contains(id) {
                if let old = byId[id] { add(old, sign: -1) }
                if let newValue { add(newValue, sign: 1) }
            }
            byId[id] = newValue
        }
    }

    /// Marks `id` open (its order, if held, joins the totals).
    mutating func markOpen(_ id: String) {
        guard openIds.insert(id).inserted, let o = byId[id] else { return }
        add(o, sign: 1)
    }

    /// Marks `id` no longer open (its order leaves the totals).
    mutating func markClosed(_ id: String) {
        guard openIds.remove(id) != nil, let o = byId[id] else { return }
        add(o, sign: -1)
    }

    /// Open-order totals on `instrument`.
    func totals(on instrument: String) -> InstrumentTotals { byInstrument[instrument] ?? InstrumentTotals() }

    /// The order with `id` if it is open (counted in the totals), to leave it out of a check.
    func openOrder(_ id: String) -> Order? { openIds.contains(id) ? byId[id] : nil }

    /// Whether the running totals equal a recount (the invariant; debug builds check it each step).
    var totalsMatchRecount: Bool {
        let r = recomputed()
        return runningTotals == r.byInstrument && openNotional == r.notional
    }

    /// The totals summed from scratch over the open orders (the invariant's other side, for tests).
    func recomputed() -> (byInstrument: [String: InstrumentTotals], notional: Fixed) {
        var t: [String: InstrumentTotals] = [:], n = Fixed.zero
        for id in openIds {
            guard let o = byId[id] else { continue }
            t[o.instrument, default: InstrumentTotals()].count += 1
            if o.side == .buy { t[o.instrument, default: InstrumentTotals()].buy += o.remainingQuantity } else { t[o.instrument, default: InstrumentTotals()].sell += o.remainingQuantity }
            n += OrderTable.notional(o)
        }
        return (t, n)
    }

    /// The running totals per instrument (empty entries dropped), to compare with `recomputed()`.
    var runningTotals: [String: InstrumentTotals] { byInstrument.filter { $0.value != InstrumentTotals() } }

    private static func notional(_ o: Order) -> Fixed { (o.limitPrice ?? .zero).multiplied(by: o.remainingQuantity) }

    private mutating func add(_ o: Order, sign: Int) {
        var t = byInstrument[o.instrument] ?? InstrumentTotals()
        let q = o.remainingQuantity
        if sign > 0 {
            t.count += 1
            if o.side == .buy { t.buy += q } else { t.sell += q }
            openNotional += OrderTable.notional(o)
        } else {
            t.count -= 1
            if o.side == .buy { t.buy -= q } else { t.sell -= q }
            openNotional -= OrderTable.notional(o)
        }
        byInstrument[o.instrument] = t
    }
}
