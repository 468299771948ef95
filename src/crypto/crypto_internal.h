/*
 * crypto_internal.h - helpers shared by the modules of src/crypto only.
 *
 * HKDF over a list of input pieces, so that HPKE's labeled constructions
 * (RFC 9180 §4: "HPKE-v1" || suite_id || label || ...) are computed without
 * concatenating secrets into temporary buffers.
 */
#ifndef FCP_CRYPTO_INTERNAL_H
#define FCP_CRYPTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct fcp_crypto_part {
    const void *p;
    size_t      len;
} fcp_crypto_part;

/* PRK = HMAC-SHA256(salt, parts[0] || ... || parts[n-1]); empty salt means
 * 32 zero bytes. */
void fcp_hkdf_sha256_extract_parts(uint8_t prk[32], const uint8_t *salt, size_t salt_len,
                                   const fcp_crypto_part *parts, size_t n);

/* HKDF-Expand with info = parts[0] || ... || parts[n-1].  okm_len <= 8160
 * else FCP_EOUT_OF_RANGE (nothing written). */
int fcp_hkdf_sha256_expand_parts(uint8_t *okm, size_t okm_len, const uint8_t prk[32],
                                 const fcp_crypto_part *parts, size_t n);

#endif
