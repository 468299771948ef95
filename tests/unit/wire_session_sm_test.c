/*
 * wire_session_sm_test.c - the sans-IO MeshSession engines and the session
 * channel: handshakes with and without the HelloRetry cookie, cookie key
 * rotation, one negative test per validation rule of each engine (exact code,
 * engine state unchanged afterwards), timeouts and retransmission, rekey
 * triggers, and the grace period of retired receive keys.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/fcps.h"
#include "fcp/model_attest.h"
#include "fcp/session.h"

#define T0 1767225600ull /* 2026-01-01 */
#define SEC 1000000000ull

static const char *A_ID = "node:alice.mesh.ts.net";
static const char *B_ID = "node:bob.mesh.ts.net";
static uint8_t owner_pk[32], owner_sk[64];
static uint8_t a_pk[32], a_sk[64], b_pk[32], b_sk[64], m_pk[32], m_sk[64];

static void keypair(uint8_t pk[32], uint8_t sk[64], uint8_t fill)
{
    uint8_t seed[32];
    memset(seed, fill, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
}

static void make_att(fcp_node_attestation *a, const char *id, const uint8_t sig_pk[32],
                     uint64_t issued, uint64_t expires)
{
    uint8_t pk[32], sk[64], x[32];
    memset(a, 0, sizeof *a);
    strcpy(a->node_id, id);
    memcpy(a->node_sig_pubkey, sig_pk, 32);
    memset(x, 0x10, 32);
    fcp_x25519_base(a->node_enc_pubkey, x);
    keypair(pk, sk, (uint8_t)(sig_pk[0] ^ 0x5a));
    memcpy(a->node_iss_pubkey, pk, 32);
    a->n_tags = 1;
    strcpy(a->tags[0], "tag:fcp-work");
    a->issued_at = issued;
    if (expires) {
        a->has_expires_at = 1;
        a->expires_at = expires;
    }
    CHECK_ERR(fcp_attestation_sign(a, owner_sk), 0);
}

static fcp_session_trust g_trust;

static void trust_setup(fcp_session_trust *t, uint64_t a_expires)
{
    fcp_node_attestation att;
    fcp_session_trust_init(t, owner_pk);
    make_att(&att, A_ID, a_pk, T0 - 3600, a_expires);
    CHECK_ERR(fcp_session_trust_add(t, &att, T0), 0);
    make_att(&att, B_ID, b_pk, T0 - 3600, 0);
    CHECK_ERR(fcp_session_trust_add(t, &att, T0), 0);
}

static void cfg_for(fcp_session_config *c, const char *id, const uint8_t *sk,
                    const fcp_session_trust *t)
{
    memset(c, 0, sizeof *c);
    c->self_id = id;
    c->sig_sk = sk;
    c->trust = t;
}

/* Fixture: alice initiates toward bob. */
typedef struct fx {
    fcp_clock_manual clk;
    fcp_rng_xoshiro rng;
    fcp_session_config ci, cr;
    fcp_session_initiator in;
    fcp_session_responder re;
    fcp_session_out o1, o2;
} fx;

static fx *fx_new(int require_cookie)
{
    fx *f = calloc(1, sizeof *f);
    fcp_clock_manual_init(&f->clk, T0 * SEC);
    fcp_rng_xoshiro_init(&f->rng, 42);
    cfg_for(&f->ci, A_ID, a_sk, &g_trust);
    cfg_for(&f->cr, B_ID, b_sk, &g_trust);
    f->cr.require_cookie = require_cookie;
    CHECK_ERR(fcp_session_initiator_init(&f->in, &f->ci, B_ID), 0);
    CHECK_ERR(fcp_session_responder_init(&f->re, &f->cr, &f->clk.clock, &f->rng.rng), 0);
    return f;
}

static void fx_free(fx *f)
{
    fcp_session_responder_free(&f->re);
    fcp_session_initiator_wipe(&f->in);
    free(f);
}

static int keys_match(const fcp_session_keys *a, const fcp_session_keys *b)
{
    return memcmp(a->session_id, b->session_id, 16) == 0 && a->suite == b->suite &&
           memcmp(a->k_mac_i2r, b->k_mac_i2r, 32) == 0 &&
           memcmp(a->k_mac_r2i, b->k_mac_r2i, 32) == 0 && memcmp(a->k_ctx, b->k_ctx, 32) == 0;
}

static void test_handshake_plain(void)
{
    fx *f = fx_new(0);
    const fcp_clock *c = &f->clk.clock;
    const fcp_rng *r = &f->rng.rng;
    CHECK_ERR(fcp_session_initiator_start(&f->in, c, r, &f->o1), 0);
    CHECK(f->o1.event == FCP_SESSION_EV_SENT && f->o1.msg_len > 6);
    CHECK(fcp_session_is_handshake(f->o1.msg, f->o1.msg_len));
    CHECK(f->in.state == FCP_SESSION_I_HELLO_SENT);
    CHECK_ERR(fcp_session_responder_receive(&f->re, f->o1.msg, f->o1.msg_len, c, r, &f->o2), 0);
    CHECK(f->o2.event == FCP_SESSION_EV_ESTABLISHED && f->o2.msg_len > 6);
    CHECK(!fcp_session_is_handshake(f->o2.keys.session_id, 16));
    fcp_session_out o3;
    CHECK_ERR(fcp_session_initiator_receive(&f->in, f->o2.msg, f->o2.msg_len, c, r, &o3), 0);
    CHECK(o3.event == FCP_SESSION_EV_ESTABLISHED && o3.msg_len == 0);
    CHECK(f->in.state == FCP_SESSION_I_ESTABLISHED);
    CHECK(keys_match(&o3.keys, &f->o2.keys));
    CHECK_EQ(o3.keys.suite, 1);
    CHECK(o3.keys.is_initiator == 1 && f->o2.keys.is_initiator == 0);
    CHECK(!strcmp(o3.keys.peer, B_ID) && !strcmp(f->o2.keys.peer, A_ID));
    CHECK_EQ(o3.keys.send_max, 1200);
    CHECK_EQ(f->o2.keys.send_max, 1200);
    /* ephemeral secret wiped once used */
    static const uint8_t zero[32];
    CHECK_MEM(f->in.eph_sk, zero, 32);
    /* the same Ack again: unexpected, nothing changes */
    CHECK_ERR(fcp_session_initiator_receive(&f->in, f->o2.msg, f->o2.msg_len, c, r, &o3), FCP_ESESSION_UNEXPECTED);
    CHECK(f->in.state == FCP_SESSION_I_ESTABLISHED);
    /* the same Hello again: duplicate */
    CHECK_ERR(fcp_session_responder_receive(&f->re, f->o1.msg, f->o1.msg_len, c, r, &f->o2), FCP_ESESSION_DUPLICATE_HELLO);
    CHECK(f->o2.event == FCP_SESSION_EV_NONE && f->o2.msg_len == 0);
    CHECK_EQ(f->re.established, 1);
    fx_free(f);
}

static void test_handshake_cookie_and_limits(void)
{
    fx *f = fx_new(1);
    const fcp_clock *c = &f->clk.clock;
    const fcp_rng *r = &f->rng.rng;
    /* bob prefers suite 2 and has a 1400-byte limit; alice offers 9000 */
    f->re.cfg.suites[0] = 2;
    f->re.cfg.suites[1] = 1;
    f->re.cfg.max_datagram = 1400;
    f->in.cfg.max_datagram = 9000;
    CHECK_ERR(fcp_session_initiator_start(&f->in, c, r, &f->o1), 0);
    CHECK_ERR(fcp_session_responder_receive(&f->re, f->o1.msg, f->o1.msg_len, c, r, &f->o2), 0);
    CHECK(f->o2.event == FCP_SESSION_EV_SENT);
    CHECK_EQ(f->o2.msg[5], FCP_SESSION_MSG_RETRY);
    CHECK_EQ(f->re.retries_sent, 1);
    CHECK_EQ(f->re.replay.n, 0); /* nothing recorded for an unanswered Hello */
    /* the HelloRetry is smaller than the Hello (no amplification) */
    CHECK(f->o2.msg_len < f->o1.msg_len);
    fcp_session_hello before = f->in.hello;
    fcp_session_out o3, o4, o5;
    CHECK_ERR(fcp_session_initiator_receive(&f->in, f->o2.msg, f->o2.msg_len, c, r, &o3), 0);
    CHECK(o3.event == FCP_SESSION_EV_SENT && f->in.state == FCP_SESSION_I_COOKIE_SENT);
    CHECK(f->in.hello.has_cookie);
    CHECK_MEM(f->in.hello.nonce, before.nonce, 16);
    CHECK_MEM(f->in.hello.eph_pubkey, before.eph_pubkey, 32);
    /* a second HelloRetry now is unexpected */
    CHECK_ERR(fcp_session_initiator_receive(&f->in, f->o2.msg, f->o2.msg_len, c, r, &o4), FCP_ESESSION_UNEXPECTED);
    CHECK(f->in.state == FCP_SESSION_I_COOKIE_SENT);
    CHECK_ERR(fcp_session_responder_receive(&f->re, o3.msg, o3.msg_len, c, r, &o4), 0);
    CHECK(o4.event == FCP_SESSION_EV_ESTABLISHED);
    CHECK_ERR(fcp_session_initiator_receive(&f->in, o4.msg, o4.msg_len, c, r, &o5), 0);
    CHECK(o5.event == FCP_SESSION_EV_ESTABLISHED && keys_match(&o4.keys, &o5.keys));
    CHECK_EQ(o5.keys.suite, 2);
    CHECK_EQ(o4.keys.send_max, 1400);  /* min(1400, 9000) */
    CHECK_EQ(o4.keys.recv_max, 1400);
    CHECK_EQ(o5.keys.send_max, 1200);  /* D-SESSION-3 */
    CHECK_EQ(o5.keys.recv_max, 9000);
    fx_free(f);
}

/* Re-wrap a Hello after mutating it; re-signs with sk when sk != NULL. */
static size_t hello_mut(const fcp_session_out *o, uint8_t *out, void (*mut)(fcp_session_hello *),
                        const uint8_t *sk)
{
    fcp_session_msg_type t;
    const uint8_t *body;
    size_t n, len = 0;
    fcp_session_hello h;
    CHECK_ERR(fcp_session_env_decode(o->msg, o->msg_len, &t, &body, &n), 0);
    CHECK_ERR(fcp_session_hello_decode(&h, body, n), 0);
    mut(&h);
    if (sk)
        CHECK_ERR(fcp_session_hello_sign(&h, sk), 0);
    uint8_t tmp[2048];
    fcp_buf b;
    fcp_buf_init_fixed(&b, tmp, sizeof tmp);
    CHECK_ERR(fcp_session_hello_encode(&h, &b), 0);
    CHECK_ERR(fcp_session_env_encode(out, FCP_SESSION_ENV_MAX, &len, FCP_SESSION_MSG_HELLO, b.data, b.len), 0);
    return len;
}

static void m_to(fcp_session_hello *h) { strcpy(h->to, "node:carol.mesh.ts.net"); }
static void m_self(fcp_session_hello *h) { strcpy(h->from, B_ID); }
static void m_nosig(fcp_session_hello *h) { h->has_signature = 0; }
static void m_suite2(fcp_session_hello *h) { h->n_suites = 1; h->suites[0] = 2; }
static void m_suite9(fcp_session_hello *h) { h->n_suites = 1; h->suites[0] = 9; }
static void m_cookie(fcp_session_hello *h) { h->has_cookie = 1; memset(h->cookie, 7, 32); }
static void m_from_mallory(fcp_session_hello *h) { strcpy(h->from, "node:mallory.mesh.ts.net"); }
static void m_zero_eph(fcp_session_hello *h) { memset(h->eph_pubkey, 0, 32); }
static void m_nonce(fcp_session_hello *h) { h->nonce[0] ^= 1; }
static void m_none(fcp_session_hello *h) { (void)h; }

static void test_responder_negatives(void)
{
    fx *f = fx_new(0);
    const fcp_clock *c = &f->clk.clock;
    const fcp_rng *r = &f->rng.rng;
    uint8_t m[FCP_SESSION_ENV_MAX];
    size_t n;
    CHECK_ERR(fcp_session_initiator_start(&f->in, c, r, &f->o1), 0);
    struct { void (*mut)(fcp_session_hello *); const uint8_t *sk; int want; } cases[] = {
        {m_to, a_sk, FCP_ESESSION_WRONG_PEER},
        {m_self, a_sk, FCP_ESESSION_WRONG_PEER},
        {m_nosig, NULL, FCP_ESESSION_MISSING_SIGNATURE},
        {m_suite9, a_sk, FCP_ESESSION_NO_MUTUAL_SUITE},
        {m_cookie, a_sk, FCP_ESESSION_COOKIE},
        {m_from_mallory, m_sk, FCP_ESESSION_UNKNOWN_PEER},
        {m_none, m_sk, FCP_ESESSION_BAD_SIGNATURE},
        {m_nonce, NULL, FCP_ESESSION_BAD_SIGNATURE},
        {m_zero_eph, a_sk, FCP_EBAD_KEY},
    };
    f->re.cfg.n_suites = 1; /* bob: suite 1 only, so m_suite2 is refused too */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        n = hello_mut(&f->o1, m, cases[i].mut, cases[i].sk);
        CHECK_ERR(fcp_session_responder_receive(&f->re, m, n, c, r, &f->o2), cases[i].want);
        CHECK(f->o2.event == FCP_SESSION_EV_NONE && f->o2.msg_len == 0);
    }
    n = hello_mut(&f->o1, m, m_suite2, a_sk);
    CHECK_ERR(fcp_session_responder_receive(&f->re, m, n, c, r, &f->o2), FCP_ESESSION_NO_MUTUAL_SUITE);
    CHECK_EQ(f->re.replay.n, 0);
    CHECK_EQ(f->re.established, 0);
    /* envelope and type errors */
    CHECK_ERR(fcp_session_responder_receive(&f->re, (const uint8_t *)"FCPS\x01\x01", 6, c, r, &f->o2), FCP_ESESSION_ENVELOPE);
    memcpy(m, f->o1.msg, f->o1.msg_len);
    m[5] = FCP_SESSION_MSG_ACK;
    CHECK_ERR(fcp_session_responder_receive(&f->re, m, f->o1.msg_len, c, r, &f->o2), FCP_ESESSION_UNEXPECTED);
    m[4] = 9;
    CHECK_ERR(fcp_session_responder_receive(&f->re, m, f->o1.msg_len, c, r, &f->o2), FCP_ESESSION_VERSION);
    CHECK_ERR(fcp_session_responder_receive(&f->re, f->o1.msg, f->o1.msg_len - 1, c, r, &f->o2), FCP_ECBOR_TRUNCATED);
    /* clock skew: 120 s is fine, 121 s is not (both directions) */
    fcp_clock_manual_advance(&f->clk, 121 * SEC);
    CHECK_ERR(fcp_session_responder_receive(&f->re, f->o1.msg, f->o1.msg_len, c, r, &f->o2), FCP_ESESSION_SKEW);
    fcp_session_initiator in2;
    fcp_session_out oh;
    CHECK_ERR(fcp_session_initiator_init(&in2, &f->ci, B_ID), 0);
    fcp_clock_manual mc;
    fcp_clock_manual_init(&mc, (T0 + 121 + 121) * SEC);
    CHECK_ERR(fcp_session_initiator_start(&in2, &mc.clock, r, &oh), 0);
    CHECK_ERR(fcp_session_responder_receive(&f->re, oh.msg, oh.msg_len, c, r, &f->o2), FCP_ESESSION_SKEW);
    fcp_clock_manual_init(&mc, (T0 + 121 + 120) * SEC);
    CHECK_ERR(fcp_session_initiator_start(&in2, &mc.clock, r, &oh), FCP_ESESSION_STATE);
    CHECK_EQ(f->re.rejected, 16);
    /* the original Hello is still accepted within skew */
    fcp_clock_manual_init(&f->clk, (T0 + 120) * SEC);
    CHECK_ERR(fcp_session_responder_receive(&f->re, f->o1.msg, f->o1.msg_len, c, r, &f->o2), 0);
    CHECK_EQ(f->re.established, 1);
    fx_free(f);
}

static void test_attestation_rules(void)
{
    fcp_session_trust t;
    fcp_node_attestation att;
    const uint8_t *pk;
    trust_setup(&t, T0 + 100);
    CHECK_ERR(fcp_session_trust_lookup(&t, A_ID, strlen(A_ID), T0 + 99, &pk), 0);
    CHECK_MEM(pk, a_pk, 32);
    CHECK_ERR(fcp_session_trust_lookup(&t, A_ID, strlen(A_ID), T0 + 100, &pk), FCP_ESESSION_ATTESTATION_EXPIRED);
    CHECK(pk == NULL);
    CHECK_ERR(fcp_session_trust_lookup(&t, "node:x", 6, T0, &pk), FCP_ESESSION_UNKNOWN_PEER);
    /* an attestation not yet valid (issued far in the future) */
    t.att[1].issued_at = T0 + 10000;
    CHECK_ERR(fcp_session_trust_lookup(&t, B_ID, strlen(B_ID), T0, &pk), FCP_ESESSION_ATTESTATION);
    /* the store refuses attestations the owner did not sign or that expired */
    make_att(&att, "node:carol.mesh.ts.net", m_pk, T0 - 10, 0);
    att.signature[3] ^= 1;
    CHECK_ERR(fcp_session_trust_add(&t, &att, T0), FCP_EBAD_SIGNATURE);
    make_att(&att, "node:carol.mesh.ts.net", m_pk, T0 - 10, T0 - 1);
    CHECK_ERR(fcp_session_trust_add(&t, &att, T0), FCP_EATTESTATION_EXPIRED);
    CHECK_EQ(t.n, 2);

    /* through the engine: alice's attestation expires between two handshakes */
    fcp_session_trust t2;
    trust_setup(&t2, T0 + 100);
    fx *f = fx_new(0);
    f->re.cfg.trust = &t2;
    f->in.cfg.trust = &t2;
    fcp_clock_manual_init(&f->clk, (T0 + 100) * SEC);
    CHECK_ERR(fcp_session_initiator_start(&f->in, &f->clk.clock, &f->rng.rng, &f->o1), 0);
    CHECK_ERR(fcp_session_responder_receive(&f->re, f->o1.msg, f->o1.msg_len, &f->clk.clock, &f->rng.rng, &f->o2), FCP_ESESSION_ATTESTATION_EXPIRED);
    fx_free(f);
}

/* Ack mutation helper: decode, mutate, optionally re-sign with sk over the
 * initiator's Hello, re-wrap. */
static const fcp_session_hello *g_hello;
static size_t ack_mut(const fcp_session_out *o, uint8_t *out, void (*mut)(fcp_session_ack *),
                      const uint8_t *sk)
{
    fcp_session_msg_type t;
    const uint8_t *body;
    size_t n, len = 0;
    fcp_session_ack a;
    CHECK_ERR(fcp_session_env_decode(o->msg, o->msg_len, &t, &body, &n), 0);
    CHECK_ERR(fcp_session_ack_decode(&a, body, n), 0);
    mut(&a);
    if (sk)
        CHECK_ERR(fcp_session_ack_sign(&a, g_hello->eph_pubkey, g_hello->nonce, sk), 0);
    uint8_t tmp[2048];
    fcp_buf b;
    fcp_buf_init_fixed(&b, tmp, sizeof tmp);
    CHECK_ERR(fcp_session_ack_encode(&a, &b), 0);
    CHECK_ERR(fcp_session_env_encode(out, FCP_SESSION_ENV_MAX, &len, FCP_SESSION_MSG_ACK, b.data, b.len), 0);
    return len;
}

static void a_from(fcp_session_ack *a) { strcpy(a->from, "node:carol.mesh.ts.net"); }
static void a_to(fcp_session_ack *a) { strcpy(a->to, "node:carol.mesh.ts.net"); }
static void a_suite3(fcp_session_ack *a) { a->suite = 3; }
static void a_suite0(fcp_session_ack *a) { a->suite = 0; }
static void a_sid(fcp_session_ack *a) { memcpy(a->session_id, "FCPH", 4); }
static void a_skew(fcp_session_ack *a) { a->timestamp += 121; }
static void a_nosig(fcp_session_ack *a) { a->has_signature = 0; }
static void a_eph(fcp_session_ack *a) { a->eph_pubkey[5] ^= 1; }
static void a_zero_eph(fcp_session_ack *a) { memset(a->eph_pubkey, 0, 32); }
static void a_none(fcp_session_ack *a) { (void)a; }

static void test_initiator_negatives(void)
{
    fx *f = fx_new(0);
    const fcp_clock *c = &f->clk.clock;
    const fcp_rng *r = &f->rng.rng;
    uint8_t m[FCP_SESSION_ENV_MAX];
    size_t n;
    fcp_session_out o;
    /* an Ack before any Hello */
    CHECK_ERR(fcp_session_initiator_start(&f->in, c, r, &f->o1), 0);
    CHECK_ERR(fcp_session_responder_receive(&f->re, f->o1.msg, f->o1.msg_len, c, r, &f->o2), 0);
    fcp_session_initiator idle;
    CHECK_ERR(fcp_session_initiator_init(&idle, &f->ci, B_ID), 0);
    CHECK_ERR(fcp_session_initiator_receive(&idle, f->o2.msg, f->o2.msg_len, c, r, &o), FCP_ESESSION_UNEXPECTED);
    CHECK(idle.state == FCP_SESSION_I_IDLE);
    /* a Hello to an initiator */
    CHECK_ERR(fcp_session_initiator_receive(&f->in, f->o1.msg, f->o1.msg_len, c, r, &o), FCP_ESESSION_UNEXPECTED);
    g_hello = &f->in.hello;
    fcp_session_initiator saved = f->in;
    struct { void (*mut)(fcp_session_ack *); const uint8_t *sk; int want; } cases[] = {
        {a_from, b_sk, FCP_ESESSION_WRONG_PEER},
        {a_to, b_sk, FCP_ESESSION_WRONG_PEER},
        {a_suite3, b_sk, FCP_ESESSION_SUITE},
        {a_suite0, b_sk, FCP_ESESSION_SUITE},
        {a_sid, b_sk, FCP_ESESSION_ID_RESERVED},
        {a_skew, b_sk, FCP_ESESSION_SKEW},
        {a_nosig, NULL, FCP_ESESSION_MISSING_SIGNATURE},
        {a_eph, NULL, FCP_ESESSION_BAD_SIGNATURE},
        {a_none, m_sk, FCP_ESESSION_BAD_SIGNATURE},
        {a_zero_eph, b_sk, FCP_EBAD_KEY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        n = ack_mut(&f->o2, m, cases[i].mut, cases[i].sk);
        CHECK_ERR(fcp_session_initiator_receive(&f->in, m, n, c, r, &o), cases[i].want);
        CHECK(o.event == FCP_SESSION_EV_NONE);
        CHECK(memcmp(&saved, &f->in, sizeof saved) == 0);
    }
    /* an Ack from a peer the trust store does not know */
    fcp_session_trust t;
    fcp_session_trust_init(&t, owner_pk);
    f->in.cfg.trust = &t;
    CHECK_ERR(fcp_session_initiator_receive(&f->in, f->o2.msg, f->o2.msg_len, c, r, &o), FCP_ESESSION_UNKNOWN_PEER);
    f->in.cfg.trust = &g_trust;
    /* HelloRetry: wrong peer, skew */
    fcp_session_retry rt;
    memset(&rt, 0, sizeof rt);
    strcpy(rt.from, "node:carol.mesh.ts.net");
    strcpy(rt.to, A_ID);
    rt.timestamp = T0;
    uint8_t tmp[512];
    fcp_buf b;
    fcp_buf_init_fixed(&b, tmp, sizeof tmp);
    CHECK_ERR(fcp_session_retry_encode(&rt, &b), 0);
    CHECK_ERR(fcp_session_env_encode(m, sizeof m, &n, FCP_SESSION_MSG_RETRY, b.data, b.len), 0);
    CHECK_ERR(fcp_session_initiator_receive(&f->in, m, n, c, r, &o), FCP_ESESSION_WRONG_PEER);
    strcpy(rt.from, B_ID);
    rt.timestamp = T0 - 500;
    fcp_buf_init_fixed(&b, tmp, sizeof tmp);
    CHECK_ERR(fcp_session_retry_encode(&rt, &b), 0);
    CHECK_ERR(fcp_session_env_encode(m, sizeof m, &n, FCP_SESSION_MSG_RETRY, b.data, b.len), 0);
    CHECK_ERR(fcp_session_initiator_receive(&f->in, m, n, c, r, &o), FCP_ESESSION_SKEW);
    CHECK(memcmp(&saved, &f->in, sizeof saved) == 0);
    /* start while a handshake is in flight */
    CHECK_ERR(fcp_session_initiator_start(&f->in, c, r, &o), FCP_ESESSION_STATE);
    /* finally the genuine Ack */
    CHECK_ERR(fcp_session_initiator_receive(&f->in, f->o2.msg, f->o2.msg_len, c, r, &o), 0);
    CHECK(o.event == FCP_SESSION_EV_ESTABLISHED && keys_match(&o.keys, &f->o2.keys));
    /* rekey: a fresh Hello from ESTABLISHED */
    fcp_session_out o2;
    CHECK_ERR(fcp_session_initiator_start(&f->in, c, r, &o2), 0);
    CHECK(f->in.state == FCP_SESSION_I_HELLO_SENT);
    fx_free(f);
    /* bad configurations */
    fcp_session_config bad;
    fcp_session_initiator x;
    cfg_for(&bad, A_ID, a_sk, &g_trust);
    bad.n_suites = 1;
    bad.suites[0] = 3;
    CHECK_ERR(fcp_session_initiator_init(&x, &bad, B_ID), FCP_EINVAL);
    cfg_for(&bad, A_ID, a_sk, &g_trust);
    bad.max_datagram = 100;
    CHECK_ERR(fcp_session_initiator_init(&x, &bad, B_ID), FCP_EINVAL);
    cfg_for(&bad, "", a_sk, &g_trust);
    CHECK_ERR(fcp_session_initiator_init(&x, &bad, B_ID), FCP_ESESSION_NODE_ID);
    cfg_for(&bad, A_ID, a_sk, &g_trust);
    CHECK_ERR(fcp_session_initiator_init(&x, &bad, ""), FCP_ESESSION_NODE_ID);
    CHECK_ERR(fcp_session_initiator_init(&x, NULL, B_ID), FCP_EINVAL);
}

static void test_timeouts(void)
{
    fx *f = fx_new(0);
    const fcp_clock *c = &f->clk.clock;
    const fcp_rng *r = &f->rng.rng;
    fcp_session_out o;
    CHECK_ERR(fcp_session_initiator_tick(&f->in, c, r, &o), 0); /* idle: nothing */
    CHECK(o.event == FCP_SESSION_EV_NONE);
    CHECK_ERR(fcp_session_initiator_start(&f->in, c, r, &f->o1), 0);
    uint8_t first_nonce[16];
    memcpy(first_nonce, f->in.hello.nonce, 16);
    fcp_clock_manual_advance(&f->clk, 999 * 1000000ull);
    CHECK_ERR(fcp_session_initiator_tick(&f->in, c, r, &o), 0);
    CHECK(o.event == FCP_SESSION_EV_NONE);
    fcp_clock_manual_advance(&f->clk, 1000000ull);
    CHECK_ERR(fcp_session_initiator_tick(&f->in, c, r, &o), 0);
    CHECK(o.event == FCP_SESSION_EV_SENT && f->in.attempts == 2);
    CHECK(memcmp(first_nonce, f->in.hello.nonce, 16) != 0); /* a fresh Hello */
    /* the Ack to the first Hello no longer verifies */
    CHECK_ERR(fcp_session_responder_receive(&f->re, f->o1.msg, f->o1.msg_len, c, r, &f->o2), 0);
    CHECK_ERR(fcp_session_initiator_receive(&f->in, f->o2.msg, f->o2.msg_len, c, r, &o), FCP_ESESSION_BAD_SIGNATURE);
    for (int i = 0; i < 3; i++) {
        fcp_clock_manual_advance(&f->clk, SEC);
        CHECK_ERR(fcp_session_initiator_tick(&f->in, c, r, &o), 0);
        CHECK(o.event == FCP_SESSION_EV_SENT);
    }
    CHECK_EQ(f->in.attempts, 5);
    fcp_clock_manual_advance(&f->clk, SEC);
    CHECK_ERR(fcp_session_initiator_tick(&f->in, c, r, &o), 0);
    CHECK(o.event == FCP_SESSION_EV_FAILED && o.error == FCP_ESESSION_TIMEOUT);
    CHECK(f->in.state == FCP_SESSION_I_FAILED);
    /* restart after failure */
    CHECK_ERR(fcp_session_initiator_start(&f->in, c, r, &o), 0);
    CHECK(f->in.state == FCP_SESSION_I_HELLO_SENT && f->in.attempts == 1);
    fx_free(f);
}

static void test_cookie_rotation(void)
{
    fx *f = fx_new(1);
    const fcp_clock *c = &f->clk.clock;
    const fcp_rng *r = &f->rng.rng;
    fcp_session_out o3, o4;
    CHECK_ERR(fcp_session_initiator_start(&f->in, c, r, &f->o1), 0);
    CHECK_ERR(fcp_session_responder_receive(&f->re, f->o1.msg, f->o1.msg_len, c, r, &f->o2), 0);
    CHECK_ERR(fcp_session_initiator_receive(&f->in, f->o2.msg, f->o2.msg_len, c, r, &o3), 0);
    uint8_t k0[32];
    memcpy(k0, f->re.cookie_key, 32);
    /* two rotations: the cookie's key is retired */
    CHECK_ERR(fcp_session_responder_rotate(&f->re, c, r), 0);
    CHECK_ERR(fcp_session_responder_rotate(&f->re, c, r), 0);
    CHECK_ERR(fcp_session_responder_receive(&f->re, o3.msg, o3.msg_len, c, r, &o4), FCP_ESESSION_COOKIE);
    CHECK(o4.event == FCP_SESSION_EV_NONE && o4.msg_len == 0);
    /* one rotation: the cookie still verifies under the previous key */
    memcpy(f->re.cookie_key, k0, 32);
    CHECK_ERR(fcp_session_responder_rotate(&f->re, c, r), 0);
    CHECK_ERR(fcp_session_responder_receive(&f->re, o3.msg, o3.msg_len, c, r, &o4), 0);
    CHECK(o4.event == FCP_SESSION_EV_ESTABLISHED);
    /* time-driven rotation: cookie_rotate_secs later the next message rotates */
    uint64_t before = f->re.cookie_rotated_at;
    fcp_clock_manual_advance(&f->clk, 120 * SEC);
    CHECK_ERR(fcp_session_responder_receive(&f->re, (const uint8_t *)"xx", 2, c, r, &o4), FCP_ESESSION_ENVELOPE);
    CHECK(f->re.cookie_rotated_at == before + 120);
    fx_free(f);
}

/* ---- channel --------------------------------------------------------------- */

static uint8_t g_frame[FCP_FCPS_FRAME_BYTES(1, 256)];
static size_t g_frame_len;

static void make_frame(void)
{
    uint8_t oid[32] = {1}, zk[8] = {2}, zh[32] = {3}, data[256] = {4};
    fcp_fcps_header h;
    fcp_fcps_record rec = {0, 1, data, NULL};
    fcp_fcps_limits lim;
    memset(&h, 0, sizeof h);
    h.flags = FCP_FCPS_FLAGS_DEFAULT;
    h.object_id = oid;
    h.symbol_size = 256;
    h.zone_key_id = zk;
    h.zone_id_hash = zh;
    h.epoch_id = 1;
    h.sender_instance_id = 7;
    h.frame_seq = 1;
    fcp_fcps_limits_default(&lim);
    static const uint8_t tag[16];
    rec.tag = tag;
    CHECK_ERR(fcp_fcps_encode(g_frame, sizeof g_frame, &g_frame_len, &h, &rec, 1, &lim), 0);
}

/* Run a full handshake on f and install the results into ci / cr. */
static void handshake_into(fx *f, fcp_session_chan *ci, fcp_session_chan *cr, fcp_session_keys *ki,
                           fcp_session_keys *kr)
{
    const fcp_clock *c = &f->clk.clock;
    const fcp_rng *r = &f->rng.rng;
    fcp_session_out o;
    CHECK_ERR(fcp_session_initiator_start(&f->in, c, r, &f->o1), 0);
    CHECK_ERR(fcp_session_responder_receive(&f->re, f->o1.msg, f->o1.msg_len, c, r, &f->o2), 0);
    CHECK_ERR(fcp_session_initiator_receive(&f->in, f->o2.msg, f->o2.msg_len, c, r, &o), 0);
    if (ki)
        *ki = o.keys;
    if (kr)
        *kr = f->o2.keys;
    if (ci)
        CHECK_ERR(fcp_session_chan_install(ci, &o.keys, c), 0);
    if (cr)
        CHECK_ERR(fcp_session_chan_install(cr, &f->o2.keys, c), 0);
}

static int send_to(fcp_session_chan *from, fcp_session_chan *to, const fcp_clock *c, uint8_t *dg,
                   size_t *dlen)
{
    fcp_dgram d;
    fcp_fcps_frame fr;
    int rc = fcp_session_chan_seal(from, dg, 1200, dlen, g_frame, g_frame_len);
    if (rc < 0)
        return rc;
    return fcp_session_chan_receive(to, dg, *dlen, c, &d, &fr);
}

static void test_channel(void)
{
    fx *f = fx_new(0);
    const fcp_clock *c = &f->clk.clock;
    fcp_session_chan ci, cr;
    fcp_session_policy pol;
    fcp_dgram d;
    fcp_fcps_frame fr;
    uint8_t dg[1200], old1[1200], old2[1200];
    size_t n, n1, n2;
    fcp_session_policy_default(&pol);
    pol.rekey_after_frames = 3;
    fcp_session_chan_init(&ci, &pol);
    fcp_session_chan_init(&cr, &pol);
    CHECK_ERR(fcp_session_chan_seal(&ci, dg, sizeof dg, &n, g_frame, g_frame_len), FCP_ESESSION_NO_SESSION);
    CHECK_ERR(fcp_session_chan_receive(&cr, dg, 100, c, &d, &fr), FCP_ESESSION_NO_SESSION);
    handshake_into(f, &ci, &cr, NULL, NULL);
    CHECK_ERR(send_to(&ci, &cr, c, dg, &n), 0);
    CHECK_ERR(send_to(&cr, &ci, c, dg, &n), 0);
    CHECK_ERR(fcp_session_chan_receive(&ci, dg, n, c, &d, &fr), FCP_EREPLAY_DUPLICATE);
    CHECK(!fcp_session_chan_rekey_due(&ci, c));
    CHECK_ERR(send_to(&ci, &cr, c, old1, &n1), 0);
    /* two datagrams sealed under S0 but still in flight */
    CHECK_ERR(fcp_session_chan_seal(&ci, old1, sizeof old1, &n1, g_frame, g_frame_len), 0);
    CHECK(fcp_session_chan_rekey_due(&ci, c)); /* 3 frames sent */
    CHECK_ERR(fcp_session_chan_seal(&ci, old2, sizeof old2, &n2, g_frame, g_frame_len), 0);
    /* rekey */
    handshake_into(f, &ci, &cr, NULL, NULL);
    CHECK(!fcp_session_chan_rekey_due(&ci, c));
    CHECK(ci.has_prev && cr.has_prev && !cr.cur_confirmed);
    /* the responder still sends under S0 until S1 is confirmed */
    CHECK_ERR(fcp_session_chan_seal(&cr, dg, sizeof dg, &n, g_frame, g_frame_len), 0);
    CHECK(memcmp(dg, cr.rx_prev.session_id, 16) == 0);
    CHECK_ERR(fcp_session_chan_receive(&ci, dg, n, c, &d, &fr), 0); /* initiator: S0 in grace */
    CHECK_ERR(fcp_session_chan_receive(&cr, old1, n1, c, &d, &fr), 0); /* S0, no deadline yet */
    CHECK_ERR(send_to(&ci, &cr, c, dg, &n), 0);                       /* first S1: confirms */
    CHECK(cr.cur_confirmed);
    CHECK_ERR(fcp_session_chan_seal(&cr, dg, sizeof dg, &n, g_frame, g_frame_len), 0);
    CHECK(memcmp(dg, cr.rx_cur.session_id, 16) == 0);
    /* grace: S0 datagrams verify until grace_ms after confirmation */
    fcp_clock_manual_advance(&f->clk, 9999 * 1000000ull);
    CHECK_ERR(fcp_session_chan_receive(&cr, old1, n1, c, &d, &fr), FCP_EREPLAY_DUPLICATE);
    fcp_clock_manual_advance(&f->clk, 1000000ull);
    CHECK_ERR(fcp_session_chan_receive(&cr, old2, n2, c, &d, &fr), FCP_ESESSION_GRACE_EXPIRED);
    CHECK_EQ(cr.grace_expired, 1);
    /* an unconfirmed session is replaced, not retired: the prev stays S1 */
    uint8_t s1[16];
    memcpy(s1, cr.rx_cur.session_id, 16);
    handshake_into(f, NULL, &cr, NULL, NULL); /* S2's Ack "lost": initiator never installs */
    handshake_into(f, &ci, &cr, NULL, NULL);  /* S3 */
    CHECK(memcmp(cr.rx_prev.session_id, s1, 16) == 0);
    CHECK_ERR(send_to(&ci, &cr, c, dg, &n), 0);
    CHECK_EQ(cr.installs, 4);
    /* unknown session id: counted by the current receive engine */
    memset(dg, 0x99, 16);
    CHECK_ERR(fcp_session_chan_receive(&cr, dg, n, c, &d, &fr), FCP_EDGRAM_SESSION);
    CHECK_ERR(fcp_session_chan_receive(&cr, dg, 10, c, &d, &fr), FCP_EDGRAM_TOO_SHORT);
    /* byte and time triggers */
    pol.rekey_after_frames = 1000;
    pol.rekey_after_bytes = 2 * n;
    ci.pol = pol;
    ci.frames_sent = ci.bytes_sent = 0;
    CHECK_ERR(send_to(&ci, &cr, c, dg, &n), 0);
    CHECK(!fcp_session_chan_rekey_due(&ci, c));
    CHECK_ERR(send_to(&ci, &cr, c, dg, &n), 0);
    CHECK(fcp_session_chan_rekey_due(&ci, c));
    ci.pol.rekey_after_bytes = UINT64_MAX;
    CHECK(!fcp_session_chan_rekey_due(&ci, c));
    fcp_clock_manual_advance(&f->clk, 86400 * SEC);
    CHECK(fcp_session_chan_rekey_due(&ci, c));
    fcp_session_chan_wipe(&ci);
    fcp_session_chan_wipe(&cr);
    CHECK(!ci.has_cur && !fcp_session_chan_rekey_due(&ci, c));
    fx_free(f);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    keypair(owner_pk, owner_sk, 0x01);
    keypair(a_pk, a_sk, 0xa1);
    keypair(b_pk, b_sk, 0xb2);
    keypair(m_pk, m_sk, 0xc3);
    trust_setup(&g_trust, 0);
    make_frame();
    test_handshake_plain();
    test_handshake_cookie_and_limits();
    test_responder_negatives();
    test_attestation_rules();
    test_initiator_negatives();
    test_timeouts();
    test_cookie_rotation();
    test_channel();
    return fcp_t_done("wire_session_sm_test");
}
