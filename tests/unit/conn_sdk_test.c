/*
 * conn_sdk_test.c - the connector SDK end to end.
 *  1. build/connector-notes (FCP_BUILD, default "build") is spawned by the
 *     host client: handshake, describe, introspect, capabilities, configure,
 *     invoke (put/get/list/delete), simulate, an undeclared operation, a
 *     bad input, health, subscribe, shutdown.  Once without a sandbox, once
 *     under its manifest's strict profile when this kernel allows it
 *     (skipped loudly otherwise).
 *  2. Its embedded .fcp_manifest equals connectors/notes/manifest.toml and
 *     passes the install check with a publisher signature.
 *  3. An in-process connector (fork + fcp_connector_serve) uses the egress
 *     helper and events against a host that answers EgressHttpRequests.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fcp/cbor.h"
#include "fcp/connector.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/host_manifest.h"
#include "fcp/host_sandbox.h"
#include "fcp/host_transport.h"
#include "test.h"

static char g_exe[512];
static unsigned long g_skipped;

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long l = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)l + 1);
    *n = fread(b, 1, (size_t)l, f);
    b[*n] = 0;
    fclose(f);
    return b;
}

static int has_text(const fcp_buf *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, s, n) == 0) return 1;
    return 0;
}

static void rm_state(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "  could not remove %s\n", dir);
}

/* A host-side stand-in for fcpd's state_get / state_put (the notes
 * connector keeps its notes as externalised state, D-RUNTIME-8): one
 * in-memory version whose head id is its counter; a put naming another head
 * is refused with FCP_ESTATE_PREV, like fcpd does. */
typedef struct mem_state {
    fcp_buf  state;
    uint8_t  head[32];
    int      have;
    unsigned puts, gets, refused;
} mem_state;

static int mem_state_request(void *user, fcp_host_conn *hc, const fcp_lt_msg *req, fcp_buf *reply)
{
    mem_state *ms = user;
    (void)hc;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, reply);
    if (fcp_lt_msg_is(req, "state_get")) {
        ms->gets++;
        fcp_cbor_map_open(&e);
        if (ms->have) {
            fcp_cbor_put_cstr(&e, "head");
            fcp_cbor_put_bytes(&e, ms->head, 32);
            fcp_cbor_put_cstr(&e, "state");
            fcp_cbor_put_bytes(&e, ms->state.data, ms->state.len);
        }
        fcp_cbor_map_close(&e);
    } else if (fcp_lt_msg_is(req, "state_put")) {
        const uint8_t *st = NULL, *prev = NULL;
        size_t sl = 0, pl = 0;
        int has_prev = 0;
        fcp_cbor_dec d;
        fcp_cbor_dec_init(&d, req->body, req->body_len, NULL);
        fcp_cbor_map_iter it;
        const char *k;
        size_t kl;
        int rc = fcp_cbor_map_begin(&d, &it);
        while (rc >= 0 && (rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
            if (fcp_cbor_key_is(k, kl, "state")) rc = fcp_cbor_get_bytes(&d, &st, &sl);
            else if (fcp_cbor_key_is(k, kl, "prev")) rc = fcp_cbor_get_bytes(&d, &prev, &pl), has_prev = 1;
            else rc = fcp_cbor_skip(&d);
        }
        if (rc < 0 || !st) {
            fcp_cbor_enc_free(&e);
            return FCP_EINVALID_REQUEST;
        }
        if (has_prev && (ms->have ? pl != 32 || memcmp(prev, ms->head, 32) : pl != 0)) {
            ms->refused++;
            fcp_cbor_enc_free(&e);
            return FCP_ESTATE_PREV;
        }
        fcp_buf_reset(&ms->state);
        fcp_buf_append(&ms->state, st, sl);
        ms->head[0]++;
        ms->have = 1;
        ms->puts++;
        fcp_cbor_map_open(&e);
        fcp_cbor_put_cstr(&e, "head");
        fcp_cbor_put_bytes(&e, ms->head, 32);
        fcp_cbor_map_close(&e);
    } else {
        fcp_cbor_enc_free(&e);
        return fcp_lt_msg_is(req, "event") ? 0 : FCP_EHOST_UNEXPECTED;
    }
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

static void notes_session(const fcp_manifest_sandbox *sb, const char *label)
{
    mem_state ms;
    memset(&ms, 0, sizeof ms);
    fcp_buf_init(&ms.state);
    char state[256];
    snprintf(state, sizeof state, "/tmp/fcp-conn-sdk-test-%d-%s", (int)getpid(), label);
    fcp_host_spawn_opts o = {g_exe, NULL, state, sb, 0};
    fcp_host_conn c;
    int rc = fcp_host_spawn(&c, &o);
    if (!CHECK_EQ(rc, 0)) {
        fprintf(stderr, "  spawn (%s): %s\n", label, c.why);
        rm_state(state);
        return;
    }
    c.on_request = mem_state_request;
    c.user = &ms;
    fcp_buf r;
    fcp_buf_init(&r);
    /* before the handshake only health/shutdown are answered */
    CHECK_EQ(fcp_host_call(&c, "describe", NULL, 0, 3000, &r), FCP_EHOST_STATE);
    CHECK_EQ(fcp_host_handshake(&c, "z:private", "fcp.notes", 3000, &r), 0);
    CHECK(has_text(&r, "fcp2-local/1"));
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_call(&c, "describe", NULL, 0, 3000, &r), 0);
    CHECK(has_text(&r, "Notes"));
    /* the manifest in describe hashes to the golden value's manifest */
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_call(&c, "introspect", NULL, 0, 3000, &r), 0);
    CHECK(has_text(&r, "notes_put") && has_text(&r, "dangerous"));
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_call(&c, "capabilities", NULL, 0, 3000, &r), 0);
    CHECK(has_text(&r, "storage.persistent"));
    fcp_buf_reset(&r);
    static const uint8_t empty_map = 0xa0;
    CHECK_EQ(fcp_host_call(&c, "configure", &empty_map, 1, 3000, &r), 0);
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_invoke(&c, NULL, "notes_put", "{\"name\":\"groceries\",\"text\":\"eggs, milk\"}", 3000, &r), 0);
    CHECK(has_text(&r, "\"bytes\":10"));
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_invoke(&c, NULL, "notes_get", "{\"name\":\"groceries\"}", 3000, &r), 0);
    CHECK(has_text(&r, "eggs, milk"));
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_invoke(&c, NULL, "notes_list", "{}", 3000, &r), 0);
    CHECK(has_text(&r, "groceries"));
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_invoke(&c, "simulate", "notes_delete", "{\"name\":\"groceries\"}", 3000, &r), 0);
    CHECK(has_text(&r, "would_invoke") && has_text(&r, "dangerous"));
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_invoke(&c, NULL, "notes_delete", "{\"name\":\"groceries\"}", 3000, &r), 0);
    CHECK(has_text(&r, "\"deleted\":true"));
    /* the notes live in the host's state, not in the state dir: read at
     * configure, one write per put and per delete */
    CHECK_EQ(ms.gets, 1);
    CHECK_EQ(ms.puts, 2);
    CHECK(ms.state.len == 2 && !memcmp(ms.state.data, "{}", 2));
    /* a head changed behind the connector's back: its write is refused and it
     * reloads, so the next write succeeds and sees the other note */
    fcp_buf_reset(&ms.state);
    fcp_buf_append(&ms.state, "{\"other\":\"x\"}", 13);
    ms.head[1]++;
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_invoke(&c, NULL, "notes_put", "{\"name\":\"a\",\"text\":\"1\"}", 3000, &r), FCP_ESTATE_PREV);
    CHECK_EQ(ms.refused, 1);
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_invoke(&c, NULL, "notes_put", "{\"name\":\"a\",\"text\":\"1\"}", 3000, &r), 0);
    CHECK(ms.state.len == 21 && !memcmp(ms.state.data, "{\"a\":\"1\",\"other\":\"x\"}", 21));
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_invoke(&c, NULL, "notes_get", "{\"name\":\"groceries\"}", 3000, &r), FCP_ENOENT);
    CHECK(strstr(c.why, "groceries") != NULL);
    CHECK_EQ(fcp_host_invoke(&c, NULL, "notes_get", "{\"name\":\"../../etc/passwd\"}", 3000, &r), FCP_EINVALID_REQUEST);
    CHECK_EQ(fcp_host_invoke(&c, NULL, "rm_rf", "{}", 3000, &r), FCP_EHOST_UNKNOWN_OP);
    CHECK_EQ(fcp_host_call(&c, "teleport", NULL, 0, 3000, &r), FCP_EHOST_UNEXPECTED);
    CHECK(!c.dead); /* errors are answers, not transport failures */
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_call(&c, "health", NULL, 0, 3000, &r), 0);
    CHECK(has_text(&r, "ready"));
    fcp_buf_free(&r);
    fcp_host_close(&c, 2000);
    CHECK_EQ(c.pid, 0);
    /* clean shutdown: exit status 0 */
    CHECK(c.exit_status == 0);
    fcp_buf_free(&ms.state);
    rm_state(state);
}

/* A relative binary path works although the child changes into its state
 * directory before exec; a missing binary is refused at spawn. */
static void test_spawn_paths(void)
{
    const char *b = getenv("FCP_BUILD");
    char rel[300], state[256];
    snprintf(rel, sizeof rel, "%s/connector-notes", b && *b ? b : "build");
    snprintf(state, sizeof state, "/tmp/fcp-conn-sdk-test-%d-rel", (int)getpid());
    fcp_host_spawn_opts o = {rel, NULL, state, NULL, 0};
    fcp_host_conn c;
    if (CHECK_EQ(fcp_host_spawn(&c, &o), 0)) {
        CHECK_EQ(fcp_host_handshake(&c, NULL, "fcp.notes", 3000, NULL), 0);
        fcp_host_close(&c, 2000);
        CHECK_EQ(c.exit_status, 0);
    }
    rm_state(state);
    fcp_host_spawn_opts missing = {"/nonexistent/connector-x", NULL, NULL, NULL, 0};
    CHECK_EQ(fcp_host_spawn(&c, &missing), FCP_EHOST_SPAWN);
    CHECK(strstr(c.why, "not found") != NULL);
}

static void test_notes(void)
{
    test_spawn_paths();
    notes_session(NULL, "plain");
    size_t n;
    uint8_t *t = slurp("connectors/notes/manifest.toml", &n);
    fcp_manifest m;
    CHECK(t != NULL);
    if (!t) return;
    CHECK_EQ(fcp_manifest_parse(&m, "notes", (const char *)t, n, NULL), 0);
    fcp_sandbox_probe p;
    CHECK_EQ(fcp_sandbox_probe_features(&p), 0);
    if ((p.features & FCP_SBX_ALL) == FCP_SBX_ALL) {
        notes_session(&m.sandbox, "strict");
    } else {
        printf("SKIP: notes under the strict sandbox: kernel lacks features (%s)\n", p.detail);
        g_skipped++;
        /* strict must be refused, not weakened */
        fcp_host_spawn_opts o = {g_exe, NULL, NULL, &m.sandbox, 0};
        fcp_host_conn c;
        CHECK_EQ(fcp_host_spawn(&c, &o), FCP_EHOST_SANDBOX_UNAVAILABLE);
    }
    /* embedded manifest == installed manifest; install check with a signature */
    size_t bl;
    uint8_t *bin = slurp(g_exe, &bl);
    CHECK(bin != NULL);
    if (bin) {
        const uint8_t *sec;
        size_t sl;
        CHECK_EQ(fcp_elf_find_manifest(bin, bl, &sec, &sl), 0);
        CHECK_EQ(sl, n);
        if (sl == n) CHECK_MEM(sec, t, n);
        uint8_t seed[32], pk[32], sk[64], mh[32], bh[32], sig[64];
        for (int i = 0; i < 32; i++) seed[i] = (uint8_t)(0xa0 + i);
        fcp_ed25519_keypair_from_seed(pk, sk, seed);
        fcp_manifest_hash(&m, mh);
        fcp_manifest_binary_hash(bin, bl, bh);
        fcp_manifest_sign(sig, mh, bh, sk);
        fcp_toml_error err;
        CHECK_EQ(fcp_manifest_verify_install(&m, bin, bl, sig, pk, &err), 0);
        free(bin);
    }
    fcp_manifest_free(&m);
    free(t);
}

/* ---- in-process connector using the egress helper and events ------------ */

static const char MAN[] =
    "[manifest]\nformat = \"fcp-connector-manifest\"\nschema_version = \"2.0\"\n"
    "[connector]\nid = \"fcp.sdktest\"\nname = \"SDK test\"\nversion = \"0.0.1\"\n"
    "archetypes = [\"operational\"]\n"
    "publisher_key = \"4fd099ccd47d7893dfe9ec24414ecb0d9b5420232aad30d91c465be33cbe65c4\"\n"
    "[capabilities]\nrequired = [\"network.egress\"]\n"
    "[provides.operations.fetch]\ncapability = \"t.fetch\"\nsafety_tier = \"risky\"\n"
    "input_schema = '{}'\noutput_schema = '{}'\n"
    "[sandbox]\nprofile = \"moderate\"\nmemory_mb = 64\nwall_clock_timeout_ms = 1000\n";

static int op_fetch(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *out)
{
    (void)in;
    (void)n;
    fcp_egress_request req;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.method_len = 3;
    req.url = "https://api.example.com/v1/items";
    req.url_len = strlen(req.url);
    req.has_credential = 1;
    req.credential = "cred:example.token";
    req.credential_len = strlen(req.credential);
    fcp_conn_emit_event(c, "progress", "{\"step\":1}");
    fcp_egress_response resp;
    fcp_buf st;
    fcp_buf_init(&st);
    int rc = fcp_egress_http(c, &req, &resp, &st);
    if (rc == 0) {
        char tmp[128];
        snprintf(tmp, sizeof tmp, "{\"status\":%u,\"len\":%zu}", resp.status, resp.body_len);
        fcp_buf_append(out, tmp, strlen(tmp));
    }
    fcp_buf_free(&st);
    return rc;
}

static int events_seen, egress_seen;
static int host_side(void *user, fcp_host_conn *c, const fcp_lt_msg *req, fcp_buf *reply)
{
    (void)user;
    (void)c;
    if (fcp_lt_msg_is(req, "event")) {
        events_seen++;
        return 0;
    }
    fcp_egress_request r;
    if (fcp_egress_request_decode(&r, req->body, req->body_len) < 0) return FCP_EINVALID_REQUEST;
    egress_seen++;
    CHECK(r.has_credential && r.credential_len == 18);
    fcp_egress_response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = 200;
    resp.body = (const uint8_t *)"[1,2,3]";
    resp.body_len = 7;
    return fcp_egress_response_encode(&resp, reply);
}

static void test_in_process(void)
{
    static const fcp_conn_op ops[] = {{"fetch", op_fetch, NULL}};
    int sv[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        fcp_connector_def d = {MAN, sizeof MAN - 1, ops, 1, NULL, NULL};
        _exit(fcp_connector_serve(&d, sv[1]));
    }
    setpgid(pid, pid);
    close(sv[1]);
    fcp_host_conn c;
    CHECK_EQ(fcp_host_attach(&c, sv[0], pid, 0), 0);
    c.on_request = host_side;
    fcp_buf r;
    fcp_buf_init(&r);
    CHECK_EQ(fcp_host_handshake(&c, NULL, "fcp.sdktest", 3000, NULL), 0);
    /* subscribe: body {"topic": "progress"} */
    static const uint8_t sub[] = {0xa1, 0x65, 't', 'o', 'p', 'i', 'c', 0x68, 'p', 'r', 'o', 'g', 'r', 'e', 's', 's'};
    CHECK_EQ(fcp_host_call(&c, "subscribe", sub, sizeof sub, 3000, &r), 0);
    fcp_buf_reset(&r);
    CHECK_EQ(fcp_host_invoke(&c, NULL, "fetch", "{}", 3000, &r), 0);
    CHECK(has_text(&r, "\"status\":200,\"len\":7"));
    CHECK_EQ(events_seen, 1);
    CHECK_EQ(egress_seen, 1);
    fcp_buf_free(&r);
    fcp_host_close(&c, 2000);
    CHECK_EQ(c.exit_status, 0);

    /* a connector whose op table names an undeclared operation refuses to run */
    static const fcp_conn_op bad[] = {{"undeclared", op_fetch, NULL}};
    fcp_connector_def d = {MAN, sizeof MAN - 1, bad, 1, NULL, NULL};
    CHECK_EQ(fcp_connector_serve(&d, -1), 1);
}

/* build/connector-http under strict: its request reaches the host as an
 * EgressHttpRequest naming the credential; a proxy refusal comes back as
 * the operation's error. */
static int http_host(void *user, fcp_host_conn *c, const fcp_lt_msg *req, fcp_buf *reply)
{
    (void)c;
    int *mode = user;
    if (!fcp_lt_msg_is(req, "egress_http")) return FCP_EHOST_UNEXPECTED;
    fcp_egress_request r;
    int rc = fcp_egress_request_decode(&r, req->body, req->body_len);
    if (rc < 0) return rc;
    CHECK(r.has_credential && r.credential_len == 14 && memcmp(r.credential, "cred:api.token", 14) == 0);
    if (*mode == 1) return FCP_ECAP_DENIED;
    fcp_egress_response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = 201;
    resp.body = (const uint8_t *)"{\"ok\":true}";
    resp.body_len = 11;
    return fcp_egress_response_encode(&resp, reply);
}

static void test_http(void)
{
    char exe[600];
    snprintf(exe, sizeof exe, "%.*s/connector-http", (int)(strlen(g_exe) - strlen("/connector-notes")), g_exe);
    struct stat st;
    if (stat(exe, &st) != 0) {
        printf("SKIP: %s not built\n", exe);
        g_skipped++;
        return;
    }
    size_t n;
    uint8_t *t = slurp("connectors/http/manifest.toml", &n);
    fcp_manifest m;
    CHECK(t && fcp_manifest_parse(&m, "http", (const char *)t, n, NULL) == 0);
    free(t);
    fcp_sandbox_probe p;
    fcp_sandbox_probe_features(&p);
    int strict = (p.features & FCP_SBX_ALL) == FCP_SBX_ALL;
    if (!strict) {
        printf("SKIP: http connector under strict: %s (ran unsandboxed)\n", p.detail);
        g_skipped++;
    }
    fcp_host_spawn_opts o = {exe, NULL, NULL, strict ? &m.sandbox : NULL, 0};
    fcp_host_conn c;
    int mode = 0;
    if (CHECK_EQ(fcp_host_spawn(&c, &o), 0)) {
        c.on_request = http_host;
        c.user = &mode;
        fcp_buf r;
        fcp_buf_init(&r);
        CHECK_EQ(fcp_host_handshake(&c, NULL, "fcp.http", 3000, NULL), 0);
        static const char in[] = "{\"method\":\"POST\",\"url\":\"https://api.example.com/v1/x\","
                                 "\"credential_id\":\"cred:api.token\",\"body\":\"{}\"}";
        CHECK_EQ(fcp_host_invoke(&c, NULL, "http_request", in, 3000, &r), 0);
        CHECK(has_text(&r, "\"status\":201"));
        mode = 1;
        CHECK_EQ(fcp_host_invoke(&c, NULL, "http_request", in, 3000, &r), FCP_ECAP_DENIED);
        CHECK(strstr(c.why, "egress refused") != NULL);
        fcp_buf_free(&r);
        fcp_host_close(&c, 2000);
        CHECK_EQ(c.exit_status, 0);
    }
    fcp_manifest_free(&m);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    fcp_crypto_init();
    const char *b = getenv("FCP_BUILD");
    snprintf(g_exe, sizeof g_exe, "%s/%s/connector-notes", getcwd((char[400]){0}, 400), b && *b ? b : "build");
    struct stat st;
    if (stat(g_exe, &st) != 0) {
        printf("SKIP: %s not built\n", g_exe);
        g_skipped++;
    } else {
        test_notes();
        test_http();
    }
    test_in_process();
    if (g_skipped) printf("conn_sdk_test: %lu skipped\n", g_skipped);
    return fcp_t_done("conn_sdk_test");
}
