/// Client order ids: `ax` + the ledger's tag (5 lowercase alphanumerics, made once per ledger) +
/// the order's number, e.g. `axk3p9q1042` for `o-1042`. Alphanumeric only and at most 32 characters,
/// so the same id is legal at Binance (`[A-Za-z0-9_-]{1,36}`), OKX (`[A-Za-z0-9]{1,32}`), Bybit and
/// Hyperliquid-style mappings; derived from the order, so a retry of an intent always carries the
/// id its first attempt had, and the venue's own duplicate check backs ours up. The tag keeps two
/// gateways (two ledgers) on one account apart, and tells our orders from others' at the venue.
public struct ClientOrderIds: Sendable, Equatable {
    /// `ax` + tag.
    public let prefix: String

    /// Ids for a ledger tag (5 characters from `[a-z0-9]`).
    public init(tag: String) { prefix = "ax" + tag }

    /// The client order id of gateway order `o-<n>`.
    public func id(forOrder orderId: String) -> String {
        let n = orderId.hasPrefix("o-") ? String(orderId.dropFirst(2)) : orderId.filter { $0.isLetter || $0.isNumber }
        return prefix + n
    }

    /// True when `clientOrderId` was made by a gateway with this ledger.
    public func isOurs(_ clientOrderId: String) -> Bool {
        clientOrderId.hasPrefix(prefix) && clientOrderId.dropFirst(prefix.count).allSatisfy(\.isNumber) && clientOrderId.count > prefix.count
    }

    /// The gateway order id (`o-<n>`) a client order id of ours stands for.
    public func orderId(for clientOrderId: String) -> String? {
        guard isOurs(clientOrderId) else { return nil }
        return "o-" + clientOrderId.dropFirst(prefix.count)
    }

    /// A fresh random tag.
    public static func newTag() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}
