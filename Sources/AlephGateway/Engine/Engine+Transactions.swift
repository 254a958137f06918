import AlephCore
import AlephCrypto
import AlephRPC
import AlephVenues
import BigInt

extension Engine {
    /// Connects the on-chain transaction service (`[venues.evm]`); its record changes go out on the `orders` channel.
    public func attachEVM(_ service: EVMTransactionService, config: EVMConfig) async {
        evm = service
        evmConfig = config
        await service.setListener { [weak self] r in await self?.evmUpdated(r) }
    }

    /// Journals records and waits until they are durable (the transaction service's store).
    public nonisolated func journalDurably(_ records: [LedgerRecord]) async -> Bool {
        await sender.waitDurable(ledger.append(records))
    }

    /// A transaction record changed: subscribers of `orders` see it.
    public func evmUpdated(_ r: EVMTxRecord) {
        publishAccount(.orders, instrument: "", r.publicJSON)
    }

    /// `submit_transaction` (admin): a call to an allowlisted contract, simulated first, journaled
    /// before it is sent, followed to finality by the transaction service.
    func submitTransaction(_ params: JSON?, session: Session) async throws(RPCError) -> JSON {
        try requireAdmin(session, "submit_transaction")
        let p = try Params(params, allowed: ["intent_id", "to", "data", "value", "preview"])
        let intentId = try p.string("intent_id", maxLength: 128)
        guard !intentId.isEmpty else { throw RPCError.invalidParams(field: "intent_id", reason: "must not be empty") }
        let toText = try p.string("to", maxLength: 42)
        let to: [UInt8]
        do { to = try EthereumAddress.parse(toText, field: "to") } catch { throw RPCError.invalidParams(field: "to", reason: error.description) }
        let data: [UInt8]
        do { data = try Hex.decode(try p.optionalString("data", maxLength: 262_146) ?? "0x") } catch { throw RPCError.invalidParams(field: "data", reason: "must be 0x-prefixed hex") }
        let valueText = try p.optionalString("value", maxLength: 78) ?? "0"
        guard !valueText.isEmpty, valueText.allSatisfy(\.isNumber), let value = BigUInt(valueText) else {
            throw RPCError.invalidParams(field: "value", reason: "must be a whole number of wei as a decimal string")
        }
        let preview = try p.bool("preview", default: false)
        guard let evm, let cfg = evmConfig else {
            throw RPCError.app(.venueUnavailable, "no on-chain account is configured: add [venues.evm] (rpc_url, chain_id, key_env or key_file, allowlist)")
        }
        if intents[intentId] != nil || inFlight[intentId] != nil { throw conflict(intentId, orderId: intents[intentId]?.orderId) }
        let target = "0x" + Hex.encode(to, prefix: false)
        let selector = data.count >= 4 ? Hex.encode(data.prefix(4)) : "0x"
        guard let allowed = cfg.allowlist[target] else {
            throw RPCError.app(.transactionRefused, "\(EthereumAddress.checksummed(to)) is not in [venues.evm.allowlist]", details: [JSONMember("to", .string(toText))])
        }
        guard allowed.contains("*") || allowed.contains(selector) else {
            throw RPCError.app(.transactionRefused, "selector \(selector) is not allowed for \(EthereumAddress.checksummed(to)) (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        guard value <= cfg.maxValueWei else {
            throw RPCError.app(.transactionRefused, "value \(value) wei exceeds [venues.evm] max_value_wei (\(cfg.maxValueWei))")
        }
        if !preview && risk.state != .active {
            throw RPCError.app(.transactionRefused, "trading is \(risk.state.rawValue): no transaction is sent (resume first)")
        }
        let outcome = await suspendStep { await evm.submit(intentId: intentId, to: to, data: data, value: value, preview: preview) }
        switch outcome {
        case .accepted(let r): return r.publicJSON
        case .existing(let r):
            guard r.to == to, r.data == data, r.value == value else { throw conflict(intentId, orderId: nil) }
            return Engine.withMember(r.publicJSON, "duplicate", .bool(true))
        case .preview(let gas, let maxFee, let tip, let nonce):
            return .object([JSONMember("intent_id", .string(intentId)), JSONMember("kind", .string("transaction")), JSONMember("state", .string("previewed")),
                            JSONMember("gas_limit", .int(gas)), JSONMember("max_fee_per_gas", .string(String(maxFee))),
                            JSONMember("max_priority_fee_per_gas", .string(String(tip))), JSONMember("nonce", .int(nonce))])
        case .rejected(let why, let revert):
            let now = time.nowNanos()
            pendingRecords.append(.event(kind: "transaction_rejected", ref: intentId, at: now, data: .object([
                JSONMember("to", .string(EthereumAddress.checksummed(to))), JSONMember("selector", .string(selector)), JSONMember("reason", .string(why)),
            ])))
            var out: [JSONMember] = [JSONMember("intent_id", .string(intentId)), JSONMember("kind", .string("transaction")),
                                     JSONMember("state", .string("rejected")), JSONMember("reason", .string(why))]
            if let revert { out.append(JSONMember("revert_data", .string(Hex.encode(revert)))) }
            return .object(out)
        }
    }

    static func withMember(_ j: JSON, _ key: String, _ v: JSON) -> JSON {
        guard case .object(var m) = j else { return j }
        m.append(JSONMember(key, v))
        return .object(m)
    }
}
