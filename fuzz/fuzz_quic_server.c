/*
 * fuzz_quic_server.c - libFuzzer target for the QUIC carrier's receive path
 * (src/net/net_quic.c, net_quic_tls.c): a server connection fed datagrams the
 * fuzzer controls.
 *
 * Random bytes almost never survive QUIC packet protection, so the harness
 * also runs a real client: the input is a script that, step by step, injects
 * raw datagrams to the server (or the client), delivers the next real packet
 * of either side as is, with one byte changed, truncated or duplicated,
 * drops it, advances the clock, or makes the application send a frame or a
 * datagram and read what arrived.  This walks the handshake, the
 * authentication and the stream/datagram paths with mostly valid packets
 * and the fuzzer's corruptions in between.
 *
 *   step = op u8 | arg u16le | (op 0/1: arg % 1500 raw bytes)
 *
 * Properties: no crash, no leak, no sanitizer report; a connection that
 * reports ESTABLISHED has authenticated the expected peer key; a received
 * FCPC frame always has a valid header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/fcpc.h"
#include "fcp/net_quic.h"
#include "fcp/rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QMAX 32
#define MS   1000000ull

typedef struct q {
    uint8_t b[QMAX][FCP_QUIC_MAX_UDP_PAYLOAD];
    size_t  len[QMAX];
    unsigned n;
} q;

static fcp_quic_identity *g_cli, *g_srv;
static uint8_t g_pk_cli[32], g_pk_srv[32];

static int key_ok(void *ctx, const uint8_t pk[32])
{
    (void)ctx;
    return memcmp(pk, g_pk_cli, 32) == 0;
}

static void setup(void)
{
    uint8_t seed[32];
    size_t i;
    if (g_cli)
        return;
    for (i = 0; i < 32; i++)
        seed[i] = (uint8_t)(i + 1);
    if (fcp_quic_identity_new(&g_cli, seed) != 0)
        abort();
    for (i = 0; i < 32; i++)
        seed[i] = (uint8_t)(0x80 + i);
    if (fcp_quic_identity_new(&g_srv, seed) != 0)
        abort();
    fcp_quic_identity_pk(g_cli, g_pk_cli);
    fcp_quic_identity_pk(g_srv, g_pk_srv);
}

static void drain(fcp_quic_conn *c, q *out, uint64_t now)
{
    uint8_t buf[FCP_QUIC_MAX_UDP_PAYLOAD];
    size_t len;
    int guard = 0;
    while (c && guard++ < 256 && fcp_quic_send(c, buf, sizeof buf, &len, now) == 0 && len > 0) {
        if (out->n < QMAX) {
            memcpy(out->b[out->n], buf, len);
            out->len[out->n++] = len;
        }
    }
}

static void pop(q *x)
{
    if (x->n == 0)
        return;
    memmove(x->b[0], x->b[1], (size_t)(x->n - 1) * sizeof x->b[0]);
    memmove(x->len, x->len + 1, (size_t)(x->n - 1) * sizeof x->len[0]);
    x->n--;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static q to_srv, to_cli;
    fcp_rng_xoshiro rc, rs;
    fcp_quic_config cc, sc;
    fcp_net_addr ca, sa;
    fcp_quic_conn *cli = NULL, *srv = NULL;
    uint64_t now = 1000 * MS;
    size_t off = 0;
    uint8_t frame[FCP_FCPC_FRAME_BYTES(256)], buf[FCP_FCPC_FRAME_BYTES(256)];
    uint8_t pk[32];
    size_t len;
    int steps = 0;

    setup();
    to_srv.n = to_cli.n = 0;
    fcp_rng_xoshiro_init(&rc, 1);
    fcp_rng_xoshiro_init(&rs, 2);
    memset(&cc, 0, sizeof cc);
    memset(&sc, 0, sizeof sc);
    cc.id = g_cli;
    cc.rng = &rc.rng;
    sc.id = g_srv;
    sc.rng = &rs.rng;
    sc.peer_key_ok = key_ok;
    cc.datagrams = sc.datagrams = 1;
    cc.stream_window = sc.stream_window = cc.send_buffer = sc.send_buffer = 65536;
    cc.fcpc_max_payload = sc.fcpc_max_payload = 4096;
    cc.dgram_queue = sc.dgram_queue = 4;
    fcp_net_addr_resolve(&ca, "127.0.0.1", 1);
    fcp_net_addr_resolve(&sa, "127.0.0.1", 2);
    if (fcp_quic_client_new(&cli, &cc, &ca, &sa, g_pk_srv, now) != 0)
        abort();
    memset(frame, 0, sizeof frame);
    fcp_fcpc_header_encode(frame, (const uint8_t *)"0123456789abcdef", 1, FCP_FCPC_FLAG_ENCRYPTED, 256);

    while (off + 3 <= size && steps++ < 400) {
        uint8_t op = data[off];
        unsigned arg = (unsigned)data[off + 1] | (unsigned)data[off + 2] << 8;
        off += 3;
        drain(cli, &to_srv, now);
        drain(srv, &to_cli, now);
        switch (op % 10) {
        case 0:   /* raw datagram to the server */
        case 1: { /* raw datagram to the client */
            size_t n = arg % 1500;
            if (n > size - off)
                n = size - off;
            if (op % 10 == 0) {
                if (!srv)
                    fcp_quic_server_accept(&srv, &sc, &sa, &ca, data + off, n, now);
                else
                    fcp_quic_recv(srv, data + off, n, now);
            } else {
                fcp_quic_recv(cli, data + off, n, now);
            }
            off += n;
            break;
        }
        case 2:   /* deliver the next real packet, possibly changed */
        case 3:
        case 4:
        case 5: {
            q *x = (op & 1) ? &to_cli : &to_srv;
            uint8_t p[FCP_QUIC_MAX_UDP_PAYLOAD];
            size_t n;
            if (x->n == 0)
                break;
            n = x->len[0];
            memcpy(p, x->b[0], n);
            if (op % 10 == 4)
                p[arg % n] ^= (uint8_t)(arg >> 8 | 1);
            else if (op % 10 == 5)
                n = arg % (n + 1);
            if (x == &to_srv) {
                if (!srv)
                    fcp_quic_server_accept(&srv, &sc, &sa, &ca, p, n, now);
                else
                    fcp_quic_recv(srv, p, n, now);
            } else {
                fcp_quic_recv(cli, p, n, now);
            }
            if (!(op & 0x80)) /* high bit: duplicate (deliver again later) */
                pop(x);
            break;
        }
        case 6: /* drop */
            pop((op & 1) ? &to_cli : &to_srv);
            break;
        case 7: /* time passes */
            now += (uint64_t)(arg % 4000) * MS;
            if (fcp_quic_expiry(cli) <= now)
                fcp_quic_on_timer(cli, now);
            if (srv && fcp_quic_expiry(srv) <= now)
                fcp_quic_on_timer(srv, now);
            break;
        case 8: /* the applications send */
            fcp_quic_fcpc_send((op & 1) ? srv : cli, frame, sizeof frame);
            fcp_quic_dgram_send((op & 1) ? srv : cli, frame, arg % sizeof frame);
            break;
        case 9: /* the applications read */
            while (fcp_quic_fcpc_recv((op & 1) ? cli : srv, buf, sizeof buf, &len) == 1) {
                fcp_fcpc_frame f;
                if (fcp_fcpc_header_decode(buf, len, 4096, &f) != 0)
                    abort();
            }
            while (fcp_quic_dgram_recv((op & 1) ? cli : srv, buf, sizeof buf, &len) == 1) {
            }
            break;
        }
        /* an established server has authenticated exactly our client */
        if (srv && fcp_quic_state(srv) == FCP_QUIC_ESTABLISHED &&
            (fcp_quic_peer_key(srv, pk) != 0 || memcmp(pk, g_pk_cli, 32) != 0))
            abort();
        if (fcp_quic_state(cli) == FCP_QUIC_ESTABLISHED &&
            (fcp_quic_peer_key(cli, pk) != 0 || memcmp(pk, g_pk_srv, 32) != 0))
            abort();
    }
    fcp_quic_conn_free(cli);
    fcp_quic_conn_free(srv);
    return 0;
}
