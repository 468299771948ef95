/*
 * model_sealed.c - HpkeSealedBox codec, Fcp2Aad binding and seal/open on
 * top of crypto's RFC 9180 HPKE (spec §3.6.1).
 */
#include "fcp/model_sealed.h"

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hpke.h"
#include "fcp/model_ids.h"
#include "model_internal.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

static const char *const purposes[] = {
    "FCP2-ZONE-KEY", "FCP2-OBJECTID-KEY", "FCP2-OWNER-SHARE", "FCP2-SECRET-SHARE",
};

const char *fcp_seal_purpose_name(int purpose)
{
    if (purpose < 0 || purpose > 3)
        return NULL;
    return purposes[purpose];
}

int fcp_seal_purpose_parse(const char *s, size_t n, int *purpose)
{
    for (int i = 0; i < 4; i++)
        if (strlen(purposes[i]) == n && memcmp(purposes[i], s, n) == 0) {
            *purpose = i;
            return 0;
        }
    return FCP_EINVAL;
}

int fcp_seal_aad(const fcp_seal_binding *b, fcp_buf *out)
{
    const char *p = fcp_seal_purpose_name(b->purpose);
    if (!p)
        return FCP_EINVAL;
    TRY(fcp_zone_id_validate(b->zone_id, b->zone_id_len));
    TRY(fcp_node_id_validate(b->recipient_node_id, b->recipient_len));
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_kv_bytes(&e, "purpose", p, strlen(p));
    fcp_cbor_put_kv_bytes(&e, "zone_id", b->zone_id, b->zone_id_len);
    fcp_cbor_put_kv_uint(&e, "issued_at", b->issued_at);
    fcp_cbor_put_kv_bytes(&e, "recipient_node_id", b->recipient_node_id, b->recipient_len);
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

static fcp_hpke_params params(void)
{
    fcp_hpke_params p;
    memset(&p, 0, sizeof p);
    p.mode = FCP_HPKE_MODE_BASE;
    p.aead_id = FCP_HPKE_AEAD_CHACHA20POLY1305;
    p.info = (const uint8_t *)FCP_HPKE_INFO;
    p.info_len = sizeof FCP_HPKE_INFO - 1;
    return p;
}

static int suite_ok(const fcp_sealed_box *box)
{
    if (box->kem_id != FCP_HPKE_KEM_X25519_HKDF_SHA256 || box->kdf_id != FCP_HPKE_KDF_HKDF_SHA256 ||
        box->aead_id != FCP_HPKE_AEAD_CHACHA20POLY1305)
        return FCP_EHPKE_SUITE;
    if (box->ct_len < FCP_SEALED_TAG_BYTES)
        return FCP_EOBJECT;
    if (box->ct_len > FCP_SEALED_MAX_CT)
        return FCP_ETOO_LARGE;
    return 0;
}

static int seal(fcp_sealed_box *box, uint8_t *ct_buf, const uint8_t pk[32], const fcp_seal_binding *b,
                const uint8_t *pt, size_t pt_len, const fcp_rng *rng, const uint8_t *ikm,
                size_t ikm_len)
{
    uint8_t aadmem[FCP_SEALED_AAD_MAX];
    fcp_buf aad;
    fcp_hpke_params p = params();
    if (pt_len > FCP_SEALED_MAX_PLAINTEXT)
        return FCP_ETOO_LARGE;
    fcp_buf_init_fixed(&aad, aadmem, sizeof aadmem);
    TRY(fcp_seal_aad(b, &aad));
    memset(box, 0, sizeof *box);
    box->kem_id = FCP_HPKE_KEM_X25519_HKDF_SHA256;
    box->kdf_id = FCP_HPKE_KDF_HKDF_SHA256;
    box->aead_id = FCP_HPKE_AEAD_CHACHA20POLY1305;
    int rc = rng ? fcp_hpke_seal(box->enc, ct_buf, &p, pk, aad.data, aad.len, pt, pt_len, rng)
                 : fcp_hpke_seal_derand(box->enc, ct_buf, &p, pk, aad.data, aad.len, pt, pt_len,
                                        ikm, ikm_len);
    if (rc)
        return rc;
    box->ct = ct_buf;
    box->ct_len = pt_len + FCP_SEALED_TAG_BYTES;
    return 0;
}

int fcp_sealed_box_seal(fcp_sealed_box *box, uint8_t *ct_buf, const uint8_t recipient_pk[32],
                        const fcp_seal_binding *b, const uint8_t *pt, size_t pt_len,
                        const fcp_rng *rng)
{
    if (!rng)
        return FCP_EINVAL;
    return seal(box, ct_buf, recipient_pk, b, pt, pt_len, rng, NULL, 0);
}

int fcp_sealed_box_seal_derand(fcp_sealed_box *box, uint8_t *ct_buf, const uint8_t recipient_pk[32],
                               const fcp_seal_binding *b, const uint8_t *pt, size_t pt_len,
                               const uint8_t *ikm, size_t ikm_len)
{
    if (!ikm)
        return FCP_EINVAL;
    return seal(box, ct_buf, recipient_pk, b, pt, pt_len, NULL, ikm, ikm_len);
}

int fcp_sealed_box_open(uint8_t *pt, const fcp_sealed_box *box, const uint8_t recipient_sk[32],
                        const fcp_seal_binding *b)
{
    uint8_t aadmem[FCP_SEALED_AAD_MAX];
    fcp_buf aad;
    fcp_hpke_params p = params();
    TRY(suite_ok(box));
    fcp_buf_init_fixed(&aad, aadmem, sizeof aadmem);
    TRY(fcp_seal_aad(b, &aad));
    return fcp_hpke_open(pt, &p, recipient_sk, box->enc, aad.data, aad.len, box->ct, box->ct_len);
}

int fcp_sealed_box_encode_to(const fcp_sealed_box *box, fcp_cbor_enc *e)
{
    TRY(suite_ok(box));
    fcp_cbor_map_open(e);
    fcp_cbor_put_kv_uint(e, "kem_id", box->kem_id);
    fcp_cbor_put_kv_uint(e, "kdf_id", box->kdf_id);
    fcp_cbor_put_kv_uint(e, "aead_id", box->aead_id);
    fcp_cbor_put_kv_bytes(e, "enc", box->enc, FCP_SEALED_ENC_BYTES);
    fcp_cbor_put_kv_bytes(e, "ct", box->ct, box->ct_len);
    return fcp_cbor_map_close(e);
}

int fcp_sealed_box_encode(const fcp_sealed_box *box, fcp_buf *out)
{
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    int rc = fcp_sealed_box_encode_to(box, &e);
    if (rc == 0)
        rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

static int get_u16(fcp_cbor_dec *d, uint16_t *v)
{
    uint64_t x;
    TRY(fcp_m_get_uint_max(d, &x, 0xffff));
    *v = (uint16_t)x;
    return 0;
}

static const char *const box_keys[] = { "ct", "enc", "kdf_id", "kem_id", "aead_id" };

static int box_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_sealed_box *box = obj;
    switch (i) {
    case 0: return fcp_cbor_get_bytes(d, &box->ct, &box->ct_len);
    case 1: return fcp_m_get_fixed(d, box->enc, FCP_SEALED_ENC_BYTES);
    case 2: return get_u16(d, &box->kdf_id);
    case 3: return get_u16(d, &box->kem_id);
    default: return get_u16(d, &box->aead_id);
    }
}

int fcp_sealed_box_decode_from(fcp_sealed_box *box, fcp_cbor_dec *d)
{
    unsigned seen = 0;
    memset(box, 0, sizeof *box);
    TRY(fcp_cbor_read_fields(d, box_keys, 5, box_field, box, &seen));
    if (seen != 0x1f)
        return FCP_EMISSING_FIELD;
    return suite_ok(box);
}

int fcp_sealed_box_decode(fcp_sealed_box *box, const uint8_t *p, size_t n)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    lim.max_depth = 2;
    lim.max_items = 8;
    fcp_cbor_dec_init(&d, p, n, &lim);
    int rc = fcp_sealed_box_decode_from(box, &d);
    if (rc == 0)
        rc = fcp_cbor_dec_finish(&d);
    if (rc)
        memset(box, 0, sizeof *box);
    return rc;
}

int fcp_sealed_box_to_flat(const fcp_sealed_box *box, fcp_buf *out)
{
    TRY(suite_ok(box));
    fcp_buf_append(out, box->enc, FCP_SEALED_ENC_BYTES);
    fcp_buf_append(out, box->ct, box->ct_len);
    return out->err;
}

int fcp_sealed_box_from_flat(fcp_sealed_box *box, const uint8_t *p, size_t n)
{
    memset(box, 0, sizeof *box);
    if (!p || n < FCP_SEALED_ENC_BYTES + FCP_SEALED_TAG_BYTES)
        return FCP_EOBJECT;
    box->kem_id = FCP_HPKE_KEM_X25519_HKDF_SHA256;
    box->kdf_id = FCP_HPKE_KDF_HKDF_SHA256;
    box->aead_id = FCP_HPKE_AEAD_CHACHA20POLY1305;
    memcpy(box->enc, p, FCP_SEALED_ENC_BYTES);
    box->ct = p + FCP_SEALED_ENC_BYTES;
    box->ct_len = n - FCP_SEALED_ENC_BYTES;
    int rc = suite_ok(box);
    if (rc)
        memset(box, 0, sizeof *box);
    return rc;
}
