/*
 * store_internal.h - what the store's modules share: the handle, the table
 * of prepared statements (one fixed SQL text per enum value, prepared once
 * at open), transaction helpers and SQLite error mapping.
 * Not installed; only src/store/store_*.c include it.
 */
#ifndef FCP_STORE_INTERNAL_H
#define FCP_STORE_INTERNAL_H

#include <sqlite3.h>

#include "fcp/store.h"

enum st_id {
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
    ST_OBJ_INSERT, ST_OBJ_GET, ST_OBJ_META, ST_OBJ_SET_BODY, ST_OBJ_DELETE, ST_OBJ_HAS,
    ST_OBJ_SET_RETENTION, ST_OBJ_ADD_BYTES, ST_OBJ_LIST_ZONE, ST_OBJ_UNQUARANTINE,
    ST_REF_INSERT,
    ST_SYM_GET, ST_SYM_INSERT, ST_SYM_LIST, ST_SYM_COUNT,
    ST_PIN_INSERT, ST_PIN_DELETE, ST_PIN_HAS,
    ST_FRONTIER_SET, ST_FRONTIER_GET, ST_FRONTIER_IS,
    ST_QUOTA_SET, ST_QUOTA_DELETE, ST_QUOTA_GET,
    ST_USAGE_ADD, ST_USAGE_INSERT, ST_USAGE_GET,
    ST_Q_INSERT, ST_Q_ADD_BYTES, ST_Q_PEER_USAGE, ST_Q_TOTAL_USAGE, ST_Q_OLDEST_PEER, ST_Q_OLDEST_ALL,
    ST_Q_DELETE, ST_Q_EXPIRED, ST_Q_GET,
    ST_SAVEPOINT, ST_RELEASE, ST_ROLLBACK_TO,
    ST_RQ_OBJ_GET, ST_RQ_OBJ_INSERT, ST_RQ_OBJ_FLAGS, ST_RQ_OBJ_ADD, ST_RQ_OBJ_DELETE, ST_RQ_OBJ_LIST,
    ST_RQ_OBJ_LIST_ZONE, ST_RQ_SYM_GET, ST_RQ_SYM_INSERT, ST_RQ_SYM_ESIS,
    ST_RQ_SYM_REPLACE, ST_RQ_SYM_DELETE,
    ST__COUNT
};

/* Storage subkeys of the sealing layer, by (zone, key id, zone key). */
#define FCP_STORE_SEAL_CACHE 16
typedef struct fcp_store_seal_entry {
    int     used;
    char    zone[FCP_ZONE_ID_MAX + 1];
    uint8_t kid[8];
    uint8_t key[32];
    uint8_t subkey[32];
} fcp_store_seal_entry;

struct fcp_store {
    sqlite3         *db;
    sqlite3_stmt    *st[ST__COUNT];
    fcp_store_options opt;
    int              version;
    int              txn_open;     /* inside fcp_store_txn_begin ... commit */
    char             errmsg[256];
    /* sealing of rq symbols at rest (store_seal.c, D-STORE-6) */
    fcp_store_seal_entry seal[FCP_STORE_SEAL_CACHE];
    unsigned         seal_next;            /* round-robin replacement */
    uint8_t          nonces[4096];         /* random bytes handed out 24 at a time */
    size_t           nonce_pos;            /* == sizeof nonces: refill */
    fcp_store_seal_stats seal_stats;
};

/* Map a SQLite result code to an FCP_ESTORE_* error, remembering SQLite's
 * message for fcp_store_errmsg. */
int fcp_store__err(fcp_store *s, int sqlite_rc);
/* The prepared statement, reset and with bindings cleared. */
sqlite3_stmt *fcp_store__stmt(fcp_store *s, enum st_id id);
/* Step a statement that returns no rows (SQLITE_DONE expected). */
int fcp_store__exec(fcp_store *s, sqlite3_stmt *q);
/* Run a fixed SQL text that has no parameters (schema, pragmas, temp tables). */
int fcp_store__exec_sql(fcp_store *s, const char *sql);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int fcp_store__begin(fcp_store *s);
int fcp_store__commit(fcp_store *s);
void fcp_store__rollback(fcp_store *s);
/* Finish a write: commit if rc == 0, roll back otherwise; returns the result. */
int fcp_store__end(fcp_store *s, int rc);

uint64_t fcp_store__now(const fcp_store *s);

/* Delete one object (not pinned/frontier-checked) and fix the zone usage;
 * inside a transaction.  *bytes (may be NULL) receives its stored_bytes. */
int fcp_store__delete_locked(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint64_t *bytes);
/* Add delta bytes / objects to a zone's usage, checking its quota when
 * check_quota and the change grows the zone.  Inside a transaction. */
int fcp_store__usage_add(fcp_store *s, const char *zone, int64_t dbytes, int64_t dobjects,
                         int check_quota);

/* Evict the oldest quarantined objects (never keep_id) until the peer's and
 * the total caps hold; FCP_ESTORE_QUARANTINE_CAP if keep_id alone breaks a
 * cap.  Inside a transaction.  *evicted (may be NULL) is incremented. */
int fcp_store__quarantine_enforce(fcp_store *s, const char *peer, const uint8_t keep_id[FCP_OBJECT_ID_BYTES],
                                  size_t *evicted);
/* Look up an object: 1 found (outputs that are not NULL filled: zone copied,
 * quarantined flag, stored_bytes, retention kind), 0 absent, <0 error. */
int fcp_store__lookup(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], char zone[FCP_ZONE_ID_MAX + 1],
                      int *quarantined, uint64_t *stored_bytes, int *retention);
/* Sealing (store_seal.c).  The subkey for the zone's active key (kid
 * written) or for (zone, kid); *subkey points into the handle's cache and is
 * valid until the next call.  0, FCP_ESTORE_NO_KEY, FCP_EINVAL. */
int fcp_store__seal_active(fcp_store *s, const char *zone, uint8_t kid[8], const uint8_t **subkey);
int fcp_store__seal_subkey(fcp_store *s, const char *zone, const uint8_t kid[8], const uint8_t **subkey);
/* A fresh random nonce: 0 or FCP_ERNG. */
int fcp_store__seal_nonce(fcp_store *s, uint8_t nonce[FCP_STORE_SEAL_NONCE_BYTES]);
/* Wipe the cached keys (close). */
void fcp_store__seal_wipe(fcp_store *s);
/* Migration 3's data step (store_rq.c): seal every row of the plaintext
 * rq_symbols table into rq_symbols_sealed, then replace the former with the
 * latter.  Inside the migration's transaction. */
int fcp_store__rq_seal_migrate(fcp_store *s);

/* Bind a 32-byte id. */
int fcp_store__bind_id(sqlite3_stmt *q, int col, const uint8_t id[FCP_OBJECT_ID_BYTES]);

#endif
