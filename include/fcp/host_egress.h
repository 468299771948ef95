/*
 * host_egress.h - the egress proxy (spec §11.2 network guard, §11.2.1
 * EgressHttpRequest; review Change 6 "secretless connectors").
 *
 * A connector runs in an empty network namespace; its only way out is to hand
 * the node an EgressHttpRequest.  The proxy decides, with a pure policy
 * engine, whether that request may leave, and on which exact address; an
 * adapter (host_egress_http.c over net/net_http_curl.c, libcurl) then
 * performs the one transfer the engine planned.  The split keeps every security decision testable without
 * a network: the engine gets DNS answers from a resolver callback, secrets
 * from a secret-provider callback and responses from a transport callback.
 *
 * Order of checks (docs/egress.md; every denial has its own FCP-43xx code and
 * bumps a counter):
 *   1. request shape: method, headers (no Host, framing or hop-by-hop),
 *      limits                                       (decoder / validate)
 *   2. constraints present and with timeouts        (configuration errors)
 *   3. URL canonicalisation: scheme, no userinfo, ASCII only (punycode),
 *      no decimal/octal/hex IPv4 forms, lowercase, trailing dot stripped
 *   4. scheme allow (https; http only if the proxy config allows it)
 *   5. IP-literal rule (literal hosts only when listed in ip_allow),
 *      require_sni (an IP literal has no SNI)
 *   6. host_allow, port_allow                       (before any DNS)
 *   7. credential: credential_allow, CredentialObject host_allow,
 *      collision with a connector header or query parameter
 *   8. DNS through the resolver callback: at least one answer, at most
 *      max_dns_answers
 *   9. EVERY address: unspecified, loopback, metadata, link-local, multicast,
 *      reserved, tailnet/CGNAT, private, cidr_deny (IPv4-mapped, -compatible,
 *      NAT64 and 6to4 IPv6 forms are judged by the IPv4 they carry)
 *  10. the transfer connects to the first checked address only (pinned, so a
 *      second DNS answer cannot swap it), SNI = canonical host, SPKI pins,
 *      timeouts, response cap; redirects are never followed by the transport
 *      but re-planned here from step 3, hop by hop, up to max_redirects.
 *
 * Secrets: the materialised secret lives only in a plan (fcp_egress_plan),
 * which the proxy wipes after the transfer; it is never logged, never part of
 * an error, and any echo of it in the response is overwritten before the
 * response reaches the connector.
 */
#ifndef FCP_HOST_EGRESS_H
#define FCP_HOST_EGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/log.h"
#include "fcp/model_cap.h"

/* ---- limits (D-EGRESS-2) -------------------------------------------------- */
#define FCP_EGRESS_URL_MAX          4096
#define FCP_EGRESS_METHOD_MAX       7            /* "OPTIONS" */
#define FCP_EGRESS_MAX_HEADERS      64
#define FCP_EGRESS_HEADER_NAME_MAX  128
#define FCP_EGRESS_HEADER_VALUE_MAX 8192
#define FCP_EGRESS_HEADER_BYTES_MAX (64 * 1024)  /* sum of names and values */
#define FCP_EGRESS_REQ_BODY_MAX     ((size_t)8 << 20)
#define FCP_EGRESS_RESP_BODY_MAX    ((size_t)64 << 20)  /* hard ceiling of any cap */
#define FCP_EGRESS_ENCODED_MAX      (FCP_EGRESS_RESP_BODY_MAX + 2 * FCP_EGRESS_HEADER_BYTES_MAX)
#define FCP_EGRESS_MAX_DNS          16           /* resolver answers kept */
#define FCP_EGRESS_HOST_MAX         253

/* ---- EgressHttpRequest / EgressHttpResponse (D-EGRESS-1) ------------------ */

/* One header: views (not NUL-terminated).  Names are lowercase tokens. */
typedef struct fcp_egress_header {
    const char *name;
    size_t      name_len;
    const char *value;
    size_t      value_len;
} fcp_egress_header;

/* Views into caller memory (a decoded buffer, or strings the caller owns). */
typedef struct fcp_egress_request {
    const char *method;
    size_t      method_len;
    const char *url;
    size_t      url_len;
    size_t      n_headers;
    fcp_egress_header headers[FCP_EGRESS_MAX_HEADERS];
    const uint8_t *body;
    size_t      body_len;
    int         has_credential;
    const char *credential;       /* CredentialId, e.g. "cred:github.token" */
    size_t      credential_len;
} fcp_egress_request;

typedef struct fcp_egress_response {
    uint16_t    status;           /* 100..599 */
    size_t      n_headers;
    fcp_egress_header headers[FCP_EGRESS_MAX_HEADERS];
    const uint8_t *body;
    size_t      body_len;
    int         truncated;        /* body cut at the cap (truncate mode only) */
} fcp_egress_response;

/* Check a request against the shape rules and limits: method one of GET HEAD
 * POST PUT PATCH DELETE OPTIONS (FCP_EEGRESS_METHOD); URL 1..URL_MAX printable
 * ASCII (FCP_EEGRESS_LIMIT / FCP_EEGRESS_URL); header names lowercase RFC 9110
 * tokens, values visible ASCII, space or tab without leading/trailing
 * whitespace (FCP_EEGRESS_HEADER); no host, content-length, transfer-encoding,
 * connection, keep-alive, te, trailer, upgrade, expect, proxy-* header
 * (FCP_EEGRESS_HEADER_FORBIDDEN); counts and sizes within the limits above
 * (FCP_EEGRESS_LIMIT); credential a valid CredentialId (FCP_EEGRESS_REQUEST). */
int fcp_egress_request_validate(const fcp_egress_request *r);
/* Response rules: status 100..599, header names and values as above (no
 * forbidden-name rule), counts/sizes within limits, body <= RESP_BODY_MAX. */
int fcp_egress_response_validate(const fcp_egress_response *r);

/* Canonical CBOR (validates first; appends to out). */
int fcp_egress_request_encode(const fcp_egress_request *r, fcp_buf *out);
int fcp_egress_response_encode(const fcp_egress_response *r, fcp_buf *out);
/* Strict decoders: exactly one canonical map of the known keys, then
 * validate.  r points into p[0..n), which must outlive it.  Errors:
 * FCP_ECBOR_*, FCP_EUNKNOWN_FIELD, FCP_EMISSING_FIELD, FCP_EEGRESS_REQUEST
 * (wrong type, empty optional), the validate errors.  *r is zeroed on error. */
int fcp_egress_request_decode(fcp_egress_request *r, const uint8_t *p, size_t n);
int fcp_egress_response_decode(fcp_egress_response *r, const uint8_t *p, size_t n);

/* ---- URL canonicaliser (pure) --------------------------------------------- */
enum fcp_egress_host_kind { FCP_EGRESS_HOST_NAME = 0, FCP_EGRESS_HOST_IPV4 = 4, FCP_EGRESS_HOST_IPV6 = 6 };

typedef struct fcp_egress_url {
    int      https;                       /* 1 https, 0 http */
    int      host_kind;                   /* enum fcp_egress_host_kind */
    char     host[FCP_EGRESS_HOST_MAX + 1];  /* lowercase, no trailing dot; IPv6 without [] */
    uint8_t  ip[16];                      /* literal hosts: 4 or 16 bytes */
    uint16_t port;                        /* explicit or the scheme default */
    char     target[FCP_EGRESS_URL_MAX + 1]; /* "/path?query" (fragment dropped), never empty */
} fcp_egress_url;

/* Parse url[0..n) into its canonical parts.  Errors: FCP_EEGRESS_URL (not
 * absolute http(s), bad port, control or non-ASCII characters in the path,
 * backslash), FCP_EEGRESS_USERINFO, FCP_EEGRESS_HOST_IDNA, FCP_EEGRESS_HOST,
 * FCP_EEGRESS_HOST_NUMERIC ("2130706433", "0x7f.1", "0177.0.0.1", "127.1"),
 * FCP_EEGRESS_LIMIT. */
int fcp_egress_url_parse(const char *url, size_t n, fcp_egress_url *u);
/* Canonical text "scheme://host[:port]target" (IPv6 in brackets, default
 * port omitted) into out (NUL-terminated); FCP_EBUFFER_TOO_SMALL. */
int fcp_egress_url_format(const fcp_egress_url *u, char *out, size_t cap);

/* ---- address classifier (pure) -------------------------------------------- */
typedef struct fcp_egress_addr {
    int     family;    /* 4 or 6 */
    uint8_t ip[16];
} fcp_egress_addr;

/* Proxy-level knobs the spec's NetworkConstraints do not carry (upstream's
 * dns_max_ips, max_redirects, max_response_bytes); defaults from
 * fcp_egress_config_default. */
typedef struct fcp_egress_config {
    uint32_t max_dns_answers;     /* 1..FCP_EGRESS_MAX_DNS, default 16 */
    uint32_t max_redirects;       /* default 5 */
    uint64_t max_response_bytes;  /* 1..RESP_BODY_MAX, default 10 MiB */
    int      truncate_oversize;   /* 0 (default): a body over the cap fails with
                                     FCP_EEGRESS_RESPONSE_TOO_LARGE; 1: cut, truncated=1 */
    int      allow_http;          /* default 0: https only */
    /* TEST ONLY: exempt loopback (127.0.0.0/8, ::1) from deny_localhost and
     * cidr_deny so tests can reach a server on 127.0.0.1.  fcpd never sets
     * it; nothing in the configuration file maps to it. */
    int      test_allow_loopback;
} fcp_egress_config;

void fcp_egress_config_default(fcp_egress_config *c);
/* FCP_EEGRESS_CONFIG when a field is out of range. */
int fcp_egress_config_validate(const fcp_egress_config *c);

/* 0 if the address may be connected to under n and cfg, else the denial
 * (FCP_EEGRESS_UNSPECIFIED ... FCP_EEGRESS_CIDR_DENY).  Class checks apply
 * to the embedded IPv4 of mapped/compatible/NAT64/6to4 IPv6 forms as well. */
int fcp_egress_addr_check(const fcp_net_constraints *n, const fcp_egress_config *cfg,
                          const fcp_egress_addr *a);
/* Textual form (inet_ntop) into out[46]. */
void fcp_egress_addr_format(const fcp_egress_addr *a, char out[46]);

/* ---- callbacks -------------------------------------------------------------- */

/* Resolve host (canonical, NUL-terminated) into out[0..max); *n answers.
 * Return 0, or a negative error (the proxy reports FCP_EEGRESS_DNS).  The
 * node backs it with getaddrinfo in net/; tests inject answers. */
typedef int (*fcp_egress_resolve_fn)(void *ctx, const char *host, fcp_egress_addr *out, size_t max,
                                     size_t *n);

/* Look up a CredentialObject (already signature-verified by the caller's
 * store) by id; NULL if unknown. */
typedef const fcp_credential_object *(*fcp_egress_credential_fn)(void *ctx, const char *credential_id);

/* Materialise the secret named secret_id into out (a heap fcp_buf the proxy
 * owns and wipes with fcp_buf_free_secret).  out already has
 * FCP_EGRESS_HEADER_VALUE_MAX bytes reserved and that as its max, so
 * appending never moves (and leaves behind) secret bytes; a longer secret
 * fails.  Keep any copy the provider makes itself wiped.  0 or a negative
 * error. */
typedef int (*fcp_egress_secret_fn)(void *ctx, const char *secret_id, fcp_buf *out);

/* ---- plan: the one transfer the engine allows ------------------------------ */
typedef struct fcp_egress_plan {
    fcp_egress_url url;                    /* canonical, before credential injection */
    char     method[FCP_EGRESS_METHOD_MAX + 1];
    fcp_buf  url_text;                     /* NUL-terminated URL to request (may hold a
                                              query-parameter secret: wiped on free) */
    fcp_egress_addr addr;                  /* the checked address to connect to */
    char     addr_text[46];
    char     resolve_entry[FCP_EGRESS_HOST_MAX + 64]; /* "host:port:addr" for CURLOPT_RESOLVE */
    fcp_buf  headers;                      /* "name: value\0" lines, NUL-separated
                                              (may hold the injected secret: wiped) */
    size_t   n_header_lines;
    const uint8_t *body;                   /* view into the request */
    size_t   body_len;
    char     pins[FCP_NET_MAX_PINS * (FCP_NET_PIN_MAX + 9)]; /* "sha256//A=;sha256//B=" or "" */
    uint32_t connect_timeout_ms, total_timeout_ms;
    uint64_t max_response_bytes;
    int      truncate_oversize;
    int      sni;                          /* 1: name host, SNI = url.host */
    fcp_buf  secret;                       /* raw secret bytes for echo redaction (wiped) */
} fcp_egress_plan;

void fcp_egress_plan_init(fcp_egress_plan *p);
/* Wipe every secret-bearing buffer and free. */
void fcp_egress_plan_free(fcp_egress_plan *p);

/* What the transport hands back for one hop (owned, freed by
 * fcp_egress_result_free).  Header storage is NUL-separated name\0value\0. */
typedef struct fcp_egress_result {
    uint16_t status;
    fcp_buf  header_data;
    fcp_buf  body;
    int      truncated;
    char     location[FCP_EGRESS_URL_MAX + 1];   /* Location of a 3xx, "" if none */
} fcp_egress_result;

void fcp_egress_result_init(fcp_egress_result *r);
void fcp_egress_result_free(fcp_egress_result *r);
/* Append one response header (name lowercased, value trimmed).  Headers
 * that are not valid (control bytes, non-ASCII) or hop-by-hop are dropped
 * silently; FCP_EEGRESS_LIMIT when count or bytes exceed the limits. */
int fcp_egress_result_add_header(fcp_egress_result *r, const char *name, size_t name_len,
                                 const char *value, size_t value_len);
/* Capped body sink: append p[0..n) unless the body would exceed cap.
 * Returns 0, or FCP_EEGRESS_RESPONSE_TOO_LARGE (in truncate mode the body is
 * filled up to cap and truncated set first). */
int fcp_egress_result_append_body(fcp_egress_result *r, uint64_t cap, int truncate,
                                  const void *p, size_t n);

/* Perform exactly the planned transfer, never following redirects.  0 or a
 * negative FCP_EEGRESS_* (TLS, PIN, TIMEOUT, CONNECT, TRANSFER,
 * RESPONSE_TOO_LARGE).  host_egress_http.c provides the libcurl one. */
typedef int (*fcp_egress_transport_fn)(void *ctx, const fcp_egress_plan *plan, fcp_egress_result *res);

/* ---- the proxy ---------------------------------------------------------------- */
#define FCP_EGRESS_NCODES 43   /* FCP-4300 .. FCP-4342 */

typedef struct fcp_egress_stats {
    uint64_t allowed;             /* hops planned */
    uint64_t completed;           /* requests answered */
    uint64_t denied[FCP_EGRESS_NCODES];  /* by code - 4300 */
    uint64_t other_errors;        /* failures outside the egress block */
} fcp_egress_stats;

typedef struct fcp_egress_proxy {
    fcp_egress_config       cfg;
    fcp_egress_resolve_fn   resolve;     void *resolve_ctx;
    fcp_egress_credential_fn credential; void *credential_ctx;
    fcp_egress_secret_fn    secret;      void *secret_ctx;
    fcp_egress_transport_fn transport;   void *transport_ctx;
    const fcp_logger       *log;         /* NULL: no logging */
    fcp_egress_stats        stats;
} fcp_egress_proxy;

/* Zero *px and set the default config. */
void fcp_egress_proxy_init(fcp_egress_proxy *px);

/* Steps 1-9 for one hop: decide whether req may leave under caps and, if so,
 * fill plan (which the caller frees with fcp_egress_plan_free, also on
 * error).  Pure apart from the callbacks.  Counts the outcome. */
int fcp_egress_plan_request(fcp_egress_proxy *px, const fcp_cap_constraints *caps,
                            const fcp_egress_request *req, fcp_egress_plan *plan);

/* Full request: plan, transport, and for 301/302/303/307/308 with a Location
 * re-plan the next hop (relative Locations resolved against the current URL;
 * 301/302/303 become GET without body, except HEAD) up to max_redirects
 * (FCP_EEGRESS_REDIRECT_LIMIT).  On success *res holds the final hop's
 * response with every echo of the injected secret overwritten by '*'; the
 * caller frees it.  Every plan is wiped before return. */
int fcp_egress_execute(fcp_egress_proxy *px, const fcp_cap_constraints *caps,
                       const fcp_egress_request *req, fcp_egress_result *res);

/* View a result as an EgressHttpResponse (points into res). */
int fcp_egress_result_view(const fcp_egress_result *res, fcp_egress_response *out);

/* Counter of one denial code (0 for codes outside the block). */
uint64_t fcp_egress_denied_count(const fcp_egress_proxy *px, int code);

/* ---- libcurl transport (host_egress_http.c over net_http.h) ---------------- */

/* Call once per process before threads and before anything else initialises
 * libcurl or OpenSSL: installs the wiping allocators (D-EGRESS-7), then
 * curl_global_init (fcp_http_global_init).  0 or FCP_EINTERNAL. */
int fcp_egress_curl_global_init(void);
void fcp_egress_curl_global_cleanup(void);

/* Adapter context: an optional CA bundle path (tests use their self-signed
 * certificate; NULL = system store). */
typedef struct fcp_egress_curl {
    const char *ca_file;
} fcp_egress_curl;

/* fcp_egress_transport_fn over libcurl; ctx is a fcp_egress_curl *. */
int fcp_egress_curl_transport(void *ctx, const fcp_egress_plan *plan, fcp_egress_result *res);

#endif
