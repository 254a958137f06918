import AlephCore
import AlephRPC

/// Binance spot instrument rules from `/api/v3/exchangeInfo`: tick (`PRICE_FILTER`), lot
/// (`LOT_SIZE`) and minimum notional (`NOTIONAL` or the older `MIN_NOTIONAL`).
enum BinanceCatalog {
    static func instruments(_ json: JSON, wanted: Set<String>, dec: (JSON?, String) throws -> Fixed) throws -> [String: Instrument] {
        var out: [String: Instrument] = [:]
        for s in json["symbols"]?.arrayValue ?? [] {
            guard let sym = s["symbol"]?.stringValue, wanted.contains(sym) else { continue }
            var tick: Fixed? = nil, lot: Fixed? = nil, minNotional = Fixed.zero
            for f in s["filters"]?.arrayValue ?? [] {
                switch f["filterType"]?.stringValue {
                case "PRICE_FILTER": tick = try dec(f["tickSize"], "tickSize")
                case "LOT_SIZE": lot = try dec(f["stepSize"], "stepSize")
                case "NOTIONAL", "MIN_NOTIONAL": minNotional = try dec(f["minNotional"], "minNotional")
                default: break
                }
            }
            guard let tick, let lot, let base = s["baseAsset"]?.stringValue, let quote = s["quoteAsset"]?.stringValue else {
                throw InstrumentCatalog.Failure(description: "binance instruments: \(sym) lacks PRICE_FILTER, LOT_SIZE or assets")
            }
            var inst = Instrument(venue: "binance", base: base, quote: quote, kind: .spot, tickSize: tick, lotSize: lot, minNotional: minNotional,
                                  description: "Binance spot \(sym)")
            inst.symbol = sym
            out[sym] = inst
        }
        return out
    }
}
