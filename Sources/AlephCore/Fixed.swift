/// A fixed-point decimal with 8 fractional digits stored in an `Int64`.
///
/// All money in AlephTX (prices, quantities, notionals, fees, PnL) is a `Fixed`.
/// The range is ±92,233,720,368.54775807, which covers every instrument we trade.
/// Multiplication and division go through `Int128` so intermediate results never overflow.
public struct Fixed: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Number of fractional decimal digits.
    public static let decimals = 8
    /// 10^decimals.
    public static let scale: Int64 = 100_000_000

    /// The raw scaled integer value (`value * 10^8`).
    public var raw: Int64

    /// Creates a value from its raw scaled integer.
    @inlinable public init(raw: Int64) { self.raw = raw }

    /// Creates a value from a whole number of units.
    @inlinable public init(_ units: Int) { self.raw = Int64(units) * Fixed.scale }

    /// Zero (computed, so reading it never goes through a lazy global).
    @inlinable public static var zero: Fixed { Fixed(raw: 0) }

    /// True when the value is exactly zero.
    @inlinable public var isZero: Bool { raw == 0 }
    /// True when the value is below zero.
    @inlinable public var isNegative: Bool { raw < 0 }
    /// True when the value is above zero.
    @inlinable public var isPositive: Bool { raw > 0 }
    /// The absolute value.
    @inlinable public var magnitude: Fixed { Fixed(raw: raw < 0 ? (raw == Int64.min ? Int64.max : -raw) : raw) }

    @inlinable public static func < (a: Fixed, b: Fixed) -> Bool { a.raw < b.raw }
    /// Largest magnitude; results saturate here instead of trapping, so hostile input cannot crash the process.
    @inlinable public static var max: Fixed { Fixed(raw: Int64.max) }

    @inlinable static func saturate(_ r: (partialValue: Int64, overflow: Bool), _ positive: Bool) -> Int64 {
        if !r.overflow { return r.partialValue == Int64.min ? -Int64.max : r.partialValue }
        return positive ? Int64.max : -Int64.max
    }
    @inlinable public static func + (a: Fixed, b: Fixed) -> Fixed { Fixed(raw: saturate(a.raw.addingReportingOverflow(b.raw), b.raw > 0)) }
    @inlinable public static func - (a: Fixed, b: Fixed) -> Fixed { Fixed(raw: saturate(a.raw.subtractingReportingOverflow(b.raw), b.raw < 0)) }
    @inlinable public static prefix func - (a: Fixed) -> Fixed { Fixed(raw: a.raw == Int64.min ? Int64.max : -a.raw) }
    @inlinable public static func += (a: inout Fixed, b: Fixed) { a = a + b }
    @inlinable public static func -= (a: inout Fixed, b: Fixed) { a = a - b }

    /// Rounding modes for multiplication and division.
    public enum Rounding: Sendable { case down, up, nearest }

    /// `a * b`, rounded as requested (default: to nearest, half away from zero).
    @inlinable
    public func multiplied(by other: Fixed, rounding: Rounding = .nearest) -> Fixed {
        if rounding == .nearest, let fast = Fixed.fastProduct(raw, other.raw) { return Fixed(raw: fast) }
        let product = Int128(raw) * Int128(other.raw)
        return Fixed(raw: Fixed.divide(product, Int128(Fixed.scale), rounding))
    }

    /// `a × b / 10^8` rounded half away from zero using only 64-bit operations and divisions by
    /// the constant 10^8 (which compile to multiply-and-shift); nil when an intermediate overflows.
    @inlinable
    static func fastProduct(_ a: Int64, _ b: Int64) -> Int64? {
        if a == Int64.min || b == Int64.min { return nil }
        let negative = (a < 0) != (b < 0)
        let x = a.magnitude, y = b.magnitude
        let s = UInt64(Fixed.scale)
        let xh = x / s, xl = x % s, yh = y / s, yl = y % s
        // x*y/s = xh*yh*s + xh*yl + xl*yh + xl*yl/s
        let (hh, o1) = xh.multipliedReportingOverflow(by: yh)
        let (hhs, o2) = hh.multipliedReportingOverflow(by: s)
        let (m1, o3) = xh.multipliedReportingOverflow(by: yl)
        let (m2, o4) = xl.multipliedReportingOverflow(by: yh)
        if o1 || o2 || o3 || o4 { return nil }
        let low = xl * yl // < 10^16
        var q = low / s
        if (low % s) * 2 >= s { q += 1 }
        let (t1, o5) = hhs.addingReportingOverflow(m1)
        let (t2, o6) = t1.addingReportingOverflow(m2)
        let (t3, o7) = t2.addingReportingOverflow(q)
        if o5 || o6 || o7 || t3 > UInt64(Int64.max) { return nil }
        return negative ? -Int64(t3) : Int64(t3)
    }

    /// A sum of raw×raw products (scale 10^16) back to a `Fixed`, rounded to nearest.
    @inlinable
    public static func fromProductSum(_ sum: Int128) -> Fixed {
        Fixed(raw: divide(sum, Int128(scale), .nearest))
    }

    /// `a / b`, rounded as requested; returns nil when `b` is zero.
    @inlinable
    public func divided(by other: Fixed, rounding: Rounding = .nearest) -> Fixed? {
        guard other.raw != 0 else { return nil }
        let num = Int128(raw) * Int128(Fixed.scale)
        return Fixed(raw: Fixed.divide(num, Int128(other.raw), rounding))
    }

    /// Multiplies by an integer count of basis points (1 bp = 0.01%).
    @inlinable
    public func bps(_ bps: Int64, rounding: Rounding = .nearest) -> Fixed {
        let (p, o) = raw.multipliedReportingOverflow(by: bps)
        if !o && p >= 0 {
            // Non-negative 64-bit product: divide by the constant 10_000 (no 128-bit division).
            let q = p / 10_000, r = p % 10_000
            switch rounding {
            case .down: return Fixed(raw: q)
            case .up: return Fixed(raw: r == 0 ? q : q + 1)
            case .nearest: return Fixed(raw: r * 2 >= 10_000 ? q + 1 : q)
            }
        }
        return Fixed(raw: Fixed.divide(Int128(raw) * Int128(bps), 10_000, rounding))
    }

    /// Integer division of 128-bit values with the given rounding (toward -inf for `.down`).
    @inlinable
    static func divide(_ n: Int128, _ d: Int128, _ rounding: Rounding) -> Int64 {
        var q = n / d
        let r = n % d
        if r != 0 {
            let negative = (n < 0) != (d < 0)
            switch rounding {
            case .down: if negative { q -= 1 }
            case .up: if !negative { q += 1 }
            case .nearest:
                let twice = (r < 0 ? -r : r) * 2
                let absD = d < 0 ? -d : d
                if twice >= absD { q += negative ? -1 : 1 }
            }
        }
        return Int64(clamping: q) == Int64.min ? -Int64.max : Int64(clamping: q)
    }

    /// Rounds down (toward negative infinity) to a multiple of `step`.
    @inlinable
    public func floored(to step: Fixed) -> Fixed {
        guard step.raw > 0 else { return self }
        var q = raw / step.raw
        if raw % step.raw != 0 && raw < 0 { q -= 1 }
        return Fixed.stepped(q, step)
    }

    /// Rounds up (toward positive infinity) to a multiple of `step`.
    @inlinable
    public func ceiled(to step: Fixed) -> Fixed {
        guard step.raw > 0 else { return self }
        var q = raw / step.raw
        if raw % step.raw != 0 && raw > 0 { q += 1 }
        return Fixed.stepped(q, step)
    }

    /// `q × step`, saturating at ±max (then stepping back inside the range onto the grid).
    @inlinable
    static func stepped(_ q: Int64, _ step: Fixed) -> Fixed {
        let (v, overflow) = q.multipliedReportingOverflow(by: step.raw)
        if !overflow && v != Int64.min { return Fixed(raw: v) }
        let limit = (Int64.max / step.raw) * step.raw
        return Fixed(raw: q < 0 ? -limit : limit)
    }

    /// True when the value is an exact multiple of `step`.
    @inlinable
    public func isMultiple(of step: Fixed) -> Bool {
        step.raw > 0 ? raw % step.raw == 0 : true
    }

    /// Number of fractional digits needed to print the value exactly (0...8).
    public var significantDecimals: Int {
        var r = raw % Fixed.scale
        if r == 0 { return 0 }
        var d = Fixed.decimals
        while r % 10 == 0 { r /= 10; d -= 1 }
        return d
    }

    /// The shortest exact decimal string, e.g. `"27345.1"`, `"-0.005"`, `"3"` (printed by `writeDecimal`).
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        writeDecimal(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A decimal string with at least `minDecimals` fractional digits (never losing precision).
    public func format(minDecimals: Int) -> String {
        let negative = raw < 0
        let mag = raw.magnitude
        let intPart = mag / UInt64(Fixed.scale)
        var frac = mag % UInt64(Fixed.scale)
        let needed = Swift.max(Swift.min(minDecimals, Fixed.decimals), significantDecimals)
        var s = negative ? "-" : ""
        s += String(intPart)
        if needed > 0 {
            for _ in 0..<(Fixed.decimals - needed) { frac /= 10 }
            var digits = String(frac)
            if digits.count < needed { digits = String(repeating: "0", count: needed - digits.count) + digits }
            s += "." + digits
        }
        return s
    }
}

extension Fixed {
    /// `self × rate / 10_000` where `rate` is in basis points (may be fractional or negative), rounded to nearest.
    @inlinable
    public func applyingBps(_ rate: Fixed) -> Fixed {
        let n = Int128(raw) * Int128(rate.raw)
        return Fixed(raw: Fixed.divide(n, Int128(Fixed.scale) * 10_000, .nearest))
    }
}

extension Fixed {
    /// A whole number of units, saturating at ±max instead of trapping.
    @inlinable
    public static func units(_ n: Int64) -> Fixed {
        let (v, o) = n.multipliedReportingOverflow(by: Fixed.scale)
        return o || v == Int64.min ? (n < 0 ? -Fixed.max : Fixed.max) : Fixed(raw: v)
    }
}

extension Fixed {
    /// The price step at `price` under a tick size and an optional significant-figures rule
    /// (`significantFigures` 0: none). With `n` figures, a price whose leading digit is at 10^e
    /// steps by 10^(e−n+1), capped at 1 (integers are always allowed) and never finer than the tick.
    public static func tick(at price: Fixed, tickSize: Fixed, significantFigures n: Int) -> Fixed {
        guard n > 0, price.isPositive else { return tickSize }
        // Digits of the raw value: the leading digit sits at 10^(digits − 1 − decimals).
        var digits = 0
        var r = price.raw
        while r > 0 { digits += 1; r /= 10 }
        let stepExponent = digits - n // of the raw value (units of 1e-8)
        if stepExponent <= 0 { return tickSize }
        if stepExponent >= Fixed.decimals { return Swift.max(tickSize, Fixed(raw: Fixed.scale)) }
        var step: Int64 = 1
        for _ in 0..<stepExponent { step *= 10 }
        return Swift.max(tickSize, Fixed(raw: step))
    }
}
