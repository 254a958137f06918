import Foundation
import Testing
@testable import AlephCrypto

@Suite struct RequestSignerTests {
    @Test func binanceDocumentationExample() {
        // The example from Binance's public API documentation.
        let key = HMACKey(secret: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
        #expect(RequestSigner.binance(key, payload: "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559")
                == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")
    }

    @Test func polymarketSDKExampleAndReuse() throws {
        // The official SDK's unit-test vector.
        let key = try RequestSigner.polymarketKey(secretBase64URL: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        #expect(RequestSigner.polymarketL2(key, timestamp: "1000000", method: "test-sign", requestPath: "/orders", body: #"{"hash": "0x123"}"#)
                == "ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=")
        // The precomputed state is reusable: the same key signs twice identically.
        let a = RequestSigner.polymarketL2(key, timestamp: "1", method: "GET", requestPath: "/x", body: nil)
        #expect(a == RequestSigner.polymarketL2(key, timestamp: "1", method: "GET", requestPath: "/x", body: nil))
        #expect(throws: CryptoError.self) { try RequestSigner.polymarketKey(secretBase64URL: "not base64!") }
    }

    @Test func theOpenSSLShimAgreesWithSwiftCryptoOnEveryKeyAndMessageLength() {
        var rng = SystemRandomNumberGenerator()
        for keyLength in [0, 1, 31, 32, 63, 64, 65, 128, 300] {
            let key = HMACKey(secret: (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &rng) })
            for length in [0, 1, 55, 56, 63, 64, 65, 119, 142, 1000] {
                let m = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                #expect(key.authenticate(m) == key.authenticateReference(m), "key \(keyLength) B, message \(length) B")
            }
        }
    }

    static func load(_ file: String) -> [String: Any]? {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/vectors/\(file)").path
        guard let data = FileManager.default.contents(atPath: path) else {
            print("skipping \(file): \(path) not found (CI always has ../shared)")
            return nil
        }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    @Test func sharedCEXVectors() {
        guard let v = Self.load("cex_hmac_vectors.json") else { return }
        var n = 0
        for b in v["binance"] as? [[String: Any]] ?? [] {
            #expect(RequestSigner.binance(HMACKey(secret: b["secret"] as! String), payload: b["payload"] as! String) == b["signature"] as? String)
            n += 1
        }
        for o in v["okx"] as? [[String: Any]] ?? [] {
            let key = HMACKey(secret: o["secret"] as! String)
            if let ts = o["ws_login_timestamp_seconds"] as? String {
                #expect(RequestSigner.okxWebSocketLogin(key, timestampSeconds: ts) == o["sign"] as? String)
                #expect(o["prehash"] as? String == ts + "GET/users/self/verify")
            } else {
                let ts = o["timestamp"] as! String, m = o["method"] as! String, path = o["requestPath"] as! String, body = o["body"] as? String ?? ""
                #expect(o["prehash"] as? String == ts + m + path + body)
                #expect(RequestSigner.okx(key, timestamp: ts, method: m, requestPath: path, body: body) == o["OK-ACCESS-SIGN"] as? String)
            }
            n += 1
        }
        for b in v["bybit"] as? [[String: Any]] ?? [] {
            let key = HMACKey(secret: b["secret"] as! String)
            if let expires = (b["expires"] as? String) ?? (b["expires"] as? NSNumber)?.stringValue {
                #expect(RequestSigner.bybitWebSocketAuth(key, expires: expires) == b["signature"] as? String)
                #expect(b["prehash"] as? String == "GET/realtime" + expires)
            } else {
                let ts = b["timestamp"] as! String, api = b["api_key"] as! String, rw = b["recv_window"] as! String, payload = b["payload"] as! String
                #expect(b["prehash"] as? String == ts + api + rw + payload)
                #expect(RequestSigner.bybit(key, timestamp: ts, apiKey: api, recvWindow: rw, payload: payload) == b["X-BAPI-SIGN"] as? String)
            }
            n += 1
        }
        #expect(n >= 10)
    }

    @Test func sharedPolymarketL2Vectors() throws {
        guard let v = Self.load("pm_vectors.json") else { return }
        let list = v["l2_hmac"] as! [[String: Any]]
        for c in list {
            let key = try RequestSigner.polymarketKey(secretBase64URL: c["secret_b64url"] as! String)
            let s = RequestSigner.polymarketL2(key, timestamp: c["timestamp"] as! String, method: c["method"] as! String,
                                               requestPath: c["requestPath"] as! String, body: c["body"] as? String)
            #expect(s == c["POLY_SIGNATURE"] as? String)
        }
        #expect(list.count >= 3)
    }
}
