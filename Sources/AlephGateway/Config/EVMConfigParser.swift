import AlephCrypto
import AlephVenues
import BigInt

extension GatewayConfig {
    /// `[venues.evm]` and its `[venues.evm.allowlist]` (address = ["0xselector", …] or ["*"]).
    static func evm(_ kv: [String: TOMLValue]) throws(ConfigError) -> EVMConfig {
        var e = EVMConfig()
        for (k, value) in kv {
            let at = "venues.evm.\(k)"
            switch k {
            case "enabled": e.enabled = try bool(value, at)
            case "rpc_url": e.rpcURL = try url(value, at, ["http://", "https://"])
            case "chain_id": e.chainId = UInt64(try int(value, at, 1...Int(Int32.max)))
            case "key_env": e.keyEnv = try envName(value, at)
            case "key_file": e.keyFile = try string(value, at)
            case "confirmations": e.confirmations = try int(value, at, 1...1000)
            case "max_fee_gwei": e.maxFeeGwei = BigUInt(try int(value, at, 1...1_000_000))
            case "submit_timeout_ms": e.submitTimeoutMs = try int(value, at, 100...3_600_000)
            case "poll_ms": e.pollMs = try int(value, at, 20...60_000)
            case "gas_margin_pct": e.gasMarginPct = try int(value, at, 0...500)
            case "max_value_wei": e.maxValueWei = try bigInt(value, at)
            case "max_approval": e.maxApproval = try bigInt(value, at)
            case "allowlist":
                guard case .table(let list) = value else { throw ConfigError("config: [venues.evm.allowlist] must be a table of address = [selectors]") }
                for (addr, sels) in list {
                    let a = try address(.string(addr), "venues.evm.allowlist key")
                    guard case .array(let items) = sels else { throw ConfigError("config: venues.evm.allowlist.\(addr) must be an array of \"0x12345678\" selectors or [\"*\"]") }
                    var set = Set<String>()
                    for i in items {
                        let s = try string(i, "venues.evm.allowlist.\(addr)").lowercased()
                        guard s == "*" || (s.hasPrefix("0x") && s.count == 10 && s.dropFirst(2).allSatisfy(\.isHexDigit)) else {
                            throw ConfigError("config: venues.evm.allowlist.\(addr): '\(s)' is not a 4-byte selector (0x + 8 hex digits) or \"*\"")
                        }
                        set.insert(s)
                    }
                    e.allowlist[a] = set
                }
            default:
                throw unknownKey(at, ["enabled", "rpc_url", "chain_id", "key_env", "key_file", "confirmations", "max_fee_gwei", "submit_timeout_ms",
                                      "poll_ms", "gas_margin_pct", "max_value_wei", "max_approval", "allowlist"])
            }
        }
        if e.enabled {
            guard !e.rpcURL.isEmpty else { throw ConfigError("config: [venues.evm] enabled needs rpc_url") }
            guard e.chainId > 0 else { throw ConfigError("config: [venues.evm] enabled needs chain_id (the node's is checked against it)") }
            guard (e.keyEnv == nil) != (e.keyFile == nil) else {
                throw ConfigError("config: [venues.evm] enabled needs exactly one of key_env or key_file (the key never goes in the config itself)")
            }
        }
        return e
    }

    /// A non-negative integer given as a TOML integer or a decimal string (wei amounts exceed Int64).
    static func bigInt(_ v: TOMLValue, _ at: String) throws(ConfigError) -> BigUInt {
        switch v {
        case .integer(let n) where n >= 0: return BigUInt(n)
        case .string(let s) where !s.isEmpty && s.count <= 78 && s.allSatisfy(\.isNumber): return BigUInt(s)!
        default: throw ConfigError("config: \(at) must be a non-negative whole number (a string for large values)")
        }
    }
}

extension GatewayConfig {
    /// `[venues.gmx]` and its `[venues.gmx.markets."<SYMBOL>"]` tables.
    static func gmx(_ kv: [String: TOMLValue]) throws(ConfigError) -> GMXConfig {
        var g = GMXConfig()
        func addr(_ v: TOMLValue, _ at: String) throws(ConfigError) -> [UInt8] {
            let s = try address(v, at)
            return (try? Hex.decode(s)) ?? []
        }
        for (k, value) in kv {
            let at = "venues.gmx.\(k)"
            switch k {
            case "enabled": g.enabled = try bool(value, at)
            case "mode":
                guard try string(value, at) == "live" else { throw ConfigError("config: \(at): GMX has no paper mode here (its prices feed paper trading elsewhere); use \"live\"") }
            case "exchange_router": g.exchangeRouter = try addr(value, at)
            case "router": g.router = try addr(value, at)
            case "order_vault": g.orderVault = try addr(value, at)
            case "event_emitter": g.eventEmitter = try addr(value, at)
            case "reader": g.reader = try addr(value, at)
            case "data_store": g.dataStore = try addr(value, at)
            case "wnt": g.wnt = try addr(value, at)
            case "execution_fee_wei": g.executionFeeWei = try bigInt(value, at)
            case "slippage_bps": g.slippageBps = try int(value, at, 1...5000)
            case "tickers_url": g.tickersURL = try url(value, at, ["http://", "https://"])
            case "poll_ms": g.pollMs = try int(value, at, 20...60_000)
            case "markets":
                guard case .table(let list) = value else { throw ConfigError("config: [venues.gmx.markets] must hold one table per market") }
                for (symbol, mv) in list.sorted(by: { $0.key < $1.key }) {
                    guard case .table(let m) = mv else { throw ConfigError("config: [venues.gmx.markets.\"\(symbol)\"] must be a table") }
                    let mat = "venues.gmx.markets.\(symbol)"
                    guard let market = m["market"], let index = m["index_token"], let coll = m["collateral_token"] else {
                        throw ConfigError("config: [\(mat)] needs market, index_token and collateral_token")
                    }
                    var mk = GMXConfig.Market(symbol: symbol, market: try addr(market, "\(mat).market"), indexDecimals: try int(m["index_decimals"] ?? .integer(18), "\(mat).index_decimals", 0...30),
                                              collateralToken: try addr(coll, "\(mat).collateral_token"),
                                              collateralDecimals: try int(m["collateral_decimals"] ?? .integer(6), "\(mat).collateral_decimals", 0...30))
                    mk.indexToken = try addr(index, "\(mat).index_token")
                    if let l = m["leverage"] { mk.leverage = try decimal(l, "\(mat).leverage") }
                    if let t = m["tick_size"] { mk.tickSize = try decimal(t, "\(mat).tick_size") }
                    if let l = m["lot_size"] { mk.lotSize = try decimal(l, "\(mat).lot_size") }
                    for key in m.keys where !["market", "index_token", "index_decimals", "collateral_token", "collateral_decimals", "leverage", "tick_size", "lot_size"].contains(key) {
                        throw unknownKey("\(mat).\(key)", ["market", "index_token", "index_decimals", "collateral_token", "collateral_decimals", "leverage", "tick_size", "lot_size"])
                    }
                    g.markets.append(mk)
                }
            default:
                throw unknownKey(at, ["enabled", "mode", "exchange_router", "router", "order_vault", "event_emitter", "reader", "data_store", "wnt",
                                      "execution_fee_wei", "slippage_bps", "tickers_url", "poll_ms", "markets"])
            }
        }
        if g.eventEmitter.isEmpty { g.eventEmitter = g.exchangeRouter }
        if g.enabled {
            guard !g.exchangeRouter.isEmpty, !g.router.isEmpty, !g.orderVault.isEmpty, !g.wnt.isEmpty else {
                throw ConfigError("config: [venues.gmx] enabled needs exchange_router, router, order_vault and wnt")
            }
            guard !g.tickersURL.isEmpty, !g.markets.isEmpty else { throw ConfigError("config: [venues.gmx] enabled needs tickers_url and at least one [venues.gmx.markets.\"<SYMBOL>\"]") }
        }
        return g
    }
}
