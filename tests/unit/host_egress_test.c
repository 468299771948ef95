/*
 * host_egress_test.c - the egress proxy's pure parts: codecs against the
 * golden vectors (conformance/golden/egress), URL canonicaliser, address
 * classifier, every denial of the policy engine in order, credential
 * injection, redirects and the response cap through a scripted transport.
 * No network: DNS, secrets and transfers are callbacks.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "fcp/error.h"
#include "fcp/host_egress.h"
#include "test.h"

#define SECRET "s3cr3t-token-value-1234"

/* ---- fixtures -------------------------------------------------------------- */

typedef struct dns_entry { const char *host; const char *addrs[20]; } dns_entry;

static const dns_entry g_dns[] = {
    { "api.example.com", { "93.184.216.34", NULL } },
    { "www.example.org", { "93.184.216.35", "2606:2800:220:1::1", NULL } },
    { "priv.example.org", { "10.0.0.7", NULL } },
    { "mixed.example.org", { "93.184.216.36", "127.0.0.1", NULL } },
    { "meta.example.org", { "::ffff:169.254.169.254", NULL } },
    { "many.example.org", { "1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4", "1.1.1.5", "1.1.1.6", "1.1.1.7",
                            "1.1.1.8", "1.1.1.9", "1.1.1.10", "1.1.1.11", "1.1.1.12", "1.1.1.13",
                            "1.1.1.14", "1.1.1.15", "1.1.1.16", "1.1.1.17", NULL } },
    { "empty.example.org", { NULL } },
    { "v6.example.org", { "2606:2800:220:1::1", NULL } },
};

static int g_resolve_calls, g_secret_calls;

static int parse_addr(const char *s, fcp_egress_addr *a)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, s, a->ip) == 1) {
        a->family = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, s, a->ip) == 1) {
        a->family = 6;
        return 0;
    }
    return -1;
}

static int fake_resolve(void *ctx, const char *host, fcp_egress_addr *out, size_t max, size_t *n)
{
    (void)ctx;
    g_resolve_calls++;
    *n = 0;
    for (size_t i = 0; i < sizeof g_dns / sizeof g_dns[0]; i++) {
        if (strcmp(g_dns[i].host, host) != 0)
            continue;
        for (size_t k = 0; g_dns[i].addrs[k] && *n < max; k++)
            if (parse_addr(g_dns[i].addrs[k], &out[(*n)++]) < 0)
                return -1;
        return 0;
    }
    return FCP_ENOENT;
}

static fcp_credential_object g_cred_hdr, g_cred_query, g_cred_open;

static const fcp_credential_object *fake_cred(void *ctx, const char *id)
{
    (void)ctx;
    if (strcmp(id, g_cred_hdr.credential_id) == 0) return &g_cred_hdr;
    if (strcmp(id, g_cred_query.credential_id) == 0) return &g_cred_query;
    if (strcmp(id, g_cred_open.credential_id) == 0) return &g_cred_open;
    return NULL;
}

static int fake_secret(void *ctx, const char *secret_id, fcp_buf *out)
{
    (void)ctx;
    g_secret_calls++;
    if (strcmp(secret_id, "secret:bad") == 0)
        return fcp_buf_append(out, "a\r\nb", 4);
    return fcp_buf_append(out, SECRET, strlen(SECRET));
}

/* Scripted transport: answers hop i with script[i], records what it saw. */
typedef struct hop { uint16_t status; const char *location; const char *body; size_t repeat; } hop;
typedef struct script {
    const hop *hops;
    size_t n, at;
    char urls[8][512];
    char headers[8][1024];
    char resolve[8][FCP_EGRESS_HOST_MAX + 64];
    char method[8][8];
    size_t body_len[8];
} script;

static int fake_transport(void *ctx, const fcp_egress_plan *p, fcp_egress_result *res)
{
    script *s = ctx;
    if (s->at >= s->n || s->at >= 8)
        return FCP_EEGRESS_TRANSFER;
    size_t i = s->at++;
    snprintf(s->urls[i], sizeof s->urls[i], "%s", (const char *)p->url_text.data);
    size_t hl = p->headers.len < sizeof s->headers[i] ? p->headers.len : sizeof s->headers[i] - 1;
    memcpy(s->headers[i], p->headers.data ? (const char *)p->headers.data : "", hl);
    for (size_t k = 0; k < hl; k++)
        if (s->headers[i][k] == 0)
            s->headers[i][k] = '\n';
    s->headers[i][hl] = 0;
    snprintf(s->resolve[i], sizeof s->resolve[i], "%s", p->resolve_entry);
    snprintf(s->method[i], sizeof s->method[i], "%s", p->method);
    s->body_len[i] = p->body_len;
    res->status = s->hops[i].status;
    if (s->hops[i].location)
        fcp_egress_result_add_header(res, "Location", 8, s->hops[i].location, strlen(s->hops[i].location));
    fcp_egress_result_add_header(res, "Content-Type", 12, " text/plain ", 12);
    fcp_egress_result_add_header(res, "Connection", 10, "close", 5);
    if (s->hops[i].body)
        for (size_t r = 0; r < (s->hops[i].repeat ? s->hops[i].repeat : 1); r++) {
            int rc = fcp_egress_result_append_body(res, p->max_response_bytes, p->truncate_oversize,
                                                   s->hops[i].body, strlen(s->hops[i].body));
            if (rc < 0)
                return rc;
        }
    return 0;
}

static void base_caps(fcp_cap_constraints *c)
{
    memset(c, 0, sizeof *c);
    c->has_network = 1;
    fcp_net_constraints_default(&c->network);
    c->network.n_host_allow = 2;
    strcpy(c->network.host_allow[0], "*.example.org");
    strcpy(c->network.host_allow[1], "api.example.com");
    c->n_credential_allow = 3;
    strcpy(c->credential_allow[0], "cred:api");
    strcpy(c->credential_allow[1], "cred:open");
    strcpy(c->credential_allow[2], "cred:q");
}

static void init_creds(void)
{
    memset(&g_cred_hdr, 0, sizeof g_cred_hdr);
    strcpy(g_cred_hdr.credential_id, "cred:api");
    strcpy(g_cred_hdr.secret_id, "secret:api");
    g_cred_hdr.apply = FCP_CRED_HTTP_HEADER;
    strcpy(g_cred_hdr.name, "Authorization");
    g_cred_hdr.format = FCP_CRED_PREFIX;
    strcpy(g_cred_hdr.prefix, "Bearer ");
    g_cred_hdr.n_host_allow = 1;
    strcpy(g_cred_hdr.host_allow[0], "api.example.com");
    g_cred_query = g_cred_hdr;
    strcpy(g_cred_query.credential_id, "cred:q");
    g_cred_query.apply = FCP_CRED_QUERY_PARAM;
    strcpy(g_cred_query.name, "token");
    g_cred_query.format = FCP_CRED_RAW;
    g_cred_query.n_host_allow = 0;
    g_cred_open = g_cred_hdr;
    strcpy(g_cred_open.credential_id, "cred:open");
    strcpy(g_cred_open.name, "X-Api-Key");
    g_cred_open.format = FCP_CRED_RAW;
    g_cred_open.n_host_allow = 0;
}

static void proxy(fcp_egress_proxy *px, script *s)
{
    fcp_egress_proxy_init(px);
    px->resolve = fake_resolve;
    px->credential = fake_cred;
    px->secret = fake_secret;
    px->transport = fake_transport;
    px->transport_ctx = s;
}

static void get_req(fcp_egress_request *r, const char *url)
{
    memset(r, 0, sizeof *r);
    r->method = "GET";
    r->method_len = 3;
    r->url = url;
    r->url_len = strlen(url);
}

static int plan_rc(fcp_egress_proxy *px, const fcp_cap_constraints *c, const fcp_egress_request *r)
{
    fcp_egress_plan p;
    fcp_egress_plan_init(&p);
    int rc = fcp_egress_plan_request(px, c, r, &p);
    fcp_egress_plan_free(&p);
    return rc;
}

static int url_rc(fcp_egress_proxy *px, const fcp_cap_constraints *c, const char *url)
{
    fcp_egress_request r;
    get_req(&r, url);
    return plan_rc(px, c, &r);
}

/* ---- golden vectors -------------------------------------------------------- */

static int code_of(const char *name)
{
    for (int e = -1; e > -10000; e--) {
        const char *n = fcp_error_name(e);
        if (n && strcmp(n, name) == 0)
            return e;
    }
    return 1;
}

static void test_golden(void)
{
    json_error_t jerr;
    json_t *root = json_load_file("conformance/golden/egress/d-egress-1-codec.json", 0, &jerr);
    if (!CHECK(root != NULL))
        return;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(root, "codec"), i, v) {
        size_t n;
        uint8_t *bytes = fcp_t_unhex(fcp_t_jstr(v, "hex"), &n);
        const char *kind = fcp_t_jstr(v, "kind"), *expect = fcp_t_jstr(v, "expect");
        int want = strcmp(expect, "ok") == 0 ? 0 : code_of(expect);
        int rc;
        fcp_buf out;
        fcp_buf_init(&out);
        if (strcmp(kind, "request") == 0) {
            fcp_egress_request r;
            rc = fcp_egress_request_decode(&r, bytes, n);
            if (rc == 0)
                CHECK_EQ(fcp_egress_request_encode(&r, &out), 0);
        } else {
            fcp_egress_response r;
            rc = fcp_egress_response_decode(&r, bytes, n);
            if (rc == 0)
                CHECK_EQ(fcp_egress_response_encode(&r, &out), 0);
        }
        if (!CHECK_EQ(rc, want))
            fprintf(stderr, "  vector: %s\n", fcp_t_jstr(v, "name"));
        if (rc == 0 && CHECK_EQ(out.len, n))
            CHECK_MEM(out.data, bytes, n);
        fcp_buf_free(&out);
        free(bytes);
    }
    json_array_foreach(json_object_get(root, "urls"), i, v) {
        const char *url = fcp_t_jstr(v, "url"), *expect = fcp_t_jstr(v, "expect");
        fcp_egress_url u;
        char text[FCP_EGRESS_URL_MAX + 300];
        int rc = fcp_egress_url_parse(url, strlen(url), &u);
        if (strncmp(expect, "FCP_", 4) == 0) {
            if (!CHECK_EQ(rc, code_of(expect)))
                fprintf(stderr, "  url: %s\n", url);
        } else if (CHECK_EQ(rc, 0)) {
            CHECK_EQ(fcp_egress_url_format(&u, text, sizeof text), 0);
            if (!CHECK(strcmp(text, expect) == 0))
                fprintf(stderr, "  url: %s -> %s (want %s)\n", url, text, expect);
        }
    }
    fcp_net_constraints dn;
    fcp_egress_config cfg;
    fcp_net_constraints_default(&dn);
    fcp_egress_config_default(&cfg);
    json_array_foreach(json_object_get(root, "addresses"), i, v) {
        fcp_egress_addr a;
        const char *expect = fcp_t_jstr(v, "expect");
        if (!CHECK_EQ(parse_addr(fcp_t_jstr(v, "addr"), &a), 0))
            continue;
        int rc = fcp_egress_addr_check(&dn, &cfg, &a);
        if (!CHECK_EQ(rc, strcmp(expect, "ok") == 0 ? 0 : code_of(expect)))
            fprintf(stderr, "  addr: %s\n", fcp_t_jstr(v, "addr"));
    }
    json_decref(root);
}

/* ---- codec details --------------------------------------------------------- */

static void test_codec(void)
{
    fcp_egress_request r, d;
    fcp_buf b;
    get_req(&r, "https://api.example.com/x");
    r.n_headers = 1;
    r.headers[0] = (fcp_egress_header){ "accept", 6, "*/*", 3 };
    r.has_credential = 1;
    r.credential = "cred:api";
    r.credential_len = 8;
    fcp_buf_init(&b);
    CHECK_EQ(fcp_egress_request_encode(&r, &b), 0);
    CHECK_EQ(fcp_egress_request_decode(&d, b.data, b.len), 0);
    CHECK(d.has_credential && d.credential_len == 8 && memcmp(d.credential, "cred:api", 8) == 0);
    CHECK(d.n_headers == 1 && d.headers[0].value_len == 3);
    /* every truncation of a valid encoding is refused */
    int all_refused = 1;
    for (size_t k = 0; k < b.len; k++)
        if (fcp_egress_request_decode(&d, b.data, k) == 0)
            all_refused = 0;
    CHECK(all_refused);
    fcp_buf_free(&b);
    /* validation limits */
    r.has_credential = 0;
    r.body_len = FCP_EGRESS_REQ_BODY_MAX + 1;
    r.body = (const uint8_t *)"";
    CHECK_EQ(fcp_egress_request_validate(&r), FCP_EEGRESS_LIMIT);
    r.body_len = 0;
    static char big[FCP_EGRESS_HEADER_VALUE_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    r.headers[0] = (fcp_egress_header){ "x-big", 5, big, FCP_EGRESS_HEADER_VALUE_MAX + 1 };
    CHECK_EQ(fcp_egress_request_validate(&r), FCP_EEGRESS_HEADER);
    r.n_headers = 9;
    for (size_t i = 0; i < 9; i++)
        r.headers[i] = (fcp_egress_header){ "x-big", 5, big, FCP_EGRESS_HEADER_VALUE_MAX };
    CHECK_EQ(fcp_egress_request_validate(&r), FCP_EEGRESS_LIMIT);
    r.n_headers = 1;
    r.headers[0] = (fcp_egress_header){ "x-a", 3, " lead", 5 };
    CHECK_EQ(fcp_egress_request_validate(&r), FCP_EEGRESS_HEADER);
}

/* ---- addresses beyond the golden table ---------------------------------------- */

static void test_addresses(void)
{
    fcp_net_constraints n;
    fcp_egress_config cfg;
    fcp_egress_addr a;
    fcp_net_constraints_default(&n);
    fcp_egress_config_default(&cfg);
    /* private ranges allowed by flag are still caught by the default cidr_deny */
    n.deny_private_ranges = 0;
    parse_addr("10.0.0.1", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), FCP_EEGRESS_CIDR_DENY);
    parse_addr("::ffff:10.0.0.1", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), FCP_EEGRESS_CIDR_DENY);
    parse_addr("fd12::1", &a);                  /* ULA is not in the spec's default cidr_deny */
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), 0);
    n.deny_private_ranges = 1;
    /* an operator cidr_deny entry */
    n.n_cidr_deny = 8;
    strcpy(n.cidr_deny[7], "203.0.113.0/24");
    parse_addr("203.0.113.9", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), FCP_EEGRESS_CIDR_DENY);
    parse_addr("203.0.114.9", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), 0);
    /* the test-only loopback exemption lifts loopback and nothing else */
    cfg.test_allow_loopback = 1;
    parse_addr("127.0.0.1", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), 0);
    parse_addr("::1", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), 0);
    parse_addr("10.0.0.1", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), FCP_EEGRESS_PRIVATE);
    parse_addr("169.254.169.254", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), FCP_EEGRESS_METADATA);
    /* metadata, link-local and multicast stay denied with every flag off */
    cfg.test_allow_loopback = 0;
    n.deny_localhost = n.deny_private_ranges = n.deny_tailnet_ranges = 0;
    n.n_cidr_deny = 0;
    parse_addr("fd00:ec2::254", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), FCP_EEGRESS_METADATA);
    parse_addr("fe80::1", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), FCP_EEGRESS_LINK_LOCAL);
    parse_addr("127.0.0.1", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), 0);
    parse_addr("100.64.0.1", &a);
    CHECK_EQ(fcp_egress_addr_check(&n, &cfg, &a), 0);
}

/* ---- the policy engine, denial by denial ------------------------------------- */

static void test_policy(void)
{
    fcp_egress_proxy px;
    fcp_cap_constraints c;
    script s = { 0 };
    proxy(&px, &s);
    base_caps(&c);

    CHECK_EQ(url_rc(&px, &c, "https://api.example.com/v1"), 0);
    CHECK_EQ(url_rc(&px, &c, "https://API.EXAMPLE.COM./v1"), 0);
    CHECK_EQ(url_rc(&px, &c, "https://www.example.org/"), 0);
    /* IP literals */
    CHECK_EQ(url_rc(&px, &c, "https://127.0.0.1/"), FCP_EEGRESS_IP_LITERAL);
    CHECK_EQ(url_rc(&px, &c, "https://[::1]/"), FCP_EEGRESS_IP_LITERAL);
    CHECK_EQ(url_rc(&px, &c, "https://10.0.0.1/"), FCP_EEGRESS_IP_LITERAL);
    CHECK_EQ(url_rc(&px, &c, "https://169.254.169.254/latest/meta-data/"), FCP_EEGRESS_IP_LITERAL);
    CHECK_EQ(url_rc(&px, &c, "https://[::ffff:127.0.0.1]/"), FCP_EEGRESS_IP_LITERAL);
    /* decimal / octal / hex IPv4 tricks */
    px.cfg.allow_http = 1;
    CHECK_EQ(url_rc(&px, &c, "http://2130706433/"), FCP_EEGRESS_HOST_NUMERIC);
    px.cfg.allow_http = 0;
    CHECK_EQ(url_rc(&px, &c, "https://0x7f.1/"), FCP_EEGRESS_HOST_NUMERIC);
    CHECK_EQ(url_rc(&px, &c, "https://0177.0.0.1/"), FCP_EEGRESS_HOST_NUMERIC);
    CHECK_EQ(url_rc(&px, &c, "https://017700000001/"), FCP_EEGRESS_HOST_NUMERIC);
    CHECK_EQ(url_rc(&px, &c, "https://user@api.example.com/"), FCP_EEGRESS_USERINFO);
    CHECK_EQ(url_rc(&px, &c, "https://\xc3\xa4pi.example.com/"), FCP_EEGRESS_HOST_IDNA);
    /* with ip_allow the literal reaches the address rules (SNI first) */
    c.network.n_ip_allow = 4;
    strcpy(c.network.ip_allow[0], "10.0.0.1");
    strcpy(c.network.ip_allow[1], "127.0.0.1");
    strcpy(c.network.ip_allow[2], "169.254.169.254");
    strcpy(c.network.ip_allow[3], "::1");
    CHECK_EQ(url_rc(&px, &c, "https://127.0.0.1/"), FCP_EEGRESS_SNI);
    c.network.require_sni = 0;
    CHECK_EQ(url_rc(&px, &c, "https://127.0.0.1/"), FCP_EEGRESS_LOOPBACK);
    CHECK_EQ(url_rc(&px, &c, "https://[::1]/"), FCP_EEGRESS_LOOPBACK);
    CHECK_EQ(url_rc(&px, &c, "https://10.0.0.1/"), FCP_EEGRESS_PRIVATE);
    CHECK_EQ(url_rc(&px, &c, "https://169.254.169.254/"), FCP_EEGRESS_METADATA);
    base_caps(&c);
    /* scheme, host and port allow-lists, all before DNS */
    g_resolve_calls = 0;
    CHECK_EQ(url_rc(&px, &c, "http://api.example.com/"), FCP_EEGRESS_SCHEME);
    CHECK_EQ(url_rc(&px, &c, "gopher://api.example.com/"), FCP_EEGRESS_SCHEME);
    CHECK_EQ(url_rc(&px, &c, "https://evil.example.net/"), FCP_EEGRESS_HOST_NOT_ALLOWED);
    CHECK_EQ(url_rc(&px, &c, "https://example.org/"), FCP_EEGRESS_HOST_NOT_ALLOWED); /* "*." needs a label */
    CHECK_EQ(url_rc(&px, &c, "https://api.example.com.evil.net/"), FCP_EEGRESS_HOST_NOT_ALLOWED);
    c.network.n_port_allow = 1;
    c.network.port_allow[0] = 443;
    CHECK_EQ(url_rc(&px, &c, "https://api.example.com:8443/"), FCP_EEGRESS_PORT_NOT_ALLOWED);
    CHECK_EQ(g_resolve_calls, 0);
    CHECK_EQ(url_rc(&px, &c, "https://api.example.com:443/"), 0);
    CHECK_EQ(g_resolve_calls, 1);
    base_caps(&c);
    /* DNS answers: every address is checked */
    CHECK_EQ(url_rc(&px, &c, "https://priv.example.org/"), FCP_EEGRESS_PRIVATE);
    CHECK_EQ(url_rc(&px, &c, "https://mixed.example.org/"), FCP_EEGRESS_LOOPBACK);
    CHECK_EQ(url_rc(&px, &c, "https://meta.example.org/"), FCP_EEGRESS_METADATA);
    CHECK_EQ(url_rc(&px, &c, "https://many.example.org/"), FCP_EEGRESS_DNS_TOO_MANY);
    CHECK_EQ(url_rc(&px, &c, "https://empty.example.org/"), FCP_EEGRESS_DNS);
    CHECK_EQ(url_rc(&px, &c, "https://nx.example.org/"), FCP_EEGRESS_DNS);
    px.cfg.max_dns_answers = 1;
    CHECK_EQ(url_rc(&px, &c, "https://www.example.org/"), FCP_EEGRESS_DNS_TOO_MANY);
    px.cfg.max_dns_answers = 16;
    /* configuration errors */
    c.network.connect_timeout_ms = 0;
    CHECK_EQ(url_rc(&px, &c, "https://api.example.com/"), FCP_EEGRESS_NO_TIMEOUT);
    c.network.connect_timeout_ms = 10000;
    c.network.total_timeout_ms = 0;
    CHECK_EQ(url_rc(&px, &c, "https://api.example.com/"), FCP_EEGRESS_NO_TIMEOUT);
    c.network.total_timeout_ms = 5000;              /* connect > total */
    CHECK_EQ(url_rc(&px, &c, "https://api.example.com/"), FCP_EEGRESS_NO_TIMEOUT);
    base_caps(&c);
    c.has_network = 0;
    CHECK_EQ(url_rc(&px, &c, "https://api.example.com/"), FCP_EEGRESS_NO_NETWORK);
    base_caps(&c);
    px.cfg.max_response_bytes = 0;
    CHECK_EQ(url_rc(&px, &c, "https://api.example.com/"), FCP_EEGRESS_CONFIG);
    fcp_egress_config_default(&px.cfg);
    px.resolve = NULL;
    CHECK_EQ(url_rc(&px, &c, "https://api.example.com/"), FCP_EEGRESS_CONFIG);
    px.resolve = fake_resolve;
    /* counters */
    CHECK(fcp_egress_denied_count(&px, FCP_EEGRESS_IP_LITERAL) >= 5);
    CHECK(fcp_egress_denied_count(&px, FCP_EEGRESS_HOST_NUMERIC) == 4);
    CHECK(fcp_egress_denied_count(&px, FCP_EEGRESS_DNS_TOO_MANY) == 2);
    CHECK(px.stats.allowed == 4);
    CHECK_EQ(fcp_egress_denied_count(&px, FCP_EINVAL), 0);
}

static void test_plan_contents(void)
{
    fcp_egress_proxy px;
    fcp_cap_constraints c;
    fcp_egress_request r;
    fcp_egress_plan p;
    script s = { 0 };
    proxy(&px, &s);
    base_caps(&c);
    c.network.n_spki_pins = 2;
    strcpy(c.network.spki_pins[0], "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    strcpy(c.network.spki_pins[1], "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=");
    get_req(&r, "https://API.example.com./v1/x?y=1#frag");
    r.has_credential = 1;
    r.credential = "cred:api";
    r.credential_len = 8;
    r.n_headers = 1;
    r.headers[0] = (fcp_egress_header){ "accept", 6, "", 0 };
    fcp_egress_plan_init(&p);
    CHECK_EQ(fcp_egress_plan_request(&px, &c, &r, &p), 0);
    CHECK(strcmp((const char *)p.url_text.data, "https://api.example.com/v1/x?y=1") == 0);
    CHECK(strcmp(p.resolve_entry, "api.example.com:443:93.184.216.34") == 0);
    CHECK(strcmp(p.addr_text, "93.184.216.34") == 0);
    CHECK(p.sni == 1);
    CHECK_EQ(p.n_header_lines, 2);
    CHECK(memmem(p.headers.data, p.headers.len, "Authorization: Bearer " SECRET, 22 + strlen(SECRET)) != NULL);
    CHECK(strcmp(p.pins, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;"
                         "sha256//BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=") == 0);
    CHECK_EQ(p.connect_timeout_ms, 10000);
    CHECK_EQ(p.total_timeout_ms, 30000);
    fcp_egress_plan_free(&p);
    CHECK(p.secret.data == NULL && p.headers.data == NULL);
    /* explicit port; an IPv6 answer is bracketed in the resolve entry */
    c.network.n_spki_pins = 0;
    get_req(&r, "https://www.example.org:8443/");
    fcp_egress_plan_init(&p);
    CHECK_EQ(fcp_egress_plan_request(&px, &c, &r, &p), 0);
    CHECK(strcmp(p.resolve_entry, "www.example.org:8443:93.184.216.35") == 0);
    fcp_egress_plan_free(&p);
    get_req(&r, "https://v6.example.org/");
    fcp_egress_plan_init(&p);
    CHECK_EQ(fcp_egress_plan_request(&px, &c, &r, &p), 0);
    CHECK(strcmp(p.resolve_entry, "v6.example.org:443:[2606:2800:220:1::1]") == 0);
    CHECK(p.addr.family == 6 && p.sni == 1);
    fcp_egress_plan_free(&p);
    /* query-parameter credential */
    get_req(&r, "https://www.example.org/q?a=1");
    r.has_credential = 1;
    r.credential = "cred:q";
    r.credential_len = 6;
    fcp_egress_plan_init(&p);
    CHECK_EQ(fcp_egress_plan_request(&px, &c, &r, &p), 0);
    CHECK(strcmp((const char *)p.url_text.data, "https://www.example.org/q?a=1&token=" SECRET) == 0);
    fcp_egress_plan_free(&p);
}

static void test_credentials(void)
{
    fcp_egress_proxy px;
    fcp_cap_constraints c;
    fcp_egress_request r;
    script s = { 0 };
    proxy(&px, &s);
    base_caps(&c);
    g_secret_calls = 0;
    get_req(&r, "https://api.example.com/");
    r.has_credential = 1;
    r.credential = "cred:nope";
    r.credential_len = 9;
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_CREDENTIAL_NOT_ALLOWED);
    c.n_credential_allow = 4;
    strcpy(c.credential_allow[3], "cred:nope");
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_CREDENTIAL_UNKNOWN);
    base_caps(&c);
    c.n_credential_allow = 0;                        /* empty = no credential at all */
    r.credential = "cred:api";
    r.credential_len = 8;
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_CREDENTIAL_NOT_ALLOWED);
    base_caps(&c);
    /* even where http is allowed, a credential only travels over https */
    px.cfg.allow_http = 1;
    get_req(&r, "http://api.example.com/");
    CHECK_EQ(plan_rc(&px, &c, &r), 0);
    r.has_credential = 1;
    r.credential = "cred:api";
    r.credential_len = 8;
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_SCHEME);
    px.cfg.allow_http = 0;
    /* the credential is bound to api.example.com */
    get_req(&r, "https://www.example.org/");
    r.has_credential = 1;
    r.credential = "cred:api";
    r.credential_len = 8;
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_CREDENTIAL_HOST);
    /* header collision, any case */
    get_req(&r, "https://api.example.com/");
    r.has_credential = 1;
    r.credential = "cred:api";
    r.credential_len = 8;
    r.n_headers = 1;
    r.headers[0] = (fcp_egress_header){ "authorization", 13, "Bearer mine", 11 };
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_CREDENTIAL_COLLISION);
    r.headers[0] = (fcp_egress_header){ "x-other", 7, "1", 1 };
    CHECK_EQ(plan_rc(&px, &c, &r), 0);
    /* query collision, also percent-encoded */
    get_req(&r, "https://www.example.org/?a=1&token=mine");
    r.has_credential = 1;
    r.credential = "cred:q";
    r.credential_len = 6;
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_CREDENTIAL_COLLISION);
    get_req(&r, "https://www.example.org/?%74oken=mine");
    r.has_credential = 1;
    r.credential = "cred:q";
    r.credential_len = 6;
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_CREDENTIAL_COLLISION);
    get_req(&r, "https://www.example.org/?tokens=1");
    r.has_credential = 1;
    r.credential = "cred:q";
    r.credential_len = 6;
    CHECK_EQ(plan_rc(&px, &c, &r), 0);
    /* only allowed plans materialise the secret (the one above and the x-other one) */
    CHECK_EQ(g_secret_calls, 2);
    /* no secret for a denied destination, even with an allowed credential */
    get_req(&r, "https://priv.example.org/");
    r.has_credential = 1;
    r.credential = "cred:open";
    r.credential_len = 9;
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_PRIVATE);
    CHECK_EQ(g_secret_calls, 2);
    /* a secret that would split a header is refused */
    fcp_credential_object saved = g_cred_open;
    strcpy(g_cred_open.secret_id, "secret:bad");
    get_req(&r, "https://www.example.org/");
    r.has_credential = 1;
    r.credential = "cred:open";
    r.credential_len = 9;
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_SECRET);
    g_cred_open = saved;
    strcpy(g_cred_open.name, "Host");                /* owner-signed, still refused */
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_CONFIG);
    strcpy(g_cred_open.name, "X-Api-Key: x");
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_CONFIG);
    g_cred_open = saved;
    px.secret = NULL;
    CHECK_EQ(plan_rc(&px, &c, &r), FCP_EEGRESS_CONFIG);
}

/* ---- execute: redirects, redaction, cap ------------------------------------- */

static int run(fcp_egress_proxy *px, const fcp_cap_constraints *c, const fcp_egress_request *r,
               script *s, const hop *hops, size_t n, fcp_egress_result *res)
{
    memset(s, 0, sizeof *s);
    s->hops = hops;
    s->n = n;
    return fcp_egress_execute(px, c, r, res);
}

static void test_execute(void)
{
    fcp_egress_proxy px;
    fcp_cap_constraints c;
    fcp_egress_request r;
    fcp_egress_result res;
    fcp_egress_response view;
    script s;
    proxy(&px, &s);
    base_caps(&c);

    /* plain answer, headers filtered and lowercased */
    static const hop ok1[] = { { 200, NULL, "hello", 0 } };
    get_req(&r, "https://api.example.com/");
    CHECK_EQ(run(&px, &c, &r, &s, ok1, 1, &res), 0);
    CHECK_EQ(fcp_egress_result_view(&res, &view), 0);
    CHECK(view.status == 200 && view.body_len == 5 && view.n_headers == 1);
    CHECK(view.headers[0].name_len == 12 && memcmp(view.headers[0].name, "content-type", 12) == 0);
    CHECK(view.headers[0].value_len == 10 && memcmp(view.headers[0].value, "text/plain", 10) == 0);
    fcp_egress_result_free(&res);

    /* redirect to a denied host: refused, the second hop never happens */
    static const hop red1[] = { { 302, "https://evil.example.net/steal", NULL, 0 }, { 200, NULL, "x", 0 } };
    CHECK_EQ(run(&px, &c, &r, &s, red1, 2, &res), FCP_EEGRESS_HOST_NOT_ALLOWED);
    CHECK_EQ(s.at, 1);
    CHECK(res.body.len == 0 && res.status == 0);
    static const hop red2[] = { { 301, "https://169.254.169.254/latest", NULL, 0 } };
    CHECK_EQ(run(&px, &c, &r, &s, red2, 1, &res), FCP_EEGRESS_IP_LITERAL);
    static const hop red3[] = { { 307, "http://api.example.com/", NULL, 0 } };
    CHECK_EQ(run(&px, &c, &r, &s, red3, 1, &res), FCP_EEGRESS_SCHEME);
    static const hop red4[] = { { 308, "https://priv.example.org/", NULL, 0 } };
    CHECK_EQ(run(&px, &c, &r, &s, red4, 1, &res), FCP_EEGRESS_PRIVATE);

    /* relative redirects are followed and re-planned; 303 turns POST into GET */
    static const hop rel[] = { { 303, "/next?a=1", NULL, 0 }, { 302, "other", NULL, 0 },
                               { 302, "//www.example.org/abs", NULL, 0 }, { 200, NULL, "done", 0 } };
    get_req(&r, "https://api.example.com/dir/start");
    r.method = "POST";
    r.method_len = 4;
    r.body = (const uint8_t *)"payload";
    r.body_len = 7;
    CHECK_EQ(run(&px, &c, &r, &s, rel, 4, &res), 0);
    CHECK_EQ(s.at, 4);
    CHECK(strcmp(s.method[0], "POST") == 0 && s.body_len[0] == 7);
    CHECK(strcmp(s.urls[1], "https://api.example.com/next?a=1") == 0);
    CHECK(strcmp(s.method[1], "GET") == 0 && s.body_len[1] == 0);
    CHECK(strcmp(s.urls[2], "https://api.example.com/other") == 0);
    CHECK(strcmp(s.urls[3], "https://www.example.org/abs") == 0);
    CHECK(strcmp(s.resolve[3], "www.example.org:443:93.184.216.35") == 0);
    CHECK(res.status == 200 && res.body.len == 4);
    fcp_egress_result_free(&res);

    /* redirect limit */
    static const hop loop[] = { { 302, "/a", NULL, 0 }, { 302, "/b", NULL, 0 }, { 302, "/c", NULL, 0 },
                                { 302, "/d", NULL, 0 } };
    px.cfg.max_redirects = 2;
    get_req(&r, "https://api.example.com/");
    CHECK_EQ(run(&px, &c, &r, &s, loop, 4, &res), FCP_EEGRESS_REDIRECT_LIMIT);
    CHECK_EQ(s.at, 3);
    px.cfg.max_redirects = 5;
    /* a 3xx without Location is an answer, not a redirect */
    static const hop noloc[] = { { 304, NULL, NULL, 0 } };
    CHECK_EQ(run(&px, &c, &r, &s, noloc, 1, &res), 0);
    CHECK_EQ(res.status, 304);
    fcp_egress_result_free(&res);

    /* credential injected, echoed secret overwritten, credential dropped on a
     * redirect to a host outside its host_allow */
    static const hop echo[] = { { 200, NULL, "you sent Bearer " SECRET " ok", 0 } };
    get_req(&r, "https://api.example.com/");
    r.has_credential = 1;
    r.credential = "cred:api";
    r.credential_len = 8;
    CHECK_EQ(run(&px, &c, &r, &s, echo, 1, &res), 0);
    CHECK(strstr(s.headers[0], "Authorization: Bearer " SECRET) != NULL);
    CHECK(memmem(res.body.data, res.body.len, SECRET, strlen(SECRET)) == NULL);
    CHECK(memmem(res.body.data, res.body.len, "you sent Bearer ****", 20) != NULL);
    fcp_egress_result_free(&res);
    static const hop away[] = { { 302, "https://www.example.org/", NULL, 0 }, { 200, NULL, "x", 0 } };
    CHECK_EQ(run(&px, &c, &r, &s, away, 2, &res), FCP_EEGRESS_CREDENTIAL_HOST);
    CHECK_EQ(s.at, 1);

    /* response cap: fail by default, cut in truncate mode */
    static const hop bigr[] = { { 200, NULL, "0123456789abcdef", 100 } };
    r.has_credential = 0;
    px.cfg.max_response_bytes = 1000;
    CHECK_EQ(run(&px, &c, &r, &s, bigr, 1, &res), FCP_EEGRESS_RESPONSE_TOO_LARGE);
    CHECK(res.body.len == 0);
    px.cfg.truncate_oversize = 1;
    CHECK_EQ(run(&px, &c, &r, &s, bigr, 1, &res), 0);
    CHECK(res.body.len == 1000 && res.truncated == 1);
    CHECK_EQ(fcp_egress_result_view(&res, &view), 0);
    CHECK(view.truncated == 1);
    fcp_buf enc;
    fcp_buf_init(&enc);
    CHECK_EQ(fcp_egress_response_encode(&view, &enc), 0);
    fcp_buf_free(&enc);
    fcp_egress_result_free(&res);
    px.cfg.truncate_oversize = 0;
    px.cfg.max_response_bytes = 1600;
    CHECK_EQ(run(&px, &c, &r, &s, bigr, 1, &res), 0);  /* exactly at the cap */
    CHECK(res.body.len == 1600);
    fcp_egress_result_free(&res);
    CHECK(fcp_egress_denied_count(&px, FCP_EEGRESS_RESPONSE_TOO_LARGE) == 1);
    CHECK(fcp_egress_denied_count(&px, FCP_EEGRESS_REDIRECT_LIMIT) == 1);
    px.transport = NULL;
    CHECK_EQ(fcp_egress_execute(&px, &c, &r, &res), FCP_EEGRESS_CONFIG);
    fcp_egress_result_free(&res);
}

/* Denials are logged with host and code, never the secret or the URL query. */
static void test_logging(void)
{
    fcp_egress_proxy px;
    fcp_cap_constraints c;
    fcp_egress_request r;
    fcp_egress_result res;
    script s;
    char buf[4096] = { 0 };
    FILE *f = tmpfile();
    if (!CHECK(f != NULL))
        return;
    fcp_logger lg = { f, NULL, FCP_LOG_DEBUG };
    proxy(&px, &s);
    px.log = &lg;
    base_caps(&c);
    static const hop away[] = { { 302, "https://evil.example.net/?leak=1", NULL, 0 } };
    static const hop echo[] = { { 200, NULL, SECRET, 0 } };
    get_req(&r, "https://api.example.com/?q=1");
    r.has_credential = 1;
    r.credential = "cred:api";
    r.credential_len = 8;
    CHECK_EQ(run(&px, &c, &r, &s, away, 1, &res), FCP_EEGRESS_HOST_NOT_ALLOWED);
    CHECK_EQ(run(&px, &c, &r, &s, echo, 1, &res), 0);
    fcp_egress_result_free(&res);
    get_req(&r, "https://www.example.org/");
    r.has_credential = 1;
    r.credential = "cred:api";
    r.credential_len = 8;
    CHECK_EQ(run(&px, &c, &r, &s, echo, 1, &res), FCP_EEGRESS_CREDENTIAL_HOST);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    CHECK(n > 0);
    CHECK(strstr(buf, "FCP-4312") != NULL && strstr(buf, "evil.example.net") != NULL);
    CHECK(strstr(buf, "FCP-4329") != NULL);
    CHECK(strstr(buf, SECRET) == NULL && strstr(buf, "leak") == NULL);
    /* error messages of the whole block never carry request data */
    for (int e = -4300; e >= -4342; e--)
        CHECK(strstr(fcp_strerror(e), SECRET) == NULL && fcp_error_name(e) != NULL);
}

static void test_result_headers(void)
{
    fcp_egress_result res;
    fcp_egress_result_init(&res);
    CHECK_EQ(fcp_egress_result_add_header(&res, "X-Bad", 5, "a\x01b", 3), 0);     /* dropped */
    CHECK_EQ(fcp_egress_result_add_header(&res, "Bad Name", 8, "v", 1), 0);      /* dropped */
    CHECK_EQ(fcp_egress_result_add_header(&res, "Proxy-Agent", 11, "v", 1), 0);  /* dropped */
    CHECK_EQ(res.header_data.len, 0);
    int rc = 0;
    size_t added = 0;
    for (int i = 0; i < 100 && rc == 0; i++) {
        rc = fcp_egress_result_add_header(&res, "x-h", 3, "v", 1);
        added += rc == 0;
    }
    CHECK_EQ(rc, FCP_EEGRESS_LIMIT);
    CHECK_EQ(added, FCP_EGRESS_MAX_HEADERS);
    fcp_egress_result_free(&res);
}

int main(void)
{
    init_creds();
    test_golden();
    test_codec();
    test_addresses();
    test_policy();
    test_plan_contents();
    test_credentials();
    test_execute();
    test_logging();
    test_result_headers();
    return fcp_t_done("host_egress");
}
