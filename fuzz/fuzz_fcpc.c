/*
 * fuzz_fcpc.c - libFuzzer target for the FCPC stream decoder and frame codec
 * (src/wire/wire_fcpc.c).
 *
 * The first byte picks a chunk-size pattern; the rest is the byte stream.  The
 * stream is fed to fcp_fcpc_stream_feed in those chunks.  Properties:
 *   - no crash, no read or write outside the caller's buffers;
 *   - the decoder never buffers more than one maximum-size frame and never
 *     consumes more than it was given;
 *   - every frame it reports decodes cleanly with fcp_fcpc_decode under the
 *     same limit, and opening it with a fixed key fails (no forgery) with the
 *     plaintext zeroed;
 *   - an error is sticky;
 *   - the whole input given to fcp_fcpc_decode directly must not crash, and
 *     an accepted frame re-encodes to the same header bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/fcpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXP 2048u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static uint8_t sbuf[FCP_FCPC_FRAME_BYTES(MAXP)], pt[MAXP];
    static const uint8_t key[32] = {7};
    if (!init) {
        if (fcp_crypto_init() != 0)
            abort();
        init = 1;
    }
    if (size == 0)
        return 0;
    uint8_t pattern = data[0];
    data++;
    size--;

    fcp_fcpc_frame f;
    if (fcp_fcpc_decode(data, size, MAXP, &f) == 0) {
        uint8_t h[FCP_FCPC_HEADER_BYTES];
        if (fcp_fcpc_header_encode(h, f.session_id, f.seq, f.flags, f.len) != 0 ||
            memcmp(h, data, sizeof h) != 0 || size != FCP_FCPC_FRAME_BYTES(f.len))
            abort();
    }

    fcp_fcpc_stream s;
    if (fcp_fcpc_stream_init(&s, sbuf, sizeof sbuf, MAXP) != 0)
        abort();
    size_t pos = 0, step = 0;
    int err = 0;
    while (pos < size) {
        size_t chunk = 1 + ((size_t)pattern * 31 + step * 7) % 97;
        step++;
        if (chunk > size - pos)
            chunk = size - pos;
        size_t c;
        int rc = fcp_fcpc_stream_feed(&s, data + pos, chunk, &c);
        if (c > chunk || s.have > s.cap)
            abort();
        if (err && (rc != err || c != 0))
            abort();
        pos += c;
        if (rc < 0) {
            err = rc;
            break;
        }
        if (rc == 1) {
            const uint8_t *fp;
            size_t fl;
            if (fcp_fcpc_stream_frame(&s, &fp, &fl) != 0 || fcp_fcpc_decode(fp, fl, MAXP, &f) != 0)
                abort();
            if (fcp_fcpc_open(&f, key, FCP_WIRE_I2R, pt) != FCP_EFCPC_CRYPTO || !fcp_ct_is_zero(pt, f.len))
                abort();
            fcp_fcpc_stream_next(&s);
        } else if (c != chunk) {
            abort(); /* without a ready frame or an error, a feed takes everything */
        }
    }
    if (err) {
        size_t c;
        if (fcp_fcpc_stream_feed(&s, data, size, &c) != err || c != 0)
            abort();
    }
    return 0;
}
