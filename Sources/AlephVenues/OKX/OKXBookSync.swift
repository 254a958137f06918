import AlephBook
import AlephCore

/// OKX `books` maintenance, pure: a snapshot resets; an update must chain (`prevSeqId` equals the
/// last `seqId`; `seqId == prevSeqId` with no levels is a heartbeat); the CRC-32 over the top 25
/// levels' exact strings is verified whenever the venue sends a non-zero checksum.
public struct OKXBookSync: BookSync {
    /// The book.
    public private(set) var book: OrderBook
    /// True from a snapshot until a broken chain or checksum.
    public private(set) var synced = false
    private var lastSeq: Int64?
    private var bidText: [Int64: (String, String)] = [:]
    private var askText: [Int64: (String, String)] = [:]
    /// Checksums verified so far.
    public private(set) var checksumsVerified = 0

    /// Starts unsynced.
    public init(instrument: String) { book = OrderBook(instrument: instrument) }

    /// Forgets the book (after a disconnect) until the next snapshot.
    public mutating func reset() {
        synced = false
        lastSeq = nil
        book.markUnverified()
    }

    /// One push.
    public mutating func on(_ m: OKXBooks, receiveTime: Int64) -> BookSyncResult {
        let exch = m.ts * 1_000_000
        if m.snapshot {
            bidText = [:]
            askText = [:]
            for (l, t) in zip(m.bids, m.bidText) where l.quantity.isPositive { bidText[l.price.raw] = (t.price, t.size) }
            for (l, t) in zip(m.asks, m.askText) where l.quantity.isPositive { askText[l.price.raw] = (t.price, t.size) }
            do { try book.applySnapshot(bids: m.bids, asks: m.asks, sequence: m.seqId ?? 1, exchangeTime: exch, receiveTime: receiveTime) } catch {
                synced = false
                return .resync("snapshot: \(error)")
            }
            lastSeq = m.seqId
            synced = true
            return verifyChecksum(m.checksum)
        }
        // Waiting for the snapshot a (re)subscription brings: updates until then are dropped.
        guard synced else { return .buffered }
        if let seq = m.seqId, let prev = m.prevSeqId {
            if let last = lastSeq, prev != last {
                synced = false
                book.markUnverified()
                return .resync("seqId chain broken: prevSeqId \(prev), last seqId \(last)")
            }
            if seq < prev {
                synced = false
                book.markUnverified()
                return .resync("sequence reset (seqId \(seq) < prevSeqId \(prev))")
            }
            if seq == prev && m.bids.isEmpty && m.asks.isEmpty { return .stale } // heartbeat
            lastSeq = seq
        }
        for (l, t) in zip(m.bids, m.bidText) { bidText[l.price.raw] = l.quantity.isZero ? nil : (t.price, t.size) }
        for (l, t) in zip(m.asks, m.askText) { askText[l.price.raw] = l.quantity.isZero ? nil : (t.price, t.size) }
        do {
            try book.applyUpdate(bids: m.bids, asks: m.asks, sequence: m.seqId ?? book.sequence + 1, exchangeTime: exch, receiveTime: receiveTime)
        } catch {
            synced = false
            return .resync("\(error)")
        }
        return verifyChecksum(m.checksum)
    }

    /// The checksum of the current book as OKX computes it.
    public func checksum() -> Int32 {
        let b = book.bids.prefix(25).map { bidText[$0.price.raw].map { (price: $0.0, size: $0.1) } ?? (price: $0.price.description, size: $0.quantity.description) }
        let a = book.asks.prefix(25).map { askText[$0.price.raw].map { (price: $0.0, size: $0.1) } ?? (price: $0.price.description, size: $0.quantity.description) }
        return OKXChecksum.compute(bids: Array(b), asks: Array(a))
    }

    private mutating func verifyChecksum(_ sent: Int64?) -> BookSyncResult {
        guard let sent, sent != 0 else { return .applied }
        let mine = Int64(checksum())
        if mine != sent {
            synced = false
            book.markUnverified()
            return .resync(BookError.checksumMismatch(expected: sent, computed: mine).description)
        }
        checksumsVerified += 1
        return .applied
    }
}
