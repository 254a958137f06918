import AlephCore
import AlephRPC

/// One tradable Hyperliquid asset.
public struct HyperliquidAsset: Sendable, Equatable {
    /// The coin on the wire (`BTC`, `PURR/USDC`, `@107`).
    public var coin: String
    /// The asset id in order actions: a perp's index in `meta.universe`, or 10000 + a spot pair's index.
    public var asset: Int
    /// Size decimals (`szDecimals`; spot: the base token's).
    public var szDecimals: Int
    /// Spot pair (else perp).
    public var spot: Bool
    /// Base asset name.
    public var base: String
    /// Quote asset name (perps settle in USDC; their instrument quote is USD).
    public var quote: String

    /// Creates an asset.
    public init(coin: String, asset: Int, szDecimals: Int, spot: Bool, base: String, quote: String) {
        self.coin = coin
        self.asset = asset
        self.szDecimals = szDecimals
        self.spot = spot
        self.base = base
        self.quote = quote
    }

    /// Prices may carry at most `6 − szDecimals` decimals on perps and `8 − szDecimals` on spot.
    public var maxPriceDecimals: Int { max(0, (spot ? 8 : 6) - szDecimals) }

    /// The instrument: tick from the decimal rule, lot from `szDecimals`, 5 significant figures,
    /// minimum order value 10 (USDC, or the spot quote token).
    public var instrument: Instrument {
        var i = Instrument(venue: "hyperliquid", base: base, quote: spot ? quote : "USD", kind: spot ? .spot : .perp,
                           tickSize: Fixed(raw: HyperliquidAsset.pow10(8 - maxPriceDecimals)), lotSize: Fixed(raw: HyperliquidAsset.pow10(8 - szDecimals)),
                           minNotional: Fixed(10), description: spot ? "Hyperliquid spot \(base)/\(quote)" : "Hyperliquid perpetual \(base) (USDC margined)")
        i.symbol = coin
        i.priceSignificantFigures = 5
        return i
    }

    static func pow10(_ n: Int) -> Int64 {
        var v: Int64 = 1
        for _ in 0..<max(0, min(n, 18)) { v *= 10 }
        return v
    }
}

/// Hyperliquid's assets from `/info` `meta` (perps) and `spotMeta` (spot pairs and tokens).
public struct HyperliquidUniverse: Sendable, Equatable {
    /// Assets by wire coin, and spot pairs also by `BASE/QUOTE` token names.
    public var byCoin: [String: HyperliquidAsset] = [:]

    /// An empty universe.
    public init() {}

    /// Parses the two answers (either may be absent).
    public static func parse(meta: JSON?, spotMeta: JSON?) throws(InstrumentCatalog.Failure) -> HyperliquidUniverse {
        var u = HyperliquidUniverse()
        if let meta {
            guard let list = meta["universe"]?.arrayValue else { throw InstrumentCatalog.Failure(description: "hyperliquid meta: no universe") }
            for (k, a) in list.enumerated() {
                guard let name = a["name"]?.stringValue, let sz = a["szDecimals"]?.intValue, (0...8).contains(sz) else {
                    throw InstrumentCatalog.Failure(description: "hyperliquid meta: universe[\(k)] without name or szDecimals")
                }
                if a["isDelisted"]?.boolValue == true { continue }
                u.byCoin[name] = HyperliquidAsset(coin: name, asset: k, szDecimals: sz, spot: false, base: name, quote: "USDC")
            }
        }
        if let spotMeta {
            guard let tokens = spotMeta["tokens"]?.arrayValue, let pairs = spotMeta["universe"]?.arrayValue else {
                throw InstrumentCatalog.Failure(description: "hyperliquid spotMeta: no tokens or universe")
            }
            var tokenByIndex: [Int: (name: String, sz: Int)] = [:]
            for t in tokens {
                guard let name = t["name"]?.stringValue, let idx = t["index"]?.intValue, let sz = t["szDecimals"]?.intValue else { continue }
                tokenByIndex[idx] = (name, sz)
            }
            for p in pairs {
                guard let name = p["name"]?.stringValue, let idx = p["index"]?.intValue, let tk = p["tokens"]?.arrayValue, tk.count == 2,
                      let b = tk[0].intValue.flatMap({ tokenByIndex[$0] }), let q = tk[1].intValue.flatMap({ tokenByIndex[$0] }), (0...8).contains(b.sz) else { continue }
                let asset = HyperliquidAsset(coin: name, asset: 10_000 + idx, szDecimals: b.sz, spot: true, base: b.name, quote: q.name)
                u.byCoin[name] = asset
                let alias = "\(b.name)/\(q.name)"
                if u.byCoin[alias] == nil { u.byCoin[alias] = asset }
            }
        }
        return u
    }

    /// True when a configured coin names a spot pair (`A/B` or `@n`).
    public static func isSpot(_ coin: String) -> Bool { coin.contains("/") || coin.hasPrefix("@") }
}
