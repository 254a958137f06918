/// Settings of one venue's market-data feed (`[venues.<name>]`).
public struct VenueConfig: Sendable, Equatable {
    /// `binance`, `okx` or `bybit`.
    public var venue: String
    /// On or off.
    public var enabled = false
    /// WebSocket base URL (overridable for tests, testnets and proxies).
    public var wsURL: String
    /// REST base URL.
    public var restURL: String
    /// Venue-native symbols (`BTCUSDT`, `BTC-USDT`).
    public var symbols: [String] = []
    /// Bybit: `spot` or `linear`.
    public var category = "linear"
    /// Open socket but no frame for this long: reconnect (ms).
    public var idleTimeoutMs = 30_000
    /// Venue heartbeat period (OKX text ping, Bybit JSON ping) (ms).
    public var heartbeatMs = 20_000
    /// First reconnect delay (ms); doubles up to `backoffMaxMs`, with jitter.
    public var backoffMinMs = 500
    /// Longest reconnect delay (ms).
    public var backoffMaxMs = 30_000
    /// Reconnect proactively after this long (Binance drops connections at 24 h) (ms).
    public var maxConnectionAgeMs = 23 * 3_600_000 + 50 * 60_000
    /// Binance REST snapshot depth.
    public var snapshotLimit = 1000
    /// Refresh instrument metadata this often (ms).
    public var metadataRefreshMs = 3_600_000

    /// Defaults for a venue (production endpoints).
    public init(venue: String) {
        self.venue = venue
        switch venue {
        case "binance":
            wsURL = "wss://stream.binance.com:9443"
            restURL = "https://api.binance.com"
        case "okx":
            wsURL = "wss://ws.okx.com:8443/ws/v5/public"
            restURL = "https://www.okx.com"
            heartbeatMs = 20_000
        case "bybit":
            wsURL = "wss://stream.bybit.com/v5/public/linear"
            restURL = "https://api.bybit.com"
        default:
            wsURL = ""
            restURL = ""
        }
    }

    /// The venues this build has feeders for.
    public static let venues = ["binance", "okx", "bybit"]
}
