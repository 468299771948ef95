/*
 * rq_codec.c - RaptorQ source-block and object encoders/decoders (public
 * API of include/fcp/raptorq.h).
 *
 * Block level: the encoder solves the intermediate symbols once with the
 * cached per-K' plan (rq_solve.c) and then produces any ESI by the LT
 * encoder; the decoder buffers received symbols (one arena, grown
 * geometrically, with an ESI hash set for duplicates) and tries to solve as
 * soon as it holds K symbols, again after every further symbol if the
 * received set was rank-deficient.
 *
 * Object level: RFC 6330 §4.4.1.2 partitioning into Z source blocks and N
 * sub-blocks.  Sub-block j of a block is a contiguous run of K sub-symbols
 * of T_j bytes; encoding symbol i is the concatenation of sub-symbol i of
 * every sub-block.  Because the code is linear per byte position, encoding
 * the interleaved block with full T-byte symbols yields exactly the
 * concatenation of the per-sub-block encodings, so the block codec never
 * needs to know about sub-blocks.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "rq_internal.h"

#define DEF_MAX_TRANSFER (64ULL << 20)
#define DEF_MAX_MEMORY   (256ULL << 20)
#define DEF_MAX_SYMBOLS  (1ULL << 20)

typedef struct lim {
    uint64_t max_transfer, max_symbols, max_memory;
} lim;

static lim limits_of(const fcp_rq_limits *l)
{
    lim r = {DEF_MAX_TRANSFER, DEF_MAX_SYMBOLS, DEF_MAX_MEMORY};
    if (l) {
        if (l->max_transfer)
            r.max_transfer = l->max_transfer;
        if (l->max_symbols)
            r.max_symbols = l->max_symbols;
        if (l->max_memory)
            r.max_memory = l->max_memory;
    }
    return r;
}

/* ================= block encoder ================= */

struct fcp_rq_encoder {
    fcp_rq_params p;
    uint32_t      K;
    uint16_t      T;
    fcp_rq_plan  *plan;
    uint8_t      *src;    /* K*T source bytes */
    uint8_t      *work;   /* (nrows+1)*T: intermediate symbols per plan->col_slot,
                             or NULL while repair symbols come from plan->gen */
    uint32_t      gen_left; /* repair symbols still cheaper via plan->gen */
    uint8_t      *coef;   /* K' bytes of scratch for the generator path */
};

/* Solve the intermediate symbols (the plan replay).  0 or FCP_ENOMEM. */
static int encoder_solve(fcp_rq_encoder *e)
{
    const uint32_t Kp = e->p.Kp, K = e->K, T = e->T;
    const uint8_t **in = malloc((size_t)Kp * sizeof *in);
    uint8_t *zero = calloc(1, T);
    uint8_t *work = fcp_rq_buf_get(((size_t)e->plan->nrows + 1) * T);
    if (!in || !zero || !work) {
        free(in);
        free(zero);
        fcp_rq_buf_put(work, ((size_t)e->plan->nrows + 1) * T);
        return FCP_ENOMEM;
    }
    for (uint32_t j = 0; j < Kp; j++)
        in[j] = j < K ? e->src + (size_t)j * T : zero;
    fcp_rq_plan_run(e->plan, work, in, T);
    free(in);
    free(zero);
    e->work = work;
    return 0;
}

int fcp_rq_encoder_new(fcp_rq_encoder **out, const uint8_t *block, uint32_t K, uint16_t T,
                       const fcp_rq_limits *limits)
{
    if (!out || !block)
        return FCP_EINVAL;
    *out = NULL;
    uint32_t Kp = fcp_rq_kprime(K);
    if (Kp == 0 || T == 0)
        return FCP_ERQ_OTI;
    lim L = limits_of(limits);
    fcp_rq_params p;
    if (fcp_rq_params_for(Kp, &p) != 0)
        return FCP_ERQ_OTI;
    uint64_t need = ((uint64_t)K + p.S + p.H + Kp + 2) * T;
    if (need > L.max_memory || (uint64_t)K * T > L.max_transfer)
        return FCP_ERQ_LIMIT;
    fcp_rq_encoder *e = calloc(1, sizeof *e);
    int rc = FCP_ENOMEM;
    if (!e)
        return FCP_ENOMEM;
    e->p = p;
    e->K = K;
    e->T = T;
    e->src = fcp_rq_buf_get((size_t)K * T);
    if (!e->src)
        goto fail;
    memcpy(e->src, block, (size_t)K * T);
    if ((rc = fcp_rq_plan_encode_get(&p, &e->plan)) != 0)
        goto fail;
    if (e->plan->gen) {
        /* small K': produce repair symbols straight from the cached generator
         * rows (about K multiply-adds each) for as long as that is cheaper
         * than solving the intermediate symbols once */
        e->coef = malloc(Kp);
        if (!e->coef) {
            rc = FCP_ENOMEM;
            goto fail;
        }
        unsigned mc = fcp_rq_kern()->mul_cost;   /* table multiplies: never worth it */
        e->gen_left = mc > 4 ? 0 : (uint32_t)((e->plan->n_xor + e->plan->n_mul * mc) /
                                              ((uint64_t)(K + 4) * mc));
    } else if ((rc = encoder_solve(e)) != 0) {
        goto fail;
    }
    *out = e;
    return 0;
fail:
    fcp_rq_encoder_free(e);
    return rc;
}

void fcp_rq_encoder_free(fcp_rq_encoder *e)
{
    if (!e)
        return;
    if (e->plan)
        fcp_rq_buf_put(e->work, ((size_t)e->plan->nrows + 1) * e->T);
    free(e->coef);
    fcp_rq_plan_release(e->plan);
    fcp_rq_buf_put(e->src, (size_t)e->K * e->T);
    free(e);
}

int fcp_rq_encoder_symbol(const fcp_rq_encoder *e, uint32_t esi, uint8_t *out)
{
    if (!e || !out)
        return FCP_EINVAL;
    if (esi > FCP_RQ_MAX_ESI)
        return FCP_ERQ_ESI;
    if (esi < e->K) {
        memcpy(out, e->src + (size_t)esi * e->T, e->T);
        return 0;
    }
    uint32_t X = esi + (e->p.Kp - e->K);
    if (!e->work && e->gen_left) {
        fcp_rq_encoder *me = (fcp_rq_encoder *)(uintptr_t)e;   /* lazy state; see header */
        const fcp_rq_kernels *k = fcp_rq_kern();
        const uint32_t Kp = e->p.Kp;
        uint32_t cols[40], nlt;
        uint32_t n = fcp_rq_tgen_cols(&e->plan->tg, X, cols, &nlt);
        const uint8_t *g = e->plan->gen;
        k->xor3(me->coef, g + (size_t)e->plan->col_slot[cols[0]] * Kp,
                g + (size_t)e->plan->col_slot[cols[1]] * Kp, Kp);
        for (uint32_t i = 2; i < n; i++)
            k->xor_into(me->coef, g + (size_t)e->plan->col_slot[cols[i]] * Kp, Kp);
        /* out = sum of coef[j] * source j (padding symbols are zero), in
         * multi-source passes: out is read and written once per
         * FCP_RQ_XORN_MAX sources instead of once per source */
        const uint8_t *sp[FCP_RQ_XORN_MAX];
        uint8_t cf[FCP_RQ_XORN_MAX];
        unsigned ns = 0;
        memset(out, 0, e->T);
        for (uint32_t j = 0; j < e->K; j++) {
            if (!e->coef[j])
                continue;
            sp[ns] = e->src + (size_t)j * e->T;
            cf[ns++] = e->coef[j];
            if (ns == FCP_RQ_XORN_MAX) {
                k->muladdn(out, sp, cf, ns, e->T);
                ns = 0;
            }
        }
        if (ns)
            k->muladdn(out, sp, cf, ns, e->T);
        me->gen_left--;
        return 0;
    }
    if (!e->work) {
        int rc = encoder_solve((fcp_rq_encoder *)(uintptr_t)e);
        if (rc)
            return rc;
    }
    fcp_rq_lt_encode(e->plan, e->work, X, out, e->T);
    return 0;
}

uint32_t fcp_rq_encoder_K(const fcp_rq_encoder *e) { return e->K; }
uint16_t fcp_rq_encoder_T(const fcp_rq_encoder *e) { return e->T; }

/* ================= block decoder ================= */

struct fcp_rq_block_decoder {
    fcp_rq_params p;
    uint32_t K;
    uint16_t T;
    lim      L;
    uint64_t max_syms;
    uint32_t n, cap;        /* stored repair symbols */
    uint32_t *esi;
    uint8_t  *syms;
    uint32_t *hset;         /* open addressing: stored index + 1, 0 = empty */
    uint32_t  hcap;         /* power of two, >= 2*cap */
    uint32_t  nsrc;
    uint32_t *src_at;       /* K entries: 1 if source symbol i is in out */
    uint32_t  fails, next_try;
    uint8_t  *out;          /* K*T: received source symbols land here directly;
                               complete once decoded */
    int       done;
};

int fcp_rq_block_decoder_new(fcp_rq_block_decoder **out, uint32_t K, uint16_t T,
                             const fcp_rq_limits *limits)
{
    if (!out)
        return FCP_EINVAL;
    *out = NULL;
    uint32_t Kp = fcp_rq_kprime(K);
    if (Kp == 0 || T == 0)
        return FCP_ERQ_OTI;
    fcp_rq_block_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return FCP_ENOMEM;
    fcp_rq_params_for(Kp, &d->p);
    d->K = K;
    d->T = T;
    d->L = limits_of(limits);
    /* storage for the solve: received symbols + work rows + output */
    uint64_t base = ((uint64_t)K * 2 + d->p.S + d->p.H + (Kp - K) + 2) * T;
    if ((uint64_t)K * T > d->L.max_transfer || base > d->L.max_memory) {
        free(d);
        return FCP_ERQ_LIMIT;
    }
    d->max_syms = (uint64_t)Kp * 2 + 64;
    if (d->max_syms > d->L.max_symbols)
        d->max_syms = d->L.max_symbols;
    d->src_at = calloc(K, sizeof(uint32_t));
    if (!d->src_at) {
        free(d);
        return FCP_ENOMEM;
    }
    *out = d;
    return 0;
}

static void drop_store(fcp_rq_block_decoder *d)
{
    free(d->esi);
    fcp_rq_buf_put(d->syms, (size_t)d->cap * d->T);
    free(d->hset);
    free(d->src_at);
    d->esi = NULL;
    d->syms = NULL;
    d->hset = NULL;
    d->src_at = NULL;
    d->n = d->cap = d->hcap = 0;
}

void fcp_rq_block_decoder_free(fcp_rq_block_decoder *d)
{
    if (!d)
        return;
    drop_store(d);
    fcp_rq_buf_put(d->out, (size_t)d->K * d->T);
    free(d);
}

const uint8_t *fcp_rq_block_decoder_data(const fcp_rq_block_decoder *d)
{
    return d && d->done ? d->out : NULL;
}

static uint32_t hash_esi(uint32_t esi) { return esi * 2654435761u; }

static int hset_has(const fcp_rq_block_decoder *d, uint32_t esi)
{
    if (!d->hcap)
        return 0;
    for (uint32_t h = hash_esi(esi) & (d->hcap - 1);; h = (h + 1) & (d->hcap - 1)) {
        uint32_t v = d->hset[h];
        if (!v)
            return 0;
        if (d->esi[v - 1] == esi)
            return 1;
    }
}

static void hset_put(fcp_rq_block_decoder *d, uint32_t idx)
{
    uint32_t esi = d->esi[idx];
    uint32_t h = hash_esi(esi) & (d->hcap - 1);
    while (d->hset[h])
        h = (h + 1) & (d->hcap - 1);
    d->hset[h] = idx + 1;
}

/* Grow the arena to hold at least one more symbol (geometric). */
static int grow(fcp_rq_block_decoder *d)
{
    /* first repair symbol: room for all still missing, so usually one allocation */
    uint64_t nc = d->cap ? (uint64_t)d->cap * 2 : (uint64_t)(d->p.Kp - d->nsrc) + 16;
    if (nc > d->max_syms)
        nc = d->max_syms;
    uint64_t work = ((uint64_t)d->p.S + d->p.H + d->p.Kp + 64 + 2) * d->T;
    if (nc * d->T + work + (uint64_t)d->K * d->T > d->L.max_memory) {
        nc = (d->L.max_memory - work - (uint64_t)d->K * d->T) / d->T;
        if (nc <= d->cap)
            return FCP_ERQ_LIMIT;
    }
    uint32_t *ne = realloc(d->esi, nc * sizeof(uint32_t));
    if (!ne)
        return FCP_ENOMEM;
    d->esi = ne;
    uint8_t *ns = fcp_rq_buf_get(nc * d->T);      /* recycled: no fresh page faults */
    if (!ns)
        return FCP_ENOMEM;
    if (d->n)
        memcpy(ns, d->syms, (size_t)d->n * d->T);
    fcp_rq_buf_put(d->syms, (size_t)d->cap * d->T);
    d->syms = ns;
    uint32_t hc = 16;
    while (hc < nc * 2)
        hc *= 2;
    uint32_t *nh = calloc(hc, sizeof(uint32_t));
    if (!nh)
        return FCP_ENOMEM;
    free(d->hset);
    d->hset = nh;
    d->hcap = hc;
    d->cap = (uint32_t)nc;
    for (uint32_t i = 0; i < d->n; i++)
        hset_put(d, i);
    return 0;
}

/* Sort keys[0..n) ascending, permuting vals alongside (heap sort: no
 * allocation, O(n log n) worst case). */
static void sift(uint32_t *k, uint32_t *v, uint32_t i, uint32_t n)
{
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && k[c + 1] > k[c])
            c++;
        if (k[i] >= k[c])
            return;
        uint32_t t = k[i];
        k[i] = k[c];
        k[c] = t;
        t = v[i];
        v[i] = v[c];
        v[c] = t;
        i = c;
    }
}

static void sort_rows(uint32_t *k, uint32_t *v, uint32_t n)
{
    for (uint32_t i = n / 2; i-- > 0;)
        sift(k, v, i, n);
    for (uint32_t e = n; e-- > 1;) {
        uint32_t t = k[0];
        k[0] = k[e];
        k[e] = t;
        t = v[0];
        v[0] = v[e];
        v[e] = t;
        sift(k, v, 0, e);
    }
}

static int try_decode(fcp_rq_block_decoder *d)
{
    const uint32_t K = d->K, Kp = d->p.Kp, T = d->T;
    int rc = FCP_ENOMEM;
    if (d->nsrc == K) {                     /* systematic: nothing to solve */
        d->done = 1;
        drop_store(d);
        return 0;
    }
    uint32_t use = d->n;                    /* repair rows */
    uint32_t cap_rows = K + 16 + 8 * d->fails;
    if (d->nsrc + use > cap_rows)
        use = cap_rows - d->nsrc;
    uint32_t m = (Kp - K) + d->nsrc + use;
    uint32_t *isi = malloc((size_t)m * sizeof(uint32_t));
    uint32_t *ord = malloc((size_t)use * sizeof(uint32_t) + 1);
    const uint8_t **in = malloc((size_t)m * sizeof *in);
    uint8_t *zero = calloc(1, T);
    uint8_t *work = NULL;
    size_t work_len = 0;
    fcp_rq_plan *plan = NULL;
    if (!isi || !ord || !in || !zero)
        goto out;
    /* Rows in a canonical order (padding, sources ascending, repair by ISI)
     * so the same received set always maps to the same cacheable plan. */
    uint32_t r = 0;
    for (uint32_t j = K; j < Kp; j++) {
        isi[r] = j;                          /* padding symbols are known zeros */
        in[r++] = zero;
    }
    for (uint32_t i = 0; i < K; i++)
        if (d->src_at[i]) {
            isi[r] = i;
            in[r++] = d->out + (size_t)i * T;
        }
    for (uint32_t j = 0; j < use; j++) {
        isi[r + j] = d->esi[j] + (Kp - K);
        ord[j] = j;
    }
    uint32_t sorted = 1;                     /* repair symbols often arrive in order */
    for (uint32_t j = 1; j < use && sorted; j++)
        sorted = isi[r + j - 1] < isi[r + j];
    if (!sorted)
        sort_rows(isi + r, ord, use);
    for (uint32_t j = 0; j < use; j++)
        in[r + j] = d->syms + (size_t)ord[j] * T;
    rc = fcp_rq_plan_get_ex(&d->p, isi, m, FCP_RQ_PLAN_PARTIAL, &plan);
    if (rc)
        goto out;
    rc = FCP_ENOMEM;
    work_len = ((size_t)plan->nrows + 1) * T;
    work = fcp_rq_buf_get(work_len);
    if (!work)
        goto out;
    fcp_rq_plan_run(plan, work, in, T);
    {
        /* missing source symbols, re-encoded from the intermediate symbols;
         * isi[] and in[] are no longer needed and hold the list */
        uint32_t nm = 0;
        uint8_t **outs = (uint8_t **)(void *)in;
        for (uint32_t i = 0; i < K; i++)
            if (!d->src_at[i]) {
                isi[nm] = i;
                outs[nm++] = d->out + (size_t)i * T;
            }
        fcp_rq_lt_encode_many(plan, work, isi, outs, nm, T);
    }
    d->done = 1;
    drop_store(d);
    rc = 0;
out:
    fcp_rq_plan_release(plan);
    fcp_rq_buf_put(work, work_len);
    free(isi);
    free(ord);
    free(in);
    free(zero);
    return rc;
}

int fcp_rq_block_decoder_add(fcp_rq_block_decoder *d, uint32_t esi, const uint8_t *sym,
                             size_t len)
{
    if (!d || (!sym && len))
        return FCP_EINVAL;
    if (d->done)
        return 0;
    if (len != d->T)
        return FCP_ERQ_SYMBOL_SIZE;
    if (esi > FCP_RQ_MAX_ESI)
        return FCP_ERQ_ESI;
    if (esi < d->K ? d->src_at[esi] != 0 : hset_has(d, esi))
        return FCP_ERQ_NEED_MORE;           /* duplicate */
    if ((uint64_t)d->nsrc + d->n >= d->max_syms)
        return FCP_ERQ_LIMIT;
    if (esi < d->K) {
        if (!d->out && !(d->out = fcp_rq_buf_get((size_t)d->K * d->T)))
            return FCP_ENOMEM;
        memcpy(d->out + (size_t)esi * d->T, sym, d->T);
        d->src_at[esi] = 1;
        d->nsrc++;
    } else {
        if (d->n == d->cap) {
            int rc = grow(d);
            if (rc)
                return rc;
        }
        uint32_t idx = d->n++;
        d->esi[idx] = esi;
        memcpy(d->syms + (size_t)idx * d->T, sym, d->T);
        hset_put(d, idx);
    }
    uint32_t total = d->nsrc + d->n;
    if (total < d->K || total < d->next_try)
        return FCP_ERQ_NEED_MORE;
    if (!d->out && !(d->out = fcp_rq_buf_get((size_t)d->K * d->T)))
        return FCP_ENOMEM;
    int rc = try_decode(d);
    if (rc == FCP_ERQ_SINGULAR) {
        d->fails++;
        d->next_try = total + 1;
        return FCP_ERQ_NEED_MORE;
    }
    return rc;
}

/* ================= object level ================= */

/* Interleave (dir = 0: object bytes -> block symbols) or de-interleave
 * (dir = 1) one source block of K symbols under the sub-block layout. */
static void interleave(const fcp_rq_oti *o, const fcp_rq_layout *lay, uint32_t K, uint8_t *blk,
                       uint8_t *sym, int dir)
{
    size_t T = o->T, pos = 0, off = 0;
    for (uint32_t j = 0; j < lay->NL + lay->NS; j++) {
        size_t tj = (size_t)(j < lay->NL ? lay->TL : lay->TS) * o->Al;
        for (uint32_t i = 0; i < K; i++) {
            if (dir == 0)
                memcpy(sym + (size_t)i * T + pos, blk + off + (size_t)i * tj, tj);
            else
                memcpy(blk + off + (size_t)i * tj, sym + (size_t)i * T + pos, tj);
        }
        pos += tj;
        off += (size_t)K * tj;
    }
}

static uint64_t block_offset(const fcp_rq_layout *lay, uint32_t sbn, uint16_t T)
{
    uint64_t syms = sbn < lay->ZL ? (uint64_t)sbn * lay->KL
                                  : (uint64_t)lay->ZL * lay->KL + (uint64_t)(sbn - lay->ZL) * lay->KS;
    return syms * T;
}

struct fcp_rq_object_encoder {
    fcp_rq_oti      oti;
    fcp_rq_layout   lay;
    fcp_rq_encoder **blk;
};

int fcp_rq_object_encoder_new(fcp_rq_object_encoder **out, const fcp_rq_oti *oti,
                              const uint8_t *data, const fcp_rq_limits *limits)
{
    if (!out || !oti || !data)
        return FCP_EINVAL;
    *out = NULL;
    fcp_rq_layout lay;
    int rc = fcp_rq_layout_of(oti, &lay);
    if (rc)
        return rc;
    lim L = limits_of(limits);
    if (oti->F > L.max_transfer)
        return FCP_ERQ_LIMIT;
    fcp_rq_object_encoder *e = calloc(1, sizeof *e);
    if (!e)
        return FCP_ENOMEM;
    e->oti = *oti;
    e->lay = lay;
    e->blk = calloc(oti->Z, sizeof *e->blk);
    uint8_t *blk = malloc((size_t)lay.KL * oti->T), *sym = malloc((size_t)lay.KL * oti->T);
    rc = FCP_ENOMEM;
    if (!e->blk || !blk || !sym)
        goto fail;
    for (uint32_t sbn = 0; sbn < oti->Z; sbn++) {
        uint32_t K = fcp_rq_block_symbols(&lay, sbn);
        uint64_t off = block_offset(&lay, sbn, oti->T), len = (uint64_t)K * oti->T;
        uint64_t have = off >= oti->F ? 0 : oti->F - off;
        if (have > len)
            have = len;
        memcpy(blk, data + off, (size_t)have);
        memset(blk + have, 0, (size_t)(len - have));
        const uint8_t *src = blk;
        if (lay.NL + lay.NS > 1) {
            interleave(oti, &lay, K, blk, sym, 0);
            src = sym;
        }
        /* F was checked against max_transfer above; a block is judged by its
         * own padded size, which may exceed F when F is not a multiple of T. */
        fcp_rq_limits bl = limits ? *limits : (fcp_rq_limits){ 0 };
        bl.max_transfer = len;
        if ((rc = fcp_rq_encoder_new(&e->blk[sbn], src, K, oti->T, &bl)) != 0)
            goto fail;
    }
    free(blk);
    free(sym);
    *out = e;
    return 0;
fail:
    free(blk);
    free(sym);
    fcp_rq_object_encoder_free(e);
    return rc;
}

void fcp_rq_object_encoder_free(fcp_rq_object_encoder *e)
{
    if (!e)
        return;
    if (e->blk)
        for (uint32_t i = 0; i < e->oti.Z; i++)
            fcp_rq_encoder_free(e->blk[i]);
    free(e->blk);
    free(e);
}

int fcp_rq_object_encoder_symbol(const fcp_rq_object_encoder *e, uint32_t sbn, uint32_t esi,
                                 uint8_t *out)
{
    if (!e || !out)
        return FCP_EINVAL;
    if (sbn >= e->oti.Z || esi > FCP_RQ_MAX_ESI)
        return FCP_ERQ_ESI;
    return fcp_rq_encoder_symbol(e->blk[sbn], esi, out);
}

uint32_t fcp_rq_object_encoder_block_K(const fcp_rq_object_encoder *e, uint32_t sbn)
{
    return e ? fcp_rq_block_symbols(&e->lay, sbn) : 0;
}

struct fcp_rq_decoder {
    fcp_rq_oti    oti;
    fcp_rq_layout lay;
    fcp_rq_limits limits;
    lim           L;
    fcp_rq_block_decoder **blk;
    uint8_t      *done;
    uint32_t      ndone;
    uint64_t      nsyms;
    uint8_t      *obj;       /* F bytes + room for the padded last block */
};

int fcp_rq_decoder_new(fcp_rq_decoder **out, const fcp_rq_oti *oti, const fcp_rq_limits *limits)
{
    if (!out || !oti)
        return FCP_EINVAL;
    *out = NULL;
    fcp_rq_layout lay;
    int rc = fcp_rq_layout_of(oti, &lay);
    if (rc)
        return rc;
    lim L = limits_of(limits);
    uint64_t padded = lay.Kt * oti->T;
    /* the object plus one block's worth of solve state must fit */
    if (oti->F > L.max_transfer || padded + (uint64_t)lay.KL * oti->T * 3 > L.max_memory)
        return FCP_ERQ_LIMIT;
    fcp_rq_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return FCP_ENOMEM;
    d->oti = *oti;
    d->lay = lay;
    d->L = L;
    if (limits)
        d->limits = *limits;
    d->blk = calloc(oti->Z, sizeof *d->blk);
    d->done = calloc(oti->Z, 1);
    d->obj = malloc((size_t)padded);
    if (!d->blk || !d->done || !d->obj) {
        fcp_rq_decoder_free(d);
        return FCP_ENOMEM;
    }
    *out = d;
    return 0;
}

void fcp_rq_decoder_free(fcp_rq_decoder *d)
{
    if (!d)
        return;
    if (d->blk)
        for (uint32_t i = 0; i < d->oti.Z; i++)
            fcp_rq_block_decoder_free(d->blk[i]);
    free(d->blk);
    free(d->done);
    free(d->obj);
    free(d);
}

int fcp_rq_decoder_add(fcp_rq_decoder *d, uint32_t sbn, uint32_t esi, const uint8_t *sym,
                       size_t len)
{
    if (!d || (!sym && len))
        return FCP_EINVAL;
    if (sbn >= d->oti.Z || esi > FCP_RQ_MAX_ESI)
        return FCP_ERQ_ESI;
    if (len != d->oti.T)
        return FCP_ERQ_SYMBOL_SIZE;
    if (d->done[sbn])
        return d->ndone == d->oti.Z ? 0 : FCP_ERQ_NEED_MORE;
    if (d->nsyms >= d->L.max_symbols)
        return FCP_ERQ_LIMIT;
    uint32_t K = fcp_rq_block_symbols(&d->lay, sbn);
    if (!d->blk[sbn]) {
        fcp_rq_limits bl = d->limits;
        /* the object's F was checked in fcp_rq_decoder_new; the block is
         * bounded by its own padded size (not the 64 MiB default) */
        bl.max_transfer = (uint64_t)K * d->oti.T;
        bl.max_memory = d->L.max_memory - (uint64_t)d->lay.Kt * d->oti.T;
        int rc = fcp_rq_block_decoder_new(&d->blk[sbn], K, d->oti.T, &bl);
        if (rc)
            return rc;
    }
    uint32_t before = d->blk[sbn]->n + d->blk[sbn]->nsrc;
    int rc = fcp_rq_block_decoder_add(d->blk[sbn], esi, sym, len);
    if (rc == FCP_ERQ_NEED_MORE) {
        if (d->blk[sbn]->n + d->blk[sbn]->nsrc > before)
            d->nsyms++;
        return rc;
    }
    if (rc)
        return rc;
    uint8_t *dst = d->obj + block_offset(&d->lay, sbn, d->oti.T);
    const uint8_t *res = fcp_rq_block_decoder_data(d->blk[sbn]);
    if (d->lay.NL + d->lay.NS > 1)
        interleave(&d->oti, &d->lay, K, dst, (uint8_t *)(uintptr_t)res, 1);
    else
        memcpy(dst, res, (size_t)K * d->oti.T);
    fcp_rq_block_decoder_free(d->blk[sbn]);
    d->blk[sbn] = NULL;
    d->done[sbn] = 1;
    d->ndone++;
    return d->ndone == d->oti.Z ? 0 : FCP_ERQ_NEED_MORE;
}

int fcp_rq_decoder_result(const fcp_rq_decoder *d, const uint8_t **data, size_t *len)
{
    if (!d || d->ndone != d->oti.Z)
        return FCP_ERQ_NEED_MORE;
    if (data)
        *data = d->obj;
    if (len)
        *len = (size_t)d->oti.F;
    return 0;
}

int fcp_rq_decoder_block_done(const fcp_rq_decoder *d, uint32_t sbn)
{
    return d && sbn < d->oti.Z && d->done[sbn];
}
