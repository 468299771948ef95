/*
 * rq_gf.c - GF(256) symbol kernels with runtime SIMD dispatch.
 *
 * The codec spends almost all its time in five loops over whole symbols:
 * dst ^= src, dst = a ^ b, dst ^= c*src, dst = c*dst and dst = c*dst ^ src
 * over GF(256) with the RFC 6330 polynomial x^8+x^4+x^3+x^2+1 (0x11D),
 *
 * plus the fused HDPC step q = 2*q ^ s; a1 ^= q; a2 ^= q (see rq_solve.c).
 *
 * Four implementations, chosen once from the CPU's features:
 *   portable  64-bit words for XOR, a 256-entry product row for multiplies;
 *   ssse3     16-byte XOR, multiply by two 16-entry nibble tables (pshufb);
 *   avx2      32-byte XOR, multiply by two 16-entry nibble tables (pshufb);
 *   gfni512   64-byte XOR, multiply by one GF2P8AFFINEQB with the 8x8 bit
 *             matrix of "multiply by c" (GFNI's own GF2P8MULB uses the AES
 *             polynomial 0x11B, so it cannot be used for RaptorQ).
 * Only the functions carrying a target attribute use the wider instructions,
 * so the library builds with default flags; fcp_rq_kern_force lets tests run
 * every level the CPU has against the portable one.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "rq_internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RQ_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static uint8_t  g_mul[256][256];     /* g_mul[c][x] = c*x */
static uint8_t  g_nib[256][32];      /* c*x for x = 0..15 and for x = 0x00..0xF0 step 0x10 */
static uint64_t g_aff[256];          /* GF2P8AFFINEQB matrix for "multiply by c" */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void tables_init(void)
{
    for (int c = 0; c < 256; c++) {
        for (int x = 0; x < 256; x++)
            g_mul[c][x] = fcp_rq_gf_mul((uint8_t)c, (uint8_t)x);
        for (int x = 0; x < 16; x++) {
            g_nib[c][x] = g_mul[c][x];
            g_nib[c][16 + x] = g_mul[c][x << 4];
        }
        /* Output bit i = parity(x & row_i); the instruction reads row_i
         * from byte 7-i of the matrix operand. */
        uint64_t m = 0;
        for (int i = 0; i < 8; i++) {
            uint8_t row = 0;
            for (int j = 0; j < 8; j++)
                if ((g_mul[c][1 << j] >> i) & 1)
                    row |= (uint8_t)(1 << j);
            m |= (uint64_t)row << (8 * (7 - i));
        }
        g_aff[c] = m;
    }
}

/* ---------------- portable ---------------- */

static void p_xor(uint8_t *d, const uint8_t *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t a, b;
        memcpy(&a, d + i, 8);
        memcpy(&b, s + i, 8);
        a ^= b;
        memcpy(d + i, &a, 8);
    }
    for (; i < n; i++)
        d[i] ^= s[i];
}

static void p_xor3(uint8_t *d, const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        x ^= y;
        memcpy(d + i, &x, 8);
    }
    for (; i < n; i++)
        d[i] = a[i] ^ b[i];
}

static void p_muladd(uint8_t *d, const uint8_t *s, uint8_t c, size_t n)
{
    const uint8_t *m = g_mul[c];
    for (size_t i = 0; i < n; i++)
        d[i] ^= m[s[i]];
}

static void p_scale(uint8_t *d, uint8_t c, size_t n)
{
    const uint8_t *m = g_mul[c];
    for (size_t i = 0; i < n; i++)
        d[i] = m[d[i]];
}

static void p_horner(uint8_t *d, const uint8_t *s, uint8_t c, size_t n)
{
    const uint8_t *m = g_mul[c];
    for (size_t i = 0; i < n; i++)
        d[i] = m[d[i]] ^ s[i];
}

static void p_hstep(uint8_t *q, const uint8_t *s, uint8_t *a1, uint8_t *a2, size_t n)
{
    const uint8_t *m = g_mul[2];
    for (size_t i = 0; i < n; i++) {
        uint8_t v = (uint8_t)(m[q[i]] ^ (s ? s[i] : 0));
        q[i] = v;
        a1[i] ^= v;
        a2[i] ^= v;
    }
}

static void p_xorn(uint8_t *d, const uint8_t *const *s, unsigned ns, size_t n, int acc)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x = 0, y;
        if (acc)
            memcpy(&x, d + i, 8);
        for (unsigned j = 0; j < ns; j++) {
            memcpy(&y, s[j] + i, 8);
            x ^= y;
        }
        memcpy(d + i, &x, 8);
    }
    for (; i < n; i++) {
        uint8_t x = acc ? d[i] : 0;
        for (unsigned j = 0; j < ns; j++)
            x ^= s[j][i];
        d[i] = x;
    }
}

static void p_muladdn(uint8_t *d, const uint8_t *const *s, const uint8_t *c, unsigned ns, size_t n)
{
    for (unsigned j = 0; j < ns; j++)
        p_muladd(d, s[j], c[j], n);
}

static const fcp_rq_kernels k_portable = {"portable", 64, p_xor, p_xor3, p_muladd, p_scale, p_horner,
                                          p_hstep, p_xorn, p_muladdn};

#ifdef RQ_X86
/* ---------------- SSSE3 (16-byte pshufb nibble tables) ---------------- */

#define SSSE3 __attribute__((target("ssse3")))

SSSE3 static inline __m128i s3_mul(__m128i x, __m128i lo, __m128i hi, __m128i mask)
{
    __m128i l = _mm_and_si128(x, mask);
    __m128i h = _mm_and_si128(_mm_srli_epi64(x, 4), mask);
    return _mm_xor_si128(_mm_shuffle_epi8(lo, l), _mm_shuffle_epi8(hi, h));
}

#define S3_TABLES(c)                                                     \
    __m128i lo = _mm_loadu_si128((const __m128i *)g_nib[c]);             \
    __m128i hi = _mm_loadu_si128((const __m128i *)(g_nib[c] + 16));      \
    __m128i mask = _mm_set1_epi8(0x0F)

SSSE3 static void s3_xor(uint8_t *d, const uint8_t *s, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm_storeu_si128((__m128i *)(d + i), _mm_xor_si128(_mm_loadu_si128((const __m128i *)(d + i)),
                                                          _mm_loadu_si128((const __m128i *)(s + i))));
    p_xor(d + i, s + i, n - i);
}

SSSE3 static void s3_xor3(uint8_t *d, const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm_storeu_si128((__m128i *)(d + i), _mm_xor_si128(_mm_loadu_si128((const __m128i *)(a + i)),
                                                          _mm_loadu_si128((const __m128i *)(b + i))));
    p_xor3(d + i, a + i, b + i, n - i);
}

SSSE3 static void s3_muladd(uint8_t *d, const uint8_t *s, uint8_t c, size_t n)
{
    S3_TABLES(c);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i x = s3_mul(_mm_loadu_si128((const __m128i *)(s + i)), lo, hi, mask);
        _mm_storeu_si128((__m128i *)(d + i), _mm_xor_si128(x, _mm_loadu_si128((const __m128i *)(d + i))));
    }
    p_muladd(d + i, s + i, c, n - i);
}

SSSE3 static void s3_scale(uint8_t *d, uint8_t c, size_t n)
{
    S3_TABLES(c);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm_storeu_si128((__m128i *)(d + i), s3_mul(_mm_loadu_si128((const __m128i *)(d + i)), lo, hi, mask));
    p_scale(d + i, c, n - i);
}

SSSE3 static void s3_horner(uint8_t *d, const uint8_t *s, uint8_t c, size_t n)
{
    S3_TABLES(c);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i x = s3_mul(_mm_loadu_si128((const __m128i *)(d + i)), lo, hi, mask);
        _mm_storeu_si128((__m128i *)(d + i), _mm_xor_si128(x, _mm_loadu_si128((const __m128i *)(s + i))));
    }
    p_horner(d + i, s + i, c, n - i);
}

SSSE3 static void s3_hstep(uint8_t *q, const uint8_t *s, uint8_t *a1, uint8_t *a2, size_t n)
{
    S3_TABLES(2);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i x = s3_mul(_mm_loadu_si128((const __m128i *)(q + i)), lo, hi, mask);
        if (s)
            x = _mm_xor_si128(x, _mm_loadu_si128((const __m128i *)(s + i)));
        _mm_storeu_si128((__m128i *)(q + i), x);
        _mm_storeu_si128((__m128i *)(a1 + i), _mm_xor_si128(x, _mm_loadu_si128((const __m128i *)(a1 + i))));
        _mm_storeu_si128((__m128i *)(a2 + i), _mm_xor_si128(x, _mm_loadu_si128((const __m128i *)(a2 + i))));
    }
    p_hstep(q + i, s ? s + i : NULL, a1 + i, a2 + i, n - i);
}

SSSE3 static void s3_xorn(uint8_t *d, const uint8_t *const *s, unsigned ns, size_t n, int acc)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i x = acc ? _mm_loadu_si128((const __m128i *)(d + i)) : _mm_setzero_si128();
        for (unsigned j = 0; j < ns; j++)
            x = _mm_xor_si128(x, _mm_loadu_si128((const __m128i *)(s[j] + i)));
        _mm_storeu_si128((__m128i *)(d + i), x);
    }
    if (i < n) {
        const uint8_t *t[64];
        for (unsigned j = 0; j < ns; j++)
            t[j] = s[j] + i;
        p_xorn(d + i, t, ns, n - i, acc);
    }
}

SSSE3 static void s3_muladdn(uint8_t *d, const uint8_t *const *s, const uint8_t *c, unsigned ns,
                             size_t n)
{
    const __m128i mask = _mm_set1_epi8(0x0F);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(d + i));
        for (unsigned j = 0; j < ns; j++) {
            __m128i lo = _mm_loadu_si128((const __m128i *)g_nib[c[j]]);
            __m128i hi = _mm_loadu_si128((const __m128i *)(g_nib[c[j]] + 16));
            x = _mm_xor_si128(x, s3_mul(_mm_loadu_si128((const __m128i *)(s[j] + i)), lo, hi, mask));
        }
        _mm_storeu_si128((__m128i *)(d + i), x);
    }
    for (unsigned j = 0; i < n && j < ns; j++)
        p_muladd(d + i, s[j] + i, c[j], n - i);
}

static const fcp_rq_kernels k_ssse3 = {"ssse3", 6, s3_xor, s3_xor3, s3_muladd, s3_scale, s3_horner,
                                       s3_hstep, s3_xorn, s3_muladdn};

/* ---------------- AVX2 (pshufb nibble tables) ---------------- */

#define AVX2 __attribute__((target("avx2")))

AVX2 static void a2_xor(uint8_t *d, const uint8_t *s, size_t n)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256i a0 = _mm256_loadu_si256((const __m256i *)(d + i));
        __m256i a1 = _mm256_loadu_si256((const __m256i *)(d + i + 32));
        __m256i b0 = _mm256_loadu_si256((const __m256i *)(s + i));
        __m256i b1 = _mm256_loadu_si256((const __m256i *)(s + i + 32));
        _mm256_storeu_si256((__m256i *)(d + i), _mm256_xor_si256(a0, b0));
        _mm256_storeu_si256((__m256i *)(d + i + 32), _mm256_xor_si256(a1, b1));
    }
    for (; i + 32 <= n; i += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(d + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(s + i));
        _mm256_storeu_si256((__m256i *)(d + i), _mm256_xor_si256(a, b));
    }
    p_xor(d + i, s + i, n - i);
}

AVX2 static void a2_xor3(uint8_t *d, const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(a + i));
        __m256i y = _mm256_loadu_si256((const __m256i *)(b + i));
        _mm256_storeu_si256((__m256i *)(d + i), _mm256_xor_si256(x, y));
    }
    p_xor3(d + i, a + i, b + i, n - i);
}

AVX2 static inline __m256i a2_mul(__m256i x, __m256i lo, __m256i hi, __m256i mask)
{
    __m256i l = _mm256_and_si256(x, mask);
    __m256i h = _mm256_and_si256(_mm256_srli_epi64(x, 4), mask);
    return _mm256_xor_si256(_mm256_shuffle_epi8(lo, l), _mm256_shuffle_epi8(hi, h));
}

#define A2_TABLES(c)                                                                       \
    __m256i lo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)g_nib[c]));  \
    __m256i hi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(g_nib[c] + 16))); \
    __m256i mask = _mm256_set1_epi8(0x0F)

AVX2 static void a2_muladd(uint8_t *d, const uint8_t *s, uint8_t c, size_t n)
{
    A2_TABLES(c);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(s + i));
        __m256i y = _mm256_loadu_si256((const __m256i *)(d + i));
        _mm256_storeu_si256((__m256i *)(d + i), _mm256_xor_si256(y, a2_mul(x, lo, hi, mask)));
    }
    p_muladd(d + i, s + i, c, n - i);
}

AVX2 static void a2_scale(uint8_t *d, uint8_t c, size_t n)
{
    A2_TABLES(c);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(d + i));
        _mm256_storeu_si256((__m256i *)(d + i), a2_mul(x, lo, hi, mask));
    }
    p_scale(d + i, c, n - i);
}

AVX2 static void a2_horner(uint8_t *d, const uint8_t *s, uint8_t c, size_t n)
{
    A2_TABLES(c);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(d + i));
        __m256i y = _mm256_loadu_si256((const __m256i *)(s + i));
        _mm256_storeu_si256((__m256i *)(d + i), _mm256_xor_si256(y, a2_mul(x, lo, hi, mask)));
    }
    p_horner(d + i, s + i, c, n - i);
}

AVX2 static void a2_hstep(uint8_t *q, const uint8_t *s, uint8_t *a1, uint8_t *a2, size_t n)
{
    A2_TABLES(2);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i x = a2_mul(_mm256_loadu_si256((const __m256i *)(q + i)), lo, hi, mask);
        if (s)
            x = _mm256_xor_si256(x, _mm256_loadu_si256((const __m256i *)(s + i)));
        _mm256_storeu_si256((__m256i *)(q + i), x);
        _mm256_storeu_si256((__m256i *)(a1 + i),
                            _mm256_xor_si256(x, _mm256_loadu_si256((const __m256i *)(a1 + i))));
        _mm256_storeu_si256((__m256i *)(a2 + i),
                            _mm256_xor_si256(x, _mm256_loadu_si256((const __m256i *)(a2 + i))));
    }
    p_hstep(q + i, s ? s + i : NULL, a1 + i, a2 + i, n - i);
}

AVX2 static void a2_xorn(uint8_t *d, const uint8_t *const *s, unsigned ns, size_t n, int acc)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256i x0 = _mm256_setzero_si256(), x1 = _mm256_setzero_si256();
        if (acc) {
            x0 = _mm256_loadu_si256((const __m256i *)(d + i));
            x1 = _mm256_loadu_si256((const __m256i *)(d + i + 32));
        }
        for (unsigned j = 0; j < ns; j++) {
            x0 = _mm256_xor_si256(x0, _mm256_loadu_si256((const __m256i *)(s[j] + i)));
            x1 = _mm256_xor_si256(x1, _mm256_loadu_si256((const __m256i *)(s[j] + i + 32)));
        }
        _mm256_storeu_si256((__m256i *)(d + i), x0);
        _mm256_storeu_si256((__m256i *)(d + i + 32), x1);
    }
    if (i < n) {
        const uint8_t *t[64];
        for (unsigned j = 0; j < ns; j++)
            t[j] = s[j] + i;
        p_xorn(d + i, t, ns, n - i, acc);
    }
}

AVX2 static void a2_muladdn(uint8_t *d, const uint8_t *const *s, const uint8_t *c, unsigned ns,
                            size_t n)
{
    const __m256i mask = _mm256_set1_epi8(0x0F);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(d + i));
        for (unsigned j = 0; j < ns; j++) {
            __m256i lo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)g_nib[c[j]]));
            __m256i hi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(g_nib[c[j]] + 16)));
            x = _mm256_xor_si256(x, a2_mul(_mm256_loadu_si256((const __m256i *)(s[j] + i)), lo, hi, mask));
        }
        _mm256_storeu_si256((__m256i *)(d + i), x);
    }
    for (unsigned j = 0; i < n && j < ns; j++)
        p_muladd(d + i, s[j] + i, c[j], n - i);
}

static const fcp_rq_kernels k_avx2 = {"avx2", 2, a2_xor, a2_xor3, a2_muladd, a2_scale, a2_horner,
                                      a2_hstep, a2_xorn, a2_muladdn};

/* ---------------- AVX-512 + GFNI ---------------- */

#define G512 __attribute__((target("avx512f,avx512bw,gfni")))

G512 static void g_xor(uint8_t *d, const uint8_t *s, size_t n)
{
    size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        __m512i a0 = _mm512_loadu_si512((const void *)(d + i));
        __m512i a1 = _mm512_loadu_si512((const void *)(d + i + 64));
        __m512i b0 = _mm512_loadu_si512((const void *)(s + i));
        __m512i b1 = _mm512_loadu_si512((const void *)(s + i + 64));
        _mm512_storeu_si512((void *)(d + i), _mm512_xor_si512(a0, b0));
        _mm512_storeu_si512((void *)(d + i + 64), _mm512_xor_si512(a1, b1));
    }
    for (; i + 64 <= n; i += 64) {
        __m512i a = _mm512_loadu_si512((const void *)(d + i));
        __m512i b = _mm512_loadu_si512((const void *)(s + i));
        _mm512_storeu_si512((void *)(d + i), _mm512_xor_si512(a, b));
    }
    if (i < n) {
        __mmask64 m = (__mmask64)(~0ULL >> (64 - (n - i)));
        __m512i a = _mm512_maskz_loadu_epi8(m, d + i);
        __m512i b = _mm512_maskz_loadu_epi8(m, s + i);
        _mm512_mask_storeu_epi8(d + i, m, _mm512_xor_si512(a, b));
    }
}

G512 static void g_xor3(uint8_t *d, const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i x = _mm512_loadu_si512((const void *)(a + i));
        __m512i y = _mm512_loadu_si512((const void *)(b + i));
        _mm512_storeu_si512((void *)(d + i), _mm512_xor_si512(x, y));
    }
    if (i < n) {
        __mmask64 m = (__mmask64)(~0ULL >> (64 - (n - i)));
        __m512i x = _mm512_maskz_loadu_epi8(m, a + i);
        __m512i y = _mm512_maskz_loadu_epi8(m, b + i);
        _mm512_mask_storeu_epi8(d + i, m, _mm512_xor_si512(x, y));
    }
}

G512 static void g_muladd(uint8_t *d, const uint8_t *s, uint8_t c, size_t n)
{
    __m512i A = _mm512_set1_epi64((long long)g_aff[c]);
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i x = _mm512_loadu_si512((const void *)(s + i));
        __m512i y = _mm512_loadu_si512((const void *)(d + i));
        _mm512_storeu_si512((void *)(d + i), _mm512_xor_si512(y, _mm512_gf2p8affine_epi64_epi8(x, A, 0)));
    }
    if (i < n) {
        __mmask64 m = (__mmask64)(~0ULL >> (64 - (n - i)));
        __m512i x = _mm512_maskz_loadu_epi8(m, s + i);
        __m512i y = _mm512_maskz_loadu_epi8(m, d + i);
        _mm512_mask_storeu_epi8(d + i, m, _mm512_xor_si512(y, _mm512_gf2p8affine_epi64_epi8(x, A, 0)));
    }
}

G512 static void g_scale(uint8_t *d, uint8_t c, size_t n)
{
    __m512i A = _mm512_set1_epi64((long long)g_aff[c]);
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i x = _mm512_loadu_si512((const void *)(d + i));
        _mm512_storeu_si512((void *)(d + i), _mm512_gf2p8affine_epi64_epi8(x, A, 0));
    }
    if (i < n) {
        __mmask64 m = (__mmask64)(~0ULL >> (64 - (n - i)));
        __m512i x = _mm512_maskz_loadu_epi8(m, d + i);
        _mm512_mask_storeu_epi8(d + i, m, _mm512_gf2p8affine_epi64_epi8(x, A, 0));
    }
}

G512 static void g_horner(uint8_t *d, const uint8_t *s, uint8_t c, size_t n)
{
    __m512i A = _mm512_set1_epi64((long long)g_aff[c]);
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i x = _mm512_loadu_si512((const void *)(d + i));
        __m512i y = _mm512_loadu_si512((const void *)(s + i));
        _mm512_storeu_si512((void *)(d + i), _mm512_xor_si512(y, _mm512_gf2p8affine_epi64_epi8(x, A, 0)));
    }
    if (i < n) {
        __mmask64 m = (__mmask64)(~0ULL >> (64 - (n - i)));
        __m512i x = _mm512_maskz_loadu_epi8(m, d + i);
        __m512i y = _mm512_maskz_loadu_epi8(m, s + i);
        _mm512_mask_storeu_epi8(d + i, m, _mm512_xor_si512(y, _mm512_gf2p8affine_epi64_epi8(x, A, 0)));
    }
}

G512 static void g_hstep(uint8_t *q, const uint8_t *s, uint8_t *a1, uint8_t *a2, size_t n)
{
    __m512i A = _mm512_set1_epi64((long long)g_aff[2]);
    size_t i = 0;
    if (s) {
        for (; i + 64 <= n; i += 64) {
            __m512i x = _mm512_xor_si512(
                _mm512_gf2p8affine_epi64_epi8(_mm512_loadu_si512((const void *)(q + i)), A, 0),
                _mm512_loadu_si512((const void *)(s + i)));
            _mm512_storeu_si512((void *)(q + i), x);
            _mm512_storeu_si512((void *)(a1 + i), _mm512_xor_si512(x, _mm512_loadu_si512((const void *)(a1 + i))));
            _mm512_storeu_si512((void *)(a2 + i), _mm512_xor_si512(x, _mm512_loadu_si512((const void *)(a2 + i))));
        }
    }
    for (; i < n; i += 64) {
        __mmask64 m = n - i >= 64 ? ~(__mmask64)0 : (__mmask64)(~0ULL >> (64 - (n - i)));
        __m512i x = _mm512_gf2p8affine_epi64_epi8(_mm512_maskz_loadu_epi8(m, q + i), A, 0);
        if (s)
            x = _mm512_xor_si512(x, _mm512_maskz_loadu_epi8(m, s + i));
        _mm512_mask_storeu_epi8(q + i, m, x);
        _mm512_mask_storeu_epi8(a1 + i, m, _mm512_xor_si512(x, _mm512_maskz_loadu_epi8(m, a1 + i)));
        _mm512_mask_storeu_epi8(a2 + i, m, _mm512_xor_si512(x, _mm512_maskz_loadu_epi8(m, a2 + i)));
    }
}

G512 static void g_xorn(uint8_t *d, const uint8_t *const *s, unsigned ns, size_t n, int acc)
{
    size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        __m512i x0 = _mm512_setzero_si512(), x1 = _mm512_setzero_si512();
        if (acc) {
            x0 = _mm512_loadu_si512((const void *)(d + i));
            x1 = _mm512_loadu_si512((const void *)(d + i + 64));
        }
        for (unsigned j = 0; j < ns; j++) {
            x0 = _mm512_xor_si512(x0, _mm512_loadu_si512((const void *)(s[j] + i)));
            x1 = _mm512_xor_si512(x1, _mm512_loadu_si512((const void *)(s[j] + i + 64)));
        }
        _mm512_storeu_si512((void *)(d + i), x0);
        _mm512_storeu_si512((void *)(d + i + 64), x1);
    }
    for (; i < n; i += 64) {
        __mmask64 m = n - i >= 64 ? ~(__mmask64)0 : (__mmask64)(~0ULL >> (64 - (n - i)));
        __m512i x = acc ? _mm512_maskz_loadu_epi8(m, d + i) : _mm512_setzero_si512();
        for (unsigned j = 0; j < ns; j++)
            x = _mm512_xor_si512(x, _mm512_maskz_loadu_epi8(m, s[j] + i));
        _mm512_mask_storeu_epi8(d + i, m, x);
    }
}

G512 static void g_muladdn(uint8_t *d, const uint8_t *const *s, const uint8_t *c, unsigned ns,
                           size_t n)
{
    uint64_t mat[FCP_RQ_XORN_MAX];          /* each source's matrix, looked up once */
    size_t i = 0;
    if (ns <= FCP_RQ_XORN_MAX) {
        for (unsigned j = 0; j < ns; j++)
            mat[j] = g_aff[c[j]];
        for (; i + 128 <= n; i += 128) {        /* two independent chains */
            __m512i x0 = _mm512_loadu_si512((const void *)(d + i));
            __m512i x1 = _mm512_loadu_si512((const void *)(d + i + 64));
            for (unsigned j = 0; j < ns; j++) {
                __m512i A = _mm512_set1_epi64((long long)mat[j]);
                x0 = _mm512_xor_si512(x0, _mm512_gf2p8affine_epi64_epi8(
                                              _mm512_loadu_si512((const void *)(s[j] + i)), A, 0));
                x1 = _mm512_xor_si512(x1, _mm512_gf2p8affine_epi64_epi8(
                                              _mm512_loadu_si512((const void *)(s[j] + i + 64)), A, 0));
            }
            _mm512_storeu_si512((void *)(d + i), x0);
            _mm512_storeu_si512((void *)(d + i + 64), x1);
        }
    }
    for (; i < n; i += 64) {
        __mmask64 m = n - i >= 64 ? ~(__mmask64)0 : (__mmask64)(~0ULL >> (64 - (n - i)));
        __m512i x = _mm512_maskz_loadu_epi8(m, d + i);
        for (unsigned j = 0; j < ns; j++) {
            __m512i A = _mm512_set1_epi64((long long)g_aff[c[j]]);
            x = _mm512_xor_si512(x, _mm512_gf2p8affine_epi64_epi8(_mm512_maskz_loadu_epi8(m, s[j] + i), A, 0));
        }
        _mm512_mask_storeu_epi8(d + i, m, x);
    }
}

static const fcp_rq_kernels k_gfni512 = {"avx512+gfni", 1, g_xor, g_xor3, g_muladd, g_scale, g_horner,
                                         g_hstep, g_xorn, g_muladdn};

static int cpu_has_gfni(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (c >> 8) & 1;
}
#endif /* RQ_X86 */

static const fcp_rq_kernels *g_kern;

int fcp_rq_kern_best(void)
{
#ifdef RQ_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && cpu_has_gfni())
        return FCP_RQ_SIMD_GFNI512;
    if (__builtin_cpu_supports("avx2"))
        return FCP_RQ_SIMD_AVX2;
    if (__builtin_cpu_supports("ssse3"))
        return FCP_RQ_SIMD_SSSE3;
#endif
    return FCP_RQ_SIMD_PORTABLE;
}

static const fcp_rq_kernels *kern_for(int level)
{
#ifdef RQ_X86
    if (level == FCP_RQ_SIMD_GFNI512)
        return &k_gfni512;
    if (level == FCP_RQ_SIMD_AVX2)
        return &k_avx2;
    if (level == FCP_RQ_SIMD_SSSE3)
        return &k_ssse3;
#endif
    (void)level;
    return &k_portable;
}

static void kern_init(void)
{
    tables_init();
    g_kern = kern_for(fcp_rq_kern_best());
}

const fcp_rq_kernels *fcp_rq_kern(void)
{
    pthread_once(&g_once, kern_init);
    return g_kern;
}

int fcp_rq_kern_force(int level)
{
    pthread_once(&g_once, kern_init);
    if (level < FCP_RQ_SIMD_PORTABLE || level > fcp_rq_kern_best())
        return -1;
    g_kern = kern_for(level);
    return 0;
}
