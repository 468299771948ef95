/*
 * authz_zone.c - zone evaluation (spec §5.1, §5.2.1, §5.3, §3.8, §18.2):
 * ZonePolicy decisions with stable reason codes, the integrity /
 * confidentiality lattice, owner-signed chain verification, quorum
 * thresholds, and checkpoint acceptance with rollback and fork detection.
 * Everything here is a pure function of its arguments.
 */
#include "fcp/authz_zone.h"

#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

/* ---- policy (§5.3, D-ZONE-6) --------------------------------------------- */

static const char *const reason_names[] = {
    "allow",
    "deny_principal",
    "deny_principal_not_allowed",
    "deny_connector",
    "deny_connector_not_allowed",
    "deny_capability",
    "deny_capability_not_allowed",
};

const char *fcp_zone_reason_name(int reason)
{
    if (reason < 0 || reason >= (int)(sizeof reason_names / sizeof reason_names[0]))
        return NULL;
    return reason_names[reason];
}

int fcp_zone_pattern_match(const char *pattern, const char *s, size_t n)
{
    size_t pl = strlen(pattern);
    if (pl > 0 && pattern[pl - 1] == '*')
        return n >= pl - 1 && (pl == 1 || memcmp(pattern, s, pl - 1) == 0);
    return pl == n && (n == 0 || memcmp(pattern, s, n) == 0);
}

static int any_match(const fcp_zone_policy *p, int list, const char *s, size_t n)
{
    if (!s)
        s = "", n = 0;
    for (size_t i = 0; i < p->n[list] && i < FCP_ZONE_PATTERNS_MAX; i++)
        if (fcp_zone_pattern_match(p->pat[list][i], s, n))
            return 1;
    return 0;
}

/* One axis: its deny list, then its allow list under default_deny. */
static int axis(const fcp_zone_policy *p, int allow, int deny, const char *s, size_t n,
                int deny_reason)
{
    if (any_match(p, deny, s, n))
        return deny_reason;
    if (p->n[allow] > 0 && !any_match(p, allow, s, n) && p->default_deny)
        return deny_reason + 1;
    return FCP_ZONE_ALLOW;
}

int fcp_zone_policy_evaluate(const fcp_zone_policy *p, const fcp_zone_access *r)
{
    int rc = axis(p, FCP_ZP_PRINCIPALS_ALLOW, FCP_ZP_PRINCIPALS_DENY, r->principal,
                  r->principal_len, FCP_ZONE_DENY_PRINCIPAL);
    if (rc == FCP_ZONE_ALLOW)
        rc = axis(p, FCP_ZP_CONNECTORS_ALLOW, FCP_ZP_CONNECTORS_DENY, r->connector,
                  r->connector_len, FCP_ZONE_DENY_CONNECTOR);
    if (rc == FCP_ZONE_ALLOW)
        rc = axis(p, FCP_ZP_CAP_ALLOW, FCP_ZP_CAP_DENY, r->capability, r->capability_len,
                  FCP_ZONE_DENY_CAPABILITY);
    return rc;
}

/* ---- lattice (§5.1) ------------------------------------------------------ */

int fcp_zone_standard_levels(const char *zone, size_t len, fcp_zone_levels *out)
{
    static const struct {
        const char *z;
        uint8_t i, c;
    } std[] = { { FCP_ZONE_OWNER, 100, 100 }, { FCP_ZONE_PRIVATE, 80, 90 },
                { FCP_ZONE_WORK, 60, 70 },    { FCP_ZONE_COMMUNITY, 40, 40 },
                { FCP_ZONE_PUBLIC, 20, 10 } };
    for (size_t i = 0; i < sizeof std / sizeof std[0]; i++)
        if (strlen(std[i].z) == len && memcmp(std[i].z, zone, len) == 0) {
            out->integrity = std[i].i;
            out->confidentiality = std[i].c;
            return 0;
        }
    return FCP_ENOENT;
}

unsigned fcp_zone_flow_requirements(const fcp_zone_levels *from, const fcp_zone_levels *to)
{
    unsigned need = 0;
    if (from->integrity < to->integrity)
        need |= FCP_FLOW_NEEDS_ELEVATION;
    if (from->confidentiality > to->confidentiality)
        need |= FCP_FLOW_NEEDS_DECLASSIFICATION;
    return need;
}

int fcp_zone_flow_check(const fcp_zone_levels *from, const fcp_zone_levels *to, unsigned approvals)
{
    unsigned missing = fcp_zone_flow_requirements(from, to) & ~approvals;
    if (missing & FCP_FLOW_NEEDS_ELEVATION)
        return FCP_EZONE_NEEDS_ELEVATION;
    if (missing & FCP_FLOW_NEEDS_DECLASSIFICATION)
        return FCP_EZONE_NEEDS_DECLASSIFICATION;
    return 0;
}

fcp_zone_levels fcp_zone_levels_join(const fcp_zone_levels *a, const fcp_zone_levels *b)
{
    fcp_zone_levels j;
    j.integrity = a->integrity < b->integrity ? a->integrity : b->integrity;
    j.confidentiality = a->confidentiality > b->confidentiality ? a->confidentiality
                                                                : b->confidentiality;
    return j;
}

/* ---- chains (§5.2.1, D-ZONE-4) ------------------------------------------- */

static int link_ok(const char *pz, uint64_t pver, const uint8_t pid[32], const char *nz,
                   int has_prev, const uint8_t prev[32], uint64_t nver)
{
    if (strcmp(pz, nz) != 0)
        return FCP_EAUTHZ_ZONE_MISMATCH;
    if (!has_prev || memcmp(prev, pid, 32) != 0)
        return FCP_EZONE_CHAIN_PREV;
    if (nver <= pver)
        return FCP_EZONE_CHAIN_VERSION;
    return 0;
}

int fcp_zone_definition_verify_successor(const fcp_zone_definition *prev,
                                         const fcp_zone_definition *next,
                                         const uint8_t owner_pk[32], const fcp_object_id_key *key)
{
    uint8_t id[32];
    TRY(fcp_zone_definition_verify(next, owner_pk));
    TRY(fcp_zone_definition_object_id(id, prev, key));
    return link_ok(prev->zone_id, prev->version, id, next->zone_id, next->has_prev, next->prev,
                   next->version);
}

int fcp_zone_policy_verify_successor(const fcp_zone_policy_object *prev,
                                     const fcp_zone_policy_object *next,
                                     const uint8_t owner_pk[32], const fcp_object_id_key *key)
{
    uint8_t id[32];
    TRY(fcp_zone_policy_object_verify(next, owner_pk));
    TRY(fcp_zone_policy_object_id(id, prev, key));
    return link_ok(prev->zone_id, prev->version, id, next->zone_id, next->has_prev, next->prev,
                   next->version);
}

int fcp_zone_definition_chain_verify(const fcp_zone_definition *const *chain, size_t n,
                                     const uint8_t owner_pk[32], const fcp_object_id_key *key)
{
    if (n == 0)
        return FCP_EINVAL;
    TRY(fcp_zone_definition_verify(chain[0], owner_pk));
    for (size_t i = 1; i < n; i++)
        TRY(fcp_zone_definition_verify_successor(chain[i - 1], chain[i], owner_pk, key));
    return 0;
}

int fcp_zone_policy_chain_verify(const fcp_zone_policy_object *const *chain, size_t n,
                                 const uint8_t owner_pk[32], const fcp_object_id_key *key)
{
    if (n == 0)
        return FCP_EINVAL;
    TRY(fcp_zone_policy_object_verify(chain[0], owner_pk));
    for (size_t i = 1; i < n; i++)
        TRY(fcp_zone_policy_verify_successor(chain[i - 1], chain[i], owner_pk, key));
    return 0;
}

int fcp_zone_policy_check_ref(const fcp_zone_definition *def, const fcp_zone_policy_object *pol,
                              const fcp_object_id_key *key)
{
    uint8_t id[32];
    if (strcmp(def->zone_id, pol->zone_id) != 0)
        return FCP_EAUTHZ_ZONE_MISMATCH;
    TRY(fcp_zone_policy_object_id(id, pol, key));
    return memcmp(id, def->policy_object_id, 32) == 0 ? 0 : FCP_EZONE_POLICY_REF;
}

/* ---- quorum (D-ZONE-5) --------------------------------------------------- */

size_t fcp_quorum_required(int tier, size_t n, size_t f)
{
    if (n == 0 || 2 * f >= n)
        return 0;
    switch (tier) {
    case FCP_TIER_SAFE: return 1;
    case FCP_TIER_RISKY: return f + 1;
    case FCP_TIER_DANGEROUS:
    case FCP_TIER_CRITICAL: return n - f;
    default: return 0;
    }
}

/* ---- checkpoints (§3.8, D-ZONE-7) ---------------------------------------- */

static int is_signer(const fcp_zone_definition *def, const char *node)
{
    for (size_t i = 0; i < def->n_signers && i < FCP_ZONE_MAX_SIGNERS; i++)
        if (strcmp(def->quorum_signers[i], node) == 0)
            return 1;
    return 0;
}

int fcp_zone_checkpoint_verify(const fcp_zone_checkpoint *c, const fcp_zone_definition *def,
                               fcp_node_key_lookup lookup, void *ctx)
{
    fcp_quorum_sig q[FCP_QUORUM_MAX];
    fcp_schema_id s;
    fcp_buf b;
    size_t need;
    int rc;
    TRY(fcp_zone_checkpoint_validate(c));
    if (strcmp(c->zone_id, def->zone_id) != 0)
        return FCP_EAUTHZ_ZONE_MISMATCH;
    for (size_t i = 0; i < c->n_sigs; i++)
        if (!is_signer(def, c->sigs[i].node_id))
            return FCP_ECKPT_SIGNER;
    if (c->n_sigs > FCP_QUORUM_MAX || def->n_signers > FCP_ZONE_MAX_SIGNERS)
        return FCP_ELIMIT;
    need = fcp_quorum_required(FCP_TIER_CRITICAL, def->n_signers,
                               (size_t)fcp_zone_definition_faults(def));
    if (need == 0)
        return FCP_EZONE_QUORUM_CONFIG;
    for (size_t i = 0; i < c->n_sigs; i++) {
        q[i].node_id = (const uint8_t *)c->sigs[i].node_id;
        q[i].node_id_len = strlen(c->sigs[i].node_id);
        memcpy(q[i].sig, c->sigs[i].sig, FCP_SIG_BYTES);
    }
    fcp_zone_checkpoint_schema(&s);
    fcp_buf_init(&b);
    rc = fcp_zone_checkpoint_encode_unsigned(c, &b);
    if (rc == 0)
        rc = fcp_quorum_verify(q, c->n_sigs, need, &s, b.data, b.len, lookup, ctx);
    fcp_buf_free(&b);
    return rc;
}

int fcp_checkpoint_observe(fcp_checkpoint_state *st, const fcp_zone_checkpoint *c,
                           const uint8_t id[FCP_OBJECT_ID_BYTES])
{
    if ((c->checkpoint_seq == 0) != !c->has_prev)
        return FCP_ECKPT_GENESIS;
    if (st->have) {
        if (strcmp(st->zone_id, c->zone_id) != 0)
            return FCP_EAUTHZ_ZONE_MISMATCH;
        if (c->checkpoint_seq < st->seq)
            return FCP_ECKPT_ROLLBACK;
        if (c->checkpoint_seq == st->seq)
            return memcmp(id, st->id, 32) == 0 ? 1 : FCP_ECKPT_FORK;
        if (c->checkpoint_seq > st->seq + 1)
            return FCP_ECKPT_GAP;
        if (memcmp(c->prev_checkpoint_id, st->id, 32) != 0)
            return FCP_ECKPT_PREV;
        if (c->rev_seq < st->rev_seq || c->audit_seq < st->audit_seq)
            return FCP_ECKPT_ROLLBACK;
        if (c->as_of_epoch < st->epoch)
            return FCP_ECKPT_EPOCH;
    }
    st->have = 1;
    memcpy(st->zone_id, c->zone_id, sizeof st->zone_id);
    st->seq = c->checkpoint_seq;
    st->epoch = c->as_of_epoch;
    st->rev_seq = c->rev_seq;
    st->audit_seq = c->audit_seq;
    memcpy(st->id, id, 32);
    return 0;
}

int fcp_checkpoint_is_fork(const fcp_zone_checkpoint *a, const uint8_t ida[FCP_OBJECT_ID_BYTES],
                           const fcp_zone_checkpoint *b, const uint8_t idb[FCP_OBJECT_ID_BYTES])
{
    if (strcmp(a->zone_id, b->zone_id) != 0 || memcmp(ida, idb, 32) == 0)
        return 0;
    if (a->checkpoint_seq == b->checkpoint_seq)
        return 1;
    return a->has_prev && b->has_prev && memcmp(a->prev_checkpoint_id, b->prev_checkpoint_id, 32) == 0;
}
