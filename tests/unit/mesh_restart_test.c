/*
 * mesh_restart_test.c - a node that restarts (new process: empty store, new
 * sender instance, new handshake) before its peers noticed it was gone
 * (D-MESH-8).  Three simulated nodes; a put spreads; the victim is lost,
 * seen down and comes back empty, so repairs toward it start; while they are
 * in flight it is killed and restarted again 0 or 200 ms later, well inside
 * the peers' peer_dead_ms.  Victims: charlie (responder of both its pairs:
 * it answers traffic to its old session with a Hello) and alpha (initiator
 * of both).  With 4, 12 and 16 concurrent repairs, nothing may be at risk
 * any more within peer_dead_ms (the engine before D-MESH-8 waited for the
 * old session to be seen down: about 6 s), no repair slot, fetch or decode
 * budget may stay taken, and the data must read back after losing the
 * putter.  A repair whose only source dies silently frees its slot at
 * repair_timeout_ms (5 s) instead of the 30 s get timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/mesh.h"
#include "fcp/rng.h"
#include "mesh/mesh_internal.h"
#include "mesh/mesh_sim.h"
#include "test.h"

#define A 0
#define B 1
#define C 2

static size_t repair_ops(fcp_mesh_node *n)
{
    size_t a = 0;
    for (size_t i = 0; i < n->lim.max_ops; i++)
        a += n->ops[i].used && n->ops[i].kind == MESH_OP_REPAIR;
    return a;
}

static size_t fetches_used(fcp_mesh_node *n)
{
    size_t a = 0;
    for (size_t i = 0; i < n->n_fetches; i++)
        a += n->fetches[i].used;
    return a;
}

static uint32_t at_risk(mesh_sim *s)
{
    uint32_t r = 0;
    for (size_t i = 0; i < mesh_sim_size(s); i++) {
        fcp_mesh_coverage cov;
        if (fcp_mesh_zone_coverage(mesh_sim_node(s, i), MESH_SIM_ZONE, &cov) < 0)
            return UINT32_MAX;
        r += cov.objects_at_risk + cov.peers_down + cov.views_pending;
        if (cov.objects == 0)
            r++;
    }
    return r;
}

/* Run until nothing is at risk on any node (and no repair runs), at most
 * limit_ms; returns the simulated ms it took, or UINT64_MAX. */
static uint64_t run_until_safe(mesh_sim *s, uint64_t limit_ms)
{
    for (uint64_t t = 0; t <= limit_ms; t += 20) {
        size_t busy = 0;
        for (size_t i = 0; i < mesh_sim_size(s); i++)
            busy += repair_ops(mesh_sim_node(s, i));
        if (busy == 0 && at_risk(s) == 0)
            return t;
        if (mesh_sim_step(s, 20) < 0)
            return UINT64_MAX;
    }
    return UINT64_MAX;
}

/* The victim v is lost for long enough to be seen down and comes back
 * empty; while the repairs toward it are in flight it is killed and
 * restarted again gap_ms later (< 1 s).  Returns the simulated ms until nothing was
 * at risk any more. */
static uint64_t scenario(uint32_t max_active, size_t v, uint64_t seed, uint64_t gap_ms)
{
    size_t putter = v == A ? B : A, other = 3 - v - putter;
    mesh_sim_opts o;
    memset(&o, 0, sizeof o);
    o.n_nodes = 3;
    o.seed = seed;
    o.limits.repair_max_active = max_active;
    o.limits.max_ops = max_active + 4;
    mesh_sim *s = NULL;
    CHECK_ERR(mesh_sim_new(&s, &o), 0);
    if (!s)
        return UINT64_MAX;
    CHECK(mesh_sim_run(s, 500, 10) > 0);
    /* 3 MiB: 48 chunk objects + the manifest */
    size_t len = 3u * 1024u * 1024u;
    uint8_t *payload = malloc(len), root[32];
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, seed);
    fcp_rng_fill(&x.rng, payload, len);
    CHECK_ERR(fcp_mesh_put(mesh_sim_node(s, putter), MESH_SIM_ZONE, payload, len, root, NULL), 0);
    CHECK(mesh_sim_run(s, 2500, 10) > 0);
    CHECK_EQ(at_risk(s), 0);

    /* v lost long enough to be seen down, then back empty: repairs start */
    CHECK_ERR(mesh_sim_kill(s, v), 0);
    CHECK(mesh_sim_run(s, 5000, 50) >= 0);
    CHECK_ERR(mesh_sim_restart(s, v), 0);
    /* advance in small steps until repairs run; a tick-only step leaves the
     * repairs' requests and pushes on the wire when v dies */
    size_t busy = 0;
    for (int t = 0; t < 1000 && busy == 0; t++) {
        if (t % 3)
            mesh_sim_step(s, 5);
        else
            CHECK_ERR(mesh_sim_tick(s, 5), 0);
        busy = repair_ops(mesh_sim_node(s, putter)) + repair_ops(mesh_sim_node(s, other));
    }
    CHECK(busy > 0);
    CHECK(busy <= (max_active ? max_active : 4) * 2u);
    fcp_mesh_counters before[3];
    for (size_t i = 0; i < 3; i++)
        if (i != v)
            fcp_mesh_get_counters(mesh_sim_node(s, i), &before[i]);
    /* v restarts within gap_ms, far inside its peers' peer_dead_ms */
    CHECK_ERR(mesh_sim_kill(s, v), 0);
    if (gap_ms)
        mesh_sim_step(s, gap_ms);
    CHECK_ERR(mesh_sim_restart(s, v), 0);
    /* Bound: safe again before the peers' liveness limit (peer_dead_ms, 4 s)
     * could even have expired, i.e. without waiting for the old session to
     * be seen down, and far inside the 30 s get timeout. */
    uint64_t took = run_until_safe(s, 25000);
    CHECK(took < 4000);
    uint64_t cancelled = 0;
    for (size_t i = 0; i < 3; i++) {
        fcp_mesh_node *n = mesh_sim_node(s, i);
        CHECK_EQ(repair_ops(n), 0); /* no slot leaked */
        CHECK_EQ(fetches_used(n), 0);
        CHECK_EQ(n->decode_bytes, 0);
        if (i == v)
            continue;
        fcp_mesh_counters c;
        fcp_mesh_get_counters(n, &c);
        CHECK_EQ(c.peer_restarts - before[i].peer_restarts, 1); /* seen as a restart ... */
        CHECK_EQ(c.decodes_failed - before[i].decodes_failed, 0); /* ... not by a timeout */
        CHECK_EQ(c.repairs_failed - before[i].repairs_failed, 0);
        cancelled += c.repairs_cancelled - before[i].repairs_cancelled;
    }
    /* a repair in flight toward v either finished before its peer learned of
     * the restart (its pushes went to the dead process) or was cancelled;
     * either way (object, v) was rescheduled at the restart */
    CHECK(cancelled <= busy);
    /* and the data is whole: lose the putter, read it back from the others */
    CHECK_ERR(mesh_sim_kill(s, putter), 0);
    CHECK(mesh_sim_run(s, 5000, 50) >= 0);
    fcp_mesh_node *g = mesh_sim_node(s, other);
    uint64_t op;
    int rc = fcp_mesh_get_start(g, root, MESH_SIM_ZONE, &op);
    CHECK_ERR(rc, 0);
    const uint8_t *data = NULL;
    size_t dlen = 0;
    for (int t = 0; t < 2000 && rc == 0; t++) {
        int st = fcp_mesh_get_result(g, op, &data, &dlen);
        if (st != FCP_ERQ_NEED_MORE) {
            CHECK_ERR(st, 0);
            break;
        }
        mesh_sim_step(s, 5);
    }
    CHECK(data && dlen == len && memcmp(data, payload, len) == 0);
    if (rc == 0)
        fcp_mesh_op_release(g, op);
    free(payload);
    mesh_sim_free(s);
    return took;
}

/* A repair that cannot finish (its only source dies silently) gives up at
 * repair_timeout_ms, frees its slot and says so, instead of holding the
 * slot for the 30 s get timeout. */
static void repair_timeout(void)
{
    mesh_sim_opts o;
    memset(&o, 0, sizeof o);
    o.n_nodes = 3;
    o.seed = 21;
    mesh_sim *s = NULL;
    CHECK_ERR(mesh_sim_new(&s, &o), 0);
    if (!s)
        return;
    CHECK(mesh_sim_run(s, 500, 10) > 0);
    size_t len = 1024u * 1024u;
    uint8_t *payload = malloc(len), root[32];
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 21);
    fcp_rng_fill(&x.rng, payload, len);
    fcp_mesh_node *a = mesh_sim_node(s, A);
    CHECK_ERR(fcp_mesh_put(a, MESH_SIM_ZONE, payload, len, root, NULL), 0);
    CHECK(mesh_sim_run(s, 2500, 10) > 0);
    CHECK_ERR(mesh_sim_kill(s, C), 0);
    CHECK(mesh_sim_run(s, 5000, 50) >= 0);
    CHECK_ERR(mesh_sim_restart(s, C), 0);
    /* A repairs C by decoding with B's symbols: stop right after it asked B */
    size_t busy = 0;
    for (int t = 0; t < 1000 && busy == 0; t++) {
        if (t % 3)
            mesh_sim_step(s, 5);
        else
            CHECK_ERR(mesh_sim_tick(s, 5), 0);
        busy = repair_ops(a);
    }
    CHECK(busy > 0);
    uint64_t ids[64];
    size_t n_ids = 0;
    for (size_t i = 0; i < a->lim.max_ops && n_ids < 64; i++)
        if (a->ops[i].used && a->ops[i].kind == MESH_OP_REPAIR)
            ids[n_ids++] = a->ops[i].id;
    fcp_mesh_counters c0, c1;
    fcp_mesh_get_counters(a, &c0);
    fcp_mesh_event ev;
    while (fcp_mesh_poll_event(a, &ev))
        ;
    CHECK_ERR(mesh_sim_kill(s, B), 0); /* silently: A only notices after peer_dead_ms */
    CHECK(mesh_sim_run(s, 4500, 50) >= 0);
    size_t alive = 0;
    for (size_t i = 0; i < n_ids; i++)
        alive += mesh_op_find(a, ids[i]) != NULL;
    CHECK_EQ(alive, n_ids); /* still trying (B went down, C cannot give enough) */
    CHECK(mesh_sim_run(s, 700, 50) >= 0); /* past repair_timeout_ms (5000) */
    alive = 0;
    for (size_t i = 0; i < n_ids; i++)
        alive += mesh_op_find(a, ids[i]) != NULL;
    CHECK_EQ(alive, 0); /* slots freed */
    fcp_mesh_get_counters(a, &c1);
    CHECK(c1.repairs_failed - c0.repairs_failed >= n_ids);
    size_t timeouts = 0;
    while (fcp_mesh_poll_event(a, &ev))
        for (size_t i = 0; i < n_ids; i++)
            timeouts += ev.type == FCP_MESH_EV_REPAIR && ev.op == ids[i] &&
                        ev.error == FCP_EMESH_REPAIR_TIMEOUT;
    CHECK_EQ(timeouts, n_ids);
    free(payload);
    mesh_sim_free(s);
}

int main(void)
{
    /* C is the responder of both its pairs: it answers its peers' traffic to
     * the old session with a Hello of its own */
    uint64_t t1 = scenario(0, C, 11, 0);    /* default concurrency (4) */
    uint64_t t2 = scenario(12, C, 12, 200); /* 12 repairs at once */
    /* A initiates both pairs: its Hellos reach B and C while they hold A up */
    uint64_t t3 = scenario(0, A, 13, 200);
    uint64_t t4 = scenario(16, A, 14, 0);
    repair_timeout();
    printf("restart to safe (simulated ms): %llu %llu %llu %llu\n", (unsigned long long)t1,
           (unsigned long long)t2, (unsigned long long)t3, (unsigned long long)t4);
    return fcp_t_done("mesh_restart");
}
