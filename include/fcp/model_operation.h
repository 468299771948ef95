/*
 * model_operation.h - OperationIntent and OperationReceipt (spec §9.4 "exactly
 * once" spine for Risky/Dangerous operations; D-OP-1).
 *
 * Both are mesh objects with the three views of model_audit.h (wire, signed,
 * body) and the D-MODEL-7 signature by the executing node:
 *   OperationIntent  request_object_id, capability_token_jti bstr16,
 *                    ?idempotency_key, planned_at, planned_by (node id),
 *                    ?upstream_idempotency, signature
 *   OperationReceipt request_object_id, ?idempotency_key,
 *                    outcome_object_ids [bstr32], resource_uris [tstr],
 *                    executed_at, executed_by (node id), signature
 * A receipt MUST reference its intent in header.refs (spec §9.4 rule 2),
 * checked by fcp_operation_receipt_check_intent.
 */
#ifndef FCP_MODEL_OPERATION_H
#define FCP_MODEL_OPERATION_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_audit.h"

#define FCP_IDEMPOTENCY_KEY_MAX   128
#define FCP_RECEIPT_MAX_OUTCOMES  64
#define FCP_RECEIPT_MAX_URIS      16
#define FCP_RESOURCE_URI_MAX      512

typedef struct fcp_operation_intent {
    fcp_object_header header;
    uint8_t  request_object_id[FCP_OBJECT_ID_BYTES];
    uint8_t  capability_token_jti[16];
    int      has_idempotency_key;
    char     idempotency_key[FCP_IDEMPOTENCY_KEY_MAX + 1];
    uint64_t planned_at;
    char     planned_by[FCP_NODE_ID_MAX + 1];
    int      has_upstream_idempotency;
    char     upstream_idempotency[FCP_IDEMPOTENCY_KEY_MAX + 1];
    uint8_t  signature[FCP_SIG_BYTES];
} fcp_operation_intent;

typedef struct fcp_operation_receipt {
    fcp_object_header header;
    uint8_t  request_object_id[FCP_OBJECT_ID_BYTES];
    int      has_idempotency_key;
    char     idempotency_key[FCP_IDEMPOTENCY_KEY_MAX + 1];
    size_t   n_outcomes;
    uint8_t  outcome_object_ids[FCP_RECEIPT_MAX_OUTCOMES][FCP_OBJECT_ID_BYTES];
    size_t   n_uris;
    char     resource_uris[FCP_RECEIPT_MAX_URIS][FCP_RESOURCE_URI_MAX + 1];
    uint64_t executed_at;
    char     executed_by[FCP_NODE_ID_MAX + 1];
    uint8_t  signature[FCP_SIG_BYTES];
} fcp_operation_receipt;

/* fcp.operation.OperationIntent/1.0.0, fcp.operation.OperationReceipt/1.0.0 */
void fcp_operation_intent_schema(fcp_schema_id *s);
void fcp_operation_receipt_schema(fcp_schema_id *s);

/* Idempotency keys and upstream handles: printable ASCII, 1..128 bytes
 * (FCP_EOP_KEY). */
int fcp_idempotency_key_validate(const char *k, size_t n);

int fcp_operation_intent_validate(const fcp_operation_intent *o);
int fcp_operation_intent_encode(const fcp_operation_intent *o, unsigned view, fcp_buf *out);
int fcp_operation_intent_decode(fcp_operation_intent *o, const uint8_t *p, size_t n);
int fcp_operation_intent_sign(fcp_operation_intent *o, const uint8_t sk[64]);
int fcp_operation_intent_verify(const fcp_operation_intent *o, const uint8_t pk[32]);
int fcp_operation_intent_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_operation_intent *o,
                            const fcp_object_id_key *key);

int fcp_operation_receipt_validate(const fcp_operation_receipt *r);
int fcp_operation_receipt_encode(const fcp_operation_receipt *r, unsigned view, fcp_buf *out);
int fcp_operation_receipt_decode(fcp_operation_receipt *r, const uint8_t *p, size_t n);
int fcp_operation_receipt_sign(fcp_operation_receipt *r, const uint8_t sk[64]);
int fcp_operation_receipt_verify(const fcp_operation_receipt *r, const uint8_t pk[32]);
int fcp_operation_receipt_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_operation_receipt *r,
                             const fcp_object_id_key *key);

/* The receipt belongs to the intent with id intent_id: intent_id is in
 * r->header.refs, same request_object_id, same idempotency key (both absent
 * or equal), same zone.  0 or FCP_EOP_RECEIPT_INTENT. */
int fcp_operation_receipt_check_intent(const fcp_operation_receipt *r,
                                       const fcp_operation_intent *intent,
                                       const uint8_t intent_id[FCP_OBJECT_ID_BYTES]);

#endif
