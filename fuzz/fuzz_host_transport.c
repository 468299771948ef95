/*
 * fuzz_host_transport.c - libFuzzer target for the local transport's frame
 * receiver and control-message decoder (src/host/host_transport.c).
 *
 * The first byte picks a chunk size; the rest is fed to an fcp_lt_rx with a
 * 4 KiB limit in chunks of that size, as a socket would deliver it.
 * Properties: no crash or out-of-bounds access; the receiver never consumes
 * bytes while a frame waits (backpressure) and never yields a payload above
 * the limit; every decoded message re-encodes to exactly the same payload
 * (the decoder accepts only canonical messages).  A broken property aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/host_transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_msg(const uint8_t *p, size_t n)
{
    fcp_lt_msg m;
    if (fcp_lt_msg_decode(p, n, &m) != 0) return;
    char type[FCP_LT_TYPE_MAX + 1];
    if (m.type_len == 0 || m.type_len > FCP_LT_TYPE_MAX) abort();
    memcpy(type, m.type, m.type_len);
    type[m.type_len] = '\0';
    char text[FCP_LT_MSG_TEXT_MAX + 1] = "";
    if (m.text) {
        memcpy(text, m.text, m.text_len);
        text[m.text_len] = '\0';
    }
    /* an embedded NUL in the text cannot round-trip through a C string */
    if (m.text && strlen(text) != m.text_len) return;
    fcp_lt_msg again = {type, 0, m.id, m.body, m.body_len, m.code, m.text ? text : NULL, 0};
    fcp_buf out;
    fcp_buf_init(&out);
    if (fcp_lt_msg_encode(&again, &out) != 0) abort();
    if (out.len != FCP_LT_HEADER_BYTES + n || memcmp(out.data + FCP_LT_HEADER_BYTES, p, n) != 0) abort();
    fcp_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    size_t chunk = (size_t)data[0] % 64 + 1;
    data++;
    size--;
    check_msg(data, size);
    fcp_lt_rx rx;
    if (fcp_lt_rx_init(&rx, 4096) != 0) return 0;
    size_t off = 0;
    /* bounded: each pass consumes bytes, takes a frame, or stops */
    while (off < size) {
        size_t n = size - off < chunk ? size - off : chunk, used;
        int rc = fcp_lt_rx_feed(&rx, data + off, n, &used);
        off += used;
        if (rc < 0) break;
        if (rc == 1) {
            size_t u2;
            if (off < size && (fcp_lt_rx_feed(&rx, data + off, size - off, &u2) != 1 || u2 != 0)) abort();
            const uint8_t *p;
            size_t pl;
            if (fcp_lt_rx_take(&rx, &p, &pl) != 0 || pl > 4096) abort();
            check_msg(p, pl);
        } else if (used == 0) {
            abort(); /* needed more bytes but took none */
        }
    }
    fcp_lt_rx_free(&rx);
    return 0;
}
