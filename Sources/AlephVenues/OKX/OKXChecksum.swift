import AlephCore

/// OKX v5 order-book checksum: the top 25 bids and asks interleaved as `bidPx:bidSz:askPx:askSz:…`
/// (a side that runs out is simply skipped), using the exact strings the venue sent; CRC-32 as a
/// signed 32-bit integer.
public enum OKXChecksum {
    /// The string that is checksummed.
    public static func string(bids: [(price: String, size: String)], asks: [(price: String, size: String)]) -> String {
        var parts: [String] = []
        parts.reserveCapacity(100)
        for i in 0..<25 {
            if i < bids.count { parts.append(bids[i].price); parts.append(bids[i].size) }
            if i < asks.count { parts.append(asks[i].price); parts.append(asks[i].size) }
        }
        return parts.joined(separator: ":")
    }

    /// The checksum OKX sends.
    public static func compute(bids: [(price: String, size: String)], asks: [(price: String, size: String)]) -> Int32 {
        Int32(bitPattern: CRC32.checksum(string(bids: bids, asks: asks).utf8))
    }
}
