/*
 * crypto_kdf.c - HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869).
 *
 * HMAC is libsodium's crypto_auth_hmacsha256 (which takes keys of any
 * length); the public state is opaque storage sized and aligned for it.
 * HKDF is written here (libsodium 1.0.18 has none): Extract is one HMAC,
 * Expand keeps the HMAC state keyed with PRK and copies it for every block
 * T(i) = HMAC(PRK, T(i-1) || info || i), so PRK is absorbed once.
 * Every intermediate (T blocks, keyed states, PRK) is wiped before return.
 */
#include <stdalign.h>
#include <string.h>

#include <sodium.h>

#include "crypto_internal.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

_Static_assert(sizeof(crypto_auth_hmacsha256_state) <= sizeof(((fcp_hmac_sha256_state *)0)->opaque_),
               "fcp_hmac_sha256_state too small for libsodium's state");
_Static_assert(alignof(crypto_auth_hmacsha256_state) <= alignof(fcp_hmac_sha256_state),
               "fcp_hmac_sha256_state under-aligned");
_Static_assert(FCP_HMAC_SHA256_BYTES == crypto_auth_hmacsha256_BYTES, "hmac size");

static crypto_auth_hmacsha256_state *raw(fcp_hmac_sha256_state *st)
{
    return (crypto_auth_hmacsha256_state *)(void *)st->opaque_.bytes;
}

void fcp_hmac_sha256_init(fcp_hmac_sha256_state *st, const uint8_t *key, size_t key_len)
{
    static const uint8_t empty[1] = { 0 };
    crypto_auth_hmacsha256_init(raw(st), key_len ? key : empty, key_len);
}

void fcp_hmac_sha256_update(fcp_hmac_sha256_state *st, const void *in, size_t len)
{
    if (len != 0)
        crypto_auth_hmacsha256_update(raw(st), (const unsigned char *)in, (unsigned long long)len);
}

void fcp_hmac_sha256_final(fcp_hmac_sha256_state *st, uint8_t out[FCP_HMAC_SHA256_BYTES])
{
    crypto_auth_hmacsha256_final(raw(st), out);
    sodium_memzero(st, sizeof *st);
}

void fcp_hmac_sha256_wipe(fcp_hmac_sha256_state *st)
{
    sodium_memzero(st, sizeof *st);
}

void fcp_hmac_sha256(uint8_t out[FCP_HMAC_SHA256_BYTES], const uint8_t *key, size_t key_len, const void *in,
                     size_t len)
{
    fcp_hmac_sha256_state st;
    fcp_hmac_sha256_init(&st, key, key_len);
    fcp_hmac_sha256_update(&st, in, len);
    fcp_hmac_sha256_final(&st, out);
}

int fcp_hmac_sha256_verify(const uint8_t *tag, size_t tag_len, const uint8_t *key, size_t key_len,
                           const void *in, size_t len)
{
    uint8_t mac[FCP_HMAC_SHA256_BYTES];
    int rc;

    if (tag == NULL || tag_len < FCP_HMAC_SHA256_MINTAGBYTES || tag_len > FCP_HMAC_SHA256_BYTES)
        return FCP_EINVAL;
    fcp_hmac_sha256(mac, key, key_len, in, len);
    rc = sodium_memcmp(mac, tag, tag_len) == 0 ? 0 : FCP_EBAD_MAC;
    sodium_memzero(mac, sizeof mac);
    return rc;
}

/* ---- HKDF ---- */

void fcp_hkdf_sha256_extract_parts(uint8_t prk[32], const uint8_t *salt, size_t salt_len,
                                   const fcp_crypto_part *parts, size_t n)
{
    static const uint8_t zero_salt[FCP_HKDF_SHA256_PRKBYTES] = { 0 };
    fcp_hmac_sha256_state st;

    /* RFC 5869 §2.2: salt not provided = HashLen zeros.  HMAC pads a short
     * key with zeros anyway, so both spellings give the same PRK. */
    if (salt == NULL || salt_len == 0) {
        salt = zero_salt;
        salt_len = sizeof zero_salt;
    }
    fcp_hmac_sha256_init(&st, salt, salt_len);
    for (size_t i = 0; i < n; i++)
        fcp_hmac_sha256_update(&st, parts[i].p, parts[i].len);
    fcp_hmac_sha256_final(&st, prk);
}

int fcp_hkdf_sha256_expand_parts(uint8_t *okm, size_t okm_len, const uint8_t prk[32],
                                 const fcp_crypto_part *parts, size_t n)
{
    fcp_hmac_sha256_state keyed, st;
    uint8_t t[FCP_HMAC_SHA256_BYTES];
    size_t done = 0;

    /* RFC 5869 §2.3: L <= 255*HashLen. */
    if (okm_len > FCP_HKDF_SHA256_MAXBYTES)
        return FCP_EOUT_OF_RANGE;
    if (okm_len == 0)
        return 0;
    fcp_hmac_sha256_init(&keyed, prk, FCP_HKDF_SHA256_PRKBYTES);
    for (uint8_t ctr = 1; done < okm_len; ctr++) {
        size_t take = okm_len - done < sizeof t ? okm_len - done : sizeof t;
        memcpy(&st, &keyed, sizeof st);
        if (ctr > 1)
            fcp_hmac_sha256_update(&st, t, sizeof t);
        for (size_t i = 0; i < n; i++)
            fcp_hmac_sha256_update(&st, parts[i].p, parts[i].len);
        fcp_hmac_sha256_update(&st, &ctr, 1);
        fcp_hmac_sha256_final(&st, t);
        memcpy(okm + done, t, take);
        done += take;
    }
    sodium_memzero(t, sizeof t);
    fcp_hmac_sha256_wipe(&keyed);
    return 0;
}

int fcp_hkdf_sha256_extract(uint8_t prk[FCP_HKDF_SHA256_PRKBYTES], const uint8_t *salt, size_t salt_len,
                            const uint8_t *ikm, size_t ikm_len)
{
    fcp_crypto_part part = { ikm, ikm_len };
    fcp_hkdf_sha256_extract_parts(prk, salt, salt_len, &part, 1);
    return 0;
}

int fcp_hkdf_sha256_expand(uint8_t *okm, size_t okm_len, const uint8_t prk[FCP_HKDF_SHA256_PRKBYTES],
                           const uint8_t *info, size_t info_len)
{
    fcp_crypto_part part = { info, info_len };
    return fcp_hkdf_sha256_expand_parts(okm, okm_len, prk, &part, 1);
}

int fcp_hkdf_sha256(uint8_t *okm, size_t okm_len, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                    size_t ikm_len, const uint8_t *info, size_t info_len)
{
    uint8_t prk[FCP_HKDF_SHA256_PRKBYTES];
    int rc;

    /* Refuse before doing any work, so an oversize request costs nothing. */
    if (okm_len > FCP_HKDF_SHA256_MAXBYTES)
        return FCP_EOUT_OF_RANGE;
    fcp_hkdf_sha256_extract(prk, salt, salt_len, ikm, ikm_len);
    rc = fcp_hkdf_sha256_expand(okm, okm_len, prk, info, info_len);
    sodium_memzero(prk, sizeof prk);
    return rc;
}
