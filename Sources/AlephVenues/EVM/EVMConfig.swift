import BigInt

/// `[venues.evm]`: the node, the account and the rules for transactions.
public struct EVMConfig: Sendable, Equatable {
    /// Enabled.
    public var enabled = false
    /// The node's JSON-RPC URL (HTTP).
    public var rpcURL = ""
    /// The chain the node must report (refused otherwise: signatures are bound to it).
    public var chainId: UInt64 = 0
    /// Environment variable with the hex private key.
    public var keyEnv: String?
    /// File with the hex private key.
    public var keyFile: String?
    /// Blocks on top of a transaction's block before it is final (1: its own block).
    public var confirmations = 2
    /// Cap on `maxFeePerGas`, gwei (a fee spike beyond it refuses to send rather than overpay).
    public var maxFeeGwei: BigUInt = 500
    /// A transaction not mined within this is replaced at the same nonce with higher fees.
    public var submitTimeoutMs = 30_000
    /// Receipts and heads are polled this often.
    public var pollMs = 500
    /// Gas limit = estimate × (100 + margin) / 100.
    public var gasMarginPct = 20
    /// Most wei one `submit_transaction` may send.
    public var maxValueWei: BigUInt = 0
    /// Allowed targets of `submit_transaction`: lower-case address → allowed 4-byte selectors
    /// (lower-case `0x…`; `"*"` allows any).
    public var allowlist: [String: Set<String>] = [:]
    /// Most an automatic ERC-20 approval may grant (token units); 0: never approve automatically.
    public var maxApproval: BigUInt = 0

    /// Defaults (disabled).
    public init() {}
}
