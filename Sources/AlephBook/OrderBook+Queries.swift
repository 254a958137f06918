import AlephCore

extension OrderBook {
    /// Best bid level.
    public var bestBid: BookLevel? { bidStore.last }
    /// Best ask level.
    public var bestAsk: BookLevel? { askStore.last }

    /// Mid price, rounded to the nearest 1e-8; nil unless both sides exist.
    public var mid: Fixed? {
        guard let b = bidStore.last, let a = askStore.last else { return nil }
        return Fixed(raw: (b.price.raw + a.price.raw) / 2)
    }

    /// Best ask minus best bid.
    public var spread: Fixed? {
        guard let b = bidStore.last, let a = askStore.last else { return nil }
        return a.price - b.price
    }

    /// Size-weighted mid: (bid × askQty + ask × bidQty) / (bidQty + askQty).
    public var microprice: Fixed? {
        guard let b = bidStore.last, let a = askStore.last else { return nil }
        let num = b.price.multiplied(by: a.quantity) + a.price.multiplied(by: b.quantity)
        return num.divided(by: a.quantity + b.quantity)
    }

    /// The quantity resting at exactly `price` on the bid (`.buy`) or ask (`.sell`) side; zero
    /// when no level is there. Scans from the touch: resting orders sit near it.
    public func quantity(at price: Fixed, side: Side) -> Fixed {
        if side == .buy {
            for l in bidStore.reversed() { if l.price == price { return l.quantity } else if l.price < price { break } }
        } else {
            for l in askStore.reversed() { if l.price == price { return l.quantity } else if l.price > price { break } }
        }
        return .zero
    }

    /// Up to `n` best levels of each side.
    public func top(_ n: Int) -> (bids: [BookLevel], asks: [BookLevel]) {
        (Array(bids.prefix(max(0, n))), Array(asks.prefix(max(0, n))))
    }

    /// Levels a taker on `side` would consume: asks for a buy, bids for a sell.
    public func liquidity(for side: Side) -> ReversedCollection<[BookLevel]> { side == .buy ? asks : bids }

    /// Walks the opposite side for `quantity`, optionally not beyond `limit`.
    ///
    /// A buy consumes asks from the lowest; a sell consumes bids from the highest. The estimate
    /// may be smaller than requested when depth (or the limit) runs out.
    public func walk(side: Side, quantity: Fixed, limit: Fixed? = nil) -> FillEstimate {
        var remaining = quantity
        var est = FillEstimate.empty
        for level in liquidity(for: side) {
            if remaining.raw <= 0 { break }
            if let limit {
                if side == .buy && level.price > limit { break }
                if side == .sell && level.price < limit { break }
            }
            let take = min(remaining, level.quantity)
            est.quantity += take
            est.notional += level.price.multiplied(by: take)
            est.worstPrice = level.price
            est.levels.append(BookLevel(price: level.price, quantity: take))
            remaining -= take
        }
        return est
    }

    /// Walks the opposite side spending up to `notional` quote currency, in whole lots.
    public func walk(side: Side, notional: Fixed, lotSize: Fixed, limit: Fixed? = nil) -> FillEstimate {
        var budget = notional
        var est = FillEstimate.empty
        for level in liquidity(for: side) {
            if budget.raw <= 0 { break }
            if let limit {
                if side == .buy && level.price > limit { break }
                if side == .sell && level.price < limit { break }
            }
            let affordable = (budget.divided(by: level.price, rounding: .down) ?? .zero).floored(to: lotSize)
            let take = min(affordable, level.quantity)
            if take.raw <= 0 { break }
            let cost = level.price.multiplied(by: take)
            est.quantity += take
            est.notional += cost
            est.worstPrice = level.price
            est.levels.append(BookLevel(price: level.price, quantity: take))
            budget -= cost
            if take < level.quantity { break }
        }
        return est
    }

    /// Total quantity on `side` within `bps` basis points of the mid.
    public func depth(side: Side, withinBps bps: Int64) -> Fixed {
        guard let mid else { return .zero }
        let band = mid.bps(bps)
        var total = Fixed.zero
        if side == .buy {
            for l in bids where l.price >= mid - band { total += l.quantity }
        } else {
            for l in asks where l.price <= mid + band { total += l.quantity }
        }
        return total
    }
}

extension OrderBook {
    /// Like `walk(side:quantity:limit:)` but without recording levels or per-level rounding: no
    /// allocation and a single division (risk hot path).
    @inlinable
    public func walkSummary(side: Side, quantity: Fixed, limit: Fixed? = nil) -> (quantity: Fixed, notional: Fixed, worst: Fixed?) {
        var remaining = quantity.raw
        var filled: Int64 = 0
        var sum: Int128 = 0
        var worst: Fixed? = nil
        let levels = side == .buy ? asks : bids
        for level in levels {
            if remaining <= 0 { break }
            if let limit {
                if side == .buy && level.price > limit { break }
                if side == .sell && level.price < limit { break }
            }
            let take = Swift.min(remaining, level.quantity.raw)
            filled += take
            sum += Int128(level.price.raw) * Int128(take)
            worst = level.price
            remaining -= take
        }
        return (Fixed(raw: filled), Fixed.fromProductSum(sum), worst)
    }
}
