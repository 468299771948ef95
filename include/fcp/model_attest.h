/*
 * model_attest.h - NodeKeyAttestation (spec §2.2): the owner-signed binding of
 * a Tailscale node id to its signing, encryption and issuance public keys and
 * its ACL tags.
 *
 * CBOR (D-MODEL-6/8): a canonical map
 *   { "node_id": text, "node_sig_pubkey": bytes 32, "node_enc_pubkey": bytes 32,
 *     "node_iss_pubkey": bytes 32, "tags": [* text], "issued_at": uint,
 *     ? "expires_at": uint, "signature": bytes 64 }
 * signed per model_sign.h with schema fcp.core.NodeKeyAttestation/1.0.0 over
 * the map without "signature".  Tags are strictly ascending (a set, one
 * encoding), each "tag:" + letter + [A-Za-z0-9-]*, at most 64 bytes.
 * node_sig_pubkey and node_iss_pubkey must differ (separately revocable
 * roles, spec §2.2); expires_at, when present, must exceed issued_at.
 */
#ifndef FCP_MODEL_ATTEST_H
#define FCP_MODEL_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_ids.h"

#define FCP_ATTEST_MAX_TAGS   32
#define FCP_ATTEST_TAG_MAX    64
#define FCP_ATTEST_MAX_SKEW   300u     /* seconds an issued_at may lie in the future */
#define FCP_ATTEST_MAX_ENCODED 4096    /* bytes of one encoded attestation */

typedef struct fcp_node_attestation {
    char     node_id[FCP_NODE_ID_MAX + 1];
    uint8_t  node_sig_pubkey[32];  /* Ed25519 */
    uint8_t  node_enc_pubkey[32];  /* X25519 */
    uint8_t  node_iss_pubkey[32];  /* Ed25519, token issuance only */
    size_t   n_tags;
    char     tags[FCP_ATTEST_MAX_TAGS][FCP_ATTEST_TAG_MAX + 1];
    uint64_t issued_at;
    int      has_expires_at;
    uint64_t expires_at;
    uint8_t  signature[64];
} fcp_node_attestation;

/* The schema id every attestation is signed under. */
void fcp_attestation_schema(fcp_schema_id *s);

/* Check the invariants above.  0, FCP_ENODE_ID, FCP_ETAG (tag syntax),
 * FCP_ELIMIT (too many tags), FCP_EATTESTATION (unsorted/duplicate tags,
 * equal sig/iss keys, expires_at <= issued_at). */
int fcp_attestation_validate(const fcp_node_attestation *a);

/* Append the canonical CBOR of the unsigned view (no "signature") or of the
 * whole attestation to out.  Validates first. */
int fcp_attestation_encode_unsigned(const fcp_node_attestation *a, fcp_buf *out);
int fcp_attestation_encode(const fcp_node_attestation *a, fcp_buf *out);

/* Strictly decode one attestation from p[0..n) (nothing may follow).
 * Errors: FCP_ECBOR_*, FCP_EMISSING_FIELD, FCP_EUNKNOWN_FIELD, FCP_EOBJECT
 * (key or signature of the wrong length), FCP_ETOO_LARGE
 * (n > FCP_ATTEST_MAX_ENCODED) and the validate errors.  *a zeroed on error. */
int fcp_attestation_decode(fcp_node_attestation *a, const uint8_t *p, size_t n);

/* Sign with the owner's Ed25519 secret key (fills a->signature). */
int fcp_attestation_sign(fcp_node_attestation *a, const uint8_t owner_sk[64]);

/* Verify against the owner public key at time now (Unix seconds):
 * validate, signature (FCP_EBAD_SIGNATURE), then time: issued_at more than
 * FCP_ATTEST_MAX_SKEW in the future is FCP_EATTESTATION, now >= expires_at
 * is FCP_EATTESTATION_EXPIRED. */
int fcp_attestation_verify(const fcp_node_attestation *a, const uint8_t owner_pk[32], uint64_t now);

/* Decode p[0..n) into *a and verify it (the path a node runs on every
 * attestation it receives).  Errors of decode, then of verify. */
int fcp_attestation_decode_verify(fcp_node_attestation *a, const uint8_t *p, size_t n,
                                  const uint8_t owner_pk[32], uint64_t now);

/* Key ids (model_ids.h fcp_key_id) of the three attested keys; any out
 * pointer may be NULL. */
void fcp_attestation_kids(const fcp_node_attestation *a, uint8_t sig_kid[FCP_KID_BYTES],
                          uint8_t enc_kid[FCP_KID_BYTES], uint8_t iss_kid[FCP_KID_BYTES]);

#endif
