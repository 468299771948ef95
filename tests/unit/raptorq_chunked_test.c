/*
 * raptorq_chunked_test.c - RaptorQConfig, the FCP object -> OTI rule
 * (D-RQ-1), repair budget (D-RQ-2) and chunked objects (D-RQ-4), against
 * conformance/golden/raptorq/fcp_object_oti.json (symbols from npm raptorq
 * and liblcrq) and chunked_objects.json (cbor2 + noble BLAKE3), plus the
 * rejection of every malformed or inconsistent input with its error code.
 */
#include <stdlib.h>

#include "fcp/buf.h"
#include "fcp/cbor.h"
#include "fcp/chunked.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_ids.h"
#include "fcp/model_object.h"
#include "fcp/raptorq.h"
#include "test.h"

#define OTI_FILE   "conformance/golden/raptorq/fcp_object_oti.json"
#define CHUNK_FILE "conformance/golden/raptorq/chunked_objects.json"

static void xorshift_bytes(uint32_t seed, uint8_t *out, size_t n)
{
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = (uint8_t)x;
    }
}

static json_t *load(const char *path)
{
    size_t len;
    uint8_t *txt = fcp_t_read_file(path, &len);
    json_error_t jerr;
    json_t *j = txt ? json_loadb((const char *)txt, len, 0, &jerr) : NULL;
    free(txt);
    CHECK(j != NULL);
    return j;
}

static long long jint(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* ---- config and repair budget (D-RQ-2) ---------------------------------- */

static void test_config(const json_t *g)
{
    fcp_rq_config c, bad;
    const json_t *gc = json_object_get(g, "config");
    fcp_rq_config_default(&c);
    CHECK_EQ(c.symbol_size, jint(gc, "symbol_size"));
    CHECK_EQ(c.repair_ratio_bps, jint(gc, "repair_ratio_bps"));
    CHECK_EQ(c.max_object_size, jint(gc, "max_object_size"));
    CHECK_EQ(c.decode_timeout_ms, jint(gc, "decode_timeout_ms"));
    CHECK_EQ(c.max_chunk_threshold, jint(gc, "max_chunk_threshold"));
    CHECK_EQ(c.chunk_size, jint(gc, "chunk_size"));
    CHECK_ERR(fcp_rq_config_validate(&c), 0);

    const json_t *rc = json_object_get(g, "repair_counts");
    for (size_t i = 0; i < json_array_size(rc); i++) {
        const json_t *e = json_array_get(rc, i);
        CHECK_EQ(fcp_rq_config_repair_symbols(&c, (uint32_t)jint(e, "K")), jint(e, "R"));
    }
    CHECK_EQ(fcp_rq_config_source_symbols(&c, 1), 1);
    CHECK_EQ(fcp_rq_config_source_symbols(&c, 1024), 1);
    CHECK_EQ(fcp_rq_config_source_symbols(&c, 1025), 2);
    bad = c;
    bad.repair_ratio_bps = 0;
    CHECK_EQ(fcp_rq_config_repair_symbols(&bad, 1000), 0);

    CHECK_ERR(fcp_rq_config_validate(NULL), FCP_EINVAL);
    bad = c; bad.symbol_size = 0;            CHECK_ERR(fcp_rq_config_validate(&bad), FCP_EINVAL);
    bad = c; bad.repair_ratio_bps = 10001;   CHECK_ERR(fcp_rq_config_validate(&bad), FCP_EINVAL);
    bad = c; bad.chunk_size = 0;             CHECK_ERR(fcp_rq_config_validate(&bad), FCP_EINVAL);
    bad = c; bad.chunk_size = c.max_chunk_threshold + 1;
    CHECK_ERR(fcp_rq_config_validate(&bad), FCP_EINVAL);
    bad = c; bad.max_chunk_threshold = c.max_object_size + 1;
    CHECK_ERR(fcp_rq_config_validate(&bad), FCP_EINVAL);
    bad = c; bad.decode_timeout_ms = 0;      CHECK_ERR(fcp_rq_config_validate(&bad), FCP_EINVAL);
    bad = c; bad.symbol_size = 4;            /* 256 KiB / 4 = 65536 > 56403 */
    CHECK_ERR(fcp_rq_config_validate(&bad), FCP_EINVAL);
    bad.symbol_size = 5;
    CHECK_ERR(fcp_rq_config_validate(&bad), 0);
}

/* ---- chunk plans ------------------------------------------------------------ */

static void test_plans(const json_t *g)
{
    fcp_rq_config c;
    fcp_chunk_plan p;
    uint64_t off;
    uint32_t len;
    fcp_rq_config_default(&c);
    const json_t *ps = json_object_get(g, "chunk_plans");
    CHECK(json_array_size(ps) >= 4);
    for (size_t i = 0; i < json_array_size(ps); i++) {
        const json_t *e = json_array_get(ps, i);
        uint64_t total = (uint64_t)jint(e, "total_len");
        CHECK_EQ(fcp_rq_config_requires_chunking(&c, total),
                 json_is_true(json_object_get(e, "requires_chunking")));
        if (!CHECK_ERR(fcp_chunk_plan_make(&c, total, &p), 0))
            continue;
        CHECK_EQ(p.n_chunks, jint(e, "n_chunks"));
        CHECK_ERR(fcp_chunk_plan_check(&c, &p), 0);
        CHECK_ERR(fcp_chunk_span(&p, p.n_chunks - 1, &off, &len), 0);
        CHECK_EQ(len, jint(e, "last_chunk_len"));
        CHECK_EQ(off + len, total);
        CHECK_ERR(fcp_chunk_span(&p, 0, &off, &len), 0);
        CHECK_EQ(off, 0);
        CHECK_ERR(fcp_chunk_span(&p, p.n_chunks, &off, &len), FCP_EOUT_OF_RANGE);
    }
    CHECK_ERR(fcp_chunk_plan_make(&c, 0, &p), FCP_EINVAL);
    CHECK_ERR(fcp_chunk_plan_make(&c, (uint64_t)c.max_object_size + 1, &p), FCP_ETOO_LARGE);

    /* plans read from a manifest */
    fcp_chunk_plan q = { .total_len = 300000, .chunk_size = 65536, .n_chunks = 5 };
    CHECK_ERR(fcp_chunk_plan_check(&c, &q), 0);
    q.n_chunks = 4;          CHECK_ERR(fcp_chunk_plan_check(&c, &q), FCP_ERQ_CHUNK);
    q.n_chunks = 6;          CHECK_ERR(fcp_chunk_plan_check(&c, &q), FCP_ERQ_CHUNK);
    q = (fcp_chunk_plan){ .total_len = 0, .chunk_size = 65536, .n_chunks = 0 };
    CHECK_ERR(fcp_chunk_plan_check(&c, &q), FCP_ERQ_CHUNK);
    q = (fcp_chunk_plan){ .total_len = 300000, .chunk_size = 0, .n_chunks = 5 };
    CHECK_ERR(fcp_chunk_plan_check(&c, &q), FCP_ERQ_CHUNK);
    q = (fcp_chunk_plan){ .total_len = 300000, .chunk_size = 300000, .n_chunks = 1 };
    CHECK_ERR(fcp_chunk_plan_check(&c, &q), FCP_ERQ_CHUNK); /* chunk above threshold */
    q = (fcp_chunk_plan){ .total_len = (uint64_t)c.max_object_size + 1, .chunk_size = 65536,
                          .n_chunks = 1025 };
    CHECK_ERR(fcp_chunk_plan_check(&c, &q), FCP_ETOO_LARGE);
    /* tiny chunks: more ids than our own chunking of our largest object */
    q = (fcp_chunk_plan){ .total_len = 2000000, .chunk_size = 1, .n_chunks = 2000000 };
    CHECK_ERR(fcp_chunk_plan_check(&c, &q), FCP_ETOO_LARGE);
    q = (fcp_chunk_plan){ .total_len = 1000, .chunk_size = 1, .n_chunks = 1000 };
    CHECK_ERR(fcp_chunk_plan_check(&c, &q), 0);
}

/* ---- D-RQ-1: the FCP object OTI ----------------------------------------------- */

static void test_fcp_oti_vector(const json_t *v)
{
    uint64_t len = (uint64_t)jint(v, "object_len");
    uint32_t K, wantK = (uint32_t)jint(v, "K");
    const json_t *d = json_object_get(v, "data"), *syms = json_object_get(v, "symbols");
    size_t olen;
    uint8_t *want_oti = fcp_t_unhex(fcp_t_jstr(v, "fcp_oti_hex"), &olen);
    uint8_t got_oti[FCP_RQ_OTI_BYTES];
    fcp_rq_oti oti;
    fcp_rq_object_encoder *enc = NULL;
    fcp_rq_decoder *dec = NULL;
    uint8_t *obj = malloc(len), *block = NULL, *sym = NULL;

    printf("  D-RQ-1 vector %s\n", fcp_t_jstr(v, "name"));
    if (!CHECK(obj && want_oti && olen == FCP_RQ_OTI_BYTES))
        goto out;
    xorshift_bytes((uint32_t)jint(d, "xorshift32_seed"), obj, len);
    {
        size_t hl;
        uint8_t h[FCP_SHA256_BYTES], *wh = fcp_t_unhex(fcp_t_jstr(d, "sha256"), &hl);
        fcp_sha256(h, obj, len);
        CHECK(wh && hl == sizeof h && !memcmp(h, wh, sizeof h));
        free(wh);
    }
    /* the two inputs a receiver has: k from the records, T from the frame */
    uint16_t T = (uint16_t)((want_oti[6] << 8) | want_oti[7]);
    if (!CHECK_ERR(fcp_rq_fcp_k(len, T, &K), 0) || !CHECK_EQ(K, wantK))
        goto out;
    if (!CHECK_ERR(fcp_rq_fcp_oti(K, T, 0, &oti), 0))
        goto out;
    fcp_rq_oti_encode(&oti, got_oti);
    CHECK_MEM(got_oti, want_oti, FCP_RQ_OTI_BYTES);
    CHECK_ERR(fcp_rq_oti_validate(&oti), 0);

    block = malloc((size_t)K * T);
    sym = malloc(T);
    if (!CHECK(block && sym))
        goto out;
    CHECK_ERR(fcp_rq_fcp_pad(obj, len, T, block, (size_t)K * T - 1), FCP_EBUFFER_TOO_SMALL);
    if (!CHECK_ERR(fcp_rq_fcp_pad(obj, len, T, block, (size_t)K * T), 0) ||
        !CHECK_ERR(fcp_rq_object_encoder_new(&enc, &oti, block, NULL), 0))
        goto out;
    /* sender: our symbols under the D-RQ-1 OTI equal the oracles' at exact F */
    for (size_t i = 0; i < json_array_size(syms); i++) {
        const json_t *s = json_array_get(syms, i);
        uint32_t esi = (uint32_t)jint(s, "esi");
        size_t wl;
        uint8_t *w = fcp_t_unhex(fcp_t_jstr(s, "hex"), &wl);
        if (CHECK(w && wl == T) && CHECK_ERR(fcp_rq_object_encoder_symbol(enc, 0, esi, sym), 0))
            CHECK_MEM(sym, w, T);
        free(w);
    }
    /* receiver: decode from repair symbols first, then source, then unpad */
    if (!CHECK_ERR(fcp_rq_decoder_new(&dec, &oti, NULL), 0))
        goto out;
    int rc = FCP_ERQ_NEED_MORE;
    for (uint32_t esi = K + 3; esi < 2 * K + 3 && rc == FCP_ERQ_NEED_MORE; esi++) {
        fcp_rq_object_encoder_symbol(enc, 0, esi, sym);
        rc = fcp_rq_decoder_add(dec, 0, esi, sym, T);
    }
    for (uint32_t esi = 0; esi < K && rc == FCP_ERQ_NEED_MORE; esi++) {
        fcp_rq_object_encoder_symbol(enc, 0, esi, sym);
        rc = fcp_rq_decoder_add(dec, 0, esi, sym, T);
    }
    const uint8_t *out;
    size_t n;
    if (CHECK_ERR(rc, 0) && CHECK_ERR(fcp_rq_decoder_result(dec, &out, &n), 0) &&
        CHECK_EQ(n, (size_t)K * T)) {
        CHECK_MEM(out, obj, len);
        CHECK_ERR(fcp_rq_fcp_unpad(out, K, T, len), 0);
    }
out:
    fcp_rq_decoder_free(dec);
    fcp_rq_object_encoder_free(enc);
    free(want_oti);
    free(obj);
    free(block);
    free(sym);
}

static void test_fcp_oti_rules(void)
{
    fcp_rq_oti oti;
    uint32_t K;
    uint8_t blk[8 * 4];
    CHECK_ERR(fcp_rq_fcp_k(0, 1024, &K), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_fcp_k(10, 0, &K), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_fcp_k((uint64_t)FCP_RQ_MAX_K * 1024, 1024, &K), 0);
    CHECK_EQ(K, FCP_RQ_MAX_K);
    CHECK_ERR(fcp_rq_fcp_k((uint64_t)FCP_RQ_MAX_K * 1024 + 1, 1024, &K), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_fcp_oti(0, 1024, 0, &oti), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_fcp_oti(FCP_RQ_MAX_K + 1, 8, 0, &oti), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_fcp_oti(10, 0, 0, &oti), FCP_ERQ_OTI);
    CHECK_ERR(fcp_rq_fcp_oti(FCP_RQ_MAX_K, 65535, 0, &oti), FCP_ERQ_LIMIT); /* 3.7 GB > 64 MiB */
    CHECK_ERR(fcp_rq_fcp_oti(100, 1000, 99999, &oti), FCP_ERQ_LIMIT);
    CHECK_ERR(fcp_rq_fcp_oti(100, 1000, 100000, &oti), 0);
    CHECK(oti.F == 100000 && oti.T == 1000 && oti.Z == 1 && oti.N == 1 && oti.Al == 1);
    CHECK_ERR(fcp_rq_fcp_oti(1, 1, 0, &oti), 0);              /* any T: Al = 1 */
    CHECK_ERR(fcp_rq_oti_validate(&oti), 0);

    /* unpad: exactly one (K, padding) per object */
    memset(blk, 0, sizeof blk);
    memset(blk, 0xab, 29);                      /* 29 bytes, T = 4 -> K = 8 */
    CHECK_ERR(fcp_rq_fcp_unpad(blk, 8, 4, 29), 0);
    CHECK_ERR(fcp_rq_fcp_unpad(blk, 8, 4, 28), FCP_ERQ_PADDING);  /* byte 28 is not 0 */
    CHECK_ERR(fcp_rq_fcp_unpad(blk, 8, 4, 32), 0);                /* object ends in zeros */
    CHECK_ERR(fcp_rq_fcp_unpad(blk, 8, 4, 33), FCP_ERQ_PADDING);  /* needs K = 9 */
    CHECK_ERR(fcp_rq_fcp_unpad(blk, 8, 4, 28 - 4), FCP_ERQ_PADDING); /* K = 6, not minimal */
    CHECK_ERR(fcp_rq_fcp_unpad(blk, 8, 4, 0), FCP_ERQ_PADDING);
    blk[31] = 1;
    CHECK_ERR(fcp_rq_fcp_unpad(blk, 8, 4, 29), FCP_ERQ_PADDING);  /* non-zero padding */
}

/* ---- bodies (D-RQ-4) ------------------------------------------------------------ */

static void test_bodies(const json_t *g)
{
    fcp_rq_config c;
    fcp_rq_config_default(&c);
    const json_t *rb = json_object_get(g, "raw_chunk_bodies");
    CHECK(json_array_size(rb) >= 3);
    for (size_t i = 0; i < json_array_size(rb); i++) {
        const json_t *e = json_array_get(rb, i);
        size_t bl, wl, n;
        uint8_t *bytes = fcp_t_unhex(fcp_t_jstr(e, "bytes_hex"), &bl);
        uint8_t *want = fcp_t_unhex(fcp_t_jstr(e, "body_hex"), &wl);
        const uint8_t *p;
        fcp_buf b;
        fcp_buf_init(&b);
        if (CHECK(bytes && want) && CHECK_ERR(fcp_raw_chunk_body_encode(bytes, bl, &b), 0) &&
            CHECK_EQ(b.len, wl))
            CHECK_MEM(b.data, want, wl);
        if (CHECK_ERR(fcp_raw_chunk_body_decode(want, wl, 65536, &p, &n), 0) && CHECK_EQ(n, bl))
            CHECK(n == 0 || !memcmp(p, bytes, n));
        if (bl > 1)
            CHECK_ERR(fcp_raw_chunk_body_decode(want, wl, bl - 1, &p, &n), FCP_ETOO_LARGE);
        /* wrong schema prefix, truncated, trailing byte */
        want[0] ^= 1;
        CHECK_ERR(fcp_raw_chunk_body_decode(want, wl, 65536, &p, &n), FCP_ESCHEMA_MISMATCH);
        want[0] ^= 1;
        CHECK(fcp_raw_chunk_body_decode(want, wl - 1, 65536, &p, &n) < 0);
        fcp_buf_reset(&b);
        fcp_buf_append(&b, want, wl);
        fcp_buf_put_u8(&b, 0);
        CHECK(fcp_raw_chunk_body_decode(b.data, b.len, 65536, &p, &n) < 0);
        fcp_buf_free(&b);
        free(bytes);
        free(want);
    }
    /* an extra key, and a body that is not a map */
    {
        fcp_schema_id s;
        fcp_buf cb, body;
        fcp_cbor_enc e;
        const uint8_t *p;
        size_t n;
        fcp_raw_chunk_schema(&s);
        fcp_buf_init(&cb);
        fcp_buf_init(&body);
        fcp_cbor_enc_init(&e, &cb);
        fcp_cbor_map_open(&e);
        fcp_cbor_put_cstr(&e, "bytes");
        fcp_cbor_put_bytes(&e, "x", 1);
        fcp_cbor_put_cstr(&e, "extra");
        fcp_cbor_put_uint(&e, 1);
        fcp_cbor_map_close(&e);
        CHECK_ERR(fcp_cbor_enc_finish(&e), 0);
        fcp_cbor_enc_free(&e);
        CHECK_ERR(fcp_payload_encode(&s, cb.data, cb.len, &body), 0);
        CHECK_ERR(fcp_raw_chunk_body_decode(body.data, body.len, 100, &p, &n), FCP_EUNKNOWN_FIELD);
        fcp_buf_reset(&cb);
        fcp_buf_reset(&body);
        fcp_cbor_enc_init(&e, &cb);
        fcp_cbor_put_bytes(&e, "x", 1);
        CHECK_ERR(fcp_cbor_enc_finish(&e), 0);
        fcp_cbor_enc_free(&e);
        CHECK_ERR(fcp_payload_encode(&s, cb.data, cb.len, &body), 0);
        CHECK(fcp_raw_chunk_body_decode(body.data, body.len, 100, &p, &n) < 0);
        fcp_buf_free(&cb);
        fcp_buf_free(&body);
    }

    /* manifest body */
    const json_t *m = json_object_get(g, "manifest"), *ids = json_object_get(m, "chunk_ids_hex");
    const json_t *pd = json_object_get(m, "payload");
    size_t plen = (size_t)jint(pd, "len"), wl, hl;
    uint8_t *payload = malloc(plen), *want = fcp_t_unhex(fcp_t_jstr(m, "body_hex"), &wl);
    uint8_t *wh = fcp_t_unhex(fcp_t_jstr(m, "payload_hash_hex"), &hl);
    uint8_t idbuf[5 * 32];
    if (!CHECK(payload && want && wh && hl == 32 && json_array_size(ids) == 5))
        goto out;
    for (size_t i = 0; i < 5; i++) {
        size_t il;
        uint8_t *id = fcp_t_unhex(json_string_value(json_array_get(ids, i)), &il);
        CHECK(id && il == 32);
        if (id)
            memcpy(idbuf + i * 32, id, 32);
        free(id);
    }
    xorshift_bytes((uint32_t)jint(pd, "xorshift32_seed"), payload, plen);
    fcp_chunk_manifest man = { .chunks = idbuf };
    CHECK_ERR(fcp_chunk_plan_make(&c, plen, &man.plan), 0);
    fcp_chunk_payload_hash(man.payload_hash, payload, plen);
    CHECK_MEM(man.payload_hash, wh, 32);
    fcp_buf b;
    fcp_buf_init(&b);
    if (CHECK_ERR(fcp_chunk_manifest_body_encode(&man, &b), 0) && CHECK_EQ(b.len, wl))
        CHECK_MEM(b.data, want, wl);
    fcp_buf_free(&b);

    fcp_chunk_manifest got;
    if (CHECK_ERR(fcp_chunk_manifest_body_decode(&c, want, wl, &got), 0)) {
        CHECK_EQ(got.plan.total_len, plen);
        CHECK_EQ(got.plan.chunk_size, 65536);
        CHECK_EQ(got.plan.n_chunks, 5);
        CHECK_MEM(got.payload_hash, wh, 32);
        for (uint32_t i = 0; i < 5; i++)
            CHECK_MEM(fcp_chunk_manifest_id(&got, i), idbuf + i * 32, 32);
        CHECK(fcp_chunk_manifest_id(&got, 5) == NULL);
    }
    /* a receiver with a smaller max_object_size refuses it before the ids */
    fcp_rq_config small = c;
    small.max_object_size = 299999;
    CHECK_ERR(fcp_chunk_manifest_body_decode(&small, want, wl, &got), FCP_ETOO_LARGE);
    want[0] ^= 1;
    CHECK_ERR(fcp_chunk_manifest_body_decode(&c, want, wl, &got), FCP_ESCHEMA_MISMATCH);
    want[0] ^= 1;
    /* inconsistent plans, encoded as they would arrive */
    {
        fcp_chunk_manifest bad = man;
        fcp_buf bb;
        fcp_buf_init(&bb);
        bad.plan.n_chunks = 4; /* 300000 bytes need 5 chunks */
        CHECK_ERR(fcp_chunk_manifest_body_encode(&bad, &bb), 0);
        CHECK_ERR(fcp_chunk_manifest_body_decode(&c, bb.data, bb.len, &got), FCP_ERQ_CHUNK);
        fcp_buf_reset(&bb);
        bad = man;
        bad.plan.chunk_size = 70000;
        bad.plan.n_chunks = 5;
        CHECK_ERR(fcp_chunk_manifest_body_encode(&bad, &bb), 0);
        CHECK_ERR(fcp_chunk_manifest_body_decode(&c, bb.data, bb.len, &got), 0);
        fcp_buf_reset(&bb);
        bad.plan.chunk_size = 300000; /* above the chunk threshold */
        bad.plan.n_chunks = 1;
        CHECK_ERR(fcp_chunk_manifest_body_encode(&bad, &bb), 0);
        CHECK_ERR(fcp_chunk_manifest_body_decode(&c, bb.data, bb.len, &got), FCP_ERQ_CHUNK);
        fcp_buf_free(&bb);
    }
    /* a chunk id of 31 bytes */
    {
        fcp_schema_id s;
        fcp_buf cb, body;
        fcp_cbor_enc e;
        fcp_chunk_manifest_schema(&s);
        fcp_buf_init(&cb);
        fcp_buf_init(&body);
        fcp_cbor_enc_init(&e, &cb);
        fcp_cbor_map_open(&e);
        fcp_cbor_put_cstr(&e, "chunks");
        fcp_cbor_put_array(&e, 1);
        fcp_cbor_put_bytes(&e, idbuf, 31);
        fcp_cbor_put_cstr(&e, "total_len");
        fcp_cbor_put_uint(&e, 10);
        fcp_cbor_put_cstr(&e, "chunk_size");
        fcp_cbor_put_uint(&e, 65536);
        fcp_cbor_put_cstr(&e, "payload_hash");
        fcp_cbor_put_bytes(&e, wh, 32);
        fcp_cbor_map_close(&e);
        CHECK_ERR(fcp_cbor_enc_finish(&e), 0);
        fcp_cbor_enc_free(&e);
        CHECK_ERR(fcp_payload_encode(&s, cb.data, cb.len, &body), 0);
        CHECK_ERR(fcp_chunk_manifest_body_decode(&c, body.data, body.len, &got), FCP_EOBJECT);
        fcp_buf_free(&cb);
        fcp_buf_free(&body);
    }
out:
    free(payload);
    free(want);
    free(wh);
}

/* ---- split and reassemble end to end ------------------------------------------- */

#define MAXCH 8
typedef struct store {
    uint32_t n;
    fcp_buf  body[MAXCH];
    uint8_t  id[MAXCH][32];
    fcp_object_header *hdr; /* the chunk header (same for every chunk) */
} store;

static int keep_chunk(void *ctx, uint32_t i, const fcp_object_header *h, const uint8_t *body,
                      size_t body_len, const uint8_t id[32])
{
    store *s = ctx;
    if (i != s->n || i >= MAXCH)
        return FCP_EINTERNAL;
    fcp_buf_init(&s->body[i]);
    fcp_buf_append(&s->body[i], body, body_len);
    memcpy(s->id[i], id, 32);
    *s->hdr = *h;
    s->n++;
    return 0;
}

static void test_split_reassemble(void)
{
    fcp_rq_config c;
    fcp_schema_id schema;
    fcp_object_header *h = calloc(1, sizeof *h), *ch = calloc(1, sizeof *ch);
    fcp_object_id_key key;
    size_t len = 300000;
    uint8_t *payload = malloc(len), mid[32], mid2[32];
    store st = { .hdr = ch };
    fcp_buf man;
    fcp_chunk_manifest m;
    fcp_chunk_assembler a = { 0 };
    const uint8_t *bytes, *out;
    size_t n;

    fcp_buf_init(&man);
    if (!CHECK(h && ch && payload))
        goto done;
    fcp_rq_config_default(&c);
    xorshift_bytes(9, payload, len);
    memset(key.bytes, 0x42, sizeof key.bytes);
    CHECK_ERR(fcp_schema_id_init(&schema, "fcp.test", "Blob", 1, 0, 0), 0);
    if (!CHECK_ERR(fcp_object_header_init(h, &schema, "z:private", 1700000000), 0))
        goto done;

    /* below the threshold: only with force */
    CHECK_ERR(fcp_chunked_split(&c, h, &key, payload, 1000, 0, keep_chunk, &st, &man, mid),
              FCP_EINVAL);
    if (!CHECK_ERR(fcp_chunked_split(&c, h, &key, payload, len, 0, keep_chunk, &st, &man, mid), 0))
        goto done;
    CHECK_EQ(st.n, 5);
    {
        fcp_schema_id rs, ms;
        fcp_raw_chunk_schema(&rs);
        fcp_chunk_manifest_schema(&ms);
        CHECK(fcp_schema_id_equal(&ch->schema, &rs));
        /* manifest id = ObjectId(header with manifest schema, body) */
        fcp_object_header *mh = calloc(1, sizeof *mh);
        if (CHECK(mh)) {
            *mh = *h;
            mh->schema = ms;
            CHECK_ERR(fcp_object_derive_id(mid2, mh, man.data, man.len, &key), 0);
            CHECK_MEM(mid2, mid, 32);
        }
        free(mh);
    }

    if (!CHECK_ERR(fcp_chunk_manifest_body_decode(&c, man.data, man.len, &m), 0))
        goto done;
    CHECK_EQ(m.plan.n_chunks, 5);
    if (!CHECK_ERR(fcp_chunk_assembler_init(&a, &c, &m.plan, m.payload_hash), 0))
        goto done;
    CHECK_EQ(fcp_chunk_assembler_missing(&a), 5);
    CHECK_ERR(fcp_chunk_assembler_finish(&a, &out, &n), FCP_ERQ_NEED_MORE);
    static const uint32_t order[5] = { 3, 0, 4, 2, 1 };
    for (int k = 0; k < 5; k++) {
        uint32_t i = order[k];
        if (!CHECK_ERR(fcp_raw_chunk_verify(ch, st.body[i].data, st.body[i].len, &key,
                                            fcp_chunk_manifest_id(&m, i), c.chunk_size, &bytes, &n),
                       0))
            continue;
        /* a chunk verified against a different slot's id is refused */
        CHECK_ERR(fcp_raw_chunk_verify(ch, st.body[i].data, st.body[i].len, &key,
                                       fcp_chunk_manifest_id(&m, (i + 1) % 5), c.chunk_size,
                                       &bytes, &n),
                  FCP_ERQ_CHUNK);
        CHECK_ERR(fcp_chunk_assembler_add(&a, i, bytes, n), 0);
        CHECK_ERR(fcp_chunk_assembler_add(&a, i, bytes, n), 0); /* identical repeat */
        if (k == 0) {
            CHECK_ERR(fcp_chunk_assembler_add(&a, i, bytes, n - 1), FCP_ERQ_CHUNK);
            uint8_t *tw = malloc(n);
            if (CHECK(tw)) {
                memcpy(tw, bytes, n);
                tw[0] ^= 1;
                CHECK_ERR(fcp_chunk_assembler_add(&a, i, tw, n), FCP_ERQ_CHUNK);
            }
            free(tw);
            CHECK_ERR(fcp_chunk_assembler_add(&a, 5, bytes, n), FCP_EOUT_OF_RANGE);
        }
    }
    CHECK_EQ(fcp_chunk_assembler_missing(&a), 0);
    if (CHECK_ERR(fcp_chunk_assembler_finish(&a, &out, &n), 0) && CHECK_EQ(n, len))
        CHECK_MEM(out, payload, len);

    /* a tampered chunk body no longer matches its id; a wrong schema is named */
    st.body[2].data[st.body[2].len - 1] ^= 1;
    CHECK_ERR(fcp_raw_chunk_verify(ch, st.body[2].data, st.body[2].len, &key,
                                   fcp_chunk_manifest_id(&m, 2), c.chunk_size, &bytes, &n),
              FCP_ERQ_CHUNK);
    st.body[2].data[st.body[2].len - 1] ^= 1;
    CHECK_ERR(fcp_raw_chunk_verify(h, st.body[2].data, st.body[2].len, &key,
                                   fcp_chunk_manifest_id(&m, 2), c.chunk_size, &bytes, &n),
              FCP_ESCHEMA_MISMATCH);
    fcp_chunk_assembler_free(&a);

    /* every chunk right but the manifest's payload hash wrong: caught end to end */
    {
        uint8_t badhash[32];
        memcpy(badhash, m.payload_hash, 32);
        badhash[31] ^= 0x80;
        if (CHECK_ERR(fcp_chunk_assembler_init(&a, &c, &m.plan, badhash), 0)) {
            for (uint32_t i = 0; i < 5; i++) {
                uint64_t off;
                uint32_t cl;
                fcp_chunk_span(&m.plan, i, &off, &cl);
                CHECK_ERR(fcp_chunk_assembler_add(&a, i, payload + off, cl), 0);
            }
            CHECK_ERR(fcp_chunk_assembler_finish(&a, &out, &n), FCP_ERQ_PAYLOAD_HASH);
        }
        fcp_chunk_assembler_free(&a);
    }
    /* an assembler for a manifest the config refuses allocates nothing */
    {
        fcp_chunk_plan huge = { .total_len = (uint64_t)1 << 40, .chunk_size = 65536,
                                .n_chunks = 1u << 24 };
        CHECK_ERR(fcp_chunk_assembler_init(&a, &c, &huge, m.payload_hash), FCP_ETOO_LARGE);
        CHECK(a.buf == NULL);
        CHECK_ERR(fcp_chunk_assembler_add(&a, 0, payload, 1), FCP_EINVAL);
        fcp_chunk_assembler_free(&a);
    }
done:
    for (uint32_t i = 0; i < st.n; i++)
        fcp_buf_free(&st.body[i]);
    fcp_buf_free(&man);
    free(h);
    free(ch);
    free(payload);
}

int main(void)
{
    json_t *g = load(CHUNK_FILE), *o = load(OTI_FILE);
    if (g) {
        test_config(g);
        test_plans(g);
        test_bodies(g);
    }
    const json_t *vs = json_object_get(o, "vectors");
    CHECK(json_array_size(vs) >= 5);
    for (size_t i = 0; i < json_array_size(vs); i++)
        test_fcp_oti_vector(json_array_get(vs, i));
    test_fcp_oti_rules();
    test_split_reassemble();
    json_decref(g);
    json_decref(o);
    return fcp_t_done("raptorq_chunked");
}
