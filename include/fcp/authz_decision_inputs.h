/*
 * authz_decision_inputs.h - adapters from engine B's verified capability
 * token (authz_token.h) and revocation set (authz_revocation.h) to the
 * decision inputs of authz_decision.h.  Views only: the results point into
 * the source structs, which must outlive them.
 */
#ifndef FCP_AUTHZ_DECISION_INPUTS_H
#define FCP_AUTHZ_DECISION_INPUTS_H

#include <stddef.h>

#include "fcp/authz_decision.h"
#include "fcp/authz_revocation.h"
#include "fcp/authz_token.h"

/* Fill t from a successfully verified token v:
 *   subject   = principal_id claim if present, else sub
 *   zone_id   = zone_id claim;  audience = aud
 *   not_before= nbf if present, else iat (0 when neither)
 *   expires_at= exp;  rev_seq = chk_seq if present, else 0
 *   token_id  = v->token_id;  grant_object_ids = the claim
 *   grants    = v->grants (the effective grants), written to grants[0..max)
 * FCP_EINVAL if a required claim (zone_id, aud, exp, sub or principal_id)
 * is absent, FCP_ELIMIT if v has more than max grants. */
int fcp_dec_token_from_verified(fcp_dec_token *t, fcp_dec_grant *grants, size_t max,
                                const fcp_token_verified *v);

/* Revocation inputs backed by a fcp_revset: its seq and last_updated, and
 * a lookup that treats an id revoked in any scope as revoked. */
void fcp_dec_revocation_from_revset(fcp_dec_revocation *r, const fcp_revset *s);

#endif
