/*
 * hpke.h - Hybrid Public Key Encryption, RFC 9180, for the one suite FCP
 * uses (spec §3.6.1):
 *
 *   KEM  0x0020  DHKEM(X25519, HKDF-SHA256)
 *   KDF  0x0001  HKDF-SHA256
 *   AEAD 0x0003  ChaCha20-Poly1305, or 0xFFFF export-only
 *
 * Modes: base (0x00) and psk (0x01).  Auth modes are not offered.
 *
 * A context (fcp_hpke_ctx) is the result of SetupS/SetupR: it holds the AEAD
 * key, base nonce, sequence number and exporter secret.  The caller owns it
 * and wipes it with fcp_hpke_ctx_wipe.  A sender context seals, a receiver
 * context opens; both export.  Sequence numbers advance only on success;
 * a failed open leaves the context usable (RFC 9180 §5.2).
 *
 * Randomness comes from an injected fcp_rng (production: fcp_rng_system()).
 * The *_derand variants take the ephemeral key's ikm explicitly, for
 * deterministic vectors.  Nothing here allocates.
 */
#ifndef FCP_HPKE_H
#define FCP_HPKE_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/rng.h"

#define FCP_HPKE_KEM_X25519_HKDF_SHA256 0x0020u
#define FCP_HPKE_KDF_HKDF_SHA256        0x0001u
#define FCP_HPKE_AEAD_CHACHA20POLY1305  0x0003u
#define FCP_HPKE_AEAD_EXPORT_ONLY       0xFFFFu

#define FCP_HPKE_MODE_BASE 0x00u
#define FCP_HPKE_MODE_PSK  0x01u

#define FCP_HPKE_ENCBYTES       32u /* Nenc */
#define FCP_HPKE_PUBLICKEYBYTES 32u /* Npk */
#define FCP_HPKE_SECRETKEYBYTES 32u /* Nsk */
#define FCP_HPKE_KEYBYTES       32u /* Nk */
#define FCP_HPKE_NONCEBYTES     12u /* Nn */
#define FCP_HPKE_TAGBYTES       16u /* Nt: ciphertext = plaintext + 16 */
#define FCP_HPKE_SECRETBYTES    32u /* Nh / Nsecret */
#define FCP_HPKE_PSK_MINBYTES   32u /* RFC 9180 §5.1.2: psk needs >= 32 bytes */
#define FCP_HPKE_EXPORT_MAXBYTES (255u * 32u)

/*
 * Parameters shared by sender and receiver.  mode and aead_id must be set
 * explicitly (0 is not a valid aead_id).  info may be NULL when info_len is
 * 0; likewise psk and psk_id.  RFC 9180 §5.1 VerifyPSKInputs: base mode
 * requires psk and psk_id both empty; psk mode requires both non-empty and
 * psk_len >= FCP_HPKE_PSK_MINBYTES.  Violations are FCP_EINVAL.
 */
typedef struct fcp_hpke_params {
    uint8_t        mode;     /* FCP_HPKE_MODE_BASE or FCP_HPKE_MODE_PSK */
    uint16_t       aead_id;  /* FCP_HPKE_AEAD_CHACHA20POLY1305 or _EXPORT_ONLY */
    const uint8_t *info;
    size_t         info_len;
    const uint8_t *psk;
    size_t         psk_len;
    const uint8_t *psk_id;
    size_t         psk_id_len;
} fcp_hpke_params;

typedef struct fcp_hpke_ctx {
    uint16_t aead_id;
    uint8_t  role;        /* 1 sender, 2 receiver, 0 wiped */
    uint8_t  key[FCP_HPKE_KEYBYTES];
    uint8_t  base_nonce[FCP_HPKE_NONCEBYTES];
    uint64_t seq;         /* next sequence number; public for tests */
    uint8_t  exporter_secret[FCP_HPKE_SECRETBYTES];
} fcp_hpke_ctx;

/* DeriveKeyPair(ikm) (RFC 9180 §7.1.3) for DHKEM(X25519): sk is the labeled
 * expansion of ikm, pk = X25519(sk, 9).  ikm must be >= 32 bytes (§7.1.3:
 * at least Nsk bytes of entropy), else FCP_EINVAL.  Returns 0 or an error
 * (pk, sk zeroed). */
int fcp_hpke_derive_keypair(uint8_t sk[FCP_HPKE_SECRETKEYBYTES], uint8_t pk[FCP_HPKE_PUBLICKEYBYTES],
                            const uint8_t *ikm, size_t ikm_len);

/* GenerateKeyPair(): DeriveKeyPair of 32 bytes from rng.  0 or FCP_ERNG. */
int fcp_hpke_generate_keypair(uint8_t sk[FCP_HPKE_SECRETKEYBYTES], uint8_t pk[FCP_HPKE_PUBLICKEYBYTES],
                              const fcp_rng *rng);

/* SetupBaseS / SetupPSKS: encapsulate to pkR with a fresh ephemeral key from
 * rng; enc receives the 32-byte encapsulated key to send along.
 * Errors: FCP_EHPKE_SUITE (aead_id), FCP_EINVAL (mode/psk rules), FCP_ERNG,
 * FCP_EBAD_KEY (pkR gives an all-zero DH output).  On failure ctx is wiped
 * and enc zeroed. */
int fcp_hpke_setup_sender(fcp_hpke_ctx *ctx, uint8_t enc[FCP_HPKE_ENCBYTES], const fcp_hpke_params *p,
                          const uint8_t pkR[FCP_HPKE_PUBLICKEYBYTES], const fcp_rng *rng);

/* As fcp_hpke_setup_sender with the ephemeral key pair derived from ikmE
 * (DeriveKeyPair(ikmE)); for test vectors and reproducible interop only. */
int fcp_hpke_setup_sender_derand(fcp_hpke_ctx *ctx, uint8_t enc[FCP_HPKE_ENCBYTES],
                                 const fcp_hpke_params *p, const uint8_t pkR[FCP_HPKE_PUBLICKEYBYTES],
                                 const uint8_t *ikmE, size_t ikmE_len);

/* SetupBaseR / SetupPSKR: decapsulate enc with skR.  Same errors as the
 * sender (FCP_EBAD_KEY for an enc giving an all-zero DH output). */
int fcp_hpke_setup_receiver(fcp_hpke_ctx *ctx, const fcp_hpke_params *p,
                            const uint8_t enc[FCP_HPKE_ENCBYTES],
                            const uint8_t skR[FCP_HPKE_SECRETKEYBYTES]);

/* ContextS.Seal: ct receives pt_len + 16 bytes (ciphertext || tag) sealed
 * under nonce = base_nonce XOR seq; seq then increments.  ct == pt allowed.
 * Errors: FCP_EHPKE_EXPORT_ONLY, FCP_EINVAL (not a sender context),
 * FCP_EHPKE_SEQ_OVERFLOW (seq reached 2^64-1; nothing sealed), FCP_ETOO_LARGE. */
int fcp_hpke_ctx_seal(fcp_hpke_ctx *ctx, uint8_t *ct, const uint8_t *aad, size_t aad_len,
                      const uint8_t *pt, size_t pt_len);

/* ContextR.Open: pt receives ct_len - 16 bytes.  Errors as seal, plus
 * FCP_EDECRYPT (tag mismatch or ct_len < 16; pt zeroed, seq unchanged). */
int fcp_hpke_ctx_open(fcp_hpke_ctx *ctx, uint8_t *pt, const uint8_t *aad, size_t aad_len,
                      const uint8_t *ct, size_t ct_len);

/* Context.Export(exporter_context, L) (RFC 9180 §5.3).  Works on sender and
 * receiver and export-only contexts.  out_len <= FCP_HPKE_EXPORT_MAXBYTES
 * else FCP_EOUT_OF_RANGE (nothing written). */
int fcp_hpke_ctx_export(const fcp_hpke_ctx *ctx, uint8_t *out, size_t out_len,
                        const uint8_t *exporter_context, size_t exporter_context_len);

/* Wipe every secret in ctx; it can no longer seal, open or export. */
void fcp_hpke_ctx_wipe(fcp_hpke_ctx *ctx);

/* Single-shot Seal (RFC 9180 §6.1): setup sender + one seal (seq 0).  ct
 * receives pt_len + 16 bytes.  Errors as setup and seal; on failure enc and
 * ct are zeroed.  All secrets wiped before return. */
int fcp_hpke_seal(uint8_t enc[FCP_HPKE_ENCBYTES], uint8_t *ct, const fcp_hpke_params *p,
                  const uint8_t pkR[FCP_HPKE_PUBLICKEYBYTES], const uint8_t *aad, size_t aad_len,
                  const uint8_t *pt, size_t pt_len, const fcp_rng *rng);

/* Single-shot Seal with an explicit ephemeral ikm (tests, vectors). */
int fcp_hpke_seal_derand(uint8_t enc[FCP_HPKE_ENCBYTES], uint8_t *ct, const fcp_hpke_params *p,
                         const uint8_t pkR[FCP_HPKE_PUBLICKEYBYTES], const uint8_t *aad, size_t aad_len,
                         const uint8_t *pt, size_t pt_len, const uint8_t *ikmE, size_t ikmE_len);

/* Single-shot Open: setup receiver + one open.  pt receives ct_len - 16
 * bytes; on any failure pt is zeroed (when ct_len >= 16). */
int fcp_hpke_open(uint8_t *pt, const fcp_hpke_params *p, const uint8_t skR[FCP_HPKE_SECRETKEYBYTES],
                  const uint8_t enc[FCP_HPKE_ENCBYTES], const uint8_t *aad, size_t aad_len,
                  const uint8_t *ct, size_t ct_len);

#endif
