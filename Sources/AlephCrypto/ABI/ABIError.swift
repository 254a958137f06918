/// Why an ABI type, value or encoding was refused; `description` says where.
public struct ABIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message.
    public var description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
