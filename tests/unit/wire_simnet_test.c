/*
 * wire_simnet_test.c - two MeshSession engines and 100,000 data frames over a
 * seeded virtual link that drops, duplicates, reorders and corrupts datagrams,
 * plus an attacker who replays captured datagrams late.  Data datagrams see
 * 2% drop, 2% duplication, 2% corruption (one flipped bit) and 1..16 ticks of
 * delay; handshake datagrams see 25% drop and 15% corruption, so Hellos time
 * out and are resent and corrupted handshake messages are refused.
 *
 * Both nodes share one port per direction: handshake datagrams ("FCPH") and
 * FCPS data datagrams are told apart by fcp_session_is_handshake
 * (D-SESSION-2).  The responder requires the HelloRetry cookie, so every
 * handshake takes the cookie path; the initiator rekeys every 25,000 frames
 * (D-SESSION-4) while data keeps flowing, so frames sealed under the old keys
 * arrive after the switch and must still count (grace period).
 *
 * Checked: the session establishes; every intact data datagram is accepted
 * exactly once (first intact copy accepted, later copies refused); every
 * corrupted copy is refused with FCP_EDGRAM_SESSION (bit flip in the session
 * id) or FCP_EDGRAM_MAC; every replay is refused (duplicate, stale or grace
 * expired); the receive engines' counters agree with the test's own tally;
 * nothing leaks (run under ASan by `make check-asan`).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/fcps.h"
#include "fcp/model_attest.h"
#include "fcp/session.h"

#define T0         1767225600ull
#define MS         1000000ull
#define N_FRAMES   100000u
#define R2I_EVERY  10u          /* one responder->initiator frame per 10 ticks */
#define MAX_DELAY  16u          /* reorder: delivery 1..16 ticks after sending */
#define RING       4096u        /* delivery buckets (ticks) */
#define POOL       8192u        /* packets in flight */
#define HIST       256u         /* captured datagrams the attacker replays */
#define PCT(x)     ((x) * 100u) /* per-10000 probabilities */
#define P_DROP     PCT(2)
#define P_DUP      PCT(2)
#define P_CORRUPT  PCT(2)
#define P_REPLAY   50u          /* 0.5% of ticks */
#define P_HS_DROP  PCT(25)      /* handshake datagrams fare worse, to force */
#define P_HS_CORRUPT PCT(15)    /* retransmissions and rejects */

static const char *A_ID = "node:alice.mesh.ts.net";
static const char *B_ID = "node:bob.mesh.ts.net";

typedef struct pkt {
    uint8_t  buf[1200];
    size_t   len;
    int      to_b;       /* 1: toward the responder */
    int      corrupted;
    int      corrupt_at; /* byte index flipped */
    int      replay;     /* attacker re-injection of an accepted datagram */
    int32_t  sent;       /* index into the sent table (data), -1 for handshake */
    int32_t  next;
} pkt;

typedef struct sent_rec {
    uint64_t seq;
    uint8_t  accepted;
} sent_rec;

typedef struct hist_rec {
    uint8_t buf[1200];
    size_t  len;
    int     to_b;
} hist_rec;

static pkt      *g_pool;
static int32_t   g_free = -1;
static int32_t   g_bucket[RING];
static sent_rec *g_sent;
static size_t    g_nsent;
static hist_rec *g_hist;
static size_t    g_nhist;
static fcp_rng_xoshiro g_net; /* the link's own randomness */

/* Tally of what the test expects the receivers to have done. */
static struct {
    uint64_t accepted, dup_intact, corrupt_session, corrupt_mac, corrupt_other;
    uint64_t replay_dup, replay_stale, replay_grace, replays;
    uint64_t hs_rejected, handshakes, rekeys, drops, dups, corrupts;
    uint64_t wrong_outcome, hello_resends;
} t;

static int32_t pkt_alloc(void)
{
    int32_t i = g_free;
    if (i < 0)
        t.wrong_outcome++; /* pool exhausted: the simulation is mis-sized */
    else
        g_free = g_pool[i].next;
    return i;
}

static void pkt_release(int32_t i)
{
    g_pool[i].next = g_free;
    g_free = i;
}

static uint64_t rnd(uint64_t bound)
{
    return fcp_rng_xoshiro_below(&g_net, bound);
}

static void schedule(uint64_t tick, const uint8_t *buf, size_t len, int to_b, int32_t sent, int replay)
{
    int32_t i = pkt_alloc();
    if (i < 0)
        return;
    pkt *p = &g_pool[i];
    memcpy(p->buf, buf, len);
    p->len = len;
    p->to_b = to_b;
    p->sent = sent;
    p->replay = replay;
    p->corrupted = 0;
    if (!replay && rnd(10000) < (sent < 0 ? P_HS_CORRUPT : P_CORRUPT)) {
        p->corrupted = 1;
        p->corrupt_at = (int)rnd(len);
        p->buf[p->corrupt_at] ^= (uint8_t)(1u << rnd(8));
        t.corrupts++;
    }
    uint32_t b = (uint32_t)(tick % RING);
    p->next = g_bucket[b];
    g_bucket[b] = i;
}

/* Put one datagram on the link: maybe dropped, maybe duplicated, each copy
 * delayed 1..MAX_DELAY ticks (so copies overtake each other). */
static void link_send(uint64_t now, const uint8_t *buf, size_t len, int to_b, int32_t sent)
{
    if (rnd(10000) < (sent < 0 ? P_HS_DROP : P_DROP)) {
        t.drops++;
        return;
    }
    int copies = 1;
    if (rnd(10000) < P_DUP) {
        copies = 2;
        t.dups++;
    }
    for (int c = 0; c < copies; c++)
        schedule(now + 1 + rnd(MAX_DELAY), buf, len, to_b, sent, 0);
}

/* ---- the two nodes --------------------------------------------------------- */

typedef struct node {
    fcp_session_chan chan;
    fcp_dgram_counters harvested; /* counters of receive engines already dropped */
} node;

static void add_counters(fcp_dgram_counters *a, const fcp_dgram_counters *b)
{
    a->accepted += b->accepted;
    a->too_short += b->too_short;
    a->too_large += b->too_large;
    a->bad_session += b->bad_session;
    a->bad_mac += b->bad_mac;
    a->bad_frame += b->bad_frame;
    a->seq_zero += b->seq_zero;
    a->replay_stale += b->replay_stale;
    a->replay_duplicate += b->replay_duplicate;
}

/* Keep the counters of the receive engine an install is about to drop. */
static void install(node *n, const fcp_session_keys *k, const fcp_clock *c)
{
    if (n->chan.has_cur && !n->chan.cur_confirmed)
        add_counters(&n->harvested, &n->chan.rx_cur.n);
    else if (n->chan.has_cur && n->chan.has_prev)
        add_counters(&n->harvested, &n->chan.rx_prev.n);
    CHECK_ERR(fcp_session_chan_install(&n->chan, k, c), 0);
}

static uint8_t  g_frame[FCP_FCPS_FRAME_BYTES(1, 256)];
static size_t   g_frame_len;

static void make_frame(void)
{
    uint8_t oid[32] = {1}, zk[8] = {2}, zh[32] = {3}, data[256] = {4};
    static const uint8_t tag[16];
    fcp_fcps_header h;
    fcp_fcps_record rec = {0, 1, data, tag};
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
    CHECK_ERR(fcp_fcps_encode(g_frame, sizeof g_frame, &g_frame_len, &h, &rec, 1, &lim), 0);
}

static void keypair(uint8_t pk[32], uint8_t sk[64], uint8_t fill)
{
    uint8_t seed[32];
    memset(seed, fill, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
}

static void attest(fcp_session_trust *tr, const uint8_t owner_sk[64], const char *id,
                   const uint8_t pk[32], uint8_t iss_fill)
{
    fcp_node_attestation a;
    uint8_t ipk[32], isk[64], x[32];
    memset(&a, 0, sizeof a);
    strcpy(a.node_id, id);
    memcpy(a.node_sig_pubkey, pk, 32);
    memset(x, iss_fill, 32);
    fcp_x25519_base(a.node_enc_pubkey, x);
    keypair(ipk, isk, iss_fill);
    memcpy(a.node_iss_pubkey, ipk, 32);
    a.issued_at = T0 - 60;
    a.has_expires_at = 1;
    a.expires_at = T0 + 86400;
    CHECK_ERR(fcp_attestation_sign(&a, owner_sk), 0);
    CHECK_ERR(fcp_session_trust_add(tr, &a, T0), 0);
}

/* ---- simulation ------------------------------------------------------------ */

static fcp_session_trust  g_trust;
static fcp_session_initiator g_in;
static fcp_session_responder g_re;
static node g_a, g_b;
static fcp_session_out g_out;
static fcp_clock_manual g_clk;
static fcp_rng_xoshiro g_rng_a, g_rng_b;

/* First accepted datagram of each session toward the responder. */
static hist_rec g_first[16];
static size_t   g_nfirst;

static void capture(const uint8_t *buf, size_t len, int to_b)
{
    if (to_b && g_nfirst < 16 &&
        (g_nfirst == 0 || memcmp(g_first[g_nfirst - 1].buf, buf, 16) != 0)) {
        memcpy(g_first[g_nfirst].buf, buf, len);
        g_first[g_nfirst].len = len;
        g_first[g_nfirst].to_b = 1;
        g_nfirst++;
    }
    hist_rec *h = &g_hist[g_nhist % HIST];
    memcpy(h->buf, buf, len);
    h->len = len;
    h->to_b = to_b;
    g_nhist++;
}

static void deliver(uint64_t now, pkt *p)
{
    const fcp_clock *c = &g_clk.clock;
    node *n = p->to_b ? &g_b : &g_a;
    if (fcp_session_is_handshake(p->buf, p->len)) {
        int rc;
        if (p->to_b)
            rc = fcp_session_responder_receive(&g_re, p->buf, p->len, c, &g_rng_b.rng, &g_out);
        else
            rc = fcp_session_initiator_receive(&g_in, p->buf, p->len, c, &g_rng_a.rng, &g_out);
        if (p->sent >= 0) { /* a corrupted data datagram that now reads "FCPH" */
            CHECK(p->corrupted && rc < 0);
            t.corrupt_other++;
            return;
        }
        if (rc < 0) {
            t.hs_rejected++;
            return;
        }
        if (g_out.msg_len)
            link_send(now, g_out.msg, g_out.msg_len, !p->to_b, -1);
        if (g_out.event == FCP_SESSION_EV_ESTABLISHED) {
            install(n, &g_out.keys, c);
            if (p->to_b == 0)
                t.handshakes++;
        }
        return;
    }
    fcp_dgram d;
    fcp_fcps_frame f;
    int rc = fcp_session_chan_receive(&n->chan, p->buf, p->len, c, &d, &f);
    if (p->replay) {
        t.replays++;
        if (rc == FCP_EREPLAY_DUPLICATE)
            t.replay_dup++;
        else if (rc == FCP_EREPLAY_STALE)
            t.replay_stale++;
        else if (rc == FCP_ESESSION_GRACE_EXPIRED)
            t.replay_grace++;
        else
            t.wrong_outcome++;
        return;
    }
    if (p->sent < 0) { /* a corrupted handshake datagram that lost its magic */
        CHECK(p->corrupted && rc < 0);
        if (rc == FCP_EDGRAM_SESSION)
            t.corrupt_session++;
        else if (rc == FCP_EDGRAM_MAC)
            t.corrupt_mac++;
        else
            t.corrupt_other++;
        return;
    }
    sent_rec *s = &g_sent[p->sent];
    if (p->corrupted) {
        int want = p->corrupt_at < 16 ? FCP_EDGRAM_SESSION : FCP_EDGRAM_MAC;
        if (rc != want) {
            t.wrong_outcome++;
            fprintf(stderr, "corrupt byte %d: got %d want %d\n", p->corrupt_at, rc, want);
        }
        if (want == FCP_EDGRAM_SESSION)
            t.corrupt_session++;
        else
            t.corrupt_mac++;
        return;
    }
    if (!s->accepted) {
        if (rc != 0 || d.seq != s->seq) {
            t.wrong_outcome++;
            fprintf(stderr, "intact datagram refused: %d (%s)\n", rc, fcp_error_name(rc));
            return;
        }
        s->accepted = 1;
        t.accepted++;
        capture(p->buf, p->len, p->to_b);
    } else {
        if (rc != FCP_EREPLAY_DUPLICATE)
            t.wrong_outcome++;
        t.dup_intact++;
    }
}

static void send_data(uint64_t now, node *n, int to_b)
{
    uint8_t dg[1200];
    size_t len;
    int rc = fcp_session_chan_seal(&n->chan, dg, sizeof dg, &len, g_frame, g_frame_len);
    if (rc < 0) {
        t.wrong_outcome++;
        return;
    }
    g_sent[g_nsent].seq = fcp_load_u64le(dg + 16);
    g_sent[g_nsent].accepted = 0;
    link_send(now, dg, len, to_b, (int32_t)g_nsent);
    g_nsent++;
}

static void drain_tick(uint64_t now)
{
    uint32_t b = (uint32_t)(now % RING);
    int32_t i = g_bucket[b];
    g_bucket[b] = -1;
    /* reverse to deliver in scheduling order (deterministic either way) */
    int32_t rev = -1;
    while (i >= 0) {
        int32_t nx = g_pool[i].next;
        g_pool[i].next = rev;
        rev = i;
        i = nx;
    }
    while (rev >= 0) {
        int32_t nx = g_pool[rev].next;
        deliver(now, &g_pool[rev]);
        pkt_release(rev);
        rev = nx;
    }
}

static void run(void)
{
    const fcp_clock *c = &g_clk.clock;
    uint64_t now = 0, frames = 0;
    fcp_session_out o;
    CHECK_ERR(fcp_session_initiator_start(&g_in, c, &g_rng_a.rng, &o), 0);
    link_send(now, o.msg, o.msg_len, 1, -1);
    for (;;) {
        now++;
        fcp_clock_manual_advance(&g_clk, MS);
        drain_tick(now);
        if (fcp_session_initiator_tick(&g_in, c, &g_rng_a.rng, &o) < 0)
            t.wrong_outcome++;
        t.hello_resends += o.msg_len != 0;
        if (o.msg_len)
            link_send(now, o.msg, o.msg_len, 1, -1);
        if (o.event == FCP_SESSION_EV_FAILED) {
            CHECK_ERR(fcp_session_initiator_start(&g_in, c, &g_rng_a.rng, &o), 0);
            link_send(now, o.msg, o.msg_len, 1, -1);
        }
        if (g_in.state == FCP_SESSION_I_ESTABLISHED && fcp_session_chan_rekey_due(&g_a.chan, c)) {
            CHECK_ERR(fcp_session_initiator_start(&g_in, c, &g_rng_a.rng, &o), 0);
            link_send(now, o.msg, o.msg_len, 1, -1);
            t.rekeys++;
        }
        if (frames < N_FRAMES && g_a.chan.has_cur) {
            send_data(now, &g_a, 1);
            frames++;
            if (frames % R2I_EVERY == 0 && g_b.chan.has_cur)
                send_data(now, &g_b, 0);
        }
        if (frames < N_FRAMES && g_nhist && rnd(10000) < P_REPLAY) {
            const hist_rec *h = &g_hist[rnd(g_nhist < HIST ? g_nhist : HIST)];
            schedule(now + 1 + rnd(3000), h->buf, h->len, h->to_b, -1, 1);
        }
        if (frames >= N_FRAMES) {
            /* drain what is still in flight */
            int empty = 1;
            for (uint32_t b = 0; b < RING && empty; b++)
                empty = g_bucket[b] < 0;
            if (empty)
                break;
        }
        if (now > 10000000) {
            CHECK(0);
            break;
        }
    }
    /* an old-session datagram long after the grace period */
    CHECK(g_b.chan.has_prev);
    fcp_clock_manual_advance(&g_clk, 11000 * MS);
    for (size_t k = 0; k < g_nfirst; k++) {
        const hist_rec *h = &g_first[k];
        if (h->to_b && memcmp(h->buf, g_b.chan.rx_prev.session_id, 16) == 0) {
            fcp_dgram d;
            fcp_fcps_frame f;
            CHECK_ERR(fcp_session_chan_receive(&g_b.chan, h->buf, h->len, c, &d, &f), FCP_ESESSION_GRACE_EXPIRED);
            t.replay_grace++;
            t.replays++;
            break;
        }
    }
    printf("simnet: %llu ticks, %zu data datagrams, %llu accepted, drops %llu, dups %llu, corrupt %llu, "
           "replays %llu (dup %llu, stale %llu, grace %llu), handshakes %llu, rekeys %llu, "
           "handshake rejects %llu, retries %llu, hello resends %llu\n",
           (unsigned long long)now, g_nsent, (unsigned long long)t.accepted,
           (unsigned long long)t.drops, (unsigned long long)t.dups, (unsigned long long)t.corrupts,
           (unsigned long long)t.replays, (unsigned long long)t.replay_dup,
           (unsigned long long)t.replay_stale, (unsigned long long)t.replay_grace,
           (unsigned long long)t.handshakes, (unsigned long long)t.rekeys,
           (unsigned long long)t.hs_rejected, (unsigned long long)g_re.retries_sent,
           (unsigned long long)t.hello_resends);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    uint8_t owner_pk[32], owner_sk[64], a_pk[32], a_sk[64], b_pk[32], b_sk[64];
    keypair(owner_pk, owner_sk, 0x01);
    keypair(a_pk, a_sk, 0xa1);
    keypair(b_pk, b_sk, 0xb2);
    fcp_session_trust_init(&g_trust, owner_pk);
    attest(&g_trust, owner_sk, A_ID, a_pk, 0x31);
    attest(&g_trust, owner_sk, B_ID, b_pk, 0x32);
    make_frame();

    g_pool = calloc(POOL, sizeof *g_pool);
    g_sent = calloc(N_FRAMES + N_FRAMES / R2I_EVERY + 16, sizeof *g_sent);
    g_hist = calloc(HIST, sizeof *g_hist);
    if (!g_pool || !g_sent || !g_hist)
        return 1;
    for (int32_t i = 0; i < (int32_t)POOL; i++) {
        g_pool[i].next = g_free;
        g_free = i;
    }
    for (uint32_t b = 0; b < RING; b++)
        g_bucket[b] = -1;
    fcp_rng_xoshiro_init(&g_net, 20260307);
    fcp_rng_xoshiro_init(&g_rng_a, 1);
    fcp_rng_xoshiro_init(&g_rng_b, 2);
    fcp_clock_manual_init(&g_clk, T0 * 1000000000ull);

    fcp_session_config ca, cb;
    memset(&ca, 0, sizeof ca);
    ca.self_id = A_ID;
    ca.sig_sk = a_sk;
    ca.trust = &g_trust;
    cb = ca;
    cb.self_id = B_ID;
    cb.sig_sk = b_sk;
    cb.require_cookie = 1;
    CHECK_ERR(fcp_session_initiator_init(&g_in, &ca, B_ID), 0);
    CHECK_ERR(fcp_session_responder_init(&g_re, &cb, &g_clk.clock, &g_rng_b.rng), 0);
    fcp_session_policy pol;
    fcp_session_policy_default(&pol);
    pol.rekey_after_frames = 25000;
    fcp_session_chan_init(&g_a.chan, &pol);
    fcp_session_chan_init(&g_b.chan, &pol);

    run();

    /* the tally */
    CHECK_EQ(t.wrong_outcome, 0);
    CHECK(t.handshakes >= 4);       /* first session + rekeys */
    CHECK(t.rekeys >= 3);
    CHECK(g_re.retries_sent >= t.handshakes); /* every handshake took the cookie path */
    CHECK(t.drops > 0 && t.dups > 0 && t.corrupts > 0 && t.replays > 0);
    CHECK(t.hs_rejected > 0);     /* corrupted handshake datagrams were refused */
    CHECK(t.hello_resends > 0);   /* and lost ones were resent after the timeout */
    CHECK(t.replay_dup > 0 && t.replay_stale > 0 && t.replay_grace > 0);
    uint64_t lost = 0;
    for (size_t i = 0; i < g_nsent; i++)
        lost += !g_sent[i].accepted;
    CHECK_EQ(t.accepted + lost, g_nsent);
    CHECK(g_nsent >= N_FRAMES);
    /* every datagram not dropped outright arrived intact at least once or
     * was only seen corrupted: lost ones are bounded by drops + corrupts */
    CHECK(lost <= t.drops + t.corrupts);

    fcp_dgram_counters sum;
    memset(&sum, 0, sizeof sum);
    node *nodes[2] = {&g_a, &g_b};
    for (int k = 0; k < 2; k++) {
        add_counters(&sum, &nodes[k]->harvested);
        add_counters(&sum, &nodes[k]->chan.rx_cur.n);
        if (nodes[k]->chan.has_prev)
            add_counters(&sum, &nodes[k]->chan.rx_prev.n);
    }
    CHECK_EQ(sum.accepted, t.accepted);
    CHECK_EQ(sum.bad_session, t.corrupt_session);
    CHECK_EQ(sum.bad_mac, t.corrupt_mac);
    CHECK_EQ(sum.replay_duplicate, t.dup_intact + t.replay_dup);
    CHECK_EQ(sum.replay_stale, t.replay_stale);
    CHECK_EQ(g_a.chan.grace_expired + g_b.chan.grace_expired, t.replay_grace);
    CHECK_EQ(sum.bad_frame + sum.too_short + sum.too_large + sum.seq_zero, 0);

    fcp_session_chan_wipe(&g_a.chan);
    fcp_session_chan_wipe(&g_b.chan);
    fcp_session_responder_free(&g_re);
    fcp_session_initiator_wipe(&g_in);
    free(g_pool);
    free(g_sent);
    free(g_hist);
    return fcp_t_done("wire_simnet_test");
}
