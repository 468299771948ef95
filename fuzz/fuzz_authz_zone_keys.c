/*
 * fuzz_authz_zone_keys.c - libFuzzer target for the ZoneKeyManifest decoder
 * (src/model/model_zonekeys.c) and the member-side open path
 * (src/authz/authz_keys.c).
 *
 * Properties: no crash on any input; an accepted manifest re-encodes to
 * exactly the input; owner verification and opening as a fixed member
 * (node-a, X25519 secret 20*32, the seeds' recipient) terminate cleanly and
 * never return key material on failure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_keys.h"
#include "fcp/buf.h"
#include "fcp/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static uint8_t owner_pk[32], enc_sk[32];
    static fcp_zone_key_manifest m;
    if (!init) {
        uint8_t seed[32], sk[64];
        fcp_crypto_init();
        memset(seed, 0xee, sizeof seed);
        fcp_ed25519_keypair_from_seed(owner_pk, sk, seed);
        memset(enc_sk, 0x20, sizeof enc_sk);
        init = 1;
    }
    if (fcp_zk_manifest_decode(&m, data, size) == 0) {
        fcp_buf b;
        uint8_t zk[32], ok[32];
        fcp_buf_init(&b);
        if (fcp_zk_manifest_encode(&m, &b) != 0 || b.len != size || memcmp(b.data, data, size) != 0)
            abort();
        fcp_buf_free(&b);
        (void)fcp_zk_manifest_verify(&m, owner_pk);
        if (fcp_zk_open(&m, "node-a", 6, enc_sk, zk, ok) != 0 &&
            (!fcp_ct_is_zero(zk, 32) || !fcp_ct_is_zero(ok, 32)))
            abort();
    }
    return 0;
}
