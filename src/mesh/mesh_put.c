/*
 * mesh_put.c - put: bytes -> FCP objects -> RaptorQ symbols -> placement.
 *
 * A payload up to the chunk threshold (256 KiB) becomes one RawChunk object;
 * a longer one becomes 64 KiB RawChunk objects and a ChunkedObjectManifest
 * (chunked.h, spec Appendix B), whose id is the one returned.  Each object's
 * canonical bytes ("FCP2-OBJECT-V1" || header || body) are one RaptorQ
 * source block (D-RQ-1).
 *
 * Placement (D-MESH-1, D-MESH-9): the zone's members (us and the peers that
 * serve the zone) sorted by node id, n of them; member j gets
 * ESIs j, j + n, j + 2n, ... (share of them, mesh_share), so shares are
 * disjoint and any n - 1 members hold (n - 1) * share >= K + overhead
 * distinct symbols.  Our share goes to the store, the others' into their
 * transmit queues; a peer that is down or whose queue is full gets nothing
 * now, and the repair loop delivers its share once gossip shows the gap,
 * from the object bytes the put cache keeps until every peer confirmed.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/model_object.h"
#include "mesh/mesh_internal.h"

uint16_t mesh_put_symbol_size(const fcp_mesh_node *n, size_t zone)
{
    uint16_t T = (uint16_t)n->lim.symbol_size;
    for (size_t pi = 0; pi < n->n_peers; pi++) {
        const mesh_peer *p = &n->peers[pi];
        uint16_t t;
        if (!mesh_serves(p, zone) || p->dgram_max == 0 ||
            fcp_fcps_symbol_size_for((uint32_t)p->dgram_max, 1, &t) < 0)
            continue; /* no smaller path known: the 1200-byte default */
        if (t < T)
            T = t;
    }
    return T;
}

int mesh_encode_and_place(fcp_mesh_node *n, size_t zone, const uint8_t id[32], const uint8_t *obj,
                          size_t len, uint16_t T, uint32_t flags, long only_peer, uint64_t *pushed)
{
    uint32_t K;
    int rc = fcp_rq_fcp_k(len, T, &K);
    if (rc < 0)
        return rc;
    if (K > 65535u)
        return FCP_ETOO_LARGE;
    size_t blen = (size_t)K * T;
    uint8_t *block = malloc(blen);
    uint8_t *sym = malloc(T);
    fcp_rq_encoder *enc = NULL;
    if (!block || !sym) {
        rc = FCP_ENOMEM;
        goto out;
    }
    if ((rc = fcp_rq_fcp_pad(obj, len, T, block, blen)) < 0)
        goto out;
    if ((rc = fcp_rq_encoder_new(&enc, block, K, T, NULL)) < 0)
        goto out;
    uint32_t share = mesh_share(n, zone, K);
    size_t nm = n->zn[zone];
    fcp_mesh_obj_meta m;
    memset(&m, 0, sizeof m);
    memcpy(m.object_id, id, 32);
    memcpy(m.zone_id, n->zones[zone].cfg.zone_id, sizeof m.zone_id);
    m.k = K;
    m.symbol_size = T;
    m.flags = flags;
    for (size_t mem = 0; mem < nm; mem++) {
        size_t pi = mesh_member_peer(n, zone, mem);
        if (only_peer >= 0 && pi != (size_t)only_peer)
            continue;
        if (pi != SIZE_MAX && !n->peers[pi].up)
            continue;
        for (uint32_t i = 0; i < share; i++) {
            uint64_t esi = mem + (uint64_t)nm * i;
            if (esi > FCP_RQ_MAX_ESI)
                break;
            if ((rc = fcp_rq_encoder_symbol(enc, (uint32_t)esi, sym)) < 0)
                goto out;
            if (pi == SIZE_MAX) {
                rc = n->store.put_symbol(n->store.ctx, &m, (uint32_t)esi, sym, T);
                if (rc < 0)
                    goto out;
                if (rc == 0)
                    n->c.symbols_stored++;
            } else {
                rc = mesh_queue_symbol(n, pi, zone, FCP_FCPS_FLAGS_DEFAULT, id, (uint32_t)esi,
                                       (uint16_t)K, sym, T);
                if (rc == FCP_EMESH_BUSY)
                    break;
                if (rc < 0)
                    goto out;
                if (pushed)
                    (*pushed)++;
            }
        }
    }
    if (flags && only_peer < 0 && n->store.stat(n->store.ctx, id, &m) == 0)
        (void)n->store.set_flags(n->store.ctx, id, flags);
    rc = 0;
out:
    fcp_rq_encoder_free(enc);
    free(block);
    free(sym);
    return rc;
}

typedef struct put_ctx {
    fcp_mesh_node *n;
    size_t         zone;
    uint16_t       T;      /* one symbol size for every object of the put */
    uint64_t       pushed;
    fcp_buf        canon;
} put_ctx;

static int place_object(put_ctx *pc, const fcp_object_header *h, const uint8_t *body,
                        size_t body_len, const uint8_t id[32], uint32_t flags)
{
    fcp_buf_reset(&pc->canon);
    int rc = fcp_object_canonical_bytes(h, body, body_len, &pc->canon);
    if (rc < 0)
        return rc;
    if ((rc = mesh_pending_add(pc->n, id, pc->zone, flags, pc->T, pc->canon.data,
                               pc->canon.len)) < 0)
        return rc;
    return mesh_encode_and_place(pc->n, pc->zone, id, pc->canon.data, pc->canon.len, pc->T, flags,
                                 -1, &pc->pushed);
}

static int emit_chunk(void *ctx, uint32_t i, const fcp_object_header *h, const uint8_t *body,
                      size_t body_len, const uint8_t id[32])
{
    (void)i;
    return place_object(ctx, h, body, body_len, id, 0);
}

int fcp_mesh_put(fcp_mesh_node *n, const char *zone, const uint8_t *data, size_t len,
                 uint8_t object_id[FCP_OBJECT_ID_BYTES], uint64_t *op)
{
    size_t zi;
    if (!zone || !data || len == 0)
        return FCP_EINVAL;
    int rc = mesh_zone_index(n, zone, &zi);
    if (rc < 0)
        return rc;
    if (len > n->rq.max_object_size)
        return FCP_ETOO_LARGE;
    /* the put cache must hold every object of this put: payload, plus per
     * 64 KiB chunk its header and CBOR framing, plus the manifest */
    uint64_t objects = len / n->rq.chunk_size + 2;
    if ((rc = mesh_pending_reserve(n, (uint64_t)len + objects * 4096u)) < 0)
        return rc;
    const fcp_object_id_key *key = &n->zones[zi].cfg.oid_key;
    fcp_object_header *h = calloc(1, sizeof *h);
    if (!h)
        return FCP_ENOMEM;
    put_ctx pc = { .n = n, .zone = zi, .T = mesh_put_symbol_size(n, zi), .pushed = 0 };
    fcp_buf_init(&pc.canon);
    fcp_buf body;
    fcp_buf_init(&body);
    fcp_schema_id schema;
    fcp_raw_chunk_schema(&schema);
    if ((rc = fcp_object_header_init(h, &schema, zone, fcp_clock_unix_secs(n->clk))) < 0)
        goto out;
    if (!fcp_rq_config_requires_chunking(&n->rq, len)) {
        if ((rc = fcp_raw_chunk_body_encode(data, len, &body)) < 0)
            goto out;
        if ((rc = fcp_object_derive_id(object_id, h, body.data, body.len, key)) < 0)
            goto out;
        rc = place_object(&pc, h, body.data, body.len, object_id, FCP_MESH_OBJ_ROOT);
    } else {
        uint8_t mid[32];
        if ((rc = fcp_chunked_split(&n->rq, h, key, data, len, 0, emit_chunk, &pc, &body, mid)) < 0)
            goto out;
        fcp_chunk_manifest_schema(&h->schema);
        if ((rc = fcp_object_derive_id(object_id, h, body.data, body.len, key)) < 0)
            goto out;
        if (memcmp(object_id, mid, 32) != 0) {
            rc = FCP_EINTERNAL;
            goto out;
        }
        rc = place_object(&pc, h, body.data, body.len, object_id, FCP_MESH_OBJ_ROOT);
    }
    if (rc == 0) {
        uint64_t id = n->next_op_id++;
        if (op)
            *op = id;
        mesh_event(n, FCP_MESH_EV_PUT_DONE, 0, id, -1, object_id,
                   pc.pushed > UINT32_MAX ? UINT32_MAX : (uint32_t)pc.pushed);
    }
out:
    fcp_buf_free(&pc.canon);
    fcp_buf_free(&body);
    free(h);
    return rc;
}
