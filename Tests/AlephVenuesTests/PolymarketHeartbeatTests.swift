import AlephCrypto
import AlephVenues
import Foundation
import Testing

/// Polymarket's heartbeat requests against the official SDK's vectors (body and L2 headers, and
/// every other L2 vector while at it), and how heartbeat answers are read.
@Suite struct PolymarketHeartbeatTests {
    @Test func bodyAndL2HeadersEqualTheSDKVectors() throws {
        let url = SharedData.root.deletingLastPathComponent().appendingPathComponent("vectors/exec_polymarket_vectors.json")
        guard let d = try? Data(contentsOf: url), let v = try JSONSerialization.jsonObject(with: d) as? [String: Any] else {
            print("SKIPPED: \(url.path) not found (../shared is only guaranteed in CI)")
            return
        }
        let signer = try LocalSigner(key: try PrivateKey(bytes: try Hex.decode("0x" + String(repeating: "11", count: 32))))
        let creds = try PolymarketCredentials(signer: signer, address: v["address"] as! String, apiKey: v["apiKey"] as! String,
                                              secret: v["secret"] as! String, passphrase: v["passphrase"] as! String)
        var checked = 0, heartbeats = 0
        for c in v["l2"] as! [[String: Any]] {
            let body = c["body"] as? String
            let headers = creds.l2Headers(method: c["method"] as! String, path: c["path"] as! String, body: body?.isEmpty == true ? nil : body,
                                          timestamp: Int64(c["timestamp"] as! String)!)
            let want = c["headers"] as! [String: String]
            #expect(Dictionary(uniqueKeysWithValues: headers) == want, "\(c["name"] ?? "")")
            checked += 1
            if c["path"] as? String == "/v1/heartbeats" {
                #expect(PolymarketHeartbeats.body(id: "") == body)
                heartbeats += 1
            }
        }
        #expect(checked >= 8 && heartbeats == 1)
    }

    @Test func answersAreRead() {
        func a(_ status: Int, _ s: String) -> PolymarketHeartbeats.Answer { PolymarketHeartbeats.answer(status: status, body: Array(s.utf8)) }
        #expect(a(200, #"{"heartbeat_id":"hb-7"}"#) == .accepted(next: "hb-7"))
        #expect(a(200, #"{"status":"ok"}"#) == .accepted(next: nil))
        #expect(a(400, #"{"error_msg":"Invalid Heartbeat ID","heartbeat_id":"hb-3"}"#) == .stale(expected: "hb-3"))
        #expect(a(400, #"{"error_msg":"Invalid Heartbeat ID","heartbeat_id":""}"#) == .stale(expected: ""))
        #expect(a(401, #"{"error":"Unauthorized/Invalid api key"}"#) == .refused("HTTP 401: Unauthorized/Invalid api key"))
        #expect(a(400, "not json") == .refused("HTTP 400: not json"))
        #expect(PolymarketHeartbeats.body(id: "a\"b") == #"{"heartbeat_id":"a\"b"}"#)
        #expect(PolymarketHeartbeats.deadman.timeout(backing: 2_000) == 10_000 && PolymarketHeartbeats.deadman.stopCancelsAll)
    }
}
