import AlephCore

/// A price-level (L2) order book in fixed point.
///
/// Each side is a contiguous array kept worst-first, best-last: updates cluster near the touch,
/// so finding a level is a short scan back from the end and an insert or delete shifts only the
/// few levels between it and the touch. `bids` and `asks` present them best-first without
/// copying. `verified` is false from a detected gap until the next snapshot.
public struct OrderBook: Sendable, Equatable {
    /// Instrument id.
    public let instrument: String
    /// Bid levels, ascending (best last).
    public internal(set) var bidStore: [BookLevel] = []
    /// Ask levels, descending (best last).
    public internal(set) var askStore: [BookLevel] = []
    /// Bid levels, best (highest) first.
    @inlinable public var bids: ReversedCollection<[BookLevel]> { bidStore.reversed() }
    /// Ask levels, best (lowest) first.
    @inlinable public var asks: ReversedCollection<[BookLevel]> { askStore.reversed() }
    /// Sequence of the last applied update (0 before the first snapshot).
    public private(set) var sequence: Int64 = 0
    /// Exchange timestamp of the last applied update (ns since epoch).
    public private(set) var exchangeTime: Int64 = 0
    /// Local receive timestamp of the last applied update (ns since epoch).
    public private(set) var receiveTime: Int64 = 0
    /// True once a snapshot has been applied and no gap has been seen since.
    public private(set) var verified: Bool = false

    /// An empty, unverified book.
    public init(instrument: String) {
        self.instrument = instrument
        bidStore.reserveCapacity(64)
        askStore.reserveCapacity(64)
    }

    /// Replaces the whole book; levels may come in any order, zero quantities are ignored.
    public mutating func applySnapshot(bids newBids: [BookLevel], asks newAsks: [BookLevel],
                                       sequence: Int64, exchangeTime: Int64, receiveTime: Int64) throws(BookError) {
        for l in newBids + newAsks where l.price.raw <= 0 || l.quantity.isNegative {
            throw .invalidLevel(price: l.price, quantity: l.quantity)
        }
        let b = newBids.filter { $0.quantity.isPositive }.sorted { $0.price < $1.price }
        let a = newAsks.filter { $0.quantity.isPositive }.sorted { $0.price > $1.price }
        if let bb = b.last, let ba = a.last, bb.price >= ba.price { throw .crossed(bid: bb.price, ask: ba.price) }
        bidStore = b
        askStore = a
        self.sequence = sequence
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
        verified = true
    }

    /// Applies one incremental update whose sequence must be exactly `sequence + 1`.
    ///
    /// On a gap the book is marked unverified and the error is thrown; levels are left as they were.
    public mutating func applyDelta(bids bidUpdates: [BookLevel], asks askUpdates: [BookLevel],
                                    sequence newSequence: Int64, exchangeTime: Int64, receiveTime: Int64) throws(BookError) {
        if newSequence <= sequence { throw .outOfOrder(last: sequence, got: newSequence) }
        if newSequence != sequence + 1 {
            verified = false
            throw .sequenceGap(expected: sequence + 1, got: newSequence)
        }
        try applyUpdate(bids: bidUpdates, asks: askUpdates, sequence: newSequence, exchangeTime: exchangeTime, receiveTime: receiveTime)
    }

    /// Applies levels whose continuity the venue's own sequence rules already checked (Binance
    /// `U`/`u`, OKX `prevSeqId`, Bybit `u`): sets `sequence` as given, no `+1` rule. A crossed
    /// result marks the book unverified and throws.
    public mutating func applyUpdate(bids bidUpdates: [BookLevel], asks askUpdates: [BookLevel],
                                     sequence newSequence: Int64, exchangeTime: Int64, receiveTime: Int64) throws(BookError) {
        for l in bidUpdates { try set(.buy, price: l.price, quantity: l.quantity) }
        for l in askUpdates { try set(.sell, price: l.price, quantity: l.quantity) }
        sequence = newSequence
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
        if let bb = bidStore.last, let ba = askStore.last, bb.price >= ba.price {
            verified = false
            throw .crossed(bid: bb.price, ask: ba.price)
        }
    }

    /// The venue confirmed, at `receiveTime`, that nothing changed (a live subscription's
    /// heartbeat answer on a venue that pushes every change): the book's age restarts.
    public mutating func confirm(receiveTime: Int64) {
        if verified && receiveTime > self.receiveTime { self.receiveTime = receiveTime }
    }

    /// Marks the book unverified after a failed integrity check (e.g. a checksum mismatch).
    public mutating func markUnverified() { verified = false }

    /// Marks the book unverified (e.g. the feed disconnected) until the next snapshot.
    public mutating func invalidate() { verified = false }

    /// Sets the quantity at a price on one side; zero deletes the level.
    public mutating func set(_ side: Side, price: Fixed, quantity: Fixed) throws(BookError) {
        if price.raw <= 0 || quantity.isNegative { throw .invalidLevel(price: price, quantity: quantity) }
        if side == .buy {
            OrderBook.setLevel(&bidStore, price: price.raw, quantity: quantity, bid: true)
        } else {
            OrderBook.setLevel(&askStore, price: price.raw, quantity: quantity, bid: false)
        }
    }

    /// `store` is worst-first; `better(a, b)`: a is closer to the touch than b.
    @inline(__always)
    private static func setLevel(_ store: inout [BookLevel], price: Int64, quantity: Fixed, bid: Bool) {
        // For bids (ascending) find the last index whose price <= p; for asks (descending) the
        // last whose price >= p. Scan back from the touch a few steps, then binary search.
        // Index of the last level at or worse than p (bids: price <= p; asks: price >= p), or -1.
        // Most updates land at the touch: check it first, then a branch-free binary search.
        let n = store.count
        var j: Int
        j = n - 1
        let floor = max(0, n - 24)
        let key = bid ? price : -price
        store.withUnsafeBufferPointer { buf in
            while j >= floor && (bid ? buf[j].price.raw : -buf[j].price.raw) > key { j -= 1 }
            if j >= 0 && j < floor {
                var base = 0, len = floor
                while len > 1 {
                    let half = len >> 1
                    let q = buf[base &+ half &- 1].price.raw
                    base = (bid ? q : -q) <= key ? base &+ half : base
                    len &-= half
                }
                if len == 1 {
                    let q = buf[base].price.raw
                    if (bid ? q : -q) <= key { base &+= 1 }
                }
                j = base &- 1
            }
        }
        if j >= 0 && store[j].price.raw == price {
            if !quantity.isZero {
                store[j].quantity = quantity
            } else {
                // Delete: shift the few levels between it and the touch down by one.
                store.withUnsafeMutableBufferPointer { buf in
                    var k = j
                    while k < n &- 1 { buf[k] = buf[k &+ 1]; k &+= 1 }
                }
                store.removeLast()
            }
        } else if quantity.isPositive {
            let level = BookLevel(price: Fixed(raw: price), quantity: quantity)
            if j == n - 1 {
                store.append(level)
            } else {
                // Insert: grow by one at the touch end and shift the levels above it up.
                store.append(store[n - 1])
                store.withUnsafeMutableBufferPointer { buf in
                    var k = n &- 1
                    while k > j &+ 1 { buf[k] = buf[k &- 1]; k &-= 1 }
                    buf[j &+ 1] = level
                }
            }
        }
    }
}
