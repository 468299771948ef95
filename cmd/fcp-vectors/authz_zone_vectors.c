/*
 * authz_zone_vectors.c - golden vectors of the zone authority objects
 * (conformance/golden/authz/): ZoneKeyManifests (issuance, rotation with
 * node removal, key ids), ZonePolicy/ZoneDefinition objects and their chain,
 * policy decisions, the lattice and quorum tables, quorum-signed
 * ZoneCheckpoints with rollback/fork verdicts, Leases, HRW rankings.
 *
 * Keys come from fixed seeds (owner ee*32; node i: signing seed (10+i)*32,
 * X25519 secret (20+i)*32), HPKE ephemerals from a fixed seed, so the
 * output is identical on every run.  tests/unit/authz_zone_golden_test.c
 * recomputes every entry from its inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_keys.h"
#include "fcp/authz_lease.h"
#include "fcp/authz_zone.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "vectors.h"

static const char *const node_ids[4] = { "node-a", "node-b", "node-c", "node-d" };
static uint8_t owner_pk[32], owner_sk[64];
static uint8_t sig_pk[4][32], sig_sk[4][64], enc_pk[4][32], enc_sk[4][32];

static void keys(void)
{
    uint8_t seed[32];
    memset(seed, 0xee, 32);
    fcp_ed25519_keypair_from_seed(owner_pk, owner_sk, seed);
    for (int i = 0; i < 4; i++) {
        memset(seed, 0x10 + i, 32);
        fcp_ed25519_keypair_from_seed(sig_pk[i], sig_sk[i], seed);
        memset(enc_sk[i], 0x20 + i, 32);
        fcp_x25519_base(enc_pk[i], enc_sk[i]);
    }
}

static json_t *hexb(const fcp_buf *b)
{
    return vec_hex(b->data, b->len);
}

static json_t *fill_hex(uint8_t v, size_t n)
{
    uint8_t b[64];
    memset(b, v, n);
    return vec_hex(b, n);
}

static json_t *nodes_json(int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "node_id", json_string(node_ids[i]));
        json_object_set_new(o, "sig_seed_hex", fill_hex((uint8_t)(0x10 + i), 32));
        json_object_set_new(o, "sig_pk_hex", vec_hex(sig_pk[i], 32));
        json_object_set_new(o, "enc_sk_hex", vec_hex(enc_sk[i], 32));
        json_object_set_new(o, "enc_pk_hex", vec_hex(enc_pk[i], 32));
        json_array_append_new(a, o);
    }
    return a;
}

/* ---- zone keys ------------------------------------------------------------ */

static fcp_zone_key_manifest zk1, zk2;

static json_t *manifest_entry(const char *name, const char *desc, const fcp_zone_key_manifest *m,
                              const fcp_zk_params *p, const int *members, int n_members,
                              uint8_t zk, uint8_t ok, uint8_t eph, const char *removed)
{
    fcp_buf b, u;
    fcp_object_id_key oid;
    uint8_t id[32];
    json_t *in = json_object(), *ex = json_object(), *mem = json_array();
    fcp_buf_init(&b);
    fcp_buf_init(&u);
    memset(oid.bytes, ok, 32);
    if (fcp_zk_manifest_encode(m, &b) || fcp_zk_manifest_encode_unsigned(m, &u) ||
        fcp_zk_manifest_object_id(id, m, &oid)) {
        fcp_buf_free(&b);
        fcp_buf_free(&u);
        return NULL;
    }
    json_object_set_new(in, "zone_id", json_string(p->zone_id));
    json_object_set_new(in, "algorithm", json_string(p->algorithm ? "XChaCha20Poly1305" : "ChaCha20Poly1305"));
    json_object_set_new(in, "issued_at", json_integer((json_int_t)p->issued_at));
    json_object_set_new(in, "valid_from", json_integer((json_int_t)p->valid_from));
    if (p->has_valid_until)
        json_object_set_new(in, "valid_until", json_integer((json_int_t)p->valid_until));
    if (m->has_prev)
        json_object_set_new(in, "prev_zone_key_id_hex", vec_hex(m->prev_zone_key_id, 8));
    if (p->has_ratchet) {
        json_t *r = json_object();
        json_object_set_new(r, "enabled", json_boolean(p->ratchet.enabled));
        json_object_set_new(r, "overlap_secs", json_integer((json_int_t)p->ratchet.overlap_secs));
        json_object_set_new(r, "retain_epochs", json_integer((json_int_t)p->ratchet.retain_epochs));
        json_object_set_new(in, "ratchet", r);
    }
    for (int i = 0; i < n_members; i++)
        json_array_append_new(mem, json_string(node_ids[members[i]]));
    json_object_set_new(in, "members", mem);
    if (removed)
        json_object_set_new(in, "removed_node", json_string(removed));
    json_object_set_new(in, "owner_seed_hex", fill_hex(0xee, 32));
    json_object_set_new(in, "zone_key_hex", fill_hex(zk, 32));
    json_object_set_new(in, "object_id_key_hex", fill_hex(ok, 32));
    json_object_set_new(in, "ephemeral_seed_hex", fill_hex(eph, 32));
    json_object_set_new(in, "nodes", nodes_json(4));
    json_object_set_new(ex, "zone_key_id_hex", vec_hex(m->zone_key_id, 8));
    json_object_set_new(ex, "object_id_key_id_hex", vec_hex(m->object_id_key_id, 8));
    json_object_set_new(ex, "unsigned_cbor_hex", hexb(&u));
    json_object_set_new(ex, "signature_hex", vec_hex(m->signature, 64));
    json_object_set_new(ex, "cbor_hex", hexb(&b));
    json_object_set_new(ex, "object_id_hex", vec_hex(id, 32));
    fcp_buf_free(&b);
    fcp_buf_free(&u);
    return vec_entry(name, desc, in, ex);
}

static json_t *build_zone_keys(void)
{
    fcp_zk_params p;
    fcp_zk_member ms[4];
    uint8_t zk[32], ok[32], eph[32];
    static const int m1[3] = { 0, 1, 2 }, m2[2] = { 0, 1 };
    json_t *arr = json_array(), *e;
    keys();
    for (int i = 0; i < 4; i++) {
        ms[i].node_id = node_ids[i];
        ms[i].node_id_len = strlen(node_ids[i]);
        memcpy(ms[i].enc_pk, enc_pk[i], 32);
    }
    memset(&p, 0, sizeof p);
    p.zone_id = "z:work";
    p.zone_id_len = 6;
    p.algorithm = FCP_ZK_ALG_CHACHA20POLY1305;
    p.issued_at = p.valid_from = 1700000000;
    memset(zk, 0x71, 32);
    memset(ok, 0x72, 32);
    memset(eph, 0x73, 32);
    if (fcp_zk_issue_derand(&zk1, &p, ms, 3, zk, ok, NULL, owner_sk, eph))
        return NULL;
    e = manifest_entry("manifest_initial",
                       "ZoneKeyManifest for z:work sealed to node-a, node-b, node-c; HPKE "
                       "ephemeral ikm_i = BLAKE3(ephemeral_seed || purpose u8 (0 zone key, 1 "
                       "ObjectIdKey) || member index u8); header = fcp_object_header_init(schema, "
                       "zone, issued_at); object_id under object_id_key",
                       &zk1, &p, m1, 3, 0x71, 0x72, 0x73, NULL);
    if (!e)
        return NULL;
    json_array_append_new(arr, e);
    /* rotation that removes node-c (spec §19.4) */
    p.issued_at = p.valid_from = 1700100000;
    p.has_valid_until = 1;
    p.valid_until = 1800000000;
    p.has_ratchet = 1;
    p.ratchet.enabled = 0;
    p.ratchet.overlap_secs = 600;
    p.ratchet.retain_epochs = 2;
    memset(zk, 0x74, 32);
    memset(eph, 0x75, 32);
    if (fcp_zk_issue_derand(&zk2, &p, ms, 2, zk, ok, zk1.zone_key_id, owner_sk, eph) ||
        fcp_zk_check_rotation(&zk1, &zk2))
        return NULL;
    e = manifest_entry("manifest_rotation_removes_node_c",
                       "Rotation of manifest_initial (prev_zone_key_id = its zone_key_id, same "
                       "ObjectIdKey) whose recipients exclude node-c: node-c cannot open it",
                       &zk2, &p, m2, 2, 0x74, 0x72, 0x75, "node-c");
    if (!e)
        return NULL;
    json_array_append_new(arr, e);
    {
        static const char *zones[] = { "z:work", "z:private", "z:project:a-b" };
        for (int i = 0; i < 3; i++) {
            uint8_t k[32], a[8], b[8];
            json_t *in = json_object(), *ex = json_object();
            memset(k, 0x30 + i, 32);
            fcp_zone_key_id(a, zones[i], strlen(zones[i]), k);
            fcp_object_id_key_id(b, zones[i], strlen(zones[i]), k);
            json_object_set_new(in, "zone_id", json_string(zones[i]));
            json_object_set_new(in, "key_hex", vec_hex(k, 32));
            json_object_set_new(ex, "zone_key_id_hex", vec_hex(a, 8));
            json_object_set_new(ex, "object_id_key_id_hex", vec_hex(b, 8));
            char nm[40];
            snprintf(nm, sizeof nm, "key_ids_%d", i);
            json_array_append_new(arr, vec_entry(nm, "D-ZONE-2 key ids: BLAKE3(label || zone || 0x00 || key)[0..8]", in, ex));
        }
    }
    return arr;
}

/* ---- zones: policy, definitions, decisions, lattice, quorum --------------- */

static fcp_zone_policy_object pol;
static fcp_zone_definition def1, def2;

static void set_pat(fcp_zone_policy *p, int l, const char *a, const char *b)
{
    p->n[l] = 0;
    if (a)
        strcpy(p->pat[l][p->n[l]++], a);
    if (b)
        strcpy(p->pat[l][p->n[l]++], b);
}

static const char *const list_keys[FCP_ZP_LISTS] = { "principals_allow", "principals_deny",
                                                     "connectors_allow", "connectors_deny",
                                                     "cap_allow", "cap_deny" };

static json_t *policy_json(const fcp_zone_policy *p)
{
    json_t *o = json_object();
    for (int l = 0; l < FCP_ZP_LISTS; l++) {
        json_t *a = json_array();
        for (size_t i = 0; i < p->n[l]; i++)
            json_array_append_new(a, json_string(p->pat[l][i]));
        json_object_set_new(o, list_keys[l], a);
    }
    json_object_set_new(o, "default_deny", json_boolean(p->default_deny));
    return o;
}

static int make_def(fcp_zone_definition *d, uint64_t version, const uint8_t *prev,
                    const uint8_t pid[32], uint64_t created_at)
{
    fcp_schema_id s;
    memset(d, 0, sizeof *d);
    fcp_zone_definition_schema(&s);
    if (fcp_object_header_init(&d->header, &s, "z:work", created_at))
        return -1;
    strcpy(d->zone_id, "z:work");
    strcpy(d->name, "Work");
    d->integrity_level = 60;
    d->confidentiality_level = 70;
    d->symbol_port = 7401;
    d->control_port = 7402;
    memcpy(d->policy_object_id, pid, 32);
    d->version = version;
    if (prev) {
        d->has_prev = 1;
        memcpy(d->prev, prev, 32);
    }
    d->n_signers = 4;
    for (int i = 0; i < 4; i++)
        strcpy(d->quorum_signers[i], node_ids[i]);
    return fcp_zone_definition_sign(d, owner_sk);
}

static json_t *def_json(const fcp_zone_definition *d)
{
    json_t *o = json_object(), *s = json_array();
    json_object_set_new(o, "created_at", json_integer((json_int_t)d->header.created_at));
    json_object_set_new(o, "zone_id", json_string(d->zone_id));
    json_object_set_new(o, "name", json_string(d->name));
    json_object_set_new(o, "integrity_level", json_integer(d->integrity_level));
    json_object_set_new(o, "confidentiality_level", json_integer(d->confidentiality_level));
    json_object_set_new(o, "symbol_port", json_integer(d->symbol_port));
    json_object_set_new(o, "control_port", json_integer(d->control_port));
    json_object_set_new(o, "policy_object_id_hex", vec_hex(d->policy_object_id, 32));
    if (d->has_prev)
        json_object_set_new(o, "prev_hex", vec_hex(d->prev, 32));
    json_object_set_new(o, "version", json_integer((json_int_t)d->version));
    for (size_t i = 0; i < d->n_signers; i++)
        json_array_append_new(s, json_string(d->quorum_signers[i]));
    json_object_set_new(o, "quorum_signers", s);
    if (d->has_max_faults)
        json_object_set_new(o, "max_faults", json_integer((json_int_t)d->max_faults));
    json_object_set_new(o, "owner_seed_hex", fill_hex(0xee, 32));
    json_object_set_new(o, "object_id_key_hex", fill_hex(0x72, 32));
    return o;
}

static json_t *obj_expected(const fcp_buf *cbor, const uint8_t sig[64], const uint8_t id[32])
{
    json_t *ex = json_object();
    json_object_set_new(ex, "cbor_hex", hexb(cbor));
    if (sig)
        json_object_set_new(ex, "signature_hex", vec_hex(sig, 64));
    json_object_set_new(ex, "object_id_hex", vec_hex(id, 32));
    return ex;
}

static json_t *build_zones(void)
{
    fcp_schema_id s;
    fcp_object_id_key oid;
    uint8_t pid[32], id1[32], id2[32];
    fcp_buf b;
    json_t *arr = json_array(), *in;
    keys();
    memset(oid.bytes, 0x72, 32);
    memset(&pol, 0, sizeof pol);
    fcp_zone_policy_object_schema(&s);
    fcp_object_header_init(&pol.header, &s, "z:work", 1700000000);
    strcpy(pol.zone_id, "z:work");
    pol.version = 1;
    set_pat(&pol.policy, FCP_ZP_PRINCIPALS_ALLOW, "agent:*", "owner");
    set_pat(&pol.policy, FCP_ZP_PRINCIPALS_DENY, "agent:evil", NULL);
    set_pat(&pol.policy, FCP_ZP_CONNECTORS_ALLOW, "fcp.*", NULL);
    set_pat(&pol.policy, FCP_ZP_CONNECTORS_DENY, "fcp.shell", NULL);
    set_pat(&pol.policy, FCP_ZP_CAP_ALLOW, "gmail.read", "slack.*");
    set_pat(&pol.policy, FCP_ZP_CAP_DENY, "slack.admin*", NULL);
    pol.policy.default_deny = 1;
    fcp_buf_init(&b);
    if (fcp_zone_policy_object_sign(&pol, owner_sk) || fcp_zone_policy_object_encode(&pol, &b) ||
        fcp_zone_policy_object_id(pid, &pol, &oid))
        return NULL;
    in = json_object();
    json_object_set_new(in, "created_at", json_integer(1700000000));
    json_object_set_new(in, "zone_id", json_string("z:work"));
    json_object_set_new(in, "policy", policy_json(&pol.policy));
    json_object_set_new(in, "version", json_integer(1));
    json_object_set_new(in, "owner_seed_hex", fill_hex(0xee, 32));
    json_object_set_new(in, "object_id_key_hex", fill_hex(0x72, 32));
    json_array_append_new(arr, vec_entry("policy_object_v1", "Owner-signed ZonePolicyObject (genesis, version 1)", in,
                                         obj_expected(&b, pol.signature, pid)));
    if (make_def(&def1, 1, NULL, pid, 1700000001) || fcp_zone_definition_object_id(id1, &def1, &oid))
        return NULL;
    fcp_buf_reset(&b);
    fcp_zone_definition_encode(&def1, &b);
    json_array_append_new(arr, vec_entry("definition_v1", "Owner-signed ZoneDefinitionObject (genesis) referencing policy_object_v1; quorum_signers node-a..d, max_faults absent (f = 1)",
                                         def_json(&def1), obj_expected(&b, def1.signature, id1)));
    if (make_def(&def2, 2, id1, pid, 1700000500))
        return NULL;
    def2.integrity_level = 65;
    def2.has_max_faults = 1;
    def2.max_faults = 1;
    if (fcp_zone_definition_sign(&def2, owner_sk) || fcp_zone_definition_object_id(id2, &def2, &oid) ||
        fcp_zone_definition_verify_successor(&def1, &def2, owner_pk, &oid))
        return NULL;
    fcp_buf_reset(&b);
    fcp_zone_definition_encode(&def2, &b);
    json_array_append_new(arr, vec_entry("definition_v2", "Successor of definition_v1: prev = its ObjectId, version 2, integrity 65, max_faults 1",
                                         def_json(&def2), obj_expected(&b, def2.signature, id2)));
    fcp_buf_free(&b);

    /* decisions under policy_object_v1 */
    {
        static const char *const req[][3] = {
            { "agent:mail", "fcp.gmail", "gmail.read" }, { "owner", "fcp.slack", "slack.post" },
            { "agent:evil", "fcp.gmail", "gmail.read" }, { "stranger", "fcp.gmail", "gmail.read" },
            { "agent:mail", "fcp.shell", "gmail.read" }, { "agent:mail", "other.x", "gmail.read" },
            { "agent:mail", "fcp.slack", "slack.admin.users" },
            { "agent:mail", "fcp.gmail", "gmail.send" }, { "agent:", "fcp.", "slack." },
            { "agent", "fcp.gmail", "gmail.read" }, { "agent:mail", "", "gmail.read" },
        };
        json_t *rows = json_array();
        for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
            fcp_zone_access a = { req[i][0], strlen(req[i][0]), req[i][1], strlen(req[i][1]),
                                  req[i][2], strlen(req[i][2]) };
            int r = fcp_zone_policy_evaluate(&pol.policy, &a);
            json_t *o = json_object();
            json_object_set_new(o, "principal", json_string(req[i][0]));
            json_object_set_new(o, "connector", json_string(req[i][1]));
            json_object_set_new(o, "capability", json_string(req[i][2]));
            json_object_set_new(o, "reason", json_integer(r));
            json_object_set_new(o, "reason_name", json_string(fcp_zone_reason_name(r)));
            json_array_append_new(rows, o);
        }
        in = json_object();
        json_object_set_new(in, "policy", policy_json(&pol.policy));
        json_t *ex = json_object();
        json_object_set_new(ex, "decisions", rows);
        json_array_append_new(arr, vec_entry("policy_decisions", "ZonePolicy evaluation (D-ZONE-6) with stable reason codes; absent fields are the empty string", in, ex));
    }
    /* lattice */
    {
        static const char *const z[5] = { "z:owner", "z:private", "z:work", "z:community", "z:public" };
        json_t *rows = json_array();
        for (int a = 0; a < 5; a++)
            for (int c = 0; c < 5; c++) {
                fcp_zone_levels la, lc;
                fcp_zone_standard_levels(z[a], strlen(z[a]), &la);
                fcp_zone_standard_levels(z[c], strlen(z[c]), &lc);
                unsigned need = fcp_zone_flow_requirements(&la, &lc);
                json_t *o = json_object();
                json_object_set_new(o, "from", json_string(z[a]));
                json_object_set_new(o, "to", json_string(z[c]));
                json_object_set_new(o, "needs_elevation", json_boolean(need & FCP_FLOW_NEEDS_ELEVATION));
                json_object_set_new(o, "needs_declassification", json_boolean(need & FCP_FLOW_NEEDS_DECLASSIFICATION));
                json_array_append_new(rows, o);
            }
        json_t *ex = json_object();
        json_object_set_new(ex, "flows", rows);
        json_array_append_new(arr, vec_entry("lattice_flows", "Standard zones (§5.1): elevation when integrity rises, declassification when confidentiality falls", json_object(), ex));
    }
    /* quorum thresholds */
    {
        static const size_t nf[][2] = { { 1, 0 }, { 3, 0 }, { 4, 1 }, { 5, 2 }, { 7, 2 }, { 10, 3 }, { 4, 2 } };
        static const char *const tiers[4] = { "safe", "risky", "dangerous", "critical" };
        json_t *rows = json_array();
        for (size_t i = 0; i < sizeof nf / sizeof nf[0]; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "n", json_integer((json_int_t)nf[i][0]));
            json_object_set_new(o, "f", json_integer((json_int_t)nf[i][1]));
            for (int t = 0; t < 4; t++)
                json_object_set_new(o, tiers[t], json_integer((json_int_t)fcp_quorum_required(t, nf[i][0], nf[i][1])));
            json_array_append_new(rows, o);
        }
        json_t *ex = json_object();
        json_object_set_new(ex, "thresholds", rows);
        json_array_append_new(arr, vec_entry("quorum_thresholds", "D-ZONE-5: Safe 1, Risky f+1, Dangerous n-f, Critical n-f; 0 = no safe quorum (2f >= n)", json_object(), ex));
    }
    return arr;
}

/* ---- checkpoints ----------------------------------------------------------- */

static void make_ckpt(fcp_zone_checkpoint *c, uint64_t seq, const uint8_t *prev, uint8_t audit)
{
    fcp_schema_id s;
    memset(c, 0, sizeof *c);
    fcp_zone_checkpoint_schema(&s);
    fcp_object_header_init(&c->header, &s, "z:work", 1700002520 + seq);
    strcpy(c->zone_id, "z:work");
    c->checkpoint_seq = seq;
    if (prev) {
        c->has_prev = 1;
        memcpy(c->prev_checkpoint_id, prev, 32);
    }
    memset(c->rev_head, 0x21, 32);
    c->rev_seq = 200 + seq;
    memset(c->audit_head, audit, 32);
    c->audit_seq = 400 + seq;
    memset(c->zone_definition_head, 0x58, 32);
    memset(c->zone_policy_head, 0x22, 32);
    memset(c->active_zone_key_manifest, 0xd7, 32);
    c->as_of_epoch = 5000 + seq;
    for (int i = 0; i < 3; i++)
        fcp_zone_checkpoint_add_signature(c, node_ids[i], 6, sig_sk[i]);
}

static json_t *ckpt_json(const fcp_zone_checkpoint *c)
{
    json_t *o = json_object(), *s = json_array();
    json_object_set_new(o, "created_at", json_integer((json_int_t)c->header.created_at));
    json_object_set_new(o, "zone_id", json_string(c->zone_id));
    json_object_set_new(o, "checkpoint_seq", json_integer((json_int_t)c->checkpoint_seq));
    if (c->has_prev)
        json_object_set_new(o, "prev_checkpoint_id_hex", vec_hex(c->prev_checkpoint_id, 32));
    json_object_set_new(o, "rev_head_hex", vec_hex(c->rev_head, 32));
    json_object_set_new(o, "rev_seq", json_integer((json_int_t)c->rev_seq));
    json_object_set_new(o, "audit_head_hex", vec_hex(c->audit_head, 32));
    json_object_set_new(o, "audit_seq", json_integer((json_int_t)c->audit_seq));
    json_object_set_new(o, "zone_definition_head_hex", vec_hex(c->zone_definition_head, 32));
    json_object_set_new(o, "zone_policy_head_hex", vec_hex(c->zone_policy_head, 32));
    json_object_set_new(o, "active_zone_key_manifest_hex", vec_hex(c->active_zone_key_manifest, 32));
    json_object_set_new(o, "as_of_epoch", json_integer((json_int_t)c->as_of_epoch));
    for (size_t i = 0; i < c->n_sigs; i++)
        json_array_append_new(s, json_string(c->sigs[i].node_id));
    json_object_set_new(o, "signers", s);
    json_object_set_new(o, "object_id_key_hex", fill_hex(0x72, 32));
    return o;
}

static json_t *build_checkpoints(void)
{
    fcp_zone_checkpoint c[4];
    uint8_t id[4][32];
    fcp_object_id_key oid;
    fcp_buf b;
    json_t *arr = json_array();
    static const char *const names[4] = { "checkpoint_0", "checkpoint_1", "checkpoint_1_fork",
                                          "checkpoint_2" };
    keys();
    memset(oid.bytes, 0x72, 32);
    make_ckpt(&c[0], 0, NULL, 0xa0);
    fcp_zone_checkpoint_object_id(id[0], &c[0], &oid);
    make_ckpt(&c[1], 1, id[0], 0xa1);
    fcp_zone_checkpoint_object_id(id[1], &c[1], &oid);
    make_ckpt(&c[2], 1, id[0], 0xb1);
    fcp_zone_checkpoint_object_id(id[2], &c[2], &oid);
    make_ckpt(&c[3], 2, id[1], 0xa2);
    fcp_zone_checkpoint_object_id(id[3], &c[3], &oid);
    fcp_buf_init(&b);
    for (int i = 0; i < 4; i++) {
        fcp_buf_reset(&b);
        if (fcp_zone_checkpoint_encode(&c[i], &b))
            return NULL;
        json_t *in = ckpt_json(&c[i]);
        json_object_set_new(in, "nodes", nodes_json(4));
        json_array_append_new(arr, vec_entry(names[i], "Quorum-signed ZoneCheckpoint (signers node-a..c sorted; ObjectId over the map without quorum_signatures, D-ZONE-1)", in, obj_expected(&b, NULL, id[i])));
    }
    fcp_buf_free(&b);
    /* acceptance script */
    {
        static const int order[] = { 0, 0, 1, 2, 0, 3 };
        json_t *steps = json_array();
        fcp_checkpoint_state st;
        memset(&st, 0, sizeof st);
        for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
            int rc = fcp_checkpoint_observe(&st, &c[order[k]], id[order[k]]);
            char code[16];
            json_t *o = json_object();
            json_object_set_new(o, "offer", json_string(names[order[k]]));
            json_object_set_new(o, "result", json_string(rc == 0 ? "advanced" : rc == 1 ? "duplicate" : fcp_error_code(rc, code, sizeof code)));
            json_array_append_new(steps, o);
        }
        json_t *ex = json_object();
        json_object_set_new(ex, "steps", steps);
        json_array_append_new(arr, vec_entry("acceptance_script", "fcp_checkpoint_observe over the checkpoints above in this order: rollback FCP-4140, fork FCP-4141", json_object(), ex));
    }
    return arr;
}

/* ---- leases and HRW ------------------------------------------------------- */

static json_t *build_leases(void)
{
    fcp_lease l;
    fcp_schema_id s;
    fcp_object_id_key oid;
    uint8_t subject[32], id[32];
    const char *nodes[4] = { node_ids[0], node_ids[1], node_ids[2], node_ids[3] };
    size_t order[4];
    fcp_buf b;
    json_t *arr = json_array(), *in, *ex, *sg;
    keys();
    memset(oid.bytes, 0x72, 32);
    memset(subject, 0x5a, 32);
    memset(&l, 0, sizeof l);
    fcp_lease_schema(&s);
    fcp_object_header_init(&l.header, &s, "z:work", 1700000100);
    memcpy(l.subject_object_id, subject, 32);
    l.purpose = FCP_LEASE_CONNECTOR_STATE_WRITE;
    l.lease_seq = 7;
    strcpy(l.owner_node, "node-b");
    fcp_hrw_rank("z:work", 6, subject, 32, nodes, 4, order);
    strcpy(l.coordinator, nodes[order[0]]);
    l.iat = 1700000100;
    l.exp = 1700000160;
    l.safety_tier = FCP_TIER_RISKY;
    for (int k = 0; k < 2; k++)
        if (fcp_lease_add_signature(&l, nodes[order[k]], 6, sig_sk[order[k]]))
            return NULL;
    fcp_buf_init(&b);
    if (fcp_lease_encode(&l, &b) || fcp_lease_object_id(id, &l, &oid))
        return NULL;
    in = json_object();
    json_object_set_new(in, "created_at", json_integer(1700000100));
    json_object_set_new(in, "zone_id", json_string("z:work"));
    json_object_set_new(in, "subject_object_id_hex", vec_hex(subject, 32));
    json_object_set_new(in, "purpose", json_string("ConnectorStateWrite"));
    json_object_set_new(in, "lease_seq", json_integer(7));
    json_object_set_new(in, "owner_node", json_string("node-b"));
    json_object_set_new(in, "coordinator", json_string(l.coordinator));
    json_object_set_new(in, "iat", json_integer(1700000100));
    json_object_set_new(in, "exp", json_integer(1700000160));
    json_object_set_new(in, "safety_tier", json_string("Risky"));
    sg = json_array();
    for (size_t i = 0; i < l.n_sigs; i++)
        json_array_append_new(sg, json_string(l.sigs[i].node_id));
    json_object_set_new(in, "signers", sg);
    json_object_set_new(in, "nodes", nodes_json(4));
    json_object_set_new(in, "object_id_key_hex", fill_hex(0x72, 32));
    json_array_append_new(arr, vec_entry("lease_risky", "Risky ConnectorStateWrite lease signed by the two best HRW nodes (coordinator first); verifies against definition_v1 (n 4, f 1)", in, obj_expected(&b, NULL, id)));
    fcp_buf_free(&b);
    /* HRW tables */
    {
        json_t *rows = json_array();
        for (int i = 0; i < 4; i++) {
            json_t *o = json_object();
            uint8_t sc[8];
            fcp_store_u64le(sc, fcp_hrw_score("z:work", 6, subject, 32, nodes[i], 6));
            json_object_set_new(o, "node_id", json_string(nodes[i]));
            json_object_set_new(o, "score_le_hex", vec_hex(sc, 8));
            json_array_append_new(rows, o);
        }
        json_t *rk = json_array();
        for (int i = 0; i < 4; i++)
            json_array_append_new(rk, json_string(nodes[order[i]]));
        in = json_object();
        json_object_set_new(in, "zone_id", json_string("z:work"));
        json_object_set_new(in, "key_hex", vec_hex(subject, 32));
        ex = json_object();
        json_object_set_new(ex, "scores", rows);
        json_object_set_new(ex, "ranking", rk);
        json_array_append_new(arr, vec_entry("hrw_lease", "D-LEASE-2: BLAKE3(\"FCP2-HRW-V1\" || u32le len || zone || u32le len || key || u32le len || node)[0..8] as u64 LE; highest first", in, ex));
    }
    {
        size_t o3[4];
        fcp_hrw_checkpoint_rank("z:work", 6, "epoch-test-42", 13, nodes, 4, o3);
        json_t *rk = json_array();
        for (int i = 0; i < 4; i++)
            json_array_append_new(rk, json_string(nodes[o3[i]]));
        in = json_object();
        json_object_set_new(in, "zone_id", json_string("z:work"));
        json_object_set_new(in, "epoch_id", json_string("epoch-test-42"));
        ex = json_object();
        json_object_set_new(ex, "ranking", rk);
        json_array_append_new(arr, vec_entry("hrw_checkpoint", "Checkpoint coordinator ranking, domain \"FCP2-HRW-CHECKPOINT-V1\", key = epoch id text (upstream convergence_scenario rule)", in, ex));
    }
    return arr;
}

const vec_family vec_authz_zone_families[] = {
    { "authz", "zone_keys.json", build_zone_keys },
    { "authz", "zones.json", build_zones },
    { "authz", "checkpoints.json", build_checkpoints },
    { "authz", "leases.json", build_leases },
};
const size_t vec_authz_zone_family_count =
    sizeof vec_authz_zone_families / sizeof vec_authz_zone_families[0];
