/*
 * fuzz_manifest.c - libFuzzer target for manifest.toml -> fcp_manifest
 * (src/host/host_manifest*.c).
 *
 * Properties: no crash, leak or out-of-bounds access on any input; a refusal
 * carries a negative code and a message; an accepted manifest encodes to
 * canonical CBOR (checked by the strict validator), hashes, and encoding is
 * deterministic (two encodings are identical).  A broken property aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/host_manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fcp_manifest m;
    fcp_toml_error err;
    int rc = fcp_manifest_parse(&m, "fuzz.toml", (const char *)data, size, &err);
    if (rc < 0) {
        if (err.code == 0 || err.msg[0] == '\0' || m.id || m.ops) abort();
        return 0;
    }
    if (rc != 0 || !m.id || m.n_ops == 0) abort();
    fcp_buf a, b;
    fcp_buf_init(&a);
    fcp_buf_init(&b);
    if (fcp_manifest_encode(&m, &a) != 0 || fcp_manifest_encode(&m, &b) != 0) abort();
    if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) abort();
    if (fcp_cbor_validate(a.data, a.len, NULL) != 0) abort();
    uint8_t h[32];
    if (fcp_manifest_hash(&m, h) != 0) abort();
    for (size_t i = 0; i < m.n_ops; i++)
        if (fcp_manifest_find_op(&m, m.ops[i].name) != &m.ops[i]) abort();
    fcp_buf_free(&a);
    fcp_buf_free(&b);
    fcp_manifest_free(&m);
    return 0;
}
