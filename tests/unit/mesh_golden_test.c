/*
 * mesh_golden_test.c - the mesh wire formats against
 * conformance/golden/mesh/mesh_golden.json (written by an independent Python
 * generator, gen_mesh_golden.py): gossip digest pages encode byte for byte
 * and decode back, every reject gives its exact code (D-MESH-2), and the
 * control datagram (D-MESH-4) is rebuilt through the engine's own sealing
 * path and opened again by a receiving peer.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "mesh/mesh_internal.h"
#include "test.h"

static json_t *g_root;

static void test_digests(void)
{
    json_t *arr = json_object_get(g_root, "gossip_digests");
    CHECK(json_array_size(arr) >= 4);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        mesh_gossip g;
        memset(&g, 0, sizeof g);
        strcpy(g.zone_id, fcp_t_jstr(v, "zone_id"));
        g.more = json_is_true(json_object_get(v, "more"));
        const char *after = fcp_t_jstr(v, "after_hex");
        if (after[0]) {
            size_t l;
            uint8_t *a = fcp_t_unhex(after, &l);
            CHECK(a && l == 32);
            if (a && l == 32) {
                memcpy(g.after, a, 32);
                g.has_after = 1;
            }
            free(a);
        }
        json_t *ents = json_object_get(v, "entries");
        size_t j;
        json_t *e;
        json_array_foreach(ents, j, e) {
            size_t l;
            uint8_t *id = fcp_t_unhex(fcp_t_jstr(e, "id_hex"), &l);
            CHECK(id && l == 32);
            if (id && l == 32 && j < FCP_MESH_GOSSIP_PAGE)
                memcpy(g.e[j].id, id, 32);
            free(id);
            g.e[j].count = (uint32_t)json_integer_value(json_object_get(e, "count"));
            g.e[j].k = (uint32_t)json_integer_value(json_object_get(e, "k"));
            g.e[j].flags = (uint32_t)json_integer_value(json_object_get(e, "flags"));
        }
        g.n = json_array_size(ents);
        size_t wl;
        uint8_t *want = fcp_t_unhex(fcp_t_jstr(v, "cbor_hex"), &wl);
        fcp_buf b;
        fcp_buf_init(&b);
        CHECK_ERR(mesh_gossip_encode(&g, &b), 0);
        CHECK_EQ(b.len, wl);
        if (b.len == wl)
            CHECK_MEM(b.data, want, wl);
        mesh_gossip d;
        CHECK_ERR(mesh_gossip_decode(&d, want, wl), 0);
        CHECK(memcmp(&d, &g, sizeof d) == 0);
        fcp_buf_free(&b);
        free(want);
    }
}

static void test_rejects(void)
{
    json_t *arr = json_object_get(g_root, "gossip_rejects");
    CHECK(json_array_size(arr) >= 10);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        size_t l;
        uint8_t *raw = fcp_t_unhex(fcp_t_jstr(v, "cbor_hex"), &l);
        mesh_gossip d;
        int rc = mesh_gossip_decode(&d, raw, l);
        const char *name = fcp_error_name(rc);
        if (!CHECK(name && strcmp(name, fcp_t_jstr(v, "error")) == 0))
            fprintf(stderr, "  reject %s: got %s, want %s\n", fcp_t_jstr(v, "name"),
                    name ? name : "(ok)", fcp_t_jstr(v, "error"));
        mesh_gossip zero;
        memset(&zero, 0, sizeof zero);
        CHECK(memcmp(&d, &zero, sizeof d) == 0); /* output zeroed on error */
        free(raw);
    }
}

static uint8_t *hexf(const json_t *o, const char *k, size_t want)
{
    size_t l;
    uint8_t *p = fcp_t_unhex(fcp_t_jstr(o, k), &l);
    CHECK(p && (want == 0 || l == want));
    return p;
}

static void test_control(void)
{
    const json_t *c = json_object_get(g_root, "control");
    uint8_t *k_ctx = hexf(c, "k_ctx_hex", 32), *k_mac = hexf(c, "k_mac_i2r_hex", 32);
    uint8_t *sid = hexf(c, "session_id_hex", 16), *subkey = hexf(c, "subkey_hex", 32);
    size_t body_len, dg_len;
    uint8_t *body = hexf(c, "body_hex", 0), *dgram = hexf(c, "datagram_hex", 0);
    free(fcp_t_unhex(fcp_t_jstr(c, "body_hex"), &body_len));
    free(fcp_t_unhex(fcp_t_jstr(c, "datagram_hex"), &dg_len));
    const char *sender = fcp_t_jstr(c, "sender");
    const char *receiver = "node:bravo.sim.ts.net";

    fcp_clock_manual clk;
    fcp_clock_manual_init(&clk, 1767225600ull * 1000000000ull);
    fcp_mesh_node *n = calloc(1, sizeof *n);
    mesh_peer *tx = calloc(1, sizeof *tx), *rx = calloc(1, sizeof *rx);
    fcp_fcps_limits_for_datagram(&n->flim, FCP_MESH_MAX_DATAGRAM);
    fcp_session_policy pol;
    fcp_session_policy_default(&pol);

    /* sender side: we are the initiator talking to `receiver` */
    fcp_session_keys k;
    memset(&k, 0, sizeof k);
    memcpy(k.session_id, sid, 16);
    k.suite = 1;
    memcpy(k.k_mac_i2r, k_mac, 32);
    memset(k.k_mac_r2i, 0x77, 32);
    memcpy(k.k_ctx, k_ctx, 32);
    k.send_max = k.recv_max = FCP_MESH_MAX_DATAGRAM;
    k.is_initiator = 1;
    strcpy(k.peer, receiver);
    strcpy(tx->id, receiver);
    tx->id_len = strlen(receiver);
    fcp_session_chan_init(&tx->chan, &pol);
    CHECK_ERR(fcp_session_chan_install(&tx->chan, &k, &clk.clock), 0);
    mesh_ctl_install(tx, &k, sender, strlen(sender));
    CHECK_MEM(tx->ctl[0].send, subkey, 32);

    mesh_tx *t = calloc(1, sizeof *t + MESH_CTL_HEAD + body_len);
    t->kind = MESH_TX_CONTROL;
    t->len = (uint16_t)(MESH_CTL_HEAD + body_len);
    t->data[0] = (uint8_t)json_integer_value(json_object_get(c, "type"));
    t->data[1] = (uint8_t)(body_len & 0xff);
    t->data[2] = (uint8_t)(body_len >> 8);
    memcpy(t->data + MESH_CTL_HEAD, body, body_len);
    CHECK_EQ(mesh_ctl_symbol_size(body_len), json_integer_value(json_object_get(c, "symbol_size")));
    uint8_t out[FCP_MESH_MAX_DATAGRAM];
    size_t out_len;
    CHECK_ERR(mesh_ctl_seal(n, tx, t, out, sizeof out, &out_len), 0);
    CHECK_EQ(out_len, dg_len);
    if (out_len == dg_len)
        CHECK_MEM(out, dgram, dg_len);

    /* receiver side: the responder of the same session */
    k.is_initiator = 0;
    strcpy(k.peer, sender);
    strcpy(rx->id, sender);
    rx->id_len = strlen(sender);
    fcp_session_chan_init(&rx->chan, &pol);
    CHECK_ERR(fcp_session_chan_install(&rx->chan, &k, &clk.clock), 0);
    mesh_ctl_install(rx, &k, receiver, strlen(receiver));
    fcp_dgram d;
    fcp_fcps_frame f;
    uint8_t in[FCP_MESH_MAX_DATAGRAM];
    memcpy(in, dgram, dg_len);
    CHECK_ERR(fcp_session_chan_receive(&rx->chan, in, dg_len, &clk.clock, &d, &f), 0);
    uint8_t type = 0;
    const uint8_t *b2;
    size_t b2len;
    CHECK_ERR(mesh_ctl_open(n, rx, in, &f, in + FCP_DGRAM_HEADER_BYTES, d.frame_len, &type, &b2,
                            &b2len), 0);
    CHECK_EQ(type, MESH_CTL_GOSSIP);
    CHECK_EQ(b2len, body_len);
    if (b2len == body_len)
        CHECK_MEM(b2, body, body_len);

    /* the same datagram again is a replay, refused before any opening */
    memcpy(in, dgram, dg_len);
    CHECK_ERR(fcp_session_chan_receive(&rx->chan, in, dg_len, &clk.clock, &d, &f),
              FCP_EREPLAY_DUPLICATE);

    free(t);
    free(n);
    fcp_session_chan_wipe(&tx->chan);
    fcp_session_chan_wipe(&rx->chan);
    free(tx);
    free(rx);
    free(k_ctx);
    free(k_mac);
    free(sid);
    free(subkey);
    free(body);
    free(dgram);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    json_error_t jerr;
    g_root = json_load_file("conformance/golden/mesh/mesh_golden.json", 0, &jerr);
    if (!CHECK(g_root != NULL))
        return fcp_t_done("mesh_golden");
    test_digests();
    test_rejects();
    test_control();
    json_decref(g_root);
    return fcp_t_done("mesh_golden");
}
