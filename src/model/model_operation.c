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

static int uri_ok(const char *s, size_t n)
{
    return fcp_m_printable_id(s, n, FCP_RESOURCE_URI_MAX);
}

static int key_ok(const char *k)
{
    return fcp_idempotency_key_validate(k, fcp_m_slen(k, FCP_IDEMPOTENCY_KEY_MAX));
}

static int get_key(fcp_cbor_dec *d, char out[FCP_IDEMPOTENCY_KEY_MAX + 1])
{
    return fcp_m_get_text(d, out, FCP_IDEMPOTENCY_KEY_MAX, fcp_idempotency_key_validate, FCP_EOP_KEY);
}

/* ---- OperationIntent ---------------------------------------------------- */

int fcp_operation_intent_validate(const fcp_operation_intent *o)
{
    TRY(fcp_m_header_of(&o->header, fcp_operation_intent_schema));
    if (o->has_idempotency_key)
        TRY(key_ok(o->idempotency_key));
    if (o->has_upstream_idempotency)
        TRY(key_ok(o->upstream_idempotency));
    return fcp_node_id_validate(o->planned_by, fcp_m_slen(o->planned_by, FCP_NODE_ID_MAX));
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
    fcp_cbor_put_kv_bytes(&e, "request_object_id", o->request_object_id, 32);
    fcp_cbor_put_kv_bytes(&e, "capability_token_jti", o->capability_token_jti, 16);
    if (o->has_idempotency_key)
        fcp_cbor_put_kv_text(&e, "idempotency_key", o->idempotency_key);
    fcp_cbor_put_kv_uint(&e, "planned_at", o->planned_at);
    fcp_cbor_put_kv_text(&e, "planned_by", o->planned_by);
    if (o->has_upstream_idempotency)
        fcp_cbor_put_kv_text(&e, "upstream_idempotency", o->upstream_idempotency);
    if (view & FCP_VIEW_SIG)
        fcp_cbor_put_kv_bytes(&e, "signature", o->signature, FCP_SIG_BYTES);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

static int enc_intent(const void *o, unsigned view, fcp_buf *out)
{
    return fcp_operation_intent_encode(o, view, out);
}

static const char *const intent_keys[] = { "header", "signature", "planned_at", "planned_by",
                                           "idempotency_key", "request_object_id",
                                           "capability_token_jti", "upstream_idempotency" };

static int intent_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_operation_intent *o = obj;
    switch (i) {
    case 0: return fcp_object_header_decode_from(&o->header, d);
    case 1: return fcp_m_get_fixed(d, o->signature, FCP_SIG_BYTES);
    case 2: return fcp_cbor_get_uint(d, &o->planned_at);
    case 3: return fcp_m_get_node(d, o->planned_by);
    case 4:
        TRY(get_key(d, o->idempotency_key));
        o->has_idempotency_key = 1;
        return 0;
    case 5: return fcp_m_get_fixed(d, o->request_object_id, 32);
    case 6: return fcp_m_get_fixed(d, o->capability_token_jti, 16);
    default:
        TRY(get_key(d, o->upstream_idempotency));
        o->has_upstream_idempotency = 1;
        return 0;
    }
}

static int intent_decode(void *obj, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    unsigned seen = 0;
    if (n > FCP_AUDIT_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_m_view_dec_init(&d, p, n);
    TRY(fcp_cbor_read_fields(&d, intent_keys, 8, intent_field, obj, &seen));
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0x6fu) != 0x6fu)
        return FCP_EMISSING_FIELD;
    return fcp_operation_intent_validate(obj);
}

int fcp_operation_intent_decode(fcp_operation_intent *o, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(o, sizeof *o, p, n, intent_decode);
}

int fcp_operation_intent_sign(fcp_operation_intent *o, const uint8_t sk[64])
{
    return fcp_m_view_sign(o->signature, o, enc_intent, fcp_operation_intent_schema, sk);
}

int fcp_operation_intent_verify(const fcp_operation_intent *o, const uint8_t pk[32])
{
    return fcp_m_view_verify(o->signature, o, enc_intent, fcp_operation_intent_schema, pk);
}

int fcp_operation_intent_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_operation_intent *o,
                            const fcp_object_id_key *key)
{
    return fcp_m_view_id(out, o, &o->header, enc_intent, key);
}

/* ---- OperationReceipt --------------------------------------------------- */

int fcp_operation_receipt_validate(const fcp_operation_receipt *r)
{
    TRY(fcp_m_header_of(&r->header, fcp_operation_receipt_schema));
    if (r->has_idempotency_key)
        TRY(key_ok(r->idempotency_key));
    if (r->n_outcomes > FCP_RECEIPT_MAX_OUTCOMES || r->n_uris > FCP_RECEIPT_MAX_URIS)
        return FCP_ELIMIT;
    for (size_t i = 0; i < r->n_uris; i++)
        TRY(uri_ok(r->resource_uris[i], fcp_m_slen(r->resource_uris[i], FCP_RESOURCE_URI_MAX)));
    return fcp_node_id_validate(r->executed_by, fcp_m_slen(r->executed_by, FCP_NODE_ID_MAX));
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
    fcp_cbor_put_kv_bytes(&e, "request_object_id", r->request_object_id, 32);
    if (r->has_idempotency_key)
        fcp_cbor_put_kv_text(&e, "idempotency_key", r->idempotency_key);
    fcp_m_text_key(&e, "outcome_object_ids");
    fcp_cbor_put_array(&e, r->n_outcomes);
    for (size_t i = 0; i < r->n_outcomes; i++)
        fcp_cbor_put_bytes(&e, r->outcome_object_ids[i], 32);
    fcp_m_text_key(&e, "resource_uris");
    fcp_cbor_put_array(&e, r->n_uris);
    for (size_t i = 0; i < r->n_uris; i++)
        fcp_cbor_put_text(&e, r->resource_uris[i], strlen(r->resource_uris[i]));
    fcp_cbor_put_kv_uint(&e, "executed_at", r->executed_at);
    fcp_cbor_put_kv_text(&e, "executed_by", r->executed_by);
    if (view & FCP_VIEW_SIG)
        fcp_cbor_put_kv_bytes(&e, "signature", r->signature, FCP_SIG_BYTES);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

static int enc_receipt(const void *o, unsigned view, fcp_buf *out)
{
    return fcp_operation_receipt_encode(o, view, out);
}

static const char *const receipt_keys[] = { "header", "signature", "executed_at", "executed_by",
                                            "resource_uris", "idempotency_key", "request_object_id",
                                            "outcome_object_ids" };

static int receipt_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_operation_receipt *r = obj;
    uint64_t cnt;
    switch (i) {
    case 0: return fcp_object_header_decode_from(&r->header, d);
    case 1: return fcp_m_get_fixed(d, r->signature, FCP_SIG_BYTES);
    case 2: return fcp_cbor_get_uint(d, &r->executed_at);
    case 3: return fcp_m_get_node(d, r->executed_by);
    case 4:
        TRY(fcp_cbor_get_array(d, &cnt));
        if (cnt > FCP_RECEIPT_MAX_URIS)
            return FCP_ELIMIT;
        r->n_uris = (size_t)cnt;
        for (size_t j = 0; j < r->n_uris; j++)
            TRY(fcp_m_get_text(d, r->resource_uris[j], FCP_RESOURCE_URI_MAX, uri_ok, FCP_EIDENTIFIER));
        return 0;
    case 5:
        TRY(get_key(d, r->idempotency_key));
        r->has_idempotency_key = 1;
        return 0;
    case 6: return fcp_m_get_fixed(d, r->request_object_id, 32);
    default:
        TRY(fcp_cbor_get_array(d, &cnt));
        if (cnt > FCP_RECEIPT_MAX_OUTCOMES)
            return FCP_ELIMIT;
        r->n_outcomes = (size_t)cnt;
        for (size_t j = 0; j < r->n_outcomes; j++)
            TRY(fcp_m_get_fixed(d, r->outcome_object_ids[j], 32));
        return 0;
    }
}

static int receipt_decode(void *obj, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    unsigned seen = 0;
    if (n > FCP_AUDIT_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_m_view_dec_init(&d, p, n);
    TRY(fcp_cbor_read_fields(&d, receipt_keys, 8, receipt_field, obj, &seen));
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0xdfu) != 0xdfu)
        return FCP_EMISSING_FIELD;
    return fcp_operation_receipt_validate(obj);
}

int fcp_operation_receipt_decode(fcp_operation_receipt *r, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(r, sizeof *r, p, n, receipt_decode);
}

int fcp_operation_receipt_sign(fcp_operation_receipt *r, const uint8_t sk[64])
{
    return fcp_m_view_sign(r->signature, r, enc_receipt, fcp_operation_receipt_schema, sk);
}

int fcp_operation_receipt_verify(const fcp_operation_receipt *r, const uint8_t pk[32])
{
    return fcp_m_view_verify(r->signature, r, enc_receipt, fcp_operation_receipt_schema, pk);
}

int fcp_operation_receipt_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_operation_receipt *r,
                             const fcp_object_id_key *key)
{
    return fcp_m_view_id(out, r, &r->header, enc_receipt, key);
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
