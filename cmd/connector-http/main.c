/*
 * connector-http - the "http" reference connector: one generic REST call
 * through the host's egress proxy.  It never opens a socket (its network
 * namespace is empty): fcp_egress_http hands an EgressHttpRequest to the
 * host, naming the credential by id; the proxy checks the manifest's
 * network constraints, injects the secret and returns the response.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fcp/connector.h"
#include "fcp/error.h"

FCP_CONNECTOR_EMBED_MANIFEST("connectors/http/manifest.toml");

static int op_request(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *out)
{
    json_error_t je;
    json_t *root = json_loadb(in, n, JSON_REJECT_DUPLICATES, &je);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return fcp_conn_fail(c, FCP_EINVALID_REQUEST, "input is not a JSON object");
    }
    const char *method = json_string_value(json_object_get(root, "method"));
    const char *url = json_string_value(json_object_get(root, "url"));
    const char *cred = json_string_value(json_object_get(root, "credential_id"));
    const char *body = json_string_value(json_object_get(root, "body"));
    if (!method || !url) {
        json_decref(root);
        return fcp_conn_fail(c, FCP_EINVALID_REQUEST, "method and url are required strings");
    }
    fcp_egress_request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.method_len = strlen(method);
    req.url = url;
    req.url_len = strlen(url);
    if (cred) {
        req.has_credential = 1;
        req.credential = cred;
        req.credential_len = strlen(cred);
    }
    if (body) {
        req.body = (const uint8_t *)body;
        req.body_len = strlen(body);
    }
    fcp_egress_response resp;
    fcp_buf storage;
    fcp_buf_init(&storage);
    int rc = fcp_egress_http(c, &req, &resp, &storage);
    json_decref(root);
    if (rc < 0) {
        fcp_buf_free(&storage);
        return fcp_conn_fail(c, rc, "egress refused: %s", fcp_conn_last_error(c));
    }
    json_t *o = json_pack("{s:i, s:s%, s:b}", "status", (int)resp.status, "body",
                          resp.body ? (const char *)resp.body : "", resp.body_len, "truncated",
                          resp.truncated);
    fcp_buf_free(&storage);
    if (!o) return fcp_conn_fail(c, FCP_EINVALID_REQUEST, "response body is not UTF-8 text");
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (!s) return FCP_ENOMEM;
    rc = fcp_buf_append(out, s, strlen(s));
    free(s);
    return rc;
}

static const fcp_conn_op OPS[] = {{"http_request", op_request, NULL}};

int main(void)
{
    fcp_connector_def def = {FCP_EMBEDDED_MANIFEST, FCP_EMBEDDED_MANIFEST_LEN, OPS, 1, NULL, NULL};
    return fcp_connector_main(&def);
}
