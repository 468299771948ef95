/*
 * host_state.c - per-instance singleton-writer state slots (host_state.h):
 * implicit activation leases, the fence, and the ConnectorStateObject chain
 * head a connector's state_put advances.
 */
#include "fcp/host_state.h"

#include <stdlib.h>
#include <string.h>

#include "fcp/authz_lease.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_lease.h"

_Static_assert(FCP_HOST_STATE_MAX == FCP_STATE_MAX_BYTES, "state size limits differ");
_Static_assert(FCP_HOST_STATE_ENC_MAX >= FCP_STATE_MAX_ENCODED, "state encoding limit too small");

struct fcp_state_slot {
    char     zone[FCP_ZONE_ID_MAX + 1];
    char     connector_id[FCP_STATE_ID_MAX + 1];
    char     instance_id[FCP_STATE_ID_MAX + 1];
    char     node_id[FCP_NODE_ID_MAX + 1];
    uint8_t  node_pk[32];                   /* verifies the versions this node signs */
    fcp_object_id_key oid_key;              /* the zone's ObjectIdKey */
    uint8_t  state_root[FCP_OBJECT_ID_BYTES];
    uint64_t epoch;                         /* highest activation (0: none yet) */
    uint8_t  lease_id[FCP_OBJECT_ID_BYTES]; /* ObjectId of the lease of `epoch` */
    fcp_lease_fence fence;
    fcp_state_head  head;
    fcp_buf  head_obj;                      /* canonical CBOR of the head version */
};

static void put_lv(fcp_blake3_hasher *h, const char *s)
{
    size_t n = strlen(s);
    uint8_t le[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
    fcp_blake3_hasher_update(h, le, 4);
    fcp_blake3_hasher_update(h, s, n);
}

void fcp_state_root_derive(uint8_t out[FCP_OBJECT_ID_BYTES], const char *zone, const char *connector_id,
                           const char *instance_id)
{
    static const char dom[] = "FCP2-STATE-ROOT-V1";
    fcp_blake3_hasher h;
    fcp_blake3_hasher_init(&h);
    fcp_blake3_hasher_update(&h, dom, sizeof dom - 1);
    put_lv(&h, zone);
    put_lv(&h, connector_id);
    put_lv(&h, instance_id);
    fcp_blake3_hasher_finalize(&h, out, FCP_OBJECT_ID_BYTES);
}

static int copy_id(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n == 0 || n >= cap)
        return FCP_EINVAL;
    memcpy(dst, src, n + 1);
    return 0;
}

fcp_state_slot *fcp_state_slot_new(const char *zone, const char *connector_id, const char *instance_id,
                                   const char *node_id, const uint8_t node_pk[32],
                                   const struct fcp_object_id_key *oid_key, int *err)
{
    fcp_state_slot *s = calloc(1, sizeof *s);
    if (!s) {
        *err = FCP_ENOMEM;
        return NULL;
    }
    fcp_buf_init(&s->head_obj);
    if (copy_id(s->zone, sizeof s->zone, zone) < 0 ||
        copy_id(s->connector_id, sizeof s->connector_id, connector_id) < 0 ||
        copy_id(s->instance_id, sizeof s->instance_id, instance_id) < 0 ||
        copy_id(s->node_id, sizeof s->node_id, node_id) < 0) {
        free(s);
        *err = FCP_EINVAL;
        return NULL;
    }
    memcpy(s->node_pk, node_pk, 32);
    s->oid_key = *oid_key;
    fcp_state_root_derive(s->state_root, zone, connector_id, instance_id);
    *err = 0;
    return s;
}

void fcp_state_slot_free(fcp_state_slot *s)
{
    if (!s)
        return;
    fcp_buf_free(&s->head_obj);
    fcp_memzero(s, sizeof *s);
    free(s);
}

uint64_t fcp_state_slot_epoch(const fcp_state_slot *s) { return s->epoch; }

int fcp_state_slot_head(const fcp_state_slot *s, uint64_t *seq, uint8_t id[32], const uint8_t **state,
                        size_t *state_len, const uint8_t **enc, size_t *enc_len)
{
    if (!s->head.have)
        return 0;
    if (seq)
        *seq = s->head.state_seq;
    if (id)
        memcpy(id, s->head.id, 32);
    if (enc)
        *enc = s->head_obj.data;
    if (enc_len)
        *enc_len = s->head_obj.len;
    if (state || state_len) {
        fcp_connector_state st;
        if (fcp_connector_state_decode(&st, s->head_obj.data, s->head_obj.len) < 0)
            return FCP_ESTATE_OBJECT;
        if (state)
            *state = st.state;
        if (state_len)
            *state_len = st.state_len;
    }
    return 1;
}

static int lookup(void *ctx, const uint8_t *node, size_t n, uint8_t pk[32])
{
    const fcp_state_slot *s = ctx;
    if (n != strlen(s->node_id) || memcmp(node, s->node_id, n))
        return FCP_ENOENT;
    memcpy(pk, s->node_pk, 32);
    return 0;
}

static int set_head(fcp_state_slot *s, const fcp_connector_state *st, const uint8_t id[32], const uint8_t *enc,
                    size_t len)
{
    fcp_buf b;
    fcp_buf_init(&b);
    if (fcp_buf_append(&b, enc, len) < 0) {
        fcp_buf_free(&b);
        return FCP_ENOMEM;
    }
    fcp_buf_free(&s->head_obj);
    s->head_obj = b;
    s->head.have = 1;
    memcpy(s->head.connector_id, st->connector_id, sizeof s->head.connector_id);
    memcpy(s->head.instance_id, st->instance_id, sizeof s->head.instance_id);
    memcpy(s->head.state_root, st->state_root, 32);
    s->head.state_seq = st->state_seq;
    memcpy(s->head.id, id, 32);
    return 0;
}

int fcp_state_slot_restore(fcp_state_slot *s, uint64_t epoch, const uint8_t *enc, size_t len)
{
    if (!enc || !len) {
        s->epoch = epoch;
        memset(&s->head, 0, sizeof s->head);
        fcp_buf_free(&s->head_obj);
        fcp_buf_init(&s->head_obj);
        return 0;
    }
    fcp_connector_state st;
    int rc = fcp_connector_state_decode(&st, enc, len);
    if (rc < 0)
        return rc;
    if (strcmp(st.connector_id, s->connector_id) || strcmp(st.instance_id, s->instance_id) ||
        memcmp(st.state_root, s->state_root, 32) || strcmp(st.header.zone_id, s->zone))
        return FCP_ESTATE_INSTANCE;
    if ((rc = fcp_connector_state_verify(&st, s->node_pk)) < 0)
        return rc;
    uint8_t id[32];
    if ((rc = fcp_connector_state_id(id, &st, &s->oid_key)) < 0)
        return rc;
    if ((rc = set_head(s, &st, id, enc, len)) == 0)
        s->epoch = epoch;
    return rc;
}

int fcp_state_activate(fcp_state_slot *s, uint64_t now, uint64_t *epoch_out)
{
    if (s->epoch == UINT64_MAX)
        return FCP_ELIMIT;
    fcp_lease l;
    fcp_schema_id sc;
    memset(&l, 0, sizeof l);
    fcp_lease_schema(&sc);
    int rc = fcp_object_header_init(&l.header, &sc, s->zone, now);
    if (rc < 0)
        return rc;
    memcpy(l.subject_object_id, s->state_root, 32);
    l.purpose = FCP_LEASE_CONNECTOR_STATE_WRITE;
    l.lease_seq = s->epoch + 1;
    memcpy(l.owner_node, s->node_id, sizeof l.owner_node);
    memcpy(l.coordinator, s->node_id, sizeof l.coordinator);
    l.iat = now;
    l.exp = now + FCP_STATE_LEASE_SECS;
    l.safety_tier = FCP_TIER_SAFE;
    uint8_t id[32];
    if ((rc = fcp_lease_validate(&l)) < 0 || (rc = fcp_lease_object_id(id, &l, &s->oid_key)) < 0)
        return rc;
    if ((rc = fcp_lease_fence_observe(&s->fence, &l, id)) < 0)
        return rc;
    s->epoch = l.lease_seq;
    memcpy(s->lease_id, id, 32);
    if (epoch_out)
        *epoch_out = s->epoch;
    return 0;
}

int fcp_state_slot_write(fcp_state_slot *s, uint64_t epoch, const uint8_t *expect_prev, size_t expect_prev_len,
                    const uint8_t *state, size_t state_len, uint64_t now, const uint8_t node_sk[64],
                    fcp_buf *enc, uint8_t id[FCP_OBJECT_ID_BYTES])
{
    if (state_len > FCP_STATE_MAX_BYTES)
        return FCP_ETOO_LARGE;
    if (expect_prev && expect_prev_len != 0 && expect_prev_len != FCP_OBJECT_ID_BYTES)
        return FCP_EINVAL;
    static const uint8_t empty = 0;
    fcp_connector_state st;
    fcp_schema_id sc;
    memset(&st, 0, sizeof st);
    fcp_connector_state_schema(&sc);
    int rc = fcp_object_header_init(&st.header, &sc, s->zone, now);
    if (rc < 0)
        return rc;
    memcpy(st.connector_id, s->connector_id, sizeof st.connector_id);
    memcpy(st.instance_id, s->instance_id, sizeof st.instance_id);
    memcpy(st.state_root, s->state_root, 32);
    memcpy(st.writer, s->node_id, sizeof st.writer);
    st.lease_seq = epoch;
    /* the lease of that activation; only the current one is known (an
     * earlier epoch is refused by lease_seq before its id is compared) */
    if (epoch == s->epoch)
        memcpy(st.lease_object_id, s->lease_id, 32);
    if (!expect_prev) {
        if (s->head.have) {
            st.state_seq = s->head.state_seq + 1;
            st.has_prev = 1;
            memcpy(st.prev, s->head.id, 32);
        }
    } else if (expect_prev_len == FCP_OBJECT_ID_BYTES) {
        st.state_seq = s->head.have ? s->head.state_seq + 1 : 1;
        st.has_prev = 1;
        memcpy(st.prev, expect_prev, 32);
    }
    st.state = state_len ? state : &empty;
    st.state_len = state_len;
    st.updated_at = now;
    if ((rc = fcp_connector_state_sign(&st, node_sk)) < 0)
        return rc;
    uint8_t oid[32];
    if ((rc = fcp_connector_state_id(oid, &st, &s->oid_key)) < 0)
        return rc;
    if ((rc = fcp_state_object_check(&s->fence, &s->head, &st, lookup, s)) < 0)
        return rc;
    fcp_buf b;
    fcp_buf_init(&b);
    if ((rc = fcp_connector_state_encode(&st, &b)) == 0 && (rc = set_head(s, &st, oid, b.data, b.len)) == 0) {
        rc = fcp_buf_append(enc, b.data, b.len);
        memcpy(id, oid, 32);
    }
    fcp_buf_free(&b);
    return rc;
}
