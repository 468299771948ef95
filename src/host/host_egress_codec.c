/*
 * host_egress_codec.c - EgressHttpRequest / EgressHttpResponse (spec §11.2.1,
 * review Change 6) as canonical CBOR, with the shape rules and limits of
 * D-EGRESS-1/2.
 *
 * Both objects are text-keyed maps (D-MODEL-6 style): the request has "url",
 * "body", "method", "headers" and optional "credential"; the response
 * "body", "status", "headers", "truncated".  Headers are an array of
 * [name, value] text pairs in the order given (order matters in HTTP, so it is
 * kept, not sorted).  Decoding is zero-copy: the structs point into the input.
 */
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/host_egress.h"

#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)

static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };

/* Headers a connector may not set: Host would let it talk to one host under
 * another's name; framing and hop-by-hop headers belong to the transport. */
static const char *const forbidden[] = { "host", "content-length", "transfer-encoding", "connection",
                                         "keep-alive", "te", "trailer", "upgrade", "expect" };

static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int name_ok(const char *s, size_t n)
{
    if (n == 0 || n > FCP_EGRESS_HEADER_NAME_MAX)
        return FCP_EEGRESS_HEADER;
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)s[i]))
            return FCP_EEGRESS_HEADER;   /* uppercase included: one spelling per name */
    return 0;
}

static int value_ok(const char *s, size_t n)
{
    if (n > FCP_EGRESS_HEADER_VALUE_MAX)
        return FCP_EEGRESS_HEADER;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 0x21 && c <= 0x7e) || c == ' ' || c == '\t'))
            return FCP_EEGRESS_HEADER;   /* no CR/LF/NUL: a value never splits a header */
    }
    if (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        return FCP_EEGRESS_HEADER;
    return 0;
}

static int eq_lit(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static int headers_ok(const fcp_egress_header *h, size_t n, int request)
{
    size_t total = 0;
    if (n > FCP_EGRESS_MAX_HEADERS)
        return FCP_EEGRESS_LIMIT;
    for (size_t i = 0; i < n; i++) {
        if (!h[i].name || (!h[i].value && h[i].value_len))
            return FCP_EEGRESS_HEADER;
        TRY(name_ok(h[i].name, h[i].name_len));
        TRY(value_ok(h[i].value, h[i].value_len));
        total += h[i].name_len + h[i].value_len;
        if (total > FCP_EGRESS_HEADER_BYTES_MAX)
            return FCP_EEGRESS_LIMIT;
        if (!request)
            continue;
        for (size_t k = 0; k < sizeof forbidden / sizeof forbidden[0]; k++)
            if (eq_lit(h[i].name, h[i].name_len, forbidden[k]))
                return FCP_EEGRESS_HEADER_FORBIDDEN;
        if (h[i].name_len >= 6 && memcmp(h[i].name, "proxy-", 6) == 0)
            return FCP_EEGRESS_HEADER_FORBIDDEN;
    }
    return 0;
}

int fcp_egress_request_validate(const fcp_egress_request *r)
{
    int mok = 0;
    if (!r->method)
        return FCP_EEGRESS_METHOD;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0] && !mok; i++)
        mok = eq_lit(r->method, r->method_len, methods[i]);
    if (!mok)
        return FCP_EEGRESS_METHOD;
    if (!r->url || r->url_len == 0)
        return FCP_EEGRESS_URL;
    if (r->url_len > FCP_EGRESS_URL_MAX)
        return FCP_EEGRESS_LIMIT;
    for (size_t i = 0; i < r->url_len; i++)
        if ((unsigned char)r->url[i] <= 0x20 || (unsigned char)r->url[i] >= 0x7f) {
            /* non-ASCII in the host is an IDNA question, answered by the URL parser */
            if ((unsigned char)r->url[i] >= 0x80)
                continue;
            return FCP_EEGRESS_URL;
        }
    if (r->body_len > FCP_EGRESS_REQ_BODY_MAX)
        return FCP_EEGRESS_LIMIT;
    if (r->body_len && !r->body)
        return FCP_EEGRESS_REQUEST;
    TRY(headers_ok(r->headers, r->n_headers, 1));
    if (r->has_credential) {
        if (!r->credential || fcp_cap_id_validate(r->credential, r->credential_len) < 0)
            return FCP_EEGRESS_REQUEST;
    }
    return 0;
}

int fcp_egress_response_validate(const fcp_egress_response *r)
{
    if (r->status < 100 || r->status > 599)
        return FCP_EEGRESS_RESPONSE;
    if (r->body_len > FCP_EGRESS_RESP_BODY_MAX)
        return FCP_EEGRESS_LIMIT;
    if (r->body_len && !r->body)
        return FCP_EEGRESS_REQUEST;
    if (r->truncated != 0 && r->truncated != 1)
        return FCP_EEGRESS_REQUEST;
    return headers_ok(r->headers, r->n_headers, 0);
}

/* ---- encoding ------------------------------------------------------------- */

static void put_key(fcp_cbor_enc *e, const char *k) { fcp_cbor_put_cstr(e, k); }

static void put_headers(fcp_cbor_enc *e, const fcp_egress_header *h, size_t n)
{
    put_key(e, "headers");
    fcp_cbor_put_array(e, n);
    for (size_t i = 0; i < n; i++) {
        fcp_cbor_put_array(e, 2);
        fcp_cbor_put_text(e, h[i].name, h[i].name_len);
        fcp_cbor_put_text(e, h[i].value_len ? h[i].value : "", h[i].value_len);
    }
}

static int finish(fcp_cbor_enc *e, fcp_buf *out, size_t mark)
{
    int rc = fcp_cbor_enc_finish(e);
    fcp_cbor_enc_free(e);
    if (rc < 0 && out->len >= mark && !out->err)
        out->len = mark;
    return rc;
}

int fcp_egress_request_encode(const fcp_egress_request *r, fcp_buf *out)
{
    fcp_cbor_enc e;
    size_t mark = out->len;
    TRY(fcp_egress_request_validate(r));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    put_key(&e, "url");
    fcp_cbor_put_text(&e, r->url, r->url_len);
    put_key(&e, "body");
    fcp_cbor_put_bytes(&e, r->body_len ? r->body : (const uint8_t *)"", r->body_len);
    put_key(&e, "method");
    fcp_cbor_put_text(&e, r->method, r->method_len);
    put_headers(&e, r->headers, r->n_headers);
    if (r->has_credential) {
        put_key(&e, "credential");
        fcp_cbor_put_text(&e, r->credential, r->credential_len);
    }
    fcp_cbor_map_close(&e);
    return finish(&e, out, mark);
}

int fcp_egress_response_encode(const fcp_egress_response *r, fcp_buf *out)
{
    fcp_cbor_enc e;
    size_t mark = out->len;
    TRY(fcp_egress_response_validate(r));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    put_key(&e, "body");
    fcp_cbor_put_bytes(&e, r->body_len ? r->body : (const uint8_t *)"", r->body_len);
    put_key(&e, "status");
    fcp_cbor_put_uint(&e, r->status);
    put_headers(&e, r->headers, r->n_headers);
    put_key(&e, "truncated");
    fcp_cbor_put_bool(&e, r->truncated);
    fcp_cbor_map_close(&e);
    return finish(&e, out, mark);
}

/* ---- decoding ------------------------------------------------------------- */

/* CBOR type errors inside a known field are shape errors of the object. */
static int shape(int rc) { return rc == FCP_ECBOR_TYPE ? FCP_EEGRESS_REQUEST : rc; }

static int get_headers(fcp_cbor_dec *d, fcp_egress_header *h, size_t *n)
{
    uint64_t cnt, two;
    TRY(shape(fcp_cbor_get_array(d, &cnt)));
    if (cnt > FCP_EGRESS_MAX_HEADERS)
        return FCP_EEGRESS_LIMIT;
    for (uint64_t i = 0; i < cnt; i++) {
        TRY(shape(fcp_cbor_get_array(d, &two)));
        if (two != 2)
            return FCP_EEGRESS_REQUEST;
        TRY(shape(fcp_cbor_get_text(d, &h[i].name, &h[i].name_len)));
        TRY(shape(fcp_cbor_get_text(d, &h[i].value, &h[i].value_len)));
    }
    *n = (size_t)cnt;
    return 0;
}

static void dec_init(fcp_cbor_dec *d, const uint8_t *p, size_t n)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    lim.max_depth = 4;
    lim.max_input = FCP_EGRESS_ENCODED_MAX;
    fcp_cbor_dec_init(d, p, n, &lim);
}

static int request_decode(fcp_egress_request *r, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    int rc;
    dec_init(&d, p, n);
    TRY(shape(fcp_cbor_map_begin(&d, &it)));
    TRY(fcp_cbor_expect_key(&d, &it, "url"));
    TRY(shape(fcp_cbor_get_text(&d, &r->url, &r->url_len)));
    TRY(fcp_cbor_expect_key(&d, &it, "body"));
    TRY(shape(fcp_cbor_get_bytes(&d, &r->body, &r->body_len)));
    TRY(fcp_cbor_expect_key(&d, &it, "method"));
    TRY(shape(fcp_cbor_get_text(&d, &r->method, &r->method_len)));
    TRY(fcp_cbor_expect_key(&d, &it, "headers"));
    TRY(get_headers(&d, r->headers, &r->n_headers));
    if ((rc = fcp_cbor_opt_key(&d, &it, "credential")) < 0)
        return rc;
    if (rc == 1) {
        r->has_credential = 1;
        TRY(shape(fcp_cbor_get_text(&d, &r->credential, &r->credential_len)));
    }
    const char *k;
    size_t kl;
    if ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) != 0)
        return rc < 0 ? shape(rc) : FCP_EUNKNOWN_FIELD;
    TRY(fcp_cbor_dec_finish(&d));
    return fcp_egress_request_validate(r);
}

int fcp_egress_request_decode(fcp_egress_request *r, const uint8_t *p, size_t n)
{
    memset(r, 0, sizeof *r);
    int rc = request_decode(r, p, n);
    if (rc < 0)
        memset(r, 0, sizeof *r);
    return rc;
}

static int response_decode(fcp_egress_response *r, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    uint64_t st;
    int rc;
    dec_init(&d, p, n);
    TRY(shape(fcp_cbor_map_begin(&d, &it)));
    TRY(fcp_cbor_expect_key(&d, &it, "body"));
    TRY(shape(fcp_cbor_get_bytes(&d, &r->body, &r->body_len)));
    TRY(fcp_cbor_expect_key(&d, &it, "status"));
    TRY(shape(fcp_cbor_get_uint(&d, &st)));
    if (st < 100 || st > 599)
        return FCP_EEGRESS_RESPONSE;
    r->status = (uint16_t)st;
    TRY(fcp_cbor_expect_key(&d, &it, "headers"));
    TRY(get_headers(&d, r->headers, &r->n_headers));
    TRY(fcp_cbor_expect_key(&d, &it, "truncated"));
    TRY(shape(fcp_cbor_get_bool(&d, &r->truncated)));
    const char *k;
    size_t kl;
    if ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) != 0)
        return rc < 0 ? shape(rc) : FCP_EUNKNOWN_FIELD;
    TRY(fcp_cbor_dec_finish(&d));
    return fcp_egress_response_validate(r);
}

int fcp_egress_response_decode(fcp_egress_response *r, const uint8_t *p, size_t n)
{
    memset(r, 0, sizeof *r);
    int rc = response_decode(r, p, n);
    if (rc < 0)
        memset(r, 0, sizeof *r);
    return rc;
}
