/*
 * net.h - the I/O adapters of fcpd: the only module family that touches
 * sockets (ARCHITECTURE.md, layer net/).
 *
 * Pieces, each small and independent:
 *
 *   loop     one epoll instance; fds are registered with a callback and a
 *            context.  Timers are computed timeouts: the owner works out its
 *            next deadline (mesh tick, housekeeping) and passes the wait in
 *            milliseconds to fcp_net_loop_run_once.  Registrations live in a
 *            fixed slot table with generation counters, so a callback may
 *            remove any fd (its own or another's) without a later event of the
 *            same batch reaching a freed context.
 *   signals  signalfd for SIGTERM/SIGINT/SIGHUP (blocked for the process, read
 *            as ordinary events).
 *   udp      non-blocking IPv4/IPv6 datagram sockets that never fragment
 *            (IP_PMTUDISC_DO / IPV6_DONTFRAG) and refuse payloads above
 *            FCP_NET_UDP_MAX_PAYLOAD; truncated (oversized) arrivals are
 *            reported, not delivered.  Datagrams move one per call or in
 *            batches (sendmmsg/recvmmsg), and a bounded per-socket send
 *            queue keeps what a full socket did not take.
 *   unix     the admin socket: mode 0600, a stale socket file is replaced only
 *            when nobody answers on it, and every accepted client is checked
 *            with SO_PEERCRED against the daemon's uid.
 *   tcp      a loopback listener for the metrics endpoint.
 *   conn     a bounded per-connection byte queue pair (input with a fixed
 *            capacity, output with a hard maximum) for stream sockets.
 *   http     a tiny HTTP/1.0 request-line parser and response writer, enough
 *            for GET /metrics.
 *
 * Every function returns 0 (or a documented non-negative value) or a negative
 * FCP error: FCP_ENET_* for socket-level failures, FCP_EINVAL for bad
 * arguments, FCP_ENOMEM.  Nothing here blocks except the client helpers that
 * say so (fcp_net_unix_connect and the admin client).
 */
#ifndef FCP_NET_H
#define FCP_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "fcp/buf.h"

#define FCP_NET_UDP_MAX_PAYLOAD 1200u     /* spec §4.2: one datagram never exceeds this */
#define FCP_NET_LOOP_MAX_FDS    1024u     /* registrations per loop */
#define FCP_NET_ADDR_TEXT_MAX   64u       /* "[v6%scope]:port" */

/* ---- event loop ---------------------------------------------------------- */

#define FCP_NET_EV_IN   0x1u
#define FCP_NET_EV_OUT  0x2u
#define FCP_NET_EV_ERR  0x4u   /* error or hang-up (always reported) */

typedef struct fcp_net_loop fcp_net_loop;
/* Called with the events that fired (FCP_NET_EV_* bits). */
typedef void (*fcp_net_fd_cb)(void *ctx, int fd, unsigned events);

/* Create a loop.  Free with fcp_net_loop_free (which does not close the
 * registered fds: their owners do). */
int fcp_net_loop_new(fcp_net_loop **out);
void fcp_net_loop_free(fcp_net_loop *l);
/* Watch fd for events (FCP_NET_EV_IN/OUT).  FCP_ENET_CONN_LIMIT when the slot
 * table is full, FCP_ENET_LOOP if epoll refuses, FCP_EINVAL if fd is already
 * registered. */
int fcp_net_loop_add(fcp_net_loop *l, int fd, unsigned events, fcp_net_fd_cb cb, void *ctx);
/* Change the watched events of a registered fd. */
int fcp_net_loop_mod(fcp_net_loop *l, int fd, unsigned events);
/* Stop watching fd (no callback for it runs after this returns).  0 even when
 * fd was not registered. */
int fcp_net_loop_del(fcp_net_loop *l, int fd);
/* Wait at most timeout_ms (-1: no limit, 0: poll) and run the callbacks of
 * what fired.  Returns how many callbacks ran, or FCP_ENET_LOOP. */
int fcp_net_loop_run_once(fcp_net_loop *l, int timeout_ms);
/* Number of registered fds. */
size_t fcp_net_loop_count(const fcp_net_loop *l);

/* ---- signals ------------------------------------------------------------- */

/* Block SIGTERM, SIGINT and SIGHUP (and ignore SIGPIPE) for the calling
 * thread and return a non-blocking signalfd that reports them. */
int fcp_net_signalfd_open(int *fd);
/* Read one pending signal: 1 with *signo set, 0 if none pending, or error. */
int fcp_net_signalfd_read(int fd, int *signo);

/* ---- addresses ----------------------------------------------------------- */

typedef struct fcp_net_addr {
    struct sockaddr_storage ss;
    socklen_t len;
} fcp_net_addr;

/* Resolve "host" + port to an address (numeric hosts never touch DNS;
 * "localhost" and names use getaddrinfo, first result).  FCP_ENET_ADDRESS. */
int fcp_net_addr_resolve(fcp_net_addr *a, const char *host, uint16_t port);
/* "1.2.3.4:5" or "[::1]:5".  Always NUL-terminates. */
void fcp_net_addr_format(const fcp_net_addr *a, char *out, size_t cap);
/* Port of an AF_INET/AF_INET6 address (0 otherwise). */
uint16_t fcp_net_addr_port(const fcp_net_addr *a);
/* 1 if both hold the same family, address and port. */
int fcp_net_addr_equal(const fcp_net_addr *a, const fcp_net_addr *b);

/* ---- UDP ----------------------------------------------------------------- */

/* Open a non-blocking, close-on-exec UDP socket bound to host:port (port 0:
 * the kernel picks; *bound receives the real address, may be NULL).  IPv6
 * sockets are v6-only.  Path-MTU discovery is forced so the kernel never
 * fragments (IP_PMTUDISC_DO / IPV6_DONTFRAG).  FCP_ENET_ADDRESS,
 * FCP_ENET_SOCKET. */
int fcp_net_udp_open(int *fd, const char *host, uint16_t port, fcp_net_addr *bound);
/* Receive one datagram into buf[0..cap).  Returns its length (>= 0, with
 * *from set); FCP_ENOENT when nothing is pending; FCP_ENET_DATAGRAM_SIZE if
 * it was larger than cap or than FCP_NET_UDP_MAX_PAYLOAD (it is consumed and
 * dropped, *from still set); FCP_ENET_SOCKET on other errors. */
int fcp_net_udp_recv(int fd, uint8_t *buf, size_t cap, fcp_net_addr *from);
/* Send one datagram.  FCP_ENET_DATAGRAM_SIZE above FCP_NET_UDP_MAX_PAYLOAD,
 * FCP_ELIMIT if the socket buffer is full (the datagram is dropped, as UDP
 * allows), FCP_ENET_SOCKET on other errors. */
int fcp_net_udp_send(int fd, const uint8_t *buf, size_t len, const fcp_net_addr *to);

/* ---- UDP in batches (sendmmsg / recvmmsg) ---------------------------------
 *
 * One system call moves up to FCP_NET_UDP_BATCH datagrams (larger arrays are
 * walked in slices of that size).  A datagram of a batch is one
 * fcp_net_dgram:
 *
 *   send  buf/len: the payload (at most FCP_NET_UDP_MAX_PAYLOAD); addr: the
 *         destination (addr.len 0: the socket's connected peer, for
 *         connected sockets and socketpairs); cap and rc unused.
 *   recv  buf/cap: where it lands (set by the caller); on return len: bytes
 *         stored, addr: the source, rc: 0, or FCP_ENET_DATAGRAM_SIZE when the
 *         datagram was larger than cap (MSG_TRUNC) or than
 *         FCP_NET_UDP_MAX_PAYLOAD: it is consumed and must be dropped.
 */
#define FCP_NET_UDP_BATCH 64u

typedef struct fcp_net_dgram {
    uint8_t     *buf;
    size_t       len;
    size_t       cap;
    fcp_net_addr addr;
    int          rc;
} fcp_net_dgram;

/* Send v[0..n) in order, never blocking.  Returns 0 when all were accepted
 * (*sent = n).  Otherwise v[0..*sent) were accepted by the kernel, v[*sent]
 * was not, and nothing after it was tried:
 *   FCP_ELIMIT              the socket buffer is full (EAGAIN/ENOBUFS, or
 *                           an interrupted call):
 *                           v[*sent..n) may be sent again once the socket is
 *                           writable (nothing is dropped here);
 *   FCP_ENET_DATAGRAM_SIZE  v[*sent] is above FCP_NET_UDP_MAX_PAYLOAD or the
 *                           path's MTU (EMSGSIZE): skip it and go on;
 *   FCP_ENET_SOCKET         v[*sent] failed otherwise (bad address, ...).
 * FCP_EINVAL for a NULL v with n > 0 or a NULL sent. */
int fcp_net_udp_send_batch(int fd, const fcp_net_dgram *v, size_t n, size_t *sent);
/* Receive up to n datagrams (at most FCP_NET_UDP_BATCH per call) into
 * v[0..n) (buf and cap set by the caller), never blocking.  Returns 0 with *got >= 1 datagrams filled in (see rc of
 * each: truncated or oversized ones are reported, not delivered);
 * FCP_ENOENT with *got = 0 when nothing is pending (or a transient ICMP
 * error was consumed); FCP_ENET_SOCKET on other errors.  FCP_EINVAL for a
 * NULL v, n == 0 or a NULL got. */
int fcp_net_udp_recv_batch(int fd, fcp_net_dgram *v, size_t n, size_t *got);

/* A bounded send queue for one UDP socket: datagrams are copied in with
 * _push and leave with _flush (one sendmmsg per FCP_NET_UDP_BATCH).  When
 * the socket is full the unsent tail stays queued, in order, for the next
 * _flush (wait for writability first); nothing is dropped except datagrams
 * the kernel refuses for good (size, address), which are counted. */
typedef struct fcp_net_udp_txq {
    size_t        head, tail;   /* queued: d[head..tail) */
    fcp_net_dgram d[FCP_NET_UDP_BATCH];
    uint8_t       buf[FCP_NET_UDP_BATCH][FCP_NET_UDP_MAX_PAYLOAD];
} fcp_net_udp_txq;

typedef struct fcp_net_udp_txq_stats {
    uint64_t sent, bytes;       /* accepted by the kernel */
    uint64_t dropped;           /* refused for good (not FCP_ELIMIT) */
} fcp_net_udp_txq_stats;

/* Empty the queue (no system call). */
void fcp_net_udp_txq_init(fcp_net_udp_txq *q);
/* Datagrams queued. */
size_t fcp_net_udp_txq_len(const fcp_net_udp_txq *q);
/* 1 when _push would refuse with FCP_ELIMIT. */
int fcp_net_udp_txq_full(const fcp_net_udp_txq *q);
/* Queue a copy of buf[0..len) for to.  FCP_ENET_DATAGRAM_SIZE above
 * FCP_NET_UDP_MAX_PAYLOAD, FCP_ELIMIT when FCP_NET_UDP_BATCH are queued
 * (flush first); nothing queued then. */
int fcp_net_udp_txq_push(fcp_net_udp_txq *q, const uint8_t *buf, size_t len, const fcp_net_addr *to);
/* Send what is queued, adding to *st (may be NULL).  0 when the queue is
 * empty afterwards; FCP_ELIMIT when the socket is full (the rest stays
 * queued).  Datagrams refused for good are dropped and counted, and the
 * flush goes on with the next. */
int fcp_net_udp_txq_flush(int fd, fcp_net_udp_txq *q, fcp_net_udp_txq_stats *st);

/* ---- unix admin socket --------------------------------------------------- */

/* Create the listening admin socket at path with mode 0600.  If a socket file
 * already exists and a connect to it succeeds, FCP_EDAEMON_RUNNING; if it is a
 * dead socket it is replaced; any other file type: FCP_ENET_SOCKET (never
 * deleted).  Paths longer than sun_path: FCP_ENET_ADDRESS. */
int fcp_net_unix_listen(int *fd, const char *path);
/* Accept one client (non-blocking, close-on-exec).  Returns 0 with *cfd set,
 * FCP_ENOENT when no client is pending, FCP_ENET_PEER_CRED when the client's
 * uid (SO_PEERCRED) is not want_uid (the client is closed). */
int fcp_net_unix_accept(int lfd, int *cfd, uid_t want_uid);
/* Blocking connect (for clients).  FCP_EADMIN_CONNECT if nobody listens. */
int fcp_net_unix_connect(int *fd, const char *path);

/* ---- TCP (metrics) ------------------------------------------------------- */

/* Non-blocking TCP listener on host:port (port 0: kernel picks; *bound may be
 * NULL).  FCP_ENET_ADDRESS, FCP_ENET_SOCKET. */
int fcp_net_tcp_listen(int *fd, const char *host, uint16_t port, fcp_net_addr *bound);
/* Accept one client (non-blocking).  FCP_ENOENT when none is pending. */
int fcp_net_tcp_accept(int lfd, int *cfd);

/* ---- bounded stream connection ------------------------------------------- */

typedef struct fcp_net_conn {
    int      fd;
    uint8_t *in;          /* fixed capacity in_cap */
    size_t   in_len, in_cap;
    fcp_buf  out;         /* pending output, at most out_max bytes */
    size_t   out_off;     /* bytes of out already written */
    size_t   out_max;
    int      eof;         /* peer closed its side */
} fcp_net_conn;

/* Set up a connection over fd with an input buffer of in_cap bytes and an
 * output bound of out_max bytes.  FCP_ENOMEM. */
int fcp_net_conn_init(fcp_net_conn *c, int fd, size_t in_cap, size_t out_max);
/* Free the buffers and close the fd. */
void fcp_net_conn_close(fcp_net_conn *c);
/* Read what is available into the free part of the input buffer.  Returns the
 * number of bytes read (0: nothing now, or the buffer is full; c->eof tells a
 * closed peer), or FCP_EIO. */
int fcp_net_conn_read(fcp_net_conn *c);
/* Drop the first n bytes of input (after a frame was consumed). */
void fcp_net_conn_consume(fcp_net_conn *c, size_t n);
/* Queue bytes for output.  FCP_ELIMIT if that would exceed out_max (nothing
 * queued). */
int fcp_net_conn_queue(fcp_net_conn *c, const void *p, size_t n);
/* Bytes queued and not yet written. */
size_t fcp_net_conn_pending(const fcp_net_conn *c);
/* Write as much queued output as the socket takes.  0 or FCP_EIO. */
int fcp_net_conn_flush(fcp_net_conn *c);

/* ---- HTTP/1.0 (metrics) -------------------------------------------------- */

#define FCP_NET_HTTP_REQUEST_MAX 4096u

/* Parse the start of an HTTP request held in p[0..n).  Returns 0 when the
 * header block is incomplete (need more), 1 when complete with method and
 * path copied (NUL-terminated, truncated to the caps), FCP_ELIMIT when n
 * reaches FCP_NET_HTTP_REQUEST_MAX without a complete header block, and
 * FCP_EINVAL for a malformed request line. */
int fcp_net_http_parse(const uint8_t *p, size_t n, char *method, size_t mcap, char *path, size_t pcap);
/* Append a complete HTTP/1.0 response (status line, Content-Type,
 * Content-Length, Connection: close) with the given body. */
int fcp_net_http_response(fcp_buf *out, int status, const char *reason, const char *ctype,
                          const void *body, size_t body_len);

#endif
