/*
 * net_tailscale_test.c - the tailscaled LocalAPI client (net_tailscale.h):
 * a fake LocalAPI (a thread serving HTTP/1.1 on a unix socket) answers the
 * recorded status and whois documents of conformance/golden/tailscale/
 * with Content-Length, chunked coding, or until close; the parse keeps
 * Self and every peer's HostName, DNSName, IPs, tags and Online; the tag ->
 * zone mapping and the candidate rule (D-TS-1) are recomputed from
 * tag_zones.json; refusals: non-200, malformed HTTP and JSON, wrong types,
 * oversize bodies and headers, too many peers, a silent server (timeout),
 * no socket; and fcpd.toml's [tailscale] table (defaults, each key, each
 * refusal).  Runs from the repository root.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fcp/config.h"
#include "fcp/error.h"
#include "fcp/net_tailscale.h"
#include "test.h"

static char sock_path[108];
static uint8_t *status_json, *whois_json;
static size_t status_len, whois_len;

/* ---- fake LocalAPI ------------------------------------------------------------ */

enum mode { M_LENGTH, M_CHUNKED, M_CLOSE, M_404, M_SILENT, M_BAD_STATUS, M_BIG, M_HALF };
static struct {
    enum mode mode;
    int listen_fd;
    char last_request[1024];
    int stop;
} fk;

static void send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        c += w;
        n -= (size_t)w;
    }
}

static void *server(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(fk.listen_fd, NULL, NULL);
        if (c < 0 || fk.stop) {
            if (c >= 0)
                close(c);
            return NULL;
        }
        char req[1024];
        size_t n = 0;
        while (n < sizeof req - 1) {
            ssize_t r = recv(c, req + n, sizeof req - 1 - n, 0);
            if (r <= 0)
                break;
            n += (size_t)r;
            req[n] = '\0';
            if (strstr(req, "\r\n\r\n"))
                break;
        }
        req[n] = '\0';
        snprintf(fk.last_request, sizeof fk.last_request, "%s", req);
        int whois = strstr(req, "GET /localapi/v0/whois?") == req;
        const uint8_t *body = whois ? whois_json : status_json;
        size_t blen = whois ? whois_len : status_len;
        char h[256];
        switch (fk.mode) {
        case M_LENGTH:
            snprintf(h, sizeof h, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     blen);
            send_all(c, h, strlen(h));
            send_all(c, body, blen);
            break;
        case M_CHUNKED: {
            const char *hh = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            send_all(c, hh, strlen(hh));
            for (size_t off = 0; off < blen; off += 1000) {
                size_t k = blen - off < 1000 ? blen - off : 1000;
                snprintf(h, sizeof h, "%zx;ext=1\r\n", k);
                send_all(c, h, strlen(h));
                send_all(c, body + off, k);
                send_all(c, "\r\n", 2);
            }
            send_all(c, "0\r\n\r\n", 5);
            break;
        }
        case M_CLOSE:
            send_all(c, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n", 51);
            send_all(c, body, blen);
            break;
        case M_404: {
            const char *m = "HTTP/1.1 404 Not Found\r\nContent-Length: 21\r\n\r\nno match for IP:port\n";
            send_all(c, m, strlen(m));
            break;
        }
        case M_SILENT:
            sleep(1);
            break;
        case M_BAD_STATUS:
            send_all(c, "HTTP/2 200 OK\r\n\r\n{}", 19);
            break;
        case M_BIG: {
            const char *m = "HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n{";
            send_all(c, m, strlen(m));
            break;
        }
        case M_HALF:
            snprintf(h, sizeof h, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", blen);
            send_all(c, h, strlen(h));
            send_all(c, body, blen / 2);
            break;
        }
        close(c);
    }
}

static int fake_start(pthread_t *t)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(sock_path, sizeof sock_path, "%s/fcp-ts-%d.sock", tmp && *tmp ? tmp : "/tmp", (int)getpid());
    unlink(sock_path);
    fk.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, sock_path, strlen(sock_path));
    if (fk.listen_fd < 0 || bind(fk.listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fk.listen_fd, 8) < 0)
        return -1;
    return pthread_create(t, NULL, server, NULL);
}

static void fake_stop(pthread_t t)
{
    fk.stop = 1;
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, sock_path, strlen(sock_path));
    connect(c, (struct sockaddr *)&sa, sizeof sa);
    close(c);
    pthread_join(t, NULL);
    close(fk.listen_fd);
    unlink(sock_path);
}

/* ---- tests ------------------------------------------------------------------- */

static void check_status(const fcp_ts_status *st)
{
    CHECK_EQ(strcmp(st->backend_state, "Running"), 0);
    CHECK_EQ(strcmp(st->self.host_name, "node-1"), 0);
    CHECK_EQ(st->self.n_ips, 2);
    CHECK_EQ(st->self.n_tags, 2);
    CHECK(st->self.online);
    CHECK_EQ(st->n_peers, 8);
    if (st->n_peers != 8)
        return;
    /* sorted by key: 18.., 29.., a2.., b3.., c4.., d5.., e6.., f7.. */
    const fcp_ts_node *p2 = &st->peers[2], *p3 = &st->peers[3], *p6 = &st->peers[6], *p7 = &st->peers[7];
    CHECK_EQ(strncmp(p2->key, "nodekey:a2a2", 12), 0);
    CHECK_EQ(strcmp(p2->host_name, "node-2"), 0);
    CHECK_EQ(strcmp(p2->dns_name, "node-2.tail1234.ts.net."), 0);
    CHECK_EQ(p2->n_ips, 2);
    CHECK_EQ(strcmp(p2->ips[0], "100.64.0.2"), 0);
    CHECK_EQ(strcmp(p2->ips[1], "fd7a:115c:a1e0::2"), 0);
    CHECK_EQ(p2->n_tags, 2);
    CHECK_EQ(strcmp(p2->tags[1], "tag:server"), 0);
    CHECK(p2->online);
    CHECK_EQ(strcmp(p3->ips[0], "fd7a:115c:a1e0::3"), 0);   /* canonical text */
    CHECK(!p6->online);
    CHECK_EQ(p7->n_tags, 0);
}

static void test_fetch(void)
{
    enum mode modes[] = { M_LENGTH, M_CHUNKED, M_CLOSE };
    for (size_t i = 0; i < 3; i++) {
        fk.mode = modes[i];
        fcp_buf b;
        fcp_buf_init(&b);
        int hs = 0;
        CHECK_EQ(fcp_ts_get(sock_path, "/localapi/v0/status", 2000, 0, &b, &hs), 0);
        CHECK_EQ(hs, 200);
        CHECK_EQ(b.len, status_len);
        CHECK(b.len == status_len && memcmp(b.data, status_json, b.len) == 0);
        /* the request: path, Host header, one request per connection */
        CHECK(strstr(fk.last_request, "GET /localapi/v0/status HTTP/1.1\r\n") == fk.last_request);
        CHECK(strstr(fk.last_request, "\r\nHost: local-tailscaled.sock\r\n") != NULL);
        CHECK(strstr(fk.last_request, "\r\nConnection: close\r\n") != NULL);
        fcp_ts_status st;
        if (CHECK_EQ(fcp_ts_status_parse(b.data, b.len, NULL, &st), 0)) {
            check_status(&st);
            fcp_ts_status_free(&st);
        }
        fcp_buf_free(&b);
    }
    /* whois */
    fk.mode = M_CHUNKED;
    char path[128];
    CHECK(fcp_ts_whois_path(path, sizeof path, "100.64.0.2", 7447) > 0);
    CHECK_EQ(strcmp(path, "/localapi/v0/whois?addr=100.64.0.2:7447"), 0);
    CHECK(fcp_ts_whois_path(path, sizeof path, "fd7a:115c:a1e0::2", 7447) > 0);
    CHECK_EQ(strcmp(path, "/localapi/v0/whois?addr=[fd7a:115c:a1e0::2]:7447"), 0);
    CHECK_EQ(fcp_ts_whois_path(path, sizeof path, "node-2", 7447), FCP_EINVAL);
    fcp_ts_whois_path(path, sizeof path, "100.64.0.2", 7447);
    fcp_buf b;
    fcp_buf_init(&b);
    CHECK_EQ(fcp_ts_get(sock_path, path, 2000, 0, &b, NULL), 0);
    CHECK(strstr(fk.last_request, "GET /localapi/v0/whois?addr=100.64.0.2:7447 HTTP/1.1") == fk.last_request);
    fcp_ts_whois w;
    if (CHECK_EQ(fcp_ts_whois_parse(b.data, b.len, &w), 0)) {
        CHECK_EQ(strcmp(w.node_name, "node-2.tail1234.ts.net."), 0);
        CHECK_EQ(strcmp(w.login_name, "tagged-devices"), 0);
        CHECK_EQ(w.n_tags, 2);
        CHECK_EQ(w.n_addrs, 2);
        CHECK_EQ(strcmp(w.addrs[0], "100.64.0.2/32"), 0);
    }
    fcp_buf_free(&b);
}

static void test_fetch_refused(void)
{
    fcp_buf b;
    fcp_buf_init(&b);
    int hs = 0;
    fk.mode = M_404;
    CHECK_EQ(fcp_ts_get(sock_path, "/localapi/v0/whois?addr=100.64.0.99:1", 2000, 0, &b, &hs), FCP_ETS_STATUS);
    CHECK_EQ(hs, 404);
    CHECK_EQ(b.len, 0);
    fk.mode = M_BAD_STATUS;
    CHECK_EQ(fcp_ts_get(sock_path, "/localapi/v0/status", 2000, 0, &b, NULL), FCP_ETS_HTTP);
    fk.mode = M_BIG;
    CHECK_EQ(fcp_ts_get(sock_path, "/localapi/v0/status", 2000, 0, &b, NULL), FCP_ETS_TOO_LARGE);
    fk.mode = M_HALF;
    CHECK_EQ(fcp_ts_get(sock_path, "/localapi/v0/status", 2000, 0, &b, NULL), FCP_ETS_HTTP);
    fk.mode = M_LENGTH;   /* body over the caller's bound */
    CHECK_EQ(fcp_ts_get(sock_path, "/localapi/v0/status", 2000, 1000, &b, NULL), FCP_ETS_TOO_LARGE);
    fk.mode = M_CLOSE;
    CHECK_EQ(fcp_ts_get(sock_path, "/localapi/v0/status", 2000, 1000, &b, NULL), FCP_ETS_TOO_LARGE);
    fk.mode = M_SILENT;
    CHECK_EQ(fcp_ts_get(sock_path, "/localapi/v0/status", 200, 0, &b, NULL), FCP_ETS_IO);
    CHECK_EQ(fcp_ts_get("/nonexistent/tailscaled.sock", "/localapi/v0/status", 200, 0, &b, NULL), FCP_ETS_CONNECT);
    CHECK_EQ(fcp_ts_get(sock_path, "/etc/passwd", 200, 0, &b, NULL), FCP_EINVAL);
    CHECK_EQ(fcp_ts_get(sock_path, "/localapi/v0/status x", 200, 0, &b, NULL), FCP_EINVAL);
    fcp_buf_free(&b);
    sleep(1);   /* let the silent connection finish */
}

static int http(const char *resp, int eof, int *st, fcp_buf *b)
{
    return fcp_ts_http_response((const uint8_t *)resp, strlen(resp), eof, 0, st, b);
}

static void test_http_decoder(void)
{
    fcp_buf b;
    fcp_buf_init(&b);
    int st;
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 0, &st, &b), 1);
    CHECK_EQ(st, 200);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{}", 0, &st, &b), 0);   /* needs more */
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{}", 1, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nContent-Len", 0, &st, &b), 0);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nContent-Len", 1, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nContent-Length: 3\r\n\r\n{}x", 0, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n{}", 0, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n", 0, &st, &b),
             FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 0, &st, &b), 1);
    CHECK(b.len == 2 && memcmp(b.data, "{}", 2) == 0);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-T: 1\r\n\r\n", 0, &st, &b),
             1);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}xx0\r\n\r\n", 0, &st, &b),
             FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n", 1, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffff\r\n", 0, &st, &b),
             FCP_ETS_TOO_LARGE);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\n Folded: x\r\n\r\n", 0, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", 0, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", 0, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 20 OK\r\n\r\n", 1, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("SSH-2.0-OpenSSH\r\n\r\n", 1, &st, &b), FCP_ETS_HTTP);
    CHECK_EQ(http("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", 0, &st, &b), 1);
    CHECK_EQ(st, 503);
    /* headers beyond the bound */
    size_t n = FCP_TS_HEADER_MAX + 100;
    char *big = malloc(n + 1);
    memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
    memset(big + 20, 'a', n - 20);
    big[n] = '\0';
    CHECK_EQ(http(big, 0, &st, &b), FCP_ETS_TOO_LARGE);
    free(big);
    fcp_buf_free(&b);
    char req[64];
    CHECK_EQ(fcp_ts_http_request(req, sizeof req, "/localapi/v0/status"), FCP_EINVAL);   /* too small */
}

static int parse(const char *json, fcp_ts_status *st)
{
    int r = fcp_ts_status_parse((const uint8_t *)json, strlen(json), NULL, st);
    if (r == 0)
        fcp_ts_status_free(st);
    return r;
}

static void test_json_refused(void)
{
    fcp_ts_status st;
    CHECK_EQ(parse("{\"Self\":{}}", &st), 0);
    CHECK_EQ(parse("{\"Self\":{},\"Peer\":null}", &st), 0);
    CHECK_EQ(parse("{\"Self\":{}", &st), FCP_ETS_JSON);
    CHECK_EQ(parse("", &st), FCP_ETS_JSON);
    CHECK_EQ(parse("[1]", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{}", &st), FCP_ETS_SCHEMA);                                   /* no Self */
    CHECK_EQ(parse("{\"Self\":[]}", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{\"Self\":{},\"Self\":{}}", &st), FCP_ETS_JSON);                /* duplicate key */
    CHECK_EQ(parse("{\"Self\":{\"HostName\":7}}", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{\"Self\":{\"Online\":\"yes\"}}", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{\"Self\":{\"TailscaleIPs\":\"100.64.0.1\"}}", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{\"Self\":{\"TailscaleIPs\":[\"100.64.0.300\"]}}", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{\"Self\":{\"TailscaleIPs\":[1]}}", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{\"Self\":{\"Tags\":[\"tag:a\",null]}}", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{\"Self\":{\"Tags\":[\"\"]}}", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{\"Self\":{\"HostName\":\"a\\u0000b\"}}", &st), FCP_ETS_JSON);   /* NUL in a string */
    CHECK_EQ(parse("{\"Self\":{},\"Peer\":[]}", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{\"Self\":{},\"Peer\":{\"k\":5}}", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{\"Self\":{},\"Peer\":{\"\":{}}}", &st), FCP_ETS_SCHEMA);
    CHECK_EQ(parse("{\"Self\":{},\"BackendState\":{}}", &st), FCP_ETS_SCHEMA);
    /* bounds: 9 IPs, 33 tags, a 256-byte host name */
    char buf[8192];
    strcpy(buf, "{\"Self\":{\"TailscaleIPs\":[");
    for (int i = 0; i < 9; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s\"100.64.0.%d\"", i ? "," : "", i + 1);
    strcat(buf, "]}}");
    CHECK_EQ(parse(buf, &st), FCP_ETS_SCHEMA);
    strcpy(buf, "{\"Self\":{\"Tags\":[");
    for (int i = 0; i < 33; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s\"tag:t%d\"", i ? "," : "", i);
    strcat(buf, "]}}");
    CHECK_EQ(parse(buf, &st), FCP_ETS_SCHEMA);
    strcpy(buf, "{\"Self\":{\"HostName\":\"");
    size_t hl = strlen(buf);
    memset(buf + hl, 'h', 256);
    buf[hl + 256] = '\0';
    strcat(buf, "\"}}");
    CHECK_EQ(parse(buf, &st), FCP_ETS_SCHEMA);
    /* too many peers, and a body over the bound */
    fcp_ts_limits lim = { 0, 7 };
    CHECK_EQ(fcp_ts_status_parse(status_json, status_len, &lim, &st), FCP_ETS_TOO_MANY_PEERS);
    CHECK_EQ(st.n_peers, 0);
    lim.max_peers = 8;
    CHECK_EQ(fcp_ts_status_parse(status_json, status_len, &lim, &st), 0);
    fcp_ts_status_free(&st);
    lim.max_body = status_len - 1;
    CHECK_EQ(fcp_ts_status_parse(status_json, status_len, &lim, &st), FCP_ETS_TOO_LARGE);
    /* whois */
    fcp_ts_whois w;
    CHECK_EQ(fcp_ts_whois_parse((const uint8_t *)"{\"Node\":{}}", 11, &w), 0);
    CHECK_EQ(fcp_ts_whois_parse((const uint8_t *)"{}", 2, &w), FCP_ETS_SCHEMA);
    CHECK_EQ(fcp_ts_whois_parse((const uint8_t *)"{\"Node\":{\"Name\":1}}", 19, &w), FCP_ETS_SCHEMA);
    CHECK_EQ(fcp_ts_whois_parse((const uint8_t *)"{\"Node\":{},\"UserProfile\":2}", 27, &w), FCP_ETS_SCHEMA);
}

/* ---- golden: tags -> zones and candidates ---------------------------------------- */

static const char *known_ids[8];
static size_t n_known;
static int known(void *ctx, const char *id)
{
    (void)ctx;
    for (size_t i = 0; i < n_known; i++)
        if (strcmp(known_ids[i], id) == 0)
            return 1;
    return 0;
}

static void test_golden(void)
{
    json_error_t jerr;
    json_t *j = json_load_file("conformance/golden/tailscale/tag_zones.json", 0, &jerr);
    if (!CHECK(j != NULL))
        return;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "tags"), i, c) {
        fcp_ts_node n;
        memset(&n, 0, sizeof n);
        const char *tag = json_string_value(json_array_get(c, 0));
        const json_t *want = json_array_get(c, 1);
        snprintf(n.tags[0], sizeof n.tags[0], "%s", tag);
        n.n_tags = 1;
        char z[4][FCP_ZONE_ID_MAX + 1];
        size_t k = fcp_ts_node_zones(&n, z, 4);
        if (json_is_null(want)) {
            if (!CHECK_EQ(k, 0))
                fprintf(stderr, "  tag '%s' mapped\n", tag);
        } else if (CHECK_EQ(k, 1)) {
            if (!CHECK_EQ(strcmp(z[0], json_string_value(want)), 0))
                fprintf(stderr, "  tag '%s' -> '%s'\n", tag, z[0]);
        }
    }
    /* duplicates collapse, order kept */
    fcp_ts_node n;
    memset(&n, 0, sizeof n);
    n.n_tags = 4;
    strcpy(n.tags[0], "tag:fcp-proj-alpha");
    strcpy(n.tags[1], "tag:fcp-private");
    strcpy(n.tags[2], "tag:server");
    strcpy(n.tags[3], "tag:fcp-private");
    char z[4][FCP_ZONE_ID_MAX + 1];
    CHECK_EQ(fcp_ts_node_zones(&n, z, 4), 2);
    CHECK_EQ(strcmp(z[0], "z:project:alpha"), 0);
    CHECK_EQ(strcmp(z[1], "z:private"), 0);

    const json_t *cd = json_object_get(j, "candidates");
    size_t blen = 0;
    uint8_t *body = fcp_t_read_file(json_string_value(json_object_get(cd, "status")), &blen);
    fcp_ts_status st;
    if (body && CHECK_EQ(fcp_ts_status_parse(body, blen, NULL, &st), 0)) {
        char served[8][FCP_ZONE_ID_MAX + 1];
        size_t ns = 0;
        json_array_foreach(json_object_get(cd, "served"), i, c) snprintf(served[ns++], sizeof served[0], "%s",
                                                                          json_string_value(c));
        n_known = 0;
        json_array_foreach(json_object_get(cd, "known"), i, c) known_ids[n_known++] = json_string_value(c);
        fcp_ts_candidate out[16];
        size_t k = fcp_ts_candidates(&st, fcp_t_jstr(cd, "self"), served, ns, known, NULL, out, 16);
        const json_t *exp = json_object_get(cd, "expect");
        CHECK_EQ(k, json_array_size(exp));
        json_array_foreach(exp, i, c) {
            if (i >= k)
                break;
            CHECK_EQ(strcmp(out[i].node_id, fcp_t_jstr(c, "node_id")), 0);
            CHECK_EQ(strcmp(out[i].ip, fcp_t_jstr(c, "ip")), 0);
            const json_t *zs = json_object_get(c, "zones");
            CHECK_EQ(out[i].n_zones, json_array_size(zs));
            for (size_t q = 0; q < out[i].n_zones && q < json_array_size(zs); q++)
                CHECK_EQ(strcmp(out[i].zones[q], json_string_value(json_array_get(zs, q))), 0);
        }
        /* the rule's other inputs matter: nothing known, nothing served, cap */
        /* known NULL: any valid id (node-1-old, node-2-copy, node-2, node-3, node-4) */
        CHECK_EQ(fcp_ts_candidates(&st, "node-1", served, ns, NULL, NULL, out, 16), 5);
        n_known = 0;
        CHECK_EQ(fcp_ts_candidates(&st, "node-1", served, ns, known, NULL, out, 16), 0);
        CHECK_EQ(fcp_ts_candidates(&st, "node-1", served, 0, NULL, NULL, out, 16), 0);
        CHECK_EQ(fcp_ts_candidates(&st, "node-1", served, ns, NULL, NULL, out, 1), 1);
        fcp_ts_status_free(&st);
    }
    free(body);
    json_decref(j);
}

/* fcpd.toml [tailscale] */
static int cfg_parse(fcp_config *c, const char *text)
{
    fcp_toml_error e;
    fcp_config_defaults(c, "/var/lib/fcp");
    return fcp_config_parse(c, "t.toml", text, strlen(text), &e);
}

static void test_config(void)
{
    static fcp_config c;
    CHECK_EQ(cfg_parse(&c, ""), 0);
    CHECK_EQ(c.tailscale_enabled, 0);
    CHECK_EQ(strcmp(c.tailscale_socket, FCP_TS_DEFAULT_SOCKET), 0);
    CHECK_EQ(c.tailscale_poll_secs, 60);
    CHECK_EQ(c.tailscale_port, 0);
    CHECK_EQ(cfg_parse(&c, "[tailscale]\nenabled = true\nsocket = \"/run/ts.sock\"\npoll_secs = 5\nport = 7448\n"), 0);
    CHECK_EQ(c.tailscale_enabled, 1);
    CHECK_EQ(strcmp(c.tailscale_socket, "/run/ts.sock"), 0);
    CHECK_EQ(c.tailscale_poll_secs, 5);
    CHECK_EQ(c.tailscale_port, 7448);
    CHECK_EQ(cfg_parse(&c, "[tailscale]\n"), 0);          /* the table alone turns it on */
    CHECK_EQ(c.tailscale_enabled, 1);
    CHECK_EQ(cfg_parse(&c, "[tailscale]\nenabled = false\n"), 0);
    CHECK_EQ(c.tailscale_enabled, 0);
    CHECK_EQ(cfg_parse(&c, "[tailscale]\nsocket = \"ts.sock\"\n"), FCP_ECONFIG_PATH);
    char longp[200] = "[tailscale]\nsocket = \"/";
    memset(longp + strlen(longp), 'a', 110);
    strcat(longp, "\"\n");
    CHECK_EQ(cfg_parse(&c, longp), FCP_ECONFIG_PATH);
    CHECK(cfg_parse(&c, "[tailscale]\npoll_secs = 1\n") < 0);
    CHECK(cfg_parse(&c, "[tailscale]\nport = 0\n") < 0);
    CHECK(cfg_parse(&c, "[tailscale]\nenabled = \"yes\"\n") < 0);
    CHECK_EQ(cfg_parse(&c, "[tailscale]\nauthority = true\n"), FCP_ETOML_UNKNOWN_KEY);
}

int main(void)
{
    test_config();
    status_json = fcp_t_read_file("conformance/golden/tailscale/status.json", &status_len);
    whois_json = fcp_t_read_file("conformance/golden/tailscale/whois.json", &whois_len);
    if (!status_json || !whois_json)
        return fcp_t_done("net_tailscale");
    pthread_t t;
    if (!CHECK_EQ(fake_start(&t), 0))
        return fcp_t_done("net_tailscale");
    test_fetch();
    test_fetch_refused();
    fake_stop(t);
    test_http_decoder();
    test_json_refused();
    test_golden();
    free(status_json);
    free(whois_json);
    return fcp_t_done("net_tailscale");
}
