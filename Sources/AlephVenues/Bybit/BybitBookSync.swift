import AlephBook
import AlephCore

/// Bybit v5 order-book maintenance, pure: every snapshot resets the book (including `u == 1`
/// after a service restart); a delta must carry `u == previous u + 1` (the same `u` again is a
/// re-push and harmless), otherwise the book is unverified until the next snapshot.
public struct BybitBookSync: BookSync {
    /// The book.
    public private(set) var book: OrderBook
    /// True from a snapshot until a gap.
    public private(set) var synced = false

    /// Starts unsynced.
    public init(instrument: String) { book = OrderBook(instrument: instrument) }

    /// Forgets the book (after a disconnect) until the next snapshot.
    public mutating func reset() {
        synced = false
        book.markUnverified()
    }

    /// One push.
    public mutating func on(_ m: BybitBook, receiveTime: Int64) -> BookSyncResult {
        let exch = m.ts * 1_000_000
        if m.snapshot {
            do { try book.applySnapshot(bids: m.bids, asks: m.asks, sequence: m.updateId, exchangeTime: exch, receiveTime: receiveTime) } catch {
                synced = false
                return .resync("snapshot: \(error)")
            }
            synced = true
            return .applied
        }
        // Waiting for the snapshot a (re)subscription brings: deltas until then are dropped.
        guard synced else { return .buffered }
        let last = book.sequence
        if m.updateId <= last { return .stale }
        if m.updateId != last + 1 {
            synced = false
            book.markUnverified()
            return .resync("gap: book at u \(last), delta u \(m.updateId)")
        }
        do { try book.applyUpdate(bids: m.bids, asks: m.asks, sequence: m.updateId, exchangeTime: exch, receiveTime: receiveTime) } catch {
            synced = false
            return .resync("\(error)")
        }
        return .applied
    }
}
