/*
 * net_admin_client.c - the blocking admin-socket client `fcp` uses: connect,
 * write one request frame, read response frames (include/fcp/admin.h).
 *
 * Blocking is right here: the CLI does one thing at a time.  Reads are
 * bounded by the frame header's length, which is checked against
 * FCP_ADMIN_MAX_PAYLOAD before anything is allocated.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fcp/admin.h"
#include "fcp/error.h"
#include "fcp/net.h"

int fcp_admin_client_open(fcp_admin_client *c, const char *path)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->next_seq = 1;
    return fcp_net_unix_connect(&c->fd, path);
}

void fcp_admin_client_close(fcp_admin_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return FCP_EADMIN_CONNECT;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return FCP_EADMIN_CONNECT;
        }
        if (r == 0)
            return FCP_EADMIN_CONNECT;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int fcp_admin_client_send(fcp_admin_client *c, const fcp_admin_request *r, uint64_t *seq)
{
    fcp_buf payload, frame;
    fcp_buf_init(&payload);
    fcp_buf_init(&frame);
    uint64_t s = c->next_seq++;
    int rc = fcp_admin_request_encode(r, &payload);
    if (rc == 0)
        rc = fcp_admin_frame_encode(&frame, s, payload.data, payload.len);
    if (rc == 0)
        rc = write_all(c->fd, frame.data, frame.len);
    fcp_buf_free(&payload);
    fcp_buf_free(&frame);
    if (rc == 0 && seq)
        *seq = s;
    return rc;
}

int fcp_admin_client_recv(fcp_admin_client *c, uint64_t want_seq, fcp_buf *out)
{
    int rc = read_all(c->fd, c->hdr, sizeof c->hdr);
    if (rc < 0)
        return rc;
    uint64_t seq = 0;
    uint32_t len = 0;
    /* header only: pass n = header + 0 so the payload is not required yet */
    rc = fcp_admin_frame_check(c->hdr, sizeof c->hdr, FCP_ADMIN_MAX_PAYLOAD, &seq, &len);
    if (rc < 0)
        return rc;
    len = fcp_load_u32le(c->hdr + 32);
    seq = fcp_load_u64le(c->hdr + 22);
    fcp_buf_reset(out);
    uint8_t *p = fcp_buf_extend(out, len);
    if (!p && len)
        return FCP_ENOMEM;
    if (len && (rc = read_all(c->fd, p, len)) < 0)
        return rc;
    return seq == want_seq ? 0 : FCP_EADMIN_RESPONSE;
}

int fcp_admin_client_call(fcp_admin_client *c, const fcp_admin_request *r, fcp_buf *out)
{
    uint64_t seq;
    int rc = fcp_admin_client_send(c, r, &seq);
    return rc < 0 ? rc : fcp_admin_client_recv(c, seq, out);
}

int fcp_admin_socket_path(char *out, size_t cap, const char *explicit_path, const char *fcp_home,
                          const char *home)
{
    const char *base, *suffix;
    if (explicit_path && *explicit_path) {
        base = explicit_path;
        suffix = "";
    } else if (fcp_home && *fcp_home) {
        base = fcp_home;
        suffix = "/fcpd.sock";
    } else if (home && *home) {
        base = home;
        suffix = "/.config/fcp/fcpd.sock";
    } else {
        return FCP_ENET_ADDRESS;
    }
    size_t lb = strlen(base), ls = strlen(suffix);
    if (lb + ls + 1 > cap || lb + ls > 107)
        return FCP_ENET_ADDRESS;
    memcpy(out, base, lb);
    memcpy(out + lb, suffix, ls + 1);
    return 0;
}

int fcp_admin_client_simple(const char *sock, const fcp_admin_request *r, fcp_buf *resp,
                            char *detail, size_t cap)
{
    fcp_admin_client c;
    if (cap)
        detail[0] = 0;
    int rc = fcp_admin_client_open(&c, sock);
    if (rc < 0) {
        if (cap)
            snprintf(detail, cap, "cannot connect to %s", sock);
        return rc;
    }
    rc = fcp_admin_client_call(&c, r, resp);
    fcp_admin_client_close(&c);
    if (rc < 0) {
        if (cap)
            snprintf(detail, cap, "no valid answer from fcpd on %s", sock);
        return rc;
    }
    int err = 0;
    int f = fcp_admin_resp_failed(resp->data, resp->len, &err, detail, cap);
    if (f < 0)
        return f;
    return f == 1 ? err : 0;
}
