#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <string.h>
#include "chmac.h"

_Static_assert(sizeof(SHA256_CTX) <= 112, "SHA256_CTX larger than the reserved state");

void chmac_init(chmac_key *key, const uint8_t *secret, size_t length) {
    unsigned char block[64];
    unsigned char digest[32];
    memset(block, 0, sizeof block);
    if (length > 64) {
        SHA256(secret, length, digest);
        memcpy(block, digest, 32);
    } else {
        memcpy(block, secret, length);
    }
    unsigned char ipad[64], opad[64];
    for (int i = 0; i < 64; i++) {
        ipad[i] = block[i] ^ 0x36;
        opad[i] = block[i] ^ 0x5c;
    }
    SHA256_CTX inner, outer;
    SHA256_Init(&inner);
    SHA256_Update(&inner, ipad, 64);
    SHA256_Init(&outer);
    SHA256_Update(&outer, opad, 64);
    memcpy(key->inner, &inner, sizeof inner);
    memcpy(key->outer, &outer, sizeof outer);
}

void chmac_sign(const chmac_key *key, const uint8_t *message, size_t length, uint8_t out[32]) {
    SHA256_CTX ctx;
    unsigned char inner_digest[32];
    memcpy(&ctx, key->inner, sizeof ctx);
    SHA256_Update(&ctx, message, length);
    SHA256_Final(inner_digest, &ctx);
    memcpy(&ctx, key->outer, sizeof ctx);
    SHA256_Update(&ctx, inner_digest, 32);
    SHA256_Final(out, &ctx);
}
