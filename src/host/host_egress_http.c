/*
 * host_egress_http.c - the egress proxy's transport over the HTTP client
 * adapter of net/ (net_http.h, libcurl): turns one planned hop
 * (fcp_egress_plan) into an fcp_http_xfer and the adapter's header/body
 * callbacks into the capped result (fcp_egress_result).  The libcurl code
 * itself lives in src/net/net_http_curl.c (ADR 0004); this keeps the
 * public fcp_egress_curl_* API of host_egress.h.
 */
#include "fcp/host_egress.h"

#include <string.h>

#include "fcp/error.h"
#include "fcp/net_http.h"

int fcp_egress_curl_global_init(void) { return fcp_http_global_init(); }

void fcp_egress_curl_global_cleanup(void) { fcp_http_global_cleanup(); }

typedef struct sink_ctx {
    const fcp_egress_plan *plan;
    fcp_egress_result *res;
} sink_ctx;

static int s_status(void *ud)
{
    sink_ctx *s = ud;
    /* a new status line (after 1xx): start the header set again */
    fcp_buf_reset(&s->res->header_data);
    s->res->location[0] = 0;
    return 0;
}

static int s_header(void *ud, const char *name, size_t nl, const char *value, size_t vl)
{
    sink_ctx *s = ud;
    return fcp_egress_result_add_header(s->res, name, nl, value, vl);
}

static int s_body(void *ud, const void *p, size_t n)
{
    sink_ctx *s = ud;
    return fcp_egress_result_append_body(s->res, s->plan->max_response_bytes, s->plan->truncate_oversize, p, n);
}

int fcp_egress_curl_transport(void *ctx, const fcp_egress_plan *plan, fcp_egress_result *res)
{
    const fcp_egress_curl *cc = ctx;
    fcp_http_xfer x;
    memset(&x, 0, sizeof x);
    x.method = plan->method;
    x.url = (const char *)plan->url_text.data;
    x.https = plan->url.https;
    x.resolve_entry = plan->sni && plan->resolve_entry[0] ? plan->resolve_entry : NULL;
    x.family = plan->addr.family;
    memcpy(x.ip, plan->addr.ip, sizeof x.ip);
    x.header_lines = (const char *)plan->headers.data;
    x.n_headers = plan->n_header_lines;
    x.body = plan->body;
    x.body_len = plan->body_len;
    x.pins = plan->pins;
    x.ca_file = cc ? cc->ca_file : NULL;
    x.connect_timeout_ms = plan->connect_timeout_ms;
    x.total_timeout_ms = plan->total_timeout_ms;
    x.max_file_size = plan->truncate_oversize ? 0 : plan->max_response_bytes;
    sink_ctx s = {plan, res};
    fcp_http_sink sink = {s_status, s_header, s_body, &s};
    long status = 0;
    int rc = fcp_http_perform(&x, &sink, &status);
    if (rc == 0) res->status = (uint16_t)status;
    return rc;
}
