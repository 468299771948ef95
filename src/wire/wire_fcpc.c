/*
 * fcpc.c - FCPC control-plane frames: codec, AEAD seal/open, per-direction
 * sequence state, and the incremental stream decoder (see fcpc.h).
 *
 * The stream decoder is a two-state machine (want header / want rest of frame)
 * over one caller buffer sized for the largest acceptable frame, so a peer can
 * never make us hold more than that: the header is checked, including its
 * length field against max_payload, before a single payload byte is copied.
 */
#include "fcp/fcpc.h"

#include <string.h>

#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

enum { OFF_MAGIC = 0, OFF_VERSION = 4, OFF_SID = 6, OFF_SEQ = 22, OFF_FLAGS = 30, OFF_LEN = 32 };

static void make_nonce(uint8_t nonce[12], fcp_wire_dir dir, uint64_t seq)
{
    nonce[0] = (uint8_t)dir;
    nonce[1] = nonce[2] = nonce[3] = 0;
    fcp_store_u64le(nonce + 4, seq);
}

static void make_aad(uint8_t aad[26], const uint8_t session_id[16], uint64_t seq, uint16_t flags)
{
    memcpy(aad, session_id, FCP_SESSION_ID_BYTES);
    fcp_store_u64le(aad + 16, seq);
    fcp_store_u16le(aad + 24, flags);
}

int fcp_fcpc_header_encode(uint8_t out[FCP_FCPC_HEADER_BYTES], const uint8_t session_id[16],
                           uint64_t seq, uint16_t flags, uint32_t len)
{
    if (flags & ~FCP_FCPC_FLAGS_KNOWN)
        return FCP_EFCPC_FLAGS;
    memcpy(out + OFF_MAGIC, FCP_FCPC_MAGIC, 4);
    fcp_store_u16le(out + OFF_VERSION, FCP_FCPC_VERSION);
    memmove(out + OFF_SID, session_id, FCP_SESSION_ID_BYTES);
    fcp_store_u64le(out + OFF_SEQ, seq);
    fcp_store_u16le(out + OFF_FLAGS, flags);
    fcp_store_u32le(out + OFF_LEN, len);
    return 0;
}

/* Checks after the length gate, shared by header and frame decode. */
static int parse_header(const uint8_t *buf, uint32_t max_payload, fcp_fcpc_frame *f)
{
    if (memcmp(buf + OFF_MAGIC, FCP_FCPC_MAGIC, 4) != 0)
        return FCP_EFCPC_MAGIC;
    if (fcp_load_u16le(buf + OFF_VERSION) != FCP_FCPC_VERSION)
        return FCP_EFCPC_VERSION;
    uint16_t flags = fcp_load_u16le(buf + OFF_FLAGS);
    if (flags & ~FCP_FCPC_FLAGS_KNOWN)
        return FCP_EFCPC_FLAGS;
    uint32_t len = fcp_load_u32le(buf + OFF_LEN);
    if (len > max_payload)
        return FCP_EFCPC_PAYLOAD_TOO_LARGE;
    f->session_id = buf + OFF_SID;
    f->seq = fcp_load_u64le(buf + OFF_SEQ);
    f->flags = flags;
    f->len = len;
    return 0;
}

int fcp_fcpc_header_decode(const uint8_t *buf, size_t len, uint32_t max_payload, fcp_fcpc_frame *f)
{
    memset(f, 0, sizeof *f);
    if (len < FCP_FCPC_HEADER_BYTES)
        return FCP_EFCPC_TOO_SHORT;
    int rc = parse_header(buf, max_payload, f);
    if (rc)
        memset(f, 0, sizeof *f);
    return rc;
}

int fcp_fcpc_decode(const uint8_t *buf, size_t len, uint32_t max_payload, fcp_fcpc_frame *f)
{
    memset(f, 0, sizeof *f);
    if (len < FCP_FCPC_MIN_FRAME_BYTES)
        return FCP_EFCPC_TOO_SHORT;
    int rc = parse_header(buf, max_payload, f);
    if (rc == 0 && (uint64_t)len != (uint64_t)FCP_FCPC_FRAME_BYTES(f->len))
        rc = FCP_EFCPC_LENGTH_MISMATCH;
    if (rc) {
        memset(f, 0, sizeof *f);
        return rc;
    }
    f->ciphertext = buf + FCP_FCPC_HEADER_BYTES;
    f->tag = buf + FCP_FCPC_HEADER_BYTES + f->len;
    return 0;
}

int fcp_fcpc_seal(uint8_t *out, size_t cap, size_t *out_len, const uint8_t k_ctx[32],
                  const uint8_t session_id[16], fcp_wire_dir dir, uint64_t seq, uint16_t flags,
                  const uint8_t *pt, size_t pt_len, uint32_t max_payload)
{
    *out_len = 0;
    flags |= FCP_FCPC_FLAG_ENCRYPTED; /* upstream seal() always sets it */
    if (flags & ~FCP_FCPC_FLAGS_KNOWN)
        return FCP_EFCPC_FLAGS;
    if (pt_len > max_payload)
        return FCP_EFCPC_PAYLOAD_TOO_LARGE;
    size_t total = FCP_FCPC_FRAME_BYTES(pt_len);
    if (total > cap)
        return FCP_EBUFFER_TOO_SMALL;
    uint8_t nonce[12], aad[26];
    make_nonce(nonce, dir, seq);
    make_aad(aad, session_id, seq, flags);
    /* body first: pt may sit at out + 36 already (in-place seal) */
    int rc = fcp_aead_chacha20poly1305_ietf_encrypt_detached(
        out + FCP_FCPC_HEADER_BYTES, out + FCP_FCPC_HEADER_BYTES + pt_len, pt, pt_len, aad,
        sizeof aad, nonce, k_ctx);
    if (rc)
        return rc;
    rc = fcp_fcpc_header_encode(out, session_id, seq, flags, (uint32_t)pt_len);
    if (rc)
        return rc;
    *out_len = total;
    return 0;
}

int fcp_fcpc_open(const fcp_fcpc_frame *f, const uint8_t k_ctx[32], fcp_wire_dir dir, uint8_t *pt)
{
    uint8_t nonce[12], aad[26];
    make_nonce(nonce, dir, f->seq);
    make_aad(aad, f->session_id, f->seq, f->flags);
    int rc = fcp_aead_chacha20poly1305_ietf_decrypt_detached(pt, f->ciphertext, f->len, f->tag, aad,
                                                             sizeof aad, nonce, k_ctx);
    return rc ? FCP_EFCPC_CRYPTO : 0;
}

void fcp_fcpc_tx_init(fcp_fcpc_tx *tx, const uint8_t session_id[16], const uint8_t k_ctx[32],
                      fcp_wire_dir dir, uint32_t max_payload)
{
    memcpy(tx->session_id, session_id, FCP_SESSION_ID_BYTES);
    memcpy(tx->key, k_ctx, FCP_FCPC_KEY_BYTES);
    tx->dir = dir;
    tx->next_seq = 1; /* 0 is refused by every replay window (D-WIRE-8) */
    tx->max_payload = max_payload;
}

void fcp_fcpc_tx_wipe(fcp_fcpc_tx *tx)
{
    fcp_memzero(tx, sizeof *tx);
}

int fcp_fcpc_tx_seal(fcp_fcpc_tx *tx, uint8_t *out, size_t cap, size_t *out_len, uint16_t flags,
                     const uint8_t *pt, size_t pt_len)
{
    *out_len = 0;
    if (tx->next_seq == 0) /* wrapped */
        return FCP_EFCPC_SEQ_EXHAUSTED;
    int rc = fcp_fcpc_seal(out, cap, out_len, tx->key, tx->session_id, tx->dir, tx->next_seq, flags,
                           pt, pt_len, tx->max_payload);
    if (rc == 0)
        tx->next_seq++;
    return rc;
}

void fcp_fcpc_rx_init(fcp_fcpc_rx *rx, const uint8_t session_id[16], const uint8_t k_ctx[32],
                      fcp_wire_dir peer_dir, uint32_t max_payload, uint64_t window)
{
    memcpy(rx->session_id, session_id, FCP_SESSION_ID_BYTES);
    memcpy(rx->key, k_ctx, FCP_FCPC_KEY_BYTES);
    rx->dir = peer_dir;
    rx->max_payload = max_payload;
    fcp_replay_init(&rx->win, window);
}

void fcp_fcpc_rx_wipe(fcp_fcpc_rx *rx)
{
    fcp_memzero(rx, sizeof *rx);
}

int fcp_fcpc_rx_open(fcp_fcpc_rx *rx, const uint8_t *buf, size_t len, uint8_t *pt, size_t cap,
                     size_t *pt_len, uint16_t *flags_out)
{
    *pt_len = 0;
    fcp_fcpc_frame f;
    int rc = fcp_fcpc_decode(buf, len, rx->max_payload, &f);
    if (rc)
        return rc;
    if (memcmp(f.session_id, rx->session_id, FCP_SESSION_ID_BYTES) != 0)
        return FCP_EFCPC_SESSION;
    /* cheap pre-check saves the AEAD on obvious replays; it does not mutate */
    rc = fcp_replay_check(&rx->win, f.seq);
    if (rc)
        return rc;
    if (cap < f.len)
        return FCP_EBUFFER_TOO_SMALL;
    rc = fcp_fcpc_open(&f, rx->key, rx->dir, pt);
    if (rc)
        return rc;
    rc = fcp_replay_update(&rx->win, f.seq); /* authentic: now it may move */
    if (rc) {
        fcp_memzero(pt, f.len);
        return rc;
    }
    *pt_len = f.len;
    if (flags_out)
        *flags_out = f.flags;
    return 0;
}

int fcp_fcpc_stream_init(fcp_fcpc_stream *s, uint8_t *buf, size_t cap, uint32_t max_payload)
{
    memset(s, 0, sizeof *s);
    if (buf == NULL || cap < FCP_FCPC_FRAME_BYTES(max_payload))
        return FCP_EINVAL;
    s->buf = buf;
    s->cap = cap;
    s->max_payload = max_payload;
    return 0;
}

size_t fcp_fcpc_stream_want(const fcp_fcpc_stream *s)
{
    if (s->err || s->ready)
        return 0;
    if (s->frame_bytes == 0)
        return FCP_FCPC_HEADER_BYTES - s->have;
    return s->frame_bytes - s->have;
}

int fcp_fcpc_stream_feed(fcp_fcpc_stream *s, const uint8_t *data, size_t len, size_t *consumed)
{
    *consumed = 0;
    if (s->err)
        return s->err;
    while (!s->ready && *consumed < len) {
        size_t want = fcp_fcpc_stream_want(s);
        size_t n = len - *consumed < want ? len - *consumed : want;
        memcpy(s->buf + s->have, data + *consumed, n);
        s->have += n;
        *consumed += n;
        if (s->frame_bytes == 0 && s->have == FCP_FCPC_HEADER_BYTES) {
            fcp_fcpc_frame f;
            int rc = fcp_fcpc_header_decode(s->buf, s->have, s->max_payload, &f);
            if (rc) {
                s->err = rc;
                return rc;
            }
            s->frame_bytes = FCP_FCPC_FRAME_BYTES(f.len); /* <= cap by init */
        }
        if (s->frame_bytes != 0 && s->have == s->frame_bytes)
            s->ready = 1;
    }
    return s->ready ? 1 : 0;
}

int fcp_fcpc_stream_frame(const fcp_fcpc_stream *s, const uint8_t **frame, size_t *frame_len)
{
    if (!s->ready) {
        *frame = NULL;
        *frame_len = 0;
        return FCP_EINVAL;
    }
    *frame = s->buf;
    *frame_len = s->frame_bytes;
    return 0;
}

void fcp_fcpc_stream_next(fcp_fcpc_stream *s)
{
    if (!s->ready)
        return;
    s->ready = 0;
    s->have = 0;
    s->frame_bytes = 0;
}
