import AlephCore
import AlephRPC
import AlephVenueKit

/// One entry of an `/exchange` answer's `statuses[]`, positionally matching the orders sent.
public enum HyperliquidStatus: Sendable, Equatable {
    /// Resting on the book.
    case resting(oid: Int64)
    /// Filled at once (`totalSz` at `avgPx`).
    case filled(oid: Int64, totalSize: Fixed, averagePrice: Fixed)
    /// This order was refused (the others of the action are unaffected).
    case error(String)
    /// `success` (cancels) or a bare string (`waitingForFill`…).
    case text(String)
}

/// Parses Hyperliquid's execution answers, pure: `/exchange` envelopes and statuses, order
/// statuses, fills, open orders, the clearinghouse states, user-channel pushes; maps errors to
/// stable rejection codes.
public enum HyperliquidExecWire {
    /// An `/exchange` answer: `ok` with its statuses, `ok` without (`default`), or `err` with the text.
    public enum Answer: Sendable, Equatable {
        /// Accepted; one status per order or cancel (empty for actions without).
        case ok([HyperliquidStatus])
        /// The whole action was refused.
        case err(String)
    }

    /// Decodes an answer body; nil when it is not one.
    public static func answer(_ body: [UInt8]) -> Answer? {
        guard let j = try? JSONParser.parse(body), let status = j["status"]?.stringValue else { return nil }
        if status == "err" { return .err(j["response"]?.stringValue ?? JSONWriter.string(j["response"] ?? .null)) }
        guard status == "ok" else { return nil }
        let list = j["response"]?["data"]?["statuses"]?.arrayValue ?? []
        return .ok(list.map(statusEntry))
    }

    static func statusEntry(_ s: JSON) -> HyperliquidStatus {
        if let t = s.stringValue { return .text(t) }
        if let r = s["resting"], let oid = r["oid"]?.int64Value { return .resting(oid: oid) }
        if let f = s["filled"], let oid = f["oid"]?.int64Value, let sz = dec(f["totalSz"]), let px = dec(f["avgPx"]) {
            return .filled(oid: oid, totalSize: sz, averagePrice: px)
        }
        if let e = s["error"]?.stringValue { return .error(e) }
        return .error("unreadable status \(JSONWriter.string(s))")
    }

    /// An order's status word as ours (unknown words: nil, the order is asked again later).
    public static func status(_ word: String) -> OrderStatus? {
        switch word {
        case "open", "triggered": return .open
        case "filled": return .filled
        case "iocCancelRejected": return .expired
        case "canceled", "scheduledCancel": return .cancelled
        default:
            if word.hasSuffix("Canceled") { return .cancelled }
            if word.hasSuffix("Rejected") || word == "rejected" { return .rejected }
            return nil
        }
    }

    /// An order object (`{coin, side, limitPx, sz, oid, timestamp, origSz, cloid?}`) with its status word.
    public static func orderState(_ o: JSON, status word: String?, at: Int64) -> VenueOrderState? {
        guard let oid = o["oid"]?.int64Value else { return nil }
        let remaining = dec(o["sz"]), original = dec(o["origSz"])
        var st = word.flatMap(status)
        let filled = original.flatMap { orig in remaining.map { orig - $0 } }
        if st == .open, let f = filled, f.isPositive { st = .partiallyFilled }
        return VenueOrderState(clientOrderId: o["cloid"]?.stringValue?.lowercased() ?? "", venueOrderId: String(oid), status: st,
                               filledQuantity: filled, reason: st?.isTerminal == true ? word : nil, timestamp: at,
                               limitPrice: dec(o["limitPx"]))
    }

    /// `orderStatus` answer: the order and its status, or nil for `unknownOid`.
    public static func orderStatus(_ j: JSON) -> (state: VenueOrderState, coin: String)?? {
        guard let status = j["status"]?.stringValue else { return .some(nil) }
        if status == "unknownOid" { return .none }
        guard status == "order", let wrap = j["order"], let o = wrap["order"], let coin = o["coin"]?.stringValue,
              let s = orderState(o, status: wrap["status"]?.stringValue, at: (wrap["statusTimestamp"]?.int64Value ?? 0) * 1_000_000) else { return .some(nil) }
        return .some((s, coin))
    }

    /// A fill object (`userFills`, `userFillsByTime`) as a report; the fee is converted into the
    /// quote when the venue charged it in the base (spot buys).
    public static func fill(_ f: JSON, instrument: Instrument) -> VenueFillReport? {
        guard let tid = f["tid"]?.int64Value, let px = dec(f["px"]), let sz = dec(f["sz"]), let oid = f["oid"]?.int64Value else { return nil }
        let fee = dec(f["fee"]) ?? .zero
        let token = f["feeToken"]?.stringValue
        var quoteFee = fee
        if let token, token == instrument.base { quoteFee = fee.multiplied(by: px) }
        let fill = VenueFill(venueTradeId: "hyperliquid:\(tid)", price: px, quantity: sz, fee: quoteFee,
                             liquidity: f["crossed"]?.boolValue == false ? .maker : .taker, timestamp: (f["time"]?.int64Value ?? 0) * 1_000_000,
                             feeAsset: token, venueFee: fee)
        return VenueFillReport(clientOrderId: f["cloid"]?.stringValue?.lowercased(), venueOrderId: String(oid), instrument: instrument.id, fill: fill)
    }

    /// `frontendOpenOrders` entry as an open order.
    public static func openOrder(_ o: JSON, instrument: Instrument?, at: Int64) -> VenueOpenOrder? {
        guard let coin = o["coin"]?.stringValue, var s = orderState(o, status: "open", at: at), let orig = dec(o["origSz"]) ?? dec(o["sz"]) else { return nil }
        s.quantity = orig
        return VenueOpenOrder(state: s, symbol: coin, instrument: instrument?.id, side: o["side"]?.stringValue == "A" ? .sell : .buy,
                              price: dec(o["limitPx"]), quantity: orig, createdAt: (o["timestamp"]?.int64Value ?? 0) * 1_000_000)
    }

    /// A perp position from `clearinghouseState.assetPositions[].position`.
    public static func position(_ p: JSON, instrument: Instrument) -> VenuePosition? {
        guard let szi = dec(p["szi"]) else { return nil }
        return VenuePosition(instrument: instrument.id, quantity: szi, entryPrice: dec(p["entryPx"]), unrealizedPnL: dec(p["unrealizedPnl"]),
                             liquidationPrice: dec(p["liquidationPx"]), marginUsed: dec(p["marginUsed"]), leverage: dec(p["leverage"]?["value"]))
    }

    /// The account: perp collateral (account value less unrealized PnL) as USDC, free up to what is
    /// withdrawable, plus the spot balances (`total`, `hold` locked); positions; the margin summary.
    public static func account(perp: JSON?, spot: JSON?, instrument: (String) -> Instrument?) -> VenueAccountSnapshot {
        var balances: [String: VenueBalance] = [:]
        var positions: [VenuePosition] = []
        var margin: VenueMargin? = nil
        if let perp {
            var upnl = Fixed.zero
            for ap in perp["assetPositions"]?.arrayValue ?? [] {
                guard let p = ap["position"], let coin = p["coin"]?.stringValue, let inst = instrument(coin), let vp = position(p, instrument: inst) else { continue }
                upnl += vp.unrealizedPnL ?? .zero
                positions.append(vp)
            }
            let summary = perp["marginSummary"]
            if let value = dec(summary?["accountValue"]) {
                let withdrawable = dec(perp["withdrawable"]) ?? .zero
                let used = dec(summary?["totalMarginUsed"]) ?? .zero
                margin = VenueMargin(accountValue: value, marginUsed: used, withdrawable: withdrawable)
                let collateral = value - upnl
                let free = min(max(withdrawable, .zero), collateral)
                balances["USDC"] = VenueBalance(asset: "USDC", free: free, locked: collateral - free)
            }
        }
        for b in spot?["balances"]?.arrayValue ?? [] {
            guard let coin = b["coin"]?.stringValue, let total = dec(b["total"]) else { continue }
            let hold = dec(b["hold"]) ?? .zero
            var v = balances[coin] ?? VenueBalance(asset: coin, free: .zero, locked: .zero)
            v.free += total - hold
            v.locked += hold
            balances[coin] = v
        }
        return VenueAccountSnapshot(balances: balances.values.sorted { $0.asset < $1.asset }, positions: positions, margin: margin)
    }

    /// A funding payment (`userFundings` entry, or `userFunding` info `delta`).
    public static func funding(_ f: JSON, instrument: (String) -> Instrument?) -> VenueFunding? {
        let d = f["delta"] ?? f
        guard let coin = d["coin"]?.stringValue, let inst = instrument(coin), let usdc = dec(d["usdc"]) else { return nil }
        let time = f["time"]?.int64Value ?? d["time"]?.int64Value ?? 0
        return VenueFunding(instrument: inst.id, amount: usdc, rate: dec(d["fundingRate"]), positionSize: dec(d["szi"]), timestamp: time * 1_000_000,
                            id: "hyperliquid:\(coin):\(time)")
    }

    /// A refused order or action as a stable rejection (the venue's words kept).
    public static func rejection(_ text: String) -> VenueRejection {
        let t = text.lowercased()
        func r(_ code: VenueRejectionCode, _ venueCode: String, retryable: Bool = false, after: Int? = nil) -> VenueRejection {
            VenueRejection(code: code, venueCode: venueCode, message: text, retryable: retryable, retryAfterMs: after)
        }
        if t.contains("insufficient margin") { return r(.insufficientBalance, "perpMarginRejected") }
        if t.contains("insufficient spot balance") { return r(.insufficientBalance, "insufficientSpotBalanceRejected") }
        if t.contains("post only order would have immediately matched") { return r(.postOnlyWouldCross, "badAloPxRejected") }
        if t.contains("divisible by tick size") { return r(.venueRejected, "tickRejected") }
        if t.contains("minimum value") { return r(.venueRejected, "minTradeNtlRejected") }
        if t.contains("reduce only order would increase position") { return r(.venueRejected, "reduceOnlyRejected") }
        if t.contains("could not immediately match") { return r(.venueRejected, "iocCancelRejected") }
        if t.contains("no liquidity available for market order") { return r(.venueRejected, "marketOrderNoLiquidityRejected", retryable: true) }
        if t.contains("open interest") { return r(.venueRejected, "openInterestCapRejected", retryable: true) }
        if t.contains("too far from oracle") { return r(.venueRejected, "oracleRejected", retryable: true) }
        if t.contains("margin tier limit") { return r(.venueRejected, "perpMaxPositionRejected") }
        if t.contains("too many cumulative requests") || t.contains("rate limit") { return r(.venueRateLimited, "addressRateLimited", retryable: true, after: 10_000) }
        if t.contains("does not exist") && (t.contains("api wallet") || t.contains("user")) { return r(.venueAuth, "unknownSigner") }
        if t.contains("must deposit") { return r(.venueAuth, "accountNotFunded") }
        if t.contains("invalid nonce") { return r(.venueRejected, "invalidNonce", retryable: true) }
        if t.contains("expired") { return r(.venueUnavailable, "actionExpired", retryable: true) }
        return r(.venueRejected, "rejected")
    }

    /// A decimal string (or number) in fixed point.
    static func dec(_ v: JSON?) -> Fixed? {
        guard let t = v?.stringValue ?? v?.numberText else { return nil }
        return try? Fixed(parsing: t)
    }
}
