/*
 * rng.h - injectable randomness.
 *
 * Protocol code never calls a global RNG: it receives an fcp_rng.  Production
 * code uses fcp_rng_system() (the kernel's getrandom(2)); tests use
 * fcp_rng_xoshiro (fast, seeded, NOT cryptographic) or, in crypto/,
 * fcp_rng_chacha20 (a seeded ChaCha20 keystream, reproducing other
 * implementations' deterministic vectors).
 */
#ifndef FCP_RNG_H
#define FCP_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct fcp_rng {
    /* Fill out[0..n) with random bytes.  0 or FCP_ERNG. */
    int (*fill)(void *ctx, uint8_t *out, size_t n);
    void *ctx;
} fcp_rng;

static inline int fcp_rng_fill(const fcp_rng *r, void *out, size_t n)
{
    return r->fill(r->ctx, (uint8_t *)out, n);
}

/* Kernel randomness via getrandom(2). Static; never freed. */
const fcp_rng *fcp_rng_system(void);

/* Seeded xoshiro256** generator for tests and simulations (not for keys). */
typedef struct fcp_rng_xoshiro {
    fcp_rng  rng;
    uint64_t s[4];
} fcp_rng_xoshiro;

void     fcp_rng_xoshiro_init(fcp_rng_xoshiro *x, uint64_t seed);
uint64_t fcp_rng_xoshiro_next(fcp_rng_xoshiro *x);
/* Uniform integer in [0, bound) (bound > 0), without modulo bias. */
uint64_t fcp_rng_xoshiro_below(fcp_rng_xoshiro *x, uint64_t bound);

#endif
