import AlephRPC

/// Polymarket CLOB signing: orders (EIP-712 "Polymarket CTF Exchange", versions 1 and 2) and
/// ClobAuth (L1 API-key derivation). Bodies are laid out exactly as the official SDK posts them.
public enum Polymarket {
    /// Exchange contracts on Polygon (137).
    public enum Exchange {
        /// V1 normal markets.
        public static let v1 = "0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E"
        /// V1 neg-risk markets.
        public static let v1NegRisk = "0xC5d563A36AE78145C45a50134d48A1215220f80a"
        /// V2 normal markets.
        public static let v2 = "0xE111180000d2663C0091e4f400237545B87B996B"
        /// V2 neg-risk markets.
        public static let v2NegRisk = "0xe2222d279d744050d28e00520010520000310F59"
    }

    /// An order to sign. Integers are decimal strings (uint256-safe).
    public struct Order: Sendable, Equatable {
        /// 1 or 2.
        public var version: Int
        /// Chain id (137 Polygon, 80002 Amoy).
        public var chainId: UInt64
        /// The exchange contract (verifying contract).
        public var exchange: String
        /// Random unique salt.
        public var salt: String
        /// Funder address.
        public var maker: String
        /// Signing EOA.
        public var signer: String
        /// V1 only: zero address for public orders.
        public var taker: String
        /// Outcome token id.
        public var tokenId: String
        /// Amount the maker gives (6 decimals).
        public var makerAmount: String
        /// Amount the maker receives.
        public var takerAmount: String
        /// Unix seconds, 0 for none (signed in V1 only; always posted).
        public var expiration: String
        /// V1 only: exchange nonce.
        public var nonce: String
        /// V1 only: fee rate.
        public var feeRateBps: String
        /// `BUY` or `SELL`.
        public var side: String
        /// 0 EOA, 1 proxy, 2 safe.
        public var signatureType: Int
        /// V2 only: milliseconds.
        public var timestamp: String
        /// V2 only: 32-byte hex.
        public var metadata: String
        /// V2 only: 32-byte hex builder code.
        public var builder: String

        /// Creates an order (V1 ignores timestamp/metadata/builder; V2 ignores taker/nonce/feeRateBps in the signature).
        public init(version: Int, chainId: UInt64, exchange: String, salt: String, maker: String, signer: String, taker: String, tokenId: String,
                    makerAmount: String, takerAmount: String, expiration: String, nonce: String, feeRateBps: String, side: String,
                    signatureType: Int, timestamp: String, metadata: String, builder: String) {
            self.version = version
            self.chainId = chainId
            self.exchange = exchange
            self.salt = salt
            self.maker = maker
            self.signer = signer
            self.taker = taker
            self.tokenId = tokenId
            self.makerAmount = makerAmount
            self.takerAmount = takerAmount
            self.expiration = expiration
            self.nonce = nonce
            self.feeRateBps = feeRateBps
            self.side = side
            self.signatureType = signatureType
            self.timestamp = timestamp
            self.metadata = metadata
            self.builder = builder
        }

        /// The EIP-712 document (eth_signTypedData_v4 form).
        public var typedData: JSON {
            let sideInt = side == "SELL" ? "1" : "0"
            let fields: [(String, String, JSON)]
            if version == 1 {
                fields = [("salt", "uint256", .number(salt)), ("maker", "address", .string(maker)), ("signer", "address", .string(signer)),
                          ("taker", "address", .string(taker)), ("tokenId", "uint256", .string(tokenId)), ("makerAmount", "uint256", .string(makerAmount)),
                          ("takerAmount", "uint256", .string(takerAmount)), ("expiration", "uint256", .string(expiration)), ("nonce", "uint256", .string(nonce)),
                          ("feeRateBps", "uint256", .string(feeRateBps)), ("side", "uint8", .number(sideInt)), ("signatureType", "uint8", .int(signatureType))]
            } else {
                fields = [("salt", "uint256", .number(salt)), ("maker", "address", .string(maker)), ("signer", "address", .string(signer)),
                          ("tokenId", "uint256", .string(tokenId)), ("makerAmount", "uint256", .string(makerAmount)), ("takerAmount", "uint256", .string(takerAmount)),
                          ("side", "uint8", .number(sideInt)), ("signatureType", "uint8", .int(signatureType)), ("timestamp", "uint256", .string(timestamp)),
                          ("metadata", "bytes32", .string(metadata)), ("builder", "bytes32", .string(builder))]
            }
            return Polymarket.document(name: "Polymarket CTF Exchange", version: String(version), chainId: chainId, verifyingContract: exchange,
                                       primaryType: "Order", fields: fields)
        }

        /// The exact `POST /order` body the SDK sends.
        public func postBody(signature: String, owner: String, orderType: String, postOnly: Bool, deferExec: Bool) -> String {
            var o: [JSONMember] = [JSONMember("salt", .number(salt)), JSONMember("maker", .string(maker)), JSONMember("signer", .string(signer))]
            if version == 1 {
                o += [JSONMember("taker", .string(taker)), JSONMember("tokenId", .string(tokenId)), JSONMember("makerAmount", .string(makerAmount)),
                      JSONMember("takerAmount", .string(takerAmount)), JSONMember("expiration", .string(expiration)), JSONMember("nonce", .string(nonce)),
                      JSONMember("feeRateBps", .string(feeRateBps)), JSONMember("side", .string(side)), JSONMember("signatureType", .int(signatureType))]
            } else {
                o += [JSONMember("tokenId", .string(tokenId)), JSONMember("makerAmount", .string(makerAmount)), JSONMember("takerAmount", .string(takerAmount)),
                      JSONMember("side", .string(side)), JSONMember("expiration", .string(expiration)), JSONMember("signatureType", .int(signatureType)),
                      JSONMember("timestamp", .string(timestamp)), JSONMember("metadata", .string(metadata)), JSONMember("builder", .string(builder))]
            }
            o.append(JSONMember("signature", .string(signature)))
            var body: [JSONMember] = [JSONMember("order", .object(o)), JSONMember("owner", .string(owner)), JSONMember("orderType", .string(orderType))]
            if version == 2 { body.append(JSONMember("deferExec", .bool(deferExec))) }
            body.append(JSONMember("postOnly", .bool(postOnly)))
            return JSONWriter.string(.object(body))
        }
    }

    /// An EIP-712 document with the standard domain fields present.
    static func document(name: String, version: String, chainId: UInt64, verifyingContract: String?, primaryType: String,
                         fields: [(String, String, JSON)]) -> JSON {
        var domainTypes: [JSON] = [.object([JSONMember("name", .string("name")), JSONMember("type", .string("string"))]),
                                   .object([JSONMember("name", .string("version")), JSONMember("type", .string("string"))]),
                                   .object([JSONMember("name", .string("chainId")), JSONMember("type", .string("uint256"))])]
        var domain: [JSONMember] = [JSONMember("name", .string(name)), JSONMember("version", .string(version)), JSONMember("chainId", .int(chainId))]
        if let verifyingContract {
            domainTypes.append(.object([JSONMember("name", .string("verifyingContract")), JSONMember("type", .string("address"))]))
            domain.append(JSONMember("verifyingContract", .string(verifyingContract)))
        }
        let types = JSON.object([
            JSONMember("EIP712Domain", .array(domainTypes)),
            JSONMember(primaryType, .array(fields.map { .object([JSONMember("name", .string($0.0)), JSONMember("type", .string($0.1))]) })),
        ])
        return .object([JSONMember("types", types), JSONMember("primaryType", .string(primaryType)), JSONMember("domain", .object(domain)),
                        JSONMember("message", .object(fields.map { JSONMember($0.0, $0.2) }))])
    }

    /// Signs an order: the EIP-712 digest and the 65-byte `r‖s‖v` hex signature (v = 27/28).
    public static func sign(_ order: Order, key: [UInt8]) throws(CryptoError) -> (digest: [UInt8], signature: String) {
        let digest = try TypedData(json: order.typedData).digest()
        return (digest, Hex.encode(try Secp256k1.sign(digest: digest, key: key).ethereumBytes))
    }

    /// The ClobAuth document for L1 authentication (no verifying contract).
    public static func clobAuth(address: String, timestamp: String, nonce: String, chainId: UInt64) -> JSON {
        document(name: "ClobAuthDomain", version: "1", chainId: chainId, verifyingContract: nil, primaryType: "ClobAuth", fields: [
            ("address", "address", .string(address)), ("timestamp", "string", .string(timestamp)), ("nonce", "uint256", .string(nonce)),
            ("message", "string", .string("This message attests that I control the given wallet")),
        ])
    }
}
