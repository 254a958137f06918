import AlephBook
import AlephCore

/// One Polymarket token's book, pure: a `book` event replaces it; `price_change` levels set
/// absolute sizes (0 removes) and only count once a `book` has arrived (after a reconnect the
/// venue sends a fresh `book` on subscribe). There are no sequence numbers: the book's sequence
/// counts the events applied.
public struct PolymarketBookSync: BookSync {
    /// The book.
    public private(set) var book: OrderBook
    /// True from the first `book` until a disconnect.
    public private(set) var synced = false

    /// Starts unsynced.
    public init(instrument: String) { book = OrderBook(instrument: instrument) }

    /// Forgets the sync until the next `book`.
    public mutating func reset() {
        synced = false
        book.markUnverified()
    }

    /// A full book.
    public mutating func snapshot(time: Int64, bids: [BookLevel], asks: [BookLevel], receiveTime: Int64) -> BookSyncResult {
        do {
            try book.applySnapshot(bids: bids, asks: asks, sequence: book.sequence + 1, exchangeTime: time * 1_000_000, receiveTime: receiveTime)
        } catch {
            synced = false
            book.markUnverified()
            return .resync("book refused: \(error)")
        }
        synced = true
        return .applied
    }

    /// The socket answered our heartbeat: every change would have been pushed before it, so the
    /// book is as fresh as the answer.
    public mutating func confirm(receiveTime: Int64) -> Bool {
        guard synced else { return false }
        book.confirm(receiveTime: receiveTime)
        return true
    }

    /// Level changes.
    public mutating func levels(time: Int64, bids: [BookLevel], asks: [BookLevel], receiveTime: Int64) -> BookSyncResult {
        guard synced else { return .buffered }
        do {
            try book.applyUpdate(bids: bids, asks: asks, sequence: book.sequence + 1, exchangeTime: time * 1_000_000, receiveTime: receiveTime)
        } catch {
            synced = false
            book.markUnverified()
            return .resync("price_change refused: \(error)")
        }
        return .applied
    }
}
