/*
 * host_invoke.c - the invoke pipeline (host_invoke.h): decide (token,
 * freshness, input, decision, rate limit, idempotency, intent), complete
 * (receipt, audit event, idempotency), and the one-thread runner.
 *
 * Everything this file signs is signed by the context's node key; every id
 * is the zone's keyed ObjectId.  Decisions D-INVOKE-1..7 are in
 * docs/protocol/decisions.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_decision_inputs.h"
#include "fcp/authz_idempotency.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/host_invoke.h"
#include "fcp/host_transport.h"
#include "fcp/model_approval.h"
#include "host_invoke_internal.h"

typedef struct inv_zone {
    char              zone_id[FCP_ZONE_ID_MAX + 1];
    const fcp_dec_policy *policy;
    fcp_object_id_key oid_key;
    uint64_t          checkpoint_seq;
    fcp_audit_writer  writer;
} inv_zone;

typedef struct inv_cached {
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    uint8_t  id[FCP_OBJECT_ID_BYTES];
    uint8_t *bytes;
    size_t   len;
} inv_cached;

struct fcp_invoke_ctx {
    fcp_invoke_config cfg;
    char     node_id[FCP_NODE_ID_MAX + 1];
    uint8_t  node_sk[64];
    uint8_t  owner_pk[32];
    fcp_token_lookup lookup;
    fcp_revset *revset;
    fcp_revset owned_revset;
    int      owns_revset;
    inv_zone zones[FCP_INVOKE_MAX_ZONES];
    size_t   n_zones;
    fcp_idem_table idem;
    fcp_inv_rate rate;
    inv_cached *cache;          /* ring of completed keyed receipts */
    size_t   cache_cap, cache_next;
    /* scratch (the context is used by one thread at a time) */
    fcp_token_verified verified;
    fcp_approval_token approvals[FCP_INVOKE_MAX_APPROVALS];
    fcp_operation_intent intent;
    fcp_operation_receipt receipt;
    fcp_decision_receipt dreceipt;
    fcp_audit_event event;
};

/* ---- small helpers ------------------------------------------------------ */

static int printable(const char *s, size_t max)
{
    size_t n;
    if (!s)
        return 0;
    n = strnlen(s, max + 1);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strnlen(src, cap - 1) : 0;
    if (n)
        memcpy(dst, src, n);
    dst[n] = 0;
}

static inv_zone *find_zone(const fcp_invoke_ctx *ctx, const char *zone)
{
    for (size_t i = 0; i < ctx->n_zones; i++)
        if (strcmp(ctx->zones[i].zone_id, zone) == 0)
            return (inv_zone *)&ctx->zones[i];
    return NULL;
}

static int map_tier(fcp_safety_tier t)
{
    switch (t) {
    case FCP_TIER_SAFE: return FCP_OP_TIER_SAFE;
    case FCP_TIER_RISKY: return FCP_OP_TIER_RISKY;
    default: return FCP_OP_TIER_DANGEROUS;
    }
}

static int revoked_cb(void *c, enum fcp_rev_scope scope, const uint8_t id[32], uint64_t now)
{
    return fcp_revset_lookup_cb(((fcp_invoke_ctx *)c)->revset, scope, id, now);
}

/* The wrapped lookup: the caller's, with is_revoked from our revset when the
 * caller gave none.  Their ctx pointer stays theirs, so we adapt through a
 * small trampoline only for is_revoked. */
static _Thread_local fcp_invoke_ctx *tramp_owner; /* set for the duration of a verify */
static int tramp_revoked(void *c, enum fcp_rev_scope scope, const uint8_t id[32], uint64_t now)
{
    (void)c;
    return revoked_cb(tramp_owner, scope, id, now);
}

/* ---- configuration ------------------------------------------------------ */

void fcp_invoke_config_init(fcp_invoke_config *c)
{
    memset(c, 0, sizeof *c);
    fcp_rev_freshness_policy_default(&c->freshness);
}

void fcp_invoke_request_init(fcp_invoke_request *r)
{
    memset(r, 0, sizeof *r);
    r->transport = FCP_TRANSPORT_LOCAL;
}

int fcp_invoke_ctx_new(fcp_invoke_ctx **out, const fcp_invoke_config *cfg)
{
    fcp_invoke_ctx *ctx;
    int rc;
    if (!out)
        return FCP_EINVAL;
    *out = NULL;
    if (!cfg || !cfg->node_id || !cfg->node_sk || !cfg->owner_pk || !cfg->lookup || !cfg->hash_key)
        return FCP_EINVAL;
    if ((rc = fcp_node_id_validate(cfg->node_id, strnlen(cfg->node_id, FCP_NODE_ID_MAX + 1))) != 0)
        return rc;
    ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return FCP_ENOMEM;
    ctx->cfg = *cfg;
    if (!ctx->cfg.idem_capacity)
        ctx->cfg.idem_capacity = FCP_INVOKE_DEFAULT_IDEM_CAPACITY;
    if (!ctx->cfg.idem_ttl)
        ctx->cfg.idem_ttl = FCP_INVOKE_DEFAULT_IDEM_TTL;
    if (!ctx->cfg.rate_buckets)
        ctx->cfg.rate_buckets = FCP_INVOKE_DEFAULT_RATE_BUCKETS;
    if (!ctx->cfg.token_skew)
        ctx->cfg.token_skew = FCP_TOKEN_DEFAULT_SKEW;
    copy_str(ctx->node_id, sizeof ctx->node_id, cfg->node_id);
    memcpy(ctx->node_sk, cfg->node_sk, 64);
    memcpy(ctx->owner_pk, cfg->owner_pk, 32);
    ctx->cfg.node_id = ctx->node_id;
    ctx->cfg.node_sk = ctx->node_sk;
    ctx->cfg.owner_pk = ctx->owner_pk;
    ctx->lookup = *cfg->lookup;
    if (cfg->revset) {
        ctx->revset = cfg->revset;
    } else {
        uint8_t k[16];
        fcp_blake3_derive_key(k, 16, "FCP2 invoke revset key v1", cfg->hash_key, 32);
        if ((rc = fcp_revset_init(&ctx->owned_revset, 64, k)) != 0) {
            free(ctx);
            return rc;
        }
        ctx->owns_revset = 1;
        ctx->revset = &ctx->owned_revset;
    }
    {
        uint8_t k[32];
        fcp_blake3_derive_key(k, 32, "FCP2 invoke idempotency key v1", cfg->hash_key, 32);
        rc = fcp_idem_init(&ctx->idem, ctx->cfg.idem_capacity, k);
        if (rc == 0) {
            fcp_blake3_derive_key(k, 32, "FCP2 invoke rate key v1", cfg->hash_key, 32);
            rc = fcp_inv_rate_init(&ctx->rate, ctx->cfg.rate_buckets, k);
        }
        fcp_memzero(k, sizeof k);
    }
    if (rc == 0) {
        ctx->cache_cap = ctx->cfg.idem_capacity;
        ctx->cache = calloc(ctx->cache_cap, sizeof *ctx->cache);
        if (!ctx->cache)
            rc = FCP_ENOMEM;
    }
    if (rc) {
        fcp_invoke_ctx_free(ctx);
        return rc;
    }
    *out = ctx;
    return 0;
}

void fcp_invoke_ctx_free(fcp_invoke_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->n_zones; i++)
        fcp_audit_writer_wipe(&ctx->zones[i].writer);
    if (ctx->owns_revset)
        fcp_revset_free(&ctx->owned_revset);
    if (ctx->idem.slots)
        fcp_idem_free(&ctx->idem);
    fcp_inv_rate_free(&ctx->rate);
    if (ctx->cache) {
        for (size_t i = 0; i < ctx->cache_cap; i++)
            free(ctx->cache[i].bytes);
        free(ctx->cache);
    }
    fcp_memzero(ctx, sizeof *ctx);
    free(ctx);
}

int fcp_invoke_ctx_add_zone(fcp_invoke_ctx *ctx, const fcp_invoke_zone_config *z)
{
    inv_zone *iz;
    int rc;
    if (!ctx || !z || !z->zone_id || !z->policy)
        return FCP_EINVAL;
    if ((rc = fcp_zone_id_validate(z->zone_id, strnlen(z->zone_id, FCP_ZONE_ID_MAX + 1))) != 0)
        return rc;
    if (find_zone(ctx, z->zone_id) || ctx->n_zones >= FCP_INVOKE_MAX_ZONES)
        return FCP_EINVOKE_ZONE;
    iz = &ctx->zones[ctx->n_zones];
    memset(iz, 0, sizeof *iz);
    copy_str(iz->zone_id, sizeof iz->zone_id, z->zone_id);
    iz->policy = z->policy;
    iz->oid_key = z->oid_key;
    iz->checkpoint_seq = z->checkpoint_seq;
    if ((rc = fcp_audit_writer_init(&iz->writer, z->zone_id, ctx->node_id, ctx->node_sk,
                                    &z->oid_key)) != 0)
        return rc;
    if (z->resume) {
        iz->writer.next_seq = z->resume->seq + 1;
        iz->writer.have_prev = 1;
        memcpy(iz->writer.prev, z->resume->prev, FCP_OBJECT_ID_BYTES);
        iz->writer.last_occurred_at = z->resume->occurred_at;
    }
    ctx->n_zones++;
    return 0;
}

int fcp_invoke_ctx_set_checkpoint(fcp_invoke_ctx *ctx, const char *zone, uint64_t seq)
{
    inv_zone *z = (ctx && zone) ? find_zone(ctx, zone) : NULL;
    if (!z)
        return FCP_EINVOKE_ZONE;
    z->checkpoint_seq = seq;
    return 0;
}

fcp_revset *fcp_invoke_ctx_revset(fcp_invoke_ctx *ctx)
{
    return ctx ? ctx->revset : NULL;
}

int fcp_invoke_ctx_audit_head(const fcp_invoke_ctx *ctx, const char *zone, uint64_t *next_seq,
                              int *have_prev, uint8_t prev[FCP_OBJECT_ID_BYTES])
{
    const inv_zone *z = (ctx && zone) ? find_zone(ctx, zone) : NULL;
    if (!z)
        return FCP_EINVOKE_ZONE;
    if (next_seq)
        *next_seq = z->writer.next_seq;
    if (have_prev)
        *have_prev = z->writer.have_prev;
    if (prev)
        memcpy(prev, z->writer.prev, FCP_OBJECT_ID_BYTES);
    return 0;
}

int fcp_invoke_ctx_restore_key(fcp_invoke_ctx *ctx, const char *zone, const char *key,
                               const uint8_t request_object_id[FCP_OBJECT_ID_BYTES],
                               const uint8_t intent_id[FCP_OBJECT_ID_BYTES],
                               const uint8_t *receipt_id, uint64_t expires_at, uint64_t now_ms)
{
    uint64_t now_s = now_ms / 1000u, ttl;
    uint8_t prior[32];
    int rc;
    if (!ctx || !zone || !key || !request_object_id || !intent_id)
        return FCP_EINVAL;
    if (!find_zone(ctx, zone))
        return FCP_EINVOKE_ZONE;
    if (expires_at < now_s)
        return 0; /* already expired: absent */
    ttl = expires_at - now_s;
    rc = fcp_idem_begin(&ctx->idem, zone, key, request_object_id, intent_id, now_s, ttl, prior);
    if (rc == 1)
        return receipt_id && memcmp(prior, receipt_id, 32) == 0 ? 0 : FCP_EOP_IDEMPOTENCY_CONFLICT;
    if (rc != 0)
        return rc;
    if (receipt_id)
        return fcp_idem_complete(&ctx->idem, zone, key, request_object_id, receipt_id, now_s, ttl);
    return 0;
}

/* ---- plans and results -------------------------------------------------- */

void fcp_invoke_plan_init(fcp_invoke_plan *p)
{
    memset(p, 0, sizeof *p);
    fcp_buf_init(&p->input);
    fcp_buf_init(&p->decision_receipt);
    fcp_buf_init(&p->intent);
    fcp_buf_init(&p->receipt);
    fcp_buf_init(&p->audit_event);
}

void fcp_invoke_plan_free(fcp_invoke_plan *p)
{
    if (!p)
        return;
    fcp_buf_free(&p->input);
    fcp_buf_free(&p->decision_receipt);
    fcp_buf_free(&p->intent);
    fcp_buf_free(&p->receipt);
    fcp_buf_free(&p->audit_event);
    fcp_invoke_plan_init(p);
}

void fcp_invoke_result_init(fcp_invoke_result *r)
{
    memset(r, 0, sizeof *r);
    fcp_buf_init(&r->output);
    fcp_buf_init(&r->receipt);
    fcp_buf_init(&r->audit_event);
}

void fcp_invoke_result_free(fcp_invoke_result *r)
{
    if (!r)
        return;
    fcp_buf_free(&r->output);
    fcp_buf_free(&r->receipt);
    fcp_buf_free(&r->audit_event);
    fcp_invoke_result_init(r);
}

/* ---- ids ---------------------------------------------------------------- */

/* D-INVOKE-1: the decision input is the input bytes as one CBOR text
 * string; input_hash = BLAKE3("FCP2-INPUT-V1" || that item), exactly what
 * fcp_approval_input_hash gives for it. */
static int input_item(fcp_buf *out, const char *json, size_t n)
{
    fcp_cbor_enc e;
    int rc;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_put_text(&e, json, n);
    rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

/* D-INVOKE-2: request_object_id = ObjectId under the zone key of schema
 * fcp.invoke.InvokeRequest/1.0.0 over the canonical map {"connector",
 * "input_hash", "operation", "principal"} ("" before the token verified). */
static int request_id(uint8_t out[32], const inv_zone *z, const char *connector, const char *op,
                      const char *principal, const uint8_t input_hash[32])
{
    fcp_buf b;
    fcp_cbor_enc e;
    fcp_schema_id s;
    int rc;
    fcp_buf_init(&b);
    fcp_cbor_enc_init(&e, &b);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "connector");
    fcp_cbor_put_cstr(&e, connector);
    fcp_cbor_put_cstr(&e, "input_hash");
    fcp_cbor_put_bytes(&e, input_hash, 32);
    fcp_cbor_put_cstr(&e, "operation");
    fcp_cbor_put_cstr(&e, op);
    fcp_cbor_put_cstr(&e, "principal");
    fcp_cbor_put_cstr(&e, principal);
    fcp_cbor_map_close(&e);
    rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    if (rc == 0)
        rc = fcp_schema_id_init(&s, "fcp.invoke", "InvokeRequest", 1, 0, 0);
    if (rc == 0)
        rc = fcp_object_id(out, &z->oid_key, z->zone_id, strlen(z->zone_id), &s, b.data, b.len);
    fcp_buf_free(&b);
    return rc;
}

/* D-INVOKE-4: the receipt's outcome = ObjectId of the output JSON bytes
 * (schema fcp.invoke.InvokeOutput/1.0.0) under the zone key. */
static int output_id(uint8_t out[32], const inv_zone *z, const char *json, size_t n)
{
    fcp_schema_id s;
    int rc = fcp_schema_id_init(&s, "fcp.invoke", "InvokeOutput", 1, 0, 0);
    if (rc == 0)
        rc = fcp_object_id(out, &z->oid_key, z->zone_id, strlen(z->zone_id), &s,
                           (const uint8_t *)json, n);
    return rc;
}

/* ---- records ------------------------------------------------------------ */

static int audit(fcp_invoke_ctx *ctx, inv_zone *z, const fcp_invoke_plan *p, const char *type,
                 const uint8_t *result_id, int with_jti, uint64_t now_s, fcp_buf *out,
                 uint8_t id[32], uint64_t *seq)
{
    fcp_audit_event *ev = &ctx->event;
    memset(ev, 0, sizeof *ev);
    memcpy(ev->correlation_id, p->request_object_id, 16);
    copy_str(ev->event_type, sizeof ev->event_type, type);
    copy_str(ev->actor, sizeof ev->actor, p->principal[0] ? p->principal : "unauthenticated");
    ev->has_connector_id = 1;
    copy_str(ev->connector_id, sizeof ev->connector_id, p->connector_id);
    ev->has_operation = 1;
    copy_str(ev->operation, sizeof ev->operation, p->operation);
    if (with_jti) {
        ev->has_capability_token_jti = 1;
        memcpy(ev->capability_token_jti, p->token_jti, 16);
    }
    ev->has_request_object_id = 1;
    memcpy(ev->request_object_id, p->request_object_id, 32);
    if (result_id) {
        ev->has_result_object_id = 1;
        memcpy(ev->result_object_id, result_id, 32);
    }
    /* never behind the chain: a clock step backwards is recorded at the
     * chain's last time instead of failing the append */
    ev->occurred_at = now_s < z->writer.last_occurred_at ? z->writer.last_occurred_at : now_s;
    {
        fcp_schema_id s;
        int rc;
        fcp_audit_event_schema(&s);
        if ((rc = fcp_object_header_init(&ev->header, &s, z->zone_id, ev->occurred_at)) != 0)
            return rc;
    }
    *seq = z->writer.next_seq;
    return fcp_audit_append(&z->writer, ev, out, id);
}

static int decision_receipt(fcp_invoke_ctx *ctx, const inv_zone *z, fcp_invoke_plan *p,
                            uint64_t now_s)
{
    fcp_decision_receipt *r = &ctx->dreceipt;
    fcp_schema_id s;
    int rc;
    memset(r, 0, sizeof *r);
    fcp_decision_receipt_schema(&s);
    if ((rc = fcp_object_header_init(&r->header, &s, z->zone_id, now_s)) != 0)
        return rc;
    if ((rc = fcp_decision_to_receipt(&p->decision, p->request_object_id, now_s, ctx->node_id, r)) != 0)
        return rc;
    if (!p->decision.allow) {
        const char *why = fcp_strerror(p->reason);
        r->has_explanation = 1;
        copy_str(r->explanation, sizeof r->explanation, why ? why : "denied");
    }
    if ((rc = fcp_decision_receipt_sign(r, ctx->node_sk)) != 0)
        return rc;
    fcp_buf_reset(&p->decision_receipt);
    if ((rc = fcp_decision_receipt_encode(r, FCP_VIEW_WIRE, &p->decision_receipt)) != 0)
        return rc;
    return fcp_decision_receipt_id(p->decision_receipt_id, r, &z->oid_key);
}

/* Record a deny: DecisionReceipt and (not simulating) the audit event. */
static int deny(fcp_invoke_ctx *ctx, inv_zone *z, fcp_invoke_plan *p, int reason, int step,
                int simulate, int with_jti, uint64_t now_s, const char *msg)
{
    int rc;
    p->verdict = FCP_INVOKE_DENIED;
    p->reason = reason;
    p->step = step;
    p->pending = 0;
    if (msg)
        snprintf(p->message, sizeof p->message, "%s", msg);
    else
        snprintf(p->message, sizeof p->message, "%s", fcp_strerror(reason));
    if (p->decision.reason != reason || p->decision.allow) {
        memset(&p->decision, 0, sizeof p->decision);
        p->decision.allow = 0;
        p->decision.reason = reason;
        p->decision.step = step;
    }
    if (!z)
        return 0;
    if ((rc = decision_receipt(ctx, z, p, now_s)) != 0)
        return rc;
    if (simulate)
        return 0;
    return audit(ctx, z, p, "invoke.deny", p->decision_receipt_id, with_jti, now_s, &p->audit_event,
                 p->audit_event_id, &p->audit_seq);
}

/* ---- receipt cache ------------------------------------------------------ */

static void cache_put(fcp_invoke_ctx *ctx, const char *zone, const uint8_t id[32],
                      const uint8_t *bytes, size_t len)
{
    inv_cached *c = &ctx->cache[ctx->cache_next];
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return; /* a replay then asks load_receipt */
    free(c->bytes);
    memcpy(copy, bytes, len);
    copy_str(c->zone_id, sizeof c->zone_id, zone);
    memcpy(c->id, id, 32);
    c->bytes = copy;
    c->len = len;
    ctx->cache_next = (ctx->cache_next + 1) % ctx->cache_cap;
}

static int cache_get(fcp_invoke_ctx *ctx, const char *zone, const uint8_t id[32], fcp_buf *out)
{
    for (size_t i = 0; i < ctx->cache_cap; i++) {
        inv_cached *c = &ctx->cache[i];
        if (c->bytes && memcmp(c->id, id, 32) == 0 && strcmp(c->zone_id, zone) == 0)
            return fcp_buf_append(out, c->bytes, c->len);
    }
    if (ctx->cfg.load_receipt)
        return ctx->cfg.load_receipt(ctx->cfg.user, zone, id, out);
    return FCP_ENOENT;
}

/* ---- decide ------------------------------------------------------------- */

static int verify_approvals(fcp_invoke_ctx *ctx, const fcp_invoke_request *req, uint64_t now_s,
                            fcp_dec_approval *out, uint8_t (*ids)[32], size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < req->n_approvals; i++) {
        fcp_approval_token *t = &ctx->approvals[i];
        uint8_t pk[32];
        int ok = 0, rc;
        if (!req->approvals[i] || fcp_approval_decode(t, req->approvals[i], req->approval_lens[i]) != 0)
            return FCP_EINVOKE_APPROVAL;
        if ((rc = fcp_approval_token_id(ids[i], t)) != 0)
            return FCP_EINVOKE_APPROVAL;
        if (ctx->cfg.approver_key && ctx->cfg.approver_key(ctx->cfg.user, t->approved_by, pk) == 0) {
            rc = fcp_approval_verify(t, pk, now_s);
            ok = rc == 0 || rc == FCP_EAPPROVAL_EXPIRED || rc == FCP_EAPPROVAL_NOT_YET_VALID;
        }
        out[i].token = t;
        out[i].signature_ok = ok;
        out[i].token_id = ids[i];
        (*n)++;
    }
    return 0;
}

int fcp_invoke_decide(fcp_invoke_ctx *ctx, const fcp_manifest *m, const fcp_invoke_request *req,
                      uint64_t now_ms, fcp_invoke_plan *plan)
{
    const uint64_t now_s = now_ms / 1000u;
    const fcp_manifest_op *op;
    inv_zone *z;
    fcp_buf item;
    fcp_token_request tr;
    int rc, sim;
    if (!ctx || !m || !req || !plan)
        return FCP_EINVAL;
    fcp_invoke_plan_free(plan);
    sim = req->simulate != 0;
    fcp_buf_init(&item);

    /* 1 request */
    if (!req->zone_id || !(z = find_zone(ctx, req->zone_id)))
        return deny(ctx, NULL, plan, FCP_EINVOKE_ZONE, FCP_INVOKE_STEP_REQUEST, sim, 0, now_s, NULL);
    copy_str(plan->zone_id, sizeof plan->zone_id, z->zone_id);
    if (!printable(req->connector_id, FCP_CONNECTOR_ID_MAX) ||
        !printable(req->operation, FCP_OPERATION_ID_MAX) || (!req->input_json && req->input_len) ||
        !req->token || req->n_approvals > FCP_INVOKE_MAX_APPROVALS ||
        (req->n_approvals && (!req->approvals || !req->approval_lens)) ||
        (req->idempotency_key &&
         fcp_idempotency_key_validate(req->idempotency_key,
                                      strnlen(req->idempotency_key, FCP_IDEMPOTENCY_KEY_MAX + 1)) != 0))
        return deny(ctx, NULL, plan, FCP_EINVOKE_REQUEST, FCP_INVOKE_STEP_REQUEST, sim, 0, now_s, NULL);
    copy_str(plan->connector_id, sizeof plan->connector_id, req->connector_id);
    copy_str(plan->operation, sizeof plan->operation, req->operation);
    if (req->idempotency_key) {
        plan->has_idempotency_key = 1;
        copy_str(plan->idempotency_key, sizeof plan->idempotency_key, req->idempotency_key);
    }
    /* the request id needs the input hash: a too-large or absent input is
     * hashed as given (it is refused at step 2 anyway) */
    if (req->input_len > FCP_INVOKE_MAX_INPUT) {
        memset(plan->input_hash, 0, 32);
    } else {
        if ((rc = input_item(&item, req->input_json ? req->input_json : "", req->input_len)) != 0)
            goto out;
        /* the hash over the item: same construction as fcp_approval_input_hash
         * without its canonical-UTF-8 re-check (the JSON check covers it) */
        fcp_blake3_hasher h;
        fcp_blake3_hasher_init(&h);
        fcp_blake3_hasher_update(&h, "FCP2-INPUT-V1", 13);
        fcp_blake3_hasher_update(&h, item.data, item.len);
        fcp_blake3_hasher_finalize(&h, plan->input_hash, 32);
    }
    if ((rc = request_id(plan->request_object_id, z, plan->connector_id, plan->operation, "",
                         plan->input_hash)) != 0)
        goto out;
    if (!m->id || strcmp(m->id, req->connector_id) != 0) {
        rc = deny(ctx, z, plan, FCP_EINVOKE_CONNECTOR, FCP_INVOKE_STEP_REQUEST, sim, 0, now_s, NULL);
        goto out;
    }
    if (!(op = fcp_manifest_find_op(m, req->operation))) {
        rc = deny(ctx, z, plan, FCP_EHOST_UNKNOWN_OP, FCP_INVOKE_STEP_REQUEST, sim, 0, now_s, NULL);
        goto out;
    }
    plan->tier = map_tier(op->tier);
    copy_str(plan->capability, sizeof plan->capability, op->capability);
    plan->timeout_ms = m->sandbox.wall_clock_timeout_ms ? m->sandbox.wall_clock_timeout_ms
                                                        : FCP_INVOKE_DEFAULT_TIMEOUT_MS;

    /* 2 input */
    if (req->input_len > FCP_INVOKE_MAX_INPUT ||
        fcp_invoke_json_check(req->input_json, req->input_len, FCP_INVOKE_JSON_MAX_DEPTH) != 0) {
        rc = deny(ctx, z, plan, FCP_EINVOKE_INPUT_JSON, FCP_INVOKE_STEP_INPUT, sim, 0, now_s, NULL);
        goto out;
    }
    if (op->input_schema &&
        (rc = fcp_invoke_schema_check(op->input_schema, strlen(op->input_schema), req->input_json,
                                      req->input_len)) != 0) {
        rc = deny(ctx, z, plan, FCP_EINVOKE_INPUT_SCHEMA, FCP_INVOKE_STEP_INPUT, sim, 0, now_s, NULL);
        goto out;
    }

    /* 3 token */
    fcp_token_request_init(&tr, now_s, ctx->owner_pk);
    tr.skew_secs = ctx->cfg.token_skew;
    tr.max_lifetime_secs = ctx->cfg.token_max_lifetime;
    tr.audience = req->connector_id;
    tr.zone_id = z->zone_id;
    tr.aud_binary = req->aud_binary;
    tr.tier = (enum fcp_op_tier)plan->tier;
    tr.operation = req->operation;
    tr.presenter_node = req->presenter_node ? req->presenter_node : ctx->node_id;
    tr.request_id = req->request_id ? req->request_id : "";
    tr.holder_sig = req->holder_sig;
    tr.oid_key = &z->oid_key;
    {
        fcp_token_lookup lk = ctx->lookup;
        if (!lk.is_revoked) {
            lk.is_revoked = tramp_revoked;
            tramp_owner = ctx;
        }
        rc = fcp_token_verify(req->token, req->token_len, &tr, &lk, &ctx->verified);
    }
    if (rc != 0) {
        rc = deny(ctx, z, plan, rc, FCP_INVOKE_STEP_TOKEN, sim, 0, now_s, NULL);
        goto out;
    }
    {
        const fcp_token_claims *c = &ctx->verified.claims;
        const char *pr = (c->present & FCP_TC_PRINCIPAL) ? c->principal_id
                         : (c->present & FCP_TC_SUB)     ? c->sub
                                                         : NULL;
        if (c->cti_len == 16)
            memcpy(plan->token_jti, c->cti, 16);
        else
            memcpy(plan->token_jti, ctx->verified.token_id, 16); /* D-INVOKE-2 */
        if (!printable(pr, FCP_PRINCIPAL_MAX)) {
            rc = deny(ctx, z, plan, FCP_ETOKEN_MISSING_CLAIM, FCP_INVOKE_STEP_TOKEN, sim, 1, now_s,
                      "capability token: principal missing or not a printable id");
            goto out;
        }
        copy_str(plan->principal, sizeof plan->principal, pr);
        if ((rc = request_id(plan->request_object_id, z, plan->connector_id, plan->operation,
                             plan->principal, plan->input_hash)) != 0)
            goto out;
    }

    /* 4 revocation freshness */
    {
        const fcp_token_claims *c = &ctx->verified.claims;
        uint64_t required = (c->present & FCP_TC_CHK_SEQ) ? c->chk_seq : 0;
        rc = fcp_rev_freshness_check(&ctx->cfg.freshness, (enum fcp_op_tier)plan->tier, ctx->revset,
                                     required, now_s, req->interactive_override, &plan->rev_flags);
        if (rc != 0) {
            rc = deny(ctx, z, plan, rc, FCP_INVOKE_STEP_FRESHNESS, sim, 1, now_s, NULL);
            goto out;
        }
    }

    /* 5 the decision */
    {
        fcp_dec_grant grants[FCP_CAP_MAX_GRANTS];
        fcp_dec_token dt;
        fcp_dec_revocation drv;
        fcp_dec_request dr;
        fcp_decision_input in;
        fcp_provenance prov;
        fcp_dec_approval appr[FCP_INVOKE_MAX_APPROVALS];
        uint8_t appr_ids[FCP_INVOKE_MAX_APPROVALS][32];
        size_t n_appr = 0;
        if (fcp_dec_token_from_verified(&dt, grants, FCP_CAP_MAX_GRANTS, &ctx->verified) != 0) {
            rc = deny(ctx, z, plan, FCP_ETOKEN_MISSING_CLAIM, FCP_INVOKE_STEP_TOKEN, sim, 1, now_s, NULL);
            goto out;
        }
        fcp_dec_revocation_from_revset(&drv, ctx->revset);
        if ((rc = verify_approvals(ctx, req, now_s, appr, appr_ids, &n_appr)) != 0) {
            rc = deny(ctx, z, plan, rc, FCP_INVOKE_STEP_DECISION, sim, 1, now_s, NULL);
            goto out;
        }
        if (!req->provenance) {
            if ((rc = fcp_provenance_init(&prov, z->zone_id, 0)) != 0)
                goto out;
            prov.taint = req->taint & FCP_TAINT_ALL;
        }
        memset(&dr, 0, sizeof dr);
        dr.principal = plan->principal;
        dr.zone_id = z->zone_id;
        dr.connector_id = plan->connector_id;
        dr.operation = plan->operation;
        dr.capability = plan->capability;
        dr.tier = plan->tier;
        dr.requires_approval = op->approval == FCP_APPROVAL_REQUIRED;
        dr.transport = req->transport;
        dr.input = item.data;
        dr.input_len = item.len;
        dr.request_object_id = plan->request_object_id;
        dr.provenance = req->provenance ? req->provenance : &prov;
        memset(&in, 0, sizeof in);
        in.now = now_s;
        in.request = &dr;
        in.token = &dt;
        in.policy = z->policy;
        in.revocation = &drv;
        in.checkpoint_seq = z->checkpoint_seq;
        in.approvals = appr;
        in.n_approvals = n_appr;
        rc = fcp_decide(&in, &plan->decision);
        if (rc != 0) {
            rc = deny(ctx, z, plan, rc, FCP_INVOKE_STEP_DECISION, sim, 1, now_s, NULL);
            goto out;
        }
    }

    /* 6 rate limit */
    if (op->rate_count) {
        uint64_t retry = 0;
        rc = fcp_inv_rate_take(&ctx->rate, z->zone_id, plan->principal, plan->connector_id,
                               plan->operation, op->rate_count, (uint64_t)op->rate_per_s * 1000u,
                               now_ms, !sim, &retry);
        if (rc != 0) {
            char msg[FCP_INVOKE_MESSAGE_MAX];
            snprintf(msg, sizeof msg, "%s (retry in %llu ms)", fcp_strerror(rc),
                     (unsigned long long)retry);
            rc = deny(ctx, z, plan, rc, FCP_INVOKE_STEP_RATE, sim, 1, now_s, msg);
            goto out;
        }
    }

    /* 7 lease: implicit on a single node (D-INVOKE-3) */

    if (sim) {
        plan->verdict = FCP_INVOKE_SIMULATED;
        plan->step = FCP_INVOKE_STEP_RATE;
        snprintf(plan->message, sizeof plan->message, "would be allowed");
        if (ctx->cfg.receipt_on_allow)
            rc = decision_receipt(ctx, z, plan, now_s);
        goto out;
    }

    /* 9 (built before 8: the idempotency entry records the intent id) */
    {
        fcp_operation_intent *it = &ctx->intent;
        fcp_schema_id s;
        memset(it, 0, sizeof *it);
        fcp_operation_intent_schema(&s);
        if ((rc = fcp_object_header_init(&it->header, &s, z->zone_id, now_s)) != 0)
            goto out;
        memcpy(it->request_object_id, plan->request_object_id, 32);
        memcpy(it->capability_token_jti, plan->token_jti, 16);
        if (plan->has_idempotency_key) {
            it->has_idempotency_key = 1;
            copy_str(it->idempotency_key, sizeof it->idempotency_key, plan->idempotency_key);
        }
        it->planned_at = now_s;
        copy_str(it->planned_by, sizeof it->planned_by, ctx->node_id);
        if ((rc = fcp_operation_intent_sign(it, ctx->node_sk)) != 0 ||
            (rc = fcp_operation_intent_id(plan->intent_id, it, &z->oid_key)) != 0)
            goto out;
    }

    /* 8 idempotency */
    if (plan->has_idempotency_key) {
        uint8_t prior[32];
        rc = fcp_idem_begin(&ctx->idem, z->zone_id, plan->idempotency_key, plan->request_object_id,
                            plan->intent_id, now_s, ctx->cfg.idem_ttl, prior);
        if (rc == 1) {
            fcp_buf_reset(&plan->receipt);
            memcpy(plan->receipt_id, prior, 32);
            rc = cache_get(ctx, z->zone_id, prior, &plan->receipt);
            if (rc != 0) {
                fcp_buf_reset(&plan->receipt);
                rc = deny(ctx, z, plan, FCP_EINVOKE_RECEIPT_UNAVAILABLE, FCP_INVOKE_STEP_IDEMPOTENCY,
                          0, 1, now_s, NULL);
                goto out;
            }
            plan->verdict = FCP_INVOKE_REPLAY;
            plan->step = FCP_INVOKE_STEP_IDEMPOTENCY;
            snprintf(plan->message, sizeof plan->message,
                     "idempotency key already completed: prior receipt returned");
            rc = 0;
            goto out;
        }
        if (rc != 0) {
            rc = deny(ctx, z, plan, rc, FCP_INVOKE_STEP_IDEMPOTENCY, 0, 1, now_s, NULL);
            goto out;
        }
    }
    if ((rc = fcp_operation_intent_encode(&ctx->intent, FCP_VIEW_WIRE, &plan->intent)) != 0 ||
        (rc = fcp_buf_append(&plan->input, req->input_json ? req->input_json : "",
                             req->input_len)) != 0 ||
        (rc = fcp_buf_put_u8(&plan->input, 0)) != 0) {
        if (plan->has_idempotency_key)
            fcp_idem_abort(&ctx->idem, z->zone_id, plan->idempotency_key, now_s);
        goto out;
    }
    plan->input.len--; /* the NUL stays in memory, outside len */
    if (ctx->cfg.receipt_on_allow && (rc = decision_receipt(ctx, z, plan, now_s)) != 0) {
        if (plan->has_idempotency_key)
            fcp_idem_abort(&ctx->idem, z->zone_id, plan->idempotency_key, now_s);
        goto out;
    }
    plan->verdict = FCP_INVOKE_EXECUTE;
    plan->step = FCP_INVOKE_STEP_INTENT;
    plan->planned_at = now_s;
    plan->pending = 1;
    snprintf(plan->message, sizeof plan->message, "allowed");
    rc = 0;
out:
    fcp_buf_free(&item);
    return rc;
}

/* ---- complete ----------------------------------------------------------- */

int fcp_invoke_status_may_have_effects(int status)
{
    switch (status) {
    case FCP_EHOST_TIMEOUT:
    case FCP_EHOST_CLOSED:
    case FCP_EHOST_FRAME:
    case FCP_EHOST_FRAME_TOO_LARGE:
    case FCP_EHOST_MESSAGE:
    case FCP_EHOST_UNEXPECTED:
    case FCP_EIO:
        return 1;
    default:
        return 0;
    }
}

int fcp_invoke_complete(fcp_invoke_ctx *ctx, fcp_invoke_plan *plan, int status,
                        const char *output_json, size_t output_len, uint64_t now_ms,
                        fcp_invoke_result *result)
{
    uint64_t now_s = now_ms / 1000u;
    inv_zone *z;
    int rc;
    if (!ctx || !plan || (!result && status == 0))
        return FCP_EINVAL;
    if (!result)
        return fcp_invoke_abandon(ctx, plan, now_ms);
    if (plan->verdict != FCP_INVOKE_EXECUTE || !plan->pending)
        return FCP_EINVOKE_PLAN;
    if (!(z = find_zone(ctx, plan->zone_id)))
        return FCP_EINVOKE_ZONE;
    fcp_invoke_result_free(result);
    if (now_s < plan->planned_at)
        now_s = plan->planned_at;
    if (status == 0 &&
        (output_len > FCP_INVOKE_MAX_OUTPUT || (!output_json && output_len) ||
         fcp_invoke_json_check(output_json, output_len, FCP_INVOKE_JSON_MAX_DEPTH) != 0))
        status = FCP_EINVOKE_OUTPUT_JSON;
    result->status = status;
    if (status == 0) {
        fcp_operation_receipt *r = &ctx->receipt;
        fcp_schema_id s;
        if ((rc = output_id(result->output_id, z, output_json ? output_json : "", output_len)) != 0)
            goto fail;
        memset(r, 0, sizeof *r);
        fcp_operation_receipt_schema(&s);
        if ((rc = fcp_object_header_init(&r->header, &s, z->zone_id, now_s)) != 0)
            goto fail;
        r->header.n_refs = 1;
        memcpy(r->header.refs[0], plan->intent_id, 32);
        memcpy(r->request_object_id, plan->request_object_id, 32);
        if (plan->has_idempotency_key) {
            r->has_idempotency_key = 1;
            copy_str(r->idempotency_key, sizeof r->idempotency_key, plan->idempotency_key);
        }
        r->n_outcomes = 1;
        memcpy(r->outcome_object_ids[0], result->output_id, 32);
        r->executed_at = now_s;
        copy_str(r->executed_by, sizeof r->executed_by, ctx->node_id);
        if ((rc = fcp_operation_receipt_sign(r, ctx->node_sk)) != 0 ||
            (rc = fcp_operation_receipt_id(result->receipt_id, r, &z->oid_key)) != 0 ||
            (rc = fcp_operation_receipt_encode(r, FCP_VIEW_WIRE, &result->receipt)) != 0 ||
            (rc = fcp_buf_append(&result->output, output_json ? output_json : "", output_len)) != 0 ||
            (rc = fcp_buf_put_u8(&result->output, 0)) != 0)
            goto fail;
        result->output.len--;
        if (plan->has_idempotency_key &&
            (rc = fcp_idem_complete(&ctx->idem, z->zone_id, plan->idempotency_key,
                                    plan->request_object_id, result->receipt_id, now_s,
                                    ctx->cfg.idem_ttl)) != 0 &&
            rc != FCP_ENOENT)
            goto fail; /* FCP_ENOENT: the entry expired meanwhile; the receipt stands */
        if ((rc = audit(ctx, z, plan, "invoke.complete", result->receipt_id, 1, now_s,
                        &result->audit_event, result->audit_event_id, &result->audit_seq)) != 0)
            goto fail;
        if (plan->has_idempotency_key)
            cache_put(ctx, z->zone_id, result->receipt_id, result->receipt.data, result->receipt.len);
    } else {
        if ((rc = audit(ctx, z, plan, "invoke.failed", NULL, 1, now_s, &result->audit_event,
                        result->audit_event_id, &result->audit_seq)) != 0)
            goto fail;
        if (plan->has_idempotency_key && !fcp_invoke_status_may_have_effects(status))
            fcp_idem_abort(&ctx->idem, z->zone_id, plan->idempotency_key, now_s);
    }
    plan->pending = 0;
    return 0;
fail:
    {
        int keep = result->status;
        fcp_invoke_result_free(result);
        result->status = keep;
    }
    return rc;
}

int fcp_invoke_abandon(fcp_invoke_ctx *ctx, fcp_invoke_plan *plan, uint64_t now_ms)
{
    if (!ctx || !plan)
        return FCP_EINVAL;
    if (plan->verdict != FCP_INVOKE_EXECUTE || !plan->pending)
        return FCP_EINVOKE_PLAN;
    if (plan->has_idempotency_key)
        fcp_idem_abort(&ctx->idem, plan->zone_id, plan->idempotency_key, now_ms / 1000u);
    plan->pending = 0;
    return 0;
}

/* ---- runner ------------------------------------------------------------- */

int fcp_invoke_exec_host(void *user, const fcp_invoke_plan *plan, fcp_buf *out)
{
    fcp_host_conn *c = user;
    if (!c || !plan)
        return FCP_EINVAL;
    return fcp_host_invoke(c, "invoke", plan->operation, (const char *)plan->input.data,
                           plan->timeout_ms, out);
}

int fcp_invoke_run(fcp_invoke_ctx *ctx, const fcp_manifest *m, const fcp_invoke_request *req,
                   uint64_t now_ms, fcp_invoke_exec_fn exec, void *user, fcp_invoke_plan *plan,
                   fcp_invoke_result *result)
{
    fcp_buf out;
    int rc, st;
    if (!ctx || !m || !req || !plan || !result || (!exec && !req->simulate))
        return FCP_EINVAL;
    fcp_invoke_result_free(result);
    if ((rc = fcp_invoke_decide(ctx, m, req, now_ms, plan)) != 0)
        return rc;
    if (plan->verdict == FCP_INVOKE_REPLAY) {
        result->replayed = 1;
        memcpy(result->receipt_id, plan->receipt_id, 32);
        return fcp_buf_append(&result->receipt, plan->receipt.data, plan->receipt.len);
    }
    if (plan->verdict != FCP_INVOKE_EXECUTE)
        return 0;
    fcp_buf_init(&out);
    st = exec(user, plan, &out);
    rc = fcp_invoke_complete(ctx, plan, st, st == 0 ? (const char *)out.data : NULL,
                             st == 0 ? out.len : 0, now_ms, result);
    fcp_buf_free(&out);
    return rc;
}
