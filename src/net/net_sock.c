/*
 * net_sock.c - sockets: address resolution, UDP that never fragments (one
 * datagram per call, or batches through sendmmsg/recvmmsg and a bounded send
 * queue), the credential-checked unix admin socket and the loopback TCP
 * listener.
 *
 * Every socket is created non-blocking and close-on-exec (except the blocking
 * client connect), so nothing fcpd owns can stall its loop or leak into a
 * child.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcp/net.h"

int fcp_net_addr_resolve(fcp_net_addr *a, const char *host, uint16_t port)
{
    if (!a || !host)
        return FCP_EINVAL;
    memset(a, 0, sizeof *a);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        a->len = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        a->len = sizeof *v6;
        return 0;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM }, *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
        return FCP_ENET_ADDRESS;
    int rc = FCP_ENET_ADDRESS;
    if (res->ai_addrlen <= sizeof a->ss &&
        (res->ai_family == AF_INET || res->ai_family == AF_INET6)) {
        memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
        a->len = res->ai_addrlen;
        if (res->ai_family == AF_INET)
            v4->sin_port = htons(port);
        else
            v6->sin6_port = htons(port);
        rc = 0;
    }
    freeaddrinfo(res);
    return rc;
}

void fcp_net_addr_format(const fcp_net_addr *a, char *out, size_t cap)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (!cap)
        return;
    if (a->ss.ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a->ss;
        inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
        snprintf(out, cap, "%s:%u", host, (unsigned)ntohs(v4->sin_port));
    } else if (a->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&a->ss;
        inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
        snprintf(out, cap, "[%s]:%u", host, (unsigned)ntohs(v6->sin6_port));
    } else {
        snprintf(out, cap, "?");
    }
}

uint16_t fcp_net_addr_port(const fcp_net_addr *a)
{
    if (a->ss.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
    return 0;
}

int fcp_net_addr_equal(const fcp_net_addr *a, const fcp_net_addr *b)
{
    if (a->ss.ss_family != b->ss.ss_family)
        return 0;
    if (a->ss.ss_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)&a->ss;
        const struct sockaddr_in *y = (const struct sockaddr_in *)&b->ss;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->ss;
        const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->ss;
        return x->sin6_port == y->sin6_port &&
               !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr);
    }
    return 0;
}

static int bound_addr(int fd, fcp_net_addr *bound)
{
    if (!bound)
        return 0;
    memset(bound, 0, sizeof *bound);
    bound->len = sizeof bound->ss;
    return getsockname(fd, (struct sockaddr *)&bound->ss, &bound->len) < 0 ? FCP_ENET_SOCKET : 0;
}

int fcp_net_udp_open(int *fd, const char *host, uint16_t port, fcp_net_addr *bound)
{
    fcp_net_addr a;
    int rc = fcp_net_addr_resolve(&a, host, port);
    if (rc < 0)
        return rc;
    int s = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0)
        return FCP_ENET_SOCKET;
    int one = 1;
    rc = FCP_ENET_SOCKET;
    if (a.ss.ss_family == AF_INET6) {
        int pmtu = IPV6_PMTUDISC_DO;
        if (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0 ||
            setsockopt(s, IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof one) < 0 ||
            setsockopt(s, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof pmtu) < 0)
            goto fail;
    } else {
        int pmtu = IP_PMTUDISC_DO;
        if (setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu) < 0)
            goto fail;
    }
    if (bind(s, (struct sockaddr *)&a.ss, a.len) < 0)
        goto fail;
    if ((rc = bound_addr(s, bound)) < 0)
        goto fail;
    *fd = s;
    return 0;
fail:
    close(s);
    return rc;
}

int fcp_net_udp_recv(int fd, uint8_t *buf, size_t cap, fcp_net_addr *from)
{
    struct iovec iov = { .iov_base = buf, .iov_len = cap };
    struct msghdr mh = { .msg_name = &from->ss, .msg_namelen = sizeof from->ss,
                         .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t r = recvmsg(fd, &mh, 0);
    if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return FCP_ENOENT;
        /* ICMP errors surface as ECONNREFUSED etc. on the next call: not fatal */
        if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH || errno == EMSGSIZE)
            return FCP_ENOENT;
        return FCP_ENET_SOCKET;
    }
    from->len = mh.msg_namelen;
    if ((mh.msg_flags & MSG_TRUNC) || (size_t)r > FCP_NET_UDP_MAX_PAYLOAD)
        return FCP_ENET_DATAGRAM_SIZE;
    return (int)r;
}

int fcp_net_udp_send(int fd, const uint8_t *buf, size_t len, const fcp_net_addr *to)
{
    if (len > FCP_NET_UDP_MAX_PAYLOAD)
        return FCP_ENET_DATAGRAM_SIZE;
    ssize_t r = sendto(fd, buf, len, 0, (const struct sockaddr *)&to->ss, to->len);
    if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
            return FCP_ELIMIT;
        if (errno == EMSGSIZE)
            return FCP_ENET_DATAGRAM_SIZE;
        return FCP_ENET_SOCKET;
    }
    return 0;
}

/* ---- UDP in batches ------------------------------------------------------ */

/* errno of a failed send -> the FCP code of fcp_net_udp_send */
static int send_errno(int e)
{
    if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS || e == EINTR)
        return FCP_ELIMIT;
    if (e == EMSGSIZE)
        return FCP_ENET_DATAGRAM_SIZE;
    return FCP_ENET_SOCKET;
}

int fcp_net_udp_send_batch(int fd, const fcp_net_dgram *v, size_t n, size_t *sent)
{
    if (!sent || (!v && n))
        return FCP_EINVAL;
    *sent = 0;
    struct mmsghdr mh[FCP_NET_UDP_BATCH];
    struct iovec iov[FCP_NET_UDP_BATCH];
    size_t i = 0;
    while (i < n) {
        /* the slice: up to the batch size, stopping before an oversized one */
        size_t m = 0;
        while (m < FCP_NET_UDP_BATCH && i + m < n && v[i + m].len <= FCP_NET_UDP_MAX_PAYLOAD) {
            const fcp_net_dgram *g = &v[i + m];
            iov[m].iov_base = g->buf;
            iov[m].iov_len = g->len;
            memset(&mh[m], 0, sizeof mh[m]);
            if (g->addr.len) {
                mh[m].msg_hdr.msg_name = (void *)&g->addr.ss;
                mh[m].msg_hdr.msg_namelen = g->addr.len;
            }
            mh[m].msg_hdr.msg_iov = &iov[m];
            mh[m].msg_hdr.msg_iovlen = 1;
            m++;
        }
        if (m == 0)
            return FCP_ENET_DATAGRAM_SIZE;   /* v[i] itself is too large */
        int r = sendmmsg(fd, mh, (unsigned)m, MSG_DONTWAIT);
        if (r <= 0)   /* about v[i]: nothing of this slice left */
            return r < 0 ? send_errno(errno) : FCP_ELIMIT;
        /* r < m: the kernel stopped at v[i + r]; the next call reports why */
        i += (size_t)r;
        *sent = i;
    }
    return 0;
}

int fcp_net_udp_recv_batch(int fd, fcp_net_dgram *v, size_t n, size_t *got)
{
    if (!got)
        return FCP_EINVAL;
    *got = 0;
    if (!v || !n)
        return FCP_EINVAL;
    if (n > FCP_NET_UDP_BATCH)
        n = FCP_NET_UDP_BATCH;
    struct mmsghdr mh[FCP_NET_UDP_BATCH];
    struct iovec iov[FCP_NET_UDP_BATCH];
    for (size_t i = 0; i < n; i++) {
        iov[i].iov_base = v[i].buf;
        iov[i].iov_len = v[i].cap;
        memset(&mh[i], 0, sizeof mh[i]);
        mh[i].msg_hdr.msg_name = &v[i].addr.ss;
        mh[i].msg_hdr.msg_namelen = sizeof v[i].addr.ss;
        mh[i].msg_hdr.msg_iov = &iov[i];
        mh[i].msg_hdr.msg_iovlen = 1;
    }
    int r = recvmmsg(fd, mh, (unsigned)n, MSG_DONTWAIT, NULL);
    if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return FCP_ENOENT;
        /* ICMP errors surface on the next call (and are consumed by it) */
        if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH || errno == EMSGSIZE)
            return FCP_ENOENT;
        return FCP_ENET_SOCKET;
    }
    if (r == 0)
        return FCP_ENOENT;
    for (int i = 0; i < r; i++) {
        v[i].len = mh[i].msg_len;
        v[i].addr.len = mh[i].msg_hdr.msg_namelen;
        v[i].rc = (mh[i].msg_hdr.msg_flags & MSG_TRUNC) || v[i].len > FCP_NET_UDP_MAX_PAYLOAD
                      ? FCP_ENET_DATAGRAM_SIZE : 0;
    }
    *got = (size_t)r;
    return 0;
}

void fcp_net_udp_txq_init(fcp_net_udp_txq *q)
{
    q->head = q->tail = 0;
}

size_t fcp_net_udp_txq_len(const fcp_net_udp_txq *q)
{
    return q->tail - q->head;
}

int fcp_net_udp_txq_full(const fcp_net_udp_txq *q)
{
    return q->tail - q->head >= FCP_NET_UDP_BATCH;
}

int fcp_net_udp_txq_push(fcp_net_udp_txq *q, const uint8_t *buf, size_t len, const fcp_net_addr *to)
{
    if (len > FCP_NET_UDP_MAX_PAYLOAD)
        return FCP_ENET_DATAGRAM_SIZE;
    if (fcp_net_udp_txq_full(q))
        return FCP_ELIMIT;
    if (q->tail == FCP_NET_UDP_BATCH) {
        /* a held tail sits at the end: move it to the front (rare: only
         * when a caller pushes while the socket is still full) */
        size_t k = q->tail - q->head;
        for (size_t i = 0; i < k; i++) {
            memmove(q->buf[i], q->buf[q->head + i], q->d[q->head + i].len);
            q->d[i] = q->d[q->head + i];
            q->d[i].buf = q->buf[i];
        }
        q->head = 0;
        q->tail = k;
    }
    fcp_net_dgram *g = &q->d[q->tail];
    memcpy(q->buf[q->tail], buf, len);
    g->buf = q->buf[q->tail];
    g->len = len;
    g->cap = FCP_NET_UDP_MAX_PAYLOAD;
    g->addr = *to;
    g->rc = 0;
    q->tail++;
    return 0;
}

int fcp_net_udp_txq_flush(int fd, fcp_net_udp_txq *q, fcp_net_udp_txq_stats *st)
{
    while (q->head < q->tail) {
        size_t sent = 0;
        int rc = fcp_net_udp_send_batch(fd, &q->d[q->head], q->tail - q->head, &sent);
        for (size_t i = 0; i < sent; i++) {
            if (st) {
                st->sent++;
                st->bytes += q->d[q->head + i].len;
            }
        }
        q->head += sent;
        if (rc == FCP_ELIMIT)
            return FCP_ELIMIT;
        if (rc < 0) {   /* refused for good: drop this one, go on */
            if (st)
                st->dropped++;
            q->head++;
        }
    }
    q->head = q->tail = 0;
    return 0;
}

static int unix_addr(struct sockaddr_un *sa, const char *path)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof sa->sun_path)
        return FCP_ENET_ADDRESS;
    memcpy(sa->sun_path, path, n);
    return 0;
}

int fcp_net_unix_listen(int *fd, const char *path)
{
    struct sockaddr_un sa;
    int rc = unix_addr(&sa, path);
    if (rc < 0)
        return rc;
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return FCP_ENET_SOCKET;
        int probe;
        if (fcp_net_unix_connect(&probe, path) == 0) {
            close(probe);
            return FCP_EDAEMON_RUNNING;
        }
        unlink(path);   /* a dead daemon's socket */
    }
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0)
        return FCP_ENET_SOCKET;
    /* bind under a umask so the socket is never briefly reachable by others */
    mode_t old = umask(0177);
    int b = bind(s, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (b < 0 || chmod(path, 0600) < 0 || listen(s, 16) < 0) {
        close(s);
        return FCP_ENET_SOCKET;
    }
    *fd = s;
    return 0;
}

int fcp_net_unix_accept(int lfd, int *cfd, uid_t want_uid)
{
    int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
                   ? FCP_ENOENT : FCP_ENET_SOCKET;
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || len != sizeof cr ||
        cr.uid != want_uid) {
        close(c);
        return FCP_ENET_PEER_CRED;
    }
    *cfd = c;
    return 0;
}

int fcp_net_unix_connect(int *fd, const char *path)
{
    struct sockaddr_un sa;
    int rc = unix_addr(&sa, path);
    if (rc < 0)
        return rc;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return FCP_ENET_SOCKET;
    if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(s);
        return FCP_EADMIN_CONNECT;
    }
    *fd = s;
    return 0;
}

int fcp_net_tcp_listen(int *fd, const char *host, uint16_t port, fcp_net_addr *bound)
{
    fcp_net_addr a;
    int rc = fcp_net_addr_resolve(&a, host, port);
    if (rc < 0)
        return rc;
    int s = socket(a.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0)
        return FCP_ENET_SOCKET;
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a.ss.ss_family == AF_INET6)
        setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(s, (struct sockaddr *)&a.ss, a.len) < 0 || listen(s, 16) < 0 ||
        bound_addr(s, bound) < 0) {
        close(s);
        return FCP_ENET_SOCKET;
    }
    *fd = s;
    return 0;
}

int fcp_net_tcp_accept(int lfd, int *cfd)
{
    int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
                   ? FCP_ENOENT : FCP_ENET_SOCKET;
    *cfd = c;
    return 0;
}
