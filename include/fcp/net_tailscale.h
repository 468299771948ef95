/*
 * net_tailscale.h - discovery hints from tailscaled's LocalAPI (spec §19.1,
 * §5.4): a small HTTP/1.1 client over its unix socket, strict and bounded
 * parsers of GET /localapi/v0/status (Self and the Peer map: HostName,
 * DNSName, TailscaleIPs, Tags, Online) and /localapi/v0/whois?addr=IP:port,
 * and the tag -> zone mapping.
 *
 * What comes from tailscaled is a HINT, never authority (D-TS-1): fcpd uses
 * it only to find addresses of peers whose owner-signed attestation it
 * already holds; the FCP handshake then decides.  So the parsers are strict
 * about types and sizes (a hostile or buggy tailscaled cannot make the node
 * misbehave) but lenient about fields they do not use (tailscaled adds
 * fields between versions).
 *
 * Rules (D-TS-2): the response must be HTTP/1.x with status 200 (other
 * statuses: FCP_ETS_STATUS); the body is delimited by Content-Length,
 * chunked transfer coding, or the end of the connection (the request says
 * Connection: close); headers at most FCP_TS_HEADER_MAX bytes, the body at
 * most the caller's limit (default FCP_TS_BODY_MAX): FCP_ETS_TOO_LARGE.
 * JSON: one object (jansson: duplicate keys refused, no NUL in strings,
 * jansson's own nesting bound).  Used fields must have the documented type when
 * present (FCP_ETS_SCHEMA): Self object (required), Peer object or null,
 * each node an object with HostName/DNSName strings (<= 255 bytes),
 * TailscaleIPs an array of at most FCP_TS_MAX_IPS IP address strings, Tags
 * null or an array of at most FCP_TS_MAX_TAGS strings (<= 128 bytes each),
 * Online a boolean.  More than max_peers peers: FCP_ETS_TOO_MANY_PEERS.
 *
 * Errors: FCP_ETS_* (6306-6313), FCP_ENOMEM, FCP_EINVAL.
 */
#ifndef FCP_NET_TAILSCALE_H
#define FCP_NET_TAILSCALE_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_ids.h"

#define FCP_TS_DEFAULT_SOCKET "/var/run/tailscale/tailscaled.sock"
#define FCP_TS_HOST_HEADER    "local-tailscaled.sock"
#define FCP_TS_HEADER_MAX     16384u        /* bytes of status line + headers */
#define FCP_TS_BODY_MAX       (4u << 20)    /* default bound on a body */
#define FCP_TS_MAX_PEERS      1024u         /* default bound on the Peer map */
#define FCP_TS_MAX_IPS        8u
#define FCP_TS_MAX_TAGS       32u
#define FCP_TS_NAME_MAX       255u          /* HostName, DNSName, login names */
#define FCP_TS_TAG_MAX        128u
#define FCP_TS_IP_TEXT_MAX    45u           /* INET6_ADDRSTRLEN - 1 */
#define FCP_TS_KEY_MAX        128u          /* Peer map keys ("nodekey:<hex>") */
#define FCP_TS_PATH_MAX       256u

/* One node of the tailnet as tailscaled describes it. */
typedef struct fcp_ts_node {
    char    key[FCP_TS_KEY_MAX + 1];             /* the Peer map key ("" for Self) */
    char    host_name[FCP_TS_NAME_MAX + 1];
    char    dns_name[FCP_TS_NAME_MAX + 1];
    size_t  n_ips;
    char    ips[FCP_TS_MAX_IPS][FCP_TS_IP_TEXT_MAX + 1];  /* canonical text (inet_ntop) */
    size_t  n_tags;
    char    tags[FCP_TS_MAX_TAGS][FCP_TS_TAG_MAX + 1];
    int     online;
} fcp_ts_node;

typedef struct fcp_ts_status {
    char         backend_state[32];              /* "Running", ... ("" if absent) */
    fcp_ts_node  self;
    size_t       n_peers;
    fcp_ts_node *peers;                          /* sorted by key; fcp_ts_status_free */
} fcp_ts_status;

/* WhoIs: identity hints for an address (never authority). */
typedef struct fcp_ts_whois {
    char   node_name[FCP_TS_NAME_MAX + 1];       /* Node.Name (DNS name) */
    char   login_name[FCP_TS_NAME_MAX + 1];      /* UserProfile.LoginName ("" if absent) */
    size_t n_tags;
    char   tags[FCP_TS_MAX_TAGS][FCP_TS_TAG_MAX + 1];
    size_t n_addrs;
    char   addrs[FCP_TS_MAX_IPS][FCP_TS_IP_TEXT_MAX + 4];   /* Node.Addresses (prefixes) */
} fcp_ts_whois;

typedef struct fcp_ts_limits {
    size_t   max_body;        /* 0: FCP_TS_BODY_MAX */
    size_t   max_peers;       /* 0: FCP_TS_MAX_PEERS */
} fcp_ts_limits;

/* ---- HTTP/1.1 ------------------------------------------------------------- */

/* "GET <path> HTTP/1.1\r\nHost: local-tailscaled.sock\r\n..." into out; its
 * length, or FCP_EINVAL (path not "/localapi/..." of printable ASCII without
 * spaces, or out too small). */
int fcp_ts_http_request(char *out, size_t cap, const char *path);

/* Decode a response received so far, in[0..len); eof says the peer closed.
 * Returns 1 when complete (*status set, body holds the de-chunked body),
 * 0 when more bytes are needed, or FCP_ETS_HTTP / FCP_ETS_TOO_LARGE.
 * max_body 0 means FCP_TS_BODY_MAX.  body is reset first. */
int fcp_ts_http_response(const uint8_t *in, size_t len, int eof, size_t max_body, int *status, fcp_buf *body);

/* Blocking GET over the unix socket at socket_path (NULL: the default), at
 * most timeout_ms in all: 0 with the 200 body in body (reset first), or
 * FCP_ETS_CONNECT / FCP_ETS_IO / FCP_ETS_HTTP / FCP_ETS_STATUS (*http_status
 * set when not NULL) / FCP_ETS_TOO_LARGE. */
int fcp_ts_get(const char *socket_path, const char *path, int timeout_ms, size_t max_body, fcp_buf *body,
               int *http_status);

/* ---- LocalAPI documents ------------------------------------------------------ */

/* Parse a /localapi/v0/status body.  lim may be NULL.  On success the caller
 * frees with fcp_ts_status_free; on error *st is left empty. */
int  fcp_ts_status_parse(const uint8_t *json, size_t len, const fcp_ts_limits *lim, fcp_ts_status *st);
void fcp_ts_status_free(fcp_ts_status *st);

/* Parse a /localapi/v0/whois body. */
int fcp_ts_whois_parse(const uint8_t *json, size_t len, fcp_ts_whois *w);

/* The whois path for ip:port ("/localapi/v0/whois?addr=<ip>:<port>", IPv6 in
 * brackets); its length or FCP_EINVAL (ip not an IP address). */
int fcp_ts_whois_path(char *out, size_t cap, const char *ip, uint16_t port);

/* ---- tags -> zones (spec §5.4, D-MODEL-3, D-TS-1) ------------------------------ */

/* The zones a node's tags name: each tag that D-MODEL-3 maps back to a zone
 * ("tag:fcp-work" -> "z:work", "tag:fcp-proj-x" -> "z:project:x"), in tag
 * order without duplicates; other tags are ignored.  At most cap zones:
 * their count. */
size_t fcp_ts_node_zones(const fcp_ts_node *n, char (*zones)[FCP_ZONE_ID_MAX + 1], size_t cap);

/* ---- candidate peers (D-TS-1) ---------------------------------------------------- */

/*
 * A tailnet peer is a candidate FCP peer when it is Online, at least one of
 * its tags maps to a zone in served[], it has a Tailscale IP (the first IPv4
 * one, else the first IPv6 one), and its node id hint - HostName, else the
 * first label of DNSName - is a valid node id that is not self_id and for
 * which known(ctx, id) returns 1 (fcpd: an owner-verified attestation is
 * held).  Each node id appears once (the lowest Peer key wins).  The
 * candidate only says where to knock; the FCP handshake proves who answers.
 */
typedef struct fcp_ts_candidate {
    char   node_id[FCP_NODE_ID_MAX + 1];
    char   ip[FCP_TS_IP_TEXT_MAX + 1];
    size_t n_zones;                               /* tag zones that are served */
    char   zones[FCP_TS_MAX_TAGS][FCP_ZONE_ID_MAX + 1];
    const fcp_ts_node *node;                      /* into the status */
} fcp_ts_candidate;

typedef int (*fcp_ts_known_fn)(void *ctx, const char *node_id);

/* Candidates of st in Peer key order, at most cap: their count. */
size_t fcp_ts_candidates(const fcp_ts_status *st, const char *self_id, const char (*served)[FCP_ZONE_ID_MAX + 1],
                         size_t n_served, fcp_ts_known_fn known, void *ctx, fcp_ts_candidate *out, size_t cap);

#endif
