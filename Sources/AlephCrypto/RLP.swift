/// Recursive Length Prefix encoding (Ethereum yellow paper, appendix B).
public indirect enum RLP: Sendable, Equatable {
    /// A byte string.
    case bytes([UInt8])
    /// A list of items.
    case list([RLP])

    /// An unsigned integer: minimal big-endian bytes, zero as the empty string.
    public static func uint(_ v: UInt64) -> RLP { .bytes(BigEndian.bytes(v)) }

    /// The encoding.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    /// Appends the encoding to `out`.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .bytes(let b):
            if b.count == 1 && b[0] < 0x80 { out.append(b[0]); return }
            RLP.header(b.count, short: 0x80, long: 0xB7, into: &out)
            out.append(contentsOf: b)
        case .list(let items):
            var payload: [UInt8] = []
            for i in items { i.encode(into: &payload) }
            RLP.header(payload.count, short: 0xC0, long: 0xF7, into: &out)
            out.append(contentsOf: payload)
        }
    }

    static func header(_ length: Int, short: UInt8, long: UInt8, into out: inout [UInt8]) {
        if length <= 55 {
            out.append(short + UInt8(length))
        } else {
            let len = BigEndian.bytes(UInt64(length))
            out.append(long + UInt8(len.count))
            out.append(contentsOf: len)
        }
    }
}
