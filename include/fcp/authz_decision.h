/*
 * authz_decision.h - THE authorization decision (spec §5.3, §6.2-§6.3, §7.5,
 * §9.4, §14.3; D-DEC-1): one pure function from (request, verified token
 * claims, zone policy, revocation state, checkpoint state, approvals,
 * provenance, sanitizer receipts, clock reading) to Allow or Deny with a
 * stable reason code (an FCP-XXXX error code).
 *
 * Everything expensive is done before: token signatures (engine B's
 * fcp_token_verify), approval signatures (fcp_approval_verify's signature
 * part, passed in as signature_ok), policy object chains (engine A).  The
 * function itself does no allocation, no I/O and no signature work; it reads
 * its inputs and nothing else, so the same inputs give the same answer on
 * every implementation (Appendix F, conformance/decisions/).
 *
 * Order of checks (the first failing one is the reason; D-DEC-1):
 *   1  request well-formed ............................ FCP_EDEC_REQUEST
 *   2  tier Forbidden ................................. FCP_EDEC_FORBIDDEN_OP
 *   3  token time: now + skew < not_before ............ FCP_EDEC_TOKEN_NOT_YET_VALID
 *                  now > expires_at ................... FCP_ETOKEN_EXPIRED
 *   4  token binding: subject, zone, audience ......... FCP_EDEC_TOKEN_SUBJECT / _ZONE / _AUDIENCE
 *   5  revocation freshness (Risky and Dangerous only; Safe proceeds and
 *      is flagged degraded): token.rev_seq > local seq  FCP_EDEC_REVOCATION_STALE
 *      now - last_updated > max age ................... FCP_EDEC_REVOCATION_AGE
 *   6  revoked: token id, then each grant object id ... FCP_EREVOKED
 *   7  checkpoint: local seq < policy minimum ......... FCP_EDEC_CHECKPOINT_STALE
 *   8  zone policy (spec §5.3 order): principal deny, principal allow,
 *      connector deny, connector allow, capability deny, capability allow
 *                                  ... FCP_EDEC_{PRINCIPAL,CONNECTOR,CAPABILITY}_{DENIED,NOT_ALLOWED}
 *   9  token grants: no grant for the capability ...... FCP_EDEC_CAPABILITY_NOT_GRANTED
 *                    capability granted for other operations only  FCP_EOP_NOT_GRANTED
 *  10  transport allowed by the zone .................. FCP_EDEC_TRANSPORT_LAN / _DERP / _FUNNEL
 *  11  taint (§6.2) -> needs an Elevation approval:
 *      PUBLIC_INPUT and Dangerous ..................... FCP_EDEC_PUBLIC_DANGEROUS
 *      tainted, Risky+, target integrity > origin ..... FCP_EDEC_INTEGRITY_UPHILL
 *      (either, when it holds only because a reduction lacks an accepted
 *      sanitizer receipt) ............................. FCP_EDEC_SANITIZER_COVERAGE
 *  12  confidentiality downhill (origin_confidentiality > zone's) -> needs a
 *      Declassification approval ...................... FCP_EDEC_MISSING_DECLASSIFICATION
 *  13  tier >= policy.execution_min_tier, or the request says the operation
 *      requires approval -> needs an Execution approval  FCP_EDEC_MISSING_EXECUTION
 *  14  allow
 * For steps 11-13, approvals of the needed kind are tried in order; the first
 * that passes every check satisfies the step.  Each candidate is checked:
 * signature_ok (FCP_EAPPROVAL_BAD_SIGNATURE), time (FCP_EAPPROVAL_EXPIRED,
 * FCP_EAPPROVAL_NOT_YET_VALID), approver authority for the kind
 * (FCP_EAPPROVAL_AUTHORITY), revocation of its token id
 * (FCP_EAPPROVAL_REVOKED), then its scope: Elevation operation == request
 * operation and original_provenance == request provenance
 * (FCP_EDEC_ELEVATION_SCOPE); Declassification from_zone == provenance
 * current_zone, to_zone == request zone, every request object id listed
 * (FCP_EDEC_DECLASSIFICATION_SCOPE); Execution connector, method pattern,
 * request object id, input hash, input constraints (FCP_EDEC_EXECUTION_*).
 * When no candidate passes, the step's reason is the first candidate's
 * failure; with no candidate at all it is the step's own code.
 */
#ifndef FCP_AUTHZ_DECISION_H
#define FCP_AUTHZ_DECISION_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/authz_provenance.h"
#include "fcp/model_approval.h"
#include "fcp/model_audit.h"

/* Transports (spec Appendix G).  LOCAL and MESH are always allowed. */
#define FCP_TRANSPORT_LOCAL  0
#define FCP_TRANSPORT_LAN    1   /* Tailscale direct on the same LAN */
#define FCP_TRANSPORT_MESH   2   /* Tailscale direct through NAT traversal */
#define FCP_TRANSPORT_DERP   3   /* Tailscale DERP relay */
#define FCP_TRANSPORT_FUNNEL 4   /* Tailscale Funnel (public ingress) */

#define FCP_DEC_MAX_EVIDENCE 8
#define FCP_DEC_DEFAULT_SKEW 60u

/* One capability grant of a verified token: capability (exact, or "P*"
 * prefix pattern) and an optional operation restriction (NULL = any). */
typedef struct fcp_dec_grant {
    const char *capability;
    const char *operation;
} fcp_dec_grant;

/* The verified token claims the decision needs (from engine B's
 * fcp_token_verified). */
typedef struct fcp_dec_token {
    const char *subject;        /* principal */
    const char *zone_id;        /* issuing zone */
    const char *audience;       /* connector id */
    uint64_t    not_before;     /* nbf, or iat when no nbf */
    uint64_t    expires_at;     /* exp */
    uint64_t    rev_seq;        /* revocation seq the issuer considered */
    const uint8_t *token_id;    /* 32 bytes */
    const uint8_t (*grant_object_ids)[32];
    size_t      n_grant_object_ids;
    const fcp_dec_grant *grants;
    size_t      n_grants;
} fcp_dec_token;

struct fcp_zone_policy;   /* model_zone.h (engine A) */

/* Zone policy (spec §5.3 lists; patterns as engine A: exact or "P*") plus
 * the zone's labels and the authority rules the decision enforces.  When
 * zone_policy is set, step 8 is engine A's fcp_zone_policy_evaluate over it
 * (its reasons mapped to the FCP_EDEC_* codes) and the six lists below are
 * ignored; otherwise the lists are evaluated with the same rules. */
typedef struct fcp_dec_policy {
    const struct fcp_zone_policy *zone_policy;
    const char *const *principals_allow; size_t n_principals_allow;
    const char *const *principals_deny;  size_t n_principals_deny;
    const char *const *connectors_allow; size_t n_connectors_allow;
    const char *const *connectors_deny;  size_t n_connectors_deny;
    const char *const *caps_allow;       size_t n_caps_allow;
    const char *const *caps_deny;        size_t n_caps_deny;
    int         default_deny;
    uint8_t     integrity;              /* target zone labels (§5.1) */
    uint8_t     confidentiality;
    unsigned    transports_allowed;     /* bits (1 << FCP_TRANSPORT_LAN/DERP/FUNNEL) */
    uint64_t    min_checkpoint_seq;     /* 0 = no requirement */
    uint64_t    max_revocation_age;     /* seconds; 0 = no limit */
    int         execution_min_tier;     /* FCP_OP_TIER_*; > FORBIDDEN = never */
    uint32_t    token_skew;             /* allowed clock skew for nbf */
    /* principals who may approve each kind (patterns); empty = nobody */
    const char *const *elevation_approvers;       size_t n_elevation_approvers;
    const char *const *declassification_approvers; size_t n_declassification_approvers;
    const char *const *execution_approvers;       size_t n_execution_approvers;
} fcp_dec_policy;

/* Local revocation state (engine B's fcp_revset: seq, last_updated and a
 * lookup). is_revoked returns 1 if id is revoked at now, else 0; NULL means
 * nothing is revoked. */
typedef struct fcp_dec_revocation {
    uint64_t seq;
    uint64_t last_updated;
    int    (*is_revoked)(void *ctx, const uint8_t id[32], uint64_t now);
    void    *ctx;
} fcp_dec_revocation;

/* One presented approval: the decoded token, whether its signature verified
 * under the approver's key (done before the decision), and its token id
 * (fcp_approval_token_id; used for revocation and as evidence). */
typedef struct fcp_dec_approval {
    const fcp_approval_token *token;
    int            signature_ok;
    const uint8_t *token_id;     /* 32 bytes */
} fcp_dec_approval;

typedef struct fcp_dec_request {
    const char *principal;
    const char *zone_id;          /* target zone */
    const char *connector_id;
    const char *operation;
    const char *capability;
    int         tier;             /* FCP_OP_TIER_* */
    int         requires_approval;/* operation's ApprovalMode is ApprovalRequired */
    int         transport;        /* FCP_TRANSPORT_* */
    const uint8_t *input;         /* canonical CBOR input (may be NULL if len 0) */
    size_t      input_len;
    const uint8_t *request_object_id;   /* 32 bytes or NULL */
    const uint8_t (*object_ids)[32];    /* data objects the request moves */
    size_t      n_object_ids;
    const fcp_provenance *provenance;
} fcp_dec_request;

typedef struct fcp_decision_input {
    uint64_t now;                         /* clock reading, Unix seconds */
    const fcp_dec_request    *request;
    const fcp_dec_token      *token;
    const fcp_dec_policy     *policy;
    const fcp_dec_revocation *revocation;
    uint64_t checkpoint_seq;              /* local checkpoint seq of the zone */
    const uint8_t (*sanitizer_receipts)[32];  /* accepted receipt ids */
    size_t   n_sanitizer_receipts;
    const fcp_dec_approval *approvals;
    size_t   n_approvals;
} fcp_decision_input;

#define FCP_DEC_FLAG_DEGRADED 1u   /* Safe op allowed on stale revocation state: audit it */

typedef struct fcp_decision {
    int      allow;                  /* 1 Allow, 0 Deny */
    int      reason;                 /* 0 (allow) or the negative FCP error */
    int      step;                   /* check number 1..14 that decided */
    unsigned flags;                  /* FCP_DEC_FLAG_* (allow only; 0 on deny) */
    size_t   n_evidence;             /* approval and receipt ids relied on (allow only) */
    uint8_t  evidence[FCP_DEC_MAX_EVIDENCE][32];
} fcp_decision;

/* Defaults: everything empty, default_deny 1, execution_min_tier
 * Dangerous, token_skew FCP_DEC_DEFAULT_SKEW, transports LAN and DERP
 * allowed (Funnel refused, spec Appendix G), labels 0. */
void fcp_dec_policy_defaults(fcp_dec_policy *p);

/* Decide.  Returns 0 (Allow) or the deny reason (negative), also stored in
 * out->reason.  Never allocates; never fails other than by denying. */
int fcp_decide(const fcp_decision_input *in, fcp_decision *out);

/* The policy part alone (step 8): 0 or its deny reason.  What the decision
 * can never override (property-tested). */
int fcp_dec_policy_check(const fcp_dec_policy *p, const char *principal, const char *connector,
                         const char *capability);

/* Fill the decision fields of a DecisionReceipt from d (spec §23.4,
 * D-DEC-3): decision, reason_code ("FCP-0000" for allow), evidence (all of
 * d's), request_object_id, decided_at, decided_by.  The caller has set
 * r->header (fcp_object_header_init with the receipt schema) and may add an
 * explanation; then fcp_decision_receipt_sign.  FCP_ENODE_ID for a bad node
 * id. */
int fcp_decision_to_receipt(const fcp_decision *d, const uint8_t request_object_id[32],
                            uint64_t decided_at, const char *decided_by, fcp_decision_receipt *r);

/* The stable reason code text of reason into buf (>= 10 bytes): "FCP-4218",
 * or "FCP-0000" for an allow (reason 0).  Returns buf. */
const char *fcp_decision_reason_code(int reason, char *buf, size_t buflen);

#endif
