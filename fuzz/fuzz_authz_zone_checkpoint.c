/*
 * fuzz_authz_zone_checkpoint.c - libFuzzer target for the ZoneCheckpoint
 * decoder (src/model/model_zone.c), quorum verification and the
 * rollback/fork tracker (src/authz/authz_zone.c).
 *
 * Properties: no crash; an accepted checkpoint re-encodes to exactly the
 * input; quorum verification against a fixed four-node zone terminates
 * cleanly; offering it twice to a fresh tracker advances then reports a
 * duplicate.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_zone.h"
#include "fcp/buf.h"
#include "fcp/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pks[4][32];

static int lookup(void *ctx, const uint8_t *id, size_t len, uint8_t pk[32])
{
    (void)ctx;
    if (len == 6 && memcmp(id, "node-", 5) == 0 && id[5] >= 'a' && id[5] <= 'd') {
        memcpy(pk, pks[id[5] - 'a'], 32);
        return 0;
    }
    return -2004;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static fcp_zone_checkpoint c;
    static fcp_zone_definition d;
    if (!init) {
        uint8_t seed[32], sk[64];
        fcp_crypto_init();
        for (int i = 0; i < 4; i++) {
            memset(seed, 0x10 + i, 32);
            fcp_ed25519_keypair_from_seed(pks[i], sk, seed);
        }
        strcpy(d.zone_id, "z:work");
        d.n_signers = 4;
        for (int i = 0; i < 4; i++) {
            strcpy(d.quorum_signers[i], "node-a");
            d.quorum_signers[i][5] = (char)('a' + i);
        }
        init = 1;
    }
    if (fcp_zone_checkpoint_decode(&c, data, size) == 0) {
        fcp_buf b;
        fcp_object_id_key k;
        fcp_checkpoint_state st;
        uint8_t id[32];
        fcp_buf_init(&b);
        if (fcp_zone_checkpoint_encode(&c, &b) != 0 || b.len != size || memcmp(b.data, data, size) != 0)
            abort();
        fcp_buf_free(&b);
        (void)fcp_zone_checkpoint_verify(&c, &d, lookup, NULL);
        memset(k.bytes, 0x72, 32);
        if (fcp_zone_checkpoint_object_id(id, &c, &k) != 0)
            abort();
        memset(&st, 0, sizeof st);
        if (fcp_checkpoint_observe(&st, &c, id) != 0 || fcp_checkpoint_observe(&st, &c, id) != 1)
            abort();
    }
    return 0;
}
