/*
 * store_seal.c - the mesh symbols' sealing at rest (schema 3, D-STORE-6):
 * the storage subkey, AAD and XChaCha20-Poly1305 seal/open of one symbol,
 * the per-handle cache of subkeys by (zone, key id, zone key), random
 * nonces handed out from a buffer filled by the store's RNG, and counters.
 *
 * The byte rules (store.h):
 *   subkey = HKDF-SHA256(salt = key_id[8], ikm = zone_key[32],
 *                        info = "FCP2-STORE-SYMBOL-KEY-V1" || u8 len(zone) || zone, L = 32)
 *   aad    = "FCP2-STORE-SYMBOL-V1" || u8 len(zone) || zone || object_id[32]
 *            || esi u32le || key_id[8]
 * The subkey is distinct from every FCPS sender subkey (another HKDF info
 * prefix), so a stored row is never a valid wire record and vice versa.
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

#define SEAL_KEY_INFO "FCP2-STORE-SYMBOL-KEY-V1"
#define SEAL_AAD_TAG  "FCP2-STORE-SYMBOL-V1"

static size_t zone_len(const char *zone)
{
    if (!zone)
        return 0;
    size_t n = strnlen(zone, FCP_ZONE_ID_MAX + 1);
    return n > FCP_ZONE_ID_MAX ? 0 : n;
}

int fcp_store_seal_subkey(uint8_t out[32], const uint8_t zone_key[32], const uint8_t key_id[8],
                          const char *zone)
{
    uint8_t info[sizeof SEAL_KEY_INFO - 1 + 1 + FCP_ZONE_ID_MAX];
    size_t zl = zone_len(zone);
    if (!zl || !out || !zone_key || !key_id) {
        if (out)
            memset(out, 0, 32);
        return FCP_EINVAL;
    }
    size_t n = sizeof SEAL_KEY_INFO - 1;
    memcpy(info, SEAL_KEY_INFO, n);
    info[n++] = (uint8_t)zl;
    memcpy(info + n, zone, zl);
    n += zl;
    int rc = fcp_hkdf_sha256(out, 32, key_id, 8, zone_key, 32, info, n);
    if (rc)
        memset(out, 0, 32);
    return rc;
}

int fcp_store_seal_aad(uint8_t aad[FCP_STORE_SEAL_AAD_MAX], const char *zone,
                       const uint8_t object_id[FCP_OBJECT_ID_BYTES], uint32_t esi, const uint8_t key_id[8])
{
    size_t zl = zone_len(zone);
    if (!zl || !aad || !object_id || !key_id)
        return FCP_EINVAL;
    size_t n = sizeof SEAL_AAD_TAG - 1;
    memcpy(aad, SEAL_AAD_TAG, n);
    aad[n++] = (uint8_t)zl;
    memcpy(aad + n, zone, zl);
    n += zl;
    memcpy(aad + n, object_id, FCP_OBJECT_ID_BYTES);
    n += FCP_OBJECT_ID_BYTES;
    fcp_store_u32le(aad + n, esi);
    n += 4;
    memcpy(aad + n, key_id, 8);
    n += 8;
    return (int)n;
}

int fcp_store_symbol_seal(const uint8_t subkey[32], const char *zone, const uint8_t object_id[FCP_OBJECT_ID_BYTES],
                          uint32_t esi, const uint8_t key_id[8], const uint8_t nonce[FCP_STORE_SEAL_NONCE_BYTES],
                          const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[FCP_STORE_SEAL_TAG_BYTES])
{
    uint8_t aad[FCP_STORE_SEAL_AAD_MAX];
    int al = fcp_store_seal_aad(aad, zone, object_id, esi, key_id);
    if (al < 0)
        return al;
    if (!subkey || !nonce || !tag || (len && (!in || !out)))
        return FCP_EINVAL;
    return fcp_aead_xchacha20poly1305_encrypt_detached(out, tag, in, len, aad, (size_t)al, nonce, subkey);
}

int fcp_store_symbol_open(const uint8_t subkey[32], const char *zone, const uint8_t object_id[FCP_OBJECT_ID_BYTES],
                          uint32_t esi, const uint8_t key_id[8], const uint8_t nonce[FCP_STORE_SEAL_NONCE_BYTES],
                          const uint8_t *in, size_t len, const uint8_t tag[FCP_STORE_SEAL_TAG_BYTES], uint8_t *out)
{
    uint8_t aad[FCP_STORE_SEAL_AAD_MAX];
    int al = fcp_store_seal_aad(aad, zone, object_id, esi, key_id);
    if (al < 0)
        return al;
    if (!subkey || !nonce || !tag || (len && (!in || !out)))
        return FCP_EINVAL;
    if (fcp_aead_xchacha20poly1305_decrypt_detached(out, in, len, tag, aad, (size_t)al, nonce, subkey) != 0) {
        if (len)
            memset(out, 0, len);
        return FCP_ESTORE_SEAL_AUTH;
    }
    return 0;
}

/* The cached subkey of (zone, kid, key), derived on a miss. */
static int cached(fcp_store *s, const char *zone, const uint8_t kid[8], const uint8_t key[32],
                  const uint8_t **subkey)
{
    for (unsigned i = 0; i < FCP_STORE_SEAL_CACHE; i++) {
        fcp_store_seal_entry *e = &s->seal[i];
        if (e->used && memcmp(e->kid, kid, 8) == 0 && strcmp(e->zone, zone) == 0 &&
            fcp_ct_equal(e->key, key, 32)) {
            *subkey = e->subkey;
            return 0;
        }
    }
    fcp_store_seal_entry *e = &s->seal[s->seal_next];
    s->seal_next = (s->seal_next + 1) % FCP_STORE_SEAL_CACHE;
    fcp_memzero(e, sizeof *e);
    int rc = fcp_store_seal_subkey(e->subkey, key, kid, zone);
    if (rc)
        return rc;
    memcpy(e->zone, zone, zone_len(zone) + 1);
    memcpy(e->kid, kid, 8);
    memcpy(e->key, key, 32);
    e->used = 1;
    *subkey = e->subkey;
    return 0;
}

int fcp_store__seal_active(fcp_store *s, const char *zone, uint8_t kid[8], const uint8_t **subkey)
{
    if (!zone_len(zone))
        return FCP_EINVAL;
    if (!s->opt.keyring.active_key) {
        snprintf(s->errmsg, sizeof s->errmsg, "no keyring: cannot seal symbols of zone %s", zone);
        return FCP_ESTORE_NO_KEY;
    }
    uint8_t key[32];
    int rc = s->opt.keyring.active_key(s->opt.keyring.ctx, zone, kid, key);
    if (rc < 0) {
        fcp_memzero(key, sizeof key);
        snprintf(s->errmsg, sizeof s->errmsg, "no active key for zone %s", zone);
        return FCP_ESTORE_NO_KEY;
    }
    rc = cached(s, zone, kid, key, subkey);
    fcp_memzero(key, sizeof key);
    return rc;
}

int fcp_store__seal_subkey(fcp_store *s, const char *zone, const uint8_t kid[8], const uint8_t **subkey)
{
    if (!zone_len(zone))
        return FCP_EINVAL;
    if (!s->opt.keyring.key)
        return FCP_ESTORE_NO_KEY;
    uint8_t key[32];
    int rc = s->opt.keyring.key(s->opt.keyring.ctx, zone, kid, key);
    if (rc < 0) {
        fcp_memzero(key, sizeof key);
        return FCP_ESTORE_NO_KEY;
    }
    rc = cached(s, zone, kid, key, subkey);
    fcp_memzero(key, sizeof key);
    return rc;
}

int fcp_store__seal_nonce(fcp_store *s, uint8_t nonce[FCP_STORE_SEAL_NONCE_BYTES])
{
    if (s->nonce_pos + FCP_STORE_SEAL_NONCE_BYTES > sizeof s->nonces) {
        const fcp_rng *r = s->opt.rng ? s->opt.rng : fcp_rng_system();
        int rc = fcp_rng_fill(r, s->nonces, sizeof s->nonces);
        if (rc < 0)
            return rc;
        s->nonce_pos = 0;
    }
    memcpy(nonce, s->nonces + s->nonce_pos, FCP_STORE_SEAL_NONCE_BYTES);
    /* a nonce handed out is never in the buffer again */
    memset(s->nonces + s->nonce_pos, 0, FCP_STORE_SEAL_NONCE_BYTES);
    s->nonce_pos += FCP_STORE_SEAL_NONCE_BYTES;
    return 0;
}

void fcp_store__seal_wipe(fcp_store *s)
{
    fcp_memzero(s->seal, sizeof s->seal);
    fcp_memzero(s->nonces, sizeof s->nonces);
    s->nonce_pos = sizeof s->nonces;
}

void fcp_store_seal_stats_get(const fcp_store *s, fcp_store_seal_stats *st)
{
    if (!st)
        return;
    if (!s)
        memset(st, 0, sizeof *st);
    else
        *st = s->seal_stats;
}
