/*
 * fuzz_admin_revoke.c - libFuzzer target for the data of the admin op
 * "revoke" (D-CLI-1, src/node/node_admin.c) and what fcpd does with it
 * (cmd/fcpd/fcpd_authority.c): decode [bstr RevocationObject, bstr
 * RevocationEvent], decode both parts strictly, verify them against a fixed
 * owner key and apply a verified pair to a revocation set.
 *
 * Properties: no crash, leak or out-of-bounds access; every refusal is a
 * known FCP error; decoded parts lie inside the input; a payload that
 * decodes re-encodes to exactly the input (canonical, so unique).  A broken
 * property calls abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/admin.h"
#include "fcp/authz_revocation.h"
#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_revocation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static uint8_t owner_pk[32], owner_sk[64];
    static fcp_revocation_object obj;
    if (!init) {
        uint8_t seed[32];
        for (int i = 0; i < 32; i++)
            seed[i] = (uint8_t)(0x40 + i);
        fcp_crypto_init();
        fcp_ed25519_keypair_from_seed(owner_pk, owner_sk, seed);
        init = 1;
    }
    const uint8_t *o, *e;
    size_t ol, el;
    int rc = fcp_admin_revoke_decode(data, size, &o, &ol, &e, &el);
    if (rc < 0) {
        if (!fcp_error_known(rc))
            abort();
        return 0;
    }
    if (o < data || o + ol > data + size || e < data || e + el > data + size)
        abort();
    fcp_buf out;
    fcp_buf_init(&out);
    if (fcp_admin_revoke_encode(&out, o, ol, e, el) != 0 || out.len != size || memcmp(out.data, data, size))
        abort();
    fcp_buf_free(&out);
    fcp_revocation_event ev;
    rc = fcp_revocation_object_decode(&obj, o, ol);
    if (rc < 0 && !fcp_error_known(rc))
        abort();
    int rc2 = fcp_revocation_event_decode(&ev, e, el);
    if (rc2 < 0 && !fcp_error_known(rc2))
        abort();
    if (rc == 0 && rc2 == 0 && fcp_revocation_object_verify(&obj, owner_pk) == 0 &&
        fcp_revocation_event_verify(&ev, owner_pk) == 0) {
        fcp_revset s;
        uint8_t k[16] = { 0 }, id[32] = { 0 };
        if (fcp_revset_init(&s, 4, k) == 0) {
            rc = fcp_revset_apply_event(&s, &ev, id, &obj, 1);
            if (rc < 0 && !fcp_error_known(rc))
                abort();
            fcp_revset_free(&s);
        }
    }
    return 0;
}
