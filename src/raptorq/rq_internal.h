/*
 * rq_internal.h - private interfaces of the RaptorQ codec (src/raptorq/).
 *
 * Modules:
 *   rq_tables.c  generated RFC 6330 tables (scripts/gen-rq-tables.py)
 *   rq_params.c  OTI, payload id, partition, K' lookup, Rand/Deg/Tuple
 *   rq_gf.c      GF(256) scalar maths and the symbol kernels with runtime
 *                SIMD dispatch (portable, SSSE3/AVX2 pshufb, AVX-512 GFNI)
 *   rq_solve.c   constraint matrix, inactivation-decoding planner, plan
 *                replay, per-K' plan cache
 *   rq_codec.c   block/object encoders and decoders (public API)
 */
#ifndef FCP_RQ_INTERNAL_H
#define FCP_RQ_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/raptorq.h"

/* ---- generated tables (rq_tables.c) ---- */
extern const uint16_t fcp_rq_table2[FCP_RQ_NUM_KPRIME][5];
extern const uint32_t fcp_rq_V[4][256];
extern const uint32_t fcp_rq_deg_f[31];
extern const uint8_t  fcp_rq_gf_exp[510];
extern const uint8_t  fcp_rq_gf_log[256];

/* ---- RFC 6330 §5.3.5 generators (rq_params.c) ---- */
typedef struct fcp_rq_tuple {
    uint32_t d, a, b, d1, a1, b1;
} fcp_rq_tuple;

/* Rand[y, i, m] (RFC 6330 §5.3.5.1); m >= 1. */
uint32_t fcp_rq_rand(uint32_t y, uint32_t i, uint32_t m);
/* Deg[v] (§5.3.5.2) for a block with W LT symbols. */
uint32_t fcp_rq_deg(uint32_t v, uint32_t W);
/* Tuple[K', X] (§5.3.5.4) for internal symbol id X. */
fcp_rq_tuple fcp_rq_tuple_of(const fcp_rq_params *p, uint32_t X);
/* The intermediate-symbol indices the LT encoder XORs for tuple t (§5.3.5.3),
 * written to cols (room for t.d + t.d1 entries).  Returns the count. */
uint32_t fcp_rq_tuple_cols(const fcp_rq_params *p, const fcp_rq_tuple *t, uint32_t *cols);

/* x mod d without a division (Lemire, Kaser & Kurz, "Faster remainder by
 * direct computation", 2019): exact for every 32-bit x and d >= 1, with
 * M = fcp_rq_fm_init(d).  The solver computes tens of thousands of tuples
 * per plan, each with several remainders by K'-dependent moduli. */
static inline uint64_t fcp_rq_fm_init(uint32_t d)
{
    return UINT64_C(0xFFFFFFFFFFFFFFFF) / d + 1;
}
static inline uint32_t fcp_rq_fm(uint32_t x, uint64_t M, uint32_t d)
{
#ifdef __SIZEOF_INT128__
    return (uint32_t)(((unsigned __int128)(M * x) * d) >> 64);
#else
    (void)M;
    return x % d;
#endif
}

/* Rand[y, i, 2^32] (RFC 6330 §5.3.5.1 before the final reduction). */
static inline uint32_t fcp_rq_rand_raw(uint32_t y, uint32_t i)
{
    return fcp_rq_V[0][(y + i) & 0xFF] ^ fcp_rq_V[1][((y >> 8) + i) & 0xFF] ^
           fcp_rq_V[2][((y >> 16) + i) & 0xFF] ^ fcp_rq_V[3][((y >> 24) + i) & 0xFF];
}

/* Tuple[K', X] and its columns with the K'-dependent constants (the Rand
 * moduli W-1, W, P1-1, P1) computed once: the same results as
 * fcp_rq_tuple_of + fcp_rq_tuple_cols. */
typedef struct fcp_rq_tgen {
    uint32_t W, P, P1, A, B;
    uint64_t mW1, mW, mP11, mP1;
} fcp_rq_tgen;
void fcp_rq_tgen_init(fcp_rq_tgen *g, const fcp_rq_params *p);
/* Columns of internal symbol X into cols (room for 40); returns the count,
 * *nlt = the number of LT columns (< W) at the front. */
uint32_t fcp_rq_tgen_cols(const fcp_rq_tgen *g, uint32_t X, uint32_t *cols, uint32_t *nlt);

/* ---- GF(256) (rq_gf.c) ---- */
static inline uint8_t fcp_rq_gf_mul(uint8_t a, uint8_t b)
{
    if (a == 0 || b == 0)
        return 0;
    return fcp_rq_gf_exp[fcp_rq_gf_log[a] + fcp_rq_gf_log[b]];
}
static inline uint8_t fcp_rq_gf_inv(uint8_t a)
{
    return fcp_rq_gf_exp[255 - fcp_rq_gf_log[a]];   /* a != 0 */
}

/* Symbol kernels; n is any length (tails handled).  Pointers must not
 * overlap unless equal where noted. */
typedef struct fcp_rq_kernels {
    const char *name;
    unsigned    mul_cost;   /* a symbol multiply-add costs about this many XORs */
    void (*xor_into)(uint8_t *dst, const uint8_t *src, size_t n);              /* dst ^= src */
    void (*xor3)(uint8_t *dst, const uint8_t *a, const uint8_t *b, size_t n);  /* dst = a ^ b */
    void (*muladd)(uint8_t *dst, const uint8_t *src, uint8_t c, size_t n);    /* dst ^= c*src */
    void (*scale)(uint8_t *dst, uint8_t c, size_t n);                          /* dst = c*dst */
    void (*horner)(uint8_t *dst, const uint8_t *src, uint8_t c, size_t n);    /* dst = c*dst ^ src */
    /* q = alpha*q ^ src (src may be NULL); a1 ^= q; a2 ^= q  (a1 != a2) */
    void (*hstep)(uint8_t *q, const uint8_t *src, uint8_t *a1, uint8_t *a2, size_t n);
    /* dst = (acc ? dst : 0) ^ src[0] ^ ... ^ src[ns-1], one pass; ns <= 64,
     * no src equal to dst */
    void (*xorn)(uint8_t *dst, const uint8_t *const *src, unsigned ns, size_t n, int acc);
    /* dst ^= c[0]*src[0] ^ ... ^ c[ns-1]*src[ns-1], one pass */
    void (*muladdn)(uint8_t *dst, const uint8_t *const *src, const uint8_t *c, unsigned ns, size_t n);
} fcp_rq_kernels;

/* Levels in increasing capability; a CPU with one has all lower ones. */
enum { FCP_RQ_SIMD_PORTABLE = 0, FCP_RQ_SIMD_SSSE3 = 1, FCP_RQ_SIMD_AVX2 = 2, FCP_RQ_SIMD_GFNI512 = 3 };

/* The kernels in use (chosen on first call from the CPU's features). */
const fcp_rq_kernels *fcp_rq_kern(void);
/* Force a level (tests, bench).  Returns 0, or -1 if the CPU lacks it. */
int fcp_rq_kern_force(int level);
/* Best level this CPU supports. */
int fcp_rq_kern_best(void);

/* ---- solver (rq_solve.c) ---- */

/* A recorded elimination schedule: symbol operations over numbered slots.
 * Slots [0, nrows) are the constraint rows' work symbols (LDPC, HDPC, then
 * LT rows), slot nrows is a scratch accumulator, and slots nrows+1+j are the
 * received/source symbols (read-only inputs) of LT row j. */
typedef struct fcp_rq_op {
    uint8_t  kind;
    uint8_t  coef;
    uint32_t dst, src, src2, src3;
} fcp_rq_op;

/* HSTEP: dst (the HDPC accumulator Q) = alpha*Q ^ src (no source if src ==
 * FCP_RQ_NO_SLOT); then slots src2 and src3 ^= Q. */
/* XORN / XORN_ACC: dst = (XORN_ACC ? dst : 0) ^ slots srcs[src .. src+src2).
 * MULADDN: dst ^= coefs[j] * slot srcs[j] for j in [src, src+src2). */
enum { RQ_OP_ZERO, RQ_OP_COPY, RQ_OP_XOR, RQ_OP_XOR3, RQ_OP_MULADD, RQ_OP_SCALE, RQ_OP_HORNER,
       RQ_OP_HSTEP, RQ_OP_MULADDN, RQ_OP_XORN, RQ_OP_XORN_ACC };
#define FCP_RQ_XORN_MAX 32u
#define FCP_RQ_NO_SLOT UINT32_MAX

/* Large scratch buffers (64-byte aligned) recycled across encoders and
 * decoders so repeated solves do not page-fault fresh memory each time. */
void *fcp_rq_buf_get(size_t n);
void fcp_rq_buf_put(void *p, size_t n);

typedef struct fcp_rq_plan {
    fcp_rq_params p;
    uint32_t   m;          /* number of LT rows (inputs) */
    uint32_t   nrows;      /* S + H + m */
    fcp_rq_op *ops;
    size_t     nops;
    uint32_t  *srcs;       /* source slot lists of XORN / MULADDN ops */
    uint8_t   *coefs;      /* coefficients beside srcs (MULADDN) */
    size_t     nsrcs;
    /* capacities of ops/srcs/coefs when they came from the recycled buffer
     * pool (fcp_rq_buf_get), 0 when malloc'd */
    size_t     ops_bytes, srcs_bytes, coefs_bytes;
    uint32_t  *col_slot;   /* L entries: slot holding intermediate symbol c */
    fcp_rq_tgen tg;        /* tuple generator of p */
    uint32_t   n_inactive; /* statistics */
    uint64_t   n_xor, n_mul; /* symbol XORs / GF multiply-adds (incl. scale) */
    uint64_t   phase_ops[4];  /* ops in: forward pass, HDPC, dense, back-substitution */
    /* Encode plans of small K' only: the plan replayed on unit vectors, i.e.
     * row col_slot[c] (K' bytes) holds the GF(256) coefficients of
     * intermediate symbol c over the K' source symbols.  NULL otherwise. */
    uint8_t   *gen;
    /* Partial plans (FCP_RQ_PLAN_PARTIAL) compute only the intermediate
     * symbols of the n_missing source ISIs (< K') absent from the rows; the
     * other col_slot entries are then not meaningful. */
    uint8_t    partial;
    uint32_t   n_missing;
} fcp_rq_plan;

/* Plan flag: the caller only LT-encodes the source ISIs missing from the
 * row set (a decoder), so operations that feed nothing else are dropped. */
#define FCP_RQ_PLAN_PARTIAL 1u

/* Build the schedule that solves for the L intermediate symbols of K' from
 * the LT rows with internal symbol ids isi[0..m) (m >= K').  0,
 * FCP_ERQ_SINGULAR (the rows do not determine the block), FCP_ENOMEM. */
int fcp_rq_plan_build(const fcp_rq_params *p, const uint32_t *isi, uint32_t m, fcp_rq_plan **out);
void fcp_rq_plan_free(fcp_rq_plan *plan);
/* The same with flags (FCP_RQ_PLAN_PARTIAL). */
int fcp_rq_plan_build_ex(const fcp_rq_params *p, const uint32_t *isi, uint32_t m, unsigned flags,
                         fcp_rq_plan **out);

/* A plan for the rows isi[0..m), from the shared cache (keyed by K' and the
 * exact ISI list) or built and cached.  Valid until fcp_rq_plan_release.
 * Same errors as fcp_rq_plan_build. */
int fcp_rq_plan_get(const fcp_rq_params *p, const uint32_t *isi, uint32_t m, fcp_rq_plan **out);
int fcp_rq_plan_get_ex(const fcp_rq_params *p, const uint32_t *isi, uint32_t m, unsigned flags,
                       fcp_rq_plan **out);
/* Shared plan for encoding (rows = ISI 0..K'-1). */
int fcp_rq_plan_encode_get(const fcp_rq_params *p, fcp_rq_plan **out);
void fcp_rq_plan_release(fcp_rq_plan *plan);
/* Enable/disable the plan cache (bench "cold" runs); returns the old value. */
int fcp_rq_plan_cache_enable(int on);

/* Run a plan: work has (nrows+1)*T bytes; in[j] is LT row j's input symbol.
 * Afterwards intermediate symbol c is at work + col_slot[c]*T. */
void fcp_rq_plan_run(const fcp_rq_plan *plan, uint8_t *work, const uint8_t *const *in, size_t T);

/* K' at or below which cached encode plans carry a generator matrix. */
#define FCP_RQ_GEN_MAX_KP 256u

/* out = LT encoding symbol for internal id X from the intermediate symbols
 * (work/col_slot as left by fcp_rq_plan_run).  Returns symbol XOR count. */
uint32_t fcp_rq_lt_encode(const fcp_rq_plan *plan, const uint8_t *work, uint32_t X, uint8_t *out,
                          size_t T);
/* The same for n symbols X[i] -> out[i], prefetching each next symbol's
 * intermediate symbols (large blocks live in L3). */
void fcp_rq_lt_encode_many(const fcp_rq_plan *plan, const uint8_t *work, const uint32_t *X,
                           uint8_t *const *out, uint32_t n, size_t T);

#endif
