extension Hyperliquid {
    /// The SDK's `float_to_wire` applied to an exact decimal string: round to 8 decimals, refuse if
    /// that moves the value by 1e-12 or more, drop trailing zeros, never use exponents. (Like the
    /// SDK, a negative value that rounds to zero is "-0"; executors should send "0".)
    public static func wire(_ text: String) throws(CryptoError) -> String {
        var s = Substring(text)
        var negative = false
        if s.hasPrefix("-") { negative = true; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let ex = Int(s[s.index(after: e)...]) else { throw .invalidNumber(field: "wire", reason: "'\(text)' is not a decimal") }
            exponent = ex
            s = s[..<e]
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !s.isEmpty, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) else {
            throw .invalidNumber(field: "wire", reason: "'\(text)' is not a decimal")
        }
        var digits = String(parts[0]) + (parts.count == 2 ? String(parts[1]) : "")
        var scale = (parts.count == 2 ? parts[1].count : 0) - exponent // value = digits × 10^-scale
        if scale < 0 { digits += String(repeating: "0", count: -scale); scale = 0 }
        digits = String(digits.drop(while: { $0 == "0" }))
        if digits.isEmpty { digits = "0" }
        // Round to 8 decimals.
        if scale > 8 {
            let k = scale - 8
            if digits.count < k { digits = String(repeating: "0", count: k - digits.count) + digits }
            let kept = String(digits.dropLast(k)), dropped = String(digits.suffix(k))
            guard k <= 30, let d = Int128(dropped) else { throw .invalidNumber(field: "wire", reason: "'\(text)' has too many digits") }
            var p: Int128 = 1
            for _ in 0..<k { p *= 10 }
            let up = d * 2 >= p
            let diff = up ? p - d : d
            // Error when |rounded − x| ≥ 1e-12, i.e. diff × 10^-scale ≥ 10^-12.
            if scale >= 12 {
                var limit: Int128 = 1
                for _ in 0..<(scale - 12) { limit *= 10 }
                if diff >= limit { throw .invalidNumber(field: "wire", reason: "'\(text)' cannot be represented with 8 decimals") }
            } else if diff > 0 {
                throw .invalidNumber(field: "wire", reason: "'\(text)' cannot be represented with 8 decimals")
            }
            digits = kept.isEmpty ? "0" : kept
            if up { digits = increment(digits) }
            scale = 8
        }
        if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
        var intPart = String(digits.dropLast(scale))
        var frac = String(digits.suffix(scale))
        while frac.hasSuffix("0") { frac.removeLast() }
        intPart = String(intPart.drop(while: { $0 == "0" }))
        if intPart.isEmpty { intPart = "0" }
        return (negative ? "-" : "") + intPart + (frac.isEmpty ? "" : "." + frac)
    }

    static func increment(_ digits: String) -> String {
        var d = Array(digits.utf8)
        var i = d.count - 1
        while i >= 0 {
            if d[i] == UInt8(ascii: "9") { d[i] = UInt8(ascii: "0"); i -= 1 } else { d[i] += 1; return String(decoding: d, as: UTF8.self) }
        }
        return "1" + String(decoding: d, as: UTF8.self)
    }
}
