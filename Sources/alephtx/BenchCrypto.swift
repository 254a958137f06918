import AlephCrypto
import AlephVenues
import ArgumentParser
import BigInt
import CSecp256k1
import Foundation

/// `alephtx bench crypto`: ns for keccak-256 (120 B), HMAC-SHA256 of a 120 B query with a
/// precomputed key, and recoverable signing — against libsecp256k1's own C signing call in the same run.
struct BenchCrypto: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crypto", abstract: "keccak-256, HMAC-SHA256 and secp256k1 signing, ns per operation.")

    @Option(help: "Iterations for hashing.") var hashIterations = 500_000
    @Option(help: "Iterations for signing.") var signIterations = 20_000

    func run() throws {
        var rng = SystemRandomNumberGenerator()
        let msg = (0..<120).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let query = Array("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=65000.1&recvWindow=5000&timestamp=1732400000000".utf8.prefix(120))
        let hmacKey = HMACKey(secret: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j") // Binance docs' example secret
        let key = try Hex.decode("0x0123456789012345678901234567890123456789012345678901234567890123") // fake spec key K1
        let digest = Keccak256.hash(msg)

        func time(_ n: Int, _ body: () -> Int) -> Double {
            var sink = 0
            for _ in 0..<min(n, 1000) { sink &+= body() } // warm-up
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<n { sink &+= body() }
            let t1 = DispatchTime.now().uptimeNanoseconds
            if sink == 42 { print("") }
            return (Double(t1 - t0) / Double(n) * 10).rounded() / 10
        }
        var out = [UInt8](repeating: 0, count: 32)
        let keccak = time(hashIterations) {
            msg.withUnsafeBytes { m in out.withUnsafeMutableBytes { o in Keccak256.hash(m, into: o) } }
            return Int(out[0])
        }
        let hmac = time(hashIterations) { Int(hmacKey.authenticate(query)[0]) }
        // libsecp256k1's own recoverable sign, called directly (the reference).
        let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
        defer { secp256k1_context_destroy(ctx) }
        var sig = secp256k1_ecdsa_recoverable_signature()
        var cDigest = digest
        let cSign = time(signIterations) {
            cDigest[0] &+= 1
            _ = secp256k1_ecdsa_sign_recoverable(ctx, &sig, cDigest, key, nil, nil)
            return Int(sig.data.0)
        }
        var sDigest = digest
        let swiftSign = time(signIterations) {
            sDigest[0] &+= 1
            return Int((try? Secp256k1.sign(digest: sDigest, key: key))?.r[0] ?? 0)
        }
        // dYdX v4: a short-term order (the V1 vector's fields) → signed TxRaw bytes: protobuf, SHA-256, secp256k1.
        let owner = "dydx1navfnxx0ywpgtdjevkkmk2k79lvr37jtmp8y6t"
        var clientId: UInt32 = 0
        let dydxPub = CosmosTx.compressed(try Secp256k1.publicKey(of: key))
        let dydx = time(signIterations) {
            clientId &+= 1
            let o = DYDXMessages.Order(id: .init(owner: owner, number: 0, clientId: clientId, orderFlags: 0, clobPairId: 0), side: 1,
                                       quantums: 100_000_000, subticks: 6_500_000_000, goodTil: .block(20_000_020))
            let s = try? CosmosTx.sign(messages: [DYDXMessages.placeOrder(o)], memo: "", chainId: "dydx-mainnet-1", accountNumber: 12345, sequence: 7,
                                       gasLimit: 1_000_000, key: key, compressedPublicKey: dydxPub)
            return s?.txRaw.count ?? 0
        }
        // GMX: a market increase's multicall calldata (ABI encoding of CreateOrderParams inside bytes[]) and its EIP-1559 signature.
        let a20 = [UInt8](repeating: 0x11, count: 20)
        var gmx = GMXOrder(receiver: a20, market: a20, initialCollateralToken: a20, sizeDeltaUsd: BigUInt(5000) * BigUInt(10).power(30),
                           acceptablePrice: BigUInt(3600) * BigUInt(10).power(12), executionFee: 200_000_000_000_000, orderType: .marketIncrease, isLong: true)
        let gmxCalldata = time(signIterations) {
            gmx.sizeDeltaUsd += 1
            return (try? gmx.transaction(orderVault: a20, collateral: 1_000_000_000, nativeCollateral: false).data.count) ?? 0
        }
        var nonce: UInt64 = 0
        let gmxSigned = time(signIterations) {
            nonce += 1
            guard let data = try? gmx.transaction(orderVault: a20, collateral: 1_000_000_000, nativeCollateral: false).data else { return 0 }
            let tx = EthereumTransaction(kind: .eip1559(maxPriorityFeePerGas: [1], maxFeePerGas: [0x05, 0xf5, 0xe1, 0x00], accessList: []), chainId: 42161,
                                         nonce: BigEndian.bytes(nonce), gas: BigEndian.bytes(3_000_000), to: a20, value: BigEndian.bytes(200_000_000_000_000), data: data)
            return (try? tx.sign(key: key).raw.count) ?? 0
        }
        let result: [String: Any] = [
            "bench": "crypto",
            "dydx_short_term_order_to_signed_tx_raw_ns": dydx,
            "gmx_market_increase_multicall_calldata_ns": gmxCalldata,
            "gmx_market_increase_to_signed_eip1559_tx_ns": gmxSigned,
            "keccak256_120B_ns": keccak,
            "hmac_sha256_120B_precomputed_key_ns": hmac,
            "sign_recoverable_ns": swiftSign,
            "libsecp256k1_c_sign_recoverable_ns": cSign,
            "sign_ratio_vs_c": (swiftSign / cSign * 1000).rounded() / 1000,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
    }
}
