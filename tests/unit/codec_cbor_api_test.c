/*
 * codec_cbor_api_test.c - deterministic CBOR encoder, sorting map builder,
 * strict cursor decoder and limits: one test per rule (each expecting its
 * exact error code), and a seeded random round-trip property test.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/buf.h"
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/rng.h"

static const fcp_cbor_limits allow_all = {
    FCP_CBOR_DEFAULT_DEPTH, FCP_CBOR_DEFAULT_ITEMS, FCP_CBOR_DEFAULT_INPUT, FCP_CBOR_ALLOW_ALL
};

static int bytes_hex(const fcp_buf *b, const char *spaced)
{
    char hex[512];
    size_t k = 0;
    for (const char *s = spaced; *s && k + 1 < sizeof hex; s++)
        if (*s != ' ')
            hex[k++] = *s;
    hex[k] = 0;
    size_t n;
    uint8_t *want = fcp_t_unhex(hex, &n);
    int ok = want && n == b->len && (n == 0 || memcmp(want, b->data, n) == 0);
    if (!ok) {
        fprintf(stderr, "  want %s\n  got  ", hex);
        for (size_t i = 0; i < b->len; i++)
            fprintf(stderr, "%02x", b->data[i]);
        fprintf(stderr, "\n");
    }
    free(want);
    return ok;
}

/* ---- encoder ---- */

struct ctx {
    fcp_buf out;
    fcp_cbor_enc enc;
};

static void begin(struct ctx *c)
{
    fcp_buf_init(&c->out);
    fcp_cbor_enc_init(&c->enc, &c->out);
}

static void end_expect(struct ctx *c, const char *hex)
{
    CHECK_EQ(fcp_cbor_enc_finish(&c->enc), 0);
    CHECK(bytes_hex(&c->out, hex));
    fcp_cbor_enc_free(&c->enc);
    fcp_buf_free(&c->out);
}

static void end_err(struct ctx *c, int err)
{
    CHECK_EQ(fcp_cbor_enc_finish(&c->enc), err);
    fcp_cbor_enc_free(&c->enc);
    fcp_buf_free(&c->out);
}

static void test_ints(void)
{
    static const struct { int64_t v; const char *hex; } t[] = {
        { 0, "00" }, { 23, "17" }, { 24, "1818" }, { 255, "18ff" }, { 256, "190100" },
        { 65535, "19ffff" }, { 65536, "1a00010000" }, { 4294967295, "1affffffff" },
        { 4294967296, "1b0000000100000000" }, { INT64_MAX, "1b7fffffffffffffff" },
        { -1, "20" }, { -24, "37" }, { -25, "3818" }, { -256, "38ff" }, { -257, "390100" },
        { INT64_MIN, "3b7fffffffffffffff" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct ctx c;
        begin(&c);
        fcp_cbor_put_int(&c.enc, t[i].v);
        end_expect(&c, t[i].hex);
        /* and back through the cursor */
        size_t n;
        uint8_t *b = fcp_t_unhex(t[i].hex, &n);
        fcp_cbor_dec d;
        int64_t v = 0;
        fcp_cbor_dec_init(&d, b, n, NULL);
        CHECK_EQ(fcp_cbor_get_int(&d, &v), 0);
        CHECK_EQ(v, t[i].v);
        CHECK_EQ(fcp_cbor_dec_finish(&d), 0);
        free(b);
    }
    struct ctx c;
    begin(&c);
    fcp_cbor_put_uint(&c.enc, UINT64_MAX);
    fcp_cbor_put_negint_raw(&c.enc, UINT64_MAX);
    end_expect(&c, "1bffffffffffffffff3bffffffffffffffff");

    /* int64 range on decode */
    fcp_cbor_dec d;
    int64_t v;
    uint64_t u;
    int neg;
    static const uint8_t big[] = { 0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0 };
    fcp_cbor_dec_init(&d, big, sizeof big, NULL);
    CHECK_ERR(fcp_cbor_get_int(&d, &v), FCP_ECBOR_INT_RANGE);
    CHECK_ERR(fcp_cbor_get_uint(&d, &u), 0);       /* range error consumed nothing */
    CHECK(u == 0x8000000000000000ull);
    static const uint8_t nbig[] = { 0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0 };
    fcp_cbor_dec_init(&d, nbig, sizeof nbig, NULL);
    CHECK_ERR(fcp_cbor_get_int(&d, &v), FCP_ECBOR_INT_RANGE);
    CHECK_ERR(fcp_cbor_get_uint(&d, &u), FCP_ECBOR_TYPE);
    CHECK_ERR(fcp_cbor_get_int_raw(&d, &neg, &u), 0);
    CHECK(neg == 1 && u == 0x8000000000000000ull);
    CHECK_EQ(fcp_cbor_dec_finish(&d), 0);
}

static void test_scalars(void)
{
    struct ctx c;
    begin(&c);
    fcp_cbor_put_bytes(&c.enc, "\x01\x02\x03\x04", 4);
    fcp_cbor_put_cstr(&c.enc, "IETF");
    fcp_cbor_put_text(&c.enc, "\xc3\xbc", 2);
    fcp_cbor_put_bool(&c.enc, 0);
    fcp_cbor_put_bool(&c.enc, 7);
    fcp_cbor_put_null(&c.enc);
    fcp_cbor_put_simple(&c.enc, 16);
    fcp_cbor_put_simple(&c.enc, 255);
    fcp_cbor_put_tag(&c.enc, 1);
    fcp_cbor_put_uint(&c.enc, 1363896240);
    fcp_cbor_put_tag(&c.enc, 24);
    fcp_cbor_put_bytes(&c.enc, "", 0);
    fcp_cbor_put_array(&c.enc, 0);
    fcp_cbor_put_map(&c.enc, 0);
    fcp_cbor_put_raw(&c.enc, "\x83\x01\x02\x03", 4);
    fcp_cbor_put_head(&c.enc, FCP_CBOR_BYTES, 2);
    fcp_buf_append(&c.out, "ab", 2);
    end_expect(&c, "44010203046449455446 62c3bc f4 f5 f6 f0 f8ff c11a514b67b0 d81840 80 a0 83010203 426162");

    /* refusals */
    begin(&c);
    CHECK_ERR(fcp_cbor_put_text(&c.enc, "\xc3\x28", 2), FCP_ECBOR_UTF8);
    CHECK_ERR(fcp_cbor_put_uint(&c.enc, 1), FCP_ECBOR_UTF8);   /* sticky */
    CHECK_EQ(c.out.len, 0);
    end_err(&c, FCP_ECBOR_UTF8);
    begin(&c);
    CHECK_ERR(fcp_cbor_put_simple(&c.enc, 24), FCP_EINVAL);
    end_err(&c, FCP_EINVAL);
    begin(&c);
    CHECK_ERR(fcp_cbor_put_float(&c.enc, NAN), FCP_ECBOR_NAN);
    end_err(&c, FCP_ECBOR_NAN);
    begin(&c);
    CHECK_ERR(fcp_cbor_put_head(&c.enc, 8, 0), FCP_EINVAL);
    end_err(&c, FCP_EINVAL);

    /* a fixed buffer that is too small */
    uint8_t mem[4];
    fcp_buf fb;
    fcp_cbor_enc e;
    fcp_buf_init_fixed(&fb, mem, sizeof mem);
    fcp_cbor_enc_init(&e, &fb);
    CHECK_EQ(fcp_cbor_put_uint(&e, 1), 0);
    CHECK(fcp_cbor_put_bytes(&e, "abcdef", 6) == FCP_EBUFFER_TOO_SMALL);
    CHECK_EQ(fcp_cbor_enc_finish(&e), FCP_EBUFFER_TOO_SMALL);
    fcp_cbor_enc_free(&e);
}

static void test_floats(void)
{
    static const struct { double v; const char *hex; } t[] = {
        { 0.0, "f90000" }, { -0.0, "f90000" }, { 1.0, "f93c00" }, { 1.5, "f93e00" },
        { 65504.0, "f97bff" }, { 65505.0, "fa477fe100" }, { 100000.0, "fa47c35000" },
        { 3.4028234663852886e+38, "fa7f7fffff" }, { 1.0e+300, "fb7e37e43c8800759c" },
        { 5.960464477539063e-8, "f90001" }, { 0.00006103515625, "f90400" }, { -4.0, "f9c400" },
        { -4.1, "fbc010666666666666" }, { INFINITY, "f97c00" }, { -INFINITY, "f9fc00" },
        { 1.1, "fb3ff199999999999a" }, { 2.9802322387695312e-8, "fa33000000" },
        { 1.401298464324817e-45, "fa00000001" }, { 7.006492321624085e-46, "fb3690000000000000" },
        { 6.097555160522461e-05, "f903ff" }, { 1000000.5, "fa49742408" },
        { 1e39, "fb48078287f49c4a1d" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct ctx c;
        begin(&c);
        fcp_cbor_put_float(&c.enc, t[i].v);
        if (!CHECK(fcp_cbor_enc_finish(&c.enc) == 0 && bytes_hex(&c.out, t[i].hex)))
            fprintf(stderr, "  float %.17g\n", t[i].v);
        /* decodes back to the same value under ALLOW_FLOAT, refused by default */
        fcp_cbor_dec d;
        double v = 0;
        fcp_cbor_dec_init(&d, c.out.data, c.out.len, &allow_all);
        CHECK_EQ(fcp_cbor_get_float(&d, &v), 0);
        CHECK(v == t[i].v);
        CHECK_EQ(fcp_cbor_dec_finish(&d), 0);
        fcp_cbor_dec_init(&d, c.out.data, c.out.len, NULL);
        CHECK_ERR(fcp_cbor_get_float(&d, &v), FCP_ECBOR_FLOAT);
        fcp_cbor_enc_free(&c.enc);
        fcp_buf_free(&c.out);
    }
}

/* ---- sorting map builder ---- */

static void test_map_builder(void)
{
    struct ctx c;
    /* bytewise order: 24 (1818) before -1 (20); ints before text */
    begin(&c);
    fcp_cbor_map_open(&c.enc);
    fcp_cbor_put_cstr(&c.enc, "a");
    fcp_cbor_put_uint(&c.enc, 3);
    fcp_cbor_put_int(&c.enc, -1);
    fcp_cbor_put_uint(&c.enc, 2);
    fcp_cbor_put_uint(&c.enc, 24);
    fcp_cbor_put_uint(&c.enc, 1);
    CHECK_EQ(fcp_cbor_map_close(&c.enc), 0);
    end_expect(&c, "a3 1818 01 20 02 6161 03");

    /* an empty map on a fresh encoder (no entry table allocated yet) */
    begin(&c);
    fcp_cbor_map_open(&c.enc);
    CHECK_EQ(fcp_cbor_map_close(&c.enc), 0);
    end_expect(&c, "a0");

    /* nested: the inner map is sorted on its own, the outer by its keys */
    begin(&c);
    fcp_cbor_map_open(&c.enc);
    fcp_cbor_put_cstr(&c.enc, "zz");
    fcp_cbor_map_open(&c.enc);
    fcp_cbor_put_cstr(&c.enc, "bb");
    fcp_cbor_put_array(&c.enc, 2);
    fcp_cbor_put_uint(&c.enc, 1);
    fcp_cbor_map_open(&c.enc);
    fcp_cbor_map_close(&c.enc);
    fcp_cbor_put_cstr(&c.enc, "a");
    fcp_cbor_put_null(&c.enc);
    fcp_cbor_map_close(&c.enc);
    fcp_cbor_put_cstr(&c.enc, "y");
    fcp_cbor_put_bool(&c.enc, 1);
    CHECK_EQ(fcp_cbor_map_close(&c.enc), 0);
    end_expect(&c, "a2 6179 f5 627a7a a2 6161 f6 626262 82 01 a0");

    /* duplicates, odd counts, unbalanced close/finish */
    begin(&c);
    fcp_cbor_map_open(&c.enc);
    fcp_cbor_put_cstr(&c.enc, "b");
    fcp_cbor_put_uint(&c.enc, 1);
    fcp_cbor_put_cstr(&c.enc, "a");
    fcp_cbor_put_uint(&c.enc, 1);
    fcp_cbor_put_cstr(&c.enc, "b");
    fcp_cbor_put_uint(&c.enc, 2);
    CHECK_ERR(fcp_cbor_map_close(&c.enc), FCP_ECBOR_DUPLICATE_KEY);
    end_err(&c, FCP_ECBOR_DUPLICATE_KEY);
    begin(&c);
    fcp_cbor_map_open(&c.enc);
    fcp_cbor_put_cstr(&c.enc, "a");
    fcp_cbor_put_uint(&c.enc, 1);
    fcp_cbor_put_cstr(&c.enc, "a");
    fcp_cbor_put_uint(&c.enc, 2);
    CHECK_ERR(fcp_cbor_map_close(&c.enc), FCP_ECBOR_DUPLICATE_KEY);
    end_err(&c, FCP_ECBOR_DUPLICATE_KEY);
    begin(&c);
    fcp_cbor_map_open(&c.enc);
    fcp_cbor_put_cstr(&c.enc, "a");
    CHECK_ERR(fcp_cbor_map_close(&c.enc), FCP_ECBOR_COUNT);
    end_err(&c, FCP_ECBOR_COUNT);
    begin(&c);
    fcp_cbor_map_open(&c.enc);
    fcp_cbor_put_cstr(&c.enc, "a");
    fcp_cbor_put_array(&c.enc, 2);
    fcp_cbor_put_uint(&c.enc, 1);
    CHECK_ERR(fcp_cbor_map_close(&c.enc), FCP_ECBOR_TRUNCATED);   /* value incomplete */
    end_err(&c, FCP_ECBOR_TRUNCATED);
    begin(&c);
    CHECK_ERR(fcp_cbor_map_close(&c.enc), FCP_ECBOR_COUNT);
    end_err(&c, FCP_ECBOR_COUNT);
    begin(&c);
    fcp_cbor_map_open(&c.enc);
    end_err(&c, FCP_ECBOR_COUNT);

    /* more than 23 entries (two-byte head), reversed and already sorted */
    for (int sorted = 0; sorted < 2; sorted++) {
        begin(&c);
        fcp_cbor_map_open(&c.enc);
        for (int i = 0; i < 300; i++) {
            int k = sorted ? i : 299 - i;
            fcp_cbor_put_uint(&c.enc, (uint64_t)k);
            fcp_cbor_put_bytes(&c.enc, "0123456789abcdef0123456789abcdef", 32);
        }
        CHECK_EQ(fcp_cbor_map_close(&c.enc), 0);
        CHECK_EQ(fcp_cbor_enc_finish(&c.enc), 0);
        CHECK_EQ(c.out.data[0], 0xb9);
        CHECK_EQ(c.out.data[1], 0x01);
        CHECK_EQ(c.out.data[2], 0x2c);
        CHECK_EQ(fcp_cbor_validate(c.out.data, c.out.len, NULL), 0);
        fcp_cbor_enc_free(&c.enc);
        fcp_buf_free(&c.out);
    }
}

/* ---- strict decoder: one rule each, exact code ---- */

static void test_rules(void)
{
    static const struct { const char *hex; unsigned allow; int err; size_t off; } t[] = {
        { "", 0, FCP_ECBOR_TRUNCATED, 0 },
        { "18", 0, FCP_ECBOR_TRUNCATED, 0 },
        { "1b00000000000000", 0, FCP_ECBOR_TRUNCATED, 0 },
        { "8201", 0, FCP_ECBOR_TRUNCATED, 0 },
        { "828101", 0, FCP_ECBOR_TRUNCATED, 3 },
        { "a10102a0", 0, FCP_ECBOR_TRAILING, 3 },
        { "5f4101ff", 0, FCP_ECBOR_INDEFINITE, 0 },
        { "7f6161ff", 0, FCP_ECBOR_INDEFINITE, 0 },
        { "9f01ff", 0, FCP_ECBOR_INDEFINITE, 0 },
        { "bf0102ff", 0, FCP_ECBOR_INDEFINITE, 0 },
        { "81bf0102ff", 0, FCP_ECBOR_INDEFINITE, 1 },
        { "1817", 0, FCP_ECBOR_NON_SHORTEST, 0 },
        { "190018", 0, FCP_ECBOR_NON_SHORTEST, 0 },
        { "1a0000ffff", 0, FCP_ECBOR_NON_SHORTEST, 0 },
        { "1b00000000ffffffff", 0, FCP_ECBOR_NON_SHORTEST, 0 },
        { "3817", 0, FCP_ECBOR_NON_SHORTEST, 0 },
        { "5800", 0, FCP_ECBOR_NON_SHORTEST, 0 },
        { "990001" "00", 0, FCP_ECBOR_NON_SHORTEST, 0 },
        { "b8010102", 0, FCP_ECBOR_NON_SHORTEST, 0 },
        { "d9000100", FCP_CBOR_ALLOW_TAG, FCP_ECBOR_NON_SHORTEST, 0 },
        { "a2020101 02", 0, FCP_ECBOR_UNSORTED_KEYS, 3 },
        { "a201010102", 0, FCP_ECBOR_DUPLICATE_KEY, 3 },
        { "a2 41aa 01 41aa 02", 0, FCP_ECBOR_DUPLICATE_KEY, 4 },
        { "a2 8101 01 8100 02", 0, FCP_ECBOR_UNSORTED_KEYS, 4 },
        { "f93e00", 0, FCP_ECBOR_FLOAT, 0 },
        { "f97e00", FCP_CBOR_ALLOW_FLOAT, FCP_ECBOR_NAN, 0 },
        { "f97c01", FCP_CBOR_ALLOW_FLOAT, FCP_ECBOR_NAN, 0 },
        { "fa7fc00000", FCP_CBOR_ALLOW_FLOAT, FCP_ECBOR_NAN, 0 },
        { "fa3fc00000", FCP_CBOR_ALLOW_FLOAT, FCP_ECBOR_FLOAT_NON_SHORTEST, 0 },
        { "fb3ff8000000000000", FCP_CBOR_ALLOW_FLOAT, FCP_ECBOR_FLOAT_NON_SHORTEST, 0 },
        { "f98000", FCP_CBOR_ALLOW_FLOAT, FCP_ECBOR_NEG_ZERO, 0 },
        { "fb8000000000000000", FCP_CBOR_ALLOW_FLOAT, FCP_ECBOR_NEG_ZERO, 0 },
        { "c000", 0, FCP_ECBOR_TAG, 0 },
        { "f7", 0, FCP_ECBOR_SIMPLE, 0 },
        { "e0", 0, FCP_ECBOR_SIMPLE, 0 },
        { "f820", 0, FCP_ECBOR_SIMPLE, 0 },
        { "f818", FCP_CBOR_ALLOW_SIMPLE, FCP_ECBOR_MALFORMED, 0 },
        { "61ff", 0, FCP_ECBOR_UTF8, 0 },
        { "62c0af", 0, FCP_ECBOR_UTF8, 0 },
        { "63e08080", 0, FCP_ECBOR_UTF8, 0 },
        { "64f4908080", 0, FCP_ECBOR_UTF8, 0 },
        { "6180", 0, FCP_ECBOR_UTF8, 0 },
        { "a1 62c328 00", 0, FCP_ECBOR_UTF8, 1 },
        { "1c", 0, FCP_ECBOR_RESERVED, 0 },
        { "5d", 0, FCP_ECBOR_RESERVED, 0 },
        { "fe", 0, FCP_ECBOR_RESERVED, 0 },
        { "ff", 0, FCP_ECBOR_BREAK, 0 },
        { "8101ff", 0, FCP_ECBOR_TRAILING, 2 },
        { "8301ff00", 0, FCP_ECBOR_BREAK, 2 },
        { "1f", 0, FCP_ECBOR_MALFORMED, 0 },
        { "3f", 0, FCP_ECBOR_MALFORMED, 0 },
        { "df", FCP_CBOR_ALLOW_TAG, FCP_ECBOR_MALFORMED, 0 },
        { "9b0fffffffffffffff", 0, FCP_ECBOR_TOO_LARGE, 0 },
        { "bb0fffffffffffffff", 0, FCP_ECBOR_TOO_LARGE, 0 },
        { "83 0102", 0, FCP_ECBOR_TRUNCATED, 0 },
        { "a2 0102 03", 0, FCP_ECBOR_TRUNCATED, 0 },
        { "5bffffffffffffffff", 0, FCP_ECBOR_TRUNCATED, 0 },
        { "7a00010000 61", 0, FCP_ECBOR_TRUNCATED, 0 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char hex[128];
        size_t k = 0;
        for (const char *s = t[i].hex; *s; s++)
            if (*s != ' ')
                hex[k++] = *s;
        hex[k] = 0;
        size_t n;
        uint8_t *b = fcp_t_unhex(hex, &n);
        CHECK(b != NULL);
        fcp_cbor_limits lim = fcp_cbor_limits_default;
        lim.allow = t[i].allow;
        size_t off = 999;
        int rc = fcp_cbor_validate_ex(b, n, &lim, &off);
        if (!CHECK_EQ(rc, t[i].err) || !CHECK_EQ(off, t[i].off))
            fprintf(stderr, "  rule vector %s (%s)\n", hex, fcp_cbor_rule_name(t[i].err));
        /* the cursor decoder gives the same verdict */
        fcp_cbor_dec d;
        const uint8_t *rp;
        size_t rn;
        fcp_cbor_dec_init(&d, b, n, &lim);
        rc = fcp_cbor_get_raw(&d, &rp, &rn);
        if (rc == 0)
            rc = fcp_cbor_dec_finish(&d);
        if (!CHECK_EQ(rc, t[i].err))
            fprintf(stderr, "  cursor rule vector %s\n", hex);
        free(b);
    }
    CHECK(!strcmp(fcp_cbor_rule_name(FCP_ECBOR_UNSORTED_KEYS), "unsorted map keys"));
    CHECK(!strcmp(fcp_cbor_rule_name(FCP_ENOMEM), "malformed"));
}

static void test_limits(void)
{
    /* depth: 32 nested arrays fine, 33 refused, also through the cursor */
    uint8_t deep[40];
    memset(deep, 0x81, sizeof deep);
    deep[32] = 0;
    CHECK_EQ(fcp_cbor_validate(deep, 33, NULL), 0);
    memset(deep, 0x81, sizeof deep);
    deep[33] = 0;
    CHECK_EQ(fcp_cbor_validate(deep, 34, NULL), FCP_ECBOR_DEPTH);
    fcp_cbor_dec d;
    uint64_t n;
    int rc = 0, opened = 0;
    fcp_cbor_dec_init(&d, deep, 34, NULL);
    while ((rc = fcp_cbor_get_array(&d, &n)) == 0)
        opened++;
    CHECK_EQ(rc, FCP_ECBOR_DEPTH);
    CHECK_EQ(opened, 32);
    /* a smaller depth limit, and a limit above the cap is clamped */
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    lim.max_depth = 2;
    CHECK_EQ(fcp_cbor_validate("\x81\x81\x00", 3, &lim), 0);
    CHECK_EQ(fcp_cbor_validate("\x81\x81\x81\x00", 4, &lim), FCP_ECBOR_DEPTH);
    lim.max_depth = 1000;
    uint8_t deeper[80];
    memset(deeper, 0x81, sizeof deeper);
    deeper[79] = 0;
    CHECK_EQ(fcp_cbor_validate(deeper, sizeof deeper, &lim), FCP_ECBOR_DEPTH);
    /* tags count towards depth */
    lim = fcp_cbor_limits_default;
    lim.allow = FCP_CBOR_ALLOW_TAG;
    lim.max_depth = 2;
    CHECK_EQ(fcp_cbor_validate("\xc1\xc1\x00", 3, &lim), 0);
    CHECK_EQ(fcp_cbor_validate("\xc1\xc1\xc1\x00", 4, &lim), FCP_ECBOR_DEPTH);
    /* max_input */
    lim = fcp_cbor_limits_default;
    lim.max_input = 3;
    CHECK_EQ(fcp_cbor_validate("\x43\x01\x02\x03", 4, &lim), FCP_ECBOR_TOO_LARGE);
    fcp_cbor_dec_init(&d, "\x43\x01\x02\x03", 4, &lim);
    CHECK_EQ(fcp_cbor_peek(&d, (unsigned *)&rc), FCP_ECBOR_TOO_LARGE);
    /* max_items, arrays and maps (pairs) */
    lim = fcp_cbor_limits_default;
    lim.max_items = 2;
    CHECK_EQ(fcp_cbor_validate("\x82\x01\x02", 3, &lim), 0);
    CHECK_EQ(fcp_cbor_validate("\x83\x01\x02\x03", 4, &lim), FCP_ECBOR_TOO_LARGE);
    CHECK_EQ(fcp_cbor_validate("\xa2\x01\x02\x03\x04", 5, &lim), 0);
    CHECK_EQ(fcp_cbor_validate("\xa3\x01\x02\x03\x04\x05\x06", 7, &lim), FCP_ECBOR_TOO_LARGE);
    /* a 2^60-item claim fails at once through the cursor too, with or without the item limit */
    static const uint8_t huge[] = { 0x9b, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x00 };
    fcp_cbor_dec_init(&d, huge, sizeof huge, NULL);
    CHECK_ERR(fcp_cbor_get_array(&d, &n), FCP_ECBOR_TOO_LARGE);
    lim = fcp_cbor_limits_default;
    lim.max_items = UINT64_MAX;
    fcp_cbor_dec_init(&d, huge, sizeof huge, &lim);
    CHECK_ERR(fcp_cbor_get_array(&d, &n), FCP_ECBOR_TRUNCATED);
    static const uint8_t hugemap[] = { 0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0 };
    fcp_cbor_dec_init(&d, hugemap, sizeof hugemap, &lim);
    CHECK_ERR(fcp_cbor_get_map(&d, &n), FCP_ECBOR_TRUNCATED);
    CHECK_EQ(fcp_cbor_validate(hugemap, sizeof hugemap, &lim), FCP_ECBOR_TRUNCATED);
    /* the lenient tree parser bounds nesting too, and never allocates from a claim */
    fcp_cbor_tree t;
    CHECK_EQ(fcp_cbor_tree_parse(&t, deeper, sizeof deeper), FCP_ECBOR_DEPTH);
    fcp_cbor_tree_free(&t);
    CHECK_EQ(fcp_cbor_tree_parse(&t, huge, sizeof huge), FCP_ECBOR_TRUNCATED);
    fcp_cbor_tree_free(&t);
}

/* ---- cursor decoder ---- */

static void test_cursor(void)
{
    /* a text-keyed struct {"active": true, "id": 12345, "name": "test"} in
     * canonical order id, name, active */
    size_t n;
    uint8_t *b = fcp_t_unhex("a3626964193039646e616d65647465737466616374697665f5", &n);
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    uint64_t id = 0;
    const char *s;
    size_t sl;
    int active = 0;
    fcp_cbor_dec_init(&d, b, n, NULL);
    CHECK_EQ(fcp_cbor_map_begin(&d, &it), 0);
    CHECK_EQ(it.remaining, 3);
    CHECK_EQ(fcp_cbor_opt_key(&d, &it, "a"), 0);            /* absent: sorts before "id" */
    CHECK_EQ(fcp_cbor_expect_key(&d, &it, "id"), 0);
    CHECK_EQ(fcp_cbor_get_uint(&d, &id), 0);
    CHECK_EQ(id, 12345);
    CHECK_EQ(fcp_cbor_expect_key(&d, &it, "lost"), FCP_EMISSING_FIELD);
    CHECK_EQ(fcp_cbor_opt_key(&d, &it, "name"), 1);
    CHECK_EQ(fcp_cbor_get_text(&d, &s, &sl), 0);
    CHECK(fcp_cbor_key_is(s, sl, "test"));
    CHECK_EQ(fcp_cbor_expect_key(&d, &it, "zzzzzz"), FCP_EUNKNOWN_FIELD);
    CHECK_EQ(fcp_cbor_expect_key(&d, &it, "active"), 0);
    CHECK_EQ(fcp_cbor_get_uint(&d, &id), FCP_ECBOR_TYPE);   /* nothing consumed */
    CHECK_EQ(fcp_cbor_get_bool(&d, &active), 0);
    CHECK_EQ(active, 1);
    CHECK_EQ(fcp_cbor_opt_key(&d, &it, "zeta"), 0);
    CHECK_EQ(fcp_cbor_expect_key(&d, &it, "zeta"), FCP_EMISSING_FIELD);
    CHECK_EQ(fcp_cbor_dec_finish(&d), 0);
    free(b);

    /* iteration over any keys; order enforced as the keys are read */
    b = fcp_t_unhex("a3 00 f6 20 81 01 6161 40", &n);
    if (!b)
        b = fcp_t_unhex("a300f620810161614" "0", &n);
    fcp_cbor_dec_init(&d, b, n, NULL);
    CHECK_EQ(fcp_cbor_map_begin(&d, &it), 0);
    const uint8_t *k;
    size_t kl;
    int keys = 0, rc;
    while ((rc = fcp_cbor_map_next_key(&d, &it, &k, &kl)) > 0) {
        keys++;
        CHECK_EQ(fcp_cbor_skip(&d), 0);
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(keys, 3);
    CHECK_EQ(fcp_cbor_dec_finish(&d), 0);
    free(b);

    /* unsorted keys are caught when the offending key is read */
    b = fcp_t_unhex("a2616201616102", &n);
    fcp_cbor_dec_init(&d, b, n, NULL);
    CHECK_EQ(fcp_cbor_map_begin(&d, &it), 0);
    CHECK_EQ(fcp_cbor_map_next_text_key(&d, &it, &s, &sl), 1);
    CHECK_EQ(fcp_cbor_skip(&d), 0);
    CHECK_EQ(fcp_cbor_map_next_text_key(&d, &it, &s, &sl), FCP_ECBOR_UNSORTED_KEYS);
    CHECK_EQ(fcp_cbor_dec_finish(&d), FCP_ECBOR_UNSORTED_KEYS);   /* sticky */
    free(b);
    /* ...and duplicates, and keys that are containers */
    b = fcp_t_unhex("a2816101008161010", &n);
    free(b);
    b = fcp_t_unhex("a28161010081610100", &n);
    fcp_cbor_dec_init(&d, b, n, NULL);
    CHECK_EQ(fcp_cbor_map_begin(&d, &it), 0);
    CHECK_EQ(fcp_cbor_map_next_key(&d, &it, &k, &kl), 1);
    CHECK_EQ(kl, 3);
    CHECK_EQ(fcp_cbor_skip(&d), 0);
    CHECK_EQ(fcp_cbor_map_next_key(&d, &it, &k, &kl), FCP_ECBOR_DUPLICATE_KEY);
    free(b);

    /* peek, is_null, get_null, bytes, tags, simple, finish */
    b = fcp_t_unhex("86f64201026161c118f0f7f5", &n);
    fcp_cbor_limits lim = allow_all;
    fcp_cbor_dec_init(&d, b, n, &lim);
    unsigned major;
    uint64_t cnt, tag, u;
    const uint8_t *bp;
    size_t bl;
    unsigned simple;
    CHECK_EQ(fcp_cbor_peek(&d, &major), 0);
    CHECK_EQ(major, FCP_CBOR_ARRAY);
    CHECK_EQ(fcp_cbor_get_array(&d, &cnt), 0);
    CHECK_EQ(cnt, 6);
    CHECK_EQ(fcp_cbor_is_null(&d), 1);
    CHECK_EQ(fcp_cbor_get_null(&d), 0);
    CHECK_EQ(fcp_cbor_is_null(&d), 0);
    CHECK_EQ(fcp_cbor_get_bytes(&d, &bp, &bl), 0);
    CHECK(bl == 2 && bp == b + 3);                         /* zero-copy */
    CHECK_EQ(fcp_cbor_get_bytes(&d, &bp, &bl), FCP_ECBOR_TYPE);
    CHECK_EQ(fcp_cbor_get_text(&d, &s, &sl), 0);
    CHECK_EQ(fcp_cbor_dec_finish(&d), FCP_ECBOR_COUNT);    /* not fully read */
    CHECK_EQ(fcp_cbor_get_tag(&d, &tag), 0);
    CHECK_EQ(tag, 1);
    CHECK_EQ(fcp_cbor_get_uint(&d, &u), 0);
    CHECK_EQ(u, 0xf0);
    CHECK_EQ(fcp_cbor_get_simple(&d, &simple), 0);
    CHECK_EQ(simple, FCP_CBOR_UNDEFINED);
    CHECK_EQ(fcp_cbor_get_simple(&d, &simple), 0);
    CHECK_EQ(simple, FCP_CBOR_TRUE);
    CHECK_EQ(fcp_cbor_dec_offset(&d), n);
    CHECK_EQ(fcp_cbor_dec_finish(&d), 0);
    CHECK_EQ(fcp_cbor_get_uint(&d, &u), FCP_ECBOR_COUNT);  /* past the one item */
    free(b);

    /* tags refused by default even through get_tag; trailing bytes */
    fcp_cbor_dec_init(&d, "\xc1\x00", 2, NULL);
    CHECK_EQ(fcp_cbor_get_tag(&d, &tag), FCP_ECBOR_TAG);
    fcp_cbor_dec_init(&d, "\x00\x00", 2, NULL);
    CHECK_EQ(fcp_cbor_get_uint(&d, &u), 0);
    CHECK_EQ(fcp_cbor_dec_finish(&d), FCP_ECBOR_TRAILING);
    /* text is checked as UTF-8 on get */
    fcp_cbor_dec_init(&d, "\x61\xff", 2, NULL);
    CHECK_EQ(fcp_cbor_get_text(&d, &s, &sl), FCP_ECBOR_UTF8);
    /* get_raw returns the encoded item */
    b = fcp_t_unhex("82a1616101820203", &n);
    fcp_cbor_dec_init(&d, b, n, NULL);
    CHECK_EQ(fcp_cbor_get_array(&d, &cnt), 0);
    CHECK_EQ(fcp_cbor_get_raw(&d, &bp, &bl), 0);
    CHECK(bp == b + 1 && bl == 4);
    CHECK_EQ(fcp_cbor_get_raw(&d, &bp, &bl), 0);
    CHECK(bp == b + 5 && bl == 3);
    CHECK_EQ(fcp_cbor_dec_finish(&d), 0);
    free(b);
}

/* ---- diagnostics ---- */

static void diag_is(const char *hex, const char *want)
{
    size_t n;
    uint8_t *b = fcp_t_unhex(hex, &n);
    fcp_buf out;
    fcp_buf_init(&out);
    CHECK_EQ(fcp_cbor_diag(b, n, &out), 0);
    if (!CHECK(out.len == strlen(want) && memcmp(out.data, want, out.len) == 0))
        fprintf(stderr, "  diag %s: got %.*s want %s\n", hex, (int)out.len, out.data, want);
    fcp_buf_free(&out);
    free(b);
}

static void test_diag(void)
{
    diag_is("a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}");
    diag_is("bf61610161629f0203ffff", "{_ \"a\": 1, \"b\": [_ 2, 3]}");
    diag_is("3bffffffffffffffff", "-18446744073709551616");
    diag_is("3b7fffffffffffffff", "-9223372036854775808");
    diag_is("fb7e37e43c8800759c", "1.0e+300");
    diag_is("fa47c35000", "100000.0");
    diag_is("f90001", "5.960464477539063e-8");
    diag_is("f98000", "-0.0");
    diag_is("6322090a", "\"\\\"\\u0009\\n\"");
    diag_is("5f42010243030405ff", "(_ h'0102', h'030405')");
    diag_is("7fff", "(_ \"\")");
    diag_is("c11a514b67b0", "1(1363896240)");
    diag_is("a1190001f5", "{1: true}");               /* non-canonical still shown */
    fcp_buf out;
    fcp_buf_init(&out);
    CHECK_EQ(fcp_cbor_diag("\x82\x01", 2, &out), FCP_ECBOR_TRUNCATED);
    CHECK_EQ(fcp_cbor_diag("\x01\x01", 2, &out), FCP_ECBOR_TRAILING);
    CHECK_EQ(fcp_cbor_diag("\x5f\x61\x61\xff", 4, &out), FCP_ECBOR_MALFORMED);
    CHECK_EQ(fcp_cbor_diag("\xbf\x01\xff", 3, &out), FCP_ECBOR_MALFORMED);
    fcp_buf_free(&out);
    /* float notation reads back as the same double */
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 7);
    int float_bad = 0;
    for (int i = 0; i < 5000; i++) {
        uint64_t bits = fcp_rng_xoshiro_next(&x);
        double v;
        memcpy(&v, &bits, 8);
        if (isnan(v) || isinf(v))
            continue;
        uint8_t enc9[9] = { 0xfb };
        fcp_store_u64be(enc9 + 1, bits);
        fcp_buf_reset(&out);
        fcp_cbor_diag(enc9, 9, &out);
        fcp_buf_put_u8(&out, 0);
        char *endp;
        double back = strtod((const char *)out.data, &endp);
        if (back != v || *endp || !strpbrk((const char *)out.data, ".e"))
            float_bad++;
    }
    CHECK_EQ(float_bad, 0);
    fcp_buf_free(&out);
    /* canonical re-encoding of non-canonical input */
    static const struct { const char *in, *out; } re[] = {
        { "bf61610161629f0203ffff", "a26161016162820203" },
        { "a2616201616102", "a2616102616201" },
        { "1800", "00" },
        { "5f42010243030405ff", "450102030405" },
        { "fb3ff8000000000000", "f93e00" },
        { "f98000", "f90000" },
    };
    for (size_t i = 0; i < sizeof re / sizeof re[0]; i++) {
        size_t n;
        uint8_t *b = fcp_t_unhex(re[i].in, &n);
        fcp_cbor_tree t;
        fcp_buf o;
        fcp_cbor_enc e;
        fcp_buf_init(&o);
        fcp_cbor_enc_init(&e, &o);
        CHECK_EQ(fcp_cbor_tree_parse(&t, b, n), 0);
        CHECK_EQ(fcp_cbor_tree_encode(t.root, &e), 0);
        CHECK_EQ(fcp_cbor_enc_finish(&e), 0);
        CHECK(bytes_hex(&o, re[i].out));
        fcp_cbor_tree_free(&t);
        fcp_cbor_enc_free(&e);
        fcp_buf_free(&o);
        free(b);
    }
}

/* ---- random round trip ---- */

static void rand_value(fcp_rng_xoshiro *x, fcp_cbor_enc *e, int depth);

static void rand_text(fcp_rng_xoshiro *x, fcp_cbor_enc *e)
{
    static const char *pieces[] = { "a", "Z", "0", " ", "\xc3\xbc", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\"", "\\", "\n" };
    char s[128];
    size_t n = 0, parts = (size_t)fcp_rng_xoshiro_below(x, 12);
    for (size_t i = 0; i < parts; i++) {
        const char *p = pieces[fcp_rng_xoshiro_below(x, 10)];
        memcpy(s + n, p, strlen(p));
        n += strlen(p);
    }
    fcp_cbor_put_text(e, s, n);
}

static uint64_t rand_width(fcp_rng_xoshiro *x)
{
    unsigned bits = (unsigned)fcp_rng_xoshiro_below(x, 65);
    uint64_t v = fcp_rng_xoshiro_next(x);
    return bits == 64 ? v : v & ((1ull << bits) - 1);
}

static void rand_key(fcp_rng_xoshiro *x, fcp_cbor_enc *e, int i)
{
    char s[32];
    switch (fcp_rng_xoshiro_below(x, 4)) {
    case 0: fcp_cbor_put_uint(e, (uint64_t)i * 1000 + fcp_rng_xoshiro_below(x, 1000)); break;
    case 1: fcp_cbor_put_int(e, -1 - ((int64_t)i * 1000 + (int64_t)fcp_rng_xoshiro_below(x, 1000))); break;
    case 2:
        snprintf(s, sizeof s, "%.*s%d", (int)fcp_rng_xoshiro_below(x, 4), "kkkk", i);
        fcp_cbor_put_cstr(e, s);
        break;
    default: {
        uint8_t kb[8];
        kb[0] = (uint8_t)i;
        size_t kn = 1 + (size_t)fcp_rng_xoshiro_below(x, 7);
        for (size_t j = 1; j < kn; j++)
            kb[j] = (uint8_t)fcp_rng_xoshiro_next(x);
        fcp_cbor_put_bytes(e, kb, kn);
    }
    }
}

static void rand_value(fcp_rng_xoshiro *x, fcp_cbor_enc *e, int depth)
{
    unsigned kind = (unsigned)fcp_rng_xoshiro_below(x, depth < 5 ? 12 : 9);
    uint8_t bytes[64];
    switch (kind) {
    case 0: fcp_cbor_put_uint(e, rand_width(x)); break;
    case 1: fcp_cbor_put_negint_raw(e, rand_width(x)); break;
    case 2: {
        size_t n = (size_t)fcp_rng_xoshiro_below(x, sizeof bytes);
        for (size_t i = 0; i < n; i++)
            bytes[i] = (uint8_t)fcp_rng_xoshiro_next(x);
        fcp_cbor_put_bytes(e, bytes, n);
        break;
    }
    case 3: rand_text(x, e); break;
    case 4: fcp_cbor_put_bool(e, (int)fcp_rng_xoshiro_below(x, 2)); break;
    case 5: fcp_cbor_put_null(e); break;
    case 6: {
        double v;
        uint64_t bits = fcp_rng_xoshiro_next(x);
        switch (fcp_rng_xoshiro_below(x, 3)) {
        case 0: memcpy(&v, &bits, 8); break;
        case 1: v = (double)(float)ldexp((double)(bits & 0xffffff), (int)(bits >> 58) - 40); break;
        default: v = ldexp((double)(bits & 0x7ff), (int)fcp_rng_xoshiro_below(x, 50) - 35); break;
        }
        if (isnan(v))
            v = 0.5;
        fcp_cbor_put_float(e, v);
        break;
    }
    case 7:
        fcp_cbor_put_simple(e, (unsigned)fcp_rng_xoshiro_below(x, 2) ? 16 : 200);
        break;
    case 8:
        fcp_cbor_put_tag(e, rand_width(x));
        fcp_cbor_put_uint(e, 1);
        break;
    case 9: case 10: {
        size_t n = (size_t)fcp_rng_xoshiro_below(x, 6);
        fcp_cbor_put_array(e, n);
        for (size_t i = 0; i < n; i++)
            rand_value(x, e, depth + 1);
        break;
    }
    default: {
        size_t n = (size_t)fcp_rng_xoshiro_below(x, 30);
        fcp_cbor_map_open(e);
        for (size_t i = 0; i < n; i++) {
            rand_key(x, e, (int)i);
            rand_value(x, e, depth + 1);
        }
        fcp_cbor_map_close(e);
    }
    }
}

/* Copy one item from the cursor to the encoder using only the typed API. */
static int cursor_copy(fcp_cbor_dec *d, fcp_cbor_enc *e)
{
    unsigned major;
    int rc = fcp_cbor_peek(d, &major);
    if (rc)
        return rc;
    uint64_t u, n;
    int neg;
    const uint8_t *p;
    size_t len;
    switch (major) {
    case 0: case 1:
        if ((rc = fcp_cbor_get_int_raw(d, &neg, &u)))
            return rc;
        return neg ? fcp_cbor_put_negint_raw(e, u) : fcp_cbor_put_uint(e, u);
    case 2:
        if ((rc = fcp_cbor_get_bytes(d, &p, &len)))
            return rc;
        return fcp_cbor_put_bytes(e, p, len);
    case 3:
        if ((rc = fcp_cbor_get_text(d, (const char **)&p, &len)))
            return rc;
        return fcp_cbor_put_text(e, (const char *)p, len);
    case 4: case 5:
        if ((rc = major == 4 ? fcp_cbor_get_array(d, &n) : fcp_cbor_get_map(d, &n)))
            return rc;
        if (major == 4)
            fcp_cbor_put_array(e, n);
        else
            fcp_cbor_put_map(e, n);
        for (uint64_t i = 0; i < (major == 5 ? 2 * n : n); i++)
            if ((rc = cursor_copy(d, e)))
                return rc;
        return 0;
    case 6:
        if ((rc = fcp_cbor_get_tag(d, &u)))
            return rc;
        fcp_cbor_put_tag(e, u);
        return cursor_copy(d, e);
    default: {
        double f;
        unsigned s;
        if (fcp_cbor_get_float(d, &f) == 0)
            return fcp_cbor_put_float(e, f);
        if ((rc = fcp_cbor_get_simple(d, &s)))
            return rc;
        return fcp_cbor_put_head(e, 7, s);
    }
    }
}

static void test_random_roundtrip(void)
{
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 0xc0dec);
    int bad_validate = 0, bad_tree = 0, bad_cursor = 0, mutants_ok = 0, mutant_bad = 0;
    for (int iter = 0; iter < 3000; iter++) {
        fcp_buf out;
        fcp_cbor_enc e;
        fcp_buf_init(&out);
        fcp_cbor_enc_init(&e, &out);
        rand_value(&x, &e, 0);
        if (!CHECK_EQ(fcp_cbor_enc_finish(&e), 0)) {
            fcp_cbor_enc_free(&e);
            fcp_buf_free(&out);
            continue;
        }
        if (fcp_cbor_validate(out.data, out.len, &allow_all) != 0)
            bad_validate++;
        /* tree round trip */
        fcp_cbor_tree t;
        fcp_buf re;
        fcp_cbor_enc e2;
        fcp_buf_init(&re);
        fcp_cbor_enc_init(&e2, &re);
        if (fcp_cbor_tree_parse(&t, out.data, out.len) || fcp_cbor_tree_encode(t.root, &e2) ||
            fcp_cbor_enc_finish(&e2) || re.len != out.len || memcmp(re.data, out.data, re.len))
            bad_tree++;
        fcp_cbor_tree_free(&t);
        /* cursor round trip */
        fcp_buf_reset(&re);
        fcp_cbor_dec d;
        fcp_cbor_dec_init(&d, out.data, out.len, &allow_all);
        if (cursor_copy(&d, &e2) || fcp_cbor_dec_finish(&d) || re.len != out.len ||
            memcmp(re.data, out.data, re.len))
            bad_cursor++;
        /* one-byte mutants: the strict verdict of validate and the cursor
         * agree, and anything accepted re-encodes to itself */
        size_t pos = (size_t)fcp_rng_xoshiro_below(&x, out.len);
        out.data[pos] ^= (uint8_t)(1 + fcp_rng_xoshiro_below(&x, 255));
        int v1 = fcp_cbor_validate(out.data, out.len, &allow_all);
        fcp_cbor_dec_init(&d, out.data, out.len, &allow_all);
        const uint8_t *rp;
        size_t rn;
        int v2 = fcp_cbor_get_raw(&d, &rp, &rn);
        if (!v2)
            v2 = fcp_cbor_dec_finish(&d);
        if (v1 != v2)
            mutant_bad++;
        if (v1 == 0) {
            mutants_ok++;
            fcp_buf_reset(&re);
            if (fcp_cbor_tree_parse(&t, out.data, out.len) || fcp_cbor_tree_encode(t.root, &e2) ||
                re.len != out.len || memcmp(re.data, out.data, re.len))
                mutant_bad++;
            fcp_cbor_tree_free(&t);
        }
        fcp_cbor_enc_free(&e2);
        fcp_buf_free(&re);
        fcp_cbor_enc_free(&e);
        fcp_buf_free(&out);
    }
    CHECK_EQ(bad_validate, 0);
    CHECK_EQ(bad_tree, 0);
    CHECK_EQ(bad_cursor, 0);
    CHECK_EQ(mutant_bad, 0);
    CHECK(mutants_ok > 0);
}

int main(void)
{
    test_ints();
    test_scalars();
    test_floats();
    test_map_builder();
    test_rules();
    test_limits();
    test_cursor();
    test_diag();
    test_random_roundtrip();
    return fcp_t_done("codec_cbor_api_test");
}
