import AlephCrypto
import AlephVenueKit

/// What a live Hyperliquid venue signs with and trades for: the API (agent) wallet's key, the
/// account (master) address every query names, and an optional vault or sub-account. The key is
/// read from the environment or a file named in the config; the description never shows it.
public struct HyperliquidCredentials: Sendable, CustomStringConvertible {
    /// Signs L1 actions (the agent wallet).
    public let signer: any Signer
    /// The account address, lower-case `0x…` (queries and user channels use it, never the agent's).
    public let account: String
    /// The vault or sub-account traded for, lower-case `0x…`, if any.
    public let vault: String?

    /// Credentials from a signer (tests, benchmarks).
    public init(signer: any Signer, account: String, vault: String? = nil) {
        self.signer = signer
        self.account = account.lowercased()
        self.vault = vault?.lowercased()
    }

    /// Reads the key the config names; errors name the variable or file, never a value.
    public static func load(_ c: VenueConfig) throws(CryptoError) -> HyperliquidCredentials {
        let key: PrivateKey
        if let env = c.keyEnv { key = try PrivateKey.fromEnvironment(env) } else if let file = c.keyFile { key = try PrivateKey.fromFile(file) } else {
            throw .invalidField(field: "key", reason: "no key_env or key_file in [venues.hyperliquid]")
        }
        guard let account = c.accountAddress else { throw .invalidField(field: "account_address", reason: "missing in [venues.hyperliquid]") }
        return HyperliquidCredentials(signer: try LocalSigner(key: key), account: account, vault: c.vaultAddress)
    }

    /// The address whose orders, fills and balances these are: the vault (or sub-account) when
    /// trading for one, else the account. Queries and user channels name it, never the agent.
    public var tradingAccount: String { vault ?? account }

    /// The vault's 20 bytes (signed into every action), if any.
    public var vaultBytes: [UInt8]? { vault.flatMap { try? Hex.decode($0) } }

    /// Redacted.
    public var description: String { "HyperliquidCredentials(account: \(account), key redacted)" }
}
