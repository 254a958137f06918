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
