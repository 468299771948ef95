/*
 * host_egress.c - the egress proxy's policy engine (spec §11.2 network guard,
 * §11.2.1 credential injection, review Change 6).
 *
 * fcp_egress_plan_request turns one EgressHttpRequest into a plan - the exact
 * URL, the one address to connect to, the headers with any injected
 * credential, pins and limits - or into one denial code; the order of the
 * checks is the list in host_egress.h and docs/egress.md.  fcp_egress_execute
 * drives a transport callback hop by hop: the transport never follows a
 * redirect, so every Location is planned again from the URL step, with the
 * credential rules re-applied to the new host.
 *
 * Secrets: the secret provider writes into a heap buffer owned by the plan;
 * fcp_egress_plan_free wipes it and the header and URL buffers that hold the
 * rendered value.  Logs name the host and the code only.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fcp/error.h"
#include "fcp/host_egress.h"

#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)

void fcp_egress_config_default(fcp_egress_config *c)
{
    memset(c, 0, sizeof *c);
    c->max_dns_answers = FCP_EGRESS_MAX_DNS;
    c->max_redirects = 5;
    c->max_response_bytes = (uint64_t)10 << 20;
}

int fcp_egress_config_validate(const fcp_egress_config *c)
{
    if (c->max_dns_answers < 1 || c->max_dns_answers > FCP_EGRESS_MAX_DNS || c->max_redirects > 20 ||
        c->max_response_bytes < 1 || c->max_response_bytes > FCP_EGRESS_RESP_BODY_MAX ||
        (c->truncate_oversize != 0 && c->truncate_oversize != 1) ||
        (c->allow_http != 0 && c->allow_http != 1) ||
        (c->test_allow_loopback != 0 && c->test_allow_loopback != 1))
        return FCP_EEGRESS_CONFIG;
    return 0;
}

void fcp_egress_proxy_init(fcp_egress_proxy *px)
{
    memset(px, 0, sizeof *px);
    fcp_egress_config_default(&px->cfg);
}

uint64_t fcp_egress_denied_count(const fcp_egress_proxy *px, int code)
{
    int k = -code - 4300;
    return (k >= 0 && k < FCP_EGRESS_NCODES) ? px->stats.denied[k] : 0;
}

static int count(fcp_egress_proxy *px, int rc, const char *host)
{
    if (rc >= 0)
        return rc;
    int k = -rc - 4300;
    if (k >= 0 && k < FCP_EGRESS_NCODES)
        px->stats.denied[k]++;
    else
        px->stats.other_errors++;
    if (px->log) {
        fcp_log_field f[1] = { FCP_LF_STR("host", host && host[0] ? host : "-") };
        fcp_log(px->log, FCP_LOG_WARN, "egress.deny", rc, f, 1);
    }
    return rc;
}

/* ---- plan ------------------------------------------------------------------ */

void fcp_egress_plan_init(fcp_egress_plan *p)
{
    memset(p, 0, sizeof *p);
    fcp_buf_init(&p->url_text);
    fcp_buf_init(&p->headers);
    fcp_buf_init(&p->secret);
}

void fcp_egress_plan_free(fcp_egress_plan *p)
{
    fcp_buf_free_secret(&p->url_text);
    fcp_buf_free_secret(&p->headers);
    fcp_buf_free_secret(&p->secret);
    memset(p, 0, sizeof *p);
}

static int ieq(const char *a, size_t an, const char *b)
{
    return strlen(b) == an && strncasecmp(a, b, an) == 0;
}

static int unhex(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Does the query of target hold a parameter whose (percent-decoded) name is
 * name?  Decoding first means "%74oken" collides with "token". */
static int query_has(const char *target, const char *name)
{
    const char *q = strchr(target, '?');
    size_t nl = strlen(name);
    if (!q)
        return 0;
    q++;
    while (*q) {
        const char *end = q + strcspn(q, "&");
        const char *eq = memchr(q, '=', (size_t)(end - q));
        const char *ne = eq ? eq : end;
        size_t j = 0;
        int same = 1;
        for (const char *c = q; c < ne; c++, j++) {
            int ch = (unsigned char)*c;
            if (*c == '%' && ne - c >= 3 && unhex(c[1]) >= 0 && unhex(c[2]) >= 0) {
                ch = unhex(c[1]) * 16 + unhex(c[2]);
                c += 2;
            } else if (*c == '+') {
                ch = ' ';
            }
            if (j >= nl || ch != (unsigned char)name[j]) {
                same = 0;
                break;
            }
        }
        if (same && j == nl)
            return 1;
        q = *end ? end + 1 : end;
    }
    return 0;
}

static int in_list(const char (*list)[FCP_CAP_ID_MAX + 1], size_t n, const char *s, size_t sl)
{
    for (size_t i = 0; i < n && i < FCP_CAP_MAX_CREDENTIALS; i++)
        if (strlen(list[i]) == sl && memcmp(list[i], s, sl) == 0)
            return 1;
    return 0;
}

static int ip_allowed(const fcp_net_constraints *n, const fcp_egress_url *u)
{
    for (size_t i = 0; i < n->n_ip_allow && i < FCP_NET_MAX_IPS; i++) {
        fcp_egress_url t;
        char buf[FCP_NET_CIDR_MAX + 16];
        int w = snprintf(buf, sizeof buf, u->host_kind == FCP_EGRESS_HOST_IPV6 ? "https://[%s]/" : "https://%s/",
                         n->ip_allow[i]);
        if (w < 0 || (size_t)w >= sizeof buf || fcp_egress_url_parse(buf, (size_t)w, &t) < 0)
            continue;
        if (t.host_kind == u->host_kind && memcmp(t.ip, u->ip, u->host_kind == 4 ? 4 : 16) == 0)
            return 1;
    }
    return 0;
}

static int port_allowed(const fcp_net_constraints *n, uint16_t port)
{
    if (n->n_port_allow == 0)
        return 1;
    for (size_t i = 0; i < n->n_port_allow && i < FCP_NET_MAX_PORTS; i++)
        if (n->port_allow[i] == port)
            return 1;
    return 0;
}

static int append_header_line(fcp_buf *b, const char *name, size_t nl, const char *val, size_t vl)
{
    fcp_buf_append(b, name, nl);
    fcp_buf_append(b, ": ", 2);
    fcp_buf_append(b, val, vl);
    return fcp_buf_append(b, "", 1);
}

static int pct_append(fcp_buf *b, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            fcp_buf_put_u8(b, c);
        } else {
            char e[3] = { '%', hx[c >> 4], hx[c & 15] };
            fcp_buf_append(b, e, 3);
        }
    }
    return b->err;
}

static int credential_name_ok(const char *name)
{
    char lname[FCP_EGRESS_HEADER_NAME_MAX + 1];
    size_t n = strnlen(name, sizeof lname);
    fcp_egress_request probe;
    if (n == 0 || n >= sizeof lname)
        return FCP_EEGRESS_HEADER;
    for (size_t i = 0; i < n; i++)
        lname[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] + 32) : name[i];
    memset(&probe, 0, sizeof probe);
    probe.method = "GET";
    probe.method_len = 3;
    probe.url = "https://a/";
    probe.url_len = 10;
    probe.n_headers = 1;
    probe.headers[0] = (fcp_egress_header){ lname, n, "", 0 };
    return fcp_egress_request_validate(&probe);
}

/* Steps 7 (policy part): which credential, and may it be used here. */
static int credential_check(fcp_egress_proxy *px, const fcp_cap_constraints *caps,
                            const fcp_egress_request *req, const fcp_egress_url *u,
                            const fcp_credential_object **out)
{
    char id[FCP_CAP_ID_MAX + 1];
    *out = NULL;
    if (!req->has_credential)
        return 0;
    if (req->credential_len > FCP_CAP_ID_MAX)
        return FCP_EEGRESS_REQUEST;
    if (!u->https)
        return FCP_EEGRESS_SCHEME;           /* a secret never travels in clear text */
    if (!in_list(caps->credential_allow, caps->n_credential_allow, req->credential, req->credential_len))
        return FCP_EEGRESS_CREDENTIAL_NOT_ALLOWED;
    memcpy(id, req->credential, req->credential_len);
    id[req->credential_len] = 0;
    const fcp_credential_object *cred = px->credential ? px->credential(px->credential_ctx, id) : NULL;
    if (!cred || strcmp(cred->credential_id, id) != 0)
        return FCP_EEGRESS_CREDENTIAL_UNKNOWN;
    /* The header name must be one a connector could have sent (a token, not
     * Host or a framing header): the object is owner-signed, but a bad one
     * must not become header injection. */
    if (cred->apply == FCP_CRED_HTTP_HEADER && credential_name_ok(cred->name) < 0)
        return FCP_EEGRESS_CONFIG;
    int rc = fcp_credential_check_use(caps, cred, u->host);
    if (rc == FCP_ECAP_CREDENTIAL_NOT_ALLOWED)
        return FCP_EEGRESS_CREDENTIAL_NOT_ALLOWED;
    if (rc < 0)
        return FCP_EEGRESS_CREDENTIAL_HOST;
    if (cred->apply == FCP_CRED_HTTP_HEADER) {
        for (size_t i = 0; i < req->n_headers; i++)
            if (ieq(req->headers[i].name, req->headers[i].name_len, cred->name))
                return FCP_EEGRESS_CREDENTIAL_COLLISION;
    } else if (query_has(u->target, cred->name)) {
        return FCP_EEGRESS_CREDENTIAL_COLLISION;
    }
    *out = cred;
    return 0;
}

/* Step 8-9: the addresses, all of them checked; the first is the one used. */
static int pick_address(fcp_egress_proxy *px, const fcp_net_constraints *n, const fcp_egress_url *u,
                        fcp_egress_addr *chosen)
{
    fcp_egress_addr ans[FCP_EGRESS_MAX_DNS + 1];
    size_t na = 0;
    if (u->host_kind != FCP_EGRESS_HOST_NAME) {
        chosen->family = u->host_kind;
        memcpy(chosen->ip, u->ip, 16);
        return fcp_egress_addr_check(n, &px->cfg, chosen);
    }
    if (!px->resolve)
        return FCP_EEGRESS_CONFIG;
    size_t want = (size_t)px->cfg.max_dns_answers + 1;  /* one more: detect an over-long answer */
    memset(ans, 0, sizeof ans);
    if (px->resolve(px->resolve_ctx, u->host, ans, want, &na) < 0 || na == 0)
        return FCP_EEGRESS_DNS;
    if (na > px->cfg.max_dns_answers)
        return FCP_EEGRESS_DNS_TOO_MANY;
    for (size_t i = 0; i < na; i++)       /* EVERY answer: one bad address spoils the name */
        TRY(fcp_egress_addr_check(n, &px->cfg, &ans[i]));
    *chosen = ans[0];
    return 0;
}

static int materialise(fcp_egress_proxy *px, const fcp_credential_object *cred, fcp_egress_plan *p)
{
    fcp_buf rendered;
    int rc;
    if (!px->secret)
        return FCP_EEGRESS_CONFIG;
    /* No buffer that holds secret bytes may ever be moved by realloc (the old
     * block would be freed unwiped): each is given its full size before the
     * first secret byte is written (D-EGRESS-7).  The provider's buffer is
     * capped at a header value's limit, with that capacity reserved. */
    if (fcp_buf_reserve(&p->secret, FCP_EGRESS_HEADER_VALUE_MAX) < 0)
        return FCP_ENOMEM;
    p->secret.max = FCP_EGRESS_HEADER_VALUE_MAX;
    if (px->secret(px->secret_ctx, cred->secret_id, &p->secret) < 0 || p->secret.err || p->secret.len == 0)
        return FCP_EEGRESS_SECRET;
    fcp_buf_init(&rendered);
    if (fcp_buf_reserve(&rendered, strlen(cred->prefix) + p->secret.len) < 0) {
        fcp_buf_free_secret(&rendered);
        return FCP_ENOMEM;
    }
    rc = fcp_credential_render(cred, p->secret.data, p->secret.len, &rendered);
    if (rc < 0 || rendered.err) {
        fcp_buf_free_secret(&rendered);
        return FCP_EEGRESS_SECRET;
    }
    if (cred->apply == FCP_CRED_HTTP_HEADER) {
        for (size_t i = 0; i < rendered.len; i++)
            if (rendered.data[i] < 0x20 || rendered.data[i] == 0x7f) {
                fcp_buf_free_secret(&rendered);
                return FCP_EEGRESS_SECRET;   /* never a control byte in a header */
            }
        if (fcp_buf_reserve(&p->headers, strlen(cred->name) + 2 + rendered.len + 1) == 0)
            append_header_line(&p->headers, cred->name, strlen(cred->name), (const char *)rendered.data,
                               rendered.len);
        p->n_header_lines++;
    } else {
        p->url_text.len--;                   /* drop the NUL, append the parameter */
        fcp_buf_reserve(&p->url_text, 1 + 3 * strlen(cred->name) + 1 + 3 * rendered.len + 1);
        fcp_buf_append(&p->url_text, strchr(p->url.target, '?') ? "&" : "?", 1);
        pct_append(&p->url_text, (const uint8_t *)cred->name, strlen(cred->name));
        fcp_buf_append(&p->url_text, "=", 1);
        pct_append(&p->url_text, rendered.data, rendered.len);
        fcp_buf_append(&p->url_text, "", 1);
    }
    fcp_buf_free_secret(&rendered);
    return (p->headers.err || p->url_text.err) ? FCP_ENOMEM : 0;
}

static int plan_request(fcp_egress_proxy *px, const fcp_cap_constraints *caps,
                        const fcp_egress_request *req, fcp_egress_plan *p)
{
    const fcp_net_constraints *n = &caps->network;
    const fcp_credential_object *cred = NULL;
    char text[FCP_EGRESS_URL_MAX + FCP_EGRESS_HOST_MAX + 32];
    /* 1. shape */
    TRY(fcp_egress_request_validate(req));
    /* 2. configuration */
    TRY(fcp_egress_config_validate(&px->cfg));
    if (!caps->has_network)
        return FCP_EEGRESS_NO_NETWORK;
    if (n->connect_timeout_ms == 0 || n->total_timeout_ms == 0 || n->connect_timeout_ms > n->total_timeout_ms)
        return FCP_EEGRESS_NO_TIMEOUT;
    if (fcp_net_constraints_validate(n) < 0)
        return FCP_EEGRESS_CONFIG;
    /* 3. canonical URL */
    TRY(fcp_egress_url_parse(req->url, req->url_len, &p->url));
    /* 4. scheme */
    if (!p->url.https && !px->cfg.allow_http)
        return FCP_EEGRESS_SCHEME;
    /* 5. IP literals, SNI */
    if (p->url.host_kind != FCP_EGRESS_HOST_NAME) {
        if (!ip_allowed(n, &p->url))
            return FCP_EEGRESS_IP_LITERAL;
        if (n->require_sni && p->url.https)
            return FCP_EEGRESS_SNI;
    } else if (!fcp_net_host_allowed(n, p->url.host)) {
        /* 6. host allow-list, before any DNS */
        return FCP_EEGRESS_HOST_NOT_ALLOWED;
    }
    if (!port_allowed(n, p->url.port))
        return FCP_EEGRESS_PORT_NOT_ALLOWED;
    /* 7. credential policy (the secret itself is fetched last) */
    TRY(credential_check(px, caps, req, &p->url, &cred));
    /* 8-9. DNS and every address */
    TRY(pick_address(px, n, &p->url, &p->addr));
    /* 10. the plan */
    memcpy(p->method, req->method, req->method_len);
    p->method[req->method_len] = 0;
    TRY(fcp_egress_url_format(&p->url, text, sizeof text));
    fcp_buf_append(&p->url_text, text, strlen(text) + 1);
    fcp_egress_addr_format(&p->addr, p->addr_text);
    p->sni = p->url.host_kind == FCP_EGRESS_HOST_NAME;
    if (p->sni) {
        int w = snprintf(p->resolve_entry, sizeof p->resolve_entry, p->addr.family == 6 ? "%s:%u:[%s]" : "%s:%u:%s",
                         p->url.host, (unsigned)p->url.port, p->addr_text);
        if (w < 0 || (size_t)w >= sizeof p->resolve_entry)
            return FCP_EINTERNAL;
    }
    for (size_t i = 0; i < req->n_headers; i++) {
        append_header_line(&p->headers, req->headers[i].name, req->headers[i].name_len,
                           req->headers[i].value_len ? req->headers[i].value : "", req->headers[i].value_len);
        p->n_header_lines++;
    }
    p->body = req->body;
    p->body_len = req->body_len;
    size_t pl = 0;
    for (size_t i = 0; i < n->n_spki_pins && i < FCP_NET_MAX_PINS; i++) {
        int w = snprintf(p->pins + pl, sizeof p->pins - pl, "%ssha256//%s", i ? ";" : "", n->spki_pins[i]);
        if (w < 0 || (size_t)w >= sizeof p->pins - pl)
            return FCP_EINTERNAL;
        pl += (size_t)w;
    }
    p->connect_timeout_ms = n->connect_timeout_ms;
    p->total_timeout_ms = n->total_timeout_ms;
    p->max_response_bytes = px->cfg.max_response_bytes;
    p->truncate_oversize = px->cfg.truncate_oversize;
    if (cred)
        TRY(materialise(px, cred, p));
    return (p->headers.err || p->url_text.err) ? FCP_ENOMEM : 0;
}

int fcp_egress_plan_request(fcp_egress_proxy *px, const fcp_cap_constraints *caps,
                            const fcp_egress_request *req, fcp_egress_plan *plan)
{
    int rc = plan_request(px, caps, req, plan);
    if (rc == 0)
        px->stats.allowed++;
    return count(px, rc, plan->url.host);
}

/* ---- results ------------------------------------------------------------------ */

void fcp_egress_result_init(fcp_egress_result *r)
{
    memset(r, 0, sizeof *r);
    fcp_buf_init(&r->header_data);
    fcp_buf_init(&r->body);
}

void fcp_egress_result_free(fcp_egress_result *r)
{
    fcp_buf_free(&r->header_data);
    fcp_buf_free(&r->body);
    memset(r, 0, sizeof *r);
}

static size_t header_count(const fcp_egress_result *r)
{
    size_t c = 0;
    for (size_t i = 0; i < r->header_data.len; i++)
        c += r->header_data.data[i] == 0;
    return c / 2;
}

int fcp_egress_result_add_header(fcp_egress_result *r, const char *name, size_t name_len,
                                 const char *value, size_t value_len)
{
    static const char *const hop[] = { "connection", "keep-alive", "transfer-encoding", "te", "trailer",
                                       "upgrade" };
    char lname[FCP_EGRESS_HEADER_NAME_MAX];
    while (value_len && (value[0] == ' ' || value[0] == '\t')) {
        value++;
        value_len--;
    }
    while (value_len && (value[value_len - 1] == ' ' || value[value_len - 1] == '\t' ||
                         value[value_len - 1] == '\r' || value[value_len - 1] == '\n'))
        value_len--;
    if (name_len == 0 || name_len > sizeof lname || value_len > FCP_EGRESS_HEADER_VALUE_MAX)
        return 0;
    for (size_t i = 0; i < name_len; i++)
        lname[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] + 32) : name[i];
    fcp_egress_header h = { lname, name_len, value, value_len };
    fcp_egress_response one = { .status = 200, .n_headers = 1 };
    one.headers[0] = h;
    if (fcp_egress_response_validate(&one) < 0)
        return 0;                             /* not representable: dropped */
    for (size_t i = 0; i < sizeof hop / sizeof hop[0]; i++)
        if (strlen(hop[i]) == name_len && memcmp(lname, hop[i], name_len) == 0)
            return 0;
    if (name_len >= 6 && memcmp(lname, "proxy-", 6) == 0)
        return 0;
    if (name_len == 8 && memcmp(lname, "location", 8) == 0 && value_len <= FCP_EGRESS_URL_MAX) {
        memcpy(r->location, value, value_len);
        r->location[value_len] = 0;
    }
    size_t have = header_count(r);
    if (have >= FCP_EGRESS_MAX_HEADERS ||
        r->header_data.len - 2 * have + name_len + value_len > FCP_EGRESS_HEADER_BYTES_MAX)
        return FCP_EEGRESS_LIMIT;
    fcp_buf_append(&r->header_data, lname, name_len);
    fcp_buf_append(&r->header_data, "", 1);
    fcp_buf_append(&r->header_data, value, value_len);
    fcp_buf_append(&r->header_data, "", 1);
    return r->header_data.err ? FCP_ENOMEM : 0;
}

int fcp_egress_result_append_body(fcp_egress_result *r, uint64_t cap, int truncate, const void *p, size_t n)
{
    if (cap > FCP_EGRESS_RESP_BODY_MAX)
        cap = FCP_EGRESS_RESP_BODY_MAX;
    if (r->truncated)
        return 0;                             /* already cut: ignore the rest */
    if ((uint64_t)r->body.len + n > cap) {
        if (!truncate)
            return FCP_EEGRESS_RESPONSE_TOO_LARGE;
        fcp_buf_append(&r->body, p, (size_t)(cap - r->body.len));
        r->truncated = 1;
        return r->body.err ? FCP_ENOMEM : 0;
    }
    fcp_buf_append(&r->body, p, n);
    return r->body.err ? FCP_ENOMEM : 0;
}

int fcp_egress_result_view(const fcp_egress_result *res, fcp_egress_response *out)
{
    memset(out, 0, sizeof *out);
    out->status = res->status;
    out->body = res->body.data;
    out->body_len = res->body.len;
    out->truncated = res->truncated;
    const char *p = (const char *)res->header_data.data;
    const char *end = p + res->header_data.len;
    while (p && p < end) {
        if (out->n_headers >= FCP_EGRESS_MAX_HEADERS)
            return FCP_EEGRESS_LIMIT;
        fcp_egress_header *h = &out->headers[out->n_headers++];
        h->name = p;
        h->name_len = strlen(p);
        p += h->name_len + 1;
        if (p >= end)
            return FCP_EEGRESS_RESPONSE;
        h->value = p;
        h->value_len = strlen(p);
        p += h->value_len + 1;
    }
    return fcp_egress_response_validate(out);
}

/* Overwrite every echo of the secret (a server that reflects request headers
 * would otherwise hand it to the connector).  Secrets under 4 bytes are not
 * searched for: they would match ordinary text. */
static void redact(fcp_buf *b, const fcp_buf *secret)
{
    if (secret->len < 4 || b->len < secret->len)
        return;
    uint8_t *p = b->data, *end = b->data + b->len;
    while (p < end) {
        uint8_t *hit = memmem(p, (size_t)(end - p), secret->data, secret->len);
        if (!hit)
            break;
        memset(hit, '*', secret->len);
        p = hit + secret->len;
    }
}

/* ---- redirects and the whole request -------------------------------------------- */

static int is_redirect(uint16_t s) { return s == 301 || s == 302 || s == 303 || s == 307 || s == 308; }

/* Resolve loc against the current canonical URL into out (NUL-terminated). */
static int resolve_location(const fcp_egress_url *base, const char *loc, char *out, size_t cap)
{
    char origin[FCP_EGRESS_HOST_MAX + 32];
    fcp_egress_url o = *base;
    int w;
    if (loc[0] == 0)
        return FCP_EEGRESS_REDIRECT;
    for (const char *c = loc; *c; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
            return FCP_EEGRESS_REDIRECT;
    strcpy(o.target, "");
    if (fcp_egress_url_format(&o, origin, sizeof origin) < 0)
        return FCP_EEGRESS_REDIRECT;
    const char *colon = strchr(loc, ':'), *slash = strchr(loc, '/');
    if (colon && (!slash || colon < slash)) /* absolute: scheme first */
        w = snprintf(out, cap, "%s", loc);
    else if (loc[0] == '/' && loc[1] == '/')
        w = snprintf(out, cap, "%s:%s", base->https ? "https" : "http", loc);
    else if (loc[0] == '/')
        w = snprintf(out, cap, "%s%s", origin, loc);
    else {
        size_t dir = strcspn(base->target, "?");
        while (dir > 0 && base->target[dir - 1] != '/')
            dir--;
        if (loc[0] == '?') {
            dir = strcspn(base->target, "?");
        }
        w = snprintf(out, cap, "%s%.*s%s", origin, (int)dir, base->target, loc);
    }
    if (w < 0 || (size_t)w >= cap)
        return FCP_EEGRESS_REDIRECT;
    return 0;
}

int fcp_egress_execute(fcp_egress_proxy *px, const fcp_cap_constraints *caps, const fcp_egress_request *req,
                       fcp_egress_result *res)
{
    char next_url[FCP_EGRESS_URL_MAX + 1];
    fcp_egress_request cur = *req;
    fcp_egress_plan plan;
    int rc = 0;
    char host[FCP_EGRESS_HOST_MAX + 1] = "";
    fcp_egress_result_init(res);
    if (!px->transport)
        return count(px, FCP_EEGRESS_CONFIG, NULL);
    for (uint32_t hop = 0;; hop++) {
        fcp_egress_plan_init(&plan);
        rc = fcp_egress_plan_request(px, caps, &cur, &plan);   /* counts its own denials */
        if (rc < 0)
            break;
        snprintf(host, sizeof host, "%s", plan.url.host);
        fcp_egress_result_free(res);
        fcp_egress_result_init(res);
        rc = px->transport(px->transport_ctx, &plan, res);
        redact(&res->body, &plan.secret);
        redact(&res->header_data, &plan.secret);
        if (rc < 0) {
            rc = count(px, rc, host);
            break;
        }
        if (!is_redirect(res->status) || res->location[0] == 0) {
            px->stats.completed++;
            break;
        }
        if (hop >= px->cfg.max_redirects) {
            rc = count(px, FCP_EEGRESS_REDIRECT_LIMIT, host);
            break;
        }
        rc = resolve_location(&plan.url, res->location, next_url, sizeof next_url);
        if (rc < 0) {
            rc = count(px, rc, host);
            break;
        }
        cur.url = next_url;
        cur.url_len = strlen(next_url);
        if (res->status != 307 && res->status != 308 && !ieq(cur.method, cur.method_len, "HEAD")) {
            cur.method = "GET";
            cur.method_len = 3;
            cur.body = NULL;
            cur.body_len = 0;
        }
        fcp_egress_plan_free(&plan);
    }
    fcp_egress_plan_free(&plan);
    if (rc < 0) {
        fcp_egress_result_free(res);
        fcp_egress_result_init(res);
    }
    return rc;
}
