/*
 * conn_sdk.c - the connector side of the local transport (connector.h).
 *
 * One loop: read a frame, decode the control message, answer it.  The
 * standard methods are answered from the parsed embedded manifest, so a
 * connector author writes only operation handlers.  Handlers run inline;
 * while one runs, the SDK may send egress_http requests and events and read
 * the host's replies to them.  Blocking I/O is deliberate: the host owns
 * every deadline and kills a connector that overstays.
 */
#include "fcp/connector.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/host_manifest.h"
#include "fcp/host_transport.h"

#define MAX_TOPICS 16

struct fcp_conn_ctx {
    const fcp_connector_def *def;
    fcp_manifest m;
    uint8_t      mhash[32];
    int          fd;
    fcp_lt_rx    rx;
    uint64_t     next_id;      /* ids of connector-initiated requests */
    int          handshaken;
    char         err[FCP_LT_MSG_TEXT_MAX];
    char         topics[MAX_TOPICS][64];
    size_t       n_topics;
};

void *fcp_conn_user(fcp_conn_ctx *ctx) { return ctx->def->user; }

const char *fcp_conn_state_dir(fcp_conn_ctx *ctx)
{
    (void)ctx;
    const char *s = getenv("CONNECTOR_STATE");
    return s && *s ? s : ".";
}

const char *fcp_conn_last_error(fcp_conn_ctx *ctx) { return ctx->err; }

int fcp_conn_fail(fcp_conn_ctx *ctx, int code, const char *fmt, ...)
{
    /* format into a copy: an argument may be fcp_conn_last_error(ctx), the
     * very buffer being written (vsnprintf with overlapping memory is UB) */
    char tmp[sizeof ctx->err];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(ctx->err, tmp, sizeof tmp);
    return code;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(fd, p + off, n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return FCP_EHOST_CLOSED;
        off += (size_t)w;
    }
    return 0;
}

static int send_msg(fcp_conn_ctx *ctx, const char *type, uint64_t id, const fcp_buf *body,
                    int64_t code, const char *text)
{
    fcp_buf out;
    fcp_buf_init(&out);
    fcp_lt_msg m = {type, 0, id, body ? body->data : NULL, body ? body->len : 0, code, text, 0};
    int rc = fcp_lt_msg_encode(&m, &out);
    if (rc == 0) rc = write_all(ctx->fd, out.data, out.len);
    fcp_buf_free(&out);
    return rc;
}

static int send_error(fcp_conn_ctx *ctx, uint64_t id, int code)
{
    if (!ctx->err[0]) snprintf(ctx->err, sizeof ctx->err, "%s", fcp_strerror(code));
    int rc = send_msg(ctx, "error", id, NULL, -(int64_t)code, ctx->err);
    ctx->err[0] = '\0';
    return rc;
}

/* Block until one message is in; *m points into ctx->rx. */
static int read_msg(fcp_conn_ctx *ctx, fcp_lt_msg *m)
{
    uint8_t chunk[8192];
    /* bounded by the peer: each pass reads at least one byte or returns */
    while (!ctx->rx.ready) {
        size_t want = ctx->rx.need - ctx->rx.have;
        if (want > sizeof chunk) want = sizeof chunk;
        ssize_t r = recv(ctx->fd, chunk, want, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return FCP_EHOST_CLOSED;
        size_t used;
        int rc = fcp_lt_rx_feed(&ctx->rx, chunk, (size_t)r, &used);
        if (rc < 0) return rc;
    }
    const uint8_t *p;
    size_t n;
    fcp_lt_rx_take(&ctx->rx, &p, &n);
    return fcp_lt_msg_decode(p, n, m);
}

/* Text field `key` of a CBOR map body. */
static int get_text_field(const fcp_lt_msg *m, const char *key, const char **v, size_t *vl)
{
    if (!m->body) return FCP_EMISSING_FIELD;
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, m->body, m->body_len, NULL);
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    int rc = fcp_cbor_map_begin(&d, &it);
    while (rc >= 0 && (rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        if (fcp_cbor_key_is(k, kl, key)) return fcp_cbor_get_text(&d, v, vl);
        rc = fcp_cbor_skip(&d);
    }
    return rc < 0 ? rc : FCP_EMISSING_FIELD;
}

static void put_list(fcp_cbor_enc *e, const char *k, char *const *v, size_t n)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_array(e, n);
    for (size_t i = 0; i < n; i++) fcp_cbor_put_cstr(e, v[i]);
}

static const fcp_conn_op *find_impl(const fcp_connector_def *d, const char *name, size_t n)
{
    for (size_t i = 0; i < d->n_ops; i++)
        if (strlen(d->ops[i].name) == n && memcmp(d->ops[i].name, name, n) == 0) return &d->ops[i];
    return NULL;
}

static int do_invoke(fcp_conn_ctx *ctx, const fcp_lt_msg *m, int simulate, fcp_buf *reply)
{
    const char *op, *in;
    size_t opl, inl;
    if (get_text_field(m, "operation", &op, &opl) < 0 || get_text_field(m, "input", &in, &inl) < 0)
        return fcp_conn_fail(ctx, FCP_EINVALID_REQUEST, "invoke needs text fields operation and input");
    char name[FCP_MANIFEST_MAX_ID + 1];
    if (opl == 0 || opl > FCP_MANIFEST_MAX_ID)
        return fcp_conn_fail(ctx, FCP_EHOST_UNKNOWN_OP, "operation name empty or too long");
    memcpy(name, op, opl);
    name[opl] = '\0';
    const fcp_manifest_op *mo = fcp_manifest_find_op(&ctx->m, name);
    const fcp_conn_op *impl = find_impl(ctx->def, op, opl);
    if (!mo || !impl)
        return fcp_conn_fail(ctx, FCP_EHOST_UNKNOWN_OP, "operation '%s' is not declared by %s", name,
                             ctx->m.id);
    char *input = malloc(inl + 1);
    if (!input) return FCP_ENOMEM;
    memcpy(input, in, inl);
    input[inl] = '\0';
    fcp_buf out;
    fcp_buf_init(&out);
    int rc;
    if (simulate && !impl->simulate) {
        char tmp[160];
        snprintf(tmp, sizeof tmp, "{\"would_invoke\":\"%s\",\"safety_tier\":\"%s\"}", name,
                 fcp_safety_tier_name(mo->tier));
        rc = fcp_buf_append(&out, tmp, strlen(tmp));
    } else {
        rc = (simulate ? impl->simulate : impl->invoke)(ctx, input, inl, &out);
        if (rc > 0) rc = FCP_EHOST_OP_FAILED;
    }
    free(input);
    if (rc == 0 && out.err) rc = out.err;
    if (rc == 0) {
        fcp_cbor_enc e;
        fcp_cbor_enc_init(&e, reply);
        fcp_cbor_put_map(&e, 1);
        fcp_cbor_put_cstr(&e, "output");
        fcp_cbor_put_text(&e, out.len ? (const char *)out.data : "", out.len);
        rc = fcp_cbor_enc_finish(&e);
        fcp_cbor_enc_free(&e);
    }
    fcp_buf_free(&out);
    return rc;
}

/* Answer one request; *stop set after shutdown. */
static int dispatch(fcp_conn_ctx *ctx, const fcp_lt_msg *m, int *stop)
{
    fcp_buf reply;
    fcp_buf_init(&reply);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &reply);
    int rc = 0;
    if (!ctx->handshaken && !fcp_lt_msg_is(m, "handshake") && !fcp_lt_msg_is(m, "health") &&
        !fcp_lt_msg_is(m, "shutdown")) {
        rc = fcp_conn_fail(ctx, FCP_EHOST_STATE, "handshake first");
    } else if (fcp_lt_msg_is(m, "handshake")) {
        const char *p;
        size_t pl;
        if (get_text_field(m, "protocol", &p, &pl) < 0 || pl != strlen(FCP_LT_PROTOCOL) ||
            memcmp(p, FCP_LT_PROTOCOL, pl) != 0) {
            rc = fcp_conn_fail(ctx, FCP_EVERSION, "protocol must be %s", FCP_LT_PROTOCOL);
        } else {
            ctx->handshaken = 1;
            fcp_cbor_map_open(&e);
            fcp_cbor_put_cstr(&e, "protocol");
            fcp_cbor_put_cstr(&e, FCP_LT_PROTOCOL);
            fcp_cbor_put_cstr(&e, "connector_id");
            fcp_cbor_put_cstr(&e, ctx->m.id);
            fcp_cbor_put_cstr(&e, "version");
            fcp_cbor_put_cstr(&e, ctx->m.version);
            fcp_cbor_put_cstr(&e, "manifest_hash");
            fcp_cbor_put_bytes(&e, ctx->mhash, 32);
            fcp_cbor_map_close(&e);
        }
    } else if (fcp_lt_msg_is(m, "describe")) {
        fcp_buf mc;
        fcp_buf_init(&mc);
        rc = fcp_manifest_encode(&ctx->m, &mc);
        fcp_cbor_map_open(&e);
        fcp_cbor_put_cstr(&e, "id");
        fcp_cbor_put_cstr(&e, ctx->m.id);
        fcp_cbor_put_cstr(&e, "name");
        fcp_cbor_put_cstr(&e, ctx->m.name);
        fcp_cbor_put_cstr(&e, "version");
        fcp_cbor_put_cstr(&e, ctx->m.version);
        fcp_cbor_put_cstr(&e, "description");
        fcp_cbor_put_cstr(&e, ctx->m.description);
        fcp_cbor_put_cstr(&e, "manifest");
        fcp_cbor_put_bytes(&e, mc.data, mc.len);
        fcp_cbor_put_cstr(&e, "manifest_hash");
        fcp_cbor_put_bytes(&e, ctx->mhash, 32);
        fcp_cbor_map_close(&e);
        fcp_buf_free(&mc);
    } else if (fcp_lt_msg_is(m, "introspect")) {
        fcp_cbor_map_open(&e);
        fcp_cbor_put_cstr(&e, "operations");
        fcp_cbor_put_array(&e, ctx->m.n_ops);
        for (size_t i = 0; i < ctx->m.n_ops; i++) {
            const fcp_manifest_op *o = &ctx->m.ops[i];
            fcp_cbor_map_open(&e);
            fcp_cbor_put_cstr(&e, "name");
            fcp_cbor_put_cstr(&e, o->name);
            fcp_cbor_put_cstr(&e, "description");
            fcp_cbor_put_cstr(&e, o->description);
            fcp_cbor_put_cstr(&e, "capability");
            fcp_cbor_put_cstr(&e, o->capability);
            fcp_cbor_put_cstr(&e, "safety_tier");
            fcp_cbor_put_cstr(&e, fcp_safety_tier_name(o->tier));
            fcp_cbor_put_cstr(&e, "input_schema");
            fcp_cbor_put_cstr(&e, o->input_schema);
            fcp_cbor_put_cstr(&e, "output_schema");
            fcp_cbor_put_cstr(&e, o->output_schema);
            fcp_cbor_map_close(&e);
        }
        fcp_cbor_put_cstr(&e, "events");
        fcp_cbor_put_array(&e, 0);
        fcp_cbor_map_close(&e);
    } else if (fcp_lt_msg_is(m, "capabilities")) {
        fcp_cbor_map_open(&e);
        put_list(&e, "required", ctx->m.caps_required, ctx->m.n_required);
        put_list(&e, "optional", ctx->m.caps_optional, ctx->m.n_optional);
        put_list(&e, "forbidden", ctx->m.caps_forbidden, ctx->m.n_forbidden);
        fcp_cbor_map_close(&e);
    } else if (fcp_lt_msg_is(m, "configure")) {
        if (ctx->def->configure)
            rc = ctx->def->configure(ctx, m->body, m->body ? m->body_len : 0);
        if (rc == 0) {
            fcp_cbor_put_map(&e, 1);
            fcp_cbor_put_cstr(&e, "configured");
            fcp_cbor_put_bool(&e, 1);
        }
    } else if (fcp_lt_msg_is(m, "invoke") || fcp_lt_msg_is(m, "simulate")) {
        rc = do_invoke(ctx, m, fcp_lt_msg_is(m, "simulate"), &reply);
    } else if (fcp_lt_msg_is(m, "health")) {
        fcp_cbor_put_map(&e, 1);
        fcp_cbor_put_cstr(&e, "status");
        fcp_cbor_put_cstr(&e, ctx->handshaken ? "ready" : "starting");
    } else if (fcp_lt_msg_is(m, "shutdown")) {
        *stop = 1;
        fcp_cbor_put_map(&e, 1);
        fcp_cbor_put_cstr(&e, "status");
        fcp_cbor_put_cstr(&e, "stopping");
    } else if (fcp_lt_msg_is(m, "subscribe")) {
        const char *t;
        size_t tl;
        if (get_text_field(m, "topic", &t, &tl) < 0 || tl == 0 || tl >= 64)
            rc = fcp_conn_fail(ctx, FCP_EINVALID_REQUEST, "subscribe needs a topic (1..63 bytes)");
        else if (ctx->n_topics >= MAX_TOPICS)
            rc = fcp_conn_fail(ctx, FCP_ELIMIT, "at most %d topics", MAX_TOPICS);
        else {
            memcpy(ctx->topics[ctx->n_topics], t, tl);
            ctx->topics[ctx->n_topics++][tl] = '\0';
            fcp_cbor_put_map(&e, 1);
            fcp_cbor_put_cstr(&e, "subscribed");
            fcp_cbor_put_uint(&e, ctx->n_topics);
        }
    } else {
        rc = fcp_conn_fail(ctx, FCP_EHOST_UNEXPECTED, "unknown method '%.*s'", (int)m->type_len, m->type);
    }
    if (rc == 0) rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    int wr = rc == 0 ? send_msg(ctx, "response", m->id, &reply, 0, NULL) : send_error(ctx, m->id, rc);
    fcp_buf_free(&reply);
    return wr;
}

int fcp_connector_serve(const fcp_connector_def *def, int fd)
{
    fcp_conn_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return 2;
    ctx->def = def;
    ctx->fd = fd;
    ctx->next_id = 1;
    fcp_toml_error err;
    int status = 0;
    if (fcp_manifest_parse(&ctx->m, "embedded manifest", def->manifest_text, def->manifest_len, &err) < 0) {
        fprintf(stderr, "connector: %s\n", err.msg);
        free(ctx);
        return 1;
    }
    for (size_t i = 0; i < def->n_ops; i++) {
        if (!fcp_manifest_find_op(&ctx->m, def->ops[i].name)) {
            fprintf(stderr, "connector: operation '%s' is not declared in the manifest\n",
                    def->ops[i].name);
            status = 1;
        }
    }
    if (status == 0 && (fcp_manifest_hash(&ctx->m, ctx->mhash) < 0 || fcp_lt_rx_init(&ctx->rx, 0) < 0))
        status = 2;
    int stop = 0;
    /* one request per pass; ends on shutdown or when the host goes away */
    while (status == 0 && !stop) {
        fcp_lt_msg m;
        int rc = read_msg(ctx, &m);
        if (rc == FCP_EHOST_CLOSED) break;
        if (rc < 0 || dispatch(ctx, &m, &stop) < 0) status = 2;
    }
    fcp_lt_rx_free(&ctx->rx);
    fcp_manifest_free(&ctx->m);
    free(ctx);
    return status;
}

int fcp_connector_main(const fcp_connector_def *def)
{
    const char *s = getenv("FCP_TRANSPORT_FD");
    int fd = FCP_LT_CONNECTOR_FD;
    if (s && *s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (*end || v < 0 || v > 1023) {
            fprintf(stderr, "connector: FCP_TRANSPORT_FD is not a descriptor number\n");
            return 2;
        }
        fd = (int)v;
    }
    return fcp_connector_serve(def, fd);
}

/* Send a connector-initiated request and wait for its reply; the reply body
 * is appended to *body. */
static int request(fcp_conn_ctx *ctx, const char *type, const fcp_buf *req, fcp_buf *body)
{
    uint64_t id = ctx->next_id++;
    int rc = send_msg(ctx, type, id, req, 0, NULL);
    if (rc < 0) return rc;
    fcp_lt_msg m;
    if ((rc = read_msg(ctx, &m)) < 0) return rc;
    if (m.id != id || (!fcp_lt_msg_is(&m, "response") && !fcp_lt_msg_is(&m, "error")))
        return fcp_conn_fail(ctx, FCP_EHOST_UNEXPECTED, "host answered something else");
    if (fcp_lt_msg_is(&m, "error")) {
        snprintf(ctx->err, sizeof ctx->err, "%.*s", (int)m.text_len, m.text);
        int code = (int)-m.code;
        return m.code >= 1000 && m.code <= 9999 && fcp_error_known(code) ? code : FCP_EHOST_OP_FAILED;
    }
    if (m.body) fcp_buf_append(body, m.body, m.body_len);
    return body->err;
}

int fcp_conn_emit_event(fcp_conn_ctx *ctx, const char *topic, const char *data_json)
{
    size_t i;
    for (i = 0; i < ctx->n_topics; i++)
        if (strcmp(ctx->topics[i], topic) == 0) break;
    if (i == ctx->n_topics) return fcp_conn_fail(ctx, FCP_EHOST_STATE, "topic '%s' not subscribed", topic);
    fcp_buf b;
    fcp_buf_init(&b);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &b);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "topic");
    fcp_cbor_put_cstr(&e, topic);
    fcp_cbor_put_cstr(&e, "data");
    fcp_cbor_put_cstr(&e, data_json);
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    if (rc == 0) rc = send_msg(ctx, "event", 0, &b, 0, NULL);
    fcp_buf_free(&b);
    return rc;
}

int fcp_egress_http(fcp_conn_ctx *ctx, const fcp_egress_request *req, fcp_egress_response *resp,
                    fcp_buf *storage)
{
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = fcp_egress_request_encode(req, &b);
    if (rc == 0) rc = request(ctx, "egress_http", &b, storage);
    fcp_buf_free(&b);
    if (rc == 0) rc = fcp_egress_response_decode(resp, storage->data, storage->len);
    return rc;
}

/* A bytes field of a CBOR map body: 1 and the value in v, n; 0 when absent. */
static int body_bytes(const fcp_buf *b, const char *key, const uint8_t **v, size_t *n)
{
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, b->data, b->len, NULL);
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    int rc = fcp_cbor_map_begin(&d, &it);
    while (rc >= 0 && (rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        if (fcp_cbor_key_is(k, kl, key)) return fcp_cbor_get_bytes(&d, v, n) < 0 ? FCP_EHOST_UNEXPECTED : 1;
        rc = fcp_cbor_skip(&d);
    }
    return rc < 0 ? FCP_EHOST_UNEXPECTED : 0;
}

int fcp_conn_state_get(fcp_conn_ctx *ctx, fcp_buf *state, uint8_t head[32])
{
    static const uint8_t empty_map = 0xa0;
    fcp_buf req, body;
    fcp_buf_init(&req);
    fcp_buf_init(&body);
    int rc = fcp_buf_append(&req, &empty_map, 1);
    if (rc == 0) rc = request(ctx, "state_get", &req, &body);
    const uint8_t *v = NULL, *h = NULL;
    size_t n = 0, hn = 0;
    if (rc == 0) rc = body_bytes(&body, "state", &v, &n);
    if (rc == 1) {
        if (body_bytes(&body, "head", &h, &hn) != 1 || hn != 32)
            rc = fcp_conn_fail(ctx, FCP_EHOST_UNEXPECTED, "state_get answer without a head");
        else if (fcp_buf_append(state, v, n) < 0)
            rc = FCP_ENOMEM;
        else if (head)
            memcpy(head, h, 32);
    }
    fcp_buf_free(&req);
    fcp_buf_free(&body);
    return rc;
}

int fcp_conn_state_put(fcp_conn_ctx *ctx, const void *state, size_t len, const uint8_t *expect_head,
                       size_t expect_len, uint8_t new_head[32])
{
    if (expect_head && expect_len != 0 && expect_len != 32)
        return fcp_conn_fail(ctx, FCP_EINVAL, "expect_len must be 0 or 32");
    fcp_buf b, body;
    fcp_buf_init(&b);
    fcp_buf_init(&body);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &b);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "state");
    fcp_cbor_put_bytes(&e, state, len);
    if (expect_head) {
        fcp_cbor_put_cstr(&e, "prev");
        fcp_cbor_put_bytes(&e, expect_head, expect_len);
    }
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    if (rc == 0) rc = request(ctx, "state_put", &b, &body);
    if (rc == 0) {
        const uint8_t *h;
        size_t hn;
        if (body_bytes(&body, "head", &h, &hn) != 1 || hn != 32)
            rc = fcp_conn_fail(ctx, FCP_EHOST_UNEXPECTED, "state_put answer without a head");
        else if (new_head)
            memcpy(new_head, h, 32);
    }
    fcp_buf_free(&b);
    fcp_buf_free(&body);
    return rc;
}
