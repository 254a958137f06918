/// Keccak-256 as Ethereum uses it: Keccak-f[1600], rate 1088 bits, padding byte 0x01
/// (not FIPS-202 SHA3-256, whose domain byte is 0x06). The state lives on the stack.
public enum Keccak256 {
    @usableFromInline static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    /// Rotation offset of lane (x, y), indexed x + 5y.
    @usableFromInline static let rotations: [Int] = [
        0, 1, 62, 28, 27,
        36, 44, 6, 55, 20,
        3, 10, 43, 25, 39,
        41, 45, 15, 21, 8,
        18, 2, 61, 56, 14,
    ]

    static let rate = 136

    /// The 32-byte digest of `data`.
    public static func hash<B: Collection>(_ data: B) -> [UInt8] where B.Element == UInt8 {
        var out = [UInt8](repeating: 0, count: 32)
        let bytes = data as? [UInt8] ?? Array(data)
        bytes.withUnsafeBytes { d in out.withUnsafeMutableBytes { o in hash(d, into: o) } }
        return out
    }

    /// The digest of a string's UTF-8 bytes.
    public static func hash(_ text: String) -> [UInt8] { hash(Array(text.utf8)) }

    /// Hashes `data` into the first 32 bytes of `out` (no heap allocation).
    public static func hash(_ data: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25) { st in
            st.initialize(repeating: 0)
            var offset = 0
            // Full blocks.
            while data.count - offset >= rate {
                for i in 0..<(rate / 8) { st[i] ^= data.loadUnaligned(fromByteOffset: offset + 8 * i, as: UInt64.self).littleEndian }
                permute(st)
                offset += rate
            }
            // Last block with pad10*1 and Keccak's 0x01 domain byte.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rate) { block in
                block.initialize(repeating: 0)
                let rest = data.count - offset
                for i in 0..<rest { block[i] = data[offset + i] }
                block[rest] ^= 0x01
                block[rate - 1] ^= 0x80
                let raw = UnsafeRawBufferPointer(block)
                for i in 0..<(rate / 8) { st[i] ^= raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian }
            }
            permute(st)
            for i in 0..<4 { out.storeBytes(of: st[i].littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
        }
    }

    @inline(__always) static func rotl(_ x: UInt64, _ n: Int) -> UInt64 { n == 0 ? x : (x << UInt64(n)) | (x >> UInt64(64 - n)) }

    /// Keccak-f[1600]: 24 rounds of theta, rho+pi, chi, iota over lanes A[x + 5y].
    static func permute(_ a: UnsafeMutableBufferPointer<UInt64>) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 30) { tmp in
            let b = UnsafeMutableBufferPointer(rebasing: tmp[0..<25])
            let c = UnsafeMutableBufferPointer(rebasing: tmp[25..<30])
            for round in 0..<24 {
                // theta
                for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }
                for x in 0..<5 {
                    let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                    for y in stride(from: 0, to: 25, by: 5) { a[x + y] ^= d }
                }
                // rho and pi: B[y, 2x+3y] = rot(A[x, y], r[x, y])
                for y in 0..<5 {
                    for x in 0..<5 {
                        let nx = y, ny = (2 * x + 3 * y) % 5
                        b[nx + 5 * ny] = rotl(a[x + 5 * y], rotations[x + 5 * y])
                    }
                }
                // chi
                for y in stride(from: 0, to: 25, by: 5) {
                    for x in 0..<5 { a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y]) }
                }
                // iota
                a[0] ^= roundConstants[round]
            }
        }
    }
}
