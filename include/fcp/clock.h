/*
 * clock.h - injectable time source.
 *
 * Nothing below net/ reads the system clock directly: protocol code receives an
 * fcp_clock and asks it.  Production code uses fcp_clock_system(); tests use a
 * fixed or manually advanced clock (fcp_clock_manual) so that every time-based
 * rule (expiry, skew, rekey) can be driven deterministically.
 */
#ifndef FCP_CLOCK_H
#define FCP_CLOCK_H

#include <stdint.h>

typedef struct fcp_clock {
    /* Wall-clock time: nanoseconds since the Unix epoch. */
    uint64_t (*unix_ns)(void *ctx);
    /* Monotonic time in nanoseconds (arbitrary origin), for timeouts. */
    uint64_t (*mono_ns)(void *ctx);
    void *ctx;
} fcp_clock;

/* The real clock (CLOCK_REALTIME / CLOCK_MONOTONIC). Static; never freed. */
const fcp_clock *fcp_clock_system(void);

/* A clock that returns what the test sets.  Both readings start at the given
 * instant; fcp_clock_manual_advance moves both forward. */
typedef struct fcp_clock_manual {
    fcp_clock clock;
    uint64_t  unix_ns;
    uint64_t  mono_ns;
} fcp_clock_manual;

void fcp_clock_manual_init(fcp_clock_manual *m, uint64_t unix_ns);
void fcp_clock_manual_advance(fcp_clock_manual *m, uint64_t ns);

static inline uint64_t fcp_clock_unix_secs(const fcp_clock *c) { return c->unix_ns(c->ctx) / 1000000000u; }
static inline uint64_t fcp_clock_unix_ns(const fcp_clock *c) { return c->unix_ns(c->ctx); }
static inline uint64_t fcp_clock_mono_ns(const fcp_clock *c) { return c->mono_ns(c->ctx); }

#endif
