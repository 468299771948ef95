/*
 * datagram.c - FCPS datagram envelope, session MAC, and the receive engine.
 *
 * The MAC input (session_id || dir || seq || frame) is streamed into the
 * incremental HMAC / BLAKE3 state so that the frame is never copied; the
 * receive engine touches replay state only after the MAC has verified and the
 * frame has parsed (see datagram.h for the order and why).
 */
#include "fcp/datagram.h"

#include <string.h>

#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

int fcp_dgram_decode(const uint8_t *buf, size_t len, size_t max_datagram, fcp_dgram *d)
{
    memset(d, 0, sizeof *d);
    /* upstream order: short first, then large */
    if (len < FCP_DGRAM_HEADER_BYTES)
        return FCP_EDGRAM_TOO_SHORT;
    if (len > max_datagram)
        return FCP_EDGRAM_TOO_LARGE;
    d->session_id = buf;
    d->seq = fcp_load_u64le(buf + 16);
    d->mac = buf + 24;
    d->frame = buf + FCP_DGRAM_HEADER_BYTES;
    d->frame_len = len - FCP_DGRAM_HEADER_BYTES;
    return 0;
}

int fcp_dgram_encode(uint8_t *out, size_t cap, size_t *out_len, const uint8_t session_id[16],
                     uint64_t seq, const uint8_t mac[16], const uint8_t *frame, size_t frame_len,
                     size_t max_datagram)
{
    *out_len = 0;
    if (frame_len > max_datagram || FCP_DGRAM_HEADER_BYTES > max_datagram - frame_len)
        return FCP_EDGRAM_TOO_LARGE;
    if (frame_len > cap || FCP_DGRAM_HEADER_BYTES > cap - frame_len)
        return FCP_EBUFFER_TOO_SMALL;
    if (frame_len && out + FCP_DGRAM_HEADER_BYTES != frame)
        memmove(out + FCP_DGRAM_HEADER_BYTES, frame, frame_len);
    memmove(out, session_id, FCP_SESSION_ID_BYTES);
    fcp_store_u64le(out + 16, seq);
    memmove(out + 24, mac, FCP_SESSION_MAC_BYTES);
    *out_len = FCP_DGRAM_HEADER_BYTES + frame_len;
    return 0;
}

int fcp_dgram_mac(uint8_t mac[16], fcp_dgram_suite suite, const uint8_t key[32],
                  const uint8_t session_id[16], fcp_wire_dir dir, uint64_t seq,
                  const uint8_t *frame, size_t frame_len)
{
    uint8_t prefix[FCP_SESSION_ID_BYTES + 1 + 8];
    memcpy(prefix, session_id, FCP_SESSION_ID_BYTES);
    prefix[16] = (uint8_t)dir;
    fcp_store_u64le(prefix + 17, seq);

    if (suite == FCP_DGRAM_SUITE1) {
        fcp_hmac_sha256_state st;
        uint8_t full[FCP_HMAC_SHA256_BYTES];
        fcp_hmac_sha256_init(&st, key, FCP_SESSION_KEY_BYTES);
        fcp_hmac_sha256_update(&st, prefix, sizeof prefix);
        fcp_hmac_sha256_update(&st, frame, frame_len);
        fcp_hmac_sha256_final(&st, full);
        memcpy(mac, full, FCP_SESSION_MAC_BYTES);
        fcp_memzero(full, sizeof full);
        return 0;
    }
    if (suite == FCP_DGRAM_SUITE2) {
        fcp_blake3_hasher h;
        fcp_blake3_hasher_init_keyed(&h, key);
        fcp_blake3_hasher_update(&h, prefix, sizeof prefix);
        fcp_blake3_hasher_update(&h, frame, frame_len);
        fcp_blake3_hasher_finalize(&h, mac, FCP_SESSION_MAC_BYTES);
        fcp_blake3_hasher_wipe(&h);
        return 0;
    }
    memset(mac, 0, FCP_SESSION_MAC_BYTES);
    return FCP_EDGRAM_SUITE;
}

int fcp_dgram_mac_verify(const uint8_t mac[16], fcp_dgram_suite suite, const uint8_t key[32],
                         const uint8_t session_id[16], fcp_wire_dir dir, uint64_t seq,
                         const uint8_t *frame, size_t frame_len)
{
    uint8_t want[FCP_SESSION_MAC_BYTES];
    int rc = fcp_dgram_mac(want, suite, key, session_id, dir, seq, frame, frame_len);
    if (rc == 0 && !fcp_ct_equal(want, mac, FCP_SESSION_MAC_BYTES))
        rc = FCP_EDGRAM_MAC;
    fcp_memzero(want, sizeof want);
    return rc;
}

static int suite_ok(fcp_dgram_suite s)
{
    return s == FCP_DGRAM_SUITE1 || s == FCP_DGRAM_SUITE2;
}

int fcp_dgram_tx_init(fcp_dgram_tx *tx, const uint8_t session_id[16], const uint8_t key[32],
                      fcp_dgram_suite suite, fcp_wire_dir dir, size_t max_datagram)
{
    memset(tx, 0, sizeof *tx);
    if (!suite_ok(suite))
        return FCP_EDGRAM_SUITE;
    if (max_datagram < FCP_DGRAM_HEADER_BYTES || max_datagram > FCP_WIRE_MAX_DATAGRAM)
        return FCP_EINVAL;
    memcpy(tx->session_id, session_id, FCP_SESSION_ID_BYTES);
    memcpy(tx->key, key, FCP_SESSION_KEY_BYTES);
    tx->suite = suite;
    tx->dir = dir;
    tx->next_seq = 1;
    tx->max_datagram = max_datagram;
    return 0;
}

void fcp_dgram_tx_wipe(fcp_dgram_tx *tx)
{
    fcp_memzero(tx, sizeof *tx);
}

int fcp_dgram_tx_seal(fcp_dgram_tx *tx, uint8_t *out, size_t cap, size_t *out_len,
                      const uint8_t *frame, size_t frame_len, uint64_t *seq_out)
{
    *out_len = 0;
    if (tx->next_seq == 0) /* wrapped: every number has been used */
        return FCP_EDGRAM_SEQ_EXHAUSTED;
    if (frame_len > tx->max_datagram || FCP_DGRAM_HEADER_BYTES > tx->max_datagram - frame_len)
        return FCP_EDGRAM_TOO_LARGE;
    if (frame_len > cap || FCP_DGRAM_HEADER_BYTES > cap - frame_len)
        return FCP_EBUFFER_TOO_SMALL;
    uint64_t seq = tx->next_seq;
    uint8_t mac[FCP_SESSION_MAC_BYTES];
    /* MAC the frame where it is: it may be at out+40 already; encode moves it
     * there otherwise, which does not change the bytes. */
    int rc = fcp_dgram_mac(mac, tx->suite, tx->key, tx->session_id, tx->dir, seq, frame, frame_len);
    if (rc == 0)
        rc = fcp_dgram_encode(out, cap, out_len, tx->session_id, seq, mac, frame, frame_len,
                              tx->max_datagram);
    if (rc)
        return rc;
    tx->next_seq = seq + 1;
    if (seq_out)
        *seq_out = seq;
    return 0;
}

int fcp_dgram_rx_init(fcp_dgram_rx *rx, const uint8_t session_id[16], const uint8_t key[32],
                      fcp_dgram_suite suite, fcp_wire_dir peer_dir, size_t max_datagram)
{
    memset(rx, 0, sizeof *rx);
    if (!suite_ok(suite))
        return FCP_EDGRAM_SUITE;
    if (max_datagram < FCP_DGRAM_HEADER_BYTES || max_datagram > FCP_WIRE_MAX_DATAGRAM)
        return FCP_EINVAL;
    memcpy(rx->session_id, session_id, FCP_SESSION_ID_BYTES);
    memcpy(rx->key, key, FCP_SESSION_KEY_BYTES);
    rx->suite = suite;
    rx->dir = peer_dir;
    rx->max_datagram = max_datagram;
    fcp_fcps_limits_for_datagram(&rx->frame_limits, max_datagram);
    rx->window = FCP_REPLAY_DEFAULT_WINDOW;
    rx->max_instances = 4;
    return 0;
}

void fcp_dgram_rx_wipe(fcp_dgram_rx *rx)
{
    fcp_memzero(rx, sizeof *rx);
}

/* The window for sender_instance_id, or a fresh one if there is room; NULL
 * when the table is full (fail closed: evicting a window would let the
 * evicted instance's old datagrams replay). */
static fcp_dgram_rx_slot *find_slot(fcp_dgram_rx *rx, uint64_t instance)
{
    size_t cap = rx->max_instances;
    if (cap < 1)
        cap = 1;
    if (cap > FCP_DGRAM_MAX_INSTANCES)
        cap = FCP_DGRAM_MAX_INSTANCES;
    fcp_dgram_rx_slot *free_slot = NULL;
    for (size_t i = 0; i < cap; i++) {
        if (rx->slots[i].used && rx->slots[i].sender_instance_id == instance)
            return &rx->slots[i];
        if (!rx->slots[i].used && free_slot == NULL)
            free_slot = &rx->slots[i];
    }
    if (free_slot == NULL)
        return NULL;
    free_slot->used = 1;
    free_slot->sender_instance_id = instance;
    fcp_replay_init(&free_slot->win, rx->window);
    return free_slot;
}

static int count(fcp_dgram_rx *rx, int rc)
{
    switch (rc) {
    case 0: rx->n.accepted++; break;
    case FCP_EDGRAM_TOO_SHORT: rx->n.too_short++; break;
    case FCP_EDGRAM_TOO_LARGE: rx->n.too_large++; break;
    case FCP_EDGRAM_SESSION: rx->n.bad_session++; break;
    case FCP_EDGRAM_MAC: rx->n.bad_mac++; break;
    case FCP_EFCPS_SEQ_MISMATCH: rx->n.seq_mismatch++; break;
    case FCP_EREPLAY_SEQ_ZERO: rx->n.seq_zero++; break;
    case FCP_EREPLAY_STALE: rx->n.replay_stale++; break;
    case FCP_EREPLAY_DUPLICATE: rx->n.replay_duplicate++; break;
    case FCP_EDGRAM_INSTANCE_TABLE_FULL: rx->n.instances_full++; break;
    default: rx->n.bad_frame++; break;
    }
    return rc;
}

int fcp_dgram_rx_receive(fcp_dgram_rx *rx, const uint8_t *buf, size_t len, fcp_dgram *d,
                         fcp_fcps_frame *f)
{
    memset(f, 0, sizeof *f);
    int rc = fcp_dgram_decode(buf, len, rx->max_datagram, d);
    if (rc)
        return count(rx, rc);
    /* session ids are public; a plain compare is fine */
    if (memcmp(d->session_id, rx->session_id, FCP_SESSION_ID_BYTES) != 0)
        return count(rx, FCP_EDGRAM_SESSION);
    rc = fcp_dgram_mac_verify(d->mac, rx->suite, rx->key, d->session_id, rx->dir, d->seq, d->frame,
                              d->frame_len);
    if (rc)
        return count(rx, rc);
    /* Authentic from here on.  seq 0 is refused before the frame is parsed,
     * as the window would refuse it anyway. */
    if (d->seq == 0)
        return count(rx, FCP_EREPLAY_SEQ_ZERO);
    rc = fcp_fcps_decode(d->frame, d->frame_len, &rx->frame_limits, f);
    if (rc)
        return count(rx, rc);
    if (rx->require_seq_match && f->h.frame_seq != d->seq) {
        memset(f, 0, sizeof *f);
        return count(rx, FCP_EFCPS_SEQ_MISMATCH);
    }
    /* a new instance's window is created only now, for an authentic,
     * well-formed datagram with seq != 0, which a fresh window accepts */
    fcp_dgram_rx_slot *slot = find_slot(rx, f->h.sender_instance_id);
    if (slot == NULL) {
        memset(f, 0, sizeof *f);
        return count(rx, FCP_EDGRAM_INSTANCE_TABLE_FULL);
    }
    rc = fcp_replay_update(&slot->win, d->seq);
    if (rc) {
        memset(f, 0, sizeof *f);
        return count(rx, rc);
    }
    return count(rx, 0);
}
