/*
 * crypto_sodium.c - the libsodium-backed primitives: init, constant-time helpers,
 * Ed25519, X25519, the two ChaCha20-Poly1305 AEADs and SHA-2.
 *
 * Each wrapper adds what libsodium's raw call leaves to the caller: FCP error
 * codes, the all-zero X25519 check with the output wiped, plaintext wiped on a
 * failed decrypt, and length limits checked before any work.  Ed25519
 * verification is libsodium 1.0.18's own strict rule, unchanged (decision
 * D-CRYPTO-1): we pin it with the speccheck cases rather than re-implement it.
 */
#include <string.h>

#include <sodium.h>

#include "fcp/crypto.h"
#include "fcp/error.h"

_Static_assert(FCP_ED25519_PUBLICKEYBYTES == crypto_sign_PUBLICKEYBYTES, "ed25519 pk size");
_Static_assert(FCP_ED25519_SECRETKEYBYTES == crypto_sign_SECRETKEYBYTES, "ed25519 sk size");
_Static_assert(FCP_ED25519_SEEDBYTES == crypto_sign_SEEDBYTES, "ed25519 seed size");
_Static_assert(FCP_ED25519_SIGBYTES == crypto_sign_BYTES, "ed25519 sig size");
_Static_assert(FCP_X25519_BYTES == crypto_scalarmult_BYTES, "x25519 size");
_Static_assert(FCP_X25519_SCALARBYTES == crypto_scalarmult_SCALARBYTES, "x25519 scalar size");
_Static_assert(FCP_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES == crypto_aead_chacha20poly1305_ietf_NPUBBYTES,
               "chacha nonce");
_Static_assert(FCP_AEAD_XCHACHA20POLY1305_NPUBBYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
               "xchacha nonce");
_Static_assert(FCP_AEAD_CHACHA20POLY1305_IETF_ABYTES == crypto_aead_chacha20poly1305_ietf_ABYTES, "tag");

int fcp_crypto_init(void)
{
    /* sodium_init is itself idempotent and guarded by a lock: 0 first time,
     * 1 when already done, -1 on failure. */
    return sodium_init() < 0 ? FCP_ECRYPTO_INIT : 0;
}

int fcp_ct_equal(const void *a, const void *b, size_t n)
{
    if (n == 0)
        return 1;
    return sodium_memcmp(a, b, n) == 0;
}

void fcp_memzero(void *p, size_t n)
{
    if (p != NULL && n != 0)
        sodium_memzero(p, n);
}

int fcp_ct_is_zero(const void *p, size_t n)
{
    if (n == 0)
        return 1;
    return sodium_is_zero((const unsigned char *)p, n);
}

/* ---- Ed25519 ---- */

int fcp_ed25519_keypair_from_seed(uint8_t pk[FCP_ED25519_PUBLICKEYBYTES],
                                  uint8_t sk[FCP_ED25519_SECRETKEYBYTES],
                                  const uint8_t seed[FCP_ED25519_SEEDBYTES])
{
    if (crypto_sign_seed_keypair(pk, sk, seed) != 0) {
        sodium_memzero(pk, FCP_ED25519_PUBLICKEYBYTES);
        sodium_memzero(sk, FCP_ED25519_SECRETKEYBYTES);
        return FCP_EINTERNAL;
    }
    return 0;
}

int fcp_ed25519_keypair(uint8_t pk[FCP_ED25519_PUBLICKEYBYTES], uint8_t sk[FCP_ED25519_SECRETKEYBYTES],
                        const fcp_rng *rng)
{
    uint8_t seed[FCP_ED25519_SEEDBYTES];
    int rc;

    if (fcp_rng_fill(rng, seed, sizeof seed) != 0) {
        rc = FCP_ERNG;
        sodium_memzero(pk, FCP_ED25519_PUBLICKEYBYTES);
        sodium_memzero(sk, FCP_ED25519_SECRETKEYBYTES);
        goto out;
    }
    rc = fcp_ed25519_keypair_from_seed(pk, sk, seed);
out:
    sodium_memzero(seed, sizeof seed);
    return rc;
}

void fcp_ed25519_sk_to_pk(uint8_t pk[FCP_ED25519_PUBLICKEYBYTES], const uint8_t sk[FCP_ED25519_SECRETKEYBYTES])
{
    memcpy(pk, sk + FCP_ED25519_SEEDBYTES, FCP_ED25519_PUBLICKEYBYTES);
}

void fcp_ed25519_sk_to_seed(uint8_t seed[FCP_ED25519_SEEDBYTES], const uint8_t sk[FCP_ED25519_SECRETKEYBYTES])
{
    memcpy(seed, sk, FCP_ED25519_SEEDBYTES);
}

int fcp_ed25519_sign(uint8_t sig[FCP_ED25519_SIGBYTES], const uint8_t *msg, size_t msg_len,
                     const uint8_t sk[FCP_ED25519_SECRETKEYBYTES])
{
    if (crypto_sign_detached(sig, NULL, msg, (unsigned long long)msg_len, sk) != 0) {
        sodium_memzero(sig, FCP_ED25519_SIGBYTES);
        return FCP_EINTERNAL;
    }
    return 0;
}

int fcp_ed25519_verify(const uint8_t sig[FCP_ED25519_SIGBYTES], const uint8_t *msg, size_t msg_len,
                       const uint8_t pk[FCP_ED25519_PUBLICKEYBYTES])
{
    /* spec §3.6 / decision D-CRYPTO-1: libsodium 1.0.18's strict rule. */
    if (crypto_sign_verify_detached(sig, msg, (unsigned long long)msg_len, pk) != 0)
        return FCP_EBAD_SIGNATURE;
    return 0;
}

int fcp_ed25519_verify_buf(const uint8_t *sig, size_t sig_len, const uint8_t *msg, size_t msg_len,
                           const uint8_t pk[FCP_ED25519_PUBLICKEYBYTES])
{
    if (sig == NULL || sig_len != FCP_ED25519_SIGBYTES)
        return FCP_EBAD_SIGNATURE;
    return fcp_ed25519_verify(sig, msg, msg_len, pk);
}

/* ---- X25519 ---- */

int fcp_x25519_base(uint8_t pk[FCP_X25519_BYTES], const uint8_t sk[FCP_X25519_SCALARBYTES])
{
    if (crypto_scalarmult_base(pk, sk) != 0) {
        sodium_memzero(pk, FCP_X25519_BYTES);
        return FCP_EBAD_KEY;
    }
    return 0;
}

int fcp_x25519(uint8_t shared[FCP_X25519_BYTES], const uint8_t sk[FCP_X25519_SCALARBYTES],
               const uint8_t pk[FCP_X25519_BYTES])
{
    /* libsodium returns -1 exactly when the result is all zero (small-order
     * pk); we check again ourselves so the rule does not depend on how
     * libsodium was configured.  RFC 7748 §6.1, RFC 9180 §7.1.4. */
    if (crypto_scalarmult(shared, sk, pk) != 0 || sodium_is_zero(shared, FCP_X25519_BYTES)) {
        sodium_memzero(shared, FCP_X25519_BYTES);
        return FCP_EBAD_KEY;
    }
    return 0;
}

int fcp_x25519_keypair(uint8_t pk[FCP_X25519_BYTES], uint8_t sk[FCP_X25519_SCALARBYTES], const fcp_rng *rng)
{
    if (fcp_rng_fill(rng, sk, FCP_X25519_SCALARBYTES) != 0) {
        sodium_memzero(sk, FCP_X25519_SCALARBYTES);
        sodium_memzero(pk, FCP_X25519_BYTES);
        return FCP_ERNG;
    }
    if (fcp_x25519_base(pk, sk) != 0) {
        sodium_memzero(sk, FCP_X25519_SCALARBYTES);
        return FCP_EBAD_KEY;
    }
    return 0;
}

/* ---- AEADs ---- */

int fcp_aead_chacha20poly1305_ietf_encrypt(uint8_t *c, size_t *c_len, const uint8_t *m, size_t m_len,
                                           const uint8_t *ad, size_t ad_len,
                                           const uint8_t npub[FCP_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES],
                                           const uint8_t key[FCP_AEAD_CHACHA20POLY1305_IETF_KEYBYTES])
{
    if ((uint64_t)m_len > FCP_AEAD_MESSAGEBYTES_MAX)
        return FCP_ETOO_LARGE;
    crypto_aead_chacha20poly1305_ietf_encrypt(c, NULL, m, (unsigned long long)m_len, ad,
                                              (unsigned long long)ad_len, NULL, npub, key);
    if (c_len != NULL)
        *c_len = m_len + FCP_AEAD_CHACHA20POLY1305_IETF_ABYTES;
    return 0;
}

int fcp_aead_chacha20poly1305_ietf_decrypt(uint8_t *m, size_t *m_len, const uint8_t *c, size_t c_len,
                                           const uint8_t *ad, size_t ad_len,
                                           const uint8_t npub[FCP_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES],
                                           const uint8_t key[FCP_AEAD_CHACHA20POLY1305_IETF_KEYBYTES])
{
    if (m_len != NULL)
        *m_len = 0;
    if (c_len < FCP_AEAD_CHACHA20POLY1305_IETF_ABYTES)
        return FCP_EDECRYPT;
    size_t n = c_len - FCP_AEAD_CHACHA20POLY1305_IETF_ABYTES;
    if (fcp_aead_chacha20poly1305_ietf_decrypt_detached(m, c, n, c + n, ad, ad_len, npub, key) != 0)
        return FCP_EDECRYPT;
    if (m_len != NULL)
        *m_len = n;
    return 0;
}

int fcp_aead_chacha20poly1305_ietf_encrypt_detached(
    uint8_t *c, uint8_t tag[FCP_AEAD_CHACHA20POLY1305_IETF_ABYTES], const uint8_t *m, size_t m_len,
    const uint8_t *ad, size_t ad_len, const uint8_t npub[FCP_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES],
    const uint8_t key[FCP_AEAD_CHACHA20POLY1305_IETF_KEYBYTES])
{
    if ((uint64_t)m_len > FCP_AEAD_MESSAGEBYTES_MAX)
        return FCP_ETOO_LARGE;
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, tag, NULL, m, (unsigned long long)m_len, ad,
                                                       (unsigned long long)ad_len, NULL, npub, key);
    return 0;
}

int fcp_aead_chacha20poly1305_ietf_decrypt_detached(
    uint8_t *m, const uint8_t *c, size_t c_len, const uint8_t tag[FCP_AEAD_CHACHA20POLY1305_IETF_ABYTES],
    const uint8_t *ad, size_t ad_len, const uint8_t npub[FCP_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES],
    const uint8_t key[FCP_AEAD_CHACHA20POLY1305_IETF_KEYBYTES])
{
    /* libsodium checks the tag (constant time) before decrypting anything. */
    if ((uint64_t)c_len > FCP_AEAD_MESSAGEBYTES_MAX ||
        crypto_aead_chacha20poly1305_ietf_decrypt_detached(m, NULL, c, (unsigned long long)c_len, tag, ad,
                                                           (unsigned long long)ad_len, npub, key) != 0) {
        fcp_memzero(m, c_len);
        return FCP_EDECRYPT;
    }
    return 0;
}

int fcp_aead_xchacha20poly1305_encrypt(uint8_t *c, size_t *c_len, const uint8_t *m, size_t m_len,
                                       const uint8_t *ad, size_t ad_len,
                                       const uint8_t npub[FCP_AEAD_XCHACHA20POLY1305_NPUBBYTES],
                                       const uint8_t key[FCP_AEAD_XCHACHA20POLY1305_KEYBYTES])
{
    if ((uint64_t)m_len > FCP_AEAD_MESSAGEBYTES_MAX)
        return FCP_ETOO_LARGE;
    crypto_aead_xchacha20poly1305_ietf_encrypt(c, NULL, m, (unsigned long long)m_len, ad,
                                               (unsigned long long)ad_len, NULL, npub, key);
    if (c_len != NULL)
        *c_len = m_len + FCP_AEAD_XCHACHA20POLY1305_ABYTES;
    return 0;
}

int fcp_aead_xchacha20poly1305_decrypt(uint8_t *m, size_t *m_len, const uint8_t *c, size_t c_len,
                                       const uint8_t *ad, size_t ad_len,
                                       const uint8_t npub[FCP_AEAD_XCHACHA20POLY1305_NPUBBYTES],
                                       const uint8_t key[FCP_AEAD_XCHACHA20POLY1305_KEYBYTES])
{
    if (m_len != NULL)
        *m_len = 0;
    if (c_len < FCP_AEAD_XCHACHA20POLY1305_ABYTES)
        return FCP_EDECRYPT;
    size_t n = c_len - FCP_AEAD_XCHACHA20POLY1305_ABYTES;
    if (fcp_aead_xchacha20poly1305_decrypt_detached(m, c, n, c + n, ad, ad_len, npub, key) != 0)
        return FCP_EDECRYPT;
    if (m_len != NULL)
        *m_len = n;
    return 0;
}

int fcp_aead_xchacha20poly1305_encrypt_detached(
    uint8_t *c, uint8_t tag[FCP_AEAD_XCHACHA20POLY1305_ABYTES], const uint8_t *m, size_t m_len,
    const uint8_t *ad, size_t ad_len, const uint8_t npub[FCP_AEAD_XCHACHA20POLY1305_NPUBBYTES],
    const uint8_t key[FCP_AEAD_XCHACHA20POLY1305_KEYBYTES])
{
    if ((uint64_t)m_len > FCP_AEAD_MESSAGEBYTES_MAX)
        return FCP_ETOO_LARGE;
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(c, tag, NULL, m, (unsigned long long)m_len, ad,
                                                        (unsigned long long)ad_len, NULL, npub, key);
    return 0;
}

int fcp_aead_xchacha20poly1305_decrypt_detached(
    uint8_t *m, const uint8_t *c, size_t c_len, const uint8_t tag[FCP_AEAD_XCHACHA20POLY1305_ABYTES],
    const uint8_t *ad, size_t ad_len, const uint8_t npub[FCP_AEAD_XCHACHA20POLY1305_NPUBBYTES],
    const uint8_t key[FCP_AEAD_XCHACHA20POLY1305_KEYBYTES])
{
    if ((uint64_t)c_len > FCP_AEAD_MESSAGEBYTES_MAX ||
        crypto_aead_xchacha20poly1305_ietf_decrypt_detached(m, NULL, c, (unsigned long long)c_len, tag, ad,
                                                            (unsigned long long)ad_len, npub, key) != 0) {
        fcp_memzero(m, c_len);
        return FCP_EDECRYPT;
    }
    return 0;
}

/* ---- SHA-2 ---- */

void fcp_sha256(uint8_t out[FCP_SHA256_BYTES], const void *in, size_t len)
{
    crypto_hash_sha256(out, (const unsigned char *)in, (unsigned long long)len);
}

void fcp_sha512(uint8_t out[FCP_SHA512_BYTES], const void *in, size_t len)
{
    crypto_hash_sha512(out, (const unsigned char *)in, (unsigned long long)len);
}
