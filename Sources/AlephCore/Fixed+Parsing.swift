/// Why a decimal string could not be read as a `Fixed`.
public enum FixedParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not a plain decimal number.
    case notANumber
    /// More fractional digits than `Fixed.decimals`.
    case tooPrecise
    /// The magnitude does not fit.
    case outOfRange

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .notANumber: return "not a decimal number"
        case .tooPrecise: return "more than \(Fixed.decimals) decimal places"
        case .outOfRange: return "out of range"
        }
    }
}

extension Fixed {
    /// Parses a plain decimal (`"27345.10"`, `"-1"`, `"1e-3"`, `"0.5E2"`) exactly, without floating point.
    public init(parsing text: String) throws(FixedParseError) {
        var copy = text
        let result: Result<Fixed, FixedParseError> = copy.withUTF8 { buf in
            Result { () throws(FixedParseError) -> Fixed in try Fixed.parse(UnsafeRawBufferPointer(buf)) }
        }
        self = try result.get()
    }

    @usableFromInline static let pow10: [UInt64] = (0...19).map { k in (0..<k).reduce(UInt64(1)) { a, _ in a &* 10 } }

    /// Parses ASCII decimal bytes exactly. Plain decimals of up to 19 significant digits take a
    /// 64-bit path with one scaling multiply or divide; exponents and longer forms take the
    /// exact 128-bit path.
    @inlinable
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(FixedParseError) -> Fixed {
        let n = bytes.count
        var i = 0
        var negative = false
        if n > 0 {
            if bytes[0] == 0x2D { negative = true; i = 1 } else if bytes[0] == 0x2B { i = 1 }
        }
        var m: UInt64 = 0
        var digits = 0, frac = 0
        var sawDigit = false, sawDot = false
        while i < n {
            let d = bytes[i] &- 48
            if d <= 9 {
                sawDigit = true
                if sawDot { frac &+= 1 }
                if m != 0 || d != 0 {
                    if digits == 19 { return try parseSlow(bytes) }
                    m = m &* 10 &+ UInt64(d)
                    digits &+= 1
                }
            } else if bytes[i] == 0x2E && !sawDot {
                sawDot = true
            } else {
                return try parseSlow(bytes)   // exponent, or an error the slow path names
            }
            i &+= 1
        }
        guard sawDigit else { throw .notANumber }
        let shift = Fixed.decimals - frac
        var raw: UInt64
        if shift >= 0 {
            let p = pow10[shift]
            let (r, o) = m.multipliedReportingOverflow(by: p)
            if o { throw .outOfRange }
            raw = r
        } else {
            if -shift > 19 { if m != 0 { throw .tooPrecise }; raw = 0 } else {
                let p = pow10[-shift]
                if m % p != 0 { throw .tooPrecise }
                raw = m / p
            }
        }
        guard raw <= UInt64(Int64.max) else { throw .outOfRange }
        return Fixed(raw: negative ? -Int64(raw) : Int64(raw))
    }

    /// The exact 128-bit parser (exponents, long digit strings).
    @usableFromInline
    static func parseSlow(_ bytes: UnsafeRawBufferPointer) throws(FixedParseError) -> Fixed {
        var i = 0
        let n = bytes.count
        guard n > 0 else { throw .notANumber }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; i = 1 } else if bytes[0] == UInt8(ascii: "+") { i = 1 }
        var mantissa: Int128 = 0
        var fracDigits = 0
        var sawDigit = false
        var sawDot = false
        while i < n {
            let c = bytes[i]
            if c >= 48 && c <= 57 {
                sawDigit = true
                if mantissa > Int128(Int64.max) * 1000 { throw .outOfRange }
                mantissa = mantissa * 10 + Int128(c - 48)
                if sawDot { fracDigits += 1 }
            } else if c == UInt8(ascii: ".") && !sawDot {
                sawDot = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { throw .notANumber }
        var exponent = 0
        if i < n {
            guard bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") else { throw .notANumber }
            i += 1
            var expNegative = false
            if i < n && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                expNegative = bytes[i] == UInt8(ascii: "-"); i += 1
            }
            var sawExp = false
            while i < n {
                let c = bytes[i]
                guard c >= 48 && c <= 57 else { throw .notANumber }
                sawExp = true
                if exponent > 1000 { throw .outOfRange }
                exponent = exponent * 10 + Int(c - 48)
                i += 1
            }
            guard sawExp else { throw .notANumber }
            if expNegative { exponent = -exponent }
        }
        // value = mantissa * 10^(exponent - fracDigits); we need value * 10^8
        var shift = Fixed.decimals + exponent - fracDigits
        while shift < 0 {
            if mantissa % 10 != 0 { throw .tooPrecise }
            mantissa /= 10
            shift += 1
        }
        while shift > 0 {
            mantissa *= 10
            if mantissa > Int128(Int64.max) { throw .outOfRange }
            shift -= 1
        }
        guard mantissa <= Int128(Int64.max) else { throw .outOfRange }
        let raw = Int64(mantissa)
        return Fixed(raw: negative ? -raw : raw)
    }
}

extension Fixed: ExpressibleByStringLiteral {
    /// Literal decimals for tests and constants; traps on a malformed literal.
    public init(stringLiteral value: String) {
        do { try self.init(parsing: value) } catch { preconditionFailure("bad Fixed literal \(value): \(error)") }
    }
}
