/*
 * store_api_test.c - the SQLite store (src/store/): open and migrations,
 * objects (atomic put, idempotence, conflicts, body-less objects), symbols,
 * pins, frontiers, deletes, zone listing, quotas, statistics, integrity
 * check (incl. detecting tampering), and clean failures: a read-only
 * reopen refuses writes without changing anything, a non-database file and
 * a database from a newer build are refused.  Runs in a fresh directory
 * under $TMPDIR, removed at the end.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "fcp/error.h"
#include "fcp/store.h"
#include "test.h"

static char dir[512], path[600];
static fcp_clock_manual clk;

static void mkpaths(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fcp-store-api-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(path, sizeof path, "%s/store.sqlite3", dir);
}

static void rm_db(const char *p)
{
    char b[700];
    unlink(p);
    snprintf(b, sizeof b, "%s-wal", p);
    unlink(b);
    snprintf(b, sizeof b, "%s-shm", p);
    unlink(b);
}

static fcp_store *open_store(const fcp_store_options *o)
{
    fcp_store_options d;
    fcp_store_options_default(&d);
    d.clock = &clk.clock;
    fcp_store *s = NULL;
    int r = fcp_store_open(&s, path, o ? o : &d);
    if (!CHECK_EQ(r, 0))
        fprintf(stderr, "  open failed: %d\n", r);
    return s;
}

static fcp_schema_id schema;
static fcp_object_id_key key;

/* A header in zone with the given refs; id derived from header + body. */
static void mkobj(fcp_object_header *h, uint8_t id[32], const char *zone, uint64_t t,
                  const uint8_t (*refs)[32], size_t nrefs, const uint8_t *body, size_t blen)
{
    fcp_object_header_init(h, &schema, zone, t);
    for (size_t i = 0; i < nrefs; i++)
        memcpy(h->refs[i], refs[i], 32);
    h->n_refs = nrefs;
    CHECK_EQ(fcp_object_derive_id(id, h, body, blen, &key), 0);
}

static fcp_object_header H, H2;

static void test_open_and_put(void)
{
    fcp_store *s = open_store(NULL);
    if (!s)
        return;
    CHECK_EQ(fcp_store_schema_version(s), FCP_STORE_SCHEMA_VERSION);
    uint8_t id[32], body[100];
    memset(body, 0x5a, sizeof body);
    mkobj(&H, id, "z:work", 1000, NULL, 0, body, sizeof body);
    fcp_retention ret = { FCP_RETENTION_EPHEMERAL, 0 };
    CHECK_EQ(fcp_store_has(s, id), 0);
    CHECK_EQ(fcp_store_put(s, id, &H, body, sizeof body, 0, &ret), 0);
    CHECK_EQ(fcp_store_has(s, id), 1);
    /* idempotent */
    CHECK_EQ(fcp_store_put(s, id, &H, body, sizeof body, 0, &ret), 0);
    fcp_store_record rec;
    fcp_buf hb, bb;
    fcp_buf_init(&hb);
    fcp_buf_init(&bb);
    CHECK_EQ(fcp_store_get(s, id, &rec, &hb, &bb), 0);
    CHECK_EQ(bb.len, sizeof body);
    CHECK_MEM(bb.data, body, sizeof body);
    CHECK(strcmp(rec.zone_id, "z:work") == 0);
    CHECK_EQ(rec.has_body, 1);
    CHECK_EQ(rec.size, 100);
    CHECK_EQ(rec.stored_at, 1700000000);
    CHECK_EQ(rec.retention.kind, FCP_RETENTION_EPHEMERAL);
    CHECK_EQ(rec.stored_bytes, hb.len + 100);
    fcp_object_header back;
    CHECK_EQ(fcp_object_header_decode(&back, hb.data, hb.len), 0);
    CHECK(strcmp(back.zone_id, "z:work") == 0);
    uint8_t sh[32];
    fcp_schema_hash(sh, &schema);
    CHECK_MEM(rec.schema_hash, sh, 32);
    uint64_t ub, uo;
    CHECK_EQ(fcp_store_zone_usage(s, "z:work", &ub, &uo), 0);
    CHECK_EQ(ub, hb.len + 100);
    CHECK_EQ(uo, 1);

    /* conflict: same id, different body; nothing changes */
    uint8_t other[100];
    memset(other, 0x11, sizeof other);
    CHECK_EQ(fcp_store_put(s, id, &H, other, sizeof other, 0, &ret), FCP_ESTORE_CONFLICT);
    CHECK(strstr(fcp_store_errmsg(s), "body") != NULL);
    /* conflict: same id, different header */
    fcp_object_header_init(&H2, &schema, "z:work", 1001);
    CHECK_EQ(fcp_store_put(s, id, &H2, body, sizeof body, 0, &ret), FCP_ESTORE_CONFLICT);
    fcp_buf_reset(&bb);
    CHECK_EQ(fcp_store_get(s, id, NULL, NULL, &bb), 0);
    CHECK_MEM(bb.data, body, sizeof body);

    /* body-less object, body added later */
    uint8_t id2[32];
    mkobj(&H2, id2, "z:work", 2000, &id, 1, body, 50);
    CHECK_EQ(fcp_store_put(s, id2, &H2, NULL, 0, 50, &ret), 0);
    CHECK_EQ(fcp_store_get(s, id2, &rec, NULL, NULL), 0);
    CHECK_EQ(rec.has_body, 0);
    CHECK_EQ(rec.size, 50);
    CHECK_EQ(fcp_store_put(s, id2, &H2, body, 50, 0, &ret), 0);
    fcp_buf_reset(&bb);
    CHECK_EQ(fcp_store_get(s, id2, &rec, NULL, &bb), 0);
    CHECK_EQ(rec.has_body, 1);
    CHECK_EQ(bb.len, 50);

    /* argument errors */
    fcp_retention badret = { (enum fcp_retention_kind)7, 0 };
    CHECK_EQ(fcp_store_put(s, id, &H, body, 1, 0, &badret), FCP_EINVAL);
    CHECK_EQ(fcp_store_put(s, id, &H, NULL, 5, 0, &ret), FCP_EINVAL);
    CHECK_EQ(fcp_store_put(s, id, NULL, NULL, 0, 0, &ret), FCP_EINVAL);
    fcp_object_header_init(&H2, &schema, "z:work", 1);
    strcpy(H2.zone_id, "z:Bad");
    CHECK_EQ(fcp_store_put(s, id, &H2, NULL, 0, 0, &ret), FCP_EZONE_ID_CHAR);
    uint8_t none[32] = { 0 };
    CHECK_EQ(fcp_store_get(s, none, &rec, NULL, NULL), FCP_ESTORE_NOT_FOUND);
    char rep[256];
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    fcp_buf_free(&hb);
    fcp_buf_free(&bb);
    fcp_store_close(s);

    /* survives reopen */
    s = open_store(NULL);
    if (!s)
        return;
    CHECK_EQ(fcp_store_has(s, id), 1);
    CHECK_EQ(fcp_store_has(s, id2), 1);
    fcp_store_close(s);
}

struct collect { size_t n; uint32_t esi[16]; size_t len[16]; };

static int collect_cb(void *ctx, const fcp_store_symbol *y)
{
    struct collect *c = ctx;
    if (c->n < 16) {
        c->esi[c->n] = y->esi;
        c->len[c->n] = y->len;
    }
    c->n++;
    return 0;
}

static int stop_cb(void *ctx, const fcp_store_symbol *y)
{
    (void)y;
    return ++*(int *)ctx == 2 ? 42 : 0;
}

static void test_symbols(void)
{
    rm_db(path);
    fcp_store *s = open_store(NULL);
    if (!s)
        return;
    uint8_t id[32];
    mkobj(&H, id, "z:private", 3000, NULL, 0, NULL, 0);
    fcp_retention ret = { FCP_RETENTION_LEASE, 1700000000 + 3600 };
    CHECK_EQ(fcp_store_put(s, id, &H, NULL, 0, 4096, &ret), 0);
    uint8_t data[4][1024];
    fcp_store_symbol y[4];
    uint8_t kid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    for (int i = 0; i < 4; i++) {
        memset(data[i], i + 1, sizeof data[i]);
        y[i].esi = (uint32_t)(3 - i) * 10;
        y[i].sbn = 0;
        memcpy(y[i].zone_key_id, kid, 8);
        y[i].data = data[i];
        y[i].len = sizeof data[i];
    }
    size_t added = 99;
    CHECK_EQ(fcp_store_put_symbols(s, id, y, 4, &added), 0);
    CHECK_EQ(added, 4);
    CHECK_EQ(fcp_store_put_symbols(s, id, y, 4, &added), 0); /* duplicates skipped */
    CHECK_EQ(added, 0);
    uint64_t n;
    CHECK_EQ(fcp_store_count_symbols(s, id, &n), 0);
    CHECK_EQ(n, 4);
    CHECK_EQ(fcp_store_has_symbol(s, id, 0, 20, kid), 1);
    CHECK_EQ(fcp_store_has_symbol(s, id, 0, 21, kid), 0);
    CHECK_EQ(fcp_store_has_symbol(s, id, 1, 20, kid), 0);
    uint8_t kid2[8] = { 9 };
    CHECK_EQ(fcp_store_has_symbol(s, id, 0, 20, kid2), 0);
    struct collect c = { 0 };
    CHECK_EQ(fcp_store_foreach_symbol(s, id, collect_cb, &c), 0);
    CHECK_EQ(c.n, 4);
    CHECK(c.esi[0] == 0 && c.esi[1] == 10 && c.esi[3] == 30);
    CHECK_EQ(c.len[0], 1024);
    int cnt = 0;
    CHECK_EQ(fcp_store_foreach_symbol(s, id, stop_cb, &cnt), 42);
    /* same slot under another zone key is a different symbol */
    fcp_store_symbol z = y[0];
    memcpy(z.zone_key_id, kid2, 8);
    CHECK_EQ(fcp_store_put_symbols(s, id, &z, 1, &added), 0);
    CHECK_EQ(added, 1);
    /* conflict: different bytes at the same slot; the whole batch is refused */
    uint8_t evil[1024];
    memset(evil, 0xee, sizeof evil);
    fcp_store_symbol batch[2] = { y[0], y[0] };
    batch[0].esi = 999;
    batch[1].data = evil;
    CHECK_EQ(fcp_store_put_symbols(s, id, batch, 2, &added), FCP_ESTORE_SYMBOL_CONFLICT);
    CHECK_EQ(fcp_store_has_symbol(s, id, 0, 999, kid), 0);
    /* bad symbols, unknown object */
    fcp_store_symbol empty = y[0];
    empty.len = 0;
    CHECK_EQ(fcp_store_put_symbols(s, id, &empty, 1, NULL), FCP_EINVAL);
    empty.len = FCP_STORE_SYMBOL_MAX + 1;
    CHECK_EQ(fcp_store_put_symbols(s, id, &empty, 1, NULL), FCP_EINVAL);
    uint8_t none[32] = { 7 };
    CHECK_EQ(fcp_store_put_symbols(s, none, y, 1, NULL), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_count_symbols(s, none, &n), 0);
    CHECK_EQ(n, 0);
    fcp_store_record rec;
    fcp_buf hb;
    fcp_buf_init(&hb);
    CHECK_EQ(fcp_store_get(s, id, &rec, &hb, NULL), 0);
    CHECK_EQ(rec.stored_bytes, hb.len + 5 * 1024);
    CHECK_EQ(rec.retention.kind, FCP_RETENTION_LEASE);
    CHECK_EQ(rec.retention.lease_expires_at, 1700003600);
    fcp_buf_free(&hb);
    char rep[256];
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    /* deleting the object takes its symbols */
    if (!CHECK_EQ(fcp_store_delete(s, id), 0))
        fprintf(stderr, "  %s\n", fcp_store_errmsg(s));
    CHECK_EQ(fcp_store_count_symbols(s, id, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(fcp_store_delete(s, id), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    fcp_store_close(s);
}

static void test_pins_frontiers_list(void)
{
    rm_db(path);
    fcp_store *s = open_store(NULL);
    if (!s)
        return;
    fcp_retention eph = { FCP_RETENTION_EPHEMERAL, 0 }, pin = { FCP_RETENTION_PINNED, 0 };
    uint8_t ids[5][32];
    for (int i = 0; i < 5; i++) {
        uint8_t b = (uint8_t)i;
        mkobj(&H, ids[i], "z:community", 5000 + (uint64_t)i, NULL, 0, &b, 1);
        CHECK_EQ(fcp_store_put(s, ids[i], &H, &b, 1, 0, i == 4 ? &pin : &eph), 0);
    }
    /* explicit pin blocks delete until unpinned */
    CHECK_EQ(fcp_store_pin(s, ids[0]), 0);
    CHECK_EQ(fcp_store_pin(s, ids[0]), 0);
    fcp_store_record rec;
    CHECK_EQ(fcp_store_get(s, ids[0], &rec, NULL, NULL), 0);
    CHECK_EQ(rec.pinned, 1);
    CHECK_EQ(fcp_store_delete(s, ids[0]), FCP_ESTORE_PINNED);
    CHECK_EQ(fcp_store_unpin(s, ids[0]), 0);
    CHECK_EQ(fcp_store_unpin(s, ids[0]), FCP_ESTORE_NOT_FOUND);
    uint8_t none[32] = { 3 };
    CHECK_EQ(fcp_store_pin(s, none), FCP_ESTORE_NOT_FOUND);
    /* retention Pinned blocks delete until retention changes */
    CHECK_EQ(fcp_store_delete(s, ids[4]), FCP_ESTORE_PINNED);
    CHECK_EQ(fcp_store_set_retention(s, ids[4], &eph), 0);
    CHECK_EQ(fcp_store_set_retention(s, none, &eph), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_delete(s, ids[4]), 0);
    /* frontier: a root; must be in its zone */
    uint8_t f[32];
    CHECK_EQ(fcp_store_get_frontier(s, "z:community", f), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_set_frontier(s, "z:community", ids[1]), 0);
    CHECK_EQ(fcp_store_get_frontier(s, "z:community", f), 0);
    CHECK_MEM(f, ids[1], 32);
    CHECK_EQ(fcp_store_set_frontier(s, "z:community", ids[2]), 0);
    CHECK_EQ(fcp_store_get_frontier(s, "z:community", f), 0);
    CHECK_MEM(f, ids[2], 32);
    CHECK_EQ(fcp_store_set_frontier(s, "z:work", ids[2]), FCP_ESTORE_HEADER);
    CHECK_EQ(fcp_store_set_frontier(s, "z:work", none), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_set_frontier(s, "nozone", ids[2]), FCP_EZONE_ID_PREFIX);
    CHECK_EQ(fcp_store_delete(s, ids[2]), FCP_ESTORE_PINNED);
    CHECK_EQ(fcp_store_delete(s, ids[1]), 0);
    /* listing, paginated, in id order */
    uint8_t got[8][32];
    size_t n = 0;
    CHECK_EQ(fcp_store_list_zone(s, "z:community", NULL, got, 8, &n), 0);
    CHECK_EQ(n, 3);
    CHECK(memcmp(got[0], got[1], 32) < 0 && memcmp(got[1], got[2], 32) < 0);
    uint8_t page[1][32];
    CHECK_EQ(fcp_store_list_zone(s, "z:community", got[0], page, 1, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_MEM(page[0], got[1], 32);
    CHECK_EQ(fcp_store_list_zone(s, "z:community", got[2], page, 1, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(fcp_store_list_zone(s, "z:owner", NULL, got, 8, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(fcp_store_list_zone(s, "z:Bad", NULL, got, 8, &n), FCP_EZONE_ID_CHAR);
    fcp_store_stats st;
    CHECK_EQ(fcp_store_stats_get(s, &st), 0);
    CHECK_EQ(st.objects, 3);
    CHECK_EQ(st.objects_with_body, 3);
    CHECK(st.db_bytes > 0);
    char rep[256];
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    fcp_store_close(s);
}

static void test_quota(void)
{
    rm_db(path);
    fcp_store *s = open_store(NULL);
    if (!s)
        return;
    fcp_retention eph = { FCP_RETENTION_EPHEMERAL, 0 };
    uint64_t used, objs;
    CHECK_EQ(fcp_store_zone_usage(s, "z:owner", &used, &objs), 0);
    CHECK_EQ(used, 0);
    static uint8_t body[3000];
    uint8_t id[32];
    mkobj(&H, id, "z:owner", 1, NULL, 0, body, 1000);
    CHECK_EQ(fcp_store_set_quota(s, "z:owner", 2000), 0);
    CHECK_EQ(fcp_store_put(s, id, &H, body, 1000, 0, &eph), 0);
    CHECK_EQ(fcp_store_zone_usage(s, "z:owner", &used, &objs), 0);
    uint8_t id2[32];
    mkobj(&H, id2, "z:owner", 2, NULL, 0, body, 1500);
    CHECK_EQ(fcp_store_put(s, id2, &H, body, 1500, 0, &eph), FCP_ESTORE_QUOTA);
    CHECK_EQ(fcp_store_has(s, id2), 0); /* rolled back entirely */
    uint64_t used2;
    CHECK_EQ(fcp_store_zone_usage(s, "z:owner", &used2, &objs), 0);
    CHECK_EQ(used2, used);
    CHECK_EQ(objs, 1);
    /* symbols count too */
    fcp_store_symbol y = { .esi = 1, .sbn = 0, .data = body, .len = 2000 };
    CHECK_EQ(fcp_store_put_symbols(s, id, &y, 1, NULL), FCP_ESTORE_QUOTA);
    /* other zones are not affected; removing the quota lifts it */
    CHECK_EQ(fcp_store_set_quota(s, "z:owner", 0), 0);
    CHECK_EQ(fcp_store_put(s, id2, &H, body, 1500, 0, &eph), 0);
    CHECK_EQ(fcp_store_set_quota(s, "Z", 10), FCP_EZONE_ID_PREFIX);
    char rep[256];
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    fcp_store_close(s);
}

/* Tamper with the file behind the store's back: the check names it. */
static void test_check_detects(void)
{
    char rep[256];
    static const struct { const char *sql, *want; } cases[] = {
        { "UPDATE objects SET stored_bytes = stored_bytes + 1 WHERE rowid = (SELECT min(rowid) FROM objects)",
          "stored_bytes" },
        { "UPDATE zone_usage SET bytes = bytes + 5", "zone usage" },
        { "DELETE FROM refs", "refs" },
        { "UPDATE objects SET zone = 'z:public' WHERE rowid = (SELECT min(rowid) FROM objects)", "zone" },
        { "PRAGMA foreign_keys=OFF; INSERT INTO symbols VALUES(zeroblob(32), 0, 1, zeroblob(8), x'01')",
          "symbol" },
    };
    fcp_retention eph = { FCP_RETENTION_EPHEMERAL, 0 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rm_db(path);
        fcp_store *s = open_store(NULL);
        if (!s)
            return;
        uint8_t a[32], b[32];
        mkobj(&H, a, "z:work", 1, NULL, 0, (const uint8_t *)"a", 1);
        CHECK_EQ(fcp_store_put(s, a, &H, (const uint8_t *)"a", 1, 0, &eph), 0);
        mkobj(&H, b, "z:work", 2, (const uint8_t (*)[32])a, 1, (const uint8_t *)"b", 1);
        CHECK_EQ(fcp_store_put(s, b, &H, (const uint8_t *)"b", 1, 0, &eph), 0);
        CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
        fcp_store_close(s);
        sqlite3 *db;
        CHECK_EQ(sqlite3_open(path, &db), SQLITE_OK);
        char *em = NULL;
        if (!CHECK_EQ(sqlite3_exec(db, cases[i].sql, NULL, NULL, &em), SQLITE_OK))
            fprintf(stderr, "  %s\n", em ? em : "");
        sqlite3_free(em);
        sqlite3_close(db);
        s = open_store(NULL);
        if (!s)
            return;
        if (!CHECK_EQ(fcp_store_check(s, rep, sizeof rep), FCP_ESTORE_INTEGRITY) || !CHECK(strstr(rep, cases[i].want)))
            fprintf(stderr, "  case %zu report: %s\n", i, rep);
        fcp_store_close(s);
    }
    rm_db(path);
}

/* Clean failures: read-only reopen, not a database, newer schema. */
static void test_faults(void)
{
    rm_db(path);
    fcp_store *s = open_store(NULL);
    if (!s)
        return;
    fcp_retention eph = { FCP_RETENTION_EPHEMERAL, 0 };
    uint8_t id[32], id2[32];
    mkobj(&H, id, "z:work", 1, NULL, 0, (const uint8_t *)"x", 1);
    CHECK_EQ(fcp_store_put(s, id, &H, (const uint8_t *)"x", 1, 0, &eph), 0);
    fcp_store_close(s);

    fcp_store_options ro;
    fcp_store_options_default(&ro);
    ro.clock = &clk.clock;
    ro.read_only = 1;
    s = open_store(&ro);
    if (!s)
        return;
    mkobj(&H, id2, "z:work", 2, NULL, 0, (const uint8_t *)"y", 1);
    CHECK_EQ(fcp_store_put(s, id2, &H, (const uint8_t *)"y", 1, 0, &eph), FCP_ESTORE_READONLY);
    CHECK_EQ(fcp_store_delete(s, id), FCP_ESTORE_READONLY);
    CHECK_EQ(fcp_store_pin(s, id), FCP_ESTORE_READONLY);
    CHECK_EQ(fcp_store_gc(s, NULL, NULL), FCP_ESTORE_READONLY);
    CHECK_EQ(fcp_store_has(s, id), 1);
    char rep[256];
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    fcp_store_close(s);
    /* the real writer below SQLite refusing a write: a read-only connection
     * opened by SQLite itself, writing through our statements */
    {
        fcp_store *w = open_store(NULL);
        sqlite3 *db;
        CHECK_EQ(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        CHECK_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
        fcp_store_options o;
        fcp_store_options_default(&o);
        o.clock = &clk.clock;
        o.busy_timeout_ms = 10;
        fcp_store *b = NULL;
        /* schema already there, so opening only reads; the write is refused as busy */
        CHECK_EQ(fcp_store_open(&b, path, &o), 0);
        if (b) {
            CHECK_EQ(fcp_store_put(b, id2, &H, (const uint8_t *)"y", 1, 0, &eph), FCP_ESTORE_BUSY);
            CHECK(strlen(fcp_store_errmsg(b)) > 0);
            fcp_store_close(b);
        }
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(db);
        if (w) {
            CHECK_EQ(fcp_store_has(w, id2), 0);
            CHECK_EQ(fcp_store_check(w, rep, sizeof rep), 0);
            fcp_store_close(w);
        }
    }

    /* a newer schema version is refused, not guessed at */
    sqlite3 *db;
    CHECK_EQ(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_EQ(sqlite3_exec(db, "INSERT INTO schema_version VALUES(99, 0)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    fcp_store_options d;
    fcp_store_options_default(&d);
    CHECK_EQ(fcp_store_open(&s, path, &d), FCP_ESTORE_SCHEMA);
    CHECK(s == NULL);
    rm_db(path);

    /* a read-only open of a missing file, a non-database file, a bad path */
    CHECK_EQ(fcp_store_open(&s, path, &ro), FCP_ESTORE_OPEN);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 64; i++)
        fputs("this is not an SQLite database at all. ", f);
    fclose(f);
    CHECK_EQ(fcp_store_open(&s, path, &d), FCP_ESTORE_CORRUPT);
    rm_db(path);
    CHECK_EQ(fcp_store_open(&s, "/nonexistent-dir/x/store.sqlite3", &d), FCP_ESTORE_OPEN);
    CHECK_EQ(fcp_store_open(&s, "", &d), FCP_EINVAL);
}

int main(void)
{
    mkpaths();
    fcp_clock_manual_init(&clk, 1700000000ull * 1000000000ull);
    fcp_schema_id_init(&schema, "fcp.test", "StoreThing", 1, 0, 0);
    memset(key.bytes, 0x42, sizeof key.bytes);
    test_open_and_put();
    test_symbols();
    test_pins_frontiers_list();
    test_quota();
    test_check_detects();
    test_faults();
    rm_db(path);
    rmdir(dir);
    return fcp_t_done("store_api_test");
}
