/// A net position in one instrument, with average entry and realized PnL.
public struct Position: Sendable, Equatable {
    /// Instrument id.
    public var instrument: String
    /// Signed quantity: positive long, negative short.
    public var quantity: Fixed
    /// Average entry price of the open quantity (zero when flat).
    public var averageEntry: Fixed
    /// Realized PnL in quote currency, before fees.
    public var realizedPnL: Fixed
    /// Fees paid on this instrument.
    public var fees: Fixed
    /// Net funding booked on this perp position (received positive, paid negative).
    public var funding: Fixed = .zero

    /// A flat position.
    public init(instrument: String) {
        self.instrument = instrument
        self.quantity = .zero
        self.averageEntry = .zero
        self.realizedPnL = .zero
        self.fees = .zero
    }

    /// Applies a fill: extends, reduces, closes or flips the position.
    public mutating func apply(side: Side, price: Fixed, quantity q: Fixed, fee: Fixed) {
        fees += fee
        let signed = side == .buy ? q : -q
        let sameDirection = quantity.isZero || (quantity.isPositive == signed.isPositive)
        if sameDirection {
            let oldCost = averageEntry.multiplied(by: quantity.magnitude)
            let addCost = price.multiplied(by: q)
            let newQty = quantity + signed
            averageEntry = (oldCost + addCost).divided(by: newQty.magnitude) ?? .zero
            quantity = newQty
            return
        }
        let closing = min(q, quantity.magnitude)
        let perUnit = quantity.isPositive ? price - averageEntry : averageEntry - price
        realizedPnL += perUnit.multiplied(by: closing)
        quantity += signed
        if quantity.isZero {
            averageEntry = .zero
        } else if quantity.isPositive == signed.isPositive {
            averageEntry = price // flipped: the remainder opened at this price
        }
    }

    /// Unrealized PnL at the given mark price.
    public func unrealizedPnL(mark: Fixed) -> Fixed {
        guard !quantity.isZero else { return .zero }
        return (mark - averageEntry).multiplied(by: quantity)
    }
}
