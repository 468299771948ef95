/*
 * host_mcp_test.c - the MCP bridge engine (src/host/host_mcp.c) against a
 * fake fcpd: initialize negotiation, tools/list content and the annotations
 * each safety tier gives, tools/call success and denial, the exact JSON-RPC
 * error for each kind of malformed message, and the line splitter's limit;
 * then the golden session conformance/golden/mcp/d-mcp-transcript.json
 * (D-MCP-1..8, written by gen_mcp_golden.py): exact fcpd request bytes and
 * the MCP answers compared as JSON.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fcp/admin.h"
#include "fcp/authz_token.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/host_mcp.h"
#include "test.h"

/* ---- fake daemon --------------------------------------------------------- */

typedef struct fake {
    int      calls, connectors_calls, invoke_calls;
    int      fail_transport;       /* return FCP_EADMIN_CONNECT */
    int      refuse_connectors;    /* {ok:false} to "connectors" */
    int      garbage;              /* answer bytes that are not CBOR */
    /* last invoke request */
    char     connector[64], operation[64], input[512], idem[64];
    uint8_t  token[512];
    size_t   token_len;
    int      simulate, n_approvals;
} fake;

static const uint8_t TOKEN[] = { 0x84, 0x40, 0xa0, 0x40, 0x40, 0x01, 0x02 };  /* opaque to the bridge */

static void put_op(fcp_cbor_enc *e, const char *name, const char *tier, int idem, int appr, const char *schema,
                   const char *rate, const char *cap)
{
    fcp_cbor_map_open(e);
    fcp_cbor_put_cstr(e, "name");
    fcp_cbor_put_cstr(e, name);
    fcp_cbor_put_cstr(e, "description");
    fcp_cbor_put_cstr(e, "does something");
    fcp_cbor_put_cstr(e, "tier");
    fcp_cbor_put_cstr(e, tier);
    fcp_cbor_put_cstr(e, "idempotent");
    fcp_cbor_put_bool(e, idem);
    fcp_cbor_put_cstr(e, "requires_approval");
    fcp_cbor_put_bool(e, appr);
    fcp_cbor_put_cstr(e, "input_schema");
    fcp_cbor_put_cstr(e, schema);
    if (rate) {
        fcp_cbor_put_cstr(e, "rate_limit");
        fcp_cbor_put_cstr(e, rate);
    }
    fcp_cbor_put_cstr(e, "capability");
    fcp_cbor_put_cstr(e, cap);
    fcp_cbor_put_cstr(e, "future_field");   /* unknown fields are skipped */
    fcp_cbor_put_uint(e, 7);
    fcp_cbor_map_close(e);
}

static void connectors_answer(fcp_buf *out)
{
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "ok");
    fcp_cbor_put_bool(&e, 1);
    fcp_cbor_put_cstr(&e, "connectors");
    fcp_cbor_put_array(&e, 2);
    /* fcp.notes, active */
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "id");
    fcp_cbor_put_cstr(&e, "fcp.notes");
    fcp_cbor_put_cstr(&e, "version");
    fcp_cbor_put_cstr(&e, "0.1.0");
    fcp_cbor_put_cstr(&e, "state");
    fcp_cbor_put_cstr(&e, "active");
    fcp_cbor_put_cstr(&e, "description");
    fcp_cbor_put_cstr(&e, "notes");
    fcp_cbor_put_cstr(&e, "operations");
    fcp_cbor_put_array(&e, 6);
    put_op(&e, "notes_get", "safe", 0, 0, "{\"type\":\"object\",\"required\":[\"name\"]}", NULL, "notes.read");
    put_op(&e, "notes_put", "risky", 1, 0, "{\"required\":[\"name\",\"text\"]}", "60/min", "notes.write");
    put_op(&e, "notes_delete", "dangerous", 1, 1, "{\"type\":\"object\"}", NULL, "notes.delete");
    put_op(&e, "notes_nuke", "forbidden", 0, 0, "{\"type\":\"object\"}", NULL, "notes.nuke");
    put_op(&e, "odd op!", "safe", 0, 0, "[1,2]", NULL, "notes.read");     /* bad schema, bad name chars */
    put_op(&e, "bad_props", "safe", 0, 0, "{\"type\":\"object\",\"properties\":{\"a\":1}}", NULL, "notes.read");
    fcp_cbor_map_close(&e);
    /* other.conn, stopped: not listed, still callable */
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "id");
    fcp_cbor_put_cstr(&e, "other.conn");
    fcp_cbor_put_cstr(&e, "version");
    fcp_cbor_put_cstr(&e, "1.0.0");
    fcp_cbor_put_cstr(&e, "state");
    fcp_cbor_put_cstr(&e, "stopped");
    fcp_cbor_put_cstr(&e, "description");
    fcp_cbor_put_cstr(&e, "");
    fcp_cbor_put_cstr(&e, "operations");
    fcp_cbor_put_array(&e, 1);
    put_op(&e, "ping", "safe", 1, 0, "{}", NULL, "other.ping");
    fcp_cbor_map_close(&e);
    fcp_cbor_map_close(&e);
    fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
}

static void copy_text(fcp_cbor_dec *d, char *dst, size_t cap)
{
    const char *s;
    size_t n;
    if (fcp_cbor_get_text(d, &s, &n) == 0 && n < cap) {
        memcpy(dst, s, n);
        dst[n] = 0;
    }
}

static int fake_daemon(void *ctx, const uint8_t *req, size_t len, fcp_buf *resp)
{
    fake *f = ctx;
    f->calls++;
    fcp_buf_reset(resp);
    if (f->fail_transport)
        return FCP_EADMIN_CONNECT;
    if (f->garbage) {
        fcp_buf_append(resp, "\xff\x00garbage", 9);
        return 0;
    }
    CHECK_EQ(fcp_cbor_validate(req, len, NULL), 0);   /* the bridge sends canonical CBOR */
    const char *op = NULL;
    size_t opl = 0;
    CHECK_EQ(fcp_admin_resp_text(req, len, "op", &op, &opl), 1);
    if (op && opl == 10 && memcmp(op, "connectors", 10) == 0) {
        f->connectors_calls++;
        if (f->refuse_connectors) {
            fcp_admin_error_encode(resp, FCP_EADMIN_UNKNOWN_OP, "op connectors");
            return 0;
        }
        connectors_answer(resp);
        return 0;
    }
    CHECK(op && opl == 6 && memcmp(op, "invoke", 6) == 0);
    f->invoke_calls++;
    f->idem[0] = 0;
    f->simulate = -1;
    f->n_approvals = 0;
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, req, len, NULL);
    fcp_cbor_map_iter it;
    fcp_cbor_map_begin(&d, &it);
    const char *k;
    size_t kl;
    while (fcp_cbor_map_next_text_key(&d, &it, &k, &kl) > 0) {
        if (fcp_cbor_key_is(k, kl, "connector")) copy_text(&d, f->connector, sizeof f->connector);
        else if (fcp_cbor_key_is(k, kl, "operation")) copy_text(&d, f->operation, sizeof f->operation);
        else if (fcp_cbor_key_is(k, kl, "input")) copy_text(&d, f->input, sizeof f->input);
        else if (fcp_cbor_key_is(k, kl, "idempotency_key")) copy_text(&d, f->idem, sizeof f->idem);
        else if (fcp_cbor_key_is(k, kl, "simulate")) fcp_cbor_get_bool(&d, &f->simulate);
        else if (fcp_cbor_key_is(k, kl, "approvals")) {
            uint64_t n = 0;
            fcp_cbor_get_array(&d, &n);
            f->n_approvals = (int)n;
            for (uint64_t i = 0; i < n; i++)
                fcp_cbor_skip(&d);
        } else if (fcp_cbor_key_is(k, kl, "token")) {
            const uint8_t *b;
            size_t bl;
            if (fcp_cbor_get_bytes(&d, &b, &bl) == 0 && bl <= sizeof f->token) {
                memcpy(f->token, b, bl);
                f->token_len = bl;
            }
        } else fcp_cbor_skip(&d);
    }
    CHECK_EQ(fcp_cbor_dec_finish(&d), 0);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, resp);
    fcp_cbor_map_open(&e);
    if (strcmp(f->operation, "notes_delete") == 0) {
        fcp_cbor_put_cstr(&e, "ok");
        fcp_cbor_put_bool(&e, 0);
        fcp_cbor_put_cstr(&e, "code");
        fcp_cbor_put_cstr(&e, "FCP-3005");
        fcp_cbor_put_cstr(&e, "error");
        fcp_cbor_put_cstr(&e, "operation not granted");
        fcp_cbor_put_cstr(&e, "detail");
        fcp_cbor_put_cstr(&e, "token has no notes.delete");
        fcp_cbor_put_cstr(&e, "decision_receipt");
        fcp_cbor_put_bytes(&e, "\xab\xcd", 2);
    } else {
        uint8_t rid[32];
        memset(rid, 0x5a, sizeof rid);
        fcp_cbor_put_cstr(&e, "ok");
        fcp_cbor_put_bool(&e, 1);
        fcp_cbor_put_cstr(&e, "output");
        fcp_cbor_put_cstr(&e, strcmp(f->operation, "notes_get") == 0 ? "{\"name\":\"a\",\"text\":\"hi\"}" : "[1]");
        fcp_cbor_put_cstr(&e, "receipt_id");
        fcp_cbor_put_bytes(&e, rid, 32);
        fcp_cbor_put_cstr(&e, "receipt");
        fcp_cbor_put_bytes(&e, "\x01", 1);
    }
    fcp_cbor_map_close(&e);
    fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

static fcp_mcp *engine(fake *f)
{
    memset(f, 0, sizeof *f);
    fcp_mcp_config cfg = { .token = TOKEN, .token_len = sizeof TOKEN, .daemon = fake_daemon,
                           .daemon_ctx = f, .server_version = "9.9.9" };
    fcp_mcp *m = NULL;
    CHECK_EQ(fcp_mcp_new(&m, &cfg), 0);
    return m;
}

/* Send one line, expect exactly one response line; returns it parsed (or NULL). */
static json_t *rpc(fcp_mcp *m, const char *line)
{
    fcp_buf out;
    fcp_buf_init(&out);
    CHECK_EQ(fcp_mcp_handle_line(m, line, strlen(line), &out), 0);
    json_t *v = NULL;
    if (CHECK(out.len > 0 && out.data[out.len - 1] == '\n')) {
        CHECK(memchr(out.data, '\n', out.len) == out.data + out.len - 1);   /* one line */
        v = json_loadb((const char *)out.data, out.len, 0, NULL);
        CHECK(v != NULL);
    }
    fcp_buf_free(&out);
    return v;
}

static void no_answer(fcp_mcp *m, const char *line)
{
    fcp_buf out;
    fcp_buf_init(&out);
    CHECK_EQ(fcp_mcp_handle_line(m, line, strlen(line), &out), 0);
    CHECK_EQ(out.len, 0);
    fcp_buf_free(&out);
}

static json_int_t err_code(json_t *v)
{
    return json_integer_value(json_object_get(json_object_get(v, "error"), "code"));
}

static const char *fcp_code(json_t *v)
{
    const char *s = json_string_value(
        json_object_get(json_object_get(json_object_get(v, "error"), "data"), "fcp_code"));
    return s ? s : "";
}

static void expect_error(fcp_mcp *m, const char *line, int code, const char *fcode, int id_null)
{
    json_t *v = rpc(m, line);
    if (!v)
        return;
    if (!CHECK_EQ(err_code(v), code) || !CHECK(strcmp(fcp_code(v), fcode) == 0))
        fprintf(stderr, "  for %s\n", line);
    CHECK(!json_object_get(v, "result"));
    CHECK(strcmp(json_string_value(json_object_get(v, "jsonrpc")), "2.0") == 0);
    if (id_null)
        CHECK(json_is_null(json_object_get(v, "id")));
    json_decref(v);
}

static void init(fcp_mcp *m, const char *ver)
{
    char line[256];
    snprintf(line, sizeof line,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\","
             "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
             ver);
    json_t *v = rpc(m, line);
    json_decref(v);
    no_answer(m, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
}

static json_t *find_tool(json_t *tools, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(tools, i, t) if (strcmp(json_string_value(json_object_get(t, "name")), name) == 0) return t;
    return NULL;
}

static int hint(json_t *tool, const char *h)
{
    json_t *v = json_object_get(json_object_get(tool, "annotations"), h);
    return v ? json_is_true(v) : -1;
}

/* ---- tests --------------------------------------------------------------- */

static void test_new(void)
{
    fake f;
    fcp_mcp *m = NULL;
    fcp_mcp_config cfg = { .daemon = fake_daemon, .daemon_ctx = &f };
    CHECK_EQ(fcp_mcp_new(&m, &cfg), FCP_EMCP_NO_TOKEN);
    CHECK(m == NULL);
    cfg.token = TOKEN;
    cfg.token_len = sizeof TOKEN;
    cfg.daemon = NULL;
    CHECK_EQ(fcp_mcp_new(&m, &cfg), FCP_EINVAL);
    fcp_mcp_free(NULL);
}

static void test_initialize(void)
{
    fake f;
    fcp_mcp *m = engine(&f);
    /* before initialize: ping works, the tools methods do not */
    json_t *v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}");
    CHECK(v && json_is_object(json_object_get(v, "result")) && json_object_size(json_object_get(v, "result")) == 0);
    CHECK(v && strcmp(json_string_value(json_object_get(v, "id")), "p") == 0);
    json_decref(v);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", -32600, "FCP-5408", 0);
    CHECK_EQ(f.calls, 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":{}}", -32602, "FCP-5406", 0);

    /* a version we speak is echoed */
    v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
               "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}}");
    json_t *r = json_object_get(v, "result");
    CHECK_EQ(json_integer_value(json_object_get(v, "id")), 7);
    CHECK(strcmp(json_string_value(json_object_get(r, "protocolVersion")), "2025-06-18") == 0);
    CHECK(json_is_false(json_object_get(json_object_get(json_object_get(r, "capabilities"), "tools"), "listChanged")));
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(r, "serverInfo"), "name")), "fcp") == 0);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(r, "serverInfo"), "version")), "9.9.9") == 0);
    json_decref(v);
    /* twice is refused */
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}",
                 -32600, "FCP-5408", 0);
    fcp_mcp_free(m);

    /* an unknown version gets our latest; each supported one is echoed */
    const char *asks[] = { "1999-01-01", "2025-11-25", "2025-03-26", "2024-11-05" };
    const char *gets[] = { FCP_MCP_LATEST_VERSION, "2025-11-25", "2025-03-26", "2024-11-05" };
    for (size_t i = 0; i < 4; i++) {
        m = engine(&f);
        char line[200];
        snprintf(line, sizeof line,
                 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\"}}",
                 asks[i]);
        v = rpc(m, line);
        CHECK(v && strcmp(json_string_value(json_object_get(json_object_get(v, "result"), "protocolVersion")),
                          gets[i]) == 0);
        json_decref(v);
        fcp_mcp_free(m);
    }
}

static void test_tools_list(void)
{
    fake f;
    fcp_mcp *m = engine(&f);
    init(m, "2025-11-25");
    json_t *v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\",\"params\":{}}");
    json_t *tools = json_object_get(json_object_get(v, "result"), "tools");
    CHECK_EQ(f.connectors_calls, 1);
    /* active connector, not forbidden: get, put, delete, the odd one, bad_props; never nuke or the stopped one */
    CHECK_EQ(json_array_size(tools), 5);
    CHECK(find_tool(tools, "fcp.notes.notes_nuke") == NULL);
    CHECK(find_tool(tools, "other.conn.ping") == NULL);
    json_t *get = find_tool(tools, "fcp.notes.notes_get");
    json_t *put = find_tool(tools, "fcp.notes.notes_put");
    json_t *del = find_tool(tools, "fcp.notes.notes_delete");
    json_t *odd = find_tool(tools, "fcp.notes.odd_op_");
    json_t *bp = find_tool(tools, "fcp.notes.bad_props");
    CHECK(get && put && del && odd && bp);
    if (get && put && del && odd && bp) {
        /* tiers -> hints */
        CHECK_EQ(hint(get, "readOnlyHint"), 1);
        CHECK_EQ(hint(get, "destructiveHint"), 0);
        CHECK_EQ(hint(get, "idempotentHint"), 0);
        CHECK_EQ(hint(put, "readOnlyHint"), 0);
        CHECK_EQ(hint(put, "destructiveHint"), 0);
        CHECK_EQ(hint(put, "idempotentHint"), 1);
        CHECK_EQ(hint(del, "readOnlyHint"), 0);
        CHECK_EQ(hint(del, "destructiveHint"), 1);
        CHECK_EQ(hint(del, "idempotentHint"), 1);
        /* schemas: kept, "type" added, replaced when unusable */
        json_t *gs = json_object_get(get, "inputSchema");
        CHECK(strcmp(json_string_value(json_object_get(gs, "type")), "object") == 0);
        CHECK(strcmp(json_string_value(json_array_get(json_object_get(gs, "required"), 0)), "name") == 0);
        json_t *ps = json_object_get(put, "inputSchema");
        CHECK(strcmp(json_string_value(json_object_get(ps, "type")), "object") == 0);
        CHECK_EQ(json_array_size(json_object_get(ps, "required")), 2);
        json_t *os = json_object_get(odd, "inputSchema");
        CHECK(json_object_size(os) == 1 && strcmp(json_string_value(json_object_get(os, "type")), "object") == 0);
        CHECK_EQ(json_object_size(json_object_get(bp, "inputSchema")), 1);
        /* description carries rate limit, capability, approval */
        const char *pd = json_string_value(json_object_get(put, "description"));
        CHECK(pd && strstr(pd, "does something") && strstr(pd, "rate limit 60/min") && strstr(pd, "risky tier") &&
              strstr(pd, "capability notes.write"));
        const char *dd = json_string_value(json_object_get(del, "description"));
        CHECK(dd && strstr(dd, "requires an approval token") && strstr(dd, "dangerous tier"));
        CHECK(pd && !strstr(pd, "approval"));
        json_t *meta = json_object_get(put, "_meta");
        CHECK(strcmp(json_string_value(json_object_get(meta, "fcp/connector")), "fcp.notes") == 0);
        CHECK(strcmp(json_string_value(json_object_get(meta, "fcp/operation")), "notes_put") == 0);
        CHECK(strcmp(json_string_value(json_object_get(meta, "fcp/tier")), "risky") == 0);
    }
    json_decref(v);
    /* a cursor we never gave out */
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\",\"params\":{\"cursor\":\"x\"}}", -32602,
                 "FCP-5406", 0);
    /* daemon unreachable, refusing or babbling: -32603, never a crash */
    f.fail_transport = 1;
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}", -32603, "FCP-5409", 0);
    f.fail_transport = 0;
    f.refuse_connectors = 1;
    v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/list\"}");
    CHECK_EQ(err_code(v), -32603);
    char want[16];
    fcp_error_code(FCP_EADMIN_UNKNOWN_OP, want, sizeof want);
    CHECK(strcmp(fcp_code(v), want) == 0);   /* the daemon's own code is passed on */
    json_decref(v);
    f.refuse_connectors = 0;
    f.garbage = 1;
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}", -32603, "FCP-5409", 0);
    fcp_mcp_free(m);

    /* tool names: '.' kept, other characters replaced, 128-byte cap */
    char name[FCP_MCP_TOOL_NAME_MAX + 1], longop[300];
    fcp_mcp_tool_name(name, "a.b", 3, "c d/é", strlen("c d/é"));
    CHECK(strcmp(name, "a.b.c_d___") == 0);
    memset(longop, 'x', sizeof longop - 1);
    longop[sizeof longop - 1] = 0;
    fcp_mcp_tool_name(name, "c", 1, longop, strlen(longop));
    CHECK_EQ(strlen(name), FCP_MCP_TOOL_NAME_MAX);
}

static void test_tools_call(void)
{
    fake f;
    fcp_mcp *m = engine(&f);
    init(m, FCP_MCP_LATEST_VERSION);
    /* success: output text, structuredContent (object), receipt id */
    json_t *v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/call\",\"params\":{\"name\":"
                       "\"fcp.notes.notes_get\",\"arguments\":{\"name\":\"a\"}}}");
    json_t *r = json_object_get(v, "result");
    CHECK_EQ(f.invoke_calls, 1);
    CHECK(strcmp(f.connector, "fcp.notes") == 0 && strcmp(f.operation, "notes_get") == 0);
    CHECK(strcmp(f.input, "{\"name\":\"a\"}") == 0);
    CHECK_EQ(f.token_len, sizeof TOKEN);
    CHECK_MEM(f.token, TOKEN, sizeof TOKEN);
    CHECK_EQ(f.simulate, -1);
    CHECK(f.idem[0] == 0);
    CHECK(json_is_false(json_object_get(r, "isError")));
    json_t *c0 = json_array_get(json_object_get(r, "content"), 0);
    CHECK(strcmp(json_string_value(json_object_get(c0, "type")), "text") == 0);
    CHECK(strcmp(json_string_value(json_object_get(c0, "text")), "{\"name\":\"a\",\"text\":\"hi\"}") == 0);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(r, "structuredContent"), "text")), "hi") == 0);
    const char *rid = json_string_value(json_object_get(json_object_get(r, "_meta"), "fcp/receipt_id"));
    CHECK(rid && strlen(rid) == 64 && strncmp(rid, "5a5a", 4) == 0);
    json_decref(v);

    /* output that is not an object: text only; no arguments means {} */
    v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{\"name\":\"fcp.notes.notes_put\","
               "\"_meta\":{\"progressToken\":1,\"fcp/idempotency_key\":\"k1\",\"fcp/simulate\":false,"
               "\"fcp/approvals\":[\"abcd\",\"01\"]}}}");
    r = json_object_get(v, "result");
    CHECK(strcmp(f.input, "{}") == 0);
    CHECK(strcmp(f.idem, "k1") == 0);
    CHECK_EQ(f.simulate, 0);
    CHECK_EQ(f.n_approvals, 2);
    CHECK(json_object_get(r, "structuredContent") == NULL);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(json_object_get(r, "content"), 0), "text")), "[1]") == 0);
    json_decref(v);

    /* denial: a tool result with isError and the FCP code, not a JSON-RPC error */
    v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"tools/call\",\"params\":{\"name\":"
               "\"fcp.notes.notes_delete\",\"arguments\":{\"name\":\"a\"}}}");
    r = json_object_get(v, "result");
    CHECK(json_object_get(v, "error") == NULL);
    CHECK(json_is_true(json_object_get(r, "isError")));
    const char *txt = json_string_value(json_object_get(json_array_get(json_object_get(r, "content"), 0), "text"));
    CHECK(txt && strncmp(txt, "FCP-3005: operation not granted", 31) == 0 && strstr(txt, "token has no notes.delete"));
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(r, "structuredContent"), "code")), "FCP-3005") == 0);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(r, "_meta"), "fcp/code")), "FCP-3005") == 0);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(r, "_meta"), "fcp/decision_receipt")), "abcd") == 0);
    json_decref(v);

    /* unlisted operations still go to fcpd, which decides */
    int before = f.invoke_calls;
    v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"tools/call\",\"params\":{\"name\":\"other.conn.ping\"}}");
    CHECK_EQ(f.invoke_calls, before + 1);
    CHECK(strcmp(f.connector, "other.conn") == 0);
    json_decref(v);

    /* bad params */
    before = f.invoke_calls;
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}",
                 -32602, "FCP-5407", 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":15,\"method\":\"tools/call\",\"params\":{}}", -32602, "FCP-5406", 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":16,\"method\":\"tools/call\",\"params\":{\"name\":3}}", -32602,
                 "FCP-5406", 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":17,\"method\":\"tools/call\",\"params\":{\"name\":"
                    "\"fcp.notes.notes_get\",\"arguments\":[1]}}", -32602, "FCP-5406", 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":18,\"method\":\"tools/call\",\"params\":{\"name\":"
                    "\"fcp.notes.notes_get\",\"_meta\":{\"fcp/approvals\":[\"xyz\"]}}}", -32602, "FCP-5406", 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":19,\"method\":\"tools/call\",\"params\":{\"name\":"
                    "\"fcp.notes.notes_get\",\"_meta\":{\"fcp/simulate\":1}}}", -32602, "FCP-5406", 0);
    CHECK_EQ(f.invoke_calls, before);
    /* daemon gone mid-session */
    f.fail_transport = 1;
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":20,\"method\":\"tools/call\",\"params\":{\"name\":\"fcp.notes.notes_get\"}}",
                 -32603, "FCP-5409", 0);
    fcp_mcp_free(m);

    /* an older client gets no structuredContent */
    m = engine(&f);
    init(m, "2025-03-26");
    v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"fcp.notes.notes_get\"}}");
    r = json_object_get(v, "result");
    CHECK(r && !json_object_get(r, "structuredContent") && json_object_get(r, "content"));
    json_decref(v);
    fcp_mcp_free(m);
}

static void test_malformed(void)
{
    fake f;
    fcp_mcp *m = engine(&f);
    init(m, FCP_MCP_LATEST_VERSION);
    /* -32700 */
    expect_error(m, "{", -32700, "FCP-5403", 1);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x", -32700, "FCP-5403", 1);
    expect_error(m, "\xff\xfe{}", -32700, "FCP-5403", 1);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}", -32700, "FCP-5403", 1);
    expect_error(m, "{\"a\":\"\\u0000\"}", -32700, "FCP-5403", 1);
    /* -32600 */
    expect_error(m, "[]", -32600, "FCP-5404", 1);
    expect_error(m, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", -32600, "FCP-5404", 1);
    expect_error(m, "42", -32600, "FCP-5404", 1);
    expect_error(m, "\"x\"", -32600, "FCP-5404", 1);
    expect_error(m, "{\"foo\":\"boo\"}", -32600, "FCP-5404", 1);
    expect_error(m, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", -32600, "FCP-5404", 0);
    expect_error(m, "{\"id\":1,\"method\":\"ping\"}", -32600, "FCP-5404", 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", -32600, "FCP-5404", 1);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", -32600, "FCP-5404", 1);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", -32600, "FCP-5404", 1);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", -32600, "FCP-5404", 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":1}", -32600, "FCP-5404", 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":\"bar\"}", -32600, "FCP-5404", 0);
    /* -32602 for positional params, -32601 for unknown methods */
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":[1]}", -32602, "FCP-5406", 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}", -32601, "FCP-5405", 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"notifications/initialized\"}", -32601, "FCP-5405", 0);
    expect_error(m, "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"a\\u0000b\"}", -32700, "FCP-5403", 1);
    /* the id is echoed exactly */
    json_t *v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"nope\"}");
    CHECK(v && strcmp(json_string_value(json_object_get(v, "id")), "abc") == 0);
    json_decref(v);
    v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":-9007199254740991,\"method\":\"ping\"}");
    CHECK(v && json_integer_value(json_object_get(v, "id")) == -9007199254740991LL);
    json_decref(v);
    /* never answered: notifications (even unknown or odd), client responses, blank lines */
    no_answer(m, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}");
    no_answer(m, "{\"jsonrpc\":\"2.0\",\"method\":\"tools/list\"}");
    no_answer(m, "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}");
    no_answer(m, "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":{\"code\":1,\"message\":\"x\"}}");
    no_answer(m, "");
    no_answer(m, "  \r");
    CHECK_EQ(f.calls, 0);
    fcp_mcp_free(m);
}

static void test_feed(void)
{
    fake f;
    fcp_mcp *m = engine(&f);
    fcp_buf out;
    fcp_buf_init(&out);
    /* two messages split at odd places, CRLF, and a last line without '\n' */
    const char *s = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n\n{\"jsonrpc\":\"2.0\",\"id\":2,"
                    "\"method\":\"ping\"}\n{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}";
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i += 7)
        CHECK_EQ(fcp_mcp_feed(m, (const uint8_t *)s + i, n - i < 7 ? n - i : 7, &out), 0);
    size_t lines = 0;
    for (size_t i = 0; i < out.len; i++)
        lines += out.data[i] == '\n';
    CHECK_EQ(lines, 2);
    CHECK_EQ(fcp_mcp_finish(m, &out), 0);
    lines = 0;
    for (size_t i = 0; i < out.len; i++)
        lines += out.data[i] == '\n';
    CHECK_EQ(lines, 3);
    CHECK(strstr((const char *)out.data, "\"id\":3") != NULL || memmem(out.data, out.len, "\"id\":3", 6));

    /* an over-long line: one -32700 FCP-5402, the rest discarded, then back in step */
    fcp_buf_reset(&out);
    size_t big = FCP_MCP_MAX_LINE + 10;
    uint8_t *junk = malloc(big);
    memset(junk, 'a', big);
    CHECK_EQ(fcp_mcp_feed(m, junk, 100, &out), 0);
    CHECK_EQ(out.len, 0);
    for (size_t i = 100; i < big; i += 1u << 20)
        CHECK_EQ(fcp_mcp_feed(m, junk + i, big - i < (1u << 20) ? big - i : (1u << 20), &out), 0);
    CHECK_EQ(fcp_mcp_feed(m, junk, 4096, &out), 0);   /* still inside the long line */
    const char *tail = "aaa\n{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}\n";
    CHECK_EQ(fcp_mcp_feed(m, (const uint8_t *)tail, strlen(tail), &out), 0);
    lines = 0;
    for (size_t i = 0; i < out.len; i++)
        lines += out.data[i] == '\n';
    CHECK_EQ(lines, 2);
    json_t *first = json_loadb((const char *)out.data, (size_t)((uint8_t *)memchr(out.data, '\n', out.len) - out.data), 0, NULL);
    CHECK_EQ(err_code(first), -32700);
    CHECK(strcmp(fcp_code(first), "FCP-5402") == 0);
    json_decref(first);
    CHECK(memmem(out.data, out.len, "\"id\":9,\"result\"", 15) != NULL);
    /* exactly the limit is fine (it is simply bad JSON here) */
    fcp_buf_reset(&out);
    junk[FCP_MCP_MAX_LINE] = '\n';
    CHECK_EQ(fcp_mcp_feed(m, junk, FCP_MCP_MAX_LINE + 1, &out), 0);
    first = json_loadb((const char *)out.data, out.len, 0, NULL);
    CHECK(strcmp(fcp_code(first), "FCP-5403") == 0);
    json_decref(first);
    free(junk);
    fcp_buf_free(&out);
    fcp_mcp_free(m);
}

/* D-MCP-4: a token whose claims decode filters the list (hint only); the
 * call still reaches fcpd.  D-MCP-7: arguments over the admin frame. */
static void test_grant_filter(void)
{
    static fcp_token_claims c;
    fcp_token_claims_init(&c);
    CHECK_EQ(fcp_token_claims_set_text(&c, FCP_CLAIM_ISS, "node-1"), 0);
    CHECK_EQ(fcp_token_claims_set_text(&c, FCP_CLAIM_ZONE_ID, "z:private"), 0);
    CHECK_EQ(fcp_token_claims_set_text(&c, FCP_CLAIM_CAPABILITY_ID, "notes.write"), 0);
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    fcp_buf tok;
    fcp_buf_init(&tok);
    CHECK_EQ(fcp_token_mint(&c, sk, &tok), 0);
    fake f;
    memset(&f, 0, sizeof f);
    fcp_mcp_config cfg = { .token = tok.data, .token_len = tok.len, .daemon = fake_daemon, .daemon_ctx = &f };
    fcp_mcp *m = NULL;
    CHECK_EQ(fcp_mcp_new(&m, &cfg), 0);
    init(m, FCP_MCP_LATEST_VERSION);
    json_t *v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
    json_t *tools = json_object_get(json_object_get(v, "result"), "tools");
    CHECK_EQ(json_array_size(tools), 1);
    CHECK(find_tool(tools, "fcp.notes.notes_put") != NULL);
    json_decref(v);
    json_decref(rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"fcp.notes.notes_get\"}}"));
    CHECK_EQ(f.invoke_calls, 1);   /* unlisted, still sent: fcpd decides */
    CHECK_EQ(f.token_len, tok.len);

    /* one operation granted by name: "<connector>.<operation>" or the bare name */
    fcp_mcp_free(m);
    fcp_buf_reset(&tok);
    CHECK_EQ(fcp_token_claims_set_text(&c, FCP_CLAIM_CAPABILITY_ID, "notes.*"), 0);
    CHECK_EQ(fcp_token_claims_add_operation(&c, "fcp.notes.notes_delete"), 0);
    CHECK_EQ(fcp_token_claims_add_operation(&c, "notes_get"), 0);
    CHECK_EQ(fcp_token_mint(&c, sk, &tok), 0);
    cfg.token = tok.data;
    cfg.token_len = tok.len;
    CHECK_EQ(fcp_mcp_new(&m, &cfg), 0);
    init(m, FCP_MCP_LATEST_VERSION);
    v = rpc(m, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
    tools = json_object_get(json_object_get(v, "result"), "tools");
    CHECK_EQ(json_array_size(tools), 2);
    CHECK(find_tool(tools, "fcp.notes.notes_get") && find_tool(tools, "fcp.notes.notes_delete"));
    json_decref(v);

    /* arguments that would not fit fcpd's admin frame */
    size_t big = FCP_ADMIN_MAX_PAYLOAD + 100;
    char *line = malloc(big + 200);
    int n = snprintf(line, 200, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":"
                                "\"fcp.notes.notes_get\",\"arguments\":{\"x\":\"");
    memset(line + n, 'a', big);
    strcpy(line + n + big, "\"}}}");
    int before = f.invoke_calls;
    expect_error(m, line, -32602, "FCP-5406", 0);
    CHECK_EQ(f.invoke_calls, before);
    free(line);
    fcp_mcp_free(m);
    fcp_buf_free(&tok);
    sodium_memzero(sk, sizeof sk);
}

/* ---- golden transcript (conformance/golden/mcp, D-MCP-1..8) -------------- */

typedef struct gold {
    json_t *daemon;   /* [{request_hex, response_hex}] */
    int     unmatched;
} gold;

static int gold_daemon(void *ctx, const uint8_t *req, size_t len, fcp_buf *resp)
{
    gold *g = ctx;
    char *hex = malloc(2 * len + 1);
    fcp_hex_encode(hex, 2 * len + 1, req, len);
    size_t i;
    json_t *e;
    json_array_foreach(g->daemon, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "request_hex")), hex) == 0) {
            size_t n;
            uint8_t *r = fcp_t_unhex(json_string_value(json_object_get(e, "response_hex")), &n);
            fcp_buf_reset(resp);
            fcp_buf_append(resp, r, n);
            free(r);
            free(hex);
            return 0;
        }
    }
    fprintf(stderr, "  golden: unexpected fcpd request %s\n", hex);
    g->unmatched++;
    free(hex);
    return FCP_EADMIN_CONNECT;
}

static void test_golden(void)
{
    json_error_t je;
    json_t *j = json_load_file("conformance/golden/mcp/d-mcp-transcript.json", 0, &je);
    if (!CHECK(j != NULL))
        return;
    gold g = { .daemon = json_object_get(j, "daemon") };
    size_t tl;
    uint8_t *tok = fcp_t_unhex(json_string_value(json_object_get(j, "token_hex")), &tl);
    fcp_mcp_config cfg = { .token = tok, .token_len = tl, .daemon = gold_daemon, .daemon_ctx = &g,
                           .server_version = json_string_value(json_object_get(j, "server_version")) };
    fcp_mcp *m = NULL;
    CHECK_EQ(fcp_mcp_new(&m, &cfg), 0);
    size_t i;
    json_t *st;
    json_array_foreach(json_object_get(j, "steps"), i, st) {
        const char *in = json_string_value(json_object_get(st, "in"));
        json_t *want = json_object_get(st, "out");
        fcp_buf out;
        fcp_buf_init(&out);
        CHECK_EQ(fcp_mcp_handle_line(m, in, strlen(in), &out), 0);
        if (json_is_null(want)) {
            if (!CHECK_EQ(out.len, 0))
                fprintf(stderr, "  golden step %zu answered a line that needs none\n", i);
            fcp_buf_free(&out);
            continue;
        }
        json_t *got = json_loadb((const char *)out.data, out.len, 0, NULL);
        int ok = got != NULL && out.len && out.data[out.len - 1] == '\n';
        json_t *we = json_object_get(want, "error");
        if (ok && we) {
            /* errors: id, code and data.fcp_code (the message is prose) */
            json_t *ge = json_object_get(got, "error");
            ok = json_equal(json_object_get(got, "id"), json_object_get(want, "id")) &&
                 json_equal(json_object_get(ge, "code"), json_object_get(we, "code")) &&
                 json_equal(json_object_get(json_object_get(ge, "data"), "fcp_code"), json_object_get(we, "fcp_code")) &&
                 json_is_string(json_object_get(ge, "message")) && !json_object_get(got, "result");
        } else if (ok) {
            ok = json_equal(got, want);
        }
        if (!CHECK(ok)) {
            char *w = json_dumps(want, JSON_COMPACT);
            fprintf(stderr, "  golden step %zu: %s\n    want %s\n    got  %.*s", i, in, w, (int)out.len,
                    (const char *)out.data);
            free(w);
        }
        json_decref(got);
        fcp_buf_free(&out);
    }
    CHECK_EQ(g.unmatched, 0);
    fcp_mcp_free(m);
    free(tok);
    json_decref(j);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    test_new();
    test_initialize();
    test_tools_list();
    test_tools_call();
    test_malformed();
    test_feed();
    test_grant_filter();
    test_golden();
    return fcp_t_done("host_mcp");
}
