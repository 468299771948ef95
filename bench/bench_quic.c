/*
 * bench_quic.c - throughput of the QUIC carrier's FCPC stream (net_quic.h)
 * against references measured in the same run:
 *
 *   memcpy          copying the same bytes in 64 KiB chunks (upper bound)
 *   raw UDP         1200-byte datagrams through a loopback socket pair,
 *                   one thread, no protocol at all
 *   QUIC in memory  client -> server, every packet handed over directly
 *                   (no socket): ngtcp2 + TLS packet protection + our rings
 *   QUIC over UDP   the same through loopback sockets (1200-byte packets,
 *                   fcp_net_udp_send's limit), one thread driving both ends
 *
 * FCPC frames carry 64 KiB payloads with valid headers (their payload is not
 * sealed: the FCPC AEAD is the same on every carrier and is measured in
 * bench_wire).  BENCH_MB (default 64) sets the volume per QUIC figure.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcp/fcpc.h"
#include "fcp/net.h"
#include "fcp/net_quic.h"
#include "fcp/rng.h"

#define PAYLOAD (64u * 1024u)
#define FRAME   FCP_FCPC_FRAME_BYTES(PAYLOAD)

static volatile uint8_t g_sink;
static fcp_quic_identity *g_a, *g_b;
static uint8_t g_pk_a[32], g_pk_b[32];

static uint64_t mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int allow_a(void *ctx, const uint8_t pk[32])
{
    (void)ctx;
    return memcmp(pk, g_pk_a, 32) == 0;
}

static double bench_memcpy(size_t total)
{
    uint8_t *src = malloc(PAYLOAD), *dst = malloc(PAYLOAD);
    size_t done;
    uint64_t t0;
    memset(src, 7, PAYLOAD);
    t0 = mono();
    for (done = 0; done < total; done += PAYLOAD) {
        src[0] = (uint8_t)done;
        memcpy(dst, src, PAYLOAD);
        g_sink ^= dst[PAYLOAD - 1] ^ dst[0];
    }
    t0 = mono() - t0;
    free(src);
    free(dst);
    return (double)total / ((double)t0 / 1e9) / 1e6;
}

static double bench_udp(size_t total)
{
    int a = -1, b = -1;
    fcp_net_addr aa, ba, from;
    uint8_t buf[1200], in[2048];
    size_t done = 0;
    uint64_t t0;
    int i, r;

    if (fcp_net_udp_open(&a, "127.0.0.1", 0, &aa) != 0 || fcp_net_udp_open(&b, "127.0.0.1", 0, &ba) != 0)
        return 0;
    memset(buf, 3, sizeof buf);
    t0 = mono();
    while (done < total) {
        for (i = 0; i < 32; i++)
            fcp_net_udp_send(a, buf, sizeof buf, &ba);
        while ((r = fcp_net_udp_recv(b, in, sizeof in, &from)) > 0)
            done += (size_t)r;
    }
    t0 = mono() - t0;
    close(a);
    close(b);
    return (double)total / ((double)t0 / 1e9) / 1e6;
}

typedef struct pair {
    fcp_rng_xoshiro rc, rs;
    fcp_quic_config cc, sc;
    fcp_net_addr ca, sa;
    fcp_quic_conn *c, *s;
} pair;

static void pair_init(pair *p, size_t udp)
{
    memset(p, 0, sizeof *p);
    fcp_rng_xoshiro_init(&p->rc, 1);
    fcp_rng_xoshiro_init(&p->rs, 2);
    p->cc.id = g_a;
    p->cc.rng = &p->rc.rng;
    p->sc.id = g_b;
    p->sc.rng = &p->rs.rng;
    p->sc.peer_key_ok = allow_a;
    p->cc.max_udp_payload = p->sc.max_udp_payload = udp;
    p->cc.stream_window = p->sc.stream_window = 4u << 20;
    p->cc.send_buffer = p->sc.send_buffer = 4u << 20;
}

/* QUIC with packets handed over in memory. */
static double bench_quic_mem(size_t total, size_t udp)
{
    pair p;
    uint8_t *frame = calloc(1, FRAME), *in = malloc(FRAME), pkt[FCP_QUIC_MAX_UDP_PAYLOAD];
    size_t sent = 0, got = 0, len;
    uint64_t t0 = 0, now;
    int guard = 0;

    pair_init(&p, udp);
    fcp_net_addr_resolve(&p.ca, "127.0.0.1", 1);
    fcp_net_addr_resolve(&p.sa, "127.0.0.1", 2);
    fcp_fcpc_header_encode(frame, (const uint8_t *)"bench-session-id", 1, FCP_FCPC_FLAG_ENCRYPTED, PAYLOAD);
    if (fcp_quic_client_new(&p.c, &p.cc, &p.ca, &p.sa, g_pk_b, mono()) != 0)
        return 0;
    while (got < total && guard++ < 50000000) {
        now = mono();
        if (fcp_quic_state(p.c) == FCP_QUIC_CLOSED || (p.s && fcp_quic_state(p.s) == FCP_QUIC_CLOSED))
            break;
        if (p.s && fcp_quic_state(p.s) == FCP_QUIC_ESTABLISHED && t0 == 0)
            t0 = mono();
        while (t0 && sent < total && fcp_quic_fcpc_send(p.c, frame, FRAME) == 0)
            sent += PAYLOAD;
        while (fcp_quic_send(p.c, pkt, sizeof pkt, &len, now) == 0 && len > 0) {
            if (!p.s)
                fcp_quic_server_accept(&p.s, &p.sc, &p.sa, &p.ca, pkt, len, now);
            else
                fcp_quic_recv(p.s, pkt, len, now);
        }
        while (p.s && fcp_quic_fcpc_recv(p.s, in, FRAME, &len) == 1)
            got += len - FCP_FCPC_HEADER_BYTES - FCP_FCPC_TAG_BYTES;
        while (p.s && fcp_quic_send(p.s, pkt, sizeof pkt, &len, now) == 0 && len > 0)
            fcp_quic_recv(p.c, pkt, len, now);
        now = mono();
        if (fcp_quic_expiry(p.c) <= now)
            fcp_quic_on_timer(p.c, now);
        if (p.s && fcp_quic_expiry(p.s) <= now)
            fcp_quic_on_timer(p.s, now);
    }
    now = mono();
    fcp_quic_conn_free(p.c);
    fcp_quic_conn_free(p.s);
    free(frame);
    free(in);
    if (got < total || t0 == 0)
        return 0;
    return (double)got / ((double)(now - t0) / 1e9) / 1e6;
}

static void udp_flush(fcp_quic_conn *c, int fd, const fcp_net_addr *to)
{
    uint8_t pkt[FCP_QUIC_MAX_UDP_PAYLOAD];
    size_t len;
    while (c && fcp_quic_send(c, pkt, sizeof pkt, &len, mono()) == 0 && len > 0)
        (void)fcp_net_udp_send(fd, pkt, len, to);
}

static double bench_quic_udp(size_t total)
{
    pair p;
    int cfd = -1, sfd = -1, r;
    fcp_net_addr from;
    uint8_t *frame = calloc(1, FRAME), *in = malloc(FRAME), pkt[2048];
    size_t sent = 0, got = 0, len;
    uint64_t t0 = 0, now, start = mono();

    pair_init(&p, 1200);
    if (fcp_net_udp_open(&cfd, "127.0.0.1", 0, &p.ca) != 0 ||
        fcp_net_udp_open(&sfd, "127.0.0.1", 0, &p.sa) != 0)
        return 0;
    fcp_fcpc_header_encode(frame, (const uint8_t *)"bench-session-id", 1, FCP_FCPC_FLAG_ENCRYPTED, PAYLOAD);
    if (fcp_quic_client_new(&p.c, &p.cc, &p.ca, &p.sa, g_pk_b, mono()) != 0)
        return 0;
    while (got < total && mono() - start < 60000000000ull) {
        struct pollfd pf[2] = { { cfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
        uint64_t e = fcp_quic_expiry(p.c);
        int wait;
        if (fcp_quic_state(p.c) == FCP_QUIC_CLOSED)
            break;
        if (p.s && fcp_quic_state(p.s) == FCP_QUIC_ESTABLISHED && t0 == 0)
            t0 = mono();
        while (t0 && sent < total && fcp_quic_fcpc_send(p.c, frame, FRAME) == 0)
            sent += PAYLOAD;
        udp_flush(p.c, cfd, &p.sa);
        udp_flush(p.s, sfd, &p.ca);
        if (p.s && fcp_quic_expiry(p.s) < e)
            e = fcp_quic_expiry(p.s);
        now = mono();
        wait = e <= now ? 0 : (e - now) / 1000000u > 20 ? 20 : (int)((e - now) / 1000000u);
        if (poll(pf, 2, wait) < 0)
            break;
        while ((r = fcp_net_udp_recv(sfd, pkt, sizeof pkt, &from)) >= 0) {
            if (!p.s)
                fcp_quic_server_accept(&p.s, &p.sc, &p.sa, &from, pkt, (size_t)r, mono());
            else
                fcp_quic_recv(p.s, pkt, (size_t)r, mono());
        }
        while ((r = fcp_net_udp_recv(cfd, pkt, sizeof pkt, &from)) >= 0)
            fcp_quic_recv(p.c, pkt, (size_t)r, mono());
        while (p.s && fcp_quic_fcpc_recv(p.s, in, FRAME, &len) == 1)
            got += len - FCP_FCPC_HEADER_BYTES - FCP_FCPC_TAG_BYTES;
        now = mono();
        if (fcp_quic_expiry(p.c) <= now)
            fcp_quic_on_timer(p.c, now);
        if (p.s && fcp_quic_expiry(p.s) <= now)
            fcp_quic_on_timer(p.s, now);
    }
    now = mono();
    fcp_quic_conn_free(p.c);
    fcp_quic_conn_free(p.s);
    close(cfd);
    close(sfd);
    free(frame);
    free(in);
    if (got < total || t0 == 0)
        return 0;
    return (double)got / ((double)(now - t0) / 1e9) / 1e6;
}

int main(void)
{
    uint8_t seed[32];
    size_t mb = 64, total, i;
    const char *e = getenv("BENCH_MB");
    double m, u, q12, q14, qu;

    if (e && atoi(e) > 0)
        mb = (size_t)atoi(e);
    total = mb << 20;
    for (i = 0; i < 32; i++)
        seed[i] = (uint8_t)i;
    if (fcp_quic_identity_new(&g_a, seed) != 0)
        return 1;
    seed[0] ^= 0xff;
    if (fcp_quic_identity_new(&g_b, seed) != 0)
        return 1;
    fcp_quic_identity_pk(g_a, g_pk_a);
    fcp_quic_identity_pk(g_b, g_pk_b);

    m = bench_memcpy(total * 4);
    u = bench_udp(total);
    q12 = bench_quic_mem(total, 1200);
    q14 = bench_quic_mem(total, 1452);
    qu = bench_quic_udp(total);
    printf("quic FCPC stream, %zu MiB each, 64 KiB frames (MB/s; ratio to memcpy / raw UDP)\n", mb);
    printf("  memcpy                      %9.1f\n", m);
    printf("  raw UDP loopback, 1200 B    %9.1f\n", u);
    printf("  QUIC in memory, 1200 B pkts %9.1f   %.4f / %.2f\n", q12, q12 / m, u > 0 ? q12 / u : 0);
    printf("  QUIC in memory, 1452 B pkts %9.1f   %.4f / %.2f\n", q14, q14 / m, u > 0 ? q14 / u : 0);
    printf("  QUIC over loopback UDP 1200 %9.1f   %.4f / %.2f\n", qu, qu / m, u > 0 ? qu / u : 0);
    fcp_quic_identity_free(g_a);
    fcp_quic_identity_free(g_b);
    return (q12 > 0 && q14 > 0 && qu > 0) ? 0 : 1;
}
