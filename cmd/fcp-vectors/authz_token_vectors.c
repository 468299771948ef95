/*
 * authz_token_vectors.c - golden vectors for capability objects, tokens and
 * revocation (conformance/golden/authz_token/), pinning D-CAP-*, D-TOKEN-*
 * and D-REV-*:
 *   tokens.json          raw claims CBOR + seed -> minted COSE token, kid, token id
 *   token_rejects.json   tampered / malformed tokens -> the error of the first failing step
 *   objects.json         CapabilityObject, CredentialObject, RoleObject, RoleAssignment,
 *                        RevocationObject, RevocationEvent, RevocationHead: CBOR, signature, id
 *   constraints.json     CapabilityConstraints encodings (network defaults, empties skipped)
 *   holder_proofs.json   holder proof signable bytes and signatures
 *   freshness.json       the tiered freshness rule
 *   delegation.json      a root token and two delegations (D-TOKEN-7): claims, minted
 *                        tokens, ids and the verifier's result for the leaf
 * and conformance/golden/authz/connector_state.json: ConnectorStateObject
 * versions (D-LEASE-5) with their encodings, signatures, ids and fence/chain
 * check results.
 * Seeds are fixed ("XX*32" = byte XX repeated); Ed25519 is deterministic, so
 * every run writes the same bytes.  tests/unit/authz_golden_test.c recomputes
 * every entry from its inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_cap.h"
#include "fcp/authz_lease.h"
#include "fcp/authz_revocation.h"
#include "fcp/authz_token.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_cap.h"
#include "fcp/model_revocation.h"
#include "vectors.h"

static void keys(uint8_t b, uint8_t pk[32], uint8_t sk[64], uint8_t seed[32])
{
    memset(seed, b, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
}

static json_t *bufhex(const fcp_buf *b)
{
    return vec_hex(b->data, b->len);
}

/* ---- tokens ------------------------------------------------------------------ */

static void base_claims(fcp_token_claims *c, int variant)
{
    fcp_token_claims_init(c);
    fcp_token_claims_set_text(c, FCP_CLAIM_ISS, "node:issuer");
    fcp_token_claims_set_text(c, FCP_CLAIM_ISS_NODE, "node:issuer.mesh.ts.net");
    fcp_token_claims_set_text(c, FCP_CLAIM_ZONE_ID, "z:work");
    fcp_token_claims_set_text(c, FCP_CLAIM_CAPABILITY_ID, "cap:discord.send");
    fcp_token_claims_set_text(c, FCP_CLAIM_PRINCIPAL_ID, "agent:claude");
    fcp_token_claims_add_operation(c, "discord.send_message");
    c->iat = c->nbf = 1700000000;
    c->exp = 1700000300;
    c->present |= FCP_TC_IAT | FCP_TC_NBF | FCP_TC_EXP;
    if (variant >= 1) {
        memset(c->cti, 0xc7, 16);
        c->cti_len = 16;
        memset(c->aud_binary, 0x77, 32);
        memset(c->grant_object_ids[0], 0x11, 32);
        memset(c->grant_object_ids[1], 0x22, 32);
        c->n_grant_object_ids = 2;
        fcp_token_claims_set_text(c, FCP_CLAIM_HOLDER_NODE, "node:laptop.mesh.ts.net");
        fcp_token_claims_set_text(c, FCP_CLAIM_AUD, "fcp.discord");
        memset(c->chk_id, 0xde, 32);
        c->chk_id_len = 32;
        c->chk_seq = 42;
        c->present |= FCP_TC_CTI | FCP_TC_AUD_BINARY | FCP_TC_GRANT_IDS | FCP_TC_CHK_ID | FCP_TC_CHK_SEQ;
    }
    if (variant >= 2) {
        c->constraints.n_resource_allow = 1;
        strcpy(c->constraints.resource_allow[0], "/v1/messages");
        c->constraints.has_max_calls = 1;
        c->constraints.max_calls = 10;
        c->constraints.n_credential_allow = 1;
        strcpy(c->constraints.credential_allow[0], "cred:discord.bot_token");
        c->constraints.has_network = 1;
        fcp_net_constraints_default(&c->constraints.network);
        c->constraints.network.n_host_allow = 1;
        strcpy(c->constraints.network.host_allow[0], "discord.com");
        c->constraints.network.n_port_allow = 1;
        c->constraints.network.port_allow[0] = 443;
        c->n_grants = 1;
        strcpy(c->grants[0].capability, "cap:discord.send");
        strcpy(c->grants[0].operation, "discord.send_message");
        c->grants[0].has_operation = 1;
        fcp_token_claims_set_text(c, FCP_CLAIM_INSTANCE_ID, "instance:1");
        c->delegation_depth = 1;
        memset(c->parent_token, 0x99, 32);
        c->parent_token_len = 32;
        c->present |= FCP_TC_CONSTRAINTS | FCP_TC_GRANTS | FCP_TC_DELEGATION | FCP_TC_PARENT;
    }
}

static json_t *build_tokens(void)
{
    static const char *names[] = { "minimal_safe", "risky_bound", "full_claims" };
    static const char *desc[] = {
        "required claims only; mint synthesizes aud = zone_id and schema_version = 1",
        "adds cti, aud_binary, two grant_object_ids, holder_node, explicit aud, chk_id/chk_seq",
        "adds constraints (with network defaults and credential_allow), grants, instance_id, delegation",
    };
    json_t *arr = json_array();
    uint8_t pk[32], sk[64], seed[32], kid[8], id[32];
    keys(0x01, pk, sk, seed);
    fcp_key_id(kid, pk);
    for (int v = 0; v < 3; v++) {
        fcp_token_claims *c = malloc(sizeof *c);
        fcp_buf raw, tok;
        fcp_cose_sign1 s;
        base_claims(c, v);
        fcp_buf_init(&raw);
        fcp_buf_init(&tok);
        if (!c || fcp_token_claims_encode(c, &raw) || fcp_token_mint(c, sk, &tok) ||
            fcp_cose_sign1_decode(&s, tok.data, tok.len) || fcp_token_id(id, &s)) {
            fprintf(stderr, "authz_token vectors: token %d failed\n", v);
            json_decref(arr);
            free(c);
            return NULL;
        }
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "ed25519_seed_hex", vec_hex(seed, 32));
        json_object_set_new(in, "raw_claims_cbor_hex", bufhex(&raw));
        json_object_set_new(ex, "public_key_hex", vec_hex(pk, 32));
        json_object_set_new(ex, "kid_hex", vec_hex(kid, 8));
        json_object_set_new(ex, "signed_payload_hex", vec_hex(s.payload, s.payload_len));
        json_object_set_new(ex, "token_cbor_hex", bufhex(&tok));
        json_object_set_new(ex, "token_id_hex", vec_hex(id, 32));
        json_array_append_new(arr, vec_entry(names[v], desc[v], in, ex));
        fcp_buf_free(&raw);
        fcp_buf_free(&tok);
        free(c);
    }
    return arr;
}

/* ---- rejects ---------------------------------------------------------------------- */

static json_t *reject(const char *name, const char *desc, const uint8_t pk[32], const uint8_t *t, size_t n)
{
    fcp_token_claims *c = malloc(sizeof *c);
    int rc = c ? fcp_token_verify_signature(t, n, pk, c) : FCP_ENOMEM;
    free(c);
    json_t *in = json_object(), *ex = json_object();
    json_object_set_new(in, "public_key_hex", vec_hex(pk, 32));
    json_object_set_new(in, "token_cbor_hex", vec_hex(t, n));
    json_object_set_new(ex, "error", json_string(rc ? fcp_error_name(rc) : "ok"));
    return vec_entry(name, desc, in, ex);
}

/* Sign arbitrary payload bytes into a token (the encoder will not make the
 * malformed payloads these vectors need). */
static void sign_payload(fcp_buf *out, const uint8_t *pl, size_t pn, const uint8_t sk[64], int tag)
{
    uint8_t prot[13] = { 0xa2, 0x01, 0x27, 0x04, 0x48 }, sig[64];
    fcp_buf tbs;
    fcp_cbor_enc e;
    fcp_key_id(prot + 5, sk + 32);
    fcp_buf_init(&tbs);
    fcp_cose_sig_structure(prot, 13, pl, pn, &tbs);
    fcp_ed25519_sign(sig, tbs.data, tbs.len, sk);
    fcp_buf_free(&tbs);
    fcp_cbor_enc_init(&e, out);
    if (tag)
        fcp_cbor_put_tag(&e, 18);
    fcp_cbor_put_array(&e, 4);
    fcp_cbor_put_bytes(&e, prot, 13);
    fcp_cbor_put_map(&e, 0);
    fcp_cbor_put_bytes(&e, pl, pn);
    fcp_cbor_put_bytes(&e, sig, 64);
    fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
}

static json_t *build_rejects(void)
{
    json_t *arr = json_array();
    uint8_t pk[32], sk[64], seed[32], opk[32], osk[64];
    fcp_token_claims *c = malloc(sizeof *c);
    fcp_buf tok, t;
    if (!c)
        return NULL;
    keys(0x01, pk, sk, seed);
    keys(0x02, opk, osk, seed);
    base_claims(c, 1);
    fcp_buf_init(&tok);
    fcp_buf_init(&t);
    fcp_token_mint(c, sk, &tok);
    uint8_t *p = malloc(tok.len + 8);
    size_t n = tok.len;
    json_array_append_new(arr, reject("valid", "the untouched token", pk, tok.data, n));
    sign_payload(&t, (const uint8_t *)"\xa1\x01\x61x", 4, sk, 1);
    json_array_append_new(arr, reject("tag18_accepted", "tag 18 around the COSE_Sign1 is accepted", pk, t.data, t.len));
    memcpy(p, tok.data, n);
    p[0] = 0x83;
    json_array_append_new(arr, reject("not_four_items", "array of 3 instead of 4", pk, p, n));
    p[0] = 0xd1;
    memcpy(p + 1, tok.data, n);
    json_array_append_new(arr, reject("tag17", "tag 17 (COSE_Mac0) is refused", pk, p, n + 1));
    memcpy(p, tok.data, n);
    p[n] = 0x00;
    json_array_append_new(arr, reject("trailing_byte", "one byte after the token", pk, p, n + 1));
    memcpy(p, tok.data, n);
    p[4] = 0x26;
    json_array_append_new(arr, reject("alg_es256", "protected alg -7 instead of -8", pk, p, n));
    memcpy(p, tok.data, n);
    p[5] = 0x05;
    json_array_append_new(arr, reject("kid_label_5", "protected label 5 (IV) instead of 4 (kid)", pk, p, n));
    {
        fcp_buf u;
        fcp_buf_init(&u);
        fcp_buf_append(&u, tok.data, 15);
        fcp_buf_append(&u, "\xa1\x01\x27", 3);
        fcp_buf_append(&u, tok.data + 16, n - 16);
        json_array_append_new(arr, reject("unprotected_param", "unprotected header {1: -8} is refused", pk, u.data, u.len));
        fcp_buf_free(&u);
    }
    memcpy(p, tok.data, n);
    p[n - 10] ^= 0x01;
    json_array_append_new(arr, reject("signature_bit", "one signature bit flipped", pk, p, n));
    memcpy(p, tok.data, n);
    p[30] ^= 0x01;
    json_array_append_new(arr, reject("payload_bit", "one payload bit flipped", pk, p, n));
    json_array_append_new(arr, reject("other_key", "verified with a key whose kid differs", opk, tok.data, n));
    fcp_buf_reset(&t);
    sign_payload(&t, (const uint8_t *)"\xa1\x18\x01\x00", 4, sk, 0);
    json_array_append_new(arr, reject("claims_non_canonical", "claim key 1 in two-byte form", pk, t.data, t.len));
    fcp_buf_reset(&t);
    sign_payload(&t, (const uint8_t *)"\xa1\x08\x00", 3, sk, 0);
    json_array_append_new(arr, reject("claim_unknown", "claim label 8 is not defined", pk, t.data, t.len));
    fcp_buf_reset(&t);
    sign_payload(&t, (const uint8_t *)"\xa1\x3a\x00\x01\x00\x0f\x02", 7, sk, 0);
    json_array_append_new(arr, reject("schema_version_2", "schema_version 2", pk, t.data, t.len));
    fcp_buf_reset(&t);
    sign_payload(&t, (const uint8_t *)"\xa1\x3a\x00\x01\x00\x02\x80", 7, sk, 0);
    json_array_append_new(arr, reject("operations_empty", "operations present but empty", pk, t.data, t.len));
    free(p);
    free(c);
    fcp_buf_free(&tok);
    fcp_buf_free(&t);
    return arr;
}

/* ---- objects ------------------------------------------------------------------------- */

static json_t *obj_entry(const char *name, const char *desc, const char *schema, const uint8_t seed[32],
                         const fcp_buf *unsigned_cbor, const fcp_buf *full, const uint8_t sig[64],
                         const uint8_t *id)
{
    json_t *in = json_object(), *ex = json_object();
    json_object_set_new(in, "schema", json_string(schema));
    json_object_set_new(in, "signer_seed_hex", vec_hex(seed, 32));
    json_object_set_new(in, "object_id_key_hex", vec_hex((const uint8_t *)"\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33\x33", 32));
    json_object_set_new(ex, "unsigned_cbor_hex", bufhex(unsigned_cbor));
    json_object_set_new(ex, "cbor_hex", bufhex(full));
    if (sig)
        json_object_set_new(ex, "signature_hex", vec_hex(sig, 64));
    if (id)
        json_object_set_new(ex, "object_id_hex", vec_hex(id, 32));
    return vec_entry(name, desc, in, ex);
}

static json_t *build_objects(void)
{
    static fcp_cap_object cap;
    static fcp_credential_object cred;
    static fcp_role_object role;
    static fcp_role_assignment asg;
    static fcp_revocation_object rev;
    static fcp_revocation_event ev;
    static fcp_revocation_head head;
    fcp_schema_id s;
    fcp_object_id_key key;
    uint8_t pk[32], sk[64], seed[32], id[32];
    fcp_buf u, f;
    json_t *arr = json_array();
    int rc = 0;
    keys(0xa0, pk, sk, seed);
    memset(key.bytes, 0x33, 32);
    fcp_buf_init(&u);
    fcp_buf_init(&f);

    memset(&cap, 0, sizeof cap);
    fcp_cap_object_schema(&s);
    fcp_object_header_init(&cap.header, &s, "z:work", 1700000000);
    strcpy(cap.capability_id, "cap:discord.send");
    cap.grantee = FCP_GRANTEE_PRINCIPAL;
    strcpy(cap.grantee_value, "agent:claude");
    cap.constraints.n_resource_allow = 1;
    strcpy(cap.constraints.resource_allow[0], "/v1/");
    cap.constraints.has_max_calls = 1;
    cap.constraints.max_calls = 100;
    cap.placement.n_zones = 1;
    strcpy(cap.placement.zones[0], "z:work");
    cap.placement.n_requires = 1;
    cap.placement.requires[0].len = 8;
    memcpy(cap.placement.requires[0].cbor, "\x67OnPower", 8);
    cap.valid_from = 1700000000;
    cap.valid_until = 1800000000;
    rc |= fcp_cap_object_sign(&cap, sk);
    rc |= fcp_cap_object_encode_unsigned(&cap, &u);
    rc |= fcp_cap_object_encode(&cap, &f);
    rc |= fcp_cap_object_id(id, &cap, &key);
    json_array_append_new(arr, obj_entry("capability_object", "CapabilityObject, Principal grantee, owner-signed",
                                         "fcp.core.CapabilityObject/1.0.0", seed, &u, &f, cap.signature, id));

    fcp_buf_reset(&u);
    fcp_buf_reset(&f);
    memset(&cred, 0, sizeof cred);
    fcp_credential_schema(&s);
    fcp_object_header_init(&cred.header, &s, "z:work", 1700000000);
    strcpy(cred.credential_id, "cred:telegram.bot_token");
    strcpy(cred.secret_id, "secret:telegram");
    cred.apply = FCP_CRED_HTTP_HEADER;
    strcpy(cred.name, "Authorization");
    cred.format = FCP_CRED_PREFIX;
    strcpy(cred.prefix, "Bearer ");
    cred.n_host_allow = 1;
    strcpy(cred.host_allow[0], "api.telegram.org");
    cred.created_at = 1700000000;
    rc |= fcp_credential_sign(&cred, sk);
    rc |= fcp_credential_encode_unsigned(&cred, &u);
    rc |= fcp_credential_encode(&cred, &f);
    json_array_append_new(arr, obj_entry("credential_object", "CredentialObject: HttpHeader Authorization, Prefix \"Bearer \", host-bound",
                                         "fcp.core.CredentialObject/1.0.0", seed, &u, &f, cred.signature, NULL));

    fcp_buf_reset(&u);
    fcp_buf_reset(&f);
    memset(&role, 0, sizeof role);
    fcp_role_schema(&s);
    fcp_object_header_init(&role.header, &s, "z:work", 1700000000);
    strcpy(role.role_id, "role:reviewer");
    role.n_grants = 1;
    strcpy(role.grants[0].capability, "github");
    strcpy(role.grants[0].operation, "github.create_pr");
    role.grants[0].has_operation = 1;
    role.n_inherits = 1;
    strcpy(role.inherits[0], "role:dev");
    role.has_constraints = 1;
    role.constraints.has_max_calls = 1;
    role.constraints.max_calls = 5;
    rc |= fcp_role_sign(&role, sk);
    rc |= fcp_role_encode_unsigned(&role, &u);
    rc |= fcp_role_encode(&role, &f);
    json_array_append_new(arr, obj_entry("role_object", "RoleObject inheriting role:dev, narrowed",
                                         "fcp.core.RoleObject/1.0.0", seed, &u, &f, role.signature, NULL));

    fcp_buf_reset(&u);
    fcp_buf_reset(&f);
    memset(&asg, 0, sizeof asg);
    fcp_role_assignment_schema(&s);
    fcp_object_header_init(&asg.header, &s, "z:work", 1700000000);
    strcpy(asg.role_id, "role:reviewer");
    strcpy(asg.principal, "agent:claude");
    asg.valid_from = 1700000000;
    asg.valid_until = 1700086400;
    rc |= fcp_role_assignment_sign(&asg, sk);
    rc |= fcp_role_assignment_encode_unsigned(&asg, &u);
    rc |= fcp_role_assignment_encode(&asg, &f);
    json_array_append_new(arr, obj_entry("role_assignment", "RoleAssignment of role:reviewer for one day",
                                         "fcp.core.RoleAssignment/1.0.0", seed, &u, &f, asg.signature, NULL));

    fcp_buf_reset(&u);
    fcp_buf_reset(&f);
    memset(&rev, 0, sizeof rev);
    fcp_revocation_object_schema(&s);
    fcp_object_header_init(&rev.header, &s, "z:owner", 1700000000);
    rev.n_revoked = 2;
    memset(rev.revoked[0], 0x01, 32);
    memset(rev.revoked[1], 0x02, 32);
    rev.scope = FCP_REV_ISSUER_KEY;
    strcpy(rev.reason, "device lost");
    rev.effective_at = 1700000000;
    rev.has_expires_at = 1;
    rev.expires_at = 1800000000;
    rc |= fcp_revocation_object_sign(&rev, sk);
    rc |= fcp_revocation_object_encode_unsigned(&rev, &u);
    rc |= fcp_revocation_object_encode(&rev, &f);
    rc |= fcp_revocation_object_id(id, &rev, &key);
    json_array_append_new(arr, obj_entry("revocation_object", "RevocationObject, scope issuer_key, two ids, expiring",
                                         "fcp.core.RevocationObject/1.0.0", seed, &u, &f, rev.signature, id));

    fcp_buf_reset(&u);
    fcp_buf_reset(&f);
    memset(&ev, 0, sizeof ev);
    fcp_revocation_event_schema(&s);
    fcp_object_header_init(&ev.header, &s, "z:owner", 1700000000);
    memcpy(ev.revocation_object_id, id, 32);
    ev.seq = 2;
    ev.has_prev = 1;
    memset(ev.prev, 0x0e, 32);
    ev.occurred_at = 1700000001;
    rc |= fcp_revocation_event_sign(&ev, sk);
    rc |= fcp_revocation_event_encode_unsigned(&ev, &u);
    rc |= fcp_revocation_event_encode(&ev, &f);
    rc |= fcp_revocation_event_id(id, &ev, &key);
    json_array_append_new(arr, obj_entry("revocation_event", "RevocationEvent seq 2 linking prev",
                                         "fcp.core.RevocationEvent/1.0.0", seed, &u, &f, ev.signature, id));

    fcp_buf_reset(&u);
    fcp_buf_reset(&f);
    memset(&head, 0, sizeof head);
    fcp_revocation_head_schema(&s);
    fcp_object_header_init(&head.header, &s, "z:owner", 1700000000);
    strcpy(head.zone_id, "z:owner");
    memcpy(head.head_event, id, 32);
    head.head_seq = 2;
    head.epoch_id = 5666666;
    {
        uint8_t npk[32], nsk[64], nseed[32];
        keys(0x31, npk, nsk, nseed);
        rc |= fcp_revocation_head_add_signature(&head, "node:b", nsk);
        keys(0x32, npk, nsk, nseed);
        rc |= fcp_revocation_head_add_signature(&head, "node:a", nsk);
    }
    rc |= fcp_revocation_head_encode_unsigned(&head, &u);
    rc |= fcp_revocation_head_encode(&head, &f);
    json_array_append_new(arr, obj_entry("revocation_head", "RevocationHead with 2 quorum signatures (node:a seed 32*32, node:b seed 31*32), sorted",
                                         "fcp.core.RevocationHead/1.0.0", seed, &u, &f, NULL, NULL));
    fcp_buf_free(&u);
    fcp_buf_free(&f);
    if (rc) {
        fprintf(stderr, "authz_token vectors: objects failed\n");
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* ---- constraints --------------------------------------------------------------------- */

static json_t *build_constraints(void)
{
    json_t *arr = json_array();
    fcp_cap_constraints c;
    fcp_buf b;
    fcp_buf_init(&b);
    memset(&c, 0, sizeof c);
    fcp_cap_constraints_encode(&c, &b);
    json_t *ex = json_object();
    json_object_set_new(ex, "cbor_hex", bufhex(&b));
    json_array_append_new(arr, vec_entry("empty", "no constraint: {} (empty lists and None skipped)", json_object(), ex));
    fcp_buf_reset(&b);
    c.has_network = 1;
    fcp_net_constraints_default(&c.network);
    fcp_cap_constraints_encode(&c, &b);
    ex = json_object();
    json_object_set_new(ex, "cbor_hex", bufhex(&b));
    json_array_append_new(arr, vec_entry("network_defaults", "NetworkConstraints with the spec defaults (7 cidr_deny, deny_* true, require_sni, 10 s / 30 s timeouts)", json_object(), ex));
    fcp_buf_reset(&b);
    c.network.connect_timeout_ms = 0;
    int rc = fcp_cap_constraints_encode(&c, &b);
    ex = json_object();
    json_object_set_new(ex, "error", json_string(fcp_error_name(rc)));
    json_array_append_new(arr, vec_entry("network_no_timeout", "connect_timeout_ms 0 is a configuration error", json_object(), ex));
    fcp_buf_free(&b);
    return arr;
}

/* ---- holder proofs --------------------------------------------------------------------- */

static json_t *build_holder(void)
{
    json_t *arr = json_array();
    uint8_t pk[32], sk[64], seed[32], sig[64], jti[16];
    fcp_buf b;
    keys(0x04, pk, sk, seed);
    memset(jti, 0xc7, 16);
    fcp_buf_init(&b);
    fcp_holder_proof_bytes("req-1", "discord.send_message", jti, 16, &b);
    fcp_holder_proof_sign(sig, "req-1", "discord.send_message", jti, 16, sk);
    json_t *in = json_object(), *ex = json_object();
    json_object_set_new(in, "holder_ed25519_seed_hex", vec_hex(seed, 32));
    json_object_set_new(in, "request_id", json_string("req-1"));
    json_object_set_new(in, "operation_id", json_string("discord.send_message"));
    json_object_set_new(in, "token_jti_hex", vec_hex(jti, 16));
    json_object_set_new(ex, "signable_bytes_hex", bufhex(&b));
    json_object_set_new(ex, "signature_hex", vec_hex(sig, 64));
    json_array_append_new(arr, vec_entry("holder_proof", "the reference's holder-proof rule with the token's cti as jti", in, ex));
    fcp_buf_free(&b);
    return arr;
}

/* ---- freshness ---------------------------------------------------------------------------- */

static json_t *build_freshness(void)
{
    static const struct { int tier; uint64_t seq, req, upd, now; int allow, ovr; } cases[] = {
        { FCP_OP_DANGEROUS, 10, 10, 1000, 1060, 0, 0 }, { FCP_OP_DANGEROUS, 10, 10, 1000, 1061, 0, 0 },
        { FCP_OP_DANGEROUS, 10, 11, 1000, 1000, 1, 1 }, { FCP_OP_RISKY, 10, 11, 1000, 1100, 0, 1 },
        { FCP_OP_RISKY, 10, 11, 1000, 1100, 1, 0 },     { FCP_OP_RISKY, 10, 11, 1000, 1100, 1, 1 },
        { FCP_OP_RISKY, 10, 11, 1000, 1301, 1, 1 },     { FCP_OP_SAFE, 10, 99, 1000, 999999, 0, 0 },
        { FCP_OP_SAFE, 10, 10, 1000, 1001, 0, 0 },
    };
    static const char *tiers[] = { "Safe", "Risky", "Dangerous" };
    json_t *arr = json_array();
    fcp_rev_freshness_policy p;
    fcp_revset s;
    uint8_t key[16] = { 0 };
    fcp_revset_init(&s, 1, key);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned flags;
        char name[32];
        fcp_rev_freshness_policy_default(&p);
        p.allow_risky_override = cases[i].allow;
        s.seq = cases[i].seq;
        s.last_updated = cases[i].upd;
        int rc = fcp_rev_freshness_check(&p, (enum fcp_op_tier)cases[i].tier, &s, cases[i].req, cases[i].now,
                                         cases[i].ovr, &flags);
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "tier", json_string(tiers[cases[i].tier]));
        json_object_set_new(in, "local_seq", json_integer((json_int_t)cases[i].seq));
        json_object_set_new(in, "required_seq", json_integer((json_int_t)cases[i].req));
        json_object_set_new(in, "last_updated", json_integer((json_int_t)cases[i].upd));
        json_object_set_new(in, "now", json_integer((json_int_t)cases[i].now));
        json_object_set_new(in, "max_age_dangerous", json_integer((json_int_t)p.max_age_dangerous));
        json_object_set_new(in, "max_age_risky", json_integer((json_int_t)p.max_age_risky));
        json_object_set_new(in, "allow_risky_override", json_boolean(cases[i].allow));
        json_object_set_new(in, "interactive_override", json_boolean(cases[i].ovr));
        json_object_set_new(ex, "result", json_string(rc ? fcp_error_name(rc) : "ok"));
        json_object_set_new(ex, "stale", json_boolean(flags & FCP_REV_STALE));
        json_object_set_new(ex, "overridden", json_boolean(flags & FCP_REV_OVERRIDDEN));
        json_object_set_new(ex, "degraded_audit", json_boolean(flags & FCP_REV_DEGRADED));
        snprintf(name, sizeof name, "freshness_%zu", i);
        json_array_append_new(arr, vec_entry(name, "D-REV-4 tiered freshness", in, ex));
    }
    fcp_revset_free(&s);
    return arr;
}

/* ---- delegation chains (D-TOKEN-7) ---------------------------------------------------- */

static json_t *hexbuf_of(fcp_buf *b)
{
    json_t *j = vec_hex(b->data, b->len);
    fcp_buf_reset(b);
    return j;
}

/* Root claims for issuer A (agent:alice, two operations, depth 2) and a
 * delegation of a parent to agent:bob by issuer B (one operation, narrower
 * constraints, 10 s shorter on each side, depth - 1). */
static void deleg_root(fcp_token_claims *c, const uint8_t cap_id[32])
{
    fcp_token_claims_init(c);
    fcp_token_claims_set_text(c, FCP_CLAIM_ISS_NODE, "node:alpha.mesh.ts.net");
    fcp_token_claims_set_text(c, FCP_CLAIM_ZONE_ID, "z:work");
    fcp_token_claims_set_text(c, FCP_CLAIM_AUD, "fcp.discord");
    fcp_token_claims_set_text(c, FCP_CLAIM_CAPABILITY_ID, "cap:discord");
    fcp_token_claims_set_text(c, FCP_CLAIM_PRINCIPAL_ID, "agent:alice");
    fcp_token_claims_add_operation(c, "discord.send");
    fcp_token_claims_add_operation(c, "discord.read");
    c->nbf = c->iat = 1700000000;
    c->exp = 1700000600;
    memcpy(c->grant_object_ids[0], cap_id, 32);
    c->n_grant_object_ids = 1;
    c->constraints.n_resource_allow = 1;
    strcpy(c->constraints.resource_allow[0], "/v1/");
    c->constraints.has_max_calls = 1;
    c->constraints.max_calls = 50;
    c->delegation_depth = 2;
    c->present |= FCP_TC_NBF | FCP_TC_IAT | FCP_TC_EXP | FCP_TC_GRANT_IDS | FCP_TC_CONSTRAINTS |
                  FCP_TC_DELEGATION;
}

static void deleg_child(fcp_token_claims *c, const fcp_token_claims *pc, const uint8_t pid[32],
                        const uint8_t cap_id[32])
{
    fcp_token_claims_init(c);
    fcp_token_claims_set_text(c, FCP_CLAIM_ISS_NODE, "node:beta.mesh.ts.net");
    fcp_token_claims_set_text(c, FCP_CLAIM_ZONE_ID, "z:work");
    fcp_token_claims_set_text(c, FCP_CLAIM_AUD, "fcp.discord");
    fcp_token_claims_set_text(c, FCP_CLAIM_CAPABILITY_ID, "cap:discord");
    fcp_token_claims_set_text(c, FCP_CLAIM_PRINCIPAL_ID, "agent:bob");
    fcp_token_claims_add_operation(c, "discord.send");
    c->nbf = c->iat = pc->nbf + 10;
    c->exp = pc->exp - 10;
    memcpy(c->grant_object_ids[0], cap_id, 32);
    c->n_grant_object_ids = 1;
    c->constraints = pc->constraints;
    c->constraints.max_calls = pc->constraints.max_calls - 1;
    c->delegation_depth = pc->delegation_depth - 1;
    memcpy(c->parent_token, pid, 32);
    c->parent_token_len = 32;
    c->present |= FCP_TC_NBF | FCP_TC_IAT | FCP_TC_EXP | FCP_TC_GRANT_IDS | FCP_TC_CONSTRAINTS |
                  FCP_TC_DELEGATION | FCP_TC_PARENT;
}

typedef struct deleg_world {
    fcp_node_attestation att[2];
    fcp_cap_object cap;
    uint8_t cap_id[32];
    const fcp_buf *tok;
    const uint8_t (*id)[32];
    size_t n;
} deleg_world;

static int dv_issuer(void *ctx, const uint8_t kid[8], fcp_token_issuer_ref *ref)
{
    deleg_world *w = ctx;
    for (int i = 0; i < 2; i++) {
        uint8_t k[8];
        fcp_key_id(k, w->att[i].node_iss_pubkey);
        if (!memcmp(k, kid, 8)) {
            ref->att = &w->att[i];
            return 0;
        }
    }
    return FCP_ENOENT;
}

static int dv_grant(void *ctx, const uint8_t id[32], fcp_token_grant_ref *ref)
{
    deleg_world *w = ctx;
    if (memcmp(id, w->cap_id, 32))
        return FCP_ENOENT;
    ref->obj = &w->cap;
    return 0;
}

static int dv_parent(void *ctx, const uint8_t id[32], const uint8_t **p, size_t *n)
{
    deleg_world *w = ctx;
    for (size_t i = 0; i < w->n; i++)
        if (!memcmp(w->id[i], id, 32)) {
            *p = w->tok[i].data;
            *n = w->tok[i].len;
            return 0;
        }
    return FCP_ENOENT;
}

/* variant 0: root -> c1 -> c2, valid; variant 1: c2 widens max_calls. */
static json_t *deleg_entry(int variant)
{
    static const char *names[] = { "delegation_two_levels", "delegation_widened_constraints" };
    static const char *desc[] = {
        "root (issuer A, agent:alice, depth 2) -> delegation to agent:bob (issuer B, depth 1) -> "
        "re-delegation (depth 0); the leaf verifies with two parents and the grant object's grantee "
        "matched against the root's principal",
        "as delegation_two_levels but the leaf raises max_calls above its parent's: "
        "FCP_ETOKEN_DELEGATION_CONSTRAINTS",
    };
    static const uint8_t iss_seed[3] = { 0x01, 0x02, 0x02 };
    deleg_world *w = calloc(1, sizeof *w);
    fcp_token_claims *c = malloc(3 * sizeof *c);
    fcp_token_verified *v = malloc(sizeof *v);
    fcp_buf tok[3], tmp;
    uint8_t ids[3][32], owner_pk[32], owner_sk[64], oseed[32], sk[64], pk[32], seed[32];
    fcp_object_id_key oid;
    fcp_schema_id s;
    json_t *out = NULL;
    if (!w || !c || !v)
        goto done;
    fcp_buf_init(&tmp);
    keys(0xa0, owner_pk, owner_sk, oseed);
    for (int i = 0; i < 2; i++) {
        fcp_node_attestation *a = &w->att[i];
        strcpy(a->node_id, i ? "node:beta.mesh.ts.net" : "node:alpha.mesh.ts.net");
        keys(i ? 0x02 : 0x01, a->node_iss_pubkey, sk, seed);
        keys(i ? 0x0b : 0x0a, a->node_sig_pubkey, sk, seed);
        memset(a->node_enc_pubkey, 9, 32);
        a->issued_at = 1690000000;
        if (fcp_attestation_sign(a, owner_sk))
            goto done;
    }
    memset(oid.bytes, 0x33, 32);
    fcp_cap_object_schema(&s);
    fcp_object_header_init(&w->cap.header, &s, "z:work", 1690000000);
    strcpy(w->cap.capability_id, "cap:discord");
    w->cap.grantee = FCP_GRANTEE_PRINCIPAL;
    strcpy(w->cap.grantee_value, "agent:alice");
    w->cap.constraints.n_resource_allow = 1;
    strcpy(w->cap.constraints.resource_allow[0], "/v1/");
    w->cap.valid_from = 1690000000;
    w->cap.valid_until = 1800000000;
    if (fcp_cap_object_sign(&w->cap, owner_sk) || fcp_cap_object_id(w->cap_id, &w->cap, &oid))
        goto done;
    json_t *in = json_object(), *ex = json_object(), *seeds = json_array(), *claims = json_array(),
           *toks = json_array(), *idj = json_array();
    json_object_set_new(in, "now", json_integer(1700000100));
    json_object_set_new(in, "owner_seed_hex", vec_hex(oseed, 32));
    fcp_attestation_encode(&w->att[0], &tmp);
    json_object_set_new(in, "attestation_a_cbor_hex", hexbuf_of(&tmp));
    fcp_attestation_encode(&w->att[1], &tmp);
    json_object_set_new(in, "attestation_b_cbor_hex", hexbuf_of(&tmp));
    fcp_cap_object_encode(&w->cap, &tmp);
    json_object_set_new(in, "grant_object_cbor_hex", hexbuf_of(&tmp));
    json_object_set_new(in, "object_id_key_hex", vec_hex(oid.bytes, 32));
    json_object_set_new(in, "audience", json_string("fcp.discord"));
    json_object_set_new(in, "zone_id", json_string("z:work"));
    json_object_set_new(in, "operation", json_string("discord.send"));
    json_object_set_new(in, "tier", json_string("Safe"));
    deleg_root(&c[0], w->cap_id);
    for (int t = 0; t < 3; t++) {
        fcp_cose_sign1 cs;
        if (t > 0)
            deleg_child(&c[t], &c[t - 1], ids[t - 1], w->cap_id);
        if (t == 2 && variant == 1)
            c[t].constraints.max_calls = c[t - 1].constraints.max_calls + 1;
        keys(iss_seed[t], pk, sk, seed);
        fcp_buf_init(&tok[t]);
        if (fcp_token_claims_encode(&c[t], &tmp) || fcp_token_mint(&c[t], sk, &tok[t]) ||
            fcp_cose_sign1_decode(&cs, tok[t].data, tok[t].len) || fcp_token_id(ids[t], &cs)) {
            json_decref(in);
            json_decref(ex);
            goto done;
        }
        json_array_append_new(seeds, vec_hex(seed, 32));
        json_array_append_new(claims, hexbuf_of(&tmp));
        json_array_append_new(toks, vec_hex(tok[t].data, tok[t].len));
        json_array_append_new(idj, vec_hex(ids[t], 32));
    }
    json_object_set_new(in, "issuer_seeds_hex", seeds);
    json_object_set_new(in, "claims_cbor_hex", claims);
    json_object_set_new(ex, "tokens_cbor_hex", toks);
    json_object_set_new(ex, "token_ids_hex", idj);
    w->tok = tok;
    w->id = (const uint8_t(*)[32])ids;
    w->n = 3;
    {
        fcp_token_lookup lk = { w, dv_issuer, dv_grant, NULL, NULL, NULL, NULL, dv_parent };
        fcp_token_request r;
        fcp_token_request_init(&r, 1700000100, owner_pk);
        r.audience = "fcp.discord";
        r.zone_id = "z:work";
        r.operation = "discord.send";
        r.oid_key = &oid;
        int rc = fcp_token_verify(tok[2].data, tok[2].len, &r, &lk, v);
        json_object_set_new(ex, "result", json_string(rc ? fcp_error_name(rc) : "ok"));
        if (rc == 0) {
            json_object_set_new(ex, "n_parents", json_integer((json_int_t)v->n_parents));
            json_object_set_new(ex, "root_token_id_hex", vec_hex(v->root_token_id, 32));
        }
    }
    out = vec_entry(names[variant], desc[variant], in, ex);
    for (int t = 0; t < 3; t++)
        fcp_buf_free(&tok[t]);
    fcp_buf_free(&tmp);
done:
    free(w);
    free(c);
    free(v);
    return out;
}

static json_t *build_delegation(void)
{
    json_t *arr = json_array();
    for (int v = 0; v < 2; v++) {
        json_t *e = deleg_entry(v);
        if (!e) {
            fprintf(stderr, "authz_token vectors: delegation %d failed\n", v);
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, e);
    }
    return arr;
}

/* ---- ConnectorStateObject (D-LEASE-5; conformance/golden/authz/connector_state.json) ----
 * Generated here, beside the token vectors, because this file belongs to the
 * same work; the family writes into the authz directory. */

#define CS_NOW_EXP 1700000600u

typedef struct cs_params {
    const char *name, *desc;
    uint64_t lease_seq, state_seq, updated_at;
    int prev;          /* 0 none, 1 the genesis version's id, 2 a foreign id */
    const char *state_text;
} cs_params;

static void cs_fill(fcp_connector_state *s, const cs_params *p, const uint8_t lease_id[32],
                    const uint8_t prev[32])
{
    fcp_schema_id sc;
    memset(s, 0, sizeof *s);
    fcp_connector_state_schema(&sc);
    fcp_object_header_init(&s->header, &sc, "z:work", p->updated_at);
    strcpy(s->connector_id, "fcp.discord");
    strcpy(s->instance_id, "instance:1");
    memset(s->state_root, 0x5a, 32);
    strcpy(s->writer, "node-b");
    s->lease_seq = p->lease_seq;
    memcpy(s->lease_object_id, lease_id, 32);
    s->state_seq = p->state_seq;
    if (p->prev) {
        s->has_prev = 1;
        memcpy(s->prev, prev, 32);
    }
    s->state = (const uint8_t *)p->state_text;
    s->state_len = strlen(p->state_text);
    s->updated_at = p->updated_at;
}

static int cs_lookup(void *ctx, const uint8_t *node, size_t n, uint8_t pk[32])
{
    if (n != 6 || memcmp(node, "node-b", 6) != 0)
        return FCP_ENOENT;
    memcpy(pk, ctx, 32);
    return 0;
}

static json_t *build_connector_state(void)
{
    static const cs_params cases[] = {
        { "state_v0", "genesis version: state_seq 0, no prev; accepted with no head", 9, 0,
          1700000100, 0, "{\"cursor\":0}" },
        { "state_v1", "next version: prev = ObjectId(state_v0); accepted after state_v0, "
          "FCP_ESTATE_GENESIS without a head", 9, 1, 1700000200, 1, "{\"cursor\":17}" },
        { "state_v1_stale_lease", "as state_v1 but written under lease_seq 8 while the fence "
          "holds 9: FCP_ESTATE_FENCE_STALE", 8, 1, 1700000200, 1, "{\"cursor\":17}" },
        { "state_v1_fork", "as state_v1 but prev names another version: FCP_ESTATE_PREV", 9, 1,
          1700000200, 2, "{\"cursor\":18}" },
    };
    json_t *arr = json_array();
    uint8_t pk[32], sk[64], seed[32], lease_id[32], v0_id[32], foreign[32];
    fcp_object_id_key oid;
    fcp_lease_fence f;
    fcp_connector_state *st = malloc(sizeof *st), *v0 = malloc(sizeof *v0);
    fcp_state_head head;
    if (!st || !v0)
        goto fail;
    keys(0x0b, pk, sk, seed);
    memset(oid.bytes, 0x33, 32);
    memset(lease_id, 0x4c, 32);
    memset(foreign, 0xf0, 32);
    memset(&f, 0, sizeof f);
    f.have = 1;
    memset(f.subject, 0x5a, 32);
    f.lease_seq = 9;
    memcpy(f.lease_id, lease_id, 32);
    f.safety_tier = FCP_TIER_RISKY;
    f.exp = CS_NOW_EXP;
    f.purpose = FCP_LEASE_CONNECTOR_STATE_WRITE;
    strcpy(f.owner_node, "node-b");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const cs_params *p = &cases[i];
        fcp_buf u, w;
        uint8_t id[32];
        fcp_buf_init(&u);
        fcp_buf_init(&w);
        cs_fill(st, p, lease_id, p->prev == 2 ? foreign : v0_id);
        if (fcp_connector_state_encode_unsigned(st, &u) || fcp_connector_state_sign(st, sk) ||
            fcp_connector_state_encode(st, &w) || fcp_connector_state_id(id, st, &oid))
            goto fail;
        if (i == 0) {
            memcpy(v0_id, id, 32);
            *v0 = *st;
        }
        memset(&head, 0, sizeof head);
        int no_head = fcp_state_object_check(&f, &head, st, cs_lookup, pk);
        head.have = 1;
        strcpy(head.connector_id, v0->connector_id);
        strcpy(head.instance_id, v0->instance_id);
        memcpy(head.state_root, v0->state_root, 32);
        head.state_seq = 0;
        memcpy(head.id, v0_id, 32);
        int after_v0 = fcp_state_object_check(&f, &head, st, cs_lookup, pk);
        json_t *in = json_object(), *ex = json_object(), *fj = json_object();
        json_object_set_new(in, "writer_ed25519_seed_hex", vec_hex(seed, 32));
        json_object_set_new(in, "object_id_key_hex", vec_hex(oid.bytes, 32));
        json_object_set_new(in, "zone_id", json_string("z:work"));
        json_object_set_new(in, "created_at", json_integer((json_int_t)p->updated_at));
        json_object_set_new(in, "connector_id", json_string(st->connector_id));
        json_object_set_new(in, "instance_id", json_string(st->instance_id));
        json_object_set_new(in, "state_root_hex", vec_hex(st->state_root, 32));
        json_object_set_new(in, "writer", json_string(st->writer));
        json_object_set_new(in, "lease_seq", json_integer((json_int_t)st->lease_seq));
        json_object_set_new(in, "lease_object_id_hex", vec_hex(lease_id, 32));
        json_object_set_new(in, "state_seq", json_integer((json_int_t)st->state_seq));
        if (st->has_prev)
            json_object_set_new(in, "prev_hex", vec_hex(st->prev, 32));
        json_object_set_new(in, "state_hex", vec_hex(st->state, st->state_len));
        json_object_set_new(in, "updated_at", json_integer((json_int_t)st->updated_at));
        json_object_set_new(fj, "subject_hex", vec_hex(f.subject, 32));
        json_object_set_new(fj, "lease_seq", json_integer((json_int_t)f.lease_seq));
        json_object_set_new(fj, "lease_object_id_hex", vec_hex(f.lease_id, 32));
        json_object_set_new(fj, "owner_node", json_string(f.owner_node));
        json_object_set_new(fj, "exp", json_integer((json_int_t)f.exp));
        json_object_set_new(fj, "purpose", json_string("ConnectorStateWrite"));
        json_object_set_new(in, "fence", fj);
        json_object_set_new(ex, "unsigned_cbor_hex", bufhex(&u));
        json_object_set_new(ex, "signature_hex", vec_hex(st->signature, 64));
        json_object_set_new(ex, "cbor_hex", bufhex(&w));
        json_object_set_new(ex, "object_id_hex", vec_hex(id, 32));
        json_object_set_new(ex, "check_without_head", json_string(no_head ? fcp_error_name(no_head) : "ok"));
        json_object_set_new(ex, "check_after_state_v0", json_string(after_v0 ? fcp_error_name(after_v0) : "ok"));
        json_array_append_new(arr, vec_entry(p->name, p->desc, in, ex));
        fcp_buf_free(&u);
        fcp_buf_free(&w);
    }
    free(st);
    free(v0);
    return arr;
fail:
    fprintf(stderr, "authz vectors: connector_state failed\n");
    free(st);
    free(v0);
    json_decref(arr);
    return NULL;
}

const vec_family vec_authz_token_families[] = {
    { "authz_token", "tokens.json", build_tokens },
    { "authz_token", "token_rejects.json", build_rejects },
    { "authz_token", "objects.json", build_objects },
    { "authz_token", "constraints.json", build_constraints },
    { "authz_token", "holder_proofs.json", build_holder },
    { "authz_token", "freshness.json", build_freshness },
    { "authz_token", "delegation.json", build_delegation },
    { "authz", "connector_state.json", build_connector_state },
};
const size_t vec_authz_token_family_count = sizeof vec_authz_token_families / sizeof vec_authz_token_families[0];
