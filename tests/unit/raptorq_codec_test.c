/*
 * raptorq_codec_test.c - RFC 6330 tables, parameters, generators, GF(256)
 * kernels, OTI / payload-id formats, and known answers from an independent
 * implementation (npm raptorq 1.7.24 = cberner/raptorq, see
 * tests/interop).  Round trips and hostile input live in
 * raptorq_codec_roundtrip_test.c.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/raptorq.h"
#include "fcp/rng.h"
#include "raptorq/rq_internal.h"
#include "test.h"

static int is_prime(uint32_t n)
{
    if (n < 2)
        return 0;
    for (uint32_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

static void test_tables(void)
{
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    for (uint32_t i = 0; i < FCP_RQ_NUM_KPRIME; i++) {
        s0 += fcp_rq_table2[i][0];
        s1 += fcp_rq_table2[i][1];
        s2 += fcp_rq_table2[i][2];
        s3 += fcp_rq_table2[i][3];
        s4 += fcp_rq_table2[i][4];
        if (i)
            CHECK(fcp_rq_table2[i][0] > fcp_rq_table2[i - 1][0]);
        CHECK(is_prime(fcp_rq_table2[i][2]));
        CHECK(is_prime(fcp_rq_table2[i][4]));
    }
    /* column sums pin the whole table (computed from the generated file,
     * which two independent implementations agreed on) */
    CHECK_EQ(s0, 5397836);
    CHECK_EQ(s1, 229322);
    CHECK_EQ(s2, 112693);
    CHECK_EQ(s3, 5492);
    CHECK_EQ(s4, 5451777);
    CHECK_EQ(fcp_rq_table2[0][0], 10);
    CHECK_EQ(fcp_rq_table2[0][1], 254);
    CHECK_EQ(fcp_rq_table2[476][0], 56403);
    CHECK_EQ(fcp_rq_table2[476][1], 471);
    CHECK_EQ(fcp_rq_table2[476][4], 56951);
    CHECK_EQ(fcp_rq_V[0][0], 251291136u);
    CHECK_EQ(fcp_rq_V[3][255], 3432275192u);
    CHECK_EQ(fcp_rq_deg_f[1], 5243);
    CHECK_EQ(fcp_rq_deg_f[30], 1048576);
    /* GF(256): alpha = 2 generates the field with 0x11D */
    CHECK_EQ(fcp_rq_gf_exp[8], 0x1D);
    CHECK_EQ(fcp_rq_gf_exp[255], 1);
    for (int a = 1; a < 256; a++) {
        CHECK_EQ(fcp_rq_gf_mul((uint8_t)a, fcp_rq_gf_inv((uint8_t)a)), 1);
        CHECK_EQ(fcp_rq_gf_exp[fcp_rq_gf_log[a]], a);
    }
}

static void test_params(void)
{
    CHECK_EQ(fcp_rq_kprime(0), 0);
    CHECK_EQ(fcp_rq_kprime(1), 10);
    CHECK_EQ(fcp_rq_kprime(10), 10);
    CHECK_EQ(fcp_rq_kprime(11), 12);
    CHECK_EQ(fcp_rq_kprime(64), 69);
    CHECK_EQ(fcp_rq_kprime(1000), 1002);
    CHECK_EQ(fcp_rq_kprime(56403), 56403);
    CHECK_EQ(fcp_rq_kprime(56404), 0);
    fcp_rq_params p;
    CHECK_EQ(fcp_rq_params_for(11, &p), -1);
    CHECK_EQ(fcp_rq_params_for(1002, &p), 0);
    CHECK_EQ(p.J, 299);
    CHECK_EQ(p.S, 59);
    CHECK_EQ(p.H, 10);
    CHECK_EQ(p.W, 1021);
    CHECK_EQ(p.L, 1071);
    CHECK_EQ(p.P, 50);
    CHECK_EQ(p.P1, 53);
    CHECK_EQ(p.B, 962);
    CHECK_EQ(p.U, 40);
    for (uint32_t i = 0; i < FCP_RQ_NUM_KPRIME; i++) {
        CHECK_EQ(fcp_rq_params_for(fcp_rq_table2[i][0], &p), 0);
        CHECK(p.P >= p.H && is_prime(p.P1) && p.P1 >= p.P);
    }
    /* Deg: f[d-1] <= v < f[d], capped at W-2 */
    CHECK_EQ(fcp_rq_deg(0, 100), 1);
    CHECK_EQ(fcp_rq_deg(5242, 100), 1);
    CHECK_EQ(fcp_rq_deg(5243, 100), 2);
    CHECK_EQ(fcp_rq_deg(529531, 100), 3);
    CHECK_EQ(fcp_rq_deg(1048575, 100), 30);
    CHECK_EQ(fcp_rq_deg(1048575, 17), 15);
    /* Partition[10, 3] = (4, 3, 1, 2) */
    fcp_rq_part pt = fcp_rq_partition(10, 3);
    CHECK_EQ(pt.IL, 4);
    CHECK_EQ(pt.IS, 3);
    CHECK_EQ(pt.JL, 1);
    CHECK_EQ(pt.JS, 2);
    pt = fcp_rq_partition(12, 4);
    CHECK_EQ(pt.IL, 3);
    CHECK_EQ(pt.JL, 0);
    CHECK_EQ(pt.JS, 4);
    /* Regression pins for Rand and Tuple (RFC 6330 §5.3.5.1, §5.3.5.4).  The
     * values come from this implementation, whose repair symbols match two
     * independent implementations bit for bit (test_known_answers and
     * tests/interop), so they are pinned here to localise a regression. */
    CHECK_EQ(fcp_rq_rand(0, 0, 1u << 20), 145433);
    CHECK_EQ(fcp_rq_rand(12345, 3, 1000), 363);
    CHECK_EQ(fcp_rq_rand(0xFFFFFFFFu, 7, 256), 164);
    CHECK_EQ(fcp_rq_rand(1u << 24, 5, 65521), 48078);
    {
        static const uint32_t want[5][7] = {
            {10, 0, 2, 4, 9, 2, 5},      {10, 1, 7, 6, 12, 2, 1},    {10, 2, 15, 6, 3, 2, 1},
            {1002, 1000, 2, 541, 844, 2, 6}, {1002, 1001, 23, 23, 516, 2, 44},
        };
        static const uint32_t want_b1[5] = {1, 3, 0, 43, 0};
        for (int i = 0; i < 5; i++) {
            fcp_rq_params_for(want[i][0], &p);
            fcp_rq_tuple t = fcp_rq_tuple_of(&p, want[i][1]);
            CHECK(t.d == want[i][2] && t.a == want[i][3] && t.b == want[i][4]);
            CHECK(t.d1 == want[i][5] && t.a1 == want[i][6] && t.b1 == want_b1[i]);
        }
    }
    /* tuples stay in range for every K' */
    for (uint32_t i = 0; i < FCP_RQ_NUM_KPRIME; i += 7) {
        fcp_rq_params_for(fcp_rq_table2[i][0], &p);
        for (uint32_t X = 0; X < 2000; X += 13) {
            fcp_rq_tuple t = fcp_rq_tuple_of(&p, X);
            CHECK(t.d >= 1 && t.d <= 30 && t.d <= p.W - 2);
            CHECK(t.a >= 1 && t.a < p.W && t.b < p.W);
            CHECK(t.d1 == 2 || t.d1 == 3);
            CHECK(t.a1 >= 1 && t.a1 < p.P1 && t.b1 < p.P1);
        }
    }
}

/* The solver's division-free tuple generator (fcp_rq_tgen) gives exactly the
 * columns of the reference Tuple + LT-column functions, for every K' and for
 * ISIs across the whole 24-bit range; and the remainder helper is exact. */
static void test_tgen(void)
{
    static const uint32_t ds[] = {1, 2, 3, 7, 10, 255, 1000, 56403, 65521, 0x7FFFFFFFu, 0xFFFFFFFFu};
    static const uint32_t xs[] = {0, 1, 2, 12345, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        uint64_t M = fcp_rq_fm_init(ds[i]);
        for (size_t j = 0; j < sizeof xs / sizeof xs[0]; j++)
            CHECK_EQ(fcp_rq_fm(xs[j], M, ds[i]), xs[j] % ds[i]);
        for (uint32_t x = 0, k = 0; k < 2000; k++, x = x * 2654435761u + 0x9E3779B9u)
            if (fcp_rq_fm(x, M, ds[i]) != x % ds[i])
                CHECK(0);
    }
    uint32_t bad = 0;
    for (uint32_t i = 0; i < FCP_RQ_NUM_KPRIME; i++) {
        fcp_rq_params p;
        fcp_rq_params_for(fcp_rq_table2[i][0], &p);
        fcp_rq_tgen g;
        fcp_rq_tgen_init(&g, &p);
        for (uint32_t k = 0; k < 300; k++) {
            uint32_t X = k < 150 ? k * 7 : (k * 2654435761u) & FCP_RQ_MAX_ESI;
            uint32_t a[40], b[40], nlt;
            fcp_rq_tuple t = fcp_rq_tuple_of(&p, X);
            uint32_t na = fcp_rq_tuple_cols(&p, &t, a);
            uint32_t nb = fcp_rq_tgen_cols(&g, X, b, &nlt);
            if (na != nb || nlt != t.d || memcmp(a, b, na * sizeof a[0]) != 0)
                bad++;
        }
    }
    CHECK_EQ(bad, 0);
}

static void test_oti(void)
{
    fcp_rq_oti o = {1000000, 1024, 3, 2, 4}, d;
    uint8_t b[FCP_RQ_OTI_BYTES];
    CHECK_EQ(fcp_rq_oti_validate(&o), 0);
    fcp_rq_oti_encode(&o, b);
    static const uint8_t want[12] = {0x00, 0x00, 0x0F, 0x42, 0x40, 0x00, 0x04, 0x00, 0x03, 0x00, 0x02, 0x04};
    CHECK_MEM(b, want, 12);
    CHECK_EQ(fcp_rq_oti_decode(b, &d), 0);
    CHECK(d.F == o.F && d.T == o.T && d.Z == o.Z && d.N == o.N && d.Al == o.Al);
    uint8_t bad[12];
    memcpy(bad, b, 12);
    bad[5] = 1;                                         /* reserved byte */
    CHECK_ERR(fcp_rq_oti_decode(bad, &d), FCP_ERQ_OTI);
    fcp_rq_oti t;
    t = o; t.F = 0;                      CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI);
    t = o; t.F = FCP_RQ_MAX_TRANSFER + 1; CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI);
    t = o; t.T = 0;                      CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI);
    t = o; t.T = 1022;                   CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI);
    t = o; t.Al = 0;                     CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI);
    t = o; t.N = 0;                      CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI);
    t = o; t.N = 257;                    CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI);
    t = o; t.Z = 0;                      CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI);
    t = o; t.Z = 256;                    CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI);
    t = o; t.F = 100; t.Z = 2;           CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI); /* Z > Kt */
    t = o; t.F = 56404ULL * 1024; t.Z = 1; CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI);
    t = o; t.F = 56403ULL * 1024; t.Z = 1; CHECK_EQ(fcp_rq_oti_validate(&t), 0);
    t = o; t.F = FCP_RQ_MAX_TRANSFER; t.T = 65535; t.Al = 1; t.Z = 255; t.N = 1;
    CHECK_ERR(fcp_rq_oti_validate(&t), FCP_ERQ_OTI);   /* needs Z = 256 */
    memset(bad, 0xFF, sizeof bad);
    bad[5] = 0;
    CHECK_ERR(fcp_rq_oti_decode(bad, &d), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_oti_decode(NULL, &d), FCP_ERQ_OTI);

    /* derivation (RFC 6330 §4.3) */
    CHECK_EQ(fcp_rq_oti_derive(65536, 1024, 4, 16u << 20, 8, &d), 0);
    CHECK(d.Z == 1 && d.N == 1 && d.T == 1024);
    CHECK_EQ(fcp_rq_oti_derive(20000000, 1024, 8, 10485760, 8, &d), 0);
    CHECK(d.Z == 1 && d.N == 2);        /* matches npm raptorq with_defaults */
    CHECK_EQ(fcp_rq_oti_derive(400000000, 1024, 4, 1u << 20, 8, &d), 0);
    CHECK(d.Z > 1 && fcp_rq_oti_validate(&d) == 0);
    CHECK_ERR(fcp_rq_oti_derive(0, 1024, 4, 1u << 20, 8, &d), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_oti_derive(100, 1022, 4, 1u << 20, 8, &d), FCP_ERQ_OTI);

    fcp_rq_layout lay;
    o = (fcp_rq_oti){1000000, 1024, 3, 3, 4};
    CHECK_EQ(fcp_rq_layout_of(&o, &lay), 0);
    CHECK_EQ(lay.Kt, 977);
    CHECK(lay.KL == 326 && lay.KS == 325 && lay.ZL == 2 && lay.ZS == 1);
    CHECK(lay.TL == 86 && lay.TS == 85 && lay.NL == 1 && lay.NS == 2);
    CHECK_EQ(fcp_rq_block_symbols(&lay, 2), 325);
    CHECK_EQ(fcp_rq_block_symbols(&lay, 3), 0);

    uint8_t pid[4], sbn;
    uint32_t esi;
    fcp_rq_payload_id_encode(7, 0xABCDEF, pid);
    CHECK(pid[0] == 7 && pid[1] == 0xAB && pid[2] == 0xCD && pid[3] == 0xEF);
    fcp_rq_payload_id_decode(pid, &sbn, &esi);
    CHECK(sbn == 7 && esi == 0xABCDEF);
}

/* Every SIMD level against the portable kernels, odd lengths included. */
static void test_kernels(void)
{
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 42);
    enum { N = 1500 };
    static uint8_t a[N + 8], b[N + 8], c[N + 8], r1[N], r2[N];   /* +8: offset sources */
    const fcp_rq_kernels *port;
    fcp_rq_kern_force(FCP_RQ_SIMD_PORTABLE);
    port = fcp_rq_kern();
    int best = fcp_rq_kern_best();
    for (int lvl = 0; lvl <= best; lvl++) {
        CHECK_EQ(fcp_rq_kern_force(lvl), 0);
        const fcp_rq_kernels *k = fcp_rq_kern();
        static const size_t lens[] = {1, 7, 31, 32, 63, 64, 65, 127, 128, 200, 1024, 1280, 1499};
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
            size_t n = lens[li];
            for (size_t i = 0; i < N; i++) {
                a[i] = (uint8_t)fcp_rng_xoshiro_next(&x);
                b[i] = (uint8_t)fcp_rng_xoshiro_next(&x);
                c[i] = (uint8_t)fcp_rng_xoshiro_next(&x);
            }
            uint8_t cf = (uint8_t)(fcp_rng_xoshiro_next(&x) | 2);
            memcpy(r1, a, N); memcpy(r2, a, N);
            port->xor_into(r1, b, n); k->xor_into(r2, b, n);
            CHECK_MEM(r1, r2, N);
            port->xor3(r1, a, b, n); k->xor3(r2, a, b, n);
            CHECK_MEM(r1, r2, N);
            port->muladd(r1, b, cf, n); k->muladd(r2, b, cf, n);
            CHECK_MEM(r1, r2, N);
            port->scale(r1, cf, n); k->scale(r2, cf, n);
            CHECK_MEM(r1, r2, N);
            port->horner(r1, b, cf, n); k->horner(r2, b, cf, n);
            CHECK_MEM(r1, r2, N);
            const uint8_t *srcs[5] = {a, b, c, a + 1, b + 2};
            for (unsigned ns = 1; ns <= 5; ns++) {
                port->xorn(r1, srcs, ns, n, (int)(ns & 1)); k->xorn(r2, srcs, ns, n, (int)(ns & 1));
                CHECK_MEM(r1, r2, N);
            }
            static const uint8_t cfs[5] = {1, 2, 0x53, 0xFF, 0x1D};
            for (unsigned ns = 1; ns <= 5; ns++) {
                port->muladdn(r1, srcs, cfs, ns, n); k->muladdn(r2, srcs, cfs, ns, n);
                CHECK_MEM(r1, r2, N);
            }
            uint8_t q1[N], q2[N], a1[N], a2[N], b1[N], b2[N];
            memcpy(q1, a, N); memcpy(q2, a, N); memcpy(a1, b, N); memcpy(a2, b, N);
            memcpy(b1, c, N); memcpy(b2, c, N);
            port->hstep(q1, (li & 1) ? NULL : b, a1, b1, n);
            k->hstep(q2, (li & 1) ? NULL : b, a2, b2, n);
            CHECK_MEM(q1, q2, N);
            CHECK_MEM(a1, a2, N);
            CHECK_MEM(b1, b2, N);
        }
        /* spot-check the portable product against the log tables */
        for (int i = 0; i < 256; i++)
            c[i] = (uint8_t)i;
        memset(r1, 0, 256);
        k->muladd(r1, c, 0x53, 256);
        int ok = 1;
        for (int i = 0; i < 256; i++)
            ok &= r1[i] == fcp_rq_gf_mul(0x53, (uint8_t)i);
        CHECK(ok);
    }
    CHECK_EQ(fcp_rq_kern_force(99), -1);
    fcp_rq_kern_force(best);
}

static void unhex(const char *h, uint8_t *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

/* Repair symbols from npm raptorq 1.7.24 (cberner/raptorq) for data[i] =
 * (7*i + 3) mod 256.  That implementation labels the repair symbol of
 * internal id X with ESI X (it skips ESIs K..K'-1); under RFC 6330 the same
 * symbol has ESI X - (K' - K), which is what we ask our encoder for. */
static void test_known_answers(void)
{
    static const struct {
        uint32_t K, T, esi;
        const char *hex;
    } kat[] = {
        {10, 64, 10, "709fb35cf2689cab69fd093e907ffe110be4e50aa49367fd3f08fc68c62905ea"
                     "5db29e71dfc53106c45eaa9d33dc53bca649c82789be4a5092a551cb658aa649"},
        {10, 64, 11, "0878e898432eb5ce9e27bcc71c6cea9ac1b1bbcb106bf09dcdb62d944f3fafdf"
                     "92e27202d938a3d888e57e05deaefc8cd7a721518af16a8bdba03b568dfd6d1d"},
        {13, 64, 13, "c779a61872aa57cbb0a75ac6ac1289376ed089375dc13ce49f03fee9833de25c"
                     "41ff209ef4ee138ff42cd14d2799cd732a940fb1db47baa0db47ba6208b669d7"},
        {64, 1024, 64, "27d2d02576c9063e8529e6de8d78fd087e8b3bce9da56ad56e56993566939164"},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        size_t len = (size_t)kat[i].K * kat[i].T;
        uint8_t *data = malloc(len), *sym = malloc(kat[i].T), want[64];
        for (size_t j = 0; j < len; j++)
            data[j] = (uint8_t)(j * 7 + 3);
        fcp_rq_encoder *e;
        CHECK_EQ(fcp_rq_encoder_new(&e, data, kat[i].K, (uint16_t)kat[i].T, NULL), 0);
        CHECK_EQ(fcp_rq_encoder_symbol(e, kat[i].esi, sym), 0);
        size_t n = strlen(kat[i].hex) / 2;
        unhex(kat[i].hex, want);
        CHECK_MEM(sym, want, n);
        CHECK_EQ(fcp_rq_encoder_symbol(e, 3, sym), 0);          /* systematic */
        CHECK_MEM(sym, data + 3 * kat[i].T, kat[i].T);
        CHECK_ERR(fcp_rq_encoder_symbol(e, FCP_RQ_MAX_ESI + 1, sym), FCP_ERQ_ESI);
        CHECK_EQ(fcp_rq_encoder_symbol(e, FCP_RQ_MAX_ESI, sym), 0);
        fcp_rq_encoder_free(e);
        free(data);
        free(sym);
    }
}

/* The small-K generator path (cached plan) and the solve path (no cache)
 * give identical repair symbols, before and after the lazy switch. */
static void test_gen_vs_solve(void)
{
    static const uint32_t Ks[] = {1, 5, 10, 13, 64, 100, 200, 256};
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 99);
    for (size_t i = 0; i < sizeof Ks / sizeof Ks[0]; i++) {
        uint32_t K = Ks[i], T = 40;
        uint8_t *data = malloc((size_t)K * T), a[40], b[40];
        for (size_t j = 0; j < (size_t)K * T; j++)
            data[j] = (uint8_t)fcp_rng_xoshiro_next(&x);
        fcp_rq_encoder *e1, *e2;
        CHECK_EQ(fcp_rq_encoder_new(&e1, data, K, (uint16_t)T, NULL), 0);
        int old = fcp_rq_plan_cache_enable(0);
        CHECK_EQ(fcp_rq_encoder_new(&e2, data, K, (uint16_t)T, NULL), 0);
        fcp_rq_plan_cache_enable(old);
        int ok = 1;
        for (uint32_t esi = K; esi < K + 300; esi++) {
            CHECK_EQ(fcp_rq_encoder_symbol(e1, esi, a), 0);
            CHECK_EQ(fcp_rq_encoder_symbol(e2, esi, b), 0);
            ok &= memcmp(a, b, T) == 0;
        }
        CHECK(ok);
        fcp_rq_encoder_free(e1);
        fcp_rq_encoder_free(e2);
        free(data);
    }
}

/* The intermediate symbols satisfy every constraint row: re-encoding the
 * source ISIs from them gives back the source symbols, for many K'. */
static void test_systematic(void)
{
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 7);
    for (uint32_t i = 0; i < 60; i++) {
        uint32_t Kp = fcp_rq_table2[i][0], T = 24;
        fcp_rq_params p;
        fcp_rq_params_for(Kp, &p);
        fcp_rq_plan *plan;
        CHECK_EQ(fcp_rq_plan_encode_get(&p, &plan), 0);
        uint8_t *src = malloc((size_t)Kp * T), *work = malloc(((size_t)plan->nrows + 1) * T);
        uint8_t sym[24];
        const uint8_t **in = malloc(Kp * sizeof *in);
        for (size_t j = 0; j < (size_t)Kp * T; j++)
            src[j] = (uint8_t)fcp_rng_xoshiro_next(&x);
        for (uint32_t j = 0; j < Kp; j++)
            in[j] = src + (size_t)j * T;
        fcp_rq_plan_run(plan, work, in, T);
        int ok = 1;
        for (uint32_t j = 0; j < Kp; j++) {
            fcp_rq_lt_encode(plan, work, j, sym, T);
            ok &= memcmp(sym, src + (size_t)j * T, T) == 0;
        }
        CHECK(ok);
        fcp_rq_plan_release(plan);
        free(src);
        free(work);
        free(in);
    }
}

int main(void)
{
    test_tables();
    test_params();
    test_tgen();
    test_oti();
    test_kernels();
    test_known_answers();
    test_systematic();
    test_gen_vs_solve();
    return fcp_t_done("raptorq_codec");
}
