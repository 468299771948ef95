/*
 * net_http.h - the HTTP client adapter of net/ (libcurl; ARCHITECTURE.md:
 * net/ is "the only place that touches sockets ... HTTP client (libcurl)").
 *
 * It performs exactly one HTTP/1.1 exchange that an upper layer has already
 * decided on (the egress proxy's plan, host_egress.h): connect only to the
 * given address (CURLOPT_RESOLVE pin plus an open-socket check), no
 * redirects, no environment proxies or .netrc, only the given scheme, TLS
 * verification on with SNI = the URL's host, optional SPKI pins, timeouts,
 * and response headers and body streamed into the caller's sinks.  It makes
 * no policy decision of its own.
 *
 * Secrets (D-EGRESS-7).  The URL and header lines may carry a credential.
 * The adapter copies them only into libcurl, and fcp_http_global_init
 * installs allocation functions that wipe every block libcurl (and, when it
 * can be hooked, OpenSSL) frees or moves, so libcurl's copies of the URL,
 * query, request line and header buffers do not survive the transfer in
 * freed memory.  The caller wipes its own buffers.
 */
#ifndef FCP_NET_HTTP_H
#define FCP_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* Bits of fcp_http_wipe_status(). */
#define FCP_HTTP_WIPE_CURL    1u  /* libcurl allocates through the wiping functions */
#define FCP_HTTP_WIPE_OPENSSL 2u  /* OpenSSL (libcurl's TLS) does too */

/* Once per process, before any other thread uses libcurl: install the wiping
 * allocators, then curl_global_init.  Idempotent.  0 or FCP_EINTERNAL.
 * fcp_http_perform calls it itself if nobody did (single-threaded use). */
int fcp_http_global_init(void);
void fcp_http_global_cleanup(void);
/* Which allocators wipe (FCP_HTTP_WIPE_* bits); 0 before init, or when
 * libcurl had been initialised by someone else first. */
unsigned fcp_http_wipe_status(void);

/* Wipe and free: the free function the allocator hooks use (exposed for
 * tests: p must come from malloc). */
void fcp_http_wipe_free(void *p);

/* Sinks.  Return 0 to continue, a negative FCP code to abort the transfer
 * (that code is returned by fcp_http_perform). */
typedef struct fcp_http_sink {
    /* a status line ("HTTP/..."): headers of a 1xx before it are void */
    int (*status_line)(void *ud);
    /* one "name: value" header line, split at the first ':' (value not trimmed) */
    int (*header)(void *ud, const char *name, size_t name_len, const char *value, size_t value_len);
    int (*body)(void *ud, const void *p, size_t n);
    void *ud;
} fcp_http_sink;

typedef struct fcp_http_xfer {
    const char    *method;            /* GET HEAD POST PUT PATCH DELETE OPTIONS */
    const char    *url;               /* NUL-terminated; may hold a credential */
    int            https;             /* 1: only https enabled, 0: only http */
    const char    *resolve_entry;     /* "host:port:addr" (CURLOPT_RESOLVE) or NULL */
    int            family;            /* 4 or 6: the only address connected to */
    uint8_t        ip[16];
    const char    *header_lines;      /* n_headers "name: value\0" lines, back to back */
    size_t         n_headers;
    const uint8_t *body;
    size_t         body_len;
    const char    *pins;              /* "sha256//A=;sha256//B=" or NULL/"" */
    const char    *ca_file;           /* NULL: system store */
    uint32_t       connect_timeout_ms, total_timeout_ms;
    uint64_t       max_file_size;     /* 0: none (the body sink enforces caps) */
} fcp_http_xfer;

/* Perform the exchange; *status gets the final HTTP status.  0, a sink's
 * error, or FCP_EEGRESS_PIN / _TLS / _TIMEOUT / _CONNECT (including a
 * connect to any other address) / _RESPONSE_TOO_LARGE / _TRANSFER /
 * _RESPONSE (status outside 100..599), FCP_ENOMEM. */
int fcp_http_perform(const fcp_http_xfer *x, const fcp_http_sink *sink, long *status);

#endif
