import AlephCore
import AlephCrypto
import AlephRPC
import BigInt
import Logging

/// Where transaction records become durable (the ledger's journal). `persist` returns once the
/// record is durable (false: the ledger failed; nothing may be sent).
public protocol EVMTxStore: Sendable {
    /// Makes `record` durable.
    func persist(_ record: EVMTxRecord) async -> Bool
}

/// What a submit came to.
public enum EVMSubmitOutcome: Sendable {
    /// Journaled and handed to the node (or being retried): follow it with `record(intent:)`.
    case accepted(EVMTxRecord)
    /// The intent already has a transaction: that one (never a second).
    case existing(EVMTxRecord)
    /// A preview: what would be sent.
    case preview(gas: UInt64, maxFee: BigUInt, tip: BigUInt, nonce: UInt64)
    /// Refused before anything was signed (simulation revert, fee cap, funds); nothing was sent.
    case rejected(String, revert: [UInt8]?)
}

/// One account's transactions on one chain: simulate, price, number, sign, journal, send, follow
/// to finality, replace when stuck, notice reorgs. A single actor, so nonces are handed out one at
/// a time and stay gap-free: a nonce whose transaction can never be sent is filled with a 0-value
/// transfer to ourselves.
public actor EVMTransactionService {
    let config: EVMConfig
    let rpc: EVMRPC
    let signer: any Signer
    let store: any EVMTxStore
    let time: any TimeSource
    let logger: Logger
    private var records: [String: EVMTxRecord] = [:]
    private var nextNonce: UInt64?
    private var listener: (@Sendable (EVMTxRecord) async -> Void)?
    /// Fillers sent for nonces a failed send left behind.
    public private(set) var fillers = 0
    /// The chain head at the last poll.
    public private(set) var head: UInt64 = 0

    /// A service for `signer`'s account; `restored` are the journaled records (latest state of each).
    public init(config: EVMConfig, rpc: EVMRPC, signer: any Signer, store: any EVMTxStore, time: any TimeSource, logger: Logger,
                restored: [EVMTxRecord] = []) {
        self.config = config
        self.rpc = rpc
        self.signer = signer
        self.store = store
        self.time = time
        self.logger = logger
        for r in restored where r.account == signer.address { records[r.intentId] = r }
    }

    /// Called with every changed record (the engine's `orders` channel).
    public func setListener(_ f: @escaping @Sendable (EVMTxRecord) async -> Void) { listener = f }

    /// The account.
    public nonisolated var address: [UInt8] { signer.address }

    /// The record of an intent.
    public func record(intent: String) -> EVMTxRecord? { records[intent] }

    /// Every record.
    public var all: [EVMTxRecord] { records.values.sorted { $0.createdAt < $1.createdAt } }

    /// Checks the chain id and sets the nonce; sends again whatever was journaled but may not have
    /// reached the node (the same bytes: a crash between journal and send never signs twice).
    public func start() async throws(EVMError) {
        let chain = try await rpc.quantity("eth_chainId", [])
        guard chain == BigUInt(config.chainId) else {
            throw .refused("the node at \(config.rpcURL) is on chain \(chain), the config says \(config.chainId): nothing will be signed")
        }
        try await syncNonce()
        for r in records.values.sorted(by: { $0.nonce < $1.nonce }) where r.state == .signed || r.state == .sent {
            await broadcast(r.intentId)
        }
    }

    private func syncNonce() async throws(EVMError) {
        let latest = try await rpc.quantity("eth_getTransactionCount", [.string(Hex.encode(signer.address)), .string("latest")])
        var n = UInt64(latest)
        for r in records.values where r.state != .dropped { n = max(n, r.nonce + 1) }
        nextNonce = n
    }

    // MARK: submit

    /// Simulates, prices, signs, journals and sends one transaction for `intentId`. An intent that
    /// already has one gets that one back.
    public func submit(intentId: String, to: [UInt8], data: [UInt8], value: BigUInt, preview: Bool = false) async -> EVMSubmitOutcome {
        if let r = records[intentId] { return .existing(r) }
        let call = callObject(to: to, data: data, value: value)
        do {
            _ = try await rpc.call("eth_call", [call, .string("latest")])
        } catch let e {
            if case .node(let code, let message, let revert) = e, code == 3 || message.lowercased().contains("revert") {
                return .rejected("the transaction would revert: \(ABIRevert.decode(revert ?? []).description)", revert: revert)
            }
            return .rejected("simulation failed: \(e.description)", revert: nil)
        }
        let gas: UInt64, fees: (maxFee: BigUInt, tip: BigUInt)
        do {
            let est = try await rpc.quantity("eth_estimateGas", [call])
            gas = UInt64(est) * UInt64(100 + config.gasMarginPct) / 100
            fees = try await currentFees()
        } catch {
            return .rejected("\(error.description)", revert: nil)
        }
        let balance = (try? await rpc.quantity("eth_getBalance", [.string(Hex.encode(signer.address)), .string("latest")])) ?? 0
        if BigUInt(gas) * fees.maxFee + value > balance {
            return .rejected("insufficient funds: gas \(gas) × max fee \(fees.maxFee) + value \(value) wei exceeds the balance \(balance) wei", revert: nil)
        }
        if records[intentId] != nil { return .existing(records[intentId]!) }   // the same intent raced in while we awaited
        if nextNonce == nil { do { try await syncNonce() } catch { return .rejected(error.description, revert: nil) } }
        if preview { return .preview(gas: gas, maxFee: fees.maxFee, tip: fees.tip, nonce: nextNonce!) }
        // From here the nonce is ours: no suspension between taking it and recording it.
        let nonce = nextNonce!
        nextNonce = nonce + 1
        var r = EVMTxRecord(intentId: intentId, account: signer.address, chainId: config.chainId, nonce: nonce, to: to, value: value, data: data,
                            gas: gas, at: time.nowNanos())
        records[intentId] = r
        do {
            r.versions.append(try await sign(r, fees: fees))
        } catch {
            records[intentId] = nil
            await fillGap(nonce)
            return .rejected("signing failed: \(error)", revert: nil)
        }
        records[intentId] = r
        guard await store.persist(r) else {
            records[intentId] = nil
            return .rejected("the ledger failed before the transaction was journaled: nothing was sent", revert: nil)
        }
        await broadcast(intentId)
        return .accepted(records[intentId]!)
    }

    /// What a call with these fields is for `eth_call`/`eth_estimateGas`.
    func callObject(to: [UInt8], data: [UInt8], value: BigUInt) -> JSON {
        .object([JSONMember("from", .string(Hex.encode(signer.address))), JSONMember("to", .string(Hex.encode(to))),
                 JSONMember("value", EVMRPC.quantity(value)), JSONMember("input", .string(Hex.encode(data)))])
    }

    func currentFees() async throws(EVMError) -> (maxFee: BigUInt, tip: BigUInt) {
        let h = try await rpc.call("eth_feeHistory", [.string("0xa"), .string("latest"), .array([.number("50")])])
        guard let next = EVMRPC.parseQuantity(h["baseFeePerGas"]?.arrayValue?.last) else { throw .garbage("eth_feeHistory without baseFeePerGas") }
        let rewards = (h["reward"]?.arrayValue ?? []).compactMap { EVMRPC.parseQuantity($0.arrayValue?.first) }
        let suggested = (try? await rpc.quantity("eth_maxPriorityFeePerGas", [])) ?? 0
        return try EVMFees.choose(nextBaseFee: next, rewards: rewards, suggestedTip: suggested, capWei: config.maxFeeGwei * 1_000_000_000)
    }

    func sign(_ r: EVMTxRecord, fees: (maxFee: BigUInt, tip: BigUInt)) async throws -> EVMTxRecord.Version {
        let tx = EthereumTransaction(kind: .eip1559(maxPriorityFeePerGas: Array(fees.tip.serialize()), maxFeePerGas: Array(fees.maxFee.serialize()), accessList: []),
                                     chainId: r.chainId, nonce: BigEndian.bytes(r.nonce), gas: BigEndian.bytes(r.gas), to: r.to,
                                     value: Array(r.value.serialize()), data: r.data)
        let signed = try await tx.sign(with: signer)
        return EVMTxRecord.Version(hash: signed.hash, raw: signed.raw, maxFee: fees.maxFee, tip: fees.tip, sentAt: time.nowNanos())
    }

    // MARK: sending

    /// Sends the newest version; maps the node's answer onto the record.
    private func broadcast(_ intentId: String) async {
        guard var r = records[intentId], let v = r.versions.last else { return }
        do {
            _ = try await rpc.call("eth_sendRawTransaction", [.string(Hex.encode(v.raw))])
            await update(intentId) { $0.state = $0.state == .signed ? .sent : $0.state }
        } catch let e {
            let m = e.nodeMessage ?? ""
            if m.contains("already known") {
                await update(intentId) { $0.state = $0.state == .signed ? .sent : $0.state }
            } else if case .transport(_, let maybeSent) = e {
                // Unknown outcome: the hash is ours either way; the poll finds its receipt or sends it again.
                logger.warning("no answer to eth_sendRawTransaction", metadata: ["intent": "\(intentId)", "maybe_sent": "\(maybeSent)"])
                await update(intentId) { $0.state = $0.state == .signed ? .sent : $0.state }
            } else if m.contains("nonce too low") {
                // Mined already (ours, any version), or someone else took the nonce.
                if await findReceipt(intentId) { return }
                r = records[intentId]!
                logger.warning("nonce taken by another transaction: the intent is dropped", metadata: ["intent": "\(intentId)", "nonce": "\(r.nonce)"])
                await update(intentId) { $0.state = .dropped; $0.reason = "nonce \($0.nonce) was used by another transaction: \(e.description)" }
                try? await syncNonce()
            } else if m.contains("replacement transaction underpriced") {
                // An older version is still pending at this nonce: the poll bumps again.
                await update(intentId) { $0.state = $0.state == .signed ? .sent : $0.state }
            } else {
                // Refused for good (funds, gas, fee rules): nothing will be mined at this nonce unless we fill it.
                await update(intentId) { $0.state = .dropped; $0.reason = "the node refused it: \(e.description)" }
                await fillGap(r.nonce)
            }
        }
    }

    /// A 0-value transfer to ourselves at `nonce`, so later nonces are not stuck behind a hole.
    private func fillGap(_ nonce: UInt64) async {
        guard let fees = try? await currentFees() else { return }
        let id = "nonce-filler-\(Hex.encode(signer.address))-\(nonce)"
        guard records[id] == nil else { return }
        var r = EVMTxRecord(intentId: id, account: signer.address, chainId: config.chainId, nonce: nonce, to: signer.address, value: 0, data: [],
                            gas: 21_000, at: time.nowNanos())
        guard let v = try? await sign(r, fees: fees) else { return }
        r.versions.append(v)
        records[id] = r
        guard await store.persist(r) else { return }
        fillers += 1
        await broadcast(id)
    }

    private func update(_ intentId: String, _ change: (inout EVMTxRecord) -> Void) async {
        guard var r = records[intentId] else { return }
        let before = r
        change(&r)
        guard r != before else { return }
        r.updatedAt = time.nowNanos()
        records[intentId] = r
        _ = await store.persist(r)
        if let listener { await listener(r) }
    }

    // MARK: following

    /// One round: receipts, confirmations, reorgs, replacements. Called every `pollMs`.
    public func poll() async {
        guard let h = try? await rpc.quantity("eth_blockNumber", []) else { return }
        head = UInt64(h)
        for r in records.values.sorted(by: { $0.nonce < $1.nonce }) where !r.state.isFinal {
            switch r.state {
            case .mined: await checkMined(r.intentId)
            case .sent, .signed:
                if await findReceipt(r.intentId) { continue }
                await replaceIfStuck(r.intentId)
            default: break
            }
        }
    }

    /// Looks for a receipt of any version; true when one was found (the record is now mined).
    private func findReceipt(_ intentId: String) async -> Bool {
        guard let r = records[intentId] else { return false }
        for v in r.versions.reversed() {
            guard let rc = try? await rpc.call("eth_getTransactionReceipt", [.string(Hex.encode(v.hash))]), rc != .null,
                  let block = EVMRPC.parseQuantity(rc["blockNumber"]), let bh = rc["blockHash"]?.stringValue.flatMap({ try? Hex.decode($0) }) else { continue }
            let ok = EVMRPC.parseQuantity(rc["status"]) == 1
            let logs = (rc["logs"]?.arrayValue ?? []).compactMap(EVMLog.init(json:))
            await update(intentId) {
                $0.state = .mined
                $0.minedHash = v.hash
                $0.blockNumber = UInt64(block)
                $0.blockHash = bh
                $0.succeeded = ok
                $0.gasUsed = EVMRPC.parseQuantity(rc["gasUsed"]).map { UInt64($0) }
                $0.effectiveGasPrice = EVMRPC.parseQuantity(rc["effectiveGasPrice"])
                $0.logs = logs
            }
            await checkMined(intentId)
            return true
        }
        return false
    }

    /// A mined transaction: still in the canonical chain? final yet?
    private func checkMined(_ intentId: String) async {
        guard let r = records[intentId], let n = r.blockNumber, let bh = r.blockHash else { return }
        let block = try? await rpc.call("eth_getBlockByNumber", [EVMRPC.quantity(BigUInt(n)), .bool(false)])
        let canonical = block?["hash"]?.stringValue.flatMap { try? Hex.decode($0) }
        if canonical != bh {
            logger.warning("a reorg dropped the transaction's block", metadata: ["intent": "\(intentId)", "block": "\(n)"])
            await update(intentId) {
                $0.state = .sent
                $0.minedHash = nil
                $0.blockNumber = nil
                $0.blockHash = nil
                $0.succeeded = nil
                $0.logs = []
                $0.reorgs += 1
                // Sent again from now: the replacement clock restarts.
                if !$0.versions.isEmpty { $0.versions[$0.versions.count - 1].sentAt = time.nowNanos() }
            }
            return
        }
        if head + 1 >= n + UInt64(max(1, config.confirmations)) {
            var reason: String? = nil
            if r.succeeded == false {
                // A mined revert carries no reason: replay it just before its block.
                do {
                    _ = try await rpc.call("eth_call", [callObject(to: r.to, data: r.data, value: r.value), EVMRPC.quantity(BigUInt(n > 0 ? n - 1 : 0))])
                    reason = "reverted on chain"
                } catch let e {
                    if case .node(_, _, let data) = e { reason = "reverted on chain: \(ABIRevert.decode(data ?? []).description)" } else { reason = "reverted on chain" }
                }
            }
            await update(intentId) {
                $0.state = $0.succeeded == true ? .confirmed : .reverted
                if let reason { $0.reason = reason }
            }
        }
    }

    /// Not mined within `submitTimeoutMs` of the newest version: the same nonce again with higher
    /// fees (whichever version is mined is the one booked). A version the node forgot (restart)
    /// is sent again as it is.
    private func replaceIfStuck(_ intentId: String) async {
        guard let r = records[intentId], let last = r.versions.last else { return }
        let known = try? await rpc.call("eth_getTransactionByHash", [.string(Hex.encode(last.hash))])
        if known == nil || known == .null {
            await broadcast(intentId)
        }
        guard time.nowNanos() - last.sentAt >= Int64(config.submitTimeoutMs) * 1_000_000 else { return }
        guard let current = try? await currentFees(),
              let fees = EVMFees.bump(maxFee: last.maxFee, tip: last.tip, current: current, capWei: config.maxFeeGwei * 1_000_000_000) else {
            logger.warning("stuck transaction cannot be bumped under max_fee_gwei", metadata: ["intent": "\(intentId)"])
            await update(intentId) { if !$0.versions.isEmpty { $0.versions[$0.versions.count - 1].sentAt = time.nowNanos() } }
            return
        }
        guard let v = try? await sign(r, fees: fees) else { return }
        logger.notice("replacing a stuck transaction", metadata: ["intent": "\(intentId)", "nonce": "\(r.nonce)", "max_fee": "\(fees.maxFee)"])
        var next = r
        next.versions.append(v)
        next.updatedAt = time.nowNanos()
        records[intentId] = next
        guard await store.persist(next) else { return }
        if let listener { await listener(next) }
        await broadcast(intentId)
    }

    // MARK: ERC-20

    /// `balanceOf(owner)` of `token`.
    public func erc20Balance(token: [UInt8], owner: [UInt8]) async throws(EVMError) -> BigUInt {
        try await erc20Read(token, (try? ABI.call("balanceOf(address)", [.address(owner)])) ?? [])
    }

    /// `allowance(owner, spender)` of `token`.
    public func erc20Allowance(token: [UInt8], owner: [UInt8], spender: [UInt8]) async throws(EVMError) -> BigUInt {
        try await erc20Read(token, (try? ABI.call("allowance(address,address)", [.address(owner), .address(spender)])) ?? [])
    }

    private func erc20Read(_ token: [UInt8], _ data: [UInt8]) async throws(EVMError) -> BigUInt {
        let out = try await rpc.call("eth_call", [callObject(to: token, data: data, value: 0), .string("latest")])
        guard let b = out.stringValue.flatMap({ try? Hex.decode($0) }), let v = try? ABI.decode([.uint(256)], b), case .uint(let n) = v[0] else {
            throw .garbage("ERC-20 call answered \(JSONWriter.string(out))")
        }
        return n
    }

    /// Makes sure `spender` may move `amount` of `token`: an `approve` (bounded by
    /// `maxApproval`) when the allowance is short. Returns its intent's record, or nil when none was needed.
    public func ensureAllowance(token: [UInt8], spender: [UInt8], amount: BigUInt, intentId: String) async throws(EVMError) -> EVMTxRecord? {
        if let r = records[intentId] { return r }
        let have = try await erc20Allowance(token: token, owner: signer.address, spender: spender)
        if have >= amount { return nil }
        guard amount <= config.maxApproval else {
            throw .refused("approval of \(amount) exceeds max_approval (\(config.maxApproval)); approve it yourself or raise the limit")
        }
        let data = (try? ABI.call("approve(address,uint256)", [.address(spender), .uint(config.maxApproval)])) ?? []
        switch await submit(intentId: intentId, to: token, data: data, value: 0) {
        case .accepted(let r), .existing(let r): return r
        case .rejected(let why, _): throw .refused("approval refused: \(why)")
        case .preview: return nil
        }
    }
}
