/*
 * net_quic.c - one QUIC connection of the carrier (net_quic.h): the ngtcp2
 * connection, the FCPC stream pair with its send and receive rings, the
 * DATAGRAM queues, timers and the mapping of every way a connection ends to
 * one FCP_EQUIC_* code.  The TLS side lives in net_quic_tls.c.
 *
 * Shape.  Everything is driven by the caller (recv / send / on_timer with a
 * timestamp).  Besides ngtcp2's and GnuTLS's own state, the only memory is
 * allocated once, when the peer has authenticated: the send ring
 * (send_buffer bytes), the receive ring (stream_window bytes) and two
 * datagram queues, so a forged Initial costs a handshake's state only.
 *
 * Send ring.  ngtcp2 keeps pointers to stream data it has sent until the peer
 * acknowledges it (it retransmits from our memory), so queued bytes never
 * move: the ring holds stream offsets [acked, queued) and a byte at offset o
 * lives at ring[o % cap].  [sent, queued) is handed to ngtcp2 as up to two
 * iovecs.  Room = cap - (queued - acked).
 *
 * Receive ring.  ngtcp2 delivers stream data in order; it is copied in, and
 * flow-control credit (MAX_STREAM_DATA / MAX_DATA) is extended only by the
 * size of each whole frame the application takes, so the peer can never have
 * more than the window in flight and a slow reader slows the sender.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include "fcp/error.h"
#include "fcp/fcpc.h"
#include "fcp/fcps.h"
#include "net_quic_internal.h"

#define APP_CLOSE_OK       0u  /* application close codes (D-QUIC-3) */
#define APP_CLOSE_FRAMING  1u
#define APP_CLOSE_STREAM   2u

typedef struct dgq {
    uint8_t  *buf;
    uint16_t *len;
    unsigned  cap, head, count;
} dgq;

struct fcp_quic_conn {
    ngtcp2_conn     *nc;
    fcp_quic_tls     tls;
    fcp_quic_config  cfg;          /* defaults resolved */
    int              server;
    fcp_net_addr     local, remote;
    ngtcp2_path      path;
    ngtcp2_cid       odcid;        /* server: the client's first DCID */
    fcp_quic_state_t state;
    int              err;          /* why closed */
    int              pending_err;  /* set inside a callback, acted on after */
    int              close_pending;
    ngtcp2_connection_close_error ccerr;
    /* FCPC send ring */
    int64_t  tx_sid;
    uint8_t *tx;
    size_t   tx_cap;
    uint64_t tx_acked, tx_sent, tx_queued;
    /* FCPC receive ring */
    int64_t  rx_sid;
    uint8_t *rx;
    size_t   rx_cap;
    uint64_t rx_read, rx_wr;
    dgq      dg_tx, dg_rx;
    unsigned burst;
    fcp_quic_stats st;
};

/* ---- small helpers --------------------------------------------------------- */

static int dgq_init(dgq *q, unsigned cap)
{
    q->cap = cap;
    q->head = q->count = 0;
    q->buf = malloc((size_t)cap * FCP_QUIC_MAX_UDP_PAYLOAD);
    q->len = calloc(cap, sizeof *q->len);
    return q->buf && q->len ? 0 : FCP_ENOMEM;
}

static void dgq_free(dgq *q)
{
    free(q->buf);
    free(q->len);
}

static int dgq_push(dgq *q, const uint8_t *p, size_t n)
{
    unsigned i;
    if (q->count == q->cap || n > FCP_QUIC_MAX_UDP_PAYLOAD)
        return -1;
    i = (q->head + q->count) % q->cap;
    memcpy(q->buf + (size_t)i * FCP_QUIC_MAX_UDP_PAYLOAD, p, n);
    q->len[i] = (uint16_t)n;
    q->count++;
    return 0;
}

static void dgq_pop(dgq *q)
{
    q->head = (q->head + 1) % q->cap;
    q->count--;
}

/* Copy n bytes out of / into a ring at stream offset off. */
static void ring_read(const uint8_t *ring, size_t cap, uint64_t off, uint8_t *out, size_t n)
{
    size_t at = (size_t)(off % cap), first = cap - at < n ? cap - at : n;
    memcpy(out, ring + at, first);
    memcpy(out + first, ring, n - first);
}

static void ring_write(uint8_t *ring, size_t cap, uint64_t off, const uint8_t *in, size_t n)
{
    size_t at = (size_t)(off % cap), first = cap - at < n ? cap - at : n;
    memcpy(ring + at, in, first);
    memcpy(ring, in + first, n - first);
}

/* Close the connection because of err; the peer is told with ccerr (when
 * send_close) on the next fcp_quic_send. */
static int fail(fcp_quic_conn *c, int err, int send_close)
{
    if (c->state != FCP_QUIC_CLOSED) {
        c->state = FCP_QUIC_CLOSED;
        c->err = err;
        c->close_pending = send_close;
    }
    return c->err;
}

static void close_app(fcp_quic_conn *c, uint64_t code)
{
    ngtcp2_connection_close_error_set_application_error(&c->ccerr, code, NULL, 0);
}

/* ---- ngtcp2 callbacks ---------------------------------------------------------- */

static ngtcp2_conn *get_conn(ngtcp2_crypto_conn_ref *ref)
{
    fcp_quic_tls *t = ref->user_data;
    fcp_quic_conn *c = (fcp_quic_conn *)(void *)((char *)t - offsetof(fcp_quic_conn, tls));
    return c->nc;
}

static void rand_cb(uint8_t *dest, size_t n, const ngtcp2_rand_ctx *rctx)
{
    const fcp_rng *r = rctx->native_handle;
    if (fcp_rng_fill(r, dest, n) != 0)
        memset(dest, 0, n); /* only path challenges and greasing use this */
}

static int new_cid_cb(ngtcp2_conn *nc, ngtcp2_cid *cid, uint8_t *token, size_t cidlen, void *ud)
{
    fcp_quic_conn *c = ud;
    (void)nc;
    if (cidlen > NGTCP2_MAX_CIDLEN || fcp_rng_fill(c->cfg.rng, cid->data, cidlen) != 0 ||
        fcp_rng_fill(c->cfg.rng, token, NGTCP2_STATELESS_RESET_TOKENLEN) != 0)
        return NGTCP2_ERR_CALLBACK_FAILURE;
    cid->datalen = cidlen;
    return 0;
}

static int buffers_alloc(fcp_quic_conn *c)
{
    c->tx = malloc(c->tx_cap);
    c->rx = malloc(c->rx_cap);
    if (!c->tx || !c->rx || dgq_init(&c->dg_tx, c->cfg.dgram_queue) != 0 ||
        dgq_init(&c->dg_rx, c->cfg.dgram_queue) != 0)
        return FCP_ENOMEM;
    return 0;
}

static int handshake_completed_cb(ngtcp2_conn *nc, void *ud)
{
    fcp_quic_conn *c = ud;
    int rc = fcp_quic_tls_check_done(&c->tls);
    (void)nc;
    if (rc == 0)
        rc = buffers_alloc(c);
    if (rc != 0) {
        c->pending_err = rc;
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    c->state = FCP_QUIC_ESTABLISHED;
    return 0;
}

static int recv_stream_cb(ngtcp2_conn *nc, uint32_t flags, int64_t sid, uint64_t off,
                          const uint8_t *data, size_t n, void *ud, void *sud)
{
    fcp_quic_conn *c = ud;
    (void)flags;
    (void)sud;
    /* Only the peer's first unidirectional stream carries FCPC (D-QUIC-3);
     * the transport parameters allow it no other, but say so explicitly. */
    if (c->rx_sid < 0 && !ngtcp2_conn_is_local_stream(nc, sid) && !ngtcp2_is_bidi_stream(sid))
        c->rx_sid = sid;
    if (sid != c->rx_sid || c->state != FCP_QUIC_ESTABLISHED) {
        c->pending_err = FCP_EQUIC_STREAM;
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    if (off != c->rx_wr || c->rx_wr + n - c->rx_read > c->rx_cap) {
        c->pending_err = FCP_EQUIC_PROTOCOL; /* ngtcp2 enforces both; never trust it blindly */
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    ring_write(c->rx, c->rx_cap, c->rx_wr, data, n);
    c->rx_wr += n;
    return 0;
}

static int acked_cb(ngtcp2_conn *nc, int64_t sid, uint64_t off, uint64_t n, void *ud, void *sud)
{
    fcp_quic_conn *c = ud;
    (void)nc;
    (void)sud;
    if (sid == c->tx_sid && off + n > c->tx_acked)
        c->tx_acked = off + n;
    return 0;
}

static int stream_reset_cb(ngtcp2_conn *nc, int64_t sid, uint64_t final_size, uint64_t code,
                           void *ud, void *sud)
{
    fcp_quic_conn *c = ud;
    (void)nc, (void)final_size, (void)code, (void)sud;
    if (sid == c->rx_sid) {
        c->pending_err = FCP_EQUIC_STREAM;
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
}

static int stop_sending_cb(ngtcp2_conn *nc, int64_t sid, uint64_t code, void *ud, void *sud)
{
    fcp_quic_conn *c = ud;
    (void)nc, (void)code, (void)sud;
    if (sid == c->tx_sid) {
        c->pending_err = FCP_EQUIC_STREAM;
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
}

static int recv_dgram_cb(ngtcp2_conn *nc, uint32_t flags, const uint8_t *p, size_t n, void *ud)
{
    fcp_quic_conn *c = ud;
    (void)nc;
    (void)flags;
    if (!c->cfg.datagrams || c->state != FCP_QUIC_ESTABLISHED) {
        c->st.dgrams_dropped++;
        return 0;
    }
    if (dgq_push(&c->dg_rx, p, n) != 0)
        c->st.dgrams_dropped++; /* unreliable by contract: a full queue drops */
    else
        c->st.dgrams_in++;
    return 0;
}

static void fill_callbacks(ngtcp2_callbacks *cb, int server)
{
    memset(cb, 0, sizeof *cb);
    if (server) {
        cb->recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
    } else {
        cb->client_initial = ngtcp2_crypto_client_initial_cb;
        cb->recv_retry = ngtcp2_crypto_recv_retry_cb;
    }
    cb->recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
    cb->encrypt = ngtcp2_crypto_encrypt_cb;
    cb->decrypt = ngtcp2_crypto_decrypt_cb;
    cb->hp_mask = ngtcp2_crypto_hp_mask_cb;
    cb->update_key = ngtcp2_crypto_update_key_cb;
    cb->delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
    cb->delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
    cb->get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
    cb->version_negotiation = ngtcp2_crypto_version_negotiation_cb;
    cb->rand = rand_cb;
    cb->get_new_connection_id = new_cid_cb;
    cb->handshake_completed = handshake_completed_cb;
    cb->recv_stream_data = recv_stream_cb;
    cb->acked_stream_data_offset = acked_cb;
    cb->stream_reset = stream_reset_cb;
    cb->stream_stop_sending = stop_sending_cb;
    cb->recv_datagram = recv_dgram_cb;
}

/* ---- creation ------------------------------------------------------------------- */

static int resolve_config(fcp_quic_config *o, const fcp_quic_config *in, int server)
{
    *o = *in;
    if (!o->rng || (server && (!o->id || !o->peer_key_ok)))
        return FCP_EQUIC_CONFIG;
    if (o->idle_timeout_ms == 0)
        o->idle_timeout_ms = 30000;
    if (o->handshake_timeout_ms == 0)
        o->handshake_timeout_ms = 10000;
    if (o->max_udp_payload == 0)
        o->max_udp_payload = FCP_QUIC_MAX_UDP_PAYLOAD;
    if (o->stream_window == 0)
        o->stream_window = 2u << 20;
    if (o->send_buffer == 0)
        o->send_buffer = 2u << 20;
    if (o->fcpc_max_payload == 0)
        o->fcpc_max_payload = 1u << 20;
    if (o->dgram_queue == 0)
        o->dgram_queue = 64;
    if (o->max_udp_payload < FCP_QUIC_MIN_UDP_PAYLOAD ||
        o->max_udp_payload > FCP_QUIC_MAX_UDP_PAYLOAD || o->dgram_queue > 65536u ||
        o->stream_window > (1u << 30) || o->send_buffer > (1u << 30) ||
        o->stream_window < FCP_FCPC_FRAME_BYTES(o->fcpc_max_payload) ||
        o->send_buffer < FCP_FCPC_FRAME_BYTES(o->fcpc_max_payload))
        return FCP_EQUIC_CONFIG;
    return 0;
}

static int conn_alloc(fcp_quic_conn **out, const fcp_quic_config *cfg, int server,
                      const fcp_net_addr *local, const fcp_net_addr *remote)
{
    fcp_quic_conn *c;
    int rc;

    *out = NULL;
    if (!cfg || !local || !remote)
        return FCP_EQUIC_CONFIG;
    c = calloc(1, sizeof *c);
    if (!c)
        return FCP_ENOMEM;
    rc = resolve_config(&c->cfg, cfg, server);
    if (rc != 0) {
        free(c);
        return rc;
    }
    c->server = server;
    c->local = *local;
    c->remote = *remote;
    c->path.local.addr = (ngtcp2_sockaddr *)&c->local.ss;
    c->path.local.addrlen = c->local.len;
    c->path.remote.addr = (ngtcp2_sockaddr *)&c->remote.ss;
    c->path.remote.addrlen = c->remote.len;
    c->tx_sid = c->rx_sid = -1;
    c->tx_cap = c->cfg.send_buffer;
    c->rx_cap = c->cfg.stream_window;
    /* The rings and queues are allocated when the peer has authenticated
     * (buffers_alloc): a forged Initial costs a TLS session, not megabytes. */
    c->tls.conn_ref.get_conn = get_conn;
    c->tls.conn_ref.user_data = &c->tls;
    rc = fcp_quic_tls_init(&c->tls, c->cfg.id, server);
    if (rc != 0) {
        fcp_quic_conn_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

static void fill_params(fcp_quic_conn *c, ngtcp2_settings *s, ngtcp2_transport_params *p,
                        uint64_t now)
{
    ngtcp2_settings_default(s);
    s->initial_ts = now;
    s->max_tx_udp_payload_size = c->cfg.max_udp_payload;
    s->no_pmtud = c->cfg.max_udp_payload <= FCP_QUIC_MIN_UDP_PAYLOAD;
    s->handshake_timeout = c->cfg.handshake_timeout_ms * NGTCP2_MILLISECONDS;
    s->rand_ctx.native_handle = (void *)(uintptr_t)c->cfg.rng;

    ngtcp2_transport_params_default(p);
    /* D-QUIC-3: one unidirectional stream each way, nothing else. */
    p->initial_max_streams_uni = 1;
    p->initial_max_streams_bidi = 0;
    p->initial_max_stream_data_uni = c->rx_cap;
    p->initial_max_stream_data_bidi_local = 0;
    p->initial_max_stream_data_bidi_remote = 0;
    p->initial_max_data = c->rx_cap;
    p->max_idle_timeout = c->cfg.idle_timeout_ms * NGTCP2_MILLISECONDS;
    /* D-QUIC-4: any DATAGRAM frame that fits a packet is welcome. */
    p->max_datagram_frame_size = c->cfg.datagrams ? 65535u : 0u;
    p->disable_active_migration = 1;
}

int fcp_quic_client_new(fcp_quic_conn **out, const fcp_quic_config *cfg, const fcp_net_addr *local,
                        const fcp_net_addr *remote, const uint8_t peer_pk[32], uint64_t now_ns)
{
    fcp_quic_conn *c;
    ngtcp2_callbacks cb;
    ngtcp2_settings s;
    ngtcp2_transport_params p;
    ngtcp2_cid dcid, scid;
    int rc;

    if (!peer_pk)
        return FCP_EQUIC_CONFIG;
    rc = conn_alloc(&c, cfg, 0, local, remote);
    if (rc != 0)
        return rc;
    memcpy(c->tls.pinned, peer_pk, 32);
    dcid.datalen = scid.datalen = FCP_QUIC_CID_BYTES;
    if (fcp_rng_fill(c->cfg.rng, dcid.data, dcid.datalen) != 0 ||
        fcp_rng_fill(c->cfg.rng, scid.data, scid.datalen) != 0) {
        fcp_quic_conn_free(c);
        return FCP_ERNG;
    }
    fill_callbacks(&cb, 0);
    fill_params(c, &s, &p, now_ns);
    if (ngtcp2_conn_client_new(&c->nc, &dcid, &scid, &c->path, NGTCP2_PROTO_VER_V1, &cb, &s, &p,
                               NULL, c) != 0) {
        c->nc = NULL;
        fcp_quic_conn_free(c);
        return FCP_ENOMEM;
    }
    ngtcp2_conn_set_tls_native_handle(c->nc, c->tls.session);
    if (c->cfg.keepalive_ms)
        ngtcp2_conn_set_keep_alive_timeout(c->nc, c->cfg.keepalive_ms * NGTCP2_MILLISECONDS);
    *out = c;
    return 0;
}

int fcp_quic_server_accept(fcp_quic_conn **out, const fcp_quic_config *cfg,
                           const fcp_net_addr *local, const fcp_net_addr *remote,
                           const uint8_t *pkt, size_t len, uint64_t now_ns)
{
    fcp_quic_conn *c;
    ngtcp2_pkt_hd hd;
    ngtcp2_callbacks cb;
    ngtcp2_settings s;
    ngtcp2_transport_params p;
    ngtcp2_cid scid;
    int rc;

    *out = NULL;
    if (!pkt || ngtcp2_accept(&hd, pkt, len) != 0)
        return FCP_EQUIC_NOT_INITIAL;
    rc = conn_alloc(&c, cfg, 1, local, remote);
    if (rc != 0)
        return rc;
    scid.datalen = FCP_QUIC_CID_BYTES;
    if (fcp_rng_fill(c->cfg.rng, scid.data, scid.datalen) != 0) {
        fcp_quic_conn_free(c);
        return FCP_ERNG;
    }
    c->tls.key_ok = c->cfg.peer_key_ok;
    c->tls.key_ok_ctx = c->cfg.peer_key_ctx;
    c->odcid = hd.dcid;
    fill_callbacks(&cb, 1);
    fill_params(c, &s, &p, now_ns);
    p.original_dcid = hd.dcid;
    p.stateless_reset_token_present = 1;
    if (fcp_rng_fill(c->cfg.rng, p.stateless_reset_token, sizeof p.stateless_reset_token) != 0) {
        fcp_quic_conn_free(c);
        return FCP_ERNG;
    }
    if (ngtcp2_conn_server_new(&c->nc, &hd.scid, &scid, &c->path, hd.version, &cb, &s, &p, NULL,
                               c) != 0) {
        c->nc = NULL;
        fcp_quic_conn_free(c);
        return FCP_ENOMEM;
    }
    ngtcp2_conn_set_tls_native_handle(c->nc, c->tls.session);
    if (c->cfg.keepalive_ms)
        ngtcp2_conn_set_keep_alive_timeout(c->nc, c->cfg.keepalive_ms * NGTCP2_MILLISECONDS);
    rc = fcp_quic_recv(c, pkt, len, now_ns);
    if (rc != 0 && !c->close_pending) {
        fcp_quic_conn_free(c); /* nothing to tell the client: drop it */
        return rc;
    }
    *out = c; /* possibly already CLOSED with a close to send */
    return 0;
}

void fcp_quic_conn_free(fcp_quic_conn *c)
{
    if (!c)
        return;
    if (c->nc)
        ngtcp2_conn_del(c->nc);
    fcp_quic_tls_deinit(&c->tls);
    free(c->tx);
    free(c->rx);
    dgq_free(&c->dg_tx);
    dgq_free(&c->dg_rx);
    free(c);
}

int fcp_quic_conn_owns(fcp_quic_conn *c, const uint8_t *pkt, size_t len)
{
    ngtcp2_version_cid vc;
    ngtcp2_cid ids[16];
    size_t n, i;

    if (!c || !c->nc || !pkt ||
        ngtcp2_pkt_decode_version_cid(&vc, pkt, len, FCP_QUIC_CID_BYTES) != 0)
        return 0;
    if (c->server && vc.dcidlen == c->odcid.datalen &&
        memcmp(vc.dcid, c->odcid.data, vc.dcidlen) == 0)
        return 1;
    n = ngtcp2_conn_get_num_scid(c->nc);
    if (n > sizeof ids / sizeof ids[0])
        return 0;
    ngtcp2_conn_get_scid(c->nc, ids);
    for (i = 0; i < n; i++)
        if (ids[i].datalen == vc.dcidlen && memcmp(ids[i].data, vc.dcid, vc.dcidlen) == 0)
            return 1;
    return 0;
}

/* ---- driving ---------------------------------------------------------------------- */

/* An ngtcp2 error from read_pkt / handle_expiry / write_*: close, and say why. */
static int on_ngtcp2_error(fcp_quic_conn *c, int rv)
{
    int err;

    switch (rv) {
    case NGTCP2_ERR_DRAINING: { /* the peer closed: nothing more may be sent */
        ngtcp2_connection_close_error ce;
        ngtcp2_conn_get_connection_close_error(c->nc, &ce);
        if (ce.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_TRANSPORT &&
            (ce.error_code & ~(uint64_t)0xff) == NGTCP2_CRYPTO_ERROR)
            err = FCP_EQUIC_REFUSED;
        else if (ce.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION &&
                 ce.error_code == APP_CLOSE_FRAMING)
            err = FCP_EQUIC_FCPC_FRAMING; /* the peer could not parse what we sent */
        else if (ce.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION &&
                 ce.error_code == APP_CLOSE_STREAM)
            err = FCP_EQUIC_STREAM;
        else if (ce.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION &&
                 ce.error_code == APP_CLOSE_OK)
            err = FCP_EQUIC_PEER_CLOSED;
        else if (ce.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_TRANSPORT &&
                 ce.error_code == NGTCP2_NO_ERROR)
            err = FCP_EQUIC_PEER_CLOSED;
        else
            err = c->state == FCP_QUIC_HANDSHAKE ? FCP_EQUIC_REFUSED : FCP_EQUIC_PEER_CLOSED;
        return fail(c, err, 0);
    }
    case NGTCP2_ERR_IDLE_CLOSE:
        return fail(c, FCP_EQUIC_IDLE_TIMEOUT, 0);
    case NGTCP2_ERR_HANDSHAKE_TIMEOUT:
        return fail(c, FCP_EQUIC_HANDSHAKE_TIMEOUT, 0);
    case NGTCP2_ERR_DROP_CONN:
    case NGTCP2_ERR_RETRY:
        return fail(c, FCP_EQUIC_PROTOCOL, 0);
    case NGTCP2_ERR_CRYPTO: {
        uint8_t alert = ngtcp2_conn_get_tls_alert(c->nc);
        switch (c->tls.auth) {
        case FCP_QUIC_AUTH_WRONG_KEY: err = FCP_EQUIC_PEER_KEY; break;
        case FCP_QUIC_AUTH_BAD_CERT:  err = FCP_EQUIC_PEER_CERT; break;
        case FCP_QUIC_AUTH_NO_CERT:   err = FCP_EQUIC_NO_PEER_CERT; break;
        default:
            /* GnuTLS refuses a server's missing client certificate itself
             * (certificate_required, RFC 8446 §4.4.2.4) before our callback. */
            err = (c->server && alert == 116) ? FCP_EQUIC_NO_PEER_CERT : FCP_EQUIC_HANDSHAKE;
            break;
        }
        ngtcp2_connection_close_error_set_transport_error_tls_alert(&c->ccerr, alert ? alert : 40,
                                                                    NULL, 0);
        return fail(c, err, 1);
    }
    case NGTCP2_ERR_CALLBACK_FAILURE:
        err = c->pending_err ? c->pending_err : FCP_EQUIC_PROTOCOL;
        if (err == FCP_EQUIC_FCPC_FRAMING)
            close_app(c, APP_CLOSE_FRAMING);
        else if (err == FCP_EQUIC_STREAM)
            close_app(c, APP_CLOSE_STREAM);
        else
            ngtcp2_connection_close_error_set_transport_error(&c->ccerr, NGTCP2_PROTOCOL_VIOLATION,
                                                              NULL, 0);
        return fail(c, err, 1);
    default:
        ngtcp2_connection_close_error_set_transport_error_liberr(&c->ccerr, rv, NULL, 0);
        return fail(c, FCP_EQUIC_PROTOCOL, 1);
    }
}

int fcp_quic_recv(fcp_quic_conn *c, const uint8_t *pkt, size_t len, uint64_t now_ns)
{
    ngtcp2_pkt_info pi;
    int rv;

    if (!c || c->state == FCP_QUIC_CLOSED)
        return FCP_EQUIC_STATE;
    if (!pkt || len == 0) {
        c->st.dropped++;
        return 0;
    }
    memset(&pi, 0, sizeof pi);
    c->st.pkts_in++;
    rv = ngtcp2_conn_read_pkt(c->nc, &c->path, &pi, pkt, len, now_ns);
    if (rv == 0)
        return 0;
    if (rv == NGTCP2_ERR_DISCARD_PKT) {
        c->st.dropped++;
        return 0;
    }
    return on_ngtcp2_error(c, rv);
}

uint64_t fcp_quic_expiry(fcp_quic_conn *c)
{
    if (!c || c->state == FCP_QUIC_CLOSED)
        return UINT64_MAX;
    return ngtcp2_conn_get_expiry(c->nc);
}

int fcp_quic_on_timer(fcp_quic_conn *c, uint64_t now_ns)
{
    int rv;

    if (!c || c->state == FCP_QUIC_CLOSED)
        return 0;
    rv = ngtcp2_conn_handle_expiry(c->nc, now_ns);
    return rv == 0 ? 0 : on_ngtcp2_error(c, rv);
}

/* Open our FCPC stream once the handshake is done and the peer allows it. */
static void maybe_open_stream(fcp_quic_conn *c)
{
    int64_t sid;
    if (c->tx_sid >= 0 || c->state != FCP_QUIC_ESTABLISHED ||
        ngtcp2_conn_get_streams_uni_left(c->nc) == 0)
        return;
    if (ngtcp2_conn_open_uni_stream(c->nc, &sid, NULL) == 0)
        c->tx_sid = sid;
}

static ngtcp2_ssize write_one(fcp_quic_conn *c, uint8_t *buf, size_t cap, uint64_t now)
{
    ngtcp2_pkt_info pi;
    ngtcp2_ssize n;

    memset(&pi, 0, sizeof pi);
    /* 1. a queued datagram (RFC 9221: never retransmitted, so it goes first) */
    while (c->dg_tx.count > 0 && c->state == FCP_QUIC_ESTABLISHED) {
        int accepted = 0;
        ngtcp2_vec v;
        v.base = c->dg_tx.buf + (size_t)c->dg_tx.head * FCP_QUIC_MAX_UDP_PAYLOAD;
        v.len = c->dg_tx.len[c->dg_tx.head];
        n = ngtcp2_conn_writev_datagram(c->nc, NULL, &pi, buf, cap, &accepted,
                                        NGTCP2_WRITE_DATAGRAM_FLAG_NONE, 0, &v, 1, now);
        if (n == NGTCP2_ERR_INVALID_ARGUMENT || n == NGTCP2_ERR_INVALID_STATE) {
            dgq_pop(&c->dg_tx); /* the path shrank under it: drop, as UDP would */
            c->st.dgrams_dropped++;
            continue;
        }
        if (n < 0)
            return n;
        if (accepted) {
            dgq_pop(&c->dg_tx);
            c->st.dgrams_out++;
        }
        if (n > 0)
            return n;
        break; /* congestion limited: try control frames only */
    }
    /* 2. FCPC stream data */
    maybe_open_stream(c);
    if (c->tx_sid >= 0 && c->tx_sent < c->tx_queued) {
        ngtcp2_vec v[2];
        size_t nv = 1, at = (size_t)(c->tx_sent % c->tx_cap);
        size_t left = (size_t)(c->tx_queued - c->tx_sent);
        ngtcp2_ssize took = -1;
        v[0].base = c->tx + at;
        v[0].len = c->tx_cap - at < left ? c->tx_cap - at : left;
        if (v[0].len < left) {
            v[1].base = c->tx;
            v[1].len = left - v[0].len;
            nv = 2;
        }
        n = ngtcp2_conn_writev_stream(c->nc, NULL, &pi, buf, cap, &took,
                                      NGTCP2_WRITE_STREAM_FLAG_NONE, c->tx_sid, v, nv, now);
        if (n >= 0) {
            if (took > 0)
                c->tx_sent += (uint64_t)took;
            return n;
        }
        if (n != NGTCP2_ERR_STREAM_DATA_BLOCKED)
            return n;
        /* flow-control blocked: the peer's reader is behind (backpressure) */
    }
    /* 3. acks, retransmissions, handshake, control frames */
    return ngtcp2_conn_write_pkt(c->nc, NULL, &pi, buf, cap, now);
}

int fcp_quic_send(fcp_quic_conn *c, uint8_t *buf, size_t cap, size_t *len, uint64_t now_ns)
{
    ngtcp2_ssize n;
    size_t quantum;

    *len = 0;
    if (!c)
        return FCP_EQUIC_STATE;
    if (cap < c->cfg.max_udp_payload)
        return FCP_EBUFFER_TOO_SMALL;
    if (c->state == FCP_QUIC_CLOSED) {
        if (c->close_pending) {
            ngtcp2_pkt_info pi;
            memset(&pi, 0, sizeof pi);
            c->close_pending = 0;
            n = ngtcp2_conn_write_connection_close(c->nc, NULL, &pi, buf, cap, &c->ccerr, now_ns);
            if (n > 0) {
                *len = (size_t)n;
                c->st.pkts_out++;
            }
        }
        return 0;
    }
    /* End a burst at the congestion controller's send quantum and let the
     * pacer (ngtcp2_conn_get_expiry) say when the next may start. */
    quantum = ngtcp2_conn_get_send_quantum(c->nc) / c->cfg.max_udp_payload;
    if (quantum == 0)
        quantum = 1;
    if (c->burst >= quantum) {
        c->burst = 0;
        ngtcp2_conn_update_pkt_tx_time(c->nc, now_ns);
        return 0;
    }
    n = write_one(c, buf, cap, now_ns);
    if (n < 0)
        return on_ngtcp2_error(c, (int)n);
    if (n == 0) {
        if (c->burst > 0)
            ngtcp2_conn_update_pkt_tx_time(c->nc, now_ns);
        c->burst = 0;
        return 0;
    }
    c->burst++;
    c->st.pkts_out++;
    *len = (size_t)n;
    return 0;
}

fcp_quic_state_t fcp_quic_state(const fcp_quic_conn *c)
{
    return c ? c->state : FCP_QUIC_CLOSED;
}

int fcp_quic_error(const fcp_quic_conn *c)
{
    return c ? c->err : FCP_EINVAL;
}

int fcp_quic_peer_key(const fcp_quic_conn *c, uint8_t pk[32])
{
    if (!c || c->tls.auth != FCP_QUIC_AUTH_OK ||
        (c->state != FCP_QUIC_ESTABLISHED && c->state != FCP_QUIC_CLOSED))
        return FCP_EQUIC_STATE;
    memcpy(pk, c->tls.peer_pk, 32);
    return 0;
}

void fcp_quic_close(fcp_quic_conn *c, uint64_t app_code, uint64_t now_ns)
{
    (void)now_ns;
    if (!c || c->state == FCP_QUIC_CLOSED)
        return;
    close_app(c, app_code);
    fail(c, 0, 1);
}

/* ---- FCPC stream ------------------------------------------------------------------ */

size_t fcp_quic_fcpc_room(const fcp_quic_conn *c)
{
    return c->tx_cap - (size_t)(c->tx_queued - c->tx_acked);
}

size_t fcp_quic_fcpc_unacked(const fcp_quic_conn *c)
{
    return (size_t)(c->tx_queued - c->tx_acked);
}

int fcp_quic_fcpc_send(fcp_quic_conn *c, const uint8_t *frame, size_t len)
{
    fcp_fcpc_frame f;
    int rc;

    if (!c || c->state != FCP_QUIC_ESTABLISHED)
        return FCP_EQUIC_STATE;
    if (!frame)
        return FCP_EINVAL;
    rc = fcp_fcpc_header_decode(frame, len, c->cfg.fcpc_max_payload, &f);
    if (rc != 0)
        return rc;
    if (FCP_FCPC_FRAME_BYTES(f.len) != len)
        return FCP_EFCPC_LENGTH_MISMATCH;
    if (len > fcp_quic_fcpc_room(c)) {
        c->st.blocked++;
        return FCP_EQUIC_BLOCKED;
    }
    ring_write(c->tx, c->tx_cap, c->tx_queued, frame, len);
    c->tx_queued += len;
    c->st.fcpc_frames_out++;
    c->st.fcpc_bytes_out += len;
    return 0;
}

int fcp_quic_fcpc_recv(fcp_quic_conn *c, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t hdr[FCP_FCPC_HEADER_BYTES];
    fcp_fcpc_frame f;
    size_t avail, n;
    int rc;

    *len = 0;
    if (!c)
        return FCP_EQUIC_STATE;
    avail = (size_t)(c->rx_wr - c->rx_read);
    if (avail < FCP_FCPC_HEADER_BYTES)
        return c->state == FCP_QUIC_CLOSED ? FCP_EQUIC_STATE : 0;
    ring_read(c->rx, c->rx_cap, c->rx_read, hdr, sizeof hdr);
    rc = fcp_fcpc_header_decode(hdr, sizeof hdr, c->cfg.fcpc_max_payload, &f);
    if (rc != 0) {
        /* Framing is lost for good: the stream cannot be resynchronised. */
        c->rx_read = c->rx_wr;
        close_app(c, APP_CLOSE_FRAMING);
        return fail(c, FCP_EQUIC_FCPC_FRAMING, 1);
    }
    n = FCP_FCPC_FRAME_BYTES(f.len);
    if (avail < n)
        return c->state == FCP_QUIC_CLOSED ? FCP_EQUIC_STATE : 0;
    if (cap < n)
        return FCP_EBUFFER_TOO_SMALL;
    ring_read(c->rx, c->rx_cap, c->rx_read, out, n);
    c->rx_read += n;
    *len = n;
    c->st.fcpc_frames_in++;
    c->st.fcpc_bytes_in += n;
    if (c->state != FCP_QUIC_CLOSED) {
        /* Credit back exactly what the application took. */
        ngtcp2_conn_extend_max_stream_offset(c->nc, c->rx_sid, n);
        ngtcp2_conn_extend_max_offset(c->nc, n);
    }
    return 1;
}

/* ---- datagrams -------------------------------------------------------------------- */

size_t fcp_quic_dgram_payload_for(size_t udp_payload, size_t cid_len)
{
    size_t over = FCP_QUIC_DGRAM_OVERHEAD(cid_len);
    return udp_payload > over ? udp_payload - over : 0;
}

int fcp_quic_symbol_size_for(size_t udp_payload, uint16_t *symbol_size)
{
    size_t d = fcp_quic_dgram_payload_for(udp_payload, FCP_QUIC_CID_BYTES);
    if (d > FCP_WIRE_MAX_DATAGRAM)
        return FCP_EINVAL;
    return fcp_fcps_symbol_size_for((uint32_t)d, 1, symbol_size);
}

size_t fcp_quic_dgram_max(fcp_quic_conn *c)
{
    const ngtcp2_transport_params *rp;
    size_t m, peer;

    if (!c || !c->cfg.datagrams || c->state != FCP_QUIC_ESTABLISHED)
        return 0;
    rp = ngtcp2_conn_get_remote_transport_params(c->nc);
    if (!rp || rp->max_datagram_frame_size == 0)
        return 0;
    m = fcp_quic_dgram_payload_for(ngtcp2_conn_get_path_max_tx_udp_payload_size(c->nc),
                                   ngtcp2_conn_get_dcid(c->nc)->datalen);
    /* The frame limit counts the type byte and a 2-byte length (RFC 9221 §3). */
    peer = rp->max_datagram_frame_size > 3 ? (size_t)rp->max_datagram_frame_size - 3 : 0;
    if (m > peer)
        m = peer;
    return m > FCP_QUIC_MAX_UDP_PAYLOAD ? FCP_QUIC_MAX_UDP_PAYLOAD : m;
}

int fcp_quic_dgram_send(fcp_quic_conn *c, const uint8_t *p, size_t len)
{
    size_t max;

    if (!c || c->state != FCP_QUIC_ESTABLISHED)
        return FCP_EQUIC_STATE;
    if (!c->cfg.datagrams)
        return FCP_EQUIC_DGRAM_DISABLED;
    max = fcp_quic_dgram_max(c);
    if (max == 0)
        return FCP_EQUIC_DGRAM_DISABLED;
    if (!p || len == 0 || len > max)
        return FCP_EQUIC_DGRAM_SIZE;
    if (dgq_push(&c->dg_tx, p, len) != 0) {
        c->st.blocked++;
        return FCP_EQUIC_BLOCKED;
    }
    return 0;
}

int fcp_quic_dgram_recv(fcp_quic_conn *c, uint8_t *out, size_t cap, size_t *len)
{
    size_t n;

    *len = 0;
    if (!c)
        return FCP_EQUIC_STATE;
    if (c->dg_rx.count == 0)
        return 0;
    n = c->dg_rx.len[c->dg_rx.head];
    if (cap < n)
        return FCP_EBUFFER_TOO_SMALL;
    memcpy(out, c->dg_rx.buf + (size_t)c->dg_rx.head * FCP_QUIC_MAX_UDP_PAYLOAD, n);
    dgq_pop(&c->dg_rx);
    *len = n;
    return 1;
}

void fcp_quic_get_stats(fcp_quic_conn *c, fcp_quic_stats *st)
{
    ngtcp2_conn_stat cs;

    *st = c->st;
    if (c->nc) {
        ngtcp2_conn_get_conn_stat(c->nc, &cs);
        st->rtt_ns = cs.smoothed_rtt;
        st->path_udp_payload = ngtcp2_conn_get_path_max_tx_udp_payload_size(c->nc);
    }
}
