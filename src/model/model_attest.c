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
    fcp_cbor_put_kv_text(&e, "node_id", a->node_id);
    fcp_cbor_put_kv_bytes(&e, "node_sig_pubkey", a->node_sig_pubkey, 32);
    fcp_cbor_put_kv_bytes(&e, "node_enc_pubkey", a->node_enc_pubkey, 32);
    fcp_cbor_put_kv_bytes(&e, "node_iss_pubkey", a->node_iss_pubkey, 32);
    fcp_m_text_key(&e, "tags");
    fcp_cbor_put_array(&e, a->n_tags);
    for (size_t i = 0; i < a->n_tags; i++)
        fcp_cbor_put_text(&e, a->tags[i], strlen(a->tags[i]));
    fcp_cbor_put_kv_uint(&e, "issued_at", a->issued_at);
    if (a->has_expires_at)
        fcp_cbor_put_kv_uint(&e, "expires_at", a->expires_at);
    if (with_sig)
        fcp_cbor_put_kv_bytes(&e, "signature", a->signature, 64);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

int fcp_attestation_encode_unsigned(const fcp_node_attestation *a, fcp_buf *out)
{
    return encode(a, out, 0);
}

int fcp_attestation_encode(const fcp_node_attestation *a, fcp_buf *out)
{
    return encode(a, out, 1);
}

static const char *const attest_keys[] = { "tags", "node_id", "issued_at", "signature",
                                           "expires_at", "node_enc_pubkey", "node_iss_pubkey",
                                           "node_sig_pubkey" };

static int attest_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_node_attestation *a = obj;
    uint64_t cnt;
    switch (i) {
    case 0:
        TRY(fcp_cbor_get_array(d, &cnt));
        if (cnt > FCP_ATTEST_MAX_TAGS)
            return FCP_ELIMIT;
        a->n_tags = (size_t)cnt;
        for (size_t t = 0; t < a->n_tags; t++)
            TRY(fcp_m_get_text(d, a->tags[t], FCP_ATTEST_TAG_MAX, tag_ok, FCP_ETAG));
        return 0;
    case 1: return fcp_m_get_node(d, a->node_id);
    case 2: return fcp_cbor_get_uint(d, &a->issued_at);
    case 3: return fcp_m_get_fixed(d, a->signature, 64);
    case 4:
        TRY(fcp_cbor_get_uint(d, &a->expires_at));
        a->has_expires_at = 1;
        return 0;
    case 5: return fcp_m_get_fixed(d, a->node_enc_pubkey, 32);
    case 6: return fcp_m_get_fixed(d, a->node_iss_pubkey, 32);
    default: return fcp_m_get_fixed(d, a->node_sig_pubkey, 32);
    }
}

static int decode(void *obj, const uint8_t *p, size_t n)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    unsigned seen = 0;
    if (n > FCP_ATTEST_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    lim.max_depth = 4;
    lim.max_items = 64;
    fcp_cbor_dec_init(&d, p, n, &lim);
    TRY(fcp_cbor_read_fields(&d, attest_keys, 8, attest_field, obj, &seen));
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0xefu) != 0xefu)
        return FCP_EMISSING_FIELD;
    return fcp_attestation_validate(obj);
}

int fcp_attestation_decode(fcp_node_attestation *a, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(a, sizeof *a, p, n, decode);
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
