/*
 * buf.h - growable byte buffer and a bounds-checked read cursor.
 *
 * fcp_buf owns heap memory that grows geometrically; every append reports
 * FCP_ENOMEM instead of aborting, and a buffer that failed once stays failed
 * (err is sticky) so encoders can append many items and check once at the end.
 * A buffer may instead wrap caller memory with a fixed capacity (no
 * allocation); appending past it then fails with FCP_EBUFFER_TOO_SMALL.
 *
 * fcp_reader walks an immutable byte range; every take checks the remaining
 * length first, so nothing is read past the end.
 */
#ifndef FCP_BUF_H
#define FCP_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct fcp_buf {
    uint8_t *data;
    size_t   len;
    size_t   cap;
    int      err;        /* first error seen; sticky */
    int      fixed;      /* 1: data is caller memory, never reallocated */
    size_t   max;        /* hard cap on len (0 = no cap beyond SIZE_MAX/2) */
} fcp_buf;

/* Empty heap buffer. Free with fcp_buf_free. */
void fcp_buf_init(fcp_buf *b);
/* Wrap caller memory [mem, mem+cap); never allocates or frees. */
void fcp_buf_init_fixed(fcp_buf *b, uint8_t *mem, size_t cap);
/* Free heap memory (wiping it first if wipe != 0) and reset to empty. */
void fcp_buf_free(fcp_buf *b);
void fcp_buf_free_secret(fcp_buf *b);
/* Drop contents, keep capacity and clear the error. */
void fcp_buf_reset(fcp_buf *b);

/* Ensure room for n more bytes. 0 or negative FCP error (also stored in err). */
int fcp_buf_reserve(fcp_buf *b, size_t n);
int fcp_buf_append(fcp_buf *b, const void *p, size_t n);
int fcp_buf_put_u8(fcp_buf *b, uint8_t v);
int fcp_buf_put_u16le(fcp_buf *b, uint16_t v);
int fcp_buf_put_u32le(fcp_buf *b, uint32_t v);
int fcp_buf_put_u64le(fcp_buf *b, uint64_t v);
int fcp_buf_put_u16be(fcp_buf *b, uint16_t v);
int fcp_buf_put_u32be(fcp_buf *b, uint32_t v);
int fcp_buf_put_u64be(fcp_buf *b, uint64_t v);
/* Grow len by n and return a pointer to the new (uninitialised) bytes, or NULL. */
uint8_t *fcp_buf_extend(fcp_buf *b, size_t n);

/* Transfer ownership of the heap bytes to the caller (free with free()). */
uint8_t *fcp_buf_steal(fcp_buf *b, size_t *len);

typedef struct fcp_reader {
    const uint8_t *p;
    size_t         len;   /* bytes remaining */
} fcp_reader;

static inline void fcp_reader_init(fcp_reader *r, const void *p, size_t len)
{
    r->p = (const uint8_t *)p;
    r->len = len;
}
/* Each returns 0 or FCP_ETRUNCATED; on failure nothing is consumed. */
int fcp_reader_take(fcp_reader *r, size_t n, const uint8_t **out);
int fcp_reader_copy(fcp_reader *r, void *dst, size_t n);
int fcp_reader_u8(fcp_reader *r, uint8_t *v);
int fcp_reader_u16le(fcp_reader *r, uint16_t *v);
int fcp_reader_u32le(fcp_reader *r, uint32_t *v);
int fcp_reader_u64le(fcp_reader *r, uint64_t *v);

/* Little/big-endian loads and stores on raw memory. */
static inline uint16_t fcp_load_u16le(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t fcp_load_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t fcp_load_u64le(const uint8_t *p)
{
    return (uint64_t)fcp_load_u32le(p) | ((uint64_t)fcp_load_u32le(p + 4) << 32);
}
static inline void fcp_store_u16le(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void fcp_store_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void fcp_store_u64le(uint8_t *p, uint64_t v)
{
    fcp_store_u32le(p, (uint32_t)v);
    fcp_store_u32le(p + 4, (uint32_t)(v >> 32));
}
static inline uint16_t fcp_load_u16be(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t fcp_load_u32be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline uint64_t fcp_load_u64be(const uint8_t *p)
{
    return ((uint64_t)fcp_load_u32be(p) << 32) | (uint64_t)fcp_load_u32be(p + 4);
}
static inline void fcp_store_u16be(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void fcp_store_u32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void fcp_store_u64be(uint8_t *p, uint64_t v)
{
    fcp_store_u32be(p, (uint32_t)(v >> 32));
    fcp_store_u32be(p + 4, (uint32_t)v);
}

#endif
