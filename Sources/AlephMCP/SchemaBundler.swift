import AlephGateway
import AlephRPC

/// Makes self-contained JSON Schemas (2020-12) from the files in `schemas/`: every relative
/// `$ref` (`../defs/x.json`, `x.json`) becomes `#/$defs/x` and the definitions it reaches are
/// copied into `$defs`, so an MCP host needs nothing but the tool list. Pure.
public enum SchemaBundler {
    /// The schema file at `path` (`methods/ping.params.json`) bundled with its definitions;
    /// `dropping` removes top-level properties (and their `required` entries); an object type is
    /// stated when the file only points at a definition (MCP wants object schemas).
    public static func bundle(_ path: String, dropping: Set<String> = [], in files: [String: JSON] = OpenRPC.schemas) -> JSON? {
        guard let root = files[path] else { return nil }
        var needed: [String] = []
        var seen: Set<String> = []
        var body = rewrite(root, collect: &needed)
        var queue = needed
        var defs: [JSONMember] = []
        while let name = queue.first {
            queue.removeFirst()
            guard !seen.contains(name) else { continue }
            seen.insert(name)
            guard let def = files["defs/\(name).json"] else { continue }
            var more: [String] = []
            defs.append(JSONMember(name, strip(rewrite(def, collect: &more))))
            queue.append(contentsOf: more)
        }
        guard case .object(var members) = body else { return body }
        if !dropping.isEmpty {
            members = members.map { m in
                switch m.key {
                case "properties":
                    return JSONMember(m.key, .object((m.value.objectValue ?? []).filter { !dropping.contains($0.key) }))
                case "required":
                    return JSONMember(m.key, .array((m.value.arrayValue ?? []).filter { !dropping.contains($0.stringValue ?? "") }))
                default: return m
                }
            }
        }
        if !members.contains(where: { $0.key == "type" }) { members.insert(JSONMember("type", .string("object")), at: min(1, members.count)) }
        if !defs.isEmpty { members.append(JSONMember("$defs", .object(defs.sorted { $0.key < $1.key }))) }
        body = .object(members)
        return body
    }

    /// Rewrites relative refs and records the definitions they name.
    static func rewrite(_ v: JSON, collect: inout [String]) -> JSON {
        switch v {
        case .object(let members):
            return .object(members.map { m in
                if m.key == "$ref", let ref = m.value.stringValue, let name = defName(ref) {
                    collect.append(name)
                    return JSONMember("$ref", .string("#/$defs/\(name)"))
                }
                return JSONMember(m.key, rewrite(m.value, collect: &collect))
            })
        case .array(let items): return .array(items.map { rewrite($0, collect: &collect) })
        default: return v
        }
    }

    /// `../defs/side.json` or `side.json` → `side`; nil for refs that are not to a definition file.
    static func defName(_ ref: String) -> String? {
        guard ref.hasSuffix(".json"), !ref.hasPrefix("#"), !ref.contains("://") else { return nil }
        let file = ref.split(separator: "/").last.map(String.init) ?? ref
        return String(file.dropLast(5))
    }

    /// Drops `$schema` from a definition (only the root names the dialect).
    static func strip(_ v: JSON) -> JSON {
        guard case .object(let members) = v else { return v }
        return .object(members.filter { $0.key != "$schema" })
    }
}
