/*
 * replay.h - sliding anti-replay window over 64-bit sequence numbers
 * (spec §4.2 SessionReplayPolicy, §9.4; semantics from the reference
 * implementation's ReplayWindow, pinned by upstream replay.json).
 *
 * State: the highest sequence accepted and a 128-bit bitmap of the sequences
 * just below it (bit d = highest - d was seen).  Width W is clamped to
 * 1..128.  Rules:
 *   - seq 0 is always rejected;
 *   - seq > highest: accepted; the bitmap shifts by seq - highest (a shift of
 *     128 or more clears it), bit 0 is set, highest = seq;
 *   - otherwise d = highest - seq: rejected if d >= W (stale) or bit d is set
 *     (duplicate); else bit d is set and seq accepted.
 * W = 1 makes the window strictly increasing (what an in-order stream
 * transport wants); W = 128 is the policy default.
 *
 * The window holds no secrets and never allocates.  Callers must only update
 * it with sequence numbers that have already been authenticated: an
 * unauthenticated update would let a forger move the window.
 */
#ifndef FCP_REPLAY_H
#define FCP_REPLAY_H

#include <stdint.h>

#define FCP_REPLAY_MAX_WINDOW     128u
#define FCP_REPLAY_DEFAULT_WINDOW 128u /* SessionReplayPolicy.max_reorder_window */

typedef struct fcp_replay_window {
    uint64_t highest; /* 0 = nothing accepted yet */
    uint64_t lo, hi;  /* bitmap: bit d (0..63 in lo, 64..127 in hi) */
    uint32_t width;   /* W, 1..128 */
} fcp_replay_window;

/* Empty window of width window_size clamped to 1..128. */
void fcp_replay_init(fcp_replay_window *w, uint64_t window_size);

/* Would seq be accepted?  0, FCP_EREPLAY_SEQ_ZERO, FCP_EREPLAY_STALE or
 * FCP_EREPLAY_DUPLICATE.  Never changes the window. */
int fcp_replay_check(const fcp_replay_window *w, uint64_t seq);

/* Check, and on acceptance record seq.  Same results as fcp_replay_check; the
 * window is unchanged on rejection. */
int fcp_replay_update(fcp_replay_window *w, uint64_t seq);

#endif
