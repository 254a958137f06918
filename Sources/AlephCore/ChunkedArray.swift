/// An append-only array stored in fixed-size chunks, so that appending never copies what is
/// already stored.
///
/// A plain `Array` doubles its buffer when full: the append that crosses a power of two moves
/// every element into fresh memory (6 ms at 65,000 fills, growing with history). Chunks of
/// 4,096 elements are allocated as needed and never move.
public struct ChunkedArray<Element>: RandomAccessCollection {
    private static var chunkBits: Int { 12 }
    private static var chunkSize: Int { 1 << chunkBits }
    private var chunks: [[Element]] = []
    /// Number of elements.
    public private(set) var count = 0

    /// An empty array.
    public init() {}

    /// Adds `e` at the end.
    public mutating func append(_ e: Element) {
        if count & (Self.chunkSize - 1) == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(e)
        count += 1
    }

    /// First index (0).
    public var startIndex: Int { 0 }
    /// One past the last index.
    public var endIndex: Int { count }

    /// The element at `i` (0 ..< count).
    public subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < count, "ChunkedArray index \(i) out of range 0..<\(count)")
            return chunks[i >> Self.chunkBits][i & (Self.chunkSize - 1)]
        }
        set {
            precondition(i >= 0 && i < count, "ChunkedArray index \(i) out of range 0..<\(count)")
            chunks[i >> Self.chunkBits][i & (Self.chunkSize - 1)] = newValue
        }
    }
}

extension ChunkedArray: Sendable where Element: Sendable {}
