/*
 * model_util.c - helpers shared by the model/ codecs (see model_internal.h).
 */
#include "model_internal.h"

#include <string.h>

#include "fcp/error.h"
#include "fcp/model_audit.h"
#include "fcp/model_sign.h"

int fcp_m_get_fixed(fcp_cbor_dec *d, uint8_t *out, size_t n)
{
    return fcp_cbor_get_fixed(d, out, n, FCP_EOBJECT);
}

int fcp_m_get_text(fcp_cbor_dec *d, char *out, size_t max, int (*validate)(const char *, size_t),
                   int too_long_err)
{
    const char *p;
    size_t len;
    int rc = fcp_cbor_get_text(d, &p, &len);
    if (rc)
        return rc;
    if (validate) {
        rc = validate(p, len);
        if (rc)
            return rc;
    }
    /* no model text may hold a NUL: it would truncate the C string and
     * break decode -> encode identity */
    if (len > max || memchr(p, 0, len))
        return too_long_err;
    memcpy(out, p, len);
    out[len] = '\0';
    return 0;
}

int fcp_m_get_uint_max(fcp_cbor_dec *d, uint64_t *v, uint64_t max)
{
    int rc = fcp_cbor_get_uint(d, v);
    if (rc)
        return rc;
    return *v > max ? FCP_EOUT_OF_RANGE : 0;
}

int fcp_m_decode_zeroed(void *obj, size_t size, const uint8_t *p, size_t n,
                        int (*decode)(void *obj, const uint8_t *p, size_t n))
{
    memset(obj, 0, size);
    int rc = decode(obj, p, n);
    if (rc)
        memset(obj, 0, size);
    return rc;
}

int fcp_m_map_end(fcp_cbor_dec *d, fcp_cbor_map_iter *it)
{
    (void)d;
    return it->remaining ? FCP_EUNKNOWN_FIELD : 0;
}

int fcp_m_text_key(fcp_cbor_enc *e, const char *k)
{
    return fcp_cbor_put_text(e, k, strlen(k));
}

int fcp_m_printable_id(const char *s, size_t n, size_t max)
{
    if (!s || n == 0 || n > max)
        return FCP_EIDENTIFIER;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f)
            return FCP_EIDENTIFIER;
    }
    return 0;
}

size_t fcp_m_slen(const char *s, size_t max)
{
    return strnlen(s, max + 1);
}

void fcp_m_view_dec_init(fcp_cbor_dec *d, const uint8_t *p, size_t n)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    lim.max_depth = 8;
    lim.max_items = 1024;
    lim.allow = FCP_CBOR_ALLOW_FLOAT;
    fcp_cbor_dec_init(d, p, n, &lim);
}

int fcp_m_header_of(const fcp_object_header *h, void (*schema)(fcp_schema_id *))
{
    fcp_schema_id s;
    int rc = fcp_object_header_validate(h);
    if (rc < 0)
        return rc;
    schema(&s);
    return fcp_schema_id_equal(&s, &h->schema) ? 0 : FCP_ESCHEMA_MISMATCH;
}

int fcp_m_derive_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_object_header *h,
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

int fcp_m_view_sign(uint8_t sig[64], const void *obj, fcp_m_view_enc_fn enc,
                    void (*schema)(fcp_schema_id *), const uint8_t sk[64])
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init(&b);
    schema(&s);
    int rc = enc(obj, FCP_VIEW_SIGNED, &b);
    if (rc == 0)
        rc = fcp_object_sign(sig, &s, b.data, b.len, sk);
    fcp_buf_free(&b);
    return rc;
}

int fcp_m_view_verify(const uint8_t sig[64], const void *obj, fcp_m_view_enc_fn enc,
                      void (*schema)(fcp_schema_id *), const uint8_t pk[32])
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init(&b);
    schema(&s);
    int rc = enc(obj, FCP_VIEW_SIGNED, &b);
    if (rc == 0)
        rc = fcp_object_verify(sig, &s, b.data, b.len, pk);
    fcp_buf_free(&b);
    return rc;
}

int fcp_m_view_id(uint8_t out[FCP_OBJECT_ID_BYTES], const void *obj, const fcp_object_header *h,
                  fcp_m_view_enc_fn enc, const fcp_object_id_key *key)
{
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = enc(obj, FCP_VIEW_BODY, &b);
    if (rc == 0)
        rc = fcp_m_derive_id(out, h, &b, key);
    fcp_buf_free(&b);
    return rc;
}

void fcp_m_quorum_view(const char (*signer)[FCP_NODE_ID_MAX + 1], const uint8_t (*sig)[64],
                       size_t n, fcp_quorum_sig *q)
{
    for (size_t i = 0; i < n; i++) {
        q[i].node_id = (const uint8_t *)signer[i];
        q[i].node_id_len = strlen(signer[i]);
        memcpy(q[i].sig, sig[i], FCP_SIG_BYTES);
    }
}

int fcp_m_quorum_decode(fcp_cbor_dec *d, char (*signer)[FCP_NODE_ID_MAX + 1], uint8_t (*sig)[64],
                        size_t *n)
{
    fcp_quorum_sig q[FCP_QUORUM_MAX];
    size_t nq;
    int rc = fcp_quorum_decode_from(q, FCP_QUORUM_MAX, &nq, d);
    if (rc < 0)
        return rc;
    for (size_t j = 0; j < nq; j++) {
        if (q[j].node_id_len > FCP_NODE_ID_MAX)
            return FCP_ENODE_ID;
        memcpy(signer[j], q[j].node_id, q[j].node_id_len);
        signer[j][q[j].node_id_len] = '\0';
        memcpy(sig[j], q[j].sig, FCP_SIG_BYTES);
    }
    *n = nq;
    return 0;
}

int fcp_m_get_node(fcp_cbor_dec *d, char out[FCP_NODE_ID_MAX + 1])
{
    return fcp_m_get_text(d, out, FCP_NODE_ID_MAX, fcp_node_id_validate, FCP_ENODE_ID);
}
