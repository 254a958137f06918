import AlephCore
import AlephNet
import AlephRPC

/// Instrument metadata (tick size, lot size, minimum notional) from each venue's public
/// instruments endpoint: Binance `/api/v3/exchangeInfo`, OKX `/api/v5/public/instruments`,
/// Bybit `/v5/market/instruments-info`.
public enum InstrumentCatalog {
    /// Why metadata could not be had.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What went wrong.
        public var description: String
    }

    /// OKX's instrument type of a symbol: `-SWAP` perpetuals, dated futures, else spot.
    public static func okxInstType(_ symbol: String) -> String {
        if symbol.hasSuffix("-SWAP") { return "SWAP" }
        if let last = symbol.split(separator: "-").last, last.count == 6, last.allSatisfy(\.isNumber) { return "FUTURES" }
        return "SPOT"
    }

    /// The metadata URLs for a venue's symbols (OKX: one per instrument type in use).
    public static func urls(_ c: VenueConfig) -> [String] {
        switch c.venue {
        case "binance":
            let list = "[" + c.symbols.map { "%22\($0)%22" }.joined(separator: ",") + "]"
            return ["\(c.restURL)/api/v3/exchangeInfo?symbols=\(list)"]
        case "okx":
            return Set(c.symbols.map(okxInstType)).sorted().map { "\(c.restURL)/api/v5/public/instruments?instType=\($0)" }
        default: return ["\(c.restURL)/v5/market/instruments-info?category=\(c.category)"]
        }
    }

    /// Fetches and parses the venue's metadata: symbol → instrument, for the configured symbols.
    public static func fetch(_ c: VenueConfig) async throws -> [String: Instrument] {
        var out: [String: Instrument] = [:]
        var bodies: [[UInt8]] = []
        for u in urls(c) {
            do { bodies.append(try await HTTPTransport().get(u, timeout: .seconds(15))) } catch { throw Failure(description: "\(error)") }
        }
        for (k, body) in bodies.enumerated() {
            // Each body holds some of the symbols; the last one checks that all were found.
            let found = try parse(venue: c.venue, category: c.category, symbols: c.symbols, body: body, requireAll: k == bodies.count - 1 && bodies.count == 1)
            out.merge(found) { a, _ in a }
        }
        let missing = Set(c.symbols).subtracting(out.keys)
        if !missing.isEmpty { throw Failure(description: "\(c.venue) does not list \(missing.sorted().joined(separator: ", "))") }
        return out
    }

    /// Parses a metadata body (pure; tested on fixtures).
    public static func parse(venue: String, category: String, symbols: [String], body: [UInt8], requireAll: Bool = true) throws -> [String: Instrument] {
        let json: JSON
        do { json = try JSONParser.parse(body) } catch { throw Failure(description: "\(venue) instruments: not JSON: \(error)") }
        func dec(_ v: JSON?, _ what: String) throws -> Fixed {
            guard let t = v?.stringValue, let f = try? Fixed(parsing: t) else { throw Failure(description: "\(venue) instruments: missing or bad \(what)") }
            return f
        }
        var out: [String: Instrument] = [:]
        let wanted = Set(symbols)
        switch venue {
        case "binance":
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
                    throw Failure(description: "binance instruments: \(sym) lacks PRICE_FILTER, LOT_SIZE or assets")
                }
                var inst = Instrument(venue: "binance", base: base, quote: quote, kind: .spot, tickSize: tick, lotSize: lot, minNotional: minNotional,
                                      description: "Binance spot \(sym)")
                inst.symbol = sym
                out[sym] = inst
            }
        case "okx":
            for s in json["data"]?.arrayValue ?? [] {
                guard let sym = s["instId"]?.stringValue, wanted.contains(sym) else { continue }
                let parts = sym.split(separator: "-").map(String.init)
                let swap = s["instType"]?.stringValue == "SWAP"
                var inst = Instrument(venue: "okx", base: s["baseCcy"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? parts.first ?? sym,
                                      quote: s["quoteCcy"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? (parts.count > 1 ? parts[1] : ""),
                                      kind: swap ? .perp : .spot, tickSize: try dec(s["tickSz"], "tickSz"), lotSize: try dec(s["lotSz"], "lotSz"),
                                      minNotional: .zero, description: "OKX \(swap ? "swap" : "spot") \(sym)")
                inst.id = "okx:\(sym)"   // OKX ids are unique and readable as they are (spot, swap, dated futures)
                inst.symbol = sym
                out[sym] = inst
            }
        default:
            for s in json["result"]?["list"]?.arrayValue ?? [] {
                guard let sym = s["symbol"]?.stringValue, wanted.contains(sym) else { continue }
                let lotFilter = s["lotSizeFilter"]
                let lot = try (lotFilter?["qtyStep"]).map { v throws in try dec(v, "qtyStep") } ?? dec(lotFilter?["basePrecision"], "basePrecision")
                let minNotional = (lotFilter?["minNotionalValue"]?.stringValue ?? lotFilter?["minOrderAmt"]?.stringValue).flatMap { try? Fixed(parsing: $0) } ?? .zero
                var inst = Instrument(venue: "bybit", base: s["baseCoin"]?.stringValue ?? sym, quote: s["quoteCoin"]?.stringValue ?? "",
                                      kind: category == "linear" ? .perp : .spot, tickSize: try dec(s["priceFilter"]?["tickSize"], "tickSize"),
                                      lotSize: lot, minNotional: minNotional, description: "Bybit \(category) \(sym)")
                inst.symbol = sym
                out[sym] = inst
            }
        }
        let missing = wanted.subtracting(out.keys)
        if requireAll && !missing.isEmpty { throw Failure(description: "\(venue) does not list \(missing.sorted().joined(separator: ", "))") }
        return out
    }
}
