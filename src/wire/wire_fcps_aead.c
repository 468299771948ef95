/*
 * fcps_aead.c - per-symbol AEAD (subkey, nonces, AAD, in-place seal/open) and
 * the sender's frame_seq allocator.  All primitives come from crypto.h; this
 * file only builds their inputs byte for byte.
 */
#include "fcp/fcps_aead.h"

#include <string.h>

#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

int fcp_fcps_sender_subkey(uint8_t out[FCP_FCPS_SUBKEY_BYTES], const uint8_t zone_key[32],
                           const uint8_t zone_key_id[8], const uint8_t *node_id, size_t node_id_len,
                           uint64_t sender_instance_id)
{
    uint8_t info[sizeof FCP_FCPS_SENDER_KEY_INFO - 1 + 4 + FCP_FCPS_NODE_ID_MAX + 8];
    if (node_id_len == 0 || node_id_len > FCP_FCPS_NODE_ID_MAX) {
        memset(out, 0, FCP_FCPS_SUBKEY_BYTES);
        return FCP_EINVAL;
    }
    size_t n = sizeof FCP_FCPS_SENDER_KEY_INFO - 1;
    memcpy(info, FCP_FCPS_SENDER_KEY_INFO, n);
    fcp_store_u32le(info + n, (uint32_t)node_id_len);
    n += 4;
    memcpy(info + n, node_id, node_id_len);
    n += node_id_len;
    fcp_store_u64le(info + n, sender_instance_id);
    n += 8;
    int rc = fcp_hkdf_sha256(out, FCP_FCPS_SUBKEY_BYTES, zone_key_id, FCP_FCPS_ZONE_KEY_ID_BYTES,
                             zone_key, FCP_FCPS_ZONE_KEY_BYTES, info, n);
    if (rc)
        memset(out, 0, FCP_FCPS_SUBKEY_BYTES);
    return rc;
}

void fcp_fcps_nonce12(uint8_t out[12], uint64_t frame_seq, uint32_t esi)
{
    fcp_store_u64le(out, frame_seq);
    fcp_store_u32le(out + 8, esi);
}

void fcp_fcps_nonce24(uint8_t out[24], uint64_t sender_instance_id, uint64_t frame_seq, uint32_t esi)
{
    fcp_store_u64le(out, sender_instance_id);
    fcp_store_u64le(out + 8, frame_seq);
    fcp_store_u32le(out + 16, esi);
    fcp_store_u32le(out + 20, 0);
}

void fcp_fcps_symbol_aad(uint8_t out[FCP_FCPS_AAD_BYTES], const uint8_t object_id[32], uint32_t esi,
                         uint16_t k, const uint8_t zone_id_hash[32], const uint8_t zone_key_id[8],
                         uint64_t epoch_id)
{
    memcpy(out, object_id, 32);
    fcp_store_u32le(out + 32, esi);
    fcp_store_u16le(out + 36, k);
    memcpy(out + 38, zone_id_hash, 32);
    memcpy(out + 70, zone_key_id, 8);
    fcp_store_u64le(out + 78, epoch_id);
}

int fcp_fcps_symbol_seal(fcp_fcps_aead_alg alg, const uint8_t subkey[32], const fcp_fcps_header *h,
                         uint32_t esi, uint16_t k, uint8_t *data, size_t len, uint8_t tag[16])
{
    uint8_t aad[FCP_FCPS_AAD_BYTES];
    fcp_fcps_symbol_aad(aad, h->object_id, esi, k, h->zone_id_hash, h->zone_key_id, h->epoch_id);
    if (alg == FCP_FCPS_AEAD_CHACHA20POLY1305) {
        uint8_t nonce[12];
        fcp_fcps_nonce12(nonce, h->frame_seq, esi);
        return fcp_aead_chacha20poly1305_ietf_encrypt_detached(data, tag, data, len, aad, sizeof aad,
                                                               nonce, subkey);
    }
    if (alg == FCP_FCPS_AEAD_XCHACHA20POLY1305) {
        uint8_t nonce[24];
        fcp_fcps_nonce24(nonce, h->sender_instance_id, h->frame_seq, esi);
        return fcp_aead_xchacha20poly1305_encrypt_detached(data, tag, data, len, aad, sizeof aad,
                                                           nonce, subkey);
    }
    return FCP_EFCPS_AEAD_ALG;
}

int fcp_fcps_symbol_open(fcp_fcps_aead_alg alg, const uint8_t subkey[32], const fcp_fcps_header *h,
                         uint32_t esi, uint16_t k, uint8_t *data, size_t len, const uint8_t tag[16])
{
    uint8_t aad[FCP_FCPS_AAD_BYTES];
    int rc;
    fcp_fcps_symbol_aad(aad, h->object_id, esi, k, h->zone_id_hash, h->zone_key_id, h->epoch_id);
    if (alg == FCP_FCPS_AEAD_CHACHA20POLY1305) {
        uint8_t nonce[12];
        fcp_fcps_nonce12(nonce, h->frame_seq, esi);
        rc = fcp_aead_chacha20poly1305_ietf_decrypt_detached(data, data, len, tag, aad, sizeof aad,
                                                             nonce, subkey);
    } else if (alg == FCP_FCPS_AEAD_XCHACHA20POLY1305) {
        uint8_t nonce[24];
        fcp_fcps_nonce24(nonce, h->sender_instance_id, h->frame_seq, esi);
        rc = fcp_aead_xchacha20poly1305_decrypt_detached(data, data, len, tag, aad, sizeof aad, nonce,
                                                         subkey);
    } else {
        return FCP_EFCPS_AEAD_ALG;
    }
    if (rc) {
        fcp_memzero(data, len);
        return FCP_EFCPS_SYMBOL_AUTH;
    }
    return 0;
}

/* Record i's mutable data and tag inside a frame the caller owns. */
static uint8_t *record_ptr(uint8_t *frame, const fcp_fcps_frame *f, uint32_t i)
{
    return frame + FCP_FCPS_HEADER_BYTES + (size_t)i * f->record_bytes;
}

int fcp_fcps_frame_seal(uint8_t *frame, size_t len, const fcp_fcps_limits *lim,
                        fcp_fcps_aead_alg alg, const uint8_t subkey[32])
{
    fcp_fcps_frame f;
    int rc = fcp_fcps_decode(frame, len, lim, &f);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < f.h.symbol_count; i++) {
        uint8_t *p = record_ptr(frame, &f, i);
        rc = fcp_fcps_symbol_seal(alg, subkey, &f.h, fcp_load_u32le(p), fcp_load_u16le(p + 4), p + 6,
                                  f.h.symbol_size, p + 6 + f.h.symbol_size);
        if (rc)
            return rc;
    }
    return 0;
}

int fcp_fcps_frame_open(uint8_t *frame, size_t len, const fcp_fcps_limits *lim,
                        fcp_fcps_aead_alg alg, const uint8_t subkey[32], fcp_fcps_frame *f)
{
    int rc = fcp_fcps_decode(frame, len, lim, f);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < f->h.symbol_count; i++) {
        uint8_t *p = record_ptr(frame, f, i);
        rc = fcp_fcps_symbol_open(alg, subkey, &f->h, fcp_load_u32le(p), fcp_load_u16le(p + 4), p + 6,
                                  f->h.symbol_size, p + 6 + f->h.symbol_size);
        if (rc) {
            for (uint32_t j = 0; j < i; j++)
                fcp_memzero(record_ptr(frame, f, j) + 6, f->h.symbol_size);
            return rc;
        }
    }
    return 0;
}

void fcp_fcps_seq_init(fcp_fcps_seq_table *t, fcp_fcps_seq_slot *slots, size_t n)
{
    memset(slots, 0, n * sizeof *slots);
    t->slots = slots;
    t->n = n;
}

static fcp_fcps_seq_slot *seq_slot(fcp_fcps_seq_table *t, const uint8_t zone_id_hash[32],
                                   const uint8_t zone_key_id[8])
{
    fcp_fcps_seq_slot *free_slot = NULL;
    for (size_t i = 0; i < t->n; i++) {
        fcp_fcps_seq_slot *s = &t->slots[i];
        if (s->used && memcmp(s->zone_id_hash, zone_id_hash, 32) == 0 &&
            memcmp(s->zone_key_id, zone_key_id, 8) == 0)
            return s;
        if (!s->used && free_slot == NULL)
            free_slot = s;
    }
    if (free_slot) {
        free_slot->used = 1;
        memcpy(free_slot->zone_id_hash, zone_id_hash, 32);
        memcpy(free_slot->zone_key_id, zone_key_id, 8);
        free_slot->next = 1;
        free_slot->exhausted = 0;
    }
    return free_slot;
}

int fcp_fcps_seq_next(fcp_fcps_seq_table *t, const uint8_t zone_id_hash[32],
                      const uint8_t zone_key_id[8], uint64_t *seq)
{
    *seq = 0;
    fcp_fcps_seq_slot *s = seq_slot(t, zone_id_hash, zone_key_id);
    if (s == NULL)
        return FCP_EFCPS_SEQ_TABLE_FULL;
    if (s->exhausted)
        return FCP_EFCPS_SEQ_EXHAUSTED;
    *seq = s->next;
    if (s->next == UINT64_MAX)
        s->exhausted = 1;
    else
        s->next++;
    return 0;
}

int fcp_fcps_seq_claim(fcp_fcps_seq_table *t, const uint8_t zone_id_hash[32],
                       const uint8_t zone_key_id[8], uint64_t seq)
{
    fcp_fcps_seq_slot *s = seq_slot(t, zone_id_hash, zone_key_id);
    if (s == NULL)
        return FCP_EFCPS_SEQ_TABLE_FULL;
    if (s->exhausted || seq < s->next)
        return FCP_EFCPS_SEQ_REUSE;
    if (seq == UINT64_MAX)
        s->exhausted = 1;
    else
        s->next = seq + 1;
    return 0;
}
