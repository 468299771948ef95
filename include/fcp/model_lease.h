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

#endif
