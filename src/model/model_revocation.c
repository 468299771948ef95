/*
 * model_revocation.c - RevocationObject, RevocationEvent and RevocationHead
 * codecs, owner signatures and head quorum (spec §14.3, §3.5.1; D-REV-1).
 * Decoders accept exactly what the encoders emit.
 */
#include "fcp/model_revocation.h"

#include <stdlib.h>
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_sign.h"
#include "model_authz_internal.h"
#include "model_internal.h"

#define TRY FCP_MA_TRY

static const char *const scope_names[FCP_REV_SCOPE_COUNT] = {
    "capability", "issuer_key", "node_attestation", "zone_key", "connector_binary",
};

const char *fcp_rev_scope_name(enum fcp_rev_scope s)
{
    return (unsigned)s < FCP_REV_SCOPE_COUNT ? scope_names[s] : NULL;
}

void fcp_revocation_object_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "RevocationObject", 1, 0, 0);
}
void fcp_revocation_event_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "RevocationEvent", 1, 0, 0);
}
void fcp_revocation_head_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "RevocationHead", 1, 0, 0);
}

static int decode_top(void *obj, size_t size, const uint8_t *p, size_t n,
                      int (*fn)(void *, fcp_cbor_dec *))
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    memset(obj, 0, size);
    if (n > FCP_REV_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    lim.max_depth = 10;
    lim.max_items = FCP_REV_MAX_IDS + 8;
    fcp_cbor_dec_init(&d, p, n, &lim);
    int rc = fn(obj, &d);
    if (rc == 0)
        rc = fcp_cbor_dec_finish(&d);
    if (rc)
        memset(obj, 0, size);
    return rc;
}

/* ObjectId of a revocation object: fcp_object_id over its full encoding
 * (enc_full) in its header's zone. */
static int keyed_id(uint8_t out[32], const void *obj, fcp_ma_encode_fn enc_full,
                    const fcp_object_header *h, void (*schema)(fcp_schema_id *),
                    const fcp_object_id_key *key)
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init(&b);
    schema(&s);
    int rc = enc_full(obj, &b);
    if (rc == 0)
        rc = fcp_object_id(out, key, h->zone_id, strlen(h->zone_id), &s, b.data, b.len);
    fcp_buf_free(&b);
    return rc;
}

/* ---- RevocationObject ------------------------------------------------------- */

static int reason_ok(const char *s, size_t n)
{
    if (n > FCP_REV_REASON_MAX)
        return FCP_EREV_OBJECT;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return FCP_EREV_OBJECT;
    return fcp_utf8_valid((const uint8_t *)s, n) ? 0 : FCP_EREV_OBJECT;
}

int fcp_revocation_object_validate(const fcp_revocation_object *r)
{
    TRY(fcp_object_header_validate(&r->header));
    if (r->n_revoked == 0)
        return FCP_EREV_OBJECT;
    if (r->n_revoked > FCP_REV_MAX_IDS)
        return FCP_ELIMIT;
    for (size_t i = 1; i < r->n_revoked; i++)
        if (memcmp(r->revoked[i - 1], r->revoked[i], 32) >= 0)
            return FCP_EREV_OBJECT;
    if ((unsigned)r->scope >= FCP_REV_SCOPE_COUNT)
        return FCP_EREV_SCOPE;
    TRY(reason_ok(r->reason, strlen(r->reason)));
    if (r->has_expires_at && r->expires_at <= r->effective_at)
        return FCP_EREV_OBJECT;
    return 0;
}

static int robj_encode(const fcp_revocation_object *r, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    TRY(fcp_revocation_object_validate(r));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_m_text_key(&e, "header");
    fcp_object_header_encode_to(&r->header, &e);
    fcp_m_text_key(&e, "revoked");
    fcp_cbor_put_array(&e, r->n_revoked);
    for (size_t i = 0; i < r->n_revoked; i++)
        fcp_cbor_put_bytes(&e, r->revoked[i], 32);
    fcp_cbor_put_kv_text(&e, "scope", scope_names[r->scope]);
    fcp_cbor_put_kv_text(&e, "reason", r->reason);
    fcp_cbor_put_kv_uint(&e, "effective_at", r->effective_at);
    if (r->has_expires_at)
        fcp_cbor_put_kv_uint(&e, "expires_at", r->expires_at);
    if (with_sig)
        fcp_cbor_put_kv_bytes(&e, "signature", r->signature, 64);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

int fcp_revocation_object_encode_unsigned(const fcp_revocation_object *r, fcp_buf *out)
{
    return robj_encode(r, out, 0);
}
int fcp_revocation_object_encode(const fcp_revocation_object *r, fcp_buf *out)
{
    return robj_encode(r, out, 1);
}

static int robj_decode_from(void *obj, fcp_cbor_dec *d)
{
    fcp_revocation_object *r = obj;
    fcp_cbor_map_iter it;
    uint64_t cnt;
    char scope[24];
    int o;
    TRY(fcp_cbor_map_begin(d, &it));
    TRY(fcp_cbor_expect_key(d, &it, "scope"));
    TRY(fcp_m_get_text(d, scope, sizeof scope - 1, NULL, FCP_EREV_SCOPE));
    r->scope = FCP_REV_SCOPE_COUNT;
    for (int i = 0; i < FCP_REV_SCOPE_COUNT; i++)
        if (!strcmp(scope, scope_names[i]))
            r->scope = (enum fcp_rev_scope)i;
    if (r->scope == FCP_REV_SCOPE_COUNT)
        return FCP_EREV_SCOPE;
    TRY(fcp_cbor_expect_key(d, &it, "header"));
    TRY(fcp_object_header_decode_from(&r->header, d));
    TRY(fcp_cbor_expect_key(d, &it, "reason"));
    TRY(fcp_m_get_text(d, r->reason, FCP_REV_REASON_MAX, reason_ok, FCP_EREV_OBJECT));
    TRY(fcp_cbor_expect_key(d, &it, "revoked"));
    TRY(fcp_cbor_get_array(d, &cnt));
    if (cnt > FCP_REV_MAX_IDS)
        return FCP_ELIMIT;
    r->n_revoked = (size_t)cnt;
    for (size_t i = 0; i < r->n_revoked; i++)
        TRY(fcp_m_get_fixed(d, r->revoked[i], 32));
    TRY(fcp_cbor_expect_key(d, &it, "signature"));
    TRY(fcp_m_get_fixed(d, r->signature, 64));
    TRY(o = fcp_cbor_opt_key(d, &it, "expires_at"));
    if (o) {
        TRY(fcp_cbor_get_uint(d, &r->expires_at));
        r->has_expires_at = 1;
    }
    TRY(fcp_cbor_expect_key(d, &it, "effective_at"));
    TRY(fcp_cbor_get_uint(d, &r->effective_at));
    TRY(fcp_m_map_end(d, &it));
    return fcp_revocation_object_validate(r);
}

int fcp_revocation_object_decode(fcp_revocation_object *r, const uint8_t *p, size_t n)
{
    return decode_top(r, sizeof *r, p, n, robj_decode_from);
}

static int robj_enc_u(const void *r, fcp_buf *out) { return robj_encode(r, out, 0); }
static int robj_enc_full(const void *r, fcp_buf *out) { return robj_encode(r, out, 1); }

int fcp_revocation_object_sign(fcp_revocation_object *r, const uint8_t owner_sk[64])
{
    return fcp_ma_sign(r, robj_enc_u, fcp_revocation_object_schema, owner_sk, r->signature);
}

int fcp_revocation_object_verify(const fcp_revocation_object *r, const uint8_t owner_pk[32])
{
    return fcp_ma_verify(r, robj_enc_u, fcp_revocation_object_schema, owner_pk, r->signature);
}

int fcp_revocation_object_id(uint8_t out[32], const fcp_revocation_object *r,
                             const fcp_object_id_key *key)
{
    return keyed_id(out, r, robj_enc_full, &r->header, fcp_revocation_object_schema, key);
}

/* ---- RevocationEvent ------------------------------------------------------------ */

int fcp_revocation_event_validate(const fcp_revocation_event *e)
{
    TRY(fcp_object_header_validate(&e->header));
    if (e->seq == 0 || (e->seq == 1) == (e->has_prev != 0))
        return FCP_EREV_OBJECT;
    return 0;
}

static int ev_encode(const fcp_revocation_event *e, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc c;
    TRY(fcp_revocation_event_validate(e));
    fcp_cbor_enc_init(&c, out);
    fcp_cbor_map_open(&c);
    fcp_m_text_key(&c, "header");
    fcp_object_header_encode_to(&e->header, &c);
    fcp_cbor_put_kv_bytes(&c, "revocation_object_id", e->revocation_object_id, 32);
    if (e->has_prev)
        fcp_cbor_put_kv_bytes(&c, "prev", e->prev, 32);
    fcp_cbor_put_kv_uint(&c, "seq", e->seq);
    fcp_cbor_put_kv_uint(&c, "occurred_at", e->occurred_at);
    if (with_sig)
        fcp_cbor_put_kv_bytes(&c, "signature", e->signature, 64);
    fcp_cbor_map_close(&c);
    return fcp_cbor_enc_done(&c);
}

int fcp_revocation_event_encode_unsigned(const fcp_revocation_event *e, fcp_buf *out)
{
    return ev_encode(e, out, 0);
}
int fcp_revocation_event_encode(const fcp_revocation_event *e, fcp_buf *out)
{
    return ev_encode(e, out, 1);
}

static int ev_decode_from(void *obj, fcp_cbor_dec *d)
{
    fcp_revocation_event *e = obj;
    fcp_cbor_map_iter it;
    int o;
    TRY(fcp_cbor_map_begin(d, &it));
    TRY(fcp_cbor_expect_key(d, &it, "seq"));
    TRY(fcp_cbor_get_uint(d, &e->seq));
    TRY(o = fcp_cbor_opt_key(d, &it, "prev"));
    if (o) {
        TRY(fcp_m_get_fixed(d, e->prev, 32));
        e->has_prev = 1;
    }
    TRY(fcp_cbor_expect_key(d, &it, "header"));
    TRY(fcp_object_header_decode_from(&e->header, d));
    TRY(fcp_cbor_expect_key(d, &it, "signature"));
    TRY(fcp_m_get_fixed(d, e->signature, 64));
    TRY(fcp_cbor_expect_key(d, &it, "occurred_at"));
    TRY(fcp_cbor_get_uint(d, &e->occurred_at));
    TRY(fcp_cbor_expect_key(d, &it, "revocation_object_id"));
    TRY(fcp_m_get_fixed(d, e->revocation_object_id, 32));
    TRY(fcp_m_map_end(d, &it));
    return fcp_revocation_event_validate(e);
}

int fcp_revocation_event_decode(fcp_revocation_event *e, const uint8_t *p, size_t n)
{
    return decode_top(e, sizeof *e, p, n, ev_decode_from);
}

static int ev_enc_u(const void *e, fcp_buf *out) { return ev_encode(e, out, 0); }
static int ev_enc_full(const void *e, fcp_buf *out) { return ev_encode(e, out, 1); }

int fcp_revocation_event_sign(fcp_revocation_event *e, const uint8_t owner_sk[64])
{
    return fcp_ma_sign(e, ev_enc_u, fcp_revocation_event_schema, owner_sk, e->signature);
}

int fcp_revocation_event_verify(const fcp_revocation_event *e, const uint8_t owner_pk[32])
{
    return fcp_ma_verify(e, ev_enc_u, fcp_revocation_event_schema, owner_pk, e->signature);
}

int fcp_revocation_event_id(uint8_t out[32], const fcp_revocation_event *e,
                            const fcp_object_id_key *key)
{
    return keyed_id(out, e, ev_enc_full, &e->header, fcp_revocation_event_schema, key);
}

/* ---- RevocationHead ---------------------------------------------------------------- */

static void head_sigs(const fcp_revocation_head *h, fcp_quorum_sig *q)
{
    fcp_m_quorum_view(h->signer, h->sigs, h->n_sigs, q);
}

int fcp_revocation_head_validate(const fcp_revocation_head *h)
{
    fcp_quorum_sig q[FCP_QUORUM_MAX];
    TRY(fcp_object_header_validate(&h->header));
    TRY(fcp_zone_id_validate(h->zone_id, strlen(h->zone_id)));
    if (h->head_seq == 0)
        return FCP_EREV_HEAD;
    if (h->n_sigs > FCP_QUORUM_MAX)
        return FCP_ELIMIT;
    for (size_t i = 0; i < h->n_sigs; i++)
        TRY(fcp_node_id_validate(h->signer[i], strlen(h->signer[i])));
    head_sigs(h, q);
    return fcp_quorum_check_order(q, h->n_sigs);
}

static int head_encode(const fcp_revocation_head *h, fcp_buf *out, int with_sigs)
{
    fcp_cbor_enc e;
    fcp_quorum_sig q[FCP_QUORUM_MAX];
    TRY(fcp_revocation_head_validate(h));
    head_sigs(h, q);
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_m_text_key(&e, "header");
    fcp_object_header_encode_to(&h->header, &e);
    fcp_cbor_put_kv_text(&e, "zone_id", h->zone_id);
    fcp_cbor_put_kv_bytes(&e, "head_event", h->head_event, 32);
    fcp_cbor_put_kv_uint(&e, "head_seq", h->head_seq);
    fcp_cbor_put_kv_uint(&e, "epoch_id", h->epoch_id);
    if (with_sigs) {
        fcp_m_text_key(&e, "quorum_signatures");
        fcp_quorum_encode_to(q, h->n_sigs, &e);
    }
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

int fcp_revocation_head_encode_unsigned(const fcp_revocation_head *h, fcp_buf *out)
{
    return head_encode(h, out, 0);
}
int fcp_revocation_head_encode(const fcp_revocation_head *h, fcp_buf *out)
{
    return head_encode(h, out, 1);
}

static int head_decode_from(void *obj, fcp_cbor_dec *d)
{
    fcp_revocation_head *h = obj;
    fcp_cbor_map_iter it;
    TRY(fcp_cbor_map_begin(d, &it));
    TRY(fcp_cbor_expect_key(d, &it, "header"));
    TRY(fcp_object_header_decode_from(&h->header, d));
    TRY(fcp_cbor_expect_key(d, &it, "zone_id"));
    TRY(fcp_m_get_text(d, h->zone_id, FCP_ZONE_ID_MAX, fcp_zone_id_validate, FCP_EZONE_ID_TOO_LONG));
    TRY(fcp_cbor_expect_key(d, &it, "epoch_id"));
    TRY(fcp_cbor_get_uint(d, &h->epoch_id));
    TRY(fcp_cbor_expect_key(d, &it, "head_seq"));
    TRY(fcp_cbor_get_uint(d, &h->head_seq));
    TRY(fcp_cbor_expect_key(d, &it, "head_event"));
    TRY(fcp_m_get_fixed(d, h->head_event, 32));
    TRY(fcp_cbor_expect_key(d, &it, "quorum_signatures"));
    TRY(fcp_m_quorum_decode(d, h->signer, h->sigs, &h->n_sigs));
    TRY(fcp_m_map_end(d, &it));
    return fcp_revocation_head_validate(h);
}

int fcp_revocation_head_decode(fcp_revocation_head *h, const uint8_t *p, size_t n)
{
    return decode_top(h, sizeof *h, p, n, head_decode_from);
}

static int head_enc_u(const void *h, fcp_buf *out) { return head_encode(h, out, 0); }

int fcp_revocation_head_add_signature(fcp_revocation_head *h, const char *signer,
                                      const uint8_t node_sk[64])
{
    uint8_t sig[64];
    size_t sl = strlen(signer), pos = 0;
    TRY(fcp_node_id_validate(signer, sl));
    TRY(fcp_ma_sign(h, head_enc_u, fcp_revocation_head_schema, node_sk, sig));
    while (pos < h->n_sigs && fcp_node_id_cmp((const uint8_t *)h->signer[pos], strlen(h->signer[pos]),
                                              (const uint8_t *)signer, sl) < 0)
        pos++;
    if (pos < h->n_sigs && strcmp(h->signer[pos], signer) == 0) {
        memcpy(h->sigs[pos], sig, 64);
        return 0;
    }
    if (h->n_sigs >= FCP_QUORUM_MAX)
        return FCP_ELIMIT;
    memmove(h->signer[pos + 1], h->signer[pos], (h->n_sigs - pos) * sizeof h->signer[0]);
    memmove(h->sigs[pos + 1], h->sigs[pos], (h->n_sigs - pos) * sizeof h->sigs[0]);
    memcpy(h->signer[pos], signer, sl + 1);
    memcpy(h->sigs[pos], sig, 64);
    h->n_sigs++;
    return 0;
}

int fcp_revocation_head_verify(const fcp_revocation_head *h, size_t threshold,
                               fcp_node_key_lookup lookup, void *ctx)
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_quorum_sig q[FCP_QUORUM_MAX];
    fcp_buf_init(&b);
    fcp_revocation_head_schema(&s);
    int rc = fcp_revocation_head_encode_unsigned(h, &b);
    if (rc == 0) {
        head_sigs(h, q);
        rc = fcp_quorum_verify(q, h->n_sigs, threshold, &s, b.data, b.len, lookup, ctx);
    }
    fcp_buf_free(&b);
    return rc;
}
