/*
 * raptorq_safety_test.c - the RaptorQ API under hostile input, complementing
 * the codec's own tests (raptorq_codec_*_test.c):
 *
 *   - OTI wire bytes: 300k random and near-valid 12-byte OTIs; the parser
 *     accepts exactly those an independent transcription of RFC 6330 §3.3 /
 *     §4.3 accepts, and everything it accepts round-trips and lays out;
 *   - decoder state after errors: wrong SBNs, ESIs and sizes interleaved with
 *     good symbols never corrupt a decode; symbols after completion change
 *     nothing; one block's symbols never complete another;
 *   - extreme ESIs (up to 2^24-1) decode correctly (tuple arithmetic);
 *   - caller limits (transfer, symbol count, memory) stop a decode with
 *     FCP_ERQ_LIMIT, and a stopped decoder is still freed cleanly;
 *   - the FCP object mapping refuses every out-of-range k and T.
 * Every rejection is checked against its documented error code.
 */
#include <stdlib.h>

#include "fcp/chunked.h"
#include "fcp/error.h"
#include "fcp/raptorq.h"
#include "test.h"

static uint32_t rs = 0x2545F491u;
static uint32_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 17;
    rs ^= rs << 5;
    return rs;
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

/* RFC 6330 §3.3.2/§3.3.3 field ranges and §4.3/§4.4.1 partition limits,
 * transcribed independently of src/raptorq: 1 if the OTI bytes are valid. */
static int oti_ok(const uint8_t o[12])
{
    uint64_t F = 0;
    for (int i = 0; i < 5; i++)
        F = F << 8 | o[i];
    unsigned T = (unsigned)o[6] << 8 | o[7], Z = o[8], N = (unsigned)o[9] << 8 | o[10], Al = o[11];
    if (F < 1 || F > 946270874880ULL || o[5] != 0 || T < 1 || Al < 1 || T % Al || Z < 1 || N < 1 ||
        N > T / Al)
        return 0;
    uint64_t Kt = (F + T - 1) / T;
    return Z <= Kt && (Kt + Z - 1) / Z <= 56403;
}

static void test_oti_bytes(void)
{
    unsigned agree = 0, accepted = 0, n = 300000;
    for (unsigned i = 0; i < n; i++) {
        uint8_t b[12], again[12];
        fill(b, sizeof b);
        /* bias towards the boundaries: small fields, zero reserved byte */
        if (i & 1) {
            b[0] = (uint8_t)(rnd() % 3 == 0 ? b[0] : 0);
            b[1] = (uint8_t)(rnd() % 2 ? b[1] : 0);
            b[5] = (uint8_t)(rnd() % 16 ? 0 : b[5]);
            b[9] = (uint8_t)(rnd() % 8 ? 0 : b[9]);
            b[10] = (uint8_t)(b[10] % 9);
            static const uint8_t als[6] = { 1, 2, 4, 8, 3, 0 };
            b[11] = als[rnd() % 6];
            b[8] = (uint8_t)(rnd() % 4 ? b[8] % 4 : b[8]);
        }
        fcp_rq_oti o;
        int rc = fcp_rq_oti_decode(b, &o);
        int want = oti_ok(b);
        if ((rc == 0) == want && (rc == 0 || rc == FCP_ERQ_OTI))
            agree++;
        else if (fcp_t_failed < 20)
            CHECK_EQ(rc, want ? 0 : FCP_ERQ_OTI);
        if (rc == 0) {
            accepted++;
            fcp_rq_layout lay;
            fcp_rq_oti_encode(&o, again);
            if (memcmp(again, b, 12) || fcp_rq_layout_of(&o, &lay) ||
                fcp_rq_block_symbols(&lay, 0) == 0 || fcp_rq_block_symbols(&lay, o.Z - 1) == 0 ||
                fcp_rq_block_symbols(&lay, o.Z) != 0)
                CHECK(!"accepted OTI does not round-trip or lay out");
        }
    }
    CHECK_EQ(agree, n);
    CHECK(accepted > n / 50); /* the biased half really exercises acceptance */
    printf("  OTI property: %u/%u agree, %u accepted\n", agree, n, accepted);

    /* exact boundaries, each with its reason */
    uint8_t b[12];
    /* the largest object: 255 blocks of 56403 symbols of 65535 bytes */
    fcp_rq_oti o = { 56403ULL * 255 * 65535, 65535, 255, 1, 1 }, d;
    fcp_rq_oti_encode(&o, b);
    CHECK_EQ(oti_ok(b), 1);
    CHECK_ERR(fcp_rq_oti_decode(b, &d), 0);
    o.F++;                                                       /* a block > 56403 */
    fcp_rq_oti_encode(&o, b);
    CHECK_ERR(fcp_rq_oti_decode(b, &d), FCP_ERQ_OTI);
    o.F = FCP_RQ_MAX_TRANSFER + 1;                               /* F out of range */
    fcp_rq_oti_encode(&o, b);
    CHECK_ERR(fcp_rq_oti_decode(b, &d), FCP_ERQ_OTI);
    o = (fcp_rq_oti){ 1000, 64, 1, 16, 4 };                       /* N == T/Al */
    fcp_rq_oti_encode(&o, b);
    CHECK_ERR(fcp_rq_oti_decode(b, &d), 0);
    o.N = 17;
    fcp_rq_oti_encode(&o, b);
    CHECK_ERR(fcp_rq_oti_decode(b, &d), FCP_ERQ_OTI);
    o = (fcp_rq_oti){ 640, 64, 10, 1, 4 };                        /* Z == Kt */
    fcp_rq_oti_encode(&o, b);
    CHECK_ERR(fcp_rq_oti_decode(b, &d), 0);
    o.F = 576;                                                   /* Kt = 9 < Z */
    fcp_rq_oti_encode(&o, b);
    CHECK_ERR(fcp_rq_oti_decode(b, &d), FCP_ERQ_OTI);
    o = (fcp_rq_oti){ 1000, 64, 1, 1, 4 };
    fcp_rq_oti_encode(&o, b);
    b[5] = 1;                                                    /* reserved */
    CHECK_ERR(fcp_rq_oti_decode(b, &d), FCP_ERQ_OTI);
}

static void test_payload_id(void)
{
    uint8_t b[4];
    for (unsigned sbn = 0; sbn < 256; sbn++) {
        uint32_t esi = rnd() & FCP_RQ_MAX_ESI;
        uint8_t s2;
        uint32_t e2;
        fcp_rq_payload_id_encode((uint8_t)sbn, esi, b);
        fcp_rq_payload_id_decode(b, &s2, &e2);
        if (s2 != sbn || e2 != esi || b[0] != sbn || b[3] != (esi & 0xff))
            CHECK(!"payload id does not round-trip");
    }
    fcp_rq_payload_id_encode(7, 0x123456, b);
    CHECK(b[0] == 7 && b[1] == 0x12 && b[2] == 0x34 && b[3] == 0x56);
}

/* An object, its encoder and a decoder under oti. */
typedef struct fixture {
    fcp_rq_oti oti;
    uint8_t *data;
    fcp_rq_object_encoder *enc;
    fcp_rq_decoder *dec;
    uint8_t *sym;
} fixture;

static int fx_init(fixture *f, fcp_rq_oti oti, const fcp_rq_limits *lim)
{
    memset(f, 0, sizeof *f);
    f->oti = oti;
    f->data = malloc((size_t)oti.F);
    f->sym = malloc(oti.T);
    if (!CHECK(f->data && f->sym))
        return -1;
    fill(f->data, (size_t)oti.F);
    if (!CHECK_ERR(fcp_rq_object_encoder_new(&f->enc, &oti, f->data, NULL), 0) ||
        !CHECK_ERR(fcp_rq_decoder_new(&f->dec, &oti, lim), 0))
        return -1;
    return 0;
}

static void fx_free(fixture *f)
{
    fcp_rq_decoder_free(f->dec);
    fcp_rq_object_encoder_free(f->enc);
    free(f->data);
    free(f->sym);
}

static int fx_add(fixture *f, uint32_t sbn, uint32_t esi)
{
    if (fcp_rq_object_encoder_symbol(f->enc, sbn, esi, f->sym))
        return FCP_EINTERNAL;
    return fcp_rq_decoder_add(f->dec, sbn, esi, f->sym, f->oti.T);
}

static void check_result(fixture *f)
{
    const uint8_t *res;
    size_t len;
    if (CHECK_ERR(fcp_rq_decoder_result(f->dec, &res, &len), 0) && CHECK_EQ(len, f->oti.F))
        CHECK_MEM(res, f->data, len);
}

static void test_errors_keep_state(void)
{
    fixture f;
    fcp_rq_oti oti = { 5000, 40, 3, 2, 4 };   /* three blocks, two sub-blocks */
    if (fx_init(&f, oti, NULL) == 0) {
        uint8_t junk[64];
        fill(junk, sizeof junk);
        int rc = FCP_ERQ_NEED_MORE;
        uint32_t esi = 0;
        /* blocks 2 then 0 then 1, repair-first, with bad records in between */
        static const uint32_t order[3] = { 2, 0, 1 };
        for (int b = 0; b < 3; b++) {
            uint32_t sbn = order[b], K = fcp_rq_object_encoder_block_K(f.enc, sbn);
            for (esi = 0; esi < K && rc != 0; esi++) {
                rc = fx_add(&f, sbn, K + 5 + esi);             /* repair symbol */
                CHECK(rc == 0 || rc == FCP_ERQ_NEED_MORE);
                CHECK_ERR(fcp_rq_decoder_add(f.dec, 3, esi, junk, 40), FCP_ERQ_ESI);
                CHECK_ERR(fcp_rq_decoder_add(f.dec, sbn, esi, junk, 39), FCP_ERQ_SYMBOL_SIZE);
                CHECK_ERR(fcp_rq_decoder_add(f.dec, sbn, esi, junk, 41), FCP_ERQ_SYMBOL_SIZE);
                CHECK_ERR(fcp_rq_decoder_add(f.dec, sbn, esi, NULL, 0), FCP_ERQ_SYMBOL_SIZE);
                CHECK_ERR(fcp_rq_decoder_add(f.dec, sbn, FCP_RQ_MAX_ESI + 1, junk, 40), FCP_ERQ_ESI);
            }
            for (esi = 0; esi < K && !fcp_rq_decoder_block_done(f.dec, sbn); esi++)
                rc = fx_add(&f, sbn, esi);
            CHECK_EQ(fcp_rq_decoder_block_done(f.dec, sbn), 1);
            if (b < 2) {
                CHECK_ERR(rc, FCP_ERQ_NEED_MORE);
                CHECK_ERR(fcp_rq_decoder_result(f.dec, &(const uint8_t *){ NULL }, &(size_t){ 0 }),
                          FCP_ERQ_NEED_MORE);
            }
        }
        CHECK_ERR(rc, 0);
        check_result(&f);
        /* after completion: a garbage copy of a known ESI, new ESIs, junk */
        CHECK_ERR(fcp_rq_decoder_add(f.dec, 0, 0, junk, 40), 0);
        CHECK_ERR(fcp_rq_decoder_add(f.dec, 1, 999999, junk, 40), 0);
        for (int i = 0; i < 1000; i++)
            fcp_rq_decoder_add(f.dec, (uint32_t)i % 3, (uint32_t)rnd() & FCP_RQ_MAX_ESI, junk, 40);
        check_result(&f);
    }
    fx_free(&f);

    /* one block's symbols never complete another */
    fcp_rq_oti two = { 4000, 40, 2, 1, 4 };
    if (fx_init(&f, two, NULL) == 0) {
        for (uint32_t esi = 0; esi < 300; esi++)
            CHECK_ERR(fx_add(&f, 1, esi), FCP_ERQ_NEED_MORE);
        CHECK_EQ(fcp_rq_decoder_block_done(f.dec, 0), 0);
        CHECK_EQ(fcp_rq_decoder_block_done(f.dec, 1), 1);
        CHECK_EQ(fcp_rq_decoder_block_done(f.dec, 2), 0);   /* out of range: not done */
        int rc = FCP_ERQ_NEED_MORE;
        for (uint32_t esi = 0; esi < 50 && rc; esi++)
            rc = fx_add(&f, 0, esi);
        CHECK_ERR(rc, 0);
        check_result(&f);
    }
    fx_free(&f);
}

/* Repair symbols at the top of the 24-bit ESI space, and only those. */
static void test_extreme_esis(void)
{
    static const uint32_t bases[4] = { FCP_RQ_MAX_ESI, 1u << 16, 1u << 20, 4294967u };
    for (int t = 0; t < 4; t++) {
        fixture f;
        fcp_rq_oti oti = { 3000, 64, 1, 1, 4 }; /* K = 47, K' = 48 */
        if (fx_init(&f, oti, NULL) == 0) {
            int rc = FCP_ERQ_NEED_MORE;
            for (uint32_t i = 0; i < 60 && rc == FCP_ERQ_NEED_MORE; i++)
                rc = fx_add(&f, 0, bases[t] - i);
            if (CHECK_ERR(rc, 0))
                check_result(&f);
        }
        fx_free(&f);
    }
}

static void test_limits(void)
{
    fixture f;
    fcp_rq_oti oti = { 6400, 64, 1, 1, 4 }; /* K = 100 */
    const uint8_t *res;
    size_t len;
    fcp_rq_decoder *d = NULL;

    /* transfer limit: F and the padded block both count */
    fcp_rq_limits lim = { 6399, 0, 0 };
    CHECK_ERR(fcp_rq_decoder_new(&d, &oti, &lim), FCP_ERQ_LIMIT);
    CHECK(d == NULL);
    lim.max_transfer = 6400;
    CHECK_ERR(fcp_rq_decoder_new(&d, &oti, &lim), 0);
    fcp_rq_decoder_free(d);
    d = NULL;

    /* symbol-count limit below K: the decode stops with FCP_ERQ_LIMIT */
    fcp_rq_limits few = { 0, 50, 0 };
    if (fx_init(&f, oti, &few) == 0) {
        int rc = FCP_ERQ_NEED_MORE, limited = 0;
        for (uint32_t esi = 0; esi < 200; esi++) {
            rc = fx_add(&f, 0, 100 + esi);
            if (rc == FCP_ERQ_LIMIT)
                limited++;
            else if (!CHECK_ERR(rc, FCP_ERQ_NEED_MORE))
                break;
        }
        CHECK(limited > 0);
        CHECK_ERR(fcp_rq_decoder_result(f.dec, &res, &len), FCP_ERQ_NEED_MORE);
    }
    fx_free(&f);

    /* memory limit: refused up front */
    fcp_rq_limits mem = { 0, 0, 1000 };
    CHECK_ERR(fcp_rq_decoder_new(&d, &oti, &mem), FCP_ERQ_LIMIT);
    CHECK(d == NULL);
    /* a huge but valid OTI under default limits: refused before allocation */
    fcp_rq_oti big = { 900000000000ULL, 65535, 255, 1, 1 };
    CHECK_ERR(fcp_rq_oti_validate(&big), 0);
    CHECK_ERR(fcp_rq_decoder_new(&d, &big, NULL), FCP_ERQ_LIMIT);
    CHECK(d == NULL);

    /* a duplicate flood is absorbed without growth or completion */
    if (fx_init(&f, oti, &few) == 0) {
        for (int i = 0; i < 20000; i++)
            CHECK_ERR(fx_add(&f, 0, (uint32_t)(i % 7)), FCP_ERQ_NEED_MORE);
        /* duplicates never hit the 50-symbol limit (asserted above); the rest
         * of the block either decodes or stops at the limit, never worse */
        int rc = FCP_ERQ_NEED_MORE;
        for (uint32_t esi = 7; esi < 100 && rc == FCP_ERQ_NEED_MORE; esi++)
            rc = fx_add(&f, 0, esi);
        CHECK(rc == 0 || rc == FCP_ERQ_LIMIT);
        if (rc == 0)
            check_result(&f);
    }
    fx_free(&f);
}

/* Corrupted symbols decode to wrong bytes without any error (RaptorQ has no
 * integrity): the caller's ObjectId / payload hash check is what catches it. */
static void test_corruption_is_silent(void)
{
    fixture f;
    fcp_rq_oti oti = { 2000, 40, 1, 1, 4 };
    if (fx_init(&f, oti, NULL) == 0) {
        int rc = FCP_ERQ_NEED_MORE;
        for (uint32_t esi = 50; esi < 150 && rc == FCP_ERQ_NEED_MORE; esi++) {
            fcp_rq_object_encoder_symbol(f.enc, 0, esi, f.sym);
            if (esi == 53)
                f.sym[0] ^= 0x01;
            rc = fcp_rq_decoder_add(f.dec, 0, esi, f.sym, 40);
        }
        const uint8_t *res;
        size_t len;
        if (CHECK_ERR(rc, 0) && CHECK_ERR(fcp_rq_decoder_result(f.dec, &res, &len), 0))
            CHECK(len == oti.F && memcmp(res, f.data, len) != 0);
    }
    fx_free(&f);
}

static void test_fcp_mapping_hostile(void)
{
    fcp_rq_oti oti;
    /* k arrives as a u16 on the wire: 0 and 56404..65535 are refused */
    CHECK_ERR(fcp_rq_fcp_oti(0, 1024, 0, &oti), FCP_ERQ_OTI);
    for (uint32_t k = 56404; k <= 65535; k += 1093)
        CHECK_ERR(fcp_rq_fcp_oti(k, 16, 0, &oti), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_fcp_oti(65535, 1, 0, &oti), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_fcp_oti(56403, 1, 0, &oti), 0);
    CHECK_ERR(fcp_rq_fcp_oti(56403, 1189, 0, &oti), 0);          /* just under 64 MiB */
    CHECK_ERR(fcp_rq_fcp_oti(56403, 1190, 0, &oti), FCP_ERQ_LIMIT);
    CHECK_ERR(fcp_rq_fcp_oti(2, 0, 0, &oti), FCP_ERQ_OTI);
    /* the decoder accepts every OTI the mapping produces, at both ends */
    fcp_rq_decoder *d = NULL;
    fcp_rq_limits lim = { (uint64_t)64 << 20, 0, (uint64_t)1 << 30 };
    CHECK_ERR(fcp_rq_fcp_oti(1, 1, 0, &oti), 0);
    CHECK_ERR(fcp_rq_decoder_new(&d, &oti, &lim), 0);
    fcp_rq_decoder_free(d);
}

/* A caller that allows exactly F bytes must be able to encode and decode an
 * object whose F is not a multiple of T: each block is judged by its own
 * padded size, not by the object's limit (regression). */
static void test_limit_exactly_F(void)
{
    enum { F = 10000, T = 64 };
    static uint8_t data[F];
    for (int i = 0; i < F; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    fcp_rq_oti oti = { .F = F, .T = T, .Z = 1, .N = 1, .Al = 1 };
    fcp_rq_limits lim = { .max_transfer = F };
    fcp_rq_object_encoder *enc = NULL;
    CHECK_ERR(fcp_rq_object_encoder_new(&enc, &oti, data, &lim), 0);
    fcp_rq_decoder *dec = NULL;
    CHECK_ERR(fcp_rq_decoder_new(&dec, &oti, &lim), 0);
    if (!enc || !dec) {
        fcp_rq_object_encoder_free(enc);
        fcp_rq_decoder_free(dec);
        return;
    }
    uint8_t sym[T];
    int rc = FCP_ERQ_NEED_MORE;
    /* source symbols 0..K-1 except the first two, then repair symbols */
    uint32_t K = (F + T - 1) / T;
    for (uint32_t esi = 2; esi < K + 10 && rc == FCP_ERQ_NEED_MORE; esi++) {
        CHECK_ERR(fcp_rq_object_encoder_symbol(enc, 0, esi, sym), 0);
        rc = fcp_rq_decoder_add(dec, 0, esi, sym, T);
    }
    CHECK_ERR(rc, 0);
    const uint8_t *out = NULL;
    size_t outlen = 0;
    CHECK_ERR(fcp_rq_decoder_result(dec, &out, &outlen), 0);
    CHECK_EQ(outlen, F);
    CHECK(out && memcmp(out, data, F) == 0);
    fcp_rq_object_encoder_free(enc);
    fcp_rq_decoder_free(dec);
}

int main(void)
{
    test_oti_bytes();
    test_payload_id();
    test_errors_keep_state();
    test_extreme_esis();
    test_limits();
    test_corruption_is_silent();
    test_fcp_mapping_hostile();
    test_limit_exactly_F();
    return fcp_t_done("raptorq_safety");
}
