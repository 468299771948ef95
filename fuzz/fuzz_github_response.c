/*
 * fuzz_github_response.c - libFuzzer target for the github connector's
 * parsers (cmd/connector-github/github_api.c): GitHub's JSON answers and
 * error bodies (gh_map_response), the operations' JSON input
 * (gh_build) and the "configure" CBOR (gh_config_apply).
 *
 * Input: byte 0 picks the parser and operation, bytes 1-2 the HTTP status,
 * byte 3 flags (truncated, a rate-limit header), the rest is the body.
 * Properties: no crash, leak or out-of-bounds access; every result is a
 * negative FCP code with a NUL-terminated message, or 0 with output that is
 * one JSON object; an error message is valid UTF-8 (it goes into a local
 * transport error); a built request passes the EgressHttpRequest rules and
 * carries no authorization header.  A broken property aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../cmd/connector-github/github_api.c"
#include "fcp/cbor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_json_object(const fcp_buf *out)
{
    json_error_t je;
    json_t *j = json_loadb((const char *)out->data, out->len, 0, &je);
    if (!json_is_object(j)) abort();
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    gh_op op = (gh_op)(data[0] % 3);
    int which = (data[0] / 3) % 3;
    const uint8_t *body = data + 4;
    size_t n = size - 4;
    char why[512];
    why[0] = 0;
    fcp_buf out;
    fcp_buf_init(&out);
    if (which == 0) {
        fcp_egress_response r;
        memset(&r, 0, sizeof r);
        r.status = (uint16_t)(100 + ((data[1] << 8 | data[2]) % 500));
        r.truncated = data[3] & 1;
        if (data[3] & 2) {
            r.n_headers = 1;
            r.headers[0] = (fcp_egress_header){"x-ratelimit-remaining", 21, (data[3] & 4) ? "0" : "7", 1};
        }
        r.body = body;
        r.body_len = n;
        int rc = gh_map_response(op, &r, &out, why, sizeof why);
        if (rc > 0) abort();
        if (rc == 0) {
            if (r.status < 200 || r.status > 299) abort();
            check_json_object(&out);
        } else {
            if (!memchr(why, 0, sizeof why) || why[0] == 0) abort();
            if (!fcp_utf8_valid((const uint8_t *)why, strlen(why))) abort();
        }
    } else if (which == 1) {
        gh_config c;
        gh_config_default(&c);
        gh_request g;
        int rc = gh_build(op, &c, (const char *)body, n, &g, why, sizeof why);
        if (rc > 0) abort();
        if (rc == 0) {
            fcp_egress_request q;
            memset(&q, 0, sizeof q);
            q.method = g.method;
            q.method_len = strlen(g.method);
            q.url = g.url;
            q.url_len = strlen(g.url);
            q.n_headers = g.n_headers;
            memcpy(q.headers, g.headers, g.n_headers * sizeof g.headers[0]);
            q.body = g.body.data;
            q.body_len = g.body.len;
            if (fcp_egress_request_validate(&q) != 0) abort();
            for (size_t i = 0; i < g.n_headers; i++)
                if (strcmp(g.headers[i].name, "authorization") == 0) abort();
            gh_request_free(&g);
        } else if (why[0] == 0) {
            abort();
        }
    } else {
        gh_config c, before;
        gh_config_default(&c);
        before = c;
        int rc = gh_config_apply(&c, body, n, why, sizeof why);
        if (rc > 0) abort();
        if (rc < 0 && memcmp(&c, &before, sizeof c) != 0) abort(); /* a refusal changes nothing */
        if (rc == 0 && (strncmp(c.base, "https://", 8) != 0 || strncmp(c.credential, "cred:", 5) != 0)) abort();
    }
    fcp_buf_free(&out);
    return 0;
}
