/*
 * authz_lease_test.c - Lease codec and quorum signatures, verification per
 * safety tier with one negative per rule, HRW coordinator selection
 * (determinism, rank/select agreement, minimal disruption, spread),
 * lease_seq fencing (property: the highest lease wins and every lower one is
 * refused), the conflict rule, and fencing of singleton-writer state writes.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "authz_fixtures.h"
#include "fcp/authz_lease.h"
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/rng.h"

static fcp_zone_definition def;
static fcp_lease l0, tl;
static fcp_object_id_key oidk;
static uint8_t subject[32];

static void make_def(fcp_zone_definition *d, size_t n)
{
    fcp_schema_id s;
    memset(d, 0, sizeof *d);
    fcp_zone_definition_schema(&s);
    fcp_object_header_init(&d->header, &s, "z:work", 1700000000);
    strcpy(d->zone_id, "z:work");
    strcpy(d->name, "Work");
    d->symbol_port = 7401;
    d->control_port = 7402;
    d->version = 1;
    d->n_signers = n;
    for (size_t i = 0; i < n; i++)
        strcpy(d->quorum_signers[i], fx_nodes[i].id);
}

static int node_index(const char *id)
{
    for (int i = 0; i < FX_NODES; i++)
        if (strcmp(fx_nodes[i].id, id) == 0)
            return i;
    return -1;
}

/* A lease on subject signed by the coordinator then the next nsig-1 nodes. */
static void make_lease(fcp_lease *l, const fcp_zone_definition *d, uint64_t seq, int tier, int nsig)
{
    fcp_schema_id s;
    const char *nodes[FX_NODES];
    memset(l, 0, sizeof *l);
    fcp_lease_schema(&s);
    fcp_object_header_init(&l->header, &s, "z:work", 1700000100);
    memcpy(l->subject_object_id, subject, 32);
    l->purpose = FCP_LEASE_CONNECTOR_STATE_WRITE;
    l->lease_seq = seq;
    strcpy(l->owner_node, "node-b");
    for (size_t i = 0; i < d->n_signers; i++)
        nodes[i] = d->quorum_signers[i];
    int w = fcp_hrw_select("z:work", 6, subject, 32, nodes, d->n_signers);
    strcpy(l->coordinator, nodes[w]);
    l->iat = 1700000100;
    l->exp = 1700000160;
    l->safety_tier = tier;
    int ci = node_index(nodes[w]);
    for (int k = 0; k < nsig; k++) {
        int i = (ci + k) % FX_NODES;
        fcp_lease_add_signature(l, fx_nodes[i].id, 6, fx_nodes[i].sig_sk);
    }
}

static int vfy(const fcp_lease *l, uint64_t now)
{
    return fcp_lease_verify(l, &def, now, fx_lookup, NULL);
}

static void test_codec(void)
{
    fcp_buf a, b;
    uint8_t v[64];
    size_t n;
    make_lease(&l0, &def, 5, FCP_TIER_RISKY, 2);
    CHECK_EQ(l0.n_sigs, 2);
    fcp_buf_init(&a);
    fcp_buf_init(&b);
    CHECK_ERR(fcp_lease_encode(&l0, &a), 0);
    CHECK_ERR(fcp_lease_decode(&tl, a.data, a.len), 0);
    CHECK_ERR(fcp_lease_encode(&tl, &b), 0);
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    CHECK_ERR(vfy(&tl, 1700000100), 0);
    tl = l0; tl.purpose = 3;
    CHECK_ERR(fcp_lease_validate(&tl), FCP_ELEASE_PURPOSE);
    tl = l0; tl.safety_tier = FCP_TIER_CRITICAL;
    CHECK_ERR(fcp_lease_validate(&tl), FCP_ELEASE_TIER);
    tl = l0; tl.exp = tl.iat;
    CHECK_ERR(fcp_lease_validate(&tl), FCP_ELEASE_TIMES);
    tl = l0; strcpy(tl.owner_node, "bad node");
    CHECK_ERR(fcp_lease_validate(&tl), FCP_ENODE_ID);
    tl = l0; fcp_zone_checkpoint_schema(&tl.header.schema);
    CHECK_ERR(fcp_lease_validate(&tl), FCP_ESCHEMA_MISMATCH);
    tl = l0; tl.n_sigs = FCP_QUORUM_MAX + 1;
    CHECK_ERR(fcp_lease_validate(&tl), FCP_ELIMIT);
    CHECK_ERR(fcp_lease_add_signature(&tl, "node-a", 6, fx_nodes[0].sig_sk), FCP_ELIMIT);
    tl = l0;
    CHECK_ERR(fcp_lease_add_signature(&tl, tl.sigs[0].node_id, 6, fx_nodes[0].sig_sk), FCP_EDUPLICATE_SIGNER);
    n = fx_text(v, sizeof v, "Execution");
    fcp_buf_reset(&b);
    CHECK_ERR(fx_edit(&b, a.data, a.len, "purpose", v, n), 0);
    CHECK_ERR(fcp_lease_decode(&tl, b.data, b.len), FCP_ELEASE_PURPOSE);
    n = fx_text(v, sizeof v, "Critical");
    fcp_buf_reset(&b);
    CHECK_ERR(fx_edit(&b, a.data, a.len, "safety_tier", v, n), 0);
    CHECK_ERR(fcp_lease_decode(&tl, b.data, b.len), FCP_ELEASE_TIER);
    fcp_buf_reset(&b);
    CHECK_ERR(fx_edit(&b, a.data, a.len, "lease_seq", NULL, 0), 0);
    CHECK_ERR(fcp_lease_decode(&tl, b.data, b.len), FCP_EMISSING_FIELD);
    n = fx_uint(v, 1);
    fcp_buf_reset(&b);
    CHECK_ERR(fx_edit(&b, a.data, a.len, "zone_id", v, n), 0);
    CHECK_ERR(fcp_lease_decode(&tl, b.data, b.len), FCP_EUNKNOWN_FIELD);
    n = fx_uint(v, 1700000100);
    fcp_buf_reset(&b);
    CHECK_ERR(fx_edit(&b, a.data, a.len, "exp", v, n), 0);
    CHECK_ERR(fcp_lease_decode(&tl, b.data, b.len), FCP_ELEASE_TIMES);
    CHECK_ERR(fcp_lease_decode(&tl, a.data, FCP_LEASE_MAX_ENCODED + 1), FCP_ETOO_LARGE);
    fcp_buf_free(&a);
    fcp_buf_free(&b);
}

static void test_verify(void)
{
    fcp_zone_definition d3;
    uint64_t now = 1700000120;
    make_lease(&tl, &def, 1, FCP_TIER_SAFE, 1);
    CHECK_ERR(vfy(&tl, now), 0);
    make_lease(&tl, &def, 1, FCP_TIER_RISKY, 1);   /* n 4, f 1: Risky needs 2 */
    CHECK_ERR(vfy(&tl, now), FCP_ELEASE_QUORUM);
    make_lease(&tl, &def, 1, FCP_TIER_RISKY, 2);
    CHECK_ERR(vfy(&tl, now), 0);
    make_lease(&tl, &def, 1, FCP_TIER_DANGEROUS, 2); /* Dangerous needs 3 */
    CHECK_ERR(vfy(&tl, now), FCP_ELEASE_QUORUM);
    make_lease(&tl, &def, 1, FCP_TIER_DANGEROUS, 3);
    CHECK_ERR(vfy(&tl, now), 0);
    CHECK_ERR(vfy(&tl, 1700000160), FCP_ELEASE_EXPIRED);
    CHECK_ERR(vfy(&tl, 1700000159), 0);
    CHECK_ERR(vfy(&tl, 1700000100 - FCP_LEASE_MAX_SKEW), 0);
    CHECK_ERR(vfy(&tl, 1700000100 - FCP_LEASE_MAX_SKEW - 1), FCP_ELEASE_NOT_YET);
    tl.sigs[1].sig[3] ^= 1;
    CHECK_ERR(vfy(&tl, now), FCP_EBAD_SIGNATURE);
    make_lease(&tl, &def, 1, FCP_TIER_SAFE, 1);
    tl.exp++;   /* signed content changed */
    CHECK_ERR(vfy(&tl, now), FCP_EBAD_SIGNATURE);
    /* a coordinator that is not the HRW winner, and a winner that did not sign */
    make_lease(&tl, &def, 1, FCP_TIER_SAFE, 0);
    {
        int ci = node_index(tl.coordinator), other = (ci + 1) % FX_NODES;
        strcpy(tl.coordinator, fx_nodes[other].id);
        fcp_lease_add_signature(&tl, fx_nodes[other].id, 6, fx_nodes[other].sig_sk);
        CHECK_ERR(vfy(&tl, now), FCP_ELEASE_COORDINATOR);
        make_lease(&tl, &def, 1, FCP_TIER_SAFE, 0);
        fcp_lease_add_signature(&tl, fx_nodes[other].id, 6, fx_nodes[other].sig_sk);
        CHECK_ERR(vfy(&tl, now), FCP_ELEASE_COORDINATOR);
    }
    /* a signer outside the zone's quorum set */
    make_def(&d3, 3);
    make_lease(&tl, &d3, 1, FCP_TIER_SAFE, 1);
    fcp_lease_add_signature(&tl, "node-d", 6, fx_nodes[3].sig_sk);
    CHECK_ERR(fcp_lease_verify(&tl, &d3, now, fx_lookup, NULL), FCP_ELEASE_SIGNER);
    make_lease(&tl, &def, 1, FCP_TIER_SAFE, 1);
    d3 = def;
    d3.n_signers = FCP_ZONE_MAX_SIGNERS + 1;
    CHECK_ERR(fcp_lease_verify(&tl, &d3, now, fx_lookup, NULL), FCP_ELIMIT);
    d3 = def;
    strcpy(d3.zone_id, "z:private");
    CHECK_ERR(fcp_lease_verify(&tl, &d3, now, fx_lookup, NULL), FCP_EAUTHZ_ZONE_MISMATCH);
}

static void test_hrw(void)
{
    static const char *conv[3] = { "node-alpha", "node-beta", "node-gamma" };
    const char *nodes[FX_NODES];
    size_t order[FX_NODES];
    int wins[FX_NODES] = { 0 }, bad = 0;
    fcp_rng_xoshiro x;
    for (int i = 0; i < FX_NODES; i++)
        nodes[i] = fx_nodes[i].id;
    CHECK(fcp_hrw_select("z:work", 6, subject, 32, nodes, 0) == -1);
    CHECK_EQ(fcp_hrw_score("z:work", 6, subject, 32, "node-a", 6),
             fcp_hrw_score("z:work", 6, subject, 32, "node-a", 6));
    CHECK(fcp_hrw_score("z:work", 6, subject, 32, "node-a", 6) !=
          fcp_hrw_score("z:work", 6, subject, 32, "node-b", 6));
    CHECK(fcp_hrw_score("z:wor", 5, (const uint8_t *)"kx", 2, "n", 1) !=
          fcp_hrw_score("z:work", 6, (const uint8_t *)"x", 1, "n", 1));   /* length framing */
    {
        size_t o3[3];
        fcp_hrw_rank("z:work", 6, (const uint8_t *)"epoch-convergence-test", 22, conv, 3, o3);
        CHECK(o3[0] != o3[1] && o3[1] != o3[2] && o3[0] != o3[2]);
        CHECK_EQ((size_t)fcp_hrw_select("z:work", 6, (const uint8_t *)"epoch-convergence-test", 22, conv, 3), o3[0]);
    }
    fcp_rng_xoshiro_init(&x, 4242);
    for (int it = 0; it < 400; it++) {
        uint8_t key[32];
        fcp_rng_fill(&x.rng, key, 32);
        int w = fcp_hrw_select("z:work", 6, key, 32, nodes, FX_NODES);
        fcp_hrw_rank("z:work", 6, key, 32, nodes, FX_NODES, order);
        if ((size_t)w != order[0])
            bad++;
        for (int i = 1; i < FX_NODES; i++)
            if (fcp_hrw_score("z:work", 6, key, 32, nodes[order[i - 1]], 6) <
                fcp_hrw_score("z:work", 6, key, 32, nodes[order[i]], 6))
                bad++;
        /* minimal disruption: dropping a non-winner keeps the winner */
        const char *rest[FX_NODES - 1];
        size_t k = 0;
        int drop = (w + 1) % FX_NODES;
        for (int i = 0; i < FX_NODES; i++)
            if (i != drop)
                rest[k++] = nodes[i];
        int w2 = fcp_hrw_select("z:work", 6, key, 32, rest, FX_NODES - 1);
        if (strcmp(rest[w2], nodes[w]) != 0)
            bad++;
        /* input order does not matter */
        const char *rev[FX_NODES];
        for (int i = 0; i < FX_NODES; i++)
            rev[i] = nodes[FX_NODES - 1 - i];
        if (strcmp(rev[fcp_hrw_select("z:work", 6, key, 32, rev, FX_NODES)], nodes[w]) != 0)
            bad++;
        wins[w]++;
    }
    CHECK_EQ(bad, 0);
    for (int i = 0; i < FX_NODES; i++)
        CHECK(wins[i] > 60);   /* 100 expected each */
}

/* upstream checkpoint/convergence_scenario.json: coordinator ranking for
 * (zone, epoch) over three nodes, matched exactly (D-LEASE-2). */
static void test_upstream_convergence(void)
{
    json_t *arr = fcp_t_load_json("upstream/core_objects.json");
    size_t i, found = 0;
    json_t *e;
    if (!arr)
        return;
    json_array_foreach(arr, i, e) {
        if (strcmp(fcp_t_jstr(e, "name"), "json_checkpoint_convergence_scenario") != 0)
            continue;
        json_t *j = json_object_get(json_object_get(e, "inputs"), "json");
        json_t *nodes = json_object_get(j, "nodes"), *rank = json_object_get(j, "expected_ranking");
        const char *ns[8];
        size_t order[8], n = json_array_size(nodes);
        const char *zone = fcp_t_jstr(j, "zone_id"), *epoch = fcp_t_jstr(j, "epoch_id");
        CHECK(n == 3 && json_array_size(rank) == n);
        for (size_t k = 0; k < n && k < 8; k++)
            ns[k] = json_string_value(json_array_get(nodes, k));
        fcp_hrw_checkpoint_rank(zone, strlen(zone), epoch, strlen(epoch), ns, n, order);
        for (size_t k = 0; k < n && k < 8; k++)
            CHECK(strcmp(ns[order[k]], json_string_value(json_array_get(rank, k))) == 0);
        CHECK(strcmp(ns[order[0]], fcp_t_jstr(j, "expected_coordinator")) == 0);
        found++;
    }
    CHECK_EQ(found, 1);
    json_decref(arr);
}

static void test_fencing(void)
{
    fcp_lease_fence f;
    fcp_lease a, b;
    uint8_t ida[32], idb[32];
    memset(&f, 0, sizeof f);
    make_lease(&a, &def, 5, FCP_TIER_RISKY, 2);
    fcp_lease_object_id(ida, &a, &oidk);
    CHECK_ERR(fcp_lease_fence_observe(&f, &a, ida), 0);
    CHECK_ERR(fcp_lease_fence_observe(&f, &a, ida), 1);
    make_lease(&b, &def, 4, FCP_TIER_RISKY, 2);
    fcp_lease_object_id(idb, &b, &oidk);
    CHECK_ERR(fcp_lease_fence_observe(&f, &b, idb), FCP_ELEASE_STALE);
    make_lease(&b, &def, 5, FCP_TIER_RISKY, 2);
    strcpy(b.owner_node, "node-c");
    fcp_lease_object_id(idb, &b, &oidk);
    CHECK_ERR(fcp_lease_fence_observe(&f, &b, idb), FCP_ELEASE_CONFLICT);
    /* the same lease with another signer subset is the same lease */
    make_lease(&b, &def, 5, FCP_TIER_RISKY, 3);
    fcp_lease_object_id(idb, &b, &oidk);
    CHECK_MEM(ida, idb, 32);
    CHECK_ERR(fcp_lease_fence_observe(&f, &b, idb), 1);
    b.subject_object_id[0] ^= 1;
    CHECK_ERR(fcp_lease_fence_observe(&f, &b, idb), FCP_ELEASE_SUBJECT);
    CHECK_EQ(f.lease_seq, 5);

    /* conflict rule */
    make_lease(&a, &def, 7, FCP_TIER_RISKY, 2);
    make_lease(&b, &def, 6, FCP_TIER_DANGEROUS, 3);
    fcp_lease_object_id(ida, &a, &oidk);
    fcp_lease_object_id(idb, &b, &oidk);
    CHECK_ERR(fcp_lease_pick(&a, ida, &b, idb), 0);
    CHECK_ERR(fcp_lease_pick(&b, idb, &a, ida), 1);
    b.lease_seq = 7;
    fcp_lease_object_id(idb, &b, &oidk);
    CHECK_ERR(fcp_lease_pick(&a, ida, &b, idb), FCP_ELEASE_CONFLICT);
    b.safety_tier = FCP_TIER_RISKY;
    b.exp = a.exp + 10;
    fcp_lease_object_id(idb, &b, &oidk);
    CHECK_ERR(fcp_lease_pick(&a, ida, &b, idb), 1);
    b.exp = a.exp;
    strcpy(b.coordinator, "node-z");
    fcp_lease_object_id(idb, &b, &oidk);
    CHECK_ERR(fcp_lease_pick(&a, ida, &b, idb), strcmp(a.coordinator, "node-z") > 0 ? 0 : 1);
    CHECK_ERR(fcp_lease_pick(&a, ida, &a, ida), 0);
    b.subject_object_id[1] ^= 1;
    CHECK_ERR(fcp_lease_pick(&a, ida, &b, idb), FCP_ELEASE_SUBJECT);

    /* property: over random arrival orders the fence ends at the highest
     * lease_seq and refuses every lower one that arrives after it */
    {
        fcp_rng_xoshiro x;
        int bad = 0;
        fcp_rng_xoshiro_init(&x, 11);
        for (int it = 0; it < 30; it++) {
            fcp_lease_fence g;
            uint64_t hi = 0;
            memset(&g, 0, sizeof g);
            for (int k = 0; k < 8; k++) {
                uint64_t seq = fcp_rng_xoshiro_below(&x, 20);
                make_lease(&a, &def, seq, FCP_TIER_SAFE, 0);
                fcp_lease_object_id(ida, &a, &oidk);
                int rc = fcp_lease_fence_observe(&g, &a, ida);
                int want = k == 0 || seq > hi ? 0 : (seq == hi ? 1 : FCP_ELEASE_STALE);
                if (rc != want)
                    bad++;
                if (k == 0 || seq > hi)
                    hi = seq;
            }
            if (g.lease_seq != hi)
                bad++;
        }
        CHECK_EQ(bad, 0);
    }
}

static void test_state_writes(void)
{
    fcp_lease_fence f;
    fcp_lease a;
    uint8_t ida[32];
    fcp_state_write w;
    memset(&f, 0, sizeof f);
    make_lease(&a, &def, 9, FCP_TIER_RISKY, 2);
    fcp_lease_object_id(ida, &a, &oidk);
    memset(&w, 0, sizeof w);
    w.singleton_writer = 1;
    w.writer_node = "node-b";
    w.writer_len = 6;
    memcpy(w.subject, subject, 32);
    w.has_lease_seq = 1;
    w.lease_seq = 9;
    w.has_lease_object_id = 1;
    memcpy(w.lease_object_id, ida, 32);
    w.updated_at = 1700000150;
    CHECK_ERR(fcp_state_write_check(&f, &w), FCP_ELEASE_SUBJECT);   /* nothing fenced yet */
    CHECK_ERR(fcp_lease_fence_observe(&f, &a, ida), 0);
    CHECK_ERR(fcp_state_write_check(&f, &w), 0);
    {
        fcp_state_write t = w;
        t.singleton_writer = 0;
        t.has_lease_seq = 0;
        CHECK_ERR(fcp_state_write_check(&f, &t), 0);
        t = w; t.has_lease_seq = 0;
        CHECK_ERR(fcp_state_write_check(&f, &t), FCP_ESTATE_FENCE_MISSING);
        t = w; t.has_lease_object_id = 0;
        CHECK_ERR(fcp_state_write_check(&f, &t), FCP_ESTATE_FENCE_MISSING);
        t = w; t.lease_seq = 8;
        CHECK_ERR(fcp_state_write_check(&f, &t), FCP_ESTATE_FENCE_STALE);
        t = w; t.lease_seq = 10;
        CHECK_ERR(fcp_state_write_check(&f, &t), FCP_ESTATE_FENCE_UNKNOWN);
        t = w; t.lease_object_id[0] ^= 1;
        CHECK_ERR(fcp_state_write_check(&f, &t), FCP_ESTATE_FENCE_LEASE);
        t = w; t.writer_node = "node-c";
        CHECK_ERR(fcp_state_write_check(&f, &t), FCP_ELEASE_HOLDER);
        t = w; t.writer_node = NULL; t.writer_len = 0;
        CHECK_ERR(fcp_state_write_check(&f, &t), FCP_ELEASE_HOLDER);
        t = w; t.updated_at = 1700000160;
        CHECK_ERR(fcp_state_write_check(&f, &t), FCP_ELEASE_EXPIRED);
        t = w; t.subject[5] ^= 1;
        CHECK_ERR(fcp_state_write_check(&f, &t), FCP_ELEASE_SUBJECT);
        /* a newer lease fences out the old writer */
        fcp_lease n;
        uint8_t idn[32];
        make_lease(&n, &def, 10, FCP_TIER_RISKY, 2);
        strcpy(n.owner_node, "node-c");
        fcp_lease_object_id(idn, &n, &oidk);
        CHECK_ERR(fcp_lease_fence_observe(&f, &n, idn), 0);
        CHECK_ERR(fcp_state_write_check(&f, &w), FCP_ESTATE_FENCE_STALE);
        t = w; t.writer_node = "node-c"; t.lease_seq = 10; memcpy(t.lease_object_id, idn, 32);
        CHECK_ERR(fcp_state_write_check(&f, &t), 0);
        /* an execution lease does not fence state */
        make_lease(&n, &def, 11, FCP_TIER_RISKY, 2);
        n.purpose = FCP_LEASE_OPERATION_EXECUTION;
        strcpy(n.owner_node, "node-c");
        fcp_lease_object_id(idn, &n, &oidk);
        CHECK_ERR(fcp_lease_fence_observe(&f, &n, idn), 0);
        t.lease_seq = 11; memcpy(t.lease_object_id, idn, 32);
        CHECK_ERR(fcp_state_write_check(&f, &t), FCP_ELEASE_PURPOSE);
    }
}

int main(void)
{
    if (fx_init() != 0)
        return 1;
    memset(oidk.bytes, 0x42, sizeof oidk.bytes);
    memset(subject, 0x5a, sizeof subject);
    make_def(&def, 4);
    test_codec();
    test_verify();
    test_hrw();
    test_upstream_convergence();
    test_fencing();
    test_state_writes();
    return fcp_t_done("authz_lease");
}
