/*
 * authz_zone.h - zone evaluation: ZonePolicy decisions (spec §5.3), the
 * integrity/confidentiality lattice (§5.1), verification of owner-signed
 * zone definition and policy chains (§5.2.1), quorum thresholds (§18.2,
 * §15.1) and checkpoint acceptance with rollback and fork detection (§3.8,
 * §23.4).  All pure functions over model_zone.h objects.
 */
#ifndef FCP_AUTHZ_ZONE_H
#define FCP_AUTHZ_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/model_sign.h"
#include "fcp/model_zone.h"

/* ---- ZonePolicy evaluation (§5.3, D-ZONE-6) ----------------------------- */

/* Stable reason codes (never renumbered). */
enum fcp_zone_reason {
    FCP_ZONE_ALLOW = 0,
    FCP_ZONE_DENY_PRINCIPAL = 1,           /* principal matches principals_deny */
    FCP_ZONE_DENY_PRINCIPAL_NOT_ALLOWED = 2,
    FCP_ZONE_DENY_CONNECTOR = 3,
    FCP_ZONE_DENY_CONNECTOR_NOT_ALLOWED = 4,
    FCP_ZONE_DENY_CAPABILITY = 5,
    FCP_ZONE_DENY_CAPABILITY_NOT_ALLOWED = 6,
};

/* Stable snake_case name ("allow", "deny_principal", ...) or NULL. */
const char *fcp_zone_reason_name(int reason);

/* An access request; an absent field is passed as (NULL, 0) and is matched
 * as the empty string (only the pattern "*" matches it). */
typedef struct fcp_zone_access {
    const char *principal;
    size_t      principal_len;
    const char *connector;
    size_t      connector_len;
    const char *capability;
    size_t      capability_len;
} fcp_zone_access;

/* 1 if pattern matches s: equal bytes, or pattern "P*" and s starts with P. */
int fcp_zone_pattern_match(const char *pattern, const char *s, size_t n);

/* Evaluate in the spec's order: principals deny, principals allow, connectors
 * deny, connectors allow, capabilities deny, capabilities allow.  A deny list
 * match always denies; a non-empty allow list that does not match denies only
 * when default_deny is set.  Returns an enum fcp_zone_reason (>= 0). */
int fcp_zone_policy_evaluate(const fcp_zone_policy *p, const fcp_zone_access *req);

/* ---- lattice (§5.1) ----------------------------------------------------- */

typedef struct fcp_zone_levels {
    uint8_t integrity;
    uint8_t confidentiality;
} fcp_zone_levels;

/* Levels of the five standard zones (owner 100/100, private 80/90, work
 * 60/70, community 40/40, public 20/10); FCP_ENOENT for any other zone. */
int fcp_zone_standard_levels(const char *zone, size_t len, fcp_zone_levels *out);

#define FCP_FLOW_NEEDS_ELEVATION        0x1u
#define FCP_FLOW_NEEDS_DECLASSIFICATION 0x2u

/* Approvals a flow of data from zone `from` into zone `to` needs:
 * ELEVATION when from.integrity < to.integrity (data moving up in
 * integrity), DECLASSIFICATION when from.confidentiality >
 * to.confidentiality (data moving down in secrecy). */
unsigned fcp_zone_flow_requirements(const fcp_zone_levels *from, const fcp_zone_levels *to);

/* 0 if every requirement is covered by `approvals` (FCP_FLOW_* bits);
 * otherwise FCP_EZONE_NEEDS_ELEVATION (checked first) or
 * FCP_EZONE_NEEDS_DECLASSIFICATION. */
int fcp_zone_flow_check(const fcp_zone_levels *from, const fcp_zone_levels *to, unsigned approvals);

/* Label of data combined from a and b: min integrity, max confidentiality. */
fcp_zone_levels fcp_zone_levels_join(const fcp_zone_levels *a, const fcp_zone_levels *b);

/* ---- owner-signed chains (§5.2.1, D-ZONE-4) ----------------------------- */

/* next is a valid successor of prev: signature of next (FCP_EBAD_SIGNATURE),
 * same zone (FCP_EAUTHZ_ZONE_MISMATCH), next.prev == ObjectId(prev) under
 * key (FCP_EZONE_CHAIN_PREV), next.version > prev.version
 * (FCP_EZONE_CHAIN_VERSION). */
int fcp_zone_definition_verify_successor(const fcp_zone_definition *prev,
                                         const fcp_zone_definition *next,
                                         const uint8_t owner_pk[32], const fcp_object_id_key *key);
int fcp_zone_policy_verify_successor(const fcp_zone_policy_object *prev,
                                     const fcp_zone_policy_object *next,
                                     const uint8_t owner_pk[32], const fcp_object_id_key *key);

/* Verify a whole chain chain[0..n) oldest first: chain[0]'s signature (it is
 * the trust anchor: a genesis object or one already accepted), then every
 * successor step.  FCP_EINVAL for n == 0. */
int fcp_zone_definition_chain_verify(const fcp_zone_definition *const *chain, size_t n,
                                     const uint8_t owner_pk[32], const fcp_object_id_key *key);
int fcp_zone_policy_chain_verify(const fcp_zone_policy_object *const *chain, size_t n,
                                 const uint8_t owner_pk[32], const fcp_object_id_key *key);

/* The policy object is the one def references (same zone, ObjectId equals
 * policy_object_id): 0, FCP_EAUTHZ_ZONE_MISMATCH or FCP_EZONE_POLICY_REF. */
int fcp_zone_policy_check_ref(const fcp_zone_definition *def, const fcp_zone_policy_object *pol,
                              const fcp_object_id_key *key);

/* ---- quorum thresholds (§18.2, §15.1, D-ZONE-5) ------------------------- */

/* enum fcp_safety_tier is in model_zone.h. */
/* Signatures required for tier with n eligible signers and f faults.
 * 0 if the tier is unknown, n == 0 or 2f >= n (no safe quorum). */
size_t fcp_quorum_required(int tier, size_t n, size_t f);

/* ---- checkpoints (§3.8, D-ZONE-7) --------------------------------------- */

/* Verify a checkpoint's quorum against its zone definition: zone match
 * (FCP_EAUTHZ_ZONE_MISMATCH), every signer in def's quorum_signers
 * (FCP_ECKPT_SIGNER), at least n - f valid signatures (FCP_EQUORUM,
 * FCP_EBAD_SIGNATURE, order errors).  lookup resolves signer keys.  def
 * must be a definition the caller already verified (owner signature,
 * chain); FCP_EZONE_QUORUM_CONFIG / FCP_ELIMIT if its quorum fields are
 * unusable. */
int fcp_zone_checkpoint_verify(const fcp_zone_checkpoint *c, const fcp_zone_definition *def,
                               fcp_node_key_lookup lookup, void *ctx);

/* The latest accepted checkpoint of one zone. */
typedef struct fcp_checkpoint_state {
    int      have;
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    uint64_t seq, epoch, rev_seq, audit_seq;
    uint8_t  id[FCP_OBJECT_ID_BYTES];
} fcp_checkpoint_state;

/* Offer an already verified checkpoint c with ObjectId id to st.
 * Returns 0 and advances st when c is the direct successor (seq + 1, prev ==
 * st.id) or the first one seen; 1 if c is the checkpoint already held.
 * Errors (st unchanged): FCP_EAUTHZ_ZONE_MISMATCH, FCP_ECKPT_GENESIS,
 * FCP_ECKPT_ROLLBACK (older seq, or rev_seq/audit_seq going backwards),
 * FCP_ECKPT_FORK (same seq, different id), FCP_ECKPT_PREV (seq + 1 whose
 * prev is not st.id - also a fork), FCP_ECKPT_GAP (seq > st.seq + 1),
 * FCP_ECKPT_EPOCH (as_of_epoch older). */
int fcp_checkpoint_observe(fcp_checkpoint_state *st, const fcp_zone_checkpoint *c,
                           const uint8_t id[FCP_OBJECT_ID_BYTES]);

/* 1 if a and b (with ids ida, idb) are a fork: same zone and seq, or same
 * prev_checkpoint_id, with different ids; else 0. */
int fcp_checkpoint_is_fork(const fcp_zone_checkpoint *a, const uint8_t ida[FCP_OBJECT_ID_BYTES],
                           const fcp_zone_checkpoint *b, const uint8_t idb[FCP_OBJECT_ID_BYTES]);

#endif
