import AlephCore
import AlephRPC

/// Strategies built into `alephtx backtest --strategy NAME`, for speed tests and as a baseline:
/// they trade through the engine's own `place_signal` (the path an agent's request takes), in
/// this process, with no socket in between.
public final class BuiltinStrategy: @unchecked Sendable {
    /// Names `--strategy` accepts.
    public static let names = ["momentum"]

    let instrument: String
    let size: Fixed
    let lookback: Int
    let session: Session
    private var mids: [Fixed] = []
    private var lastSequence: Int64 = -1
    private var position = Fixed.zero
    private var decisions = 0
    private var nextId = 1

    /// A strategy by name; nil for an unknown one.
    public init?(name: String, instrument: String, size: Fixed, lookback: Int = 10, session: Session) {
        guard BuiltinStrategy.names.contains(name) else { return nil }
        self.instrument = instrument
        self.size = size
        self.lookback = max(2, lookback)
        self.session = session
    }

    /// Called after each replayed frame: the `momentum` rule of `agents/examples/momentum.py`
    /// (buy when the mid rose over the last `lookback` book updates and we are flat, sell the
    /// position back when it fell).
    public func onFrame(_ engine: Engine) async {
        guard let book = await engine.book(instrument), book.verified, book.sequence != lastSequence, let mid = book.mid else { return }
        lastSequence = book.sequence
        mids.append(mid)
        if mids.count > lookback { mids.removeFirst(mids.count - lookback) }
        guard mids.count == lookback else { return }
        let trend = mids[mids.count - 1] - mids[0]
        let side: Side
        if trend.isPositive && !position.isPositive { side = .buy } else if trend.isNegative && position.isPositive { side = .sell } else { return }
        decisions += 1
        let qty = side == .sell ? position : size
        let params = JSON.object([
            JSONMember("intent_id", .string("builtin-momentum-\(decisions)")), JSONMember("instrument", .string(instrument)),
            JSONMember("side", .string(side.rawValue)), JSONMember("quantity", .string(qty.description)),
            JSONMember("reduce_only", .bool(side == .sell)),
        ])
        let req = RPCRequest(id: .number(String(nextId)), method: "place_signal", params: params)
        nextId += 1
        await engine.execute(.single(.request(req)), session: session)
        position = await engine.backtestMark(venue: String(instrument.split(separator: ":").first ?? ""), instrument: instrument).position
        mids.removeAll()
    }
}
