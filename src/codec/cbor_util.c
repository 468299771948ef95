/*
 * cbor_util.c - pieces shared by the CBOR encoder, strict decoder and
 * diagnostics: UTF-8 validation, IEEE half/single decoding, a lenient
 * non-recursive well-formedness skip (RFC 8949 §3, Appendix C) used by the
 * map builder to find entry boundaries and by the tree parser; and the
 * small field helpers every struct codec built on this module repeats
 * (key/value puts, fixed-size byte strings, text-keyed map walks).
 */
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "cbor_internal.h"

#include <math.h>
#include <string.h>

int fcp_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII fast path: 32 bytes, then 8 bytes at a time */
        while (i + 32 <= n) {
            uint64_t w[4];
            memcpy(w, p + i, 32);
            if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ull)
                break;
            i += 32;
        }
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return 0;    /* continuation byte, overlong lead C0/C1, or > F4 */
        }
        if (n - i <= need)
            return 0;
        for (size_t k = 1; k <= need; k++) {
            uint8_t cc = p[i + k];
            if ((cc & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (cc & 0x3f);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;    /* overlong, out of range, or a surrogate (RFC 3629 §3) */
        i += need + 1;
    }
    return 1;
}

double fcp_cbor__half_to_double(uint16_t h)
{
    int e = (h >> 10) & 0x1f;
    int m = h & 0x3ff;
    double v;
    if (e == 0)
        v = ldexp((double)m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexp((double)(m | 0x400), e - 25);
    return (h & 0x8000) ? -v : v;
}

double fcp_cbor__single_to_double(uint32_t s)
{
    float f;
    memcpy(&f, &s, 4);
    return (double)f;
}

double fcp_cbor__double_from_bits(uint64_t d)
{
    double v;
    memcpy(&v, &d, 8);
    return v;
}

/* One open container in the lenient skip. */
struct wf_frame {
    uint64_t remaining;   /* definite: items left; indefinite: unused */
    uint64_t count;       /* indefinite: items seen (maps need an even count) */
    uint8_t  indef;
    uint8_t  strmajor;    /* indefinite string: 2 or 3 (chunks must match) */
    uint8_t  is_map;
};

const uint8_t *fcp_cbor__wf_skip(const uint8_t *p, const uint8_t *end, int *err, size_t *count)
{
    struct wf_frame st[FCP_CBOR_DEPTH_CAP + 1];
    size_t sp = 0;
    st[0].remaining = 1;
    st[0].indef = 0;
    st[0].strmajor = 0;
    st[0].is_map = 0;
    st[0].count = 0;

    for (;;) {
        struct wf_frame *f = &st[sp];
        if (!f->indef && f->remaining == 0) {
            if (sp == 0)
                return p;
            sp--;
            continue;
        }
        if (p >= end) {
            *err = FCP_ECBOR_TRUNCATED;
            return NULL;
        }
        uint8_t ib = *p;
        unsigned major = ib >> 5, ai = ib & 31;
        if (ib == 0xff) {
            if (!f->indef) {
                *err = FCP_ECBOR_BREAK;
                return NULL;
            }
            if (f->is_map && (f->count & 1)) {
                *err = FCP_ECBOR_MALFORMED;     /* key without value */
                return NULL;
            }
            p++;
            sp--;     /* sp > 0 because frame 0 is never indefinite */
            continue;
        }
        if (f->indef)
            f->count++;
        else
            f->remaining--;
        if (count)
            ++*count;
        if (f->strmajor && (major != f->strmajor || ai == 31)) {
            *err = FCP_ECBOR_MALFORMED;         /* chunk of the wrong kind */
            return NULL;
        }
        uint64_t arg = ai;
        size_t avail = (size_t)(end - p) - 1;
        if (ai >= 24 && ai <= 27) {
            size_t w = (size_t)1 << (ai - 24);
            if (avail < w) {
                *err = FCP_ECBOR_TRUNCATED;
                return NULL;
            }
            arg = 0;
            for (size_t i = 0; i < w; i++)
                arg = arg << 8 | p[1 + i];
            p += 1 + w;
            avail -= w;
        } else if (ai >= 28 && ai <= 30) {
            *err = FCP_ECBOR_RESERVED;
            return NULL;
        } else {
            p++;
        }
        int indef = ai == 31;
        switch (major) {
        case 0: case 1: case 6:
            if (indef) {
                *err = FCP_ECBOR_MALFORMED;
                return NULL;
            }
            if (major == 6) {
                if (sp >= FCP_CBOR_DEPTH_CAP) {
                    *err = FCP_ECBOR_DEPTH;
                    return NULL;
                }
                st[++sp] = (struct wf_frame){ .remaining = 1 };
            }
            break;
        case 2: case 3:
            if (indef) {
                if (sp >= FCP_CBOR_DEPTH_CAP) {
                    *err = FCP_ECBOR_DEPTH;
                    return NULL;
                }
                st[++sp] = (struct wf_frame){ .indef = 1, .strmajor = (uint8_t)major };
            } else {
                if (arg > avail) {
                    *err = FCP_ECBOR_TRUNCATED;
                    return NULL;
                }
                p += arg;
            }
            break;
        case 4: case 5:
            if (sp >= FCP_CBOR_DEPTH_CAP) {
                *err = FCP_ECBOR_DEPTH;
                return NULL;
            }
            if (indef) {
                st[++sp] = (struct wf_frame){ .indef = 1, .is_map = major == 5 };
            } else {
                /* each item takes at least one byte: a larger claim is truncated */
                uint64_t items = arg;
                if (major == 5) {
                    if (items > avail / 2) {
                        *err = FCP_ECBOR_TRUNCATED;
                        return NULL;
                    }
                    items *= 2;
                } else if (items > avail) {
                    *err = FCP_ECBOR_TRUNCATED;
                    return NULL;
                }
                st[++sp] = (struct wf_frame){ .remaining = items, .is_map = major == 5 };
            }
            break;
        default: /* 7 */
            if (ai == 24 && arg < 32) {
                *err = FCP_ECBOR_MALFORMED;     /* RFC 8949 §3.3 */
                return NULL;
            }
            break;
        }
    }
}

/* ---- struct codec helpers ------------------------------------------------ */

int fcp_cbor_put_kv_text(fcp_cbor_enc *enc, const char *key, const char *v)
{
    fcp_cbor_put_cstr(enc, key);
    return fcp_cbor_put_cstr(enc, v);
}

int fcp_cbor_put_kv_uint(fcp_cbor_enc *enc, const char *key, uint64_t v)
{
    fcp_cbor_put_cstr(enc, key);
    return fcp_cbor_put_uint(enc, v);
}

int fcp_cbor_put_kv_bytes(fcp_cbor_enc *enc, const char *key, const void *p, size_t n)
{
    fcp_cbor_put_cstr(enc, key);
    return fcp_cbor_put_bytes(enc, p, n);
}

int fcp_cbor_enc_done(fcp_cbor_enc *enc)
{
    int rc = fcp_cbor_enc_finish(enc);
    fcp_cbor_enc_free(enc);
    return rc;
}

int fcp_cbor_get_fixed(fcp_cbor_dec *dec, void *out, size_t n, int len_err)
{
    const uint8_t *p;
    size_t len;
    int rc = fcp_cbor_get_bytes(dec, &p, &len);
    if (rc < 0)
        return rc;
    if (len != n)
        return len_err;
    memcpy(out, p, n);
    return 0;
}

int fcp_cbor_key_index(const char *k, size_t klen, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (fcp_cbor_key_is(k, klen, names[i]))
            return i;
    return -1;
}

int fcp_cbor_read_fields(fcp_cbor_dec *dec, const char *const *names, int n,
                         fcp_cbor_field_fn field, void *obj, unsigned *seen)
{
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    int rc = fcp_cbor_map_begin(dec, &it);
    if (rc < 0)
        return rc;
    while ((rc = fcp_cbor_map_next_text_key(dec, &it, &k, &kl)) > 0) {
        int i = fcp_cbor_key_index(k, kl, names, n);
        if (i < 0)
            return FCP_EUNKNOWN_FIELD;
        *seen |= 1u << i;
        if ((rc = field(obj, dec, i)) < 0)
            return rc;
    }
    return rc;
}
