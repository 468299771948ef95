/*
 * host_invoke_rate.c - the invoke pipeline's rate limiter: one token bucket
 * per (zone, principal, connector, operation), sized by the manifest's
 * "N/sec|min|hour" limit (D-INVOKE-7).
 *
 * A bucket holds up to N calls and refills continuously at N per period.
 * Exact integer arithmetic: the level is kept in units where one call costs
 * period_ms units and the bucket gains N units per elapsed millisecond, so a
 * full bucket is N * period_ms units.  A new key starts full.  The clock is
 * the caller's (now_ms); a reading earlier than the bucket's last one adds
 * nothing (time never runs backwards for a bucket).
 *
 * Keys are BLAKE3-keyed hashes of the four length-prefixed fields (16
 * bytes), in an open-addressing table with a fixed capacity; when it is
 * full, buckets that have refilled completely (indistinguishable from a new
 * key) are reclaimed; if none can be, the call is refused (fail closed).
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "host_invoke_internal.h"

int fcp_inv_rate_init(fcp_inv_rate *r, size_t capacity, const uint8_t hkey[32])
{
    size_t ns = 16;
    memset(r, 0, sizeof *r);
    if (capacity == 0 || capacity > (1u << 22))
        return FCP_EINVAL;
    while (ns < 2 * capacity)
        ns <<= 1;
    r->slots = calloc(ns, sizeof *r->slots);
    if (!r->slots)
        return FCP_ENOMEM;
    r->nslots = ns;
    r->capacity = capacity;
    memcpy(r->hkey, hkey, 32);
    return 0;
}

void fcp_inv_rate_free(fcp_inv_rate *r)
{
    if (!r)
        return;
    free(r->slots);
    fcp_memzero(r, sizeof *r);
}

static void put_field(fcp_blake3_hasher *h, const char *s)
{
    uint8_t l[4];
    size_t n = s ? strlen(s) : 0;
    l[0] = (uint8_t)n;
    l[1] = (uint8_t)(n >> 8);
    l[2] = (uint8_t)(n >> 16);
    l[3] = (uint8_t)(n >> 24);
    fcp_blake3_hasher_update(h, l, 4);
    fcp_blake3_hasher_update(h, s, n);
}

static uint64_t refill(const fcp_inv_bucket *b, uint64_t now_ms)
{
    uint64_t full = (uint64_t)b->count * b->period_ms;
    uint64_t lv = b->level;
    if (now_ms > b->last_ms) {
        uint64_t dt = now_ms - b->last_ms;
        /* dt * count may overflow for absurd gaps: anything >= period fills */
        if (dt >= b->period_ms)
            lv = full;
        else {
            lv += dt * b->count;
            if (lv > full)
                lv = full;
        }
    }
    return lv;
}

/* Rebuild without the buckets that are full at now_ms. */
static void reclaim(fcp_inv_rate *r, uint64_t now_ms)
{
    fcp_inv_bucket *old = r->slots;
    size_t ns = r->nslots, kept = 0;
    fcp_inv_bucket *nw = calloc(ns, sizeof *nw);
    if (!nw)
        return;
    for (size_t i = 0; i < ns; i++) {
        fcp_inv_bucket *b = &old[i];
        if (!b->used)
            continue;
        if (refill(b, now_ms) == (uint64_t)b->count * b->period_ms)
            continue;
        uint64_t h;
        memcpy(&h, b->key, 8);
        size_t j = (size_t)h & (ns - 1);
        while (nw[j].used)
            j = (j + 1) & (ns - 1);
        nw[j] = *b;
        kept++;
    }
    free(old);
    r->slots = nw;
    r->count = kept;
}

int fcp_inv_rate_take(fcp_inv_rate *r, const char *zone, const char *principal,
                      const char *connector, const char *operation, uint32_t count,
                      uint64_t period_ms, uint64_t now_ms, int consume, uint64_t *retry_ms)
{
    fcp_blake3_hasher h;
    uint8_t key[32];
    uint64_t hv;
    size_t i;
    if (retry_ms)
        *retry_ms = 0;
    if (count == 0 || period_ms == 0)
        return 0;
    fcp_blake3_hasher_init_keyed(&h, r->hkey);
    put_field(&h, zone);
    put_field(&h, principal);
    put_field(&h, connector);
    put_field(&h, operation);
    fcp_blake3_hasher_finalize(&h, key, 32);
    fcp_blake3_hasher_wipe(&h);
    memcpy(&hv, key, 8);
    for (int pass = 0; pass < 2; pass++) {
        i = (size_t)hv & (r->nslots - 1);
        while (r->slots[i].used) {
            fcp_inv_bucket *b = &r->slots[i];
            if (memcmp(b->key, key, 16) == 0) {
                /* a changed manifest limit restarts the bucket full */
                if (b->count != count || b->period_ms != period_ms) {
                    b->count = count;
                    b->period_ms = period_ms;
                    b->level = (uint64_t)count * period_ms;
                    b->last_ms = now_ms;
                }
                uint64_t lv = refill(b, now_ms);
                if (lv < period_ms) {
                    if (retry_ms)
                        *retry_ms = (period_ms - lv + count - 1) / count;
                    if (consume) {
                        b->level = lv;
                        if (now_ms > b->last_ms)
                            b->last_ms = now_ms;
                    }
                    return FCP_EINVOKE_RATE_LIMITED;
                }
                if (consume) {
                    b->level = lv - period_ms;
                    if (now_ms > b->last_ms)
                        b->last_ms = now_ms;
                }
                return 0;
            }
            i = (i + 1) & (r->nslots - 1);
        }
        /* a new key starts full: one call always fits */
        if (!consume)
            return 0;
        if (r->count < r->capacity)
            break;
        if (pass == 0)
            reclaim(r, now_ms);
        if (r->count >= r->capacity)
            return FCP_EINVOKE_RATE_TABLE;
    }
    i = (size_t)hv & (r->nslots - 1);
    while (r->slots[i].used)
        i = (i + 1) & (r->nslots - 1);
    fcp_inv_bucket *b = &r->slots[i];
    memcpy(b->key, key, 16);
    b->used = 1;
    b->count = count;
    b->period_ms = period_ms;
    b->level = (uint64_t)count * period_ms - period_ms;
    b->last_ms = now_ms;
    r->count++;
    return 0;
}
