/*
 * wire_symreq.c - SymbolRequest / SymbolDeliveryHint / DecodeStatus /
 * SymbolAck codecs, transcripts, signatures and the anti-amplification
 * allowance (symreq.h, decision D-SESSION-5).
 *
 * Decoders walk the map with the strict cursor decoder (which enforces
 * canonical key order and refuses duplicates), dispatch on the key, and
 * check that every required field was seen; list bounds are checked on the
 * array head before any element is read.
 */
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/session.h"
#include "fcp/symreq.h"

static const char ACK_DOMAIN[] = "FCP2-SYMBOL-ACK-V2";
static const char STATUS_DOMAIN[] = "FCP2-DECODE-STATUS-V2";
static const char REQ_DOMAIN[] = "FCP2-SYMBOL-REQUEST-V1";

/* ---- validation ------------------------------------------------------------ */

static int text_len(const char *s, size_t max)
{
    return (int)strnlen(s, max + 1);
}

static int target_check(const fcp_symreq_target *t)
{
    return fcp_zone_id_validate(t->zone_id, (size_t)text_len(t->zone_id, FCP_ZONE_ID_MAX));
}

static int node_check(const char *id)
{
    return fcp_session_node_id_check(id, (size_t)text_len(id, FCP_NODE_ID_MAX));
}

static int esis_check(const uint32_t *e, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (e[i] <= e[i - 1])
            return FCP_ESYMREQ_ESI_ORDER;
    return 0;
}

int fcp_decode_status_validate(const fcp_decode_status *s)
{
    int rc;
    if ((rc = target_check(&s->t)) < 0 || (rc = node_check(s->recipient)) < 0)
        return rc;
    if (s->needed == 0)
        return FCP_ESYMREQ_STATUS;
    if (s->has_missing_hint) {
        if (s->n_missing == 0 || s->n_missing > FCP_SYMREQ_MAX_ESIS)
            return FCP_ESYMREQ_HINT;
        if ((rc = esis_check(s->missing_hint, s->n_missing)) < 0)
            return rc;
    }
    if (s->complete && (s->received_unique < s->needed || s->has_missing_hint))
        return FCP_ESYMREQ_STATUS;
    return 0;
}

int fcp_symbol_ack_validate(const fcp_symbol_ack *a)
{
    int rc;
    if ((rc = target_check(&a->t)) < 0 || (rc = node_check(a->recipient)) < 0)
        return rc;
    if (a->reason > FCP_SYMACK_BUDGET_EXCEEDED)
        return FCP_ESYMREQ_REASON;
    return 0;
}

int fcp_symbol_request_validate(const fcp_symbol_request *r)
{
    int rc;
    if ((rc = target_check(&r->t)) < 0 || (rc = node_check(r->requester)) < 0)
        return rc;
    if (r->max_symbols == 0)
        return FCP_ESYMREQ_MAX_SYMBOLS;
    if (r->has_want_esi) {
        if (r->n_want == 0 || r->n_want > FCP_SYMREQ_MAX_ESIS || r->n_want > r->max_symbols)
            return FCP_ESYMREQ_WANT_ESI;
        if ((rc = esis_check(r->want_esi, r->n_want)) < 0)
            return rc;
    }
    if (r->has_decode_status && (rc = fcp_decode_status_validate(&r->decode_status)) < 0)
        return rc;
    return 0;
}

int fcp_delivery_hint_validate(const fcp_symbol_delivery_hint *h)
{
    if (h->stop_after_symbols == 0)
        return FCP_ESYMREQ_DELIVERY_HINT;
    if (h->has_preferred_symbol_size && (h->preferred_symbol_size < 256 || h->preferred_symbol_size > 16384))
        return FCP_ESYMREQ_DELIVERY_HINT;
    return 0;
}

/* ---- encoders -------------------------------------------------------------- */

static void target_put(fcp_cbor_enc *e, const fcp_symreq_target *t)
{
    fcp_cbor_put_kv_bytes(e, "object_id", t->object_id, 32);
    fcp_cbor_put_kv_text(e, "zone_id", t->zone_id);
    fcp_cbor_put_kv_bytes(e, "zone_key_id", t->zone_key_id, 8);
    fcp_cbor_put_kv_uint(e, "epoch_id", t->epoch_id);
}

static void esis_put(fcp_cbor_enc *e, const char *k, const uint32_t *v, size_t n)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_array(e, n);
    for (size_t i = 0; i < n; i++)
        fcp_cbor_put_uint(e, v[i]);
}

static void status_put(fcp_cbor_enc *e, const fcp_decode_status *s)
{
    fcp_cbor_map_open(e);
    target_put(e, &s->t);
    fcp_cbor_put_kv_text(e, "recipient", s->recipient);
    fcp_cbor_put_kv_uint(e, "request_nonce", s->request_nonce);
    fcp_cbor_put_kv_uint(e, "received_unique", s->received_unique);
    fcp_cbor_put_kv_uint(e, "needed", s->needed);
    fcp_cbor_put_cstr(e, "complete");
    fcp_cbor_put_bool(e, s->complete);
    if (s->has_missing_hint)
        esis_put(e, "missing_hint", s->missing_hint, s->n_missing);
    if (s->has_signature)
        fcp_cbor_put_kv_bytes(e, "signature", s->signature, 64);
    fcp_cbor_map_close(e);
}

int fcp_decode_status_encode(const fcp_decode_status *s, fcp_buf *out)
{
    int rc = fcp_decode_status_validate(s);
    if (rc < 0)
        return rc;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    status_put(&e, s);
    return fcp_cbor_enc_done(&e);
}

int fcp_symbol_ack_encode(const fcp_symbol_ack *a, fcp_buf *out)
{
    int rc = fcp_symbol_ack_validate(a);
    if (rc < 0)
        return rc;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    target_put(&e, &a->t);
    fcp_cbor_put_kv_text(&e, "recipient", a->recipient);
    fcp_cbor_put_kv_uint(&e, "request_nonce", a->request_nonce);
    fcp_cbor_put_kv_uint(&e, "reason", a->reason);
    fcp_cbor_put_kv_uint(&e, "final_symbol_count", a->final_symbol_count);
    if (a->has_signature)
        fcp_cbor_put_kv_bytes(&e, "signature", a->signature, 64);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

int fcp_symbol_request_encode(const fcp_symbol_request *r, fcp_buf *out)
{
    int rc = fcp_symbol_request_validate(r);
    if (rc < 0)
        return rc;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    target_put(&e, &r->t);
    fcp_cbor_put_kv_text(&e, "requester", r->requester);
    fcp_cbor_put_kv_uint(&e, "request_nonce", r->request_nonce);
    fcp_cbor_put_kv_uint(&e, "max_symbols", r->max_symbols);
    if (r->has_want_esi)
        esis_put(&e, "want_esi", r->want_esi, r->n_want);
    if (r->has_decode_status) {
        fcp_cbor_put_cstr(&e, "decode_status");
        status_put(&e, &r->decode_status);
    }
    fcp_cbor_put_kv_uint(&e, "requested_at", r->requested_at);
    if (r->has_signature)
        fcp_cbor_put_kv_bytes(&e, "signature", r->signature, 64);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

int fcp_delivery_hint_encode(const fcp_symbol_delivery_hint *h, fcp_buf *out)
{
    int rc = fcp_delivery_hint_validate(h);
    if (rc < 0)
        return rc;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_kv_uint(&e, "stop_after_symbols", h->stop_after_symbols);
    if (h->has_preferred_symbol_size)
        fcp_cbor_put_kv_uint(&e, "preferred_symbol_size", h->preferred_symbol_size);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

/* ---- decoders -------------------------------------------------------------- */

static const fcp_cbor_limits SR_LIMITS = {8, 4 * FCP_SYMREQ_MAX_ESIS, FCP_SYMREQ_MAX_ENCODED, 0};

static int get_text(fcp_cbor_dec *d, char *out, size_t max)
{
    const char *s;
    size_t n;
    int rc = fcp_cbor_get_text(d, &s, &n);
    if (rc < 0)
        return rc;
    if (n > max)
        return FCP_ESYMREQ_FIELD;
    memcpy(out, s, n);
    out[n] = '\0';
    if (memchr(out, 0, n))
        return FCP_ESYMREQ_FIELD;
    return 0;
}

static int get_u32(fcp_cbor_dec *d, uint32_t *v)
{
    uint64_t x;
    int rc = fcp_cbor_get_uint(d, &x);
    if (rc < 0)
        return rc;
    if (x > UINT32_MAX)
        return FCP_ESYMREQ_FIELD;
    *v = (uint32_t)x;
    return 0;
}

/* ESI list: the count is checked against cap (err) before elements. */
static int get_esis(fcp_cbor_dec *d, uint32_t *v, size_t *n, int err)
{
    uint64_t cnt;
    int rc = fcp_cbor_get_array(d, &cnt);
    if (rc < 0)
        return rc;
    if (cnt == 0 || cnt > FCP_SYMREQ_MAX_ESIS)
        return err;
    for (uint64_t i = 0; i < cnt; i++)
        if ((rc = get_u32(d, &v[i])) < 0)
            return rc;
    *n = (size_t)cnt;
    return 0;
}

/* A map form: its keys (any order: fcp_cbor_read_fields matches by name),
 * the bits of the keys that must be present, and the reader of one value. */
typedef struct sr_form {
    const char *const *keys;
    int n_keys;
    unsigned required;
    fcp_cbor_field_fn field;
} sr_form;

/* The first six keys of DecodeStatus, SymbolAck and SymbolRequest: the
 * target, the node id (named by the form) and the request nonce. */
#define TARGET_KEYS(node) "object_id", "zone_id", "zone_key_id", "epoch_id", node, "request_nonce"
#define TARGET_BITS 0x3fu

static int target_field(fcp_cbor_dec *d, int i, fcp_symreq_target *t, char *node, uint64_t *nonce)
{
    switch (i) {
    case 0: return fcp_cbor_get_fixed(d, t->object_id, 32, FCP_ESYMREQ_FIELD);
    case 1: return get_text(d, t->zone_id, FCP_ZONE_ID_MAX);
    case 2: return fcp_cbor_get_fixed(d, t->zone_key_id, 8, FCP_ESYMREQ_FIELD);
    case 3: return fcp_cbor_get_uint(d, &t->epoch_id);
    case 4: return get_text(d, node, FCP_NODE_ID_MAX);
    default: return fcp_cbor_get_uint(d, nonce);
    }
}

/* Read the map at d into obj by form f; FCP_EMISSING_FIELD if a required
 * key is absent. */
static int form_read(fcp_cbor_dec *d, const sr_form *f, void *obj)
{
    unsigned seen = 0;
    int rc = fcp_cbor_read_fields(d, f->keys, f->n_keys, f->field, obj, &seen);
    if (rc < 0)
        return rc;
    return (seen & f->required) == f->required ? 0 : FCP_EMISSING_FIELD;
}

/* Decode p[0..n) into obj (size bytes, zeroed first and again on any
 * failure): the map by form f, nothing after it, then validate(obj). */
static int form_decode(void *obj, size_t size, const uint8_t *p, size_t n, const sr_form *f,
                       int (*validate)(const void *obj))
{
    fcp_cbor_dec d;
    memset(obj, 0, size);
    if (n > FCP_SYMREQ_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_cbor_dec_init(&d, p, n, &SR_LIMITS);
    int rc = form_read(&d, f, obj);
    if (rc == 0)
        rc = fcp_cbor_dec_finish(&d);
    if (rc == 0)
        rc = validate(obj);
    if (rc < 0)
        memset(obj, 0, size);
    return rc;
}

/* DecodeStatus */

static const char *const status_keys[] = { TARGET_KEYS("recipient"), "received_unique", "needed",
                                           "complete", "missing_hint", "signature" };

static int status_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_decode_status *s = obj;
    switch (i) {
    case 6: return get_u32(d, &s->received_unique);
    case 7: return get_u32(d, &s->needed);
    case 8: return fcp_cbor_get_bool(d, &s->complete);
    case 9:
        s->has_missing_hint = 1;
        return get_esis(d, s->missing_hint, &s->n_missing, FCP_ESYMREQ_HINT);
    case 10:
        s->has_signature = 1;
        return fcp_cbor_get_fixed(d, s->signature, 64, FCP_ESYMREQ_FIELD);
    default: return target_field(d, i, &s->t, s->recipient, &s->request_nonce);
    }
}

static const sr_form status_form = { status_keys, 11, TARGET_BITS | 0x1c0u, status_field };

static int status_ok(const void *s) { return fcp_decode_status_validate(s); }

int fcp_decode_status_decode(fcp_decode_status *s, const uint8_t *p, size_t n)
{
    return form_decode(s, sizeof *s, p, n, &status_form, status_ok);
}

/* SymbolAck */

static const char *const ack_keys[] = { TARGET_KEYS("recipient"), "reason", "final_symbol_count",
                                        "signature" };

static int ack_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_symbol_ack *a = obj;
    uint64_t v;
    int rc;
    switch (i) {
    case 6:
        if ((rc = fcp_cbor_get_uint(d, &v)) < 0)
            return rc;
        a->reason = (uint8_t)v;
        return v > 255 ? FCP_ESYMREQ_REASON : 0;
    case 7: return get_u32(d, &a->final_symbol_count);
    case 8:
        a->has_signature = 1;
        return fcp_cbor_get_fixed(d, a->signature, 64, FCP_ESYMREQ_FIELD);
    default: return target_field(d, i, &a->t, a->recipient, &a->request_nonce);
    }
}

static const sr_form ack_form = { ack_keys, 9, TARGET_BITS | 0xc0u, ack_field };

static int ack_ok(const void *a) { return fcp_symbol_ack_validate(a); }

int fcp_symbol_ack_decode(fcp_symbol_ack *a, const uint8_t *p, size_t n)
{
    return form_decode(a, sizeof *a, p, n, &ack_form, ack_ok);
}

/* SymbolRequest */

static const char *const request_keys[] = { TARGET_KEYS("requester"), "max_symbols", "want_esi",
                                            "decode_status", "requested_at", "signature" };

static int request_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_symbol_request *r = obj;
    switch (i) {
    case 6: return get_u32(d, &r->max_symbols);
    case 7:
        r->has_want_esi = 1;
        return get_esis(d, r->want_esi, &r->n_want, FCP_ESYMREQ_WANT_ESI);
    case 8:
        r->has_decode_status = 1;
        return form_read(d, &status_form, &r->decode_status);
    case 9: return fcp_cbor_get_uint(d, &r->requested_at);
    case 10:
        r->has_signature = 1;
        return fcp_cbor_get_fixed(d, r->signature, 64, FCP_ESYMREQ_FIELD);
    default: return target_field(d, i, &r->t, r->requester, &r->request_nonce);
    }
}

static const sr_form request_form = { request_keys, 11, TARGET_BITS | 0x240u, request_field };

static int request_ok(const void *r) { return fcp_symbol_request_validate(r); }

int fcp_symbol_request_decode(fcp_symbol_request *r, const uint8_t *p, size_t n)
{
    return form_decode(r, sizeof *r, p, n, &request_form, request_ok);
}

/* SymbolDeliveryHint */

static const char *const hint_keys[] = { "stop_after_symbols", "preferred_symbol_size" };

static int hint_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_symbol_delivery_hint *h = obj;
    uint64_t v;
    int rc;
    if (i == 0)
        return get_u32(d, &h->stop_after_symbols);
    if ((rc = fcp_cbor_get_uint(d, &v)) < 0)
        return rc;
    h->preferred_symbol_size = (uint16_t)v;
    h->has_preferred_symbol_size = 1;
    return v > UINT16_MAX ? FCP_ESYMREQ_DELIVERY_HINT : 0;
}

static const sr_form hint_form = { hint_keys, 2, 0x1u, hint_field };

static int hint_ok(const void *h) { return fcp_delivery_hint_validate(h); }

int fcp_delivery_hint_decode(fcp_symbol_delivery_hint *h, const uint8_t *p, size_t n)
{
    return form_decode(h, sizeof *h, p, n, &hint_form, hint_ok);
}

/* ---- transcripts ----------------------------------------------------------- */

static void put_lp(fcp_buf *b, const char *s)
{
    size_t n = strlen(s);
    fcp_buf_put_u32le(b, (uint32_t)n);
    fcp_buf_append(b, s, n);
}

static void target_bytes(fcp_buf *b, const fcp_symreq_target *t, const char *node, uint64_t nonce)
{
    fcp_buf_append(b, t->object_id, 32);
    put_lp(b, t->zone_id);
    fcp_buf_append(b, t->zone_key_id, 8);
    fcp_buf_put_u64le(b, t->epoch_id);
    put_lp(b, node);
    fcp_buf_put_u64le(b, nonce);
}

static void status_bytes(fcp_buf *b, const fcp_decode_status *s)
{
    fcp_buf_append(b, STATUS_DOMAIN, sizeof STATUS_DOMAIN - 1);
    target_bytes(b, &s->t, s->recipient, s->request_nonce);
    fcp_buf_put_u32le(b, s->received_unique);
    fcp_buf_put_u32le(b, s->needed);
    fcp_buf_put_u8(b, s->complete ? 1 : 0);
    fcp_buf_put_u32le(b, s->has_missing_hint ? (uint32_t)s->n_missing : 0);
    if (s->has_missing_hint)
        for (size_t i = 0; i < s->n_missing; i++)
            fcp_buf_put_u32le(b, s->missing_hint[i]);
}

int fcp_decode_status_transcript(const fcp_decode_status *s, fcp_buf *out)
{
    int rc = fcp_decode_status_validate(s);
    if (rc < 0)
        return rc;
    status_bytes(out, s);
    return out->err;
}

int fcp_symbol_ack_transcript(const fcp_symbol_ack *a, fcp_buf *out)
{
    int rc = fcp_symbol_ack_validate(a);
    if (rc < 0)
        return rc;
    fcp_buf_append(out, ACK_DOMAIN, sizeof ACK_DOMAIN - 1);
    target_bytes(out, &a->t, a->recipient, a->request_nonce);
    fcp_buf_put_u8(out, a->reason);
    fcp_buf_put_u32le(out, a->final_symbol_count);
    return out->err;
}

int fcp_symbol_request_transcript(const fcp_symbol_request *r, fcp_buf *out)
{
    int rc = fcp_symbol_request_validate(r);
    if (rc < 0)
        return rc;
    fcp_buf_append(out, REQ_DOMAIN, sizeof REQ_DOMAIN - 1);
    target_bytes(out, &r->t, r->requester, r->request_nonce);
    fcp_buf_put_u32le(out, r->max_symbols);
    fcp_buf_put_u32le(out, r->has_want_esi ? (uint32_t)r->n_want : 0);
    if (r->has_want_esi)
        for (size_t i = 0; i < r->n_want; i++)
            fcp_buf_put_u32le(out, r->want_esi[i]);
    fcp_buf_put_u8(out, r->has_decode_status ? 1 : 0);
    if (r->has_decode_status)
        status_bytes(out, &r->decode_status);
    fcp_buf_put_u64le(out, r->requested_at);
    return out->err;
}

int fcp_symbol_request_sign(fcp_symbol_request *r, const uint8_t sk[64])
{
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = fcp_symbol_request_transcript(r, &b);
    if (rc == 0)
        rc = fcp_ed25519_sign(r->signature, b.data, b.len, sk);
    if (rc == 0)
        r->has_signature = 1;
    fcp_buf_free(&b);
    return rc;
}

int fcp_symbol_request_verify(const fcp_symbol_request *r, const uint8_t pk[32])
{
    if (!r->has_signature)
        return FCP_ESESSION_MISSING_SIGNATURE;
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = fcp_symbol_request_transcript(r, &b);
    if (rc == 0)
        rc = fcp_ed25519_verify(r->signature, b.data, b.len, pk) == 0 ? 0 : FCP_ESESSION_BAD_SIGNATURE;
    fcp_buf_free(&b);
    return rc;
}

/* ---- allowance (D-SESSION-5) ----------------------------------------------- */

void fcp_symreq_policy_default(fcp_symreq_policy *p)
{
    p->max_per_request = FCP_SYMREQ_DEFAULT_PER_REQUEST;
    p->max_unauthenticated = FCP_SYMREQ_UNAUTH_CAP;
    p->require_authenticated = 1;
    p->repair_margin = 2;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

int fcp_symreq_allowance(const fcp_symreq_policy *p, const fcp_symbol_request *r,
                         int authenticated, uint32_t available, uint32_t *allowed)
{
    *allowed = 0;
    int rc = fcp_symbol_request_validate(r);
    if (rc < 0)
        return rc;
    if (!authenticated && p->require_authenticated)
        return FCP_ESYMREQ_UNAUTHENTICATED;
    int proof = r->has_want_esi || r->has_decode_status;
    uint32_t cap = (authenticated && proof) ? p->max_per_request
                                            : min32(p->max_per_request, p->max_unauthenticated);
    uint32_t n = min32(min32(r->max_symbols, cap), available);
    if (r->has_want_esi)
        n = min32(n, (uint32_t)r->n_want);
    if (r->has_decode_status) {
        const fcp_decode_status *s = &r->decode_status;
        if (s->complete) {
            n = 0;
        } else {
            uint64_t need = s->received_unique < s->needed ? (uint64_t)(s->needed - s->received_unique) : 0;
            need += p->repair_margin;
            if (need < n)
                n = (uint32_t)need;
        }
    }
    *allowed = n;
    return 0;
}
