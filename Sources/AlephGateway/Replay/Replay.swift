import AlephBook
import AlephCore
import AlephVenueKit
import AlephVenues
import Logging

/// Replays recordings through the venue's own adapter (decoder and book sync) and the engine, on
/// a clock that follows the recorded receive times: the live code path, no second implementation.
/// REST snapshots recorded in the stream (`{"lastUpdateId":…}` for Binance) go to the adapter's
/// snapshot handler at their recorded time.
public struct Replay {
    /// What a replay read and produced.
    public struct Stats: Sendable {
        /// Frames read.
        public var frames = 0
        /// REST snapshots among them.
        public var snapshots = 0
        /// Market events the adapter produced.
        public var events = 0
        /// Frames the adapter could not decode.
        public var decodeErrors = 0
        /// Lines that were not `<ts> <frame>`.
        public var malformed = 0
        /// Files whose last record was torn (skipped).
        public var tornFiles = 0
    }

    /// The venue's adapter and instrument for a symbol (Binance: `BTCUSDT`; Hyperliquid: a perp coin).
    public static func setup(venue: String, symbol: String) throws(ReplayError) -> (any VenueAdapter, Instrument) {
        switch venue {
        case "binance":
            let quotes = ["USDT", "USDC", "FDUSD", "BUSD", "BTC", "ETH"]
            guard let q = quotes.first(where: { symbol.hasSuffix($0) && symbol.count > $0.count }) else {
                throw ReplayError("cannot split \(symbol) into base and quote")
            }
            var i = Instrument(venue: "binance", base: String(symbol.dropLast(q.count)), quote: q, kind: .spot, tickSize: "0.01", lotSize: "0.00001",
                               minNotional: "5", description: "replay")
            i.symbol = symbol
            var c = VenueConfig(venue: "binance")
            c.symbols = [symbol]
            return (BinanceAdapter(config: c, instruments: [symbol: i.id]), i)
        case "hyperliquid":
            let asset = HyperliquidAsset(coin: symbol, asset: 0, szDecimals: 5, spot: false, base: symbol, quote: "USDC")
            return (HyperliquidAdapter(url: "", instruments: [symbol: asset.instrument.id], perps: [symbol]), asset.instrument)
        default:
            throw ReplayError("replay of \(venue) recordings is not implemented in this build (binance, hyperliquid)")
        }
    }

    /// Whether a recorded frame is a REST depth snapshot (Binance `{"lastUpdateId":…}`).
    public static func isSnapshot(_ f: RecordedFrame) -> Bool { f.bytes.starts(with: snapshotPrefix) }
    static let snapshotPrefix = Array(#"{"lastUpdateId""#.utf8)

    /// One recorded frame through the adapter: a snapshot to its snapshot handler, anything else as a frame.
    public static func decode(_ f: RecordedFrame, symbol: String, adapter: inout any VenueAdapter) throws(WireError) -> AdapterOutput {
        let snapshot = isSnapshot(f)
        do {
            return try f.bytes.withUnsafeBytes { raw throws(WireError) in
                snapshot ? try adapter.onSnapshot(symbol: symbol, raw, receiveTime: f.receiveTime) : try adapter.onFrame(raw, receiveTime: f.receiveTime)
            }
        } catch let e as WireError { throw e } catch { throw WireError(0, "\(error)") }
    }

    /// Replays `files` in order into `engine` (nil: decode and sync only), moving `clock` to each
    /// frame's receive time.
    public static func run(files: [String], symbol: String, adapter: inout any VenueAdapter, engine: Engine?,
                           clock: ManualTimeSource?) async throws(ReplayError) -> Stats {
        var stats = Stats()
        for path in files {
            let reader = try RecordingReader(path: path)
            while let f = reader.next() {
                stats.frames += 1
                if let clock { let d = f.receiveTime - clock.nowNanos(); if d > 0 { clock.advance(nanos: d) } }
                if isSnapshot(f) { stats.snapshots += 1 }
                let out: AdapterOutput
                do { out = try decode(f, symbol: symbol, adapter: &adapter) } catch {
                    stats.decodeErrors += 1
                    continue
                }
                stats.events += out.events.count
                if let engine, !out.events.isEmpty { await engine.ingest(out.events) }
            }
            stats.malformed += reader.malformed
            if reader.torn { stats.tornFiles += 1 }
        }
        return stats
    }
}
