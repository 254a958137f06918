import AlephCore

extension Polymarket {
    /// Order amounts in 6-decimal base units, computed as the official order builder does but on
    /// exact decimals (no binary floats): price rounded half-even to the tick's price decimals,
    /// size floored, notional cleaned up at the amount decimals.
    public enum Amounts {
        /// (price, size, amount) decimal places per tick size.
        public static func decimals(tick: String) throws(CryptoError) -> (price: Int, size: Int, amount: Int) {
            switch tick {
            case "0.1": return (1, 2, 3)
            case "0.01": return (2, 2, 4)
            case "0.005": return (3, 2, 5)
            case "0.0025": return (4, 2, 6)
            case "0.001": return (3, 2, 5)
            case "0.0001": return (4, 2, 6)
            default: throw .invalidField(field: "tick_size", reason: "'\(tick)' is not a Polymarket tick size")
            }
        }

        /// An exact rational num/den.
        struct Q {
            var num: Int128
            var den: Int128
            init(_ f: Fixed) { num = Int128(f.raw); den = Int128(Fixed.scale) }
            init(num: Int128, den: Int128) { self.num = num; self.den = den }
            static func pow10(_ n: Int) -> Int128 { (0..<n).reduce(Int128(1)) { a, _ in a * 10 } }
            func floor(_ dp: Int) -> Q { Q(num: (num * Q.pow10(dp)) / den, den: Q.pow10(dp)) }
            func ceil(_ dp: Int) -> Q {
                let n = num * Q.pow10(dp)
                return Q(num: n / den + (n % den == 0 ? 0 : 1), den: Q.pow10(dp))
            }
            func hasMoreDecimals(than dp: Int) -> Bool { (num * Q.pow10(dp)) % den != 0 }
            static func * (a: Q, b: Q) -> Q { Q(num: a.num * b.num, den: a.den * b.den) }
            static func / (a: Q, b: Q) -> Q { Q(num: a.num * b.den, den: a.den * b.num) }
            /// Half-even rounding to `dp` places.
            func roundHalfEven(_ dp: Int) -> Q {
                let n = num * Q.pow10(dp)
                var q = n / den
                let r = n % den
                if r * 2 > den || (r * 2 == den && q % 2 == 1) { q += 1 }
                return Q(num: q, den: Q.pow10(dp))
            }
            /// × 1e6, rounded half-even if a fraction remains, as an integer string.
            var tokenUnits: String {
                let scaled = Q(num: num * 1_000_000, den: den)
                return String(scaled.roundHalfEven(0).num)
            }
        }

        static func cleanup(_ x: Q, _ amountDp: Int) -> Q {
            guard x.hasMoreDecimals(than: amountDp) else { return x }
            let c = x.ceil(amountDp + 4)
            return c.hasMoreDecimals(than: amountDp) ? c.floor(amountDp) : c
        }

        /// Limit order: `size` shares at `price`. Returns (makerAmount, takerAmount).
        public static func limit(side: String, size: Fixed, price: Fixed, tick: String) throws(CryptoError) -> (maker: String, taker: String) {
            let dp = try decimals(tick: tick)
            let px = Q(price).roundHalfEven(dp.price)
            let shares = Q(size).floor(dp.size)
            let usdc = cleanup(shares * px, dp.amount)
            return side == "BUY" ? (usdc.tokenUnits, shares.tokenUnits) : (shares.tokenUnits, usdc.tokenUnits)
        }

        /// Market order: BUY spends `amount` USDC, SELL sells `amount` shares, at worst `price`.
        public static func market(side: String, amount: Fixed, price: Fixed, tick: String) throws(CryptoError) -> (maker: String, taker: String) {
            let dp = try decimals(tick: tick)
            let px = Q(price).roundHalfEven(dp.price)
            guard px.num > 0 else { throw .invalidNumber(field: "price", reason: "must be positive") }
            if side == "BUY" {
                let usdc = Q(amount).floor(dp.size)
                let shares = cleanup(usdc / px, dp.amount)
                return (usdc.tokenUnits, shares.tokenUnits)
            }
            let shares = Q(amount).floor(dp.size)
            let usdc = cleanup(shares * px, dp.amount)
            return (shares.tokenUnits, usdc.tokenUnits)
        }
    }
}
