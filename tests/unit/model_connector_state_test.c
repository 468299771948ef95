/*
 * model_connector_state_test.c - ConnectorStateObject (spec §10.4, D-LEASE-5):
 * codec round trip and strict decoding (every truncation, unknown and
 * missing fields, each validation rule with its code), writer signature and
 * ObjectId, and fcp_state_object_check / _accept wired to the lease fence:
 * a version chain accepted in order; stale lease_seq, a foreign prev, a
 * replayed or skipped state_seq, another instance, a forged writer refused.
 * Golden: conformance/golden/authz/connector_state.json recomputed from its
 * inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_lease.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

static uint8_t wpk[32], wsk[64], opk[32], osk[64];
static fcp_object_id_key oid;
static const uint8_t payload[] = "{\"cursor\":0}";

static int lookup(void *ctx, const uint8_t *node, size_t n, uint8_t pk[32])
{
    (void)ctx;
    if (n == 6 && !memcmp(node, "node-b", 6)) {
        memcpy(pk, wpk, 32);
        return 0;
    }
    if (n == 6 && !memcmp(node, "node-c", 6)) {
        memcpy(pk, opk, 32);
        return 0;
    }
    return FCP_ENOENT;
}

static void seedkey(uint8_t b, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t seed[32];
    memset(seed, b, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
}

/* A ConnectorStateWrite lease (lease_seq seq, owner) on subject 0x5a..,
 * observed into f; its id into id. */
static void fence(fcp_lease_fence *f, uint64_t seq, const char *owner, uint8_t id[32])
{
    fcp_lease l;
    fcp_schema_id s;
    memset(&l, 0, sizeof l);
    fcp_lease_schema(&s);
    fcp_object_header_init(&l.header, &s, "z:work", 1700000000);
    memset(l.subject_object_id, 0x5a, 32);
    l.purpose = FCP_LEASE_CONNECTOR_STATE_WRITE;
    l.lease_seq = seq;
    strcpy(l.owner_node, owner);
    strcpy(l.coordinator, "node-a");
    l.iat = 1700000000;
    l.exp = 1700000600;
    l.safety_tier = FCP_TIER_SAFE;
    CHECK_ERR(fcp_lease_object_id(id, &l, &oid), 0);
    CHECK(fcp_lease_fence_observe(f, &l, id) >= 0);
}

static void make(fcp_connector_state *s, uint64_t state_seq, const uint8_t *prev, uint64_t lease_seq,
                 const uint8_t lease_id[32], const char *writer, const uint8_t sk[64])
{
    fcp_schema_id sc;
    memset(s, 0, sizeof *s);
    fcp_connector_state_schema(&sc);
    fcp_object_header_init(&s->header, &sc, "z:work", 1700000100 + state_seq);
    strcpy(s->connector_id, "fcp.discord");
    strcpy(s->instance_id, "instance:1");
    memset(s->state_root, 0x5a, 32);
    strcpy(s->writer, writer);
    s->lease_seq = lease_seq;
    memcpy(s->lease_object_id, lease_id, 32);
    s->state_seq = state_seq;
    if (prev) {
        s->has_prev = 1;
        memcpy(s->prev, prev, 32);
    }
    s->state = payload;
    s->state_len = sizeof payload - 1;
    s->updated_at = 1700000100 + state_seq;
    CHECK_ERR(fcp_connector_state_sign(s, sk), 0);
}

static void test_codec(void)
{
    static fcp_connector_state s, d;
    fcp_buf b, b2;
    uint8_t lid[32], id1[32], id2[32];
    memset(lid, 0x4c, 32);
    make(&s, 3, lid, 9, lid, "node-b", wsk);
    fcp_buf_init(&b);
    fcp_buf_init(&b2);
    CHECK_ERR(fcp_connector_state_encode(&s, &b), 0);
    CHECK_ERR(fcp_connector_state_decode(&d, b.data, b.len), 0);
    CHECK_ERR(fcp_connector_state_encode(&d, &b2), 0);
    CHECK(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
    CHECK(d.state >= b.data && d.state < b.data + b.len);   /* zero-copy */
    CHECK_EQ(d.state_len, sizeof payload - 1);
    CHECK_ERR(fcp_connector_state_verify(&d, wpk), 0);
    CHECK_ERR(fcp_connector_state_verify(&d, opk), FCP_EBAD_SIGNATURE);
    CHECK_ERR(fcp_connector_state_id(id1, &s, &oid), 0);
    CHECK_ERR(fcp_connector_state_id(id2, &d, &oid), 0);
    CHECK_MEM(id1, id2, 32);
    /* every truncation fails, and so does a trailing byte */
    for (size_t n = 0; n < b.len; n++)
        CHECK(fcp_connector_state_decode(&d, b.data, n) != 0);
    fcp_buf_put_u8(&b, 0);
    CHECK(fcp_connector_state_decode(&d, b.data, b.len) != 0);
    b.len--;
    /* every single-byte change either fails to decode or fails to verify */
    for (size_t i = 0; i < b.len; i++) {
        b.data[i] ^= 0x01;
        if (fcp_connector_state_decode(&d, b.data, b.len) == 0)
            CHECK(fcp_connector_state_verify(&d, wpk) == FCP_EBAD_SIGNATURE);
        b.data[i] ^= 0x01;
    }
    /* validation rules, each with its code */
    d = s;
    d.has_prev = 0;   /* state_seq 3 without prev */
    CHECK_ERR(fcp_connector_state_validate(&d), FCP_ESTATE_OBJECT);
    d = s;
    d.state_seq = 0;  /* version 0 with a prev */
    CHECK_ERR(fcp_connector_state_validate(&d), FCP_ESTATE_OBJECT);
    d = s;
    strcpy(d.connector_id, "has space");
    CHECK_ERR(fcp_connector_state_validate(&d), FCP_ESTATE_OBJECT);
    d = s;
    d.instance_id[0] = 0;
    CHECK_ERR(fcp_connector_state_validate(&d), FCP_ESTATE_OBJECT);
    d = s;
    d.state = NULL;
    CHECK_ERR(fcp_connector_state_validate(&d), FCP_ESTATE_OBJECT);
    d = s;
    d.state_len = FCP_STATE_MAX_BYTES + 1;
    CHECK_ERR(fcp_connector_state_validate(&d), FCP_ESTATE_OBJECT);
    d = s;
    d.writer[0] = 0;
    CHECK_ERR(fcp_connector_state_validate(&d), FCP_ENODE_ID);
    d = s;
    fcp_lease_schema(&d.header.schema);
    CHECK_ERR(fcp_connector_state_validate(&d), FCP_ESCHEMA_MISMATCH);
    /* empty state is allowed */
    d = s;
    d.state = NULL;
    d.state_len = 0;
    fcp_buf_reset(&b2);
    CHECK_ERR(fcp_connector_state_encode(&d, &b2), 0);
    CHECK_ERR(fcp_connector_state_decode(&d, b2.data, b2.len), 0);
    CHECK_EQ(d.state_len, 0);
    /* decoder: unknown field, missing field, oversized input */
    {
        fcp_cbor_enc e;
        fcp_buf_reset(&b2);
        fcp_cbor_enc_init(&e, &b2);
        fcp_cbor_put_map(&e, 1);
        fcp_cbor_put_cstr(&e, "bogus");
        fcp_cbor_put_uint(&e, 1);
        CHECK_ERR(fcp_cbor_enc_finish(&e), 0);
        fcp_cbor_enc_free(&e);
        CHECK_ERR(fcp_connector_state_decode(&d, b2.data, b2.len), FCP_EUNKNOWN_FIELD);
        fcp_buf_reset(&b2);
        fcp_cbor_enc_init(&e, &b2);
        fcp_cbor_put_map(&e, 1);
        fcp_cbor_put_cstr(&e, "state_seq");
        fcp_cbor_put_uint(&e, 1);
        CHECK_ERR(fcp_cbor_enc_finish(&e), 0);
        fcp_cbor_enc_free(&e);
        CHECK_ERR(fcp_connector_state_decode(&d, b2.data, b2.len), FCP_EMISSING_FIELD);
        CHECK_ERR(fcp_connector_state_decode(&d, b.data, FCP_STATE_MAX_ENCODED + 1), FCP_ETOO_LARGE);
    }
    fcp_buf_free(&b);
    fcp_buf_free(&b2);
}

static int accept(const fcp_lease_fence *f, fcp_state_head *h, const fcp_connector_state *s)
{
    uint8_t id[32];
    CHECK_ERR(fcp_connector_state_id(id, s, &oid), 0);
    return fcp_state_object_accept(f, h, s, id, lookup, NULL);
}

static void test_chain_and_fence(void)
{
    static fcp_connector_state v[4], t;
    fcp_lease_fence f;
    fcp_state_head h;
    uint8_t lid9[32], lid10[32], id[4][32];
    memset(&f, 0, sizeof f);
    memset(&h, 0, sizeof h);
    fence(&f, 9, "node-b", lid9);
    make(&v[0], 0, NULL, 9, lid9, "node-b", wsk);
    CHECK_ERR(fcp_connector_state_id(id[0], &v[0], &oid), 0);
    make(&v[1], 1, id[0], 9, lid9, "node-b", wsk);
    CHECK_ERR(fcp_connector_state_id(id[1], &v[1], &oid), 0);
    make(&v[2], 2, id[1], 9, lid9, "node-b", wsk);
    CHECK_ERR(fcp_connector_state_id(id[2], &v[2], &oid), 0);
    /* without a head only version 0 is accepted */
    CHECK_ERR(fcp_state_object_check(&f, &h, &v[1], lookup, NULL), FCP_ESTATE_GENESIS);
    CHECK_ERR(fcp_state_object_check(&f, NULL, &v[1], lookup, NULL), FCP_ESTATE_GENESIS);
    CHECK_ERR(accept(&f, &h, &v[0]), 0);
    CHECK_EQ(h.state_seq, 0);
    CHECK_MEM(h.id, id[0], 32);
    /* skipping a version, replaying the head */
    CHECK_ERR(fcp_state_object_check(&f, &h, &v[2], lookup, NULL), FCP_ESTATE_SEQ);
    CHECK_ERR(fcp_state_object_check(&f, &h, &v[0], lookup, NULL), FCP_ESTATE_SEQ);
    CHECK_ERR(accept(&f, &h, &v[1]), 0);
    CHECK_ERR(accept(&f, &h, &v[1]), FCP_ESTATE_SEQ);   /* replay of the new head */
    /* a fork: right seq, wrong prev */
    make(&t, 2, id[0], 9, lid9, "node-b", wsk);
    CHECK_ERR(fcp_state_object_check(&f, &h, &t, lookup, NULL), FCP_ESTATE_PREV);
    /* another instance or state root */
    t = v[2];
    strcpy(t.instance_id, "instance:2");
    CHECK_ERR(fcp_connector_state_sign(&t, wsk), 0);
    CHECK_ERR(fcp_state_object_check(&f, &h, &t, lookup, NULL), FCP_ESTATE_INSTANCE);
    t = v[2];
    strcpy(t.connector_id, "fcp.slack");
    CHECK_ERR(fcp_connector_state_sign(&t, wsk), 0);
    CHECK_ERR(fcp_state_object_check(&f, &h, &t, lookup, NULL), FCP_ESTATE_INSTANCE);
    /* a forged writer: signed by another key, or unknown writer */
    t = v[2];
    CHECK_ERR(fcp_connector_state_sign(&t, osk), 0);
    CHECK_ERR(fcp_state_object_check(&f, &h, &t, lookup, NULL), FCP_EBAD_SIGNATURE);
    t = v[2];
    strcpy(t.writer, "node-x");
    CHECK_ERR(fcp_connector_state_sign(&t, wsk), 0);
    CHECK_ERR(fcp_state_object_check(&f, &h, &t, lookup, NULL), FCP_EBAD_SIGNATURE);
    CHECK_ERR(fcp_state_object_check(&f, &h, &v[2], NULL, NULL), FCP_EBAD_SIGNATURE);
    /* the lease fence, via fcp_state_write_check */
    make(&t, 2, id[1], 8, lid9, "node-b", wsk);
    CHECK_ERR(fcp_state_object_check(&f, &h, &t, lookup, NULL), FCP_ESTATE_FENCE_STALE);
    make(&t, 2, id[1], 10, lid9, "node-b", wsk);
    CHECK_ERR(fcp_state_object_check(&f, &h, &t, lookup, NULL), FCP_ESTATE_FENCE_UNKNOWN);
    memset(lid10, 0x99, 32);
    make(&t, 2, id[1], 9, lid10, "node-b", wsk);
    CHECK_ERR(fcp_state_object_check(&f, &h, &t, lookup, NULL), FCP_ESTATE_FENCE_LEASE);
    make(&t, 2, id[1], 9, lid9, "node-c", osk);
    CHECK_ERR(fcp_state_object_check(&f, &h, &t, lookup, NULL), FCP_ELEASE_HOLDER);
    t = v[2];
    memset(t.state_root, 0x5b, 32);
    CHECK_ERR(fcp_connector_state_sign(&t, wsk), 0);
    CHECK_ERR(fcp_state_object_check(&f, &h, &t, lookup, NULL), FCP_ELEASE_SUBJECT);
    t = v[2];
    t.updated_at = 1700000600;
    CHECK_ERR(fcp_connector_state_sign(&t, wsk), 0);
    CHECK_ERR(fcp_state_object_check(&f, &h, &t, lookup, NULL), FCP_ELEASE_EXPIRED);
    /* a newer lease to node-c fences out node-b's next version */
    fence(&f, 10, "node-c", lid10);
    CHECK_ERR(fcp_state_object_check(&f, &h, &v[2], lookup, NULL), FCP_ESTATE_FENCE_STALE);
    make(&v[3], 2, id[1], 10, lid10, "node-c", osk);
    CHECK_ERR(accept(&f, &h, &v[3]), 0);
    CHECK_EQ(h.state_seq, 2);
    /* failed checks never move the head */
    CHECK_ERR(accept(&f, &h, &v[2]), FCP_ESTATE_FENCE_STALE);
    CHECK_EQ(h.state_seq, 2);
}

/* ---- golden ------------------------------------------------------------------ */

static uint8_t *hx(const json_t *o, const char *k, size_t *n)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? fcp_t_unhex(s, n) : NULL;
}

static int same(const uint8_t *p, size_t n, const json_t *o, const char *k)
{
    size_t m;
    uint8_t *b = hx(o, k, &m);
    int ok = b && m == n && memcmp(b, p, n) == 0;
    free(b);
    return ok;
}

static const char *res(int rc)
{
    return rc ? fcp_error_name(rc) : "ok";
}

static void test_golden(void)
{
    json_error_t je;
    json_t *root = json_load_file("conformance/golden/authz/connector_state.json", 0, &je);
    static fcp_connector_state s, d, v0;
    uint8_t v0_id[32];
    int have_v0 = 0;
    size_t i;
    json_t *e;
    CHECK(root != NULL);
    if (!root)
        return;
    json_array_foreach(root, i, e) {
        const json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        const json_t *fj = json_object_get(in, "fence");
        uint8_t pk[32], sk[64], id[32], *b, *state;
        size_t n, state_len;
        fcp_schema_id sc;
        fcp_buf u, w;
        b = hx(in, "writer_ed25519_seed_hex", &n);
        fcp_ed25519_keypair_from_seed(pk, sk, b);
        free(b);
        b = hx(in, "object_id_key_hex", &n);
        memcpy(oid.bytes, b, 32);
        free(b);
        memset(&s, 0, sizeof s);
        fcp_connector_state_schema(&sc);
        fcp_object_header_init(&s.header, &sc, fcp_t_jstr(in, "zone_id"),
                               (uint64_t)json_integer_value(json_object_get(in, "created_at")));
        strcpy(s.connector_id, fcp_t_jstr(in, "connector_id"));
        strcpy(s.instance_id, fcp_t_jstr(in, "instance_id"));
        b = hx(in, "state_root_hex", &n);
        memcpy(s.state_root, b, 32);
        free(b);
        strcpy(s.writer, fcp_t_jstr(in, "writer"));
        s.lease_seq = (uint64_t)json_integer_value(json_object_get(in, "lease_seq"));
        b = hx(in, "lease_object_id_hex", &n);
        memcpy(s.lease_object_id, b, 32);
        free(b);
        s.state_seq = (uint64_t)json_integer_value(json_object_get(in, "state_seq"));
        if ((b = hx(in, "prev_hex", &n)) != NULL) {
            s.has_prev = 1;
            memcpy(s.prev, b, 32);
            free(b);
        }
        state = hx(in, "state_hex", &state_len);
        s.state = state;
        s.state_len = state_len;
        s.updated_at = (uint64_t)json_integer_value(json_object_get(in, "updated_at"));
        fcp_buf_init(&u);
        fcp_buf_init(&w);
        CHECK_ERR(fcp_connector_state_encode_unsigned(&s, &u), 0);
        CHECK(same(u.data, u.len, ex, "unsigned_cbor_hex"));
        CHECK_ERR(fcp_connector_state_sign(&s, sk), 0);
        CHECK(same(s.signature, 64, ex, "signature_hex"));
        CHECK_ERR(fcp_connector_state_encode(&s, &w), 0);
        CHECK(same(w.data, w.len, ex, "cbor_hex"));
        CHECK_ERR(fcp_connector_state_id(id, &s, &oid), 0);
        CHECK(same(id, 32, ex, "object_id_hex"));
        CHECK_ERR(fcp_connector_state_decode(&d, w.data, w.len), 0);
        CHECK_ERR(fcp_connector_state_verify(&d, pk), 0);
        /* the fence from the file, then the two chain situations */
        fcp_lease_fence f;
        fcp_state_head h;
        memset(&f, 0, sizeof f);
        f.have = 1;
        b = hx(fj, "subject_hex", &n);
        memcpy(f.subject, b, 32);
        free(b);
        f.lease_seq = (uint64_t)json_integer_value(json_object_get(fj, "lease_seq"));
        b = hx(fj, "lease_object_id_hex", &n);
        memcpy(f.lease_id, b, 32);
        free(b);
        strcpy(f.owner_node, fcp_t_jstr(fj, "owner_node"));
        f.exp = (uint64_t)json_integer_value(json_object_get(fj, "exp"));
        CHECK(strcmp(fcp_t_jstr(fj, "purpose"), "ConnectorStateWrite") == 0);
        f.purpose = FCP_LEASE_CONNECTOR_STATE_WRITE;
        memcpy(wpk, pk, 32);
        memset(&h, 0, sizeof h);
        CHECK(strcmp(res(fcp_state_object_check(&f, &h, &d, lookup, NULL)),
                     fcp_t_jstr(ex, "check_without_head")) == 0);
        if (i == 0) {
            v0 = d;
            memcpy(v0_id, id, 32);
            have_v0 = 1;
        }
        if (have_v0) {
            h.have = 1;
            strcpy(h.connector_id, v0.connector_id);
            strcpy(h.instance_id, v0.instance_id);
            memcpy(h.state_root, v0.state_root, 32);
            h.state_seq = v0.state_seq;
            memcpy(h.id, v0_id, 32);
            CHECK(strcmp(res(fcp_state_object_check(&f, &h, &d, lookup, NULL)),
                         fcp_t_jstr(ex, "check_after_state_v0")) == 0);
        }
        fcp_buf_free(&u);
        fcp_buf_free(&w);
        free(state);
    }
    CHECK(json_array_size(root) >= 4);
    json_decref(root);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    seedkey(0x0b, wpk, wsk);
    seedkey(0x0c, opk, osk);
    memset(oid.bytes, 0x33, 32);
    test_codec();
    test_chain_and_fence();
    test_golden();
    return fcp_t_done("model_connector_state_test");
}
