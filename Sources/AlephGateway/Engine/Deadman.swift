/// A session's dead-man's switch: silence longer than `timeoutNanos` cancels the session's orders.
struct Deadman: Sendable, Equatable {
    /// What a disconnect does: fire at once (`cancel`) or disarm and keep the orders (`keep`).
    enum OnDisconnect: String, Sendable, CaseIterable {
        case cancel, keep
    }

    /// Silence allowed, in nanoseconds.
    var timeoutNanos: Int64
    /// What a disconnect does.
    var onDisconnect: OnDisconnect
    /// When it fires unless the session speaks (nanoseconds on the engine clock).
    var deadline: Int64

    /// Pushes the deadline back from `now`.
    mutating func rearm(now: Int64) { deadline = now + timeoutNanos }

    /// Shortest timeout accepted (ms); 0 disarms.
    static let minTimeoutMs = 100
    /// Longest timeout accepted (ms): one day.
    static let maxTimeoutMs = 86_400_000
}
