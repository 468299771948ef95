/*
 * store_gc.c - reachability garbage collection (spec §3.7) and the
 * quarantine for unreferenced objects received from peers (spec §8.4).
 *
 * GC is mark-and-sweep done by SQLite: the root set goes into a temporary
 * table, a recursive CTE follows refs from it (UNION, so cycles end), and
 * one DELETE removes every non-quarantined, non-Pinned object of the zone
 * that is not in the live set; symbols, refs and pins follow by ON DELETE
 * CASCADE.  Zone usage is reduced in the same transaction.
 *
 * The quarantine is a FIFO per peer with a global bound: admitting past a
 * cap evicts that peer's oldest objects first, then the oldest overall, so
 * one flooding peer can only push out its own backlog before it is capped,
 * and the total never exceeds the node's budget (D-STORE-4).
 */
#include "store_internal.h"

#include <string.h>

#include "fcp/error.h"

static int prep(fcp_store *s, const char *sql, sqlite3_stmt **q)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, q, NULL);
    return rc == SQLITE_OK ? 0 : fcp_store__err(s, rc);
}

/* Step a one-shot statement to completion and finalize it. */
static int run_once(fcp_store *s, sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    int r = rc == SQLITE_DONE ? 0 : fcp_store__err(s, rc);
    sqlite3_finalize(q);
    return r;
}

static int gc_locked(fcp_store *s, const char *zone, fcp_store_gc_result *res)
{
    sqlite3_stmt *q = NULL;
    int r;
    if ((r = fcp_store__exec_sql(s, "CREATE TEMP TABLE IF NOT EXISTS gc_roots(id BLOB PRIMARY KEY) WITHOUT ROWID;"
                                    "CREATE TEMP TABLE IF NOT EXISTS gc_live(id BLOB PRIMARY KEY) WITHOUT ROWID;"
                                    "DELETE FROM gc_roots; DELETE FROM gc_live;")) != 0)
        return r;
    /* roots: explicit pins, frontiers, Pinned, unexpired Leases (spec §3.7 invariants) */
    if ((r = prep(s, "INSERT OR IGNORE INTO gc_roots(id)"
                     " SELECT object_id FROM pins"
                     " UNION SELECT object_id FROM frontiers"
                     " UNION SELECT object_id FROM objects WHERE quarantined = 0"
                     "   AND (retention = 0 OR (retention = 1 AND lease_expires > ?1))",
                  &q)) != 0)
        return r;
    uint64_t now = fcp_store__now(s);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)(now > INT64_MAX ? INT64_MAX : now));
    if ((r = run_once(s, q)) != 0)
        return r;
    res->roots = (uint64_t)sqlite3_changes(s->db);
    if ((r = fcp_store__exec_sql(s, "INSERT INTO gc_live(id)"
                                    " WITH RECURSIVE live(id) AS ("
                                    "   SELECT id FROM gc_roots"
                                    "   UNION SELECT r.dst FROM refs r JOIN live l ON r.src = l.id)"
                                    " SELECT id FROM live")) != 0)
        return r;
    res->live = (uint64_t)sqlite3_changes(s->db);
    /* usage first (read before the rows go), then the sweep */
    if ((r = prep(s, "SELECT zone, count(*), coalesce(sum(stored_bytes), 0) FROM objects"
                     " WHERE quarantined = 0 AND retention <> 0 AND (?1 IS NULL OR zone = ?1)"
                     "   AND object_id NOT IN (SELECT id FROM gc_live) GROUP BY zone",
                  &q)) != 0)
        return r;
    if (zone)
        sqlite3_bind_text(q, 1, zone, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 1);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && r == 0) {
        char z[FCP_ZONE_ID_MAX + 1];
        int zl = sqlite3_column_bytes(q, 0);
        if (zl > FCP_ZONE_ID_MAX)
            zl = FCP_ZONE_ID_MAX;
        memcpy(z, sqlite3_column_text(q, 0), (size_t)zl);
        z[zl] = '\0';
        int64_t n = sqlite3_column_int64(q, 1), b = sqlite3_column_int64(q, 2);
        res->evicted += (uint64_t)n;
        res->evicted_bytes += (uint64_t)b;
        r = fcp_store__usage_add(s, z, -b, -n, 0);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = fcp_store__err(s, rc);
    sqlite3_finalize(q);
    if (r)
        return r;
    if ((r = prep(s, "DELETE FROM objects"
                     " WHERE quarantined = 0 AND retention <> 0 AND (?1 IS NULL OR zone = ?1)"
                     "   AND object_id NOT IN (SELECT id FROM gc_live)",
                  &q)) != 0)
        return r;
    if (zone)
        sqlite3_bind_text(q, 1, zone, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 1);
    if ((r = run_once(s, q)) != 0)
        return r;
    if ((uint64_t)sqlite3_changes(s->db) != res->evicted)
        return FCP_EINTERNAL;
    return fcp_store__exec_sql(s, "DELETE FROM gc_roots; DELETE FROM gc_live;");
}

int fcp_store_gc(fcp_store *s, const char *zone, fcp_store_gc_result *res)
{
    fcp_store_gc_result tmp;
    if (!res)
        res = &tmp;
    memset(res, 0, sizeof *res);
    if (zone) {
        int r = fcp_zone_id_validate(zone, strlen(zone));
        if (r)
            return r;
    }
    int r = fcp_store__begin(s);
    if (r)
        return r;
    r = fcp_store__end(s, gc_locked(s, zone, res));
    if (r)
        memset(res, 0, sizeof *res);
    return r;
}

/* ---- quarantine ------------------------------------------------------------- */

/* id of the oldest quarantined object (of peer, or of anyone when peer is
 * NULL) other than keep: 1 found, 0 none, <0 error. */
static int oldest(fcp_store *s, const char *peer, const uint8_t *keep, uint8_t out[FCP_OBJECT_ID_BYTES])
{
    sqlite3_stmt *q = fcp_store__stmt(s, peer ? ST_Q_OLDEST_PEER : ST_Q_OLDEST_ALL);
    if (peer) {
        sqlite3_bind_text(q, 1, peer, -1, SQLITE_STATIC);
        fcp_store__bind_id(q, 2, keep);
    } else {
        fcp_store__bind_id(q, 1, keep);
    }
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(q, 0) == FCP_OBJECT_ID_BYTES)
        memcpy(out, sqlite3_column_blob(q, 0), FCP_OBJECT_ID_BYTES);
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : fcp_store__err(s, rc);
}

static int usage(fcp_store *s, const char *peer, uint64_t *bytes, uint64_t *objects)
{
    sqlite3_stmt *q = fcp_store__stmt(s, peer ? ST_Q_PEER_USAGE : ST_Q_TOTAL_USAGE);
    if (peer)
        sqlite3_bind_text(q, 1, peer, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    *bytes = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(q, 0) : 0;
    *objects = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(q, 1) : 0;
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? 0 : fcp_store__err(s, rc);
}

int fcp_store__quarantine_enforce(fcp_store *s, const char *peer, const uint8_t keep_id[FCP_OBJECT_ID_BYTES],
                                  size_t *evicted)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *who = pass == 0 ? peer : NULL;
        for (;;) {
            uint64_t b, n;
            int r = usage(s, who, &b, &n);
            if (r)
                return r;
            int over = who ? (b > s->opt.quarantine_max_bytes_per_peer || n > s->opt.quarantine_max_objects_per_peer)
                           : b > s->opt.quarantine_max_bytes;
            if (!over)
                break;
            uint8_t victim[FCP_OBJECT_ID_BYTES];
            int f = oldest(s, who, keep_id, victim);
            if (f < 0)
                return f;
            if (f == 0)
                return FCP_ESTORE_QUARANTINE_CAP;
            if ((r = fcp_store__delete_locked(s, victim, NULL)) != 0)
                return r;
            if (evicted)
                (*evicted)++;
        }
    }
    return 0;
}

int fcp_store_quarantine_promote(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], const fcp_retention *retention)
{
    if (!id || !retention)
        return FCP_EINVAL;
    if (retention->kind != FCP_RETENTION_PINNED && retention->kind != FCP_RETENTION_LEASE &&
        retention->kind != FCP_RETENTION_EPHEMERAL)
        return FCP_EINVAL;
    int r = fcp_store__begin(s);
    if (r)
        return r;
    char zone[FCP_ZONE_ID_MAX + 1];
    int quarantined = 0;
    uint64_t stored = 0;
    int f = fcp_store__lookup(s, id, zone, &quarantined, &stored, NULL);
    if (f <= 0 || !quarantined)
        return fcp_store__end(s, f < 0 ? f : FCP_ESTORE_NOT_FOUND);
    sqlite3_stmt *q = fcp_store__stmt(s, ST_Q_DELETE);
    fcp_store__bind_id(q, 1, id);
    if ((r = fcp_store__exec(s, q)) != 0)
        return fcp_store__end(s, r);
    q = fcp_store__stmt(s, ST_OBJ_UNQUARANTINE);
    fcp_store__bind_id(q, 1, id);
    sqlite3_bind_int(q, 2, (int)retention->kind);
    if (retention->kind == FCP_RETENTION_LEASE)
        sqlite3_bind_int64(q, 3, (sqlite3_int64)(retention->lease_expires_at > INT64_MAX
                                                     ? INT64_MAX : retention->lease_expires_at));
    else
        sqlite3_bind_null(q, 3);
    if ((r = fcp_store__exec(s, q)) != 0)
        return fcp_store__end(s, r);
    return fcp_store__end(s, fcp_store__usage_add(s, zone, (int64_t)stored, 1, 1));
}

int fcp_store_quarantine_expire(fcp_store *s, uint64_t before, size_t *evicted)
{
    size_t n = 0;
    int r = fcp_store__begin(s);
    if (r)
        return r;
    for (;;) {
        sqlite3_stmt *q = fcp_store__stmt(s, ST_Q_EXPIRED);
        sqlite3_bind_int64(q, 1, (sqlite3_int64)(before > INT64_MAX ? INT64_MAX : before));
        int rc = sqlite3_step(q);
        uint8_t id[FCP_OBJECT_ID_BYTES];
        int have = rc == SQLITE_ROW && sqlite3_column_bytes(q, 0) == FCP_OBJECT_ID_BYTES;
        if (have)
            memcpy(id, sqlite3_column_blob(q, 0), FCP_OBJECT_ID_BYTES);
        sqlite3_reset(q);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            r = fcp_store__err(s, rc);
            break;
        }
        if (!have)
            break;
        if ((r = fcp_store__delete_locked(s, id, NULL)) != 0)
            break;
        n++;
    }
    r = fcp_store__end(s, r);
    if (evicted)
        *evicted = r ? 0 : n;
    return r;
}

int fcp_store_quarantine_usage(fcp_store *s, const char *peer, uint64_t *bytes, uint64_t *objects)
{
    return usage(s, peer, bytes, objects);
}
