/*
 * wire_session_sm.c - sans-IO MeshSession engines (session.h): the initiator
 * (IDLE -> HELLO_SENT -> [COOKIE_SENT] -> ESTABLISHED, FAILED on timeout), the
 * stateless responder (HelloRetry cookies under a rotating key, hello replay
 * window, Ack), and the session channel that carries data datagrams across
 * rekeys with a grace period (D-SESSION-4).
 *
 * Every step takes the received bytes, the clock and the RNG and fills one
 * fcp_session_out.  A rejected message returns its code; the engine state is
 * then exactly what it was before the call.
 */
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/session.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S  1000000000ull

static void out_clear(fcp_session_out *out)
{
    out->event = FCP_SESSION_EV_NONE;
    out->error = 0;
    out->msg_len = 0;
    fcp_memzero(&out->keys, sizeof out->keys);
}

static int suite_known(uint64_t s)
{
    return s == FCP_DGRAM_SUITE1 || s == FCP_DGRAM_SUITE2;
}

static int config_fill(fcp_session_config *dst, const fcp_session_config *src)
{
    if (!src || !src->self_id || !src->sig_sk || !src->trust)
        return FCP_EINVAL;
    *dst = *src;
    if (fcp_session_node_id_check(dst->self_id, strnlen(dst->self_id, FCP_NODE_ID_MAX + 1)) < 0)
        return FCP_ESESSION_NODE_ID;
    if (dst->n_suites == 0) {
        dst->suites[0] = FCP_DGRAM_SUITE1;
        dst->suites[1] = FCP_DGRAM_SUITE2;
        dst->n_suites = 2;
    }
    if (dst->n_suites > FCP_SESSION_MAX_SUITES)
        return FCP_EINVAL;
    for (size_t i = 0; i < dst->n_suites; i++)
        if (!suite_known(dst->suites[i]))
            return FCP_EINVAL;
    if (dst->max_datagram == 0)
        dst->max_datagram = FCP_WIRE_DEFAULT_MAX_DATAGRAM;
    if (dst->max_datagram < FCP_WIRE_DEFAULT_MAX_DATAGRAM || dst->max_datagram > FCP_WIRE_MAX_DATAGRAM)
        return FCP_EINVAL;
    if (dst->max_skew_secs == 0)
        dst->max_skew_secs = FCP_SESSION_DEFAULT_SKEW;
    if (dst->hello_timeout_ms == 0)
        dst->hello_timeout_ms = 1000;
    if (dst->max_attempts == 0)
        dst->max_attempts = 5;
    if (dst->cookie_rotate_secs == 0)
        dst->cookie_rotate_secs = 120;
    if (dst->hello_replay_cap == 0)
        dst->hello_replay_cap = FCP_SESSION_HELLO_REPLAY_DEFAULT;
    return 0;
}

static int skew_ok(uint64_t now, uint64_t ts, uint64_t skew)
{
    return ts <= now ? now - ts <= skew : ts - now <= skew;
}

/* Encode a message body into a stack buffer and wrap it in the envelope. */
typedef int (*encode_fn)(const void *msg, fcp_buf *out);

static int enc_hello(const void *m, fcp_buf *b) { return fcp_session_hello_encode(m, b); }
static int enc_retry(const void *m, fcp_buf *b) { return fcp_session_retry_encode(m, b); }
static int enc_ack(const void *m, fcp_buf *b) { return fcp_session_ack_encode(m, b); }

static int wrap(fcp_session_out *out, fcp_session_msg_type type, encode_fn fn, const void *msg)
{
    fcp_buf b;
    fcp_buf_init_fixed(&b, out->msg + FCP_SESSION_ENV_HEADER,
                       sizeof out->msg - FCP_SESSION_ENV_HEADER);
    int rc = fn(msg, &b);
    if (rc < 0)
        return rc == FCP_EBUFFER_TOO_SMALL ? FCP_ESESSION_TOO_LARGE : rc;
    return fcp_session_env_encode(out->msg, sizeof out->msg, &out->msg_len, type,
                                  out->msg + FCP_SESSION_ENV_HEADER, b.len);
}

/* ---- initiator ------------------------------------------------------------ */

int fcp_session_initiator_init(fcp_session_initiator *in, const fcp_session_config *cfg,
                               const char *peer)
{
    memset(in, 0, sizeof *in);
    int rc = config_fill(&in->cfg, cfg);
    if (rc < 0)
        return rc;
    size_t n = peer ? strnlen(peer, FCP_NODE_ID_MAX + 1) : 0;
    if ((rc = fcp_session_node_id_check(peer, n)) < 0)
        return rc;
    memcpy(in->peer, peer, n);
    in->state = FCP_SESSION_I_IDLE;
    return 0;
}

/* Build, sign and emit a fresh Hello (new ephemeral key, nonce, timestamp).
 * On failure the engine is unchanged. */
static int send_fresh_hello(fcp_session_initiator *in, const fcp_clock *clk, const fcp_rng *rng,
                            fcp_session_out *out)
{
    fcp_session_hello h;
    uint8_t sk[32];
    int rc;
    memset(&h, 0, sizeof h);
    memcpy(h.from, in->cfg.self_id, strlen(in->cfg.self_id));
    memcpy(h.to, in->peer, strlen(in->peer));
    if ((rc = fcp_x25519_keypair(h.eph_pubkey, sk, rng)) < 0)
        return rc;
    if ((rc = fcp_rng_fill(rng, h.nonce, 16)) < 0)
        goto fail;
    h.timestamp = fcp_clock_unix_secs(clk);
    h.n_suites = in->cfg.n_suites;
    memcpy(h.suites, in->cfg.suites, sizeof h.suites);
    h.has_transport_limits = 1;
    h.transport_limits = in->cfg.max_datagram;
    if ((rc = fcp_session_hello_sign(&h, in->cfg.sig_sk)) < 0)
        goto fail;
    if ((rc = wrap(out, FCP_SESSION_MSG_HELLO, enc_hello, &h)) < 0)
        goto fail;
    in->hello = h;
    memcpy(in->eph_sk, sk, 32);
    fcp_memzero(sk, sizeof sk);
    in->state = FCP_SESSION_I_HELLO_SENT;
    in->deadline_ns = fcp_clock_mono_ns(clk) + in->cfg.hello_timeout_ms * NS_PER_MS;
    out->event = FCP_SESSION_EV_SENT;
    return 0;
fail:
    fcp_memzero(sk, sizeof sk);
    out->msg_len = 0;
    return rc;
}

int fcp_session_initiator_start(fcp_session_initiator *in, const fcp_clock *clk,
                                const fcp_rng *rng, fcp_session_out *out)
{
    out_clear(out);
    if (in->state == FCP_SESSION_I_HELLO_SENT || in->state == FCP_SESSION_I_COOKIE_SENT)
        return FCP_ESESSION_STATE;
    int rc = send_fresh_hello(in, clk, rng, out);
    if (rc == 0) {
        in->attempts = 1;
        in->last_error = 0;
    }
    return rc;
}

static int on_retry(fcp_session_initiator *in, const uint8_t *body, size_t n,
                    const fcp_clock *clk, fcp_session_out *out)
{
    fcp_session_retry r;
    int rc;
    if (in->state != FCP_SESSION_I_HELLO_SENT)
        return FCP_ESESSION_UNEXPECTED;
    if ((rc = fcp_session_retry_decode(&r, body, n)) < 0)
        return rc;
    if (strcmp(r.from, in->peer) != 0 || strcmp(r.to, in->cfg.self_id) != 0)
        return FCP_ESESSION_WRONG_PEER;
    if (!skew_ok(fcp_clock_unix_secs(clk), r.timestamp, in->cfg.max_skew_secs))
        return FCP_ESESSION_SKEW;
    /* Same ephemeral key, nonce and timestamp (the cookie covers them), now
     * with the cookie, signed again. */
    fcp_session_hello h = in->hello;
    memcpy(h.cookie, r.cookie, 32);
    h.has_cookie = 1;
    if ((rc = fcp_session_hello_sign(&h, in->cfg.sig_sk)) < 0)
        return rc;
    if ((rc = wrap(out, FCP_SESSION_MSG_HELLO, enc_hello, &h)) < 0) {
        out->msg_len = 0;
        return rc;
    }
    in->hello = h;
    in->state = FCP_SESSION_I_COOKIE_SENT;
    in->deadline_ns = fcp_clock_mono_ns(clk) + in->cfg.hello_timeout_ms * NS_PER_MS;
    out->event = FCP_SESSION_EV_SENT;
    return 0;
}

static int on_ack(fcp_session_initiator *in, const uint8_t *body, size_t n, const fcp_clock *clk,
                  fcp_session_out *out)
{
    fcp_session_ack a;
    const uint8_t *pk;
    uint8_t shared[32], okm[96];
    int rc;
    if (in->state != FCP_SESSION_I_HELLO_SENT && in->state != FCP_SESSION_I_COOKIE_SENT)
        return FCP_ESESSION_UNEXPECTED;
    if ((rc = fcp_session_ack_decode(&a, body, n)) < 0)
        return rc;
    if (strcmp(a.from, in->peer) != 0 || strcmp(a.to, in->cfg.self_id) != 0)
        return FCP_ESESSION_WRONG_PEER;
    int offered = 0;
    for (size_t i = 0; i < in->hello.n_suites; i++)
        offered |= in->hello.suites[i] == a.suite;
    if (!offered || a.suite < FCP_SESSION_MIN_SUITE || !suite_known(a.suite))
        return FCP_ESESSION_SUITE;
    if (fcp_session_is_handshake(a.session_id, 16))
        return FCP_ESESSION_ID_RESERVED;
    uint64_t now = fcp_clock_unix_secs(clk);
    if (!skew_ok(now, a.timestamp, in->cfg.max_skew_secs))
        return FCP_ESESSION_SKEW;
    if (!a.has_signature)
        return FCP_ESESSION_MISSING_SIGNATURE;
    if ((rc = fcp_session_trust_lookup(in->cfg.trust, a.from, strlen(a.from), now, &pk)) < 0)
        return rc;
    if ((rc = fcp_session_ack_verify(&a, in->hello.eph_pubkey, in->hello.nonce, pk)) < 0)
        return rc;
    if ((rc = fcp_x25519(shared, in->eph_sk, a.eph_pubkey)) < 0)
        return rc;
    rc = fcp_session_derive(okm, shared, a.session_id, (uint8_t)a.suite, in->cfg.self_id,
                            strlen(in->cfg.self_id), in->peer, strlen(in->peer), in->hello.nonce,
                            a.nonce);
    fcp_memzero(shared, sizeof shared);
    if (rc < 0)
        return rc;
    fcp_session_keys *k = &out->keys;
    memcpy(k->session_id, a.session_id, 16);
    k->suite = (uint8_t)a.suite;
    memcpy(k->k_mac_i2r, okm, 32);
    memcpy(k->k_mac_r2i, okm + 32, 32);
    memcpy(k->k_ctx, okm + 64, 32);
    fcp_memzero(okm, sizeof okm);
    /* D-SESSION-3: the Ack carries no TransportLimits, so toward the
     * responder we stay at the 1200-byte floor every peer accepts. */
    k->send_max = FCP_WIRE_DEFAULT_MAX_DATAGRAM;
    k->recv_max = in->cfg.max_datagram;
    k->is_initiator = 1;
    memcpy(k->peer, in->peer, strlen(in->peer) + 1);
    fcp_memzero(in->eph_sk, sizeof in->eph_sk);
    in->state = FCP_SESSION_I_ESTABLISHED;
    out->event = FCP_SESSION_EV_ESTABLISHED;
    return 0;
}

int fcp_session_initiator_receive(fcp_session_initiator *in, const uint8_t *buf, size_t len,
                                  const fcp_clock *clk, const fcp_rng *rng, fcp_session_out *out)
{
    fcp_session_msg_type type;
    const uint8_t *body;
    size_t n;
    (void)rng;
    out_clear(out);
    int rc = fcp_session_env_decode(buf, len, &type, &body, &n);
    if (rc < 0)
        return rc;
    switch (type) {
    case FCP_SESSION_MSG_RETRY:
        return on_retry(in, body, n, clk, out);
    case FCP_SESSION_MSG_ACK:
        return on_ack(in, body, n, clk, out);
    default:
        return FCP_ESESSION_UNEXPECTED;
    }
}

int fcp_session_initiator_tick(fcp_session_initiator *in, const fcp_clock *clk,
                               const fcp_rng *rng, fcp_session_out *out)
{
    out_clear(out);
    if (in->state != FCP_SESSION_I_HELLO_SENT && in->state != FCP_SESSION_I_COOKIE_SENT)
        return 0;
    if (fcp_clock_mono_ns(clk) < in->deadline_ns)
        return 0;
    if (in->attempts >= in->cfg.max_attempts) {
        fcp_memzero(in->eph_sk, sizeof in->eph_sk);
        in->state = FCP_SESSION_I_FAILED;
        in->last_error = FCP_ESESSION_TIMEOUT;
        out->event = FCP_SESSION_EV_FAILED;
        out->error = FCP_ESESSION_TIMEOUT;
        return 0;
    }
    int rc = send_fresh_hello(in, clk, rng, out);
    if (rc == 0)
        in->attempts++;
    return rc;
}

void fcp_session_initiator_wipe(fcp_session_initiator *in)
{
    fcp_memzero(in, sizeof *in);
}

/* ---- responder ------------------------------------------------------------ */

int fcp_session_responder_init(fcp_session_responder *r, const fcp_session_config *cfg,
                               const fcp_clock *clk, const fcp_rng *rng)
{
    memset(r, 0, sizeof *r);
    int rc = config_fill(&r->cfg, cfg);
    if (rc < 0)
        return rc;
    if ((rc = fcp_rng_fill(rng, r->cookie_key, 32)) < 0)
        return rc;
    r->cookie_rotated_at = fcp_clock_unix_secs(clk);
    if ((rc = fcp_hello_replay_init(&r->replay, r->cfg.hello_replay_cap)) < 0) {
        fcp_memzero(r, sizeof *r);
        return rc;
    }
    return 0;
}

void fcp_session_responder_free(fcp_session_responder *r)
{
    fcp_hello_replay_free(&r->replay);
    fcp_memzero(r, sizeof *r);
}

int fcp_session_responder_rotate(fcp_session_responder *r, const fcp_clock *clk,
                                 const fcp_rng *rng)
{
    uint8_t fresh[32];
    int rc = fcp_rng_fill(rng, fresh, 32);
    if (rc < 0)
        return rc;
    memcpy(r->cookie_prev, r->cookie_key, 32);
    memcpy(r->cookie_key, fresh, 32);
    fcp_memzero(fresh, sizeof fresh);
    r->has_prev = 1;
    r->cookie_rotated_at = fcp_clock_unix_secs(clk);
    return 0;
}

static int cookie_ok(const fcp_session_responder *r, const fcp_session_hello *h)
{
    uint8_t c[32];
    int ok = 0;
    if (fcp_session_cookie(c, r->cookie_key, h) == 0 && fcp_ct_equal(c, h->cookie, 32))
        ok = 1;
    if (!ok && r->has_prev && fcp_session_cookie(c, r->cookie_prev, h) == 0 &&
        fcp_ct_equal(c, h->cookie, 32))
        ok = 1;
    fcp_memzero(c, sizeof c);
    return ok;
}

static int send_retry(fcp_session_responder *r, const fcp_session_hello *h, uint64_t now,
                      fcp_session_out *out)
{
    fcp_session_retry rt;
    memset(&rt, 0, sizeof rt);
    memcpy(rt.from, r->cfg.self_id, strlen(r->cfg.self_id));
    memcpy(rt.to, h->from, strlen(h->from));
    int rc = fcp_session_cookie(rt.cookie, r->cookie_key, h);
    if (rc < 0)
        return rc;
    rt.timestamp = now;
    if ((rc = wrap(out, FCP_SESSION_MSG_RETRY, enc_retry, &rt)) < 0) {
        out->msg_len = 0;
        return rc;
    }
    r->retries_sent++;
    out->event = FCP_SESSION_EV_SENT;
    return 0;
}

static int respond(fcp_session_responder *r, const uint8_t *body, size_t n, const fcp_clock *clk,
                   const fcp_rng *rng, fcp_session_out *out)
{
    fcp_session_hello h;
    const uint8_t *pk;
    int rc;
    if ((rc = fcp_session_hello_decode(&h, body, n)) < 0)
        return rc;
    if (strcmp(h.to, r->cfg.self_id) != 0 || strcmp(h.from, r->cfg.self_id) == 0)
        return FCP_ESESSION_WRONG_PEER;
    uint64_t now = fcp_clock_unix_secs(clk);
    if (!skew_ok(now, h.timestamp, r->cfg.max_skew_secs))
        return FCP_ESESSION_SKEW;
    if (!h.has_signature)
        return FCP_ESESSION_MISSING_SIGNATURE;
    int suite = fcp_session_negotiate(h.suites, h.n_suites, r->cfg.suites, r->cfg.n_suites);
    if (suite < 0)
        return suite;
    if (h.has_cookie) {
        if (!cookie_ok(r, &h))
            return FCP_ESESSION_COOKIE;
    } else if (r->cfg.require_cookie) {
        return send_retry(r, &h, now, out);
    }
    if ((rc = fcp_session_trust_lookup(r->cfg.trust, h.from, strlen(h.from), now, &pk)) < 0)
        return rc;
    if ((rc = fcp_session_hello_verify(&h, pk)) < 0)
        return rc;
    if ((rc = fcp_hello_replay_check(&r->replay, h.from, strlen(h.from), h.nonce)) < 0)
        return rc;

    fcp_session_ack a;
    uint8_t sk[32], shared[32], okm[96];
    memset(&a, 0, sizeof a);
    memcpy(a.from, r->cfg.self_id, strlen(r->cfg.self_id));
    memcpy(a.to, h.from, strlen(h.from));
    if ((rc = fcp_x25519_keypair(a.eph_pubkey, sk, rng)) < 0)
        return rc;
    if ((rc = fcp_rng_fill(rng, a.nonce, 16)) < 0)
        goto done;
    do { /* D-SESSION-2: no session id may look like a handshake envelope */
        if ((rc = fcp_rng_fill(rng, a.session_id, 16)) < 0)
            goto done;
    } while (fcp_session_is_handshake(a.session_id, 16));
    a.suite = (uint64_t)suite;
    a.timestamp = now;
    if ((rc = fcp_x25519(shared, sk, h.eph_pubkey)) < 0)
        goto done;
    rc = fcp_session_derive(okm, shared, a.session_id, (uint8_t)suite, h.from, strlen(h.from),
                            r->cfg.self_id, strlen(r->cfg.self_id), h.nonce, a.nonce);
    if (rc < 0)
        goto done;
    if ((rc = fcp_session_ack_sign(&a, h.eph_pubkey, h.nonce, r->cfg.sig_sk)) < 0)
        goto done;
    if ((rc = wrap(out, FCP_SESSION_MSG_ACK, enc_ack, &a)) < 0)
        goto done;
    if ((rc = fcp_hello_replay_insert(&r->replay, h.from, strlen(h.from), h.nonce)) < 0)
        goto done;
    fcp_session_keys *k = &out->keys;
    memcpy(k->session_id, a.session_id, 16);
    k->suite = (uint8_t)suite;
    memcpy(k->k_mac_i2r, okm, 32);
    memcpy(k->k_mac_r2i, okm + 32, 32);
    memcpy(k->k_ctx, okm + 64, 32);
    uint32_t theirs = fcp_session_effective_limit(h.has_transport_limits, h.transport_limits);
    k->send_max = theirs < r->cfg.max_datagram ? theirs : r->cfg.max_datagram;
    k->recv_max = r->cfg.max_datagram;
    k->is_initiator = 0;
    memcpy(k->peer, h.from, strlen(h.from) + 1);
    r->established++;
    out->event = FCP_SESSION_EV_ESTABLISHED;
done:
    fcp_memzero(sk, sizeof sk);
    fcp_memzero(shared, sizeof shared);
    fcp_memzero(okm, sizeof okm);
    if (rc < 0)
        out_clear(out);
    return rc;
}

int fcp_session_responder_receive(fcp_session_responder *r, const uint8_t *buf, size_t len,
                                  const fcp_clock *clk, const fcp_rng *rng, fcp_session_out *out)
{
    fcp_session_msg_type type;
    const uint8_t *body;
    size_t n;
    out_clear(out);
    /* Time-driven cookie key rotation (not caused by the message). */
    uint64_t now = fcp_clock_unix_secs(clk);
    if (now >= r->cookie_rotated_at + r->cfg.cookie_rotate_secs) {
        int rc = fcp_session_responder_rotate(r, clk, rng);
        if (rc < 0)
            return rc;
    }
    int rc = fcp_session_env_decode(buf, len, &type, &body, &n);
    if (rc == 0)
        rc = type == FCP_SESSION_MSG_HELLO ? respond(r, body, n, clk, rng, out)
                                           : FCP_ESESSION_UNEXPECTED;
    if (rc < 0)
        r->rejected++;
    return rc;
}

/* ---- session channel (D-SESSION-4) ---------------------------------------- */

void fcp_session_policy_default(fcp_session_policy *p)
{
    p->max_reorder_window = FCP_REPLAY_DEFAULT_WINDOW;
    p->rekey_after_frames = 1000000000ull;
    p->rekey_after_seconds = 86400ull;
    p->rekey_after_bytes = 1ull << 40;
    p->grace_ms = 10000ull;
}

void fcp_session_chan_init(fcp_session_chan *c, const fcp_session_policy *p)
{
    memset(c, 0, sizeof *c);
    if (p)
        c->pol = *p;
    else
        fcp_session_policy_default(&c->pol);
}

static void wipe_cur(fcp_session_chan *c)
{
    fcp_dgram_tx_wipe(&c->tx_cur);
    fcp_dgram_rx_wipe(&c->rx_cur);
    c->has_cur = 0;
}

static void wipe_prev(fcp_session_chan *c)
{
    fcp_dgram_tx_wipe(&c->tx_prev);
    fcp_dgram_rx_wipe(&c->rx_prev);
    c->has_prev = 0;
}

int fcp_session_chan_install(fcp_session_chan *c, const fcp_session_keys *k,
                             const fcp_clock *clk)
{
    fcp_dgram_tx tx;
    fcp_dgram_rx rx;
    const uint8_t *ktx = k->is_initiator ? k->k_mac_i2r : k->k_mac_r2i;
    const uint8_t *krx = k->is_initiator ? k->k_mac_r2i : k->k_mac_i2r;
    fcp_wire_dir dtx = k->is_initiator ? FCP_WIRE_I2R : FCP_WIRE_R2I;
    fcp_wire_dir drx = k->is_initiator ? FCP_WIRE_R2I : FCP_WIRE_I2R;
    int rc = fcp_dgram_tx_init(&tx, k->session_id, ktx, (fcp_dgram_suite)k->suite, dtx,
                               k->send_max);
    if (rc < 0)
        return rc;
    if ((rc = fcp_dgram_rx_init(&rx, k->session_id, krx, (fcp_dgram_suite)k->suite, drx,
                                k->recv_max)) < 0) {
        fcp_dgram_tx_wipe(&tx);
        return rc;
    }
    rx.window = c->pol.max_reorder_window;
    uint64_t now = fcp_clock_mono_ns(clk);
    if (c->has_cur && !c->cur_confirmed) {
        wipe_cur(c);
    } else if (c->has_cur) {
        wipe_prev(c);
        c->tx_prev = c->tx_cur;
        c->rx_prev = c->rx_cur;
        c->has_prev = 1;
        c->prev_deadline_ns = UINT64_MAX;
        fcp_memzero(&c->tx_cur, sizeof c->tx_cur);
        fcp_memzero(&c->rx_cur, sizeof c->rx_cur);
    }
    c->tx_cur = tx;
    c->rx_cur = rx;
    c->has_cur = 1;
    fcp_memzero(&tx, sizeof tx);
    fcp_memzero(&rx, sizeof rx);
    c->cur_confirmed = k->is_initiator || !c->has_prev;
    if (c->cur_confirmed && c->has_prev)
        c->prev_deadline_ns = now + c->pol.grace_ms * NS_PER_MS;
    c->established_ns = now;
    c->frames_sent = 0;
    c->bytes_sent = 0;
    c->installs++;
    return 0;
}

int fcp_session_chan_seal(fcp_session_chan *c, uint8_t *out, size_t cap, size_t *out_len,
                          const uint8_t *frame, size_t frame_len)
{
    *out_len = 0;
    if (!c->has_cur)
        return FCP_ESESSION_NO_SESSION;
    fcp_dgram_tx *tx = (c->cur_confirmed || !c->has_prev) ? &c->tx_cur : &c->tx_prev;
    int rc = fcp_dgram_tx_seal(tx, out, cap, out_len, frame, frame_len, NULL);
    if (rc < 0)
        return rc;
    c->frames_sent++;
    c->bytes_sent += *out_len;
    return 0;
}

int fcp_session_chan_receive(fcp_session_chan *c, const uint8_t *buf, size_t len,
                             const fcp_clock *clk, fcp_dgram *d, fcp_fcps_frame *f)
{
    if (!c->has_cur) {
        memset(d, 0, sizeof *d);
        memset(f, 0, sizeof *f);
        return FCP_ESESSION_NO_SESSION;
    }
    if (c->has_prev && len >= FCP_DGRAM_HEADER_BYTES &&
        memcmp(buf, c->rx_prev.session_id, 16) == 0) {
        if (fcp_clock_mono_ns(clk) >= c->prev_deadline_ns) {
            c->grace_expired++;
            memset(d, 0, sizeof *d);
            memset(f, 0, sizeof *f);
            return FCP_ESESSION_GRACE_EXPIRED;
        }
        return fcp_dgram_rx_receive(&c->rx_prev, buf, len, d, f);
    }
    int rc = fcp_dgram_rx_receive(&c->rx_cur, buf, len, d, f);
    if (rc == 0 && !c->cur_confirmed) {
        c->cur_confirmed = 1;
        if (c->has_prev)
            c->prev_deadline_ns = fcp_clock_mono_ns(clk) + c->pol.grace_ms * NS_PER_MS;
    }
    return rc;
}

int fcp_session_chan_rekey_due(const fcp_session_chan *c, const fcp_clock *clk)
{
    if (!c->has_cur)
        return 0;
    if (c->frames_sent >= c->pol.rekey_after_frames || c->bytes_sent >= c->pol.rekey_after_bytes)
        return 1;
    uint64_t age = fcp_clock_mono_ns(clk) - c->established_ns;
    return age / NS_PER_S >= c->pol.rekey_after_seconds;
}

void fcp_session_chan_wipe(fcp_session_chan *c)
{
    wipe_cur(c);
    wipe_prev(c);
    fcp_memzero(c, sizeof *c);
}
