/*
 * bench_invoke.c - the whole local invoke path (docs/performance.md,
 * "Invoke through fcpd"): a real fcpd with the notes reference connector,
 * one admin connection kept open, and per call: admin frame -> decide ->
 * intent persisted -> connector call on its worker -> complete -> receipt and
 * audit event persisted -> answer.
 *
 * Printed, each beside its target (issue 6 targets on this machine; spec):
 *   invoke notes_list (Safe) and notes_put (Risky: holder proof, checkpoint
 *   binding, idempotency key) p50 / p99, in durability "fsync" and "batch";
 *   in the same run an admin `status` round trip and a raw unix-socket echo
 *   (socketpair, 300 bytes, a forked echo process) and the ratios;
 *   activation (connector_activate answered -> state active seen) p50 over
 *   BENCH_RESTARTS stop/activate cycles; the connector process's VmRSS; fcpd's
 *   VmRSS with 0, 1 and 2 active connectors (fresh daemons), the delta per
 *   connector.
 *
 * Run from the repository root after `make` (needs build/fcpd, build/fcp,
 * build/connector-notes, build/connector-http): build/bench/bench_invoke.
 * BENCH_N calls per figure (default 2000), FCP_BUILD (default build).
 * Everything lives in a temp dir under /tmp; the daemons are killed at exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fcp/admin.h"
#include "fcp/authz_token.h"
#include "fcp/cbor.h"
#include "fcp/clock.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_cap.h"
#include "fcp/model_object.h"
#include "fcp/rng.h"

static char g_root[PATH_MAX], g_build[PATH_MAX], g_tmp[PATH_MAX];
static pid_t g_fcpd = -1;
static char g_durability[16];   /* FCPD_INVOKE_DURABILITY for the daemon; "" = default */

static double mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_d);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static void die(const char *what)
{
    fprintf(stderr, "bench_invoke: %s\n", what);
    if (g_fcpd > 0)
        kill(g_fcpd, SIGKILL);
    exit(1);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static int free_port(int type)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(fd, (struct sockaddr *)&a, &l) < 0)
        die("free port");
    close(fd);
    return ntohs(a.sin_port);
}

static long vmrss_kib(pid_t pid)
{
    char p[64], line[256];
    snprintf(p, sizeof p, "/proc/%d/status", (int)pid);
    FILE *f = fopen(p, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

/* a field of /proc/PID/smaps_rollup in KiB (Pss, Private_Dirty, ...) */
static long rollup_kib(pid_t pid, const char *field)
{
    char p[64], line[256];
    snprintf(p, sizeof p, "/proc/%d/smaps_rollup", (int)pid);
    FILE *f = fopen(p, "r");
    long kb = -1;
    size_t fl = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, fl) && line[fl] == ':')
            kb = atol(line + fl + 1);
    if (f)
        fclose(f);
    return kb;
}

/* The first descendant of pid whose comm is name (the sandbox forks an
 * intermediate process for the pid namespace; the connector runs below it). */
static pid_t find_desc(pid_t pid, const char *name, int depth)
{
    char p[96], comm[64];
    snprintf(p, sizeof p, "/proc/%d/comm", (int)pid);
    FILE *f = fopen(p, "r");
    if (f) {
        if (fgets(comm, sizeof comm, f)) {
            comm[strcspn(comm, "\n")] = 0;
            if (!strcmp(comm, name)) {
                fclose(f);
                return pid;
            }
        }
        fclose(f);
    }
    if (depth > 4)
        return 0;
    snprintf(p, sizeof p, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    f = fopen(p, "r");
    long c;
    pid_t found = 0;
    while (f && !found && fscanf(f, "%ld", &c) == 1)
        found = find_desc((pid_t)c, name, depth + 1);
    if (f)
        fclose(f);
    return found;
}

static void report_conn_mem(pid_t group_pid, const char *when)
{
    pid_t conn = find_desc(group_pid, "connector-notes", 0);
    long rss = conn > 0 ? vmrss_kib(conn) : -1;
    printf("connector-notes process (%s): VmRSS %ld KiB, Pss %ld KiB, private %ld KiB   target VmRSS <= 2048 KiB: %s\n",
           when, rss, conn > 0 ? rollup_kib(conn, "Pss") : -1,
           conn > 0 ? rollup_kib(conn, "Private_Dirty") + rollup_kib(conn, "Private_Clean") : -1,
           rss >= 0 && rss <= 2048 ? "met" : "NOT met");
    if (conn != group_pid)
        printf("    sandbox intermediate (pid %d, a fork of fcpd holding the pid namespace): VmRSS %ld KiB, Pss %ld "
               "KiB, private %ld KiB\n",
               (int)group_pid, vmrss_kib(group_pid), rollup_kib(group_pid, "Pss"),
               rollup_kib(group_pid, "Private_Dirty") + rollup_kib(group_pid, "Private_Clean"));
}

/* utime + stime of pid in microseconds (all its threads) */
static double cpu_us(pid_t pid)
{
    char p[64], b[1024];
    snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(p, "r");
    size_t n = f ? fread(b, 1, sizeof b - 1, f) : 0;
    if (f)
        fclose(f);
    b[n] = 0;
    char *q = strrchr(b, ')');
    unsigned long ut = 0, st = 0;
    if (!q || sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

/* ---- CBOR response fields: the value after the first text key `key` ---------------- */

static int find_key(const fcp_buf *b, const char *key, fcp_cbor_dec *dec)
{
    size_t kl = strlen(key);
    uint8_t pat[40];
    if (kl > 23)
        return -1;
    pat[0] = (uint8_t)(0x60 | kl);
    memcpy(pat + 1, key, kl);
    for (size_t i = 0; i + kl + 1 < b->len; i++)
        if (!memcmp(b->data + i, pat, kl + 1)) {
            fcp_cbor_dec_init(dec, b->data + i + kl + 1, b->len - i - kl - 1, NULL);
            return 0;
        }
    return -1;
}

static int get_bool(const fcp_buf *b, const char *key)
{
    fcp_cbor_dec d;
    int v = 0;
    return find_key(b, key, &d) == 0 && fcp_cbor_get_bool(&d, &v) == 0 ? v : -1;
}

static uint64_t get_uint(const fcp_buf *b, const char *key)
{
    fcp_cbor_dec d;
    uint64_t v = 0;
    return find_key(b, key, &d) == 0 && fcp_cbor_get_uint(&d, &v) == 0 ? v : 0;
}

static void get_str(const fcp_buf *b, const char *key, char *out, size_t cap)
{
    fcp_cbor_dec d;
    const char *p;
    size_t n;
    out[0] = 0;
    if (find_key(b, key, &d) == 0 && fcp_cbor_get_text(&d, &p, &n) == 0 && n < cap) {
        memcpy(out, p, n);
        out[n] = 0;
    }
}

/* ---- home, grants, tokens (as tests/e2e/invoke_helper.c) ---------------------------- */

static int read_text(const char *name, char *buf, size_t cap)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/h/%s", g_tmp, name);
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    return 0;
}

static int owner_sk(uint8_t sk[64])
{
    char b[512];
    if (read_text("owner.key", b, sizeof b) < 0)
        return -1;
    b[128] = 0;
    return fcp_hex_decode_exact(sk, 64, b);
}

static int iss_sk(uint8_t sk[64])
{
    char b[2048];
    if (read_text("node.key", b, sizeof b) < 0)
        return -1;
    for (char *l = strtok(b, "\n"); l; l = strtok(NULL, "\n"))
        if (!strncmp(l, "iss ", 4)) {
            l[4 + 128] = 0;
            return fcp_hex_decode_exact(sk, 64, l + 4);
        }
    return -1;
}

static int zone_oid(const char *zone, fcp_object_id_key *k)
{
    char b[8192];
    if (read_text("zones.key", b, sizeof b) < 0)
        return -1;
    for (char *l = strtok(b, "\n"); l; l = strtok(NULL, "\n")) {
        char z[80], kid[20], key[70], oid[70];
        if (sscanf(l, "%79s %19s %69s %69s", z, kid, key, oid) == 4 && !strcmp(z, zone))
            return fcp_hex_decode_exact(k->bytes, 32, oid);
    }
    return -1;
}

/* an owner-signed grant of cap in z:private, written to grants/CAP.cap; its id */
static void make_grant(const char *cap, uint8_t id[32])
{
    static fcp_cap_object o;
    memset(&o, 0, sizeof o);
    fcp_schema_id s;
    fcp_cap_object_schema(&s);
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    uint8_t sk[64];
    fcp_object_id_key k;
    fcp_buf b;
    fcp_buf_init(&b);
    if (fcp_object_header_init(&o.header, &s, "z:private", now) < 0)
        die("grant header");
    snprintf(o.capability_id, sizeof o.capability_id, "%s", cap);
    o.grantee = FCP_GRANTEE_ZONE;
    snprintf(o.grantee_value, sizeof o.grantee_value, "z:private");
    o.valid_from = now - 60;
    o.valid_until = now + 86400;
    if (owner_sk(sk) < 0 || fcp_cap_object_sign(&o, sk) < 0 || fcp_cap_object_encode(&o, &b) < 0 ||
        zone_oid("z:private", &k) < 0 || fcp_cap_object_id(id, &o, &k) < 0)
        die("grant");
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/h/grants/%s.cap", g_tmp, cap);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0)
        die("grant file");
    fcp_buf_free(&b);
}

static void make_token(fcp_buf *out, const char *cap, const char *op, const uint8_t grant[32], const char *principal,
                       const uint8_t *aud_binary)
{
    static fcp_token_claims c;
    fcp_token_claims_init(&c);
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    int rc = 0;
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ISS, "node-1");
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ISS_NODE, "node-1");
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_AUD, "fcp.notes");
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ZONE_ID, "z:private");
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_CAPABILITY_ID, cap);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_SUB, principal);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_PRINCIPAL_ID, principal);
    if (!rc) rc = fcp_token_claims_add_operation(&c, op);
    if (!rc && aud_binary) {
        rc = fcp_token_claims_set_text(&c, FCP_CLAIM_HOLDER_NODE, "node-1");
        memcpy(c.aud_binary, aud_binary, 32);
        c.present |= FCP_TC_AUD_BINARY;
        c.chk_seq = 0;   /* the node's revocation head at seq 0 (D-RUNTIME-7) */
        c.chk_id_len = 32;
        memset(c.chk_id, 0, 32);
        c.present |= FCP_TC_CHK_ID | FCP_TC_CHK_SEQ;
    }
    c.iat = now;
    c.nbf = now;
    c.exp = now + 3600;
    c.present |= FCP_TC_IAT | FCP_TC_NBF | FCP_TC_EXP | FCP_TC_CTI | FCP_TC_GRANT_IDS;
    c.cti_len = 16;
    fcp_rng_fill(fcp_rng_system(), c.cti, 16);
    memcpy(c.grant_object_ids[0], grant, 32);
    c.n_grant_object_ids = 1;
    uint8_t sk[64];
    if (rc < 0 || iss_sk(sk) < 0 || fcp_token_mint(&c, sk, out) < 0)
        die("token");
}

/* ---- the daemon ---------------------------------------------------------------------- */

static void home_init(const char *durability, int n_conn)
{
    snprintf(g_tmp, sizeof g_tmp, "/tmp/fcp-bench-inv.XXXXXX");
    if (!mkdtemp(g_tmp))
        die("mkdtemp");
    chmod(g_tmp, 0755);
    if (sh("'%s/fcp' init --home '%s/h' --node-id node-1 --listen 127.0.0.1:%d --data-dir '%s/data' "
           "--metrics 127.0.0.1:%d >/dev/null",
           g_build, g_tmp, free_port(SOCK_DGRAM), g_tmp, free_port(SOCK_STREAM)) != 0)
        die("fcp init");
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/pub.seed", g_tmp);
    FILE *f = fopen(p, "w");
    for (int i = 0; f && i < 32; i++)
        fprintf(f, "%02x", 0xa0 + i);
    if (!f || fclose(f) != 0)
        die("seed");
    snprintf(p, sizeof p, "%s/h/fcpd.toml", g_tmp);
    f = fopen(p, "a");
    if (!f)
        die("fcpd.toml");
    snprintf(g_durability, sizeof g_durability, "%s", durability ? durability : "");
    const char *names[2] = { "notes", "http" };
    for (int i = 0; i < n_conn && i < 2; i++) {
        char cmd[5 * PATH_MAX + 256], sig[200] = "";
        snprintf(cmd, sizeof cmd,
                 "'%s/fcp' connector sign --manifest '%s/connectors/%s/manifest.toml' --binary '%s/connector-%s' "
                 "--key '%s/pub.seed'",
                 g_build, g_root, names[i], g_build, names[i], g_tmp);
        FILE *pp = popen(cmd, "r");
        if (!pp || !fgets(sig, sizeof sig, pp))
            die("connector sign");
        pclose(pp);
        sig[strcspn(sig, "\n")] = 0;
        fprintf(f, "\n[[connector]]\nid = \"fcp.%s\"\nmanifest = \"%s/connectors/%s/manifest.toml\"\n"
                   "binary = \"%s/connector-%s\"\nsignature = \"%s\"\nrestart_initial_ms = 50\n",
                names[i], g_root, names[i], g_build, names[i], sig);
    }
    fclose(f);
    snprintf(p, sizeof p, "%s/h/grants", g_tmp);
    mkdir(p, 0700);
}

static void call(fcp_admin_client *c, const fcp_admin_request *r, fcp_buf *resp)
{
    if (fcp_admin_client_call(c, r, resp) < 0)
        die("admin call");
}

static void daemon_start(fcp_admin_client *c)
{
    char home[PATH_MAX + 8], bin[PATH_MAX + 8], log[PATH_MAX + 16], sock[PATH_MAX + 16];
    snprintf(home, sizeof home, "%s/h", g_tmp);
    snprintf(bin, sizeof bin, "%s/fcpd", g_build);
    snprintf(log, sizeof log, "%s/fcpd.err", g_tmp);
    snprintf(sock, sizeof sock, "%s/h/fcpd.sock", g_tmp);
    g_fcpd = fork();
    if (g_fcpd < 0)
        die("fork");
    if (g_fcpd == 0) {
        setenv("FCP_HOME", home, 1);
        if (g_durability[0])
            setenv("FCPD_INVOKE_DURABILITY", g_durability, 1);
        else
            unsetenv("FCPD_INVOKE_DURABILITY");
        if (!freopen(log, "w", stderr) || !freopen("/dev/null", "w", stdout))
            _exit(127);
        execl(bin, "fcpd", "--log-level", "warn", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 1000; i++) {
        if (fcp_admin_client_open(c, sock) == 0)
            return;
        usleep(10000);
    }
    die("fcpd did not open its admin socket");
}

static void daemon_stop(fcp_admin_client *c)
{
    fcp_admin_client_close(c);
    if (g_fcpd > 0) {
        kill(g_fcpd, SIGTERM);
        for (int i = 0; i < 300 && waitpid(g_fcpd, NULL, WNOHANG) == 0; i++)
            usleep(10000);
        kill(g_fcpd, SIGKILL);
        waitpid(g_fcpd, NULL, 0);
    }
    g_fcpd = -1;
    sh("rm -rf '%s'", g_tmp);
}

/* connector show: state, pid, binary id */
static void show(fcp_admin_client *c, const char *id, char *state, size_t cap, pid_t *pid, uint8_t bin[32])
{
    fcp_admin_request r;
    memset(&r, 0, sizeof r);
    r.op = FCP_ADMIN_OP_CONNECTORS;
    r.has_connector = 1;
    snprintf(r.connector, sizeof r.connector, "%s", id);
    fcp_buf b;
    fcp_buf_init(&b);
    call(c, &r, &b);
    get_str(&b, "state", state, cap);
    if (pid)
        *pid = (pid_t)get_uint(&b, "pid");
    if (bin) {
        char hex[80];
        get_str(&b, "binary_id", hex, sizeof hex);
        if (fcp_hex_decode_exact(bin, 32, hex) < 0)
            memset(bin, 0, 32);
    }
    fcp_buf_free(&b);
}

static double wait_active(fcp_admin_client *c, const char *id, double timeout_us)
{
    char st[32];
    double t0 = mono_us();
    for (;;) {
        show(c, id, st, sizeof st, NULL, NULL);
        if (!strcmp(st, "active"))
            return mono_us() - t0;
        if (mono_us() - t0 > timeout_us)
            die("connector did not become active");
        usleep(100);
    }
}

/* ---- figures -------------------------------------------------------------------------- */

static size_t g_n = 2000;
static pid_t g_conn_pid;

static void report(const char *what, double *v, size_t n, double t50, double t99)
{
    double p50 = pct(v, n, 0.50), p99 = pct(v, n, 0.99);
    printf("%-44s p50 %8.1f us  p99 %8.1f us", what, p50, p99);
    if (t50 > 0)
        printf("   target p50 <= %.0f us, p99 <= %.0f us: %s", t50, t99, p50 <= t50 && p99 <= t99 ? "met" : "NOT met");
    printf("\n");
}

/* N invokes of op; returns the p50 (us) */
static double bench_invokes(fcp_admin_client *c, const char *label, const char *op, const char *input,
                            fcp_buf *tokens, size_t per_token, int idem, double t50, double t99)
{
    double *v = calloc(g_n, sizeof *v);
    fcp_buf resp;
    fcp_buf_init(&resp);
    double cpu_d = 0, cpu_c = 0;
    for (size_t i = 0; i < g_n + 50; i++) {   /* 50 warm-up calls */
        if (i == 50) {
            cpu_d = cpu_us(g_fcpd);
            cpu_c = cpu_us(g_conn_pid);
        }
        fcp_admin_request r;
        memset(&r, 0, sizeof r);
        r.op = FCP_ADMIN_OP_INVOKE;
        r.has_connector = r.has_operation = r.has_input = r.has_token = 1;
        snprintf(r.connector, sizeof r.connector, "fcp.notes");
        snprintf(r.operation, sizeof r.operation, "%s", op);
        r.input = input;
        r.input_len = strlen(input);
        const fcp_buf *t = &tokens[i / per_token];
        r.token = t->data;
        r.token_len = t->len;
        if (idem) {
            r.has_idempotency_key = 1;
            snprintf(r.idempotency_key, sizeof r.idempotency_key, "bench-%s-%zu-%ld", op, i, (long)getpid());
        }
        double t0 = mono_us();
        call(c, &r, &resp);
        double dt = mono_us() - t0;
        if (i == 49)
            g_conn_pid = find_desc(g_conn_pid, "connector-notes", 0);   /* CPU of the connector itself */
        if (get_bool(&resp, "ok") != 1) {
            char code[32], det[256];
            get_str(&resp, "code", code, sizeof code);
            get_str(&resp, "detail", det, sizeof det);
            fprintf(stderr, "bench_invoke: %s call %zu failed: %s %s\n", op, i, code, det);
            die("invoke failed");
        }
        if (i >= 50)
            v[i - 50] = dt;
    }
    fcp_buf_free(&resp);
    cpu_d = (cpu_us(g_fcpd) - cpu_d) / (double)g_n;
    cpu_c = (cpu_us(g_conn_pid) - cpu_c) / (double)g_n;
    double p50 = pct(v, g_n, 0.5);
    report(label, v, g_n, t50, t99);
    printf("    CPU per call: fcpd %.0f us, connector %.0f us (10 ms clock ticks, averaged)\n", cpu_d, cpu_c);
    free(v);
    return p50;
}

/* k client processes, each with its own admin connection, n calls of
 * notes_list each; invokes per second over all of them (group commit: in
 * "fsync" concurrent calls share a sync). */
static double bench_concurrent(int k, size_t n, const fcp_buf *token)
{
    char sock[PATH_MAX + 16];
    snprintf(sock, sizeof sock, "%s/h/fcpd.sock", g_tmp);
    int go[2];
    if (pipe(go) < 0)
        die("pipe");
    pid_t kids[16];
    for (int i = 0; i < k && i < 16; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            close(go[1]);
            fcp_admin_client c;
            char b;
            if (fcp_admin_client_open(&c, sock) < 0 || read(go[0], &b, 1) < 0)
                _exit(2);
            fcp_buf resp;
            fcp_buf_init(&resp);
            for (size_t j = 0; j < n; j++) {
                fcp_admin_request r;
                memset(&r, 0, sizeof r);
                r.op = FCP_ADMIN_OP_INVOKE;
                r.has_connector = r.has_operation = r.has_input = r.has_token = 1;
                snprintf(r.connector, sizeof r.connector, "fcp.notes");
                snprintf(r.operation, sizeof r.operation, "notes_list");
                r.input = "{}";
                r.input_len = 2;
                r.token = token->data;
                r.token_len = token->len;
                if (fcp_admin_client_call(&c, &r, &resp) < 0 || get_bool(&resp, "ok") != 1)
                    _exit(1);
            }
            _exit(0);
        }
    }
    close(go[0]);
    usleep(100000);   /* all connected */
    double t0 = mono_us();
    close(go[1]);     /* EOF: go */
    int bad = 0;
    for (int i = 0; i < k && i < 16; i++) {
        int st = 0;
        waitpid(kids[i], &st, 0);
        bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    double secs = (mono_us() - t0) / 1e6;
    if (bad)
        die("a concurrent client failed");
    return (double)k * (double)n / secs;
}

static double bench_status(fcp_admin_client *c)
{
    double *v = calloc(g_n, sizeof *v);
    fcp_buf resp;
    fcp_buf_init(&resp);
    fcp_admin_request r;
    memset(&r, 0, sizeof r);
    r.op = FCP_ADMIN_OP_STATUS;
    for (size_t i = 0; i < g_n + 50; i++) {
        double t0 = mono_us();
        call(c, &r, &resp);
        if (i >= 50)
            v[i - 50] = mono_us() - t0;
    }
    fcp_buf_free(&resp);
    report("admin status round trip", v, g_n, 0, 0);
    double p50 = pct(v, g_n, 0.5);
    free(v);
    return p50;
}

static double bench_echo(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        die("socketpair");
    pid_t p = fork();
    if (p == 0) {
        close(sv[0]);
        uint8_t b[300];
        for (;;) {
            size_t got = 0;
            while (got < sizeof b) {
                ssize_t r = read(sv[1], b + got, sizeof b - got);
                if (r <= 0)
                    _exit(0);
                got += (size_t)r;
            }
            if (write(sv[1], b, sizeof b) != (ssize_t)sizeof b)
                _exit(0);
        }
    }
    close(sv[1]);
    double *v = calloc(g_n, sizeof *v);
    uint8_t b[300];
    memset(b, 0x5a, sizeof b);
    for (size_t i = 0; i < g_n + 50; i++) {
        double t0 = mono_us();
        if (write(sv[0], b, sizeof b) != (ssize_t)sizeof b)
            die("echo write");
        size_t got = 0;
        while (got < sizeof b) {
            ssize_t r = read(sv[0], b + got, sizeof b - got);
            if (r <= 0)
                die("echo read");
            got += (size_t)r;
        }
        if (i >= 50)
            v[i - 50] = mono_us() - t0;
    }
    close(sv[0]);
    waitpid(p, NULL, 0);
    report("raw unix-socket echo (socketpair, 300 B)", v, g_n, 0, 0);
    double p50 = pct(v, g_n, 0.5);
    free(v);
    return p50;
}

static void bench_mode(const char *mode, int first)
{
    fcp_admin_client c;
    home_init(mode, 1);
    uint8_t g_read[32], g_write[32];   /* before the daemon reads grants/ */
    make_grant("notes.read", g_read);
    make_grant("notes.write", g_write);
    daemon_start(&c);
    wait_active(&c, "fcp.notes", 10e6);
    char st[32];
    pid_t cpid = 0;
    uint8_t bin[32];
    show(&c, "fcp.notes", st, sizeof st, &cpid, bin);
    g_conn_pid = cpid;
    /* Safe: one token; Risky: notes_put is rate-limited to 60/min per principal,
     * so a fresh principal every 50 calls */
    size_t per = 50, nt = (g_n + 50) / per + 1;
    fcp_buf safe, *risky = calloc(nt, sizeof *risky);
    fcp_buf_init(&safe);
    make_token(&safe, "notes.read", "notes_list", g_read, "agent", NULL);
    for (size_t i = 0; i < nt; i++) {
        char pr[32];
        snprintf(pr, sizeof pr, "agent-%zu", i);
        fcp_buf_init(&risky[i]);
        make_token(&risky[i], "notes.write", "notes_put", g_write, pr, bin);
    }
    printf("-- durability = \"%s\" (%zu calls per figure, one admin connection)\n", mode, g_n);
    double echo = 0, status = 0;
    if (first) {
        echo = bench_echo();
        status = bench_status(&c);
    }
    /* the note to list */
    double safe50 = bench_invokes(&c, "invoke notes_list (Safe)", "notes_list", "{}", &safe, g_n + 100, 0, 200, 1000);
    double risky50 = bench_invokes(&c, "invoke notes_put (Risky, idempotency key)", "notes_put",
                                   "{\"name\":\"bench\",\"text\":\"x\"}", risky, per, 1, 0, 0);
    {
        size_t per_client = g_n / 4 < 50 ? 50 : g_n / 4;
        double one = bench_concurrent(1, per_client, &safe), four = bench_concurrent(4, per_client, &safe);
        printf("notes_list throughput: 1 client %.0f invokes/s, 4 concurrent clients %.0f invokes/s (x%.1f)\n", one,
               four, four / one);
    }
    if (first)
        printf("ratio invoke(Safe) p50 / admin status p50 = %.1f; / raw echo p50 = %.1f; Risky / Safe = %.2f\n",
               safe50 / status, safe50 / echo, risky50 / safe50);
    if (first) {
        /* activation: connector_stop, connector_activate, poll until active */
        int nr = getenv("BENCH_RESTARTS") ? atoi(getenv("BENCH_RESTARTS")) : 20;
        double *act = calloc((size_t)nr, sizeof *act);
        fcp_buf resp;
        fcp_buf_init(&resp);
        for (int i = 0; i < nr; i++) {
            fcp_admin_request r;
            memset(&r, 0, sizeof r);
            r.op = FCP_ADMIN_OP_CONNECTOR_STOP;
            r.has_connector = 1;
            snprintf(r.connector, sizeof r.connector, "fcp.notes");
            call(&c, &r, &resp);
            for (int k = 0; k < 2000; k++) {
                show(&c, "fcp.notes", st, sizeof st, NULL, NULL);
                if (!strcmp(st, "stopped"))
                    break;
                usleep(1000);
            }
            r.op = FCP_ADMIN_OP_CONNECTOR_ACTIVATE;
            double t0 = mono_us();
            call(&c, &r, &resp);
            wait_active(&c, "fcp.notes", 10e6);
            act[i] = mono_us() - t0;
        }
        fcp_buf_free(&resp);
        double a50 = pct(act, (size_t)nr, 0.5);
        printf("%-44s p50 %8.1f us  max %8.1f us   target p50 <= 10000 us: %s\n",
               "activation (activate -> active, strict)", a50, act[nr - 1], a50 <= 10000 ? "met" : "NOT met");
        free(act);
        show(&c, "fcp.notes", st, sizeof st, &cpid, NULL);
        report_conn_mem(cpid, "after the calls and restarts");
    } else {
        report_conn_mem(cpid, "after the calls");
    }
    fcp_buf_free(&safe);
    for (size_t i = 0; i < nt; i++)
        fcp_buf_free(&risky[i]);
    free(risky);
    daemon_stop(&c);
}

static void bench_fcpd_rss(void)
{
    long rss[3];
    for (int k = 0; k < 3; k++) {
        fcp_admin_client c;
        home_init(NULL, k);
        daemon_start(&c);
        if (k >= 1)
            wait_active(&c, "fcp.notes", 10e6);
        if (k >= 2)
            wait_active(&c, "fcp.http", 10e6);
        usleep(300000);
        rss[k] = vmrss_kib(g_fcpd);
        daemon_stop(&c);
    }
    long per = (rss[2] - rss[0]) / 2;
    printf("fcpd VmRSS with 0 / 1 / 2 active connectors: %ld / %ld / %ld KiB; per connector %ld KiB (2nd alone %ld)"
           "   target <= 256 KiB: %s\n",
           rss[0], rss[1], rss[2], per, rss[2] - rss[1], per <= 256 ? "met" : "NOT met");
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (fcp_crypto_init() < 0)
        die("crypto init");
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);   /* children fork: nothing buffered twice */
    if (getenv("BENCH_N"))
        g_n = (size_t)atol(getenv("BENCH_N"));
    if (g_n < 10)
        g_n = 10;
    if (!getcwd(g_root, sizeof g_root))
        die("cwd");
    const char *b = getenv("FCP_BUILD") ? getenv("FCP_BUILD") : "build";
    if (b[0] == '/')
        snprintf(g_build, sizeof g_build, "%s", b);
    else
        snprintf(g_build, sizeof g_build, "%.*s/%s", (int)(sizeof g_root - 64), g_root, b);
    char need[PATH_MAX + 32];
    snprintf(need, sizeof need, "%s/connector-notes", g_build);
    if (access(need, X_OK) != 0)
        die("run from the repository root after make (needs build/fcpd, build/fcp, build/connector-notes)");
    printf("bench_invoke: the local invoke path through fcpd (targets: issue 6; spec 2 ms / 10 ms)\n");
    const char *only = getenv("BENCH_ONLY");   /* fsync | batch | rss: one part */
    if (!only || !strcmp(only, "fsync"))
        bench_mode("fsync", 1);
    if (!only || !strcmp(only, "batch"))
        bench_mode("batch", !!only);
    if (!only || !strcmp(only, "rss"))
        bench_fcpd_rss();
    return 0;
}
