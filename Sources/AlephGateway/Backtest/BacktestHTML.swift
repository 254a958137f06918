import AlephCore
import Foundation

/// `report.html`: a self-contained page (inline CSS and SVG, no script, nothing fetched) with the
/// summary, an equity curve, the drawdown and the position — one polyline point per equity sample.
public enum BacktestHTML {
    /// Renders the page for a report.
    public static func render(_ report: BacktestReport) -> String {
        let s = report.samples
        let times = s.map(\.time)
        let summary = report.json
        func field(_ key: String) -> String { summary[key]?.stringValue ?? "–" }
        var rows: [(String, String)] = [
            ("Instrument", report.run.instrument), ("Agent", report.run.agent), ("Data", report.run.data.joined(separator: ", ")),
            ("Simulated time", "\(iso(times.first)) → \(iso(times.last))"),
            ("Starting equity", "\(field("starting_equity")) \(report.run.currency)"), ("Final equity", "\(field("final_equity")) \(report.run.currency)"),
            ("PnL", "\(field("pnl")) \(report.run.currency)"), ("Fees", field("fees")), ("Orders", "\(report.orders)"),
            ("Trades", "\(report.fills.count)"), ("Turnover", field("turnover")),
            ("Max drawdown", "\(field("max_drawdown")) (\(field("max_drawdown_pct"))%)"),
            ("Sharpe", summary["sharpe"]?["value"]?.stringValue ?? "n/a"),
            ("Time in market", summary["exposure"]?["time_in_market"]?.stringValue ?? "0"),
            ("Latency", "\(report.run.latencyMs) ms"), ("Frames replayed", "\(report.stats.frames)"),
        ]
        if !report.dataEnded { rows.append(("Note", "the agent ended before the recording did")) }
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>AlephTX backtest: \(escape(report.run.instrument))</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
        h1{font-size:20px;margin:0 0 12px}h2{font-size:15px;margin:20px 0 6px}
        table{border-collapse:collapse}td{padding:2px 12px 2px 0;vertical-align:top}td:first-child{color:#5b6475}
        svg{background:#fafbfc;border:1px solid #e3e6eb}text{font:11px system-ui,sans-serif;fill:#5b6475}
        </style></head><body>
        <h1>Backtest — \(escape(report.run.instrument))</h1>
        <table>
        """
        for (k, v) in rows { html += "<tr><td>\(escape(k))</td><td>\(escape(v))</td></tr>\n" }
        html += "</table>\n"
        html += chart(id: "equity", title: "Equity (\(report.run.currency))", times: times, values: s.map(\.mark.equity), color: "#2463eb")
        html += chart(id: "drawdown", title: "Drawdown (\(report.run.currency))", times: times, values: report.drawdowns.map { Fixed.zero - $0 }, color: "#d03b3b")
        html += chart(id: "position", title: "Position (\(report.run.instrument))", times: times, values: s.map(\.mark.position), color: "#1b8a5a")
        html += "</body></html>\n"
        return html
    }

    /// One line chart: a polyline with a point per sample, min/max labels and the time span.
    static func chart(id: String, title: String, times: [Int64], values: [Fixed], color: String) -> String {
        let w = 900.0, h = 220.0, left = 70.0, right = 10.0, top = 10.0, bottom = 24.0
        let lo = values.min() ?? .zero, hi = values.max() ?? .zero
        let t0 = times.first ?? 0, t1 = times.last ?? 0
        let span = Double(max(1, t1 - t0)), range = Double(hi.raw - lo.raw)
        var points: [String] = []
        points.reserveCapacity(values.count)
        for (t, v) in zip(times, values) {
            let x = left + (w - left - right) * Double(t - t0) / span
            let y = range == 0 ? top + (h - top - bottom) / 2 : top + (h - top - bottom) * (1 - Double(v.raw - lo.raw) / range)
            points.append(String(format: "%.1f,%.1f", x, y))
        }
        return """
        <h2>\(escape(title))</h2>
        <svg id="\(id)-chart" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="\(escape(title))">
        <line x1="\(left)" y1="\(h - bottom)" x2="\(w - right)" y2="\(h - bottom)" stroke="#c9ced6"/>
        <text x="\(left - 6)" y="\(top + 10)" text-anchor="end">\(hi)</text>
        <text x="\(left - 6)" y="\(h - bottom)" text-anchor="end">\(lo)</text>
        <text x="\(left)" y="\(h - 6)">\(iso(times.first))</text>
        <text x="\(w - right)" y="\(h - 6)" text-anchor="end">\(iso(times.last))</text>
        <polyline id="\(id)" fill="none" stroke="\(color)" stroke-width="1.5" points="\(points.joined(separator: " "))"/>
        </svg>

        """
    }

    /// A simulated time as ISO 8601 (UTC, seconds).
    public static func iso(_ ns: Int64?) -> String {
        guard let ns else { return "–" }
        let d = Date(timeIntervalSince1970: TimeInterval(ns / 1_000_000_000))
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
