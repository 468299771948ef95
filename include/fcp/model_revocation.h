/*
 * model_revocation.h - revocation objects (spec §14.3, §14.3.1):
 * RevocationObject, RevocationEvent (a prev-linked, seq-numbered chain) and
 * RevocationHead (a quorum-signed checkpoint of the chain).
 *
 * CBOR per D-MODEL-6 (D-REV-1): maps keyed by field names; RevocationScope
 * as its snake_case name ("capability", "issuer_key", "node_attestation",
 * "zone_key", "connector_binary", the reference's spelling); revoked ids
 * strictly ascending (a set).  RevocationObject and RevocationEvent are
 * owner-signed, RevocationHead carries quorum_signatures sorted by node id
 * (model_sign.h).  Pure; fixed-size values.
 */
#ifndef FCP_MODEL_REVOCATION_H
#define FCP_MODEL_REVOCATION_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_cap.h"
#include "fcp/model_object.h"
#include "fcp/model_sign.h"

#define FCP_REV_MAX_IDS        1024   /* ids in one RevocationObject */
#define FCP_REV_REASON_MAX     256
#define FCP_REV_MAX_ENCODED    (64 * 1024)

typedef struct fcp_revocation_object {
    fcp_object_header header;
    size_t   n_revoked;
    uint8_t  revoked[FCP_REV_MAX_IDS][FCP_OBJECT_ID_BYTES];  /* strictly ascending */
    enum fcp_rev_scope scope;
    char     reason[FCP_REV_REASON_MAX + 1];
    uint64_t effective_at;
    int      has_expires_at;
    uint64_t expires_at;          /* > effective_at */
    uint8_t  signature[64];
} fcp_revocation_object;

typedef struct fcp_revocation_event {
    fcp_object_header header;
    uint8_t  revocation_object_id[FCP_OBJECT_ID_BYTES];
    int      has_prev;
    uint8_t  prev[FCP_OBJECT_ID_BYTES];
    uint64_t seq;                 /* 1 for the first event (no prev) */
    uint64_t occurred_at;
    uint8_t  signature[64];
} fcp_revocation_event;

typedef struct fcp_revocation_head {
    fcp_object_header header;
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    uint8_t  head_event[FCP_OBJECT_ID_BYTES];
    uint64_t head_seq;
    uint64_t epoch_id;
    size_t   n_sigs;
    char     signer[FCP_QUORUM_MAX][FCP_NODE_ID_MAX + 1];
    uint8_t  sigs[FCP_QUORUM_MAX][64];
} fcp_revocation_head;

/* Scope names ("capability", ...); NULL for an unknown value. */
const char *fcp_rev_scope_name(enum fcp_rev_scope s);

void fcp_revocation_object_schema(fcp_schema_id *s);
void fcp_revocation_event_schema(fcp_schema_id *s);
void fcp_revocation_head_schema(fcp_schema_id *s);

/* Validate: ids ascending and unique, 1..FCP_REV_MAX_IDS, reason printable
 * UTF-8, expires_at > effective_at.  0 or FCP_EREV_OBJECT / FCP_ELIMIT. */
int fcp_revocation_object_validate(const fcp_revocation_object *r);
int fcp_revocation_object_encode_unsigned(const fcp_revocation_object *r, fcp_buf *out);
int fcp_revocation_object_encode(const fcp_revocation_object *r, fcp_buf *out);
/* Strict decode; errors FCP_ECBOR_*, FCP_EUNKNOWN_FIELD, FCP_EMISSING_FIELD,
 * FCP_EREV_OBJECT, FCP_EREV_SCOPE, FCP_ELIMIT, FCP_ETOO_LARGE. */
int fcp_revocation_object_decode(fcp_revocation_object *r, const uint8_t *p, size_t n);
int fcp_revocation_object_sign(fcp_revocation_object *r, const uint8_t owner_sk[64]);
int fcp_revocation_object_verify(const fcp_revocation_object *r, const uint8_t owner_pk[32]);
/* Keyed ObjectId of the full encoding (the id events point at). */
int fcp_revocation_object_id(uint8_t out[32], const fcp_revocation_object *r,
                             const fcp_object_id_key *key);

/* seq >= 1; has_prev iff seq > 1 (FCP_EREV_OBJECT). */
int fcp_revocation_event_validate(const fcp_revocation_event *e);
int fcp_revocation_event_encode_unsigned(const fcp_revocation_event *e, fcp_buf *out);
int fcp_revocation_event_encode(const fcp_revocation_event *e, fcp_buf *out);
int fcp_revocation_event_decode(fcp_revocation_event *e, const uint8_t *p, size_t n);
int fcp_revocation_event_sign(fcp_revocation_event *e, const uint8_t owner_sk[64]);
int fcp_revocation_event_verify(const fcp_revocation_event *e, const uint8_t owner_pk[32]);
int fcp_revocation_event_id(uint8_t out[32], const fcp_revocation_event *e,
                            const fcp_object_id_key *key);

/* Signers sorted strictly ascending (FCP_EUNSORTED_SIGNERS /
 * FCP_EDUPLICATE_SIGNER), zone valid, head_seq >= 1 (FCP_EREV_HEAD). */
int fcp_revocation_head_validate(const fcp_revocation_head *h);
int fcp_revocation_head_encode_unsigned(const fcp_revocation_head *h, fcp_buf *out);
int fcp_revocation_head_encode(const fcp_revocation_head *h, fcp_buf *out);
int fcp_revocation_head_decode(fcp_revocation_head *h, const uint8_t *p, size_t n);
/* Add (or replace) signer's signature over the unsigned view, keeping the
 * signer list sorted.  FCP_ELIMIT when full. */
int fcp_revocation_head_add_signature(fcp_revocation_head *h, const char *signer,
                                      const uint8_t node_sk[64]);
/* Quorum check via model_sign.h: FCP_EQUORUM / FCP_EBAD_SIGNATURE / order. */
int fcp_revocation_head_verify(const fcp_revocation_head *h, size_t threshold,
                               fcp_node_key_lookup lookup, void *ctx);

#endif
