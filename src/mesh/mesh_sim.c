/*
 * mesh_sim.c - the in-process mesh simulator (mesh_sim.h).  Identities are
 * derived from the seed: an owner key, one Ed25519 node key per node, an
 * owner-signed NodeKeyAttestation for each, and one zone (z:private) whose
 * zone key and ObjectIdKey every node serves.  Links are perfect; a killed
 * node's inbound datagrams are counted as dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/rng.h"
#include "mesh/mesh_sim.h"

typedef struct sim_node {
    char                 id[FCP_NODE_ID_MAX + 1];
    uint8_t              sk[64];
    fcp_node_attestation att;
    fcp_rng_xoshiro      rng;
    fcp_mesh_store       store;
    fcp_mesh_node       *node;
    uint32_t             incarnation;
    fcp_mesh_addr        addr;
} sim_node;

struct mesh_sim {
    mesh_sim_opts        o;
    fcp_clock_manual     clk;
    uint8_t              owner_pk[32], owner_sk[64];
    fcp_mesh_zone_config zone;
    fcp_mesh_zone_config zones[2];
    sim_node             nodes[MESH_SIM_MAX_NODES];
    uint64_t             delivered, dropped, stream_delivered;
    struct { size_t dgram_max; int stream; size_t max_seen; } link[MESH_SIM_MAX_NODES][MESH_SIM_MAX_NODES];
    uint8_t              buf[FCP_MESH_MAX_DATAGRAM + FCP_MESH_STREAM_FRAME_MAX];
};

static const char *NAMES[MESH_SIM_MAX_NODES] = {
    "node:alpha.sim.ts.net", "node:bravo.sim.ts.net", "node:charlie.sim.ts.net",
    "node:delta.sim.ts.net", "node:echo.sim.ts.net", "node:foxtrot.sim.ts.net",
    "node:golf.sim.ts.net", "node:hotel.sim.ts.net"
};

fcp_mesh_addr mesh_sim_addr(size_t i)
{
    fcp_mesh_addr a;
    memset(&a, 0, sizeof a);
    a.len = 1;
    a.bytes[0] = (uint8_t)i;
    return a;
}

static void seed_bytes(uint8_t out[32], uint64_t seed, const char *label)
{
    uint8_t in[64];
    size_t l = strlen(label);
    memset(in, 0, sizeof in);
    for (int i = 0; i < 8; i++)
        in[i] = (uint8_t)(seed >> (8 * i));
    memcpy(in + 8, label, l < 56 ? l : 56);
    fcp_blake3(out, in, sizeof in);
}

void mesh_sim_peer_config(const mesh_sim *s, size_t j, fcp_mesh_peer_config *out)
{
    memset(out, 0, sizeof *out);
    strcpy(out->node_id, s->nodes[j].id);
    out->addr = s->nodes[j].addr;
    out->attestation = s->nodes[j].att;
    if (s->o.zone_b) {
        strcpy(out->zones[out->n_zones++], MESH_SIM_ZONE);
        if ((s->o.zone_b >> j) & 1u)
            strcpy(out->zones[out->n_zones++], MESH_SIM_ZONE_B);
    }
}

void mesh_sim_set_addr(mesh_sim *s, size_t i, const fcp_mesh_addr *a)
{
    if (i < s->o.n_nodes)
        s->nodes[i].addr = *a;
}

static int node_start(mesh_sim *s, size_t i)
{
    sim_node *sn = &s->nodes[i];
    static fcp_mesh_peer_config peers[MESH_SIM_MAX_NODES];
    size_t np = 0;
    for (size_t j = 0; j < s->o.n_nodes; j++) {
        if (j == i || ((s->o.detached >> i) & 1u) || ((s->o.detached >> j) & 1u))
            continue;
        mesh_sim_peer_config(s, j, &peers[np]);
        np++;
    }
    int rc = fcp_mesh_memstore_new(&sn->store, s->o.store_max);
    if (rc < 0)
        return rc;
    fcp_rng_xoshiro_init(&sn->rng, s->o.seed * 131u + i * 7919u + sn->incarnation++);
    fcp_mesh_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.node_id = sn->id;
    cfg.sig_sk = sn->sk;
    cfg.owner_pk = s->owner_pk;
    cfg.peers = peers;
    cfg.n_peers = np;
    cfg.zones = s->zones;
    cfg.n_zones = ((s->o.zone_b >> i) & 1u) ? 2 : 1;
    cfg.store = sn->store;
    cfg.clock = &s->clk.clock;
    cfg.rng = &sn->rng.rng;
    cfg.limits = s->o.limits;
    rc = fcp_mesh_node_new(&sn->node, &cfg);
    if (rc < 0) {
        fcp_mesh_memstore_free(&sn->store);
        return rc;
    }
    for (size_t j = 0; j < s->o.n_nodes; j++)
        if (s->link[i][j].dgram_max || s->link[i][j].stream)
            (void)fcp_mesh_member_set_link(sn->node, s->nodes[j].id, s->link[i][j].dgram_max,
                                           s->link[i][j].stream);
    return 0;
}

int mesh_sim_set_link(mesh_sim *s, size_t i, size_t j, size_t dgram_max, int stream)
{
    if (i >= s->o.n_nodes || j >= s->o.n_nodes || i == j)
        return FCP_EINVAL;
    s->link[i][j].dgram_max = dgram_max;
    s->link[i][j].stream = stream != 0;
    return s->nodes[i].node ? fcp_mesh_member_set_link(s->nodes[i].node, s->nodes[j].id, dgram_max,
                                                       stream)
                            : 0;
}

uint64_t mesh_sim_stream_delivered(const mesh_sim *s) { return s->stream_delivered; }

size_t mesh_sim_max_datagram(const mesh_sim *s, size_t i, size_t j)
{
    return i < s->o.n_nodes && j < s->o.n_nodes ? s->link[i][j].max_seen : 0;
}

/* Stream frames node i queued for its stream peers, delivered in order. */
static long deliver_streams(mesh_sim *s, size_t i)
{
    long moved = 0;
    for (size_t j = 0; j < s->o.n_nodes; j++) {
        size_t len;
        int rc;
        if (!s->link[i][j].stream || !s->nodes[i].node)
            continue;
        while ((rc = fcp_mesh_poll_stream(s->nodes[i].node, s->nodes[j].id, s->buf, sizeof s->buf,
                                          &len)) == 1) {
            if (!s->nodes[j].node) {
                s->dropped++;
                continue;
            }
            if ((rc = fcp_mesh_on_stream(s->nodes[j].node, s->nodes[i].id, s->buf, len)) < 0)
                return rc;
            s->stream_delivered++;
            moved++;
        }
        if (rc < 0 && rc != FCP_EMESH_UNKNOWN_PEER)
            return rc;
    }
    return moved;
}

int mesh_sim_new(mesh_sim **out, const mesh_sim_opts *o)
{
    *out = NULL;
    if (!o || o->n_nodes == 0 || o->n_nodes > MESH_SIM_MAX_NODES)
        return FCP_EINVAL;
    mesh_sim *s = calloc(1, sizeof *s);
    if (!s)
        return FCP_ENOMEM;
    s->o = *o;
    fcp_clock_manual_init(&s->clk, 1767225600ull * 1000000000ull); /* 2026-01-01 */
    uint8_t seed[32];
    int rc;
    seed_bytes(seed, o->seed, "owner");
    if ((rc = fcp_ed25519_keypair_from_seed(s->owner_pk, s->owner_sk, seed)) < 0)
        goto fail;
    strcpy(s->zone.zone_id, MESH_SIM_ZONE);
    seed_bytes(s->zone.zone_key, o->seed, "zone key");
    seed_bytes(s->zone.oid_key.bytes, o->seed, "object id key");
    uint8_t kid[32];
    seed_bytes(kid, o->seed, "zone key id");
    memcpy(s->zone.zone_key_id, kid, 8);
    s->zones[0] = s->zone;
    strcpy(s->zones[1].zone_id, MESH_SIM_ZONE_B);
    seed_bytes(s->zones[1].zone_key, o->seed, "zone b key");
    seed_bytes(s->zones[1].oid_key.bytes, o->seed, "zone b object id key");
    seed_bytes(kid, o->seed, "zone b key id");
    memcpy(s->zones[1].zone_key_id, kid, 8);
    uint64_t now = fcp_clock_unix_secs(&s->clk.clock);
    for (size_t i = 0; i < o->n_nodes; i++) {
        sim_node *sn = &s->nodes[i];
        uint8_t pk[32], x[32];
        strcpy(sn->id, NAMES[i]);
        sn->addr = mesh_sim_addr(i);
        seed_bytes(seed, o->seed + i + 1, "node key");
        if ((rc = fcp_ed25519_keypair_from_seed(pk, sn->sk, seed)) < 0)
            goto fail;
        fcp_node_attestation *a = &sn->att;
        memset(a, 0, sizeof *a);
        strcpy(a->node_id, sn->id);
        memcpy(a->node_sig_pubkey, pk, 32);
        seed_bytes(x, o->seed + i + 1, "node enc");
        if ((rc = fcp_x25519_base(a->node_enc_pubkey, x)) < 0)
            goto fail;
        seed_bytes(x, o->seed + i + 1, "node iss");
        uint8_t isk[64];
        if ((rc = fcp_ed25519_keypair_from_seed(a->node_iss_pubkey, isk, x)) < 0)
            goto fail;
        fcp_memzero(isk, sizeof isk);
        a->n_tags = 1;
        strcpy(a->tags[0], "tag:fcp-sim");
        a->issued_at = now - 60;
        if ((rc = fcp_attestation_sign(a, s->owner_sk)) < 0)
            goto fail;
    }
    for (size_t i = 0; i < o->n_nodes; i++)
        if ((rc = node_start(s, i)) < 0)
            goto fail;
    *out = s;
    return 0;
fail:
    mesh_sim_free(s);
    return rc;
}

void mesh_sim_free(mesh_sim *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < MESH_SIM_MAX_NODES; i++) {
        fcp_mesh_node_free(s->nodes[i].node);
        fcp_mesh_memstore_free(&s->nodes[i].store);
    }
    fcp_memzero(s, sizeof *s);
    free(s);
}

size_t mesh_sim_size(const mesh_sim *s) { return s->o.n_nodes; }
fcp_mesh_node *mesh_sim_node(mesh_sim *s, size_t i) { return i < s->o.n_nodes ? s->nodes[i].node : NULL; }
const char *mesh_sim_node_id(const mesh_sim *s, size_t i) { return s->nodes[i].id; }
const fcp_mesh_store *mesh_sim_store(const mesh_sim *s, size_t i) { return &s->nodes[i].store; }
const fcp_clock *mesh_sim_clock(mesh_sim *s) { return &s->clk.clock; }
const fcp_mesh_zone_config *mesh_sim_zone(const mesh_sim *s) { return &s->zone; }
uint64_t mesh_sim_delivered(const mesh_sim *s) { return s->delivered; }
uint64_t mesh_sim_dropped(const mesh_sim *s) { return s->dropped; }

int mesh_sim_kill(mesh_sim *s, size_t i)
{
    if (i >= s->o.n_nodes || !s->nodes[i].node)
        return FCP_EINVAL;
    fcp_mesh_node_free(s->nodes[i].node);
    s->nodes[i].node = NULL;
    fcp_mesh_memstore_free(&s->nodes[i].store);
    return 0;
}

int mesh_sim_restart(mesh_sim *s, size_t i)
{
    if (i >= s->o.n_nodes || s->nodes[i].node)
        return FCP_EINVAL;
    return node_start(s, i);
}

long mesh_sim_step(mesh_sim *s, uint64_t ms)
{
    long moved = 0;
    int rc;
    fcp_clock_manual_advance(&s->clk, ms * 1000000ull);
    for (size_t i = 0; i < s->o.n_nodes; i++)
        if (s->nodes[i].node && (rc = fcp_mesh_on_tick(s->nodes[i].node)) < 0)
            return rc;
    for (int round = 0; round < 64; round++) {
        long pass = 0;
        for (size_t i = 0; i < s->o.n_nodes; i++) {
            fcp_mesh_node *src = s->nodes[i].node;
            fcp_mesh_addr to, from = s->nodes[i].addr;
            size_t len;
            rc = 0;
            while (src && (rc = fcp_mesh_poll_tx(src, &to, s->buf, sizeof s->buf, &len)) == 1) {
                size_t d = SIZE_MAX;
                for (size_t j = 0; j < s->o.n_nodes && d == SIZE_MAX; j++)
                    if (s->nodes[j].addr.len == to.len &&
                        memcmp(s->nodes[j].addr.bytes, to.bytes, to.len) == 0)
                        d = j;
                if (d >= s->o.n_nodes || !s->nodes[d].node) {
                    s->dropped++;
                    continue;
                }
                if (len > s->link[i][d].max_seen)
                    s->link[i][d].max_seen = len;
                if ((rc = fcp_mesh_on_datagram(s->nodes[d].node, &from, s->buf, len)) < 0)
                    return rc;
                s->delivered++;
                pass++;
            }
            if (rc < 0)
                return rc;
            long sm = deliver_streams(s, i);
            if (sm < 0)
                return sm;
            pass += sm;
        }
        for (size_t i = 0; i < s->o.n_nodes; i++)
            if (s->nodes[i].node && (rc = fcp_mesh_on_tick(s->nodes[i].node)) < 0)
                return rc;
        moved += pass;
        if (pass == 0)
            break;
    }
    return moved;
}

int mesh_sim_tick(mesh_sim *s, uint64_t ms)
{
    fcp_clock_manual_advance(&s->clk, ms * 1000000ull);
    for (size_t i = 0; i < s->o.n_nodes; i++) {
        int rc = s->nodes[i].node ? fcp_mesh_on_tick(s->nodes[i].node) : 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

long mesh_sim_run(mesh_sim *s, uint64_t total_ms, uint64_t step_ms)
{
    long moved = 0;
    for (uint64_t t = 0; t < total_ms; t += step_ms) {
        long r = mesh_sim_step(s, step_ms);
        if (r < 0)
            return r;
        moved += r;
    }
    return moved;
}

int mesh_sim_get(mesh_sim *s, size_t i, const uint8_t id[32], const char *zone, uint8_t **out,
                 size_t *out_len)
{
    fcp_mesh_node *n = mesh_sim_node(s, i);
    uint64_t op;
    *out = NULL;
    *out_len = 0;
    if (!n)
        return FCP_EINVAL;
    int rc = fcp_mesh_get_start(n, id, zone, &op);
    if (rc < 0)
        return rc;
    const uint8_t *data;
    size_t len;
    for (int t = 0; t < 4000; t++) {
        rc = fcp_mesh_get_result(n, op, &data, &len);
        if (rc != FCP_ERQ_NEED_MORE)
            break;
        if (mesh_sim_step(s, 5) < 0) {
            rc = FCP_EINTERNAL;
            break;
        }
    }
    if (rc == 0) {
        if (!(*out = malloc(len ? len : 1)))
            rc = FCP_ENOMEM;
        else {
            memcpy(*out, data, len);
            *out_len = len;
        }
    }
    fcp_mesh_op_release(n, op);
    return rc;
}
