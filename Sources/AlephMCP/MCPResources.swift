import AlephRPC

/// The gateway's MCP resources: what an agent reads rather than calls, and what it can subscribe
/// to (`notifications/resources/updated` carries each event in `_meta["alephtx/event"]`).
public enum MCPResources {
    /// One resource: its URI, the method that reads it, and the channel that updates it.
    public struct Entry: Sendable {
        /// `alephtx://…`
        public var uri: String
        /// Short name.
        public var name: String
        /// What it holds.
        public var description: String
        /// Method (and params) that reads it.
        public var method: String
        /// Params of that method.
        public var params: JSON
        /// Subscription channel, nil when it cannot be subscribed to.
        public var channel: String?
    }

    /// Fixed resources.
    public static let fixed: [Entry] = [
        Entry(uri: "alephtx://instruments", name: "instruments", description: "Every instrument with its venue, kind, tick and lot sizes (list_instruments).",
              method: "list_instruments", params: .object([]), channel: nil),
        Entry(uri: "alephtx://risk", name: "risk", description: "Risk limits, usage, trading state and the dead-man's switch (get_risk). Subscribe for breaker trips, halts, resumes and dead-man firings.",
              method: "get_risk", params: .object([]), channel: "risk"),
        Entry(uri: "alephtx://openrpc", name: "openrpc", description: "The OpenRPC document of the JSON-RPC protocol, generated from the same schemas as these tools.",
              method: "rpc.discover", params: .object([]), channel: nil),
        Entry(uri: "alephtx://orders", name: "orders", description: "Recent orders (get_orders). Subscribe for every order change.",
              method: "get_orders", params: .object([]), channel: "orders"),
        Entry(uri: "alephtx://fills", name: "fills", description: "Recent fills (get_fills). Subscribe for every fill.",
              method: "get_fills", params: .object([]), channel: "fills"),
        Entry(uri: "alephtx://positions", name: "positions", description: "Positions and PnL (get_positions). Subscribe for every position change.",
              method: "get_positions", params: .object([]), channel: "positions"),
    ]

    /// The template of book resources.
    public static let bookTemplate = "alephtx://book/{instrument}"
    static let bookPrefix = "alephtx://book/"

    /// The resource at `uri` (fixed, or a book), nil when unknown.
    public static func entry(_ uri: String) -> Entry? {
        if let e = fixed.first(where: { $0.uri == uri }) { return e }
        guard uri.hasPrefix(bookPrefix), uri.count > bookPrefix.count else { return nil }
        let instrument = String(uri.dropFirst(bookPrefix.count)).removingPercentEncodingIfAny
        return Entry(uri: uri, name: "book \(instrument)", description: "Order book of \(instrument).", method: "get_book",
                     params: .object([JSONMember("instrument", .string(instrument))]), channel: "book")
    }

    /// The resource a notification of `channel` updates.
    public static func uri(channel: String, data: JSON) -> String? {
        if channel == "book" { return data["instrument"]?.stringValue.map { bookPrefix + $0 } }
        return fixed.first(where: { $0.channel == channel })?.uri
    }
}

extension String {
    /// `%3A` → `:` for URIs a client percent-encoded; unchanged otherwise.
    var removingPercentEncodingIfAny: String {
        guard contains("%") else { return self }
        var out: [UInt8] = []
        var bytes = Array(utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
