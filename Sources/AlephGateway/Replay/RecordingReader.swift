import CZlib

/// One recorded frame: when it was received (ns since the epoch) and its bytes as they arrived.
public struct RecordedFrame: Sendable {
    /// Receive time (ns).
    public var receiveTime: Int64
    /// The raw frame (a WebSocket text frame or a REST body).
    public var bytes: [UInt8]
}

/// Reads a recording: lines of `<recv_ts_ns> <raw frame>` (the hftbacktest capture format, which
/// our recordings share), gzip-compressed or plain. A last line without its newline — a recorder
/// killed mid-write, or a gzip stream cut short — is a torn record: counted and skipped, and the
/// frames before it are read as they are. Lines that are not `<digits> <frame>` are counted as
/// malformed and skipped.
public final class RecordingReader {
    /// The file.
    public let path: String
    private var file: gzFile?
    private var pending: [UInt8] = []
    /// Where the unread part of `pending` starts.
    private var head = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private var ended = false
    /// Lines read so far that were frames.
    public private(set) var frames = 0
    /// Lines that were not `<digits> <frame>`.
    public private(set) var malformed = 0
    /// A torn last record was found (and skipped).
    public private(set) var torn = false

    /// Opens a recording; throws when the file cannot be opened.
    public init(path: String) throws(ReplayError) {
        self.path = path
        guard let f = gzopen(path, "rb") else { throw ReplayError("cannot open recording \(path)") }
        _ = gzbuffer(f, 1 << 17)
        file = f
    }

    deinit { if let file { gzclose(file) } }

    /// Compressed bytes read so far (progress through the file).
    public var compressedOffset: Int64 { file.map { Int64(gzoffset($0)) } ?? 0 }

    /// The next frame, or nil at the end.
    public func next() -> RecordedFrame? {
        while true {
            if let nl = pending[head...].firstIndex(of: 0x0A) {
                let line = pending[head..<nl]
                head = nl + 1
                if let f = parse(line) { frames += 1; return f }
                if !line.isEmpty { malformed += 1 }
                continue
            }
            if ended {
                if head < pending.count { torn = true }
                pending.removeAll()
                head = 0
                return nil
            }
            // Drop what was read once per refill (not once per line: that moved the buffer each time).
            if head > 0 {
                pending.removeSubrange(..<head)
                head = 0
            }
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n > 0 { pending.append(contentsOf: chunk[..<Int(n)]) } else {
                // 0: the end; < 0: the compressed stream is cut short (a torn tail).
                if n < 0 { torn = true }
                ended = true
            }
        }
    }

    func parse(_ line: ArraySlice<UInt8>) -> RecordedFrame? {
        guard let space = line.firstIndex(of: 0x20), space > line.startIndex else { return nil }
        var ts: Int64 = 0
        for b in line[..<space] {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            ts = ts &* 10 &+ Int64(b - 0x30)
        }
        let body = line[(space + 1)...]
        guard let first = body.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { return nil }
        return RecordedFrame(receiveTime: ts, bytes: Array(body))
    }
}

/// A recording that cannot be read or replayed.
public struct ReplayError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var description: String
    /// Creates an error.
    public init(_ d: String) { description = d }
}
