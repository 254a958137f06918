import Foundation

/// A private key held in memory. Its description never shows the key.
public struct PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The 32 secret bytes (never log or send these).
    public let bytes: [UInt8]

    /// Validates 32 bytes in 1..n-1.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard Secp256k1.isValidPrivateKey(bytes) else { throw .invalidPrivateKey }
        self.bytes = bytes
    }

    /// Redacted.
    public var description: String { "PrivateKey(redacted)" }
    /// Redacted.
    public var debugDescription: String { "PrivateKey(redacted)" }

    /// Reads a hex key from an environment variable (errors never include the value).
    public static func fromEnvironment(_ name: String) throws(CryptoError) -> PrivateKey {
        try parse(try Secret.fromEnvironment(name), source: "environment variable \(name)")
    }

    /// Reads a hex key from a file (surrounding whitespace ignored).
    public static func fromFile(_ path: String) throws(CryptoError) -> PrivateKey {
        try parse(try Secret.fromFile(path), source: "key file \(path)")
    }

    static func parse(_ text: String, source: String) throws(CryptoError) -> PrivateKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let b: [UInt8]
        do { b = try Hex.decode(trimmed) } catch { throw .invalidField(field: source, reason: "not a hex private key") }
        guard b.count == 32 else { throw .invalidField(field: source, reason: "a private key is 32 bytes (64 hex digits), got \(b.count) bytes") }
        return try PrivateKey(bytes: b)
    }
}

/// Secrets (keys, API secrets) come from the environment or a file, never from arguments or config.
public enum Secret {
    /// The value of an environment variable; errors never include a value.
    public static func fromEnvironment(_ name: String) throws(CryptoError) -> String {
        guard let text = ProcessInfo.processInfo.environment[name], !text.isEmpty else {
            throw .invalidField(field: name, reason: "environment variable is not set")
        }
        return text
    }

    /// A file's contents with surrounding whitespace removed.
    public static func fromFile(_ path: String) throws(CryptoError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw .invalidField(field: path, reason: "cannot read secret file") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
