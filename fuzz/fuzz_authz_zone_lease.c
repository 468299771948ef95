/*
 * fuzz_authz_zone_lease.c - libFuzzer target for the Lease decoder
 * (src/model/model_lease.c), lease verification, fencing and state-write
 * checks (src/authz/authz_lease.c).
 *
 * Properties: no crash; an accepted lease re-encodes to exactly the input;
 * verification against a fixed four-node zone terminates cleanly; a fresh
 * fence accepts it, then reports it as the same lease, and a state write
 * carrying its own fencing evidence passes or fails with a lease/state code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_lease.h"
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
    static fcp_lease l;
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
    if (fcp_lease_decode(&l, data, size) == 0) {
        fcp_buf b;
        fcp_object_id_key k;
        fcp_lease_fence f;
        fcp_state_write w;
        uint8_t id[32];
        fcp_buf_init(&b);
        if (fcp_lease_encode(&l, &b) != 0 || b.len != size || memcmp(b.data, data, size) != 0)
            abort();
        fcp_buf_free(&b);
        (void)fcp_lease_verify(&l, &d, l.iat, lookup, NULL);
        memset(k.bytes, 0x72, 32);
        if (fcp_lease_object_id(id, &l, &k) != 0)
            abort();
        memset(&f, 0, sizeof f);
        if (fcp_lease_fence_observe(&f, &l, id) != 0 || fcp_lease_fence_observe(&f, &l, id) != 1)
            abort();
        memset(&w, 0, sizeof w);
        w.singleton_writer = 1;
        w.writer_node = l.owner_node;
        w.writer_len = strlen(l.owner_node);
        memcpy(w.subject, l.subject_object_id, 32);
        w.has_lease_seq = w.has_lease_object_id = 1;
        w.lease_seq = l.lease_seq;
        memcpy(w.lease_object_id, id, 32);
        w.updated_at = l.iat;
        int rc = fcp_state_write_check(&f, &w);
        if (rc != 0 && rc != -4160)   /* only the purpose can fail here */
            abort();
    }
    return 0;
}
