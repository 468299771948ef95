/*
 * authz_zone_golden_test.c - recompute every committed vector in
 * conformance/golden/authz/{zone_keys,zones,checkpoints,leases}.json from its
 * inputs alone and compare byte for byte (CBOR, signatures, key ids,
 * ObjectIds, decisions, tables).  The JSON -> struct conversions are written
 * here independently of cmd/fcp-vectors.  Also decodes every object vector
 * (decode -> encode identity), opens the manifests as each member, checks the
 * removed node cannot, and runs `fcp-vectors --check` when the tool is built.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_keys.h"
#include "fcp/authz_lease.h"
#include "fcp/authz_zone.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"

#define GOLD "conformance/golden/authz/"

static json_t *load(const char *file)
{
    char path[256];
    json_error_t e;
    snprintf(path, sizeof path, GOLD "%s", file);
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fprintf(stderr, "cannot load %s: %s\n", path, e.text);
    CHECK(j != NULL);
    return j;
}

static json_t *entry(json_t *arr, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
        if (strcmp(fcp_t_jstr(e, "name"), name) == 0)
            return e;
    fprintf(stderr, "missing vector %s\n", name);
    CHECK(0);
    return NULL;
}

static json_t *in_of(json_t *e) { return json_object_get(e, "inputs"); }
static json_t *ex_of(json_t *e) { return json_object_get(e, "expected"); }

static uint64_t ju(json_t *o, const char *k)
{
    return (uint64_t)json_integer_value(json_object_get(o, k));
}

/* hex field into out[n]; checks the length */
static void jhex(json_t *o, const char *k, uint8_t *out, size_t n)
{
    size_t len = 0;
    uint8_t *p = fcp_t_unhex(fcp_t_jstr(o, k), &len);
    CHECK(p != NULL && len == n);
    if (p && len == n)
        memcpy(out, p, n);
    free(p);
}

static void check_hex(json_t *o, const char *k, const uint8_t *p, size_t n)
{
    size_t len = 0;
    uint8_t *want = fcp_t_unhex(fcp_t_jstr(o, k), &len);
    CHECK(want != NULL);
    CHECK_EQ(len, n);
    if (want && len == n)
        CHECK_MEM(p, want, n);
    free(want);
}

static uint8_t owner_pk[32], owner_sk[64];

/* node keys from an inputs "nodes" array */
typedef struct gnode {
    char    id[64];
    uint8_t sig_pk[32], sig_sk[64], enc_pk[32], enc_sk[32];
} gnode;
static gnode gn[8];
static size_t n_gn;

static void load_nodes(json_t *in)
{
    json_t *arr = json_object_get(in, "nodes"), *o;
    size_t i;
    n_gn = 0;
    json_array_foreach(arr, i, o) {
        uint8_t seed[32], pk[32];
        if (i >= 8)
            break;
        snprintf(gn[i].id, sizeof gn[i].id, "%s", fcp_t_jstr(o, "node_id"));
        jhex(o, "sig_seed_hex", seed, 32);
        fcp_ed25519_keypair_from_seed(gn[i].sig_pk, gn[i].sig_sk, seed);
        jhex(o, "sig_pk_hex", pk, 32);
        CHECK_MEM(pk, gn[i].sig_pk, 32);
        jhex(o, "enc_sk_hex", gn[i].enc_sk, 32);
        fcp_x25519_base(gn[i].enc_pk, gn[i].enc_sk);
        jhex(o, "enc_pk_hex", pk, 32);
        CHECK_MEM(pk, gn[i].enc_pk, 32);
        n_gn++;
    }
}

static const gnode *node_by_id(const char *id)
{
    for (size_t i = 0; i < n_gn; i++)
        if (strcmp(gn[i].id, id) == 0)
            return &gn[i];
    CHECK(0);
    return &gn[0];
}

static int glookup(void *ctx, const uint8_t *id, size_t len, uint8_t pk[32])
{
    (void)ctx;
    for (size_t i = 0; i < n_gn; i++)
        if (strlen(gn[i].id) == len && memcmp(gn[i].id, id, len) == 0) {
            memcpy(pk, gn[i].sig_pk, 32);
            return 0;
        }
    return FCP_EUNKNOWN_PRINCIPAL;
}

static void owner_from(json_t *in)
{
    uint8_t seed[32];
    jhex(in, "owner_seed_hex", seed, 32);
    fcp_ed25519_keypair_from_seed(owner_pk, owner_sk, seed);
}

static void check_buf(json_t *ex, const char *k, const fcp_buf *b)
{
    check_hex(ex, k, b->data, b->len);
}

/* ---- zone keys ------------------------------------------------------------ */

static fcp_zone_key_manifest gm, gm2;

static void t_manifest(json_t *e)
{
    json_t *in = in_of(e), *ex = ex_of(e), *mem = json_object_get(in, "members"), *r;
    fcp_zk_params p;
    fcp_zk_member ms[8];
    uint8_t zk[32], ok[32], eph[32], prev[8], id[32], a[32], b[32];
    fcp_object_id_key oid;
    fcp_buf x, u;
    size_t n = 0, i;
    json_t *m;
    int has_prev = json_object_get(in, "prev_zone_key_id_hex") != NULL;
    load_nodes(in);
    owner_from(in);
    memset(&p, 0, sizeof p);
    p.zone_id = fcp_t_jstr(in, "zone_id");
    p.zone_id_len = strlen(p.zone_id);
    p.algorithm = strcmp(fcp_t_jstr(in, "algorithm"), "XChaCha20Poly1305") == 0;
    p.issued_at = ju(in, "issued_at");
    p.valid_from = ju(in, "valid_from");
    if (json_object_get(in, "valid_until")) {
        p.has_valid_until = 1;
        p.valid_until = ju(in, "valid_until");
    }
    if ((r = json_object_get(in, "ratchet")) != NULL) {
        p.has_ratchet = 1;
        p.ratchet.enabled = json_is_true(json_object_get(r, "enabled"));
        p.ratchet.overlap_secs = ju(r, "overlap_secs");
        p.ratchet.retain_epochs = (uint32_t)ju(r, "retain_epochs");
    }
    json_array_foreach(mem, i, m) {
        const gnode *g = node_by_id(json_string_value(m));
        ms[n].node_id = g->id;
        ms[n].node_id_len = strlen(g->id);
        memcpy(ms[n].enc_pk, g->enc_pk, 32);
        n++;
    }
    jhex(in, "zone_key_hex", zk, 32);
    jhex(in, "object_id_key_hex", ok, 32);
    jhex(in, "ephemeral_seed_hex", eph, 32);
    if (has_prev)
        jhex(in, "prev_zone_key_id_hex", prev, 8);
    CHECK_ERR(fcp_zk_issue_derand(&gm, &p, ms, n, zk, ok, has_prev ? prev : NULL, owner_sk, eph), 0);
    check_hex(ex, "zone_key_id_hex", gm.zone_key_id, 8);
    check_hex(ex, "object_id_key_id_hex", gm.object_id_key_id, 8);
    check_hex(ex, "signature_hex", gm.signature, 64);
    fcp_buf_init(&x);
    fcp_buf_init(&u);
    CHECK_ERR(fcp_zk_manifest_encode(&gm, &x), 0);
    CHECK_ERR(fcp_zk_manifest_encode_unsigned(&gm, &u), 0);
    check_buf(ex, "cbor_hex", &x);
    check_buf(ex, "unsigned_cbor_hex", &u);
    memcpy(oid.bytes, ok, 32);
    CHECK_ERR(fcp_zk_manifest_object_id(id, &gm, &oid), 0);
    check_hex(ex, "object_id_hex", id, 32);
    /* decode the committed bytes, re-encode, verify, open */
    CHECK_ERR(fcp_zk_manifest_decode(&gm2, x.data, x.len), 0);
    fcp_buf_reset(&u);
    CHECK_ERR(fcp_zk_manifest_encode(&gm2, &u), 0);
    CHECK(u.len == x.len && memcmp(u.data, x.data, x.len) == 0);
    CHECK_ERR(fcp_zk_manifest_verify(&gm2, owner_pk), 0);
    for (i = 0; i < n; i++) {
        const gnode *g = node_by_id(ms[i].node_id);
        CHECK_ERR(fcp_zk_open(&gm2, g->id, strlen(g->id), g->enc_sk, a, b), 0);
        CHECK_MEM(a, zk, 32);
        CHECK_MEM(b, ok, 32);
    }
    if (json_object_get(in, "removed_node")) {
        const gnode *g = node_by_id(fcp_t_jstr(in, "removed_node"));
        CHECK_ERR(fcp_zk_open(&gm2, g->id, strlen(g->id), g->enc_sk, a, b), FCP_EZK_NOT_MEMBER);
    }
    fcp_buf_free(&x);
    fcp_buf_free(&u);
}

static void t_zone_keys(void)
{
    json_t *arr = load("zone_keys.json");
    size_t i;
    json_t *e;
    if (!arr)
        return;
    t_manifest(entry(arr, "manifest_initial"));
    t_manifest(entry(arr, "manifest_rotation_removes_node_c"));
    json_array_foreach(arr, i, e) {
        if (strncmp(fcp_t_jstr(e, "name"), "key_ids_", 8) != 0)
            continue;
        uint8_t k[32], a[8];
        const char *z = fcp_t_jstr(in_of(e), "zone_id");
        jhex(in_of(e), "key_hex", k, 32);
        CHECK_ERR(fcp_zone_key_id(a, z, strlen(z), k), 0);
        check_hex(ex_of(e), "zone_key_id_hex", a, 8);
        CHECK_ERR(fcp_object_id_key_id(a, z, strlen(z), k), 0);
        check_hex(ex_of(e), "object_id_key_id_hex", a, 8);
    }
    json_decref(arr);
}

/* ---- zones ------------------------------------------------------------------ */

static const char *const lists[FCP_ZP_LISTS] = { "principals_allow", "principals_deny",
                                                 "connectors_allow", "connectors_deny",
                                                 "cap_allow", "cap_deny" };

static void policy_from(json_t *pj, fcp_zone_policy *p)
{
    memset(p, 0, sizeof *p);
    for (int l = 0; l < FCP_ZP_LISTS; l++) {
        json_t *a = json_object_get(pj, lists[l]), *s;
        size_t i;
        json_array_foreach(a, i, s) {
            if (i < FCP_ZONE_PATTERNS_MAX)
                snprintf(p->pat[l][i], sizeof p->pat[l][i], "%s", json_string_value(s));
            p->n[l] = i + 1;
        }
    }
    p->default_deny = json_is_true(json_object_get(pj, "default_deny"));
}

static fcp_zone_policy_object gp;
static fcp_zone_definition gd1, gd2, gdx;

static void t_def(json_t *e, fcp_zone_definition *d, const uint8_t *prev_id)
{
    json_t *in = in_of(e), *ex = ex_of(e), *s;
    fcp_schema_id sc;
    fcp_object_id_key oid;
    uint8_t id[32];
    fcp_buf b;
    size_t i;
    owner_from(in);
    memset(d, 0, sizeof *d);
    fcp_zone_definition_schema(&sc);
    CHECK_ERR(fcp_object_header_init(&d->header, &sc, fcp_t_jstr(in, "zone_id"), ju(in, "created_at")), 0);
    snprintf(d->zone_id, sizeof d->zone_id, "%s", fcp_t_jstr(in, "zone_id"));
    snprintf(d->name, sizeof d->name, "%s", fcp_t_jstr(in, "name"));
    d->integrity_level = (uint8_t)ju(in, "integrity_level");
    d->confidentiality_level = (uint8_t)ju(in, "confidentiality_level");
    d->symbol_port = (uint16_t)ju(in, "symbol_port");
    d->control_port = (uint16_t)ju(in, "control_port");
    jhex(in, "policy_object_id_hex", d->policy_object_id, 32);
    if (json_object_get(in, "prev_hex")) {
        d->has_prev = 1;
        jhex(in, "prev_hex", d->prev, 32);
        if (prev_id)
            CHECK_MEM(d->prev, prev_id, 32);
    }
    d->version = ju(in, "version");
    json_array_foreach(json_object_get(in, "quorum_signers"), i, s) {
        snprintf(d->quorum_signers[i], sizeof d->quorum_signers[i], "%s", json_string_value(s));
        d->n_signers = i + 1;
    }
    if (json_object_get(in, "max_faults")) {
        d->has_max_faults = 1;
        d->max_faults = ju(in, "max_faults");
    }
    CHECK_ERR(fcp_zone_definition_sign(d, owner_sk), 0);
    check_hex(ex, "signature_hex", d->signature, 64);
    fcp_buf_init(&b);
    CHECK_ERR(fcp_zone_definition_encode(d, &b), 0);
    check_buf(ex, "cbor_hex", &b);
    jhex(in, "object_id_key_hex", oid.bytes, 32);
    CHECK_ERR(fcp_zone_definition_object_id(id, d, &oid), 0);
    check_hex(ex, "object_id_hex", id, 32);
    CHECK_ERR(fcp_zone_definition_decode(&gdx, b.data, b.len), 0);
    CHECK_ERR(fcp_zone_definition_verify(&gdx, owner_pk), 0);
    fcp_buf_free(&b);
}

static void t_zones(void)
{
    json_t *arr = load("zones.json"), *e, *in, *ex, *row;
    fcp_schema_id sc;
    fcp_object_id_key oid;
    uint8_t pid[32], id1[32];
    fcp_buf b;
    size_t i;
    if (!arr)
        return;
    e = entry(arr, "policy_object_v1");
    in = in_of(e);
    ex = ex_of(e);
    owner_from(in);
    memset(&gp, 0, sizeof gp);
    fcp_zone_policy_object_schema(&sc);
    fcp_object_header_init(&gp.header, &sc, fcp_t_jstr(in, "zone_id"), ju(in, "created_at"));
    snprintf(gp.zone_id, sizeof gp.zone_id, "%s", fcp_t_jstr(in, "zone_id"));
    policy_from(json_object_get(in, "policy"), &gp.policy);
    gp.version = ju(in, "version");
    CHECK_ERR(fcp_zone_policy_object_sign(&gp, owner_sk), 0);
    check_hex(ex, "signature_hex", gp.signature, 64);
    fcp_buf_init(&b);
    CHECK_ERR(fcp_zone_policy_object_encode(&gp, &b), 0);
    check_buf(ex, "cbor_hex", &b);
    jhex(in, "object_id_key_hex", oid.bytes, 32);
    CHECK_ERR(fcp_zone_policy_object_id(pid, &gp, &oid), 0);
    check_hex(ex, "object_id_hex", pid, 32);
    fcp_buf_free(&b);

    t_def(entry(arr, "definition_v1"), &gd1, NULL);
    CHECK_ERR(fcp_zone_definition_object_id(id1, &gd1, &oid), 0);
    t_def(entry(arr, "definition_v2"), &gd2, id1);
    CHECK_ERR(fcp_zone_definition_verify_successor(&gd1, &gd2, owner_pk, &oid), 0);
    CHECK_ERR(fcp_zone_policy_check_ref(&gd1, &gp, &oid), 0);

    e = entry(arr, "policy_decisions");
    {
        fcp_zone_policy p;
        policy_from(json_object_get(in_of(e), "policy"), &p);
        json_array_foreach(json_object_get(ex_of(e), "decisions"), i, row) {
            const char *pr = fcp_t_jstr(row, "principal"), *co = fcp_t_jstr(row, "connector"),
                       *ca = fcp_t_jstr(row, "capability");
            fcp_zone_access a = { pr, strlen(pr), co, strlen(co), ca, strlen(ca) };
            int r = fcp_zone_policy_evaluate(&p, &a);
            CHECK_EQ(r, (int)ju(row, "reason"));
            CHECK(strcmp(fcp_zone_reason_name(r), fcp_t_jstr(row, "reason_name")) == 0);
        }
    }
    e = entry(arr, "lattice_flows");
    json_array_foreach(json_object_get(ex_of(e), "flows"), i, row) {
        fcp_zone_levels f, t;
        const char *zf = fcp_t_jstr(row, "from"), *zt = fcp_t_jstr(row, "to");
        CHECK_ERR(fcp_zone_standard_levels(zf, strlen(zf), &f), 0);
        CHECK_ERR(fcp_zone_standard_levels(zt, strlen(zt), &t), 0);
        unsigned need = fcp_zone_flow_requirements(&f, &t);
        CHECK_EQ(!!(need & FCP_FLOW_NEEDS_ELEVATION), json_is_true(json_object_get(row, "needs_elevation")));
        CHECK_EQ(!!(need & FCP_FLOW_NEEDS_DECLASSIFICATION), json_is_true(json_object_get(row, "needs_declassification")));
    }
    e = entry(arr, "quorum_thresholds");
    json_array_foreach(json_object_get(ex_of(e), "thresholds"), i, row) {
        static const char *const tiers[4] = { "safe", "risky", "dangerous", "critical" };
        for (int t = 0; t < 4; t++)
            CHECK_EQ(fcp_quorum_required(t, ju(row, "n"), ju(row, "f")), ju(row, tiers[t]));
    }
    json_decref(arr);
}

/* ---- checkpoints ------------------------------------------------------------ */

static fcp_zone_checkpoint gc[4];
static uint8_t gcid[4][32];

static void t_ckpt(json_t *e, fcp_zone_checkpoint *c, uint8_t id[32])
{
    json_t *in = in_of(e), *ex = ex_of(e), *s;
    fcp_schema_id sc;
    fcp_object_id_key oid;
    fcp_buf b;
    size_t i;
    load_nodes(in);
    memset(c, 0, sizeof *c);
    fcp_zone_checkpoint_schema(&sc);
    fcp_object_header_init(&c->header, &sc, fcp_t_jstr(in, "zone_id"), ju(in, "created_at"));
    snprintf(c->zone_id, sizeof c->zone_id, "%s", fcp_t_jstr(in, "zone_id"));
    c->checkpoint_seq = ju(in, "checkpoint_seq");
    if (json_object_get(in, "prev_checkpoint_id_hex")) {
        c->has_prev = 1;
        jhex(in, "prev_checkpoint_id_hex", c->prev_checkpoint_id, 32);
    }
    jhex(in, "rev_head_hex", c->rev_head, 32);
    c->rev_seq = ju(in, "rev_seq");
    jhex(in, "audit_head_hex", c->audit_head, 32);
    c->audit_seq = ju(in, "audit_seq");
    jhex(in, "zone_definition_head_hex", c->zone_definition_head, 32);
    jhex(in, "zone_policy_head_hex", c->zone_policy_head, 32);
    jhex(in, "active_zone_key_manifest_hex", c->active_zone_key_manifest, 32);
    c->as_of_epoch = ju(in, "as_of_epoch");
    json_array_foreach(json_object_get(in, "signers"), i, s) {
        const gnode *g = node_by_id(json_string_value(s));
        CHECK_ERR(fcp_zone_checkpoint_add_signature(c, g->id, strlen(g->id), g->sig_sk), 0);
    }
    fcp_buf_init(&b);
    CHECK_ERR(fcp_zone_checkpoint_encode(c, &b), 0);
    check_buf(ex, "cbor_hex", &b);
    jhex(in, "object_id_key_hex", oid.bytes, 32);
    CHECK_ERR(fcp_zone_checkpoint_object_id(id, c, &oid), 0);
    check_hex(ex, "object_id_hex", id, 32);
    CHECK_ERR(fcp_zone_checkpoint_verify(c, &gd1, glookup, NULL), 0);
    fcp_buf_free(&b);
}

static void t_checkpoints(void)
{
    static const char *const names[4] = { "checkpoint_0", "checkpoint_1", "checkpoint_1_fork",
                                          "checkpoint_2" };
    json_t *arr = load("checkpoints.json"), *row;
    fcp_checkpoint_state st;
    size_t i;
    if (!arr)
        return;
    for (int k = 0; k < 4; k++)
        t_ckpt(entry(arr, names[k]), &gc[k], gcid[k]);
    CHECK(fcp_checkpoint_is_fork(&gc[1], gcid[1], &gc[2], gcid[2]));
    memset(&st, 0, sizeof st);
    json_array_foreach(json_object_get(ex_of(entry(arr, "acceptance_script")), "steps"), i, row) {
        int k = -1;
        char code[16];
        for (int j = 0; j < 4; j++)
            if (strcmp(names[j], fcp_t_jstr(row, "offer")) == 0)
                k = j;
        CHECK(k >= 0);
        if (k < 0)
            continue;
        int rc = fcp_checkpoint_observe(&st, &gc[k], gcid[k]);
        const char *got = rc == 0 ? "advanced" : rc == 1 ? "duplicate" : fcp_error_code(rc, code, sizeof code);
        CHECK(strcmp(got, fcp_t_jstr(row, "result")) == 0);
    }
    json_decref(arr);
}

/* ---- leases ----------------------------------------------------------------- */

static void t_leases(void)
{
    json_t *arr = load("leases.json"), *e, *in, *ex, *s, *row;
    fcp_lease l, d;
    fcp_schema_id sc;
    fcp_object_id_key oid;
    uint8_t id[32], key[32];
    fcp_buf b, b2;
    size_t i;
    if (!arr)
        return;
    e = entry(arr, "lease_risky");
    in = in_of(e);
    ex = ex_of(e);
    load_nodes(in);
    memset(&l, 0, sizeof l);
    fcp_lease_schema(&sc);
    fcp_object_header_init(&l.header, &sc, fcp_t_jstr(in, "zone_id"), ju(in, "created_at"));
    jhex(in, "subject_object_id_hex", l.subject_object_id, 32);
    CHECK(strcmp(fcp_t_jstr(in, "purpose"), fcp_lease_purpose_name(FCP_LEASE_CONNECTOR_STATE_WRITE)) == 0);
    l.purpose = FCP_LEASE_CONNECTOR_STATE_WRITE;
    l.lease_seq = ju(in, "lease_seq");
    snprintf(l.owner_node, sizeof l.owner_node, "%s", fcp_t_jstr(in, "owner_node"));
    snprintf(l.coordinator, sizeof l.coordinator, "%s", fcp_t_jstr(in, "coordinator"));
    l.iat = ju(in, "iat");
    l.exp = ju(in, "exp");
    CHECK(strcmp(fcp_t_jstr(in, "safety_tier"), fcp_lease_tier_name(FCP_TIER_RISKY)) == 0);
    l.safety_tier = FCP_TIER_RISKY;
    json_array_foreach(json_object_get(in, "signers"), i, s) {
        const gnode *g = node_by_id(json_string_value(s));
        CHECK_ERR(fcp_lease_add_signature(&l, g->id, strlen(g->id), g->sig_sk), 0);
    }
    fcp_buf_init(&b);
    fcp_buf_init(&b2);
    CHECK_ERR(fcp_lease_encode(&l, &b), 0);
    check_buf(ex, "cbor_hex", &b);
    jhex(in, "object_id_key_hex", oid.bytes, 32);
    CHECK_ERR(fcp_lease_object_id(id, &l, &oid), 0);
    check_hex(ex, "object_id_hex", id, 32);
    CHECK_ERR(fcp_lease_decode(&d, b.data, b.len), 0);
    CHECK_ERR(fcp_lease_encode(&d, &b2), 0);
    CHECK(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
    CHECK_ERR(fcp_lease_verify(&d, &gd1, l.iat, glookup, NULL), 0);
    fcp_buf_free(&b);
    fcp_buf_free(&b2);

    e = entry(arr, "hrw_lease");
    {
        const char *zone = fcp_t_jstr(in_of(e), "zone_id");
        const char *nodes[8];
        size_t order[8], n = 0;
        jhex(in_of(e), "key_hex", key, 32);
        json_array_foreach(json_object_get(ex_of(e), "scores"), i, row) {
            uint8_t sc8[8];
            const char *nd = fcp_t_jstr(row, "node_id");
            fcp_store_u64le(sc8, fcp_hrw_score(zone, strlen(zone), key, 32, nd, strlen(nd)));
            check_hex(row, "score_le_hex", sc8, 8);
            if (n < 8)
                nodes[n++] = nd;
        }
        fcp_hrw_rank(zone, strlen(zone), key, 32, nodes, n, order);
        json_array_foreach(json_object_get(ex_of(e), "ranking"), i, s)
            if (i < n)
                CHECK(strcmp(nodes[order[i]], json_string_value(s)) == 0);
        CHECK(strcmp(nodes[order[0]], l.coordinator) == 0);
    }
    e = entry(arr, "hrw_checkpoint");
    {
        const char *zone = fcp_t_jstr(in_of(e), "zone_id"), *ep = fcp_t_jstr(in_of(e), "epoch_id");
        const char *nodes[4] = { "node-a", "node-b", "node-c", "node-d" };
        size_t order[4];
        fcp_hrw_checkpoint_rank(zone, strlen(zone), ep, strlen(ep), nodes, 4, order);
        json_array_foreach(json_object_get(ex_of(e), "ranking"), i, s)
            if (i < 4)
                CHECK(strcmp(nodes[order[i]], json_string_value(s)) == 0);
    }
    json_decref(arr);
}

static void t_tool_check(void)
{
    const char *build = getenv("FCP_BUILD");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s/fcp-vectors", build && *build ? build : "build");
    FILE *f = fopen(cmd, "rb");
    if (!f)
        return; /* tool not built in this configuration */
    fclose(f);
    snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " --check " GOLD " >/dev/null");
    CHECK_EQ(system(cmd), 0);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    t_zone_keys();
    t_zones();
    t_checkpoints();
    t_leases();
    t_tool_check();
    return fcp_t_done("authz_zone_golden");
}
