import AlephCore
import AlephRPC
import CZlib
import Foundation
import Synchronization

/// Writes one venue's raw frames as a recording: `<recv_ts_ns> <frame>` lines, gzip-compressed,
/// in files that rotate at `maxFileBytes` (uncompressed), the oldest deleted once all of them
/// exceed `maxTotalBytes` on disk. The stream is flushed at least every `flushMs`, so a kill
/// loses at most that much; a torn tail is skipped when the file is read. `manifest.json` in the
/// directory lists the files, venues, symbols, frame counts and time range (format version 1),
/// and is replaced atomically.
public final class RecordingWriter: Sendable {
    struct FileInfo { var name: String; var venue: String; var frames: Int; var firstNs: Int64; var lastNs: Int64 }
    struct State {
        var file: gzFile?
        var current: FileInfo?
        var written = 0
        var sequence = 0
        var done: [FileInfo] = []
        var deleted: [String] = []
        var lastFlushNs: Int64 = 0
        var lastManifestNs: Int64 = 0
    }

    let dir: String
    let venue: String
    let symbols: [String]
    let maxFileBytes: Int
    let maxTotalBytes: Int
    let flushMs: Int
    private let state = Mutex(State())
    /// Other writers sharing the manifest (one per venue).
    let manifest: RecordingManifest

    /// Creates a writer (the directory must exist).
    public init(dir: String, venue: String, symbols: [String], manifest: RecordingManifest, maxFileBytes: Int = 64 << 20,
                maxTotalBytes: Int = 1 << 30, flushMs: Int = 500) {
        self.dir = dir
        self.venue = venue
        self.symbols = symbols
        self.manifest = manifest
        self.maxFileBytes = maxFileBytes
        self.maxTotalBytes = maxTotalBytes
        self.flushMs = flushMs
    }

    /// Appends one frame (newlines inside a REST body become spaces: JSON whitespace).
    public func write(receiveTime: Int64, _ bytes: UnsafeRawBufferPointer) {
        var line = Array(String(receiveTime).utf8)
        line.append(0x20)
        line.reserveCapacity(line.count + bytes.count + 1)
        for b in bytes { line.append(b == 0x0A || b == 0x0D ? 0x20 : b) }
        line.append(0x0A)
        let (snapshot, rotate): ([FileInfo]?, Bool) = state.withLock { s in
            if s.file == nil { open(&s, at: receiveTime) }
            _ = line.withUnsafeBytes { gzwrite(s.file, $0.baseAddress, UInt32($0.count)) }
            s.written += line.count
            s.current?.frames += 1
            s.current?.lastNs = receiveTime
            let now = DispatchTime.now().uptimeNanoseconds
            if Int64(now) - s.lastFlushNs >= Int64(flushMs) * 1_000_000 {
                gzflush(s.file, Z_SYNC_FLUSH)
                s.lastFlushNs = Int64(now)
            }
            let rotate = s.written >= maxFileBytes
            if rotate { close(&s) }
            if rotate || Int64(now) - s.lastManifestNs >= 1_000_000_000 {
                s.lastManifestNs = Int64(now)
                return (s.done + (s.current.map { [$0] } ?? []), rotate)
            }
            return (nil, false)
        }
        if rotate { enforceBudget() }
        if let snapshot { manifest.update(venue: venue, symbols: symbols, files: snapshot.map { ($0.name, $0.frames, $0.firstNs, $0.lastNs) }) }
    }

    /// Flushes what is written and rewrites the manifest (the recorder calls it on a timer, so a
    /// quiet feed's frames reach the disk too).
    public func checkpoint() {
        let files: [FileInfo] = state.withLock { s in
            if let f = s.file { gzflush(f, Z_SYNC_FLUSH) }
            s.lastFlushNs = Int64(DispatchTime.now().uptimeNanoseconds)
            return s.done + (s.current.map { [$0] } ?? [])
        }
        if !files.isEmpty { manifest.update(venue: venue, symbols: symbols, files: files.map { ($0.name, $0.frames, $0.firstNs, $0.lastNs) }) }
    }

    /// Flushes and closes the current file and writes the manifest.
    public func finish() {
        let files: [FileInfo] = state.withLock { s in
            close(&s)
            return s.done
        }
        manifest.update(venue: venue, symbols: symbols, files: files.map { ($0.name, $0.frames, $0.firstNs, $0.lastNs) })
    }

    private func open(_ s: inout State, at ns: Int64) {
        s.sequence += 1
        let name = "\(venue)-\(ns)-\(String(format: "%04d", s.sequence)).gz"
        s.file = gzopen((dir as NSString).appendingPathComponent(name), "wb6")
        s.current = FileInfo(name: name, venue: venue, frames: 0, firstNs: ns, lastNs: ns)
        s.written = 0
    }

    private func close(_ s: inout State) {
        guard let f = s.file else { return }
        gzclose(f)
        s.file = nil
        if let c = s.current { s.done.append(c) }
        s.current = nil
    }

    /// Deletes this venue's oldest closed files while the directory holds more than the budget.
    private func enforceBudget() {
        let fm = FileManager.default
        func total() -> Int {
            ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".gz") }.reduce(0) { sum, n in
                sum + ((try? fm.attributesOfItem(atPath: (dir as NSString).appendingPathComponent(n)))?[.size] as? Int ?? 0)
            }
        }
        while total() > maxTotalBytes {
            let victim: String? = state.withLock { s in s.done.isEmpty ? nil : s.done.removeFirst().name }
            guard let v = victim else { return }
            try? fm.removeItem(atPath: (dir as NSString).appendingPathComponent(v))
            state.withLock { $0.deleted.append(v) }
        }
    }
}

/// `manifest.json` of a recording directory, shared by its venue writers.
public final class RecordingManifest: Sendable {
    let path: String
    let startedNs: Int64
    private let venues = Mutex<[String: (symbols: [String], files: [(String, Int, Int64, Int64)])]>([:])

    /// Creates the manifest of `dir`.
    public init(dir: String, startedNs: Int64) {
        path = (dir as NSString).appendingPathComponent("manifest.json")
        self.startedNs = startedNs
    }

    /// Records a venue's files and rewrites the manifest atomically.
    public func update(venue: String, symbols: [String], files: [(String, Int, Int64, Int64)]) {
        let doc: JSON = venues.withLock { v in
            v[venue] = (symbols, files)
            var list: [JSON] = [], first = Int64.max, last = Int64.min
            for (name, entry) in v.sorted(by: { $0.key < $1.key }) {
                for f in entry.files {
                    list.append(.object([JSONMember("file", .string(f.0)), JSONMember("venue", .string(name)), JSONMember("frames", .int(f.1)),
                                         JSONMember("first_ns", .int(f.2)), JSONMember("last_ns", .int(f.3))]))
                    first = min(first, f.2)
                    last = max(last, f.3)
                }
            }
            return .object([
                JSONMember("format", .string("alephtx-recording")), JSONMember("version", .int(1)), JSONMember("line", .string("<recv_ts_ns> <raw frame>\\n")),
                JSONMember("started_ns", .int(startedNs)),
                JSONMember("venues", .object(v.sorted(by: { $0.key < $1.key }).map { JSONMember($0.key, .array($0.value.symbols.map(JSON.string))) })),
                JSONMember("files", .array(list)),
                JSONMember("first_ns", list.isEmpty ? .null : .int(first)), JSONMember("last_ns", list.isEmpty ? .null : .int(last)),
            ])
        }
        let tmp = path + ".tmp"
        FileManager.default.createFile(atPath: tmp, contents: Data(JSONWriter.string(doc).utf8))
        _ = rename(tmp, path)
    }
}
