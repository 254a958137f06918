import Foundation

/// Makes stdin/stdout usable by NIO whatever they are.
///
/// NIO polls pipes and sockets only; a regular file, `/dev/null` or a terminal is bridged
/// through an internal pipe copied by a blocking thread. `finish()` waits until everything
/// written reached the real stdout.
final class StdioBridge: @unchecked Sendable {
    /// Descriptor NIO reads from.
    let input: CInt
    /// Descriptor NIO writes to.
    let output: CInt
    private let outputDone = DispatchSemaphore(value: 0)
    private let bridgedOutput: Bool

    init() throws {
        if StdioBridge.isPollable(0) {
            input = dup(0)
        } else {
            var p: [CInt] = [0, 0]
            guard pipe(&p) == 0 else { throw POSIXError(.EIO) }
            input = p[0]
            let writeEnd = p[1]
            Thread.detachNewThread {
                StdioBridge.copy(from: 0, to: writeEnd)
                close(writeEnd)
            }
        }
        if StdioBridge.isPollable(1) {
            output = dup(1)
            bridgedOutput = false
        } else {
            var p: [CInt] = [0, 0]
            guard pipe(&p) == 0 else { throw POSIXError(.EIO) }
            output = p[1]
            bridgedOutput = true
            let readEnd = p[0]
            let done = outputDone
            Thread.detachNewThread {
                StdioBridge.copy(from: readEnd, to: 1)
                close(readEnd)
                done.signal()
            }
        }
    }

    /// Waits (bounded) until bridged output is fully copied; call after NIO closed `output`.
    func finish() {
        if bridgedOutput { _ = outputDone.wait(timeout: .now() + 5) }
    }

    static func isPollable(_ fd: CInt) -> Bool {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        let type = st.st_mode & S_IFMT
        return type == S_IFIFO || type == S_IFSOCK
    }

    static func copy(from: CInt, to: CInt) {
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(from, $0.baseAddress, 65536) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            var off = 0
            while off < n {
                let w = buf.withUnsafeBytes { write(to, $0.baseAddress! + off, n - off) }
                if w < 0 && errno == EINTR { continue }
                if w <= 0 { return }
                off += w
            }
        }
    }
}
