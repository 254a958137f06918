import AlephCrypto
import AlephRPC
import BigInt

/// One intent's on-chain transaction: every signed version of it (replacements share the nonce),
/// and where it stands. Journaled before each broadcast, so a restart finds it and sends the same
/// bytes again instead of signing anew.
public struct EVMTxRecord: Sendable, Equatable {
    /// Where a transaction stands.
    public enum State: String, Sendable, CaseIterable {
        /// Signed and journaled; not yet known to have reached the node.
        case signed
        /// Handed to the node; no receipt yet.
        case sent
        /// In a block, not yet final.
        case mined
        /// Final with status 1.
        case confirmed
        /// Final with status 0 (reverted on chain).
        case reverted
        /// Will never be mined (its nonce went to another transaction); nothing happened.
        case dropped

        /// No further change.
        public var isFinal: Bool { self == .confirmed || self == .reverted || self == .dropped }
    }

    /// One signed version.
    public struct Version: Sendable, Equatable {
        /// keccak256 of `raw`.
        public var hash: [UInt8]
        /// The signed bytes.
        public var raw: [UInt8]
        /// Fee cap (wei per gas).
        public var maxFee: BigUInt
        /// Priority fee (wei per gas).
        public var tip: BigUInt
        /// When it was (last) handed to the node (ns).
        public var sentAt: Int64

        /// Creates a version.
        public init(hash: [UInt8], raw: [UInt8], maxFee: BigUInt, tip: BigUInt, sentAt: Int64) {
            self.hash = hash
            self.raw = raw
            self.maxFee = maxFee
            self.tip = tip
            self.sentAt = sentAt
        }
    }

    /// The intent it carries out.
    public var intentId: String
    /// The sending account.
    public var account: [UInt8]
    /// Chain id.
    public var chainId: UInt64
    /// Account nonce.
    public var nonce: UInt64
    /// Target contract or account.
    public var to: [UInt8]
    /// Wei sent.
    public var value: BigUInt
    /// Calldata.
    public var data: [UInt8]
    /// Gas limit.
    public var gas: UInt64
    /// Signed versions, oldest first.
    public var versions: [Version] = []
    /// State.
    public var state: State = .signed
    /// The version that was mined.
    public var minedHash: [UInt8]?
    /// Its block.
    public var blockNumber: UInt64?
    /// Its block's hash (checked against the chain until final: a reorg is noticed).
    public var blockHash: [UInt8]?
    /// Receipt status (true: 1).
    public var succeeded: Bool?
    /// Gas used.
    public var gasUsed: UInt64?
    /// Price paid per gas.
    public var effectiveGasPrice: BigUInt?
    /// Why it reverted or was dropped.
    public var reason: String?
    /// Receipt logs once mined: (address, topics, data).
    public var logs: [EVMLog] = []
    /// Blocks that dropped its receipt.
    public var reorgs = 0
    /// Created (ns).
    public var createdAt: Int64
    /// Last change (ns).
    public var updatedAt: Int64

    /// Creates a record.
    public init(intentId: String, account: [UInt8], chainId: UInt64, nonce: UInt64, to: [UInt8], value: BigUInt, data: [UInt8], gas: UInt64, at: Int64) {
        self.intentId = intentId
        self.account = account
        self.chainId = chainId
        self.nonce = nonce
        self.to = to
        self.value = value
        self.data = data
        self.gas = gas
        createdAt = at
        updatedAt = at
    }

    /// The hash to show: the mined version's, else the newest.
    public var hash: [UInt8]? { minedHash ?? versions.last?.hash }

    /// The full record (journal form: everything a restart needs, raw bytes included).
    public var journalJSON: JSON {
        var b = JSONObjectBuilder()
        b.add("intent_id", intentId)
        b.add("account", Hex.encode(account))
        b.add("chain_id", .string(String(chainId)))
        b.add("nonce", .string(String(nonce)))
        b.add("to", Hex.encode(to))
        b.add("value", .string(String(value)))
        b.add("data", Hex.encode(data))
        b.add("gas", .string(String(gas)))
        b.add("versions", .array(versions.map { v in
            .object([JSONMember("hash", .string(Hex.encode(v.hash))), JSONMember("raw", .string(Hex.encode(v.raw))),
                     JSONMember("max_fee", .string(String(v.maxFee))), JSONMember("tip", .string(String(v.tip))),
                     JSONMember("sent_at", .int(v.sentAt))])
        }))
        b.add("state", state.rawValue)
        b.add("mined_hash", minedHash.map { .string(Hex.encode($0)) } ?? .null)
        b.add("block_number", blockNumber.map { .string(String($0)) } ?? .null)
        b.add("block_hash", blockHash.map { .string(Hex.encode($0)) } ?? .null)
        b.add("succeeded", succeeded.map(JSON.bool) ?? .null)
        b.add("gas_used", gasUsed.map { .string(String($0)) } ?? .null)
        b.add("effective_gas_price", effectiveGasPrice.map { .string(String($0)) } ?? .null)
        b.add("reason", reason.map(JSON.string) ?? .null)
        b.add("logs", .array(logs.map(\.json)))
        b.add("reorgs", .int(reorgs))
        b.add("created_at", .int(createdAt))
        b.add("updated_at", .int(updatedAt))
        return b.json
    }

    /// A record from its journal form.
    public init(journal j: JSON) throws(EVMError) {
        func s(_ k: String) throws(EVMError) -> String {
            guard let v = j[k]?.stringValue else { throw .garbage("journaled transaction without \(k)") }
            return v
        }
        func hex(_ k: String) throws(EVMError) -> [UInt8] {
            do { return try Hex.decode(try s(k)) } catch let e as EVMError { throw e } catch { throw .garbage("journaled transaction: bad \(k)") }
        }
        func big(_ text: String?) -> BigUInt? { text.flatMap { BigUInt($0) } }
        guard let chain = UInt64(try s("chain_id")), let nonce = UInt64(try s("nonce")), let gas = UInt64(try s("gas")), let value = big(j["value"]?.stringValue),
              let state = State(rawValue: try s("state")) else { throw .garbage("journaled transaction with bad numbers or state") }
        self.init(intentId: try s("intent_id"), account: try hex("account"), chainId: chain, nonce: nonce, to: try hex("to"), value: value,
                  data: try hex("data"), gas: gas, at: j["created_at"]?.int64Value ?? 0)
        self.state = state
        for v in j["versions"]?.arrayValue ?? [] {
            guard let h = v["hash"]?.stringValue, let r = v["raw"]?.stringValue, let f = big(v["max_fee"]?.stringValue), let t = big(v["tip"]?.stringValue),
                  let hb = try? Hex.decode(h), let rb = try? Hex.decode(r) else { throw .garbage("journaled transaction with a bad version") }
            versions.append(Version(hash: hb, raw: rb, maxFee: f, tip: t, sentAt: v["sent_at"]?.int64Value ?? 0))
        }
        minedHash = j["mined_hash"]?.stringValue.flatMap { try? Hex.decode($0) }
        blockNumber = j["block_number"]?.stringValue.flatMap { UInt64($0) }
        blockHash = j["block_hash"]?.stringValue.flatMap { try? Hex.decode($0) }
        succeeded = j["succeeded"]?.boolValue
        gasUsed = j["gas_used"]?.stringValue.flatMap { UInt64($0) }
        effectiveGasPrice = big(j["effective_gas_price"]?.stringValue)
        reason = j["reason"]?.stringValue
        logs = (j["logs"]?.arrayValue ?? []).compactMap(EVMLog.init(json:))
        reorgs = j["reorgs"]?.intValue ?? 0
        updatedAt = j["updated_at"]?.int64Value ?? createdAt
    }

    /// What an RPC client sees (`schemas/defs/transaction.json`): no raw bytes.
    public var publicJSON: JSON {
        var b = JSONObjectBuilder()
        b.add("intent_id", intentId)
        b.add("kind", "transaction")
        b.add("state", state.rawValue)
        b.add("hash", hash.map { .string(Hex.encode($0)) } ?? .null)
        b.add("hashes", .array(versions.map { .string(Hex.encode($0.hash)) }))
        b.add("from", EthereumAddress.checksummed(account))
        b.add("to", EthereumAddress.checksummed(to))
        b.add("nonce", .int(nonce))
        b.add("value", .string(String(value)))
        b.add("chain_id", .int(chainId))
        b.add("gas_limit", .int(gas))
        b.add("max_fee_per_gas", versions.last.map { .string(String($0.maxFee)) } ?? .null)
        b.add("block_number", blockNumber.map { .int($0) } ?? .null)
        b.add("block_hash", blockHash.map { .string(Hex.encode($0)) } ?? .null)
        b.add("status", succeeded.map { .int($0 ? 1 : 0) } ?? .null)
        b.add("gas_used", gasUsed.map { .int($0) } ?? .null)
        b.add("effective_gas_price", effectiveGasPrice.map { .string(String($0)) } ?? .null)
        b.add("reason", reason.map(JSON.string) ?? .null)
        b.add("replacements", .int(max(0, versions.count - 1)))
        b.add("reorgs", .int(reorgs))
        b.add("created_ts_us", .int(createdAt / 1000))
        b.add("updated_ts_us", .int(updatedAt / 1000))
        return b.json
    }
}

/// A receipt log.
public struct EVMLog: Sendable, Equatable {
    /// Emitting contract.
    public var address: [UInt8]
    /// Topics.
    public var topics: [[UInt8]]
    /// Data.
    public var data: [UInt8]

    /// Creates a log.
    public init(address: [UInt8], topics: [[UInt8]], data: [UInt8]) {
        self.address = address
        self.topics = topics
        self.data = data
    }

    /// From a receipt's (or the journal's) JSON.
    public init?(json: JSON) {
        guard let a = json["address"]?.stringValue.flatMap({ try? Hex.decode($0) }), a.count == 20,
              let d = json["data"]?.stringValue.flatMap({ try? Hex.decode($0) }) else { return nil }
        var ts: [[UInt8]] = []
        for t in json["topics"]?.arrayValue ?? [] {
            guard let b = t.stringValue.flatMap({ try? Hex.decode($0) }), b.count == 32 else { return nil }
            ts.append(b)
        }
        address = a
        topics = ts
        data = d
    }

    /// JSON form.
    public var json: JSON {
        .object([JSONMember("address", .string(Hex.encode(address))), JSONMember("topics", .array(topics.map { .string(Hex.encode($0)) })),
                 JSONMember("data", .string(Hex.encode(data)))])
    }
}
