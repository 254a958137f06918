/// Seventeen `Int64`s stored inline, read and written in place (no copy of the whole block on a
/// write, which `InlineArray`'s runtime-index setter did on this toolchain).
public struct Raw17: Sendable {
    @usableFromInline var storage: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64,
                                    Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64)

    /// All zeros.
    @inlinable public init() { storage = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) }

    /// Element `i` (0..<17; out of range traps).
    @inlinable public subscript(i: Int) -> Int64 {
        get {
            precondition(i >= 0 && i < 17)
            return withUnsafeBytes(of: storage) { $0.load(fromByteOffset: i &* 8, as: Int64.self) }
        }
        set {
            precondition(i >= 0 && i < 17)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: newValue, toByteOffset: i &* 8, as: Int64.self) }
        }
    }
}
