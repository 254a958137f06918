/// What the gateway does with a venue's orphans: orders at the venue that carry this ledger's
/// client-id prefix but are missing from the ledger (a crash between the venue's accept and the
/// ledger's record cannot make one — orders are durable first — but an operator's restore of an
/// older ledger can).
public enum OrphanPolicy: String, Sendable, CaseIterable {
    /// Journal them as our orders and track them.
    case adopt
    /// Cancel them at the venue.
    case cancel
}

/// Settings of one venue (`[venues.<name>]`): its market-data feed and its execution.
public struct VenueConfig: Sendable, Equatable {
    /// `binance`, `okx`, `bybit` or `hyperliquid`.
    public var venue: String
    /// On or off.
    public var enabled = false
    /// WebSocket base URL (overridable for tests, testnets and proxies).
    public var wsURL: String
    /// REST base URL.
    public var restURL: String
    /// Venue-native symbols (`BTCUSDT`, `BTC-USDT`; Hyperliquid coins `BTC`, `PURR/USDC`).
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

    /// `paper` (default: orders are matched in this process against this venue's books) or `live`.
    public var mode = ExecutionMode.paper
    /// Environment variable holding the API key (live).
    public var apiKeyEnv: String?
    /// File holding the API key (live).
    public var apiKeyFile: String?
    /// Environment variable holding the API secret (live).
    public var apiSecretEnv: String?
    /// File holding the API secret (live).
    public var apiSecretFile: String?
    /// OKX: environment variable holding the API passphrase.
    public var passphraseEnv: String?
    /// OKX: file holding the API passphrase.
    public var passphraseFile: String?
    /// Use the venue's test environment (Binance spot testnet, OKX demo trading, Bybit testnet).
    public var testnet = false
    /// The private stream URL (Binance spot: the WebSocket API that carries the user data stream).
    public var wsPrivateURL: String = ""
    /// An order answer that has not arrived after this long makes the order `uncertain` (ms).
    public var submitTimeoutMs = 5_000
    /// What to do with orders of ours at the venue that the ledger does not hold.
    public var orphans = OrphanPolicy.cancel
    /// The venue's receive window: a request older than this is refused by the venue (ms).
    public var recvWindowMs = 5_000
    /// How often unsettled orders (uncertain, cancels in flight) are looked up, at first (ms);
    /// the interval doubles up to `backoffMaxMs` while nothing changes.
    public var resolveIntervalMs = 500
    /// How often the account (balances, positions) is refreshed by REST besides the stream (ms).
    public var accountRefreshMs = 60_000

    /// Hyperliquid: environment variable holding the API (agent) wallet's private key.
    public var keyEnv: String?
    /// Hyperliquid: file holding the API (agent) wallet's private key.
    public var keyFile: String?
    /// Hyperliquid: the account (master) address the agent trades for; every query uses it.
    public var accountAddress: String?
    /// Hyperliquid: a vault or sub-account to trade for instead (signed into every action).
    public var vaultAddress: String?
    /// Hyperliquid: a market order is an IOC limit this far through the mid (bps), as the venue has no market orders.
    public var marketSlippageBps = 500
    /// Polymarket: the Gamma metadata host.
    public var gammaURL = "https://gamma-api.polymarket.com"
    /// Polymarket: the chain orders are signed for (137 Polygon, 80002 Amoy).
    public var chainId = 137
    /// Polymarket: 0 EOA, 1 POLY_PROXY, 2 GNOSIS_SAFE.
    public var signatureType = 0
    /// Polymarket: the funder (proxy or safe) wallet holding the funds, lower-case `0x…`; the signer's own address when nil.
    public var funder: String?
    /// dYdX: the node's REST (gRPC-gateway) base URL that takes transactions (operator-run; no default host).
    public var nodeURL = ""
    /// dYdX: the chain id signed into every transaction.
    public var chainName = "dydx-mainnet-1"
    /// dYdX: the subaccount traded (0…127).
    public var subaccountNumber = 0
    /// dYdX: environment variable holding a BIP-39 mnemonic (instead of `key_env`).
    public var mnemonicEnv: String?
    /// dYdX: file holding a BIP-39 mnemonic (instead of `key_file`).
    public var mnemonicFile: String?
    /// dYdX: a short-term order lives this many blocks past the current height (1…40, the chain's window).
    public var goodTilBlocks = 20
    /// dYdX: a resting (long-term) order lives this long (s, at most 95 days).
    public var statefulTTLSeconds = 28 * 86_400
    /// dYdX: resting limits as short-term orders (quoting: live `good_til_blocks` blocks, no
    /// sequence) instead of long-term ones (`stateful_ttl_s`).
    public var shortTermLimits = false
    /// dYdX: the longest block interval assumed (ms) when an order's expiry height is not known
    /// (after a restart): "not found" is final after `good_til_blocks` such blocks.
    public var blockTimeMs = 2_000

    /// Defaults for a venue (production endpoints).
    public init(venue: String) {
        self.venue = venue
        switch venue {
        case "binance":
            wsURL = "wss://stream.binance.com:9443"
            restURL = "https://api.binance.com"
            wsPrivateURL = "wss://ws-api.binance.com:443/ws-api/v3"
        case "okx":
            wsURL = "wss://ws.okx.com:8443/ws/v5/public"
            restURL = "https://www.okx.com"
            wsPrivateURL = "wss://ws.okx.com:8443/ws/v5/private"
            heartbeatMs = 20_000
        case "bybit":
            wsURL = "wss://stream.bybit.com/v5/public/linear"
            restURL = "https://api.bybit.com"
            wsPrivateURL = "wss://stream.bybit.com/v5/private"
        case "polymarket":
            wsURL = "wss://ws-subscriptions-clob.polymarket.com/ws/market"
            restURL = "https://clob.polymarket.com"
            wsPrivateURL = "wss://ws-subscriptions-clob.polymarket.com/ws/user"
            // PING well inside the gate's 5 s book age: each PONG confirms the books.
            heartbeatMs = 2_000
            idleTimeoutMs = 60_000
            metadataRefreshMs = 300_000
        case "hyperliquid":
            // One socket URL for market data and the user channels; one REST base for /info and /exchange.
            wsURL = "wss://api.hyperliquid.xyz/ws"
            restURL = "https://api.hyperliquid.xyz"
            wsPrivateURL = "wss://api.hyperliquid.xyz/ws"
            idleTimeoutMs = 60_000
        case "dydx":
            // The Indexer: market data, order states, fills and the account; transactions go to `node_url`.
            wsURL = "wss://indexer.dydx.trade/v4/ws"
            restURL = "https://indexer.dydx.trade/v4"
            wsPrivateURL = "wss://indexer.dydx.trade/v4/ws"
        default:
            wsURL = ""
            restURL = ""
        }
    }

    /// Switches the endpoints to the venue's test environment (URLs given explicitly still win).
    public mutating func useTestnet(category: String) {
        testnet = true
        switch venue {
        case "binance":
            wsURL = "wss://stream.testnet.binance.vision"
            restURL = "https://testnet.binance.vision"
            wsPrivateURL = "wss://ws-api.testnet.binance.vision/ws-api/v3"
        case "okx":
            // Demo trading: same REST host with `x-simulated-trading: 1`, separate WebSocket hosts.
            wsURL = "wss://wspap.okx.com:8443/ws/v5/public"
            wsPrivateURL = "wss://wspap.okx.com:8443/ws/v5/private"
        case "bybit":
            wsURL = "wss://stream-testnet.bybit.com/v5/public/\(category)"
            restURL = "https://api-testnet.bybit.com"
            wsPrivateURL = "wss://stream-testnet.bybit.com/v5/private"
        case "hyperliquid":
            wsURL = "wss://api.hyperliquid-testnet.xyz/ws"
            restURL = "https://api.hyperliquid-testnet.xyz"
            wsPrivateURL = "wss://api.hyperliquid-testnet.xyz/ws"
        case "dydx":
            wsURL = "wss://indexer.v4testnet.dydx.exchange/v4/ws"
            restURL = "https://indexer.v4testnet.dydx.exchange/v4"
            wsPrivateURL = "wss://indexer.v4testnet.dydx.exchange/v4/ws"
            chainName = "dydx-testnet-4"
        default: break
        }
    }

    /// The venues this build has feeders for.
    public static let venues = ["binance", "okx", "bybit", "hyperliquid", "polymarket", "dydx"]
}
