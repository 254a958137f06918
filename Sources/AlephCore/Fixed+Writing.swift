extension Fixed {
    /// Appends the shortest exact decimal text (the same as `description`) as ASCII bytes,
    /// without building a `String`: the ledger and encoders write many of these per request.
    @inlinable
    public func writeDecimal(into out: inout [UInt8]) {
        let mag = raw.magnitude
        if raw < 0 { out.append(UInt8(ascii: "-")) }
        let scale = UInt64(Fixed.scale)
        Fixed.writeDigits(mag / scale, into: &out)
        var frac = mag % scale
        guard frac != 0 else { return }
        var width = Fixed.decimals
        while frac % 10 == 0 { frac /= 10; width -= 1 }
        out.append(UInt8(ascii: "."))
        // Leading zeros of the fraction, then its digits.
        var digits = 1
        var probe = frac
        while probe >= 10 { probe /= 10; digits += 1 }
        for _ in 0..<(width - digits) { out.append(UInt8(ascii: "0")) }
        Fixed.writeDigits(frac, into: &out)
    }

    /// Appends the decimal digits of `n`.
    @inlinable @usableFromInline
    static func writeDigits(_ n: UInt64, into out: inout [UInt8]) {
        if n < 10 { out.append(UInt8(truncatingIfNeeded: n) &+ 0x30); return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var k = 20
            var v = n
            while v > 0 {
                k -= 1
                buf[k] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
                v /= 10
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[k..<20]))
        }
    }
}

extension Fixed {
    /// Appends the decimal text of a plain integer.
    @inlinable
    public static func writeInteger(_ n: Int64, into out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        writeDigits(n.magnitude, into: &out)
    }
}
