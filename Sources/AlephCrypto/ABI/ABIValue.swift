import BigInt

/// A value of an `ABIType`.
public indirect enum ABIValue: Sendable, Equatable {
    /// `uintN`.
    case uint(BigUInt)
    /// `intN`.
    case int(BigInt)
    /// `address`: 20 bytes.
    case address([UInt8])
    /// `bool`.
    case bool(Bool)
    /// `bytesN`: N bytes.
    case fixedBytes([UInt8])
    /// `bytes`.
    case bytes([UInt8])
    /// `string`.
    case string(String)
    /// `T[]` or `T[k]`.
    case array([ABIValue])
    /// A tuple.
    case tuple([ABIValue])
}
