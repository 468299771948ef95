/*
 * bench_wire.c - per-frame cost of the FCPS data path against the raw
 * primitives it is built on, measured in the same run (ratios are what
 * docs/performance.md records; absolute times on shared machines are noisy).
 *
 * One-symbol frames, T = 1024 (the default 1200-byte datagram):
 *   seal-and-MAC   : frame_seq allocation + frame encode (symbol already in
 *                    place) + symbol AEAD in place + datagram MAC/envelope
 *       vs raw     : ChaCha20-Poly1305 over 1024 bytes (86-byte AAD) + the
 *                    session MAC over sid||dir||seq||frame (1185 bytes),
 *                    straight libsodium / BLAKE3 calls
 *   verify-and-open: datagram receive engine (length, session, MAC verify,
 *                    frame decode, replay window) + symbol open in place
 *       vs raw     : MAC verify over the same bytes + AEAD open of 1024 bytes
 * for Suite1 (HMAC-SHA256) and Suite2 (BLAKE3-keyed).  Target: ratio <= 1.15.
 *
 * Batches of BATCH datagrams are prepared untimed (copies of sealed
 * datagrams, a fresh receiver) and timed as a whole; subject and reference
 * batches alternate, and the best per-frame time of each is kept.
 * BENCH_SECONDS (default 0.4) bounds each figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "blake3.h"
#include "fcp/crypto.h"
#include "fcp/datagram.h"
#include "fcp/fcps.h"
#include "fcp/fcps_aead.h"

#define BATCH 256
#define T     1024u
#define DLEN  1200u

static double g_secs = 0.4;
static volatile uint8_t g_sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const uint8_t SID[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static uint8_t g_mac_key[32], g_subkey[32], g_oid[32], g_kid[8], g_zh[32];
static uint8_t g_work[BATCH][DLEN], g_pristine[BATCH][DLEN];

/* Raw session MAC over sid || dir || seq || frame, truncated to 16. */
static void raw_mac(int suite, uint8_t out[16], uint64_t seq, const uint8_t *frame, size_t len)
{
    uint8_t prefix[25];
    memcpy(prefix, SID, 16);
    prefix[16] = 0;
    for (int i = 0; i < 8; i++)
        prefix[17 + i] = (uint8_t)(seq >> (8 * i));
    if (suite == 1) {
        crypto_auth_hmacsha256_state st;
        uint8_t full[32];
        crypto_auth_hmacsha256_init(&st, g_mac_key, 32);
        crypto_auth_hmacsha256_update(&st, prefix, sizeof prefix);
        crypto_auth_hmacsha256_update(&st, frame, len);
        crypto_auth_hmacsha256_final(&st, full);
        memcpy(out, full, 16);
    } else {
        blake3_hasher h;
        blake3_hasher_init_keyed(&h, g_mac_key);
        blake3_hasher_update(&h, prefix, sizeof prefix);
        blake3_hasher_update(&h, frame, len);
        blake3_hasher_finalize(&h, out, 16);
    }
}

static void raw_aad(uint8_t aad[86], uint32_t esi)
{
    fcp_fcps_symbol_aad(aad, g_oid, esi, 1, g_zh, g_kid, 1000);
}

/* ---- seal ---------------------------------------------------------------- */

static double seal_wire_batch(int suite, fcp_dgram_tx *tx, fcp_fcps_seq_table *seqs)
{
    fcp_fcps_limits lim;
    fcp_fcps_limits_default(&lim);
    double t0 = now();
    for (int i = 0; i < BATCH; i++) {
        uint8_t *d = g_work[i];
        uint64_t fseq;
        if (fcp_fcps_seq_next(seqs, g_zh, g_kid, &fseq) != 0)
            abort();
        fcp_fcps_header h = {1, FCP_FCPS_FLAGS_DEFAULT, 1, 0, g_oid, T, g_kid, g_zh, 1000, 7, fseq};
        fcp_fcps_record r = {0, 1, d + 40 + 114 + 6, NULL};
        size_t fl, dl;
        if (fcp_fcps_encode(d + 40, DLEN - 40, &fl, &h, &r, 1, &lim) != 0 ||
            fcp_fcps_frame_seal(d + 40, fl, &lim, FCP_FCPS_AEAD_CHACHA20POLY1305, g_subkey) != 0 ||
            fcp_dgram_tx_seal(tx, d, DLEN, &dl, d + 40, fl, NULL) != 0)
            abort();
        g_sink ^= d[30];
    }
    (void)suite;
    return now() - t0;
}

static double seal_raw_batch(int suite, uint64_t *seq)
{
    double t0 = now();
    for (int i = 0; i < BATCH; i++) {
        uint8_t *d = g_work[i];
        uint8_t aad[86], nonce[12] = {0};
        (*seq)++;
        memcpy(nonce, seq, 8);
        raw_aad(aad, 0);
        crypto_aead_chacha20poly1305_ietf_encrypt_detached(d + 160, d + 160 + T, NULL, d + 160, T, aad, 86,
                                                           NULL, nonce, g_subkey);
        raw_mac(suite, d + 24, *seq, d + 40, DLEN - 40);
        g_sink ^= d[30];
    }
    return now() - t0;
}

/* ---- open ---------------------------------------------------------------- */

static void prepare_pristine(int suite)
{
    fcp_dgram_tx tx;
    fcp_fcps_seq_slot slots[1];
    fcp_fcps_seq_table seqs;
    fcp_fcps_seq_init(&seqs, slots, 1);
    fcp_dgram_tx_init(&tx, SID, g_mac_key, (fcp_dgram_suite)suite, FCP_WIRE_I2R, DLEN);
    for (int i = 0; i < BATCH; i++)
        for (size_t j = 0; j < T; j++)
            g_work[i][40 + 114 + 6 + j] = (uint8_t)(i + j);
    seal_wire_batch(suite, &tx, &seqs);
    memcpy(g_pristine, g_work, sizeof g_work);
    fcp_dgram_tx_wipe(&tx);
}

static double open_wire_batch(int suite)
{
    fcp_dgram_rx rx;
    fcp_fcps_limits lim;
    fcp_fcps_limits_default(&lim);
    memcpy(g_work, g_pristine, sizeof g_work);
    fcp_dgram_rx_init(&rx, SID, g_mac_key, (fcp_dgram_suite)suite, FCP_WIRE_I2R, DLEN);
    double t0 = now();
    for (int i = 0; i < BATCH; i++) {
        fcp_dgram d;
        fcp_fcps_frame f;
        if (fcp_dgram_rx_receive(&rx, g_work[i], DLEN, &d, &f) != 0 ||
            fcp_fcps_frame_open(g_work[i] + 40, d.frame_len, &lim, FCP_FCPS_AEAD_CHACHA20POLY1305, g_subkey,
                                &f) != 0)
            abort();
        g_sink ^= g_work[i][200];
    }
    return now() - t0;
}

static double open_raw_batch(int suite)
{
    memcpy(g_work, g_pristine, sizeof g_work);
    double t0 = now();
    for (int i = 0; i < BATCH; i++) {
        uint8_t *d = g_work[i], mac[16], aad[86], nonce[12] = {0};
        uint64_t seq = 0;
        memcpy(&seq, d + 16, 8);
        raw_mac(suite, mac, seq, d + 40, DLEN - 40);
        if (sodium_memcmp(mac, d + 24, 16) != 0)
            abort();
        memcpy(nonce, d + 40 + 106, 8); /* frame_seq */
        raw_aad(aad, 0);
        if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(d + 160, NULL, d + 160, T, d + 160 + T, aad, 86,
                                                               nonce, g_subkey) != 0)
            abort();
        g_sink ^= d[200];
    }
    return now() - t0;
}

static void run_suite(int suite)
{
    fcp_dgram_tx tx;
    fcp_fcps_seq_slot slots[1];
    fcp_fcps_seq_table seqs;
    fcp_fcps_seq_init(&seqs, slots, 1);
    fcp_dgram_tx_init(&tx, SID, g_mac_key, (fcp_dgram_suite)suite, FCP_WIRE_I2R, DLEN);
    prepare_pristine(suite);
    memcpy(g_work, g_pristine, sizeof g_work);

    double best_sw = 1e9, best_sr = 1e9, best_ow = 1e9, best_or = 1e9, t0 = now();
    uint64_t raw_seq = 0;
    unsigned long frames = 0;
    do {
        double a = seal_raw_batch(suite, &raw_seq), b = seal_wire_batch(suite, &tx, &seqs);
        double c = open_raw_batch(suite), e = open_wire_batch(suite);
        best_sr = a < best_sr ? a : best_sr;
        best_sw = b < best_sw ? b : best_sw;
        best_or = c < best_or ? c : best_or;
        best_ow = e < best_ow ? e : best_ow;
        frames += BATCH;
    } while (now() - t0 < 2 * g_secs);
    double ns = 1e9 / BATCH;
    printf("suite%d seal-and-MAC    wire %7.0f ns/frame  raw %7.0f ns/frame  ratio %.3f\n", suite,
           best_sw * ns, best_sr * ns, best_sw / best_sr);
    printf("suite%d verify-and-open wire %7.0f ns/frame  raw %7.0f ns/frame  ratio %.3f\n", suite,
           best_ow * ns, best_or * ns, best_ow / best_or);
    printf("suite%d frames timed per figure: %lu\n", suite, frames);
    fcp_dgram_tx_wipe(&tx);
}

int main(void)
{
    const char *s = getenv("BENCH_SECONDS");
    if (s)
        g_secs = atof(s);
    if (fcp_crypto_init() != 0)
        return 1;
    memset(g_mac_key, 0x61, 32);
    memset(g_oid, 0x11, 32);
    memset(g_kid, 0x22, 8);
    memset(g_zh, 0x33, 32);
    static const uint8_t zone_key[32] = {9};
    if (fcp_fcps_sender_subkey(g_subkey, zone_key, g_kid, (const uint8_t *)"bench-node", 10, 7) != 0)
        return 1;
    printf("bench_wire: one-symbol FCPS frames, T=%u, %u-byte datagrams, batches of %d\n", T, DLEN, BATCH);
    run_suite(1);
    run_suite(2);
    return (int)(g_sink & 0);
}
