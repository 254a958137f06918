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

    @inline(__always) static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { n == 0 ? x : (x << n) | (x >> (64 - n)) }

    /// Keccak-f[1600], unrolled over 25 local lanes (generated; theta, rho+pi, chi, iota per round).
    static func permute(_ s: UnsafeMutableBufferPointer<UInt64>) {
        var a0 = s[0]; var a1 = s[1]; var a2 = s[2]; var a3 = s[3]; var a4 = s[4]; var a5 = s[5]; var a6 = s[6]; var a7 = s[7]; var a8 = s[8]; var a9 = s[9]; var a10 = s[10]; var a11 = s[11]; var a12 = s[12]; var a13 = s[13]; var a14 = s[14]; var a15 = s[15]; var a16 = s[16]; var a17 = s[17]; var a18 = s[18]; var a19 = s[19]; var a20 = s[20]; var a21 = s[21]; var a22 = s[22]; var a23 = s[23]; var a24 = s[24]
        for round in 0..<24 {
            let c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20
            let c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21
            let c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22
            let c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23
            let c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24
            let d0 = c4 ^ rotl(c1, 1)
            let d1 = c0 ^ rotl(c2, 1)
            let d2 = c1 ^ rotl(c3, 1)
            let d3 = c2 ^ rotl(c4, 1)
            let d4 = c3 ^ rotl(c0, 1)
            a0 ^= d0
            a1 ^= d1
            a2 ^= d2
            a3 ^= d3
            a4 ^= d4
            a5 ^= d0
            a6 ^= d1
            a7 ^= d2
            a8 ^= d3
            a9 ^= d4
            a10 ^= d0
            a11 ^= d1
            a12 ^= d2
            a13 ^= d3
            a14 ^= d4
            a15 ^= d0
            a16 ^= d1
            a17 ^= d2
            a18 ^= d3
            a19 ^= d4
            a20 ^= d0
            a21 ^= d1
            a22 ^= d2
            a23 ^= d3
            a24 ^= d4
            let b0 = rotl(a0, 0)
            let b1 = rotl(a6, 44)
            let b2 = rotl(a12, 43)
            let b3 = rotl(a18, 21)
            let b4 = rotl(a24, 14)
            let b5 = rotl(a3, 28)
            let b6 = rotl(a9, 20)
            let b7 = rotl(a10, 3)
            let b8 = rotl(a16, 45)
            let b9 = rotl(a22, 61)
            let b10 = rotl(a1, 1)
            let b11 = rotl(a7, 6)
            let b12 = rotl(a13, 25)
            let b13 = rotl(a19, 8)
            let b14 = rotl(a20, 18)
            let b15 = rotl(a4, 27)
            let b16 = rotl(a5, 36)
            let b17 = rotl(a11, 10)
            let b18 = rotl(a17, 15)
            let b19 = rotl(a23, 56)
            let b20 = rotl(a2, 62)
            let b21 = rotl(a8, 55)
            let b22 = rotl(a14, 39)
            let b23 = rotl(a15, 41)
            let b24 = rotl(a21, 2)
            a0 = b0 ^ (~b1 & b2)
            a1 = b1 ^ (~b2 & b3)
            a2 = b2 ^ (~b3 & b4)
            a3 = b3 ^ (~b4 & b0)
            a4 = b4 ^ (~b0 & b1)
            a5 = b5 ^ (~b6 & b7)
            a6 = b6 ^ (~b7 & b8)
            a7 = b7 ^ (~b8 & b9)
            a8 = b8 ^ (~b9 & b5)
            a9 = b9 ^ (~b5 & b6)
            a10 = b10 ^ (~b11 & b12)
            a11 = b11 ^ (~b12 & b13)
            a12 = b12 ^ (~b13 & b14)
            a13 = b13 ^ (~b14 & b10)
            a14 = b14 ^ (~b10 & b11)
            a15 = b15 ^ (~b16 & b17)
            a16 = b16 ^ (~b17 & b18)
            a17 = b17 ^ (~b18 & b19)
            a18 = b18 ^ (~b19 & b15)
            a19 = b19 ^ (~b15 & b16)
            a20 = b20 ^ (~b21 & b22)
            a21 = b21 ^ (~b22 & b23)
            a22 = b22 ^ (~b23 & b24)
            a23 = b23 ^ (~b24 & b20)
            a24 = b24 ^ (~b20 & b21)
            a0 ^= roundConstant(round)
        }
        s[0] = a0; s[1] = a1; s[2] = a2; s[3] = a3; s[4] = a4; s[5] = a5; s[6] = a6; s[7] = a7; s[8] = a8; s[9] = a9; s[10] = a10; s[11] = a11; s[12] = a12; s[13] = a13; s[14] = a14; s[15] = a15; s[16] = a16; s[17] = a17; s[18] = a18; s[19] = a19; s[20] = a20; s[21] = a21; s[22] = a22; s[23] = a23; s[24] = a24
    }

    /// Round constant `i` (a switch-free table read from a stack copy would also do; this keeps it allocation-free).
    @inline(__always) static func roundConstant(_ i: Int) -> UInt64 {
        roundConstants.withUnsafeBufferPointer { $0[i] }
    }
}
