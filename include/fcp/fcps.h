/*
 * fcps.h - FCPS data-plane frames: the 114-byte header and symbol records
 * (spec §4.3, §4.4; byte layout from the reference implementation's attested
 * vectors, which supersede the spec's older 90-byte drawing), plus the MTU
 * sizing rule of §4.3.1.
 *
 *   header (114 bytes, little-endian)
 *     0  "FCPS"            4   version u16 (=1)   6  flags u16
 *     8  symbol_count u32  12  total_payload_len u32
 *    16  object_id[32]     48  symbol_size u16    50  zone_key_id[8]
 *    58  zone_id_hash[32]  90  epoch_id u64       98  sender_instance_id u64
 *   106  frame_seq u64
 *   then symbol_count records: esi u32 | k u16 | data[symbol_size] | auth_tag[16]
 *
 * Decoding is zero-copy: fcp_fcps_decode fills a struct of pointers into the
 * caller's buffer after checking every length against the caller's limits, in
 * the reference decoder's order (see fcp_fcps_decode).  Encoding writes into a
 * caller buffer.  Nothing here allocates.  Symbol encryption lives in
 * fcps_aead.h; the datagram envelope in datagram.h.
 */
#ifndef FCP_FCPS_H
#define FCP_FCPS_H

#include <stddef.h>
#include <stdint.h>

#define FCP_FCPS_MAGIC              "FCPS"
#define FCP_FCPS_VERSION            1u
#define FCP_FCPS_HEADER_BYTES       114u
#define FCP_FCPS_TAG_BYTES          16u
#define FCP_FCPS_RECORD_OVERHEAD    22u  /* esi 4 + k 2 + auth_tag 16 */
#define FCP_FCPS_OBJECT_ID_BYTES    32u
#define FCP_FCPS_ZONE_KEY_ID_BYTES  8u
#define FCP_FCPS_ZONE_ID_HASH_BYTES 32u

/* Frame flags (spec §4.4). */
#define FCP_FCPS_FLAG_REQUIRES_ACK  0x0001u
#define FCP_FCPS_FLAG_COMPRESSED    0x0002u
#define FCP_FCPS_FLAG_ENCRYPTED     0x0004u
#define FCP_FCPS_FLAG_RESPONSE      0x0008u
#define FCP_FCPS_FLAG_ERROR         0x0010u
#define FCP_FCPS_FLAG_STREAMING     0x0020u
#define FCP_FCPS_FLAG_STREAM_END    0x0040u
#define FCP_FCPS_FLAG_HAS_CAP_TOKEN 0x0080u
#define FCP_FCPS_FLAG_ZONE_CROSSING 0x0100u
#define FCP_FCPS_FLAG_PRIORITY      0x0200u
#define FCP_FCPS_FLAG_RAPTORQ       0x0400u
#define FCP_FCPS_FLAG_CONTROL_PLANE 0x0800u
#define FCP_FCPS_FLAGS_KNOWN        0x0FFFu
#define FCP_FCPS_FLAGS_DEFAULT      0x0404u /* ENCRYPTED | RAPTORQ */

/* Production limits (spec §4.3.1; D-WIRE-1, D-WIRE-2). */
#define FCP_FCPS_MIN_SYMBOL_SIZE      256u
#define FCP_FCPS_MAX_SYMBOL_SIZE      16384u
#define FCP_FCPS_DEFAULT_SYMBOL_SIZE  1024u
#define FCP_FCPS_MAX_SYMBOL_COUNT     256u

/* MTU (spec §4.3.1): default UDP payload and the datagram envelope in front
 * of every frame (datagram.h). */
#define FCP_WIRE_DEFAULT_MAX_DATAGRAM 1200u
#define FCP_WIRE_DATAGRAM_HEADER_BYTES 40u
#define FCP_WIRE_MAX_DATAGRAM         65535u /* TransportLimits is a u16 */

/* Byte length of one record / of a whole frame for the given shape. */
#define FCP_FCPS_RECORD_BYTES(symbol_size) (FCP_FCPS_RECORD_OVERHEAD + (size_t)(symbol_size))
#define FCP_FCPS_FRAME_BYTES(count, symbol_size) \
    (FCP_FCPS_HEADER_BYTES + (size_t)(count) * FCP_FCPS_RECORD_BYTES(symbol_size))

/*
 * What a decoder accepts.  Every field is a hard limit checked before any
 * length read from the wire is used.
 */
typedef struct fcp_fcps_limits {
    size_t   max_frame_bytes;  /* whole frame, header included */
    uint32_t min_symbol_size;  /* >= 1 */
    uint32_t max_symbol_size;  /* <= 65535 */
    uint32_t max_symbol_count; /* >= 1; minimum count is always 1 */
} fcp_fcps_limits;

/* Production defaults: frames up to 1160 bytes (1200-byte datagram minus the
 * 40-byte envelope), symbol_size 256..16384, 1..256 symbols. */
void fcp_fcps_limits_default(fcp_fcps_limits *l);

/* Limits for a frame that travels in a datagram of at most max_datagram
 * bytes: max_frame_bytes = max_datagram - 40 (0 if smaller), the rest as the
 * defaults. */
void fcp_fcps_limits_for_datagram(fcp_fcps_limits *l, size_t max_datagram);

/* The reference implementation's own acceptance rule, for reproducing its
 * vectors: any symbol_size 1..65535, up to max_symbol_count = 2^32-1, frames up
 * to max_frame_bytes.  Not for production (D-WIRE-1). */
void fcp_fcps_limits_upstream(fcp_fcps_limits *l, size_t max_frame_bytes);

/*
 * Header fields.  The three id arrays are pointers: into the caller's buffer
 * after decode, or to caller memory (of the stated sizes) for encode.
 */
typedef struct fcp_fcps_header {
    uint16_t       version;
    uint16_t       flags;
    uint32_t       symbol_count;
    uint32_t       total_payload_len;
    const uint8_t *object_id;    /* [32] */
    uint16_t       symbol_size;
    const uint8_t *zone_key_id;  /* [8] */
    const uint8_t *zone_id_hash; /* [32] */
    uint64_t       epoch_id;
    uint64_t       sender_instance_id;
    uint64_t       frame_seq;
} fcp_fcps_header;

/* One symbol record, pointing into a frame buffer. */
typedef struct fcp_fcps_record {
    uint32_t       esi;
    uint16_t       k;
    const uint8_t *data; /* [symbol_size] */
    const uint8_t *tag;  /* [16] */
} fcp_fcps_record;

/* A decoded frame: the header and where its records start. */
typedef struct fcp_fcps_frame {
    fcp_fcps_header h;
    const uint8_t  *records;      /* symbol_count records of record_bytes each */
    size_t          record_bytes; /* 22 + symbol_size */
    size_t          frame_bytes;  /* 114 + total_payload_len */
} fcp_fcps_frame;

/* Check flag bits (spec §4.4, fail closed): 0, FCP_EFCPS_FLAGS_UNKNOWN (a bit
 * outside 0x0fff), FCP_EFCPS_FLAGS_ERROR_RESPONSE, FCP_EFCPS_FLAGS_STREAM_END
 * (STREAM_END without STREAMING), checked in that order. */
int fcp_fcps_flags_check(uint16_t flags);

/*
 * Decode the 114-byte header at buf (len >= 114 is NOT assumed): checks
 * TooShort, magic, version, flags, only.  Used by fcp_fcps_decode and by
 * callers that want the header of a frame before the records arrive.
 */
int fcp_fcps_header_decode(const uint8_t *buf, size_t len, fcp_fcps_header *h);

/*
 * Decode and validate a whole frame in buf[0..len) (spec §4.3; D-WIRE-3).
 * Checks, in this order, each with its own code:
 *   len > lim->max_frame_bytes                          FCP_EFCPS_EXCEEDS_MTU
 *   len < 114                                           FCP_EFCPS_TOO_SHORT
 *   magic != "FCPS"                                     FCP_EFCPS_MAGIC
 *   version != 1                                        FCP_EFCPS_VERSION
 *   flags (see fcp_fcps_flags_check)                    FCP_EFCPS_FLAGS_*
 *   symbol_size outside [min, max]                      FCP_EFCPS_SYMBOL_SIZE
 *   total_payload_len != count * (22 + symbol_size)     FCP_EFCPS_LENGTH_MISMATCH
 *   count == 0 or count > lim->max_symbol_count         FCP_EFCPS_SYMBOL_COUNT
 *   len != 114 + total_payload_len                      FCP_EFCPS_FRAME_SIZE_MISMATCH
 * (The product is computed in 64 bits, so it cannot overflow.)  On success
 * *f points into buf, which must outlive it.  On failure *f is zeroed.
 */
int fcp_fcps_decode(const uint8_t *buf, size_t len, const fcp_fcps_limits *lim, fcp_fcps_frame *f);

/* Record i (< symbol_count) of a decoded frame. */
void fcp_fcps_record_at(const fcp_fcps_frame *f, uint32_t i, fcp_fcps_record *r);

/* Decode one record from buf[0..len) for the given symbol_size: 0 or
 * FCP_EFCPS_RECORD_TRUNCATED (len < 22 + symbol_size). */
int fcp_fcps_record_decode(const uint8_t *buf, size_t len, uint16_t symbol_size, fcp_fcps_record *r);

/*
 * Encode the header h into out[0..114).  h->total_payload_len is ignored and
 * written as symbol_count*(22+symbol_size) (which must fit in u32, else
 * FCP_EFCPS_LENGTH_MISMATCH); version is always 1.  Flags must pass
 * fcp_fcps_flags_check.  Returns 0 or an error; nothing is validated against
 * decode limits here (a sender calls fcp_fcps_encode for that).
 */
int fcp_fcps_header_encode(uint8_t out[FCP_FCPS_HEADER_BYTES], const fcp_fcps_header *h);

/* Write one record (22 + symbol_size bytes) at out.  tag may be NULL (16 zero
 * bytes are written, for a record to be sealed in place afterwards). */
void fcp_fcps_record_encode(uint8_t *out, uint16_t symbol_size, uint32_t esi, uint16_t k,
                            const uint8_t *data, const uint8_t *tag);

/*
 * Encode a whole frame: header h (symbol_count = n) then the n records, into
 * out[0..cap).  *out_len receives 114 + n*(22+symbol_size).  The frame must
 * satisfy lim (symbol size, count, max_frame_bytes), so that what we send we
 * would also accept.  Errors: the decode codes for a shape lim rejects,
 * FCP_EBUFFER_TOO_SMALL if cap is short.  out must not overlap record data
 * except that records[i].data may already sit at its final place in out (the
 * copy is skipped), which lets a caller build records in place.
 */
int fcp_fcps_encode(uint8_t *out, size_t cap, size_t *out_len, const fcp_fcps_header *h,
                    const fcp_fcps_record *records, uint32_t n, const fcp_fcps_limits *lim);

/*
 * MTU sizing (spec §4.3.1; D-WIRE-4).  The largest symbol size such that
 * 40 (datagram) + 114 (header) + n * (22 + symbol_size) <= max_datagram_bytes,
 * rounded down to a multiple of 8 and capped at 16384.  Framing never splits a
 * symbol across datagrams, so a smaller carrier gives a smaller symbol:
 * (1200, 1) -> 1024; (1150, 1) -> 968.
 * Errors: FCP_EFCPS_SYMBOLS_PER_FRAME (n == 0 or n > 256), FCP_EINVAL
 * (max_datagram_bytes > 65535), FCP_EFCPS_MTU_TOO_SMALL (result < 256).
 */
int fcp_fcps_symbol_size_for(uint32_t max_datagram_bytes, uint32_t symbols_per_frame,
                             uint16_t *symbol_size);

/* The datagram limit a sender must respect toward a peer: the peer's
 * advertised TransportLimits.max_datagram_bytes (0 = absent = 1200, per the
 * reference implementation) capped by our own configured limit (0 = 1200). */
uint32_t fcp_wire_effective_max_datagram(uint32_t local_max, uint32_t peer_advertised);

#endif
