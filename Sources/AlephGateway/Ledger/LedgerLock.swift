import Foundation

/// An exclusive, process-lifetime lock on a ledger file, so two gateways never write one ledger.
///
/// The lock is `flock` on `<ledger>.lock` (mode 0600), which holds the owner's pid for the error
/// a second process prints. The kernel releases it when the process exits, however it exits
/// (`kill -9` included), so a stale lock file never blocks a restart.
public final class LedgerLock: Sendable {
    /// The lock file.
    public let path: String
    private let fd: Int32

    /// Takes the lock for the ledger at `ledgerPath`; throws `LedgerError("ledger_locked")` naming
    /// the holder's pid when another process has it.
    public init(ledgerPath: String) throws(LedgerError) {
        path = ledgerPath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw LedgerError("open_failed", "cannot create the lock file \(path): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = LedgerLock.readPid(fd)
            close(fd)
            let who = holder.map { "another alephtx (pid \($0))" } ?? "another process"
            throw LedgerError("ledger_locked",
                              "the ledger \(ledgerPath) is in use by \(who); stop it, or give this gateway its own --data-dir (or [ledger] path)")
        }
        _ = fchmod(fd, 0o600)
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    deinit {
        _ = ftruncate(fd, 0)
        close(fd)
    }

    static func readPid(_ fd: Int32) -> Int? {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 32, 0) }
        guard n > 0 else { return nil }
        return Int(String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Creates the ledger file 0600 if missing (SQLite gives its WAL and shared-memory files the
    /// database's mode) and tightens existing ledger files to 0600.
    public static func makePrivate(ledgerPath: String) {
        let fd = open(ledgerPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
        for suffix in ["", "-wal", "-shm", ".lock"] {
            let p = ledgerPath + suffix
            var st = stat()
            if stat(p, &st) == 0, st.st_mode & 0o077 != 0 { _ = chmod(p, 0o600) }
        }
    }
}
