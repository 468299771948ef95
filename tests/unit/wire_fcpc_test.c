/*
 * wire_fcpc_test.c - FCPC control-plane frames: the three upstream
 * conformance frames byte for byte (seal, encode, decode, open), the header
 * layouts, every upstream reject case with its exact code and order, the
 * per-direction sequence/replay rules, and the incremental stream decoder
 * (arbitrary chunking, backpressure, early header rejection, bounded buffer).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/fcpc.h"
#include "fcp/rng.h"

static uint64_t ju64(const json_t *v)
{
    if (json_is_string(v))
        return strtoull(json_string_value(v), NULL, 10);
    return (uint64_t)json_integer_value(v);
}

static uint8_t *jhex(const json_t *o, const char *key, size_t *len)
{
    size_t n = 0;
    uint8_t *p = fcp_t_unhex(fcp_t_jstr(o, key), &n);
    if (len)
        *len = n;
    return p;
}

static fcp_wire_dir jdir(const json_t *in)
{
    return !strcmp(fcp_t_jstr(in, "direction"), "r2i") ? FCP_WIRE_R2I : FCP_WIRE_I2R;
}

static void test_upstream(void)
{
    json_t *root = fcp_t_load_json("upstream/fcpc_frames.json");
    if (!root)
        return;
    size_t i;
    json_t *e;
    int conf = 0, headers = 0, seals = 0, rejects = 0;
    json_array_foreach(root, i, e) {
        const char *name = fcp_t_jstr(e, "name");
        const json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        if (!strncmp(name, "conformance_", 12) || !strncmp(name, "seal_", 5)) {
            const json_t *src = !strncmp(name, "seal_", 5) ? json_object_get(e, "derived") : ex;
            size_t pl, fl;
            uint8_t *sid = jhex(in, "session_id_hex", NULL), *key = jhex(in, "k_ctx_hex", NULL);
            uint8_t *pt = jhex(in, "plaintext_hex", &pl), *want = jhex(src, "frame_hex", &fl);
            uint8_t *wh = jhex(src, "header_hex", NULL), *wtag = jhex(src, "tag_hex", NULL);
            uint64_t seq = ju64(json_object_get(in, "seq"));
            uint16_t flags = (uint16_t)ju64(json_object_get(in, "flags"));
            fcp_wire_dir dir = jdir(in);
            uint8_t out[256];
            size_t ol;
            CHECK_ERR(fcp_fcpc_seal(out, sizeof out, &ol, key, sid, dir, seq, flags, pt, pl,
                                    FCP_FCPC_DEFAULT_MAX_PAYLOAD), 0);
            CHECK_EQ(ol, fl);
            CHECK_MEM(out, want, fl);
            CHECK_MEM(out, wh, 36);
            CHECK_MEM(out + 36 + pl, wtag, 16);
            if (json_object_get(ex, "frame_len")) {
                CHECK_EQ(ol, ju64(json_object_get(ex, "frame_len")));
                CHECK_EQ(fcp_load_u32le(out + 32), ju64(json_object_get(ex, "len_field")));
            }
            fcp_fcpc_frame f;
            CHECK_ERR(fcp_fcpc_decode(want, fl, FCP_FCPC_DEFAULT_MAX_PAYLOAD, &f), 0);
            CHECK_MEM(f.session_id, sid, 16);
            CHECK(f.seq == seq);
            CHECK_EQ(f.flags, flags | FCP_FCPC_FLAG_ENCRYPTED);
            CHECK_EQ(f.len, pl);
            uint8_t back[256];
            CHECK_ERR(fcp_fcpc_open(&f, key, dir, back), 0);
            if (pl)
                CHECK_MEM(back, pt, pl);
            /* the other direction's nonce does not open it */
            CHECK_ERR(fcp_fcpc_open(&f, key, (fcp_wire_dir)(dir ^ 1), back), FCP_EFCPC_CRYPTO);
            /* in-place seal gives the same bytes */
            uint8_t inplace[256];
            if (pl)
                memcpy(inplace + 36, pt, pl);
            CHECK_ERR(fcp_fcpc_seal(inplace, sizeof inplace, &ol, key, sid, dir, seq, flags, inplace + 36,
                                    pl, FCP_FCPC_DEFAULT_MAX_PAYLOAD), 0);
            CHECK_MEM(inplace, want, fl);
            free(sid); free(key); free(pt); free(want); free(wh); free(wtag);
            if (name[0] == 'c')
                conf++;
            else
                seals++;
        } else if (!strncmp(name, "header_", 7)) {
            uint8_t *sid = jhex(in, "session_id_hex", NULL);
            size_t hl;
            uint8_t *want = jhex(ex, "header_hex", &hl);
            uint8_t out[36];
            uint64_t seq = ju64(json_object_get(in, "seq"));
            uint32_t len = (uint32_t)ju64(json_object_get(in, "len"));
            uint16_t flags = (uint16_t)ju64(json_object_get(in, "flags"));
            CHECK_ERR(fcp_fcpc_header_encode(out, sid, seq, flags, len), 0);
            CHECK_MEM(out, want, 36);
            fcp_fcpc_frame f;
            CHECK_ERR(fcp_fcpc_header_decode(want, hl, FCP_FCPC_DEFAULT_MAX_PAYLOAD, &f), 0);
            CHECK(f.seq == seq);
            CHECK_EQ(f.flags, flags);
            CHECK_EQ(f.len, len);
            CHECK_MEM(f.session_id, sid, 16);
            free(sid);
            free(want);
            headers++;
        } else if (!strncmp(name, "reject_", 7)) {
            size_t bl;
            const char *hk = json_object_get(in, "bytes_hex") ? "bytes_hex" : "frame_hex";
            uint8_t *b = jhex(in, hk, &bl);
            const char *err = fcp_t_jstr(ex, "error");
            int want = 0;
            if (!strncmp(err, "InvalidMagic", 12)) want = FCP_EFCPC_MAGIC;
            else if (!strncmp(err, "UnsupportedVersion", 18)) want = FCP_EFCPC_VERSION;
            else if (!strncmp(err, "TooShort", 8)) want = FCP_EFCPC_TOO_SHORT;
            else if (!strncmp(err, "PayloadTooLarge", 15)) want = FCP_EFCPC_PAYLOAD_TOO_LARGE;
            else if (!strncmp(err, "LengthMismatch", 14)) want = FCP_EFCPC_LENGTH_MISMATCH;
            else if (!strncmp(err, "Crypto", 6)) want = FCP_EFCPC_CRYPTO;
            CHECK(want != 0);
            json_t *lim = json_object_get(in, "max_payload_len");
            uint32_t max = lim ? (uint32_t)ju64(lim) : FCP_FCPC_DEFAULT_MAX_PAYLOAD;
            fcp_fcpc_frame f;
            int rc = fcp_fcpc_decode(b, bl, max, &f);
            if (want == FCP_EFCPC_CRYPTO) {
                CHECK_ERR(rc, 0);
                uint8_t *key = jhex(in, "k_ctx_hex", NULL);
                uint8_t pt[64];
                CHECK_ERR(fcp_fcpc_open(&f, key, jdir(in), pt), FCP_EFCPC_CRYPTO);
                CHECK(fcp_ct_is_zero(pt, f.len));
                free(key);
            } else {
                CHECK_ERR(rc, want);
            }
            free(b);
            rejects++;
        }
    }
    CHECK_EQ(conf, 3);
    CHECK_EQ(seals, 2);
    CHECK_EQ(headers, 4);
    CHECK_EQ(rejects, 8);
    json_decref(root);
}

static const uint8_t SID[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static uint8_t KEY[32];

static void test_rules(void)
{
    uint8_t fr[128], m[128];
    size_t fl;
    const uint8_t pt[4] = {'p', 'i', 'n', 'g'};
    CHECK_ERR(fcp_fcpc_seal(fr, sizeof fr, &fl, KEY, SID, FCP_WIRE_I2R, 5, 0, pt, 4, 1024), 0);
    CHECK_EQ(fl, 56);
    fcp_fcpc_frame f;
    /* each rule, its own code */
    CHECK_ERR(fcp_fcpc_decode(fr, 51, 1024, &f), FCP_EFCPC_TOO_SHORT);
    memcpy(m, fr, fl); m[3] = 'S';
    CHECK_ERR(fcp_fcpc_decode(m, fl, 1024, &f), FCP_EFCPC_MAGIC);
    memcpy(m, fr, fl); m[4] = 0;
    CHECK_ERR(fcp_fcpc_decode(m, fl, 1024, &f), FCP_EFCPC_VERSION);
    memcpy(m, fr, fl); m[30] = 0x05;
    CHECK_ERR(fcp_fcpc_decode(m, fl, 1024, &f), FCP_EFCPC_FLAGS);
    memcpy(m, fr, fl); m[31] = 0x80;
    CHECK_ERR(fcp_fcpc_decode(m, fl, 1024, &f), FCP_EFCPC_FLAGS);
    CHECK_ERR(fcp_fcpc_decode(fr, fl, 3, &f), FCP_EFCPC_PAYLOAD_TOO_LARGE);
    CHECK_ERR(fcp_fcpc_decode(fr, fl - 1, 1024, &f), FCP_EFCPC_LENGTH_MISMATCH);
    memcpy(m, fr, fl); m[fl] = 0;
    CHECK_ERR(fcp_fcpc_decode(m, fl + 1, 1024, &f), FCP_EFCPC_LENGTH_MISMATCH);
    memcpy(m, fr, fl); m[32] = 0xFF; m[33] = 0xFF; m[34] = 0xFF; m[35] = 0xFF; /* len 2^32-1 */
    CHECK_ERR(fcp_fcpc_decode(m, fl, 0xFFFFFFFFu, &f), FCP_EFCPC_LENGTH_MISMATCH);
    /* order: magic before version before flags before size */
    memcpy(m, fr, fl); m[0] = 0; m[4] = 9; m[30] = 0xF0;
    CHECK_ERR(fcp_fcpc_decode(m, 40, 1024, &f), FCP_EFCPC_TOO_SHORT);
    CHECK_ERR(fcp_fcpc_decode(m, fl, 0, &f), FCP_EFCPC_MAGIC);
    m[0] = 'F';
    CHECK_ERR(fcp_fcpc_decode(m, fl, 0, &f), FCP_EFCPC_VERSION);
    m[4] = 1;
    CHECK_ERR(fcp_fcpc_decode(m, fl - 3, 0, &f), FCP_EFCPC_FLAGS);
    m[30] = 1;
    CHECK_ERR(fcp_fcpc_decode(m, fl - 3, 0, &f), FCP_EFCPC_PAYLOAD_TOO_LARGE);
    /* every AAD field is bound: flags, seq, session id */
    CHECK_ERR(fcp_fcpc_decode(fr, fl, 1024, &f), 0);
    CHECK_EQ(f.flags, FCP_FCPC_FLAG_ENCRYPTED);
    uint8_t out[8];
    static const size_t pos[] = {6, 21, 22, 29, 30, 36, 39, 40, 55};
    for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
        memcpy(m, fr, fl);
        m[pos[i]] ^= pos[i] == 30 ? 0x02 : 0x01; /* keep flags valid */
        CHECK_ERR(fcp_fcpc_decode(m, fl, 1024, &f), 0);
        CHECK_ERR(fcp_fcpc_open(&f, KEY, FCP_WIRE_I2R, out), FCP_EFCPC_CRYPTO);
    }
    /* seal refusals */
    CHECK_ERR(fcp_fcpc_seal(m, sizeof m, &fl, KEY, SID, FCP_WIRE_I2R, 1, 0x0004, pt, 4, 1024), FCP_EFCPC_FLAGS);
    CHECK_ERR(fcp_fcpc_seal(m, sizeof m, &fl, KEY, SID, FCP_WIRE_I2R, 1, 0, pt, 4, 3), FCP_EFCPC_PAYLOAD_TOO_LARGE);
    CHECK_ERR(fcp_fcpc_seal(m, 55, &fl, KEY, SID, FCP_WIRE_I2R, 1, 0, pt, 4, 1024), FCP_EBUFFER_TOO_SMALL);
    CHECK_ERR(fcp_fcpc_header_encode(m, SID, 1, 0x10, 0), FCP_EFCPC_FLAGS);
    CHECK_ERR(fcp_fcpc_header_decode(m, 35, 10, &f), FCP_EFCPC_TOO_SHORT);
}

static void test_tx_rx(void)
{
    for (int w = 0; w < 2; w++) {
        uint64_t window = w ? 128 : 1;
        fcp_fcpc_tx tx;
        fcp_fcpc_rx rx;
        fcp_fcpc_tx_init(&tx, SID, KEY, FCP_WIRE_R2I, 1024);
        fcp_fcpc_rx_init(&rx, SID, KEY, FCP_WIRE_R2I, 1024, window);
        uint8_t f1[128], f2[128], f3[128], pt[64];
        size_t l1, l2, l3, pl;
        uint16_t fl;
        CHECK_ERR(fcp_fcpc_tx_seal(&tx, f1, sizeof f1, &l1, 0, (const uint8_t *)"one", 3), 0);
        CHECK_ERR(fcp_fcpc_tx_seal(&tx, f2, sizeof f2, &l2, FCP_FCPC_FLAG_COMPRESSED, (const uint8_t *)"two", 3), 0);
        CHECK_ERR(fcp_fcpc_tx_seal(&tx, f3, sizeof f3, &l3, 0x8, (const uint8_t *)"bad", 3), FCP_EFCPC_FLAGS);
        CHECK(tx.next_seq == 3); /* failed seal consumed nothing */
        CHECK_ERR(fcp_fcpc_tx_seal(&tx, f3, sizeof f3, &l3, 0, (const uint8_t *)"three", 5), 0);
        CHECK(fcp_load_u64le(f1 + 22) == 1); /* first seq is 1 */
        CHECK_ERR(fcp_fcpc_rx_open(&rx, f1, l1, pt, sizeof pt, &pl, &fl), 0);
        CHECK_EQ(pl, 3);
        CHECK_MEM(pt, "one", 3);
        CHECK_ERR(fcp_fcpc_rx_open(&rx, f1, l1, pt, sizeof pt, &pl, &fl), FCP_EREPLAY_DUPLICATE);
        /* skip 2, take 3, then 2 arrives late: accepted only with reordering allowed */
        CHECK_ERR(fcp_fcpc_rx_open(&rx, f3, l3, pt, sizeof pt, &pl, &fl), 0);
        CHECK_ERR(fcp_fcpc_rx_open(&rx, f2, l2, pt, sizeof pt, &pl, &fl), w ? 0 : FCP_EREPLAY_STALE);
        if (w) {
            CHECK_EQ(fl, FCP_FCPC_FLAG_ENCRYPTED | FCP_FCPC_FLAG_COMPRESSED);
            CHECK_MEM(pt, "two", 3);
        }
        /* forged seq far ahead: crypto fails, window does not move */
        uint8_t m[128];
        memcpy(m, f3, l3);
        m[29] = 0x40;
        fcp_replay_window before = rx.win;
        CHECK_ERR(fcp_fcpc_rx_open(&rx, m, l3, pt, sizeof pt, &pl, &fl), FCP_EFCPC_CRYPTO);
        CHECK_MEM(&before, &rx.win, sizeof before);
        /* other session */
        memcpy(m, f3, l3);
        m[6] ^= 1;
        CHECK_ERR(fcp_fcpc_rx_open(&rx, m, l3, pt, sizeof pt, &pl, &fl), FCP_EFCPC_SESSION);
        /* plaintext buffer too small */
        CHECK_ERR(fcp_fcpc_tx_seal(&tx, f3, sizeof f3, &l3, 0, (const uint8_t *)"four", 4), 0);
        CHECK_ERR(fcp_fcpc_rx_open(&rx, f3, l3, pt, 3, &pl, &fl), FCP_EBUFFER_TOO_SMALL);
        CHECK_ERR(fcp_fcpc_rx_open(&rx, f3, l3, pt, 4, &pl, NULL), 0);
        /* seq 0 from an authentic sender is refused */
        CHECK_ERR(fcp_fcpc_seal(m, sizeof m, &l3, KEY, SID, FCP_WIRE_R2I, 0, 0, pt, 1, 1024), 0);
        CHECK_ERR(fcp_fcpc_rx_open(&rx, m, l3, pt, sizeof pt, &pl, &fl), FCP_EREPLAY_SEQ_ZERO);
        /* exhaustion */
        tx.next_seq = UINT64_MAX;
        CHECK_ERR(fcp_fcpc_tx_seal(&tx, m, sizeof m, &l3, 0, pt, 1), 0);
        CHECK_ERR(fcp_fcpc_tx_seal(&tx, m, sizeof m, &l3, 0, pt, 1), FCP_EFCPC_SEQ_EXHAUSTED);
        fcp_fcpc_tx_wipe(&tx);
        fcp_fcpc_rx_wipe(&rx);
        CHECK(fcp_ct_is_zero(&tx, sizeof tx));
    }
}

#define NFRAMES 200
#define MAXP    300

static void test_stream(void)
{
    static uint8_t wire[NFRAMES * (MAXP + 52)];
    static size_t ends[NFRAMES];
    static uint8_t sbuf[MAXP + 52];
    fcp_rng_xoshiro r;
    fcp_rng_xoshiro_init(&r, 99);
    fcp_fcpc_tx tx;
    fcp_fcpc_tx_init(&tx, SID, KEY, FCP_WIRE_I2R, MAXP);
    size_t total = 0;
    uint8_t pt[MAXP];
    for (int i = 0; i < NFRAMES; i++) {
        size_t pl = (size_t)fcp_rng_xoshiro_below(&r, MAXP + 1), fl;
        memset(pt, i, pl);
        CHECK_ERR(fcp_fcpc_tx_seal(&tx, wire + total, sizeof wire - total, &fl, 0, pt, pl), 0);
        total += fl;
        ends[i] = total;
    }
    fcp_fcpc_stream s;
    CHECK_ERR(fcp_fcpc_stream_init(&s, sbuf, sizeof sbuf - 1, MAXP), FCP_EINVAL);
    /* chunkings: 1 byte, fixed 7, random 1..600, everything at once */
    for (int mode = 0; mode < 4; mode++) {
        CHECK_ERR(fcp_fcpc_stream_init(&s, sbuf, sizeof sbuf, MAXP), 0);
        fcp_fcpc_rx rx;
        fcp_fcpc_rx_init(&rx, SID, KEY, FCP_WIRE_I2R, MAXP, 1);
        CHECK_EQ(fcp_fcpc_stream_want(&s), 36);
        size_t pos = 0;
        int frames = 0, bad = 0, overfed = 0;
        while (pos < total) {
            size_t chunk = mode == 0 ? 1 : mode == 1 ? 7 : mode == 2 ? 1 + (size_t)fcp_rng_xoshiro_below(&r, 600)
                                                              : total;
            if (chunk > total - pos)
                chunk = total - pos;
            size_t used = 0;
            while (used < chunk) {
                size_t c;
                int rc = fcp_fcpc_stream_feed(&s, wire + pos + used, chunk - used, &c);
                used += c;
                /* a feed never reads past the end of the frame it completes */
                if (rc == 1 && pos + used != ends[frames])
                    overfed++;
                if (rc < 0) {
                    bad++;
                    break;
                }
                if (rc == 1) {
                    const uint8_t *fp;
                    size_t fl, pl;
                    CHECK_EQ(fcp_fcpc_stream_want(&s), 0);
                    size_t c2;
                    /* backpressure: nothing more is taken while a frame waits */
                    if (used < chunk && (fcp_fcpc_stream_feed(&s, wire + pos + used, chunk - used, &c2) != 1 || c2))
                        bad++;
                    CHECK_ERR(fcp_fcpc_stream_frame(&s, &fp, &fl), 0);
                    if (fl != ends[frames] - (frames ? ends[frames - 1] : 0))
                        bad++;
                    if (fcp_fcpc_rx_open(&rx, fp, fl, pt, sizeof pt, &pl, NULL) != 0 ||
                        (pl && pt[0] != (uint8_t)frames))
                        bad++;
                    fcp_fcpc_stream_next(&s);
                    frames++;
                }
            }
            if (bad)
                break;
            pos += chunk;
        }
        CHECK_EQ(bad, 0);
        CHECK_EQ(overfed, 0);
        CHECK_EQ(frames, NFRAMES);
        CHECK_EQ(fcp_fcpc_stream_want(&s), 36);
        const uint8_t *fp;
        size_t fl;
        CHECK_ERR(fcp_fcpc_stream_frame(&s, &fp, &fl), FCP_EINVAL);
    }
    /* a bad header is refused at byte 36, before any payload is buffered,
     * and the error is sticky */
    static const struct { size_t off; uint8_t val; int want; } bads[] = {
        {0, 'X', FCP_EFCPC_MAGIC}, {4, 7, FCP_EFCPC_VERSION}, {30, 0x10, FCP_EFCPC_FLAGS},
        {34, 0x01, FCP_EFCPC_PAYLOAD_TOO_LARGE}, /* len >= 65536 > MAXP */
    };
    for (size_t b = 0; b < sizeof bads / sizeof bads[0]; b++) {
        uint8_t m[MAXP + 52];
        memcpy(m, wire, ends[0]);
        m[bads[b].off] = bads[b].val;
        CHECK_ERR(fcp_fcpc_stream_init(&s, sbuf, sizeof sbuf, MAXP), 0);
        size_t c;
        CHECK_ERR(fcp_fcpc_stream_feed(&s, m, 35, &c), 0);
        CHECK_EQ(c, 35);
        CHECK_EQ(fcp_fcpc_stream_want(&s), 1);
        CHECK_ERR(fcp_fcpc_stream_feed(&s, m + 35, ends[0] - 35, &c), bads[b].want);
        CHECK_EQ(c, 1);       /* exactly the header byte, no payload */
        CHECK_EQ(s.have, 36); /* never buffered more */
        CHECK_ERR(fcp_fcpc_stream_feed(&s, m, 1, &c), bads[b].want);
        CHECK_EQ(c, 0);
        CHECK_EQ(fcp_fcpc_stream_want(&s), 0);
    }
    /* a frame announcing exactly max payload fits; the buffer is never exceeded */
    {
        uint8_t big[MAXP + 52], p2[MAXP];
        size_t bl, c;
        memset(p2, 3, sizeof p2);
        CHECK_ERR(fcp_fcpc_seal(big, sizeof big, &bl, KEY, SID, FCP_WIRE_I2R, 9, 0, p2, MAXP, MAXP), 0);
        CHECK_ERR(fcp_fcpc_stream_init(&s, sbuf, sizeof sbuf, MAXP), 0);
        CHECK_ERR(fcp_fcpc_stream_feed(&s, big, bl, &c), 1);
        CHECK_EQ(c, sizeof sbuf);
    }
    /* upstream fuzz seeds through the stream decoder and the frame decoder:
     * no crash, and an error or a frame for each */
    static const char *seeds[] = {"bad_magic", "bad_version", "dos_max_len", "just_magic", "length_mismatch",
                                  "truncated_20", "valid_16byte", "valid_empty"};
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        char rel[128];
        snprintf(rel, sizeof rel, "upstream/bin/testkit_corpus/fcpc_frame__%s.bin", seeds[k]);
        size_t n;
        uint8_t *b = fcp_t_read_file(fcp_t_vector_path(rel), &n);
        if (!b)
            continue;
        fcp_fcpc_frame f;
        int rc = fcp_fcpc_decode(b, n, FCP_FCPC_DEFAULT_MAX_PAYLOAD, &f);
        CHECK(rc <= 0);
        CHECK_ERR(fcp_fcpc_stream_init(&s, sbuf, sizeof sbuf, MAXP), 0);
        size_t c;
        int src = fcp_fcpc_stream_feed(&s, b, n, &c);
        CHECK(c <= n);
        CHECK(s.have <= sizeof sbuf);
        if (!strcmp(seeds[k], "dos_max_len"))
            CHECK_ERR(src, FCP_EFCPC_PAYLOAD_TOO_LARGE);
        if (!strncmp(seeds[k], "valid", 5))
            CHECK_ERR(src, 1);
        free(b);
    }
}

/* decoder_corpus FCPC seeds against the collector's reference-model verdict
 * (structure only, default 4 MiB limit). */
static void test_decoder_corpus(void)
{
    json_t *root = fcp_t_load_json("upstream/decoder_corpus.json");
    if (!root)
        return;
    static const struct { const char *verdict; int code; } map[] = {
        {"TooShort", FCP_EFCPC_TOO_SHORT}, {"InvalidMagic", FCP_EFCPC_MAGIC},
        {"UnsupportedVersion", FCP_EFCPC_VERSION}, {"PayloadTooLarge", FCP_EFCPC_PAYLOAD_TOO_LARGE},
        {"LengthMismatch", FCP_EFCPC_LENGTH_MISMATCH}, {"ok", 0},
    };
    size_t i, seen = 0;
    json_t *e;
    json_array_foreach(root, i, e) {
        if (strncmp(fcp_t_jstr(e, "name"), "fcpc_frame_", 11))
            continue;
        size_t len;
        uint8_t *b = jhex(json_object_get(e, "inputs"), "bytes_hex", &len);
        const char *v = fcp_t_jstr(json_object_get(e, "derived"), "reference_decoder_verdict");
        int want = 1;
        for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
            if (!strncmp(v, map[k].verdict, strlen(map[k].verdict)))
                want = map[k].code;
        fcp_fcpc_frame f;
        CHECK_ERR(fcp_fcpc_decode(b ? b : (const uint8_t *)"", len, FCP_FCPC_DEFAULT_MAX_PAYLOAD, &f), want);
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
    memset(KEY, 0x77, sizeof KEY);
    test_upstream();
    test_rules();
    test_tx_rx();
    test_stream();
    test_decoder_corpus();
    return fcp_t_done("wire_fcpc_test");
}
