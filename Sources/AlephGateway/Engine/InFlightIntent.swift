import AlephRPC

/// An intent whose order is being placed right now: a duplicate arriving meanwhile waits for
/// the first outcome instead of trading again.
struct InFlightIntent {
    /// Canonical parameters (a conflicting reuse is refused at once).
    var fingerprint: String
    /// The order it created.
    var orderId: String
    /// Duplicates waiting for the first outcome (nil: the intent was not consumed, retry it).
    var waiters: [CheckedContinuation<JSON?, Never>] = []
}
