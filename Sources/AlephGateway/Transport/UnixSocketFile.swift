#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The file of a Unix-domain socket: created 0600, a stale one removed, a live one never.
enum UnixSocketFile {
    /// A file left by a process that died is removed; a socket someone still listens on, or a
    /// path that is not a socket, is an error (nothing is removed).
    static func removeIfStale(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else {
            throw ConfigError("unix socket path \(path) exists and is not a socket; refusing to replace it")
        }
        if isListening(path) {
            throw ConfigError("another process is listening on unix socket \(path)")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw ConfigError("cannot remove the stale unix socket \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the socket file at shutdown.
    static func remove(_ path: String) {
        var st = stat()
        if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
    }

    /// Whether something accepts connections on `path`.
    static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return rc == 0
    }

    /// Serializes binds under a private umask: the socket file is born 0600, so no other user
    /// can connect in the moment between bind and a chmod.
    private static let umaskLock = Mutex(())

    /// Runs `body` (a bind) with umask 0177.
    static func privately<T>(_ body: () async throws -> T) async throws -> T {
        let old = umaskLock.withLock { _ in umask(0o177) }
        defer { _ = umaskLock.withLock { _ in umask(old) } }
        return try await body()
    }
}
