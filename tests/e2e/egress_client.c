/*
 * egress_client.c - driver of tests/e2e/egress_https.sh: runs the egress
 * proxy (policy engine + libcurl transport) against the local HTTPS server
 * (egress_server.mjs) and prints one "PASS name" / "FAIL name: why" line per
 * check.  The name egress.test resolves to 127.0.0.1 through the test's
 * resolver callback, and the proxy's test-only loopback exemption is set,
 * because loopback is denied by default.
 * Usage: egress_client CA_FILE PORT GOOD_PIN SECRET
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "fcp/error.h"
#include "fcp/host_egress.h"

static int g_pass, g_fail;
static const char *g_secret;
static fcp_credential_object g_cred, g_qcred;

static void result(int ok, const char *name, const char *why)
{
    if (ok) {
        g_pass++;
        printf("PASS %s\n", name);
    } else {
        g_fail++;
        printf("FAIL %s: %s\n", name, why);
    }
}

static int resolve(void *ctx, const char *host, fcp_egress_addr *out, size_t max, size_t *n)
{
    (void)ctx;
    *n = 0;
    if (strcmp(host, "egress.test") != 0 || max < 1)
        return FCP_ENOENT;
    out[0].family = 4;
    inet_pton(AF_INET, "127.0.0.1", out[0].ip);
    *n = 1;
    return 0;
}

static const fcp_credential_object *cred(void *ctx, const char *id)
{
    (void)ctx;
    if (strcmp(id, g_cred.credential_id) == 0)
        return &g_cred;
    return strcmp(id, g_qcred.credential_id) == 0 ? &g_qcred : NULL;
}

static int secret(void *ctx, const char *id, fcp_buf *out)
{
    (void)ctx;
    (void)id;
    return fcp_buf_append(out, g_secret, strlen(g_secret));
}

static void caps_init(fcp_cap_constraints *c, const char *pin)
{
    memset(c, 0, sizeof *c);
    c->has_network = 1;
    fcp_net_constraints_default(&c->network);
    c->network.n_host_allow = 1;
    strcpy(c->network.host_allow[0], "egress.test");
    c->network.connect_timeout_ms = 3000;
    c->network.total_timeout_ms = 10000;
    if (pin) {
        c->network.n_spki_pins = 1;
        snprintf(c->network.spki_pins[0], sizeof c->network.spki_pins[0], "%s", pin);
    }
    c->n_credential_allow = 2;
    strcpy(c->credential_allow[0], "cred:e2e");
    strcpy(c->credential_allow[1], "cred:e2eq");
}

typedef struct env {
    fcp_egress_proxy px;
    fcp_egress_curl cc;
    fcp_cap_constraints caps;
    int port;
} env;

static int get(env *e, const char *path, const char *credential, fcp_egress_result *res)
{
    char url[256];
    fcp_egress_request r;
    memset(&r, 0, sizeof r);
    snprintf(url, sizeof url, "https://egress.test:%d%s", e->port, path);
    r.method = "GET";
    r.method_len = 3;
    r.url = url;
    r.url_len = strlen(url);
    if (credential) {
        r.has_credential = 1;
        r.credential = credential;
        r.credential_len = strlen(credential);
    }
    return fcp_egress_execute(&e->px, &e->caps, &r, res);
}

static int body_is(const fcp_egress_result *r, const char *s)
{
    return r->body.len == strlen(s) && memcmp(r->body.data, s, r->body.len) == 0;
}

static void expect_code(env *e, const char *name, const char *path, const char *credential, int want)
{
    fcp_egress_result res;
    char why[160];
    int rc = get(e, path, credential, &res);
    snprintf(why, sizeof why, "got %d (%s), want %d", rc, fcp_error_name(rc) ? fcp_error_name(rc) : "ok", want);
    result(rc == want, name, why);
    fcp_egress_result_free(&res);
}

int main(int argc, char **argv)
{
    env e;
    fcp_egress_result res;
    char why[256];
    int rc;
    if (argc != 5) {
        fprintf(stderr, "usage: egress_client CA_FILE PORT GOOD_PIN SECRET\n");
        return 2;
    }
    g_secret = argv[4];
    memset(&g_cred, 0, sizeof g_cred);
    strcpy(g_cred.credential_id, "cred:e2e");
    strcpy(g_cred.secret_id, "secret:e2e");
    g_cred.apply = FCP_CRED_HTTP_HEADER;
    strcpy(g_cred.name, "Authorization");
    g_cred.format = FCP_CRED_PREFIX;
    strcpy(g_cred.prefix, "Bearer ");
    g_cred.n_host_allow = 1;
    strcpy(g_cred.host_allow[0], "egress.test");
    g_qcred = g_cred;
    strcpy(g_qcred.credential_id, "cred:e2eq");
    g_qcred.apply = FCP_CRED_QUERY_PARAM;
    strcpy(g_qcred.name, "token");
    g_qcred.format = FCP_CRED_RAW;
    if (fcp_egress_curl_global_init() < 0)
        return 2;
    memset(&e, 0, sizeof e);
    e.port = atoi(argv[2]);
    e.cc.ca_file = argv[1];
    fcp_egress_proxy_init(&e.px);
    e.px.cfg.test_allow_loopback = 1;
    e.px.resolve = resolve;
    e.px.credential = cred;
    e.px.secret = secret;
    e.px.transport = fcp_egress_curl_transport;
    e.px.transport_ctx = &e.cc;
    caps_init(&e.caps, argv[3]);

    /* 1. the request arrives with the injected credential */
    rc = get(&e, "/auth", "cred:e2e", &res);
    snprintf(why, sizeof why, "rc %d status %u", rc, res.status);
    result(rc == 0 && res.status == 200 && body_is(&res, "auth-ok"), "credential_injected_header", why);
    fcp_egress_result_free(&res);
    rc = get(&e, "/auth", NULL, &res);
    result(rc == 0 && res.status == 401, "no_credential_no_auth", "server saw a credential without one");
    fcp_egress_result_free(&res);
    rc = get(&e, "/query", "cred:e2eq", &res);
    result(rc == 0 && res.status == 200, "credential_injected_query", "token parameter missing");
    fcp_egress_result_free(&res);
    /* 2. an echoing server does not hand the secret back */
    rc = get(&e, "/echo", "cred:e2e", &res);
    result(rc == 0 && res.status == 200 && !memmem(res.body.data, res.body.len, g_secret, strlen(g_secret)) &&
               memmem(res.body.data, res.body.len, "Bearer ****", 11),
           "echo_redacted", "secret visible in the response");
    fcp_egress_result_free(&res);
    /* 3. SPKI pins: the right one passes (above), a wrong one fails */
    caps_init(&e.caps, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    expect_code(&e, "wrong_spki_pin", "/auth", "cred:e2e", FCP_EEGRESS_PIN);
    caps_init(&e.caps, NULL);
    /* certificate not trusted (system store) */
    e.cc.ca_file = "/nonexistent-egress-ca.pem";
    expect_code(&e, "untrusted_certificate", "/auth", NULL, FCP_EEGRESS_TLS);
    e.cc.ca_file = argv[1];
    caps_init(&e.caps, argv[3]);
    /* 4. response cap */
    e.px.cfg.max_response_bytes = 1 << 20;
    expect_code(&e, "response_cap_enforced", "/big", NULL, FCP_EEGRESS_RESPONSE_TOO_LARGE);
    e.px.cfg.truncate_oversize = 1;
    rc = get(&e, "/big", NULL, &res);
    result(rc == 0 && res.truncated && res.body.len == (1u << 20), "response_cap_truncate", "not cut at 1 MiB");
    fcp_egress_result_free(&res);
    e.px.cfg.truncate_oversize = 0;
    e.px.cfg.max_response_bytes = 10u << 20;
    rc = get(&e, "/big", NULL, &res);
    result(rc == 0 && res.body.len == (2u << 20), "response_under_cap", "2 MiB body not delivered");
    fcp_egress_result_free(&res);
    /* 5. redirects: to denied hosts refused, to the same host followed */
    expect_code(&e, "redirect_to_denied_host", "/redirect-evil", "cred:e2e", FCP_EEGRESS_HOST_NOT_ALLOWED);
    expect_code(&e, "redirect_to_metadata_ip", "/redirect-meta", "cred:e2e", FCP_EEGRESS_IP_LITERAL);
    rc = get(&e, "/redirect-ok", "cred:e2e", &res);
    result(rc == 0 && res.status == 200 && body_is(&res, "auth-ok"), "redirect_same_host_followed", "not followed");
    fcp_egress_result_free(&res);
    /* 6. the policy still holds at the edges */
    {
        char url[128];
        fcp_egress_request r;
        memset(&r, 0, sizeof r);
        snprintf(url, sizeof url, "https://127.0.0.1:%d/auth", e.port);
        r.method = "GET";
        r.method_len = 3;
        r.url = url;
        r.url_len = strlen(url);
        rc = fcp_egress_execute(&e.px, &e.caps, &r, &res);
        result(rc == FCP_EEGRESS_IP_LITERAL, "ip_literal_denied", "literal reached the server");
        fcp_egress_result_free(&res);
        /* POST body travels */
        snprintf(url, sizeof url, "https://egress.test:%d/post", e.port);
        r.method = "POST";
        r.method_len = 4;
        r.url = url;
        r.url_len = strlen(url);
        r.body = (const uint8_t *)"hello-egress";
        r.body_len = 12;
        rc = fcp_egress_execute(&e.px, &e.caps, &r, &res);
        result(rc == 0 && body_is(&res, "got POST 12 hello-egress"), "post_body", "body not delivered");
        fcp_egress_result_free(&res);
    }
    e.px.cfg.test_allow_loopback = 0;
    expect_code(&e, "loopback_denied_by_default", "/auth", NULL, FCP_EEGRESS_LOOPBACK);
    e.px.cfg.test_allow_loopback = 1;
    /* 7. the transport connects only to the checked address: a plan whose
     * pinned address differs from the resolve entry is refused at connect */
    {
        fcp_egress_plan p;
        char url[128];
        fcp_egress_request r;
        memset(&r, 0, sizeof r);
        snprintf(url, sizeof url, "https://egress.test:%d/auth", e.port);
        r.method = "GET";
        r.method_len = 3;
        r.url = url;
        r.url_len = strlen(url);
        fcp_egress_plan_init(&p);
        rc = fcp_egress_plan_request(&e.px, &e.caps, &r, &p);
        if (rc == 0) {
            inet_pton(AF_INET, "127.0.0.2", p.addr.ip);   /* engine checked .2, DNS says .1 */
            fcp_egress_result_init(&res);
            rc = fcp_egress_curl_transport(&e.cc, &p, &res);
            fcp_egress_result_free(&res);
        }
        fcp_egress_plan_free(&p);
        result(rc == FCP_EEGRESS_CONNECT, "connect_only_to_checked_address", "connected elsewhere");
    }
    printf("counters: allowed %llu completed %llu denied(pin) %llu denied(cap) %llu\n",
           (unsigned long long)e.px.stats.allowed, (unsigned long long)e.px.stats.completed,
           (unsigned long long)fcp_egress_denied_count(&e.px, FCP_EEGRESS_PIN),
           (unsigned long long)fcp_egress_denied_count(&e.px, FCP_EEGRESS_RESPONSE_TOO_LARGE));
    fcp_egress_curl_global_cleanup();
    return g_fail ? 1 : 0;
}
