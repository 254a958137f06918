import AlephRPC
import Foundation
import Foundation
import Testing
@testable import AlephCrypto

@Suite struct HyperliquidTests {
    let k1 = try! Hex.decode("0x0123456789012345678901234567890123456789012345678901234567890123")

    @Test func msgpackMatchesPythonDefaults() throws {
        #expect(try MsgPack.encode(JSONParser.parse(#"{"type":"dummy","num":100000000000}"#)) == Hex.decode("82a474797065a564756d6d79a36e756dcf000000174876e800"))
        #expect(try MsgPack.encode(.number("127")) == [0x7F])
        #expect(try MsgPack.encode(.number("128")) == [0xCC, 0x80])
        #expect(try MsgPack.encode(.number("10000")) == [0xCD, 0x27, 0x10])
        #expect(try MsgPack.encode(.number("-1")) == [0xFF])
        #expect(try MsgPack.encode(.number("-33")) == [0xD0, 0xDF])
        #expect(try MsgPack.encode(.string(String(repeating: "x", count: 34))).prefix(2) == [0xD9, 0x22])
        #expect(throws: CryptoError.self) { try MsgPack.encode(.number("1.5")) }
    }

    @Test func domainSeparatorConstant() {
        #expect(Hex.encode(Hyperliquid.domainSeparator) == "0xd79297fcdf2ffcd4ae223d01edaa2ba214ff8f401d7c9300d995d17c82aa4040")
    }

    /// The SDK unit test `test_l1_action_signing_order_matches` (published in the SDK repository).
    @Test func sdkUnitTestOrder() throws {
        let action = try JSONParser.parse(#"{"type":"order","orders":[{"a":1,"b":true,"p":"100","s":"100","r":false,"t":{"limit":{"tif":"Gtc"}}}],"grouping":"na"}"#)
        let cid = try Hyperliquid.connectionId(action: action, nonce: 0, vault: nil, expiresAfter: nil)
        #expect(Hex.encode(cid) == "0x884f2c32bb6dbdd65f6033e32fb28c0cb6f5b345db0f6471fd3366d85c9252c1")
        let sig = try Hyperliquid.signL1(action: action, nonce: 0, vault: nil, expiresAfter: nil, mainnet: true, key: k1)
        #expect(Hex.encode(sig.r) == "0xd65369825a9df5d80099e513cce430311d7d26ddf477f5b3a33d2806b100d78e")
        #expect(Hex.encode(sig.s) == "0x2b54116ff64054968aa237c20ca9ff68000f977c93289157748a3162b6ea940e")
        #expect(sig.recoveryId + 27 == 28)
    }

    @Test func sharedVectors() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/vectors/hl_vectors.json").path
        guard let data = FileManager.default.contents(atPath: path) else {
            print("skipping Hyperliquid vectors: \(path) not found (CI always has ../shared)")
            return
        }
        let v = try JSONParser.parse([UInt8](data))
        let key = try Hex.decode(v["private_key"]!.stringValue!)
        let list = v["vectors"]!.arrayValue!
        #expect(list.count == 9)
        for t in list {
            let name = t["name"]?.stringValue ?? "?"
            let action = try JSONParser.parse(t["action_json"]!.stringValue!)
            let nonce = UInt64(t["nonce"]!.intValue!)
            let vault = try t["vaultAddress"]?.stringValue.map { try Hex.decode($0) }
            let expires = t["expiresAfter"]?.intValue.map { UInt64($0) }
            #expect(Hex.encode(try MsgPack.encode(action), prefix: false) == t["msgpack_hex"]?.stringValue, "\(name)")
            #expect(Hex.encode(try Hyperliquid.actionPreimage(action: action, nonce: nonce, vault: vault, expiresAfter: expires), prefix: false)
                    == t["hash_preimage_hex"]?.stringValue, "\(name)")
            let cid = try Hyperliquid.connectionId(action: action, nonce: nonce, vault: vault, expiresAfter: expires)
            #expect(Hex.encode(cid) == t["connectionId"]?.stringValue, "\(name)")
            for (net, mainnet) in [("mainnet", true), ("testnet", false)] {
                guard let exp = t[net], exp != .null else { continue }
                #expect(Hex.encode(Hyperliquid.agentDigest(connectionId: cid, mainnet: mainnet)) == exp["eip712_digest"]?.stringValue, "\(name) \(net)")
                let sig = try Hyperliquid.signL1(action: action, nonce: nonce, vault: vault, expiresAfter: expires, mainnet: mainnet, key: key)
                #expect(Hex.encode(sig.r) == exp["r"]?.stringValue && Hex.encode(sig.s) == exp["s"]?.stringValue, "\(name) \(net)")
                #expect(Int(sig.recoveryId) + 27 == exp["v"]?.intValue, "\(name) \(net)")
            }
        }
    }
}

@Suite struct HyperliquidWireTests {
    @Test(arguments: [("1670.1", "1670.1"), ("100.0", "100"), ("1e-08", "0.00000001"), ("0.30000000000000004", "0.3"), ("-0.0", "-0"),
                      ("1.2e-05", "0.000012"), ("12345678.12345678", "12345678.12345678"), ("0.9999999999999", "1"), ("1000000.0", "1000000")])
    func sdkRule(input: String, wire: String) throws {
        #expect(try Hyperliquid.wire(input) == wire)
    }

    @Test func refusesWhatEightDecimalsCannotHold() {
        #expect(throws: CryptoError.self) { try Hyperliquid.wire("0.123456789") }
        #expect(throws: CryptoError.self) { try Hyperliquid.wire("0.999999999999") } // moves by exactly 1e-12: refused, as the SDK does
        #expect(throws: CryptoError.self) { try Hyperliquid.wire("1.5x") }
    }

    @Test func sharedFloatToWireVectors() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/vectors/hl_vectors.json").path
        guard let data = FileManager.default.contents(atPath: path) else {
            print("skipping float_to_wire vectors: \(path) not found (CI always has ../shared)")
            return
        }
        let cases = try JSONParser.parse([UInt8](data))["float_to_wire"]!.objectValue!
        #expect(cases.count >= 13)
        for c in cases { #expect(try Hyperliquid.wire(c.key) == c.value.stringValue, "\(c.key)") }
    }
}
