import AlephCrypto
import AlephVenues
import Foundation
import Testing

/// The dYdX v4 vectors (produced by the official Python client, cross-checked with cosmpy):
/// message, body, auth-info, sign-doc and raw-tx bytes, signatures and tx hashes, byte for byte.
@Suite struct DYDXSigningTests {
    static func load() -> [String: Any]? {
        let url = SharedData.root.deletingLastPathComponent().appendingPathComponent("vectors/dydx_vectors.json")
        guard let d = try? Data(contentsOf: url) else {
            print("SKIPPED: \(url.path) not found (../shared is only guaranteed in CI)")
            return nil
        }
        return (try? JSONSerialization.jsonObject(with: d)) as? [String: Any]
    }

    func int(_ v: Any?) -> UInt64 {
        if let n = v as? NSNumber { return n.uint64Value }
        return UInt64(v as? String ?? "") ?? 0
    }

    @Test func vectors() throws {
        guard let v = Self.load() else { return }
        var keys: [String: [UInt8]] = [:]
        for k in v["keys"] as! [[String: Any]] {
            guard let addr = k["address"] as? String, let pk = k["private_key"] as? String else { continue }
            let key = try Hex.decode(pk)
            #expect(CosmosTx.address(hrp: "dydx", compressedPublicKey: CosmosTx.compressed(try Secp256k1.publicKey(of: key))) == addr)
            keys[addr] = key
        }
        let markets = v["markets_used"] as! [String: [String: Any]]
        let vectors = v["vectors"] as! [[String: Any]]
        #expect(vectors.count == 4)
        for x in vectors {
            let i = x["inputs"] as! [String: Any], d = x["derived"] as! [String: Any]
            let signer = x["signer"] as! String
            let id = DYDXMessages.OrderId(owner: signer, number: UInt32(int(i["subaccount"])), clientId: UInt32(int(i["clientId"])),
                                          orderFlags: UInt32(int(i["orderFlags"])), clobPairId: UInt32(int(markets[i["market"] as! String]!["clobPairId"])))
            let goodTil: DYDXMessages.GoodTil = i["goodTilBlock"] != nil ? .block(UInt32(int(i["goodTilBlock"]))) : .time(UInt32(int(i["goodTilBlockTime"])))
            let any: [UInt8]
            if (x["msg_type_url"] as! String).hasSuffix("MsgCancelOrder") {
                any = DYDXMessages.cancelOrder(id, goodTil: goodTil)
            } else {
                var o = DYDXMessages.Order(id: id, side: i["side"] as! String == "BUY" ? 1 : 2, quantums: int(d["quantums"]), subticks: int(d["subticks"]), goodTil: goodTil)
                o.timeInForce = UInt32(int(i["timeInForce"]))
                o.reduceOnly = i["reduceOnly"] as? Bool ?? false
                o.clientMetadata = UInt32(int(i["clientMetadata"]))
                o.conditionType = UInt32(int(i["conditionType"]))
                o.conditionalOrderTriggerSubticks = int(d["conditional_order_trigger_subticks"])
                any = DYDXMessages.placeOrder(o)
            }
            #expect(Hex.encode(any, prefix: false) == x["any_bytes"] as! String, "\(x["name"]!)")
            let s = try CosmosTx.sign(messages: [any], memo: x["memo"] as! String, chainId: x["chain_id"] as! String, accountNumber: int(x["account_number"]),
                                      sequence: int(x["sequence"]), gasLimit: 1_000_000, key: keys[signer]!)
            #expect(Hex.encode(s.bodyBytes, prefix: false) == x["body_bytes"] as! String)
            #expect(Hex.encode(s.authInfoBytes, prefix: false) == x["auth_info_bytes"] as! String)
            #expect(Hex.encode(s.signDocBytes, prefix: false) == x["sign_doc_bytes"] as! String)
            #expect(Hex.encode(s.signature, prefix: false) == x["signature_64"] as! String)
            #expect(Hex.encode(s.txRaw, prefix: false) == x["tx_raw_bytes"] as! String)
            #expect(s.txHash == x["txhash"] as! String)
        }
    }
}
