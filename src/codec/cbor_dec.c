/*
 * cbor_dec.c - the strict deterministic-CBOR decoder and validator
 * (spec §3.5, RFC 8949 §4.2.1).
 *
 * Only canonical bytes get through: heads must be in shortest form, lengths
 * definite, map keys strictly increasing bytewise by their encoded bytes,
 * floats (when allowed at all) in the shortest exact width and never NaN or
 * -0.0, text valid UTF-8, and nothing may follow the one top-level item.
 * Every length and count read from the input is compared with the bytes that
 * remain and with the caller's limits before it is used; nothing here
 * allocates, and nothing recurses, so a hostile input costs at most one pass.
 *
 * Two front ends share the head parser and the rules: the cursor decoder
 * (fcp_cbor_get_*), which keeps one fixed frame per open container, and the
 * non-recursive validator (strict_skip) used by fcp_cbor_validate,
 * fcp_cbor_skip and fcp_cbor_get_raw.
 */
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "cbor_internal.h"

#include <math.h>
#include <string.h>

const fcp_cbor_limits fcp_cbor_limits_default = {
    .max_depth = FCP_CBOR_DEFAULT_DEPTH,
    .max_items = FCP_CBOR_DEFAULT_ITEMS,
    .max_input = FCP_CBOR_DEFAULT_INPUT,
    .allow = 0,
};

/* A parsed head. */
struct head {
    unsigned major;
    unsigned ai;
    uint64_t arg;
    size_t   hlen;
};

/*
 * Parse and check the head at p (p < end).  Rejects truncation, reserved
 * additional information, indefinite lengths, stray breaks and non-shortest
 * arguments (RFC 8949 §4.2.1).  For major 7 the argument of ai 25..27 is the
 * float's bits and is not subject to the shortest-head rule (floats have their
 * own rule, checked by check_float).
 */
static inline int parse_head(const uint8_t *p, const uint8_t *end, struct head *h)
{
    uint8_t ib = p[0];
    unsigned major = ib >> 5, ai = ib & 31;
    h->major = major;
    h->ai = ai;
    if (ai < 24) {
        h->arg = ai;
        h->hlen = 1;
        return 0;
    }
    size_t avail = (size_t)(end - p) - 1;
    switch (ai) {
    case 24:
        if (avail < 1)
            return FCP_ECBOR_TRUNCATED;
        h->arg = p[1];
        h->hlen = 2;
        if (major == 7)   /* RFC 8949 §3.3: f8 00..1f is not well-formed */
            return h->arg < 32 ? FCP_ECBOR_MALFORMED : 0;
        if (h->arg < 24)
            return FCP_ECBOR_NON_SHORTEST;
        return 0;
    case 25:
        if (avail < 2)
            return FCP_ECBOR_TRUNCATED;
        h->arg = fcp_load_u16be(p + 1);
        h->hlen = 3;
        return (h->arg <= 0xff && major != 7) ? FCP_ECBOR_NON_SHORTEST : 0;
    case 26:
        if (avail < 4)
            return FCP_ECBOR_TRUNCATED;
        h->arg = fcp_load_u32be(p + 1);
        h->hlen = 5;
        return (h->arg <= 0xffff && major != 7) ? FCP_ECBOR_NON_SHORTEST : 0;
    case 27:
        if (avail < 8)
            return FCP_ECBOR_TRUNCATED;
        h->arg = fcp_load_u64be(p + 1);
        h->hlen = 9;
        return (h->arg <= 0xffffffffu && major != 7) ? FCP_ECBOR_NON_SHORTEST : 0;
    case 31:
        if (major == 7)
            return FCP_ECBOR_BREAK;
        if (major >= 2 && major <= 5)
            return FCP_ECBOR_INDEFINITE;          /* RFC 8949 §4.2.1 */
        return FCP_ECBOR_MALFORMED;               /* ai 31 on int or tag */
    default:
        return FCP_ECBOR_RESERVED;                /* ai 28..30 */
    }
}

/* Decode and check a float head: NaN, -0.0 and non-shortest widths fail
 * (RFC 8949 §4.2.1-4.2.2; -0.0 per decision D-CBOR-1). */
static int check_float(const struct head *h, double *out)
{
    double v;
    if (h->ai == 25)
        v = fcp_cbor__half_to_double((uint16_t)h->arg);
    else if (h->ai == 26)
        v = fcp_cbor__single_to_double((uint32_t)h->arg);
    else
        v = fcp_cbor__double_from_bits(h->arg);
    if (isnan(v))
        return FCP_ECBOR_NAN;
    if (v == 0 && signbit(v))
        return FCP_ECBOR_NEG_ZERO;
    uint8_t tmp[9];
    int n = fcp_cbor__float_encode(v, tmp);
    if ((size_t)n != h->hlen)
        return FCP_ECBOR_FLOAT_NON_SHORTEST;
    *out = v;
    return 0;
}

/* Rules for a major-7 head under the limits. */
static int check_simple(const struct head *h, unsigned allow, double *f)
{
    if (h->ai >= 25 && h->ai <= 27) {
        if (!(allow & FCP_CBOR_ALLOW_FLOAT))
            return FCP_ECBOR_FLOAT;
        return check_float(h, f);
    }
    if (h->arg >= FCP_CBOR_FALSE && h->arg <= FCP_CBOR_NULL)
        return 0;
    return (allow & FCP_CBOR_ALLOW_SIMPLE) ? 0 : FCP_ECBOR_SIMPLE;
}

/* One open container in the validator. */
struct vframe {
    uint64_t       remaining;
    const uint8_t *key;        /* start of the current key (maps) */
    const uint8_t *prev;       /* previous key */
    size_t         prev_len;
    int            is_map;
};

/*
 * Validate one item starting at p under lim, with `depth` containers already
 * open around it.  Returns the end of the item, or NULL with *err and *errpos
 * (the head of the offending item, or of the offending key).
 */
static const uint8_t *strict_skip(const fcp_cbor_limits *lim, const uint8_t *p,
                                  const uint8_t *end, uint32_t depth, int *err,
                                  const uint8_t **errpos)
{
    struct vframe st[FCP_CBOR_DEPTH_CAP + 1];
    uint32_t sp = 0;
    st[0].remaining = 1;
    st[0].is_map = 0;
    int rc;
    double fv;

    for (;;) {
        struct vframe *f = &st[sp];
        while (f->remaining == 0) {
            if (sp == 0)
                return p;
            f = &st[--sp];
        }
        if (f->is_map) {
            if (f->remaining & 1) {
                /* value position: the key just ended here; spec §3.5 order */
                size_t klen = (size_t)(p - f->key);
                if (f->prev) {
                    int c = fcp_cbor__keycmp(f->prev, f->prev_len, f->key, klen);
                    if (c >= 0) {
                        *err = c == 0 ? FCP_ECBOR_DUPLICATE_KEY : FCP_ECBOR_UNSORTED_KEYS;
                        *errpos = f->key;
                        return NULL;
                    }
                }
                f->prev = f->key;
                f->prev_len = klen;
            } else {
                f->key = p;
            }
        }
        f->remaining--;
        if (p >= end) {
            *err = FCP_ECBOR_TRUNCATED;
            *errpos = p;
            return NULL;
        }
        struct head h;
        if ((rc = parse_head(p, end, &h)))
            goto fail;
        size_t avail = (size_t)(end - p) - h.hlen;
        switch (h.major) {
        case 0: case 1:
            break;
        case 2: case 3:
            if (h.arg > avail) {
                rc = FCP_ECBOR_TRUNCATED;
                goto fail;
            }
            if (h.major == 3 && !fcp_utf8_valid(p + h.hlen, (size_t)h.arg)) {
                rc = FCP_ECBOR_UTF8;
                goto fail;
            }
            p += h.arg;
            break;
        case 4: case 5: case 6:
            if (depth + sp + 1 > lim->max_depth) {
                rc = FCP_ECBOR_DEPTH;
                goto fail;
            }
            if (h.major == 6) {
                if (!(lim->allow & FCP_CBOR_ALLOW_TAG)) {
                    rc = FCP_ECBOR_TAG;
                    goto fail;
                }
                st[++sp] = (struct vframe){ .remaining = 1 };
                break;
            }
            if (h.arg > lim->max_items) {
                rc = FCP_ECBOR_TOO_LARGE;
                goto fail;
            }
            /* every item takes at least one byte: check before using the count */
            if (h.arg > (h.major == 5 ? avail / 2 : avail)) {
                rc = FCP_ECBOR_TRUNCATED;
                goto fail;
            }
            st[++sp] = (struct vframe){ .remaining = h.major == 5 ? 2 * h.arg : h.arg,
                                        .is_map = h.major == 5 };
            break;
        default:
            if ((rc = check_simple(&h, lim->allow, &fv)))
                goto fail;
            break;
        }
        p += h.hlen;
        continue;
    fail:
        *err = rc;
        *errpos = p;
        return NULL;
    }
}

static const fcp_cbor_limits *lim_or_default(const fcp_cbor_limits *lim)
{
    return lim ? lim : &fcp_cbor_limits_default;
}

int fcp_cbor_validate_ex(const void *bytes, size_t n, const fcp_cbor_limits *lim, size_t *offset)
{
    fcp_cbor_limits l = *lim_or_default(lim);
    if (l.max_depth > FCP_CBOR_DEPTH_CAP)
        l.max_depth = FCP_CBOR_DEPTH_CAP;
    const uint8_t *p = bytes, *end = p + n, *errpos = p;
    int err = 0;
    if (n > l.max_input) {
        if (offset)
            *offset = 0;
        return FCP_ECBOR_TOO_LARGE;
    }
    const uint8_t *q = strict_skip(&l, p, end, 0, &err, &errpos);
    if (!q) {
        if (offset)
            *offset = (size_t)(errpos - p);
        return err;
    }
    if (q != end) {
        if (offset)
            *offset = (size_t)(q - p);
        return FCP_ECBOR_TRAILING;
    }
    return 0;
}

int fcp_cbor_validate(const void *bytes, size_t n, const fcp_cbor_limits *lim)
{
    return fcp_cbor_validate_ex(bytes, n, lim, NULL);
}

/* ------------------------------------------------------------------------ */
/* Cursor decoder                                                            */
/* ------------------------------------------------------------------------ */

void fcp_cbor_dec_init(fcp_cbor_dec *dec, const void *p, size_t n, const fcp_cbor_limits *lim)
{
    dec->start = dec->p = p;
    dec->end = dec->start + n;
    dec->lim = *lim_or_default(lim);
    if (dec->lim.max_depth > FCP_CBOR_DEPTH_CAP)
        dec->lim.max_depth = FCP_CBOR_DEPTH_CAP;
    dec->err = n > dec->lim.max_input ? FCP_ECBOR_TOO_LARGE : 0;
    dec->depth = 0;
    dec->frame[0].remaining = 1;
    dec->frame[0].is_map = 0;
    dec->frame[0].prev_key = NULL;
    dec->frame[0].prev_len = 0;
}

size_t fcp_cbor_dec_offset(const fcp_cbor_dec *dec)
{
    return (size_t)(dec->p - dec->start);
}

int fcp_cbor_dec_finish(fcp_cbor_dec *dec)
{
    if (dec->err)
        return dec->err;
    if (dec->depth || dec->frame[0].remaining)
        return FCP_ECBOR_COUNT;
    return dec->p == dec->end ? 0 : FCP_ECBOR_TRAILING;
}

static int dec_fail(fcp_cbor_dec *d, int err)
{
    if (!d->err)
        d->err = err;
    return d->err;
}

/*
 * Look at the next item: its frame has room, its head is canonical, and if
 * it is a map key it sorts after the previous key.  Consumes nothing; errors
 * found here are sticky (the input is not canonical).
 */
static inline int dec_prepare(fcp_cbor_dec *d, struct head *h)
{
    if (d->err)
        return d->err;
    fcp_cbor_dec_frame *f = &d->frame[d->depth];
    if (f->remaining == 0)
        return FCP_ECBOR_COUNT;           /* past the end of the top-level item */
    if (d->p >= d->end)
        return dec_fail(d, FCP_ECBOR_TRUNCATED);
    int rc = parse_head(d->p, d->end, h);
    if (rc)
        return dec_fail(d, rc);
    if (f->is_map && !(f->remaining & 1)) {
        /* key position: find the key's encoded extent and check its order */
        size_t klen;
        size_t avail = (size_t)(d->end - d->p) - h->hlen;
        if (h->major <= 1) {
            klen = h->hlen;
        } else if (h->major <= 3) {
            if (h->arg > avail)
                return dec_fail(d, FCP_ECBOR_TRUNCATED);
            klen = h->hlen + (size_t)h->arg;
        } else {
            int err = 0;
            const uint8_t *ep = NULL;
            const uint8_t *q = strict_skip(&d->lim, d->p, d->end, d->depth, &err, &ep);
            if (!q)
                return dec_fail(d, err);
            klen = (size_t)(q - d->p);
        }
        if (f->prev_key) {
            int c = fcp_cbor__keycmp(f->prev_key, f->prev_len, d->p, klen);
            if (c >= 0)
                return dec_fail(d, c == 0 ? FCP_ECBOR_DUPLICATE_KEY : FCP_ECBOR_UNSORTED_KEYS);
        }
        d->key_len = klen;     /* becomes the previous key once consumed */
    }
    return 0;
}

/* Consume an item that ends at `to`: update the frame and pop finished ones. */
static inline void dec_commit(fcp_cbor_dec *d, const uint8_t *to)
{
    fcp_cbor_dec_frame *f = &d->frame[d->depth];
    if (f->is_map && !(f->remaining & 1)) {
        f->prev_key = d->p;
        f->prev_len = d->key_len;
    }
    f->remaining--;
    d->p = to;
    while (d->depth && d->frame[d->depth].remaining == 0)
        d->depth--;
}

/* Consume a container or tag head and open its frame. */
static int dec_open(fcp_cbor_dec *d, const struct head *h, uint64_t items, int is_map)
{
    if (d->depth + 1 > d->lim.max_depth)
        return dec_fail(d, FCP_ECBOR_DEPTH);
    fcp_cbor_dec_frame *f = &d->frame[d->depth];
    if (f->is_map && !(f->remaining & 1)) {
        f->prev_key = d->p;
        f->prev_len = d->key_len;
    }
    f->remaining--;
    d->p += h->hlen;
    if (items == 0) {
        while (d->depth && d->frame[d->depth].remaining == 0)
            d->depth--;
        return 0;
    }
    fcp_cbor_dec_frame *nf = &d->frame[++d->depth];
    nf->remaining = items;
    nf->is_map = is_map;
    nf->prev_key = NULL;
    nf->prev_len = 0;
    return 0;
}

int fcp_cbor_peek(fcp_cbor_dec *dec, unsigned *major)
{
    struct head h;
    int rc = dec_prepare(dec, &h);
    if (rc)
        return rc;
    *major = h.major;
    return 0;
}

int fcp_cbor_is_null(fcp_cbor_dec *dec)
{
    struct head h;
    int rc = dec_prepare(dec, &h);
    if (rc)
        return rc;
    return h.major == 7 && h.arg == FCP_CBOR_NULL && h.hlen == 1;
}

int fcp_cbor_get_uint(fcp_cbor_dec *dec, uint64_t *v)
{
    struct head h;
    int rc = dec_prepare(dec, &h);
    if (rc)
        return rc;
    if (h.major != 0)
        return FCP_ECBOR_TYPE;
    *v = h.arg;
    dec_commit(dec, dec->p + h.hlen);
    return 0;
}

int fcp_cbor_get_int_raw(fcp_cbor_dec *dec, int *neg, uint64_t *v)
{
    struct head h;
    int rc = dec_prepare(dec, &h);
    if (rc)
        return rc;
    if (h.major > 1)
        return FCP_ECBOR_TYPE;
    *neg = (int)h.major;
    *v = h.arg;
    dec_commit(dec, dec->p + h.hlen);
    return 0;
}

int fcp_cbor_get_int(fcp_cbor_dec *dec, int64_t *v)
{
    struct head h;
    int rc = dec_prepare(dec, &h);
    if (rc)
        return rc;
    if (h.major > 1)
        return FCP_ECBOR_TYPE;
    if (h.arg > (uint64_t)INT64_MAX)
        return FCP_ECBOR_INT_RANGE;
    /* -1 - arg, arg <= INT64_MAX, stays in range */
    *v = h.major ? -1 - (int64_t)h.arg : (int64_t)h.arg;
    dec_commit(dec, dec->p + h.hlen);
    return 0;
}

static inline int get_string(fcp_cbor_dec *d, unsigned major, const uint8_t **p, size_t *n)
{
    struct head h;
    int rc = dec_prepare(d, &h);
    if (rc)
        return rc;
    if (h.major != major)
        return FCP_ECBOR_TYPE;
    size_t avail = (size_t)(d->end - d->p) - h.hlen;
    if (h.arg > avail)
        return dec_fail(d, FCP_ECBOR_TRUNCATED);
    const uint8_t *s = d->p + h.hlen;
    if (major == 3 && !fcp_utf8_valid(s, (size_t)h.arg))
        return dec_fail(d, FCP_ECBOR_UTF8);
    *p = s;
    *n = (size_t)h.arg;
    dec_commit(d, s + h.arg);
    return 0;
}

int fcp_cbor_get_bytes(fcp_cbor_dec *dec, const uint8_t **p, size_t *n)
{
    return get_string(dec, FCP_CBOR_BYTES, p, n);
}

int fcp_cbor_get_text(fcp_cbor_dec *dec, const char **p, size_t *n)
{
    return get_string(dec, FCP_CBOR_TEXT, (const uint8_t **)p, n);
}

int fcp_cbor_get_bool(fcp_cbor_dec *dec, int *v)
{
    struct head h;
    int rc = dec_prepare(dec, &h);
    if (rc)
        return rc;
    if (h.major != 7 || h.hlen != 1 || (h.arg != FCP_CBOR_FALSE && h.arg != FCP_CBOR_TRUE))
        return FCP_ECBOR_TYPE;
    *v = h.arg == FCP_CBOR_TRUE;
    dec_commit(dec, dec->p + 1);
    return 0;
}

int fcp_cbor_get_null(fcp_cbor_dec *dec)
{
    struct head h;
    int rc = dec_prepare(dec, &h);
    if (rc)
        return rc;
    if (h.major != 7 || h.hlen != 1 || h.arg != FCP_CBOR_NULL)
        return FCP_ECBOR_TYPE;
    dec_commit(dec, dec->p + 1);
    return 0;
}

int fcp_cbor_get_simple(fcp_cbor_dec *dec, unsigned *v)
{
    struct head h;
    int rc = dec_prepare(dec, &h);
    if (rc)
        return rc;
    if (h.major != 7 || h.ai > 24)
        return FCP_ECBOR_TYPE;
    double unused;
    if ((rc = check_simple(&h, dec->lim.allow, &unused)))
        return dec_fail(dec, rc);
    *v = (unsigned)h.arg;
    dec_commit(dec, dec->p + h.hlen);
    return 0;
}

int fcp_cbor_get_float(fcp_cbor_dec *dec, double *v)
{
    struct head h;
    int rc = dec_prepare(dec, &h);
    if (rc)
        return rc;
    if (h.major != 7 || h.ai < 25 || h.ai > 27)
        return FCP_ECBOR_TYPE;
    if ((rc = check_simple(&h, dec->lim.allow, v)))
        return dec_fail(dec, rc);
    dec_commit(dec, dec->p + h.hlen);
    return 0;
}

int fcp_cbor_get_tag(fcp_cbor_dec *dec, uint64_t *tag)
{
    struct head h;
    int rc = dec_prepare(dec, &h);
    if (rc)
        return rc;
    if (h.major != 6)
        return FCP_ECBOR_TYPE;
    if (!(dec->lim.allow & FCP_CBOR_ALLOW_TAG))
        return dec_fail(dec, FCP_ECBOR_TAG);
    *tag = h.arg;
    return dec_open(dec, &h, 1, 0);
}

static int get_container(fcp_cbor_dec *d, unsigned major, uint64_t *n)
{
    struct head h;
    int rc = dec_prepare(d, &h);
    if (rc)
        return rc;
    if (h.major != major)
        return FCP_ECBOR_TYPE;
    size_t avail = (size_t)(d->end - d->p) - h.hlen;
    if (h.arg > d->lim.max_items)
        return dec_fail(d, FCP_ECBOR_TOO_LARGE);
    if (h.arg > (major == 5 ? avail / 2 : avail))
        return dec_fail(d, FCP_ECBOR_TRUNCATED);
    *n = h.arg;
    return dec_open(d, &h, major == 5 ? 2 * h.arg : h.arg, major == 5);
}

int fcp_cbor_get_array(fcp_cbor_dec *dec, uint64_t *n)
{
    return get_container(dec, FCP_CBOR_ARRAY, n);
}

int fcp_cbor_get_map(fcp_cbor_dec *dec, uint64_t *n)
{
    return get_container(dec, FCP_CBOR_MAP, n);
}

int fcp_cbor_get_raw(fcp_cbor_dec *dec, const uint8_t **p, size_t *n)
{
    struct head h;
    int rc = dec_prepare(dec, &h);
    if (rc)
        return rc;
    int err = 0;
    const uint8_t *ep = NULL;
    const uint8_t *q = strict_skip(&dec->lim, dec->p, dec->end, dec->depth, &err, &ep);
    if (!q)
        return dec_fail(dec, err);
    *p = dec->p;
    *n = (size_t)(q - dec->p);
    dec_commit(dec, q);
    return 0;
}

int fcp_cbor_skip(fcp_cbor_dec *dec)
{
    const uint8_t *p;
    size_t n;
    return fcp_cbor_get_raw(dec, &p, &n);
}

/* ------------------------------------------------------------------------ */
/* Map iteration and text-keyed structs                                      */
/* ------------------------------------------------------------------------ */

int fcp_cbor_map_begin(fcp_cbor_dec *dec, fcp_cbor_map_iter *it)
{
    uint64_t n;
    int rc = fcp_cbor_get_map(dec, &n);
    if (rc)
        return rc;
    it->remaining = n;
    return 0;
}

int fcp_cbor_map_next_key(fcp_cbor_dec *dec, fcp_cbor_map_iter *it, const uint8_t **key,
                          size_t *klen)
{
    if (dec->err)
        return dec->err;
    if (!it->remaining)
        return 0;
    int rc = fcp_cbor_get_raw(dec, key, klen);
    if (rc)
        return rc;
    it->remaining--;
    return 1;
}

int fcp_cbor_map_next_text_key(fcp_cbor_dec *dec, fcp_cbor_map_iter *it, const char **key,
                               size_t *klen)
{
    if (dec->err)
        return dec->err;
    if (!it->remaining)
        return 0;
    int rc = fcp_cbor_get_text(dec, key, klen);
    if (rc)
        return rc;
    it->remaining--;
    return 1;
}

int fcp_cbor_key_is(const char *k, size_t klen, const char *s)
{
    size_t n = strlen(s);
    return n == klen && (n == 0 || memcmp(k, s, n) == 0);
}

/* Compare the next key with the text `name` (nlen bytes) in canonical key
 * order: *cmp < 0 if the next key sorts first, 0 if equal, > 0 if after.
 * Returns 1 if the map has no entries left; consumes nothing. */
static int peek_key_cmp(fcp_cbor_dec *d, fcp_cbor_map_iter *it, const char *name, size_t nlen,
                        int *cmp)
{
    if (d->err)
        return d->err;
    if (!it->remaining)
        return 1;
    struct head h;
    int rc = dec_prepare(d, &h);
    if (rc)
        return rc;
    uint8_t want[FCP_CBOR_HEAD_MAX];
    size_t wh = fcp_cbor__head(want, FCP_CBOR_TEXT, nlen);
    /* compare the encoded key with the encoded name: head, then text */
    size_t klen = d->key_len;      /* set by dec_prepare */
    const uint8_t *k = d->p;
    size_t m = klen < wh ? klen : wh;
    int c = 0;
    for (size_t i = 0; i < m && c == 0; i++)
        c = (int)k[i] - (int)want[i];
    if (c == 0 && klen <= wh) {
        c = klen < wh ? -1 : (nlen ? -1 : 0);
    } else if (c == 0) {
        c = fcp_cbor__keycmp(k + wh, klen - wh, (const uint8_t *)name, nlen);
    }
    *cmp = c;
    return 0;
}

int fcp_cbor_opt_key(fcp_cbor_dec *dec, fcp_cbor_map_iter *it, const char *name)
{
    int cmp = 0;
    size_t nlen = strlen(name);
    int rc = peek_key_cmp(dec, it, name, nlen, &cmp);
    if (rc == 1)
        return 0;
    if (rc)
        return rc;
    if (cmp > 0)
        return 0;
    if (cmp < 0)
        return FCP_EUNKNOWN_FIELD;
    /* the key's bytes equal the encoded name: consume it directly (its
     * order was checked by dec_prepare; the text must still be UTF-8) */
    size_t klen = dec->key_len;
    if (!fcp_utf8_valid(dec->p + (klen - nlen), nlen))
        return dec_fail(dec, FCP_ECBOR_UTF8);
    dec_commit(dec, dec->p + klen);
    it->remaining--;
    return 1;
}

int fcp_cbor_expect_key(fcp_cbor_dec *dec, fcp_cbor_map_iter *it, const char *name)
{
    int rc = fcp_cbor_opt_key(dec, it, name);
    if (rc == 0)
        return FCP_EMISSING_FIELD;
    return rc < 0 ? rc : 0;
}

const char *fcp_cbor_rule_name(int err)
{
    switch (err) {
    case 0: return "canonical";
    case FCP_ECBOR_TRUNCATED: return "truncated item";
    case FCP_ECBOR_INDEFINITE: return "indefinite length";
    case FCP_ECBOR_NON_SHORTEST: return "non-shortest head";
    case FCP_ECBOR_UNSORTED_KEYS: return "unsorted map keys";
    case FCP_ECBOR_DUPLICATE_KEY: return "duplicate map key";
    case FCP_ECBOR_FLOAT: return "float not allowed";
    case FCP_ECBOR_NAN: return "NaN";
    case FCP_ECBOR_FLOAT_NON_SHORTEST: return "non-shortest float";
    case FCP_ECBOR_TRAILING: return "trailing bytes";
    case FCP_ECBOR_DEPTH: return "nesting too deep";
    case FCP_ECBOR_TOO_LARGE: return "size limit";
    case FCP_ECBOR_TAG: return "tag not allowed";
    case FCP_ECBOR_SIMPLE: return "simple value not allowed";
    case FCP_ECBOR_UTF8: return "invalid UTF-8";
    case FCP_ECBOR_RESERVED: return "reserved additional info";
    case FCP_ECBOR_BREAK: return "break outside indefinite item";
    case FCP_ECBOR_NEG_ZERO: return "negative zero";
    default: return "malformed";
    }
}
