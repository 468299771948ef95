/*
 * host_state.h - the host side of externalised connector state (spec §10.4,
 * review Change 11): one slot per connector instance keeps the singleton-
 * writer fence and the head of its ConnectorStateObject chain
 * (model_lease.h), and turns a connector's "state_put" into the next signed
 * version, refused unless its writer holds the current lease and names the
 * current head.
 *
 * The lease (D-RUNTIME-8).  On a single node the executing node is the
 * writer by construction (D-INVOKE-3), so the slot makes an implicit
 * ConnectorStateWrite lease per activation: subject = the state root,
 * lease_seq = the activation epoch (strictly increasing across connector
 * restarts and daemon restarts), owner = coordinator = this node, Safe tier,
 * exp = iat + FCP_STATE_LEASE_SECS, no quorum signatures.  Each activation
 * is observed into the fence, so a write by an earlier activation is
 * FCP_ESTATE_FENCE_STALE.
 *
 * State root (D-RUNTIME-8): BLAKE3("FCP2-STATE-ROOT-V1" || u32le(|zone|) ||
 * zone || u32le(|connector_id|) || connector_id || u32le(|instance_id|) ||
 * instance_id), 32 bytes.
 *
 * Pure apart from the caller's key material; time is an argument.  Not
 * thread-safe (fcpd serves a slot on its loop thread).
 */
#ifndef FCP_HOST_STATE_H
#define FCP_HOST_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"

/* The slot is opaque: its fence and chain types (authz_lease.h) cannot share
 * a translation unit with host_manifest.h's safety tiers. */
#define FCP_HOST_STATE_MAX     (256 * 1024)          /* = FCP_STATE_MAX_BYTES */
#define FCP_HOST_STATE_ENC_MAX (FCP_HOST_STATE_MAX + 64 * 1024 + 4096) /* = FCP_STATE_MAX_ENCODED */
#define FCP_STATE_LEASE_SECS   (10ull * 365 * 86400)  /* implicit lease lifetime */

typedef struct fcp_state_slot fcp_state_slot;
struct fcp_object_id_key;

/* The state root of (zone, connector, instance). */
void fcp_state_root_derive(uint8_t out[32], const char *zone, const char *connector_id,
                           const char *instance_id);

/* A new empty slot (no epoch, no head), or NULL with *err = FCP_EINVAL
 * (ids empty or too long) or FCP_ENOMEM.  oid_key: the zone's ObjectIdKey. */
fcp_state_slot *fcp_state_slot_new(const char *zone, const char *connector_id, const char *instance_id,
                                   const char *node_id, const uint8_t node_pk[32],
                                   const struct fcp_object_id_key *oid_key, int *err);
void fcp_state_slot_free(fcp_state_slot *s);   /* NULL allowed */

/* The highest activation epoch (0: none). */
uint64_t fcp_state_slot_epoch(const fcp_state_slot *s);
/* 1 when a head exists, with its state_seq, ObjectId, state bytes and full
 * encoding (pointers into the slot, valid until the next change; any output
 * may be NULL); 0 when there is none yet. */
int fcp_state_slot_head(const fcp_state_slot *s, uint64_t *seq, uint8_t id[32], const uint8_t **state,
                        size_t *state_len, const uint8_t **enc, size_t *enc_len);

/* Restore a persisted slot: the last epoch and (enc may be NULL / 0: no
 * head) the head version's encoding, which must decode, verify with node_pk
 * and belong to this instance (FCP_ESTATE_INSTANCE); on error the slot is
 * unchanged.  The fence is kept (after a restart it is empty until the next
 * fcp_state_activate); also used to roll a slot back to a saved head. */
int fcp_state_slot_restore(fcp_state_slot *s, uint64_t epoch, const uint8_t *enc, size_t len);

/* A new activation at time now: epoch = previous + 1, its implicit lease
 * observed into the fence; *epoch_out receives it. */
int fcp_state_activate(fcp_state_slot *s, uint64_t now, uint64_t *epoch_out);

/* Write the next version for the writer activated as `epoch`:
 *   expect_prev NULL: on top of the current head (or as the first version);
 *   expect_prev_len 0 (pointer non-NULL): "there is no state yet";
 *   expect_prev_len 32: on top of exactly that version.
 * The version is built, signed with node_sk and checked with
 * fcp_state_object_accept: a stale epoch is FCP_ESTATE_FENCE_STALE, an epoch
 * above the fence FCP_ESTATE_FENCE_UNKNOWN, a wrong expectation
 * FCP_ESTATE_PREV / FCP_ESTATE_SEQ / FCP_ESTATE_GENESIS, state over
 * FCP_STATE_MAX_BYTES FCP_ETOO_LARGE.  On success the head advances, *enc
 * (appended) holds its canonical CBOR and id its ObjectId; on error nothing
 * changes. */
int fcp_state_slot_write(fcp_state_slot *s, uint64_t epoch, const uint8_t *expect_prev, size_t expect_prev_len,
                    const uint8_t *state, size_t state_len, uint64_t now, const uint8_t node_sk[64],
                    fcp_buf *enc, uint8_t id[32]);

#endif
