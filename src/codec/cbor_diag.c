/*
 * cbor_diag.c - CBOR for people: a lenient parse of any well-formed item into
 * a small tree, canonical re-encoding of that tree, and RFC 8949 §8
 * diagnostic notation.
 *
 * The tree parser accepts what the strict decoder refuses (indefinite
 * lengths, non-shortest heads, unsorted keys, NaN) because its job is to show
 * a person what is in the bytes; whether they are canonical is answered by
 * fcp_cbor_validate_ex.  A first pass (the lenient skip) checks the item is
 * well-formed and counts its items, so the whole tree is one allocation no
 * larger than one node per input byte.
 */
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "cbor_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tp {
    const uint8_t *start, *end;
    fcp_cbor_item *nodes;
    size_t next, count;
};

/* Fill *it from the well-formed item at p (already checked by the lenient
 * skip); returns the position after it.  Recursion depth is bounded by
 * FCP_CBOR_DEPTH_CAP, which the skip enforced. */
static const uint8_t *tp_fill(struct tp *t, const uint8_t *p, fcp_cbor_item *it)
{
    memset(it, 0, sizeof *it);
    it->offset = (size_t)(p - t->start);
    uint8_t ib = *p++;
    unsigned major = ib >> 5, ai = ib & 31;
    uint64_t arg = ai;
    if (ai >= 24 && ai <= 27) {
        size_t w = (size_t)1 << (ai - 24);
        arg = 0;
        for (size_t i = 0; i < w; i++)
            arg = arg << 8 | p[i];
        p += w;
    }
    it->major = (uint8_t)major;
    it->arg = arg;
    it->indefinite = ai == 31;
    switch (major) {
    case 2: case 3:
        if (!it->indefinite) {
            it->ptr = p;
            it->len = (size_t)arg;
            return p + arg;
        }
        break;
    case 6:
        it->child = &t->nodes[t->next++];
        it->nchild = 1;
        return tp_fill(t, p, it->child);
    case 7:
        if (ai >= 25 && ai <= 27) {
            it->is_float = 1;
            it->float_bytes = (uint8_t)(1u << (ai - 24));
            it->f = ai == 25 ? fcp_cbor__half_to_double((uint16_t)arg)
                  : ai == 26 ? fcp_cbor__single_to_double((uint32_t)arg)
                  : fcp_cbor__double_from_bits(arg);
        }
        return p;
    case 4: case 5:
        break;
    default:
        return p;
    }
    /* containers and indefinite strings */
    size_t n;
    if (it->indefinite) {
        n = 0;
        const uint8_t *q = p;
        int err = 0;
        while (*q != 0xff) {
            q = fcp_cbor__wf_skip(q, t->end, &err, NULL);
            n++;
        }
    } else {
        n = (size_t)(major == 5 ? 2 * arg : arg);
    }
    it->nchild = n;
    it->child = n ? &t->nodes[t->next] : NULL;
    t->next += n;
    for (size_t i = 0; i < n; i++)
        p = tp_fill(t, p, &it->child[i]);
    if (it->indefinite) {
        p++;                                   /* the break */
        if (major == 2 || major == 3)
            for (size_t i = 0; i < n; i++)
                it->len += it->child[i].len;
        else if (major == 5)
            it->nchild = n;                    /* keys and values */
        it->arg = major == 5 ? n / 2 : n;
    }
    return p;
}

int fcp_cbor_tree_parse(fcp_cbor_tree *t, const void *bytes, size_t n)
{
    memset(t, 0, sizeof *t);
    const uint8_t *p = bytes, *end = p + n;
    int err = 0;
    size_t count = 0;
    const uint8_t *q = fcp_cbor__wf_skip(p, end, &err, &count);
    if (!q)
        return err;
    if (q != end)
        return FCP_ECBOR_TRAILING;
    /* count <= n: every item has at least a one-byte head */
    t->nodes = calloc(count, sizeof *t->nodes);
    if (!t->nodes)
        return FCP_ENOMEM;
    t->count = count;
    struct tp tp = { p, end, t->nodes, 1, count };
    tp_fill(&tp, p, &t->nodes[0]);
    t->root = &t->nodes[0];
    return 0;
}

void fcp_cbor_tree_free(fcp_cbor_tree *t)
{
    free(t->nodes);
    memset(t, 0, sizeof *t);
}

/* Recursion is bounded: the tree's depth is at most FCP_CBOR_DEPTH_CAP. */
int fcp_cbor_tree_encode(const fcp_cbor_item *it, fcp_cbor_enc *enc)
{
    int rc;
    switch (it->major) {
    case 0: case 1:
        return fcp_cbor_put_head(enc, it->major, it->arg);
    case 2: case 3:
        if (!it->indefinite) {
            if (it->major == 3)
                return fcp_cbor_put_text(enc, (const char *)it->ptr, it->len);
            return fcp_cbor_put_bytes(enc, it->ptr, it->len);
        }
        /* each chunk of an indefinite text string must itself be UTF-8
         * (RFC 8949 §3.2.3) */
        if (it->major == 3)
            for (size_t i = 0; i < it->nchild; i++)
                if (!fcp_utf8_valid(it->child[i].ptr, it->child[i].len)) {
                    if (!enc->err)
                        enc->err = FCP_ECBOR_UTF8;
                    return enc->err;
                }
        if ((rc = fcp_cbor_put_head(enc, it->major, it->len)))
            return rc;
        for (size_t i = 0; i < it->nchild; i++)
            if ((rc = fcp_cbor_put_raw(enc, it->child[i].ptr, it->child[i].len)))
                return rc;
        return 0;
    case 4:
        if ((rc = fcp_cbor_put_array(enc, it->nchild)))
            return rc;
        for (size_t i = 0; i < it->nchild; i++)
            if ((rc = fcp_cbor_tree_encode(&it->child[i], enc)))
                return rc;
        return 0;
    case 5:
        if ((rc = fcp_cbor_map_open(enc)))
            return rc;
        for (size_t i = 0; i < it->nchild; i++)
            if ((rc = fcp_cbor_tree_encode(&it->child[i], enc)))
                return rc;
        return fcp_cbor_map_close(enc);
    case 6:
        if ((rc = fcp_cbor_put_tag(enc, it->arg)))
            return rc;
        return fcp_cbor_tree_encode(it->child, enc);
    default:
        if (it->is_float)
            return fcp_cbor_put_float(enc, it->f);
        return fcp_cbor_put_head(enc, 7, it->arg);
    }
}

static void out_str(fcp_buf *out, const char *s)
{
    fcp_buf_append(out, s, strlen(s));
}

/* Decimal of a 64-bit value plus `add` (0 or 1), exact even at 2^64. */
static void out_u64(fcp_buf *out, uint64_t v, int add)
{
    char d[24];
    int i = 23;
    d[i] = 0;
    int carry = add;
    do {
        unsigned digit = (unsigned)(v % 10) + (unsigned)carry;
        carry = digit >= 10;
        if (carry)
            digit -= 10;
        d[--i] = (char)('0' + digit);
        v /= 10;
    } while (v);
    if (carry)
        d[--i] = '1';
    out_str(out, d + i);
}

/* Shortest decimal that reads back as v, in the RFC 8949 style
 * ("1.5", "100000.0", "1.0e+300", "5.960464477539063e-8"). */
static void out_double(fcp_buf *out, double v)
{
    if (isnan(v)) {
        out_str(out, "NaN");
        return;
    }
    if (isinf(v)) {
        out_str(out, v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    /* Exact-enough decimal digits of |v| (a double's shortest form never
     * needs more than 17; 30 make the rounding decision below exact). */
    char e[48], s[400], full[64];
    snprintf(full, sizeof full, "%.29e", fabs(v));
    char digs[32];
    int nd = 0;
    for (const char *q = full; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            digs[nd++] = *q;
    int x10 = atoi(strchr(full, 'e') + 1);
    /* Shortest P digits that read back as v; of the two P-digit neighbours
     * (truncated, truncated + 1 ulp) take the nearer one that round-trips. */
    char best[32];
    int prec, bx = x10;
    for (prec = 1; prec <= 17; prec++) {
        char cand[2][32];
        int cx[2] = { x10, x10 };
        memcpy(cand[0], digs, (size_t)prec);
        memcpy(cand[1], digs, (size_t)prec);
        int i = prec - 1;
        while (i >= 0 && cand[1][i] == '9')
            cand[1][i--] = '0';
        if (i >= 0) {
            cand[1][i]++;
        } else {                         /* 99..9 + 1 = 100..0 */
            cand[1][0] = '1';
            cx[1]++;
        }
        int up_first = digs[prec] >= '5';
        int found = -1;
        for (int t = 0; t < 2 && found < 0; t++) {
            int c = up_first ? 1 - t : t;
            snprintf(e, sizeof e, "%s0.%.*se%d", v < 0 ? "-" : "", prec, cand[c], cx[c] + 1);
            if (strtod(e, NULL) == v)
                found = c;
        }
        if (found >= 0) {
            memcpy(best, cand[found], (size_t)prec);
            bx = cx[found];
            break;
        }
    }
    if (prec > 17) {                     /* unreachable for IEEE doubles */
        prec = 17;
        memcpy(best, digs, 17);
    }
    best[prec] = 0;
    /* lay out digits best[0..prec) with decimal exponent bx */
    size_t k = 0;
    if (signbit(v))
        s[k++] = '-';
    if (bx >= -7 && bx < 21) {
        if (bx < 0) {
            s[k++] = '0';
            s[k++] = '.';
            for (int z = 0; z < -bx - 1; z++)
                s[k++] = '0';
            for (int d = 0; d < prec; d++)
                s[k++] = best[d];
        } else {
            for (int d = 0; d <= bx; d++)
                s[k++] = d < prec ? best[d] : '0';
            s[k++] = '.';
            if (prec > bx + 1)
                for (int d = bx + 1; d < prec; d++)
                    s[k++] = best[d];
            else
                s[k++] = '0';
        }
        s[k] = 0;
    } else {
        snprintf(s + k, sizeof s - k, "%c.%se%c%d", best[0], prec > 1 ? best + 1 : "0",
                 bx < 0 ? '-' : '+', bx < 0 ? -bx : bx);
    }
    out_str(out, s);
}

static void out_text(fcp_buf *out, const uint8_t *p, size_t n)
{
    fcp_buf_put_u8(out, '"');
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            fcp_buf_append(out, esc, 2);
        } else if (c == '\n') {
            out_str(out, "\\n");
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            out_str(out, esc);
        } else {
            fcp_buf_put_u8(out, c);
        }
    }
    fcp_buf_put_u8(out, '"');
}

static void out_hex(fcp_buf *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    out_str(out, "h'");
    for (size_t i = 0; i < n; i++) {
        char h[2] = { digits[p[i] >> 4], digits[p[i] & 15] };
        fcp_buf_append(out, h, 2);
    }
    fcp_buf_put_u8(out, '\'');
}

int fcp_cbor_diag_item(const fcp_cbor_item *it, fcp_buf *out)
{
    char tmp[32];
    switch (it->major) {
    case 0:
        out_u64(out, it->arg, 0);
        break;
    case 1:
        fcp_buf_put_u8(out, '-');
        out_u64(out, it->arg, 1);
        break;
    case 2: case 3:
        if (it->indefinite) {
            out_str(out, "(_ ");
            for (size_t i = 0; i < it->nchild; i++) {
                if (i)
                    out_str(out, ", ");
                fcp_cbor_diag_item(&it->child[i], out);
            }
            out_str(out, it->nchild ? ")" : "\"\")");
        } else if (it->major == 2) {
            out_hex(out, it->ptr, it->len);
        } else {
            out_text(out, it->ptr, it->len);
        }
        break;
    case 4: case 5:
        fcp_buf_put_u8(out, it->major == 4 ? '[' : '{');
        if (it->indefinite)
            out_str(out, "_ ");
        for (size_t i = 0; i < it->nchild; i++) {
            if (i)
                out_str(out, it->major == 5 && (i & 1) ? ": " : ", ");
            fcp_cbor_diag_item(&it->child[i], out);
        }
        fcp_buf_put_u8(out, it->major == 4 ? ']' : '}');
        break;
    case 6:
        out_u64(out, it->arg, 0);
        fcp_buf_put_u8(out, '(');
        fcp_cbor_diag_item(it->child, out);
        fcp_buf_put_u8(out, ')');
        break;
    default:
        if (it->is_float) {
            out_double(out, it->f);
        } else if (it->arg == FCP_CBOR_FALSE) {
            out_str(out, "false");
        } else if (it->arg == FCP_CBOR_TRUE) {
            out_str(out, "true");
        } else if (it->arg == FCP_CBOR_NULL) {
            out_str(out, "null");
        } else if (it->arg == FCP_CBOR_UNDEFINED) {
            out_str(out, "undefined");
        } else {
            snprintf(tmp, sizeof tmp, "simple(%u)", (unsigned)it->arg);
            out_str(out, tmp);
        }
        break;
    }
    return out->err;
}

int fcp_cbor_diag(const void *p, size_t n, fcp_buf *out)
{
    fcp_cbor_tree t;
    int rc = fcp_cbor_tree_parse(&t, p, n);
    if (rc == 0)
        rc = fcp_cbor_diag_item(t.root, out);
    fcp_cbor_tree_free(&t);
    return rc;
}
