import AlephBook
import AlephCore

/// What the sync did with an input.
public enum BookSyncResult: Sendable, Equatable {
    /// Kept for later (waiting for a snapshot).
    case buffered
    /// The book changed and is verified.
    case applied
    /// Older than the book: ignored.
    case stale
    /// The snapshot is older than the buffered stream: fetch another.
    case snapshotTooOld
    /// Continuity broke (or a checksum failed): the book is unverified until a new snapshot.
    case resync(String)
}

/// A venue's pure book maintenance: the book, whether it is synced, and a reset for disconnects.
public protocol BookSync: Sendable {
    /// The book.
    var book: OrderBook { get }
    /// True while the book is verified by the venue's rules.
    var synced: Bool { get }
    /// Forgets the sync (after a disconnect) until the next snapshot.
    mutating func reset()
}

extension Dictionary where Value: BookSync {
    /// Resets every sync; returns their (now unverified) books as events.
    public mutating func resetAll() -> [MarketEvent] {
        var out: [MarketEvent] = []
        for k in Array(keys) {
            self[k]!.reset()
            out.append(.book(self[k]!.book))
        }
        return out
    }
}
