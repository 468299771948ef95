/*
 * bench_session.c - cost of a full MeshSession handshake (initiator Hello,
 * responder Ack, initiator established: both engines, CBOR, envelopes, trust
 * lookup, hello replay window, key schedule) against the sum of the
 * primitive operations it is built on, measured in the same run (ratios are
 * what docs/performance.md records; absolute times on shared machines are
 * noisy).
 *
 *   plain handshake  vs  2 Ed25519 signs + 2 verifies (transcripts of the
 *                        real lengths) + 2 X25519 key generations + 2 X25519
 *                        shared secrets + 2 HKDF-SHA256 (L=96)
 *   cookie handshake vs  the same + 1 more sign (the Hello is re-signed with
 *                        the cookie) + 2 cookie HMACs (issue, check)
 * Target: ratio <= 1.2.
 *
 * Batches of BATCH handshakes (or primitive sequences) are timed as a whole;
 * subject and reference batches alternate and the best per-item time of each
 * is kept.  BENCH_SECONDS (default 1.0) bounds each figure.  The engines use
 * the seeded xoshiro RNG (no syscalls) so that RNG cost is not measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcp/crypto.h"
#include "fcp/session.h"

#define BATCH 16

static double g_secs = 1.0;
static volatile uint8_t g_sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *A_ID = "node:alice.mesh.ts.net";
static const char *B_ID = "node:bob.mesh.ts.net";
static uint8_t a_pk[32], a_sk[64], b_pk[32], b_sk[64];
static fcp_session_trust g_trust;
static fcp_clock_manual g_clk;
static fcp_rng_xoshiro g_ra, g_rb;
static fcp_session_responder g_re;
static fcp_session_initiator g_in;
static fcp_session_out g_o1, g_o2, g_o3, g_o4;
static size_t g_hello_tlen = 180, g_ack_tlen = 190; /* real transcript lengths, measured below */

static void handshake(int cookie)
{
    const fcp_clock *c = &g_clk.clock;
    if (fcp_session_initiator_start(&g_in, c, &g_ra.rng, &g_o1) != 0 ||
        fcp_session_responder_receive(&g_re, g_o1.msg, g_o1.msg_len, c, &g_rb.rng, &g_o2) != 0)
        abort();
    if (cookie) {
        if (fcp_session_initiator_receive(&g_in, g_o2.msg, g_o2.msg_len, c, &g_ra.rng, &g_o3) != 0 ||
            fcp_session_responder_receive(&g_re, g_o3.msg, g_o3.msg_len, c, &g_rb.rng, &g_o2) != 0)
            abort();
    }
    if (fcp_session_initiator_receive(&g_in, g_o2.msg, g_o2.msg_len, c, &g_ra.rng, &g_o4) != 0 ||
        g_o4.event != FCP_SESSION_EV_ESTABLISHED)
        abort();
    g_sink ^= g_o4.keys.k_ctx[0];
}

static double subject_batch(int cookie)
{
    g_re.cfg.require_cookie = cookie;
    double t0 = now();
    for (int i = 0; i < BATCH; i++)
        handshake(cookie);
    return now() - t0;
}

/* The primitive operations of one handshake, on inputs of the same sizes. */
static uint8_t g_msg_h[512], g_msg_a[512], g_sig_h[64], g_sig_a[64];

static void primitives(int cookie)
{
    uint8_t ipk[32], isk[32], rpk[32], rsk[32], s1[32], s2[32], okm[96], sig[64], mac[32];
    static const uint8_t salt[16] = {8}, info[100] = {1};
    /* initiator: ephemeral, sign Hello */
    if (fcp_x25519_keypair(ipk, isk, &g_ra.rng) != 0)
        abort();
    fcp_ed25519_sign(sig, g_msg_h, g_hello_tlen, a_sk);
    if (cookie) {
        /* responder issues a cookie; initiator re-signs; responder checks it */
        fcp_hmac_sha256(mac, g_msg_h, 32, g_msg_h, 120);
        fcp_ed25519_sign(sig, g_msg_h, g_hello_tlen + 33, a_sk);
        fcp_hmac_sha256(mac, g_msg_h, 32, g_msg_h, 120);
    }
    /* responder: verify Hello, ephemeral, shared, keys, sign Ack */
    if (fcp_ed25519_verify(g_sig_h, g_msg_h, g_hello_tlen, a_pk) != 0 ||
        fcp_x25519_keypair(rpk, rsk, &g_rb.rng) != 0 || fcp_x25519(s1, rsk, ipk) != 0)
        abort();
    fcp_hkdf_sha256(okm, 96, salt, 16, s1, 32, info, 100);
    fcp_ed25519_sign(sig, g_msg_a, g_ack_tlen, b_sk);
    /* initiator: verify Ack, shared, keys */
    if (fcp_ed25519_verify(g_sig_a, g_msg_a, g_ack_tlen, b_pk) != 0 || fcp_x25519(s2, isk, rpk) != 0)
        abort();
    fcp_hkdf_sha256(okm, 96, salt, 16, s2, 32, info, 100);
    g_sink ^= (uint8_t)(okm[0] ^ sig[0] ^ mac[0]);
}

static double reference_batch(int cookie)
{
    double t0 = now();
    for (int i = 0; i < BATCH; i++)
        primitives(cookie);
    return now() - t0;
}

static void measure(const char *name, int cookie)
{
    double best_s = 1e9, best_r = 1e9, t_end = now() + g_secs;
    while (now() < t_end) {
        double s = subject_batch(cookie) / BATCH, r = reference_batch(cookie) / BATCH;
        if (s < best_s)
            best_s = s;
        if (r < best_r)
            best_r = r;
    }
    printf("%-18s handshake %8.1f us   primitives %8.1f us   ratio %.3f   (%.0f handshakes/s)\n", name,
           best_s * 1e6, best_r * 1e6, best_s / best_r, 1.0 / best_s);
}

static void keypair(uint8_t pk[32], uint8_t sk[64], uint8_t fill)
{
    uint8_t seed[32];
    memset(seed, fill, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
}

int main(void)
{
    const char *env = getenv("BENCH_SECONDS");
    if (env)
        g_secs = atof(env);
    if (fcp_crypto_init() != 0)
        return 1;
    uint8_t o_pk[32], o_sk[64];
    keypair(o_pk, o_sk, 1);
    keypair(a_pk, a_sk, 0xa1);
    keypair(b_pk, b_sk, 0xb2);
    fcp_session_trust_init(&g_trust, o_pk);
    const char *ids[2] = {A_ID, B_ID};
    const uint8_t *pks[2] = {a_pk, b_pk};
    fcp_clock_manual_init(&g_clk, 1767225600ull * 1000000000ull);
    for (int i = 0; i < 2; i++) {
        fcp_node_attestation a;
        uint8_t ipk[32], isk[64], x[32] = {3};
        memset(&a, 0, sizeof a);
        strcpy(a.node_id, ids[i]);
        memcpy(a.node_sig_pubkey, pks[i], 32);
        fcp_x25519_base(a.node_enc_pubkey, x);
        keypair(ipk, isk, (uint8_t)(0x40 + i));
        memcpy(a.node_iss_pubkey, ipk, 32);
        a.issued_at = 1767225600ull - 60;
        if (fcp_attestation_sign(&a, o_sk) != 0 || fcp_session_trust_add(&g_trust, &a, 1767225600ull) != 0)
            return 1;
    }
    fcp_rng_xoshiro_init(&g_ra, 1);
    fcp_rng_xoshiro_init(&g_rb, 2);
    fcp_session_config ca, cb;
    memset(&ca, 0, sizeof ca);
    ca.self_id = A_ID;
    ca.sig_sk = a_sk;
    ca.trust = &g_trust;
    cb = ca;
    cb.self_id = B_ID;
    cb.sig_sk = b_sk;
    if (fcp_session_initiator_init(&g_in, &ca, B_ID) != 0 ||
        fcp_session_responder_init(&g_re, &cb, &g_clk.clock, &g_rb.rng) != 0)
        return 1;

    /* real transcript lengths and genuine signatures for the reference */
    handshake(0);
    {
        fcp_buf b;
        fcp_buf_init_fixed(&b, g_msg_h, sizeof g_msg_h);
        if (fcp_session_hello_transcript(&g_in.hello, &b) != 0)
            return 1;
        g_hello_tlen = b.len;
        memcpy(g_sig_h, g_in.hello.signature, 64);
        fcp_session_ack a;
        fcp_session_msg_type t;
        const uint8_t *body;
        size_t n;
        if (fcp_session_env_decode(g_o2.msg, g_o2.msg_len, &t, &body, &n) != 0 ||
            fcp_session_ack_decode(&a, body, n) != 0)
            return 1;
        fcp_buf_init_fixed(&b, g_msg_a, sizeof g_msg_a);
        if (fcp_session_ack_transcript(&a, g_in.hello.eph_pubkey, g_in.hello.nonce, &b) != 0)
            return 1;
        g_ack_tlen = b.len;
        memcpy(g_sig_a, a.signature, 64);
    }
    printf("bench_session: hello transcript %zu B, ack transcript %zu B, hello datagram %zu B, ack datagram %zu B\n",
           g_hello_tlen, g_ack_tlen, g_o1.msg_len, g_o2.msg_len);
    measure("plain (1 RTT)", 0);
    measure("cookie (2 RTT)", 1);
    fcp_session_responder_free(&g_re);
    fcp_session_initiator_wipe(&g_in);
    return 0;
}
