/// Why the ledger could not open, read or write.
public struct LedgerError: Error, CustomStringConvertible, Sendable {
    /// Stable code: `open_failed`, `write_failed`, `read_failed`, `corrupt`.
    public var code: String
    /// What happened, for operators.
    public var message: String

    /// Creates an error.
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "ledger \(code): \(message)" }
}
