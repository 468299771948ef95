/*
 * bench_store.c - throughput of the SQLite store (src/store/) next to a raw
 * SQLite loop doing the least that could store the same bytes, measured in
 * the same run on the same disk with the same PRAGMAs (WAL, and
 * synchronous FULL or NORMAL):
 *
 *   (a) put object: 1 KiB body + minimal header, one transaction each
 *       (store: header encode, object row, zone usage, quota check) vs raw
 *       INSERT of (id, 1 KiB) in its own transaction;
 *   (b) get object by id (record + header + body) vs raw SELECT of the blob;
 *   (c) symbols: batches of 64 x 1 KiB symbols per transaction (store:
 *       duplicate/conflict check per symbol, byte accounting) vs raw
 *       batched INSERT of 64 rows.
 *
 * Each pair runs in 10 alternating slices totalling BENCH_SECONDS (default
 * 1.0) per side, so load drift on the shared machine hits both alike.
 * Files live in a fresh directory under $TMPDIR, removed at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fcp/clock.h"
#include "fcp/error.h"
#include "fcp/store.h"

static double g_secs = 1.0;
static char g_dir[512];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, int r)
{
    fprintf(stderr, "bench_store: %s failed (%d)\n", what, r);
    exit(1);
}

typedef int (*op_fn)(void *);

static void run(op_fn fn, void *arg, double secs, double *ops, double *el)
{
    unsigned long n = 0;
    double t0 = now(), t;
    do {
        if (fn(arg) != 0)
            die("operation", -1);
        n++;
        t = now() - t0;
    } while (t < secs);
    *ops += (double)n;
    *el += t;
}

static void pair(op_fn a, void *aa, op_fn b, void *ba, double *ra, double *rb)
{
    double oa = 0, ea = 0, ob = 0, eb = 0;
    for (int i = 0; i < 10; i++) {
        run(a, aa, g_secs / 10, &oa, &ea);
        run(b, ba, g_secs / 10, &ob, &eb);
    }
    *ra = oa / ea;
    *rb = ob / eb;
}

/* ---- the store side ---------------------------------------------------------- */

struct st {
    fcp_store        *s;
    fcp_object_header h;
    uint8_t           body[1024];
    uint64_t          next, count;
    uint8_t           sym[64][1024];
    fcp_store_symbol  y[64];
    uint8_t           sym_obj[32];
    uint32_t          esi;
    fcp_buf           hb, bb;
};

static void mkid(uint8_t id[32], uint64_t n, uint8_t tag)
{
    memset(id, tag, 32);
    memcpy(id, &n, sizeof n);
}

static int st_put(void *p)
{
    struct st *S = p;
    uint8_t id[32];
    mkid(id, S->next++, 1);
    fcp_retention r = { FCP_RETENTION_EPHEMERAL, 0 };
    return fcp_store_put(S->s, id, &S->h, S->body, sizeof S->body, 0, &r);
}

static int st_get(void *p)
{
    struct st *S = p;
    uint8_t id[32];
    mkid(id, (S->next++ * 7919) % S->count, 1);
    fcp_store_record rec;
    fcp_buf_reset(&S->hb);
    fcp_buf_reset(&S->bb);
    return fcp_store_get(S->s, id, &rec, &S->hb, &S->bb);
}

static int st_syms(void *p)
{
    struct st *S = p;
    for (int i = 0; i < 64; i++)
        S->y[i].esi = S->esi++;
    return fcp_store_put_symbols(S->s, S->sym_obj, S->y, 64, NULL);
}

/* ---- the raw SQLite side ------------------------------------------------------- */

struct raw {
    sqlite3      *db;
    sqlite3_stmt *ins, *sel, *sins, *begin, *commit;
    uint8_t       body[1024];
    uint64_t      next, count;
    uint32_t      esi;
};

static int step_reset(sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int raw_put(void *p)
{
    struct raw *R = p;
    uint8_t id[32];
    mkid(id, R->next++, 1);
    if (step_reset(R->begin))
        return -1;
    sqlite3_bind_blob(R->ins, 1, id, 32, SQLITE_STATIC);
    sqlite3_bind_blob(R->ins, 2, R->body, sizeof R->body, SQLITE_STATIC);
    if (step_reset(R->ins))
        return -1;
    return step_reset(R->commit);
}

static int raw_get(void *p)
{
    struct raw *R = p;
    uint8_t id[32];
    mkid(id, (R->next++ * 7919) % R->count, 1);
    sqlite3_bind_blob(R->sel, 1, id, 32, SQLITE_STATIC);
    int rc = sqlite3_step(R->sel);
    volatile size_t n = rc == SQLITE_ROW ? (size_t)sqlite3_column_bytes(R->sel, 0) : 0;
    if (rc == SQLITE_ROW) {
        static uint8_t copy[1024];
        memcpy(copy, sqlite3_column_blob(R->sel, 0), n > 1024 ? 1024 : n);
    }
    sqlite3_reset(R->sel);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int raw_syms(void *p)
{
    struct raw *R = p;
    static const uint8_t obj[32] = { 9 };
    if (step_reset(R->begin))
        return -1;
    for (int i = 0; i < 64; i++) {
        sqlite3_bind_blob(R->sins, 1, obj, 32, SQLITE_STATIC);
        sqlite3_bind_int64(R->sins, 2, R->esi++);
        sqlite3_bind_blob(R->sins, 3, R->body, sizeof R->body, SQLITE_STATIC);
        if (step_reset(R->sins))
            return -1;
    }
    return step_reset(R->commit);
}

static void raw_open(struct raw *R, const char *path, int full)
{
    memset(R, 0, sizeof *R);
    memset(R->body, 0x77, sizeof R->body);
    if (sqlite3_open(path, &R->db) != SQLITE_OK)
        die("raw open", -1);
    char *em = NULL;
    const char *sql = full ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                             "CREATE TABLE o(id BLOB PRIMARY KEY, data BLOB);"
                             "CREATE TABLE y(obj BLOB, esi INTEGER, data BLOB, PRIMARY KEY(obj, esi));"
                           : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                             "CREATE TABLE o(id BLOB PRIMARY KEY, data BLOB);"
                             "CREATE TABLE y(obj BLOB, esi INTEGER, data BLOB, PRIMARY KEY(obj, esi));";
    if (sqlite3_exec(R->db, sql, NULL, NULL, &em) != SQLITE_OK)
        die(em ? em : "raw schema", -1);
    if (sqlite3_prepare_v2(R->db, "INSERT INTO o(id, data) VALUES(?1, ?2)", -1, &R->ins, NULL) ||
        sqlite3_prepare_v2(R->db, "SELECT data FROM o WHERE id = ?1", -1, &R->sel, NULL) ||
        sqlite3_prepare_v2(R->db, "INSERT INTO y(obj, esi, data) VALUES(?1, ?2, ?3)", -1, &R->sins, NULL) ||
        sqlite3_prepare_v2(R->db, "BEGIN IMMEDIATE", -1, &R->begin, NULL) ||
        sqlite3_prepare_v2(R->db, "COMMIT", -1, &R->commit, NULL))
        die("raw prepare", -1);
}

static void raw_close(struct raw *R)
{
    sqlite3_finalize(R->ins);
    sqlite3_finalize(R->sel);
    sqlite3_finalize(R->sins);
    sqlite3_finalize(R->begin);
    sqlite3_finalize(R->commit);
    sqlite3_close(R->db);
}

static void rm(const char *p)
{
    char b[700];
    unlink(p);
    snprintf(b, sizeof b, "%s-wal", p);
    unlink(b);
    snprintf(b, sizeof b, "%s-shm", p);
    unlink(b);
}

static void bench_mode(int full)
{
    char sp[600], rp[600];
    snprintf(sp, sizeof sp, "%s/store.sqlite3", g_dir);
    snprintf(rp, sizeof rp, "%s/raw.sqlite3", g_dir);
    rm(sp);
    rm(rp);
    static struct st S;
    static struct raw R;
    memset(&S, 0, sizeof S);
    fcp_store_options o;
    fcp_store_options_default(&o);
    o.synchronous_full = full;
    int r = fcp_store_open(&S.s, sp, &o);
    if (r)
        die("store open", r);
    fcp_schema_id schema;
    fcp_schema_id_init(&schema, "fcp.bench", "Thing", 1, 0, 0);
    fcp_object_header_init(&S.h, &schema, "z:work", 1700000000);
    memset(S.body, 0x77, sizeof S.body);
    fcp_buf_init(&S.hb);
    fcp_buf_init(&S.bb);
    raw_open(&R, rp, full);
    const char *mode = full ? "FULL" : "NORMAL";

    double a, b;
    pair(st_put, &S, raw_put, &R, &a, &b);
    printf("synchronous=%-6s put object (1 KiB body, 1 txn each): store %8.0f/s   raw SQLite %8.0f/s   ratio %.2f\n",
           mode, a, b, a / b);
    S.count = S.next;
    R.count = R.next;
    S.next = R.next = 0;
    pair(st_get, &S, raw_get, &R, &a, &b);
    printf("synchronous=%-6s get object (record+header+body):    store %8.0f/s   raw SQLite %8.0f/s   ratio %.2f\n",
           mode, a, b, a / b);
    /* one body-less object receives the symbols */
    mkid(S.sym_obj, 0, 2);
    fcp_retention ret = { FCP_RETENTION_EPHEMERAL, 0 };
    if ((r = fcp_store_put(S.s, S.sym_obj, &S.h, NULL, 0, 1 << 30, &ret)) != 0)
        die("store put (symbols object)", r);
    for (int i = 0; i < 64; i++) {
        memset(S.sym[i], i, sizeof S.sym[i]);
        S.y[i].data = S.sym[i];
        S.y[i].len = sizeof S.sym[i];
    }
    pair(st_syms, &S, raw_syms, &R, &a, &b);
    printf("synchronous=%-6s symbols (64 x 1 KiB per txn):       store %8.0f/s   raw SQLite %8.0f/s   ratio %.2f"
           "  (%.1f vs %.1f MiB/s)\n",
           mode, a * 64, b * 64, a / b, a * 64 / 1024, b * 64 / 1024);
    fcp_store_stats st;
    if (fcp_store_stats_get(S.s, &st) == 0)
        printf("synchronous=%-6s store now: %llu objects, %llu symbols, %.1f MiB file\n", mode,
               (unsigned long long)st.objects, (unsigned long long)st.symbols, (double)st.db_bytes / 1048576.0);
    fcp_buf_free(&S.hb);
    fcp_buf_free(&S.bb);
    fcp_store_close(S.s);
    raw_close(&R);
    rm(sp);
    rm(rp);
}

int main(void)
{
    const char *e = getenv("BENCH_SECONDS");
    if (e && atof(e) > 0)
        g_secs = atof(e);
    const char *t = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/fcp-bench-store-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(g_dir))
        die("mkdtemp", -1);
    printf("bench_store: SQLite %s, WAL, %.1f s per side per figure, files in %s\n", sqlite3_libversion(), g_secs,
           g_dir);
    bench_mode(1);
    bench_mode(0);
    rmdir(g_dir);
    return 0;
}
