import AlephCrypto
import AlephRPC
import BigInt
import Foundation
import Testing

@Suite struct ABITests {
    func hex(_ b: [UInt8]) -> String { Hex.encode(b) }

    @Test func typesParseToTheirCanonicalForm() throws {
        for (text, canonical) in [("uint", "uint256"), ("int", "int256"), ("(address,bytes)[]", "(address,bytes)[]"), ("uint8[3][]", "uint8[3][]"),
                                  ("((uint,bool)[2],string)", "((uint256,bool)[2],string)"), ("bytes32", "bytes32"), ("()", "()")] {
            #expect(try ABIType.parse(text).description == canonical)
        }
        for bad in ["uint7", "uint264", "bytes0", "bytes33", "int0", "uint08", "foo", "(uint256", "uint256[", "uint256[0]", "(uint256,)", "uint256 x", ""] {
            #expect(throws: ABIError.self, "\(bad)") { try ABIType.parse(bad) }
        }
        #expect(try ABIType.parse("uint8[3][]") == .array(.fixedArray(.uint(8), 3)))
        #expect(try ABIType.parse("(bool,string)").isDynamic && !(try ABIType.parse("(bool,uint8[2])").isDynamic))
        #expect(try ABIType.parse("(bool,uint8[2])").headSize == 96)
    }

    @Test func knownSelectorsAndTopics() {
        #expect(hex(ABI.selector("transfer(address,uint256)")) == "0xa9059cbb")
        #expect(hex(ABI.selector("balanceOf(address)")) == "0x70a08231")
        #expect(hex(ABI.topic("Transfer(address,address,uint256)")) == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
    }

    @Test func erc20CalldataFromTheSpec() throws {
        let a = try EthereumAddress.parse("0x14791697260E4c9A71f18484C9f997B308e59325")
        #expect(hex(try ABI.call("balanceOf(address)", [.address(a)])) == "0x70a08231000000000000000000000000" + "14791697260e4c9a71f18484c9f997b308e59325")
    }

    @Test func integersAtTheirLimits() throws {
        #expect(hex(try ABI.encode([.int(8)], [.int(-1)])) == "0x" + String(repeating: "ff", count: 32))
        #expect(hex(try ABI.encode([.int(256)], [.int(-(BigInt(1) << 255))])) == "0x80" + String(repeating: "00", count: 31))
        #expect(throws: ABIError.self) { try ABI.encode([.uint(8)], [.uint(256)]) }
        #expect(throws: ABIError.self) { try ABI.encode([.int(8)], [.int(128)]) }
        #expect(throws: ABIError.self) { try ABI.encode([.int(8)], [.int(-129)]) }
        #expect(throws: ABIError.self) { try ABI.encode([.uint(256)], [.bool(true)]) }
        let max = (BigUInt(1) << 256) - 1
        #expect(try ABI.decode([.uint(256)], ABI.encode([.uint(256)], [.uint(max)])) == [.uint(max)])
        #expect(try ABI.decode([.int(16)], ABI.encode([.int(16)], [.int(-300)])) == [.int(-300)])
    }

    @Test func nestedDynamicRoundTrip() throws {
        let t = try ABIType.parse("((address,bytes)[],string,uint8[2][],bytes3)")
        let a = [UInt8](repeating: 0xab, count: 20)
        let v: ABIValue = .tuple([.array([.tuple([.address(a), .bytes([1, 2, 3])]), .tuple([.address(a), .bytes([])])]), .string("héllo ✓"),
                                  .array([.array([.uint(1), .uint(2)]), .array([.uint(3), .uint(255)])]), .fixedBytes([9, 8, 7])])
        let enc = try ABI.encode([t], [v])
        #expect(try ABI.decode([t], enc) == [v])
        // Garbage never crashes: every truncation and every single-byte corruption either decodes or throws.
        for cut in stride(from: 0, to: enc.count, by: 7) { _ = try? ABI.decode([t], Array(enc.prefix(cut))) }
        for k in stride(from: 0, to: enc.count, by: 3) {
            var bad = enc
            bad[k] ^= 0xff
            _ = try? ABI.decode([t], bad)
        }
        // A huge length or offset is refused, not allocated.
        var huge = try ABI.encode([.array(.uint(256))], [.array([.uint(1)])])
        huge[63] = 0xff
        huge[62] = 0xff
        #expect(throws: ABIError.self) { try ABI.decode([.array(.uint(256))], huge) }
    }

    @Test func revertData() throws {
        let msg = try ABI.call("Error(string)", [.string("ERC20: transfer amount exceeds balance")])
        #expect(ABIRevert.decode(msg) == .error("ERC20: transfer amount exceeds balance"))
        #expect(ABIRevert.decode(try ABI.call("Panic(uint256)", [.uint(0x12)])).description == "Panic(0x12: division or modulo by zero)")
        let custom = try ABI.call("InsufficientExecutionFee(uint256,uint256)", [.uint(5), .uint(3)])
        #expect(hex(Array(custom.prefix(4))) == "0x5dac504d")
        #expect(ABIRevert.decode(custom, errors: ["InsufficientExecutionFee(uint256,uint256)"]) ==
                .custom(signature: "InsufficientExecutionFee(uint256,uint256)", values: [.uint(5), .uint(3)]))
        #expect(ABIRevert.decode(custom).description == "custom error 0x5dac504d with 64 bytes of arguments")
        #expect(ABIRevert.decode([]) == .empty)
    }

    @Test func eventsWithIndexedParameters() throws {
        let e = try ABIEvent("Transfer(address,address,uint256)", indexed: [true, true, false])
        let from = [UInt8](repeating: 1, count: 20), to = [UInt8](repeating: 2, count: 20)
        let topics = [e.topic0, [UInt8](repeating: 0, count: 12) + from, [UInt8](repeating: 0, count: 12) + to]
        #expect(try e.decode(topics: topics, data: ABI.encode([.uint(256)], [.uint(77)])) == [.address(from), .address(to), .uint(77)])
        let s = try ABIEvent("Named(string,uint256)", indexed: [true, false])
        let h = Keccak256.hash(Array("OrderCreated".utf8))
        #expect(try s.decode(topics: [s.topic0, h], data: ABI.encode([.uint(256)], [.uint(1)])) == [.fixedBytes(h), .uint(1)])
        #expect(throws: ABIError.self) { try e.decode(topics: [s.topic0], data: []) }
    }

    @Test func jsonForm() throws {
        let t = try ABIType.parse("(uint256,int8,address,bytes2,bool,string)[]")
        let json = try JSONParser.parse(Array(#"[["123456789012345678901234567890", -5, "0x14791697260E4c9A71f18484C9f997B308e59325", "0xbeef", true, "x"]]"#.utf8))
        let v = try ABIJSON.value(json, t)
        #expect(JSONWriter.string(ABIJSON.json(v)) == #"[[123456789012345678901234567890,-5,"0x14791697260E4c9A71f18484C9f997B308e59325","0xbeef",true,"x"]]"#)
        #expect(throws: ABIError.self) { try ABIJSON.value(.number("1.5"), .uint(256)) }
        #expect(throws: ABIError.self) { try ABIJSON.value(.number("-1"), .uint(256)) }
        #expect(throws: ABIError.self) { try ABIJSON.value(.string("0x14791697260e4c9A71f18484C9f997B308e59325"), .address) }
    }
}
