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
        fcp_cbor_put_kv_text(e, "node_id", w[i].node_id);
        fcp_cbor_put_kv_bytes(e, "node_enc_kid", w[i].node_enc_kid, FCP_KID_BYTES);
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
    rc = fcp_ma_put_header(&e, &m->header);
    fcp_cbor_put_kv_text(&e, "zone_id", m->zone_id);
    fcp_cbor_put_kv_bytes(&e, "zone_key_id", m->zone_key_id, 8);
    fcp_cbor_put_kv_text(&e, "algorithm", alg_names[m->algorithm]);
    fcp_cbor_put_kv_uint(&e, "valid_from", m->valid_from);
    if (m->has_valid_until)
        fcp_cbor_put_kv_uint(&e, "valid_until", m->valid_until);
    if (m->has_prev)
        fcp_cbor_put_kv_bytes(&e, "prev_zone_key_id", m->prev_zone_key_id, 8);
    fcp_cbor_put_kv_bytes(&e, "object_id_key_id", m->object_id_key_id, 8);
    fcp_m_text_key(&e, "wrapped_object_id_keys");
    if (rc == 0)
        rc = put_wrapped_list(&e, m->wrapped_oid_keys, m->n_wrapped);
    if (m->has_ratchet) {
        fcp_m_text_key(&e, "ratchet");
        fcp_cbor_map_open(&e);
        fcp_m_text_key(&e, "enabled");
        fcp_cbor_put_bool(&e, m->ratchet.enabled);
        fcp_cbor_put_kv_uint(&e, "overlap_secs", m->ratchet.overlap_secs);
        fcp_cbor_put_kv_uint(&e, "retain_epochs", m->ratchet.retain_epochs);
        fcp_cbor_map_close(&e);
    }
    fcp_m_text_key(&e, "wrapped_keys");
    if (rc == 0)
        rc = put_wrapped_list(&e, m->wrapped_keys, m->n_wrapped);
    if (with_sig)
        fcp_cbor_put_kv_bytes(&e, "signature", m->signature, 64);
    return fcp_ma_enc_close(&e, rc);
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

static const char *const wrapped_keys[] = { "node_id", "sealed_key", "node_enc_kid" };

static int wrapped_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_zk_wrapped *w = obj;
    fcp_sealed_box box;
    switch (i) {
    case 0: return fcp_m_get_node(d, w->node_id);
    case 1:
        TRY(fcp_sealed_box_decode_from(&box, d));
        if (box.ct_len != FCP_ZK_WRAPPED_CT_BYTES)
            return FCP_EZK_SEALED_LEN;
        memcpy(w->enc, box.enc, 32);
        memcpy(w->ct, box.ct, FCP_ZK_WRAPPED_CT_BYTES);
        return 0;
    default: return fcp_m_get_fixed(d, w->node_enc_kid, FCP_KID_BYTES);
    }
}

static int get_wrapped(fcp_cbor_dec *d, fcp_zk_wrapped *w)
{
    unsigned seen = 0;
    TRY(fcp_cbor_read_fields(d, wrapped_keys, 3, wrapped_field, w, &seen));
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

static const char *const ratchet_keys[] = { "enabled", "overlap_secs", "retain_epochs" };

static int ratchet_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_zk_ratchet *r = obj;
    uint64_t v;
    if (i == 0)
        return fcp_cbor_get_bool(d, &r->enabled);
    if (i == 1)
        return fcp_cbor_get_uint(d, &r->overlap_secs);
    TRY(fcp_m_get_uint_max(d, &v, UINT32_MAX));
    r->retain_epochs = (uint32_t)v;
    return 0;
}

static int get_ratchet(fcp_cbor_dec *d, fcp_zk_ratchet *r)
{
    unsigned seen = 0;
    TRY(fcp_cbor_read_fields(d, ratchet_keys, 3, ratchet_field, r, &seen));
    return seen == 7u ? 0 : FCP_EMISSING_FIELD;
}

static const char *const manifest_keys[] = {
    "header", "ratchet", "zone_id", "algorithm", "signature", "valid_from", "valid_until",
    "zone_key_id", "wrapped_keys", "object_id_key_id", "prev_zone_key_id",
    "wrapped_object_id_keys"
};

/* The manifest being decoded and the length of its second wrapped list,
 * which must match the first. */
typedef struct manifest_dec {
    fcp_zone_key_manifest *m;
    size_t n_oid;
} manifest_dec;

static int manifest_field(void *obj, fcp_cbor_dec *d, int i)
{
    manifest_dec *md = obj;
    fcp_zone_key_manifest *m = md->m;
    const char *t;
    size_t tl;
    switch (i) {
    case 0: return fcp_object_header_decode_from(&m->header, d);
    case 1:
        TRY(get_ratchet(d, &m->ratchet));
        m->has_ratchet = 1;
        return 0;
    case 2:
        return fcp_m_get_text(d, m->zone_id, FCP_ZONE_ID_MAX, fcp_zone_id_validate,
                              FCP_EZONE_ID_TOO_LONG);
    case 3:
        TRY(fcp_cbor_get_text(d, &t, &tl));
        m->algorithm = -1;
        for (int a = 0; a < 2; a++)
            if (fcp_cbor_key_is(t, tl, alg_names[a]))
                m->algorithm = a;
        return m->algorithm < 0 ? FCP_EZK_ALGORITHM : 0;
    case 4: return fcp_m_get_fixed(d, m->signature, 64);
    case 5: return fcp_cbor_get_uint(d, &m->valid_from);
    case 6:
        TRY(fcp_cbor_get_uint(d, &m->valid_until));
        m->has_valid_until = 1;
        return 0;
    case 7: return fcp_m_get_fixed(d, m->zone_key_id, 8);
    case 8: return get_wrapped_list(d, m->wrapped_keys, &m->n_wrapped);
    case 9: return fcp_m_get_fixed(d, m->object_id_key_id, 8);
    case 10:
        TRY(fcp_m_get_fixed(d, m->prev_zone_key_id, 8));
        m->has_prev = 1;
        return 0;
    default: return get_wrapped_list(d, m->wrapped_oid_keys, &md->n_oid);
    }
}

static int decode(void *obj, const uint8_t *p, size_t n)
{
    manifest_dec md = { obj, 0 };
    fcp_cbor_dec d;
    unsigned seen = 0;
    TRY(fcp_ma_dec_init(&d, p, n, FCP_ZK_MAX_ENCODED));
    TRY(fcp_cbor_read_fields(&d, manifest_keys, 12, manifest_field, &md, &seen));
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0xbbdu) != 0xbbdu)
        return FCP_EMISSING_FIELD;
    if (md.n_oid != md.m->n_wrapped)
        return FCP_EZK_WRAPPED_SET;
    return fcp_zk_manifest_validate(md.m);
}

int fcp_zk_manifest_decode(fcp_zone_key_manifest *m, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(m, sizeof *m, p, n, decode);
}

int fcp_zk_manifest_sign(fcp_zone_key_manifest *m, const uint8_t owner_sk[64])
{
    return fcp_ma_sign(m, enc_unsigned_fn, fcp_zk_manifest_schema, owner_sk, m->signature);
}

int fcp_zk_manifest_verify(const fcp_zone_key_manifest *m, const uint8_t owner_pk[32])
{
    return fcp_ma_verify(m, enc_unsigned_fn, fcp_zk_manifest_schema, owner_pk, m->signature);
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
