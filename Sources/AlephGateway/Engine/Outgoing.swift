/// A notification produced by the engine, waiting for the end of its step.
struct Outgoing: Sendable {
    /// Destination.
    var outbox: Outbox
    /// The encoded line.
    var bytes: [UInt8]
    /// Conflation slot (book updates), if any.
    var slot: Int?
    /// True when it reports ledger state and must wait for the commit.
    var durable: Bool
}
