import AlephBook
import AlephCore

/// A deterministic simulated exchange: the same seed always produces the same events.
///
/// Each instrument keeps a centre price (in ticks) that random-walks; levels sit 1…depth ticks
/// either side of it with sizes that persist per price and are occasionally redrawn. Trades
/// hit the touch and consume its size. `step` returns a delta (the exact diff of the book) and
/// the trades of that step. Pure: time is passed in.
public struct SimMarket: Sendable {
    private struct State: Sendable {
        var spec: SimInstrumentSpec
        var centerTicks: Int64
        var bidQty: [Int64: Int64] = [:]   // price ticks -> lots
        var askQty: [Int64: Int64] = [:]
        var sequence: Int64 = 0
        var tradeSeq: Int64 = 0
        var published: [Int64: Int64] = [:] // signed: +lots bids, keyed by ticks; asks stored in publishedAsks
        var publishedAsks: [Int64: Int64] = [:]
    }

    private var rng: SeededRandom
    private var states: [State]

    /// The instruments simulated.
    public var instruments: [Instrument] { states.map(\.spec.instrument) }

    /// Creates the market from specs and a seed.
    public init(specs: [SimInstrumentSpec] = SimInstrumentSpec.defaults, seed: UInt64) {
        rng = SeededRandom(seed: seed)
        states = specs.map { spec in
            let tick = spec.instrument.tickSize.raw
            return State(spec: spec, centerTicks: spec.startPrice.raw / max(tick, 1))
        }
    }

    /// Full snapshots of every instrument (sequence 1), used at start.
    public mutating func start(now: Int64) -> [MarketEvent] {
        var events: [MarketEvent] = []
        for k in states.indices {
            var s = states[k]
            regenerate(&s, redrawFraction: 1_000)
            s.sequence = 1
            let (bids, asks) = levels(s)
            let tick = s.spec.instrument.tickSize.raw
            s.published = Dictionary(uniqueKeysWithValues: bids.map { ($0.price.raw / tick, $0.quantity.raw) })
            s.publishedAsks = Dictionary(uniqueKeysWithValues: asks.map { ($0.price.raw / tick, $0.quantity.raw) })
            events.append(.snapshot(BookUpdate(instrument: s.spec.instrument.id, bids: bids, asks: asks,
                                               sequence: 1, exchangeTime: now, receiveTime: now)))
            states[k] = s
        }
        return events
    }

    /// Advances every instrument by one step: maybe trades, a moved centre, redrawn sizes.
    public mutating func step(now: Int64) -> [MarketEvent] {
        var events: [MarketEvent] = []
        for k in states.indices {
            var s = states[k]
            defer { states[k] = s }
            var trades: [Trade] = []
            // Trades at the touch (0-2 per step).
            let tradeCount = Int(rng.next() % 3)
            for _ in 0..<tradeCount {
                if let t = makeTrade(&s, now: now) { trades.append(t) }
            }
            // Random walk of the centre.
            let maxStep = s.spec.maxStepTicks
            if rng.next() % 10 < 4 {
                let move = Int64(rng.next() % UInt64(2 * maxStep + 1)) - maxStep
                s.centerTicks += move
                clampCenter(&s)
            }
            regenerate(&s, redrawFraction: 150)
            let delta = diff(&s)
            for t in trades { events.append(.trade(t)) }
            if !delta.bids.isEmpty || !delta.asks.isEmpty {
                s.sequence += 1
                events.append(.delta(BookUpdate(instrument: s.spec.instrument.id, bids: delta.bids, asks: delta.asks,
                                                sequence: s.sequence, exchangeTime: now, receiveTime: now)))
            }
        }
        return events
    }

    private func clampCenter(_ s: inout State) {
        if s.spec.instrument.kind == .outcome {
            let one = Fixed.scale / s.spec.instrument.tickSize.raw
            let margin = Int64(s.spec.depth + 1)
            s.centerTicks = min(max(s.centerTicks, margin), one - margin)
        } else {
            s.centerTicks = max(s.centerTicks, Int64(s.spec.depth + 2))
        }
    }

    private mutating func randomLots(_ spec: SimInstrumentSpec) -> Int64 {
        let span = UInt64(max(1, spec.maxLevelLots - spec.minLevelLots + 1))
        // Skew towards small sizes: min of two draws.
        let a = Int64(rng.next() % span), b = Int64(rng.next() % span)
        return spec.minLevelLots + min(a, b)
    }

    /// Ensures every level in range has a size; drops sizes out of range; redraws ~1/redrawFraction‰.
    private mutating func regenerate(_ s: inout State, redrawFraction: UInt64) {
        let depth = Int64(s.spec.depth)
        let c = s.centerTicks
        s.bidQty = s.bidQty.filter { $0.key < c && $0.key >= c - depth }
        s.askQty = s.askQty.filter { $0.key > c && $0.key <= c + depth }
        for d in 1...depth {
            let bp = c - d, ap = c + d
            if s.bidQty[bp] == nil || rng.next() % 1000 < redrawFraction { s.bidQty[bp] = randomLots(s.spec) }
            if s.askQty[ap] == nil || rng.next() % 1000 < redrawFraction { s.askQty[ap] = randomLots(s.spec) }
        }
    }

    private mutating func makeTrade(_ s: inout State, now: Int64) -> Trade? {
        let aggressor: Side = rng.next() % 2 == 0 ? .buy : .sell
        let touch = aggressor == .buy ? s.askQty.keys.min() : s.bidQty.keys.max()
        guard let price = touch, let avail = aggressor == .buy ? s.askQty[price] : s.bidQty[price], avail > 0 else { return nil }
        let lots = 1 + Int64(rng.next() % UInt64(avail))
        if aggressor == .buy {
            s.askQty[price] = avail - lots == 0 ? nil : avail - lots
        } else {
            s.bidQty[price] = avail - lots == 0 ? nil : avail - lots
        }
        s.tradeSeq += 1
        let inst = s.spec.instrument
        return Trade(instrument: inst.id, tradeId: "\(inst.base)\(inst.kind == .perp ? "P" : "")-\(s.tradeSeq)",
                     price: Fixed(raw: price * inst.tickSize.raw), quantity: Fixed(raw: lots * inst.lotSize.raw),
                     aggressor: aggressor, sequence: s.tradeSeq, exchangeTime: now, receiveTime: now)
    }

    private func levels(_ s: State) -> ([BookLevel], [BookLevel]) {
        let tick = s.spec.instrument.tickSize.raw, lot = s.spec.instrument.lotSize.raw
        let bids = s.bidQty.sorted { $0.key > $1.key }.map { BookLevel(price: Fixed(raw: $0.key * tick), quantity: Fixed(raw: $0.value * lot)) }
        let asks = s.askQty.sorted { $0.key < $1.key }.map { BookLevel(price: Fixed(raw: $0.key * tick), quantity: Fixed(raw: $0.value * lot)) }
        return (bids, asks)
    }

    /// The exact level changes since the last publication, and records the new state as published.
    private func diffSide(old: [Int64: Int64], new: [Int64: Int64], tick: Int64, lot: Int64) -> [BookLevel] {
        var out: [BookLevel] = []
        for (p, q) in new where old[p] != q * lot {
            out.append(BookLevel(price: Fixed(raw: p * tick), quantity: Fixed(raw: q * lot)))
        }
        for (p, _) in old where new[p] == nil {
            out.append(BookLevel(price: Fixed(raw: p * tick), quantity: .zero))
        }
        return out.sorted { $0.price < $1.price }
    }

    private func diff(_ s: inout State) -> (bids: [BookLevel], asks: [BookLevel]) {
        let tick = s.spec.instrument.tickSize.raw, lot = s.spec.instrument.lotSize.raw
        // Deletions first in each side so a level never appears on both sides at once.
        let bids = diffSide(old: s.published, new: s.bidQty, tick: tick, lot: lot)
        let asks = diffSide(old: s.publishedAsks, new: s.askQty, tick: tick, lot: lot)
        s.published = s.bidQty.mapValues { $0 * lot }
        s.publishedAsks = s.askQty.mapValues { $0 * lot }
        return (bids, asks)
    }
}
