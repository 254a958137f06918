/// What the engine knows about a session's rights.
struct SessionState: Sendable {
    /// May resume trading and change limits.
    var admin: Bool
    /// Passed `session.hello` (or needs none).
    var authenticated: Bool
}
