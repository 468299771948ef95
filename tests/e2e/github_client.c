/*
 * github_client.c - driver of tests/e2e/github_connector.sh and
 * tests/e2e/secret_scan.sh: a host that spawns build/connector-github
 * (under its manifest's strict sandbox when the kernel allows it) and
 * serves the connector's egress_http requests with the real egress proxy
 * (policy engine + libcurl transport) against the local GitHub-shaped HTTPS
 * server (github_server.py).  api.github.com resolves to 127.0.0.1 through
 * the test's resolver callback and the proxy's test-only loopback exemption
 * is set; the operation's network constraints come from the manifest
 * (fcp_manifest_net_constraints), with port_allow widened to the server's
 * port (the test cannot listen on 443) - except in the check that shows the
 * unwidened manifest refuses that port.
 *
 * The secret is read from a file and kept only XOR-masked in this process,
 * so a scan of this process's own memory can look for it without the
 * needle being plaintext anywhere.
 *
 * Usage: github_client MODE CA_FILE PORT SECRET_FILE   (MODE: github | scan)
 * Prints one "PASS name" / "FAIL name: why" / "SKIP name: why" line per check.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <sodium.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/host_egress.h"
#include "fcp/host_manifest.h"
#include "fcp/host_sandbox.h"
#include "fcp/host_transport.h"
#include "fcp/net_http.h"

#define MASK 0x5a
#define SECRET_LEN 40

static int g_pass, g_fail, g_skip;
static uint8_t g_masked[SECRET_LEN];      /* secret ^ MASK */
static int g_wrong_secret;

static void result(int ok, const char *name, const char *why)
{
    if (ok) {
        g_pass++;
        printf("PASS %s\n", name);
    } else {
        g_fail++;
        printf("FAIL %s: %s\n", name, why);
    }
    fflush(stdout);
}

static void skip(const char *name, const char *why)
{
    g_skip++;
    printf("SKIP %s: %s\n", name, why);
    fflush(stdout);
}

/* ---- proxy callbacks --------------------------------------------------------- */

static int resolve(void *ctx, const char *host, fcp_egress_addr *out, size_t max, size_t *n)
{
    (void)ctx;
    *n = 0;
    if ((strcmp(host, "api.github.com") != 0 && strcmp(host, "evil.test") != 0) || max < 1) return FCP_ENOENT;
    out[0].family = 4;
    inet_pton(AF_INET, "127.0.0.1", out[0].ip);
    *n = 1;
    return 0;
}

static fcp_credential_object g_cred, g_qcred;

static const fcp_credential_object *cred(void *ctx, const char *id)
{
    (void)ctx;
    if (strcmp(id, g_cred.credential_id) == 0) return &g_cred;
    return strcmp(id, g_qcred.credential_id) == 0 ? &g_qcred : NULL;
}

/* Unmask straight into the proxy's buffer (which it wipes). */
static int secret(void *ctx, const char *id, fcp_buf *out)
{
    (void)ctx;
    if (strcmp(id, "secret:github") != 0) return FCP_ENOENT;
    for (size_t i = 0; i < SECRET_LEN; i++)
        fcp_buf_put_u8(out, (uint8_t)(g_masked[i] ^ MASK ^ (g_wrong_secret && i == 0 ? 1 : 0)));
    return out->err;
}

typedef struct env {
    fcp_egress_proxy px;
    fcp_egress_curl  cc;
    fcp_cap_constraints caps;
    fcp_manifest     man;
    int              port;
    int              egress_calls;
    int              last_rc;
} env;

/* caps for one operation: the manifest's constraints (+ the test port) */
static int set_caps(env *e, const char *op, int widen)
{
    memset(&e->caps, 0, sizeof e->caps);
    e->caps.has_network = 1;
    const fcp_manifest_op *o = NULL;
    for (size_t i = 0; i < e->man.n_ops; i++)
        if (strcmp(e->man.ops[i].name, op) == 0) o = &e->man.ops[i];
    if (!o || fcp_manifest_net_constraints(&o->net, &e->caps.network) < 0) return -1;
    if (widen) e->caps.network.port_allow[0] = (uint16_t)e->port;
    e->caps.network.connect_timeout_ms = 3000;
    e->caps.network.total_timeout_ms = 10000;
    e->caps.n_credential_allow = 2;
    strcpy(e->caps.credential_allow[0], "cred:github.query");
    strcpy(e->caps.credential_allow[1], "cred:github.token");
    return 0;
}

/* The host side of the connector's egress_http: the real proxy. */
static int on_request(void *user, fcp_host_conn *c, const fcp_lt_msg *req, fcp_buf *reply)
{
    (void)c;
    env *e = user;
    if (!fcp_lt_msg_is(req, "egress_http")) return FCP_EHOST_UNEXPECTED;
    fcp_egress_request r;
    int rc = fcp_egress_request_decode(&r, req->body, req->body_len);
    if (rc < 0) return e->last_rc = rc;
    e->egress_calls++;
    fcp_egress_result res;
    fcp_egress_result_init(&res);
    rc = fcp_egress_execute(&e->px, &e->caps, &r, &res);
    if (rc == 0) {
        fcp_egress_response v;
        rc = fcp_egress_result_view(&res, &v);
        if (rc == 0) rc = fcp_egress_response_encode(&v, reply);
    }
    fcp_egress_result_free(&res);
    return e->last_rc = rc;
}

static int has(const fcp_buf *b, const char *s)
{
    return memmem(b->data, b->len, s, strlen(s)) != NULL;
}

static int configure(fcp_host_conn *c, const char *base, const char *cred_id)
{
    fcp_buf m, r;
    fcp_buf_init(&m);
    fcp_buf_init(&r);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &m);
    fcp_cbor_put_map(&e, cred_id ? 2 : 1);
    fcp_cbor_put_cstr(&e, "base_url");
    fcp_cbor_put_cstr(&e, base);
    if (cred_id) {
        fcp_cbor_put_cstr(&e, "credential_id");
        fcp_cbor_put_cstr(&e, cred_id);
    }
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    if (rc == 0) rc = fcp_host_call(c, "configure", m.data, m.len, 5000, &r);
    fcp_buf_free(&m);
    fcp_buf_free(&r);
    return rc;
}

static int invoke(env *e, fcp_host_conn *c, const char *op, const char *input, fcp_buf *out, int widen)
{
    fcp_buf_reset(out);
    if (set_caps(e, op, widen) < 0) return FCP_EINVAL;
    return fcp_host_invoke(c, NULL, op, input, 20000, out);
}

static void expect(env *e, fcp_host_conn *c, const char *name, const char *op, const char *input, int want,
                   const char *needle)
{
    fcp_buf out;
    fcp_buf_init(&out);
    int rc = invoke(e, c, op, input, &out, 1);
    char why[600];
    snprintf(why, sizeof why, "got %d (%s) \"%.200s\" / %.*s, want %d", rc, fcp_error_name(rc) ? fcp_error_name(rc) : "ok",
             c->why, (int)(out.len < 200 ? out.len : 200), out.len ? (const char *)out.data : "", want);
    int ok = rc == want;
    if (ok && needle) ok = rc == 0 ? has(&out, needle) : strstr(c->why, needle) != NULL;
    result(ok, name, why);
    fcp_buf_free(&out);
}

/* ---- memory scan ----------------------------------------------------------------- */

typedef struct needle {
    const char *name;
    uint8_t     masked[128];   /* the needle ^ MASK: never plaintext in memory */
    size_t      n;
    unsigned long found;
} needle;

/* Needles for the secret: raw, base64 (standard and URL-safe, no padding
 * difference matters for a 40-byte input), hex lower and upper. */
static void secret_needles(needle *nd, size_t *count)
{
    unsigned char plain[SECRET_LEN];
    char tmp[128];
    size_t k = 0;
    for (size_t i = 0; i < SECRET_LEN; i++) plain[i] = g_masked[i] ^ MASK;
    nd[k].name = "secret";
    for (size_t i = 0; i < SECRET_LEN; i++) nd[k].masked[i] = plain[i] ^ MASK;
    nd[k++].n = SECRET_LEN;
    static const int variants[] = {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_URLSAFE};
    for (int v = 0; v < 2; v++) {
        sodium_bin2base64(tmp, sizeof tmp, plain, SECRET_LEN, variants[v]);
        nd[k].name = v ? "secret base64url" : "secret base64";
        nd[k].n = strlen(tmp);
        for (size_t i = 0; i < nd[k].n; i++) nd[k].masked[i] = (uint8_t)tmp[i] ^ MASK;
        k++;
    }
    sodium_bin2hex(tmp, sizeof tmp, plain, SECRET_LEN);
    for (int up = 0; up < 2; up++) {
        nd[k].name = up ? "secret HEX" : "secret hex";
        nd[k].n = 2 * SECRET_LEN;
        for (size_t i = 0; i < nd[k].n; i++)
            nd[k].masked[i] = (uint8_t)(up ? toupper((unsigned char)tmp[i]) : tmp[i]) ^ MASK;
        k++;
    }
    sodium_memzero(plain, sizeof plain);
    sodium_memzero(tmp, sizeof tmp);
    *count = k;
}

static void plain_needle(needle *nd, const char *name, const char *s)
{
    nd->name = name;
    nd->n = strlen(s);
    for (size_t i = 0; i < nd->n; i++) nd->masked[i] = (uint8_t)s[i] ^ MASK;
    nd->found = 0;
}

static void search(const uint8_t *p, size_t n, needle *nd, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        const uint8_t first = nd[k].masked[0] ^ MASK;
        for (size_t i = 0; i + nd[k].n <= n; i++) {
            if (p[i] != first) continue;
            size_t j = 1;
            while (j < nd[k].n && (uint8_t)(p[i + j] ^ MASK) == nd[k].masked[j]) j++;
            if (j == nd[k].n) nd[k].found++;
        }
    }
}

#define SCAN_REGION_MAX ((unsigned long long)512 << 20)

/* Scan every readable mapping of pid.  Returns bytes scanned, or -1 with
 * errno when /proc/PID/mem cannot be read at all (no ptrace permission). */
static long long scan_pid(pid_t pid, needle *nd, size_t count, unsigned long long *skipped)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *maps = fopen(path, "r");
    if (!maps) return -1;
    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        int e = errno;
        fclose(maps);
        errno = e;
        return -1;
    }
    const size_t CH = 1 << 20, OV = 128;
    uint8_t *buf = malloc(CH + OV);
    long long total = 0;
    int any_ok = 0, last_errno = 0;
    *skipped = 0;
    for (size_t k = 0; k < count; k++) nd[k].found = 0;
    while (buf && fgets(line, sizeof line, maps)) {
        unsigned long long a, b;
        char perms[8];
        if (sscanf(line, "%llx-%llx %7s", &a, &b, perms) != 3 || perms[0] != 'r') continue;
        if (strstr(line, "[vvar]") || strstr(line, "[vsyscall]")) continue;
        if (b - a > SCAN_REGION_MAX) {
            *skipped += b - a;
            continue;
        }
        size_t carry = 0;
        for (unsigned long long off = a; off < b;) {
            size_t want = (size_t)((b - off) < CH ? (b - off) : CH);
            ssize_t got = pread(fd, buf + carry, want, (off_t)off);
            if (got <= 0) {
                last_errno = got < 0 ? errno : EIO;
                break;
            }
            any_ok = 1;
            total += got;
            search(buf, carry + (size_t)got, nd, count);
            /* keep the tail so a needle across chunks is seen, but never count it twice:
             * the tail is shorter than any needle */
            size_t keep = (size_t)got + carry < OV ? (size_t)got + carry : OV;
            size_t minn = 1000;
            for (size_t k = 0; k < count; k++) minn = nd[k].n < minn ? nd[k].n : minn;
            if (keep >= minn) keep = minn - 1;
            memmove(buf, buf + carry + (size_t)got - keep, keep);
            carry = keep;
            off += (unsigned long long)got;
        }
    }
    if (buf) {
        sodium_memzero(buf, CH + OV);
        free(buf);
    }
    close(fd);
    fclose(maps);
    if (!any_ok) {
        errno = last_errno ? last_errno : EIO;
        return -1;
    }
    return total;
}

/* The connector process: under a pid namespace c->pid is the sandbox's
 * intermediate and the connector is its only child. */
static pid_t connector_pid(pid_t top)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    pid_t found = 0;
    while (d && (de = readdir(d))) {
        if (!isdigit((unsigned char)de->d_name[0])) continue;
        char p[300], st[512];
        snprintf(p, sizeof p, "/proc/%s/stat", de->d_name);
        FILE *f = fopen(p, "r");
        if (!f) continue;
        size_t n = fread(st, 1, sizeof st - 1, f);
        fclose(f);
        st[n] = 0;
        char *rp = strrchr(st, ')');
        int ppid = 0;
        if (rp && sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == (int)top) found = (pid_t)atoi(de->d_name);
    }
    if (d) closedir(d);
    return found ? found : top;
}

/* ---- main ------------------------------------------------------------------------- */

static int read_secret(const char *path)
{
    char raw[SECRET_LEN + 8];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, raw, sizeof raw);
    close(fd);
    while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r')) n--;
    int ok = n == SECRET_LEN;
    for (ssize_t i = 0; ok && i < n; i++) g_masked[i] = (uint8_t)raw[i] ^ MASK;
    sodium_memzero(raw, sizeof raw);
    return ok ? 0 : -1;
}

static void run_github(env *e, fcp_host_conn *c)
{
    char base[128];
    snprintf(base, sizeof base, "https://api.github.com:%d", e->port);
    fcp_buf out;
    fcp_buf_init(&out);
    expect(e, c, "create_issue", "issues.create",
           "{\"owner\":\"octo-org\",\"repo\":\"hello\",\"title\":\"First issue\",\"body\":\"from fcp\",\"labels\":[\"bug\"]}",
           0, "\"number\":1");
    expect(e, c, "create_second_issue", "issues.create",
           "{\"owner\":\"octo-org\",\"repo\":\"hello\",\"title\":\"Second \\u00e9\"}", 0, "\"number\":2");
    expect(e, c, "comment_issue", "issues.comment",
           "{\"owner\":\"octo-org\",\"repo\":\"hello\",\"number\":1,\"body\":\"+1 from the mesh\"}", 0,
           "issuecomment-");
    expect(e, c, "list_issues", "issues.list", "{\"owner\":\"octo-org\",\"repo\":\"hello\",\"state\":\"all\"}", 0,
           "\"count\":2");
    expect(e, c, "list_shows_comment_count", "issues.list",
           "{\"owner\":\"octo-org\",\"repo\":\"hello\",\"per_page\":1}", 0, "\"comments\":1");
    expect(e, c, "list_page_1_has_more", "issues.list",
           "{\"owner\":\"octo-org\",\"repo\":\"hello\",\"per_page\":1}", 0, "\"has_more\":true");
    expect(e, c, "list_page_2_is_last", "issues.list",
           "{\"owner\":\"octo-org\",\"repo\":\"hello\",\"per_page\":1,\"page\":2}", 0, "\"has_more\":false");
    expect(e, c, "list_page_2_is_second_issue", "issues.list",
           "{\"owner\":\"octo-org\",\"repo\":\"hello\",\"per_page\":1,\"page\":2}", 0, "\"number\":2");
    expect(e, c, "list_labels_mapped", "issues.list", "{\"owner\":\"octo-org\",\"repo\":\"hello\"}", 0,
           "\"labels\":[\"bug\"]");
    expect(e, c, "comment_unknown_issue_404", "issues.comment",
           "{\"owner\":\"octo-org\",\"repo\":\"hello\",\"number\":999,\"body\":\"x\"}", FCP_ENOENT, "404");
    expect(e, c, "missing_repo_404", "issues.list", "{\"owner\":\"octo-org\",\"repo\":\"missing\"}", FCP_ENOENT,
           "Not Found");
    expect(e, c, "rate_limited", "issues.list", "{\"owner\":\"octo-org\",\"repo\":\"limited\"}", FCP_ERATE_LIMITED,
           "1893456000");
    int calls = e->egress_calls;
    expect(e, c, "invalid_owner_not_sent", "issues.list", "{\"owner\":\"../etc\",\"repo\":\"x\"}",
           FCP_EINVALID_REQUEST, "owner");
    expect(e, c, "missing_title_not_sent", "issues.create", "{\"owner\":\"o\",\"repo\":\"r\"}", FCP_EINVALID_REQUEST,
           "title");
    result(e->egress_calls == calls, "invalid_input_never_reaches_egress", "an invalid input was sent");
    /* the server checks the Authorization header: a wrong secret is refused */
    g_wrong_secret = 1;
    expect(e, c, "wrong_secret_refused_by_server", "issues.list", "{\"owner\":\"octo-org\",\"repo\":\"hello\"}",
           FCP_EEGRESS_UPSTREAM_AUTH, "Bad credentials");
    g_wrong_secret = 0;
    /* an echoing server: the connector gets the echo redacted */
    fcp_buf_reset(&out);
    int rc = invoke(e, c, "issues.create", "{\"owner\":\"octo-org\",\"repo\":\"echo\",\"title\":\"ECHO\"}", &out, 1);
    result(rc == 0 && has(&out, "echo Bearer ****") , "echoed_secret_redacted", "echo not redacted or call failed");
    /* the manifest's own constraints (port 443 only) refuse the test port */
    fcp_buf_reset(&out);
    rc = invoke(e, c, "issues.list", "{\"owner\":\"octo-org\",\"repo\":\"hello\"}", &out, 0);
    result(rc == FCP_EEGRESS_PORT_NOT_ALLOWED && e->last_rc == FCP_EEGRESS_PORT_NOT_ALLOWED,
           "manifest_port_constraint_enforced", "port outside port_allow was not refused");
    /* a base_url on another host is refused by host_allow */
    char evil[128];
    snprintf(evil, sizeof evil, "https://evil.test:%d", e->port);
    result(configure(c, evil, NULL) == 0, "configure_other_host", "configure failed");
    expect(e, c, "other_host_refused", "issues.list", "{\"owner\":\"o\",\"repo\":\"r\"}", FCP_EEGRESS_HOST_NOT_ALLOWED,
           "egress refused");
    configure(c, base, NULL);
    uint64_t denied = fcp_egress_denied_count(&e->px, FCP_EEGRESS_HOST_NOT_ALLOWED);
    result(denied == 1, "denial_counted", "host denial not counted once");
    fcp_buf_free(&out);
}

static void run_scan(env *e, fcp_host_conn *c, pid_t cpid)
{
    needle nd[8];
    size_t count;
    unsigned long long skipped;
    char why[400];
    /* 1. the host process itself (defect: libcurl kept a query-parameter
     *    credential in freed memory): after requests with the credential as a
     *    header and as a query parameter, no copy of the secret is left. */
    char marker_host[64];
    unsigned char rnd[12];
    randombytes_buf(rnd, sizeof rnd);
    char *heap_marker = malloc(64);
    snprintf(heap_marker, 64, "HOSTMARK-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
             rnd[5], rnd[6], rnd[7]);
    snprintf(marker_host, sizeof marker_host, "%s", heap_marker);
    fcp_buf out;
    fcp_buf_init(&out);
    char base[128];
    snprintf(base, sizeof base, "https://api.github.com:%d", e->port);
    int rc = invoke(e, c, "issues.create", "{\"owner\":\"scan\",\"repo\":\"r\",\"title\":\"header credential\"}", &out, 1);
    result(rc == 0, "scan_setup_header_call", "call with the header credential failed");
    rc = configure(c, base, "cred:github.query");
    rc = rc ? rc : invoke(e, c, "issues.list", "{\"owner\":\"scan\",\"repo\":\"r\"}", &out, 1);
    result(rc == 0 && has(&out, "\"count\":1"), "scan_setup_query_call", "call with the query credential failed");
    configure(c, base, "cred:github.token");
    unsigned ws = fcp_http_wipe_status();
    printf("wiping allocators: libcurl %s, OpenSSL %s\n", ws & FCP_HTTP_WIPE_CURL ? "yes" : "no",
           ws & FCP_HTTP_WIPE_OPENSSL ? "yes" : "no");
    result(ws & FCP_HTTP_WIPE_CURL, "curl_allocations_wiped", "libcurl does not use the wiping allocator");
    secret_needles(nd, &count);
    plain_needle(&nd[count], "heap marker (positive control)", marker_host);
    long long n = scan_pid(getpid(), nd, count + 1, &skipped);
    if (n < 0) {
        snprintf(why, sizeof why, "/proc/self/mem unreadable: %s", strerror(errno));
        skip("host_memory_has_no_secret", why);
    } else {
        printf("scanned host process: %lld bytes (%llu bytes in regions over 512 MiB skipped)\n", n, skipped);
        result(nd[count].found > 0, "host_scan_finds_marker", "scanner missed a heap marker: it does not work");
        int clean = 1;
        for (size_t k = 0; k < count; k++)
            if (nd[k].found) {
                clean = 0;
                snprintf(why, sizeof why, "%s found %lu times in the host after the transfers", nd[k].name, nd[k].found);
            }
        result(clean, "host_memory_has_no_secret", why);
    }
    sodium_memzero(heap_marker, 64);
    free(heap_marker);

    /* 2. the connector: the secret was injected into its request and echoed
     *    back by the server; the connector process must hold neither. */
    char marker[64];
    randombytes_buf(rnd, sizeof rnd);
    snprintf(marker, sizeof marker, "CONNMARK-%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
             rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], rnd[8], rnd[9]);
    char in[256];
    snprintf(in, sizeof in, "{\"owner\":\"scan\",\"repo\":\"r\",\"title\":\"ECHO\",\"body\":\"%s\"}", marker);
    rc = invoke(e, c, "issues.create", in, &out, 1);
    result(rc == 0 && has(&out, "echo Bearer ****"), "scan_call_echo_redacted", "echo call failed or not redacted");
    /* the marker went into the connector's input; the Authorization header
     * value was echoed in the title and redacted by the proxy */
    secret_needles(nd, &count);
    plain_needle(&nd[count], "input marker (positive control)", marker);
    plain_needle(&nd[count + 1], "redacted echo (positive control)", "echo Bearer ****");
    n = scan_pid(cpid, nd, count + 2, &skipped);
    if (n < 0) {
        snprintf(why, sizeof why, "cannot read /proc/%d/mem (%s): needs root or same uid with ptrace allowed",
                 (int)cpid, strerror(errno));
        skip("connector_memory_has_no_secret", why);
        printf("SKIPPED: connector memory scan not possible here: %s\n", why);
    } else {
        printf("scanned connector pid %d: %lld bytes (%llu bytes in regions over 512 MiB skipped)\n", (int)cpid, n,
               skipped);
        result(nd[count].found > 0, "connector_scan_finds_input_marker", "marker not found: the scanner does not work");
        result(nd[count + 1].found > 0, "connector_scan_finds_redacted_echo", "redacted echo not found");
        int clean = 1;
        for (size_t k = 0; k < count; k++)
            if (nd[k].found) {
                clean = 0;
                snprintf(why, sizeof why, "%s found %lu times in the connector", nd[k].name, nd[k].found);
            }
        result(clean, "connector_memory_has_no_secret", why);
    }
    fcp_buf_free(&out);
}

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[1], "github") && strcmp(argv[1], "scan"))) {
        fprintf(stderr, "usage: github_client github|scan CA_FILE PORT SECRET_FILE\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (sodium_init() < 0 || read_secret(argv[4]) < 0) {
        fprintf(stderr, "cannot read a %d-byte secret from %s\n", SECRET_LEN, argv[4]);
        return 2;
    }
    if (fcp_egress_curl_global_init() < 0) return 2;
    static env e;
    memset(&e, 0, sizeof e);
    e.port = atoi(argv[3]);
    e.cc.ca_file = argv[2];
    fcp_egress_proxy_init(&e.px);
    e.px.cfg.test_allow_loopback = 1;
    /* an answer must fit one local-transport frame to the connector (1 MiB by
     * default): cap it below that, so a huge answer is a clean refusal */
    e.px.cfg.max_response_bytes = 768u << 10;
    e.px.resolve = resolve;
    e.px.credential = cred;
    e.px.secret = secret;
    e.px.transport = fcp_egress_curl_transport;
    e.px.transport_ctx = &e.cc;
    memset(&g_cred, 0, sizeof g_cred);
    strcpy(g_cred.credential_id, "cred:github.token");
    strcpy(g_cred.secret_id, "secret:github");
    g_cred.apply = FCP_CRED_HTTP_HEADER;
    strcpy(g_cred.name, "authorization");
    g_cred.format = FCP_CRED_PREFIX;
    strcpy(g_cred.prefix, "Bearer ");
    g_cred.n_host_allow = 1;
    strcpy(g_cred.host_allow[0], "api.github.com");
    g_qcred = g_cred;
    strcpy(g_qcred.credential_id, "cred:github.query");
    g_qcred.apply = FCP_CRED_QUERY_PARAM;
    strcpy(g_qcred.name, "access_token");
    g_qcred.format = FCP_CRED_RAW;

    size_t ml = 0;
    char *mt = NULL;
    FILE *f = fopen("connectors/github/manifest.toml", "rb");
    if (f) {
        mt = malloc(1 << 16);
        ml = fread(mt, 1, (1 << 16) - 1, f);
        fclose(f);
    }
    if (!mt || fcp_manifest_parse(&e.man, "github", mt, ml, NULL) < 0) {
        printf("FAIL manifest: connectors/github/manifest.toml does not parse\n");
        return 1;
    }
    free(mt);
    const char *b = getenv("FCP_BUILD");
    char exe[600], cwd[400];
    snprintf(exe, sizeof exe, "%s/%s/connector-github", getcwd(cwd, sizeof cwd) ? cwd : ".", b && *b ? b : "build");
    fcp_sandbox_probe p;
    fcp_sandbox_probe_features(&p);
    int strict = (p.features & FCP_SBX_ALL) == FCP_SBX_ALL;
    if (!strict) printf("NOTE: kernel lacks sandbox features (%s): connector runs unsandboxed\n", p.detail);
    fcp_host_spawn_opts o = {exe, NULL, NULL, strict ? &e.man.sandbox : NULL, 0};
    fcp_host_conn c;
    int rc = fcp_host_spawn(&c, &o);
    result(rc == 0, strict ? "spawn_strict" : "spawn_unsandboxed", c.why);
    if (rc == 0) {
        c.on_request = on_request;
        c.user = &e;
        rc = fcp_host_handshake(&c, NULL, "fcp.github", 5000, NULL);
        result(rc == 0, "handshake", c.why);
        char base[128];
        snprintf(base, sizeof base, "https://api.github.com:%d", e.port);
        rc = configure(&c, base, NULL);
        result(rc == 0, "configure_base_url", c.why);
        if (strcmp(argv[1], "github") == 0)
            run_github(&e, &c);
        else
            run_scan(&e, &c, connector_pid(c.pid));
        fcp_host_close(&c, 3000);
        result(c.exit_status == 0, "clean_shutdown", "connector did not exit 0");
    }
    fcp_manifest_free(&e.man);
    fcp_egress_curl_global_cleanup();
    printf("checks: %d passed, %d failed, %d skipped\n", g_pass, g_fail, g_skip);
    return g_fail ? 1 : 0;
}
