/*
 * host_mcp.c - the MCP bridge engine (include/fcp/host_mcp.h, docs/mcp.md):
 * JSON-RPC 2.0 over newline-delimited stdio, the MCP methods initialize,
 * ping, tools/list and tools/call, and their translation into fcpd admin
 * requests ("connectors", "invoke") through a caller-supplied callback.
 *
 * Shape: bytes in -> line splitter (bounded, D-MCP-2) -> one JSON value
 * (jansson, duplicate keys refused) -> envelope checks in JSON-RPC order
 * (parse, batch, object, jsonrpc, id, method, params) -> method.  Every
 * request gets exactly one response line; notifications and client responses
 * get none, even when malformed (JSON-RPC 2.0 §4.1).  Nothing here trusts
 * the daemon either: its CBOR answers are decoded strictly and a malformed
 * one becomes an internal error, never a crash.
 *
 * The bridge decides nothing about authority: a tool call always goes to
 * fcpd with the configured token, and fcpd's pipeline (token, policy,
 * approvals, rate limits) says yes or no.  Filtering tools/list by the
 * token's grants is a convenience for the model, never a check (D-MCP-4).
 */
#include "fcp/host_mcp.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fcp/admin.h"
#include "fcp/authz_token.h"
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/hex.h"

/* Protocol revisions this bridge speaks, newest first (D-MCP-1).  The
 * differences that matter to a tools-only server: structuredContent exists
 * from 2025-06-18, annotations from 2025-03-26 (older clients ignore them). */
static const char *const versions[] = { FCP_MCP_LATEST_VERSION, "2025-06-18", "2025-03-26",
                                        "2024-11-05" };
#define N_VERSIONS (sizeof versions / sizeof versions[0])

enum { TIER_SAFE = 0, TIER_RISKY, TIER_DANGEROUS, TIER_FORBIDDEN, TIER_UNKNOWN };
static const char *const tier_names[] = { "safe", "risky", "dangerous", "forbidden", "unknown" };

#define MAX_APPROVALS 8u

struct fcp_mcp {
    uint8_t          *token;
    size_t            token_len;
    fcp_mcp_daemon_fn daemon;
    void             *dctx;
    char              version[64];
    int               initialized;
    int               proto;          /* index into versions[] once initialized */
    /* token grants decoded without verification, for tools/list only */
    int               has_grants;
    size_t            n_grants;
    fcp_cap_grant     grants[FCP_CAP_MAX_GRANTS];
    /* line splitter */
    fcp_buf           line;
    int               discarding;     /* inside an over-long line */
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

typedef struct mstr {
    const char *p;
    size_t      n;
} mstr;

static int mstr_is(mstr s, const char *c)
{
    size_t n = strlen(c);
    return s.n == n && memcmp(s.p, c, n) == 0;
}

/* Cut a string that snprintf may have truncated back to a whole UTF-8
 * sequence, so jansson accepts it. */
static void utf8_trim_tail(char *s)
{
    size_t n = strlen(s), i = n, k = 0;
    while (i > 0 && k < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
        i--;
        k++;
    }
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
    if (lead >= 0x80 && k + 1 < need)
        s[i - 1] = 0;
}

static json_t *jstr(const char *s)
{
    json_t *j = json_string(s);
    return j ? j : json_string("?");
}

static json_t *jstrn(mstr s)
{
    json_t *j = json_stringn(s.p, s.n);
    return j ? j : json_string("?");
}

static const char *code_of(int err, char buf[16])
{
    return fcp_error_code(err, buf, 16);
}

/* Append msg as one line.  Takes the reference. */
static int emit(fcp_buf *out, json_t *msg)
{
    if (!msg)
        return FCP_ENOMEM;
    char *s = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (!s)
        return FCP_ENOMEM;
    size_t n = strlen(s);
    int rc = fcp_buf_append(out, s, n);
    if (rc == 0)
        rc = fcp_buf_put_u8(out, '\n');
    free(s);
    return rc;
}

static json_t *envelope(json_t *id)
{
    json_t *m = json_object();
    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set(m, "id", id ? id : json_null());
    return m;
}

/* {"jsonrpc":"2.0","id":id,"error":{"code":code,"message":msg,
 *  "data":{"fcp_code":"FCP-xxxx"}}}; fcp_code is a code string (the bridge's
 * own or one fcpd returned). */
static int rpc_error_code(fcp_buf *out, json_t *id, int code, const char *fcp_code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int rpc_error_code(fcp_buf *out, json_t *id, int code, const char *fcp_code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    utf8_trim_tail(msg);
    json_t *m = envelope(id);
    json_t *e = json_object();
    json_object_set_new(e, "code", json_integer(code));
    json_object_set_new(e, "message", jstr(msg));
    json_t *d = json_object();
    json_object_set_new(d, "fcp_code", jstr(fcp_code));
    json_object_set_new(e, "data", d);
    json_object_set_new(m, "error", e);
    return emit(out, m);
}

#define rpc_error(out, id, code, fcp_err, ...)                                      \
    rpc_error_code((out), (id), (code), code_of((fcp_err), (char[16]){ 0 }), __VA_ARGS__)

static int rpc_result(fcp_buf *out, json_t *id, json_t *result)
{
    json_t *m = envelope(id);
    json_object_set_new(m, "result", result ? result : json_object());
    return emit(out, m);
}

void fcp_mcp_tool_name(char *out, const char *connector, size_t clen, const char *operation,
                       size_t olen)
{
    size_t k = 0;
    for (size_t i = 0; i < clen + 1 + olen && k < FCP_MCP_TOOL_NAME_MAX; i++) {
        char c = i < clen ? connector[i] : i == clen ? '.' : operation[i - clen - 1];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        out[k++] = ok ? c : '_';
    }
    out[k] = 0;
}

/* ------------------------------------------------------------------------ */
/* Engine lifetime                                                           */
/* ------------------------------------------------------------------------ */

/* Decode the token's grants without checking its signature: only used to
 * hide tools the token certainly cannot call (D-MCP-4).  Any failure means
 * "no filter". */
static void load_grants(fcp_mcp *m)
{
    fcp_cose_sign1 s;
    fcp_token_claims *c = malloc(sizeof *c);
    if (!c)
        return;
    if (fcp_cose_sign1_decode(&s, m->token, m->token_len) == 0 &&
        fcp_token_claims_decode(c, s.payload, s.payload_len) == 0 &&
        fcp_token_effective_grants(c, m->grants, &m->n_grants) == 0 && m->n_grants > 0)
        m->has_grants = 1;
    free(c);
}

int fcp_mcp_new(fcp_mcp **out, const fcp_mcp_config *cfg)
{
    *out = NULL;
    if (!cfg->token || cfg->token_len == 0)
        return FCP_EMCP_NO_TOKEN;
    if (!cfg->daemon)
        return FCP_EINVAL;
    fcp_mcp *m = calloc(1, sizeof *m);
    if (!m)
        return FCP_ENOMEM;
    m->token = malloc(cfg->token_len);
    if (!m->token) {
        free(m);
        return FCP_ENOMEM;
    }
    memcpy(m->token, cfg->token, cfg->token_len);
    m->token_len = cfg->token_len;
    m->daemon = cfg->daemon;
    m->dctx = cfg->daemon_ctx;
    snprintf(m->version, sizeof m->version, "%s", cfg->server_version ? cfg->server_version : "0.1.0");
    utf8_trim_tail(m->version);
    fcp_buf_init(&m->line);
    load_grants(m);
    *out = m;
    return 0;
}

void fcp_mcp_free(fcp_mcp *m)
{
    if (!m)
        return;
    if (m->token) {
        sodium_memzero(m->token, m->token_len);
        free(m->token);
    }
    fcp_buf_free(&m->line);
    sodium_memzero(m, sizeof *m);
    free(m);
}

/* ------------------------------------------------------------------------ */
/* The daemon's catalog ("connectors" admin op)                              */
/* ------------------------------------------------------------------------ */

typedef struct mcp_op {
    mstr connector, version, state, name, description, input_schema, rate_limit, capability;
    int  tier, idempotent, requires_approval;
    char tool[FCP_MCP_TOOL_NAME_MAX + 1];
} mcp_op;

typedef struct mcp_catalog {
    fcp_buf resp;                 /* the daemon's answer; every mstr points into it */
    mcp_op *ops;
    size_t  n, cap;
} mcp_catalog;

static void catalog_free(mcp_catalog *c)
{
    fcp_buf_free(&c->resp);
    free(c->ops);
    memset(c, 0, sizeof *c);
}

static int get_mstr(fcp_cbor_dec *d, mstr *s)
{
    return fcp_cbor_get_text(d, &s->p, &s->n);
}

static int tier_of(mstr t)
{
    for (int i = TIER_SAFE; i <= TIER_FORBIDDEN; i++)
        if (mstr_is(t, tier_names[i]))
            return i;
    return TIER_UNKNOWN;
}

static int parse_op(fcp_cbor_dec *d, mstr conn, mstr ver, mstr state, mcp_op *op)
{
    static const mstr empty = { "", 0 };
    memset(op, 0, sizeof *op);
    op->description = op->input_schema = op->rate_limit = op->capability = op->name = empty;
    op->connector = conn;
    op->version = ver;
    op->state = state;
    op->tier = TIER_UNKNOWN;
    int have_name = 0, rc;
    fcp_cbor_map_iter it;
    if ((rc = fcp_cbor_map_begin(d, &it)) < 0)
        return rc;
    const char *k;
    size_t kl;
    while ((rc = fcp_cbor_map_next_text_key(d, &it, &k, &kl)) > 0) {
        mstr t;
        if (fcp_cbor_key_is(k, kl, "name")) {
            rc = get_mstr(d, &op->name);
            have_name = 1;
        } else if (fcp_cbor_key_is(k, kl, "description")) {
            rc = get_mstr(d, &op->description);
        } else if (fcp_cbor_key_is(k, kl, "tier")) {
            if ((rc = get_mstr(d, &t)) == 0)
                op->tier = tier_of(t);
        } else if (fcp_cbor_key_is(k, kl, "idempotent")) {
            rc = fcp_cbor_get_bool(d, &op->idempotent);
        } else if (fcp_cbor_key_is(k, kl, "requires_approval")) {
            rc = fcp_cbor_get_bool(d, &op->requires_approval);
        } else if (fcp_cbor_key_is(k, kl, "input_schema")) {
            rc = get_mstr(d, &op->input_schema);
        } else if (fcp_cbor_key_is(k, kl, "rate_limit")) {
            rc = get_mstr(d, &op->rate_limit);
        } else if (fcp_cbor_key_is(k, kl, "capability")) {
            rc = get_mstr(d, &op->capability);
        } else {
            rc = fcp_cbor_skip(d);   /* fields added later are ignored */
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (!have_name || op->name.n == 0)
        return FCP_EMCP_DAEMON;
    fcp_mcp_tool_name(op->tool, conn.p, conn.n, op->name.p, op->name.n);
    return 0;
}

static int parse_connector(fcp_cbor_dec *d, mcp_catalog *c)
{
    /* Canonical order puts "operations" after "id", "state" and "version"
     * (shorter keys sort first), but the connector's own fields are read
     * first from the whole map so the order is never relied on. */
    const uint8_t *raw;
    size_t rl;
    int rc = fcp_cbor_get_raw(d, &raw, &rl);
    if (rc < 0)
        return rc;
    mstr id = { "", 0 }, ver = { "", 0 }, state = { "", 0 };
    const uint8_t *ops = NULL;
    size_t opsl = 0;
    fcp_cbor_dec cd;
    fcp_cbor_dec_init(&cd, raw, rl, NULL);
    fcp_cbor_map_iter it;
    if ((rc = fcp_cbor_map_begin(&cd, &it)) < 0)
        return rc;
    const char *k;
    size_t kl;
    while ((rc = fcp_cbor_map_next_text_key(&cd, &it, &k, &kl)) > 0) {
        if (fcp_cbor_key_is(k, kl, "id"))
            rc = get_mstr(&cd, &id);
        else if (fcp_cbor_key_is(k, kl, "version"))
            rc = get_mstr(&cd, &ver);
        else if (fcp_cbor_key_is(k, kl, "state"))
            rc = get_mstr(&cd, &state);
        else if (fcp_cbor_key_is(k, kl, "operations"))
            rc = fcp_cbor_get_raw(&cd, &ops, &opsl);
        else
            rc = fcp_cbor_skip(&cd);
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (id.n == 0)
        return FCP_EMCP_DAEMON;
    if (!ops)
        return 0;
    fcp_cbor_dec od;
    fcp_cbor_dec_init(&od, ops, opsl, NULL);
    uint64_t n;
    if ((rc = fcp_cbor_get_array(&od, &n)) < 0)
        return rc;
    for (uint64_t i = 0; i < n; i++) {
        if (c->n == FCP_MCP_MAX_TOOLS)
            return FCP_EMCP_DAEMON;
        if (c->n == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 16;
            mcp_op *no = realloc(c->ops, nc * sizeof *no);
            if (!no)
                return FCP_ENOMEM;
            c->ops = no;
            c->cap = nc;
        }
        if ((rc = parse_op(&od, id, ver, state, &c->ops[c->n])) < 0)
            return rc;
        c->n++;
    }
    return fcp_cbor_dec_finish(&od);
}

/* One admin round trip.  On failure why says what went wrong. */
static int daemon_call(fcp_mcp *m, const fcp_buf *req, fcp_buf *resp, char *why, size_t cap)
{
    int rc = m->daemon(m->dctx, req->data, req->len, resp);
    if (rc < 0) {
        char cb[16];
        snprintf(why, cap, "fcpd unreachable (%s %s)", code_of(rc, cb), fcp_strerror(rc));
        return FCP_EMCP_DAEMON;
    }
    if (resp->len == 0 || fcp_cbor_validate(resp->data, resp->len, NULL) < 0) {
        snprintf(why, cap, "fcpd answered with non-canonical CBOR");
        return FCP_EMCP_DAEMON;
    }
    return 0;
}

/* The text of key in the response map, or "" when absent or not text. */
static mstr resp_text(const fcp_buf *r, const char *key)
{
    mstr s = { "", 0 };
    if (fcp_admin_resp_text(r->data, r->len, key, &s.p, &s.n) != 1) {
        s.p = "";
        s.n = 0;
    }
    return s;
}

/* A {ok:false, code, error, detail} answer as "FCP-xxxx: error (detail)"
 * with the code kept apart. */
static void failure_text(const fcp_buf *r, char *code, size_t ccap, char *msg, size_t mcap)
{
    mstr c = resp_text(r, "code"), e = resp_text(r, "error"), d = resp_text(r, "detail");
    if (c.n == 0 || c.n >= ccap)
        snprintf(code, ccap, "%s", "FCP-9001");
    else
        snprintf(code, ccap, "%.*s", (int)c.n, c.p);
    if (d.n)
        snprintf(msg, mcap, "%s: %.*s (%.*s)", code, (int)e.n, e.p, (int)d.n, d.p);
    else
        snprintf(msg, mcap, "%s: %.*s", code, (int)e.n, e.p);
    utf8_trim_tail(msg);
}

/* Fetch and decode the catalog.  0, or FCP_EMCP_DAEMON with *code (the
 * FCP code to report) and why filled in. */
static int fetch_catalog(fcp_mcp *m, mcp_catalog *c, char *code, size_t ccap, char *why, size_t wcap)
{
    memset(c, 0, sizeof *c);
    fcp_buf_init(&c->resp);
    fcp_buf req;
    fcp_buf_init(&req);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &req);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "op");
    fcp_cbor_put_cstr(&e, "connectors");
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    char cb[16];
    snprintf(code, ccap, "%s", code_of(FCP_EMCP_DAEMON, cb));
    if (rc == 0)
        rc = daemon_call(m, &req, &c->resp, why, wcap);
    else
        snprintf(why, wcap, "cannot encode the connectors request");
    fcp_buf_free(&req);
    if (rc < 0)
        return FCP_EMCP_DAEMON;
    int ok = 0;
    if (fcp_admin_resp_bool(c->resp.data, c->resp.len, "ok", &ok) != 1) {
        snprintf(why, wcap, "fcpd's connectors answer has no \"ok\"");
        return FCP_EMCP_DAEMON;
    }
    if (!ok) {
        char msg[400];
        failure_text(&c->resp, code, ccap, msg, sizeof msg);
        snprintf(why, wcap, "fcpd refused the connectors request: %.300s", msg);
        return FCP_EMCP_DAEMON;
    }
    const uint8_t *raw;
    size_t rl;
    if (fcp_admin_resp_raw(c->resp.data, c->resp.len, "connectors", &raw, &rl) != 1) {
        snprintf(why, wcap, "fcpd's connectors answer has no \"connectors\"");
        return FCP_EMCP_DAEMON;
    }
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, raw, rl, NULL);
    uint64_t n;
    rc = fcp_cbor_get_array(&d, &n);
    for (uint64_t i = 0; rc == 0 && i < n; i++)
        rc = parse_connector(&d, c);
    if (rc == 0)
        rc = fcp_cbor_dec_finish(&d);
    if (rc < 0) {
        if (rc == FCP_ENOMEM)
            snprintf(why, wcap, "out of memory reading the connector list");
        else
            snprintf(why, wcap, "fcpd's connector list is malformed (%s)", code_of(rc, cb));
        return FCP_EMCP_DAEMON;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* tools/list                                                                */
/* ------------------------------------------------------------------------ */

/* Grant capability pattern: exact, or "P*" prefix (as the decision engine). */
static int cap_match(const char *pat, mstr s)
{
    size_t pl = strlen(pat);
    if (pl && pat[pl - 1] == '*')
        return s.n >= pl - 1 && memcmp(pat, s.p, pl - 1) == 0;
    return mstr_is(s, pat);
}

static int granted(const fcp_mcp *m, const mcp_op *op)
{
    if (!m->has_grants || op->capability.n == 0)
        return 1;
    for (size_t i = 0; i < m->n_grants; i++) {
        const fcp_cap_grant *g = &m->grants[i];
        if (!cap_match(g->capability, op->capability))
            continue;
        if (!g->has_operation || mstr_is(op->name, g->operation))
            return 1;
        /* "<connector>.<operation>" spelled out in the grant */
        size_t gl = strlen(g->operation);
        if (gl == op->connector.n + 1 + op->name.n && memcmp(g->operation, op->connector.p, op->connector.n) == 0 &&
            g->operation[op->connector.n] == '.' &&
            memcmp(g->operation + op->connector.n + 1, op->name.p, op->name.n) == 0)
            return 1;
    }
    return 0;
}

/* The tool's inputSchema: the operation's schema when it is a JSON object
 * the SDKs accept ("type" "object" or absent, "properties" an object of
 * objects, "required" an array of strings), else {"type":"object"}
 * (D-MCP-5). */
static json_t *input_schema(const mcp_op *op)
{
    json_t *s = NULL;
    if (op->input_schema.n)
        s = json_loadb(op->input_schema.p, op->input_schema.n, JSON_REJECT_DUPLICATES, NULL);
    int good = s && json_is_object(s);
    if (good) {
        json_t *t = json_object_get(s, "type");
        if (t && !(json_is_string(t) && strcmp(json_string_value(t), "object") == 0))
            good = 0;
        json_t *p = json_object_get(s, "properties");
        if (p) {
            const char *k;
            json_t *v;
            if (!json_is_object(p))
                good = 0;
            else
                json_object_foreach(p, k, v) if (!json_is_object(v)) good = 0;
        }
        json_t *r = json_object_get(s, "required");
        if (r) {
            size_t i;
            json_t *v;
            if (!json_is_array(r))
                good = 0;
            else
                json_array_foreach(r, i, v) if (!json_is_string(v)) good = 0;
        }
        if (good && !t)
            json_object_set_new(s, "type", json_string("object"));
    }
    if (!good) {
        json_decref(s);
        s = json_object();
        json_object_set_new(s, "type", json_string("object"));
    }
    return s;
}

static json_t *tool_json(const mcp_op *op)
{
    char desc[1024];
    int n = snprintf(desc, sizeof desc, "%.*s%s[FCP %.*s/%.*s%s%.*s: %s tier", (int)op->description.n,
                     op->description.p, op->description.n ? " " : "", (int)op->connector.n, op->connector.p,
                     (int)op->name.n, op->name.p, op->version.n ? " v" : "", (int)op->version.n, op->version.p,
                     tier_names[op->tier]);
    if (n > 0 && (size_t)n < sizeof desc && op->capability.n)
        n += snprintf(desc + n, sizeof desc - (size_t)n, "; capability %.*s", (int)op->capability.n,
                      op->capability.p);
    if (n > 0 && (size_t)n < sizeof desc && op->rate_limit.n)
        n += snprintf(desc + n, sizeof desc - (size_t)n, "; rate limit %.*s", (int)op->rate_limit.n,
                      op->rate_limit.p);
    if (n > 0 && (size_t)n < sizeof desc && op->requires_approval)
        n += snprintf(desc + n, sizeof desc - (size_t)n, "; requires an approval token");
    if (n > 0 && (size_t)n < sizeof desc)
        snprintf(desc + n, sizeof desc - (size_t)n, "]");
    utf8_trim_tail(desc);

    json_t *t = json_object();
    json_object_set_new(t, "name", json_string(op->tool));
    json_object_set_new(t, "description", jstr(desc));
    json_object_set_new(t, "inputSchema", input_schema(op));
    json_t *a = json_object();
    /* safety tier -> hints (D-MCP-6); an unknown tier is treated as dangerous */
    json_object_set_new(a, "readOnlyHint", json_boolean(op->tier == TIER_SAFE));
    json_object_set_new(a, "destructiveHint", json_boolean(op->tier != TIER_SAFE && op->tier != TIER_RISKY));
    json_object_set_new(a, "idempotentHint", json_boolean(op->idempotent));
    json_object_set_new(t, "annotations", a);
    json_t *meta = json_object();
    json_object_set_new(meta, "fcp/connector", jstrn(op->connector));
    json_object_set_new(meta, "fcp/operation", jstrn(op->name));
    json_object_set_new(meta, "fcp/tier", json_string(tier_names[op->tier]));
    if (op->capability.n)
        json_object_set_new(meta, "fcp/capability", jstrn(op->capability));
    if (op->rate_limit.n)
        json_object_set_new(meta, "fcp/rate_limit", jstrn(op->rate_limit));
    json_object_set_new(meta, "fcp/requires_approval", json_boolean(op->requires_approval));
    json_object_set_new(t, "_meta", meta);
    return t;
}

static int listed(const mcp_op *op)
{
    return mstr_is(op->state, "active") && op->tier != TIER_FORBIDDEN;
}

static int do_tools_list(fcp_mcp *m, json_t *id, json_t *params, fcp_buf *out)
{
    if (params && json_object_get(params, "cursor") && !json_is_null(json_object_get(params, "cursor")))
        /* we never hand out a cursor (one page), so none is valid */
        return rpc_error(out, id, FCP_MCP_RPC_INVALID_PARAMS, FCP_EMCP_PARAMS,
                         "invalid cursor: this server returns every tool in one page");
    mcp_catalog c;
    char code[32], why[400];
    if (fetch_catalog(m, &c, code, sizeof code, why, sizeof why) < 0) {
        catalog_free(&c);
        return rpc_error_code(out, id, FCP_MCP_RPC_INTERNAL_ERROR, code, "%s", why);
    }
    json_t *tools = json_array();
    for (size_t i = 0; i < c.n; i++) {
        const mcp_op *op = &c.ops[i];
        if (!listed(op) || !granted(m, op))
            continue;
        int dup = 0;   /* two operations sanitised to one name: the first wins (D-MCP-3) */
        for (size_t j = 0; j < i && !dup; j++)
            dup = listed(&c.ops[j]) && granted(m, &c.ops[j]) && strcmp(c.ops[j].tool, op->tool) == 0;
        if (!dup)
            json_array_append_new(tools, tool_json(op));
    }
    catalog_free(&c);
    json_t *r = json_object();
    json_object_set_new(r, "tools", tools);
    return rpc_result(out, id, r);
}

/* ------------------------------------------------------------------------ */
/* tools/call                                                                */
/* ------------------------------------------------------------------------ */

static json_t *text_content(const char *p, size_t n)
{
    json_t *arr = json_array();
    json_t *t = json_object();
    json_object_set_new(t, "type", json_string("text"));
    json_t *s = json_stringn(p, n);
    json_object_set_new(t, "text", s ? s : json_string(""));
    json_array_append_new(arr, t);
    return arr;
}

static json_t *hex_string(const uint8_t *p, size_t n)
{
    char *h = malloc(2 * n + 1);
    if (!h)
        return json_string("");
    fcp_hex_encode(h, 2 * n + 1, p, n);
    json_t *j = json_string(h);
    free(h);
    return j;
}

static int structured_ok(const fcp_mcp *m)
{
    return m->proto <= 1;   /* 2025-06-18 and later */
}

/* Build the invoke result from fcpd's answer (D-MCP-7). */
static json_t *invoke_result(const fcp_mcp *m, const fcp_buf *r, int ok)
{
    json_t *res = json_object();
    json_t *meta = json_object();
    if (ok) {
        mstr outp = { NULL, 0 };
        if (fcp_admin_resp_text(r->data, r->len, "output", &outp.p, &outp.n) == 1) {
            json_object_set_new(res, "content", text_content(outp.p, outp.n));
            json_t *o = json_loadb(outp.p, outp.n, JSON_REJECT_DUPLICATES, NULL);
            if (o && json_is_object(o) && structured_ok(m))
                json_object_set_new(res, "structuredContent", o);
            else
                json_decref(o);
        } else {
            /* no output (simulate): the whole answer, as JSON */
            fcp_buf j;
            fcp_buf_init(&j);
            if (fcp_admin_to_json(r->data, r->len, &j) == 0)
                json_object_set_new(res, "content", text_content((const char *)j.data, j.len));
            else
                json_object_set_new(res, "content", text_content("{}", 2));
            fcp_buf_free(&j);
        }
        const uint8_t *rid;
        size_t rl;
        if (fcp_admin_resp_bytes(r->data, r->len, "receipt_id", &rid, &rl) == 1)
            json_object_set_new(meta, "fcp/receipt_id", hex_string(rid, rl));
        json_object_set_new(res, "isError", json_false());
    } else {
        char code[32], msg[600];
        failure_text(r, code, sizeof code, msg, sizeof msg);
        json_object_set_new(res, "content", text_content(msg, strlen(msg)));
        if (structured_ok(m)) {
            json_t *s = json_object();
            json_object_set_new(s, "code", jstr(code));
            json_object_set_new(s, "error", jstrn(resp_text(r, "error")));
            json_object_set_new(s, "detail", jstrn(resp_text(r, "detail")));
            json_object_set_new(res, "structuredContent", s);
        }
        json_object_set_new(meta, "fcp/code", jstr(code));
        const uint8_t *dr;
        size_t dl;
        if (fcp_admin_resp_bytes(r->data, r->len, "decision_receipt", &dr, &dl) == 1)
            json_object_set_new(meta, "fcp/decision_receipt", hex_string(dr, dl));
        json_object_set_new(res, "isError", json_true());
    }
    json_object_set_new(res, "_meta", meta);
    return res;
}

/* Optional FCP request fields a client may pass in params._meta (D-MCP-8). */
typedef struct call_opts {
    const char *idem;
    size_t      n_approvals;
    uint8_t    *approvals[MAX_APPROVALS];
    size_t      approval_len[MAX_APPROVALS];
    int         has_simulate, simulate;
} call_opts;

static void opts_free(call_opts *o)
{
    for (size_t i = 0; i < o->n_approvals; i++)
        free(o->approvals[i]);
    o->n_approvals = 0;
}

/* NULL on success, else what is wrong. */
static const char *parse_opts(json_t *meta, call_opts *o)
{
    memset(o, 0, sizeof *o);
    if (!meta)
        return NULL;
    if (!json_is_object(meta))
        return "_meta must be an object";
    json_t *v = json_object_get(meta, "fcp/idempotency_key");
    if (v) {
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 128 ||
            strlen(json_string_value(v)) != json_string_length(v))
            return "_meta.fcp/idempotency_key must be a string of 1..128 bytes";
        o->idem = json_string_value(v);
    }
    v = json_object_get(meta, "fcp/simulate");
    if (v) {
        if (!json_is_boolean(v))
            return "_meta.fcp/simulate must be a boolean";
        o->has_simulate = 1;
        o->simulate = json_is_true(v);
    }
    v = json_object_get(meta, "fcp/approvals");
    if (v) {
        if (!json_is_array(v) || json_array_size(v) > MAX_APPROVALS)
            return "_meta.fcp/approvals must be an array of at most 8 hex strings";
        size_t i;
        json_t *a;
        json_array_foreach(v, i, a) {
            size_t hl = json_is_string(a) ? json_string_length(a) : 0;
            if (hl == 0 || hl % 2 || hl > 2u * FCP_TOKEN_MAX_BYTES)
                return "_meta.fcp/approvals: each approval is the hex of an approval token";
            uint8_t *b = malloc(hl / 2);
            size_t bl = 0;
            if (!b)
                return "out of memory";
            if (fcp_hex_decode(b, hl / 2, &bl, json_string_value(a), hl) < 0 || bl != hl / 2) {
                free(b);
                return "_meta.fcp/approvals: each approval is the hex of an approval token";
            }
            o->approvals[o->n_approvals] = b;
            o->approval_len[o->n_approvals++] = bl;
        }
    }
    return NULL;
}

static int encode_invoke(const fcp_mcp *m, const mcp_op *op, const char *input, const call_opts *o,
                         fcp_buf *req)
{
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, req);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "op");
    fcp_cbor_put_cstr(&e, "invoke");
    fcp_cbor_put_cstr(&e, "connector");
    fcp_cbor_put_text(&e, op->connector.p, op->connector.n);
    fcp_cbor_put_cstr(&e, "operation");
    fcp_cbor_put_text(&e, op->name.p, op->name.n);
    fcp_cbor_put_cstr(&e, "input");
    fcp_cbor_put_cstr(&e, input);
    fcp_cbor_put_cstr(&e, "token");
    fcp_cbor_put_bytes(&e, m->token, m->token_len);
    if (o->idem) {
        fcp_cbor_put_cstr(&e, "idempotency_key");
        fcp_cbor_put_cstr(&e, o->idem);
    }
    if (o->n_approvals) {
        fcp_cbor_put_cstr(&e, "approvals");
        fcp_cbor_put_array(&e, o->n_approvals);
        for (size_t i = 0; i < o->n_approvals; i++)
            fcp_cbor_put_bytes(&e, o->approvals[i], o->approval_len[i]);
    }
    if (o->has_simulate) {
        fcp_cbor_put_cstr(&e, "simulate");
        fcp_cbor_put_bool(&e, o->simulate);
    }
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

static int do_tools_call(fcp_mcp *m, json_t *id, json_t *params, fcp_buf *out)
{
    json_t *name = params ? json_object_get(params, "name") : NULL;
    if (!name || !json_is_string(name))
        return rpc_error(out, id, FCP_MCP_RPC_INVALID_PARAMS, FCP_EMCP_PARAMS,
                         "tools/call needs params.name (a string)");
    json_t *args = json_object_get(params, "arguments");
    if (args && !json_is_object(args) && !json_is_null(args))
        return rpc_error(out, id, FCP_MCP_RPC_INVALID_PARAMS, FCP_EMCP_PARAMS,
                         "tools/call params.arguments must be an object");
    call_opts o;
    const char *bad = parse_opts(json_object_get(params, "_meta"), &o);
    if (bad) {
        opts_free(&o);
        return rpc_error(out, id, FCP_MCP_RPC_INVALID_PARAMS, FCP_EMCP_PARAMS, "%s", bad);
    }
    mcp_catalog c;
    char code[32], why[400];
    int rc;
    if (fetch_catalog(m, &c, code, sizeof code, why, sizeof why) < 0) {
        rc = rpc_error_code(out, id, FCP_MCP_RPC_INTERNAL_ERROR, code, "%s", why);
        goto done;
    }
    /* every operation fcpd knows is callable by name, listed or not: fcpd
     * decides (D-MCP-4) */
    const mcp_op *op = NULL;
    for (size_t i = 0; i < c.n && !op; i++)
        if (strcmp(c.ops[i].tool, json_string_value(name)) == 0 &&
            strlen(json_string_value(name)) == json_string_length(name))
            op = &c.ops[i];
    if (!op) {
        rc = rpc_error(out, id, FCP_MCP_RPC_INVALID_PARAMS, FCP_EMCP_UNKNOWN_TOOL, "Unknown tool: %s",
                       json_string_value(name));
        goto done;
    }
    char *input = args && json_is_object(args) ? json_dumps(args, JSON_COMPACT) : strdup("{}");
    if (!input) {
        rc = FCP_ENOMEM;
        goto done;
    }
    fcp_buf req, resp;
    fcp_buf_init(&req);
    fcp_buf_init(&resp);
    rc = encode_invoke(m, op, input, &o, &req);
    free(input);
    if (rc == 0 && req.len > FCP_ADMIN_MAX_PAYLOAD) {
        rc = rpc_error(out, id, FCP_MCP_RPC_INVALID_PARAMS, FCP_EMCP_PARAMS,
                       "arguments too large: the invoke request would exceed fcpd's %u-byte admin frame",
                       FCP_ADMIN_MAX_PAYLOAD);
    } else if (rc < 0) {
        rc = rpc_error(out, id, FCP_MCP_RPC_INTERNAL_ERROR, rc, "cannot encode the invoke request");
    } else if ((rc = daemon_call(m, &req, &resp, why, sizeof why)) < 0) {
        rc = rpc_error(out, id, FCP_MCP_RPC_INTERNAL_ERROR, FCP_EMCP_DAEMON, "%s", why);
    } else {
        int ok = 0;
        if (fcp_admin_resp_bool(resp.data, resp.len, "ok", &ok) != 1)
            rc = rpc_error(out, id, FCP_MCP_RPC_INTERNAL_ERROR, FCP_EMCP_DAEMON,
                           "fcpd's invoke answer has no \"ok\"");
        else
            rc = rpc_result(out, id, invoke_result(m, &resp, ok));
    }
    sodium_memzero(req.data, req.len);   /* carries the token */
    fcp_buf_free(&req);
    fcp_buf_free(&resp);
done:
    opts_free(&o);
    catalog_free(&c);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* initialize, dispatch                                                      */
/* ------------------------------------------------------------------------ */

static int do_initialize(fcp_mcp *m, json_t *id, json_t *params, fcp_buf *out)
{
    json_t *pv = params ? json_object_get(params, "protocolVersion") : NULL;
    if (!pv || !json_is_string(pv))
        return rpc_error(out, id, FCP_MCP_RPC_INVALID_PARAMS, FCP_EMCP_PARAMS,
                         "initialize needs params.protocolVersion (a string)");
    if (m->initialized)
        return rpc_error(out, id, FCP_MCP_RPC_INVALID_REQUEST, FCP_EMCP_NOT_INITIALIZED,
                         "already initialized");
    /* spec lifecycle: the client's version if we support it, else our latest */
    m->proto = 0;
    for (size_t i = 0; i < N_VERSIONS; i++)
        if (strcmp(json_string_value(pv), versions[i]) == 0)
            m->proto = (int)i;
    m->initialized = 1;
    json_t *r = json_object();
    json_object_set_new(r, "protocolVersion", json_string(versions[m->proto]));
    json_t *caps = json_object(), *tools = json_object();
    json_object_set_new(tools, "listChanged", json_false());
    json_object_set_new(caps, "tools", tools);
    json_object_set_new(r, "capabilities", caps);
    json_t *si = json_object();
    json_object_set_new(si, "name", json_string("fcp"));
    json_object_set_new(si, "version", jstr(m->version));
    json_object_set_new(r, "serverInfo", si);
    json_object_set_new(r, "instructions",
                        json_string("Each tool is one FCP connector operation, run by the local fcpd "
                                    "under this bridge's capability token. A refusal (token, policy, "
                                    "approval, rate limit) is a tool result with isError true whose text "
                                    "starts with its FCP-xxxx reason code."));
    return rpc_result(out, id, r);
}

static int dispatch(fcp_mcp *m, json_t *id, const char *method, json_t *params, fcp_buf *out)
{
    if (strcmp(method, "ping") == 0)
        return rpc_result(out, id, json_object());
    if (strcmp(method, "initialize") == 0)
        return do_initialize(m, id, params, out);
    int known = strcmp(method, "tools/list") == 0 || strcmp(method, "tools/call") == 0;
    if (!known)
        return rpc_error(out, id, FCP_MCP_RPC_METHOD_NOT_FOUND, FCP_EMCP_METHOD, "method not found: %s",
                         method);
    if (!m->initialized)
        return rpc_error(out, id, FCP_MCP_RPC_INVALID_REQUEST, FCP_EMCP_NOT_INITIALIZED,
                         "server not initialized: send initialize first");
    if (strcmp(method, "tools/list") == 0)
        return do_tools_list(m, id, params, out);
    return do_tools_call(m, id, params, out);
}

/* JSON-RPC envelope checks in order, then dispatch (D-MCP-2). */
static int handle_value(fcp_mcp *m, json_t *v, fcp_buf *out)
{
    if (json_is_array(v))
        return rpc_error(out, NULL, FCP_MCP_RPC_INVALID_REQUEST, FCP_EMCP_INVALID_REQUEST,
                         "JSON-RPC batches are not supported (MCP 2025-06-18 removed them)");
    if (!json_is_object(v))
        return rpc_error(out, NULL, FCP_MCP_RPC_INVALID_REQUEST, FCP_EMCP_INVALID_REQUEST,
                         "a JSON-RPC message must be an object");
    json_t *id = json_object_get(v, "id");
    json_t *method = json_object_get(v, "method");
    json_t *jr = json_object_get(v, "jsonrpc");
    int version_ok = jr && json_is_string(jr) && strcmp(json_string_value(jr), "2.0") == 0;
    if (method && json_is_string(method) && !id)
        return 0;   /* a notification: never answered; initialized/cancelled need no action */
    if (!method && id && (json_object_get(v, "result") || json_object_get(v, "error")))
        return 0;   /* a response to a request we never send */
    int id_ok = id && (json_is_string(id) || json_is_integer(id));
    json_t *rid = id_ok ? id : NULL;
    if (!version_ok)
        return rpc_error(out, rid, FCP_MCP_RPC_INVALID_REQUEST, FCP_EMCP_INVALID_REQUEST,
                         "\"jsonrpc\" must be \"2.0\"");
    if (!id_ok)
        return rpc_error(out, NULL, FCP_MCP_RPC_INVALID_REQUEST, FCP_EMCP_INVALID_REQUEST,
                         "\"id\" must be a string or an integer");
    if (!method || !json_is_string(method))
        return rpc_error(out, rid, FCP_MCP_RPC_INVALID_REQUEST, FCP_EMCP_INVALID_REQUEST,
                         "\"method\" must be a string");
    json_t *params = json_object_get(v, "params");
    if (params && json_is_null(params))
        params = NULL;
    if (params && json_is_array(params))
        return rpc_error(out, rid, FCP_MCP_RPC_INVALID_PARAMS, FCP_EMCP_PARAMS,
                         "MCP params are named: \"params\" must be an object");
    if (params && !json_is_object(params))
        return rpc_error(out, rid, FCP_MCP_RPC_INVALID_REQUEST, FCP_EMCP_INVALID_REQUEST,
                         "\"params\" must be an object");
    const char *mname = json_string_value(method);
    if (strlen(mname) != json_string_length(method))
        return rpc_error(out, rid, FCP_MCP_RPC_METHOD_NOT_FOUND, FCP_EMCP_METHOD, "method not found");
    return dispatch(m, rid, mname, params, out);
}

int fcp_mcp_handle_line(fcp_mcp *m, const char *line, size_t len, fcp_buf *out)
{
    if (len && line[len - 1] == '\r')
        len--;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
        i++;
    if (i == len)
        return 0;   /* blank line: nothing to answer */
    json_error_t je;
    json_t *v = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        /* jansson may quote the offending bytes: keep the message ASCII */
        for (char *p = je.text; *p; p++)
            if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
                *p = '?';
        return rpc_error(out, NULL, FCP_MCP_RPC_PARSE_ERROR, FCP_EMCP_PARSE, "parse error at byte %d: %s",
                         je.position, je.text);
    }
    size_t mark = out->len;
    int rc = handle_value(m, v, out);
    json_decref(v);
    if (rc < 0)
        out->len = mark;   /* never half a line */
    return rc;
}

static int too_long(fcp_buf *out)
{
    return rpc_error(out, NULL, FCP_MCP_RPC_PARSE_ERROR, FCP_EMCP_LINE_TOO_LONG,
                     "message longer than %u bytes: discarded up to its newline", FCP_MCP_MAX_LINE);
}

int fcp_mcp_feed(fcp_mcp *m, const uint8_t *p, size_t n, fcp_buf *out)
{
    while (n) {
        const uint8_t *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        size_t step = take + (nl ? 1 : 0);
        int rc = 0;
        if (m->discarding) {
            if (nl)
                m->discarding = 0;
        } else if (m->line.len + take > FCP_MCP_MAX_LINE) {
            fcp_buf_reset(&m->line);
            m->discarding = !nl;
            rc = too_long(out);
        } else if (nl && m->line.len == 0) {
            rc = fcp_mcp_handle_line(m, (const char *)p, take, out);
        } else {
            rc = fcp_buf_append(&m->line, p, take);
            if (rc == 0 && nl) {
                rc = fcp_mcp_handle_line(m, (const char *)m->line.data, m->line.len, out);
                fcp_buf_reset(&m->line);
            }
        }
        if (rc < 0)
            return rc;
        p += step;
        n -= step;
    }
    return 0;
}

int fcp_mcp_finish(fcp_mcp *m, fcp_buf *out)
{
    int rc = 0;
    if (!m->discarding && m->line.len)
        rc = fcp_mcp_handle_line(m, (const char *)m->line.data, m->line.len, out);
    fcp_buf_reset(&m->line);
    m->discarding = 0;
    return rc;
}
