/*
 * authz_idempotency.h - the bounded in-memory idempotency table that makes
 * "same idempotency key -> the prior receipt" enforceable (spec §9.4,
 * D-OP-2).
 *
 * Each entry maps (zone, idempotency key) to the request it was first used
 * for, the OperationIntent id, and - once the operation completed - the
 * OperationReceipt id.  A retry with the same key and the same request gets
 * the prior receipt (never a second execution); with another request it is a
 * conflict.  The table has a fixed capacity chosen at init: live entries are
 * never evicted (a full table refuses new keys, fail closed), expired ones are
 * reclaimed.  Open addressing with linear probing on a keyed hash, backward-
 * shift deletion; no allocation after init.
 */
#ifndef FCP_AUTHZ_IDEMPOTENCY_H
#define FCP_AUTHZ_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/model_ids.h"
#include "fcp/model_operation.h"

#define FCP_IDEM_MAX_CAPACITY (1u << 22)

enum fcp_idem_state { FCP_IDEM_EMPTY = 0, FCP_IDEM_IN_PROGRESS = 1, FCP_IDEM_COMPLETED = 2 };

typedef struct fcp_idem_entry {
    uint64_t hash;
    uint8_t  state;                   /* enum fcp_idem_state */
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    char     key[FCP_IDEMPOTENCY_KEY_MAX + 1];
    uint8_t  request_object_id[FCP_OBJECT_ID_BYTES];
    uint8_t  intent_id[FCP_OBJECT_ID_BYTES];
    uint8_t  receipt_id[FCP_OBJECT_ID_BYTES];
    uint64_t expires_at;
} fcp_idem_entry;

typedef struct fcp_idem_table {
    fcp_idem_entry *slots;
    size_t   nslots;      /* power of two, >= 2 * capacity */
    size_t   capacity;    /* max live entries */
    size_t   count;
    uint8_t  hkey[32];
} fcp_idem_table;

/* Table for up to capacity entries (1..FCP_IDEM_MAX_CAPACITY, else
 * FCP_EINVAL); hash_key is 32 random bytes from the caller (sans-IO).
 * FCP_ENOMEM.  Free with fcp_idem_free. */
int fcp_idem_init(fcp_idem_table *t, size_t capacity, const uint8_t hash_key[32]);
void fcp_idem_free(fcp_idem_table *t);

/* Look up (zone, key) before executing request_object_id at now:
 *   0  new key: an IN_PROGRESS entry is recorded with intent_id, expiring
 *      at now + ttl; the caller stores the intent and executes
 *   1  the key completed for this same request: *prior_receipt (32 bytes)
 *      receives the receipt id to return instead of executing again
 *   FCP_EOP_IN_PROGRESS          same request, no receipt yet (a concurrent
 *                                or crashed execution: do not run it again)
 *   FCP_EOP_IDEMPOTENCY_CONFLICT same key used for a different request
 *   FCP_EOP_IDEMPOTENCY_FULL     no room after reclaiming expired entries
 *   FCP_EOP_KEY / zone errors    invalid key or zone
 * An entry whose expires_at < now counts as absent. */
int fcp_idem_begin(fcp_idem_table *t, const char *zone, const char *key,
                   const uint8_t request_object_id[FCP_OBJECT_ID_BYTES],
                   const uint8_t intent_id[FCP_OBJECT_ID_BYTES], uint64_t now, uint64_t ttl,
                   uint8_t prior_receipt[FCP_OBJECT_ID_BYTES]);

/* Record the receipt of an IN_PROGRESS entry (keeps its expiry, or extends
 * it to now + ttl when later).  FCP_ENOENT if there is no such entry,
 * FCP_EOP_IDEMPOTENCY_CONFLICT if it is for another request or already
 * completed with another receipt. */
int fcp_idem_complete(fcp_idem_table *t, const char *zone, const char *key,
                      const uint8_t request_object_id[FCP_OBJECT_ID_BYTES],
                      const uint8_t receipt_id[FCP_OBJECT_ID_BYTES], uint64_t now, uint64_t ttl);

/* Drop an IN_PROGRESS entry whose execution failed before any side effect
 * (a COMPLETED entry is never dropped: FCP_EOP_IDEMPOTENCY_CONFLICT).
 * FCP_ENOENT if absent.  In complete and abort, as in begin, an entry with
 * expires_at < now counts as absent. */
int fcp_idem_abort(fcp_idem_table *t, const char *zone, const char *key, uint64_t now);

/* Reclaim every entry with expires_at < now; returns how many. */
size_t fcp_idem_expire(fcp_idem_table *t, uint64_t now);

#endif
