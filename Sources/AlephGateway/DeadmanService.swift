import ServiceLifecycle

/// The gateway's timer for dead-man's switches: fires expired session switches (every 20 ms) and
/// keeps each venue's own cancel-all-after switch armed, refreshed or disarmed (every second).
public struct DeadmanService: Service {
    let engine: Engine

    /// Creates the timer.
    public init(engine: Engine) { self.engine = engine }

    /// Ticks until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var ticks = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
                if Task.isCancelled { break }
                await engine.fireExpiredDeadmen()
                ticks += 1
                if ticks % 50 == 0 { await engine.maintainNativeDeadmen() }
            }
        }
    }
}
