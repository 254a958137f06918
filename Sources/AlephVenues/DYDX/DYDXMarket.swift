import AlephCore
import AlephRPC

/// One dYdX perpetual market from the Indexer's `GET /v4/perpetualMarkets`, and the exact
/// conversions between human units (fixed point) and the chain's quantums and subticks:
/// `quantums = size × 10^(−AR)`, `subticks = price × 10^(AR − QCE + 6)`, each a whole multiple of
/// its step. A size or price that is not a whole number of steps is refused, never rounded.
public struct DYDXMarket: Sendable, Equatable {
    /// `BTC-USD`.
    public var ticker: String
    /// The CLOB pair.
    public var clobPairId: UInt32
    /// `atomicResolution` (AR).
    public var atomicResolution: Int
    /// `quantumConversionExponent` (QCE).
    public var quantumConversionExponent: Int
    /// Smallest size step in quantums.
    public var stepBaseQuantums: UInt64
    /// Smallest price step in subticks.
    public var subticksPerTick: UInt64
    /// `ACTIVE`, `PAUSED`, …
    public var status: String

    /// Creates a market.
    public init(ticker: String, clobPairId: UInt32, atomicResolution: Int, quantumConversionExponent: Int, stepBaseQuantums: UInt64,
                subticksPerTick: UInt64, status: String = "ACTIVE") {
        self.ticker = ticker
        self.clobPairId = clobPairId
        self.atomicResolution = atomicResolution
        self.quantumConversionExponent = quantumConversionExponent
        self.stepBaseQuantums = stepBaseQuantums
        self.subticksPerTick = subticksPerTick
        self.status = status
    }

    /// Why a conversion was refused.
    public struct ConversionError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The message.
        public var description: String
    }

    static func pow10(_ n: Int) -> Int128 { var r: Int128 = 1; for _ in 0..<n { r *= 10 }; return r }

    /// `raw × 10^e`, exactly (nil when it is not a whole number or overflows).
    static func scale(_ raw: Int128, _ e: Int) -> Int128? {
        if e >= 0 {
            let m = pow10(e)
            let (v, o) = raw.multipliedReportingOverflow(by: m)
            return o ? nil : v
        }
        let d = pow10(-e)
        return raw % d == 0 ? raw / d : nil
    }

    /// The size step in base units (`stepBaseQuantums × 10^AR`).
    public var stepSize: Fixed { Fixed(raw: Int64(DYDXMarket.scale(Int128(stepBaseQuantums), atomicResolution + 8) ?? 0)) }
    /// The price step in USD (`subticksPerTick / 10^(AR − QCE + 6)`).
    public var tickSize: Fixed { Fixed(raw: Int64(DYDXMarket.scale(Int128(subticksPerTick), 8 - (atomicResolution - quantumConversionExponent + 6)) ?? 0)) }

    /// Base quantums of a size.
    public func quantums(_ size: Fixed) throws(ConversionError) -> UInt64 {
        guard size.isPositive, let q = DYDXMarket.scale(Int128(size.raw), -atomicResolution - 8), q > 0, q <= Int128(UInt64.max) else {
            throw ConversionError(description: "size \(size) is not a whole number of \(ticker) quantums")
        }
        guard UInt64(q) % stepBaseQuantums == 0 else { throw ConversionError(description: "size \(size) is not a multiple of the step \(stepSize)") }
        return UInt64(q)
    }

    /// Subticks of a price.
    public func subticks(_ price: Fixed) throws(ConversionError) -> UInt64 {
        guard price.isPositive, let s = DYDXMarket.scale(Int128(price.raw), atomicResolution - quantumConversionExponent + 6 - 8), s > 0, s <= Int128(UInt64.max) else {
            throw ConversionError(description: "price \(price) is not a whole number of \(ticker) subticks")
        }
        guard UInt64(s) % subticksPerTick == 0 else { throw ConversionError(description: "price \(price) is not a multiple of the tick \(tickSize)") }
        return UInt64(s)
    }

    /// The size of `quantums` (nil when it needs more than 8 decimals).
    public func size(quantums: UInt64) -> Fixed? { DYDXMarket.scale(Int128(quantums), atomicResolution + 8).flatMap { Int64(exactly: $0) }.map(Fixed.init(raw:)) }

    /// The price of `subticks` (nil when it needs more than 8 decimals).
    public func price(subticks: UInt64) -> Fixed? {
        DYDXMarket.scale(Int128(subticks), 8 - (atomicResolution - quantumConversionExponent + 6)).flatMap { Int64(exactly: $0) }.map(Fixed.init(raw:))
    }

    /// The instrument (`dydx:BTC-USD-PERP`): tick and step from the market's own parameters.
    public var instrument: Instrument {
        let parts = ticker.split(separator: "-").map(String.init)
        var i = Instrument(venue: "dydx", base: parts.first ?? ticker, quote: parts.count > 1 ? parts[1] : "USD", kind: .perp, tickSize: tickSize,
                           lotSize: stepSize, minNotional: .zero, description: "dYdX v4 perpetual \(ticker) (clob pair \(clobPairId))")
        i.symbol = ticker
        return i
    }

    /// The markets of a `perpetualMarkets` answer.
    public static func parse(_ json: JSON) throws(ConversionError) -> [String: DYDXMarket] {
        guard case .object(let markets)? = json["markets"] else { throw ConversionError(description: "perpetualMarkets: no markets object") }
        var out: [String: DYDXMarket] = [:]
        for m in markets {
            let v = m.value
            func int(_ k: String) -> Int? { v[k]?.intValue ?? v[k]?.stringValue.flatMap { Int($0) } }
            guard let clob = int("clobPairId"), clob >= 0, let ar = int("atomicResolution"), let qce = int("quantumConversionExponent"),
                  let step = int("stepBaseQuantums"), step > 0, let spt = int("subticksPerTick"), spt > 0, (-20...20).contains(ar), (-20...20).contains(qce) else {
                throw ConversionError(description: "perpetualMarkets: \(m.key) lacks clobPairId, atomicResolution, quantumConversionExponent, stepBaseQuantums or subticksPerTick")
            }
            out[m.key] = DYDXMarket(ticker: m.key, clobPairId: UInt32(clob), atomicResolution: ar, quantumConversionExponent: qce,
                                    stepBaseQuantums: UInt64(step), subticksPerTick: UInt64(spt), status: v["status"]?.stringValue ?? "ACTIVE")
        }
        return out
    }
}
