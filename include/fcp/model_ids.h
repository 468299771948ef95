/*
 * model_ids.h - FCP identifiers: ZoneId, node ids, SchemaId, EpochId, ObjectId,
 * key ids (spec §3.1-§3.4, §2.2).
 *
 * Every identifier that arrives as text is validated against ONE canonical
 * grammar and rejected (never normalised) when it deviates, each deviation with
 * its own error code, so two nodes can never disagree about whether "Z:Work"
 * and "z:work" are the same zone.  The grammars are recorded in
 * docs/protocol/decisions.md (D-MODEL-1..4) and summarised beside each function.
 *
 * Hashes (all BLAKE3, byte rules from the reference implementation's attested
 * vectors, see D-MODEL-5):
 *   ZoneIdHash        = BLAKE3("FCP2-ZONE-ID-V1" || zone_id)
 *   SchemaHash        = BLAKE3("FCP2-SCHEMA-V1" || u64le(|ns|) || ns
 *                              || u64le(|name|) || name || u64le(|ver|) || ver)
 *   signing hash8     = BLAKE3("ns.Name/M.m.p")[0..8]
 *   ObjectId (keyed)  = BLAKE3_keyed(key, "FCP2-OBJECT-V2" || zone_id
 *                                          || SchemaHash || content)
 *   content id        = BLAKE3("FCP2-CONTENT-V2" || content)   (non-normative)
 *   kid               = BLAKE3("fcp.kid.v2" || public_key)[0..8]
 *
 * Nothing here allocates; all outputs go to caller buffers.
 */
#ifndef FCP_MODEL_IDS_H
#define FCP_MODEL_IDS_H

#include <stddef.h>
#include <stdint.h>

#define FCP_ZONE_ID_MAX        64   /* bytes, spec §3.4 */
#define FCP_ZONE_ID_HASH_BYTES 32
#define FCP_TAG_MAX            (FCP_ZONE_ID_MAX + 16)
#define FCP_NODE_ID_MAX        128  /* bytes, D-MODEL-2 */
#define FCP_SCHEMA_NS_MAX      64
#define FCP_SCHEMA_NAME_MAX    64
#define FCP_SCHEMA_TEXT_MAX    (FCP_SCHEMA_NS_MAX + FCP_SCHEMA_NAME_MAX + 40)
#define FCP_SCHEMA_HASH_BYTES  32
#define FCP_SIGNING_SCHEMA_HASH_BYTES 8
#define FCP_OBJECT_ID_BYTES    32
#define FCP_OBJECT_ID_KEY_BYTES 32
#define FCP_KID_BYTES          8
#define FCP_EPOCH_DEFAULT_GRANULARITY 300u  /* seconds, spec §3.2 */

/* ---- ZoneId (spec §3.4) ------------------------------------------------ */

/* Canonical grammar (D-MODEL-1):
 *   zone-id = "z:" segment *( ":" segment )        ; 1..64 bytes total
 *   segment = alnum [ *( alnum / "-" / "_" ) alnum ] ; alnum = a-z / 0-9
 * Checks run in this order, each with its own error:
 *   FCP_EZONE_ID_EMPTY (len 0), FCP_EZONE_ID_TOO_LONG (> 64),
 *   FCP_EZONE_ID_PREFIX (no "z:"), FCP_EZONE_ID_CHAR (byte outside
 *   [a-z0-9:_-], e.g. uppercase, space, non-ASCII, NUL),
 *   FCP_EZONE_ID_FORM (empty segment: "z:", "z::x", "z:x:"),
 *   FCP_EZONE_ID_EDGE (segment starts or ends with '-' or '_').
 * Returns 0 if zone[0..len) is a canonical zone id. */
int fcp_zone_id_validate(const char *zone, size_t len);

/* The five standard zones (spec §3.4), as NUL-terminated static strings. */
#define FCP_ZONE_OWNER     "z:owner"
#define FCP_ZONE_PRIVATE   "z:private"
#define FCP_ZONE_WORK      "z:work"
#define FCP_ZONE_COMMUNITY "z:community"
#define FCP_ZONE_PUBLIC    "z:public"
/* 1 if zone[0..len) is one of the five standard zones, else 0. */
int fcp_zone_id_is_standard(const char *zone, size_t len);

/* ZoneIdHash = BLAKE3("FCP2-ZONE-ID-V1" || zone).  The zone is validated
 * first (any fcp_zone_id_validate error is returned and out is untouched). */
int fcp_zone_id_hash(uint8_t out[FCP_ZONE_ID_HASH_BYTES], const char *zone, size_t len);

/* Tailscale ACL tag of a zone (spec §3.4, D-MODEL-3):
 *   "z:project:<name>" -> "tag:fcp-proj-<name>";  "z:<name>" -> "tag:fcp-<name>"
 * where <name> is ONE segment of [a-z0-9-] (no '_', since Tailscale tags do
 * not allow it) and, for the second form, does not start with "proj-" (it
 * would collide with a project tag).  Any other valid zone id has no tag:
 * FCP_ETAG.  Writes a NUL-terminated tag into out (outlen >= FCP_TAG_MAX is
 * always enough); FCP_EBUFFER_TOO_SMALL if it does not fit. */
int fcp_zone_id_to_tag(char *out, size_t outlen, const char *zone, size_t len);

/* Inverse of fcp_zone_id_to_tag: "tag:fcp-proj-<name>" -> "z:project:<name>",
 * "tag:fcp-<name>" -> "z:<name>".  Rejects (FCP_ETAG) anything that does not
 * map back to the same tag, e.g. "", "fcp-work", "tag:other-work", "tag:fcp",
 * "tag:fcp-", "tag:fcp-proj-", "tag:fcp-Work". */
int fcp_zone_id_from_tag(char *out, size_t outlen, const char *tag, size_t len);

/* ---- Node ids (TailscaleNodeId, D-MODEL-2) ------------------------------ */

/* Canonical node id text: 1..128 bytes of [A-Za-z0-9._:-], first and last
 * byte alphanumeric; case-sensitive, compared and sorted as raw bytes.
 * FCP_ENODE_ID otherwise. */
int fcp_node_id_validate(const char *node, size_t len);

/* ---- SchemaId (spec §3.3, D-MODEL-4) ------------------------------------ */

typedef struct fcp_schema_id {
    char     ns[FCP_SCHEMA_NS_MAX + 1];     /* "fcp.core" */
    char     name[FCP_SCHEMA_NAME_MAX + 1]; /* "CapabilityObject" */
    uint32_t major, minor, patch;
} fcp_schema_id;

/* Fill s from parts, validating them: namespace = seg *("." seg), seg =
 * [a-z][a-z0-9_]*; name = [A-Za-z][A-Za-z0-9_]*; each 1..64 bytes.
 * FCP_ESCHEMA_ID on any violation. */
int fcp_schema_id_init(fcp_schema_id *s, const char *ns, const char *name,
                       uint32_t major, uint32_t minor, uint32_t patch);

/* Parse a strict semver "MAJOR.MINOR.PATCH" (decimal, no leading zeros, each
 * <= 2^32-1, no pre-release/build suffix).  FCP_ESCHEMA_ID otherwise. */
int fcp_semver_parse(const char *text, size_t len, uint32_t *major, uint32_t *minor,
                     uint32_t *patch);

/* Parse either textual form used upstream, strictly:
 *   "ns:Name@M.m.p"  (spec §3.3 as_bytes form)
 *   "ns.Name/M.m.p"  (signing-context form; the name is the last dot segment)
 * FCP_ESCHEMA_ID on anything else. */
int fcp_schema_id_parse(fcp_schema_id *s, const char *text, size_t len);

/* Format as "ns.Name/M.m.p" (signing form) or "ns:Name@M.m.p" (spec form)
 * into out (NUL-terminated).  Returns the length, or FCP_EBUFFER_TOO_SMALL. */
int fcp_schema_id_format_signing(const fcp_schema_id *s, char *out, size_t outlen);
int fcp_schema_id_format_spec(const fcp_schema_id *s, char *out, size_t outlen);
/* Version text "M.m.p" into out; returns length or FCP_EBUFFER_TOO_SMALL. */
int fcp_schema_id_format_version(const fcp_schema_id *s, char *out, size_t outlen);

/* 1 if a and b name the same schema. */
int fcp_schema_id_equal(const fcp_schema_id *a, const fcp_schema_id *b);

/* 32-byte SchemaHash (length-prefixed rule above). */
void fcp_schema_hash(uint8_t out[FCP_SCHEMA_HASH_BYTES], const fcp_schema_id *s);

/* 8-byte signing schema hash: BLAKE3(signing form text)[0..8]. */
void fcp_signing_schema_hash(uint8_t out[FCP_SIGNING_SCHEMA_HASH_BYTES], const fcp_schema_id *s);

/* ---- EpochId (spec §3.2) ------------------------------------------------ */

/* ts / granularity_secs; granularity 0 means the default 300 s. */
uint64_t fcp_epoch_from_timestamp(uint64_t ts, uint64_t granularity_secs);

/* ---- ObjectId (spec §3.1) ----------------------------------------------- */

typedef struct fcp_object_id_key {
    uint8_t bytes[FCP_OBJECT_ID_KEY_BYTES];
} fcp_object_id_key;

/* Keyed ObjectId over (zone, schema, content).  The zone id is validated
 * (zone errors as in fcp_zone_id_validate). */
int fcp_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_object_id_key *key,
                  const char *zone, size_t zone_len, const fcp_schema_id *schema,
                  const uint8_t *content, size_t content_len);

/* Unscoped content id (NON-normative; MUST NOT be used for security objects). */
void fcp_content_id(uint8_t out[FCP_OBJECT_ID_BYTES], const uint8_t *content, size_t len);

/* ---- Key ids ------------------------------------------------------------ */

/* kid = BLAKE3("fcp.kid.v2" || public_key)[0..8] for any public key
 * (Ed25519 or X25519, 32 bytes). */
void fcp_key_id(uint8_t out[FCP_KID_BYTES], const uint8_t public_key[32]);

#endif
