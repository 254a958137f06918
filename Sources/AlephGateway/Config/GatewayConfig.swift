import AlephCore
import AlephNet
import AlephVenueKit
import AlephRisk
import AlephVenues

/// Why a config file was refused.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and where.
    public var description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}

/// Everything `alephtx serve` can be configured with. See README "Configuration".
public struct GatewayConfig: Sendable {
    /// TCP listen address (`HOST:PORT`), nil for no TCP.
    public var tcp: String? = "127.0.0.1:7878"
    /// Serve JSON-RPC on stdin/stdout.
    public var stdio = false
    /// Unix-domain socket path (`[server] unix`, `--unix`, default `$ALEPH_SOCKET`), nil for none.
    public var unix: String?
    /// Records every enabled feed's raw frames into this directory while serving (`serve --record`),
    /// as `alephtx record` does: a session's market data, replayable with `alephtx backtest`.
    public var recordDir: String?
    /// Longest accepted line in bytes.
    public var maxLineBytes = 1 << 20
    /// Messages that may wait for a slow client before it is disconnected.
    public var maxQueuedMessages = 8192
    /// Most subscriptions per session.
    public var maxSubscriptionsPerSession = 256
    /// Log level name.
    public var logLevel = "info"
    /// Data directory (nil: env `ALEPHTX_DATA_DIR`, else `~/.alephtx`).
    public var dataDir: String?
    /// Seed of the simulated market.
    public var simSeed: UInt64 = 42
    /// Milliseconds between simulated market steps.
    public var simIntervalMs = 100
    /// Paper venue settings.
    public var paper = PaperConfig()
    /// Test-only fault injection methods.
    public var testHooks = false
    /// Global risk limits (`[risk]`).
    public var riskLimits = RiskLimits.defaults
    /// Per-instrument overrides (`[risk.instruments."<id>"]`).
    public var riskOverrides: [String: RiskOverrides] = [:]
    /// Admin token (never from the config file: flag or environment only).
    public var adminToken: String?
    /// Ledger file (`[ledger] path`); nil: `<data-dir>/ledger.sqlite`; `:memory:` keeps it in memory (tests only).
    public var ledgerPath: String?
    /// GMX v2 (`[venues.gmx]`), trading through the `[venues.evm]` account.
    public var gmx = GMXConfig()
    /// On-chain transactions (`[venues.evm]`): the node, the account, the allowlist of `submit_transaction`.
    public var evm = EVMConfig()
    /// Live market-data feeds (`[venues.binance]`, `[venues.okx]`, `[venues.bybit]`).
    public var venues: [VenueConfig] = []
    /// USD value of one unit of each stablecoin (`[valuation]`), for account equity.
    public var stableValues: [String: Fixed] = EngineConfig().stableValues
    /// How hard each ledger commit syncs (`[ledger] sync`: `full` or `normal`).
    public var ledgerSync = LedgerSync.full

    /// Defaults.
    public init() {}

    /// Accepted `max_line_bytes` (config and command line alike).
    public static let maxLineBytesRange = 64...(256 << 20)

    /// Reads a TOML document over the defaults; unknown sections or keys are errors.
    public static func load(toml text: String) throws(ConfigError) -> GatewayConfig {
        let root: [String: TOMLValue]
        do { root = try TOMLParser.parse(text) } catch { throw ConfigError("config: \(error.description)") }
        var c = GatewayConfig()
        for (section, value) in root {
            guard case .table(let t) = value else { throw ConfigError("config: top-level key '\(section)' must be a [section]") }
            switch section {
            case "server":
                for (k, v) in t {
                    let at = "server.\(k)"
                    switch k {
                    case "tcp":
                        let s = try string(v, at)
                        c.tcp = s.isEmpty || s == "off" ? nil : s
                    case "stdio": c.stdio = try bool(v, at)
                    case "unix":
                        let s = try string(v, at)
                        c.unix = s.isEmpty || s == "off" ? nil : s
                    case "max_line_bytes": c.maxLineBytes = try int(v, at, GatewayConfig.maxLineBytesRange)
                    case "max_queued_messages": c.maxQueuedMessages = try int(v, at, 16...10_000_000)
                    case "max_subscriptions_per_session": c.maxSubscriptionsPerSession = try int(v, at, 1...100_000)
                    case "log_level": c.logLevel = try string(v, at)
                    case "data_dir": c.dataDir = try string(v, at)
                    default: throw unknownKey(at, ["tcp", "stdio", "unix", "max_line_bytes", "max_queued_messages", "max_subscriptions_per_session", "log_level", "data_dir"])
                    }
                }
            case "sim":
                for (k, v) in t {
                    let at = "sim.\(k)"
                    switch k {
                    case "seed": c.simSeed = UInt64(try int(v, at, 0...Int.max))
                    case "interval_ms": c.simIntervalMs = try int(v, at, 1...60_000)
                    default: throw unknownKey(at, ["seed", "interval_ms"])
                    }
                }
            case "paper":
                for (k, v) in t {
                    let at = "paper.\(k)"
                    switch k {
                    case "starting_cash":
                        c.paper.startingCash = try decimal(v, at)
                        if !c.paper.startingCash.isPositive { throw ConfigError("config: \(at) must be greater than 0") }
                    case "maker_fee_bps": c.paper.makerFeeBps = try decimal(v, at)
                    case "taker_fee_bps": c.paper.takerFeeBps = try decimal(v, at)
                    case "currency": c.paper.currency = try string(v, at)
                    default: throw unknownKey(at, ["starting_cash", "maker_fee_bps", "taker_fee_bps", "currency"])
                    }
                }
            case "risk":
                for (k, v) in t {
                    if k == "instruments" {
                        guard case .table(let insts) = v else { throw ConfigError("config: [risk.instruments] must hold tables") }
                        for (id, tv) in insts {
                            guard case .table(let kv) = tv else { throw ConfigError("config: risk.instruments.\"\(id)\" must be a table") }
                            var o = c.riskOverrides[id] ?? RiskOverrides()
                            for (key, value) in kv {
                                let at = "risk.instruments.\"\(id)\".\(key)"
                                do { try RiskLimitsParser.apply(key, try RiskLimitsParser.value(value, field: at), to: &o, field: at) } catch {
                                    throw ConfigError("config: \(at): \(error.data?["reason"]?.stringValue ?? error.message)")
                                }
                            }
                            c.riskOverrides[id] = o
                        }
                        continue
                    }
                    let at = "risk.\(k)"
                    do { try RiskLimitsParser.apply(k, try RiskLimitsParser.value(v, field: at), to: &c.riskLimits, field: at) } catch {
                        throw ConfigError("config: \(at): \(error.data?["reason"]?.stringValue ?? error.message)")
                    }
                }
            case "venues":
                for (name, tv) in t {
                    if name == "gmx" {
                        guard case .table(let kv) = tv else { throw ConfigError("config: [venues.gmx] must be a table") }
                        c.gmx = try gmx(kv)
                        continue
                    }
                    if name == "evm" {
                        guard case .table(let kv) = tv else { throw ConfigError("config: [venues.evm] must be a table") }
                        c.evm = try evm(kv)
                        continue
                    }
                    guard VenueConfig.venues.contains(name) else {
                        throw ConfigError("config: unknown venue [venues.\(name)]; known: \(VenueConfig.venues.map { "[venues.\($0)]" }.joined(separator: ", "))")
                    }
                    guard case .table(let kv) = tv else { throw ConfigError("config: [venues.\(name)] must be a table") }
                    c.venues.removeAll { $0.venue == name }
                    c.venues.append(try venue(name, kv))
                }
            case "valuation":
                for (k, v) in t {
                    let at = "valuation.\(k)"
                    guard !k.isEmpty, k.allSatisfy({ $0.isUppercase || $0.isNumber }) else {
                        throw ConfigError("config: \(at): asset names are upper case (USDT, USDC)")
                    }
                    let value = try decimal(v, at)
                    guard value.isPositive else { throw ConfigError("config: \(at) must be greater than 0") }
                    c.stableValues[k] = value
                }
            case "ledger":
                for (k, v) in t {
                    let at = "ledger.\(k)"
                    switch k {
                    case "path":
                        let p = try string(v, at)
                        if p.isEmpty { throw ConfigError("config: \(at) must not be empty (use \":memory:\" for an in-memory ledger)") }
                        c.ledgerPath = p
                    case "sync":
                        let name = try string(v, at)
                        guard let s = LedgerSync(rawValue: name) else { throw ConfigError("config: \(at) must be \"full\" or \"normal\", not \"\(name)\"") }
                        c.ledgerSync = s
                    default: throw unknownKey(at, ["path", "sync"])
                    }
                }
            default:
                throw ConfigError("config: unknown section [\(section)]; known: [server], [sim], [paper], [risk], [ledger], [valuation], [venues.<name>]")
            }
        }
        return c
    }

    static func venue(_ name: String, _ kv: [String: TOMLValue]) throws(ConfigError) -> VenueConfig {
        var v = VenueConfig(venue: name)
        var wsGiven = false, restGiven = false, privateGiven = false
        // Test environment first, so explicit URLs below win over its presets.
        if let t = kv["testnet"], try bool(t, "venues.\(name).testnet") {
            var category = "linear"
            if let c = kv["category"], case .string(let cat) = c { category = cat }
            v.useTestnet(category: category)
        }
        for (k, value) in kv {
            let at = "venues.\(name).\(k)"
            switch k {
            case "enabled": v.enabled = try bool(value, at)
            case "ws_url": v.wsURL = try url(value, at, ["ws://", "wss://"]); wsGiven = true
            case "rest_url": v.restURL = try url(value, at, ["http://", "https://"]); restGiven = true
            case "ws_private_url": v.wsPrivateURL = try url(value, at, ["ws://", "wss://"]); privateGiven = true
            case "testnet": break
            case "mode":
                let m = try string(value, at)
                guard let mode = ExecutionMode(rawValue: m) else { throw ConfigError("config: \(at) must be \"paper\" or \"live\", not \"\(m)\"") }
                v.mode = mode
            case "api_key_env" where name != "hyperliquid": v.apiKeyEnv = try envName(value, at)
            case "api_secret_env" where name != "hyperliquid": v.apiSecretEnv = try envName(value, at)
            case "api_passphrase_env" where name == "polymarket": v.passphraseEnv = try envName(value, at)
            case "api_passphrase_file" where name == "polymarket": v.passphraseFile = try string(value, at)
            case "markets" where name == "polymarket":
                guard case .array(let items) = value else { throw ConfigError("config: \(at) must be an array of market slugs or condition ids") }
                v.symbols = try items.map { (x: TOMLValue) throws(ConfigError) -> String in
                    let m = try string(x, at)
                    let isCondition = m.hasPrefix("0x") && m.count == 66 && m.dropFirst(2).allSatisfy(\.isHexDigit)
                    let isSlug = !m.isEmpty && m.utf8.count <= 200 && m.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D })
                    guard isCondition || isSlug else {
                        throw ConfigError("config: \(at): '\(m)' is neither a market slug (lower-case letters, digits, '-') nor a 0x condition id")
                    }
                    return m
                }
            case "gamma_url" where name == "polymarket": v.gammaURL = try url(value, at, ["http://", "https://"])
            case "chain_id" where name == "polymarket":
                let id = try int(value, at, 1...1_000_000)
                guard id == 137 || id == 80002 else { throw ConfigError("config: \(at) must be 137 (Polygon) or 80002 (Amoy)") }
                v.chainId = id
            case "signature_type" where name == "polymarket": v.signatureType = try int(value, at, 0...2)
            case "funder" where name == "polymarket": v.funder = try address(value, at)
            case "key_env" where name == "polymarket": v.keyEnv = try envName(value, at)
            case "key_file" where name == "polymarket": v.keyFile = try string(value, at)
            case "market_slippage_bps" where name == "polymarket": v.marketSlippageBps = try int(value, at, 1...5_000)
            case "passphrase_env" where name == "okx": v.passphraseEnv = try envName(value, at)
            case "api_key_file" where name != "hyperliquid": v.apiKeyFile = try string(value, at)
            case "api_secret_file" where name != "hyperliquid": v.apiSecretFile = try string(value, at)
            case "passphrase_file" where name == "okx": v.passphraseFile = try string(value, at)
            case "submit_timeout_ms": v.submitTimeoutMs = try int(value, at, 100...120_000)
            case "recv_window_ms": v.recvWindowMs = try int(value, at, 500...60_000)
            case "resolve_interval_ms": v.resolveIntervalMs = try int(value, at, 10...600_000)
            case "account_refresh_ms": v.accountRefreshMs = try int(value, at, 1_000...86_400_000)
            case "orphans":
                let o = try string(value, at)
                guard let p = OrphanPolicy(rawValue: o) else { throw ConfigError("config: \(at) must be \"adopt\" or \"cancel\", not \"\(o)\"") }
                v.orphans = p
            case "coins" where name == "hyperliquid":
                guard case .array(let items) = value else { throw ConfigError("config: \(at) must be an array of coins, e.g. [\"BTC\", \"PURR/USDC\"]") }
                v.symbols = try items.map { (x: TOMLValue) throws(ConfigError) -> String in
                    let coin = try string(x, at)
                    guard !coin.isEmpty, coin.utf8.count <= 40, coin.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2F || $0 == 0x40 || $0 == 0x3A || $0 == 0x2D || $0 == 0x5F }) else {
                        throw ConfigError("config: \(at): '\(coin)' is not a Hyperliquid coin (a perp like \"BTC\", a spot pair like \"PURR/USDC\" or \"@107\")")
                    }
                    return coin
                }
            case "node_url" where name == "dydx": v.nodeURL = try url(value, at, ["http://", "https://"])
            case "chain_id" where name == "dydx":
                let id = try string(value, at)
                guard !id.isEmpty, id.utf8.count <= 64, id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }) else {
                    throw ConfigError("config: \(at) must be a chain id like \"dydx-mainnet-1\" (lower-case letters, digits, '-')")
                }
                v.chainName = id
            case "subaccount" where name == "dydx": v.subaccountNumber = try int(value, at, 0...127)
            case "key_env" where name == "dydx": v.keyEnv = try envName(value, at)
            case "key_file" where name == "dydx": v.keyFile = try string(value, at)
            case "mnemonic_env" where name == "dydx": v.mnemonicEnv = try envName(value, at)
            case "mnemonic_file" where name == "dydx": v.mnemonicFile = try string(value, at)
            case "good_til_blocks" where name == "dydx": v.goodTilBlocks = try int(value, at, 1...40)
            case "stateful_ttl_s" where name == "dydx": v.statefulTTLSeconds = try int(value, at, 60...95 * 86_400)
            case "limit_orders" where name == "dydx":
                let kind = try string(value, at)
                guard kind == "long_term" || kind == "short_term" else { throw ConfigError("config: \(at) must be \"long_term\" or \"short_term\", not \"\(kind)\"") }
                v.shortTermLimits = kind == "short_term"
            case "block_time_ms" where name == "dydx": v.blockTimeMs = try int(value, at, 10...60_000)
            case "market_slippage_bps" where name == "dydx": v.marketSlippageBps = try int(value, at, 1...5_000)
            case "key_env" where name == "hyperliquid": v.keyEnv = try envName(value, at)
            case "key_file" where name == "hyperliquid": v.keyFile = try string(value, at)
            case "account_address" where name == "hyperliquid": v.accountAddress = try address(value, at)
            case "vault_address" where name == "hyperliquid": v.vaultAddress = try address(value, at)
            case "market_slippage_bps" where name == "hyperliquid": v.marketSlippageBps = try int(value, at, 1...5_000)
            case "symbols" where name != "hyperliquid" && name != "polymarket":
                guard case .array(let items) = value else { throw ConfigError("config: \(at) must be an array of venue symbols") }
                v.symbols = try items.map { (x: TOMLValue) throws(ConfigError) -> String in
                    let sym = try string(x, at)
                    guard !sym.isEmpty, sym.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }) else {
                        throw ConfigError("config: \(at): '\(sym)' is not a venue symbol (letters, digits, '-', '_')")
                    }
                    return sym
                }
            case "category" where name == "bybit":
                let cat = try string(value, at)
                guard cat == "spot" || cat == "linear" else { throw ConfigError("config: \(at) must be \"spot\" or \"linear\"") }
                v.category = cat
            case "idle_timeout_ms": v.idleTimeoutMs = try int(value, at, 100...3_600_000)
            case "heartbeat_ms": v.heartbeatMs = try int(value, at, 100...3_600_000)
            case "backoff_min_ms": v.backoffMinMs = try int(value, at, 1...600_000)
            case "backoff_max_ms": v.backoffMaxMs = try int(value, at, 1...3_600_000)
            case "max_connection_age_ms": v.maxConnectionAgeMs = try int(value, at, 1_000...86_400_000)
            case "snapshot_limit" where name == "binance": v.snapshotLimit = try int(value, at, 5...5000)
            case "metadata_refresh_ms": v.metadataRefreshMs = try int(value, at, 10_000...86_400_000)
            default:
                let common = ["enabled", "mode", "ws_url", "rest_url", "ws_private_url", "testnet", "submit_timeout_ms", "recv_window_ms", "orphans",
                              "resolve_interval_ms", "account_refresh_ms", "idle_timeout_ms", "heartbeat_ms", "backoff_min_ms", "backoff_max_ms",
                              "max_connection_age_ms", "metadata_refresh_ms"]
                let hmac = ["symbols", "api_key_env", "api_key_file", "api_secret_env", "api_secret_file"]
                let own: [String]
                switch name {
                case "hyperliquid": own = ["coins", "key_env", "key_file", "account_address", "vault_address", "market_slippage_bps"]
                case "bybit": own = hmac + ["category"]
                case "binance": own = hmac + ["snapshot_limit"]
                case "okx": own = hmac + ["passphrase_env", "passphrase_file"]
                case "dydx": own = ["symbols", "node_url", "chain_id", "subaccount", "key_env", "key_file", "mnemonic_env", "mnemonic_file", "good_til_blocks",
                                    "stateful_ttl_s", "block_time_ms", "market_slippage_bps", "limit_orders"]
                case "polymarket": own = ["markets", "gamma_url", "key_env", "key_file", "api_key_env", "api_key_file", "api_secret_env", "api_secret_file",
                                          "api_passphrase_env", "api_passphrase_file", "signature_type", "funder", "chain_id", "market_slippage_bps"]
                default: own = hmac
                }
                throw unknownKey(at, common + own)
            }
        }
        if name == "okx" && !wsGiven && !v.testnet { v.wsURL = "wss://ws.okx.com:8443/ws/v5/public" }
        if name == "bybit" && !wsGiven { v.wsURL = v.testnet ? "wss://stream-testnet.bybit.com/v5/public/\(v.category)" : "wss://stream.bybit.com/v5/public/\(v.category)" }
        _ = (restGiven, privateGiven)
        if v.mode == .live && name == "dydx" {
            let keys = [v.keyEnv, v.keyFile, v.mnemonicEnv, v.mnemonicFile].compactMap { $0 }.count
            if keys != 1 {
                throw ConfigError("config: [venues.dydx] mode = \"live\" needs exactly one of key_env, key_file, mnemonic_env or mnemonic_file (never the key itself)")
            }
            if v.nodeURL.isEmpty { throw ConfigError("config: [venues.dydx] mode = \"live\" needs node_url (a full node's REST endpoint that takes transactions)") }
            if !v.enabled { throw ConfigError("config: [venues.dydx] mode = \"live\" needs enabled = true (and its symbols)") }
        } else if v.mode == .live && name == "hyperliquid" {
            if v.keyEnv == nil && v.keyFile == nil {
                throw ConfigError("config: [venues.hyperliquid] mode = \"live\" needs key_env or key_file (the API wallet's private key; never in the config itself)")
            }
            if v.accountAddress == nil {
                throw ConfigError("config: [venues.hyperliquid] mode = \"live\" needs account_address (the account the API wallet trades for)")
            }
            if !v.enabled { throw ConfigError("config: [venues.hyperliquid] mode = \"live\" needs enabled = true (and its coins)") }
        } else if v.mode == .live && name == "polymarket" {
            if v.keyEnv == nil && v.keyFile == nil {
                throw ConfigError("config: [venues.polymarket] mode = \"live\" needs key_env or key_file (the wallet's private key; never in the config itself)")
            }
            if (v.apiKeyEnv == nil && v.apiKeyFile == nil) || (v.apiSecretEnv == nil && v.apiSecretFile == nil) || (v.passphraseEnv == nil && v.passphraseFile == nil) {
                throw ConfigError("config: [venues.polymarket] mode = \"live\" needs api_key_env, api_secret_env and api_passphrase_env (or _file): the L2 credentials from `alephtx polymarket api-key`")
            }
            if v.signatureType != 0 && v.funder == nil {
                throw ConfigError("config: [venues.polymarket] signature_type \(v.signatureType) needs funder (the proxy or safe wallet that holds the funds)")
            }
            if !v.enabled { throw ConfigError("config: [venues.polymarket] mode = \"live\" needs enabled = true (and its markets)") }
        } else if v.mode == .live {
            if v.apiKeyEnv == nil && v.apiKeyFile == nil {
                throw ConfigError("config: [venues.\(name)] mode = \"live\" needs api_key_env or api_key_file (credentials never go in the config itself)")
            }
            if v.apiSecretEnv == nil && v.apiSecretFile == nil {
                throw ConfigError("config: [venues.\(name)] mode = \"live\" needs api_secret_env or api_secret_file")
            }
            if name == "okx" && v.passphraseEnv == nil && v.passphraseFile == nil {
                throw ConfigError("config: [venues.okx] mode = \"live\" needs passphrase_env or passphrase_file")
            }
            if !v.enabled { throw ConfigError("config: [venues.\(name)] mode = \"live\" needs enabled = true (and its symbols)") }
        }
        if v.backoffMaxMs < v.backoffMinMs { throw ConfigError("config: venues.\(name).backoff_max_ms is below backoff_min_ms") }
        if v.enabled && v.symbols.isEmpty {
            throw ConfigError("config: [venues.\(name)] is enabled but lists no \(name == "hyperliquid" ? "coins" : name == "polymarket" ? "markets" : "symbols")")
        }
        if (name == "hyperliquid" || name == "dydx") && !privateGiven && wsGiven { v.wsPrivateURL = v.wsURL }
        return v
    }

    /// A 0x-prefixed 20-byte hex address, lower-cased.
    static func address(_ v: TOMLValue, _ at: String) throws(ConfigError) -> String {
        let s = try string(v, at)
        let hex = s.hasPrefix("0x") || s.hasPrefix("0X") ? String(s.dropFirst(2)) : ""
        guard hex.count == 40, hex.allSatisfy(\.isHexDigit) else { throw ConfigError("config: \(at) must be a 0x-prefixed 20-byte hex address") }
        return "0x" + hex.lowercased()
    }

    /// An environment variable name (letters, digits, underscore).
    static func envName(_ v: TOMLValue, _ at: String) throws(ConfigError) -> String {
        let s = try string(v, at)
        guard !s.isEmpty, s.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }) else {
            throw ConfigError("config: \(at) must name an environment variable (letters, digits, _), not hold a secret")
        }
        return s
    }

    static func url(_ v: TOMLValue, _ at: String, _ schemes: [String]) throws(ConfigError) -> String {
        let s = try string(v, at)
        guard schemes.contains(where: { s.hasPrefix($0) }), s.count > 8 else {
            throw ConfigError("config: \(at) must start with \(schemes.joined(separator: " or "))")
        }
        return s.hasSuffix("/") ? String(s.dropLast()) : s
    }

    static func unknownKey(_ at: String, _ known: [String]) -> ConfigError {
        ConfigError("config: unknown key '\(at)'; known: \(known.joined(separator: ", "))")
    }
    static func string(_ v: TOMLValue, _ at: String) throws(ConfigError) -> String {
        guard case .string(let s) = v else { throw ConfigError("config: \(at) must be a string, got \(v.typeName)") }
        return s
    }
    static func bool(_ v: TOMLValue, _ at: String) throws(ConfigError) -> Bool {
        guard case .bool(let b) = v else { throw ConfigError("config: \(at) must be true or false, got \(v.typeName)") }
        return b
    }
    static func int(_ v: TOMLValue, _ at: String, _ range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard case .integer(let n) = v else { throw ConfigError("config: \(at) must be an integer, got \(v.typeName)") }
        guard let i = Int(exactly: n), range.contains(i) else { throw ConfigError("config: \(at) must be between \(range.lowerBound) and \(range.upperBound)") }
        return i
    }
    static func decimal(_ v: TOMLValue, _ at: String) throws(ConfigError) -> Fixed {
        let text: String
        switch v {
        case .string(let s), .float(let s): text = s
        case .integer(let n): text = String(n)
        default: throw ConfigError("config: \(at) must be a decimal, got \(v.typeName)")
        }
        do { return try Fixed(parsing: text) } catch { throw ConfigError("config: \(at): '\(text)' is \(error.description)") }
    }

    /// Splits `HOST:PORT` (IPv6 as `[::1]:PORT`).
    public static func hostPort(_ s: String) throws(ConfigError) -> (String, Int) {
        var host: Substring, portText: Substring
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            host = s[s.index(after: s.startIndex)..<close]
            let rest = s[s.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ConfigError("--tcp: expected [IPv6]:PORT, got '\(s)'") }
            portText = rest.dropFirst()
        } else {
            guard let colon = s.lastIndex(of: ":") else { throw ConfigError("--tcp: expected HOST:PORT, got '\(s)'") }
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else {
            throw ConfigError("--tcp: expected HOST:PORT with a port 0-65535, got '\(s)'")
        }
        return (String(host), port)
    }

    /// True for addresses only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
