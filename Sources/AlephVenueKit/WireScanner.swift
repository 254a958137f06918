import AlephBook
import AlephCore

/// Why a venue frame could not be decoded. Decoders never crash or loop on bad input: every
/// problem is one of these, with the byte offset.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem.
    public var offset: Int
    /// What was wrong.
    public var reason: String
    /// Creates an error.
    public init(_ offset: Int, _ reason: String) {
        self.offset = offset
        self.reason = reason
    }
    /// One line.
    public var description: String { "malformed frame at byte \(offset): \(reason)" }
}

/// A single-pass reader over one JSON frame that decodes straight into fixed point: no JSON tree,
/// no Foundation. Strings are returned as byte ranges of the frame; escapes are rejected where a
/// market-data field never carries them.
public struct WireScanner {
    /// The frame.
    public let bytes: UnsafeRawBufferPointer
    /// Read position.
    public var i = 0
    private static let maxDepth = 32

    /// Scans `bytes` (valid for the scanner's lifetime).
    @inlinable public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inline(__always) func fail(_ reason: String) -> WireError { WireError(i, reason) }

    /// Skips JSON whitespace.
    @inline(__always) public mutating func ws() {
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i &+= 1 } else { return }
        }
    }

    /// The next non-space byte, not consumed (0 at the end).
    @inline(__always) public mutating func peek() -> UInt8 {
        ws()
        return i < bytes.count ? bytes[i] : 0
    }

    /// Consumes `c` or fails.
    @inline(__always) public mutating func expect(_ c: UInt8) throws(WireError) {
        ws()
        guard i < bytes.count, bytes[i] == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
        i &+= 1
    }

    /// Consumes `c` if it is next.
    @inline(__always) public mutating func consume(_ c: UInt8) -> Bool {
        ws()
        if i < bytes.count && bytes[i] == c { i &+= 1; return true }
        return false
    }

    /// Reads a string without escapes; returns its byte range.
    @inline(__always) public mutating func string() throws(WireError) -> Range<Int> {
        try expect(0x22)
        let start = i
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x22 { i &+= 1; return start..<(i &- 1) }
            if c == 0x5C { throw fail("escaped string where none is expected") }
            if c < 0x20 { throw fail("control character in string") }
            i &+= 1
        }
        throw fail("unterminated string")
    }

    /// Reads a string and returns it as text.
    public mutating func text() throws(WireError) -> String {
        let r = try string()
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[r]), as: UTF8.self)
    }

    /// True when the range equals `literal` (ASCII).
    @inline(__always) public func equals(_ r: Range<Int>, _ literal: StaticString) -> Bool {
        guard r.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for k in 0..<r.count where bytes[r.lowerBound &+ k] != p[k] { return false }
        return true
    }

    /// Reads an object key and its colon.
    @inline(__always) public mutating func key() throws(WireError) -> Range<Int> {
        let r = try string()
        try expect(0x3A)
        return r
    }

    /// After a value inside an object or array: true if another member follows (`,`), false at `close`.
    @inline(__always) public mutating func more(_ close: UInt8) throws(WireError) -> Bool {
        ws()
        guard i < bytes.count else { throw fail("unexpected end") }
        if bytes[i] == 0x2C { i &+= 1; return true }
        if bytes[i] == close { i &+= 1; return false }
        throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
    }

    /// Reads an integer (bare, or quoted as OKX sends timestamps).
    public mutating func int64() throws(WireError) -> Int64 {
        ws()
        let quoted = consume(0x22)
        var neg = false
        if i < bytes.count && bytes[i] == 0x2D { neg = true; i &+= 1 }
        var v: Int64 = 0
        var digits = 0
        while i < bytes.count {
            let d = bytes[i] &- 0x30
            if d > 9 { break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { throw fail("integer overflows 64 bits") }
            v = a
            digits &+= 1
            i &+= 1
        }
        if digits == 0 { throw fail("expected an integer") }
        if i < bytes.count && (bytes[i] == 0x2E || bytes[i] == 0x65 || bytes[i] == 0x45) { throw fail("expected an integer, got a fraction") }
        if quoted { try expect(0x22) }
        return neg ? -v : v
    }

    @inline(__always) static func pow10(_ k: Int) -> UInt64 {
        switch k {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        default: return 100_000_000
        }
    }

    /// Reads a decimal (quoted or bare) exactly into fixed point, in the same pass as the scan:
    /// plain decimals with at most 8 fraction digits and 18 significant digits are converted
    /// inline; anything else (exponents, long or over-precise forms) goes to `Fixed.parse`.
    @inline(__always) public mutating func decimal() throws(WireError) -> Fixed {
        ws()
        let n = bytes.count
        let quoted = i < n && bytes[i] == 0x22
        if quoted { i &+= 1 }
        let start = i
        var negative = false
        if i < n && bytes[i] == 0x2D { negative = true; i &+= 1 }
        var m: UInt64 = 0
        var digits = 0
        var dot = -1
        var simple = true
        while i < n {
            let c = bytes[i]
            let d = c &- 48
            if d <= 9 {
                m = m &* 10 &+ UInt64(d)
                digits &+= 1
            } else if c == 0x2E && dot < 0 {
                dot = i
            } else {
                break
            }
            i &+= 1
        }
        let frac = dot < 0 ? 0 : i &- dot &- 1
        let sawDigit = digits > 0
        if digits > 18 || frac > 8 { simple = false }
        if i < n {
            let c = bytes[i]
            if c == 0x65 || c == 0x45 || c == 0x2B || (c == 0x2D) { simple = false }
        }
        if !simple || !sawDigit {
            // Find the token's end and let the exact parser decide (and name the error).
            while i < n {
                let c = bytes[i]
                if (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2D || c == 0x2B || c == 0x65 || c == 0x45 { i &+= 1 } else { break }
            }
            let r = start..<i
            if quoted { try expect(0x22) }
            do { return try Fixed.parse(UnsafeRawBufferPointer(rebasing: bytes[r])) } catch {
                throw WireError(r.lowerBound, "not a decimal: \(error)")
            }
        }
        if quoted {
            guard i < n && bytes[i] == 0x22 else { throw fail("expected '\"' after a decimal") }
            i &+= 1
        }
        let (raw, o) = m.multipliedReportingOverflow(by: WireScanner.pow10(8 &- frac))
        if o || raw > UInt64(Int64.max) { throw WireError(start, "decimal out of range") }
        return Fixed(raw: negative ? -Int64(raw) : Int64(raw))
    }

    /// Reads `true` or `false`.
    public mutating func bool() throws(WireError) -> Bool {
        ws()
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw fail("expected true or false")
    }

    /// Consumes `null` if it is next.
    public mutating func null() -> Bool { ws(); return matchLiteral("null") }

    private mutating func matchLiteral(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i &+ n <= bytes.count else { return false }
        for k in 0..<n where bytes[i &+ k] != s.utf8Start[k] { return false }
        i &+= n
        return true
    }

    /// Skips any JSON value (strings with escapes allowed), nested at most 32 deep.
    public mutating func skip() throws(WireError) { try skipValue(depth: 0) }

    private mutating func skipValue(depth: Int) throws(WireError) {
        if depth > WireScanner.maxDepth { throw fail("nested too deep") }
        switch peek() {
        case 0x7B:
            i &+= 1
            if consume(0x7D) { return }
            repeat {
                try skipString()
                try expect(0x3A)
                try skipValue(depth: depth &+ 1)
            } while try more(0x7D)
        case 0x5B:
            i &+= 1
            if consume(0x5D) { return }
            repeat { try skipValue(depth: depth &+ 1) } while try more(0x5D)
        case 0x22:
            try skipString()
        case 0x74, 0x66, 0x6E:
            if !(matchLiteral("true") || matchLiteral("false") || matchLiteral("null")) { throw fail("bad literal") }
        default:
            let start = i
            while i < bytes.count {
                let d = bytes[i]
                if (d >= 0x30 && d <= 0x39) || d == 0x2E || d == 0x2D || d == 0x2B || d == 0x65 || d == 0x45 { i &+= 1 } else { break }
            }
            if i == start { throw fail(i < bytes.count ? "unexpected byte" : "unexpected end") }
        }
    }

    private mutating func skipString() throws(WireError) {
        try expect(0x22)
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x22 { i &+= 1; return }
            if c == 0x5C { i &+= 2; continue }
            i &+= 1
        }
        throw fail("unterminated string")
    }

    /// Reads `[[price, size, …], …]` into `levels` (extra fields per level are skipped).
    @inline(__always) public mutating func levels(into levels: inout [BookLevel]) throws(WireError) {
        try expect(0x5B)
        if consume(0x5D) { return }
        repeat {
            try expect(0x5B)
            let p = try decimal()
            try expect(0x2C)
            let q = try decimal()
            while try more(0x5D) { try skip() }
            levels.append(BookLevel(price: p, quantity: q))
        } while try more(0x5D)
    }

    /// Like `levels` but also keeps the venue's exact price and size text (OKX checksums need it).
    public mutating func levelsWithText(into levels: inout [BookLevel], text: inout [(price: String, size: String)]) throws(WireError) {
        try expect(0x5B)
        if consume(0x5D) { return }
        repeat {
            try expect(0x5B)
            ws()
            let ps = i
            let p = try decimal()
            let pText = textOf(ps..<i)
            try expect(0x2C)
            ws()
            let qs = i
            let q = try decimal()
            let qText = textOf(qs..<i)
            while try more(0x5D) { try skip() }
            levels.append(BookLevel(price: p, quantity: q))
            text.append((pText, qText))
        } while try more(0x5D)
    }

    private func textOf(_ r: Range<Int>) -> String {
        var r = r
        if r.count >= 2 && bytes[r.lowerBound] == 0x22 { r = (r.lowerBound + 1)..<(r.upperBound - 1) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[r]), as: UTF8.self)
    }

    /// Fails unless only whitespace remains.
    public mutating func end() throws(WireError) {
        ws()
        if i != bytes.count { throw fail("trailing bytes after the frame") }
    }
}
