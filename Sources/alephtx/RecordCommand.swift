import AlephCore
import AlephGateway
import AlephNet
import AlephVenues
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `alephtx record`: every raw frame (and REST snapshot) of every enabled feed, with its receive
/// time, into rotating gzip files and a manifest; `alephtx replay` reads them back.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "record", abstract: """
        Record every enabled [venues.*] feed of a config: raw frames and REST snapshots with their receive time, as \
        `<recv_ts_ns> <raw frame>` lines in rotating gzip files plus manifest.json. Safe to kill at any moment (a torn last \
        record is skipped on read). Stops on SIGINT/SIGTERM or after --duration-s.
        """)

    @Option(help: "TOML config with the feeds to record ([venues.*] enabled = true).") var config: String
    @Option(help: "Output directory (created 0700).") var out: String
    @Option(help: "Rotate files at this many MB of frames (uncompressed).") var maxFileMb = 64
    @Option(help: "Delete the oldest files once the directory holds more than this many MB.") var maxTotalMb = 1024
    @Option(help: "Stop after this many seconds (0: until a signal).") var durationS = 0
    @Option(help: "trace … critical.") var logLevel = "info"

    func run() async throws {
        let cfg = try Serve.loadConfig(config)
        let venues = cfg.venues.filter(\.enabled)
        guard !venues.isEmpty else { throw RuntimeError("nothing to record: no [venues.*] has enabled = true in \(config)") }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "alephtx")
        let time = SystemTimeSource()
        let manifest = RecordingManifest(dir: out, startedNs: time.nowNanos())
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        for v in venues {
            let writer = RecordingWriter(dir: out, venue: v.venue, symbols: v.symbols, manifest: manifest,
                                         maxFileBytes: max(1, maxFileMb) << 20, maxTotalBytes: max(1, maxTotalMb) << 20)
            services.append(.init(service: RecorderService(config: v, writer: writer, time: time, logger: logger)))
        }
        if durationS > 0 {
            services.append(.init(service: StopAfter(seconds: durationS), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        logger.info("recording", metadata: ["out": "\(out)", "venues": "\(venues.map(\.venue).joined(separator: ","))"])
        try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        logger.info("recording stopped")
    }
}

/// One venue's feed, recorded: the same metadata fetch, adapter and feed runner as `serve`,
/// with the runner's tap writing every frame; the decoded events go nowhere.
struct RecorderService: Service {
    let config: VenueConfig
    let writer: RecordingWriter
    let time: any TimeSource
    let logger: Logger

    func run() async throws {
        defer { writer.finish() }
        await cancelWhenGracefulShutdown {
            var catalog: [String: Instrument] = [:]
            while !Task.isCancelled {
                do { catalog = try await InstrumentCatalog.fetch(config); break } catch {
                    logger.warning("instrument metadata unavailable", metadata: ["venue": "\(config.venue)", "error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(config.backoffMinMs))
                }
            }
            if Task.isCancelled { return }
            let w = writer
            let runner = FeedRunner(config: config, adapter: FeedService.adapter(config, catalog: catalog), time: time, logger: logger,
                                    sink: { _ in }, onHealth: { _ in }, tap: { at, bytes, _ in w.write(receiveTime: at, bytes) })
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await runner.run() }
                group.addTask {
                    // Flush and rewrite the manifest twice a second, whether or not frames arrive.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(500))
                        w.checkpoint()
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }
}

/// Ends the group after a while.
struct StopAfter: Service {
    let seconds: Int
    func run() async throws {
        await cancelWhenGracefulShutdown { try? await Task.sleep(for: .seconds(seconds)) }
    }
}
