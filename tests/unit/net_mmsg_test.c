/*
 * net_mmsg_test.c - UDP in batches (net_sock.c): fcp_net_udp_send_batch and
 * fcp_net_udp_recv_batch over loopback sockets (order across several
 * sendmmsg slices, an oversized datagram stopping a batch, truncated and
 * oversized arrivals reported in place) and the bounded send queue
 * fcp_net_udp_txq.
 *
 * Back-pressure (FCP_ELIMIT with a partial count) is shown on an AF_UNIX
 * datagram socketpair with a tiny send buffer: loopback UDP frees the
 * sender's buffer at transmit, so it never pushes back, while a unix
 * datagram stays charged to the sender until the receiver reads it.  The
 * functions are the same (addr.len 0: the connected peer).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcp/net.h"
#include "test.h"

/* payload i: 4-byte sequence number then a pattern, length 16 + i % 200
 * (or fixed len when len_fixed) */
static size_t fill(uint8_t *p, uint32_t i, size_t len_fixed)
{
    size_t len = len_fixed ? len_fixed : 16 + i % 200;
    p[0] = (uint8_t)(i >> 24);
    p[1] = (uint8_t)(i >> 16);
    p[2] = (uint8_t)(i >> 8);
    p[3] = (uint8_t)i;
    for (size_t k = 4; k < len; k++)
        p[k] = (uint8_t)(i * 31u + k);
    return len;
}

static int payload_ok(const uint8_t *p, size_t len, uint32_t i, size_t len_fixed)
{
    uint8_t want[FCP_NET_UDP_MAX_PAYLOAD];
    size_t wl = fill(want, i, len_fixed);
    return len == wl && !memcmp(p, want, wl);
}

static uint8_t rxbuf[FCP_NET_UDP_BATCH][2048];
static fcp_net_dgram rx[FCP_NET_UDP_BATCH];

/* Read up to max datagrams (waiting up to ~2 s for the first), checking that
 * each is the next sequence number *next.  Returns how many arrived. */
static size_t drain(int fd, uint32_t *next, size_t max, size_t len_fixed, const fcp_net_addr *from)
{
    size_t total = 0;
    for (int tries = 0; total < max && tries < 2000; tries++) {
        for (size_t i = 0; i < FCP_NET_UDP_BATCH; i++) {
            rx[i].buf = rxbuf[i];
            rx[i].cap = sizeof rxbuf[i];
        }
        size_t want = max - total < FCP_NET_UDP_BATCH ? max - total : FCP_NET_UDP_BATCH, got = 99;
        int rc = fcp_net_udp_recv_batch(fd, rx, want, &got);
        if (rc == FCP_ENOENT) {
            CHECK_EQ(got, 0);
            if (total && len_fixed)   /* the unix pair: all readable at once */
                break;
            usleep(1000);
            continue;
        }
        CHECK_EQ(rc, 0);
        if (rc < 0)
            break;
        CHECK(got >= 1 && got <= want);
        for (size_t i = 0; i < got; i++) {
            CHECK_EQ(rx[i].rc, 0);
            CHECK(payload_ok(rx[i].buf, rx[i].len, *next, len_fixed));
            if (from)
                CHECK(fcp_net_addr_equal(&rx[i].addr, from));
            (*next)++;
        }
        total += got;
    }
    return total;
}

static void args_tests(void)
{
    size_t n = 7;
    fcp_net_dgram v[1];
    CHECK_ERR(fcp_net_udp_send_batch(-1, NULL, 1, &n), FCP_EINVAL);
    CHECK_ERR(fcp_net_udp_send_batch(-1, v, 1, NULL), FCP_EINVAL);
    CHECK_EQ(fcp_net_udp_send_batch(-1, NULL, 0, &n), 0);   /* nothing to do */
    CHECK_EQ(n, 0);
    CHECK_ERR(fcp_net_udp_recv_batch(-1, v, 0, &n), FCP_EINVAL);
    CHECK_ERR(fcp_net_udp_recv_batch(-1, NULL, 1, &n), FCP_EINVAL);
    CHECK_ERR(fcp_net_udp_recv_batch(-1, v, 1, NULL), FCP_EINVAL);
    v[0].buf = rxbuf[0];
    v[0].cap = 16;
    CHECK_ERR(fcp_net_udp_recv_batch(-1, v, 1, &n), FCP_ENET_SOCKET);   /* EBADF */
    v[0].len = 4;
    v[0].addr.len = 0;
    CHECK_ERR(fcp_net_udp_send_batch(-1, v, 1, &n), FCP_ENET_SOCKET);
    CHECK_EQ(n, 0);
}

/* 100 datagrams of different lengths: two sendmmsg slices, one order */
static void order_tests(void)
{
    int a, b;
    fcp_net_addr aa, ba;
    CHECK_EQ(fcp_net_udp_open(&a, "127.0.0.1", 0, &aa), 0);
    CHECK_EQ(fcp_net_udp_open(&b, "127.0.0.1", 0, &ba), 0);
    static uint8_t tx[100][FCP_NET_UDP_MAX_PAYLOAD];
    fcp_net_dgram v[100];
    for (uint32_t i = 0; i < 100; i++) {
        memset(&v[i], 0, sizeof v[i]);
        v[i].buf = tx[i];
        v[i].len = fill(tx[i], i, 0);
        v[i].addr = ba;
    }
    size_t sent = 0;
    CHECK_EQ(fcp_net_udp_send_batch(a, v, 100, &sent), 0);
    CHECK_EQ(sent, 100);
    uint32_t next = 0;
    CHECK_EQ(drain(b, &next, 100, 0, &aa), 100);
    CHECK_EQ(next, 100);
    size_t got = 5;
    CHECK_ERR(fcp_net_udp_recv_batch(b, rx, 1, &got), FCP_ENOENT);
    CHECK_EQ(got, 0);

    /* an oversized datagram stops the batch before it: the ones ahead went */
    for (uint32_t i = 0; i < 5; i++)
        v[i].len = fill(tx[i], 200 + i, 0);
    v[3].len = FCP_NET_UDP_MAX_PAYLOAD + 1;
    CHECK_ERR(fcp_net_udp_send_batch(a, v, 5, &sent), FCP_ENET_DATAGRAM_SIZE);
    CHECK_EQ(sent, 3);
    next = 200;
    CHECK_EQ(drain(b, &next, 3, 0, &aa), 3);
    CHECK_ERR(fcp_net_udp_recv_batch(b, rx, 4, &got), FCP_ENOENT);
    /* ... and the caller goes on after it */
    CHECK_EQ(fcp_net_udp_send_batch(a, v + 4, 1, &sent), 0);
    CHECK_EQ(sent, 1);
    next = 204;
    CHECK_EQ(drain(b, &next, 1, 0, &aa), 1);
    /* the first one too large: nothing sent */
    CHECK_ERR(fcp_net_udp_send_batch(a, v + 3, 2, &sent), FCP_ENET_DATAGRAM_SIZE);
    CHECK_EQ(sent, 0);
    close(a);
    close(b);
}

/* oversized and truncated arrivals are reported in place, the rest delivered */
static void trunc_tests(void)
{
    int b;
    fcp_net_addr ba;
    CHECK_EQ(fcp_net_udp_open(&b, "127.0.0.1", 0, &ba), 0);
    int raw = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(raw >= 0);
    static uint8_t big[1500];
    size_t lens[4] = { 100, sizeof big, 50, 300 };
    for (int i = 0; i < 4; i++) {
        memset(big, 'a' + i, sizeof big);
        CHECK(sendto(raw, big, lens[i], 0, (struct sockaddr *)&ba.ss, ba.len) == (ssize_t)lens[i]);
    }
    fcp_net_dgram v[4];
    static uint8_t bufs[4][2048];
    for (int i = 0; i < 4; i++) {
        v[i].buf = bufs[i];
        v[i].cap = i == 3 ? 128 : sizeof bufs[i];   /* the 4th does not fit its buffer */
        v[i].rc = 99;
    }
    size_t got = 0, total = 0;
    for (int tries = 0; total < 4 && tries < 2000; tries++) {
        int rc = fcp_net_udp_recv_batch(b, v + total, 4 - total, &got);
        if (rc == FCP_ENOENT) {
            usleep(1000);
            continue;
        }
        CHECK_EQ(rc, 0);
        total += got;
    }
    CHECK_EQ(total, 4);
    CHECK_EQ(v[0].rc, 0);
    CHECK_EQ(v[0].len, 100);
    CHECK(v[0].buf[0] == 'a' && v[0].buf[99] == 'a');
    CHECK_ERR(v[1].rc, FCP_ENET_DATAGRAM_SIZE);   /* above FCP_NET_UDP_MAX_PAYLOAD */
    CHECK_EQ(v[2].rc, 0);
    CHECK_EQ(v[2].len, 50);
    CHECK(v[2].buf[0] == 'c');
    CHECK_ERR(v[3].rc, FCP_ENET_DATAGRAM_SIZE);   /* MSG_TRUNC */
    CHECK(v[3].len <= 128);
    CHECK_EQ(v[3].addr.len, v[0].addr.len);
    CHECK_ERR(fcp_net_udp_recv_batch(b, v, 4, &got), FCP_ENOENT);
    close(raw);
    close(b);
}

static int unix_pair(int sv[2])
{
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    int small = 4096;   /* the kernel doubles it and keeps a floor: a few datagrams */
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    return 0;
}

/* the receiver does not read: FCP_ELIMIT with the accepted prefix, and the
 * tail goes once it has read */
static void partial_tests(void)
{
    int sv[2];
    CHECK_EQ(unix_pair(sv), 0);
    static uint8_t tx[FCP_NET_UDP_BATCH][FCP_NET_UDP_MAX_PAYLOAD];
    fcp_net_dgram v[FCP_NET_UDP_BATCH];
    for (uint32_t i = 0; i < FCP_NET_UDP_BATCH; i++) {
        memset(&v[i], 0, sizeof v[i]);
        v[i].buf = tx[i];
        v[i].len = fill(tx[i], i, FCP_NET_UDP_MAX_PAYLOAD);
        v[i].addr.len = 0;   /* the connected peer */
    }
    size_t sent = 999;
    CHECK_ERR(fcp_net_udp_send_batch(sv[0], v, FCP_NET_UDP_BATCH, &sent), FCP_ELIMIT);
    CHECK(sent > 0 && sent < FCP_NET_UDP_BATCH);
    size_t first = sent;
    /* still full: nothing more is accepted, the count says so */
    CHECK_ERR(fcp_net_udp_send_batch(sv[0], v + first, FCP_NET_UDP_BATCH - first, &sent), FCP_ELIMIT);
    CHECK_EQ(sent, 0);
    uint32_t next = 0;
    CHECK_EQ(drain(sv[1], &next, FCP_NET_UDP_BATCH, FCP_NET_UDP_MAX_PAYLOAD, NULL), first);
    CHECK_EQ(next, first);
    /* the tail, in rounds while the receiver reads */
    size_t done = first;
    for (int round = 0; done < FCP_NET_UDP_BATCH && round < 1000; round++) {
        int rc = fcp_net_udp_send_batch(sv[0], v + done, FCP_NET_UDP_BATCH - done, &sent);
        CHECK(rc == 0 || rc == FCP_ELIMIT);
        CHECK(sent > 0);   /* the receiver just emptied: room for one at least */
        CHECK(rc == 0 ? sent == FCP_NET_UDP_BATCH - done : sent < FCP_NET_UDP_BATCH - done);
        if (!sent)
            break;
        done += sent;
        CHECK_EQ(drain(sv[1], &next, sent, FCP_NET_UDP_MAX_PAYLOAD, NULL), sent);
    }
    CHECK_EQ(done, FCP_NET_UDP_BATCH);
    CHECK_EQ(next, FCP_NET_UDP_BATCH);
    close(sv[0]);
    close(sv[1]);
}

static void txq_tests(void)
{
    static fcp_net_udp_txq q;
    fcp_net_udp_txq_init(&q);
    int sv[2];
    CHECK_EQ(unix_pair(sv), 0);
    fcp_net_addr peer;
    memset(&peer, 0, sizeof peer);   /* len 0: the connected peer */
    uint8_t p[FCP_NET_UDP_MAX_PAYLOAD + 1];
    uint32_t seq = 0, next = 0;
    CHECK_ERR(fcp_net_udp_txq_push(&q, p, sizeof p, &peer), FCP_ENET_DATAGRAM_SIZE);
    for (uint32_t i = 0; i < FCP_NET_UDP_BATCH; i++) {
        size_t len = fill(p, seq++, FCP_NET_UDP_MAX_PAYLOAD);
        CHECK_EQ(fcp_net_udp_txq_push(&q, p, len, &peer), 0);
    }
    CHECK(fcp_net_udp_txq_full(&q));
    CHECK_ERR(fcp_net_udp_txq_push(&q, p, 10, &peer), FCP_ELIMIT);
    CHECK_EQ(fcp_net_udp_txq_len(&q), FCP_NET_UDP_BATCH);
    fcp_net_udp_txq_stats st = { 0, 0, 0 };
    CHECK_ERR(fcp_net_udp_txq_flush(sv[0], &q, &st), FCP_ELIMIT);
    CHECK(st.sent > 0 && st.sent < FCP_NET_UDP_BATCH);
    CHECK_EQ(fcp_net_udp_txq_len(&q), FCP_NET_UDP_BATCH - st.sent);
    CHECK_EQ(st.bytes, st.sent * FCP_NET_UDP_MAX_PAYLOAD);
    /* held: pushing behind the tail keeps the order (the queue compacts) */
    size_t held = fcp_net_udp_txq_len(&q);
    for (size_t i = held; i < FCP_NET_UDP_BATCH; i++) {
        size_t len = fill(p, seq++, FCP_NET_UDP_MAX_PAYLOAD);
        CHECK_EQ(fcp_net_udp_txq_push(&q, p, len, &peer), 0);
    }
    CHECK(fcp_net_udp_txq_full(&q));
    /* drain and flush until everything went, in order */
    for (int round = 0; round < 1000 && (fcp_net_udp_txq_len(&q) || next < seq); round++) {
        drain(sv[1], &next, seq - next, FCP_NET_UDP_MAX_PAYLOAD, NULL);
        int rc = fcp_net_udp_txq_flush(sv[0], &q, &st);
        CHECK(rc == 0 || rc == FCP_ELIMIT);
        CHECK_EQ(rc == 0, fcp_net_udp_txq_len(&q) == 0);
    }
    CHECK_EQ(next, seq);
    CHECK_EQ(st.sent, seq);
    CHECK_EQ(st.bytes, (uint64_t)seq * FCP_NET_UDP_MAX_PAYLOAD);
    CHECK_EQ(st.dropped, 0);
    CHECK_EQ(fcp_net_udp_txq_len(&q), 0);
    CHECK_EQ(fcp_net_udp_txq_flush(sv[0], &q, &st), 0);   /* empty: nothing to do */
    close(sv[0]);
    close(sv[1]);

    /* a datagram the kernel refuses for good is dropped and counted, the
     * ones around it go (UDP, an IPv6 destination on an IPv4 socket) */
    int a, b;
    fcp_net_addr aa, ba, v6;
    CHECK_EQ(fcp_net_udp_open(&a, "127.0.0.1", 0, &aa), 0);
    CHECK_EQ(fcp_net_udp_open(&b, "127.0.0.1", 0, &ba), 0);
    CHECK_EQ(fcp_net_addr_resolve(&v6, "::1", 9), 0);
    memset(&st, 0, sizeof st);
    next = 500;
    size_t l0 = fill(p, 500, 0);
    CHECK_EQ(fcp_net_udp_txq_push(&q, p, l0, &ba), 0);
    CHECK_EQ(fcp_net_udp_txq_push(&q, p, 20, &v6), 0);
    size_t l1 = fill(p, 501, 0);
    CHECK_EQ(fcp_net_udp_txq_push(&q, p, l1, &ba), 0);
    CHECK_EQ(fcp_net_udp_txq_flush(a, &q, &st), 0);
    CHECK_EQ(st.sent, 2);
    CHECK_EQ(st.dropped, 1);
    CHECK_EQ(st.bytes, l0 + l1);
    CHECK_EQ(drain(b, &next, 2, 0, &aa), 2);
    CHECK_EQ(next, 502);
    close(a);
    close(b);
}

int main(void)
{
    args_tests();
    order_tests();
    trunc_tests();
    partial_tests();
    txq_tests();
    return fcp_t_done("net_mmsg");
}
