/*
 * codec_cbor_test.c - deterministic CBOR against published vectors: RFC 8949
 * Appendix A (shared/vectors/cbor/appendix_a.json), the reference
 * implementation's attested canonical-encoding vectors
 * (shared/vectors/upstream/cbor_canonical.json) and our own golden decision
 * vectors (the files in conformance/golden/cbor).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/buf.h"
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/hex.h"

static const fcp_cbor_limits allow_all = {
    FCP_CBOR_DEFAULT_DEPTH, FCP_CBOR_DEFAULT_ITEMS, FCP_CBOR_DEFAULT_INPUT, FCP_CBOR_ALLOW_ALL
};

static int hex_eq(const fcp_buf *b, const char *hex)
{
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

/* Value of a bignum tag (2 or 3) as a double, for comparison with JSON. */
static double bignum(const fcp_cbor_item *it)
{
    double v = 0;
    const fcp_cbor_item *c = it->child;
    for (size_t i = 0; i < c->len; i++)
        v = v * 256 + c->ptr[i];
    return it->arg == 2 ? v : -1 - v;
}

/* Does the tree item match the JSON value (numbers parsed as reals)? */
static int match_json(const fcp_cbor_item *it, const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_REAL: {
        double v = json_real_value(j);
        if (it->major == 0)
            return (double)it->arg == v;
        if (it->major == 1)
            return -1 - (double)it->arg == v;
        if (it->major == 6 && (it->arg == 2 || it->arg == 3))
            return bignum(it) == v;
        if (it->major == 7 && it->is_float)
            return it->f == v && !!signbit(it->f) == !!signbit(v);
        return 0;
    }
    case JSON_INTEGER:
        return it->major == 0 && (json_int_t)it->arg == json_integer_value(j);
    case JSON_STRING: {
        if (it->major != 3)
            return 0;
        size_t n = json_string_length(j);
        if (!it->indefinite)
            return n == it->len && memcmp(it->ptr, json_string_value(j), n) == 0;
        size_t off = 0;
        for (size_t i = 0; i < it->nchild; i++) {
            const fcp_cbor_item *c = &it->child[i];
            if (off + c->len > n || memcmp(json_string_value(j) + off, c->ptr, c->len))
                return 0;
            off += c->len;
        }
        return off == n;
    }
    case JSON_TRUE:
        return it->major == 7 && !it->is_float && it->arg == FCP_CBOR_TRUE;
    case JSON_FALSE:
        return it->major == 7 && !it->is_float && it->arg == FCP_CBOR_FALSE;
    case JSON_NULL:
        return it->major == 7 && !it->is_float && it->arg == FCP_CBOR_NULL;
    case JSON_ARRAY:
        if (it->major != 4 || it->nchild != json_array_size(j))
            return 0;
        for (size_t i = 0; i < it->nchild; i++)
            if (!match_json(&it->child[i], json_array_get(j, i)))
                return 0;
        return 1;
    case JSON_OBJECT:
        if (it->major != 5 || it->nchild != 2 * json_object_size(j))
            return 0;
        for (size_t i = 0; i < it->nchild; i += 2) {
            const fcp_cbor_item *k = &it->child[i];
            if (k->major != 3 || k->indefinite)
                return 0;
            char key[64];
            if (k->len >= sizeof key)
                return 0;
            memcpy(key, k->ptr, k->len);
            key[k->len] = 0;
            const json_t *v = json_object_get(j, key);
            if (!v || !match_json(&it->child[i + 1], v))
                return 0;
        }
        return 1;
    }
    return 0;
}

/* The strict verdict we expect for an Appendix A item, with everything the
 * CBOR layer can allow allowed. */
static int appendix_expect(const uint8_t *b, size_t n, int roundtrip)
{
    if (n == 2 && b[0] == 0xf8 && b[1] < 32)
        return FCP_ECBOR_MALFORMED;          /* RFC 8949 §3.3 (D-CBOR-5) */
    if (b[0] == 0xf9 || b[0] == 0xfa || b[0] == 0xfb) {
        /* NaN in any width, -0.0, then non-preferred widths of Infinity */
        int nan = (b[0] == 0xf9 && (b[1] & 0x7c) == 0x7c && ((b[1] & 3) || b[2])) ||
                  (b[0] == 0xfa && (b[1] & 0x7f) == 0x7f && (b[2] & 0x80) && ((b[2] & 0x7f) || b[3] || b[4])) ||
                  (b[0] == 0xfb && (b[1] & 0x7f) == 0x7f && (b[2] & 0xf0) == 0xf0 &&
                   ((b[2] & 0x0f) || b[3] || b[4] || b[5] || b[6] || b[7] || b[8]));
        if (nan)
            return FCP_ECBOR_NAN;
        if (n == 3 && b[1] == 0x80 && b[2] == 0)
            return FCP_ECBOR_NEG_ZERO;       /* D-CBOR-1 */
        return roundtrip ? 0 : FCP_ECBOR_FLOAT_NON_SHORTEST;
    }
    return roundtrip ? 0 : FCP_ECBOR_INDEFINITE;
}

static void test_appendix_a(void)
{
    json_error_t e;
    json_t *all = json_load_file(fcp_t_vector_path("cbor/appendix_a.json"),
                                 JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &e);
    CHECK(all != NULL);
    if (!all)
        return;
    CHECK_EQ(json_array_size(all), 82);
    size_t accepted = 0, rejected = 0, nrt_false = 0;
    for (size_t i = 0; i < json_array_size(all); i++) {
        json_t *v = json_array_get(all, i);
        const char *hex = fcp_t_jstr(v, "hex");
        int rt = json_is_true(json_object_get(v, "roundtrip"));
        nrt_false += !rt;
        size_t n;
        uint8_t *b = fcp_t_unhex(hex, &n);
        CHECK(b != NULL);
        if (!b)
            continue;
        int want = appendix_expect(b, n, rt);
        size_t off = 0;
        int got = fcp_cbor_validate_ex(b, n, &allow_all, &off);
        if (!CHECK_EQ(got, want))
            fprintf(stderr, "  appendix A item %s\n", hex);
        if (got == 0)
            accepted++;
        else
            rejected++;

        fcp_cbor_tree t;
        int prc = fcp_cbor_tree_parse(&t, b, n);
        if (want == FCP_ECBOR_MALFORMED) {
            CHECK_EQ(prc, FCP_ECBOR_MALFORMED);
        } else if (CHECK_EQ(prc, 0)) {
            /* value matches decoded / diagnostic */
            const json_t *dec = json_object_get(v, "decoded");
            const char *diag = fcp_t_jstr(v, "diagnostic");
            if (dec && !match_json(t.root, dec)) {
                CHECK(0);
                fprintf(stderr, "  value mismatch for %s\n", hex);
            }
            if (*diag) {
                fcp_buf d;
                fcp_buf_init(&d);
                CHECK_EQ(fcp_cbor_diag_item(t.root, &d), 0);
                if (!CHECK(d.len == strlen(diag) && memcmp(d.data, diag, d.len) == 0))
                    fprintf(stderr, "  diag %.*s != %s\n", (int)d.len, d.data, diag);
                fcp_buf_free(&d);
            }
            /* accepted items re-encode to identical bytes */
            if (got == 0) {
                fcp_buf out;
                fcp_cbor_enc enc;
                fcp_buf_init(&out);
                fcp_cbor_enc_init(&enc, &out);
                CHECK_EQ(fcp_cbor_tree_encode(t.root, &enc), 0);
                CHECK_EQ(fcp_cbor_enc_finish(&enc), 0);
                CHECK(hex_eq(&out, hex));
                fcp_cbor_enc_free(&enc);
                fcp_buf_free(&out);
            }
        }
        fcp_cbor_tree_free(&t);

        /* under the FCP defaults floats, tags and simple values are refused */
        got = fcp_cbor_validate(b, n, NULL);
        if (want == 0) {
            int dflt = 0;
            if (b[0] >= 0xf9 && b[0] <= 0xfb)
                dflt = FCP_ECBOR_FLOAT;
            else if (b[0] >= 0xc0 && b[0] <= 0xdb)
                dflt = FCP_ECBOR_TAG;
            else if (b[0] >= 0xe0 && b[0] != 0xf4 && b[0] != 0xf5 && b[0] != 0xf6)
                dflt = FCP_ECBOR_SIMPLE;
            CHECK_EQ(got, dflt);
        } else {
            CHECK(got != 0);
        }
        free(b);
    }
    CHECK_EQ(nrt_false, 17);
    /* 65 roundtrip items minus NaN, -0.0 and simple(24) */
    CHECK_EQ(accepted, 62);
    CHECK_EQ(rejected, 20);
    json_decref(all);
}

/* ---- upstream/cbor_canonical.json ---- */

static void enc_begin(fcp_cbor_enc *enc, fcp_buf *out)
{
    fcp_buf_init(out);
    fcp_cbor_enc_init(enc, out);
}

static int enc_end_check(fcp_cbor_enc *enc, fcp_buf *out, const char *hex)
{
    int ok = CHECK_EQ(fcp_cbor_enc_finish(enc), 0);
    ok = ok && CHECK(hex_eq(out, hex));
    /* every canonical vector also passes the strict validator */
    ok = ok && CHECK_EQ(fcp_cbor_validate(out->data, out->len, &allow_all), 0);
    fcp_cbor_enc_free(enc);
    fcp_buf_free(out);
    return ok;
}

static void put_json_int(fcp_cbor_enc *enc, const json_t *v)
{
    if (json_is_integer(v)) {
        fcp_cbor_put_int(enc, json_integer_value(v));
    } else {
        const char *s = json_string_value(v);
        if (s[0] == '-')
            fcp_cbor_put_int(enc, strtoll(s, NULL, 10));
        else
            fcp_cbor_put_uint(enc, strtoull(s, NULL, 10));
    }
}

static int reject_code(const char *name)
{
    if (strstr(name, "duplicate"))
        return FCP_ECBOR_DUPLICATE_KEY;
    if (strstr(name, "key_order"))
        return FCP_ECBOR_UNSORTED_KEYS;
    if (strstr(name, "negative_zero"))
        return FCP_ECBOR_NEG_ZERO;
    return FCP_ECBOR_NON_SHORTEST;
}

/* Encode a key given as JSON text / int, or as hex bytes. */
static void put_key(fcp_cbor_enc *enc, const json_t *k, int bytes)
{
    if (bytes) {
        size_t n;
        uint8_t *b = fcp_t_unhex(json_string_value(k), &n);
        fcp_cbor_put_bytes(enc, b, n);
        free(b);
    } else if (json_is_integer(k)) {
        fcp_cbor_put_int(enc, json_integer_value(k));
    } else {
        fcp_cbor_put_cstr(enc, json_string_value(k));
    }
}

static void test_upstream(void)
{
    json_t *all = fcp_t_load_json("upstream/cbor_canonical.json");
    if (!all)
        return;
    size_t used = 0;
    for (size_t i = 0; i < json_array_size(all); i++) {
        json_t *v = json_array_get(all, i);
        const char *status = fcp_t_jstr(v, "status");
        if (!strcmp(status, "stale") || !strcmp(status, "placeholder"))
            continue;
        const char *name = fcp_t_jstr(v, "name");
        json_t *in = json_object_get(v, "inputs"), *ex = json_object_get(v, "expected");
        const char *type = fcp_t_jstr(in, "type");
        const char *want = fcp_t_jstr(ex, "cbor_hex");
        const char *prefix = fcp_t_jstr(ex, "cbor_prefix_hex");
        fcp_buf out;
        fcp_cbor_enc enc;
        int handled = 1;
        if (!strncmp(name, "reject_", 7)) {
            const char *hex = fcp_t_jstr(in, "cbor_hex");
            if (!*hex)
                hex = fcp_t_jstr(in, "cbor_body_hex");
            size_t n;
            uint8_t *b = fcp_t_unhex(hex, &n);
            int rc = fcp_cbor_validate(b, n, &allow_all);
            if (!CHECK_EQ(rc, reject_code(name)))
                fprintf(stderr, "  %s\n", name);
            /* the cursor decoder refuses it too */
            fcp_cbor_dec d;
            fcp_cbor_dec_init(&d, b, n, &allow_all);
            const uint8_t *rp;
            size_t rn;
            CHECK_EQ(fcp_cbor_get_raw(&d, &rp, &rn), reject_code(name));
            free(b);
        } else if (!strcmp(type, "uint") || !strcmp(type, "int") ||
                   (!*type && json_is_number(json_object_get(in, "value")))) {
            enc_begin(&enc, &out);
            put_json_int(&enc, json_object_get(in, "value"));
            enc_end_check(&enc, &out, want);
        } else if (!strcmp(type, "simple")) {
            const char *s = fcp_t_jstr(in, "value");
            enc_begin(&enc, &out);
            if (!strcmp(s, "null"))
                fcp_cbor_put_null(&enc);
            else
                fcp_cbor_put_bool(&enc, !strcmp(s, "true"));
            enc_end_check(&enc, &out, want);
        } else if (!strcmp(type, "text")) {
            enc_begin(&enc, &out);
            fcp_cbor_put_cstr(&enc, fcp_t_jstr(in, "value"));
            enc_end_check(&enc, &out, want);
        } else if (!strcmp(type, "float64")) {
            enc_begin(&enc, &out);
            fcp_cbor_put_float(&enc, strtod(fcp_t_jstr(in, "value"), NULL));
            enc_end_check(&enc, &out, want);
        } else if (!strcmp(type, "array<uint>") || !strcmp(type, "bytes")) {
            json_t *val = json_object_get(in, "value");
            enc_begin(&enc, &out);
            if (!strcmp(type, "bytes")) {
                size_t len = (size_t)json_integer_value(json_object_get(in, "length"));
                uint8_t *z = calloc(1, len + 1);
                fcp_cbor_put_bytes(&enc, z, len);
                free(z);
            } else if (json_is_array(val)) {
                fcp_cbor_put_array(&enc, json_array_size(val));
                for (size_t k = 0; k < json_array_size(val); k++)
                    put_json_int(&enc, json_array_get(val, k));
            } else {
                size_t len = (size_t)json_integer_value(json_object_get(in, "length"));
                fcp_cbor_put_array(&enc, len);
                for (size_t k = 0; k < len; k++)
                    fcp_cbor_put_uint(&enc, 0);
            }
            if (*want) {
                enc_end_check(&enc, &out, want);
            } else {
                size_t pn;
                uint8_t *pb = fcp_t_unhex(prefix, &pn);
                CHECK_EQ(fcp_cbor_enc_finish(&enc), 0);
                CHECK(out.len >= pn && memcmp(out.data, pb, pn) == 0);
                CHECK_EQ(fcp_cbor_validate(out.data, out.len, NULL), 0);
                free(pb);
                fcp_cbor_enc_free(&enc);
                fcp_buf_free(&out);
            }
        } else if (!strcmp(type, "map<text,uint>")) {
            json_t *ents = json_object_get(in, "entries_in_insertion_order");
            enc_begin(&enc, &out);
            fcp_cbor_map_open(&enc);
            for (size_t k = 0; k < json_array_size(ents); k++) {
                json_t *pair = json_array_get(ents, k);
                fcp_cbor_put_cstr(&enc, json_string_value(json_array_get(pair, 0)));
                put_json_int(&enc, json_array_get(pair, 1));
            }
            fcp_cbor_map_close(&enc);
            enc_end_check(&enc, &out, want);
        } else if (json_object_get(in, "keys") || json_object_get(in, "keys_hex")) {
            int bytes = json_object_get(in, "keys_hex") != NULL;
            json_t *keys = json_object_get(in, bytes ? "keys_hex" : "keys");
            enc_begin(&enc, &out);
            fcp_cbor_map_open(&enc);
            for (size_t k = 0; k < json_array_size(keys); k++) {
                put_key(&enc, json_array_get(keys, k), bytes);
                fcp_cbor_put_null(&enc);
            }
            CHECK_EQ(fcp_cbor_map_close(&enc), 0);
            CHECK_EQ(fcp_cbor_enc_finish(&enc), 0);
            /* expected order, encoded independently */
            json_t *sorted = json_object_get(ex, bytes ? "sorted_keys_hex" : "sorted_keys");
            fcp_buf w;
            fcp_cbor_enc we;
            enc_begin(&we, &w);
            if (sorted) {
                fcp_cbor_put_map(&we, json_array_size(sorted));
                for (size_t k = 0; k < json_array_size(sorted); k++) {
                    put_key(&we, json_array_get(sorted, k), bytes);
                    fcp_cbor_put_null(&we);
                }
                CHECK(w.len == out.len && memcmp(w.data, out.data, w.len) == 0);
            } else {
                /* first_key only */
                put_key(&we, json_object_get(ex, "first_key"), 0);
                CHECK(out.len > w.len && memcmp(out.data + 1, w.data, w.len) == 0);
            }
            CHECK_EQ(fcp_cbor_validate(out.data, out.len, NULL), 0);
            fcp_cbor_enc_free(&we);
            fcp_buf_free(&w);
            fcp_cbor_enc_free(&enc);
            fcp_buf_free(&out);
        } else if (json_object_get(in, "map")) {
            json_t *m = json_object_get(in, "map");
            enc_begin(&enc, &out);
            fcp_cbor_map_open(&enc);
            const char *key;
            json_t *val;
            json_object_foreach(m, key, val) {
                size_t kl = strlen(key);
                if (kl > 4 && !strcmp(key + kl - 4, "_hex")) {
                    size_t n;
                    uint8_t *b = fcp_t_unhex(json_string_value(val), &n);
                    fcp_cbor_put_text(&enc, key, kl - 4);
                    fcp_cbor_put_bytes(&enc, b, n);
                    free(b);
                } else {
                    fcp_cbor_put_cstr(&enc, key);
                    put_json_int(&enc, val);
                }
            }
            fcp_cbor_map_close(&enc);
            enc_end_check(&enc, &out, want);
        } else if (json_object_get(in, "value") && json_is_object(json_object_get(in, "value"))) {
            /* GoldenStruct {id, name, active}: the CBOR body only (the
             * schema-hash prefix belongs to the object layer) */
            json_t *m = json_object_get(in, "value");
            enc_begin(&enc, &out);
            fcp_cbor_map_open(&enc);
            const char *key;
            json_t *val;
            json_object_foreach(m, key, val) {
                fcp_cbor_put_cstr(&enc, key);
                if (json_is_integer(val))
                    fcp_cbor_put_int(&enc, json_integer_value(val));
                else if (json_is_string(val))
                    fcp_cbor_put_cstr(&enc, json_string_value(val));
                else
                    fcp_cbor_put_bool(&enc, json_is_true(val));
            }
            fcp_cbor_map_close(&enc);
            enc_end_check(&enc, &out, want);
        } else {
            handled = 0;
        }
        if (!CHECK(handled))
            fprintf(stderr, "  unhandled upstream vector %s\n", name);
        used++;
    }
    CHECK_EQ(used, 69);
    json_decref(all);
}

/* ---- conformance/golden/cbor: our recorded decisions ---- */

static const char *golden_files[] = {
    "d-cbor-1-negative-zero.json", "d-cbor-2-default-limits.json",
    "d-cbor-3-length-errors.json", "d-cbor-4-key-order.json",
    "d-cbor-5-simple-two-byte.json",
};

static void test_golden(void)
{
    for (size_t f = 0; f < sizeof golden_files / sizeof golden_files[0]; f++) {
        char path[256];
        snprintf(path, sizeof path, "conformance/golden/cbor/%s", golden_files[f]);
        json_error_t e;
        json_t *doc = json_load_file(path, 0, &e);
        if (!CHECK(doc != NULL)) {
            fprintf(stderr, "  cannot load %s: %s\n", path, e.text);
            continue;
        }
        json_t *vecs = json_object_get(doc, "vectors");
        CHECK(json_array_size(vecs) > 0);
        for (size_t i = 0; i < json_array_size(vecs); i++) {
            json_t *v = json_array_get(vecs, i);
            size_t n;
            uint8_t *b = fcp_t_unhex(fcp_t_jstr(v, "input_hex"), &n);
            fcp_cbor_limits lim = fcp_cbor_limits_default;
            json_t *allow = json_object_get(v, "allow");
            for (size_t k = 0; k < json_array_size(allow); k++) {
                const char *a = json_string_value(json_array_get(allow, k));
                lim.allow |= !strcmp(a, "float") ? FCP_CBOR_ALLOW_FLOAT
                           : !strcmp(a, "tag") ? FCP_CBOR_ALLOW_TAG
                           : !strcmp(a, "simple") ? FCP_CBOR_ALLOW_SIMPLE : 0;
            }
            json_t *mi = json_object_get(v, "max_items");
            if (mi)
                lim.max_items = (uint64_t)json_integer_value(mi);
            const char *want = fcp_t_jstr(v, "expect");   /* "ok" or an error name */
            size_t off = (size_t)-1;
            int rc = fcp_cbor_validate_ex(b ? b : (const uint8_t *)"", n, &lim, &off);
            const char *got = rc ? fcp_error_name(rc) : "ok";
            if (!CHECK(got && !strcmp(got, want)))
                fprintf(stderr, "  %s #%zu: got %s want %s\n", golden_files[f], i, got, want);
            json_t *wo = json_object_get(v, "offset");
            if (wo)
                CHECK_EQ(off, json_integer_value(wo));
            const char *enc_hex = fcp_t_jstr(v, "canonical_hex");
            if (*enc_hex && json_object_get(v, "encode_float")) {
                fcp_buf out;
                fcp_cbor_enc enc;
                enc_begin(&enc, &out);
                fcp_cbor_put_float(&enc, json_real_value(json_object_get(v, "encode_float")));
                enc_end_check(&enc, &out, enc_hex);
            }
            free(b);
        }
        json_decref(doc);
    }
}

int main(void)
{
    test_appendix_a();
    test_upstream();
    test_golden();
    return fcp_t_done("codec_cbor_test");
}
