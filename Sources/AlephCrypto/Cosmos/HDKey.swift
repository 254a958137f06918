import CSecp256k1
import Crypto

/// Keys from a BIP-39 mnemonic along a BIP-32 path (secp256k1): the seed is PBKDF2-HMAC-SHA512
/// over the normalised words (2048 rounds, salt `"mnemonic" + passphrase`), the master key
/// HMAC-SHA512 keyed `"Bitcoin seed"`, each child `k + IL mod n`. Pure. The words' checksum is not
/// checked (that needs the BIP-39 word list): a wrong word gives a valid but different key, so
/// callers show the derived address before trading.
public enum HDKey {
    /// Cosmos' account path (coin type 118), as dYdX uses.
    public static let cosmosPath: [UInt32] = [44 | hardened, 118 | hardened, 0 | hardened, 0, 0]
    /// The hardened-index bit.
    public static let hardened: UInt32 = 0x8000_0000

    /// The BIP-39 seed of a mnemonic (words separated by any whitespace; lower-case a–z only).
    public static func seed(mnemonic: String, passphrase: String = "") throws(CryptoError) -> [UInt8] {
        let words = mnemonic.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        guard [12, 15, 18, 21, 24].contains(words.count) else {
            throw .invalidField(field: "mnemonic", reason: "a BIP-39 mnemonic has 12, 15, 18, 21 or 24 words, got \(words.count)")
        }
        guard words.allSatisfy({ w in w.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A } }) else {
            throw .invalidField(field: "mnemonic", reason: "only lower-case English words (a-z) are supported")
        }
        let password = Array(words.joined(separator: " ").utf8)
        return pbkdf2SHA512(password: password, salt: Array(("mnemonic" + passphrase).utf8), rounds: 2048)
    }

    /// PBKDF2-HMAC-SHA512 with one 64-byte output block.
    static func pbkdf2SHA512(password: [UInt8], salt: [UInt8], rounds: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var u = Array(HMAC<SHA512>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var out = u
        for _ in 1..<rounds {
            u = Array(HMAC<SHA512>.authenticationCode(for: u, using: key))
            for i in 0..<64 { out[i] ^= u[i] }
        }
        return out
    }

    /// The private key at `path` below the master key of `seed`.
    public static func derive(seed: [UInt8], path: [UInt32]) throws(CryptoError) -> [UInt8] {
        let master = Array(HMAC<SHA512>.authenticationCode(for: seed, using: SymmetricKey(data: Array("Bitcoin seed".utf8))))
        var key = Array(master[0..<32]), chain = Array(master[32..<64])
        guard Secp256k1.isValidPrivateKey(key) else { throw .invalidPrivateKey }
        for index in path {
            var data: [UInt8]
            if index & hardened != 0 {
                data = [0] + key
            } else {
                data = CosmosTx.compressed(try Secp256k1.publicKey(of: key))
            }
            data += [UInt8(index >> 24), UInt8((index >> 16) & 0xFF), UInt8((index >> 8) & 0xFF), UInt8(index & 0xFF)]
            let i = Array(HMAC<SHA512>.authenticationCode(for: data, using: SymmetricKey(data: chain)))
            var child = key
            let tweak = Array(i[0..<32])
            guard secp256k1_ec_seckey_tweak_add(Secp256k1.context, &child, tweak) == 1 else {
                throw .invalidField(field: "mnemonic", reason: "derivation hit an invalid child key (probability 2^-127); use another account index")
            }
            key = child
            chain = Array(i[32..<64])
        }
        return key
    }

    /// The key of a mnemonic at Cosmos' path `m/44'/118'/0'/0/0`.
    public static func cosmosKey(mnemonic: String, passphrase: String = "") throws(CryptoError) -> PrivateKey {
        try PrivateKey(bytes: try derive(seed: try seed(mnemonic: mnemonic, passphrase: passphrase), path: cosmosPath))
    }
}
