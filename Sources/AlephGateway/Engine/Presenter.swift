import AlephBook
import AlephCore
import AlephRPC
import AlephVenues

typealias AlephVenuesTrade = AlephVenues.Trade

/// Domain values to protocol JSON. Decimals are strings; times are integer microseconds.
enum Presenter {
    static func decimal(_ v: Fixed, _ decimals: Int = 0) -> JSON { .string(v.format(minDecimals: decimals)) }
    static func optDecimal(_ v: Fixed?, _ decimals: Int = 0) -> JSON { v.map { decimal($0, decimals) } ?? .null }
    static func micros(_ nanos: Int64) -> JSON { .int(nanos / 1000) }

    static func instrument(_ i: Instrument) -> JSON {
        var b = JSONObjectBuilder()
        b.add("id", i.id)
        b.add("venue", i.venue)
        b.add("base", i.base)
        b.add("quote", i.quote)
        b.add("kind", i.kind.rawValue)
        b.add("tick_size", decimal(i.tickSize))
        b.add("lot_size", decimal(i.lotSize))
        b.add("min_notional", decimal(i.minNotional))
        b.add("description", i.description)
        if i.priceSignificantFigures > 0 { b.add("price_significant_figures", .int(i.priceSignificantFigures)) }
        if let o = i.outcome {
            var m = JSONObjectBuilder()
            m.add("question", o.question)
            m.add("outcome", o.outcome)
            m.add("market_slug", o.marketSlug)
            m.add("condition_id", o.conditionId)
            m.add("token_id", o.tokenId)
            m.add("end_date", o.endDate.map(JSON.string) ?? .null)
            m.add("status", o.status)
            m.add("neg_risk", o.negRisk)
            m.add("min_size", decimal(o.minSize))
            b.add("outcome", m.json)
        }
        return b.json
    }

    static func freshness(_ book: OrderBook, now: Int64) -> JSON {
        var b = JSONObjectBuilder()
        b.add("exchange_ts_us", micros(book.exchangeTime))
        b.add("receive_ts_us", micros(book.receiveTime))
        b.add("sequence", book.sequence)
        b.add("verified", book.verified)
        b.add("age_ms", .int(max(0, now - book.receiveTime) / 1_000_000))
        return b.json
    }

    static func levels(_ levels: [BookLevel], _ i: Instrument?) -> JSON {
        let pd = i?.priceDecimals ?? 0, qd = i?.quantityDecimals ?? 0
        return .array(levels.map { .array([decimal($0.price, pd), decimal($0.quantity, qd)]) })
    }

    static func book(_ book: OrderBook, depth: Int, instrument i: Instrument?, now: Int64) -> JSON {
        let top = book.top(depth)
        let pd = i?.priceDecimals ?? 0
        var b = JSONObjectBuilder()
        b.add("instrument", book.instrument)
        b.add("bids", levels(top.bids, i))
        b.add("asks", levels(top.asks, i))
        b.add("mid", optDecimal(book.mid, pd))
        b.add("spread", optDecimal(book.spread, pd))
        b.add("freshness", freshness(book, now: now))
        return b.json
    }

    static func order(_ o: Order, instrument i: Instrument?) -> JSON {
        let pd = i?.priceDecimals ?? 0, qd = i?.quantityDecimals ?? 0
        var b = JSONObjectBuilder()
        b.add("order_id", o.id)
        b.add("intent_id", o.intentId)
        b.add("instrument", o.instrument)
        b.add("venue", o.venue)
        b.add("venue_order_id", o.venueOrderId.map(JSON.string) ?? .null)
        b.add("client_order_id", o.clientOrderId.map(JSON.string) ?? .null)
        b.add("mode", o.live ? "live" : "paper")
        b.add("side", o.side.rawValue)
        b.add("type", o.type.rawValue)
        b.add("time_in_force", o.timeInForce.rawValue)
        b.add("limit_price", optDecimal(o.limitPrice, pd))
        b.add("quantity", decimal(o.quantity, qd))
        b.add("filled_quantity", decimal(o.filledQuantity, qd))
        b.add("remaining_quantity", decimal(o.status.isTerminal ? .zero : o.remainingQuantity, qd))
        b.add("average_price", optDecimal(o.averagePrice, pd))
        b.add("fees", decimal(o.fees))
        b.add("status", o.status.rawValue)
        b.add("post_only", o.postOnly)
        b.add("reduce_only", o.reduceOnly)
        b.add("rationale", o.rationale.map(JSON.string) ?? .null)
        b.add("reason", o.reason.map(JSON.string) ?? .null)
        if let c = o.cancelRequested { b.add("cancel_requested", c) }
        b.add("created_ts_us", micros(o.createdAt))
        b.add("updated_ts_us", micros(o.updatedAt))
        return b.json
    }

    static func fill(_ f: Fill, instrument i: Instrument?) -> JSON {
        let pd = i?.priceDecimals ?? 0, qd = i?.quantityDecimals ?? 0
        var b = JSONObjectBuilder()
        b.add("fill_id", f.id)
        b.add("order_id", f.orderId)
        b.add("intent_id", f.intentId)
        b.add("instrument", f.instrument)
        b.add("side", f.side.rawValue)
        b.add("price", decimal(f.price, pd))
        b.add("quantity", decimal(f.quantity, qd))
        b.add("fee", decimal(f.fee))
        b.add("liquidity", f.liquidity.rawValue)
        b.add("venue_trade_id", f.venueTradeId)
        b.add("ts_us", micros(f.timestamp))
        if f.venueTradeId.hasSuffix(Engine.reversedSuffix) { b.add("reversal", true) }
        return b.json
    }

    static func venueBalance(asset: String, free: Fixed, locked: Fixed) -> JSON {
        .object([JSONMember("asset", .string(asset)), JSONMember("free", decimal(free)), JSONMember("locked", decimal(locked)),
                 JSONMember("total", decimal(free + locked))])
    }

    static func position(_ p: Position, mark: Fixed?, instrument i: Instrument?, mode: String? = nil, venue v: VenuePosition? = nil) -> JSON {
        let pd = i?.priceDecimals ?? 0, qd = i?.quantityDecimals ?? 0
        var b = JSONObjectBuilder()
        b.add("instrument", p.instrument)
        b.add("quantity", decimal(p.quantity, qd))
        b.add("average_entry", decimal(p.averageEntry, pd))
        b.add("mark", optDecimal(mark, pd))
        b.add("unrealized_pnl", decimal(mark.map { p.unrealizedPnL(mark: $0) } ?? .zero))
        b.add("realized_pnl", decimal(p.realizedPnL))
        b.add("fees", decimal(p.fees))
        b.add("notional", decimal((mark ?? p.averageEntry).multiplied(by: p.quantity)))
        if let i { b.add("venue", i.venue) }
        if let mode { b.add("mode", mode) }
        if !p.funding.isZero || (i?.kind == .perp && mode == "live") { b.add("funding", decimal(p.funding)) }
        if let x = v?.liquidationPrice { b.add("liquidation_price", decimal(x, pd)) }
        if let x = v?.marginUsed { b.add("margin_used", decimal(x)) }
        if let x = v?.leverage { b.add("leverage", decimal(x)) }
        return b.json
    }

    static func trade(_ t: AlephVenuesTrade, instrument i: Instrument?) -> JSON {
        let pd = i?.priceDecimals ?? 0, qd = i?.quantityDecimals ?? 0
        var b = JSONObjectBuilder()
        b.add("instrument", t.instrument)
        b.add("trade_id", t.tradeId)
        b.add("price", decimal(t.price, pd))
        b.add("quantity", decimal(t.quantity, qd))
        b.add("aggressor", t.aggressor.rawValue)
        var f = JSONObjectBuilder()
        f.add("exchange_ts_us", micros(t.exchangeTime))
        f.add("receive_ts_us", micros(t.receiveTime))
        f.add("sequence", t.sequence)
        b.add("freshness", f.json)
        return b.json
    }
}
