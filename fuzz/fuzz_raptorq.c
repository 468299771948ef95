/*
 * fuzz_raptorq.c - libFuzzer target for the RaptorQ codec's untrusted inputs
 * (src/raptorq/) and the FCP object / chunk parsers built on it.
 *
 * The first byte picks a mode:
 *   0  OTI parser: 12 bytes -> fcp_rq_oti_decode; an accepted OTI re-encodes
 *      to the same bytes and its layout accounts for exactly Kt symbols.
 *   1  decoder fed a hostile stream: the next bytes choose an OTI within
 *      small caller limits, the rest is a stream of records
 *      (SBN u8, ESI u24, LEN u8, LEN symbol bytes).  Every return code must
 *      be one the API documents; a completed decode yields exactly F bytes.
 *   2  round trip: an OTI and data from the input, a subset and order of
 *      encoding symbols chosen by the input; whenever the decoder reports
 *      success the object must equal the data (a wrong answer aborts).
 *   3  FCP object mapping and chunk bodies: fcp_rq_fcp_unpad, RawChunk and
 *      ChunkedObjectManifest body decoders with the default config.
 * Everything is bounded (F <= 8 KiB, <= 512 symbols buffered, 4 MiB memory)
 * so no input can make an iteration slow or large.  A broken property calls
 * abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/chunked.h"
#include "fcp/error.h"
#include "fcp/raptorq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct in {
    const uint8_t *p;
    size_t n;
} in;

static unsigned take(in *s, unsigned bytes)
{
    unsigned v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v <<= 8;
        if (s->n) {
            v |= *s->p++;
            s->n--;
        }
    }
    return v;
}

static const fcp_rq_limits small_limits = { 8192, 512, 4u << 20 };

/* An OTI within small_limits, from 7 input bytes; 0 if it validates. */
static int pick_oti(in *s, fcp_rq_oti *o)
{
    static const uint8_t als[4] = { 1, 2, 4, 8 };
    o->Al = als[take(s, 1) & 3];
    o->T = (uint16_t)(o->Al * (1 + take(s, 1) % 32));   /* <= 256 bytes */
    o->F = 1 + take(s, 2) % 8192;
    o->Z = (uint16_t)(1 + take(s, 1) % 4);
    o->N = (uint16_t)(1 + take(s, 1) % 4);
    (void)take(s, 1);
    return fcp_rq_oti_validate(o);
}

static void mode_oti(in *s)
{
    uint8_t b[FCP_RQ_OTI_BYTES] = { 0 }, again[FCP_RQ_OTI_BYTES];
    memcpy(b, s->p, s->n < sizeof b ? s->n : sizeof b);
    fcp_rq_oti o;
    if (fcp_rq_oti_decode(b, &o) != 0)
        return;
    fcp_rq_oti_encode(&o, again);
    if (memcmp(again, b, sizeof b) || fcp_rq_oti_validate(&o))
        abort();
    fcp_rq_layout lay;
    if (fcp_rq_layout_of(&o, &lay))
        abort();
    uint64_t sum = 0;
    for (uint32_t sbn = 0; sbn < o.Z; sbn++) {
        uint32_t k = fcp_rq_block_symbols(&lay, sbn);
        if (k == 0 || k > FCP_RQ_MAX_K)
            abort();
        sum += k;
    }
    if (sum != lay.Kt || fcp_rq_block_symbols(&lay, o.Z) != 0)
        abort();
}

static void mode_stream(in *s)
{
    fcp_rq_oti o;
    fcp_rq_decoder *d = NULL;
    if (pick_oti(s, &o))
        return;
    int rc = fcp_rq_decoder_new(&d, &o, &small_limits);
    if (rc) {
        if (rc != FCP_ERQ_LIMIT && rc != FCP_ENOMEM)
            abort();
        return;
    }
    uint8_t sym[256];
    while (s->n) {
        unsigned sbn = take(s, 1), esi = take(s, 3), len = take(s, 1);
        memset(sym, 0, sizeof sym);
        memcpy(sym, s->p, len < s->n ? len : s->n);
        /* half the records get the right length, so decoding can progress */
        size_t L = (len & 1) ? len : o.T;
        s->p += len < s->n ? len : s->n;
        s->n -= len < s->n ? len : s->n;
        rc = fcp_rq_decoder_add(d, sbn, esi, sym, L);
        if (rc != 0 && rc != FCP_ERQ_NEED_MORE && rc != FCP_ERQ_ESI &&
            rc != FCP_ERQ_SYMBOL_SIZE && rc != FCP_ERQ_LIMIT && rc != FCP_ENOMEM)
            abort();
        if ((sbn >= o.Z || L != o.T) && rc != FCP_ERQ_ESI && rc != FCP_ERQ_SYMBOL_SIZE)
            abort(); /* out-of-range input must never be accepted */
        const uint8_t *res;
        size_t rl;
        int r2 = fcp_rq_decoder_result(d, &res, &rl);
        if (rc == 0 && (r2 != 0 || rl != o.F))
            abort();
        if (rc == 0)
            break;
    }
    fcp_rq_decoder_free(d);
}

static void mode_roundtrip(in *s)
{
    fcp_rq_oti o;
    fcp_rq_object_encoder *e = NULL;
    fcp_rq_decoder *d = NULL;
    uint8_t *obj = NULL, *sym = NULL;
    if (pick_oti(s, &o) || o.F > 2048)
        return;
    obj = calloc(1, (size_t)o.F);
    sym = malloc(o.T);
    if (!obj || !sym)
        goto out;
    for (uint64_t i = 0; i < o.F; i++)
        obj[i] = (uint8_t)take(s, 1);
    if (fcp_rq_object_encoder_new(&e, &o, obj, &small_limits) ||
        fcp_rq_decoder_new(&d, &o, &small_limits))
        goto out;
    /* symbols: (sbn, esi) from the input, small ESIs so source and repair mix */
    int rc = FCP_ERQ_NEED_MORE;
    for (int i = 0; i < 600 && s->n && rc == FCP_ERQ_NEED_MORE; i++) {
        uint32_t sbn = take(s, 1) % o.Z, esi = take(s, 2) % 1024;
        if (fcp_rq_object_encoder_symbol(e, sbn, esi, sym))
            abort();
        rc = fcp_rq_decoder_add(d, sbn, esi, sym, o.T);
    }
    if (rc == FCP_ERQ_NEED_MORE) {
        /* top up with every source symbol: decoding must then succeed */
        for (uint32_t sbn = 0; sbn < o.Z && rc == FCP_ERQ_NEED_MORE; sbn++) {
            uint32_t K = fcp_rq_object_encoder_block_K(e, sbn);
            for (uint32_t esi = 0; esi < K && rc == FCP_ERQ_NEED_MORE; esi++) {
                fcp_rq_object_encoder_symbol(e, sbn, esi, sym);
                rc = fcp_rq_decoder_add(d, sbn, esi, sym, o.T);
            }
        }
    }
    if (rc == FCP_ERQ_LIMIT || rc == FCP_ENOMEM)
        goto out;
    const uint8_t *res;
    size_t rl;
    if (rc != 0 || fcp_rq_decoder_result(d, &res, &rl) || rl != o.F || memcmp(res, obj, rl))
        abort();
out:
    fcp_rq_decoder_free(d);
    fcp_rq_object_encoder_free(e);
    free(obj);
    free(sym);
}

static void mode_fcp(in *s)
{
    fcp_rq_config c;
    fcp_rq_config_default(&c);
    unsigned which = take(s, 1) % 3;
    if (which == 0) {
        uint32_t K = 1 + take(s, 1) % 64;
        uint16_t T = (uint16_t)(1 + take(s, 1) % 64);
        uint64_t len = take(s, 2);
        size_t need = (size_t)K * T;
        uint8_t *blk = calloc(1, need);
        if (!blk)
            return;
        memcpy(blk, s->p, s->n < need ? s->n : need);
        int rc = fcp_rq_fcp_unpad(blk, K, T, len);
        if (rc != 0 && rc != FCP_ERQ_PADDING)
            abort();
        if (rc == 0) {
            /* accepted: minimal K and zero padding, as the contract says */
            if (len == 0 || (len + T - 1) / T != K)
                abort();
            for (size_t i = (size_t)len; i < need; i++)
                if (blk[i])
                    abort();
        }
        free(blk);
    } else if (which == 1) {
        const uint8_t *b;
        size_t n;
        if (fcp_raw_chunk_body_decode(s->p, s->n, c.chunk_size, &b, &n) == 0 &&
            (n > c.chunk_size || (n && (b < s->p || b + n > s->p + s->n))))
            abort();
    } else {
        fcp_chunk_manifest m;
        if (fcp_chunk_manifest_body_decode(&c, s->p, s->n, &m) == 0) {
            if (fcp_chunk_plan_check(&c, &m.plan))
                abort();
            for (uint32_t i = 0; i < m.plan.n_chunks; i++) {
                const uint8_t *id = fcp_chunk_manifest_id(&m, i);
                if (!id || id < s->p || id + 32 > s->p + s->n)
                    abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    in s = { data + 1, size - 1 };
    switch (data[0] & 3) {
    case 0: mode_oti(&s); break;
    case 1: mode_stream(&s); break;
    case 2: mode_roundtrip(&s); break;
    default: mode_fcp(&s); break;
    }
    return 0;
}
