/*
 * model_lease.h - the generic Lease object (spec §15.1 as generalised by
 * review Change 11): a short-lived, renewable, fenced lock on a subject
 * object, quorum-signed by zone nodes.
 *
 * CBOR (fcp.core.Lease/1.0.0, D-LEASE-1):
 *   { "header": ObjectHeader, "subject_object_id": bytes 32,
 *     "purpose": "OperationExecution" / "ConnectorStateWrite" /
 *                "ComputationMigration",
 *     "lease_seq": uint, "owner_node": node-id, "coordinator": node-id,
 *     "iat": uint, "exp": uint (> iat),
 *     "safety_tier": "Safe" / "Risky" / "Dangerous",
 *     "quorum_signatures": [* [node-id, bytes 64]] (strictly ascending) }
 * safety_tier is ours: it is signed with the lease so a verifier knows which
 * quorum rule applies without trusting the holder.  The zone is the
 * header's zone_id.
 */
#ifndef FCP_MODEL_LEASE_H
#define FCP_MODEL_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_sign.h"
#include "fcp/model_zone.h"

#define FCP_LEASE_MAX_ENCODED (64 * 1024)

enum fcp_lease_purpose {
    FCP_LEASE_OPERATION_EXECUTION = 0,
    FCP_LEASE_CONNECTOR_STATE_WRITE = 1,
    FCP_LEASE_COMPUTATION_MIGRATION = 2,
};

typedef struct fcp_lease {
    fcp_object_header header;
    uint8_t  subject_object_id[FCP_OBJECT_ID_BYTES];
    int      purpose;                     /* enum fcp_lease_purpose */
    uint64_t lease_seq;
    char     owner_node[FCP_NODE_ID_MAX + 1];
    char     coordinator[FCP_NODE_ID_MAX + 1];
    uint64_t iat, exp;
    int      safety_tier;                 /* FCP_TIER_SAFE..FCP_TIER_DANGEROUS */
    size_t   n_sigs;
    fcp_zone_sig sigs[FCP_QUORUM_MAX];
} fcp_lease;

void fcp_lease_schema(fcp_schema_id *s);

/* Names of purposes / tiers ("OperationExecution", "Safe") or NULL. */
const char *fcp_lease_purpose_name(int purpose);
const char *fcp_lease_tier_name(int tier);

/* Decoder invariants: header errors, FCP_ESCHEMA_MISMATCH, FCP_ELEASE_PURPOSE,
 * FCP_ELEASE_TIER, FCP_ENODE_ID, FCP_ELEASE_TIMES, FCP_ELIMIT, quorum order
 * errors. */
int fcp_lease_validate(const fcp_lease *l);
int fcp_lease_encode(const fcp_lease *l, fcp_buf *out);
int fcp_lease_encode_unsigned(const fcp_lease *l, fcp_buf *out);
/* Strict decode (nothing may follow, n <= FCP_LEASE_MAX_ENCODED). */
int fcp_lease_decode(fcp_lease *l, const uint8_t *p, size_t n);

/* Add node_id's signature over the unsigned view, keeping the array sorted
 * (FCP_EDUPLICATE_SIGNER, FCP_ELIMIT). */
int fcp_lease_add_signature(fcp_lease *l, const char *node_id, size_t len, const uint8_t node_sk[64]);

/* ObjectId (D-ZONE-1 rule). */
int fcp_lease_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_lease *l,
                        const fcp_object_id_key *key);

/* ---- ConnectorStateObject (spec §10.4, review Change 11; D-LEASE-5) -------
 *
 * One version of a connector instance's singleton-writer state, signed by
 * the node that wrote it under a ConnectorStateWrite lease.  Versions form a
 * chain: state_seq 0 has no prev, state_seq n > 0 names the ObjectId of
 * version n - 1.  CBOR (fcp.core.ConnectorStateObject/1.0.0):
 *   { "header": ObjectHeader, "connector_id": text, "instance_id": text,
 *     "state_root": bytes 32 (the subject_object_id of the leases that
 *                   fence this state),
 *     "writer": node-id, "lease_seq": uint (fencing token),
 *     "lease_object_id": bytes 32, "state_seq": uint, ? "prev": bytes 32,
 *     "state": bytes (opaque connector state, <= FCP_STATE_MAX_BYTES),
 *     "updated_at": uint, "signature": bytes 64 }
 * connector_id / instance_id: printable ASCII without spaces, 1..128 bytes.
 * Signature: D-MODEL-7 over the map without "signature", by `writer`.
 * ObjectId: the D-ZONE-1 rule (derive_id over the full encoding). */
#define FCP_STATE_ID_MAX      128
#define FCP_STATE_MAX_BYTES   (256 * 1024)
#define FCP_STATE_MAX_ENCODED (FCP_STATE_MAX_BYTES + FCP_HDR_MAX_ENCODED + 4096)

typedef struct fcp_connector_state {
    fcp_object_header header;
    char     connector_id[FCP_STATE_ID_MAX + 1];
    char     instance_id[FCP_STATE_ID_MAX + 1];
    uint8_t  state_root[FCP_OBJECT_ID_BYTES];
    char     writer[FCP_NODE_ID_MAX + 1];
    uint64_t lease_seq;
    uint8_t  lease_object_id[FCP_OBJECT_ID_BYTES];
    uint64_t state_seq;
    int      has_prev;
    uint8_t  prev[FCP_OBJECT_ID_BYTES];
    const uint8_t *state;     /* zero-copy: caller memory, or the decoded input */
    size_t   state_len;
    uint64_t updated_at;
    uint8_t  signature[FCP_SIG_BYTES];
} fcp_connector_state;

void fcp_connector_state_schema(fcp_schema_id *s);

/* Every rule the decoder enforces: header (and its errors),
 * FCP_ESCHEMA_MISMATCH, FCP_ENODE_ID (writer), FCP_ESTATE_OBJECT (ids,
 * prev present iff state_seq > 0, state NULL with a length, or longer than
 * FCP_STATE_MAX_BYTES). */
int fcp_connector_state_validate(const fcp_connector_state *s);
/* Validate, then append the canonical CBOR (with / without "signature"). */
int fcp_connector_state_encode(const fcp_connector_state *s, fcp_buf *out);
int fcp_connector_state_encode_unsigned(const fcp_connector_state *s, fcp_buf *out);
/* Strict decode: canonical, known fields only (FCP_EUNKNOWN_FIELD), all
 * required (FCP_EMISSING_FIELD), at most FCP_STATE_MAX_ENCODED bytes
 * (FCP_ETOO_LARGE), then fcp_connector_state_validate.  s->state points into
 * p (keep p alive while s is used).  *s zeroed on error. */
int fcp_connector_state_decode(fcp_connector_state *s, const uint8_t *p, size_t n);
/* Sign the unsigned view with the writer's Ed25519 key / verify it
 * (FCP_EBAD_SIGNATURE). */
int fcp_connector_state_sign(fcp_connector_state *s, const uint8_t writer_sk[64]);
int fcp_connector_state_verify(const fcp_connector_state *s, const uint8_t writer_pk[32]);
/* ObjectId (what the next version's prev names). */
int fcp_connector_state_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_connector_state *s,
                           const fcp_object_id_key *key);

#endif
