import Testing
@testable import AlephCore

@Suite struct ShardedMapTests {
    /// 200,000 random inserts, updates, removes and lookups agree with a plain Dictionary.
    @Test func agreesWithDictionary() {
        var rng = SeededRandom(seed: 77)
        var model: [String: Int] = [:]
        var map = ShardedMap<String, Int>(shardBits: 6)
        var set = ShardedSet<String>(shardBits: 3)
        var setModel: Set<String> = []
        for step in 0..<200_000 {
            let key = "k-\(rng.next() % 5_000)"
            switch rng.next() % 4 {
            case 0, 1:
                map[key] = step
                model[key] = step
                #expect(set.insert(key) == setModel.insert(key).inserted)
            case 2:
                map[key] = nil
                model[key] = nil
                #expect(set.remove(key) == (setModel.remove(key) != nil))
            default:
                #expect(map[key] == model[key])
                #expect(set.contains(key) == setModel.contains(key))
            }
        }
        #expect(map.count == model.count && set.count == setModel.count)
        for (k, v) in model { #expect(map[k] == v) }
        #expect(map.isEmpty == model.isEmpty)
    }
}

@Suite struct ChunkedArrayTests {
    /// Appends across several chunk boundaries read back in order, by index and by iteration.
    @Test func appendsAndIndexesAcrossChunks() {
        var a = ChunkedArray<Int>()
        #expect(a.isEmpty)
        for k in 0..<10_000 { a.append(k * 3) }
        #expect(a.count == 10_000 && a.first == 0 && a.last == 29_997)
        #expect(a[4095] == 12_285 && a[4096] == 12_288 && a[8191] == 24_573)
        #expect(Array(a) == (0..<10_000).map { $0 * 3 })
        a[4096] = -1
        #expect(a[4096] == -1 && a[4095] == 12_285)
        #expect(a.reversed().prefix(2) == [29_997, 29_994])
    }
}
