import AlephGateway
import Dispatch
import Foundation
import Logging

/// Bounds graceful shutdown: after SIGTERM or SIGINT the services get `grace` to finish (answers
/// already durable are written, connections closed); if something still holds on — a client that
/// never reads, a pipe nobody drains — the ledger is waited for (everything reported is already
/// durable, so nothing acknowledged is lost) and the process exits 0 anyway.
final class ShutdownWatchdog: @unchecked Sendable {
    private let ledger: Ledger
    private let grace: DispatchTimeInterval
    private let logger: Logger
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "alephtx.shutdown-watchdog")
    private var fired = false

    init(ledger: Ledger, grace: DispatchTimeInterval, logger: Logger) {
        self.ledger = ledger
        self.grace = grace
        self.logger = logger
    }

    /// Listens for SIGTERM and SIGINT next to the service group's own handlers.
    func arm() {
        for sig in [SIGTERM, SIGINT] {
            // Dispatch sources need the default action off (the service group does the same).
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            src.setEventHandler { [weak self] in self?.start() }
            src.resume()
            sources.append(src)
        }
    }

    private func start() {
        if fired { return }
        fired = true
        queue.asyncAfter(deadline: .now() + grace) { [ledger, logger] in
            logger.warning("graceful shutdown is taking too long (a client is not reading?); exiting after the ledger is durable")
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                ledger.waitDurable()
                done.signal()
            }
            _ = done.wait(timeout: .now() + 1)
            fflush(nil)
            _exit(ledger.failure == nil ? 0 : 1)
        }
    }
}
