/*
 * model_zonekeys.h - ZoneKeyManifest (spec §5.2, review Change 3): the
 * owner-signed object that hands one zone key (and the zone's ObjectIdKey)
 * to every member node, each sealed to that node's node_enc_pubkey in an
 * HpkeSealedBox (model_sealed.h).
 *
 * CBOR (D-MODEL-6 mapping, D-ZONE-1..3, CDDL zone-key-manifest):
 *   { "header": ObjectHeader, "zone_id": text, "zone_key_id": bytes 8,
 *     "algorithm": "ChaCha20Poly1305" / "XChaCha20Poly1305",
 *     "valid_from": uint, ? "valid_until": uint, ? "prev_zone_key_id": bytes 8,
 *     "object_id_key_id": bytes 8, "wrapped_object_id_keys": [+ wrapped],
 *     ? "ratchet": {"enabled": bool, "overlap_secs": uint, "retain_epochs": uint},
 *     "wrapped_keys": [+ wrapped], "signature": bytes 64 }
 *   wrapped = { "node_id": text, "node_enc_kid": bytes 8, "sealed_key": hpke-sealed-box }
 * Both wrapped lists are strictly ascending by node id and name the same
 * nodes; every sealed key holds exactly 32 bytes (ct 48).  The seal binding
 * (AAD) is {purpose, zone_id, issued_at = header.created_at, node_id}.
 * Signed per model_sign.h (schema fcp.core.ZoneKeyManifest/1.0.0).
 *
 * Key ids (D-ZONE-2): zone_key_id = BLAKE3("FCP2-ZONE-KEY-ID-V1" || zone_id
 * || 0x00 || zone_key)[0..8], object_id_key_id likewise with
 * "FCP2-OBJECTID-KEY-ID-V1", so a member can check what it opened.
 *
 * Structs are fixed-size and self-contained (ciphertexts are copied in), so
 * they may be copied freely.  Secret keys never appear in them.
 */
#ifndef FCP_MODEL_ZONEKEYS_H
#define FCP_MODEL_ZONEKEYS_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_ids.h"
#include "fcp/model_object.h"

#define FCP_ZONE_KEY_BYTES        32
#define FCP_ZONE_KEY_ID_BYTES     8
#define FCP_ZK_MAX_MEMBERS        64     /* recipients of one manifest */
#define FCP_ZK_WRAPPED_CT_BYTES   48     /* 32-byte key + 16-byte tag */
#define FCP_ZK_MAX_ENCODED        (256 * 1024)

enum fcp_zone_key_alg {
    FCP_ZK_ALG_CHACHA20POLY1305 = 0,   /* "ChaCha20Poly1305" */
    FCP_ZK_ALG_XCHACHA20POLY1305 = 1,  /* "XChaCha20Poly1305" */
};

typedef struct fcp_zk_wrapped {
    char    node_id[FCP_NODE_ID_MAX + 1];
    uint8_t node_enc_kid[FCP_KID_BYTES];
    uint8_t enc[32];                            /* HPKE enc */
    uint8_t ct[FCP_ZK_WRAPPED_CT_BYTES];        /* HPKE ct (key + tag) */
} fcp_zk_wrapped;

typedef struct fcp_zk_ratchet {
    int      enabled;
    uint64_t overlap_secs;
    uint32_t retain_epochs;
} fcp_zk_ratchet;

typedef struct fcp_zone_key_manifest {
    fcp_object_header header;
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    uint8_t  zone_key_id[FCP_ZONE_KEY_ID_BYTES];
    int      algorithm;                 /* enum fcp_zone_key_alg */
    uint64_t valid_from;
    int      has_valid_until;
    uint64_t valid_until;
    int      has_prev;
    uint8_t  prev_zone_key_id[FCP_ZONE_KEY_ID_BYTES];
    uint8_t  object_id_key_id[FCP_ZONE_KEY_ID_BYTES];
    int      has_ratchet;
    fcp_zk_ratchet ratchet;
    size_t   n_wrapped;                 /* entries in both lists */
    fcp_zk_wrapped wrapped_keys[FCP_ZK_MAX_MEMBERS];
    fcp_zk_wrapped wrapped_oid_keys[FCP_ZK_MAX_MEMBERS];
    uint8_t  signature[64];
} fcp_zone_key_manifest;

/* fcp.core.ZoneKeyManifest/1.0.0 */
void fcp_zk_manifest_schema(fcp_schema_id *s);

/* zone_key_id / object_id_key_id of a key for a zone (D-ZONE-2).  Zone id
 * errors as fcp_zone_id_validate. */
int fcp_zone_key_id(uint8_t out[FCP_ZONE_KEY_ID_BYTES], const char *zone, size_t zone_len,
                    const uint8_t key[FCP_ZONE_KEY_BYTES]);
int fcp_object_id_key_id(uint8_t out[FCP_ZONE_KEY_ID_BYTES], const char *zone, size_t zone_len,
                         const uint8_t key[FCP_ZONE_KEY_BYTES]);

/* Every invariant the decoder enforces.  0 or: header errors, zone errors,
 * FCP_ESCHEMA_MISMATCH (header schema), FCP_EAUTHZ_ZONE_MISMATCH (header
 * zone != zone_id), FCP_EZK_ALGORITHM, FCP_EZK_VALIDITY, FCP_EZK_PREV,
 * FCP_EZK_NO_MEMBERS, FCP_ELIMIT, FCP_ENODE_ID, FCP_EZK_WRAPPED_ORDER,
 * FCP_EZK_WRAPPED_SET (lists name different nodes in some position). */
int fcp_zk_manifest_validate(const fcp_zone_key_manifest *m);

/* Canonical CBOR, whole object or the unsigned view (no "signature"). */
int fcp_zk_manifest_encode(const fcp_zone_key_manifest *m, fcp_buf *out);
int fcp_zk_manifest_encode_unsigned(const fcp_zone_key_manifest *m, fcp_buf *out);

/* Strict decode of one manifest from p[0..n) (nothing may follow).  Errors:
 * FCP_ETOO_LARGE (n > FCP_ZK_MAX_ENCODED), FCP_ECBOR_*, FCP_EMISSING_FIELD,
 * FCP_EUNKNOWN_FIELD, FCP_EOBJECT (fixed length), FCP_EHPKE_SUITE,
 * FCP_EZK_SEALED_LEN, FCP_ELIMIT and the validate errors.  *m zeroed on error. */
int fcp_zk_manifest_decode(fcp_zone_key_manifest *m, const uint8_t *p, size_t n);

/* Owner signature over the unsigned view (fills m->signature) / its check
 * (FCP_EBAD_SIGNATURE).  Both validate first. */
int fcp_zk_manifest_sign(fcp_zone_key_manifest *m, const uint8_t owner_sk[64]);
int fcp_zk_manifest_verify(const fcp_zone_key_manifest *m, const uint8_t owner_pk[32]);

/* ObjectId of the manifest under the zone's ObjectIdKey: derive_id(header,
 * SchemaHash || cbor(manifest), key) (D-ZONE-1). */
int fcp_zk_manifest_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_zone_key_manifest *m,
                              const fcp_object_id_key *key);

/* Index of node_id in the wrapped lists, or FCP_EZK_NOT_MEMBER. */
int fcp_zk_manifest_find(const fcp_zone_key_manifest *m, const char *node_id, size_t len);

#endif
