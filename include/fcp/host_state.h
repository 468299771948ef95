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

#include "fcp/authz_lease.h"
#include "fcp/buf.h"
#include "fcp/model_lease.h"

#define FCP_STATE_LEASE_SECS (10ull * 365 * 86400)  /* implicit lease lifetime */

typedef struct fcp_state_slot {
    char     zone[FCP_ZONE_ID_MAX + 1];
    char     connector_id[FCP_STATE_ID_MAX + 1];
    char     instance_id[FCP_STATE_ID_MAX + 1];
    char     node_id[FCP_NODE_ID_MAX + 1];
    uint8_t  node_pk[32];                 /* verifies the versions this node signs */
    fcp_object_id_key oid_key;            /* the zone's ObjectIdKey */
    uint8_t  state_root[FCP_OBJECT_ID_BYTES];
    uint64_t epoch;                       /* highest activation (0: none yet) */
    uint8_t  lease_id[FCP_OBJECT_ID_BYTES]; /* ObjectId of the lease of `epoch` */
    fcp_lease_fence fence;
    fcp_state_head  head;
    fcp_buf  head_obj;                    /* canonical CBOR of the head version */
} fcp_state_slot;

/* The state root of (zone, connector, instance). */
void fcp_state_root_derive(uint8_t out[FCP_OBJECT_ID_BYTES], const char *zone, const char *connector_id,
                           const char *instance_id);

/* Set up an empty slot (no epoch, no head).  FCP_EINVAL for ids that are
 * empty or too long. */
int fcp_state_slot_init(fcp_state_slot *s, const char *zone, const char *connector_id, const char *instance_id,
                        const char *node_id, const uint8_t node_pk[32], const fcp_object_id_key *oid_key);
void fcp_state_slot_free(fcp_state_slot *s);

/* Restore a persisted slot: the last epoch and (enc may be NULL / 0) the head
 * version's encoding, which must decode, verify with node_pk and belong to
 * this instance (FCP_ESTATE_INSTANCE).  The fence stays empty until the next
 * fcp_state_activate. */
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
                    fcp_buf *enc, uint8_t id[FCP_OBJECT_ID_BYTES]);

#endif
