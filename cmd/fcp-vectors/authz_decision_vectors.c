/*
 * authz_decision_vectors.c - Appendix F: the golden decision vectors in
 * conformance/decisions/appendix-f.json (format: docs/protocol/appendix-f.md).
 *
 * Every case starts from one baseline (a Risky gmail.send by user:alice in
 * z:work that is allowed) and changes one thing, or a few to pin the order of
 * checks.  Each case states the reason it must produce; the generator refuses
 * to write the file if fcp_decide disagrees, so the file is both a spec of
 * the decision and a regression test of this implementation.  Approvals are
 * signed with fixed seeds; everything is deterministic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_decision.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_approval.h"
#include "fcp/model_sign.h"
#include "vectors.h"

#define NOW 1700000000ull
#define MAXL 6
#define MAXA 3

typedef struct list {
    const char *v[MAXL];
    size_t n;
} list;

typedef struct scen {
    uint64_t now;
    const char *principal, *zone, *connector, *operation, *capability;
    int tier, requires_approval, transport;
    uint8_t input[256];
    size_t input_len;
    int has_req_id;
    uint8_t req_id[32];
    uint8_t objs[4][32];
    size_t n_objs;
    fcp_provenance prov;
    const char *t_sub, *t_zone, *t_aud;
    uint64_t nbf, exp, rev_seq;
    uint8_t token_id[32];
    uint8_t grant_ids[2][32];
    size_t n_grant_ids;
    const char *g_cap[4], *g_op[4];
    size_t n_grants;
    list pa, pd, ca, cd, ka, kd, ea, da, xa;
    int default_deny;
    uint8_t integ, conf;
    unsigned transports;
    uint64_t min_ckpt, max_rev_age;
    int exec_min_tier;
    uint32_t skew;
    uint64_t rev_local_seq, rev_updated;
    uint8_t revoked[4][32];
    size_t n_revoked;
    uint64_t ckpt;
    uint8_t receipts[2][32];
    size_t n_receipts;
    fcp_approval_token appr[MAXA];
    size_t n_appr;
    int corrupt_sig[MAXA];
} scen;

/* Approvers and their fixed seeds. */
static const struct { const char *who; uint8_t seed; } approvers[] = {
    { "user:owner", 0x0a }, { "user:dpo", 0x0b }, { "user:ops", 0x0c }, { "user:mallory", 0x0d } };

static int approver_keys(const char *who, uint8_t pk[32], uint8_t sk[64])
{
    for (size_t i = 0; i < sizeof approvers / sizeof approvers[0]; i++)
        if (strcmp(approvers[i].who, who) == 0) {
            uint8_t seed[32];
            memset(seed, approvers[i].seed, 32);
            return fcp_ed25519_keypair_from_seed(pk, sk, seed);
        }
    return FCP_ENOENT;
}

static void L(list *l, const char *a, const char *b, const char *c)
{
    memset(l, 0, sizeof *l);
    if (a) l->v[l->n++] = a;
    if (b) l->v[l->n++] = b;
    if (c) l->v[l->n++] = c;
}

/* {"subject": "hi", "to": "bob@example.com"} */
static void default_input(scen *s)
{
    fcp_buf b;
    fcp_cbor_enc e;
    fcp_buf_init_fixed(&b, s->input, sizeof s->input);
    fcp_cbor_enc_init(&e, &b);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "to");
    fcp_cbor_put_cstr(&e, "bob@example.com");
    fcp_cbor_put_cstr(&e, "subject");
    fcp_cbor_put_cstr(&e, "hi");
    fcp_cbor_map_close(&e);
    fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    s->input_len = b.len;
}

static void base(scen *s)
{
    memset(s, 0, sizeof *s);
    s->now = NOW;
    s->principal = "user:alice";
    s->zone = "z:work";
    s->connector = "fcp.gmail";
    s->operation = "gmail.send";
    s->capability = "gmail.send";
    s->tier = FCP_OP_TIER_RISKY;
    s->transport = FCP_TRANSPORT_MESH;
    default_input(s);
    s->has_req_id = 1;
    memset(s->req_id, 0x11, 32);
    fcp_provenance_init(&s->prov, "z:work", NOW - 100);
    s->prov.origin_integrity = 60;
    s->prov.origin_confidentiality = 70;
    s->prov.has_origin_principal = 1;
    strcpy(s->prov.origin_principal, "user:alice");
    s->t_sub = "user:alice";
    s->t_zone = "z:work";
    s->t_aud = "fcp.gmail";
    s->nbf = NOW - 60;
    s->exp = NOW + 240;
    s->rev_seq = 10;
    memset(s->token_id, 0xa1, 32);
    s->n_grant_ids = 1;
    memset(s->grant_ids[0], 0xb1, 32);
    s->g_cap[0] = "gmail.*";
    s->n_grants = 1;
    L(&s->pa, "user:*", NULL, NULL);
    L(&s->pd, "user:mallory", NULL, NULL);
    L(&s->ca, "fcp.gmail", "fcp.github", "fcp.stripe");
    L(&s->cd, "fcp.evil", NULL, NULL);
    L(&s->ka, "gmail.*", "github.*", "stripe.*");
    L(&s->kd, "gmail.delete_all", NULL, NULL);
    L(&s->ea, "user:owner", NULL, NULL);
    L(&s->da, "user:owner", "user:dpo", NULL);
    L(&s->xa, "user:owner", "user:ops", NULL);
    s->default_deny = 1;
    s->integ = 60;
    s->conf = 70;
    s->transports = (1u << FCP_TRANSPORT_LAN) | (1u << FCP_TRANSPORT_DERP);
    s->min_ckpt = 5;
    s->max_rev_age = 300;
    s->exec_min_tier = FCP_OP_TIER_DANGEROUS;
    s->skew = 60;
    s->rev_local_seq = 12;
    s->rev_updated = NOW - 30;
    s->n_revoked = 1;
    memset(s->revoked[0], 0xde, 32);
    s->ckpt = 7;
}

static fcp_approval_token *add_appr(scen *s, enum fcp_approval_kind k, const char *by)
{
    fcp_approval_token *t = &s->appr[s->n_appr++];
    memset(t, 0, sizeof *t);
    t->kind = k;
    strcpy(t->approved_by, by);
    strcpy(t->justification, "approved for the golden vector");
    t->approved_at = NOW - 10;
    t->expires_at = NOW + 290;
    return t;
}

static fcp_approval_token *exec_appr(scen *s, const char *pattern)
{
    fcp_approval_token *t = add_appr(s, FCP_APPROVAL_EXECUTION, "user:owner");
    strcpy(t->execution.connector_id, "fcp.gmail");
    strcpy(t->execution.method_pattern, pattern);
    return t;
}

static fcp_approval_token *elev_appr(scen *s)
{
    fcp_approval_token *t = add_appr(s, FCP_APPROVAL_ELEVATION, "user:owner");
    strcpy(t->elevation.operation, s->operation);
    t->elevation.original_provenance = s->prov;
    return t;
}

static void dangerous(scen *s)
{
    s->tier = FCP_OP_TIER_DANGEROUS;
    s->operation = "gmail.delete";
    s->capability = "gmail.delete";
}

static void public_prov(scen *s)
{
    fcp_provenance_init(&s->prov, "z:public", NOW - 100);
    strcpy(s->prov.current_zone, "z:work");
    s->prov.origin_integrity = 20;
    s->prov.origin_confidentiality = 10;
    s->prov.taint = FCP_TAINT_PUBLIC_INPUT | FCP_TAINT_PROMPT_SURFACE;
}

static void private_prov(scen *s)
{
    fcp_provenance_init(&s->prov, "z:private", NOW - 100);
    s->prov.origin_integrity = 80;
    s->prov.origin_confidentiality = 90;
    s->n_objs = 1;
    memset(s->objs[0], 0x21, 32);
}

static fcp_approval_token *declass_appr(scen *s, const char *by)
{
    fcp_approval_token *t = add_appr(s, FCP_APPROVAL_DECLASSIFICATION, by);
    strcpy(t->declassification.from_zone, "z:private");
    strcpy(t->declassification.to_zone, "z:work");
    t->declassification.n_objects = 2;
    memset(t->declassification.object_ids[0], 0x21, 32);
    memset(t->declassification.object_ids[1], 0x22, 32);
    return t;
}

static void reduction(scen *s, uint32_t clears, uint8_t receipt)
{
    fcp_taint_reduction *r = &s->prov.reductions[s->prov.n_reductions++];
    r->clears = clears;
    memset(r->by_attestation, receipt, 32);
    r->applied_at = NOW - 50;
}

/* ---- the cases ---------------------------------------------------------- */

static void c_allow_basic(scen *s) { (void)s; }
static void c_allow_safe_read(scen *s) { s->tier = FCP_OP_TIER_SAFE; s->operation = "gmail.read"; s->capability = "gmail.read"; }
static void c_allow_derp(scen *s) { s->transport = FCP_TRANSPORT_DERP; }
static void c_allow_lan(scen *s) { s->transport = FCP_TRANSPORT_LAN; }
static void c_allow_local(scen *s) { s->transport = FCP_TRANSPORT_LOCAL; s->transports = 0; }
static void c_allow_funnel_opt_in(scen *s) { s->transport = FCP_TRANSPORT_FUNNEL; s->transports |= 1u << FCP_TRANSPORT_FUNNEL; }
static void c_allow_at_token_expiry(scen *s) { s->exp = NOW; }
static void c_allow_nbf_within_skew(scen *s) { s->nbf = NOW + 60; }
static void c_allow_safe_stale_revocation(scen *s) { c_allow_safe_read(s); s->rev_local_seq = 9; }
static void c_allow_safe_old_revocation(scen *s) { c_allow_safe_read(s); s->rev_updated = NOW - 1000; }
static void c_allow_revocation_age_limit(scen *s) { s->rev_updated = NOW - 300; }
static void c_allow_with_declassification(scen *s) { private_prov(s); declass_appr(s, "user:owner"); }
static void c_allow_declassification_by_dpo(scen *s) { private_prov(s); declass_appr(s, "user:dpo"); }
static void c_allow_dangerous_with_execution(scen *s)
{
    dangerous(s);
    fcp_approval_token *t = exec_appr(s, "gmail.delete");
    t->execution.has_request_object_id = 1;
    memset(t->execution.request_object_id, 0x11, 32);
    t->execution.has_input_hash = 1;
    fcp_approval_input_hash(t->execution.input_hash, s->input, s->input_len);
    t->execution.n_constraints = 1;
    strcpy(t->execution.constraints[0].pointer, "/to");
    memcpy(t->execution.constraints[0].equals, "\x6f" "bob@example.com", 16);
    t->execution.constraints[0].equals_len = 16;
}
static void c_allow_execution_match_pattern(scen *s) { dangerous(s); exec_appr(s, "gmail.*"); }
static void c_allow_execution_any_method(scen *s) { dangerous(s); exec_appr(s, "*"); }
static void c_allow_requires_approval(scen *s) { s->requires_approval = 1; exec_appr(s, "gmail.send"); }
static void c_allow_public_dangerous_with_elevation(scen *s)
{
    dangerous(s);
    public_prov(s);
    elev_appr(s);
    exec_appr(s, "gmail.delete");
}
static void c_allow_after_sanitize(scen *s)
{
    dangerous(s);
    fcp_provenance_init(&s->prov, "z:work", NOW - 100);
    s->prov.origin_integrity = 60;
    s->prov.origin_confidentiality = 70;
    s->prov.taint = FCP_TAINT_PUBLIC_INPUT | FCP_TAINT_UNVERIFIED_LINK;
    reduction(s, FCP_TAINT_PUBLIC_INPUT, 0x5a);
    s->n_receipts = 1;
    memset(s->receipts[0], 0x5a, 32);
    exec_appr(s, "gmail.delete");
}
static void c_allow_uphill_with_elevation(scen *s)
{
    fcp_provenance_init(&s->prov, "z:community", NOW - 100);
    strcpy(s->prov.current_zone, "z:work");
    s->prov.origin_integrity = 40;
    s->prov.origin_confidentiality = 40;
    s->prov.taint = FCP_TAINT_EXTERNAL_INPUT;
    elev_appr(s);
}
static void c_allow_untainted_uphill(scen *s)
{
    c_allow_uphill_with_elevation(s);
    s->prov.taint = 0;
    s->n_appr = 0;
}
static void c_allow_tainted_safe_uphill(scen *s)
{
    c_allow_untainted_uphill(s);
    s->prov.taint = FCP_TAINT_EXTERNAL_INPUT;
    c_allow_safe_read(s);
}
static void c_allow_public_risky_level(scen *s)
{
    s->prov.taint = FCP_TAINT_PUBLIC_INPUT;
}
static void c_allow_default_allow_policy(scen *s) { s->default_deny = 0; s->principal = s->t_sub = "svc:robot"; }
static void c_allow_grant_for_operation(scen *s) { s->g_cap[0] = "gmail.send"; s->g_op[0] = "gmail.send"; }
static void c_allow_second_approval(scen *s)
{
    dangerous(s);
    fcp_approval_token *t = exec_appr(s, "gmail.delete");
    t->approved_at = NOW - 400;
    t->expires_at = NOW - 100;
    exec_appr(s, "gmail.delete");
}
static void c_allow_confidentiality_up(scen *s)
{
    fcp_provenance_init(&s->prov, "z:community", NOW - 100);
    strcpy(s->prov.current_zone, "z:work");
    s->prov.origin_integrity = 60;
    s->prov.origin_confidentiality = 40;
}
static void c_allow_no_checkpoint_rule(scen *s) { s->min_ckpt = 0; s->ckpt = 0; }
static void c_allow_approval_at_expiry(scen *s)
{
    fcp_approval_token *t;
    dangerous(s);
    t = exec_appr(s, "gmail.delete");
    t->expires_at = NOW;
}
static void c_allow_forbidden_never_tier(scen *s) { s->exec_min_tier = FCP_OP_TIER_FORBIDDEN + 1; dangerous(s); }

static void c_deny_request(scen *s) { s->principal = NULL; }
static void c_deny_forbidden(scen *s) { s->tier = FCP_OP_TIER_FORBIDDEN; }
static void c_deny_token_not_yet_valid(scen *s) { s->nbf = NOW + 61; }
static void c_deny_token_expired(scen *s) { s->exp = NOW - 1; }
static void c_deny_token_subject(scen *s) { s->t_sub = "user:bob"; }
static void c_deny_token_zone(scen *s) { s->t_zone = "z:private"; }
static void c_deny_token_audience(scen *s) { s->t_aud = "fcp.github"; }
static void c_deny_revocation_stale(scen *s) { s->rev_local_seq = 9; }
static void c_deny_revocation_age(scen *s) { s->rev_updated = NOW - 301; }
static void c_deny_revocation_stale_dangerous(scen *s) { c_allow_dangerous_with_execution(s); s->rev_local_seq = 9; }
static void c_deny_token_revoked(scen *s) { memset(s->revoked[s->n_revoked++], 0xa1, 32); }
static void c_deny_grant_revoked(scen *s) { memset(s->revoked[s->n_revoked++], 0xb1, 32); }
static void c_deny_checkpoint_stale(scen *s) { s->ckpt = 4; }
static void c_deny_principal(scen *s) { s->principal = s->t_sub = "user:mallory"; }
static void c_deny_principal_not_allowed(scen *s) { s->principal = s->t_sub = "svc:robot"; }
static void c_deny_connector(scen *s) { s->connector = s->t_aud = "fcp.evil"; }
static void c_deny_connector_not_allowed(scen *s) { s->connector = s->t_aud = "fcp.slack"; }
static void c_deny_capability(scen *s) { s->capability = "gmail.delete_all"; }
static void c_deny_capability_not_allowed(scen *s) { s->capability = "calendar.read"; }
static void c_deny_capability_not_granted(scen *s) { s->g_cap[0] = "github.*"; }
static void c_deny_operation_not_granted(scen *s) { s->g_cap[0] = "gmail.send"; s->g_op[0] = "gmail.read"; }
static void c_deny_lan(scen *s) { s->transport = FCP_TRANSPORT_LAN; s->transports = 0; }
static void c_deny_derp(scen *s) { s->transport = FCP_TRANSPORT_DERP; s->transports = 0; }
static void c_deny_funnel(scen *s) { s->transport = FCP_TRANSPORT_FUNNEL; }
static void c_deny_public_dangerous(scen *s) { dangerous(s); public_prov(s); exec_appr(s, "gmail.delete"); }
static void c_deny_integrity_uphill(scen *s) { c_allow_uphill_with_elevation(s); s->n_appr = 0; }
static void c_deny_sanitizer_coverage(scen *s) { c_allow_after_sanitize(s); s->n_receipts = 0; }
static void c_deny_after_sanitize(scen *s)
{
    c_allow_after_sanitize(s);
    s->prov.reductions[0].clears = FCP_TAINT_UNVERIFIED_LINK;
}
static void c_deny_elevation_operation(scen *s)
{
    c_allow_public_dangerous_with_elevation(s);
    strcpy(s->appr[0].elevation.operation, "gmail.send");
}
static void c_deny_elevation_provenance(scen *s)
{
    c_allow_public_dangerous_with_elevation(s);
    s->appr[0].elevation.original_provenance.created_at++;
}
static void c_deny_elevation_expired(scen *s)
{
    c_allow_public_dangerous_with_elevation(s);
    s->appr[0].approved_at = NOW - 400;
    s->appr[0].expires_at = NOW - 1;
}
static void c_deny_elevation_authority(scen *s)
{
    c_allow_public_dangerous_with_elevation(s);
    strcpy(s->appr[0].approved_by, "user:ops");
}
static void c_deny_missing_declassification(scen *s) { private_prov(s); }
static void c_deny_declassification_objects(scen *s)
{
    c_allow_with_declassification(s);
    s->n_objs = 2;
    memset(s->objs[1], 0x23, 32);
}
static void c_deny_declassification_zone(scen *s)
{
    c_allow_with_declassification(s);
    strcpy(s->appr[0].declassification.to_zone, "z:community");
}
static void c_deny_declassification_no_objects(scen *s) { c_allow_with_declassification(s); s->n_objs = 0; }
static void c_deny_declassification_authority(scen *s)
{
    private_prov(s);
    declass_appr(s, "user:ops");
}
static void c_deny_missing_execution(scen *s) { dangerous(s); }
static void c_deny_missing_execution_required(scen *s) { s->requires_approval = 1; }
static void c_deny_execution_connector(scen *s)
{
    dangerous(s);
    strcpy(exec_appr(s, "gmail.delete")->execution.connector_id, "fcp.github");
}
static void c_deny_execution_method(scen *s) { dangerous(s); exec_appr(s, "gmail.send"); }
static void c_deny_execution_request(scen *s)
{
    c_allow_dangerous_with_execution(s);
    memset(s->req_id, 0x12, 32);
}
static void c_deny_execution_no_request_id(scen *s)
{
    c_allow_dangerous_with_execution(s);
    s->has_req_id = 0;
}
static void c_deny_execution_input_hash(scen *s)
{
    c_allow_dangerous_with_execution(s);
    s->appr[0].execution.input_hash[0] ^= 1;
}
static void c_deny_execution_constraint(scen *s)
{
    c_allow_dangerous_with_execution(s);
    s->appr[0].execution.has_input_hash = 0;
    memcpy(s->appr[0].execution.constraints[0].equals, "\x6f" "eve@example.com", 16);
}
static void c_deny_execution_bad_signature(scen *s)
{
    dangerous(s);
    exec_appr(s, "gmail.delete");
    s->corrupt_sig[0] = 1;
}
static void c_deny_execution_not_yet_valid(scen *s)
{
    dangerous(s);
    fcp_approval_token *t = exec_appr(s, "gmail.delete");
    t->approved_at = NOW + 121;
    t->expires_at = NOW + 400;
}
static void c_deny_execution_expired(scen *s)
{
    dangerous(s);
    fcp_approval_token *t = exec_appr(s, "gmail.delete");
    t->approved_at = NOW - 301;
    t->expires_at = NOW - 1;
}
static void c_deny_execution_authority(scen *s)
{
    dangerous(s);
    strcpy(exec_appr(s, "gmail.delete")->approved_by, "user:mallory");
}
static void c_deny_execution_revoked(scen *s)
{
    dangerous(s);
    fcp_approval_token *t = exec_appr(s, "gmail.delete");
    fcp_approval_token_id(s->revoked[s->n_revoked++], t);
}
static void c_deny_execution_wrong_kind(scen *s) { dangerous(s); declass_appr(s, "user:owner"); }
static void c_deny_order_token_before_policy(scen *s) { c_deny_principal(s); s->exp = NOW - 1; }
static void c_deny_order_policy_before_taint(scen *s) { c_deny_public_dangerous(s); s->principal = s->t_sub = "user:mallory"; }
static void c_deny_order_revoked_before_checkpoint(scen *s) { c_deny_token_revoked(s); s->ckpt = 1; }
static void c_deny_order_first_candidate(scen *s)
{
    dangerous(s);
    strcpy(exec_appr(s, "gmail.delete")->execution.connector_id, "fcp.github");
    exec_appr(s, "gmail.send");
}
static void c_deny_order_taint_before_declass(scen *s)
{
    c_deny_integrity_uphill(s);
    s->prov.origin_confidentiality = 90;
    s->n_objs = 1;
    memset(s->objs[0], 0x21, 32);
}
static void c_deny_capability_blocklist_granted(scen *s) { s->capability = "gmail.delete_all"; s->g_cap[0] = "gmail.delete_all"; }
static void c_deny_dangerous_stale_age(scen *s) { c_allow_dangerous_with_execution(s); s->rev_updated = NOW - 301; }

typedef struct dcase {
    const char *name;
    const char *desc;
    void (*fn)(scen *);
    int want;
} dcase;

#define C(n, d, w) { #n, d, c_##n, w }
static const dcase cases[] = {
    C(allow_basic, "baseline: Risky gmail.send by user:alice in z:work, token and policy allow it", 0),
    C(allow_safe_read, "Safe read operation", 0),
    C(allow_derp, "DERP relay allowed by the zone", 0),
    C(allow_lan, "LAN transport allowed by the zone", 0),
    C(allow_local, "local transport is always allowed", 0),
    C(allow_funnel_opt_in, "Funnel allowed only because the zone opts in", 0),
    C(allow_at_token_expiry, "now == token exp is still valid (spec §7.5: now > exp expires)", 0),
    C(allow_nbf_within_skew, "token nbf 60 s in the future, inside the 60 s skew", 0),
    C(allow_safe_stale_revocation, "Safe op on revocation state behind the token's rev_seq: allowed, flagged degraded", 0),
    C(allow_safe_old_revocation, "Safe op on revocation state older than the limit: allowed, flagged degraded", 0),
    C(allow_revocation_age_limit, "revocation state exactly at the age limit", 0),
    C(allow_with_declassification, "private data (confidentiality 90) into z:work (70) with a declassification by user:owner", 0),
    C(allow_declassification_by_dpo, "declassification approved by another authorised principal", 0),
    C(allow_dangerous_with_execution, "Dangerous op with an execution approval bound to request id, input hash and a /to constraint", 0),
    C(allow_execution_match_pattern, "execution approval with method pattern gmail.*", 0),
    C(allow_execution_any_method, "execution approval with method pattern *", 0),
    C(allow_requires_approval, "Risky op whose ApprovalMode requires approval, with an execution approval", 0),
    C(allow_public_dangerous_with_elevation, "public-tainted input drives a Dangerous op with elevation + execution approvals", 0),
    C(allow_after_sanitize, "PUBLIC_INPUT cleared by a reduction backed by an accepted sanitizer receipt", 0),
    C(allow_uphill_with_elevation, "tainted community data into z:work (integrity 40 -> 60) for a Risky op, with elevation", 0),
    C(allow_untainted_uphill, "untainted data moving up in integrity needs no elevation (§6.2 rule 2 needs taint)", 0),
    C(allow_tainted_safe_uphill, "tainted data moving up for a Safe op needs no elevation", 0),
    C(allow_public_risky_level, "public taint on a Risky op at the same integrity level", 0),
    C(allow_default_allow_policy, "principal outside the allow list but default_deny is false", 0),
    C(allow_grant_for_operation, "grant restricted to the requested operation", 0),
    C(allow_second_approval, "first execution approval expired, the second one is valid", 0),
    C(allow_confidentiality_up, "community data (confidentiality 40) into z:work (70) flows up freely", 0),
    C(allow_no_checkpoint_rule, "zone without a checkpoint requirement", 0),
    C(allow_approval_at_expiry, "execution approval used at exactly its expires_at", 0),
    C(allow_forbidden_never_tier, "zone that never requires execution approvals: Dangerous op without one", 0),
    C(deny_request, "request without a principal", FCP_EDEC_REQUEST),
    C(deny_forbidden, "Forbidden tier is never allowed", FCP_EDEC_FORBIDDEN_OP),
    C(deny_token_not_yet_valid, "token nbf 61 s in the future", FCP_EDEC_TOKEN_NOT_YET_VALID),
    C(deny_token_expired, "token expired one second ago", FCP_ETOKEN_EXPIRED),
    C(deny_token_subject, "token subject is another principal", FCP_EDEC_TOKEN_SUBJECT),
    C(deny_token_zone, "token issued for z:private", FCP_EDEC_TOKEN_ZONE),
    C(deny_token_audience, "token audience is another connector", FCP_EDEC_TOKEN_AUDIENCE),
    C(deny_revocation_stale, "local revocation seq 9 behind the token's rev_seq 10 (Risky)", FCP_EDEC_REVOCATION_STALE),
    C(deny_revocation_age, "revocation state 301 s old, limit 300 (Risky)", FCP_EDEC_REVOCATION_AGE),
    C(deny_revocation_stale_dangerous, "stale revocation state for a Dangerous op even with approvals", FCP_EDEC_REVOCATION_STALE),
    C(deny_token_revoked, "the token id is revoked", FCP_EREVOKED),
    C(deny_grant_revoked, "a grant object of the token is revoked", FCP_EREVOKED),
    C(deny_checkpoint_stale, "local checkpoint seq 4 below the zone's minimum 5", FCP_EDEC_CHECKPOINT_STALE),
    C(deny_principal, "principal on the zone's deny list", FCP_EDEC_PRINCIPAL_DENIED),
    C(deny_principal_not_allowed, "principal not on the allow list, default deny", FCP_EDEC_PRINCIPAL_NOT_ALLOWED),
    C(deny_connector, "connector on the zone's block list", FCP_EDEC_CONNECTOR_DENIED),
    C(deny_connector_not_allowed, "connector not on the allow list", FCP_EDEC_CONNECTOR_NOT_ALLOWED),
    C(deny_capability, "capability on the zone's block list", FCP_EDEC_CAPABILITY_DENIED),
    C(deny_capability_not_allowed, "capability not on the allow list", FCP_EDEC_CAPABILITY_NOT_ALLOWED),
    C(deny_capability_blocklist_granted, "the token grants it but the zone blocks it: policy wins", FCP_EDEC_CAPABILITY_DENIED),
    C(deny_capability_not_granted, "token grants github.* only", FCP_EDEC_CAPABILITY_NOT_GRANTED),
    C(deny_operation_not_granted, "token grants gmail.send only for operation gmail.read", FCP_EOP_NOT_GRANTED),
    C(deny_lan, "zone forbids LAN transport", FCP_EDEC_TRANSPORT_LAN),
    C(deny_derp, "zone forbids DERP relays", FCP_EDEC_TRANSPORT_DERP),
    C(deny_funnel, "zone does not opt in to Funnel", FCP_EDEC_TRANSPORT_FUNNEL),
    C(deny_public_dangerous, "public-tainted input drives a Dangerous op without elevation", FCP_EDEC_PUBLIC_DANGEROUS),
    C(deny_integrity_uphill, "tainted community data into z:work for a Risky op without elevation", FCP_EDEC_INTEGRITY_UPHILL),
    C(deny_sanitizer_coverage, "the reduction that clears PUBLIC_INPUT has no accepted sanitizer receipt", FCP_EDEC_SANITIZER_COVERAGE),
    C(deny_after_sanitize, "the sanitizer cleared UNVERIFIED_LINK only; PUBLIC_INPUT remains", FCP_EDEC_PUBLIC_DANGEROUS),
    C(deny_elevation_operation, "elevation approval names another operation", FCP_EDEC_ELEVATION_SCOPE),
    C(deny_elevation_provenance, "elevation approval for a different provenance", FCP_EDEC_ELEVATION_SCOPE),
    C(deny_elevation_expired, "elevation approval expired", FCP_EAPPROVAL_EXPIRED),
    C(deny_elevation_authority, "elevation approved by a principal without elevation authority", FCP_EAPPROVAL_AUTHORITY),
    C(deny_missing_declassification, "private data into z:work without a declassification", FCP_EDEC_MISSING_DECLASSIFICATION),
    C(deny_declassification_objects, "declassification does not list every object of the request", FCP_EDEC_DECLASSIFICATION_SCOPE),
    C(deny_declassification_zone, "declassification to another zone", FCP_EDEC_DECLASSIFICATION_SCOPE),
    C(deny_declassification_no_objects, "request names no objects, so no declassification can cover it", FCP_EDEC_DECLASSIFICATION_SCOPE),
    C(deny_declassification_authority, "declassification by a principal without that authority", FCP_EAPPROVAL_AUTHORITY),
    C(deny_missing_execution, "Dangerous op without an execution approval", FCP_EDEC_MISSING_EXECUTION),
    C(deny_missing_execution_required, "Risky op whose ApprovalMode requires approval, none presented", FCP_EDEC_MISSING_EXECUTION),
    C(deny_execution_connector, "execution approval for another connector", FCP_EDEC_EXECUTION_CONNECTOR),
    C(deny_execution_method, "execution approval method pattern does not match", FCP_EDEC_EXECUTION_METHOD),
    C(deny_execution_request, "execution approval bound to another request object", FCP_EDEC_EXECUTION_REQUEST),
    C(deny_execution_no_request_id, "execution approval bound to a request object, request has none", FCP_EDEC_EXECUTION_REQUEST),
    C(deny_execution_input_hash, "execution approval input hash differs", FCP_EDEC_EXECUTION_INPUT_HASH),
    C(deny_execution_constraint, "input /to differs from the approved value", FCP_EDEC_EXECUTION_CONSTRAINT),
    C(deny_execution_bad_signature, "execution approval signature does not verify", FCP_EAPPROVAL_BAD_SIGNATURE),
    C(deny_execution_not_yet_valid, "execution approval approved_at 121 s in the future", FCP_EAPPROVAL_NOT_YET_VALID),
    C(deny_execution_expired, "execution approval expired", FCP_EAPPROVAL_EXPIRED),
    C(deny_execution_authority, "execution approved by a principal without authority", FCP_EAPPROVAL_AUTHORITY),
    C(deny_execution_revoked, "execution approval token id revoked", FCP_EAPPROVAL_REVOKED),
    C(deny_execution_wrong_kind, "only a declassification approval presented for a Dangerous op", FCP_EDEC_MISSING_EXECUTION),
    C(deny_order_token_before_policy, "expired token and denied principal: the token check comes first", FCP_ETOKEN_EXPIRED),
    C(deny_order_policy_before_taint, "denied principal and public-dangerous: the policy check comes first", FCP_EDEC_PRINCIPAL_DENIED),
    C(deny_order_revoked_before_checkpoint, "revoked token and stale checkpoint: revocation comes first", FCP_EREVOKED),
    C(deny_order_first_candidate, "two failing execution approvals: the first one's reason is reported", FCP_EDEC_EXECUTION_CONNECTOR),
    C(deny_order_taint_before_declass, "needs elevation and declassification: the taint step comes first", FCP_EDEC_INTEGRITY_UPHILL),
    C(deny_dangerous_stale_age, "revocation state too old for a Dangerous op", FCP_EDEC_REVOCATION_AGE),
};
#define NCASES (sizeof cases / sizeof cases[0])

/* ---- input assembly (shared with the JSON emitter) ---------------------- */

typedef struct built {
    fcp_dec_request req;
    fcp_dec_token tok;
    fcp_dec_policy pol;
    fcp_dec_revocation rev;
    fcp_dec_grant grants[4];
    fcp_dec_approval appr[MAXA];
    uint8_t appr_id[MAXA][32];
    fcp_decision_input in;
} built;

static int is_revoked(void *ctx, const uint8_t id[32], uint64_t now)
{
    const scen *s = ctx;
    (void)now;
    for (size_t i = 0; i < s->n_revoked; i++)
        if (memcmp(s->revoked[i], id, 32) == 0)
            return 1;
    return 0;
}

static int sign_approvals(scen *s)
{
    for (size_t i = 0; i < s->n_appr; i++) {
        uint8_t pk[32], sk[64];
        if (approver_keys(s->appr[i].approved_by, pk, sk) != 0 || fcp_approval_sign(&s->appr[i], sk) != 0)
            return -1;
        if (s->corrupt_sig[i])
            s->appr[i].signature[5] ^= 0x40;
    }
    return 0;
}

static void build(scen *s, built *b)
{
    memset(b, 0, sizeof *b);
    b->req = (fcp_dec_request){ s->principal, s->zone, s->connector, s->operation, s->capability,
                                s->tier, s->requires_approval, s->transport, s->input, s->input_len,
                                s->has_req_id ? s->req_id : NULL,
                                (const uint8_t(*)[32])s->objs, s->n_objs, &s->prov };
    for (size_t i = 0; i < s->n_grants; i++)
        b->grants[i] = (fcp_dec_grant){ s->g_cap[i], s->g_op[i] };
    b->tok = (fcp_dec_token){ s->t_sub, s->t_zone, s->t_aud, s->nbf, s->exp, s->rev_seq, s->token_id,
                              (const uint8_t(*)[32])s->grant_ids, s->n_grant_ids, b->grants, s->n_grants };
    fcp_dec_policy *p = &b->pol;
    p->principals_allow = s->pa.v; p->n_principals_allow = s->pa.n;
    p->principals_deny = s->pd.v; p->n_principals_deny = s->pd.n;
    p->connectors_allow = s->ca.v; p->n_connectors_allow = s->ca.n;
    p->connectors_deny = s->cd.v; p->n_connectors_deny = s->cd.n;
    p->caps_allow = s->ka.v; p->n_caps_allow = s->ka.n;
    p->caps_deny = s->kd.v; p->n_caps_deny = s->kd.n;
    p->default_deny = s->default_deny;
    p->integrity = s->integ;
    p->confidentiality = s->conf;
    p->transports_allowed = s->transports;
    p->min_checkpoint_seq = s->min_ckpt;
    p->max_revocation_age = s->max_rev_age;
    p->execution_min_tier = s->exec_min_tier;
    p->token_skew = s->skew;
    p->elevation_approvers = s->ea.v; p->n_elevation_approvers = s->ea.n;
    p->declassification_approvers = s->da.v; p->n_declassification_approvers = s->da.n;
    p->execution_approvers = s->xa.v; p->n_execution_approvers = s->xa.n;
    b->rev = (fcp_dec_revocation){ s->rev_local_seq, s->rev_updated, is_revoked, s };
    for (size_t i = 0; i < s->n_appr; i++) {
        uint8_t pk[32], sk[64];
        fcp_buf u;
        fcp_schema_id sch;
        int ok = 0;
        fcp_approval_schema(&sch);
        fcp_buf_init(&u);
        if (approver_keys(s->appr[i].approved_by, pk, sk) == 0 &&
            fcp_approval_encode_unsigned(&s->appr[i], &u) == 0)
            ok = fcp_object_verify(s->appr[i].signature, &sch, u.data, u.len, pk) == 0;
        fcp_buf_free(&u);
        fcp_approval_token_id(b->appr_id[i], &s->appr[i]);
        b->appr[i] = (fcp_dec_approval){ &s->appr[i], ok, b->appr_id[i] };
    }
    b->in = (fcp_decision_input){ s->now, &b->req, &b->tok, &b->pol, &b->rev, s->ckpt,
                                  (const uint8_t(*)[32])s->receipts, s->n_receipts, b->appr, s->n_appr };
}

/* ---- JSON --------------------------------------------------------------- */

static const char *tier_name(int t)
{
    static const char *n[] = { "safe", "risky", "dangerous", "forbidden" };
    return t >= 0 && t <= 3 ? n[t] : "invalid";
}

static const char *transport_name(int t)
{
    static const char *n[] = { "local", "lan", "mesh", "derp", "funnel" };
    return t >= 0 && t <= 4 ? n[t] : "invalid";
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jlist(const list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    return a;
}

static json_t *jids(const uint8_t (*ids)[32], size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, vec_hex(ids[i], 32));
    return a;
}

static json_t *jtaint(uint32_t t)
{
    static const char *n[] = { "PUBLIC_INPUT", "EXTERNAL_INPUT", "UNVERIFIED_LINK", "USER_SUPPLIED",
                               "PROMPT_SURFACE" };
    json_t *a = json_array();
    for (int i = 0; i < 5; i++)
        if (t & (1u << i))
            json_array_append_new(a, json_string(n[i]));
    return a;
}

json_t *vec_provenance_json(const fcp_provenance *p);
json_t *vec_provenance_json(const fcp_provenance *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "origin_zone", json_string(p->origin_zone));
    json_object_set_new(o, "current_zone", json_string(p->current_zone));
    json_object_set_new(o, "origin_integrity", json_integer(p->origin_integrity));
    json_object_set_new(o, "origin_confidentiality", json_integer(p->origin_confidentiality));
    if (p->has_origin_principal)
        json_object_set_new(o, "origin_principal", json_string(p->origin_principal));
    json_object_set_new(o, "taint", jtaint(p->taint));
    json_t *r = json_array();
    for (size_t i = 0; i < p->n_reductions; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "clears", jtaint(p->reductions[i].clears));
        json_object_set_new(e, "by_attestation_hex", vec_hex(p->reductions[i].by_attestation, 32));
        json_object_set_new(e, "applied_at", json_integer((json_int_t)p->reductions[i].applied_at));
        json_array_append_new(r, e);
    }
    json_object_set_new(o, "taint_reductions", r);
    json_t *c = json_array();
    for (size_t i = 0; i < p->n_crossings; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "from_zone", json_string(p->crossings[i].from_zone));
        json_object_set_new(e, "to_zone", json_string(p->crossings[i].to_zone));
        json_object_set_new(e, "crossed_at", json_integer((json_int_t)p->crossings[i].crossed_at));
        if (p->crossings[i].has_authorized_by)
            json_object_set_new(e, "authorized_by_hex", vec_hex(p->crossings[i].authorized_by, 32));
        json_array_append_new(c, e);
    }
    json_object_set_new(o, "zone_crossings", c);
    json_object_set_new(o, "created_at", json_integer((json_int_t)p->created_at));
    return o;
}

static const char *kind_name(enum fcp_approval_kind k)
{
    return k == FCP_APPROVAL_ELEVATION ? "Elevation" : k == FCP_APPROVAL_DECLASSIFICATION ? "Declassification" : "Execution";
}

static json_t *case_inputs(const scen *s, const built *b)
{
    json_t *in = json_object(), *r = json_object(), *t = json_object(), *p = json_object(),
           *rv = json_object(), *ap = json_array();
    json_object_set_new(in, "now", json_integer((json_int_t)s->now));
    json_object_set_new(r, "principal", jstr(s->principal));
    json_object_set_new(r, "zone_id", jstr(s->zone));
    json_object_set_new(r, "connector_id", jstr(s->connector));
    json_object_set_new(r, "operation", jstr(s->operation));
    json_object_set_new(r, "capability", jstr(s->capability));
    json_object_set_new(r, "tier", json_string(tier_name(s->tier)));
    json_object_set_new(r, "requires_approval", json_boolean(s->requires_approval));
    json_object_set_new(r, "transport", json_string(transport_name(s->transport)));
    json_object_set_new(r, "input_cbor_hex", vec_hex(s->input, s->input_len));
    json_object_set_new(r, "request_object_id_hex", s->has_req_id ? vec_hex(s->req_id, 32) : json_null());
    json_object_set_new(r, "object_ids_hex", jids((const uint8_t(*)[32])s->objs, s->n_objs));
    json_object_set_new(r, "provenance", vec_provenance_json(&s->prov));
    json_object_set_new(in, "request", r);

    json_object_set_new(t, "subject", jstr(s->t_sub));
    json_object_set_new(t, "zone_id", jstr(s->t_zone));
    json_object_set_new(t, "audience", jstr(s->t_aud));
    json_object_set_new(t, "not_before", json_integer((json_int_t)s->nbf));
    json_object_set_new(t, "expires_at", json_integer((json_int_t)s->exp));
    json_object_set_new(t, "rev_seq", json_integer((json_int_t)s->rev_seq));
    json_object_set_new(t, "token_id_hex", vec_hex(s->token_id, 32));
    json_object_set_new(t, "grant_object_ids_hex", jids((const uint8_t(*)[32])s->grant_ids, s->n_grant_ids));
    json_t *g = json_array();
    for (size_t i = 0; i < s->n_grants; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "capability", json_string(s->g_cap[i]));
        json_object_set_new(e, "operation", jstr(s->g_op[i]));
        json_array_append_new(g, e);
    }
    json_object_set_new(t, "grants", g);
    json_object_set_new(in, "token", t);

    json_object_set_new(p, "principals_allow", jlist(&s->pa));
    json_object_set_new(p, "principals_deny", jlist(&s->pd));
    json_object_set_new(p, "connectors_allow", jlist(&s->ca));
    json_object_set_new(p, "connectors_deny", jlist(&s->cd));
    json_object_set_new(p, "cap_allow", jlist(&s->ka));
    json_object_set_new(p, "cap_deny", jlist(&s->kd));
    json_object_set_new(p, "default_deny", json_boolean(s->default_deny));
    json_object_set_new(p, "integrity_level", json_integer(s->integ));
    json_object_set_new(p, "confidentiality_level", json_integer(s->conf));
    json_t *tr = json_array();
    for (int i = FCP_TRANSPORT_LAN; i <= FCP_TRANSPORT_FUNNEL; i++)
        if (s->transports & (1u << i))
            json_array_append_new(tr, json_string(transport_name(i)));
    json_object_set_new(p, "transports_allowed", tr);
    json_object_set_new(p, "min_checkpoint_seq", json_integer((json_int_t)s->min_ckpt));
    json_object_set_new(p, "max_revocation_age", json_integer((json_int_t)s->max_rev_age));
    json_object_set_new(p, "execution_min_tier",
                        s->exec_min_tier > FCP_OP_TIER_FORBIDDEN ? json_string("never")
                                                                 : json_string(tier_name(s->exec_min_tier)));
    json_object_set_new(p, "token_skew", json_integer(s->skew));
    json_object_set_new(p, "elevation_approvers", jlist(&s->ea));
    json_object_set_new(p, "declassification_approvers", jlist(&s->da));
    json_object_set_new(p, "execution_approvers", jlist(&s->xa));
    json_object_set_new(in, "policy", p);

    json_object_set_new(rv, "seq", json_integer((json_int_t)s->rev_local_seq));
    json_object_set_new(rv, "last_updated", json_integer((json_int_t)s->rev_updated));
    json_object_set_new(rv, "revoked_ids_hex", jids((const uint8_t(*)[32])s->revoked, s->n_revoked));
    json_object_set_new(in, "revocation", rv);
    json_object_set_new(in, "checkpoint_seq", json_integer((json_int_t)s->ckpt));
    json_object_set_new(in, "sanitizer_receipts_hex", jids((const uint8_t(*)[32])s->receipts, s->n_receipts));
    for (size_t i = 0; i < s->n_appr; i++) {
        json_t *e = json_object();
        fcp_buf tb;
        fcp_buf_init(&tb);
        fcp_approval_encode(&s->appr[i], &tb);
        json_object_set_new(e, "kind", json_string(kind_name(s->appr[i].kind)));
        json_object_set_new(e, "approved_by", json_string(s->appr[i].approved_by));
        json_object_set_new(e, "token_cbor_hex", vec_hex(tb.data, tb.len));
        json_object_set_new(e, "token_id_hex", vec_hex(b->appr_id[i], 32));
        json_array_append_new(ap, e);
        fcp_buf_free(&tb);
    }
    json_object_set_new(in, "approvals", ap);
    return in;
}

static json_t *approver_table(void)
{
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof approvers / sizeof approvers[0]; i++) {
        uint8_t pk[32], sk[64];
        approver_keys(approvers[i].who, pk, sk);
        json_object_set_new(o, approvers[i].who, vec_hex(pk, 32));
    }
    return o;
}

json_t *vec_build_appendix_f(void);
json_t *vec_build_appendix_f(void)
{
    static scen s;
    static built b;
    json_t *doc = json_object(), *arr = json_array();
    json_object_set_new(doc, "format", json_string("fcp-appendix-f/1"));
    json_object_set_new(doc, "description",
                        json_string("Golden authorization decision vectors; see docs/protocol/appendix-f.md"));
    json_object_set_new(doc, "approver_public_keys_hex", approver_table());
    for (size_t i = 0; i < NCASES; i++) {
        fcp_decision d;
        char code[16];
        base(&s);
        cases[i].fn(&s);
        if (sign_approvals(&s) != 0) {
            fprintf(stderr, "appendix-f: %s: cannot sign approvals\n", cases[i].name);
            json_decref(doc);
            json_decref(arr);
            return NULL;
        }
        build(&s, &b);
        int rc = fcp_decide(&b.in, &d);
        if (rc != cases[i].want) {
            fprintf(stderr, "appendix-f: %s: fcp_decide gave %s, the case says %s\n", cases[i].name,
                    rc ? fcp_error_name(rc) : "allow", cases[i].want ? fcp_error_name(cases[i].want) : "allow");
            json_decref(doc);
            json_decref(arr);
            return NULL;
        }
        json_t *ex = json_object();
        json_object_set_new(ex, "decision", json_string(d.allow ? "allow" : "deny"));
        json_object_set_new(ex, "reason_code", json_string(fcp_decision_reason_code(rc, code, sizeof code)));
        json_object_set_new(ex, "reason", json_string(rc ? fcp_error_name(rc) : "FCP_OK"));
        json_object_set_new(ex, "step", json_integer(d.step));
        json_object_set_new(ex, "degraded", json_boolean(d.flags & FCP_DEC_FLAG_DEGRADED));
        json_object_set_new(ex, "evidence_hex", jids((const uint8_t(*)[32])d.evidence, d.n_evidence));
        json_array_append_new(arr, vec_entry(cases[i].name, cases[i].desc, case_inputs(&s, &b), ex));
    }
    json_object_set_new(doc, "vectors", arr);
    return doc;
}
