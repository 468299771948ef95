/*
 * model_sealed.h - HpkeSealedBox (spec §3.6.1): the one container for
 * everything "sealed to node_enc_pubkey" (zone keys, ObjectIdKeys, owner key
 * shares, secret shares).
 *
 * Suite (baseline profile, the only one accepted): RFC 9180 base mode,
 * DHKEM(X25519, HKDF-SHA256) 0x0020 / HKDF-SHA256 0x0001 /
 * ChaCha20-Poly1305 0x0003, info = "FCP2-HPKE", single-shot (sequence 0).
 *
 * AAD (decision D-MODEL-9, the reference implementation's Fcp2Aad): the
 * canonical CBOR map
 *   { "purpose": bytes, "zone_id": bytes, "issued_at": uint,
 *     "recipient_node_id": bytes }
 * whose byte strings hold the UTF-8 of the purpose, zone id and node id.
 *
 * Box CBOR (D-MODEL-9): { "kem_id": uint, "kdf_id": uint, "aead_id": uint,
 * "enc": bytes 32, "ct": bytes 16..65552 }.  The reference's flat form
 * enc || ct is also provided.
 */
#ifndef FCP_MODEL_SEALED_H
#define FCP_MODEL_SEALED_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/rng.h"

#define FCP_HPKE_INFO              "FCP2-HPKE"
#define FCP_SEALED_ENC_BYTES       32
#define FCP_SEALED_TAG_BYTES       16
#define FCP_SEALED_MAX_PLAINTEXT   65536
#define FCP_SEALED_MAX_CT          (FCP_SEALED_MAX_PLAINTEXT + FCP_SEALED_TAG_BYTES)
#define FCP_SEALED_AAD_MAX         320  /* >= 268, the AAD of a 64-byte zone id and 128-byte node id */

/* Purposes (the AAD's "purpose" bytes). */
enum fcp_seal_purpose {
    FCP_SEAL_ZONE_KEY = 0,      /* "FCP2-ZONE-KEY" */
    FCP_SEAL_OBJECTID_KEY = 1,  /* "FCP2-OBJECTID-KEY" */
    FCP_SEAL_OWNER_SHARE = 2,   /* "FCP2-OWNER-SHARE" */
    FCP_SEAL_SECRET_SHARE = 3,  /* "FCP2-SECRET-SHARE" */
};

/* The purpose string, or NULL for an unknown value. */
const char *fcp_seal_purpose_name(int purpose);
/* Purpose from its string; FCP_EINVAL if unknown. */
int fcp_seal_purpose_parse(const char *s, size_t n, int *purpose);

/* What a sealed payload is bound to. */
typedef struct fcp_seal_binding {
    int         purpose;          /* enum fcp_seal_purpose */
    const char *zone_id;          /* canonical zone id */
    size_t      zone_id_len;
    const char *recipient_node_id;/* canonical node id */
    size_t      recipient_len;
    uint64_t    issued_at;
} fcp_seal_binding;

/* Append the AAD for b to out.  Errors: FCP_EINVAL (purpose), zone id
 * errors, FCP_ENODE_ID. */
int fcp_seal_aad(const fcp_seal_binding *b, fcp_buf *out);

typedef struct fcp_sealed_box {
    uint16_t       kem_id, kdf_id, aead_id;
    uint8_t        enc[FCP_SEALED_ENC_BYTES];
    const uint8_t *ct;            /* caller buffer or decoder input */
    size_t         ct_len;
} fcp_sealed_box;

/* Seal pt[0..pt_len) to recipient_pk bound to b.  ct_buf must hold
 * pt_len + 16 bytes; on success box->ct = ct_buf.  Errors: FCP_ETOO_LARGE
 * (pt_len > FCP_SEALED_MAX_PLAINTEXT), binding errors, HPKE errors
 * (FCP_ERNG, FCP_EBAD_KEY). */
int fcp_sealed_box_seal(fcp_sealed_box *box, uint8_t *ct_buf, const uint8_t recipient_pk[32],
                        const fcp_seal_binding *b, const uint8_t *pt, size_t pt_len,
                        const fcp_rng *rng);

/* As fcp_sealed_box_seal with the ephemeral key derived from ikm (>= 32
 * bytes) - deterministic, for golden vectors only. */
int fcp_sealed_box_seal_derand(fcp_sealed_box *box, uint8_t *ct_buf, const uint8_t recipient_pk[32],
                               const fcp_seal_binding *b, const uint8_t *pt, size_t pt_len,
                               const uint8_t *ikm, size_t ikm_len);

/* Open box with the recipient's X25519 secret key, checking it is bound to
 * b.  pt receives ct_len - 16 bytes.  Errors: FCP_EHPKE_SUITE (ids),
 * FCP_EOBJECT (ct shorter than the tag), FCP_ETOO_LARGE, binding errors,
 * FCP_EDECRYPT (wrong key or binding; pt zeroed), FCP_EBAD_KEY. */
int fcp_sealed_box_open(uint8_t *pt, const fcp_sealed_box *box, const uint8_t recipient_sk[32],
                        const fcp_seal_binding *b);

/* CBOR of a box (validated as for decode). */
int fcp_sealed_box_encode(const fcp_sealed_box *box, fcp_buf *out);
/* Strictly decode one box from p[0..n); box->ct points into p.  Errors:
 * FCP_ECBOR_*, FCP_EMISSING_FIELD, FCP_EUNKNOWN_FIELD, FCP_EHPKE_SUITE,
 * FCP_EOBJECT (enc not 32 bytes, ct < 16), FCP_ETOO_LARGE. */
int fcp_sealed_box_decode(fcp_sealed_box *box, const uint8_t *p, size_t n);

struct fcp_cbor_enc;
struct fcp_cbor_dec;
int fcp_sealed_box_encode_to(const fcp_sealed_box *box, struct fcp_cbor_enc *enc);
int fcp_sealed_box_decode_from(fcp_sealed_box *box, struct fcp_cbor_dec *dec);

/* Flat form used by the reference implementation: enc(32) || ct. */
int fcp_sealed_box_to_flat(const fcp_sealed_box *box, fcp_buf *out);
int fcp_sealed_box_from_flat(fcp_sealed_box *box, const uint8_t *p, size_t n);

#endif
