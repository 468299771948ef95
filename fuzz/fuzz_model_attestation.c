/*
 * fuzz_model_attestation.c - libFuzzer target for the NodeKeyAttestation
 * decoder and verifier (src/model/model_attest.c).
 *
 * Properties: no crash on any input; an accepted attestation re-encodes to
 * exactly the input; verification against a fixed owner key (the one that
 * signed the committed seeds) terminates cleanly on every accepted input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/model_attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static uint8_t owner_pk[32];
    if (!init) {
        uint8_t seed[32], sk[64];
        fcp_crypto_init();
        memset(seed, 0xa0, sizeof seed);
        fcp_ed25519_keypair_from_seed(owner_pk, sk, seed);
        init = 1;
    }
    fcp_node_attestation a;
    if (fcp_attestation_decode(&a, data, size) == 0) {
        fcp_buf b;
        fcp_buf_init(&b);
        if (fcp_attestation_encode(&a, &b) != 0 || b.len != size || memcmp(b.data, data, size) != 0)
            abort();
        fcp_buf_free(&b);
        uint8_t k[8];
        fcp_attestation_kids(&a, k, NULL, NULL);
        (void)fcp_attestation_verify(&a, owner_pk, 1700000000);
    }
    return 0;
}
