/// Our client order ids (`ax<tag><n>`) as dYdX's 32-bit `client_id` plus the order's free
/// `client_metadata` bits, and back, with no state: the metadata carries the ledger's tag
/// (`0b101010` in the top six bits, the five base-36 tag characters below), the client id the
/// order number offset by a hash of the tag, so two gateways on one subaccount do not collide on
/// small order numbers. The chain keeps `client_id` unique per subaccount among live orders; the
/// Indexer shows both fields on every order, so an order read back names its ledger order again.
public enum DYDXClientIds {
    /// The top six bits of our metadata.
    static let marker: UInt32 = 0x2A << 26
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// The tag's base-36 value (nil unless five characters of `[a-z0-9]`).
    static func tagValue(_ tag: Substring) -> UInt32? {
        guard tag.utf8.count == 5 else { return nil }
        var v: UInt32 = 0
        for c in tag.utf8 {
            guard let d = alphabet.firstIndex(of: c) else { return nil }
            v = v * 36 + UInt32(d)
        }
        return v
    }

    /// The offset a tag adds to order numbers (Knuth's multiplicative hash).
    static func offset(_ tagValue: UInt32) -> UInt32 { tagValue &* 2_654_435_761 }

    /// `client_id` and `client_metadata` of our client order id, nil when it is not one of ours
    /// or its number does not fit 32 bits.
    public static func chain(_ clientOrderId: String) -> (clientId: UInt32, metadata: UInt32)? {
        guard clientOrderId.hasPrefix("ax"), clientOrderId.utf8.count > 7 else { return nil }
        let tag = clientOrderId.dropFirst(2).prefix(5)
        let digits = clientOrderId.dropFirst(7)
        guard let t = tagValue(tag), digits.allSatisfy(\.isNumber), let n = UInt32(digits) else { return nil }
        return (n &+ offset(t), marker | t)
    }

    /// The client order id of a chain order: ours when its metadata carries a tag, otherwise
    /// `dydx:<flags>:<clob>:<client id>` (another client's order on the subaccount).
    public static func clientOrderId(clientId: UInt32, metadata: UInt32, orderFlags: UInt32, clobPairId: UInt32) -> String {
        if metadata & 0xFC00_0000 == marker {
            var t = metadata & 0x03FF_FFFF
            if t < 60_466_176 {
                var tag = [UInt8](repeating: 0, count: 5)
                for i in (0..<5).reversed() {
                    tag[i] = alphabet[Int(t % 36)]
                    t /= 36
                }
                let n = clientId &- offset(metadata & 0x03FF_FFFF)
                if n > 0 { return "ax" + String(decoding: tag, as: UTF8.self) + String(n) }
            }
        }
        return "dydx:\(orderFlags):\(clobPairId):\(clientId)"
    }
}
