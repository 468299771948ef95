/*
 * fuzz_authz_zone_def.c - libFuzzer target for the ZoneDefinitionObject
 * decoder (src/model/model_zone.c).
 *
 * Properties: no crash; an accepted definition re-encodes to exactly the
 * input, verifies cleanly against a fixed owner key, has a computable
 * ObjectId, and its quorum parameters admit a Critical quorum.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_zone.h"
#include "fcp/buf.h"
#include "fcp/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static uint8_t owner_pk[32];
    static fcp_zone_definition d;
    if (!init) {
        uint8_t seed[32], sk[64];
        fcp_crypto_init();
        memset(seed, 0xee, sizeof seed);
        fcp_ed25519_keypair_from_seed(owner_pk, sk, seed);
        init = 1;
    }
    if (fcp_zone_definition_decode(&d, data, size) == 0) {
        fcp_buf b;
        fcp_object_id_key k;
        uint8_t id[32];
        fcp_buf_init(&b);
        if (fcp_zone_definition_encode(&d, &b) != 0 || b.len != size || memcmp(b.data, data, size) != 0)
            abort();
        fcp_buf_free(&b);
        (void)fcp_zone_definition_verify(&d, owner_pk);
        memset(k.bytes, 0x72, 32);
        if (fcp_zone_definition_object_id(id, &d, &k) != 0)
            abort();
        if (fcp_quorum_required(FCP_TIER_CRITICAL, d.n_signers, (size_t)fcp_zone_definition_faults(&d)) == 0)
            abort();
    }
    return 0;
}
