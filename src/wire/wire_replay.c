/*
 * replay.c - the sliding anti-replay window (see replay.h for the rules).
 *
 * The 128-bit bitmap is two u64 words so that the code stays portable C11
 * (no __int128); shifts of 64 or more are handled explicitly because shifting
 * a u64 by >= 64 is undefined in C.
 */
#include "fcp/replay.h"

#include "fcp/error.h"

void fcp_replay_init(fcp_replay_window *w, uint64_t window_size)
{
    w->highest = 0;
    w->lo = w->hi = 0;
    if (window_size < 1)
        window_size = 1;
    if (window_size > FCP_REPLAY_MAX_WINDOW)
        window_size = FCP_REPLAY_MAX_WINDOW;
    w->width = (uint32_t)window_size;
}

static int bit_is_set(const fcp_replay_window *w, uint64_t d)
{
    return d < 64 ? (int)((w->lo >> d) & 1u) : (int)((w->hi >> (d - 64)) & 1u);
}

int fcp_replay_check(const fcp_replay_window *w, uint64_t seq)
{
    if (seq == 0)
        return FCP_EREPLAY_SEQ_ZERO;
    if (seq > w->highest)
        return 0;
    uint64_t d = w->highest - seq;
    if (d >= w->width || d >= FCP_REPLAY_MAX_WINDOW)
        return FCP_EREPLAY_STALE;
    if (bit_is_set(w, d))
        return FCP_EREPLAY_DUPLICATE;
    return 0;
}

/* Shift the 128-bit bitmap left by s (toward older sequences). */
static void shift_left(fcp_replay_window *w, uint64_t s)
{
    if (s >= 128) {
        w->lo = w->hi = 0;
    } else if (s >= 64) {
        w->hi = w->lo << (s - 64);
        w->lo = 0;
    } else if (s > 0) {
        w->hi = (w->hi << s) | (w->lo >> (64 - s));
        w->lo <<= s;
    }
}

int fcp_replay_update(fcp_replay_window *w, uint64_t seq)
{
    int rc = fcp_replay_check(w, seq);
    if (rc)
        return rc;
    if (seq > w->highest) {
        shift_left(w, seq - w->highest);
        w->lo |= 1u;
        w->highest = seq;
    } else {
        uint64_t d = w->highest - seq;
        if (d < 64)
            w->lo |= (uint64_t)1 << d;
        else
            w->hi |= (uint64_t)1 << (d - 64);
    }
    return 0;
}
