/*
 * authz_decision_test.c - the decision function beyond Appendix F: malformed
 * inputs (step 1), engine A's ZonePolicy path agreeing with the list path,
 * and randomized well-formed inputs checking the safety properties: the
 * decision never allows what the zone policy denies, never allows a Forbidden
 * tier, an expired or revoked token, or a tainted Dangerous operation without
 * an elevation, and is deterministic; DecisionReceipts built from decisions
 * sign, encode, decode and verify.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_decision.h"
#include "fcp/authz_decision_inputs.h"
#include "fcp/authz_zone.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/rng.h"

#define NOW 1700000000ull

static const char *principals[] = { "user:alice", "user:bob", "user:mallory", "svc:robot", "user:owner" };
static const char *connectors[] = { "fcp.gmail", "fcp.github", "fcp.evil", "fcp.slack" };
static const char *caps[] = { "gmail.send", "gmail.delete", "gmail.delete_all", "github.push", "calendar.read" };
static const char *ops[] = { "gmail.send", "gmail.delete", "github.push" };
static const char *zones[] = { "z:work", "z:private", "z:public" };
#define N(a) (sizeof a / sizeof a[0])

typedef struct world {
    fcp_dec_request req;
    fcp_dec_token tok;
    fcp_dec_policy pol;
    fcp_dec_revocation rev;
    fcp_dec_grant grants[3];
    fcp_provenance prov;
    uint8_t token_id[32], grant_ids[1][32], req_id[32], objs[1][32], receipts[1][32];
    fcp_approval_token at[3];
    uint8_t at_id[3][32];
    fcp_dec_approval appr[3];
    fcp_decision_input in;
    const char *pa[2], *pd[1], *ca[2], *cd[1], *ka[2], *kd[1], *ap[2];
    fcp_zone_policy zp;
    uint8_t revoked_id[32];
} world;

static int is_rev(void *ctx, const uint8_t id[32], uint64_t now)
{
    const world *w = ctx;
    (void)now;
    return memcmp(id, w->revoked_id, 32) == 0;
}

static const char *pick(fcp_rng_xoshiro *x, const char *const *a, size_t n)
{
    return a[fcp_rng_xoshiro_below(x, n)];
}

static void zp_add(fcp_zone_policy *zp, int list, const char *p)
{
    snprintf(zp->pat[list][zp->n[list]++], FCP_ZONE_PATTERN_MAX + 1, "%s", p);
}

static void random_world(world *w, fcp_rng_xoshiro *x)
{
    memset(w, 0, sizeof *w);
    fcp_dec_request *r = &w->req;
    r->principal = pick(x, principals, N(principals));
    r->zone_id = pick(x, zones, N(zones));
    r->connector_id = pick(x, connectors, N(connectors));
    r->operation = pick(x, ops, N(ops));
    r->capability = pick(x, caps, N(caps));
    r->tier = (int)fcp_rng_xoshiro_below(x, 4);
    r->requires_approval = (int)fcp_rng_xoshiro_below(x, 4) == 0;
    r->transport = (int)fcp_rng_xoshiro_below(x, 5);
    r->request_object_id = fcp_rng_xoshiro_below(x, 2) ? w->req_id : NULL;
    memset(w->req_id, 0x11, 32);
    memset(w->objs[0], 0x21, 32);
    r->object_ids = (const uint8_t(*)[32])w->objs;
    r->n_object_ids = fcp_rng_xoshiro_below(x, 2);
    fcp_provenance_init(&w->prov, pick(x, zones, N(zones)), NOW - 10);
    strcpy(w->prov.current_zone, pick(x, zones, N(zones)));
    w->prov.origin_integrity = (uint8_t)(20 * fcp_rng_xoshiro_below(x, 6));
    w->prov.origin_confidentiality = (uint8_t)(20 * fcp_rng_xoshiro_below(x, 6));
    w->prov.taint = (uint32_t)fcp_rng_xoshiro_below(x, 32);
    if (fcp_rng_xoshiro_below(x, 3) == 0) {
        w->prov.n_reductions = 1;
        w->prov.reductions[0].clears = (uint32_t)fcp_rng_xoshiro_below(x, 32);
        memset(w->prov.reductions[0].by_attestation, 0x5a, 32);
    }
    r->provenance = &w->prov;

    fcp_dec_token *t = &w->tok;
    t->subject = fcp_rng_xoshiro_below(x, 8) ? r->principal : pick(x, principals, N(principals));
    t->zone_id = fcp_rng_xoshiro_below(x, 8) ? r->zone_id : pick(x, zones, N(zones));
    t->audience = fcp_rng_xoshiro_below(x, 8) ? r->connector_id : pick(x, connectors, N(connectors));
    t->not_before = NOW - 100 + fcp_rng_xoshiro_below(x, 200);
    t->expires_at = NOW - 50 + fcp_rng_xoshiro_below(x, 400);
    t->rev_seq = 5 + fcp_rng_xoshiro_below(x, 10);
    memset(w->token_id, (int)fcp_rng_xoshiro_below(x, 3), 32);
    t->token_id = w->token_id;
    memset(w->grant_ids[0], 0xb1, 32);
    t->grant_object_ids = (const uint8_t(*)[32])w->grant_ids;
    t->n_grant_object_ids = 1;
    size_t ng = 1 + fcp_rng_xoshiro_below(x, 2);
    for (size_t i = 0; i < ng; i++) {
        static const char *gp[] = { "gmail.*", "gmail.send", "github.*", "*" };
        w->grants[i].capability = pick(x, gp, N(gp));
        w->grants[i].operation = fcp_rng_xoshiro_below(x, 3) ? NULL : pick(x, ops, N(ops));
    }
    t->grants = w->grants;
    t->n_grants = ng;

    fcp_dec_policy *p = &w->pol;
    fcp_dec_policy_defaults(p);
    w->pa[0] = "user:*";
    w->pa[1] = "svc:robot";
    w->pd[0] = "user:mallory";
    w->ca[0] = "fcp.gmail";
    w->ca[1] = "fcp.github";
    w->cd[0] = "fcp.evil";
    w->ka[0] = "gmail.*";
    w->ka[1] = "github.*";
    w->kd[0] = "gmail.delete_all";
    w->ap[0] = "user:owner";
    w->ap[1] = "user:bob";
    p->principals_allow = w->pa; p->n_principals_allow = fcp_rng_xoshiro_below(x, 3);
    p->principals_deny = w->pd; p->n_principals_deny = fcp_rng_xoshiro_below(x, 2);
    p->connectors_allow = w->ca; p->n_connectors_allow = fcp_rng_xoshiro_below(x, 3);
    p->connectors_deny = w->cd; p->n_connectors_deny = fcp_rng_xoshiro_below(x, 2);
    p->caps_allow = w->ka; p->n_caps_allow = fcp_rng_xoshiro_below(x, 3);
    p->caps_deny = w->kd; p->n_caps_deny = fcp_rng_xoshiro_below(x, 2);
    p->default_deny = (int)fcp_rng_xoshiro_below(x, 2);
    p->integrity = (uint8_t)(20 * fcp_rng_xoshiro_below(x, 6));
    p->confidentiality = (uint8_t)(20 * fcp_rng_xoshiro_below(x, 6));
    p->transports_allowed = (unsigned)fcp_rng_xoshiro_below(x, 32);
    p->min_checkpoint_seq = fcp_rng_xoshiro_below(x, 4);
    p->max_revocation_age = fcp_rng_xoshiro_below(x, 2) ? 300 : 0;
    p->execution_min_tier = (int)fcp_rng_xoshiro_below(x, 5);
    p->elevation_approvers = w->ap; p->n_elevation_approvers = fcp_rng_xoshiro_below(x, 3);
    p->declassification_approvers = w->ap; p->n_declassification_approvers = fcp_rng_xoshiro_below(x, 3);
    p->execution_approvers = w->ap; p->n_execution_approvers = fcp_rng_xoshiro_below(x, 3);
    /* the same lists as an engine-A ZonePolicy */
    w->zp.default_deny = p->default_deny;
    for (size_t i = 0; i < p->n_principals_allow; i++) zp_add(&w->zp, FCP_ZP_PRINCIPALS_ALLOW, w->pa[i]);
    for (size_t i = 0; i < p->n_principals_deny; i++) zp_add(&w->zp, FCP_ZP_PRINCIPALS_DENY, w->pd[i]);
    for (size_t i = 0; i < p->n_connectors_allow; i++) zp_add(&w->zp, FCP_ZP_CONNECTORS_ALLOW, w->ca[i]);
    for (size_t i = 0; i < p->n_connectors_deny; i++) zp_add(&w->zp, FCP_ZP_CONNECTORS_DENY, w->cd[i]);
    for (size_t i = 0; i < p->n_caps_allow; i++) zp_add(&w->zp, FCP_ZP_CAP_ALLOW, w->ka[i]);
    for (size_t i = 0; i < p->n_caps_deny; i++) zp_add(&w->zp, FCP_ZP_CAP_DENY, w->kd[i]);

    memset(w->revoked_id, fcp_rng_xoshiro_below(x, 2) ? 0x00 : 0xee, 32);
    w->rev = (fcp_dec_revocation){ 5 + fcp_rng_xoshiro_below(x, 10), NOW - fcp_rng_xoshiro_below(x, 600),
                                   is_rev, w };
    memset(w->receipts[0], 0x5a, 32);

    size_t na = fcp_rng_xoshiro_below(x, 4);
    for (size_t i = 0; i < na; i++) {
        fcp_approval_token *a = &w->at[i];
        a->kind = (enum fcp_approval_kind)(1 + fcp_rng_xoshiro_below(x, 3));
        strcpy(a->approved_by, pick(x, principals, N(principals)));
        a->approved_at = NOW - 100 + fcp_rng_xoshiro_below(x, 300);
        a->expires_at = a->approved_at + 1 + fcp_rng_xoshiro_below(x, 300);
        if (a->kind == FCP_APPROVAL_ELEVATION) {
            strcpy(a->elevation.operation, pick(x, ops, N(ops)));
            a->elevation.original_provenance = w->prov;
            if (fcp_rng_xoshiro_below(x, 3) == 0)
                a->elevation.original_provenance.created_at++;
        } else if (a->kind == FCP_APPROVAL_DECLASSIFICATION) {
            strcpy(a->declassification.from_zone, pick(x, zones, N(zones)));
            strcpy(a->declassification.to_zone, pick(x, zones, N(zones)));
            a->declassification.n_objects = fcp_rng_xoshiro_below(x, 2);
            memset(a->declassification.object_ids[0], 0x21, 32);
        } else {
            strcpy(a->execution.connector_id, pick(x, connectors, N(connectors)));
            static const char *pats[] = { "*", "gmail.*", "gmail.send", "github.push" };
            strcpy(a->execution.method_pattern, pick(x, pats, N(pats)));
            a->execution.has_request_object_id = fcp_rng_xoshiro_below(x, 3) == 0;
            memset(a->execution.request_object_id, 0x11, 32);
        }
        memset(w->at_id[i], (int)(0x70 + i), 32);
        w->appr[i] = (fcp_dec_approval){ a, (int)fcp_rng_xoshiro_below(x, 6) != 0, w->at_id[i] };
    }
    w->in = (fcp_decision_input){ NOW, r, t, p, &w->rev, fcp_rng_xoshiro_below(x, 4),
                                  (const uint8_t(*)[32])w->receipts, fcp_rng_xoshiro_below(x, 2),
                                  w->appr, na };
}

static void test_properties(void)
{
    static world w;
    fcp_rng_xoshiro x;
    unsigned long allows = 0, bad_policy = 0, bad_other = 0, bad_det = 0, disagree = 0, reasons = 0;
    int seen[64] = { 0 };
    fcp_rng_xoshiro_init(&x, 2026);
    for (int i = 0; i < 200000; i++) {
        fcp_decision d, d2;
        random_world(&w, &x);
        int rc = fcp_decide(&w.in, &d);
        int pol = fcp_dec_policy_check(&w.pol, w.req.principal, w.req.connector_id, w.req.capability);
        /* engine A's evaluation gives the same answer on the same lists */
        w.pol.zone_policy = &w.zp;
        int pol_a = fcp_dec_policy_check(&w.pol, w.req.principal, w.req.connector_id, w.req.capability);
        if (pol != pol_a)
            disagree++;
        if (fcp_decide(&w.in, &d2) != rc || memcmp(&d, &d2, sizeof d) != 0)
            bad_det++;
        w.pol.zone_policy = NULL;
        if (rc == 0) {
            allows++;
            uint32_t ign;
            uint32_t taint = fcp_provenance_verified_taint(&w.prov, w.in.sanitizer_receipts,
                                                           w.in.n_sanitizer_receipts, &ign);
            if (pol != 0)
                bad_policy++;
            if (w.req.tier == FCP_OP_TIER_FORBIDDEN || NOW > w.tok.expires_at || is_rev(&w, w.tok.token_id, NOW) ||
                (taint & FCP_TAINT_PUBLIC_INPUT && w.req.tier >= FCP_OP_TIER_DANGEROUS && d.n_evidence == 0) ||
                (w.req.tier >= w.pol.execution_min_tier && d.n_evidence == 0) ||
                strcmp(w.tok.subject, w.req.principal) != 0 || strcmp(w.tok.zone_id, w.req.zone_id) != 0)
                bad_other++;
        } else if (-rc >= 4200 && -rc < 4264) {
            if (!seen[-rc - 4200]++)
                reasons++;
        }
    }
    CHECK_EQ(bad_policy, 0);
    CHECK_EQ(bad_other, 0);
    CHECK_EQ(bad_det, 0);
    CHECK_EQ(disagree, 0);
    CHECK(allows > 100);     /* the generator reaches allows, not just denies */
    CHECK(reasons >= 25);    /* and most deny reasons */
    printf("random decisions: 200000, %lu allowed, %lu distinct 42xx reasons\n", allows, reasons);
}

static void test_malformed(void)
{
    static world w;
    fcp_rng_xoshiro x;
    fcp_decision d;
    fcp_rng_xoshiro_init(&x, 1);
    random_world(&w, &x);
    CHECK_ERR(fcp_decide(NULL, &d), FCP_EDEC_REQUEST);
    CHECK_EQ(d.step, 1);
    w.in.token = NULL;
    CHECK_ERR(fcp_decide(&w.in, &d), FCP_EDEC_REQUEST);
    random_world(&w, &x);
    w.req.tier = 4;
    CHECK_ERR(fcp_decide(&w.in, &d), FCP_EDEC_REQUEST);
    random_world(&w, &x);
    w.req.transport = 5;
    CHECK_ERR(fcp_decide(&w.in, &d), FCP_EDEC_REQUEST);
    random_world(&w, &x);
    w.grants[0].capability = NULL;
    CHECK_ERR(fcp_decide(&w.in, &d), FCP_EDEC_REQUEST);
    random_world(&w, &x);
    w.req.input_len = 3;
    w.req.input = NULL;
    CHECK_ERR(fcp_decide(&w.in, &d), FCP_EDEC_REQUEST);
    random_world(&w, &x);
    w.req.provenance = NULL;
    CHECK_ERR(fcp_decide(&w.in, &d), FCP_EDEC_REQUEST);
    CHECK(!d.allow);
    char code[16];
    CHECK(strcmp(fcp_decision_reason_code(FCP_EDEC_PUBLIC_DANGEROUS, code, sizeof code), "FCP-4218") == 0);
    CHECK(strcmp(fcp_decision_reason_code(0, code, sizeof code), "FCP-0000") == 0);
}

static void test_receipt_from_decision(void)
{
    static world w;
    static fcp_decision_receipt r, r2;
    fcp_rng_xoshiro x;
    fcp_decision d;
    fcp_schema_id s;
    uint8_t seed[32], pk[32], sk[64];
    int allow_seen = 0, deny_seen = 0;
    memset(seed, 0x41, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
    fcp_rng_xoshiro_init(&x, 99);
    for (int i = 0; i < 4000 && !(allow_seen && deny_seen); i++) {
        random_world(&w, &x);
        int rc = fcp_decide(&w.in, &d);
        if ((rc == 0 && allow_seen) || (rc != 0 && deny_seen))
            continue;
        memset(&r, 0, sizeof r);
        fcp_decision_receipt_schema(&s);
        fcp_object_header_init(&r.header, &s, w.req.zone_id, NOW);
        CHECK_ERR(fcp_decision_to_receipt(&d, w.req_id, NOW, "node-a", &r), 0);
        CHECK_ERR(fcp_decision_to_receipt(&d, w.req_id, NOW, "bad node", &r), FCP_ENODE_ID);
        CHECK_ERR(fcp_decision_receipt_sign(&r, sk), 0);
        fcp_buf b;
        fcp_buf_init(&b);
        CHECK_ERR(fcp_decision_receipt_encode(&r, FCP_VIEW_WIRE, &b), 0);
        CHECK_ERR(fcp_decision_receipt_decode(&r2, b.data, b.len), 0);
        CHECK_ERR(fcp_decision_receipt_verify(&r2, pk), 0);
        CHECK_EQ(r2.allow, rc == 0);
        char code[16];
        CHECK(strcmp(r2.reason_code, fcp_decision_reason_code(rc, code, sizeof code)) == 0);
        CHECK_EQ(r2.n_evidence, d.n_evidence);
        fcp_buf_free(&b);
        if (rc == 0)
            allow_seen = 1;
        else
            deny_seen = 1;
    }
    CHECK(allow_seen && deny_seen);
}

/* Engine B's verified token and revocation set as decision inputs give the
 * same decisions as the hand-built views. */
static void test_adapters(void)
{
    static world w;
    static fcp_token_verified v;
    fcp_rng_xoshiro x;
    fcp_decision d;
    fcp_dec_token t;
    fcp_dec_grant g[FCP_CAP_MAX_GRANTS];
    fcp_revset rs;
    uint8_t key[16] = { 7 };
    int found = 0;
    fcp_rng_xoshiro_init(&x, 3);
    for (int i = 0; i < 100000 && !found; i++) {
        random_world(&w, &x);
        found = fcp_decide(&w.in, &d) == 0;
    }
    if (!CHECK(found))
        return;
    memset(&v, 0, sizeof v);
    fcp_token_claims *c = &v.claims;
    c->present = FCP_TC_SUB | FCP_TC_ZONE | FCP_TC_AUD | FCP_TC_EXP | FCP_TC_NBF | FCP_TC_CHK_SEQ |
                 FCP_TC_GRANT_IDS;
    strcpy(c->sub, w.tok.subject);
    strcpy(c->zone_id, w.tok.zone_id);
    strcpy(c->aud, w.tok.audience);
    c->exp = w.tok.expires_at;
    c->nbf = w.tok.not_before;
    c->chk_seq = w.tok.rev_seq;
    c->n_grant_object_ids = 1;
    memcpy(c->grant_object_ids[0], w.grant_ids[0], 32);
    memcpy(v.token_id, w.token_id, 32);
    v.n_grants = w.tok.n_grants;
    for (size_t i = 0; i < w.tok.n_grants; i++) {
        strcpy(v.grants[i].capability, w.grants[i].capability);
        v.grants[i].has_operation = w.grants[i].operation != NULL;
        if (w.grants[i].operation)
            strcpy(v.grants[i].operation, w.grants[i].operation);
    }
    CHECK_ERR(fcp_dec_token_from_verified(&t, g, FCP_CAP_MAX_GRANTS, &v), 0);
    CHECK_ERR(fcp_dec_token_from_verified(&t, g, 0, &v), FCP_ELIMIT);
    CHECK_ERR(fcp_dec_token_from_verified(&t, g, FCP_CAP_MAX_GRANTS, &v), 0);
    w.in.token = &t;
    CHECK_ERR(fcp_decide(&w.in, &d), 0);
    /* principal_id wins over sub */
    c->present |= FCP_TC_PRINCIPAL;
    strcpy(c->principal_id, "user:somebody-else");
    CHECK_ERR(fcp_dec_token_from_verified(&t, g, FCP_CAP_MAX_GRANTS, &v), 0);
    CHECK_ERR(fcp_decide(&w.in, &d), FCP_EDEC_TOKEN_SUBJECT);
    c->present &= ~(unsigned)FCP_TC_PRINCIPAL;
    CHECK_ERR(fcp_dec_token_from_verified(&t, g, FCP_CAP_MAX_GRANTS, &v), 0);
    /* missing exp */
    c->present &= ~(unsigned)FCP_TC_EXP;
    CHECK_ERR(fcp_dec_token_from_verified(&t, g, FCP_CAP_MAX_GRANTS, &v), FCP_EINVAL);
    c->present |= FCP_TC_EXP;
    CHECK_ERR(fcp_dec_token_from_verified(&t, g, FCP_CAP_MAX_GRANTS, &v), 0);
    /* revocation from a fcp_revset */
    CHECK_ERR(fcp_revset_init(&rs, 16, key), 0);
    rs.seq = w.rev.seq;
    rs.last_updated = w.rev.last_updated;
    fcp_dec_revocation rv;
    fcp_dec_revocation_from_revset(&rv, &rs);
    w.in.revocation = &rv;
    CHECK_ERR(fcp_decide(&w.in, &d), 0);
    CHECK_ERR(fcp_revset_add(&rs, w.grant_ids[0], FCP_REV_CAPABILITY, 0, 0), 0);
    CHECK_ERR(fcp_decide(&w.in, &d), FCP_EREVOKED);
    fcp_revset_free(&rs);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    test_malformed();
    test_receipt_from_decision();
    test_properties();
    test_adapters();
    return fcp_t_done("authz_decision_test");
}
