/*
 * mesh_node.c - the MeshNode engine's core: configuration, peers and their
 * sessions, the receive dispatch, transmit queues, events and counters.
 *
 * Receive path, cheapest test first so a flood of garbage costs little:
 *   1. size (0 or > 1200 bytes) -> drop_empty;
 *   2. "FCPH" handshake: a token bucket (the configured peer's own bucket
 *      when the source address is a peer's, else one shared bucket), then
 *      the session engines (stateless cookie first, D-SESSION-2);
 *   3. data datagram: its session id must be one we hold (a compare per
 *      peer), then the session channel (MAC, frame, replay), then control
 *      message or symbol frame (AEAD under the zone's per-sender subkey);
 *   4. symbols: responses only for fetches that asked that peer, pushes
 *      through the peer's push bucket into the store.
 * Nothing on this path allocates before the datagram authenticated, and
 * every refusal increments exactly one counter.
 *
 * Membership (D-MESH-9): each peer serves a set of zones (zmask); every zone
 * has its own sorted member list (mesh_members_compute).  Peers are added,
 * removed, moved and re-zoned at runtime (fcp_mesh_member_*): the member
 * lists are recomputed and the repair scan restarts at once.
 *
 * Sessions (D-MESH-5): for each pair the node whose id sorts first initiates
 * (so a pair never races two handshakes); a peer is up from the handshake
 * until peer_dead_ms without an authentic datagram.  Gossip every
 * gossip_interval_ms keeps an idle session alive.  A handshake from a peer
 * whose session is up (and not our own rekey) is that peer restarting: its
 * old session and everything in flight toward it is torn down first
 * (D-MESH-8); the pair's responder, when its peer still talks to a session
 * it never had, sends the Hello itself so the peer learns of the restart.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "mesh/mesh_internal.h"

/* ---- small helpers -------------------------------------------------------- */

uint64_t mesh_now(const fcp_mesh_node *n) { return fcp_clock_mono_ns(n->clk); }

void mesh_bucket_init(mesh_bucket *b, uint32_t rate, uint32_t burst, uint64_t now_ns)
{
    b->rate = rate;
    b->burst = burst;
    b->tokens_milli = (uint64_t)burst * 1000u;
    b->last_ns = now_ns;
}

int mesh_bucket_take(mesh_bucket *b, uint64_t now_ns)
{
    if (now_ns > b->last_ns) {
        uint64_t dt = now_ns - b->last_ns;
        /* tokens*1000 gained = dt_ns * rate / 1e6, computed without overflow
         * for any dt up to centuries. */
        uint64_t gain = (dt / 1000000u) * b->rate + ((dt % 1000000u) * b->rate) / 1000000u;
        uint64_t cap = (uint64_t)b->burst * 1000u;
        b->tokens_milli = (b->tokens_milli + gain > cap) ? cap : b->tokens_milli + gain;
        b->last_ns = now_ns;
    }
    if (b->tokens_milli < 1000u)
        return 0;
    b->tokens_milli -= 1000u;
    return 1;
}

void mesh_event(fcp_mesh_node *n, fcp_mesh_event_type t, int err, uint64_t op, int peer,
                const uint8_t *id, uint32_t count)
{
    if (n->ev_n == MESH_EVENT_QUEUE) {
        n->ev_head = (n->ev_head + 1) % MESH_EVENT_QUEUE;
        n->ev_n--;
        n->c.events_dropped++;
    }
    fcp_mesh_event *e = &n->ev[(n->ev_head + n->ev_n) % MESH_EVENT_QUEUE];
    memset(e, 0, sizeof *e);
    e->type = t;
    e->error = err;
    e->op = op;
    e->peer = peer;
    e->count = count;
    if (id)
        memcpy(e->object_id, id, 32);
    n->ev_n++;
}

int fcp_mesh_poll_event(fcp_mesh_node *n, fcp_mesh_event *ev)
{
    if (n->ev_n == 0)
        return 0;
    *ev = n->ev[n->ev_head];
    n->ev_head = (n->ev_head + 1) % MESH_EVENT_QUEUE;
    n->ev_n--;
    return 1;
}

int mesh_zone_index(const fcp_mesh_node *n, const char *zone, size_t *idx)
{
    for (size_t i = 0; i < n->n_zones; i++)
        if (strcmp(n->zones[i].cfg.zone_id, zone) == 0) {
            *idx = i;
            return 0;
        }
    return FCP_EMESH_UNKNOWN_ZONE;
}

int mesh_zone_by_hash(const fcp_mesh_node *n, const uint8_t hash[32], size_t *idx)
{
    for (size_t i = 0; i < n->n_zones; i++)
        if (memcmp(n->zones[i].hash, hash, 32) == 0) {
            *idx = i;
            return 0;
        }
    return FCP_EMESH_UNKNOWN_ZONE;
}

size_t mesh_member_peer(const fcp_mesh_node *n, size_t zone, size_t member)
{
    for (size_t i = 0; i < n->n_peers; i++)
        if (mesh_serves(&n->peers[i], zone) && n->peers[i].zmember[zone] == member)
            return i;
    return SIZE_MAX;
}

uint32_t mesh_share(const fcp_mesh_node *n, size_t zone, uint32_t k)
{
    uint64_t need = (uint64_t)k + n->lim.decode_overhead;
    size_t nm = zone < n->n_zones ? n->zn[zone] : 1;
    if (nm <= 1)
        return (uint32_t)need;
    uint64_t others = nm - 1;
    return (uint32_t)((need + others - 1) / others + n->lim.placement_margin);
}

void fcp_mesh_limits_default(fcp_mesh_limits *l)
{
    memset(l, 0, sizeof *l);
    l->symbol_size = FCP_FCPS_DEFAULT_SYMBOL_SIZE;
    l->decode_overhead = 2;
    l->placement_margin = 2;
    l->peer_tx_bytes = 64ull << 20;
    l->total_tx_bytes = 256ull << 20;
    l->peer_requests_per_sec = 1000;
    l->peer_request_burst = 2000;
    l->peer_pending_serves = 4096;
    l->peer_push_per_sec = 50000;
    l->max_ops = 16;
    l->max_decode_bytes = 256ull << 20;
    l->hs_per_sec = 200;
    l->gossip_interval_ms = 1000;
    l->gossip_max_pages = 64;
    l->peer_dead_ms = 4000;
    l->handshake_retry_ms = 1000;
    l->repair_interval_ms = 500;
    l->repair_objects_per_scan = 64;
    l->repair_max_active = 4;
    l->repair_grace_ms = 1500;
    l->request_retry_ms = 250;
    l->get_timeout_ms = 30000;
    l->get_max_objects = 8;
    l->put_cache_bytes = 256ull << 20;
    l->repair_timeout_ms = 5000;
}

static void limits_fill(fcp_mesh_limits *l, const fcp_mesh_limits *in)
{
    fcp_mesh_limits d;
    fcp_mesh_limits_default(&d);
    *l = *in;
#define DEF(f) if (l->f == 0) l->f = d.f
    DEF(symbol_size); DEF(decode_overhead); DEF(placement_margin); DEF(peer_tx_bytes);
    DEF(total_tx_bytes); DEF(peer_requests_per_sec); DEF(peer_request_burst);
    DEF(peer_pending_serves); DEF(peer_push_per_sec); DEF(max_ops); DEF(max_decode_bytes);
    DEF(hs_per_sec); DEF(gossip_interval_ms); DEF(gossip_max_pages); DEF(peer_dead_ms);
    DEF(handshake_retry_ms); DEF(repair_interval_ms); DEF(repair_objects_per_scan);
    DEF(repair_max_active); DEF(repair_grace_ms); DEF(request_retry_ms); DEF(get_timeout_ms);
    DEF(get_max_objects); DEF(put_cache_bytes); DEF(repair_timeout_ms);
#undef DEF
}

/* ---- construction ----------------------------------------------------------- */

static int cmp_id(const char *a, size_t al, const char *b, size_t bl)
{
    size_t m = al < bl ? al : bl;
    int c = memcmp(a, b, m);
    if (c != 0)
        return c;
    return (al > bl) - (al < bl);
}

/* member order per zone: us and the peers serving it, node ids sorted
 * bytewise (D-MESH-1, D-MESH-9) */
void mesh_members_compute(fcp_mesh_node *n)
{
    for (size_t z = 0; z < n->n_zones; z++) {
        size_t self = 0, cnt = 1;
        for (size_t i = 0; i < n->n_peers; i++) {
            mesh_peer *p = &n->peers[i];
            p->zmember[z] = SIZE_MAX;
            if (!mesh_serves(p, z))
                continue;
            cnt++;
            if (cmp_id(p->id, p->id_len, n->self_id, n->self_len) < 0)
                self++;
            size_t m = cmp_id(n->self_id, n->self_len, p->id, p->id_len) < 0;
            for (size_t j = 0; j < n->n_peers; j++)
                if (mesh_serves(&n->peers[j], z) &&
                    cmp_id(n->peers[j].id, n->peers[j].id_len, p->id, p->id_len) < 0)
                    m++;
            p->zmember[z] = m;
        }
        n->zself[z] = self;
        n->zn[z] = cnt;
    }
}

/* Zone mask of a peer's zone list: 0 listed = every zone we serve; zones we
 * do not serve are ignored. */
static int zone_mask(const fcp_mesh_node *n, const char (*zones)[FCP_ZONE_ID_MAX + 1], size_t nz,
                     uint32_t *mask)
{
    if (nz > FCP_MESH_MAX_ZONES || (nz && !zones))
        return FCP_EMESH_CONFIG;
    if (nz == 0) {
        *mask = n->n_zones >= 32 ? UINT32_MAX : (1u << n->n_zones) - 1u;
        return 0;
    }
    *mask = 0;
    for (size_t i = 0; i < nz; i++) {
        if (strnlen(zones[i], FCP_ZONE_ID_MAX + 1) > FCP_ZONE_ID_MAX)
            return FCP_EMESH_CONFIG;
        size_t zi;
        if (mesh_zone_index(n, zones[i], &zi) == 0)
            *mask |= 1u << zi;
    }
    return 0;
}

/* Fill peer slot p from pc (validated; no trust store change). */
static int peer_init(fcp_mesh_node *n, mesh_peer *p, const fcp_mesh_peer_config *pc, uint64_t now)
{
    size_t pl = strnlen(pc->node_id, sizeof pc->node_id);
    if (pl == sizeof pc->node_id || pc->addr.len > FCP_MESH_ADDR_MAX)
        return FCP_EMESH_CONFIG;
    int rc = fcp_node_id_validate(pc->node_id, pl);
    if (rc < 0)
        return rc;
    if (cmp_id(pc->node_id, pl, n->self_id, n->self_len) == 0 ||
        strcmp(pc->attestation.node_id, pc->node_id) != 0)
        return FCP_EMESH_CONFIG;
    uint32_t mask;
    if ((rc = zone_mask(n, (const char (*)[FCP_ZONE_ID_MAX + 1])pc->zones, pc->n_zones, &mask)) < 0)
        return rc;
    memset(p, 0, sizeof *p);
    memcpy(p->id, pc->node_id, pl);
    p->id_len = pl;
    p->addr = pc->addr;
    p->zmask = mask;
    p->initiator = cmp_id(n->self_id, n->self_len, p->id, p->id_len) < 0;
    mesh_bucket_init(&p->req_bucket, n->lim.peer_requests_per_sec, n->lim.peer_request_burst, now);
    mesh_bucket_init(&p->push_bucket, n->lim.peer_push_per_sec, n->lim.peer_push_per_sec, now);
    mesh_bucket_init(&p->hs_bucket, 20, 20, now);
    fcp_session_policy pol;
    fcp_session_policy_default(&pol);
    fcp_session_chan_init(&p->chan, &pol);
    /* every peer gets an initiator: the designated one starts sessions
     * (D-MESH-5), the other side only answers a peer that still talks to a
     * session this process never had (D-MESH-8) */
    return fcp_session_initiator_init(&p->ini, &n->scfg, p->id);
}

int fcp_mesh_node_new(fcp_mesh_node **out, const fcp_mesh_config *cfg)
{
    *out = NULL;
    if (!cfg || !cfg->node_id || !cfg->sig_sk || !cfg->owner_pk || !cfg->clock || !cfg->rng ||
        !cfg->store.put_symbol || !cfg->store.stat || !cfg->store.list_esis ||
        !cfg->store.get_symbol || !cfg->store.list_objects || !cfg->store.set_flags ||
        !cfg->store.drop || cfg->n_zones == 0 || cfg->n_zones > FCP_MESH_MAX_ZONES ||
        cfg->n_peers > FCP_MESH_MAX_PEERS || (cfg->n_peers && !cfg->peers) || !cfg->zones)
        return FCP_EMESH_CONFIG;
    size_t idl = strlen(cfg->node_id);
    int rc = fcp_node_id_validate(cfg->node_id, idl);
    if (rc < 0)
        return rc;
    if (idl > FCP_NODE_ID_MAX)
        return FCP_ENODE_ID;
    fcp_mesh_node *n = calloc(1, sizeof *n);
    if (!n)
        return FCP_ENOMEM;
    memcpy(n->self_id, cfg->node_id, idl);
    n->self_len = idl;
    memcpy(n->sig_sk, cfg->sig_sk, 64);
    n->clk = cfg->clock;
    n->rng = cfg->rng;
    n->store = cfg->store;
    n->zk_fn = cfg->zone_key_lookup;
    n->zk_ctx = cfg->zone_key_ctx;
    limits_fill(&n->lim, &cfg->limits);
    if (n->lim.symbol_size < FCP_FCPS_MIN_SYMBOL_SIZE ||
        n->lim.symbol_size > FCP_FCPS_DEFAULT_SYMBOL_SIZE || n->lim.symbol_size % 8 != 0 ||
        n->lim.max_ops > 1024 || n->lim.get_max_objects > 64) {
        rc = FCP_EMESH_CONFIG;
        goto fail;
    }
    fcp_rq_config_default(&n->rq);
    n->rq.symbol_size = (uint16_t)n->lim.symbol_size;
    fcp_symreq_policy_default(&n->symreq);
    fcp_fcps_limits_for_datagram(&n->flim, FCP_MESH_MAX_DATAGRAM);
    fcp_fcps_seq_init(&n->seqs, n->seq_slots, FCP_MESH_MAX_ZONES * 2);
    uint64_t now = mesh_now(n);
    uint64_t unow = fcp_clock_unix_secs(n->clk);

    /* zones */
    for (size_t i = 0; i < cfg->n_zones; i++) {
        const fcp_mesh_zone_config *z = &cfg->zones[i];
        size_t zl = strnlen(z->zone_id, sizeof z->zone_id);
        if (zl == sizeof z->zone_id) {
            rc = FCP_EZONE_ID;
            goto fail;
        }
        if ((rc = fcp_zone_id_validate(z->zone_id, zl)) < 0)
            goto fail;
        for (size_t j = 0; j < i; j++)
            if (strcmp(cfg->zones[j].zone_id, z->zone_id) == 0) {
                rc = FCP_EMESH_CONFIG;
                goto fail;
            }
        n->zones[i].cfg = *z;
        if ((rc = fcp_zone_id_hash(n->zones[i].hash, z->zone_id, zl)) < 0)
            goto fail;
    }
    n->n_zones = cfg->n_zones;

    /* our sender instance (per process run), then the zone send subkeys */
    if ((rc = fcp_rng_fill(n->rng, &n->instance, sizeof n->instance)) < 0)
        goto fail;
    for (size_t i = 0; i < n->n_zones; i++)
        if ((rc = fcp_fcps_sender_subkey(n->zones[i].send_subkey, n->zones[i].cfg.zone_key,
                                         n->zones[i].cfg.zone_key_id,
                                         (const uint8_t *)n->self_id, n->self_len,
                                         n->instance)) < 0)
            goto fail;

    /* session engines, then peers and the trust store */
    fcp_session_trust_init(&n->trust, cfg->owner_pk);
    memset(&n->scfg, 0, sizeof n->scfg);
    n->scfg.self_id = n->self_id;
    n->scfg.sig_sk = n->sig_sk;
    n->scfg.trust = &n->trust;
    n->scfg.max_datagram = FCP_MESH_MAX_DATAGRAM;
    n->scfg.require_cookie = 1;
    /* D-MESH-14: prefer Suite2 (BLAKE3 MACs, under half the per-datagram
     * cost of HMAC-SHA256), accept Suite1 from a peer that offers only it */
    n->scfg.suites[0] = FCP_DGRAM_SUITE2;
    n->scfg.suites[1] = FCP_DGRAM_SUITE1;
    n->scfg.n_suites = 2;
    if ((rc = fcp_session_responder_init(&n->resp, &n->scfg, n->clk, n->rng)) < 0)
        goto fail;
    for (size_t i = 0; i < cfg->n_peers; i++) {
        const fcp_mesh_peer_config *pc = &cfg->peers[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(cfg->peers[j].node_id, pc->node_id) == 0) {
                rc = FCP_EMESH_CONFIG;
                goto fail;
            }
        if ((rc = peer_init(n, &n->peers[i], pc, now)) < 0)
            goto fail;
        n->n_peers = i + 1;   /* freed by fcp_mesh_node_free on failure */
        if ((rc = fcp_session_trust_add(&n->trust, &pc->attestation, unow)) < 0)
            goto fail;
    }
    n->n_peers = cfg->n_peers;
    mesh_members_compute(n);
    mesh_bucket_init(&n->hs_bucket, n->lim.hs_per_sec, n->lim.hs_per_sec, now);

    n->ops = calloc(n->lim.max_ops, sizeof *n->ops);
    n->n_fetches = (size_t)n->lim.max_ops * (n->lim.get_max_objects + 1u);
    n->fetches = calloc(n->n_fetches, sizeof *n->fetches);
    if (!n->ops || !n->fetches) {
        rc = FCP_ENOMEM;
        goto fail;
    }
    n->next_op_id = 1;
    n->repair_next_ns = now + (uint64_t)n->lim.repair_interval_ms * MESH_NS_PER_MS;
    *out = n;
    return 0;
fail:
    fcp_mesh_node_free(n);
    return rc;
}

static void queue_flush(fcp_mesh_node *n, mesh_peer *p)
{
    mesh_tx *heads[3] = { p->hq_head, p->q_head, p->sq_head };
    for (int q = 0; q < 3; q++) {
        mesh_tx *t = heads[q];
        while (t) {
            mesh_tx *nx = t->next;
            n->tx_bytes -= sizeof *t + t->len;
            free(t);
            t = nx;
        }
    }
    p->hq_head = p->hq_tail = p->q_head = p->q_tail = p->sq_head = p->sq_tail = NULL;
    p->q_bytes = 0;
    p->q_serves = 0;
}

void fcp_mesh_node_free(fcp_mesh_node *n)
{
    if (!n)
        return;
    if (n->ops)
        for (size_t i = 0; i < n->lim.max_ops; i++)
            if (n->ops[i].used)
                mesh_op_clear(n, &n->ops[i]);
    if (n->fetches)
        for (size_t i = 0; i < n->n_fetches; i++)
            mesh_fetch_free(n, &n->fetches[i]);
    free(n->ops);
    free(n->fetches);
    mesh_pending_free(n);
    for (size_t i = 0; i < n->n_peers; i++) {
        mesh_peer *p = &n->peers[i];
        queue_flush(n, p);
        mesh_view_free(p);
        fcp_session_chan_wipe(&p->chan);
        fcp_session_initiator_wipe(&p->ini);
        fcp_memzero(p->ctl, sizeof p->ctl);
        fcp_memzero(p->rxkey, sizeof p->rxkey);
    }
    fcp_session_responder_free(&n->resp);
    fcp_memzero(n, sizeof *n);
    free(n);
}

/* ---- transmit queues ------------------------------------------------------------ */

static void list_append(mesh_tx **head, mesh_tx **tail, mesh_tx *t)
{
    t->next = NULL;
    if (*tail)
        (*tail)->next = t;
    else
        *head = t;
    *tail = t;
}

/* Control messages and response symbols go ahead of pushes, so a get (or a
 * repair's decode) is not queued behind a put's or a repair's pushes toward
 * the same peer; control messages to a peer with a stream go to the stream
 * queue (D-MESH-11).  All count toward the peer's tx budget. */
static int queue_item(fcp_mesh_node *n, size_t pi, mesh_tx *t)
{
    mesh_peer *p = &n->peers[pi];
    if (t->kind == MESH_TX_CONTROL && p->stream)
        list_append(&p->sq_head, &p->sq_tail, t);
    else if (t->kind == MESH_TX_CONTROL || (t->fcps_flags & FCP_FCPS_FLAG_RESPONSE))
        list_append(&p->hq_head, &p->hq_tail, t);
    else
        list_append(&p->q_head, &p->q_tail, t);
    p->q_bytes += sizeof *t + t->len;
    n->tx_bytes += sizeof *t + t->len;
    return 0;
}

static int budget_ok(fcp_mesh_node *n, size_t pi, size_t bytes)
{
    mesh_peer *p = &n->peers[pi];
    return p->q_bytes + bytes <= n->lim.peer_tx_bytes && n->tx_bytes + bytes <= n->lim.total_tx_bytes;
}

int mesh_queue_symbol(fcp_mesh_node *n, size_t pi, size_t zone, uint16_t flags,
                      const uint8_t id[32], uint32_t esi, uint16_t k, const uint8_t *data,
                      uint16_t T)
{
    mesh_peer *p = &n->peers[pi];
    size_t need = sizeof(mesh_tx) + T;
    int response = (flags & FCP_FCPS_FLAG_RESPONSE) != 0;
    if (!mesh_serves(p, zone))
        return FCP_EMESH_NOT_MEMBER;   /* a zone's symbols only go to its members (D-MESH-9) */
    if (!p->up || !budget_ok(n, pi, need)) {
        n->c.drop_tx_budget++;
        return FCP_EMESH_BUSY;
    }
    if (response && p->q_serves >= n->lim.peer_pending_serves) {
        n->c.drop_serve_budget++;
        return FCP_EMESH_BUSY;
    }
    mesh_tx *t = malloc(need);
    if (!t)
        return FCP_ENOMEM;
    memset(t, 0, sizeof *t);
    t->kind = MESH_TX_SYMBOL;
    t->zone = (uint8_t)zone;
    t->fcps_flags = flags;
    t->k = k;
    t->len = T;
    t->esi = esi;
    memcpy(t->object_id, id, 32);
    memcpy(t->data, data, T);
    if (response)
        p->q_serves++;
    return queue_item(n, pi, t);
}

int mesh_queue_control(fcp_mesh_node *n, size_t pi, uint8_t type, const uint8_t *body,
                       size_t len)
{
    mesh_peer *p = &n->peers[pi];
    if (len > MESH_CTL_MAX_BODY)
        return FCP_EMESH_CONTROL;
    size_t need = sizeof(mesh_tx) + MESH_CTL_HEAD + len;
    if (!p->up || !budget_ok(n, pi, need)) {
        n->c.drop_tx_budget++;
        return FCP_EMESH_BUSY;
    }
    mesh_tx *t = malloc(need);
    if (!t)
        return FCP_ENOMEM;
    memset(t, 0, sizeof *t);
    t->kind = MESH_TX_CONTROL;
    t->len = (uint16_t)(MESH_CTL_HEAD + len);
    t->data[0] = type;
    t->data[1] = (uint8_t)(len & 0xff);
    t->data[2] = (uint8_t)(len >> 8);
    memcpy(t->data + MESH_CTL_HEAD, body, len);
    return queue_item(n, pi, t);
}

void mesh_cancel_serves(fcp_mesh_node *n, size_t pi, const uint8_t id[32])
{
    mesh_peer *p = &n->peers[pi];
    mesh_tx **pp = &p->hq_head, *prev = NULL;
    while (*pp) {
        mesh_tx *t = *pp;
        if (t->kind == MESH_TX_SYMBOL && (t->fcps_flags & FCP_FCPS_FLAG_RESPONSE) &&
            memcmp(t->object_id, id, 32) == 0) {
            *pp = t->next;
            p->q_bytes -= sizeof *t + t->len;
            n->tx_bytes -= sizeof *t + t->len;
            p->q_serves--;
            free(t);
            continue;
        }
        prev = t;
        pp = &t->next;
    }
    p->hq_tail = prev;
}

static void raw_push(fcp_mesh_node *n, const fcp_mesh_addr *to, const uint8_t *msg, size_t len)
{
    if (len == 0 || len > FCP_SESSION_ENV_MAX)
        return;
    if (n->raw_n == MESH_RAW_QUEUE) {
        n->raw_head = (n->raw_head + 1) % MESH_RAW_QUEUE;
        n->raw_n--;
        n->c.drop_tx_budget++;
    }
    mesh_raw *r = &n->raw[(n->raw_head + n->raw_n) % MESH_RAW_QUEUE];
    r->to = *to;
    r->len = len;
    memcpy(r->buf, msg, len);
    n->raw_n++;
}

static int seal_symbol(fcp_mesh_node *n, mesh_peer *p, const mesh_tx *t, uint8_t *out, size_t cap,
                       size_t *out_len)
{
    const mesh_zone *z = &n->zones[t->zone];
    uint64_t fs;
    int rc = fcp_fcps_seq_next(&n->seqs, z->hash, z->cfg.zone_key_id, &fs);
    if (rc < 0)
        return rc;
    uint8_t *frame = out + FCP_DGRAM_HEADER_BYTES;
    uint8_t *data = frame + FCP_FCPS_HEADER_BYTES + 6;
    memcpy(data, t->data, t->len);
    fcp_fcps_header h = {
        .flags = t->fcps_flags, .symbol_count = 1, .object_id = t->object_id,
        .symbol_size = t->len, .zone_key_id = z->cfg.zone_key_id, .zone_id_hash = z->hash,
        .epoch_id = fcp_epoch_from_timestamp(fcp_clock_unix_secs(n->clk), 0),
        .sender_instance_id = n->instance, .frame_seq = fs
    };
    fcp_fcps_record r = { .esi = t->esi, .k = t->k, .data = data, .tag = NULL };
    size_t flen;
    if ((rc = fcp_fcps_encode(frame, cap - FCP_DGRAM_HEADER_BYTES, &flen, &h, &r, 1, &n->flim)) < 0)
        return rc;
    if ((rc = fcp_fcps_frame_seal(frame, flen, &n->flim, FCP_FCPS_AEAD_CHACHA20POLY1305,
                                  z->send_subkey)) < 0)
        return rc;
    return fcp_session_chan_seal(&p->chan, out, cap, out_len, frame, flen);
}

int fcp_mesh_poll_tx(fcp_mesh_node *n, fcp_mesh_addr *to, uint8_t *buf, size_t cap, size_t *len)
{
    *len = 0;
    if (cap < FCP_MESH_MAX_DATAGRAM)
        return FCP_EBUFFER_TOO_SMALL;
    if (n->raw_n) {
        mesh_raw *r = &n->raw[n->raw_head];
        *to = r->to;
        memcpy(buf, r->buf, r->len);
        *len = r->len;
        n->raw_head = (n->raw_head + 1) % MESH_RAW_QUEUE;
        n->raw_n--;
        n->c.tx_datagrams++;
        n->c.tx_bytes += *len;
        return 1;
    }
    /* every peer's first queue (control, responses), then the pushes */
    for (size_t k = 0; k < 2 * n->n_peers; k++) {
        size_t pi = (n->tx_rr + k) % n->n_peers;
        mesh_peer *p = &n->peers[pi];
        mesh_tx **head = k < n->n_peers ? &p->hq_head : &p->q_head;
        mesh_tx **tail = k < n->n_peers ? &p->hq_tail : &p->q_tail;
        while (*head) {
            mesh_tx *t = *head;
            *head = t->next;
            if (!*head)
                *tail = NULL;
            p->q_bytes -= sizeof *t + t->len;
            n->tx_bytes -= sizeof *t + t->len;
            int response = t->kind == MESH_TX_SYMBOL && (t->fcps_flags & FCP_FCPS_FLAG_RESPONSE);
            if (response)
                p->q_serves--;
            int rc = t->kind == MESH_TX_SYMBOL ? seal_symbol(n, p, t, buf, cap, len)
                                               : mesh_ctl_seal(n, p, t, buf, cap, len);
            if (rc == 0) {
                if (t->kind == MESH_TX_SYMBOL) {
                    if (response)
                        n->c.symbols_served++;
                    else
                        n->c.symbols_pushed++;
                }
            }
            free(t);
            if (rc < 0) {
                n->c.drop_tx_budget++;
                continue;
            }
            *to = p->addr;
            p->dgrams_out++;
            n->c.tx_datagrams++;
            n->c.tx_bytes += *len;
            n->tx_rr = (pi + 1) % n->n_peers;
            return 1;
        }
    }
    return 0;
}

/* ---- sessions ------------------------------------------------------------------- */

/* Forget everything that belonged to peer pi's session (D-MESH-8): queued
 * datagrams (pushes, responses, control), its view and gossip cursors, the
 * session channel with its replay windows (no grace: the old session is
 * gone), control keys, receive subkeys and serve cursors; requests it left
 * unanswered are asked of the others at once; repairs toward it are
 * cancelled, their slots freed and (object, peer) made eligible again. */
static void peer_teardown(fcp_mesh_node *n, size_t pi, int err)
{
    mesh_peer *p = &n->peers[pi];
    uint64_t now = mesh_now(n);
    p->up = 0;
    queue_flush(n, p);
    mesh_view_clear(p);
    memset(p->gossip_has_cursor, 0, sizeof p->gossip_has_cursor);
    fcp_session_chan_wipe(&p->chan);
    fcp_session_policy pol;
    fcp_session_policy_default(&pol);
    fcp_session_chan_init(&p->chan, &pol);
    fcp_memzero(p->ctl, sizeof p->ctl);
    fcp_memzero(p->rxkey, sizeof p->rxkey);
    memset(p->serve, 0, sizeof p->serve);
    for (size_t i = 0; i < n->n_fetches; i++) {
        mesh_fetch *f = &n->fetches[i];
        if (f->used && !f->done && (f->asked[pi] || f->asked_any[pi]))
            f->next_request_ns = now;
        f->asked[pi] = 0;
        f->asked_any[pi] = 0;
        f->heard[pi] = f->silent[pi] = 0;
    }
    p->ask_since_ns = 0;
    mesh_repair_cancel_peer(n, pi, err);
    mesh_event(n, FCP_MESH_EV_SESSION_DOWN, err, 0, (int)pi, NULL, 0);
}

static void peer_down(fcp_mesh_node *n, size_t pi, int err)
{
    mesh_peer *p = &n->peers[pi];
    if (!p->up)
        return;
    peer_teardown(n, pi, err);
    p->next_hs_ns = mesh_now(n);
}

/* Install new session keys for peer pi.  rekey: our own handshake, started
 * while the session was up, replaces the keys of the same peer process.  Any
 * other handshake while the session is up and has been heard from means the
 * peer restarted (D-MESH-8): the old session and everything in flight
 * toward it is torn down first and the new session starts from scratch.  A
 * session never heard from is simply replaced (a Hello retransmitted because
 * our Ack was lost), as the channel's install rules do. */
static int peer_install(fcp_mesh_node *n, size_t pi, const fcp_session_keys *k, int rekey)
{
    mesh_peer *p = &n->peers[pi];
    if (p->up && !rekey && p->heard) {
        n->c.peer_restarts++;
        peer_teardown(n, pi, FCP_EMESH_PEER_RESTARTED);
    }
    int rc = fcp_session_chan_install(&p->chan, k, n->clk);
    if (rc < 0)
        return rc;
    mesh_ctl_install(p, k, n->self_id, n->self_len);
    p->heard = 0;
    uint64_t now = mesh_now(n);
    int was_up = p->up;
    p->last_rx_ns = now;
    n->c.sessions_established++;
    if (!was_up) {
        p->up = 1;
        p->up_since_ns = now;
        mesh_view_clear(p);
        memset(p->gossip_has_cursor, 0, sizeof p->gossip_has_cursor);
    }
    p->gossip_next_ns = now; /* gossip at once: it also confirms the new keys */
    mesh_event(n, FCP_MESH_EV_SESSION_UP, was_up, 0, (int)pi, NULL, 0);
    return 0;
}

static size_t peer_by_id(const fcp_mesh_node *n, const char *id)
{
    for (size_t i = 0; i < n->n_peers; i++)
        if (strcmp(n->peers[i].id, id) == 0)
            return i;
    return SIZE_MAX;
}

static size_t peer_by_addr(const fcp_mesh_node *n, const fcp_mesh_addr *a)
{
    for (size_t i = 0; i < n->n_peers; i++)
        if (n->peers[i].addr.len == a->len && memcmp(n->peers[i].addr.bytes, a->bytes, a->len) == 0)
            return i;
    return SIZE_MAX;
}

static int on_handshake(fcp_mesh_node *n, const fcp_mesh_addr *from, const uint8_t *buf,
                        size_t len)
{
    uint64_t now = mesh_now(n);
    size_t pa = peer_by_addr(n, from);
    mesh_bucket *b = pa != SIZE_MAX ? &n->peers[pa].hs_bucket : &n->hs_bucket;
    if (!mesh_bucket_take(b, now)) {
        n->c.drop_hs_rate++;
        return 0;
    }
    fcp_session_msg_type type;
    const uint8_t *body;
    size_t blen;
    if (fcp_session_env_decode(buf, len, &type, &body, &blen) < 0) {
        n->c.drop_hs_invalid++;
        return 0;
    }
    fcp_session_out *out = &n->hs_out;
    memset(out, 0, sizeof *out);
    if (type == FCP_SESSION_MSG_HELLO) {
        int rc = fcp_session_responder_receive(&n->resp, buf, len, n->clk, n->rng, out);
        if (rc < 0) {
            n->c.drop_hs_invalid++;
            fcp_memzero(out, sizeof *out);
            return 0;
        }
        if (out->event == FCP_SESSION_EV_ESTABLISHED) {
            size_t pi = peer_by_id(n, out->keys.peer);
            if (pi == SIZE_MAX || (rc = peer_install(n, pi, &out->keys, 0)) < 0) {
                n->c.drop_hs_invalid++;
                fcp_memzero(out, sizeof *out);
                return 0;
            }
        }
        raw_push(n, from, out->msg, out->msg_len);
        fcp_memzero(out, sizeof *out);
        return 0;
    }
    for (size_t i = 0; i < n->n_peers; i++) {
        mesh_peer *p = &n->peers[i];
        if (!p->hs_running)
            continue;
        int rc = fcp_session_initiator_receive(&p->ini, buf, len, n->clk, n->rng, out);
        if (rc < 0)
            continue;
        if (out->event == FCP_SESSION_EV_ESTABLISHED) {
            p->hs_running = 0;
            if (peer_install(n, i, &out->keys, p->hs_rekey) < 0)
                n->c.drop_hs_invalid++;
        }
        raw_push(n, &p->addr, out->msg, out->msg_len);
        fcp_memzero(out, sizeof *out);
        return 0;
    }
    fcp_memzero(out, sizeof *out);
    n->c.drop_hs_invalid++;
    return 0;
}

/* A data datagram from a configured peer's address under a session we do
 * not hold, while we have no session with that peer: this process
 * restarted and the peer still talks to the old one.  The designated
 * responder then sends the peer a Hello itself (at most one handshake per
 * handshake_retry_ms), so the peer learns of the restart at once instead of
 * after peer_dead_ms (D-MESH-8).  The designated initiator needs no help:
 * its own retry loop runs whenever the peer is down. */
static void reverse_hello(fcp_mesh_node *n, const fcp_mesh_addr *from)
{
    size_t pi = peer_by_addr(n, from);
    if (pi == SIZE_MAX)
        return;
    mesh_peer *p = &n->peers[pi];
    uint64_t now = mesh_now(n);
    if (p->initiator || p->up || p->hs_running || now < p->next_hs_ns)
        return;
    p->next_hs_ns = now + (uint64_t)n->lim.handshake_retry_ms * MESH_NS_PER_MS;
    fcp_session_out *out = &n->hs_out;
    memset(out, 0, sizeof *out);
    if (fcp_session_initiator_start(&p->ini, n->clk, n->rng, out) == 0) {
        p->hs_running = 1;
        p->hs_rekey = 0;
        n->c.reverse_hellos++;
        raw_push(n, &p->addr, out->msg, out->msg_len);
    }
    fcp_memzero(out, sizeof *out);
}

static size_t peer_by_session(const fcp_mesh_node *n, const uint8_t sid[16])
{
    for (size_t i = 0; i < n->n_peers; i++) {
        const fcp_session_chan *c = &n->peers[i].chan;
        if ((c->has_cur && memcmp(c->rx_cur.session_id, sid, 16) == 0) ||
            (c->has_prev && memcmp(c->rx_prev.session_id, sid, 16) == 0))
            return i;
    }
    return SIZE_MAX;
}

static int rx_zone_subkey(fcp_mesh_node *n, mesh_peer *p, size_t zi, const fcp_fcps_header *h,
                          const uint8_t **subkey)
{
    mesh_rxkey *rk = &p->rxkey[zi];
    if (rk->used && rk->instance == h->sender_instance_id &&
        memcmp(rk->key_id, h->zone_key_id, 8) == 0) {
        *subkey = rk->subkey;
        return 0;
    }
    const mesh_zone *z = &n->zones[zi];
    uint8_t key[32];
    int rc = 0;
    if (memcmp(z->cfg.zone_key_id, h->zone_key_id, 8) == 0)
        memcpy(key, z->cfg.zone_key, 32);
    else if (!n->zk_fn || n->zk_fn(n->zk_ctx, z->cfg.zone_id, h->zone_key_id, key) < 0)
        rc = FCP_EMESH_UNKNOWN_ZONE;
    if (rc == 0)
        rc = fcp_fcps_sender_subkey(rk->subkey, key, h->zone_key_id, (const uint8_t *)p->id,
                                    p->id_len, h->sender_instance_id);
    fcp_memzero(key, sizeof key);
    if (rc < 0) {
        rk->used = 0;
        return rc;
    }
    rk->used = 1;
    rk->instance = h->sender_instance_id;
    memcpy(rk->key_id, h->zone_key_id, 8);
    *subkey = rk->subkey;
    return 0;
}

static int on_symbol_frame(fcp_mesh_node *n, size_t pi, uint8_t *frame, size_t flen,
                           const fcp_fcps_frame *f0)
{
    mesh_peer *p = &n->peers[pi];
    size_t zi;
    if (mesh_zone_by_hash(n, f0->h.zone_id_hash, &zi) < 0 ||
        (f0->h.flags & FCP_FCPS_FLAG_ENCRYPTED) == 0) {
        n->c.drop_zone++;
        return 0;
    }
    if (!mesh_serves(p, zi)) {
        n->c.drop_not_member++;
        return 0;
    }
    const uint8_t *subkey;
    if (rx_zone_subkey(n, p, zi, &f0->h, &subkey) < 0) {
        n->c.drop_zone++;
        return 0;
    }
    fcp_fcps_frame f;
    if (fcp_fcps_frame_open(frame, flen, &n->flim, FCP_FCPS_AEAD_CHACHA20POLY1305, subkey, &f) < 0) {
        n->c.drop_symbol_auth++;
        return 0;
    }
    int response = (f.h.flags & FCP_FCPS_FLAG_RESPONSE) != 0;
    uint64_t now = mesh_now(n);
    for (uint32_t i = 0; i < f.h.symbol_count; i++) {
        fcp_fcps_record r;
        fcp_fcps_record_at(&f, i, &r);
        n->c.symbols_received++;
        if (r.k == 0 || r.esi > FCP_RQ_MAX_ESI) {
            n->c.drop_zone++;
            continue;
        }
        if (response) {
            int rc = mesh_on_response_symbol(n, pi, &f, &r, zi);
            if (rc < 0 && rc != FCP_EMESH_BUDGET)
                return rc;
            continue;
        }
        if (!mesh_bucket_take(&p->push_bucket, now)) {
            n->c.drop_push_rate++;
            continue;
        }
        fcp_mesh_obj_meta m;
        memset(&m, 0, sizeof m);
        memcpy(m.object_id, f.h.object_id, 32);
        memcpy(m.zone_id, n->zones[zi].cfg.zone_id, sizeof m.zone_id);
        m.k = r.k;
        m.symbol_size = f.h.symbol_size;
        int rc = n->store.put_symbol(n->store.ctx, &m, r.esi, r.data, f.h.symbol_size);
        if (rc < 0) {
            n->c.drop_store++;
            if (rc == FCP_ENOMEM)
                return rc;
            continue;
        }
        if (rc == 0)
            n->c.symbols_stored++;
    }
    return 0;
}

/* An opened control message, from either carrier. */
static int on_control(fcp_mesh_node *n, size_t pi, uint8_t type, const uint8_t *body, size_t blen)
{
    switch (type) {
    case MESH_CTL_SYMBOL_REQUEST: return mesh_on_symbol_request(n, pi, body, blen);
    case MESH_CTL_SYMBOL_ACK:     return mesh_on_symbol_ack(n, pi, body, blen);
    case MESH_CTL_GOSSIP:         return mesh_on_gossip(n, pi, body, blen);
    default:
        n->c.drop_control++;
        return 0;
    }
}

static int on_datagram(fcp_mesh_node *n, const fcp_mesh_addr *from, const uint8_t *buf,
                       size_t len)
{
    n->c.rx_datagrams++;
    n->c.rx_bytes += len;
    if (len == 0 || len > FCP_MESH_MAX_DATAGRAM || !buf || !from) {
        n->c.drop_empty++;
        return 0;
    }
    if (fcp_session_is_handshake(buf, len))
        return on_handshake(n, from, buf, len);
    if (len < FCP_DGRAM_HEADER_BYTES) {
        n->c.drop_dgram++;
        return 0;
    }
    size_t pi = peer_by_session(n, buf);
    if (pi == SIZE_MAX) {
        n->c.drop_unknown_session++;
        reverse_hello(n, from);
        return 0;
    }
    mesh_peer *p = &n->peers[pi];
    uint8_t *s = n->scratch;
    memcpy(s, buf, len);
    fcp_dgram d;
    fcp_fcps_frame f;
    if (fcp_session_chan_receive(&p->chan, s, len, n->clk, &d, &f) < 0) {
        n->c.drop_dgram++;
        return 0;
    }
    p->last_rx_ns = mesh_now(n);
    p->dgrams_in++;
    if (p->chan.has_cur && memcmp(buf, p->chan.rx_cur.session_id, 16) == 0)
        p->heard = 1; /* under the session installed last */
    uint8_t *frame = s + FCP_DGRAM_HEADER_BYTES;
    if (f.h.flags & FCP_FCPS_FLAG_CONTROL_PLANE) {
        uint8_t type;
        const uint8_t *body;
        size_t blen;
        if (mesh_ctl_open(n, p, s, &f, frame, d.frame_len, &type, &body, &blen) < 0) {
            n->c.drop_control++;
            return 0;
        }
        return on_control(n, pi, type, body, blen);
    }
    return on_symbol_frame(n, pi, frame, d.frame_len, &f);
}

int fcp_mesh_on_datagram(fcp_mesh_node *n, const fcp_mesh_addr *from, const uint8_t *buf,
                         size_t len)
{
    int rc = on_datagram(n, from, buf, len);
    /* a fetch finished: its get collects it and starts the next chunk
     * fetches now, not on the next tick (D-MESH-10) */
    if (rc >= 0 && n->ops_kick) {
        n->ops_kick = 0;
        rc = mesh_ops_tick(n);
    }
    return rc;
}

/* ---- the FCPC stream carrier (D-MESH-11, D-MESH-12) ------------------------------ */

int fcp_mesh_member_set_link(fcp_mesh_node *n, const char *node_id, size_t dgram_max,
                             int stream)
{
    size_t pi = node_id ? peer_by_id(n, node_id) : SIZE_MAX;
    if (pi == SIZE_MAX)
        return FCP_EMESH_UNKNOWN_PEER;
    mesh_peer *p = &n->peers[pi];
    p->dgram_max = dgram_max;
    p->stream = stream != 0;
    if (!p->stream && p->sq_head) {
        /* frames not taken yet go out as datagrams */
        if (p->hq_tail)
            p->hq_tail->next = p->sq_head;
        else
            p->hq_head = p->sq_head;
        p->hq_tail = p->sq_tail;
        p->sq_head = p->sq_tail = NULL;
    }
    return 0;
}

int fcp_mesh_poll_stream(fcp_mesh_node *n, const char *node_id, uint8_t *buf, size_t cap,
                         size_t *len)
{
    *len = 0;
    size_t pi = node_id ? peer_by_id(n, node_id) : SIZE_MAX;
    if (pi == SIZE_MAX)
        return FCP_EMESH_UNKNOWN_PEER;
    if (cap < FCP_MESH_STREAM_FRAME_MAX)
        return FCP_EBUFFER_TOO_SMALL;
    mesh_peer *p = &n->peers[pi];
    while (p->sq_head) {
        mesh_tx *t = p->sq_head;
        p->sq_head = t->next;
        if (!p->sq_head)
            p->sq_tail = NULL;
        p->q_bytes -= sizeof *t + t->len;
        n->tx_bytes -= sizeof *t + t->len;
        int rc = mesh_ctl_stream_seal(p, t, buf, cap, len);
        free(t);
        if (rc < 0) {
            n->c.drop_tx_budget++;
            continue;
        }
        n->c.stream_frames_out++;
        n->c.tx_bytes += *len;
        return 1;
    }
    return 0;
}

static int on_stream(fcp_mesh_node *n, size_t pi, const uint8_t *frame, size_t len)
{
    mesh_peer *p = &n->peers[pi];
    uint8_t type;
    const uint8_t *body;
    size_t blen;
    n->c.rx_bytes += len;
    if (!frame || mesh_ctl_stream_open(p, frame, len, n->scratch, sizeof n->scratch, &type, &body,
                                       &blen) < 0) {
        n->c.drop_stream++;
        return 0;
    }
    n->c.stream_frames_in++;
    p->last_rx_ns = mesh_now(n);
    if (p->chan.has_cur && memcmp(frame + 6, p->chan.rx_cur.session_id, 16) == 0)
        p->heard = 1;
    return on_control(n, pi, type, body, blen);
}

int fcp_mesh_on_stream(fcp_mesh_node *n, const char *node_id, const uint8_t *frame, size_t len)
{
    size_t pi = node_id ? peer_by_id(n, node_id) : SIZE_MAX;
    if (pi == SIZE_MAX)
        return FCP_EMESH_UNKNOWN_PEER;
    int rc = on_stream(n, pi, frame, len);
    if (rc >= 0 && n->ops_kick) {
        n->ops_kick = 0;
        rc = mesh_ops_tick(n);
    }
    return rc;
}

static void sessions_tick(fcp_mesh_node *n)
{
    uint64_t now = mesh_now(n);
    fcp_session_out *out = &n->hs_out;
    for (size_t i = 0; i < n->n_peers; i++) {
        mesh_peer *p = &n->peers[i];
        if (p->up && now - p->last_rx_ns > (uint64_t)n->lim.peer_dead_ms * MESH_NS_PER_MS)
            peer_down(n, i, FCP_EMESH_TIMEOUT);
        if ((!p->initiator || !p->zmask) && !p->hs_running)
            continue;   /* a peer of none of our zones gets no session from us (D-MESH-9) */
        memset(out, 0, sizeof *out);
        if (p->hs_running) {
            int rc = fcp_session_initiator_tick(&p->ini, n->clk, n->rng, out);
            if (out->msg_len)
                raw_push(n, &p->addr, out->msg, out->msg_len);
            if (rc < 0 || p->ini.state == FCP_SESSION_I_FAILED) {
                p->hs_running = 0;
                p->next_hs_ns = now + (uint64_t)n->lim.handshake_retry_ms * MESH_NS_PER_MS;
            }
        } else if ((!p->up && now >= p->next_hs_ns) ||
                   (p->up && fcp_session_chan_rekey_due(&p->chan, n->clk))) {
            if (fcp_session_initiator_start(&p->ini, n->clk, n->rng, out) == 0) {
                p->hs_running = 1;
                p->hs_rekey = p->up;
                raw_push(n, &p->addr, out->msg, out->msg_len);
            } else {
                p->next_hs_ns = now + (uint64_t)n->lim.handshake_retry_ms * MESH_NS_PER_MS;
            }
        }
        fcp_memzero(out, sizeof *out);
    }
}

/* ---- runtime membership (D-MESH-9) ------------------------------------------------- */

/* Drop handshake datagrams queued toward address a. */
static void raw_drop_to(fcp_mesh_node *n, const fcp_mesh_addr *a)
{
    size_t keep = 0;
    for (size_t i = 0; i < n->raw_n; i++) {
        mesh_raw *r = &n->raw[(n->raw_head + i) % MESH_RAW_QUEUE];
        if (r->to.len == a->len && memcmp(r->to.bytes, a->bytes, a->len) == 0)
            continue;
        if (keep != i)
            n->raw[(n->raw_head + keep) % MESH_RAW_QUEUE] = *r;
        keep++;
    }
    n->raw_n = keep;
}

/* Placement changed: every (object, peer) pair is eligible again and the
 * next repair scan runs at once, from the start of each zone. */
static void replan(fcp_mesh_node *n)
{
    mesh_members_compute(n);
    for (size_t i = 0; i < MESH_RECENT_REPAIRS; i++)
        n->recent[i].until_ns = 0;
    memset(n->repair_has_cursor, 0, sizeof n->repair_has_cursor);
    n->repair_next_ns = mesh_now(n);
}

int fcp_mesh_member_add(fcp_mesh_node *n, const fcp_mesh_peer_config *pc)
{
    if (!pc)
        return FCP_EMESH_CONFIG;
    if (strnlen(pc->node_id, sizeof pc->node_id) < sizeof pc->node_id &&
        peer_by_id(n, pc->node_id) != SIZE_MAX)
        return FCP_EMESH_MEMBER_EXISTS;
    if (n->n_peers >= FCP_MESH_MAX_PEERS)
        return FCP_EMESH_MEMBERS_FULL;
    mesh_peer *p = &n->peers[n->n_peers];
    uint64_t now = mesh_now(n);
    int rc = peer_init(n, p, pc, now);
    if (rc == 0)
        rc = fcp_session_trust_add(&n->trust, &pc->attestation, fcp_clock_unix_secs(n->clk));
    if (rc < 0) {
        fcp_session_initiator_wipe(&p->ini);
        fcp_session_chan_wipe(&p->chan);
        memset(p, 0, sizeof *p);
        return rc;
    }
    p->next_hs_ns = now;   /* the designated initiator says Hello on the next tick */
    n->n_peers++;
    n->c.members_added++;
    replan(n);
    return 0;
}

static int event_peer_remap(int peer, size_t gone)
{
    if (peer < 0 || (size_t)peer < gone)
        return peer;
    return (size_t)peer == gone ? -1 : peer - 1;
}

int fcp_mesh_member_remove(fcp_mesh_node *n, const char *node_id)
{
    size_t pi = node_id ? peer_by_id(n, node_id) : SIZE_MAX;
    if (pi == SIZE_MAX)
        return FCP_EMESH_UNKNOWN_PEER;
    mesh_peer *p = &n->peers[pi];
    if (p->up)
        peer_teardown(n, pi, FCP_EMESH_MEMBER_REMOVED);
    else
        mesh_repair_cancel_peer(n, pi, FCP_EMESH_MEMBER_REMOVED);
    raw_drop_to(n, &p->addr);
    queue_flush(n, p);
    mesh_view_free(p);
    fcp_session_chan_wipe(&p->chan);
    fcp_session_initiator_wipe(&p->ini);
    fcp_memzero(p->ctl, sizeof p->ctl);
    fcp_memzero(p->rxkey, sizeof p->rxkey);
    /* its attestation leaves the trust store: no new session */
    for (size_t i = 0; i < n->trust.n; i++)
        if (strcmp(n->trust.att[i].node_id, node_id) == 0) {
            memmove(&n->trust.att[i], &n->trust.att[i + 1],
                    (n->trust.n - i - 1) * sizeof n->trust.att[0]);
            n->trust.n--;
            memset(&n->trust.att[n->trust.n], 0, sizeof n->trust.att[0]);
            break;
        }
    /* renumber what refers to peers after it */
    for (size_t i = 0; i < n->n_fetches; i++) {
        mesh_fetch *f = &n->fetches[i];
        memmove(&f->asked[pi], &f->asked[pi + 1], (FCP_MESH_MAX_PEERS - pi - 1) * sizeof f->asked[0]);
        memmove(&f->asked_any[pi], &f->asked_any[pi + 1], FCP_MESH_MAX_PEERS - pi - 1);
        memmove(&f->heard[pi], &f->heard[pi + 1], FCP_MESH_MAX_PEERS - pi - 1);
        memmove(&f->silent[pi], &f->silent[pi + 1], FCP_MESH_MAX_PEERS - pi - 1);
        f->asked[FCP_MESH_MAX_PEERS - 1] = 0;
        f->asked_any[FCP_MESH_MAX_PEERS - 1] = 0;
        f->heard[FCP_MESH_MAX_PEERS - 1] = f->silent[FCP_MESH_MAX_PEERS - 1] = 0;
    }
    for (size_t i = 0; i < n->lim.max_ops; i++)
        if (n->ops[i].used && n->ops[i].kind == MESH_OP_REPAIR && n->ops[i].repair_peer > pi)
            n->ops[i].repair_peer--;
    for (size_t i = 0; i < n->ev_n; i++) {
        fcp_mesh_event *e = &n->ev[(n->ev_head + i) % MESH_EVENT_QUEUE];
        e->peer = event_peer_remap(e->peer, pi);
    }
    memmove(&n->peers[pi], &n->peers[pi + 1], (n->n_peers - pi - 1) * sizeof n->peers[0]);
    n->n_peers--;
    fcp_memzero(&n->peers[n->n_peers], sizeof n->peers[0]);
    n->tx_rr = 0;
    n->c.members_removed++;
    replan(n);   /* also forgets recent repairs, whose peer indices moved */
    return 0;
}

int fcp_mesh_member_set_addr(fcp_mesh_node *n, const char *node_id, const fcp_mesh_addr *addr)
{
    size_t pi = node_id ? peer_by_id(n, node_id) : SIZE_MAX;
    if (pi == SIZE_MAX)
        return FCP_EMESH_UNKNOWN_PEER;
    if (!addr || addr->len > FCP_MESH_ADDR_MAX)
        return FCP_EMESH_CONFIG;
    mesh_peer *p = &n->peers[pi];
    if (p->addr.len == addr->len && memcmp(p->addr.bytes, addr->bytes, addr->len) == 0)
        return 0;
    raw_drop_to(n, &p->addr);
    memset(&p->addr, 0, sizeof p->addr);
    p->addr.len = addr->len;
    memcpy(p->addr.bytes, addr->bytes, addr->len);
    if (p->up)
        peer_teardown(n, pi, FCP_EMESH_PEER_MOVED);
    n->c.members_moved++;
    /* a handshake to the new address at once, from either side: the peer,
     * whose session with us looked up, takes it as our restart (D-MESH-8) */
    uint64_t now = mesh_now(n);
    if (p->hs_running) {
        p->hs_rekey = 0;   /* its retransmissions go to the new address */
        return 0;
    }
    fcp_session_out *out = &n->hs_out;
    memset(out, 0, sizeof *out);
    if (fcp_session_initiator_start(&p->ini, n->clk, n->rng, out) == 0) {
        p->hs_running = 1;
        p->hs_rekey = 0;
        raw_push(n, &p->addr, out->msg, out->msg_len);
    } else {
        p->next_hs_ns = now;
    }
    fcp_memzero(out, sizeof *out);
    return 0;
}

int fcp_mesh_member_set_zones(fcp_mesh_node *n, const char *node_id,
                              const char (*zones)[FCP_ZONE_ID_MAX + 1], size_t n_zones)
{
    size_t pi = node_id ? peer_by_id(n, node_id) : SIZE_MAX;
    if (pi == SIZE_MAX)
        return FCP_EMESH_UNKNOWN_PEER;
    uint32_t mask;
    int rc = zone_mask(n, zones, n_zones, &mask);
    if (rc < 0)
        return rc;
    mesh_peer *p = &n->peers[pi];
    if (mask == p->zmask)
        return 0;
    uint32_t left = p->zmask & ~mask;
    p->zmask = mask;
    for (size_t z = 0; z < n->n_zones; z++)
        if ((left >> z) & 1u) {
            p->view[z].n = 0;
            p->view[z].complete = 0;
            p->gossip_has_cursor[z] = 0;
        }
    /* symbols of zones it left, queued toward it, are not sent */
    mesh_tx **pp = &p->q_head, *prev = NULL;
    while (*pp) {
        mesh_tx *t = *pp;
        if (t->kind == MESH_TX_SYMBOL && ((left >> t->zone) & 1u)) {
            *pp = t->next;
            p->q_bytes -= sizeof *t + t->len;
            n->tx_bytes -= sizeof *t + t->len;
            if (t->fcps_flags & FCP_FCPS_FLAG_RESPONSE)
                p->q_serves--;
            free(t);
            continue;
        }
        prev = t;
        pp = &t->next;
    }
    p->q_tail = prev;
    p->gossip_next_ns = mesh_now(n);   /* digests of its new zones at once */
    replan(n);
    return 0;
}

int fcp_mesh_on_tick(fcp_mesh_node *n)
{
    int rc;
    sessions_tick(n);
    if ((rc = mesh_gossip_tick(n)) < 0)
        return rc;
    if ((rc = mesh_fetch_tick(n)) < 0)
        return rc;
    if ((rc = mesh_ops_tick(n)) < 0)
        return rc;
    return mesh_repair_tick(n);
}

/* ---- observability ---------------------------------------------------------------- */

void fcp_mesh_get_counters(const fcp_mesh_node *n, fcp_mesh_counters *c) { *c = n->c; }

size_t fcp_mesh_peer_count(const fcp_mesh_node *n) { return n->n_peers; }

int fcp_mesh_peer_info_get(const fcp_mesh_node *n, size_t i, fcp_mesh_peer_info *pi)
{
    if (i >= n->n_peers)
        return FCP_EMESH_UNKNOWN_PEER;
    const mesh_peer *p = &n->peers[i];
    memset(pi, 0, sizeof *pi);
    memcpy(pi->node_id, p->id, p->id_len);
    pi->addr = p->addr;
    pi->up = p->up;
    pi->tx_queued_bytes = p->q_bytes;
    uint64_t now = mesh_now(n);
    pi->last_rx_ms_ago = p->last_rx_ns ? (now - p->last_rx_ns) / MESH_NS_PER_MS : UINT64_MAX;
    pi->datagrams_in = p->dgrams_in;
    pi->datagrams_out = p->dgrams_out;
    pi->zones = p->zmask;
    return 0;
}

uint64_t fcp_mesh_memory_bytes(const fcp_mesh_node *n)
{
    uint64_t b = sizeof *n + n->tx_bytes + n->decode_bytes + n->pending_bytes;
    for (size_t i = 0; i < n->n_peers; i++)
        b += mesh_view_bytes(&n->peers[i]);
    for (size_t i = 0; i < n->lim.max_ops; i++) {
        const mesh_op *op = &n->ops[i];
        if (!op->used)
            continue;
        b += op->result_len;
        if (op->asm_live)
            b += op->asm_.plan.total_len + op->asm_.plan.n_chunks;
    }
    return b;
}
