/*
 * store_symbols_test.c - the mesh symbol tables of the store (schema 2+):
 * rq_put batches (dedup, conflicts, all or nothing), stat/list/get/delete,
 * caller transactions (savepoints inside, rollback, close), the migration
 * from a schema-1 database, and crash consistency: children writing symbol
 * batches are SIGKILLed at seeded random points; after each, the reopened
 * store holds every acknowledged batch byte-identical and no partial one.
 * Symbols are sealed at rest (schema 3): every open passes a test keyring
 * (store_seal_test.c covers the sealing itself).
 * FCP_SYMCRASH_RUNS (default 30) and FCP_SYMCRASH_SEED override.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcp/store.h"
#include "test.h"

#define T       64u    /* symbol size used throughout */
#define NSYM    8u     /* symbols per batch in the crash test */
#define MAX_RUNS 200
#define MAX_PER_RUN 4096

static char dir[512], path[600];

/* Test keyring: one key per zone, derived from the zone's name. */
static int kr_key(void *ctx, const char *zone, const uint8_t kid[8], uint8_t key[32])
{
    (void)ctx;
    if (memcmp(kid, "testkid1", 8) != 0)
        return FCP_ENOENT;
    memset(key, 0x5a, 32);
    for (size_t i = 0; zone[i] && i < 32; i++)
        key[i] ^= (uint8_t)zone[i];
    return 0;
}

static int kr_active(void *ctx, const char *zone, uint8_t kid[8], uint8_t key[32])
{
    memcpy(kid, "testkid1", 8);
    return kr_key(ctx, zone, kid, key);
}

static void opts_init(fcp_store_options *o)
{
    fcp_store_options_default(o);
    o->keyring.active_key = kr_active;
    o->keyring.key = kr_key;
}

static const fcp_store_options *test_opts(void)
{
    static fcp_store_options o;
    opts_init(&o);
    return &o;
}

static void rm_db(void)
{
    char b[700];
    unlink(path);
    snprintf(b, sizeof b, "%s-wal", path);
    unlink(b);
    snprintf(b, sizeof b, "%s-shm", path);
    unlink(b);
}

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Deterministic 32-byte id and T-byte symbol from small integers. */
static void mk_id(uint8_t id[32], uint64_t a, uint64_t b)
{
    uint64_t x = a * 1000003u + b;
    for (int k = 0; k < 4; k++) {
        uint64_t v = splitmix(&x);
        memcpy(id + 8 * k, &v, 8);
    }
}

static void mk_sym(uint8_t out[T], const uint8_t id[32], uint32_t esi)
{
    uint64_t x;
    memcpy(&x, id, 8);
    x ^= esi * 0x51ED27ull;
    for (unsigned k = 0; k < T; k += 8) {
        uint64_t v = splitmix(&x);
        memcpy(out + k, &v, 8);
    }
}

static void mk_obj(fcp_store_rq_object *o, const uint8_t id[32], const char *zone, uint32_t k)
{
    memset(o, 0, sizeof *o);
    memcpy(o->object_id, id, 32);
    snprintf(o->zone_id, sizeof o->zone_id, "%s", zone);
    o->k = k;
    o->symbol_size = T;
}

/* Put symbols esi0..esi0+n-1 of o (data from mk_sym). */
static int put_range(fcp_store *s, const fcp_store_rq_object *o, uint32_t esi0, uint32_t n, size_t *added)
{
    static uint8_t buf[64][T];
    fcp_store_rq_symbol sy[64];
    if (n > 64)
        return FCP_EINVAL;
    for (uint32_t i = 0; i < n; i++) {
        mk_sym(buf[i], o->object_id, esi0 + i);
        sy[i].esi = esi0 + i;
        sy[i].data = buf[i];
    }
    return fcp_store_rq_put(s, o, sy, n, added);
}

static fcp_store *open_rw(void)
{
    fcp_store *s = NULL;
    int r = fcp_store_open(&s, path, test_opts());
    if (!CHECK_EQ(r, 0))
        return NULL;
    return s;
}

static void test_api(void)
{
    rm_db();
    fcp_store *s = open_rw();
    if (!s)
        return;
    CHECK_EQ(fcp_store_schema_version(s), FCP_STORE_SCHEMA_VERSION);
    uint8_t a[32], b[32], c[32];
    mk_id(a, 1, 1);
    mk_id(b, 1, 2);
    mk_id(c, 1, 3);
    fcp_store_rq_object oa, ob, oc, got;
    mk_obj(&oa, a, "z:work", 10);
    mk_obj(&ob, b, "z:work", 20);
    mk_obj(&oc, c, "z:home", 30);
    size_t added = 99;

    CHECK_EQ(fcp_store_rq_stat(s, a, &got), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(put_range(s, &oa, 0, 6, &added), 0);
    CHECK_EQ(added, 6);
    CHECK_EQ(fcp_store_rq_stat(s, a, &got), 0);
    CHECK_EQ(got.k, 10);
    CHECK_EQ(got.symbol_size, T);
    CHECK_EQ(got.n_symbols, 6);
    CHECK(strcmp(got.zone_id, "z:work") == 0);
    CHECK_EQ(got.flags, 0);
    /* overlapping batch: held ESIs skipped, new ones added */
    CHECK_EQ(put_range(s, &oa, 4, 4, &added), 0);
    CHECK_EQ(added, 2);
    CHECK_EQ(fcp_store_rq_stat(s, a, &got), 0);
    CHECK_EQ(got.n_symbols, 8);
    /* flags given on a later put are ORed in; set_flags too */
    oa.flags = 0x01;
    CHECK_EQ(put_range(s, &oa, 0, 1, &added), 0);
    CHECK_EQ(added, 0);
    CHECK_EQ(fcp_store_rq_set_flags(s, a, 0x04), 0);
    CHECK_EQ(fcp_store_rq_stat(s, a, &got), 0);
    CHECK_EQ(got.flags, 0x05);
    CHECK_EQ(fcp_store_rq_set_flags(s, c, 1), FCP_ESTORE_NOT_FOUND);

    /* parameter conflicts refuse the whole call */
    fcp_store_rq_object bad = oa;
    bad.k = 11;
    CHECK_EQ(put_range(s, &bad, 20, 2, &added), FCP_ESTORE_RQ_CONFLICT);
    bad = oa;
    bad.symbol_size = T / 2;
    CHECK_EQ(fcp_store_rq_put(s, &bad, NULL, 0, NULL), FCP_ESTORE_RQ_CONFLICT);
    bad = oa;
    snprintf(bad.zone_id, sizeof bad.zone_id, "z:home");
    CHECK_EQ(put_range(s, &bad, 20, 2, &added), FCP_ESTORE_RQ_CONFLICT);
    /* different bytes at a held ESI: nothing of the batch is stored */
    uint8_t d0[T], d1[T], d2[T];
    mk_sym(d0, a, 30);
    mk_sym(d1, a, 31);
    memset(d2, 0xee, sizeof d2);
    fcp_store_rq_symbol mixed[3] = { { 30, d0 }, { 31, d1 }, { 2, d2 } };
    CHECK_EQ(fcp_store_rq_put(s, &oa, mixed, 3, &added), FCP_ESTORE_SYMBOL_CONFLICT);
    CHECK_EQ(added, 0);
    CHECK_EQ(fcp_store_rq_stat(s, a, &got), 0);
    CHECK_EQ(got.n_symbols, 8);
    /* invalid arguments */
    bad = oa;
    bad.k = 0;
    CHECK_EQ(fcp_store_rq_put(s, &bad, NULL, 0, NULL), FCP_EINVAL);
    bad = oa;
    snprintf(bad.zone_id, sizeof bad.zone_id, "nozone");
    CHECK_EQ(fcp_store_rq_put(s, &bad, NULL, 0, NULL), FCP_EINVAL);

    /* get_symbol */
    uint8_t out[T], want[T];
    size_t len = 0;
    mk_sym(want, a, 7);
    CHECK_EQ(fcp_store_rq_get_symbol(s, a, 7, out, sizeof out, &len), 0);
    CHECK_EQ(len, T);
    CHECK_MEM(out, want, T);
    CHECK_EQ(fcp_store_rq_get_symbol(s, a, 8, out, sizeof out, &len), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_rq_get_symbol(s, a, 7, out, T - 1, &len), FCP_EBUFFER_TOO_SMALL);
    CHECK_EQ(fcp_store_rq_get_symbol(s, c, 0, out, sizeof out, &len), FCP_ESTORE_NOT_FOUND);

    /* list_esis, ascending, paged by `from` */
    CHECK_EQ(put_range(s, &oa, 100, 3, &added), 0);
    uint32_t esis[16];
    size_t n = 0;
    CHECK_EQ(fcp_store_rq_list_esis(s, a, 0, esis, 16, &n), 0);
    CHECK_EQ(n, 11);
    CHECK_EQ(esis[0], 0);
    CHECK_EQ(esis[7], 7);
    CHECK_EQ(esis[8], 100);
    CHECK_EQ(esis[10], 102);
    CHECK_EQ(fcp_store_rq_list_esis(s, a, 7, esis, 2, &n), 0);
    CHECK_EQ(n, 2);
    CHECK_EQ(esis[0], 7);
    CHECK_EQ(esis[1], 100);
    CHECK_EQ(fcp_store_rq_list_esis(s, a, 11, esis, 16, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(fcp_store_rq_list_esis(s, c, 0, esis, 16, &n), FCP_ESTORE_NOT_FOUND);

    /* list by zone and overall, paged by `after` */
    CHECK_EQ(put_range(s, &ob, 0, 2, NULL), 0);
    CHECK_EQ(put_range(s, &oc, 0, 3, NULL), 0);
    fcp_store_rq_object l[4];
    CHECK_EQ(fcp_store_rq_list(s, "z:work", NULL, l, 4, &n), 0);
    CHECK_EQ(n, 2);
    int a_first = memcmp(a, b, 32) < 0;
    CHECK_MEM(l[0].object_id, a_first ? a : b, 32);
    CHECK_EQ(l[0].n_symbols, a_first ? 11 : 2);
    CHECK_EQ(fcp_store_rq_list(s, "z:work", l[0].object_id, l, 4, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_MEM(l[0].object_id, a_first ? b : a, 32);
    CHECK_EQ(fcp_store_rq_list(s, NULL, NULL, l, 4, &n), 0);
    CHECK_EQ(n, 3);
    CHECK(memcmp(l[0].object_id, l[1].object_id, 32) < 0 && memcmp(l[1].object_id, l[2].object_id, 32) < 0);
    CHECK_EQ(fcp_store_rq_list(s, NULL, NULL, l, 1, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(fcp_store_rq_list(s, "z:none", NULL, l, 4, &n), 0);
    CHECK_EQ(n, 0);

    uint64_t no = 0, ns = 0, nb = 0;
    CHECK_EQ(fcp_store_rq_totals(s, &no, &ns, &nb), 0);
    CHECK_EQ(no, 3);
    CHECK_EQ(ns, 16);
    CHECK_EQ(nb, 16 * T);
    char rep[256];
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);

    /* delete drops the symbols with the record */
    CHECK_EQ(fcp_store_rq_delete(s, a), 0);
    CHECK_EQ(fcp_store_rq_delete(s, a), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_rq_stat(s, a, &got), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_rq_get_symbol(s, a, 7, out, sizeof out, &len), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_rq_totals(s, &no, &ns, NULL), 0);
    CHECK_EQ(no, 2);
    CHECK_EQ(ns, 5);
    fcp_store_close(s);

    /* durable across reopen; a read-only handle reads and refuses writes */
    fcp_store_options ro;
    opts_init(&ro);
    ro.read_only = 1;
    s = NULL;
    if (!CHECK_EQ(fcp_store_open(&s, path, &ro), 0))
        return;
    CHECK_EQ(fcp_store_rq_stat(s, c, &got), 0);
    CHECK_EQ(got.n_symbols, 3);
    CHECK_EQ(got.k, 30);
    CHECK_EQ(put_range(s, &oc, 10, 1, NULL), FCP_ESTORE_READONLY);
    CHECK_EQ(fcp_store_rq_delete(s, c), FCP_ESTORE_READONLY);
    CHECK_EQ(fcp_store_txn_begin(s), FCP_ESTORE_READONLY);
    fcp_store_close(s);
}

/* Run one statement on the database behind the store's back. */
static int raw_exec(const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* fcp_store_check notices tampering with the rq tables (after test_api). */
static void test_check(void)
{
    char rep[256];
    fcp_store *s = open_rw();
    if (!s)
        return;
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    fcp_store_close(s);
    CHECK_EQ(raw_exec("UPDATE rq_objects SET n_symbols = n_symbols + 1"), SQLITE_OK);
    if ((s = open_rw())) {
        CHECK_EQ(fcp_store_check(s, rep, sizeof rep), FCP_ESTORE_INTEGRITY);
        CHECK(strstr(rep, "symbol count") != NULL);
        fcp_store_close(s);
    }
    CHECK_EQ(raw_exec("UPDATE rq_objects SET n_symbols = n_symbols - 1"), SQLITE_OK);
    CHECK_EQ(raw_exec("UPDATE rq_symbols SET data = x'00' WHERE esi = 0"), SQLITE_OK);
    if ((s = open_rw())) {
        CHECK_EQ(fcp_store_check(s, rep, sizeof rep), FCP_ESTORE_INTEGRITY);
        CHECK(strstr(rep, "wrong size") != NULL);
        fcp_store_close(s);
    }
}

static void test_txn(void)
{
    rm_db();
    fcp_store *s = open_rw();
    if (!s)
        return;
    uint8_t a[32], b[32];
    mk_id(a, 2, 1);
    mk_id(b, 2, 2);
    fcp_store_rq_object oa, ob, got;
    mk_obj(&oa, a, "z:work", 4);
    mk_obj(&ob, b, "z:work", 4);
    size_t added;

    CHECK_EQ(fcp_store_txn_commit(s), FCP_EINVAL);
    CHECK_EQ(fcp_store_txn_begin(s), 0);
    CHECK_EQ(fcp_store_txn_active(s), 1);
    CHECK_EQ(fcp_store_txn_begin(s), FCP_EINVAL);
    CHECK_EQ(put_range(s, &oa, 0, 3, &added), 0);
    CHECK_EQ(added, 3);
    /* a failing call inside is undone alone */
    fcp_store_rq_object bad = oa;
    bad.k = 5;
    CHECK_EQ(put_range(s, &bad, 3, 1, &added), FCP_ESTORE_RQ_CONFLICT);
    CHECK_EQ(fcp_store_txn_active(s), 1);
    CHECK_EQ(put_range(s, &oa, 3, 1, &added), 0);
    CHECK_EQ(fcp_store_rq_stat(s, a, &got), 0);
    CHECK_EQ(got.n_symbols, 4);
    /* a second connection sees nothing before commit */
    fcp_store_options ro;
    opts_init(&ro);
    ro.read_only = 1;
    fcp_store *r = NULL;
    if (CHECK_EQ(fcp_store_open(&r, path, &ro), 0)) {
        CHECK_EQ(fcp_store_rq_stat(r, a, &got), FCP_ESTORE_NOT_FOUND);
    }
    CHECK_EQ(fcp_store_txn_commit(s), 0);
    CHECK_EQ(fcp_store_txn_active(s), 0);
    if (r) {
        CHECK_EQ(fcp_store_rq_stat(r, a, &got), 0);
        CHECK_EQ(got.n_symbols, 4);
    }

    /* rollback forgets everything since begin */
    CHECK_EQ(fcp_store_txn_begin(s), 0);
    CHECK_EQ(put_range(s, &ob, 0, 2, NULL), 0);
    CHECK_EQ(fcp_store_rq_delete(s, a), 0);
    fcp_store_txn_rollback(s);
    CHECK_EQ(fcp_store_rq_stat(s, b, &got), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_rq_stat(s, a, &got), 0);

    /* close with a transaction open rolls it back */
    CHECK_EQ(fcp_store_txn_begin(s), 0);
    CHECK_EQ(put_range(s, &ob, 0, 2, NULL), 0);
    fcp_store_close(s);
    s = open_rw();
    if (s) {
        CHECK_EQ(fcp_store_rq_stat(s, b, &got), FCP_ESTORE_NOT_FOUND);
        CHECK_EQ(fcp_store_check(s, NULL, 0), 0);
        fcp_store_close(s);
    }
    fcp_store_close(r);
}

/* Turn the current database back into schema 1: what migration 2 added is
 * removed behind the store's back. */
static int downgrade_to_v1(void)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db,
                          "BEGIN; DROP TABLE rq_symbols; DROP TABLE rq_objects;"
                          " DELETE FROM schema_version WHERE version >= 2; COMMIT;",
                          NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static long long quota_of(const char *zone)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    long long v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT max_bytes FROM quotas WHERE zone = ?1", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, zone, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

static void test_migration(void)
{
    rm_db();
    fcp_store *s = open_rw();
    if (!s)
        return;
    CHECK_EQ(fcp_store_set_quota(s, "z:work", 123456), 0);
    fcp_store_close(s);
    CHECK_EQ(downgrade_to_v1(), SQLITE_OK);

    /* read-only: needs migrating, refused */
    fcp_store_options ro;
    opts_init(&ro);
    ro.read_only = 1;
    s = NULL;
    CHECK_EQ(fcp_store_open(&s, path, &ro), FCP_ESTORE_SCHEMA);
    CHECK(s == NULL);

    /* read-write: migrated to 2 and 3, schema-1 data kept, the new tables work */
    s = open_rw();
    if (!s)
        return;
    CHECK_EQ(fcp_store_schema_version(s), FCP_STORE_SCHEMA_VERSION);
    uint8_t a[32];
    mk_id(a, 3, 1);
    fcp_store_rq_object oa, got;
    mk_obj(&oa, a, "z:work", 9);
    CHECK_EQ(put_range(s, &oa, 0, 5, NULL), 0);
    CHECK_EQ(fcp_store_rq_stat(s, a, &got), 0);
    CHECK_EQ(got.n_symbols, 5);
    CHECK_EQ(fcp_store_check(s, NULL, 0), 0);
    fcp_store_close(s);
    CHECK_EQ(quota_of("z:work"), 123456);
    /* every migration row is recorded */
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    long long nv = 0;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*), max(version) FROM schema_version", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        nv = sqlite3_column_int64(q, 0);
        CHECK_EQ(sqlite3_column_int64(q, 1), FCP_STORE_SCHEMA_VERSION);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    CHECK_EQ(nv, FCP_STORE_SCHEMA_VERSION);
}

/* ---- crash consistency -------------------------------------------------------- */

/* Batch i of run r: even i is one rq_put of NSYM symbols of object (r,i);
 * odd i is a caller transaction of two rq_puts, NSYM/2 symbols each of
 * objects (r,i) and (r,i+MAX_PER_RUN), plus set_flags on the first. */
struct ack { uint32_t run, i; };

static void child(uint32_t run, int fd)
{
    fcp_store *s = NULL;
    if (fcp_store_open(&s, path, test_opts()) != 0)
        _exit(2);
    for (uint32_t i = 0; i < MAX_PER_RUN; i++) {
        uint8_t id[32], id2[32];
        mk_id(id, run + 100, i);
        fcp_store_rq_object o, o2;
        mk_obj(&o, id, "z:crash", 16);
        int r;
        if ((i & 1) == 0) {
            r = put_range(s, &o, 0, NSYM, NULL);
        } else {
            mk_id(id2, run + 100, i + MAX_PER_RUN);
            mk_obj(&o2, id2, "z:crash", 16);
            r = fcp_store_txn_begin(s);
            if (r == 0)
                r = put_range(s, &o, 0, NSYM / 2, NULL);
            if (r == 0)
                r = put_range(s, &o2, 0, NSYM / 2, NULL);
            if (r == 0)
                r = fcp_store_rq_set_flags(s, id, 1);
            if (r == 0)
                r = fcp_store_txn_commit(s);
        }
        if (r != 0)
            _exit(3);
        struct ack a = { run, i };
        if (write(fd, &a, sizeof a) != (ssize_t)sizeof a)
            _exit(4);
    }
    fcp_store_close(s);
    _exit(0);
}

static uint8_t acked[MAX_RUNS][MAX_PER_RUN];

/* Symbols held for id: -1 on a wrong byte or parameter, else the count. */
static long held(fcp_store *s, const uint8_t id[32], uint32_t want_flags)
{
    fcp_store_rq_object o;
    if (fcp_store_rq_stat(s, id, &o) != 0)
        return 0;
    if (o.k != 16 || o.symbol_size != T || strcmp(o.zone_id, "z:crash") != 0 || o.flags != want_flags)
        return -1;
    uint32_t esis[NSYM + 1];
    size_t n = 0;
    if (fcp_store_rq_list_esis(s, id, 0, esis, NSYM + 1, &n) != 0 || n != o.n_symbols)
        return -1;
    for (size_t j = 0; j < n; j++) {
        uint8_t out[T], want[T];
        size_t len;
        mk_sym(want, id, esis[j]);
        if (esis[j] != j || fcp_store_rq_get_symbol(s, id, esis[j], out, T, &len) != 0 || len != T ||
            memcmp(out, want, T) != 0)
            return -1;
    }
    return (long)n;
}

static void test_crash(void)
{
    rm_db();
    uint32_t runs = 30;
    uint64_t rng = 0x5E1F5EEDull;
    if (getenv("FCP_SYMCRASH_RUNS"))
        runs = (uint32_t)strtoul(getenv("FCP_SYMCRASH_RUNS"), NULL, 10);
    if (getenv("FCP_SYMCRASH_SEED"))
        rng = strtoull(getenv("FCP_SYMCRASH_SEED"), NULL, 0);
    if (runs > MAX_RUNS)
        runs = MAX_RUNS;
    unsigned long acks = 0, present = 0, killed = 0, bad = 0;
    for (uint32_t run = 0; run < runs; run++) {
        int pfd[2];
        if (pipe(pfd) != 0)
            return;
        pid_t pid = fork();
        if (pid < 0)
            return;
        if (pid == 0) {
            close(pfd[0]);
            child(run, pfd[1]);
        }
        close(pfd[1]);
        uint64_t r = splitmix(&rng);
        long us = (r & 7) == 0 ? (long)(r >> 8) % 500 : (long)((r >> 8) % 30000);
        struct timespec ts = { 0, us * 1000 };
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int st = 0;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
            killed++;
        else
            CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        struct ack a;
        while (read(pfd[0], &a, sizeof a) == (ssize_t)sizeof a)
            if (a.run == run && a.i < MAX_PER_RUN) {
                acked[run][a.i] = 1;
                acks++;
            }
        close(pfd[0]);

        fcp_store *s = NULL;
        if (!CHECK_EQ(fcp_store_open(&s, path, test_opts()), 0))
            return;
        char rep[256];
        if (!CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0))
            fprintf(stderr, "  run %u: %s\n", run, rep);
        for (uint32_t rr = 0; rr <= run; rr++) {
            for (uint32_t i = 0; i < MAX_PER_RUN; i++) {
                uint8_t id[32], id2[32];
                mk_id(id, rr + 100, i);
                long h1, h2 = 0;
                int full;
                if ((i & 1) == 0) {
                    h1 = held(s, id, 0);
                    full = h1 == NSYM;
                    if (h1 != 0 && !full)
                        bad++;
                } else {
                    mk_id(id2, rr + 100, i + MAX_PER_RUN);
                    h1 = held(s, id, 1);
                    h2 = held(s, id2, 0);
                    full = h1 == NSYM / 2 && h2 == NSYM / 2;
                    if ((h1 != 0 || h2 != 0) && !full)
                        bad++;   /* partially visible transaction */
                }
                if (full && rr == run)
                    present++;
                if (acked[rr][i] && !full)
                    bad++;       /* acknowledged batch lost */
                if (!full && !acked[rr][i] && i > 0 && !acked[rr][i - 1])
                    break;       /* past the last write of that run */
            }
        }
        fcp_store_close(s);
    }
    CHECK_EQ(bad, 0);
    CHECK(acks > 0);
    CHECK(killed > 0);
    printf("store_symbols crash: %u runs, %lu killed, %lu acknowledged batches, %lu present, %lu bad\n", runs,
           killed, acks, present, bad);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fcp-store-sym-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/store.sqlite3", dir);
    test_api();
    test_check();
    test_txn();
    test_migration();
    test_crash();
    rm_db();
    rmdir(dir);
    return fcp_t_done("store_symbols");
}
