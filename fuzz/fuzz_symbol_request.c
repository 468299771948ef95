/*
 * fuzz_symbol_request.c - libFuzzer target for the bounded symbol-request
 * codecs and the allowance function (src/wire/wire_symreq.c).
 *
 * Every input goes to the SymbolRequest, DecodeStatus, SymbolAck and
 * SymbolDeliveryHint decoders.  Properties:
 *   - no crash; a failed decode leaves its output all zero;
 *   - whatever decodes re-encodes to exactly the input, and its transcript
 *     can be built;
 *   - a decoded request respects its bounds (max_symbols >= 1, want_esi
 *     within max_symbols and 1024, strictly ascending);
 *   - the allowance never exceeds max_symbols, the available count, the
 *     want list, 1024, and 32 without authentication or proof of need.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/symreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            abort();
}

static uint8_t g_mem[2 * FCP_SYMREQ_MAX_ENCODED + 64 * 1024];

static void same(const fcp_buf *b, const uint8_t *data, size_t size)
{
    if (b->err || b->len != size || memcmp(b->data, data, size) != 0)
        abort();
}

static void check_allowance(const fcp_symbol_request *r, uint32_t avail)
{
    fcp_symreq_policy p;
    fcp_symreq_policy_default(&p);
    for (int auth = 0; auth < 2; auth++) {
        for (int open = 0; open < 2; open++) {
            p.require_authenticated = !open;
            uint32_t n = 12345;
            int rc = fcp_symreq_allowance(&p, r, auth, avail, &n);
            if (rc < 0) {
                if (n != 0 || rc != FCP_ESYMREQ_UNAUTHENTICATED || auth || open)
                    abort();
                continue;
            }
            int proof = r->has_want_esi || r->has_decode_status;
            if (n > r->max_symbols || n > avail || n > p.max_per_request)
                abort();
            if ((!auth || !proof) && n > p.max_unauthenticated)
                abort();
            if (r->has_want_esi && n > r->n_want)
                abort();
            if (r->has_decode_status && r->decode_status.complete && n != 0)
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fcp_symbol_request r;
    static fcp_decode_status s;
    fcp_symbol_ack a;
    fcp_symbol_delivery_hint h;
    fcp_buf b;

    if (fcp_symbol_request_decode(&r, data, size) == 0) {
        if (r.max_symbols == 0 || (r.has_want_esi && (r.n_want == 0 || r.n_want > r.max_symbols ||
                                                      r.n_want > FCP_SYMREQ_MAX_ESIS)))
            abort();
        for (size_t i = 1; r.has_want_esi && i < r.n_want; i++)
            if (r.want_esi[i] <= r.want_esi[i - 1])
                abort();
        fcp_buf_init_fixed(&b, g_mem, sizeof g_mem);
        if (fcp_symbol_request_encode(&r, &b) < 0)
            abort();
        same(&b, data, size);
        fcp_buf_init_fixed(&b, g_mem, sizeof g_mem);
        if (fcp_symbol_request_transcript(&r, &b) < 0)
            abort();
        check_allowance(&r, 0);
        check_allowance(&r, 40);
        check_allowance(&r, UINT32_MAX);
    } else {
        all_zero(&r, sizeof r);
    }
    if (fcp_decode_status_decode(&s, data, size) == 0) {
        fcp_buf_init_fixed(&b, g_mem, sizeof g_mem);
        if (fcp_decode_status_encode(&s, &b) < 0)
            abort();
        same(&b, data, size);
        fcp_buf_init_fixed(&b, g_mem, sizeof g_mem);
        if (fcp_decode_status_transcript(&s, &b) < 0)
            abort();
    } else {
        all_zero(&s, sizeof s);
    }
    if (fcp_symbol_ack_decode(&a, data, size) == 0) {
        fcp_buf_init_fixed(&b, g_mem, sizeof g_mem);
        if (fcp_symbol_ack_encode(&a, &b) < 0)
            abort();
        same(&b, data, size);
        fcp_buf_init_fixed(&b, g_mem, sizeof g_mem);
        if (fcp_symbol_ack_transcript(&a, &b) < 0)
            abort();
    } else {
        all_zero(&a, sizeof a);
    }
    if (fcp_delivery_hint_decode(&h, data, size) == 0) {
        fcp_buf_init_fixed(&b, g_mem, sizeof g_mem);
        if (fcp_delivery_hint_encode(&h, &b) < 0)
            abort();
        same(&b, data, size);
    } else {
        all_zero(&h, sizeof h);
    }
    return 0;
}
