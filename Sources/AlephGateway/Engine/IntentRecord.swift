import AlephRPC

/// What the gateway remembers about an intent id: its normalised parameters and first answer.
struct IntentRecord: Sendable {
    /// Canonical text of the trading parameters (rationale excluded).
    var fingerprint: String
    /// The first `place_signal` result, returned again for duplicates.
    var firstResult: JSON
    /// The order created, if any.
    var orderId: String?
}
