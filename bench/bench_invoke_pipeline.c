/*
 * bench_invoke_pipeline.c - the invoke pipeline (host_invoke.h): one
 * fcp_invoke_decide + fcp_invoke_complete of a Risky operation, against raw
 * Ed25519 measured in the same run (docs/performance.md, "Invoke pipeline").
 *
 *   cold     the node's store has not pre-verified the issuer attestation
 *            or the grant object: token verification checks 4 signatures
 *            (attestation, token, grant object, holder proof); the pipeline
 *            then signs 3 objects (intent, receipt, audit event).
 *   cached   attestation and grant object pre-verified by the store (what a
 *            daemon does once per object): 2 verifies + 3 signs.
 *   ref      one raw Ed25519 verify + one raw Ed25519 sign of 200 bytes;
 *            the printed ratio is pipeline time / reference time, i.e. how
 *            many verify+sign pairs one invocation costs.
 *
 * No connector runs (the call is the caller's); the output is a fixed JSON
 * object.  Batches alternate subject and reference and keep the best
 * per-item time; BENCH_SECONDS (default 1.0) of thread CPU time bounds each
 * figure (CLOCK_THREAD_CPUTIME_ID, so other processes do not distort it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcp/authz_cap.h"
#include "fcp/authz_revocation.h"
#include "fcp/authz_token.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/host_invoke.h"
#include "fcp/host_manifest.h"

#define T0 1700000000ull
#define ZONE "z:work"

static double g_secs = 1.0;
static volatile int g_sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char MANIFEST[] =
    "[manifest]\nformat = \"fcp-connector-manifest\"\nschema_version = \"2.0\"\n"
    "[connector]\nid = \"fcp.notes\"\nname = \"Notes\"\nversion = \"0.1.0\"\n"
    "description = \"bench\"\narchetypes = [\"storage\"]\nformat = \"native\"\n"
    "publisher_key = \"4fd099ccd47d7893dfe9ec24414ecb0d9b5420232aad30d91c465be33cbe65c4\"\n"
    "[capabilities]\nrequired = []\noptional = []\nforbidden = []\n"
    "[provides.operations.notes_put]\ndescription = \"put\"\ncapability = \"notes.write\"\n"
    "safety_tier = \"risky\"\nidempotency = \"strict\"\n"
    "input_schema = '''{\"type\":\"object\",\"required\":[\"name\",\"text\"]}'''\n"
    "output_schema = '''{\"type\":\"object\"}'''\n"
    "[sandbox]\nprofile = \"strict\"\nmemory_mb = 256\ncpu_seconds = 60\n"
    "wall_clock_timeout_ms = 5000\nmax_pids = 8\ndeny_exec = true\n"
    "[state]\nmodel = \"local\"\n";

static const uint8_t CHK_ID[16] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

static struct {
    uint8_t owner_pk[32], owner_sk[64], iss_pk[32], iss_sk[64], node_sk[64], node_pk[32];
    uint8_t holder_pk[32], holder_sk[64], holder_sig[64], binary[32], cap_id[32];
    fcp_node_attestation att;
    fcp_cap_object cap;
    fcp_object_id_key oid;
    fcp_revset rev;
    fcp_dec_policy policy;
    fcp_manifest m;
    fcp_invoke_ctx *ctx;
    fcp_buf token;
    int preverified;
} G;

static void seedkey(uint8_t b, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t seed[32];
    memset(seed, b, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
}

static int cb_issuer(void *c, const uint8_t kid[8], fcp_token_issuer_ref *ref)
{
    (void)c;
    (void)kid;
    ref->att = &G.att;
    ref->preverified = G.preverified;
    return 0;
}

static int cb_grant(void *c, const uint8_t id[32], fcp_token_grant_ref *ref)
{
    (void)c;
    if (memcmp(id, G.cap_id, 32))
        return FCP_ENOENT;
    ref->obj = &G.cap;
    ref->preverified = G.preverified;
    return 0;
}

static int cb_checkpoint(void *c, const char *zone, uint64_t at, uint64_t *ours, uint8_t *id,
                         size_t *idl)
{
    (void)c;
    (void)zone;
    (void)at;
    *ours = 50;
    memcpy(id, CHK_ID, 16);
    *idl = 16;
    return 0;
}

static int cb_node_key(void *c, const char *node, uint8_t pk[32])
{
    (void)c;
    (void)node;
    memcpy(pk, G.holder_pk, 32);
    return 0;
}

static fcp_token_lookup LK = { NULL, cb_issuer, cb_grant, NULL, cb_checkpoint, cb_node_key, NULL, NULL };
static const char *const ANY[] = { "*" };

static int setup(void)
{
    fcp_schema_id s;
    fcp_toml_error te;
    fcp_invoke_config cfg;
    fcp_invoke_zone_config zc;
    fcp_token_claims c;
    uint8_t k16[16] = { 1 }, hk[32];
    seedkey(0xa0, G.owner_pk, G.owner_sk);
    seedkey(0x01, G.iss_pk, G.iss_sk);
    seedkey(0x30, G.node_pk, G.node_sk);
    seedkey(0x04, G.holder_pk, G.holder_sk);
    strcpy(G.att.node_id, "node-issuer");
    memcpy(G.att.node_iss_pubkey, G.iss_pk, 32);
    memset(G.att.node_sig_pubkey, 8, 32);
    memset(G.att.node_enc_pubkey, 9, 32);
    G.att.issued_at = T0 - 1000;
    fcp_attestation_sign(&G.att, G.owner_sk);
    memset(G.oid.bytes, 0x33, sizeof G.oid.bytes);
    memset(G.binary, 0x77, 32);
    fcp_cap_object_schema(&s);
    fcp_object_header_init(&G.cap.header, &s, ZONE, T0 - 1000);
    strcpy(G.cap.capability_id, "notes.write");
    G.cap.grantee = FCP_GRANTEE_PRINCIPAL;
    strcpy(G.cap.grantee_value, "agent:bench");
    G.cap.valid_from = T0 - 1000;
    G.cap.valid_until = T0 + 100000;
    fcp_cap_object_sign(&G.cap, G.owner_sk);
    fcp_cap_object_id(G.cap_id, &G.cap, &G.oid);
    if (fcp_revset_init(&G.rev, 16, k16) != 0)
        return -1;
    G.rev.seq = 50;
    fcp_revset_mark_fresh(&G.rev, T0);
    fcp_dec_policy_defaults(&G.policy);
    G.policy.principals_allow = ANY;
    G.policy.n_principals_allow = 1;
    G.policy.connectors_allow = ANY;
    G.policy.n_connectors_allow = 1;
    G.policy.caps_allow = ANY;
    G.policy.n_caps_allow = 1;
    if (fcp_manifest_parse(&G.m, "bench.toml", MANIFEST, strlen(MANIFEST), &te) != 0)
        return -1;
    fcp_token_claims_init(&c);
    fcp_token_claims_set_text(&c, FCP_CLAIM_ISS, "node-issuer");
    fcp_token_claims_set_text(&c, FCP_CLAIM_ISS_NODE, "node-issuer");
    fcp_token_claims_set_text(&c, FCP_CLAIM_ZONE_ID, ZONE);
    fcp_token_claims_set_text(&c, FCP_CLAIM_AUD, "fcp.notes");
    fcp_token_claims_set_text(&c, FCP_CLAIM_CAPABILITY_ID, "notes.write");
    fcp_token_claims_set_text(&c, FCP_CLAIM_PRINCIPAL_ID, "agent:bench");
    fcp_token_claims_set_text(&c, FCP_CLAIM_HOLDER_NODE, "node-laptop");
    fcp_token_claims_add_operation(&c, "notes_put");
    c.nbf = c.iat = T0;
    c.exp = T0 + 300;
    memset(c.cti, 0xc7, 16);
    c.cti_len = 16;
    memcpy(c.aud_binary, G.binary, 32);
    memcpy(c.grant_object_ids[0], G.cap_id, 32);
    c.n_grant_object_ids = 1;
    memcpy(c.chk_id, CHK_ID, 16);
    c.chk_id_len = 16;
    c.chk_seq = 42;
    c.present |= FCP_TC_NBF | FCP_TC_IAT | FCP_TC_EXP | FCP_TC_CTI | FCP_TC_GRANT_IDS |
                 FCP_TC_AUD_BINARY | FCP_TC_CHK_ID | FCP_TC_CHK_SEQ;
    fcp_buf_init(&G.token);
    if (fcp_token_mint(&c, G.iss_sk, &G.token) != 0)
        return -1;
    fcp_holder_proof_sign(G.holder_sig, "req-1", "notes_put", c.cti, 16, G.holder_sk);
    fcp_invoke_config_init(&cfg);
    cfg.node_id = "node-exec";
    cfg.node_sk = G.node_sk;
    cfg.owner_pk = G.owner_pk;
    cfg.lookup = &LK;
    cfg.revset = &G.rev;
    memset(hk, 0x5c, 32);
    cfg.hash_key = hk;
    if (fcp_invoke_ctx_new(&G.ctx, &cfg) != 0)
        return -1;
    memset(&zc, 0, sizeof zc);
    zc.zone_id = ZONE;
    zc.policy = &G.policy;
    zc.oid_key = G.oid;
    return fcp_invoke_ctx_add_zone(G.ctx, &zc);
}

static fcp_invoke_plan g_plan;
static fcp_invoke_result g_res;
static uint64_t g_ms = T0 * 1000ull;

static int one_invoke(void)
{
    static const char in[] = "{\"name\":\"bench\",\"text\":\"hello, world\"}";
    static const char out[] = "{\"name\":\"bench\",\"bytes\":12}";
    fcp_invoke_request r;
    fcp_invoke_request_init(&r);
    r.zone_id = ZONE;
    r.connector_id = "fcp.notes";
    r.operation = "notes_put";
    r.input_json = in;
    r.input_len = sizeof in - 1;
    r.token = G.token.data;
    r.token_len = G.token.len;
    r.aud_binary = G.binary;
    r.presenter_node = "node-laptop";
    r.request_id = "req-1";
    r.holder_sig = G.holder_sig;
    if (fcp_invoke_decide(G.ctx, &G.m, &r, g_ms, &g_plan) != 0 || g_plan.verdict != FCP_INVOKE_EXECUTE)
        return -1;
    if (fcp_invoke_complete(G.ctx, &g_plan, 0, out, sizeof out - 1, g_ms, &g_res) != 0 ||
        g_res.receipt.len == 0)
        return -1;
    g_ms += 1; /* the audit chain's time moves with the clock */
    return 0;
}

static uint8_t g_msg[200], g_sig[64];
static int one_ref(void)
{
    uint8_t sig[64];
    int ok = fcp_ed25519_verify(g_sig, g_msg, sizeof g_msg, G.node_pk);
    fcp_ed25519_sign(sig, g_msg, sizeof g_msg, G.node_sk);
    g_msg[0] ^= sig[0] & 0; /* keep the message fixed; use the result */
    g_sink += sig[5] + ok;
    return ok;
}

static int one_verify(void)
{
    g_sink += fcp_ed25519_verify(g_sig, g_msg, sizeof g_msg, G.node_pk);
    return 0;
}

static int one_sign(void)
{
    uint8_t sig[64];
    fcp_ed25519_sign(sig, g_msg, sizeof g_msg, G.node_sk);
    g_sink += sig[3];
    return 0;
}

/* Best per-item seconds of f over batches of n, alternating with ref. */
static void measure(const char *name, int (*f)(void), double *best_f, double *best_r)
{
    const int n = 200;
    double tf = 1e9, tr = 1e9, spent = 0;
    while (spent < g_secs) {
        double a = now();
        for (int i = 0; i < n; i++)
            if (f() != 0) {
                fprintf(stderr, "%s failed\n", name);
                exit(1);
            }
        double b = now();
        for (int i = 0; i < n; i++)
            one_ref();
        double c = now();
        if ((b - a) / n < tf)
            tf = (b - a) / n;
        if ((c - b) / n < tr)
            tr = (c - b) / n;
        spent += c - a;
    }
    *best_f = tf;
    *best_r = tr;
}

int main(void)
{
    const char *e = getenv("BENCH_SECONDS");
    double tf, tr;
    if (e && atof(e) > 0)
        g_secs = atof(e);
    if (fcp_crypto_init() != 0 || setup() != 0) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    memset(g_msg, 0x42, sizeof g_msg);
    fcp_ed25519_sign(g_sig, g_msg, sizeof g_msg, G.node_sk);
    fcp_invoke_plan_init(&g_plan);
    fcp_invoke_result_init(&g_res);
    if (one_invoke() != 0) {
        fprintf(stderr, "pipeline refused the request: %s\n", g_plan.message);
        return 1;
    }
    printf("invoke pipeline (Risky op, decide + complete, no connector call)\n");
    G.preverified = 0;
    measure("cold", one_invoke, &tf, &tr);
    printf("  cold    %8.0f /s  (%.1f us)   ref verify+sign %8.0f /s   ratio %.2f pairs per invoke\n",
           1 / tf, tf * 1e6, 1 / tr, tf / tr);
    G.preverified = 1;
    measure("cached", one_invoke, &tf, &tr);
    printf("  cached  %8.0f /s  (%.1f us)   ref verify+sign %8.0f /s   ratio %.2f pairs per invoke\n",
           1 / tf, tf * 1e6, 1 / tr, tf / tr);
    {
        double tv, ts, tcold = 0, tcached = tf, dummy;
        measure("verify", one_verify, &tv, &dummy);
        measure("sign", one_sign, &ts, &dummy);
        G.preverified = 0;
        measure("cold", one_invoke, &tcold, &dummy);
        printf("  raw verify %.1f us, sign %.1f us: signature floor cold 4V+3S %.1f us (%.0f%% of "
               "cold), cached 2V+3S %.1f us (%.0f%% of cached)\n",
               tv * 1e6, ts * 1e6, (4 * tv + 3 * ts) * 1e6, 100 * (4 * tv + 3 * ts) / tcold,
               (2 * tv + 3 * ts) * 1e6, 100 * (2 * tv + 3 * ts) / tcached);
    }
    fcp_invoke_plan_free(&g_plan);
    fcp_invoke_result_free(&g_res);
    fcp_invoke_ctx_free(G.ctx);
    fcp_revset_free(&G.rev);
    fcp_manifest_free(&G.m);
    fcp_buf_free(&G.token);
    return g_sink == 12345678 ? 2 : 0;
}
