/*
 * fuzz_egress_request.c - libFuzzer target for the egress proxy: the
 * EgressHttpRequest/Response decoders, the URL canonicaliser and the policy
 * engine (src/host/host_egress*.c).  The first byte picks the mode:
 *   0  request decoder, then the policy engine on what it accepted (DNS
 *      answers and the redirect script come from the input's last 36 bytes)
 *   1  response decoder
 *   2  URL canonicaliser on the raw bytes
 *   3  URL canonicaliser + policy engine + a scripted redirect chain
 *
 * Invariants (abort on violation): accepted objects re-encode to exactly the
 * input; a canonical URL re-parses to itself; an accepted plan names a host
 * that is lowercase, in host_allow, resolves to an address the classifier
 * allows, carries no userinfo, and its resolve entry starts with host:port;
 * the injected secret never appears in a returned response.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/host_egress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECRET "fuzz-secret-value-0123456789"

static uint8_t g_tail[36];     /* DNS answer (16 bytes + family) and transport script */

static int resolve(void *ctx, const char *host, fcp_egress_addr *out, size_t max, size_t *n)
{
    (void)ctx;
    (void)host;
    size_t k = 1 + (g_tail[0] % 3);
    *n = 0;
    for (size_t i = 0; i < k && i < max; i++) {
        out[i].family = (g_tail[1] & 1) ? 6 : 4;
        memcpy(out[i].ip, g_tail + 2, 16);
        out[i].ip[15] ^= (uint8_t)i;
        (*n)++;
    }
    return (g_tail[0] & 0x80) ? FCP_ENOENT : 0;
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
    return fcp_buf_append(out, SECRET, strlen(SECRET));
}

static unsigned g_hop;

static int transport(void *ctx, const fcp_egress_plan *p, fcp_egress_result *res)
{
    static const char *const locs[] = { "/next", "https://evil.example.net/", "//b.example.org/x",
                                        "https://127.0.0.1/", "?q=1", "rel/path", "https://a.example.org:8443/",
                                        "http://a.example.org/" };
    (void)ctx;
    uint8_t b = g_tail[18 + (g_hop++ % 16)];
    res->status = (b & 0x80) ? 302 : 200;
    if (res->status == 302)
        fcp_egress_result_add_header(res, "Location", 8, locs[b & 7], strlen(locs[b & 7]));
    /* echo the request line and headers: the proxy must redact the secret */
    fcp_egress_result_append_body(res, p->max_response_bytes, p->truncate_oversize, p->headers.data,
                                  p->headers.len);
    fcp_egress_result_append_body(res, p->max_response_bytes, p->truncate_oversize, p->url_text.data,
                                  p->url_text.len);
    return 0;
}

static void caps_init(fcp_cap_constraints *c)
{
    memset(c, 0, sizeof *c);
    c->has_network = 1;
    fcp_net_constraints_default(&c->network);
    c->network.n_host_allow = 2;
    strcpy(c->network.host_allow[0], "*.example.org");
    strcpy(c->network.host_allow[1], "api.example.com");
    c->network.n_ip_allow = 1;
    strcpy(c->network.ip_allow[0], "93.184.216.34");
    c->network.require_sni = 0;
    c->n_credential_allow = 1;
    strcpy(c->credential_allow[0], "cred:f");
}

static void check_plan(fcp_egress_proxy *px, const fcp_cap_constraints *c, const fcp_egress_plan *p)
{
    char again[FCP_EGRESS_URL_MAX + 300];
    fcp_egress_url u;
    for (const char *h = p->url.host; *h; h++)
        if (*h >= 'A' && *h <= 'Z')
            abort();
    if (p->url.host_kind == FCP_EGRESS_HOST_NAME && !fcp_net_host_allowed(&c->network, p->url.host))
        abort();
    if (fcp_egress_addr_check(&c->network, &px->cfg, &p->addr) != 0)
        abort();
    if (fcp_egress_url_format(&p->url, again, sizeof again) != 0)
        abort();
    if (fcp_egress_url_parse(again, strlen(again), &u) != 0 || strcmp(u.host, p->url.host) != 0)
        abort();
    const char *auth = strstr(again, "://") + 3;
    const char *slash = strchr(auth, '/');
    if (!slash || memchr(auth, '@', (size_t)(slash - auth)))
        abort();                              /* never userinfo in the authority */
    if (p->sni) {
        size_t hl = strlen(p->url.host);
        if (strncmp(p->resolve_entry, p->url.host, hl) != 0 || p->resolve_entry[hl] != ':')
            abort();
    }
}

static void run_policy(const fcp_egress_request *r, int execute)
{
    static fcp_egress_proxy px;
    fcp_cap_constraints c;
    caps_init(&c);
    fcp_egress_proxy_init(&px);
    px.resolve = resolve;
    px.credential = cred;
    px.secret = secret;
    px.transport = transport;
    px.cfg.max_response_bytes = 4096;
    px.cfg.truncate_oversize = g_tail[35] & 1;
    fcp_egress_plan p;
    fcp_egress_plan_init(&p);
    if (fcp_egress_plan_request(&px, &c, r, &p) == 0)
        check_plan(&px, &c, &p);
    fcp_egress_plan_free(&p);
    if (!execute)
        return;
    fcp_egress_result res;
    g_hop = 0;
    if (fcp_egress_execute(&px, &c, r, &res) == 0) {
        if (r->has_credential &&
            memmem(res.body.data ? (const void *)res.body.data : "", res.body.len, SECRET, strlen(SECRET)))
            abort();
        fcp_egress_response v;
        if (fcp_egress_result_view(&res, &v) != 0)
            abort();
    }
    fcp_egress_result_free(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!g_cred.credential_id[0]) {
        strcpy(g_cred.credential_id, "cred:f");
        strcpy(g_cred.secret_id, "secret:f");
        g_cred.apply = FCP_CRED_HTTP_HEADER;
        strcpy(g_cred.name, "Authorization");
        g_cred.format = FCP_CRED_PREFIX;
        strcpy(g_cred.prefix, "Bearer ");
    }
    unsigned mode = data[0] & 3;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    memset(g_tail, 0, sizeof g_tail);
    if (n >= sizeof g_tail) {
        memcpy(g_tail, p + n - sizeof g_tail, sizeof g_tail);
        if (mode == 0 || mode == 3)
            n -= sizeof g_tail;
    }
    g_cred.apply = (g_tail[17] & 1) ? FCP_CRED_QUERY_PARAM : FCP_CRED_HTTP_HEADER;
    if (mode == 0) {
        fcp_egress_request r;
        if (fcp_egress_request_decode(&r, p, n) == 0) {
            fcp_buf b;
            fcp_buf_init(&b);
            if (fcp_egress_request_encode(&r, &b) != 0 || b.len != n || memcmp(b.data, p, n) != 0)
                abort();
            fcp_buf_free(&b);
            run_policy(&r, 1);
        }
    } else if (mode == 1) {
        fcp_egress_response r;
        if (fcp_egress_response_decode(&r, p, n) == 0) {
            fcp_buf b;
            fcp_buf_init(&b);
            if (fcp_egress_response_encode(&r, &b) != 0 || b.len != n || memcmp(b.data, p, n) != 0)
                abort();
            fcp_buf_free(&b);
        }
    } else if (mode == 2) {
        fcp_egress_url u, u2;
        char t1[FCP_EGRESS_URL_MAX + 300], t2[FCP_EGRESS_URL_MAX + 300];
        if (fcp_egress_url_parse((const char *)p, n, &u) == 0) {
            if (fcp_egress_url_format(&u, t1, sizeof t1) != 0)
                abort();
            if (fcp_egress_url_parse(t1, strlen(t1), &u2) != 0 || fcp_egress_url_format(&u2, t2, sizeof t2) != 0 ||
                strcmp(t1, t2) != 0 || strchr(u.host, '@') || strchr(u.host, '%'))
                abort();
        }
    } else {
        fcp_egress_request r;
        memset(&r, 0, sizeof r);
        r.method = (g_tail[16] & 1) ? "POST" : "GET";
        r.method_len = strlen(r.method);
        r.url = (const char *)p;
        r.url_len = n;
        r.has_credential = (g_tail[16] & 2) != 0;
        r.credential = "cred:f";
        r.credential_len = 6;
        run_policy(&r, 1);
    }
    return 0;
}
