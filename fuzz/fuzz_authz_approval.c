/*
 * fuzz_authz_approval.c - libFuzzer target for the ApprovalToken codec and
 * the JSON pointer over CBOR (src/model/model_approval.c).
 *
 * Input: mode byte, then
 *   even  ApprovalToken wire bytes: an accepted token re-encodes to exactly
 *         the input, its id and verification (fixed approver key, seed 0a x32)
 *         terminate cleanly
 *   odd   pointer length byte L, L bytes of pointer, the rest a CBOR item: a
 *         resolved value lies inside the input and is one valid item
 * Property: no crash, no out-of-bounds result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/model_approval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static uint8_t pk[32];
    static fcp_approval_token t;
    if (!init) {
        uint8_t seed[32], sk[64];
        fcp_crypto_init();
        memset(seed, 0x0a, 32);
        fcp_ed25519_keypair_from_seed(pk, sk, seed);
        init = 1;
    }
    if (size < 1)
        return 0;
    if ((data[0] & 1) == 0) {
        if (fcp_approval_decode(&t, data + 1, size - 1) == 0) {
            fcp_buf b;
            uint8_t id[32];
            fcp_buf_init(&b);
            if (fcp_approval_encode(&t, &b) != 0 || b.len != size - 1 || memcmp(b.data, data + 1, b.len))
                abort();
            fcp_buf_free(&b);
            if (fcp_approval_token_id(id, &t) != 0)
                abort();
            (void)fcp_approval_verify(&t, pk, 1700000000);
        }
        return 0;
    }
    if (size < 2)
        return 0;
    size_t pl = data[1];
    if (pl > size - 2)
        pl = size - 2;
    const char *ptr = (const char *)data + 2;
    const uint8_t *cb = data + 2 + pl;
    size_t cl = size - 2 - pl;
    const uint8_t *v;
    size_t vl;
    if (fcp_cbor_pointer_get(cb, cl, ptr, pl, &v, &vl) == 0) {
        fcp_cbor_limits lim = fcp_cbor_limits_default;
        lim.allow = FCP_CBOR_ALLOW_FLOAT;
        if (v < cb || v + vl > cb + cl || fcp_cbor_validate(v, vl, &lim) != 0)
            abort();
    }
    return 0;
}
