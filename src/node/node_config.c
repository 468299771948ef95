/*
 * node_config.c - fcpd.toml -> fcp_config (include/fcp/config.h).
 *
 * Layer: node/ holds what a MeshNode needs before any protocol runs (its
 * configuration); it uses codec/ (the TOML parser) and model/ (zone and
 * node id grammars) and is used by cmd/fcpd and, later, mesh/.  It is not in
 * store/ because nothing here is about objects or SQLite.
 *
 * Shape: the TOML document is parsed strictly, then each table is checked
 * against a schema (unknown keys and wrong types refused with the key path
 * and line), values are read over the defaults and checked one by one, and
 * finally the rules that involve several keys are checked (peers within
 * max_peers, per-peer quarantine within the total, peer and quota zones
 * among the served zones, zone quotas within the store quota).  Each rule
 * has its own error code and a message naming the key and line.
 */
#include "fcp/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/hex.h"

/* ---- defaults ------------------------------------------------------------ */

#define DEFAULT_PORT 7447   /* D-TOML-3 */

static void set_addr(fcp_config_addr *a, const char *host, uint16_t port, int v6)
{
    memset(a, 0, sizeof *a);
    snprintf(a->host, sizeof a->host, "%s", host);
    a->port = port;
    a->is_ipv6 = v6;
}

void fcp_config_defaults(fcp_config *cfg, const char *default_data_dir)
{
    memset(cfg, 0, sizeof *cfg);
    if (default_data_dir)
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", default_data_dir);
    cfg->n_listen = 1;
    set_addr(&cfg->listen[0], "0.0.0.0", DEFAULT_PORT, 0);
    cfg->metrics_enabled = 0;
    set_addr(&cfg->metrics, "127.0.0.1", 9464, 0);
    cfg->n_zones = 2;
    strcpy(cfg->zones[0], FCP_ZONE_OWNER);
    strcpy(cfg->zones[1], FCP_ZONE_PRIVATE);
    cfg->max_peers = 64;
    cfg->peer_memory_bytes = 64ull << 20;
    cfg->quarantine_bytes = 256ull << 20;
    cfg->quarantine_bytes_per_peer = 32ull << 20;
    cfg->quarantine_objects_per_peer = 4096;
    cfg->store_quota_bytes = 0;
    /* spec §8.4 PeerBudget defaults */
    cfg->max_bytes_per_min = 64ull << 20;
    cfg->max_symbols_per_min = 200000;
    cfg->max_failed_auth_per_min = 100;
    cfg->max_inflight_decodes = 32;
    cfg->max_decode_cpu_ms_per_min = 5000;
    cfg->require_authenticated_requests = 1;
    /* [quic] */
    cfg->quic_enabled = 0;
    cfg->quic_datagrams = 1;
    cfg->quic_idle_timeout_ms = 30000;
    cfg->quic_keepalive_ms = 10000;
    cfg->quic_max_udp_payload = 1452;
    /* [tailscale] */
    cfg->tailscale_enabled = 0;
    snprintf(cfg->tailscale_socket, sizeof cfg->tailscale_socket, "%s", "/var/run/tailscale/tailscaled.sock");
    cfg->tailscale_poll_secs = 60;
    cfg->tailscale_port = 0;
}

int fcp_config_default_data_dir(char *out, size_t outlen, const char *fcp_data, const char *home)
{
    int n;
    if (fcp_data && *fcp_data)
        n = snprintf(out, outlen, "%s", fcp_data);
    else if (home && *home)
        n = snprintf(out, outlen, "%s/.local/share/fcp", home);
    else
        return FCP_ECONFIG_PATH;
    if (n < 0 || (size_t)n >= outlen)
        return FCP_EBUFFER_TOO_SMALL;
    return out[0] == '/' ? 0 : FCP_ECONFIG_PATH;
}

/* ---- small parsers ---------------------------------------------------------- */

int fcp_config_parse_size(const char *t, size_t len, uint64_t *out)
{
    static const struct { const char *u; unsigned shift; } units[] = {
        { "B", 0 }, { "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 }, { "TiB", 40 },
    };
    size_t i = 0;
    uint64_t v = 0;
    if (len == 0 || t[0] < '0' || t[0] > '9')
        return FCP_ECONFIG_VALUE;
    while (i < len && t[i] >= '0' && t[i] <= '9') {
        uint64_t d = (uint64_t)(t[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return FCP_ECONFIG_VALUE;
        v = v * 10 + d;
        i++;
    }
    if (i < len && t[i] == ' ')
        i++;
    unsigned shift = 0;
    if (i < len) {
        size_t rest = len - i;
        int found = 0;
        for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
            if (strlen(units[k].u) == rest && memcmp(t + i, units[k].u, rest) == 0) {
                shift = units[k].shift;
                found = 1;
            }
        if (!found)
            return FCP_ECONFIG_VALUE;
    } else if (i > 0 && t[i - 1] == ' ') {
        return FCP_ECONFIG_VALUE;
    }
    if (shift && v > (UINT64_MAX >> shift))
        return FCP_ECONFIG_VALUE;
    *out = v << shift;
    return 0;
}

static int dns_name_ok(const char *h, size_t n)
{
    if (n == 0 || n > FCP_CONFIG_HOST_MAX)
        return 0;
    size_t lab = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? h[i] : '.';
        if (c == '.') {
            if (lab == 0 || lab > 63 || h[i - 1] == '-' || h[i - lab] == '-')
                return 0;
            lab = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
        lab++;
    }
    return 1;
}

int fcp_config_parse_addr(fcp_config_addr *a, const char *t, size_t len, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    memset(a, 0, sizeof *a);
    if (len == 0 || memchr(t, '\0', len)) {
        *why = "empty address";
        return FCP_ECONFIG_ADDRESS;
    }
    const char *host, *colon;
    size_t hl;
    if (t[0] == '[') {
        const char *rb = memchr(t, ']', len);
        if (!rb) {
            *why = "missing ']' after an IPv6 address";
            return FCP_ECONFIG_ADDRESS;
        }
        host = t + 1;
        hl = (size_t)(rb - host);
        colon = rb + 1 < t + len && rb[1] == ':' ? rb + 1 : NULL;
        if (!colon) {
            *why = "expected ':port' after ']'";
            return FCP_ECONFIG_ADDRESS;
        }
        char tmp[64];
        struct in6_addr in6;
        if (hl == 0 || hl >= sizeof tmp) {
            *why = "invalid IPv6 address";
            return FCP_ECONFIG_ADDRESS;
        }
        memcpy(tmp, host, hl);
        tmp[hl] = '\0';
        if (inet_pton(AF_INET6, tmp, &in6) != 1) {
            *why = "invalid IPv6 address";
            return FCP_ECONFIG_ADDRESS;
        }
        a->is_ipv6 = 1;
    } else {
        colon = NULL;
        for (size_t i = len; i-- > 0;)
            if (t[i] == ':') {
                colon = t + i;
                break;
            }
        if (!colon) {
            *why = "expected host:port";
            return FCP_ECONFIG_ADDRESS;
        }
        host = t;
        hl = (size_t)(colon - t);
        if (memchr(host, ':', hl)) {
            *why = "IPv6 addresses must be written in brackets: [addr]:port";
            return FCP_ECONFIG_ADDRESS;
        }
        int dotted = hl > 0;
        for (size_t i = 0; i < hl; i++)
            if (!((host[i] >= '0' && host[i] <= '9') || host[i] == '.'))
                dotted = 0;
        if (dotted) {
            char tmp[32];
            struct in_addr in4;
            if (hl >= sizeof tmp) {
                *why = "invalid IPv4 address";
                return FCP_ECONFIG_ADDRESS;
            }
            memcpy(tmp, host, hl);
            tmp[hl] = '\0';
            if (inet_pton(AF_INET, tmp, &in4) != 1) {
                *why = "invalid IPv4 address";
                return FCP_ECONFIG_ADDRESS;
            }
        } else if (!dns_name_ok(host, hl)) {
            *why = "invalid host name";
            return FCP_ECONFIG_ADDRESS;
        }
    }
    const char *p = colon + 1;
    size_t pl = (size_t)(t + len - p);
    unsigned long port = 0;
    if (pl == 0 || pl > 5 || (pl > 1 && p[0] == '0')) {
        *why = "port must be a number 1..65535 without leading zeros";
        return FCP_ECONFIG_ADDRESS;
    }
    for (size_t i = 0; i < pl; i++) {
        if (p[i] < '0' || p[i] > '9') {
            *why = "port must be a number 1..65535 without leading zeros";
            return FCP_ECONFIG_ADDRESS;
        }
        port = port * 10 + (unsigned long)(p[i] - '0');
    }
    if (port == 0 || port > 65535) {
        *why = "port must be a number 1..65535 without leading zeros";
        return FCP_ECONFIG_ADDRESS;
    }
    memcpy(a->host, host, hl);
    a->host[hl] = '\0';
    a->port = (uint16_t)port;
    return 0;
}

int fcp_config_format_addr(const fcp_config_addr *a, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, a->is_ipv6 ? "[%s]:%u" : "%s:%u", a->host, (unsigned)a->port);
    return n < 0 || (size_t)n >= outlen ? FCP_EBUFFER_TOO_SMALL : n;
}

static int addr_equal(const fcp_config_addr *a, const fcp_config_addr *b)
{
    return a->port == b->port && a->is_ipv6 == b->is_ipv6 && strcmp(a->host, b->host) == 0;
}

/* ---- reading the document ------------------------------------------------------ */

typedef struct rd {
    const fcp_toml_doc *doc;
    fcp_toml_error     *err;
    char                pb[200];
} rd;

static const char *path_of(rd *R, const fcp_toml_node *n) { return fcp_toml_path(n, R->pb, sizeof R->pb); }

static int want_string(rd *R, const fcp_toml_node *n, const char **s, size_t *len)
{
    if (fcp_toml_type_of(n) != FCP_TOML_STRING)
        return fcp_toml_fail(R->err, R->doc, n, FCP_ETOML_WRONG_TYPE, "key '%s' must be a string, got %s",
                             path_of(R, n), fcp_toml_type_name(fcp_toml_type_of(n)));
    fcp_toml_string(n, s, len);
    if (memchr(*s, '\0', *len))
        return fcp_toml_fail(R->err, R->doc, n, FCP_ETOML_RANGE, "key '%s' must not contain a NUL character",
                             path_of(R, n));
    return 0;
}

/* A size: integer bytes (>= 0) or a string with a unit; in [min, max]. */
static int get_size(rd *R, const fcp_toml_node *t, const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
    const fcp_toml_node *n = fcp_toml_table_get(t, key);
    if (!n)
        return 0;
    uint64_t v;
    if (fcp_toml_type_of(n) == FCP_TOML_INTEGER) {
        int64_t i;
        fcp_toml_int(n, &i);
        if (i < 0)
            return fcp_toml_fail(R->err, R->doc, n, FCP_ETOML_RANGE, "key '%s' must not be negative", path_of(R, n));
        v = (uint64_t)i;
    } else if (fcp_toml_type_of(n) == FCP_TOML_STRING) {
        const char *s;
        size_t l;
        int r = want_string(R, n, &s, &l);
        if (r)
            return r;
        if (fcp_config_parse_size(s, l, &v) != 0)
            return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_VALUE,
                                 "key '%s' must be a size like 65536, \"64 MiB\" or \"1GiB\", got \"%.40s\"",
                                 path_of(R, n), s);
    } else {
        return fcp_toml_fail(R->err, R->doc, n, FCP_ETOML_WRONG_TYPE,
                             "key '%s' must be a size (an integer or a string like \"64 MiB\"), got %s",
                             path_of(R, n), fcp_toml_type_name(fcp_toml_type_of(n)));
    }
    if (v < min || v > max)
        return fcp_toml_fail(R->err, R->doc, n, FCP_ETOML_RANGE,
                             "key '%s' must be between %llu and %llu bytes, got %llu", path_of(R, n),
                             (unsigned long long)min, (unsigned long long)max, (unsigned long long)v);
    *out = v;
    return 0;
}

static int get_u32(rd *R, const fcp_toml_node *t, const char *key, int64_t min, int64_t max, uint32_t *out)
{
    int64_t v;
    int r = fcp_toml_get_int(R->doc, t, key, min, max, &v, R->err);
    if (r == 0)
        *out = (uint32_t)v;
    return r < 0 ? r : 0;
}

static int get_u64(rd *R, const fcp_toml_node *t, const char *key, int64_t min, int64_t max, uint64_t *out)
{
    int64_t v;
    int r = fcp_toml_get_int(R->doc, t, key, min, max, &v, R->err);
    if (r == 0)
        *out = (uint64_t)v;
    return r < 0 ? r : 0;
}

/* Array of strings under key: calls each(R, elem, s, len, ctx) per element. */
typedef int (*str_fn)(rd *R, const fcp_toml_node *n, const char *s, size_t len, void *ctx);

static int each_string(rd *R, const fcp_toml_node *arr, size_t max, const char *what, str_fn fn, void *ctx)
{
    size_t n = fcp_toml_array_len(arr);
    if (n > max)
        return fcp_toml_fail(R->err, R->doc, arr, FCP_ETOML_RANGE, "key '%s' lists %zu %s, at most %zu allowed",
                             path_of(R, arr), n, what, max);
    for (size_t i = 0; i < n; i++) {
        const fcp_toml_node *e = fcp_toml_array_at(arr, i);
        const char *s;
        size_t l;
        int r = want_string(R, e, &s, &l);
        if (r || (r = fn(R, e, s, l, ctx)) != 0)
            return r;
    }
    return 0;
}

/* ---- sections ---------------------------------------------------------------------- */

static int is_served(const fcp_config *cfg, const char *z, size_t zl)
{
    for (size_t i = 0; i < cfg->n_zones; i++)
        if (strlen(cfg->zones[i]) == zl && memcmp(cfg->zones[i], z, zl) == 0)
            return 1;
    return 0;
}

static int zone_ok(rd *R, const fcp_toml_node *n, const char *s, size_t l)
{
    int r = fcp_zone_id_validate(s, l);
    if (r)
        return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_ZONE, "key '%s': \"%.70s\" is not a valid zone id (%s)",
                             path_of(R, n), s, fcp_strerror(r));
    return 0;
}

static int add_served(rd *R, const fcp_toml_node *n, const char *s, size_t l, void *ctx)
{
    fcp_config *cfg = ctx;
    int r = zone_ok(R, n, s, l);
    if (r)
        return r;
    if (is_served(cfg, s, l))
        return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_ZONE, "key '%s': zone \"%s\" is listed twice",
                             path_of(R, n), s);
    memcpy(cfg->zones[cfg->n_zones], s, l);
    cfg->zones[cfg->n_zones][l] = '\0';
    cfg->n_zones++;
    return 0;
}

static int add_listen(rd *R, const fcp_toml_node *n, const char *s, size_t l, void *ctx)
{
    fcp_config *cfg = ctx;
    const char *why;
    fcp_config_addr a;
    if (fcp_config_parse_addr(&a, s, l, &why) != 0)
        return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_ADDRESS, "key '%s': \"%.80s\": %s", path_of(R, n), s, why);
    for (size_t i = 0; i < cfg->n_listen; i++)
        if (addr_equal(&cfg->listen[i], &a))
            return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_ADDRESS, "key '%s': address \"%s\" is listed twice",
                                 path_of(R, n), s);
    cfg->listen[cfg->n_listen++] = a;
    return 0;
}

struct peer_ctx { fcp_config *cfg; fcp_config_peer *p; };

static int add_peer_zone(rd *R, const fcp_toml_node *n, const char *s, size_t l, void *ctx)
{
    struct peer_ctx *c = ctx;
    int r = zone_ok(R, n, s, l);
    if (r)
        return r;
    if (!is_served(c->cfg, s, l))
        return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_ZONE,
                             "key '%s': zone \"%s\" is not served by this node (add it to zones.serve)",
                             path_of(R, n), s);
    for (size_t i = 0; i < c->p->n_zones; i++)
        if (strcmp(c->p->zones[i], s) == 0)
            return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_ZONE, "key '%s': zone \"%s\" is listed twice",
                                 path_of(R, n), s);
    memcpy(c->p->zones[c->p->n_zones], s, l);
    c->p->zones[c->p->n_zones][l] = '\0';
    c->p->n_zones++;
    return 0;
}

static int read_node(rd *R, fcp_config *cfg, const fcp_toml_node *t)
{
    static const fcp_toml_field f[] = { { "id", FCP_TOML_STRING, 0 }, { "data_dir", FCP_TOML_STRING, 0 } };
    int r = fcp_toml_check_table(R->doc, t, f, 2, R->err);
    if (r)
        return r;
    const fcp_toml_node *n = fcp_toml_table_get(t, "id");
    if (n) {
        const char *s;
        size_t l;
        if ((r = want_string(R, n, &s, &l)) != 0)
            return r;
        if (fcp_node_id_validate(s, l) != 0)
            return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_PEER,
                                 "key '%s': \"%.80s\" is not a valid node id (1-128 of A-Z a-z 0-9 . _ : -, "
                                 "alphanumeric at both ends)", path_of(R, n), s);
        memcpy(cfg->node_id, s, l);
        cfg->node_id[l] = '\0';
    }
    if ((n = fcp_toml_table_get(t, "data_dir")) != NULL) {
        const char *s;
        size_t l;
        if ((r = want_string(R, n, &s, &l)) != 0)
            return r;
        if (l == 0 || s[0] != '/')
            return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_PATH, "key '%s' must be an absolute path, got \"%.80s\"",
                                 path_of(R, n), s);
        if (l > FCP_CONFIG_PATH_MAX)
            return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_PATH, "key '%s' is longer than %d bytes", path_of(R, n),
                                 FCP_CONFIG_PATH_MAX);
        if (strstr(s, "/../") || (l >= 3 && strcmp(s + l - 3, "/..") == 0))
            return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_PATH, "key '%s' must not contain '..' components",
                                 path_of(R, n));
        memcpy(cfg->data_dir, s, l);
        cfg->data_dir[l] = '\0';
    }
    return 0;
}

static int read_listen(rd *R, fcp_config *cfg, const fcp_toml_node *t)
{
    static const fcp_toml_field f[] = { { "addresses", FCP_TOML_ARRAY, 1 } };
    int r = fcp_toml_check_table(R->doc, t, f, 1, R->err);
    if (r)
        return r;
    const fcp_toml_node *a = fcp_toml_table_get(t, "addresses");
    if (fcp_toml_array_len(a) == 0)
        return fcp_toml_fail(R->err, R->doc, a, FCP_ECONFIG_ADDRESS, "key '%s' must list at least one address",
                             path_of(R, a));
    cfg->n_listen = 0;
    return each_string(R, a, FCP_CONFIG_MAX_LISTEN, "addresses", add_listen, cfg);
}

static int read_metrics(rd *R, fcp_config *cfg, const fcp_toml_node *t)
{
    static const fcp_toml_field f[] = { { "enabled", FCP_TOML_BOOL, 0 }, { "address", FCP_TOML_STRING, 0 } };
    int r = fcp_toml_check_table(R->doc, t, f, 2, R->err);
    if (r)
        return r;
    const fcp_toml_node *n = fcp_toml_table_get(t, "address");
    if (n) {
        const char *s, *why;
        size_t l;
        if ((r = want_string(R, n, &s, &l)) != 0)
            return r;
        if (fcp_config_parse_addr(&cfg->metrics, s, l, &why) != 0)
            return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_ADDRESS, "key '%s': \"%.80s\": %s", path_of(R, n), s,
                                 why);
        cfg->metrics_enabled = 1;
    }
    int en;
    r = fcp_toml_get_bool(R->doc, t, "enabled", &en, R->err);
    if (r < 0)
        return r;
    if (r == 0)
        cfg->metrics_enabled = en;
    return 0;
}

static int read_zones(rd *R, fcp_config *cfg, const fcp_toml_node *t)
{
    static const fcp_toml_field f[] = { { "serve", FCP_TOML_ARRAY, 1 } };
    int r = fcp_toml_check_table(R->doc, t, f, 1, R->err);
    if (r)
        return r;
    const fcp_toml_node *a = fcp_toml_table_get(t, "serve");
    if (fcp_toml_array_len(a) == 0)
        return fcp_toml_fail(R->err, R->doc, a, FCP_ECONFIG_ZONE, "key '%s' must list at least one zone", path_of(R, a));
    cfg->n_zones = 0;
    return each_string(R, a, FCP_CONFIG_MAX_ZONES, "zones", add_served, cfg);
}

static int read_peers(rd *R, fcp_config *cfg, const fcp_toml_node *arr)
{
    static const fcp_toml_field f[] = {
        { "id", FCP_TOML_STRING, 1 }, { "address", FCP_TOML_STRING, 1 }, { "zones", FCP_TOML_ARRAY, 0 },
    };
    size_t n = fcp_toml_array_len(arr);
    if (n > FCP_CONFIG_MAX_PEERS)
        return fcp_toml_fail(R->err, R->doc, arr, FCP_ECONFIG_PEER, "%zu static peers listed, at most %d allowed", n,
                             FCP_CONFIG_MAX_PEERS);
    for (size_t i = 0; i < n; i++) {
        const fcp_toml_node *t = fcp_toml_array_at(arr, i);
        if (fcp_toml_type_of(t) != FCP_TOML_TABLE)
            return fcp_toml_fail(R->err, R->doc, t, FCP_ETOML_WRONG_TYPE, "key '%s' must be a table ([[peers]]), got %s",
                                 path_of(R, t), fcp_toml_type_name(fcp_toml_type_of(t)));
        int r = fcp_toml_check_table(R->doc, t, f, 3, R->err);
        if (r)
            return r;
        fcp_config_peer *p = &cfg->peers[cfg->n_peers];
        memset(p, 0, sizeof *p);
        const fcp_toml_node *idn = fcp_toml_table_get(t, "id");
        const char *s, *why;
        size_t l;
        if ((r = want_string(R, idn, &s, &l)) != 0)
            return r;
        if (fcp_node_id_validate(s, l) != 0)
            return fcp_toml_fail(R->err, R->doc, idn, FCP_ECONFIG_PEER, "key '%s': \"%.80s\" is not a valid node id",
                                 path_of(R, idn), s);
        for (size_t k = 0; k < cfg->n_peers; k++)
            if (strcmp(cfg->peers[k].id, s) == 0)
                return fcp_toml_fail(R->err, R->doc, idn, FCP_ECONFIG_PEER, "key '%s': peer \"%s\" is listed twice",
                                     path_of(R, idn), s);
        if (cfg->node_id[0] && strcmp(cfg->node_id, s) == 0)
            return fcp_toml_fail(R->err, R->doc, idn, FCP_ECONFIG_PEER,
                                 "key '%s': peer \"%s\" is this node (node.id)", path_of(R, idn), s);
        memcpy(p->id, s, l);
        p->id[l] = '\0';
        const fcp_toml_node *an = fcp_toml_table_get(t, "address");
        if ((r = want_string(R, an, &s, &l)) != 0)
            return r;
        if (fcp_config_parse_addr(&p->addr, s, l, &why) != 0)
            return fcp_toml_fail(R->err, R->doc, an, FCP_ECONFIG_ADDRESS, "key '%s': \"%.80s\": %s", path_of(R, an), s,
                                 why);
        for (size_t k = 0; k < cfg->n_peers; k++)
            if (addr_equal(&cfg->peers[k].addr, &p->addr))
                return fcp_toml_fail(R->err, R->doc, an, FCP_ECONFIG_PEER,
                                     "key '%s': address \"%s\" is already used by peer \"%s\"", path_of(R, an), s,
                                     cfg->peers[k].id);
        const fcp_toml_node *zn = fcp_toml_table_get(t, "zones");
        if (zn) {
            struct peer_ctx c = { cfg, p };
            if ((r = each_string(R, zn, FCP_CONFIG_MAX_PEER_ZONES, "zones", add_peer_zone, &c)) != 0)
                return r;
        }
        cfg->n_peers++;
    }
    return 0;
}

static int read_limits(rd *R, fcp_config *cfg, const fcp_toml_node *t)
{
    static const fcp_toml_field f[] = {
        { "max_peers", FCP_TOML_INTEGER, 0 },
        { "peer_memory_bytes", 0, 0 },
        { "quarantine_bytes", 0, 0 },
        { "quarantine_bytes_per_peer", 0, 0 },
        { "quarantine_objects_per_peer", FCP_TOML_INTEGER, 0 },
        { "store_quota_bytes", 0, 0 },
        { "zone_quota", FCP_TOML_TABLE, 0 },
    };
    int r = fcp_toml_check_table(R->doc, t, f, sizeof f / sizeof f[0], R->err);
    const uint64_t KiB = 1024, MiB = 1024 * KiB, TiB = MiB * MiB;
    if (r || (r = get_u32(R, t, "max_peers", 1, 4096, &cfg->max_peers)) != 0 ||
        (r = get_size(R, t, "peer_memory_bytes", 64 * KiB, 4096 * MiB, &cfg->peer_memory_bytes)) != 0 ||
        (r = get_size(R, t, "quarantine_bytes", 0, 64 * TiB, &cfg->quarantine_bytes)) != 0 ||
        (r = get_size(R, t, "quarantine_bytes_per_peer", 0, 64 * TiB, &cfg->quarantine_bytes_per_peer)) != 0 ||
        (r = get_u32(R, t, "quarantine_objects_per_peer", 0, 1000000, &cfg->quarantine_objects_per_peer)) != 0 ||
        (r = get_size(R, t, "store_quota_bytes", 0, 1024 * TiB, &cfg->store_quota_bytes)) != 0)
        return r;
    if (cfg->store_quota_bytes != 0 && cfg->store_quota_bytes < MiB)
        return fcp_toml_fail(R->err, R->doc, fcp_toml_table_get(t, "store_quota_bytes"), FCP_ETOML_RANGE,
                             "key 'limits.store_quota_bytes' must be 0 (no quota) or at least 1 MiB");
    const fcp_toml_node *zq = fcp_toml_table_get(t, "zone_quota");
    size_t nq = fcp_toml_table_len(zq);
    cfg->n_zone_quotas = 0;
    for (size_t i = 0; i < nq; i++) {
        const char *k;
        size_t kl;
        const fcp_toml_node *v = fcp_toml_table_at(zq, i, &k, &kl);
        if ((r = zone_ok(R, v, k, kl)) != 0)
            return r;
        if (!is_served(cfg, k, kl))
            return fcp_toml_fail(R->err, R->doc, v, FCP_ECONFIG_ZONE,
                                 "key '%s': zone \"%s\" is not served by this node (add it to zones.serve)",
                                 path_of(R, v), k);
        fcp_config_zone_quota *q = &cfg->zone_quotas[cfg->n_zone_quotas];
        memcpy(q->zone, k, kl);
        q->zone[kl] = '\0';
        if ((r = get_size(R, zq, q->zone, MiB, 1024 * TiB, &q->max_bytes)) != 0)
            return r;
        if (cfg->store_quota_bytes && q->max_bytes > cfg->store_quota_bytes)
            return fcp_toml_fail(R->err, R->doc, v, FCP_ECONFIG_LIMITS,
                                 "key '%s' (%llu bytes) is larger than limits.store_quota_bytes (%llu bytes)",
                                 path_of(R, v), (unsigned long long)q->max_bytes,
                                 (unsigned long long)cfg->store_quota_bytes);
        cfg->n_zone_quotas++;
    }
    if (cfg->quarantine_bytes_per_peer > cfg->quarantine_bytes)
        return fcp_toml_fail(R->err, R->doc, t, FCP_ECONFIG_LIMITS,
                             "limits.quarantine_bytes_per_peer (%llu) is larger than limits.quarantine_bytes (%llu)",
                             (unsigned long long)cfg->quarantine_bytes_per_peer,
                             (unsigned long long)cfg->quarantine_bytes);
    return 0;
}

static int read_admission(rd *R, fcp_config *cfg, const fcp_toml_node *t)
{
    static const fcp_toml_field f[] = {
        { "max_bytes_per_min", 0, 0 },
        { "max_symbols_per_min", FCP_TOML_INTEGER, 0 },
        { "max_failed_auth_per_min", FCP_TOML_INTEGER, 0 },
        { "max_inflight_decodes", FCP_TOML_INTEGER, 0 },
        { "max_decode_cpu_ms_per_min", FCP_TOML_INTEGER, 0 },
        { "require_authenticated_requests", FCP_TOML_BOOL, 0 },
    };
    int r = fcp_toml_check_table(R->doc, t, f, sizeof f / sizeof f[0], R->err);
    int b;
    if (r || (r = get_size(R, t, "max_bytes_per_min", 1024, 1ull << 40, &cfg->max_bytes_per_min)) != 0 ||
        (r = get_u32(R, t, "max_symbols_per_min", 1, 100000000, &cfg->max_symbols_per_min)) != 0 ||
        (r = get_u32(R, t, "max_failed_auth_per_min", 0, 1000000, &cfg->max_failed_auth_per_min)) != 0 ||
        (r = get_u32(R, t, "max_inflight_decodes", 1, 4096, &cfg->max_inflight_decodes)) != 0 ||
        (r = get_u64(R, t, "max_decode_cpu_ms_per_min", 1, 60000, &cfg->max_decode_cpu_ms_per_min)) != 0)
        return r;
    r = fcp_toml_get_bool(R->doc, t, "require_authenticated_requests", &b, R->err);
    if (r < 0)
        return r;
    if (r == 0)
        cfg->require_authenticated_requests = b;
    return 0;
}

/* ---- [quic] (docs/quic.md) ------------------------------------------------------ */

static int read_quic(rd *R, fcp_config *cfg, const fcp_toml_node *t)
{
    static const fcp_toml_field f[] = {
        { "listen", FCP_TOML_STRING, 1 },         { "datagrams", FCP_TOML_BOOL, 0 },
        { "idle_timeout_ms", FCP_TOML_INTEGER, 0 }, { "keepalive_ms", FCP_TOML_INTEGER, 0 },
        { "max_udp_payload", FCP_TOML_INTEGER, 0 }, { "dial", FCP_TOML_TABLE, 0 },
    };
    int r = fcp_toml_check_table(R->doc, t, f, sizeof f / sizeof f[0], R->err);
    const fcp_toml_node *n = fcp_toml_table_get(t, "listen"), *dial;
    const char *s, *why;
    size_t l, nd;
    int b;
    if (r || (r = want_string(R, n, &s, &l)) != 0)
        return r;
    if (fcp_config_parse_addr(&cfg->quic_listen, s, l, &why) != 0)
        return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_ADDRESS, "key '%s': \"%.80s\": %s", path_of(R, n), s,
                             why);
    cfg->quic_enabled = 1;
    if ((r = get_u64(R, t, "idle_timeout_ms", 1000, 600000, &cfg->quic_idle_timeout_ms)) != 0 ||
        (r = get_u64(R, t, "keepalive_ms", 0, 600000, &cfg->quic_keepalive_ms)) != 0 ||
        (r = get_u32(R, t, "max_udp_payload", 1200, 1452, &cfg->quic_max_udp_payload)) != 0)
        return r;
    if (cfg->quic_keepalive_ms >= cfg->quic_idle_timeout_ms)
        return fcp_toml_fail(R->err, R->doc, fcp_toml_table_get(t, "keepalive_ms"), FCP_ECONFIG_LIMITS,
                             "quic.keepalive_ms (%llu) must be shorter than quic.idle_timeout_ms (%llu)",
                             (unsigned long long)cfg->quic_keepalive_ms,
                             (unsigned long long)cfg->quic_idle_timeout_ms);
    r = fcp_toml_get_bool(R->doc, t, "datagrams", &b, R->err);
    if (r < 0)
        return r;
    if (r == 0)
        cfg->quic_datagrams = b;
    /* [quic.dial] <peer id> = "host:port": needs [[peers]] read first */
    dial = fcp_toml_table_get(t, "dial");
    nd = fcp_toml_table_len(dial);
    cfg->n_quic_dial = 0;
    for (size_t i = 0; i < nd; i++) {
        const char *k;
        size_t kl, p;
        const fcp_toml_node *v = fcp_toml_table_at(dial, i, &k, &kl);
        for (p = 0; p < cfg->n_peers; p++)
            if (strlen(cfg->peers[p].id) == kl && memcmp(cfg->peers[p].id, k, kl) == 0)
                break;
        if (p == cfg->n_peers)
            return fcp_toml_fail(R->err, R->doc, v, FCP_ECONFIG_PEER,
                                 "key '%s': \"%.*s\" is not a [[peers]] id", path_of(R, v), (int)(kl > 80 ? 80 : kl), k);
        if ((r = want_string(R, v, &s, &l)) != 0)
            return r;
        fcp_config_quic_dial *d = &cfg->quic_dial[cfg->n_quic_dial];
        if (fcp_config_parse_addr(&d->addr, s, l, &why) != 0)
            return fcp_toml_fail(R->err, R->doc, v, FCP_ECONFIG_ADDRESS, "key '%s': \"%.80s\": %s", path_of(R, v),
                                 s, why);
        memcpy(d->id, k, kl);
        d->id[kl] = '\0';
        cfg->n_quic_dial++;
    }
    return 0;
}

/* ---- [tailscale]: discovery hints from tailscaled (D-TS-1) ------------------------ */

static int read_tailscale(rd *R, fcp_config *cfg, const fcp_toml_node *t)
{
    static const fcp_toml_field f[] = {
        { "enabled", FCP_TOML_BOOL, 0 }, { "socket", FCP_TOML_STRING, 0 },
        { "poll_secs", FCP_TOML_INTEGER, 0 }, { "port", FCP_TOML_INTEGER, 0 },
    };
    int r = fcp_toml_check_table(R->doc, t, f, sizeof f / sizeof f[0], R->err);
    if (r)
        return r;
    const fcp_toml_node *n = fcp_toml_table_get(t, "socket");
    if (n) {
        const char *s;
        size_t l;
        if ((r = want_string(R, n, &s, &l)) != 0)
            return r;
        /* a unix socket path: absolute, and short enough for sun_path */
        if (l == 0 || s[0] != '/' || l > 107 || memchr(s, '\0', l))
            return fcp_toml_fail(R->err, R->doc, n, FCP_ECONFIG_PATH,
                                 "key '%s' must be an absolute unix socket path of at most 107 bytes",
                                 path_of(R, n));
        memcpy(cfg->tailscale_socket, s, l);
        cfg->tailscale_socket[l] = '\0';
    }
    uint32_t port = cfg->tailscale_port;
    if ((r = get_u32(R, t, "poll_secs", 5, 86400, &cfg->tailscale_poll_secs)) != 0 ||
        (r = get_u32(R, t, "port", 1, 65535, &port)) != 0)
        return r;
    cfg->tailscale_port = (uint16_t)port;
    int en;
    r = fcp_toml_get_bool(R->doc, t, "enabled", &en, R->err);
    if (r < 0)
        return r;
    cfg->tailscale_enabled = r == 0 ? en : 1;   /* a [tailscale] table without 'enabled' turns it on */
    return 0;
}

/* ---- [[connector]] and [[credential]] (connector runtime) ------------------------ */

/* A string key copied into out[cap]; absent: left as is.  Refuses empty and
 * too long values. */
static int get_str(rd *R, const fcp_toml_node *t, const char *key, char *out, size_t cap)
{
    const fcp_toml_node *n = fcp_toml_table_get(t, key);
    if (!n)
        return 0;
    const char *s;
    size_t l;
    int r = want_string(R, n, &s, &l);
    if (r)
        return r;
    if (l == 0 || l >= cap)
        return fcp_toml_fail(R->err, R->doc, n, FCP_ETOML_RANGE, "key '%s' must be 1..%zu bytes long",
                             path_of(R, n), cap - 1);
    memcpy(out, s, l);
    out[l] = '\0';
    return 0;
}

static int get_hex(rd *R, const fcp_toml_node *t, const char *key, uint8_t *out, size_t n, int *has)
{
    const fcp_toml_node *v = fcp_toml_table_get(t, key);
    if (!v)
        return 0;
    const char *s;
    size_t l;
    int r = want_string(R, v, &s, &l);
    if (r)
        return r;
    size_t got = 0;
    if (l != 2 * n || fcp_hex_decode(out, n, &got, s, l) != 0 || got != n)
        return fcp_toml_fail(R->err, R->doc, v, FCP_ERT_CONFIG, "key '%s' must be %zu hex digits",
                             path_of(R, v), 2 * n);
    if (has)
        *has = 1;
    return 0;
}

static int conn_id_ok(const char *s, size_t l)
{
    /* the manifest rule: lowercase letters, digits, '.', '_', '-'; starts with a letter */
    if (l == 0 || l > FCP_CONFIG_CONN_ID_MAX || s[0] < 'a' || s[0] > 'z')
        return 0;
    for (size_t i = 0; i < l; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' ||
              s[i] == '-'))
            return 0;
    return 1;
}

static int read_connectors(rd *R, fcp_config *cfg, const fcp_toml_node *arr)
{
    static const fcp_toml_field f[] = {
        { "id", FCP_TOML_STRING, 1 },          { "manifest", FCP_TOML_STRING, 1 },
        { "binary", FCP_TOML_STRING, 1 },      { "signature", FCP_TOML_STRING, 1 },
        { "publisher_key", FCP_TOML_STRING, 0 }, { "zone", FCP_TOML_STRING, 0 },
        { "state_dir", FCP_TOML_STRING, 0 },   { "restart", FCP_TOML_STRING, 0 },
        { "restart_initial_ms", FCP_TOML_INTEGER, 0 }, { "restart_max_ms", FCP_TOML_INTEGER, 0 },
        { "restart_stable_ms", FCP_TOML_INTEGER, 0 },  { "max_restarts", FCP_TOML_INTEGER, 0 },
        { "health_interval_ms", FCP_TOML_INTEGER, 0 },
    };
    size_t n = fcp_toml_array_len(arr);
    if (n > FCP_CONFIG_MAX_CONNECTORS)
        return fcp_toml_fail(R->err, R->doc, arr, FCP_ERT_CONFIG, "%zu connectors listed, at most %d allowed", n,
                             FCP_CONFIG_MAX_CONNECTORS);
    for (size_t i = 0; i < n; i++) {
        const fcp_toml_node *t = fcp_toml_array_at(arr, i);
        if (fcp_toml_type_of(t) != FCP_TOML_TABLE)
            return fcp_toml_fail(R->err, R->doc, t, FCP_ETOML_WRONG_TYPE,
                                 "key '%s' must be a table ([[connector]]), got %s", path_of(R, t),
                                 fcp_toml_type_name(fcp_toml_type_of(t)));
        int r = fcp_toml_check_table(R->doc, t, f, sizeof f / sizeof f[0], R->err);
        if (r)
            return r;
        fcp_config_connector *c = &cfg->connectors[cfg->n_connectors];
        memset(c, 0, sizeof *c);
        strcpy(c->zone, FCP_ZONE_PRIVATE);
        strcpy(c->restart, "on-failure");
        c->restart_initial_ms = 500;
        c->restart_max_ms = 30000;
        c->restart_stable_ms = 60000;
        c->health_interval_ms = 5000;
        const fcp_toml_node *idn = fcp_toml_table_get(t, "id");
        if ((r = get_str(R, t, "id", c->id, sizeof c->id)) != 0)
            return r;
        if (!conn_id_ok(c->id, strlen(c->id)))
            return fcp_toml_fail(R->err, R->doc, idn, FCP_ERT_CONFIG,
                                 "key '%s': \"%s\" is not a connector id (lowercase letters, digits, '.', '_', '-')",
                                 path_of(R, idn), c->id);
        for (size_t k = 0; k < cfg->n_connectors; k++)
            if (!strcmp(cfg->connectors[k].id, c->id))
                return fcp_toml_fail(R->err, R->doc, idn, FCP_ERT_CONFIG, "key '%s': connector \"%s\" is listed twice",
                                     path_of(R, idn), c->id);
        if ((r = get_str(R, t, "manifest", c->manifest, sizeof c->manifest)) != 0 ||
            (r = get_str(R, t, "binary", c->binary, sizeof c->binary)) != 0 ||
            (r = get_hex(R, t, "signature", c->signature, 64, NULL)) != 0 ||
            (r = get_hex(R, t, "publisher_key", c->publisher_key, 32, &c->has_publisher_key)) != 0 ||
            (r = get_str(R, t, "state_dir", c->state_dir, sizeof c->state_dir)) != 0 ||
            (r = get_str(R, t, "restart", c->restart, sizeof c->restart)) != 0 ||
            (r = get_u32(R, t, "restart_initial_ms", 1, 3600000, &c->restart_initial_ms)) != 0 ||
            (r = get_u32(R, t, "restart_max_ms", 1, 86400000, &c->restart_max_ms)) != 0 ||
            (r = get_u32(R, t, "restart_stable_ms", 0, 86400000, &c->restart_stable_ms)) != 0 ||
            (r = get_u32(R, t, "max_restarts", 0, 1000000, &c->max_restarts)) != 0 ||
            (r = get_u32(R, t, "health_interval_ms", 100, 3600000, &c->health_interval_ms)) != 0)
            return r;
        const fcp_toml_node *rn = fcp_toml_table_get(t, "restart");
        if (strcmp(c->restart, "on-failure") && strcmp(c->restart, "always") && strcmp(c->restart, "never"))
            return fcp_toml_fail(R->err, R->doc, rn, FCP_ERT_CONFIG,
                                 "key '%s' must be \"on-failure\", \"always\" or \"never\", got \"%s\"",
                                 path_of(R, rn), c->restart);
        if (c->restart_max_ms < c->restart_initial_ms)
            return fcp_toml_fail(R->err, R->doc, t, FCP_ERT_CONFIG,
                                 "connector \"%s\": restart_max_ms (%u) is smaller than restart_initial_ms (%u)",
                                 c->id, c->restart_max_ms, c->restart_initial_ms);
        const fcp_toml_node *zn = fcp_toml_table_get(t, "zone");
        if (zn) {
            const char *s;
            size_t l;
            if ((r = want_string(R, zn, &s, &l)) != 0 || (r = zone_ok(R, zn, s, l)) != 0)
                return r;
            if (!is_served(cfg, s, l))
                return fcp_toml_fail(R->err, R->doc, zn, FCP_ECONFIG_ZONE,
                                     "key '%s': zone \"%s\" is not served by this node (add it to zones.serve)",
                                     path_of(R, zn), s);
            memcpy(c->zone, s, l);
            c->zone[l] = '\0';
        }
        cfg->n_connectors++;
    }
    return 0;
}

static int read_credentials(rd *R, fcp_config *cfg, const fcp_toml_node *arr)
{
    static const fcp_toml_field f[] = {
        { "id", FCP_TOML_STRING, 1 },     { "secret_file", FCP_TOML_STRING, 1 },
        { "apply", FCP_TOML_STRING, 0 },  { "name", FCP_TOML_STRING, 0 },
        { "prefix", FCP_TOML_STRING, 0 }, { "host_allow", FCP_TOML_ARRAY, 0 },
    };
    size_t n = fcp_toml_array_len(arr);
    if (n > FCP_CONFIG_MAX_CREDENTIALS)
        return fcp_toml_fail(R->err, R->doc, arr, FCP_ERT_CONFIG, "%zu credentials listed, at most %d allowed", n,
                             FCP_CONFIG_MAX_CREDENTIALS);
    for (size_t i = 0; i < n; i++) {
        const fcp_toml_node *t = fcp_toml_array_at(arr, i);
        if (fcp_toml_type_of(t) != FCP_TOML_TABLE)
            return fcp_toml_fail(R->err, R->doc, t, FCP_ETOML_WRONG_TYPE,
                                 "key '%s' must be a table ([[credential]]), got %s", path_of(R, t),
                                 fcp_toml_type_name(fcp_toml_type_of(t)));
        int r = fcp_toml_check_table(R->doc, t, f, sizeof f / sizeof f[0], R->err);
        if (r)
            return r;
        fcp_config_credential *c = &cfg->credentials[cfg->n_credentials];
        memset(c, 0, sizeof *c);
        strcpy(c->name, "authorization");
        char apply[16] = "header";
        const fcp_toml_node *idn = fcp_toml_table_get(t, "id");
        if ((r = get_str(R, t, "id", c->id, sizeof c->id)) != 0 ||
            (r = get_str(R, t, "secret_file", c->secret_file, sizeof c->secret_file)) != 0 ||
            (r = get_str(R, t, "apply", apply, sizeof apply)) != 0 ||
            (r = get_str(R, t, "name", c->name, sizeof c->name)) != 0 ||
            (r = get_str(R, t, "prefix", c->prefix, sizeof c->prefix)) != 0)
            return r;
        if (strncmp(c->id, "cred:", 5) != 0 || strlen(c->id) < 6 || strchr(c->id, ' '))
            return fcp_toml_fail(R->err, R->doc, idn, FCP_ERT_CONFIG,
                                 "key '%s': \"%s\" is not a credential id (\"cred:\" and a name, no spaces)",
                                 path_of(R, idn), c->id);
        for (size_t k = 0; k < cfg->n_credentials; k++)
            if (!strcmp(cfg->credentials[k].id, c->id))
                return fcp_toml_fail(R->err, R->doc, idn, FCP_ERT_CONFIG, "key '%s': credential \"%s\" is listed twice",
                                     path_of(R, idn), c->id);
        if (!strcmp(apply, "query"))
            c->apply_query = 1;
        else if (strcmp(apply, "header"))
            return fcp_toml_fail(R->err, R->doc, fcp_toml_table_get(t, "apply"), FCP_ERT_CONFIG,
                                 "key 'credential.apply' must be \"header\" or \"query\", got \"%s\"", apply);
        const fcp_toml_node *ha = fcp_toml_table_get(t, "host_allow");
        size_t nh = ha ? fcp_toml_array_len(ha) : 0;
        if (nh > FCP_CONFIG_CRED_HOSTS)
            return fcp_toml_fail(R->err, R->doc, ha, FCP_ETOML_RANGE, "key '%s' lists %zu hosts, at most %d allowed",
                                 path_of(R, ha), nh, FCP_CONFIG_CRED_HOSTS);
        for (size_t k = 0; k < nh; k++) {
            const fcp_toml_node *e = fcp_toml_array_at(ha, k);
            const char *s;
            size_t l;
            if ((r = want_string(R, e, &s, &l)) != 0)
                return r;
            if (l == 0 || l > FCP_CONFIG_HOST_MAX)
                return fcp_toml_fail(R->err, R->doc, e, FCP_ETOML_RANGE, "key '%s': host must be 1..%d bytes",
                                     path_of(R, e), FCP_CONFIG_HOST_MAX);
            memcpy(c->host_allow[k], s, l);
            c->host_allow[k][l] = '\0';
        }
        c->n_host_allow = nh;
        cfg->n_credentials++;
    }
    return 0;
}

int fcp_config_parse(fcp_config *cfg, const char *name, const char *text, size_t len, fcp_toml_error *err)
{
    fcp_toml_doc *doc = NULL;
    fcp_toml_limits lim;
    fcp_toml_limits_default(&lim);
    lim.max_input = FCP_CONFIG_FILE_MAX;
    lim.max_depth = 8;
    int r = fcp_toml_parse(&doc, name ? name : "fcpd.toml", text, len, &lim, err);
    if (r)
        return r;
    rd R = { .doc = doc, .err = err };
    const fcp_toml_node *root = fcp_toml_root(doc);
    static const fcp_toml_field top[] = {
        { "node", FCP_TOML_TABLE, 0 },   { "listen", FCP_TOML_TABLE, 0 }, { "metrics", FCP_TOML_TABLE, 0 },
        { "zones", FCP_TOML_TABLE, 0 },  { "peers", FCP_TOML_ARRAY, 0 },  { "limits", FCP_TOML_TABLE, 0 },
        { "admission", FCP_TOML_TABLE, 0 },
        { "connector", FCP_TOML_ARRAY, 0 }, { "credential", FCP_TOML_ARRAY, 0 },
        { "quic", FCP_TOML_TABLE, 0 }, { "tailscale", FCP_TOML_TABLE, 0 },
    };
    if ((r = fcp_toml_check_table(doc, root, top, sizeof top / sizeof top[0], err)) != 0)
        goto out;
    const fcp_toml_node *t;
    /* order matters: zones before peers and limits, node before peers */
    if ((t = fcp_toml_table_get(root, "node")) && (r = read_node(&R, cfg, t)) != 0)
        goto out;
    if ((t = fcp_toml_table_get(root, "listen")) && (r = read_listen(&R, cfg, t)) != 0)
        goto out;
    if ((t = fcp_toml_table_get(root, "metrics")) && (r = read_metrics(&R, cfg, t)) != 0)
        goto out;
    if ((t = fcp_toml_table_get(root, "zones")) && (r = read_zones(&R, cfg, t)) != 0)
        goto out;
    if ((t = fcp_toml_table_get(root, "peers")) && (r = read_peers(&R, cfg, t)) != 0)
        goto out;
    if ((t = fcp_toml_table_get(root, "limits")) && (r = read_limits(&R, cfg, t)) != 0)
        goto out;
    if ((t = fcp_toml_table_get(root, "admission")) && (r = read_admission(&R, cfg, t)) != 0)
        goto out;
    if ((t = fcp_toml_table_get(root, "connector")) && (r = read_connectors(&R, cfg, t)) != 0)
        goto out;
    if ((t = fcp_toml_table_get(root, "credential")) && (r = read_credentials(&R, cfg, t)) != 0)
        goto out;
    if ((t = fcp_toml_table_get(root, "quic")) && (r = read_quic(&R, cfg, t)) != 0)
        goto out;
    if ((t = fcp_toml_table_get(root, "tailscale")) && (r = read_tailscale(&R, cfg, t)) != 0)
        goto out;
    /* rules across sections */
    if (cfg->n_peers > cfg->max_peers) {
        r = fcp_toml_fail(err, doc, fcp_toml_table_get(root, "peers"), FCP_ECONFIG_LIMITS,
                          "%zu static peers are listed but limits.max_peers is %u", cfg->n_peers, cfg->max_peers);
        goto out;
    }
    if (cfg->data_dir[0] == '\0') {
        r = fcp_toml_fail(err, doc, NULL, FCP_ETOML_MISSING_KEY,
                          "key 'node.data_dir' is required (no default data directory is known)");
        goto out;
    }
    r = 0;
out:
    fcp_toml_free(doc);
    return r;
}

int fcp_config_load(fcp_config *cfg, const char *path, fcp_toml_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err) {
            err->code = FCP_ECONFIG_READ;
            err->line = err->col = 0;
            snprintf(err->msg, sizeof err->msg, "%s: cannot open: %s", path, strerror(errno));
        }
        return FCP_ECONFIG_READ;
    }
    char *buf = malloc(FCP_CONFIG_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return FCP_ENOMEM;
    }
    size_t n = fread(buf, 1, FCP_CONFIG_FILE_MAX + 1, f);
    int rerr = ferror(f);
    fclose(f);
    int r;
    if (rerr) {
        if (err) {
            err->code = FCP_ECONFIG_READ;
            err->line = err->col = 0;
            snprintf(err->msg, sizeof err->msg, "%s: read error", path);
        }
        r = FCP_ECONFIG_READ;
    } else if (n > FCP_CONFIG_FILE_MAX) {
        if (err) {
            err->code = FCP_ETOML_LIMIT;
            err->line = err->col = 0;
            snprintf(err->msg, sizeof err->msg, "%s: larger than %u bytes", path, FCP_CONFIG_FILE_MAX);
        }
        r = FCP_ETOML_LIMIT;
    } else {
        const char *base = strrchr(path, '/');
        r = fcp_config_parse(cfg, base ? base + 1 : path, buf, n, err);
    }
    free(buf);
    return r;
}
