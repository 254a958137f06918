import AlephGateway
import AlephRPC
import Testing
@testable import AlephMCP

/// The MCP tools' schemas are the protocol's own, made self-contained.
struct SchemaBundlerTests {
    /// Every `$ref` in a bundled schema points into its own `$defs`, and every definition it
    /// names is there.
    @Test func everyToolSchemaIsSelfContained() throws {
        for tool in MCPCatalog.tools {
            for schema in [tool.inputSchema, tool.outputSchema] {
                let s = try #require(schema, "\(tool.name) has no schema")
                let defs = Set((s["$defs"]?.objectValue ?? []).map(\.key))
                var refs: [String] = []
                collectRefs(s, into: &refs)
                for r in refs {
                    #expect(r.hasPrefix("#/$defs/"), "\(tool.name): \(r)")
                    #expect(defs.contains(String(r.dropFirst(8))), "\(tool.name): \(r) missing from $defs")
                }
                #expect(s["type"]?.stringValue == "object", "\(tool.name): MCP schemas are objects")
            }
        }
    }

    /// The curated set stays small and every tool calls a method the gateway serves.
    @Test func catalogIsSmallAndReal() {
        #expect(MCPCatalog.tools.count <= 20)
        #expect(Set(MCPCatalog.tools.map(\.name)).count == MCPCatalog.tools.count)
        for t in MCPCatalog.tools {
            #expect(Engine.methods.contains(t.method), "\(t.name) calls \(t.method)")
            #expect(t.name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" })
            #expect(!(t.readOnly && t.destructive))
        }
    }

    /// A fixed parameter is removed from the input schema and its required list.
    @Test func previewDropsPreview() throws {
        let preview = try #require(MCPCatalog.tool(named: "preview_signal")?.inputSchema)
        let place = try #require(MCPCatalog.tool(named: "place_signal")?.inputSchema)
        #expect(preview["properties"]?["preview"] == nil)
        #expect(place["properties"]?["preview"] != nil)
        #expect(preview["properties"]?["intent_id"] == place["properties"]?["intent_id"])
    }

    /// Refs inside definitions (`decimal.json` from `risk_event.json`) are followed too.
    @Test func nestedDefinitionsAreCollected() throws {
        let files: [String: JSON] = [
            "methods/x.result.json": .object([JSONMember("$ref", .string("../defs/a.json"))]),
            "defs/a.json": .object([JSONMember("$schema", .string("s")), JSONMember("type", .string("object")),
                                    JSONMember("properties", .object([JSONMember("b", .object([JSONMember("$ref", .string("b.json"))]))]))]),
            "defs/b.json": .object([JSONMember("type", .string("string"))]),
        ]
        let s = try #require(SchemaBundler.bundle("methods/x.result.json", in: files))
        #expect(s["$ref"]?.stringValue == "#/$defs/a")
        #expect(s["$defs"]?["a"]?["$schema"] == nil)
        #expect(s["$defs"]?["a"]?["properties"]?["b"]?["$ref"]?.stringValue == "#/$defs/b")
        #expect(s["$defs"]?["b"]?["type"]?.stringValue == "string")
    }

    func collectRefs(_ v: JSON, into out: inout [String]) {
        switch v {
        case .object(let m):
            for x in m {
                if x.key == "$ref", let r = x.value.stringValue { out.append(r) } else { collectRefs(x.value, into: &out) }
            }
        case .array(let a): for x in a { collectRefs(x, into: &out) }
        default: break
        }
    }
}
