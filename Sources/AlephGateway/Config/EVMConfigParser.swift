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
