/*
 * hex.h - strict hexadecimal and base64/base64url text codecs.
 *
 * Decoders are strict: hex accepts only [0-9a-fA-F] in pairs; base64 accepts
 * only canonical encodings (correct padding for the standard alphabet, none for
 * url-safe "nopad", zero trailing bits).  They write into caller buffers and
 * report FCP_EHEX / FCP_EBASE64 / FCP_EBUFFER_TOO_SMALL.
 */
#ifndef FCP_HEX_H
#define FCP_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2*n lowercase hex chars plus NUL into out (outlen >= 2n+1). */
int fcp_hex_encode(char *out, size_t outlen, const uint8_t *in, size_t n);
/* Decodes text of length tlen (even) into out; *n gets the byte count. */
int fcp_hex_decode(uint8_t *out, size_t outcap, size_t *n, const char *text, size_t tlen);
/* Convenience for fixed sizes: text must decode to exactly n bytes. */
int fcp_hex_decode_exact(uint8_t *out, size_t n, const char *text);

enum { FCP_B64_STD = 0, FCP_B64_URL_NOPAD = 1 };
size_t fcp_base64_encoded_len(size_t n, int variant);
int fcp_base64_encode(char *out, size_t outlen, const uint8_t *in, size_t n, int variant);
int fcp_base64_decode(uint8_t *out, size_t outcap, size_t *n, const char *text, size_t tlen, int variant);

#endif
