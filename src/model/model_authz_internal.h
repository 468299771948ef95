/*
 * model_authz_internal.h - helpers shared by the authority object codecs
 * (model_zonekeys.c, model_zone.c, model_lease.c); not installed.
 */
#ifndef FCP_MODEL_AUTHZ_INTERNAL_H
#define FCP_MODEL_AUTHZ_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/cbor.h"
#include "fcp/model_object.h"
#include "fcp/model_zone.h"

#define FCP_MA_TRY(x)          \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

/* Encoder of an object's (unsigned or full) canonical CBOR. */
typedef int (*fcp_ma_encode_fn)(const void *obj, fcp_buf *out);

/* Header belongs to this object: valid, schema equal (FCP_ESCHEMA_MISMATCH),
 * zone equal to zone (FCP_EAUTHZ_ZONE_MISMATCH). */
int fcp_ma_check_header(const fcp_object_header *h, const fcp_schema_id *schema, const char *zone);

/* Sign / verify the unsigned encoding of obj under schema. */
int fcp_ma_sign(const void *obj, fcp_ma_encode_fn enc_unsigned, const fcp_schema_id *schema,
                const uint8_t sk[64], uint8_t sig[64]);
int fcp_ma_verify(const void *obj, fcp_ma_encode_fn enc_unsigned, const fcp_schema_id *schema,
                  const uint8_t pk[32], const uint8_t sig[64]);

/* ObjectId = derive_id(h, SchemaHash(schema) || enc_full(obj), key). */
int fcp_ma_object_id(uint8_t out[32], const void *obj, fcp_ma_encode_fn enc_full,
                     const fcp_object_header *h, const fcp_object_id_key *key);

/* Index of text key k among names[0..n), or -1. */
int fcp_ma_key_index(const char *k, size_t kl, const char *const *names, int n);

/* Node id text into out[FCP_NODE_ID_MAX + 1] (FCP_ENODE_ID). */
int fcp_ma_get_node(fcp_cbor_dec *d, char *out);
int fcp_ma_put_kv_text(fcp_cbor_enc *e, const char *k, const char *v);
int fcp_ma_put_kv_uint(fcp_cbor_enc *e, const char *k, uint64_t v);
int fcp_ma_put_kv_bytes(fcp_cbor_enc *e, const char *k, const uint8_t *p, size_t n);

/* Inline quorum signature arrays (fcp_zone_sig). */
int fcp_ma_sigs_check(const fcp_zone_sig *s, size_t n);
int fcp_ma_sigs_encode(fcp_cbor_enc *e, const fcp_zone_sig *s, size_t n);
int fcp_ma_sigs_decode(fcp_cbor_dec *d, fcp_zone_sig *s, size_t *n);
/* Insert (node, sig) keeping the order: FCP_EDUPLICATE_SIGNER, FCP_ELIMIT,
 * FCP_ENODE_ID. */
int fcp_ma_sigs_insert(fcp_zone_sig *s, size_t *n, const char *node, size_t len,
                       const uint8_t sig[64]);
/* View as fcp_quorum_sig[] (node ids point into s). */
void fcp_ma_sigs_view(const fcp_zone_sig *s, size_t n, fcp_quorum_sig *q);

/* Limits for decoding an object holding a header (floats allowed). */
void fcp_ma_limits(fcp_cbor_limits *lim);

#endif
