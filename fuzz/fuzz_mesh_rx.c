/*
 * fuzz_mesh_rx.c - the MeshNode engine fed arbitrary datagrams from
 * arbitrary peers.  A 3-node simulated mesh (sessions up, one small object
 * stored) is kept across inputs and rebuilt every 512 inputs.  Each input is
 * a sequence of records:
 *   mode u8 | target u8 | len u16le | bytes[len]
 *   mode % 4 == 0: raw datagram to node target%3 from an address chosen by
 *                  the first byte (a configured peer's or a stranger's);
 *                  with bit 2 of mode set, the bytes as an FCPC stream frame
 *                  from the peer the first byte names (D-MESH-11; nodes 0
 *                  and 1 are linked by streams, so their control messages
 *                  also travel that way);
 *   mode % 4 == 1: bytes sealed as the frame of an authentic session datagram
 *                  from a peer (reaches frame, AEAD and symbol handling);
 *   mode % 4 == 2: bytes as an authentic, encrypted control message (type =
 *                  target) from a peer (reaches the gossip / request / ack
 *                  decoders and their logic);
 *   mode % 4 == 3: advance the simulated clock by target ms and deliver.
 * The engine must never crash, never fail for bad input, and keep its own
 * memory below a fixed bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "mesh/mesh_internal.h"
#include "mesh/mesh_sim.h"

#define MEM_BOUND (96ull << 20)

static mesh_sim *g_sim;
static unsigned g_runs;

static void sim_reset(void)
{
    mesh_sim_free(g_sim);
    g_sim = NULL;
    mesh_sim_opts o;
    memset(&o, 0, sizeof o);
    o.n_nodes = 3;
    o.seed = 11;
    o.limits.max_decode_bytes = 16u << 20;
    if (mesh_sim_new(&g_sim, &o) < 0)
        abort();
    if (mesh_sim_set_link(g_sim, 0, 1, 1160, 1) < 0 || mesh_sim_set_link(g_sim, 1, 0, 1160, 1) < 0)
        abort();
    mesh_sim_run(g_sim, 200, 10);
    uint8_t id[32];
    static const uint8_t msg[3000] = { 1, 2, 3 };
    if (fcp_mesh_put(mesh_sim_node(g_sim, 0), MESH_SIM_ZONE, msg, sizeof msg, id, NULL) < 0)
        abort();
    mesh_sim_run(g_sim, 1500, 10);
}

/* Seal frame[0..len) as the next authentic datagram of node src's session
 * with its peer index p, and deliver it to that peer. */
static void send_sealed(size_t src, size_t p, const uint8_t *frame, size_t len)
{
    fcp_mesh_node *n = mesh_sim_node(g_sim, src);
    if (!n || p >= n->n_peers || !n->peers[p].up || len > FCP_MESH_MAX_DATAGRAM - FCP_DGRAM_HEADER_BYTES)
        return;
    uint8_t d[FCP_MESH_MAX_DATAGRAM];
    size_t dl;
    if (fcp_session_chan_seal(&n->peers[p].chan, d, sizeof d, &dl, frame, len) < 0)
        return;
    size_t dst = n->peers[p].addr.bytes[0];
    fcp_mesh_node *t = mesh_sim_node(g_sim, dst);
    fcp_mesh_addr from = mesh_sim_addr(src);
    if (t && fcp_mesh_on_datagram(t, &from, d, dl) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_sim || ++g_runs % 512 == 0) {
        if (!g_sim)
            fcp_crypto_init();
        sim_reset();
    }
    size_t off = 0;
    while (off + 4 <= size) {
        uint8_t mode = data[off], target = data[off + 1];
        size_t len = (size_t)data[off + 2] | ((size_t)data[off + 3] << 8);
        off += 4;
        if (len > size - off)
            len = size - off;
        const uint8_t *b = data + off;
        off += len;
        size_t node = target % 3;
        switch (mode % 4) {
        case 0: {
            fcp_mesh_addr from;
            if ((mode >> 2) & 1u) {
                fcp_mesh_node *n = mesh_sim_node(g_sim, node);
                const char *peer = mesh_sim_node_id(g_sim, len > 0 ? b[0] % 3 : 0);
                int rc = n ? fcp_mesh_on_stream(n, peer, b, len) : 0;
                if (rc != 0 && rc != FCP_EMESH_UNKNOWN_PEER)
                    abort();
                break;
            }
            if (len > 0 && b[0] < 3) {
                from = mesh_sim_addr(b[0]);
            } else {
                memset(&from, 0, sizeof from);
                from.len = 2;
                from.bytes[0] = 0xee;
                from.bytes[1] = len ? b[0] : 0;
            }
            fcp_mesh_node *n = mesh_sim_node(g_sim, node);
            if (n && fcp_mesh_on_datagram(n, &from, b, len) != 0)
                abort();
            break;
        }
        case 1:
            send_sealed(node, (size_t)(mode >> 2) % 2, b, len);
            break;
        case 2: {
            fcp_mesh_node *n = mesh_sim_node(g_sim, node);
            size_t p = (size_t)(mode >> 2) % 2;
            if (n && p < n->n_peers && n->peers[p].up)
                (void)mesh_queue_control(n, p, target, b, len > MESH_CTL_MAX_BODY ? MESH_CTL_MAX_BODY : len);
            if (mesh_sim_step(g_sim, 1) < 0)
                abort();
            break;
        }
        default:
            if (mesh_sim_step(g_sim, target) < 0)
                abort();
            break;
        }
    }
    if (mesh_sim_step(g_sim, 1) < 0)
        abort();
    for (size_t i = 0; i < 3; i++) {
        fcp_mesh_node *n = mesh_sim_node(g_sim, i);
        if (n && fcp_mesh_memory_bytes(n) > MEM_BOUND)
            abort();
    }
    return 0;
}
