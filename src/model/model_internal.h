/*
 * model_internal.h - small CBOR helpers shared by the model/ encoders and
 * strict decoders (not installed).
 */
#ifndef FCP_MODEL_INTERNAL_H
#define FCP_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/cbor.h"

/* Read a byte string of exactly n bytes into out (FCP_EOBJECT if the length
 * differs). */
int fcp_m_get_fixed(fcp_cbor_dec *d, uint8_t *out, size_t n);

/* Read a text string of at most max bytes into out (NUL-terminated, out has
 * max + 1 bytes) and check it with validate (may be NULL) whose error is
 * returned as is; longer text, or text holding a NUL byte, gives
 * too_long_err. */
int fcp_m_get_text(fcp_cbor_dec *d, char *out, size_t max, int (*validate)(const char *, size_t),
                   int too_long_err);

/* Read a uint that must be <= max (FCP_EOUT_OF_RANGE otherwise). */
int fcp_m_get_uint_max(fcp_cbor_dec *d, uint64_t *v, uint64_t max);

/* Expect the map to be finished: any further entry is FCP_EUNKNOWN_FIELD. */
int fcp_m_map_end(fcp_cbor_dec *d, fcp_cbor_map_iter *it);

/* Map a decoder/encoder error into the object error space: keep it. */
int fcp_m_text_key(fcp_cbor_enc *e, const char *k);

/* Printable-ASCII identifier without spaces, 1..max bytes (FCP_EIDENTIFIER). */
int fcp_m_printable_id(const char *s, size_t n, size_t max);

#endif
