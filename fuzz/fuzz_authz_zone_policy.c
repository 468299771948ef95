/*
 * fuzz_authz_zone_policy.c - libFuzzer target for the ZonePolicyObject
 * decoder (src/model/model_zone.c) and ZonePolicy evaluation
 * (src/authz/authz_zone.c).
 *
 * Properties: no crash; an accepted object re-encodes to exactly the input;
 * evaluation of a few fixed requests returns a known reason code.
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
    static fcp_zone_policy_object o;
    static const char *const req[][3] = { { "agent:mail", "fcp.gmail", "gmail.read" },
                                          { "", "", "" },
                                          { "agent:evil", "fcp.shell", "slack.admin" } };
    if (!init) {
        fcp_crypto_init();
        init = 1;
    }
    if (fcp_zone_policy_object_decode(&o, data, size) == 0) {
        fcp_buf b;
        fcp_buf_init(&b);
        if (fcp_zone_policy_object_encode(&o, &b) != 0 || b.len != size || memcmp(b.data, data, size) != 0)
            abort();
        fcp_buf_free(&b);
        for (size_t i = 0; i < 3; i++) {
            fcp_zone_access a = { req[i][0], strlen(req[i][0]), req[i][1], strlen(req[i][1]),
                                  req[i][2], strlen(req[i][2]) };
            if (!fcp_zone_reason_name(fcp_zone_policy_evaluate(&o.policy, &a)))
                abort();
        }
    }
    return 0;
}
