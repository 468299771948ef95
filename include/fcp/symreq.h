/*
 * symreq.h - bounded symbol requests (spec §9.2.1 / review Change 2, §8.4
 * anti-amplification, §4.4 feedback): SymbolRequest, SymbolDeliveryHint,
 * DecodeStatus and SymbolAck as canonical CBOR maps with their bounds, their
 * signing transcripts, and the pure function that decides how many symbols a
 * responder may send (decision D-SESSION-5).
 *
 * Transcripts (signature inputs, all integers little-endian, text u32le
 * length-prefixed), from the reference implementation's pinned hexdumps
 * (upstream mesh_wire.json) for the two it pins:
 *   SymbolAck    = "FCP2-SYMBOL-ACK-V2" || object_id[32] || zone_id ||
 *                  zone_key_id[8] || epoch_id u64 || recipient || request_nonce
 *                  u64 || reason u8 || final_symbol_count u32
 *   DecodeStatus = "FCP2-DECODE-STATUS-V2" || object_id[32] || zone_id ||
 *                  zone_key_id[8] || epoch_id u64 || recipient || request_nonce
 *                  u64 || received_unique u32 || needed u32 || complete u8 ||
 *                  u32(count of missing_hint, 0 when absent) || esi u32 ...
 * and ours for the request:
 *   SymbolRequest= "FCP2-SYMBOL-REQUEST-V1" || object_id[32] || zone_id ||
 *                  zone_key_id[8] || epoch_id u64 || requester || request_nonce
 *                  u64 || max_symbols u32 || u32(count of want_esi, 0 when
 *                  absent) || esi u32 ... || u8 has_decode_status ||
 *                  [DecodeStatus transcript] || requested_at u64
 *
 * CBOR keys are the field names below (text); optional fields are omitted
 * when absent; byte fields have exact lengths.  Decoders are strict and zero
 * their output on error; every bound has its own code (FCP_ESYMREQ_*).
 */
#ifndef FCP_SYMREQ_H
#define FCP_SYMREQ_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_ids.h"

#define FCP_SYMREQ_MAX_ESIS          1024u /* want_esi / missing_hint entries on the wire */
#define FCP_SYMREQ_UNAUTH_CAP        32u   /* max_symbols_unauthenticated (Change 2) */
#define FCP_SYMREQ_DEFAULT_PER_REQUEST 1024u
#define FCP_SYMREQ_MAX_ENCODED       16384u

typedef enum fcp_symack_reason {
    FCP_SYMACK_COMPLETE        = 0, /* object reconstructed */
    FCP_SYMACK_REASON_1        = 1, /* carried opaque: name not pinned upstream */
    FCP_SYMACK_REASON_2        = 2, /* carried opaque: name not pinned upstream */
    FCP_SYMACK_BUDGET_EXCEEDED = 3
} fcp_symack_reason;

/* Fields every message names: which object, under which zone key. */
typedef struct fcp_symreq_target {
    uint8_t  object_id[32];
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    uint8_t  zone_key_id[8];
    uint64_t epoch_id;
} fcp_symreq_target;

typedef struct fcp_decode_status {
    fcp_symreq_target t;
    char     recipient[FCP_NODE_ID_MAX + 1];
    uint64_t request_nonce;
    uint32_t received_unique;
    uint32_t needed;          /* >= 1 */
    int      complete;        /* requires received_unique >= needed, no hint */
    int      has_missing_hint;
    size_t   n_missing;       /* 1..FCP_SYMREQ_MAX_ESIS, strictly ascending */
    uint32_t missing_hint[FCP_SYMREQ_MAX_ESIS];
    int      has_signature;
    uint8_t  signature[64];
} fcp_decode_status;

typedef struct fcp_symbol_ack {
    fcp_symreq_target t;
    char     recipient[FCP_NODE_ID_MAX + 1];
    uint64_t request_nonce;
    uint8_t  reason;          /* fcp_symack_reason, 0..3 */
    uint32_t final_symbol_count;
    int      has_signature;
    uint8_t  signature[64];
} fcp_symbol_ack;

typedef struct fcp_symbol_request {
    fcp_symreq_target t;
    char     requester[FCP_NODE_ID_MAX + 1];
    uint64_t request_nonce;
    uint32_t max_symbols;     /* >= 1 */
    int      has_want_esi;
    size_t   n_want;          /* 1..min(max_symbols, FCP_SYMREQ_MAX_ESIS), strictly ascending */
    uint32_t want_esi[FCP_SYMREQ_MAX_ESIS];
    int      has_decode_status;
    fcp_decode_status decode_status;
    uint64_t requested_at;
    int      has_signature;
    uint8_t  signature[64];
} fcp_symbol_request;

typedef struct fcp_symbol_delivery_hint {
    uint32_t stop_after_symbols;        /* >= 1 */
    int      has_preferred_symbol_size;
    uint16_t preferred_symbol_size;     /* 256..16384 (D-WIRE-1) */
} fcp_symbol_delivery_hint;

/* Invariants above.  0 or FCP_EZONE_ID (zone id grammar),
 * FCP_ESESSION_NODE_ID, FCP_ESYMREQ_MAX_SYMBOLS, FCP_ESYMREQ_WANT_ESI,
 * FCP_ESYMREQ_ESI_ORDER, FCP_ESYMREQ_HINT, FCP_ESYMREQ_STATUS,
 * FCP_ESYMREQ_REASON, FCP_ESYMREQ_DELIVERY_HINT. */
int fcp_decode_status_validate(const fcp_decode_status *s);
int fcp_symbol_ack_validate(const fcp_symbol_ack *a);
int fcp_symbol_request_validate(const fcp_symbol_request *r);
int fcp_delivery_hint_validate(const fcp_symbol_delivery_hint *h);

/* Canonical CBOR appended to out (validates first). */
int fcp_decode_status_encode(const fcp_decode_status *s, fcp_buf *out);
int fcp_symbol_ack_encode(const fcp_symbol_ack *a, fcp_buf *out);
int fcp_symbol_request_encode(const fcp_symbol_request *r, fcp_buf *out);
int fcp_delivery_hint_encode(const fcp_symbol_delivery_hint *h, fcp_buf *out);

/* Strict decoders of p[0..n): FCP_ETOO_LARGE (n > 16384), FCP_ECBOR_*,
 * FCP_EMISSING_FIELD, FCP_EUNKNOWN_FIELD, FCP_ESYMREQ_FIELD (byte string of
 * the wrong length, integer above its width), then the validate codes.  The
 * list bounds are checked on the array head, before any element is read. */
int fcp_decode_status_decode(fcp_decode_status *s, const uint8_t *p, size_t n);
int fcp_symbol_ack_decode(fcp_symbol_ack *a, const uint8_t *p, size_t n);
int fcp_symbol_request_decode(fcp_symbol_request *r, const uint8_t *p, size_t n);
int fcp_delivery_hint_decode(fcp_symbol_delivery_hint *h, const uint8_t *p, size_t n);

/* Signing transcripts (header comment), appended to out. */
int fcp_decode_status_transcript(const fcp_decode_status *s, fcp_buf *out);
int fcp_symbol_ack_transcript(const fcp_symbol_ack *a, fcp_buf *out);
int fcp_symbol_request_transcript(const fcp_symbol_request *r, fcp_buf *out);

/* Ed25519 over the transcript by the sender's node signing key.  verify:
 * 0, FCP_ESESSION_MISSING_SIGNATURE, FCP_ESESSION_BAD_SIGNATURE. */
int fcp_symbol_request_sign(fcp_symbol_request *r, const uint8_t sk[64]);
int fcp_symbol_request_verify(const fcp_symbol_request *r, const uint8_t pk[32]);

/* ---- anti-amplification (D-SESSION-5) -------------------------------------- */

typedef struct fcp_symreq_policy {
    uint32_t max_per_request;      /* hard cap for any request: 1024 */
    uint32_t max_unauthenticated;  /* cap without authentication + proof of need: 32 */
    int      require_authenticated;/* refuse unauthenticated requests: 1 (z:public ingress: 0) */
    uint32_t repair_margin;        /* symbols beyond needed - received: 2 */
} fcp_symreq_policy;

void fcp_symreq_policy_default(fcp_symreq_policy *p);

/*
 * How many symbols a responder may send for request r, given that it holds
 * `available` symbols of the object and whether r arrived authenticated
 * (session MAC or a verified signature).  Pure function:
 *   - r invalid: its validate code; unauthenticated with
 *     require_authenticated: FCP_ESYMREQ_UNAUTHENTICATED.  *allowed = 0.
 *   - cap = max_per_request if authenticated AND r carries proof of need
 *     (want_esi or decode_status), else min(max_per_request,
 *     max_unauthenticated);
 *   - allowed = min(r.max_symbols, cap, available), then
 *     min(., n_want) with want_esi, and with decode_status 0 when complete,
 *     else min(., needed - received_unique + repair_margin).
 */
int fcp_symreq_allowance(const fcp_symreq_policy *p, const fcp_symbol_request *r,
                         int authenticated, uint32_t available, uint32_t *allowed);

#endif
