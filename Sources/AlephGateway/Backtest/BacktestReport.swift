import AlephCore
import AlephRPC
import Foundation

/// The result of a backtest as `report.json`: PnL, fees, trades, turnover, drawdown, Sharpe and
/// exposure, from the equity samples and the fills the run booked. Pure and deterministic: the
/// same run gives the same bytes. Money stays in fixed point; only the Sharpe ratio (a statistic,
/// not an amount) and the chart coordinates use floating point.
public struct BacktestReport: Sendable {
    /// What the run was.
    public struct Run: Sendable {
        /// Venue and instrument id.
        public var venue: String, instrument: String
        /// Recording file names (no directories: the report does not depend on where they were).
        public var data: [String]
        /// The agent command or `strategy:<name>`.
        public var agent: String
        /// Seed handed to the agent (`ALEPHTX_SEED`) and the built-in strategies.
        public var seed: UInt64
        /// Order latency (ms of simulated time).
        public var latencyMs: Int
        /// Equity sample interval (ms of simulated time).
        public var sampleMs: Int
        /// Paper fees (bps) and starting cash.
        public var makerFeeBps: Fixed, takerFeeBps: Fixed, startingCash: Fixed, currency: String

        /// Creates a run description.
        public init(venue: String, instrument: String, data: [String], agent: String, seed: UInt64, latencyMs: Int, sampleMs: Int,
                    makerFeeBps: Fixed, takerFeeBps: Fixed, startingCash: Fixed, currency: String) {
            self.venue = venue
            self.instrument = instrument
            self.data = data
            self.agent = agent
            self.seed = seed
            self.latencyMs = latencyMs
            self.sampleMs = sampleMs
            self.makerFeeBps = makerFeeBps
            self.takerFeeBps = takerFeeBps
            self.startingCash = startingCash
            self.currency = currency
        }
    }

    /// The run.
    public var run: Run
    /// Equity samples.
    public var samples: [BacktestDriver.Sample]
    /// Fills booked, in order.
    public var fills: [Fill]
    /// Orders placed.
    public var orders: Int
    /// Replay counters.
    public var stats: Replay.Stats
    /// Whether the whole recording was replayed (false: the agent left first).
    public var dataEnded: Bool
    /// `backtest.step` requests answered.
    public var steps: Int

    /// Creates a report.
    public init(run: Run, samples: [BacktestDriver.Sample], fills: [Fill], orders: Int, stats: Replay.Stats, dataEnded: Bool, steps: Int) {
        self.run = run
        self.samples = samples
        self.fills = fills
        self.orders = orders
        self.stats = stats
        self.dataEnded = dataEnded
        self.steps = steps
    }

    /// Drawdown below the running peak at each sample.
    public var drawdowns: [Fixed] {
        var peak = Fixed(raw: .min), out: [Fixed] = []
        for s in samples {
            peak = max(peak, s.mark.equity)
            out.append(peak - s.mark.equity)
        }
        return out
    }

    /// Sharpe ratio of per-sample simple returns, annualised by √(samples per year) at the sample
    /// interval, risk-free rate 0; nil with fewer than 3 samples or no variation.
    public var sharpe: Double? {
        guard samples.count >= 3 else { return nil }
        var returns: [Double] = []
        for k in 1..<samples.count {
            let prev = samples[k - 1].mark.equity
            guard prev.isPositive else { return nil }
            returns.append(Double((samples[k].mark.equity - prev).raw) / Double(prev.raw))
        }
        let n = Double(returns.count)
        let mean = returns.reduce(0, +) / n
        let variance = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        guard variance > 0 else { return nil }
        let perYear = 365.0 * 86_400_000 / Double(max(1, run.sampleMs))
        return mean / variance.squareRoot() * perYear.squareRoot()
    }

    /// `report.json`.
    public var json: JSON {
        func d(_ v: Fixed) -> JSON { .string(v.description) }
        let final = samples.last?.mark.equity ?? run.startingCash
        let dds = drawdowns
        var maxDD = Fixed.zero, maxDDPct = Fixed.zero, peak = Fixed(raw: .min)
        for (k, s) in samples.enumerated() {
            peak = max(peak, s.mark.equity)
            if dds[k] > maxDD { maxDD = dds[k] }
            if peak.isPositive, let pct = dds[k].multiplied(by: Fixed(100)).divided(by: peak), pct > maxDDPct { maxDDPct = pct }
        }
        var turnover = Fixed.zero, fees = Fixed.zero, buys = 0, sells = 0, maker = 0
        for f in fills {
            turnover += f.price.multiplied(by: f.quantity)
            fees += f.fee
            if f.side == .buy { buys += 1 } else { sells += 1 }
            if f.liquidity == .maker { maker += 1 }
        }
        // Exposure over time: each sample's position held until the next sample.
        var maxPos = Fixed.zero, maxGross = Fixed.zero, inMarket: Int64 = 0
        for (k, s) in samples.enumerated() {
            maxPos = max(maxPos, s.mark.position.magnitude)
            if let m = s.mark.mark { maxGross = max(maxGross, s.mark.position.magnitude.multiplied(by: m)) }
            if k + 1 < samples.count, !s.mark.position.isZero { inMarket += samples[k + 1].time - s.time }
        }
        let span = (samples.last?.time ?? 0) - (samples.first?.time ?? 0)
        let timeInMarket = span > 0 ? Fixed(raw: inMarket).divided(by: Fixed(raw: span)) ?? .zero : .zero
        let curve: [JSON] = samples.enumerated().map { k, s in
            .array([.int(s.time / 1000), d(s.mark.equity), d(s.mark.position), d(dds[k])])
        }
        let fillRows: [JSON] = fills.map { f in
            .array([.int(f.timestamp / 1000), .string(f.orderId), .string(f.side.rawValue), d(f.price), d(f.quantity), d(f.fee), .string(f.liquidity.rawValue)])
        }
        return .object([
            JSONMember("format", .string("alephtx-backtest")), JSONMember("version", .int(1)),
            JSONMember("run", .object([
                JSONMember("venue", .string(run.venue)), JSONMember("instrument", .string(run.instrument)),
                JSONMember("data", .array(run.data.map(JSON.string))), JSONMember("agent", .string(run.agent)),
                JSONMember("seed", .string(String(run.seed))), JSONMember("latency_ms", .int(run.latencyMs)),
                JSONMember("sample_ms", .int(run.sampleMs)), JSONMember("maker_fee_bps", d(run.makerFeeBps)),
                JSONMember("taker_fee_bps", d(run.takerFeeBps)), JSONMember("currency", .string(run.currency)),
            ])),
            JSONMember("replay", .object([
                JSONMember("frames", .int(stats.frames)), JSONMember("snapshots", .int(stats.snapshots)), JSONMember("events", .int(stats.events)),
                JSONMember("decode_errors", .int(stats.decodeErrors)), JSONMember("malformed", .int(stats.malformed)),
                JSONMember("torn_files", .int(stats.tornFiles)), JSONMember("data_ended", .bool(dataEnded)), JSONMember("steps", .int(steps)),
                JSONMember("start_us", .int((samples.first?.time ?? 0) / 1000)), JSONMember("end_us", .int((samples.last?.time ?? 0) / 1000)),
            ])),
            JSONMember("starting_equity", d(run.startingCash)), JSONMember("final_equity", d(final)), JSONMember("pnl", d(final - run.startingCash)),
            JSONMember("fees", d(fees)), JSONMember("orders", .int(orders)),
            JSONMember("trades", .object([JSONMember("count", .int(fills.count)), JSONMember("buys", .int(buys)), JSONMember("sells", .int(sells)),
                                          JSONMember("maker", .int(maker)), JSONMember("taker", .int(fills.count - maker))])),
            JSONMember("turnover", d(turnover)),
            JSONMember("max_drawdown", d(maxDD)), JSONMember("max_drawdown_pct", d(maxDDPct)),
            JSONMember("sharpe", .object([
                JSONMember("value", sharpe.map { .string(String(format: "%.4f", $0)) } ?? .null),
                JSONMember("basis", .string("simple returns of equity between samples taken every \(run.sampleMs) ms of simulated time (at the first frame after each boundary), annualised by sqrt(samples per 365-day year), risk-free rate 0")),
            ])),
            JSONMember("exposure", .object([
                JSONMember("max_abs_position", d(maxPos)), JSONMember("max_gross_notional", d(maxGross)),
                JSONMember("time_in_market", d(timeInMarket)),
            ])),
            JSONMember("equity_curve", .object([JSONMember("columns", .array(["t_us", "equity", "position", "drawdown"].map(JSON.string))),
                                                JSONMember("rows", .array(curve))])),
            JSONMember("fills", .object([JSONMember("columns", .array(["t_us", "order_id", "side", "price", "quantity", "fee", "liquidity"].map(JSON.string))),
                                         JSONMember("rows", .array(fillRows))])),
        ])
    }
}
