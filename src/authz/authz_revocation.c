/*
 * authz_revocation.c - the exact revocation set, chain application,
 * freshness policy and the five enforcement points (spec §14.3, §14.3.1;
 * D-REV-2..4).
 *
 * Set layout: a dense array of entries (id, scopes, window) and a
 * power-of-two array of 64-bit slots holding a 32-bit fingerprint of the
 * id's keyed hash and entry index + 1, probed linearly.  The load factor
 * stays at or below 1/2, so an absent id is settled in a couple of probes
 * that usually share a cache line and never touch an entry unless the
 * fingerprints match; memory is 8 bytes per slot plus one entry per id.  Nothing is ever deleted: expiry is a window
 * check at lookup, and re-adding an id only widens its window.
 */
#include "fcp/authz_revocation.h"

#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* Keyed hash of a 32-byte id: the key is secret to the node, so ids chosen
 * by an adversary cannot be aimed at one probe run. */
static uint64_t id_hash(const fcp_revset *s, const uint8_t id[32])
{
    return mix(load64(id) ^ s->k0) ^ mix(load64(id + 8) ^ s->k1) ^ mix(load64(id + 16) + s->k0) ^
           mix(load64(id + 24) + s->k1);
}

int fcp_revset_init(fcp_revset *s, size_t expected, const uint8_t key[16])
{
    memset(s, 0, sizeof *s);
    if (expected > FCP_REVSET_MAX_IDS)
        return FCP_ELIMIT;
    size_t ns = 16;
    while (ns < expected * 2)
        ns <<= 1;
    s->slots = calloc(ns, sizeof *s->slots);
    s->cap = expected < 8 ? 8 : expected;
    s->ents = malloc(s->cap * sizeof *s->ents);
    if (!s->slots || !s->ents) {
        free(s->slots);
        free(s->ents);
        memset(s, 0, sizeof *s);
        return FCP_ENOMEM;
    }
    s->nslots = ns;
    s->k0 = load64(key);
    s->k1 = load64(key + 8);
    return 0;
}

void fcp_revset_free(fcp_revset *s)
{
    free(s->slots);
    free(s->ents);
    memset(s, 0, sizeof *s);
}

#define FP(h) ((h) & 0xffffffff00000000ull)

static long find(const fcp_revset *s, const uint8_t id[32])
{
    if (!s->slots)
        return -1;
    size_t mask = s->nslots - 1;
    uint64_t h = id_hash(s, id);
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint64_t v = s->slots[i];
        if (v == 0)
            return -1;
        if (FP(v) == FP(h) && memcmp(s->ents[(uint32_t)v - 1].id, id, 32) == 0)
            return (long)((uint32_t)v - 1);
    }
}

static void place(uint64_t *slots, size_t nslots, uint64_t h, size_t e)
{
    size_t mask = nslots - 1;
    size_t i = (size_t)h & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = FP(h) | (uint64_t)(e + 1);
}

static int grow(fcp_revset *s)
{
    size_t ns = s->nslots * 2;
    uint64_t *slots = calloc(ns, sizeof *slots);
    if (!slots)
        return FCP_ENOMEM;
    for (size_t e = 0; e < s->n; e++)
        place(slots, ns, id_hash(s, s->ents[e].id), e);
    free(s->slots);
    s->slots = slots;
    s->nslots = ns;
    return 0;
}

int fcp_revset_add(fcp_revset *s, const uint8_t id[32], enum fcp_rev_scope scope,
                   uint64_t effective_at, uint64_t expires_at)
{
    if ((unsigned)scope >= FCP_REV_SCOPE_COUNT)
        return FCP_EREV_SCOPE;
    if (expires_at && expires_at <= effective_at)
        return FCP_EREV_OBJECT;
    long e = find(s, id);
    if (e < 0) {
        if (s->n >= FCP_REVSET_MAX_IDS)
            return FCP_EREV_SET_FULL;
        if ((s->n + 1) * 2 > s->nslots) {
            int rc = grow(s);
            if (rc)
                return rc;
        }
        if (s->n == s->cap) {
            size_t nc = s->cap * 2;
            fcp_revset_entry *ne = realloc(s->ents, nc * sizeof *ne);
            if (!ne)
                return FCP_ENOMEM;
            s->ents = ne;
            s->cap = nc;
        }
        fcp_revset_entry *en = &s->ents[s->n];
        memset(en, 0, sizeof *en);
        memcpy(en->id, id, 32);
        place(s->slots, s->nslots, id_hash(s, id), s->n);
        e = (long)s->n++;
    }
    fcp_revset_entry *en = &s->ents[e];
    if (!en->scopes) {
        en->effective_at = effective_at;
        en->expires_at = expires_at;
    } else {
        /* revocation only grows: earliest start, latest (or no) end */
        if (effective_at < en->effective_at)
            en->effective_at = effective_at;
        if (en->expires_at && (!expires_at || expires_at > en->expires_at))
            en->expires_at = expires_at;
    }
    en->scopes |= (uint8_t)(1u << scope);
    return 0;
}

static int active(const fcp_revset_entry *en, unsigned scope_mask, uint64_t now)
{
    return (en->scopes & scope_mask) && now >= en->effective_at &&
           (en->expires_at == 0 || now < en->expires_at);
}

int fcp_revset_contains(const fcp_revset *s, const uint8_t id[32], enum fcp_rev_scope scope,
                        uint64_t now)
{
    if ((unsigned)scope >= FCP_REV_SCOPE_COUNT)
        return 0;
    long e = find(s, id);
    return e >= 0 && active(&s->ents[e], 1u << scope, now);
}

int fcp_revset_contains_any(const fcp_revset *s, const uint8_t id[32], uint64_t now)
{
    long e = find(s, id);
    return e >= 0 && active(&s->ents[e], 0xffu, now);
}

int fcp_revset_apply_object(fcp_revset *s, const fcp_revocation_object *r)
{
    for (size_t i = 0; i < r->n_revoked; i++) {
        int rc = fcp_revset_add(s, r->revoked[i], r->scope, r->effective_at,
                                r->has_expires_at ? r->expires_at : 0);
        if (rc)
            return rc;
    }
    return 0;
}

int fcp_revset_apply_event(fcp_revset *s, const fcp_revocation_event *e,
                           const uint8_t event_id[32], const fcp_revocation_object *obj,
                           uint64_t now)
{
    if (e->seq <= s->seq)
        return FCP_EREV_CHAIN_DUPLICATE;
    if (e->seq != s->seq + 1)
        return FCP_EREV_CHAIN_GAP;
    if (s->seq == 0 ? e->has_prev : (!e->has_prev || memcmp(e->prev, s->head_event, 32) != 0))
        return FCP_EREV_CHAIN_BROKEN;
    if (!obj)
        return FCP_EREV_CHAIN_BROKEN;
    int rc = fcp_revset_apply_object(s, obj);
    if (rc)
        return rc;
    s->seq = e->seq;
    memcpy(s->head_event, event_id, 32);
    s->last_updated = now;
    return 0;
}

int fcp_rev_chain_check(const fcp_rev_chain_link *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i == 0) {
            if (l[0].has_prev)
                return FCP_EREV_CHAIN_BROKEN;
            continue;
        }
        if (l[i].seq <= l[i - 1].seq)
            return FCP_EREV_CHAIN_DUPLICATE;
        if (l[i].seq != l[i - 1].seq + 1)
            return FCP_EREV_CHAIN_GAP;
        if (!l[i].has_prev || l[i].prev_seq != l[i - 1].seq)
            return FCP_EREV_CHAIN_BROKEN;
    }
    return 0;
}

void fcp_revset_mark_fresh(fcp_revset *s, uint64_t now)
{
    s->last_updated = now;
}

/* ---- freshness --------------------------------------------------------------- */

void fcp_rev_freshness_policy_default(fcp_rev_freshness_policy *p)
{
    p->max_age_dangerous = 60;
    p->max_age_risky = 300;
    p->allow_risky_override = 0;
}

int fcp_rev_freshness_mode_check(enum fcp_rev_fresh_mode mode, uint64_t local_seq,
                                 uint64_t remote_seq, uint64_t last_updated, uint64_t now,
                                 uint64_t max_age, unsigned *flags)
{
    uint64_t age = now > last_updated ? now - last_updated : 0;
    int behind = local_seq < remote_seq;
    int stale = behind || age > max_age;
    *flags = stale ? FCP_REV_STALE : FCP_REV_FRESH;
    if (!stale)
        return 0;
    switch (mode) {
    case FCP_REV_STRICT: return FCP_EREV_STALE;
    case FCP_REV_WARN: return age <= max_age ? 0 : FCP_EREV_STALE;
    case FCP_REV_BEST_EFFORT: return 0;
    default: return FCP_EREV_STALE;
    }
}

int fcp_rev_freshness_check(const fcp_rev_freshness_policy *p, enum fcp_op_tier tier,
                            const fcp_revset *s, uint64_t required_seq, uint64_t now,
                            int interactive_override, unsigned *flags)
{
    int rc;
    *flags = 0;
    switch (tier) {
    case FCP_OP_DANGEROUS:
        return fcp_rev_freshness_mode_check(FCP_REV_STRICT, s->seq, required_seq, s->last_updated, now,
                                            p->max_age_dangerous, flags);
    case FCP_OP_RISKY:
        if (p->allow_risky_override && interactive_override) {
            rc = fcp_rev_freshness_mode_check(FCP_REV_WARN, s->seq, required_seq, s->last_updated, now,
                                              p->max_age_risky, flags);
            if (rc == 0 && (*flags & FCP_REV_STALE))
                *flags |= FCP_REV_OVERRIDDEN;
            return rc;
        }
        return fcp_rev_freshness_mode_check(FCP_REV_STRICT, s->seq, required_seq, s->last_updated, now,
                                            p->max_age_risky, flags);
    case FCP_OP_SAFE:
        rc = fcp_rev_freshness_mode_check(FCP_REV_BEST_EFFORT, s->seq, required_seq, s->last_updated, now,
                                          p->max_age_risky, flags);
        if (*flags & FCP_REV_STALE)
            *flags |= FCP_REV_DEGRADED;
        return rc;
    default:
        return FCP_ETOKEN_TIER;
    }
}

/* ---- enforcement points -------------------------------------------------------- */

int fcp_rev_enforce_token_accept(const fcp_revset *s, const uint8_t token_id[32],
                                 const uint8_t iss_pubkey[32], const uint8_t iss_attestation_id[32],
                                 const uint8_t (*grant_ids)[32], size_t n_grants, uint64_t now)
{
    if (fcp_revset_contains(s, token_id, FCP_REV_CAPABILITY, now))
        return FCP_ETOKEN_REVOKED;
    if (fcp_revset_contains(s, iss_pubkey, FCP_REV_ISSUER_KEY, now) ||
        fcp_revset_contains(s, iss_attestation_id, FCP_REV_NODE_ATTESTATION, now))
        return FCP_ETOKEN_ISSUER_REVOKED;
    for (size_t i = 0; i < n_grants; i++)
        if (fcp_revset_contains(s, grant_ids[i], FCP_REV_CAPABILITY, now))
            return FCP_ETOKEN_GRANT_REVOKED;
    return 0;
}

int fcp_rev_enforce_execute(const fcp_revset *s, const fcp_rev_freshness_policy *p,
                            enum fcp_op_tier tier, const uint8_t token_id[32],
                            const uint8_t (*grant_ids)[32], size_t n_grants,
                            const uint8_t connector_binary[32], uint64_t required_seq,
                            int interactive_override, uint64_t now, unsigned *flags)
{
    *flags = 0;
    /* revocations known now win over everything, fresh or not */
    if (fcp_revset_contains(s, token_id, FCP_REV_CAPABILITY, now))
        return FCP_ETOKEN_REVOKED;
    for (size_t i = 0; i < n_grants; i++)
        if (fcp_revset_contains(s, grant_ids[i], FCP_REV_CAPABILITY, now))
            return FCP_ETOKEN_GRANT_REVOKED;
    if (connector_binary && fcp_revset_contains(s, connector_binary, FCP_REV_CONNECTOR_BINARY, now))
        return FCP_EREV_CONNECTOR;
    return fcp_rev_freshness_check(p, tier, s, required_seq, now, interactive_override, flags);
}

int fcp_rev_enforce_audit_head(const fcp_revset *s, const uint8_t (*signer_attestation_ids)[32],
                               size_t n, uint64_t now)
{
    for (size_t i = 0; i < n; i++)
        if (fcp_revset_contains(s, signer_attestation_ids[i], FCP_REV_NODE_ATTESTATION, now))
            return FCP_EREV_NODE;
    return 0;
}

int fcp_rev_enforce_zone_key(const fcp_revset *s, const uint8_t zone_key_object_id[32], uint64_t now)
{
    return fcp_revset_contains(s, zone_key_object_id, FCP_REV_ZONE_KEY, now) ? FCP_EREV_ZONE_KEY : 0;
}

int fcp_rev_enforce_connector_start(const fcp_revset *s, const uint8_t binary_id[32],
                                    const uint8_t manifest_id[32], uint64_t now)
{
    if (fcp_revset_contains(s, binary_id, FCP_REV_CONNECTOR_BINARY, now) ||
        (manifest_id && fcp_revset_contains(s, manifest_id, FCP_REV_CONNECTOR_BINARY, now)))
        return FCP_EREV_CONNECTOR;
    return 0;
}

int fcp_revset_lookup_cb(void *ctx, enum fcp_rev_scope scope, const uint8_t id[32], uint64_t now)
{
    return fcp_revset_contains((const fcp_revset *)ctx, id, scope, now);
}
