/*
 * model_authz_internal.h - helpers shared by the authority object codecs
 * (model_zonekeys.c, model_zone.c, model_lease.c, model_cap.c,
 * model_revocation.c); not installed.
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

/* Sign / verify the unsigned encoding of obj under the schema that
 * schema() names (one of the fcp_*_schema functions). */
int fcp_ma_sign(const void *obj, fcp_ma_encode_fn enc_unsigned, void (*schema)(fcp_schema_id *),
                const uint8_t sk[64], uint8_t sig[64]);
int fcp_ma_verify(const void *obj, fcp_ma_encode_fn enc_unsigned, void (*schema)(fcp_schema_id *),
                  const uint8_t pk[32], const uint8_t sig[64]);

/* ObjectId = derive_id(h, SchemaHash(schema) || enc_full(obj), key). */
int fcp_ma_object_id(uint8_t out[32], const void *obj, fcp_ma_encode_fn enc_full,
                     const fcp_object_header *h, const fcp_object_id_key *key);


/* Encoder frame of a header-carrying object: put_header writes the
 * "header" entry and returns its error; enc_close closes the top map and
 * frees the encoder, returning rc if set, else the encoder's result. */
int fcp_ma_put_header(fcp_cbor_enc *e, const fcp_object_header *h);
int fcp_ma_enc_close(fcp_cbor_enc *e, int rc);

/* Inline quorum signature arrays (fcp_zone_sig). */
int fcp_ma_sigs_check(const fcp_zone_sig *s, size_t n);
int fcp_ma_sigs_encode(fcp_cbor_enc *e, const fcp_zone_sig *s, size_t n);
int fcp_ma_sigs_decode(fcp_cbor_dec *d, fcp_zone_sig *s, size_t *n);
/* Insert (node, sig) keeping the order: FCP_EDUPLICATE_SIGNER, FCP_ELIMIT,
 * FCP_ENODE_ID. */
int fcp_ma_sigs_insert(fcp_zone_sig *s, size_t *n, const char *node, size_t len,
                       const uint8_t sig[64]);
/* Sign the unsigned encoding of obj with sk and insert the signature for
 * node into s[0..*n) (errors as fcp_ma_sign, then fcp_ma_sigs_insert). */
int fcp_ma_add_signature(const void *obj, fcp_ma_encode_fn enc_unsigned,
                         void (*schema)(fcp_schema_id *), fcp_zone_sig *s, size_t *n,
                         const char *node, size_t len, const uint8_t sk[64]);
/* View as fcp_quorum_sig[] (node ids point into s). */
void fcp_ma_sigs_view(const fcp_zone_sig *s, size_t n, fcp_quorum_sig *q);

/* Limits for decoding an object holding a header (floats allowed). */
void fcp_ma_limits(fcp_cbor_limits *lim);
/* Start decoding p[0..n) under those limits; FCP_ETOO_LARGE if n > max. */
int fcp_ma_dec_init(fcp_cbor_dec *d, const uint8_t *p, size_t n, size_t max);

#endif
