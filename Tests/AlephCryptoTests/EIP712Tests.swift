import AlephRPC
import Testing
@testable import AlephCrypto

/// The EIP-712 specification's "Mail" example (published values).
let mailJSON = #"""
{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
 "Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
 "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},
 "primaryType":"Mail",
 "domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
 "message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},"to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}}
"""#

@Suite struct EIP712Tests {
    @Test func mailExample() throws {
        let td = try TypedData(json: try JSONParser.parse(mailJSON))
        #expect(try td.encodeType("Mail") == "Mail(Person from,Person to,string contents)Person(string name,address wallet)")
        #expect(Hex.encode(try td.typeHash("Mail")) == "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2")
        #expect(Hex.encode(try td.typeHash("EIP712Domain")) == "0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f")
        #expect(Hex.encode(try td.domainSeparator()) == "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        #expect(Hex.encode(try td.messageHash()) == "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        #expect(Hex.encode(try td.digest()) == "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
        let sig = try Secp256k1.sign(digest: try td.digest(), key: Keccak256.hash("cow"))
        #expect(sig.recoveryId + 27 == 28)
        #expect(Hex.encode(sig.r) == "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d")
        #expect(Hex.encode(sig.s) == "0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562")
    }

    @Test func derivedDomainTypeWithoutVerifyingContract() throws {
        // Without EIP712Domain in types, the domain type lists only present fields in canonical order.
        let json = #"{"types":{"ClobAuth":[{"name":"address","type":"address"}]},"primaryType":"ClobAuth","domain":{"chainId":137,"version":"1","name":"ClobAuthDomain"},"message":{"address":"0x14791697260e4c9a71f18484c9f997b308e59325"}}"#
        let td = try TypedData(json: try JSONParser.parse(json))
        #expect(try td.encodeType("EIP712Domain") == "EIP712Domain(string name,string version,uint256 chainId)")
        #expect(Hex.encode(try td.typeHash("EIP712Domain")) == "0xc2f8787176b8ac6bf7215b4adcc1e069bf4ab82d9ab1df05a57a91d425935b6e")
    }

    @Test func integersArraysAndErrors() throws {
        let td = try TypedData(json: try JSONParser.parse(#"{"types":{"T":[{"name":"a","type":"int8"}]},"primaryType":"T","domain":{},"message":{"a":-1}}"#))
        #expect(try td.encodeValue("int8", .number("-1"), path: "a") == [UInt8](repeating: 0xFF, count: 32))
        #expect(try td.encodeValue("int8", .number("-128"), path: "a").first == 0xFF)
        #expect(throws: CryptoError.self) { try td.encodeValue("int8", .number("128"), path: "a") }
        #expect(throws: CryptoError.self) { try td.encodeValue("int8", .number("-129"), path: "a") }
        #expect(throws: CryptoError.self) { try td.encodeValue("uint8", .number("256"), path: "a") }
        #expect(throws: CryptoError.self) { try td.encodeValue("uint256", .string("-5"), path: "a") }
        #expect(try td.encodeValue("uint256", .string("0xff"), path: "a") == td.encodeValue("uint256", .number("255"), path: "a"))
        #expect(try td.encodeValue("bytes4", .string("0x01020304"), path: "a").prefix(5) == [1, 2, 3, 4, 0])
        #expect(try td.encodeValue("uint8[2]", .array([.number("1"), .number("2")]), path: "a").count == 32)
        #expect(throws: CryptoError.self) { try td.encodeValue("uint8[3]", .array([.number("1")]), path: "a") }
        #expect(throws: CryptoError.self) { try td.encodeValue("address", .string("0x1234"), path: "a") }
        #expect(throws: CryptoError.self) { try TypedData(json: try JSONParser.parse(#"{"types":{},"primaryType":"X","domain":{},"message":{}}"#)) }
    }
}
