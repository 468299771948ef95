/*
 * fcpd_mesh.c - drives the sans-IO MeshNode engine (mesh.h) from the epoll
 * loop: UDP sockets in, address tokens, ticks, outgoing datagrams, events.
 *
 * Address tokens are the raw bytes of the peer's sockaddr, so the engine can
 * compare a datagram's source with a configured peer address.  Outgoing
 * datagrams leave through the first socket of the destination's family,
 * queued per socket and sent FCP_NET_UDP_BATCH at a time with one sendmmsg
 * (a QUIC connection to the peer still takes each datagram first).  When a
 * socket's send buffer is full the unsent tail stays in that socket's
 * bounded queue (fcp_net_udp_txq) and the engine is not drained further
 * until EPOLLOUT has emptied it: back-pressure instead of silent loss.
 * Arrivals are read with recvmmsg, up to FCPD_RX_BATCH per readiness event.
 *
 * Membership at runtime (D-MESH-9): fcpd_mesh_peer_upsert adds a peer to
 * the running engine (or moves it / changes its zones), fcpd_mesh_peer_drop
 * removes it; d->cfg.peers follows, so the revocation gate and later
 * reloads see the same list.  Callers: the admin op peers_reload (`fcp node
 * add-peer`) and Tailscale polls; revocations remove a node through
 * fcp_mesh_member_remove themselves (fcpd_authority.c).
 */
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/raptorq.h"
#include "fcp/rng.h"
#include "fcpd.h"

void fcpd_addr_to_token(const fcp_net_addr *a, fcp_mesh_addr *t)
{
    size_t n = a->len <= FCP_MESH_ADDR_MAX ? a->len : FCP_MESH_ADDR_MAX;
    /* canonical bytes: zero everything the family does not use */
    uint8_t tmp[sizeof(struct sockaddr_in6)] = { 0 };
    if (a->ss.ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)&a->ss;
        struct sockaddr_in c = { .sin_family = AF_INET, .sin_port = s->sin_port, .sin_addr = s->sin_addr };
        memcpy(tmp, &c, sizeof c);
        n = sizeof c;
    } else if (a->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->ss;
        struct sockaddr_in6 c = { .sin6_family = AF_INET6, .sin6_port = s->sin6_port,
                                  .sin6_addr = s->sin6_addr, .sin6_scope_id = s->sin6_scope_id };
        memcpy(tmp, &c, sizeof c);
        n = sizeof c;
    }
    memset(t, 0, sizeof *t);
    t->len = (uint8_t)n;
    memcpy(t->bytes, tmp, n);
}

int fcpd_token_to_addr(const fcp_mesh_addr *t, fcp_net_addr *a)
{
    memset(a, 0, sizeof *a);
    if (t->len == sizeof(struct sockaddr_in) || t->len == sizeof(struct sockaddr_in6)) {
        memcpy(&a->ss, t->bytes, t->len);
        a->len = t->len;
        if ((a->ss.ss_family == AF_INET && t->len == sizeof(struct sockaddr_in)) ||
            (a->ss.ss_family == AF_INET6 && t->len == sizeof(struct sockaddr_in6)))
            return 0;
    }
    return FCP_ENET_ADDRESS;
}

static void on_udp(void *ctx, int fd, unsigned ev);

static fcpd_udp *udp_of(fcpd *d, int fd)
{
    for (size_t i = 0; i < d->n_udp; i++)
        if (d->udp[i].fd == fd)
            return &d->udp[i];
    return NULL;
}

/* Send what u has queued.  On a full socket the rest stays queued and
 * EPOLLOUT is armed (u->blocked); once it drained, only EPOLLIN again. */
static int udp_flush(fcpd *d, fcpd_udp *u)
{
    fcp_net_udp_txq_stats st = { 0, 0, 0 };
    int rc = fcp_net_udp_txq_flush(u->fd, u->txq, &st);
    d->n.dgram_out += st.sent;
    d->n.bytes_out += st.bytes;
    d->n.drop_socket += st.dropped;
    if (rc == FCP_ELIMIT) {
        if (!u->blocked)
            fcp_net_loop_mod(d->loop, u->fd, FCP_NET_EV_IN | FCP_NET_EV_OUT);
        u->blocked = 1;
        return rc;
    }
    if (u->blocked)
        fcp_net_loop_mod(d->loop, u->fd, FCP_NET_EV_IN);
    u->blocked = 0;
    return 0;
}

/* receive slots: anything above FCP_NET_UDP_MAX_PAYLOAD is reported as
 * oversized by fcp_net_udp_recv_batch (too long or truncated) */
#define FCPD_RX_SLOT 1280
static uint8_t rx_buf[FCP_NET_UDP_BATCH][FCPD_RX_SLOT];
static fcp_net_dgram rx_dg[FCP_NET_UDP_BATCH];

static void on_udp(void *ctx, int fd, unsigned ev)
{
    fcpd *d = ctx;
    fcpd_udp *u = udp_of(d, fd);
    if (!u)
        return;
    if ((ev & FCP_NET_EV_OUT) && u->blocked)
        udp_flush(d, u);   /* the held tail goes first; the pump resumes after */
    if (!(ev & (FCP_NET_EV_IN | FCP_NET_EV_ERR)))
        return;
    for (size_t total = 0; total < FCPD_RX_BATCH;) {
        size_t want = FCPD_RX_BATCH - total < FCP_NET_UDP_BATCH ? FCPD_RX_BATCH - total : FCP_NET_UDP_BATCH;
        for (size_t i = 0; i < want; i++) {
            rx_dg[i].buf = rx_buf[i];
            rx_dg[i].cap = sizeof rx_buf[i];
        }
        size_t got = 0;
        int rc = fcp_net_udp_recv_batch(fd, rx_dg, want, &got);
        if (rc == FCP_ENOENT)
            break;
        if (rc < 0) {
            d->n.drop_socket++;
            break;
        }
        total += got;
        for (size_t i = 0; i < got; i++) {
            const fcp_net_dgram *g = &rx_dg[i];
            if (g->rc < 0) {
                d->n.drop_oversize++;
                continue;
            }
            d->n.dgram_in++;
            d->n.bytes_in += (uint64_t)g->len;
            fcp_mesh_addr tok;
            fcpd_addr_to_token(&g->addr, &tok);
            if (fcpd_authority_gate(d, &tok))   /* a removed node (fcpd_authority.c) */
                continue;
            rc = fcp_mesh_on_datagram(d->mesh, &tok, g->buf, g->len);
            if (rc < 0)
                fcpd_log(d, FCP_LOG_WARN, "mesh.datagram", rc, NULL, 0);
        }
        if (got < want)
            break;   /* the socket is empty */
    }
}

int fcpd_mesh_start(fcpd *d)
{
    /* UDP sockets */
    for (size_t i = 0; i < d->cfg.n_listen; i++) {
        fcpd_udp *u = &d->udp[d->n_udp];
        memset(u, 0, sizeof *u);
        if (!(u->txq = malloc(sizeof *u->txq)))
            return FCP_ENOMEM;
        fcp_net_udp_txq_init(u->txq);
        int rc = fcp_net_udp_open(&u->fd, d->cfg.listen[i].host, d->cfg.listen[i].port, &u->bound);
        if (rc < 0) {
            char a[FCP_CONFIG_ADDR_MAX + 1];
            fcp_config_format_addr(&d->cfg.listen[i], a, sizeof a);
            fcp_log_field f[] = { FCP_LF_STR("address", a) };
            fcpd_log(d, FCP_LOG_ERROR, "udp.listen", rc, f, 1);
            free(u->txq);
            u->txq = NULL;
            return rc;
        }
        int sz = 4 << 20;
        setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
        setsockopt(u->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
        u->family = u->bound.ss.ss_family;
        d->n_udp++;
        if ((rc = fcp_net_loop_add(d->loop, u->fd, FCP_NET_EV_IN, on_udp, d)) < 0)
            return rc;
        char a[FCP_NET_ADDR_TEXT_MAX];
        fcp_net_addr_format(&u->bound, a, sizeof a);
        fcp_log_field f[] = { FCP_LF_STR("address", a) };
        fcpd_log(d, FCP_LOG_INFO, "udp.listen", 0, f, 1);
    }

    /* the engine */
    int rc = fcpd_symstore_open(d, &d->mstore);
    if (rc < 0)
        return rc;
    d->mstore_open = 1;
    static fcp_mesh_peer_config peers[FCP_MESH_MAX_PEERS];
    size_t np = 0;
    for (size_t i = 0; i < d->cfg.n_peers; i++) {
        if (np >= FCP_MESH_MAX_PEERS)
            break;
        fcp_mesh_peer_config *p = &peers[np];
        memset(p, 0, sizeof *p);
        snprintf(p->node_id, sizeof p->node_id, "%s", d->cfg.peers[i].id);
        fcp_net_addr a;
        if ((rc = fcp_net_addr_resolve(&a, d->cfg.peers[i].addr.host, d->cfg.peers[i].addr.port)) < 0) {
            fcp_log_field f[] = { FCP_LF_STR("peer", p->node_id) };
            fcpd_log(d, FCP_LOG_ERROR, "peer.address", rc, f, 1);
            return rc;
        }
        fcpd_addr_to_token(&a, &p->addr);
        p->n_zones = d->cfg.peers[i].n_zones;   /* 0: every zone we serve (D-MESH-9) */
        for (size_t z = 0; z < p->n_zones && z < FCP_MESH_MAX_ZONES; z++)
            memcpy(p->zones[z], d->cfg.peers[i].zones[z], FCP_ZONE_ID_MAX + 1);
        if (p->n_zones > FCP_MESH_MAX_ZONES)
            p->n_zones = FCP_MESH_MAX_ZONES;
        if ((rc = fcpd_peer_attestation(&p->attestation, d->home, p->node_id)) < 0) {
            fcp_log_field f[] = { FCP_LF_STR("peer", p->node_id),
                                  FCP_LF_STR("hint", "copy the peer's node.attest to FCP_HOME/nodes/<id>.attest") };
            fcpd_log(d, FCP_LOG_ERROR, "peer.attestation", rc, f, 2);
            return rc;
        }
        if (fcpd_authority_skip_peer(d, &p->attestation))   /* removed: no session */
            continue;
        np++;
    }
    /* serve the zones of the config that we hold keys for */
    static fcp_mesh_zone_config zones[FCP_MESH_MAX_ZONES];
    size_t nz = 0;
    for (size_t i = 0; i < d->cfg.n_zones && nz < FCP_MESH_MAX_ZONES; i++)
        for (size_t j = 0; j < d->keys.n_zones; j++)
            if (!strcmp(d->cfg.zones[i], d->keys.zones[j].zone_id)) {
                zones[nz++] = d->keys.zones[j];   /* the first line of a zone is its active key */
                break;
            }
    if (!nz) {
        fcpd_log(d, FCP_LOG_ERROR, "mesh.zones", FCP_EMESH_CONFIG, NULL, 0);
        return FCP_EMESH_CONFIG;
    }
    fcp_mesh_config mc;
    memset(&mc, 0, sizeof mc);
    mc.node_id = d->keys.node_id;
    mc.sig_sk = d->keys.sig_sk;
    mc.owner_pk = d->keys.owner_pk;
    mc.peers = peers;
    mc.n_peers = np;
    mc.zones = zones;
    mc.n_zones = nz;
    mc.zone_key_lookup = fcpd_zone_key_lookup;   /* superseded keys after a rotation */
    mc.zone_key_ctx = d;
    mc.store = d->mstore;
    mc.clock = fcp_clock_system();
    mc.rng = fcp_rng_system();
    fcp_mesh_limits_default(&mc.limits);
    /* optional tuning of the repair loop (docs/fcpd.md) */
    const char *ra = getenv("FCPD_REPAIR_MAX_ACTIVE");
    if (ra && atoi(ra) > 0 && atoi(ra) <= 256)
        mc.limits.repair_max_active = (uint32_t)atoi(ra);
    rc = fcp_mesh_node_new(&d->mesh, &mc);
    fcp_memzero(zones, sizeof zones);
    if (rc < 0) {
        fcpd_log(d, FCP_LOG_ERROR, "mesh.start", rc, NULL, 0);
        return rc;
    }
    fcp_log_field f[] = { FCP_LF_STR("node_id", d->keys.node_id), FCP_LF_UINT("peers", np),
                          FCP_LF_UINT("zones", nz) };
    fcpd_log(d, FCP_LOG_INFO, "mesh.start", 0, f, 3);
    return 0;
}

/* ---- runtime membership ------------------------------------------------------ */

static int engine_has(const fcpd *d, const char *id)
{
    size_t np = fcp_mesh_peer_count(d->mesh);
    for (size_t i = 0; i < np; i++) {
        fcp_mesh_peer_info pi;
        if (fcp_mesh_peer_info_get(d->mesh, i, &pi) == 0 && !strcmp(pi.node_id, id))
            return 1;
    }
    return 0;
}

static size_t cfg_peer(const fcpd *d, const char *id)
{
    for (size_t i = 0; i < d->cfg.n_peers; i++)
        if (!strcmp(d->cfg.peers[i].id, id))
            return i;
    return SIZE_MAX;
}

int fcpd_mesh_peer_upsert(fcpd *d, const fcp_config_peer *cp, const char *why)
{
    if (!d->mesh)
        return FCP_EMESH_CONFIG;
    static fcp_mesh_peer_config pc;
    memset(&pc, 0, sizeof pc);
    snprintf(pc.node_id, sizeof pc.node_id, "%s", cp->id);
    fcp_net_addr a;
    int rc = fcp_net_addr_resolve(&a, cp->addr.host, cp->addr.port);
    if (rc < 0)
        goto out;
    fcpd_addr_to_token(&a, &pc.addr);
    pc.n_zones = cp->n_zones < FCP_MESH_MAX_ZONES ? cp->n_zones : FCP_MESH_MAX_ZONES;
    for (size_t z = 0; z < pc.n_zones; z++)
        memcpy(pc.zones[z], cp->zones[z], FCP_ZONE_ID_MAX + 1);
    const char *what;
    if (engine_has(d, pc.node_id)) {
        if ((rc = fcp_mesh_member_set_addr(d->mesh, pc.node_id, &pc.addr)) < 0 ||
            (rc = fcp_mesh_member_set_zones(d->mesh, pc.node_id,
                                            (const char (*)[FCP_ZONE_ID_MAX + 1])pc.zones, pc.n_zones)) < 0)
            goto out;
        what = "peer.updated";
    } else {
        if ((rc = fcpd_peer_attestation(&pc.attestation, d->home, pc.node_id)) < 0)
            goto out;
        if (fcpd_authority_skip_peer(d, &pc.attestation)) {
            rc = FCP_EDAEMON_PEER_REVOKED;
            goto out;
        }
        if ((rc = fcp_mesh_member_add(d->mesh, &pc)) < 0)
            goto out;
        what = "peer.added";
    }
    size_t ci = cfg_peer(d, cp->id);
    if (ci == SIZE_MAX && d->cfg.n_peers < FCP_CONFIG_MAX_PEERS)
        ci = d->cfg.n_peers++;
    if (ci != SIZE_MAX && &d->cfg.peers[ci] != cp)
        d->cfg.peers[ci] = *cp;
    char at[FCP_CONFIG_ADDR_MAX + 1];
    fcp_config_format_addr(&cp->addr, at, sizeof at);
    fcp_log_field f[] = { FCP_LF_STR("peer", cp->id), FCP_LF_STR("address", at),
                          FCP_LF_UINT("zones", cp->n_zones), FCP_LF_STR("by", why) };
    fcpd_log(d, FCP_LOG_INFO, what, 0, f, 4);
    fcpd_quic_peer_upsert(d, cp); /* reachable over QUIC too (its key, its dial entry) */
out:
    if (rc < 0) {
        fcp_log_field lf[] = { FCP_LF_STR("peer", cp->id), FCP_LF_STR("by", why) };
        fcpd_log(d, FCP_LOG_WARN, "peer.add", rc, lf, 2);
    }
    fcp_memzero(&pc, sizeof pc);
    return rc;
}

int fcpd_mesh_peer_drop(fcpd *d, const char *id, const char *why)
{
    if (!d->mesh)
        return FCP_EMESH_CONFIG;
    int rc = fcp_mesh_member_remove(d->mesh, id);
    fcpd_quic_peer_drop(d, id);
    size_t ci = cfg_peer(d, id);
    if (ci != SIZE_MAX) {
        memmove(&d->cfg.peers[ci], &d->cfg.peers[ci + 1], (d->cfg.n_peers - ci - 1) * sizeof d->cfg.peers[0]);
        d->cfg.n_peers--;
    }
    fcp_log_field f[] = { FCP_LF_STR("peer", id), FCP_LF_STR("by", why) };
    fcpd_log(d, rc < 0 ? FCP_LOG_WARN : FCP_LOG_INFO, "peer.removed", rc, f, 2);
    return rc;
}

int fcpd_mesh_peers_reload(fcpd *d, size_t *added, size_t *updated, char *det, size_t dl)
{
    *added = *updated = 0;
    static fcp_config nc;
    fcp_toml_error terr;
    memset(&terr, 0, sizeof terr);
    fcp_config_defaults(&nc, d->cfg.data_dir);
    int rc = fcp_config_load(&nc, d->config_path, &terr);
    if (rc < 0) {
        snprintf(det, dl, "%s does not load", d->config_path);
        return rc;
    }
    int first = 0;
    for (size_t i = 0; i < nc.n_peers; i++) {
        size_t ci = cfg_peer(d, nc.peers[i].id);
        if (ci != SIZE_MAX && !memcmp(&d->cfg.peers[ci], &nc.peers[i], sizeof nc.peers[i]) &&
            engine_has(d, nc.peers[i].id))
            continue;   /* unchanged */
        int was = engine_has(d, nc.peers[i].id);
        rc = fcpd_mesh_peer_upsert(d, &nc.peers[i], "reload");
        if (rc == FCP_EDAEMON_PEER_REVOKED)
            continue;   /* a removed node stays out (logged) */
        if (rc < 0) {
            if (!first)
                snprintf(det, dl, "peer %s: %s", nc.peers[i].id, fcp_strerror(rc));
            first = first ? first : rc;
            continue;
        }
        if (was)
            (*updated)++;
        else
            (*added)++;
    }
    return first;
}

void fcpd_mesh_stop(fcpd *d)
{
    fcp_mesh_node_free(d->mesh);
    d->mesh = NULL;
    if (d->mstore_open)
        fcpd_symstore_close(d);
    d->mstore_open = 0;
    for (size_t i = 0; i < d->n_udp; i++) {
        fcp_net_loop_del(d->loop, d->udp[i].fd);
        close(d->udp[i].fd);
        free(d->udp[i].txq);   /* what a full socket still held is not sent */
        d->udp[i].txq = NULL;
    }
    d->n_udp = 0;
}

static fcpd_udp *udp_for(fcpd *d, int family)
{
    for (size_t i = 0; i < d->n_udp; i++)
        if (d->udp[i].family == family)
            return &d->udp[i];
    return NULL;
}

static int any_blocked(fcpd *d)
{
    for (size_t i = 0; i < d->n_udp; i++)
        if (d->udp[i].blocked)
            return 1;
    return 0;
}

static void handle_event(fcpd *d, const fcp_mesh_event *ev)
{
    fcp_mesh_peer_info pi;
    const char *peer = "";
    if (ev->peer >= 0 && fcp_mesh_peer_info_get(d->mesh, (size_t)ev->peer, &pi) == 0)
        peer = pi.node_id;
    switch (ev->type) {
    case FCP_MESH_EV_SESSION_UP: {
        d->n.sessions_up++;
        fcp_log_field f[] = { FCP_LF_STR("peer", peer), FCP_LF_BOOL("rekey", ev->error == 1) };
        fcpd_log(d, FCP_LOG_INFO, "session.up", 0, f, 2);
        break;
    }
    case FCP_MESH_EV_SESSION_DOWN: {
        d->n.sessions_down++;
        fcp_log_field f[] = { FCP_LF_STR("peer", peer) };
        fcpd_log(d, FCP_LOG_INFO, "session.down", ev->error < 0 ? ev->error : 0, f, 1);
        break;
    }
    case FCP_MESH_EV_PUT_DONE:
        fcpd_admin_put_done(d, ev->op, ev->error);
        break;
    case FCP_MESH_EV_GET_DONE:
        fcpd_admin_get_done(d, ev->op, ev->error);
        break;
    case FCP_MESH_EV_REPAIR: {
        d->n.repairs++;
        fcp_log_field f[] = { FCP_LF_HEX("object_id", ev->object_id, 32), FCP_LF_STR("peer", peer),
                              FCP_LF_UINT("symbols", ev->count) };
        fcpd_log(d, FCP_LOG_DEBUG, "repair.pushed", 0, f, 3);
        break;
    }
    default:
        break;
    }
}

/* Hand the RaptorQ caches back once the node has been idle for
 * FCPD_RQ_IDLE_SECS (see fcpd.h); the next put/get/repair rebuilds them. */
static void release_rq_caches_when_idle(fcpd *d, uint64_t now)
{
    uint64_t activity = d->n.puts + d->n.gets + d->n.repairs + d->sym.committed;
    if (activity != d->rq_activity || d->rq_active_ns == 0) {
        d->rq_activity = activity;
        d->rq_active_ns = now;
        d->rq_released = 0;
        return;
    }
    if (!d->rq_released && now - d->rq_active_ns >= (uint64_t)FCPD_RQ_IDLE_SECS * 1000000000u) {
        fcp_rq_release_caches();
        malloc_trim(0);   /* give the freed heap back to the kernel too */
        d->rq_released = 1;
        fcpd_log(d, FCP_LOG_DEBUG, "raptorq.caches_released", 0, NULL, 0);
    }
}

void fcpd_mesh_pump(fcpd *d)
{
    if (!d->mesh)
        return;
    uint64_t now = fcpd_now_ns();
    if (now - d->last_tick_ns >= (uint64_t)FCPD_TICK_MS * 1000000u) {
        d->last_tick_ns = now;
        int rc = fcp_mesh_on_tick(d->mesh);
        if (rc < 0)
            fcpd_log(d, FCP_LOG_WARN, "mesh.tick", rc, NULL, 0);
        release_rq_caches_when_idle(d, now);
    }
    /* commit the symbols stored during this pass (one transaction per loop
     * pass), so what the engine tells peers next (digests) is durable */
    fcpd_symstore_flush(d);
    /* send until the engine is empty or a socket is full (bounded per
     * pump): each socket's queue goes out with one sendmmsg whenever it
     * holds FCP_NET_UDP_BATCH datagrams, and what is left at the end */
    uint8_t buf[FCP_MESH_MAX_DATAGRAM];
    int i;
    d->mesh_tx_more = 0;
    for (i = 0; i < 4096 && !any_blocked(d); i++) {
        fcp_mesh_addr to;
        size_t len;
        int rc = fcp_mesh_poll_tx(d->mesh, &to, buf, sizeof buf, &len);
        if (rc <= 0)
            break;
        if (fcpd_quic_send_mesh(d, &to, buf, len)) {   /* a QUIC connection carries it (fcpd_quic.c) */
            d->n.dgram_out++;
            d->n.bytes_out += len;
            continue;
        }
        fcp_net_addr a;
        fcpd_udp *u;
        if (fcpd_token_to_addr(&to, &a) < 0 || !(u = udp_for(d, a.ss.ss_family))) {
            d->n.drop_no_socket++;
            continue;
        }
        /* never full here: a queue is flushed as soon as it fills, and a
         * socket that did not take all of it stops this loop */
        if (fcp_net_udp_txq_push(u->txq, buf, len, &a) < 0) {
            d->n.drop_socket++;   /* larger than a UDP datagram may be */
            continue;
        }
        if (fcp_net_udp_txq_full(u->txq))
            udp_flush(d, u);
    }
    /* stopped by the per-pump bound, not by an empty engine or a full
     * socket: the loop comes back at once instead of sleeping in epoll */
    d->mesh_tx_more = i == 4096;
    for (size_t k = 0; k < d->n_udp; k++)
        if (!d->udp[k].blocked && fcp_net_udp_txq_len(d->udp[k].txq))
            udp_flush(d, &d->udp[k]);
    fcp_mesh_event ev;
    for (int e = 0; e < 1024 && fcp_mesh_poll_event(d->mesh, &ev) == 1; e++)
        handle_event(d, &ev);
    fcpd_admin_resume(d);
    /* a put resumed just now does not wait in an open transaction */
    fcpd_symstore_flush(d);
}
