/*
 * rng.c - system RNG (getrandom) and the seeded xoshiro256** test generator.
 */
#include "fcp/rng.h"
#include "fcp/error.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static int sys_fill(void *ctx, uint8_t *out, size_t n)
{
    (void)ctx;
    while (n > 0) {
        ssize_t got = getrandom(out, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return FCP_ERNG;
        }
        out += got;
        n -= (size_t)got;
    }
    return 0;
}

static const fcp_rng system_rng = { sys_fill, 0 };

const fcp_rng *fcp_rng_system(void) { return &system_rng; }

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t fcp_rng_xoshiro_next(fcp_rng_xoshiro *x)
{
    uint64_t *s = x->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t fcp_rng_xoshiro_below(fcp_rng_xoshiro *x, uint64_t bound)
{
    if (bound == 0)
        return 0;
    uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
    uint64_t v;
    do {
        v = fcp_rng_xoshiro_next(x);
    } while (v >= limit);
    return v % bound;
}

static int xo_fill(void *ctx, uint8_t *out, size_t n)
{
    fcp_rng_xoshiro *x = ctx;
    while (n > 0) {
        uint64_t v = fcp_rng_xoshiro_next(x);
        size_t k = n < 8 ? n : 8;
        memcpy(out, &v, k);
        out += k;
        n -= k;
    }
    return 0;
}

void fcp_rng_xoshiro_init(fcp_rng_xoshiro *x, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        x->s[i] = splitmix64(&sm);
    x->rng.fill = xo_fill;
    x->rng.ctx = x;
}
