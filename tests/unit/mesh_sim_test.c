/*
 * mesh_sim_test.c - the MeshNode engine in a simulated 3-node mesh (one
 * process, in-memory links, manual clock, seeded RNG):
 *   sessions establish; a 3 MiB put on A spreads symbols so that every
 *   object survives the loss of any one node; C is killed; B gets the
 *   object byte-identical; C returns empty and the repair loop restores
 *   coverage (proved by then killing A and getting from C); a garbage flood
 *   from a fake address and a keyed-session replay flood leave the node
 *   serving with bounded memory and every drop counted; an over-asking
 *   SymbolRequest is capped.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/mesh.h"
#include "fcp/rng.h"
#include "fcp/symreq.h"
#include "mesh/mesh_internal.h"
#include "mesh/mesh_sim.h"
#include "test.h"

#define A 0
#define B 1
#define C 2

static int all_up(mesh_sim *s)
{
    for (size_t i = 0; i < mesh_sim_size(s); i++) {
        fcp_mesh_node *n = mesh_sim_node(s, i);
        if (!n)
            continue;
        for (size_t p = 0; p < fcp_mesh_peer_count(n); p++) {
            fcp_mesh_peer_info pi;
            fcp_mesh_peer_info_get(n, p, &pi);
            size_t other = 0;
            while (other < mesh_sim_size(s) && strcmp(mesh_sim_node_id(s, other), pi.node_id) != 0)
                other++;
            if (mesh_sim_node(s, other) && !pi.up)
                return 0;
        }
    }
    return 1;
}

static uint64_t store_bytes(mesh_sim *s, size_t i)
{
    return fcp_mesh_memstore_bytes(mesh_sim_store(s, i));
}

static mesh_sim *g_sim;
static uint8_t *g_payload;
static size_t g_len = 3u * 1024u * 1024u + 12345u;
static uint8_t g_root[32];

static void test_sessions(void)
{
    mesh_sim_opts o;
    memset(&o, 0, sizeof o);
    o.n_nodes = 3;
    o.seed = 42;
    CHECK_ERR(mesh_sim_new(&g_sim, &o), 0);
    CHECK(!all_up(g_sim));
    CHECK(mesh_sim_run(g_sim, 500, 10) > 0);
    CHECK(all_up(g_sim));
    fcp_mesh_event ev;
    int ups = 0;
    while (fcp_mesh_poll_event(mesh_sim_node(g_sim, A), &ev))
        ups += ev.type == FCP_MESH_EV_SESSION_UP;
    CHECK_EQ(ups, 2);
    fcp_mesh_counters c;
    fcp_mesh_get_counters(mesh_sim_node(g_sim, A), &c);
    CHECK_EQ(c.sessions_established, 2);
    CHECK_EQ(c.drop_dgram + c.drop_control + c.drop_hs_invalid + c.drop_symbol_auth, 0);
    CHECK(c.gossip_received > 0);
}

static void test_put_spreads(void)
{
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 7);
    g_payload = malloc(g_len);
    fcp_rng_fill(&x.rng, g_payload, g_len);
    fcp_mesh_node *a = mesh_sim_node(g_sim, A);
    uint64_t op = 0;
    CHECK_ERR(fcp_mesh_put(a, "z:nope", g_payload, g_len, g_root, &op), FCP_EMESH_UNKNOWN_ZONE);
    CHECK_ERR(fcp_mesh_put(a, MESH_SIM_ZONE, g_payload, 0, g_root, &op), FCP_EINVAL);
    CHECK_ERR(fcp_mesh_put(a, MESH_SIM_ZONE, g_payload, g_len, g_root, &op), 0);
    CHECK(op != 0);
    fcp_mesh_event ev;
    int done = 0;
    while (fcp_mesh_poll_event(a, &ev))
        if (ev.type == FCP_MESH_EV_PUT_DONE && ev.op == op) {
            done = 1;
            CHECK_MEM(ev.object_id, g_root, 32);
            CHECK(ev.count > 2000); /* both peers' shares queued */
        }
    CHECK(done);
    CHECK(mesh_sim_run(g_sim, 2500, 10) > 0);
    /* each node holds about half of the encoded bytes: (K+2)/2 + 2 of K per object */
    uint64_t third = g_len / 3;
    for (size_t i = 0; i < 3; i++) {
        CHECK(store_bytes(g_sim, i) > g_len / 2);
        CHECK(store_bytes(g_sim, i) < g_len / 2 + third);
    }
    fcp_mesh_coverage cov;
    for (size_t i = 0; i < 3; i++) {
        CHECK_ERR(fcp_mesh_zone_coverage(mesh_sim_node(g_sim, i), MESH_SIM_ZONE, &cov), 0);
        CHECK_EQ(cov.objects, 1 + (g_len + 65535) / 65536);
        CHECK_EQ(cov.objects_at_risk, 0);
        CHECK(cov.min_worst_loss_bps >= 10000);
        CHECK(cov.min_coverage_bps >= 15000);
    }
    /* every peer confirmed its share by gossip: A's put cache is empty */
    CHECK_EQ(mesh_sim_node(g_sim, A)->n_pending, 0);
    CHECK_EQ(mesh_sim_node(g_sim, A)->pending_bytes, 0);
    fcp_mesh_obj_status st;
    CHECK_ERR(fcp_mesh_stat(mesh_sim_node(g_sim, B), g_root, &st), 0);
    CHECK(st.flags & FCP_MESH_OBJ_ROOT);
    CHECK_EQ(st.n_holders, 3);
    fcp_mesh_obj_status list[8];
    size_t cnt;
    CHECK_ERR(fcp_mesh_list(mesh_sim_node(g_sim, C), MESH_SIM_ZONE, NULL, 1, list, 8, &cnt), 0);
    CHECK_EQ(cnt, 1);
    CHECK_MEM(list[0].object_id, g_root, 32);
    /* nothing unexpected was dropped anywhere */
    for (size_t i = 0; i < 3; i++) {
        fcp_mesh_counters c;
        fcp_mesh_get_counters(mesh_sim_node(g_sim, i), &c);
        CHECK_EQ(c.drop_dgram + c.drop_symbol_auth + c.drop_store + c.drop_tx_budget +
                     c.drop_push_rate + c.drop_zone, 0);
    }
}

static void test_kill_and_get(void)
{
    CHECK_ERR(mesh_sim_kill(g_sim, C), 0);
    CHECK(mesh_sim_run(g_sim, 5000, 50) >= 0);
    fcp_mesh_peer_info pi;
    fcp_mesh_peer_info_get(mesh_sim_node(g_sim, A), 1, &pi); /* A's peers: B, C */
    CHECK(!pi.up);
    fcp_mesh_coverage cov;
    CHECK_ERR(fcp_mesh_zone_coverage(mesh_sim_node(g_sim, A), MESH_SIM_ZONE, &cov), 0);
    CHECK(cov.objects_at_risk > 0); /* with C gone, losing A or B would lose data */
    CHECK(cov.min_coverage_bps >= 10000);
    uint8_t *got = NULL;
    size_t got_len = 0;
    CHECK_ERR(mesh_sim_get(g_sim, B, g_root, MESH_SIM_ZONE, &got, &got_len), 0);
    CHECK_EQ(got_len, g_len);
    if (got && got_len == g_len) {
        uint8_t h1[32], h2[32];
        fcp_blake3(h1, g_payload, g_len);
        fcp_blake3(h2, got, got_len);
        CHECK_MEM(h1, h2, 32);
        CHECK(memcmp(got, g_payload, g_len) == 0);
    }
    free(got);
    fcp_mesh_counters cb;
    fcp_mesh_get_counters(mesh_sim_node(g_sim, B), &cb);
    CHECK(cb.decodes_ok >= 1 + (g_len + 65535) / 65536);
    CHECK_EQ(cb.decodes_failed, 0);
    /* unknown object: no zone known anywhere; the get waits for it to show
     * up (D-MESH-13, timing pinned in mesh_get_test.c) */
    uint8_t bogus[32];
    memset(bogus, 0xee, 32);
    uint64_t op;
    const uint8_t *none;
    size_t none_len;
    CHECK_ERR(fcp_mesh_get_start(mesh_sim_node(g_sim, B), bogus, NULL, &op), 0);
    CHECK_ERR(fcp_mesh_get_result(mesh_sim_node(g_sim, B), op, &none, &none_len), FCP_ERQ_NEED_MORE);
    CHECK_ERR(fcp_mesh_op_release(mesh_sim_node(g_sim, B), op), 0);
}

static void test_return_and_repair(void)
{
    CHECK_ERR(mesh_sim_restart(g_sim, C), 0);
    CHECK_EQ(store_bytes(g_sim, C), 0);
    fcp_mesh_coverage c0;
    CHECK_ERR(fcp_mesh_zone_coverage(mesh_sim_node(g_sim, C), MESH_SIM_ZONE, &c0), 0);
    CHECK_EQ(c0.objects, 0);    /* an empty node knows nothing yet ... */
    CHECK_EQ(c0.peers_down, 2); /* ... and says why */
    CHECK(mesh_sim_run(g_sim, 15000, 20) > 0);
    CHECK(all_up(g_sim));
    CHECK(store_bytes(g_sim, C) > g_len / 2);
    fcp_mesh_counters ca;
    fcp_mesh_get_counters(mesh_sim_node(g_sim, A), &ca);
    CHECK(ca.repairs_done >= 1 + (g_len + 65535) / 65536);
    CHECK(ca.repair_symbols > 0);
    CHECK(ca.decodes_ok >= 1 + (g_len + 65535) / 65536); /* repaired by decoding, not from a cache */
    fcp_mesh_coverage cov;
    for (size_t i = 0; i < 3; i++) {
        CHECK_ERR(fcp_mesh_zone_coverage(mesh_sim_node(g_sim, i), MESH_SIM_ZONE, &cov), 0);
        CHECK_EQ(cov.objects_at_risk, 0);
        CHECK(cov.min_worst_loss_bps >= 10000);
        CHECK_EQ(cov.peers_down + cov.views_pending, 0);
    }
    /* C learned which object is the root from gossip */
    fcp_mesh_obj_status list[4];
    size_t cnt;
    CHECK_ERR(fcp_mesh_list(mesh_sim_node(g_sim, C), MESH_SIM_ZONE, NULL, 1, list, 4, &cnt), 0);
    CHECK_EQ(cnt, 1);
    /* the proof: lose A, read everything back from B + the repaired C */
    CHECK_ERR(mesh_sim_kill(g_sim, A), 0);
    CHECK(mesh_sim_run(g_sim, 5000, 50) >= 0);
    uint8_t *got = NULL;
    size_t got_len = 0;
    CHECK_ERR(mesh_sim_get(g_sim, C, g_root, MESH_SIM_ZONE, &got, &got_len), 0);
    CHECK(got && got_len == g_len && memcmp(got, g_payload, g_len) == 0);
    free(got);
    CHECK_ERR(mesh_sim_restart(g_sim, A), 0);
    CHECK(mesh_sim_run(g_sim, 15000, 20) > 0);
    CHECK(store_bytes(g_sim, A) > g_len / 2);
}

/* A SymbolRequest that asks for more than the allowance gets exactly the
 * allowance (D-SESSION-5), counted as capped. */
static void test_request_capped(void)
{
    fcp_mesh_node *a = mesh_sim_node(g_sim, A), *b = mesh_sim_node(g_sim, B);
    /* a chunk object of which A holds more than either cap */
    fcp_mesh_obj_status st, list[4];
    size_t cnt;
    uint8_t obj[32];
    CHECK_ERR(fcp_mesh_list(a, MESH_SIM_ZONE, NULL, 0, list, 4, &cnt), 0);
    CHECK(cnt == 4);
    size_t pick = list[0].k > 8 ? 0 : 1;
    memcpy(obj, list[pick].object_id, 32);
    CHECK_ERR(fcp_mesh_stat(a, obj, &st), 0);
    CHECK(st.local_symbols > FCP_SYMREQ_UNAUTH_CAP);
    fcp_mesh_counters before, after, bb, ba;
    fcp_mesh_get_counters(a, &before);
    fcp_mesh_get_counters(b, &bb);
    fcp_symbol_request r;
    memset(&r, 0, sizeof r);
    memcpy(r.t.object_id, obj, 32);
    strcpy(r.t.zone_id, MESH_SIM_ZONE);
    memcpy(r.t.zone_key_id, mesh_sim_zone(g_sim)->zone_key_id, 8);
    strcpy(r.requester, mesh_sim_node_id(g_sim, B));
    r.request_nonce = 99;
    r.max_symbols = 1024;
    r.requested_at = fcp_clock_unix_secs(mesh_sim_clock(g_sim));
    fcp_buf buf;
    fcp_buf_init(&buf);
    CHECK_ERR(fcp_symbol_request_encode(&r, &buf), 0);
    /* B's peer 0 is A */
    CHECK_ERR(mesh_queue_control(b, 0, MESH_CTL_SYMBOL_REQUEST, buf.data, buf.len), 0);
    fcp_buf_free(&buf);
    mesh_sim_step(g_sim, 1);
    fcp_mesh_get_counters(a, &after);
    fcp_mesh_get_counters(b, &ba);
    CHECK_EQ(after.requests_capped - before.requests_capped, 1);
    uint32_t expect = FCP_SYMREQ_UNAUTH_CAP;
    CHECK_EQ(after.symbols_served - before.symbols_served, expect);
    CHECK_EQ(ba.drop_unsolicited - bb.drop_unsolicited, expect); /* B never asked: all dropped */

    /* with proof of need: capped at needed - received + margin */
    memset(&r, 0, sizeof r);
    memcpy(r.t.object_id, obj, 32);
    strcpy(r.t.zone_id, MESH_SIM_ZONE);
    memcpy(r.t.zone_key_id, mesh_sim_zone(g_sim)->zone_key_id, 8);
    strcpy(r.requester, mesh_sim_node_id(g_sim, B));
    r.request_nonce = 100;
    r.max_symbols = 1024;
    r.has_decode_status = 1;
    r.decode_status.t = r.t;
    strcpy(r.decode_status.recipient, mesh_sim_node_id(g_sim, A));
    r.decode_status.request_nonce = 100;
    r.decode_status.needed = 5;
    r.decode_status.received_unique = 1;
    r.requested_at = fcp_clock_unix_secs(mesh_sim_clock(g_sim));
    fcp_buf_init(&buf);
    CHECK_ERR(fcp_symbol_request_encode(&r, &buf), 0);
    CHECK_ERR(mesh_queue_control(b, 0, MESH_CTL_SYMBOL_REQUEST, buf.data, buf.len), 0);
    fcp_buf_free(&buf);
    fcp_mesh_get_counters(a, &before);
    mesh_sim_step(g_sim, 1);
    fcp_mesh_get_counters(a, &after);
    CHECK_EQ(after.requests_capped - before.requests_capped, 1);
    CHECK_EQ(after.symbols_served - before.symbols_served, 4 + 2);

    /* a request naming another requester than the session's peer is refused */
    memset(&r, 0, sizeof r);
    memcpy(r.t.object_id, obj, 32);
    strcpy(r.t.zone_id, MESH_SIM_ZONE);
    strcpy(r.requester, mesh_sim_node_id(g_sim, C));
    r.max_symbols = 4;
    fcp_buf_init(&buf);
    CHECK_ERR(fcp_symbol_request_encode(&r, &buf), 0);
    CHECK_ERR(mesh_queue_control(b, 0, MESH_CTL_SYMBOL_REQUEST, buf.data, buf.len), 0);
    fcp_buf_free(&buf);
    fcp_mesh_get_counters(a, &before);
    mesh_sim_step(g_sim, 1);
    fcp_mesh_get_counters(a, &after);
    CHECK_EQ(after.drop_request_invalid - before.drop_request_invalid, 1);
    CHECK_EQ(after.symbols_served, before.symbols_served);
}

/* Garbage at full rate from an unknown address, then replays and forgeries
 * on a real session id: the node keeps serving and memory stays flat. */
static void test_flood(void)
{
    fcp_mesh_node *a = mesh_sim_node(g_sim, A);
    fcp_mesh_addr evil;
    memset(&evil, 0, sizeof evil);
    evil.len = 4;
    memcpy(evil.bytes, "evil", 4);
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 1234);
    uint8_t d[1300];
    fcp_mesh_counters before, after;
    fcp_mesh_get_counters(a, &before);
    uint64_t mem0 = fcp_mesh_memory_bytes(a);
    /* a real session id of A's session with B, taken from A's state */
    uint8_t sid[16];
    memcpy(sid, a->peers[0].chan.rx_cur.session_id, 16);
    const long N = 30000;
    long bad = 0;
    for (long i = 0; i < N; i++) {
        size_t len = 1 + (size_t)fcp_rng_xoshiro_below(&x, sizeof d);
        fcp_rng_fill(&x.rng, d, len);
        switch (i % 4) {
        case 0: break;                                               /* random bytes */
        case 1: if (len >= 6) memcpy(d, "FCPH\x01\x01", 6); break;   /* fake Hello */
        case 2: if (len >= 16) memcpy(d, sid, 16); break;           /* forged MAC */
        case 3: if (len >= 6) memcpy(d, "FCPH\x01\x03", 6); break;   /* fake Ack */
        }
        if (fcp_mesh_on_datagram(a, &evil, d, len) != 0)
            bad++;
        if (i % 1000 == 0)
            mesh_sim_step(g_sim, 1); /* the mesh keeps running */
    }
    CHECK_EQ(bad, 0);
    fcp_mesh_get_counters(a, &after);
    uint64_t drops = (after.drop_empty - before.drop_empty) + (after.drop_hs_rate - before.drop_hs_rate) +
                     (after.drop_hs_invalid - before.drop_hs_invalid) +
                     (after.drop_unknown_session - before.drop_unknown_session) +
                     (after.drop_dgram - before.drop_dgram);
    CHECK(drops >= (uint64_t)N);
    CHECK(after.drop_hs_rate - before.drop_hs_rate > 10000); /* most handshake junk never parsed */
    CHECK(after.drop_dgram - before.drop_dgram > 5000);      /* forged MACs refused */
    CHECK(after.drop_unknown_session - before.drop_unknown_session > 5000);
    uint64_t mem1 = fcp_mesh_memory_bytes(a);
    CHECK(mem1 <= mem0 + 65536);
    /* still serving: B gets the object with A's help */
    CHECK(all_up(g_sim));
    uint8_t *got = NULL;
    size_t got_len = 0;
    CHECK_ERR(mesh_sim_get(g_sim, B, g_root, MESH_SIM_ZONE, &got, &got_len), 0);
    CHECK(got && got_len == g_len && memcmp(got, g_payload, g_len) == 0);
    free(got);
}

/* Per-peer budgets with small limits: requests over the token bucket and
 * pushes over the push bucket are dropped and counted, the transmit queue
 * never exceeds its cap, and the repair loop later delivers what the
 * budgets dropped, from the put cache (the pushes were the only copies of
 * the peers' shares); a put larger than the put cache is refused. */
static void test_peer_budgets(void)
{
    mesh_sim *s;
    mesh_sim_opts o;
    memset(&o, 0, sizeof o);
    o.n_nodes = 3;
    o.seed = 77;
    o.limits.peer_requests_per_sec = 10;
    o.limits.peer_request_burst = 10;
    o.limits.peer_push_per_sec = 100;
    o.limits.peer_tx_bytes = 128u << 10;
    CHECK_ERR(mesh_sim_new(&s, &o), 0);
    mesh_sim_run(s, 500, 10);
    CHECK(all_up(s));
    fcp_mesh_node *a = mesh_sim_node(s, A), *b = mesh_sim_node(s, B);

    /* 1 MiB put: ~530 symbols per peer against a 128 KiB queue and 100/s */
    size_t len = 1u << 20;
    uint8_t *p = malloc(len), id[32];
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 3);
    fcp_rng_fill(&x.rng, p, len);
    CHECK_ERR(fcp_mesh_put(a, MESH_SIM_ZONE, p, len, id, NULL), 0);
    fcp_mesh_peer_info pi;
    fcp_mesh_peer_info_get(a, 0, &pi);
    CHECK(pi.tx_queued_bytes <= (128u << 10));
    fcp_mesh_counters ca, cb;
    fcp_mesh_get_counters(a, &ca);
    CHECK(ca.drop_tx_budget > 0);
    mesh_sim_step(s, 1);
    fcp_mesh_get_counters(b, &cb);
    CHECK(cb.drop_push_rate > 0);

    /* 50 requests at once from B: at most the burst (10) are served */
    fcp_symbol_request r;
    fcp_buf buf;
    fcp_mesh_counters before, after;
    fcp_mesh_get_counters(a, &before);
    for (int i = 0; i < 50; i++) {
        memset(&r, 0, sizeof r);
        memcpy(r.t.object_id, id, 32);
        strcpy(r.t.zone_id, MESH_SIM_ZONE);
        strcpy(r.requester, mesh_sim_node_id(s, B));
        r.request_nonce = (uint64_t)i;
        r.max_symbols = 1;
        fcp_buf_init(&buf);
        CHECK_ERR(fcp_symbol_request_encode(&r, &buf), 0);
        CHECK_ERR(mesh_queue_control(b, 0, MESH_CTL_SYMBOL_REQUEST, buf.data, buf.len), 0);
        fcp_buf_free(&buf);
    }
    mesh_sim_step(s, 1);
    fcp_mesh_get_counters(a, &after);
    CHECK(after.drop_request_rate - before.drop_request_rate >= 40);

    CHECK(a->n_pending > 0);
    uint8_t id2[32];
    CHECK_ERR(fcp_mesh_put(a, MESH_SIM_ZONE, p, len, id2, NULL), 0);
    /* time heals: repair delivers the dropped shares, coverage recovers */
    mesh_sim_run(s, 40000, 20);
    CHECK_EQ(a->n_pending, 0);
    fcp_mesh_coverage cov;
    for (size_t i = 0; i < 3; i++) {
        CHECK_ERR(fcp_mesh_zone_coverage(mesh_sim_node(s, i), MESH_SIM_ZONE, &cov), 0);
        CHECK_EQ(cov.objects_at_risk, 0);
    }
    fcp_mesh_get_counters(a, &ca);
    CHECK(ca.repairs_done > 0);
    uint8_t *got = NULL;
    size_t got_len = 0;
    CHECK_ERR(mesh_sim_get(s, C, id, MESH_SIM_ZONE, &got, &got_len), 0);
    CHECK(got && got_len == len && memcmp(got, p, len) == 0);
    free(got);
    free(p);
    mesh_sim_free(s);
}

/* Small objects (one RawChunk) and a zero-peer mesh. */
static void test_small_and_single(void)
{
    uint8_t id[32];
    const char *msg = "hello, mesh";
    CHECK_ERR(fcp_mesh_put(mesh_sim_node(g_sim, B), MESH_SIM_ZONE, (const uint8_t *)msg,
                           strlen(msg), id, NULL), 0);
    mesh_sim_run(g_sim, 100, 10);
    uint8_t *got = NULL;
    size_t got_len = 0;
    CHECK_ERR(mesh_sim_get(g_sim, C, id, MESH_SIM_ZONE, &got, &got_len), 0);
    CHECK(got && got_len == strlen(msg) && memcmp(got, msg, got_len) == 0);
    free(got);

    mesh_sim *one;
    mesh_sim_opts o;
    memset(&o, 0, sizeof o);
    o.n_nodes = 1;
    o.seed = 5;
    o.limits.put_cache_bytes = 64u << 10;
    CHECK_ERR(mesh_sim_new(&one, &o), 0);
    static uint8_t big[100u << 10];
    CHECK_ERR(fcp_mesh_put(mesh_sim_node(one, 0), MESH_SIM_ZONE, big, sizeof big, id, NULL),
              FCP_EMESH_BUSY);
    CHECK_ERR(fcp_mesh_put(mesh_sim_node(one, 0), MESH_SIM_ZONE, (const uint8_t *)msg, strlen(msg),
                           id, NULL), 0);
    got = NULL;
    CHECK_ERR(mesh_sim_get(one, 0, id, MESH_SIM_ZONE, &got, &got_len), 0);
    CHECK(got && got_len == strlen(msg) && memcmp(got, msg, got_len) == 0);
    free(got);
    mesh_sim_free(one);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    test_sessions();
    test_put_spreads();
    test_kill_and_get();
    test_return_and_repair();
    test_request_capped();
    test_flood();
    test_small_and_single();
    test_peer_budgets();
    mesh_sim_free(g_sim);
    free(g_payload);
    return fcp_t_done("mesh_sim");
}
