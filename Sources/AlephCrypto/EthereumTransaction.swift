/// An Ethereum transaction to sign: EIP-155 legacy or EIP-1559 (type 2, with access list).
/// Integer fields are minimal big-endian bytes so uint256 values never overflow.
public struct EthereumTransaction: Sendable, Equatable {
    /// Legacy (type 0, EIP-155) or EIP-1559 (type 2).
    public enum Kind: Sendable, Equatable {
        /// `RLP([nonce, gasPrice, gas, to, value, data, v, r, s])`, v = recid + 35 + 2·chainId.
        case legacy(gasPrice: [UInt8])
        /// `0x02 ‖ RLP([chainId, nonce, maxPriority, maxFee, gas, to, value, data, accessList, yParity, r, s])`.
        case eip1559(maxPriorityFeePerGas: [UInt8], maxFeePerGas: [UInt8], accessList: [AccessListEntry])
    }

    /// One access-list entry.
    public struct AccessListEntry: Sendable, Equatable {
        /// 20-byte address.
        public var address: [UInt8]
        /// 32-byte storage keys.
        public var storageKeys: [[UInt8]]
        /// Creates an entry.
        public init(address: [UInt8], storageKeys: [[UInt8]]) {
            self.address = address
            self.storageKeys = storageKeys
        }
    }

    /// Fee model and type-specific fields.
    public var kind: Kind
    /// Chain id (EIP-155 replay protection).
    public var chainId: UInt64
    /// Sender nonce.
    public var nonce: [UInt8]
    /// Gas limit.
    public var gas: [UInt8]
    /// Recipient (20 bytes), nil for contract creation.
    public var to: [UInt8]?
    /// Wei sent.
    public var value: [UInt8]
    /// Call data.
    public var data: [UInt8]

    /// Creates a transaction.
    public init(kind: Kind, chainId: UInt64, nonce: [UInt8], gas: [UInt8], to: [UInt8]?, value: [UInt8], data: [UInt8]) {
        self.kind = kind
        self.chainId = chainId
        self.nonce = BigEndian.trim(nonce)
        self.gas = BigEndian.trim(gas)
        self.to = to
        self.value = BigEndian.trim(value)
        self.data = data
    }

    private func accessListRLP(_ list: [AccessListEntry]) -> RLP {
        .list(list.map { .list([.bytes($0.address), .list($0.storageKeys.map { RLP.bytes($0) })]) })
    }

    /// The bytes whose keccak256 is signed.
    public var signingPayload: [UInt8] {
        switch kind {
        case .legacy(let gasPrice):
            return RLP.list([.bytes(nonce), .bytes(BigEndian.trim(gasPrice)), .bytes(gas), .bytes(to ?? []), .bytes(value), .bytes(data),
                             .uint(chainId), .uint(0), .uint(0)]).encoded
        case let .eip1559(prio, maxFee, list):
            return [0x02] + RLP.list([.uint(chainId), .bytes(nonce), .bytes(BigEndian.trim(prio)), .bytes(BigEndian.trim(maxFee)), .bytes(gas),
                                      .bytes(to ?? []), .bytes(value), .bytes(data), accessListRLP(list)]).encoded
        }
    }

    /// keccak256 of the signing payload.
    public var signingHash: [UInt8] { Keccak256.hash(signingPayload) }

    /// A signed transaction: the raw bytes to broadcast and its hash.
    public struct Signed: Sendable, Equatable {
        /// Raw transaction bytes.
        public var raw: [UInt8]
        /// keccak256 of `raw`.
        public var hash: [UInt8]
        /// The signature.
        public var signature: RecoverableSignature
        /// `v` as encoded: recid + 35 + 2·chainId (legacy) or the y-parity (type 2).
        public var v: UInt64
    }

    /// Signs with a private key (RFC 6979, low-s).
    public func sign(key: [UInt8]) throws(CryptoError) -> Signed {
        assemble(try Secp256k1.sign(digest: signingHash, key: key))
    }

    /// Signs through a `Signer` (the key may live elsewhere).
    public func sign(with signer: any Signer) async throws -> Signed { assemble(try await signer.sign(digest: signingHash)) }

    /// The raw transaction carrying `sig`, a signature of `signingHash`.
    public func assemble(_ sig: RecoverableSignature) -> Signed {
        let r = RLP.bytes(BigEndian.trim(sig.r)), s = RLP.bytes(BigEndian.trim(sig.s))
        let raw: [UInt8], v: UInt64
        switch kind {
        case .legacy(let gasPrice):
            v = UInt64(sig.recoveryId) + 35 + 2 * chainId
            raw = RLP.list([.bytes(nonce), .bytes(BigEndian.trim(gasPrice)), .bytes(gas), .bytes(to ?? []), .bytes(value), .bytes(data),
                            .uint(v), r, s]).encoded
        case let .eip1559(prio, maxFee, list):
            v = UInt64(sig.recoveryId)
            raw = [0x02] + RLP.list([.uint(chainId), .bytes(nonce), .bytes(BigEndian.trim(prio)), .bytes(BigEndian.trim(maxFee)), .bytes(gas),
                                     .bytes(to ?? []), .bytes(value), .bytes(data), accessListRLP(list), .uint(v), r, s]).encoded
        }
        return Signed(raw: raw, hash: Keccak256.hash(raw), signature: sig, v: v)
    }
}
