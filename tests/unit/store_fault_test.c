/*
 * store_fault_test.c - the store under injected faults:
 *   - disk full: a database capped with max_db_bytes fills up; the write
 *     that does not fit fails with FCP_ESTORE_FULL, nothing of it is
 *     visible, the store stays consistent and accepts writes again once
 *     there is room (after a delete, or reopened without the cap);
 *   - out of memory: SQLite's allocator is wrapped (sqlite3_config before
 *     first use) to fail the n-th allocation, for every n until a pass runs
 *     clean, across open, put, put_symbols, pin, GC and check.  Every
 *     failure must be a clean error, never a crash or leak, and after each
 *     pass the reopened store passes fcp_store_check and holds each object
 *     either completely or not at all.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "fcp/error.h"
#include "fcp/store.h"
#include "test.h"

static char dir[512], path[600];
static fcp_schema_id schema;
static fcp_object_header H;

static void rm_db(void)
{
    char b[700];
    unlink(path);
    snprintf(b, sizeof b, "%s-wal", path);
    unlink(b);
    snprintf(b, sizeof b, "%s-shm", path);
    unlink(b);
}

/* ---- failing allocator -------------------------------------------------------- */

static sqlite3_mem_methods g_orig;
static long g_countdown = -1;   /* -1: never fail; 0: fail this and later allocations */
static unsigned long g_failed;
static long g_countdown_used; /* countdown left when a pass ended */

static void *fx_malloc(int n)
{
    if (g_countdown == 0) {
        g_failed++;
        return NULL;
    }
    if (g_countdown > 0)
        g_countdown--;
    return g_orig.xMalloc(n);
}

static void *fx_realloc(void *p, int n)
{
    if (g_countdown == 0) {
        g_failed++;
        return NULL;
    }
    if (g_countdown > 0)
        g_countdown--;
    return g_orig.xRealloc(p, n);
}

static void fx_free(void *p) { g_orig.xFree(p); }
static int fx_size(void *p) { return g_orig.xSize(p); }
static int fx_roundup(int n) { return g_orig.xRoundup(n); }
static int fx_init(void *a) { return g_orig.xInit(a); }
static void fx_shutdown(void *a) { g_orig.xShutdown(a); }

static void install_allocator(void)
{
    sqlite3_config(SQLITE_CONFIG_GETMALLOC, &g_orig);
    static sqlite3_mem_methods m;
    m = g_orig;
    m.xMalloc = fx_malloc;
    m.xRealloc = fx_realloc;
    m.xFree = fx_free;
    m.xSize = fx_size;
    m.xRoundup = fx_roundup;
    m.xInit = fx_init;
    m.xShutdown = fx_shutdown;
    CHECK_EQ(sqlite3_config(SQLITE_CONFIG_MALLOC, &m), SQLITE_OK);
    /* no lookaside: every allocation goes through the wrapper */
    CHECK_EQ(sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0), SQLITE_OK);
}

/* ---- helpers ---------------------------------------------------------------------- */

static void mkid(uint8_t id[32], int n)
{
    memset(id, 0x5c, 32);
    id[0] = (uint8_t)(n >> 8);
    id[1] = (uint8_t)n;
}

static int put(fcp_store *s, int n, int ref, size_t blen)
{
    static uint8_t body[16384];
    uint8_t id[32];
    mkid(id, n);
    fcp_object_header_init(&H, &schema, "z:work", 100000 + (uint64_t)n);
    if (ref >= 0) {
        mkid(H.refs[0], ref);
        H.n_refs = 1;
    }
    memset(body, n, blen);
    fcp_retention r = { FCP_RETENTION_EPHEMERAL, 0 };
    return fcp_store_put(s, id, &H, body, blen, 0, &r);
}

/* 1 if object n is stored and its body is right, 0 if absent, -1 if wrong. */
static int object_state(fcp_store *s, int n, size_t blen)
{
    uint8_t id[32];
    mkid(id, n);
    fcp_buf b;
    fcp_buf_init(&b);
    int r = fcp_store_get(s, id, NULL, NULL, &b);
    int st;
    if (r == FCP_ESTORE_NOT_FOUND)
        st = 0;
    else if (r != 0 || b.len != blen)
        st = -1;
    else {
        st = 1;
        for (size_t i = 0; i < blen; i++)
            if (b.data[i] != (uint8_t)n)
                st = -1;
    }
    fcp_buf_free(&b);
    return st;
}

static void test_disk_full(void)
{
    rm_db();
    fcp_store_options o;
    fcp_store_options_default(&o);
    o.max_db_bytes = 320 * 1024;
    fcp_store *s = NULL;
    if (!CHECK_EQ(fcp_store_open(&s, path, &o), 0))
        return;
    int n = 0, r = 0;
    while (n < 1000 && (r = put(s, n, n ? n - 1 : -1, 8000)) == 0)
        n++;
    CHECK_EQ(r, FCP_ESTORE_FULL);
    CHECK(n > 10 && n < 40);
    CHECK_EQ(object_state(s, n, 8000), 0);       /* the failed put left nothing */
    CHECK_EQ(object_state(s, n - 1, 8000), 1);
    char rep[256];
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    uint64_t ub, uo;
    CHECK_EQ(fcp_store_zone_usage(s, "z:work", &ub, &uo), 0);
    CHECK_EQ(uo, (uint64_t)n);
    /* a symbol batch that does not fit is refused whole */
    uint8_t id[32];
    mkid(id, 0);
    static uint8_t data[8][4096];
    fcp_store_symbol y[8];
    for (int i = 0; i < 8; i++) {
        memset(data[i], i, sizeof data[i]);
        y[i] = (fcp_store_symbol){ .esi = (uint32_t)i, .data = data[i], .len = sizeof data[i] };
    }
    CHECK_EQ(fcp_store_put_symbols(s, id, y, 8, NULL), FCP_ESTORE_FULL);
    uint64_t cnt = 99;
    CHECK_EQ(fcp_store_count_symbols(s, id, &cnt), 0);
    CHECK_EQ(cnt, 0);
    /* deleting makes room again (after a checkpoint frees WAL-resident pages) */
    mkid(id, n - 1);
    CHECK_EQ(fcp_store_delete(s, id), 0);
    mkid(id, n - 2);
    CHECK_EQ(fcp_store_delete(s, id), 0);
    CHECK_EQ(put(s, n, -1, 8000), 0);
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    fcp_store_close(s);
    /* without the cap it grows again */
    o.max_db_bytes = 0;
    CHECK_EQ(fcp_store_open(&s, path, &o), 0);
    if (s) {
        CHECK_EQ(put(s, n + 1, n, 8000), 0);
        CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
        fcp_store_close(s);
    }
}

/* One pass: the workload with the countdown armed at `at`.  Returns 1 when
 * no allocation failed (the workload ran clean). */
static int oom_pass(long at, unsigned long *errors_seen)
{
    rm_db();
    fcp_store *s = NULL;
    /* NORMAL: the fsyncs of FULL would only slow the passes down */
    fcp_store_options o;
    fcp_store_options_default(&o);
    o.synchronous_full = 0;
    /* a base state written without faults */
    g_countdown = -1;
    if (fcp_store_open(&s, path, &o) != 0)
        return -1;
    put(s, 1, -1, 1000);
    fcp_store_close(s);
    s = NULL;

    unsigned long before = g_failed;
    g_countdown = at;
    int r = fcp_store_open(&s, path, &o);
    if (r == 0) {
        int rs[6];
        rs[0] = put(s, 2, 1, 3000);
        uint8_t id[32];
        mkid(id, 2);
        static uint8_t data[4][1024];
        fcp_store_symbol y[4];
        for (int i = 0; i < 4; i++)
            y[i] = (fcp_store_symbol){ .esi = (uint32_t)i, .data = data[i], .len = sizeof data[i] };
        rs[1] = fcp_store_put_symbols(s, id, y, 4, NULL);
        rs[2] = fcp_store_pin(s, id);
        fcp_store_gc_result g;
        rs[3] = fcp_store_gc(s, NULL, &g);
        char rep[256];
        rs[4] = fcp_store_check(s, rep, sizeof rep);
        rs[5] = put(s, 3, 2, 500);
        for (int i = 0; i < 6; i++) {
            if (rs[i] == 0)
                continue;
            (*errors_seen)++;
            /* only clean, named errors */
            if (!CHECK(rs[i] == FCP_ESTORE_NOMEM || rs[i] == FCP_ENOMEM || rs[i] == FCP_ESTORE_SQL ||
                       rs[i] == FCP_ESTORE_IO || rs[i] == FCP_ESTORE_NOT_FOUND || rs[i] == FCP_ESTORE_INTEGRITY))
                fprintf(stderr, "  oom at %ld: step %d returned %d\n", at, i, rs[i]);
        }
    } else {
        (*errors_seen)++;
        if (!CHECK(s == NULL && (r == FCP_ESTORE_NOMEM || r == FCP_ENOMEM || r == FCP_ESTORE_OPEN ||
                                 r == FCP_ESTORE_SQL || r == FCP_ESTORE_IO)))
            fprintf(stderr, "  oom at %ld: open returned %d\n", at, r);
    }
    g_countdown_used = g_countdown;
    g_countdown = -1;
    int clean = g_failed == before;
    fcp_store_close(s);

    /* the aftermath, without faults: consistent, and all-or-nothing */
    s = NULL;
    if (!CHECK_EQ(fcp_store_open(&s, path, &o), 0))
        return -1;
    char rep[256];
    if (!CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0))
        fprintf(stderr, "  oom at %ld: %s\n", at, rep);
    CHECK_EQ(object_state(s, 1, 1000), 1);
    int s2 = object_state(s, 2, 3000), s3 = object_state(s, 3, 500);
    CHECK(s2 >= 0 && s3 >= 0);
    uint8_t id[32];
    mkid(id, 2);
    uint64_t cnt = 0;
    CHECK_EQ(fcp_store_count_symbols(s, id, &cnt), 0);
    CHECK(cnt == 0 || cnt == 4);
    if (clean) {
        CHECK_EQ(s2, 1);
        CHECK_EQ(s3, 1);
        CHECK_EQ(cnt, 4);
    }
    fcp_store_close(s);
    return clean;
}

/* Every allocation point is too slow for the unit suite (about 4700 passes,
 * minutes of I/O): by default the first 4 points and about 32 more spread over
 * the workload with seeded jitter; FCP_OOM_ALL=1 tries every point. */
static void test_oom(void)
{
    unsigned long errors = 0;
    /* calibrate: how many allocations does a clean pass make? */
    const long big = 1L << 40;
    if (oom_pass(big, &errors) != 1) {
        CHECK(0);
        return;
    }
    long total = big - g_countdown_used;
    CHECK(total > 100);
    int all = getenv("FCP_OOM_ALL") && atoi(getenv("FCP_OOM_ALL")) == 1;
    uint64_t x = 0x00A110C;
    long tried = 0, at = 0;
    int clean = 0;
    while (at <= total && !clean) {
        int r = oom_pass(at, &errors);
        if (r < 0)
            break;
        clean = r;
        tried++;
        if (all || at < 4) {
            at++;
        } else {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            long step = total / 32;
            at += step / 2 + 1 + (long)((x >> 33) % (uint64_t)(step + 1));
        }
    }
    if (!clean) /* past the last allocation: the workload must run clean */
        clean = oom_pass(total + 10, &errors) == 1;
    CHECK(clean);
    CHECK(errors > 0);
    fprintf(stderr, "store_fault_test: %ld allocations per clean pass; OOM injected at %ld points%s; %lu failed calls, "
                    "all clean errors; store consistent after every pass\n",
            total, tried, all ? " (all)" : " (sampled)", errors);
}

int main(void)
{
    install_allocator();
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fcp-store-fault-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/store.sqlite3", dir);
    fcp_schema_id_init(&schema, "fcp.test", "FaultThing", 1, 0, 0);
    test_disk_full();
    test_oom();
    rm_db();
    rmdir(dir);
    return fcp_t_done("store_fault_test");
}
