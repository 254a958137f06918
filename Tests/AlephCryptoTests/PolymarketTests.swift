import AlephCore
import AlephRPC
import Foundation
import Testing
@testable import AlephCrypto

@Suite struct PolymarketTests {
    /// The official SDK's ClobAuth unit test (its published well-known test key).
    @Test func clobAuthSDKUnitTest() throws {
        let key = try Hex.decode("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        let address = EthereumAddress.checksummed(try EthereumAddress.fromPrivateKey(key))
        #expect(address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        let td = try TypedData(json: Polymarket.clobAuth(address: address, timestamp: "10000000", nonce: "23", chainId: 80002))
        #expect(Hex.encode(try td.typeHash("ClobAuth")) == "0x52578c5c725a28a84fedc8c22aa47947822942f35b4dc350db028e45320e035c")
        let sig = try Secp256k1.sign(digest: try td.digest(), key: key)
        #expect(Hex.encode(sig.ethereumBytes) == "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b")
    }

    static func load(_ file: String) -> JSON? {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/vectors/\(file)").path
        guard let data = FileManager.default.contents(atPath: path) else {
            print("skipping \(file): \(path) not found (CI always has ../shared)")
            return nil
        }
        return try? JSONParser.parse([UInt8](data))
    }

    static func text(_ v: JSON?) -> String {
        switch v {
        case .number(let n)?: return n
        case .string(let s)?: return s
        default: return "0"
        }
    }

    @Test func v1Orders() throws {
        guard let v = Self.load("pm_vectors.json") else { return }
        let key = try Hex.decode(v["private_key"]!.stringValue!)
        let address = EthereumAddress.checksummed(try EthereumAddress.fromPrivateKey(key))
        let orders = v["orders"]!.arrayValue!
        #expect(orders.count >= 5)
        for t in orders {
            let i = t["inputs"]!
            let order = Polymarket.Order(version: 1, chainId: 137, exchange: t["verifyingContract"]!.stringValue!, salt: Self.text(i["salt"]), maker: address,
                                         signer: address, taker: "0x0000000000000000000000000000000000000000", tokenId: Self.text(i["tokenId"]),
                                         makerAmount: Self.text(t["makerAmount"]), takerAmount: Self.text(t["takerAmount"]), expiration: Self.text(i["expiration"]),
                                         nonce: Self.text(i["nonce"]), feeRateBps: Self.text(i["feeRateBps"]), side: i["side"]!.stringValue!, signatureType: 0,
                                         timestamp: "0", metadata: "", builder: "")
            let (digest, signature) = try Polymarket.sign(order, key: key)
            let name = t["name"]?.stringValue ?? "?"
            #expect(Hex.encode(digest) == t["digest"]?.stringValue, "\(name)")
            #expect(signature == t["signature"]?.stringValue, "\(name)")
            let body = try JSONParser.parse(t["post_body_json"]!.stringValue!)
            let ours = order.postBody(signature: signature, owner: body["owner"]!.stringValue!, orderType: body["orderType"]!.stringValue!,
                                      postOnly: body["postOnly"]?.boolValue ?? false, deferExec: false)
            #expect(ours == t["post_body_json"]?.stringValue, "\(name)")
        }
        let auth = v["clob_auth"]!
        let td = try TypedData(json: Polymarket.clobAuth(address: address, timestamp: Self.text(auth["timestamp"]), nonce: Self.text(auth["nonce"]), chainId: 137))
        #expect(Hex.encode(try td.digest()) == auth["digest"]?.stringValue)
        #expect(Hex.encode(try Secp256k1.sign(digest: try td.digest(), key: key).ethereumBytes) == auth["signature"]?.stringValue)
    }

    @Test func v2Orders() throws {
        guard let v = Self.load("pm_v2_vectors.json"), let v1 = Self.load("pm_vectors.json") else { return }
        let key = try Hex.decode(v1["private_key"]!.stringValue!)
        let address = EthereumAddress.checksummed(try EthereumAddress.fromPrivateKey(key))
        for t in v["orders"]!.arrayValue! {
            let body = try JSONParser.parse(t["post_body_json"]!.stringValue!)
            let b = body["order"]!
            let order = Polymarket.Order(version: 2, chainId: 137, exchange: t["verifyingContract"]!.stringValue!, salt: Self.text(t["salt"]), maker: address,
                                         signer: address, taker: "", tokenId: Self.text(b["tokenId"]), makerAmount: Self.text(t["makerAmount"]),
                                         takerAmount: Self.text(t["takerAmount"]), expiration: Self.text(b["expiration"]), nonce: "0", feeRateBps: "0",
                                         side: b["side"]!.stringValue!, signatureType: 0, timestamp: Self.text(t["timestamp"]),
                                         metadata: t["metadata"]!.stringValue!, builder: t["builder"]!.stringValue!)
            let (digest, signature) = try Polymarket.sign(order, key: key)
            let name = t["name"]?.stringValue ?? "?"
            #expect(Hex.encode(digest) == t["digest"]?.stringValue, "\(name)")
            #expect(signature == t["signature"]?.stringValue, "\(name)")
            let ours = order.postBody(signature: signature, owner: body["owner"]!.stringValue!, orderType: body["orderType"]!.stringValue!,
                                      postOnly: body["postOnly"]?.boolValue ?? false, deferExec: body["deferExec"]?.boolValue ?? false)
            #expect(ours == t["post_body_json"]?.stringValue, "\(name)")
        }
    }
}

@Suite struct PolymarketAmountTests {
    @Test(arguments: [
        ("BUY", "100", "0.52", "0.01", "52000000", "100000000"), ("BUY", "3.333", "0.33", "0.01", "1098900", "3330000"),
        ("SELL", "3.333", "0.33", "0.01", "3330000", "1098900"), ("BUY", "12.345", "0.0345", "0.0001", "425730", "12340000"),
        ("SELL", "37.5", "0.073", "0.001", "37500000", "2737500"), ("BUY", "5", "0.125", "0.01", "600000", "5000000"),
        ("BUY", "1", "0.999", "0.001", "999000", "1000000"), ("SELL", "0.01", "0.5", "0.1", "10000", "5000"),
    ])
    func limitOrders(side: String, size: String, price: String, tick: String, maker: String, taker: String) throws {
        let a = try Polymarket.Amounts.limit(side: side, size: Fixed(parsing: size), price: Fixed(parsing: price), tick: tick)
        #expect(a.maker == maker && a.taker == taker)
    }

    @Test func marketBuy() throws {
        let a = try Polymarket.Amounts.market(side: "BUY", amount: "25", price: "0.61", tick: "0.01")
        #expect(a.maker == "25000000" && a.taker == "40983600")
        #expect(throws: CryptoError.self) { try Polymarket.Amounts.limit(side: "BUY", size: "1", price: "0.5", tick: "0.02") }
    }

    @Test func sharedRoundingAndOrderInputs() throws {
        guard let v = PolymarketTests.load("pm_vectors.json") else { return }
        func fx(_ j: JSON?) throws -> Fixed { try Fixed(parsing: PolymarketTests.text(j)) }
        let examples = v["rounding_examples"]!.arrayValue!
        for e in examples {
            let a = try Polymarket.Amounts.limit(side: e["side"]!.stringValue!, size: fx(e["size"]), price: fx(e["price"]), tick: e["tick"]!.stringValue!)
            #expect(a.maker == PolymarketTests.text(e["makerAmount"]) && a.taker == PolymarketTests.text(e["takerAmount"]), "\(e)")
        }
        #expect(examples.count == 8)
        for t in v["orders"]!.arrayValue! {
            let i = t["inputs"]!
            let side = i["side"]!.stringValue!, tick = i["tick_size"]!.stringValue!
            let a = i["market_order"]?.boolValue == true
                ? try Polymarket.Amounts.market(side: side, amount: fx(i["amount"]), price: fx(i["price"]), tick: tick)
                : try Polymarket.Amounts.limit(side: side, size: fx(i["size"]), price: fx(i["price"]), tick: tick)
            #expect(a.maker == PolymarketTests.text(t["makerAmount"]) && a.taker == PolymarketTests.text(t["takerAmount"]), "\(t["name"]!)")
        }
    }
}
