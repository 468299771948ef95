/*
 * mesh_member_test.c - per-zone and runtime membership of the MeshNode
 * engine (D-MESH-9) in the simulated mesh:
 *   placement over the members of the object's zone only, recomputed from
 *   conformance/golden/mesh/membership_placement.json (a node outside the
 *   zone never receives a symbol of it); a member added at runtime receives
 *   its share through repair; a member removed at runtime has its session
 *   closed, its handshakes refused and its symbols re-spread so that any
 *   one further loss still leaves every object decodable; a member's
 *   address change re-establishes the session at the new address.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/mesh.h"
#include "fcp/rng.h"
#include "mesh/mesh_internal.h"
#include "mesh/mesh_sim.h"
#include "test.h"

#define ALPHA   0
#define BRAVO   1
#define CHARLIE 2
#define DELTA   3

static json_t *g_gold;

static size_t node_of(mesh_sim *s, const char *id)
{
    for (size_t i = 0; i < mesh_sim_size(s); i++)
        if (strcmp(mesh_sim_node_id(s, i), id) == 0)
            return i;
    return SIZE_MAX;
}

/* Every configured peer of every live node has a session. */
static int all_up(mesh_sim *s)
{
    for (size_t i = 0; i < mesh_sim_size(s); i++) {
        fcp_mesh_node *n = mesh_sim_node(s, i);
        if (!n)
            continue;
        for (size_t p = 0; p < fcp_mesh_peer_count(n); p++) {
            fcp_mesh_peer_info pi;
            fcp_mesh_peer_info_get(n, p, &pi);
            size_t o = node_of(s, pi.node_id);
            if (o != SIZE_MAX && mesh_sim_node(s, o) && !pi.up)
                return 0;
        }
    }
    return 1;
}

static int run_until_up(mesh_sim *s, uint64_t max_ms)
{
    for (uint64_t t = 0; t < max_ms; t += 10) {
        if (mesh_sim_step(s, 10) < 0)
            return 0;
        if (all_up(s))
            return 1;
    }
    return 0;
}

/* ESIs node i holds of id, ascending: count returned (0 if none). */
static size_t held(mesh_sim *s, size_t i, const uint8_t id[32], uint32_t *esis, size_t cap)
{
    const fcp_mesh_store *st = mesh_sim_store(s, i);
    size_t n = 0;
    if (st->list_esis(st->ctx, id, 0, esis, cap, &n) < 0)
        return 0;
    return n;
}

static json_t *gold_case(const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(g_gold, "cases"), i, c)
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
            return c;
    return NULL;
}

/* exact: node i holds exactly the golden ESIs; else a superset of them. */
static void check_esis(mesh_sim *s, json_t *c, const uint8_t id[32], int exact)
{
    json_t *esis = json_object_get(c, "esis");
    const char *node;
    json_t *want;
    static uint32_t have[4096];
    json_object_foreach(esis, node, want) {
        size_t i = node_of(s, node);
        if (!CHECK(i != SIZE_MAX) || !mesh_sim_node(s, i))
            continue;
        size_t n = held(s, i, id, have, 4096);
        size_t w = json_array_size(want);
        if (exact)
            CHECK_EQ(n, w);
        size_t found = 0;
        for (size_t k = 0; k < w; k++) {
            uint32_t e = (uint32_t)json_integer_value(json_array_get(want, k));
            for (size_t h = 0; h < n; h++)
                if (have[h] == e) {
                    found++;
                    break;
                }
        }
        CHECK_EQ(found, w);
    }
}

/* Golden placement: z:work served by alpha, charlie, delta; z:private by
 * all four.  A put on charlie in each zone lands exactly on the golden
 * ESIs; bravo gets nothing of z:work and cannot even name the zone.  Then
 * delta leaves z:work (set_zones): alpha and charlie end up holding their
 * new classes, and delta's digests of z:work are refused. */
static void test_golden_placement(void)
{
    mesh_sim *s;
    mesh_sim_opts o;
    memset(&o, 0, sizeof o);
    o.n_nodes = 4;
    o.seed = 9;
    o.zone_b = (1u << ALPHA) | (1u << CHARLIE) | (1u << DELTA);
    CHECK_ERR(mesh_sim_new(&s, &o), 0);
    CHECK(run_until_up(s, 3000));
    /* internal plan: z:work (index 1 on charlie) has 3 members */
    fcp_mesh_node *ch = mesh_sim_node(s, CHARLIE);
    CHECK_EQ(ch->zn[0], 4);
    CHECK_EQ(ch->zn[1], 3);
    CHECK_EQ(ch->zself[1], 1);
    json_t *sub = gold_case("zone_subset"), *all = gold_case("zone_all"), *rem = gold_case("after_remove");
    if (!CHECK(sub && all && rem)) {
        mesh_sim_free(s);
        return;
    }
    size_t plen = (size_t)json_integer_value(json_object_get(sub, "payload_len"));
    uint8_t *payload = calloc(1, plen);
    for (size_t i = 0; i < plen; i++)
        payload[i] = (uint8_t)(i * 7u + 3u);
    uint8_t id_work[32], id_priv[32];
    size_t body = plen;
    CHECK_ERR(fcp_mesh_put(ch, MESH_SIM_ZONE_B, payload, body, id_work, NULL), 0);
    fcp_mesh_obj_meta m;
    const fcp_mesh_store *cs = mesh_sim_store(s, CHARLIE);
    CHECK_ERR(cs->stat(cs->ctx, id_work, &m), 0);
    CHECK_EQ(m.k, json_integer_value(json_object_get(sub, "k")));
    CHECK_ERR(fcp_mesh_put(ch, MESH_SIM_ZONE, payload, body, id_priv, NULL), 0);
    CHECK(mesh_sim_run(s, 3000, 10) > 0);
    check_esis(s, sub, id_work, 1);
    check_esis(s, all, id_priv, 1);
    /* bravo: no record, no zone, nothing refused (nothing was sent to it) */
    fcp_mesh_node *br = mesh_sim_node(s, BRAVO);
    const fcp_mesh_store *bs = mesh_sim_store(s, BRAVO);
    CHECK_ERR(bs->stat(bs->ctx, id_work, &m), FCP_ENOENT);
    uint64_t op;
    CHECK_ERR(fcp_mesh_get_start(br, id_work, MESH_SIM_ZONE_B, &op), FCP_EMESH_UNKNOWN_ZONE);
    /* no zone of bravo's knows it: the get waits for it to show up and then
     * fails with FCP_EMESH_UNKNOWN_OBJECT (D-MESH-13, mesh_get_test.c) */
    const uint8_t *none;
    size_t none_len;
    CHECK_ERR(fcp_mesh_get_start(br, id_work, NULL, &op), 0);
    CHECK_ERR(fcp_mesh_get_result(br, op, &none, &none_len), FCP_ERQ_NEED_MORE);
    CHECK_ERR(fcp_mesh_op_release(br, op), 0);
    fcp_mesh_counters c;
    fcp_mesh_get_counters(br, &c);
    CHECK_EQ(c.drop_zone + c.drop_not_member, 0);
    /* the others' coverage of z:work counts its 3 members only */
    fcp_mesh_coverage cov;
    CHECK_ERR(fcp_mesh_zone_coverage(mesh_sim_node(s, ALPHA), MESH_SIM_ZONE_B, &cov), 0);
    CHECK_EQ(cov.objects, 1);
    CHECK_EQ(cov.objects_at_risk, 0);
    CHECK_EQ(cov.peers_down, 0);
    /* a symbol toward a non-member is refused at the queue */
    size_t bi = SIZE_MAX;
    for (size_t p = 0; p < ch->n_peers; p++)
        if (strcmp(ch->peers[p].id, mesh_sim_node_id(s, BRAVO)) == 0)
            bi = p;
    uint8_t sym[1024] = { 0 };
    if (CHECK(bi != SIZE_MAX))
        CHECK_ERR(mesh_queue_symbol(ch, bi, 1, FCP_FCPS_FLAGS_DEFAULT, id_work, 0, 10, sym, 1024),
                  FCP_EMESH_NOT_MEMBER);

    /* delta leaves z:work in the others' view (set_zones) but keeps running
     * and still thinks it serves z:work: its digests of z:work are refused */
    const char *did = mesh_sim_node_id(s, DELTA);
    char only_priv[1][FCP_ZONE_ID_MAX + 1];
    memset(only_priv, 0, sizeof only_priv);
    strcpy(only_priv[0], MESH_SIM_ZONE);
    CHECK_ERR(fcp_mesh_member_set_zones(ch, "node:nobody.sim.ts.net",
                                        (const char (*)[FCP_ZONE_ID_MAX + 1])only_priv, 1),
              FCP_EMESH_UNKNOWN_PEER);
    for (size_t i = 0; i < 3; i++)
        CHECK_ERR(fcp_mesh_member_set_zones(mesh_sim_node(s, i), did,
                                            (const char (*)[FCP_ZONE_ID_MAX + 1])only_priv, 1), 0);
    CHECK_EQ(ch->zn[1], 2);
    CHECK_EQ(ch->zn[0], 4);
    fcp_mesh_get_counters(mesh_sim_node(s, ALPHA), &c);
    uint64_t nm0 = c.drop_not_member;
    CHECK(mesh_sim_run(s, 8000, 10) > 0);
    fcp_mesh_get_counters(mesh_sim_node(s, ALPHA), &c);
    CHECK(c.drop_not_member > nm0);
    check_esis(s, rem, id_work, 0);
    CHECK_ERR(fcp_mesh_zone_coverage(mesh_sim_node(s, ALPHA), MESH_SIM_ZONE_B, &cov), 0);
    CHECK_EQ(cov.objects_at_risk, 0);
    CHECK(cov.min_worst_loss_bps >= 10000);
    free(payload);
    mesh_sim_free(s);
}

static void peer_cfg(mesh_sim *s, size_t i, fcp_mesh_peer_config *pc)
{
    mesh_sim_peer_config(s, i, pc);
}

/* Runtime add, remove and move in a 4-node mesh whose delta starts outside. */
static void test_runtime(void)
{
    mesh_sim *s;
    mesh_sim_opts o;
    memset(&o, 0, sizeof o);
    o.n_nodes = 4;
    o.seed = 77;
    o.detached = 1u << DELTA;
    CHECK_ERR(mesh_sim_new(&s, &o), 0);
    CHECK(run_until_up(s, 3000));
    CHECK_EQ(fcp_mesh_peer_count(mesh_sim_node(s, ALPHA)), 2);
    CHECK_EQ(fcp_mesh_peer_count(mesh_sim_node(s, DELTA)), 0);
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 5);
    size_t len = 600u * 1024u;
    uint8_t *payload = malloc(len);
    fcp_rng_fill(&x.rng, payload, len);
    uint8_t id[32];
    CHECK_ERR(fcp_mesh_put(mesh_sim_node(s, ALPHA), MESH_SIM_ZONE, payload, len, id, NULL), 0);
    CHECK(mesh_sim_run(s, 2000, 10) > 0);

    /* add delta at runtime, both directions; errors first */
    fcp_mesh_peer_config pc;
    peer_cfg(s, BRAVO, &pc);
    CHECK_ERR(fcp_mesh_member_add(mesh_sim_node(s, ALPHA), &pc), FCP_EMESH_MEMBER_EXISTS);
    peer_cfg(s, ALPHA, &pc);
    CHECK_ERR(fcp_mesh_member_add(mesh_sim_node(s, ALPHA), &pc), FCP_EMESH_CONFIG); /* itself */
    peer_cfg(s, DELTA, &pc);
    pc.attestation.issued_at++;   /* signature no longer verifies */
    CHECK(fcp_mesh_member_add(mesh_sim_node(s, ALPHA), &pc) < 0);
    CHECK_EQ(fcp_mesh_peer_count(mesh_sim_node(s, ALPHA)), 2);
    for (size_t i = 0; i < 3; i++) {
        peer_cfg(s, DELTA, &pc);
        CHECK_ERR(fcp_mesh_member_add(mesh_sim_node(s, i), &pc), 0);
        peer_cfg(s, i, &pc);
        CHECK_ERR(fcp_mesh_member_add(mesh_sim_node(s, DELTA), &pc), 0);
    }
    CHECK(run_until_up(s, 3000));
    CHECK(mesh_sim_run(s, 12000, 10) > 0);
    /* delta holds at least its share of every object (share over 4 members) */
    fcp_mesh_node *dn = mesh_sim_node(s, DELTA), *an = mesh_sim_node(s, ALPHA);
    const fcp_mesh_store *ds = mesh_sim_store(s, DELTA);
    fcp_mesh_obj_meta metas[64];
    size_t got = 0;
    CHECK_ERR(ds->list_objects(ds->ctx, MESH_SIM_ZONE, NULL, metas, 64, &got), 0);
    CHECK(got >= 4);   /* chunks and the manifest */
    for (size_t i = 0; i < got; i++)
        CHECK(metas[i].n_symbols >= mesh_share(an, 0, metas[i].k));
    fcp_mesh_counters c;
    fcp_mesh_get_counters(an, &c);
    CHECK_EQ(c.members_added, 1);
    CHECK(c.repairs_done > 0);
    fcp_mesh_coverage cov;
    CHECK_ERR(fcp_mesh_zone_coverage(dn, MESH_SIM_ZONE, &cov), 0);
    CHECK_EQ(cov.peers_down, 0);
    CHECK_EQ(cov.objects_at_risk, 0);

    /* remove bravo at runtime (it keeps running and keeps trying) */
    const char *bid = mesh_sim_node_id(s, BRAVO);
    CHECK_ERR(fcp_mesh_member_remove(an, "node:nobody.sim.ts.net"), FCP_EMESH_UNKNOWN_PEER);
    uint64_t hs_invalid0 = 0;
    for (size_t i = 0; i < 4; i++) {
        if (i == BRAVO)
            continue;
        CHECK_ERR(fcp_mesh_member_remove(mesh_sim_node(s, i), bid), 0);
        CHECK_EQ(fcp_mesh_peer_count(mesh_sim_node(s, i)), 2);
    }
    fcp_mesh_node *cn = mesh_sim_node(s, CHARLIE);
    fcp_mesh_get_counters(cn, &c);
    hs_invalid0 = c.drop_hs_invalid;
    CHECK(mesh_sim_run(s, 12000, 10) > 0);
    /* bravo lost every session and cannot get a new one */
    fcp_mesh_node *bn = mesh_sim_node(s, BRAVO);
    for (size_t p = 0; p < fcp_mesh_peer_count(bn); p++) {
        fcp_mesh_peer_info pi;
        fcp_mesh_peer_info_get(bn, p, &pi);
        CHECK(!pi.up);
    }
    fcp_mesh_get_counters(cn, &c);
    CHECK(c.drop_hs_invalid > hs_invalid0);   /* its Hellos (bravo initiates toward charlie) are refused */
    fcp_mesh_get_counters(an, &c);
    CHECK_EQ(c.members_removed, 1);
    CHECK_ERR(fcp_mesh_zone_coverage(an, MESH_SIM_ZONE, &cov), 0);
    CHECK_EQ(cov.peers_down, 0);
    CHECK_EQ(cov.objects_at_risk, 0);
    CHECK(cov.min_worst_loss_bps >= 10000);
    CHECK_ERR(mesh_sim_kill(s, BRAVO), 0);

    /* delta moves: alpha and charlie learn its new address */
    fcp_mesh_addr na;
    memset(&na, 0, sizeof na);
    na.len = 2;
    na.bytes[0] = 0x42;
    na.bytes[1] = 0x17;
    mesh_sim_set_addr(s, DELTA, &na);
    fcp_mesh_get_counters(an, &c);
    uint64_t est0 = c.sessions_established;
    CHECK_ERR(fcp_mesh_member_set_addr(an, "node:nobody.sim.ts.net", &na), FCP_EMESH_UNKNOWN_PEER);
    CHECK_ERR(fcp_mesh_member_set_addr(an, mesh_sim_node_id(s, DELTA), &na), 0);
    CHECK_ERR(fcp_mesh_member_set_addr(mesh_sim_node(s, CHARLIE), mesh_sim_node_id(s, DELTA), &na), 0);
    CHECK(run_until_up(s, 3000));
    fcp_mesh_get_counters(an, &c);
    CHECK(c.sessions_established > est0);
    CHECK_EQ(c.members_moved, 1);
    fcp_mesh_peer_info pi;
    for (size_t p = 0; p < fcp_mesh_peer_count(an); p++) {
        fcp_mesh_peer_info_get(an, p, &pi);
        if (strcmp(pi.node_id, mesh_sim_node_id(s, DELTA)) == 0) {
            CHECK(pi.up);
            CHECK_EQ(pi.addr.len, 2);
            CHECK_MEM(pi.addr.bytes, na.bytes, 2);
        }
    }
    CHECK(mesh_sim_run(s, 3000, 10) > 0);

    /* any one further loss leaves the object decodable: lose charlie, get on delta */
    CHECK_ERR(mesh_sim_kill(s, CHARLIE), 0);
    uint8_t *out = NULL;
    size_t out_len = 0;
    CHECK_ERR(mesh_sim_get(s, DELTA, id, MESH_SIM_ZONE, &out, &out_len), 0);
    CHECK_EQ(out_len, len);
    if (out && out_len == len)
        CHECK_MEM(out, payload, len);
    free(out);
    free(payload);
    mesh_sim_free(s);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    json_error_t jerr;
    g_gold = json_load_file("conformance/golden/mesh/membership_placement.json", 0, &jerr);
    if (!CHECK(g_gold != NULL))
        return fcp_t_done("mesh_member");
    test_golden_placement();
    test_runtime();
    json_decref(g_gold);
    return fcp_t_done("mesh_member");
}
