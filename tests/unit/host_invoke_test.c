/*
 * host_invoke_test.c - the invoke pipeline (host_invoke.h) with real crypto
 * and an injected clock: the allow path (receipt and intent signatures, the
 * receipt references its intent, the zone's audit chain verifies), one deny
 * per token failure with its exact code and a DecisionReceipt carrying it,
 * taint with and without an Elevation approval, idempotent replay (same
 * bytes, one execution), in-flight and conflicting keys, failures with and
 * without possible side effects, the rate limiter draining and refilling,
 * simulate (never executes, consumes nothing), input JSON and schema
 * checks, the JSON checker, and the golden allow transcript in
 * conformance/golden/invoke/allow_transcript.json (D-INVOKE-1..7).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_audit.h"
#include "fcp/authz_cap.h"
#include "fcp/authz_revocation.h"
#include "fcp/authz_token.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/host_invoke.h"
#include "fcp/host_manifest.h"
#include "fcp/model_approval.h"
#include "fcp/model_operation.h"

#define T0    1700000000u          /* seconds */
#define T0MS  (1700000000000ull)   /* the clock starts here */
#define ZONE  "z:work"
#define NODE  "node-exec"
#define PRINC "agent:claude"

static const char MANIFEST[] =
    "[manifest]\nformat = \"fcp-connector-manifest\"\nschema_version = \"2.0\"\n"
    "[connector]\nid = \"fcp.notes\"\nname = \"Notes\"\nversion = \"0.1.0\"\n"
    "description = \"test\"\narchetypes = [\"storage\"]\nformat = \"native\"\n"
    "publisher_key = \"4fd099ccd47d7893dfe9ec24414ecb0d9b5420232aad30d91c465be33cbe65c4\"\n"
    "[capabilities]\nrequired = []\noptional = []\nforbidden = []\n"
    "[provides.operations.notes_put]\ndescription = \"put\"\ncapability = \"notes.write\"\n"
    "safety_tier = \"risky\"\nidempotency = \"strict\"\n"
    "input_schema = '''{\"type\":\"object\",\"required\":[\"name\",\"text\"]}'''\n"
    "output_schema = '''{\"type\":\"object\"}'''\n"
    "[provides.operations.notes_get]\ndescription = \"get\"\ncapability = \"notes.write\"\n"
    "safety_tier = \"safe\"\nrate_limit = \"3/min\"\n"
    "input_schema = '''{\"type\":\"object\",\"required\":[\"name\"]}'''\n"
    "output_schema = '''{\"type\":\"object\"}'''\n"
    "[provides.operations.notes_delete]\ndescription = \"delete\"\ncapability = \"notes.write\"\n"
    "safety_tier = \"dangerous\"\nidempotency = \"strict\"\n"
    "input_schema = '''{\"type\":\"object\",\"required\":[\"name\"]}'''\n"
    "output_schema = '''{\"type\":\"object\"}'''\n"
    "[sandbox]\nprofile = \"strict\"\nmemory_mb = 256\ncpu_seconds = 60\n"
    "wall_clock_timeout_ms = 5000\nmax_pids = 8\ndeny_exec = true\n"
    "[state]\nmodel = \"local\"\n";

/* ---- the world ------------------------------------------------------------ */

typedef struct world {
    uint8_t owner_pk[32], owner_sk[64];
    uint8_t iss_pk[32], iss_sk[64];
    uint8_t node_pk[32], node_sk[64];
    uint8_t alice_pk[32], alice_sk[64];
    uint8_t holder_pk[32], holder_sk[64];
    uint8_t holder_sig[64];
    fcp_node_attestation att;
    fcp_cap_object cap;
    uint8_t cap_id[32];
    uint8_t binary[32];
    fcp_object_id_key oid_key;
    fcp_revset rev;
    fcp_dec_policy policy;
    fcp_manifest m;
    fcp_invoke_ctx *ctx;
    uint64_t now_ms;
    int exec_calls;
    int exec_status;
    /* every audit event of the zone, in order */
    size_t n_events;
    uint8_t *ev[256];
    size_t ev_len[256];
} world;

static world W;

static void seedkey(uint8_t b, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t seed[32];
    memset(seed, b, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
}

static int cb_issuer(void *c, const uint8_t kid[8], fcp_token_issuer_ref *ref)
{
    world *w = c;
    uint8_t k[8];
    fcp_key_id(k, w->att.node_iss_pubkey);
    if (memcmp(k, kid, 8))
        return FCP_ENOENT;
    ref->att = &w->att;
    ref->preverified = 0;
    return 0;
}

static int cb_grant(void *c, const uint8_t id[32], fcp_token_grant_ref *ref)
{
    world *w = c;
    if (memcmp(id, w->cap_id, 32))
        return FCP_ENOENT;
    ref->obj = &w->cap;
    ref->preverified = 0;
    return 0;
}

static int cb_approver(void *u, const char *principal, uint8_t pk[32])
{
    world *w = u;
    if (strcmp(principal, "human:alice"))
        return FCP_ENOENT;
    memcpy(pk, w->alice_pk, 32);
    return 0;
}

/* the zone's checkpoint: seq 50, and the id of seq 42 that tokens bind */
static const uint8_t CHK_ID[16] = { 0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0, 0, 0, 0, 1 };

static int cb_checkpoint(void *c, const char *zone, uint64_t at, uint64_t *ours, uint8_t *id,
                         size_t *idl)
{
    (void)c;
    (void)zone;
    *ours = 50;
    *idl = 0;
    if (at == 42) {
        memcpy(id, CHK_ID, 16);
        *idl = 16;
    }
    return 0;
}

static int cb_node_key(void *c, const char *node, uint8_t pk[32])
{
    world *w = c;
    if (strcmp(node, "node-laptop"))
        return FCP_ENOENT;
    memcpy(pk, w->holder_pk, 32);
    return 0;
}

static fcp_token_lookup LK = { &W, cb_issuer, cb_grant, NULL, cb_checkpoint, cb_node_key, NULL, NULL };

static const char *const ANY[] = { "*" };
static const char *const HUMANS[] = { "human:*" };

static void make_ctx(void);

static void world_init(void)
{
    uint8_t k16[16] = { 7 };
    fcp_schema_id s;
    fcp_toml_error te;
    if (W.ctx) {
        fcp_invoke_ctx_free(W.ctx);
        fcp_revset_free(&W.rev);
        fcp_manifest_free(&W.m);
        for (size_t i = 0; i < W.n_events; i++)
            free(W.ev[i]);
    }
    memset(&W, 0, sizeof W);
    seedkey(0xa0, W.owner_pk, W.owner_sk);
    seedkey(0x01, W.iss_pk, W.iss_sk);
    seedkey(0x30, W.node_pk, W.node_sk);
    seedkey(0x41, W.alice_pk, W.alice_sk);
    seedkey(0x04, W.holder_pk, W.holder_sk);
    strcpy(W.att.node_id, "node-issuer");
    memcpy(W.att.node_iss_pubkey, W.iss_pk, 32);
    {
        uint8_t sk[64];
        seedkey(0x0b, W.att.node_sig_pubkey, sk);
    }
    memset(W.att.node_enc_pubkey, 9, 32);
    W.att.issued_at = T0 - 10000000;
    CHECK_ERR(fcp_attestation_sign(&W.att, W.owner_sk), 0);
    memset(W.oid_key.bytes, 0x33, sizeof W.oid_key.bytes);
    memset(W.binary, 0x77, 32);
    fcp_cap_object_schema(&s);
    fcp_object_header_init(&W.cap.header, &s, ZONE, T0 - 10000000);
    strcpy(W.cap.capability_id, "notes.write");
    W.cap.grantee = FCP_GRANTEE_PRINCIPAL;
    strcpy(W.cap.grantee_value, PRINC);
    W.cap.valid_from = T0 - 10000000;
    W.cap.valid_until = T0 + 10000000;
    CHECK_ERR(fcp_cap_object_sign(&W.cap, W.owner_sk), 0);
    CHECK_ERR(fcp_cap_object_id(W.cap_id, &W.cap, &W.oid_key), 0);
    CHECK_ERR(fcp_revset_init(&W.rev, 16, k16), 0);
    W.rev.seq = 50; /* as if the chain were applied up to the checkpoint tokens bind */
    fcp_revset_mark_fresh(&W.rev, T0);
    fcp_dec_policy_defaults(&W.policy);
    W.policy.principals_allow = ANY;
    W.policy.n_principals_allow = 1;
    W.policy.connectors_allow = ANY;
    W.policy.n_connectors_allow = 1;
    W.policy.caps_allow = ANY;
    W.policy.n_caps_allow = 1;
    W.policy.execution_min_tier = FCP_OP_TIER_FORBIDDEN + 1; /* no execution approvals here */
    W.policy.elevation_approvers = HUMANS;
    W.policy.n_elevation_approvers = 1;
    CHECK_ERR(fcp_manifest_parse(&W.m, "test.toml", MANIFEST, strlen(MANIFEST), &te), 0);

    make_ctx();
    W.now_ms = T0MS;
}

/* The receipts "stored" by the caller, for load_receipt after a restart. */
static fcp_buf g_store;
static uint8_t g_store_id[32];

static int cb_load_receipt(void *u, const char *zone, const uint8_t id[32], fcp_buf *out)
{
    (void)u;
    if (strcmp(zone, ZONE) || !g_store.len || memcmp(id, g_store_id, 32))
        return FCP_ENOENT;
    return fcp_buf_append(out, g_store.data, g_store.len);
}

/* A fresh context for the world (also a "restart": chain resumed at anchor). */
static void make_ctx_at(const fcp_audit_anchor *resume)
{
    uint8_t hk[32];
    fcp_invoke_config cfg;
    fcp_invoke_zone_config zc;
    fcp_invoke_config_init(&cfg);
    cfg.load_receipt = cb_load_receipt;
    cfg.node_id = NODE;
    cfg.node_sk = W.node_sk;
    cfg.owner_pk = W.owner_pk;
    cfg.lookup = &LK;
    cfg.revset = &W.rev;
    cfg.approver_key = cb_approver;
    cfg.user = &W;
    memset(hk, 0x5c, 32);
    cfg.hash_key = hk;
    cfg.idem_capacity = 64;
    CHECK_ERR(fcp_invoke_ctx_new(&W.ctx, &cfg), 0);
    memset(&zc, 0, sizeof zc);
    zc.zone_id = ZONE;
    zc.policy = &W.policy;
    zc.oid_key = W.oid_key;
    zc.resume = resume;
    CHECK_ERR(fcp_invoke_ctx_add_zone(W.ctx, &zc), 0);
    CHECK_ERR(fcp_invoke_ctx_add_zone(W.ctx, &zc), FCP_EINVOKE_ZONE);
}

static void make_ctx(void)
{
    make_ctx_at(NULL);
}

static void world_free(void)
{
    fcp_invoke_ctx_free(W.ctx);
    fcp_revset_free(&W.rev);
    fcp_manifest_free(&W.m);
    for (size_t i = 0; i < W.n_events; i++)
        free(W.ev[i]);
    memset(&W, 0, sizeof W);
}

/* A token for PRINC in ZONE for fcp.notes with operations ops (NULL-ended). */
static void mint(fcp_buf *out, const char *aud, const char *const *ops, uint64_t iat, uint64_t exp)
{
    fcp_token_claims c;
    fcp_token_claims_init(&c);
    fcp_token_claims_set_text(&c, FCP_CLAIM_ISS, "node-issuer");
    fcp_token_claims_set_text(&c, FCP_CLAIM_ISS_NODE, "node-issuer");
    fcp_token_claims_set_text(&c, FCP_CLAIM_ZONE_ID, ZONE);
    fcp_token_claims_set_text(&c, FCP_CLAIM_AUD, aud);
    fcp_token_claims_set_text(&c, FCP_CLAIM_CAPABILITY_ID, "notes.write");
    fcp_token_claims_set_text(&c, FCP_CLAIM_PRINCIPAL_ID, PRINC);
    for (; *ops; ops++)
        fcp_token_claims_add_operation(&c, *ops);
    c.nbf = c.iat = iat;
    c.exp = exp;
    memset(c.cti, 0xc7, 16);
    c.cti_len = 16;
    memcpy(c.grant_object_ids[0], W.cap_id, 32);
    c.n_grant_object_ids = 1;
    memcpy(c.aud_binary, W.binary, 32);
    fcp_token_claims_set_text(&c, FCP_CLAIM_HOLDER_NODE, "node-laptop");
    memcpy(c.chk_id, CHK_ID, 16);
    c.chk_id_len = 16;
    c.chk_seq = 42;
    c.present |= FCP_TC_CHK_ID | FCP_TC_CHK_SEQ;
    c.present |= FCP_TC_NBF | FCP_TC_IAT | FCP_TC_EXP | FCP_TC_CTI | FCP_TC_GRANT_IDS | FCP_TC_AUD_BINARY;
    fcp_buf_init(out);
    CHECK_ERR(fcp_token_mint(&c, W.iss_sk, out), 0);
}

static const char *const ALL_OPS[] = { "notes_put", "notes_get", "notes_delete", NULL };

static void request(fcp_invoke_request *r, const fcp_buf *tok, const char *op, const char *input)
{
    fcp_invoke_request_init(r);
    r->zone_id = ZONE;
    r->connector_id = "fcp.notes";
    r->operation = op;
    r->input_json = input;
    r->input_len = strlen(input);
    r->token = tok->data;
    r->token_len = tok->len;
    r->aud_binary = W.binary;
    /* the holder node presents the token with a proof over this request */
    r->presenter_node = "node-laptop";
    r->request_id = "req-1";
    CHECK_ERR(fcp_holder_proof_sign(W.holder_sig, "req-1", op, (const uint8_t *)"\xc7\xc7\xc7\xc7\xc7\xc7\xc7\xc7\xc7\xc7\xc7\xc7\xc7\xc7\xc7\xc7", 16, W.holder_sk), 0);
    r->holder_sig = W.holder_sig;
}

static int exec_echo(void *user, const fcp_invoke_plan *p, fcp_buf *out)
{
    world *w = user;
    w->exec_calls++;
    if (w->exec_status)
        return w->exec_status;
    /* output names the input length so it depends on the request */
    char o[64];
    snprintf(o, sizeof o, "{\"ok\":true,\"bytes\":%zu}", p->input.len);
    return fcp_buf_append(out, o, strlen(o));
}

static void keep_event(const fcp_buf *b)
{
    CHECK(b->len > 0);
    if (b->len == 0 || W.n_events >= 256)
        return;
    W.ev[W.n_events] = malloc(b->len);
    memcpy(W.ev[W.n_events], b->data, b->len);
    W.ev_len[W.n_events++] = b->len;
}

static int node_key(void *c, const uint8_t *id, size_t len, uint8_t pk[32])
{
    (void)c;
    if (len != strlen(NODE) || memcmp(id, NODE, len))
        return FCP_ENOENT;
    memcpy(pk, W.node_pk, 32);
    return 0;
}

static void check_chain(void)
{
    fcp_audit_report rep;
    CHECK_ERR(fcp_audit_chain_verify((const uint8_t *const *)W.ev, W.ev_len, W.n_events, ZONE,
                                     &W.oid_key, NULL, node_key, NULL, &rep),
              0);
    CHECK_EQ(rep.verified, W.n_events);
}

/* A deny: plan verdict, code, DecisionReceipt signed by the node with that
 * reason code, and (not simulated) the audit event kept for the chain. */
static void check_deny(const fcp_invoke_plan *p, int code, int step, int simulated)
{
    static fcp_decision_receipt r;
    char want[16];
    CHECK_EQ(p->verdict, FCP_INVOKE_DENIED);
    CHECK_ERR(p->reason, code);
    CHECK_EQ(p->step, step);
    CHECK_ERR(fcp_decision_receipt_decode(&r, p->decision_receipt.data, p->decision_receipt.len), 0);
    CHECK_ERR(fcp_decision_receipt_verify(&r, W.node_pk), 0);
    CHECK_EQ(r.allow, 0);
    fcp_decision_reason_code(code, want, sizeof want);
    CHECK(strcmp(r.reason_code, want) == 0);
    CHECK_MEM(r.request_object_id, p->request_object_id, 32);
    {
        uint8_t id[32];
        CHECK_ERR(fcp_decision_receipt_id(id, &r, &W.oid_key), 0);
        CHECK_MEM(id, p->decision_receipt_id, 32);
    }
    if (simulated) {
        CHECK_EQ(p->audit_event.len, 0);
    } else {
        static fcp_audit_event ev;
        CHECK_ERR(fcp_audit_event_decode(&ev, p->audit_event.data, p->audit_event.len), 0);
        CHECK(strcmp(ev.event_type, "invoke.deny") == 0);
        CHECK(ev.has_result_object_id && memcmp(ev.result_object_id, p->decision_receipt_id, 32) == 0);
        keep_event(&p->audit_event);
    }
}

/* ---- tests ------------------------------------------------------------------ */

static void test_allow(void)
{
    fcp_buf tok;
    fcp_invoke_request r;
    fcp_invoke_plan p;
    fcp_invoke_result res;
    static fcp_operation_receipt rc;
    static fcp_operation_intent in;
    static fcp_audit_event ev;
    uint8_t id[32];
    world_init();
    mint(&tok, "fcp.notes", ALL_OPS, T0, T0 + 300);
    request(&r, &tok, "notes_put", "{\"name\":\"a\",\"text\":\"hello\"}");
    fcp_invoke_plan_init(&p);
    fcp_invoke_result_init(&res);
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms + 1500, &p), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
    CHECK_EQ(p.reason, 0);
    CHECK(strcmp(p.principal, PRINC) == 0);
    CHECK_EQ(p.tier, FCP_OP_TIER_RISKY);
    CHECK_EQ(p.timeout_ms, 5000);
    CHECK_EQ(p.step, FCP_INVOKE_STEP_INTENT); /* no lease step on one node (D-INVOKE-3) */
    CHECK(p.input.len == r.input_len && strcmp((char *)p.input.data, r.input_json) == 0);
    /* the intent: signed by the node, for this request */
    CHECK_ERR(fcp_operation_intent_decode(&in, p.intent.data, p.intent.len), 0);
    CHECK_ERR(fcp_operation_intent_verify(&in, W.node_pk), 0);
    CHECK_MEM(in.request_object_id, p.request_object_id, 32);
    CHECK_ERR(fcp_operation_intent_id(id, &in, &W.oid_key), 0);
    CHECK_MEM(id, p.intent_id, 32);
    CHECK(strcmp(in.planned_by, NODE) == 0);
    /* the input hash is D-INVOKE-1's: the approval hash of the tstr item */
    {
        uint8_t item[64], h[32];
        size_t n = strlen(r.input_json);
        CHECK(n >= 24 && n < 256);
        item[0] = 0x78;
        item[1] = (uint8_t)n;
        memcpy(item + 2, r.input_json, n);
        CHECK_ERR(fcp_approval_input_hash(h, item, n + 2), 0);
        CHECK_MEM(h, p.input_hash, 32);
    }
    /* complete twice: the second is refused */
    CHECK_ERR(fcp_invoke_complete(W.ctx, &p, 0, "{\"ok\":true}", 11, W.now_ms + 2000, &res), 0);
    CHECK_ERR(fcp_invoke_complete(W.ctx, &p, 0, "{\"ok\":true}", 11, W.now_ms + 2000, &res),
              FCP_EINVOKE_PLAN);
    CHECK_ERR(fcp_operation_receipt_decode(&rc, res.receipt.data, res.receipt.len), 0);
    CHECK_ERR(fcp_operation_receipt_verify(&rc, W.node_pk), 0);
    CHECK_ERR(fcp_operation_receipt_check_intent(&rc, &in, p.intent_id), 0);
    CHECK_ERR(fcp_operation_receipt_id(id, &rc, &W.oid_key), 0);
    CHECK_MEM(id, res.receipt_id, 32);
    CHECK_EQ(rc.executed_at, T0 + 2);
    CHECK_EQ(rc.n_outcomes, 1);
    CHECK_MEM(rc.outcome_object_ids[0], res.output_id, 32);
    /* a flipped receipt byte no longer verifies */
    rc.executed_at++;
    CHECK_ERR(fcp_operation_receipt_verify(&rc, W.node_pk), FCP_EBAD_SIGNATURE);
    CHECK_ERR(fcp_audit_event_decode(&ev, res.audit_event.data, res.audit_event.len), 0);
    CHECK(strcmp(ev.event_type, "invoke.complete") == 0);
    CHECK(strcmp(ev.actor, PRINC) == 0);
    CHECK(ev.has_result_object_id && memcmp(ev.result_object_id, res.receipt_id, 32) == 0);
    CHECK_EQ(res.audit_seq, 0);
    keep_event(&res.audit_event);
    /* a second call continues the chain */
    request(&r, &tok, "notes_get", "{\"name\":\"a\"}");
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 3000, exec_echo, &W, &p, &res), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
    CHECK_EQ(W.exec_calls, 1);
    CHECK_EQ(res.audit_seq, 1);
    CHECK(strcmp((char *)res.output.data, "{\"ok\":true,\"bytes\":12}") == 0);
    keep_event(&res.audit_event);
    check_chain();
    {
        uint64_t next;
        int have;
        uint8_t prev[32];
        CHECK_ERR(fcp_invoke_ctx_audit_head(W.ctx, ZONE, &next, &have, prev), 0);
        CHECK_EQ(next, 2);
        CHECK(have && memcmp(prev, res.audit_event_id, 32) == 0);
    }
    /* malformed connector output: recorded as a failure, no receipt */
    request(&r, &tok, "notes_get", "{\"name\":\"b\"}");
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms + 4000, &p), 0);
    CHECK_ERR(fcp_invoke_complete(W.ctx, &p, 0, "{\"ok\":", 6, W.now_ms + 4000, &res), 0);
    CHECK_ERR(res.status, FCP_EINVOKE_OUTPUT_JSON);
    CHECK_EQ(res.receipt.len, 0);
    CHECK_ERR(fcp_audit_event_decode(&ev, res.audit_event.data, res.audit_event.len), 0);
    CHECK(strcmp(ev.event_type, "invoke.failed") == 0);
    keep_event(&res.audit_event);
    check_chain();
    fcp_invoke_plan_free(&p);
    fcp_invoke_result_free(&res);
    fcp_buf_free(&tok);
}

static void test_token_denies(void)
{
    fcp_buf tok;
    fcp_invoke_request r;
    fcp_invoke_plan p;
    const char *in = "{\"name\":\"a\",\"text\":\"x\"}";
    world_init();
    fcp_invoke_plan_init(&p);

    /* forged: one signature byte flipped */
    mint(&tok, "fcp.notes", ALL_OPS, T0, T0 + 300);
    tok.data[tok.len - 1] ^= 1;
    request(&r, &tok, "notes_put", in);
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    check_deny(&p, FCP_ETOKEN_SIGNATURE, FCP_INVOKE_STEP_TOKEN, 0);
    CHECK(p.principal[0] == 0);
    fcp_buf_free(&tok);

    /* expired (past exp + skew) */
    mint(&tok, "fcp.notes", ALL_OPS, T0 - 400, T0 - 100);
    request(&r, &tok, "notes_put", in);
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    check_deny(&p, FCP_ETOKEN_EXPIRED, FCP_INVOKE_STEP_TOKEN, 0);
    fcp_buf_free(&tok);

    /* wrong audience */
    mint(&tok, "fcp.other", ALL_OPS, T0, T0 + 300);
    request(&r, &tok, "notes_put", in);
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    check_deny(&p, FCP_ETOKEN_AUDIENCE, FCP_INVOKE_STEP_TOKEN, 0);
    fcp_buf_free(&tok);

    /* over-attenuated: the token grants notes_get only */
    {
        static const char *const get_only[] = { "notes_get", NULL };
        mint(&tok, "fcp.notes", get_only, T0, T0 + 300);
        request(&r, &tok, "notes_put", in);
        CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
        check_deny(&p, FCP_EOP_NOT_GRANTED, FCP_INVOKE_STEP_TOKEN, 0);
        /* the granted operation still passes with the same token */
        request(&r, &tok, "notes_get", "{\"name\":\"a\"}");
        CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
        CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
        fcp_invoke_result res;
        fcp_invoke_result_init(&res);
        CHECK_ERR(fcp_invoke_complete(W.ctx, &p, 0, "{}", 2, W.now_ms, &res), 0);
        keep_event(&res.audit_event);
        fcp_invoke_result_free(&res);
        fcp_buf_free(&tok);
    }

    /* revoked, with fresh revocation state: the token id is in the set */
    mint(&tok, "fcp.notes", ALL_OPS, T0, T0 + 300);
    {
        fcp_cose_sign1 s;
        uint8_t tid[32];
        CHECK_ERR(fcp_cose_sign1_decode(&s, tok.data, tok.len), 0);
        CHECK_ERR(fcp_token_id(tid, &s), 0);
        request(&r, &tok, "notes_put", in);
        CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
        CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE); /* before revocation */
        fcp_invoke_result res;
        fcp_invoke_result_init(&res);
        CHECK_ERR(fcp_invoke_complete(W.ctx, &p, FCP_EHOST_OP_FAILED, NULL, 0, W.now_ms, &res), 0);
        keep_event(&res.audit_event);
        fcp_invoke_result_free(&res);
        CHECK_ERR(fcp_revset_add(&W.rev, tid, FCP_REV_CAPABILITY, T0 - 1, 0), 0);
        fcp_revset_mark_fresh(&W.rev, T0);
        CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms + 10000, &p), 0);
        check_deny(&p, FCP_ETOKEN_REVOKED, FCP_INVOKE_STEP_TOKEN, 0);
    }
    fcp_buf_free(&tok);

    /* stale revocation state: a Risky op is refused, a Safe one proceeds
     * (degraded), both with a valid token */
    mint(&tok, "fcp.notes", ALL_OPS, T0 + 1000, T0 + 1300);
    request(&r, &tok, "notes_put", in);
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, (uint64_t)(T0 + 1000) * 1000u, &p), 0);
    check_deny(&p, FCP_EREV_STALE, FCP_INVOKE_STEP_FRESHNESS, 0);
    request(&r, &tok, "notes_get", "{\"name\":\"a\"}");
    r.simulate = 1;
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, (uint64_t)(T0 + 1000) * 1000u, &p), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_SIMULATED);
    CHECK(p.rev_flags & FCP_REV_DEGRADED);
    fcp_buf_free(&tok);

    /* request-level refusals (a fresh token: the one above is revoked) */
    mint(&tok, "fcp.notes", ALL_OPS, T0 + 1, T0 + 301);
    request(&r, &tok, "notes_nope", "{}");
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    check_deny(&p, FCP_EHOST_UNKNOWN_OP, FCP_INVOKE_STEP_REQUEST, 0);
    request(&r, &tok, "notes_put", "{}");
    r.connector_id = "fcp.mail";
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    check_deny(&p, FCP_EINVOKE_CONNECTOR, FCP_INVOKE_STEP_REQUEST, 0);
    request(&r, &tok, "notes_put", "{}");
    r.zone_id = "z:other";
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_DENIED);
    CHECK_ERR(p.reason, FCP_EINVOKE_ZONE);
    CHECK_EQ(p.decision_receipt.len, 0); /* no zone: nothing to sign into */
    request(&r, &tok, "notes put", "{}");
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    CHECK_ERR(p.reason, FCP_EINVOKE_REQUEST);
    CHECK(p.decision_receipt.len == 0 && p.audit_event.len == 0);
    request(&r, &tok, "notes_put", "{}");
    r.idempotency_key = "has space";
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    CHECK_ERR(p.reason, FCP_EINVOKE_REQUEST);
    /* input: malformed JSON, then a missing required key, then not an object */
    request(&r, &tok, "notes_put", "{\"name\":\"a\",}");
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    check_deny(&p, FCP_EINVOKE_INPUT_JSON, FCP_INVOKE_STEP_INPUT, 0);
    request(&r, &tok, "notes_put", "{\"name\":\"a\"}");
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    check_deny(&p, FCP_EINVOKE_INPUT_SCHEMA, FCP_INVOKE_STEP_INPUT, 0);
    request(&r, &tok, "notes_put", "[1,2]");
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    check_deny(&p, FCP_EINVOKE_INPUT_SCHEMA, FCP_INVOKE_STEP_INPUT, 0);
    /* zone policy: the connector denied by the zone */
    {
        static const char *const deny_notes[] = { "fcp.notes" };
        W.policy.connectors_deny = deny_notes;
        W.policy.n_connectors_deny = 1;
        request(&r, &tok, "notes_put", in);
        CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
        check_deny(&p, FCP_EDEC_CONNECTOR_DENIED, FCP_INVOKE_STEP_DECISION, 0);
        W.policy.n_connectors_deny = 0;
    }
    fcp_buf_free(&tok);
    check_chain();
    fcp_invoke_plan_free(&p);
}

static void make_approval(fcp_buf *out, const char *op, const fcp_provenance *prov, const uint8_t *sk)
{
    static fcp_approval_token a;
    memset(&a, 0, sizeof a);
    a.kind = FCP_APPROVAL_ELEVATION;
    strcpy(a.elevation.operation, op);
    a.elevation.original_provenance = *prov;
    strcpy(a.justification, "reviewed");
    strcpy(a.approved_by, "human:alice");
    a.approved_at = T0 - 10;
    a.expires_at = T0 + 290;
    CHECK_ERR(fcp_approval_sign(&a, sk), 0);
    fcp_buf_init(out);
    CHECK_ERR(fcp_approval_encode(&a, out), 0);
}

static void test_taint_and_approval(void)
{
    fcp_buf tok, ap, bad;
    fcp_invoke_request r;
    fcp_invoke_plan p;
    fcp_invoke_result res;
    fcp_provenance prov;
    const uint8_t *aps[1];
    size_t apl[1];
    world_init();
    fcp_invoke_plan_init(&p);
    fcp_invoke_result_init(&res);
    mint(&tok, "fcp.notes", ALL_OPS, T0, T0 + 300);
    /* untainted Dangerous: allowed */
    request(&r, &tok, "notes_delete", "{\"name\":\"a\"}");
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms, exec_echo, &W, &p, &res), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
    keep_event(&res.audit_event);
    /* public-tainted input: denied without an approval */
    r.taint = FCP_TAINT_PUBLIC_INPUT;
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms, exec_echo, &W, &p, &res), 0);
    check_deny(&p, FCP_EDEC_PUBLIC_DANGEROUS, FCP_INVOKE_STEP_DECISION, 0);
    CHECK_EQ(W.exec_calls, 1);
    /* an Elevation approval for this provenance, signed by alice: allowed */
    fcp_provenance_init(&prov, ZONE, 0);
    prov.taint = FCP_TAINT_PUBLIC_INPUT;
    make_approval(&ap, "notes_delete", &prov, W.alice_sk);
    aps[0] = ap.data;
    apl[0] = ap.len;
    r.approvals = aps;
    r.approval_lens = apl;
    r.n_approvals = 1;
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms, exec_echo, &W, &p, &res), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
    CHECK_EQ(W.exec_calls, 2);
    CHECK_EQ(p.decision.n_evidence, 1); /* the approval relied on */
    keep_event(&res.audit_event);
    /* the same approval signed by another key: bad signature */
    make_approval(&bad, "notes_delete", &prov, W.node_sk);
    aps[0] = bad.data;
    apl[0] = bad.len;
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms, exec_echo, &W, &p, &res), 0);
    check_deny(&p, FCP_EAPPROVAL_BAD_SIGNATURE, FCP_INVOKE_STEP_DECISION, 0);
    fcp_buf_free(&bad);
    /* an approval for another operation: scope */
    make_approval(&bad, "notes_put", &prov, W.alice_sk);
    aps[0] = bad.data;
    apl[0] = bad.len;
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms, exec_echo, &W, &p, &res), 0);
    check_deny(&p, FCP_EDEC_ELEVATION_SCOPE, FCP_INVOKE_STEP_DECISION, 0);
    /* garbage approval bytes */
    apl[0] = 3;
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms, exec_echo, &W, &p, &res), 0);
    check_deny(&p, FCP_EINVOKE_APPROVAL, FCP_INVOKE_STEP_DECISION, 0);
    CHECK_EQ(W.exec_calls, 2);
    fcp_buf_free(&bad);
    fcp_buf_free(&ap);
    fcp_buf_free(&tok);
    check_chain();
    fcp_invoke_plan_free(&p);
    fcp_invoke_result_free(&res);
}

static void test_idempotency(void)
{
    fcp_buf tok, first;
    fcp_invoke_request r;
    fcp_invoke_plan p, p2;
    fcp_invoke_result res;
    uint8_t first_id[32];
    world_init();
    fcp_invoke_plan_init(&p);
    fcp_invoke_plan_init(&p2);
    fcp_invoke_result_init(&res);
    fcp_buf_init(&first);
    mint(&tok, "fcp.notes", ALL_OPS, T0, T0 + 300);
    request(&r, &tok, "notes_put", "{\"name\":\"a\",\"text\":\"once\"}");
    r.idempotency_key = "key-1";
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms, exec_echo, &W, &p, &res), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
    CHECK_EQ(res.replayed, 0);
    fcp_buf_append(&first, res.receipt.data, res.receipt.len);
    memcpy(first_id, res.receipt_id, 32);
    keep_event(&res.audit_event);
    /* the retry, later: the prior receipt, byte for byte, no execution */
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 5000, exec_echo, &W, &p, &res), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_REPLAY);
    CHECK_EQ(res.replayed, 1);
    CHECK(res.receipt.len == first.len && memcmp(res.receipt.data, first.data, first.len) == 0);
    CHECK_MEM(res.receipt_id, first_id, 32);
    CHECK_EQ(W.exec_calls, 1);
    CHECK_EQ(res.audit_event.len, 0);
    /* the same key for another input: conflict */
    request(&r, &tok, "notes_put", "{\"name\":\"a\",\"text\":\"twice\"}");
    r.idempotency_key = "key-1";
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    check_deny(&p, FCP_EOP_IDEMPOTENCY_CONFLICT, FCP_INVOKE_STEP_IDEMPOTENCY, 0);
    /* in flight: a second decide before the first completes is refused */
    r.idempotency_key = "key-2";
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p2), 0);
    check_deny(&p2, FCP_EOP_IN_PROGRESS, FCP_INVOKE_STEP_IDEMPOTENCY, 0);
    /* a clean failure drops the entry: the retry executes */
    CHECK_ERR(fcp_invoke_complete(W.ctx, &p, FCP_EHOST_OP_FAILED, NULL, 0, W.now_ms, &res), 0);
    CHECK_EQ(res.receipt.len, 0);
    keep_event(&res.audit_event);
    W.exec_calls = 0;
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms, exec_echo, &W, &p, &res), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
    CHECK_EQ(W.exec_calls, 1);
    CHECK(res.receipt.len > 0);
    keep_event(&res.audit_event);
    /* abandoned before the call (intent not persisted): nothing recorded, key released */
    r.idempotency_key = "key-4";
    {
        uint64_t before, after;
        CHECK_ERR(fcp_invoke_ctx_audit_head(W.ctx, ZONE, &before, NULL, NULL), 0);
        CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
        CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
        CHECK_ERR(fcp_invoke_complete(W.ctx, &p, FCP_EIO, NULL, 0, W.now_ms, NULL), 0);
        CHECK_ERR(fcp_invoke_abandon(W.ctx, &p, W.now_ms), FCP_EINVOKE_PLAN);
        CHECK_ERR(fcp_invoke_complete(W.ctx, &p, 0, "{}", 2, W.now_ms, &res), FCP_EINVOKE_PLAN);
        CHECK_ERR(fcp_invoke_ctx_audit_head(W.ctx, ZONE, &after, NULL, NULL), 0);
        CHECK_EQ(after, before);
        CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
        CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
        CHECK_ERR(fcp_invoke_abandon(W.ctx, &p, W.now_ms), 0);
        CHECK_ERR(fcp_invoke_complete(W.ctx, &p, 0, "{}", 2, W.now_ms, NULL), FCP_EINVAL);
    }
    /* a timeout may have had effects: the key stays in flight */
    r.idempotency_key = "key-3";
    W.exec_status = FCP_EHOST_TIMEOUT;
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms, exec_echo, &W, &p, &res), 0);
    CHECK_ERR(res.status, FCP_EHOST_TIMEOUT);
    keep_event(&res.audit_event);
    W.exec_status = 0;
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 1000, exec_echo, &W, &p, &res), 0);
    check_deny(&p, FCP_EOP_IN_PROGRESS, FCP_INVOKE_STEP_IDEMPOTENCY, 0);
    CHECK_EQ(W.exec_calls, 2);
    /* simulate with a completed key: decides, replays nothing, executes nothing */
    request(&r, &tok, "notes_put", "{\"name\":\"a\",\"text\":\"once\"}");
    r.idempotency_key = "key-1";
    r.simulate = 1;
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms, exec_echo, &W, &p, &res), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_SIMULATED);
    CHECK_EQ(W.exec_calls, 2);
    check_chain();
    /* restart: a new context knows nothing; the caller reloads key-1 from its
     * stored intent and receipt, resumes the chain, and the retry replays */
    {
        uint8_t req_id[32], intent_id[32];
        fcp_audit_anchor an;
        fcp_audit_event ev;
        request(&r, &tok, "notes_put", "{\"name\":\"a\",\"text\":\"once\"}");
        r.idempotency_key = "key-1";
        r.simulate = 0;
        CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0); /* replay: ids known */
        CHECK_EQ(p.verdict, FCP_INVOKE_REPLAY);
        memcpy(req_id, p.request_object_id, 32);
        {
            static fcp_operation_receipt rr;
            CHECK_ERR(fcp_operation_receipt_decode(&rr, first.data, first.len), 0);
            memcpy(intent_id, rr.header.refs[0], 32);
        }
        CHECK_ERR(fcp_audit_event_decode(&ev, W.ev[W.n_events - 1], W.ev_len[W.n_events - 1]), 0);
        CHECK_ERR(fcp_audit_event_id(an.prev, &ev, &W.oid_key), 0);
        an.seq = ev.seq;
        an.occurred_at = ev.occurred_at;
        fcp_invoke_ctx_free(W.ctx);
        make_ctx_at(&an);
        fcp_buf_init(&g_store);
        fcp_buf_append(&g_store, first.data, first.len);
        memcpy(g_store_id, first_id, 32);
        CHECK_ERR(fcp_invoke_ctx_restore_key(W.ctx, ZONE, "key-1", req_id, intent_id, first_id,
                                             T0 + 3600, W.now_ms), 0);
        CHECK_ERR(fcp_invoke_ctx_restore_key(W.ctx, ZONE, "key-1", req_id, intent_id, first_id,
                                             T0 + 3600, W.now_ms), 0); /* idempotent */
        CHECK_ERR(fcp_invoke_ctx_restore_key(W.ctx, ZONE, "key-1", req_id, intent_id, intent_id,
                                             T0 + 3600, W.now_ms), FCP_EOP_IDEMPOTENCY_CONFLICT);
        CHECK_ERR(fcp_invoke_ctx_restore_key(W.ctx, ZONE, "key-5", req_id, intent_id, NULL,
                                             T0 + 3600, W.now_ms), 0);
        CHECK_ERR(fcp_invoke_ctx_restore_key(W.ctx, "z:nope", "key-1", req_id, intent_id, NULL,
                                             T0 + 3600, W.now_ms), FCP_EINVOKE_ZONE);
        W.exec_calls = 0;
        CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 7000, exec_echo, &W, &p, &res), 0);
        CHECK_EQ(p.verdict, FCP_INVOKE_REPLAY);
        CHECK(res.receipt.len == first.len && memcmp(res.receipt.data, first.data, first.len) == 0);
        CHECK_EQ(W.exec_calls, 0);
        /* the in-flight reloaded key refuses */
        r.idempotency_key = "key-5";
        CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms + 7000, &p), 0);
        check_deny(&p, FCP_EOP_IN_PROGRESS, FCP_INVOKE_STEP_IDEMPOTENCY, 0);
        /* without the stored receipt the replay is refused, never re-executed */
        fcp_buf_free(&g_store);
        r.idempotency_key = "key-1";
        fcp_invoke_ctx_free(W.ctx);
        CHECK_ERR(fcp_audit_event_decode(&ev, W.ev[W.n_events - 1], W.ev_len[W.n_events - 1]), 0);
        CHECK_ERR(fcp_audit_event_id(an.prev, &ev, &W.oid_key), 0);
        an.seq = ev.seq;
        an.occurred_at = ev.occurred_at;
        {
            uint64_t next;
            int have;
            make_ctx_at(&an);
            CHECK_ERR(fcp_invoke_ctx_restore_key(W.ctx, ZONE, "key-1", req_id, intent_id, first_id,
                                                 T0 + 3600, W.now_ms), 0);
            CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 8000, exec_echo, &W, &p, &res), 0);
            check_deny(&p, FCP_EINVOKE_RECEIPT_UNAVAILABLE, FCP_INVOKE_STEP_IDEMPOTENCY, 0);
            CHECK_EQ(W.exec_calls, 0);
            CHECK_ERR(fcp_invoke_ctx_audit_head(W.ctx, ZONE, &next, &have, NULL), 0);
            CHECK(have);
        }
        check_chain(); /* the resumed chain continues the stored one */
    }
    fcp_buf_free(&first);
    fcp_buf_free(&tok);
    fcp_invoke_plan_free(&p);
    fcp_invoke_plan_free(&p2);
    fcp_invoke_result_free(&res);
}

static void test_rate_and_simulate(void)
{
    fcp_buf tok;
    fcp_invoke_request r;
    fcp_invoke_plan p;
    fcp_invoke_result res;
    uint64_t next0, next1;
    world_init();
    fcp_invoke_plan_init(&p);
    fcp_invoke_result_init(&res);
    mint(&tok, "fcp.notes", ALL_OPS, T0, T0 + 300);
    request(&r, &tok, "notes_get", "{\"name\":\"a\"}");
    /* simulate never executes and consumes nothing */
    r.simulate = 1;
    for (int i = 0; i < 10; i++) {
        CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms, exec_echo, &W, &p, &res), 0);
        CHECK_EQ(p.verdict, FCP_INVOKE_SIMULATED);
        CHECK_EQ(p.intent.len, 0);
    }
    CHECK_EQ(W.exec_calls, 0);
    CHECK_ERR(fcp_invoke_ctx_audit_head(W.ctx, ZONE, &next0, NULL, NULL), 0);
    CHECK_EQ(next0, 0);
    /* a simulated deny: a DecisionReceipt, no audit event */
    r.input_json = "{";
    r.input_len = 1;
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms, &p), 0);
    check_deny(&p, FCP_EINVOKE_INPUT_JSON, FCP_INVOKE_STEP_INPUT, 1);
    CHECK_ERR(fcp_invoke_ctx_audit_head(W.ctx, ZONE, &next1, NULL, NULL), 0);
    CHECK_EQ(next1, 0);
    /* 3/min: three calls, the fourth is refused */
    request(&r, &tok, "notes_get", "{\"name\":\"a\"}");
    for (int i = 0; i < 3; i++) {
        CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + (uint64_t)i, exec_echo, &W, &p, &res), 0);
        CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
        keep_event(&res.audit_event);
    }
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 10, exec_echo, &W, &p, &res), 0);
    check_deny(&p, FCP_EINVOKE_RATE_LIMITED, FCP_INVOKE_STEP_RATE, 0);
    CHECK(strstr(p.message, "retry in") != NULL);
    /* a simulate says so too, without consuming */
    r.simulate = 1;
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, W.now_ms + 10, &p), 0);
    check_deny(&p, FCP_EINVOKE_RATE_LIMITED, FCP_INVOKE_STEP_RATE, 1);
    r.simulate = 0;
    /* 19.9 s later: still nothing (one call refills in 20 s) */
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 19900, exec_echo, &W, &p, &res), 0);
    check_deny(&p, FCP_EINVOKE_RATE_LIMITED, FCP_INVOKE_STEP_RATE, 0);
    /* 20 s after the first call: one more, then refused again */
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 20010, exec_echo, &W, &p, &res), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
    keep_event(&res.audit_event);
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 20020, exec_echo, &W, &p, &res), 0);
    check_deny(&p, FCP_EINVOKE_RATE_LIMITED, FCP_INVOKE_STEP_RATE, 0);
    /* another operation has its own bucket (no limit on notes_put) */
    request(&r, &tok, "notes_put", "{\"name\":\"a\",\"text\":\"x\"}");
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 20030, exec_echo, &W, &p, &res), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
    keep_event(&res.audit_event);
    /* a full minute refills the whole bucket: three again */
    request(&r, &tok, "notes_get", "{\"name\":\"a\"}");
    for (int i = 0; i < 3; i++) {
        CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 90000, exec_echo, &W, &p, &res), 0);
        CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
        keep_event(&res.audit_event);
    }
    CHECK_ERR(fcp_invoke_run(W.ctx, &W.m, &r, W.now_ms + 90000, exec_echo, &W, &p, &res), 0);
    check_deny(&p, FCP_EINVOKE_RATE_LIMITED, FCP_INVOKE_STEP_RATE, 0);
    CHECK_EQ(W.exec_calls, 8);
    check_chain();
    fcp_buf_free(&tok);
    fcp_invoke_plan_free(&p);
    fcp_invoke_result_free(&res);
}

static void test_json(void)
{
    static const char *good[] = {
        "{}", "[]", " 0 ", "-0.5e+10", "\"a\\u00e9\\ud83d\\ude00\\n\"", "true", "null",
        "{\"a\":[1,2,{\"b\":false}],\"c\":\"\xc3\xa9\"}", "1E5", "\"\xf0\x9f\x98\x80\"",
    };
    static const char *bad[] = {
        "", " ", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "01", "1.", ".5", "+1", "-", "1e",
        "\"a", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "tru", "nul",
        "{} {}", "\"\x01\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
        "\"\xe2\x82\"", "{a:1}", "'a'", "NaN", "[1 2]", "{\"a\" 1}", "\xef\xbb\xbf{}",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (fcp_invoke_json_check(good[i], strlen(good[i]), 64) != 0) {
            fprintf(stderr, "good JSON refused: %s\n", good[i]);
            CHECK(0);
        }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (fcp_invoke_json_check(bad[i], strlen(bad[i]), 64) != FCP_EINVOKE_INPUT_JSON) {
            fprintf(stderr, "bad JSON accepted: %s\n", bad[i]);
            CHECK(0);
        }
    /* an embedded NUL is not JSON */
    CHECK_ERR(fcp_invoke_json_check("{}\0", 3, 64), FCP_EINVOKE_INPUT_JSON);
    /* depth */
    {
        char deep[200];
        memset(deep, '[', 100);
        memset(deep + 100, ']', 100);
        CHECK_ERR(fcp_invoke_json_check(deep, 200, 100), 0);
        CHECK_ERR(fcp_invoke_json_check(deep, 200, 99), FCP_EINVOKE_INPUT_JSON);
    }
    /* schema subset */
    const char *sch = "{\"type\":\"object\",\"required\":[\"a\",\"b\\u0063\"]}";
    CHECK_ERR(fcp_invoke_schema_check(sch, strlen(sch), "{\"a\":1,\"bc\":2}", 14), 0);
    CHECK_ERR(fcp_invoke_schema_check(sch, strlen(sch), "{\"a\":1,\"b\\u0063\":[]}", 20), 0);
    CHECK_ERR(fcp_invoke_schema_check(sch, strlen(sch), "{\"a\":1}", 7), FCP_EINVOKE_INPUT_SCHEMA);
    CHECK_ERR(fcp_invoke_schema_check(sch, strlen(sch), "{\"x\":{\"a\":1,\"bc\":2}}", 20),
              FCP_EINVOKE_INPUT_SCHEMA);
    CHECK_ERR(fcp_invoke_schema_check(sch, strlen(sch), "3", 1), FCP_EINVOKE_INPUT_SCHEMA);
    const char *req_only = "{\"required\":[\"a\"]}";
    CHECK_ERR(fcp_invoke_schema_check(req_only, strlen(req_only), "3", 1), 0);
    CHECK_ERR(fcp_invoke_schema_check(req_only, strlen(req_only), "{}", 2), FCP_EINVOKE_INPUT_SCHEMA);
    const char *none = "{\"type\":\"string\"}";
    CHECK_ERR(fcp_invoke_schema_check(none, strlen(none), "{}", 2), 0);
    CHECK_ERR(fcp_invoke_schema_check(sch, strlen(sch), "{", 1), FCP_EINVOKE_INPUT_JSON);
}

/* ---- golden transcript ------------------------------------------------------ */

#define GOLDEN "conformance/golden/invoke/allow_transcript.json"

static char *hexs(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = d[p[i] >> 4];
        s[2 * i + 1] = d[p[i] & 15];
    }
    s[2 * n] = 0;
    return s;
}

static void golden_field(json_t *ex, const char *name, const uint8_t *p, size_t n, json_t *gen)
{
    char *h = hexs(p, n);
    if (gen)
        json_object_set_new(gen, name, json_string(h));
    if (ex) {
        const char *want = fcp_t_jstr(ex, name);
        if (strcmp(want, h) != 0) {
            fprintf(stderr, "golden %s differs:\n got  %s\n want %s\n", name, h, want);
            CHECK(0);
        } else {
            CHECK(1);
        }
    }
    free(h);
}

static void test_golden(void)
{
    fcp_buf tok;
    fcp_invoke_request r;
    fcp_invoke_plan p;
    fcp_invoke_result res;
    json_error_t je;
    json_t *root = json_load_file(GOLDEN, 0, &je);
    json_t *ex = root ? json_object_get(root, "expected") : NULL;
    json_t *gen = getenv("FCP_INVOKE_GOLDEN_PRINT") ? json_object() : NULL;
    if (!root)
        fprintf(stderr, "cannot load %s: %s\n", GOLDEN, je.text);
    CHECK(ex != NULL);
    world_init();
    fcp_invoke_plan_init(&p);
    fcp_invoke_result_init(&res);
    mint(&tok, "fcp.notes", ALL_OPS, T0, T0 + 300);
    request(&r, &tok, "notes_put", "{\"name\":\"golden\",\"text\":\"pinned\"}");
    r.idempotency_key = "golden-1";
    CHECK_ERR(fcp_invoke_decide(W.ctx, &W.m, &r, T0MS + 250, &p), 0);
    CHECK_EQ(p.verdict, FCP_INVOKE_EXECUTE);
    CHECK_ERR(fcp_invoke_complete(W.ctx, &p, 0, "{\"name\":\"golden\",\"bytes\":6}", 27, T0MS + 1750,
                                  &res),
              0);
    golden_field(ex, "token_hex", tok.data, tok.len, gen);
    golden_field(ex, "input_hash_hex", p.input_hash, 32, gen);
    golden_field(ex, "request_object_id_hex", p.request_object_id, 32, gen);
    golden_field(ex, "intent_hex", p.intent.data, p.intent.len, gen);
    golden_field(ex, "intent_id_hex", p.intent_id, 32, gen);
    golden_field(ex, "output_id_hex", res.output_id, 32, gen);
    golden_field(ex, "receipt_hex", res.receipt.data, res.receipt.len, gen);
    golden_field(ex, "receipt_id_hex", res.receipt_id, 32, gen);
    golden_field(ex, "audit_event_hex", res.audit_event.data, res.audit_event.len, gen);
    golden_field(ex, "audit_event_id_hex", res.audit_event_id, 32, gen);
    if (gen) {
        char *s = json_dumps(gen, JSON_INDENT(2) | JSON_SORT_KEYS);
        printf("%s\n", s);
        free(s);
        json_decref(gen);
    }
    fcp_buf_free(&tok);
    fcp_invoke_plan_free(&p);
    fcp_invoke_result_free(&res);
    if (root)
        json_decref(root);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    test_json();
    test_allow();
    test_token_denies();
    test_taint_and_approval();
    test_idempotency();
    test_rate_and_simulate();
    test_golden();
    world_free();
    return fcp_t_done("host_invoke");
}
