/// One attached client (a stdio pipe or a TCP connection).
public final class Session: Sendable {
    /// Process-unique session number.
    public let id: Int
    /// `stdio` or `tcp`.
    public let transport: String
    /// Remote address for TCP, `stdio` otherwise.
    public let peer: String
    /// The address a TCP client connects from (without its port), `stdio` otherwise: the key
    /// for throttling wrong admin tokens.
    public var source: String {
        guard transport == "tcp", let colon = peer.lastIndex(of: ":") else { return peer }
        return String(peer[..<colon])
    }
    /// Where everything for this client goes.
    public let outbox: Outbox

    /// Creates a session.
    public init(id: Int, transport: String, peer: String, outbox: Outbox) {
        self.id = id
        self.transport = transport
        self.peer = peer
        self.outbox = outbox
    }
}
