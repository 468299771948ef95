/*
 * model_internal.h - small CBOR helpers shared by the model/ encoders and
 * strict decoders, and the sign / verify / ObjectId plumbing of the objects
 * with views (not installed).  Text-keyed map walks and key/value puts live
 * in fcp/cbor.h (fcp_cbor_read_fields, fcp_cbor_put_kv_*), shared with wire/.
 */
#ifndef FCP_MODEL_INTERNAL_H
#define FCP_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/cbor.h"
#include "fcp/model_object.h"
#include "fcp/model_sign.h"

/* Read a byte string of exactly n bytes into out (FCP_EOBJECT if the length
 * differs). */
int fcp_m_get_fixed(fcp_cbor_dec *d, uint8_t *out, size_t n);

/* Read a text string of at most max bytes into out (NUL-terminated, out has
 * max + 1 bytes) and check it with validate (may be NULL) whose error is
 * returned as is; longer text, or text holding a NUL byte, gives
 * too_long_err. */
int fcp_m_get_text(fcp_cbor_dec *d, char *out, size_t max, int (*validate)(const char *, size_t),
                   int too_long_err);

/* Node id text into out (FCP_ENODE_ID). */
int fcp_m_get_node(fcp_cbor_dec *d, char out[FCP_NODE_ID_MAX + 1]);

/* Read a uint that must be <= max (FCP_EOUT_OF_RANGE otherwise). */
int fcp_m_get_uint_max(fcp_cbor_dec *d, uint64_t *v, uint64_t max);

/* Decode into a zeroed obj of size bytes with decode(obj, p, n); on
 * failure zero obj again, so a failed decode never leaves partial state. */
int fcp_m_decode_zeroed(void *obj, size_t size, const uint8_t *p, size_t n,
                        int (*decode)(void *obj, const uint8_t *p, size_t n));

/* Expect the map to be finished: any further entry is FCP_EUNKNOWN_FIELD. */
int fcp_m_map_end(fcp_cbor_dec *d, fcp_cbor_map_iter *it);

/* Put the text map key k. */
int fcp_m_text_key(fcp_cbor_enc *e, const char *k);

/* Printable-ASCII identifier without spaces, 1..max bytes (FCP_EIDENTIFIER). */
int fcp_m_printable_id(const char *s, size_t n, size_t max);

/* strnlen(s, max + 1): the length of a fixed-size text field, or max + 1
 * when it is too long (so the validator refuses it). */
size_t fcp_m_slen(const char *s, size_t max);

/* ---- quorum signatures kept as two parallel arrays (AuditHead,
 * RevocationHead): signer[i] (NUL-terminated node id) signed sig[i]. ----- */

/* View the n entries as fcp_quorum_sig (node ids point into signer). */
void fcp_m_quorum_view(const char (*signer)[FCP_NODE_ID_MAX + 1], const uint8_t (*sig)[64],
                       size_t n, fcp_quorum_sig *q);

/* Read a quorum signature array (fcp_quorum_decode_from) into the arrays;
 * a node id longer than FCP_NODE_ID_MAX is FCP_ENODE_ID. */
int fcp_m_quorum_decode(fcp_cbor_dec *d, char (*signer)[FCP_NODE_ID_MAX + 1], uint8_t (*sig)[64],
                        size_t *n);

/* ---- objects with views (model_audit.h: AuditEvent, AuditHead,
 * DecisionReceipt, OperationIntent, OperationReceipt) ---------------------- */

/* Encoder of one view (FCP_VIEW_*) of an object. */
typedef int (*fcp_m_view_enc_fn)(const void *obj, unsigned view, fcp_buf *out);

/* Decoder over p[0..n) with these objects' limits: depth 8, 1024 items per
 * container, floats allowed (the header's placement). */
void fcp_m_view_dec_init(fcp_cbor_dec *d, const uint8_t *p, size_t n);

/* Header valid and of the schema schema() names (FCP_ESCHEMA_MISMATCH). */
int fcp_m_header_of(const fcp_object_header *h, void (*schema)(fcp_schema_id *));

/* ObjectId = fcp_object_derive_id(h, SchemaHash || body, key). */
int fcp_m_derive_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_object_header *h,
                    const fcp_buf *body, const fcp_object_id_key *key);

/* Sign / verify the SIGNED view of obj; ObjectId over its BODY view. */
int fcp_m_view_sign(uint8_t sig[64], const void *obj, fcp_m_view_enc_fn enc,
                    void (*schema)(fcp_schema_id *), const uint8_t sk[64]);
int fcp_m_view_verify(const uint8_t sig[64], const void *obj, fcp_m_view_enc_fn enc,
                      void (*schema)(fcp_schema_id *), const uint8_t pk[32]);
int fcp_m_view_id(uint8_t out[FCP_OBJECT_ID_BYTES], const void *obj, const fcp_object_header *h,
                  fcp_m_view_enc_fn enc, const fcp_object_id_key *key);

#endif
