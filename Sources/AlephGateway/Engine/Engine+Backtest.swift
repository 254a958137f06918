import AlephBook
import AlephCore
import AlephRPC
import AlephVenueKit

/// An account's value at one moment of a backtest.
public struct BacktestMark: Sendable, Equatable {
    /// Equity of the venue's account (cash plus positions at their marks).
    public var equity: Fixed
    /// Signed position in the instrument (base units).
    public var position: Fixed
    /// The instrument's mark (mid) when known.
    public var mark: Fixed?
    /// Fees paid so far.
    public var fees: Fixed
}

extension Engine {
    /// The engine's clock (ns): real time live, simulated time in a backtest.
    public nonisolated var now: Int64 { time.nowNanos() }

    /// `ingest` that also says how many notifications it queued for `outbox` (lockstep: a step
    /// ends at the first frame that produced one).
    public func ingest(_ events: [MarketEvent], countingFor outbox: Outbox) -> Int {
        let key = ObjectIdentifier(outbox)
        let before = emittedTo[key] ?? 0
        ingest(events)
        return (emittedTo[key] ?? 0) - before
    }

    /// Notifications queued for `outbox` so far (counted only under lockstep).
    public func emittedCount(_ outbox: Outbox) -> Int { emittedTo[ObjectIdentifier(outbox)] ?? 0 }

    /// The account of `venue` valued now, with the position in `instrument`.
    public func backtestMark(venue: String, instrument: String) -> BacktestMark {
        let marks = self.marks()
        return BacktestMark(equity: equity(venue: venue, marks: marks), position: position(instrument)?.quantity ?? .zero,
                            mark: books[instrument]?.mid, fees: accounts[venue]?.feesPaid ?? .zero)
    }

    /// Every fill booked, in order.
    public var allFills: [Fill] { Array(fills) }

    /// Orders placed, in order.
    public var orderCount: Int { orderIds.count }

    /// The data has ended: `backtest.finished` goes to the session (after everything before it)
    /// and the session is closed once it is written.
    func finishLockstep(session: Session, summary: JSON) {
        let line = JSON.object([JSONMember("jsonrpc", .string("2.0")), JSONMember("method", .string("backtest.finished")),
                                JSONMember("params", summary)])
        emit(session.outbox, JSONWriter.bytes(line), slot: nil, durable: false)
        sessionStates[session.id]?.hangUp = "backtest finished: the recording has ended"
    }

    /// `backtest.step` for the driver: sends the data-end notification when the step says so.
    func backtestStep(_ params: JSON?, session: Session) async throws(RPCError) -> JSON {
        guard let lockstep = config.lockstep else {
            throw RPCError.app(.notBacktesting, "backtest.step is answered only by `alephtx backtest` (this gateway runs on live time)")
        }
        let outcome: Result<JSON, RPCError> = await suspendStep {
            do throws(RPCError) { return .success(try await lockstep.step(params, session: session)) } catch { return .failure(error) }
        }
        let result = try outcome.get()
        if result["done"]?.boolValue == true { finishLockstep(session: session, summary: result) }
        return result
    }
}
