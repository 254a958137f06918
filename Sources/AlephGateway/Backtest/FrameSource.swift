/// The frames of a list of recordings, in file order, with one frame of look-ahead (a step must
/// know whether the next frame is beyond its deadline before taking it).
final class FrameSource {
    private var paths: [String]
    private var reader: RecordingReader?
    private var peeked: RecordedFrame?
    /// Lines that were not frames, over the files read so far.
    private(set) var malformed = 0
    /// Files whose last record was torn.
    private(set) var tornFiles = 0
    /// Compressed bytes of the files already read through.
    private var doneBytes: Int64 = 0

    /// Compressed bytes read so far over all files (for progress).
    var bytesRead: Int64 { doneBytes + (reader?.compressedOffset ?? 0) }

    /// Opens the first file; throws when any of them cannot be opened (checked up front).
    init(paths: [String]) throws(ReplayError) {
        for p in paths { _ = try RecordingReader(path: p) }
        self.paths = paths
    }

    /// The next frame without taking it.
    func peek() -> RecordedFrame? {
        if let peeked { return peeked }
        while true {
            if reader == nil {
                guard !paths.isEmpty else { return nil }
                reader = try? RecordingReader(path: paths.removeFirst())
                continue
            }
            if let f = reader!.next() {
                peeked = f
                return f
            }
            malformed += reader!.malformed
            doneBytes += reader!.compressedOffset
            if reader!.torn { tornFiles += 1 }
            reader = nil
        }
    }

    /// Takes the frame `peek` returned.
    func pop() -> RecordedFrame? {
        let f = peek()
        peeked = nil
        return f
    }
}
