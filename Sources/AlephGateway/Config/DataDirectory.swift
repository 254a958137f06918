import Foundation

/// Where the gateway keeps its ledger, and how that directory is made.
public enum DataDirectory {
    /// The home directory: `$HOME` when set (so a sandboxed or test `HOME` is honoured), else the
    /// password database's entry.
    public static var home: String {
        if let h = ProcessInfo.processInfo.environment["HOME"], !h.isEmpty { return h }
        return NSHomeDirectory()
    }

    /// `~` and `~/…` expanded against `home`.
    public static func expand(_ path: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return (home as NSString).appendingPathComponent(String(path.dropFirst(2))) }
        return path
    }

    /// The directory to use: the flag or config value, else `$ALEPHTX_DATA_DIR`, else `~/.alephtx`.
    public static func resolve(_ explicit: String?) -> String {
        if let explicit, !explicit.isEmpty { return expand(explicit) }
        if let env = ProcessInfo.processInfo.environment["ALEPHTX_DATA_DIR"], !env.isEmpty { return expand(env) }
        return (home as NSString).appendingPathComponent(".alephtx")
    }

    /// Creates `dir` (and missing parents) readable by its owner only (0700). An existing
    /// directory is left as it is; a warning is returned when others can read it.
    @discardableResult
    public static func prepare(_ dir: String) throws(ConfigError) -> String? {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ConfigError("the data directory \(dir) exists and is not a directory") }
            var st = stat()
            if stat(dir, &st) == 0, st.st_mode & 0o077 != 0 {
                return "the data directory \(dir) is readable by other users (mode \(String(st.st_mode & 0o777, radix: 8))); consider chmod 700"
            }
            return nil
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigError("cannot create the data directory \(dir): \(error.localizedDescription)")
        }
        _ = chmod(dir, 0o700)
        return nil
    }
}
