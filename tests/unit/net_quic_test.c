/*
 * net_quic_test.c - the QUIC carrier (net_quic.h) driven in one process.
 *
 * A client and a server fcp_quic_conn exchange datagrams through a simulated
 * network with a virtual clock: every datagram gets a delay (with jitter, so
 * datagrams overtake each other) and may be dropped; time jumps to the next
 * delivery or timer.  Nothing here reads the real clock except the last test,
 * which runs the same exchange over real loopback UDP sockets.
 *
 * Covered: the golden vectors of D-QUIC-1/2/4 (ALPN, the certificate built
 * from a fixed seed, symbol sizes), handshake with pinned keys (accepted;
 * wrong pinned key, unknown client key and missing client certificate
 * refused with their codes on both sides), 1 MiB of sealed FCPC frames each
 * way under 5% loss and reordering (opened and checked at the other end),
 * backpressure from a reader that stops, datagrams (round trip, size limit,
 * not negotiated), idle timeout, clean close, garbage datagrams.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/fcpc.h"
#include "fcp/net.h"
#include "fcp/net_quic.h"
#include "fcp/rng.h"
#include "test.h"

#define MS 1000000ull

/* ---- keys ------------------------------------------------------------------ */

static uint8_t seed_a[32], seed_b[32], seed_c[32];
static fcp_quic_identity *id_a, *id_b, *id_c; /* a: client, b: server, c: stranger */
static uint8_t pk_a[32], pk_b[32], pk_c[32];

static int allow_a(void *ctx, const uint8_t pk[32])
{
    (void)ctx;
    return memcmp(pk, pk_a, 32) == 0;
}

/* ---- simulated network ----------------------------------------------------- */

#define MAXQ 4096
typedef struct pkt {
    int      to_server;
    uint64_t at;
    size_t   len;
    uint8_t  b[FCP_QUIC_MAX_UDP_PAYLOAD];
} pkt;

typedef struct sim {
    fcp_rng_xoshiro   net_rng;  /* loss and jitter */
    fcp_rng_xoshiro   rng_c, rng_s;
    fcp_quic_config   ccfg, scfg;
    fcp_quic_conn    *c, *s;
    fcp_net_addr      ca, sa;
    uint64_t          now;
    unsigned          loss_pct;
    uint64_t          delay, jitter;
    pkt              *q;
    size_t            nq;
    uint64_t          sent, lost;
    uint64_t          horizon;  /* time never jumps past this */
    int               accept_err;
} sim;

static void sim_init(sim *m, uint64_t seed, const fcp_quic_identity *cid, const uint8_t pin[32])
{
    memset(m, 0, sizeof *m);
    fcp_rng_xoshiro_init(&m->net_rng, seed);
    fcp_rng_xoshiro_init(&m->rng_c, seed + 1);
    fcp_rng_xoshiro_init(&m->rng_s, seed + 2);
    m->ccfg.id = cid;
    m->ccfg.rng = &m->rng_c.rng;
    m->scfg.id = id_b;
    m->scfg.rng = &m->rng_s.rng;
    m->scfg.peer_key_ok = allow_a;
    m->ccfg.datagrams = m->scfg.datagrams = 1;
    m->now = 1000 * MS;
    m->horizon = UINT64_MAX;
    m->delay = 5 * MS;
    m->q = calloc(MAXQ, sizeof *m->q);
    fcp_net_addr_resolve(&m->ca, "127.0.0.1", 40001);
    fcp_net_addr_resolve(&m->sa, "127.0.0.1", 40002);
    (void)pin;
}

static int sim_dial(sim *m, const uint8_t pin[32])
{
    return fcp_quic_client_new(&m->c, &m->ccfg, &m->ca, &m->sa, pin, m->now);
}

static void sim_free(sim *m)
{
    fcp_quic_conn_free(m->c);
    fcp_quic_conn_free(m->s);
    free(m->q);
}

static void sim_push(sim *m, int to_server, const uint8_t *b, size_t len)
{
    pkt *p;
    m->sent++;
    if (m->loss_pct && fcp_rng_xoshiro_below(&m->net_rng, 100) < m->loss_pct) {
        m->lost++;
        return;
    }
    if (m->nq == MAXQ) {
        m->lost++; /* a full router queue drops */
        return;
    }
    p = &m->q[m->nq++];
    p->to_server = to_server;
    p->at = m->now + m->delay + (m->jitter ? fcp_rng_xoshiro_below(&m->net_rng, m->jitter) : 0);
    p->len = len;
    memcpy(p->b, b, len);
}

static void drain(sim *m, fcp_quic_conn *c, int to_server)
{
    uint8_t buf[FCP_QUIC_MAX_UDP_PAYLOAD];
    size_t len;
    int guard = 0;
    while (c && guard++ < 100000) {
        if (fcp_quic_send(c, buf, sizeof buf, &len, m->now) != 0 || len == 0)
            break;
        sim_push(m, to_server, buf, len);
    }
}

static void deliver(sim *m, pkt *p)
{
    if (p->to_server) {
        if (!m->s) {
            int rc = fcp_quic_server_accept(&m->s, &m->scfg, &m->sa, &m->ca, p->b, p->len, m->now);
            if (rc != 0)
                m->accept_err = rc;
        } else {
            fcp_quic_recv(m->s, p->b, p->len, m->now);
        }
    } else if (m->c) {
        fcp_quic_recv(m->c, p->b, p->len, m->now);
    }
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* One step: flush both sides, deliver what is due, else jump to the next
 * event.  Returns 0 when nothing at all is left to happen. */
static int sim_step(sim *m)
{
    uint64_t next = UINT64_MAX;
    size_t i, best = 0;
    int have = 0;

    drain(m, m->c, 1);
    drain(m, m->s, 0);
    for (i = 0; i < m->nq; i++)
        if (!have || m->q[i].at < m->q[best].at) {
            best = i;
            have = 1;
        }
    if (have && m->q[best].at <= m->now) {
        pkt p = m->q[best];
        m->q[best] = m->q[--m->nq];
        deliver(m, &p);
        return 1;
    }
    if (have)
        next = m->q[best].at;
    if (m->c)
        next = min64(next, fcp_quic_expiry(m->c));
    if (m->s)
        next = min64(next, fcp_quic_expiry(m->s));
    if (next == UINT64_MAX)
        return 0;
    if (next > m->horizon) {
        if (m->now < m->horizon)
            m->now = m->horizon;
        return 0;
    }
    if (next > m->now)
        m->now = next;
    if (m->c && fcp_quic_expiry(m->c) <= m->now)
        fcp_quic_on_timer(m->c, m->now);
    if (m->s && fcp_quic_expiry(m->s) <= m->now)
        fcp_quic_on_timer(m->s, m->now);
    return 1;
}

static int established(sim *m)
{
    return m->c && m->s && fcp_quic_state(m->c) == FCP_QUIC_ESTABLISHED &&
           fcp_quic_state(m->s) == FCP_QUIC_ESTABLISHED;
}

static int both_closed(sim *m)
{
    return fcp_quic_state(m->c) == FCP_QUIC_CLOSED &&
           (!m->s || fcp_quic_state(m->s) == FCP_QUIC_CLOSED);
}

/* Run until done(m) or until `budget` of virtual time passes. */
static int run_until(sim *m, int (*done)(sim *), uint64_t budget)
{
    uint64_t end = m->now + budget, old = m->horizon;
    m->horizon = end;
    while (!done(m) && m->now < end)
        if (!sim_step(m))
            break;
    m->horizon = old;
    return done(m);
}

static int handshake(sim *m)
{
    return run_until(m, established, 5000 * MS);
}

/* ---- golden vectors (D-QUIC-1, D-QUIC-2, D-QUIC-4) ---------------------------- */

/* Hex member of a JSON object into out (exactly *n bytes). */
static int jhex(const json_t *o, const char *key, uint8_t *out, size_t cap, size_t *n)
{
    size_t len = 0;
    uint8_t *b = fcp_t_unhex(fcp_t_jstr(o, key), &len);
    int ok = b && len <= cap;
    if (ok) {
        memcpy(out, b, len);
        *n = len;
    }
    free(b);
    return ok ? 0 : -1;
}

static long jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

static void test_golden(void)
{
    json_error_t je;
    json_t *js = json_load_file("conformance/golden/quic/d-quic-golden.json", 0, &je);
    uint8_t seed[32], pk[32], want_pk[32], cert[2048], alpn[16];
    const uint8_t *der;
    size_t n = 0, der_len;
    fcp_quic_identity *id = NULL;
    uint16_t ss = 0;

    CHECK(js != NULL);
    if (!js)
        return;
    CHECK(jhex(js, "alpn_hex", alpn, sizeof alpn, &n) == 0);
    CHECK_EQ(n, strlen(FCP_QUIC_ALPN));
    CHECK_MEM(alpn, FCP_QUIC_ALPN, strlen(FCP_QUIC_ALPN));
    CHECK(jhex(js, "seed", seed, sizeof seed, &n) == 0 && n == 32);
    CHECK(jhex(js, "public_key", want_pk, sizeof want_pk, &n) == 0 && n == 32);
    CHECK(jhex(js, "cert_der", cert, sizeof cert, &n) == 0);
    CHECK_EQ(fcp_quic_identity_new(&id, seed), 0);
    if (id) {
        fcp_quic_identity_cert(id, &der, &der_len);
        CHECK_EQ(der_len, n);
        CHECK(der_len == n && memcmp(der, cert, n) == 0);
        fcp_quic_identity_pk(id, pk);
        CHECK_MEM(pk, want_pk, 32);
        memset(pk, 0, 32);
        CHECK_EQ(fcp_quic_cert_ed25519_key(der, der_len, pk), 0);
        CHECK_MEM(pk, want_pk, 32);
        fcp_quic_identity_free(id);
    }
    CHECK_EQ(fcp_quic_cert_ed25519_key(cert, 10, pk), FCP_EQUIC_PEER_CERT);
    /* D-QUIC-4 sizing */
    CHECK_EQ(fcp_quic_dgram_payload_for(1200, 16), (size_t)jint(js, "dgram_payload_1200"));
    CHECK_EQ(fcp_quic_dgram_payload_for(1452, 16), (size_t)jint(js, "dgram_payload_1452"));
    CHECK_EQ(fcp_quic_symbol_size_for(1200, &ss), 0);
    CHECK_EQ(ss, jint(js, "symbol_size_1200"));
    CHECK_EQ(fcp_quic_symbol_size_for(1452, &ss), 0);
    CHECK_EQ(ss, jint(js, "symbol_size_1452"));
    CHECK_EQ(fcp_quic_dgram_payload_for(30, 16), 0);
    CHECK_EQ(fcp_quic_symbol_size_for(400, &ss), FCP_EFCPS_MTU_TOO_SMALL);
    json_decref(js);
}

/* ---- handshake and authentication -------------------------------------------------- */

static void test_handshake_ok(void)
{
    sim m;
    uint8_t pk[32];

    sim_init(&m, 1, id_a, pk_b);
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK_EQ(fcp_quic_peer_key(m.c, pk), FCP_EQUIC_STATE);
    CHECK_EQ(fcp_quic_fcpc_send(m.c, (const uint8_t *)"x", 1), FCP_EQUIC_STATE);
    CHECK(handshake(&m));
    CHECK_EQ(fcp_quic_peer_key(m.c, pk), 0);
    CHECK_MEM(pk, pk_b, 32);
    CHECK_EQ(fcp_quic_peer_key(m.s, pk), 0);
    CHECK_MEM(pk, pk_a, 32);
    CHECK_EQ(fcp_quic_error(m.c), 0);
    /* the client's datagrams belong to the server conn, not to a stranger's */
    {
        uint8_t buf[FCP_QUIC_MAX_UDP_PAYLOAD];
        size_t len = 0;
        fcp_quic_close(m.c, 0, m.now);
        CHECK_EQ(fcp_quic_send(m.c, buf, sizeof buf, &len, m.now), 0);
        CHECK(len > 0);
        CHECK_EQ(fcp_quic_conn_owns(m.s, buf, len), 1);
        CHECK_EQ(fcp_quic_conn_owns(m.c, buf, len), 0);
        CHECK_EQ(fcp_quic_recv(m.s, buf, len, m.now), FCP_EQUIC_PEER_CLOSED);
        CHECK_EQ(fcp_quic_state(m.s), FCP_QUIC_CLOSED);
        CHECK_EQ(fcp_quic_error(m.s), FCP_EQUIC_PEER_CLOSED);
        CHECK_EQ(fcp_quic_error(m.c), 0);
        CHECK_EQ(fcp_quic_recv(m.s, buf, len, m.now), FCP_EQUIC_STATE);
    }
    sim_free(&m);
}

static void test_wrong_pinned_key(void)
{
    sim m;
    sim_init(&m, 2, id_a, pk_c);
    CHECK_EQ(sim_dial(&m, pk_c), 0); /* we expect c, b answers */
    CHECK(run_until(&m, both_closed, 5000 * MS));
    CHECK(!established(&m));
    CHECK_EQ(fcp_quic_error(m.c), FCP_EQUIC_PEER_KEY);
    CHECK(m.s != NULL);
    if (m.s) {
        CHECK_EQ(fcp_quic_error(m.s), FCP_EQUIC_REFUSED);
    }
    sim_free(&m);
}

static void test_unknown_client_key(void)
{
    sim m;
    sim_init(&m, 3, id_c, pk_b); /* c is not allowed by the server */
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK(run_until(&m, both_closed, 5000 * MS));
    CHECK(m.s != NULL);
    if (m.s)
        CHECK_EQ(fcp_quic_error(m.s), FCP_EQUIC_PEER_KEY);
    CHECK_EQ(fcp_quic_error(m.c), FCP_EQUIC_REFUSED);
    sim_free(&m);
}

static void test_no_client_cert(void)
{
    sim m;
    sim_init(&m, 4, NULL, pk_b);
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK(run_until(&m, both_closed, 5000 * MS));
    CHECK(m.s != NULL);
    if (m.s)
        CHECK_EQ(fcp_quic_error(m.s), FCP_EQUIC_NO_PEER_CERT);
    CHECK_EQ(fcp_quic_error(m.c), FCP_EQUIC_REFUSED);
    sim_free(&m);
}

static void test_config(void)
{
    fcp_quic_conn *c = NULL;
    fcp_quic_config cfg;
    fcp_rng_xoshiro x;
    fcp_net_addr a;
    static const uint8_t junk[1200] = { 0x40 };

    fcp_rng_xoshiro_init(&x, 9);
    fcp_net_addr_resolve(&a, "127.0.0.1", 1);
    memset(&cfg, 0, sizeof cfg);
    cfg.id = id_a;
    CHECK_EQ(fcp_quic_client_new(&c, &cfg, &a, &a, pk_b, 0), FCP_EQUIC_CONFIG); /* no rng */
    cfg.rng = &x.rng;
    cfg.max_udp_payload = 1000;
    CHECK_EQ(fcp_quic_client_new(&c, &cfg, &a, &a, pk_b, 0), FCP_EQUIC_CONFIG);
    cfg.max_udp_payload = 0;
    cfg.stream_window = 4096; /* smaller than one maximum frame */
    CHECK_EQ(fcp_quic_client_new(&c, &cfg, &a, &a, pk_b, 0), FCP_EQUIC_CONFIG);
    cfg.stream_window = 0;
    CHECK_EQ(fcp_quic_server_accept(&c, &cfg, &a, &a, junk, sizeof junk, 0), FCP_EQUIC_NOT_INITIAL);
    CHECK(c == NULL);
}

/* ---- FCPC stream ---------------------------------------------------------------------- */

typedef struct flow {
    fcp_fcpc_tx tx;
    fcp_fcpc_rx rx;
    fcp_rng_xoshiro r;
    size_t   target, sent, recvd;   /* plaintext bytes */
    uint64_t frames_sent, frames_recvd, bad;
    uint8_t *frame, *pt;
} flow;

static const uint8_t k_sid[16] = "fcp-quic-test-s";
static const uint8_t k_key[32] = "fcp-quic-test-key-0123456789abc";

#define FLOW_MAX_PT 40000u

static void flow_init(flow *f, fcp_wire_dir dir, size_t target, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    fcp_fcpc_tx_init(&f->tx, k_sid, k_key, dir, 1u << 20);
    fcp_fcpc_rx_init(&f->rx, k_sid, k_key, dir, 1u << 20, 1);
    fcp_rng_xoshiro_init(&f->r, seed);
    f->target = target;
    f->frame = malloc(FCP_FCPC_FRAME_BYTES(1u << 20));
    f->pt = malloc(1u << 20);
}

static void flow_free(flow *f)
{
    free(f->frame);
    free(f->pt);
}

/* Plaintext byte i of the flow: a function of its position, so the reader
 * can check every byte without keeping a copy. */
static uint8_t pattern(size_t i) { return (uint8_t)(i * 131u + (i >> 11)); }

/* Queue frames while the carrier has room; returns how many were refused. */
static unsigned flow_push(flow *f, fcp_quic_conn *c)
{
    unsigned blocked = 0;
    while (f->sent < f->target) {
        size_t n = 1 + (size_t)fcp_rng_xoshiro_below(&f->r, FLOW_MAX_PT), i, len;
        int rc;
        if (n > f->target - f->sent)
            n = f->target - f->sent;
        if (fcp_quic_fcpc_room(c) < FCP_FCPC_FRAME_BYTES(n)) {
            /* the carrier refuses it whole: prove it with a real call */
            memset(f->frame, 0, FCP_FCPC_FRAME_BYTES(n));
            fcp_fcpc_header_encode(f->frame, k_sid, 1, FCP_FCPC_FLAG_ENCRYPTED, (uint32_t)n);
            rc = fcp_quic_fcpc_send(c, f->frame, FCP_FCPC_FRAME_BYTES(n));
            blocked += rc == FCP_EQUIC_BLOCKED;
            break;
        }
        for (i = 0; i < n; i++)
            f->pt[i] = pattern(f->sent + i);
        if (fcp_fcpc_tx_seal(&f->tx, f->frame, FCP_FCPC_FRAME_BYTES(1u << 20), &len, 0, f->pt, n) != 0)
            break;
        rc = fcp_quic_fcpc_send(c, f->frame, len);
        if (rc != 0) {
            f->bad++;
            break;
        }
        f->sent += n;
        f->frames_sent++;
    }
    return blocked;
}

static void flow_pull(flow *f, fcp_quic_conn *c, unsigned max_frames)
{
    size_t len, ptlen, i;
    while (max_frames-- > 0 &&
           fcp_quic_fcpc_recv(c, f->frame, FCP_FCPC_FRAME_BYTES(1u << 20), &len) == 1) {
        if (fcp_fcpc_rx_open(&f->rx, f->frame, len, f->pt, 1u << 20, &ptlen, NULL) != 0) {
            f->bad++;
            continue;
        }
        for (i = 0; i < ptlen; i++)
            if (f->pt[i] != pattern(f->recvd + i)) {
                f->bad++;
                break;
            }
        f->recvd += ptlen;
        f->frames_recvd++;
    }
}

static void test_stream_lossy(void)
{
    sim m;
    flow up, down;   /* client -> server, server -> client */
    uint64_t start, guard = 0;
    fcp_quic_stats cs, ss;

    sim_init(&m, 5, id_a, pk_b);
    m.ccfg.send_buffer = m.scfg.send_buffer = 1100000; /* smaller than the flow: backpressure */
    m.ccfg.stream_window = m.scfg.stream_window = 1200000;
    m.loss_pct = 5;
    m.jitter = 4 * MS; /* packets overtake each other */
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK(handshake(&m));
    flow_init(&up, FCP_WIRE_I2R, 1u << 20, 11);
    flow_init(&down, FCP_WIRE_R2I, 1u << 20, 12);
    up.target += 123457; /* more than the send ring: must wait for acks */
    start = m.now;
    while ((up.recvd < up.target || down.recvd < down.target) && guard++ < 2000000 &&
           m.now - start < 600000 * MS) {
        flow_push(&up, m.c);
        flow_push(&down, m.s);
        if (!sim_step(&m))
            break;
        flow_pull(&up, m.s, 4);
        flow_pull(&down, m.c, 4);
        if (!established(&m))
            break;
    }
    CHECK(established(&m));
    CHECK_EQ(up.recvd, up.target);
    CHECK_EQ(down.recvd, down.target);
    CHECK_EQ(up.bad + down.bad, 0);
    CHECK_EQ(up.frames_recvd, up.frames_sent);
    CHECK_EQ(down.frames_recvd, down.frames_sent);
    CHECK(m.lost > 0); /* loss really happened, and was repaired */
    fcp_quic_get_stats(m.c, &cs);
    fcp_quic_get_stats(m.s, &ss);
    CHECK_EQ(cs.fcpc_frames_out, up.frames_sent);
    CHECK_EQ(ss.fcpc_frames_in, up.frames_recvd);
    CHECK(cs.rtt_ns > 0);
    printf("  stream: 2 x %zu B under 5%% loss + 4 ms jitter: %llu/%llu datagrams lost, "
           "%.1f s simulated\n",
           up.target, (unsigned long long)m.lost, (unsigned long long)m.sent,
           (double)(m.now - start) / 1e9);
    flow_free(&up);
    flow_free(&down);
    sim_free(&m);
}

/* A reader that stops: the sender's ring fills (FCP_EQUIC_BLOCKED), nothing is
 * lost, and everything arrives once the reader resumes. */
static void test_backpressure(void)
{
    sim m;
    flow up;
    unsigned blocked = 0;
    int i;

    sim_init(&m, 6, id_a, pk_b);
    m.ccfg.send_buffer = 1200000;
    m.scfg.stream_window = 1100000;
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK(handshake(&m));
    flow_init(&up, FCP_WIRE_I2R, 8u << 20, 21);
    m.horizon = m.now + 2000 * MS; /* the reader sleeps for 2 s */
    for (i = 0; i < 200000; i++) {
        blocked += flow_push(&up, m.c);
        if (!sim_step(&m))
            break;
    }
    /* The server never read: at most its window crossed, the rest waits. */
    CHECK(blocked > 0);
    CHECK(up.sent < up.target);
    CHECK(up.sent <= 1100000 + 1200000);
    CHECK(fcp_quic_fcpc_unacked(m.c) > 0);
    CHECK(established(&m));
    m.horizon = UINT64_MAX;
    for (i = 0; i < 4000000 && up.recvd < up.target; i++) {
        flow_pull(&up, m.s, 1000000);
        flow_push(&up, m.c);
        if (!sim_step(&m))
            break;
    }
    CHECK_EQ(up.recvd, up.target);
    CHECK_EQ(up.bad, 0);
    flow_free(&up);
    sim_free(&m);
}

static void test_fcpc_send_checks(void)
{
    sim m;
    uint8_t f[FCP_FCPC_FRAME_BYTES(8)];

    sim_init(&m, 7, id_a, pk_b);
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK(handshake(&m));
    memset(f, 0, sizeof f);
    fcp_fcpc_header_encode(f, k_sid, 1, FCP_FCPC_FLAG_ENCRYPTED, 8);
    CHECK_EQ(fcp_quic_fcpc_send(m.c, f, sizeof f - 1), FCP_EFCPC_LENGTH_MISMATCH);
    f[0] = 'X';
    CHECK_EQ(fcp_quic_fcpc_send(m.c, f, sizeof f), FCP_EFCPC_MAGIC);
    f[0] = 'F';
    CHECK_EQ(fcp_quic_fcpc_send(m.c, f, sizeof f), 0);
    sim_free(&m);
}

/* A frame the receiver cannot parse (its payload is above the receiver's
 * limit) loses the stream's framing: the receiver closes with application
 * code 1 and both ends report FCP_EQUIC_FCPC_FRAMING. */
static void test_framing_lost(void)
{
    sim m;
    static uint8_t f[FCP_FCPC_FRAME_BYTES(8192)], out[FCP_FCPC_FRAME_BYTES(8192)];
    size_t len;
    int i, rc = 0;

    sim_init(&m, 15, id_a, pk_b);
    m.scfg.fcpc_max_payload = 4096; /* the client may send up to 1 MiB */
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK(handshake(&m));
    memset(f, 0, sizeof f);
    fcp_fcpc_header_encode(f, k_sid, 1, FCP_FCPC_FLAG_ENCRYPTED, 8192);
    CHECK_EQ(fcp_quic_fcpc_send(m.c, f, sizeof f), 0);
    for (i = 0; i < 2000 && rc == 0; i++) {
        sim_step(&m);
        rc = fcp_quic_fcpc_recv(m.s, out, sizeof out, &len);
    }
    CHECK_EQ(rc, FCP_EQUIC_FCPC_FRAMING);
    CHECK_EQ(fcp_quic_error(m.s), FCP_EQUIC_FCPC_FRAMING);
    CHECK(run_until(&m, both_closed, 5000 * MS));
    CHECK_EQ(fcp_quic_error(m.c), FCP_EQUIC_FCPC_FRAMING);
    sim_free(&m);
}

/* ---- datagrams ----------------------------------------------------------------------- */

static void test_datagrams(void)
{
    sim m;
    uint8_t d[FCP_QUIC_MAX_UDP_PAYLOAD + 1], out[FCP_QUIC_MAX_UDP_PAYLOAD];
    size_t max, len, i;
    int got = 0;

    sim_init(&m, 8, id_a, pk_b);
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK_EQ(fcp_quic_dgram_max(m.c), 0);
    CHECK(handshake(&m));
    max = fcp_quic_dgram_max(m.c);
    /* before probing: the 1200-byte floor with our 16-byte ids */
    CHECK_EQ(max, fcp_quic_dgram_payload_for(1200, 16));
    for (i = 0; i < sizeof d; i++)
        d[i] = (uint8_t)(i ^ 0x5a);
    CHECK_EQ(fcp_quic_dgram_send(m.c, d, max + 1), FCP_EQUIC_DGRAM_SIZE);
    CHECK_EQ(fcp_quic_dgram_send(m.c, d, 0), FCP_EQUIC_DGRAM_SIZE);
    CHECK_EQ(fcp_quic_dgram_send(m.c, d, max), 0);
    CHECK_EQ(fcp_quic_dgram_send(m.c, d + 1, 100), 0);
    for (i = 0; i < 200 && got < 2; i++) {
        int rc;
        sim_step(&m);
        while ((rc = fcp_quic_dgram_recv(m.s, out, sizeof out, &len)) == 1) {
            if (got == 0) {
                CHECK_EQ(len, max);
                CHECK_MEM(out, d, max);
            } else {
                CHECK_EQ(len, 100);
                CHECK_MEM(out, d + 1, 100);
            }
            got++;
        }
    }
    CHECK_EQ(got, 2);
    /* reply the other way */
    CHECK_EQ(fcp_quic_dgram_send(m.s, d, 64), 0);
    for (i = 0, got = 0; i < 200 && !got; i++) {
        sim_step(&m);
        got = fcp_quic_dgram_recv(m.c, out, sizeof out, &len) == 1;
    }
    CHECK(got && len == 64 && memcmp(out, d, 64) == 0);
    /* a burst of maximum-size datagrams, more than the queue: what was queued
     * arrives (no loss on this path), nothing is stuck behind the head */
    {
        int queued = 0, recvd = 0, k, blocked = 0;
        fcp_quic_stats st;
        for (k = 0; k < 500; k++) {
            int rc;
            d[0] = (uint8_t)k;
            rc = fcp_quic_dgram_send(m.c, d, max);
            queued += rc == 0;
            blocked += rc == FCP_EQUIC_BLOCKED;
            if ((k & 7) == 7) {
                sim_step(&m);
                while (fcp_quic_dgram_recv(m.s, out, sizeof out, &len) == 1)
                    recvd++;
            }
        }
        for (k = 0; k < 20000 && recvd < queued; k++) {
            if (!sim_step(&m))
                break;
            while (fcp_quic_dgram_recv(m.s, out, sizeof out, &len) == 1)
                recvd++;
        }
        fcp_quic_get_stats(m.c, &st);
        CHECK(queued > 64);
        CHECK_EQ(recvd, queued);
        CHECK_EQ(st.dgrams_dropped, 0);
        printf("  datagram burst: %d queued (%d refused: queue full), %d received\n", queued, blocked, recvd);
    }
    /* path-MTU discovery raises the limit above the floor in time */
    run_until(&m, both_closed, 3000 * MS); /* not closing: just let probes run */
    CHECK(established(&m));
    CHECK(fcp_quic_dgram_max(m.c) >= max);
    printf("  datagrams: max payload %zu at 1200, %zu after probing\n", max,
           fcp_quic_dgram_max(m.c));
    sim_free(&m);

    /* not negotiated when the server does not offer it */
    sim_init(&m, 9, id_a, pk_b);
    m.scfg.datagrams = 0;
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK(handshake(&m));
    CHECK_EQ(fcp_quic_dgram_max(m.c), 0);
    CHECK_EQ(fcp_quic_dgram_send(m.c, d, 10), FCP_EQUIC_DGRAM_DISABLED);
    CHECK_EQ(fcp_quic_dgram_send(m.s, d, 10), FCP_EQUIC_DGRAM_DISABLED);
    sim_free(&m);
}

/* ---- timeouts, close, garbage ---------------------------------------------------------- */

static void test_idle_timeout(void)
{
    sim m;
    uint64_t t0;

    sim_init(&m, 10, id_a, pk_b);
    m.ccfg.idle_timeout_ms = 2000;
    m.scfg.idle_timeout_ms = 3000;
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK(handshake(&m));
    t0 = m.now;
    CHECK(run_until(&m, both_closed, 60000 * MS));
    CHECK_EQ(fcp_quic_error(m.c), FCP_EQUIC_IDLE_TIMEOUT);
    CHECK_EQ(fcp_quic_error(m.s), FCP_EQUIC_IDLE_TIMEOUT);
    /* negotiated: the smaller of the two (RFC 9000 §10.1), with 3 PTO floor */
    CHECK(m.now - t0 >= 2000 * MS);
    CHECK(m.now - t0 < 10000 * MS);
    CHECK_EQ(fcp_quic_expiry(m.c), UINT64_MAX);
    sim_free(&m);

    /* with a keepalive shorter than the idle timeout the connection stays up */
    sim_init(&m, 14, id_a, pk_b);
    m.ccfg.idle_timeout_ms = m.scfg.idle_timeout_ms = 2000;
    m.ccfg.keepalive_ms = 500;
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK(handshake(&m));
    CHECK(!run_until(&m, both_closed, 20000 * MS));
    CHECK(established(&m));
    sim_free(&m);

    /* a server that never answers: the client gives up at the handshake timeout */
    sim_init(&m, 11, id_a, pk_b);
    m.ccfg.handshake_timeout_ms = 1500;
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    m.loss_pct = 100;
    CHECK(run_until(&m, both_closed, 60000 * MS));
    CHECK_EQ(fcp_quic_error(m.c), FCP_EQUIC_HANDSHAKE_TIMEOUT);
    sim_free(&m);
}

static void test_garbage(void)
{
    sim m;
    fcp_rng_xoshiro g;
    uint8_t b[1500];
    size_t len;
    int i, rc;
    fcp_quic_stats st;

    fcp_rng_xoshiro_init(&g, 77);
    sim_init(&m, 12, id_a, pk_b);
    /* random datagrams never start a connection */
    for (i = 0; i < 2000; i++) {
        fcp_quic_conn *s = NULL;
        len = 1 + (size_t)fcp_rng_xoshiro_below(&g, sizeof b);
        m.rng_c.rng.fill(m.rng_c.rng.ctx, b, len);
        if (i & 1)
            b[0] = 0xc0; /* long header, Initial type */
        rc = fcp_quic_server_accept(&s, &m.scfg, &m.sa, &m.ca, b, len, m.now);
        if (rc == 0 || s) {
            fcp_quic_conn_free(s);
            CHECK(0);
        }
    }
    sim_free(&m);

    sim_init(&m, 13, id_a, pk_b);
    CHECK_EQ(sim_dial(&m, pk_b), 0);
    CHECK(handshake(&m));
    for (i = 0; i < 3000; i++) {
        fcp_quic_conn *target = (i & 1) ? m.s : m.c;
        len = 1 + (size_t)fcp_rng_xoshiro_below(&g, 1400);
        m.rng_c.rng.fill(m.rng_c.rng.ctx, b, len);
        switch (i % 4) {
        case 0: b[0] = (uint8_t)(0x40 | (b[0] & 0x3f)); break; /* short header */
        case 1: b[0] = 0xc0; break;                           /* Initial */
        default: break;
        }
        rc = fcp_quic_recv(target, b, len, m.now);
        CHECK_EQ(rc, 0);
        if (rc != 0)
            break;
    }
    CHECK(established(&m));
    fcp_quic_get_stats(m.s, &st);
    CHECK(st.pkts_in >= 1500);
    /* the connection still works after the noise */
    {
        flow up;
        int k;
        flow_init(&up, FCP_WIRE_I2R, 200000, 31);
        for (k = 0; k < 100000 && up.recvd < up.target; k++) {
            flow_push(&up, m.c);
            if (!sim_step(&m))
                break;
            flow_pull(&up, m.s, 8);
        }
        CHECK_EQ(up.recvd, up.target);
        CHECK_EQ(up.bad, 0);
        flow_free(&up);
    }
    sim_free(&m);
}

/* ---- real loopback UDP ------------------------------------------------------------------ */

static uint64_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void udp_drain(fcp_quic_conn *c, int fd, const fcp_net_addr *to)
{
    uint8_t buf[FCP_QUIC_MAX_UDP_PAYLOAD];
    size_t len;
    while (c && fcp_quic_send(c, buf, sizeof buf, &len, mono_now()) == 0 && len > 0)
        (void)fcp_quic_udp_send(fd, buf, len, to); /* a full socket buffer is loss */
}

static void test_udp_loopback(void)
{
    int cfd = -1, sfd = -1;
    fcp_net_addr ca, sa, from;
    fcp_quic_config ccfg, scfg;
    fcp_rng_xoshiro rc_, rs_;
    fcp_quic_conn *c = NULL, *s = NULL;
    flow up;
    uint8_t buf[2048];
    uint64_t t0, t1;
    int n;

    if (fcp_net_udp_open(&cfd, "127.0.0.1", 0, &ca) != 0 ||
        fcp_net_udp_open(&sfd, "127.0.0.1", 0, &sa) != 0) {
        CHECK(0);
        return;
    }
    fcp_rng_xoshiro_init(&rc_, 101);
    fcp_rng_xoshiro_init(&rs_, 102);
    memset(&ccfg, 0, sizeof ccfg);
    memset(&scfg, 0, sizeof scfg);
    ccfg.id = id_a;
    ccfg.rng = &rc_.rng;
    scfg.id = id_b;
    scfg.rng = &rs_.rng;
    scfg.peer_key_ok = allow_a;
    CHECK_EQ(fcp_quic_client_new(&c, &ccfg, &ca, &sa, pk_b, mono_now()), 0);
    flow_init(&up, FCP_WIRE_I2R, 4u << 20, 41);
    t0 = mono_now();
    t1 = 0;
    for (n = 0; n < 2000000 && up.recvd < up.target && mono_now() - t0 < 20000 * MS; n++) {
        struct pollfd p[2] = { { cfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
        uint64_t e = fcp_quic_expiry(c), now = mono_now();
        int wait_ms, r;
        if (s && fcp_quic_expiry(s) < e)
            e = fcp_quic_expiry(s);
        wait_ms = e <= now ? 0 : (e - now) / MS > 50 ? 50 : (int)((e - now) / MS);
        if (s && fcp_quic_state(s) == FCP_QUIC_ESTABLISHED && t1 == 0)
            t1 = mono_now();
        if (fcp_quic_state(c) == FCP_QUIC_ESTABLISHED)
            flow_push(&up, c);
        udp_drain(c, cfd, &sa);
        udp_drain(s, sfd, &ca);
        if (poll(p, 2, wait_ms) < 0)
            break;
        while ((r = fcp_quic_udp_recv(sfd, buf, sizeof buf, &from)) >= 0) {
            if (!s)
                fcp_quic_server_accept(&s, &scfg, &sa, &from, buf, (size_t)r, mono_now());
            else
                fcp_quic_recv(s, buf, (size_t)r, mono_now());
        }
        while ((r = fcp_quic_udp_recv(cfd, buf, sizeof buf, &from)) >= 0)
            fcp_quic_recv(c, buf, (size_t)r, mono_now());
        now = mono_now();
        if (fcp_quic_expiry(c) <= now)
            fcp_quic_on_timer(c, now);
        if (s && fcp_quic_expiry(s) <= now)
            fcp_quic_on_timer(s, now);
        if (s)
            flow_pull(&up, s, 64);
        if (fcp_quic_state(c) == FCP_QUIC_CLOSED)
            break;
    }
    CHECK_EQ(up.recvd, up.target);
    CHECK_EQ(up.bad, 0);
    if (t1 && up.recvd == up.target) {
        double secs = (double)(mono_now() - t1) / 1e9;
        fcp_quic_stats st;
        fcp_quic_get_stats(c, &st);
        /* loopback carries any size: probing reaches the 1452 ceiling */
        CHECK(st.path_udp_payload > 1200);
        printf("  loopback UDP (path %llu B): %zu B in %.3f s = %.1f MB/s\n",
               (unsigned long long)st.path_udp_payload, up.target, secs, (double)up.target / secs / 1e6);
    }
    flow_free(&up);
    fcp_quic_conn_free(c);
    fcp_quic_conn_free(s);
    close(cfd);
    close(sfd);
}

int main(void)
{
    size_t i;
    for (i = 0; i < 32; i++) {
        seed_a[i] = (uint8_t)(0xa0 + i);
        seed_b[i] = (uint8_t)(0xb0 + i);
        seed_c[i] = (uint8_t)(0xc0 + i);
    }
    CHECK_EQ(fcp_quic_identity_new(&id_a, seed_a), 0);
    CHECK_EQ(fcp_quic_identity_new(&id_b, seed_b), 0);
    CHECK_EQ(fcp_quic_identity_new(&id_c, seed_c), 0);
    if (!id_a || !id_b || !id_c)
        return fcp_t_done("net_quic");
    fcp_quic_identity_pk(id_a, pk_a);
    fcp_quic_identity_pk(id_b, pk_b);
    fcp_quic_identity_pk(id_c, pk_c);

    test_golden();
    test_config();
    test_handshake_ok();
    test_wrong_pinned_key();
    test_unknown_client_key();
    test_no_client_cert();
    test_fcpc_send_checks();
    test_framing_lost();
    test_datagrams();
    test_idle_timeout();
    test_garbage();
    test_backpressure();
    test_stream_lossy();
    test_udp_loopback();

    fcp_quic_identity_free(id_a);
    fcp_quic_identity_free(id_b);
    fcp_quic_identity_free(id_c);
    return fcp_t_done("net_quic");
}
