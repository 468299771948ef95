/*
 * connector-github - the "github" reference connector: GitHub issues over
 * the REST API (issues.list, issues.create, issues.comment), written with
 * the connector SDK (include/fcp/connector.h).
 *
 * Secretless: the connector never holds the token and never opens a socket
 * (its sandbox has an empty network namespace).  Each operation builds one
 * EgressHttpRequest (github_api.c) that names the credential by id
 * ("cred:github.token" unless configured otherwise); the host's egress
 * proxy checks the manifest's network constraints, injects
 * "Authorization: Bearer <secret>" and returns GitHub's answer, which
 * github_api.c maps to the result or a structured error.
 *
 * Configuration ("configure", canonical CBOR map): base_url (default
 * https://api.github.com; GitHub Enterprise or a test server), credential_id.
 * "simulate" validates the input and shows the request without sending it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fcp/connector.h"
#include "fcp/error.h"
#include "github_api.h"

FCP_CONNECTOR_EMBED_MANIFEST("connectors/github/manifest.toml");

static gh_config g_cfg;

static int configure(fcp_conn_ctx *c, const uint8_t *cbor, size_t len)
{
    char why[256];
    int rc = gh_config_apply(&g_cfg, cbor, len, why, sizeof why);
    return rc < 0 ? fcp_conn_fail(c, rc, "%s", why) : 0;
}

static void fill_request(const gh_request *g, const gh_config *cfg, fcp_egress_request *req)
{
    memset(req, 0, sizeof *req);
    req->method = g->method;
    req->method_len = strlen(g->method);
    req->url = g->url;
    req->url_len = strlen(g->url);
    req->n_headers = g->n_headers;
    memcpy(req->headers, g->headers, g->n_headers * sizeof g->headers[0]);
    req->body = g->body.len ? g->body.data : NULL;
    req->body_len = g->body.len;
    req->has_credential = 1;
    req->credential = cfg->credential;
    req->credential_len = strlen(cfg->credential);
}

static int run(fcp_conn_ctx *c, gh_op op, const char *in, size_t n, fcp_buf *out)
{
    char why[512];
    gh_request g;
    int rc = gh_build(op, &g_cfg, in, n, &g, why, sizeof why);
    if (rc < 0) return fcp_conn_fail(c, rc, "%s", why);
    fcp_egress_request req;
    fill_request(&g, &g_cfg, &req);
    fcp_egress_response resp;
    fcp_buf storage;
    fcp_buf_init(&storage);
    rc = fcp_egress_http(c, &req, &resp, &storage);
    gh_request_free(&g);
    if (rc < 0) {
        fcp_buf_free(&storage);
        /* copy first: fcp_conn_fail writes the buffer last_error points to */
        snprintf(why, sizeof why, "%s", fcp_conn_last_error(c));
        return fcp_conn_fail(c, rc, "egress refused: %s", why);
    }
    rc = gh_map_response(op, &resp, out, why, sizeof why);
    fcp_buf_free(&storage);
    return rc < 0 ? fcp_conn_fail(c, rc, "%s", why) : 0;
}

/* simulate: the request that would be sent, without sending it */
static int sim(fcp_conn_ctx *c, gh_op op, const char *in, size_t n, fcp_buf *out)
{
    char why[512];
    gh_request g;
    int rc = gh_build(op, &g_cfg, in, n, &g, why, sizeof why);
    if (rc < 0) return fcp_conn_fail(c, rc, "%s", why);
    json_t *o = json_pack("{s:b, s:s, s:s, s:s%, s:s}", "would_invoke", 1, "method", g.method, "url", g.url, "body",
                          g.body.len ? (const char *)g.body.data : "", g.body.len, "credential_id",
                          g_cfg.credential);
    gh_request_free(&g);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    if (!s) return FCP_ENOMEM;
    rc = fcp_buf_append(out, s, strlen(s));
    free(s);
    return rc;
}

static int list_inv(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *o) { return run(c, GH_ISSUES_LIST, in, n, o); }
static int create_inv(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *o) { return run(c, GH_ISSUES_CREATE, in, n, o); }
static int comment_inv(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *o) { return run(c, GH_ISSUES_COMMENT, in, n, o); }
static int create_sim(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *o) { return sim(c, GH_ISSUES_CREATE, in, n, o); }
static int comment_sim(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *o) { return sim(c, GH_ISSUES_COMMENT, in, n, o); }

static const fcp_conn_op OPS[] = {
    {"issues.list", list_inv, NULL},
    {"issues.create", create_inv, create_sim},
    {"issues.comment", comment_inv, comment_sim},
};

int main(void)
{
    gh_config_default(&g_cfg);
    fcp_connector_def def = {FCP_EMBEDDED_MANIFEST, FCP_EMBEDDED_MANIFEST_LEN, OPS, 3, configure, NULL};
    return fcp_connector_main(&def);
}
