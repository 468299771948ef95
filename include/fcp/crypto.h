/*
 * crypto.h - the primitive crypto suite of libfcp (spec §3.6).
 *
 * Thin, libsodium-shaped wrappers: Ed25519 (strict verification), X25519
 * (all-zero output refused), ChaCha20-Poly1305 (IETF) and XChaCha20-Poly1305,
 * SHA-256/512, HMAC-SHA256, HKDF-SHA256 (RFC 5869), BLAKE3 (hash, keyed,
 * derive_key, XOF), constant-time compare, wiping, and a seeded ChaCha20 RNG
 * for reproducing other implementations' deterministic vectors.
 *
 * Conventions (as libsodium): fixed-size inputs and outputs are caller
 * buffers of the FCP_*BYTES sizes below; nothing here allocates; functions
 * return 0 or a negative FCP_E* code (include/fcp/error.h).  On any failure
 * no output is released: decrypt/expand/derive outputs are zeroed.  Every
 * secret intermediate is wiped before return.  All tag and MAC comparisons
 * are constant-time.  Output buffers may alias inputs only where a contract
 * says so.
 *
 * Call fcp_crypto_init() once before anything else (idempotent, thread-safe).
 *
 * What is libsodium and what is written here: see docs/crypto.md.
 */
#ifndef FCP_CRYPTO_H
#define FCP_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/rng.h"

/* ---- sizes ---------------------------------------------------------- */

#define FCP_ED25519_PUBLICKEYBYTES 32u
#define FCP_ED25519_SECRETKEYBYTES 64u /* seed || public key (libsodium layout) */
#define FCP_ED25519_SEEDBYTES      32u
#define FCP_ED25519_SIGBYTES       64u

#define FCP_X25519_BYTES           32u /* public key and shared secret */
#define FCP_X25519_SCALARBYTES     32u /* secret key */

#define FCP_AEAD_CHACHA20POLY1305_IETF_KEYBYTES  32u
#define FCP_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES 12u
#define FCP_AEAD_CHACHA20POLY1305_IETF_ABYTES    16u
#define FCP_AEAD_XCHACHA20POLY1305_KEYBYTES      32u
#define FCP_AEAD_XCHACHA20POLY1305_NPUBBYTES     24u
#define FCP_AEAD_XCHACHA20POLY1305_ABYTES        16u
/* Largest plaintext the AEAD wrappers accept (ChaCha20 block counter limit,
 * RFC 8439 §2.8: 2^32-1 blocks less one for the Poly1305 key). */
#define FCP_AEAD_MESSAGEBYTES_MAX ((uint64_t)64 * ((1ull << 32) - 2))

#define FCP_SHA256_BYTES           32u
#define FCP_SHA512_BYTES           64u
#define FCP_HMAC_SHA256_BYTES      32u
#define FCP_HMAC_SHA256_MINTAGBYTES 16u /* shortest truncated tag verify accepts */
#define FCP_HKDF_SHA256_PRKBYTES   32u
#define FCP_HKDF_SHA256_MAXBYTES   (255u * 32u) /* RFC 5869 §2.3: L <= 255*HashLen */

#define FCP_BLAKE3_BYTES           32u /* default output length */
#define FCP_BLAKE3_KEYBYTES        32u

/* ---- library ---------------------------------------------------------- */

/* Initialise libsodium (CPU feature detection, its RNG).  Idempotent and safe
 * to call from several threads (libsodium serialises its own init).
 * Returns 0 or FCP_ECRYPTO_INIT. */
int fcp_crypto_init(void);

/* Constant-time equality of a[0..n) and b[0..n): 1 if equal, 0 if not.
 * Running time depends only on n. */
int fcp_ct_equal(const void *a, const void *b, size_t n);

/* Overwrite p[0..n) with zeros in a way the compiler cannot elide. p may be
 * NULL when n == 0. */
void fcp_memzero(void *p, size_t n);

/* Constant-time test that p[0..n) is all zero: 1 if so, else 0. */
int fcp_ct_is_zero(const void *p, size_t n);

/* ---- Ed25519 (RFC 8032) ---------------------------------------------------- */

/* Derive a key pair from a 32-byte seed (RFC 8032 §5.1.5).  sk receives
 * seed || pk (64 bytes).  Returns 0 or FCP_EINTERNAL. */
int fcp_ed25519_keypair_from_seed(uint8_t pk[FCP_ED25519_PUBLICKEYBYTES],
                                  uint8_t sk[FCP_ED25519_SECRETKEYBYTES],
                                  const uint8_t seed[FCP_ED25519_SEEDBYTES]);

/* Fresh key pair from rng (32 seed bytes).  Returns 0, FCP_ERNG or
 * FCP_EINTERNAL; on failure pk and sk are zeroed. */
int fcp_ed25519_keypair(uint8_t pk[FCP_ED25519_PUBLICKEYBYTES],
                        uint8_t sk[FCP_ED25519_SECRETKEYBYTES], const fcp_rng *rng);

/* Copy out the public key (bytes 32..63) and the seed (bytes 0..31) held
 * inside a 64-byte secret key.  Never fail. */
void fcp_ed25519_sk_to_pk(uint8_t pk[FCP_ED25519_PUBLICKEYBYTES],
                          const uint8_t sk[FCP_ED25519_SECRETKEYBYTES]);
void fcp_ed25519_sk_to_seed(uint8_t seed[FCP_ED25519_SEEDBYTES],
                            const uint8_t sk[FCP_ED25519_SECRETKEYBYTES]);

/* Deterministic detached signature of msg[0..msg_len) (pure Ed25519, no
 * context, no prehash).  Returns 0 or FCP_EINTERNAL (sig zeroed). */
int fcp_ed25519_sign(uint8_t sig[FCP_ED25519_SIGBYTES], const uint8_t *msg, size_t msg_len,
                     const uint8_t sk[FCP_ED25519_SECRETKEYBYTES]);

/* Strict verification (decision D-CRYPTO-1, docs/crypto.md): exactly the
 * rules of libsodium 1.0.18 crypto_sign_verify_detached - S must be < L,
 * A and R must not be small-order, A must be canonical, and the cofactorless
 * equation is used.  Of the 12 ed25519-speccheck cases only case 3 (mixed-order
 * A, canonical everything) is accepted.
 * Returns 0 if valid, else FCP_EBAD_SIGNATURE. */
int fcp_ed25519_verify(const uint8_t sig[FCP_ED25519_SIGBYTES], const uint8_t *msg, size_t msg_len,
                       const uint8_t pk[FCP_ED25519_PUBLICKEYBYTES]);

/* As fcp_ed25519_verify for a signature of any length read off the wire:
 * sig_len != 64 is FCP_EBAD_SIGNATURE. */
int fcp_ed25519_verify_buf(const uint8_t *sig, size_t sig_len, const uint8_t *msg, size_t msg_len,
                           const uint8_t pk[FCP_ED25519_PUBLICKEYBYTES]);

/* ---- X25519 (RFC 7748) ----------------------------------------------------- */

/* pk = X25519(sk, 9).  Returns 0 or FCP_EBAD_KEY (only if the result is all
 * zero, which a clamped scalar cannot produce). */
int fcp_x25519_base(uint8_t pk[FCP_X25519_BYTES], const uint8_t sk[FCP_X25519_SCALARBYTES]);

/* shared = X25519(sk, pk).  Any 32-byte pk is accepted as a u-coordinate
 * (bit 255 masked, u >= p reduced, twist points allowed), but an all-zero
 * result (pk of small order) is refused with FCP_EBAD_KEY and shared zeroed
 * (RFC 7748 §6.1, RFC 9180 §7.1.4).  shared may alias neither input. */
int fcp_x25519(uint8_t shared[FCP_X25519_BYTES], const uint8_t sk[FCP_X25519_SCALARBYTES],
               const uint8_t pk[FCP_X25519_BYTES]);

/* Fresh X25519 key pair from rng.  0, FCP_ERNG (pk, sk zeroed). */
int fcp_x25519_keypair(uint8_t pk[FCP_X25519_BYTES], uint8_t sk[FCP_X25519_SCALARBYTES],
                       const fcp_rng *rng);

/* ---- AEAD: ChaCha20-Poly1305 IETF (RFC 8439) and XChaCha20-Poly1305 ------------- */
/*
 * Combined form: c receives ciphertext || 16-byte tag, so c needs m_len + 16
 * bytes and *c_len (if c_len != NULL) is set to m_len + 16.  Decrypt takes
 * c[0..c_len) with the tag at the end and writes c_len - 16 bytes to m.
 * Detached form: the tag is a separate 16-byte buffer.  c == m (in place) is
 * allowed; other overlaps are not.  ad may be NULL when ad_len == 0.
 * Encrypt returns 0 or FCP_ETOO_LARGE (m_len > FCP_AEAD_MESSAGEBYTES_MAX).
 * Decrypt returns 0 or FCP_EDECRYPT (bad tag, or c_len < 16); on failure the
 * whole plaintext buffer is zeroed and *m_len is set to 0.
 */
int fcp_aead_chacha20poly1305_ietf_encrypt(uint8_t *c, size_t *c_len, const uint8_t *m, size_t m_len,
                                           const uint8_t *ad, size_t ad_len,
                                           const uint8_t npub[FCP_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES],
                                           const uint8_t key[FCP_AEAD_CHACHA20POLY1305_IETF_KEYBYTES]);
int fcp_aead_chacha20poly1305_ietf_decrypt(uint8_t *m, size_t *m_len, const uint8_t *c, size_t c_len,
                                           const uint8_t *ad, size_t ad_len,
                                           const uint8_t npub[FCP_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES],
                                           const uint8_t key[FCP_AEAD_CHACHA20POLY1305_IETF_KEYBYTES]);
int fcp_aead_chacha20poly1305_ietf_encrypt_detached(
    uint8_t *c, uint8_t tag[FCP_AEAD_CHACHA20POLY1305_IETF_ABYTES], const uint8_t *m, size_t m_len,
    const uint8_t *ad, size_t ad_len, const uint8_t npub[FCP_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES],
    const uint8_t key[FCP_AEAD_CHACHA20POLY1305_IETF_KEYBYTES]);
int fcp_aead_chacha20poly1305_ietf_decrypt_detached(
    uint8_t *m, const uint8_t *c, size_t c_len, const uint8_t tag[FCP_AEAD_CHACHA20POLY1305_IETF_ABYTES],
    const uint8_t *ad, size_t ad_len, const uint8_t npub[FCP_AEAD_CHACHA20POLY1305_IETF_NPUBBYTES],
    const uint8_t key[FCP_AEAD_CHACHA20POLY1305_IETF_KEYBYTES]);

int fcp_aead_xchacha20poly1305_encrypt(uint8_t *c, size_t *c_len, const uint8_t *m, size_t m_len,
                                       const uint8_t *ad, size_t ad_len,
                                       const uint8_t npub[FCP_AEAD_XCHACHA20POLY1305_NPUBBYTES],
                                       const uint8_t key[FCP_AEAD_XCHACHA20POLY1305_KEYBYTES]);
int fcp_aead_xchacha20poly1305_decrypt(uint8_t *m, size_t *m_len, const uint8_t *c, size_t c_len,
                                       const uint8_t *ad, size_t ad_len,
                                       const uint8_t npub[FCP_AEAD_XCHACHA20POLY1305_NPUBBYTES],
                                       const uint8_t key[FCP_AEAD_XCHACHA20POLY1305_KEYBYTES]);
int fcp_aead_xchacha20poly1305_encrypt_detached(
    uint8_t *c, uint8_t tag[FCP_AEAD_XCHACHA20POLY1305_ABYTES], const uint8_t *m, size_t m_len,
    const uint8_t *ad, size_t ad_len, const uint8_t npub[FCP_AEAD_XCHACHA20POLY1305_NPUBBYTES],
    const uint8_t key[FCP_AEAD_XCHACHA20POLY1305_KEYBYTES]);
int fcp_aead_xchacha20poly1305_decrypt_detached(
    uint8_t *m, const uint8_t *c, size_t c_len, const uint8_t tag[FCP_AEAD_XCHACHA20POLY1305_ABYTES],
    const uint8_t *ad, size_t ad_len, const uint8_t npub[FCP_AEAD_XCHACHA20POLY1305_NPUBBYTES],
    const uint8_t key[FCP_AEAD_XCHACHA20POLY1305_KEYBYTES]);

/* ---- SHA-2 ------------------------------------------------------------------ */

/* One-shot digests.  in may be NULL when len == 0. */
void fcp_sha256(uint8_t out[FCP_SHA256_BYTES], const void *in, size_t len);
void fcp_sha512(uint8_t out[FCP_SHA512_BYTES], const void *in, size_t len);

/* ---- HMAC-SHA256 (RFC 2104) ------------------------------------------------- */

/* Incremental state; opaque storage for libsodium's state (checked at build
 * time).  Wiped by final; call fcp_hmac_sha256_wipe if abandoned. */
typedef struct fcp_hmac_sha256_state {
    union {
        uint64_t      align_;
        unsigned char bytes[256];
    } opaque_;
} fcp_hmac_sha256_state;

/* Start a MAC with a key of any length (keys over 64 bytes are hashed first,
 * RFC 2104 §2).  key may be NULL when key_len == 0. */
void fcp_hmac_sha256_init(fcp_hmac_sha256_state *st, const uint8_t *key, size_t key_len);
/* Absorb in[0..len) (in may be NULL when len == 0). */
void fcp_hmac_sha256_update(fcp_hmac_sha256_state *st, const void *in, size_t len);
/* Write the 32-byte tag and wipe the state. */
void fcp_hmac_sha256_final(fcp_hmac_sha256_state *st, uint8_t out[FCP_HMAC_SHA256_BYTES]);
/* Wipe an abandoned state (final already does this). */
void fcp_hmac_sha256_wipe(fcp_hmac_sha256_state *st);

/* One-shot HMAC-SHA256(key, in). */
void fcp_hmac_sha256(uint8_t out[FCP_HMAC_SHA256_BYTES], const uint8_t *key, size_t key_len,
                     const void *in, size_t len);

/* Verify tag[0..tag_len) against the first tag_len bytes of
 * HMAC-SHA256(key, in), in constant time.  tag_len must be in
 * [FCP_HMAC_SHA256_MINTAGBYTES, 32] (truncation per RFC 2104 §5), else
 * FCP_EINVAL.  Returns 0 or FCP_EBAD_MAC. */
int fcp_hmac_sha256_verify(const uint8_t *tag, size_t tag_len, const uint8_t *key, size_t key_len,
                           const void *in, size_t len);

/* ---- HKDF-SHA256 (RFC 5869) ------------------------------------------------- */

/* PRK = HMAC-SHA256(salt, ikm); an empty/NULL salt means 32 zero bytes
 * (RFC 5869 §2.2).  Returns 0. */
int fcp_hkdf_sha256_extract(uint8_t prk[FCP_HKDF_SHA256_PRKBYTES], const uint8_t *salt, size_t salt_len,
                            const uint8_t *ikm, size_t ikm_len);

/* OKM = first okm_len bytes of T(1) || T(2) || ... (RFC 5869 §2.3).
 * okm_len must be <= FCP_HKDF_SHA256_MAXBYTES (8160), else FCP_EOUT_OF_RANGE
 * and nothing is written.  okm may alias neither prk nor info. */
int fcp_hkdf_sha256_expand(uint8_t *okm, size_t okm_len, const uint8_t prk[FCP_HKDF_SHA256_PRKBYTES],
                           const uint8_t *info, size_t info_len);

/* Extract then expand.  Same limits and errors as the two steps; the PRK is
 * wiped. */
int fcp_hkdf_sha256(uint8_t *okm, size_t okm_len, const uint8_t *salt, size_t salt_len,
                    const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len);

/* ---- BLAKE3 ----------------------------------------------------------------- */

/* One-shot 32-byte BLAKE3 hash of in[0..len). */
void fcp_blake3(uint8_t out[FCP_BLAKE3_BYTES], const void *in, size_t len);
/* One-shot extended output: out_len bytes of the BLAKE3 XOF. */
void fcp_blake3_xof(uint8_t *out, size_t out_len, const void *in, size_t len);
/* Keyed hash (BLAKE3 keyed_hash mode), 32 bytes.  Used for ObjectId (spec §3.3). */
void fcp_blake3_keyed(uint8_t out[FCP_BLAKE3_BYTES], const uint8_t key[FCP_BLAKE3_KEYBYTES],
                      const void *in, size_t len);
/* derive_key mode: out_len bytes of key material for the NUL-terminated,
 * hardcoded, globally unique context string and key material ikm. */
void fcp_blake3_derive_key(uint8_t *out, size_t out_len, const char *context, const void *ikm,
                           size_t ikm_len);

/* Incremental hasher: opaque storage for the official blake3_hasher (size
 * checked at build time), so this header does not need blake3.h.  A hasher
 * may be copied by value to fork a computation.  Holds key material in keyed
 * and derive_key modes: call fcp_blake3_hasher_wipe when done. */
typedef struct fcp_blake3_hasher {
    union {
        uint64_t      align_;
        unsigned char bytes[2048];
    } opaque_;
} fcp_blake3_hasher;

/* Start a hash in plain, keyed_hash or derive_key mode (context: the
 * NUL-terminated context string).  Never fail. */
void fcp_blake3_hasher_init(fcp_blake3_hasher *h);
void fcp_blake3_hasher_init_keyed(fcp_blake3_hasher *h, const uint8_t key[FCP_BLAKE3_KEYBYTES]);
void fcp_blake3_hasher_init_derive_key(fcp_blake3_hasher *h, const char *context);
/* Absorb in[0..len) (in may be NULL when len == 0); pieces of any size. */
void fcp_blake3_hasher_update(fcp_blake3_hasher *h, const void *in, size_t len);
/* Write out_len bytes of output (any length; XOF).  Does not change the
 * state, so more input may follow. */
void fcp_blake3_hasher_finalize(const fcp_blake3_hasher *h, uint8_t *out, size_t out_len);
/* As finalize, starting at byte offset seek of the output stream. */
void fcp_blake3_hasher_finalize_seek(const fcp_blake3_hasher *h, uint64_t seek, uint8_t *out,
                                     size_t out_len);
/* Zero the whole hasher (key and chaining values). */
void fcp_blake3_hasher_wipe(fcp_blake3_hasher *h);

/* ---- deterministic ChaCha20 RNG (tests and vector reproduction only) ------- */

/*
 * fcp_rng_chacha20: the original ChaCha20 (20 rounds, 64-bit block counter,
 * 64-bit nonce) keystream with key = seed, nonce = 0, counter starting at 0 -
 * the generator Rust's rand_chacha ChaCha20Rng::from_seed(seed) is.  Bytes are
 * handed out like rand_core's fill_bytes: in 32-bit words, so a request whose
 * length is not a multiple of 4 discards the rest of its last word.  Never use
 * it for keys in production; use fcp_rng_system().
 */
typedef struct fcp_rng_chacha20 {
    fcp_rng  rng;       /* pass &r->rng wherever an fcp_rng is wanted */
    uint8_t  key[32];
    uint64_t block;     /* next keystream block to generate */
    uint8_t  buf[64];   /* current block */
    size_t   pos;       /* bytes of buf consumed (multiple of 4) */
} fcp_rng_chacha20;

/* Seed r (copies the 32-byte seed); afterwards &r->rng fills bytes and never fails. */
void fcp_rng_chacha20_init(fcp_rng_chacha20 *r, const uint8_t seed[32]);
/* Wipe the key and buffered keystream. */
void fcp_rng_chacha20_wipe(fcp_rng_chacha20 *r);

#endif
