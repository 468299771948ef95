/*
 * bench_crypto.c - throughput of the crypto suite, each figure next to a
 * reference measured in the same run (absolute numbers on shared machines are
 * noisy; ratios are what docs/performance.md records):
 *
 *   BLAKE3 on 1 MiB                 vs memcpy of 1 MiB
 *   fcp_ed25519_verify              vs raw crypto_sign_verify_detached
 *   fcp AEAD (ChaCha20-Poly1305)    vs raw libsodium AEAD, 1 KiB messages
 *   fcp_hmac_sha256                 vs raw crypto_auth_hmacsha256, 64-byte messages
 *   fcp_hkdf_sha256 (L=32, 64)      vs one raw HMAC (HKDF is 2-3 HMACs)
 *   HPKE single-shot seal / open    vs raw X25519 (the KEM's dominant cost)
 *
 * Each measurement repeats its operation until BENCH_SECONDS seconds
 * have passed (default 0.4, env BENCH_SECONDS).  Output: one line per figure, ratios last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "fcp/crypto.h"
#include "fcp/hpke.h"

static double g_secs = 0.4;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* volatile sink so the compiler keeps every computed result */
static volatile uint8_t g_sink;

#define MEASURE(rate_out, body)                                                                                    \
    do {                                                                                                           \
        double t0_ = now(), t_;                                                                                    \
        unsigned long n_ = 0;                                                                                      \
        do {                                                                                                       \
            for (int k_ = 0; k_ < 16; k_++) {                                                                      \
                body;                                                                                              \
            }                                                                                                      \
            n_ += 16;                                                                                              \
            t_ = now() - t0_;                                                                                      \
        } while (t_ < g_secs);                                                                                     \
        (rate_out) = (double)n_ / t_;                                                                              \
    } while (0)

/* Best of two runs each for a reference and a subject, interleaved
 * (ref, sub, ref, sub), so CPU frequency ramp-up favours neither. */
#define MEASURE_PAIR(ref_out, ref_body, sub_out, sub_body)                                                         \
    do {                                                                                                           \
        double a_, b_;                                                                                             \
        MEASURE(ref_out, ref_body);                                                                                \
        MEASURE(sub_out, sub_body);                                                                                \
        MEASURE(a_, ref_body);                                                                                     \
        MEASURE(b_, sub_body);                                                                                     \
        if (a_ > (ref_out))                                                                                        \
            (ref_out) = a_;                                                                                        \
        if (b_ > (sub_out))                                                                                        \
            (sub_out) = b_;                                                                                        \
    } while (0)

int main(void)
{
    const char *env = getenv("BENCH_SECONDS");
    if (env && atof(env) > 0)
        g_secs = atof(env);
    if (fcp_crypto_init() != 0)
        return 1;

    const size_t MB = 1 << 20;
    uint8_t *big = malloc(MB), *dst = malloc(MB), out[64];
    for (size_t i = 0; i < MB; i++)
        big[i] = (uint8_t)(i * 31);

    /* BLAKE3 vs memcpy, 1 MiB */
    double r_memcpy, r_b3;
    MEASURE_PAIR(r_memcpy, { memcpy(dst, big, MB); g_sink ^= dst[k_]; big[0]++; },
                 r_b3, { fcp_blake3(out, big, MB); g_sink ^= out[0]; });
    double gb_memcpy = r_memcpy * (double)MB / 1e9, gb_b3 = r_b3 * (double)MB / 1e9;
    printf("blake3 1MiB          %8.2f GB/s   memcpy %8.2f GB/s   ratio blake3/memcpy %.3f\n", gb_b3, gb_memcpy,
           gb_b3 / gb_memcpy);

    /* Ed25519 verify: wrapper vs raw libsodium */
    uint8_t pk[32], sk[64], seed[32] = { 1 }, sig[64], msg[128];
    memset(msg, 0x42, sizeof msg);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
    fcp_ed25519_sign(sig, msg, sizeof msg, sk);
    double r_ver, r_ver_raw, r_sign;
    MEASURE_PAIR(r_ver_raw, { g_sink ^= (uint8_t)crypto_sign_verify_detached(sig, msg, sizeof msg, pk); },
                 r_ver, { g_sink ^= (uint8_t)fcp_ed25519_verify(sig, msg, sizeof msg, pk); });
    MEASURE(r_sign, { fcp_ed25519_sign(sig, msg, sizeof msg, sk); g_sink ^= sig[0]; });
    printf("ed25519 verify       %8.0f /s     raw %8.0f /s        ratio fcp/raw %.3f   (sign %.0f /s)\n", r_ver,
           r_ver_raw, r_ver / r_ver_raw, r_sign);

    /* AEAD 1 KiB: wrapper vs raw */
    uint8_t key[32] = { 7 }, nonce[12] = { 0 }, ct[1024 + 16];
    double r_aead, r_aead_raw;
    MEASURE_PAIR(r_aead_raw, {
        crypto_aead_chacha20poly1305_ietf_encrypt(ct, NULL, big, 1024, NULL, 0, NULL, nonce, key);
        g_sink ^= ct[0];
    }, r_aead, {
        fcp_aead_chacha20poly1305_ietf_encrypt(ct, NULL, big, 1024, NULL, 0, nonce, key);
        g_sink ^= ct[0];
    });
    printf("chacha20poly1305 1K  %8.0f /s     raw %8.0f /s        ratio fcp/raw %.3f\n", r_aead, r_aead_raw,
           r_aead / r_aead_raw);

    /* HMAC 64 B: wrapper vs raw; HKDF vs one raw HMAC */
    double r_hmac, r_hmac_raw, r_hkdf32, r_hkdf64;
    MEASURE_PAIR(r_hmac_raw, {
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, key, 32);
        crypto_auth_hmacsha256_update(&st, big, 64);
        crypto_auth_hmacsha256_final(&st, out);
        g_sink ^= out[0];
    }, r_hmac, { fcp_hmac_sha256(out, key, 32, big, 64); g_sink ^= out[0]; });
    MEASURE(r_hkdf32, { fcp_hkdf_sha256(out, 32, key, 32, big, 32, big, 16); g_sink ^= out[0]; });
    MEASURE(r_hkdf64, { fcp_hkdf_sha256(out, 64, key, 32, big, 32, big, 16); g_sink ^= out[0]; });
    printf("hmac-sha256 64B      %8.0f /s     raw %8.0f /s        ratio fcp/raw %.3f\n", r_hmac, r_hmac_raw,
           r_hmac / r_hmac_raw);
    printf("hkdf-sha256 L=32     %8.0f /s     (L=64 %8.0f /s)     ratio hkdf32/raw-hmac %.3f\n", r_hkdf32, r_hkdf64,
           r_hkdf32 / r_hmac_raw);

    /* HPKE single-shot, 32-byte payload (a zone key), 64-byte AAD */
    uint8_t skR[32], pkR[32], enc[32], hct[48], hpt[32], ikm[32] = { 3 }, x[32];
    fcp_hpke_params p = { FCP_HPKE_MODE_BASE, FCP_HPKE_AEAD_CHACHA20POLY1305, (const uint8_t *)"FCP2-HPKE", 9,
                          NULL, 0, NULL, 0 };
    fcp_hpke_derive_keypair(skR, pkR, ikm, sizeof ikm);
    double r_seal, r_open, r_x25519;
    MEASURE(r_x25519, { g_sink ^= (uint8_t)crypto_scalarmult(x, skR, pkR); g_sink ^= x[0]; });
    MEASURE(r_seal, {
        fcp_hpke_seal(enc, hct, &p, pkR, big, 64, key, 32, fcp_rng_system());
        g_sink ^= hct[0];
    });
    int ok = 1;
    MEASURE(r_open, { ok &= fcp_hpke_open(hpt, &p, skR, enc, big, 64, hct, 48) == 0; g_sink ^= hpt[0]; });
    printf("hpke seal (1-shot)   %8.0f /s     open %8.0f /s   x25519 %8.0f /s   ratio seal/x25519 %.3f open/x25519 "
           "%.3f%s\n",
           r_seal, r_open, r_x25519, r_seal / r_x25519, r_open / r_x25519, ok ? "" : "  (OPEN FAILED)");

    printf("ratios: blake3/memcpy %.3f  ed25519_verify fcp/raw %.3f  aead fcp/raw %.3f  hmac fcp/raw %.3f  "
           "hkdf32/hmac %.3f  hpke_seal/x25519 %.3f  hpke_open/x25519 %.3f\n",
           gb_b3 / gb_memcpy, r_ver / r_ver_raw, r_aead / r_aead_raw, r_hmac / r_hmac_raw, r_hkdf32 / r_hmac_raw,
           r_seal / r_x25519, r_open / r_x25519);
    free(big);
    free(dst);
    return ok ? 0 : 1;
}
