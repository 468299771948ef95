/*
 * raptorq_codec_roundtrip_test.c - encode -> lose -> decode round trips for
 * many K, decoding from exactly K symbols, measured decode-failure rates at
 * K', K'+1, K'+2 overhead, object-level round trips with several source
 * blocks and sub-blocks, and hostile input (bad sizes, ESIs, duplicates,
 * floods, limits).  Sized to run in a few seconds under ASan; set
 * FCP_RQ_LONG=1 for the long statistical run.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/raptorq.h"
#include "fcp/rng.h"
#include "raptorq/rq_internal.h"
#include "test.h"

static fcp_rng_xoshiro rng;

static uint32_t rnd(uint32_t bound) { return (uint32_t)fcp_rng_xoshiro_below(&rng, bound); }

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)fcp_rng_xoshiro_next(&rng);
}

/* Shuffle esis[0..n). */
static void shuffle(uint32_t *v, uint32_t n)
{
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = rnd(i), t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* Encode a block of K symbols, drop `loss` random source symbols, feed the
 * rest plus repair symbols (ESI from `repair_base`) in random order until the
 * decoder succeeds.  Returns the number of symbols it needed (0 on error). */
static uint32_t round_trip(uint32_t K, uint16_t T, uint32_t loss, uint32_t repair_base)
{
    size_t len = (size_t)K * T;
    uint8_t *data = malloc(len), *sym = malloc(T);
    uint32_t nsend = K - loss + loss + 40;
    uint32_t *esis = malloc(nsend * sizeof *esis), *src = malloc(K * sizeof *src);
    fill(data, len);
    fcp_rq_encoder *e = NULL;
    fcp_rq_block_decoder *d = NULL;
    uint32_t used = 0;
    if (fcp_rq_encoder_new(&e, data, K, T, NULL) || fcp_rq_block_decoder_new(&d, K, T, NULL))
        goto out;
    for (uint32_t i = 0; i < K; i++)
        src[i] = i;
    shuffle(src, K);
    uint32_t n = 0;
    for (uint32_t i = loss; i < K; i++)
        esis[n++] = src[i];
    for (uint32_t i = 0; i < loss + 40; i++)
        esis[n++] = repair_base + i;
    shuffle(esis, n);
    for (uint32_t i = 0; i < n; i++) {
        fcp_rq_encoder_symbol(e, esis[i], sym);
        int rc = fcp_rq_block_decoder_add(d, esis[i], sym, T);
        if (rc == 0) {
            used = i + 1;
            break;
        }
        if (rc != FCP_ERQ_NEED_MORE)
            break;
    }
    if (used) {
        const uint8_t *got = fcp_rq_block_decoder_data(d);
        if (!got || memcmp(got, data, len) != 0)
            used = 0;
    }
out:
    fcp_rq_encoder_free(e);
    fcp_rq_block_decoder_free(d);
    free(data);
    free(sym);
    free(esis);
    free(src);
    return used;
}

static void test_round_trips(void)
{
    uint32_t extra_total = 0, runs = 0;
    for (uint32_t K = 1; K <= 300; K += (K < 80 ? 1 : 11)) {
        uint16_t T = (uint16_t)(4 + 4 * rnd(12));
        uint32_t loss = rnd(K + 1);
        uint32_t used = round_trip(K, T, loss, K + rnd(1000));
        CHECK(used >= K);
        if (used >= K)
            extra_total += used - K;
        runs++;
    }
    /* overhead beyond K is rare; allow a little */
    CHECK(extra_total <= runs / 10 + 3);
    /* larger blocks */
    CHECK(round_trip(1000, 64, 50, 1000) >= 1000);
    CHECK(round_trip(1000, 16, 1000, 5000) >= 1000);       /* repair only */
    const char *lng = getenv("FCP_RQ_LONG");
    if (lng && *lng == '1')
        CHECK(round_trip(10000, 16, 500, 10000) >= 10000);
}

/* Decode from exactly K symbols mixing source and repair, for the
 * K' values FCP uses most (64 KiB chunks of 1 KiB symbols: K <= 256), all
 * through the public decoder. */
static void test_exact_k(void)
{
    uint32_t fails = 0, runs = 0;
    for (uint32_t K = 10; K <= 256; K += 3) {
        uint32_t used = round_trip(K, 8, K / 2, K);
        runs++;
        if (used != K)
            fails++;
        CHECK(used >= K);
    }
    CHECK(fails <= runs / 20 + 1);
}

/* Failure rate of the solver at overhead 0, 1, 2 (receiving K, K+1, K+2
 * symbols: random source subset + repair), on the matrix alone. */
static void failure_rates(uint32_t K, uint32_t trials, uint32_t fails[3])
{
    fcp_rq_params p;
    uint32_t Kp = fcp_rq_kprime(K);
    fcp_rq_params_for(Kp, &p);
    uint32_t *isi = malloc((Kp + 2) * sizeof *isi), *src = malloc(K * sizeof *src);
    for (uint32_t t = 0; t < trials; t++) {
        uint32_t loss = 1 + rnd(K);
        for (uint32_t i = 0; i < K; i++)
            src[i] = i;
        shuffle(src, K);
        uint32_t n = 0;
        for (uint32_t j = 0; j < Kp - K; j++)
            isi[n++] = K + j;
        for (uint32_t i = loss; i < K; i++)
            isi[n++] = src[i];
        uint32_t base = Kp + rnd(1u << 20);
        for (uint32_t i = 0; i < loss + 2; i++)
            isi[n++] = base + i;
        for (uint32_t ov = 0; ov < 3; ov++) {
            fcp_rq_plan *plan = NULL;
            int rc = fcp_rq_plan_build(&p, isi, Kp + ov, &plan);
            fcp_rq_plan_free(plan);
            if (rc == FCP_ERQ_SINGULAR)
                fails[ov]++;
            else
                break;
        }
    }
    free(isi);
    free(src);
}

static void test_failure_rates(void)
{
    const char *lng = getenv("FCP_RQ_LONG");
    uint32_t trials = lng && *lng == '1' ? 20000 : 600;
    uint32_t f[3] = {0, 0, 0}, total = 0;
    static const uint32_t Ks[] = {10, 26, 64, 101, 256};
    for (size_t i = 0; i < sizeof Ks / sizeof Ks[0]; i++) {
        failure_rates(Ks[i], trials, f);
        total += trials;
    }
    printf("raptorq failure rate over %u trials: K' %.4f%%, K'+1 %.4f%%, K'+2 %.4f%%\n", total,
           100.0 * f[0] / total, 100.0 * f[1] / total, 100.0 * f[2] / total);
    CHECK(f[0] * 50 < total);          /* < 2% at K' */
    CHECK(f[1] * 200 < total);         /* < 0.5% at K'+1 */
    CHECK(f[2] * 1000 < total + 1000); /* essentially never at K'+2 */
}

static void test_object(void)
{
    static const fcp_rq_oti otis[] = {
        {1, 16, 1, 1, 1},
        {65536, 1024, 1, 1, 4},
        {100000, 1024, 3, 2, 4},
        {54321, 256, 4, 3, 8},
        {999, 64, 2, 16, 4},
    };
    for (size_t i = 0; i < sizeof otis / sizeof otis[0]; i++) {
        const fcp_rq_oti *o = &otis[i];
        CHECK_EQ(fcp_rq_oti_validate(o), 0);
        uint8_t *data = malloc(o->F), *sym = malloc(o->T);
        fill(data, o->F);
        fcp_rq_object_encoder *e;
        fcp_rq_decoder *d;
        CHECK_EQ(fcp_rq_object_encoder_new(&e, o, data, NULL), 0);
        CHECK_EQ(fcp_rq_decoder_new(&d, o, NULL), 0);
        int rc = FCP_ERQ_NEED_MORE;
        for (uint32_t sbn = 0; sbn < o->Z && rc == FCP_ERQ_NEED_MORE; sbn++) {
            uint32_t K = fcp_rq_object_encoder_block_K(e, sbn);
            for (uint32_t esi = 0; esi < 2 * K + 10 && !fcp_rq_decoder_block_done(d, sbn); esi++) {
                if (esi < K && esi % 3 == 0)
                    continue;                               /* lose a third of the source */
                CHECK_EQ(fcp_rq_object_encoder_symbol(e, sbn, esi, sym), 0);
                rc = fcp_rq_decoder_add(d, sbn, esi, sym, o->T);
                if (rc != FCP_ERQ_NEED_MORE)
                    break;
            }
        }
        CHECK_EQ(rc, 0);
        const uint8_t *res;
        size_t len;
        CHECK_EQ(fcp_rq_decoder_result(d, &res, &len), 0);
        CHECK_EQ(len, o->F);
        CHECK_MEM(res, data, o->F);
        /* after success every add reports success */
        CHECK_EQ(fcp_rq_decoder_add(d, 0, 0, sym, o->T), 0);
        fcp_rq_object_encoder_free(e);
        fcp_rq_decoder_free(d);
        free(data);
        free(sym);
    }
}

static void test_hostile(void)
{
    fcp_rq_oti o = {10000, 100, 2, 1, 4};
    fcp_rq_decoder *d = NULL;
    uint8_t sym[200] = {0};
    const uint8_t *res;
    size_t len;
    fcp_rq_limits lim = {0, 0, 0};

    CHECK_EQ(fcp_rq_decoder_new(&d, &o, NULL), 0);
    CHECK_ERR(fcp_rq_decoder_add(d, 0, 0, sym, 99), FCP_ERQ_SYMBOL_SIZE);
    CHECK_ERR(fcp_rq_decoder_add(d, 0, 0, sym, 0), FCP_ERQ_SYMBOL_SIZE);
    CHECK_ERR(fcp_rq_decoder_add(d, 2, 0, sym, 100), FCP_ERQ_ESI);
    CHECK_ERR(fcp_rq_decoder_add(d, 255, 0, sym, 100), FCP_ERQ_ESI);
    CHECK_ERR(fcp_rq_decoder_add(d, 0, 1u << 24, sym, 100), FCP_ERQ_ESI);
    CHECK_ERR(fcp_rq_decoder_add(d, 0, UINT32_MAX, sym, 100), FCP_ERQ_ESI);
    CHECK_ERR(fcp_rq_decoder_result(d, &res, &len), FCP_ERQ_NEED_MORE);
    /* a flood of duplicates never counts twice and never decodes */
    for (int i = 0; i < 5000; i++)
        CHECK_ERR(fcp_rq_decoder_add(d, 0, 7, sym, 100), FCP_ERQ_NEED_MORE);
    for (int i = 0; i < 500; i++)
        CHECK_ERR(fcp_rq_decoder_add(d, 1, 100000 + (uint32_t)(i % 3), sym, 100), FCP_ERQ_NEED_MORE);
    CHECK_EQ(fcp_rq_decoder_block_done(d, 0), 0);
    fcp_rq_decoder_free(d);

    /* bad OTIs rejected before any allocation */
    fcp_rq_oti bad = o;
    bad.T = 0;
    CHECK_ERR(fcp_rq_decoder_new(&d, &bad, NULL), FCP_ERQ_OTI);
    bad = o; bad.T = 102;                    /* not a multiple of Al */
    CHECK_ERR(fcp_rq_decoder_new(&d, &bad, NULL), FCP_ERQ_OTI);
    bad = o; bad.F = FCP_RQ_MAX_TRANSFER + 1;
    CHECK_ERR(fcp_rq_decoder_new(&d, &bad, NULL), FCP_ERQ_OTI);
    bad = o; bad.F = 900000000000ULL; bad.T = 65532; bad.Z = 255;
    CHECK_ERR(fcp_rq_decoder_new(&d, &bad, NULL), FCP_ERQ_LIMIT);   /* huge F: default 64 MiB */
    lim.max_transfer = 5000;
    CHECK_ERR(fcp_rq_decoder_new(&d, &o, &lim), FCP_ERQ_LIMIT);
    lim.max_transfer = 0;
    lim.max_memory = 4096;
    CHECK_ERR(fcp_rq_decoder_new(&d, &o, &lim), FCP_ERQ_LIMIT);
    CHECK_ERR(fcp_rq_decoder_new(NULL, &o, NULL), FCP_EINVAL);
    CHECK(d == NULL);

    /* symbol-count limit: far more (distinct, useless) symbols than needed */
    lim = (fcp_rq_limits){0, 30, 0};
    CHECK_EQ(fcp_rq_decoder_new(&d, &o, &lim), 0);
    int rc = 0, got_limit = 0;
    for (uint32_t i = 0; i < 100; i++) {
        rc = fcp_rq_decoder_add(d, 0, 1000 + i, sym, 100);
        if (rc == FCP_ERQ_LIMIT)
            got_limit = 1;
        else
            CHECK_ERR(rc, FCP_ERQ_NEED_MORE);
    }
    CHECK(got_limit);
    fcp_rq_decoder_free(d);

    /* block-level API */
    fcp_rq_block_decoder *b;
    CHECK_ERR(fcp_rq_block_decoder_new(&b, 0, 16, NULL), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_block_decoder_new(&b, 56404, 16, NULL), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_block_decoder_new(&b, 10, 0, NULL), FCP_ERQ_OTI);
    CHECK_EQ(fcp_rq_block_decoder_new(&b, 10, 16, NULL), 0);
    CHECK_ERR(fcp_rq_block_decoder_add(b, 0, sym, 15), FCP_ERQ_SYMBOL_SIZE);
    CHECK_ERR(fcp_rq_block_decoder_add(b, 1u << 24, sym, 16), FCP_ERQ_ESI);
    CHECK(fcp_rq_block_decoder_data(b) == NULL);
    /* garbage symbols decode to *something* without crashing */
    for (uint32_t i = 0; i < 40; i++) {
        fill(sym, 16);
        rc = fcp_rq_block_decoder_add(b, 5000 + i * 977, sym, 16);
        if (rc == 0)
            break;
    }
    CHECK_EQ(rc, 0);
    CHECK(fcp_rq_block_decoder_data(b) != NULL);
    fcp_rq_block_decoder_free(b);

    fcp_rq_encoder *e;
    CHECK_ERR(fcp_rq_encoder_new(&e, sym, 0, 16, NULL), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_encoder_new(&e, sym, 10, 0, NULL), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_encoder_new(&e, NULL, 10, 16, NULL), FCP_EINVAL);
    lim = (fcp_rq_limits){0, 0, 100};
    CHECK_ERR(fcp_rq_encoder_new(&e, sym, 10, 16, &lim), FCP_ERQ_LIMIT);
}

/* Random OTIs and random packets: every call returns one of the documented
 * codes and nothing crashes (ASan/UBSan run this too). */
static void test_random_input(void)
{
    fcp_rq_limits lim = {1u << 20, 4096, 8u << 20};
    int decoded = 0, valid = 0;
    for (int it = 0; it < 400; it++) {
        uint8_t b[FCP_RQ_OTI_BYTES];
        fcp_rq_oti o;
        fill(b, sizeof b);
        b[5] = 0;
        if (it % 2) {                       /* bias towards plausible OTIs */
            b[0] = b[1] = b[2] = 0;
            b[3] = (uint8_t)(b[3] & 0x03);
            b[6] = 0;
            b[7] = (uint8_t)(4 + (b[7] & 0x3C));
            b[8] = (uint8_t)(1 + (b[8] & 3));
            b[9] = 0;
            b[10] = (uint8_t)(1 + (b[10] & 1));
            b[11] = (uint8_t)(1 << (b[11] & 2));
        }
        int rc = fcp_rq_oti_decode(b, &o);
        CHECK(rc == 0 || rc == FCP_ERQ_OTI);
        if (rc)
            continue;
        fcp_rq_decoder *d;
        rc = fcp_rq_decoder_new(&d, &o, &lim);
        CHECK(rc == 0 || rc == FCP_ERQ_LIMIT);
        if (rc)
            continue;
        valid++;
        uint8_t sym[300];
        for (int k = 0; k < 600; k++) {
            uint32_t sbn = rnd(o.Z + 1), esi = rnd(8) == 0 ? rnd(1u << 25) : rnd(200);
            size_t len = rnd(16) == 0 ? rnd(300) : o.T;
            if (len > sizeof sym)
                len = sizeof sym;
            fill(sym, len);
            rc = fcp_rq_decoder_add(d, sbn, esi, sym, len);
            CHECK(rc == 0 || rc == FCP_ERQ_NEED_MORE || rc == FCP_ERQ_ESI || rc == FCP_ERQ_SYMBOL_SIZE ||
                  rc == FCP_ERQ_LIMIT);
            if (rc == 0) {
                const uint8_t *res;
                size_t n;
                CHECK_EQ(fcp_rq_decoder_result(d, &res, &n), 0);
                CHECK_EQ(n, o.F);
                decoded++;
                break;
            }
        }
        fcp_rq_decoder_free(d);
    }
    CHECK(valid > 50);
    CHECK(decoded > 0);
}

/* The codec gives identical results on every kernel level. */
/* Partial (decoder) plans drop the operations that feed no missing source
 * symbol: for random received sets at many K they must give exactly the
 * missing source symbols the full plan gives, with no more operations. */
static void test_partial_plans(void)
{
    static const uint32_t Ks[] = {10, 13, 26, 64, 101, 256, 1000};
    const size_t T = 24;
    uint32_t fewer = 0, trials = 0;
    for (size_t ki = 0; ki < sizeof Ks / sizeof Ks[0]; ki++) {
        uint32_t K = Ks[ki], Kp = fcp_rq_kprime(K);
        fcp_rq_params p;
        fcp_rq_params_for(Kp, &p);
        uint32_t *isi = malloc((Kp + 8) * sizeof *isi), *src = malloc(K * sizeof *src);
        const uint8_t **in = malloc((Kp + 8) * sizeof *in);
        uint8_t *data = malloc((Kp + 8) * T), *a = malloc(T), *b = malloc(T);
        for (int t = 0; t < (K >= 1000 ? 3 : 12); t++) {
            uint32_t loss = t % 3 == 2 ? 1 + rnd(K) : 1 + rnd(K / 10 + 1);
            for (uint32_t i = 0; i < K; i++)
                src[i] = i;
            shuffle(src, K);
            uint32_t n = 0;
            for (uint32_t j = K; j < Kp; j++)
                isi[n++] = j;
            for (uint32_t i = loss; i < K; i++)
                isi[n++] = src[i];
            uint32_t base = Kp + rnd(1u << 16);
            for (uint32_t i = 0; i < loss + 8; i++)
                isi[n++] = base + i;
            fill(data, (size_t)n * T);
            for (uint32_t j = 0; j < n; j++)
                in[j] = data + (size_t)j * T;
            fcp_rq_plan *full = NULL, *part = NULL;
            uint32_t m = Kp;
            while (m <= n && fcp_rq_plan_build(&p, isi, m, &full) == FCP_ERQ_SINGULAR)
                m++;
            if (!full)
                continue;
            CHECK_EQ(fcp_rq_plan_build_ex(&p, isi, m, FCP_RQ_PLAN_PARTIAL, &part), 0);
            if (!part) {
                fcp_rq_plan_free(full);
                continue;
            }
            CHECK(part->partial && part->n_missing == loss);
            CHECK(part->nops <= full->nops);
            fewer += part->n_xor + part->n_mul < full->n_xor + full->n_mul;
            trials++;
            uint8_t *wf = malloc(((size_t)full->nrows + 1) * T), *wp = malloc(((size_t)part->nrows + 1) * T);
            fcp_rq_plan_run(full, wf, in, T);
            fcp_rq_plan_run(part, wp, in, T);
            uint32_t bad = 0;
            for (uint32_t i = 0; i < loss; i++) {
                fcp_rq_lt_encode(full, wf, src[i], a, T);
                fcp_rq_lt_encode(part, wp, src[i], b, T);
                bad += memcmp(a, b, T) != 0;
            }
            CHECK_EQ(bad, 0);
            free(wf);
            free(wp);
            fcp_rq_plan_free(full);
            fcp_rq_plan_free(part);
        }
        free(isi);
        free(src);
        free(in);
        free(data);
        free(a);
        free(b);
    }
    CHECK(trials > 50);
    CHECK(fewer * 2 > trials);               /* the low-loss trials save operations */
}

/* Decoders with the plan cache off (every decode plans from scratch) and on
 * (plans shared between decoders of a recurring received set) rebuild the
 * same source block from the same random received sets, at many K. */
static void test_cache_on_off(void)
{
    static const uint32_t Ks[] = {1, 10, 17, 55, 101, 200, 513, 1000};
    const uint16_t T = 20;
    int old = fcp_rq_plan_cache_enable(1);
    for (size_t ki = 0; ki < sizeof Ks / sizeof Ks[0]; ki++) {
        uint32_t K = Ks[ki];
        uint8_t *blk = malloc((size_t)K * T), *pk = malloc((size_t)(K + 40) * T);
        uint32_t *esi = malloc((K + 40) * sizeof *esi), *src = malloc(K * sizeof *src);
        fill(blk, (size_t)K * T);
        fcp_rq_encoder *e;
        CHECK_EQ(fcp_rq_encoder_new(&e, blk, K, T, NULL), 0);
        for (int t = 0; t < 4; t++) {
            uint32_t loss = t == 3 ? K : rnd(K) + 1, n = 0, base = K + rnd(5000);
            for (uint32_t i = 0; i < K; i++)
                src[i] = i;
            shuffle(src, K);
            for (uint32_t i = loss; i < K; i++)
                esi[n++] = src[i];
            for (uint32_t i = 0; i < loss + 40 && n < K + 40; i++)
                esi[n++] = base + i;
            shuffle(esi, n);
            for (uint32_t i = 0; i < n; i++)
                fcp_rq_encoder_symbol(e, esi[i], pk + (size_t)i * T);
            for (int round = 0; round < 3; round++) {  /* off, on (builds), on (replays) */
                fcp_rq_plan_cache_enable(round > 0);
                fcp_rq_block_decoder *d;
                CHECK_EQ(fcp_rq_block_decoder_new(&d, K, T, NULL), 0);
                int rc = FCP_ERQ_NEED_MORE;
                for (uint32_t i = 0; i < n && rc == FCP_ERQ_NEED_MORE; i++)
                    rc = fcp_rq_block_decoder_add(d, esi[i], pk + (size_t)i * T, T);
                CHECK_EQ(rc, 0);
                const uint8_t *out = fcp_rq_block_decoder_data(d);
                CHECK(out && memcmp(out, blk, (size_t)K * T) == 0);
                fcp_rq_block_decoder_free(d);
            }
        }
        fcp_rq_encoder_free(e);
        free(blk);
        free(pk);
        free(esi);
        free(src);
    }
    fcp_rq_plan_cache_enable(old);
}

static void test_levels(void)
{
    int best = fcp_rq_kern_best();
    for (int lvl = 0; lvl <= best; lvl++) {
        fcp_rq_kern_force(lvl);
        CHECK(round_trip(101, 100, 30, 101) >= 101);
        CHECK(round_trip(26, 1, 26, 500) >= 26);
    }
    fcp_rq_kern_force(best);
}

int main(void)
{
    fcp_rng_xoshiro_init(&rng, 20260101);
    test_round_trips();
    test_exact_k();
    test_failure_rates();
    test_object();
    test_hostile();
    test_random_input();
    test_partial_plans();
    test_cache_on_off();
    test_levels();
    fcp_rq_release_caches();                  /* caches rebuild on demand */
    CHECK(round_trip(64, 32, 10, 64) >= 64);
    fcp_rq_release_caches();
    return fcp_t_done("raptorq_codec_roundtrip");
}
