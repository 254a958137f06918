import AlephCore
import AlephVenues
import Logging
import ServiceLifecycle

/// The ledger as the transaction service's store: each record is an `evm_tx` journal event,
/// durable before the service may broadcast.
struct LedgerEVMStore: EVMTxStore {
    /// Set once the engine exists (the service is built before it, for the venues that need it).
    final class EngineRef: @unchecked Sendable {
        var engine: Engine?
    }
    let ref: EngineRef
    func persist(_ r: EVMTxRecord) async -> Bool {
        guard let engine = ref.engine else { return false }
        return await engine.journalDurably([.event(kind: "evm_tx", ref: r.intentId, at: r.updatedAt, data: r.journalJSON)])
    }
}

/// Runs the on-chain transaction service: checks the chain and the nonce (retrying while the node
/// is down), sends again what was journaled but maybe not sent, then follows every transaction.
public struct EVMService: Service {
    let service: EVMTransactionService
    let config: EVMConfig
    let logger: Logger

    /// Creates the runner.
    public init(service: EVMTransactionService, config: EVMConfig, logger: Logger) {
        self.service = service
        self.config = config
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var delay = 200
            while !Task.isCancelled {
                do {
                    try await service.start()
                    logger.info("on-chain account ready", metadata: ["chain_id": "\(config.chainId)", "rpc": "\(config.rpcURL)"])
                    break
                } catch {
                    logger.warning("node not ready", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(delay))
                    delay = min(delay * 2, 5_000)
                }
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(config.pollMs))
                await service.poll()
            }
        }
    }
}
