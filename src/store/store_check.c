/*
 * store_check.c - integrity check and statistics.
 *
 * The check trusts nothing it can recompute: SQLite's own page-level check
 * and foreign keys first, then every derived column and table is rebuilt
 * from the rows it is derived from (stored_bytes, zone usage, quarantine
 * bytes, refs from the header CBOR) and compared.  It reads only; a crash
 * test runs it after every reopen.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"

static int fail(char *report, size_t n, const char *fmt, const char *detail)
{
    if (report && n)
        snprintf(report, n, fmt, detail ? detail : "");
    return FCP_ESTORE_INTEGRITY;
}

/* Run a query whose first column of the first row is a count or a text;
 * returns 1 when the row exists and is "bad" (non-zero count or any text). */
static int probe(fcp_store *s, const char *sql, char *detail, size_t dn, int *err)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK) {
        *err = fcp_store__err(s, rc);
        return 0;
    }
    rc = sqlite3_step(q);
    int bad = 0;
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(q, 0) == SQLITE_INTEGER) {
            bad = sqlite3_column_int64(q, 0) != 0;
            snprintf(detail, dn, "%lld", (long long)sqlite3_column_int64(q, 0));
        } else {
            bad = 1;
            const unsigned char *t = sqlite3_column_text(q, 0);
            snprintf(detail, dn, "%s", t ? (const char *)t : "(null)");
        }
    } else if (rc != SQLITE_DONE) {
        *err = fcp_store__err(s, rc);
    }
    sqlite3_finalize(q);
    return bad;
}

static int cmp_id(const void *a, const void *b) { return memcmp(a, b, FCP_OBJECT_ID_BYTES); }

/* Every header decodes, names the row's zone and schema, and its refs are
 * exactly the refs rows of that object. */
static int check_headers(fcp_store *s, char *report, size_t rn)
{
    sqlite3_stmt *q = NULL, *rq = NULL;
    fcp_object_header *h = malloc(sizeof *h);
    uint8_t (*want)[FCP_OBJECT_ID_BYTES] = malloc(FCP_HDR_MAX_REFS * FCP_OBJECT_ID_BYTES);
    int r = 0, rc;
    if (!h || !want) {
        r = FCP_ENOMEM;
        goto out;
    }
    if ((rc = sqlite3_prepare_v2(s->db, "SELECT object_id, zone, schema_hash, header FROM objects", -1, &q, NULL)) !=
            SQLITE_OK ||
        (rc = sqlite3_prepare_v2(s->db, "SELECT dst FROM refs WHERE src = ?1 ORDER BY dst", -1, &rq, NULL)) !=
            SQLITE_OK) {
        r = fcp_store__err(s, rc);
        goto out;
    }
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        char hex[16];
        const uint8_t *id = sqlite3_column_blob(q, 0);
        snprintf(hex, sizeof hex, "%02x%02x%02x%02x", id[0], id[1], id[2], id[3]);
        int dr = fcp_object_header_decode(h, sqlite3_column_blob(q, 3), (size_t)sqlite3_column_bytes(q, 3));
        if (dr) {
            r = fail(report, rn, "object %s...: stored header does not decode", hex);
            goto out;
        }
        const char *zone = (const char *)sqlite3_column_text(q, 1);
        uint8_t sh[FCP_SCHEMA_HASH_BYTES];
        fcp_schema_hash(sh, &h->schema);
        if (!zone || strcmp(zone, h->zone_id) != 0) {
            r = fail(report, rn, "object %s...: zone column differs from the header's zone", hex);
            goto out;
        }
        if (sqlite3_column_bytes(q, 2) != FCP_SCHEMA_HASH_BYTES || memcmp(sqlite3_column_blob(q, 2), sh, sizeof sh)) {
            r = fail(report, rn, "object %s...: schema hash column differs from the header's schema", hex);
            goto out;
        }
        size_t nw = 0;
        for (size_t i = 0; i < h->n_refs; i++)
            memcpy(want[nw++], h->refs[i], FCP_OBJECT_ID_BYTES);
        qsort(want, nw, FCP_OBJECT_ID_BYTES, cmp_id);
        size_t u = 0;
        for (size_t i = 0; i < nw; i++)
            if (u == 0 || memcmp(want[u - 1], want[i], FCP_OBJECT_ID_BYTES) != 0)
                memmove(want[u++], want[i], FCP_OBJECT_ID_BYTES);
        sqlite3_reset(rq);
        sqlite3_bind_blob(rq, 1, id, FCP_OBJECT_ID_BYTES, SQLITE_TRANSIENT);
        size_t k = 0;
        int rrc, same = 1;
        while ((rrc = sqlite3_step(rq)) == SQLITE_ROW) {
            if (k >= u || sqlite3_column_bytes(rq, 0) != FCP_OBJECT_ID_BYTES ||
                memcmp(sqlite3_column_blob(rq, 0), want[k], FCP_OBJECT_ID_BYTES) != 0)
                same = 0;
            k++;
        }
        if (rrc != SQLITE_DONE) {
            r = fcp_store__err(s, rrc);
            goto out;
        }
        if (!same || k != u) {
            r = fail(report, rn, "object %s...: refs rows differ from the header's refs", hex);
            goto out;
        }
    }
    if (rc != SQLITE_DONE)
        r = fcp_store__err(s, rc);
out:
    sqlite3_finalize(q);
    sqlite3_finalize(rq);
    free(h);
    free(want);
    return r;
}

int fcp_store_check(fcp_store *s, char *report, size_t report_len)
{
    static const struct { const char *sql, *what; } checks[] = {
        { "SELECT count(*) FROM symbols y WHERE NOT EXISTS (SELECT 1 FROM objects o WHERE o.object_id = y.object_id)",
          "%s symbol(s) whose object does not exist" },
        { "SELECT count(*) FROM refs r WHERE NOT EXISTS (SELECT 1 FROM objects o WHERE o.object_id = r.src)",
          "%s ref(s) from an object that does not exist" },
        { "SELECT count(*) FROM objects o WHERE o.stored_bytes <> length(o.header) + coalesce(length(o.body), 0)"
          " + coalesce((SELECT sum(length(data)) FROM symbols y WHERE y.object_id = o.object_id), 0)",
          "%s object(s) whose stored_bytes do not add up" },
        { "SELECT count(*) FROM objects WHERE body IS NOT NULL AND size <> length(body)",
          "%s object(s) whose size differs from the body length" },
        { "SELECT zone FROM (SELECT zone, sum(stored_bytes) AS b, count(*) AS n FROM objects"
          "   WHERE quarantined = 0 GROUP BY zone) z"
          " WHERE NOT EXISTS (SELECT 1 FROM zone_usage u WHERE u.zone = z.zone AND u.bytes = z.b AND u.objects = z.n)"
          " UNION ALL SELECT zone FROM zone_usage u WHERE (u.bytes <> 0 OR u.objects <> 0)"
          "   AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.zone = u.zone AND o.quarantined = 0)"
          " LIMIT 1",
          "zone usage of '%s' differs from its objects" },
        { "SELECT count(*) FROM objects o WHERE o.quarantined"
          " <> EXISTS (SELECT 1 FROM quarantine q WHERE q.object_id = o.object_id)",
          "%s object(s) whose quarantine flag and quarantine row disagree" },
        { "SELECT count(*) FROM quarantine q JOIN objects o ON o.object_id = q.object_id"
          " WHERE q.bytes <> o.stored_bytes",
          "%s quarantine row(s) with a wrong byte count" },
        { "SELECT count(*) FROM pins p JOIN objects o ON o.object_id = p.object_id WHERE o.quarantined = 1",
          "%s pin(s) on quarantined objects" },
        { "SELECT count(*) FROM frontiers f WHERE NOT EXISTS (SELECT 1 FROM objects o"
          "   WHERE o.object_id = f.object_id AND o.zone = f.zone AND o.quarantined = 0)",
          "%s frontier(s) not stored in their zone" },
        { "SELECT count(*) FROM rq_symbols y WHERE NOT EXISTS (SELECT 1 FROM rq_objects o"
          "   WHERE o.object_id = y.object_id AND o.symbol_size = length(y.data))",
          "%s mesh symbol(s) without their object or of the wrong size" },
        { "SELECT count(*) FROM rq_objects o WHERE o.n_symbols"
          " <> (SELECT count(*) FROM rq_symbols y WHERE y.object_id = o.object_id)",
          "%s mesh object(s) whose symbol count is wrong" },
    };
    char detail[256];
    int err = 0;
    if (report && report_len)
        report[0] = '\0';
    /* SQLite's own structural check: the single row "ok" when healthy. */
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fcp_store__err(s, rc);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(q, 0);
        snprintf(detail, sizeof detail, "%s", t ? (const char *)t : "");
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW)
        return fcp_store__err(s, rc);
    if (strcmp(detail, "ok") != 0)
        return fail(report, report_len, "PRAGMA integrity_check: %s", detail);
    if (probe(s, "PRAGMA foreign_key_check", detail, sizeof detail, &err))
        return fail(report, report_len, "foreign key violation in table %s", detail);
    if (err)
        return err;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        if (probe(s, checks[i].sql, detail, sizeof detail, &err))
            return fail(report, report_len, checks[i].what, detail);
        if (err)
            return err;
    }
    return check_headers(s, report, report_len);
}

static int one_row(fcp_store *s, const char *sql, uint64_t *a, uint64_t *b, uint64_t *c)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fcp_store__err(s, rc);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (a) *a = (uint64_t)sqlite3_column_int64(q, 0);
        if (b) *b = (uint64_t)sqlite3_column_int64(q, 1);
        if (c) *c = (uint64_t)sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? 0 : fcp_store__err(s, rc);
}

int fcp_store_stats_get(fcp_store *s, fcp_store_stats *st)
{
    memset(st, 0, sizeof *st);
    uint64_t page_count = 0, page_size = 0;
    int r;
    if ((r = one_row(s, "SELECT count(*), count(body), coalesce(sum(stored_bytes), 0) FROM objects"
                        " WHERE quarantined = 0",
                     &st->objects, &st->objects_with_body, &st->object_bytes)) != 0 ||
        (r = one_row(s, "SELECT count(*), coalesce(sum(length(data)), 0) FROM symbols", &st->symbols,
                     &st->symbol_bytes, NULL)) != 0 ||
        (r = one_row(s, "SELECT count(*), coalesce(sum(bytes), 0) FROM quarantine", &st->quarantined,
                     &st->quarantine_bytes, NULL)) != 0 ||
        (r = one_row(s, "SELECT (SELECT count(*) FROM pins), (SELECT count(DISTINCT zone) FROM objects),"
                        " (SELECT count(*) FROM refs)",
                     &st->pins, &st->zones, &st->refs)) != 0 ||
        (r = one_row(s, "PRAGMA page_count", &page_count, NULL, NULL)) != 0 ||
        (r = one_row(s, "PRAGMA page_size", &page_size, NULL, NULL)) != 0)
        return r;
    st->db_bytes = page_count * page_size;
    return 0;
}
