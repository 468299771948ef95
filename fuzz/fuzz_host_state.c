/*
 * fuzz_host_state.c - libFuzzer target for restoring a connector state slot
 * from a persisted head version (fcp_state_slot_restore, host_state.h),
 * which is what fcpd reads back from <data_dir>/state/<id>.head.
 *
 * Properties: no crash, leak or UB; a refused input leaves the slot without
 * a head and with epoch 0; an accepted one is the head (its encoding kept
 * byte for byte), and the chain continues from it: after an activation a
 * write on top of it succeeds with state_seq + 1, is readable back, and
 * restores again.  Seeds (fuzz/corpus/host_state/) are versions signed by the
 * fixed node key below (seed bytes 0x07), for instance fcp.notes/default
 * in z:work under ObjectIdKey 0x33...
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/host_state.h"
#include "fcp/model_ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pk[32], sk[64];
    static fcp_object_id_key oid;
    static int init;
    if (!init) {
        uint8_t seed[32];
        memset(seed, 7, 32);
        fcp_ed25519_keypair_from_seed(pk, sk, seed);
        memset(oid.bytes, 0x33, sizeof oid.bytes);
        init = 1;
    }
    int err;
    fcp_state_slot *s = fcp_state_slot_new("z:work", "fcp.notes", "default", "node-a", pk, &oid, &err);
    if (!s)
        abort();
    int rc = fcp_state_slot_restore(s, 1, data, size);
    uint64_t seq = 0;
    const uint8_t *enc;
    size_t el;
    int have = fcp_state_slot_head(s, &seq, NULL, NULL, NULL, &enc, &el);
    if (rc < 0) {
        if (have != 0 || fcp_state_slot_epoch(s) != 0)
            abort();
    } else if (size > 0) {
        if (have != 1 || el != size || memcmp(enc, data, size))
            abort();
        uint64_t e = 0;
        if (fcp_state_activate(s, 1800000000, &e) < 0 || e != 2)
            abort();
        fcp_buf out;
        fcp_buf_init(&out);
        uint8_t id[32];
        if (fcp_state_slot_write(s, e, NULL, 0, (const uint8_t *)"x", 1, 1800000001, sk, &out, id) < 0)
            abort();
        uint64_t seq2 = 0;
        const uint8_t *st;
        size_t sl;
        if (fcp_state_slot_head(s, &seq2, NULL, &st, &sl, NULL, NULL) != 1 || seq2 != seq + 1 || sl != 1 ||
            st[0] != 'x')
            abort();
        fcp_state_slot *r = fcp_state_slot_new("z:work", "fcp.notes", "default", "node-a", pk, &oid, &err);
        if (!r || fcp_state_slot_restore(r, e, out.data, out.len) < 0)
            abort();
        fcp_state_slot_free(r);
        fcp_buf_free(&out);
    }
    fcp_state_slot_free(s);
    return 0;
}
