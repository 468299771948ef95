/*
 * host_invoke_internal.h - pieces of the invoke pipeline shared between its
 * files: the per-key token-bucket rate limiter (host_invoke_rate.c).
 */
#ifndef FCP_HOST_INVOKE_INTERNAL_H
#define FCP_HOST_INVOKE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* One bucket.  The level is in units where one call costs period_ms and
 * the bucket gains count units per millisecond (exact integer refill). */
typedef struct fcp_inv_bucket {
    uint8_t  key[16];     /* 0 = empty slot when used == 0 */
    int      used;
    uint64_t level;       /* units; full = count * period_ms */
    uint64_t last_ms;
    uint32_t count;       /* calls per period */
    uint64_t period_ms;
} fcp_inv_bucket;

typedef struct fcp_inv_rate {
    fcp_inv_bucket *slots;
    size_t nslots;        /* power of two, >= 2 * capacity */
    size_t capacity;
    size_t count;
    uint8_t hkey[32];
} fcp_inv_rate;

int fcp_inv_rate_init(fcp_inv_rate *r, size_t capacity, const uint8_t hkey[32]);
void fcp_inv_rate_free(fcp_inv_rate *r);

/* Take one call for (zone, principal, connector, operation) with a limit of
 * count calls per period_ms at now_ms.  consume 0: only tell whether a call
 * would be allowed.  0 allowed, FCP_EINVOKE_RATE_LIMITED,
 * FCP_EINVOKE_RATE_TABLE (no room even after reclaiming full buckets).
 * *retry_ms (may be NULL) receives the wait until one call is available. */
int fcp_inv_rate_take(fcp_inv_rate *r, const char *zone, const char *principal,
                      const char *connector, const char *operation, uint32_t count,
                      uint64_t period_ms, uint64_t now_ms, int consume, uint64_t *retry_ms);

#endif
