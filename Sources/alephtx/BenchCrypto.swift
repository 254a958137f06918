import AlephCrypto
import ArgumentParser
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
        let result: [String: Any] = [
            "bench": "crypto",
            "keccak256_120B_ns": keccak,
            "hmac_sha256_120B_precomputed_key_ns": hmac,
            "sign_recoverable_ns": swiftSign,
            "libsecp256k1_c_sign_recoverable_ns": cSign,
            "sign_ratio_vs_c": (swiftSign / cSign * 1000).rounded() / 1000,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
    }
}
