/*
 * host_state_test.c - singleton-writer fencing of connector state on the
 * host side (host_state.h, spec §10.4, D-RUNTIME-8): sequential writes form
 * a chain; a new activation fences the previous epoch's writer
 * (FCP_ESTATE_FENCE_STALE) and an epoch never activated is
 * FCP_ESTATE_FENCE_UNKNOWN; a writer naming a head that is not the current
 * one is refused (FCP_ESTATE_PREV / _SEQ / _GENESIS); refusals change
 * nothing; a persisted head restores and the chain continues; the state
 * root is recomputed from the golden vector conformance/golden/runtime/
 * d-runtime-8-state-root.json (made with b3sum).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/host_state.h"
#include "fcp/model_lease.h"

static uint8_t pk[32], sk[64];
static fcp_object_id_key oid;

static void golden(void)
{
    json_error_t je;
    json_t *j = json_load_file("conformance/golden/runtime/d-runtime-8-state-root.json", 0, &je);
    CHECK(j != NULL);
    if (!j)
        return;
    json_t *cases = json_object_get(j, "cases");
    CHECK_EQ(json_array_size(cases), 3);
    for (size_t i = 0; i < json_array_size(cases); i++) {
        json_t *c = json_array_get(cases, i);
        size_t n;
        uint8_t *want = fcp_t_unhex(fcp_t_jstr(c, "state_root_hex"), &n);
        uint8_t got[32];
        fcp_state_root_derive(got, fcp_t_jstr(c, "zone"), fcp_t_jstr(c, "connector_id"),
                              fcp_t_jstr(c, "instance_id"));
        CHECK_EQ(n, 32);
        CHECK_MEM(got, want, 32);
        free(want);
    }
    json_decref(j);
}

static uint64_t hseq(const fcp_state_slot *s)
{
    uint64_t q = 99;
    return fcp_state_slot_head(s, &q, NULL, NULL, NULL, NULL, NULL) == 1 ? q : 99;
}

static int same_head(const fcp_state_slot *s, const uint8_t id[32])
{
    uint8_t h[32];
    return fcp_state_slot_head(s, NULL, h, NULL, NULL, NULL, NULL) == 1 && !memcmp(h, id, 32);
}

static int put(fcp_state_slot *s, uint64_t epoch, const uint8_t *prev, size_t pl, const char *text,
               uint8_t id[32], fcp_buf *enc)
{
    return fcp_state_slot_write(s, epoch, prev, pl, (const uint8_t *)text, strlen(text), 1700000000 + epoch,
                                sk, enc, id);
}

int main(void)
{
    uint8_t seed[32];
    memset(seed, 7, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
    memset(oid.bytes, 0x33, sizeof oid.bytes);
    golden();

    int err = 0;
    CHECK(fcp_state_slot_new("z:work", "", "default", "node-a", pk, &oid, &err) == NULL);
    CHECK_EQ(err, FCP_EINVAL);
    fcp_state_slot *s = fcp_state_slot_new("z:work", "fcp.notes", "default", "node-a", pk, &oid, &err);
    CHECK(s != NULL);
    if (!s)
        return fcp_t_done("host_state_test");
    fcp_buf enc;
    fcp_buf_init(&enc);
    uint8_t id0[32], id1[32], id2[32], idx[32];

    /* no activation yet: nothing is fenced for this subject */
    CHECK(put(s, 1, NULL, 0, "a", idx, &enc) < 0);
    CHECK_EQ(fcp_state_slot_head(s, NULL, NULL, NULL, NULL, NULL, NULL), 0);

    uint64_t e1 = 0, e2 = 0;
    CHECK_ERR(fcp_state_activate(s, 1700000000, &e1), 0);
    CHECK_EQ(e1, 1);
    /* sequential writes of epoch 1 */
    CHECK_ERR(put(s, e1, NULL, 0, "v0", id0, &enc), 0);
    CHECK_EQ(hseq(s), 0);
    CHECK_ERR(put(s, e1, id0, 32, "v1", id1, &enc), 0);
    CHECK_EQ(hseq(s), 1);
    CHECK(same_head(s, id1));
    /* the encoding is a valid, signed version pointing at its prev */
    const uint8_t *henc = NULL;
    size_t hlen = 0;
    CHECK_EQ(fcp_state_slot_head(s, NULL, NULL, NULL, NULL, &henc, &hlen), 1);
    fcp_connector_state st;
    CHECK_ERR(fcp_connector_state_decode(&st, henc, hlen), 0);
    CHECK_ERR(fcp_connector_state_verify(&st, pk), 0);
    CHECK_MEM(st.prev, id0, 32);
    CHECK_EQ(st.lease_seq, 1);
    CHECK(st.state_len == 2 && !memcmp(st.state, "v1", 2));

    /* wrong prev: the writer's view is out of date */
    CHECK_ERR(put(s, e1, id0, 32, "x", idx, &enc), FCP_ESTATE_PREV);
    CHECK_ERR(put(s, e1, id0, 0, "x", idx, &enc), FCP_ESTATE_SEQ);   /* "no state yet" */
    CHECK_EQ(hseq(s), 1);
    CHECK(same_head(s, id1));

    /* second activation fences epoch 1 */
    CHECK_ERR(fcp_state_activate(s, 1700000100, &e2), 0);
    CHECK_EQ(e2, 2);
    CHECK_ERR(put(s, e1, NULL, 0, "stale", idx, &enc), FCP_ESTATE_FENCE_STALE);
    CHECK_ERR(put(s, e1, id1, 32, "stale", idx, &enc), FCP_ESTATE_FENCE_STALE);
    CHECK_ERR(put(s, 3, NULL, 0, "future", idx, &enc), FCP_ESTATE_FENCE_UNKNOWN);
    CHECK(same_head(s, id1));
    CHECK_ERR(put(s, e2, id1, 32, "v2", id2, &enc), 0);
    CHECK_EQ(hseq(s), 2);

    /* too large */
    uint8_t *big = calloc(1, FCP_STATE_MAX_BYTES + 1);
    CHECK_ERR(fcp_state_slot_write(s, e2, NULL, 0, big, FCP_STATE_MAX_BYTES + 1, 1, sk, &enc, idx),
              FCP_ETOO_LARGE);
    free(big);

    /* restore from the persisted head: the chain continues at a new epoch */
    CHECK_EQ(fcp_state_slot_head(s, NULL, NULL, NULL, NULL, &henc, &hlen), 1);
    fcp_state_slot *r = fcp_state_slot_new("z:work", "fcp.notes", "default", "node-a", pk, &oid, &err);
    CHECK(r != NULL);
    CHECK_ERR(fcp_state_slot_restore(r, fcp_state_slot_epoch(s), henc, hlen), 0);
    CHECK(same_head(r, id2));
    CHECK_EQ(hseq(r), 2);
    const uint8_t *sv = NULL;
    size_t sl = 0;
    CHECK_EQ(fcp_state_slot_head(r, NULL, NULL, &sv, &sl, NULL, NULL), 1);
    CHECK(sl == 2 && !memcmp(sv, "v2", 2));
    uint64_t e3 = 0;
    CHECK_ERR(fcp_state_activate(r, 1700000200, &e3), 0);
    CHECK_EQ(e3, 3);
    CHECK_ERR(put(r, e2, NULL, 0, "old", idx, &enc), FCP_ESTATE_FENCE_STALE);
    CHECK_ERR(put(r, e3, NULL, 0, "v3", idx, &enc), 0);
    CHECK_EQ(hseq(r), 3);
    /* rolling back to a saved head (what fcpd does when the mesh put fails) */
    CHECK_ERR(fcp_state_slot_restore(r, fcp_state_slot_epoch(r), henc, hlen), 0);
    CHECK_EQ(hseq(r), 2);
    CHECK_ERR(fcp_state_slot_restore(r, fcp_state_slot_epoch(r), NULL, 0), 0);
    CHECK_EQ(fcp_state_slot_head(r, NULL, NULL, NULL, NULL, NULL, NULL), 0);
    CHECK_EQ(fcp_state_slot_epoch(r), 3);
    fcp_state_slot_free(r);

    /* a head of another instance or a tampered one is refused */
    r = fcp_state_slot_new("z:work", "fcp.notes", "other", "node-a", pk, &oid, &err);
    CHECK_ERR(fcp_state_slot_restore(r, 1, henc, hlen), FCP_ESTATE_INSTANCE);
    fcp_state_slot_free(r);
    r = fcp_state_slot_new("z:work", "fcp.notes", "default", "node-a", pk, &oid, &err);
    uint8_t *bad = malloc(hlen);
    memcpy(bad, henc, hlen);
    bad[hlen - 1] ^= 1;   /* last signature byte */
    CHECK(fcp_state_slot_restore(r, 1, bad, hlen) < 0);
    CHECK_EQ(fcp_state_slot_head(r, NULL, NULL, NULL, NULL, NULL, NULL), 0);
    CHECK_EQ(fcp_state_slot_epoch(r), 0);
    free(bad);
    fcp_state_slot_free(r);

    fcp_buf_free(&enc);
    fcp_state_slot_free(s);
    return fcp_t_done("host_state_test");
}
