/*
 * fuzz_model_sign.c - libFuzzer target for the unsigned-view builder and
 * the quorum-array decoder (src/model/model_sign.c).
 *
 * Properties: no crash; an unsigned view is itself strictly canonical, no
 * longer than the input, and idempotent; an accepted quorum array is sorted
 * without duplicates and re-encodes to exactly the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/buf.h"
#include "fcp/cbor.h"
#include "fcp/model_sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fcp_buf v, w;
    fcp_buf_init(&v);
    fcp_buf_init(&w);
    if (fcp_unsigned_view(&v, data, size) == 0) {
        fcp_cbor_limits lim = fcp_cbor_limits_default;
        lim.allow = FCP_CBOR_ALLOW_FLOAT;
        if (v.len > size || fcp_cbor_validate(v.data, v.len, &lim) != 0)
            abort();
        if (fcp_unsigned_view(&w, v.data, v.len) != 0 || w.len != v.len || memcmp(w.data, v.data, v.len) != 0)
            abort();
    }
    fcp_buf_free(&v);
    fcp_buf_free(&w);

    fcp_quorum_sig q[FCP_QUORUM_MAX];
    size_t n = 0;
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, data, size, NULL);
    if (fcp_quorum_decode_from(q, FCP_QUORUM_MAX, &n, &d) == 0 && fcp_cbor_dec_finish(&d) == 0) {
        if (fcp_quorum_check_order(q, n) != 0)
            abort();
        fcp_buf b;
        fcp_cbor_enc e;
        fcp_buf_init(&b);
        fcp_cbor_enc_init(&e, &b);
        if (fcp_quorum_encode_to(q, n, &e) != 0 || fcp_cbor_enc_finish(&e) != 0 || b.len != size ||
            memcmp(b.data, data, size) != 0)
            abort();
        fcp_cbor_enc_free(&e);
        fcp_buf_free(&b);
    }
    return 0;
}
