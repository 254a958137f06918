import AlephCrypto
import AlephVenues
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
