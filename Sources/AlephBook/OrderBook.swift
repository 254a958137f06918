import AlephCore

/// A price-level (L2) order book in fixed point.
///
/// Bids are kept descending and asks ascending in contiguous arrays, so the touch is index 0
/// and a level update is a binary search plus (rarely) a shift. `verified` is false from a
/// detected gap until the next snapshot.
public struct OrderBook: Sendable, Equatable {
    /// Instrument id.
    public let instrument: String
    /// Bid levels, best (highest) first.
    public internal(set) var bids: [BookLevel] = []
    /// Ask levels, best (lowest) first.
    public internal(set) var asks: [BookLevel] = []
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
        bids.reserveCapacity(64)
        asks.reserveCapacity(64)
    }

    /// Replaces the whole book; levels may come in any order, zero quantities are ignored.
    public mutating func applySnapshot(bids newBids: [BookLevel], asks newAsks: [BookLevel],
                                       sequence: Int64, exchangeTime: Int64, receiveTime: Int64) throws(BookError) {
        for l in newBids + newAsks where l.price.raw <= 0 || l.quantity.isNegative {
            throw .invalidLevel(price: l.price, quantity: l.quantity)
        }
        let b = newBids.filter { $0.quantity.isPositive }.sorted { $0.price > $1.price }
        let a = newAsks.filter { $0.quantity.isPositive }.sorted { $0.price < $1.price }
        if let bb = b.first, let ba = a.first, bb.price >= ba.price { throw .crossed(bid: bb.price, ask: ba.price) }
        bids = b
        asks = a
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
        for l in bidUpdates { try set(.buy, price: l.price, quantity: l.quantity) }
        for l in askUpdates { try set(.sell, price: l.price, quantity: l.quantity) }
        sequence = newSequence
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
        if let bb = bids.first, let ba = asks.first, bb.price >= ba.price {
            verified = false
            throw .crossed(bid: bb.price, ask: ba.price)
        }
    }

    /// Marks the book unverified (e.g. the feed disconnected) until the next snapshot.
    public mutating func invalidate() { verified = false }

    /// Sets the quantity at a price on one side; zero deletes the level.
    public mutating func set(_ side: Side, price: Fixed, quantity: Fixed) throws(BookError) {
        if price.raw <= 0 || quantity.isNegative { throw .invalidLevel(price: price, quantity: quantity) }
        if side == .buy {
            OrderBook.setLevel(&bids, price: price, quantity: quantity, descending: true)
        } else {
            OrderBook.setLevel(&asks, price: price, quantity: quantity, descending: false)
        }
    }

    @inline(__always)
    private static func setLevel(_ levels: inout [BookLevel], price: Fixed, quantity: Fixed, descending: Bool) {
        var lo = 0
        var hi = levels.count
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            let p = levels[mid].price
            let before = descending ? p > price : p < price
            if before { lo = mid &+ 1 } else { hi = mid }
        }
        if lo < levels.count && levels[lo].price == price {
            if quantity.isZero { levels.remove(at: lo) } else { levels[lo].quantity = quantity }
        } else if quantity.isPositive {
            levels.insert(BookLevel(price: price, quantity: quantity), at: lo)
        }
    }
}
