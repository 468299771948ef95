/*
 * model_sign.c - signing bytes, unsigned views and quorum signatures
 * (spec §3.5.1; byte rule from the reference implementation's attested
 * signing vectors, decision D-MODEL-7).
 */
#include "fcp/model_sign.h"

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "model_internal.h"

int fcp_signing_bytes(fcp_buf *out, const fcp_schema_id *schema, const uint8_t *unsigned_cbor,
                      size_t n)
{
    uint8_t h8[FCP_SIGNING_SCHEMA_HASH_BYTES];
    fcp_signing_schema_hash(h8, schema);
    fcp_buf_append(out, FCP_SIGN_DOMAIN, FCP_SIGN_DOMAIN_BYTES);
    fcp_buf_append(out, h8, sizeof h8);
    if (n)
        fcp_buf_append(out, unsigned_cbor, n);
    return out->err;
}

static int is_sig_key(const uint8_t *k, size_t kl)
{
    /* encoded text keys: 0x69 "signature", 0x71 "quorum_signatures" */
    return (kl == 10 && k[0] == 0x69 && memcmp(k + 1, "signature", 9) == 0) ||
           (kl == 18 && k[0] == 0x71 && memcmp(k + 1, "quorum_signatures", 17) == 0);
}

int fcp_unsigned_view(fcp_buf *out, const uint8_t *cbor, size_t n)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    fcp_buf body;
    const uint8_t *k, *v;
    size_t kl, vl;
    uint64_t kept = 0;
    int rc;
    lim.allow = FCP_CBOR_ALLOW_FLOAT;
    fcp_cbor_dec_init(&d, cbor, n, &lim);
    fcp_buf_init(&body);
    rc = fcp_cbor_map_begin(&d, &it);
    while (rc == 0 && (rc = fcp_cbor_map_next_key(&d, &it, &k, &kl)) > 0) {
        if ((rc = fcp_cbor_get_raw(&d, &v, &vl)) < 0)
            break;
        rc = 0;
        if (is_sig_key(k, kl))
            continue;
        fcp_buf_append(&body, k, kl);
        fcp_buf_append(&body, v, vl);
        kept++;
    }
    if (rc == 0)
        rc = fcp_cbor_dec_finish(&d);
    if (rc == 0)
        rc = body.err;
    if (rc == 0) {
        fcp_cbor_enc e;
        fcp_cbor_enc_init(&e, out);
        fcp_cbor_put_map(&e, kept);
        fcp_cbor_put_raw(&e, body.data, body.len);
        rc = fcp_cbor_enc_finish(&e);
        fcp_cbor_enc_free(&e);
    }
    fcp_buf_free(&body);
    return rc;
}

int fcp_object_sign(uint8_t sig[FCP_SIG_BYTES], const fcp_schema_id *schema,
                    const uint8_t *unsigned_cbor, size_t n, const uint8_t sk[64])
{
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = fcp_signing_bytes(&b, schema, unsigned_cbor, n);
    if (rc == 0)
        rc = fcp_ed25519_sign(sig, b.data, b.len, sk);
    fcp_buf_free(&b);
    return rc;
}

int fcp_object_verify(const uint8_t sig[FCP_SIG_BYTES], const fcp_schema_id *schema,
                      const uint8_t *unsigned_cbor, size_t n, const uint8_t pk[32])
{
    uint8_t stackbuf[1024];
    fcp_buf b;
    /* small objects (attestations, heads) are verified without allocating */
    if (n + FCP_SIGN_DOMAIN_BYTES + FCP_SIGNING_SCHEMA_HASH_BYTES <= sizeof stackbuf)
        fcp_buf_init_fixed(&b, stackbuf, sizeof stackbuf);
    else
        fcp_buf_init(&b);
    int rc = fcp_signing_bytes(&b, schema, unsigned_cbor, n);
    if (rc == 0)
        rc = fcp_ed25519_verify(sig, b.data, b.len, pk);
    fcp_buf_free(&b);
    return rc;
}

/* ---- quorum ------------------------------------------------------------- */

int fcp_node_id_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t m = alen < blen ? alen : blen;
    int c = m ? memcmp(a, b, m) : 0;
    if (c)
        return c;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

void fcp_quorum_sort(fcp_quorum_sig *s, size_t n)
{
    /* insertion sort: n <= a few dozen, and stability keeps duplicates
     * adjacent for the order check */
    for (size_t i = 1; i < n; i++) {
        fcp_quorum_sig x = s[i];
        size_t j = i;
        while (j > 0 && fcp_node_id_cmp(s[j - 1].node_id, s[j - 1].node_id_len, x.node_id,
                                        x.node_id_len) > 0) {
            s[j] = s[j - 1];
            j--;
        }
        s[j] = x;
    }
}

int fcp_quorum_check_order(const fcp_quorum_sig *s, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        int c = fcp_node_id_cmp(s[i - 1].node_id, s[i - 1].node_id_len, s[i].node_id,
                                s[i].node_id_len);
        if (c == 0)
            return FCP_EDUPLICATE_SIGNER;
        if (c > 0)
            return FCP_EUNSORTED_SIGNERS;
    }
    return 0;
}

int fcp_quorum_verify(const fcp_quorum_sig *s, size_t n, size_t threshold,
                      const fcp_schema_id *schema, const uint8_t *unsigned_cbor, size_t len,
                      fcp_node_key_lookup lookup, void *ctx)
{
    if (threshold == 0 || n > FCP_QUORUM_MAX)
        return FCP_EQUORUM;
    int rc = fcp_quorum_check_order(s, n);
    if (rc)
        return rc;
    if (n < threshold)
        return FCP_EQUORUM;
    fcp_buf b;
    fcp_buf_init(&b);
    rc = fcp_signing_bytes(&b, schema, unsigned_cbor, len);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint8_t pk[32];
        rc = lookup(ctx, s[i].node_id, s[i].node_id_len, pk);
        if (rc == 0)
            rc = fcp_ed25519_verify(s[i].sig, b.data, b.len, pk);
    }
    fcp_buf_free(&b);
    return rc;
}

int fcp_quorum_encode_to(const fcp_quorum_sig *s, size_t n, fcp_cbor_enc *e)
{
    if (n > FCP_QUORUM_MAX)
        return FCP_ELIMIT;
    int rc = fcp_quorum_check_order(s, n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (fcp_node_id_validate((const char *)s[i].node_id, s[i].node_id_len))
            return FCP_ENODE_ID;
    fcp_cbor_put_array(e, n);
    for (size_t i = 0; i < n; i++) {
        fcp_cbor_put_array(e, 2);
        fcp_cbor_put_text(e, (const char *)s[i].node_id, s[i].node_id_len);
        fcp_cbor_put_bytes(e, s[i].sig, FCP_SIG_BYTES);
    }
    return e->err;
}

int fcp_quorum_decode_from(fcp_quorum_sig *s, size_t max, size_t *n, fcp_cbor_dec *d)
{
    uint64_t cnt, two;
    int rc = fcp_cbor_get_array(d, &cnt);
    if (rc)
        return rc;
    if (cnt > max || cnt > FCP_QUORUM_MAX)
        return FCP_ELIMIT;
    for (size_t i = 0; i < cnt; i++) {
        const char *t;
        size_t tl;
        if ((rc = fcp_cbor_get_array(d, &two)) != 0)
            return rc;
        if (two != 2)
            return FCP_EOBJECT;
        if ((rc = fcp_cbor_get_text(d, &t, &tl)) != 0)
            return rc;
        if (fcp_node_id_validate(t, tl))
            return FCP_ENODE_ID;
        s[i].node_id = (const uint8_t *)t;
        s[i].node_id_len = tl;
        if ((rc = fcp_m_get_fixed(d, s[i].sig, FCP_SIG_BYTES)) != 0)
            return rc;
    }
    *n = (size_t)cnt;
    return fcp_quorum_check_order(s, *n);
}
