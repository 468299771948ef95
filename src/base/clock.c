/*
 * clock.c - system and manual clocks (see fcp/clock.h).
 */
#include "fcp/clock.h"

#include <time.h>

static uint64_t ts_ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t sys_unix(void *ctx) { (void)ctx; return ts_ns(CLOCK_REALTIME); }
static uint64_t sys_mono(void *ctx) { (void)ctx; return ts_ns(CLOCK_MONOTONIC); }

static const fcp_clock system_clock = { sys_unix, sys_mono, 0 };

const fcp_clock *fcp_clock_system(void) { return &system_clock; }

static uint64_t man_unix(void *ctx) { return ((fcp_clock_manual *)ctx)->unix_ns; }
static uint64_t man_mono(void *ctx) { return ((fcp_clock_manual *)ctx)->mono_ns; }

void fcp_clock_manual_init(fcp_clock_manual *m, uint64_t unix_ns)
{
    m->clock.unix_ns = man_unix;
    m->clock.mono_ns = man_mono;
    m->clock.ctx = m;
    m->unix_ns = unix_ns;
    m->mono_ns = 0;
}

void fcp_clock_manual_advance(fcp_clock_manual *m, uint64_t ns)
{
    m->unix_ns += ns;
    m->mono_ns += ns;
}
