/*
 * node_admin.c - the admin protocol codec (include/fcp/admin.h): "FCPA"
 * frames, request maps, error responses, response field lookup and the JSON
 * rendering the CLI's --json output uses.
 *
 * Pure: takes bytes, returns bytes.  Every length is checked against a named
 * limit before it is used, and a request is refused for the first thing that
 * is wrong, with a code that says which kind of wrong it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/admin.h"
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/hex.h"

static const char *const op_names[FCP_ADMIN_OP_COUNT_] = {
    [FCP_ADMIN_OP_STATUS] = "status",   [FCP_ADMIN_OP_PEERS] = "peers",
    [FCP_ADMIN_OP_PUT] = "put",         [FCP_ADMIN_OP_PUT_DATA] = "put_data",
    [FCP_ADMIN_OP_PUT_END] = "put_end", [FCP_ADMIN_OP_GET] = "get",
    [FCP_ADMIN_OP_LS] = "ls",           [FCP_ADMIN_OP_PIN] = "pin",
    [FCP_ADMIN_OP_UNPIN] = "unpin",     [FCP_ADMIN_OP_RM] = "rm",
    [FCP_ADMIN_OP_STOP] = "stop",
    [FCP_ADMIN_OP_REVOKE] = "revoke",   [FCP_ADMIN_OP_REVOCATIONS] = "revocations",
    [FCP_ADMIN_OP_CONNECTORS] = "connectors", [FCP_ADMIN_OP_INVOKE] = "invoke",
    [FCP_ADMIN_OP_CONNECTOR_INSTALL] = "connector_install",
    [FCP_ADMIN_OP_CONNECTOR_ACTIVATE] = "connector_activate",
    [FCP_ADMIN_OP_CONNECTOR_STOP] = "connector_stop",
    [FCP_ADMIN_OP_CONNECTOR_ROLLBACK] = "connector_rollback",
    [FCP_ADMIN_OP_PEERS_RELOAD] = "peers_reload",
};

/* Which optional fields each op takes (bit 0 zone, 1 id, 2 size, 3 data)
 * and which it requires. */
#define F_ZONE 1u
#define F_ID   2u
#define F_SIZE 4u
#define F_DATA 8u
#define F_CONNECTOR 0x10u
#define F_OPERATION 0x20u
#define F_INPUT     0x40u
#define F_TOKEN     0x80u
#define F_IDEM      0x100u
#define F_APPROVALS 0x200u
#define F_SIMULATE  0x400u
#define F_MANIFEST  0x800u
#define F_SIGNATURE 0x1000u
#define F_INVOKE_REQ (F_CONNECTOR | F_OPERATION | F_INPUT | F_TOKEN)
static const struct { unsigned allowed, required; } op_fields[FCP_ADMIN_OP_COUNT_] = {
    [FCP_ADMIN_OP_STATUS] = { 0, 0 },
    [FCP_ADMIN_OP_PEERS] = { 0, 0 },
    [FCP_ADMIN_OP_PUT] = { F_ZONE | F_SIZE, F_ZONE | F_SIZE },
    [FCP_ADMIN_OP_PUT_DATA] = { F_DATA, F_DATA },
    [FCP_ADMIN_OP_PUT_END] = { 0, 0 },
    [FCP_ADMIN_OP_GET] = { F_ID | F_ZONE, F_ID },   /* zone: fetch at once (D-MESH-13) */
    [FCP_ADMIN_OP_LS] = { F_ZONE, 0 },
    [FCP_ADMIN_OP_PIN] = { F_ID, F_ID },
    [FCP_ADMIN_OP_UNPIN] = { F_ID, F_ID },
    [FCP_ADMIN_OP_RM] = { F_ID, F_ID },
    [FCP_ADMIN_OP_STOP] = { 0, 0 },
    [FCP_ADMIN_OP_REVOKE] = { F_DATA, F_DATA },
    [FCP_ADMIN_OP_REVOCATIONS] = { F_ID, 0 },   /* id: is it revoked now (scopes bitmask) */
    [FCP_ADMIN_OP_CONNECTORS] = { F_CONNECTOR, 0 },
    [FCP_ADMIN_OP_INVOKE] = { F_INVOKE_REQ | F_IDEM | F_APPROVALS | F_SIMULATE, F_INVOKE_REQ },
    [FCP_ADMIN_OP_CONNECTOR_INSTALL] = { F_MANIFEST | F_SIGNATURE | F_SIZE, F_MANIFEST | F_SIGNATURE | F_SIZE },
    [FCP_ADMIN_OP_CONNECTOR_ACTIVATE] = { F_CONNECTOR, F_CONNECTOR },
    [FCP_ADMIN_OP_CONNECTOR_STOP] = { F_CONNECTOR, F_CONNECTOR },
    [FCP_ADMIN_OP_CONNECTOR_ROLLBACK] = { F_CONNECTOR, F_CONNECTOR },
    [FCP_ADMIN_OP_PEERS_RELOAD] = { 0, 0 },
};

/* Admin payloads are small maps: tight decoder limits. */
static const fcp_cbor_limits admin_limits = {
    .max_depth = 8, .max_items = 100000, .max_input = FCP_ADMIN_MAX_PAYLOAD, .allow = 0
};

const char *fcp_admin_op_name(int op)
{
    return op > 0 && op < FCP_ADMIN_OP_COUNT_ ? op_names[op] : NULL;
}

int fcp_admin_frame_encode(fcp_buf *out, uint64_t seq, const uint8_t *payload, size_t len)
{
    if (len > FCP_ADMIN_MAX_PAYLOAD)
        return FCP_EADMIN_TOO_LARGE;
    uint8_t h[FCP_ADMIN_HEADER_BYTES] = { 0 };
    memcpy(h, FCP_ADMIN_MAGIC, 4);
    fcp_store_u16le(h + 4, FCP_ADMIN_VERSION);
    /* h[6..22) reserved, zero (where FCPC has its session id) */
    fcp_store_u64le(h + 22, seq);
    fcp_store_u16le(h + 30, 0);
    fcp_store_u32le(h + 32, (uint32_t)len);
    fcp_buf_append(out, h, sizeof h);
    return fcp_buf_append(out, payload, len);
}

int fcp_admin_frame_check(const uint8_t *p, size_t n, uint32_t max_payload, uint64_t *seq, uint32_t *len)
{
    /* check the magic as soon as its bytes arrive, so garbage fails fast */
    size_t m = n < 4 ? n : 4;
    if (memcmp(p, FCP_ADMIN_MAGIC, m))
        return FCP_EADMIN_MAGIC;
    if (n < FCP_ADMIN_HEADER_BYTES)
        return 0;
    if (fcp_load_u16le(p + 4) != FCP_ADMIN_VERSION)
        return FCP_EADMIN_VERSION;
    for (size_t i = 6; i < 22; i++)
        if (p[i])
            return FCP_EADMIN_RESERVED;
    if (fcp_load_u16le(p + 30) != 0)
        return FCP_EADMIN_FLAGS;
    uint32_t l = fcp_load_u32le(p + 32);
    if (l > max_payload || l > FCP_ADMIN_MAX_PAYLOAD)
        return FCP_EADMIN_TOO_LARGE;
    if (n - FCP_ADMIN_HEADER_BYTES < l)
        return 0;
    *seq = fcp_load_u64le(p + 22);
    *len = l;
    return 1;
}

int fcp_admin_request_encode(const fcp_admin_request *r, fcp_buf *out)
{
    const char *name = fcp_admin_op_name(r->op);
    if (!name)
        return FCP_EADMIN_UNKNOWN_OP;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "op");
    fcp_cbor_put_cstr(&e, name);
    if (r->has_zone) {
        fcp_cbor_put_cstr(&e, "zone");
        fcp_cbor_put_cstr(&e, r->zone);
    }
    if (r->has_id) {
        fcp_cbor_put_cstr(&e, "id");
        fcp_cbor_put_bytes(&e, r->id, sizeof r->id);
    }
    if (r->has_size) {
        fcp_cbor_put_cstr(&e, "size");
        fcp_cbor_put_uint(&e, r->size);
    }
    if (r->has_data) {
        fcp_cbor_put_cstr(&e, "data");
        fcp_cbor_put_bytes(&e, r->data, r->data_len);
    }
    if (r->has_connector) {
        fcp_cbor_put_cstr(&e, "connector");
        fcp_cbor_put_cstr(&e, r->connector);
    }
    if (r->has_operation) {
        fcp_cbor_put_cstr(&e, "operation");
        fcp_cbor_put_cstr(&e, r->operation);
    }
    if (r->has_input) {
        fcp_cbor_put_cstr(&e, "input");
        fcp_cbor_put_text(&e, r->input, r->input_len);
    }
    if (r->has_token) {
        fcp_cbor_put_cstr(&e, "token");
        fcp_cbor_put_bytes(&e, r->token, r->token_len);
    }
    if (r->has_idempotency_key) {
        fcp_cbor_put_cstr(&e, "idempotency_key");
        fcp_cbor_put_cstr(&e, r->idempotency_key);
    }
    if (r->has_approvals) {
        fcp_cbor_put_cstr(&e, "approvals");
        fcp_cbor_put_array(&e, r->n_approvals);
        for (size_t i = 0; i < r->n_approvals && i < FCP_ADMIN_MAX_APPROVALS; i++)
            fcp_cbor_put_bytes(&e, r->approvals[i], r->approval_lens[i]);
    }
    if (r->has_simulate) {
        fcp_cbor_put_cstr(&e, "simulate");
        fcp_cbor_put_bool(&e, r->simulate);
    }
    if (r->has_manifest) {
        fcp_cbor_put_cstr(&e, "manifest");
        fcp_cbor_put_text(&e, r->manifest, r->manifest_len);
    }
    if (r->has_signature) {
        fcp_cbor_put_cstr(&e, "signature");
        fcp_cbor_put_bytes(&e, r->signature, 64);
    }
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

static int bad(const char **why, const char *msg, int err)
{
    if (why)
        *why = msg;
    return err;
}

int fcp_admin_request_decode(fcp_admin_request *r, const uint8_t *p, size_t n, const char **why)
{
    memset(r, 0, sizeof *r);
    if (n > FCP_ADMIN_MAX_PAYLOAD)
        return bad(why, "payload larger than 1 MiB", FCP_EADMIN_TOO_LARGE);
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, p, n, &admin_limits);
    fcp_cbor_map_iter it;
    if (fcp_cbor_map_begin(&d, &it) < 0)
        return bad(why, "payload is not a canonical CBOR map", FCP_EADMIN_MALFORMED);
    const char *k;
    size_t kl;
    int rc, has_op = 0;
    unsigned seen = 0;
    while ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        if (fcp_cbor_key_is(k, kl, "op")) {
            const char *s;
            size_t sl;
            if (fcp_cbor_get_text(&d, &s, &sl) < 0)
                return bad(why, "'op' must be text", FCP_EADMIN_MALFORMED);
            for (int op = 1; op < FCP_ADMIN_OP_COUNT_; op++)
                if (strlen(op_names[op]) == sl && !memcmp(op_names[op], s, sl))
                    r->op = op;
            if (!r->op)
                return bad(why, "'op' names no known operation", FCP_EADMIN_UNKNOWN_OP);
            has_op = 1;
        } else if (fcp_cbor_key_is(k, kl, "zone")) {
            const char *s;
            size_t sl;
            if (fcp_cbor_get_text(&d, &s, &sl) < 0)
                return bad(why, "'zone' must be text", FCP_EADMIN_MALFORMED);
            if (fcp_zone_id_validate(s, sl) < 0)
                return bad(why, "'zone' is not a valid zone id", FCP_EADMIN_MALFORMED);
            memcpy(r->zone, s, sl);
            r->zone[sl] = 0;
            r->has_zone = 1;
            seen |= F_ZONE;
        } else if (fcp_cbor_key_is(k, kl, "id")) {
            const uint8_t *b;
            size_t bl;
            if (fcp_cbor_get_bytes(&d, &b, &bl) < 0 || bl != FCP_OBJECT_ID_BYTES)
                return bad(why, "'id' must be a 32-byte string", FCP_EADMIN_MALFORMED);
            memcpy(r->id, b, bl);
            r->has_id = 1;
            seen |= F_ID;
        } else if (fcp_cbor_key_is(k, kl, "size")) {
            if (fcp_cbor_get_uint(&d, &r->size) < 0)
                return bad(why, "'size' must be an unsigned integer", FCP_EADMIN_MALFORMED);
            r->has_size = 1;
            seen |= F_SIZE;
        } else if (fcp_cbor_key_is(k, kl, "data")) {
            if (fcp_cbor_get_bytes(&d, &r->data, &r->data_len) < 0)
                return bad(why, "'data' must be a byte string", FCP_EADMIN_MALFORMED);
            if (r->data_len > FCP_ADMIN_CHUNK)
                return bad(why, "'data' is larger than one 256 KiB chunk", FCP_EADMIN_TOO_LARGE);
            r->has_data = 1;
            seen |= F_DATA;
        } else if (fcp_cbor_key_is(k, kl, "connector") || fcp_cbor_key_is(k, kl, "operation")) {
            int is_conn = fcp_cbor_key_is(k, kl, "connector");
            const char *t;
            size_t tl;
            if (fcp_cbor_get_text(&d, &t, &tl) < 0 || tl == 0 || tl > FCP_ADMIN_NAME_MAX || memchr(t, 0, tl))
                return bad(why, is_conn ? "'connector' must be text of 1..128 bytes"
                                        : "'operation' must be text of 1..128 bytes", FCP_EADMIN_MALFORMED);
            memcpy(is_conn ? r->connector : r->operation, t, tl);
            (is_conn ? r->connector : r->operation)[tl] = 0;
            if (is_conn) {
                r->has_connector = 1;
                seen |= F_CONNECTOR;
            } else {
                r->has_operation = 1;
                seen |= F_OPERATION;
            }
        } else if (fcp_cbor_key_is(k, kl, "input")) {
            if (fcp_cbor_get_text(&d, &r->input, &r->input_len) < 0)
                return bad(why, "'input' must be text (JSON)", FCP_EADMIN_MALFORMED);
            r->has_input = 1;
            seen |= F_INPUT;
        } else if (fcp_cbor_key_is(k, kl, "token")) {
            if (fcp_cbor_get_bytes(&d, &r->token, &r->token_len) < 0 || r->token_len == 0 ||
                r->token_len > FCP_ADMIN_TOKEN_MAX)
                return bad(why, "'token' must be a byte string of 1..65536 bytes", FCP_EADMIN_MALFORMED);
            r->has_token = 1;
            seen |= F_TOKEN;
        } else if (fcp_cbor_key_is(k, kl, "idempotency_key")) {
            const char *t;
            size_t tl;
            if (fcp_cbor_get_text(&d, &t, &tl) < 0 || tl == 0 || tl > FCP_ADMIN_IDEM_MAX || memchr(t, 0, tl))
                return bad(why, "'idempotency_key' must be text of 1..128 bytes", FCP_EADMIN_MALFORMED);
            memcpy(r->idempotency_key, t, tl);
            r->idempotency_key[tl] = 0;
            r->has_idempotency_key = 1;
            seen |= F_IDEM;
        } else if (fcp_cbor_key_is(k, kl, "approvals")) {
            uint64_t na;
            if (fcp_cbor_get_array(&d, &na) < 0 || na == 0 || na > FCP_ADMIN_MAX_APPROVALS)
                return bad(why, "'approvals' must be an array of 1..8 byte strings", FCP_EADMIN_MALFORMED);
            for (uint64_t i = 0; i < na; i++)
                if (fcp_cbor_get_bytes(&d, &r->approvals[i], &r->approval_lens[i]) < 0 || r->approval_lens[i] == 0)
                    return bad(why, "'approvals' must be an array of 1..8 byte strings", FCP_EADMIN_MALFORMED);
            r->n_approvals = (size_t)na;
            r->has_approvals = 1;
            seen |= F_APPROVALS;
        } else if (fcp_cbor_key_is(k, kl, "simulate")) {
            if (fcp_cbor_get_bool(&d, &r->simulate) < 0)
                return bad(why, "'simulate' must be a boolean", FCP_EADMIN_MALFORMED);
            r->has_simulate = 1;
            seen |= F_SIMULATE;
        } else if (fcp_cbor_key_is(k, kl, "manifest")) {
            if (fcp_cbor_get_text(&d, &r->manifest, &r->manifest_len) < 0 || r->manifest_len == 0)
                return bad(why, "'manifest' must be non-empty text", FCP_EADMIN_MALFORMED);
            r->has_manifest = 1;
            seen |= F_MANIFEST;
        } else if (fcp_cbor_key_is(k, kl, "signature")) {
            const uint8_t *b;
            size_t bl;
            if (fcp_cbor_get_bytes(&d, &b, &bl) < 0 || bl != 64)
                return bad(why, "'signature' must be a 64-byte string", FCP_EADMIN_MALFORMED);
            memcpy(r->signature, b, 64);
            r->has_signature = 1;
            seen |= F_SIGNATURE;
        } else {
            return bad(why, "unknown key in request", FCP_EADMIN_MALFORMED);
        }
    }
    if (rc < 0 || fcp_cbor_dec_finish(&d) < 0)
        return bad(why, "payload is not a canonical CBOR map of text keys", FCP_EADMIN_MALFORMED);
    if (!has_op)
        return bad(why, "request has no 'op'", FCP_EADMIN_MISSING);
    if (seen & ~op_fields[r->op].allowed)
        return bad(why, "request carries a field its op does not take", FCP_EADMIN_MALFORMED);
    if ((seen & op_fields[r->op].required) != op_fields[r->op].required)
        return bad(why, "a field this op requires is missing", FCP_EADMIN_MISSING);
    return 0;
}

int fcp_admin_error_encode(fcp_buf *out, int err, const char *detail)
{
    char code[16];
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "ok");
    fcp_cbor_put_bool(&e, 0);
    fcp_cbor_put_cstr(&e, "code");
    fcp_cbor_put_cstr(&e, fcp_error_code(err, code, sizeof code));
    fcp_cbor_put_cstr(&e, "error");
    fcp_cbor_put_cstr(&e, fcp_strerror(err));
    fcp_cbor_put_cstr(&e, "detail");
    /* detail is caller text: keep it short and valid UTF-8 (else drop it) */
    size_t dl = detail ? strnlen(detail, FCP_ADMIN_DETAIL_MAX) : 0;
    if (fcp_cbor_put_text(&e, detail ? detail : "", dl) < 0) {
        e.err = 0;
        e.out->err = 0;
        fcp_cbor_put_cstr(&e, "");
    }
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

/* Find key among the top-level entries; leaves the decoder at its value. */
static int seek_key(fcp_cbor_dec *d, const uint8_t *p, size_t n, const char *key)
{
    fcp_cbor_dec_init(d, p, n, &admin_limits);
    fcp_cbor_map_iter it;
    if (fcp_cbor_map_begin(d, &it) < 0)
        return FCP_EADMIN_RESPONSE;
    const char *k;
    size_t kl;
    int rc;
    while ((rc = fcp_cbor_map_next_text_key(d, &it, &k, &kl)) > 0) {
        if (fcp_cbor_key_is(k, kl, key))
            return 1;
        if (fcp_cbor_skip(d) < 0)
            return FCP_EADMIN_RESPONSE;
    }
    return rc < 0 ? FCP_EADMIN_RESPONSE : 0;
}

int fcp_admin_resp_uint(const uint8_t *p, size_t n, const char *key, uint64_t *v)
{
    fcp_cbor_dec d;
    int rc = seek_key(&d, p, n, key);
    if (rc <= 0)
        return rc;
    return fcp_cbor_get_uint(&d, v) < 0 ? FCP_EADMIN_RESPONSE : 1;
}

int fcp_admin_resp_bool(const uint8_t *p, size_t n, const char *key, int *v)
{
    fcp_cbor_dec d;
    int rc = seek_key(&d, p, n, key);
    if (rc <= 0)
        return rc;
    return fcp_cbor_get_bool(&d, v) < 0 ? FCP_EADMIN_RESPONSE : 1;
}

int fcp_admin_resp_text(const uint8_t *p, size_t n, const char *key, const char **s, size_t *len)
{
    fcp_cbor_dec d;
    int rc = seek_key(&d, p, n, key);
    if (rc <= 0)
        return rc;
    return fcp_cbor_get_text(&d, s, len) < 0 ? FCP_EADMIN_RESPONSE : 1;
}

int fcp_admin_resp_bytes(const uint8_t *p, size_t n, const char *key, const uint8_t **b, size_t *len)
{
    fcp_cbor_dec d;
    int rc = seek_key(&d, p, n, key);
    if (rc <= 0)
        return rc;
    return fcp_cbor_get_bytes(&d, b, len) < 0 ? FCP_EADMIN_RESPONSE : 1;
}

int fcp_admin_resp_raw(const uint8_t *p, size_t n, const char *key, const uint8_t **v, size_t *len)
{
    fcp_cbor_dec d;
    int rc = seek_key(&d, p, n, key);
    if (rc <= 0)
        return rc;
    return fcp_cbor_get_raw(&d, v, len) < 0 ? FCP_EADMIN_RESPONSE : 1;
}

int fcp_admin_resp_failed(const uint8_t *p, size_t n, int *err, char *detail, size_t cap)
{
    int ok = 1;
    int rc = fcp_admin_resp_bool(p, n, "ok", &ok);
    if (rc < 0)
        return rc;
    if (rc == 0 || ok)
        return rc == 0 ? FCP_EADMIN_RESPONSE : 0;
    const char *s;
    size_t sl;
    *err = FCP_EADMIN_RESPONSE;
    if (fcp_admin_resp_text(p, n, "code", &s, &sl) == 1 && sl > 4 && sl < 12 && !memcmp(s, "FCP-", 4)) {
        int num = 0;
        for (size_t i = 4; i < sl && s[i] >= '0' && s[i] <= '9'; i++)
            num = num * 10 + (s[i] - '0');
        if (fcp_error_known(-num))
            *err = -num;
    }
    if (cap) {
        detail[0] = 0;
        if (fcp_admin_resp_text(p, n, "detail", &s, &sl) == 1) {
            if (sl >= cap)
                sl = cap - 1;
            memcpy(detail, s, sl);
            detail[sl] = 0;
        }
    }
    return 1;
}

static void json_str(fcp_buf *out, const uint8_t *s, size_t n)
{
    fcp_buf_put_u8(out, '"');
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\') {
            fcp_buf_put_u8(out, '\\');
            fcp_buf_put_u8(out, c);
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            fcp_buf_append(out, esc, 6);
        } else {
            fcp_buf_put_u8(out, c);
        }
    }
    fcp_buf_put_u8(out, '"');
}

static int json_item(const fcp_cbor_item *it, fcp_buf *out)
{
    char num[32];
    switch (it->major) {
    case FCP_CBOR_UINT:
        snprintf(num, sizeof num, "%llu", (unsigned long long)it->arg);
        return fcp_buf_append(out, num, strlen(num));
    case FCP_CBOR_NEGINT:
        if (it->arg > (uint64_t)INT64_MAX)
            return FCP_EADMIN_RESPONSE;
        snprintf(num, sizeof num, "%lld", -1 - (long long)it->arg);
        return fcp_buf_append(out, num, strlen(num));
    case FCP_CBOR_BYTES: {
        fcp_buf_put_u8(out, '"');
        char *h = (char *)fcp_buf_extend(out, it->len * 2 + 1);
        if (!h)
            return FCP_ENOMEM;
        fcp_hex_encode(h, it->len * 2 + 1, it->ptr, it->len);
        out->len--;   /* drop the NUL */
        return fcp_buf_put_u8(out, '"');
    }
    case FCP_CBOR_TEXT:
        json_str(out, it->ptr, it->len);
        return out->err;
    case FCP_CBOR_ARRAY:
        fcp_buf_put_u8(out, '[');
        for (size_t i = 0; i < it->nchild; i++) {
            if (i)
                fcp_buf_put_u8(out, ',');
            int rc = json_item(&it->child[i], out);
            if (rc < 0)
                return rc;
        }
        return fcp_buf_put_u8(out, ']');
    case FCP_CBOR_MAP:
        fcp_buf_put_u8(out, '{');
        for (size_t i = 0; i + 1 < it->nchild; i += 2) {
            if (it->child[i].major != FCP_CBOR_TEXT)
                return FCP_EADMIN_RESPONSE;
            if (i)
                fcp_buf_put_u8(out, ',');
            json_str(out, it->child[i].ptr, it->child[i].len);
            fcp_buf_put_u8(out, ':');
            int rc = json_item(&it->child[i + 1], out);
            if (rc < 0)
                return rc;
        }
        return fcp_buf_put_u8(out, '}');
    case FCP_CBOR_SIMPLE:
        if (it->is_float)
            return FCP_EADMIN_RESPONSE;
        if (it->arg == FCP_CBOR_TRUE)
            return fcp_buf_append(out, "true", 4);
        if (it->arg == FCP_CBOR_FALSE)
            return fcp_buf_append(out, "false", 5);
        return fcp_buf_append(out, "null", 4);
    default:
        return FCP_EADMIN_RESPONSE;
    }
}

int fcp_admin_to_json(const uint8_t *p, size_t n, fcp_buf *out)
{
    if (fcp_cbor_validate(p, n, &admin_limits) < 0)
        return FCP_EADMIN_RESPONSE;
    fcp_cbor_tree t = { 0 };
    int rc = fcp_cbor_tree_parse(&t, p, n);
    if (rc == 0)
        rc = json_item(t.root, out);
    fcp_cbor_tree_free(&t);
    return rc < 0 ? rc : out->err;
}

/* ---- the "revoke" payload (D-CLI-1) ---------------------------------------- */

#define REVOKE_PART_MAX (64u * 1024u)   /* FCP_REV_MAX_ENCODED (model_revocation.h) */

int fcp_admin_revoke_encode(fcp_buf *out, const uint8_t *obj, size_t obj_len, const uint8_t *ev,
                            size_t ev_len)
{
    if (obj_len > REVOKE_PART_MAX || ev_len > REVOKE_PART_MAX)
        return FCP_ETOO_LARGE;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_put_array(&e, 2);
    fcp_cbor_put_bytes(&e, obj, obj_len);
    fcp_cbor_put_bytes(&e, ev, ev_len);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

int fcp_admin_revoke_decode(const uint8_t *p, size_t n, const uint8_t **obj, size_t *obj_len,
                            const uint8_t **ev, size_t *ev_len)
{
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, p, n, &admin_limits);
    uint64_t cnt;
    if (fcp_cbor_get_array(&d, &cnt) < 0 || cnt != 2 || fcp_cbor_get_bytes(&d, obj, obj_len) < 0 ||
        fcp_cbor_get_bytes(&d, ev, ev_len) < 0 || fcp_cbor_dec_finish(&d) < 0)
        return FCP_EADMIN_MALFORMED;
    if (*obj_len > REVOKE_PART_MAX || *ev_len > REVOKE_PART_MAX)
        return FCP_ETOO_LARGE;
    return 0;
}
