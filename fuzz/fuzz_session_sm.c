/*
 * fuzz_session_sm.c - libFuzzer target for the MeshSession engines
 * (src/wire/wire_session_sm.c): a responder (cookie required) and an
 * initiator, fresh for every input, driven by a little command language so
 * the fuzzer can both run genuine handshakes and inject arbitrary bytes:
 *
 *   op % 8 == 0  initiator start (its Hello is queued toward the responder)
 *             1  deliver the queued message to the responder
 *             2  deliver the queued message to the initiator
 *             3  advance the clock by next byte * 50 ms, initiator tick
 *             4  next byte = len, then len raw bytes to the responder
 *             5  same, to the initiator
 *             6  flip bit (next byte) of the queued message at (next byte)
 *             7  rotate the responder's cookie key
 *
 * Properties: no crash, no leak; a rejected message leaves the initiator's
 * state byte-for-byte unchanged and the responder's replay window and cookie
 * keys unchanged; every datagram an engine emits is a well-formed handshake
 * envelope of at most 1200 bytes; when both sides report ESTABLISHED for the
 * same session id they hold the same keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *A_ID = "node-initiator";
static const char *B_ID = "node-responder";
static uint8_t a_sk[64], b_sk[64];
static fcp_session_trust g_trust;

static void check_out(const fcp_session_out *o)
{
    if (o->msg_len == 0)
        return;
    fcp_session_msg_type t;
    const uint8_t *body;
    size_t n;
    if (o->msg_len > FCP_SESSION_ENV_MAX || fcp_session_env_decode(o->msg, o->msg_len, &t, &body, &n) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static fcp_session_initiator in, in_before;
    static fcp_session_responder re;
    static fcp_session_out o;
    static uint8_t q[FCP_SESSION_ENV_MAX];
    static fcp_session_keys ki, kr;
    size_t qlen = 0;
    int have_i = 0, have_r = 0;
    if (!init) {
        uint8_t seed[32], pk[32];
        if (fcp_crypto_init() != 0)
            abort();
        memset(&g_trust, 0, sizeof g_trust);
        g_trust.n = 2;
        memset(seed, 0x11, 32);
        fcp_ed25519_keypair_from_seed(pk, a_sk, seed);
        strcpy(g_trust.att[0].node_id, A_ID);
        memcpy(g_trust.att[0].node_sig_pubkey, pk, 32);
        memset(seed, 0x22, 32);
        fcp_ed25519_keypair_from_seed(pk, b_sk, seed);
        strcpy(g_trust.att[1].node_id, B_ID);
        memcpy(g_trust.att[1].node_sig_pubkey, pk, 32);
        init = 1;
    }
    fcp_clock_manual clk;
    fcp_rng_xoshiro ra, rb;
    fcp_clock_manual_init(&clk, 1704067200ull * 1000000000ull);
    fcp_rng_xoshiro_init(&ra, 1);
    fcp_rng_xoshiro_init(&rb, 2);
    fcp_session_config ca, cb;
    memset(&ca, 0, sizeof ca);
    ca.self_id = A_ID;
    ca.sig_sk = a_sk;
    ca.trust = &g_trust;
    cb = ca;
    cb.self_id = B_ID;
    cb.sig_sk = b_sk;
    cb.require_cookie = 1;
    cb.hello_replay_cap = 4;
    if (fcp_session_initiator_init(&in, &ca, B_ID) != 0 ||
        fcp_session_responder_init(&re, &cb, &clk.clock, &rb.rng) != 0)
        abort();

    size_t i = 0;
    while (i < size) {
        uint8_t op = data[i++] % 8;
        int rc;
        switch (op) {
        case 0:
            rc = fcp_session_initiator_start(&in, &clk.clock, &ra.rng, &o);
            check_out(&o);
            if (rc == 0) {
                memcpy(q, o.msg, o.msg_len);
                qlen = o.msg_len;
            }
            break;
        case 1:
        case 4: {
            const uint8_t *m = q;
            size_t n = qlen;
            if (op == 4) {
                if (i >= size)
                    break;
                n = data[i++];
                if (n > size - i)
                    n = size - i;
                m = data + i;
                i += n;
            }
            fcp_hello_replay rp = re.replay;
            uint8_t ck[32], cp[32];
            memcpy(ck, re.cookie_key, 32);
            memcpy(cp, re.cookie_prev, 32);
            uint64_t rot = re.cookie_rotated_at;
            rc = fcp_session_responder_receive(&re, m, n, &clk.clock, &rb.rng, &o);
            check_out(&o);
            if (rc < 0) {
                if (o.msg_len || o.event != FCP_SESSION_EV_NONE)
                    abort();
                if (re.cookie_rotated_at == rot &&
                    (memcmp(ck, re.cookie_key, 32) || memcmp(cp, re.cookie_prev, 32)))
                    abort();
                if (rp.n != re.replay.n || rp.head != re.replay.head)
                    abort();
            } else if (o.msg_len) {
                memcpy(q, o.msg, o.msg_len);
                qlen = o.msg_len;
                if (o.event == FCP_SESSION_EV_ESTABLISHED) {
                    kr = o.keys;
                    have_r = 1;
                }
            }
            break;
        }
        case 2:
        case 5: {
            const uint8_t *m = q;
            size_t n = qlen;
            if (op == 5) {
                if (i >= size)
                    break;
                n = data[i++];
                if (n > size - i)
                    n = size - i;
                m = data + i;
                i += n;
            }
            in_before = in;
            rc = fcp_session_initiator_receive(&in, m, n, &clk.clock, &ra.rng, &o);
            check_out(&o);
            if (rc < 0) {
                if (memcmp(&in_before, &in, sizeof in) != 0 || o.msg_len || o.event != FCP_SESSION_EV_NONE)
                    abort();
            } else {
                if (o.msg_len) {
                    memcpy(q, o.msg, o.msg_len);
                    qlen = o.msg_len;
                }
                if (o.event == FCP_SESSION_EV_ESTABLISHED) {
                    ki = o.keys;
                    have_i = 1;
                }
            }
            break;
        }
        case 3:
            if (i >= size)
                break;
            fcp_clock_manual_advance(&clk, (uint64_t)data[i++] * 50000000ull);
            rc = fcp_session_initiator_tick(&in, &clk.clock, &ra.rng, &o);
            check_out(&o);
            if (rc == 0 && o.msg_len) {
                memcpy(q, o.msg, o.msg_len);
                qlen = o.msg_len;
            }
            break;
        case 6:
            if (i + 2 > size)
                break;
            if (qlen)
                q[data[i] % qlen] ^= (uint8_t)(1u << (data[i + 1] % 8));
            i += 2;
            break;
        default:
            if (fcp_session_responder_rotate(&re, &clk.clock, &rb.rng) != 0)
                abort();
            break;
        }
        if (have_i && have_r && memcmp(ki.session_id, kr.session_id, 16) == 0) {
            if (memcmp(ki.k_mac_i2r, kr.k_mac_i2r, 32) || memcmp(ki.k_mac_r2i, kr.k_mac_r2i, 32) ||
                memcmp(ki.k_ctx, kr.k_ctx, 32) || ki.suite != kr.suite)
                abort();
        }
    }
    fcp_session_responder_free(&re);
    fcp_session_initiator_wipe(&in);
    return 0;
}
