/*
 * model_audit.h - AuditEvent, AuditHead and DecisionReceipt objects
 * (spec §23.3-§23.4; D-AUDIT-1..3, D-DEC-3).
 *
 * Each is an ordinary mesh object (D-RQ-4 convention): an ObjectHeader plus a
 * schema-prefixed body.  Three CBOR views of one struct:
 *
 *   wire    { "header": ObjectHeader, ...fields, "signature" }   what is sent
 *   signed  the wire map without "signature" / "quorum_signatures"
 *           (D-MODEL-7 unsigned view: the header is covered by the signature)
 *   body    the wire map without "header" (the header is already bound by
 *           canonical_bytes); ObjectId = fcp_object_derive_id(header,
 *           SchemaHash || body)
 *
 * Field sets (text keys, absent Option = absent key):
 *   AuditEvent   correlation_id bstr16, ?trace_context {trace_id bstr16,
 *                span_id bstr8, flags u8}, event_type, actor, zone_id,
 *                ?connector_id, ?operation, ?capability_token_jti bstr16,
 *                ?request_object_id, ?result_object_id, ?prev, seq,
 *                occurred_at, signer (node id: who signed, D-AUDIT-2), signature
 *   AuditHead    zone_id, head_event, head_seq, coverage_bps (0..10000,
 *                review Change 8 instead of f64), epoch_id, quorum_signatures
 *   DecisionReceipt request_object_id, decision ("Allow" | "Deny"),
 *                reason_code ("FCP-XXXX"; "FCP-0000" for Allow), evidence
 *                [bstr32], decided_at, decided_by (node id), ?explanation,
 *                signature
 * Every object's header zone must equal its zone_id field (FCP_EAUDIT_ZONE).
 */
#ifndef FCP_MODEL_AUDIT_H
#define FCP_MODEL_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_approval.h"
#include "fcp/model_ids.h"
#include "fcp/model_object.h"
#include "fcp/model_sign.h"

#define FCP_AUDIT_EVENT_TYPE_MAX  64
#define FCP_AUDIT_MAX_ENCODED     (80 * 1024)
#define FCP_RECEIPT_MAX_EVIDENCE  32
#define FCP_RECEIPT_EXPLANATION_MAX 256
#define FCP_BPS_MAX               10000u

typedef struct fcp_trace_context {
    uint8_t trace_id[16];
    uint8_t span_id[8];
    uint8_t flags;
} fcp_trace_context;

typedef struct fcp_audit_event {
    fcp_object_header header;
    uint8_t  correlation_id[16];
    int      has_trace_context;
    fcp_trace_context trace_context;
    char     event_type[FCP_AUDIT_EVENT_TYPE_MAX + 1];  /* [a-z0-9._-], 1..64 */
    char     actor[FCP_PRINCIPAL_MAX + 1];
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    int      has_connector_id;
    char     connector_id[FCP_CONNECTOR_ID_MAX + 1];
    int      has_operation;
    char     operation[FCP_OPERATION_ID_MAX + 1];
    int      has_capability_token_jti;
    uint8_t  capability_token_jti[16];
    int      has_request_object_id;
    uint8_t  request_object_id[FCP_OBJECT_ID_BYTES];
    int      has_result_object_id;
    uint8_t  result_object_id[FCP_OBJECT_ID_BYTES];
    int      has_prev;
    uint8_t  prev[FCP_OBJECT_ID_BYTES];
    uint64_t seq;
    uint64_t occurred_at;
    char     signer[FCP_NODE_ID_MAX + 1];
    uint8_t  signature[FCP_SIG_BYTES];
} fcp_audit_event;

typedef struct fcp_audit_head {
    fcp_object_header header;
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    uint8_t  head_event[FCP_OBJECT_ID_BYTES];
    uint64_t head_seq;
    uint32_t coverage_bps;
    uint64_t epoch_id;
    size_t   n_signatures;
    char     signer[FCP_QUORUM_MAX][FCP_NODE_ID_MAX + 1];  /* strictly ascending */
    uint8_t  signature[FCP_QUORUM_MAX][FCP_SIG_BYTES];
} fcp_audit_head;

typedef struct fcp_decision_receipt {
    fcp_object_header header;
    uint8_t  request_object_id[FCP_OBJECT_ID_BYTES];
    int      allow;                  /* 1 Allow, 0 Deny */
    char     reason_code[16];        /* "FCP-XXXX" */
    size_t   n_evidence;
    uint8_t  evidence[FCP_RECEIPT_MAX_EVIDENCE][FCP_OBJECT_ID_BYTES];
    uint64_t decided_at;
    char     decided_by[FCP_NODE_ID_MAX + 1];
    int      has_explanation;
    char     explanation[FCP_RECEIPT_EXPLANATION_MAX + 1];
    uint8_t  signature[FCP_SIG_BYTES];
} fcp_decision_receipt;

/* Schemas: fcp.audit.AuditEvent/1.0.0, fcp.audit.AuditHead/1.0.0,
 * fcp.audit.DecisionReceipt/1.0.0. */
void fcp_audit_event_schema(fcp_schema_id *s);
void fcp_audit_head_schema(fcp_schema_id *s);
void fcp_decision_receipt_schema(fcp_schema_id *s);

/* Views (bits may be combined): */
#define FCP_VIEW_HEADER 1u   /* include "header" */
#define FCP_VIEW_SIG    2u   /* include "signature" / "quorum_signatures" */
#define FCP_VIEW_WIRE   (FCP_VIEW_HEADER | FCP_VIEW_SIG)
#define FCP_VIEW_SIGNED FCP_VIEW_HEADER
#define FCP_VIEW_BODY   FCP_VIEW_SIG

/* Validate (every rule the decoder enforces, including the header and the
 * header-zone rule), then append the chosen view to out. */
int fcp_audit_event_validate(const fcp_audit_event *ev);
int fcp_audit_event_encode(const fcp_audit_event *ev, unsigned view, fcp_buf *out);
int fcp_audit_head_validate(const fcp_audit_head *h);
int fcp_audit_head_encode(const fcp_audit_head *h, unsigned view, fcp_buf *out);
int fcp_decision_receipt_validate(const fcp_decision_receipt *r);
int fcp_decision_receipt_encode(const fcp_decision_receipt *r, unsigned view, fcp_buf *out);

/* Strict decode of the WIRE view.  FCP_ETOO_LARGE above FCP_AUDIT_MAX_ENCODED;
 * CBOR, missing/unknown field, identifier, limit errors; the struct is zeroed
 * on error. */
int fcp_audit_event_decode(fcp_audit_event *ev, const uint8_t *p, size_t n);
int fcp_audit_head_decode(fcp_audit_head *h, const uint8_t *p, size_t n);
int fcp_decision_receipt_decode(fcp_decision_receipt *r, const uint8_t *p, size_t n);

/* Sign the SIGNED view with the signer's key (fills signature); verify it
 * (FCP_EBAD_SIGNATURE). */
int fcp_audit_event_sign(fcp_audit_event *ev, const uint8_t sk[64]);
int fcp_audit_event_verify(const fcp_audit_event *ev, const uint8_t pk[32]);
int fcp_decision_receipt_sign(fcp_decision_receipt *r, const uint8_t sk[64]);
int fcp_decision_receipt_verify(const fcp_decision_receipt *r, const uint8_t pk[32]);

/* ObjectId = fcp_object_derive_id(header, SchemaHash || BODY view, key). */
int fcp_audit_event_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_audit_event *ev,
                       const fcp_object_id_key *key);
int fcp_audit_head_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_audit_head *h,
                      const fcp_object_id_key *key);
int fcp_decision_receipt_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_decision_receipt *r,
                            const fcp_object_id_key *key);

/* Fast paths over a WIRE encoding that ev was decoded from (or encoded to):
 * decode -> encode is the identity, so the views can be cut out of the wire
 * bytes instead of re-encoded.  wire_id: the ObjectId (the "header" value and
 * the other entries are spliced into the canonical bytes).  verify_wire: the
 * signature over the wire map without "signature".  Same results as
 * fcp_audit_event_id / fcp_audit_event_verify. */
int fcp_audit_event_wire_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_audit_event *ev,
                            const uint8_t *wire, size_t n, const fcp_object_id_key *key);
int fcp_audit_event_verify_wire(const fcp_audit_event *ev, const uint8_t *wire, size_t n,
                                const uint8_t pk[32]);

/* Where the entries of a decoded WIRE map lie (pointers into the bytes it
 * was decoded from; key start, value start, value end per entry, in order). */
#define FCP_AUDIT_WIRE_MAX_ENTRIES 24
typedef struct fcp_audit_wire_map {
    size_t n;
    const uint8_t *k[FCP_AUDIT_WIRE_MAX_ENTRIES];
    const uint8_t *v[FCP_AUDIT_WIRE_MAX_ENTRIES];
    const uint8_t *end[FCP_AUDIT_WIRE_MAX_ENTRIES];
    int header, signature;   /* entry index, or -1 */
} fcp_audit_wire_map;

/* fcp_audit_event_decode that also records the entry positions in *m, so
 * that fcp_audit_event_check_map needs no second parse.  Same errors; on
 * error *ev is zeroed and m->n is 0. */
int fcp_audit_event_decode_wire(fcp_audit_event *ev, fcp_audit_wire_map *m, const uint8_t *p,
                                size_t n);
/* Signature (FCP_EBAD_SIGNATURE) then *id, from an event and the map filled
 * by fcp_audit_event_decode_wire over the same bytes (still alive).  Same
 * results as fcp_audit_event_check_wire. */
int fcp_audit_event_check_map(const fcp_audit_event *ev, const fcp_audit_wire_map *m,
                              const uint8_t pk[32], const fcp_object_id_key *key,
                              uint8_t id[FCP_OBJECT_ID_BYTES]);

/* Both in one pass: signature (FCP_EBAD_SIGNATURE) then *id. */
int fcp_audit_event_check_wire(const fcp_audit_event *ev, const uint8_t *wire, size_t n,
                               const uint8_t pk[32], const fcp_object_id_key *key,
                               uint8_t id[FCP_OBJECT_ID_BYTES]);

/* Encode ev once in the WIRE view with its signature slot zeroed, sign the
 * map without "signature" (exactly the SIGNED view), write the signature into
 * ev and into the appended bytes, and give the ObjectId.  One encoding, no
 * parse: the views are cut from the encoding by entry offsets, on the stack
 * (heap only above 2 KiB), and the ObjectId is hashed from the pieces.  On
 * error nothing is appended. */
int fcp_audit_event_seal(fcp_audit_event *ev, const uint8_t sk[64], const fcp_object_id_key *key,
                         fcp_buf *out, uint8_t id[FCP_OBJECT_ID_BYTES]);

/* Add node's signature over h's SIGNED view, keeping signers sorted
 * (FCP_EDUPLICATE_SIGNER if node already signed, FCP_ELIMIT when full). */
int fcp_audit_head_add_signature(fcp_audit_head *h, const char *node, const uint8_t sk[64]);

/* Quorum check of h's signatures (order, validity, >= threshold) with keys
 * from lookup: errors as fcp_quorum_verify. */
int fcp_audit_head_verify(const fcp_audit_head *h, size_t threshold, fcp_node_key_lookup lookup,
                          void *ctx);

#endif
