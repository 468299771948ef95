/*
 * authz_token_test.c - CapabilityToken: the 11 attested upstream tokens and
 * the host_rpc embedded token reproduced byte for byte (mint) and verified,
 * upstream holder proofs, tag-18 acceptance, and one negative test per
 * verification step asserting its exact error code; property: a revoked
 * token, grant or issuer never verifies whatever else is valid.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_cap.h"
#include "fcp/authz_revocation.h"
#include "fcp/authz_token.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"

/* ---- upstream vectors ------------------------------------------------------ */

static int label_of(const char *name)
{
    static const struct { const char *n; int l; } t[] = {
        { "iss", 1 }, { "sub", 2 }, { "aud", 3 }, { "exp", 4 }, { "nbf", 5 }, { "iat", 6 },
        { "capability_id", -65537 }, { "zone_id", -65538 }, { "principal_id", -65540 },
        { "iss_node", -65543 }, { "holder_node", -65546 }, { "instance_id", -65551 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].n, name))
            return t[i].l;
    return 0;
}

static int claims_from_json(const json_t *j, fcp_token_claims *c)
{
    const char *k;
    json_t *v;
    fcp_token_claims_init(c);
    json_object_foreach((json_t *)j, k, v) {
        if (!strcmp(k, "operations")) {
            size_t i;
            json_t *op;
            json_array_foreach(v, i, op) fcp_token_claims_add_operation(c, json_string_value(op));
        } else if (!strcmp(k, "exp") || !strcmp(k, "nbf") || !strcmp(k, "iat") || !strcmp(k, "chk_seq")) {
            uint64_t x = (uint64_t)json_integer_value(v);
            if (!strcmp(k, "exp")) { c->exp = x; c->present |= FCP_TC_EXP; }
            if (!strcmp(k, "nbf")) { c->nbf = x; c->present |= FCP_TC_NBF; }
            if (!strcmp(k, "iat")) { c->iat = x; c->present |= FCP_TC_IAT; }
            if (!strcmp(k, "chk_seq")) { c->chk_seq = x; c->present |= FCP_TC_CHK_SEQ; }
        } else if (!strcmp(k, "chk_id_hex") || !strcmp(k, "cti_hex")) {
            size_t n;
            uint8_t *b = fcp_t_unhex(json_string_value(v), &n);
            if (!strcmp(k, "cti_hex")) { memcpy(c->cti, b, n); c->cti_len = n; c->present |= FCP_TC_CTI; }
            else { memcpy(c->chk_id, b, n); c->chk_id_len = n; c->present |= FCP_TC_CHK_ID; }
            free(b);
        } else if (!strcmp(k, "constraints")) {
            json_t *ra = json_object_get(v, "resource_allow");
            size_t i;
            json_t *s;
            json_array_foreach(ra, i, s) strcpy(c->constraints.resource_allow[i], json_string_value(s));
            c->constraints.n_resource_allow = json_array_size(ra);
            c->present |= FCP_TC_CONSTRAINTS;
        } else if (!strcmp(k, "grants")) {
            size_t i;
            json_t *g;
            json_array_foreach(v, i, g) {
                strcpy(c->grants[i].capability, fcp_t_jstr(g, "capability"));
                if (json_object_get(g, "operation")) {
                    strcpy(c->grants[i].operation, fcp_t_jstr(g, "operation"));
                    c->grants[i].has_operation = 1;
                }
            }
            c->n_grants = json_array_size(v);
            c->present |= FCP_TC_GRANTS;
        } else if (label_of(k)) {
            if (fcp_token_claims_set_text(c, label_of(k), json_string_value(v)))
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

static int matched;

static void check_token(const char *name, const char *seed_hex, const json_t *claims,
                        const char *want_hex, const char *raw_hex)
{
    size_t n, wn;
    uint8_t *seed = fcp_t_unhex(seed_hex, &n);
    uint8_t pk[32], sk[64];
    fcp_token_claims c, back;
    fcp_buf out;
    CHECK(seed && n == 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
    CHECK_EQ(claims_from_json(claims, &c), 0);
    if (raw_hex) {
        fcp_buf raw;
        fcp_buf_init(&raw);
        CHECK_EQ(fcp_token_claims_encode(&c, &raw), 0);
        uint8_t *want = fcp_t_unhex(raw_hex, &wn);
        CHECK(raw.len == wn && memcmp(raw.data, want, wn) == 0);
        free(want);
        fcp_buf_free(&raw);
    }
    fcp_buf_init(&out);
    CHECK_EQ(fcp_token_mint(&c, sk, &out), 0);
    uint8_t *want = fcp_t_unhex(want_hex, &wn);
    int same = out.len == wn && memcmp(out.data, want, wn) == 0;
    if (!same)
        fprintf(stderr, "token %s differs\n", name);
    CHECK(same);
    matched += same;
    /* verify the attested bytes with the issuance key */
    CHECK_EQ(fcp_token_verify_signature(want, wn, pk, &back), 0);
    /* tag 18 form verifies too */
    uint8_t *tagged = malloc(wn + 1);
    tagged[0] = 0xd2;
    memcpy(tagged + 1, want, wn);
    CHECK_EQ(fcp_token_verify_signature(tagged, wn + 1, pk, &back), 0);
    free(tagged);
    free(want);
    free(seed);
    fcp_buf_free(&out);
}

static void test_upstream_tokens(void)
{
    json_t *arr = fcp_t_load_json("upstream/capability_token.json");
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        if (!json_object_get(ex, "token_cbor_hex"))
            continue;
        check_token(fcp_t_jstr(e, "name"), fcp_t_jstr(in, "ed25519_seed_hex"), json_object_get(in, "claims"),
                    fcp_t_jstr(ex, "token_cbor_hex"),
                    json_object_get(ex, "raw_claims_cbor_hex") ? fcp_t_jstr(ex, "raw_claims_cbor_hex") : NULL);
    }
    json_decref(arr);
    /* the six golden .hex files are the same bytes as their JSON entries */
    static const char *files[] = { "sign1_empty_claims", "sign1_single_op_capability",
                                   "sign1_multi_op_capability", "sign1_multi_kid_seed_04",
                                   "sign1_multi_kid_seed_05", "sign1_multi_kid_seed_06" };
    json_t *arr2 = fcp_t_load_json("upstream/capability_token.json");
    for (size_t f = 0; f < 6; f++) {
        char rel[128];
        size_t n;
        snprintf(rel, sizeof rel, "upstream/bin/cose_golden__%s.hex", files[f]);
        uint8_t *txt = fcp_t_read_file(fcp_t_vector_path(rel), &n);
        CHECK(txt != NULL);
        if (!txt)
            continue;
        while (n && (txt[n - 1] == '\n' || txt[n - 1] == ' ' || txt[n - 1] == '\r'))
            n--;
        txt = realloc(txt, n + 1);
        txt[n] = 0;
        json_array_foreach(arr2, i, e) {
            char nm[64];
            snprintf(nm, sizeof nm, "golden_%s", files[f]);
            if (!strcmp(fcp_t_jstr(e, "name"), nm))
                CHECK(!strcmp((char *)txt, fcp_t_jstr(json_object_get(e, "expected"), "token_cbor_hex")));
        }
        free(txt);
    }
    json_decref(arr2);
}

static void test_host_rpc_token(void)
{
    json_t *arr = fcp_t_load_json("upstream/host_rpc.json");
    json_t *e = json_array_get(arr, 0);
    json_t *ti = json_object_get(json_object_get(e, "inputs"), "token_inputs");
    check_token("host_rpc", fcp_t_jstr(ti, "token_signing_seed_hex"),
                json_object_get(ti, "token_claims_before_sign"),
                fcp_t_jstr(json_object_get(e, "expected"), "capability_token_hex"), NULL);
    json_decref(arr);
}

static void test_holder_proofs(void)
{
    json_t *arr = fcp_t_load_json("upstream/holder_proof.json");
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        json_t *in = json_object_get(e, "inputs"), *dv = json_object_get(e, "derived");
        size_t n, jl, wl;
        uint8_t *seed = fcp_t_unhex(fcp_t_jstr(in, "holder_ed25519_seed_hex"), &n);
        uint8_t *jti = fcp_t_unhex(fcp_t_jstr(in, "token_jti_hex"), &jl);
        uint8_t pk[32], sk[64], sig[64];
        fcp_buf b;
        fcp_ed25519_keypair_from_seed(pk, sk, seed);
        fcp_buf_init(&b);
        CHECK_EQ(fcp_holder_proof_bytes(fcp_t_jstr(in, "request_id"), fcp_t_jstr(in, "operation_id"), jti, jl, &b), 0);
        uint8_t *want = fcp_t_unhex(fcp_t_jstr(dv, "signable_bytes_hex"), &wl);
        CHECK(b.len == wl && memcmp(b.data, want, wl) == 0);
        free(want);
        CHECK_EQ(fcp_holder_proof_sign(sig, fcp_t_jstr(in, "request_id"), fcp_t_jstr(in, "operation_id"), jti, jl, sk), 0);
        want = fcp_t_unhex(fcp_t_jstr(dv, "signature_hex"), &wl);
        CHECK(wl == 64 && memcmp(sig, want, 64) == 0);
        CHECK_EQ(fcp_holder_proof_verify(sig, fcp_t_jstr(in, "request_id"), fcp_t_jstr(in, "operation_id"), jti, jl, pk), 0);
        sig[5] ^= 1;
        CHECK_ERR(fcp_holder_proof_verify(sig, fcp_t_jstr(in, "request_id"), fcp_t_jstr(in, "operation_id"), jti, jl, pk),
                  FCP_ETOKEN_HOLDER_PROOF);
        free(want);
        free(seed);
        free(jti);
        fcp_buf_free(&b);
    }
    json_decref(arr);
}

/* ---- a small world for the verifier ------------------------------------------ */

#define NOW 1700000100u

typedef struct world {
    uint8_t owner_pk[32], owner_sk[64];
    uint8_t iss_sk[64], holder_pk[32], holder_sk[64];
    fcp_node_attestation att;
    fcp_cap_object cap;
    uint8_t cap_id[32];
    fcp_object_id_key oid_key;
    fcp_revset rev;
    uint64_t chk_seq;
    uint8_t chk_id[16];
    int att_missing, grant_missing, preverified;
    fcp_token_claims claims;
    fcp_token_request req;
    uint8_t holder_sig[64];
    uint8_t binary[32];
} world;

static world W;

static int cb_issuer(void *ctx, const uint8_t kid[8], fcp_token_issuer_ref *ref)
{
    world *w = ctx;
    uint8_t k[8];
    fcp_key_id(k, w->att.node_iss_pubkey);
    if (w->att_missing || memcmp(k, kid, 8))
        return FCP_ENOENT;
    ref->att = &w->att;
    ref->preverified = w->preverified;
    return 0;
}

static int cb_grant(void *ctx, const uint8_t id[32], fcp_token_grant_ref *ref)
{
    world *w = ctx;
    if (w->grant_missing || memcmp(id, w->cap_id, 32))
        return FCP_ENOENT;
    ref->obj = &w->cap;
    ref->preverified = w->preverified;
    return 0;
}

static int cb_checkpoint(void *ctx, const char *zone, uint64_t at, uint64_t *ours, uint8_t *id, size_t *idl)
{
    world *w = ctx;
    (void)zone;
    *ours = w->chk_seq;
    *idl = 0;
    if (at == 42) {
        memcpy(id, w->chk_id, 16);
        *idl = 16;
    }
    return 0;
}

static int cb_node_key(void *ctx, const char *node, uint8_t pk[32])
{
    world *w = ctx;
    if (strcmp(node, "node:laptop.mesh.ts.net"))
        return FCP_ENOENT;
    memcpy(pk, w->holder_pk, 32);
    return 0;
}

static fcp_token_lookup LK = { &W, cb_issuer, cb_grant, fcp_revset_lookup_cb, cb_checkpoint, cb_node_key, NULL,
                                NULL };

static int lk_revoked(void *ctx, enum fcp_rev_scope s, const uint8_t id[32], uint64_t now)
{
    return fcp_revset_lookup_cb(&((world *)ctx)->rev, s, id, now);
}

static void seedkey(uint8_t b, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t seed[32];
    memset(seed, b, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
}

static void world_init(void)
{
    uint8_t pk[32], sk[64], key[16] = { 1, 2, 3 };
    fcp_schema_id s;
    if (W.rev.slots)
        fcp_revset_free(&W.rev);
    memset(&W, 0, sizeof W);
    seedkey(0xa0, W.owner_pk, W.owner_sk);
    seedkey(0x01, pk, W.iss_sk);
    seedkey(0x04, W.holder_pk, W.holder_sk);
    strcpy(W.att.node_id, "node:issuer.mesh.ts.net");
    memcpy(W.att.node_iss_pubkey, pk, 32);
    seedkey(0x0b, W.att.node_sig_pubkey, sk);
    memset(W.att.node_enc_pubkey, 9, 32);
    W.att.issued_at = 1690000000;
    fcp_attestation_sign(&W.att, W.owner_sk);
    memset(W.oid_key.bytes, 0x33, 32);
    fcp_cap_object_schema(&s);
    fcp_object_header_init(&W.cap.header, &s, "z:work", 1690000000);
    strcpy(W.cap.capability_id, "cap:discord.send");
    W.cap.grantee = FCP_GRANTEE_PRINCIPAL;
    strcpy(W.cap.grantee_value, "agent:claude");
    W.cap.constraints.n_resource_allow = 1;
    strcpy(W.cap.constraints.resource_allow[0], "/v1/");
    W.cap.constraints.has_max_calls = 1;
    W.cap.constraints.max_calls = 100;
    W.cap.valid_from = 1690000000;
    W.cap.valid_until = 1800000000;
    fcp_cap_object_sign(&W.cap, W.owner_sk);
    fcp_cap_object_id(W.cap_id, &W.cap, &W.oid_key);
    fcp_revset_init(&W.rev, 16, key);
    W.chk_seq = 50;
    memcpy(W.chk_id, "\xde\xad\xbe\xef\xca\xfe\xba\xbe\0\0\0\0\0\0\0\x01", 16);
    memset(W.binary, 0x77, 32);
    fcp_token_claims *c = &W.claims;
    fcp_token_claims_init(c);
    fcp_token_claims_set_text(c, FCP_CLAIM_ISS, "node:issuer");
    fcp_token_claims_set_text(c, FCP_CLAIM_ISS_NODE, "node:issuer.mesh.ts.net");
    fcp_token_claims_set_text(c, FCP_CLAIM_ZONE_ID, "z:work");
    fcp_token_claims_set_text(c, FCP_CLAIM_AUD, "fcp.discord");
    fcp_token_claims_set_text(c, FCP_CLAIM_CAPABILITY_ID, "cap:discord.send");
    fcp_token_claims_set_text(c, FCP_CLAIM_PRINCIPAL_ID, "agent:claude");
    fcp_token_claims_set_text(c, FCP_CLAIM_HOLDER_NODE, "node:laptop.mesh.ts.net");
    fcp_token_claims_add_operation(c, "discord.send_message");
    c->nbf = c->iat = 1700000000;
    c->exp = 1700000300;
    c->present |= FCP_TC_NBF | FCP_TC_IAT | FCP_TC_EXP;
    memset(c->cti, 0xc7, 16);
    c->cti_len = 16;
    memcpy(c->aud_binary, W.binary, 32);
    memcpy(c->grant_object_ids[0], W.cap_id, 32);
    c->n_grant_object_ids = 1;
    memcpy(c->chk_id, W.chk_id, 16);
    c->chk_id_len = 16;
    c->chk_seq = 42;
    c->constraints.n_resource_allow = 1;
    strcpy(c->constraints.resource_allow[0], "/v1/messages");
    c->constraints.has_max_calls = 1;
    c->constraints.max_calls = 10;
    c->present |= FCP_TC_CTI | FCP_TC_AUD_BINARY | FCP_TC_GRANT_IDS | FCP_TC_CHK_ID | FCP_TC_CHK_SEQ |
                  FCP_TC_CONSTRAINTS;
    fcp_token_request_init(&W.req, NOW, W.owner_pk);
    W.req.audience = "fcp.discord";
    W.req.zone_id = "z:work";
    W.req.aud_binary = W.binary;
    W.req.tier = FCP_OP_DANGEROUS;
    W.req.operation = "discord.send_message";
    W.req.presenter_node = "node:laptop.mesh.ts.net";
    W.req.request_id = "req-1";
    W.req.oid_key = &W.oid_key;
    fcp_holder_proof_sign(W.holder_sig, "req-1", "discord.send_message", c->cti, 16, W.holder_sk);
    W.req.holder_sig = W.holder_sig;
    LK.ctx = &W;
    LK.is_revoked = lk_revoked;
}

static int run(void)
{
    fcp_buf t;
    static fcp_token_verified v;
    fcp_buf_init(&t);
    int rc = fcp_token_mint(&W.claims, W.iss_sk, &t);
    if (rc == 0)
        rc = fcp_token_verify(t.data, t.len, &W.req, &LK, &v);
    fcp_buf_free(&t);
    return rc;
}

static void test_verify_ok(void)
{
    world_init();
    CHECK_ERR(run(), 0);
    W.preverified = 1;
    CHECK_ERR(run(), 0);
    W.req.tier = FCP_OP_SAFE;
    W.req.holder_sig = NULL;
    CHECK_ERR(run(), 0);
}

static int run_bytes(const uint8_t *p, size_t n)
{
    static fcp_token_verified v;
    return fcp_token_verify(p, n, &W.req, &LK, &v);
}

static void test_envelope_negatives(void)
{
    fcp_buf t;
    world_init();
    fcp_buf_init(&t);
    fcp_token_mint(&W.claims, W.iss_sk, &t);
    uint8_t *p = malloc(t.len + 16);
    size_t n = t.len;
    /* 1 size */
    uint8_t *big = calloc(FCP_TOKEN_MAX_BYTES + 1, 1);
    CHECK_ERR(run_bytes(big, FCP_TOKEN_MAX_BYTES + 1), FCP_ETOKEN_TOO_LARGE);
    free(big);
    /* structure: 3-array, wrong tag, trailing byte */
    memcpy(p, t.data, n);
    p[0] = 0x83;
    CHECK_ERR(run_bytes(p, n), FCP_ETOKEN_COSE);
    p[0] = 0xd1;
    memcpy(p + 1, t.data, n);
    CHECK_ERR(run_bytes(p, n + 1), FCP_ETOKEN_COSE);
    memcpy(p, t.data, n);
    p[n] = 0;
    CHECK_ERR(run_bytes(p, n + 1), FCP_ETOKEN_COSE);
    /* alg: 0x27 (-8) -> 0x26 (-7, ES256) */
    memcpy(p, t.data, n);
    CHECK(p[3] == 0x01 && p[4] == 0x27);
    p[4] = 0x26;
    CHECK_ERR(run_bytes(p, n), FCP_ETOKEN_ALG);
    /* kid of 7 bytes: 04 48 -> 04 47 shifts the map; rebuild a protected
     * header {1:-8, 4: h'..7'} of the same length plus a filler key */
    memcpy(p, t.data, n);
    p[6] = 0x47;
    CHECK(run_bytes(p, n) < 0);
    /* unprotected header not empty: a0 -> a1 with an entry would change
     * length; use a tagged mismatch instead: replace a0 by a1 01 27 */
    {
        fcp_buf u;
        fcp_buf_init(&u);
        fcp_buf_append(&u, t.data, 15);
        uint8_t ins[] = { 0xa1, 0x01, 0x27 };
        fcp_buf_append(&u, ins, 3);
        fcp_buf_append(&u, t.data + 16, n - 16);
        CHECK(t.data[15] == 0xa0);
        CHECK_ERR(run_bytes(u.data, u.len), FCP_ETOKEN_HEADER);
        fcp_buf_free(&u);
    }
    /* 2 unknown issuer */
    W.att_missing = 1;
    CHECK_ERR(run_bytes(t.data, n), FCP_ETOKEN_UNKNOWN_ISSUER);
    W.att_missing = 0;
    /* 2 attestation expired / badly signed */
    W.att.has_expires_at = 1;
    W.att.expires_at = NOW - 1;
    CHECK_ERR(run_bytes(t.data, n), FCP_ETOKEN_ISSUER_ATTESTATION);
    W.preverified = 1;
    CHECK_ERR(run_bytes(t.data, n), FCP_ETOKEN_ISSUER_ATTESTATION);
    W.preverified = 0;
    W.att.has_expires_at = 0;
    W.att.signature[0] ^= 1;
    CHECK_ERR(run_bytes(t.data, n), FCP_ETOKEN_ISSUER_ATTESTATION);
    W.att.signature[0] ^= 1;
    /* 3 issuer revoked (issuance key; node signing key) */
    fcp_revset_add(&W.rev, W.att.node_iss_pubkey, FCP_REV_ISSUER_KEY, 0, 0);
    CHECK_ERR(run_bytes(t.data, n), FCP_ETOKEN_ISSUER_REVOKED);
    world_init();
    fcp_buf_reset(&t);
    fcp_token_mint(&W.claims, W.iss_sk, &t);
    fcp_revset_add(&W.rev, W.att.node_sig_pubkey, FCP_REV_NODE_ATTESTATION, 0, 0);
    CHECK_ERR(run_bytes(t.data, t.len), FCP_ETOKEN_ISSUER_REVOKED);
    world_init();
    /* 4 signature: flip a payload byte and a signature byte */
    fcp_buf_reset(&t);
    fcp_token_mint(&W.claims, W.iss_sk, &t);
    n = t.len;
    memcpy(p, t.data, n);
    p[n - 1] ^= 1;
    CHECK_ERR(run_bytes(p, n), FCP_ETOKEN_SIGNATURE);
    memcpy(p, t.data, n);
    p[40] ^= 1;
    CHECK_ERR(run_bytes(p, n), FCP_ETOKEN_SIGNATURE);
    /* a token signed by another key with the issuer's kid */
    {
        uint8_t opk[32], osk[64];
        seedkey(0x66, opk, osk);
        memcpy(osk + 32, W.att.node_iss_pubkey, 32); /* claim the issuer's kid */
        fcp_buf o;
        fcp_buf_init(&o);
        fcp_token_mint(&W.claims, osk, &o);
        CHECK_ERR(run_bytes(o.data, o.len), FCP_ETOKEN_SIGNATURE);
        fcp_buf_free(&o);
    }
    /* tag 18 accepted */
    p[0] = 0xd2;
    memcpy(p + 1, t.data, n);
    CHECK_ERR(run_bytes(p, n + 1), 0);
    free(p);
    fcp_buf_free(&t);
}

/* Sign arbitrary payload bytes as the issuer (for claims-level negatives
 * the encoder refuses to produce). */
static int run_payload(const uint8_t *pl, size_t pn)
{
    uint8_t prot[13] = { 0xa2, 0x01, 0x27, 0x04, 0x48 }, sig[64];
    fcp_buf tbs, tok;
    fcp_cbor_enc e;
    fcp_key_id(prot + 5, W.att.node_iss_pubkey);
    fcp_buf_init(&tbs);
    fcp_cose_sig_structure(prot, 13, pl, pn, &tbs);
    fcp_ed25519_sign(sig, tbs.data, tbs.len, W.iss_sk);
    fcp_buf_init(&tok);
    fcp_cbor_enc_init(&e, &tok);
    fcp_cbor_put_array(&e, 4);
    fcp_cbor_put_bytes(&e, prot, 13);
    fcp_cbor_put_map(&e, 0);
    fcp_cbor_put_bytes(&e, pl, pn);
    fcp_cbor_put_bytes(&e, sig, 64);
    fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    int rc = run_bytes(tok.data, tok.len);
    fcp_buf_free(&tbs);
    fcp_buf_free(&tok);
    return rc;
}

static void test_claims_negatives(void)
{
    world_init();
    /* 5 payload not canonical / unknown label / schema version */
    uint8_t noncanon[] = { 0xa1, 0x18, 0x01, 0x00 }; /* key 1 in 2-byte form */
    CHECK_ERR(run_payload(noncanon, sizeof noncanon), FCP_ETOKEN_CLAIMS);
    uint8_t unknown[] = { 0xa1, 0x08, 0x00 };
    CHECK_ERR(run_payload(unknown, sizeof unknown), FCP_ETOKEN_CLAIM_UNKNOWN);
    uint8_t sv2[] = { 0xa1, 0x3a, 0x00, 0x01, 0x00, 0x0f, 0x02 };
    CHECK_ERR(run_payload(sv2, sizeof sv2), FCP_ETOKEN_SCHEMA_VERSION);
    uint8_t wrongtype[] = { 0xa1, 0x04, 0x61, 0x78 }; /* exp as text */
    CHECK_ERR(run_payload(wrongtype, sizeof wrongtype), FCP_ETOKEN_CLAIMS);
    /* 6 token revoked */
    {
        fcp_buf t;
        fcp_cose_sign1 s;
        uint8_t id[32];
        fcp_buf_init(&t);
        fcp_token_mint(&W.claims, W.iss_sk, &t);
        fcp_cose_sign1_decode(&s, t.data, t.len);
        fcp_token_id(id, &s);
        fcp_revset_add(&W.rev, id, FCP_REV_CAPABILITY, 0, 0);
        CHECK_ERR(run_bytes(t.data, t.len), FCP_ETOKEN_REVOKED);
        /* the tag-18 copy has the same id */
        uint8_t *p = malloc(t.len + 1);
        p[0] = 0xd2;
        memcpy(p + 1, t.data, t.len);
        CHECK_ERR(run_bytes(p, t.len + 1), FCP_ETOKEN_REVOKED);
        free(p);
        fcp_buf_free(&t);
    }
    /* 7 required claims, iss_node, delegation */
    world_init();
    W.claims.present &= ~FCP_TC_ISS_NODE;
    CHECK_ERR(run(), FCP_ETOKEN_MISSING_CLAIM);
    world_init();
    W.claims.present &= ~FCP_TC_CTI;
    CHECK_ERR(run(), FCP_ETOKEN_MISSING_CLAIM);
    world_init();
    fcp_token_claims_set_text(&W.claims, FCP_CLAIM_ISS_NODE, "node:other.mesh.ts.net");
    CHECK_ERR(run(), FCP_ETOKEN_ISS_NODE);
    world_init();
    W.claims.delegation_depth = FCP_TOKEN_MAX_DELEGATION + 1;
    W.claims.present |= FCP_TC_DELEGATION;
    CHECK_ERR(run(), FCP_ETOKEN_DELEGATION);
}

static void test_time_and_binding_negatives(void)
{
    /* 8 time */
    world_init();
    W.claims.nbf = NOW + 61;
    W.claims.iat = NOW - 10;
    CHECK_ERR(run(), FCP_ETOKEN_NOT_YET_VALID);
    world_init();
    W.claims.nbf = NOW + 60; /* within skew */
    W.claims.iat = NOW;
    W.claims.exp = NOW + 300;
    CHECK_ERR(run(), 0);
    world_init();
    W.claims.iat = NOW + 61;
    W.claims.nbf = NOW;
    CHECK_ERR(run(), FCP_ETOKEN_IAT_FUTURE);
    world_init();
    W.req.now = W.claims.exp + 61;
    CHECK_ERR(run(), FCP_ETOKEN_EXPIRED);
    world_init();
    W.req.now = W.claims.exp + 60;
    CHECK_ERR(run(), 0);
    world_init();
    W.claims.exp = W.claims.nbf;
    W.req.now = W.claims.nbf;
    CHECK_ERR(run(), FCP_ETOKEN_LIFETIME);
    world_init();
    W.req.max_lifetime_secs = 299;
    CHECK_ERR(run(), FCP_ETOKEN_LIFETIME);
    /* 9 audience, zone, aud_binary */
    world_init();
    W.req.audience = "fcp.telegram";
    CHECK_ERR(run(), FCP_ETOKEN_AUDIENCE);
    world_init();
    W.req.zone_id = "z:private";
    CHECK_ERR(run(), FCP_ETOKEN_ZONE);
    world_init();
    W.binary[0] ^= 1;
    CHECK_ERR(run(), FCP_ETOKEN_AUD_BINARY);
    world_init();
    W.claims.present &= ~FCP_TC_AUD_BINARY;
    CHECK_ERR(run(), FCP_ETOKEN_AUD_BINARY);
    /* 10 checkpoint */
    world_init();
    W.chk_seq = 41;
    CHECK_ERR(run(), FCP_ETOKEN_CHECKPOINT_AHEAD);
    world_init();
    W.chk_id[15] ^= 1;
    CHECK_ERR(run(), FCP_ETOKEN_CHECKPOINT);
    world_init();
    W.claims.present &= ~FCP_TC_CHK_SEQ;
    CHECK_ERR(run(), FCP_ETOKEN_CHECKPOINT);
    world_init();
    W.claims.present &= ~(FCP_TC_CHK_SEQ | FCP_TC_CHK_ID);
    CHECK_ERR(run(), FCP_ETOKEN_CHECKPOINT);
    /* 11 operation, tier */
    world_init();
    W.req.operation = "discord.delete_guild";
    CHECK_ERR(run(), FCP_EOP_NOT_GRANTED);
    world_init();
    W.req.tier = FCP_OP_FORBIDDEN;
    CHECK_ERR(run(), FCP_ETOKEN_TIER);
}

static void test_grant_negatives(void)
{
    world_init();
    W.claims.present &= ~FCP_TC_GRANT_IDS;
    CHECK_ERR(run(), FCP_ETOKEN_NO_GRANTS);
    world_init();
    W.grant_missing = 1;
    CHECK_ERR(run(), FCP_ETOKEN_GRANT_MISSING);
    world_init();
    W.cap.signature[3] ^= 1;
    CHECK_ERR(run(), FCP_ETOKEN_GRANT_INVALID);
    world_init();
    W.claims.grant_object_ids[0][0] ^= 1; /* store returns an object under another id */
    memcpy(W.cap_id, W.claims.grant_object_ids[0], 32);
    CHECK_ERR(run(), FCP_ETOKEN_GRANT_INVALID);
    world_init();
    W.cap.valid_until = W.claims.exp - 1;
    fcp_cap_object_sign(&W.cap, W.owner_sk);
    fcp_cap_object_id(W.cap_id, &W.cap, &W.oid_key);
    memcpy(W.claims.grant_object_ids[0], W.cap_id, 32);
    CHECK_ERR(run(), FCP_ETOKEN_GRANT_WINDOW);
    world_init();
    fcp_revset_add(&W.rev, W.cap_id, FCP_REV_CAPABILITY, 0, 0);
    CHECK_ERR(run(), FCP_ETOKEN_GRANT_REVOKED);
    world_init();
    fcp_token_claims_set_text(&W.claims, FCP_CLAIM_PRINCIPAL_ID, "agent:mallory");
    CHECK_ERR(run(), FCP_ETOKEN_GRANT_GRANTEE);
    world_init();
    fcp_token_claims_set_text(&W.claims, FCP_CLAIM_CAPABILITY_ID, "cap:discord.admin");
    CHECK_ERR(run(), FCP_ETOKEN_CAPS_NOT_SUBSET);
    world_init();
    W.claims.constraints.max_calls = 1000; /* grant allows 100 */
    CHECK_ERR(run(), FCP_ETOKEN_ATTENUATION_WIDENS);
    world_init();
    strcpy(W.claims.constraints.resource_allow[0], "/admin/");
    CHECK_ERR(run(), FCP_ETOKEN_ATTENUATION_WIDENS);
    world_init();
    W.claims.present &= ~FCP_TC_CONSTRAINTS; /* no attenuation: inherits the grant's */
    CHECK_ERR(run(), 0);
}

static void test_holder_negatives(void)
{
    world_init();
    W.req.presenter_node = "node:phone.mesh.ts.net";
    CHECK_ERR(run(), FCP_ETOKEN_HOLDER_NODE);
    world_init();
    W.claims.present &= ~FCP_TC_HOLDER;
    CHECK_ERR(run(), FCP_ETOKEN_HOLDER_NODE);
    world_init();
    W.req.holder_sig = NULL;
    CHECK_ERR(run(), FCP_ETOKEN_HOLDER_PROOF_MISSING);
    world_init();
    W.holder_sig[0] ^= 1;
    CHECK_ERR(run(), FCP_ETOKEN_HOLDER_PROOF);
    world_init();
    W.req.request_id = "req-2"; /* proof for another request */
    CHECK_ERR(run(), FCP_ETOKEN_HOLDER_PROOF);
    /* Risky needs it too, Safe does not */
    world_init();
    W.req.tier = FCP_OP_RISKY;
    W.req.holder_sig = NULL;
    CHECK_ERR(run(), FCP_ETOKEN_HOLDER_PROOF_MISSING);
}

/* Property: revocation always wins.  For random subsets of {token, grant,
 * issuer key, node} revoked and random valid-or-not other settings, a
 * verification that would otherwise pass fails iff something is revoked. */
static void test_property_revocation_wins(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int fails = 0;
    for (int iter = 0; iter < 64; iter++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned m = (unsigned)(x & 15);
        world_init();
        W.preverified = (int)((x >> 8) & 1);
        fcp_buf t;
        fcp_cose_sign1 s;
        uint8_t id[32];
        fcp_buf_init(&t);
        fcp_token_mint(&W.claims, W.iss_sk, &t);
        fcp_cose_sign1_decode(&s, t.data, t.len);
        fcp_token_id(id, &s);
        uint64_t eff = NOW - ((x >> 16) & 1000);
        if (m & 1) fcp_revset_add(&W.rev, id, FCP_REV_CAPABILITY, eff, 0);
        if (m & 2) fcp_revset_add(&W.rev, W.cap_id, FCP_REV_CAPABILITY, eff, 0);
        if (m & 4) fcp_revset_add(&W.rev, W.att.node_iss_pubkey, FCP_REV_ISSUER_KEY, eff, 0);
        if (m & 8) fcp_revset_add(&W.rev, W.att.node_sig_pubkey, FCP_REV_NODE_ATTESTATION, eff, 0);
        int rc = run_bytes(t.data, t.len);
        int want_fail = m != 0;
        if ((rc != 0) != want_fail)
            fails++;
        if (m)
            CHECK(rc == FCP_ETOKEN_REVOKED || rc == FCP_ETOKEN_GRANT_REVOKED || rc == FCP_ETOKEN_ISSUER_REVOKED);
        fcp_buf_free(&t);
    }
    CHECK_EQ(fails, 0);
}

int main(void)
{
    fcp_crypto_init();
    test_upstream_tokens();
    test_host_rpc_token();
    CHECK_EQ(matched, 12);
    test_holder_proofs();
    test_verify_ok();
    test_envelope_negatives();
    test_claims_negatives();
    test_time_and_binding_negatives();
    test_grant_negatives();
    test_holder_negatives();
    test_property_revocation_wins();
    fcp_revset_free(&W.rev);
    printf("authz_token: upstream tokens matched byte for byte: %d\n", matched);
    return fcp_t_done("authz_token");
}
