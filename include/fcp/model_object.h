/*
 * model_object.h - ObjectHeader, Provenance, ObjectPlacementPolicy,
 * StoredObject and the canonical byte forms built from them (spec §3.5,
 * §3.6, §6.1).
 *
 * CBOR mapping (decision D-MODEL-6, CDDL in conformance/FCP_CDDL_V2.cddl):
 * every struct is a canonical CBOR map keyed by its Rust field names as text;
 * an absent Option is an absent key (null is never accepted); fixed byte
 * arrays (ObjectId) are byte strings of exactly that length; SchemaId is the
 * map {namespace, name, version: "M.m.p"}; TaintFlags is a uint bitmask with
 * only the defined bits; f64 fields are CBOR floats (shortest exact form).
 * Decoding is strict: canonical CBOR only, no unknown or missing keys, every
 * identifier validated, every count bounded by the FCP_HDR_MAX_* limits below.
 *
 * Structs are fixed-size (no allocation): decode fills caller storage and
 * copies every string, so the input may be freed afterwards.
 *
 *   canonical_bytes  = "FCP2-OBJECT-V1" || cbor(header) || body        (§3.6)
 *   ObjectId         = fcp_object_id(key, zone_id, schema, canonical_bytes)
 *   prefixed payload = SchemaHash(32) || canonical CBOR                (§3.5)
 */
#ifndef FCP_MODEL_OBJECT_H
#define FCP_MODEL_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_ids.h"

#define FCP_HDR_MAX_REFS         256  /* ObjectHeader.refs */
#define FCP_HDR_MAX_REDUCTIONS   16   /* Provenance.taint_reductions */
#define FCP_HDR_MAX_CROSSINGS    32   /* Provenance.zone_crossings */
#define FCP_HDR_MAX_DEVICES      16   /* each placement device list */
#define FCP_HDR_DEVICE_MAX       128  /* bytes per device selector */
#define FCP_PRINCIPAL_MAX        128  /* bytes of a PrincipalId */
/* Largest canonical header encoding (bounds the decoder's input). */
#define FCP_HDR_MAX_ENCODED      (64 * 1024)

/* TaintFlags (spec §6.1); merged with OR. */
#define FCP_TAINT_NONE            0u
#define FCP_TAINT_PUBLIC_INPUT    (1u << 0)
#define FCP_TAINT_EXTERNAL_INPUT  (1u << 1)
#define FCP_TAINT_UNVERIFIED_LINK (1u << 2)
#define FCP_TAINT_USER_SUPPLIED   (1u << 3)
#define FCP_TAINT_PROMPT_SURFACE  (1u << 4)
#define FCP_TAINT_ALL             0x1fu

typedef struct fcp_taint_reduction {
    uint32_t clears;                          /* TaintFlags cleared */
    uint8_t  by_attestation[FCP_OBJECT_ID_BYTES];
    uint64_t applied_at;
} fcp_taint_reduction;

typedef struct fcp_zone_crossing {
    char     from_zone[FCP_ZONE_ID_MAX + 1];
    char     to_zone[FCP_ZONE_ID_MAX + 1];
    uint64_t crossed_at;
    int      has_authorized_by;
    uint8_t  authorized_by[FCP_OBJECT_ID_BYTES];
} fcp_zone_crossing;

/* Provenance (spec §6.1), all fields. */
typedef struct fcp_provenance {
    char     origin_zone[FCP_ZONE_ID_MAX + 1];
    char     current_zone[FCP_ZONE_ID_MAX + 1];
    uint8_t  origin_integrity;
    uint8_t  origin_confidentiality;
    int      has_origin_principal;
    char     origin_principal[FCP_PRINCIPAL_MAX + 1];
    uint32_t taint;                            /* FCP_TAINT_* bits */
    size_t   n_reductions;
    fcp_taint_reduction reductions[FCP_HDR_MAX_REDUCTIONS];
    size_t   n_crossings;
    fcp_zone_crossing crossings[FCP_HDR_MAX_CROSSINGS];
    uint64_t created_at;
} fcp_provenance;

/* ObjectPlacementPolicy (spec §3.6). */
typedef struct fcp_placement {
    uint8_t min_nodes;
    double  max_node_fraction;  /* (0, 1] */
    size_t  n_preferred;
    char    preferred_devices[FCP_HDR_MAX_DEVICES][FCP_HDR_DEVICE_MAX + 1];
    size_t  n_excluded;
    char    excluded_devices[FCP_HDR_MAX_DEVICES][FCP_HDR_DEVICE_MAX + 1];
    double  target_coverage;    /* [1, 1000] */
} fcp_placement;

/* ObjectHeader (spec §3.6).  Never embeds the object's own id. */
typedef struct fcp_object_header {
    fcp_schema_id  schema;
    char           zone_id[FCP_ZONE_ID_MAX + 1];
    uint64_t       created_at;
    fcp_provenance provenance;
    size_t         n_refs;
    uint8_t        refs[FCP_HDR_MAX_REFS][FCP_OBJECT_ID_BYTES];
    int            has_ttl_secs;
    uint64_t       ttl_secs;
    int            has_placement;
    fcp_placement  placement;
} fcp_object_header;

/* Set p to an untainted provenance born in zone at time created_at
 * (origin = current = zone, labels 0, no principal).  Zone errors as
 * fcp_zone_id_validate. */
int fcp_provenance_init(fcp_provenance *p, const char *zone, uint64_t created_at);

/* Zero h and set schema, zone, created_at, and a provenance from
 * fcp_provenance_init(zone, created_at).  Zone errors as fcp_zone_id_validate. */
int fcp_object_header_init(fcp_object_header *h, const fcp_schema_id *schema, const char *zone,
                           uint64_t created_at);

/* Check every invariant the decoder enforces (identifiers, counts, known
 * taint bits, float ranges, strings).  0 or the first error:
 * zone errors, FCP_ENODE_ID / FCP_EIDENTIFIER (principal, device selector),
 * FCP_ELIMIT (a count above its FCP_HDR_MAX_*), FCP_EOUT_OF_RANGE (taint bits,
 * placement floats). */
int fcp_object_header_validate(const fcp_object_header *h);

/* Append cbor(header) (canonical) to out.  Validates first; 0 or an error
 * (nothing useful appended on error). */
int fcp_object_header_encode(const fcp_object_header *h, fcp_buf *out);

/* Strictly decode one canonical header from p[0..n) (nothing may follow).
 * Errors: any FCP_ECBOR_*, FCP_EMISSING_FIELD, FCP_EUNKNOWN_FIELD,
 * FCP_EOBJECT (wrong byte-string length), FCP_ESCHEMA_ID, zone errors,
 * FCP_ELIMIT, FCP_EOUT_OF_RANGE, FCP_ETOO_LARGE (n > FCP_HDR_MAX_ENCODED).
 * On error *h is zeroed. */
int fcp_object_header_decode(fcp_object_header *h, const uint8_t *p, size_t n);

/* Decode one header item from an open decoder (for objects that embed a
 * header as a field).  Same errors as fcp_object_header_decode. */
struct fcp_cbor_dec;
struct fcp_cbor_enc;
int fcp_object_header_decode_from(fcp_object_header *h, struct fcp_cbor_dec *dec);
int fcp_object_header_encode_to(const fcp_object_header *h, struct fcp_cbor_enc *enc);

/* Provenance alone, as a CBOR map (used inside the header and elsewhere). */
int fcp_provenance_encode_to(const fcp_provenance *p, struct fcp_cbor_enc *enc);
int fcp_provenance_decode_from(fcp_provenance *p, struct fcp_cbor_dec *dec);

/* Effective taint: taint with every reduction's clears removed (spec §6.2). */
uint32_t fcp_provenance_effective_taint(const fcp_provenance *p);

/* Append "FCP2-OBJECT-V1" || cbor(h) || body[0..body_len) to out. */
int fcp_object_canonical_bytes(const fcp_object_header *h, const uint8_t *body, size_t body_len,
                               fcp_buf *out);

/* ObjectId of (header, body) under key: fcp_object_id over canonical bytes
 * with the header's zone and schema (spec §3.6 derive_id). */
int fcp_object_derive_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_object_header *h,
                         const uint8_t *body, size_t body_len, const fcp_object_id_key *key);

/* Schema-prefixed payload (spec §3.5): append SchemaHash(schema) || cbor to
 * out.  cbor must already be one canonical item (checked: FCP_ECBOR_*). */
int fcp_payload_encode(const fcp_schema_id *schema, const uint8_t *cbor, size_t cbor_len,
                       fcp_buf *out);

/* Check a schema-prefixed payload: FCP_ESCHEMA_MISMATCH if shorter than 32
 * bytes or the prefix is not SchemaHash(expected); then the rest must be one
 * strictly canonical CBOR item (FCP_ECBOR_*).  On success *cbor / *cbor_len
 * point at that item inside data. */
int fcp_payload_decode(const fcp_schema_id *expected, const uint8_t *data, size_t len,
                       const uint8_t **cbor, size_t *cbor_len);

/* Node-local retention (spec §3.6 RetentionClass); not content-addressed. */
enum fcp_retention_kind { FCP_RETENTION_PINNED = 0, FCP_RETENTION_LEASE = 1, FCP_RETENTION_EPHEMERAL = 2 };
typedef struct fcp_retention {
    enum fcp_retention_kind kind;
    uint64_t lease_expires_at;  /* FCP_RETENTION_LEASE only */
} fcp_retention;

/* StoredObject (spec §3.6): a header, a schema-prefixed body held by the
 * caller, and node-local storage metadata. */
typedef struct fcp_stored_object {
    uint8_t            object_id[FCP_OBJECT_ID_BYTES];
    fcp_object_header  header;
    const uint8_t     *body;      /* schema-prefixed canonical body, caller-owned */
    size_t             body_len;
    fcp_retention      storage;
} fcp_stored_object;

/* Check a stored object: the body is a valid payload of the header's schema
 * and object_id equals the id derived under key.  0, FCP_ESCHEMA_MISMATCH,
 * FCP_ECBOR_*, or FCP_ECHECKSUM (id mismatch). */
int fcp_stored_object_verify(const fcp_stored_object *o, const fcp_object_id_key *key);

#endif
