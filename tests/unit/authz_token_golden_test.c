/*
 * authz_token_golden_test.c - recompute every committed vector in
 * conformance/golden/authz_token/ from its inputs and compare byte for byte
 * (tokens, rejections, signed objects and ids, constraints, holder proofs,
 * freshness decisions), so any drift in D-CAP/D-TOKEN/D-REV behaviour fails
 * `make check`.  JSON -> values here is written independently of
 * cmd/fcp-vectors (values -> JSON).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_revocation.h"
#include "fcp/authz_token.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_cap.h"
#include "fcp/model_revocation.h"

#define GOLD "conformance/golden/authz_token/"

static json_t *load(const char *file)
{
    char path[256];
    json_error_t e;
    snprintf(path, sizeof path, GOLD "%s", file);
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fprintf(stderr, "cannot load %s: %s\n", path, e.text);
    CHECK(j != NULL);
    return j;
}

static int same_hex(const uint8_t *p, size_t n, const json_t *o, const char *k)
{
    size_t wn;
    uint8_t *w = fcp_t_unhex(fcp_t_jstr(o, k), &wn);
    int ok = w && wn == n && memcmp(w, p, n) == 0;
    if (!ok)
        fprintf(stderr, "golden mismatch at %s\n", k);
    free(w);
    return ok;
}

static void key_from(const json_t *in, const char *k, uint8_t pk[32], uint8_t sk[64])
{
    size_t n;
    uint8_t *seed = fcp_t_unhex(fcp_t_jstr(in, k), &n);
    CHECK(seed && n == 32);
    if (seed)
        fcp_ed25519_keypair_from_seed(pk, sk, seed);
    free(seed);
}

static void test_tokens(void)
{
    json_t *arr = load("tokens.json");
    size_t i;
    json_t *e;
    fcp_token_claims *c = malloc(sizeof *c);
    json_array_foreach(arr, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        uint8_t pk[32], sk[64], kid[8], id[32];
        size_t n;
        fcp_buf tok;
        fcp_cose_sign1 s;
        key_from(in, "ed25519_seed_hex", pk, sk);
        uint8_t *raw = fcp_t_unhex(fcp_t_jstr(in, "raw_claims_cbor_hex"), &n);
        CHECK_EQ(fcp_token_claims_decode(c, raw, n), 0);
        fcp_buf_init(&tok);
        CHECK_EQ(fcp_token_mint(c, sk, &tok), 0);
        CHECK(same_hex(tok.data, tok.len, ex, "token_cbor_hex"));
        CHECK(same_hex(pk, 32, ex, "public_key_hex"));
        fcp_key_id(kid, pk);
        CHECK(same_hex(kid, 8, ex, "kid_hex"));
        CHECK_EQ(fcp_cose_sign1_decode(&s, tok.data, tok.len), 0);
        CHECK(same_hex(s.payload, s.payload_len, ex, "signed_payload_hex"));
        CHECK_EQ(fcp_token_id(id, &s), 0);
        CHECK(same_hex(id, 32, ex, "token_id_hex"));
        free(raw);
        fcp_buf_free(&tok);
    }
    CHECK_EQ(json_array_size(arr), 3);
    free(c);
    json_decref(arr);
}

static void test_rejects(void)
{
    json_t *arr = load("token_rejects.json");
    size_t i;
    json_t *e;
    fcp_token_claims *c = malloc(sizeof *c);
    json_array_foreach(arr, i, e) {
        json_t *in = json_object_get(e, "inputs");
        size_t pn, tn;
        uint8_t *pk = fcp_t_unhex(fcp_t_jstr(in, "public_key_hex"), &pn);
        uint8_t *t = fcp_t_unhex(fcp_t_jstr(in, "token_cbor_hex"), &tn);
        int rc = fcp_token_verify_signature(t, tn, pk, c);
        const char *got = rc ? fcp_error_name(rc) : "ok";
        const char *want = fcp_t_jstr(json_object_get(e, "expected"), "error");
        if (strcmp(got, want))
            fprintf(stderr, "%s: got %s want %s\n", fcp_t_jstr(e, "name"), got, want);
        CHECK(!strcmp(got, want));
        free(pk);
        free(t);
    }
    CHECK(json_array_size(arr) >= 14);
    free(c);
    json_decref(arr);
}

/* Decode, check the signature, re-encode both views and re-sign. */
#define OBJ_CASE(type, dec, enc_u, enc, ver, sign, idfn)                                  \
    do {                                                                                  \
        static type o;                                                                    \
        CHECK_EQ(dec(&o, cb, cn), 0);                                                     \
        CHECK_EQ(ver(&o, pk), 0);                                                         \
        CHECK_EQ(enc(&o, &full), 0);                                                      \
        CHECK(same_hex(full.data, full.len, ex, "cbor_hex"));                             \
        CHECK_EQ(enc_u(&o, &uns), 0);                                                     \
        CHECK(same_hex(uns.data, uns.len, ex, "unsigned_cbor_hex"));                      \
        memset(o.signature, 0, 64);                                                       \
        CHECK_EQ(sign(&o, sk), 0);                                                        \
        CHECK(same_hex(o.signature, 64, ex, "signature_hex"));                            \
        if (json_object_get(ex, "object_id_hex")) {                                       \
            CHECK_EQ(idfn(&o, id, &key), 0);                                              \
            CHECK(same_hex(id, 32, ex, "object_id_hex"));                                 \
        }                                                                                 \
    } while (0)

static int cap_id(const fcp_cap_object *o, uint8_t id[32], const fcp_object_id_key *k)
{
    return fcp_cap_object_id(id, o, k);
}
static int rev_id(const fcp_revocation_object *o, uint8_t id[32], const fcp_object_id_key *k)
{
    return fcp_revocation_object_id(id, o, k);
}
static int ev_id(const fcp_revocation_event *o, uint8_t id[32], const fcp_object_id_key *k)
{
    return fcp_revocation_event_id(id, o, k);
}
static int no_id(const void *o, uint8_t id[32], const fcp_object_id_key *k)
{
    (void)o; (void)id; (void)k;
    return 0;
}

static void test_objects(void)
{
    json_t *arr = load("objects.json");
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        const char *schema = fcp_t_jstr(in, "schema");
        uint8_t pk[32], sk[64], id[32];
        size_t cn, kn;
        fcp_object_id_key key;
        fcp_buf full, uns;
        key_from(in, "signer_seed_hex", pk, sk);
        uint8_t *kb = fcp_t_unhex(fcp_t_jstr(in, "object_id_key_hex"), &kn);
        memcpy(key.bytes, kb, 32);
        free(kb);
        uint8_t *cb = fcp_t_unhex(fcp_t_jstr(ex, "cbor_hex"), &cn);
        fcp_buf_init(&full);
        fcp_buf_init(&uns);
        if (strstr(schema, "CapabilityObject"))
            OBJ_CASE(fcp_cap_object, fcp_cap_object_decode, fcp_cap_object_encode_unsigned, fcp_cap_object_encode,
                     fcp_cap_object_verify, fcp_cap_object_sign, cap_id);
        else if (strstr(schema, "CredentialObject"))
            OBJ_CASE(fcp_credential_object, fcp_credential_decode, fcp_credential_encode_unsigned,
                     fcp_credential_encode, fcp_credential_verify, fcp_credential_sign, no_id);
        else if (strstr(schema, "RoleObject"))
            OBJ_CASE(fcp_role_object, fcp_role_decode, fcp_role_encode_unsigned, fcp_role_encode, fcp_role_verify,
                     fcp_role_sign, no_id);
        else if (strstr(schema, "RoleAssignment"))
            OBJ_CASE(fcp_role_assignment, fcp_role_assignment_decode, fcp_role_assignment_encode_unsigned,
                     fcp_role_assignment_encode, fcp_role_assignment_verify, fcp_role_assignment_sign, no_id);
        else if (strstr(schema, "RevocationObject"))
            OBJ_CASE(fcp_revocation_object, fcp_revocation_object_decode, fcp_revocation_object_encode_unsigned,
                     fcp_revocation_object_encode, fcp_revocation_object_verify, fcp_revocation_object_sign, rev_id);
        else if (strstr(schema, "RevocationEvent"))
            OBJ_CASE(fcp_revocation_event, fcp_revocation_event_decode, fcp_revocation_event_encode_unsigned,
                     fcp_revocation_event_encode, fcp_revocation_event_verify, fcp_revocation_event_sign, ev_id);
        else if (strstr(schema, "RevocationHead")) {
            static fcp_revocation_head h;
            CHECK_EQ(fcp_revocation_head_decode(&h, cb, cn), 0);
            CHECK_EQ(fcp_revocation_head_encode(&h, &full), 0);
            CHECK(same_hex(full.data, full.len, ex, "cbor_hex"));
            CHECK_EQ(fcp_revocation_head_encode_unsigned(&h, &uns), 0);
            CHECK(same_hex(uns.data, uns.len, ex, "unsigned_cbor_hex"));
            CHECK_EQ(h.n_sigs, 2);
            CHECK(!strcmp(h.signer[0], "node:a"));
        } else {
            CHECK(0);
        }
        free(cb);
        fcp_buf_free(&full);
        fcp_buf_free(&uns);
    }
    CHECK_EQ(json_array_size(arr), 7);
    json_decref(arr);
}

static void test_constraints(void)
{
    json_t *arr = load("constraints.json");
    fcp_cap_constraints c;
    fcp_buf b;
    memset(&c, 0, sizeof c);
    fcp_buf_init(&b);
    CHECK_EQ(fcp_cap_constraints_encode(&c, &b), 0);
    CHECK(same_hex(b.data, b.len, json_object_get(json_array_get(arr, 0), "expected"), "cbor_hex"));
    fcp_buf_reset(&b);
    c.has_network = 1;
    fcp_net_constraints_default(&c.network);
    CHECK_EQ(fcp_cap_constraints_encode(&c, &b), 0);
    CHECK(same_hex(b.data, b.len, json_object_get(json_array_get(arr, 1), "expected"), "cbor_hex"));
    c.network.connect_timeout_ms = 0;
    fcp_buf_reset(&b);
    CHECK(!strcmp(fcp_error_name(fcp_cap_constraints_encode(&c, &b)),
                  fcp_t_jstr(json_object_get(json_array_get(arr, 2), "expected"), "error")));
    fcp_buf_free(&b);
    json_decref(arr);
}

static void test_holder(void)
{
    json_t *arr = load("holder_proofs.json");
    json_t *e = json_array_get(arr, 0), *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
    uint8_t pk[32], sk[64], sig[64];
    size_t jl;
    fcp_buf b;
    key_from(in, "holder_ed25519_seed_hex", pk, sk);
    uint8_t *jti = fcp_t_unhex(fcp_t_jstr(in, "token_jti_hex"), &jl);
    fcp_buf_init(&b);
    CHECK_EQ(fcp_holder_proof_bytes(fcp_t_jstr(in, "request_id"), fcp_t_jstr(in, "operation_id"), jti, jl, &b), 0);
    CHECK(same_hex(b.data, b.len, ex, "signable_bytes_hex"));
    CHECK_EQ(fcp_holder_proof_sign(sig, fcp_t_jstr(in, "request_id"), fcp_t_jstr(in, "operation_id"), jti, jl, sk), 0);
    CHECK(same_hex(sig, 64, ex, "signature_hex"));
    free(jti);
    fcp_buf_free(&b);
    json_decref(arr);
}

static void test_freshness(void)
{
    json_t *arr = load("freshness.json");
    size_t i;
    json_t *e;
    fcp_revset s;
    uint8_t key[16] = { 0 };
    fcp_revset_init(&s, 1, key);
    json_array_foreach(arr, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        const char *t = fcp_t_jstr(in, "tier");
        enum fcp_op_tier tier = !strcmp(t, "Safe") ? FCP_OP_SAFE : !strcmp(t, "Risky") ? FCP_OP_RISKY : FCP_OP_DANGEROUS;
        fcp_rev_freshness_policy p;
        unsigned flags;
        p.max_age_dangerous = (uint64_t)json_integer_value(json_object_get(in, "max_age_dangerous"));
        p.max_age_risky = (uint64_t)json_integer_value(json_object_get(in, "max_age_risky"));
        p.allow_risky_override = json_is_true(json_object_get(in, "allow_risky_override"));
        s.seq = (uint64_t)json_integer_value(json_object_get(in, "local_seq"));
        s.last_updated = (uint64_t)json_integer_value(json_object_get(in, "last_updated"));
        int rc = fcp_rev_freshness_check(&p, tier, &s, (uint64_t)json_integer_value(json_object_get(in, "required_seq")),
                                         (uint64_t)json_integer_value(json_object_get(in, "now")),
                                         json_is_true(json_object_get(in, "interactive_override")), &flags);
        CHECK(!strcmp(rc ? fcp_error_name(rc) : "ok", fcp_t_jstr(ex, "result")));
        CHECK_EQ(!!(flags & FCP_REV_STALE), json_is_true(json_object_get(ex, "stale")));
        CHECK_EQ(!!(flags & FCP_REV_OVERRIDDEN), json_is_true(json_object_get(ex, "overridden")));
        CHECK_EQ(!!(flags & FCP_REV_DEGRADED), json_is_true(json_object_get(ex, "degraded_audit")));
    }
    fcp_revset_free(&s);
    json_decref(arr);
}

int main(void)
{
    fcp_crypto_init();
    test_tokens();
    test_rejects();
    test_objects();
    test_constraints();
    test_holder();
    test_freshness();
    return fcp_t_done("authz_token_golden");
}
