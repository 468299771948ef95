/*
 * host_egress_curl.c - the libcurl transport of the egress proxy: performs
 * exactly one planned hop (fcp_egress_plan) and nothing else.
 *
 * Everything the policy engine decided is enforced again here, at the
 * socket: the name resolves only to the checked address (CURLOPT_RESOLVE),
 * and the open-socket callback refuses any connect to another address, so a
 * DNS answer that changes between check and connect (rebinding) cannot
 * redirect the transfer.  Redirects are off (the engine re-plans each hop),
 * proxies from the environment are ignored, only the planned scheme is
 * enabled, TLS verification is on with SNI = the canonical host, SPKI pins
 * go to CURLOPT_PINNEDPUBLICKEY, and the body streams into the capped sink,
 * aborting the transfer past the cap.
 *
 * Secrets: header lines are copied into a curl_slist that is wiped before it
 * is freed.  libcurl keeps its own copy of the URL, so a query-parameter
 * credential (the spec's "rare; discouraged" form) can outlive the transfer
 * in freed libcurl memory; header credentials do not reach libcurl's URL.
 */
#include <curl/curl.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "fcp/error.h"
#include "fcp/host_egress.h"

int fcp_egress_curl_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : FCP_EINTERNAL;
}

void fcp_egress_curl_global_cleanup(void) { curl_global_cleanup(); }

typedef struct xfer {
    const fcp_egress_plan *plan;
    fcp_egress_result *res;
    int err;                 /* first error from a callback */
    int wrong_addr;          /* the open-socket check refused an address */
} xfer;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    int rc = fcp_egress_result_append_body(x->res, x->plan->max_response_bytes, x->plan->truncate_oversize, p, len);
    if (rc < 0) {
        if (!x->err)
            x->err = rc;
        return 0;            /* abort: CURLE_WRITE_ERROR */
    }
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        /* a new status line (after 1xx): start the header set again */
        fcp_buf_reset(&x->res->header_data);
        x->res->location[0] = 0;
        return len;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon)
        return len;          /* blank line or folded continuation: ignored */
    int rc = fcp_egress_result_add_header(x->res, p, (size_t)(colon - p), colon + 1, len - (size_t)(colon - p) - 1);
    if (rc < 0) {
        if (!x->err)
            x->err = rc;
        return 0;
    }
    return len;
}

/* Connect only to the address the engine checked. */
static curl_socket_t on_open(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    xfer *x = ud;
    const fcp_egress_addr *want = &x->plan->addr;
    int ok = 0;
    if (purpose == CURLSOCKTYPE_IPCXN) {
        if (a->family == AF_INET && want->family == 4) {
            const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->addr;
            ok = memcmp(&s4->sin_addr, want->ip, 4) == 0;
        } else if (a->family == AF_INET6 && want->family == 6) {
            const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->addr;
            ok = memcmp(&s6->sin6_addr, want->ip, 16) == 0;
        }
    }
    if (!ok) {
        x->wrong_addr = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static int map_curl(CURLcode c, const xfer *x)
{
    if (x->err)
        return x->err;
    if (x->wrong_addr)
        return FCP_EEGRESS_CONNECT;
    switch (c) {
    case CURLE_OK: return 0;
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH: return FCP_EEGRESS_PIN;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
        return FCP_EEGRESS_TLS;
    case CURLE_OPERATION_TIMEDOUT: return FCP_EEGRESS_TIMEOUT;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
        return FCP_EEGRESS_CONNECT;
    case CURLE_FILESIZE_EXCEEDED: return FCP_EEGRESS_RESPONSE_TOO_LARGE;
    case CURLE_OUT_OF_MEMORY: return FCP_ENOMEM;
    default: return FCP_EEGRESS_TRANSFER;
    }
}

static void slist_wipe_free(struct curl_slist *l)
{
    for (struct curl_slist *i = l; i; i = i->next)
        if (i->data) {
            volatile char *d = i->data;
            while (*d)
                *d++ = 0;
        }
    curl_slist_free_all(l);
}

/* Append one "name: value" line; an empty value needs curl's "name;" form. */
static struct curl_slist *add_line(struct curl_slist *l, const char *line, int *fail)
{
    char tmp[FCP_EGRESS_HEADER_NAME_MAX + 2];
    size_t len = strlen(line);
    struct curl_slist *n;
    if (len >= 2 && line[len - 1] == ' ' && line[len - 2] == ':' && len - 2 <= FCP_EGRESS_HEADER_NAME_MAX) {
        memcpy(tmp, line, len - 2);
        tmp[len - 2] = ';';
        tmp[len - 1] = 0;
        n = curl_slist_append(l, tmp);
    } else {
        n = curl_slist_append(l, line);
    }
    if (!n) {
        *fail = 1;
        return l;
    }
    return n;
}

int fcp_egress_curl_transport(void *ctx, const fcp_egress_plan *plan, fcp_egress_result *res)
{
    const fcp_egress_curl *cc = ctx;
    struct curl_slist *hdrs = NULL, *resolve = NULL;
    xfer x = { plan, res, 0, 0 };
    int fail = 0, rc;
    long status = 0;
    CURL *h = curl_easy_init();
    if (!h)
        return FCP_ENOMEM;
    const char *line = (const char *)plan->headers.data;
    for (size_t i = 0; i < plan->n_header_lines && line; i++) {
        hdrs = add_line(hdrs, line, &fail);
        line += strlen(line) + 1;
    }
    hdrs = add_line(hdrs, "Expect:", &fail);       /* no 100-continue round trip */
    if (plan->sni && plan->resolve_entry[0]) {
        struct curl_slist *r = curl_slist_append(NULL, plan->resolve_entry);
        if (!r)
            fail = 1;
        resolve = r;
    }
    if (fail) {
        rc = FCP_ENOMEM;
        goto out;
    }
    const char *proto = plan->url.https ? "https" : "http";
    curl_easy_setopt(h, CURLOPT_URL, (const char *)plan->url_text.data);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, proto);
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, proto);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
    if (resolve)
        curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(h, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &x);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (cc && cc->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, cc->ca_file);
    if (plan->pins[0])
        curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, plan->pins);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)plan->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)plan->total_timeout_ms);
    if (!plan->truncate_oversize)
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)plan->max_response_bytes);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    if (strcmp(plan->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(plan->method, "GET") == 0 && plan->body_len == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)plan->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, plan->body_len ? (const char *)plan->body : "");
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, plan->method);
    }
    rc = map_curl(curl_easy_perform(h), &x);
    if (rc == 0) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (status < 100 || status > 599)
            rc = FCP_EEGRESS_RESPONSE;
        else
            res->status = (uint16_t)status;
    }
out:
    curl_easy_cleanup(h);
    slist_wipe_free(hdrs);
    curl_slist_free_all(resolve);
    return rc;
}
