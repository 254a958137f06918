import AlephRPC

/// What the engine asks of a backtest: simulated time that moves only when the agent is ready.
/// Set as `EngineConfig.lockstep`; the live gateway has none and answers `backtest.step` with
/// `not_backtesting`.
public protocol Lockstep: Sendable {
    /// `backtest.step`: moves the recording forward (until a notification for `session`, or to
    /// `until_ns`) and answers with the simulated time; the final step ends the session.
    func step(_ params: JSON?, session: Session) async throws(RPCError) -> JSON
    /// Before a trading request reaches the venue: the order latency passes in simulated time.
    func beforeTrading(session: Session) async
}
