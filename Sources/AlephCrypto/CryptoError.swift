/// Typed errors of the signing layer, with stable codes.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Text is not valid hex (odd length or a non-hex character).
    case invalidHex(String)
    /// A value has the wrong byte length.
    case invalidLength(field: String, expected: Int, got: Int)
    /// A private key outside 1..<n.
    case invalidPrivateKey
    /// A signature that does not parse or recover.
    case invalidSignature
    /// A number that does not fit or parse.
    case invalidNumber(field: String, reason: String)
    /// A field is missing or has the wrong type.
    case invalidField(field: String, reason: String)

    /// Stable machine-readable code.
    public var code: String {
        switch self {
        case .invalidHex: return "invalid_hex"
        case .invalidLength: return "invalid_length"
        case .invalidPrivateKey: return "invalid_private_key"
        case .invalidSignature: return "invalid_signature"
        case .invalidNumber: return "invalid_number"
        case .invalidField: return "invalid_field"
        }
    }

    /// One-line description (never contains key material).
    public var description: String {
        switch self {
        case .invalidHex(let why): return "invalid hex: \(why)"
        case let .invalidLength(f, e, g): return "\(f): expected \(e) bytes, got \(g)"
        case .invalidPrivateKey: return "invalid private key: must be 32 bytes in 1..n-1"
        case .invalidSignature: return "invalid signature"
        case let .invalidNumber(f, r): return "\(f): \(r)"
        case let .invalidField(f, r): return "\(f): \(r)"
        }
    }
}
