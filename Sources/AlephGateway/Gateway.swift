import AlephCore
import AlephCrypto
import AlephVenues
import Foundation
import Logging
import ServiceLifecycle

/// Assembles the engine, the simulated market and the transports from a config.
public struct Gateway: Sendable {
    /// The engine.
    public let engine: Engine
    /// The services to run, in start order.
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]

    /// The ledger.
    public let ledger: Ledger
    /// Session numbers of every transport (an MCP face takes its own from it too).
    public let counter: SessionCounter
    /// The exclusive lock on the ledger file (nil for `:memory:`), held as long as the gateway lives.
    public let lock: LedgerLock?

    /// Builds everything and restores state from the ledger; throws a `ConfigError` for an address
    /// it refuses to listen on and a `LedgerError` for a ledger it cannot open or read.
    /// `dataDir` holds the default ledger file.
    public init(config: GatewayConfig, dataDir: String, logger: Logger, time: any TimeSource = SystemTimeSource()) async throws {
        let ledgerPath = config.ledgerPath ?? (dataDir as NSString).appendingPathComponent("ledger.sqlite")
        // One gateway per ledger: a second one would hand out the same order ids.
        if ledgerPath != ":memory:" {
            let dir = (ledgerPath as NSString).deletingLastPathComponent
            if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
                try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            lock = try LedgerLock(ledgerPath: ledgerPath)
            LedgerLock.makePrivate(ledgerPath: ledgerPath)
        } else {
            lock = nil
        }
        let ledger = try Ledger(path: ledgerPath, sync: config.ledgerSync)
        self.ledger = ledger
        let snapshot = try ledger.load()
        let feed = SimFeed(seed: config.simSeed, interval: .milliseconds(config.simIntervalMs), time: time)
        // Live venues get their executor; every other venue paper-trades in this process.
        var live: [(VenueConfig, any VenueExecutor)] = []
        for v in config.venues where v.enabled && v.mode == .live {
            do { live.append((v, try VenueRegistry.liveExecutor(v, time: time, logger: logger))) } catch {
                throw ConfigError("[venues.\(v.venue)] \(error.description)")
            }
        }
        // The on-chain account first: GMX trades through it, so its executor joins the engine's at birth.
        let engineRef = LedgerEVMStore.EngineRef()
        var evmService: EVMTransactionService? = nil
        if config.evm.enabled {
            let key: PrivateKey
            do throws(CryptoError) {
                if let env = config.evm.keyEnv { key = try PrivateKey.fromEnvironment(env) } else { key = try PrivateKey.fromFile(config.evm.keyFile ?? "") }
            } catch { throw ConfigError("[venues.evm] \(error.description)") }
            let signer: LocalSigner
            do { signer = try LocalSigner(key: key) } catch { throw ConfigError("[venues.evm] \(error.description)") }
            let restored = snapshot.evmTxs.compactMap { try? EVMTxRecord(journal: $0) }
            evmService = EVMTransactionService(config: config.evm, rpc: EVMRPC(url: config.evm.rpcURL), signer: signer, store: LedgerEVMStore(ref: engineRef),
                                               time: time, logger: logger, restored: restored)
            logger.notice("on-chain transactions enabled", metadata: ["account": "\(EthereumAddress.checksummed(signer.address))", "chain_id": "\(config.evm.chainId)",
                                                                    "journaled": "\(restored.count)"])
        }
        var gmx: GMXExecutor? = nil
        if config.gmx.enabled {
            guard let evmService else { throw ConfigError("[venues.gmx] needs [venues.evm] enabled: GMX orders are transactions from that account") }
            let g = GMXExecutor(config: config.gmx, evm: evmService, rpc: EVMRPC(url: config.evm.rpcURL), confirmations: config.evm.confirmations, time: time, logger: logger)
            gmx = g
            var vc = VenueConfig(venue: "gmx")
            vc.mode = .live
            live.append((vc, g))
        }
        let engine = Engine(instruments: feed.instruments,
                            config: {
                                var e = EngineConfig(paper: config.paper, maxSubscriptionsPerSession: config.maxSubscriptionsPerSession)
                                e.testHooks = config.testHooks
                                e.riskLimits = config.riskLimits
                                e.riskOverrides = config.riskOverrides
                                e.stableValues = config.stableValues
                                e.adminToken = config.adminToken
                                if let tcp = config.tcp, let (host, _) = try? GatewayConfig.hostPort(tcp) {
                                    e.requireAuth = !GatewayConfig.isLoopback(host)
                                }
                                return e
                            }(),
                            time: time, logger: logger, ledger: ledger, executors: live.map(\.1))
        self.engine = engine
        logger.info("ledger open", metadata: ["path": "\(ledgerPath)", "sync": "\(config.ledgerSync.rawValue)", "events": "\(snapshot.eventCount)"])
        engineRef.engine = engine
        if !snapshot.isEmpty { await engine.restore(from: snapshot) }
        if let evmService { await engine.attachEVM(evmService, config: config.evm) }
        let runner = ConnectionRunner(engine: engine, logger: logger, maxQueued: config.maxQueuedMessages)
        let counter = SessionCounter()
        self.counter = counter
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: MarketService(feed: feed, engine: engine, logger: logger)),
        ]
        var manifest: RecordingManifest? = nil
        if let dir = config.recordDir {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
                throw ConfigError("cannot create the recording directory \(dir): \(error.localizedDescription)")
            }
            manifest = RecordingManifest(dir: dir, startedNs: time.nowNanos())
        }
        for v in config.venues where v.enabled {
            let recorder = manifest.map { RecordingWriter(dir: config.recordDir!, venue: v.venue, symbols: v.symbols, manifest: $0) }
            logger.info("live feed enabled", metadata: ["venue": "\(v.venue)", "symbols": "\(v.symbols.joined(separator: ","))", "ws": "\(v.wsURL)",
                                                        "execution": "\(v.mode.rawValue)"])
            services.append(.init(service: FeedService(config: v, engine: engine, time: time, logger: logger, recorder: recorder)))
        }
        for (v, executor) in live {
            logger.notice("LIVE trading enabled: orders go to the venue", metadata: ["venue": "\(v.venue)", "rest": "\(v.restURL)", "private_ws": "\(v.wsPrivateURL)",
                                                                                   "testnet": "\(v.testnet)"])
            services.append(.init(service: ExecutionService(executor: executor, config: v, engine: engine, time: time, logger: logger)))
        }
        if let tcp = config.tcp {
            let (host, port) = try GatewayConfig.hostPort(tcp)
            guard GatewayConfig.isLoopback(host) || config.adminToken != nil else {
                throw ConfigError("refusing to listen on \(host) without an auth token: set --admin-token or ALEPHTX_ADMIN_TOKEN (clients then send session.hello with it), or listen on 127.0.0.1")
            }
            if !GatewayConfig.isLoopback(host) {
                logger.warning("listening beyond loopback: every TCP session must send session.hello with the token")
            }
            services.append(.init(service: TCPServer(host: host, port: port, maxLineBytes: config.maxLineBytes, runner: runner, counter: counter, logger: logger)))
        }
        if let path = config.unix {
            services.append(.init(service: TCPServer(endpoint: .unix(path: path), maxLineBytes: config.maxLineBytes, runner: runner, counter: counter, logger: logger)))
        }
        if let evmService { services.append(.init(service: EVMService(service: evmService, config: config.evm, logger: logger))) }
        if gmx != nil { services.append(.init(service: GMXFeedService(config: config.gmx, engine: engine, logger: logger))) }
        services.append(.init(service: DeadmanService(engine: engine)))
        if config.stdio {
            services.append(.init(service: StdioServer(maxLineBytes: config.maxLineBytes, runner: runner, counter: counter, logger: logger),
                                  successTerminationBehavior: .gracefullyShutdownGroup,
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        self.services = services
    }
}
