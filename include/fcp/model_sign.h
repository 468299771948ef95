/*
 * model_sign.h - signature canonicalization for mesh objects (spec §3.5.1).
 *
 * One rule for every signed object (decision D-MODEL-7):
 *
 *   unsigned view  = the object's canonical CBOR map without its "signature"
 *                    (and "quorum_signatures") entries
 *   signing bytes  = "FCP2-SIGN-V1" || BLAKE3("ns.Name/M.m.p")[0..8]
 *                    || unsigned view
 *   signature      = Ed25519(signing bytes)       (strict verification)
 *
 * Quorum signatures (Vec<(TailscaleNodeId, Signature)>) are sorted by node id
 * bytes (unsigned lexicographic, a proper prefix first) before they are
 * encoded, signed or verified; verification rejects unsorted arrays
 * (FCP_EUNSORTED_SIGNERS) and repeated signers (FCP_EDUPLICATE_SIGNER) instead
 * of re-sorting them.  On the wire a quorum array is a CBOR array of
 * [node_id (text), signature (bytes 64)] pairs.
 */
#ifndef FCP_MODEL_SIGN_H
#define FCP_MODEL_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_ids.h"

#define FCP_SIGN_DOMAIN       "FCP2-SIGN-V1"
#define FCP_SIGN_DOMAIN_BYTES 12
#define FCP_SIG_BYTES         64
#define FCP_QUORUM_MAX        64   /* signers in one quorum array */

/* Append the signing bytes for (schema, unsigned_cbor) to out.  unsigned_cbor
 * is taken as given (callers pass canonical CBOR, e.g. from
 * fcp_unsigned_view); 0 or FCP_ENOMEM. */
int fcp_signing_bytes(fcp_buf *out, const fcp_schema_id *schema, const uint8_t *unsigned_cbor,
                      size_t n);

/* Append to out the unsigned view of the canonical CBOR map cbor[0..n): the
 * same map with its top-level text keys "signature" and "quorum_signatures"
 * removed (other entries byte-identical, so still canonical).  Errors:
 * FCP_ECBOR_* (input not one canonical map; floats allowed), FCP_ENOMEM. */
int fcp_unsigned_view(fcp_buf *out, const uint8_t *cbor, size_t n);

/* Sign / verify the signing bytes of (schema, unsigned_cbor) with Ed25519.
 * sign: 0, FCP_ENOMEM or FCP_EINTERNAL.  verify: 0 or FCP_EBAD_SIGNATURE. */
int fcp_object_sign(uint8_t sig[FCP_SIG_BYTES], const fcp_schema_id *schema,
                    const uint8_t *unsigned_cbor, size_t n, const uint8_t sk[64]);
int fcp_object_verify(const uint8_t sig[FCP_SIG_BYTES], const fcp_schema_id *schema,
                      const uint8_t *unsigned_cbor, size_t n, const uint8_t pk[32]);

/* One (node id, signature) pair; node_id points at caller or input memory. */
typedef struct fcp_quorum_sig {
    const uint8_t *node_id;
    size_t         node_id_len;
    uint8_t        sig[FCP_SIG_BYTES];
} fcp_quorum_sig;

/* Compare two node ids as raw bytes: <0, 0, >0. */
int fcp_node_id_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* Sort s[0..n) by node id (stable; duplicates stay adjacent). */
void fcp_quorum_sort(fcp_quorum_sig *s, size_t n);

/* 0 if s[0..n) is strictly increasing by node id; FCP_EDUPLICATE_SIGNER if
 * two neighbours are equal, FCP_EUNSORTED_SIGNERS if one is out of order
 * (the first violation found scanning left to right decides). */
int fcp_quorum_check_order(const fcp_quorum_sig *s, size_t n);

/* Resolve a signer's Ed25519 public key.  Return 0 and fill pk, or a
 * negative error (e.g. FCP_EUNKNOWN_PRINCIPAL) that aborts verification. */
typedef int (*fcp_node_key_lookup)(void *ctx, const uint8_t *node_id, size_t len, uint8_t pk[32]);

/* Verify a quorum: order first (as fcp_quorum_check_order), then every
 * signature over the signing bytes of (schema, unsigned_cbor) with the key
 * lookup returns; any bad signature is FCP_EBAD_SIGNATURE; fewer than
 * threshold signers (or threshold 0, or n > FCP_QUORUM_MAX) is FCP_EQUORUM. */
int fcp_quorum_verify(const fcp_quorum_sig *s, size_t n, size_t threshold,
                      const fcp_schema_id *schema, const uint8_t *unsigned_cbor, size_t len,
                      fcp_node_key_lookup lookup, void *ctx);

/* CBOR of a quorum array: [[node_id_text, sig_bytes], ...].  encode refuses
 * an array that fails fcp_quorum_check_order or has invalid node ids
 * (FCP_ENODE_ID).  decode reads at most max pairs (FCP_ELIMIT), zero-copy
 * (node ids point into the decoder's input), and checks node ids and order. */
struct fcp_cbor_enc;
struct fcp_cbor_dec;
int fcp_quorum_encode_to(const fcp_quorum_sig *s, size_t n, struct fcp_cbor_enc *enc);
int fcp_quorum_decode_from(fcp_quorum_sig *s, size_t max, size_t *n, struct fcp_cbor_dec *dec);

#endif
