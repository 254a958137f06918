import AlephCrypto
import Foundation
import Testing

@Suite struct CosmosTests {
    @Test func ripemd160KnownAnswers() {
        // The algorithm's published test vectors.
        for (text, digest) in [("", "9c1185a5c5e9fc54612808977ee8f548b2258d31"), ("a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"),
                               ("abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"), ("message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"),
                               ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "12a053384a9c0c88e405a06c27dcf49ada62eb2b"),
                               (String(repeating: "1234567890", count: 8), "9b752e45573d4b39f4dbd3323cab82bf63326bfb")] {
            #expect(Hex.encode(RIPEMD160.hash(Array(text.utf8)), prefix: false) == digest, "\(text)")
        }
        #expect(Hex.encode(RIPEMD160.hash([UInt8](repeating: 0x61, count: 1_000_000)), prefix: false) == "52783243c1697bdbe16d37f97f68f08325dc1528")
    }

    @Test func bech32RoundTripsAndRefusesTypos() throws {
        let hash = try Hex.decode("0x9f589998cf238285b65965adbb2ade2fd838fa4b")
        let a = Bech32.encode(hrp: "dydx", hash)
        #expect(a == "dydx1navfnxx0ywpgtdjevkkmk2k79lvr37jtmp8y6t")
        #expect(Bech32.encode(hrp: "cosmos", hash) == "cosmos1navfnxx0ywpgtdjevkkmk2k79lvr37jtjcfq6u")
        #expect(Bech32.decode(a)?.bytes == hash && Bech32.decode(a)?.hrp == "dydx")
        #expect(Bech32.decode(a.uppercased())?.bytes == hash)
        var typo = Array(a)
        typo[10] = typo[10] == "q" ? "p" : "q"
        #expect(Bech32.decode(String(typo)) == nil)
        #expect(Bech32.decode("dydx1navfnxx0ywpgtdjevkkmk2k79lvr37jtmp8y6T") == nil)   // mixed case
        #expect(Bech32.decode("dydx1bxxxxxx") == nil)
    }

    @Test func protoWriterRules() {
        var w = ProtoWriter()
        w.varint(1, 0)
        w.string(2, "")
        w.fixed32(3, 0)
        #expect(w.bytes.isEmpty)
        w.varint(5, 0, always: true)
        w.fixed32(6, 123456789, always: true)
        w.message(7, [])
        w.varint(8, 300)
        #expect(Hex.encode(w.bytes, prefix: false) == "2800" + "3515cd5b07" + "3a00" + "40ac02")
    }
}

@Suite struct HDKeyTests {
    /// BIP-39 "abandon ×11 about" at m/44'/118'/0'/0/0: the key and address in dydx_vectors.json.
    @Test func mnemonicVector() throws {
        let words = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
        let key = try HDKey.cosmosKey(mnemonic: words)
        #expect(Hex.encode(key.bytes, prefix: false) == "c4a48e2fce1481cd3294b4490f6678090ea98d3d0e5cd984558ab0968741b104")
        let pub = CosmosTx.compressed(try Secp256k1.publicKey(of: key.bytes))
        #expect(CosmosTx.address(hrp: "dydx", compressedPublicKey: pub) == "dydx19rl4cm2hmr8afy4kldpxz3fka4jguq0a4erelz")
        // The BIP-39 reference seed of the same words with passphrase "TREZOR".
        #expect(Hex.encode(try HDKey.seed(mnemonic: words, passphrase: "TREZOR"), prefix: false)
                == "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04")
        #expect(throws: CryptoError.self) { try HDKey.seed(mnemonic: "abandon about") }
        #expect(throws: CryptoError.self) { try HDKey.seed(mnemonic: words.uppercased()) }
    }
}
