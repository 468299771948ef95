/*
 * fuzz_tailscale_status.c - libFuzzer target for the tailscaled LocalAPI
 * parsers (src/net/net_tailscale.c): the HTTP/1.1 response decoder (fed the
 * input whole, as a prefix without end of stream, and with it), the status
 * and whois JSON parsers, and the candidate rule over what parses.
 *
 * Properties: no crash, leak or out-of-bounds access on any input; every
 * refusal is a known FCP error; a decoded body never exceeds the bound; the
 * decoder never reports completion on a prefix and then refuses the whole;
 * every parsed string is NUL-terminated within its field and every IP is
 * canonical text; candidates only carry served zones.  A broken property
 * calls abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/buf.h"
#include "fcp/error.h"
#include "fcp/net_tailscale.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_node(const fcp_ts_node *n)
{
    if (strnlen(n->host_name, sizeof n->host_name) >= sizeof n->host_name ||
        strnlen(n->dns_name, sizeof n->dns_name) >= sizeof n->dns_name || n->n_ips > FCP_TS_MAX_IPS ||
        n->n_tags > FCP_TS_MAX_TAGS)
        abort();
    for (size_t i = 0; i < n->n_ips; i++)
        if (!strchr(n->ips[i], '.') && !strchr(n->ips[i], ':'))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fcp_buf body;
    fcp_buf_init(&body);
    int st = 0;
    size_t max = 1u << 16;
    int full = fcp_ts_http_response(data, size, 1, max, &st, &body);
    if (full < 0 && !fcp_error_known(full))
        abort();
    if (full == 1 && (body.len > max || st < 100 || st > 599))
        abort();
    fcp_buf pre;
    fcp_buf_init(&pre);
    int part = fcp_ts_http_response(data, size, 0, max, &st, &pre);
    if (part < 0 && !fcp_error_known(part))
        abort();
    /* complete without end of stream => the same answer with it */
    if (part == 1 && (full != 1 || pre.len != body.len || (pre.len && memcmp(pre.data, body.data, pre.len) != 0)))
        abort();
    fcp_buf_free(&pre);

    /* the JSON parsers on the decoded body, or on the raw input */
    const uint8_t *j = full == 1 ? body.data : data;
    size_t jl = full == 1 ? body.len : size;
    fcp_ts_status s;
    fcp_ts_limits lim = { 1u << 16, 64 };
    int rc = fcp_ts_status_parse(j, jl, &lim, &s);
    if (rc < 0 && !fcp_error_known(rc))
        abort();
    if (rc == 0) {
        if (s.n_peers > 64)
            abort();
        check_node(&s.self);
        for (size_t i = 0; i < s.n_peers; i++)
            check_node(&s.peers[i]);
        static const char served[2][FCP_ZONE_ID_MAX + 1] = { "z:private", "z:owner" };
        fcp_ts_candidate c[8];
        size_t k = fcp_ts_candidates(&s, "node-1", served, 2, NULL, NULL, c, 8);
        for (size_t i = 0; i < k; i++) {
            if (!c[i].n_zones || strcmp(c[i].node_id, "node-1") == 0)
                abort();
            for (size_t z = 0; z < c[i].n_zones; z++)
                if (strcmp(c[i].zones[z], "z:private") && strcmp(c[i].zones[z], "z:owner"))
                    abort();
        }
        fcp_ts_status_free(&s);
    } else if (s.n_peers || s.peers) {
        abort();
    }
    fcp_ts_whois w;
    rc = fcp_ts_whois_parse(j, jl, &w);
    if (rc < 0 && !fcp_error_known(rc))
        abort();
    if (rc == 0 && (w.n_tags > FCP_TS_MAX_TAGS || w.n_addrs > FCP_TS_MAX_IPS))
        abort();
    fcp_buf_free(&body);
    return 0;
}
