/*
 * store.h - the node's durable object and symbol store (spec §3.6-§3.8,
 * §8.4), on SQLite in WAL mode.
 *
 * What it holds, per node:
 *   objects     one row per ObjectId: zone, SchemaHash, canonical header
 *               CBOR, the schema-prefixed body (or none when only symbols
 *               are held), size, RetentionClass, lease expiry, arrival time
 *   symbols     RaptorQ symbols per (object, SBN, ESI, zone key id)
 *   rq_objects  the mesh engine's symbol-only objects: zone, K, T, flags
 *   rq_symbols  their symbols per (object, ESI), the MeshNode's local share
 *   refs        ObjectHeader.refs edges, the graph reachability GC walks
 *   pins        explicit GC roots; frontiers: the latest ZoneFrontier or
 *               checkpoint per zone (also a root)
 *   quarantine  objects received from peers that nothing references yet,
 *               with per-peer and total caps, evicted oldest first
 *   quotas      per-zone byte limits, with usage kept in step
 *
 * Every write is one SQLite transaction (BEGIN IMMEDIATE ... COMMIT): a
 * call either happens completely or not at all, and once it returns 0 the
 * write survives a crash (synchronous=FULL by default; D-STORE-2).  SQL is
 * never built from input: every statement is a fixed string, prepared once
 * at open and bound with parameters.
 *
 * A handle is used by one thread at a time.  Several processes may open the
 * same file (WAL allows one writer and many readers); a writer that waits
 * longer than busy_timeout_ms gets FCP_ESTORE_BUSY.
 *
 * Errors: FCP_ESTORE_* (SQLite failures mapped by kind: BUSY, FULL,
 * READONLY, CORRUPT, IO, NOMEM, OPEN, SQL), FCP_EINVAL for bad arguments,
 * model errors from encoding the header.  fcp_store_errmsg gives SQLite's
 * text for the last failure, for logs.
 */
#ifndef FCP_STORE_H
#define FCP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/clock.h"
#include "fcp/model_ids.h"
#include "fcp/model_object.h"
#include "fcp/rng.h"

#define FCP_STORE_SCHEMA_VERSION 3
#define FCP_STORE_PEER_MAX       FCP_NODE_ID_MAX   /* bytes of a peer node id */
#define FCP_STORE_SYMBOL_MAX     65536             /* bytes of one stored symbol */
#define FCP_STORE_BODY_MAX       (64u << 20)       /* bytes of one stored body */

typedef struct fcp_store fcp_store;

/*
 * Zone keys for the mesh symbols sealed at rest (schema 3, D-STORE-6).  The
 * store seals every rq symbol under a subkey of its zone's key and records
 * the key id with it; a symbol sealed under an older key id still opens as
 * long as `key` can return that key (rotation overlap).  Both callbacks
 * return 0 with the key written, or a negative error (FCP_ENOENT: no such
 * key).  The store copies the struct at open; ctx must outlive the handle.
 */
typedef struct fcp_store_keyring {
    void *ctx;
    /* The zone's active key (the one new symbols are sealed under). */
    int (*active_key)(void *ctx, const char *zone_id, uint8_t key_id[8], uint8_t key[32]);
    /* The zone's key with that key id. */
    int (*key)(void *ctx, const char *zone_id, const uint8_t key_id[8], uint8_t key[32]);
} fcp_store_keyring;

typedef struct fcp_store_options {
    const fcp_clock *clock;          /* NULL: system clock; used for lease expiry and timestamps */
    int      synchronous_full;       /* 1 (default): PRAGMA synchronous=FULL; 0: NORMAL */
    int      read_only;              /* open without write access */
    int      busy_timeout_ms;        /* default 5000 */
    uint64_t max_db_bytes;           /* hard cap on the database file (0: none); a write
                                        past it fails with FCP_ESTORE_FULL */
    /* quarantine caps (spec §8.4; D-STORE-4) */
    uint64_t quarantine_max_bytes;           /* total; default 256 MiB */
    uint64_t quarantine_max_bytes_per_peer;  /* default 32 MiB */
    uint32_t quarantine_max_objects_per_peer;/* default 4096 */
    /* mesh symbols at rest (D-STORE-6): without keyring callbacks the rq
     * symbol calls fail with FCP_ESTORE_NO_KEY (a database without rq
     * symbols opens and migrates fine) */
    fcp_store_keyring keyring;
    const fcp_rng   *rng;            /* nonces; NULL: fcp_rng_system() */
} fcp_store_options;

void fcp_store_options_default(fcp_store_options *o);

/* Open (creating if needed, unless read_only) the store at path, apply the
 * PRAGMAs (journal_mode=WAL, synchronous, foreign_keys=ON) and run any
 * pending schema migrations.  opt NULL means the defaults.  Caller closes
 * with fcp_store_close.  Errors: FCP_ESTORE_OPEN, FCP_ESTORE_SCHEMA
 * (database from a newer build, or needs migration but opened read-only),
 * FCP_ESTORE_CORRUPT (not a database), other FCP_ESTORE_*. */
int fcp_store_open(fcp_store **out, const char *path, const fcp_store_options *opt);
void fcp_store_close(fcp_store *s);

/* SQLite's message for the last failure on this handle ("" if none). */
const char *fcp_store_errmsg(const fcp_store *s);
/* Schema version of the open database. */
int fcp_store_schema_version(fcp_store *s);

/* ---- objects ------------------------------------------------------------ */

typedef struct fcp_store_record {
    uint8_t       object_id[FCP_OBJECT_ID_BYTES];
    char          zone_id[FCP_ZONE_ID_MAX + 1];
    uint8_t       schema_hash[FCP_SCHEMA_HASH_BYTES];
    uint64_t      size;          /* bytes of the object (body length when held) */
    int           has_body;
    fcp_retention retention;
    uint64_t      stored_at;     /* unix seconds when first stored */
    int           pinned;        /* explicit pin present */
    int           quarantined;
    uint64_t      stored_bytes;  /* header + body + symbols, what quotas count */
} fcp_store_record;

/* Store an object: its header (encoded canonically here; refs become GC
 * edges), its schema-prefixed body, and its retention, in one transaction.
 * body NULL means only symbols will be held; then object_size is the size
 * of the encoded object (ignored when body is given).  Idempotent: storing
 * the same id with the same header again returns 0 and, if the earlier put
 * had no body, adds it.  Errors: FCP_ESTORE_CONFLICT (same id, different
 * header or body), FCP_ESTORE_QUOTA (zone quota), FCP_ETOO_LARGE (body over
 * FCP_STORE_BODY_MAX), FCP_EINVAL (lease without expiry), model errors.
 * The ObjectId is the caller's (derived with the zone's ObjectIdKey, which
 * the store never sees). */
int fcp_store_put(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], const fcp_object_header *h,
                  const uint8_t *body, size_t body_len, uint64_t object_size,
                  const fcp_retention *retention);

/* Fetch an object's record and (when the buffers are not NULL) append its
 * canonical header CBOR and body to them (nothing appended to body when the
 * store holds no body).  FCP_ESTORE_NOT_FOUND if absent.  Quarantined
 * objects are returned too (rec->quarantined says so). */
int fcp_store_get(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], fcp_store_record *rec,
                  fcp_buf *header, fcp_buf *body);

/* 1 if the object is stored, 0 if not, or a negative error. */
int fcp_store_has(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES]);

/* Change an object's retention.  FCP_ESTORE_NOT_FOUND, FCP_EINVAL. */
int fcp_store_set_retention(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES],
                            const fcp_retention *retention);

/* Delete an object with its symbols, refs and pin.  FCP_ESTORE_PINNED if it
 * is explicitly pinned, has retention Pinned, or is a zone frontier (unpin
 * or change retention first).  FCP_ESTORE_NOT_FOUND if absent. */
int fcp_store_delete(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES]);

/* Object ids of one zone in ascending byte order, after `after` (NULL:
 * from the start), at most max of them; *n receives how many.  Quarantined
 * objects are not listed. */
int fcp_store_list_zone(fcp_store *s, const char *zone, const uint8_t *after,
                        uint8_t (*ids)[FCP_OBJECT_ID_BYTES], size_t max, size_t *n);

/* ---- symbols -------------------------------------------------------------- */

typedef struct fcp_store_symbol {
    uint32_t       esi;
    uint8_t        sbn;
    uint8_t        zone_key_id[8];
    const uint8_t *data;
    size_t         len;        /* 1..FCP_STORE_SYMBOL_MAX */
} fcp_store_symbol;

/* Store n symbols of one (already stored) object in one transaction.  A
 * symbol already stored with the same bytes is skipped; *added (may be
 * NULL) receives how many were new.  Errors: FCP_ESTORE_NOT_FOUND (no such
 * object), FCP_ESTORE_SYMBOL_CONFLICT (different bytes at the same
 * (sbn, esi, zone key); nothing of the batch is stored), FCP_ESTORE_QUOTA,
 * FCP_ESTORE_QUARANTINE_CAP, FCP_EINVAL (empty or oversized symbol). */
int fcp_store_put_symbols(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES],
                          const fcp_store_symbol *syms, size_t n, size_t *added);

/* Call cb for each symbol of the object in (sbn, esi, zone key) order; the
 * symbol's data is valid only during the call, and cb must not call into
 * the store.  A non-zero return from cb stops the walk and is returned. */
typedef int (*fcp_store_symbol_cb)(void *ctx, const fcp_store_symbol *sym);
int fcp_store_foreach_symbol(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES],
                             fcp_store_symbol_cb cb, void *ctx);

/* Number of symbols held for an object (0 if none or unknown object). */
int fcp_store_count_symbols(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint64_t *count);
/* 1 if that exact symbol slot is held, 0 if not, or a negative error. */
int fcp_store_has_symbol(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint8_t sbn,
                         uint32_t esi, const uint8_t zone_key_id[8]);

/* ---- mesh symbol store (schema 2; sealed at rest since schema 3) ---------------- */

/*
 * What the MeshNode engine keeps (fcp/mesh.h, fcp_mesh_store): objects it
 * holds only as RaptorQ symbols, each with the parameters needed to decode
 * (K, symbol size T; one source block, D-RQ-1), its zone and the engine's
 * flags (FCP_MESH_OBJ_ROOT), and symbols of exactly T bytes keyed by ESI.
 * These records are separate from the object records above (an object the
 * mesh holds may also have a header record there; neither needs the other).
 *
 * Sealed at rest (schema 3, D-STORE-6): every symbol is stored as
 * XChaCha20-Poly1305 ciphertext under a storage subkey of its zone's key
 * (options.keyring), with the key id, a random 24-byte nonce and the tag;
 * the AAD binds zone, object id, ESI and key id, so a row moved to another
 * object, ESI or zone does not open.  The calls below take and return
 * plaintext.  A row that does not open (tampered, or its key is no longer
 * known) is never returned: it is deleted (unless read-only), counted in
 * fcp_store_seal_stats, and reported as FCP_ESTORE_NOT_FOUND, so the mesh's
 * repair restores it from peers.  Opening a schema-2 database seals its
 * plaintext rows in the migration's one transaction (FCP_ESTORE_NO_KEY, and
 * the database left at schema 2, if a zone's key is missing), overwriting
 * the freed plaintext pages (secure_delete) and truncating the WAL.
 */
typedef struct fcp_store_rq_object {
    uint8_t  object_id[FCP_OBJECT_ID_BYTES];
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    uint32_t k;            /* 1..65535 */
    uint16_t symbol_size;  /* T, 1..65535 */
    uint32_t flags;
    uint32_t n_symbols;    /* symbols held (filled on read, ignored on put) */
} fcp_store_rq_object;

typedef struct fcp_store_rq_symbol {
    uint32_t       esi;
    const uint8_t *data;   /* symbol_size bytes */
} fcp_store_rq_symbol;

/* Store n symbols of object o in one transaction, creating its record
 * (zone, k, symbol_size, flags) if new.  An ESI already held with the same
 * bytes is skipped; *added (may be NULL) receives how many were new.  The
 * batch is all or nothing.  Errors: FCP_ESTORE_RQ_CONFLICT (record exists
 * with another zone, k or symbol_size), FCP_ESTORE_SYMBOL_CONFLICT (other
 * bytes at a held ESI), FCP_EINVAL (k, symbol_size or zone invalid),
 * FCP_ESTORE_NO_KEY (no active key for the zone), FCP_ESTORE_*.  A held ESI
 * whose row no longer opens is replaced by the new symbol (and counted). */
int fcp_store_rq_put(fcp_store *s, const fcp_store_rq_object *o, const fcp_store_rq_symbol *syms,
                     size_t n, size_t *added);
/* The record of an object with n_symbols: 0 or FCP_ESTORE_NOT_FOUND. */
int fcp_store_rq_stat(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], fcp_store_rq_object *o);
/* OR flags into a record: 0 or FCP_ESTORE_NOT_FOUND. */
int fcp_store_rq_set_flags(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint32_t flags);
/* ESIs held, ascending, skipping the first `from`, at most cap: *n written.
 * 0 or FCP_ESTORE_NOT_FOUND. */
int fcp_store_rq_list_esis(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint32_t from,
                           uint32_t *esis, size_t cap, size_t *n);
/* Open symbol esi into out[0..cap): 0 (*len set), FCP_ESTORE_NOT_FOUND (also
 * for a row that failed to open, now dropped), FCP_EBUFFER_TOO_SMALL. */
int fcp_store_rq_get_symbol(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint32_t esi,
                            uint8_t *out, size_t cap, size_t *len);
/* Records (n_symbols filled) of zone (NULL: every zone) with id > after
 * (NULL: from the smallest), ascending, at most cap: *n written. */
int fcp_store_rq_list(fcp_store *s, const char *zone, const uint8_t *after, fcp_store_rq_object *out,
                      size_t cap, size_t *n);
/* Forget an object and its symbols: 0 or FCP_ESTORE_NOT_FOUND. */
int fcp_store_rq_delete(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES]);
/* Objects, symbols and symbol bytes held in the rq tables. */
int fcp_store_rq_totals(fcp_store *s, uint64_t *objects, uint64_t *symbols, uint64_t *bytes);

/* Counters of the sealing layer since open. */
typedef struct fcp_store_seal_stats {
    uint64_t sealed;          /* symbols sealed (puts and migration) */
    uint64_t opened;          /* symbols opened and authenticated */
    uint64_t auth_failures;   /* rows whose tag did not verify */
    uint64_t no_key;          /* rows whose key id the keyring does not know */
    uint64_t dropped;         /* of those, rows deleted (or replaced by a put) */
    uint64_t migrated;        /* plaintext rows sealed by the schema-3 migration */
} fcp_store_seal_stats;
void fcp_store_seal_stats_get(const fcp_store *s, fcp_store_seal_stats *st);

/*
 * The sealing primitives (D-STORE-6; pinned by conformance/golden/store/):
 *   subkey = HKDF-SHA256(salt = key_id[8], ikm = zone_key[32],
 *                        info = "FCP2-STORE-SYMBOL-KEY-V1" || u8 len(zone) || zone, L = 32)
 *   aad    = "FCP2-STORE-SYMBOL-V1" || u8 len(zone) || zone || object_id[32]
 *            || esi u32le || key_id[8]
 *   data   = XChaCha20-Poly1305(subkey, nonce[24], aad, symbol), tag[16] apart
 * zone: a zone id (1..FCP_ZONE_ID_MAX bytes, else FCP_EINVAL).
 */
#define FCP_STORE_SEAL_NONCE_BYTES 24u
#define FCP_STORE_SEAL_TAG_BYTES   16u
#define FCP_STORE_SEAL_AAD_MAX     (20u + 1u + FCP_ZONE_ID_MAX + 32u + 4u + 8u)
int fcp_store_seal_subkey(uint8_t out[32], const uint8_t zone_key[32], const uint8_t key_id[8],
                          const char *zone);
/* aad[0..FCP_STORE_SEAL_AAD_MAX): its length, or FCP_EINVAL. */
int fcp_store_seal_aad(uint8_t aad[FCP_STORE_SEAL_AAD_MAX], const char *zone,
                       const uint8_t object_id[FCP_OBJECT_ID_BYTES], uint32_t esi, const uint8_t key_id[8]);
/* out may equal in.  0 or an error. */
int fcp_store_symbol_seal(const uint8_t subkey[32], const char *zone, const uint8_t object_id[FCP_OBJECT_ID_BYTES],
                          uint32_t esi, const uint8_t key_id[8], const uint8_t nonce[FCP_STORE_SEAL_NONCE_BYTES],
                          const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[FCP_STORE_SEAL_TAG_BYTES]);
/* 0, or FCP_ESTORE_SEAL_AUTH (out zeroed). */
int fcp_store_symbol_open(const uint8_t subkey[32], const char *zone, const uint8_t object_id[FCP_OBJECT_ID_BYTES],
                          uint32_t esi, const uint8_t key_id[8], const uint8_t nonce[FCP_STORE_SEAL_NONCE_BYTES],
                          const uint8_t *in, size_t len, const uint8_t tag[FCP_STORE_SEAL_TAG_BYTES], uint8_t *out);

/* ---- caller transactions ------------------------------------------------------ */

/* Group several writes into one transaction (fcpd commits the mesh engine's
 * symbol writes once per event-loop pass).  Between begin and commit each
 * write call runs as a savepoint: a failing call is undone alone and the
 * others stay pending; reads see the pending writes.  Nothing is durable
 * (nor visible to other connections) until fcp_store_txn_commit returns 0.
 * begin: FCP_EINVAL if one is already open, FCP_ESTORE_BUSY/READONLY.
 * commit: 0, or an error after which everything since begin is rolled back.
 * close rolls an open transaction back. */
int  fcp_store_txn_begin(fcp_store *s);
int  fcp_store_txn_commit(fcp_store *s);
void fcp_store_txn_rollback(fcp_store *s);
int  fcp_store_txn_active(const fcp_store *s);

/* ---- pins, frontiers, quotas ------------------------------------------------ */

/* Explicit pin (a GC root).  Pinning twice is not an error.
 * FCP_ESTORE_NOT_FOUND if the object is not stored (or quarantined). */
int fcp_store_pin(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES]);
/* Remove the explicit pin; FCP_ESTORE_NOT_FOUND if there was none. */
int fcp_store_unpin(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES]);

/* Record the latest ZoneFrontier / checkpoint of zone (spec §3.8): it
 * replaces the previous one as that zone's canonical GC root.  The object
 * must be stored in that zone (FCP_ESTORE_NOT_FOUND, FCP_ESTORE_HEADER). */
int fcp_store_set_frontier(fcp_store *s, const char *zone, const uint8_t id[FCP_OBJECT_ID_BYTES]);
/* The frontier id of zone; FCP_ESTORE_NOT_FOUND if none. */
int fcp_store_get_frontier(fcp_store *s, const char *zone, uint8_t id[FCP_OBJECT_ID_BYTES]);

/* Set a zone's byte quota (0 removes it).  Takes effect for later writes;
 * a zone already above its new quota keeps its data. */
int fcp_store_set_quota(fcp_store *s, const char *zone, uint64_t max_bytes);
/* Bytes and objects currently counted against zone. */
int fcp_store_zone_usage(fcp_store *s, const char *zone, uint64_t *bytes, uint64_t *objects);

/* ---- garbage collection (spec §3.7) ------------------------------------------- */

typedef struct fcp_store_gc_result {
    uint64_t roots;          /* root objects found */
    uint64_t live;           /* objects reachable from the roots (stored or not) */
    uint64_t evicted;        /* objects deleted */
    uint64_t evicted_bytes;
} fcp_store_gc_result;

/* Reachability GC for one zone (zone NULL: all zones).  Roots: explicit
 * pins, objects with retention Pinned, unexpired Leases (clock), and the
 * zone frontiers.  Everything reachable from a root through refs (in any
 * zone) is live; every other non-quarantined object in the zone is evicted,
 * except Pinned ones (never without an explicit request).  One transaction. */
int fcp_store_gc(fcp_store *s, const char *zone, fcp_store_gc_result *res);

/* ---- quarantine (spec §8.4; D-STORE-4) ------------------------------------------ */

/* Admit an object received from peer that nothing local references yet.
 * It is stored quarantined (Ephemeral, not counted against zone quotas,
 * invisible to list_zone and pins), then the oldest quarantined objects of
 * that peer, and then of all peers, are evicted until the caps hold again.
 * *evicted (may be NULL) receives how many were evicted.  Already stored
 * (quarantined or not): 0, nothing changes.  FCP_ESTORE_QUARANTINE_CAP if
 * the object alone exceeds a cap.  peer: a node id (FCP_ENODE_ID). */
int fcp_store_quarantine_admit(fcp_store *s, const char *peer, const uint8_t id[FCP_OBJECT_ID_BYTES],
                               const fcp_object_header *h, const uint8_t *body, size_t body_len,
                               uint64_t object_size, size_t *evicted);

/* Move a quarantined object into the store proper with the given retention
 * (it now counts against its zone's quota: FCP_ESTORE_QUOTA).
 * FCP_ESTORE_NOT_FOUND if it is not quarantined. */
int fcp_store_quarantine_promote(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES],
                                 const fcp_retention *retention);

/* Evict quarantined objects admitted before `before` (unix seconds); *evicted
 * receives how many. */
int fcp_store_quarantine_expire(fcp_store *s, uint64_t before, size_t *evicted);

/* Quarantine usage of one peer (peer NULL: all peers). */
int fcp_store_quarantine_usage(fcp_store *s, const char *peer, uint64_t *bytes, uint64_t *objects);

/* ---- integrity and statistics --------------------------------------------------- */

/* Run PRAGMA integrity_check and foreign_key_check, then the store's own
 * invariants: every symbol's object exists; refs equal each header's refs;
 * each header decodes, matches its zone and schema columns; stored_bytes and
 * zone usage add up; quarantine rows and flags agree; frontiers are stored
 * in their zone.  0 if all hold; FCP_ESTORE_INTEGRITY with the first problem
 * in report (NUL-terminated, may be NULL) otherwise. */
int fcp_store_check(fcp_store *s, char *report, size_t report_len);

typedef struct fcp_store_stats {
    uint64_t objects, objects_with_body, object_bytes;
    uint64_t symbols, symbol_bytes;
    uint64_t quarantined, quarantine_bytes;
    uint64_t pins, zones, refs;
    uint64_t db_bytes;       /* page_count * page_size of the main file */
} fcp_store_stats;

int fcp_store_stats_get(fcp_store *s, fcp_store_stats *st);

#endif
