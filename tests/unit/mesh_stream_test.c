/*
 * mesh_stream_test.c - the MeshNode engine over a carrier with a reliable
 * stream and a known datagram limit (QUIC in fcpd):
 *   - D-MESH-11: control messages as FCPC frames under the session's k_ctx,
 *     byte for byte against conformance/golden/mesh/stream_golden.json
 *     (independent Python), opened on the other side, replay / tamper /
 *     wrong direction / unknown session refused;
 *   - D-MESH-12: the symbol size a put picks from its members' path limits
 *     (every golden case through fcp_mesh_member_set_link and a real put);
 *   - D-MESH-14: sessions between mesh nodes negotiate Suite2;
 *   - control messages and response symbols leave ahead of queued pushes;
 *   - a simulated mesh whose control traffic rides streams: idle gossip sends
 *     no datagrams at all, a get through SymbolRequests on the stream returns
 *     the bytes, symbol datagrams never exceed the path, turning the stream
 *     off hands queued frames back to datagrams, garbage on the stream is
 *     counted and harmless.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/mesh.h"
#include "mesh/mesh_internal.h"
#include "mesh/mesh_sim.h"
#include "test.h"

static json_t *g_root;

static uint8_t *hexf(const json_t *o, const char *k, size_t *len)
{
    size_t l;
    uint8_t *p = fcp_t_unhex(fcp_t_jstr(o, k), &l);
    CHECK(p != NULL);
    if (len)
        *len = l;
    return p;
}

/* A peer record holding one session's control keys, as node `self` sees
 * `peer` (initiator: self sent the Hello). */
static mesh_peer *keyed_peer(const uint8_t *k_ctx, const uint8_t *sid, const char *self,
                             const char *peer, int initiator, const fcp_clock *clk)
{
    mesh_peer *p = calloc(1, sizeof *p);
    fcp_session_policy pol;
    fcp_session_policy_default(&pol);
    fcp_session_keys k;
    memset(&k, 0, sizeof k);
    memcpy(k.session_id, sid, 16);
    k.suite = 1;
    memset(k.k_mac_i2r, 0x11, 32);
    memset(k.k_mac_r2i, 0x22, 32);
    memcpy(k.k_ctx, k_ctx, 32);
    k.send_max = k.recv_max = FCP_MESH_MAX_DATAGRAM;
    k.is_initiator = initiator;
    strcpy(k.peer, peer);
    strcpy(p->id, peer);
    p->id_len = strlen(peer);
    fcp_session_chan_init(&p->chan, &pol);
    CHECK_ERR(fcp_session_chan_install(&p->chan, &k, clk), 0);
    mesh_ctl_install(p, &k, self, strlen(self));
    return p;
}

static mesh_tx *ctl_item(uint8_t type, const uint8_t *body, size_t len)
{
    mesh_tx *t = calloc(1, sizeof *t + MESH_CTL_HEAD + len);
    t->kind = MESH_TX_CONTROL;
    t->len = (uint16_t)(MESH_CTL_HEAD + len);
    t->data[0] = type;
    t->data[1] = (uint8_t)(len & 0xff);
    t->data[2] = (uint8_t)(len >> 8);
    memcpy(t->data + MESH_CTL_HEAD, body, len);
    return t;
}

static void test_golden_frames(void)
{
    const char *ini = fcp_t_jstr(g_root, "initiator"), *res = fcp_t_jstr(g_root, "responder");
    uint8_t *k_ctx = hexf(g_root, "k_ctx_hex", NULL), *sid = hexf(g_root, "session_id_hex", NULL);
    fcp_clock_manual clk;
    fcp_clock_manual_init(&clk, 1767225600ull * 1000000000ull);
    /* a: the initiator's view of the responder; b: the responder's view */
    mesh_peer *a = keyed_peer(k_ctx, sid, ini, res, 1, &clk.clock);
    mesh_peer *b = keyed_peer(k_ctx, sid, res, ini, 0, &clk.clock);
    json_t *frames = json_object_get(g_root, "frames"), *v;
    size_t i;
    CHECK(json_array_size(frames) >= 3);
    json_array_foreach(frames, i, v) {
        int from_ini = strcmp(fcp_t_jstr(v, "sender"), ini) == 0;
        mesh_peer *tx = from_ini ? a : b, *rx = from_ini ? b : a;
        size_t blen, flen, out_len;
        uint8_t *body = hexf(v, "body_hex", &blen), *frame = hexf(v, "frame_hex", &flen);
        uint8_t type = (uint8_t)json_integer_value(json_object_get(v, "type"));
        mesh_tx *t = ctl_item(type, body, blen);
        uint8_t out[FCP_MESH_STREAM_FRAME_MAX];
        CHECK_ERR(mesh_ctl_stream_seal(tx, t, out, sizeof out, &out_len), 0);
        CHECK_EQ(out_len, flen);
        CHECK(out_len <= FCP_MESH_STREAM_FRAME_MAX);
        if (out_len == flen)
            CHECK_MEM(out, frame, flen);

        /* the sender cannot open its own frame (the other direction's nonce) */
        uint8_t pt[FCP_MESH_STREAM_FRAME_MAX], t2;
        const uint8_t *b2;
        size_t b2len;
        CHECK(mesh_ctl_stream_open(tx, frame, flen, pt, sizeof pt, &t2, &b2, &b2len) < 0);
        /* a flipped ciphertext byte fails the AEAD and does not move the window */
        frame[40] ^= 1;
        CHECK_ERR(mesh_ctl_stream_open(rx, frame, flen, pt, sizeof pt, &t2, &b2, &b2len),
                  FCP_EFCPC_CRYPTO);
        frame[40] ^= 1;
        CHECK_ERR(mesh_ctl_stream_open(rx, frame, flen, pt, sizeof pt, &t2, &b2, &b2len), 0);
        CHECK_EQ(t2, type);
        CHECK_EQ(b2len, blen);
        if (b2len == blen)
            CHECK_MEM(b2, body, blen);
        /* the same frame again is a replay */
        CHECK(mesh_ctl_stream_open(rx, frame, flen, pt, sizeof pt, &t2, &b2, &b2len) < 0);
        /* a frame of a session the receiver does not hold */
        frame[6] ^= 0x80;
        CHECK_ERR(mesh_ctl_stream_open(rx, frame, flen, pt, sizeof pt, &t2, &b2, &b2len),
                  FCP_EMESH_NO_SESSION);
        free(t);
        free(body);
        free(frame);
    }
    /* a payload whose length field disagrees with the frame is refused */
    {
        mesh_tx *t = ctl_item(3, (const uint8_t *)"abc", 3);
        t->data[1] = 4; /* claims 4 body bytes, carries 3 */
        uint8_t out[FCP_MESH_STREAM_FRAME_MAX], pt[FCP_MESH_STREAM_FRAME_MAX], t2;
        const uint8_t *b2;
        size_t out_len, b2len;
        CHECK_ERR(mesh_ctl_stream_seal(a, t, out, sizeof out, &out_len), 0);
        CHECK_ERR(mesh_ctl_stream_open(b, out, out_len, pt, sizeof pt, &t2, &b2, &b2len),
                  FCP_EMESH_CONTROL);
        free(t);
    }
    fcp_session_chan_wipe(&a->chan);
    fcp_session_chan_wipe(&b->chan);
    free(a);
    free(b);
    free(k_ctx);
    free(sid);
}

static int all_up(mesh_sim *s)
{
    for (size_t i = 0; i < mesh_sim_size(s); i++) {
        fcp_mesh_node *n = mesh_sim_node(s, i);
        for (size_t p = 0; n && p < fcp_mesh_peer_count(n); p++) {
            fcp_mesh_peer_info pi;
            if (fcp_mesh_peer_info_get(n, p, &pi) < 0 || !pi.up)
                return 0;
        }
    }
    return 1;
}

static mesh_sim *sim3(uint32_t symbol_size)
{
    mesh_sim *s = NULL;
    mesh_sim_opts o;
    memset(&o, 0, sizeof o);
    o.n_nodes = 3;
    o.seed = 29;
    o.limits.symbol_size = symbol_size;
    CHECK_ERR(mesh_sim_new(&s, &o), 0);
    return s;
}

/* Get id on node i (mesh_sim_get): 0 when it returns exactly want[0..len),
 * FCP_EINTERNAL for other bytes, or the get's error. */
static int sim_get_equal(mesh_sim *s, size_t i, const uint8_t id[32], const uint8_t *want, size_t len)
{
    uint8_t *out;
    size_t olen;
    int rc = mesh_sim_get(s, i, id, MESH_SIM_ZONE, &out, &olen);
    if (rc == 0 && (olen != len || memcmp(out, want, len) != 0))
        rc = FCP_EINTERNAL;
    free(out);
    return rc;
}

static void test_put_symbol_size(void)
{
    json_t *cases = json_object_get(g_root, "put_symbol_size"), *v;
    size_t i;
    static uint8_t data[300000];
    for (size_t k = 0; k < sizeof data; k++)
        data[k] = (uint8_t)(k * 31u + 7u);
    CHECK(json_array_size(cases) >= 8);
    json_array_foreach(cases, i, v) {
        uint32_t limit = (uint32_t)json_integer_value(json_object_get(v, "limit"));
        json_t *paths = json_object_get(v, "paths");
        uint16_t want = (uint16_t)json_integer_value(json_object_get(v, "symbol_size"));
        mesh_sim *s = sim3(limit);
        if (!s)
            continue;
        for (size_t j = 0; j < 2; j++)
            CHECK_ERR(mesh_sim_set_link(s, 0, j + 1, (size_t)json_integer_value(json_array_get(paths, j)),
                                        0), 0);
        mesh_sim_run(s, 300, 10);
        CHECK(all_up(s));
        fcp_mesh_node *n = mesh_sim_node(s, 0);
        CHECK_EQ(mesh_put_symbol_size(n, 0), want);
        /* a chunked put: every object of it carries the same T */
        uint8_t id[32];
        CHECK_ERR(fcp_mesh_put(n, MESH_SIM_ZONE, data, sizeof data, id, NULL), 0);
        const fcp_mesh_store *st = mesh_sim_store(s, 0);
        fcp_mesh_obj_meta m[16];
        size_t nm = 0;
        CHECK_ERR(st->list_objects(st->ctx, MESH_SIM_ZONE, NULL, m, 16, &nm), 0);
        if (!CHECK(nm >= 3)) /* chunks + the manifest */
            fprintf(stderr, "objects: %zu\n", nm);
        for (size_t k = 0; k < nm; k++)
            CHECK_EQ(m[k].symbol_size, want);
        /* the peers store what they were pushed with the same T, and a get
         * from the other side reads the payload back */
        mesh_sim_run(s, 500, 10);
        fcp_mesh_obj_meta pm;
        CHECK_ERR(mesh_sim_store(s, 1)->stat(mesh_sim_store(s, 1)->ctx, id, &pm), 0);
        CHECK_EQ(pm.symbol_size, want);
        CHECK_ERR(sim_get_equal(s, 2, id, data, sizeof data), 0);
        mesh_sim_free(s);
    }
    /* an unknown peer */
    mesh_sim *s = sim3(0);
    if (s) {
        CHECK_ERR(fcp_mesh_member_set_link(mesh_sim_node(s, 0), "node:nobody.sim.ts.net", 1160, 1),
                  FCP_EMESH_UNKNOWN_PEER);
        CHECK_ERR(fcp_mesh_member_set_link(mesh_sim_node(s, 0), NULL, 1160, 1), FCP_EMESH_UNKNOWN_PEER);
        mesh_sim_free(s);
    }
}

/* Every pair linked both ways by a stream over a 1160-byte datagram path
 * (what a fresh QUIC connection gives before path-MTU probing). */
static void link_all(mesh_sim *s, size_t dgram, int stream)
{
    for (size_t i = 0; i < mesh_sim_size(s); i++)
        for (size_t j = 0; j < mesh_sim_size(s); j++)
            if (i != j)
                CHECK_ERR(mesh_sim_set_link(s, i, j, dgram, stream), 0);
}

static void test_stream_mesh(void)
{
    mesh_sim *s = sim3(0);
    if (!s)
        return;
    link_all(s, 1160, 1);
    mesh_sim_run(s, 500, 10);
    CHECK(all_up(s));
    /* idle: gossip and everything else of control rides the streams */
    uint64_t d0 = mesh_sim_delivered(s), s0 = mesh_sim_stream_delivered(s);
    mesh_sim_run(s, 5000, 20);
    CHECK_EQ(mesh_sim_delivered(s) - d0, 0);
    CHECK(mesh_sim_stream_delivered(s) - s0 >= 6 * 4); /* >= 4 gossip rounds x 6 directed pairs */
    CHECK(all_up(s)); /* stream frames keep sessions alive */

    /* a put on alpha; charlie reads it with alpha gone: requests go on the
     * stream to bravo, symbols come back as datagrams that fit the path */
    static uint8_t data[700000];
    for (size_t k = 0; k < sizeof data; k++)
        data[k] = (uint8_t)(k * 131u + 3u);
    uint8_t id[32];
    CHECK_ERR(fcp_mesh_put(mesh_sim_node(s, 0), MESH_SIM_ZONE, data, sizeof data, id, NULL), 0);
    mesh_sim_run(s, 2000, 10);
    CHECK_ERR(mesh_sim_kill(s, 0), 0);
    fcp_mesh_counters c1, c2;
    fcp_mesh_get_counters(mesh_sim_node(s, 1), &c1);
    CHECK_ERR(sim_get_equal(s, 2, id, data, sizeof data), 0);
    fcp_mesh_get_counters(mesh_sim_node(s, 1), &c2);
    CHECK(c2.symbols_served > c1.symbols_served);          /* bravo answered requests ... */
    CHECK(c2.stream_frames_in > c1.stream_frames_in);      /* ... that came on the stream */
    CHECK_EQ(c2.drop_stream, 0);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            if (i != j)
                CHECK(mesh_sim_max_datagram(s, i, j) <= 1160);
    CHECK(mesh_sim_max_datagram(s, 1, 2) > 1000); /* symbols did travel as datagrams */

    /* the stream goes away with frames queued: they leave as datagrams */
    CHECK_ERR(mesh_sim_restart(s, 0), 0);
    mesh_sim_run(s, 2000, 10);
    CHECK(all_up(s));
    CHECK_ERR(mesh_sim_tick(s, 1100), 0); /* gossip due: queued, not delivered */
    fcp_mesh_node *b = mesh_sim_node(s, 1);
    CHECK(b->peers[1].sq_head != NULL);
    uint64_t d1 = mesh_sim_delivered(s);
    CHECK_ERR(mesh_sim_set_link(s, 1, 2, 1160, 0), 0);
    CHECK(b->peers[1].sq_head == NULL);
    size_t len;
    uint8_t buf[FCP_MESH_STREAM_FRAME_MAX];
    CHECK_ERR(fcp_mesh_poll_stream(b, mesh_sim_node_id(s, 2), buf, sizeof buf, &len), 0);
    CHECK_ERR(fcp_mesh_poll_stream(b, mesh_sim_node_id(s, 2), buf, 100, &len), FCP_EBUFFER_TOO_SMALL);
    mesh_sim_step(s, 1);
    CHECK(mesh_sim_delivered(s) > d1);
    mesh_sim_run(s, 3000, 20);
    CHECK(all_up(s));
    mesh_sim_free(s);
}

static void test_stream_bad_input(void)
{
    mesh_sim *s = sim3(0);
    if (!s)
        return;
    link_all(s, 0, 1);
    mesh_sim_run(s, 500, 10);
    fcp_mesh_node *a = mesh_sim_node(s, 0), *b = mesh_sim_node(s, 1);
    const char *aid = mesh_sim_node_id(s, 0), *bid = mesh_sim_node_id(s, 1);
    /* take one authentic frame from alpha to bravo by hand */
    CHECK_ERR(mesh_sim_tick(s, 1100), 0);
    uint8_t f[FCP_MESH_STREAM_FRAME_MAX];
    size_t fl = 0;
    CHECK_ERR(fcp_mesh_poll_stream(a, bid, f, sizeof f, &fl), 1);
    fcp_mesh_counters c0, c1;
    fcp_mesh_get_counters(b, &c0);
    CHECK_ERR(fcp_mesh_on_stream(b, aid, f, fl), 0);
    CHECK_ERR(fcp_mesh_on_stream(b, aid, f, fl), 0);       /* replay */
    CHECK_ERR(fcp_mesh_on_stream(b, aid, f, fl - 1), 0);   /* truncated */
    CHECK_ERR(fcp_mesh_on_stream(b, aid, NULL, 0), 0);
    static const uint8_t junk[] = "FCPC garbage that is not a frame at all";
    CHECK_ERR(fcp_mesh_on_stream(b, aid, junk, sizeof junk), 0);
    /* alpha's frame presented as charlie's: charlie holds another session */
    CHECK_ERR(fcp_mesh_on_stream(b, mesh_sim_node_id(s, 2), f, fl), 0);
    CHECK_ERR(fcp_mesh_on_stream(b, "node:nobody.sim.ts.net", f, fl), FCP_EMESH_UNKNOWN_PEER);
    fcp_mesh_get_counters(b, &c1);
    CHECK_EQ(c1.stream_frames_in - c0.stream_frames_in, 1);
    CHECK_EQ(c1.drop_stream - c0.drop_stream, 5);
    mesh_sim_run(s, 2000, 20);
    CHECK(all_up(s));
    mesh_sim_free(s);
}

/* Control messages and response symbols leave ahead of queued pushes. */
static void test_priority(void)
{
    mesh_sim *s = sim3(0);
    if (!s)
        return;
    mesh_sim_run(s, 500, 10);
    CHECK(all_up(s));
    fcp_mesh_node *n = mesh_sim_node(s, 0);
    uint8_t id[32], sym[1024], buf[FCP_MESH_MAX_DATAGRAM];
    memset(id, 0x5a, sizeof id);
    memset(sym, 0x33, sizeof sym);
    for (uint32_t e = 0; e < 20; e++)
        CHECK_ERR(mesh_queue_symbol(n, 0, 0, FCP_FCPS_FLAGS_DEFAULT, id, e, 10, sym, 1024), 0);
    CHECK_ERR(mesh_queue_symbol(n, 0, 0, FCP_FCPS_FLAGS_DEFAULT | FCP_FCPS_FLAG_RESPONSE, id, 99, 10,
                                sym, 1024), 0);
    CHECK_ERR(mesh_queue_control(n, 0, MESH_CTL_SYMBOL_ACK, sym, 40), 0);
    fcp_mesh_counters c0, c1;
    fcp_mesh_get_counters(n, &c0);
    fcp_mesh_addr to;
    size_t len;
    CHECK_ERR(fcp_mesh_poll_tx(n, &to, buf, sizeof buf, &len), 1);
    CHECK_ERR(fcp_mesh_poll_tx(n, &to, buf, sizeof buf, &len), 1);
    fcp_mesh_get_counters(n, &c1);
    CHECK_EQ(c1.symbols_served - c0.symbols_served, 1);
    CHECK_EQ(c1.symbols_pushed - c0.symbols_pushed, 0);
    CHECK_ERR(fcp_mesh_poll_tx(n, &to, buf, sizeof buf, &len), 1);
    fcp_mesh_get_counters(n, &c1);
    CHECK_EQ(c1.symbols_pushed - c0.symbols_pushed, 1);
    /* a cancelled serve leaves the pushes alone */
    CHECK_ERR(mesh_queue_symbol(n, 0, 0, FCP_FCPS_FLAGS_DEFAULT | FCP_FCPS_FLAG_RESPONSE, id, 98, 10,
                                sym, 1024), 0);
    mesh_cancel_serves(n, 0, id);
    CHECK(n->peers[0].hq_head == NULL && n->peers[0].q_head != NULL);
    mesh_sim_free(s);
}

/* D-MESH-14: mesh sessions prefer Suite2 and still accept a Suite1-only peer. */
static void test_suite_preference(void)
{
    mesh_sim *s = sim3(0);
    if (!s)
        return;
    mesh_sim_run(s, 500, 10);
    CHECK(all_up(s));
    for (size_t i = 0; i < 3; i++) {
        fcp_mesh_node *n = mesh_sim_node(s, i);
        CHECK_EQ(n->scfg.n_suites, 2);
        CHECK_EQ(n->scfg.suites[0], FCP_DGRAM_SUITE2);
        for (size_t p = 0; p < n->n_peers; p++)
            CHECK_EQ(n->peers[p].chan.tx_cur.suite, FCP_DGRAM_SUITE2);
        /* a peer offering only Suite1 (e.g. an implementation without BLAKE3
         * MACs) negotiates Suite1 with our preference list */
        uint64_t only1[1] = { FCP_DGRAM_SUITE1 };
        CHECK_EQ(fcp_session_negotiate(only1, 1, n->scfg.suites, n->scfg.n_suites), FCP_DGRAM_SUITE1);
        CHECK_EQ(fcp_session_negotiate(n->scfg.suites, n->scfg.n_suites, only1, 1), FCP_DGRAM_SUITE1);
    }
    mesh_sim_free(s);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    json_error_t jerr;
    g_root = json_load_file("conformance/golden/mesh/stream_golden.json", 0, &jerr);
    if (!CHECK(g_root != NULL))
        return fcp_t_done("mesh_stream");
    test_golden_frames();
    test_put_symbol_size();
    test_stream_mesh();
    test_stream_bad_input();
    test_suite_preference();
    test_priority();
    json_decref(g_root);
    return fcp_t_done("mesh_stream");
}
