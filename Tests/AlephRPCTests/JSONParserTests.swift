import AlephCore
import Testing
@testable import AlephRPC

@Suite struct JSONParserTests {
    @Test func parsesValues() throws {
        let v = try JSONParser.parse(#" {"a":[1,-2.5e3,true,false,null,"x\n\u00e9\ud83d\ude00"],"b":{}} "#)
        #expect(v["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null, .string("x\né😀")]))
        #expect(v["b"] == .object([]))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\"}", "{\"a\":}", "01", "1.", "-", "1e", "tru", "\"\\x\"", "\"\u{01}\"",
                      "\"\\ud800\"", "\"\\udc00x\"", "[1] 2", "{'a':1}", "NaN", "[\"unterminated]"])
    func rejects(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        let overlong: [UInt8] = [0x22, 0xC0, 0xAF, 0x22]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(overlong) }
    }

    @Test func depthIsBounded() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(ok)
    }

    @Test func writerRoundTrips() throws {
        let v: JSON = .object([JSONMember("s", .string("q\"\\\n\t\u{01}é")), JSONMember("n", .number("1.50")),
                               JSONMember("a", .array([.null, .bool(true)]))])
        let text = JSONWriter.string(v)
        #expect(text == #"{"s":"q\"\\\n\t\u0001é","n":1.50,"a":[null,true]}"#)
        #expect(try JSONParser.parse(text) == v)
    }

    /// Escapes at the edges and back to back, around bulk-copied runs (native and bridged strings).
    @Test func writerEscapesRuns() throws {
        let cases: [(String, String)] = [("\"", #""\"""#), ("ab\"\"cd", #""ab\"\"cd""#), ("\n", #""\n""#), ("x\u{1F}", #""x\u001f""#),
                                         ("", #""""#), ("é\\", #""é\\""#), (String(repeating: "long-run ", count: 40), "\"" + String(repeating: "long-run ", count: 40) + "\"")]
        for (input, expected) in cases {
            var out: [UInt8] = []
            JSONWriter.writeString(input, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == expected)
            #expect(try JSONParser.parse(out) == .string(input))
        }
    }

    /// 100,000 random, truncated and mutated inputs: the parser returns or throws, never traps,
    /// and whatever it accepts survives a write/parse round trip unchanged.
    @Test func fuzz() throws {
        var rng = SeededRandom(seed: 2026)
        let seeds = [#"{"jsonrpc":"2.0","id":1,"method":"place_signal","params":{"intent_id":"a","quantity":"0.5","x":[1,2,{"y":null}]}}"#,
                     #"[{"jsonrpc":"2.0","method":"ping"},{"id":"é","a":"\ud83d\ude00\n"}]"#, #"{"a":-1.5e-7,"b":true,"c":"\u0041"}"#]
        let alphabet = Array(#"{}[]",:0123456789-+.eE\"tfnul \u"#.utf8) + [0xFF, 0xC3, 0xA9, 0x00, 0x0A]
        var accepted = 0
        for k in 0..<100_000 {
            var bytes = Array(seeds[k % seeds.count].utf8)
            switch rng.next() % 4 {
            case 0: bytes = bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1))).map { $0 }
            case 1:
                for _ in 0..<(1 + rng.next() % 4) { bytes[Int(rng.next() % UInt64(bytes.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            case 2:
                bytes = (0..<Int(rng.next() % 64)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            default:
                let i = Int(rng.next() % UInt64(bytes.count))
                bytes.insert(contentsOf: bytes[i...].prefix(Int(rng.next() % 16)), at: i)
            }
            if let v = try? JSONParser.parse(bytes) {
                accepted += 1
                #expect(try JSONParser.parse(JSONWriter.bytes(v)) == v)
                _ = bytes.withUnsafeBytes { RPCEnvelope.decode($0) }
            }
        }
        #expect(accepted > 100)
    }
}

@Suite struct EnvelopeTests {
    func decode(_ s: String) -> RPCMessage {
        var copy = s
        return copy.withUTF8 { RPCEnvelope.decode(UnsafeRawBufferPointer($0)) }
    }

    @Test func requestsAndNotifications() {
        #expect(decode(#"{"jsonrpc":"2.0","id":"x","method":"ping"}"#) == .single(.request(RPCRequest(id: .string("x"), method: "ping", params: nil))))
        #expect(decode(#"{"jsonrpc":"2.0","method":"ping","params":{}}"#) == .single(.request(RPCRequest(id: nil, method: "ping", params: .object([])))))
        #expect(decode(#"{"jsonrpc":"2.0","id":1.0,"method":"ping"}"#) == .single(.request(RPCRequest(id: .number("1.0"), method: "ping", params: nil))))
    }

    @Test func errors() {
        guard case .failure(let e) = decode("[]") else { Issue.record("empty batch"); return }
        #expect(e.code == -32600)
        guard case .failure(let p) = decode("{") else { Issue.record("parse"); return }
        #expect(p.code == -32700)
        guard case .single(.invalid(let id, let err)) = decode(#"{"jsonrpc":"2.0","id":5,"method":1}"#) else { Issue.record("method"); return }
        #expect(id == .number("5") && err.code == -32600)
        guard case .single(.invalid(let id2, _)) = decode(#"{"jsonrpc":"2.0","id":[1],"method":"a"}"#) else { Issue.record("id"); return }
        #expect(id2 == .null)
        guard case .batch(let calls) = decode(#"[1,{"jsonrpc":"2.0","method":"a"}]"#) else { Issue.record("batch"); return }
        #expect(calls.count == 2)
    }

    @Test func writesResponses() {
        var out: [UInt8] = []
        RPCEnvelope.writeError(id: .string("a"), error: .invalidParams(field: "depth", reason: "must be an integer"), into: &out)
        #expect(String(decoding: out, as: UTF8.self) ==
                #"{"jsonrpc":"2.0","id":"a","error":{"code":-32602,"message":"Invalid params","data":{"code":"invalid_params","field":"depth","reason":"must be an integer"}}}"#)
    }

    @Test func paramsAreStrict() throws {
        let p = try Params(.object([JSONMember("q", .number("0.5")), JSONMember("s", .string("buy"))]), allowed: ["q", "s"])
        #expect(try p.decimal("q") == Fixed("0.5"))
        #expect(try p.enumValue("s", Side.self) == .buy)
        #expect(throws: RPCError.self) { try Params(.object([JSONMember("zz", .null)]), allowed: ["q"]) }
        #expect(throws: RPCError.self) { try Params(.array([]), allowed: ["q"]) }
        do {
            _ = try p.int("q", default: 1, range: 1...5)
            Issue.record("expected an error")
        } catch {
            #expect(error.data?["field"] == .string("q"))
        }
    }

    @Test func appCodesAreInRange() {
        for c in AppErrorCode.allCases { #expect((-32099)...(-32000) ~= c.number) }
        #expect(Set(AppErrorCode.allCases.map(\.number)).count == AppErrorCode.allCases.count)
    }
}
