/*
 * authz_operation_test.c - OperationIntent / OperationReceipt codecs,
 * signatures, ids and the receipt -> intent rule; the idempotency table
 * (prior receipt on retry, conflict, in-progress, bounded size, expiry,
 * abort) and a randomized comparison against a naive reference model.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_idempotency.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_operation.h"
#include "fcp/rng.h"

static uint8_t pk[32], sk[64];
static fcp_object_id_key zkey;

static void make_intent(fcp_operation_intent *o)
{
    fcp_schema_id s;
    memset(o, 0, sizeof *o);
    fcp_operation_intent_schema(&s);
    fcp_object_header_init(&o->header, &s, "z:work", 1704067200);
    memset(o->request_object_id, 0x96, 32);
    for (int i = 0; i < 16; i++)
        o->capability_token_jti[i] = (uint8_t)(i + 1);
    o->has_idempotency_key = 1;
    strcpy(o->idempotency_key, "idem-key-123");
    o->planned_at = 1704067200;
    strcpy(o->planned_by, "executor-node");
}

static void test_objects(void)
{
    static fcp_operation_intent in, in2;
    static fcp_operation_receipt r, r2;
    fcp_buf a, b;
    uint8_t iid[32], rid[32];
    fcp_schema_id s;
    make_intent(&in);
    CHECK_ERR(fcp_operation_intent_sign(&in, sk), 0);
    CHECK_ERR(fcp_operation_intent_verify(&in, pk), 0);
    CHECK_ERR(fcp_operation_intent_id(iid, &in, &zkey), 0);
    fcp_buf_init(&a);
    fcp_buf_init(&b);
    CHECK_ERR(fcp_operation_intent_encode(&in, FCP_VIEW_WIRE, &a), 0);
    CHECK_ERR(fcp_operation_intent_decode(&in2, a.data, a.len), 0);
    CHECK_ERR(fcp_operation_intent_encode(&in2, FCP_VIEW_WIRE, &b), 0);
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    in2.planned_at++;
    CHECK_ERR(fcp_operation_intent_verify(&in2, pk), FCP_EBAD_SIGNATURE);
    strcpy(in2.idempotency_key, "has space");
    CHECK_ERR(fcp_operation_intent_validate(&in2), FCP_EOP_KEY);

    memset(&r, 0, sizeof r);
    fcp_operation_receipt_schema(&s);
    fcp_object_header_init(&r.header, &s, "z:work", 1704067300);
    r.header.n_refs = 1;
    memcpy(r.header.refs[0], iid, 32);
    memcpy(r.request_object_id, in.request_object_id, 32);
    r.has_idempotency_key = 1;
    strcpy(r.idempotency_key, "idem-key-123");
    r.n_outcomes = 2;
    memset(r.outcome_object_ids[0], 0x30, 32);
    memset(r.outcome_object_ids[1], 0x48, 32);
    r.n_uris = 1;
    strcpy(r.resource_uris[0], "stripe://charges/ch_1");
    r.executed_at = 1704067300;
    strcpy(r.executed_by, "executor-node");
    CHECK_ERR(fcp_operation_receipt_sign(&r, sk), 0);
    CHECK_ERR(fcp_operation_receipt_verify(&r, pk), 0);
    CHECK_ERR(fcp_operation_receipt_id(rid, &r, &zkey), 0);
    CHECK(memcmp(rid, iid, 32) != 0);
    fcp_buf_reset(&a);
    fcp_buf_reset(&b);
    CHECK_ERR(fcp_operation_receipt_encode(&r, FCP_VIEW_WIRE, &a), 0);
    CHECK_ERR(fcp_operation_receipt_decode(&r2, a.data, a.len), 0);
    CHECK_ERR(fcp_operation_receipt_encode(&r2, FCP_VIEW_WIRE, &b), 0);
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    CHECK_ERR(fcp_operation_receipt_check_intent(&r2, &in, iid), 0);
    r2.header.n_refs = 0;
    CHECK_ERR(fcp_operation_receipt_check_intent(&r2, &in, iid), FCP_EOP_RECEIPT_INTENT);
    r2.header.n_refs = 1;
    r2.has_idempotency_key = 0;
    CHECK_ERR(fcp_operation_receipt_check_intent(&r2, &in, iid), FCP_EOP_RECEIPT_INTENT);
    r2.has_idempotency_key = 1;
    r2.request_object_id[0] ^= 1;
    CHECK_ERR(fcp_operation_receipt_check_intent(&r2, &in, iid), FCP_EOP_RECEIPT_INTENT);
    r2.n_outcomes = FCP_RECEIPT_MAX_OUTCOMES + 1;
    CHECK_ERR(fcp_operation_receipt_validate(&r2), FCP_ELIMIT);
    /* wrong schema in the header */
    fcp_operation_intent_schema(&r2.header.schema);
    r2.n_outcomes = 0;
    CHECK_ERR(fcp_operation_receipt_validate(&r2), FCP_ESCHEMA_MISMATCH);
    /* truncations */
    int all_fail = 1;
    for (size_t cut = 0; cut < a.len; cut++)
        if (fcp_operation_receipt_decode(&r2, a.data, cut) == 0)
            all_fail = 0;
    CHECK(all_fail);
    fcp_buf_free(&a);
    fcp_buf_free(&b);
}

static void test_idempotency(void)
{
    fcp_idem_table t;
    uint8_t hk[32] = { 1 }, req[32], req2[32], intent[32], rc1[32], got[32];
    memset(req, 1, 32);
    memset(req2, 2, 32);
    memset(intent, 3, 32);
    memset(rc1, 4, 32);
    CHECK_ERR(fcp_idem_init(&t, 0, hk), FCP_EINVAL);
    CHECK_ERR(fcp_idem_init(&t, 2, hk), 0);
    CHECK_ERR(fcp_idem_begin(&t, "z:work", "k1", req, intent, 100, 50, got), 0);
    CHECK_ERR(fcp_idem_begin(&t, "z:work", "k1", req, intent, 101, 50, got), FCP_EOP_IN_PROGRESS);
    CHECK_ERR(fcp_idem_begin(&t, "z:work", "k1", req2, intent, 101, 50, got), FCP_EOP_IDEMPOTENCY_CONFLICT);
    CHECK_ERR(fcp_idem_complete(&t, "z:work", "k1", req2, rc1, 102, 50), FCP_EOP_IDEMPOTENCY_CONFLICT);
    CHECK_ERR(fcp_idem_complete(&t, "z:work", "k1", req, rc1, 102, 50), 0);
    CHECK_ERR(fcp_idem_begin(&t, "z:work", "k1", req, intent, 103, 50, got), 1);
    CHECK_MEM(got, rc1, 32);
    /* same key in another zone is another entry */
    CHECK_ERR(fcp_idem_begin(&t, "z:private", "k1", req2, intent, 103, 50, got), 0);
    /* full: live entries are never evicted */
    CHECK_ERR(fcp_idem_begin(&t, "z:work", "k2", req, intent, 103, 50, got), FCP_EOP_IDEMPOTENCY_FULL);
    CHECK_ERR(fcp_idem_abort(&t, "z:private", "k1", 103), 0);
    CHECK_ERR(fcp_idem_abort(&t, "z:private", "k1", 103), FCP_ENOENT);
    CHECK_ERR(fcp_idem_abort(&t, "z:work", "k1", 103), FCP_EOP_IDEMPOTENCY_CONFLICT);
    CHECK_ERR(fcp_idem_begin(&t, "z:work", "k2", req, intent, 103, 5, got), 0);
    CHECK_ERR(fcp_idem_begin(&t, "z:work", "k3", req, intent, 104, 5, got), FCP_EOP_IDEMPOTENCY_FULL);
    /* after expiry k2 is reclaimed; k1 (completed at 102 + 50) still holds */
    CHECK_ERR(fcp_idem_begin(&t, "z:work", "k3", req, intent, 120, 5, got), 0);
    CHECK_ERR(fcp_idem_begin(&t, "z:work", "k1", req, intent, 120, 5, got), 1);
    /* an expired key is new again */
    CHECK_ERR(fcp_idem_begin(&t, "z:work", "k1", req2, intent, 200, 5, got), 0);
    CHECK_ERR(fcp_idem_begin(&t, "z:work", "bad key", req, intent, 200, 5, got), FCP_EOP_KEY);
    CHECK_ERR(fcp_idem_begin(&t, "work", "k", req, intent, 200, 5, got), FCP_EZONE_ID_PREFIX);
    fcp_idem_free(&t);
}

/* Randomized: the table agrees with a naive array model over random
 * begin / complete / abort / expire sequences on few keys. */
#define MK 24
static void test_idem_model(void)
{
    struct { int state; uint8_t req; uint8_t rc; uint64_t exp; } m[MK];
    fcp_idem_table t;
    fcp_rng_xoshiro x;
    uint8_t hk[32] = { 9 };
    int bad = 0;
    size_t cap = 16;
    memset(m, 0, sizeof m);
    fcp_rng_xoshiro_init(&x, 11);
    CHECK_ERR(fcp_idem_init(&t, cap, hk), 0);
    uint64_t now = 1000;
    for (int step = 0; step < 20000; step++) {
        int k = (int)fcp_rng_xoshiro_below(&x, MK), op = (int)fcp_rng_xoshiro_below(&x, 4);
        char key[8];
        uint8_t req[32], rid[32], got[32];
        uint8_t rq = (uint8_t)fcp_rng_xoshiro_below(&x, 2), rv = (uint8_t)(1 + fcp_rng_xoshiro_below(&x, 200));
        snprintf(key, sizeof key, "k%d", k);
        memset(req, rq, 32);
        memset(rid, rv, 32);
        now += fcp_rng_xoshiro_below(&x, 3);
        size_t live = 0;
        for (int j = 0; j < MK; j++)
            if (m[j].state && m[j].exp < now)
                m[j].state = 0;   /* the model forgets expired entries eagerly */
        for (int j = 0; j < MK; j++)
            live += m[j].state != 0;
        if (op == 0) {
            int rc = fcp_idem_begin(&t, "z:work", key, req, req, now, 40, got);
            int want;
            if (m[k].state == 0)
                want = live >= cap ? FCP_EOP_IDEMPOTENCY_FULL : 0;
            else if (m[k].req != rq)
                want = FCP_EOP_IDEMPOTENCY_CONFLICT;
            else
                want = m[k].state == 1 ? FCP_EOP_IN_PROGRESS : 1;
            if (rc != want || (rc == 1 && got[0] != m[k].rc))
                bad++;
            if (rc == 0) {
                m[k].state = 1;
                m[k].req = rq;
                m[k].exp = now + 40;
            }
        } else if (op == 1) {
            int rc = fcp_idem_complete(&t, "z:work", key, req, rid, now, 60);
            int want = m[k].state == 0 ? FCP_ENOENT
                       : m[k].req != rq ? FCP_EOP_IDEMPOTENCY_CONFLICT
                       : m[k].state == 2 ? (m[k].rc == rv ? 0 : FCP_EOP_IDEMPOTENCY_CONFLICT) : 0;
            if (rc != want)
                bad++;
            if (rc == 0 && m[k].state == 1) {
                m[k].state = 2;
                m[k].rc = rv;
                if (now + 60 > m[k].exp)
                    m[k].exp = now + 60;
            }
        } else if (op == 2) {
            int rc = fcp_idem_abort(&t, "z:work", key, now);
            int want = m[k].state == 0 ? FCP_ENOENT : m[k].state == 2 ? FCP_EOP_IDEMPOTENCY_CONFLICT : 0;
            if (rc != want)
                bad++;
            if (rc == 0)
                m[k].state = 0;
        } else {
            fcp_idem_expire(&t, now);
            size_t n = 0;
            for (int j = 0; j < MK; j++)
                n += m[j].state != 0;
            if (t.count != n)
                bad++;
        }
    }
    CHECK_EQ(bad, 0);
    fcp_idem_free(&t);
}

int main(void)
{
    uint8_t seed[32];
    if (fcp_crypto_init() != 0)
        return 1;
    memset(seed, 0x77, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
    memset(zkey.bytes, 0x5a, 32);
    test_objects();
    test_idempotency();
    test_idem_model();
    return fcp_t_done("authz_operation_test");
}
