/*
 * host_transport.c - local transport frames and control messages
 * (host_transport.h).  Pure codec: no I/O.  The receiver validates each
 * header before it buffers a byte of payload, and never holds more than
 * one frame of at most max bytes.
 */
#include "fcp/host_transport.h"

#include <stdlib.h>
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/error.h"

int fcp_lt_header_encode(uint8_t out[FCP_LT_HEADER_BYTES], size_t len)
{
    if (len > FCP_LT_HARD_MAX) return FCP_EHOST_FRAME_TOO_LARGE;
    memcpy(out, FCP_LT_MAGIC, 4);
    out[4] = FCP_LT_VERSION;
    out[5] = 0;
    out[6] = out[7] = 0;
    fcp_store_u32le(out + 8, (uint32_t)len);
    return 0;
}

int fcp_lt_header_decode(const uint8_t in[FCP_LT_HEADER_BYTES], uint32_t max, uint32_t *len)
{
    if (memcmp(in, FCP_LT_MAGIC, 4) != 0 || in[4] != FCP_LT_VERSION || in[5] != 0 || in[6] != 0 ||
        in[7] != 0)
        return FCP_EHOST_FRAME;
    uint32_t l = fcp_load_u32le(in + 8);
    if (l > max || l > FCP_LT_HARD_MAX) return FCP_EHOST_FRAME_TOO_LARGE;
    *len = l;
    return 0;
}

int fcp_lt_rx_init(fcp_lt_rx *rx, uint32_t max)
{
    memset(rx, 0, sizeof *rx);
    if (max == 0) max = FCP_LT_DEFAULT_MAX;
    if (max > FCP_LT_HARD_MAX) return FCP_EINVAL;
    rx->buf = malloc((size_t)FCP_LT_HEADER_BYTES + max);
    if (!rx->buf) return FCP_ENOMEM;
    rx->max = max;
    rx->need = FCP_LT_HEADER_BYTES;
    return 0;
}

void fcp_lt_rx_free(fcp_lt_rx *rx)
{
    free(rx->buf);
    memset(rx, 0, sizeof *rx);
}

int fcp_lt_rx_feed(fcp_lt_rx *rx, const uint8_t *p, size_t n, size_t *used)
{
    *used = 0;
    if (rx->err) return rx->err;
    if (!rx->buf) return FCP_EINVAL;
    while (!rx->ready && *used < n) {
        size_t take = rx->need - rx->have;
        if (take > n - *used) take = n - *used;
        memcpy(rx->buf + rx->have, p + *used, take);
        rx->have += take;
        *used += take;
        if (rx->have < rx->need) break;
        if (rx->need == FCP_LT_HEADER_BYTES) {
            uint32_t len;
            int rc = fcp_lt_header_decode(rx->buf, rx->max, &len);
            if (rc < 0) return rx->err = rc;
            rx->need = FCP_LT_HEADER_BYTES + (size_t)len;
            if (len == 0) rx->ready = 1;
        } else {
            rx->ready = 1;
        }
    }
    return rx->ready ? 1 : 0;
}

int fcp_lt_rx_take(fcp_lt_rx *rx, const uint8_t **payload, size_t *len)
{
    if (!rx->ready) return FCP_EINVAL;
    *payload = rx->buf + FCP_LT_HEADER_BYTES;
    *len = rx->need - FCP_LT_HEADER_BYTES;
    rx->ready = 0;
    rx->have = 0;
    rx->need = FCP_LT_HEADER_BYTES;
    return 0;
}

static const fcp_cbor_limits msg_limits = {16, 4096, FCP_LT_HARD_MAX, 0};

/* Length of one UTF-8 sequence by its lead byte (1 for an invalid lead). */
static size_t utf8_seq_len(uint8_t b)
{
    if (b < 0xc2) return 1;
    if (b < 0xe0) return 2;
    if (b < 0xf0) return 3;
    return b < 0xf5 ? 4 : 1;
}

size_t fcp_lt_text_clip(const char *s, size_t n, size_t max, char *out)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, o = 0;
    while (i < n) {
        size_t l = 1;
        if (p[i] == 0 || p[i] >= 0x80) {
            l = utf8_seq_len(p[i]);
            if (l == 1 || i + l > n || !fcp_utf8_valid(p + i, l)) {
                /* a sequence cut by the end of the input is dropped... */
                int cut = l > 1 && i + l > n;
                for (size_t k = i + 1; cut && k < n; k++)
                    if ((p[k] & 0xc0) != 0x80) cut = 0;
                if (cut) break;
                /* ...any other invalid byte (or NUL) becomes '?' */
                if (o + 1 > max) break;
                out[o++] = '?';
                i++;
                continue;
            }
        }
        if (o + l > max) break;  /* never split a code point */
        memcpy(out + o, p + i, l);
        o += l;
        i += l;
    }
    return o;
}

int fcp_lt_msg_encode(const fcp_lt_msg *msg, fcp_buf *out)
{
    size_t start = out->len;
    uint8_t *hdr = fcp_buf_extend(out, FCP_LT_HEADER_BYTES);
    if (!hdr) return out->err ? out->err : FCP_ENOMEM;
    if (!msg->type || strlen(msg->type) == 0 || strlen(msg->type) > FCP_LT_TYPE_MAX) {
        out->len = start;
        return FCP_EINVAL;
    }
    if (msg->body && fcp_cbor_validate(msg->body, msg->body_len, &msg_limits) < 0) {
        out->len = start;
        return FCP_EHOST_MESSAGE;
    }
    int is_err = strcmp(msg->type, "error") == 0;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    /* canonical order of the keys: "t" < "id" < "msg" < "body" < "code" by
     * length then bytes; written in that order directly. */
    fcp_cbor_put_map(&e, 2u + (msg->body ? 1u : 0u) + (is_err ? 2u : 0u));
    fcp_cbor_put_cstr(&e, "t");
    fcp_cbor_put_cstr(&e, msg->type);
    fcp_cbor_put_cstr(&e, "id");
    fcp_cbor_put_uint(&e, msg->id);
    if (is_err) {
        fcp_cbor_put_cstr(&e, "msg");
        /* at most FCP_LT_MSG_TEXT_MAX bytes, cut at a code point boundary and
         * made valid UTF-8, so a long or odd message never makes the error
         * reply itself unencodable (D-MANIFEST-7) */
        char clipped[FCP_LT_MSG_TEXT_MAX];
        size_t tl = 0;
        if (msg->text) {
            size_t raw = strnlen(msg->text, FCP_LT_MSG_TEXT_MAX + 4);
            tl = fcp_lt_text_clip(msg->text, raw, FCP_LT_MSG_TEXT_MAX, clipped);
        }
        fcp_cbor_put_text(&e, tl ? clipped : "", tl);
    }
    if (msg->body) {
        fcp_cbor_put_cstr(&e, "body");
        fcp_cbor_put_raw(&e, msg->body, msg->body_len);
    }
    if (is_err) {
        fcp_cbor_put_cstr(&e, "code");
        fcp_cbor_put_int(&e, msg->code);
    }
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    if (rc == 0) rc = fcp_lt_header_encode(out->data + start, out->len - start - FCP_LT_HEADER_BYTES);
    if (rc < 0) out->len = start;
    return rc;
}

int fcp_lt_msg_decode(const uint8_t *p, size_t n, fcp_lt_msg *msg)
{
    memset(msg, 0, sizeof *msg);
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, p, n, &msg_limits);
    fcp_cbor_map_iter it;
    int rc = fcp_cbor_map_begin(&d, &it);
    const char *k;
    size_t kl;
    int have_t = 0, have_id = 0, have_code = 0, have_msg = 0;
    while (rc >= 0 && (rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        if (fcp_cbor_key_is(k, kl, "t")) {
            rc = fcp_cbor_get_text(&d, &msg->type, &msg->type_len);
            have_t = 1;
        } else if (fcp_cbor_key_is(k, kl, "id")) {
            rc = fcp_cbor_get_uint(&d, &msg->id);
            have_id = 1;
        } else if (fcp_cbor_key_is(k, kl, "msg")) {
            rc = fcp_cbor_get_text(&d, &msg->text, &msg->text_len);
            have_msg = 1;
        } else if (fcp_cbor_key_is(k, kl, "body")) {
            rc = fcp_cbor_get_raw(&d, &msg->body, &msg->body_len);
        } else if (fcp_cbor_key_is(k, kl, "code")) {
            rc = fcp_cbor_get_int(&d, &msg->code);
            have_code = 1;
        } else {
            rc = FCP_EUNKNOWN_FIELD;
        }
    }
    if (rc == 0) rc = fcp_cbor_dec_finish(&d);
    if (rc == 0 && (!have_t || !have_id || msg->type_len == 0 || msg->type_len > FCP_LT_TYPE_MAX))
        rc = FCP_EMISSING_FIELD;
    if (rc == 0) {
        int is_err = fcp_lt_msg_is(msg, "error");
        if (is_err != have_code || is_err != have_msg || msg->text_len > FCP_LT_MSG_TEXT_MAX)
            rc = FCP_EHOST_MESSAGE;
        for (size_t i = 0; rc == 0 && i < msg->type_len; i++)
            if (!((msg->type[i] >= 'a' && msg->type[i] <= 'z') || msg->type[i] == '_')) rc = FCP_EHOST_MESSAGE;
    }
    if (rc < 0) {
        memset(msg, 0, sizeof *msg);
        return FCP_EHOST_MESSAGE;
    }
    return 0;
}

int fcp_lt_msg_is(const fcp_lt_msg *msg, const char *s)
{
    size_t n = strlen(s);
    return msg->type && msg->type_len == n && memcmp(msg->type, s, n) == 0;
}
