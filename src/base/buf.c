/*
 * buf.c - growable byte buffer and bounds-checked reader (see fcp/buf.h).
 */
#include "fcp/buf.h"
#include "fcp/error.h"

#include <stdlib.h>
#include <string.h>


void fcp_buf_init(fcp_buf *b)
{
    memset(b, 0, sizeof *b);
}

void fcp_buf_init_fixed(fcp_buf *b, uint8_t *mem, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->data = mem;
    b->cap = cap;
    b->fixed = 1;
}

static void buf_release(fcp_buf *b, int wipe)
{
    if (!b->fixed) {
        if (wipe && b->data)
            explicit_bzero(b->data, b->cap);
        free(b->data);
    } else if (wipe && b->data) {
        explicit_bzero(b->data, b->len);
    }
    int fixed = b->fixed;
    uint8_t *mem = fixed ? b->data : NULL;
    size_t cap = fixed ? b->cap : 0;
    memset(b, 0, sizeof *b);
    if (fixed) {
        b->data = mem;
        b->cap = cap;
        b->fixed = 1;
    }
}

void fcp_buf_free(fcp_buf *b) { buf_release(b, 0); }
void fcp_buf_free_secret(fcp_buf *b) { buf_release(b, 1); }

void fcp_buf_reset(fcp_buf *b)
{
    b->len = 0;
    b->err = 0;
}

int fcp_buf_reserve(fcp_buf *b, size_t n)
{
    if (b->err)
        return b->err;
    size_t limit = b->max ? b->max : SIZE_MAX / 2;
    if (n > limit || b->len > limit - n)
        return b->err = FCP_ETOO_LARGE;
    size_t need = b->len + n;
    if (need <= b->cap)
        return 0;
    if (b->fixed)
        return b->err = FCP_EBUFFER_TOO_SMALL;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 4 ? need : cap * 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return b->err = FCP_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

uint8_t *fcp_buf_extend(fcp_buf *b, size_t n)
{
    if (fcp_buf_reserve(b, n))
        return NULL;
    uint8_t *p = b->data + b->len;
    b->len += n;
    return p;
}

int fcp_buf_append(fcp_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return b->err;
    uint8_t *dst = fcp_buf_extend(b, n);
    if (!dst)
        return b->err;
    memcpy(dst, p, n);
    return 0;
}

int fcp_buf_put_u8(fcp_buf *b, uint8_t v) { return fcp_buf_append(b, &v, 1); }

#define PUT_(name, type, bytes, store)               \
    int name(fcp_buf *b, type v)                     \
    {                                                \
        uint8_t *p = fcp_buf_extend(b, bytes);       \
        if (!p)                                      \
            return b->err;                           \
        store(p, v);                                 \
        return 0;                                    \
    }
PUT_(fcp_buf_put_u16le, uint16_t, 2, fcp_store_u16le)
PUT_(fcp_buf_put_u32le, uint32_t, 4, fcp_store_u32le)
PUT_(fcp_buf_put_u64le, uint64_t, 8, fcp_store_u64le)
PUT_(fcp_buf_put_u16be, uint16_t, 2, fcp_store_u16be)
PUT_(fcp_buf_put_u32be, uint32_t, 4, fcp_store_u32be)
PUT_(fcp_buf_put_u64be, uint64_t, 8, fcp_store_u64be)
#undef PUT_

uint8_t *fcp_buf_steal(fcp_buf *b, size_t *len)
{
    uint8_t *p;
    if (b->fixed) {
        p = malloc(b->len ? b->len : 1);
        if (p && b->len)
            memcpy(p, b->data, b->len);
    } else {
        p = b->data;
        b->data = NULL;
    }
    if (len)
        *len = b->len;
    b->len = b->cap = 0;
    if (b->fixed)
        b->data = NULL;
    return p;
}

int fcp_reader_take(fcp_reader *r, size_t n, const uint8_t **out)
{
    if (n > r->len)
        return FCP_ETRUNCATED;
    *out = r->p;
    r->p += n;
    r->len -= n;
    return 0;
}

int fcp_reader_copy(fcp_reader *r, void *dst, size_t n)
{
    const uint8_t *p;
    int rc = fcp_reader_take(r, n, &p);
    if (rc == 0 && n)
        memcpy(dst, p, n);
    return rc;
}

int fcp_reader_u8(fcp_reader *r, uint8_t *v)
{
    const uint8_t *p;
    int rc = fcp_reader_take(r, 1, &p);
    if (rc == 0)
        *v = p[0];
    return rc;
}

#define GET_(name, type, bytes, load)                \
    int name(fcp_reader *r, type *v)                 \
    {                                                \
        const uint8_t *p;                            \
        int rc = fcp_reader_take(r, bytes, &p);      \
        if (rc == 0)                                 \
            *v = load(p);                            \
        return rc;                                   \
    }
GET_(fcp_reader_u16le, uint16_t, 2, fcp_load_u16le)
GET_(fcp_reader_u32le, uint32_t, 4, fcp_load_u32le)
GET_(fcp_reader_u64le, uint64_t, 8, fcp_load_u64le)
#undef GET_
