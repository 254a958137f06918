/// Cash and positions of one trading account, in a single quote currency (margin-style: shorts allowed).
public struct Portfolio: Sendable, Equatable {
    /// Account currency.
    public var currency: String
    /// Cash balance.
    public var cash: Fixed
    /// Cash at start (for PnL).
    public var startingCash: Fixed
    /// Positions by instrument id.
    public var positions: [String: Position] = [:]
    /// Total fees paid.
    public var feesPaid: Fixed = .zero

    /// A fresh account.
    public init(currency: String, cash: Fixed) {
        self.currency = currency
        self.cash = cash
        self.startingCash = cash
    }

    /// Books a fill: cash moves by notional and fee; the position updates.
    public mutating func apply(instrument: String, side: Side, price: Fixed, quantity: Fixed, fee: Fixed) {
        let notional = price.multiplied(by: quantity)
        cash += side == .buy ? -notional : notional
        cash -= fee
        feesPaid += fee
        positions[instrument, default: Position(instrument: instrument)].apply(side: side, price: price, quantity: quantity, fee: fee)
    }

    /// Cash plus every position marked at `marks` (positions without a mark count at entry).
    public func equity(marks: [String: Fixed]) -> Fixed {
        var e = cash
        for (id, p) in positions where !p.quantity.isZero {
            e += (marks[id] ?? p.averageEntry).multiplied(by: p.quantity)
        }
        return e
    }
}
