import AlephCore
import AlephRPC

/// OKX instrument rules from `/api/v5/public/instruments` (`tickSz`, `lotSz`); ids keep OKX's own
/// instrument id (`okx:BTC-USDT`, `okx:BTC-USDT-SWAP`), which is unique and readable as it is.
enum OKXCatalog {
    static func instruments(_ json: JSON, wanted: Set<String>, dec: (JSON?, String) throws -> Fixed) throws -> [String: Instrument] {
        var out: [String: Instrument] = [:]
        for s in json["data"]?.arrayValue ?? [] {
            guard let sym = s["instId"]?.stringValue, wanted.contains(sym) else { continue }
            let parts = sym.split(separator: "-").map(String.init)
            let swap = s["instType"]?.stringValue == "SWAP"
            var inst = Instrument(venue: "okx", base: s["baseCcy"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? parts.first ?? sym,
                                  quote: s["quoteCcy"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? (parts.count > 1 ? parts[1] : ""),
                                  kind: swap ? .perp : .spot, tickSize: try dec(s["tickSz"], "tickSz"), lotSize: try dec(s["lotSz"], "lotSz"),
                                  minNotional: .zero, description: "OKX \(swap ? "swap" : "spot") \(sym)")
            inst.id = "okx:\(sym)"
            inst.symbol = sym
            out[sym] = inst
        }
        return out
    }
}
