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

    /// Hyperliquid's universe (`meta`, and `spotMeta` when a spot pair is configured) by POST `/info`.
    public static func hyperliquidUniverse(_ c: VenueConfig) async throws -> HyperliquidUniverse {
        let info = "\(c.restURL)/info"
        func post(_ body: String) async throws -> JSON {
            let bytes: [UInt8]
            do { bytes = try await HTTPTransport().post(info, json: body, timeout: .seconds(15)) } catch { throw Failure(description: "\(error)") }
            do { return try JSONParser.parse(bytes) } catch { throw Failure(description: "hyperliquid \(body): not JSON: \(error)") }
        }
        let meta = c.symbols.contains { !HyperliquidUniverse.isSpot($0) } ? try await post(#"{"type":"meta"}"#) : nil
        let spot = c.symbols.contains(where: HyperliquidUniverse.isSpot) ? try await post(#"{"type":"spotMeta"}"#) : nil
        return try HyperliquidUniverse.parse(meta: meta, spotMeta: spot)
    }

    /// dYdX perpetual markets from the Indexer (`GET /v4/perpetualMarkets`).
    public static func dydxMarkets(_ c: VenueConfig) async throws -> [String: DYDXMarket] {
        let body: [UInt8]
        do { body = try await HTTPTransport().get("\(c.restURL)/perpetualMarkets", timeout: .seconds(15)) } catch { throw Failure(description: "dydx perpetualMarkets: \(error)") }
        let json: JSON
        do { json = try JSONParser.parse(body) } catch { throw Failure(description: "dydx perpetualMarkets: not JSON: \(error)") }
        do { return try DYDXMarket.parse(json) } catch { throw Failure(description: error.description) }
    }

    /// Polymarket's configured markets from Gamma: token id → outcome instrument.
    public static func polymarketMarkets(_ c: VenueConfig) async throws -> [String: Instrument] {
        var out: [String: Instrument] = [:]
        for (market, url) in zip(c.symbols, PolymarketMarkets.urls(gamma: c.gammaURL, markets: c.symbols)) {
            let body: [UInt8]
            do { body = try await HTTPTransport().get(url, timeout: .seconds(15)) } catch { throw Failure(description: "polymarket market \(market): \(error)") }
            let json: JSON
            do { json = try JSONParser.parse(body) } catch { throw Failure(description: "polymarket market \(market): not JSON: \(error)") }
            let found = PolymarketMarkets.markets(in: json)
            guard !found.isEmpty else { throw Failure(description: "polymarket does not list market \(market)") }
            for m in found {
                do { for i in try PolymarketMarkets.instruments(market: m) { out[i.symbol] = i } } catch { throw Failure(description: error.description) }
            }
        }
        return out
    }

    /// Fetches and parses the venue's metadata: symbol → instrument, for the configured symbols
    /// (Polymarket: every outcome token of the configured markets, by token id).
    public static func fetch(_ c: VenueConfig) async throws -> [String: Instrument] {
        if c.venue == "polymarket" { return try await polymarketMarkets(c) }
        if c.venue == "dydx" {
            let markets = try await dydxMarkets(c)
            var out: [String: Instrument] = [:]
            for t in c.symbols { if let m = markets[t] { out[t] = m.instrument } }
            let missing = Set(c.symbols).subtracting(out.keys)
            if !missing.isEmpty { throw Failure(description: "dydx does not list \(missing.sorted().joined(separator: ", "))") }
            return out
        }
        if c.venue == "hyperliquid" {
            let u = try await hyperliquidUniverse(c)
            var out: [String: Instrument] = [:]
            for coin in c.symbols { if let a = u.byCoin[coin] { out[coin] = a.instrument } }
            let missing = Set(c.symbols).subtracting(out.keys)
            if !missing.isEmpty { throw Failure(description: "hyperliquid does not list \(missing.sorted().joined(separator: ", "))") }
            return out
        }
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
        let wanted = Set(symbols)
        let dec: (JSON?, String) throws -> Fixed = { v, what in
            guard let t = v?.stringValue, let f = try? Fixed(parsing: t) else { throw Failure(description: "\(venue) instruments: missing or bad \(what)") }
            return f
        }
        let out: [String: Instrument]
        switch venue {
        case "binance": out = try BinanceCatalog.instruments(json, wanted: wanted, dec: dec)
        case "okx": out = try OKXCatalog.instruments(json, wanted: wanted, dec: dec)
        default: out = try BybitCatalog.instruments(json, category: category, wanted: wanted, dec: dec)
        }
        let missing = wanted.subtracting(out.keys)
        if requireAll && !missing.isEmpty { throw Failure(description: "\(venue) does not list \(missing.sorted().joined(separator: ", "))") }
        return out
    }
}
