import AlephBook
import AlephCore
import AlephGateway
import AlephRPC
import AlephVenues
import ArgumentParser
import Foundation
import Logging

/// `alephtx replay`: recordings through the venue's adapter and the engine on the recorded clock;
/// prints what was read and the final book (the first step of backtesting, and a check of a recording).
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay", abstract: """
        Replay recordings (lines of `<recv_ts_ns> <raw frame>`, gzip or plain: our own and hftbacktest captures) through the venue's \
        decoder, book sync and the engine on the recorded clock; prints one JSON line with counts and the final book.
        """)

    @Option(help: "binance or hyperliquid.") var venue: String
    @Option(help: "The venue symbol (BTCUSDT; a Hyperliquid perp coin such as BTC).") var symbol: String
    @Option(parsing: .upToNextOption, help: "Recording files, replayed in order.") var data: [String]
    @Option(help: "Levels per side printed.") var depth = 20

    func run() async throws {
        do {
            var (adapter, inst) = try Replay.setup(venue: venue, symbol: symbol)
            var logger = Logger(label: "replay")
            logger.logLevel = .error
            let clock = ManualTimeSource(start: 0)
            var config = EngineConfig()
            config.riskLimits = .init()
            let engine = Engine(instruments: [inst], config: config, time: clock, logger: logger, ledger: try Ledger(path: ":memory:"))
            await engine.addInstruments([inst], venue: inst.venue)
            let stats = try await Replay.run(files: data, symbol: symbol, adapter: &adapter, engine: engine, clock: clock)
            let book = await engine.book(inst.id) ?? OrderBook(instrument: inst.id)
            func side(_ levels: some Sequence<BookLevel>) -> JSON { .array(levels.prefix(depth).map { .array([.string($0.price.description), .string($0.quantity.description)]) }) }
            print(JSONWriter.string(.object([
                JSONMember("instrument", .string(inst.id)), JSONMember("frames", .int(stats.frames)), JSONMember("snapshots", .int(stats.snapshots)),
                JSONMember("events", .int(stats.events)), JSONMember("decode_errors", .int(stats.decodeErrors)), JSONMember("malformed", .int(stats.malformed)),
                JSONMember("torn_files", .int(stats.tornFiles)), JSONMember("book_errors", .int(await engine.bookErrors)),
                JSONMember("book", .object([JSONMember("sequence", .int(book.sequence)), JSONMember("verified", .bool(book.verified)),
                                            JSONMember("bids", side(book.bids)), JSONMember("asks", side(book.asks))])),
            ])))
        } catch let e as ReplayError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `alephtx bench replay`: recorded frames per second through decode → sync → book → engine, and
/// through decode and sync alone, in one run (frames preloaded: no file I/O timed).
struct BenchReplay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay", abstract: "Frames/s replayed through the whole path and through decode alone (release).")

    @Option(help: "binance or hyperliquid.") var venue = "binance"
    @Option(help: "The venue symbol.") var symbol = "BTCUSDT"
    @Option(parsing: .upToNextOption, help: "Recording files (default: the Binance spot captures in ../shared/data).") var data: [String] = []
    @Option(help: "Passes over the data per measurement.") var passes = 5

    func run() async throws {
        let files = data.isEmpty ? ["../shared/data/binance/hftbacktest_raw_spot_btcusdt_20240808.gz", "../shared/data/binance/hftbacktest_raw_spot_btcusdt_20240809.gz"] : data
        var frames: [RecordedFrame] = []
        for f in files {
            let r = try RecordingReader(path: f)
            while let x = r.next() { frames.append(x) }
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        func pass(engine: Bool) async throws -> (Double, Int, Int) {
            var (adapter, inst) = try Replay.setup(venue: venue, symbol: symbol)
            let clock = ManualTimeSource(start: 0)
            var config = EngineConfig()
            config.riskLimits = .init()
            let e = Engine(instruments: [inst], config: config, time: clock, logger: logger, ledger: try Ledger(path: ":memory:"))
            await e.addInstruments([inst], venue: inst.venue)
            var events = 0, levels = 0
            let t0 = DispatchTime.now().uptimeNanoseconds
            for f in frames {
                let out = try Replay.decode(f, symbol: symbol, adapter: &adapter)
                events += out.events.count
                for ev in out.events {
                    switch ev {
                    case .levels(let u), .delta(let u), .snapshot(let u): levels += u.bids.count + u.asks.count
                    case .book(let b): levels += b.bidStore.count + b.askStore.count
                    case .trade: levels += 1
                    default: break
                    }
                }
                if engine, !out.events.isEmpty { await e.ingest(out.events) }
            }
            return (Double(DispatchTime.now().uptimeNanoseconds - t0), events, levels)
        }
        var whole: [Double] = [], decode: [Double] = []
        var events = 0, levels = 0
        for _ in 0..<passes {
            let (d, ev, lv) = try await pass(engine: false)
            decode.append(d)
            events = ev
            levels = lv
            whole.append(try await pass(engine: true).0)
        }
        let bytes = frames.reduce(0) { $0 + $1.bytes.count }
        func rate(_ ns: [Double]) -> Double { (Double(frames.count) / (ns.min()! / 1e9)).rounded() }
        let result: [String: Any] = [
            "bench": "replay", "venue": venue, "frames": frames.count, "bytes": bytes, "book_events_per_pass": events,
            "frames_per_s_decode_and_sync": rate(decode), "frames_per_s_through_engine": rate(whole),
            "ns_per_frame_decode_and_sync": ((decode.min()! / Double(frames.count)) * 10).rounded() / 10,
            "ns_per_frame_through_engine": ((whole.min()! / Double(frames.count)) * 10).rounded() / 10,
            "engine_over_decode": ((whole.min()! / decode.min()!) * 100).rounded() / 100,
            // A book event here is one level change (or one trade): what the engine applies.
            "book_level_changes_and_trades_per_pass": levels,
            "book_events_per_s_through_engine": (Double(levels) / (whole.min()! / 1e9)).rounded(),
            "book_events_per_s_decode_and_sync": (Double(levels) / (decode.min()! / 1e9)).rounded(),
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
    }
}
