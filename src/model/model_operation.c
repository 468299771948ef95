/*
 * model_operation.c - OperationIntent / OperationReceipt codecs, signatures,
 * ObjectIds and the receipt -> intent reference rule (spec §9.4; D-OP-1).
 * Same three-view scheme as model_audit.c.
 */
#include "fcp/model_operation.h"

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "model_internal.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

void fcp_operation_intent_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.operation", "OperationIntent", 1, 0, 0);
}

void fcp_operation_receipt_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.operation", "OperationReceipt", 1, 0, 0);
}

int fcp_idempotency_key_validate(const char *k, size_t n)
{
    return fcp_m_printable_id(k, n, FCP_IDEMPOTENCY_KEY_MAX) ? FCP_EOP_KEY : 0;
}

static size_t slen(const char *s, size_t max)
{
    return strnlen(s, max + 1);
}

static int node_ok(const char *s, size_t n)
{
    return fcp_node_id_validate(s, n);
}

static int uri_ok(const char *s, size_t n)
{
    return fcp_m_printable_id(s, n, FCP_RESOURCE_URI_MAX);
}

static int header_ok(const fcp_object_header *h, void (*schema)(fcp_schema_id *))
{
    fcp_schema_id s;
    TRY(fcp_object_header_validate(h));
    schema(&s);
    return fcp_schema_id_equal(&s, &h->schema) ? 0 : FCP_ESCHEMA_MISMATCH;
}

static void put_str(fcp_cbor_enc *e, const char *k, const char *v)
{
    fcp_m_text_key(e, k);
    fcp_cbor_put_text(e, v, strlen(v));
}

static void put_bytes(fcp_cbor_enc *e, const char *k, const uint8_t *v, size_t n)
{
    fcp_m_text_key(e, k);
    fcp_cbor_put_bytes(e, v, n);
}

static void put_uint(fcp_cbor_enc *e, const char *k, uint64_t v)
{
    fcp_m_text_key(e, k);
    fcp_cbor_put_uint(e, v);
}

static int finish(fcp_cbor_enc *e)
{
    fcp_cbor_map_close(e);
    int rc = fcp_cbor_enc_finish(e);
    fcp_cbor_enc_free(e);
    return rc;
}

static int key_index(const char *k, size_t kl, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (fcp_cbor_key_is(k, kl, names[i]))
            return i;
    return -1;
}

static void dec_start(fcp_cbor_dec *d, const uint8_t *p, size_t n)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    lim.max_depth = 8;
    lim.max_items = 1024;
    lim.allow = FCP_CBOR_ALLOW_FLOAT;
    fcp_cbor_dec_init(d, p, n, &lim);
}

static int derive_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_object_header *h,
                     const fcp_buf *body, const fcp_object_id_key *key)
{
    fcp_buf pl;
    fcp_buf_init(&pl);
    int rc = fcp_payload_encode(&h->schema, body->data, body->len, &pl);
    if (rc == 0)
        rc = fcp_object_derive_id(out, h, pl.data, pl.len, key);
    fcp_buf_free(&pl);
    return rc;
}

typedef int (*enc_fn)(const void *o, unsigned view, fcp_buf *out);

static int sign_view(uint8_t sig[64], const void *o, enc_fn enc, void (*schema)(fcp_schema_id *),
                     const uint8_t sk[64])
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init(&b);
    schema(&s);
    int rc = enc(o, FCP_VIEW_SIGNED, &b);
    if (rc == 0)
        rc = fcp_object_sign(sig, &s, b.data, b.len, sk);
    fcp_buf_free(&b);
    return rc;
}

static int verify_view(const uint8_t sig[64], const void *o, enc_fn enc,
                       void (*schema)(fcp_schema_id *), const uint8_t pk[32])
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init(&b);
    schema(&s);
    int rc = enc(o, FCP_VIEW_SIGNED, &b);
    if (rc == 0)
        rc = fcp_object_verify(sig, &s, b.data, b.len, pk);
    fcp_buf_free(&b);
    return rc;
}

static int id_view(uint8_t out[32], const void *o, const fcp_object_header *h, enc_fn enc,
                   const fcp_object_id_key *key)
{
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = enc(o, FCP_VIEW_BODY, &b);
    if (rc == 0)
        rc = derive_id(out, h, &b, key);
    fcp_buf_free(&b);
    return rc;
}

static int key_ok(const char *s, size_t n)
{
    return fcp_idempotency_key_validate(s, n);
}

/* ---- OperationIntent ---------------------------------------------------- */

int fcp_operation_intent_validate(const fcp_operation_intent *o)
{
    TRY(header_ok(&o->header, fcp_operation_intent_schema));
    if (o->has_idempotency_key)
        TRY(key_ok(o->idempotency_key, slen(o->idempotency_key, FCP_IDEMPOTENCY_KEY_MAX)));
    if (o->has_upstream_idempotency)
        TRY(key_ok(o->upstream_idempotency, slen(o->upstream_idempotency, FCP_IDEMPOTENCY_KEY_MAX)));
    return node_ok(o->planned_by, slen(o->planned_by, FCP_NODE_ID_MAX));
}

int fcp_operation_intent_encode(const fcp_operation_intent *o, unsigned view, fcp_buf *out)
{
    fcp_cbor_enc e;
    TRY(fcp_operation_intent_validate(o));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    if (view & FCP_VIEW_HEADER) {
        fcp_m_text_key(&e, "header");
        fcp_object_header_encode_to(&o->header, &e);
    }
    put_bytes(&e, "request_object_id", o->request_object_id, 32);
    put_bytes(&e, "capability_token_jti", o->capability_token_jti, 16);
    if (o->has_idempotency_key)
        put_str(&e, "idempotency_key", o->idempotency_key);
    put_uint(&e, "planned_at", o->planned_at);
    put_str(&e, "planned_by", o->planned_by);
    if (o->has_upstream_idempotency)
        put_str(&e, "upstream_idempotency", o->upstream_idempotency);
    if (view & FCP_VIEW_SIG)
        put_bytes(&e, "signature", o->signature, FCP_SIG_BYTES);
    return finish(&e);
}

static int enc_intent(const void *o, unsigned view, fcp_buf *out)
{
    return fcp_operation_intent_encode(o, view, out);
}

static int intent_decode(fcp_operation_intent *o, const uint8_t *p, size_t n)
{
    static const char *const names[] = { "header", "signature", "planned_at", "planned_by",
                                         "idempotency_key", "request_object_id",
                                         "capability_token_jti", "upstream_idempotency" };
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    unsigned seen = 0;
    int rc;
    if (n > FCP_AUDIT_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    dec_start(&d, p, n);
    TRY(fcp_cbor_map_begin(&d, &it));
    while ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        int i = key_index(k, kl, names, 8);
        if (i < 0)
            return FCP_EUNKNOWN_FIELD;
        seen |= 1u << i;
        switch (i) {
        case 0: TRY(fcp_object_header_decode_from(&o->header, &d)); break;
        case 1: TRY(fcp_m_get_fixed(&d, o->signature, FCP_SIG_BYTES)); break;
        case 2: TRY(fcp_cbor_get_uint(&d, &o->planned_at)); break;
        case 3: TRY(fcp_m_get_text(&d, o->planned_by, FCP_NODE_ID_MAX, node_ok, FCP_ENODE_ID)); break;
        case 4:
            TRY(fcp_m_get_text(&d, o->idempotency_key, FCP_IDEMPOTENCY_KEY_MAX, key_ok, FCP_EOP_KEY));
            o->has_idempotency_key = 1;
            break;
        case 5: TRY(fcp_m_get_fixed(&d, o->request_object_id, 32)); break;
        case 6: TRY(fcp_m_get_fixed(&d, o->capability_token_jti, 16)); break;
        default:
            TRY(fcp_m_get_text(&d, o->upstream_idempotency, FCP_IDEMPOTENCY_KEY_MAX, key_ok, FCP_EOP_KEY));
            o->has_upstream_idempotency = 1;
            break;
        }
    }
    TRY(rc);
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0x6fu) != 0x6fu)
        return FCP_EMISSING_FIELD;
    return fcp_operation_intent_validate(o);
}

int fcp_operation_intent_decode(fcp_operation_intent *o, const uint8_t *p, size_t n)
{
    memset(o, 0, sizeof *o);
    int rc = intent_decode(o, p, n);
    if (rc)
        memset(o, 0, sizeof *o);
    return rc;
}

int fcp_operation_intent_sign(fcp_operation_intent *o, const uint8_t sk[64])
{
    return sign_view(o->signature, o, enc_intent, fcp_operation_intent_schema, sk);
}

int fcp_operation_intent_verify(const fcp_operation_intent *o, const uint8_t pk[32])
{
    return verify_view(o->signature, o, enc_intent, fcp_operation_intent_schema, pk);
}

int fcp_operation_intent_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_operation_intent *o,
                            const fcp_object_id_key *key)
{
    return id_view(out, o, &o->header, enc_intent, key);
}

/* ---- OperationReceipt --------------------------------------------------- */

int fcp_operation_receipt_validate(const fcp_operation_receipt *r)
{
    TRY(header_ok(&r->header, fcp_operation_receipt_schema));
    if (r->has_idempotency_key)
        TRY(key_ok(r->idempotency_key, slen(r->idempotency_key, FCP_IDEMPOTENCY_KEY_MAX)));
    if (r->n_outcomes > FCP_RECEIPT_MAX_OUTCOMES || r->n_uris > FCP_RECEIPT_MAX_URIS)
        return FCP_ELIMIT;
    for (size_t i = 0; i < r->n_uris; i++)
        TRY(uri_ok(r->resource_uris[i], slen(r->resource_uris[i], FCP_RESOURCE_URI_MAX)));
    return node_ok(r->executed_by, slen(r->executed_by, FCP_NODE_ID_MAX));
}

int fcp_operation_receipt_encode(const fcp_operation_receipt *r, unsigned view, fcp_buf *out)
{
    fcp_cbor_enc e;
    TRY(fcp_operation_receipt_validate(r));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    if (view & FCP_VIEW_HEADER) {
        fcp_m_text_key(&e, "header");
        fcp_object_header_encode_to(&r->header, &e);
    }
    put_bytes(&e, "request_object_id", r->request_object_id, 32);
    if (r->has_idempotency_key)
        put_str(&e, "idempotency_key", r->idempotency_key);
    fcp_m_text_key(&e, "outcome_object_ids");
    fcp_cbor_put_array(&e, r->n_outcomes);
    for (size_t i = 0; i < r->n_outcomes; i++)
        fcp_cbor_put_bytes(&e, r->outcome_object_ids[i], 32);
    fcp_m_text_key(&e, "resource_uris");
    fcp_cbor_put_array(&e, r->n_uris);
    for (size_t i = 0; i < r->n_uris; i++)
        fcp_cbor_put_text(&e, r->resource_uris[i], strlen(r->resource_uris[i]));
    put_uint(&e, "executed_at", r->executed_at);
    put_str(&e, "executed_by", r->executed_by);
    if (view & FCP_VIEW_SIG)
        put_bytes(&e, "signature", r->signature, FCP_SIG_BYTES);
    return finish(&e);
}

static int enc_receipt(const void *o, unsigned view, fcp_buf *out)
{
    return fcp_operation_receipt_encode(o, view, out);
}

static int receipt_decode(fcp_operation_receipt *r, const uint8_t *p, size_t n)
{
    static const char *const names[] = { "header", "signature", "executed_at", "executed_by",
                                         "resource_uris", "idempotency_key", "request_object_id",
                                         "outcome_object_ids" };
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    unsigned seen = 0;
    uint64_t cnt;
    int rc;
    if (n > FCP_AUDIT_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    dec_start(&d, p, n);
    TRY(fcp_cbor_map_begin(&d, &it));
    while ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        int i = key_index(k, kl, names, 8);
        if (i < 0)
            return FCP_EUNKNOWN_FIELD;
        seen |= 1u << i;
        switch (i) {
        case 0: TRY(fcp_object_header_decode_from(&r->header, &d)); break;
        case 1: TRY(fcp_m_get_fixed(&d, r->signature, FCP_SIG_BYTES)); break;
        case 2: TRY(fcp_cbor_get_uint(&d, &r->executed_at)); break;
        case 3: TRY(fcp_m_get_text(&d, r->executed_by, FCP_NODE_ID_MAX, node_ok, FCP_ENODE_ID)); break;
        case 4:
            TRY(fcp_cbor_get_array(&d, &cnt));
            if (cnt > FCP_RECEIPT_MAX_URIS)
                return FCP_ELIMIT;
            r->n_uris = (size_t)cnt;
            for (size_t j = 0; j < r->n_uris; j++)
                TRY(fcp_m_get_text(&d, r->resource_uris[j], FCP_RESOURCE_URI_MAX, uri_ok, FCP_EIDENTIFIER));
            break;
        case 5:
            TRY(fcp_m_get_text(&d, r->idempotency_key, FCP_IDEMPOTENCY_KEY_MAX, key_ok, FCP_EOP_KEY));
            r->has_idempotency_key = 1;
            break;
        case 6: TRY(fcp_m_get_fixed(&d, r->request_object_id, 32)); break;
        default:
            TRY(fcp_cbor_get_array(&d, &cnt));
            if (cnt > FCP_RECEIPT_MAX_OUTCOMES)
                return FCP_ELIMIT;
            r->n_outcomes = (size_t)cnt;
            for (size_t j = 0; j < r->n_outcomes; j++)
                TRY(fcp_m_get_fixed(&d, r->outcome_object_ids[j], 32));
            break;
        }
    }
    TRY(rc);
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0xdfu) != 0xdfu)
        return FCP_EMISSING_FIELD;
    return fcp_operation_receipt_validate(r);
}

int fcp_operation_receipt_decode(fcp_operation_receipt *r, const uint8_t *p, size_t n)
{
    memset(r, 0, sizeof *r);
    int rc = receipt_decode(r, p, n);
    if (rc)
        memset(r, 0, sizeof *r);
    return rc;
}

int fcp_operation_receipt_sign(fcp_operation_receipt *r, const uint8_t sk[64])
{
    return sign_view(r->signature, r, enc_receipt, fcp_operation_receipt_schema, sk);
}

int fcp_operation_receipt_verify(const fcp_operation_receipt *r, const uint8_t pk[32])
{
    return verify_view(r->signature, r, enc_receipt, fcp_operation_receipt_schema, pk);
}

int fcp_operation_receipt_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_operation_receipt *r,
                             const fcp_object_id_key *key)
{
    return id_view(out, r, &r->header, enc_receipt, key);
}

int fcp_operation_receipt_check_intent(const fcp_operation_receipt *r,
                                       const fcp_operation_intent *intent,
                                       const uint8_t intent_id[FCP_OBJECT_ID_BYTES])
{
    int found = 0;
    for (size_t i = 0; i < r->header.n_refs && i < FCP_HDR_MAX_REFS && !found; i++)
        found = memcmp(r->header.refs[i], intent_id, FCP_OBJECT_ID_BYTES) == 0;
    if (!found || memcmp(r->request_object_id, intent->request_object_id, 32) != 0 ||
        strcmp(r->header.zone_id, intent->header.zone_id) != 0 ||
        r->has_idempotency_key != intent->has_idempotency_key ||
        (r->has_idempotency_key && strcmp(r->idempotency_key, intent->idempotency_key) != 0))
        return FCP_EOP_RECEIPT_INTENT;
    return 0;
}
