/*
 * fuzz_fcps_frame.c - libFuzzer target for the FCPS frame codec and symbol
 * AEAD (src/wire/wire_fcps.c, wire_fcps_aead.c).
 *
 * For every input, under both the production and the upstream limits:
 *   - decode must not crash or read outside the input (ASan);
 *   - an accepted frame must satisfy every rule the decoder promises
 *     (lengths, flags, ranges), and re-encoding its fields must give back the
 *     identical bytes;
 *   - opening a copy with a fixed key must fail with FCP_EFCPS_SYMBOL_AUTH
 *     on the first record and leave its data zeroed (no forged plaintext);
 *   - header-only and single-record decoders must not crash.
 * A broken property calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/fcps.h"
#include "fcp/fcps_aead.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t copy_buf[70000], out_buf[70000];

static void check_frame(const uint8_t *data, size_t size, const fcp_fcps_limits *lim)
{
    fcp_fcps_frame f;
    int rc = fcp_fcps_decode(data, size, lim, &f);
    if (rc != 0) {
        if (f.records != NULL || rc > 0)
            abort();
        return;
    }
    if (size > lim->max_frame_bytes || size != f.frame_bytes ||
        f.frame_bytes != FCP_FCPS_FRAME_BYTES(f.h.symbol_count, f.h.symbol_size) ||
        f.h.symbol_count == 0 || f.h.symbol_count > lim->max_symbol_count ||
        f.h.symbol_size < lim->min_symbol_size || f.h.symbol_size > lim->max_symbol_size ||
        fcp_fcps_flags_check(f.h.flags) != 0)
        abort();
    /* re-encode from the parsed fields */
    fcp_fcps_record recs[64];
    uint32_t n = f.h.symbol_count;
    if (n <= 64 && size <= sizeof out_buf) {
        for (uint32_t i = 0; i < n; i++)
            fcp_fcps_record_at(&f, i, &recs[i]);
        size_t ol = 0;
        if (fcp_fcps_encode(out_buf, sizeof out_buf, &ol, &f.h, recs, n, lim) != 0 || ol != size ||
            memcmp(out_buf, data, size) != 0)
            abort();
    }
    /* forged symbols never open */
    if (size <= sizeof copy_buf) {
        static const uint8_t key[32] = {1};
        memcpy(copy_buf, data, size);
        fcp_fcps_frame g;
        int orc = fcp_fcps_frame_open(copy_buf, size, lim, FCP_FCPS_AEAD_CHACHA20POLY1305, key, &g);
        if (orc != FCP_EFCPS_SYMBOL_AUTH)
            abort();
        if (!fcp_ct_is_zero(copy_buf + FCP_FCPS_HEADER_BYTES + 6, f.h.symbol_size))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        if (fcp_crypto_init() != 0)
            abort();
        init = 1;
    }
    fcp_fcps_limits prod, up;
    fcp_fcps_limits_default(&prod);
    fcp_fcps_limits_upstream(&up, 65535);
    check_frame(data, size, &prod);
    check_frame(data, size, &up);
    fcp_fcps_header h;
    (void)fcp_fcps_header_decode(data, size, &h);
    if (size >= 2) {
        fcp_fcps_record r;
        uint16_t t = (uint16_t)(data[0] | (data[1] << 8));
        if (fcp_fcps_record_decode(data + 2, size - 2, t, &r) == 0 &&
            (size_t)(r.tag + 16 - data) > size)
            abort();
    }
    return 0;
}
