/*
 * fuzz_authz_cap.c - libFuzzer target for the capability-object decoders
 * (src/model/model_cap.c) and attenuation (src/authz/authz_cap.c).  The
 * first byte picks the decoder: 0 CapabilityConstraints, 1 CapabilityObject,
 * 2 CredentialObject, 3 RoleObject, 4 RoleAssignment.
 *
 * Properties: no crash on any input; an accepted value re-encodes to exactly
 * the input bytes; accepted constraints narrow themselves; a decoded role
 * graph of one role checks without crashing; signature verification against
 * the fixed owner key terminates cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_cap.h"
#include "fcp/crypto.h"
#include "fcp/model_cap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const fcp_buf *b, const uint8_t *p, size_t n, int rc)
{
    if (rc != 0 || b->len != n || memcmp(b->data, p, n) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static uint8_t owner_pk[32];
    static fcp_cap_constraints c;
    static fcp_cap_object o;
    static fcp_credential_object cr;
    static fcp_role_object r;
    static fcp_role_assignment a;
    if (!init) {
        uint8_t seed[32], sk[64];
        fcp_crypto_init();
        memset(seed, 0xa0, 32);
        fcp_ed25519_keypair_from_seed(owner_pk, sk, seed);
        init = 1;
    }
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    fcp_buf b;
    fcp_buf_init(&b);
    switch (data[0] % 5) {
    case 0:
        if (fcp_cap_constraints_decode(&c, p, n) == 0) {
            same(&b, p, n, fcp_cap_constraints_encode(&c, &b));
            if (fcp_cap_constraints_narrows(&c, &c) != 0)
                abort();
            (void)fcp_cap_resource_allowed(&c, "/v1/messages");
        }
        break;
    case 1:
        if (fcp_cap_object_decode(&o, p, n) == 0) {
            same(&b, p, n, fcp_cap_object_encode(&o, &b));
            (void)fcp_cap_object_verify(&o, owner_pk);
        }
        break;
    case 2:
        if (fcp_credential_decode(&cr, p, n) == 0) {
            same(&b, p, n, fcp_credential_encode(&cr, &b));
            (void)fcp_credential_verify(&cr, owner_pk);
            (void)fcp_credential_check_use(&c, &cr, "api.example.com");
        }
        break;
    case 3:
        if (fcp_role_decode(&r, p, n) == 0) {
            same(&b, p, n, fcp_role_encode(&r, &b));
            (void)fcp_role_graph_check(&r, 1);
            (void)fcp_role_verify(&r, owner_pk);
        }
        break;
    default:
        if (fcp_role_assignment_decode(&a, p, n) == 0) {
            same(&b, p, n, fcp_role_assignment_encode(&a, &b));
            (void)fcp_role_assignment_verify(&a, owner_pk);
        }
        break;
    }
    fcp_buf_free(&b);
    return 0;
}
