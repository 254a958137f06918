import AlephRPC

/// One MCP tool: a gateway method with a model-facing name, title, description and the
/// annotations MCP defines. Its schemas come from `schemas/` (see `SchemaBundler`).
public struct MCPToolSpec: Sendable {
    /// Tool name (letters, digits and underscores: every host accepts it).
    public var name: String
    /// The JSON-RPC method it calls.
    public var method: String
    /// Short human title.
    public var title: String
    /// What the tool does, written for a model.
    public var description: String
    /// Only reads.
    public var readOnly: Bool
    /// May change or remove what exists (orders, limits, trading state).
    public var destructive: Bool
    /// Calling it twice with the same arguments does no more than once.
    public var idempotent: Bool
    /// Reaches venues outside this process.
    public var openWorld: Bool
    /// Parameters the tool always sends (e.g. `preview: true`), removed from its input schema.
    public var fixed: [JSONMember] = []

    /// The input schema: the method's params schema, without the fixed parameters.
    public var inputSchema: JSON? {
        SchemaBundler.bundle("methods/\(method).params.json", dropping: Set(fixed.map(\.key)))
    }

    /// The output schema: the method's result schema.
    public var outputSchema: JSON? { SchemaBundler.bundle("methods/\(method).result.json") }
}
