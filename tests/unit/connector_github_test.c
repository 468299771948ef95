/*
 * connector_github_test.c - the github reference connector.
 *  1. github_api.c directly: configuration, input validation (one refusal
 *     per rule), the request each operation builds (method, URL, headers,
 *     JSON body, no secret anywhere), and the mapping of GitHub's answers
 *     and error statuses to results and FCP codes.
 *  2. connectors/github/manifest.toml parses; its network constraints,
 *     turned into NetworkConstraints (D-MANIFEST-6), let the egress proxy
 *     plan a request to api.github.com:443 with the credential injected as
 *     "authorization: Bearer <secret>", and refuse other hosts and ports.
 *  3. build/connector-github spawned by the host (under its strict sandbox
 *     when the kernel allows, else unsandboxed and said so): handshake,
 *     configure, each operation against a host callback that answers the
 *     EgressHttpRequest like GitHub, an invalid input, a 404 and a 401,
 *     simulate.  The real HTTPS path is tests/e2e/github_connector.sh.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "fcp/cbor.h"
#include "fcp/connector.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/host_egress.h"
#include "fcp/host_manifest.h"
#include "fcp/host_sandbox.h"
#include "fcp/host_transport.h"
#include "test.h"

#include "../../cmd/connector-github/github_api.c"

static unsigned long g_skipped;

static int has(const void *p, size_t n, const char *s)
{
    return memmem(p, n, s, strlen(s)) != NULL;
}

static const char *hdr(const gh_request *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (strcmp(r->headers[i].name, name) == 0) return r->headers[i].value;
    return NULL;
}

/* ---- 1. pure logic ------------------------------------------------------------ */

static void test_config(void)
{
    gh_config c;
    char why[256];
    gh_config_default(&c);
    CHECK(strcmp(c.base, "https://api.github.com") == 0 && strcmp(c.credential, "cred:github.token") == 0);
    CHECK_EQ(gh_config_apply(&c, NULL, 0, why, sizeof why), 0);
    static const uint8_t empty[] = {0xa0};
    CHECK_EQ(gh_config_apply(&c, empty, 1, why, sizeof why), 0);
    fcp_buf b;
    fcp_buf_init(&b);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &b);
    fcp_cbor_put_map(&e, 2);
    fcp_cbor_put_cstr(&e, "base_url");
    fcp_cbor_put_cstr(&e, "https://ghe.example:8443/api/v3/");
    fcp_cbor_put_cstr(&e, "credential_id");
    fcp_cbor_put_cstr(&e, "cred:ghe.token");
    CHECK_EQ(fcp_cbor_enc_finish(&e), 0);
    fcp_cbor_enc_free(&e);
    CHECK_EQ(gh_config_apply(&c, b.data, b.len, why, sizeof why), 0);
    CHECK(strcmp(c.base, "https://ghe.example:8443/api/v3") == 0);
    CHECK(strcmp(c.credential, "cred:ghe.token") == 0);
    static const char *const bad_base[] = {"http://api.github.com", "https://", "https:///x",
                                           "https://a@api.github.com", "https://api.github.com/?x=1",
                                           "https://api.github.com/#f", "https://api github.com", NULL};
    for (int i = 0; bad_base[i]; i++) {
        fcp_buf_reset(&b);
        fcp_cbor_enc_init(&e, &b);
        fcp_cbor_put_map(&e, 1);
        fcp_cbor_put_cstr(&e, "base_url");
        fcp_cbor_put_cstr(&e, bad_base[i]);
        fcp_cbor_enc_finish(&e);
        fcp_cbor_enc_free(&e);
        if (!CHECK_EQ(gh_config_apply(&c, b.data, b.len, why, sizeof why), FCP_EINVALID_REQUEST))
            fprintf(stderr, "  base_url %s accepted\n", bad_base[i]);
    }
    CHECK(strcmp(c.base, "https://ghe.example:8443/api/v3") == 0); /* unchanged by refusals */
    fcp_buf_reset(&b);
    fcp_cbor_enc_init(&e, &b);
    fcp_cbor_put_map(&e, 1);
    fcp_cbor_put_cstr(&e, "credential_id");
    fcp_cbor_put_cstr(&e, "github.token");
    fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    CHECK_EQ(gh_config_apply(&c, b.data, b.len, why, sizeof why), FCP_EINVALID_REQUEST);
    fcp_buf_reset(&b);
    fcp_cbor_enc_init(&e, &b);
    fcp_cbor_put_map(&e, 1);
    fcp_cbor_put_cstr(&e, "token");
    fcp_cbor_put_cstr(&e, "ghp_abc");
    fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    CHECK_EQ(gh_config_apply(&c, b.data, b.len, why, sizeof why), FCP_EUNKNOWN_FIELD);
    CHECK(strstr(why, "token") != NULL);
    static const uint8_t not_map[] = {0x01};
    CHECK_EQ(gh_config_apply(&c, not_map, 1, why, sizeof why), FCP_EINVALID_REQUEST);
    fcp_buf_free(&b);
}

typedef struct bad_in {
    gh_op op;
    const char *json;
    const char *needle;
} bad_in;

static const bad_in BAD_INPUTS[] = {
    {GH_ISSUES_LIST, "[]", "JSON object"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"b\",\"token\":\"x\"}", "unknown field \"token\""},
    {GH_ISSUES_LIST, "{\"repo\":\"b\"}", "owner"},
    {GH_ISSUES_LIST, "{\"owner\":\"-a\",\"repo\":\"b\"}", "owner"},
    {GH_ISSUES_LIST, "{\"owner\":\"a-\",\"repo\":\"b\"}", "owner"},
    {GH_ISSUES_LIST, "{\"owner\":\"a--b\",\"repo\":\"b\"}", "owner"},
    {GH_ISSUES_LIST, "{\"owner\":\"a/b\",\"repo\":\"b\"}", "owner"},
    {GH_ISSUES_LIST, "{\"owner\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"repo\":\"b\"}", "owner"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\\u0000b\",\"repo\":\"b\"}", "NUL"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"b\\u0000/../x\"}", "NUL"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"..\"}", "repo"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"b/../../x\"}", "repo"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"b?x=1\"}", "repo"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"\"}", "repo"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"b\",\"state\":\"merged\"}", "state"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"b\",\"per_page\":0}", "per_page"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"b\",\"per_page\":101}", "per_page"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"b\",\"page\":1.5}", "page"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"b\",\"labels\":[\"a,b\"]}", "labels[0]"},
    {GH_ISSUES_LIST, "{\"owner\":\"a\",\"repo\":\"b\",\"labels\":[]}", "labels"},
    {GH_ISSUES_CREATE, "{\"owner\":\"a\",\"repo\":\"b\"}", "title is required"},
    {GH_ISSUES_CREATE, "{\"owner\":\"a\",\"repo\":\"b\",\"title\":\"\"}", "title is required"},
    {GH_ISSUES_CREATE, "{\"owner\":\"a\",\"repo\":\"b\",\"title\":7}", "title is required"},
    {GH_ISSUES_CREATE, "{\"owner\":\"a\",\"repo\":\"b\",\"title\":\"a\\nb\"}", "control"},
    {GH_ISSUES_CREATE, "{\"owner\":\"a\",\"repo\":\"b\",\"title\":\"x\",\"body\":1}", "body must be"},
    {GH_ISSUES_CREATE, "{\"owner\":\"a\",\"repo\":\"b\",\"title\":\"x\",\"labels\":[\"\"]}", "labels[0]"},
    {GH_ISSUES_CREATE, "{\"owner\":\"a\",\"repo\":\"b\",\"title\":\"x\",\"number\":1}", "unknown field \"number\""},
    {GH_ISSUES_COMMENT, "{\"owner\":\"a\",\"repo\":\"b\",\"body\":\"x\"}", "number"},
    {GH_ISSUES_COMMENT, "{\"owner\":\"a\",\"repo\":\"b\",\"number\":0,\"body\":\"x\"}", "number"},
    {GH_ISSUES_COMMENT, "{\"owner\":\"a\",\"repo\":\"b\",\"number\":-3,\"body\":\"x\"}", "number"},
    {GH_ISSUES_COMMENT, "{\"owner\":\"a\",\"repo\":\"b\",\"number\":\"7\",\"body\":\"x\"}", "number"},
    {GH_ISSUES_COMMENT, "{\"owner\":\"a\",\"repo\":\"b\",\"number\":2147483648,\"body\":\"x\"}", "number"},
    {GH_ISSUES_COMMENT, "{\"owner\":\"a\",\"repo\":\"b\",\"number\":7}", "body is required"},
    {GH_ISSUES_COMMENT, "{\"owner\":\"a\",\"repo\":\"b\",\"number\":7,\"body\":\"\"}", "body is required"},
};

static void test_build(void)
{
    gh_config c;
    gh_config_default(&c);
    char why[512];
    gh_request r;
    for (size_t i = 0; i < sizeof BAD_INPUTS / sizeof BAD_INPUTS[0]; i++) {
        const bad_in *b = &BAD_INPUTS[i];
        why[0] = 0;
        int rc = gh_build(b->op, &c, b->json, strlen(b->json), &r, why, sizeof why);
        if (!CHECK_EQ(rc, FCP_EINVALID_REQUEST) || !CHECK(strstr(why, b->needle) != NULL))
            fprintf(stderr, "  input %zu %s: %d \"%s\"\n", i, b->json, rc, why);
    }
    /* a title of 256 four-byte characters is fine, 257 is not */
    char big[2048] = "{\"owner\":\"a\",\"repo\":\"b\",\"title\":\"";
    for (int i = 0; i < 256; i++) strcat(big, "\xf0\x9f\x98\x80");
    strcat(big, "\"}");
    CHECK_EQ(gh_build(GH_ISSUES_CREATE, &c, big, strlen(big), &r, why, sizeof why), 0);
    gh_request_free(&r);
    big[strlen(big) - 2] = 0;
    strcat(big, "x\"}");
    CHECK_EQ(gh_build(GH_ISSUES_CREATE, &c, big, strlen(big), &r, why, sizeof why), FCP_EINVALID_REQUEST);

    static const char list[] = "{\"owner\":\"octo-org\",\"repo\":\"hello.world_2\",\"state\":\"all\","
                               "\"labels\":[\"bug\",\"good first issue\"],\"per_page\":5,\"page\":2}";
    if (CHECK_EQ(gh_build(GH_ISSUES_LIST, &c, list, strlen(list), &r, why, sizeof why), 0)) {
        CHECK(strcmp(r.method, "GET") == 0);
        CHECK(strcmp(r.url, "https://api.github.com/repos/octo-org/hello.world_2/issues"
                            "?state=all&per_page=5&page=2&labels=bug%2Cgood%20first%20issue") == 0);
        CHECK(r.body.len == 0 && hdr(&r, "content-type") == NULL);
        CHECK(hdr(&r, "accept") && strcmp(hdr(&r, "accept"), "application/vnd.github+json") == 0);
        CHECK(hdr(&r, "x-github-api-version") && strcmp(hdr(&r, "x-github-api-version"), "2022-11-28") == 0);
        CHECK(hdr(&r, "user-agent") && strncmp(hdr(&r, "user-agent"), "fcp-connector-github/", 21) == 0);
        CHECK(hdr(&r, "authorization") == NULL); /* the connector has no token to send */
        /* the request passes the egress request rules */
        fcp_egress_request q;
        memset(&q, 0, sizeof q);
        q.method = r.method;
        q.method_len = 3;
        q.url = r.url;
        q.url_len = strlen(r.url);
        q.n_headers = r.n_headers;
        memcpy(q.headers, r.headers, r.n_headers * sizeof r.headers[0]);
        CHECK_EQ(fcp_egress_request_validate(&q), 0);
        gh_request_free(&r);
    }
    static const char list_min[] = "{\"owner\":\"a\",\"repo\":\"b\"}";
    if (CHECK_EQ(gh_build(GH_ISSUES_LIST, &c, list_min, strlen(list_min), &r, why, sizeof why), 0)) {
        CHECK(strcmp(r.url, "https://api.github.com/repos/a/b/issues?state=open&per_page=30&page=1") == 0);
        gh_request_free(&r);
    }
    static const char create[] = "{\"owner\":\"a\",\"repo\":\"b\",\"title\":\"Crash \\\"quoted\\\" é\","
                                 "\"body\":\"line1\\nline2\",\"labels\":[\"bug\"]}";
    if (CHECK_EQ(gh_build(GH_ISSUES_CREATE, &c, create, strlen(create), &r, why, sizeof why), 0)) {
        CHECK(strcmp(r.method, "POST") == 0);
        CHECK(strcmp(r.url, "https://api.github.com/repos/a/b/issues") == 0);
        CHECK(hdr(&r, "content-type") && strcmp(hdr(&r, "content-type"), "application/json") == 0);
        static const char want[] = "{\"body\":\"line1\\nline2\",\"labels\":[\"bug\"],\"title\":\"Crash \\\"quoted\\\" é\"}";
        CHECK(r.body.len == strlen(want) && memcmp(r.body.data, want, r.body.len) == 0);
        gh_request_free(&r);
    }
    static const char comment[] = "{\"owner\":\"a\",\"repo\":\"b\",\"number\":42,\"body\":\"+1\"}";
    gh_config_default(&c);
    strcpy(c.base, "https://ghe.example/api/v3");
    if (CHECK_EQ(gh_build(GH_ISSUES_COMMENT, &c, comment, strlen(comment), &r, why, sizeof why), 0)) {
        CHECK(strcmp(r.url, "https://ghe.example/api/v3/repos/a/b/issues/42/comments") == 0);
        CHECK(r.body.len == 13 && memcmp(r.body.data, "{\"body\":\"+1\"}", 13) == 0);
        gh_request_free(&r);
    }
}

static void resp_init(fcp_egress_response *r, uint16_t status, const char *body)
{
    memset(r, 0, sizeof *r);
    r->status = status;
    r->body = (const uint8_t *)body;
    r->body_len = strlen(body);
}

static void test_map(void)
{
    fcp_egress_response r;
    fcp_buf out;
    char why[512];
    fcp_buf_init(&out);
    resp_init(&r, 200,
              "[{\"number\":1347,\"title\":\"Found a bug\",\"state\":\"open\",\"user\":{\"login\":\"octocat\"},"
              "\"labels\":[{\"name\":\"bug\"}],\"comments\":3,\"html_url\":\"https://github.com/o/r/issues/1347\","
              "\"created_at\":\"2011-04-22T13:33:48Z\",\"updated_at\":\"2011-04-22T13:33:48Z\",\"body\":\"long\"},"
              "{\"number\":2,\"title\":\"PR\",\"state\":\"closed\",\"pull_request\":{}}]");
    CHECK_EQ(gh_map_response(GH_ISSUES_LIST, &r, &out, why, sizeof why), 0);
    CHECK(has(out.data, out.len, "\"count\":2"));
    CHECK(has(out.data, out.len, "\"number\":1347") && has(out.data, out.len, "\"user\":\"octocat\""));
    CHECK(has(out.data, out.len, "\"labels\":[\"bug\"]") && has(out.data, out.len, "\"comments\":3"));
    CHECK(has(out.data, out.len, "\"pull_request\":true") && has(out.data, out.len, "\"pull_request\":false"));
    CHECK(!has(out.data, out.len, "long")); /* issue bodies are not copied into the list */
    CHECK(has(out.data, out.len, "\"has_more\":false"));
    fcp_buf_reset(&out);
    resp_init(&r, 200, "[]");
    CHECK_EQ(gh_map_response(GH_ISSUES_LIST, &r, &out, why, sizeof why), 0);
    CHECK(out.len == 40 && memcmp(out.data, "{\"count\":0,\"has_more\":false,\"issues\":[]}", 40) == 0);
    fcp_buf_reset(&out);
    static const char link[] = "<https://api.github.com/repositories/1/issues?page=2>; rel=\"next\", "
                               "<https://api.github.com/repositories/1/issues?page=5>; rel=\"last\"";
    r.n_headers = 1;
    r.headers[0] = (fcp_egress_header){"link", 4, link, strlen(link)};
    CHECK_EQ(gh_map_response(GH_ISSUES_LIST, &r, &out, why, sizeof why), 0);
    CHECK(has(out.data, out.len, "\"has_more\":true"));
    fcp_buf_reset(&out);
    resp_init(&r, 201, "{\"number\":7,\"title\":\"t\",\"state\":\"open\",\"html_url\":\"https://github.com/a/b/issues/7\"}");
    CHECK_EQ(gh_map_response(GH_ISSUES_CREATE, &r, &out, why, sizeof why), 0);
    CHECK(has(out.data, out.len, "\"number\":7") && has(out.data, out.len, "issues/7"));
    fcp_buf_reset(&out);
    resp_init(&r, 201, "{\"id\":99,\"html_url\":\"https://github.com/a/b/issues/7#issuecomment-99\",\"created_at\":\"x\"}");
    CHECK_EQ(gh_map_response(GH_ISSUES_COMMENT, &r, &out, why, sizeof why), 0);
    CHECK(has(out.data, out.len, "\"id\":99"));
    /* shape errors */
    static const struct { gh_op op; uint16_t st; const char *body; } shapes[] = {
        {GH_ISSUES_LIST, 200, "{\"message\":\"x\"}"}, {GH_ISSUES_LIST, 200, "not json"},
        {GH_ISSUES_LIST, 200, "[{\"title\":\"no number\",\"state\":\"open\"}]"},
        {GH_ISSUES_LIST, 200, "[{\"number\":\"1\",\"title\":\"t\",\"state\":\"open\"}]"},
        {GH_ISSUES_CREATE, 201, "{\"title\":\"t\"}"}, {GH_ISSUES_COMMENT, 201, "{\"id\":\"9\",\"html_url\":\"u\"}"},
        {GH_ISSUES_LIST, 200, "[1] [2]"}, {GH_ISSUES_LIST, 200, "{\"a\":1,\"a\":2}"},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        resp_init(&r, shapes[i].st, shapes[i].body);
        fcp_buf_reset(&out);
        if (!CHECK_EQ(gh_map_response(shapes[i].op, &r, &out, why, sizeof why), FCP_EEGRESS_UPSTREAM_BODY))
            fprintf(stderr, "  shape %zu accepted\n", i);
    }
    resp_init(&r, 200, "[]");
    r.truncated = 1;
    CHECK_EQ(gh_map_response(GH_ISSUES_LIST, &r, &out, why, sizeof why), FCP_EEGRESS_UPSTREAM_BODY);
    CHECK(strstr(why, "cap") != NULL);
    /* statuses */
    static const struct { uint16_t st; const char *rem; int want; } st[] = {
        {401, NULL, FCP_EEGRESS_UPSTREAM_AUTH}, {403, NULL, FCP_EEGRESS_UPSTREAM_AUTH},
        {403, "0", FCP_ERATE_LIMITED},           {403, "12", FCP_EEGRESS_UPSTREAM_AUTH},
        {429, NULL, FCP_ERATE_LIMITED},          {404, NULL, FCP_ENOENT},
        {410, NULL, FCP_ENOENT},                 {422, NULL, FCP_EINVALID_REQUEST},
        {400, NULL, FCP_EINVALID_REQUEST},       {500, NULL, FCP_EEGRESS_UPSTREAM_STATUS},
        {503, NULL, FCP_EEGRESS_UPSTREAM_STATUS}, {302, NULL, FCP_EEGRESS_UPSTREAM_STATUS},
    };
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        resp_init(&r, st[i].st, "{\"message\":\"Validation\\u0007 Failed\",\"documentation_url\":\"https://docs\"}");
        if (st[i].rem) {
            r.n_headers = 2;
            r.headers[0] = (fcp_egress_header){"x-ratelimit-remaining", 21, st[i].rem, strlen(st[i].rem)};
            r.headers[1] = (fcp_egress_header){"x-ratelimit-reset", 17, "1700000000", 10};
        }
        why[0] = 0;
        if (!CHECK_EQ(gh_map_response(GH_ISSUES_CREATE, &r, &out, why, sizeof why), st[i].want))
            fprintf(stderr, "  status %u: %s\n", st[i].st, why);
        char num[8];
        snprintf(num, sizeof num, "%u", st[i].st);
        CHECK(strstr(why, num) != NULL && strstr(why, "Validation  Failed") != NULL);
        if (st[i].rem && st[i].want == FCP_ERATE_LIMITED) CHECK(strstr(why, "1700000000") != NULL);
    }
    /* a long UTF-8 message is clipped at a code point boundary */
    char longmsg[1200] = "{\"message\":\"";
    for (int i = 0; i < 300; i++) strcat(longmsg, "\xc3\xa9");
    strcat(longmsg, "\"}");
    resp_init(&r, 500, longmsg);
    CHECK_EQ(gh_map_response(GH_ISSUES_LIST, &r, &out, why, sizeof why), FCP_EEGRESS_UPSTREAM_STATUS);
    CHECK(fcp_utf8_valid((const uint8_t *)why, strlen(why)));
    fcp_buf_free(&out);
}

/* ---- 2. manifest and proxy planning --------------------------------------------- */

static const char SECRET[] = "ghp_unitTESTsecretVALUE0123456789abcdefXYZ";
static fcp_credential_object g_cred;

static int resolve_public(void *ctx, const char *host, fcp_egress_addr *out, size_t max, size_t *n)
{
    (void)ctx;
    *n = 0;
    if (strcmp(host, "api.github.com") != 0 || max < 1) return FCP_ENOENT;
    out[0].family = 4;
    inet_pton(AF_INET, "140.82.112.6", out[0].ip);
    *n = 1;
    return 0;
}

static const fcp_credential_object *cred_lookup(void *ctx, const char *id)
{
    (void)ctx;
    return strcmp(id, g_cred.credential_id) == 0 ? &g_cred : NULL;
}

static int secret_get(void *ctx, const char *id, fcp_buf *out)
{
    (void)ctx;
    return strcmp(id, "secret:github") == 0 ? fcp_buf_append(out, SECRET, strlen(SECRET)) : FCP_ENOENT;
}

static void cred_init(void)
{
    memset(&g_cred, 0, sizeof g_cred);
    strcpy(g_cred.credential_id, "cred:github.token");
    strcpy(g_cred.secret_id, "secret:github");
    g_cred.apply = FCP_CRED_HTTP_HEADER;
    strcpy(g_cred.name, "authorization");
    g_cred.format = FCP_CRED_PREFIX;
    strcpy(g_cred.prefix, "Bearer ");
    g_cred.n_host_allow = 1;
    strcpy(g_cred.host_allow[0], "api.github.com");
}

static int plan_for(fcp_egress_proxy *px, const fcp_cap_constraints *caps, const gh_request *g, fcp_egress_plan *p)
{
    fcp_egress_request q;
    memset(&q, 0, sizeof q);
    q.method = g->method;
    q.method_len = strlen(g->method);
    q.url = g->url;
    q.url_len = strlen(g->url);
    q.n_headers = g->n_headers;
    memcpy(q.headers, g->headers, g->n_headers * sizeof g->headers[0]);
    q.body = g->body.data;
    q.body_len = g->body.len;
    q.has_credential = 1;
    q.credential = "cred:github.token";
    q.credential_len = 17;
    fcp_egress_plan_init(p);
    return fcp_egress_plan_request(px, caps, &q, p);
}

static void test_manifest_and_plan(void)
{
    size_t n;
    uint8_t *t = fcp_t_read_file("connectors/github/manifest.toml", &n);
    CHECK(t != NULL);
    if (!t) return;
    fcp_manifest m;
    fcp_toml_error err;
    if (!CHECK_EQ(fcp_manifest_parse(&m, "github", (const char *)t, n, &err), 0)) {
        fprintf(stderr, "  %s\n", err.msg);
        free(t);
        return;
    }
    free(t);
    CHECK_EQ(m.n_ops, 3);
    static const char *const names[] = {"issues.comment", "issues.create", "issues.list"};
    static const fcp_safety_tier tiers[] = {FCP_TIER_RISKY, FCP_TIER_RISKY, FCP_TIER_SAFE};
    cred_init();
    for (size_t i = 0; i < m.n_ops && i < 3; i++) {
        const fcp_manifest_op *op = NULL;
        for (size_t k = 0; k < m.n_ops; k++)
            if (strcmp(m.ops[k].name, names[i]) == 0) op = &m.ops[k];
        if (!CHECK(op != NULL)) continue;
        CHECK_EQ(op->tier, tiers[i]);
        CHECK(op->rate_count > 0);
        fcp_cap_constraints caps;
        memset(&caps, 0, sizeof caps);
        caps.has_network = 1;
        CHECK_EQ(fcp_manifest_net_constraints(&op->net, &caps.network), 0);
        CHECK(caps.network.require_sni && caps.network.n_port_allow == 1 && caps.network.port_allow[0] == 443);
        caps.n_credential_allow = 1;
        strcpy(caps.credential_allow[0], "cred:github.token");
        fcp_egress_proxy px;
        fcp_egress_proxy_init(&px);
        px.resolve = resolve_public;
        px.credential = cred_lookup;
        px.secret = secret_get;
        gh_config c;
        gh_config_default(&c);
        char why[256];
        gh_request g;
        const char *in = i == 0 ? "{\"owner\":\"a\",\"repo\":\"b\",\"number\":1,\"body\":\"x\"}"
                       : i == 1 ? "{\"owner\":\"a\",\"repo\":\"b\",\"title\":\"x\"}"
                                : "{\"owner\":\"a\",\"repo\":\"b\"}";
        fcp_egress_plan p;
        if (CHECK_EQ(gh_build((gh_op)(2 - i), &c, in, strlen(in), &g, why, sizeof why), 0)) {
            CHECK_EQ(plan_for(&px, &caps, &g, &p), 0);
            /* the secret is injected by the proxy, as a bearer token */
            CHECK(has(p.headers.data, p.headers.len, "authorization: Bearer ghp_unitTESTsecret"));
            CHECK(strcmp(p.url.host, "api.github.com") == 0 && p.url.port == 443 && p.sni);
            fcp_egress_plan_free(&p);
            gh_request_free(&g);
        }
        /* other hosts and ports are refused by the manifest's constraints */
        strcpy(c.base, "https://evil.example");
        if (CHECK_EQ(gh_build((gh_op)(2 - i), &c, in, strlen(in), &g, why, sizeof why), 0)) {
            CHECK_EQ(plan_for(&px, &caps, &g, &p), FCP_EEGRESS_HOST_NOT_ALLOWED);
            fcp_egress_plan_free(&p);
            gh_request_free(&g);
        }
        strcpy(c.base, "https://api.github.com:8443");
        if (CHECK_EQ(gh_build((gh_op)(2 - i), &c, in, strlen(in), &g, why, sizeof why), 0)) {
            CHECK_EQ(plan_for(&px, &caps, &g, &p), FCP_EEGRESS_PORT_NOT_ALLOWED);
            fcp_egress_plan_free(&p);
            gh_request_free(&g);
        }
    }
    fcp_manifest_free(&m);
}

/* ---- 3. the real binary through the host ----------------------------------------- */

typedef struct fake {
    int mode;          /* 0 GitHub-like, 1 answer 404, 2 answer 401, 3 a long UTF-8 502 */
    int seen;
    char last_url[512];
    char last_method[8];
    int had_cred, had_accept, had_version;
    char last_body[256];
} fake;

static int fake_github(void *user, fcp_host_conn *c, const fcp_lt_msg *req, fcp_buf *reply)
{
    (void)c;
    fake *f = user;
    if (!fcp_lt_msg_is(req, "egress_http")) return FCP_EHOST_UNEXPECTED;
    fcp_egress_request r;
    int rc = fcp_egress_request_decode(&r, req->body, req->body_len);
    if (rc < 0) return rc;
    f->seen++;
    snprintf(f->last_url, sizeof f->last_url, "%.*s", (int)r.url_len, r.url);
    snprintf(f->last_method, sizeof f->last_method, "%.*s", (int)r.method_len, r.method);
    snprintf(f->last_body, sizeof f->last_body, "%.*s", (int)r.body_len, (const char *)r.body);
    f->had_cred = r.has_credential && r.credential_len == 17 && memcmp(r.credential, "cred:github.token", 17) == 0;
    f->had_accept = f->had_version = 0;
    for (size_t i = 0; i < r.n_headers; i++) {
        if (r.headers[i].name_len == 6 && memcmp(r.headers[i].name, "accept", 6) == 0 &&
            r.headers[i].value_len == 27 && memcmp(r.headers[i].value, "application/vnd.github+json", 27) == 0)
            f->had_accept = 1;
        if (r.headers[i].name_len == 20 && memcmp(r.headers[i].name, "x-github-api-version", 20) == 0 &&
            r.headers[i].value_len == 10 && memcmp(r.headers[i].value, "2022-11-28", 10) == 0)
            f->had_version = 1;
    }
    fcp_egress_response resp;
    memset(&resp, 0, sizeof resp);
    const char *body;
    if (f->mode == 1) {
        resp.status = 404;
        body = "{\"message\":\"Not Found\",\"documentation_url\":\"https://docs.github.com/rest\"}";
    } else if (f->mode == 2) {
        resp.status = 401;
        body = "{\"message\":\"Bad credentials\"}";
    } else if (f->mode == 3) {
        resp.status = 502;
        body = "{\"message\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
               "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
               "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
               "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
               "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
               "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
               "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}";
    } else if (strcmp(f->last_method, "GET") == 0) {
        resp.status = 200;
        body = "[{\"number\":3,\"title\":\"Third\",\"state\":\"open\",\"user\":{\"login\":\"mona\"},\"labels\":[],"
               "\"comments\":0,\"html_url\":\"https://github.com/o/r/issues/3\"}]";
    } else if (strstr(f->last_url, "/comments")) {
        resp.status = 201;
        body = "{\"id\":5001,\"html_url\":\"https://github.com/o/r/issues/3#issuecomment-5001\",\"created_at\":\"t\"}";
    } else {
        resp.status = 201;
        body = "{\"number\":4,\"title\":\"New\",\"state\":\"open\",\"html_url\":\"https://github.com/o/r/issues/4\"}";
    }
    resp.body = (const uint8_t *)body;
    resp.body_len = strlen(body);
    return fcp_egress_response_encode(&resp, reply);
}

static void test_binary(const char *exe)
{
    struct stat st;
    if (stat(exe, &st) != 0) {
        printf("SKIP: %s not built\n", exe);
        g_skipped++;
        return;
    }
    size_t n, bl;
    uint8_t *t = fcp_t_read_file("connectors/github/manifest.toml", &n);
    uint8_t *bin = fcp_t_read_file(exe, &bl);
    fcp_manifest m;
    if (!CHECK(t && bin && fcp_manifest_parse(&m, "github", (const char *)t, n, NULL) == 0)) {
        free(t);
        free(bin);
        return;
    }
    /* the embedded manifest is the file (a stale binary is caught here) */
    const uint8_t *sec;
    size_t sl;
    CHECK_EQ(fcp_elf_find_manifest(bin, bl, &sec, &sl), 0);
    CHECK(sl == n && memcmp(sec, t, n) == 0);
    free(t);
    free(bin);
    fcp_sandbox_probe p;
    fcp_sandbox_probe_features(&p);
    int strict = (p.features & FCP_SBX_ALL) == FCP_SBX_ALL;
    if (!strict) {
        printf("SKIP: github connector under strict: %s (ran unsandboxed)\n", p.detail);
        g_skipped++;
    }
    fcp_host_spawn_opts o = {exe, NULL, NULL, strict ? &m.sandbox : NULL, 0};
    fcp_host_conn c;
    fake f;
    memset(&f, 0, sizeof f);
    if (CHECK_EQ(fcp_host_spawn(&c, &o), 0)) {
        c.on_request = fake_github;
        c.user = &f;
        fcp_buf r;
        fcp_buf_init(&r);
        CHECK_EQ(fcp_host_handshake(&c, NULL, "fcp.github", 3000, NULL), 0);
        CHECK_EQ(fcp_host_call(&c, "introspect", NULL, 0, 3000, &r), 0);
        CHECK(has(r.data, r.len, "issues.list") && has(r.data, r.len, "issues.create") &&
              has(r.data, r.len, "issues.comment"));
        /* configure: base_url for a GitHub Enterprise-style prefix */
        static const uint8_t cfg[] = {0xa1, 0x68, 'b', 'a', 's', 'e', '_', 'u', 'r', 'l', 0x78, 26,
                                      'h', 't', 't', 'p', 's', ':', '/', '/', 'a', 'p', 'i', '.', 'g', 'i',
                                      't', 'h', 'u', 'b', '.', 'c', 'o', 'm', '/', 'v', '3', '/'};
        fcp_buf_reset(&r);
        CHECK_EQ(fcp_host_call(&c, "configure", cfg, sizeof cfg, 3000, &r), 0);
        static const uint8_t badcfg[] = {0xa1, 0x65, 't', 'o', 'k', 'e', 'n', 0x61, 'x'};
        CHECK_EQ(fcp_host_call(&c, "configure", badcfg, sizeof badcfg, 3000, &r), FCP_EUNKNOWN_FIELD);
        fcp_buf_reset(&r);
        CHECK_EQ(fcp_host_invoke(&c, NULL, "issues.list", "{\"owner\":\"o\",\"repo\":\"r\",\"state\":\"all\"}", 3000, &r), 0);
        CHECK(has(r.data, r.len, "\"count\":1") && has(r.data, r.len, "\"user\":\"mona\""));
        CHECK(strcmp(f.last_method, "GET") == 0 &&
              strcmp(f.last_url, "https://api.github.com/v3/repos/o/r/issues?state=all&per_page=30&page=1") == 0);
        CHECK(f.had_cred && f.had_accept && f.had_version);
        fcp_buf_reset(&r);
        CHECK_EQ(fcp_host_invoke(&c, NULL, "issues.create", "{\"owner\":\"o\",\"repo\":\"r\",\"title\":\"New\"}", 3000, &r), 0);
        CHECK(has(r.data, r.len, "\"number\":4"));
        CHECK(strcmp(f.last_method, "POST") == 0 && strcmp(f.last_body, "{\"title\":\"New\"}") == 0);
        fcp_buf_reset(&r);
        CHECK_EQ(fcp_host_invoke(&c, NULL, "issues.comment", "{\"owner\":\"o\",\"repo\":\"r\",\"number\":3,\"body\":\"hi\"}", 3000, &r), 0);
        CHECK(has(r.data, r.len, "\"id\":5001"));
        CHECK(strstr(f.last_url, "/issues/3/comments") != NULL);
        int seen = f.seen;
        /* invalid input: refused in the connector, nothing sent */
        CHECK_EQ(fcp_host_invoke(&c, NULL, "issues.comment", "{\"owner\":\"o\",\"repo\":\"r\",\"number\":0,\"body\":\"hi\"}", 3000, &r), FCP_EINVALID_REQUEST);
        CHECK(strstr(c.why, "number") != NULL);
        CHECK_EQ(f.seen, seen);
        /* simulate shows the request and sends nothing */
        fcp_buf_reset(&r);
        CHECK_EQ(fcp_host_invoke(&c, "simulate", "issues.create", "{\"owner\":\"o\",\"repo\":\"r\",\"title\":\"T\"}", 3000, &r), 0);
        CHECK(has(r.data, r.len, "would_invoke") && has(r.data, r.len, "/repos/o/r/issues"));
        CHECK_EQ(f.seen, seen);
        f.mode = 1;
        CHECK_EQ(fcp_host_invoke(&c, NULL, "issues.list", "{\"owner\":\"o\",\"repo\":\"gone\"}", 3000, &r), FCP_ENOENT);
        CHECK(strstr(c.why, "404") && strstr(c.why, "Not Found"));
        f.mode = 2;
        CHECK_EQ(fcp_host_invoke(&c, NULL, "issues.list", "{\"owner\":\"o\",\"repo\":\"r\"}", 3000, &r), FCP_EEGRESS_UPSTREAM_AUTH);
        CHECK(strstr(c.why, "Bad credentials") != NULL);
        /* a long UTF-8 message from GitHub: the error reply encodes (D-MANIFEST-7) and
         * the host's why[] is clipped at a code point boundary */
        f.mode = 3;
        CHECK_EQ(fcp_host_invoke(&c, NULL, "issues.list", "{\"owner\":\"o\",\"repo\":\"r\"}", 3000, &r), FCP_EEGRESS_UPSTREAM_STATUS);
        CHECK(strlen(c.why) > 150 && fcp_utf8_valid((const uint8_t *)c.why, strlen(c.why)));
        CHECK(!c.dead);
        fcp_buf_free(&r);
        fcp_host_close(&c, 2000);
        CHECK_EQ(c.exit_status, 0);
    }
    fcp_manifest_free(&m);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    fcp_crypto_init();
    test_config();
    test_build();
    test_map();
    test_manifest_and_plan();
    const char *b = getenv("FCP_BUILD");
    char exe[600], cwd[400];
    snprintf(exe, sizeof exe, "%s/%s/connector-github", getcwd(cwd, sizeof cwd) ? cwd : ".", b && *b ? b : "build");
    test_binary(exe);
    if (g_skipped) printf("connector_github_test: %lu skipped\n", g_skipped);
    return fcp_t_done("connector_github_test");
}
