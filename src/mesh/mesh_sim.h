/*
 * mesh_sim.h - an in-process mesh of N MeshNode engines joined by lossless
 * in-memory links, one manual clock and seeded RNGs: the harness of the mesh
 * unit tests, the fuzzer and cmd/fcp-meshsim.  Deterministic for a given
 * seed (no sockets, no system clock).
 *
 * Node i has address token {1 byte: i}; killing a node frees its engine and
 * its store (everything it held is lost); restarting builds a fresh engine
 * with an empty store and the same identity.
 */
#ifndef FCP_MESH_SIM_H
#define FCP_MESH_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/clock.h"
#include "fcp/mesh.h"

#define MESH_SIM_MAX_NODES 8u
#define MESH_SIM_ZONE      "z:private"
#define MESH_SIM_ZONE_B    "z:work"    /* second zone, served by zone_b nodes only */

typedef struct mesh_sim mesh_sim;

typedef struct mesh_sim_opts {
    size_t          n_nodes;    /* 1..MESH_SIM_MAX_NODES */
    uint64_t        seed;
    fcp_mesh_limits limits;     /* zero fields: defaults */
    uint64_t        store_max;  /* per-node memstore cap, 0 = none */
    uint32_t        zone_b;     /* bit i: node i also serves MESH_SIM_ZONE_B (0: one zone) */
    uint32_t        detached;   /* bit i: node i starts outside the mesh (no peers, nobody's
                                 * peer) until a test adds it (fcp_mesh_member_add) */
} mesh_sim_opts;

/* 0, FCP_EINVAL, FCP_ENOMEM, node construction errors. */
int mesh_sim_new(mesh_sim **out, const mesh_sim_opts *o);
void mesh_sim_free(mesh_sim *s);

size_t mesh_sim_size(const mesh_sim *s);
/* The node's engine, NULL while it is killed. */
fcp_mesh_node *mesh_sim_node(mesh_sim *s, size_t i);
const char *mesh_sim_node_id(const mesh_sim *s, size_t i);
const fcp_mesh_store *mesh_sim_store(const mesh_sim *s, size_t i);
const fcp_clock *mesh_sim_clock(mesh_sim *s);
/* The address token node i starts with. */
fcp_mesh_addr mesh_sim_addr(size_t i);
/* Node i's peer config as the others see it (id, current address,
 * attestation, zones). */
void mesh_sim_peer_config(const mesh_sim *s, size_t i, fcp_mesh_peer_config *out);
/* Node i moves to address token a: it sends from a, datagrams to a reach it,
 * its old address reaches nobody. */
void mesh_sim_set_addr(mesh_sim *s, size_t i, const fcp_mesh_addr *a);
/* Zone keys every node serves (to build a forged-but-keyed peer in tests). */
const fcp_mesh_zone_config *mesh_sim_zone(const mesh_sim *s);

/* Carrier facts of the link from node i to node j (D-MESH-11/12): node i is
 * told them (fcp_mesh_member_set_link, again after each restart), and with
 * stream set the FCPC frames i queues for j are delivered to j in order
 * (fcp_mesh_on_stream) during each step.  0, FCP_EINVAL, engine errors. */
int mesh_sim_set_link(mesh_sim *s, size_t i, size_t j, size_t dgram_max, int stream);
/* Stream frames delivered so far. */
uint64_t mesh_sim_stream_delivered(const mesh_sim *s);
/* Largest datagram node i sent to node j so far. */
size_t mesh_sim_max_datagram(const mesh_sim *s, size_t i, size_t j);
/* Run a get of id on node i to completion (zone may be NULL), stepping the
 * mesh 5 ms at a time for at most 20 s simulated.  0 with *out (malloc'd,
 * caller frees) and *out_len, or the get's error (FCP_EINTERNAL if a step
 * failed). */
int mesh_sim_get(mesh_sim *s, size_t i, const uint8_t id[32], const char *zone, uint8_t **out,
                 size_t *out_len);
int mesh_sim_kill(mesh_sim *s, size_t i);
int mesh_sim_restart(mesh_sim *s, size_t i);

/* Advance the clock by ms, tick every live node, then deliver datagrams
 * until no node has anything to send (at most max_rounds passes; 0 = 64).
 * Returns the number of datagrams delivered, or a node's error. */
long mesh_sim_step(mesh_sim *s, uint64_t ms);
/* Advance the clock by ms and tick every live node without delivering
 * anything: what the nodes queue stays in flight until the next step (a
 * test uses it to act while requests and pushes are on the wire).  0 or a
 * node's error. */
int mesh_sim_tick(mesh_sim *s, uint64_t ms);
/* mesh_sim_step(step_ms) repeated for total_ms. */
long mesh_sim_run(mesh_sim *s, uint64_t total_ms, uint64_t step_ms);
/* Datagrams delivered / dropped (destination down) so far. */
uint64_t mesh_sim_delivered(const mesh_sim *s);
uint64_t mesh_sim_dropped(const mesh_sim *s);

#endif
