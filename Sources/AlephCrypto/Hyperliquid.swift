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
