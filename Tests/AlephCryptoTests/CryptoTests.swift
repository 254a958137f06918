import AlephCore
import Foundation
import Testing
@testable import AlephCrypto

/// Published values (Keccak team, EIP-155 and EIP-712 specifications); the SDK-generated vectors
/// in ../shared/vectors are loaded at test time and never committed.
@Suite struct KeccakTests {
    @Test(arguments: [
        ("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        ("The quick brown fox jumps over the lazy dog", "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"),
        ("transfer(address,uint256)", "a9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b"),
    ])
    func publishedDigests(input: String, digest: String) {
        #expect(Hex.encode(Keccak256.hash(input), prefix: false) == digest)
    }

    @Test func isNotSHA3() {
        // SHA3-256("") differs only by the padding byte; getting it would mean the wrong domain byte.
        #expect(Hex.encode(Keccak256.hash(""), prefix: false) != "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    }

    @Test func blockBoundaries() {
        // Lengths around the 136-byte rate exercise the multi-block path and the padding edge (135 → 0x81).
        var seen = Set<String>()
        for n in [0, 1, 134, 135, 136, 137, 271, 272, 273, 1000] {
            let d = Keccak256.hash([UInt8](repeating: 0x61, count: n))
            #expect(d.count == 32)
            seen.insert(Hex.encode(d))
        }
        #expect(seen.count == 10)
        #expect(Keccak256.hash([UInt8](repeating: 0x61, count: 200)) == Keccak256.hash(Array(String(repeating: "a", count: 200).utf8)))
    }
}

@Suite struct RLPTests {
    @Test func yellowPaperExamples() {
        #expect(RLP.bytes(Array("dog".utf8)).encoded == [0x83, 0x64, 0x6F, 0x67])
        #expect(RLP.list([.bytes(Array("cat".utf8)), .bytes(Array("dog".utf8))]).encoded == [0xC8, 0x83, 0x63, 0x61, 0x74, 0x83, 0x64, 0x6F, 0x67])
        #expect(RLP.bytes([]).encoded == [0x80])
        #expect(RLP.list([]).encoded == [0xC0])
        #expect(RLP.uint(0).encoded == [0x80])
        #expect(RLP.uint(15).encoded == [0x0F])
        #expect(RLP.uint(1024).encoded == [0x82, 0x04, 0x00])
        let lorem = Array("Lorem ipsum dolor sit amet, consectetur adipisicing elit".utf8)
        #expect(RLP.bytes(lorem).encoded == [0xB8, 0x38] + lorem)
        #expect(RLP.list([.list([]), .list([.list([])]), .list([.list([]), .list([.list([])])])]).encoded == [0xC7, 0xC0, 0xC1, 0xC0, 0xC3, 0xC0, 0xC1, 0xC0])
    }

    @Test func bigEndianNumbers() throws {
        #expect(try BigEndian.parse("0", field: "x") == [])
        #expect(try BigEndian.parse("1000000000000000000", field: "x") == Hex.decode("0de0b6b3a7640000"))
        #expect(try BigEndian.parse("0x3e8", field: "x") == [0x03, 0xE8])
        #expect(try BigEndian.parse("115792089237316195423570985008687907853269984665640564039457584007913129639935", field: "x")
                == [UInt8](repeating: 0xFF, count: 32))
        #expect(throws: CryptoError.self) { try BigEndian.parse("-1", field: "x") }
        #expect(throws: CryptoError.self) { try BigEndian.parse("0xzz", field: "x") }
    }
}

@Suite struct SigningTests {
    let k1 = try! Hex.decode("0x0123456789012345678901234567890123456789012345678901234567890123")

    @Test func addressesAndChecksums() throws {
        #expect(EthereumAddress.checksummed(try EthereumAddress.fromPrivateKey(k1)) == "0x14791697260E4c9A71f18484C9f997B308e59325")
        let eip155 = [UInt8](repeating: 0x46, count: 32)
        #expect(EthereumAddress.checksummed(try EthereumAddress.fromPrivateKey(eip155)) == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
        let cow = Keccak256.hash("cow")
        #expect(EthereumAddress.checksummed(try EthereumAddress.fromPrivateKey(cow)) == "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
        #expect(throws: CryptoError.self) { try EthereumAddress.parse("0x14791697260e4C9A71f18484C9f997B308e59325") } // one letter's case flipped
        #expect(try EthereumAddress.parse("0x14791697260e4c9a71f18484c9f997b308e59325").count == 20)
    }

    @Test func rejectsBadKeys() {
        #expect(throws: CryptoError.invalidPrivateKey) { try Secp256k1.publicKey(of: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: CryptoError.invalidPrivateKey) { try Secp256k1.publicKey(of: Secp256k1.order) }
        #expect(throws: CryptoError.invalidPrivateKey) { try Secp256k1.sign(digest: [UInt8](repeating: 1, count: 32), key: [1, 2, 3]) }
    }

    @Test func eip155SpecExample() throws {
        let tx = EthereumTransaction(kind: .legacy(gasPrice: BigEndian.bytes(20_000_000_000)), chainId: 1, nonce: BigEndian.bytes(9),
                                     gas: BigEndian.bytes(21000), to: [UInt8](repeating: 0x35, count: 20),
                                     value: try BigEndian.parse("1000000000000000000", field: "value"), data: [])
        #expect(Hex.encode(tx.signingPayload) == "0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080")
        #expect(Hex.encode(tx.signingHash) == "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        let signed = try tx.sign(key: [UInt8](repeating: 0x46, count: 32))
        #expect(signed.v == 37)
        #expect(Hex.encode(signed.raw) == "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
        #expect(Hex.encode(signed.hash) == "0x33469b22e9f636356c4160a87eb19df52b7412e8eac32a4a55ffe88ea8350788")
    }

    /// ≥ 1,000 random keys and messages: recovery returns the signer, s is low, signing is deterministic.
    @Test func propertiesOverRandomKeys() throws {
        var rng = SeededRandom(seed: 5)
        for _ in 0..<1000 {
            var key = (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if !Secp256k1.isValidPrivateKey(key) { key[0] = 1 }
            let msg = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let digest = Keccak256.hash(msg)
            let sig = try Secp256k1.sign(digest: digest, key: key)
            #expect(try Secp256k1.recover(digest: digest, signature: sig) == Secp256k1.publicKey(of: key))
            #expect(sig.s.lexicographicallyPrecedes(Secp256k1.halfOrder) || sig.s == Secp256k1.halfOrder)
            #expect(sig.recoveryId <= 1)
            #expect(try Secp256k1.sign(digest: digest, key: key) == sig)
        }
    }
}

/// Every vector from ../shared/vectors/crypto_vectors.json (produced with eth-account / eth-keys).
@Suite struct SharedCryptoVectorTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/vectors/crypto_vectors.json").path

    static func load() -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path) else {
            print("skipping shared crypto vectors: \(path) not found (CI always has ../shared)")
            return nil
        }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func number(_ v: Any?, _ field: String) throws -> [UInt8] {
        if let s = v as? String { return try BigEndian.parse(s, field: field) }
        if let n = v as? NSNumber { return try BigEndian.parse(n.stringValue, field: field) }
        return []
    }

    @Test func keccakAndAddresses() throws {
        guard let v = Self.load() else { return }
        for (input, digest) in v["keccak256"] as? [String: String] ?? [:] {
            #expect(Hex.encode(Keccak256.hash(input), prefix: false) == digest.replacingOccurrences(of: "0x", with: ""))
        }
        let a = v["address_derivation"] as! [String: String]
        let key = try Hex.decode(a["private_key"]!)
        #expect(Hex.encode(try Secp256k1.publicKey(of: key)) == a["public_key_uncompressed_xy"])
        #expect(EthereumAddress.checksummed(try EthereumAddress.fromPrivateKey(key)) == a["address_eip55"])
        let p = v["personal_sign_hello"] as! [String: Any]
        let msg = Array("\u{19}Ethereum Signed Message:\n5hello".utf8)
        let sig = try Secp256k1.sign(digest: Keccak256.hash(msg), key: key)
        #expect(Hex.encode(sig.ethereumBytes) == (p["signature"] as? String))
    }

    @Test func transactions() throws {
        guard let v = Self.load() else { return }
        let txs = v["transactions"] as! [[String: Any]]
        #expect(txs.count == 4)
        for (index, t) in txs.enumerated() {
            let f = t["tx"] as! [String: Any]
            let kind: EthereumTransaction.Kind
            if (f["type"] as? NSNumber)?.intValue == 2 {
                let list = (f["accessList"] as? [[String: Any]] ?? []).map { e in
                    EthereumTransaction.AccessListEntry(address: try! Hex.decode(e["address"] as! String),
                                                        storageKeys: (e["storageKeys"] as! [String]).map { try! Hex.decode($0) })
                }
                kind = .eip1559(maxPriorityFeePerGas: try Self.number(f["maxPriorityFeePerGas"], "prio"), maxFeePerGas: try Self.number(f["maxFeePerGas"], "max"), accessList: list)
            } else {
                kind = .legacy(gasPrice: try Self.number(f["gasPrice"], "gasPrice"))
            }
            let tx = EthereumTransaction(kind: kind, chainId: (f["chainId"] as! NSNumber).uint64Value, nonce: try Self.number(f["nonce"], "nonce"),
                                         gas: try Self.number(f["gas"], "gas"), to: try (f["to"] as? String).map { try Hex.decode($0) },
                                         value: try Self.number(f["value"], "value"), data: try Hex.decode(f["data"] as? String ?? "0x"))
            let signed = try tx.sign(key: try Hex.decode(t["private_key"] as! String))
            let name = t["name"] as! String
            if index == 2 {
                #expect(Hex.encode(tx.signingPayload) == v["eip1559_tx3_signing_preimage"] as? String)
                #expect(Hex.encode(tx.signingHash) == v["eip1559_tx3_signing_hash"] as? String)
            }
            #expect(Hex.encode(signed.raw) == t["raw_signed_tx"] as? String, "\(name)")
            #expect(Hex.encode(signed.hash) == t["tx_hash"] as? String, "\(name)")
            #expect(signed.v == (t["v"] as! NSNumber).uint64Value, "\(name)")
            #expect(EthereumAddress.checksummed(try EthereumAddress.fromPrivateKey(try Hex.decode(t["private_key"] as! String))) == t["from"] as? String)
        }
    }
}

@Suite struct SignerTests {
    @Test func localSignerSignsForItsAddressAndNeverPrintsTheKey() async throws {
        let key = try PrivateKey(bytes: Keccak256.hash("cow"))
        let signer: any Signer = try LocalSigner(key: key)
        let digest = Keccak256.hash("hello")
        let sig = try await signer.sign(digest: digest)
        #expect(try EthereumAddress.fromPublicKey(try Secp256k1.recover(digest: digest, signature: sig)) == signer.address)
        #expect("\(key)" == "PrivateKey(redacted)" && String(reflecting: key) == "PrivateKey(redacted)")
        #expect(!"\(signer)".contains(Hex.encode(key.bytes, prefix: false)))
    }
}
