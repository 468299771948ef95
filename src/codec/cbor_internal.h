/*
 * cbor_internal.h - helpers shared by the CBOR encoder, strict decoder and
 * diagnostics (src/codec/cbor_*.c).  Not part of the public API.
 */
#ifndef FCP_CBOR_INTERNAL_H
#define FCP_CBOR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Write the shortest head for (major, arg) into out; returns its length (1..9). */
size_t fcp_cbor__head(uint8_t *out, unsigned major, uint64_t arg);

/* Shortest exact float encoding of v (RFC 8949 §4.2.1) into out (up to 9
 * bytes, initial byte included); returns the length (3, 5 or 9), or
 * FCP_ECBOR_NAN.  Both zeros give f90000 (decision D-CBOR-1). */
int fcp_cbor__float_encode(double v, uint8_t *out);

/* IEEE half / single / double bits to double. */
double fcp_cbor__half_to_double(uint16_t h);
double fcp_cbor__single_to_double(uint32_t s);
double fcp_cbor__double_from_bits(uint64_t d);

/* Lenient well-formedness skip: steps over one complete item starting at p
 * (definite or indefinite, canonical or not) without reading past end and
 * without recursion (nesting bounded by FCP_CBOR_DEPTH_CAP).  Returns the
 * position after the item, or NULL with *err set.  If count is not NULL it
 * is increased by the number of items seen (string chunks included). */
const uint8_t *fcp_cbor__wf_skip(const uint8_t *p, const uint8_t *end, int *err, size_t *count);

/* Bytewise comparison of two encoded keys: shorter-is-smaller on a common
 * prefix (RFC 8949 §4.2.1).  <0, 0, >0. */
static inline int fcp_cbor__keycmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    if (n <= 16) {
        /* short keys (the usual case): a plain loop beats a libc call */
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return a[i] < b[i] ? -1 : 1;
    } else {
        int c = memcmp(a, b, n);
        if (c)
            return c;
    }
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

#endif
