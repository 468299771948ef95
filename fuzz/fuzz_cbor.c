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
 *     must come out strictly canonical;
 *   - a canonical array of key/value items fed to the sorting map builder
 *     gives a canonical map of the same entries, or a true duplicate.
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

/* If data is a canonical array of 2k items, feed them to the sorting map
 * builder as k key/value pairs in array order: the result must be a
 * canonical map of k entries, or a duplicate-key refusal that is real. */
static void builder_check(const uint8_t *data, size_t size)
{
    fcp_cbor_dec d;
    uint64_t n;
    fcp_cbor_dec_init(&d, data, size, &all);
    if (fcp_cbor_get_array(&d, &n) != 0 || (n & 1) || n > 64)
        return;
    size_t body = size - fcp_cbor_dec_offset(&d);   /* bytes of the items */
    const uint8_t *item[64];
    size_t len[64];
    for (uint64_t i = 0; i < n; i++)
        if (fcp_cbor_get_raw(&d, &item[i], &len[i]) != 0)
            return;
    fcp_buf out;
    fcp_cbor_enc e;
    fcp_buf_init(&out);
    fcp_cbor_enc_init(&e, &out);
    fcp_cbor_put_array(&e, 1);               /* nested inside an array */
    fcp_cbor_map_open(&e);
    for (uint64_t i = 0; i < n; i++)
        fcp_cbor_put_raw(&e, item[i], len[i]);
    int rc = fcp_cbor_map_close(&e);
    if (rc == 0)
        rc = fcp_cbor_enc_finish(&e);
    int dup = 0;
    for (uint64_t i = 0; i < n; i += 2)
        for (uint64_t j = i + 2; j < n; j += 2)
            if (len[i] == len[j] && memcmp(item[i], item[j], len[i]) == 0)
                dup = 1;
    if (dup != (rc == FCP_ECBOR_DUPLICATE_KEY))
        abort();
    if (rc == 0) {
        uint64_t m, a;
        fcp_cbor_limits big = all;
        big.max_input = out.len;
        /* the items now sit inside array > map instead of array: one level
         * deeper than the input the decoder accepted */
        big.max_depth = all.max_depth + 1;
        size_t mhead = n / 2 < 24 ? 1 : 2;             /* n <= 64 */
        if (fcp_cbor_validate(out.data, out.len, &big) != 0 || out.len != 1 + mhead + body)
            abort();
        fcp_cbor_dec_init(&d, out.data, out.len, &big);
        if (fcp_cbor_get_array(&d, &a) != 0 || fcp_cbor_get_map(&d, &m) != 0 || m != n / 2)
            abort();
    } else if (rc != FCP_ECBOR_DUPLICATE_KEY) {
        abort();
    }
    fcp_cbor_enc_free(&e);
    fcp_buf_free(&out);
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
        builder_check(data, size);
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
