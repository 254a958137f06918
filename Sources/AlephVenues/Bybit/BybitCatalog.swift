import AlephCore
import AlephRPC

/// Bybit instrument rules from `/v5/market/instruments-info` (`priceFilter.tickSize`,
/// `lotSizeFilter.qtyStep` or spot's `basePrecision`, the minimum notional).
enum BybitCatalog {
    static func instruments(_ json: JSON, category: String, wanted: Set<String>, dec: (JSON?, String) throws -> Fixed) throws -> [String: Instrument] {
        var out: [String: Instrument] = [:]
        for s in json["result"]?["list"]?.arrayValue ?? [] {
            guard let sym = s["symbol"]?.stringValue, wanted.contains(sym) else { continue }
            let lotFilter = s["lotSizeFilter"]
            let lot = try lotFilter?["qtyStep"] != nil ? dec(lotFilter?["qtyStep"], "qtyStep") : dec(lotFilter?["basePrecision"], "basePrecision")
            let minNotional = (lotFilter?["minNotionalValue"]?.stringValue ?? lotFilter?["minOrderAmt"]?.stringValue).flatMap { try? Fixed(parsing: $0) } ?? .zero
            var inst = Instrument(venue: "bybit", base: s["baseCoin"]?.stringValue ?? sym, quote: s["quoteCoin"]?.stringValue ?? "",
                                  kind: category == "linear" ? .perp : .spot, tickSize: try dec(s["priceFilter"]?["tickSize"], "tickSize"),
                                  lotSize: lot, minNotional: minNotional, description: "Bybit \(category) \(sym)")
            inst.symbol = sym
            out[sym] = inst
        }
        return out
    }
}
