/*
 * fuzz_model_header.c - libFuzzer target for the ObjectHeader decoder
 * (src/model/model_object.c) and the schema-prefixed payload check.
 *
 * Properties: no crash or out-of-bounds access on any input; a header the
 * strict decoder accepts re-encodes to exactly the input bytes; the payload
 * check never accepts a body whose prefix is not the expected SchemaHash.
 * A broken property calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/buf.h"
#include "fcp/model_object.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fcp_object_header h;
    if (fcp_object_header_decode(&h, data, size) == 0) {
        fcp_buf b;
        fcp_buf_init(&b);
        if (fcp_object_header_encode(&h, &b) != 0 || b.len != size || memcmp(b.data, data, size) != 0)
            abort();
        /* derived values are computable for every accepted header */
        fcp_object_id_key k;
        uint8_t id[FCP_OBJECT_ID_BYTES];
        memset(k.bytes, 0, sizeof k.bytes);
        if (fcp_object_derive_id(id, &h, NULL, 0, &k) != 0)
            abort();
        fcp_buf_free(&b);
    }
    fcp_schema_id s;
    fcp_schema_id_init(&s, "fcp.test", "GoldenStruct", 1, 0, 0);
    const uint8_t *c;
    size_t cl;
    if (fcp_payload_decode(&s, data, size, &c, &cl) == 0) {
        uint8_t sh[FCP_SCHEMA_HASH_BYTES];
        fcp_schema_hash(sh, &s);
        if (size < 32 || memcmp(sh, data, 32) != 0 || c != data + 32 || cl != size - 32)
            abort();
    }
    return 0;
}
