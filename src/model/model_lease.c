/*
 * model_lease.c - the generic Lease object codec and quorum signatures
 * (spec §15.1, review Change 11, D-LEASE-1), and the ConnectorStateObject
 * its ConnectorStateWrite leases fence (spec §10.4, D-LEASE-5).  The
 * decoders accept exactly what the encoders emit.
 */
#include "fcp/model_lease.h"

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/model_sign.h"
#include "model_authz_internal.h"
#include "model_internal.h"

#define TRY FCP_MA_TRY

static const char *const purpose_names[] = { "OperationExecution", "ConnectorStateWrite",
                                             "ComputationMigration" };
static const char *const tier_names[] = { "Safe", "Risky", "Dangerous" };

void fcp_lease_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "Lease", 1, 0, 0);
}

const char *fcp_lease_purpose_name(int purpose)
{
    return purpose >= 0 && purpose < 3 ? purpose_names[purpose] : NULL;
}

const char *fcp_lease_tier_name(int tier)
{
    return tier >= 0 && tier < 3 ? tier_names[tier] : NULL;
}

int fcp_lease_validate(const fcp_lease *l)
{
    fcp_schema_id s;
    fcp_lease_schema(&s);
    TRY(fcp_object_header_validate(&l->header));
    if (!fcp_schema_id_equal(&l->header.schema, &s))
        return FCP_ESCHEMA_MISMATCH;
    if (!fcp_lease_purpose_name(l->purpose))
        return FCP_ELEASE_PURPOSE;
    if (!fcp_lease_tier_name(l->safety_tier))
        return FCP_ELEASE_TIER;
    TRY(fcp_node_id_validate(l->owner_node, strnlen(l->owner_node, FCP_NODE_ID_MAX + 1)));
    TRY(fcp_node_id_validate(l->coordinator, strnlen(l->coordinator, FCP_NODE_ID_MAX + 1)));
    if (l->exp <= l->iat)
        return FCP_ELEASE_TIMES;
    return fcp_ma_sigs_check(l->sigs, l->n_sigs);
}

static int encode(const fcp_lease *l, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    int rc;
    TRY(fcp_lease_validate(l));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    rc = fcp_ma_put_header(&e, &l->header);
    fcp_cbor_put_kv_bytes(&e, "subject_object_id", l->subject_object_id, 32);
    fcp_cbor_put_kv_text(&e, "purpose", purpose_names[l->purpose]);
    fcp_cbor_put_kv_uint(&e, "lease_seq", l->lease_seq);
    fcp_cbor_put_kv_text(&e, "owner_node", l->owner_node);
    fcp_cbor_put_kv_text(&e, "coordinator", l->coordinator);
    fcp_cbor_put_kv_uint(&e, "iat", l->iat);
    fcp_cbor_put_kv_uint(&e, "exp", l->exp);
    fcp_cbor_put_kv_text(&e, "safety_tier", tier_names[l->safety_tier]);
    if (with_sig) {
        fcp_m_text_key(&e, "quorum_signatures");
        int r = fcp_ma_sigs_encode(&e, l->sigs, l->n_sigs);
        if (r && !rc)
            rc = r;
    }
    return fcp_ma_enc_close(&e, rc);
}

int fcp_lease_encode(const fcp_lease *l, fcp_buf *out)
{
    return encode(l, out, 1);
}

int fcp_lease_encode_unsigned(const fcp_lease *l, fcp_buf *out)
{
    return encode(l, out, 0);
}

static int id_fn(const void *o, fcp_buf *out)
{
    return encode((const fcp_lease *)o, out, 0);
}

static int get_enum(fcp_cbor_dec *d, const char *const *names, int n, int *out, int err)
{
    const char *t;
    size_t tl;
    TRY(fcp_cbor_get_text(d, &t, &tl));
    for (int i = 0; i < n; i++)
        if (fcp_cbor_key_is(t, tl, names[i])) {
            *out = i;
            return 0;
        }
    return err;
}

static const char *const lease_keys[] = { "exp", "iat", "header", "purpose", "lease_seq",
                                          "owner_node", "coordinator", "safety_tier",
                                          "quorum_signatures", "subject_object_id" };

static int lease_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_lease *l = obj;
    switch (i) {
    case 0: return fcp_cbor_get_uint(d, &l->exp);
    case 1: return fcp_cbor_get_uint(d, &l->iat);
    case 2: return fcp_object_header_decode_from(&l->header, d);
    case 3: return get_enum(d, purpose_names, 3, &l->purpose, FCP_ELEASE_PURPOSE);
    case 4: return fcp_cbor_get_uint(d, &l->lease_seq);
    case 5: return fcp_m_get_node(d, l->owner_node);
    case 6: return fcp_m_get_node(d, l->coordinator);
    case 7: return get_enum(d, tier_names, 3, &l->safety_tier, FCP_ELEASE_TIER);
    case 8: return fcp_ma_sigs_decode(d, l->sigs, &l->n_sigs);
    default: return fcp_m_get_fixed(d, l->subject_object_id, 32);
    }
}

static int decode(void *obj, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    unsigned seen = 0;
    TRY(fcp_ma_dec_init(&d, p, n, FCP_LEASE_MAX_ENCODED));
    TRY(fcp_cbor_read_fields(&d, lease_keys, 10, lease_field, obj, &seen));
    TRY(fcp_cbor_dec_finish(&d));
    if (seen != 0x3ffu)
        return FCP_EMISSING_FIELD;
    return fcp_lease_validate(obj);
}

int fcp_lease_decode(fcp_lease *l, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(l, sizeof *l, p, n, decode);
}

int fcp_lease_add_signature(fcp_lease *l, const char *node_id, size_t len, const uint8_t node_sk[64])
{
    return fcp_ma_add_signature(l, id_fn, fcp_lease_schema, l->sigs, &l->n_sigs, node_id, len, node_sk);
}

int fcp_lease_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_lease *l,
                        const fcp_object_id_key *key)
{
    return fcp_ma_object_id(out, l, id_fn, &l->header, key);
}

/* ---- ConnectorStateObject ------------------------------------------------ */

void fcp_connector_state_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "ConnectorStateObject", 1, 0, 0);
}

static int state_id_ok(const char *s)
{
    return fcp_m_printable_id(s, strnlen(s, FCP_STATE_ID_MAX + 1), FCP_STATE_ID_MAX) == 0;
}

int fcp_connector_state_validate(const fcp_connector_state *s)
{
    fcp_schema_id sc;
    fcp_connector_state_schema(&sc);
    TRY(fcp_object_header_validate(&s->header));
    if (!fcp_schema_id_equal(&s->header.schema, &sc))
        return FCP_ESCHEMA_MISMATCH;
    if (!state_id_ok(s->connector_id) || !state_id_ok(s->instance_id))
        return FCP_ESTATE_OBJECT;
    TRY(fcp_node_id_validate(s->writer, strnlen(s->writer, FCP_NODE_ID_MAX + 1)));
    /* spec §10.4: a version chain; only version 0 stands alone */
    if ((s->state_seq > 0) != (s->has_prev != 0))
        return FCP_ESTATE_OBJECT;
    if (s->state_len > FCP_STATE_MAX_BYTES || (s->state_len && !s->state))
        return FCP_ESTATE_OBJECT;
    return 0;
}

static int state_encode(const fcp_connector_state *s, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    int rc;
    TRY(fcp_connector_state_validate(s));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    rc = fcp_ma_put_header(&e, &s->header);
    fcp_cbor_put_kv_text(&e, "connector_id", s->connector_id);
    fcp_cbor_put_kv_text(&e, "instance_id", s->instance_id);
    fcp_cbor_put_kv_bytes(&e, "state_root", s->state_root, FCP_OBJECT_ID_BYTES);
    fcp_cbor_put_kv_text(&e, "writer", s->writer);
    fcp_cbor_put_kv_uint(&e, "lease_seq", s->lease_seq);
    fcp_cbor_put_kv_bytes(&e, "lease_object_id", s->lease_object_id, FCP_OBJECT_ID_BYTES);
    fcp_cbor_put_kv_uint(&e, "state_seq", s->state_seq);
    if (s->has_prev)
        fcp_cbor_put_kv_bytes(&e, "prev", s->prev, FCP_OBJECT_ID_BYTES);
    fcp_m_text_key(&e, "state");
    fcp_cbor_put_bytes(&e, s->state_len ? s->state : (const uint8_t *)"", s->state_len);
    fcp_cbor_put_kv_uint(&e, "updated_at", s->updated_at);
    if (with_sig)
        fcp_cbor_put_kv_bytes(&e, "signature", s->signature, FCP_SIG_BYTES);
    return fcp_ma_enc_close(&e, rc);
}

int fcp_connector_state_encode(const fcp_connector_state *s, fcp_buf *out)
{
    return state_encode(s, out, 1);
}

int fcp_connector_state_encode_unsigned(const fcp_connector_state *s, fcp_buf *out)
{
    return state_encode(s, out, 0);
}

static int state_unsigned_fn(const void *o, fcp_buf *out)
{
    return state_encode((const fcp_connector_state *)o, out, 0);
}

static int state_full_fn(const void *o, fcp_buf *out)
{
    return state_encode((const fcp_connector_state *)o, out, 1);
}

static int get_state_id(fcp_cbor_dec *d, char out[FCP_STATE_ID_MAX + 1])
{
    const char *t;
    size_t tl;
    TRY(fcp_cbor_get_text(d, &t, &tl));
    if (fcp_m_printable_id(t, tl, FCP_STATE_ID_MAX) != 0)
        return FCP_ESTATE_OBJECT;
    memcpy(out, t, tl);
    out[tl] = 0;
    return 0;
}

/* canonical key order: by length, then bytes */
static const char *const state_keys[] = { "prev", "state", "header", "writer", "lease_seq",
                                          "signature", "state_seq", "state_root", "updated_at",
                                          "instance_id", "connector_id", "lease_object_id" };

static int state_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_connector_state *s = obj;
    switch (i) {
    case 0:
        TRY(fcp_m_get_fixed(d, s->prev, FCP_OBJECT_ID_BYTES));
        s->has_prev = 1;
        return 0;
    case 1: {
        const uint8_t *b;
        size_t bl;
        TRY(fcp_cbor_get_bytes(d, &b, &bl));
        if (bl > FCP_STATE_MAX_BYTES)
            return FCP_ESTATE_OBJECT;
        s->state = bl ? b : NULL;
        s->state_len = bl;
        return 0;
    }
    case 2: return fcp_object_header_decode_from(&s->header, d);
    case 3: return fcp_m_get_node(d, s->writer);
    case 4: return fcp_cbor_get_uint(d, &s->lease_seq);
    case 5: return fcp_m_get_fixed(d, s->signature, FCP_SIG_BYTES);
    case 6: return fcp_cbor_get_uint(d, &s->state_seq);
    case 7: return fcp_m_get_fixed(d, s->state_root, FCP_OBJECT_ID_BYTES);
    case 8: return fcp_cbor_get_uint(d, &s->updated_at);
    case 9: return get_state_id(d, s->instance_id);
    case 10: return get_state_id(d, s->connector_id);
    default: return fcp_m_get_fixed(d, s->lease_object_id, FCP_OBJECT_ID_BYTES);
    }
}

static int state_decode(void *obj, const uint8_t *p, size_t n)
{
    const unsigned required = 0xfffu & ~1u;   /* all but prev */
    fcp_cbor_dec d;
    unsigned seen = 0;
    TRY(fcp_ma_dec_init(&d, p, n, FCP_STATE_MAX_ENCODED));
    TRY(fcp_cbor_read_fields(&d, state_keys, 12, state_field, obj, &seen));
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & required) != required)
        return FCP_EMISSING_FIELD;
    return fcp_connector_state_validate(obj);
}

int fcp_connector_state_decode(fcp_connector_state *s, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(s, sizeof *s, p, n, state_decode);
}

int fcp_connector_state_sign(fcp_connector_state *s, const uint8_t writer_sk[64])
{
    return fcp_ma_sign(s, state_unsigned_fn, fcp_connector_state_schema, writer_sk, s->signature);
}

int fcp_connector_state_verify(const fcp_connector_state *s, const uint8_t writer_pk[32])
{
    return fcp_ma_verify(s, state_unsigned_fn, fcp_connector_state_schema, writer_pk, s->signature);
}

int fcp_connector_state_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_connector_state *s,
                           const fcp_object_id_key *key)
{
    return fcp_ma_object_id(out, s, state_full_fn, &s->header, key);
}
