/*
 * model_approval.h - ApprovalToken (spec §5.2, §6.3, review Change 10) and a
 * strict JSON pointer over canonical CBOR.
 *
 * An ApprovalToken is a human (or policy principal) saying "yes" to one
 * thing, for a short time, with a signature:
 *
 *   Elevation        integrity uphill for one operation and one provenance
 *   Declassification confidentiality downhill from one zone to another for a
 *                    listed set of objects
 *   Execution        running operations matching a method pattern on one
 *                    connector, optionally bound to one request object, one
 *                    input hash and a set of input constraints
 *
 * CBOR (D-APPROVAL-1, CDDL in conformance/FCP_CDDL_V2.cddl): a canonical map
 *   { "approved_at": uint, "approved_by": tstr, "expires_at": uint,
 *     "justification": tstr, "scope": { "<Variant>": {...} }, "signature": bstr .size 64 }
 * with the variant names "Elevation", "Declassification", "Execution" (the
 * D-MODEL-6 enum rule).  The spec's token_id is not carried: it is derived,
 * token_id = BLAKE3("FCP2-APPROVAL-ID-V1" || signing bytes), so it can never
 * disagree with the content it names.  Signing bytes are the D-MODEL-7 rule
 * over schema fcp.core.ApprovalToken/1.0.0.
 *
 * Input constraints (D-APPROVAL-2): { "pointer": tstr, "equals": any } - the
 * value the RFC 6901 pointer selects in the request input (canonical CBOR)
 * must be byte-identical to "equals" (canonical CBOR, so bytes = value).
 * input_hash = BLAKE3("FCP2-INPUT-V1" || canonical CBOR input).
 *
 * Structs are fixed-size; decode copies everything (the input may be freed).
 */
#ifndef FCP_MODEL_APPROVAL_H
#define FCP_MODEL_APPROVAL_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_ids.h"
#include "fcp/model_object.h"

#define FCP_OPERATION_ID_MAX        128  /* bytes, printable ASCII */
#define FCP_CONNECTOR_ID_MAX        128
#define FCP_APPROVAL_JUSTIFICATION_MAX 512
#define FCP_APPROVAL_MAX_OBJECTS    64   /* Declassification.object_ids */
#define FCP_APPROVAL_MAX_CONSTRAINTS 16  /* Execution.input_constraints */
#define FCP_APPROVAL_VALUE_MAX      256  /* bytes of one constraint's "equals" */
#define FCP_JSON_POINTER_MAX        256  /* bytes of a pointer */
#define FCP_JSON_POINTER_DEPTH      16   /* reference tokens in a pointer */
#define FCP_APPROVAL_DEFAULT_TTL    300u     /* spec §5.2 */
#define FCP_APPROVAL_MAX_TTL        86400u   /* D-APPROVAL-3 */
#define FCP_APPROVAL_MAX_SKEW       120u     /* approved_at may lead our clock by this */
#define FCP_APPROVAL_MAX_ENCODED    (32 * 1024)
#define FCP_APPROVAL_ID_BYTES       32
#define FCP_INPUT_HASH_BYTES        32

enum fcp_approval_kind {
    FCP_APPROVAL_ELEVATION = 1,
    FCP_APPROVAL_DECLASSIFICATION = 2,
    FCP_APPROVAL_EXECUTION = 3
};

typedef struct fcp_input_constraint {
    char    pointer[FCP_JSON_POINTER_MAX + 1];   /* RFC 6901, "" = whole input */
    size_t  equals_len;
    uint8_t equals[FCP_APPROVAL_VALUE_MAX];      /* one canonical CBOR item */
} fcp_input_constraint;

typedef struct fcp_approval_elevation {
    char           operation[FCP_OPERATION_ID_MAX + 1];
    fcp_provenance original_provenance;
} fcp_approval_elevation;

typedef struct fcp_approval_declass {
    char    from_zone[FCP_ZONE_ID_MAX + 1];
    char    to_zone[FCP_ZONE_ID_MAX + 1];
    size_t  n_objects;
    uint8_t object_ids[FCP_APPROVAL_MAX_OBJECTS][FCP_OBJECT_ID_BYTES];
} fcp_approval_declass;

typedef struct fcp_approval_execution {
    char    connector_id[FCP_CONNECTOR_ID_MAX + 1];
    char    method_pattern[FCP_OPERATION_ID_MAX + 1];  /* exact, "prefix*" or "*" */
    int     has_request_object_id;
    uint8_t request_object_id[FCP_OBJECT_ID_BYTES];
    int     has_input_hash;
    uint8_t input_hash[FCP_INPUT_HASH_BYTES];
    size_t  n_constraints;
    fcp_input_constraint constraints[FCP_APPROVAL_MAX_CONSTRAINTS];
} fcp_approval_execution;

typedef struct fcp_approval_token {
    enum fcp_approval_kind kind;
    fcp_approval_elevation elevation;         /* kind == ELEVATION */
    fcp_approval_declass   declassification;  /* kind == DECLASSIFICATION */
    fcp_approval_execution execution;         /* kind == EXECUTION */
    char     justification[FCP_APPROVAL_JUSTIFICATION_MAX + 1];  /* UTF-8, may be empty */
    char     approved_by[FCP_PRINCIPAL_MAX + 1];                 /* PrincipalId */
    uint64_t approved_at;
    uint64_t expires_at;
    uint8_t  signature[64];
} fcp_approval_token;

/* fcp.core.ApprovalToken/1.0.0 */
void fcp_approval_schema(fcp_schema_id *s);

/* Check every invariant the decoder enforces: known kind, identifiers (zone
 * ids, printable operation/connector/principal ids, method pattern), counts,
 * pointer syntax, constraint values being one canonical item, and
 * approved_at < expires_at <= approved_at + FCP_APPROVAL_MAX_TTL
 * (FCP_EAPPROVAL_TIMES).  0 or the first error. */
int fcp_approval_validate(const fcp_approval_token *t);

/* Canonical CBOR with / without the signature (the latter is the unsigned
 * view that is signed).  Validates first. */
int fcp_approval_encode(const fcp_approval_token *t, fcp_buf *out);
int fcp_approval_encode_unsigned(const fcp_approval_token *t, fcp_buf *out);

/* Strict decode of one token from p[0..n).  FCP_ETOO_LARGE above
 * FCP_APPROVAL_MAX_ENCODED; FCP_ECBOR_*, FCP_EMISSING_FIELD,
 * FCP_EUNKNOWN_FIELD, FCP_EAPPROVAL_SCOPE (unknown variant or not exactly one),
 * FCP_ELIMIT, identifier errors, FCP_EAPPROVAL_TIMES.  *t zeroed on error. */
int fcp_approval_decode(fcp_approval_token *t, const uint8_t *p, size_t n);

/* Sign with the approver's Ed25519 key (fills t->signature). */
int fcp_approval_sign(fcp_approval_token *t, const uint8_t sk[64]);

/* Verify signature (FCP_EAPPROVAL_BAD_SIGNATURE), then time at `now` (unix
 * seconds): now > expires_at is FCP_EAPPROVAL_EXPIRED (expires_at itself is
 * still valid, spec §5.2), approved_at > now + FCP_APPROVAL_MAX_SKEW is
 * FCP_EAPPROVAL_NOT_YET_VALID.  Structural errors as fcp_approval_validate. */
int fcp_approval_verify(const fcp_approval_token *t, const uint8_t pk[32], uint64_t now);

/* Only the time rules of fcp_approval_verify (no signature). */
int fcp_approval_check_time(const fcp_approval_token *t, uint64_t now);

/* token_id = BLAKE3("FCP2-APPROVAL-ID-V1" || signing bytes). */
int fcp_approval_token_id(uint8_t out[FCP_APPROVAL_ID_BYTES], const fcp_approval_token *t);

/* 1 if operation[0..n) matches pattern: "*" matches everything, "p*" every
 * operation starting with p, anything else only itself.  0 otherwise. */
int fcp_method_pattern_match(const char *pattern, const char *operation, size_t n);

/* input_hash = BLAKE3("FCP2-INPUT-V1" || input).  The input must be one
 * canonical CBOR item (floats allowed): FCP_ECBOR_* otherwise. */
int fcp_approval_input_hash(uint8_t out[FCP_INPUT_HASH_BYTES], const uint8_t *input, size_t n);

/* RFC 6901 pointer syntax check: "" or ("/" token)*, at most
 * FCP_JSON_POINTER_MAX bytes and FCP_JSON_POINTER_DEPTH tokens, '~' only as
 * "~0" or "~1".  0 or FCP_EJSON_POINTER. */
int fcp_json_pointer_validate(const char *ptr, size_t n);

/* Resolve ptr in the canonical CBOR item cbor[0..n) (floats allowed, tags
 * not).  A token selects the map entry whose key is the text string equal to
 * the unescaped token (non-text keys never match), or the array element at a
 * decimal index without leading zeros ("-" and out-of-range indexes select
 * nothing).  On success *val and *vlen are the selected item's bytes inside cbor.
 * FCP_EJSON_POINTER (syntax), FCP_EJSON_POINTER_NOT_FOUND, FCP_ECBOR_*. */
int fcp_cbor_pointer_get(const uint8_t *cbor, size_t n, const char *ptr, size_t plen,
                         const uint8_t **val, size_t *vlen);

/* Check every input constraint of an Execution scope against input:
 * 0, or FCP_EDEC_EXECUTION_CONSTRAINT (a value differs or is absent), or
 * FCP_ECBOR_* if the input is not canonical. */
int fcp_approval_check_constraints(const fcp_approval_execution *x, const uint8_t *input, size_t n);

#endif
