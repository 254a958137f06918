#ifndef ALEPHTX_CHMAC_H
#define ALEPHTX_CHMAC_H
#include <stddef.h>
#include <stdint.h>

/// HMAC-SHA256 over the system OpenSSL's SHA-256 with the key's inner and outer states computed
/// once (the same precomputation HMACKey does over swift-crypto): measured by `bench order-path`.
typedef struct {
    unsigned char inner[112];
    unsigned char outer[112];
} chmac_key;

/// Precomputes the keyed states.
void chmac_init(chmac_key *key, const uint8_t *secret, size_t length);

/// The 32-byte MAC of `message`.
void chmac_sign(const chmac_key *key, const uint8_t *message, size_t length, uint8_t out[32]);

#endif
