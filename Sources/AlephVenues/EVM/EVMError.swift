/// What went wrong talking to the node or with a transaction.
public enum EVMError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The node answered with a JSON-RPC error (`data`: revert bytes for code 3).
    case node(code: Int, message: String, data: [UInt8]?)
    /// No answer arrived; `maybeSent`: the request may have reached the node.
    case transport(String, maybeSent: Bool)
    /// The node answered something that is not what the method returns.
    case garbage(String)
    /// Refused before anything was sent (simulation revert, fee cap, allowlist, budget).
    case refused(String)

    /// One line for logs and RPC errors.
    public var description: String {
        switch self {
        case .node(let c, let m, _): return "node error \(c): \(m)"
        case .transport(let m, let sent): return "no answer from the node (\(sent ? "the request may have arrived" : "not sent")): \(m)"
        case .garbage(let m): return "the node answered garbage: \(m)"
        case .refused(let m): return m
        }
    }

    /// The node's message, lower-cased (geth's pool errors are matched on substrings).
    public var nodeMessage: String? { if case .node(_, let m, _) = self { return m.lowercased() }; return nil }
}
