/// How a venue spells client order ids.
public enum ClientIdFormat: String, Sendable, Equatable {
    /// `ax<tag><n>`: letters and digits, at most 32 characters (Binance, OKX, Bybit, paper).
    case alphanumeric
    /// `0x` + 32 hex digits (16 bytes), Hyperliquid's `cloid`: `0x6178` ("ax" in ASCII), the tag's
    /// five ASCII characters in hex, then the order number in decimal digits, zero-padded to 18.
    case hex128
}

/// Client order ids: `ax` + the ledger's tag (5 lowercase alphanumerics, made once per ledger) +
/// the order's number, e.g. `axk3p9q1042` for `o-1042`, or the same three parts as a 16-byte hex
/// `cloid` where the venue wants one (`0x61786b33703971000000000000001042`). Legal at Binance
/// (`[A-Za-z0-9_-]{1,36}`), OKX (`[A-Za-z0-9]{1,32}`), Bybit and Hyperliquid; derived from the
/// order, so a retry of an intent always carries the id its first attempt had, and the venue's own
/// duplicate check backs ours up. The tag keeps two gateways (two ledgers) on one account apart,
/// and tells our orders from others' at the venue.
public struct ClientOrderIds: Sendable, Equatable {
    /// `ax` + tag.
    public let prefix: String
    /// `0x6178` + the tag in ASCII hex: the start of every hex id of this ledger.
    public let hexPrefix: String

    /// Ids for a ledger tag (5 characters from `[a-z0-9]`).
    public init(tag: String) {
        prefix = "ax" + tag
        hexPrefix = "0x" + ("ax" + tag).utf8.map { ClientOrderIds.hex2($0) }.joined()
    }

    static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 0x0F)]])
    }

    /// The client order id of gateway order `o-<n>` in a venue's format.
    public func id(forOrder orderId: String, format: ClientIdFormat = .alphanumeric) -> String {
        let n = orderId.hasPrefix("o-") ? String(orderId.dropFirst(2)) : orderId.filter { $0.isLetter || $0.isNumber }
        switch format {
        case .alphanumeric: return prefix + n
        case .hex128:
            let width = 34 - hexPrefix.count
            let digits = n.allSatisfy(\.isNumber) ? n : String(n.unicodeScalars.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1.value) })
            return hexPrefix + String(repeating: "0", count: max(0, width - digits.count)) + digits.suffix(width)
        }
    }

    /// True when `clientOrderId` was made by a gateway with this ledger (in either format).
    public func isOurs(_ clientOrderId: String) -> Bool { number(clientOrderId) != nil }

    /// The gateway order id (`o-<n>`) a client order id of ours stands for.
    public func orderId(for clientOrderId: String) -> String? { number(clientOrderId).map { "o-" + $0 } }

    /// The order number inside one of our ids, without padding.
    func number(_ cid: String) -> String? {
        if cid.hasPrefix(prefix) {
            let rest = cid.dropFirst(prefix.count)
            return !rest.isEmpty && rest.allSatisfy(\.isNumber) ? String(rest) : nil
        }
        let lower = cid.lowercased()
        if lower.count == 34, lower.hasPrefix(hexPrefix) {
            let rest = lower.dropFirst(hexPrefix.count)
            guard rest.allSatisfy(\.isNumber) else { return nil }
            let trimmed = rest.drop { $0 == "0" }
            return trimmed.isEmpty ? nil : String(trimmed)
        }
        return nil
    }

    /// A fresh random tag.
    public static func newTag() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}
