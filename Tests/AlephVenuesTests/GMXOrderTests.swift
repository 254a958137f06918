import AlephCore
import AlephCrypto
@testable import AlephVenues
import BigInt
import Foundation
import Testing

/// The GMX v2.2 calldata vectors (G1 native-collateral market increase, G2 ERC-20 limit increase,
/// G3 stop-loss decrease), produced with eth-abi by the vectors' generator.
@Suite struct GMXOrderTests {
    static func load() -> [String: Any]? {
        let url = SharedData.root.deletingLastPathComponent().appendingPathComponent("vectors/gmx_vectors.json")
        guard let d = try? Data(contentsOf: url) else {
            print("SKIPPED: \(url.path) not found (../shared is only guaranteed in CI)")
            return nil
        }
        return (try? JSONSerialization.jsonObject(with: d)) as? [String: Any]
    }

    static func order(_ p: [String: Any]) throws -> GMXOrder {
        let a = p["addresses"] as! [String: Any], n = p["numbers"] as! [String: String]
        func addr(_ k: String) throws -> [UInt8] { try EthereumAddress.parse(a[k] as! String) }
        func num(_ k: String) -> BigUInt { BigUInt(n[k]!)! }
        var o = GMXOrder(receiver: try addr("receiver"), market: try addr("market"), initialCollateralToken: try addr("initialCollateralToken"),
                         sizeDeltaUsd: num("sizeDeltaUsd"), acceptablePrice: num("acceptablePrice"), executionFee: num("executionFee"),
                         orderType: GMXOrder.OrderType(rawValue: UInt8(p["orderType"] as! Int))!, isLong: p["isLong"] as! Bool)
        o.cancellationReceiver = try addr("cancellationReceiver")
        o.callbackContract = try addr("callbackContract")
        o.uiFeeReceiver = try addr("uiFeeReceiver")
        o.swapPath = try (a["swapPath"] as! [String]).map { try EthereumAddress.parse($0) }
        o.initialCollateralDeltaAmount = num("initialCollateralDeltaAmount")
        o.triggerPrice = num("triggerPrice")
        o.callbackGasLimit = num("callbackGasLimit")
        o.minOutputAmount = num("minOutputAmount")
        o.validFromTime = num("validFromTime")
        o.decreasePositionSwapType = UInt8(p["decreasePositionSwapType"] as! Int)
        o.shouldUnwrapNativeToken = p["shouldUnwrapNativeToken"] as! Bool
        o.autoCancel = p["autoCancel"] as! Bool
        o.referralCode = try Hex.decode(p["referralCode"] as! String)
        o.dataList = try (p["dataList"] as! [String]).map { try Hex.decode($0) }
        return o
    }

    @Test func calldataVectors() throws {
        guard let v = Self.load() else { return }
        let vectors = v["vectors"] as! [[String: Any]]
        let vault = try EthereumAddress.parse((v["addresses"] as! [String: String])["OrderVault"]!)
        #expect(vectors.count == 3)
        for g in vectors {
            let o = try Self.order(g["createOrderParams"] as! [String: Any])
            #expect(Hex.encode(try o.createOrderCalldata()) == g["createOrder_calldata"] as! String, "\(g["name"]!)")
            let inner = g["inner_calls"] as! [String]
            #expect(Hex.encode(try GMXOrder.multicall(try inner.map { try Hex.decode($0) })) == g["multicall_calldata"] as! String)
            // The whole transaction from the order and its collateral, as the venue will build it.
            let value = BigUInt(g["value_wei"] as! String)!
            let native = o.orderType.isIncrease && inner.count == 2
            let collateral: BigUInt
            if native { collateral = value - o.executionFee } else if inner.count == 3 {
                guard case .uint(let amt) = try ABI.decode([.address, .address, .uint(256)], Array(try Hex.decode(inner[1]).dropFirst(4)))[2] else { return }
                collateral = amt
            } else { collateral = 0 }
            let tx = try o.transaction(orderVault: vault, collateral: collateral, nativeCollateral: native)
            #expect(Hex.encode(tx.data) == g["multicall_calldata"] as! String && tx.value == value, "\(g["name"]!)")
        }
        let other = v["other_calls"] as! [String: String]
        let key = try Hex.decode("0x69d633259c6db7bfae5d4f6ce3273ea9ce14aee779bc008c5d1cbe8131c67422")
        #expect(Hex.encode(try GMXOrder.cancelOrder(key)) == other["cancelOrder(example key)"])
        let router = try EthereumAddress.parse((v["addresses"] as! [String: String])["Router"]!)
        #expect(Hex.encode(try ABI.call("approve(address,uint256)", [.address(router), .uint((BigUInt(1) << 256) - 1)])) == other["erc20_approve_router_max"])
        let sels = v["selectors"] as! [String: String]
        #expect(Hex.encode(ABI.selector(GMXOrder.createOrderSignature)) == sels["createOrder_v2.2"])
    }
}

/// GMX units: 30-decimal USD, prices per smallest index-token unit, EventLogData by key.
@Suite struct GMXUnitsTests {
    @Test func pricesAndSizes() throws {
        // ETH (18 decimals) at $3600 is 3600 × 10^12; BTC (8 decimals) at $70,000 is 70,000 × 10^22.
        #expect(GMXExecutor.priceUnits("3600", indexDecimals: 18) == BigUInt(3600) * BigUInt(10).power(12))
        #expect(GMXExecutor.priceUnits("70000", indexDecimals: 8) == BigUInt(70000) * BigUInt(10).power(22))
        #expect(GMXExecutor.price(BigUInt(36005) * BigUInt(10).power(11), indexDecimals: 18) == Fixed("3600.5"))
        #expect(GMXExecutor.usd30("5000") == BigUInt(5000) * BigUInt(10).power(30))
        #expect(GMXExecutor.tokens(BigUInt(5) * BigUInt(10).power(17), decimals: 18) == Fixed("0.5"))
    }

    @Test func eventLogDataIsReadByKey() throws {
        let dataType = try ABIType.parse("(((string,address)[],(string,address[])[]),((string,uint256)[],(string,uint256[])[]),((string,int256)[],(string,int256[])[]),((string,bool)[],(string,bool[])[]),((string,bytes32)[],(string,bytes32[])[]),((string,bytes)[],(string,bytes[])[]),((string,string)[],(string,string[])[]))")
        let key = [UInt8](repeating: 7, count: 32), acct = [UInt8](repeating: 9, count: 20)
        func section(_ items: [ABIValue]) -> ABIValue { .tuple([.array(items), .array([])]) }
        let data: ABIValue = .tuple([
            section([.tuple([.string("account"), .address(acct)])]),
            section([.tuple([.string("executionPrice"), .uint(36)]), .tuple([.string("sizeDeltaInTokens"), .uint(5)])]),
            section([]), section([.tuple([.string("isLong"), .bool(true)])]), section([.tuple([.string("orderKey"), .fixedBytes(key)])]),
            section([]), section([.tuple([.string("reason"), .string("x")])]),
        ])
        let body = try ABI.encode([.address, .string, dataType], [.address(acct), .string("PositionIncrease"), data])
        let log = EVMLog(address: acct, topics: [GMXEvent.eventLog1, GMXEvent.nameHash("PositionIncrease"), [UInt8](repeating: 0, count: 12) + acct], data: body)
        let e = try #require(GMXEvent.decode(log))
        #expect(e.name == "PositionIncrease" && e.uints["executionPrice"] == 36 && e.uints["sizeDeltaInTokens"] == 5 && e.bools["isLong"] == true)
        #expect(e.bytes32s["orderKey"] == key && e.addresses["account"] == acct && e.strings["reason"] == "x" && e.topic2 == nil)
        // A name that does not match its indexed hash, or another event: not GMX's.
        var wrong = log
        wrong.topics[1] = GMXEvent.nameHash("OrderExecuted")
        #expect(GMXEvent.decode(wrong) == nil)
    }
}
