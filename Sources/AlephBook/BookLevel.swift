import AlephCore

/// One price level: price and total resting quantity.
public struct BookLevel: Sendable, Equatable {
    /// Level price.
    public var price: Fixed
    /// Total quantity at the price (base units).
    public var quantity: Fixed
    /// Creates a level.
    @inlinable public init(price: Fixed, quantity: Fixed) {
        self.price = price
        self.quantity = quantity
    }
}

/// Integrity errors raised while applying data to a book.
public enum BookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An update skipped sequence numbers.
    case sequenceGap(expected: Int64, got: Int64)
    /// An update older than the book.
    case outOfOrder(last: Int64, got: Int64)
    /// Best bid at or above best ask after applying.
    case crossed(bid: Fixed, ask: Fixed)
    /// A level with a negative quantity or non-positive price.
    case invalidLevel(price: Fixed, quantity: Fixed)
    /// The venue's checksum over the top of the book disagrees with ours.
    case checksumMismatch(expected: Int64, computed: Int64)

    /// Stable machine-readable code.
    public var code: String {
        switch self {
        case .sequenceGap: return "sequence_gap"
        case .outOfOrder: return "out_of_order"
        case .crossed: return "crossed_book"
        case .invalidLevel: return "invalid_level"
        case .checksumMismatch: return "checksum_mismatch"
        }
    }

    /// One-line description.
    public var description: String {
        switch self {
        case let .sequenceGap(e, g): return "sequence gap: expected \(e), got \(g)"
        case let .outOfOrder(l, g): return "out of order: book at \(l), update \(g)"
        case let .crossed(b, a): return "crossed book: bid \(b) >= ask \(a)"
        case let .invalidLevel(p, q): return "invalid level \(p) x \(q)"
        case let .checksumMismatch(e, c): return "checksum mismatch: venue \(e), computed \(c)"
        }
    }
}

/// Result of walking one side of the book for a size.
public struct FillEstimate: Sendable, Equatable {
    /// Quantity that would fill.
    public var quantity: Fixed
    /// Sum of price × quantity.
    public var notional: Fixed
    /// Worst price touched.
    public var worstPrice: Fixed?
    /// Levels consumed: (price, quantity taken).
    public var levels: [BookLevel]
    /// Average price, nil when nothing fills.
    public var averagePrice: Fixed? { quantity.isZero ? nil : notional.divided(by: quantity) }
    /// An empty estimate.
    public static let empty = FillEstimate(quantity: .zero, notional: .zero, worstPrice: nil, levels: [])
}
