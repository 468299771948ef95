/*
 * net_tailscale.c - tailscaled LocalAPI client for discovery hints
 * (net_tailscale.h; spec §19.1, §5.4; D-TS-1, D-TS-2): the HTTP/1.1
 * request and response (Content-Length, chunked, or until close) over the
 * unix socket, the strict bounded parsers of the status and whois JSON
 * documents (jansson), and the tag -> zone mapping of a node.
 */
#include "fcp/net_tailscale.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fcp/error.h"

/* ---- HTTP ------------------------------------------------------------------- */

int fcp_ts_http_request(char *out, size_t cap, const char *path)
{
    if (!out || !path || strncmp(path, "/localapi/", 10) != 0 || strlen(path) > FCP_TS_PATH_MAX)
        return FCP_EINVAL;
    for (const char *p = path; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return FCP_EINVAL;
    int n = snprintf(out, cap,
                     "GET %s HTTP/1.1\r\nHost: " FCP_TS_HOST_HEADER "\r\nUser-Agent: fcpd\r\n"
                     "Accept: application/json\r\nConnection: close\r\n\r\n",
                     path);
    return n < 0 || (size_t)n >= cap ? FCP_EINVAL : n;
}

static int ci_prefix(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);
    return len > n && strncasecmp(line, name, n) == 0 && line[n] == ':';
}

/* The value of a header line after "Name:", trimmed. */
static void header_value(const char *line, size_t len, size_t name_len, const char **v, size_t *vl)
{
    size_t i = name_len + 1;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    size_t e = len;
    while (e > i && (line[e - 1] == ' ' || line[e - 1] == '\t'))
        e--;
    *v = line + i;
    *vl = e - i;
}

/* Decimal (or hex when base 16) of v[0..vl) into *out; 0 or -1. */
static int parse_num(const char *v, size_t vl, int base, uint64_t *out)
{
    if (vl == 0 || vl > 16)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < vl; i++) {
        int d;
        char c = v[i];
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        x = x * (uint64_t)base + (uint64_t)d;
    }
    *out = x;
    return 0;
}

/* De-chunk in[0..len) (the bytes after the headers) into body.  1 complete,
 * 0 incomplete, <0 error. */
static int dechunk(const uint8_t *in, size_t len, size_t max_body, fcp_buf *body)
{
    size_t off = 0;
    for (;;) {
        const uint8_t *nl = memchr(in + off, '\n', len - off);
        if (!nl)
            return len - off > 64 ? FCP_ETS_HTTP : 0;
        size_t ll = (size_t)(nl - (in + off));
        if (ll == 0 || in[off + ll - 1] != '\r')
            return FCP_ETS_HTTP;
        const char *line = (const char *)in + off;
        size_t hl = ll - 1;
        for (size_t i = 0; i < hl; i++)
            if (line[i] == ';') {   /* chunk extensions: ignored */
                hl = i;
                break;
            }
        while (hl && (line[hl - 1] == ' ' || line[hl - 1] == '\t'))
            hl--;
        uint64_t sz;
        if (parse_num(line, hl, 16, &sz) != 0)
            return FCP_ETS_HTTP;
        off += ll + 1;
        if (sz == 0) {
            /* trailers until an empty line */
            for (;;) {
                const uint8_t *e = memchr(in + off, '\n', len - off);
                if (!e)
                    return len - off > FCP_TS_HEADER_MAX ? FCP_ETS_TOO_LARGE : 0;
                size_t tl = (size_t)(e - (in + off));
                off += tl + 1;
                if (tl == 1 && in[off - 2] == '\r')
                    return 1;
                if (tl == 0)
                    return FCP_ETS_HTTP;
            }
        }
        if (sz > max_body || body->len + sz > max_body)
            return FCP_ETS_TOO_LARGE;
        if (len - off < sz + 2)
            return 0;
        if (in[off + sz] != '\r' || in[off + sz + 1] != '\n')
            return FCP_ETS_HTTP;
        if (fcp_buf_append(body, in + off, (size_t)sz) < 0)
            return FCP_ENOMEM;
        off += (size_t)sz + 2;
    }
}

int fcp_ts_http_response(const uint8_t *in, size_t len, int eof, size_t max_body, int *status, fcp_buf *body)
{
    if (!status || !body || (len && !in))
        return FCP_EINVAL;
    if (!max_body)
        max_body = FCP_TS_BODY_MAX;
    fcp_buf_reset(body);
    *status = 0;
    /* end of headers */
    const uint8_t *h = NULL;
    size_t scan = len < FCP_TS_HEADER_MAX + 4 ? len : FCP_TS_HEADER_MAX + 4;
    for (size_t i = 3; i < scan; i++)
        if (in[i - 3] == '\r' && in[i - 2] == '\n' && in[i - 1] == '\r' && in[i] == '\n') {
            h = in + i + 1;
            break;
        }
    if (!h) {
        if (len > FCP_TS_HEADER_MAX)
            return FCP_ETS_TOO_LARGE;
        return eof ? FCP_ETS_HTTP : 0;
    }
    size_t hlen = (size_t)(h - in);
    /* status line: HTTP/1.x SP 3DIGIT SP reason */
    const char *s = (const char *)in;
    if (hlen < 14 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') || s[8] != ' ' ||
        s[9] < '1' || s[9] > '5' || s[10] < '0' || s[10] > '9' || s[11] < '0' || s[11] > '9' ||
        (s[12] != ' ' && s[12] != '\r'))
        return FCP_ETS_HTTP;
    int code = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    int chunked = 0, have_cl = 0;
    uint64_t cl = 0;
    size_t off = (size_t)((const uint8_t *)memchr(in, '\n', hlen) - in) + 1;
    while (off < hlen - 2) {
        const uint8_t *nl = memchr(in + off, '\n', hlen - off);
        size_t ll = (size_t)(nl - (in + off));
        if (ll == 0 || in[off + ll - 1] != '\r')
            return FCP_ETS_HTTP;
        const char *line = (const char *)in + off;
        size_t l = ll - 1;
        for (size_t i = 0; i < l; i++)
            if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
                return FCP_ETS_HTTP;
        if (line[0] == ' ' || line[0] == '\t' || !memchr(line, ':', l))
            return FCP_ETS_HTTP;   /* obsolete folding, or not a header */
        const char *v;
        size_t vl;
        if (ci_prefix(line, l, "Content-Length")) {
            header_value(line, l, 14, &v, &vl);
            uint64_t x;
            if (parse_num(v, vl, 10, &x) != 0 || (have_cl && x != cl))
                return FCP_ETS_HTTP;
            cl = x;
            have_cl = 1;
        } else if (ci_prefix(line, l, "Transfer-Encoding")) {
            header_value(line, l, 17, &v, &vl);
            if (vl == 7 && strncasecmp(v, "chunked", 7) == 0)
                chunked = 1;
            else
                return FCP_ETS_HTTP;   /* no other coding is ever sent by tailscaled */
        }
        off += ll + 1;
    }
    if (chunked && have_cl)
        return FCP_ETS_HTTP;
    const uint8_t *b = h;
    size_t blen = len - hlen;
    int r;
    if (chunked) {
        r = dechunk(b, blen, max_body, body);
        if (r == 0 && eof)
            r = FCP_ETS_HTTP;
    } else if (have_cl) {
        if (cl > max_body)
            return FCP_ETS_TOO_LARGE;
        if (blen < cl)
            return eof ? FCP_ETS_HTTP : 0;
        r = fcp_buf_append(body, b, (size_t)cl) < 0 ? FCP_ENOMEM : 1;
    } else {
        if (blen > max_body)
            return FCP_ETS_TOO_LARGE;
        if (!eof)
            return 0;
        r = fcp_buf_append(body, b, blen) < 0 ? FCP_ENOMEM : 1;
    }
    if (r == 1)
        *status = code;
    else
        fcp_buf_reset(body);
    return r;
}

static int64_t ms_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int fcp_ts_get(const char *socket_path, const char *path, int timeout_ms, size_t max_body, fcp_buf *body,
               int *http_status)
{
    char req[FCP_TS_PATH_MAX + 256];
    int rl = fcp_ts_http_request(req, sizeof req, path);
    if (http_status)
        *http_status = 0;
    if (rl < 0 || !body)
        return FCP_EINVAL;
    if (!socket_path)
        socket_path = FCP_TS_DEFAULT_SOCKET;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(socket_path) >= sizeof sa.sun_path)
        return FCP_ETS_CONNECT;
    memcpy(sa.sun_path, socket_path, strlen(socket_path));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return FCP_ETS_CONNECT;
    int64_t deadline = ms_now() + (timeout_ms > 0 ? timeout_ms : 2000);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS && errno != EAGAIN) {
        close(fd);
        return FCP_ETS_CONNECT;
    }
    size_t max = (max_body ? max_body : FCP_TS_BODY_MAX) + FCP_TS_HEADER_MAX + 64 * 1024;
    fcp_buf in;
    fcp_buf_init(&in);
    size_t sent = 0;
    int r = 0, eof = 0, status = 0;
    while (r == 0) {
        int64_t left = deadline - ms_now();
        if (left <= 0) {
            r = FCP_ETS_IO;
            break;
        }
        struct pollfd p = { fd, (short)(sent < (size_t)rl ? POLLOUT : POLLIN), 0 };
        int pr = poll(&p, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            r = FCP_ETS_IO;
            break;
        }
        if (sent < (size_t)rl) {
            ssize_t w = send(fd, req + sent, (size_t)rl - sent, MSG_NOSIGNAL);
            if (w < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (w < 0) {
                r = errno == ECONNREFUSED || errno == ENOTCONN ? FCP_ETS_CONNECT : FCP_ETS_IO;
                break;
            }
            sent += (size_t)w;
            continue;
        }
        if (fcp_buf_reserve(&in, 16384) < 0) {
            r = FCP_ENOMEM;
            break;
        }
        ssize_t n = recv(fd, in.data + in.len, 16384, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n < 0) {
            r = FCP_ETS_IO;
            break;
        }
        if (n == 0)
            eof = 1;
        in.len += (size_t)n;
        if (in.len > max) {
            r = FCP_ETS_TOO_LARGE;
            break;
        }
        r = fcp_ts_http_response(in.data, in.len, eof, max_body, &status, body);
        if (r == 0 && eof)
            r = FCP_ETS_HTTP;
    }
    close(fd);
    fcp_buf_free(&in);
    if (r < 0)
        return r;
    if (http_status)
        *http_status = status;
    if (status != 200) {
        fcp_buf_reset(body);
        return FCP_ETS_STATUS;
    }
    return 0;
}

/* ---- JSON ------------------------------------------------------------------- */

/* Copy a JSON string of at most max bytes; absent or null: "" (0).  Wrong
 * type or too long: FCP_ETS_SCHEMA. */
static int get_str(const json_t *obj, const char *key, char *out, size_t max)
{
    const json_t *v = json_object_get(obj, key);
    out[0] = '\0';
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) > max)
        return FCP_ETS_SCHEMA;
    memcpy(out, json_string_value(v), json_string_length(v));
    out[json_string_length(v)] = '\0';
    return 0;
}

/* An IP address string into its canonical text; 0 or FCP_ETS_SCHEMA. */
static int ip_text(const char *s, char out[FCP_TS_IP_TEXT_MAX + 1])
{
    unsigned char a[16];
    if (inet_pton(AF_INET, s, a) == 1)
        return inet_ntop(AF_INET, a, out, FCP_TS_IP_TEXT_MAX + 1) ? 0 : FCP_ETS_SCHEMA;
    if (inet_pton(AF_INET6, s, a) == 1)
        return inet_ntop(AF_INET6, a, out, FCP_TS_IP_TEXT_MAX + 1) ? 0 : FCP_ETS_SCHEMA;
    return FCP_ETS_SCHEMA;
}

/* A string array of at most max items of at most item_max bytes: absent or
 * null = none. */
static int get_str_array(const json_t *obj, const char *key, size_t max, size_t item_max, char *out,
                         size_t stride, size_t *n)
{
    const json_t *a = json_object_get(obj, key);
    *n = 0;
    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a) || json_array_size(a) > max)
        return FCP_ETS_SCHEMA;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *v = json_array_get(a, i);
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > item_max)
            return FCP_ETS_SCHEMA;
        memcpy(out + i * stride, json_string_value(v), json_string_length(v));
        out[i * stride + json_string_length(v)] = '\0';
        (*n)++;
    }
    return 0;
}

static int parse_node(const json_t *o, fcp_ts_node *n)
{
    if (!json_is_object(o))
        return FCP_ETS_SCHEMA;
    int r;
    if ((r = get_str(o, "HostName", n->host_name, FCP_TS_NAME_MAX)) != 0 ||
        (r = get_str(o, "DNSName", n->dns_name, FCP_TS_NAME_MAX)) != 0)
        return r;
    char raw[FCP_TS_MAX_IPS][FCP_TS_IP_TEXT_MAX + 1];
    if ((r = get_str_array(o, "TailscaleIPs", FCP_TS_MAX_IPS, FCP_TS_IP_TEXT_MAX, &raw[0][0], sizeof raw[0],
                           &n->n_ips)) != 0)
        return r;
    for (size_t i = 0; i < n->n_ips; i++)
        if ((r = ip_text(raw[i], n->ips[i])) != 0)
            return r;
    if ((r = get_str_array(o, "Tags", FCP_TS_MAX_TAGS, FCP_TS_TAG_MAX, &n->tags[0][0], sizeof n->tags[0],
                           &n->n_tags)) != 0)
        return r;
    const json_t *on = json_object_get(o, "Online");
    if (on && !json_is_null(on) && !json_is_boolean(on))
        return FCP_ETS_SCHEMA;
    n->online = on && json_is_true(on);
    return 0;
}

static int load(const uint8_t *text, size_t len, size_t max, json_t **out)
{
    *out = NULL;
    if (!text && len)
        return FCP_EINVAL;
    if (len > max)
        return FCP_ETS_TOO_LARGE;
    json_error_t e;
    json_t *j = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &e);
    if (!j)
        return FCP_ETS_JSON;
    if (!json_is_object(j)) {
        json_decref(j);
        return FCP_ETS_SCHEMA;
    }
    *out = j;
    return 0;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(((const fcp_ts_node *)a)->key, ((const fcp_ts_node *)b)->key);
}

void fcp_ts_status_free(fcp_ts_status *st)
{
    if (!st)
        return;
    free(st->peers);
    memset(st, 0, sizeof *st);
}

int fcp_ts_status_parse(const uint8_t *text, size_t len, const fcp_ts_limits *lim, fcp_ts_status *st)
{
    if (!st)
        return FCP_EINVAL;
    memset(st, 0, sizeof *st);
    size_t max_body = lim && lim->max_body ? lim->max_body : FCP_TS_BODY_MAX;
    size_t max_peers = lim && lim->max_peers ? lim->max_peers : FCP_TS_MAX_PEERS;
    json_t *j;
    int r = load(text, len, max_body, &j);
    if (r)
        return r;
    if ((r = get_str(j, "BackendState", st->backend_state, sizeof st->backend_state - 1)) != 0)
        goto out;
    const json_t *self = json_object_get(j, "Self");
    if (!self) {
        r = FCP_ETS_SCHEMA;
        goto out;
    }
    if ((r = parse_node(self, &st->self)) != 0)
        goto out;
    const json_t *peer = json_object_get(j, "Peer");
    if (peer && !json_is_null(peer)) {
        if (!json_is_object(peer)) {
            r = FCP_ETS_SCHEMA;
            goto out;
        }
        size_t np = json_object_size(peer);
        if (np > max_peers) {
            r = FCP_ETS_TOO_MANY_PEERS;
            goto out;
        }
        if (np && !(st->peers = calloc(np, sizeof *st->peers))) {
            r = FCP_ENOMEM;
            goto out;
        }
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)peer, k, v) {
            fcp_ts_node *n = &st->peers[st->n_peers];
            size_t kl = strlen(k);
            if (kl == 0 || kl > FCP_TS_KEY_MAX) {
                r = FCP_ETS_SCHEMA;
                goto out;
            }
            memcpy(n->key, k, kl + 1);
            if ((r = parse_node(v, n)) != 0)
                goto out;
            st->n_peers++;
        }
        qsort(st->peers, st->n_peers, sizeof *st->peers, key_cmp);
    }
out:
    json_decref(j);
    if (r)
        fcp_ts_status_free(st);
    return r;
}

int fcp_ts_whois_parse(const uint8_t *text, size_t len, fcp_ts_whois *w)
{
    if (!w)
        return FCP_EINVAL;
    memset(w, 0, sizeof *w);
    json_t *j;
    int r = load(text, len, FCP_TS_BODY_MAX, &j);
    if (r)
        return r;
    const json_t *node = json_object_get(j, "Node"), *up = json_object_get(j, "UserProfile");
    if (!json_is_object(node) || (up && !json_is_null(up) && !json_is_object(up))) {
        r = FCP_ETS_SCHEMA;
        goto out;
    }
    if ((r = get_str(node, "Name", w->node_name, FCP_TS_NAME_MAX)) != 0 ||
        (r = get_str_array(node, "Tags", FCP_TS_MAX_TAGS, FCP_TS_TAG_MAX, &w->tags[0][0], sizeof w->tags[0],
                           &w->n_tags)) != 0 ||
        (r = get_str_array(node, "Addresses", FCP_TS_MAX_IPS, FCP_TS_IP_TEXT_MAX + 3, &w->addrs[0][0],
                           sizeof w->addrs[0], &w->n_addrs)) != 0)
        goto out;
    if (up && json_is_object(up) && (r = get_str(up, "LoginName", w->login_name, FCP_TS_NAME_MAX)) != 0)
        goto out;
out:
    json_decref(j);
    if (r)
        memset(w, 0, sizeof *w);
    return r;
}

int fcp_ts_whois_path(char *out, size_t cap, const char *ip, uint16_t port)
{
    unsigned char a[16];
    int n;
    if (!out || !ip)
        return FCP_EINVAL;
    if (inet_pton(AF_INET, ip, a) == 1)
        n = snprintf(out, cap, "/localapi/v0/whois?addr=%s:%u", ip, (unsigned)port);
    else if (inet_pton(AF_INET6, ip, a) == 1)
        n = snprintf(out, cap, "/localapi/v0/whois?addr=[%s]:%u", ip, (unsigned)port);
    else
        return FCP_EINVAL;
    return n < 0 || (size_t)n >= cap ? FCP_EINVAL : n;
}

size_t fcp_ts_node_zones(const fcp_ts_node *n, char (*zones)[FCP_ZONE_ID_MAX + 1], size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; n && i < n->n_tags && k < cap; i++) {
        char z[FCP_ZONE_ID_MAX + 1];
        if (fcp_zone_id_from_tag(z, sizeof z, n->tags[i], strlen(n->tags[i])) < 0)
            continue;
        size_t j;
        for (j = 0; j < k; j++)
            if (strcmp(zones[j], z) == 0)
                break;
        if (j == k)
            memcpy(zones[k++], z, sizeof z);
    }
    return k;
}

/* The node id hint of a node into id: HostName, else DNSName's first label,
 * when it is a valid node id.  1 found, 0 not. */
static int id_hint(const fcp_ts_node *n, int which, char id[FCP_NODE_ID_MAX + 1])
{
    const char *s = which == 0 ? n->host_name : n->dns_name;
    size_t l = which == 0 ? strlen(s) : strcspn(s, ".");
    if (l == 0 || l > FCP_NODE_ID_MAX || fcp_node_id_validate(s, l) != 0)
        return 0;
    memcpy(id, s, l);
    id[l] = '\0';
    return 1;
}

size_t fcp_ts_candidates(const fcp_ts_status *st, const char *self_id, const char (*served)[FCP_ZONE_ID_MAX + 1],
                         size_t n_served, fcp_ts_known_fn known, void *ctx, fcp_ts_candidate *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; st && i < st->n_peers && k < cap; i++) {
        const fcp_ts_node *n = &st->peers[i];
        if (!n->online || !n->n_ips)
            continue;
        fcp_ts_candidate *c = &out[k];
        memset(c, 0, sizeof *c);
        char tz[FCP_TS_MAX_TAGS][FCP_ZONE_ID_MAX + 1];
        size_t nt = fcp_ts_node_zones(n, tz, FCP_TS_MAX_TAGS);
        for (size_t a = 0; a < nt; a++)
            for (size_t b = 0; b < n_served; b++)
                if (strcmp(tz[a], served[b]) == 0) {
                    memcpy(c->zones[c->n_zones++], tz[a], sizeof tz[a]);
                    break;
                }
        if (!c->n_zones)
            continue;
        int found = 0;
        for (int w = 0; w < 2 && !found; w++)
            found = id_hint(n, w, c->node_id) && (!self_id || strcmp(c->node_id, self_id) != 0) &&
                    (!known || known(ctx, c->node_id) == 1);
        if (!found)
            continue;
        size_t d;
        for (d = 0; d < k; d++)
            if (strcmp(out[d].node_id, c->node_id) == 0)
                break;
        if (d < k)
            continue;
        const char *ip = NULL;
        for (size_t j = 0; j < n->n_ips && !ip; j++)
            if (strchr(n->ips[j], '.'))
                ip = n->ips[j];
        if (!ip)
            ip = n->ips[0];
        snprintf(c->ip, sizeof c->ip, "%s", ip);
        c->node = n;
        k++;
    }
    return k;
}
