import AlephBook
import AlephCore
import ArgumentParser
import Foundation
import MallocInterposerSwift

/// `alephtx bench book`: level updates on a 200-level-a-side book near the touch.
struct BenchBook: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "book", abstract: "L2 book: ns and allocations per level update, best bid read after each.")

    @Option(help: "Updates per run.")
    var updates = 2_000_000

    @Option(help: "RNG seed.")
    var seed: UInt64 = 7

    func run() throws {
        try reexecWithInterposer()
        MallocInterposerSwift.initialize()
        let tick = Fixed(raw: 1_000_000) // 0.01
        let mid = Fixed(50_000)
        var book = OrderBook(instrument: "bench")
        var bids: [BookLevel] = [], asks: [BookLevel] = []
        for i in 0..<200 {
            bids.append(BookLevel(price: mid - Fixed(raw: tick.raw * Int64(1 + i)), quantity: Fixed(raw: 100_000_000)))
            asks.append(BookLevel(price: mid + Fixed(raw: tick.raw * Int64(1 + i)), quantity: Fixed(raw: 100_000_000)))
        }
        try book.applySnapshot(bids: bids, asks: asks, sequence: 1, exchangeTime: 0, receiveTime: 0)

        // The stream, drawn up front: side, offset |N(0, 15)| ticks from the initial touch, 15% deletes.
        var rng = SeededRandom(seed: seed)
        var sides = [Side](), prices = [Fixed](), quantities = [Fixed]()
        sides.reserveCapacity(updates); prices.reserveCapacity(updates); quantities.reserveCapacity(updates)
        var deletes = 0
        for _ in 0..<updates {
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-12), u2 = Double(rng.next() >> 11) / Double(1 << 53)
            let n = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2) // tick offsets only; never a price
            let k = Int64(abs(n * 15))
            let side: Side = rng.next() & 1 == 0 ? .buy : .sell
            let price = side == .buy ? mid - Fixed(raw: tick.raw * (1 + k)) : mid + Fixed(raw: tick.raw * (1 + k))
            let delete = rng.next() % 100 < 15
            if delete { deletes += 1 }
            sides.append(side)
            prices.append(price)
            quantities.append(delete ? .zero : Fixed(raw: Int64(1 + rng.next() % 1000) * 1_000_000))
        }

        var sink: Int64 = 0
        for k in 0..<min(100_000, updates) { try book.set(sides[k], price: prices[k], quantity: quantities[k]); sink &+= book.bestBid?.price.raw ?? 0 }
        try book.applySnapshot(bids: bids, asks: asks, sequence: 1, exchangeTime: 0, receiveTime: 0)
        MallocInterposerSwift.hook()
        let a0 = MallocInterposerSwift.getStatistics().mallocCount
        let t0 = DispatchTime.now().uptimeNanoseconds
        for k in 0..<updates {
            try book.set(sides[k], price: prices[k], quantity: quantities[k])
            sink &+= book.bestBid?.price.raw ?? 0
        }
        let t1 = DispatchTime.now().uptimeNanoseconds
        let allocs = MallocInterposerSwift.getStatistics().mallocCount - a0
        MallocInterposerSwift.unhook()
        if sink == 42 { print("") }
        let out: [String: Any] = [
            "bench": "book", "updates": updates, "seed": seed, "start_levels_per_side": 200, "delete_fraction": Double(deletes) / Double(updates),
            "offset_ticks": "|N(0,15)| from the initial touch", "ns_per_update": (Double(t1 - t0) / Double(updates) * 100).rounded() / 100,
            "allocations_per_update": interposerActive ? Double(allocs) / Double(updates) : -1,
            "end_levels": ["bids": book.bids.count, "asks": book.asks.count],
        ]
        let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
