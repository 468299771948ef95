/*
 * bench_node.c - fcpd end to end on loopback, each figure against a
 * reference measured in the same run (docs/performance.md, "fcpd node"):
 *
 *   (i)   put of a 10 MiB object through fcpd's admin socket (3 nodes): the
 *         client streams the bytes, fcpd chunks, encodes, seals, commits its
 *         share and answers once the peers' shares left its queues; against
 *         a single-core RaptorQ encode of the same canonical chunk objects
 *         (encoder built + every member's ESIs produced, the symbols a put
 *         makes).  Target ratio >= 0.5.
 *   (ii)  get of a 10 MiB object through a node that holds none of its
 *         symbols (it was down during the put) from its two peers; against a
 *         single-core decode of the same objects from the two peers' ESI
 *         classes (decoder built + symbols added until it completes).
 *         Target >= 0.5.
 *   (iii) an idle fcpd with three peers (4 nodes, a 10 MiB object spread):
 *         CPU share of one core over 30 s (/proc/PID/stat utime + stime) and
 *         VmRSS.  Targets < 0.5 % and <= 16 MiB.
 *   (iv)  VmRSS of a node during ~10 s of garbage datagrams sent at full rate
 *         from another process, and after.
 *
 * fork/execs the fcp and fcpd built beside this binary (BUILD/bench/.. ;
 * BENCH_NODE_BIN overrides), in a temp dir, on 127.0.0.1 with free ports;
 * every daemon is stopped at the end.  The daemons run with
 * FCPD_REPAIR_MAX_ACTIVE=1 so repair traffic toward the node restarted for
 * (ii) stays small while it gets.  Environment: BENCH_NODE_RUNS (default 5),
 * BENCH_NODE_IDLE_S (default 30), BENCH_NODE_FLOOD_S (default 10).
 * Run by `make bench`, never by `make check`.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "fcp/admin.h"
#include "fcp/buf.h"
#include "fcp/chunked.h"
#include "fcp/error.h"
#include "fcp/model_object.h"
#include "fcp/raptorq.h"

#define MIB        (1024u * 1024u)
#define OBJ_BYTES  (10u * MIB)
#define MAX_NODES  4
#define ZONE       "z:private"

static char g_bin[PATH_MAX], g_dir[PATH_MAX];
static long long cpu_ticks(long pid);
static long node_pid(int i);

/* CPU seconds used by nodes 1..n since the last call (utime + stime) */
static void cpu_mark(int n, long long *t)
{
    for (int i = 1; i <= n; i++)
        t[i] = cpu_ticks(node_pid(i));
}
static void cpu_print(int n, const long long *t0, double wall_s)
{
    long hz = sysconf(_SC_CLK_TCK);
    printf("      CPU during it:");
    for (int i = 1; i <= n; i++)
        printf(" node-%d %.0f ms", i, (double)(cpu_ticks(node_pid(i)) - t0[i]) * 1e3 / (double)hz);
    printf(" (wall %.0f ms)\n", wall_s * 1e3);
}
static int g_port[MAX_NODES + 1], g_nodes;

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t l = sizeof a;
    int p = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &l) == 0)
        p = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return p;
}

/* ---- the mesh ------------------------------------------------------------------- */

static void sock_path(int i, char *out, size_t cap) { snprintf(out, cap, "%s/m%d/n%d/fcpd.sock", g_dir, g_nodes, i); }

static long node_pid(int i)
{
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/m%d/n%d/fcpd.pid", g_dir, g_nodes, i);
    FILE *f = fopen(p, "r");
    long pid = -1;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = -1;
        fclose(f);
    }
    return pid;
}

static int node_start(int i)
{
    return sh("FCPD_REPAIR_MAX_ACTIVE=1 '%s/fcpd' --config '%s/m%d/n%d/fcpd.toml' --daemon", g_bin, g_dir,
              g_nodes, i);
}

static void node_stop(int i, int sig)
{
    long pid = node_pid(i);
    if (pid <= 0)
        return;
    kill((pid_t)pid, sig);
    for (int k = 0; k < 500 && kill((pid_t)pid, 0) == 0; k++)
        sleep_s(0.01);
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/m%d/n%d/fcpd.pid", g_dir, g_nodes, i);
    unlink(p);
}

static int mesh_init(int n)
{
    g_nodes = n;
    if (sh("mkdir -p '%s/m%d'", g_dir, n) != 0)
        return -1;
    for (int i = 1; i <= n; i++)
        if ((g_port[i] = free_port()) < 0)
            return -1;
    for (int i = 1; i <= n; i++) {
        char owner[PATH_MAX + 64] = "";
        if (i > 1)
            snprintf(owner, sizeof owner, "--owner-home '%s/m%d/n1'", g_dir, n);
        if (sh("'%s/fcp' init --home '%s/m%d/n%d' --node-id node-%d --listen 127.0.0.1:%d "
               "--data-dir '%s/m%d/n%d/data' %s >/dev/null",
               g_bin, g_dir, n, i, i, g_port[i], g_dir, n, i, owner) != 0)
            return -1;
    }
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= n; j++)
            if (i != j && sh("'%s/fcp' node add-peer --home '%s/m%d/n%d' --id node-%d --address 127.0.0.1:%d "
                             "--attestation '%s/m%d/n%d/node.attest' >/dev/null",
                             g_bin, g_dir, n, i, j, g_port[j], g_dir, n, j) != 0)
                return -1;
    return 0;
}

/* ---- admin calls ---------------------------------------------------------------- */

static int call(int i, int op, fcp_buf *resp)
{
    char sp[PATH_MAX + 32], detail[256];
    sock_path(i, sp, sizeof sp);
    fcp_admin_request r = { .op = op };
    return fcp_admin_client_simple(sp, &r, resp, detail, sizeof detail);
}

/* A top-level unsigned field of node i's status, or of its "counters" map
 * (counter != 0), or of zones[ZONE] (zone != 0); -1 if unavailable. */
static long long status_field(int i, const char *key, int where)
{
    fcp_buf b;
    fcp_buf_init(&b);
    long long v = -1;
    if (call(i, FCP_ADMIN_OP_STATUS, &b) == 0) {
        const uint8_t *p = b.data, *q;
        size_t n = b.len, ql;
        uint64_t u;
        if (where == 1 && fcp_admin_resp_raw(p, n, "counters", &q, &ql) == 1) {
            p = q;
            n = ql;
        } else if (where == 2 && fcp_admin_resp_raw(p, n, "zones", &q, &ql) == 1 &&
                   fcp_admin_resp_raw(q, ql, ZONE, &p, &n) == 1) {
        } else if (where != 0) {
            p = NULL;
        }
        if (p && fcp_admin_resp_uint(p, n, key, &u) == 1)
            v = (long long)u;
    }
    fcp_buf_free(&b);
    return v;
}

static int wait_up(double t)
{
    for (double t0 = wall(); wall() - t0 < t; sleep_s(0.05)) {
        int up = 0;
        for (int i = 1; i <= g_nodes; i++)
            up += status_field(i, "peers_up", 0) == g_nodes - 1;
        if (up == g_nodes)
            return 0;
    }
    return -1;
}

/* no object at risk anywhere and no repair running for 1 s */
static int wait_settled(double t)
{
    int quiet = 0;
    for (double t0 = wall(); wall() - t0 < t; sleep_s(0.1)) {
        int ok = 1;
        for (int i = 1; i <= g_nodes; i++) {
            long long r = status_field(i, "at_risk", 2);
            long long s = status_field(i, "repairs_started", 1), d = status_field(i, "repairs_done", 1);
            long long f = status_field(i, "repairs_failed", 1);
            if (r != 0 || (s >= 0 && d >= 0 && s > d + (f > 0 ? f : 0)))
                ok = 0;
        }
        quiet = ok ? quiet + 1 : 0;
        if (quiet >= 10)
            return 0;
    }
    return -1;
}

static int admin_put(int i, const uint8_t *data, size_t len, uint8_t id[32], double *secs)
{
    char sp[PATH_MAX + 32];
    sock_path(i, sp, sizeof sp);
    fcp_admin_client c;
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = fcp_admin_client_open(&c, sp);
    if (rc < 0)
        return rc;
    double t0 = wall();
    fcp_admin_request r = { .op = FCP_ADMIN_OP_PUT, .has_zone = 1, .has_size = 1, .size = len };
    snprintf(r.zone, sizeof r.zone, "%s", ZONE);
    uint64_t seq = 0;
    rc = fcp_admin_client_send(&c, &r, &seq);
    for (size_t off = 0; rc == 0 && off < len; off += FCP_ADMIN_CHUNK) {
        size_t n = len - off < FCP_ADMIN_CHUNK ? len - off : FCP_ADMIN_CHUNK;
        fcp_admin_request dr = { .op = FCP_ADMIN_OP_PUT_DATA, .has_data = 1, .data = data + off, .data_len = n };
        rc = fcp_admin_client_send(&c, &dr, NULL);
    }
    fcp_admin_request er = { .op = FCP_ADMIN_OP_PUT_END };
    if (rc == 0)
        rc = fcp_admin_client_send(&c, &er, &seq);
    int rrc = fcp_admin_client_recv(&c, seq, &resp);
    *secs = wall() - t0;
    fcp_admin_client_close(&c);
    int err = 0;
    char detail[256];
    const uint8_t *p;
    size_t pl;
    if (rc == 0 && rrc < 0)
        rc = rrc;
    if (rc == 0 && fcp_admin_resp_failed(resp.data, resp.len, &err, detail, sizeof detail) != 0)
        rc = err ? err : FCP_EADMIN_RESPONSE;
    if (rc == 0 && (fcp_admin_resp_bytes(resp.data, resp.len, "id", &p, &pl) != 1 || pl != 32))
        rc = FCP_EADMIN_RESPONSE;
    if (rc == 0)
        memcpy(id, p, 32);
    fcp_buf_free(&resp);
    return rc;
}

/* get: *secs from the request to the last byte */
static int admin_get(int i, const uint8_t id[32], const uint8_t *expect, size_t len, double *secs)
{
    char sp[PATH_MAX + 32], detail[256];
    sock_path(i, sp, sizeof sp);
    fcp_admin_client c;
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = fcp_admin_client_open(&c, sp);
    if (rc < 0)
        return rc;
    fcp_admin_request r = { .op = FCP_ADMIN_OP_GET, .has_id = 1 };
    memcpy(r.id, id, 32);
    uint64_t seq = 0, size = 0;
    size_t got = 0;
    int err = 0;
    double t0 = wall();
    if ((rc = fcp_admin_client_send(&c, &r, &seq)) < 0 || (rc = fcp_admin_client_recv(&c, seq, &resp)) < 0)
        goto out;
    if (fcp_admin_resp_failed(resp.data, resp.len, &err, detail, sizeof detail) != 0) {
        rc = err ? err : FCP_EADMIN_RESPONSE;
        goto out;
    }
    fcp_admin_resp_uint(resp.data, resp.len, "size", &size);
    for (;;) {
        if ((rc = fcp_admin_client_recv(&c, seq, &resp)) < 0)
            goto out;
        int end = 0;
        if (fcp_admin_resp_bool(resp.data, resp.len, "end", &end) == 1 && end)
            break;
        const uint8_t *p;
        size_t n;
        if (fcp_admin_resp_bytes(resp.data, resp.len, "data", &p, &n) != 1 || got + n > len ||
            memcmp(p, expect + got, n) != 0) {
            rc = FCP_EADMIN_RESPONSE;
            goto out;
        }
        got += n;
    }
    *secs = wall() - t0;
    rc = got == len && size == len ? 0 : FCP_EADMIN_RESPONSE;
out:
    fcp_admin_client_close(&c);
    fcp_buf_free(&resp);
    return rc;
}

/* ---- references: the same canonical chunk objects, single core ------------------ */

typedef struct objs {
    uint8_t **obj;
    size_t   *len;
    size_t    n, cap;
} objs;

static int keep(objs *o, const fcp_object_header *h, const uint8_t *body, size_t body_len)
{
    if (o->n == o->cap) {
        size_t nc = o->cap ? 2 * o->cap : 256;
        uint8_t **a = realloc(o->obj, nc * sizeof *a);
        size_t *b = a ? realloc(o->len, nc * sizeof *b) : NULL;
        if (!a || !b)
            return FCP_ENOMEM;
        o->obj = a;
        o->len = b;
        o->cap = nc;
    }
    fcp_buf cb;
    fcp_buf_init(&cb);
    int rc = fcp_object_canonical_bytes(h, body, body_len, &cb);
    if (rc == 0) {
        o->obj[o->n] = cb.data;   /* ownership moves */
        o->len[o->n++] = cb.len;
    } else {
        fcp_buf_free(&cb);
    }
    return rc;
}

static int emit(void *ctx, uint32_t i, const fcp_object_header *h, const uint8_t *body, size_t body_len,
                const uint8_t id[32])
{
    (void)i;
    (void)id;
    return keep(ctx, h, body, body_len);
}

static int build_objects(const uint8_t *data, size_t len, objs *o)
{
    fcp_rq_config cfg;
    fcp_rq_config_default(&cfg);
    fcp_object_header *h = calloc(1, sizeof *h);
    fcp_object_id_key key;
    memset(&key, 7, sizeof key);
    fcp_schema_id s;
    fcp_raw_chunk_schema(&s);
    fcp_buf body;
    fcp_buf_init(&body);
    uint8_t mid[32];
    int rc = h ? fcp_object_header_init(h, &s, ZONE, 1700000000u) : FCP_ENOMEM;
    if (rc == 0)
        rc = fcp_chunked_split(&cfg, h, &key, data, len, 0, emit, o, &body, mid);
    if (rc == 0) {
        fcp_chunk_manifest_schema(&h->schema);
        rc = keep(o, h, body.data, body.len);
    }
    fcp_buf_free(&body);
    free(h);
    return rc;
}

static uint32_t share_of(uint32_t K, uint32_t members)
{
    return (K + 2 + (members - 1) - 1) / (members - 1) + 2; /* mesh_share, default limits */
}

/* Encode every object: encoder + all members' ESIs.  Seconds. */
static double ref_encode(const objs *o, uint32_t members)
{
    const uint16_t T = 1024;
    uint8_t *sym = malloc(T);
    double t0 = wall();
    for (size_t i = 0; i < o->n; i++) {
        uint32_t K;
        fcp_rq_fcp_k(o->len[i], T, &K);
        size_t bl = (size_t)K * T;
        uint8_t *block = malloc(bl);
        fcp_rq_fcp_pad(o->obj[i], o->len[i], T, block, bl);
        fcp_rq_encoder *enc;
        if (fcp_rq_encoder_new(&enc, block, K, T, NULL) == 0) {
            uint32_t n = share_of(K, members) * members;
            for (uint32_t e = 0; e < n; e++)
                fcp_rq_encoder_symbol(enc, e, sym);
            fcp_rq_encoder_free(enc);
        }
        free(block);
    }
    double t = wall() - t0;
    free(sym);
    return t;
}

/* Decode every object from the ESI classes of members a and b (of
 * `members`), alternating, until the decoder completes.  The symbols are
 * made first (untimed).  Seconds, or -1 if a decode failed. */
static double ref_decode(const objs *o, uint32_t members, uint32_t a, uint32_t b)
{
    const uint16_t T = 1024;
    double total = 0;
    int failed = 0;
    for (size_t i = 0; i < o->n; i++) {
        uint32_t K;
        fcp_rq_fcp_k(o->len[i], T, &K);
        size_t bl = (size_t)K * T;
        uint32_t share = share_of(K, members);
        uint8_t *block = malloc(bl), *syms = malloc((size_t)2 * share * T);
        uint32_t *esi = malloc(2 * share * sizeof *esi);
        fcp_rq_fcp_pad(o->obj[i], o->len[i], T, block, bl);
        fcp_rq_encoder *enc;
        if (fcp_rq_encoder_new(&enc, block, K, T, NULL) < 0) {
            failed = 1;
            break;
        }
        for (uint32_t j = 0; j < share; j++) {
            esi[2 * j] = a + members * j;
            esi[2 * j + 1] = b + members * j;
        }
        for (uint32_t j = 0; j < 2 * share; j++)
            fcp_rq_encoder_symbol(enc, esi[j], syms + (size_t)j * T);
        fcp_rq_encoder_free(enc);
        double t0 = wall();
        fcp_rq_block_decoder *dec;
        int rc = fcp_rq_block_decoder_new(&dec, K, T, NULL);
        if (rc == 0)
            rc = FCP_ERQ_NEED_MORE;
        for (uint32_t j = 0; rc == FCP_ERQ_NEED_MORE && j < 2 * share; j++)
            rc = fcp_rq_block_decoder_add(dec, esi[j], syms + (size_t)j * T, T);
        if (rc != 0 || memcmp(fcp_rq_block_decoder_data(dec), block, o->len[i]) != 0)
            failed = 1;
        fcp_rq_block_decoder_free(dec);
        total += wall() - t0;
        free(block);
        free(syms);
        free(esi);
    }
    return failed ? -1 : total;
}

static void fill(uint64_t *st, void *out, size_t n)
{
    uint8_t *p = out;
    for (size_t i = 0; i < n; i++) {
        if (i % 8 == 0) {
            *st ^= *st << 13;
            *st ^= *st >> 7;
            *st ^= *st << 17;
        }
        p[i] = (uint8_t)(*st >> (8 * (i % 8)));
    }
}

/* ---- /proc ---------------------------------------------------------------------- */

static long rss_kib(long pid)
{
    char p[64], line[256];
    snprintf(p, sizeof p, "/proc/%ld/status", pid);
    FILE *f = fopen(p, "r");
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

static long long cpu_ticks(long pid)
{
    char p[64], buf[2048];
    snprintf(p, sizeof p, "/proc/%ld/stat", pid);
    FILE *f = fopen(p, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = 0;
    char *s = strrchr(buf, ')');
    unsigned long long ut = 0, st = 0;
    /* after "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (!s || sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (long long)(ut + st);
}

/* ---- the figures ---------------------------------------------------------------- */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void flood(int port, double secs)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    enum { BATCH = 64 };
    static uint8_t buf[BATCH][1472];
    struct mmsghdr m[BATCH];
    struct iovec io[BATCH];
    uint64_t x = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
    enum { POOL = 1u << 20 };
    uint8_t *pool = malloc(POOL + 1472);
    if (!pool)
        return;
    fill(&x, pool, POOL + 1472);
    static const char *heads[] = { "FCPS", "FCPH", "FCPC", "\0\0\0\0" };
    static const size_t sizes[] = { 1, 8, 40, 100, 600, 1199, 1200, 1201, 1400, 1472 };
    unsigned long long sent = 0;
    double t0 = wall();
    while (wall() - t0 < secs) {
        for (int i = 0; i < BATCH; i++) {
            uint8_t pick[2];
            fill(&x, pick, 2);
            size_t len = sizes[pick[0] % 10];
            uint8_t *b = pool + (x >> 20) % POOL;
            if (len >= 4 && pick[1] % 5) {
                memcpy(buf[i], heads[pick[1] % 4], 4);
                memcpy(buf[i] + 4, b, len - 4);
                b = buf[i];
            }
            io[i].iov_base = b;
            io[i].iov_len = len;
            memset(&m[i], 0, sizeof m[i]);
            m[i].msg_hdr.msg_name = &a;
            m[i].msg_hdr.msg_namelen = sizeof a;
            m[i].msg_hdr.msg_iov = &io[i];
            m[i].msg_hdr.msg_iovlen = 1;
        }
        int k = sendmmsg(fd, m, BATCH, 0);
        if (k > 0)
            sent += (unsigned)k;
    }
    printf("    flood: %llu datagrams in %.1f s (%.0f k/s) from pid %d\n", sent, wall() - t0,
           sent / (wall() - t0) / 1e3, (int)getpid());
    fflush(stdout);
    close(fd);
    free(pool);
}

int main(int argc, char **argv)
{
    int runs = getenv("BENCH_NODE_RUNS") ? atoi(getenv("BENCH_NODE_RUNS")) : 5;
    double idle_s = getenv("BENCH_NODE_IDLE_S") ? atof(getenv("BENCH_NODE_IDLE_S")) : 30;
    double flood_s = getenv("BENCH_NODE_FLOOD_S") ? atof(getenv("BENCH_NODE_FLOOD_S")) : 10;
    if (runs < 1)
        runs = 1;
    if (getenv("BENCH_NODE_BIN")) {
        snprintf(g_bin, sizeof g_bin, "%s", getenv("BENCH_NODE_BIN"));
    } else {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0)
            return 1;
        self[n] = 0;
        char *s = strrchr(self, '/');
        if (!s)
            return 1;
        *s = 0;
        if ((s = strrchr(self, '/')))
            *s = 0;   /* BUILD/bench/bench_node -> BUILD */
        snprintf(g_bin, sizeof g_bin, "%s", self);
    }
    (void)argc;
    (void)argv;
    char exe[PATH_MAX + 16];
    snprintf(exe, sizeof exe, "%s/fcpd", g_bin);
    if (access(exe, X_OK) != 0) {
        fprintf(stderr, "bench_node: %s not built (make tools)\n", exe);
        return 1;
    }
    snprintf(g_dir, sizeof g_dir, "/tmp/fcp-bench-node.XXXXXX");
    if (!mkdtemp(g_dir))
        return 1;
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);

    uint8_t *data = malloc(OBJ_BYTES);
    uint64_t x = (uint64_t)time(NULL) | 1u;
    if (data)
        fill(&x, data, OBJ_BYTES);
    objs o = { 0 };
    if (!data || build_objects(data, OBJ_BYTES, &o) < 0) {
        fprintf(stderr, "bench_node: cannot build the reference objects\n");
        return 1;
    }
    size_t obj_bytes = 0;
    for (size_t i = 0; i < o.n; i++)
        obj_bytes += o.len[i];
    printf("bench_node: 10 MiB payload = %zu objects, %.2f MiB canonical; %d runs; bin %s\n", o.n,
           obj_bytes / (double)MIB, runs, g_bin);

    int status = 0;
    /* ---- (i) and (ii): 3 nodes -------------------------------------------------- */
    if (mesh_init(3) < 0) {
        fprintf(stderr, "bench_node: mesh init failed\n");
        return 1;
    }
    for (int i = 1; i <= 3; i++)
        if (node_start(i) != 0)
            status = 1;
    if (status || wait_up(20) < 0) {
        fprintf(stderr, "bench_node: sessions did not come up\n");
        status = 1;
        goto stop3;
    }
    double *put = calloc((size_t)runs, sizeof *put), *enc = calloc((size_t)runs, sizeof *enc);
    double *get = calloc((size_t)runs, sizeof *get), *dec = calloc((size_t)runs, sizeof *dec);
    uint8_t id[32];
    printf("(i) put 10 MiB through fcpd (node-1 of 3) vs single-core RaptorQ encode of the same objects\n");
    for (int r = 0; r < runs; r++) {
        data[r] ^= 1; /* a new object each run */
        long long c0[MAX_NODES + 1];
        cpu_mark(3, c0);
        int rc = admin_put(1, data, OBJ_BYTES, id, &put[r]);
        data[r] ^= 1;
        if (rc < 0) {
            printf("    put failed: %s\n", fcp_strerror(rc));
            status = 1;
            goto stop3;
        }
        enc[r] = ref_encode(&o, 3);
        printf("    run %d: put %.0f ms (%.1f MB/s)   encode %.1f ms (%.0f MB/s)   ratio %.3f\n", r + 1,
               put[r] * 1e3, OBJ_BYTES / put[r] / 1e6, enc[r] * 1e3, OBJ_BYTES / enc[r] / 1e6,
               enc[r] / put[r]);
        cpu_print(3, c0, put[r]);
        if (wait_settled(60) < 0)
            printf("    (spread did not settle in 60 s)\n");
    }
    printf("(ii) get 10 MiB through node-3, which was down during the put, from node-1 + node-2 vs single-core decode\n");
    for (int r = 0; r < runs; r++) {
        node_stop(3, SIGTERM);
        data[100 + r] ^= 1;
        double ps;
        int rc = admin_put(1, data, OBJ_BYTES, id, &ps);
        if (rc < 0) {
            printf("    put failed: %s\n", fcp_strerror(rc));
            status = 1;
            goto stop3;
        }
        if (node_start(3) != 0 || wait_up(20) < 0) {
            printf("    node-3 did not come back\n");
            status = 1;
            goto stop3;
        }
        long long stored0 = status_field(3, "symbols_stored", 1);
        /* node-3 learns the object's zone from gossip (<= 1 s); before that the
         * get is refused as unknown */
        double t0 = wall();
        long long c0[MAX_NODES + 1];
        cpu_mark(3, c0);
        while ((rc = admin_get(3, id, data, OBJ_BYTES, &get[r])) == FCP_EMESH_UNKNOWN_OBJECT && wall() - t0 < 10) {
            sleep_s(0.02);
            cpu_mark(3, c0);
        }
        long long stored1 = status_field(3, "symbols_stored", 1);
        data[100 + r] ^= 1;
        if (rc < 0) {
            printf("    get failed: %s\n", fcp_strerror(rc));
            status = 1;
            goto stop3;
        }
        dec[r] = ref_decode(&o, 3, 0, 1);
        printf("    run %d: get %.0f ms (%.1f MB/s)   decode %.1f ms (%.0f MB/s)   ratio %.3f   "
               "(%lld repair symbols reached node-3 meanwhile)\n",
               r + 1, get[r] * 1e3, OBJ_BYTES / get[r] / 1e6, dec[r] * 1e3, OBJ_BYTES / dec[r] / 1e6,
               dec[r] / get[r], stored1 - stored0);
        cpu_print(3, c0, get[r]);
        if (wait_settled(60) < 0)
            printf("    (repair did not settle in 60 s)\n");
        double g2;
        data[100 + r] ^= 1;
        rc = admin_get(3, id, data, OBJ_BYTES, &g2);
        data[100 + r] ^= 1;
        printf("      the same get once repair settled (node-3 holds its third): %.0f ms (%.1f MB/s)%s\n",
               g2 * 1e3, OBJ_BYTES / g2 / 1e6, rc < 0 ? " FAILED" : "");
    }
    {
        double eb = enc[0], db = dec[0];
        for (int r = 1; r < runs; r++) {
            eb = enc[r] < eb ? enc[r] : eb;
            db = dec[r] < db ? dec[r] : db;
        }
        double pm = median(put, runs), em = median(enc, runs), gm = median(get, runs), dm = median(dec, runs);
        printf("references, best of %d: encode %.1f ms = %.0f MB/s, decode %.1f ms = %.0f MB/s; "
               "ratios against the best: put %.3f, get %.3f\n",
               runs, eb * 1e3, OBJ_BYTES / eb / 1e6, db * 1e3, OBJ_BYTES / db / 1e6, eb / pm, db / gm);
        printf("put: median %.0f ms = %.1f MB/s; encode median %.1f ms = %.0f MB/s; ratio %.3f (target >= 0.5: %s)\n",
               pm * 1e3, OBJ_BYTES / pm / 1e6, em * 1e3, OBJ_BYTES / em / 1e6, em / pm,
               em / pm >= 0.5 ? "met" : "NOT met");
        printf("get: median %.0f ms = %.1f MB/s; decode median %.1f ms = %.0f MB/s; ratio %.3f (target >= 0.5: %s)\n",
               gm * 1e3, OBJ_BYTES / gm / 1e6, dm * 1e3, OBJ_BYTES / dm / 1e6, dm / gm,
               dm / gm >= 0.5 ? "met" : "NOT met");
    }
stop3:
    for (int i = 1; i <= 3; i++)
        node_stop(i, SIGTERM);
    if (status)
        goto out;

    /* ---- (iii) and (iv): 4 nodes ------------------------------------------------ */
    if (mesh_init(4) < 0)
        return 1;
    for (int i = 1; i <= 4; i++)
        if (node_start(i) != 0)
            status = 1;
    if (status || wait_up(20) < 0) {
        fprintf(stderr, "bench_node: 4-node sessions did not come up\n");
        status = 1;
        goto stop4;
    }
    {
        double ps;
        if (admin_put(1, data, OBJ_BYTES, id, &ps) < 0 || wait_settled(60) < 0)
            printf("    (4-node put or spread failed)\n");
        sleep_s(3);
        long pid = node_pid(2);
        long long c0 = cpu_ticks(pid);
        long rss0 = rss_kib(pid), rss_max = rss0;
        printf("(iii) idle node-2 with three peers and 161 objects, %.0f s: ", idle_s);
        double t0 = wall();
        while (wall() - t0 < idle_s) {
            sleep_s(0.5);
            long v = rss_kib(pid);
            if (v > rss_max)
                rss_max = v;
        }
        double el = wall() - t0;
        long long c1 = cpu_ticks(pid);
        long rss1 = rss_kib(pid);
        double pct = (double)(c1 - c0) / (double)sysconf(_SC_CLK_TCK) / el * 100.0;
        printf("CPU %.2f %% of one core (%lld ticks), VmRSS %ld -> %ld KiB (max %ld)\n", pct, c1 - c0, rss0,
               rss1, rss_max);
        printf("idle: CPU %.2f %% (target < 0.5 %%: %s), RSS %.1f MiB (target <= 16 MiB: %s)\n", pct,
               pct < 0.5 ? "met" : "NOT met", rss_max / 1024.0, rss_max <= 16 * 1024 ? "met" : "NOT met");

        /* (iv) */
        long long in0 = status_field(2, "datagrams_in", 0), dr0 = status_field(2, "datagrams_dropped", 0);
        printf("(iv) garbage flood at node-2 for %.0f s\n", flood_s);
        pid_t ch = fork();
        if (ch == 0) {
            flood(g_port[2], flood_s);
            _exit(0);
        }
        long fmax = rss_kib(pid), before = fmax;
        t0 = wall();
        while (waitpid(ch, NULL, WNOHANG) == 0 && wall() - t0 < flood_s + 5) {
            sleep_s(0.1);
            long v = rss_kib(pid);
            if (v > fmax)
                fmax = v;
        }
        sleep_s(2);
        long after = rss_kib(pid);
        long long in1 = status_field(2, "datagrams_in", 0), dr1 = status_field(2, "datagrams_dropped", 0);
        long long up = status_field(2, "peers_up", 0);
        printf("    node-2 counted %lld datagrams in, %lld dropped; peers up after: %lld\n", in1 - in0, dr1 - dr0, up);
        printf("flood: VmRSS before %ld KiB, max during %ld KiB, 2 s after %ld KiB (+%ld KiB)\n", before, fmax,
               after, after - before);
        double gs;
        int grc = admin_get(2, id, data, OBJ_BYTES, &gs);
        printf("    get through node-2 after the flood: %s (%.0f ms)\n", grc == 0 ? "byte-identical" : fcp_strerror(grc),
               gs * 1e3);
        if (grc < 0)
            status = 1;
    }
stop4:
    for (int i = 1; i <= 4; i++)
        node_stop(i, SIGTERM);
out:
    sh("rm -rf '%s'", g_dir);
    for (size_t i = 0; i < o.n; i++)
        free(o.obj[i]);
    free(o.obj);
    free(o.len);
    free(data);
    return status;
}
