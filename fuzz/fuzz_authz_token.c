/*
 * fuzz_authz_token.c - libFuzzer target for the capability-token path
 * (src/authz/authz_token.c): COSE_Sign1 envelope decode, CWT claims decode,
 * and the full ordered verifier against a fixed world (owner key A0*32,
 * issuer issuance key 01*32 attested for node:issuer.mesh.ts.net, one
 * owner-signed grant object, a checkpoint, a holder key 04*32).
 *
 * Every input is used twice: as a token, and as a claims payload that the
 * harness wraps and signs with the issuer key, so the claim-level steps of
 * the verifier (time, audience, checkpoint, grants, attenuation, holder) are
 * reached by mutated claims and not only by the few seeds with valid
 * signatures.
 *
 * A parent_token lookup (D-TOKEN-7) knows one harness-minted root token and
 * answers any other id with the token under test.
 *
 * Properties: no crash, leak or undefined behaviour on any input; accepted
 * claims re-encode to exactly the signed payload (one encoding per claim
 * set); the signature-only verifier and the full verifier agree on every
 * envelope and signature failure; a token the full verifier accepts has a
 * payload signed by the attested issuance key; a harness-signed token never
 * fails on envelope or signature, and if accepted carries iss_node, zone_id
 * and exp, and if delegated chains to the root in one link.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_token.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t owner_pk[32], owner_sk[64], iss_pk[32], iss_sk[64], holder_pk[32];
static fcp_node_attestation att;
static fcp_cap_object cap;
static uint8_t cap_id[32];

static int cb_issuer(void *ctx, const uint8_t kid[8], fcp_token_issuer_ref *ref)
{
    uint8_t k[8];
    (void)ctx;
    fcp_key_id(k, att.node_iss_pubkey);
    if (memcmp(k, kid, 8))
        return FCP_ENOENT;
    ref->att = &att;
    ref->preverified = 1;
    return 0;
}

static int cb_grant(void *ctx, const uint8_t id[32], fcp_token_grant_ref *ref)
{
    (void)ctx;
    if (memcmp(id, cap_id, 32))
        return FCP_ENOENT;
    ref->obj = &cap;
    ref->preverified = 1;
    return 0;
}

static int cb_revoked(void *ctx, enum fcp_rev_scope s, const uint8_t id[32], uint64_t now)
{
    (void)ctx; (void)s; (void)now;
    return id[0] == 0xee; /* a deterministic slice of ids is revoked */
}

static int cb_checkpoint(void *ctx, const char *zone, uint64_t at, uint64_t *ours, uint8_t *id, size_t *idl)
{
    (void)ctx; (void)zone;
    *ours = 100;
    memset(id, 0xde, 32);
    *idl = at == 42 ? 32 : 0;
    return 0;
}

/* Delegation (D-TOKEN-7): the store knows one root token (minted at init,
 * depth 2, bearer grant); any other parent id is answered with the token
 * being verified, so mutated parent_token claims exercise the reference,
 * cycle and link checks.  The claims seed claims_delegated names the root. */
static fcp_buf root_tok;
static uint8_t root_id[32];
static const uint8_t *cur_tok;
static size_t cur_len;

static int cb_parent(void *ctx, const uint8_t id[32], const uint8_t **p, size_t *n)
{
    (void)ctx;
    if (!memcmp(id, root_id, 32)) {
        *p = root_tok.data;
        *n = root_tok.len;
        return 0;
    }
    if (!cur_tok)
        return FCP_ENOENT;
    *p = cur_tok;
    *n = cur_len;
    return 0;
}

static int cb_node_key(void *ctx, const char *node, uint8_t pk[32])
{
    (void)ctx;
    if (strcmp(node, "node:laptop.mesh.ts.net"))
        return FCP_ENOENT;
    memcpy(pk, holder_pk, 32);
    return 0;
}

static void init(void)
{
    uint8_t seed[32], sk[64];
    fcp_schema_id s;
    fcp_crypto_init();
    memset(seed, 0xa0, 32);
    fcp_ed25519_keypair_from_seed(owner_pk, owner_sk, seed);
    memset(seed, 0x01, 32);
    fcp_ed25519_keypair_from_seed(iss_pk, iss_sk, seed);
    memset(seed, 0x04, 32);
    fcp_ed25519_keypair_from_seed(holder_pk, sk, seed);
    strcpy(att.node_id, "node:issuer.mesh.ts.net");
    memcpy(att.node_iss_pubkey, iss_pk, 32);
    memset(att.node_sig_pubkey, 0x0b, 32);
    att.issued_at = 1690000000;
    fcp_attestation_sign(&att, owner_sk);
    fcp_cap_object_schema(&s);
    fcp_object_header_init(&cap.header, &s, "z:work", 1690000000);
    strcpy(cap.capability_id, "cap:discord.send");
    cap.grantee = FCP_GRANTEE_BEARER;
    cap.valid_from = 1690000000;
    cap.valid_until = 1800000000;
    fcp_cap_object_sign(&cap, owner_sk);
    memset(cap_id, 0x11, 32);
    {
        static fcp_token_claims rc;
        fcp_cose_sign1 cs;
        fcp_token_claims_init(&rc);
        fcp_token_claims_set_text(&rc, FCP_CLAIM_ISS_NODE, "node:issuer.mesh.ts.net");
        fcp_token_claims_set_text(&rc, FCP_CLAIM_ZONE_ID, "z:work");
        fcp_token_claims_set_text(&rc, FCP_CLAIM_CAPABILITY_ID, "cap:discord.send");
        fcp_token_claims_add_operation(&rc, "discord.send_message");
        rc.nbf = rc.iat = 1700000000;
        rc.exp = 1700000600;
        memcpy(rc.grant_object_ids[0], cap_id, 32);
        rc.n_grant_object_ids = 1;
        rc.delegation_depth = 2;
        rc.present |= FCP_TC_NBF | FCP_TC_IAT | FCP_TC_EXP | FCP_TC_GRANT_IDS | FCP_TC_DELEGATION;
        fcp_buf_init(&root_tok);
        if (fcp_token_mint(&rc, iss_sk, &root_tok) || fcp_cose_sign1_decode(&cs, root_tok.data, root_tok.len) ||
            fcp_token_id(root_id, &cs))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int done;
    static fcp_token_claims claims;
    static fcp_token_verified v;
    if (!done) {
        init();
        done = 1;
    }
    fcp_cose_sign1 s;
    int env = fcp_cose_sign1_decode(&s, data, size);
    if (env == 0 && fcp_token_claims_decode(&claims, s.payload, s.payload_len) == 0) {
        fcp_buf b;
        fcp_buf_init(&b);
        if (fcp_token_claims_encode(&claims, &b) != 0 || b.len != s.payload_len ||
            memcmp(b.data, s.payload, b.len) != 0)
            abort();
        fcp_buf_free(&b);
        fcp_cap_grant g[FCP_CAP_MAX_GRANTS];
        size_t ng;
        (void)fcp_token_effective_grants(&claims, g, &ng);
    }
    int sig_only = fcp_token_verify_signature(data, size, iss_pk, &claims);
    fcp_token_lookup lk = { NULL, cb_issuer, cb_grant, cb_revoked, cb_checkpoint, cb_node_key, NULL,
                            cb_parent };
    cur_tok = data;
    cur_len = size;
    fcp_token_request r;
    fcp_token_request_init(&r, 1700000100, owner_pk);
    r.tier = size % 3 ? FCP_OP_SAFE : FCP_OP_DANGEROUS;
    r.operation = size % 2 ? "discord.send_message" : NULL;
    r.presenter_node = "node:laptop.mesh.ts.net";
    r.request_id = "req-1";
    int full = fcp_token_verify(data, size, &r, &lk, &v);
    /* envelope errors are the same in both paths */
    if (env != 0 && (full != env || sig_only != env))
        abort();
    /* a signature failure in one is a failure in the other */
    if ((sig_only == FCP_ETOKEN_SIGNATURE) != (full == FCP_ETOKEN_SIGNATURE) && env == 0 &&
        full != FCP_ETOKEN_UNKNOWN_ISSUER && sig_only != FCP_ETOKEN_KID_MISMATCH && full != FCP_ETOKEN_ISSUER_REVOKED)
        abort();
    if (full == 0 && sig_only != 0)
        abort();

    /* second use: the input as a claims payload, signed here */
    if (size <= 4096) {
        uint8_t prot[13] = { 0xa2, 0x01, 0x27, 0x04, 0x48 }, sig[64];
        fcp_buf tbs, tok;
        fcp_cbor_enc e;
        fcp_key_id(prot + 5, iss_pk);
        fcp_buf_init(&tbs);
        fcp_buf_init(&tok);
        if (fcp_cose_sig_structure(prot, 13, data, size, &tbs) == 0 &&
            fcp_ed25519_sign(sig, tbs.data, tbs.len, iss_sk) == 0) {
            fcp_cbor_enc_init(&e, &tok);
            fcp_cbor_put_array(&e, 4);
            fcp_cbor_put_bytes(&e, prot, 13);
            fcp_cbor_put_map(&e, 0);
            fcp_cbor_put_bytes(&e, data, size);
            fcp_cbor_put_bytes(&e, sig, 64);
            if (fcp_cbor_enc_finish(&e) == 0) {
                r.tier = (enum fcp_op_tier)(size % 4);
                cur_tok = tok.data;
                cur_len = tok.len;
                int rc = fcp_token_verify(tok.data, tok.len, &r, &lk, &v);
                /* a delegated token that verifies chains up to the root,
                 * which is its only possible ancestor here */
                if (rc == 0 && (v.claims.present & FCP_TC_PARENT) &&
                    (v.n_parents != 1 || memcmp(v.root_token_id, root_id, 32) != 0))
                    abort();
                if (rc == FCP_ETOKEN_COSE || rc == FCP_ETOKEN_SIGNATURE || rc == FCP_ETOKEN_ALG ||
                    rc == FCP_ETOKEN_KID || rc == FCP_ETOKEN_HEADER || rc == FCP_ETOKEN_UNKNOWN_ISSUER)
                    abort();
                if (rc == 0 && (!(v.claims.present & FCP_TC_ISS_NODE) || !(v.claims.present & FCP_TC_ZONE) ||
                                !(v.claims.present & FCP_TC_EXP)))
                    abort();
            }
            fcp_cbor_enc_free(&e);
        }
        fcp_buf_free(&tbs);
        fcp_buf_free(&tok);
    }
    return 0;
}
