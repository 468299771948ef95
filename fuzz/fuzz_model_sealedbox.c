/*
 * fuzz_model_sealedbox.c - libFuzzer target for the HpkeSealedBox decoders
 * (CBOR and flat) and open (src/model/model_sealed.c).
 *
 * Properties: no crash on any input; an accepted CBOR box re-encodes to
 * exactly the input; opening any accepted box with a fixed recipient key
 * and binding terminates cleanly, and a box the fuzzer made up never opens.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/model_sealed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pt[FCP_SEALED_MAX_CT];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static uint8_t sk[32];
    if (!init) {
        fcp_crypto_init();
        memset(sk, 0x10, sizeof sk);
        init = 1;
    }
    const fcp_seal_binding b = { FCP_SEAL_ZONE_KEY, "z:work", 6, "node:laptop.mesh.ts.net", 23,
                                 1700000000 };
    fcp_sealed_box box;
    if (fcp_sealed_box_decode(&box, data, size) == 0) {
        fcp_buf out;
        fcp_buf_init(&out);
        if (fcp_sealed_box_encode(&box, &out) != 0 || out.len != size || memcmp(out.data, data, size) != 0)
            abort();
        fcp_buf_free(&out);
        (void)fcp_sealed_box_open(pt, &box, sk, &b);
    }
    if (fcp_sealed_box_from_flat(&box, data, size) == 0) {
        fcp_buf out;
        fcp_buf_init(&out);
        if (fcp_sealed_box_to_flat(&box, &out) != 0 || out.len != size || memcmp(out.data, data, size) != 0)
            abort();
        fcp_buf_free(&out);
        (void)fcp_sealed_box_open(pt, &box, sk, &b);
    }
    return 0;
}
