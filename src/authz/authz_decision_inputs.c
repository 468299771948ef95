/*
 * authz_decision_inputs.c - views of engine B's verified token and
 * revocation set as decision inputs (see authz_decision_inputs.h).
 */
#include "fcp/authz_decision_inputs.h"

#include <string.h>

#include "fcp/error.h"

int fcp_dec_token_from_verified(fcp_dec_token *t, fcp_dec_grant *grants, size_t max,
                                const fcp_token_verified *v)
{
    const fcp_token_claims *c = &v->claims;
    unsigned need = FCP_TC_ZONE | FCP_TC_AUD | FCP_TC_EXP;
    memset(t, 0, sizeof *t);
    if ((c->present & need) != need || !(c->present & (FCP_TC_PRINCIPAL | FCP_TC_SUB)))
        return FCP_EINVAL;
    if (v->n_grants > max)
        return FCP_ELIMIT;
    t->subject = (c->present & FCP_TC_PRINCIPAL) ? c->principal_id : c->sub;
    t->zone_id = c->zone_id;
    t->audience = c->aud;
    t->not_before = (c->present & FCP_TC_NBF) ? c->nbf : (c->present & FCP_TC_IAT) ? c->iat : 0;
    t->expires_at = c->exp;
    t->rev_seq = (c->present & FCP_TC_CHK_SEQ) ? c->chk_seq : 0;
    t->token_id = v->token_id;
    if (c->present & FCP_TC_GRANT_IDS) {
        t->grant_object_ids = (const uint8_t(*)[32])c->grant_object_ids;
        t->n_grant_object_ids = c->n_grant_object_ids;
    }
    for (size_t i = 0; i < v->n_grants; i++) {
        grants[i].capability = v->grants[i].capability;
        grants[i].operation = v->grants[i].has_operation ? v->grants[i].operation : NULL;
    }
    t->grants = grants;
    t->n_grants = v->n_grants;
    return 0;
}

static int revset_cb(void *ctx, const uint8_t id[32], uint64_t now)
{
    return fcp_revset_contains_any(ctx, id, now) > 0;
}

void fcp_dec_revocation_from_revset(fcp_dec_revocation *r, const fcp_revset *s)
{
    r->seq = s->seq;
    r->last_updated = s->last_updated;
    r->is_revoked = revset_cb;
    r->ctx = (void *)s;
}
