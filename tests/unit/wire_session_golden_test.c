/*
 * wire_session_golden_test.c - the session decisions (docs/protocol/decisions.md,
 * D-SESSION-*) checked against the JSON files of conformance/golden/session, which
 * gen_session_golden.py writes from the rules with Python's `cryptography`
 * and its own CBOR writer.  The engines are driven with a scripted RNG and a
 * manual clock so that every handshake and data datagram must match byte for
 * byte.  Run from the repository root (scripts/run-tests.sh does).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_attest.h"
#include "fcp/session.h"

static json_t *load(const char *file)
{
    char path[256];
    snprintf(path, sizeof path, "conformance/golden/session/%s", file);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j)
        fprintf(stderr, "%s: %s\n", path, err.text);
    CHECK(j != NULL);
    return j;
}

static void hexfill(uint8_t *out, size_t n, const char *hex)
{
    size_t len = 0;
    uint8_t *p = fcp_t_unhex(hex, &len);
    CHECK(p != NULL && len == n);
    if (p && len == n)
        memcpy(out, p, n);
    free(p);
}

static int verdict_is(int rc, const char *want)
{
    if (!strcmp(want, "ok"))
        return rc == 0;
    const char *name = fcp_error_name(rc);
    return name && !strcmp(name, want);
}

/* An RNG that hands out a script of byte strings, one per fill call. */
typedef struct scripted {
    fcp_rng rng;
    uint8_t bytes[8][32];
    size_t  lens[8], n, next;
} scripted;

static int scripted_fill(void *ctx, uint8_t *out, size_t n)
{
    scripted *s = ctx;
    if (s->next >= s->n || s->lens[s->next] != n)
        return FCP_ERNG;
    memcpy(out, s->bytes[s->next++], n);
    return 0;
}

static void script(scripted *s, const json_t *in, const char *const *keys, const size_t *lens, size_t n)
{
    memset(s, 0, sizeof *s);
    s->rng.fill = scripted_fill;
    s->rng.ctx = s;
    for (size_t i = 0; i < n; i++) {
        hexfill(s->bytes[i], lens[i], fcp_t_jstr(in, keys[i]));
        s->lens[i] = lens[i];
    }
    s->n = n;
}

static const uint8_t *dgram(const json_t *j, size_t i, size_t *len, uint8_t *buf)
{
    const char *hex = fcp_t_jstr(json_array_get(json_object_get(j, "datagrams"), i), "hex");
    size_t n = 0;
    uint8_t *p = fcp_t_unhex(hex, &n);
    CHECK(p != NULL && n <= 2048);
    if (p && n <= 2048)
        memcpy(buf, p, n);
    free(p);
    *len = n;
    return buf;
}

static void test_envelope_handshake(void)
{
    json_t *j = load("d-session-2-envelope.json");
    if (!j)
        return;
    const json_t *in = json_object_get(j, "inputs");
    uint8_t iseed[32], rseed[32], ipk[32], isk[64], rpk[32], rsk[64];
    hexfill(iseed, 32, fcp_t_jstr(in, "initiator_ed25519_seed_hex"));
    hexfill(rseed, 32, fcp_t_jstr(in, "responder_ed25519_seed_hex"));
    fcp_ed25519_keypair_from_seed(ipk, isk, iseed);
    fcp_ed25519_keypair_from_seed(rpk, rsk, rseed);
    const char *iid = fcp_t_jstr(in, "initiator_id"), *rid = fcp_t_jstr(in, "responder_id");

    uint64_t t_add = (uint64_t)json_integer_value(json_object_get(in, "hello_timestamp"));
    /* Owner-signed attestations for both nodes (any owner key: the golden
     * bytes do not depend on it). */
    static fcp_session_trust t;
    uint8_t opk[32], osk[64], oseed[32];
    memset(oseed, 0x01, 32);
    fcp_ed25519_keypair_from_seed(opk, osk, oseed);
    fcp_session_trust_init(&t, opk);
    const char *ids[2] = {iid, rid};
    const uint8_t *pks[2] = {ipk, rpk};
    for (int i = 0; i < 2; i++) {
        fcp_node_attestation a;
        uint8_t x[32], spk[32], ssk[64], sseed[32];
        memset(&a, 0, sizeof a);
        strcpy(a.node_id, ids[i]);
        memcpy(a.node_sig_pubkey, pks[i], 32);
        memset(x, 0x10 + i, 32);
        fcp_x25519_base(a.node_enc_pubkey, x);
        memset(sseed, 0x70 + i, 32);
        fcp_ed25519_keypair_from_seed(spk, ssk, sseed);
        memcpy(a.node_iss_pubkey, spk, 32);
        a.issued_at = t_add - 60;
        CHECK_ERR(fcp_attestation_sign(&a, osk), 0);
        CHECK_ERR(fcp_session_trust_add(&t, &a, t_add), 0);
    }

    uint64_t ts = (uint64_t)json_integer_value(json_object_get(in, "hello_timestamp"));
    uint64_t ats = (uint64_t)json_integer_value(json_object_get(in, "ack_timestamp"));
    fcp_clock_manual clk;
    fcp_clock_manual_init(&clk, ts * 1000000000ull);
    scripted ri, rr;
    static const char *const ikeys[] = {"initiator_eph_sk_hex", "hello_nonce_hex"};
    static const size_t ilens[] = {32, 16};
    static const char *const rkeys[] = {"cookie_key_hex", "responder_eph_sk_hex", "ack_nonce_hex",
                                        "session_id_hex"};
    static const size_t rlens[] = {32, 32, 16, 16};
    script(&ri, in, ikeys, ilens, 2);
    script(&rr, in, rkeys, rlens, 4);

    fcp_session_config ci, cr;
    memset(&ci, 0, sizeof ci);
    ci.self_id = iid;
    ci.sig_sk = isk;
    ci.trust = &t;
    cr = ci;
    cr.self_id = rid;
    cr.sig_sk = rsk;
    cr.require_cookie = 1;
    static fcp_session_initiator ini;
    static fcp_session_responder res;
    static fcp_session_out o1, o2, o3, o4, o5;
    CHECK_ERR(fcp_session_initiator_init(&ini, &ci, rid), 0);
    CHECK_ERR(fcp_session_responder_init(&res, &cr, &clk.clock, &rr.rng), 0);

    uint8_t want[2048];
    size_t wn;
    CHECK_ERR(fcp_session_initiator_start(&ini, &clk.clock, &ri.rng, &o1), 0);
    dgram(j, 0, &wn, want);
    CHECK(o1.msg_len == wn && memcmp(o1.msg, want, wn) == 0);
    CHECK_ERR(fcp_session_responder_receive(&res, o1.msg, o1.msg_len, &clk.clock, &rr.rng, &o2), 0);
    dgram(j, 1, &wn, want);
    CHECK(o2.event == FCP_SESSION_EV_SENT && o2.msg_len == wn && memcmp(o2.msg, want, wn) == 0);
    CHECK_ERR(fcp_session_initiator_receive(&ini, o2.msg, o2.msg_len, &clk.clock, &ri.rng, &o3), 0);
    dgram(j, 2, &wn, want);
    CHECK(o3.msg_len == wn && memcmp(o3.msg, want, wn) == 0);
    fcp_clock_manual_advance(&clk, (ats - ts) * 1000000000ull);
    CHECK_ERR(fcp_session_responder_receive(&res, o3.msg, o3.msg_len, &clk.clock, &rr.rng, &o4), 0);
    dgram(j, 3, &wn, want);
    CHECK(o4.event == FCP_SESSION_EV_ESTABLISHED && o4.msg_len == wn && memcmp(o4.msg, want, wn) == 0);
    CHECK_ERR(fcp_session_initiator_receive(&ini, o4.msg, o4.msg_len, &clk.clock, &ri.rng, &o5), 0);
    CHECK(o5.event == FCP_SESSION_EV_ESTABLISHED);
    const json_t *keys = json_object_get(j, "keys");
    uint8_t k[32];
    hexfill(k, 32, fcp_t_jstr(keys, "k_mac_i2r_hex"));
    CHECK_MEM(o5.keys.k_mac_i2r, k, 32);
    CHECK_MEM(o4.keys.k_mac_i2r, k, 32);
    hexfill(k, 32, fcp_t_jstr(keys, "k_mac_r2i_hex"));
    CHECK_MEM(o5.keys.k_mac_r2i, k, 32);
    hexfill(k, 32, fcp_t_jstr(keys, "k_ctx_hex"));
    CHECK_MEM(o4.keys.k_ctx, k, 32);

    /* first data datagram each way through the session channel */
    static fcp_session_chan chi, chr;
    fcp_session_chan_init(&chi, NULL);
    fcp_session_chan_init(&chr, NULL);
    CHECK_ERR(fcp_session_chan_install(&chi, &o5.keys, &clk.clock), 0);
    CHECK_ERR(fcp_session_chan_install(&chr, &o4.keys, &clk.clock), 0);
    size_t fn = 0;
    uint8_t *frame = fcp_t_unhex(fcp_t_jstr(in, "frame_hex"), &fn);
    uint8_t dg[1200];
    size_t dn;
    fcp_dgram d;
    fcp_fcps_frame fr;
    CHECK_ERR(fcp_session_chan_seal(&chi, dg, sizeof dg, &dn, frame, fn), 0);
    dgram(j, 4, &wn, want);
    CHECK(dn == wn && memcmp(dg, want, wn) == 0);
    CHECK(!fcp_session_is_handshake(dg, dn));
    CHECK_ERR(fcp_session_chan_receive(&chr, dg, dn, &clk.clock, &d, &fr), 0);
    CHECK_ERR(fcp_session_chan_seal(&chr, dg, sizeof dg, &dn, frame, fn), 0);
    dgram(j, 5, &wn, want);
    CHECK(dn == wn && memcmp(dg, want, wn) == 0);
    CHECK_ERR(fcp_session_chan_receive(&chi, dg, dn, &clk.clock, &d, &fr), 0);
    free(frame);

    /* every datagram classifies as its kind */
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "datagrams"), i, e) {
        dgram(j, i, &wn, want);
        CHECK_EQ(fcp_session_is_handshake(want, wn), !strcmp(fcp_t_jstr(e, "kind"), "handshake"));
    }
    json_array_foreach(json_object_get(j, "classify"), i, e) {
        size_t n = 0;
        uint8_t *p = fcp_t_unhex(fcp_t_jstr(e, "hex"), &n);
        CHECK_EQ(fcp_session_is_handshake(p, n), !strcmp(fcp_t_jstr(e, "kind"), "handshake"));
        free(p);
    }
    /* envelope rejects, as the responder sees them */
    json_array_foreach(json_object_get(j, "envelope_rejects"), i, e) {
        size_t n = 0;
        uint8_t *p = fcp_t_unhex(fcp_t_jstr(e, "hex"), &n);
        int rc = fcp_session_responder_receive(&res, p, n, &clk.clock, &rr.rng, &o2);
        if (!verdict_is(rc, fcp_t_jstr(e, "error")))
            fprintf(stderr, "envelope reject %zu: got %s want %s\n", i, fcp_error_name(rc), fcp_t_jstr(e, "error"));
        CHECK(verdict_is(rc, fcp_t_jstr(e, "error")));
        free(p);
    }
    /* an Ack with a session id starting with "FCPH" is refused by the
     * initiator (signature valid, so only the D-SESSION-2 rule stops it) */
    const json_t *rs = json_object_get(j, "ack_with_reserved_session_id");
    ini.state = FCP_SESSION_I_COOKIE_SENT;
    size_t n = 0;
    uint8_t *p = fcp_t_unhex(fcp_t_jstr(rs, "hex"), &n);
    CHECK(verdict_is(fcp_session_initiator_receive(&ini, p, n, &clk.clock, &ri.rng, &o5),
                     fcp_t_jstr(rs, "initiator_error")));
    free(p);
    fcp_session_chan_wipe(&chi);
    fcp_session_chan_wipe(&chr);
    fcp_session_responder_free(&res);
    json_decref(j);
}

static void test_key_schedule(void)
{
    json_t *j = load("d-session-1-key-schedule.json");
    if (!j)
        return;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "vectors"), i, e) {
        uint8_t shared[32], sid[16], hn[16], an[16], okm[96], want[96];
        hexfill(shared, 32, fcp_t_jstr(e, "shared_secret_hex"));
        hexfill(sid, 16, fcp_t_jstr(e, "session_id_hex"));
        hexfill(hn, 16, fcp_t_jstr(e, "hello_nonce_hex"));
        hexfill(an, 16, fcp_t_jstr(e, "ack_nonce_hex"));
        hexfill(want, 96, fcp_t_jstr(e, "okm_hex"));
        const char *iid = fcp_t_jstr(e, "initiator_id"), *rid = fcp_t_jstr(e, "responder_id");
        CHECK_ERR(fcp_session_derive(okm, shared, sid, (uint8_t)json_integer_value(json_object_get(e, "suite")),
                                     iid, strlen(iid), rid, strlen(rid), hn, an), 0);
        CHECK_MEM(okm, want, 96);
    }
    CHECK_EQ(i, 3);
    json_decref(j);
}

static void test_limits_and_time(void)
{
    json_t *j = load("d-session-3-transport-limits.json");
    if (j) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(j, "vectors"), i, e) {
            /* the rule as the engines apply it (wire_session_sm.c) */
            uint64_t il = (uint64_t)json_integer_value(json_object_get(e, "initiator_local"));
            uint64_t rl = (uint64_t)json_integer_value(json_object_get(e, "responder_local"));
            uint32_t theirs = fcp_session_effective_limit(1, il);
            CHECK_EQ(theirs < rl ? theirs : rl, json_integer_value(json_object_get(e, "responder_send")));
            CHECK_EQ(FCP_WIRE_DEFAULT_MAX_DATAGRAM, json_integer_value(json_object_get(e, "initiator_send")));
        }
        json_decref(j);
    }
    j = load("d-session-4-time-policy.json");
    if (j) {
        const json_t *p = json_object_get(j, "policy");
        fcp_session_policy pol;
        fcp_session_policy_default(&pol);
        CHECK_EQ(pol.grace_ms, json_integer_value(json_object_get(p, "grace_ms")));
        CHECK_EQ(pol.rekey_after_frames, json_integer_value(json_object_get(p, "rekey_after_frames")));
        CHECK_EQ(pol.rekey_after_seconds, json_integer_value(json_object_get(p, "rekey_after_seconds")));
        CHECK_EQ(pol.rekey_after_bytes, json_integer_value(json_object_get(p, "rekey_after_bytes")));
        CHECK_EQ(pol.max_reorder_window, json_integer_value(json_object_get(p, "max_reorder_window")));
        CHECK_EQ(FCP_SESSION_DEFAULT_SKEW, json_integer_value(json_object_get(p, "max_skew_secs")));
        CHECK_EQ(FCP_SESSION_HELLO_REPLAY_DEFAULT, json_integer_value(json_object_get(p, "hello_replay_capacity")));
        json_decref(j);
    }
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    test_key_schedule();
    test_envelope_handshake();
    test_limits_and_time();
    return fcp_t_done("wire_session_golden_test");
}
