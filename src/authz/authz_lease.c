/*
 * authz_lease.c - lease evaluation (spec §15.1, review Change 11): HRW
 * coordinator selection (D-LEASE-2), quorum per safety tier (D-ZONE-5),
 * fencing by lease_seq (D-LEASE-3), the conflict rule (D-LEASE-4) and
 * fencing of singleton-writer connector state updates.
 */
#include "fcp/authz_lease.h"

#include <string.h>

#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

/* 1 if node i ranks before node j. */
static int ranks_before(uint64_t si, const char *ni, uint64_t sj, const char *nj)
{
    if (si != sj)
        return si > sj;
    return fcp_node_id_cmp((const uint8_t *)ni, strlen(ni), (const uint8_t *)nj, strlen(nj)) < 0;
}

static void put_len(fcp_blake3_hasher *h, size_t n)
{
    uint8_t le[4];
    fcp_store_u32le(le, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
    fcp_blake3_hasher_update(h, le, 4);
}

static uint64_t score(const char *dom, const char *zone, size_t zone_len, const uint8_t *key,
                      size_t key_len, const char *node, size_t node_len)
{
    fcp_blake3_hasher h;
    uint8_t out[8];
    fcp_blake3_hasher_init(&h);
    fcp_blake3_hasher_update(&h, dom, strlen(dom));
    put_len(&h, zone_len);
    fcp_blake3_hasher_update(&h, zone, zone_len);
    put_len(&h, key_len);
    fcp_blake3_hasher_update(&h, key, key_len);
    put_len(&h, node_len);
    fcp_blake3_hasher_update(&h, node, node_len);
    fcp_blake3_hasher_finalize(&h, out, sizeof out);
    return fcp_load_u64le(out);
}

uint64_t fcp_hrw_score(const char *zone, size_t zone_len, const uint8_t *key, size_t key_len,
                       const char *node, size_t node_len)
{
    return score("FCP2-HRW-V1", zone, zone_len, key, key_len, node, node_len);
}

uint64_t fcp_hrw_checkpoint_score(const char *zone, size_t zone_len, const char *epoch,
                                  size_t epoch_len, const char *node, size_t node_len)
{
    return score("FCP2-HRW-CHECKPOINT-V1", zone, zone_len, (const uint8_t *)epoch, epoch_len, node,
                 node_len);
}

void fcp_hrw_checkpoint_rank(const char *zone, size_t zone_len, const char *epoch,
                             size_t epoch_len, const char *const *nodes, size_t n, size_t *order)
{
    uint64_t sc[FCP_QUORUM_MAX];
    if (n > FCP_QUORUM_MAX)
        n = FCP_QUORUM_MAX;
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        sc[i] = fcp_hrw_checkpoint_score(zone, zone_len, epoch, epoch_len, nodes[i],
                                         strlen(nodes[i]));
    }
    for (size_t i = 1; i < n; i++) {
        size_t v = order[i], j = i;
        while (j > 0 && ranks_before(sc[v], nodes[v], sc[order[j - 1]], nodes[order[j - 1]])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
}

int fcp_hrw_select(const char *zone, size_t zone_len, const uint8_t *key, size_t key_len,
                   const char *const *nodes, size_t n)
{
    int best = -1;
    uint64_t bs = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t s = fcp_hrw_score(zone, zone_len, key, key_len, nodes[i], strlen(nodes[i]));
        if (best < 0 || ranks_before(s, nodes[i], bs, nodes[best])) {
            best = (int)i;
            bs = s;
        }
    }
    return best;
}

void fcp_hrw_rank(const char *zone, size_t zone_len, const uint8_t *key, size_t key_len,
                  const char *const *nodes, size_t n, size_t *order)
{
    uint64_t sc[FCP_QUORUM_MAX];
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        if (i < FCP_QUORUM_MAX)
            sc[i] = fcp_hrw_score(zone, zone_len, key, key_len, nodes[i], strlen(nodes[i]));
    }
    if (n > FCP_QUORUM_MAX)
        n = FCP_QUORUM_MAX;
    for (size_t i = 1; i < n; i++) {
        size_t v = order[i], j = i;
        while (j > 0 && ranks_before(sc[v], nodes[v], sc[order[j - 1]], nodes[order[j - 1]])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
}

static int is_signer(const fcp_zone_definition *def, const char *node)
{
    for (size_t i = 0; i < def->n_signers && i < FCP_ZONE_MAX_SIGNERS; i++)
        if (strcmp(def->quorum_signers[i], node) == 0)
            return 1;
    return 0;
}

int fcp_lease_verify(const fcp_lease *l, const fcp_zone_definition *def, uint64_t now,
                     fcp_node_key_lookup lookup, void *ctx)
{
    const char *nodes[FCP_ZONE_MAX_SIGNERS];
    fcp_quorum_sig q[FCP_QUORUM_MAX];
    fcp_schema_id s;
    fcp_buf b;
    size_t need;
    int win, coord_signed = 0, rc;
    TRY(fcp_lease_validate(l));
    if (strcmp(l->header.zone_id, def->zone_id) != 0)
        return FCP_EAUTHZ_ZONE_MISMATCH;
    if (l->iat > now && l->iat - now > FCP_LEASE_MAX_SKEW)
        return FCP_ELEASE_NOT_YET;
    if (now >= l->exp)
        return FCP_ELEASE_EXPIRED;
    if (def->n_signers > FCP_ZONE_MAX_SIGNERS)
        return FCP_ELIMIT;
    for (size_t i = 0; i < def->n_signers; i++)
        nodes[i] = def->quorum_signers[i];
    win = fcp_hrw_select(def->zone_id, strlen(def->zone_id), l->subject_object_id, 32, nodes,
                         def->n_signers);
    if (win < 0 || strcmp(nodes[win], l->coordinator) != 0)
        return FCP_ELEASE_COORDINATOR;
    for (size_t i = 0; i < l->n_sigs; i++) {
        if (!is_signer(def, l->sigs[i].node_id))
            return FCP_ELEASE_SIGNER;
        if (strcmp(l->sigs[i].node_id, l->coordinator) == 0)
            coord_signed = 1;
    }
    if (!coord_signed)
        return FCP_ELEASE_COORDINATOR;
    need = fcp_quorum_required(l->safety_tier, def->n_signers,
                               (size_t)fcp_zone_definition_faults(def));
    if (need == 0)
        return FCP_EZONE_QUORUM_CONFIG;
    if (l->n_sigs < need)
        return FCP_ELEASE_QUORUM;
    for (size_t i = 0; i < l->n_sigs; i++) {
        q[i].node_id = (const uint8_t *)l->sigs[i].node_id;
        q[i].node_id_len = strlen(l->sigs[i].node_id);
        memcpy(q[i].sig, l->sigs[i].sig, FCP_SIG_BYTES);
    }
    fcp_lease_schema(&s);
    fcp_buf_init(&b);
    rc = fcp_lease_encode_unsigned(l, &b);
    if (rc == 0)
        rc = fcp_quorum_verify(q, l->n_sigs, need, &s, b.data, b.len, lookup, ctx);
    fcp_buf_free(&b);
    return rc;
}

int fcp_lease_fence_observe(fcp_lease_fence *f, const fcp_lease *l,
                            const uint8_t id[FCP_OBJECT_ID_BYTES])
{
    if (f->have) {
        if (memcmp(f->subject, l->subject_object_id, 32) != 0)
            return FCP_ELEASE_SUBJECT;
        if (l->lease_seq < f->lease_seq)
            return FCP_ELEASE_STALE;
        if (l->lease_seq == f->lease_seq)
            return memcmp(f->lease_id, id, 32) == 0 ? 1 : FCP_ELEASE_CONFLICT;
    }
    f->have = 1;
    memcpy(f->subject, l->subject_object_id, 32);
    f->lease_seq = l->lease_seq;
    memcpy(f->lease_id, id, 32);
    f->safety_tier = l->safety_tier;
    f->exp = l->exp;
    f->purpose = l->purpose;
    memcpy(f->owner_node, l->owner_node, sizeof f->owner_node);
    return 0;
}

int fcp_lease_pick(const fcp_lease *a, const uint8_t ida[FCP_OBJECT_ID_BYTES], const fcp_lease *b,
                   const uint8_t idb[FCP_OBJECT_ID_BYTES])
{
    int c;
    if (memcmp(a->subject_object_id, b->subject_object_id, 32) != 0)
        return FCP_ELEASE_SUBJECT;
    if (memcmp(ida, idb, 32) == 0)
        return 0;
    if (a->lease_seq != b->lease_seq)
        return a->lease_seq > b->lease_seq ? 0 : 1;
    if (a->safety_tier == FCP_TIER_DANGEROUS || b->safety_tier == FCP_TIER_DANGEROUS)
        return FCP_ELEASE_CONFLICT;
    if (a->exp != b->exp)
        return a->exp > b->exp ? 0 : 1;
    c = fcp_node_id_cmp((const uint8_t *)a->coordinator, strlen(a->coordinator),
                        (const uint8_t *)b->coordinator, strlen(b->coordinator));
    if (c != 0)
        return c > 0 ? 0 : 1;
    /* same (seq, exp, coordinator), different content: deterministic by id */
    return memcmp(ida, idb, 32) > 0 ? 0 : 1;
}

int fcp_state_write_check(const fcp_lease_fence *f, const fcp_state_write *w)
{
    if (!w->singleton_writer)
        return 0;
    if (!w->has_lease_seq || !w->has_lease_object_id)
        return FCP_ESTATE_FENCE_MISSING;
    if (!w->writer_node || w->writer_len == 0)
        return FCP_ELEASE_HOLDER;
    if (!f->have || memcmp(f->subject, w->subject, 32) != 0)
        return FCP_ELEASE_SUBJECT;
    if (w->lease_seq < f->lease_seq)
        return FCP_ESTATE_FENCE_STALE;
    if (w->lease_seq > f->lease_seq)
        return FCP_ESTATE_FENCE_UNKNOWN;
    if (memcmp(w->lease_object_id, f->lease_id, 32) != 0)
        return FCP_ESTATE_FENCE_LEASE;
    if (f->purpose != FCP_LEASE_CONNECTOR_STATE_WRITE)
        return FCP_ELEASE_PURPOSE;
    if (strlen(f->owner_node) != w->writer_len ||
        memcmp(f->owner_node, w->writer_node, w->writer_len) != 0)
        return FCP_ELEASE_HOLDER;
    if (w->updated_at >= f->exp)
        return FCP_ELEASE_EXPIRED;
    return 0;
}

/* ---- ConnectorStateObject versions (D-LEASE-5) ----------------------------- */

void fcp_state_write_from_object(fcp_state_write *w, const fcp_connector_state *s)
{
    memset(w, 0, sizeof *w);
    w->singleton_writer = 1;
    w->writer_node = s->writer;
    w->writer_len = strnlen(s->writer, FCP_NODE_ID_MAX + 1);
    memcpy(w->subject, s->state_root, FCP_OBJECT_ID_BYTES);
    w->has_lease_seq = 1;
    w->lease_seq = s->lease_seq;
    w->has_lease_object_id = 1;
    memcpy(w->lease_object_id, s->lease_object_id, FCP_OBJECT_ID_BYTES);
    w->updated_at = s->updated_at;
}

int fcp_state_object_check(const fcp_lease_fence *f, const fcp_state_head *head,
                           const fcp_connector_state *s, fcp_node_key_lookup lookup, void *ctx)
{
    fcp_state_write w;
    uint8_t pk[32];
    int rc;
    /* 1: who wrote it, before anything it says is believed */
    if (!lookup || lookup(ctx, (const uint8_t *)s->writer, strlen(s->writer), pk) != 0)
        return FCP_EBAD_SIGNATURE;
    if (fcp_connector_state_verify(s, pk) != 0)
        return FCP_EBAD_SIGNATURE;
    /* 2: the fencing token (review Change 11) */
    fcp_state_write_from_object(&w, s);
    if ((rc = fcp_state_write_check(f, &w)) != 0)
        return rc;
    /* 3: the version chain (spec §10.4 prev) */
    if (!head || !head->have)
        return (s->state_seq == 0 && !s->has_prev) ? 0 : FCP_ESTATE_GENESIS;
    if (strcmp(s->connector_id, head->connector_id) != 0 ||
        strcmp(s->instance_id, head->instance_id) != 0 ||
        memcmp(s->state_root, head->state_root, FCP_OBJECT_ID_BYTES) != 0)
        return FCP_ESTATE_INSTANCE;
    if (head->state_seq == UINT64_MAX || s->state_seq != head->state_seq + 1)
        return FCP_ESTATE_SEQ;
    if (!s->has_prev || memcmp(s->prev, head->id, FCP_OBJECT_ID_BYTES) != 0)
        return FCP_ESTATE_PREV;
    return 0;
}

int fcp_state_object_accept(const fcp_lease_fence *f, fcp_state_head *head,
                            const fcp_connector_state *s, const uint8_t id[FCP_OBJECT_ID_BYTES],
                            fcp_node_key_lookup lookup, void *ctx)
{
    int rc = fcp_state_object_check(f, head, s, lookup, ctx);
    if (rc)
        return rc;
    head->have = 1;
    memcpy(head->connector_id, s->connector_id, sizeof head->connector_id);
    memcpy(head->instance_id, s->instance_id, sizeof head->instance_id);
    memcpy(head->state_root, s->state_root, FCP_OBJECT_ID_BYTES);
    head->state_seq = s->state_seq;
    memcpy(head->id, id, FCP_OBJECT_ID_BYTES);
    return 0;
}
