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

static void kb(fcp_cbor_enc *e, const char *k, const uint8_t *v, size_t n)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_bytes(e, v, n);
}

static void ku(fcp_cbor_enc *e, const char *k, uint64_t v)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_uint(e, v);
}

static void kt(fcp_cbor_enc *e, const char *k, const char *v)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_cstr(e, v);
}

static void target_put(fcp_cbor_enc *e, const fcp_symreq_target *t)
{
    kb(e, "object_id", t->object_id, 32);
    kt(e, "zone_id", t->zone_id);
    kb(e, "zone_key_id", t->zone_key_id, 8);
    ku(e, "epoch_id", t->epoch_id);
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
    kt(e, "recipient", s->recipient);
    ku(e, "request_nonce", s->request_nonce);
    ku(e, "received_unique", s->received_unique);
    ku(e, "needed", s->needed);
    fcp_cbor_put_cstr(e, "complete");
    fcp_cbor_put_bool(e, s->complete);
    if (s->has_missing_hint)
        esis_put(e, "missing_hint", s->missing_hint, s->n_missing);
    if (s->has_signature)
        kb(e, "signature", s->signature, 64);
    fcp_cbor_map_close(e);
}

static int enc_done(fcp_cbor_enc *e)
{
    int rc = fcp_cbor_enc_finish(e);
    fcp_cbor_enc_free(e);
    return rc;
}

int fcp_decode_status_encode(const fcp_decode_status *s, fcp_buf *out)
{
    int rc = fcp_decode_status_validate(s);
    if (rc < 0)
        return rc;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    status_put(&e, s);
    return enc_done(&e);
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
    kt(&e, "recipient", a->recipient);
    ku(&e, "request_nonce", a->request_nonce);
    ku(&e, "reason", a->reason);
    ku(&e, "final_symbol_count", a->final_symbol_count);
    if (a->has_signature)
        kb(&e, "signature", a->signature, 64);
    fcp_cbor_map_close(&e);
    return enc_done(&e);
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
    kt(&e, "requester", r->requester);
    ku(&e, "request_nonce", r->request_nonce);
    ku(&e, "max_symbols", r->max_symbols);
    if (r->has_want_esi)
        esis_put(&e, "want_esi", r->want_esi, r->n_want);
    if (r->has_decode_status) {
        fcp_cbor_put_cstr(&e, "decode_status");
        status_put(&e, &r->decode_status);
    }
    ku(&e, "requested_at", r->requested_at);
    if (r->has_signature)
        kb(&e, "signature", r->signature, 64);
    fcp_cbor_map_close(&e);
    return enc_done(&e);
}

int fcp_delivery_hint_encode(const fcp_symbol_delivery_hint *h, fcp_buf *out)
{
    int rc = fcp_delivery_hint_validate(h);
    if (rc < 0)
        return rc;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    ku(&e, "stop_after_symbols", h->stop_after_symbols);
    if (h->has_preferred_symbol_size)
        ku(&e, "preferred_symbol_size", h->preferred_symbol_size);
    fcp_cbor_map_close(&e);
    return enc_done(&e);
}

/* ---- decoders -------------------------------------------------------------- */

static const fcp_cbor_limits SR_LIMITS = {8, 4 * FCP_SYMREQ_MAX_ESIS, FCP_SYMREQ_MAX_ENCODED, 0};

/* Field bits shared by the decoders. */
enum {
    F_OBJ = 1u << 0, F_ZONE = 1u << 1, F_ZKID = 1u << 2, F_EPOCH = 1u << 3, F_NODE = 1u << 4,
    F_NONCE = 1u << 5, F_A = 1u << 6, F_B = 1u << 7, F_C = 1u << 8, F_D = 1u << 9,
    F_TARGET = F_OBJ | F_ZONE | F_ZKID | F_EPOCH
};

static int get_fixed(fcp_cbor_dec *d, uint8_t *out, size_t want)
{
    const uint8_t *p;
    size_t n;
    int rc = fcp_cbor_get_bytes(d, &p, &n);
    if (rc < 0)
        return rc;
    if (n != want)
        return FCP_ESYMREQ_FIELD;
    memcpy(out, p, n);
    return 0;
}

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

/* One common target/recipient field; 1 if handled, 0 if not this key. */
static int target_field(fcp_cbor_dec *d, const char *k, size_t kn, fcp_symreq_target *t,
                        char *node, const char *node_key, uint64_t *nonce, unsigned *seen)
{
    int rc;
    if (fcp_cbor_key_is(k, kn, "object_id")) {
        rc = get_fixed(d, t->object_id, 32);
        *seen |= F_OBJ;
    } else if (fcp_cbor_key_is(k, kn, "zone_id")) {
        rc = get_text(d, t->zone_id, FCP_ZONE_ID_MAX);
        *seen |= F_ZONE;
    } else if (fcp_cbor_key_is(k, kn, "zone_key_id")) {
        rc = get_fixed(d, t->zone_key_id, 8);
        *seen |= F_ZKID;
    } else if (fcp_cbor_key_is(k, kn, "epoch_id")) {
        rc = fcp_cbor_get_uint(d, &t->epoch_id);
        *seen |= F_EPOCH;
    } else if (fcp_cbor_key_is(k, kn, node_key)) {
        rc = get_text(d, node, FCP_NODE_ID_MAX);
        *seen |= F_NODE;
    } else if (fcp_cbor_key_is(k, kn, "request_nonce")) {
        rc = fcp_cbor_get_uint(d, nonce);
        *seen |= F_NONCE;
    } else {
        return 0;
    }
    return rc < 0 ? rc : 1;
}

static int status_get(fcp_cbor_dec *d, fcp_decode_status *s)
{
    fcp_cbor_map_iter it;
    const char *k;
    size_t kn;
    unsigned seen = 0;
    int rc = fcp_cbor_map_begin(d, &it);
    if (rc < 0)
        return rc;
    while ((rc = fcp_cbor_map_next_text_key(d, &it, &k, &kn)) > 0) {
        rc = target_field(d, k, kn, &s->t, s->recipient, "recipient", &s->request_nonce, &seen);
        if (rc < 0)
            return rc;
        if (rc > 0)
            continue;
        if (fcp_cbor_key_is(k, kn, "received_unique")) {
            rc = get_u32(d, &s->received_unique);
            seen |= F_A;
        } else if (fcp_cbor_key_is(k, kn, "needed")) {
            rc = get_u32(d, &s->needed);
            seen |= F_B;
        } else if (fcp_cbor_key_is(k, kn, "complete")) {
            rc = fcp_cbor_get_bool(d, &s->complete);
            seen |= F_C;
        } else if (fcp_cbor_key_is(k, kn, "missing_hint")) {
            rc = get_esis(d, s->missing_hint, &s->n_missing, FCP_ESYMREQ_HINT);
            s->has_missing_hint = 1;
        } else if (fcp_cbor_key_is(k, kn, "signature")) {
            rc = get_fixed(d, s->signature, 64);
            s->has_signature = 1;
        } else {
            return FCP_EUNKNOWN_FIELD;
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if ((seen & (F_TARGET | F_NODE | F_NONCE | F_A | F_B | F_C)) !=
        (F_TARGET | F_NODE | F_NONCE | F_A | F_B | F_C))
        return FCP_EMISSING_FIELD;
    return 0;
}

int fcp_decode_status_decode(fcp_decode_status *s, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    memset(s, 0, sizeof *s);
    if (n > FCP_SYMREQ_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_cbor_dec_init(&d, p, n, &SR_LIMITS);
    int rc = status_get(&d, s);
    if (rc == 0)
        rc = fcp_cbor_dec_finish(&d);
    if (rc == 0)
        rc = fcp_decode_status_validate(s);
    if (rc < 0)
        memset(s, 0, sizeof *s);
    return rc;
}

int fcp_symbol_ack_decode(fcp_symbol_ack *a, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const char *k;
    size_t kn;
    unsigned seen = 0;
    int rc;
    memset(a, 0, sizeof *a);
    if (n > FCP_SYMREQ_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_cbor_dec_init(&d, p, n, &SR_LIMITS);
    if ((rc = fcp_cbor_map_begin(&d, &it)) < 0)
        goto out;
    while ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kn)) > 0) {
        rc = target_field(&d, k, kn, &a->t, a->recipient, "recipient", &a->request_nonce, &seen);
        if (rc < 0)
            goto out;
        if (rc > 0)
            continue;
        if (fcp_cbor_key_is(k, kn, "reason")) {
            uint64_t v;
            rc = fcp_cbor_get_uint(&d, &v);
            if (rc == 0 && v > 255)
                rc = FCP_ESYMREQ_REASON;
            a->reason = (uint8_t)v;
            seen |= F_A;
        } else if (fcp_cbor_key_is(k, kn, "final_symbol_count")) {
            rc = get_u32(&d, &a->final_symbol_count);
            seen |= F_B;
        } else if (fcp_cbor_key_is(k, kn, "signature")) {
            rc = get_fixed(&d, a->signature, 64);
            a->has_signature = 1;
        } else {
            rc = FCP_EUNKNOWN_FIELD;
        }
        if (rc < 0)
            goto out;
    }
    if (rc < 0)
        goto out;
    if ((seen & (F_TARGET | F_NODE | F_NONCE | F_A | F_B)) != (F_TARGET | F_NODE | F_NONCE | F_A | F_B))
        rc = FCP_EMISSING_FIELD;
    else if ((rc = fcp_cbor_dec_finish(&d)) == 0)
        rc = fcp_symbol_ack_validate(a);
out:
    if (rc < 0)
        memset(a, 0, sizeof *a);
    return rc;
}

int fcp_symbol_request_decode(fcp_symbol_request *r, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const char *k;
    size_t kn;
    unsigned seen = 0;
    int rc;
    memset(r, 0, sizeof *r);
    if (n > FCP_SYMREQ_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_cbor_dec_init(&d, p, n, &SR_LIMITS);
    if ((rc = fcp_cbor_map_begin(&d, &it)) < 0)
        goto out;
    while ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kn)) > 0) {
        rc = target_field(&d, k, kn, &r->t, r->requester, "requester", &r->request_nonce, &seen);
        if (rc < 0)
            goto out;
        if (rc > 0)
            continue;
        if (fcp_cbor_key_is(k, kn, "max_symbols")) {
            rc = get_u32(&d, &r->max_symbols);
            seen |= F_A;
        } else if (fcp_cbor_key_is(k, kn, "want_esi")) {
            rc = get_esis(&d, r->want_esi, &r->n_want, FCP_ESYMREQ_WANT_ESI);
            r->has_want_esi = 1;
        } else if (fcp_cbor_key_is(k, kn, "decode_status")) {
            rc = status_get(&d, &r->decode_status);
            r->has_decode_status = 1;
        } else if (fcp_cbor_key_is(k, kn, "requested_at")) {
            rc = fcp_cbor_get_uint(&d, &r->requested_at);
            seen |= F_B;
        } else if (fcp_cbor_key_is(k, kn, "signature")) {
            rc = get_fixed(&d, r->signature, 64);
            r->has_signature = 1;
        } else {
            rc = FCP_EUNKNOWN_FIELD;
        }
        if (rc < 0)
            goto out;
    }
    if (rc < 0)
        goto out;
    if ((seen & (F_TARGET | F_NODE | F_NONCE | F_A | F_B)) != (F_TARGET | F_NODE | F_NONCE | F_A | F_B))
        rc = FCP_EMISSING_FIELD;
    else if ((rc = fcp_cbor_dec_finish(&d)) == 0)
        rc = fcp_symbol_request_validate(r);
out:
    if (rc < 0)
        memset(r, 0, sizeof *r);
    return rc;
}

int fcp_delivery_hint_decode(fcp_symbol_delivery_hint *h, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const char *k;
    size_t kn;
    int seen = 0, rc;
    memset(h, 0, sizeof *h);
    if (n > FCP_SYMREQ_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_cbor_dec_init(&d, p, n, &SR_LIMITS);
    if ((rc = fcp_cbor_map_begin(&d, &it)) < 0)
        goto out;
    while ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kn)) > 0) {
        if (fcp_cbor_key_is(k, kn, "stop_after_symbols")) {
            rc = get_u32(&d, &h->stop_after_symbols);
            seen = 1;
        } else if (fcp_cbor_key_is(k, kn, "preferred_symbol_size")) {
            uint64_t v;
            rc = fcp_cbor_get_uint(&d, &v);
            if (rc == 0 && v > UINT16_MAX)
                rc = FCP_ESYMREQ_DELIVERY_HINT;
            h->preferred_symbol_size = (uint16_t)v;
            h->has_preferred_symbol_size = 1;
        } else {
            rc = FCP_EUNKNOWN_FIELD;
        }
        if (rc < 0)
            goto out;
    }
    if (rc < 0)
        goto out;
    if (!seen)
        rc = FCP_EMISSING_FIELD;
    else if ((rc = fcp_cbor_dec_finish(&d)) == 0)
        rc = fcp_delivery_hint_validate(h);
out:
    if (rc < 0)
        memset(h, 0, sizeof *h);
    return rc;
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
