/*
 * fuzz_admin.c - libFuzzer target for the admin protocol codec
 * (src/node/node_admin.c): frame header checks, request decoding, response
 * field lookup and the JSON rendering.
 *
 * Properties: no crash, leak or out-of-bounds access on any input; every
 * refusal is a known FCP error; a request that decodes re-encodes to exactly
 * the same bytes (the decoder accepts only canonical CBOR, so the encoding
 * is unique).  A broken property calls abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/admin.h"
#include "fcp/buf.h"
#include "fcp/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t seq;
    uint32_t len;
    int rc = fcp_admin_frame_check(data, size, FCP_ADMIN_MAX_PAYLOAD, &seq, &len);
    if (rc < 0 && !fcp_error_known(rc))
        abort();
    if (rc == 1 && (size_t)len + FCP_ADMIN_HEADER_BYTES > size)
        abort();
    /* the payload: either the framed one or the whole input */
    const uint8_t *p = rc == 1 ? data + FCP_ADMIN_HEADER_BYTES : data;
    size_t n = rc == 1 ? len : size;
    fcp_admin_request r;
    const char *why = NULL;
    rc = fcp_admin_request_decode(&r, p, n, &why);
    if (rc < 0 && (!fcp_error_known(rc) || !why))
        abort();
    if (rc == 0) {
        fcp_buf out;
        fcp_buf_init(&out);
        if (fcp_admin_request_encode(&r, &out) != 0 || out.len != n || memcmp(out.data, p, n))
            abort();
        fcp_buf_free(&out);
    }
    uint64_t u;
    const char *s;
    size_t sl;
    int e;
    char detail[64];
    fcp_admin_resp_uint(p, n, "size", &u);
    fcp_admin_resp_text(p, n, "code", &s, &sl);
    fcp_admin_resp_failed(p, n, &e, detail, sizeof detail);
    fcp_buf js;
    fcp_buf_init(&js);
    rc = fcp_admin_to_json(p, n, &js);
    if (rc < 0 && !fcp_error_known(rc))
        abort();
    fcp_buf_free(&js);
    return 0;
}
