/*
 * fcpd_tailscale.c - peer discovery hints from tailscaled's LocalAPI
 * ([tailscale] in fcpd.toml; net_tailscale.h; decisions D-TS-1..3).
 *
 * At startup, before the mesh engine starts, one status query (2 s at
 * most) lists the tailnet; every candidate (net_tailscale.h: online, tagged
 * with a zone this node serves, node id hint naming a node whose
 * owner-signed attestation FCP_HOME/nodes/<id>.attest holds and verifies)
 * that is not already a [[peers]] entry is added to the engine's peers at
 * its Tailscale IP and the FCP port ([tailscale] port, default this node's
 * first listen port).  Tailscale grants nothing: the engine pins the held
 * attestation's signing key for that node id, so a session comes up only
 * if whoever answers at that address proves that key in the handshake.
 * WhoIs of each added peer's address is logged as an identity hint (1 s
 * each, 4 s in all at most).
 *
 * Afterwards the status is polled every poll_secs without blocking the loop
 * (a non-blocking unix socket stepped once per loop pass, 5 s deadline).
 * What changed is logged (tailscale.peer.new / .moved / .gone) and applied
 * to the running engine (D-MESH-9, D-TS-3 as amended): a new candidate is
 * added, a moved one gets its new address (its session is re-established),
 * one that is gone - only if discovery added it, never a [[peers]] entry -
 * is removed; placement is recomputed and repair moves the shares.
 * tailscaled absent or failing never stops fcpd: it runs with its static
 * peers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fcp/clock.h"
#include "fcp/error.h"
#include "fcp/net_tailscale.h"
#include "fcpd.h"

#define TS_STARTUP_MS   2000
#define TS_WHOIS_MS     1000
#define TS_WHOIS_BUDGET_NS (4ull * 1000000000ull)   /* all WhoIs queries at startup */
#define TS_POLL_NS      (5ull * 1000000000ull)   /* deadline of one periodic poll */
#define TS_MAX_SEEN     FCP_CONFIG_MAX_PEERS

typedef struct ts_seen {
    char id[FCP_NODE_ID_MAX + 1];
    char ip[FCP_TS_IP_TEXT_MAX + 1];
} ts_seen;

struct fcpd_tailscale {
    /* peers discovery added (what the engine runs with) and the last poll */
    size_t   n_added;
    ts_seen  added[TS_MAX_SEEN];
    size_t   n_last;
    ts_seen  last[TS_MAX_SEEN];
    /* the poll in flight */
    int      fd;
    char     req[FCP_TS_PATH_MAX + 256];
    size_t   req_len, sent;
    fcp_buf  in;
    uint64_t started_ns, next_ns;
    int      failing;              /* last poll failed (log transitions only) */
};

/* 1 if we hold an attestation for id that the owner key verifies now. */
static int known(void *ctx, const char *id)
{
    fcpd *d = ctx;
    fcp_node_attestation a;
    if (fcpd_peer_attestation(&a, d->home, id) < 0 || strcmp(a.node_id, id) != 0)
        return 0;
    return fcp_attestation_verify(&a, d->keys.owner_pk, fcp_clock_unix_secs(fcp_clock_system())) == 0;
}

static int is_static(const fcpd *d, size_t n_static, const char *id)
{
    for (size_t i = 0; i < n_static; i++)
        if (!strcmp(d->cfg.peers[i].id, id))
            return 1;
    return 0;
}

static uint16_t fcp_port(const fcpd *d)
{
    if (d->cfg.tailscale_port)
        return d->cfg.tailscale_port;
    return d->cfg.n_listen ? d->cfg.listen[0].port : 7447;
}

static void served_zones(const fcpd *d, char (*z)[FCP_ZONE_ID_MAX + 1], size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < d->cfg.n_zones && *n < FCP_CONFIG_MAX_ZONES; i++)
        memcpy(z[(*n)++], d->cfg.zones[i], FCP_ZONE_ID_MAX + 1);
}

static void log_whois(fcpd *d, const fcp_ts_candidate *c)
{
    char path[FCP_TS_PATH_MAX];
    fcp_buf b;
    fcp_buf_init(&b);
    fcp_ts_whois w;
    if (fcp_ts_whois_path(path, sizeof path, c->ip, fcp_port(d)) > 0 &&
        fcp_ts_get(d->cfg.tailscale_socket, path, TS_WHOIS_MS, 0, &b, NULL) == 0 &&
        fcp_ts_whois_parse(b.data, b.len, &w) == 0) {
        fcp_log_field f[] = { FCP_LF_STR("peer", c->node_id), FCP_LF_STR("node_name", w.node_name),
                              FCP_LF_STR("login_name", w.login_name), FCP_LF_UINT("tags", w.n_tags) };
        fcpd_log(d, FCP_LOG_INFO, "tailscale.whois", 0, f, 4);
    }
    fcp_buf_free(&b);
}

/* Candidates of a status document (D-TS-1) for this node. */
static size_t candidates(fcpd *d, const fcp_ts_status *st, fcp_ts_candidate *out, size_t cap)
{
    static char served[FCP_CONFIG_MAX_ZONES][FCP_ZONE_ID_MAX + 1];
    size_t ns;
    served_zones(d, served, &ns);
    return fcp_ts_candidates(st, d->keys.node_id, served, ns, known, d, out, cap);
}

/* Log tagged, online peers that are not candidates for want of an
 * attestation (the operator may have forgotten to copy one). */
static void log_unattested(fcpd *d, const fcp_ts_status *st, const fcp_ts_candidate *c, size_t nc)
{
    static char served[FCP_CONFIG_MAX_ZONES][FCP_ZONE_ID_MAX + 1];
    size_t ns;
    served_zones(d, served, &ns);
    fcp_ts_candidate any[1];
    for (size_t i = 0; i < st->n_peers; i++) {
        const fcp_ts_node *p = &st->peers[i];
        fcp_ts_status one = { .n_peers = 1, .peers = (fcp_ts_node *)p };
        if (fcp_ts_candidates(&one, d->keys.node_id, served, ns, NULL, NULL, any, 1) != 1)
            continue;   /* not tagged for a served zone, offline, no id */
        size_t j;
        for (j = 0; j < nc; j++)
            if (c[j].node == p)
                break;
        if (j < nc)
            continue;
        fcp_log_field f[] = { FCP_LF_STR("host_name", p->host_name), FCP_LF_STR("id_hint", any[0].node_id),
                              FCP_LF_STR("ip", any[0].ip),
                              FCP_LF_STR("hint", "no verified FCP_HOME/nodes/<id>.attest: not a candidate") };
        fcpd_log(d, FCP_LOG_INFO, "tailscale.peer.unattested", 0, f, 4);
    }
}

int fcpd_tailscale_discover(fcpd *d)
{
    if (!d->cfg.tailscale_enabled)
        return 0;
    struct fcpd_tailscale *t = calloc(1, sizeof *t);
    if (!t)
        return FCP_ENOMEM;
    t->fd = -1;
    fcp_buf_init(&t->in);
    d->ts = t;
    uint64_t t0 = fcpd_now_ns();
    t->next_ns = t0 + (uint64_t)d->cfg.tailscale_poll_secs * 1000000000ull;
    fcp_buf b;
    fcp_buf_init(&b);
    int hs = 0;
    int rc = fcp_ts_get(d->cfg.tailscale_socket, "/localapi/v0/status", TS_STARTUP_MS, 0, &b, &hs);
    fcp_ts_status st;
    if (rc == 0)
        rc = fcp_ts_status_parse(b.data, b.len, NULL, &st);
    fcp_buf_free(&b);
    if (rc < 0) {
        t->failing = 1;
        fcp_log_field f[] = { FCP_LF_STR("socket", d->cfg.tailscale_socket), FCP_LF_INT("http_status", hs),
                              FCP_LF_STR("hint", "running with the static [[peers]] only") };
        fcpd_log(d, FCP_LOG_WARN, "tailscale.unavailable", rc, f, 3);
        return 0;
    }
    static fcp_ts_candidate c[TS_MAX_SEEN];
    size_t nc = candidates(d, &st, c, TS_MAX_SEEN);
    size_t n_static = d->cfg.n_peers;
    size_t limit = d->cfg.max_peers < FCP_MESH_MAX_PEERS ? d->cfg.max_peers : FCP_MESH_MAX_PEERS;
    for (size_t i = 0; i < nc; i++) {
        if (t->n_last < TS_MAX_SEEN) {
            memcpy(t->last[t->n_last].id, c[i].node_id, sizeof t->last[0].id);
            memcpy(t->last[t->n_last].ip, c[i].ip, sizeof t->last[0].ip);
            t->n_last++;
        }
        if (is_static(d, n_static, c[i].node_id)) {
            fcp_log_field f[] = { FCP_LF_STR("peer", c[i].node_id), FCP_LF_STR("ip", c[i].ip) };
            fcpd_log(d, FCP_LOG_INFO, "tailscale.peer.static", 0, f, 2);   /* static config wins */
            continue;
        }
        if (d->cfg.n_peers >= limit || d->cfg.n_peers >= FCP_CONFIG_MAX_PEERS) {
            fcp_log_field f[] = { FCP_LF_STR("peer", c[i].node_id), FCP_LF_UINT("max_peers", limit) };
            fcpd_log(d, FCP_LOG_WARN, "tailscale.peer.limit", FCP_ELIMIT, f, 2);
            continue;
        }
        fcp_config_peer *p = &d->cfg.peers[d->cfg.n_peers++];
        memset(p, 0, sizeof *p);
        memcpy(p->id, c[i].node_id, sizeof c[i].node_id);
        memcpy(p->addr.host, c[i].ip, sizeof c[i].ip);
        p->addr.port = fcp_port(d);
        p->addr.is_ipv6 = strchr(c[i].ip, ':') != NULL;
        for (size_t z = 0; z < c[i].n_zones && p->n_zones < FCP_CONFIG_MAX_PEER_ZONES; z++)
            memcpy(p->zones[p->n_zones++], c[i].zones[z], FCP_ZONE_ID_MAX + 1);
        memcpy(&t->added[t->n_added++], &t->last[t->n_last - 1], sizeof t->added[0]);
        char zs[128] = "";
        for (size_t z = 0; z < c[i].n_zones; z++)
            snprintf(zs + strlen(zs), sizeof zs - strlen(zs), "%s%s", z ? "," : "", c[i].zones[z]);
        fcp_log_field f[] = { FCP_LF_STR("peer", p->id), FCP_LF_STR("ip", c[i].ip), FCP_LF_UINT("port", p->addr.port),
                              FCP_LF_STR("zones", zs), FCP_LF_STR("host_name", c[i].node->host_name) };
        fcpd_log(d, FCP_LOG_INFO, "tailscale.peer.added", 0, f, 5);
        if (fcpd_now_ns() - t0 < TS_WHOIS_BUDGET_NS)   /* hints only: startup never waits long for them */
            log_whois(d, &c[i]);
    }
    log_unattested(d, &st, c, nc);
    fcp_log_field f[] = { FCP_LF_UINT("tailnet_peers", st.n_peers), FCP_LF_UINT("candidates", nc),
                          FCP_LF_UINT("added", t->n_added) };
    fcpd_log(d, FCP_LOG_INFO, "tailscale.discovered", 0, f, 3);
    fcp_ts_status_free(&st);
    return 0;
}

static void poll_close(struct fcpd_tailscale *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    fcp_buf_reset(&t->in);
}

static void poll_failed(fcpd *d, int rc)
{
    struct fcpd_tailscale *t = d->ts;
    d->ts_counters.poll_failures++;
    if (!t->failing) {
        fcp_log_field f[] = { FCP_LF_STR("socket", d->cfg.tailscale_socket) };
        fcpd_log(d, FCP_LOG_WARN, "tailscale.poll", rc, f, 1);
    }
    t->failing = 1;
    poll_close(t);
}

static const ts_seen *find(const ts_seen *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].id, id))
            return &v[i];
    return NULL;
}

/* A new or moved candidate of a poll, applied to the running engine: a
 * [[peers]] entry keeps its configured address (static config wins);
 * otherwise the peer is added or moved (fcpd_mesh_peer_upsert). */
static void apply_candidate(fcpd *d, const fcp_ts_candidate *c, ts_seen *run)
{
    struct fcpd_tailscale *t = d->ts;
    if (!d->mesh || (!run && is_static(d, d->cfg.n_peers, c->node_id)))
        return;
    if (!run && t->n_added >= TS_MAX_SEEN)
        return;
    size_t limit = d->cfg.max_peers < FCP_MESH_MAX_PEERS ? d->cfg.max_peers : FCP_MESH_MAX_PEERS;
    if (!run && fcp_mesh_peer_count(d->mesh) >= limit) {
        fcp_log_field f[] = { FCP_LF_STR("peer", c->node_id), FCP_LF_UINT("max_peers", limit) };
        fcpd_log(d, FCP_LOG_WARN, "tailscale.peer.limit", FCP_ELIMIT, f, 2);
        return;
    }
    static fcp_config_peer p;
    memset(&p, 0, sizeof p);
    memcpy(p.id, c->node_id, sizeof c->node_id);
    memcpy(p.addr.host, c->ip, sizeof c->ip);
    p.addr.port = fcp_port(d);
    p.addr.is_ipv6 = strchr(c->ip, ':') != NULL;
    for (size_t z = 0; z < c->n_zones && p.n_zones < FCP_CONFIG_MAX_PEER_ZONES; z++)
        memcpy(p.zones[p.n_zones++], c->zones[z], FCP_ZONE_ID_MAX + 1);
    if (fcpd_mesh_peer_upsert(d, &p, "tailscale") < 0)
        return;
    if (!run)
        run = &t->added[t->n_added++];
    memcpy(run->id, c->node_id, sizeof run->id);
    memcpy(run->ip, c->ip, sizeof run->ip);
}

/* Compare a poll's candidates with the previous poll's; log the changes and
 * apply them to the running engine. */
static void poll_done(fcpd *d, const fcp_ts_status *st)
{
    struct fcpd_tailscale *t = d->ts;
    static fcp_ts_candidate c[TS_MAX_SEEN];
    size_t nc = candidates(d, st, c, TS_MAX_SEEN);
    ts_seen now[TS_MAX_SEEN];
    size_t nn = 0;
    for (size_t i = 0; i < nc && nn < TS_MAX_SEEN; i++, nn++) {
        memcpy(now[nn].id, c[i].node_id, sizeof now[nn].id);
        memcpy(now[nn].ip, c[i].ip, sizeof now[nn].ip);
        const ts_seen *old = find(t->last, t->n_last, now[nn].id);
        const char *ev = !old ? "tailscale.peer.new" : strcmp(old->ip, now[nn].ip) ? "tailscale.peer.moved" : NULL;
        if (!ev)
            continue;
        d->ts_counters.changes++;
        ts_seen *run = (ts_seen *)find(t->added, t->n_added, now[nn].id);
        fcp_log_field f[] = { FCP_LF_STR("peer", now[nn].id), FCP_LF_STR("ip", now[nn].ip),
                              FCP_LF_STR("engine_ip", run ? run->ip : ""),
                              FCP_LF_STR("hint", "applied to the running engine") };
        fcpd_log(d, FCP_LOG_INFO, ev, 0, f, 4);
        apply_candidate(d, &c[i], run);
    }
    for (size_t i = 0; i < t->n_last; i++)
        if (!find(now, nn, t->last[i].id)) {
            d->ts_counters.changes++;
            fcp_log_field f[] = { FCP_LF_STR("peer", t->last[i].id), FCP_LF_STR("ip", t->last[i].ip) };
            fcpd_log(d, FCP_LOG_INFO, "tailscale.peer.gone", 0, f, 2);
            /* only what discovery added leaves the engine; [[peers]] entries stay */
            const ts_seen *run = find(t->added, t->n_added, t->last[i].id);
            if (run && d->mesh) {
                size_t k = (size_t)(run - t->added);
                (void)fcpd_mesh_peer_drop(d, t->last[i].id, "tailscale");
                memmove(&t->added[k], &t->added[k + 1], (t->n_added - k - 1) * sizeof t->added[0]);
                t->n_added--;
            }
        }
    memcpy(t->last, now, nn * sizeof now[0]);
    t->n_last = nn;
    if (t->failing) {
        fcp_log_field f[] = { FCP_LF_UINT("candidates", nc) };
        fcpd_log(d, FCP_LOG_INFO, "tailscale.poll.ok", 0, f, 1);
    }
    t->failing = 0;
    d->ts_counters.polls++;
}

void fcpd_tailscale_pump(fcpd *d)
{
    struct fcpd_tailscale *t = d->ts;
    if (!t)
        return;
    uint64_t now = fcpd_now_ns();
    if (t->fd < 0) {
        if (now < t->next_ns)
            return;
        t->next_ns = now + (uint64_t)d->cfg.tailscale_poll_secs * 1000000000ull;
        int rl = fcp_ts_http_request(t->req, sizeof t->req, "/localapi/v0/status");
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        size_t pl = strlen(d->cfg.tailscale_socket);
        t->fd = rl > 0 && pl < sizeof sa.sun_path ? socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
        if (t->fd < 0) {
            poll_failed(d, FCP_ETS_CONNECT);
            return;
        }
        memcpy(sa.sun_path, d->cfg.tailscale_socket, pl);
        if (connect(t->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS && errno != EAGAIN) {
            poll_failed(d, FCP_ETS_CONNECT);
            return;
        }
        t->req_len = (size_t)rl;
        t->sent = 0;
        t->started_ns = now;
        fcp_buf_reset(&t->in);
    }
    if (now - t->started_ns > TS_POLL_NS) {
        poll_failed(d, FCP_ETS_IO);
        return;
    }
    while (t->sent < t->req_len) {
        ssize_t w = send(t->fd, t->req + t->sent, t->req_len - t->sent, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR || errno == ENOTCONN))
            return;
        if (w < 0) {
            poll_failed(d, FCP_ETS_CONNECT);
            return;
        }
        t->sent += (size_t)w;
    }
    int eof = 0;
    for (;;) {
        if (t->in.len > FCP_TS_BODY_MAX + FCP_TS_HEADER_MAX + 65536) {
            poll_failed(d, FCP_ETS_TOO_LARGE);
            return;
        }
        if (fcp_buf_reserve(&t->in, 16384) < 0) {
            poll_failed(d, FCP_ENOMEM);
            return;
        }
        ssize_t n = recv(t->fd, t->in.data + t->in.len, 16384, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n < 0) {
            poll_failed(d, FCP_ETS_IO);
            return;
        }
        if (n == 0) {
            eof = 1;
            break;
        }
        t->in.len += (size_t)n;
    }
    fcp_buf body;
    fcp_buf_init(&body);
    int hs = 0;
    int rc = fcp_ts_http_response(t->in.data, t->in.len, eof, 0, &hs, &body);
    if (rc == 0 && eof)
        rc = FCP_ETS_HTTP;
    if (rc == 1 && hs != 200)
        rc = FCP_ETS_STATUS;
    if (rc == 0) {
        fcp_buf_free(&body);
        return;   /* more to read */
    }
    fcp_ts_status st;
    if (rc == 1 && (rc = fcp_ts_status_parse(body.data, body.len, NULL, &st)) == 0) {
        poll_close(t);
        poll_done(d, &st);
        fcp_ts_status_free(&st);
    } else {
        poll_failed(d, rc);
    }
    fcp_buf_free(&body);
}

void fcpd_tailscale_stop(fcpd *d)
{
    struct fcpd_tailscale *t = d->ts;
    if (!t)
        return;
    poll_close(t);
    fcp_buf_free(&t->in);
    free(t);
    d->ts = NULL;
}
