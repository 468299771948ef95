/*
 * authz_approval_test.c - ApprovalToken codec (all three scopes), signature,
 * expiry and skew, token ids, method patterns, the JSON pointer over CBOR,
 * input constraints and hashes; provenance merge / crossing / taint rules
 * (with a randomized merge property).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_provenance.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_approval.h"
#include "fcp/rng.h"

static uint8_t pk[32], sk[64], pk2[32], sk2[64];

/* {"to": "a@b", "n": 5, "list": [1, {"x": true}], "a/b": 1, "m~n": 2} */
static size_t make_input(uint8_t *out, size_t cap)
{
    fcp_buf b;
    fcp_cbor_enc e;
    fcp_buf_init_fixed(&b, out, cap);
    fcp_cbor_enc_init(&e, &b);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "to");
    fcp_cbor_put_cstr(&e, "a@b");
    fcp_cbor_put_cstr(&e, "n");
    fcp_cbor_put_uint(&e, 5);
    fcp_cbor_put_cstr(&e, "list");
    fcp_cbor_put_array(&e, 2);
    fcp_cbor_put_uint(&e, 1);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "x");
    fcp_cbor_put_bool(&e, 1);
    fcp_cbor_map_close(&e);
    fcp_cbor_put_cstr(&e, "a/b");
    fcp_cbor_put_uint(&e, 1);
    fcp_cbor_put_cstr(&e, "m~n");
    fcp_cbor_put_uint(&e, 2);
    fcp_cbor_put_uint(&e, 7);   /* non-text key never matches */
    fcp_cbor_put_uint(&e, 8);
    fcp_cbor_map_close(&e);
    CHECK_ERR(fcp_cbor_enc_finish(&e), 0);
    fcp_cbor_enc_free(&e);
    return b.len;
}

static void test_pointer(void)
{
    uint8_t in[256];
    size_t n = make_input(in, sizeof in);
    const uint8_t *v;
    size_t vl;
    static const struct { const char *ptr; int rc; const char *hex; } cases[] = {
        { "", 0, NULL },
        { "/n", 0, "05" },
        { "/to", 0, "63614062" },
        { "/list/0", 0, "01" },
        { "/list/1/x", 0, "f5" },
        { "/a~1b", 0, "01" },
        { "/m~0n", 0, "02" },
        { "/list/2", FCP_EJSON_POINTER_NOT_FOUND, NULL },
        { "/list/01", FCP_EJSON_POINTER_NOT_FOUND, NULL },
        { "/list/-", FCP_EJSON_POINTER_NOT_FOUND, NULL },
        { "/nope", FCP_EJSON_POINTER_NOT_FOUND, NULL },
        { "/n/x", FCP_EJSON_POINTER_NOT_FOUND, NULL },
        { "/7", FCP_EJSON_POINTER_NOT_FOUND, NULL },
        { "n", FCP_EJSON_POINTER, NULL },
        { "/a~2", FCP_EJSON_POINTER, NULL },
        { "/a~", FCP_EJSON_POINTER, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = fcp_cbor_pointer_get(in, n, cases[i].ptr, strlen(cases[i].ptr), &v, &vl);
        if (!CHECK_EQ(rc, cases[i].rc))
            fprintf(stderr, "  pointer %s\n", cases[i].ptr);
        if (rc == 0 && cases[i].hex) {
            size_t wl;
            uint8_t *w = fcp_t_unhex(cases[i].hex, &wl);
            CHECK(vl == wl && memcmp(v, w, wl) == 0);
            free(w);
        } else if (rc == 0) {
            CHECK(vl == n && v == in);
        }
    }
    /* non-canonical input is refused */
    static const uint8_t noncanon[] = { 0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x02 };
    CHECK_ERR(fcp_cbor_pointer_get(noncanon, sizeof noncanon, "/a", 2, &v, &vl), FCP_ECBOR_UNSORTED_KEYS);
    /* depth limit */
    char deep[64] = "";
    for (int i = 0; i < 17; i++)
        strcat(deep, "/a");
    CHECK_ERR(fcp_json_pointer_validate(deep, strlen(deep)), FCP_EJSON_POINTER);
    deep[32] = '\0';
    CHECK_ERR(fcp_json_pointer_validate(deep, strlen(deep)), 0);
}

static void base_token(fcp_approval_token *t, enum fcp_approval_kind k)
{
    memset(t, 0, sizeof *t);
    t->kind = k;
    strcpy(t->approved_by, "user:owner");
    strcpy(t->justification, "ok for this one");
    t->approved_at = 1700000000;
    t->expires_at = 1700000300;
    if (k == FCP_APPROVAL_ELEVATION) {
        strcpy(t->elevation.operation, "gmail.delete");
        fcp_provenance_init(&t->elevation.original_provenance, "z:public", 1699999999);
        t->elevation.original_provenance.taint = FCP_TAINT_PUBLIC_INPUT;
    } else if (k == FCP_APPROVAL_DECLASSIFICATION) {
        strcpy(t->declassification.from_zone, "z:private");
        strcpy(t->declassification.to_zone, "z:work");
        t->declassification.n_objects = 2;
        memset(t->declassification.object_ids[0], 1, 32);
        memset(t->declassification.object_ids[1], 2, 32);
    } else {
        uint8_t in[256];
        size_t n = make_input(in, sizeof in);
        fcp_approval_execution *x = &t->execution;
        strcpy(x->connector_id, "fcp.gmail");
        strcpy(x->method_pattern, "gmail.send*");
        x->has_input_hash = 1;
        CHECK_ERR(fcp_approval_input_hash(x->input_hash, in, n), 0);
        x->has_request_object_id = 1;
        memset(x->request_object_id, 9, 32);
        x->n_constraints = 1;
        strcpy(x->constraints[0].pointer, "/to");
        memcpy(x->constraints[0].equals, "\x63" "a@b", 4);
        x->constraints[0].equals_len = 4;
    }
}

static void test_codec(void)
{
    static fcp_approval_token t, u;
    for (int k = 1; k <= 3; k++) {
        fcp_buf a, b;
        base_token(&t, (enum fcp_approval_kind)k);
        CHECK_ERR(fcp_approval_sign(&t, sk), 0);
        CHECK_ERR(fcp_approval_verify(&t, pk, 1700000100), 0);
        fcp_buf_init(&a);
        fcp_buf_init(&b);
        CHECK_ERR(fcp_approval_encode(&t, &a), 0);
        CHECK_ERR(fcp_approval_decode(&u, a.data, a.len), 0);
        CHECK_ERR(fcp_approval_encode(&u, &b), 0);
        CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
        CHECK_ERR(fcp_approval_verify(&u, pk, 1700000300), 0);   /* expires_at itself valid */
        CHECK_ERR(fcp_approval_verify(&u, pk, 1700000301), FCP_EAPPROVAL_EXPIRED);
        CHECK_ERR(fcp_approval_verify(&u, pk, 1700000000 - 120), 0);
        CHECK_ERR(fcp_approval_verify(&u, pk, 1700000000 - 121), FCP_EAPPROVAL_NOT_YET_VALID);
        CHECK_ERR(fcp_approval_verify(&u, pk2, 1700000100), FCP_EAPPROVAL_BAD_SIGNATURE);
        uint8_t id1[32], id2[32];
        CHECK_ERR(fcp_approval_token_id(id1, &t), 0);
        u.approved_at++;
        CHECK_ERR(fcp_approval_token_id(id2, &u), 0);
        CHECK(memcmp(id1, id2, 32) != 0);
        CHECK_ERR(fcp_approval_verify(&u, pk, 1700000100), FCP_EAPPROVAL_BAD_SIGNATURE);
        /* every truncation fails */
        int all_fail = 1;
        for (size_t cut = 0; cut < a.len; cut++)
            if (fcp_approval_decode(&u, a.data, cut) == 0)
                all_fail = 0;
        CHECK(all_fail);
        fcp_buf_free(&a);
        fcp_buf_free(&b);
    }
    /* validation steps */
    fcp_buf b;
    fcp_buf_init(&b);
    base_token(&t, FCP_APPROVAL_EXECUTION);
    t.expires_at = t.approved_at;
    CHECK_ERR(fcp_approval_encode(&t, &b), FCP_EAPPROVAL_TIMES);
    t.expires_at = t.approved_at + FCP_APPROVAL_MAX_TTL + 1;
    CHECK_ERR(fcp_approval_encode(&t, &b), FCP_EAPPROVAL_TIMES);
    base_token(&t, FCP_APPROVAL_EXECUTION);
    strcpy(t.execution.method_pattern, "gm*ail");
    CHECK_ERR(fcp_approval_encode(&t, &b), FCP_EIDENTIFIER);
    base_token(&t, FCP_APPROVAL_EXECUTION);
    strcpy(t.execution.constraints[0].pointer, "to");
    CHECK_ERR(fcp_approval_encode(&t, &b), FCP_EJSON_POINTER);
    base_token(&t, FCP_APPROVAL_EXECUTION);
    t.execution.constraints[0].equals_len = 3;   /* truncated item */
    CHECK(fcp_approval_encode(&t, &b) < 0);
    base_token(&t, FCP_APPROVAL_DECLASSIFICATION);
    strcpy(t.declassification.to_zone, "Z:work");
    CHECK_ERR(fcp_approval_encode(&t, &b), FCP_EZONE_ID_PREFIX);
    base_token(&t, FCP_APPROVAL_DECLASSIFICATION);
    t.declassification.n_objects = FCP_APPROVAL_MAX_OBJECTS + 1;
    CHECK_ERR(fcp_approval_encode(&t, &b), FCP_ELIMIT);
    base_token(&t, FCP_APPROVAL_ELEVATION);
    t.kind = (enum fcp_approval_kind)9;
    CHECK_ERR(fcp_approval_encode(&t, &b), FCP_EAPPROVAL_SCOPE);
    base_token(&t, FCP_APPROVAL_ELEVATION);
    strcpy(t.approved_by, "has space");
    CHECK_ERR(fcp_approval_encode(&t, &b), FCP_EIDENTIFIER);
    /* scope with an unknown variant / two variants */
    static const uint8_t two[] = {
        0xa1, 0x65, 's', 'c', 'o', 'p', 'e', 0xa1, 0x61, 'X', 0xa0 };
    CHECK_ERR(fcp_approval_decode(&u, two, sizeof two), FCP_EAPPROVAL_SCOPE);
    fcp_buf_free(&b);
}

static void test_constraints_and_patterns(void)
{
    static fcp_approval_token t;
    uint8_t in[256];
    size_t n = make_input(in, sizeof in);
    base_token(&t, FCP_APPROVAL_EXECUTION);
    CHECK_ERR(fcp_approval_check_constraints(&t.execution, in, n), 0);
    memcpy(t.execution.constraints[0].equals, "\x63" "a@c", 4);
    CHECK_ERR(fcp_approval_check_constraints(&t.execution, in, n), FCP_EDEC_EXECUTION_CONSTRAINT);
    strcpy(t.execution.constraints[0].pointer, "/absent");
    CHECK_ERR(fcp_approval_check_constraints(&t.execution, in, n), FCP_EDEC_EXECUTION_CONSTRAINT);
    CHECK(fcp_method_pattern_match("*", "x", 1));
    CHECK(fcp_method_pattern_match("gmail.*", "gmail.send", 10));
    CHECK(!fcp_method_pattern_match("gmail.*", "gmailx", 6));
    CHECK(fcp_method_pattern_match("gmail.send", "gmail.send", 10));
    CHECK(!fcp_method_pattern_match("gmail.send", "gmail.sendx", 11));
    uint8_t h1[32], h2[32];
    CHECK_ERR(fcp_approval_input_hash(h1, in, n), 0);
    in[n - 1] ^= 1;
    CHECK_ERR(fcp_approval_input_hash(h2, in, n), 0);
    CHECK(memcmp(h1, h2, 32) != 0);
    CHECK(fcp_approval_input_hash(h2, in, n - 1) < 0);
}

static void test_provenance(void)
{
    static fcp_provenance in[3], out;
    fcp_provenance_init(&in[0], "z:owner", 1);
    in[0].origin_integrity = 100;
    in[0].origin_confidentiality = 100;
    in[0].taint = FCP_TAINT_USER_SUPPLIED;
    fcp_provenance_init(&in[1], "z:public", 2);
    strcpy(in[1].current_zone, "z:owner");
    in[1].origin_integrity = 20;
    in[1].origin_confidentiality = 10;
    in[1].taint = FCP_TAINT_PUBLIC_INPUT | FCP_TAINT_UNVERIFIED_LINK;
    in[1].n_reductions = 1;
    in[1].reductions[0].clears = FCP_TAINT_UNVERIFIED_LINK | FCP_TAINT_USER_SUPPLIED;
    memset(in[1].reductions[0].by_attestation, 0xab, 32);
    CHECK_ERR(fcp_provenance_merge(&out, in, 2, 99), 0);
    /* upstream provenance_merge: lowest integrity, highest confidentiality, union */
    CHECK_EQ(out.origin_integrity, 20);
    CHECK_EQ(out.origin_confidentiality, 100);
    CHECK(strcmp(out.origin_zone, "z:public") == 0);
    CHECK(strcmp(out.current_zone, "z:owner") == 0);
    CHECK_EQ(out.taint, FCP_TAINT_PUBLIC_INPUT | FCP_TAINT_UNVERIFIED_LINK | FCP_TAINT_USER_SUPPLIED);
    /* input 1's reduction may not clear input 0's USER_SUPPLIED */
    CHECK_EQ(fcp_provenance_effective_taint(&out), FCP_TAINT_PUBLIC_INPUT | FCP_TAINT_USER_SUPPLIED);
    CHECK_EQ(out.n_reductions, 1);
    CHECK_EQ(out.reductions[0].clears, FCP_TAINT_UNVERIFIED_LINK);
    CHECK_EQ(out.created_at, 99);
    strcpy(in[1].current_zone, "z:public");
    CHECK_ERR(fcp_provenance_merge(&out, in, 2, 99), FCP_EZONE_VIOLATION);
    CHECK_ERR(fcp_provenance_merge(&out, in, 0, 99), FCP_EINVAL);

    /* verified taint: only accepted receipts count */
    uint32_t ign;
    uint8_t acc[1][32];
    memset(acc[0], 0xab, 32);
    CHECK_EQ(fcp_provenance_verified_taint(&in[1], NULL, 0, &ign), FCP_TAINT_PUBLIC_INPUT | FCP_TAINT_UNVERIFIED_LINK);
    CHECK_EQ(ign, FCP_TAINT_UNVERIFIED_LINK);
    CHECK_EQ(fcp_provenance_verified_taint(&in[1], (const uint8_t(*)[32])acc, 1, &ign), FCP_TAINT_PUBLIC_INPUT);
    CHECK_EQ(ign, 0);

    /* crossing */
    CHECK_ERR(fcp_provenance_cross_zone(&in[0], "z:work", 7, NULL), 0);
    CHECK(strcmp(in[0].current_zone, "z:work") == 0);
    CHECK(strcmp(in[0].crossings[0].from_zone, "z:owner") == 0);
    CHECK_ERR(fcp_provenance_cross_zone(&in[0], "bad", 7, NULL), FCP_EZONE_ID_PREFIX);

    /* §6.2 rules */
    CHECK_ERR(fcp_taint_check(FCP_TAINT_PUBLIC_INPUT, FCP_OP_TIER_DANGEROUS, 20, 20), FCP_EDEC_PUBLIC_DANGEROUS);
    CHECK_ERR(fcp_taint_check(FCP_TAINT_PUBLIC_INPUT, FCP_OP_TIER_RISKY, 20, 20), 0);
    CHECK_ERR(fcp_taint_check(FCP_TAINT_PUBLIC_INPUT, FCP_OP_TIER_RISKY, 20, 60), FCP_EDEC_INTEGRITY_UPHILL);
    CHECK_ERR(fcp_taint_check(0, FCP_OP_TIER_DANGEROUS, 20, 100), 0);
    CHECK_ERR(fcp_taint_check(FCP_TAINT_USER_SUPPLIED, FCP_OP_TIER_SAFE, 20, 100), 0);

    /* digest binds every field */
    uint8_t d1[32], d2[32];
    CHECK_ERR(fcp_provenance_digest(d1, &in[1]), 0);
    in[1].created_at++;
    CHECK_ERR(fcp_provenance_digest(d2, &in[1]), 0);
    CHECK(memcmp(d1, d2, 32) != 0);
}

/* Property: effective_taint(merge(in)) == OR effective_taint(in[i]); integrity
 * is the minimum, confidentiality the maximum. */
static void test_merge_property(void)
{
    static fcp_provenance in[6], out;
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 7);
    int bad = 0;
    for (int round = 0; round < 2000; round++) {
        size_t n = 1 + fcp_rng_xoshiro_below(&x, 6);
        uint32_t eff = 0;
        uint8_t lo = 255, hi = 0;
        for (size_t i = 0; i < n; i++) {
            fcp_provenance_init(&in[i], "z:work", 1);
            in[i].origin_integrity = (uint8_t)fcp_rng_xoshiro_below(&x, 101);
            in[i].origin_confidentiality = (uint8_t)fcp_rng_xoshiro_below(&x, 101);
            in[i].taint = (uint32_t)fcp_rng_xoshiro_below(&x, 32);
            in[i].n_reductions = fcp_rng_xoshiro_below(&x, 3);
            for (size_t r = 0; r < in[i].n_reductions; r++)
                in[i].reductions[r].clears = (uint32_t)fcp_rng_xoshiro_below(&x, 32);
            eff |= fcp_provenance_effective_taint(&in[i]);
            lo = in[i].origin_integrity < lo ? in[i].origin_integrity : lo;
            hi = in[i].origin_confidentiality > hi ? in[i].origin_confidentiality : hi;
        }
        if (fcp_provenance_merge(&out, in, n, 5) != 0 || fcp_provenance_effective_taint(&out) != eff ||
            out.origin_integrity != lo || out.origin_confidentiality != hi)
            bad++;
    }
    CHECK_EQ(bad, 0);
}

/* A provenance at every limit (longest zones and principal, 16 reductions,
 * 32 crossings with authorized_by) merges, digests and signs inside an
 * Elevation approval. */
static void test_max_provenance(void)
{
    static fcp_provenance p[2], m;
    static fcp_approval_token t;
    char zone[FCP_ZONE_ID_MAX + 1];
    memset(zone, 'a', FCP_ZONE_ID_MAX);
    memcpy(zone, "z:", 2);
    zone[FCP_ZONE_ID_MAX] = '\0';
    for (int k = 0; k < 2; k++) {
        fcp_provenance_init(&p[k], zone, 1);
        p[k].has_origin_principal = 1;
        memset(p[k].origin_principal, 'p', FCP_PRINCIPAL_MAX);
        p[k].origin_principal[FCP_PRINCIPAL_MAX] = '\0';
        p[k].taint = FCP_TAINT_ALL;
        p[k].n_reductions = FCP_HDR_MAX_REDUCTIONS;
        for (size_t i = 0; i < FCP_HDR_MAX_REDUCTIONS; i++) {
            p[k].reductions[i].clears = FCP_TAINT_UNVERIFIED_LINK;
            memset(p[k].reductions[i].by_attestation, (int)i, 32);
            p[k].reductions[i].applied_at = UINT64_MAX;
        }
        p[k].n_crossings = k == 0 ? FCP_HDR_MAX_CROSSINGS : 0;
        for (size_t i = 0; i < p[k].n_crossings; i++) {
            memcpy(p[k].crossings[i].from_zone, zone, sizeof zone);
            memcpy(p[k].crossings[i].to_zone, zone, sizeof zone);
            p[k].crossings[i].crossed_at = UINT64_MAX;
            p[k].crossings[i].has_authorized_by = 1;
        }
        p[k].created_at = UINT64_MAX;
    }
    uint8_t d[32];
    CHECK_ERR(fcp_provenance_digest(d, &p[0]), 0);
    CHECK_ERR(fcp_provenance_merge(&m, p, 2, 5), 0);
    CHECK_EQ(m.n_crossings, FCP_HDR_MAX_CROSSINGS);
    CHECK_ERR(fcp_provenance_digest(d, &m), 0);
    p[1].n_crossings = 1;
    p[1].crossings[0] = p[0].crossings[0];
    CHECK_ERR(fcp_provenance_merge(&m, p, 2, 5), FCP_ELIMIT);
    base_token(&t, FCP_APPROVAL_ELEVATION);
    t.elevation.original_provenance = p[0];
    CHECK_ERR(fcp_approval_sign(&t, sk), 0);
    fcp_buf b;
    fcp_buf_init(&b);
    CHECK_ERR(fcp_approval_encode(&t, &b), 0);
    CHECK(b.len > 8192);
    CHECK_ERR(fcp_approval_decode(&t, b.data, b.len), 0);
    CHECK_ERR(fcp_approval_verify(&t, pk, 1700000100), 0);
    fcp_buf_free(&b);
}

int main(void)
{
    uint8_t seed[32];
    if (fcp_crypto_init() != 0)
        return 1;
    memset(seed, 0x31, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
    memset(seed, 0x32, 32);
    fcp_ed25519_keypair_from_seed(pk2, sk2, seed);
    test_pointer();
    test_codec();
    test_constraints_and_patterns();
    test_provenance();
    test_merge_property();
    test_max_provenance();
    return fcp_t_done("authz_approval_test");
}
