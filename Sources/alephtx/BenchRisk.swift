import AlephBook
import AlephCore
import AlephRisk
import AlephVenues
import ArgumentParser
import MallocInterposerSwift
import Foundation

/// `alephtx bench risk`: nanoseconds and Swift heap allocations per full gate check, every rule on.
struct BenchRisk: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "risk", abstract: "Pre-trade risk check: ns and allocations per check, every rule on.")

    @Option(help: "Checks per run.")
    var iterations = 2_000_000

    func run() throws {
        try reexecWithInterposer()
        MallocInterposerSwift.initialize()
        // A real 25-level book from the simulated market.
        var market = SimMarket(seed: 42)
        let now: Int64 = 1_800_000_000_000_000_000
        var book = OrderBook(instrument: "sim:BTC-USD")
        for case .snapshot(let u) in market.start(now: now) where u.instrument == book.instrument {
            try book.applySnapshot(bids: u.bids, asks: u.asks, sequence: u.sequence, exchangeTime: now, receiveTime: now)
        }
        let inst = market.instruments.first { $0.id == book.instrument }!
        let limits = RiskLimits(maxOrderQuantity: "5", maxOrderNotional: "250000", maxPositionNotional: "500000", maxGrossNotional: "1000000",
                                maxOpenOrders: 200, maxOpenOrdersPerInstrument: 50, maxOrdersPerSecond: 1_000_000_000, priceCollarBps: 500,
                                maxSlippageBps: 100, maxBookAgeMs: 5000, maxDrawdown: "10000", dailyLossLimit: "5000",
                                sessionDailyNotional: "100000000", onBreach: .reducing)
        let state = RiskState(tradingState: .active, instrument: InstrumentRules(inst), book: book, position: "0.5", openBuyQuantity: "0.2", openSellQuantity: "0.1",
                              openOrders: 10, openOrdersOnInstrument: 3, grossNotional: "40000", equity: "100000", peakEquity: "100500",
                              dayStartEquity: "100200", sessionBucket: TokenBucket(rate: 1_000_000_000, now: now),
                              venueBucket: TokenBucket(rate: 1_000_000_000, now: now), sessionNotionalToday: "12000")
        let bid = book.bestBid!.price
        let limitOrder = RiskIntent(instrument: inst.id, side: .buy, quantity: "0.25", type: .limit, limitPrice: bid, timeInForce: .gtc, reduceOnly: false)
        let marketOrder = RiskIntent(instrument: inst.id, side: .buy, quantity: "0.75", type: .market, limitPrice: nil, timeInForce: .ioc, reduceOnly: false)

        func measure(_ intent: RiskIntent) -> (ns: Double, allocs: Double, approved: Int) {
            var approved = 0
            var sink: Int64 = 0
            for _ in 0..<10_000 { sink &+= RiskGate.check(intent, state, limits, now: now).expectedQuantity.raw } // warm-up
            MallocInterposerSwift.hook()
            let a0 = MallocInterposerSwift.getStatistics().mallocCount
            let t0 = DispatchTime.now().uptimeNanoseconds
            for k in 0..<iterations {
                let d = RiskGate.check(intent, state, limits, now: now &+ Int64(k & 1023))
                if d.approved { approved &+= 1 }
                sink &+= d.expectedQuantity.raw
            }
            let t1 = DispatchTime.now().uptimeNanoseconds
            let allocs = MallocInterposerSwift.getStatistics().mallocCount - a0
            MallocInterposerSwift.unhook()
            let hooked = ProcessInfo.processInfo.environment["ALEPHTX_BENCH_PRELOADED"] != nil
            if sink == 42 { print("") } // keep the work observable
            return (Double(t1 - t0) / Double(iterations), hooked ? Double(allocs) / Double(iterations) : -1, approved)
        }
        let l = measure(limitOrder), m = measure(marketOrder)
        // The counter must be able to see allocations: one array per iteration should count as one.
        MallocInterposerSwift.hook()
        let c0 = MallocInterposerSwift.getStatistics().mallocCount
        var keep = 0
        for k in 0..<1000 { keep &+= [Int](repeating: k, count: 4 + (k & 3)).count }
        let seen = Double(MallocInterposerSwift.getStatistics().mallocCount - c0) / 1000
        MallocInterposerSwift.unhook()
        if keep == 42 { print("") }
        let out: [String: Any] = [
            "bench": "risk", "iterations": iterations, "checks": RiskCheck.count, "book_levels_per_side": book.bids.count,
            "limit_order": ["ns_per_check": round(l.ns * 10) / 10, "allocations_per_check": l.allocs, "approved": l.approved],
            "market_order": ["ns_per_check": round(m.ns * 10) / 10, "allocations_per_check": m.allocs, "approved": m.approved],
            "allocation_counter": "malloc calls (ordo-one/malloc-interposer via LD_PRELOAD); -1 when the interposer library was not found",
            "allocation_counter_self_check": ["mallocs_per_array_literal": seen],
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]), as: UTF8.self))
    }
}

extension BenchRisk {
    /// The interposer's shared library, built by SwiftPM next to this executable.
    static func interposerLibrary() -> String? {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("libMallocInterposerSwift.so").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
