/*
 * model_approval.c - ApprovalToken codec, signature, time rules, method
 * patterns, input hash, and the strict JSON pointer over canonical CBOR
 * (spec §5.2, §6.3; D-APPROVAL-1..3).  The decoder accepts exactly what the
 * encoder emits, so decode -> encode is the identity on accepted input.
 */
#include "fcp/model_approval.h"

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_sign.h"
#include "model_internal.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

static const fcp_cbor_limits value_limits = { 16, 4096, FCP_APPROVAL_MAX_ENCODED,
                                              FCP_CBOR_ALLOW_FLOAT };

void fcp_approval_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "ApprovalToken", 1, 0, 0);
}

/* ---- JSON pointer ------------------------------------------------------- */

int fcp_json_pointer_validate(const char *ptr, size_t n)
{
    size_t tokens = 0;
    if (n > FCP_JSON_POINTER_MAX || (n && !ptr))
        return FCP_EJSON_POINTER;
    if (n == 0)
        return 0;
    if (ptr[0] != '/')
        return FCP_EJSON_POINTER;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)ptr[i];
        if (c == '/') {
            if (++tokens > FCP_JSON_POINTER_DEPTH)
                return FCP_EJSON_POINTER;
        } else if (c == '~') {
            if (i + 1 >= n || (ptr[i + 1] != '0' && ptr[i + 1] != '1'))
                return FCP_EJSON_POINTER;
            i++;
        } else if (c == 0) {
            return FCP_EJSON_POINTER;
        }
    }
    return fcp_utf8_valid((const uint8_t *)ptr, n) ? 0 : FCP_EJSON_POINTER;
}

/* Unescape token ptr[0..n) into out; returns its length. */
static size_t unescape(char *out, const char *t, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '~') {
            out[o++] = t[i + 1] == '0' ? '~' : '/';
            i++;
        } else {
            out[o++] = t[i];
        }
    }
    return o;
}

/* Array index: "0" or [1-9][0-9]*, at most 9 digits. -1 if not an index. */
static long long parse_index(const char *t, size_t n)
{
    long long v = 0;
    if (n == 0 || n > 9 || (n > 1 && t[0] == '0'))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9')
            return -1;
        v = v * 10 + (t[i] - '0');
    }
    return v;
}

int fcp_cbor_pointer_get(const uint8_t *cbor, size_t n, const char *ptr, size_t plen,
                         const uint8_t **val, size_t *vlen)
{
    fcp_cbor_dec d;
    char tok[FCP_JSON_POINTER_MAX];
    size_t i = 0;
    TRY(fcp_json_pointer_validate(ptr, plen));
    TRY(fcp_cbor_validate(cbor, n, &value_limits));
    fcp_cbor_dec_init(&d, cbor, n, &value_limits);
    while (i < plen) {
        size_t s = i + 1, e = s;
        while (e < plen && ptr[e] != '/')
            e++;
        size_t tl = unescape(tok, ptr + s, e - s);
        i = e;
        unsigned major;
        uint64_t cnt;
        int found = 0;
        TRY(fcp_cbor_peek(&d, &major));
        if (major == FCP_CBOR_MAP) {
            TRY(fcp_cbor_get_map(&d, &cnt));
            for (uint64_t k = 0; k < cnt && !found; k++) {
                unsigned km;
                TRY(fcp_cbor_peek(&d, &km));
                if (km == FCP_CBOR_TEXT) {
                    const char *kp;
                    size_t kl;
                    TRY(fcp_cbor_get_text(&d, &kp, &kl));
                    if (kl == tl && memcmp(kp, tok, tl) == 0) {
                        found = 1;
                        break;
                    }
                } else {
                    TRY(fcp_cbor_skip(&d));
                }
                TRY(fcp_cbor_skip(&d));
            }
        } else if (major == FCP_CBOR_ARRAY) {
            long long idx = parse_index(tok, tl);
            TRY(fcp_cbor_get_array(&d, &cnt));
            if (idx >= 0 && (uint64_t)idx < cnt) {
                for (long long k = 0; k < idx; k++)
                    TRY(fcp_cbor_skip(&d));
                found = 1;
            }
        }
        if (!found)
            return FCP_EJSON_POINTER_NOT_FOUND;
    }
    return fcp_cbor_get_raw(&d, val, vlen);
}

int fcp_approval_check_constraints(const fcp_approval_execution *x, const uint8_t *input, size_t n)
{
    for (size_t i = 0; i < x->n_constraints; i++) {
        const fcp_input_constraint *c = &x->constraints[i];
        const uint8_t *v;
        size_t vl;
        int rc = fcp_cbor_pointer_get(input, n, c->pointer, strlen(c->pointer), &v, &vl);
        if (rc == FCP_EJSON_POINTER_NOT_FOUND)
            return FCP_EDEC_EXECUTION_CONSTRAINT;
        if (rc)
            return rc;
        if (vl != c->equals_len || memcmp(v, c->equals, vl) != 0)
            return FCP_EDEC_EXECUTION_CONSTRAINT;
    }
    return 0;
}

int fcp_approval_input_hash(uint8_t out[FCP_INPUT_HASH_BYTES], const uint8_t *input, size_t n)
{
    fcp_blake3_hasher h;
    TRY(fcp_cbor_validate(input, n, &value_limits));
    fcp_blake3_hasher_init(&h);
    fcp_blake3_hasher_update(&h, "FCP2-INPUT-V1", 13);
    fcp_blake3_hasher_update(&h, input, n);
    fcp_blake3_hasher_finalize(&h, out, FCP_INPUT_HASH_BYTES);
    return 0;
}

int fcp_method_pattern_match(const char *pattern, const char *op, size_t n)
{
    size_t pl = strlen(pattern);
    if (pl > 0 && pattern[pl - 1] == '*')
        return n >= pl - 1 && memcmp(pattern, op, pl - 1) == 0;
    return pl == n && memcmp(pattern, op, n) == 0;
}

/* ---- validation --------------------------------------------------------- */

static int op_id_ok(const char *s, size_t n)
{
    return fcp_m_printable_id(s, n, FCP_OPERATION_ID_MAX);
}

static int principal_ok(const char *s, size_t n)
{
    return fcp_m_printable_id(s, n, FCP_PRINCIPAL_MAX);
}

/* Method pattern: a printable id; '*' only as the last byte. */
static int pattern_ok(const char *s, size_t n)
{
    TRY(op_id_ok(s, n));
    const char *star = memchr(s, '*', n);
    return star && star != s + n - 1 ? FCP_EIDENTIFIER : 0;
}

static int justification_ok(const char *s, size_t n)
{
    if (n > FCP_APPROVAL_JUSTIFICATION_MAX || memchr(s, 0, n) ||
        !fcp_utf8_valid((const uint8_t *)s, n))
        return FCP_EIDENTIFIER;
    return 0;
}

static int one_item(const uint8_t *p, size_t n)
{
    if (n == 0 || n > FCP_APPROVAL_VALUE_MAX)
        return FCP_ELIMIT;
    return fcp_cbor_validate(p, n, &value_limits);
}

int fcp_approval_validate(const fcp_approval_token *t)
{
    switch (t->kind) {
    case FCP_APPROVAL_ELEVATION: {
        const fcp_approval_elevation *e = &t->elevation;
        TRY(op_id_ok(e->operation, fcp_m_slen(e->operation, FCP_OPERATION_ID_MAX)));
        /* provenance invariants are checked by encoding it */
        fcp_buf b;
        fcp_cbor_enc enc;
        fcp_buf_init(&b);
        fcp_cbor_enc_init(&enc, &b);
        int rc = fcp_provenance_encode_to(&e->original_provenance, &enc);
        if (rc == 0)
            rc = fcp_cbor_enc_finish(&enc);
        fcp_cbor_enc_free(&enc);
        fcp_buf_free(&b);
        TRY(rc);
        break;
    }
    case FCP_APPROVAL_DECLASSIFICATION: {
        const fcp_approval_declass *x = &t->declassification;
        TRY(fcp_zone_id_validate(x->from_zone, fcp_m_slen(x->from_zone, FCP_ZONE_ID_MAX)));
        TRY(fcp_zone_id_validate(x->to_zone, fcp_m_slen(x->to_zone, FCP_ZONE_ID_MAX)));
        if (x->n_objects > FCP_APPROVAL_MAX_OBJECTS)
            return FCP_ELIMIT;
        break;
    }
    case FCP_APPROVAL_EXECUTION: {
        const fcp_approval_execution *x = &t->execution;
        TRY(fcp_m_printable_id(x->connector_id, fcp_m_slen(x->connector_id, FCP_CONNECTOR_ID_MAX),
                               FCP_CONNECTOR_ID_MAX));
        TRY(pattern_ok(x->method_pattern, fcp_m_slen(x->method_pattern, FCP_OPERATION_ID_MAX)));
        if (x->n_constraints > FCP_APPROVAL_MAX_CONSTRAINTS)
            return FCP_ELIMIT;
        for (size_t i = 0; i < x->n_constraints; i++) {
            const fcp_input_constraint *c = &x->constraints[i];
            TRY(fcp_json_pointer_validate(c->pointer, fcp_m_slen(c->pointer, FCP_JSON_POINTER_MAX)));
            TRY(one_item(c->equals, c->equals_len));
        }
        break;
    }
    default:
        return FCP_EAPPROVAL_SCOPE;
    }
    TRY(justification_ok(t->justification,
                         fcp_m_slen(t->justification, FCP_APPROVAL_JUSTIFICATION_MAX)));
    TRY(principal_ok(t->approved_by, fcp_m_slen(t->approved_by, FCP_PRINCIPAL_MAX)));
    if (t->expires_at <= t->approved_at || t->expires_at - t->approved_at > FCP_APPROVAL_MAX_TTL)
        return FCP_EAPPROVAL_TIMES;
    return 0;
}

/* ---- encoding ----------------------------------------------------------- */

static void put_scope(fcp_cbor_enc *e, const fcp_approval_token *t)
{
    fcp_cbor_map_open(e);
    if (t->kind == FCP_APPROVAL_ELEVATION) {
        fcp_m_text_key(e, "Elevation");
        fcp_cbor_map_open(e);
        fcp_cbor_put_kv_text(e, "operation", t->elevation.operation);
        fcp_m_text_key(e, "original_provenance");
        fcp_provenance_encode_to(&t->elevation.original_provenance, e);
        fcp_cbor_map_close(e);
    } else if (t->kind == FCP_APPROVAL_DECLASSIFICATION) {
        const fcp_approval_declass *x = &t->declassification;
        fcp_m_text_key(e, "Declassification");
        fcp_cbor_map_open(e);
        fcp_cbor_put_kv_text(e, "from_zone", x->from_zone);
        fcp_cbor_put_kv_text(e, "to_zone", x->to_zone);
        fcp_m_text_key(e, "object_ids");
        fcp_cbor_put_array(e, x->n_objects);
        for (size_t i = 0; i < x->n_objects; i++)
            fcp_cbor_put_bytes(e, x->object_ids[i], FCP_OBJECT_ID_BYTES);
        fcp_cbor_map_close(e);
    } else {
        const fcp_approval_execution *x = &t->execution;
        fcp_m_text_key(e, "Execution");
        fcp_cbor_map_open(e);
        fcp_cbor_put_kv_text(e, "connector_id", x->connector_id);
        fcp_cbor_put_kv_text(e, "method_pattern", x->method_pattern);
        if (x->has_request_object_id)
            fcp_cbor_put_kv_bytes(e, "request_object_id", x->request_object_id, FCP_OBJECT_ID_BYTES);
        if (x->has_input_hash)
            fcp_cbor_put_kv_bytes(e, "input_hash", x->input_hash, FCP_INPUT_HASH_BYTES);
        fcp_m_text_key(e, "input_constraints");
        fcp_cbor_put_array(e, x->n_constraints);
        for (size_t i = 0; i < x->n_constraints; i++) {
            fcp_cbor_map_open(e);
            fcp_cbor_put_kv_text(e, "pointer", x->constraints[i].pointer);
            fcp_m_text_key(e, "equals");
            fcp_cbor_put_raw(e, x->constraints[i].equals, x->constraints[i].equals_len);
            fcp_cbor_map_close(e);
        }
        fcp_cbor_map_close(e);
    }
    fcp_cbor_map_close(e);
}

static int encode(const fcp_approval_token *t, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    TRY(fcp_approval_validate(t));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_kv_uint(&e, "approved_at", t->approved_at);
    fcp_cbor_put_kv_text(&e, "approved_by", t->approved_by);
    fcp_cbor_put_kv_uint(&e, "expires_at", t->expires_at);
    fcp_cbor_put_kv_text(&e, "justification", t->justification);
    fcp_m_text_key(&e, "scope");
    put_scope(&e, t);
    if (with_sig)
        fcp_cbor_put_kv_bytes(&e, "signature", t->signature, 64);
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

int fcp_approval_encode(const fcp_approval_token *t, fcp_buf *out)
{
    return encode(t, out, 1);
}

int fcp_approval_encode_unsigned(const fcp_approval_token *t, fcp_buf *out)
{
    return encode(t, out, 0);
}

/* ---- decoding ----------------------------------------------------------- */

static int dec_elevation(fcp_cbor_dec *d, fcp_approval_elevation *x)
{
    fcp_cbor_map_iter it;
    TRY(fcp_cbor_map_begin(d, &it));
    TRY(fcp_cbor_expect_key(d, &it, "operation"));
    TRY(fcp_m_get_text(d, x->operation, FCP_OPERATION_ID_MAX, op_id_ok, FCP_EIDENTIFIER));
    TRY(fcp_cbor_expect_key(d, &it, "original_provenance"));
    TRY(fcp_provenance_decode_from(&x->original_provenance, d));
    return fcp_m_map_end(d, &it);
}

static int dec_declass(fcp_cbor_dec *d, fcp_approval_declass *x)
{
    fcp_cbor_map_iter it;
    uint64_t cnt;
    TRY(fcp_cbor_map_begin(d, &it));
    TRY(fcp_cbor_expect_key(d, &it, "to_zone"));
    TRY(fcp_m_get_text(d, x->to_zone, FCP_ZONE_ID_MAX, fcp_zone_id_validate, FCP_EZONE_ID_TOO_LONG));
    TRY(fcp_cbor_expect_key(d, &it, "from_zone"));
    TRY(fcp_m_get_text(d, x->from_zone, FCP_ZONE_ID_MAX, fcp_zone_id_validate, FCP_EZONE_ID_TOO_LONG));
    TRY(fcp_cbor_expect_key(d, &it, "object_ids"));
    TRY(fcp_cbor_get_array(d, &cnt));
    if (cnt > FCP_APPROVAL_MAX_OBJECTS)
        return FCP_ELIMIT;
    x->n_objects = (size_t)cnt;
    for (size_t i = 0; i < x->n_objects; i++)
        TRY(fcp_m_get_fixed(d, x->object_ids[i], FCP_OBJECT_ID_BYTES));
    return fcp_m_map_end(d, &it);
}

static int dec_constraint(fcp_cbor_dec *d, fcp_input_constraint *c)
{
    fcp_cbor_map_iter it;
    const uint8_t *v;
    size_t vl;
    TRY(fcp_cbor_map_begin(d, &it));
    TRY(fcp_cbor_expect_key(d, &it, "equals"));
    TRY(fcp_cbor_get_raw(d, &v, &vl));
    if (vl > FCP_APPROVAL_VALUE_MAX)
        return FCP_ELIMIT;
    memcpy(c->equals, v, vl);
    c->equals_len = vl;
    TRY(fcp_cbor_expect_key(d, &it, "pointer"));
    TRY(fcp_m_get_text(d, c->pointer, FCP_JSON_POINTER_MAX, fcp_json_pointer_validate,
                       FCP_EJSON_POINTER));
    return fcp_m_map_end(d, &it);
}

static int dec_execution(fcp_cbor_dec *d, fcp_approval_execution *x)
{
    fcp_cbor_map_iter it;
    uint64_t cnt;
    int rc;
    TRY(fcp_cbor_map_begin(d, &it));
    rc = fcp_cbor_opt_key(d, &it, "input_hash");
    TRY(rc);
    if (rc) {
        TRY(fcp_m_get_fixed(d, x->input_hash, FCP_INPUT_HASH_BYTES));
        x->has_input_hash = 1;
    }
    TRY(fcp_cbor_expect_key(d, &it, "connector_id"));
    TRY(fcp_m_get_text(d, x->connector_id, FCP_CONNECTOR_ID_MAX, op_id_ok, FCP_EIDENTIFIER));
    TRY(fcp_cbor_expect_key(d, &it, "method_pattern"));
    TRY(fcp_m_get_text(d, x->method_pattern, FCP_OPERATION_ID_MAX, pattern_ok, FCP_EIDENTIFIER));
    TRY(fcp_cbor_expect_key(d, &it, "input_constraints"));
    TRY(fcp_cbor_get_array(d, &cnt));
    if (cnt > FCP_APPROVAL_MAX_CONSTRAINTS)
        return FCP_ELIMIT;
    x->n_constraints = (size_t)cnt;
    for (size_t i = 0; i < x->n_constraints; i++)
        TRY(dec_constraint(d, &x->constraints[i]));
    rc = fcp_cbor_opt_key(d, &it, "request_object_id");
    TRY(rc);
    if (rc) {
        TRY(fcp_m_get_fixed(d, x->request_object_id, FCP_OBJECT_ID_BYTES));
        x->has_request_object_id = 1;
    }
    return fcp_m_map_end(d, &it);
}

static int dec_scope(fcp_cbor_dec *d, fcp_approval_token *t)
{
    static const char *const names[] = { "Elevation", "Execution", "Declassification" };
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    TRY(fcp_cbor_map_begin(d, &it));
    if (it.remaining != 1)
        return FCP_EAPPROVAL_SCOPE;
    TRY(fcp_cbor_map_next_text_key(d, &it, &k, &kl));
    switch (fcp_cbor_key_index(k, kl, names, 3)) {
    case 0: t->kind = FCP_APPROVAL_ELEVATION; return dec_elevation(d, &t->elevation);
    case 1: t->kind = FCP_APPROVAL_EXECUTION; return dec_execution(d, &t->execution);
    case 2: t->kind = FCP_APPROVAL_DECLASSIFICATION; return dec_declass(d, &t->declassification);
    default: return FCP_EAPPROVAL_SCOPE;
    }
}

static int decode(void *obj, const uint8_t *p, size_t n)
{
    fcp_approval_token *t = obj;
    fcp_cbor_limits lim = value_limits;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    if (n > FCP_APPROVAL_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_cbor_dec_init(&d, p, n, &lim);
    TRY(fcp_cbor_map_begin(&d, &it));
    TRY(fcp_cbor_expect_key(&d, &it, "scope"));
    TRY(dec_scope(&d, t));
    TRY(fcp_cbor_expect_key(&d, &it, "signature"));
    TRY(fcp_m_get_fixed(&d, t->signature, 64));
    TRY(fcp_cbor_expect_key(&d, &it, "expires_at"));
    TRY(fcp_cbor_get_uint(&d, &t->expires_at));
    TRY(fcp_cbor_expect_key(&d, &it, "approved_at"));
    TRY(fcp_cbor_get_uint(&d, &t->approved_at));
    TRY(fcp_cbor_expect_key(&d, &it, "approved_by"));
    TRY(fcp_m_get_text(&d, t->approved_by, FCP_PRINCIPAL_MAX, principal_ok, FCP_EIDENTIFIER));
    TRY(fcp_cbor_expect_key(&d, &it, "justification"));
    TRY(fcp_m_get_text(&d, t->justification, FCP_APPROVAL_JUSTIFICATION_MAX, justification_ok,
                       FCP_EIDENTIFIER));
    TRY(fcp_m_map_end(&d, &it));
    TRY(fcp_cbor_dec_finish(&d));
    return fcp_approval_validate(t);
}

int fcp_approval_decode(fcp_approval_token *t, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(t, sizeof *t, p, n, decode);
}

/* ---- signatures and time ------------------------------------------------ */

int fcp_approval_sign(fcp_approval_token *t, const uint8_t sk[64])
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init(&b);
    fcp_approval_schema(&s);
    int rc = fcp_approval_encode_unsigned(t, &b);
    if (rc == 0)
        rc = fcp_object_sign(t->signature, &s, b.data, b.len, sk);
    fcp_buf_free(&b);
    return rc;
}

int fcp_approval_check_time(const fcp_approval_token *t, uint64_t now)
{
    if (now > t->expires_at)
        return FCP_EAPPROVAL_EXPIRED;
    if (t->approved_at > now && t->approved_at - now > FCP_APPROVAL_MAX_SKEW)
        return FCP_EAPPROVAL_NOT_YET_VALID;
    return 0;
}

int fcp_approval_verify(const fcp_approval_token *t, const uint8_t pk[32], uint64_t now)
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init(&b);
    fcp_approval_schema(&s);
    int rc = fcp_approval_encode_unsigned(t, &b);
    if (rc == 0 && fcp_object_verify(t->signature, &s, b.data, b.len, pk) != 0)
        rc = FCP_EAPPROVAL_BAD_SIGNATURE;
    fcp_buf_free(&b);
    TRY(rc);
    return fcp_approval_check_time(t, now);
}

int fcp_approval_token_id(uint8_t out[FCP_APPROVAL_ID_BYTES], const fcp_approval_token *t)
{
    fcp_buf u, sb;
    fcp_schema_id s;
    fcp_buf_init(&u);
    fcp_buf_init(&sb);
    fcp_approval_schema(&s);
    int rc = fcp_approval_encode_unsigned(t, &u);
    if (rc == 0)
        rc = fcp_signing_bytes(&sb, &s, u.data, u.len);
    if (rc == 0) {
        fcp_blake3_hasher h;
        fcp_blake3_hasher_init(&h);
        fcp_blake3_hasher_update(&h, "FCP2-APPROVAL-ID-V1", 19);
        fcp_blake3_hasher_update(&h, sb.data, sb.len);
        fcp_blake3_hasher_finalize(&h, out, FCP_APPROVAL_ID_BYTES);
    }
    fcp_buf_free(&u);
    fcp_buf_free(&sb);
    return rc;
}
