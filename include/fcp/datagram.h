/*
 * datagram.h - the FCPS datagram envelope and its receive engine (spec §4.2,
 * §4.2.2; byte rules from the reference implementation's attested vectors).
 *
 *   datagram = session_id[16] || seq u64le || mac[16] || frame   (40-byte header)
 *   mac      = MAC(k_mac_dir, session_id || dir || seq u64le || frame)[0..16]
 *              dir = 0x00 initiator->responder, 0x01 responder->initiator
 *              Suite1: HMAC-SHA256, Suite2: BLAKE3 keyed hash
 *
 * The receive engine (fcp_dgram_rx) is sans-IO: it is handed one datagram's
 * bytes and answers accept/reject with a reason, counting every reason.  Its
 * order is fixed so that nothing an attacker can forge changes state:
 *   1. length < 40 -> TOO_SHORT, then length > max -> TOO_LARGE;
 *   2. session id must be this session's;
 *   3. MAC verified in constant time;
 *   4. the frame inside is decoded and validated (fcps.h);
 *   5. only now the replay window of (session, sender_instance_id) is
 *      consulted and updated.
 * It never allocates: windows live inside the struct (FCP_DGRAM_MAX_INSTANCES).
 */
#ifndef FCP_DATAGRAM_H
#define FCP_DATAGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/fcps.h"
#include "fcp/replay.h"

#define FCP_DGRAM_HEADER_BYTES  FCP_WIRE_DATAGRAM_HEADER_BYTES /* 40 */
#define FCP_DGRAM_DEFAULT_MAX   FCP_WIRE_DEFAULT_MAX_DATAGRAM  /* 1200 */
#define FCP_SESSION_ID_BYTES    16u
#define FCP_SESSION_MAC_BYTES   16u
#define FCP_SESSION_KEY_BYTES   32u
#define FCP_DGRAM_MAX_INSTANCES 8u /* replay windows per session */

/* Session crypto suites (spec §4.2). */
typedef enum fcp_dgram_suite {
    FCP_DGRAM_SUITE1 = 1, /* HMAC-SHA256 truncated to 16 */
    FCP_DGRAM_SUITE2 = 2  /* BLAKE3-keyed truncated to 16 */
} fcp_dgram_suite;

/* Direction byte of MACs and FCPC nonces. */
typedef enum fcp_wire_dir {
    FCP_WIRE_I2R = 0, /* initiator -> responder */
    FCP_WIRE_R2I = 1  /* responder -> initiator */
} fcp_wire_dir;

/* A parsed datagram: pointers into the caller's buffer. */
typedef struct fcp_dgram {
    const uint8_t *session_id; /* [16] */
    uint64_t       seq;
    const uint8_t *mac;        /* [16] */
    const uint8_t *frame;
    size_t         frame_len;
} fcp_dgram;

/* Split buf[0..len): FCP_EDGRAM_TOO_SHORT if len < 40, then
 * FCP_EDGRAM_TOO_LARGE if len > max_datagram.  Exactly 40 (empty frame) and
 * exactly max are accepted.  On failure *d is zeroed. */
int fcp_dgram_decode(const uint8_t *buf, size_t len, size_t max_datagram, fcp_dgram *d);

/* Write session_id || seq || mac || frame into out[0..cap).  frame may
 * already sit at out + 40 (no copy).  FCP_EDGRAM_TOO_LARGE if 40 + frame_len >
 * max_datagram, FCP_EBUFFER_TOO_SMALL if cap is short. */
int fcp_dgram_encode(uint8_t *out, size_t cap, size_t *out_len, const uint8_t session_id[16],
                     uint64_t seq, const uint8_t mac[16], const uint8_t *frame, size_t frame_len,
                     size_t max_datagram);

/* mac = MAC_suite(key, session_id || dir || seq u64le || frame)[0..16].
 * 0 or FCP_EDGRAM_SUITE (mac zeroed).  Streams the input: no copy of frame. */
int fcp_dgram_mac(uint8_t mac[16], fcp_dgram_suite suite, const uint8_t key[32],
                  const uint8_t session_id[16], fcp_wire_dir dir, uint64_t seq,
                  const uint8_t *frame, size_t frame_len);

/* Constant-time check of a received MAC: 0, FCP_EDGRAM_MAC or
 * FCP_EDGRAM_SUITE. */
int fcp_dgram_mac_verify(const uint8_t mac[16], fcp_dgram_suite suite, const uint8_t key[32],
                         const uint8_t session_id[16], fcp_wire_dir dir, uint64_t seq,
                         const uint8_t *frame, size_t frame_len);

/* ---- sender --------------------------------------------------------------- */

/* One direction of a session, sending side.  Sequences start at 1 (0 is
 * never accepted by a receiver) and are never reused. */
typedef struct fcp_dgram_tx {
    uint8_t         session_id[16];
    uint8_t         key[32]; /* k_mac for our direction; wiped by fcp_dgram_tx_wipe */
    fcp_dgram_suite suite;
    fcp_wire_dir    dir;
    uint64_t        next_seq;
    size_t          max_datagram;
} fcp_dgram_tx;

/* 0 or FCP_EDGRAM_SUITE / FCP_EINVAL (max_datagram < 40 or > 65535). */
int fcp_dgram_tx_init(fcp_dgram_tx *tx, const uint8_t session_id[16], const uint8_t key[32],
                      fcp_dgram_suite suite, fcp_wire_dir dir, size_t max_datagram);
void fcp_dgram_tx_wipe(fcp_dgram_tx *tx);

/* Take the next sequence number, MAC frame[0..frame_len) under it and write
 * the datagram to out.  frame may already sit at out + 40 (the usual case: the
 * caller encodes and seals the frame there).  *seq_out (if not NULL) gets the
 * number used.  Errors as fcp_dgram_encode, FCP_EDGRAM_SEQ_EXHAUSTED; on error
 * no sequence number is consumed. */
int fcp_dgram_tx_seal(fcp_dgram_tx *tx, uint8_t *out, size_t cap, size_t *out_len,
                      const uint8_t *frame, size_t frame_len, uint64_t *seq_out);

/* ---- receiver ------------------------------------------------------------- */

/* Why datagrams were refused; one counter per reason. */
typedef struct fcp_dgram_counters {
    uint64_t accepted;
    uint64_t too_short;
    uint64_t too_large;
    uint64_t bad_session;
    uint64_t bad_mac;
    uint64_t bad_frame;      /* MAC fine, FCPS frame invalid */
    uint64_t seq_mismatch;   /* frame_seq != datagram seq (only if required) */
    uint64_t seq_zero;
    uint64_t replay_stale;
    uint64_t replay_duplicate;
    uint64_t instances_full;
} fcp_dgram_counters;

typedef struct fcp_dgram_rx_slot {
    uint64_t          sender_instance_id;
    fcp_replay_window win;
    int               used;
} fcp_dgram_rx_slot;

typedef struct fcp_dgram_rx {
    uint8_t            session_id[16];
    uint8_t            key[32]; /* peer's k_mac (its sending direction) */
    fcp_dgram_suite    suite;
    fcp_wire_dir       dir;     /* the PEER's sending direction */
    size_t             max_datagram;
    fcp_fcps_limits    frame_limits;
    uint64_t           window;
    int                require_seq_match; /* D-WIRE-6: off by default */
    size_t             max_instances;     /* 1..FCP_DGRAM_MAX_INSTANCES */
    fcp_dgram_rx_slot  slots[FCP_DGRAM_MAX_INSTANCES];
    fcp_dgram_counters n;
} fcp_dgram_rx;

/* Receive side of one session direction.  max_datagram 40..65535; frame
 * limits default to fcp_fcps_limits_for_datagram(max_datagram); replay window
 * 128; up to 4 sender instances.  0, FCP_EDGRAM_SUITE or FCP_EINVAL. */
int fcp_dgram_rx_init(fcp_dgram_rx *rx, const uint8_t session_id[16], const uint8_t key[32],
                      fcp_dgram_suite suite, fcp_wire_dir peer_dir, size_t max_datagram);
void fcp_dgram_rx_wipe(fcp_dgram_rx *rx);

/*
 * Process one received datagram buf[0..len) in the order given at the top of
 * this file.  On acceptance returns 0 and fills *d and *f (pointers into buf);
 * the caller then opens the symbols (fcps_aead.h).  On rejection returns the
 * reason (FCP_EDGRAM_*, FCP_EFCPS_*, FCP_EREPLAY_*), bumps its counter and
 * leaves every replay window untouched unless the datagram was authentic.
 * Never allocates.
 */
int fcp_dgram_rx_receive(fcp_dgram_rx *rx, const uint8_t *buf, size_t len, fcp_dgram *d,
                         fcp_fcps_frame *f);

#endif
