/*
 * fcpd_quic.c - the QUIC carrier in fcpd (docs/quic.md, `[quic]` in
 * fcpd.toml): one UDP socket at quic.listen that accepts connections from
 * attested peers and dials the peers listed under [quic.dial], each
 * authenticated by its node key (D-QUIC-2).
 *
 * What it carries:
 *   - the FCPC stream (D-QUIC-3): the mesh engine's control messages
 *     (SymbolRequest, SymbolAck, gossip digests) as FCPC frames sealed under
 *     the mesh session's k_ctx (D-MESH-11), reliable and in order, instead
 *     of datagrams that may be lost;
 *   - QUIC DATAGRAM frames (D-QUIC-4): the engine's other datagrams
 *     (MeshSession handshake, FCPS symbols), one per frame, whenever the
 *     datagram fits the path.  The engine is told each connection's datagram
 *     limit (fcp_mesh_member_set_link, again whenever path-MTU discovery
 *     changes it), so new puts use symbols that fit (D-MESH-12: a fresh
 *     1200-byte path gives 1160-byte datagrams and 984-byte symbols).
 * Anything else still goes over the plain UDP socket, so QUIC is an
 * improvement of the path, never a dependency: when a connection closes the
 * engine hears (0, no stream) and its queued control frames leave as
 * datagrams.  Traffic that arrives over QUIC is handed to the engine as
 * from the peer the connection authenticated, after the same removed-node
 * gate as UDP.
 *
 * One connection per peer carries its stream frames (the first established
 * one in the table, the same one its datagrams use); frames are read from
 * every connection of the peer.
 *
 * Timers: the daemon's loop wakes at least every 10 ms, too coarse for QUIC's
 * pacing and ack timers, so a timerfd armed at the earliest connection expiry
 * wakes it for QUIC.
 *
 * A connection is bound to a configured peer by the key it authenticated
 * with, not by its address.  Dialled connections that fail are retried with
 * a backoff (1 s doubling to 30 s).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "fcp/clock.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/fcpc.h"
#include "fcp/model_attest.h"
#include "fcp/net_quic.h"
#include "fcp/rng.h"
#include "fcpd.h"

#define QLINKS      (2 * FCP_CONFIG_MAX_PEERS)
#define QPENDING_MAX 16   /* handshakes in progress (a flood of Initials costs at most these) */
#define DIAL_MIN_NS 1000000000ull
#define DIAL_MAX_NS 30000000000ull

typedef struct qlink {
    fcp_quic_conn *c;
    int            peer;       /* index into keys[] once authenticated, else -1 */
    int            dial;       /* index into dial[] for a connection we dialled, else -1 */
    fcp_net_addr   remote;
    int            up;         /* "quic.up" logged */
    int            told;       /* the engine was told this link's facts (D-MESH-11/12) */
    size_t         told_dgram; /* ... with this datagram limit */
} qlink;

typedef struct qpeer {
    char          id[FCP_NODE_ID_MAX + 1];
    uint8_t       pk[32];
    fcp_mesh_addr tok;         /* its mesh (UDP) address */
    int           gone;        /* left the mesh at runtime: key refused, no dialling */
} qpeer;

typedef struct qdial {
    int          peer;         /* index into keys[] */
    fcp_net_addr addr;
    uint64_t     next_ns;
    uint64_t     backoff_ns;
    int          link;         /* live link, or -1 */
} qdial;

struct fcpd_quic {
    fcpd              *d;
    fcp_quic_identity *id;
    fcp_quic_config    qc;
    int                fd;
    int                tfd;        /* timerfd at the earliest expiry */
    uint64_t           armed_ns;
    fcp_net_addr       bound;
    size_t             n_keys, n_dial;
    qpeer              keys[FCP_CONFIG_MAX_PEERS];
    qdial              dial[FCP_CONFIG_MAX_PEERS];
    qlink              links[QLINKS];
    /* counters (metrics and logs) */
    uint64_t           accepted, refused, dials, pkts_in, pkts_out, drop_out;
    uint64_t           dgrams_in, dgrams_out, dgrams_udp_fallback;
    uint64_t           frames_in, frames_out, frames_refused;
};

/* Room a link must have before we take a frame from the engine. */
#define FRAME_ROOM FCP_MESH_STREAM_FRAME_MAX
/* Largest FCPC payload we accept from a peer: the mesh's control messages
 * are at most ~1 KiB; a larger frame is a framing error that closes the
 * connection (D-QUIC-3), never a frame stuck in the receive buffer. */
#define FCPC_MAX_PAYLOAD 2048u

static int key_ok(void *ctx, const uint8_t pk[32])
{
    struct fcpd_quic *q = ctx;
    for (size_t i = 0; i < q->n_keys; i++)
        if (!q->keys[i].gone && fcp_ct_equal(q->keys[i].pk, pk, 32))
            return !fcpd_node_revoked(q->d, q->keys[i].id, pk);
    return 0;
}

static int peer_of_key(struct fcpd_quic *q, const uint8_t pk[32])
{
    for (size_t i = 0; i < q->n_keys; i++)
        if (!q->keys[i].gone && fcp_ct_equal(q->keys[i].pk, pk, 32))
            return (int)i;
    return -1;
}

static int key_index(const struct fcpd_quic *q, const char *id)
{
    for (size_t i = 0; i < q->n_keys; i++)
        if (!strcmp(q->keys[i].id, id))
            return (int)i;
    return -1;
}

/* Peer cp's QUIC identity: its owner-signed attestation (key) and address
 * (mesh token).  0, or the reason it cannot be reached over QUIC (logged). */
static int bind_peer(struct fcpd_quic *q, const fcp_config_peer *cp, qpeer *p)
{
    fcpd *d = q->d;
    fcp_node_attestation at;
    fcp_net_addr a;
    if (fcpd_peer_attestation(&at, d->home, cp->id) < 0 ||
        fcp_attestation_verify(&at, d->keys.owner_pk, fcp_clock_unix_secs(fcp_clock_system())) < 0 ||
        strcmp(at.node_id, cp->id) != 0 || fcp_net_addr_resolve(&a, cp->addr.host, cp->addr.port) < 0) {
        fcp_log_field f[] = { FCP_LF_STR("peer", cp->id),
                              FCP_LF_STR("why", "no valid attestation or address: not reachable over QUIC") };
        fcpd_log(d, FCP_LOG_WARN, "quic.peer", FCP_EDAEMON_KEY, f, 2);
        return FCP_EDAEMON_KEY;
    }
    snprintf(p->id, sizeof p->id, "%s", at.node_id);
    memcpy(p->pk, at.node_sig_pubkey, 32);
    fcpd_addr_to_token(&a, &p->tok);
    p->gone = 0;
    return 0;
}

/* A [quic.dial] entry naming key p, if the config has one and it is not
 * dialled yet. */
static void dial_add(struct fcpd_quic *q, int p)
{
    fcpd *d = q->d;
    for (size_t i = 0; i < q->n_dial; i++)
        if (q->dial[i].peer == p)
            return;
    for (size_t i = 0; i < d->cfg.n_quic_dial && q->n_dial < FCP_CONFIG_MAX_PEERS; i++) {
        qdial *x = &q->dial[q->n_dial];
        if (strcmp(q->keys[p].id, d->cfg.quic_dial[i].id) != 0 ||
            fcp_net_addr_resolve(&x->addr, d->cfg.quic_dial[i].addr.host, d->cfg.quic_dial[i].addr.port) < 0)
            continue;
        x->peer = p;
        x->link = -1;
        x->next_ns = 0;
        x->backoff_ns = DIAL_MIN_NS;
        q->n_dial++;
        return;
    }
}

/* Close every connection of key p (a clean close; freed by link_check). */
static void close_peer(struct fcpd_quic *q, int p)
{
    for (size_t i = 0; i < QLINKS; i++)
        if (q->links[i].c && q->links[i].peer == p)
            fcp_quic_close(q->links[i].c, 0, fcpd_now_ns());
}

static void flush(struct fcpd_quic *q, qlink *l, uint64_t now)
{
    uint8_t buf[FCP_QUIC_MAX_UDP_PAYLOAD];
    size_t len;
    for (int i = 0; i < 4096 && l->c; i++) {
        if (fcp_quic_send(l->c, buf, sizeof buf, &len, now) != 0 || len == 0)
            break;
        if (fcp_quic_udp_send(q->fd, buf, len, &l->remote) == 0)
            q->pkts_out++;
        else
            q->drop_out++; /* lost; QUIC's recovery resends what matters */
    }
}

static void link_free(struct fcpd_quic *q, qlink *l)
{
    if (l->dial >= 0 && q->dial[l->dial].link == (int)(l - q->links))
        q->dial[l->dial].link = -1;
    fcp_quic_conn_free(l->c);
    memset(l, 0, sizeof *l);
    l->peer = l->dial = -1;
}

static qlink *link_new(struct fcpd_quic *q)
{
    for (size_t i = 0; i < QLINKS; i++)
        if (!q->links[i].c)
            return &q->links[i];
    return NULL;
}

/* The link that carries peer p's stream frames and datagrams: the first
 * established one. */
static qlink *primary(struct fcpd_quic *q, int p)
{
    for (size_t i = 0; i < QLINKS; i++) {
        qlink *l = &q->links[i];
        if (l->c && l->peer == p && fcp_quic_state(l->c) == FCP_QUIC_ESTABLISHED)
            return l;
    }
    return NULL;
}

/* Peer p's told link closed: the engine goes back to datagrams (its queued
 * frames leave as datagrams); another link of p, if any, is told anew on the
 * next pump. */
static void untell(struct fcpd_quic *q, int p)
{
    if (q->d->mesh)
        (void)fcp_mesh_member_set_link(q->d->mesh, q->keys[p].id, 0, 0);
    for (size_t i = 0; i < QLINKS; i++)
        if (q->links[i].peer == p)
            q->links[i].told = 0;
}

/* Tell the engine the facts of peer p's primary link when they change
 * (connection up, path-MTU discovery raised the datagram limit). */
static void tell(struct fcpd_quic *q, qlink *l)
{
    size_t dm = q->qc.datagrams ? fcp_quic_dgram_max(l->c) : 0;
    if (!q->d->mesh || (l->told && l->told_dgram == dm))
        return;
    if (fcp_mesh_member_set_link(q->d->mesh, q->keys[l->peer].id, dm, 1) == 0) {
        fcp_log_field f[] = { FCP_LF_STR("peer", q->keys[l->peer].id), FCP_LF_UINT("dgram_max", dm),
                              FCP_LF_BOOL("stream", 1) };
        fcpd_log(q->d, FCP_LOG_DEBUG, "quic.link", 0, f, 3);
    }
    l->told = 1;
    l->told_dgram = dm;
}

/* Control frames the engine queued for peer p, while the link has room. */
static void drain_stream(struct fcpd_quic *q, qlink *l)
{
    uint8_t buf[FCP_MESH_STREAM_FRAME_MAX];
    size_t len;
    while (fcp_quic_fcpc_room(l->c) >= FRAME_ROOM &&
           fcp_mesh_poll_stream(q->d->mesh, q->keys[l->peer].id, buf, sizeof buf, &len) == 1) {
        int rc = fcp_quic_fcpc_send(l->c, buf, len);
        if (rc == 0) {
            q->frames_out++;
        } else {
            /* cannot happen with the room checked; the engine retries what matters */
            fcp_log_field f[] = { FCP_LF_STR("peer", q->keys[l->peer].id) };
            fcpd_log(q->d, FCP_LOG_WARN, "quic.fcpc_send", rc, f, 1);
            break;
        }
    }
}

/* State changes of one link: log up/down, bind it to its peer, free it when
 * closed (after its CONNECTION_CLOSE went out). */
static void link_check(struct fcpd_quic *q, qlink *l)
{
    fcpd *d = q->d;
    uint8_t pk[32];
    fcp_quic_state_t st = fcp_quic_state(l->c);

    if (st == FCP_QUIC_ESTABLISHED && !l->up) {
        l->up = 1;
        if (fcp_quic_peer_key(l->c, pk) == 0)
            l->peer = peer_of_key(q, pk);
        if (l->dial >= 0)
            q->dial[l->dial].backoff_ns = DIAL_MIN_NS;
        char a[FCP_NET_ADDR_TEXT_MAX];
        fcp_net_addr_format(&l->remote, a, sizeof a);
        fcp_log_field f[] = { FCP_LF_STR("peer", l->peer >= 0 ? q->keys[l->peer].id : "?"),
                              FCP_LF_STR("address", a), FCP_LF_BOOL("dialled", l->dial >= 0),
                              FCP_LF_UINT("dgram_max", fcp_quic_dgram_max(l->c)) };
        fcpd_log(d, FCP_LOG_INFO, "quic.up", 0, f, 4);
    }
    if (st == FCP_QUIC_CLOSED) {
        char a[FCP_NET_ADDR_TEXT_MAX];
        int err = fcp_quic_error(l->c);
        fcp_quic_stats qs;
        fcp_quic_get_stats(l->c, &qs);
        fcp_net_addr_format(&l->remote, a, sizeof a);
        fcp_log_field f[] = { FCP_LF_STR("peer", l->peer >= 0 ? q->keys[l->peer].id : "?"),
                              FCP_LF_STR("address", a), FCP_LF_BOOL("was_up", l->up),
                              FCP_LF_UINT("packets_in", qs.pkts_in), FCP_LF_UINT("packets_out", qs.pkts_out),
                              FCP_LF_UINT("datagrams_in", qs.dgrams_in), FCP_LF_UINT("datagrams_out", qs.dgrams_out),
                              FCP_LF_UINT("datagrams_dropped", qs.dgrams_dropped),
                              FCP_LF_UINT("path_udp_payload", qs.path_udp_payload),
                              FCP_LF_UINT("rtt_us", qs.rtt_ns / 1000) };
        fcpd_log(d, l->up ? FCP_LOG_INFO : FCP_LOG_WARN, "quic.down", err, f, 10);
        if (!l->up && l->dial < 0 && err != 0)
            q->refused++;
        if (l->told && l->peer >= 0)
            untell(q, l->peer);
        link_free(q, l);
    }
}

/* Datagrams and stream frames that arrived on a link go to the engine, as
 * from the peer the connection authenticated (datagrams: its configured
 * mesh address).  Returns how many were handed over. */
static size_t deliver(struct fcpd_quic *q, qlink *l)
{
    fcpd *d = q->d;
    uint8_t buf[FCP_FCPC_FRAME_BYTES(FCPC_MAX_PAYLOAD)];
    size_t len, n = 0;
    int rc;
    while (fcp_quic_dgram_recv(l->c, buf, sizeof buf, &len) == 1) {
        if (l->peer < 0 || !d->mesh)
            continue;
        q->dgrams_in++;
        d->n.dgram_in++;
        d->n.bytes_in += len;
        if (fcpd_authority_gate(d, &q->keys[l->peer].tok))
            continue;
        n++;
        rc = fcp_mesh_on_datagram(d->mesh, &q->keys[l->peer].tok, buf, len);
        if (rc < 0)
            fcpd_log(d, FCP_LOG_WARN, "mesh.datagram", rc, NULL, 0);
    }
    while ((rc = fcp_quic_fcpc_recv(l->c, buf, sizeof buf, &len)) == 1) {
        if (l->peer < 0 || !d->mesh || fcpd_authority_gate(d, &q->keys[l->peer].tok)) {
            q->frames_refused++;
            continue;
        }
        q->frames_in++;
        n++;
        rc = fcp_mesh_on_stream(d->mesh, q->keys[l->peer].id, buf, len);
        if (rc < 0)
            fcpd_log(d, FCP_LOG_WARN, "mesh.stream", rc, NULL, 0);
    }
    if (rc == FCP_EBUFFER_TOO_SMALL) /* larger than we allow: cannot happen (header checked) */
        fcp_quic_close(l->c, 1, fcpd_now_ns());
    return n;
}

/* Links still in their handshake (state, no buffers yet). */
static size_t pending_links(const struct fcpd_quic *q)
{
    size_t n = 0;
    for (size_t i = 0; i < QLINKS; i++)
        n += q->links[i].c && !q->links[i].up;
    return n;
}

static void on_quic_udp(void *ctx, int fd, unsigned ev)
{
    struct fcpd_quic *q = ctx;
    uint8_t buf[2048];
    fcp_net_addr from;
    (void)ev;
    for (int i = 0; i < FCPD_RX_BATCH; i++) {
        int n = fcp_quic_udp_recv(fd, buf, sizeof buf, &from);
        size_t k;
        uint64_t now = fcpd_now_ns();
        if (n == FCP_ENOENT || n == FCP_ENET_SOCKET)
            break;
        if (n < 0)
            continue;
        q->pkts_in++;
        for (k = 0; k < QLINKS; k++)
            if (q->links[k].c && fcp_quic_conn_owns(q->links[k].c, buf, (size_t)n))
                break;
        if (k < QLINKS) {
            fcp_quic_recv(q->links[k].c, buf, (size_t)n, now);
            continue;
        }
        qlink *l = pending_links(q) < QPENDING_MAX ? link_new(q) : NULL;
        if (!l)
            continue; /* full: a client retries its Initial */
        if (fcp_quic_server_accept(&l->c, &q->qc, &q->bound, &from, buf, (size_t)n, now) == 0) {
            l->peer = l->dial = -1;
            l->remote = from;
            q->accepted++;
        }
    }
    fcpd_quic_pump(q->d);
}

static void on_qtimer(void *ctx, int fd, unsigned ev)
{
    struct fcpd_quic *q = ctx;
    uint64_t n;
    (void)ev;
    (void)!read(fd, &n, sizeof n);
    q->armed_ns = 0;
    fcpd_quic_pump(q->d);
}

/* Arm the timerfd at the earliest expiry of any connection (absolute). */
static void arm(struct fcpd_quic *q)
{
    uint64_t e = UINT64_MAX;
    struct itimerspec its;
    for (size_t i = 0; i < QLINKS; i++)
        if (q->links[i].c) {
            uint64_t x = fcp_quic_expiry(q->links[i].c);
            if (x < e)
                e = x;
        }
    if (q->tfd < 0 || e == q->armed_ns)
        return;
    memset(&its, 0, sizeof its);
    if (e != UINT64_MAX) {
        if (e == 0)
            e = 1;
        its.it_value.tv_sec = (time_t)(e / 1000000000u);
        its.it_value.tv_nsec = (long)(e % 1000000000u);
    }
    if (timerfd_settime(q->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        q->armed_ns = e;
}

int fcpd_quic_start(fcpd *d)
{
    struct fcpd_quic *q;
    int rc;

    if (!d->cfg.quic_enabled)
        return 0;
    q = calloc(1, sizeof *q);
    if (!q)
        return FCP_ENOMEM;
    q->d = d;
    q->fd = q->tfd = -1;
    for (size_t i = 0; i < QLINKS; i++)
        q->links[i].peer = q->links[i].dial = -1;
    d->quic = q;
    /* our identity: the node signing key (its first 32 bytes are the seed) */
    if ((rc = fcp_quic_identity_new(&q->id, d->keys.sig_sk)) < 0) {
        fcpd_log(d, FCP_LOG_ERROR, "quic.identity", rc, NULL, 0);
        return rc;
    }
    /* peers: every configured peer whose owner-signed attestation we hold */
    for (size_t i = 0; i < d->cfg.n_peers; i++)
        if (bind_peer(q, &d->cfg.peers[i], &q->keys[q->n_keys]) == 0)
            q->n_keys++;
    q->qc.id = q->id;
    q->qc.rng = fcp_rng_system();
    q->qc.peer_key_ok = key_ok;
    q->qc.peer_key_ctx = q;
    q->qc.datagrams = d->cfg.quic_datagrams;
    q->qc.idle_timeout_ms = d->cfg.quic_idle_timeout_ms;
    q->qc.keepalive_ms = d->cfg.quic_keepalive_ms;
    q->qc.max_udp_payload = d->cfg.quic_max_udp_payload;
    /* the FCPC stream carries the mesh's control messages (~1 KiB each) */
    q->qc.stream_window = q->qc.send_buffer = 256u << 10;
    q->qc.fcpc_max_payload = FCPC_MAX_PAYLOAD;
    q->qc.dgram_queue = 256;
    if ((rc = fcp_net_udp_open(&q->fd, d->cfg.quic_listen.host, d->cfg.quic_listen.port, &q->bound)) < 0 ||
        (rc = fcp_net_loop_add(d->loop, q->fd, FCP_NET_EV_IN, on_quic_udp, q)) < 0) {
        char a[FCP_CONFIG_ADDR_MAX + 1];
        fcp_config_format_addr(&d->cfg.quic_listen, a, sizeof a);
        fcp_log_field f[] = { FCP_LF_STR("address", a) };
        fcpd_log(d, FCP_LOG_ERROR, "quic.listen", rc, f, 1);
        return rc;
    }
    q->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (q->tfd < 0 || (rc = fcp_net_loop_add(d->loop, q->tfd, FCP_NET_EV_IN, on_qtimer, q)) < 0) {
        fcpd_log(d, FCP_LOG_ERROR, "quic.timer", FCP_ENET_LOOP, NULL, 0);
        return FCP_ENET_LOOP;
    }
    /* dial the bound peers [quic.dial] names (the others: logged above) */
    for (size_t p = 0; p < q->n_keys; p++)
        dial_add(q, (int)p);
    char a[FCP_NET_ADDR_TEXT_MAX];
    fcp_net_addr_format(&q->bound, a, sizeof a);
    fcp_log_field f[] = { FCP_LF_STR("address", a), FCP_LF_UINT("peers", q->n_keys), FCP_LF_UINT("dial", q->n_dial),
                          FCP_LF_BOOL("datagrams", q->qc.datagrams) };
    fcpd_log(d, FCP_LOG_INFO, "quic.listening", 0, f, 4);
    return 0;
}

void fcpd_quic_peer_upsert(fcpd *d, const fcp_config_peer *cp)
{
    struct fcpd_quic *q = d->quic;
    qpeer np;
    if (!q || bind_peer(q, cp, &np) < 0)
        return;
    int p = key_index(q, cp->id);
    if (p < 0) {
        if (q->n_keys == FCP_CONFIG_MAX_PEERS)
            return;
        p = (int)q->n_keys++;
    } else if (!fcp_ct_equal(q->keys[p].pk, np.pk, 32) || q->keys[p].gone) {
        close_peer(q, p); /* a new key (re-enrolled): old connections are not its */
    }
    q->keys[p] = np;
    dial_add(q, p);
    fcp_log_field f[] = { FCP_LF_STR("peer", cp->id) };
    fcpd_log(d, FCP_LOG_INFO, "quic.peer_bound", 0, f, 1);
}

void fcpd_quic_peer_drop(fcpd *d, const char *id)
{
    struct fcpd_quic *q = d->quic;
    int p = q ? key_index(q, id) : -1;
    if (p < 0 || q->keys[p].gone)
        return;
    q->keys[p].gone = 1;
    close_peer(q, p);
    for (size_t i = 0; i < q->n_dial; i++)
        if (q->dial[i].peer == p) {
            /* forget the entry; the last one takes its place and its link follows */
            for (size_t k = 0; k < QLINKS; k++)
                if (q->links[k].dial == (int)i)
                    q->links[k].dial = -1;
            q->dial[i] = q->dial[--q->n_dial];
            for (size_t k = 0; k < QLINKS; k++)
                if (q->links[k].c && q->links[k].dial == (int)q->n_dial)
                    q->links[k].dial = (int)i;
            break;
        }
    fcp_log_field f[] = { FCP_LF_STR("peer", id) };
    fcpd_log(d, FCP_LOG_INFO, "quic.peer_dropped", 0, f, 1);
}

void fcpd_quic_stop(fcpd *d)
{
    struct fcpd_quic *q = d->quic;
    if (!q)
        return;
    fcp_log_field f[] = { FCP_LF_UINT("accepted", q->accepted), FCP_LF_UINT("refused", q->refused),
                          FCP_LF_UINT("dials", q->dials), FCP_LF_UINT("mesh_datagrams_in", q->dgrams_in),
                          FCP_LF_UINT("mesh_datagrams_out", q->dgrams_out),
                          FCP_LF_UINT("udp_fallback", q->dgrams_udp_fallback),
                          FCP_LF_UINT("fcpc_frames_in", q->frames_in),
                          FCP_LF_UINT("fcpc_frames_out", q->frames_out) };
    fcpd_log(d, FCP_LOG_INFO, "quic.stopped", 0, f, 8);
    for (size_t i = 0; i < QLINKS; i++)
        if (q->links[i].c) {
            uint64_t now = fcpd_now_ns();
            fcp_quic_close(q->links[i].c, 0, now);
            flush(q, &q->links[i], now); /* tell the peer at once */
            link_check(q, &q->links[i]);  /* logs quic.down with its counters, frees */
        }
    if (q->fd >= 0) {
        fcp_net_loop_del(d->loop, q->fd);
        close(q->fd);
    }
    if (q->tfd >= 0) {
        fcp_net_loop_del(d->loop, q->tfd);
        close(q->tfd);
    }
    fcp_quic_identity_free(q->id);
    free(q);
    d->quic = NULL;
}

void fcpd_quic_pump(fcpd *d)
{
    struct fcpd_quic *q = d->quic;
    uint64_t now;
    if (!q)
        return;
    now = fcpd_now_ns();
    /* dial who is due */
    for (size_t i = 0; i < q->n_dial; i++) {
        qdial *x = &q->dial[i];
        qlink *l;
        if (x->link >= 0 || now < x->next_ns || !(l = link_new(q)))
            continue;
        x->next_ns = now + x->backoff_ns;
        x->backoff_ns = x->backoff_ns * 2 > DIAL_MAX_NS ? DIAL_MAX_NS : x->backoff_ns * 2;
        if (fcp_quic_client_new(&l->c, &q->qc, &q->bound, &x->addr, q->keys[x->peer].pk, now) < 0)
            continue;
        l->peer = -1;
        l->dial = (int)i;
        l->remote = x->addr;
        x->link = (int)(l - q->links);
        q->dials++;
    }
    size_t delivered = 0;
    for (size_t i = 0; i < QLINKS; i++) {
        qlink *l = &q->links[i];
        if (!l->c)
            continue;
        if (fcp_quic_expiry(l->c) <= now)
            fcp_quic_on_timer(l->c, now);
        delivered += deliver(q, l);
    }
    /* what the engine answers (symbols for a request) goes out now, not on
     * the next loop pass */
    if (delivered)
        fcpd_mesh_pump(d);
    for (size_t i = 0; i < QLINKS; i++) {
        qlink *l = &q->links[i];
        if (!l->c)
            continue;
        if (l->peer >= 0 && d->mesh && primary(q, l->peer) == l) {
            tell(q, l);
            drain_stream(q, l);
        }
        flush(q, l, now);
        link_check(q, l);
    }
    arm(q);
}

int fcpd_quic_send_mesh(fcpd *d, const fcp_mesh_addr *to, const uint8_t *b, size_t len)
{
    struct fcpd_quic *q = d->quic;
    if (!q || !q->qc.datagrams)
        return 0;
    for (size_t p = 0; p < q->n_keys; p++) {
        if (q->keys[p].tok.len != to->len || memcmp(q->keys[p].tok.bytes, to->bytes, to->len) != 0)
            continue;
        qlink *l = primary(q, (int)p);
        if (!l)
            return 0;
        if (fcp_quic_dgram_send(l->c, b, len) == 0) {
            q->dgrams_out++;
            return 1;
        }
        q->dgrams_udp_fallback++; /* too large for the path yet, or queue full */
        return 0;
    }
    return 0;
}

void fcpd_quic_metrics(fcpd *d, fcp_buf *out)
{
    struct fcpd_quic *q = d->quic;
    size_t up = 0;
    char line[512];
    fcp_mesh_counters mc;
    if (!q)
        return;
    memset(&mc, 0, sizeof mc);
    if (d->mesh)
        fcp_mesh_get_counters(d->mesh, &mc);
    for (size_t i = 0; i < QLINKS; i++)
        up += q->links[i].c && fcp_quic_state(q->links[i].c) == FCP_QUIC_ESTABLISHED;
    const struct { const char *name, *type, *help; uint64_t v; } m[] = {
        { "fcp_quic_connections_up", "gauge", "QUIC connections established now", up },
        { "fcp_quic_accepted_total", "counter", "QUIC connections accepted (client Initial seen)", q->accepted },
        { "fcp_quic_refused_total", "counter", "Accepted QUIC connections that closed before authenticating",
          q->refused },
        { "fcp_quic_dials_total", "counter", "QUIC connections dialled", q->dials },
        { "fcp_quic_packets_in_total", "counter", "QUIC packets received", q->pkts_in },
        { "fcp_quic_packets_out_total", "counter", "QUIC packets sent", q->pkts_out },
        { "fcp_quic_packets_dropped_out_total", "counter", "QUIC packets the socket refused", q->drop_out },
        { "fcp_quic_mesh_datagrams_in_total", "counter", "Mesh datagrams received over QUIC", q->dgrams_in },
        { "fcp_quic_mesh_datagrams_out_total", "counter", "Mesh datagrams sent over QUIC", q->dgrams_out },
        { "fcp_quic_mesh_datagrams_udp_fallback_total", "counter",
          "Mesh datagrams for a QUIC peer sent over UDP (too large for the path, or queue full)",
          q->dgrams_udp_fallback },
        { "fcp_quic_fcpc_frames_in_total", "counter",
          "Mesh control frames received on QUIC FCPC streams", q->frames_in },
        { "fcp_quic_fcpc_frames_out_total", "counter",
          "Mesh control frames sent on QUIC FCPC streams", q->frames_out },
        { "fcp_quic_fcpc_frames_refused_total", "counter",
          "FCPC frames not handed to the mesh (unbound connection, removed node)", q->frames_refused },
        { "fcp_mesh_stream_frames_dropped_total", "counter",
          "Stream frames the mesh refused (framing, session, replay, authentication)", mc.drop_stream },
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        int n = snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", m[i].name, m[i].help,
                         m[i].name, m[i].type, m[i].name, (unsigned long long)m[i].v);
        if (n > 0 && (size_t)n < sizeof line)
            fcp_buf_append(out, line, (size_t)n);
    }
}
