/*
 * model_authz_util.c - helpers shared by the authority object codecs: header
 * ownership checks, sign/verify over an unsigned encoding, ObjectIds of
 * header-carrying objects (D-ZONE-1), inline quorum-signature arrays, and
 * the decoder start / encoder frame every one of these objects repeats.
 */
#include "model_authz_internal.h"

#include <string.h>

#include "fcp/error.h"
#include "fcp/model_sign.h"
#include "model_internal.h"

int fcp_ma_check_header(const fcp_object_header *h, const fcp_schema_id *schema, const char *zone)
{
    FCP_MA_TRY(fcp_object_header_validate(h));
    if (!fcp_schema_id_equal(&h->schema, schema))
        return FCP_ESCHEMA_MISMATCH;
    if (strcmp(h->zone_id, zone) != 0)
        return FCP_EAUTHZ_ZONE_MISMATCH;
    return 0;
}

int fcp_ma_sign(const void *obj, fcp_ma_encode_fn enc_unsigned, void (*schema)(fcp_schema_id *),
                const uint8_t sk[64], uint8_t sig[64])
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init(&b);
    schema(&s);
    int rc = enc_unsigned(obj, &b);
    if (rc == 0)
        rc = fcp_object_sign(sig, &s, b.data, b.len, sk);
    fcp_buf_free(&b);
    return rc;
}

int fcp_ma_verify(const void *obj, fcp_ma_encode_fn enc_unsigned, void (*schema)(fcp_schema_id *),
                  const uint8_t pk[32], const uint8_t sig[64])
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init(&b);
    schema(&s);
    int rc = enc_unsigned(obj, &b);
    if (rc == 0)
        rc = fcp_object_verify(sig, &s, b.data, b.len, pk);
    fcp_buf_free(&b);
    return rc;
}

int fcp_ma_object_id(uint8_t out[32], const void *obj, fcp_ma_encode_fn enc_full,
                     const fcp_object_header *h, const fcp_object_id_key *key)
{
    fcp_buf cbor, body;
    fcp_buf_init(&cbor);
    fcp_buf_init(&body);
    int rc = enc_full(obj, &cbor);
    if (rc == 0)
        rc = fcp_payload_encode(&h->schema, cbor.data, cbor.len, &body);
    if (rc == 0)
        rc = fcp_object_derive_id(out, h, body.data, body.len, key);
    fcp_buf_free(&cbor);
    fcp_buf_free(&body);
    return rc;
}

void fcp_ma_sigs_view(const fcp_zone_sig *s, size_t n, fcp_quorum_sig *q)
{
    for (size_t i = 0; i < n; i++) {
        q[i].node_id = (const uint8_t *)s[i].node_id;
        q[i].node_id_len = strlen(s[i].node_id);
        memcpy(q[i].sig, s[i].sig, FCP_SIG_BYTES);
    }
}

int fcp_ma_sigs_check(const fcp_zone_sig *s, size_t n)
{
    fcp_quorum_sig q[FCP_QUORUM_MAX];
    if (n > FCP_QUORUM_MAX)
        return FCP_ELIMIT;
    for (size_t i = 0; i < n; i++)
        FCP_MA_TRY(fcp_node_id_validate(s[i].node_id, strnlen(s[i].node_id, FCP_NODE_ID_MAX + 1)));
    fcp_ma_sigs_view(s, n, q);
    return fcp_quorum_check_order(q, n);
}

int fcp_ma_sigs_encode(fcp_cbor_enc *e, const fcp_zone_sig *s, size_t n)
{
    fcp_quorum_sig q[FCP_QUORUM_MAX];
    FCP_MA_TRY(fcp_ma_sigs_check(s, n));
    fcp_ma_sigs_view(s, n, q);
    return fcp_quorum_encode_to(q, n, e);
}

int fcp_ma_sigs_decode(fcp_cbor_dec *d, fcp_zone_sig *s, size_t *n)
{
    fcp_quorum_sig q[FCP_QUORUM_MAX];
    size_t cnt = 0;
    FCP_MA_TRY(fcp_quorum_decode_from(q, FCP_QUORUM_MAX, &cnt, d));
    for (size_t i = 0; i < cnt; i++) {
        if (q[i].node_id_len > FCP_NODE_ID_MAX)
            return FCP_ENODE_ID;
        memcpy(s[i].node_id, q[i].node_id, q[i].node_id_len);
        s[i].node_id[q[i].node_id_len] = '\0';
        memcpy(s[i].sig, q[i].sig, FCP_SIG_BYTES);
    }
    *n = cnt;
    return 0;
}

int fcp_ma_sigs_insert(fcp_zone_sig *s, size_t *n, const char *node, size_t len,
                       const uint8_t sig[64])
{
    size_t i = 0;
    FCP_MA_TRY(fcp_node_id_validate(node, len));
    for (; i < *n; i++) {
        int c = fcp_node_id_cmp((const uint8_t *)s[i].node_id, strlen(s[i].node_id),
                                (const uint8_t *)node, len);
        if (c == 0)
            return FCP_EDUPLICATE_SIGNER;
        if (c > 0)
            break;
    }
    if (*n >= FCP_QUORUM_MAX)
        return FCP_ELIMIT;
    memmove(&s[i + 1], &s[i], (*n - i) * sizeof s[0]);
    memcpy(s[i].node_id, node, len);
    s[i].node_id[len] = '\0';
    memcpy(s[i].sig, sig, FCP_SIG_BYTES);
    (*n)++;
    return 0;
}

void fcp_ma_limits(fcp_cbor_limits *lim)
{
    *lim = fcp_cbor_limits_default;
    lim->allow = FCP_CBOR_ALLOW_FLOAT;
    lim->max_depth = 12;
    lim->max_items = 4096;
}

int fcp_ma_dec_init(fcp_cbor_dec *d, const uint8_t *p, size_t n, size_t max)
{
    fcp_cbor_limits lim;
    if (n > max)
        return FCP_ETOO_LARGE;
    fcp_ma_limits(&lim);
    fcp_cbor_dec_init(d, p, n, &lim);
    return 0;
}

int fcp_ma_put_header(fcp_cbor_enc *e, const fcp_object_header *h)
{
    fcp_m_text_key(e, "header");
    return fcp_object_header_encode_to(h, e);
}

int fcp_ma_enc_close(fcp_cbor_enc *e, int rc)
{
    fcp_cbor_map_close(e);
    if (rc == 0)
        rc = fcp_cbor_enc_finish(e);
    fcp_cbor_enc_free(e);
    return rc;
}

int fcp_ma_add_signature(const void *obj, fcp_ma_encode_fn enc_unsigned,
                         void (*schema)(fcp_schema_id *), fcp_zone_sig *s, size_t *n,
                         const char *node, size_t len, const uint8_t sk[64])
{
    uint8_t sig[FCP_SIG_BYTES];
    FCP_MA_TRY(fcp_ma_sign(obj, enc_unsigned, schema, sk, sig));
    return fcp_ma_sigs_insert(s, n, node, len, sig);
}
