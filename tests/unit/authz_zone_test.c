/*
 * authz_zone_test.c - ZoneDefinitionObject / ZonePolicyObject codecs,
 * signatures and prev-linked chains; ZonePolicy evaluation (reason codes, a
 * deny-overrides property); the lattice; quorum thresholds (including
 * upstream's quorum_3_of_3 / quorum_3_of_5 fixtures); ZoneCheckpoint
 * codec, quorum verification, rollback and fork detection (property-tested).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "authz_fixtures.h"
#include "fcp/authz_zone.h"
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/rng.h"

static fcp_object_id_key oidk;
static fcp_zone_definition d1, d2, d3, td;
static fcp_zone_policy_object p1, p2, tp;
static fcp_zone_checkpoint c0, c1, tc;

static void make_policy(fcp_zone_policy_object *o, uint64_t version, const uint8_t *prev)
{
    fcp_schema_id s;
    memset(o, 0, sizeof *o);
    fcp_zone_policy_object_schema(&s);
    fcp_object_header_init(&o->header, &s, "z:work", 1700000000 + version);
    strcpy(o->zone_id, "z:work");
    o->version = version;
    if (prev) {
        o->has_prev = 1;
        memcpy(o->prev, prev, 32);
    }
    o->policy.n[FCP_ZP_PRINCIPALS_ALLOW] = 2;
    strcpy(o->policy.pat[FCP_ZP_PRINCIPALS_ALLOW][0], "agent:*");
    strcpy(o->policy.pat[FCP_ZP_PRINCIPALS_ALLOW][1], "owner");
    o->policy.n[FCP_ZP_PRINCIPALS_DENY] = 1;
    strcpy(o->policy.pat[FCP_ZP_PRINCIPALS_DENY][0], "agent:evil");
    o->policy.n[FCP_ZP_CONNECTORS_ALLOW] = 1;
    strcpy(o->policy.pat[FCP_ZP_CONNECTORS_ALLOW][0], "fcp.*");
    o->policy.n[FCP_ZP_CONNECTORS_DENY] = 1;
    strcpy(o->policy.pat[FCP_ZP_CONNECTORS_DENY][0], "fcp.shell");
    o->policy.n[FCP_ZP_CAP_ALLOW] = 2;
    strcpy(o->policy.pat[FCP_ZP_CAP_ALLOW][0], "gmail.read");
    strcpy(o->policy.pat[FCP_ZP_CAP_ALLOW][1], "slack.*");
    o->policy.n[FCP_ZP_CAP_DENY] = 1;
    strcpy(o->policy.pat[FCP_ZP_CAP_DENY][0], "slack.admin*");
    o->policy.default_deny = 1;
}

static void make_def(fcp_zone_definition *d, uint64_t version, const uint8_t *prev,
                     const uint8_t policy_id[32], size_t n_signers)
{
    fcp_schema_id s;
    memset(d, 0, sizeof *d);
    fcp_zone_definition_schema(&s);
    fcp_object_header_init(&d->header, &s, "z:work", 1700000000 + version);
    strcpy(d->zone_id, "z:work");
    strcpy(d->name, "Work");
    d->integrity_level = 60;
    d->confidentiality_level = 70;
    d->symbol_port = 7401;
    d->control_port = 7402;
    memcpy(d->policy_object_id, policy_id, 32);
    d->version = version;
    if (prev) {
        d->has_prev = 1;
        memcpy(d->prev, prev, 32);
    }
    d->n_signers = n_signers;
    for (size_t i = 0; i < n_signers; i++)
        strcpy(d->quorum_signers[i], fx_nodes[i].id);
}

static int roundtrip_def(const fcp_zone_definition *d)
{
    fcp_buf a, b;
    int ok;
    fcp_buf_init(&a);
    fcp_buf_init(&b);
    ok = fcp_zone_definition_encode(d, &a) == 0 && fcp_zone_definition_decode(&td, a.data, a.len) == 0 &&
         fcp_zone_definition_encode(&td, &b) == 0 && a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
    fcp_buf_free(&a);
    fcp_buf_free(&b);
    return ok;
}

static void test_definition(void)
{
    uint8_t pid[32], id1[32], id2[32];
    make_policy(&p1, 1, NULL);
    CHECK_ERR(fcp_zone_policy_object_sign(&p1, fx_owner_sk), 0);
    CHECK_ERR(fcp_zone_policy_object_id(pid, &p1, &oidk), 0);
    make_def(&d1, 1, NULL, pid, 4);
    CHECK_ERR(fcp_zone_definition_sign(&d1, fx_owner_sk), 0);
    CHECK_ERR(fcp_zone_definition_verify(&d1, fx_owner_pk), 0);
    CHECK(roundtrip_def(&d1));
    CHECK_ERR(fcp_zone_definition_verify(&td, fx_owner_pk), 0);
    CHECK_EQ(fcp_zone_definition_faults(&d1), 1);
    CHECK_ERR(fcp_zone_policy_check_ref(&d1, &p1, &oidk), 0);
    CHECK_ERR(fcp_zone_definition_object_id(id1, &d1, &oidk), 0);
    make_def(&d2, 2, id1, pid, 4);
    d2.has_max_faults = 1;
    d2.max_faults = 1;
    d2.integrity_level = 65;
    CHECK_ERR(fcp_zone_definition_sign(&d2, fx_owner_sk), 0);
    CHECK(roundtrip_def(&d2));
    CHECK_ERR(fcp_zone_definition_object_id(id2, &d2, &oidk), 0);
    make_def(&d3, 5, id2, pid, 3);
    CHECK_ERR(fcp_zone_definition_sign(&d3, fx_owner_sk), 0);
    {
        const fcp_zone_definition *chain[3] = { &d1, &d2, &d3 };
        CHECK_ERR(fcp_zone_definition_chain_verify(chain, 3, fx_owner_pk, &oidk), 0);
        CHECK_ERR(fcp_zone_definition_chain_verify(chain, 0, fx_owner_pk, &oidk), FCP_EINVAL);
        const fcp_zone_definition *skip[2] = { &d1, &d3 };
        CHECK_ERR(fcp_zone_definition_chain_verify(skip, 2, fx_owner_pk, &oidk), FCP_EZONE_CHAIN_PREV);
    }
    td = d3; td.version = 2;
    CHECK_ERR(fcp_zone_definition_sign(&td, fx_owner_sk), 0);
    CHECK_ERR(fcp_zone_definition_verify_successor(&d2, &td, fx_owner_pk, &oidk), FCP_EZONE_CHAIN_VERSION);
    td = d3; td.name[0] = 'X';
    CHECK_ERR(fcp_zone_definition_verify_successor(&d2, &td, fx_owner_pk, &oidk), FCP_EBAD_SIGNATURE);
    td = d3; strcpy(td.zone_id, "z:private"); strcpy(td.header.zone_id, "z:private");
    strcpy(td.header.provenance.origin_zone, "z:private");
    strcpy(td.header.provenance.current_zone, "z:private");
    CHECK_ERR(fcp_zone_definition_sign(&td, fx_owner_sk), 0);
    CHECK_ERR(fcp_zone_definition_verify_successor(&d2, &td, fx_owner_pk, &oidk), FCP_EAUTHZ_ZONE_MISMATCH);
    CHECK_ERR(fcp_zone_definition_verify_successor(&d1, &d2, fx_nodes[0].sig_pk, &oidk), FCP_EBAD_SIGNATURE);

    /* validation, one code per rule */
    td = d1; td.integrity_level = 101;
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EZONE_LEVEL);
    td = d1; td.confidentiality_level = 200;
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EZONE_LEVEL);
    td = d1; td.symbol_port = 0;
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EZONE_PORT);
    td = d1; td.control_port = td.symbol_port;
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EZONE_PORT);
    td = d1; td.name[0] = 0;
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EZONE_NAME);
    td = d1; td.name[1] = '\n';
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EZONE_NAME);
    td = d1; td.version = 0;
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EZONE_VERSION);
    td = d1; td.version = 2;
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EZONE_VERSION);
    td = d1; td.n_signers = 0;
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EZONE_QUORUM_CONFIG);
    td = d1; td.has_max_faults = 1; td.max_faults = 2;
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EZONE_QUORUM_CONFIG);
    td = d1; strcpy(td.quorum_signers[1], "node-a");
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EDUPLICATE_SIGNER);
    td = d1; strcpy(td.quorum_signers[1], "node-0");
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EUNSORTED_SIGNERS);
    td = d1; td.n_signers = FCP_ZONE_MAX_SIGNERS + 1;
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_ELIMIT);
    td = d1; strcpy(td.header.zone_id, "z:private");
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_EAUTHZ_ZONE_MISMATCH);
    td = d1; fcp_zone_policy_object_schema(&td.header.schema);
    CHECK_ERR(fcp_zone_definition_validate(&td), FCP_ESCHEMA_MISMATCH);
}

static int edit_def(const char *key, const uint8_t *v, size_t vn)
{
    fcp_buf x, y;
    int rc;
    fcp_buf_init(&x);
    fcp_buf_init(&y);
    rc = fcp_zone_definition_encode(&d1, &x);
    if (rc == 0)
        rc = fx_edit(&y, x.data, x.len, key, v, vn);
    if (rc == 0)
        rc = fcp_zone_definition_decode(&td, y.data, y.len);
    fcp_buf_free(&x);
    fcp_buf_free(&y);
    return rc;
}

static void test_definition_decode(void)
{
    uint8_t v[64];
    size_t n;
    n = fx_uint(v, 1);
    CHECK_ERR(edit_def("transport_policy", v, n), FCP_EUNKNOWN_FIELD);
    CHECK_ERR(edit_def("policy_object_id", NULL, 0), FCP_EMISSING_FIELD);
    CHECK_ERR(edit_def("quorum_signers", NULL, 0), FCP_EMISSING_FIELD);
    n = fx_uint(v, 256);
    CHECK_ERR(edit_def("integrity_level", v, n), FCP_ECBOR_INT_RANGE);
    n = fx_uint(v, 65536);
    CHECK_ERR(edit_def("control_port", v, n), FCP_ECBOR_INT_RANGE);
    n = fx_bytes(v, sizeof v, d1.policy_object_id, 31);
    CHECK_ERR(edit_def("policy_object_id", v, n), FCP_EOBJECT);
    n = fx_text(v, sizeof v, "7401");
    CHECK_ERR(edit_def("symbol_port", v, n), FCP_ECBOR_TYPE);
    v[0] = 0xf9; v[1] = 0x3c; v[2] = 0x00;  /* 1.0 as a half float */
    CHECK_ERR(edit_def("version", v, 3), FCP_ECBOR_TYPE);
    n = fx_uint(v, 3);
    CHECK_ERR(edit_def("max_faults", v, n), FCP_EZONE_QUORUM_CONFIG);
    n = fx_text(v, sizeof v, "");
    CHECK_ERR(edit_def("name", v, n), FCP_EZONE_NAME);
    CHECK_EQ(td.version, 0);   /* zeroed on error */
    CHECK_ERR(fcp_zone_definition_decode(&td, (const uint8_t *)"", 0), FCP_ECBOR_TRUNCATED);
}

static void test_policy_object(void)
{
    fcp_buf a, b;
    uint8_t id1[32];
    fcp_buf_init(&a);
    fcp_buf_init(&b);
    CHECK_ERR(fcp_zone_policy_object_encode(&p1, &a), 0);
    CHECK_ERR(fcp_zone_policy_object_decode(&tp, a.data, a.len), 0);
    CHECK_ERR(fcp_zone_policy_object_encode(&tp, &b), 0);
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    CHECK_ERR(fcp_zone_policy_object_verify(&tp, fx_owner_pk), 0);
    CHECK_ERR(fcp_zone_policy_object_id(id1, &p1, &oidk), 0);
    make_policy(&p2, 2, id1);
    p2.policy.default_deny = 0;
    CHECK_ERR(fcp_zone_policy_object_sign(&p2, fx_owner_sk), 0);
    {
        const fcp_zone_policy_object *chain[2] = { &p1, &p2 };
        CHECK_ERR(fcp_zone_policy_chain_verify(chain, 2, fx_owner_pk, &oidk), 0);
        const fcp_zone_policy_object *rev[2] = { &p2, &p1 };
        CHECK_ERR(fcp_zone_policy_chain_verify(rev, 2, fx_owner_pk, &oidk), FCP_EZONE_CHAIN_PREV);
    }
    CHECK_ERR(fcp_zone_policy_check_ref(&d1, &p2, &oidk), FCP_EZONE_POLICY_REF);
    tp = p1; tp.policy.default_deny = 0;
    CHECK_ERR(fcp_zone_policy_object_verify(&tp, fx_owner_pk), FCP_EBAD_SIGNATURE);
    tp = p1; strcpy(tp.policy.pat[FCP_ZP_CAP_ALLOW][0], "a*b");
    CHECK_ERR(fcp_zone_policy_object_validate(&tp), FCP_EZONE_PATTERN);
    tp = p1; strcpy(tp.policy.pat[FCP_ZP_CAP_ALLOW][0], "a b");
    CHECK_ERR(fcp_zone_policy_object_validate(&tp), FCP_EZONE_PATTERN);
    tp = p1; tp.policy.pat[FCP_ZP_CAP_DENY][0][0] = 0;
    CHECK_ERR(fcp_zone_policy_object_validate(&tp), FCP_EZONE_PATTERN);
    tp = p1; strcpy(tp.policy.pat[FCP_ZP_CAP_ALLOW][1], "gmail.read");
    CHECK_ERR(fcp_zone_policy_object_validate(&tp), FCP_EZONE_PATTERN_ORDER);
    tp = p1; strcpy(tp.policy.pat[FCP_ZP_CAP_ALLOW][1], "aaa");
    CHECK_ERR(fcp_zone_policy_object_validate(&tp), FCP_EZONE_PATTERN_ORDER);
    tp = p1; tp.policy.n[FCP_ZP_CAP_DENY] = FCP_ZONE_PATTERNS_MAX + 1;
    CHECK_ERR(fcp_zone_policy_object_validate(&tp), FCP_ELIMIT);
    tp = p1; tp.version = 3;
    CHECK_ERR(fcp_zone_policy_object_validate(&tp), FCP_EZONE_VERSION);
    /* decoder: a policy without default_deny, an unknown policy key */
    {
        uint8_t v[16];
        size_t n = fx_uint(v, 0);
        fcp_buf_reset(&b);
        CHECK_ERR(fx_edit(&b, a.data, a.len, "policy", v, n), 0);
        CHECK_ERR(fcp_zone_policy_object_decode(&tp, b.data, b.len), FCP_ECBOR_TYPE);
    }
    fcp_buf_free(&a);
    fcp_buf_free(&b);
}

static int eval(const fcp_zone_policy *p, const char *pr, const char *co, const char *ca)
{
    fcp_zone_access r = { pr, pr ? strlen(pr) : 0, co, co ? strlen(co) : 0, ca, ca ? strlen(ca) : 0 };
    return fcp_zone_policy_evaluate(p, &r);
}

static void test_policy_eval(void)
{
    const fcp_zone_policy *p = &p1.policy;   /* default_deny */
    const fcp_zone_policy *q = &p2.policy;   /* same lists, default allow */
    fcp_zone_policy empty;
    CHECK_EQ(eval(p, "agent:mail", "fcp.gmail", "gmail.read"), FCP_ZONE_ALLOW);
    CHECK_EQ(eval(p, "owner", "fcp.slack", "slack.post"), FCP_ZONE_ALLOW);
    CHECK_EQ(eval(p, "agent:evil", "fcp.gmail", "gmail.read"), FCP_ZONE_DENY_PRINCIPAL);
    CHECK_EQ(eval(p, "stranger", "fcp.gmail", "gmail.read"), FCP_ZONE_DENY_PRINCIPAL_NOT_ALLOWED);
    CHECK_EQ(eval(p, "agent:mail", "fcp.shell", "gmail.read"), FCP_ZONE_DENY_CONNECTOR);
    CHECK_EQ(eval(p, "agent:mail", "other.x", "gmail.read"), FCP_ZONE_DENY_CONNECTOR_NOT_ALLOWED);
    CHECK_EQ(eval(p, "agent:mail", NULL, "gmail.read"), FCP_ZONE_DENY_CONNECTOR_NOT_ALLOWED);
    CHECK_EQ(eval(p, "agent:mail", "fcp.slack", "slack.admin.users"), FCP_ZONE_DENY_CAPABILITY);
    CHECK_EQ(eval(p, "agent:mail", "fcp.gmail", "gmail.send"), FCP_ZONE_DENY_CAPABILITY_NOT_ALLOWED);
    CHECK_EQ(eval(p, "agent:", "fcp.", "slack."), FCP_ZONE_ALLOW);   /* prefix may be all */
    CHECK_EQ(eval(p, "agent", "fcp.gmail", "gmail.read"), FCP_ZONE_DENY_PRINCIPAL_NOT_ALLOWED);
    /* without default_deny, only deny lists deny */
    CHECK_EQ(eval(q, "stranger", "other.x", "gmail.send"), FCP_ZONE_ALLOW);
    CHECK_EQ(eval(q, "agent:evil", "other.x", "gmail.send"), FCP_ZONE_DENY_PRINCIPAL);
    CHECK_EQ(eval(q, "x", "fcp.shell", "y"), FCP_ZONE_DENY_CONNECTOR);
    CHECK_EQ(eval(q, "x", "y", "slack.admin"), FCP_ZONE_DENY_CAPABILITY);
    memset(&empty, 0, sizeof empty);
    empty.default_deny = 1;
    CHECK_EQ(eval(&empty, "anyone", "any", "thing"), FCP_ZONE_ALLOW);  /* spec: empty allow = all */
    empty.n[FCP_ZP_CAP_DENY] = 1;
    strcpy(empty.pat[FCP_ZP_CAP_DENY][0], "*");
    CHECK_EQ(eval(&empty, "anyone", "any", NULL), FCP_ZONE_DENY_CAPABILITY);
    CHECK(strcmp(fcp_zone_reason_name(FCP_ZONE_DENY_CONNECTOR_NOT_ALLOWED), "deny_connector_not_allowed") == 0);
    CHECK(fcp_zone_reason_name(7) == NULL && fcp_zone_reason_name(-1) == NULL);
    CHECK(fcp_zone_pattern_match("*", "", 0));
    CHECK(fcp_zone_pattern_match("*", NULL, 0));
    CHECK(!fcp_zone_pattern_match("a", NULL, 0));
    CHECK(!fcp_zone_pattern_match("ab", "abc", 3));
    CHECK(!fcp_zone_pattern_match("abc*", "ab", 2));

    /* property: a deny-list hit always denies, whatever the allow lists say */
    {
        fcp_rng_xoshiro x;
        int bad = 0;
        static const char *names[] = { "a", "ab", "abc", "b", "ba", "c" };
        fcp_rng_xoshiro_init(&x, 77);
        for (int it = 0; it < 2000; it++) {
            fcp_zone_policy r;
            memset(&r, 0, sizeof r);
            r.default_deny = (int)fcp_rng_xoshiro_below(&x, 2);
            for (int l = 0; l < FCP_ZP_LISTS; l++)
                if (fcp_rng_xoshiro_below(&x, 2)) {
                    r.n[l] = 1;
                    strcpy(r.pat[l][0], names[fcp_rng_xoshiro_below(&x, 6)]);
                    if (fcp_rng_xoshiro_below(&x, 3) == 0)
                        strcat(r.pat[l][0], "*");
                }
            const char *pr = names[fcp_rng_xoshiro_below(&x, 6)];
            const char *co = names[fcp_rng_xoshiro_below(&x, 6)];
            const char *ca = names[fcp_rng_xoshiro_below(&x, 6)];
            int rc = eval(&r, pr, co, ca);
            const char *req[3] = { pr, co, ca };
            int first_deny = -1;
            for (int ax = 0; ax < 3 && first_deny < 0; ax++) {
                const fcp_zone_policy *rp = &r;
                int allow = 2 * ax == 0 ? FCP_ZP_PRINCIPALS_ALLOW : (ax == 1 ? FCP_ZP_CONNECTORS_ALLOW : FCP_ZP_CAP_ALLOW);
                int deny = allow + 1;
                int dm = rp->n[deny] && fcp_zone_pattern_match(rp->pat[deny][0], req[ax], strlen(req[ax]));
                int am = rp->n[allow] && fcp_zone_pattern_match(rp->pat[allow][0], req[ax], strlen(req[ax]));
                if (dm)
                    first_deny = 1 + 2 * ax;
                else if (rp->n[allow] && !am && rp->default_deny)
                    first_deny = 2 + 2 * ax;
            }
            if (rc != (first_deny < 0 ? 0 : first_deny))
                bad++;
        }
        CHECK_EQ(bad, 0);
    }
}

static void test_lattice(void)
{
    static const char *z[5] = { "z:owner", "z:private", "z:work", "z:community", "z:public" };
    fcp_zone_levels lv[5], j;
    for (int i = 0; i < 5; i++)
        CHECK_ERR(fcp_zone_standard_levels(z[i], strlen(z[i]), &lv[i]), 0);
    CHECK_EQ(lv[1].integrity, 80);
    CHECK_EQ(lv[1].confidentiality, 90);
    CHECK_EQ(lv[4].confidentiality, 10);
    CHECK_ERR(fcp_zone_standard_levels("z:project:x", 11, &j), FCP_ENOENT);
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++) {
            unsigned need = fcp_zone_flow_requirements(&lv[a], &lv[b]);
            /* standard zones are ordered on both axes: down (a < b index,
             * towards public) needs declassification, up needs elevation */
            unsigned want = a == b ? 0 : (a < b ? FCP_FLOW_NEEDS_DECLASSIFICATION : FCP_FLOW_NEEDS_ELEVATION);
            CHECK_EQ(need, want);
            CHECK_ERR(fcp_zone_flow_check(&lv[a], &lv[b], need), 0);
        }
    CHECK_ERR(fcp_zone_flow_check(&lv[4], &lv[0], 0), FCP_EZONE_NEEDS_ELEVATION);
    CHECK_ERR(fcp_zone_flow_check(&lv[0], &lv[4], 0), FCP_EZONE_NEEDS_DECLASSIFICATION);
    CHECK_ERR(fcp_zone_flow_check(&lv[0], &lv[4], FCP_FLOW_NEEDS_ELEVATION), FCP_EZONE_NEEDS_DECLASSIFICATION);
    {
        fcp_zone_levels odd = { 90, 5 };   /* high integrity, low secrecy */
        CHECK_EQ(fcp_zone_flow_requirements(&lv[4], &odd), FCP_FLOW_NEEDS_ELEVATION | FCP_FLOW_NEEDS_DECLASSIFICATION);
        CHECK_ERR(fcp_zone_flow_check(&lv[4], &odd, 0), FCP_EZONE_NEEDS_ELEVATION);
        j = fcp_zone_levels_join(&lv[4], &odd);
        CHECK_EQ(j.integrity, 20);
        CHECK_EQ(j.confidentiality, 10);
        j = fcp_zone_levels_join(&lv[0], &lv[3]);
        CHECK_EQ(j.integrity, 40);
        CHECK_EQ(j.confidentiality, 100);
    }
}

static void test_quorum_rules(void)
{
    /* upstream quorum_3_of_3 (n 3, f 0) and quorum_3_of_5 (n 5, f 2) */
    CHECK_EQ(fcp_quorum_required(FCP_TIER_SAFE, 3, 0), 1);
    CHECK_EQ(fcp_quorum_required(FCP_TIER_RISKY, 3, 0), 1);
    CHECK_EQ(fcp_quorum_required(FCP_TIER_DANGEROUS, 3, 0), 3);
    CHECK_EQ(fcp_quorum_required(FCP_TIER_CRITICAL, 3, 0), 3);
    CHECK_EQ(fcp_quorum_required(FCP_TIER_SAFE, 5, 2), 1);
    CHECK_EQ(fcp_quorum_required(FCP_TIER_RISKY, 5, 2), 3);
    CHECK_EQ(fcp_quorum_required(FCP_TIER_DANGEROUS, 5, 2), 3);
    CHECK_EQ(fcp_quorum_required(FCP_TIER_CRITICAL, 5, 2), 3);
    CHECK_EQ(fcp_quorum_required(FCP_TIER_RISKY, 4, 1), 2);
    CHECK_EQ(fcp_quorum_required(FCP_TIER_DANGEROUS, 4, 1), 3);
    CHECK_EQ(fcp_quorum_required(FCP_TIER_DANGEROUS, 4, 2), 0);
    CHECK_EQ(fcp_quorum_required(FCP_TIER_SAFE, 0, 0), 0);
    CHECK_EQ(fcp_quorum_required(9, 3, 0), 0);
}

static void make_ckpt(fcp_zone_checkpoint *c, uint64_t seq, const uint8_t *prev, uint8_t audit_tag,
                      int nsig)
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
    memset(c->audit_head, audit_tag, 32);
    c->audit_seq = 400 + seq;
    memset(c->zone_definition_head, 0x58, 32);
    memset(c->zone_policy_head, 0x22, 32);
    memset(c->active_zone_key_manifest, 0xd7, 32);
    c->as_of_epoch = 5000 + seq;
    for (int i = nsig - 1; i >= 0; i--)
        fcp_zone_checkpoint_add_signature(c, fx_nodes[i].id, 6, fx_nodes[i].sig_sk);
}

static void test_checkpoints(void)
{
    uint8_t id0[32], id1[32], idx[32];
    fcp_buf a, b;
    fcp_checkpoint_state st;
    make_ckpt(&c0, 0, NULL, 0xa0, 3);
    CHECK_EQ(c0.n_sigs, 3);
    CHECK(strcmp(c0.sigs[0].node_id, "node-a") == 0);
    CHECK_ERR(fcp_zone_checkpoint_add_signature(&c0, "node-b", 6, fx_nodes[1].sig_sk), FCP_EDUPLICATE_SIGNER);
    CHECK_ERR(fcp_zone_checkpoint_verify(&c0, &d1, fx_lookup, NULL), 0);   /* n 4, f 1: 3 */
    fcp_buf_init(&a);
    fcp_buf_init(&b);
    CHECK_ERR(fcp_zone_checkpoint_encode(&c0, &a), 0);
    CHECK_ERR(fcp_zone_checkpoint_decode(&tc, a.data, a.len), 0);
    CHECK_ERR(fcp_zone_checkpoint_encode(&tc, &b), 0);
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    CHECK_ERR(fcp_zone_checkpoint_verify(&tc, &d1, fx_lookup, NULL), 0);
    /* quorum failures */
    make_ckpt(&tc, 0, NULL, 0xa0, 2);
    CHECK_ERR(fcp_zone_checkpoint_verify(&tc, &d1, fx_lookup, NULL), FCP_EQUORUM);
    make_ckpt(&tc, 0, NULL, 0xa0, 4);
    CHECK_ERR(fcp_zone_checkpoint_verify(&tc, &d3, fx_lookup, NULL), FCP_ECKPT_SIGNER);  /* d3: a,b,c */
    tc = c0; tc.sigs[1].sig[0] ^= 1;
    CHECK_ERR(fcp_zone_checkpoint_verify(&tc, &d1, fx_lookup, NULL), FCP_EBAD_SIGNATURE);
    tc = c0; tc.audit_seq++;
    CHECK_ERR(fcp_zone_checkpoint_verify(&tc, &d1, fx_lookup, NULL), FCP_EBAD_SIGNATURE);
    td = d1; td.n_signers = FCP_ZONE_MAX_SIGNERS + 1;
    CHECK_ERR(fcp_zone_checkpoint_verify(&c0, &td, fx_lookup, NULL), FCP_ELIMIT);
    td = d1; td.has_max_faults = 1; td.max_faults = 2;
    CHECK_ERR(fcp_zone_checkpoint_verify(&c0, &td, fx_lookup, NULL), FCP_EZONE_QUORUM_CONFIG);
    tc = c0; strcpy(tc.sigs[0].node_id, "node-c");
    CHECK_ERR(fcp_zone_checkpoint_validate(&tc), FCP_EUNSORTED_SIGNERS);
    tc = c0; tc.has_prev = 1;
    CHECK_ERR(fcp_zone_checkpoint_validate(&tc), FCP_ECKPT_GENESIS);
    tc = c0; strcpy(tc.zone_id, "z:private");
    CHECK_ERR(fcp_zone_checkpoint_validate(&tc), FCP_EAUTHZ_ZONE_MISMATCH);
    /* the id ignores which subset signed */
    CHECK_ERR(fcp_zone_checkpoint_object_id(id0, &c0, &oidk), 0);
    make_ckpt(&tc, 0, NULL, 0xa0, 4);
    CHECK_ERR(fcp_zone_checkpoint_object_id(idx, &tc, &oidk), 0);
    CHECK_MEM(id0, idx, 32);

    make_ckpt(&c1, 1, id0, 0xa1, 3);
    CHECK_ERR(fcp_zone_checkpoint_object_id(id1, &c1, &oidk), 0);
    memset(&st, 0, sizeof st);
    CHECK_ERR(fcp_checkpoint_observe(&st, &c0, id0), 0);
    CHECK_ERR(fcp_checkpoint_observe(&st, &tc, idx), 1);
    CHECK_ERR(fcp_checkpoint_observe(&st, &c1, id1), 0);
    CHECK_EQ(st.seq, 1);
    CHECK_ERR(fcp_checkpoint_observe(&st, &c0, id0), FCP_ECKPT_ROLLBACK);
    make_ckpt(&tc, 1, id0, 0xb1, 3);                       /* same seq, other audit head */
    CHECK_ERR(fcp_zone_checkpoint_object_id(idx, &tc, &oidk), 0);
    CHECK_ERR(fcp_checkpoint_observe(&st, &tc, idx), FCP_ECKPT_FORK);
    CHECK(fcp_checkpoint_is_fork(&c1, id1, &tc, idx));
    CHECK(!fcp_checkpoint_is_fork(&c1, id1, &c1, id1));
    CHECK(!fcp_checkpoint_is_fork(&c0, id0, &c1, id1));
    make_ckpt(&tc, 3, id1, 0xa3, 3);
    CHECK_ERR(fcp_checkpoint_observe(&st, &tc, idx), FCP_ECKPT_GAP);
    make_ckpt(&tc, 2, id0, 0xa2, 3);                       /* prev skips c1 */
    CHECK_ERR(fcp_checkpoint_observe(&st, &tc, idx), FCP_ECKPT_PREV);
    make_ckpt(&tc, 2, id1, 0xa2, 0);
    tc.rev_seq = 1;
    CHECK_ERR(fcp_checkpoint_observe(&st, &tc, idx), FCP_ECKPT_ROLLBACK);
    make_ckpt(&tc, 2, id1, 0xa2, 0);
    tc.as_of_epoch = 1;
    CHECK_ERR(fcp_checkpoint_observe(&st, &tc, idx), FCP_ECKPT_EPOCH);
    make_ckpt(&tc, 2, id1, 0xa2, 0);
    strcpy(tc.zone_id, "z:private");
    CHECK_ERR(fcp_checkpoint_observe(&st, &tc, idx), FCP_EAUTHZ_ZONE_MISMATCH);
    make_ckpt(&tc, 2, NULL, 0xa2, 0);
    CHECK_ERR(fcp_checkpoint_observe(&st, &tc, idx), FCP_ECKPT_GENESIS);
    CHECK_EQ(st.seq, 1);
    CHECK_MEM(st.id, id1, 32);

    /* property: two different checkpoints for one seq are always caught */
    {
        fcp_rng_xoshiro x;
        int bad = 0;
        uint8_t prev[32], ia[32], ib[32];
        fcp_rng_xoshiro_init(&x, 99);
        for (int it = 0; it < 30; it++) {
            fcp_checkpoint_state s2;
            uint64_t seq = 1 + fcp_rng_xoshiro_below(&x, 1000);
            uint8_t ta = (uint8_t)fcp_rng_xoshiro_below(&x, 256), tb = (uint8_t)(ta + 1 + fcp_rng_xoshiro_below(&x, 255));
            fcp_rng_fill(&x.rng, prev, 32);
            make_ckpt(&c0, seq, prev, ta, 0);
            make_ckpt(&c1, seq, prev, tb, 0);
            fcp_zone_checkpoint_object_id(ia, &c0, &oidk);
            fcp_zone_checkpoint_object_id(ib, &c1, &oidk);
            memset(&s2, 0, sizeof s2);
            if (fcp_checkpoint_observe(&s2, &c0, ia) != 0 ||
                fcp_checkpoint_observe(&s2, &c1, ib) != FCP_ECKPT_FORK ||
                !fcp_checkpoint_is_fork(&c0, ia, &c1, ib) || memcmp(s2.id, ia, 32) != 0)
                bad++;
        }
        CHECK_EQ(bad, 0);
    }
    /* decoder: quorum array out of order */
    {
        fcp_buf y;
        uint8_t v[300];
        fcp_buf o;
        fcp_cbor_enc e;
        make_ckpt(&c0, 0, NULL, 0xa0, 3);
        fcp_buf_init_fixed(&o, v, sizeof v);
        fcp_cbor_enc_init(&e, &o);
        fcp_cbor_put_array(&e, 2);
        fcp_cbor_put_array(&e, 2);
        fcp_cbor_put_cstr(&e, "node-b");
        fcp_cbor_put_bytes(&e, c0.sigs[1].sig, 64);
        fcp_cbor_put_array(&e, 2);
        fcp_cbor_put_cstr(&e, "node-a");
        fcp_cbor_put_bytes(&e, c0.sigs[0].sig, 64);
        fcp_cbor_enc_free(&e);
        fcp_buf_init(&y);
        fcp_buf_reset(&a);
        CHECK_ERR(fcp_zone_checkpoint_encode(&c0, &a), 0);
        CHECK_ERR(fx_edit(&y, a.data, a.len, "quorum_signatures", v, o.len), 0);
        CHECK_ERR(fcp_zone_checkpoint_decode(&tc, y.data, y.len), FCP_EUNSORTED_SIGNERS);
        fcp_buf_reset(&y);
        CHECK_ERR(fx_edit(&y, a.data, a.len, "prev_checkpoint_id", v + 200, fx_bytes(v + 200, 64, id0, 32)), 0);
        CHECK_ERR(fcp_zone_checkpoint_decode(&tc, y.data, y.len), FCP_ECKPT_GENESIS);
        fcp_buf_free(&y);
    }
    fcp_buf_free(&a);
    fcp_buf_free(&b);
}

int main(void)
{
    if (fx_init() != 0)
        return 1;
    memset(oidk.bytes, 0x42, sizeof oidk.bytes);
    test_definition();
    test_definition_decode();
    test_policy_object();
    test_policy_eval();
    test_lattice();
    test_quorum_rules();
    test_checkpoints();
    return fcp_t_done("authz_zone");
}
