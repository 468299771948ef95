/*
 * fuzz_mcp_jsonrpc.c - libFuzzer target for the MCP bridge's input path
 * (src/host/host_mcp.c): the stdio line splitter, JSON-RPC envelope checks,
 * the MCP methods, and the decoding of fcpd's answers.
 *
 * Input: byte 0 picks the set-up (bit 0: send initialize first, so the tools methods
 * are reachable; bits 1-2: the fake fcpd answers with a valid catalog and
 * echoes invoke input as output / fails to connect / answers with the bytes
 * after the first 0x00 of the input (fuzzed CBOR) / refuses every invoke);
 * byte 1 is the chunk size the rest is fed in; the rest is stdin.
 *
 * Properties: no crash, leak or hang; the output is whole lines, each a JSON
 * object with "jsonrpc":"2.0", an "id", and exactly one of result / error,
 * whose error code is one of the five JSON-RPC codes the bridge uses; never
 * more answers than input lines.  A broken property calls abort().
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/host_mcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz {
    int            mode;
    const uint8_t *resp;
    size_t         resp_len;
} fz;

static void op(fcp_cbor_enc *e, const char *name, const char *tier, const char *schema)
{
    fcp_cbor_map_open(e);
    fcp_cbor_put_cstr(e, "name");
    fcp_cbor_put_cstr(e, name);
    fcp_cbor_put_cstr(e, "description");
    fcp_cbor_put_cstr(e, "d");
    fcp_cbor_put_cstr(e, "tier");
    fcp_cbor_put_cstr(e, tier);
    fcp_cbor_put_cstr(e, "idempotent");
    fcp_cbor_put_bool(e, 1);
    fcp_cbor_put_cstr(e, "requires_approval");
    fcp_cbor_put_bool(e, 0);
    fcp_cbor_put_cstr(e, "input_schema");
    fcp_cbor_put_cstr(e, schema);
    fcp_cbor_put_cstr(e, "capability");
    fcp_cbor_put_cstr(e, "c.r");
    fcp_cbor_map_close(e);
}

static int daemon(void *ctx, const uint8_t *req, size_t len, fcp_buf *resp)
{
    fz *f = ctx;
    fcp_buf_reset(resp);
    if (f->mode == 1)
        return FCP_EADMIN_CONNECT;
    if (f->mode == 2)
        return fcp_buf_append(resp, f->resp, f->resp_len);
    /* canned: which op? */
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, req, len, NULL);
    fcp_cbor_map_iter it;
    const char *k, *s, *input = "{}", *opname = "";
    size_t kl, sl, il = 2, ol = 0;
    if (fcp_cbor_map_begin(&d, &it) < 0)
        abort();   /* the bridge always sends a canonical map */
    while (fcp_cbor_map_next_text_key(&d, &it, &k, &kl) > 0) {
        if (fcp_cbor_key_is(k, kl, "op") && fcp_cbor_get_text(&d, &s, &sl) == 0) {
            opname = s;
            ol = sl;
        } else if (fcp_cbor_key_is(k, kl, "input") && fcp_cbor_get_text(&d, &s, &sl) == 0) {
            input = s;
            il = sl;
        } else if (fcp_cbor_skip(&d) < 0) {
            abort();
        }
    }
    if (fcp_cbor_dec_finish(&d) < 0)
        abort();
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, resp);
    fcp_cbor_map_open(&e);
    if (ol == 10 && memcmp(opname, "connectors", 10) == 0) {
        fcp_cbor_put_cstr(&e, "ok");
        fcp_cbor_put_bool(&e, 1);
        fcp_cbor_put_cstr(&e, "connectors");
        fcp_cbor_put_array(&e, 1);
        fcp_cbor_map_open(&e);
        fcp_cbor_put_cstr(&e, "id");
        fcp_cbor_put_cstr(&e, "c");
        fcp_cbor_put_cstr(&e, "state");
        fcp_cbor_put_cstr(&e, "active");
        fcp_cbor_put_cstr(&e, "operations");
        fcp_cbor_put_array(&e, 3);
        op(&e, "get", "safe", "{\"type\":\"object\",\"properties\":{\"a\":{}}}");
        op(&e, "put", "risky", "{\"required\":[1]}");
        op(&e, "del", "dangerous", "nonsense");
        fcp_cbor_map_close(&e);
    } else if (f->mode == 3) {
        fcp_cbor_put_cstr(&e, "ok");
        fcp_cbor_put_bool(&e, 0);
        fcp_cbor_put_cstr(&e, "code");
        fcp_cbor_put_cstr(&e, "FCP-3005");
        fcp_cbor_put_cstr(&e, "error");
        fcp_cbor_put_cstr(&e, "operation not granted");
        fcp_cbor_put_cstr(&e, "detail");
        fcp_cbor_put_text(&e, input, il);
    } else {
        uint8_t rid[32] = { 0 };
        fcp_cbor_put_cstr(&e, "ok");
        fcp_cbor_put_bool(&e, 1);
        fcp_cbor_put_cstr(&e, "output");
        fcp_cbor_put_text(&e, input, il);
        fcp_cbor_put_cstr(&e, "receipt_id");
        fcp_cbor_put_bytes(&e, rid, sizeof rid);
    }
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

static void check_output(const fcp_buf *out, size_t max_lines)
{
    size_t lines = 0, start = 0;
    if (out->len && out->data[out->len - 1] != '\n')
        abort();   /* half a line */
    for (size_t i = 0; i < out->len; i++) {
        if (out->data[i] != '\n')
            continue;
        lines++;
        json_error_t je;
        json_t *v = json_loadb((const char *)out->data + start, i - start, JSON_REJECT_DUPLICATES, &je);
        if (!v || !json_is_object(v))
            abort();
        json_t *jr = json_object_get(v, "jsonrpc");
        if (!jr || !json_is_string(jr) || strcmp(json_string_value(jr), "2.0") != 0)
            abort();
        if (!json_object_get(v, "id"))
            abort();
        json_t *r = json_object_get(v, "result"), *e = json_object_get(v, "error");
        if (!r == !e)
            abort();
        if (e) {
            json_int_t c = json_integer_value(json_object_get(e, "code"));
            if (c != -32700 && c != -32600 && c != -32601 && c != -32602 && c != -32603)
                abort();
            if (!json_is_string(json_object_get(e, "message")))
                abort();
        }
        json_decref(v);
        start = i + 1;
    }
    if (lines > max_lines)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    fz f = { .mode = (data[0] >> 1) & 3 };
    size_t chunk = data[1] ? data[1] : 4096;
    data += 2;
    size -= 2;
    if (f.mode == 2) {
        const uint8_t *z = memchr(data, 0, size);
        if (!z)
            return 0;
        f.resp = z + 1;
        f.resp_len = size - (size_t)(z + 1 - data);
        size = (size_t)(z - data);
    }
    static const uint8_t tok[] = { 0x84, 0x40, 0xa0, 0x40, 0x40 };
    fcp_mcp_config cfg = { .token = tok, .token_len = sizeof tok, .daemon = daemon, .daemon_ctx = &f };
    fcp_mcp *m;
    if (fcp_mcp_new(&m, &cfg) < 0)
        abort();
    fcp_buf out;
    fcp_buf_init(&out);
    size_t lines = 1;   /* the last line without '\n' */
    if (data[-2] & 1) {
        static const char init[] =
            "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}\n";
        if (fcp_mcp_feed(m, (const uint8_t *)init, sizeof init - 1, &out) < 0)
            abort();
        lines++;
    }
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    for (size_t off = 0; off < size; off += chunk)
        if (fcp_mcp_feed(m, data + off, size - off < chunk ? size - off : chunk, &out) < 0)
            abort();
    if (fcp_mcp_finish(m, &out) < 0)
        abort();
    check_output(&out, lines);
    fcp_buf_free(&out);
    fcp_mcp_free(m);
    return 0;
}
