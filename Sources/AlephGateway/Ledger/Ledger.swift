import AlephCore
import AlephRPC
import AlephRisk
import AlephVenueKit
import Dispatch
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// How hard the ledger syncs each commit.
public enum LedgerSync: String, Sendable, CaseIterable {
    /// fsync the WAL on every commit: survives power loss (default).
    case full
    /// Survives a process crash (SIGKILL), may lose the last commits on power loss.
    case normal
}

/// The crash-safe journal of intents, orders, fills, positions, balances and risk state:
/// SQLite in WAL mode through GRDB.
///
/// The engine appends the records of each request to `append`, which returns a ticket; one
/// writer drains everything appended so far in a single transaction (group commit: clients
/// writing at once share one sync) and reports the highest ticket made durable to its
/// listener, which releases the answers that waited for it.
public final class Ledger: Sendable {
    /// Where it lives (`:memory:` for tests).
    public let path: String
    /// The writer connection (reads go through it too: a pool serves them from its readers).
    let writer: any DatabaseWriter
    private let queue = DispatchQueue(label: "alephtx.ledger.writer")
    private let state = Mutex(WriterState())
    private let listener = Mutex<(any LedgerListener)?>(nil)
    /// A second connection that copies WAL frames into the database in the background, so the
    /// writer's own checkpoint only has the last few frames left to copy.
    private let background: DatabaseQueue?
    /// Runs the background copies.
    private let copyQueue = DispatchQueue(label: "alephtx.ledger.checkpoint")
    /// Whether a background copy is scheduled, and whether the WAL has grown past `resetFrames`
    /// so the writer should let it restart.
    private let walState = WALState()
    /// The background copy runs this long after a commit, at most once per interval (an idle
    /// ledger is left alone).
    ///
    /// Each copy ends with a sync of the database file, which the disk serves between the
    /// commits' WAL syncs: small, frequent copies stall commits least. Measured with 10 clients,
    /// p99 was 2.1-2.3 ms at 2 ms, 2.3-2.5 ms at 10 ms, 3.1-3.3 ms at 50 ms and 3.9-4.2 ms at
    /// 200 ms; copies without syncs (left to kernel writeback) were worse still, 5-7 ms.
    static let copyInterval = DispatchTimeInterval.milliseconds(2)
    /// The default number of WAL frames (pages) past which the writer finishes a checkpoint
    /// itself so the WAL restarts from its beginning: about 64 MB with 4 KiB pages.
    ///
    /// The writer's checkpoint stalls every answer waiting behind it for a few milliseconds (it
    /// copies the frames the background has not, then syncs the database file), so it runs
    /// rarely: every 256 commits it was a dozen stalls a second under load and set the p99;
    /// at this size it is about one a second. The background copy keeps the rest of the work
    /// off the commit path.
    public static let defaultResetFrames: Int32 = 16_384
    private let resetFrames: Int32
    /// The writer connection's prepared statements (made on first write; used only on `queue`).
    private let store = StoreBox()

    private struct WriterState {
        var pending: [LedgerRecord] = []
        var lastTicket: UInt64 = 0
        var durableTicket: UInt64 = 0
        var flushing = false
        var failure: LedgerError?
        var commits = 0
        var recordsWritten = 0
        var lastCommitNanos: UInt64 = 0
        var maxCommitNanos: UInt64 = 0
    }

    /// The sync setting this ledger was opened with.
    public let sync: LedgerSync
    /// The tag in every client order id this ledger made (`ax<tag><n>`), made once per ledger.
    public let clientIdTag: String

    /// Opens (creating if needed) and migrates the ledger at `path`; `:memory:` keeps it in memory.
    /// `resetFrames` bounds the WAL (see `defaultResetFrames`).
    public init(path: String, sync: LedgerSync = .full, resetFrames: Int32 = Ledger.defaultResetFrames) throws(LedgerError) {
        self.path = path
        self.sync = sync
        self.resetFrames = max(1, resetFrames)
        var config = Configuration()
        config.label = "alephtx.ledger"
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(sync == .full ? "FULL" : "NORMAL")")
            // The writer checkpoints itself after answers are released, never inside a commit
            // that an answer is waiting for.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        do {
            if path == ":memory:" {
                writer = try DatabaseQueue(configuration: config)
            } else {
                let dir = (path as NSString).deletingLastPathComponent
                if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
                writer = try DatabasePool(path: path, configuration: config)
            }
            try LedgerSchema.migrator.migrate(writer)
            clientIdTag = try writer.write { db -> String in
                if let t = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'client_id_tag'") { return t }
                let t = ClientOrderIds.newTag()
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('client_id_tag', ?)", arguments: [t])
                return t
            }
            if path == ":memory:" {
                background = nil
            } else {
                var cc = Configuration()
                cc.label = "alephtx.ledger.checkpoint"
                cc.busyMode = .immediateError
                let bg = try DatabaseQueue(path: path, configuration: cc)
                background = bg
            }
        } catch {
            throw LedgerError("open_failed", "cannot open \(path): \(error)")
        }
    }



    /// Sets the one listener told about durability progress and failure (called on the writer's queue).
    public func setListener(_ l: any LedgerListener) { listener.withLock { $0 = l } }

    /// Queues records for the next commit; returns the ticket that becomes durable with them.
    /// Returns the current ticket and writes nothing for an empty list.
    @discardableResult
    public func append(_ records: [LedgerRecord]) -> UInt64 {
        if records.isEmpty { return state.withLock { $0.lastTicket } }
        let (ticket, start) = state.withLock { s -> (UInt64, Bool) in
            s.pending.append(contentsOf: records)
            s.lastTicket += 1
            let start = !s.flushing && s.failure == nil
            if start { s.flushing = true }
            return (s.lastTicket, start)
        }
        if start { queue.async { self.drain() } }
        return ticket
    }

    /// The highest ticket handed out.
    public var lastTicket: UInt64 { state.withLock { $0.lastTicket } }
    /// The highest ticket whose records are durable.
    public var durableTicket: UInt64 { state.withLock { $0.durableTicket } }
    /// Set once a write failed; the ledger then accepts nothing more.
    public var failure: LedgerError? { state.withLock { $0.failure } }
    /// Commits and records written since open.
    public var stats: (commits: Int, records: Int) { state.withLock { ($0.commits, $0.recordsWritten) } }

    /// What `get_health` reports about the ledger.
    public var health: LedgerHealth {
        let walBytes = path == ":memory:" ? 0 : ((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0)
        return state.withLock { s in
            LedgerHealth(sync: sync, inMemory: path == ":memory:", commits: s.commits, records: s.recordsWritten,
                         waiting: Int(s.lastTicket - s.durableTicket), lastCommitMicros: Int(s.lastCommitNanos / 1000),
                         maxCommitMicros: Int(s.maxCommitNanos / 1000), walBytes: walBytes, failure: s.failure)
        }
    }

    private func drain() {
        while true {
            let (batch, ticket) = state.withLock { s -> ([LedgerRecord], UInt64) in
                let b = s.pending
                s.pending = []
                if b.isEmpty { s.flushing = false }
                return (b, s.lastTicket)
            }
            if batch.isEmpty { return }
            do {
                let store = self.store
                let started = DispatchTime.now().uptimeNanoseconds
                try writer.writeWithoutTransaction { db in
                    if store.value == nil { store.value = try LedgerStore(db) }
                    try store.value!.write(batch)
                }
                let took = DispatchTime.now().uptimeNanoseconds &- started
                state.withLock { s in
                    s.durableTicket = ticket
                    s.commits += 1
                    s.recordsWritten += batch.count
                    s.lastCommitNanos = took
                    s.maxCommitNanos = max(s.maxCommitNanos, took)
                }
                notify(.durable(ticket))
                scheduleCopy()
                restartWALIfDue()
            } catch {
                let e = (error as? LedgerError) ?? LedgerError("write_failed", "\(error)")
                state.withLock { s in
                    s.failure = e
                    s.pending = []
                    s.flushing = false
                }
                notify(.failed(e))
                return
            }
        }
    }

    /// After a commit: copy the new WAL frames into the database soon, on the background
    /// connection; if that finds the WAL past `resetFrames`, the writer restarts it.
    private func scheduleCopy() {
        guard let bg = background, !walState.copyScheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let wal = walState
        let limit = resetFrames
        copyQueue.asyncAfter(deadline: .now() + Ledger.copyInterval) {
            wal.copyScheduled.store(false, ordering: .releasing)
            let frames = bg.writeWithoutTransaction { db in Ledger.checkpoint(db) }
            if frames >= limit { wal.resetDue.store(true, ordering: .releasing) }
        }
    }

    /// Once the background copy has seen the WAL pass `resetFrames`, the writer checkpoints
    /// itself between batches (after their answers are released). A checkpoint racing the
    /// writer from another connection never completes under load, so alone it would let the WAL
    /// grow without end; the writer's own finishes the last frames and the next commit restarts
    /// the WAL from its start.
    private func restartWALIfDue() {
        guard walState.resetDue.load(ordering: .acquiring), walState.resetDue.exchange(false, ordering: .acquiringAndReleasing) else { return }
        _ = writer.writeWithoutTransaction { db in Ledger.checkpoint(db) }
    }

    /// A PASSIVE checkpoint; returns the frames in the WAL (-1 if another checkpoint was running).
    private static func checkpoint(_ db: Database) -> Int32 {
        var log: Int32 = -1, copied: Int32 = -1
        _ = sqlite3_wal_checkpoint_v2(db.sqliteConnection, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
        return log
    }

    deinit {
        // Finalize the prepared statements before GRDB closes the connection.
        store.value = nil
    }

    private func notify(_ p: LedgerProgress) {
        let l = listener.withLock { $0 }
        l?.progress(p)
    }

    /// Blocks until everything appended so far is durable (or the ledger failed).
    public func waitDurable() {
        let target = lastTicket
        while durableTicket < target && failure == nil { usleep(200) }
    }
}

/// The ledger's state for operators.
public struct LedgerHealth: Sendable {
    /// The sync setting.
    public var sync: LedgerSync
    /// True for `:memory:` (nothing survives a restart).
    public var inMemory: Bool
    /// Commits since open.
    public var commits: Int
    /// Records written since open.
    public var records: Int
    /// Engine steps appended and not yet durable.
    public var waiting: Int
    /// Duration of the last commit (write and sync), microseconds.
    public var lastCommitMicros: Int
    /// Longest commit since open, microseconds.
    public var maxCommitMicros: Int
    /// Size of the WAL file in bytes (0 in memory).
    public var walBytes: Int
    /// Set once a write failed (trading is then stopped).
    public var failure: LedgerError?
}

/// Told by the ledger's writer how far durability has come.
public protocol LedgerListener: AnyObject, Sendable {
    /// Called on the writer's queue after each commit, or once on failure.
    func progress(_ p: LedgerProgress)
}

/// Progress of the ledger's writer.
public enum LedgerProgress: Sendable {
    /// Everything up to this ticket is durable.
    case durable(UInt64)
    /// A write failed; nothing after the last durable ticket will be written.
    case failed(LedgerError)
}

/// Whether a background copy is scheduled, and whether the writer should restart the WAL.
private final class WALState: Sendable {
    let copyScheduled = Atomic(false)
    let resetDue = Atomic(false)
}

/// Holds the writer's `LedgerStore`; only the writer's serial queue touches it (and `deinit`).
private final class StoreBox: @unchecked Sendable {
    var value: LedgerStore?
}
