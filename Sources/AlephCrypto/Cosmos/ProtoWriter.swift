/// A minimal proto3 writer for the few Cosmos and dYdX messages we sign: fields in ascending order,
/// defaults omitted unless asked (a set `oneof` member, an embedded message).
public struct ProtoWriter: Sendable {
    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty message.
    public init() {}

    private mutating func raw(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func tag(_ field: Int, _ wire: UInt64) { raw(UInt64(field) << 3 | wire) }

    /// A varint field (uint32/uint64/enum/bool); zero omitted unless `always`.
    public mutating func varint(_ field: Int, _ v: UInt64, always: Bool = false) {
        guard v != 0 || always else { return }
        tag(field, 0)
        raw(v)
    }

    /// A bool field (false omitted).
    public mutating func bool(_ field: Int, _ v: Bool) { varint(field, v ? 1 : 0) }

    /// A `fixed32` field, little-endian; zero omitted unless `always`.
    public mutating func fixed32(_ field: Int, _ v: UInt32, always: Bool = false) {
        guard v != 0 || always else { return }
        tag(field, 5)
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
    }

    /// A length-delimited field (bytes, string, embedded message); empty omitted unless `always`.
    public mutating func bytes(_ field: Int, _ b: [UInt8], always: Bool = false) {
        guard !b.isEmpty || always else { return }
        tag(field, 2)
        raw(UInt64(b.count))
        bytes += b
    }

    /// A string field (empty omitted).
    public mutating func string(_ field: Int, _ s: String) { bytes(field, Array(s.utf8)) }

    /// An embedded message, always written (even when empty).
    public mutating func message(_ field: Int, _ m: [UInt8]) { bytes(field, m, always: true) }
}
