/*
 * net_http_curl.c - the HTTP client adapter (net_http.h) over libcurl: one
 * planned HTTP/1.1 exchange, nothing else.  Moved here from host/
 * (ADR 0004): net/ is the only layer that touches sockets.
 *
 * What the upper layer decided is enforced again at the socket: the name
 * resolves only to the given address (CURLOPT_RESOLVE), and the open-socket
 * callback refuses any connect to another address, so a DNS answer that
 * changes between check and connect (rebinding) cannot redirect the
 * transfer.  Redirects are off, proxies from the environment and .netrc are
 * ignored, only the given scheme is enabled, TLS verification is on with SNI
 * = the URL's host, SPKI pins go to CURLOPT_PINNEDPUBLICKEY, HTTP/1.1 only
 * (no HTTP/2, whose HPACK tables would hold header values in nghttp2's own
 * memory), and headers and body stream into the caller's sinks.
 *
 * Secrets (D-EGRESS-7): fcp_http_global_init installs allocation functions
 * that wipe every block libcurl frees, or leaves behind when it grows a
 * buffer (curl_global_init_mem), and the same for OpenSSL when its
 * CRYPTO_set_mem_functions can still be set (looked up with dlsym, so
 * libfcp does not link libcrypto itself).  Header lines are also wiped in
 * the curl_slist before it is freed.
 */
#include "fcp/net_http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fcp/error.h"

/* ---- wiping allocators ------------------------------------------------------ */

static unsigned g_wipe;
static int g_inited;

void fcp_http_wipe_free(void *p)
{
    if (!p) return;
    explicit_bzero(p, malloc_usable_size(p));
    free(p);
}

static void *w_malloc(size_t n) { return malloc(n); }

static void *w_calloc(size_t n, size_t s) { return calloc(n, s); }

/* Never let realloc move a block and leave the old copy behind. */
static void *w_realloc(void *p, size_t n)
{
    if (!p) return malloc(n ? n : 1);
    if (n == 0) {               /* realloc(p, 0): free, as OpenSSL expects */
        fcp_http_wipe_free(p);
        return NULL;
    }
    size_t have = malloc_usable_size(p);
    if (n <= have) return p;
    void *q = malloc(n);
    if (!q) return NULL;
    memcpy(q, p, have);
    fcp_http_wipe_free(p);
    return q;
}

static unsigned long g_strdups;   /* proves libcurl calls our functions */

static char *w_strdup(const char *s)
{
    g_strdups++;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* OpenSSL 3 signatures (file/line arguments unused). */
static void *o_malloc(size_t n, const char *f, int l)
{
    (void)f;
    (void)l;
    return malloc(n ? n : 1);
}

static void *o_realloc(void *p, size_t n, const char *f, int l)
{
    (void)f;
    (void)l;
    return w_realloc(p, n);
}

static void o_free(void *p, const char *f, int l)
{
    (void)f;
    (void)l;
    fcp_http_wipe_free(p);
}

typedef int (*crypto_set_mem_fn)(void *(*)(size_t, const char *, int),
                                 void *(*)(void *, size_t, const char *, int),
                                 void (*)(void *, const char *, int));

int fcp_http_global_init(void)
{
    if (g_inited) return 0;
    /* OpenSSL first: it refuses once it has allocated anything */
    union { void *p; crypto_set_mem_fn f; } sym;
    sym.p = dlsym(RTLD_DEFAULT, "CRYPTO_set_mem_functions");
    if (sym.p && sym.f(o_malloc, o_realloc, o_free) == 1) g_wipe |= FCP_HTTP_WIPE_OPENSSL;
    /* curl_global_init_mem does nothing (and keeps the plain allocators) if
     * libcurl was already initialised: check that ours are in place */
    if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, w_malloc, fcp_http_wipe_free, w_realloc, w_strdup,
                             w_calloc) != CURLE_OK)
        return FCP_EINTERNAL;
    unsigned long before = g_strdups;
    struct curl_slist *probe = curl_slist_append(NULL, "probe");
    if (probe && g_strdups != before) g_wipe |= FCP_HTTP_WIPE_CURL;
    curl_slist_free_all(probe);
    g_inited = 1;
    return 0;
}

void fcp_http_global_cleanup(void)
{
    if (!g_inited) return;
    curl_global_cleanup();
    g_inited = 0;
    g_wipe &= ~FCP_HTTP_WIPE_CURL;
}

unsigned fcp_http_wipe_status(void) { return g_wipe; }

/* ---- one exchange ------------------------------------------------------------ */

typedef struct xfer {
    const fcp_http_xfer *x;
    const fcp_http_sink *sink;
    int err;                 /* first error from a sink */
    int wrong_addr;          /* the open-socket check refused an address */
} xfer;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    xfer *t = ud;
    size_t len = size * n;
    int rc = t->sink->body ? t->sink->body(t->sink->ud, p, len) : 0;
    if (rc < 0) {
        if (!t->err) t->err = rc;
        return 0;            /* abort: CURLE_WRITE_ERROR */
    }
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    xfer *t = ud;
    size_t len = size * n;
    int rc = 0;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        if (t->sink->status_line) rc = t->sink->status_line(t->sink->ud);
    } else {
        const char *colon = memchr(p, ':', len);
        if (colon && t->sink->header)  /* else blank line or folded continuation: ignored */
            rc = t->sink->header(t->sink->ud, p, (size_t)(colon - p), colon + 1, len - (size_t)(colon - p) - 1);
    }
    if (rc < 0) {
        if (!t->err) t->err = rc;
        return 0;
    }
    return len;
}

/* Connect only to the address the caller checked. */
static curl_socket_t on_open(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    xfer *t = ud;
    int ok = 0;
    if (purpose == CURLSOCKTYPE_IPCXN) {
        if (a->family == AF_INET && t->x->family == 4) {
            const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->addr;
            ok = memcmp(&s4->sin_addr, t->x->ip, 4) == 0;
        } else if (a->family == AF_INET6 && t->x->family == 6) {
            const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->addr;
            ok = memcmp(&s6->sin6_addr, t->x->ip, 16) == 0;
        }
    }
    if (!ok) {
        t->wrong_addr = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static int map_curl(CURLcode c, const xfer *t)
{
    if (t->err) return t->err;
    if (t->wrong_addr) return FCP_EEGRESS_CONNECT;
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
        if (i->data) explicit_bzero(i->data, strlen(i->data));
    curl_slist_free_all(l);
}

/* Append one "name: value" line; an empty value needs curl's "name;" form. */
static struct curl_slist *add_line(struct curl_slist *l, const char *line, int *fail)
{
    char tmp[256];
    size_t len = strlen(line);
    struct curl_slist *n;
    if (len >= 2 && line[len - 1] == ' ' && line[len - 2] == ':' && len - 2 < sizeof tmp - 1) {
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

int fcp_http_perform(const fcp_http_xfer *x, const fcp_http_sink *sink, long *status)
{
    struct curl_slist *hdrs = NULL, *resolve = NULL;
    xfer t = {x, sink, 0, 0};
    int fail = 0, rc;
    *status = 0;
    if (!g_inited && (rc = fcp_http_global_init()) < 0) return rc;
    CURL *h = curl_easy_init();
    if (!h) return FCP_ENOMEM;
    const char *line = x->header_lines;
    for (size_t i = 0; i < x->n_headers && line; i++) {
        hdrs = add_line(hdrs, line, &fail);
        line += strlen(line) + 1;
    }
    hdrs = add_line(hdrs, "Expect:", &fail);       /* no 100-continue round trip */
    if (x->resolve_entry && x->resolve_entry[0]) {
        resolve = curl_slist_append(NULL, x->resolve_entry);
        if (!resolve) fail = 1;
    }
    if (fail) {
        rc = FCP_ENOMEM;
        goto out;
    }
    const char *proto = x->https ? "https" : "http";
    curl_easy_setopt(h, CURLOPT_URL, x->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, proto);
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, proto);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
    if (resolve) curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(h, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (x->ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, x->ca_file);
    if (x->pins && x->pins[0]) curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, x->pins);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)x->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)x->total_timeout_ms);
    if (x->max_file_size) curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_file_size);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    if (strcmp(x->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(x->method, "GET") == 0 && x->body_len == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body_len ? (const char *)x->body : "");
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, x->method);
    }
    rc = map_curl(curl_easy_perform(h), &t);
    if (rc == 0) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
        if (*status < 100 || *status > 599) rc = FCP_EEGRESS_RESPONSE;
    }
out:
    curl_easy_cleanup(h);
    slist_wipe_free(hdrs);
    curl_slist_free_all(resolve);
    return rc;
}
