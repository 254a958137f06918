import AlephRPC
import Foundation
import Testing
@testable import AlephGateway

@Suite struct SchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyMethodHasSchemasAndEverySchemaHasAMethod() {
        #expect(Set(Engine.methods) == OpenRPC.schemaMethods)
        #expect(Set(Engine.notifications) == OpenRPC.schemaNotifications)
        for m in Engine.methods {
            #expect(OpenRPC.schemas["methods/\(m).params.json"] != nil, "missing params schema for \(m)")
            #expect(OpenRPC.schemas["methods/\(m).result.json"] != nil, "missing result schema for \(m)")
        }
    }

    @Test func embeddedSchemasMatchTheFiles() throws {
        let dir = Self.root.appendingPathComponent("schemas")
        var onDisk: [String: String] = [:]
        for sub in ["defs", "methods", "notifications"] {
            for f in try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(sub).path) where f.hasSuffix(".json") {
                onDisk["\(sub)/\(f)"] = try String(contentsOf: dir.appendingPathComponent(sub).appendingPathComponent(f), encoding: .utf8)
            }
        }
        let embedded = Dictionary(uniqueKeysWithValues: EmbeddedSchemas.files.map { ($0.path, $0.text) })
        #expect(Set(embedded.keys) == Set(onDisk.keys), "run `make schemas`")
        let stale = onDisk.keys.filter { embedded[$0] != onDisk[$0] }.sorted()
        #expect(stale.isEmpty, "stale embedded schemas (run `make schemas`): \(stale)")
        for (path, text) in onDisk {
            let v = try JSONParser.parse(text)
            #expect(v["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"), "\(path)")
        }
    }

    @Test func everyRefResolves() {
        func refs(_ v: JSON) -> [String] {
            switch v {
            case .object(let m): return m.flatMap { $0.key == "$ref" ? [$0.value.stringValue ?? ""] : refs($0.value) }
            case .array(let a): return a.flatMap(refs)
            default: return []
            }
        }
        guard case .object(let comps)? = OpenRPC.document["components"]?["schemas"] else { Issue.record("no components"); return }
        let names = Set(comps.map(\.key))
        for r in refs(OpenRPC.document) {
            #expect(r.hasPrefix("#/components/schemas/") && names.contains(String(r.dropFirst(21))), "\(r)")
        }
    }
}

@Suite struct ConfigTests {
    @Test func parsesTOML() throws {
        let t = try TOMLParser.parse("""
        # comment
        [server]
        tcp = "127.0.0.1:9000" # trailing
        max_line_bytes = 4_096
        [paper]
        starting_cash = 2500.50
        maker_fee_bps = "-0.5"
        [risk.instruments."sim:BTC-USD"]
        max = [1, 2,
          3]
        inline = { a = true, b = 'lit' }
        """)
        #expect(t["server"] == .table(["tcp": .string("127.0.0.1:9000"), "max_line_bytes": .integer(4096)]))
        guard case .table(let risk)? = t["risk"], case .table(let inst)? = risk["instruments"], case .table(let btc)? = inst["sim:BTC-USD"] else {
            Issue.record("nested tables"); return
        }
        #expect(btc["max"] == .array([.integer(1), .integer(2), .integer(3)]))
        #expect(btc["inline"] == .table(["a": .bool(true), "b": .string("lit")]))
        let c = try GatewayConfig.load(toml: "[server]\ntcp = \"off\"\nstdio = true\n[paper]\nstarting_cash = 2500.50\nmaker_fee_bps = \"-0.5\"\n[sim]\nseed = 9")
        #expect(c.tcp == nil && c.stdio && c.paper.startingCash == "2500.5" && c.paper.makerFeeBps == "-0.5" && c.simSeed == 9)
    }

    @Test(arguments: [
        ("[server]\ntcp = 5", "server.tcp must be a string"),
        ("[paper]\nstarting_cahs = 1", "unknown key 'paper.starting_cahs'"),
        ("[nope]\na = 1", "unknown section [nope]"),
        ("[server]\nmax_line_bytes = 1", "between"),
        ("[server\n", "line 1"),
        ("a = \"unterminated", "unterminated string"),
        ("[server]\ntcp = \"a\"\ntcp = \"b\"", "defined twice"),
    ])
    func rejects(text: String, message: String) {
        do {
            _ = try GatewayConfig.load(toml: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func hostPort() throws {
        #expect(try GatewayConfig.hostPort("127.0.0.1:0") == ("127.0.0.1", 0))
        #expect(try GatewayConfig.hostPort("[::1]:7878") == ("::1", 7878))
        #expect(throws: ConfigError.self) { try GatewayConfig.hostPort("localhost") }
        #expect(throws: ConfigError.self) { try GatewayConfig.hostPort("h:70000") }
        #expect(GatewayConfig.isLoopback("127.0.0.1") && !GatewayConfig.isLoopback("0.0.0.0"))
    }
}
