/// What the engine knows about a session's rights.
struct SessionState: Sendable {
    /// May resume trading and change limits.
    var admin: Bool
    /// Passed `session.hello` (or needs none).
    var authenticated: Bool
    /// Wrong tokens offered on this connection.
    var failedHellos = 0
    /// Set when the connection is to be closed once its pending answers are written.
    var hangUp: String? = nil
    /// The session's dead-man's switch, when armed.
    var deadman: Deadman? = nil
}
