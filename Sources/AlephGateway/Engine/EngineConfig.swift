import AlephCore
import AlephRisk
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
    /// Global risk limits.
    public var riskLimits = RiskLimits.defaults
    /// Per-instrument risk overrides.
    public var riskOverrides: [String: RiskOverrides] = [:]
    /// Token that makes a TCP session admin via `session.hello` (nil: TCP sessions are never admin).
    public var adminToken: String?
    /// When true, TCP sessions must `session.hello` with the token before anything else.
    public var requireAuth = false
    /// The valuation rule for account equity: what one unit of each stablecoin is worth in USD
    /// (`[valuation]`); other assets are valued at the mid of `<venue>:<ASSET>-<stablecoin>`.
    public var stableValues: [String: Fixed] = ["USD": Fixed(1), "USDT": Fixed(1), "USDC": Fixed(1), "FDUSD": Fixed(1), "DAI": Fixed(1)]

    /// Set by `alephtx backtest`: simulated time moved by the agent (`backtest.step`), trading
    /// requests delayed by the order latency, and no conflation of book notifications (every
    /// update reaches the agent, so a run never depends on how fast it reads).
    public var lockstep: (any Lockstep)? = nil

    /// Creates a config with defaults.
    public init(paper: PaperConfig = PaperConfig(), maxSubscriptionsPerSession: Int = 256, defaultBookDepth: Int = 10) {
        self.paper = paper
        self.maxSubscriptionsPerSession = maxSubscriptionsPerSession
        self.defaultBookDepth = defaultBookDepth
    }
}
