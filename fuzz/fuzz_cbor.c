/*
 * fuzz_cbor.c - libFuzzer target for the deterministic CBOR codec
 * (src/codec/cbor_*.c).
 *
 * For every input:
 *   - the strict validator (all types allowed, and FCP defaults), the
 *     lenient tree parser and the diagnostic printer must not crash;
 *   - the validator and the cursor decoder must give the same verdict;
 *   - anything the strict decoder accepts must re-encode to identical bytes,
 *     both through the tree and through the typed cursor API;
 *   - anything the lenient parser accepts and the encoder can canonicalise
 *     must come out strictly canonical.
 * A broken property calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/buf.h"
#include "fcp/cbor.h"
#include "fcp/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const fcp_cbor_limits all = {
    FCP_CBOR_DEFAULT_DEPTH, 1u << 16, 1u << 20, FCP_CBOR_ALLOW_ALL
};

/* Copy one item through the typed cursor API. */
static int copy(fcp_cbor_dec *d, fcp_cbor_enc *e)
{
    unsigned major;
    int rc = fcp_cbor_peek(d, &major);
    if (rc)
        return rc;
    uint64_t u, n;
    int neg;
    const uint8_t *p;
    size_t len;
    switch (major) {
    case 0: case 1:
        if ((rc = fcp_cbor_get_int_raw(d, &neg, &u)))
            return rc;
        return neg ? fcp_cbor_put_negint_raw(e, u) : fcp_cbor_put_uint(e, u);
    case 2:
        if ((rc = fcp_cbor_get_bytes(d, &p, &len)))
            return rc;
        return fcp_cbor_put_bytes(e, p, len);
    case 3:
        if ((rc = fcp_cbor_get_text(d, (const char **)&p, &len)))
            return rc;
        return fcp_cbor_put_text(e, (const char *)p, len);
    case 4: case 5:
        if ((rc = major == 4 ? fcp_cbor_get_array(d, &n) : fcp_cbor_get_map(d, &n)))
            return rc;
        if (major == 4)
            fcp_cbor_put_array(e, n);
        else
            fcp_cbor_put_map(e, n);
        for (uint64_t i = 0; i < (major == 5 ? 2 * n : n); i++)
            if ((rc = copy(d, e)))
                return rc;
        return 0;
    case 6:
        if ((rc = fcp_cbor_get_tag(d, &u)))
            return rc;
        fcp_cbor_put_tag(e, u);
        return copy(d, e);
    default: {
        double f;
        unsigned s;
        if (fcp_cbor_get_float(d, &f) == 0)
            return fcp_cbor_put_float(e, f);
        if ((rc = fcp_cbor_get_simple(d, &s)))
            return rc;
        return fcp_cbor_put_head(e, 7, s);
    }
    }
}

static int same(const fcp_buf *b, const uint8_t *data, size_t size)
{
    return b->len == size && (size == 0 || memcmp(b->data, data, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    int strict = fcp_cbor_validate_ex(data, size, &all, &off);
    if (strict && off > size)
        abort();
    (void)fcp_cbor_validate(data, size, NULL);

    /* the cursor decoder agrees with the validator */
    fcp_cbor_dec d;
    const uint8_t *rp;
    size_t rn;
    fcp_cbor_dec_init(&d, data, size, &all);
    int cur = fcp_cbor_get_raw(&d, &rp, &rn);
    if (cur == 0)
        cur = fcp_cbor_dec_finish(&d);
    if (cur != strict)
        abort();

    fcp_buf diag, out;
    fcp_buf_init(&diag);
    fcp_buf_init(&out);
    (void)fcp_cbor_diag(data, size, &diag);

    fcp_cbor_tree t;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &out);
    int parsed = fcp_cbor_tree_parse(&t, data, size);
    if (strict == 0 && parsed != 0)
        abort();                       /* strict accepts only well-formed input */
    if (parsed == 0) {
        int rc = fcp_cbor_tree_encode(t.root, &e);
        if (rc == 0)
            rc = fcp_cbor_enc_finish(&e);
        if (strict == 0 && (rc != 0 || !same(&out, data, size)))
            abort();                   /* canonical input re-encodes to itself */
        if (rc == 0) {
            /* canonicalised output passes the strict validator */
            fcp_cbor_limits big = all;
            big.max_input = out.len;
            big.max_items = UINT64_MAX;
            big.max_depth = FCP_CBOR_DEPTH_CAP;
            if (fcp_cbor_validate(out.data, out.len, &big) != 0)
                abort();
        }
    }
    fcp_cbor_tree_free(&t);

    if (strict == 0) {
        /* typed cursor copy reproduces the bytes */
        fcp_buf_reset(&out);
        fcp_cbor_enc_free(&e);
        fcp_cbor_enc_init(&e, &out);
        fcp_cbor_dec_init(&d, data, size, &all);
        if (copy(&d, &e) != 0 || fcp_cbor_dec_finish(&d) != 0 || fcp_cbor_enc_finish(&e) != 0 ||
            !same(&out, data, size))
            abort();
    }
    fcp_cbor_enc_free(&e);
    fcp_buf_free(&out);
    fcp_buf_free(&diag);
    return 0;
}
