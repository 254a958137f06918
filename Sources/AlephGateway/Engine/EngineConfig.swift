import AlephVenues

/// Settings the engine needs.
public struct EngineConfig: Sendable {
    /// Paper venue fees and starting cash.
    public var paper: PaperConfig
    /// Most subscriptions one session may hold.
    public var maxSubscriptionsPerSession: Int
    /// Default `depth` for `get_book` and book subscriptions.
    public var defaultBookDepth: Int
    /// Enables `test.internal_error` (fault injection for the test suite only).
    public var testHooks = false

    /// Creates a config with defaults.
    public init(paper: PaperConfig = PaperConfig(), maxSubscriptionsPerSession: Int = 256, defaultBookDepth: Int = 10) {
        self.paper = paper
        self.maxSubscriptionsPerSession = maxSubscriptionsPerSession
        self.defaultBookDepth = defaultBookDepth
    }
}
