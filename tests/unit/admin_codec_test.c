/*
 * admin_codec_test.c - the admin protocol codec (include/fcp/admin.h):
 * golden frames of D-ADMIN-1..3 (conformance/golden/admin, built by an
 * independent Python encoder) re-encoded byte for byte and decoded back;
 * every header and request rule refused with its own code; response lookup
 * and JSON rendering; a deterministic garbage sweep that must never crash.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/admin.h"
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/rng.h"
#include "test.h"

static int op_by_name(const char *s)
{
    for (int op = 1; op < FCP_ADMIN_OP_COUNT_; op++)
        if (!strcmp(fcp_admin_op_name(op), s))
            return op;
    return 0;
}

static void golden(void)
{
    json_error_t jerr;
    json_t *j = json_load_file("conformance/golden/admin/d-admin-1-frames.json", 0, &jerr);
    CHECK(j != NULL);
    if (!j)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "requests"), i, v) {
        json_t *rq = json_object_get(v, "request");
        fcp_admin_request r;
        memset(&r, 0, sizeof r);
        r.op = op_by_name(fcp_t_jstr(rq, "op"));
        uint8_t data[64];
        if (json_object_get(rq, "zone")) {
            r.has_zone = 1;
            snprintf(r.zone, sizeof r.zone, "%s", fcp_t_jstr(rq, "zone"));
        }
        if (json_object_get(rq, "id_hex")) {
            r.has_id = 1;
            CHECK_EQ(fcp_hex_decode_exact(r.id, 32, fcp_t_jstr(rq, "id_hex")), 0);
        }
        if (json_object_get(rq, "size")) {
            r.has_size = 1;
            r.size = (uint64_t)json_integer_value(json_object_get(rq, "size"));
        }
        if (json_object_get(rq, "data_hex")) {
            r.has_data = 1;
            CHECK_EQ(fcp_hex_decode(data, sizeof data, &r.data_len, fcp_t_jstr(rq, "data_hex"),
                                    strlen(fcp_t_jstr(rq, "data_hex"))), 0);
            r.data = data;
        }
        uint64_t seq = (uint64_t)json_integer_value(json_object_get(v, "seq"));
        fcp_buf pl, fr;
        fcp_buf_init(&pl);
        fcp_buf_init(&fr);
        CHECK_EQ(fcp_admin_request_encode(&r, &pl), 0);
        CHECK_EQ(fcp_admin_frame_encode(&fr, seq, pl.data, pl.len), 0);
        size_t wl;
        uint8_t *want = fcp_t_unhex(fcp_t_jstr(v, "frame_hex"), &wl);
        CHECK(want && wl == fr.len);
        if (want && wl == fr.len)
            CHECK_MEM(fr.data, want, wl);
        /* decode back */
        uint64_t s2;
        uint32_t l2;
        CHECK_EQ(fcp_admin_frame_check(want, wl, FCP_ADMIN_MAX_PAYLOAD, &s2, &l2), 1);
        CHECK_EQ(s2, seq);
        fcp_admin_request back;
        CHECK_EQ(fcp_admin_request_decode(&back, want + 36, l2, NULL), 0);
        CHECK_EQ(back.op, r.op);
        CHECK_EQ(back.has_zone, r.has_zone);
        CHECK_EQ(back.size, r.size);
        CHECK_EQ(back.data_len, r.data_len);
        if (r.has_id)
            CHECK_MEM(back.id, r.id, 32);
        /* every strict prefix needs more bytes, never errors */
        for (size_t cut = 4; cut < wl; cut += 7)
            CHECK_EQ(fcp_admin_frame_check(want, cut, FCP_ADMIN_MAX_PAYLOAD, &s2, &l2), 0);
        free(want);
        fcp_buf_free(&pl);
        fcp_buf_free(&fr);
    }
    json_array_foreach(json_object_get(j, "errors"), i, v) {
        int err = (int)json_integer_value(json_object_get(v, "err"));
        fcp_buf pl, fr;
        fcp_buf_init(&pl);
        fcp_buf_init(&fr);
        CHECK_EQ(fcp_admin_error_encode(&pl, err, fcp_t_jstr(v, "detail")), 0);
        CHECK_EQ(fcp_admin_frame_encode(&fr, (uint64_t)json_integer_value(json_object_get(v, "seq")),
                                        pl.data, pl.len), 0);
        size_t wl;
        uint8_t *want = fcp_t_unhex(fcp_t_jstr(v, "frame_hex"), &wl);
        CHECK(want && wl == fr.len);
        if (want && wl == fr.len)
            CHECK_MEM(fr.data, want, wl);
        int e2 = 0;
        char detail[128];
        CHECK_EQ(fcp_admin_resp_failed(pl.data, pl.len, &e2, detail, sizeof detail), 1);
        CHECK_EQ(e2, err);
        CHECK(!strcmp(detail, fcp_t_jstr(v, "detail")));
        free(want);
        fcp_buf_free(&pl);
        fcp_buf_free(&fr);
    }
    json_decref(j);
}

static void header_rules(void)
{
    fcp_buf fr;
    fcp_buf_init(&fr);
    uint8_t pl[] = { 0xa1, 0x62, 'o', 'p', 0x62, 'l', 's' };
    CHECK_EQ(fcp_admin_frame_encode(&fr, 7, pl, sizeof pl), 0);
    uint64_t s;
    uint32_t l;
    uint8_t f[64];
    memcpy(f, fr.data, fr.len);
    f[0] = 'X';
    CHECK_ERR(fcp_admin_frame_check(f, 2, FCP_ADMIN_MAX_PAYLOAD, &s, &l), FCP_EADMIN_MAGIC);
    memcpy(f, fr.data, fr.len);
    memcpy(f, "FCPC", 4);   /* a real FCPC frame is not an admin frame */
    CHECK_ERR(fcp_admin_frame_check(f, fr.len, FCP_ADMIN_MAX_PAYLOAD, &s, &l), FCP_EADMIN_MAGIC);
    memcpy(f, fr.data, fr.len);
    f[4] = 2;
    CHECK_ERR(fcp_admin_frame_check(f, fr.len, FCP_ADMIN_MAX_PAYLOAD, &s, &l), FCP_EADMIN_VERSION);
    memcpy(f, fr.data, fr.len);
    f[10] = 1;
    CHECK_ERR(fcp_admin_frame_check(f, fr.len, FCP_ADMIN_MAX_PAYLOAD, &s, &l), FCP_EADMIN_RESERVED);
    memcpy(f, fr.data, fr.len);
    f[30] = 1;
    CHECK_ERR(fcp_admin_frame_check(f, fr.len, FCP_ADMIN_MAX_PAYLOAD, &s, &l), FCP_EADMIN_FLAGS);
    memcpy(f, fr.data, fr.len);
    fcp_store_u32le(f + 32, FCP_ADMIN_MAX_PAYLOAD + 1);
    CHECK_ERR(fcp_admin_frame_check(f, 36, FCP_ADMIN_MAX_PAYLOAD, &s, &l), FCP_EADMIN_TOO_LARGE);
    fcp_store_u32le(f + 32, 100);
    CHECK_ERR(fcp_admin_frame_check(f, 36, 64, &s, &l), FCP_EADMIN_TOO_LARGE);
    CHECK_EQ(fcp_admin_frame_check(fr.data, fr.len, FCP_ADMIN_MAX_PAYLOAD, &s, &l), 1);
    CHECK_EQ(s, 7);
    CHECK_EQ(l, sizeof pl);
    uint8_t big = 0;
    fcp_buf_reset(&fr);
    CHECK_ERR(fcp_admin_frame_encode(&fr, 1, &big, (size_t)FCP_ADMIN_MAX_PAYLOAD + 1), FCP_EADMIN_TOO_LARGE);
    fcp_buf_free(&fr);
}

/* Encode a map given as alternating text keys and prepared raw values. */
static void req_rules(void)
{
    fcp_admin_request r;
    const char *why = NULL;
    struct { const char *hex; int want; } cases[] = {
        { "a1626f7066737461747573", 0 },                        /* {"op":"status"} */
        { "a1626f7063667262", FCP_EADMIN_UNKNOWN_OP },          /* {"op":"frb"} */
        { "a0", FCP_EADMIN_MISSING },                           /* {} */
        { "a1626f7001", FCP_EADMIN_MALFORMED },                 /* op: 1 */
        { "80", FCP_EADMIN_MALFORMED },                         /* [] */
        { "a1626f70667374617475", FCP_EADMIN_MALFORMED },       /* truncated */
        { "a1626f7066737461747573ff", FCP_EADMIN_MALFORMED },   /* trailing byte */
        { "a2626f7066737461747573617801", FCP_EADMIN_MALFORMED },  /* unknown key "x" */
        /* {"op":"get"}: id missing */
        { "a1626f7063676574", FCP_EADMIN_MISSING },
        /* {"id": h'00', "op":"get"}: id of 1 byte */
        { "a262696441006f6f7063676574", FCP_EADMIN_MALFORMED },
        /* {"op":"status","zone":"z:work"}: status takes no zone */
        { "a2626f706673746174757364 7a6f6e6566 7a3a776f726b", FCP_EADMIN_MALFORMED },
        /* unsorted keys: {"zone":..., "op":...} */
        { "a2647a6f6e65667a3a776f726b626f70626c73", FCP_EADMIN_MALFORMED },
        /* {"op":"ls","zone":"Z:bad"} */
        { "a2626f70626c73647a6f6e65655a3a626164", FCP_EADMIN_MALFORMED },
        /* non-shortest head for the map */
        { "b801626f7066737461747573", FCP_EADMIN_MALFORMED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char clean[256];
        size_t k = 0;
        for (const char *p = cases[i].hex; *p && k + 1 < sizeof clean; p++)
            if (*p != ' ')
                clean[k++] = *p;
        clean[k] = 0;
        size_t n;
        uint8_t *b = fcp_t_unhex(clean, &n);
        CHECK(b != NULL);
        if (!b)
            continue;
        int rc = fcp_admin_request_decode(&r, b, n, &why);
        if (rc != cases[i].want)
            fprintf(stderr, "case %zu (%s): got %d\n", i, clean, rc);
        CHECK_EQ(rc, cases[i].want);
        free(b);
    }
    /* data chunk limit */
    fcp_buf pl;
    fcp_buf_init(&pl);
    uint8_t *big = calloc(1, FCP_ADMIN_CHUNK + 1);
    fcp_admin_request w = { .op = FCP_ADMIN_OP_PUT_DATA, .has_data = 1, .data = big,
                            .data_len = FCP_ADMIN_CHUNK + 1 };
    CHECK_EQ(fcp_admin_request_encode(&w, &pl), 0);
    CHECK_ERR(fcp_admin_request_decode(&r, pl.data, pl.len, &why), FCP_EADMIN_TOO_LARGE);
    free(big);
    /* put without size */
    fcp_buf_reset(&pl);
    fcp_admin_request p2 = { .op = FCP_ADMIN_OP_PUT, .has_zone = 1, .zone = "z:private" };
    CHECK_EQ(fcp_admin_request_encode(&p2, &pl), 0);
    CHECK_ERR(fcp_admin_request_decode(&r, pl.data, pl.len, &why), FCP_EADMIN_MISSING);
    fcp_buf_free(&pl);
}

static void responses(void)
{
    fcp_buf b, js;
    fcp_buf_init(&b);
    fcp_buf_init(&js);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &b);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "ok");
    fcp_cbor_put_bool(&e, 1);
    fcp_cbor_put_cstr(&e, "objects");
    fcp_cbor_put_uint(&e, 42);
    fcp_cbor_put_cstr(&e, "node_id");
    fcp_cbor_put_cstr(&e, "n\"1");
    fcp_cbor_put_cstr(&e, "id");
    fcp_cbor_put_bytes(&e, "\x01\xab", 2);
    fcp_cbor_put_cstr(&e, "zones");
    fcp_cbor_put_array(&e, 1);
    fcp_cbor_put_cstr(&e, "z:private");
    fcp_cbor_map_close(&e);
    CHECK_EQ(fcp_cbor_enc_finish(&e), 0);
    fcp_cbor_enc_free(&e);
    uint64_t u = 0;
    int ok = 0, err = 0;
    const char *s;
    size_t sl;
    CHECK_EQ(fcp_admin_resp_uint(b.data, b.len, "objects", &u), 1);
    CHECK_EQ(u, 42);
    CHECK_EQ(fcp_admin_resp_bool(b.data, b.len, "ok", &ok), 1);
    CHECK_EQ(ok, 1);
    CHECK_EQ(fcp_admin_resp_text(b.data, b.len, "node_id", &s, &sl), 1);
    CHECK_EQ(sl, 3);
    CHECK_EQ(fcp_admin_resp_uint(b.data, b.len, "missing", &u), 0);
    CHECK_ERR(fcp_admin_resp_uint(b.data, b.len, "node_id", &u), FCP_EADMIN_RESPONSE);
    CHECK_EQ(fcp_admin_resp_failed(b.data, b.len, &err, NULL, 0), 0);
    CHECK_EQ(fcp_admin_to_json(b.data, b.len, &js), 0);
    const char *want = "{\"id\":\"01ab\",\"ok\":true,\"zones\":[\"z:private\"],\"node_id\":\"n\\\"1\",\"objects\":42}";
    CHECK(js.len == strlen(want) && !memcmp(js.data, want, js.len));
    uint8_t junk[] = { 0xff, 0x00 };
    CHECK_ERR(fcp_admin_resp_failed(junk, sizeof junk, &err, NULL, 0), FCP_EADMIN_RESPONSE);
    fcp_buf_free(&b);
    fcp_buf_free(&js);
}

/* Random bytes and random mutations of a valid frame: every call returns a
 * defined result (0, 1 or a negative code), never crashes (ASan run). */
static void garbage(void)
{
    fcp_rng_xoshiro x;
    fcp_rng_xoshiro_init(&x, 0xad31);
    uint8_t buf[300];
    int bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (size_t)fcp_rng_xoshiro_below(&x, sizeof buf);
        fcp_rng_fill(&x.rng, buf, n);
        if (iter & 1 && n > 40) {
            memcpy(buf, "FCPA\x01\x00", 6);
            memset(buf + 6, 0, 16);
            buf[30] = buf[31] = 0;
            fcp_store_u32le(buf + 32, (uint32_t)(n - 36));
        }
        uint64_t s;
        uint32_t l;
        int rc = fcp_admin_frame_check(buf, n, FCP_ADMIN_MAX_PAYLOAD, &s, &l);
        if (rc == 1) {
            fcp_admin_request r;
            int d = fcp_admin_request_decode(&r, buf + 36, l, NULL);
            if (d > 0 || (d < 0 && !fcp_error_known(d)))
                bad++;
        } else if (rc < 0 && !fcp_error_known(rc)) {
            bad++;
        }
    }
    CHECK_EQ(bad, 0);
}

int main(void)
{
    golden();
    header_rules();
    req_rules();
    responses();
    garbage();
    return fcp_t_done("admin_codec_test");
}
