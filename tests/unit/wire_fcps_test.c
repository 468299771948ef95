/*
 * wire_fcps_test.c - FCPS frame codec, symbol AEAD, frame_seq allocation and
 * MTU sizing: every attested entry of upstream fcps_frames.json, the
 * collector-derived subkey/ciphertexts, and one negative test per validation
 * rule (each expecting its own error code), plus the rule order.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/fcps.h"
#include "fcp/fcps_aead.h"

static uint64_t ju64(const json_t *v)
{
    if (json_is_string(v))
        return strtoull(json_string_value(v), NULL, 10);
    return (uint64_t)json_integer_value(v);
}

/* Hex member -> malloc'd bytes (caller frees). */
static uint8_t *jhex(const json_t *o, const char *key, size_t *len)
{
    size_t n = 0;
    uint8_t *p = fcp_t_unhex(fcp_t_jstr(o, key), &n);
    if (len)
        *len = n;
    return p;
}

static const json_t *find(const json_t *arr, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
        if (!strcmp(fcp_t_jstr(e, "name"), name))
            return e;
    fprintf(stderr, "vector %s missing\n", name);
    CHECK(0);
    return NULL;
}

/* Build a header from an upstream inputs object; the id buffers are
 * malloc'd into ids[0..2] (caller frees). */
static void header_from(const json_t *in, fcp_fcps_header *h, uint8_t *ids[3])
{
    memset(h, 0, sizeof *h);
    ids[0] = jhex(in, "object_id_hex", NULL);
    ids[1] = jhex(in, "zone_key_id_hex", NULL);
    ids[2] = jhex(in, "zone_id_hash_hex", NULL);
    h->version = 1;
    h->flags = (uint16_t)ju64(json_object_get(in, "flags"));
    h->symbol_count = (uint32_t)ju64(json_object_get(in, "symbol_count"));
    h->object_id = ids[0];
    h->symbol_size = (uint16_t)ju64(json_object_get(in, "symbol_size"));
    h->zone_key_id = ids[1];
    h->zone_id_hash = ids[2];
    h->epoch_id = ju64(json_object_get(in, "epoch_id"));
    h->sender_instance_id = ju64(json_object_get(in, "sender_instance_id"));
    h->frame_seq = ju64(json_object_get(in, "frame_seq"));
}

static void free_ids(uint8_t *ids[3])
{
    for (int i = 0; i < 3; i++)
        free(ids[i]);
}

static void check_header_eq(const fcp_fcps_header *a, const fcp_fcps_header *b)
{
    CHECK_EQ(a->flags, b->flags);
    CHECK_EQ(a->symbol_size, b->symbol_size);
    CHECK_MEM(a->object_id, b->object_id, 32);
    CHECK_MEM(a->zone_key_id, b->zone_key_id, 8);
    CHECK_MEM(a->zone_id_hash, b->zone_id_hash, 32);
    CHECK(a->epoch_id == b->epoch_id);
    CHECK(a->sender_instance_id == b->sender_instance_id);
    CHECK(a->frame_seq == b->frame_seq);
}

/* Encode a frame from an entry with "symbols" and compare to want. */
static void encode_entry(const json_t *e, const uint8_t *want, size_t want_len, size_t max_frame)
{
    const json_t *in = json_object_get(e, "inputs");
    fcp_fcps_header h;
    uint8_t *ids[3];
    header_from(in, &h, ids);
    json_t *syms = json_object_get(in, "symbols");
    size_t n = json_array_size(syms);
    fcp_fcps_record recs[4];
    uint8_t *bufs[8];
    for (size_t i = 0; i < n && i < 4; i++) {
        json_t *s = json_array_get(syms, i);
        recs[i].esi = (uint32_t)ju64(json_object_get(s, "esi"));
        recs[i].k = (uint16_t)ju64(json_object_get(s, "k"));
        recs[i].data = bufs[2 * i] = jhex(s, "data_hex", NULL);
        recs[i].tag = bufs[2 * i + 1] = jhex(s, "auth_tag_hex", NULL);
    }
    fcp_fcps_limits lim;
    fcp_fcps_limits_upstream(&lim, max_frame);
    uint8_t out[4096];
    size_t out_len = 0;
    CHECK_ERR(fcp_fcps_encode(out, sizeof out, &out_len, &h, recs, (uint32_t)n, &lim), 0);
    CHECK_EQ(out_len, want_len);
    CHECK_MEM(out, want, want_len);
    /* decode -> same fields -> re-encode identical */
    fcp_fcps_frame f;
    CHECK_ERR(fcp_fcps_decode(want, want_len, &lim, &f), 0);
    check_header_eq(&f.h, &h);
    CHECK_EQ(f.h.symbol_count, n);
    CHECK_EQ(f.h.total_payload_len, want_len - 114);
    fcp_fcps_record back[4];
    for (uint32_t i = 0; i < n && i < 4; i++) {
        fcp_fcps_record_at(&f, i, &back[i]);
        CHECK_EQ(back[i].esi, recs[i].esi);
        CHECK_EQ(back[i].k, recs[i].k);
        CHECK_MEM(back[i].data, recs[i].data, h.symbol_size);
        CHECK_MEM(back[i].tag, recs[i].tag, 16);
    }
    uint8_t again[4096];
    size_t again_len = 0;
    CHECK_ERR(fcp_fcps_encode(again, sizeof again, &again_len, &f.h, back, (uint32_t)n, &lim), 0);
    CHECK_EQ(again_len, want_len);
    CHECK_MEM(again, want, want_len);
    for (size_t i = 0; i < 2 * n && i < 8; i++)
        free(bufs[i]);
    free_ids(ids);
}

static void test_upstream_frames(const json_t *root)
{
    static const char *conf[] = {"conformance_v1_minimal_frame", "conformance_v2_two_symbols",
                                 "conformance_v3_flags_edge_values"};
    for (int c = 0; c < 3; c++) {
        const json_t *e = find(root, conf[c]);
        if (!e)
            continue;
        const json_t *ex = json_object_get(e, "expected");
        size_t fl, hl;
        uint8_t *frame = jhex(ex, "frame_hex", &fl);
        uint8_t *hdr = jhex(ex, "header_hex", &hl);
        CHECK_EQ(hl, 114);
        CHECK_MEM(frame, hdr, 114);
        /* records: concatenation after the header */
        json_t *recs = json_object_get(ex, "symbol_records_hex");
        size_t off = 114, i;
        json_t *r;
        json_array_foreach(recs, i, r) {
            size_t rl;
            uint8_t *rec = fcp_t_unhex(json_string_value(r), &rl);
            CHECK(off + rl <= fl);
            if (off + rl <= fl)
                CHECK_MEM(frame + off, rec, rl);
            off += rl;
            free(rec);
        }
        CHECK_EQ(off, fl);
        encode_entry(e, frame, fl, 65535);
        free(frame);
        free(hdr);
    }

    /* header literal, encode + decode */
    const json_t *e = find(root, "protocol_header_two_symbols_64");
    if (e) {
        const json_t *in = json_object_get(e, "inputs");
        fcp_fcps_header h, d;
        uint8_t *ids[3];
        header_from(in, &h, ids);
        size_t hl;
        uint8_t *want = jhex(json_object_get(e, "expected"), "header_hex", &hl);
        uint8_t out[114];
        CHECK_ERR(fcp_fcps_header_encode(out, &h), 0);
        CHECK_MEM(out, want, 114);
        CHECK_ERR(fcp_fcps_header_decode(want, hl, &d), 0);
        check_header_eq(&d, &h);
        CHECK_EQ(d.symbol_count, 2);
        CHECK_EQ(d.total_payload_len, ju64(json_object_get(in, "total_payload_len")));
        free(want);
        free_ids(ids);
    }
    /* printed-only reference header: check the collector's derived bytes */
    e = find(root, "protocol_reference_header");
    if (e) {
        fcp_fcps_header h;
        uint8_t *ids[3];
        header_from(json_object_get(e, "inputs"), &h, ids);
        uint8_t *want = jhex(json_object_get(e, "derived"), "header_hex", NULL);
        uint8_t out[114];
        CHECK_ERR(fcp_fcps_header_encode(out, &h), 0);
        CHECK_MEM(out, want, 114);
        free(want);
        free_ids(ids);
    }
    e = find(root, "protocol_symbol_record");
    if (e) {
        const json_t *in = json_object_get(e, "inputs");
        uint8_t *data = jhex(in, "data_hex", NULL), *tag = jhex(in, "auth_tag_hex", NULL);
        size_t rl;
        uint8_t *want = jhex(json_object_get(e, "expected"), "record_hex", &rl);
        uint8_t out[86];
        CHECK_EQ(FCP_FCPS_RECORD_BYTES(64), ju64(json_object_get(json_object_get(e, "expected"), "record_len")));
        fcp_fcps_record_encode(out, 64, (uint32_t)ju64(json_object_get(in, "esi")),
                               (uint16_t)ju64(json_object_get(in, "k")), data, tag);
        CHECK_MEM(out, want, rl);
        fcp_fcps_record r;
        CHECK_ERR(fcp_fcps_record_decode(want, rl, 64, &r), 0);
        CHECK_EQ(r.esi, 0x12345678);
        CHECK_EQ(r.k, 100);
        CHECK_MEM(r.data, data, 64);
        CHECK_MEM(r.tag, tag, 16);
        free(data);
        free(tag);
        free(want);
    }
    e = find(root, "protocol_full_frame_roundtrip");
    if (e) {
        size_t fl;
        uint8_t *frame = jhex(json_object_get(e, "derived"), "frame_hex", &fl);
        CHECK_EQ(fl, ju64(json_object_get(json_object_get(e, "expected"), "frame_len")));
        encode_entry(e, frame, fl, 1200);
        free(frame);
    }
    e = find(root, "frame_flag_bits");
    if (e) {
        const json_t *fx = json_object_get(json_object_get(e, "expected"), "flags");
        CHECK_EQ(ju64(json_object_get(fx, "REQUIRES_ACK")), FCP_FCPS_FLAG_REQUIRES_ACK);
        CHECK_EQ(ju64(json_object_get(fx, "COMPRESSED")), FCP_FCPS_FLAG_COMPRESSED);
        CHECK_EQ(ju64(json_object_get(fx, "ENCRYPTED")), FCP_FCPS_FLAG_ENCRYPTED);
        CHECK_EQ(ju64(json_object_get(fx, "RESPONSE")), FCP_FCPS_FLAG_RESPONSE);
        CHECK_EQ(ju64(json_object_get(fx, "ERROR")), FCP_FCPS_FLAG_ERROR);
        CHECK_EQ(ju64(json_object_get(fx, "STREAMING")), FCP_FCPS_FLAG_STREAMING);
        CHECK_EQ(ju64(json_object_get(fx, "STREAM_END")), FCP_FCPS_FLAG_STREAM_END);
        CHECK_EQ(ju64(json_object_get(fx, "HAS_CAP_TOKEN")), FCP_FCPS_FLAG_HAS_CAP_TOKEN);
        CHECK_EQ(ju64(json_object_get(fx, "ZONE_CROSSING")), FCP_FCPS_FLAG_ZONE_CROSSING);
        CHECK_EQ(ju64(json_object_get(fx, "PRIORITY")), FCP_FCPS_FLAG_PRIORITY);
        CHECK_EQ(ju64(json_object_get(fx, "RAPTORQ")), FCP_FCPS_FLAG_RAPTORQ);
        CHECK_EQ(ju64(json_object_get(fx, "CONTROL_PLANE")), FCP_FCPS_FLAG_CONTROL_PLANE);
        CHECK_EQ(ju64(json_object_get(json_object_get(e, "expected"), "default")), FCP_FCPS_FLAGS_DEFAULT);
        CHECK_EQ(ju64(json_object_get(json_object_get(e, "expected"), "known_mask")), FCP_FCPS_FLAGS_KNOWN);
    }
}

static void test_upstream_rejects(const json_t *root)
{
    static const struct { const char *name; int want; } cases[] = {
        {"reject_zero_count_with_payload", FCP_EFCPS_LENGTH_MISMATCH},
        {"reject_symbol_count_overflow", FCP_EFCPS_LENGTH_MISMATCH},
        {"reject_exceeds_mtu", FCP_EFCPS_EXCEEDS_MTU},
        {"reject_malformed_symbol_record", FCP_EFCPS_LENGTH_MISMATCH},
        {"reject_truncated_header", FCP_EFCPS_TOO_SHORT},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const json_t *e = find(root, cases[c].name);
        if (!e)
            continue;
        const json_t *in = json_object_get(e, "inputs");
        size_t fl;
        uint8_t *frame = jhex(in, "frame_hex", &fl);
        json_t *mx = json_object_get(in, "max_datagram_bytes");
        fcp_fcps_limits lim;
        fcp_fcps_limits_upstream(&lim, json_is_null(mx) || !mx ? 65535 : ju64(mx));
        fcp_fcps_frame f;
        CHECK_ERR(fcp_fcps_decode(frame ? frame : (const uint8_t *)"", fl, &lim, &f), cases[c].want);
        CHECK(f.records == NULL);
        free(frame);
    }
    const json_t *e = find(root, "reject_short_symbol_record");
    if (e) {
        const json_t *in = json_object_get(e, "inputs");
        size_t rl;
        uint8_t *rec = jhex(in, "record_hex", &rl);
        fcp_fcps_record r;
        CHECK_ERR(fcp_fcps_record_decode(rec, rl, (uint16_t)ju64(json_object_get(in, "symbol_size")), &r),
                  FCP_EFCPS_RECORD_TRUNCATED);
        free(rec);
    }
}

/* A valid production frame: n symbols of size T, default flags. */
static size_t make_frame(uint8_t *out, size_t cap, uint32_t n, uint16_t T, const fcp_fcps_limits *lim)
{
    static uint8_t oid[32], zkid[8], zh[32], data[16384];
    memset(oid, 0x11, 32);
    memset(zkid, 0x22, 8);
    memset(zh, 0x33, 32);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 1);
    fcp_fcps_header h = {1, FCP_FCPS_FLAGS_DEFAULT, n, 0, oid, T, zkid, zh, 7, 0xABCDEF, 42};
    fcp_fcps_record recs[8];
    for (uint32_t i = 0; i < n && i < 8; i++) {
        recs[i].esi = i;
        recs[i].k = 3;
        recs[i].data = data;
        recs[i].tag = NULL;
    }
    size_t len = 0;
    int rc = fcp_fcps_encode(out, cap, &len, &h, recs, n, lim);
    if (rc) /* checked only on failure: the MTU property loop calls this often */
        CHECK_ERR(rc, 0);
    return len;
}

static int dec(const uint8_t *b, size_t len, const fcp_fcps_limits *lim)
{
    fcp_fcps_frame f;
    return fcp_fcps_decode(b, len, lim, &f);
}

static void test_validation_rules(void)
{
    static uint8_t fr[8192], m[8192];
    fcp_fcps_limits lim;
    fcp_fcps_limits_default(&lim);
    CHECK_EQ(lim.max_frame_bytes, 1160);
    size_t len = make_frame(fr, sizeof fr, 1, 1024, &lim);
    CHECK_EQ(len, 1160); /* 40 + 1160 = 1200: the default datagram exactly */
    CHECK_ERR(dec(fr, len, &lim), 0);

    /* 1. size cap */
    CHECK_ERR(dec(fr, 1161, &lim), FCP_EFCPS_EXCEEDS_MTU);
    /* 2. too short */
    CHECK_ERR(dec(fr, 113, &lim), FCP_EFCPS_TOO_SHORT);
    CHECK_ERR(dec(fr, 0, &lim), FCP_EFCPS_TOO_SHORT);
    /* 3. magic */
    memcpy(m, fr, len); m[3] = 'T';
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_MAGIC);
    /* 4. version */
    memcpy(m, fr, len); m[4] = 2;
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_VERSION);
    memcpy(m, fr, len); m[5] = 1; /* version 257 */
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_VERSION);
    /* 5. flags: unknown bit, ERROR+RESPONSE, STREAM_END without STREAMING */
    memcpy(m, fr, len); m[7] = 0x14; /* 0x1404 */
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_FLAGS_UNKNOWN);
    memcpy(m, fr, len); m[6] = 0x04 | 0x10 | 0x08;
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_FLAGS_ERROR_RESPONSE);
    memcpy(m, fr, len); m[6] = 0x04 | 0x40;
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_FLAGS_STREAM_END);
    memcpy(m, fr, len); m[6] = 0x04 | 0x40 | 0x20; /* with STREAMING: fine */
    CHECK_ERR(dec(m, len, &lim), 0);
    CHECK_ERR(fcp_fcps_flags_check(0xFFFF), FCP_EFCPS_FLAGS_UNKNOWN);
    CHECK_ERR(fcp_fcps_flags_check(0x0FFF & ~0x10), 0);
    /* 6. symbol size: 0, below 256, above 16384 (limits) */
    memcpy(m, fr, len); m[48] = 0; m[49] = 0;
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_SYMBOL_SIZE);
    memcpy(m, fr, len); m[48] = 0xFF; m[49] = 0x00;
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_SYMBOL_SIZE);
    fcp_fcps_limits big = lim;
    big.max_frame_bytes = 70000;
    memcpy(m, fr, len); m[48] = 0x01; m[49] = 0x40; /* 16385 */
    CHECK_ERR(dec(m, len, &big), FCP_EFCPS_SYMBOL_SIZE);
    /* 7. total_payload_len != count*(22+T) */
    memcpy(m, fr, len); m[12] ^= 1;
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_LENGTH_MISMATCH);
    memcpy(m, fr, len); m[8] = 2; /* count 2 with one record's total */
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_LENGTH_MISMATCH);
    /* 8. count 0 (and total 0), count > max */
    memcpy(m, fr, len); memset(m + 8, 0, 8);
    CHECK_ERR(dec(m, 114, &lim), FCP_EFCPS_SYMBOL_COUNT);
    fcp_fcps_limits one = big;
    one.max_symbol_count = 1;
    size_t len2 = make_frame(fr + 4096, 4096, 2, 256, &lim);
    CHECK_ERR(dec(fr + 4096, len2, &lim), 0);
    CHECK_ERR(dec(fr + 4096, len2, &one), FCP_EFCPS_SYMBOL_COUNT);
    /* 9. frame length != 114 + total */
    CHECK_ERR(dec(fr, len - 1, &lim), FCP_EFCPS_FRAME_SIZE_MISMATCH);
    memcpy(m, fr, len); m[len] = 0;
    CHECK_ERR(dec(m, len + 1, &big), FCP_EFCPS_FRAME_SIZE_MISMATCH);

    /* order: each earlier rule wins over every later one */
    memcpy(m, fr, len); m[0] = 'X'; m[4] = 9; m[7] = 0xFF; m[49] = 0;
    CHECK_ERR(dec(m, 1161, &lim), FCP_EFCPS_EXCEEDS_MTU);
    CHECK_ERR(dec(m, 100, &lim), FCP_EFCPS_TOO_SHORT);
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_MAGIC);
    m[0] = 'F';
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_VERSION);
    m[4] = 1;
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_FLAGS_UNKNOWN);
    m[6] = 0x04; m[7] = 0x04;
    CHECK_ERR(dec(m, len - 5, &lim), FCP_EFCPS_SYMBOL_SIZE);
    m[48] = 0x00; m[49] = 0x04;
    m[12] ^= 1; m[8] = 0;
    CHECK_ERR(dec(m, len - 5, &lim), FCP_EFCPS_LENGTH_MISMATCH);

    /* production limits refuse the upstream tiny-symbol frames (D-WIRE-1) */
    static const uint8_t tiny_hdr_t8[2] = {8, 0};
    memcpy(m, fr, len); memcpy(m + 48, tiny_hdr_t8, 2);
    CHECK_ERR(dec(m, len, &lim), FCP_EFCPS_SYMBOL_SIZE);

    /* the encoder refuses what the decoder would */
    fcp_fcps_frame f;
    CHECK_ERR(fcp_fcps_decode(fr, len, &lim, &f), 0);
    fcp_fcps_record r;
    fcp_fcps_record_at(&f, 0, &r);
    uint8_t out[2048];
    size_t ol;
    fcp_fcps_header h = f.h;
    h.flags = 0x8000;
    CHECK_ERR(fcp_fcps_encode(out, sizeof out, &ol, &h, &r, 1, &lim), FCP_EFCPS_FLAGS_UNKNOWN);
    h = f.h;
    CHECK_ERR(fcp_fcps_encode(out, 1159, &ol, &h, &r, 1, &lim), FCP_EBUFFER_TOO_SMALL);
    CHECK_ERR(fcp_fcps_encode(out, sizeof out, &ol, &h, &r, 0, &lim), FCP_EFCPS_SYMBOL_COUNT);
    h.symbol_size = 255;
    CHECK_ERR(fcp_fcps_encode(out, sizeof out, &ol, &h, &r, 1, &lim), FCP_EFCPS_SYMBOL_SIZE);
    fcp_fcps_limits small = lim;
    small.max_frame_bytes = 1000;
    h = f.h;
    CHECK_ERR(fcp_fcps_encode(out, sizeof out, &ol, &h, &r, 1, &small), FCP_EFCPS_EXCEEDS_MTU);
    h.flags = FCP_FCPS_FLAG_STREAM_END;
    CHECK_ERR(fcp_fcps_header_encode(out, &h), FCP_EFCPS_FLAGS_STREAM_END);
}

static void test_aead_vectors(const json_t *root)
{
    const json_t *e = find(root, "nonce12_derivation");
    if (e) {
        json_t *cases = json_object_get(json_object_get(e, "inputs"), "cases");
        json_t *want = json_object_get(json_object_get(e, "expected"), "nonce12_hex");
        size_t i;
        json_t *c;
        json_array_foreach(cases, i, c) {
            uint8_t n[12];
            fcp_fcps_nonce12(n, ju64(json_object_get(c, "frame_seq")), (uint32_t)ju64(json_object_get(c, "esi")));
            uint8_t *w = fcp_t_unhex(json_string_value(json_array_get(want, i)), NULL);
            CHECK_MEM(n, w, 12);
            free(w);
        }
        CHECK_EQ(i, 3);
    }
    e = find(root, "nonce24_derivation");
    if (e) {
        json_t *cases = json_object_get(json_object_get(e, "inputs"), "cases");
        json_t *want = json_object_get(json_object_get(e, "expected"), "nonce24_hex");
        size_t i;
        json_t *c;
        json_array_foreach(cases, i, c) {
            uint8_t n[24];
            fcp_fcps_nonce24(n, ju64(json_object_get(c, "sender_instance_id")),
                             ju64(json_object_get(c, "frame_seq")), (uint32_t)ju64(json_object_get(c, "esi")));
            uint8_t *w = fcp_t_unhex(json_string_value(json_array_get(want, i)), NULL);
            CHECK_MEM(n, w, 24);
            free(w);
        }
        CHECK_EQ(i, 2);
    }
    e = find(root, "symbol_aad");
    if (e) {
        const json_t *in = json_object_get(e, "inputs");
        uint8_t *oid = jhex(in, "object_id_hex", NULL), *zh = jhex(in, "zone_id_hash_hex", NULL),
                *zk = jhex(in, "zone_key_id_hex", NULL);
        size_t al;
        uint8_t *want = jhex(json_object_get(e, "expected"), "aad_hex", &al);
        uint8_t aad[FCP_FCPS_AAD_BYTES];
        CHECK_EQ(al, FCP_FCPS_AAD_BYTES);
        fcp_fcps_symbol_aad(aad, oid, (uint32_t)ju64(json_object_get(in, "esi")),
                            (uint16_t)ju64(json_object_get(in, "k")), zh, zk, ju64(json_object_get(in, "epoch_id")));
        CHECK_MEM(aad, want, 86);
        free(oid); free(zh); free(zk); free(want);
    }
    e = find(root, "sender_subkey_derivation");
    if (e) {
        const json_t *in = json_object_get(e, "inputs");
        uint8_t *zk = jhex(in, "zone_key_hex", NULL), *kid = jhex(in, "zone_key_id_hex", NULL);
        uint8_t *want = jhex(json_object_get(e, "derived"), "subkey_hex", NULL);
        const char *node = fcp_t_jstr(in, "sender_node_id");
        uint8_t sk[32], sk2[32];
        CHECK_ERR(fcp_fcps_sender_subkey(sk, zk, kid, (const uint8_t *)node, strlen(node),
                                         ju64(json_object_get(in, "sender_instance_id"))), 0);
        CHECK_MEM(sk, want, 32);
        /* the instance id matters (upstream asserts this property) */
        CHECK_ERR(fcp_fcps_sender_subkey(sk2, zk, kid, (const uint8_t *)node, strlen(node), 1), 0);
        CHECK(memcmp(sk, sk2, 32) != 0);
        CHECK_ERR(fcp_fcps_sender_subkey(sk2, zk, kid, (const uint8_t *)node, 0, 1), FCP_EINVAL);
        free(zk); free(kid); free(want);
    }
    static const char *enc[] = {"symbol_encrypt_chacha20poly1305", "symbol_encrypt_xchacha20poly1305"};
    for (int a = 0; a < 2; a++) {
        e = find(root, enc[a]);
        if (!e)
            continue;
        const json_t *in = json_object_get(e, "inputs"), *dv = json_object_get(e, "derived");
        fcp_fcps_header h;
        uint8_t *ids[3];
        header_from(in, &h, ids);
        uint8_t *zk = jhex(in, "zone_key_hex", NULL);
        size_t pl;
        uint8_t *pt = jhex(in, "plaintext_hex", &pl);
        uint8_t *wsub = jhex(dv, "subkey_hex", NULL), *wct = jhex(dv, "ciphertext_hex", NULL),
                *wtag = jhex(dv, "auth_tag_hex", NULL);
        const char *node = fcp_t_jstr(in, "sender_node_id");
        uint8_t sk[32], tag[16], buf[64];
        CHECK_ERR(fcp_fcps_sender_subkey(sk, zk, h.zone_key_id, (const uint8_t *)node, strlen(node),
                                         h.sender_instance_id), 0);
        CHECK_MEM(sk, wsub, 32);
        fcp_fcps_aead_alg alg = a == 0 ? FCP_FCPS_AEAD_CHACHA20POLY1305 : FCP_FCPS_AEAD_XCHACHA20POLY1305;
        uint32_t esi = (uint32_t)ju64(json_object_get(in, "esi"));
        uint16_t k = (uint16_t)ju64(json_object_get(in, "k"));
        memcpy(buf, pt, pl);
        CHECK_ERR(fcp_fcps_symbol_seal(alg, sk, &h, esi, k, buf, pl, tag), 0);
        CHECK_MEM(buf, wct, pl);
        CHECK_MEM(tag, wtag, 16);
        CHECK_ERR(fcp_fcps_symbol_open(alg, sk, &h, esi, k, buf, pl, tag), 0);
        CHECK_MEM(buf, pt, pl);
        /* each AAD/nonce input is bound: change one, open fails */
        fcp_fcps_header h2 = h;
        h2.epoch_id++;
        memcpy(buf, wct, pl);
        CHECK_ERR(fcp_fcps_symbol_open(alg, sk, &h2, esi, k, buf, pl, tag), FCP_EFCPS_SYMBOL_AUTH);
        CHECK(fcp_ct_is_zero(buf, pl));
        h2 = h;
        h2.frame_seq++;
        memcpy(buf, wct, pl);
        CHECK_ERR(fcp_fcps_symbol_open(alg, sk, &h2, esi, k, buf, pl, tag), FCP_EFCPS_SYMBOL_AUTH);
        memcpy(buf, wct, pl);
        CHECK_ERR(fcp_fcps_symbol_open(alg, sk, &h, esi, (uint16_t)(k + 1), buf, pl, tag), FCP_EFCPS_SYMBOL_AUTH);
        memcpy(buf, wct, pl);
        CHECK_ERR(fcp_fcps_symbol_open(alg, sk, &h, esi + 1, k, buf, pl, tag), FCP_EFCPS_SYMBOL_AUTH);
        h2 = h;
        h2.sender_instance_id ^= 1; /* in the XChaCha nonce only */
        memcpy(buf, wct, pl);
        CHECK_ERR(fcp_fcps_symbol_open(alg, sk, &h2, esi, k, buf, pl, tag), a == 0 ? 0 : FCP_EFCPS_SYMBOL_AUTH);
        CHECK_ERR(fcp_fcps_symbol_seal((fcp_fcps_aead_alg)9, sk, &h, esi, k, buf, pl, tag), FCP_EFCPS_AEAD_ALG);
        CHECK_ERR(fcp_fcps_symbol_open((fcp_fcps_aead_alg)9, sk, &h, esi, k, buf, pl, tag), FCP_EFCPS_AEAD_ALG);
        free(zk); free(pt); free(wsub); free(wct); free(wtag);
        free_ids(ids);
    }
}

static void test_frame_seal_open(void)
{
    static uint8_t fr[4096], plain[4096];
    fcp_fcps_limits lim;
    fcp_fcps_limits_default(&lim);
    lim.max_frame_bytes = 4096;
    size_t len = make_frame(fr, sizeof fr, 3, 512, &lim);
    memcpy(plain, fr, len);
    uint8_t sk[32];
    memset(sk, 0x5A, 32);
    for (int a = 1; a <= 2; a++) {
        fcp_fcps_aead_alg alg = (fcp_fcps_aead_alg)a;
        memcpy(fr, plain, len);
        CHECK_ERR(fcp_fcps_frame_seal(fr, len, &lim, alg, sk), 0);
        CHECK(memcmp(fr + 114 + 6, plain + 114 + 6, 512) != 0);
        CHECK_MEM(fr, plain, 114); /* header untouched */
        uint8_t sealed[4096];
        memcpy(sealed, fr, len);
        fcp_fcps_frame f;
        CHECK_ERR(fcp_fcps_frame_open(fr, len, &lim, alg, sk, &f), 0);
        CHECK_MEM(fr + 114, plain + 114, 6 + 512); /* record 0 data back */
        fcp_fcps_record r;
        fcp_fcps_record_at(&f, 2, &r);
        CHECK_MEM(r.data, plain + 114 + 2 * 534 + 6, 512);
        /* tamper: last record's tag -> whole frame refused, all data zeroed */
        memcpy(fr, sealed, len);
        fr[len - 1] ^= 1;
        CHECK_ERR(fcp_fcps_frame_open(fr, len, &lim, alg, sk, &f), FCP_EFCPS_SYMBOL_AUTH);
        for (int i = 0; i < 3; i++)
            CHECK(fcp_ct_is_zero(fr + 114 + i * 534 + 6, 512));
        /* tamper: header object id (in the AAD) */
        memcpy(fr, sealed, len);
        fr[20] ^= 1;
        CHECK_ERR(fcp_fcps_frame_open(fr, len, &lim, alg, sk, &f), FCP_EFCPS_SYMBOL_AUTH);
        /* wrong key */
        memcpy(fr, sealed, len);
        uint8_t sk2[32];
        memset(sk2, 0x5B, 32);
        CHECK_ERR(fcp_fcps_frame_open(fr, len, &lim, alg, sk2, &f), FCP_EFCPS_SYMBOL_AUTH);
        /* malformed frame: decode error surfaces */
        memcpy(fr, sealed, len);
        CHECK_ERR(fcp_fcps_frame_open(fr, len - 1, &lim, alg, sk, &f), FCP_EFCPS_FRAME_SIZE_MISMATCH);
        CHECK_ERR(fcp_fcps_frame_seal(fr, 10, &lim, alg, sk), FCP_EFCPS_TOO_SHORT);
    }
}

static void test_seq_alloc(void)
{
    fcp_fcps_seq_slot slots[2];
    fcp_fcps_seq_table t;
    fcp_fcps_seq_init(&t, slots, 2);
    uint8_t za[32], zb[32], zc[32], k1[8], k2[8];
    memset(za, 1, 32); memset(zb, 2, 32); memset(zc, 3, 32);
    memset(k1, 1, 8); memset(k2, 2, 8);
    uint64_t s;
    CHECK_ERR(fcp_fcps_seq_next(&t, za, k1, &s), 0); CHECK(s == 1);
    CHECK_ERR(fcp_fcps_seq_next(&t, za, k1, &s), 0); CHECK(s == 2);
    CHECK_ERR(fcp_fcps_seq_next(&t, za, k2, &s), 0); CHECK(s == 1); /* new key id: own counter */
    CHECK_ERR(fcp_fcps_seq_next(&t, zc, k1, &s), FCP_EFCPS_SEQ_TABLE_FULL);
    CHECK_ERR(fcp_fcps_seq_claim(&t, za, k1, 2), FCP_EFCPS_SEQ_REUSE);
    CHECK_ERR(fcp_fcps_seq_claim(&t, za, k1, 1), FCP_EFCPS_SEQ_REUSE);
    CHECK_ERR(fcp_fcps_seq_claim(&t, za, k1, 10), 0);
    CHECK_ERR(fcp_fcps_seq_claim(&t, za, k1, 10), FCP_EFCPS_SEQ_REUSE);
    CHECK_ERR(fcp_fcps_seq_next(&t, za, k1, &s), 0); CHECK(s == 11);
    CHECK_ERR(fcp_fcps_seq_claim(&t, za, k1, UINT64_MAX), 0);
    CHECK_ERR(fcp_fcps_seq_next(&t, za, k1, &s), FCP_EFCPS_SEQ_EXHAUSTED);
    CHECK_ERR(fcp_fcps_seq_claim(&t, za, k1, UINT64_MAX), FCP_EFCPS_SEQ_REUSE);
    (void)zb;
}

static void test_mtu(void)
{
    uint16_t T;
    CHECK_ERR(fcp_fcps_symbol_size_for(1200, 1, &T), 0);
    CHECK_EQ(T, 1024);
    CHECK_EQ(40 + 114 + 22 + 1024, 1200);
    CHECK_ERR(fcp_fcps_symbol_size_for(1150, 1, &T), 0); /* QUIC DATAGRAM-sized carrier */
    CHECK_EQ(T, 968);
    CHECK_ERR(fcp_fcps_symbol_size_for(1400, 1, &T), 0);
    CHECK_EQ(T, 1224);
    CHECK_ERR(fcp_fcps_symbol_size_for(1200, 2, &T), 0);
    CHECK_EQ(T, 496);
    CHECK_ERR(fcp_fcps_symbol_size_for(65535, 1, &T), 0);
    CHECK_EQ(T, 16384);
    CHECK_ERR(fcp_fcps_symbol_size_for(432, 1, &T), 0);
    CHECK_EQ(T, 256);
    CHECK_ERR(fcp_fcps_symbol_size_for(431, 1, &T), FCP_EFCPS_MTU_TOO_SMALL);
    CHECK_EQ(T, 0);
    CHECK_ERR(fcp_fcps_symbol_size_for(100, 1, &T), FCP_EFCPS_MTU_TOO_SMALL);
    CHECK_ERR(fcp_fcps_symbol_size_for(0, 1, &T), FCP_EFCPS_MTU_TOO_SMALL);
    CHECK_ERR(fcp_fcps_symbol_size_for(1200, 0, &T), FCP_EFCPS_SYMBOLS_PER_FRAME);
    CHECK_ERR(fcp_fcps_symbol_size_for(65535, 257, &T), FCP_EFCPS_SYMBOLS_PER_FRAME);
    CHECK_ERR(fcp_fcps_symbol_size_for(65536, 1, &T), FCP_EINVAL);
    CHECK_EQ(fcp_wire_effective_max_datagram(0, 0), 1200);
    CHECK_EQ(fcp_wire_effective_max_datagram(1500, 1150), 1150);
    CHECK_EQ(fcp_wire_effective_max_datagram(1150, 0), 1150);
    CHECK_EQ(fcp_wire_effective_max_datagram(0, 1400), 1200);
    CHECK_EQ(fcp_wire_effective_max_datagram(65535, 65535), 65535);

    /* property: for every limit and count, the chosen shape fits, is maximal
     * up to the 8-byte rounding, and the frame encoder accepts it */
    static uint8_t buf[70000];
    int bad = 0;
    for (uint32_t max = 150; max <= 65535; max += (max < 3000 ? 1 : 97)) {
        for (uint32_t n = 1; n <= 4; n++) {
            int rc = fcp_fcps_symbol_size_for(max, n, &T);
            uint64_t used = 40 + 114 + (uint64_t)n * (22 + T);
            if (rc == 0) {
                if (used > max || T % 8 || T < 256 || T > 16384)
                    bad++;
                if (T < 16384 && 40 + 114 + (uint64_t)n * (22 + T + 8) <= max)
                    bad++;
                if (max < 3000 && n == 1) {
                    fcp_fcps_limits lim;
                    fcp_fcps_limits_for_datagram(&lim, max);
                    if (make_frame(buf, sizeof buf, n, T, &lim) + 40 > max)
                        bad++;
                }
            } else if (rc != FCP_EFCPS_MTU_TOO_SMALL || 40 + 114 + (uint64_t)n * (22 + 256) <= max) {
                bad++;
            }
        }
    }
    CHECK_EQ(bad, 0);
}

/* decoder_corpus fuzz seeds: no upstream expectation; the collector's
 * reference-model verdict (decode with a 65535-byte cap) must match ours under
 * the upstream profile, and the production limits must refuse them all. */
static void test_decoder_corpus(void)
{
    json_t *root = fcp_t_load_json("upstream/decoder_corpus.json");
    if (!root)
        return;
    static const struct { const char *verdict; int code; } map[] = {
        {"TooShort", FCP_EFCPS_TOO_SHORT}, {"InvalidMagic", FCP_EFCPS_MAGIC},
        {"UnsupportedVersion", FCP_EFCPS_VERSION}, {"InvalidSymbolSize", FCP_EFCPS_SYMBOL_SIZE},
    };
    size_t i, seen = 0;
    json_t *e;
    json_array_foreach(root, i, e) {
        if (strncmp(fcp_t_jstr(e, "name"), "fcps_frame_", 11))
            continue;
        size_t len;
        uint8_t *b = jhex(json_object_get(e, "inputs"), "bytes_hex", &len);
        const char *v = fcp_t_jstr(json_object_get(e, "derived"), "reference_decoder_verdict");
        int want = 1;
        for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
            if (!strcmp(v, map[k].verdict))
                want = map[k].code;
        fcp_fcps_limits up, prod;
        fcp_fcps_limits_upstream(&up, 65535);
        fcp_fcps_limits_default(&prod);
        CHECK_ERR(dec(b ? b : (const uint8_t *)"", len, &up), want);
        CHECK(dec(b ? b : (const uint8_t *)"", len, &prod) < 0);
        free(b);
        seen++;
    }
    CHECK_EQ(seen, 20);
    json_decref(root);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    json_t *root = fcp_t_load_json("upstream/fcps_frames.json");
    if (root) {
        test_upstream_frames(root);
        test_upstream_rejects(root);
        test_aead_vectors(root);
        json_decref(root);
    }
    test_validation_rules();
    test_decoder_corpus();
    test_frame_seal_open();
    test_seq_alloc();
    test_mtu();
    return fcp_t_done("wire_fcps_test");
}
