/*
 * store_db.c - opening the store: PRAGMAs, schema migrations, the prepared
 * statement table, transactions and SQLite error mapping.
 *
 * The schema is versioned by the schema_version table (one row per applied
 * migration).  Migrations are fixed SQL texts applied in order, each in its
 * own transaction together with its schema_version row, so a crash during
 * an upgrade leaves the database at the previous version, never between
 * two.  A database newer than this build is refused rather than guessed at.
 *
 * Every statement the store runs is in the table below: fixed text,
 * parameters bound by position, prepared once (SQLITE_PREPARE_PERSISTENT).
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"

static const char *const st_sql[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_OBJ_INSERT] = "INSERT INTO objects(object_id, zone, schema_hash, header, body, size, stored_bytes,"
                      " retention, lease_expires, quarantined, created_at)"
                      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [ST_OBJ_GET] = "SELECT zone, schema_hash, header, body, size, retention, lease_expires, created_at,"
                   " quarantined, stored_bytes,"
                   " EXISTS(SELECT 1 FROM pins p WHERE p.object_id = o.object_id)"
                   " FROM objects o WHERE object_id = ?1",
    [ST_OBJ_META] = "SELECT zone, header, body, quarantined FROM objects WHERE object_id = ?1",
    [ST_OBJ_SET_BODY] = "UPDATE objects SET body = ?2, size = ?3, stored_bytes = stored_bytes + ?4"
                        " WHERE object_id = ?1",
    [ST_OBJ_DELETE] = "DELETE FROM objects WHERE object_id = ?1",
    [ST_OBJ_HAS] = "SELECT zone, quarantined, stored_bytes, retention FROM objects WHERE object_id = ?1",
    [ST_OBJ_SET_RETENTION] = "UPDATE objects SET retention = ?2, lease_expires = ?3 WHERE object_id = ?1",
    [ST_OBJ_ADD_BYTES] = "UPDATE objects SET stored_bytes = stored_bytes + ?2 WHERE object_id = ?1",
    [ST_OBJ_LIST_ZONE] = "SELECT object_id FROM objects WHERE zone = ?1 AND quarantined = 0"
                         " AND object_id > ?2 ORDER BY object_id LIMIT ?3",
    [ST_OBJ_UNQUARANTINE] = "UPDATE objects SET quarantined = 0, retention = ?2, lease_expires = ?3"
                            " WHERE object_id = ?1",
    [ST_REF_INSERT] = "INSERT OR IGNORE INTO refs(src, dst) VALUES(?1, ?2)",
    [ST_SYM_GET] = "SELECT data FROM symbols WHERE object_id = ?1 AND sbn = ?2 AND esi = ?3"
                   " AND zone_key_id = ?4",
    [ST_SYM_INSERT] = "INSERT INTO symbols(object_id, sbn, esi, zone_key_id, data) VALUES(?1, ?2, ?3, ?4, ?5)",
    [ST_SYM_LIST] = "SELECT sbn, esi, zone_key_id, data FROM symbols WHERE object_id = ?1"
                    " ORDER BY sbn, esi, zone_key_id",
    [ST_SYM_COUNT] = "SELECT count(*) FROM symbols WHERE object_id = ?1",
    [ST_PIN_INSERT] = "INSERT OR IGNORE INTO pins(object_id, pinned_at) VALUES(?1, ?2)",
    [ST_PIN_DELETE] = "DELETE FROM pins WHERE object_id = ?1",
    [ST_PIN_HAS] = "SELECT 1 FROM pins WHERE object_id = ?1",
    [ST_FRONTIER_SET] = "INSERT INTO frontiers(zone, object_id, set_at) VALUES(?1, ?2, ?3)"
                        " ON CONFLICT(zone) DO UPDATE SET object_id = excluded.object_id,"
                        " set_at = excluded.set_at",
    [ST_FRONTIER_GET] = "SELECT object_id FROM frontiers WHERE zone = ?1",
    [ST_FRONTIER_IS] = "SELECT 1 FROM frontiers WHERE object_id = ?1",
    [ST_QUOTA_SET] = "INSERT INTO quotas(zone, max_bytes) VALUES(?1, ?2)"
                     " ON CONFLICT(zone) DO UPDATE SET max_bytes = excluded.max_bytes",
    [ST_QUOTA_DELETE] = "DELETE FROM quotas WHERE zone = ?1",
    [ST_QUOTA_GET] = "SELECT max_bytes FROM quotas WHERE zone = ?1",
    [ST_USAGE_ADD] = "UPDATE zone_usage SET bytes = bytes + ?2, objects = objects + ?3 WHERE zone = ?1",
    [ST_USAGE_INSERT] = "INSERT INTO zone_usage(zone, bytes, objects) VALUES(?1, ?2, ?3)",
    [ST_USAGE_GET] = "SELECT bytes, objects FROM zone_usage WHERE zone = ?1",
    [ST_Q_INSERT] = "INSERT INTO quarantine(object_id, peer, bytes, admitted_at) VALUES(?1, ?2, ?3, ?4)",
    [ST_Q_ADD_BYTES] = "UPDATE quarantine SET bytes = bytes + ?2 WHERE object_id = ?1",
    [ST_Q_PEER_USAGE] = "SELECT coalesce(sum(bytes), 0), count(*) FROM quarantine WHERE peer = ?1",
    [ST_Q_TOTAL_USAGE] = "SELECT coalesce(sum(bytes), 0), count(*) FROM quarantine",
    [ST_Q_OLDEST_PEER] = "SELECT object_id FROM quarantine WHERE peer = ?1 AND object_id <> ?2"
                         " ORDER BY seq LIMIT 1",
    [ST_Q_OLDEST_ALL] = "SELECT object_id FROM quarantine WHERE object_id <> ?1 ORDER BY seq LIMIT 1",
    [ST_Q_DELETE] = "DELETE FROM quarantine WHERE object_id = ?1",
    [ST_Q_EXPIRED] = "SELECT object_id FROM quarantine WHERE admitted_at < ?1 ORDER BY seq LIMIT 1",
    [ST_Q_GET] = "SELECT peer, bytes FROM quarantine WHERE object_id = ?1",
    [ST_SAVEPOINT] = "SAVEPOINT fcp_call",
    [ST_RELEASE] = "RELEASE fcp_call",
    [ST_ROLLBACK_TO] = "ROLLBACK TO fcp_call",
    [ST_RQ_OBJ_GET] = "SELECT zone, k, symbol_size, flags, n_symbols FROM rq_objects WHERE object_id = ?1",
    [ST_RQ_OBJ_INSERT] = "INSERT INTO rq_objects(object_id, zone, k, symbol_size, flags, created_at)"
                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_RQ_OBJ_FLAGS] = "UPDATE rq_objects SET flags = flags | ?2 WHERE object_id = ?1",
    [ST_RQ_OBJ_ADD] = "UPDATE rq_objects SET n_symbols = n_symbols + ?2 WHERE object_id = ?1",
    [ST_RQ_OBJ_DELETE] = "DELETE FROM rq_objects WHERE object_id = ?1",
    [ST_RQ_OBJ_LIST] = "SELECT object_id, zone, k, symbol_size, flags, n_symbols"
                       " FROM rq_objects WHERE object_id > ?1 ORDER BY object_id LIMIT ?2",
    [ST_RQ_OBJ_LIST_ZONE] = "SELECT object_id, zone, k, symbol_size, flags, n_symbols"
                            " FROM rq_objects WHERE zone = ?3 AND object_id > ?1"
                            " ORDER BY object_id LIMIT ?2",
    [ST_RQ_SYM_GET] = "SELECT y.kid, y.nonce, y.tag, y.data, o.zone FROM rq_symbols y"
                      " JOIN rq_objects o ON o.object_id = y.object_id"
                      " WHERE y.object_id = ?1 AND y.esi = ?2",
    [ST_RQ_SYM_INSERT] = "INSERT INTO rq_symbols(object_id, esi, kid, nonce, tag, data)"
                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_RQ_SYM_REPLACE] = "UPDATE rq_symbols SET kid = ?3, nonce = ?4, tag = ?5, data = ?6"
                          " WHERE object_id = ?1 AND esi = ?2",
    [ST_RQ_SYM_DELETE] = "DELETE FROM rq_symbols WHERE object_id = ?1 AND esi = ?2",
    [ST_RQ_SYM_ESIS] = "SELECT esi FROM rq_symbols WHERE object_id = ?1 ORDER BY esi LIMIT ?3 OFFSET ?2",
};

/* Migration n (1-based) brings the schema from version n-1 to n. */
static const char *const migrations[] = {
    /* 1: initial schema */
    "CREATE TABLE schema_version("
    "  version INTEGER PRIMARY KEY,"
    "  applied_at INTEGER NOT NULL);"
    "CREATE TABLE objects("
    "  object_id BLOB PRIMARY KEY NOT NULL CHECK(length(object_id) = 32),"
    "  zone TEXT NOT NULL,"
    "  schema_hash BLOB NOT NULL CHECK(length(schema_hash) = 32),"
    "  header BLOB NOT NULL,"
    "  body BLOB,"
    "  size INTEGER NOT NULL CHECK(size >= 0),"
    "  stored_bytes INTEGER NOT NULL CHECK(stored_bytes >= 0),"
    "  retention INTEGER NOT NULL CHECK(retention IN (0, 1, 2)),"
    "  lease_expires INTEGER CHECK((retention = 1) = (lease_expires IS NOT NULL)),"
    "  quarantined INTEGER NOT NULL DEFAULT 0 CHECK(quarantined IN (0, 1)),"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX objects_by_zone ON objects(zone, object_id);"
    "CREATE TABLE symbols("
    "  object_id BLOB NOT NULL REFERENCES objects(object_id) ON DELETE CASCADE,"
    "  sbn INTEGER NOT NULL CHECK(sbn BETWEEN 0 AND 255),"
    "  esi INTEGER NOT NULL CHECK(esi BETWEEN 0 AND 4294967295),"
    "  zone_key_id BLOB NOT NULL CHECK(length(zone_key_id) = 8),"
    "  data BLOB NOT NULL CHECK(length(data) > 0),"
    "  PRIMARY KEY(object_id, sbn, esi, zone_key_id));"
    "CREATE TABLE refs("
    "  src BLOB NOT NULL REFERENCES objects(object_id) ON DELETE CASCADE,"
    "  dst BLOB NOT NULL CHECK(length(dst) = 32),"
    "  PRIMARY KEY(src, dst)) WITHOUT ROWID;"
    "CREATE INDEX refs_by_dst ON refs(dst);"
    "CREATE TABLE pins("
    "  object_id BLOB PRIMARY KEY NOT NULL REFERENCES objects(object_id) ON DELETE CASCADE,"
    "  pinned_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE frontiers("
    "  zone TEXT PRIMARY KEY NOT NULL,"
    "  object_id BLOB NOT NULL REFERENCES objects(object_id),"
    "  set_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX frontiers_by_object ON frontiers(object_id);"
    "CREATE TABLE quarantine("
    "  seq INTEGER PRIMARY KEY,"
    "  object_id BLOB NOT NULL UNIQUE REFERENCES objects(object_id) ON DELETE CASCADE,"
    "  peer TEXT NOT NULL,"
    "  bytes INTEGER NOT NULL CHECK(bytes >= 0),"
    "  admitted_at INTEGER NOT NULL);"
    "CREATE INDEX quarantine_by_peer ON quarantine(peer, seq);"
    "CREATE INDEX quarantine_by_time ON quarantine(admitted_at);"
    "CREATE TABLE quotas("
    "  zone TEXT PRIMARY KEY NOT NULL,"
    "  max_bytes INTEGER NOT NULL CHECK(max_bytes > 0)) WITHOUT ROWID;"
    "CREATE TABLE zone_usage("
    "  zone TEXT PRIMARY KEY NOT NULL,"
    "  bytes INTEGER NOT NULL CHECK(bytes >= 0),"
    "  objects INTEGER NOT NULL CHECK(objects >= 0)) WITHOUT ROWID;",
    /* 2: symbols of the mesh engine, kept per (object, ESI) with the
     * object's RaptorQ parameters (store_rq.c) */
    "CREATE TABLE rq_objects("
    "  object_id BLOB PRIMARY KEY NOT NULL CHECK(length(object_id) = 32),"
    "  zone TEXT NOT NULL,"
    "  k INTEGER NOT NULL CHECK(k BETWEEN 1 AND 65535),"
    "  symbol_size INTEGER NOT NULL CHECK(symbol_size BETWEEN 1 AND 65535),"
    "  flags INTEGER NOT NULL CHECK(flags BETWEEN 0 AND 4294967295),"
    "  n_symbols INTEGER NOT NULL DEFAULT 0 CHECK(n_symbols >= 0),"
    "  created_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX rq_objects_by_zone ON rq_objects(zone, object_id);"
    "CREATE TABLE rq_symbols("
    "  object_id BLOB NOT NULL REFERENCES rq_objects(object_id) ON DELETE CASCADE,"
    "  esi INTEGER NOT NULL CHECK(esi BETWEEN 0 AND 4294967295),"
    "  data BLOB NOT NULL CHECK(length(data) > 0),"
    "  PRIMARY KEY(object_id, esi));",
    /* 3: mesh symbols sealed at rest (D-STORE-6): key id, nonce and tag
     * per row, data is the ciphertext; fcp_store__rq_seal_migrate then seals
     * the plaintext rows into this table and puts it in rq_symbols' place */
    "CREATE TABLE rq_symbols_sealed("
    "  object_id BLOB NOT NULL REFERENCES rq_objects(object_id) ON DELETE CASCADE,"
    "  esi INTEGER NOT NULL CHECK(esi BETWEEN 0 AND 4294967295),"
    "  kid BLOB NOT NULL CHECK(length(kid) = 8),"
    "  nonce BLOB NOT NULL CHECK(length(nonce) = 24),"
    "  tag BLOB NOT NULL CHECK(length(tag) = 16),"
    "  data BLOB NOT NULL CHECK(length(data) > 0),"
    "  PRIMARY KEY(object_id, esi));",
};
/* A data step run after migration n's SQL, in its transaction (NULL: none). */
static int (*const migration_steps[])(fcp_store *) = {
    NULL, NULL, fcp_store__rq_seal_migrate,
};
#define N_MIGRATIONS (sizeof migrations / sizeof migrations[0])

void fcp_store_options_default(fcp_store_options *o)
{
    memset(o, 0, sizeof *o);
    o->clock = NULL;
    o->synchronous_full = 1;
    o->read_only = 0;
    o->busy_timeout_ms = 5000;
    o->quarantine_max_bytes = 256u << 20;
    o->quarantine_max_bytes_per_peer = 32u << 20;
    o->quarantine_max_objects_per_peer = 4096;
}

int fcp_store__err(fcp_store *s, int rc)
{
    if (s && s->db)
        snprintf(s->errmsg, sizeof s->errmsg, "%s", sqlite3_errmsg(s->db));
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return FCP_ESTORE_BUSY;
    case SQLITE_FULL:
        return FCP_ESTORE_FULL;
    case SQLITE_READONLY:
        return FCP_ESTORE_READONLY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return FCP_ESTORE_CORRUPT;
    case SQLITE_IOERR:
        return FCP_ESTORE_IO;
    case SQLITE_NOMEM:
        return FCP_ESTORE_NOMEM;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return FCP_ESTORE_OPEN;
    default:
        return FCP_ESTORE_SQL;
    }
}

sqlite3_stmt *fcp_store__stmt(fcp_store *s, enum st_id id)
{
    sqlite3_stmt *q = s->st[id];
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return q;
}

int fcp_store__exec(fcp_store *s, sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    int r = rc == SQLITE_DONE ? 0 : fcp_store__err(s, rc);
    sqlite3_reset(q);
    return r;
}

int fcp_store__exec_sql(fcp_store *s, const char *sql)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : fcp_store__err(s, rc);
}

int fcp_store__begin(fcp_store *s)
{
    if (s->opt.read_only)
        return FCP_ESTORE_READONLY;
    /* inside a caller's transaction (fcp_store_txn_begin) a call is a
     * savepoint: its failure undoes the call, not the caller's others */
    if (s->txn_open)
        return fcp_store__exec(s, fcp_store__stmt(s, ST_SAVEPOINT));
    return fcp_store__exec(s, fcp_store__stmt(s, ST_BEGIN));
}

int fcp_store__commit(fcp_store *s)
{
    return fcp_store__exec(s, fcp_store__stmt(s, ST_COMMIT));
}

void fcp_store__rollback(fcp_store *s)
{
    if (!sqlite3_get_autocommit(s->db)) {
        sqlite3_stmt *q = fcp_store__stmt(s, ST_ROLLBACK);
        sqlite3_step(q);
        sqlite3_reset(q);
    }
}

int fcp_store__end(fcp_store *s, int rc)
{
    if (s->txn_open) {
        if (rc == 0 && (rc = fcp_store__exec(s, fcp_store__stmt(s, ST_RELEASE))) == 0)
            return 0;
        if (!sqlite3_get_autocommit(s->db)) {
            sqlite3_stmt *q = fcp_store__stmt(s, ST_ROLLBACK_TO);
            sqlite3_step(q);
            sqlite3_reset(q);
            q = fcp_store__stmt(s, ST_RELEASE);
            sqlite3_step(q);
            sqlite3_reset(q);
        } else {
            /* SQLite rolled the whole transaction back (I/O error, full
             * disk): the caller's transaction is gone */
            s->txn_open = 0;
        }
        return rc;
    }
    if (rc == 0) {
        rc = fcp_store__commit(s);
        if (rc == 0)
            return 0;
    }
    fcp_store__rollback(s);
    return rc;
}

uint64_t fcp_store__now(const fcp_store *s)
{
    return fcp_clock_unix_secs(s->opt.clock);
}

const char *fcp_store_errmsg(const fcp_store *s)
{
    return s ? s->errmsg : "";
}

int fcp_store_schema_version(fcp_store *s)
{
    return s->version;
}

/* Current schema version (0 for a new, empty database). */
static int read_version(fcp_store *s, int *version)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fcp_store__err(s, rc);
    rc = sqlite3_step(q);
    int exists = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW)
        return fcp_store__err(s, rc);
    if (!exists) {
        *version = 0;
        return 0;
    }
    rc = sqlite3_prepare_v2(s->db, "SELECT coalesce(max(version), 0) FROM schema_version", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fcp_store__err(s, rc);
    rc = sqlite3_step(q);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? 0 : fcp_store__err(s, rc);
}

static int migrate(fcp_store *s)
{
    int v, r = read_version(s, &v);
    if (r)
        return r;
    if (v > (int)N_MIGRATIONS) {
        snprintf(s->errmsg, sizeof s->errmsg, "database schema version %d is newer than this build (%d)", v,
                 (int)N_MIGRATIONS);
        return FCP_ESTORE_SCHEMA;
    }
    if (v < (int)N_MIGRATIONS && s->opt.read_only) {
        snprintf(s->errmsg, sizeof s->errmsg, "database schema version %d needs migration to %d; opened read-only",
                 v, (int)N_MIGRATIONS);
        return FCP_ESTORE_SCHEMA;
    }
    for (; v < (int)N_MIGRATIONS; v++) {
        /* a data step rewrites rows: overwrite what it frees (plaintext
         * symbols before migration 3), and leave no copy in the WAL */
        int step = v < (int)(sizeof migration_steps / sizeof migration_steps[0]) && migration_steps[v];
        if (step && (r = fcp_store__exec_sql(s, "PRAGMA secure_delete=ON")) != 0)
            return r;
        if ((r = fcp_store__exec_sql(s, "BEGIN IMMEDIATE")) != 0)
            return r;
        r = fcp_store__exec_sql(s, migrations[v]);
        if (r == 0 && step)
            r = migration_steps[v](s);
        if (r == 0) {
            sqlite3_stmt *q = NULL;
            int rc = sqlite3_prepare_v2(s->db, "INSERT INTO schema_version(version, applied_at) VALUES(?1, ?2)",
                                        -1, &q, NULL);
            if (rc == SQLITE_OK) {
                sqlite3_bind_int(q, 1, v + 1);
                sqlite3_bind_int64(q, 2, (sqlite3_int64)fcp_store__now(s));
                rc = sqlite3_step(q);
                rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
            }
            sqlite3_finalize(q);
            r = fcp_store__err(s, rc);
        }
        if (r == 0)
            r = fcp_store__exec_sql(s, "COMMIT");
        if (r) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return r;
        }
        if (step) {
            sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
            sqlite3_exec(s->db, "PRAGMA secure_delete=OFF", NULL, NULL, NULL);
        }
    }
    s->version = v;
    return 0;
}

int fcp_store_txn_begin(fcp_store *s)
{
    if (!s || s->txn_open)
        return FCP_EINVAL;
    int r = fcp_store__begin(s);
    if (r == 0)
        s->txn_open = 1;
    return r;
}

int fcp_store_txn_commit(fcp_store *s)
{
    if (!s || !s->txn_open)
        return FCP_EINVAL;
    s->txn_open = 0;
    if (sqlite3_get_autocommit(s->db))
        return FCP_ESTORE_IO;   /* rolled back by SQLite after a failure inside */
    int r = fcp_store__commit(s);
    if (r)
        fcp_store__rollback(s);
    return r;
}

void fcp_store_txn_rollback(fcp_store *s)
{
    if (!s || !s->txn_open)
        return;
    s->txn_open = 0;
    fcp_store__rollback(s);
}

int fcp_store_txn_active(const fcp_store *s)
{
    return s && s->txn_open;
}

void fcp_store_close(fcp_store *s)
{
    if (!s)
        return;
    fcp_store_txn_rollback(s);
    fcp_store__seal_wipe(s);
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(s->st[i]);
    if (s->db)
        sqlite3_close(s->db);
    free(s);
}

int fcp_store_open(fcp_store **out, const char *path, const fcp_store_options *opt)
{
    *out = NULL;
    if (!path || !*path)
        return FCP_EINVAL;
    fcp_store *s = calloc(1, sizeof *s);
    if (!s)
        return FCP_ENOMEM;
    if (opt)
        s->opt = *opt;
    else
        fcp_store_options_default(&s->opt);
    if (!s->opt.clock)
        s->opt.clock = fcp_clock_system();
    s->nonce_pos = sizeof s->nonces;
    int flags = s->opt.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    flags |= SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    int r;
    if (rc != SQLITE_OK) {
        r = fcp_store__err(s, rc);
        if (r != FCP_ESTORE_NOMEM)
            r = FCP_ESTORE_OPEN;
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, s->opt.busy_timeout_ms > 0 ? s->opt.busy_timeout_ms : 0);
    /* Touch the file: a non-database file fails here with SQLITE_NOTADB. */
    if ((r = fcp_store__exec_sql(s, "SELECT count(*) FROM sqlite_master")) != 0)
        goto fail;
    if (!s->opt.read_only) {
        sqlite3_stmt *q = NULL;
        rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &q, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            const char *mode = (const char *)sqlite3_column_text(q, 0);
            rc = mode && strcmp(mode, "wal") == 0 ? SQLITE_OK : SQLITE_ERROR;
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_OK) {
            r = fcp_store__err(s, rc);
            goto fail;
        }
    }
    if ((r = fcp_store__exec_sql(s, s->opt.synchronous_full ? "PRAGMA synchronous=FULL"
                                                             : "PRAGMA synchronous=NORMAL")) != 0 ||
        (r = fcp_store__exec_sql(s, "PRAGMA foreign_keys=ON")) != 0 ||
        (r = fcp_store__exec_sql(s, "PRAGMA temp_store=MEMORY")) != 0)
        goto fail;
    if ((r = migrate(s)) != 0)
        goto fail;
    if (s->opt.max_db_bytes) {
        /* PRAGMAs take no bound parameters; the text is built from an
         * integer computed here, never from caller strings. */
        sqlite3_stmt *q = NULL;
        sqlite3_int64 page = 4096;
        rc = sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &q, NULL);
        if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
            page = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        uint64_t pages = s->opt.max_db_bytes / (uint64_t)(page > 0 ? page : 4096);
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA max_page_count=%llu", (unsigned long long)(pages ? pages : 1));
        if ((r = fcp_store__exec_sql(s, sql)) != 0)
            goto fail;
    }
    for (int i = 0; i < ST__COUNT; i++) {
        rc = sqlite3_prepare_v3(s->db, st_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
        if (rc != SQLITE_OK) {
            r = fcp_store__err(s, rc);
            goto fail;
        }
    }
    *out = s;
    return 0;
fail:
    fcp_store_close(s);
    return r;
}
