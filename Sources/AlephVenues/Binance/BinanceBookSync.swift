import AlephBook
import AlephCore

/// Binance's official local-book procedure, pure: buffer the diff stream, take a REST snapshot,
/// drop events with `u <= lastUpdateId`, require the first to span `lastUpdateId + 1`, then
/// `U == previous u + 1` (an overlap is tolerated, a hole is a gap).
public struct BinanceBookSync: BookSync {
    /// The book (verified once synced).
    public private(set) var book: OrderBook
    /// True once a snapshot has been applied and no gap has been seen since.
    public private(set) var synced = false
    private var buffer: [BinanceDepth] = []
    /// Most events kept while waiting for a snapshot.
    public var maxBuffered = 10_000
    /// Exchange times are ms; the book keeps ns.
    private static let ms: Int64 = 1_000_000

    /// Starts unsynced.
    public init(instrument: String) { book = OrderBook(instrument: instrument) }

    /// Events waiting for a snapshot.
    public var bufferedCount: Int { buffer.count }
    /// `U` of the first buffered event (a snapshot must be at least this new).
    public var firstBufferedId: Int64? { buffer.first?.firstId }

    /// Forgets everything (after a disconnect): buffer again until the next snapshot.
    public mutating func reset() {
        buffer.removeAll()
        synced = false
        book.markUnverified()
    }

    /// One diff event.
    public mutating func onDepth(_ d: BinanceDepth, receiveTime: Int64) -> BookSyncResult {
        guard synced else {
            if buffer.count >= maxBuffered { buffer.removeFirst(buffer.count - maxBuffered + 1) }
            buffer.append(d)
            return .buffered
        }
        let last = book.sequence
        if d.finalId <= last { return .stale }
        if d.firstId > last + 1 {
            synced = false
            book.markUnverified()
            buffer = [d]
            return .resync("gap: book at \(last), event spans \(d.firstId)...\(d.finalId)")
        }
        do {
            try book.applyUpdate(bids: d.bids, asks: d.asks, sequence: d.finalId, exchangeTime: d.eventTime * BinanceBookSync.ms, receiveTime: receiveTime)
        } catch {
            synced = false
            buffer = []
            return .resync("\(error)")
        }
        return .applied
    }

    /// The REST snapshot; applies it and the buffered events that follow it.
    public mutating func onSnapshot(_ snap: BinanceSnapshot, receiveTime: Int64) -> BookSyncResult {
        if let first = buffer.first, snap.lastUpdateId < first.firstId { return .snapshotTooOld }
        let pending = buffer.filter { $0.finalId > snap.lastUpdateId }
        if let first = pending.first, !(first.firstId <= snap.lastUpdateId + 1 && snap.lastUpdateId + 1 <= first.finalId) {
            buffer = pending
            return .resync("first event after the snapshot spans \(first.firstId)...\(first.finalId), not \(snap.lastUpdateId + 1)")
        }
        do {
            try book.applySnapshot(bids: snap.bids, asks: snap.asks, sequence: snap.lastUpdateId, exchangeTime: receiveTime, receiveTime: receiveTime)
        } catch {
            return .resync("snapshot: \(error)")
        }
        synced = true
        buffer = []
        for d in pending {
            if case .resync(let why) = onDepth(d, receiveTime: receiveTime) { return .resync(why) }
        }
        return .applied
    }
}
