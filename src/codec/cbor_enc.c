/*
 * cbor_enc.c - the deterministic CBOR encoder (spec §3.5, RFC 8949 §4.2.1).
 *
 * Every put writes the shortest head, so the encoder cannot produce a
 * non-canonical integer, length or tag.  The sorting map builder lets callers
 * emit entries in any order: map_open writes a one-byte placeholder head,
 * entries are appended to the output as they come, and map_close finds the
 * entry boundaries by stepping over the freshly written items, sorts the
 * (key, value, end) offset triples bytewise by key, and rewrites the body in
 * order.  Maps that arrive already sorted with at most 23 entries (the usual
 * case for structs) cost only the boundary scan and a patch of the head byte.
 */
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "cbor_internal.h"

#include <stdlib.h>
#include <string.h>

size_t fcp_cbor__head(uint8_t *out, unsigned major, uint64_t arg)
{
    uint8_t mt = (uint8_t)(major << 5);
    if (arg < 24) {
        out[0] = (uint8_t)(mt | arg);
        return 1;
    }
    if (arg <= 0xff) {
        out[0] = mt | 24;
        out[1] = (uint8_t)arg;
        return 2;
    }
    if (arg <= 0xffff) {
        out[0] = mt | 25;
        fcp_store_u16be(out + 1, (uint16_t)arg);
        return 3;
    }
    if (arg <= 0xffffffffu) {
        out[0] = mt | 26;
        fcp_store_u32be(out + 1, (uint32_t)arg);
        return 5;
    }
    out[0] = mt | 27;
    fcp_store_u64be(out + 1, arg);
    return 9;
}

int fcp_cbor__float_encode(double v, uint8_t *out)
{
    uint64_t d;
    memcpy(&d, &v, 8);
    uint64_t sign = d >> 63, m = d & 0xfffffffffffffull;
    int e = (int)((d >> 52) & 0x7ff);
    if (e == 0x7ff) {
        if (m)
            return FCP_ECBOR_NAN;            /* RFC 8949 §4.2.2; spec §3.5 */
        out[0] = 0xf9;                        /* ±Infinity as half */
        fcp_store_u16be(out + 1, (uint16_t)(sign ? 0xfc00 : 0x7c00));
        return 3;
    }
    if (e == 0 && m == 0) {
        /* both zeros encode as +0.0 (decision D-CBOR-1, upstream f90000) */
        out[0] = 0xf9;
        out[1] = out[2] = 0;
        return 3;
    }
    if (e != 0) {
        int E = e - 1023;
        uint64_t full = m | (1ull << 52);
        /* half: normal exponents -14..15 with 10 mantissa bits, or subnormal
         * multiples of 2^-24 */
        if (E >= -14 && E <= 15 && (m & ((1ull << 42) - 1)) == 0) {
            out[0] = 0xf9;
            fcp_store_u16be(out + 1, (uint16_t)(sign << 15 | (uint64_t)(E + 15) << 10 | m >> 42));
            return 3;
        }
        if (E >= -24 && E < -14) {
            int shift = 28 - E;
            if ((full & ((1ull << shift) - 1)) == 0) {
                out[0] = 0xf9;
                fcp_store_u16be(out + 1, (uint16_t)(sign << 15 | full >> shift));
                return 3;
            }
        }
        /* single: normal exponents -126..127 with 23 mantissa bits, or
         * subnormal multiples of 2^-149 */
        if (E >= -126 && E <= 127 && (m & ((1ull << 29) - 1)) == 0) {
            out[0] = 0xfa;
            fcp_store_u32be(out + 1, (uint32_t)(sign << 31 | (uint64_t)(E + 127) << 23 | m >> 29));
            return 5;
        }
        if (E >= -149 && E < -126) {
            int shift = -97 - E;
            if ((full & ((1ull << shift) - 1)) == 0) {
                out[0] = 0xfa;
                fcp_store_u32be(out + 1, (uint32_t)(sign << 31 | full >> shift));
                return 5;
            }
        }
    }
    out[0] = 0xfb;
    fcp_store_u64be(out + 1, d);
    return 9;
}

void fcp_cbor_enc_init(fcp_cbor_enc *enc, fcp_buf *out)
{
    memset(enc, 0, sizeof *enc);
    enc->out = out;
}

void fcp_cbor_enc_free(fcp_cbor_enc *enc)
{
    free(enc->frames);
    free(enc->ents);
    free(enc->scratch);
    enc->frames = NULL;
    enc->ents = NULL;
    enc->scratch = NULL;
    enc->nframes = enc->cframes = enc->nents = enc->cents = enc->cscratch = 0;
}

static int enc_fail(fcp_cbor_enc *enc, int err)
{
    if (!enc->err)
        enc->err = err;
    return enc->err;
}

int fcp_cbor_enc_finish(fcp_cbor_enc *enc)
{
    if (!enc->err && enc->out->err)
        enc->err = enc->out->err;
    if (!enc->err && enc->nframes)
        enc->err = FCP_ECBOR_COUNT;
    return enc->err;
}

static int enc_append(fcp_cbor_enc *enc, const void *p, size_t n)
{
    if (enc->err)
        return enc->err;
    int rc = fcp_buf_append(enc->out, p, n);
    return rc ? enc_fail(enc, rc) : 0;
}

int fcp_cbor_put_head(fcp_cbor_enc *enc, unsigned major, uint64_t arg)
{
    if (enc->err)
        return enc->err;
    if (major > 7)
        return enc_fail(enc, FCP_EINVAL);
    fcp_buf *b = enc->out;
    if (b->cap - b->len >= FCP_CBOR_HEAD_MAX && !b->err &&
        (b->max == 0 || b->max - b->len >= FCP_CBOR_HEAD_MAX)) {
        /* fast path: room for the longest head, write in place */
        b->len += fcp_cbor__head(b->data + b->len, major, arg);
        return 0;
    }
    uint8_t tmp[FCP_CBOR_HEAD_MAX];
    return enc_append(enc, tmp, fcp_cbor__head(tmp, major, arg));
}

int fcp_cbor_put_uint(fcp_cbor_enc *enc, uint64_t v)
{
    return fcp_cbor_put_head(enc, FCP_CBOR_UINT, v);
}

int fcp_cbor_put_int(fcp_cbor_enc *enc, int64_t v)
{
    if (v >= 0)
        return fcp_cbor_put_head(enc, FCP_CBOR_UINT, (uint64_t)v);
    /* -1 - v without overflow: ~v reinterpreted */
    return fcp_cbor_put_head(enc, FCP_CBOR_NEGINT, ~(uint64_t)v);
}

int fcp_cbor_put_negint_raw(fcp_cbor_enc *enc, uint64_t arg)
{
    return fcp_cbor_put_head(enc, FCP_CBOR_NEGINT, arg);
}

static int put_string(fcp_cbor_enc *enc, unsigned major, const void *p, size_t n)
{
    if (enc->err)
        return enc->err;
    uint8_t tmp[FCP_CBOR_HEAD_MAX];
    size_t h = fcp_cbor__head(tmp, major, n);
    if (n > SIZE_MAX - h)
        return enc_fail(enc, FCP_ETOO_LARGE);
    uint8_t *dst = fcp_buf_extend(enc->out, h + n);
    if (!dst)
        return enc_fail(enc, enc->out->err ? enc->out->err : FCP_ENOMEM);
    memcpy(dst, tmp, h);
    if (n)
        memcpy(dst + h, p, n);
    return 0;
}

int fcp_cbor_put_bytes(fcp_cbor_enc *enc, const void *p, size_t n)
{
    return put_string(enc, FCP_CBOR_BYTES, p, n);
}

int fcp_cbor_put_text(fcp_cbor_enc *enc, const char *p, size_t n)
{
    if (enc->err)
        return enc->err;
    if (!fcp_utf8_valid((const uint8_t *)p, n))
        return enc_fail(enc, FCP_ECBOR_UTF8);
    return put_string(enc, FCP_CBOR_TEXT, p, n);
}

int fcp_cbor_put_cstr(fcp_cbor_enc *enc, const char *s)
{
    return fcp_cbor_put_text(enc, s, strlen(s));
}

int fcp_cbor_put_bool(fcp_cbor_enc *enc, int v)
{
    uint8_t b = v ? 0xf5 : 0xf4;
    return enc_append(enc, &b, 1);
}

int fcp_cbor_put_null(fcp_cbor_enc *enc)
{
    uint8_t b = 0xf6;
    return enc_append(enc, &b, 1);
}

int fcp_cbor_put_simple(fcp_cbor_enc *enc, unsigned v)
{
    if (enc->err)
        return enc->err;
    if (v > 255 || (v >= 24 && v < 32))   /* RFC 8949 §3.3: f8 00..1f not well-formed */
        return enc_fail(enc, FCP_EINVAL);
    return fcp_cbor_put_head(enc, FCP_CBOR_SIMPLE, v);
}

int fcp_cbor_put_tag(fcp_cbor_enc *enc, uint64_t tag)
{
    return fcp_cbor_put_head(enc, FCP_CBOR_TAG, tag);
}

int fcp_cbor_put_float(fcp_cbor_enc *enc, double v)
{
    if (enc->err)
        return enc->err;
    uint8_t tmp[9];
    int n = fcp_cbor__float_encode(v, tmp);
    if (n < 0)
        return enc_fail(enc, n);
    return enc_append(enc, tmp, (size_t)n);
}

int fcp_cbor_put_array(fcp_cbor_enc *enc, uint64_t n)
{
    return fcp_cbor_put_head(enc, FCP_CBOR_ARRAY, n);
}

int fcp_cbor_put_map(fcp_cbor_enc *enc, uint64_t n)
{
    return fcp_cbor_put_head(enc, FCP_CBOR_MAP, n);
}

int fcp_cbor_put_raw(fcp_cbor_enc *enc, const void *p, size_t n)
{
    return enc_append(enc, p, n);
}

/* Grow a scratch array to hold at least want elements of size sz. */
static int grow(void **arr, size_t *cap, size_t want, size_t sz)
{
    if (want <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < want) {
        if (nc > SIZE_MAX / 2 / sz)
            return FCP_ENOMEM;
        nc *= 2;
    }
    void *np = realloc(*arr, nc * sz);
    if (!np)
        return FCP_ENOMEM;
    *arr = np;
    *cap = nc;
    return 0;
}

int fcp_cbor_map_open(fcp_cbor_enc *enc)
{
    if (enc->err)
        return enc->err;
    int rc = grow((void **)&enc->frames, &enc->cframes, enc->nframes + 1, sizeof *enc->frames);
    if (rc)
        return enc_fail(enc, rc);
    fcp_cbor_map_frame *f = &enc->frames[enc->nframes++];
    f->start = enc->out->len;
    f->first_ent = enc->nents;
    uint8_t b = 0xa0;
    return enc_append(enc, &b, 1);
}

static int ent_cmp(const uint8_t *base, const fcp_cbor_map_ent *a, const fcp_cbor_map_ent *b)
{
    return fcp_cbor__keycmp(base + a->key, a->val - a->key, base + b->key, b->val - b->key);
}

/* End of the item at p when it is a definite scalar or string (the common
 * case for map keys and struct fields), else NULL: the caller falls back to
 * the general skip.  Never reads at or past end. */
static inline const uint8_t *scalar_end(const uint8_t *p, const uint8_t *end)
{
    uint8_t ib = *p;
    unsigned major = ib >> 5, ai = ib & 31;
    if (major == 4 || major == 5 || major == 6 || ai > 27)
        return NULL;
    size_t avail = (size_t)(end - p) - 1;
    uint64_t arg = ai;
    size_t w = 0;
    if (ai >= 24) {
        w = (size_t)1 << (ai - 24);
        if (avail < w)
            return NULL;
        arg = 0;
        for (size_t i = 0; i < w; i++)
            arg = arg << 8 | p[1 + i];
    }
    if (major == 2 || major == 3) {
        if (arg > avail - w)
            return NULL;
        return p + 1 + w + arg;
    }
    return p + 1 + w;
}

/* Stable merge sort of e[0..n) using tmp[0..n); sets *dup on equal keys. */
static void ent_sort(const uint8_t *base, fcp_cbor_map_ent *e, fcp_cbor_map_ent *tmp, size_t n,
                     int *dup)
{
    if (n < 2)
        return;
    if (n <= 8) {
        for (size_t i = 1; i < n; i++) {
            fcp_cbor_map_ent x = e[i];
            size_t j = i;
            while (j > 0) {
                int c = ent_cmp(base, &e[j - 1], &x);
                if (c == 0)
                    *dup = 1;
                if (c <= 0)
                    break;
                e[j] = e[j - 1];
                j--;
            }
            e[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    ent_sort(base, e, tmp, h, dup);
    ent_sort(base, e + h, tmp, n - h, dup);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        int c = ent_cmp(base, &e[i], &e[j]);
        if (c == 0)
            *dup = 1;
        tmp[k++] = c <= 0 ? e[i++] : e[j++];
    }
    while (i < h)
        tmp[k++] = e[i++];
    while (j < n)
        tmp[k++] = e[j++];
    memcpy(e, tmp, n * sizeof *e);
}

int fcp_cbor_map_close(fcp_cbor_enc *enc)
{
    if (enc->err)
        return enc->err;
    if (enc->out->err)
        return enc_fail(enc, enc->out->err);
    if (!enc->nframes)
        return enc_fail(enc, FCP_ECBOR_COUNT);
    fcp_cbor_map_frame f = enc->frames[--enc->nframes];
    uint8_t *base = enc->out->data;
    size_t body = f.start + 1, end = enc->out->len;
    size_t first = f.first_ent, n = 0;
    int rc;

    /* find entry boundaries by stepping over the items just written */
    const uint8_t *p = base + body, *e = base + end;
    while (p < e) {
        const uint8_t *k = p, *v;
        int err = 0;
        v = scalar_end(k, e);
        if (!v && !(v = fcp_cbor__wf_skip(k, e, &err, NULL)))
            return enc_fail(enc, err);
        if (v == e)
            return enc_fail(enc, FCP_ECBOR_COUNT);   /* key without value */
        p = scalar_end(v, e);
        if (!p && !(p = fcp_cbor__wf_skip(v, e, &err, NULL)))
            return enc_fail(enc, err);
        if ((rc = grow((void **)&enc->ents, &enc->cents, first + n + 1, sizeof *enc->ents)))
            return enc_fail(enc, rc);
        fcp_cbor_map_ent *en = &enc->ents[first + n++];
        en->key = (size_t)(k - base);
        en->val = (size_t)(v - base);
        en->end = (size_t)(p - base);
    }
    fcp_cbor_map_ent *ents = n ? enc->ents + first : NULL;   /* no NULL + 0 for {} */

    int sorted = 1;
    for (size_t i = 1; i < n; i++) {
        int c = ent_cmp(base, &ents[i - 1], &ents[i]);
        if (c == 0)
            return enc_fail(enc, FCP_ECBOR_DUPLICATE_KEY);
        if (c > 0)
            sorted = 0;
    }

    uint8_t head[FCP_CBOR_HEAD_MAX];
    size_t h = fcp_cbor__head(head, FCP_CBOR_MAP, n);
    size_t blen = end - body;
    if (!sorted) {
        if ((rc = grow((void **)&enc->ents, &enc->cents, first + 2 * n, sizeof *enc->ents)))
            return enc_fail(enc, rc);
        ents = enc->ents + first;
        int dup = 0;
        ent_sort(base, ents, ents + n, n, &dup);
        if (dup)
            return enc_fail(enc, FCP_ECBOR_DUPLICATE_KEY);
        if ((rc = grow((void **)&enc->scratch, &enc->cscratch, blen, 1)))
            return enc_fail(enc, rc);
        size_t off = 0;
        for (size_t i = 0; i < n; i++) {
            size_t l = ents[i].end - ents[i].key;
            memcpy(enc->scratch + off, base + ents[i].key, l);
            off += l;
        }
    }
    if (h > 1) {
        if (!fcp_buf_extend(enc->out, h - 1))
            return enc_fail(enc, enc->out->err ? enc->out->err : FCP_ENOMEM);
        base = enc->out->data;
        if (sorted)
            memmove(base + f.start + h, base + body, blen);
    }
    if (!sorted && blen)
        memcpy(base + f.start + h, enc->scratch, blen);
    memcpy(base + f.start, head, h);
    enc->nents = first;
    return 0;
}
