/*
 * authz_decision.c - the decision function (D-DEC-1).  The order of checks
 * and the reason each one yields are documented in authz_decision.h; this
 * file follows it step by step.  Hot path: string compares and integer
 * tests only; the provenance digest and the input hash are computed only
 * when an Elevation or an input-hash-bound Execution approval is examined.
 */
#include "fcp/authz_decision.h"

#include <string.h>

#include "fcp/authz_zone.h"
#include "fcp/error.h"

/* Pattern as engine A's fcp_zone_pattern_match: exact, or "P*" prefix. */
static int pat(const char *p, const char *s)
{
    size_t pl = strlen(p);
    if (pl && p[pl - 1] == '*')
        return strncmp(p, s, pl - 1) == 0;
    return strcmp(p, s) == 0;
}

static int any(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] && pat(list[i], s))
            return 1;
    return 0;
}

/* Engine A's evaluation of a ZonePolicy object, reasons mapped 1:1. */
static int zone_policy_check(const fcp_zone_policy *zp, const char *principal, const char *connector,
                             const char *capability)
{
    static const int map[] = { 0, FCP_EDEC_PRINCIPAL_DENIED, FCP_EDEC_PRINCIPAL_NOT_ALLOWED,
                               FCP_EDEC_CONNECTOR_DENIED, FCP_EDEC_CONNECTOR_NOT_ALLOWED,
                               FCP_EDEC_CAPABILITY_DENIED, FCP_EDEC_CAPABILITY_NOT_ALLOWED };
    fcp_zone_access a = { principal, strlen(principal), connector, strlen(connector), capability,
                          strlen(capability) };
    int r = fcp_zone_policy_evaluate(zp, &a);
    if (r < 0)
        return r;
    return r < (int)(sizeof map / sizeof map[0]) ? map[r] : FCP_EDEC_REQUEST;
}

int fcp_dec_policy_check(const fcp_dec_policy *p, const char *principal, const char *connector,
                         const char *capability)
{
    if (p->zone_policy)
        return zone_policy_check(p->zone_policy, principal, connector, capability);
    /* spec §5.3 ZonePolicy::evaluate, in its order */
    if (any(p->principals_deny, p->n_principals_deny, principal))
        return FCP_EDEC_PRINCIPAL_DENIED;
    if (p->n_principals_allow && !any(p->principals_allow, p->n_principals_allow, principal) &&
        p->default_deny)
        return FCP_EDEC_PRINCIPAL_NOT_ALLOWED;
    if (any(p->connectors_deny, p->n_connectors_deny, connector))
        return FCP_EDEC_CONNECTOR_DENIED;
    if (p->n_connectors_allow && !any(p->connectors_allow, p->n_connectors_allow, connector) &&
        p->default_deny)
        return FCP_EDEC_CONNECTOR_NOT_ALLOWED;
    if (any(p->caps_deny, p->n_caps_deny, capability))
        return FCP_EDEC_CAPABILITY_DENIED;
    if (p->n_caps_allow && !any(p->caps_allow, p->n_caps_allow, capability) && p->default_deny)
        return FCP_EDEC_CAPABILITY_NOT_ALLOWED;
    return 0;
}

void fcp_dec_policy_defaults(fcp_dec_policy *p)
{
    memset(p, 0, sizeof *p);
    p->default_deny = 1;
    p->execution_min_tier = FCP_OP_TIER_DANGEROUS;
    p->token_skew = FCP_DEC_DEFAULT_SKEW;
    p->transports_allowed = (1u << FCP_TRANSPORT_LAN) | (1u << FCP_TRANSPORT_DERP);
}

const char *fcp_decision_reason_code(int reason, char *buf, size_t buflen)
{
    return fcp_error_code(reason, buf, buflen);
}

int fcp_decision_to_receipt(const fcp_decision *d, const uint8_t request_object_id[32],
                            uint64_t decided_at, const char *decided_by, fcp_decision_receipt *r)
{
    size_t nl = strnlen(decided_by, FCP_NODE_ID_MAX + 1);
    int rc = fcp_node_id_validate(decided_by, nl);
    if (rc)
        return rc;
    memcpy(r->request_object_id, request_object_id, 32);
    r->allow = d->allow;
    fcp_error_code(d->allow ? 0 : d->reason, r->reason_code, sizeof r->reason_code);
    r->n_evidence = d->n_evidence;
    memcpy(r->evidence, d->evidence, d->n_evidence * 32);
    r->decided_at = decided_at;
    memcpy(r->decided_by, decided_by, nl + 1);
    return 0;
}

typedef struct ctx {
    const fcp_decision_input *in;
    fcp_decision *out;
    int have_prov_digest;
    uint8_t prov_digest[32];
    int have_input_hash;
    uint8_t input_hash[32];
} ctx;

static void evidence(fcp_decision *out, const uint8_t *id)
{
    if (id && out->n_evidence < FCP_DEC_MAX_EVIDENCE)
        memcpy(out->evidence[out->n_evidence++], id, 32);
}

static int revoked(const fcp_decision_input *in, const uint8_t *id)
{
    const fcp_dec_revocation *r = in->revocation;
    return id && r && r->is_revoked && r->is_revoked(r->ctx, id, in->now) != 0;
}

/* Validity common to every approval kind. */
static int approval_valid(const ctx *c, const fcp_dec_approval *a)
{
    const fcp_dec_policy *p = c->in->policy;
    const fcp_approval_token *t = a->token;
    if (!a->signature_ok)
        return FCP_EAPPROVAL_BAD_SIGNATURE;
    int rc = fcp_approval_check_time(t, c->in->now);
    if (rc)
        return rc;
    const char *const *who;
    size_t n;
    if (t->kind == FCP_APPROVAL_ELEVATION) {
        who = p->elevation_approvers;
        n = p->n_elevation_approvers;
    } else if (t->kind == FCP_APPROVAL_DECLASSIFICATION) {
        who = p->declassification_approvers;
        n = p->n_declassification_approvers;
    } else {
        who = p->execution_approvers;
        n = p->n_execution_approvers;
    }
    if (!any(who, n, t->approved_by))
        return FCP_EAPPROVAL_AUTHORITY;
    if (revoked(c->in, a->token_id))
        return FCP_EAPPROVAL_REVOKED;
    return 0;
}

static int elevation_scope(ctx *c, const fcp_approval_token *t)
{
    const fcp_dec_request *r = c->in->request;
    uint8_t d[32];
    if (strcmp(t->elevation.operation, r->operation) != 0)
        return FCP_EDEC_ELEVATION_SCOPE;
    if (!c->have_prov_digest) {
        if (fcp_provenance_digest(c->prov_digest, r->provenance) != 0)
            return FCP_EDEC_REQUEST;
        c->have_prov_digest = 1;
    }
    if (fcp_provenance_digest(d, &t->elevation.original_provenance) != 0 ||
        memcmp(d, c->prov_digest, 32) != 0)
        return FCP_EDEC_ELEVATION_SCOPE;
    return 0;
}

static int declass_scope(const ctx *c, const fcp_approval_token *t)
{
    const fcp_dec_request *r = c->in->request;
    const fcp_approval_declass *x = &t->declassification;
    if (strcmp(x->from_zone, r->provenance->current_zone) != 0 || strcmp(x->to_zone, r->zone_id) != 0 ||
        r->n_object_ids == 0)
        return FCP_EDEC_DECLASSIFICATION_SCOPE;
    for (size_t i = 0; i < r->n_object_ids; i++) {
        int found = 0;
        for (size_t j = 0; j < x->n_objects && !found; j++)
            found = memcmp(r->object_ids[i], x->object_ids[j], 32) == 0;
        if (!found)
            return FCP_EDEC_DECLASSIFICATION_SCOPE;
    }
    return 0;
}

static int execution_scope(ctx *c, const fcp_approval_token *t)
{
    const fcp_dec_request *r = c->in->request;
    const fcp_approval_execution *x = &t->execution;
    if (strcmp(x->connector_id, r->connector_id) != 0)
        return FCP_EDEC_EXECUTION_CONNECTOR;
    if (!fcp_method_pattern_match(x->method_pattern, r->operation, strlen(r->operation)))
        return FCP_EDEC_EXECUTION_METHOD;
    if (x->has_request_object_id &&
        (!r->request_object_id || memcmp(x->request_object_id, r->request_object_id, 32) != 0))
        return FCP_EDEC_EXECUTION_REQUEST;
    if (x->has_input_hash) {
        if (!c->have_input_hash) {
            if (fcp_approval_input_hash(c->input_hash, r->input, r->input_len) != 0)
                return FCP_EDEC_EXECUTION_INPUT_HASH;
            c->have_input_hash = 1;
        }
        if (memcmp(c->input_hash, x->input_hash, 32) != 0)
            return FCP_EDEC_EXECUTION_INPUT_HASH;
    }
    if (x->n_constraints) {
        int rc = fcp_approval_check_constraints(x, r->input, r->input_len);
        if (rc)
            return FCP_EDEC_EXECUTION_CONSTRAINT;
    }
    return 0;
}

/* Find an approval of kind that passes; 0 (and evidence) or the reason. */
static int need_approval(ctx *c, enum fcp_approval_kind kind, int missing)
{
    int first = 0;
    for (size_t i = 0; i < c->in->n_approvals; i++) {
        const fcp_dec_approval *a = &c->in->approvals[i];
        if (!a->token || a->token->kind != kind)
            continue;
        int rc = approval_valid(c, a);
        if (rc == 0)
            rc = kind == FCP_APPROVAL_ELEVATION ? elevation_scope(c, a->token)
                 : kind == FCP_APPROVAL_DECLASSIFICATION ? declass_scope(c, a->token)
                                                         : execution_scope(c, a->token);
        if (rc == 0) {
            evidence(c->out, a->token_id);
            return 0;
        }
        if (!first)
            first = rc;
    }
    return first ? first : missing;
}

static int deny(fcp_decision *out, int step, int reason)
{
    out->allow = 0;
    out->flags = 0;          /* flags qualify an allow only */
    out->n_evidence = 0;
    out->reason = reason;
    out->step = step;
    return reason;
}

static int request_ok(const fcp_decision_input *in)
{
    const fcp_dec_request *r = in->request;
    const fcp_dec_token *t = in->token;
    if (!r || !t || !in->policy || !r->principal || !r->zone_id || !r->connector_id ||
        !r->operation || !r->capability || !r->provenance || !t->subject || !t->zone_id ||
        !t->audience || (r->input_len && !r->input) || (r->n_object_ids && !r->object_ids) ||
        (t->n_grants && !t->grants) || (t->n_grant_object_ids && !t->grant_object_ids) ||
        (in->n_approvals && !in->approvals) || (in->n_sanitizer_receipts && !in->sanitizer_receipts))
        return 0;
    if (r->tier < FCP_OP_TIER_SAFE || r->tier > FCP_OP_TIER_FORBIDDEN ||
        r->transport < FCP_TRANSPORT_LOCAL || r->transport > FCP_TRANSPORT_FUNNEL)
        return 0;
    for (size_t i = 0; i < t->n_grants; i++)
        if (!t->grants[i].capability)
            return 0;
    return 1;
}

int fcp_decide(const fcp_decision_input *in, fcp_decision *out)
{
    ctx c;
    memset(out, 0, sizeof *out);
    c.in = in;
    c.out = out;
    c.have_prov_digest = 0;
    c.have_input_hash = 0;

    /* 1 */
    if (!in || !request_ok(in))
        return deny(out, 1, FCP_EDEC_REQUEST);
    const fcp_dec_request *r = in->request;
    const fcp_dec_token *t = in->token;
    const fcp_dec_policy *p = in->policy;
    uint64_t now = in->now;
    /* 2: spec §7.2 Forbidden = never allowed */
    if (r->tier == FCP_OP_TIER_FORBIDDEN)
        return deny(out, 2, FCP_EDEC_FORBIDDEN_OP);
    /* 3: spec §7.5 (now > exp is expired; exp itself is valid) */
    if (now < t->not_before && t->not_before - now > p->token_skew)
        return deny(out, 3, FCP_EDEC_TOKEN_NOT_YET_VALID);
    if (now > t->expires_at)
        return deny(out, 3, FCP_ETOKEN_EXPIRED);
    /* 4 */
    if (strcmp(t->subject, r->principal) != 0)
        return deny(out, 4, FCP_EDEC_TOKEN_SUBJECT);
    if (strcmp(t->zone_id, r->zone_id) != 0)
        return deny(out, 4, FCP_EDEC_TOKEN_ZONE);
    if (strcmp(t->audience, r->connector_id) != 0)
        return deny(out, 4, FCP_EDEC_TOKEN_AUDIENCE);
    /* 5: spec §7.5 rev_head/rev_seq, §14.3.1 freshness by tier */
    {
        const fcp_dec_revocation *rv = in->revocation;
        uint64_t seq = rv ? rv->seq : 0, upd = rv ? rv->last_updated : 0;
        int stale_seq = t->rev_seq > seq;
        int stale_age = p->max_revocation_age && (now < upd ? 0 : now - upd) > p->max_revocation_age;
        if (stale_seq || stale_age) {
            if (r->tier == FCP_OP_TIER_SAFE)
                out->flags |= FCP_DEC_FLAG_DEGRADED;
            else
                return deny(out, 5, stale_seq ? FCP_EDEC_REVOCATION_STALE : FCP_EDEC_REVOCATION_AGE);
        }
    }
    /* 6 */
    if (revoked(in, t->token_id))
        return deny(out, 6, FCP_EREVOKED);
    for (size_t i = 0; i < t->n_grant_object_ids; i++)
        if (revoked(in, t->grant_object_ids[i]))
            return deny(out, 6, FCP_EREVOKED);
    /* 7 */
    if (in->checkpoint_seq < p->min_checkpoint_seq)
        return deny(out, 7, FCP_EDEC_CHECKPOINT_STALE);
    /* 8: spec §5.3 */
    {
        int rc = fcp_dec_policy_check(p, r->principal, r->connector_id, r->capability);
        if (rc)
            return deny(out, 8, rc);
    }
    /* 9: spec §7.5 caps */
    {
        int cap = 0, op = 0;
        for (size_t i = 0; i < t->n_grants && !op; i++) {
            if (!pat(t->grants[i].capability, r->capability))
                continue;
            cap = 1;
            op = !t->grants[i].operation || strcmp(t->grants[i].operation, r->operation) == 0;
        }
        if (!cap)
            return deny(out, 9, FCP_EDEC_CAPABILITY_NOT_GRANTED);
        if (!op)
            return deny(out, 9, FCP_EOP_NOT_GRANTED);
    }
    /* 10: Appendix G */
    if (r->transport == FCP_TRANSPORT_LAN || r->transport == FCP_TRANSPORT_DERP ||
        r->transport == FCP_TRANSPORT_FUNNEL) {
        if (!(p->transports_allowed & (1u << r->transport)))
            return deny(out, 10, r->transport == FCP_TRANSPORT_LAN    ? FCP_EDEC_TRANSPORT_LAN
                                 : r->transport == FCP_TRANSPORT_DERP ? FCP_EDEC_TRANSPORT_DERP
                                                                      : FCP_EDEC_TRANSPORT_FUNNEL);
    }
    /* 11: spec §6.2 can_invoke, §6.3 elevation */
    {
        const fcp_provenance *pv = r->provenance;
        uint32_t ignored = 0;
        uint32_t taint = fcp_provenance_verified_taint(pv, in->sanitizer_receipts,
                                                       in->n_sanitizer_receipts, &ignored);
        int rc = fcp_taint_check(taint, r->tier, pv->origin_integrity, p->integrity);
        if (rc) {
            int missing = rc;
            if (ignored && fcp_taint_check(taint & ~ignored, r->tier, pv->origin_integrity,
                                           p->integrity) == 0)
                missing = FCP_EDEC_SANITIZER_COVERAGE;
            rc = need_approval(&c, FCP_APPROVAL_ELEVATION, missing);
            if (rc)
                return deny(out, 11, rc);
        } else if (pv->n_reductions) {
            /* the receipts that made the reductions count are evidence */
            for (size_t i = 0; i < pv->n_reductions && i < FCP_HDR_MAX_REDUCTIONS; i++)
                for (size_t a = 0; a < in->n_sanitizer_receipts; a++)
                    if (memcmp(pv->reductions[i].by_attestation, in->sanitizer_receipts[a], 32) == 0 &&
                        (pv->taint & pv->reductions[i].clears)) {
                        evidence(out, in->sanitizer_receipts[a]);
                        break;
                    }
        }
    }
    /* 12: spec §5.1 confidentiality flows down only with declassification */
    if (r->provenance->origin_confidentiality > p->confidentiality) {
        int rc = need_approval(&c, FCP_APPROVAL_DECLASSIFICATION, FCP_EDEC_MISSING_DECLASSIFICATION);
        if (rc)
            return deny(out, 12, rc);
    }
    /* 13: review Change 10 Execution scope */
    if (r->tier >= p->execution_min_tier || r->requires_approval) {
        int rc = need_approval(&c, FCP_APPROVAL_EXECUTION, FCP_EDEC_MISSING_EXECUTION);
        if (rc)
            return deny(out, 13, rc);
    }
    out->allow = 1;
    out->reason = 0;
    out->step = 14;
    return 0;
}
