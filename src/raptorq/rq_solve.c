/*
 * rq_solve.c - the RaptorQ intermediate-symbol solver (RFC 6330 §5.3.3,
 * §5.4) as a recorded schedule of symbol operations.
 *
 * The L intermediate symbols C are the unique solution of A*C = D where A
 * stacks S LDPC rows, H HDPC rows (GF(256)) and one LT row per received (or
 * source) symbol.  Because the solution is unique, any elimination order
 * gives bit-identical symbols; this module picks an order that is cheap in
 * symbol operations and records it as a plan (fcp_rq_plan) so the
 * expensive matrix work is done once per K' (encoding always uses the rows
 * ISI 0..K'-1) and replayed on symbol data with the SIMD kernels.
 *
 * Planning, on the matrix only:
 *  1. Peeling with inactivation (the RFC's first phase, on the binary rows):
 *     repeatedly take a row with exactly one active column and make it that
 *     column's pivot; when none exists, pick a row of minimum active degree
 *     and inactivate all but one of its columns.  The P PI columns are
 *     inactive from the start.  Result: a triangular order of pivots and a
 *     small set of I inactive columns.
 *  2. Forward pass: each pivot row absorbs the earlier pivots it touches, so
 *     it holds "C[pivot] + (combination of inactive columns)", the
 *     combination kept as a bit vector.  Leftover binary rows are reduced
 *     the same way to equations in the inactive columns only.
 *  3. HDPC rows: G_HDPC = MT * GAMMA (RFC §5.3.3.3) is applied with a Horner
 *     recurrence Q_j = alpha*Q_{j-1} + v_j and two XORs per column, instead of
 *     H dense multiply-adds per column.
 *  4. Dense GF(256) Gaussian elimination of the I x I system (binary rows
 *     preferred as pivots so most operations stay XORs), back substitution.
 *  5. Back-substitution of the pivots in pivot order, each from the cheaper
 *     of its original sparse row or its forward-pass value plus its
 *     inactive-column combination.
 * Operations whose destination is a row that ends up unused are dropped,
 * and runs of XORs / multiply-adds into one destination are merged into
 * single-pass multi-source operations.  Also here: the plan cache (keyed by
 * K' and the row ISIs), the replay loop (striped and prefetching for large
 * blocks) and the pool of recycled scratch buffers.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "rq_internal.h"

#define ZERO_SLOT UINT32_MAX

/* Buffers of at least this many bytes come from the recycled pool
 * (fcp_rq_buf_get): fresh large allocations are mmap'd by the C library and
 * page-faulted in on first touch, which cost as much as the planning itself
 * at K' = 10017.  Smaller ones use malloc (measured: routing the ~100 KiB
 * op lists of K' ~ 100 through the pool as well made the cached K = 100
 * encoder of the bench 2x slower).  *cap records which (0: malloc). */
#define RQ_BIG_BUF (1u << 20)

static void *big_get(size_t n, size_t *cap)
{
    if (n >= RQ_BIG_BUF) {
        *cap = n;
        return fcp_rq_buf_get(n);
    }
    *cap = 0;
    return malloc(n ? n : 1);
}

static void big_put(void *p, size_t cap)
{
    if (cap)
        fcp_rq_buf_put(p, cap);
    else
        free(p);
}

typedef struct opvec {
    fcp_rq_op *v;
    size_t     n, cap;
    size_t     bytes;   /* big_get capacity record of v */
    int        err;
} opvec;

static __attribute__((noinline)) int opvec_grow(opvec *o)
{
    size_t nc = o->cap ? o->cap * 2 : 1024, nb;
    fcp_rq_op *nv = big_get(nc * sizeof *nv, &nb);
    if (!nv) {
        o->err = 1;
        return -1;
    }
    if (o->n)
        memcpy(nv, o->v, o->n * sizeof *nv);
    big_put(o->v, o->bytes);
    o->v = nv;
    o->cap = nc;
    o->bytes = nb;
    return 0;
}

static inline void emit(opvec *o, uint8_t kind, uint32_t dst, uint32_t src, uint32_t src2,
                        uint8_t coef)
{
    if (o->n == o->cap && (o->err || opvec_grow(o) != 0))
        return;
    fcp_rq_op *op = &o->v[o->n++];
    op->kind = kind;
    op->coef = coef;
    op->dst = dst;
    op->src = src;
    op->src2 = src2;
    op->src3 = 0;
}

static void emit_hstep(opvec *o, uint32_t q, uint32_t src, uint32_t a1, uint32_t a2)
{
    emit(o, RQ_OP_HSTEP, q, src, a1, 0);
    if (!o->err)
        o->v[o->n - 1].src3 = a2;
}

struct ablk;
typedef struct ablk ablk;

/* Solver scratch for one planning run. */
typedef struct solver {
    const fcp_rq_params *p;
    fcp_rq_tgen tg;
    uint32_t m, nrows, nbin;
    /* binary rows (global ids, HDPC excluded) in CSR; LT columns first */
    uint32_t *rstart, *rnlt, *rlen, *rcols;
    /* LT-column -> rows incidence */
    uint32_t *cstart, *crows;
    uint32_t *deg;
    uint8_t  *used, *cstate;       /* cstate: 0 active, 1 pivot, 2 inactive */
    uint32_t *piv_k, *inact;       /* per column: pivot index / inactive index */
    uint32_t *prow, *pcol, npiv, ni;
    uint32_t *queue, qh, qt;
    uint32_t *bhead, *bnext, *bprev, maxdeg;   /* degree buckets */
    uint32_t *row_slot;            /* slot holding the row's current value */
    uint8_t  *ar_cur;              /* scratch arena (see sa()) */
    size_t    ar_left;
    ablk     *ar_blocks;
    ablk     *ar_stack;            /* the caller's stack block (not freed) */
    ablk     *ar_spare;            /* retained heap blocks not yet in use */
    opvec     ops;
} solver;

/* Scratch memory of one planning run: a bump allocator over a caller stack
 * block and then heap blocks, all released at once (planning small blocks
 * then costs no malloc at all).  Returns zeroed memory or NULL. */
struct ablk {
    struct ablk *next;
    size_t       size;     /* usable bytes after the header */
};

#define ABLK_HDR ((sizeof(ablk) + 15) & ~(size_t)15)

/* Heap blocks of finished planning runs are kept (up to RQ_ARENA_KEEP
 * bytes) for the next run, so large plans do not page-fault fresh memory. */
#define RQ_ARENA_KEEP (32u << 20)
static pthread_mutex_t g_ar_mu = PTHREAD_MUTEX_INITIALIZER;
static ablk  *g_ar_keep;
static size_t g_ar_keep_bytes;

/* Uninitialised scratch (the caller writes every entry before reading). */
static void *sa_raw(solver *s, size_t n, size_t size)
{
    size_t need = (n * size + 15) & ~(size_t)15;
    if (need == 0)
        need = 16;
    if (need > s->ar_left) {
        ablk *b = NULL, **pp = &s->ar_spare;
        for (; *pp; pp = &(*pp)->next)
            if ((*pp)->size >= need) {
                b = *pp;
                *pp = b->next;
                break;
            }
        if (!b) {
            size_t bs = need > (256u << 10) ? need : (256u << 10);
            b = malloc(ABLK_HDR + bs);
            if (!b)
                return NULL;
            b->size = bs;
        }
        b->next = s->ar_blocks;
        s->ar_blocks = b;
        s->ar_cur = (uint8_t *)b + ABLK_HDR;
        s->ar_left = b->size;
    }
    void *r = s->ar_cur;
    s->ar_cur += need;
    s->ar_left -= need;
    return r;
}

/* Zeroed scratch. */
static void *sa(solver *s, size_t n, size_t size)
{
    void *r = sa_raw(s, n, size);
    if (r)
        memset(r, 0, (n * size + 15) & ~(size_t)15);
    return r;
}

static int is_binary(const solver *s, uint32_t g)
{
    return g < s->p->S || g >= s->p->S + s->p->H;
}

static uint32_t in_slot(const solver *s, uint32_t g)
{
    return s->nrows + 1 + (g - s->p->S - s->p->H);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Build the binary rows (LDPC §5.3.3.3 and LT §5.3.5.3) in CSR form. */
static int build_rows(solver *s, const uint32_t *isi)
{
    const fcp_rq_params *p = s->p;
    uint32_t S = p->S, H = p->H, B = p->B;
    size_t total = 0;
    s->rstart = sa(s, s->nrows + 1, sizeof(uint32_t));
    s->rnlt = sa(s, s->nrows, sizeof(uint32_t));
    s->rlen = sa(s, s->nrows, sizeof(uint32_t));
    if (!s->rstart || !s->rnlt || !s->rlen)
        return FCP_ENOMEM;
    /* counts */
    for (uint32_t i = 0; i < B; i++) {
        uint32_t a = 1 + i / S, b = i % S;
        for (int t = 0; t < 3; t++) {
            s->rlen[b]++;
            b += a;                   /* a < S (S(S-1) > B) */
            while (b >= S)
                b -= S;
        }
    }
    for (uint32_t i = 0; i < S; i++)
        s->rlen[i] += 3;        /* identity + two PI columns */
    for (uint32_t g = 0; g < S + H; g++) {
        s->rstart[g] = (uint32_t)total;
        total += s->rlen[g];
    }
    /* LT rows are generated straight into place (at most 40 columns each;
     * the unused tail of this bound is never touched) */
    s->rcols = sa_raw(s, total + (size_t)s->m * 40 + 1, sizeof(uint32_t));
    if (!s->rcols)
        return FCP_ENOMEM;
    fcp_rq_tgen_init(&s->tg, p);
    for (uint32_t j = 0; j < s->m; j++) {
        uint32_t g = S + H + j;
        s->rstart[g] = (uint32_t)total;
        s->rlen[g] = fcp_rq_tgen_cols(&s->tg, isi[j], s->rcols + total, &s->rnlt[g]);
        total += s->rlen[g];
    }
    s->rstart[s->nrows] = (uint32_t)total;
    /* LDPC fill: LDPC1 columns, then sort and cancel pairs (XOR semantics) */
    uint32_t *fill = sa(s, S, sizeof(uint32_t));
    if (!fill)
        return FCP_ENOMEM;
    for (uint32_t i = 0; i < B; i++) {
        uint32_t a = 1 + i / S, b = i % S;
        for (int t = 0; t < 3; t++) {
            s->rcols[s->rstart[b] + fill[b]++] = i;
            b += a;                   /* a < S (S(S-1) > B) */
            while (b >= S)
                b -= S;
        }
    }
    /* A column can hit the same LDPC row twice only if a = 1 + i/S is a
     * multiple of S, impossible while B < S*(S-1) (always so for Table 2,
     * whose S satisfies S(S-1) >= 2K'); otherwise cancel the pairs. */
    int may_repeat = (uint64_t)B >= (uint64_t)S * (S - 1);
    for (uint32_t r = 0; r < S; r++) {
        uint32_t *c = s->rcols + s->rstart[r], n = fill[r], k = 0;
        if (may_repeat) {
            qsort(c, n, sizeof *c, cmp_u32);
            for (uint32_t i = 0; i < n;) {
                if (i + 1 < n && c[i] == c[i + 1]) {
                    i += 2;
                    continue;
                }
                c[k++] = c[i++];
            }
        } else {
            k = n;
        }
        c[k++] = B + r;                       /* identity I_S */
        s->rnlt[r] = k;
        c[k++] = p->W + r % p->P;             /* LDPC2 (§5.3.3.3) */
        c[k++] = p->W + (r + 1) % p->P;
        s->rlen[r] = k;
    }
    /* column incidence over LT columns */
    s->cstart = sa(s, p->W + 1, sizeof(uint32_t));
    if (!s->cstart)
        return FCP_ENOMEM;
    for (uint32_t g = 0; g < s->nrows; g++) {
        if (!is_binary(s, g))
            continue;
        for (uint32_t i = 0; i < s->rnlt[g]; i++)
            s->cstart[s->rcols[s->rstart[g] + i] + 1]++;
    }
    for (uint32_t c = 0; c < p->W; c++)
        s->cstart[c + 1] += s->cstart[c];
    s->crows = sa_raw(s, s->cstart[p->W] + 1, sizeof(uint32_t));
    uint32_t *cf = sa(s, p->W, sizeof(uint32_t));
    if (!s->crows || !cf)
        return FCP_ENOMEM;
    for (uint32_t g = 0; g < s->nrows; g++) {
        if (!is_binary(s, g))
            continue;
        for (uint32_t i = 0; i < s->rnlt[g]; i++) {
            uint32_t c = s->rcols[s->rstart[g] + i];
            s->crows[s->cstart[c] + cf[c]++] = g;
        }
    }
    return 0;
}

/* Unused binary rows are kept in doubly-linked buckets by active degree so
 * the "stuck" step finds the minimum degree without scanning every row. */
static void bucket_remove(solver *s, uint32_t g)
{
    uint32_t d = s->deg[g], pv = s->bprev[g], nx = s->bnext[g];
    if (pv != UINT32_MAX)
        s->bnext[pv] = nx;
    else
        s->bhead[d] = nx;
    if (nx != UINT32_MAX)
        s->bprev[nx] = pv;
}

static void bucket_insert(solver *s, uint32_t g)
{
    uint32_t d = s->deg[g];
    s->bprev[g] = UINT32_MAX;
    s->bnext[g] = s->bhead[d];
    if (s->bhead[d] != UINT32_MAX)
        s->bprev[s->bhead[d]] = g;
    s->bhead[d] = g;
}

/* Row g lost one active column. */
static void deg_dec(solver *s, uint32_t g)
{
    if (s->used[g]) {
        s->deg[g]--;
        return;
    }
    bucket_remove(s, g);
    s->deg[g]--;
    bucket_insert(s, g);
    if (s->deg[g] == 1)
        s->queue[s->qt++] = g;
}

static void inactivate(solver *s, uint32_t c)
{
    s->cstate[c] = 2;
    s->inact[c] = s->ni++;
    for (uint32_t i = s->cstart[c]; i < s->cstart[c + 1]; i++)
        deg_dec(s, s->crows[i]);
}

static void pivot(solver *s, uint32_t g, uint32_t c)
{
    bucket_remove(s, g);
    s->used[g] = 1;
    s->cstate[c] = 1;
    s->piv_k[c] = s->npiv;
    s->prow[s->npiv] = g;
    s->pcol[s->npiv] = c;
    s->npiv++;
    for (uint32_t i = s->cstart[c]; i < s->cstart[c + 1]; i++)
        deg_dec(s, s->crows[i]);
}

/* Phase 1: peeling with inactivation over the W LT columns. */
static void peel(solver *s)
{
    const fcp_rq_params *p = s->p;
    uint32_t nact = p->W;
    s->ni = p->P;                       /* PI columns take inactive ids 0..P-1 */
    for (uint32_t d = 0; d <= s->maxdeg; d++)
        s->bhead[d] = UINT32_MAX;
    for (uint32_t g = s->nrows; g-- > 0;) {
        if (!is_binary(s, g))
            continue;
        s->deg[g] = s->rnlt[g];
        bucket_insert(s, g);
        if (s->deg[g] == 1)
            s->queue[s->qt++] = g;
    }
    while (nact > 0) {
        uint32_t r = UINT32_MAX;
        while (s->qh < s->qt) {
            uint32_t g = s->queue[s->qh++];
            if (!s->used[g] && s->deg[g] == 1) {
                r = g;
                break;
            }
        }
        if (r == UINT32_MAX) {
            uint32_t best = UINT32_MAX;
            if (s->bhead[2] != UINT32_MAX) {
                /* r = 2: inactivating one column turns every degree-2 row
                 * touching it into a degree-1 row, so peeling then runs
                 * through the row's whole degree-2 component (measured: the
                 * RFC's largest-component choice saves almost no
                 * inactivations here and costs 20-30% of planning time) */
                best = s->bhead[2];
            } else {
                for (uint32_t d = 3; d <= s->maxdeg && best == UINT32_MAX; d++) {
                    uint32_t n = 0;     /* min original degree among a few */
                    for (uint32_t g = s->bhead[d]; g != UINT32_MAX && n < 64; g = s->bnext[g], n++)
                        if (best == UINT32_MAX || s->rnlt[g] < s->rnlt[best])
                            best = g;
                }
            }
            if (best == UINT32_MAX)
                break;
            int kept = 0;
            for (uint32_t i = 0; i < s->rnlt[best]; i++) {
                uint32_t c = s->rcols[s->rstart[best] + i];
                if (s->cstate[c] != 0)
                    continue;
                if (!kept) {
                    kept = 1;
                    continue;
                }
                inactivate(s, c);
                nact--;
            }
            r = best;
        }
        uint32_t c = UINT32_MAX;
        for (uint32_t i = 0; i < s->rnlt[r]; i++) {
            uint32_t cc = s->rcols[s->rstart[r] + i];
            if (s->cstate[cc] == 0) {
                c = cc;
                break;
            }
        }
        pivot(s, r, c);
        nact--;
    }
    for (uint32_t c = 0; c < p->W; c++)
        if (s->cstate[c] == 0)
            inactivate(s, c);
}

/* Make row g's value live in its own slot before it is written. */
static void materialize(solver *s, uint32_t g)
{
    if (s->row_slot[g] == g)
        return;
    if (s->row_slot[g] == ZERO_SLOT)
        emit(&s->ops, RQ_OP_ZERO, g, 0, 0, 0);
    else
        emit(&s->ops, RQ_OP_COPY, g, s->row_slot[g], 0, 0);
    s->row_slot[g] = g;
}

/* row g ^= value of row src (a peel pivot row), fusing the first write. */
static void row_xor(solver *s, uint32_t g, uint32_t srcslot)
{
    uint32_t cur = s->row_slot[g];
    if (cur == g)
        emit(&s->ops, RQ_OP_XOR, g, srcslot, 0, 0);
    else if (cur == ZERO_SLOT)
        emit(&s->ops, RQ_OP_COPY, g, srcslot, 0, 0);
    else
        emit(&s->ops, RQ_OP_XOR3, g, cur, srcslot, 0);
    s->row_slot[g] = g;
}

static void bits_into_bytes(uint8_t *bytes, const uint64_t *bits, size_t nw)
{
    for (size_t w = 0; w < nw; w++) {
        uint64_t x = bits[w];
        while (x) {
            int b = __builtin_ctzll(x);
            bytes[w * 64 + (size_t)b] ^= 1;
            x &= x - 1;
        }
    }
}

/* Return heap blocks to the retained list (up to RQ_ARENA_KEEP), free the rest. */
static void arena_keep(ablk *list)
{
    pthread_mutex_lock(&g_ar_mu);
    while (list) {
        ablk *n = list->next;
        if (g_ar_keep_bytes + list->size <= RQ_ARENA_KEEP) {
            list->next = g_ar_keep;
            g_ar_keep = list;
            g_ar_keep_bytes += list->size;
        } else {
            free(list);
        }
        list = n;
    }
    pthread_mutex_unlock(&g_ar_mu);
}

static void arena_take(solver *s)
{
    pthread_mutex_lock(&g_ar_mu);
    s->ar_spare = g_ar_keep;
    g_ar_keep = NULL;
    g_ar_keep_bytes = 0;
    pthread_mutex_unlock(&g_ar_mu);
}

/* out[i] ^= the byte whose bit b is bit i of plane pl[b] (i < nbits; the
 * planes are zero above): one 8x8 bit-matrix transpose per 8 positions
 * instead of one step per set bit. */
static void unslice(uint8_t *out, const uint64_t *const pl[8], uint32_t nbits)
{
    for (size_t w = 0; w * 64 < nbits; w++) {
        uint64_t v[8], any = 0;
        for (unsigned b = 0; b < 8; b++)
            any |= v[b] = pl[b][w];
        if (!any)
            continue;
        unsigned kmax = nbits - w * 64 >= 64 ? 8 : (nbits - (unsigned)w * 64 + 7) / 8;
        for (unsigned k = 0; k < kmax; k++) {
            uint64_t x = 0, t;
            for (unsigned b = 0; b < 8; b++)     /* row b: byte k of plane b */
                x |= ((v[b] >> (8 * k)) & 0xFF) << (8 * b);
            t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL;
            x = x ^ t ^ (t << 7);
            t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL;
            x = x ^ t ^ (t << 14);
            t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL;
            x = x ^ t ^ (t << 28);
            uint8_t *o = out + w * 64 + (size_t)k * 8;
            for (unsigned j = 0; j < 8; j++)
                o[j] ^= (uint8_t)(x >> (8 * j));
        }
    }
}

static void solver_free(solver *s)
{
    big_put(s->ops.v, s->ops.bytes);
    ablk *heap = s->ar_spare;
    while (s->ar_blocks) {
        ablk *n = s->ar_blocks->next;
        if (s->ar_blocks != s->ar_stack) {
            s->ar_blocks->next = heap;
            heap = s->ar_blocks;
        }
        s->ar_blocks = n;
    }
    s->ar_spare = NULL;
    arena_keep(heap);
}

static void arena_release(void)
{
    pthread_mutex_lock(&g_ar_mu);
    while (g_ar_keep) {
        ablk *n = g_ar_keep->next;
        free(g_ar_keep);
        g_ar_keep = n;
    }
    g_ar_keep_bytes = 0;
    pthread_mutex_unlock(&g_ar_mu);
}

void fcp_rq_plan_free(fcp_rq_plan *plan)
{
    if (!plan)
        return;
    big_put(plan->ops, plan->ops_bytes);
    big_put(plan->srcs, plan->srcs_bytes);
    big_put(plan->coefs, plan->coefs_bytes);
    free(plan->col_slot);
    free(plan->gen);
    free(plan);
}

/* The ops that survive dead-operation removal: keep[i] when given, else
 * those whose destination row is needed. */
typedef struct opsel {
    const fcp_rq_op *v;
    size_t           n;
    const uint8_t   *keep, *needed;
} opsel;

static inline size_t sel_next(const opsel *q, size_t i)
{
    if (q->keep) {
        while (i < q->n && !q->keep[i])
            i++;
    } else {
        while (i < q->n && !q->needed[q->v[i].dst])
            i++;
    }
    return i;
}

/* Filter and peephole in one pass over the recorded ops: dropped ops are
 * skipped, and a run of COPY/XOR3/XOR ops into one destination becomes one
 * XORN op that reads every source once and writes the destination once
 * (instead of once per source), which roughly halves the memory traffic of
 * the sparse phases; runs of multiply-adds become MULADDN.  Writes the
 * result in place over v (plan->ops) and the statistics.  0 or FCP_ENOMEM. */
static int filter_merge(fcp_rq_plan *plan, fcp_rq_op *v, const opsel *q, const size_t phase_end[4])
{
    static const uint8_t kx[RQ_OP_XORN_ACC + 1] = {[RQ_OP_XOR] = 1, [RQ_OP_XOR3] = 1, [RQ_OP_HSTEP] = 2};
    static const uint8_t km[RQ_OP_XORN_ACC + 1] = {[RQ_OP_MULADD] = 1, [RQ_OP_SCALE] = 1,
                                                   [RQ_OP_HORNER] = 1, [RQ_OP_HSTEP] = 1};
    const size_t n = q->n;
    size_t cap = n * 2 + 16, ns = 0, k = 0, sb, cb;
    uint32_t *srcs = big_get(cap * sizeof *srcs, &sb);
    if (!srcs)
        return FCP_ENOMEM;
    uint8_t *coefs = big_get(cap, &cb);
    if (!coefs) {
        big_put(srcs, sb);
        return FCP_ENOMEM;
    }
    uint64_t nx = 0, nm = 0, pc[4] = {0, 0, 0, 0};
    unsigned ph = 0;
#define COUNT(o, at) do { while (ph < 3 && (at) >= phase_end[ph]) ph++; pc[ph]++; \
                          nx += kx[(o).kind]; nm += km[(o).kind]; } while (0)
    for (size_t i = sel_next(q, 0); i < n;) {
        fcp_rq_op op = v[i];
        COUNT(op, i);
        size_t j = sel_next(q, i + 1);
        if (op.kind == RQ_OP_MULADD && j < n && v[j].kind == RQ_OP_MULADD && v[j].dst == op.dst) {
            size_t base = ns;
            coefs[ns] = op.coef;
            srcs[ns++] = op.src;
            while (j < n && v[j].kind == RQ_OP_MULADD && v[j].dst == op.dst &&
                   ns - base < FCP_RQ_XORN_MAX) {
                COUNT(v[j], j);
                coefs[ns] = v[j].coef;
                srcs[ns++] = v[j].src;
                j = sel_next(q, j + 1);
            }
            fcp_rq_op mm = {RQ_OP_MULADDN, 0, op.dst, (uint32_t)base, (uint32_t)(ns - base), 0};
            v[k++] = mm;
            i = j;
            continue;
        }
        if ((op.kind != RQ_OP_COPY && op.kind != RQ_OP_XOR && op.kind != RQ_OP_XOR3) || j >= n ||
            v[j].kind != RQ_OP_XOR || v[j].dst != op.dst) {
            v[k++] = op;                       /* nothing to merge */
            i = j;
            continue;
        }
        size_t base = ns;
        int acc = op.kind == RQ_OP_XOR;
        srcs[ns++] = op.src;
        if (op.kind == RQ_OP_XOR3)
            srcs[ns++] = op.src2;
        while (j < n && v[j].kind == RQ_OP_XOR && v[j].dst == op.dst && ns - base < FCP_RQ_XORN_MAX) {
            COUNT(v[j], j);
            srcs[ns++] = v[j].src;
            j = sel_next(q, j + 1);
        }
        fcp_rq_op m = {acc ? RQ_OP_XORN_ACC : RQ_OP_XORN, 0, op.dst, (uint32_t)base,
                       (uint32_t)(ns - base), 0};
        v[k++] = m;
        i = j;
    }
#undef COUNT
    plan->nops = k;
    plan->srcs = srcs;
    plan->srcs_bytes = sb;
    plan->coefs = coefs;
    plan->coefs_bytes = cb;
    plan->nsrcs = ns;
    plan->n_xor = nx;
    plan->n_mul = nm;
    for (unsigned t = 0; t < 4; t++)
        plan->phase_ops[t] = pc[t];
    return 0;
}

/* Backward liveness over the recorded ops (before merging): an op is kept
 * only if a slot it writes is read later by a kept op or holds one of the
 * wanted intermediate symbols at the end (live[] set on entry, nrows+1
 * entries; input slots above nrows are read-only and not tracked).  keep[i]
 * receives the verdicts.  Standard dead-code elimination: the kept ops
 * compute the wanted slots exactly as the full list does. */
static void liveness(const fcp_rq_op *v, size_t n, uint32_t nrows, uint8_t *live, uint8_t *keep)
{
#define MARK(x) do { if ((x) <= nrows) live[x] = 1; } while (0)
    for (size_t i = n; i-- > 0;) {
        const fcp_rq_op *op = &v[i];
        if (op->kind == RQ_OP_HSTEP) {
            keep[i] = live[op->dst] | live[op->src2] | live[op->src3];
            if (!keep[i])
                continue;
            live[op->dst] = live[op->src2] = live[op->src3] = 1;
            if (op->src != FCP_RQ_NO_SLOT)
                MARK(op->src);
            continue;
        }
        keep[i] = live[op->dst];
        if (!keep[i])
            continue;
        switch (op->kind) {
        case RQ_OP_ZERO:
            live[op->dst] = 0;
            break;
        case RQ_OP_COPY:
            live[op->dst] = 0;
            MARK(op->src);
            break;
        case RQ_OP_XOR3:
            live[op->dst] = 0;
            MARK(op->src);
            MARK(op->src2);
            break;
        case RQ_OP_XOR:
        case RQ_OP_MULADD:
        case RQ_OP_HORNER:
            MARK(op->src);
            break;
        default:                        /* SCALE: reads only its destination */
            break;
        }
    }
#undef MARK
}

int fcp_rq_plan_build(const fcp_rq_params *p, const uint32_t *isi, uint32_t m, fcp_rq_plan **out)
{
    return fcp_rq_plan_build_ex(p, isi, m, 0, out);
}

int fcp_rq_plan_build_ex(const fcp_rq_params *p, const uint32_t *isi, uint32_t m, unsigned flags,
                         fcp_rq_plan **out)
{
    solver s;
    int rc = FCP_ENOMEM;
    uint64_t *ubits = NULL, *lbits = NULL;
    uint8_t *dense = NULL, *qv = NULL, *hc = NULL;
    uint64_t *qb = NULL, *hb = NULL;
    uint32_t *left = NULL, *drow = NULL, *perm = NULL;
    uint8_t *needed = NULL;
    fcp_rq_plan *plan = NULL;
    const uint32_t S = p->S, H = p->H, W = p->W, KS = p->Kp + p->S;

    *out = NULL;
    memset(&s, 0, sizeof s);
    _Alignas(16) uint8_t stackblk[32768];
    s.ar_stack = (ablk *)(void *)stackblk;
    s.ar_stack->next = NULL;
    s.ar_blocks = s.ar_stack;
    s.ar_cur = stackblk + 16;
    s.ar_left = sizeof stackblk - 16;
    arena_take(&s);
    if (m < p->Kp)
        return FCP_ERQ_SINGULAR;
    s.p = p;
    s.m = m;
    s.nrows = S + H + m;
    if ((rc = build_rows(&s, isi)) != 0)
        goto done;
    rc = FCP_ENOMEM;
    s.deg = sa(&s, s.nrows, sizeof(uint32_t));
    s.used = sa(&s, s.nrows, 1);
    s.cstate = sa(&s, W, 1);
    s.piv_k = sa(&s, W, sizeof(uint32_t));
    s.inact = sa(&s, W, sizeof(uint32_t));
    s.prow = sa(&s, W, sizeof(uint32_t));
    s.pcol = sa(&s, W, sizeof(uint32_t));
    s.queue = sa_raw(&s, (size_t)s.nrows * 2 + W + 8, sizeof(uint32_t));
    s.row_slot = sa(&s, s.nrows + 1, sizeof(uint32_t));
    for (uint32_t g = 0; g < s.nrows; g++)
        if (s.rnlt[g] > s.maxdeg)
            s.maxdeg = s.rnlt[g];
    s.bhead = sa(&s, (size_t)s.maxdeg + 1, sizeof(uint32_t));
    s.bnext = sa(&s, s.nrows, sizeof(uint32_t));
    s.bprev = sa(&s, s.nrows, sizeof(uint32_t));
    if (!s.deg || !s.used || !s.cstate || !s.piv_k || !s.inact || !s.prow || !s.pcol ||
        !s.queue || !s.row_slot || !s.bhead || !s.bnext || !s.bprev)
        goto done;

    peel(&s);
    s.ops.cap = (size_t)s.nrows * 24 + 256;       /* typical plans need ~20 ops per row */
    s.ops.v = big_get(s.ops.cap * sizeof *s.ops.v, &s.ops.bytes);
    if (!s.ops.v)
        goto done;

    const uint32_t I = s.ni;
    const size_t nw = (I + 63) / 64;
    const size_t ib = nw * 64;                       /* byte-vector stride, multiple of 8 */

    /* initial row values: LT rows are their inputs, LDPC rows zero, HDPC zeroed below */
    for (uint32_t g = 0; g < s.nrows; g++)
        s.row_slot[g] = g < S ? ZERO_SLOT : (g < S + H ? g : in_slot(&s, g));
    s.row_slot[s.nrows] = s.nrows;

    /* ---- 2. forward pass over pivots ---- */
    ubits = sa(&s, (size_t)s.npiv * nw + 1, sizeof(uint64_t));
    if (!ubits)
        goto done;
    for (uint32_t k = 0; k < s.npiv; k++) {
        uint32_t g = s.prow[k];
        uint64_t *vec = ubits + (size_t)k * nw;
        const uint32_t *cols = s.rcols + s.rstart[g];
        for (uint32_t i = 0; i < s.rnlt[g]; i++) {
            uint32_t c = cols[i];
            if (c == s.pcol[k])
                continue;
            if (s.cstate[c] == 1) {
                uint32_t kk = s.piv_k[c];
                row_xor(&s, g, s.row_slot[s.prow[kk]]);
                const uint64_t *o = ubits + (size_t)kk * nw;
                for (size_t w = 0; w < nw; w++)
                    vec[w] ^= o[w];
            } else {
                vec[s.inact[c] / 64] ^= 1ULL << (s.inact[c] % 64);
            }
        }
        for (uint32_t i = s.rnlt[g]; i < s.rlen[g]; i++) {
            uint32_t x = cols[i] - W;
            vec[x / 64] ^= 1ULL << (x % 64);
        }
        if (s.row_slot[g] == ZERO_SLOT)     /* later ops read it as a source */
            materialize(&s, g);
    }
    /* leftover binary rows */
    uint32_t nleft = 0;
    left = sa(&s, s.nrows, sizeof(uint32_t));
    if (!left)
        goto done;
    for (uint32_t g = 0; g < s.nrows; g++)
        if (is_binary(&s, g) && !s.used[g])
            left[nleft++] = g;
    lbits = sa(&s, (size_t)nleft * nw + 1, sizeof(uint64_t));
    if (!lbits)
        goto done;
    for (uint32_t l = 0; l < nleft; l++) {
        uint32_t g = left[l];
        uint64_t *vec = lbits + (size_t)l * nw;
        const uint32_t *cols = s.rcols + s.rstart[g];
        for (uint32_t i = 0; i < s.rnlt[g]; i++) {
            uint32_t c = cols[i];
            if (s.cstate[c] == 1) {
                uint32_t kk = s.piv_k[c];
                row_xor(&s, g, s.row_slot[s.prow[kk]]);
                const uint64_t *o = ubits + (size_t)kk * nw;
                for (size_t w = 0; w < nw; w++)
                    vec[w] ^= o[w];
            } else {
                vec[s.inact[c] / 64] ^= 1ULL << (s.inact[c] % 64);
            }
        }
        for (uint32_t i = s.rnlt[g]; i < s.rlen[g]; i++) {
            uint32_t x = cols[i] - W;
            vec[x / 64] ^= 1ULL << (x % 64);
        }
    }

    size_t phase_end[5];
    phase_end[0] = s.ops.n;                          /* forward pass + leftover rows */
    /* ---- 3. HDPC rows: RHS by Horner, coefficients on inactive columns ---- */
    /* The coefficient vectors (GF(256), one byte per inactive column) are
     * kept bit-sliced: plane b holds bit b of every coefficient, so
     * "multiply by alpha" is a rotation of the planes plus three XORs and
     * adding a binary vector touches plane 0 only. */
    qv = sa(&s, ib + 8, 1);
    hc = sa(&s, (size_t)H * ib + 8, 1);
    qb = sa(&s, (size_t)8 * nw + 1, sizeof(uint64_t));
    hb = sa(&s, (size_t)H * 8 * nw + 1, sizeof(uint64_t));
    if (!qv || !hc || !qb || !hb)
        goto done;
    const uint32_t Q = s.nrows;
    const uint64_t mH = fcp_rq_fm_init(H), mH1 = fcp_rq_fm_init(H - 1);
    unsigned rot = 0;                                   /* logical plane b is physical (b+rot)&7 */
#define PLANE(b) (qb + (size_t)(((b) + rot) & 7) * nw)
    for (uint32_t h = 0; h < H; h++)
        emit(&s.ops, RQ_OP_ZERO, S + h, 0, 0, 0);
    emit(&s.ops, RQ_OP_ZERO, Q, 0, 0, 0);
    for (uint32_t j = 0; j < KS; j++) {
        int piv = j < W && s.cstate[j] == 1;
        uint32_t src = piv ? s.row_slot[s.prow[s.piv_k[j]]] : FCP_RQ_NO_SLOT;
        rot = (rot + 7) & 7;                            /* times alpha: planes shift up */
        {
            uint64_t *p0 = PLANE(0), *p2 = PLANE(2), *p3 = PLANE(3), *p4 = PLANE(4);
            for (size_t w = 0; w < nw; w++) {           /* reduce by 0x11D */
                p2[w] ^= p0[w];
                p3[w] ^= p0[w];
                p4[w] ^= p0[w];
            }
        }
        if (piv) {
            const uint64_t *u = ubits + (size_t)s.piv_k[j] * nw;
            uint64_t *p0 = PLANE(0);
            for (size_t w = 0; w < nw; w++)
                p0[w] ^= u[w];
        } else {
            uint32_t x = j < W ? s.inact[j] : j - W;
            PLANE(0)[x / 64] ^= 1ULL << (x % 64);
        }
        if (j + 1 < KS) {
            uint32_t h1 = fcp_rq_fm(fcp_rq_rand_raw(j + 1, 6), mH, H);
            uint32_t h2 = h1 + fcp_rq_fm(fcp_rq_rand_raw(j + 1, 7), mH1, H - 1) + 1;
            if (h2 >= H)                                /* (h1 + r + 1) % H, both < H */
                h2 -= H;
            emit_hstep(&s.ops, Q, src, S + h1, S + h2);      /* Q = aQ + v; two MT ones */
            uint64_t *a1 = hb + (size_t)h1 * 8 * nw, *a2 = hb + (size_t)h2 * 8 * nw;
            for (unsigned b = 0; b < 8; b++) {
                const uint64_t *pl = PLANE(b);
                for (size_t w = 0; w < nw; w++) {
                    a1[b * nw + w] ^= pl[w];
                    a2[b * nw + w] ^= pl[w];
                }
            }
        } else {
            emit(&s.ops, piv ? RQ_OP_HORNER : RQ_OP_SCALE, Q, src, 0, 2);
            {                                           /* Q back to bytes */
                const uint64_t *pl[8];
                for (unsigned b = 0; b < 8; b++)
                    pl[b] = PLANE(b);
                unslice(qv, pl, I);
            }
            for (uint32_t h = 0; h < H; h++) {
                uint8_t a = fcp_rq_gf_exp[h];          /* last MT column: alpha^h */
                emit(&s.ops, h ? RQ_OP_MULADD : RQ_OP_XOR, S + h, Q, 0, a);
                uint8_t *row = hc + (size_t)h * ib;
                for (uint32_t i = 0; i < I; i++)
                    row[i] ^= fcp_rq_gf_mul(a, qv[i]);
            }
        }
    }
#undef PLANE
    for (uint32_t h = 0; h < H; h++) {                  /* un-slice the accumulators */
        const uint64_t *pl[8];
        for (unsigned b = 0; b < 8; b++)
            pl[b] = hb + ((size_t)h * 8 + b) * nw;
        unslice(hc + (size_t)h * ib, pl, I);
    }
    for (uint32_t h = 0; h < H; h++)
        hc[(size_t)h * ib + (KS + h - W)] ^= 1;       /* I_H block */

    phase_end[1] = s.ops.n;
    /* ---- 4. dense elimination over the I inactive columns ---- */
    const uint32_t nd = nleft + H;
    if (nd < I) {
        rc = FCP_ERQ_SINGULAR;
        goto done;
    }
    dense = sa(&s, (size_t)nd * ib + 8, 1);
    drow = sa(&s, nd, sizeof(uint32_t));
    perm = sa(&s, nd, sizeof(uint32_t));
    if (!dense || !drow || !perm)
        goto done;
    for (uint32_t l = 0; l < nleft; l++) {
        bits_into_bytes(dense + (size_t)l * ib, lbits + (size_t)l * nw, nw);
        drow[l] = left[l];
    }
    for (uint32_t h = 0; h < H; h++) {
        memcpy(dense + (size_t)(nleft + h) * ib, hc + (size_t)h * ib, ib);
        drow[nleft + h] = S + h;
    }
    for (uint32_t r = 0; r < nd; r++)
        perm[r] = r;
    const fcp_rq_kernels *kern = fcp_rq_kern();
    /* Elimination on the matrix first; the symbol operations are emitted
     * afterwards grouped by destination row (in an order that respects every
     * dependency), so runs of XORs into one row merge into single-pass
     * multi-source XORs.  The forward multipliers are kept in lmat (row r's
     * multiplier at step i, like the L of an LU factorisation); the back
     * substitution's are the upper triangle left in the dense matrix. */
    uint8_t *lmat = sa(&s, (size_t)nd * I + 1, 1);
    uint8_t *scl = sa(&s, nd, 1);
    if (!lmat || !scl)
        goto done;
    for (uint32_t i = 0; i < I; i++) {
        uint32_t r = i;
        while (r < nd && dense[(size_t)perm[r] * ib + i] == 0)
            r++;
        if (r == nd) {
            rc = FCP_ERQ_SINGULAR;
            goto done;
        }
        uint32_t t = perm[i];
        perm[i] = perm[r];
        perm[r] = t;
        uint8_t *prw = dense + (size_t)perm[i] * ib;
        size_t off = (i / 64) * 64;               /* entries before column i are zero */
        if (prw[i] != 1) {
            uint8_t inv = fcp_rq_gf_inv(prw[i]);
            scl[perm[i]] = inv;
            kern->scale(prw + off, inv, ib - off);
        }
        for (uint32_t r2 = i + 1; r2 < nd; r2++) {
            uint8_t *row = dense + (size_t)perm[r2] * ib;
            uint8_t f = row[i];
            if (!f)
                continue;
            lmat[(size_t)perm[r2] * I + i] = f;
            if (f == 1)
                kern->xor_into(row + off, prw + off, ib - off);
            else
                kern->muladd(row + off, prw + off, f, ib - off);
        }
    }
    /* per destination: the XORs first (they merge), then the multiply-adds */
    for (uint32_t i = 0; i < I; i++) {                /* forward, in pivot order */
        uint32_t r = perm[i], g = drow[r];
        const uint8_t *lr = lmat + (size_t)r * I;
        materialize(&s, g);
        for (uint32_t j = 0; j < i; j++)
            if (lr[j] == 1)
                emit(&s.ops, RQ_OP_XOR, g, drow[perm[j]], 0, 0);
        for (uint32_t j = 0; j < i; j++)
            if (lr[j] > 1)
                emit(&s.ops, RQ_OP_MULADD, g, drow[perm[j]], 0, lr[j]);
        if (scl[r])
            emit(&s.ops, RQ_OP_SCALE, g, 0, 0, scl[r]);
    }
    for (uint32_t q = I; q-- > 0;) {                  /* back substitution */
        uint32_t g = drow[perm[q]];
        const uint8_t *ur = dense + (size_t)perm[q] * ib;
        for (uint32_t i = I; --i > q;)
            if (ur[i] == 1)
                emit(&s.ops, RQ_OP_XOR, g, drow[perm[i]], 0, 0);
        for (uint32_t i = I; --i > q;)
            if (ur[i] > 1)
                emit(&s.ops, RQ_OP_MULADD, g, drow[perm[i]], 0, ur[i]);
    }

    phase_end[2] = s.ops.n;
    /* ---- 5. pivots from their original rows, in pivot order ---- */
    plan = calloc(1, sizeof *plan);
    if (!plan)
        goto done;
    plan->col_slot = malloc((size_t)p->L * sizeof(uint32_t));
    if (!plan->col_slot)
        goto done;
    for (uint32_t c = 0; c < p->L; c++) {
        if (c < W && s.cstate[c] == 1)
            continue;
        uint32_t x = c < W ? s.inact[c] : c - W;
        plan->col_slot[c] = drow[perm[x]];
    }
    for (uint32_t k = 0; k < s.npiv; k++) {
        uint32_t g = s.prow[k];
        const uint32_t *cols = s.rcols + s.rstart[g];
        const uint64_t *vec = ubits + (size_t)k * nw;
        uint32_t pc = 0;
        for (size_t w = 0; w < nw; w++)
            pc += (uint32_t)__builtin_popcountll(vec[w]);
        if (pc < s.rlen[g] - 1) {
            /* cheaper: forward-pass value plus its inactive combination */
            uint32_t cur = s.row_slot[g];
            for (size_t w = 0; w < nw; w++) {
                uint64_t x = vec[w];
                while (x) {
                    uint32_t src = drow[perm[w * 64 + (size_t)__builtin_ctzll(x)]];
                    x &= x - 1;
                    if (cur == g)
                        emit(&s.ops, RQ_OP_XOR, g, src, 0, 0);
                    else
                        emit(&s.ops, RQ_OP_XOR3, g, cur, src, 0);
                    cur = g;
                }
            }
            if (cur != g)
                emit(&s.ops, RQ_OP_COPY, g, cur, 0, 0);
            plan->col_slot[s.pcol[k]] = g;
            continue;
        }
        uint32_t cur = g < S ? ZERO_SLOT : in_slot(&s, g);
        for (uint32_t i = 0; i < s.rlen[g]; i++) {
            uint32_t c = cols[i];
            if (c == s.pcol[k])
                continue;
            uint32_t src = plan->col_slot[c];
            if (cur == g)
                emit(&s.ops, RQ_OP_XOR, g, src, 0, 0);
            else if (cur == ZERO_SLOT)
                emit(&s.ops, RQ_OP_COPY, g, src, 0, 0);
            else
                emit(&s.ops, RQ_OP_XOR3, g, cur, src, 0);
            cur = g;
        }
        if (cur == ZERO_SLOT)
            emit(&s.ops, RQ_OP_ZERO, g, 0, 0, 0);
        else if (cur != g)
            emit(&s.ops, RQ_OP_COPY, g, cur, 0, 0);
        plan->col_slot[s.pcol[k]] = g;
    }
    phase_end[3] = s.ops.n;
    if (s.ops.err)
        goto done;

    /* ---- drop operations on rows that ended up unused ---- */
    needed = sa(&s, s.nrows + 1, 1);
    if (!needed)
        goto done;
    for (uint32_t k = 0; k < s.npiv; k++)
        needed[s.prow[k]] = 1;
    int any_hdpc = 0;
    for (uint32_t i = 0; i < I; i++) {
        uint32_t g = drow[perm[i]];
        needed[g] = 1;
        if (!is_binary(&s, g))
            any_hdpc = 1;
    }
    needed[Q] = (uint8_t)any_hdpc;
    uint8_t *keep = NULL;
    if (flags & FCP_RQ_PLAN_PARTIAL) {
        /* a decoder needs only the intermediate symbols of the source
         * symbols it lacks (ISIs < K' absent from the rows) */
        uint8_t *have = sa(&s, p->Kp, 1), *live = sa(&s, s.nrows + 1, 1);
        keep = sa_raw(&s, s.ops.n + 1, 1);
        if (!have || !live || !keep)
            goto done;
        uint32_t nmiss = p->Kp;
        for (uint32_t j = 0; j < m; j++)
            if (isi[j] < p->Kp && !have[isi[j]]) {
                have[isi[j]] = 1;
                nmiss--;
            }
        for (uint32_t X = 0; X < p->Kp; X++) {
            if (have[X])
                continue;
            uint32_t cols[40], nlt, nc = fcp_rq_tgen_cols(&s.tg, X, cols, &nlt);
            for (uint32_t i = 0; i < nc; i++)
                live[plan->col_slot[cols[i]]] = 1;
        }
        if (nmiss * 2 > p->Kp) {
            keep = NULL;                /* nearly everything is needed: skip the pass */
        } else {
            liveness(s.ops.v, s.ops.n, s.nrows, live, keep);
        }
        plan->partial = 1;
        plan->n_missing = nmiss;
    }
    plan->p = *p;
    plan->tg = s.tg;
    plan->m = m;
    plan->nrows = s.nrows;
    plan->ops = s.ops.v;
    plan->ops_bytes = s.ops.bytes;
    s.ops.v = NULL;
    {
        opsel q = {plan->ops, s.ops.n, keep, needed};
        if (filter_merge(plan, plan->ops, &q, phase_end) != 0)
            goto done;
    }

    plan->n_inactive = I;
    *out = plan;
    plan = NULL;
    rc = 0;
done:
    fcp_rq_plan_free(plan);
    solver_free(&s);
    return rc;
}

#define RQ_PREFETCH 2

/* Replay ops on bytes [off, off+n) of every symbol. */
static void run_range(const fcp_rq_plan *plan, uint8_t *work, const uint8_t *const *in, size_t T,
                      size_t off, size_t n, int pf)
{
    const fcp_rq_kernels *k = fcp_rq_kern();
    const uint32_t nr = plan->nrows;
#define SLOT(x) ((x) <= nr ? work + (size_t)(x) * T + off : (uint8_t *)(uintptr_t)in[(x) - nr - 1] + off)
    for (size_t i = 0; i < plan->nops; i++) {
        const fcp_rq_op *op = &plan->ops[i];
        uint8_t *d = work + (size_t)op->dst * T + off;
        if (pf && i + RQ_PREFETCH < plan->nops) {
            /* large blocks live in L3: start the next operands early */
            const fcp_rq_op *nx = &plan->ops[i + RQ_PREFETCH];
            const uint8_t *pd = work + (size_t)nx->dst * T + off;
            uint32_t sx = nx->kind >= RQ_OP_MULADDN ? plan->srcs[nx->src] : nx->src;
            const uint8_t *ps = sx == FCP_RQ_NO_SLOT ? pd : SLOT(sx);
            for (size_t b = 0; b < n && b < 512; b += 64) {
                __builtin_prefetch(pd + b, 1);
                __builtin_prefetch(ps + b, 0);
            }
        }
        switch (op->kind) {
        case RQ_OP_ZERO:   memset(d, 0, n); break;
        case RQ_OP_COPY:   memcpy(d, SLOT(op->src), n); break;
        case RQ_OP_XOR:    k->xor_into(d, SLOT(op->src), n); break;
        case RQ_OP_XOR3:   k->xor3(d, SLOT(op->src), SLOT(op->src2), n); break;
        case RQ_OP_MULADD: k->muladd(d, SLOT(op->src), op->coef, n); break;
        case RQ_OP_SCALE:  k->scale(d, op->coef, n); break;
        case RQ_OP_HORNER: k->horner(d, SLOT(op->src), op->coef, n); break;
        case RQ_OP_HSTEP:
            k->hstep(d, op->src == FCP_RQ_NO_SLOT ? NULL : SLOT(op->src), SLOT(op->src2), SLOT(op->src3), n);
            break;
        case RQ_OP_MULADDN: {
            const uint8_t *sp[FCP_RQ_XORN_MAX];
            const uint32_t *ss = plan->srcs + op->src;
            for (uint32_t j = 0; j < op->src2; j++)
                sp[j] = SLOT(ss[j]);
            k->muladdn(d, sp, plan->coefs + op->src, op->src2, n);
            break;
        }
        case RQ_OP_XORN:
        case RQ_OP_XORN_ACC: {
            const uint8_t *sp[FCP_RQ_XORN_MAX];
            const uint32_t *ss = plan->srcs + op->src;
            for (uint32_t j = 0; j < op->src2; j++)
                sp[j] = SLOT(ss[j]);
            k->xorn(d, sp, op->src2, n, op->kind == RQ_OP_XORN_ACC);
            break;
        }
        default: break;
        }
    }
#undef SLOT
}

/* When the symbols touched by a plan do not fit in the L2 cache, the plan is
 * replayed stripe by stripe (every op is bytewise, so byte ranges are
 * independent) so each stripe's working set stays cache-resident. */
#define RQ_L2_BUDGET (1536u * 1024u)

void fcp_rq_plan_run(const fcp_rq_plan *plan, uint8_t *work, const uint8_t *const *in, size_t T)
{
    size_t slots = (size_t)plan->nrows + 1 + plan->m;
    size_t stripe = T;
    int pf = slots * T > RQ_L2_BUDGET;  /* small blocks stay cached: prefetching is pure overhead */
    if (pf) {
        stripe = RQ_L2_BUDGET / slots / 64 * 64;
        if (stripe < 512)               /* per-op overhead would dominate */
            stripe = T;
    }
    if (stripe == 0 || stripe > T)
        stripe = T;
    for (size_t off = 0; off < T; off += stripe)
        run_range(plan, work, in, T, off, T - off < stripe ? T - off : stripe, pf);
}

uint32_t fcp_rq_lt_encode(const fcp_rq_plan *plan, const uint8_t *work, uint32_t X, uint8_t *out,
                          size_t T)
{
    const fcp_rq_kernels *k = fcp_rq_kern();
    uint32_t cols[40], nlt;
    uint32_t n = fcp_rq_tgen_cols(&plan->tg, X, cols, &nlt);
    const uint8_t *sp[40];
    for (uint32_t i = 0; i < n; i++)
        sp[i] = work + (size_t)plan->col_slot[cols[i]] * T;
    k->xorn(out, sp, n, T, 0);
    return n - 1;
}

void fcp_rq_lt_encode_many(const fcp_rq_plan *plan, const uint8_t *work, const uint32_t *X,
                           uint8_t *const *out, uint32_t n, size_t T)
{
    const fcp_rq_kernels *k = fcp_rq_kern();
    uint32_t cols[2][40], nc[2] = {0, 0}, nlt;
    if (n == 0)
        return;
    nc[0] = fcp_rq_tgen_cols(&plan->tg, X[0], cols[0], &nlt);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t cur = i & 1, nxt = cur ^ 1;
        if (i + 1 < n) {
            /* next symbol's sources are scattered over the block: fetch
             * them while this one is computed */
            nc[nxt] = fcp_rq_tgen_cols(&plan->tg, X[i + 1], cols[nxt], &nlt);
            for (uint32_t j = 0; j < nc[nxt]; j++) {
                const uint8_t *q = work + (size_t)plan->col_slot[cols[nxt][j]] * T;
                for (size_t b = 0; b < T && b < 512; b += 64)
                    __builtin_prefetch(q + b, 0);
            }
        }
        const uint8_t *sp[40];
        for (uint32_t j = 0; j < nc[cur]; j++)
            sp[j] = work + (size_t)plan->col_slot[cols[cur][j]] * T;
        k->xorn(out[i], sp, nc[cur], T, 0);
    }
}

/* ---------------- recycled scratch buffers ---------------- */

#define RQ_POOL_SLOTS 12
#define RQ_POOL_MAX   (128u << 20)  /* never retain more than this in total */

static pthread_mutex_t g_pool_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    void  *p;
    size_t cap;
} g_pool[RQ_POOL_SLOTS];
static size_t g_pool_bytes;

/* ---------------- plan cache ----------------
 *
 * Plans are keyed by K' and the exact list of LT-row ISIs.  Encoding always
 * uses ISI 0..K'-1, so every encoder of a given K' shares one plan; decoders
 * hit the cache when the same set of ESIs recurs (e.g. a node rebuilding
 * objects from the same placement of symbols on the same peers). */

#define RQ_CACHE_SLOTS 16
#define RQ_CACHE_MAX_KP FCP_RQ_MAX_K /* every K'; the byte budget below decides */
#define RQ_CACHE_BYTES (24u << 20) /* bound on memory held by cached plans */

typedef struct cache_ent {
    fcp_rq_plan *plan;
    uint32_t    *isi;
    uint64_t     hash;
    uint32_t     refs;
    uint64_t     stamp;
} cache_ent;

static pthread_mutex_t g_cache_mu = PTHREAD_MUTEX_INITIALIZER;
static cache_ent g_cache[RQ_CACHE_SLOTS];
static uint64_t  g_clock;
static int       g_cache_on = 1;
static size_t    g_cache_bytes;

static size_t plan_bytes(const fcp_rq_plan *p, uint32_t m)
{
    size_t n = sizeof *p + p->nops * sizeof(fcp_rq_op) + p->nsrcs * 5 + (size_t)p->p.L * 4 +
               (size_t)m * 4;
    if (p->gen)
        n += ((size_t)p->nrows + 1) * p->p.Kp;
    return n;
}

/* Drop one entry (caller holds the lock, entry unreferenced). */
static void cache_drop(int i)
{
    g_cache_bytes -= plan_bytes(g_cache[i].plan, g_cache[i].plan->m);
    fcp_rq_plan_free(g_cache[i].plan);
    free(g_cache[i].isi);
    memset(&g_cache[i], 0, sizeof g_cache[i]);
}

int fcp_rq_plan_cache_enable(int on)
{
    pthread_mutex_lock(&g_cache_mu);
    int old = g_cache_on;
    g_cache_on = on;
    pthread_mutex_unlock(&g_cache_mu);
    return old;
}

static uint64_t isi_hash(uint32_t Kp, const uint32_t *isi, uint32_t m)
{
    uint64_t h = 1469598103934665603ULL ^ Kp ^ ((uint64_t)m << 32);
    for (uint32_t i = 0; i < m; i++)
        h = (h ^ isi[i]) * 1099511628211ULL;
    return h;
}

static int ent_match(const cache_ent *e, uint32_t Kp, const uint32_t *isi, uint32_t m, uint64_t h,
                     uint8_t partial)
{
    return e->plan && e->hash == h && e->plan->p.Kp == Kp && e->plan->m == m &&
           e->plan->partial == partial &&
           memcmp(e->isi, isi, (size_t)m * sizeof *isi) == 0;
}

/* Replay an encode plan on the K' unit vectors: the "symbols" it leaves are
 * the coefficient rows of every intermediate symbol.  NULL on ENOMEM. */
static uint8_t *make_gen(const fcp_rq_plan *plan)
{
    const uint32_t Kp = plan->p.Kp;
    uint8_t *unit = calloc((size_t)Kp * Kp, 1);
    const uint8_t **in = malloc((size_t)Kp * sizeof *in);
    uint8_t *gen = malloc(((size_t)plan->nrows + 1) * Kp);
    if (!unit || !in || !gen) {
        free(unit);
        free(in);
        free(gen);
        return NULL;
    }
    for (uint32_t j = 0; j < Kp; j++) {
        unit[(size_t)j * Kp + j] = 1;
        in[j] = unit + (size_t)j * Kp;
    }
    fcp_rq_plan_run(plan, gen, in, Kp);
    free(unit);
    free(in);
    return gen;
}

/* Plans not held by the cache are freed on release. */
int fcp_rq_plan_get(const fcp_rq_params *p, const uint32_t *isi, uint32_t m, fcp_rq_plan **out)
{
    return fcp_rq_plan_get_ex(p, isi, m, 0, out);
}

int fcp_rq_plan_get_ex(const fcp_rq_params *p, const uint32_t *isi, uint32_t m, unsigned flags,
                       fcp_rq_plan **out)
{
    const uint8_t partial = (flags & FCP_RQ_PLAN_PARTIAL) != 0;
    uint64_t h = isi_hash(p->Kp, isi, m) ^ partial;
    pthread_mutex_lock(&g_cache_mu);
    int on = g_cache_on && p->Kp <= RQ_CACHE_MAX_KP && m <= p->Kp + 64;
    if (on) {
        for (int i = 0; i < RQ_CACHE_SLOTS; i++) {
            if (ent_match(&g_cache[i], p->Kp, isi, m, h, partial)) {
                g_cache[i].refs++;
                g_cache[i].stamp = ++g_clock;
                *out = g_cache[i].plan;
                pthread_mutex_unlock(&g_cache_mu);
                return 0;
            }
        }
    }
    pthread_mutex_unlock(&g_cache_mu);
    fcp_rq_plan *plan;
    int rc = fcp_rq_plan_build_ex(p, isi, m, flags, &plan);
    if (rc)
        return rc;
    *out = plan;
    if (!on)
        return 0;
    int identity = m == p->Kp;
    for (uint32_t i = 0; identity && i < m; i++)
        identity = isi[i] == i;
    if (identity && !partial && p->Kp <= FCP_RQ_GEN_MAX_KP)
        plan->gen = make_gen(plan);             /* before it is shared */
    /* a cached plan keeps only what it uses (exact-size copies; the
     * oversized build buffers go back to the pool) */
    fcp_rq_op *shrunk = malloc((plan->nops ? plan->nops : 1) * sizeof *plan->ops);
    if (shrunk) {
        memcpy(shrunk, plan->ops, plan->nops * sizeof *plan->ops);
        big_put(plan->ops, plan->ops_bytes);
        plan->ops = shrunk;
        plan->ops_bytes = 0;
    }
    uint32_t *ss = malloc((plan->nsrcs ? plan->nsrcs : 1) * sizeof *plan->srcs);
    if (ss) {
        memcpy(ss, plan->srcs, plan->nsrcs * sizeof *plan->srcs);
        big_put(plan->srcs, plan->srcs_bytes);
        plan->srcs = ss;
        plan->srcs_bytes = 0;
    }
    uint8_t *cs = malloc(plan->nsrcs ? plan->nsrcs : 1);
    if (cs) {
        memcpy(cs, plan->coefs, plan->nsrcs);
        big_put(plan->coefs, plan->coefs_bytes);
        plan->coefs = cs;
        plan->coefs_bytes = 0;
    }
    uint32_t *copy = malloc((size_t)m * sizeof *copy);
    if (!copy)
        return 0;                       /* uncached, still usable */
    memcpy(copy, isi, (size_t)m * sizeof *copy);
    pthread_mutex_lock(&g_cache_mu);
    size_t need = plan_bytes(plan, m);
    int dup = 0;
    for (int i = 0; i < RQ_CACHE_SLOTS; i++)
        if (ent_match(&g_cache[i], p->Kp, isi, m, h, partial))
            dup = 1;                     /* raced: already cached; keep ours private */
    /* evict unreferenced entries, least recently used first, until the new
     * plan fits both the slot count and the byte budget */
    for (;;) {
        int free_slot = -1, lru = -1;
        for (int i = 0; i < RQ_CACHE_SLOTS; i++) {
            if (!g_cache[i].plan)
                free_slot = i;
            else if (g_cache[i].refs == 0 && (lru < 0 || g_cache[i].stamp < g_cache[lru].stamp))
                lru = i;
        }
        if (dup || need > RQ_CACHE_BYTES)
            break;
        if (free_slot >= 0 && g_cache_bytes + need <= RQ_CACHE_BYTES) {
            g_cache[free_slot].plan = plan;
            g_cache[free_slot].isi = copy;
            g_cache[free_slot].hash = h;
            g_cache[free_slot].refs = 1;
            g_cache[free_slot].stamp = ++g_clock;
            g_cache_bytes += need;
            copy = NULL;
            break;
        }
        if (lru < 0)
            break;
        cache_drop(lru);
    }
    pthread_mutex_unlock(&g_cache_mu);
    free(copy);
    return 0;
}

int fcp_rq_plan_encode_get(const fcp_rq_params *p, fcp_rq_plan **out)
{
    uint32_t *isi = malloc((size_t)p->Kp * sizeof(uint32_t));
    if (!isi)
        return FCP_ENOMEM;
    for (uint32_t i = 0; i < p->Kp; i++)
        isi[i] = i;
    int rc = fcp_rq_plan_get(p, isi, p->Kp, out);
    free(isi);
    return rc;
}

void fcp_rq_release_caches(void)
{
    pthread_mutex_lock(&g_cache_mu);
    for (int i = 0; i < RQ_CACHE_SLOTS; i++)
        if (g_cache[i].plan && g_cache[i].refs == 0)
            cache_drop(i);
    pthread_mutex_unlock(&g_cache_mu);
    pthread_mutex_lock(&g_pool_mu);
    for (int i = 0; i < RQ_POOL_SLOTS; i++) {
        free(g_pool[i].p);
        g_pool[i].p = NULL;
        g_pool[i].cap = 0;
    }
    g_pool_bytes = 0;
    pthread_mutex_unlock(&g_pool_mu);
    arena_release();
}

void fcp_rq_plan_release(fcp_rq_plan *plan)
{
    if (!plan)
        return;
    pthread_mutex_lock(&g_cache_mu);
    for (int i = 0; i < RQ_CACHE_SLOTS; i++) {
        if (g_cache[i].plan == plan) {
            g_cache[i].refs--;
            pthread_mutex_unlock(&g_cache_mu);
            return;
        }
    }
    pthread_mutex_unlock(&g_cache_mu);
    fcp_rq_plan_free(plan);
}

static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }

void *fcp_rq_buf_get(size_t n)
{
    size_t want = round64(n ? n : 1);
    pthread_mutex_lock(&g_pool_mu);
    int best = -1;
    for (int i = 0; i < RQ_POOL_SLOTS; i++)
        if (g_pool[i].p && g_pool[i].cap >= want && g_pool[i].cap <= want * 2 &&
            (best < 0 || g_pool[i].cap < g_pool[best].cap))
            best = i;
    if (best >= 0) {
        void *p = g_pool[best].p;
        g_pool_bytes -= g_pool[best].cap;
        g_pool[best].p = NULL;
        pthread_mutex_unlock(&g_pool_mu);
        return p;
    }
    pthread_mutex_unlock(&g_pool_mu);
    return aligned_alloc(64, want);
}

void fcp_rq_buf_put(void *p, size_t n)
{
    if (!p)
        return;
    size_t cap = round64(n ? n : 1);
    pthread_mutex_lock(&g_pool_mu);
    if (cap <= RQ_POOL_MAX) {
        int slot = -1;
        for (int i = 0; i < RQ_POOL_SLOTS; i++)
            if (!g_pool[i].p) {
                slot = i;
                break;
            }
        if (slot < 0) {                     /* evict the smallest */
            slot = 0;
            for (int i = 1; i < RQ_POOL_SLOTS; i++)
                if (g_pool[i].cap < g_pool[slot].cap)
                    slot = i;
            if (g_pool[slot].cap > cap)
                slot = -1;
            else {
                g_pool_bytes -= g_pool[slot].cap;
                free(g_pool[slot].p);
                g_pool[slot].p = NULL;
            }
        }
        if (slot >= 0 && g_pool_bytes + cap <= RQ_POOL_MAX) {
            g_pool[slot].p = p;
            g_pool[slot].cap = cap;
            g_pool_bytes += cap;
            p = NULL;
        }
    }
    pthread_mutex_unlock(&g_pool_mu);
    free(p);
}
