import AlephRPC

/// What a waiting answer becomes if the ledger fails before its state is durable. Built only
/// if that happens: every ledger-touching request carries one, almost none is ever sent.
public enum FailureAnswer: Sendable {
    /// These exact bytes.
    case bytes([UInt8])
    /// `ledger_unavailable` for each request id (a JSON array when the request was a batch).
    case ledgerUnavailable(ids: [RPCId], batch: Bool)

    /// The message to send.
    public func render() -> [UInt8] {
        switch self {
        case .bytes(let b): return b
        case .ledgerUnavailable(let ids, let batch):
            let err = RPCError.app(.ledgerUnavailable, "the ledger failed before this outcome was durable; its effects are unknown and trading is stopped until restart")
            var out: [UInt8] = []
            if batch { out.append(UInt8(ascii: "[")) }
            for (k, id) in ids.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                RPCEnvelope.writeError(id: id, error: err, into: &out)
            }
            if batch { out.append(UInt8(ascii: "]")) }
            return out
        }
    }
}
