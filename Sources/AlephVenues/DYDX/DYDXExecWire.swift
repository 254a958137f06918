import AlephCore
import AlephRPC
import AlephVenueKit

/// What a node's `BROADCAST_MODE_SYNC` answered.
public enum DYDXBroadcastAnswer: Sendable, Equatable {
    /// `code 0`: CheckTx admitted the transaction (not yet placed: the Indexer says what became of it).
    case accepted(txHash: String)
    /// Refused by CheckTx: nothing happened on chain.
    case refused(codespace: String, code: Int, log: String)
}

/// dYdX's wire objects for execution (pure): the broadcast answer and its codes, the Indexer's
/// order, fill and subaccount objects. All Indexer amounts are decimal strings in human units.
public enum DYDXExecWire {
    /// A decimal string in fixed point.
    static func dec(_ v: JSON?) -> Fixed? {
        guard let t = v?.stringValue ?? v?.numberText else { return nil }
        return try? Fixed(parsing: t)
    }

    /// An integer field given as a number or a decimal string.
    static func int(_ v: JSON?) -> Int64? { v?.int64Value ?? v?.stringValue.flatMap { Int64($0) } }

    /// `{"tx_response":{"code","codespace","raw_log","txhash"}}`, nil when unreadable.
    public static func broadcast(_ body: [UInt8]) -> DYDXBroadcastAnswer? {
        guard let j = try? JSONParser.parse(body), let r = j["tx_response"], case .object = r else { return nil }
        let code = int(r["code"]) ?? 0
        if code == 0 {
            guard let h = r["txhash"]?.stringValue, !h.isEmpty else { return nil }
            return .accepted(txHash: h)
        }
        return .refused(codespace: r["codespace"]?.stringValue ?? "", code: Int(code), log: r["raw_log"]?.stringValue ?? "")
    }

    /// The account sequence a `code 32` log names (`…expected 8, got 7…`).
    public static func expectedSequence(_ log: String) -> UInt64? {
        guard let r = log.range(of: "expected ") else { return nil }
        return UInt64(log[r.upperBound...].prefix { $0.isNumber })
    }

    /// True for refusals that mean this very order already reached the chain (its outcome is
    /// then found by lookup, never by sending again): the same tx in the mempool cache, the same
    /// order already processed, a long-term order that already exists.
    public static func alreadyThere(codespace: String, code: Int) -> Bool {
        (codespace == "sdk" && code == 19) || (codespace == "clob" && (code == 30 || code == 3005))
    }

    /// A refusal in the gateway's stable codes.
    public static func rejection(codespace: String, code: Int, log: String) -> VenueRejection {
        let venueCode = "\(codespace.isEmpty ? "sdk" : codespace):\(code)"
        let text = "dYdX refused the transaction (\(venueCode)): \(log.prefix(300))"
        func r(_ c: VenueRejectionCode, retryable: Bool = false, after: Int? = nil) -> VenueRejection {
            VenueRejection(code: c, venueCode: venueCode, message: text, retryable: retryable, retryAfterMs: after)
        }
        switch (codespace, code) {
        case ("sdk", 4), ("sdk", 8): return r(.venueAuth)
        case ("sdk", 5): return r(.insufficientBalance)
        case ("sdk", 20): return r(.venueUnavailable, retryable: true)
        case ("sdk", 32): return r(.venueRejected, retryable: true)
        case ("clob", 2003): return r(.postOnlyWouldCross)
        case ("clob", 3007): return r(.insufficientBalance)
        case ("clob", 5001): return r(.venueRateLimited, retryable: true, after: 1_000)
        case ("clob", 10): return r(.venueRejected, retryable: true)
        default: return r(.venueRejected)
        }
    }

    /// Unix ns of an RFC 3339 UTC time (`2024-05-01T12:00:00.123Z`), nil when unreadable.
    public static func time(_ text: String?) -> Int64? {
        guard let t = text, t.utf8.count >= 20 else { return nil }
        let b = Array(t.utf8)
        func num(_ from: Int, _ n: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + n) {
                guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[i] - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2), (1...12).contains(mo) else { return nil }
        var frac: Int64 = 0, scale: Int64 = 1_000_000_000, i = 19
        if i < b.count, b[i] == 0x2E {
            i += 1
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if scale > 1 { scale /= 10; frac += Int64(b[i] - 0x30) * scale }
                i += 1
            }
        }
        // Days from the civil date (proleptic Gregorian).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (mo + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days * 86_400 + h * 3_600 + mi * 60 + s) * 1_000_000_000) + frac
    }

    /// An Indexer order as the chain identifies it.
    public struct IndexerOrder: Sendable, Equatable {
        /// The Indexer's UUID.
        public var uuid: String
        /// Our client order id (or `dydx:…` for another client's order).
        public var clientOrderId: String
        /// `order_flags`.
        public var orderFlags: UInt32
        /// The market ticker.
        public var ticker: String
        /// Side.
        public var side: Side
        /// Limit price.
        public var price: Fixed?
        /// Original size.
        public var size: Fixed
        /// Filled so far.
        public var filled: Fixed
        /// Indexer status word.
        public var status: String
        /// `GTT`, `IOC`, `FOK`, `POST_ONLY`…
        public var timeInForce: String
        /// Short-term expiry height.
        public var goodTilBlock: Int64?
        /// Stateful expiry (unix ns).
        public var goodTilBlockTime: Int64?
        /// Why it left the book, when the Indexer says.
        public var removalReason: String?
        /// Last change (unix ns), 0 when unknown.
        public var updatedAt: Int64
    }

    /// Reads an Indexer order object.
    public static func order(_ o: JSON) -> IndexerOrder? {
        guard let uuid = o["id"]?.stringValue, let cid = int(o["clientId"]), cid >= 0, cid <= Int64(UInt32.max) else { return nil }
        let meta = UInt32(truncatingIfNeeded: int(o["clientMetadata"]) ?? 0)
        let flags = UInt32(truncatingIfNeeded: int(o["orderFlags"]) ?? 0)
        let clob = UInt32(truncatingIfNeeded: int(o["clobPairId"]) ?? 0)
        let sideWord = o["side"]?.stringValue ?? ""
        guard sideWord == "BUY" || sideWord == "SELL", let size = dec(o["size"]) else { return nil }
        let gtbt = o["goodTilBlockTime"]?.stringValue.flatMap { time($0) }
        return IndexerOrder(uuid: uuid, clientOrderId: DYDXClientIds.clientOrderId(clientId: UInt32(cid), metadata: meta, orderFlags: flags, clobPairId: clob),
                            orderFlags: flags, ticker: o["ticker"]?.stringValue ?? "", side: sideWord == "BUY" ? .buy : .sell, price: dec(o["price"]), size: size,
                            filled: dec(o["totalFilled"]) ?? .zero, status: o["status"]?.stringValue ?? "", timeInForce: o["timeInForce"]?.stringValue ?? "GTT",
                            goodTilBlock: int(o["goodTilBlock"]), goodTilBlockTime: gtbt, removalReason: o["removalReason"]?.stringValue,
                            updatedAt: time(o["updatedAt"]?.stringValue) ?? 0)
    }

    /// The gateway's state of an Indexer order. `height` and `nowNs` tell an expiry from a
    /// cancel: a cancelled word for an order past its `good_til_block` (or time) that we did not
    /// ask to cancel is `expired`; an IOC's unfilled remainder is `cancelled` (`expired` when it
    /// filled nothing).
    public static func state(_ o: IndexerOrder, height: Int64, nowNs: Int64, cancelRequested: Bool) -> VenueOrderState {
        var status: OrderStatus?
        var reason: String?
        switch o.status {
        case "OPEN", "BEST_EFFORT_OPENED", "UNTRIGGERED":
            status = o.filled.isPositive ? .partiallyFilled : .open
        case "FILLED":
            status = .filled
        case "CANCELED", "BEST_EFFORT_CANCELED":
            if o.filled >= o.size && o.size.isPositive {
                status = .filled
            } else if o.timeInForce == "IOC" {
                status = o.filled.isPositive ? .cancelled : .expired
                reason = "immediate-or-cancel: " + (o.filled.isPositive ? "remainder cancelled" : "nothing matched")
            } else {
                let pastBlock = o.goodTilBlock.map { height > $0 } ?? false
                let pastTime = o.goodTilBlockTime.map { nowNs >= $0 } ?? false
                let expiredWord = o.removalReason?.uppercased().contains("EXPIRED") ?? false
                if o.status == "BEST_EFFORT_CANCELED" && cancelRequested && o.goodTilBlock != nil && !pastBlock {
                    // Our short-term cancel left the Indexer's node's book; another validator's
                    // may still match the order until its good-til-block passes: not final yet.
                    status = nil
                } else if expiredWord || (!cancelRequested && (pastBlock || pastTime)) {
                    status = .expired
                    reason = o.goodTilBlock.map { "good-til-block \($0) passed" } ?? "good-til-block-time passed"
                } else {
                    status = .cancelled
                    reason = o.removalReason
                }
            }
        case "ERROR":
            status = .rejected
            reason = o.removalReason ?? "the Indexer reports the order in error"
        default:
            status = nil
        }
        return VenueOrderState(clientOrderId: o.clientOrderId, venueOrderId: o.uuid, status: status, filledQuantity: o.filled, reason: reason,
                               timestamp: o.updatedAt, limitPrice: o.price, quantity: o.size)
    }

    /// An Indexer fill: its order's UUID, market and the fill (fee in USDC, the quote).
    public static func fill(_ f: JSON) -> (orderUUID: String, ticker: String, fill: VenueFill)? {
        guard let id = f["id"]?.stringValue, let oid = f["orderId"]?.stringValue, let price = dec(f["price"]), let size = dec(f["size"]),
              price.isPositive, size.isPositive else { return nil }
        let fee = dec(f["fee"]) ?? .zero
        let at = time(f["createdAt"]?.stringValue) ?? 0
        return (oid, f["market"]?.stringValue ?? f["ticker"]?.stringValue ?? "",
                VenueFill(venueTradeId: "dydx:\(id)", price: price, quantity: size, fee: fee, liquidity: f["liquidity"]?.stringValue == "MAKER" ? .maker : .taker,
                          timestamp: at, feeAsset: "USDC", venueFee: fee))
    }

    /// A subaccount (`GET /addresses/{a}/subaccountNumber/{n}` or a `v4_subaccounts` snapshot):
    /// USDC free = free collateral, locked = equity − free collateral; open perpetual positions.
    public static func account(_ sub: JSON, instrument: (String) -> Instrument?) -> VenueAccountSnapshot? {
        guard let equity = dec(sub["equity"]), let free = dec(sub["freeCollateral"]) else { return nil }
        let freeC = max(.zero, min(free, equity))
        let locked = equity > freeC ? equity - freeC : .zero
        var positions: [VenuePosition] = []
        if case .object(let members)? = sub["openPerpetualPositions"] {
            for m in members {
                let p = m.value
                guard let inst = instrument(p["market"]?.stringValue ?? m.key), var size = dec(p["size"]) else { continue }
                if p["side"]?.stringValue == "SHORT" && size.isPositive { size = .zero - size }
                positions.append(VenuePosition(instrument: inst.id, quantity: size, entryPrice: dec(p["entryPrice"]), unrealizedPnL: dec(p["unrealizedPnl"])))
            }
        }
        return VenueAccountSnapshot(balances: [VenueBalance(asset: "USDC", free: freeC, locked: locked)], positions: positions,
                                    margin: VenueMargin(accountValue: equity, marginUsed: locked, withdrawable: freeC))
    }
}
