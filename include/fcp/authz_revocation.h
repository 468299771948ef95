/*
 * authz_revocation.h - revocation enforcement (spec §14.3, §14.3.1): the
 * exact revocation set, chain application, freshness policy and the five
 * enforcement points.
 *
 * The set is an open-addressing hash table of 32-byte ids (keyed hash, linear
 * probing over a power-of-two slot array; a slot holds a 32-bit fingerprint
 * of the hash and a 32-bit index into a dense entry array, so a miss rarely
 * touches an entry) with O(1) expected lookup; it is exact (no false positives: the
 * spec's Bloom filter is an optimisation this design does not need) and holds
 * FCP_REVSET_MAX_IDS (2^24) ids.  Each id remembers the scopes it is revoked
 * in, when its revocation takes effect and when it ends (0 = permanent).  Revocation
 * always wins: no API removes an id, and the enforcement points consult the
 * set before anything else can accept.
 *
 * Freshness (D-REV-3): Dangerous operations need state no older than
 * max_age_dangerous and not behind the required seq (else FCP_EREV_STALE);
 * Risky may proceed on stale state only with policy permission and an
 * interactive override; Safe proceeds in degraded mode and the result asks
 * for an audit event.
 */
#ifndef FCP_AUTHZ_REVOCATION_H
#define FCP_AUTHZ_REVOCATION_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/authz_token.h"
#include "fcp/model_revocation.h"

#define FCP_REVSET_MAX_IDS (1u << 24)

/* One revoked id: the scopes it is revoked in and one window covering all of
 * them (the union: earliest start, latest or no end).  Merging windows
 * across scopes can only revoke more, never less (D-REV-3), and keeps an
 * entry at 56 bytes: a million ids take about 72 MiB with the slots. */
typedef struct fcp_revset_entry {
    uint8_t  id[32];
    uint64_t effective_at;
    uint64_t expires_at;      /* 0 = permanent */
    uint8_t  scopes;          /* bit (1 << scope) */
} fcp_revset_entry;

typedef struct fcp_revset {
    uint64_t *slots;          /* 0 = empty, else (hash high 32 bits << 32) | (entry index + 1) */
    size_t    nslots;         /* power of two */
    fcp_revset_entry *ents;
    size_t    n, cap;
    uint64_t  k0, k1;         /* hash key */
    /* chain state */
    uint64_t  seq;            /* last applied event seq (0 = none) */
    uint8_t   head_event[32]; /* id of the last applied event */
    uint64_t  last_updated;   /* Unix seconds the state was last confirmed fresh */
} fcp_revset;

/* Create an empty set sized for expected ids (grows as needed).  key is 16
 * random bytes for the hash (sans-IO: the caller supplies them).  0 or
 * FCP_ENOMEM / FCP_ELIMIT.  Free with fcp_revset_free. */
int fcp_revset_init(fcp_revset *s, size_t expected, const uint8_t key[16]);
void fcp_revset_free(fcp_revset *s);

/* Add id revoked in scope from effective_at until expires_at (0 =
 * permanent).  Re-adding keeps the earliest start and the latest (or
 * permanent) end: revocation only ever grows.  0, FCP_EREV_SCOPE,
 * FCP_EREV_SET_FULL, FCP_ENOMEM. */
int fcp_revset_add(fcp_revset *s, const uint8_t id[32], enum fcp_rev_scope scope,
                   uint64_t effective_at, uint64_t expires_at);

/* 1 if id is revoked in scope at now, else 0. */
int fcp_revset_contains(const fcp_revset *s, const uint8_t id[32], enum fcp_rev_scope scope,
                        uint64_t now);
/* 1 if id is revoked in any scope at now. */
int fcp_revset_contains_any(const fcp_revset *s, const uint8_t id[32], uint64_t now);

/* Apply an owner-verified RevocationObject (all its ids, its scope). */
int fcp_revset_apply_object(fcp_revset *s, const fcp_revocation_object *r);

/* Apply the next chain event: seq must be s->seq + 1 (FCP_EREV_CHAIN_GAP if
 * larger, FCP_EREV_CHAIN_DUPLICATE if <= s->seq), prev must equal the last
 * event id (FCP_EREV_CHAIN_BROKEN; no prev for seq 1), event_id is its
 * content id and obj the RevocationObject it names (checked:
 * FCP_EREV_CHAIN_BROKEN).  On success the set and head advance and
 * last_updated = now. */
int fcp_revset_apply_event(fcp_revset *s, const fcp_revocation_event *e,
                           const uint8_t event_id[32], const fcp_revocation_object *obj,
                           uint64_t now);

/* Pure chain check over events given as (seq, has_prev, prev_seq) triples:
 * the reference's chain_vectors rule.  0, FCP_EREV_CHAIN_GAP,
 * FCP_EREV_CHAIN_DUPLICATE, FCP_EREV_CHAIN_BROKEN. */
typedef struct fcp_rev_chain_link {
    uint64_t seq;
    int      has_prev;
    uint64_t prev_seq;
} fcp_rev_chain_link;
int fcp_rev_chain_check(const fcp_rev_chain_link *links, size_t n);

/* Mark the state fresh at now with remote head seq known to be remote_seq
 * (e.g. after a RevocationHead was verified and the chain caught up). */
void fcp_revset_mark_fresh(fcp_revset *s, uint64_t now);

/* ---- freshness ------------------------------------------------------- */
enum fcp_rev_fresh_mode { FCP_REV_STRICT = 0, FCP_REV_WARN = 1, FCP_REV_BEST_EFFORT = 2 };

typedef struct fcp_rev_freshness_policy {
    uint64_t max_age_dangerous;        /* seconds, strict */
    uint64_t max_age_risky;            /* seconds, the override window */
    int      allow_risky_override;     /* policy permits interactive override */
} fcp_rev_freshness_policy;

/* Result flags. */
#define FCP_REV_FRESH          0u
#define FCP_REV_STALE          1u   /* state was stale */
#define FCP_REV_OVERRIDDEN     2u   /* allowed by interactive override (Risky) */
#define FCP_REV_DEGRADED       4u   /* allowed in degraded mode: emit an audit event (Safe) */

/* Defaults: 60 s dangerous, 300 s risky, override not allowed. */
void fcp_rev_freshness_policy_default(fcp_rev_freshness_policy *p);

/* The reference's three modes (freshness_vectors): stale = local_seq <
 * remote_seq or now - last_updated > max_age.  Strict: stale -> deny.  Warn:
 * stale but age <= max_age -> allow (flag STALE).  Best effort: always allow.
 * Returns 0 (allowed; *flags) or FCP_EREV_STALE. */
int fcp_rev_freshness_mode_check(enum fcp_rev_fresh_mode mode, uint64_t local_seq,
                                 uint64_t remote_seq, uint64_t last_updated, uint64_t now,
                                 uint64_t max_age, unsigned *flags);

/* The tiered rule: Dangerous -> strict with max_age_dangerous; Risky ->
 * warn with max_age_risky but only if policy allows and interactive_override
 * is set (flags OVERRIDDEN), else strict; Safe -> best effort (flags
 * DEGRADED when stale).  Forbidden -> FCP_ETOKEN_TIER. */
int fcp_rev_freshness_check(const fcp_rev_freshness_policy *p, enum fcp_op_tier tier,
                            const fcp_revset *s, uint64_t required_seq, uint64_t now,
                            int interactive_override, unsigned *flags);

/* ---- enforcement points (spec §14.3 "Enforcement Points") ------------- */

/* 1. Before accepting a capability token: token id, issuer issuance key,
 *    issuer node attestation id, grant object ids.  FCP_ETOKEN_REVOKED,
 *    FCP_ETOKEN_ISSUER_REVOKED, FCP_ETOKEN_GRANT_REVOKED. */
int fcp_rev_enforce_token_accept(const fcp_revset *s, const uint8_t token_id[32],
                                 const uint8_t iss_pubkey[32], const uint8_t iss_attestation_id[32],
                                 const uint8_t (*grant_ids)[32], size_t n_grants, uint64_t now);

/* 2. Before executing an operation: the token and grants again (state may
 *    have moved), the connector binary, and freshness for the tier. */
int fcp_rev_enforce_execute(const fcp_revset *s, const fcp_rev_freshness_policy *p,
                            enum fcp_op_tier tier, const uint8_t token_id[32],
                            const uint8_t (*grant_ids)[32], size_t n_grants,
                            const uint8_t connector_binary[32], uint64_t required_seq,
                            int interactive_override, uint64_t now, unsigned *flags);

/* 3. Before accepting symbols for an audit head update: every signer's node
 *    attestation id.  FCP_EREV_NODE. */
int fcp_rev_enforce_audit_head(const fcp_revset *s, const uint8_t (*signer_attestation_ids)[32],
                               size_t n, uint64_t now);

/* 4. Before using a zone key: its id (e.g. the ZoneKeyManifest / key object
 *    id).  FCP_EREV_ZONE_KEY. */
int fcp_rev_enforce_zone_key(const fcp_revset *s, const uint8_t zone_key_object_id[32],
                             uint64_t now);

/* 5. On connector startup: binary and manifest ids.  FCP_EREV_CONNECTOR. */
int fcp_rev_enforce_connector_start(const fcp_revset *s, const uint8_t binary_id[32],
                                    const uint8_t manifest_id[32], uint64_t now);

/* A fcp_token_lookup.is_revoked backed by a fcp_revset (ctx = the set). */
int fcp_revset_lookup_cb(void *ctx, enum fcp_rev_scope scope, const uint8_t id[32], uint64_t now);

#endif
