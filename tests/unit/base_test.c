/*
 * base_test.c - errors, buffers, readers, clocks, RNG, hex/base64, logging.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/buf.h"
#include "fcp/clock.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/log.h"
#include "fcp/rng.h"

static void test_errors(void)
{
    char code[16];
    CHECK(!strcmp(fcp_error_code(FCP_EZONE_ID_TOO_LONG, code, sizeof code), "FCP-1203"));
    CHECK(!strcmp(fcp_error_code(FCP_EMALFORMED_FRAME, code, sizeof code), "FCP-1002"));
    CHECK(!strcmp(fcp_error_code(FCP_OK, code, sizeof code), "FCP-0000"));
    CHECK(!strcmp(fcp_error_name(FCP_ECBOR_UNSORTED_KEYS), "FCP_ECBOR_UNSORTED_KEYS"));
    CHECK(!strcmp(fcp_strerror(FCP_EREVOKED), "revoked"));
    CHECK(!strcmp(fcp_strerror(-123456), "unknown error"));
    CHECK(fcp_error_name(-123456) == NULL);
    CHECK(fcp_error_known(FCP_EINTERNAL));
    CHECK(!fcp_error_known(-77));
    /* every code is negative, distinct, inside a spec range */
    static const int codes[] = {
#define C_(n, num, m) num,
        FCP_ERRORS(C_)
#undef C_
    };
    size_t n = sizeof codes / sizeof codes[0];
    int distinct = 1, ranged = 1;
    for (size_t i = 0; i < n; i++) {
        if (codes[i] < 1000 || codes[i] > 9999 || (codes[i] >= 8000 && codes[i] < 9000))
            ranged = 0;
        for (size_t j = i + 1; j < n; j++)
            if (codes[i] == codes[j])
                distinct = 0;
    }
    CHECK(distinct);
    CHECK(ranged);
}

static void test_buf(void)
{
    fcp_buf b;
    fcp_buf_init(&b);
    for (int i = 0; i < 1000; i++)
        fcp_buf_put_u32le(&b, (uint32_t)i);
    CHECK_EQ(b.len, 4000);
    CHECK_EQ(b.err, 0);
    CHECK_EQ(fcp_load_u32le(b.data + 4 * 999), 999);
    fcp_buf_put_u64be(&b, 0x0102030405060708ull);
    CHECK_EQ(b.data[4000], 1);
    CHECK_EQ(b.data[4007], 8);
    size_t len;
    uint8_t *p = fcp_buf_steal(&b, &len);
    CHECK_EQ(len, 4008);
    free(p);
    fcp_buf_free(&b);

    uint8_t mem[5];
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    CHECK_EQ(fcp_buf_put_u32le(&b, 7), 0);
    CHECK_EQ(fcp_buf_put_u16le(&b, 7), FCP_EBUFFER_TOO_SMALL);
    CHECK_EQ(fcp_buf_put_u8(&b, 1), FCP_EBUFFER_TOO_SMALL); /* sticky */
    CHECK_EQ(b.len, 4);
    fcp_buf_reset(&b);
    CHECK_EQ(fcp_buf_put_u8(&b, 1), 0);

    fcp_buf_init(&b);
    b.max = 10;
    CHECK_EQ(fcp_buf_append(&b, mem, 5), 0);
    CHECK_EQ(fcp_buf_append(&b, mem, 6), FCP_ETOO_LARGE);
    fcp_buf_free(&b);

    const uint8_t data[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
    fcp_reader r;
    fcp_reader_init(&r, data, sizeof data);
    uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64;
    CHECK_EQ(fcp_reader_u8(&r, &u8), 0);
    CHECK_EQ(u8, 1);
    CHECK_EQ(fcp_reader_u16le(&r, &u16), 0);
    CHECK_EQ(u16, 0x0302);
    CHECK_EQ(fcp_reader_u64le(&r, &u64), 0);
    CHECK_EQ(u64, 0x0b0a090807060504ull);
    CHECK_EQ(fcp_reader_u32le(&r, &u32), FCP_ETRUNCATED);
    CHECK_EQ(r.len, 0);
}

static void test_hex_base64(void)
{
    uint8_t out[16];
    size_t n;
    char txt[64];
    CHECK_EQ(fcp_hex_decode(out, sizeof out, &n, "00ff10Ab", 8), 0);
    CHECK_EQ(n, 4);
    CHECK_EQ(out[3], 0xab);
    CHECK_EQ(fcp_hex_decode(out, sizeof out, &n, "0", 1), FCP_EHEX);
    CHECK_EQ(fcp_hex_decode(out, sizeof out, &n, "zz", 2), FCP_EHEX);
    CHECK_EQ(fcp_hex_decode(out, 1, &n, "0011", 4), FCP_EBUFFER_TOO_SMALL);
    CHECK_EQ(fcp_hex_encode(txt, sizeof txt, out, 1), 0);
    CHECK(!strcmp(txt, "00"));
    CHECK_EQ(fcp_hex_decode_exact(out, 2, "abc"), FCP_EHEX);

    /* RFC 4648 §10 test vectors */
    static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *std[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    static const char *url[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy" };
    for (int i = 0; i < 7; i++) {
        size_t pl = strlen(plain[i]);
        CHECK_EQ(fcp_base64_encode(txt, sizeof txt, (const uint8_t *)plain[i], pl, FCP_B64_STD), 0);
        CHECK(!strcmp(txt, std[i]));
        CHECK_EQ(fcp_base64_encode(txt, sizeof txt, (const uint8_t *)plain[i], pl, FCP_B64_URL_NOPAD), 0);
        CHECK(!strcmp(txt, url[i]));
        CHECK_EQ(fcp_base64_decode(out, sizeof out, &n, std[i], strlen(std[i]), FCP_B64_STD), 0);
        CHECK(n == pl && !memcmp(out, plain[i], pl));
        CHECK_EQ(fcp_base64_decode(out, sizeof out, &n, url[i], strlen(url[i]), FCP_B64_URL_NOPAD), 0);
        CHECK(n == pl && !memcmp(out, plain[i], pl));
    }
    CHECK_EQ(fcp_base64_decode(out, sizeof out, &n, "Zh==", 4, FCP_B64_STD), FCP_EBASE64); /* trailing bits */
    CHECK_EQ(fcp_base64_decode(out, sizeof out, &n, "Zg=", 3, FCP_B64_STD), FCP_EBASE64);
    CHECK_EQ(fcp_base64_decode(out, sizeof out, &n, "Z", 1, FCP_B64_URL_NOPAD), FCP_EBASE64);
    CHECK_EQ(fcp_base64_decode(out, sizeof out, &n, "Z+8", 3, FCP_B64_URL_NOPAD), FCP_EBASE64);
}

static void test_clock_rng(void)
{
    fcp_clock_manual m;
    fcp_clock_manual_init(&m, 1704067200ull * 1000000000ull);
    CHECK_EQ(fcp_clock_unix_secs(&m.clock), 1704067200);
    fcp_clock_manual_advance(&m, 5000000000ull);
    CHECK_EQ(fcp_clock_unix_secs(&m.clock), 1704067205);
    CHECK_EQ(fcp_clock_mono_ns(&m.clock), 5000000000ull);
    CHECK(fcp_clock_unix_secs(fcp_clock_system()) > 1700000000);

    fcp_rng_xoshiro a, b;
    fcp_rng_xoshiro_init(&a, 42);
    fcp_rng_xoshiro_init(&b, 42);
    uint8_t x[33], y[33];
    fcp_rng_fill(&a.rng, x, sizeof x);
    fcp_rng_fill(&b.rng, y, sizeof y);
    CHECK_MEM(x, y, sizeof x);
    int below_ok = 1;
    for (int i = 0; i < 1000; i++)
        if (fcp_rng_xoshiro_below(&a, 7) >= 7)
            below_ok = 0;
    CHECK(below_ok);
    uint8_t z1[32] = { 0 }, z2[32] = { 0 };
    CHECK_EQ(fcp_rng_fill(fcp_rng_system(), z1, 32), 0);
    CHECK_EQ(fcp_rng_fill(fcp_rng_system(), z2, 32), 0);
    CHECK(memcmp(z1, z2, 32) != 0);
}

static void test_log(void)
{
    char line[512];
    const uint8_t id[4] = { 0xde, 0xad, 0xbe, 0xef };
    fcp_log_field f[] = {
        FCP_LF_STR("zone_id", "z:work"), FCP_LF_UINT("seq", 7), FCP_LF_HEX("correlation_id", id, 4),
        FCP_LF_SECRET("api_key"), FCP_LF_STR("note", "a \"quoted\"\nline"), FCP_LF_BOOL("ok", 1),
        FCP_LF_INT("delta", -3),
    };
    size_t n = fcp_log_format(line, sizeof line, 1704067200123000000ull, FCP_LOG_WARN, "session.replay",
                              FCP_EBAD_MAC, f, 7);
    CHECK_EQ(n, strlen(line));
    CHECK(!strcmp(line, "{\"ts\":\"2024-01-01T00:00:00.123Z\",\"level\":\"warn\",\"event\":\"session.replay\","
                        "\"code\":\"FCP-2007\",\"error\":\"MAC verification failed\",\"zone_id\":\"z:work\","
                        "\"seq\":7,\"correlation_id\":\"deadbeef\",\"api_key\":\"[REDACTED]\","
                        "\"note\":\"a \\\"quoted\\\"\\nline\",\"ok\":true,\"delta\":-3}\n"));
    json_error_t e;
    json_t *j = json_loads(line, 0, &e);
    CHECK(j != NULL);
    json_decref(j);
    /* truncation still yields a JSON object */
    char small[120];
    fcp_log_format(small, sizeof small, 0, FCP_LOG_INFO, "e", 0, f, 7);
    j = json_loads(small, 0, &e);
    CHECK(j != NULL);
    CHECK(json_is_true(json_object_get(j, "truncated")));
    json_decref(j);
}

int main(void)
{
    test_errors();
    test_buf();
    test_hex_base64();
    test_clock_rng();
    test_log();
    return fcp_t_done("base_test");
}
