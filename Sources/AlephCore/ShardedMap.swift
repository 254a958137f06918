/// A hash map split into many independent dictionaries by key hash, so that growing never
/// rehashes more than one shard.
///
/// A plain `Dictionary` doubles in one step: every entry is rehashed and moved on the insert
/// that crosses a power of two. The engine keeps every order and intent of its history in maps,
/// so that one insert stalled everything behind it for 50 ms at 50,000 orders (four maps
/// growing on the same request), and would for about a second at a million. Here each shard
/// grows on its own and holds 1/1024 of the entries.
public struct ShardedMap<Key: Hashable, Value> {
    private var shards: [[Key: Value]]
    /// Number of entries.
    public private(set) var count = 0

    /// An empty map with `2^shardBits` shards.
    public init(shardBits: Int = 10) {
        shards = Array(repeating: [:], count: 1 << max(0, min(shardBits, 16)))
    }

    @inline(__always)
    private func shard(_ key: Key) -> Int { key.hashValue & (shards.count - 1) }

    /// The value for `key`; assigning nil removes it.
    public subscript(key: Key) -> Value? {
        get { shards[shard(key)][key] }
        set {
            let i = shard(key)
            if let newValue {
                if shards[i].updateValue(newValue, forKey: key) == nil { count += 1 }
            } else if shards[i].removeValue(forKey: key) != nil {
                count -= 1
            }
        }
    }

    /// Whether the map holds nothing.
    public var isEmpty: Bool { count == 0 }
}

extension ShardedMap: Sendable where Key: Sendable, Value: Sendable {}

/// A set with the same shard-by-shard growth as `ShardedMap`.
public struct ShardedSet<Element: Hashable> {
    private var map: ShardedMap<Element, Bool>

    /// An empty set with `2^shardBits` shards.
    public init(shardBits: Int = 10) { map = ShardedMap(shardBits: shardBits) }

    /// Inserts `e`; returns false if it was already present.
    @discardableResult
    public mutating func insert(_ e: Element) -> Bool {
        if map[e] != nil { return false }
        map[e] = true
        return true
    }

    /// Whether `e` is present.
    public func contains(_ e: Element) -> Bool { map[e] != nil }

    /// Removes `e`; returns whether it was present.
    @discardableResult
    public mutating func remove(_ e: Element) -> Bool {
        if map[e] == nil { return false }
        map[e] = nil
        return true
    }

    /// Number of elements.
    public var count: Int { map.count }
}

extension ShardedSet: Sendable where Element: Sendable {}
