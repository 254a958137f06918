import AlephBook
import AlephCore

/// Hyperliquid book maintenance, pure: every `l2Book` push is a full image (no deltas, no
/// sequence numbers), so each replaces the book; a push older than the book is stale. The
/// book's sequence is the venue's millisecond `time`.
public struct HyperliquidBookSync: BookSync {
    /// The book.
    public private(set) var book: OrderBook
    /// True from the first image until a disconnect.
    public private(set) var synced = false

    /// Starts unsynced.
    public init(instrument: String) { book = OrderBook(instrument: instrument) }

    /// Forgets the sync (after a disconnect) until the next image.
    public mutating func reset() {
        synced = false
        book.markUnverified()
    }

    /// One image.
    public mutating func on(time: Int64, bids: [BookLevel], asks: [BookLevel], receiveTime: Int64) -> BookSyncResult {
        if synced && time < book.sequence { return .stale }
        do {
            try book.applySnapshot(bids: bids, asks: asks, sequence: time, exchangeTime: time * 1_000_000, receiveTime: receiveTime)
        } catch {
            // The next push brings a fresh image; until then the book is unverified.
            synced = false
            book.markUnverified()
            return .resync("image refused: \(error)")
        }
        synced = true
        return .applied
    }
}
