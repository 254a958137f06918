import AlephRPC

/// Hyperliquid L1 action signing ("phantom agent"): msgpack(action) ‖ nonce ‖ vault flag ‖
/// expiresAfter → connectionId; then EIP-712 `Agent{source, connectionId}` under the Exchange domain.
public enum Hyperliquid {
    /// `EIP712Domain{name:"Exchange", version:"1", chainId:1337, verifyingContract:0x0}` separator.
    public static let domainSeparator: [UInt8] = {
        let typeHash = Keccak256.hash("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
        var enc = typeHash + Keccak256.hash("Exchange") + Keccak256.hash("1")
        enc += [UInt8](repeating: 0, count: 30) + [0x05, 0x39] // 1337
        enc += [UInt8](repeating: 0, count: 32)
        return Keccak256.hash(enc)
    }()

    static let agentTypeHash = Keccak256.hash("Agent(string source,bytes32 connectionId)")

    /// The bytes hashed into the connection id.
    public static func actionPreimage(action: JSON, nonce: UInt64, vault: [UInt8]?, expiresAfter: UInt64?) throws(CryptoError) -> [UInt8] {
        var data = try MsgPack.encode(action)
        MsgPack.append(nonce, bytes: 8, into: &data)
        if let vault {
            guard vault.count == 20 else { throw .invalidLength(field: "vault_address", expected: 20, got: vault.count) }
            data.append(0x01)
            data += vault
        } else {
            data.append(0x00)
        }
        if let expiresAfter {
            data.append(0x00)
            MsgPack.append(expiresAfter, bytes: 8, into: &data)
        }
        return data
    }

    /// keccak256 of the preimage.
    public static func connectionId(action: JSON, nonce: UInt64, vault: [UInt8]?, expiresAfter: UInt64?) throws(CryptoError) -> [UInt8] {
        Keccak256.hash(try actionPreimage(action: action, nonce: nonce, vault: vault, expiresAfter: expiresAfter))
    }

    /// The EIP-712 digest of the phantom agent (source "a" on mainnet, "b" on testnet).
    public static func agentDigest(connectionId: [UInt8], mainnet: Bool) -> [UInt8] {
        let structHash = Keccak256.hash(agentTypeHash + Keccak256.hash(mainnet ? "a" : "b") + connectionId)
        return Keccak256.hash([0x19, 0x01] + domainSeparator + structHash)
    }

    /// Signs an L1 action.
    public static func signL1(action: JSON, nonce: UInt64, vault: [UInt8]?, expiresAfter: UInt64?, mainnet: Bool,
                              key: [UInt8]) throws(CryptoError) -> RecoverableSignature {
        let cid = try connectionId(action: action, nonce: nonce, vault: vault, expiresAfter: expiresAfter)
        return try Secp256k1.sign(digest: agentDigest(connectionId: cid, mainnet: mainnet), key: key)
    }
}

extension Hyperliquid {
    /// Signs a user-signed action (usdSend, spotSend, withdraw3, approveAgent, …): EIP-712 of the
    /// action itself with primaryType `HyperliquidTransaction:<Name>` under the domain
    /// `HyperliquidSignTransaction` v1, chainId = signatureChainId. Like the SDK, sets
    /// `signatureChainId` ("0x66eee" when absent) and `hyperliquidChain` (Mainnet/Testnet) on the
    /// action; returns the completed action, which is exactly what must be posted.
    public static func signUserAction(action: JSON, fields: [TypedData.Field], primaryType: String, mainnet: Bool,
                                      key: [UInt8]) throws(CryptoError) -> (action: JSON, signature: RecoverableSignature) {
        guard case .object(var members) = action else { throw .invalidField(field: "action", reason: "must be an object") }
        func set(_ k: String, _ v: JSON) {
            if let i = members.firstIndex(where: { $0.key == k }) { members[i].value = v } else { members.append(JSONMember(k, v)) }
        }
        let chainIdText = members.first(where: { $0.key == "signatureChainId" })?.value.stringValue ?? "0x66eee"
        set("signatureChainId", .string(chainIdText))
        set("hyperliquidChain", .string(mainnet ? "Mainnet" : "Testnet"))
        let chainBytes = try BigEndian.parse(chainIdText, field: "signatureChainId")
        guard chainBytes.count <= 8 else { throw .invalidNumber(field: "signatureChainId", reason: "too large") }
        let chainId = chainBytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let doc = JSON.object([
            JSONMember("types", .object([
                JSONMember("EIP712Domain", .array([("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address")]
                    .map { .object([JSONMember("name", .string($0.0)), JSONMember("type", .string($0.1))]) })),
                JSONMember(primaryType, .array(fields.map { .object([JSONMember("name", .string($0.name)), JSONMember("type", .string($0.type))]) })),
            ])),
            JSONMember("primaryType", .string(primaryType)),
            JSONMember("domain", .object([JSONMember("name", .string("HyperliquidSignTransaction")), JSONMember("version", .string("1")),
                                          JSONMember("chainId", .int(chainId)),
                                          JSONMember("verifyingContract", .string("0x0000000000000000000000000000000000000000"))])),
            JSONMember("message", .object(members)),
        ])
        let digest = try TypedData(json: doc).digest()
        return (.object(members), try Secp256k1.sign(digest: digest, key: key))
    }
}
