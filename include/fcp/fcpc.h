/*
 * fcpc.h - FCPC control-plane framing over a stream transport (spec §9.4;
 * byte rules from the reference implementation's attested vectors).
 *
 *   header (36) = "FCPC" | version u16le (=1) | session_id[16] | seq u64le
 *                 | flags u16le | len u32le
 *   frame       = header || ciphertext[len] || tag[16]
 *   AEAD        = ChaCha20-Poly1305 (IETF), key k_ctx,
 *                 nonce = dir || 00 00 00 || seq u64le (dir 0 = i2r, 1 = r2i),
 *                 aad   = session_id || seq u64le || flags u16le (26 bytes)
 *   flags       : ENCRYPTED 0x0001 (always set by seal), COMPRESSED 0x0002;
 *                 any other bit is invalid.
 *
 * Three layers: a pure frame codec (decode/seal/open), per-direction sender and
 * receiver state (sequence allocation; replay window updated only after the
 * AEAD has verified), and an incremental stream decoder that takes arbitrary
 * chunks, says how many bytes it needs next, validates each header before
 * buffering its payload, and never holds more than one maximum-size frame.
 * Nothing allocates; buffers are the caller's.
 */
#ifndef FCP_FCPC_H
#define FCP_FCPC_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/datagram.h" /* fcp_wire_dir, FCP_SESSION_ID_BYTES */
#include "fcp/replay.h"

#define FCP_FCPC_MAGIC             "FCPC"
#define FCP_FCPC_VERSION           1u
#define FCP_FCPC_HEADER_BYTES      36u
#define FCP_FCPC_TAG_BYTES         16u
#define FCP_FCPC_MIN_FRAME_BYTES   52u /* header + tag, empty payload */
#define FCP_FCPC_KEY_BYTES         32u
#define FCP_FCPC_FLAG_ENCRYPTED    0x0001u
#define FCP_FCPC_FLAG_COMPRESSED   0x0002u
#define FCP_FCPC_FLAGS_KNOWN       0x0003u
#define FCP_FCPC_DEFAULT_MAX_PAYLOAD (4u * 1024u * 1024u) /* upstream default */

/* Whole frame size for a payload length. */
#define FCP_FCPC_FRAME_BYTES(len) (FCP_FCPC_HEADER_BYTES + (size_t)(len) + FCP_FCPC_TAG_BYTES)

/* A parsed frame: pointers into the caller's buffer. */
typedef struct fcp_fcpc_frame {
    const uint8_t *session_id; /* [16] */
    uint64_t       seq;
    uint16_t       flags;
    uint32_t       len;        /* ciphertext length */
    const uint8_t *ciphertext; /* [len] */
    const uint8_t *tag;        /* [16] */
} fcp_fcpc_frame;

/* Write the 36-byte header.  FCP_EFCPC_FLAGS for a bit outside 0x0003. */
int fcp_fcpc_header_encode(uint8_t out[FCP_FCPC_HEADER_BYTES], const uint8_t session_id[16],
                           uint64_t seq, uint16_t flags, uint32_t len);

/* Parse and check a header alone (buf holds at least 36 bytes, else
 * FCP_EFCPC_TOO_SHORT): magic, version, flags, len > max_payload, in that
 * order.  f->ciphertext and f->tag are left NULL. */
int fcp_fcpc_header_decode(const uint8_t *buf, size_t len, uint32_t max_payload, fcp_fcpc_frame *f);

/*
 * Parse a whole frame buf[0..len).  Errors, in this order (upstream order):
 *   len < 52                     FCP_EFCPC_TOO_SHORT
 *   magic != "FCPC"              FCP_EFCPC_MAGIC
 *   version != 1                 FCP_EFCPC_VERSION
 *   flag bits outside 0x0003     FCP_EFCPC_FLAGS
 *   len field > max_payload      FCP_EFCPC_PAYLOAD_TOO_LARGE
 *   len != 36 + len field + 16   FCP_EFCPC_LENGTH_MISMATCH
 * On failure *f is zeroed.
 */
int fcp_fcpc_decode(const uint8_t *buf, size_t len, uint32_t max_payload, fcp_fcpc_frame *f);

/*
 * Seal pt[0..pt_len) into out[0..cap) as one frame; flags gets ENCRYPTED ORed
 * in.  *out_len = 36 + pt_len + 16.  pt may equal out + 36 (in place).
 * Errors: FCP_EFCPC_FLAGS, FCP_EFCPC_PAYLOAD_TOO_LARGE (pt_len > max_payload),
 * FCP_EBUFFER_TOO_SMALL.
 */
int fcp_fcpc_seal(uint8_t *out, size_t cap, size_t *out_len, const uint8_t k_ctx[32],
                  const uint8_t session_id[16], fcp_wire_dir dir, uint64_t seq, uint16_t flags,
                  const uint8_t *pt, size_t pt_len, uint32_t max_payload);

/* Open a parsed frame: pt receives f->len bytes (pt may equal f->ciphertext
 * for in-place).  0 or FCP_EFCPC_CRYPTO (pt zeroed). */
int fcp_fcpc_open(const fcp_fcpc_frame *f, const uint8_t k_ctx[32], fcp_wire_dir dir, uint8_t *pt);

/* ---- per-direction state ---------------------------------------------------- */

typedef struct fcp_fcpc_tx {
    uint8_t      session_id[16];
    uint8_t      key[32];
    fcp_wire_dir dir;
    uint64_t     next_seq; /* starts at 1; strictly increasing; never reused */
    uint32_t     max_payload;
} fcp_fcpc_tx;

void fcp_fcpc_tx_init(fcp_fcpc_tx *tx, const uint8_t session_id[16], const uint8_t k_ctx[32],
                      fcp_wire_dir dir, uint32_t max_payload);
void fcp_fcpc_tx_wipe(fcp_fcpc_tx *tx);
/* Seal the next message; errors as fcp_fcpc_seal, FCP_EFCPC_SEQ_EXHAUSTED.
 * A failed call consumes no sequence number. */
int fcp_fcpc_tx_seal(fcp_fcpc_tx *tx, uint8_t *out, size_t cap, size_t *out_len, uint16_t flags,
                     const uint8_t *pt, size_t pt_len);

typedef struct fcp_fcpc_rx {
    uint8_t           session_id[16];
    uint8_t           key[32];
    fcp_wire_dir      dir; /* the PEER's sending direction */
    uint32_t          max_payload;
    fcp_replay_window win;
} fcp_fcpc_rx;

/* window: replay width (1 = strictly increasing, the stream default; 128 =
 * upstream's SessionReplayPolicy, for reordering carriers). */
void fcp_fcpc_rx_init(fcp_fcpc_rx *rx, const uint8_t session_id[16], const uint8_t k_ctx[32],
                      fcp_wire_dir peer_dir, uint32_t max_payload, uint64_t window);
void fcp_fcpc_rx_wipe(fcp_fcpc_rx *rx);
/*
 * Check and open one frame buf[0..len): decode (codes above), session id
 * (FCP_EFCPC_SESSION), cheap replay pre-check (FCP_EREPLAY_*), AEAD
 * (FCP_EFCPC_CRYPTO), then the window is updated.  pt receives the plaintext
 * (cap >= frame len field, else FCP_EBUFFER_TOO_SMALL); *pt_len its length;
 * *flags_out (if not NULL) the flags.
 */
int fcp_fcpc_rx_open(fcp_fcpc_rx *rx, const uint8_t *buf, size_t len, uint8_t *pt, size_t cap,
                     size_t *pt_len, uint16_t *flags_out);

/* ---- incremental stream decoder ------------------------------------------------ */

typedef struct fcp_fcpc_stream {
    uint8_t *buf;         /* caller memory, >= FCP_FCPC_FRAME_BYTES(max_payload) */
    size_t   cap;
    size_t   have;        /* bytes of the current frame buffered */
    size_t   frame_bytes; /* total size of the current frame once its header is in, else 0 */
    uint32_t max_payload;
    int      ready;       /* a complete frame waits in buf */
    int      err;         /* sticky: framing is lost after a bad header */
} fcp_fcpc_stream;

/* 0, or FCP_EINVAL if cap < FCP_FCPC_FRAME_BYTES(max_payload). */
int fcp_fcpc_stream_init(fcp_fcpc_stream *s, uint8_t *buf, size_t cap, uint32_t max_payload);

/* Bytes still needed to complete the current unit: the rest of the 36-byte
 * header, then the rest of the frame.  0 while a frame is ready (backpressure:
 * call fcp_fcpc_stream_next first) or after an error. */
size_t fcp_fcpc_stream_want(const fcp_fcpc_stream *s);

/*
 * Feed data[0..len).  Consumes at most what completes the current frame;
 * *consumed says how much (the caller keeps the rest and feeds it after
 * fcp_fcpc_stream_next).  Returns 1 when a frame is ready (see
 * fcp_fcpc_stream_frame), 0 when more input is needed, or a negative error as
 * soon as a header is invalid (magic, version, flags, payload too large) -
 * before any of its payload is buffered.  Errors are sticky: a byte stream
 * whose framing is lost cannot be resynchronised, so the connection must be
 * closed.
 */
int fcp_fcpc_stream_feed(fcp_fcpc_stream *s, const uint8_t *data, size_t len, size_t *consumed);

/* The ready frame (pointers into the stream buffer, valid until
 * fcp_fcpc_stream_next).  FCP_EINVAL if no frame is ready. */
int fcp_fcpc_stream_frame(const fcp_fcpc_stream *s, const uint8_t **frame, size_t *frame_len);

/* Release the ready frame and start on the next one. */
void fcp_fcpc_stream_next(fcp_fcpc_stream *s);

#endif
