/*
 * host_invoke.h - the invoke pipeline (spec §7.5, §9.4-§9.5, §14.3, §23.4):
 * everything the host does around one connector call, in a fixed order,
 * with a signed record of the outcome.
 *
 * Three steps, so that a daemon can decide in its event loop and run the
 * connector call in a worker thread:
 *
 *   1 fcp_invoke_decide    (loop thread) checks, in this order, the first
 *                          failure being the reason (plan->step says which):
 *        1  request well-formed, zone configured, connector id == manifest id,
 *           operation declared .............. FCP_EINVOKE_REQUEST, _ZONE,
 *                                             _CONNECTOR, FCP_EHOST_UNKNOWN_OP
 *        2  input: well-formed JSON (RFC 8259, strict UTF-8, depth <= 64,
 *           <= FCP_INVOKE_MAX_INPUT bytes) .. FCP_EINVOKE_INPUT_JSON
 *           and the operation's input_schema, as far as enforced (top-level
 *           "type": "object" and "required" keys) FCP_EINVOKE_INPUT_SCHEMA
 *        3  capability token (fcp_token_verify: signature, issuer, token
 *           and grant revocation, time, audience = connector id, zone,
 *           operation granted, holder proof) ... its own FCP_ETOKEN_* /
 *                                             FCP_EOP_NOT_GRANTED code
 *        4  revocation freshness for the tier (fcp_rev_freshness_check:
 *           Dangerous strict, Risky strict unless overridden, Safe degraded)
 *                                             FCP_EREV_STALE
 *        5  the decision (fcp_decide): zone policy, grants, transport,
 *           taint / approvals .............. its FCP_EDEC_* / FCP_EAPPROVAL_* code
 *        6  rate limit of the manifest operation, token bucket keyed by
 *           (zone, principal, connector, operation) FCP_EINVOKE_RATE_LIMITED
 *        7  lease (Risky/Dangerous): on a single node the executing node
 *           holds it implicitly (D-INVOKE-3); nothing is checked yet
 *        8  idempotency (only with a key): a completed key for the same
 *           request is a REPLAY of the prior receipt (nothing executes); an
 *           in-flight key is FCP_EOP_IN_PROGRESS; the key used for another
 *           request is FCP_EOP_IDEMPOTENCY_CONFLICT
 *        9  OperationIntent built and signed: verdict EXECUTE
 *      A deny (steps 1-8) yields a signed DecisionReceipt whose reason_code
 *      is the deny code (fcp_decision_reason_code) and an AuditEvent
 *      "invoke.deny" appended to the zone's chain, except for the refusals
 *      that come before a request id exists (FCP_EINVOKE_ZONE,
 *      FCP_EINVOKE_REQUEST): those produce neither.
 *      Simulate (req->simulate): steps 1-6 only, nothing is consumed (no
 *      rate-limit token, no idempotency entry, no intent, no audit event);
 *      verdict SIMULATED or DENIED, with a DecisionReceipt for a deny.
 *   2 the caller runs the connector (any thread): plan->operation,
 *      plan->input (NUL-terminated), plan->timeout_ms; e.g.
 *      fcp_invoke_exec_host over a fcp_host_conn.
 *   3 fcp_invoke_complete  (loop thread) with the call's status and output
 *      JSON: on success an OperationReceipt (refs the intent; outcome =
 *      ObjectId of the output bytes, D-INVOKE-4) signed by this node, an
 *      AuditEvent "invoke.complete" appended, the idempotency key completed.
 *      On failure an AuditEvent "invoke.failed" and no receipt; the
 *      idempotency entry is dropped when the failure cannot have had a side
 *      effect, else it stays in flight until its TTL (fail closed: never a
 *      second execution, D-INVOKE-5).
 *
 * What the CALLER persists (the library does no I/O): plan->intent before
 * running the connector; result->receipt and result->audit_event (or
 * plan->audit_event and plan->decision_receipt for a deny) after; all are
 * canonical CBOR WIRE encodings with their ObjectIds beside them, in the
 * order the audit chain gives them (audit seq).  A restarted daemon resumes
 * each zone's chain with fcp_invoke_zone_config.resume.
 *
 * Time: every call takes now_ms, Unix milliseconds from the caller's clock
 * (objects carry now_ms / 1000 seconds; rate buckets use milliseconds).
 * Threads: one context is used from one thread at a time (decide and
 * complete in the loop); a plan is self-contained and may be read by a
 * worker while the loop handles other requests.
 */
#ifndef FCP_HOST_INVOKE_H
#define FCP_HOST_INVOKE_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/authz_audit.h"
#include "fcp/authz_decision.h"
#include "fcp/authz_revocation.h"
#include "fcp/authz_token.h"
#include "fcp/buf.h"
#include "fcp/host_manifest.h"
#include "fcp/model_operation.h"

#define FCP_INVOKE_MAX_INPUT      (1024u * 1024u) /* bytes of input JSON */
#define FCP_INVOKE_MAX_OUTPUT     (16u * 1024u * 1024u)
#define FCP_INVOKE_JSON_MAX_DEPTH 64
#define FCP_INVOKE_MAX_ZONES      32
#define FCP_INVOKE_MAX_APPROVALS  8
#define FCP_INVOKE_DEFAULT_IDEM_CAPACITY 4096u
#define FCP_INVOKE_DEFAULT_IDEM_TTL      86400u  /* seconds a key is remembered */
#define FCP_INVOKE_DEFAULT_RATE_BUCKETS  4096u
#define FCP_INVOKE_DEFAULT_TIMEOUT_MS    30000u  /* manifest has none */
#define FCP_INVOKE_MESSAGE_MAX    256

/* Verdicts of fcp_invoke_decide. */
enum fcp_invoke_verdict {
    FCP_INVOKE_DENIED = 0,     /* reason set; decision_receipt (+ audit_event) */
    FCP_INVOKE_EXECUTE = 1,    /* intent set: run the connector, then complete */
    FCP_INVOKE_REPLAY = 2,     /* idempotent retry: receipt holds the prior receipt */
    FCP_INVOKE_SIMULATED = 3   /* simulate, would be allowed: nothing consumed */
};

/* The check that decided (plan->step), numbered as in the file comment. */
enum fcp_invoke_step {
    FCP_INVOKE_STEP_REQUEST = 1, FCP_INVOKE_STEP_INPUT = 2, FCP_INVOKE_STEP_TOKEN = 3,
    FCP_INVOKE_STEP_FRESHNESS = 4, FCP_INVOKE_STEP_DECISION = 5, FCP_INVOKE_STEP_RATE = 6,
    FCP_INVOKE_STEP_LEASE = 7, FCP_INVOKE_STEP_IDEMPOTENCY = 8, FCP_INVOKE_STEP_INTENT = 9
};

typedef struct fcp_invoke_ctx fcp_invoke_ctx;

/* Approver keys for ApprovalTokens: the Ed25519 key of principal, 0 or
 * FCP_ENOENT (the approval then counts as badly signed). */
typedef int (*fcp_invoke_approver_key_fn)(void *user, const char *principal, uint8_t pk[32]);

/* The encoded receipt (WIRE bytes) with ObjectId id in zone, appended to
 * out: 0, or FCP_ENOENT.  Used for an idempotent replay when the receipt is
 * no longer in the context's own cache. */
typedef int (*fcp_invoke_load_receipt_fn)(void *user, const char *zone, const uint8_t id[32],
                                          fcp_buf *out);

typedef struct fcp_invoke_config {
    const char    *node_id;      /* this node: decided_by, planned_by, executed_by, audit signer */
    const uint8_t *node_sk;      /* 64 bytes, its Ed25519 signing key (copied) */
    const uint8_t *owner_pk;     /* 32 bytes, the mesh owner (attestations, grant objects) */
    const fcp_token_lookup *lookup; /* borrowed; its is_revoked may be NULL: the revset is used.
                                       Risky/Dangerous tokens also need its checkpoint
                                       (chk_id/chk_seq binding) and node_key (holder proof) */
    fcp_revset    *revset;       /* borrowed; NULL = the context owns an empty one
                                    (fcp_invoke_ctx_revset), never fresh until marked */
    fcp_rev_freshness_policy freshness;   /* fcp_rev_freshness_policy_default */
    uint32_t       token_skew;           /* seconds; 0 = FCP_TOKEN_DEFAULT_SKEW */
    uint64_t       token_max_lifetime;   /* seconds; 0 = no maximum */
    fcp_invoke_approver_key_fn approver_key;  /* NULL: approvals never verify */
    fcp_invoke_load_receipt_fn load_receipt;  /* may be NULL */
    void          *user;                      /* for the two callbacks */
    size_t         idem_capacity;        /* 0 = FCP_INVOKE_DEFAULT_IDEM_CAPACITY */
    uint64_t       idem_ttl;             /* seconds; 0 = FCP_INVOKE_DEFAULT_IDEM_TTL */
    size_t         rate_buckets;         /* 0 = FCP_INVOKE_DEFAULT_RATE_BUCKETS */
    const uint8_t *hash_key;             /* 32 random bytes keying the tables (sans-IO) */
    int            receipt_on_allow;     /* 1: a DecisionReceipt for allows too */
} fcp_invoke_config;

/* Zero c and set the defaults above (freshness default, receipt_on_allow 0). */
void fcp_invoke_config_init(fcp_invoke_config *c);

/* One served zone. */
typedef struct fcp_invoke_zone_config {
    const char           *zone_id;
    const fcp_dec_policy *policy;     /* borrowed; must outlive the context */
    fcp_object_id_key     oid_key;    /* the zone's ObjectIdKey (receipts, audit chain) */
    uint64_t              checkpoint_seq; /* local checkpoint seq (fcp_invoke_ctx_set_checkpoint) */
    const fcp_audit_anchor *resume;   /* NULL: the chain starts at genesis; else it
                                         continues after this verified event */
} fcp_invoke_zone_config;

/* Create / destroy.  0, FCP_EINVAL (missing node id, key, owner key,
 * lookup or hash key), FCP_ENODE_ID, FCP_ENOMEM.  free wipes the keys;
 * NULL allowed. */
int fcp_invoke_ctx_new(fcp_invoke_ctx **out, const fcp_invoke_config *cfg);
void fcp_invoke_ctx_free(fcp_invoke_ctx *ctx);

/* Serve a zone (its policy, key, chain).  FCP_EINVOKE_ZONE if already
 * served or FCP_INVOKE_MAX_ZONES reached; zone id errors. */
int fcp_invoke_ctx_add_zone(fcp_invoke_ctx *ctx, const fcp_invoke_zone_config *z);
/* Update the zone's local checkpoint seq.  FCP_EINVOKE_ZONE if not served. */
int fcp_invoke_ctx_set_checkpoint(fcp_invoke_ctx *ctx, const char *zone, uint64_t seq);
/* The revocation set in use (the caller's or the owned one). */
fcp_revset *fcp_invoke_ctx_revset(fcp_invoke_ctx *ctx);
/* The zone's audit chain head: next seq to be written and the last event's
 * id (*have_prev 0 before the first event).  FCP_EINVOKE_ZONE. */
int fcp_invoke_ctx_audit_head(const fcp_invoke_ctx *ctx, const char *zone, uint64_t *next_seq,
                              int *have_prev, uint8_t prev[FCP_OBJECT_ID_BYTES]);

/* Reload one idempotency key after a restart (from the stored intents and
 * receipts): (zone, key) was used for request_object_id with intent_id and,
 * when receipt_id is not NULL, completed with that receipt (a replay then
 * needs the receipt bytes from the cache or load_receipt); with receipt_id
 * NULL it is in flight (retries get FCP_EOP_IN_PROGRESS until it expires).
 * expires_at in Unix seconds (an expired key is skipped, 0 returned).
 * Errors: FCP_EINVOKE_ZONE, FCP_EOP_IDEMPOTENCY_CONFLICT (already loaded
 * differently), FCP_EOP_IDEMPOTENCY_FULL, FCP_EOP_KEY.  Added after the
 * first version of this header. */
int fcp_invoke_ctx_restore_key(fcp_invoke_ctx *ctx, const char *zone, const char *key,
                               const uint8_t request_object_id[FCP_OBJECT_ID_BYTES],
                               const uint8_t intent_id[FCP_OBJECT_ID_BYTES],
                               const uint8_t *receipt_id, uint64_t expires_at, uint64_t now_ms);

/* One invocation as received (all borrowed for the duration of decide). */
typedef struct fcp_invoke_request {
    const char    *zone_id;          /* target zone (must be served) */
    const char    *connector_id;     /* must equal the manifest's id */
    const char    *operation;        /* a manifest operation */
    const char    *input_json;       /* input_len bytes of JSON (need not be NUL-terminated) */
    size_t         input_len;
    const uint8_t *token;            /* CapabilityToken (COSE_Sign1) */
    size_t         token_len;
    const char    *idempotency_key;  /* NULL = none */
    const uint8_t *const *approvals; /* encoded ApprovalTokens (fcp_approval_encode) */
    const size_t  *approval_lens;
    size_t         n_approvals;      /* <= FCP_INVOKE_MAX_APPROVALS */
    const fcp_provenance *provenance;/* NULL: fcp_provenance_init(zone, 0) with taint below */
    uint32_t       taint;            /* FCP_TAINT_* bits, used when provenance is NULL */
    int            transport;        /* FCP_TRANSPORT_* (0 = local) */
    /* Holder binding (Risky/Dangerous, token step 13): the node presenting
     * the token (must be the token's holder_node) and its proof
     * fcp_holder_proof_sign(request_id, operation, token cti) verified with
     * the key from lookup->node_key.  Safe operations need none. */
    const char    *presenter_node;   /* NULL = this node */
    const char    *request_id;       /* NULL = "" */
    const uint8_t *holder_sig;       /* 64 bytes or NULL */
    const uint8_t *aud_binary;       /* the installed connector binary's id (32 bytes, e.g.
                                        fcp_manifest_binary_hash); required for Risky and
                                        Dangerous operations, whose tokens must carry
                                        aud_binary (FCP_ETOKEN_AUD_BINARY); NULL: Safe only */
    int            interactive_override; /* Risky on stale revocation state (policy permitting) */
    int            simulate;         /* decide only (see file comment) */
} fcp_invoke_request;

/* Zero r (transport local, nothing set). */
void fcp_invoke_request_init(fcp_invoke_request *r);

/* The outcome of decide.  Owns its buffers: fcp_invoke_plan_free. */
typedef struct fcp_invoke_plan {
    int      verdict;              /* enum fcp_invoke_verdict */
    int      reason;               /* 0, or the deny code (negative FCP error) */
    int      step;                 /* enum fcp_invoke_step that decided */
    char     message[FCP_INVOKE_MESSAGE_MAX]; /* for a person: what was refused */
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    char     connector_id[FCP_CONNECTOR_ID_MAX + 1];
    char     operation[FCP_OPERATION_ID_MAX + 1];
    char     principal[FCP_PRINCIPAL_MAX + 1];   /* "" before the token verified */
    char     capability[FCP_MANIFEST_MAX_ID + 1];
    int      tier;                 /* FCP_OP_TIER_* */
    uint32_t timeout_ms;           /* sandbox wall_clock_timeout_ms, or the default */
    fcp_buf  input;                /* copy of the input JSON, NUL-terminated (len excludes it) */
    uint8_t  request_object_id[FCP_OBJECT_ID_BYTES]; /* D-INVOKE-2 */
    uint8_t  input_hash[32];       /* BLAKE3("FCP2-INPUT-V1" || tstr(input bytes)) (D-INVOKE-1) */
    int      has_idempotency_key;
    char     idempotency_key[FCP_IDEMPOTENCY_KEY_MAX + 1];
    fcp_decision decision;         /* fcp_decide's result (when step >= 5 was reached) */
    unsigned rev_flags;            /* FCP_REV_* of the freshness check */
    /* DecisionReceipt (deny; allow too with receipt_on_allow), WIRE bytes */
    fcp_buf  decision_receipt;
    uint8_t  decision_receipt_id[FCP_OBJECT_ID_BYTES];
    /* OperationIntent (EXECUTE), WIRE bytes: persist before executing */
    fcp_buf  intent;
    uint8_t  intent_id[FCP_OBJECT_ID_BYTES];
    /* the prior OperationReceipt (REPLAY), WIRE bytes */
    fcp_buf  receipt;
    uint8_t  receipt_id[FCP_OBJECT_ID_BYTES];
    /* AuditEvent "invoke.deny" (DENIED with a known zone; not for simulate) */
    fcp_buf  audit_event;
    uint8_t  audit_event_id[FCP_OBJECT_ID_BYTES];
    uint64_t audit_seq;
    /* internal state for complete (do not touch) */
    int      pending;              /* 1 between an EXECUTE decide and complete */
    uint64_t planned_at;
    uint8_t  token_jti[16];
} fcp_invoke_plan;

void fcp_invoke_plan_init(fcp_invoke_plan *p);
void fcp_invoke_plan_free(fcp_invoke_plan *p);

/* Step 1.  plan must have been set up with fcp_invoke_plan_init (or used
 * before): its previous contents are freed.  Returns 0 when a verdict was reached
 * (plan->verdict; a deny is a verdict, its code in plan->reason), or a
 * negative error when nothing could be decided or recorded (FCP_ENOMEM,
 * signing/encoding errors, FCP_EINVAL for NULL arguments). */
int fcp_invoke_decide(fcp_invoke_ctx *ctx, const fcp_manifest *m, const fcp_invoke_request *req,
                      uint64_t now_ms, fcp_invoke_plan *plan);

/* The outcome of complete.  Owns its buffers: fcp_invoke_result_free. */
typedef struct fcp_invoke_result {
    int      status;               /* the status given to complete */
    fcp_buf  output;               /* copy of the output JSON (success), NUL-terminated */
    uint8_t  output_id[FCP_OBJECT_ID_BYTES]; /* receipt outcome (D-INVOKE-4) */
    fcp_buf  receipt;              /* OperationReceipt WIRE bytes (success only) */
    uint8_t  receipt_id[FCP_OBJECT_ID_BYTES];
    fcp_buf  audit_event;          /* AuditEvent WIRE bytes (always) */
    uint8_t  audit_event_id[FCP_OBJECT_ID_BYTES];
    uint64_t audit_seq;
    int      replayed;             /* 1: fcp_invoke_run returned a REPLAY (receipt = prior) */
} fcp_invoke_result;

void fcp_invoke_result_init(fcp_invoke_result *r);
void fcp_invoke_result_free(fcp_invoke_result *r);

/* Step 3, for a plan with verdict EXECUTE (else FCP_EINVOKE_PLAN; a plan
 * completes once).  result NULL with status != 0: fcp_invoke_abandon.  status is the connector call's result: 0 and the
 * output JSON (must be well-formed: else the call counts as failed with
 * FCP_EINVOKE_OUTPUT_JSON), or a negative FCP code.  Returns 0 when the
 * outcome was recorded (result filled, whether the call succeeded or not),
 * or a negative error (then nothing was recorded and the plan stays
 * pending). */
int fcp_invoke_complete(fcp_invoke_ctx *ctx, fcp_invoke_plan *plan, int status,
                        const char *output_json, size_t output_len, uint64_t now_ms,
                        fcp_invoke_result *result);

/* Give up on an EXECUTE plan whose connector call never started (e.g. the
 * intent could not be persisted, the worker queue was full): the plan is
 * no longer pending and its idempotency key is released; nothing is
 * recorded (no audit event, no receipt).  FCP_EINVOKE_PLAN if the plan is
 * not pending.  fcp_invoke_complete with result NULL and a non-zero status
 * does the same.  Added after the first version of this header. */
int fcp_invoke_abandon(fcp_invoke_ctx *ctx, fcp_invoke_plan *plan, uint64_t now_ms);

/* 1 if a failed call with this status may have had side effects (transport
 * died mid-call: timeout, closed, broken frames), so its idempotency entry
 * is kept in flight; 0 if the connector refused cleanly or never started. */
int fcp_invoke_status_may_have_effects(int status);

/* The connector call (step 2): append the output JSON to out, 0 or a
 * negative FCP code. */
typedef int (*fcp_invoke_exec_fn)(void *user, const fcp_invoke_plan *plan, fcp_buf *out);

/* An exec function over a started connector: user is a fcp_host_conn *;
 * fcp_host_invoke(conn, "invoke", plan->operation, plan->input, plan->timeout_ms). */
int fcp_invoke_exec_host(void *user, const fcp_invoke_plan *plan, fcp_buf *out);

/* All three steps in the calling thread: decide; on EXECUTE call exec once
 * and complete.  Returns 0 when a verdict was recorded (plan->verdict;
 * result filled for EXECUTE, and for REPLAY result->receipt is the prior
 * receipt with result->replayed = 1), else a negative error. */
int fcp_invoke_run(fcp_invoke_ctx *ctx, const fcp_manifest *m, const fcp_invoke_request *req,
                   uint64_t now_ms, fcp_invoke_exec_fn exec, void *user, fcp_invoke_plan *plan,
                   fcp_invoke_result *result);

/* ---- JSON (host_invoke_json.c) ---------------------------------------- */

/* Strict RFC 8259 check of one JSON text p[0..n): whitespace around one
 * value, strict UTF-8 (no overlongs, surrogates or > U+10FFFF), escapes
 * only \" \\ \/ \b \f \n \r \t \uXXXX (paired surrogates), no control
 * characters in strings, numbers per the grammar, nesting <= max_depth.
 * 0 or FCP_EINVOKE_INPUT_JSON. */
int fcp_invoke_json_check(const char *p, size_t n, int max_depth);

/* Enforce the part of a JSON Schema that the pipeline supports on a
 * checked input: when schema is an object with "type": "object" the input
 * must be an object; every string of its top-level "required" array must be
 * a key of the input object.  Other keywords are ignored (D-INVOKE-6).
 * 0, FCP_EINVOKE_INPUT_SCHEMA (input violates it), or
 * FCP_EINVOKE_INPUT_JSON (either text malformed). */
int fcp_invoke_schema_check(const char *schema, size_t slen, const char *input, size_t ilen);

#endif
