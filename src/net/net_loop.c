/*
 * net_loop.c - the epoll event loop and the signalfd of fcpd.
 *
 * Registrations sit in a fixed slot table.  epoll carries (slot, generation)
 * in its 64-bit user data; removing an fd bumps the slot's generation, so an
 * event already fetched in the same epoll_wait batch for a removed (or
 * removed and re-added) fd is recognised as stale and skipped.  That is what
 * lets any callback close any connection safely.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcp/net.h"

#define LOOP_BATCH 64

struct slot {
    int           fd;        /* -1: free */
    uint32_t      gen;
    fcp_net_fd_cb cb;
    void         *ctx;
};

struct fcp_net_loop {
    int         epfd;
    size_t      count;
    struct slot slots[FCP_NET_LOOP_MAX_FDS];
};

static uint32_t to_epoll(unsigned ev)
{
    uint32_t e = 0;
    if (ev & FCP_NET_EV_IN)
        e |= EPOLLIN;
    if (ev & FCP_NET_EV_OUT)
        e |= EPOLLOUT;
    return e;
}

int fcp_net_loop_new(fcp_net_loop **out)
{
    fcp_net_loop *l = calloc(1, sizeof *l);
    if (!l)
        return FCP_ENOMEM;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0) {
        free(l);
        return FCP_ENET_LOOP;
    }
    for (size_t i = 0; i < FCP_NET_LOOP_MAX_FDS; i++)
        l->slots[i].fd = -1;
    *out = l;
    return 0;
}

void fcp_net_loop_free(fcp_net_loop *l)
{
    if (!l)
        return;
    close(l->epfd);
    free(l);
}

static struct slot *find(fcp_net_loop *l, int fd, size_t *idx)
{
    for (size_t i = 0; i < FCP_NET_LOOP_MAX_FDS; i++)
        if (l->slots[i].fd == fd) {
            if (idx)
                *idx = i;
            return &l->slots[i];
        }
    return NULL;
}

int fcp_net_loop_add(fcp_net_loop *l, int fd, unsigned events, fcp_net_fd_cb cb, void *ctx)
{
    if (!l || fd < 0 || !cb || find(l, fd, NULL))
        return FCP_EINVAL;
    size_t i;
    if (!find(l, -1, &i))
        return FCP_ENET_CONN_LIMIT;
    struct slot *s = &l->slots[i];
    struct epoll_event ev = { .events = to_epoll(events) };
    ev.data.u64 = ((uint64_t)(s->gen + 1) << 32) | i;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        return FCP_ENET_LOOP;
    s->gen++;
    s->fd = fd;
    s->cb = cb;
    s->ctx = ctx;
    l->count++;
    return 0;
}

int fcp_net_loop_mod(fcp_net_loop *l, int fd, unsigned events)
{
    size_t i;
    struct slot *s = find(l, fd, &i);
    if (!s || fd < 0)
        return FCP_EINVAL;
    struct epoll_event ev = { .events = to_epoll(events) };
    ev.data.u64 = ((uint64_t)s->gen << 32) | i;
    return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? FCP_ENET_LOOP : 0;
}

int fcp_net_loop_del(fcp_net_loop *l, int fd)
{
    struct slot *s = fd >= 0 ? find(l, fd, NULL) : NULL;
    if (!s)
        return 0;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
    s->fd = -1;
    s->gen++;             /* stale events of this batch are skipped */
    s->cb = NULL;
    s->ctx = NULL;
    l->count--;
    return 0;
}

size_t fcp_net_loop_count(const fcp_net_loop *l)
{
    return l->count;
}

int fcp_net_loop_run_once(fcp_net_loop *l, int timeout_ms)
{
    struct epoll_event evs[LOOP_BATCH];
    int n = epoll_wait(l->epfd, evs, LOOP_BATCH, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : FCP_ENET_LOOP;
    int ran = 0;
    for (int k = 0; k < n; k++) {
        size_t i = (size_t)(evs[k].data.u64 & 0xffffffffu);
        uint32_t gen = (uint32_t)(evs[k].data.u64 >> 32);
        if (i >= FCP_NET_LOOP_MAX_FDS)
            continue;
        struct slot *s = &l->slots[i];
        if (s->fd < 0 || s->gen != gen)
            continue;
        unsigned what = 0;
        if (evs[k].events & EPOLLIN)
            what |= FCP_NET_EV_IN;
        if (evs[k].events & EPOLLOUT)
            what |= FCP_NET_EV_OUT;
        if (evs[k].events & (EPOLLERR | EPOLLHUP))
            what |= FCP_NET_EV_ERR;
        s->cb(s->ctx, s->fd, what);
        ran++;
    }
    return ran;
}

int fcp_net_signalfd_open(int *fd)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return FCP_ENET_LOOP;
    signal(SIGPIPE, SIG_IGN);   /* a vanished admin client is an EPIPE, not a death */
    int s = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (s < 0)
        return FCP_ENET_LOOP;
    *fd = s;
    return 0;
}

int fcp_net_signalfd_read(int fd, int *signo)
{
    struct signalfd_siginfo si;
    ssize_t r = read(fd, &si, sizeof si);
    if (r < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : FCP_ENET_LOOP;
    if ((size_t)r != sizeof si)
        return FCP_ENET_LOOP;
    *signo = (int)si.ssi_signo;
    return 1;
}
