/*
 * store_crash_test.c - crash consistency of the SQLite store.
 *
 * Each run forks a child that opens the store and writes in a loop: an
 * object (header with a ref to its predecessor + body, one transaction),
 * then a batch of symbols for it (another transaction), reporting each
 * acknowledged write (the call returned 0) to the parent through a pipe.
 * The parent SIGKILLs the child after a random delay (seeded), so kills land
 * during open, inside transactions, between them and during commits.  Then
 * the parent reopens the store and requires:
 *   - fcp_store_check passes (SQLite integrity, foreign keys, our invariants);
 *   - every acknowledged object is present and byte-identical (header and
 *     body regenerated from (run, index) encoded in the header);
 *   - every acknowledged symbol batch is present in full, byte-identical;
 *   - no partially visible write: every stored object, acknowledged or
 *     not, is complete and correct, and holds either none or all of its
 *     symbol batch.
 * The database accumulates across runs, so recovery is exercised on a
 * growing file.  FCP_CRASH_RUNS (default 50) and FCP_CRASH_SEED override.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcp/store.h"
#include "test.h"

#define MAX_RUNS   1000
#define MAX_PER_RUN 4096
#define NSYM       4

static char dir[512], path[600];
static fcp_schema_id schema;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Everything about object (run, i) is a function of (run, i). */
static uint64_t tag(uint32_t run, uint32_t i) { return 1000000ull * (run + 1) + i; }

static void obj_id(uint8_t id[32], uint32_t run, uint32_t i)
{
    uint64_t x = tag(run, i) ^ 0x1234;
    for (int k = 0; k < 4; k++) {
        uint64_t v = splitmix(&x);
        memcpy(id + 8 * k, &v, 8);
    }
}

static size_t body_len(uint32_t run, uint32_t i)
{
    uint64_t x = tag(run, i) ^ 0xB0D1;
    return (size_t)(splitmix(&x) % 6000);
}

static void fill(uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t x = seed;
    for (size_t k = 0; k < n; k += 8) {
        uint64_t v = splitmix(&x);
        memcpy(p + k, &v, n - k < 8 ? n - k : 8);
    }
}

static void mkheader(fcp_object_header *h, uint32_t run, uint32_t i)
{
    fcp_object_header_init(h, &schema, "z:work", tag(run, i));
    if (i > 0) {
        obj_id(h->refs[0], run, i - 1);
        h->n_refs = 1;
    }
}

static void mksyms(fcp_store_symbol *y, uint8_t (*data)[512], uint32_t run, uint32_t i)
{
    for (int k = 0; k < NSYM; k++) {
        fill(data[k], sizeof data[k], tag(run, i) * 31 + (uint64_t)k);
        y[k].esi = (uint32_t)k * 7;
        y[k].sbn = 0;
        memset(y[k].zone_key_id, (int)(run & 0xff), 8);
        y[k].data = data[k];
        y[k].len = sizeof data[k];
    }
}

struct ack { uint32_t run, i; uint32_t kind; };   /* kind 1 object, 2 symbols */

static void child(uint32_t run, int wfd)
{
    fcp_store *s = NULL;
    if (fcp_store_open(&s, path, NULL) != 0)
        _exit(3);
    static fcp_object_header h;
    static uint8_t body[8192];
    uint8_t data[NSYM][512];
    fcp_store_symbol y[NSYM];
    fcp_retention eph = { FCP_RETENTION_EPHEMERAL, 0 };
    for (uint32_t i = 0; i < MAX_PER_RUN; i++) {
        uint8_t id[32];
        obj_id(id, run, i);
        mkheader(&h, run, i);
        size_t bl = body_len(run, i);
        fill(body, bl, tag(run, i));
        if (fcp_store_put(s, id, &h, body, bl, 0, &eph) != 0)
            _exit(4);
        struct ack a = { run, i, 1 };
        if (write(wfd, &a, sizeof a) != (ssize_t)sizeof a)
            _exit(5);
        mksyms(y, data, run, i);
        if (fcp_store_put_symbols(s, id, y, NSYM, NULL) != 0)
            _exit(6);
        a.kind = 2;
        if (write(wfd, &a, sizeof a) != (ssize_t)sizeof a)
            _exit(5);
    }
    fcp_store_close(s);
    _exit(0);
}

static uint8_t acked[MAX_RUNS][MAX_PER_RUN];

struct sym_cmp { uint8_t (*data)[512]; int k, bad; };

static int sym_cb(void *ctx, const fcp_store_symbol *y)
{
    struct sym_cmp *c = ctx;
    if (c->k >= NSYM || y->len != 512 || y->esi != (uint32_t)c->k * 7 || memcmp(y->data, c->data[c->k], 512) != 0)
        c->bad = 1;
    c->k++;
    return 0;
}

/* Verify object (run, i) if stored: complete and correct.  Returns 1 if
 * stored and correct, 0 if absent, -1 (with a message) if wrong. */
static int verify_object(fcp_store *s, uint32_t run, uint32_t i, int want_syms)
{
    uint8_t id[32];
    obj_id(id, run, i);
    fcp_buf hb, bb, eh;
    fcp_buf_init(&hb);
    fcp_buf_init(&bb);
    fcp_buf_init(&eh);
    fcp_store_record rec;
    int r = fcp_store_get(s, id, &rec, &hb, &bb);
    if (r == FCP_ESTORE_NOT_FOUND)
        return 0;
    static fcp_object_header h;
    static uint8_t body[8192];
    mkheader(&h, run, i);
    size_t bl = body_len(run, i);
    fill(body, bl, tag(run, i));
    const char *why = NULL;
    uint64_t n = 0;
    if (r != 0)
        why = "get failed";
    else if (fcp_object_header_encode(&h, &eh) != 0)
        why = "header encode failed";
    else if (!rec.has_body)
        why = "body missing";
    else if (hb.len != eh.len || memcmp(hb.data, eh.data, eh.len) != 0)
        why = "header differs";
    else if (bb.len != bl || (bl && memcmp(bb.data, body, bl) != 0))
        why = "body differs";
    else if (fcp_store_count_symbols(s, id, &n) != 0)
        why = "count symbols failed";
    else if (n != 0 && n != NSYM)
        why = "symbol batch partially visible";
    else if (want_syms && n != NSYM)
        why = "acknowledged symbol batch missing";
    else if (n) {
        uint8_t data[NSYM][512];
        fcp_store_symbol y[NSYM];
        mksyms(y, data, run, i);
        struct sym_cmp c = { data, 0, 0 };
        if (fcp_store_foreach_symbol(s, id, sym_cb, &c) != 0 || c.bad || c.k != NSYM)
            why = "symbols differ";
    }
    fcp_buf_free(&hb);
    fcp_buf_free(&bb);
    fcp_buf_free(&eh);
    if (why) {
        fprintf(stderr, "  object (%u,%u): %s\n", run, i, why);
        return -1;
    }
    return 1;
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fcp-store-crash-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/store.sqlite3", dir);
    fcp_schema_id_init(&schema, "fcp.test", "CrashThing", 1, 0, 0);
    uint32_t runs = 50;
    uint64_t seed = 0xFC9C2A5Full;
    if (getenv("FCP_CRASH_RUNS"))
        runs = (uint32_t)strtoul(getenv("FCP_CRASH_RUNS"), NULL, 10);
    if (getenv("FCP_CRASH_SEED"))
        seed = strtoull(getenv("FCP_CRASH_SEED"), NULL, 0);
    if (runs > MAX_RUNS)
        runs = MAX_RUNS;
    uint64_t rng = seed;
    unsigned long acks_obj = 0, acks_sym = 0, found = 0, killed = 0, finished_early = 0;
    for (uint32_t run = 0; run < runs; run++) {
        int pfd[2];
        if (pipe(pfd) != 0)
            return 1;
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            close(pfd[0]);
            child(run, pfd[1]);
        }
        close(pfd[1]);
        /* kill after 0..40 ms; one run in eight is killed at once (during open) */
        uint64_t r = splitmix(&rng);
        long us = (r & 7) == 0 ? (long)(r >> 8) % 500 : (long)((r >> 8) % 40000);
        struct timespec ts = { 0, us * 1000 };
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int st = 0;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
            killed++;
        else if (!CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0))
            fprintf(stderr, "  run %u: child failed (status 0x%x)\n", run, st);
        else
            finished_early++;
        struct ack a;
        ssize_t n;
        while ((n = read(pfd[0], &a, sizeof a)) == (ssize_t)sizeof a) {
            if (a.run == run && a.i < MAX_PER_RUN) {
                acked[run][a.i] = (uint8_t)(acked[run][a.i] > a.kind ? acked[run][a.i] : a.kind);
                if (a.kind == 1)
                    acks_obj++;
                else
                    acks_sym++;
            }
        }
        close(pfd[0]);

        /* reopen, check, verify everything written so far */
        fcp_store *s = NULL;
        if (!CHECK_EQ(fcp_store_open(&s, path, NULL), 0))
            break;
        char rep[256];
        if (!CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0))
            fprintf(stderr, "  run %u: %s\n", run, rep);
        unsigned long here = 0;
        int bad = 0;
        for (uint32_t rr = 0; rr <= run; rr++) {
            for (uint32_t i = 0; i < MAX_PER_RUN; i++) {
                int v = verify_object(s, rr, i, acked[rr][i] == 2);
                if (v < 0)
                    bad++;
                if (v == 0 && acked[rr][i]) {
                    fprintf(stderr, "  run %u: acknowledged object (%u,%u) missing\n", run, rr, i);
                    bad++;
                }
                if (v != 0)
                    here++;
                else
                    break; /* objects of a run are written in order: nothing later exists */
            }
        }
        CHECK_EQ(bad, 0);
        /* nothing unexpected is stored: every object is one of ours */
        fcp_store_stats stt;
        CHECK_EQ(fcp_store_stats_get(s, &stt), 0);
        CHECK_EQ(stt.objects, here);
        found = here;
        fcp_store_close(s);
    }
    fprintf(stderr, "store_crash_test: %u runs (seed 0x%llx): %lu killed, %lu finished; acks: %lu objects, %lu symbol "
                    "batches; %lu objects in the store, all verified\n",
            runs, (unsigned long long)seed, killed, finished_early, acks_obj, acks_sym, found);
    char b[700];
    unlink(path);
    snprintf(b, sizeof b, "%s-wal", path);
    unlink(b);
    snprintf(b, sizeof b, "%s-shm", path);
    unlink(b);
    rmdir(dir);
    return fcp_t_done("store_crash_test");
}
