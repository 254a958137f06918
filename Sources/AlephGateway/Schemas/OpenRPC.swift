import AlephRPC

/// The OpenRPC 1.x document served by `rpc.discover`, built once from the embedded schemas.
public enum OpenRPC {
    /// Server version reported in `info.version`.
    public static let version = "0.1.0"

    /// Parsed schemas by path (`methods/ping.params.json`, `defs/order.json`, …).
    public static let schemas: [String: JSON] = {
        var out: [String: JSON] = [:]
        for f in EmbeddedSchemas.files {
            // Embedded at build time from files the test suite parses; a failure here is a build bug.
            out[f.path] = (try? JSONParser.parse(f.text)) ?? .null
        }
        return out
    }()

    /// Method names that have both a params and a result schema.
    public static var schemaMethods: Set<String> {
        Set(schemas.keys.filter { $0.hasPrefix("methods/") }.map { String($0.dropFirst(8).split(separator: ".").dropLast(2).joined(separator: ".")) })
    }

    /// Notification names that have a schema.
    public static var schemaNotifications: Set<String> {
        Set(schemas.keys.filter { $0.hasPrefix("notifications/") }.map { String($0.dropFirst(14).dropLast(5)) })
    }

    /// Rewrites relative `$ref`s (`../defs/x.json`, `x.json`) to `#/components/schemas/x` and drops `$schema`.
    static func rewrite(_ v: JSON) -> JSON {
        switch v {
        case .object(let members):
            return .object(members.compactMap { m in
                if m.key == "$schema" { return nil }
                if m.key == "$ref", case .string(let r) = m.value {
                    let name = r.split(separator: "/").last.map { String($0.dropLast(5)) } ?? r
                    return JSONMember("$ref", .string("#/components/schemas/\(name)"))
                }
                return JSONMember(m.key, rewrite(m.value))
            })
        case .array(let items): return .array(items.map(rewrite))
        default: return v
        }
    }

    /// The full document.
    public static let document: JSON = {
        var methods: [JSON] = []
        for name in Engine.methods {
            let params = schemas["methods/\(name).params.json"] ?? .object([])
            let result = schemas["methods/\(name).result.json"] ?? .object([])
            let required = Set((params["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            var paramList: [JSON] = []
            for m in params["properties"]?.objectValue ?? [] {
                paramList.append(.object([JSONMember("name", .string(m.key)), JSONMember("required", .bool(required.contains(m.key))),
                                          JSONMember("schema", rewrite(m.value))]))
            }
            var b = JSONObjectBuilder()
            b.add("name", name)
            b.add("description", params["description"]?.stringValue ?? name)
            b.add("paramStructure", "by-name")
            b.add("params", .array(paramList))
            b.add("result", .object([JSONMember("name", .string("\(name).result")), JSONMember("schema", rewrite(result))]))
            b.add("x-params-schema", rewrite(params))
            methods.append(b.json)
        }
        var components: [JSONMember] = []
        for (path, schema) in schemas.sorted(by: { $0.key < $1.key }) where path.hasPrefix("defs/") {
            components.append(JSONMember(String(path.dropFirst(5).dropLast(5)), rewrite(schema)))
        }
        var notifications: [JSONMember] = []
        for (path, schema) in schemas.sorted(by: { $0.key < $1.key }) where path.hasPrefix("notifications/") {
            notifications.append(JSONMember(String(path.dropFirst(14).dropLast(5)), rewrite(schema)))
        }
        var doc = JSONObjectBuilder()
        doc.add("openrpc", "1.3.2")
        doc.add("info", .object([JSONMember("title", .string("AlephTX")), JSONMember("version", .string(version)),
                                 JSONMember("description", .string("Trading gateway for AI agents: JSON-RPC 2.0, one message per line."))]))
        doc.add("methods", .array(methods))
        doc.add("components", .object([JSONMember("schemas", .object(components))]))
        doc.add("x-notifications", .object(notifications))
        return doc.json
    }()
}
