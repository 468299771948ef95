/*
 * mesh_repair.c - what the mesh knows about who holds what, and the loop
 * that keeps every object decodable after a node is lost (spec §8 gossip,
 * §21.3 repair).
 *
 * Everything here is per zone and over that zone's members only (D-MESH-9):
 * digests of a zone go to and come from its members, coverage counts them,
 * repair targets and repairers are members of the object's zone.
 *
 * Gossip (D-MESH-2): every gossip_interval_ms each up peer gets, per zone,
 * digest pages of (object id, symbols held, K, flags) for the objects in our
 * store, in id order, at most gossip_max_pages pages per round (a larger
 * store continues next round from a cursor).  The receiver keeps a sorted
 * view per (peer, zone): a page replaces the view's entries in the id range
 * it covers.  A view is dropped when the peer's session goes down and marked
 * complete once a page with more = false arrived.  A digest with entries
 * makes gets still waiting to learn their object's zone look at once
 * (D-MESH-13).
 *
 * Coverage of an object = symbols held over all members (us from the store,
 * peers from their views) * 10000 / K; worst_loss = the same without the
 * member holding most.  >= 10000 means losing any one node leaves it
 * decodable (with the overhead margin, see D-MESH-1).
 *
 * Repair (D-MESH-3): every repair_interval_ms we scan up to
 * repair_objects_per_scan objects of our store (a cursor walks the store).
 * A peer that is up for repair_grace_ms, whose view is complete, and that
 * holds fewer than its share of an object, is repaired by ONE node: the
 * lowest-indexed member (sorted node ids) other than that peer that holds
 * symbols of the object (while repairs run, scans come every 20 ms).  The repairer decodes the object (a fetch), encodes
 * the peer's residue class of ESIs and pushes them - or, for an object this
 * node put that is still in its put cache, re-encodes the cached bytes
 * without decoding, whatever its rank; (object, peer) is then
 * left alone for 5 gossip intervals so the peer's next digest can show the
 * result.  At most repair_max_active repairs run at once.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "mesh/mesh_internal.h"

#define MESH_VIEW_MAX 65536u /* entries per (peer, zone) */
#define MESH_REPAIR_BUSY_MS 20u /* scan period while repairs are running */

/* ---- views ---------------------------------------------------------------------- */

static size_t view_upper(const mesh_view *v, const uint8_t *id)
{
    /* first index with e.id > id */
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(v->e[mid].id, id, 32) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const mesh_view_entry *mesh_view_find(const mesh_view *v, const uint8_t id[32])
{
    size_t i = view_upper(v, id);
    if (i > 0 && memcmp(v->e[i - 1].id, id, 32) == 0)
        return &v->e[i - 1];
    return NULL;
}

void mesh_view_clear(mesh_peer *p)
{
    for (size_t z = 0; z < FCP_MESH_MAX_ZONES; z++) {
        p->view[z].n = 0;
        p->view[z].complete = 0;
    }
}

void mesh_view_free(mesh_peer *p)
{
    for (size_t z = 0; z < FCP_MESH_MAX_ZONES; z++) {
        free(p->view[z].e);
        memset(&p->view[z], 0, sizeof p->view[z]);
    }
}

uint64_t mesh_view_bytes(const mesh_peer *p)
{
    uint64_t b = 0;
    for (size_t z = 0; z < FCP_MESH_MAX_ZONES; z++)
        b += (uint64_t)p->view[z].cap * sizeof(mesh_view_entry);
    return b;
}

static int view_apply(fcp_mesh_node *n, mesh_view *v, const mesh_gossip *g)
{
    size_t lo = g->has_after ? view_upper(v, g->after) : 0;
    size_t hi = v->n;
    if (g->more)
        hi = g->n ? view_upper(v, g->e[g->n - 1].id) : lo;
    if (hi < lo)
        hi = lo;
    size_t removed = hi - lo;
    size_t add = g->n;
    if (v->n - removed + add > MESH_VIEW_MAX) {
        n->c.drop_control++;
        return 0;
    }
    size_t nn = v->n - removed + add;
    if (nn > v->cap) {
        size_t nc = v->cap ? v->cap : 64;
        while (nc < nn)
            nc *= 2;
        mesh_view_entry *ne = realloc(v->e, nc * sizeof *ne);
        if (!ne)
            return FCP_ENOMEM;
        v->e = ne;
        v->cap = nc;
    }
    if (v->n > hi)
        memmove(&v->e[lo + add], &v->e[hi], (v->n - hi) * sizeof *v->e);
    for (size_t i = 0; i < add; i++) {
        mesh_view_entry *e = &v->e[lo + i];
        memcpy(e->id, g->e[i].id, 32);
        e->count = g->e[i].count;
        e->k = (uint16_t)g->e[i].k;
        e->flags = (uint8_t)g->e[i].flags;
    }
    v->n = nn;
    if (!g->more)
        v->complete = 1;
    return 0;
}

int mesh_on_gossip(fcp_mesh_node *n, size_t pi, const uint8_t *body, size_t len)
{
    mesh_gossip g;
    size_t zi;
    if (mesh_gossip_decode(&g, body, len) < 0) {
        n->c.drop_control++;
        return 0;
    }
    if (mesh_zone_index(n, g.zone_id, &zi) < 0) {
        n->c.drop_zone++;
        return 0;
    }
    if (!mesh_serves(&n->peers[pi], zi)) {
        n->c.drop_not_member++;   /* views are kept for a zone's members only (D-MESH-9) */
        return 0;
    }
    n->c.gossip_received++;
    int rc = view_apply(n, &n->peers[pi].view[zi], &g);
    if (rc < 0)
        return rc;
    /* a get waiting to learn its object's zone looks at once (D-MESH-13) */
    for (size_t i = 0; i < n->lim.max_ops && g.n; i++)
        if (n->ops[i].used && n->ops[i].discover_until_ns)
            n->ops_kick = 1;
    /* learn which objects are roots (a chunk never carries the flag) */
    for (size_t i = 0; i < g.n; i++) {
        fcp_mesh_obj_meta m;
        if ((g.e[i].flags & FCP_MESH_OBJ_ROOT) && n->store.stat(n->store.ctx, g.e[i].id, &m) == 0 &&
            !(m.flags & FCP_MESH_OBJ_ROOT))
            (void)n->store.set_flags(n->store.ctx, g.e[i].id, FCP_MESH_OBJ_ROOT);
    }
    return 0;
}

int mesh_gossip_tick(fcp_mesh_node *n)
{
    uint64_t now = mesh_now(n);
    fcp_mesh_obj_meta metas[FCP_MESH_GOSSIP_PAGE];
    for (size_t pi = 0; pi < n->n_peers; pi++) {
        mesh_peer *p = &n->peers[pi];
        if (!p->up || now < p->gossip_next_ns)
            continue;
        p->gossip_next_ns = now + (uint64_t)n->lim.gossip_interval_ms * MESH_NS_PER_MS;
        for (size_t z = 0; z < n->n_zones; z++) {
            if (!mesh_serves(p, z))
                continue;   /* digests are per zone, to its members (D-MESH-9) */
            for (uint32_t page = 0; page < n->lim.gossip_max_pages; page++) {
                mesh_gossip g;
                size_t got;
                memset(&g, 0, sizeof g);
                memcpy(g.zone_id, n->zones[z].cfg.zone_id, sizeof g.zone_id);
                g.has_after = p->gossip_has_cursor[z];
                if (g.has_after)
                    memcpy(g.after, p->gossip_cursor[z], 32);
                int rc = n->store.list_objects(n->store.ctx, g.zone_id, g.has_after ? g.after : NULL,
                                               metas, FCP_MESH_GOSSIP_PAGE, &got);
                if (rc < 0)
                    return rc;
                for (size_t i = 0; i < got; i++) {
                    memcpy(g.e[i].id, metas[i].object_id, 32);
                    g.e[i].count = metas[i].n_symbols;
                    g.e[i].k = metas[i].k;
                    g.e[i].flags = metas[i].flags & FCP_MESH_OBJ_ROOT;
                }
                g.n = got;
                g.more = got == FCP_MESH_GOSSIP_PAGE;
                fcp_buf b;
                fcp_buf_init(&b);
                rc = mesh_gossip_encode(&g, &b);
                if (rc == 0)
                    rc = mesh_queue_control(n, pi, MESH_CTL_GOSSIP, b.data, b.len);
                fcp_buf_free(&b);
                if (rc == FCP_ENOMEM)
                    return rc;
                if (rc < 0)
                    break;
                n->c.gossip_sent++;
                if (g.more) {
                    p->gossip_has_cursor[z] = 1;
                    memcpy(p->gossip_cursor[z], g.e[got - 1].id, 32);
                } else {
                    p->gossip_has_cursor[z] = 0;
                    break;
                }
            }
        }
    }
    return 0;
}

/* ---- coverage ------------------------------------------------------------------- */

static void status_of(fcp_mesh_node *n, const uint8_t id[32], size_t zi, uint32_t k,
                      uint32_t local, uint32_t flags, fcp_mesh_obj_status *st)
{
    uint64_t counts[FCP_MESH_MAX_PEERS + 1];
    uint64_t total = local;
    size_t holders = local > 0;
    counts[0] = local;
    for (size_t pi = 0; pi < n->n_peers; pi++) {
        const mesh_view_entry *e = n->peers[pi].up && mesh_serves(&n->peers[pi], zi)
                                       ? mesh_view_find(&n->peers[pi].view[zi], id) : NULL;
        counts[pi + 1] = e ? e->count : 0;
        total += counts[pi + 1];
        holders += counts[pi + 1] > 0;
        if (e) {
            flags |= e->flags;
            if (k == 0)
                k = e->k;
        }
    }
    uint64_t maxc = 0;
    for (size_t i = 0; i <= n->n_peers; i++)
        if (counts[i] > maxc)
            maxc = counts[i];
    memset(st, 0, sizeof *st);
    memcpy(st->object_id, id, 32);
    memcpy(st->zone_id, n->zones[zi].cfg.zone_id, sizeof st->zone_id);
    st->k = k;
    st->flags = flags;
    st->local_symbols = local;
    st->total_symbols = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
    st->n_holders = (uint32_t)holders;
    if (k) {
        uint64_t cov = total * 10000u / k, worst = (total - maxc) * 10000u / k;
        st->coverage_bps = cov > UINT32_MAX ? UINT32_MAX : (uint32_t)cov;
        st->worst_loss_bps = worst > UINT32_MAX ? UINT32_MAX : (uint32_t)worst;
    }
}

int fcp_mesh_stat(fcp_mesh_node *n, const uint8_t id[FCP_OBJECT_ID_BYTES], fcp_mesh_obj_status *st)
{
    fcp_mesh_obj_meta m;
    size_t zi;
    if (n->store.stat(n->store.ctx, id, &m) == 0 && mesh_zone_index(n, m.zone_id, &zi) == 0) {
        status_of(n, id, zi, m.k, m.n_symbols, m.flags, st);
        return 0;
    }
    for (size_t pi = 0; pi < n->n_peers; pi++)
        for (zi = 0; zi < n->n_zones; zi++)
            if (n->peers[pi].up && mesh_view_find(&n->peers[pi].view[zi], id)) {
                status_of(n, id, zi, 0, 0, 0, st);
                return 0;
            }
    return FCP_EMESH_UNKNOWN_OBJECT;
}

int fcp_mesh_list(fcp_mesh_node *n, const char *zone, const uint8_t *after, int roots_only,
                  fcp_mesh_obj_status *out, size_t cap, size_t *count)
{
    size_t zi;
    *count = 0;
    int rc = mesh_zone_index(n, zone, &zi);
    if (rc < 0)
        return rc;
    fcp_mesh_obj_meta metas[32];
    uint8_t cur[32];
    int has = after != NULL;
    if (has)
        memcpy(cur, after, 32);
    while (*count < cap) {
        size_t got;
        if ((rc = n->store.list_objects(n->store.ctx, zone, has ? cur : NULL, metas, 32, &got)) < 0)
            return rc;
        for (size_t i = 0; i < got && *count < cap; i++) {
            memcpy(cur, metas[i].object_id, 32);
            has = 1;
            if (roots_only && !(metas[i].flags & FCP_MESH_OBJ_ROOT))
                continue;
            status_of(n, metas[i].object_id, zi, metas[i].k, metas[i].n_symbols, metas[i].flags,
                      &out[(*count)++]);
        }
        if (got < 32)
            break;
    }
    return 0;
}

static void cover_add(fcp_mesh_coverage *c, const fcp_mesh_obj_status *st)
{
    if (c->objects == 0 || st->coverage_bps < c->min_coverage_bps)
        c->min_coverage_bps = st->coverage_bps;
    if (c->objects == 0 || st->worst_loss_bps < c->min_worst_loss_bps)
        c->min_worst_loss_bps = st->worst_loss_bps;
    if (st->worst_loss_bps < 10000u)
        c->objects_at_risk++;
    c->objects++;
}

int fcp_mesh_zone_coverage(fcp_mesh_node *n, const char *zone, fcp_mesh_coverage *c)
{
    size_t zi;
    memset(c, 0, sizeof *c);
    int rc = mesh_zone_index(n, zone, &zi);
    if (rc < 0)
        return rc;
    fcp_mesh_obj_meta metas[32];
    fcp_mesh_obj_status st;
    uint8_t cur[32];
    int has = 0;
    for (;;) {
        size_t got;
        if ((rc = n->store.list_objects(n->store.ctx, zone, has ? cur : NULL, metas, 32, &got)) < 0)
            return rc;
        for (size_t i = 0; i < got; i++) {
            status_of(n, metas[i].object_id, zi, metas[i].k, metas[i].n_symbols, metas[i].flags, &st);
            cover_add(c, &st);
            memcpy(cur, metas[i].object_id, 32);
            has = 1;
        }
        if (got < 32)
            break;
    }
    for (size_t pi = 0; pi < n->n_peers; pi++) {
        if (!mesh_serves(&n->peers[pi], zi))
            continue;   /* only the zone's members count */
        c->peers_down += !n->peers[pi].up;
        c->views_pending += n->peers[pi].up && !n->peers[pi].view[zi].complete;
    }
    /* objects only peers hold */
    for (size_t pi = 0; pi < n->n_peers; pi++) {
        const mesh_view *v = &n->peers[pi].view[zi];
        if (!n->peers[pi].up)
            continue;
        for (size_t i = 0; i < v->n; i++) {
            fcp_mesh_obj_meta m;
            if (n->store.stat(n->store.ctx, v->e[i].id, &m) == 0)
                continue;
            int seen = 0;
            for (size_t q = 0; q < pi && !seen; q++)
                seen = n->peers[q].up && mesh_view_find(&n->peers[q].view[zi], v->e[i].id) != NULL;
            if (seen)
                continue;
            status_of(n, v->e[i].id, zi, 0, 0, 0, &st);
            cover_add(c, &st);
        }
    }
    return 0;
}

/* ---- put cache ------------------------------------------------------------------ */

const mesh_pending *mesh_pending_find(const fcp_mesh_node *n, const uint8_t id[32])
{
    for (size_t i = 0; i < n->n_pending; i++)
        if (memcmp(n->pending[i].id, id, 32) == 0)
            return &n->pending[i];
    return NULL;
}

static uint32_t pending_k(const fcp_mesh_node *n, const mesh_pending *pe)
{
    uint32_t k = 0;
    (void)fcp_rq_fcp_k(pe->len, pe->T, &k);
    return k;
}

/* 2: every peer confirmed its share; 1: decodable without us (coverage of
 * the up members >= 1); 0: only the cache makes it whole. */
static int pending_state(fcp_mesh_node *n, const mesh_pending *pe)
{
    uint32_t k = pending_k(n, pe), share = mesh_share(n, pe->zone, k);
    int all = 1;
    for (size_t pi = 0; pi < n->n_peers && all; pi++) {
        const mesh_peer *p = &n->peers[pi];
        if (!mesh_serves(p, pe->zone))
            continue;
        const mesh_view_entry *e = p->up && p->view[pe->zone].complete
                                       ? mesh_view_find(&p->view[pe->zone], pe->id) : NULL;
        all = e && e->count >= share;
    }
    if (all)
        return 2;
    fcp_mesh_obj_status st;
    fcp_mesh_obj_meta m;
    uint32_t local = n->store.stat(n->store.ctx, pe->id, &m) == 0 ? m.n_symbols : 0;
    status_of(n, pe->id, pe->zone, k, local, 0, &st);
    return st.coverage_bps >= 10000u + 10000u * n->lim.decode_overhead / (k ? k : 1) ? 1 : 0;
}

static void pending_drop(fcp_mesh_node *n, size_t i)
{
    n->pending_bytes -= n->pending[i].len;
    free(n->pending[i].obj);
    memmove(&n->pending[i], &n->pending[i + 1], (n->n_pending - i - 1) * sizeof *n->pending);
    n->n_pending--;
}

int mesh_pending_reserve(fcp_mesh_node *n, uint64_t bytes)
{
    if (bytes > n->lim.put_cache_bytes)
        return FCP_EMESH_BUSY;
    for (int level = 2; level >= 1 && n->pending_bytes + bytes > n->lim.put_cache_bytes; level--)
        for (size_t i = 0; i < n->n_pending && n->pending_bytes + bytes > n->lim.put_cache_bytes;) {
            if (pending_state(n, &n->pending[i]) >= level)
                pending_drop(n, i);
            else
                i++;
        }
    return n->pending_bytes + bytes > n->lim.put_cache_bytes ? FCP_EMESH_BUSY : 0;
}

int mesh_pending_add(fcp_mesh_node *n, const uint8_t id[32], size_t zone, uint32_t flags,
                     uint16_t T, const uint8_t *obj, size_t len)
{
    if (mesh_pending_find(n, id))
        return 0;
    if (n->pending_bytes + len > n->lim.put_cache_bytes)
        return FCP_EMESH_BUSY;
    if (n->n_pending == n->cap_pending) {
        size_t nc = n->cap_pending ? n->cap_pending * 2 : 64;
        mesh_pending *np = realloc(n->pending, nc * sizeof *np);
        if (!np)
            return FCP_ENOMEM;
        n->pending = np;
        n->cap_pending = nc;
    }
    mesh_pending *pe = &n->pending[n->n_pending];
    if (!(pe->obj = malloc(len)))
        return FCP_ENOMEM;
    memcpy(pe->obj, obj, len);
    memcpy(pe->id, id, 32);
    pe->zone = zone;
    pe->flags = flags;
    pe->T = T;
    pe->len = len;
    n->n_pending++;
    n->pending_bytes += len;
    return 0;
}

void mesh_pending_free(fcp_mesh_node *n)
{
    for (size_t i = 0; i < n->n_pending; i++)
        free(n->pending[i].obj);
    free(n->pending);
    n->pending = NULL;
    n->n_pending = n->cap_pending = 0;
    n->pending_bytes = 0;
}

/* Forget cached objects every peer has confirmed (bounded per call). */
static void pending_tick(fcp_mesh_node *n)
{
    size_t budget = 64;
    for (size_t i = 0; i < n->n_pending && budget > 0; budget--) {
        if (pending_state(n, &n->pending[i]) == 2)
            pending_drop(n, i);
        else
            i++;
    }
}

/* ---- repair loop ---------------------------------------------------------------- */

static int recent_has(fcp_mesh_node *n, const uint8_t id[32], size_t peer, uint64_t now)
{
    for (size_t i = 0; i < MESH_RECENT_REPAIRS; i++) {
        const mesh_recent *r = &n->recent[i];
        if (r->until_ns > now && r->peer == peer && memcmp(r->id, id, 32) == 0)
            return 1;
    }
    return 0;
}

static void recent_add(fcp_mesh_node *n, const uint8_t id[32], size_t peer, uint64_t until)
{
    mesh_recent *r = &n->recent[n->recent_next];
    n->recent_next = (n->recent_next + 1) % MESH_RECENT_REPAIRS;
    memcpy(r->id, id, 32);
    r->peer = peer;
    r->until_ns = until;
}

static size_t active_repairs(const fcp_mesh_node *n)
{
    size_t a = 0;
    for (size_t i = 0; i < n->lim.max_ops; i++)
        a += n->ops[i].used && n->ops[i].kind == MESH_OP_REPAIR;
    return a;
}

void mesh_repair_cancel_peer(fcp_mesh_node *n, size_t pi, int err)
{
    for (size_t i = 0; i < n->lim.max_ops; i++) {
        mesh_op *op = &n->ops[i];
        if (!op->used || op->kind != MESH_OP_REPAIR || op->repair_peer != pi)
            continue;
        n->c.repairs_cancelled++;
        mesh_event(n, FCP_MESH_EV_REPAIR, err, op->id, (int)pi, op->root, 0);
        mesh_op_clear(n, op);
    }
    for (size_t i = 0; i < MESH_RECENT_REPAIRS; i++)
        if (n->recent[i].peer == pi)
            n->recent[i].until_ns = 0;
    n->repair_next_ns = mesh_now(n);
}

/* 1 if we are the repairer of object id for peer `target` (D-MESH-3). */
static int we_repair(const fcp_mesh_node *n, const uint8_t id[32], size_t zi, size_t target,
                     uint64_t now)
{
    for (size_t pi = 0; pi < n->n_peers; pi++) {
        const mesh_peer *p = &n->peers[pi];
        if (pi == target || !p->up || !mesh_serves(p, zi) || !p->view[zi].complete ||
            p->zmember[zi] >= n->zself[zi])
            continue;
        const mesh_view_entry *e = mesh_view_find(&p->view[zi], id);
        if (e && e->count > 0)
            return 0;
    }
    (void)now;
    return 1;
}

int mesh_repair_tick(fcp_mesh_node *n)
{
    uint64_t now = mesh_now(n);
    if (now < n->repair_next_ns)
        return 0;
    pending_tick(n);
    /* while there is repair work, scan again soon (still bounded per scan) */
    n->repair_next_ns = now + (active_repairs(n) ? MESH_REPAIR_BUSY_MS
                                                 : (uint64_t)n->lim.repair_interval_ms) * MESH_NS_PER_MS;
    uint64_t grace = (uint64_t)n->lim.repair_grace_ms * MESH_NS_PER_MS;
    uint64_t hold = 5ull * n->lim.gossip_interval_ms * MESH_NS_PER_MS;
    fcp_mesh_obj_meta metas[16];
    uint32_t budget = n->lim.repair_objects_per_scan;
    for (size_t z = 0; z < n->n_zones && budget > 0; z++) {
        while (budget > 0) {
            size_t got, want = budget < 16 ? budget : 16;
            int rc = n->store.list_objects(n->store.ctx, n->zones[z].cfg.zone_id,
                                           n->repair_has_cursor[z] ? n->repair_cursor[z] : NULL,
                                           metas, want, &got);
            if (rc < 0)
                return rc;
            for (size_t i = 0; i < got; i++) {
                budget--;
                uint32_t share = metas[i].n_symbols ? mesh_share(n, z, metas[i].k) : 0;
                for (size_t pi = 0; pi < n->n_peers && share; pi++) {
                    const mesh_peer *p = &n->peers[pi];
                    if (!p->up || !mesh_serves(p, z) || !p->view[z].complete || now - p->up_since_ns < grace)
                        continue;
                    const mesh_view_entry *e = mesh_view_find(&p->view[z], metas[i].object_id);
                    if (e && e->count >= share)
                        continue;
                    const mesh_pending *pe = mesh_pending_find(n, metas[i].object_id);
                    if (recent_has(n, metas[i].object_id, pi, now) ||
                        (!pe && !we_repair(n, metas[i].object_id, z, pi, now)))
                        continue;
                    if (pe) {
                        /* our own put: re-send the share from the cached bytes */
                        uint64_t pushed = 0;
                        rc = mesh_encode_and_place(n, z, pe->id, pe->obj, pe->len, pe->T, pe->flags,
                                                   (long)pi, &pushed);
                        if (rc == FCP_ENOMEM)
                            return rc;
                        n->c.repairs_started++;
                        if (rc == 0) {
                            n->c.repairs_done++;
                            n->c.repair_symbols += pushed;
                        }
                        mesh_event(n, FCP_MESH_EV_REPAIR, rc, 0, (int)pi, pe->id, (uint32_t)pushed);
                        recent_add(n, metas[i].object_id, pi, now + hold);
                        /* more of our puts may have lost pushes the same way
                         * (a burst the path dropped): scan on soon, as while
                         * repairs run, instead of 64 objects per 500 ms; a get
                         * of those objects waits for these shares (D-MESH-13) */
                        n->repair_next_ns = now + MESH_REPAIR_BUSY_MS * MESH_NS_PER_MS;
                        continue;
                    }
                    if (active_repairs(n) >= n->lim.repair_max_active)
                        return 0; /* resume at this object next scan */
                    rc = mesh_op_start_repair(n, metas[i].object_id, z, pi);
                    if (rc == FCP_EMESH_BUSY)
                        return 0;
                    if (rc < 0)
                        return rc;
                    n->c.repairs_started++;
                    recent_add(n, metas[i].object_id, pi, now + hold);
                    n->repair_next_ns = now + MESH_REPAIR_BUSY_MS * MESH_NS_PER_MS;
                }
                /* only now past this object: an early return above retries it */
                memcpy(n->repair_cursor[z], metas[i].object_id, 32);
                n->repair_has_cursor[z] = 1;
            }
            if (got < want) {
                n->repair_has_cursor[z] = 0; /* wrapped */
                break;
            }
        }
    }
    return 0;
}
