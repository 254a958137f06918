import AlephCore
import AlephCrypto
import AlephNet
import AlephRPC

/// Polymarket L1 authentication and API-key derivation: an EIP-712 `ClobAuth` signature in the
/// `POLY_*` headers; `POST /auth/api-key` creates the L2 credentials, `GET /auth/derive-api-key`
/// re-derives the ones already created for that address and nonce (used when creating is refused).
public enum PolymarketAuth {
    /// L2 credentials as the venue issues them.
    public struct Credentials: Sendable, CustomStringConvertible {
        /// The API key (a UUID).
        public var apiKey: String
        /// The HMAC secret (URL-safe base64).
        public var secret: String
        /// The passphrase.
        public var passphrase: String
        /// Redacted but for the key's first characters.
        public var description: String { "Credentials(apiKey: \(apiKey.prefix(8))…, secret and passphrase redacted)" }
    }

    /// Why credentials could not be had.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What went wrong (never a secret).
        public var description: String
    }

    /// The L1 headers for `signer` at `timestamp` (unix seconds).
    public static func l1Headers(signer: any Signer, address: String, timestamp: Int64, nonce: Int, chainId: Int) async throws -> [(String, String)] {
        let doc = Polymarket.clobAuth(address: address, timestamp: String(timestamp), nonce: String(nonce), chainId: UInt64(chainId))
        let digest = try TypedData(json: doc).digest()
        let sig = try await signer.sign(digest: digest)
        return [("POLY_ADDRESS", address), ("POLY_SIGNATURE", Hex.encode(sig.ethereumBytes)), ("POLY_TIMESTAMP", String(timestamp)),
                ("POLY_NONCE", String(nonce))]
    }

    /// Creates the L2 credentials, or derives the existing ones when creating is refused (or when
    /// `deriveOnly`). Returns them and whether they were created.
    public static func createOrDerive(restURL: String, signer: any Signer, address: String, nonce: Int, chainId: Int, nowSeconds: Int64,
                                      deriveOnly: Bool, transport: any HTTPSending = HTTPTransport()) async throws -> (Credentials, created: Bool) {
        func call(_ method: String, _ path: String) async throws -> (Int, [UInt8]) {
            let headers = try await l1Headers(signer: signer, address: address, timestamp: nowSeconds, nonce: nonce, chainId: chainId)
            switch await transport.send(HTTPRequestSpec(method: method, url: restURL + path, headers: headers), timeout: .seconds(15), maxBody: 1 << 20) {
            case .reply(let r): return (r.status, r.body)
            case .notSent(let why), .unknown(let why): throw Failure(description: "\(method) \(path): \(why)")
            }
        }
        func parse(_ body: [UInt8], _ what: String) throws -> Credentials {
            guard let j = try? JSONParser.parse(body), let k = j["apiKey"]?.stringValue, let s = j["secret"]?.stringValue,
                  let p = j["passphrase"]?.stringValue else { throw Failure(description: "\(what): the answer has no apiKey/secret/passphrase") }
            return Credentials(apiKey: k, secret: s, passphrase: p)
        }
        if !deriveOnly {
            let (status, body) = try await call("POST", "/auth/api-key")
            if status == 200 { return (try parse(body, "POST /auth/api-key"), true) }
            if status != 400 { throw Failure(description: "POST /auth/api-key: HTTP \(status) \(PolymarketExecWire.errorText(body))") }
        }
        let (status, body) = try await call("GET", "/auth/derive-api-key")
        guard status == 200 else { throw Failure(description: "GET /auth/derive-api-key: HTTP \(status) \(PolymarketExecWire.errorText(body))") }
        return (try parse(body, "GET /auth/derive-api-key"), false)
    }
}
