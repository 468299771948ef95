/*
 * authz_lease.h - lease evaluation (spec §15.1, review Change 11): the
 * rendezvous-hash coordinator, quorum rules per safety tier, lease_seq
 * fencing, the conflict rule, and fencing of singleton-writer
 * ConnectorStateObject updates (fence plus version chain, D-LEASE-5).  Pure
 * functions; time is an argument.
 *
 * HRW (D-LEASE-2, the reference implementation's hrw_hash):
 *   score(zone, key, node) = first 8 bytes, read little-endian, of
 *     BLAKE3("FCP2-HRW-V1" || u32le(|zone|) || zone || u32le(|key|) || key
 *            || u32le(|node|) || node)
 *   winner = the node with the highest score; equal scores -> the smaller
 *   node id (bytewise).  For a lease, key = subject_object_id (32 bytes).
 */
#ifndef FCP_AUTHZ_LEASE_H
#define FCP_AUTHZ_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/authz_zone.h"
#include "fcp/model_lease.h"

#define FCP_LEASE_MAX_SKEW 30u   /* seconds an iat may lie in the future */

uint64_t fcp_hrw_score(const char *zone, size_t zone_len, const uint8_t *key, size_t key_len,
                       const char *node, size_t node_len);

/* Checkpoint coordinator ranking (the reference implementation's
 * hrw_hash_checkpoint): same construction with domain
 * "FCP2-HRW-CHECKPOINT-V1" and key = the epoch id text; nodes best first
 * into order[0..n) (n <= FCP_QUORUM_MAX). */
uint64_t fcp_hrw_checkpoint_score(const char *zone, size_t zone_len, const char *epoch,
                                  size_t epoch_len, const char *node, size_t node_len);
void fcp_hrw_checkpoint_rank(const char *zone, size_t zone_len, const char *epoch,
                             size_t epoch_len, const char *const *nodes, size_t n, size_t *order);

/* Index of the HRW winner among nodes[0..n) (NUL-terminated ids), or -1 if
 * n == 0.  fcp_hrw_rank writes the indices best first into order[0..n)
 * (n <= FCP_QUORUM_MAX; only the first FCP_QUORUM_MAX are ranked). */
int fcp_hrw_select(const char *zone, size_t zone_len, const uint8_t *key, size_t key_len,
                   const char *const *nodes, size_t n);
void fcp_hrw_rank(const char *zone, size_t zone_len, const uint8_t *key, size_t key_len,
                  const char *const *nodes, size_t n, size_t *order);

/* Full verification of a lease against the zone definition at time now:
 *   zone (FCP_EAUTHZ_ZONE_MISMATCH); iat <= now + FCP_LEASE_MAX_SKEW
 *   (FCP_ELEASE_NOT_YET); now < exp (FCP_ELEASE_EXPIRED); coordinator is the
 *   HRW winner over def's quorum_signers for (zone, subject) and signed
 *   (FCP_ELEASE_COORDINATOR); every signer is in quorum_signers
 *   (FCP_ELEASE_SIGNER); count >= fcp_quorum_required(tier)
 *   (FCP_ELEASE_QUORUM); every signature valid (FCP_EBAD_SIGNATURE).
 * def must be a definition the caller already verified; more than
 * FCP_ZONE_MAX_SIGNERS signers is FCP_ELIMIT. */
int fcp_lease_verify(const fcp_lease *l, const fcp_zone_definition *def, uint64_t now,
                     fcp_node_key_lookup lookup, void *ctx);

/* Fencing state for one subject: the highest lease seen. */
typedef struct fcp_lease_fence {
    int      have;
    uint8_t  subject[FCP_OBJECT_ID_BYTES];
    uint64_t lease_seq;
    uint8_t  lease_id[FCP_OBJECT_ID_BYTES];
    int      safety_tier;
    uint64_t exp;
    char     owner_node[FCP_NODE_ID_MAX + 1];
    int      purpose;
} fcp_lease_fence;

/* Offer a verified lease (ObjectId id).  0: it is now the highest (fence
 * advanced); 1: the same lease again.  Errors (fence unchanged):
 * FCP_ELEASE_SUBJECT, FCP_ELEASE_STALE (lower lease_seq), FCP_ELEASE_CONFLICT
 * (same lease_seq, different lease). */
int fcp_lease_fence_observe(fcp_lease_fence *f, const fcp_lease *l,
                            const uint8_t id[FCP_OBJECT_ID_BYTES]);

/* Conflict rule (§15.1, D-LEASE-4) for two valid leases on one subject:
 * the higher lease_seq wins; on equal lease_seq a Dangerous lease refuses
 * (FCP_ELEASE_CONFLICT), otherwise the higher (exp, coordinator) wins.
 * Returns 0 (a wins) or 1 (b wins); FCP_ELEASE_SUBJECT for other subjects;
 * identical ids return 0. */
int fcp_lease_pick(const fcp_lease *a, const uint8_t ida[FCP_OBJECT_ID_BYTES], const fcp_lease *b,
                   const uint8_t idb[FCP_OBJECT_ID_BYTES]);

/* The fencing evidence a ConnectorStateObject update carries (review
 * Change 11): writer node, subject (the state root), and the optional
 * lease_seq / lease_object_id fields. */
typedef struct fcp_state_write {
    int         singleton_writer;     /* ConnectorStateModel::SingletonWriter */
    const char *writer_node;
    size_t      writer_len;
    uint8_t     subject[FCP_OBJECT_ID_BYTES];
    int         has_lease_seq;
    uint64_t    lease_seq;
    int         has_lease_object_id;
    uint8_t     lease_object_id[FCP_OBJECT_ID_BYTES];
    uint64_t    updated_at;
} fcp_state_write;

/* Accept or reject a state update against the fence of its subject.
 * Non-singleton models are accepted (0).  Singleton writer: both fields
 * present (FCP_ESTATE_FENCE_MISSING); subject fenced (FCP_ELEASE_SUBJECT);
 * lease_seq < fence (FCP_ESTATE_FENCE_STALE), > fence
 * (FCP_ESTATE_FENCE_UNKNOWN); lease_object_id == fence id
 * (FCP_ESTATE_FENCE_LEASE); purpose ConnectorStateWrite
 * (FCP_ELEASE_PURPOSE); writer == owner_node (FCP_ELEASE_HOLDER);
 * updated_at < exp (FCP_ELEASE_EXPIRED).  A missing writer is
 * FCP_ELEASE_HOLDER. */
int fcp_state_write_check(const fcp_lease_fence *f, const fcp_state_write *w);

/* The fencing evidence of a ConnectorStateObject, as fcp_state_write_check
 * reads it: singleton writer, writer node, subject = state_root, lease_seq,
 * lease_object_id, updated_at.  w points into s. */
void fcp_state_write_from_object(fcp_state_write *w, const fcp_connector_state *s);

/* The current head of one connector instance's state chain. */
typedef struct fcp_state_head {
    int      have;                                  /* 0: no version accepted yet */
    char     connector_id[FCP_STATE_ID_MAX + 1];
    char     instance_id[FCP_STATE_ID_MAX + 1];
    uint8_t  state_root[FCP_OBJECT_ID_BYTES];
    uint64_t state_seq;
    uint8_t  id[FCP_OBJECT_ID_BYTES];               /* ObjectId of the head version */
} fcp_state_head;

/* Accept or reject the next version s of a singleton-writer state (D-LEASE-5),
 * in this order:
 *   1 the writer's signature, key from lookup(writer) (lookup failure or a
 *     bad signature: FCP_EBAD_SIGNATURE);
 *   2 the fence, exactly fcp_state_write_check on
 *     fcp_state_write_from_object(s): a stale lease_seq is
 *     FCP_ESTATE_FENCE_STALE, and every other fence error as documented there;
 *   3 the chain: with no head, s must be version 0 without prev
 *     (FCP_ESTATE_GENESIS); with a head, connector_id, instance_id and
 *     state_root equal the head's (FCP_ESTATE_INSTANCE), state_seq is the
 *     head's + 1 (FCP_ESTATE_SEQ) and prev is the head's ObjectId
 *     (FCP_ESTATE_PREV).
 * s must be a decoded (validated) object.  Pure: nothing changes. */
int fcp_state_object_check(const fcp_lease_fence *f, const fcp_state_head *head,
                           const fcp_connector_state *s, fcp_node_key_lookup lookup, void *ctx);

/* fcp_state_object_check, then on success make s (ObjectId id) the head. */
int fcp_state_object_accept(const fcp_lease_fence *f, fcp_state_head *head,
                            const fcp_connector_state *s, const uint8_t id[FCP_OBJECT_ID_BYTES],
                            fcp_node_key_lookup lookup, void *ctx);

#endif
