/*
 * fcps_aead.h - per-symbol AEAD of FCPS frames (spec §4.1, §4.3; byte rules
 * from the reference implementation's attested vectors).
 *
 *   subkey  = HKDF-SHA256(salt = zone_key_id[8], ikm = zone_key[32],
 *                         info = "FCP2-SENDER-KEY-V1" || u32le(len node_id)
 *                                || node_id || u64le(sender_instance_id), L = 32)
 *   nonce12 = frame_seq u64le || esi u32le                       (ChaCha20-Poly1305)
 *   nonce24 = sender_instance_id u64le || frame_seq u64le || esi u32le
 *             || 00 00 00 00                                     (XChaCha20-Poly1305)
 *   aad(86) = object_id[32] || esi u32le || k u16le || zone_id_hash[32]
 *             || zone_key_id[8] || epoch_id u64le
 *
 * Each record's data is sealed/opened in place and its 16-byte auth_tag
 * written/checked.  Nonce uniqueness rests on the sender never reusing a
 * frame_seq under one subkey: fcp_fcps_seq_* hands them out per
 * (zone_id_hash, zone_key_id) and refuses reuse.
 */
#ifndef FCP_FCPS_AEAD_H
#define FCP_FCPS_AEAD_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/fcps.h"

#define FCP_FCPS_SUBKEY_BYTES   32u
#define FCP_FCPS_ZONE_KEY_BYTES 32u
#define FCP_FCPS_AAD_BYTES      86u
#define FCP_FCPS_SENDER_KEY_INFO "FCP2-SENDER-KEY-V1"
#define FCP_FCPS_NODE_ID_MAX    255u /* longest node id accepted for the subkey info */

typedef enum fcp_fcps_aead_alg {
    FCP_FCPS_AEAD_CHACHA20POLY1305  = 1,
    FCP_FCPS_AEAD_XCHACHA20POLY1305 = 2
} fcp_fcps_aead_alg;

/* Per-sender subkey.  node_id is the sender's node id bytes (UTF-8, 1..255
 * bytes, else FCP_EINVAL).  0 or an error (out zeroed). */
int fcp_fcps_sender_subkey(uint8_t out[FCP_FCPS_SUBKEY_BYTES], const uint8_t zone_key[32],
                           const uint8_t zone_key_id[8], const uint8_t *node_id, size_t node_id_len,
                           uint64_t sender_instance_id);

void fcp_fcps_nonce12(uint8_t out[12], uint64_t frame_seq, uint32_t esi);
void fcp_fcps_nonce24(uint8_t out[24], uint64_t sender_instance_id, uint64_t frame_seq, uint32_t esi);
void fcp_fcps_symbol_aad(uint8_t out[FCP_FCPS_AAD_BYTES], const uint8_t object_id[32], uint32_t esi,
                         uint16_t k, const uint8_t zone_id_hash[32], const uint8_t zone_key_id[8],
                         uint64_t epoch_id);

/*
 * Seal data[0..len) in place under subkey for symbol (esi, k) of a frame with
 * header h (object_id, zone ids, epoch, sender_instance_id, frame_seq are
 * used); writes the tag.  0, FCP_EFCPS_AEAD_ALG or a crypto error.
 */
int fcp_fcps_symbol_seal(fcp_fcps_aead_alg alg, const uint8_t subkey[32], const fcp_fcps_header *h,
                         uint32_t esi, uint16_t k, uint8_t *data, size_t len, uint8_t tag[16]);

/* Open in place; 0, FCP_EFCPS_AEAD_ALG or FCP_EFCPS_SYMBOL_AUTH (data zeroed). */
int fcp_fcps_symbol_open(fcp_fcps_aead_alg alg, const uint8_t subkey[32], const fcp_fcps_header *h,
                         uint32_t esi, uint16_t k, uint8_t *data, size_t len, const uint8_t tag[16]);

/*
 * Seal every record of an encoded frame frame[0..len) in place (the frame
 * holds plaintext symbols; each tag is overwritten).  The frame is decoded with
 * lim first.  0, a decode error, or a seal error.
 */
int fcp_fcps_frame_seal(uint8_t *frame, size_t len, const fcp_fcps_limits *lim,
                        fcp_fcps_aead_alg alg, const uint8_t subkey[32]);

/*
 * Decode frame[0..len) with lim and open every record in place; *f describes
 * the frame (its record data now plaintext).  Fails on the first record that
 * does not authenticate (FCP_EFCPS_SYMBOL_AUTH); the records already opened
 * and the failing one are zeroed, so no unauthenticated plaintext is released.
 */
int fcp_fcps_frame_open(uint8_t *frame, size_t len, const fcp_fcps_limits *lim,
                        fcp_fcps_aead_alg alg, const uint8_t subkey[32], fcp_fcps_frame *f);

/* ---- sender frame_seq allocation ------------------------------------------- */

/* One (zone, key id) counter.  next is the next frame_seq to hand out. */
typedef struct fcp_fcps_seq_slot {
    uint8_t  zone_id_hash[32];
    uint8_t  zone_key_id[8];
    uint64_t next;
    int      used;
    int      exhausted;
} fcp_fcps_seq_slot;

/* A table of counters in caller memory (no allocation). */
typedef struct fcp_fcps_seq_table {
    fcp_fcps_seq_slot *slots;
    size_t             n;
} fcp_fcps_seq_table;

void fcp_fcps_seq_init(fcp_fcps_seq_table *t, fcp_fcps_seq_slot *slots, size_t n);

/* Hand out the next frame_seq for (zone_id_hash, zone_key_id): 1, 2, 3, ...
 * (D-WIRE-7).  FCP_EFCPS_SEQ_TABLE_FULL for a new pair with no free slot,
 * FCP_EFCPS_SEQ_EXHAUSTED after 2^64-1. */
int fcp_fcps_seq_next(fcp_fcps_seq_table *t, const uint8_t zone_id_hash[32],
                      const uint8_t zone_key_id[8], uint64_t *seq);

/* Claim a caller-chosen frame_seq: accepted only if it was never handed out
 * for this pair (seq >= next); everything at or below it is then burnt.
 * FCP_EFCPS_SEQ_REUSE otherwise. */
int fcp_fcps_seq_claim(fcp_fcps_seq_table *t, const uint8_t zone_id_hash[32],
                       const uint8_t zone_key_id[8], uint64_t seq);

#endif
