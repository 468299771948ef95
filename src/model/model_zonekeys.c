/*
 * model_zonekeys.c - ZoneKeyManifest codec, owner signature, key ids
 * (spec §5.2, review Change 3, D-ZONE-1..3).  The decoder accepts only what
 * the encoder produces: decode -> encode is the identity on accepted input.
 */
#include "fcp/model_zonekeys.h"

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_sealed.h"
#include "fcp/model_sign.h"
#include "model_authz_internal.h"
#include "model_internal.h"

#define TRY FCP_MA_TRY

static const char *const alg_names[] = { "ChaCha20Poly1305", "XChaCha20Poly1305" };

void fcp_zk_manifest_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "ZoneKeyManifest", 1, 0, 0);
}

static int key_id(uint8_t out[8], const char *label, const char *zone, size_t zone_len,
                  const uint8_t key[32])
{
    fcp_blake3_hasher h;
    uint8_t full[32];
    static const uint8_t zero = 0;
    TRY(fcp_zone_id_validate(zone, zone_len));
    fcp_blake3_hasher_init(&h);
    fcp_blake3_hasher_update(&h, label, strlen(label));
    fcp_blake3_hasher_update(&h, zone, zone_len);
    fcp_blake3_hasher_update(&h, &zero, 1);
    fcp_blake3_hasher_update(&h, key, 32);
    fcp_blake3_hasher_finalize(&h, full, sizeof full);
    fcp_blake3_hasher_wipe(&h);
    memcpy(out, full, 8);
    fcp_memzero(full, sizeof full);
    return 0;
}

int fcp_zone_key_id(uint8_t out[FCP_ZONE_KEY_ID_BYTES], const char *zone, size_t zone_len,
                    const uint8_t key[FCP_ZONE_KEY_BYTES])
{
    return key_id(out, "FCP2-ZONE-KEY-ID-V1", zone, zone_len, key);
}

int fcp_object_id_key_id(uint8_t out[FCP_ZONE_KEY_ID_BYTES], const char *zone, size_t zone_len,
                         const uint8_t key[FCP_ZONE_KEY_BYTES])
{
    return key_id(out, "FCP2-OBJECTID-KEY-ID-V1", zone, zone_len, key);
}

static int wrapped_list_ok(const fcp_zk_wrapped *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t l = strnlen(w[i].node_id, FCP_NODE_ID_MAX + 1);
        TRY(fcp_node_id_validate(w[i].node_id, l));
        if (i > 0 && fcp_node_id_cmp((const uint8_t *)w[i - 1].node_id, strlen(w[i - 1].node_id),
                                     (const uint8_t *)w[i].node_id, l) >= 0)
            return FCP_EZK_WRAPPED_ORDER;
    }
    return 0;
}

int fcp_zk_manifest_validate(const fcp_zone_key_manifest *m)
{
    fcp_schema_id s;
    size_t zl = strnlen(m->zone_id, FCP_ZONE_ID_MAX + 1);
    TRY(fcp_zone_id_validate(m->zone_id, zl));
    fcp_zk_manifest_schema(&s);
    TRY(fcp_ma_check_header(&m->header, &s, m->zone_id));
    if (m->algorithm != FCP_ZK_ALG_CHACHA20POLY1305 && m->algorithm != FCP_ZK_ALG_XCHACHA20POLY1305)
        return FCP_EZK_ALGORITHM;
    if (m->has_valid_until && m->valid_until <= m->valid_from)
        return FCP_EZK_VALIDITY;
    if (m->has_prev && memcmp(m->prev_zone_key_id, m->zone_key_id, 8) == 0)
        return FCP_EZK_PREV;
    if (m->n_wrapped == 0)
        return FCP_EZK_NO_MEMBERS;
    if (m->n_wrapped > FCP_ZK_MAX_MEMBERS)
        return FCP_ELIMIT;
    TRY(wrapped_list_ok(m->wrapped_keys, m->n_wrapped));
    TRY(wrapped_list_ok(m->wrapped_oid_keys, m->n_wrapped));
    for (size_t i = 0; i < m->n_wrapped; i++)
        if (strcmp(m->wrapped_keys[i].node_id, m->wrapped_oid_keys[i].node_id) != 0)
            return FCP_EZK_WRAPPED_SET;
    return 0;
}

static int put_wrapped_list(fcp_cbor_enc *e, const fcp_zk_wrapped *w, size_t n)
{
    fcp_cbor_put_array(e, n);
    for (size_t i = 0; i < n; i++) {
        fcp_sealed_box box;
        box.kem_id = 0x0020;
        box.kdf_id = 0x0001;
        box.aead_id = 0x0003;
        memcpy(box.enc, w[i].enc, 32);
        box.ct = w[i].ct;
        box.ct_len = FCP_ZK_WRAPPED_CT_BYTES;
        fcp_cbor_map_open(e);
        fcp_ma_put_kv_text(e, "node_id", w[i].node_id);
        fcp_ma_put_kv_bytes(e, "node_enc_kid", w[i].node_enc_kid, FCP_KID_BYTES);
        fcp_m_text_key(e, "sealed_key");
        TRY(fcp_sealed_box_encode_to(&box, e));
        fcp_cbor_map_close(e);
    }
    return e->err;
}

static int encode(const fcp_zone_key_manifest *m, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    int rc;
    TRY(fcp_zk_manifest_validate(m));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_m_text_key(&e, "header");
    rc = fcp_object_header_encode_to(&m->header, &e);
    fcp_ma_put_kv_text(&e, "zone_id", m->zone_id);
    fcp_ma_put_kv_bytes(&e, "zone_key_id", m->zone_key_id, 8);
    fcp_ma_put_kv_text(&e, "algorithm", alg_names[m->algorithm]);
    fcp_ma_put_kv_uint(&e, "valid_from", m->valid_from);
    if (m->has_valid_until)
        fcp_ma_put_kv_uint(&e, "valid_until", m->valid_until);
    if (m->has_prev)
        fcp_ma_put_kv_bytes(&e, "prev_zone_key_id", m->prev_zone_key_id, 8);
    fcp_ma_put_kv_bytes(&e, "object_id_key_id", m->object_id_key_id, 8);
    fcp_m_text_key(&e, "wrapped_object_id_keys");
    if (rc == 0)
        rc = put_wrapped_list(&e, m->wrapped_oid_keys, m->n_wrapped);
    if (m->has_ratchet) {
        fcp_m_text_key(&e, "ratchet");
        fcp_cbor_map_open(&e);
        fcp_m_text_key(&e, "enabled");
        fcp_cbor_put_bool(&e, m->ratchet.enabled);
        fcp_ma_put_kv_uint(&e, "overlap_secs", m->ratchet.overlap_secs);
        fcp_ma_put_kv_uint(&e, "retain_epochs", m->ratchet.retain_epochs);
        fcp_cbor_map_close(&e);
    }
    fcp_m_text_key(&e, "wrapped_keys");
    if (rc == 0)
        rc = put_wrapped_list(&e, m->wrapped_keys, m->n_wrapped);
    if (with_sig)
        fcp_ma_put_kv_bytes(&e, "signature", m->signature, 64);
    fcp_cbor_map_close(&e);
    if (rc == 0)
        rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

int fcp_zk_manifest_encode(const fcp_zone_key_manifest *m, fcp_buf *out)
{
    return encode(m, out, 1);
}

int fcp_zk_manifest_encode_unsigned(const fcp_zone_key_manifest *m, fcp_buf *out)
{
    return encode(m, out, 0);
}

static int enc_unsigned_fn(const void *o, fcp_buf *out)
{
    return encode((const fcp_zone_key_manifest *)o, out, 0);
}

static int enc_full_fn(const void *o, fcp_buf *out)
{
    return encode((const fcp_zone_key_manifest *)o, out, 1);
}

static int get_wrapped(fcp_cbor_dec *d, fcp_zk_wrapped *w)
{
    static const char *const names[] = { "node_id", "sealed_key", "node_enc_kid" };
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    unsigned seen = 0;
    int rc;
    TRY(fcp_cbor_map_begin(d, &it));
    while ((rc = fcp_cbor_map_next_text_key(d, &it, &k, &kl)) > 0) {
        int i = fcp_ma_key_index(k, kl, names, 3);
        fcp_sealed_box box;
        if (i < 0)
            return FCP_EUNKNOWN_FIELD;
        seen |= 1u << i;
        switch (i) {
        case 0: TRY(fcp_ma_get_node(d, w->node_id)); break;
        case 1:
            TRY(fcp_sealed_box_decode_from(&box, d));
            if (box.ct_len != FCP_ZK_WRAPPED_CT_BYTES)
                return FCP_EZK_SEALED_LEN;
            memcpy(w->enc, box.enc, 32);
            memcpy(w->ct, box.ct, FCP_ZK_WRAPPED_CT_BYTES);
            break;
        default: TRY(fcp_m_get_fixed(d, w->node_enc_kid, FCP_KID_BYTES)); break;
        }
    }
    TRY(rc);
    return seen == 7u ? 0 : FCP_EMISSING_FIELD;
}

static int get_wrapped_list(fcp_cbor_dec *d, fcp_zk_wrapped *w, size_t *n)
{
    uint64_t cnt;
    TRY(fcp_cbor_get_array(d, &cnt));
    if (cnt > FCP_ZK_MAX_MEMBERS)
        return FCP_ELIMIT;
    for (size_t i = 0; i < cnt; i++)
        TRY(get_wrapped(d, &w[i]));
    *n = (size_t)cnt;
    return 0;
}

static int get_ratchet(fcp_cbor_dec *d, fcp_zk_ratchet *r)
{
    static const char *const names[] = { "enabled", "overlap_secs", "retain_epochs" };
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    unsigned seen = 0;
    uint64_t v;
    int rc;
    TRY(fcp_cbor_map_begin(d, &it));
    while ((rc = fcp_cbor_map_next_text_key(d, &it, &k, &kl)) > 0) {
        int i = fcp_ma_key_index(k, kl, names, 3);
        if (i < 0)
            return FCP_EUNKNOWN_FIELD;
        seen |= 1u << i;
        if (i == 0)
            TRY(fcp_cbor_get_bool(d, &r->enabled));
        else if (i == 1)
            TRY(fcp_cbor_get_uint(d, &r->overlap_secs));
        else {
            TRY(fcp_m_get_uint_max(d, &v, UINT32_MAX));
            r->retain_epochs = (uint32_t)v;
        }
    }
    TRY(rc);
    return seen == 7u ? 0 : FCP_EMISSING_FIELD;
}

static int decode(fcp_zone_key_manifest *m, const uint8_t *p, size_t n)
{
    static const char *const names[] = {
        "header", "ratchet", "zone_id", "algorithm", "signature", "valid_from", "valid_until",
        "zone_key_id", "wrapped_keys", "object_id_key_id", "prev_zone_key_id",
        "wrapped_object_id_keys"
    };
    fcp_cbor_limits lim;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl, n_oid = 0;
    unsigned seen = 0;
    int rc;
    if (n > FCP_ZK_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_ma_limits(&lim);
    fcp_cbor_dec_init(&d, p, n, &lim);
    TRY(fcp_cbor_map_begin(&d, &it));
    while ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        int i = fcp_ma_key_index(k, kl, names, 12);
        const char *t;
        size_t tl;
        if (i < 0)
            return FCP_EUNKNOWN_FIELD;
        seen |= 1u << i;
        switch (i) {
        case 0: TRY(fcp_object_header_decode_from(&m->header, &d)); break;
        case 1:
            TRY(get_ratchet(&d, &m->ratchet));
            m->has_ratchet = 1;
            break;
        case 2: TRY(fcp_m_get_text(&d, m->zone_id, FCP_ZONE_ID_MAX, fcp_zone_id_validate, FCP_EZONE_ID_TOO_LONG)); break;
        case 3:
            TRY(fcp_cbor_get_text(&d, &t, &tl));
            m->algorithm = -1;
            for (int a = 0; a < 2; a++)
                if (fcp_cbor_key_is(t, tl, alg_names[a]))
                    m->algorithm = a;
            if (m->algorithm < 0)
                return FCP_EZK_ALGORITHM;
            break;
        case 4: TRY(fcp_m_get_fixed(&d, m->signature, 64)); break;
        case 5: TRY(fcp_cbor_get_uint(&d, &m->valid_from)); break;
        case 6:
            TRY(fcp_cbor_get_uint(&d, &m->valid_until));
            m->has_valid_until = 1;
            break;
        case 7: TRY(fcp_m_get_fixed(&d, m->zone_key_id, 8)); break;
        case 8: TRY(get_wrapped_list(&d, m->wrapped_keys, &m->n_wrapped)); break;
        case 9: TRY(fcp_m_get_fixed(&d, m->object_id_key_id, 8)); break;
        case 10:
            TRY(fcp_m_get_fixed(&d, m->prev_zone_key_id, 8));
            m->has_prev = 1;
            break;
        default: TRY(get_wrapped_list(&d, m->wrapped_oid_keys, &n_oid)); break;
        }
    }
    TRY(rc);
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0xbbdu) != 0xbbdu)
        return FCP_EMISSING_FIELD;
    if (n_oid != m->n_wrapped)
        return FCP_EZK_WRAPPED_SET;
    return fcp_zk_manifest_validate(m);
}

int fcp_zk_manifest_decode(fcp_zone_key_manifest *m, const uint8_t *p, size_t n)
{
    memset(m, 0, sizeof *m);
    int rc = decode(m, p, n);
    if (rc)
        memset(m, 0, sizeof *m);
    return rc;
}

int fcp_zk_manifest_sign(fcp_zone_key_manifest *m, const uint8_t owner_sk[64])
{
    fcp_schema_id s;
    fcp_zk_manifest_schema(&s);
    return fcp_ma_sign(m, enc_unsigned_fn, &s, owner_sk, m->signature);
}

int fcp_zk_manifest_verify(const fcp_zone_key_manifest *m, const uint8_t owner_pk[32])
{
    fcp_schema_id s;
    fcp_zk_manifest_schema(&s);
    return fcp_ma_verify(m, enc_unsigned_fn, &s, owner_pk, m->signature);
}

int fcp_zk_manifest_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_zone_key_manifest *m,
                              const fcp_object_id_key *key)
{
    return fcp_ma_object_id(out, m, enc_full_fn, &m->header, key);
}

int fcp_zk_manifest_find(const fcp_zone_key_manifest *m, const char *node_id, size_t len)
{
    for (size_t i = 0; i < m->n_wrapped && i < FCP_ZK_MAX_MEMBERS; i++)
        if (strlen(m->wrapped_keys[i].node_id) == len &&
            memcmp(m->wrapped_keys[i].node_id, node_id, len) == 0)
            return (int)i;
    return FCP_EZK_NOT_MEMBER;
}
