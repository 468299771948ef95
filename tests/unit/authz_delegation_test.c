/*
 * authz_delegation_test.c - delegated capability tokens (D-TOKEN-7): a root
 * token and its delegations verified link by link.
 *
 * World: an owner, two attested issuers (A mints the root for agent:alice,
 * B mints delegations to agent:bob), one CapabilityObject granted to
 * agent:alice, and a store answering parent_token lookups by token id.
 * Positive: one- and two-level chains and a chain of the maximum depth.
 * Negative: one case per rule, each asserting its exact code.  Property:
 * revoking any token of a chain, or either issuer, makes the leaf fail.
 * Golden: conformance/golden/authz_token/delegation.json recomputed from its
 * inputs (mint byte for byte, then verify with lookups built from the file).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_revocation.h"
#include "fcp/authz_token.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"

#define NOW 1700000100u
#define MAXTOK 16

typedef struct world {
    uint8_t owner_pk[32], owner_sk[64];
    uint8_t a_sk[64], b_sk[64];
    fcp_node_attestation att_a, att_b;
    fcp_cap_object cap;
    uint8_t cap_id[32], other_id[32];
    fcp_object_id_key oid_key;
    fcp_revset rev;
    /* the store: tokens by id */
    size_t n;
    fcp_buf tok[MAXTOK];
    uint8_t id[MAXTOK][32];
    int swap;                  /* parent lookups answer with tok[swap - 1] instead */
    fcp_token_request req;
} world;

static world W;

static int cb_issuer(void *ctx, const uint8_t kid[8], fcp_token_issuer_ref *ref)
{
    world *w = ctx;
    uint8_t k[8];
    fcp_key_id(k, w->att_a.node_iss_pubkey);
    if (!memcmp(k, kid, 8)) {
        ref->att = &w->att_a;
        return 0;
    }
    fcp_key_id(k, w->att_b.node_iss_pubkey);
    if (!memcmp(k, kid, 8)) {
        ref->att = &w->att_b;
        return 0;
    }
    return FCP_ENOENT;
}

static int cb_grant(void *ctx, const uint8_t id[32], fcp_token_grant_ref *ref)
{
    world *w = ctx;
    if (memcmp(id, w->cap_id, 32))
        return FCP_ENOENT;
    ref->obj = &w->cap;
    return 0;
}

static int cb_revoked(void *ctx, enum fcp_rev_scope s, const uint8_t id[32], uint64_t now)
{
    return fcp_revset_lookup_cb(&((world *)ctx)->rev, s, id, now);
}

static int cb_parent(void *ctx, const uint8_t id[32], const uint8_t **p, size_t *n)
{
    world *w = ctx;
    for (size_t i = 0; i < w->n; i++)
        if (!memcmp(w->id[i], id, 32)) {
            size_t j = w->swap ? (size_t)w->swap - 1 : i;
            *p = w->tok[j].data;
            *n = w->tok[j].len;
            return 0;
        }
    return FCP_ENOENT;
}

static fcp_token_lookup LK = { &W, cb_issuer, cb_grant, cb_revoked, NULL, NULL, NULL, cb_parent };

static void seedkey(uint8_t b, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t seed[32];
    memset(seed, b, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
}

static void attest(fcp_node_attestation *a, const char *node, uint8_t iss_seed, uint8_t sig_seed,
                   uint8_t iss_sk[64])
{
    uint8_t sk[64];
    memset(a, 0, sizeof *a);
    strcpy(a->node_id, node);
    seedkey(iss_seed, a->node_iss_pubkey, iss_sk);
    seedkey(sig_seed, a->node_sig_pubkey, sk);
    memset(a->node_enc_pubkey, 9, 32);
    a->issued_at = 1690000000;
    CHECK_ERR(fcp_attestation_sign(a, W.owner_sk), 0);
}

static void world_free(void)
{
    for (size_t i = 0; i < W.n; i++)
        fcp_buf_free(&W.tok[i]);
    W.n = 0;
    if (W.rev.slots)
        fcp_revset_free(&W.rev);
}

static void world_init(void)
{
    uint8_t key[16] = { 7 };
    fcp_schema_id s;
    world_free();
    memset(&W, 0, sizeof W);
    seedkey(0xa0, W.owner_pk, W.owner_sk);
    attest(&W.att_a, "node:alpha.mesh.ts.net", 0x01, 0x0a, W.a_sk);
    attest(&W.att_b, "node:beta.mesh.ts.net", 0x02, 0x0b, W.b_sk);
    memset(W.oid_key.bytes, 0x33, 32);
    fcp_cap_object_schema(&s);
    fcp_object_header_init(&W.cap.header, &s, "z:work", 1690000000);
    strcpy(W.cap.capability_id, "cap:discord");
    W.cap.grantee = FCP_GRANTEE_PRINCIPAL;
    strcpy(W.cap.grantee_value, "agent:alice");
    W.cap.constraints.n_resource_allow = 1;
    strcpy(W.cap.constraints.resource_allow[0], "/v1/");
    W.cap.valid_from = 1690000000;
    W.cap.valid_until = 1800000000;
    CHECK_ERR(fcp_cap_object_sign(&W.cap, W.owner_sk), 0);
    CHECK_ERR(fcp_cap_object_id(W.cap_id, &W.cap, &W.oid_key), 0);
    memset(W.other_id, 0x5e, 32);
    fcp_revset_init(&W.rev, 16, key);
    fcp_token_request_init(&W.req, NOW, W.owner_pk);
    W.req.audience = "fcp.discord";
    W.req.zone_id = "z:work";
    W.req.operation = "discord.send";
    W.req.oid_key = &W.oid_key;
}

/* Root claims: issuer A, principal agent:alice, both operations, depth d. */
static void root_claims(fcp_token_claims *c, uint64_t depth)
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
    memcpy(c->grant_object_ids[0], W.cap_id, 32);
    c->n_grant_object_ids = 1;
    c->constraints.n_resource_allow = 1;
    strcpy(c->constraints.resource_allow[0], "/v1/");
    c->constraints.has_max_calls = 1;
    c->constraints.max_calls = 50;
    c->delegation_depth = depth;
    c->present |= FCP_TC_NBF | FCP_TC_IAT | FCP_TC_EXP | FCP_TC_GRANT_IDS | FCP_TC_CONSTRAINTS |
                  FCP_TC_DELEGATION;
}

/* A delegation of parent (claims pc, id pid) to agent:bob by issuer B:
 * one operation, narrower constraints, shorter life, depth - 1. */
static void child_claims(fcp_token_claims *c, const fcp_token_claims *pc, const uint8_t pid[32])
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
    memcpy(c->grant_object_ids[0], W.cap_id, 32);
    c->n_grant_object_ids = 1;
    c->constraints = pc->constraints;
    c->constraints.max_calls = pc->constraints.max_calls - 1;
    c->delegation_depth = pc->delegation_depth - 1;
    memcpy(c->parent_token, pid, 32);
    c->parent_token_len = 32;
    c->present |= FCP_TC_NBF | FCP_TC_IAT | FCP_TC_EXP | FCP_TC_GRANT_IDS | FCP_TC_CONSTRAINTS |
                  FCP_TC_DELEGATION | FCP_TC_PARENT;
}

/* Mint c with sk into the store; returns its index. */
static size_t store(const fcp_token_claims *c, const uint8_t sk[64])
{
    fcp_cose_sign1 s;
    size_t i = W.n++;
    fcp_buf_init(&W.tok[i]);
    CHECK_ERR(fcp_token_mint(c, sk, &W.tok[i]), 0);
    CHECK_ERR(fcp_cose_sign1_decode(&s, W.tok[i].data, W.tok[i].len), 0);
    CHECK_ERR(fcp_token_id(W.id[i], &s), 0);
    return i;
}

static fcp_token_verified V;

static int verify_idx(size_t i)
{
    return fcp_token_verify(W.tok[i].data, W.tok[i].len, &W.req, &LK, &V);
}

/* Mint c (unstored) with sk and verify it. */
static int verify_claims(const fcp_token_claims *c, const uint8_t sk[64])
{
    fcp_buf t;
    fcp_buf_init(&t);
    int rc = fcp_token_mint(c, sk, &t);
    if (rc == 0)
        rc = fcp_token_verify(t.data, t.len, &W.req, &LK, &V);
    fcp_buf_free(&t);
    return rc;
}

static fcp_token_claims RC, C1, C2, X;

/* root (depth 2) -> c1 (depth 1) -> c2 (depth 0) */
static void chain2(size_t *r, size_t *c1, size_t *c2)
{
    root_claims(&RC, 2);
    *r = store(&RC, W.a_sk);
    child_claims(&C1, &RC, W.id[*r]);
    *c1 = store(&C1, W.b_sk);
    child_claims(&C2, &C1, W.id[*c1]);
    *c2 = store(&C2, W.b_sk);
}

static void test_valid_chains(void)
{
    size_t r, c1, c2;
    world_init();
    chain2(&r, &c1, &c2);
    CHECK_ERR(verify_idx(r), 0);
    CHECK_EQ(V.n_parents, 0);
    CHECK_MEM(V.root_token_id, W.id[r], 32);
    CHECK_ERR(verify_idx(c1), 0);
    CHECK_EQ(V.n_parents, 1);
    CHECK_MEM(V.root_token_id, W.id[r], 32);
    CHECK_ERR(verify_idx(c2), 0);
    CHECK_EQ(V.n_parents, 2);
    CHECK_MEM(V.root_token_id, W.id[r], 32);
    CHECK(strcmp(V.claims.principal_id, "agent:bob") == 0);
    /* the delegate is not the grantee: without the chain bob's own token
     * fails at the grant object, through the chain it speaks for alice */
    X = C1;
    X.present &= ~(FCP_TC_PARENT | FCP_TC_DELEGATION);
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_GRANT_GRANTEE);
    /* a root whose own principal is not the grantee taints the whole chain */
    world_init();
    root_claims(&RC, 1);
    fcp_token_claims_set_text(&RC, FCP_CLAIM_PRINCIPAL_ID, "agent:mallory");
    r = store(&RC, W.a_sk);
    child_claims(&C1, &RC, W.id[r]);
    CHECK_ERR(verify_claims(&C1, W.b_sk), FCP_ETOKEN_GRANT_GRANTEE);
    /* the longest chain: depth 8 down to 0, eight links */
    world_init();
    root_claims(&RC, FCP_TOKEN_MAX_DELEGATION);
    RC.constraints.max_calls = 100;
    size_t prev = store(&RC, W.a_sk);
    fcp_token_claims *pc = &RC;
    for (int i = 0; i < FCP_TOKEN_MAX_DELEGATION; i++) {
        fcp_token_claims *c = (i % 2) ? &C2 : &C1;
        child_claims(c, pc, W.id[prev]);
        c->nbf = c->iat = pc->nbf + 1;
        c->exp = pc->exp - 1;
        prev = store(c, W.b_sk);
        pc = c;
    }
    CHECK_ERR(verify_idx(prev), 0);
    CHECK_EQ(V.n_parents, FCP_TOKEN_MAX_DELEGATION);
    CHECK_EQ(V.claims.delegation_depth, 0);
    /* depth above the limit is refused before any link is walked, and a
     * parent above it cannot be hidden behind a child within it */
    world_init();
    root_claims(&RC, FCP_TOKEN_MAX_DELEGATION + 1);
    r = store(&RC, W.a_sk);
    CHECK_ERR(verify_idx(r), FCP_ETOKEN_DELEGATION);
    child_claims(&C1, &RC, W.id[r]);
    CHECK_EQ(C1.delegation_depth, FCP_TOKEN_MAX_DELEGATION);
    CHECK_ERR(verify_claims(&C1, W.b_sk), FCP_ETOKEN_DELEGATION);
}

static void test_parent_negatives(void)
{
    size_t r, c1, c2;
    world_init();
    chain2(&r, &c1, &c2);
    /* no lookup, unknown parent */
    LK.parent_token = NULL;
    CHECK_ERR(verify_idx(c1), FCP_ETOKEN_PARENT_MISSING);
    LK.parent_token = cb_parent;
    X = C1;
    memset(X.parent_token, 0x42, 32);
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_PARENT_MISSING);
    /* parent_token not 32 bytes; the store answers with another token */
    X = C1;
    X.parent_token_len = 16;
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_PARENT_REF);
    {
        fcp_token_claims *o = malloc(sizeof *o);
        root_claims(o, 2);
        o->exp += 1;
        size_t other = store(o, W.a_sk);
        W.swap = (int)other + 1;
        CHECK_ERR(verify_idx(c1), FCP_ETOKEN_PARENT_REF);
        W.swap = 0;
        free(o);
    }
    /* the store hands back a token already in the chain */
    W.swap = (int)c2 + 1;
    CHECK_ERR(verify_idx(c2), FCP_ETOKEN_DELEGATION_CYCLE);
    W.swap = (int)c1 + 1;
    CHECK_ERR(verify_idx(c2), FCP_ETOKEN_DELEGATION_CYCLE);
    W.swap = 0;
    CHECK_ERR(verify_idx(c2), 0);
    /* a tampered parent: signature fails -> PARENT_INVALID */
    W.tok[r].data[W.tok[r].len - 1] ^= 1;
    CHECK_ERR(verify_idx(c1), FCP_ETOKEN_PARENT_INVALID);
    W.tok[r].data[W.tok[r].len - 1] ^= 1;
    /* a parent whose issuer attestation expired -> PARENT_INVALID */
    W.att_a.has_expires_at = 1;
    W.att_a.expires_at = NOW - 1;
    CHECK_ERR(fcp_attestation_sign(&W.att_a, W.owner_sk), 0);
    CHECK_ERR(verify_idx(c1), FCP_ETOKEN_PARENT_INVALID);
    W.att_a.has_expires_at = 0;
    CHECK_ERR(fcp_attestation_sign(&W.att_a, W.owner_sk), 0);
    CHECK_ERR(verify_idx(c1), 0);
    /* a parent without iss_node -> PARENT_INVALID */
    world_init();
    root_claims(&RC, 1);
    RC.present &= ~FCP_TC_ISS_NODE;
    r = store(&RC, W.a_sk);
    child_claims(&C1, &RC, W.id[r]);
    CHECK_ERR(verify_claims(&C1, W.b_sk), FCP_ETOKEN_PARENT_INVALID);
    /* parent revoked (token id), parent's issuer revoked */
    world_init();
    chain2(&r, &c1, &c2);
    fcp_revset_add(&W.rev, W.id[r], FCP_REV_CAPABILITY, 0, 0);
    CHECK_ERR(verify_idx(c1), FCP_ETOKEN_PARENT_REVOKED);
    CHECK_ERR(verify_idx(c2), FCP_ETOKEN_PARENT_REVOKED);
    CHECK_ERR(verify_idx(r), FCP_ETOKEN_REVOKED);
    world_init();
    chain2(&r, &c1, &c2);
    fcp_revset_add(&W.rev, W.att_a.node_iss_pubkey, FCP_REV_ISSUER_KEY, 0, 0);
    CHECK_ERR(verify_idx(c2), FCP_ETOKEN_PARENT_REVOKED);
    /* parent not valid now: nbf in the future (the child has no nbf/iat of
     * its own, so its own time check passes), or above the max lifetime */
    world_init();
    root_claims(&RC, 1);
    RC.nbf = RC.iat = NOW + 1000;
    RC.exp = NOW + 2000;
    r = store(&RC, W.a_sk);
    child_claims(&C1, &RC, W.id[r]);
    C1.present &= ~(FCP_TC_NBF | FCP_TC_IAT);
    C1.exp = NOW + 100;
    CHECK_ERR(verify_claims(&C1, W.b_sk), FCP_ETOKEN_PARENT_TIME);
    world_init();
    root_claims(&RC, 1);
    r = store(&RC, W.a_sk);
    child_claims(&C1, &RC, W.id[r]);
    W.req.max_lifetime_secs = 590;   /* the root lives 600 s, the child 580 s */
    CHECK_ERR(verify_claims(&C1, W.b_sk), FCP_ETOKEN_PARENT_TIME);
    W.req.max_lifetime_secs = 600;
    CHECK_ERR(verify_claims(&C1, W.b_sk), 0);
}

static void test_link_negatives(void)
{
    size_t r;
    world_init();
    root_claims(&RC, 2);
    r = store(&RC, W.a_sk);
    child_claims(&C1, &RC, W.id[r]);
    CHECK_ERR(verify_claims(&C1, W.b_sk), 0);
    /* zone */
    X = C1;
    fcp_token_claims_set_text(&X, FCP_CLAIM_ZONE_ID, "z:other");
    W.req.zone_id = NULL;
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_ZONE);
    W.req.zone_id = "z:work";
    /* audience, aud_binary, instance_id */
    X = C1;
    fcp_token_claims_set_text(&X, FCP_CLAIM_AUD, "fcp.slack");
    W.req.audience = "fcp.slack";
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_AUDIENCE);
    W.req.audience = "fcp.discord";
    {
        world_init();
        root_claims(&RC, 2);
        memset(RC.aud_binary, 0x77, 32);
        fcp_token_claims_set_text(&RC, FCP_CLAIM_INSTANCE_ID, "instance:1");
        RC.present |= FCP_TC_AUD_BINARY;
        r = store(&RC, W.a_sk);
        child_claims(&C1, &RC, W.id[r]);
        memset(C1.aud_binary, 0x77, 32);
        fcp_token_claims_set_text(&C1, FCP_CLAIM_INSTANCE_ID, "instance:1");
        C1.present |= FCP_TC_AUD_BINARY;
        CHECK_ERR(verify_claims(&C1, W.b_sk), 0);
        X = C1;
        X.present &= ~FCP_TC_AUD_BINARY;     /* dropping it is a change too */
        CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_AUDIENCE);
        X = C1;
        memset(X.aud_binary, 0x78, 32);
        CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_AUDIENCE);
        X = C1;
        fcp_token_claims_set_text(&X, FCP_CLAIM_INSTANCE_ID, "instance:2");
        CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_AUDIENCE);
        /* a child may pin what its parent left open */
        world_init();
        root_claims(&RC, 2);
        r = store(&RC, W.a_sk);
        child_claims(&C1, &RC, W.id[r]);
        fcp_token_claims_set_text(&C1, FCP_CLAIM_INSTANCE_ID, "instance:9");
        CHECK_ERR(verify_claims(&C1, W.b_sk), 0);
    }
    world_init();
    root_claims(&RC, 2);
    r = store(&RC, W.a_sk);
    child_claims(&C1, &RC, W.id[r]);
    /* depth: not parent - 1 (same, two less, absent); a depth-0 parent */
    X = C1;
    X.delegation_depth = 2;
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_STEP);
    X.delegation_depth = 0;
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_STEP);
    X.present &= ~FCP_TC_DELEGATION;
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_STEP);
    {
        fcp_token_claims *z = malloc(sizeof *z);
        root_claims(z, 0);
        size_t zr = store(z, W.a_sk);
        X = C1;
        memcpy(X.parent_token, W.id[zr], 32);
        X.delegation_depth = 0;
        CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_STEP);
        z->present &= ~FCP_TC_DELEGATION;     /* a root without the claim cannot delegate */
        zr = store(z, W.a_sk);
        memcpy(X.parent_token, W.id[zr], 32);
        CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_STEP);
        free(z);
    }
    /* window: outliving the parent, or starting before it */
    X = C1;
    X.exp = RC.exp + 1;
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_WINDOW);
    X = C1;
    X.nbf = X.iat = RC.nbf - 1;
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_WINDOW);
    X = C1;
    X.present &= ~(FCP_TC_NBF | FCP_TC_IAT);    /* open start under a bounded parent */
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_WINDOW);
    /* grants: an operation the parent lacks; another capability */
    X = C1;
    fcp_token_claims_add_operation(&X, "discord.delete");
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_GRANTS);
    X = C1;
    X.n_operations = 0;
    X.present &= ~FCP_TC_OPERATIONS;            /* capability-wide: wider than two ops */
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_GRANTS);
    X = C1;
    X.n_grants = 1;
    strcpy(X.grants[0].capability, "cap:slack");
    X.present |= FCP_TC_GRANTS;
    W.req.operation = NULL;
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_GRANTS);
    W.req.operation = "discord.send";
    /* grant object ids: one the parent does not list */
    X = C1;
    memcpy(X.grant_object_ids[1], W.other_id, 32);
    X.n_grant_object_ids = 2;
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_GRANT_IDS);
    /* constraints: widened, dropped */
    X = C1;
    X.constraints.max_calls = 51;
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_CONSTRAINTS);
    X = C1;
    strcpy(X.constraints.resource_allow[0], "/");
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_CONSTRAINTS);
    X = C1;
    X.present &= ~FCP_TC_CONSTRAINTS;
    CHECK_ERR(verify_claims(&X, W.b_sk), FCP_ETOKEN_DELEGATION_CONSTRAINTS);
    /* equal constraints narrow (not strictly) */
    X = C1;
    X.constraints = RC.constraints;
    CHECK_ERR(verify_claims(&X, W.b_sk), 0);
}

/* Property: in a 2-level chain, revoking any one token or either issuer
 * makes the leaf fail, and never with 0; the code names who was revoked. */
static void test_property_revocation(void)
{
    for (int which = 0; which < 5; which++) {
        size_t r, c1, c2;
        world_init();
        chain2(&r, &c1, &c2);
        int want;
        switch (which) {
        case 0: fcp_revset_add(&W.rev, W.id[c2], FCP_REV_CAPABILITY, 0, 0); want = FCP_ETOKEN_REVOKED; break;
        case 1: fcp_revset_add(&W.rev, W.id[c1], FCP_REV_CAPABILITY, 0, 0); want = FCP_ETOKEN_PARENT_REVOKED; break;
        case 2: fcp_revset_add(&W.rev, W.id[r], FCP_REV_CAPABILITY, 0, 0); want = FCP_ETOKEN_PARENT_REVOKED; break;
        case 3:
            fcp_revset_add(&W.rev, W.att_b.node_iss_pubkey, FCP_REV_ISSUER_KEY, 0, 0);
            want = FCP_ETOKEN_ISSUER_REVOKED;
            break;
        default:
            fcp_revset_add(&W.rev, W.att_a.node_sig_pubkey, FCP_REV_NODE_ATTESTATION, 0, 0);
            want = FCP_ETOKEN_PARENT_REVOKED;
            break;
        }
        CHECK_ERR(verify_idx(c2), want);
    }
}

/* ---- golden vector ----------------------------------------------------------- */

static uint8_t *hexv(const json_t *o, const char *k, size_t *n)
{
    return fcp_t_unhex(json_string_value(json_object_get(o, k)), n);
}

static void test_golden(void)
{
    json_error_t je;
    json_t *root = json_load_file("conformance/golden/authz_token/delegation.json", 0, &je);
    CHECK(root != NULL);
    if (!root)
        return;
    size_t i;
    json_t *e;
    size_t entries = 0;
    json_array_foreach(root, i, e) {
        const json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        const json_t *seeds = json_object_get(in, "issuer_seeds_hex"), *claims = json_object_get(in, "claims_cbor_hex");
        const json_t *toks = json_object_get(ex, "tokens_cbor_hex"), *ids = json_object_get(ex, "token_ids_hex");
        size_t n, m;
        uint8_t *b;
        entries++;
        world_init();
        /* owner, attestations and the grant object come from the file */
        b = hexv(in, "owner_seed_hex", &n);
        CHECK_EQ(n, 32);
        fcp_ed25519_keypair_from_seed(W.owner_pk, W.owner_sk, b);
        free(b);
        b = hexv(in, "attestation_a_cbor_hex", &n);
        CHECK_ERR(fcp_attestation_decode_verify(&W.att_a, b, n, W.owner_pk, NOW), 0);
        free(b);
        b = hexv(in, "attestation_b_cbor_hex", &n);
        CHECK_ERR(fcp_attestation_decode_verify(&W.att_b, b, n, W.owner_pk, NOW), 0);
        free(b);
        b = hexv(in, "grant_object_cbor_hex", &n);
        CHECK_ERR(fcp_cap_object_decode(&W.cap, b, n), 0);
        CHECK_ERR(fcp_cap_object_verify(&W.cap, W.owner_pk), 0);
        free(b);
        b = hexv(in, "object_id_key_hex", &n);
        memcpy(W.oid_key.bytes, b, 32);
        free(b);
        CHECK_ERR(fcp_cap_object_id(W.cap_id, &W.cap, &W.oid_key), 0);
        /* mint each token from its raw claims with its issuer's seed */
        CHECK_EQ(json_array_size(claims), json_array_size(toks));
        for (size_t t = 0; t < json_array_size(claims) && t < MAXTOK; t++) {
            uint8_t pk[32], sk[64], *seed, *raw, *want, *wid;
            size_t sn, rn, wn, idn;
            seed = fcp_t_unhex(json_string_value(json_array_get(seeds, t)), &sn);
            raw = fcp_t_unhex(json_string_value(json_array_get(claims, t)), &rn);
            want = fcp_t_unhex(json_string_value(json_array_get(toks, t)), &wn);
            wid = fcp_t_unhex(json_string_value(json_array_get(ids, t)), &idn);
            fcp_ed25519_keypair_from_seed(pk, sk, seed);
            CHECK_ERR(fcp_token_claims_decode(&X, raw, rn), 0);
            size_t k = store(&X, sk);
            CHECK(W.tok[k].len == wn && memcmp(W.tok[k].data, want, wn) == 0);
            CHECK(idn == 32 && memcmp(W.id[k], wid, 32) == 0);
            free(seed);
            free(raw);
            free(want);
            free(wid);
        }
        W.req.now = (uint64_t)json_integer_value(json_object_get(in, "now"));
        W.req.audience = json_string_value(json_object_get(in, "audience"));
        W.req.zone_id = json_string_value(json_object_get(in, "zone_id"));
        W.req.operation = json_string_value(json_object_get(in, "operation"));
        m = W.n - 1;
        int rc = verify_idx(m);
        const char *res = json_string_value(json_object_get(ex, "result"));
        CHECK(res && strcmp(res, rc ? fcp_error_name(rc) : "ok") == 0);
        if (rc == 0) {
            CHECK_EQ(V.n_parents, (size_t)json_integer_value(json_object_get(ex, "n_parents")));
            b = hexv(ex, "root_token_id_hex", &n);
            CHECK(n == 32 && memcmp(V.root_token_id, b, 32) == 0);
            free(b);
        }
    }
    CHECK(entries >= 1);
    json_decref(root);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    test_valid_chains();
    test_parent_negatives();
    test_link_negatives();
    test_property_revocation();
    test_golden();
    world_free();
    return fcp_t_done("authz_delegation_test");
}
