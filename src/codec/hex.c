/*
 * hex.c - strict hex and base64 codecs (see fcp/hex.h).
 */
#include "fcp/hex.h"
#include "fcp/error.h"

#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int fcp_hex_encode(char *out, size_t outlen, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    if (n > (SIZE_MAX - 1) / 2 || outlen < 2 * n + 1)
        return FCP_EBUFFER_TOO_SMALL;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = 0;
    return 0;
}

int fcp_hex_decode(uint8_t *out, size_t outcap, size_t *n, const char *text, size_t tlen)
{
    if (tlen % 2)
        return FCP_EHEX;
    if (tlen / 2 > outcap)
        return FCP_EBUFFER_TOO_SMALL;
    for (size_t i = 0; i < tlen / 2; i++) {
        int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return FCP_EHEX;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    if (n)
        *n = tlen / 2;
    return 0;
}

int fcp_hex_decode_exact(uint8_t *out, size_t n, const char *text)
{
    size_t got;
    size_t tlen = strlen(text);
    if (tlen != 2 * n)
        return FCP_EHEX;
    return fcp_hex_decode(out, n, &got, text, tlen);
}

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t fcp_base64_encoded_len(size_t n, int variant)
{
    if (variant == FCP_B64_URL_NOPAD)
        return (n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0);
    return ((n + 2) / 3) * 4;
}

int fcp_base64_encode(char *out, size_t outlen, const uint8_t *in, size_t n, int variant)
{
    const char *alpha = variant == FCP_B64_URL_NOPAD ? b64_url : b64_std;
    size_t need = fcp_base64_encoded_len(n, variant);
    if (outlen < need + 1)
        return FCP_EBUFFER_TOO_SMALL;
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        out[o++] = alpha[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        if (variant != FCP_B64_URL_NOPAD) { out[o++] = '='; out[o++] = '='; }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        if (variant != FCP_B64_URL_NOPAD) out[o++] = '=';
    }
    out[o] = 0;
    return 0;
}

static int b64val(char c, int variant)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (variant == FCP_B64_URL_NOPAD) {
        if (c == '-') return 62;
        if (c == '_') return 63;
    } else {
        if (c == '+') return 62;
        if (c == '/') return 63;
    }
    return -1;
}

int fcp_base64_decode(uint8_t *out, size_t outcap, size_t *n, const char *text, size_t tlen, int variant)
{
    size_t pad = 0;
    if (variant != FCP_B64_URL_NOPAD) {
        if (tlen % 4)
            return FCP_EBASE64;
        if (tlen >= 1 && text[tlen - 1] == '=') pad++;
        if (tlen >= 2 && text[tlen - 2] == '=') pad++;
        tlen -= pad;
    } else if (tlen % 4 == 1) {
        return FCP_EBASE64;
    }
    size_t full = tlen / 4, rem = tlen % 4;
    size_t outlen = full * 3 + (rem ? rem - 1 : 0);
    if (variant != FCP_B64_URL_NOPAD && pad && rem != 4 - pad)
        return FCP_EBASE64;
    if (outlen > outcap)
        return FCP_EBUFFER_TOO_SMALL;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < tlen; i++) {
        int v = b64val(text[i], variant);
        if (v < 0)
            return FCP_EBASE64;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0)  /* non-zero trailing bits: not canonical */
        return FCP_EBASE64;
    if (n)
        *n = o;
    return 0;
}
