/*
 * model_attest.c - NodeKeyAttestation codec, owner signature and time checks
 * (spec §2.2, §3.5.1).  The decoder accepts only what the encoder would
 * produce, so decode -> encode is the identity on accepted input.
 */
#include "fcp/model_attest.h"

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_sign.h"
#include "model_internal.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

void fcp_attestation_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "NodeKeyAttestation", 1, 0, 0);
}

static int tag_ok(const char *t, size_t n)
{
    if (n < 5 || n > FCP_ATTEST_TAG_MAX || memcmp(t, "tag:", 4) != 0)
        return FCP_ETAG;
    unsigned char c0 = (unsigned char)t[4];
    if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z')))
        return FCP_ETAG;
    for (size_t i = 5; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return FCP_ETAG;
    }
    return 0;
}

static int node_ok(const char *s, size_t n)
{
    return fcp_node_id_validate(s, n);
}

int fcp_attestation_validate(const fcp_node_attestation *a)
{
    TRY(fcp_node_id_validate(a->node_id, strnlen(a->node_id, FCP_NODE_ID_MAX + 1)));
    if (a->n_tags > FCP_ATTEST_MAX_TAGS)
        return FCP_ELIMIT;
    for (size_t i = 0; i < a->n_tags; i++) {
        size_t l = strnlen(a->tags[i], FCP_ATTEST_TAG_MAX + 1);
        TRY(tag_ok(a->tags[i], l));
        if (i > 0) {
            size_t pl = strlen(a->tags[i - 1]);
            if (fcp_node_id_cmp((const uint8_t *)a->tags[i - 1], pl, (const uint8_t *)a->tags[i],
                                l) >= 0)
                return FCP_EATTESTATION;
        }
    }
    if (memcmp(a->node_sig_pubkey, a->node_iss_pubkey, 32) == 0)
        return FCP_EATTESTATION;
    if (a->has_expires_at && a->expires_at <= a->issued_at)
        return FCP_EATTESTATION;
    return 0;
}

static int encode(const fcp_node_attestation *a, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    TRY(fcp_attestation_validate(a));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_m_text_key(&e, "node_id");
    fcp_cbor_put_text(&e, a->node_id, strlen(a->node_id));
    fcp_m_text_key(&e, "node_sig_pubkey");
    fcp_cbor_put_bytes(&e, a->node_sig_pubkey, 32);
    fcp_m_text_key(&e, "node_enc_pubkey");
    fcp_cbor_put_bytes(&e, a->node_enc_pubkey, 32);
    fcp_m_text_key(&e, "node_iss_pubkey");
    fcp_cbor_put_bytes(&e, a->node_iss_pubkey, 32);
    fcp_m_text_key(&e, "tags");
    fcp_cbor_put_array(&e, a->n_tags);
    for (size_t i = 0; i < a->n_tags; i++)
        fcp_cbor_put_text(&e, a->tags[i], strlen(a->tags[i]));
    fcp_m_text_key(&e, "issued_at");
    fcp_cbor_put_uint(&e, a->issued_at);
    if (a->has_expires_at) {
        fcp_m_text_key(&e, "expires_at");
        fcp_cbor_put_uint(&e, a->expires_at);
    }
    if (with_sig) {
        fcp_m_text_key(&e, "signature");
        fcp_cbor_put_bytes(&e, a->signature, 64);
    }
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

int fcp_attestation_encode_unsigned(const fcp_node_attestation *a, fcp_buf *out)
{
    return encode(a, out, 0);
}

int fcp_attestation_encode(const fcp_node_attestation *a, fcp_buf *out)
{
    return encode(a, out, 1);
}

static int decode(fcp_node_attestation *a, const uint8_t *p, size_t n)
{
    static const char *const names[] = { "tags", "node_id", "issued_at", "signature", "expires_at",
                                         "node_enc_pubkey", "node_iss_pubkey", "node_sig_pubkey" };
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    unsigned seen = 0;
    uint64_t cnt;
    int rc;
    if (n > FCP_ATTEST_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    lim.max_depth = 4;
    lim.max_items = 64;
    fcp_cbor_dec_init(&d, p, n, &lim);
    TRY(fcp_cbor_map_begin(&d, &it));
    while ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        int i = -1;
        for (int j = 0; j < 8; j++)
            if (fcp_cbor_key_is(k, kl, names[j]))
                i = j;
        if (i < 0)
            return FCP_EUNKNOWN_FIELD;
        seen |= 1u << i;
        switch (i) {
        case 0:
            TRY(fcp_cbor_get_array(&d, &cnt));
            if (cnt > FCP_ATTEST_MAX_TAGS)
                return FCP_ELIMIT;
            a->n_tags = (size_t)cnt;
            for (size_t t = 0; t < a->n_tags; t++)
                TRY(fcp_m_get_text(&d, a->tags[t], FCP_ATTEST_TAG_MAX, tag_ok, FCP_ETAG));
            break;
        case 1: TRY(fcp_m_get_text(&d, a->node_id, FCP_NODE_ID_MAX, node_ok, FCP_ENODE_ID)); break;
        case 2: TRY(fcp_cbor_get_uint(&d, &a->issued_at)); break;
        case 3: TRY(fcp_m_get_fixed(&d, a->signature, 64)); break;
        case 4:
            TRY(fcp_cbor_get_uint(&d, &a->expires_at));
            a->has_expires_at = 1;
            break;
        case 5: TRY(fcp_m_get_fixed(&d, a->node_enc_pubkey, 32)); break;
        case 6: TRY(fcp_m_get_fixed(&d, a->node_iss_pubkey, 32)); break;
        default: TRY(fcp_m_get_fixed(&d, a->node_sig_pubkey, 32)); break;
        }
    }
    TRY(rc);
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0xefu) != 0xefu)
        return FCP_EMISSING_FIELD;
    return fcp_attestation_validate(a);
}

int fcp_attestation_decode(fcp_node_attestation *a, const uint8_t *p, size_t n)
{
    memset(a, 0, sizeof *a);
    int rc = decode(a, p, n);
    if (rc)
        memset(a, 0, sizeof *a);
    return rc;
}

int fcp_attestation_sign(fcp_node_attestation *a, const uint8_t owner_sk[64])
{
    uint8_t mem[FCP_ATTEST_MAX_ENCODED];
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    fcp_attestation_schema(&s);
    int rc = fcp_attestation_encode_unsigned(a, &b);
    if (rc == 0)
        rc = fcp_object_sign(a->signature, &s, b.data, b.len, owner_sk);
    return rc;
}

int fcp_attestation_verify(const fcp_node_attestation *a, const uint8_t owner_pk[32], uint64_t now)
{
    uint8_t mem[FCP_ATTEST_MAX_ENCODED];
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    fcp_attestation_schema(&s);
    TRY(fcp_attestation_encode_unsigned(a, &b));
    TRY(fcp_object_verify(a->signature, &s, b.data, b.len, owner_pk));
    if (a->issued_at > now && a->issued_at - now > FCP_ATTEST_MAX_SKEW)
        return FCP_EATTESTATION;
    if (a->has_expires_at && now >= a->expires_at)
        return FCP_EATTESTATION_EXPIRED;
    return 0;
}

int fcp_attestation_decode_verify(fcp_node_attestation *a, const uint8_t *p, size_t n,
                                  const uint8_t owner_pk[32], uint64_t now)
{
    TRY(fcp_attestation_decode(a, p, n));
    return fcp_attestation_verify(a, owner_pk, now);
}

void fcp_attestation_kids(const fcp_node_attestation *a, uint8_t sig_kid[FCP_KID_BYTES],
                          uint8_t enc_kid[FCP_KID_BYTES], uint8_t iss_kid[FCP_KID_BYTES])
{
    if (sig_kid)
        fcp_key_id(sig_kid, a->node_sig_pubkey);
    if (enc_kid)
        fcp_key_id(enc_kid, a->node_enc_pubkey);
    if (iss_kid)
        fcp_key_id(iss_kid, a->node_iss_pubkey);
}
