/*
 * net_conn.c - bounded per-connection buffers for stream sockets, and the
 * HTTP/1.0 request parser / response writer behind GET /metrics.
 *
 * Input has a fixed capacity: when it is full the connection simply stops
 * reading (the peer is back-pressured by the kernel) until the owner consumes
 * a frame.  Output has a hard bound: producers check fcp_net_conn_pending and
 * only queue more when there is room, so a slow client can never make the
 * daemon buffer without limit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcp/net.h"

int fcp_net_conn_init(fcp_net_conn *c, int fd, size_t in_cap, size_t out_max)
{
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->in = malloc(in_cap ? in_cap : 1);
    if (!c->in)
        return FCP_ENOMEM;
    c->in_cap = in_cap;
    c->out_max = out_max;
    fcp_buf_init(&c->out);
    return 0;
}

void fcp_net_conn_close(fcp_net_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->in);
    c->in = NULL;
    c->in_len = c->in_cap = 0;
    fcp_buf_free(&c->out);
    c->out_off = 0;
}

int fcp_net_conn_read(fcp_net_conn *c)
{
    if (c->in_len >= c->in_cap)
        return 0;
    ssize_t r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
    if (r < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : FCP_EIO;
    if (r == 0)
        c->eof = 1;
    c->in_len += (size_t)r;
    return (int)r;
}

void fcp_net_conn_consume(fcp_net_conn *c, size_t n)
{
    if (n >= c->in_len) {
        c->in_len = 0;
        return;
    }
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
}

size_t fcp_net_conn_pending(const fcp_net_conn *c)
{
    return c->out.len - c->out_off;
}

int fcp_net_conn_queue(fcp_net_conn *c, const void *p, size_t n)
{
    if (fcp_net_conn_pending(c) + n > c->out_max)
        return FCP_ELIMIT;
    if (c->out_off && c->out_off == c->out.len) {
        fcp_buf_reset(&c->out);
        c->out_off = 0;
    }
    return fcp_buf_append(&c->out, p, n);
}

int fcp_net_conn_flush(fcp_net_conn *c)
{
    while (c->out_off < c->out.len) {
        ssize_t w = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            if (errno == EINTR)
                continue;
            return FCP_EIO;
        }
        c->out_off += (size_t)w;
    }
    fcp_buf_reset(&c->out);
    c->out_off = 0;
    return 0;
}

static void copy_token(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    if (!cap)
        return;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, p, n);
    dst[n] = 0;
}

int fcp_net_http_parse(const uint8_t *p, size_t n, char *method, size_t mcap, char *path, size_t pcap)
{
    size_t end = 0;
    int done = 0;
    for (size_t i = 0; i + 1 < n && !done; i++) {
        if (p[i] == '\n' && p[i + 1] == '\n') { end = i; done = 1; }
        else if (i + 3 < n && !memcmp(p + i, "\r\n\r\n", 4)) { end = i; done = 1; }
    }
    if (!done) {
        /* HTTP/0.9-style single line without headers is not accepted: need the blank line */
        return n >= FCP_NET_HTTP_REQUEST_MAX ? FCP_ELIMIT : 0;
    }
    size_t line = 0;
    while (line < end && p[line] != '\r' && p[line] != '\n')
        line++;
    const uint8_t *sp1 = memchr(p, ' ', line);
    if (!sp1 || sp1 == p)
        return FCP_EINVAL;
    size_t mlen = (size_t)(sp1 - p);
    const uint8_t *rest = sp1 + 1;
    size_t rlen = line - mlen - 1;
    const uint8_t *sp2 = memchr(rest, ' ', rlen);
    size_t plen = sp2 ? (size_t)(sp2 - rest) : rlen;
    if (plen == 0 || rest[0] != '/')
        return FCP_EINVAL;
    for (size_t i = 0; i < mlen; i++)
        if (p[i] < 'A' || p[i] > 'Z')
            return FCP_EINVAL;
    copy_token(method, mcap, p, mlen);
    copy_token(path, pcap, rest, plen);
    return 1;
}

int fcp_net_http_response(fcp_buf *out, int status, const char *reason, const char *ctype,
                          const void *body, size_t body_len)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n", status, reason, ctype, body_len);
    if (n < 0 || (size_t)n >= sizeof head)
        return FCP_EINVAL;
    fcp_buf_append(out, head, (size_t)n);
    return fcp_buf_append(out, body, body_len);
}
