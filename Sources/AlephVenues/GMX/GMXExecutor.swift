import AlephBook
import AlephCore
import AlephCrypto
import AlephRPC
import AlephVenueKit
import BigInt
import Logging
import Synchronization

/// GMX v2 behind the executor interface. An order is a transaction from the `[venues.evm]`
/// account: `multicall(sendWnt(fee), [sendTokens(collateral)], createOrder(params))` through the
/// transaction service (simulated first, journaled before it is sent). The order stays
/// `pending_submit` until that transaction is mined, is `open` (venue order id = GMX's order key)
/// once its `OrderCreated` is seen, and `filled` or `cancelled` when the keeper's `OrderExecuted`
/// (with its `PositionIncrease`/`PositionDecrease`) or `OrderCancelled` appears in the
/// EventEmitter's logs.
public final class GMXExecutor: VenueExecutor {
    /// `gmx`.
    public let venue = "gmx"
    /// Live.
    public let mode = ExecutionMode.live
    /// Remote: journaled before sent; a create transaction not seen is looked up, never re-signed.
    /// The wallet is read again soon after an order ends (no stream carries it).
    public let traits = ExecutorTraits(remote: true, notFoundFinalAfterMs: 600_000, maxClientOrderIdLength: 64, streamsAccount: false)

    struct Tracked: Sendable {
        var instrument: String
        var side: Side
        var key: [UInt8]?
        var status: OrderStatus?
    }

    struct State: Sendable {
        var tracked: [String: Tracked] = [:]
        var byKey: [[UInt8]: String] = [:]
        var lastBlock: UInt64 = 0
        /// Positions as GMX last reported them (size in USD × 10^30, in index-token units) by market and side.
        var positions: [String: (usd: BigUInt, tokens: BigUInt)] = [:]
        /// ERC-20 symbols read (or the address when a token has none), by token.
        var symbols: [[UInt8]: String] = [:]
    }

    static func positionKey(_ market: [UInt8], _ isLong: Bool) -> String { Hex.encode(market) + (isLong ? "L" : "S") }

    let config: GMXConfig
    let evm: EVMTransactionService
    let rpc: EVMRPC
    let confirmations: Int
    let time: any TimeSource
    let logger: Logger
    private let state = Mutex(State())
    private let markets: [String: GMXConfig.Market]

    /// An executor sending through `evm` (the `[venues.evm]` account), reading logs through `rpc`.
    public init(config: GMXConfig, evm: EVMTransactionService, rpc: EVMRPC, confirmations: Int, time: any TimeSource, logger: Logger) {
        self.config = config
        self.evm = evm
        self.rpc = rpc
        self.confirmations = confirmations
        self.time = time
        self.logger = logger
        markets = Dictionary(config.markets.map { ($0.instrument.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    static func txIntent(_ cid: String) -> String { "gmx-\(cid)" }

    /// USD (8 decimals) → GMX's 30-decimal USD.
    static func usd30(_ v: Fixed) -> BigUInt { BigUInt(v.raw.magnitude) * BigUInt(10).power(22) }
    /// A price in USD per whole token → USD per smallest unit × 10^30.
    static func priceUnits(_ v: Fixed, indexDecimals: Int) -> BigUInt {
        let e = 22 - indexDecimals
        return e >= 0 ? BigUInt(v.raw.magnitude) * BigUInt(10).power(e) : BigUInt(v.raw.magnitude) / BigUInt(10).power(-e)
    }
    /// GMX price units → USD per whole token (8 decimals, rounded down).
    public static func price(_ units: BigUInt, indexDecimals: Int) -> Fixed? {
        let e = 22 - indexDecimals
        let raw = e >= 0 ? units / BigUInt(10).power(e) : units * BigUInt(10).power(-e)
        return Int64(exactly: raw).map(Fixed.init(raw:))
    }
    /// Smallest token units → whole tokens (8 decimals).
    static func tokens(_ units: BigUInt, decimals: Int) -> Fixed? {
        let e = decimals - 8
        let raw = e >= 0 ? units / BigUInt(10).power(e) : units * BigUInt(10).power(-e)
        return Int64(exactly: raw).map(Fixed.init(raw:))
    }

    // MARK: orders

    /// Builds the order transaction and hands it to the transaction service.
    public nonisolated(nonsending) func submit(_ request: SubmitRequest) async -> SubmitOutcome {
        let o = request.order
        guard let cid = o.clientOrderId else { return .rejected(VenueRejection(code: .venueRejected, message: "order without a client order id")) }
        guard let m = markets[o.instrument] else { return .rejected(VenueRejection(code: .venueRejected, message: "no [venues.gmx.markets] entry for \(o.instrument)")) }
        let increase = !o.reduceOnly
        let isLong = (o.side == .buy) == increase
        guard let touch = o.side == .buy ? request.book?.bestAsk?.price : request.book?.bestBid?.price else {
            return .rejected(VenueRejection(code: .venueUnavailable, message: "no GMX price for \(o.instrument)", retryable: true))
        }
        let reference = o.type == .limit ? (o.limitPrice ?? touch) : touch
        // The worst price we accept: above for a long increase or a short decrease, below otherwise.
        let up = isLong == increase
        let slip = Fixed(config.slippageBps)
        let move = reference.multiplied(by: slip).divided(by: Fixed(10_000)) ?? .zero
        let acceptable = up ? reference + move : reference - move
        let notional = o.quantity.multiplied(by: reference)
        // A decrease names USD of the position: the share of its size the quantity is (rounded up, capped).
        var sizeDelta = GMXExecutor.usd30(notional)
        if !increase, let p = state.withLock({ $0.positions[GMXExecutor.positionKey(m.market, isLong)] }), p.tokens > 0 {
            let e = m.indexDecimals - 8
            let qUnits = e >= 0 ? BigUInt(o.quantity.raw.magnitude) * BigUInt(10).power(e) : BigUInt(o.quantity.raw.magnitude) / BigUInt(10).power(-e)
            sizeDelta = min(p.usd, (p.usd * qUnits + p.tokens - 1) / p.tokens)
        }
        let gmxType: GMXOrder.OrderType = o.type == .limit ? (increase ? .limitIncrease : .limitDecrease) : (increase ? .marketIncrease : .marketDecrease)
        var order = GMXOrder(receiver: evm.address, market: m.market, initialCollateralToken: m.collateralToken, sizeDeltaUsd: sizeDelta,
                             acceptablePrice: GMXExecutor.priceUnits(acceptable, indexDecimals: m.indexDecimals), executionFee: config.executionFeeWei,
                             orderType: gmxType, isLong: isLong)
        if o.type == .limit { order.triggerPrice = GMXExecutor.priceUnits(reference, indexDecimals: m.indexDecimals) }
        var collateral: BigUInt = 0
        if increase {
            // Collateral = size / leverage, the collateral token taken at 1 USD.
            let usd = notional.divided(by: m.leverage, rounding: .up) ?? notional
            let e = m.collateralDecimals - 8
            collateral = e >= 0 ? BigUInt(usd.raw.magnitude) * BigUInt(10).power(e) : (BigUInt(usd.raw.magnitude) + BigUInt(10).power(-e) - 1) / BigUInt(10).power(-e)
        }
        let native = m.collateralToken == config.wnt
        if increase && !native && collateral > 0 {
            do {
                if let approval = try await evm.ensureAllowance(token: m.collateralToken, spender: config.router, amount: collateral,
                                                                intentId: "gmx-approve-\(Hex.encode(m.collateralToken))-\(cid)") {
                    guard await waitMined(approval.intentId) else {
                        return .rejected(VenueRejection(code: .venueRejected, message: "the collateral approval for the Router was not mined"))
                    }
                }
            } catch {
                return .rejected(VenueRejection(code: .venueRejected, message: "collateral approval: \(error.description)"))
            }
        }
        let tx: (data: [UInt8], value: BigUInt)
        do throws(ABIError) { tx = try order.transaction(orderVault: config.orderVault, collateral: collateral, nativeCollateral: native) } catch {
            return .rejected(VenueRejection(code: .venueRejected, message: "calldata: \(error.description)"))
        }
        state.withLock { $0.tracked[cid] = Tracked(instrument: o.instrument, side: o.side, key: nil, status: nil) }
        switch await evm.submit(intentId: GMXExecutor.txIntent(cid), to: config.exchangeRouter, data: tx.data, value: tx.value) {
        case .accepted, .existing:
            return .acknowledged(VenueOrderState(clientOrderId: cid, status: nil, timestamp: time.nowNanos()))
        case .rejected(let why, let revert):
            state.withLock { _ = $0.tracked.removeValue(forKey: cid) }
            let reason = revert.map { ABIRevert.decode($0, errors: GMXEvent.errors).description } ?? why
            return .rejected(VenueRejection(code: .venueRejected, message: revert == nil ? why : "the order would revert: \(reason)"))
        case .preview:
            return .rejected(VenueRejection(code: .venueRejected, message: "unexpected preview"))
        }
    }

    private func waitMined(_ intent: String) async -> Bool {
        for _ in 0..<600 {
            if let r = await evm.record(intent: intent) {
                if r.state == .mined || r.state == .confirmed { return r.succeeded == true }
                if r.state.isFinal { return false }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Cancels through `ExchangeRouter.cancelOrder(key)` (GMX: market orders only after their
    /// request expiry); the `OrderCancelled` event ends the order.
    public nonisolated(nonsending) func cancel(_ order: Order) async -> CancelOutcome {
        guard let cid = order.clientOrderId else { return .notLive("no client order id") }
        let key = state.withLock { $0.tracked[cid]?.key } ?? order.venueOrderId.flatMap { try? Hex.decode($0) }
        guard let key else {
            return .rejected(VenueRejection(code: .venueRejected, message: "the order's creating transaction is not mined yet: cancel once it is open", retryable: true))
        }
        let data: [UInt8]
        do throws(ABIError) { data = try GMXOrder.cancelOrder(key) } catch { return .rejected(VenueRejection(code: .venueRejected, message: error.description)) }
        switch await evm.submit(intentId: "gmx-cancel-\(cid)", to: config.exchangeRouter, data: data, value: 0) {
        case .accepted, .existing: return .accepted
        case .rejected(let why, let revert):
            return .rejected(VenueRejection(code: .venueRejected, message: revert.map { "GMX refused the cancel: \(ABIRevert.decode($0, errors: GMXEvent.errors).description)" } ?? why))
        case .preview: return .uncertain("unexpected preview")
        }
    }

    /// What we know of the order: its create transaction and events.
    public func lookup(_ order: Order) async -> LookupResult {
        guard let cid = order.clientOrderId else { return .notFound }
        if let t = state.withLock({ $0.tracked[cid] }), let s = t.status {
            return .found(VenueOrderState(clientOrderId: cid, venueOrderId: t.key.map { Hex.encode($0) }, status: s))
        }
        guard let r = await evm.record(intent: GMXExecutor.txIntent(cid)) else { return .notFound }
        if r.state == .reverted || r.state == .dropped {
            return .found(VenueOrderState(clientOrderId: cid, status: .rejected, reason: r.reason ?? "the order's transaction failed"))
        }
        if (r.state == .mined || r.state == .confirmed) && r.succeeded == true,
           let key = r.logs.lazy.filter({ $0.address == self.config.eventEmitter }).compactMap(GMXEvent.decode).first(where: { $0.name == "OrderCreated" })?.topic1 {
            // Created (found again after a restart): followed from here; its keeper event comes from the logs.
            state.withLock { s in
                if s.tracked[cid] == nil { s.tracked[cid] = Tracked(instrument: order.instrument, side: order.side, key: key, status: .open) }
                s.byKey[key] = cid
            }
            return .found(VenueOrderState(clientOrderId: cid, venueOrderId: Hex.encode(key), status: .open))
        }
        return .failed("the order's creating transaction is \(r.state.rawValue)")
    }

    /// Open orders are followed through their transactions and events.
    public func openOrders() async throws -> [VenueOpenOrder] { [] }
    /// Fills arrive from the EventEmitter's logs (rescanned from the start after a restart).
    public func fills(since: Int64) async throws -> [VenueFillReport] { [] }
    /// The trading account's wallet: each collateral token's `balanceOf` (named by its
    /// `symbol()`, else its address) and the native balance (`ETH`). Positions come from the
    /// fills (the Reader is not read yet).
    public func account() async throws -> VenueAccountSnapshot {
        let owner = evm.address
        var out: [VenueBalance] = []
        var seen: Set<[UInt8]> = []
        for m in config.markets where seen.insert(m.collateralToken).inserted {
            let units = try await evm.erc20Balance(token: m.collateralToken, owner: owner)
            out.append(VenueBalance(asset: await tokenSymbol(m.collateralToken), free: GMXExecutor.clampedTokens(units, decimals: m.collateralDecimals),
                                    locked: .zero))
        }
        let wei = try await rpc.quantity("eth_getBalance", [.string(Hex.encode(owner)), .string("latest")])
        out.append(VenueBalance(asset: "ETH", free: GMXExecutor.clampedTokens(wei, decimals: 18), locked: .zero))
        return VenueAccountSnapshot(balances: out)
    }

    /// Smallest units → whole tokens, at `Fixed`'s bound when beyond it.
    static func clampedTokens(_ units: BigUInt, decimals: Int) -> Fixed {
        tokens(units, decimals: decimals) ?? Fixed(raw: .max)
    }

    /// An ERC-20's `symbol()` (read once), or its address when it has none.
    func tokenSymbol(_ token: [UInt8]) async -> String {
        if let s = state.withLock({ $0.symbols[token] }) { return s }
        var name = Hex.encode(token)
        if let data = try? ABI.call("symbol()", []),
           let out = try? await rpc.call("eth_call", [.object([JSONMember("to", .string(Hex.encode(token))), JSONMember("data", .string(Hex.encode(data)))]),
                                                     .string("latest")]),
           let bytes = out.stringValue.flatMap({ try? Hex.decode($0) }), let v = try? ABI.decode([.string], bytes),
           case .string(let s) = v.first, !s.isEmpty, s.count <= 16, s.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }) {
            name = s
        }
        state.withLock { $0.symbols[token] = name }
        return name
    }

    /// Orders live at GMX after a restart: followed again by client id and order key.
    public func restore(_ orders: [Order]) {
        state.withLock { s in
            for o in orders where o.venue == venue && !o.status.isTerminal {
                guard let cid = o.clientOrderId else { continue }
                let key = o.venueOrderId.flatMap { try? Hex.decode($0) }
                s.tracked[cid] = Tracked(instrument: o.instrument, side: o.side, key: key, status: nil)
                if let key { s.byKey[key] = cid }
            }
        }
    }

    // MARK: the "private stream": transactions and the EventEmitter's logs

    /// Polls until cancelled: create transactions mined → `open`; keeper events → fills or cancels.
    public func run(sink: @escaping @Sendable (ExecutionEvent) async -> Void) async {
        await sink(.streamUp)
        while !Task.isCancelled {
            await pollCreates(sink)
            await pollLogs(sink)
            try? await Task.sleep(for: .milliseconds(config.pollMs))
        }
    }

    private func pollCreates(_ sink: @Sendable (ExecutionEvent) async -> Void) async {
        let pending = state.withLock { s in s.tracked.filter { $0.value.key == nil && $0.value.status == nil }.map(\.key) }
        for cid in pending {
            guard let r = await evm.record(intent: GMXExecutor.txIntent(cid)) else { continue }
            if r.state == .reverted || r.state == .dropped {
                state.withLock { $0.tracked[cid]?.status = .rejected }
                await sink(.order(VenueOrderState(clientOrderId: cid, status: .rejected, reason: r.reason ?? "the order's transaction failed", timestamp: time.nowNanos())))
                continue
            }
            guard r.state == .mined || r.state == .confirmed, r.succeeded == true else { continue }
            let created = r.logs.lazy.filter { $0.address == self.config.eventEmitter }.compactMap(GMXEvent.decode).first { $0.name == "OrderCreated" }
            guard let key = created?.topic1 else { continue }
            state.withLock { s in
                s.tracked[cid]?.key = key
                s.tracked[cid]?.status = .open
                s.byKey[key] = cid
            }
            await sink(.order(VenueOrderState(clientOrderId: cid, venueOrderId: Hex.encode(key), status: .open, timestamp: time.nowNanos())))
        }
    }

    private func pollLogs(_ sink: @Sendable (ExecutionEvent) async -> Void) async {
        guard let head = try? await rpc.quantity("eth_blockNumber", []) else { return }
        let safe = UInt64(head) >= UInt64(max(0, confirmations - 1)) ? UInt64(head) - UInt64(max(0, confirmations - 1)) : 0
        let from = state.withLock { $0.lastBlock } + 1
        guard safe >= from || from == 1 else { return }
        let filter = JSON.object([
            JSONMember("fromBlock", EVMRPC.quantity(BigUInt(from == 1 ? 0 : from))), JSONMember("toBlock", EVMRPC.quantity(BigUInt(safe))),
            JSONMember("address", .string(Hex.encode(config.eventEmitter))),
            JSONMember("topics", .array([.array([.string(Hex.encode(GMXEvent.eventLog1)), .string(Hex.encode(GMXEvent.eventLog2))])])),
        ])
        guard let logs = try? await rpc.call("eth_getLogs", [filter]), let list = logs.arrayValue else { return }
        // Grouped by transaction: an OrderExecuted and its PositionIncrease/Decrease travel together.
        var byTx: [String: [GMXEvent]] = [:]
        var order: [String] = []
        for l in list {
            guard let log = EVMLog(json: l), let e = GMXEvent.decode(log), let tx = l["transactionHash"]?.stringValue else { continue }
            if byTx[tx] == nil { order.append(tx) }
            byTx[tx, default: []].append(e)
        }
        for tx in order {
            for e in byTx[tx]! where e.name == "PositionIncrease" || e.name == "PositionDecrease" {
                if let market = e.addresses["market"], let long = e.bools["isLong"], let usd = e.uints["sizeInUsd"], let tok = e.uints["sizeInTokens"],
                   e.topic1.suffix(20).elementsEqual(evm.address) {
                    state.withLock { $0.positions[GMXExecutor.positionKey(market, long)] = (usd, tok) }
                }
            }
            for e in byTx[tx]! where e.name == "OrderExecuted" || e.name == "OrderCancelled" {
                let key = e.topic1
                guard let cid = state.withLock({ $0.byKey[key] }), let t = state.withLock({ $0.tracked[cid] }), let m = markets[t.instrument] else { continue }
                let now = time.nowNanos()
                if e.name == "OrderCancelled" {
                    var why = e.strings["reason"] ?? "cancelled"
                    if let rb = e.bytes["reasonBytes"], !rb.isEmpty { why += ": " + ABIRevert.decode(rb, errors: GMXEvent.errors).description }
                    state.withLock { $0.tracked[cid]?.status = .cancelled }
                    await sink(.order(VenueOrderState(clientOrderId: cid, venueOrderId: Hex.encode(key), status: .cancelled, reason: why, timestamp: now)))
                    continue
                }
                guard let pos = byTx[tx]!.first(where: { ($0.name == "PositionIncrease" || $0.name == "PositionDecrease") && $0.bytes32s["orderKey"] == key }),
                      let pxUnits = pos.uints["executionPrice"], let tokUnits = pos.uints["sizeDeltaInTokens"],
                      let px = GMXExecutor.price(pxUnits, indexDecimals: m.indexDecimals), let qty = GMXExecutor.tokens(tokUnits, decimals: m.indexDecimals) else {
                    logger.warning("GMX OrderExecuted without a position event for its key", metadata: ["key": "\(Hex.encode(key))"])
                    continue
                }
                state.withLock { $0.tracked[cid]?.status = .filled }
                let fill = VenueFill(venueTradeId: "gmx:\(Hex.encode(key))", price: px, quantity: qty, fee: .zero, liquidity: .taker, timestamp: now)
                await sink(.order(VenueOrderState(clientOrderId: cid, venueOrderId: Hex.encode(key), status: .filled, filledQuantity: qty, fills: [fill],
                                                  timestamp: now)))
            }
        }
        state.withLock { $0.lastBlock = max($0.lastBlock, safe) }
    }
}
