/*
 * authz_idempotency.c - bounded idempotency table (spec §9.4, D-OP-2): open
 * addressing with linear probing on a keyed BLAKE3 hash of (zone, key) and
 * backward-shift deletion, so lookups never walk tombstones.
 */
#include "fcp/authz_idempotency.h"

#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

int fcp_idem_init(fcp_idem_table *t, size_t capacity, const uint8_t hash_key[32])
{
    size_t ns = 2;
    memset(t, 0, sizeof *t);
    if (capacity == 0 || capacity > FCP_IDEM_MAX_CAPACITY)
        return FCP_EINVAL;
    while (ns < 2 * capacity)
        ns <<= 1;
    t->slots = calloc(ns, sizeof *t->slots);
    if (!t->slots)
        return FCP_ENOMEM;
    t->nslots = ns;
    t->capacity = capacity;
    memcpy(t->hkey, hash_key, 32);
    return 0;
}

void fcp_idem_free(fcp_idem_table *t)
{
    free(t->slots);
    fcp_memzero(t, sizeof *t);
}

static int check(const char *zone, const char *key, size_t *zl, size_t *kl)
{
    *zl = strnlen(zone, FCP_ZONE_ID_MAX + 1);
    *kl = strnlen(key, FCP_IDEMPOTENCY_KEY_MAX + 1);
    TRY(fcp_zone_id_validate(zone, *zl));
    return fcp_idempotency_key_validate(key, *kl);
}

static uint64_t hash(const fcp_idem_table *t, const char *zone, size_t zl, const char *key, size_t kl)
{
    fcp_blake3_hasher h;
    uint8_t out[8];
    fcp_blake3_hasher_init_keyed(&h, t->hkey);
    fcp_blake3_hasher_update(&h, zone, zl + 1);   /* NUL separates zone and key */
    fcp_blake3_hasher_update(&h, key, kl);
    fcp_blake3_hasher_finalize(&h, out, 8);
    return fcp_load_u64le(out);
}

/* Slot holding (zone, key), or the empty slot where it would go. */
static size_t find(const fcp_idem_table *t, uint64_t hv, const char *zone, const char *key)
{
    size_t m = t->nslots - 1, i = (size_t)hv & m;
    while (t->slots[i].state != FCP_IDEM_EMPTY) {
        const fcp_idem_entry *e = &t->slots[i];
        if (e->hash == hv && strcmp(e->zone_id, zone) == 0 && strcmp(e->key, key) == 0)
            return i;
        i = (i + 1) & m;
    }
    return i;
}

static void remove_at(fcp_idem_table *t, size_t i)
{
    size_t m = t->nslots - 1, j = i;
    for (;;) {
        j = (j + 1) & m;
        if (t->slots[j].state == FCP_IDEM_EMPTY)
            break;
        size_t home = (size_t)t->slots[j].hash & m;
        /* move j back into the hole i unless its home lies cyclically in (i, j] */
        int stays = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    memset(&t->slots[i], 0, sizeof t->slots[i]);
    t->count--;
}

/* Slot of the live entry for (zone, key), reclaiming it first if expired
 * (the returned slot is then the empty one where it would go). */
static size_t lookup_live(fcp_idem_table *t, const char *zone, size_t zl, const char *key, size_t kl,
                          uint64_t now)
{
    uint64_t hv = hash(t, zone, zl, key, kl);
    size_t i = find(t, hv, zone, key);
    if (t->slots[i].state != FCP_IDEM_EMPTY && t->slots[i].expires_at < now) {
        remove_at(t, i);
        i = find(t, hv, zone, key);
    }
    return i;
}

size_t fcp_idem_expire(fcp_idem_table *t, uint64_t now)
{
    size_t n = 0, i = 0;
    while (i < t->nslots) {
        if (t->slots[i].state != FCP_IDEM_EMPTY && t->slots[i].expires_at < now) {
            remove_at(t, i);   /* may move a later entry into i: look again */
            n++;
        } else {
            i++;
        }
    }
    return n;
}

int fcp_idem_begin(fcp_idem_table *t, const char *zone, const char *key,
                   const uint8_t request_object_id[FCP_OBJECT_ID_BYTES],
                   const uint8_t intent_id[FCP_OBJECT_ID_BYTES], uint64_t now, uint64_t ttl,
                   uint8_t prior_receipt[FCP_OBJECT_ID_BYTES])
{
    size_t zl, kl;
    TRY(check(zone, key, &zl, &kl));
    uint64_t hv = hash(t, zone, zl, key, kl);
    size_t i = find(t, hv, zone, key);
    fcp_idem_entry *e = &t->slots[i];
    if (e->state != FCP_IDEM_EMPTY && e->expires_at < now) {
        remove_at(t, i);
        i = find(t, hv, zone, key);
        e = &t->slots[i];
    }
    if (e->state != FCP_IDEM_EMPTY) {
        if (memcmp(e->request_object_id, request_object_id, FCP_OBJECT_ID_BYTES) != 0)
            return FCP_EOP_IDEMPOTENCY_CONFLICT;
        if (e->state == FCP_IDEM_IN_PROGRESS)
            return FCP_EOP_IN_PROGRESS;
        memcpy(prior_receipt, e->receipt_id, FCP_OBJECT_ID_BYTES);
        return 1;
    }
    if (t->count >= t->capacity) {
        if (fcp_idem_expire(t, now) == 0)
            return FCP_EOP_IDEMPOTENCY_FULL;
        i = find(t, hv, zone, key);
        e = &t->slots[i];
    }
    memset(e, 0, sizeof *e);
    e->hash = hv;
    e->state = FCP_IDEM_IN_PROGRESS;
    memcpy(e->zone_id, zone, zl + 1);
    memcpy(e->key, key, kl + 1);
    memcpy(e->request_object_id, request_object_id, FCP_OBJECT_ID_BYTES);
    memcpy(e->intent_id, intent_id, FCP_OBJECT_ID_BYTES);
    e->expires_at = ttl > UINT64_MAX - now ? UINT64_MAX : now + ttl;
    t->count++;
    return 0;
}

int fcp_idem_complete(fcp_idem_table *t, const char *zone, const char *key,
                      const uint8_t request_object_id[FCP_OBJECT_ID_BYTES],
                      const uint8_t receipt_id[FCP_OBJECT_ID_BYTES], uint64_t now, uint64_t ttl)
{
    size_t zl, kl;
    TRY(check(zone, key, &zl, &kl));
    size_t i = lookup_live(t, zone, zl, key, kl, now);
    fcp_idem_entry *e = &t->slots[i];
    if (e->state == FCP_IDEM_EMPTY)
        return FCP_ENOENT;
    if (memcmp(e->request_object_id, request_object_id, FCP_OBJECT_ID_BYTES) != 0)
        return FCP_EOP_IDEMPOTENCY_CONFLICT;
    if (e->state == FCP_IDEM_COMPLETED)
        return memcmp(e->receipt_id, receipt_id, FCP_OBJECT_ID_BYTES) == 0 ? 0
                                                                          : FCP_EOP_IDEMPOTENCY_CONFLICT;
    memcpy(e->receipt_id, receipt_id, FCP_OBJECT_ID_BYTES);
    e->state = FCP_IDEM_COMPLETED;
    uint64_t until = ttl > UINT64_MAX - now ? UINT64_MAX : now + ttl;
    if (until > e->expires_at)
        e->expires_at = until;
    return 0;
}

int fcp_idem_abort(fcp_idem_table *t, const char *zone, const char *key, uint64_t now)
{
    size_t zl, kl;
    TRY(check(zone, key, &zl, &kl));
    size_t i = lookup_live(t, zone, zl, key, kl, now);
    if (t->slots[i].state == FCP_IDEM_EMPTY)
        return FCP_ENOENT;
    if (t->slots[i].state == FCP_IDEM_COMPLETED)
        return FCP_EOP_IDEMPOTENCY_CONFLICT;
    remove_at(t, i);
    return 0;
}
