/*
 * bench_egress.c - egress proxy costs, as ratios against references measured
 * in the same run:
 *   1. policy evaluation (fcp_egress_plan_request with a credential, DNS from
 *      a callback) against the URL canonicaliser alone;
 *   2. a 1 MiB HTTPS download through the whole proxy (plan + libcurl
 *      transport + capped sink + redaction scan) against the same download
 *      with a bare libcurl easy handle (same CA, same pinned address, a fresh
 *      handle and TLS handshake per transfer in both).  Target <= 1.2x.
 * Part 2 needs openssl and node (tests/e2e/egress_server.mjs) and is skipped
 * with a message without them.  Run from the repository root.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcp/host_egress.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int resolve_pub(void *ctx, const char *host, fcp_egress_addr *out, size_t max, size_t *n)
{
    (void)ctx;
    (void)host;
    (void)max;
    out[0].family = 4;
    inet_pton(AF_INET, "93.184.216.34", out[0].ip);
    *n = 1;
    return 0;
}

static int resolve_local(void *ctx, const char *host, fcp_egress_addr *out, size_t max, size_t *n)
{
    (void)ctx;
    (void)host;
    (void)max;
    out[0].family = 4;
    inet_pton(AF_INET, "127.0.0.1", out[0].ip);
    *n = 1;
    return 0;
}

static fcp_credential_object g_cred;
static const fcp_credential_object *cred(void *ctx, const char *id)
{
    (void)ctx;
    return strcmp(id, g_cred.credential_id) == 0 ? &g_cred : NULL;
}
static int secret(void *ctx, const char *id, fcp_buf *out)
{
    (void)ctx;
    (void)id;
    return fcp_buf_append(out, "bench-secret-0123456789abcdef", 29);
}

static void caps_init(fcp_cap_constraints *c, const char *host)
{
    memset(c, 0, sizeof *c);
    c->has_network = 1;
    fcp_net_constraints_default(&c->network);
    c->network.n_host_allow = 1;
    strcpy(c->network.host_allow[0], host);
    c->n_credential_allow = 1;
    strcpy(c->credential_allow[0], "cred:bench");
}

static void bench_policy(void)
{
    fcp_egress_proxy px;
    fcp_cap_constraints c;
    fcp_egress_request r;
    const char *url = "https://api.example.com/v1/items?limit=20&cursor=abcdef";
    const int N = 200000;
    volatile int sink = 0;
    fcp_egress_proxy_init(&px);
    px.resolve = resolve_pub;
    px.credential = cred;
    px.secret = secret;
    caps_init(&c, "api.example.com");
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.method_len = 3;
    r.url = url;
    r.url_len = strlen(url);
    r.n_headers = 2;
    r.headers[0] = (fcp_egress_header){ "accept", 6, "application/json", 16 };
    r.headers[1] = (fcp_egress_header){ "x-request-id", 12, "0123456789", 10 };
    r.has_credential = 1;
    r.credential = "cred:bench";
    r.credential_len = 10;

    double t0 = now_s();
    for (int i = 0; i < N; i++) {
        fcp_egress_url u;
        sink += fcp_egress_url_parse(url, r.url_len, &u);
    }
    double t_ref = now_s() - t0;
    t0 = now_s();
    for (int i = 0; i < N; i++) {
        fcp_egress_plan p;
        fcp_egress_plan_init(&p);
        sink += fcp_egress_plan_request(&px, &c, &r, &p);
        fcp_egress_plan_free(&p);
    }
    double t_plan = now_s() - t0;
    printf("policy: %.0f plans/s (%.2f us/plan, with credential injection); URL parse alone %.0f/s; "
           "plan/parse ratio %.1fx%s\n",
           N / t_plan, t_plan / N * 1e6, N / t_ref, t_plan / t_ref, sink ? " (errors!)" : "");
}

/* ---- HTTPS download -------------------------------------------------------- */

static size_t drop(char *p, size_t s, size_t n, void *ud)
{
    (void)p;
    *(size_t *)ud += s * n;
    return s * n;
}

static int direct_get(const char *url, const char *ca, const char *resolve_entry, size_t *got)
{
    struct curl_slist *res = curl_slist_append(NULL, resolve_entry);
    CURL *h = curl_easy_init();
    *got = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CAINFO, ca);
    curl_easy_setopt(h, CURLOPT_RESOLVE, res);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, drop);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, got);
    CURLcode c = curl_easy_perform(h);
    curl_easy_cleanup(h);
    curl_slist_free_all(res);
    return c == CURLE_OK ? 0 : -1;
}

static void bench_https(void)
{
    char dir[] = "/tmp/bench_egress.XXXXXX";
    char cmd[1024], path[512], url[256], entry[128];
    pid_t pid = -1;
    if (!mkdtemp(dir)) {
        printf("https: SKIPPED (no temp dir)\n");
        return;
    }
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
             "-subj /CN=egress.test -addext subjectAltName=DNS:egress.test "
             "-keyout %s/key.pem -out %s/cert.pem >/dev/null 2>&1",
             dir, dir);
    if (system(cmd) != 0 || system("command -v node >/dev/null 2>&1") != 0) {
        printf("https: SKIPPED (needs openssl and node)\n");
        goto out;
    }
    pid = fork();
    if (pid == 0) {
        char k[600], c[600], p[600];
        snprintf(k, sizeof k, "%s/key.pem", dir);
        snprintf(c, sizeof c, "%s/cert.pem", dir);
        snprintf(p, sizeof p, "%s/port", dir);
        execlp("node", "node", "tests/e2e/egress_server.mjs", k, c, p, "unused", (char *)NULL);
        _exit(127);
    }
    int port = 0;
    snprintf(path, sizeof path, "%s/port", dir);
    for (int i = 0; i < 200 && port == 0; i++) {
        FILE *f = fopen(path, "r");
        if (f) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (port == 0)
            usleep(25000);
    }
    if (port == 0) {
        printf("https: SKIPPED (server did not start)\n");
        goto out;
    }
    snprintf(url, sizeof url, "https://egress.test:%d/mib", port);
    snprintf(entry, sizeof entry, "egress.test:%d:127.0.0.1", port);
    snprintf(path, sizeof path, "%s/cert.pem", dir);

    fcp_egress_proxy px;
    fcp_egress_curl cc = { path };
    fcp_cap_constraints c;
    fcp_egress_request r;
    fcp_egress_proxy_init(&px);
    px.cfg.test_allow_loopback = 1;
    px.resolve = resolve_local;
    px.credential = cred;
    px.secret = secret;
    px.transport = fcp_egress_curl_transport;
    px.transport_ctx = &cc;
    caps_init(&c, "egress.test");
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.method_len = 3;
    r.url = url;
    r.url_len = strlen(url);
    r.has_credential = 1;
    r.credential = "cred:bench";
    r.credential_len = 10;

    const int N = 30;
    double t_direct = 0, t_proxy = 0;
    int errs = 0;
    for (int i = 0; i < N + 2; i++) {     /* 2 warm-up rounds, alternating order */
        size_t got = 0;
        fcp_egress_result res;
        double t0 = now_s();
        errs += direct_get(url, path, entry, &got) < 0 || got != (1u << 20);
        double t1 = now_s();
        int rc = fcp_egress_execute(&px, &c, &r, &res);
        double t2 = now_s();
        errs += rc < 0 || res.body.len != (1u << 20);
        fcp_egress_result_free(&res);
        if (i >= 2) {
            t_direct += t1 - t0;
            t_proxy += t2 - t1;
        }
    }
    printf("https 1 MiB download x%d: direct libcurl %.2f ms, proxy %.2f ms, ratio %.2fx (target <= 1.2x)%s\n", N,
           t_direct / N * 1e3, t_proxy / N * 1e3, t_proxy / t_direct, errs ? " (transfer errors!)" : "");
out:
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_egress: could not remove %s\n", dir);
}

int main(void)
{
    memset(&g_cred, 0, sizeof g_cred);
    strcpy(g_cred.credential_id, "cred:bench");
    strcpy(g_cred.secret_id, "secret:bench");
    g_cred.apply = FCP_CRED_HTTP_HEADER;
    strcpy(g_cred.name, "Authorization");
    g_cred.format = FCP_CRED_PREFIX;
    strcpy(g_cred.prefix, "Bearer ");
    if (fcp_egress_curl_global_init() < 0)
        return 1;
    bench_policy();
    bench_https();
    fcp_egress_curl_global_cleanup();
    return 0;
}
