/// One `Int64` per risk check (room for 20) stored inline, read and written in place (no copy of
/// the whole block on a write, which `InlineArray`'s runtime-index setter did on this toolchain).
public struct CheckSlots: Sendable {
    /// Slots available (at least `RiskCheck.count`).
    public static let capacity = 20
    @usableFromInline var storage: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64,
                                    Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64)

    /// All zeros.
    @inlinable public init() { storage = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) }

    /// Element `i` (0..<20; out of range traps).
    @inlinable public subscript(i: Int) -> Int64 {
        get {
            precondition(i >= 0 && i < CheckSlots.capacity)
            return withUnsafeBytes(of: storage) { $0.load(fromByteOffset: i &* 8, as: Int64.self) }
        }
        set {
            precondition(i >= 0 && i < CheckSlots.capacity)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: newValue, toByteOffset: i &* 8, as: Int64.self) }
        }
    }
}
