import Testing
@testable import AlephCore

@Suite struct FixedTests {
    @Test(arguments: [
        ("0", 0), ("1", 100_000_000), ("-1.5", -150_000_000), ("27345.10", 2_734_510_000_000), ("0.00000001", 1),
        ("1e-3", 100_000), ("2.5E2", 25_000_000_000), ("+3", 300_000_000), ("1.000000000", 100_000_000), ("10e-9", 1),
    ] as [(String, Int64)])
    func parsesExactly(text: String, raw: Int64) throws {
        #expect(try Fixed(parsing: text).raw == raw)
    }

    @Test(arguments: ["", "-", ".", "abc", "1.2.3", "1e", "1e+", "0x10", "1 ", " 1", "--1", "1,5"])
    func rejectsNonNumbers(text: String) {
        #expect(throws: FixedParseError.notANumber) { try Fixed(parsing: text) }
    }

    @Test func rejectsTooPreciseAndOutOfRange() {
        #expect(throws: FixedParseError.tooPrecise) { try Fixed(parsing: "0.000000001") }
        #expect(throws: FixedParseError.outOfRange) { try Fixed(parsing: "92233720369") }
        #expect(throws: FixedParseError.outOfRange) { try Fixed(parsing: "1e30") }
        #expect(throws: FixedParseError.outOfRange) { try Fixed(parsing: String(repeating: "9", count: 400)) }
    }

    @Test func formats() {
        #expect(Fixed("27345.10").description == "27345.1")
        #expect(Fixed("27345.10").format(minDecimals: 2) == "27345.10")
        #expect(Fixed("-0.005").description == "-0.005")
        #expect(Fixed("3").format(minDecimals: 4) == "3.0000")
        #expect(Fixed("0.00000001").format(minDecimals: 2) == "0.00000001")
        #expect(Fixed(raw: Int64.min + 1).description == "-92233720368.54775807")
    }

    /// The byte writer (behind `description` and the ledger) prints exactly what the independent
    /// `format(minDecimals: 0)` prints, edges included.
    @Test func writesDecimalBytesLikeDescription() {
        var rng = SeededRandom(seed: 11)
        var values: [Int64] = [0, 1, -1, 9, 10, 100_000_000, -100_000_000, 123_456_789, Int64.max, Int64.min, Int64.min + 1, 10_000_000, 5]
        for _ in 0..<20_000 {
            let digits = Int(rng.next() % 18) + 1
            var v = Int64(bitPattern: rng.next()) % Int64(pow10(digits))
            if rng.next() % 4 == 0 { v = v / 1000 * 1000 }
            values.append(v)
        }
        for raw in values {
            var out: [UInt8] = []
            Fixed(raw: raw).writeDecimal(into: &out)
            #expect(String(decoding: out, as: UTF8.self) == Fixed(raw: raw).format(minDecimals: 0), "raw \(raw)")
            #expect(Fixed(raw: raw).description == Fixed(raw: raw).format(minDecimals: 0))
        }
    }

    private func pow10(_ k: Int) -> UInt64 { (0..<k).reduce(UInt64(1)) { a, _ in a &* 10 } }

    @Test func arithmeticRoundsAsAsked() {
        let a: Fixed = "0.00000003", half: Fixed = "0.5"
        #expect(a.multiplied(by: half, rounding: .down).raw == 1)
        #expect(a.multiplied(by: half, rounding: .up).raw == 2)
        #expect(a.multiplied(by: half, rounding: .nearest).raw == 2)
        #expect((-a).multiplied(by: half, rounding: .down).raw == -2)
        #expect(Fixed(1).divided(by: Fixed(3), rounding: .down) == Fixed("0.33333333"))
        #expect(Fixed(2).divided(by: Fixed(3), rounding: .nearest) == Fixed("0.66666667"))
        #expect(Fixed(1).divided(by: .zero) == nil)
        #expect(Fixed("65000").multiplied(by: "1000") == Fixed("65000000"))
        #expect(Fixed("10000").applyingBps("5") == Fixed("5"))
        #expect(Fixed("3249.94").applyingBps("5") == Fixed("1.62497"))
    }

    @Test func saturatesInsteadOfTrapping() {
        #expect(Fixed.max + Fixed(1) == Fixed.max)
        #expect(-Fixed.max - Fixed(1) == -Fixed.max)
        #expect(Fixed("90000000000").multiplied(by: "90000000000") == Fixed.max)
        var sum = Fixed.zero
        for _ in 0..<5 { sum += Fixed("90000000000").multiplied(by: "1000") }
        #expect(sum == Fixed.max && (-sum).magnitude == Fixed.max)
        #expect(Fixed.max.ceiled(to: "0.3") <= Fixed.max && Fixed.max.ceiled(to: "0.3").isMultiple(of: "0.3"))
        #expect((-Fixed.max).floored(to: "0.7").isMultiple(of: "0.7"))
    }

    @Test func stepRounding() {
        let tick: Fixed = "0.1"
        #expect(Fixed("100.05").floored(to: tick) == Fixed("100"))
        #expect(Fixed("100.05").ceiled(to: tick) == Fixed("100.1"))
        #expect(Fixed("-0.05").floored(to: tick) == Fixed("-0.1"))
        #expect(Fixed("100.1").isMultiple(of: tick))
        #expect(!Fixed("100.11").isMultiple(of: tick))
    }
}

@Suite struct PositionTests {
    @Test func openAddReduceFlipClose() {
        var p = Position(instrument: "sim:BTC-USD")
        p.apply(side: .buy, price: "100", quantity: "1", fee: "0.1")
        p.apply(side: .buy, price: "110", quantity: "1", fee: "0.1")
        #expect(p.quantity == Fixed(2) && p.averageEntry == Fixed(105))
        #expect(p.unrealizedPnL(mark: "120") == Fixed(30))
        p.apply(side: .sell, price: "120", quantity: "0.5", fee: "0")
        #expect(p.realizedPnL == Fixed("7.5") && p.quantity == Fixed("1.5") && p.averageEntry == Fixed(105))
        p.apply(side: .sell, price: "100", quantity: "2.5", fee: "0")
        #expect(p.realizedPnL == Fixed("0") && p.quantity == Fixed(-1) && p.averageEntry == Fixed(100))
        p.apply(side: .buy, price: "90", quantity: "1", fee: "0")
        #expect(p.quantity.isZero && p.averageEntry.isZero && p.realizedPnL == Fixed(10))
        #expect(p.fees == Fixed("0.2"))
    }

    @Test func portfolioCashAndEquity() {
        var pf = Portfolio(currency: "USD", cash: "1000")
        pf.apply(instrument: "x", side: .buy, price: "10", quantity: "5", fee: "0.5")
        #expect(pf.cash == Fixed("949.5"))
        #expect(pf.equity(marks: ["x": "12"]) == Fixed("1009.5"))
        pf.apply(instrument: "x", side: .sell, price: "12", quantity: "5", fee: "0.5")
        #expect(pf.cash == Fixed("1009") && pf.feesPaid == Fixed(1))
    }

    @Test func seededRandomIsDeterministic() {
        var a = SeededRandom(seed: 9), b = SeededRandom(seed: 9), c = SeededRandom(seed: 10)
        let xs = (0..<5).map { _ in a.next() }
        #expect(xs == (0..<5).map { _ in b.next() })
        #expect(xs != (0..<5).map { _ in c.next() })
    }
}
