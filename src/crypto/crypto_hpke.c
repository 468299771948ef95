/*
 * crypto_hpke.c - RFC 9180 HPKE for DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
 * ChaCha20-Poly1305 (or export-only), modes base and psk (spec §3.6.1).
 *
 * Written from RFC 9180 §4 (labeled HKDF), §4.1 (DHKEM), §5.1 (key
 * schedule), §5.2 (seal/open, nonce = base_nonce XOR seq), §5.3 (export),
 * §6.1 (single-shot) and §7.1.3 (DeriveKeyPair for X25519).  The labeled
 * constructions feed their pieces straight into HMAC (crypto_internal.h), so
 * no secret is ever concatenated into a temporary buffer.  Every secret
 * (ephemeral sk, DH output, shared secret, PRKs, key schedule secret) is wiped
 * on every path through the single exit of each function.
 */
#include <string.h>

#include "crypto_internal.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hpke.h"

#define ROLE_SENDER   1
#define ROLE_RECEIVER 2

static const uint8_t HPKE_V1[7] = { 'H', 'P', 'K', 'E', '-', 'v', '1' };
/* suite_id for the KEM: "KEM" || I2OSP(kem_id, 2)  (RFC 9180 §4.1) */
static const uint8_t KEM_SUITE[5] = { 'K', 'E', 'M', 0x00, 0x20 };

#define LABEL(s) (s), (sizeof(s) - 1)

/* suite_id for the key schedule: "HPKE" || kem_id || kdf_id || aead_id (§5.1) */
static void hpke_suite_id(uint8_t out[10], uint16_t aead_id)
{
    out[0] = 'H'; out[1] = 'P'; out[2] = 'K'; out[3] = 'E';
    out[4] = 0x00; out[5] = 0x20;
    out[6] = 0x00; out[7] = 0x01;
    out[8] = (uint8_t)(aead_id >> 8); out[9] = (uint8_t)aead_id;
}

/* LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1"||suite||label||ikm) */
static void labeled_extract(uint8_t prk[32], const uint8_t *suite, size_t suite_len, const uint8_t *salt,
                            size_t salt_len, const char *label, size_t label_len, const uint8_t *ikm,
                            size_t ikm_len)
{
    fcp_crypto_part parts[4] = {
        { HPKE_V1, sizeof HPKE_V1 }, { suite, suite_len }, { label, label_len }, { ikm, ikm_len },
    };
    fcp_hkdf_sha256_extract_parts(prk, salt, salt_len, parts, 4);
}

/* LabeledExpand(prk, label, info, L) =
 *   Expand(prk, I2OSP(L,2)||"HPKE-v1"||suite||label||info, L) */
static int labeled_expand(uint8_t *out, size_t L, const uint8_t prk[32], const uint8_t *suite, size_t suite_len,
                          const char *label, size_t label_len, const uint8_t *info, size_t info_len)
{
    uint8_t l2[2] = { (uint8_t)(L >> 8), (uint8_t)L };
    fcp_crypto_part parts[5] = {
        { l2, 2 }, { HPKE_V1, sizeof HPKE_V1 }, { suite, suite_len }, { label, label_len }, { info, info_len },
    };
    if (L > 0xFFFF)
        return FCP_EOUT_OF_RANGE;
    return fcp_hkdf_sha256_expand_parts(out, L, prk, parts, 5);
}

int fcp_hpke_derive_keypair(uint8_t sk[FCP_HPKE_SECRETKEYBYTES], uint8_t pk[FCP_HPKE_PUBLICKEYBYTES],
                            const uint8_t *ikm, size_t ikm_len)
{
    uint8_t prk[32];
    int rc;

    /* §7.1.3: ikm SHOULD carry at least Nsk bytes of entropy; we require
     * at least that many bytes. */
    if (ikm == NULL || ikm_len < FCP_HPKE_SECRETKEYBYTES) {
        fcp_memzero(sk, FCP_HPKE_SECRETKEYBYTES);
        fcp_memzero(pk, FCP_HPKE_PUBLICKEYBYTES);
        return FCP_EINVAL;
    }
    labeled_extract(prk, KEM_SUITE, sizeof KEM_SUITE, NULL, 0, LABEL("dkp_prk"), ikm, ikm_len);
    rc = labeled_expand(sk, FCP_HPKE_SECRETKEYBYTES, prk, KEM_SUITE, sizeof KEM_SUITE, LABEL("sk"), NULL, 0);
    if (rc == 0)
        rc = fcp_x25519_base(pk, sk);
    if (rc != 0) {
        fcp_memzero(sk, FCP_HPKE_SECRETKEYBYTES);
        fcp_memzero(pk, FCP_HPKE_PUBLICKEYBYTES);
    }
    fcp_memzero(prk, sizeof prk);
    return rc;
}

int fcp_hpke_generate_keypair(uint8_t sk[FCP_HPKE_SECRETKEYBYTES], uint8_t pk[FCP_HPKE_PUBLICKEYBYTES],
                              const fcp_rng *rng)
{
    uint8_t ikm[FCP_HPKE_SECRETKEYBYTES];
    int rc;

    if (fcp_rng_fill(rng, ikm, sizeof ikm) != 0) {
        fcp_memzero(sk, FCP_HPKE_SECRETKEYBYTES);
        fcp_memzero(pk, FCP_HPKE_PUBLICKEYBYTES);
        rc = FCP_ERNG;
        goto out;
    }
    rc = fcp_hpke_derive_keypair(sk, pk, ikm, sizeof ikm);
out:
    fcp_memzero(ikm, sizeof ikm);
    return rc;
}

/* DHKEM ExtractAndExpand(dh, kem_context) (§4.1). */
static int extract_and_expand(uint8_t shared[32], const uint8_t dh[32], const uint8_t enc[32],
                              const uint8_t pkR[32])
{
    uint8_t prk[32], kem_context[64];
    int rc;

    labeled_extract(prk, KEM_SUITE, sizeof KEM_SUITE, NULL, 0, LABEL("eae_prk"), dh, 32);
    memcpy(kem_context, enc, 32);
    memcpy(kem_context + 32, pkR, 32);
    rc = labeled_expand(shared, 32, prk, KEM_SUITE, sizeof KEM_SUITE, LABEL("shared_secret"), kem_context,
                        sizeof kem_context);
    fcp_memzero(prk, sizeof prk);
    return rc;
}

/* Parameter checks common to sender and receiver: suite, mode, and
 * VerifyPSKInputs (§5.1). */
static int check_params(const fcp_hpke_params *p)
{
    if (p == NULL)
        return FCP_EINVAL;
    if (p->aead_id != FCP_HPKE_AEAD_CHACHA20POLY1305 && p->aead_id != FCP_HPKE_AEAD_EXPORT_ONLY)
        return FCP_EHPKE_SUITE;
    if ((p->info == NULL && p->info_len != 0) || (p->psk == NULL && p->psk_len != 0) ||
        (p->psk_id == NULL && p->psk_id_len != 0))
        return FCP_EINVAL;
    int got_psk = p->psk_len != 0, got_psk_id = p->psk_id_len != 0;
    if (got_psk != got_psk_id)
        return FCP_EINVAL; /* "Inconsistent PSK inputs" */
    if (p->mode == FCP_HPKE_MODE_BASE)
        return got_psk ? FCP_EINVAL : 0; /* "PSK input provided when not needed" */
    if (p->mode == FCP_HPKE_MODE_PSK) {
        if (!got_psk)
            return FCP_EINVAL; /* "Missing required PSK input" */
        return p->psk_len < FCP_HPKE_PSK_MINBYTES ? FCP_EINVAL : 0; /* §5.1.2: >= 32 bytes */
    }
    return FCP_EHPKE_SUITE; /* auth modes are not offered */
}

/* KeySchedule<ROLE>(mode, shared_secret, info, psk, psk_id) (§5.1). */
static int key_schedule(fcp_hpke_ctx *ctx, uint8_t role, const fcp_hpke_params *p, const uint8_t shared[32])
{
    uint8_t suite[10], ksc[65], secret[32];
    int rc;

    hpke_suite_id(suite, p->aead_id);
    ksc[0] = p->mode;
    labeled_extract(ksc + 1, suite, sizeof suite, NULL, 0, LABEL("psk_id_hash"), p->psk_id, p->psk_id_len);
    labeled_extract(ksc + 33, suite, sizeof suite, NULL, 0, LABEL("info_hash"), p->info, p->info_len);
    labeled_extract(secret, suite, sizeof suite, shared, 32, LABEL("secret"), p->psk, p->psk_len);

    memset(ctx, 0, sizeof *ctx);
    ctx->aead_id = p->aead_id;
    rc = 0;
    if (p->aead_id != FCP_HPKE_AEAD_EXPORT_ONLY) {
        rc = labeled_expand(ctx->key, FCP_HPKE_KEYBYTES, secret, suite, sizeof suite, LABEL("key"), ksc,
                            sizeof ksc);
        if (rc == 0)
            rc = labeled_expand(ctx->base_nonce, FCP_HPKE_NONCEBYTES, secret, suite, sizeof suite,
                                LABEL("base_nonce"), ksc, sizeof ksc);
    }
    if (rc == 0)
        rc = labeled_expand(ctx->exporter_secret, FCP_HPKE_SECRETBYTES, secret, suite, sizeof suite,
                            LABEL("exp"), ksc, sizeof ksc);
    if (rc == 0)
        ctx->role = role;
    else
        fcp_hpke_ctx_wipe(ctx);
    fcp_memzero(secret, sizeof secret);
    return rc;
}

static int setup_sender_with_sk(fcp_hpke_ctx *ctx, uint8_t enc[FCP_HPKE_ENCBYTES], const fcp_hpke_params *p,
                                const uint8_t pkR[32], const uint8_t skE[32], const uint8_t pkE[32])
{
    uint8_t dh[32], shared[32];
    int rc;

    rc = fcp_x25519(dh, skE, pkR); /* FCP_EBAD_KEY on an all-zero DH (§7.1.4) */
    if (rc == 0)
        rc = extract_and_expand(shared, dh, pkE, pkR);
    if (rc == 0)
        rc = key_schedule(ctx, ROLE_SENDER, p, shared);
    if (rc == 0)
        memcpy(enc, pkE, FCP_HPKE_ENCBYTES);
    fcp_memzero(dh, sizeof dh);
    fcp_memzero(shared, sizeof shared);
    return rc;
}

int fcp_hpke_setup_sender_derand(fcp_hpke_ctx *ctx, uint8_t enc[FCP_HPKE_ENCBYTES], const fcp_hpke_params *p,
                                 const uint8_t pkR[FCP_HPKE_PUBLICKEYBYTES], const uint8_t *ikmE,
                                 size_t ikmE_len)
{
    uint8_t skE[32], pkE[32];
    int rc;

    fcp_hpke_ctx_wipe(ctx);
    rc = check_params(p);
    if (rc == 0)
        rc = fcp_hpke_derive_keypair(skE, pkE, ikmE, ikmE_len);
    if (rc == 0)
        rc = setup_sender_with_sk(ctx, enc, p, pkR, skE, pkE);
    if (rc != 0) {
        fcp_hpke_ctx_wipe(ctx);
        fcp_memzero(enc, FCP_HPKE_ENCBYTES);
    }
    fcp_memzero(skE, sizeof skE);
    return rc;
}

int fcp_hpke_setup_sender(fcp_hpke_ctx *ctx, uint8_t enc[FCP_HPKE_ENCBYTES], const fcp_hpke_params *p,
                          const uint8_t pkR[FCP_HPKE_PUBLICKEYBYTES], const fcp_rng *rng)
{
    uint8_t ikmE[32];
    int rc;

    fcp_hpke_ctx_wipe(ctx);
    rc = check_params(p);
    if (rc == 0 && (rng == NULL || fcp_rng_fill(rng, ikmE, sizeof ikmE) != 0))
        rc = FCP_ERNG;
    if (rc == 0)
        rc = fcp_hpke_setup_sender_derand(ctx, enc, p, pkR, ikmE, sizeof ikmE);
    else
        fcp_memzero(enc, FCP_HPKE_ENCBYTES);
    fcp_memzero(ikmE, sizeof ikmE);
    return rc;
}

int fcp_hpke_setup_receiver(fcp_hpke_ctx *ctx, const fcp_hpke_params *p, const uint8_t enc[FCP_HPKE_ENCBYTES],
                            const uint8_t skR[FCP_HPKE_SECRETKEYBYTES])
{
    uint8_t pkR[32], dh[32], shared[32];
    int rc;

    fcp_hpke_ctx_wipe(ctx);
    rc = check_params(p);
    if (rc == 0)
        rc = fcp_x25519(dh, skR, enc); /* pkE = DeserializePublicKey(enc) */
    if (rc == 0)
        rc = fcp_x25519_base(pkR, skR);
    if (rc == 0)
        rc = extract_and_expand(shared, dh, enc, pkR);
    if (rc == 0)
        rc = key_schedule(ctx, ROLE_RECEIVER, p, shared);
    if (rc != 0)
        fcp_hpke_ctx_wipe(ctx);
    fcp_memzero(dh, sizeof dh);
    fcp_memzero(shared, sizeof shared);
    return rc;
}

/* nonce = base_nonce XOR I2OSP(seq, Nn)  (§5.2) */
static void compute_nonce(uint8_t nonce[FCP_HPKE_NONCEBYTES], const fcp_hpke_ctx *ctx)
{
    memcpy(nonce, ctx->base_nonce, FCP_HPKE_NONCEBYTES);
    for (int i = 0; i < 8; i++)
        nonce[FCP_HPKE_NONCEBYTES - 1 - i] ^= (uint8_t)(ctx->seq >> (8 * i));
}

/* Shared precondition of seal and open. */
static int check_ctx(const fcp_hpke_ctx *ctx, uint8_t role)
{
    if (ctx == NULL || ctx->role == 0)
        return FCP_EINVAL;
    if (ctx->aead_id == FCP_HPKE_AEAD_EXPORT_ONLY)
        return FCP_EHPKE_EXPORT_ONLY;
    if (ctx->role != role)
        return FCP_EINVAL;
    /* §5.2: seq must stay below 2^(8*Nn)-1; our counter is 64 bits, so
     * the last usable value is 2^64-2. */
    if (ctx->seq == UINT64_MAX)
        return FCP_EHPKE_SEQ_OVERFLOW;
    return 0;
}

int fcp_hpke_ctx_seal(fcp_hpke_ctx *ctx, uint8_t *ct, const uint8_t *aad, size_t aad_len, const uint8_t *pt,
                      size_t pt_len)
{
    uint8_t nonce[FCP_HPKE_NONCEBYTES];
    int rc = check_ctx(ctx, ROLE_SENDER);

    if (rc != 0)
        return rc;
    compute_nonce(nonce, ctx);
    rc = fcp_aead_chacha20poly1305_ietf_encrypt(ct, NULL, pt, pt_len, aad, aad_len, nonce, ctx->key);
    if (rc == 0)
        ctx->seq++;
    return rc;
}

int fcp_hpke_ctx_open(fcp_hpke_ctx *ctx, uint8_t *pt, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
                      size_t ct_len)
{
    uint8_t nonce[FCP_HPKE_NONCEBYTES];
    int rc = check_ctx(ctx, ROLE_RECEIVER);

    if (rc != 0) {
        if (pt != NULL && ct_len > FCP_HPKE_TAGBYTES)
            fcp_memzero(pt, ct_len - FCP_HPKE_TAGBYTES);
        return rc;
    }
    compute_nonce(nonce, ctx);
    rc = fcp_aead_chacha20poly1305_ietf_decrypt(pt, NULL, ct, ct_len, aad, aad_len, nonce, ctx->key);
    if (rc == 0)
        ctx->seq++;
    return rc;
}

int fcp_hpke_ctx_export(const fcp_hpke_ctx *ctx, uint8_t *out, size_t out_len, const uint8_t *exporter_context,
                        size_t exporter_context_len)
{
    uint8_t suite[10];

    if (ctx == NULL || ctx->role == 0 || (exporter_context == NULL && exporter_context_len != 0))
        return FCP_EINVAL;
    if (out_len > FCP_HPKE_EXPORT_MAXBYTES)
        return FCP_EOUT_OF_RANGE; /* §5.3: L <= 255*Nh */
    hpke_suite_id(suite, ctx->aead_id);
    return labeled_expand(out, out_len, ctx->exporter_secret, suite, sizeof suite, LABEL("sec"),
                          exporter_context, exporter_context_len);
}

void fcp_hpke_ctx_wipe(fcp_hpke_ctx *ctx)
{
    if (ctx != NULL)
        fcp_memzero(ctx, sizeof *ctx);
}

static int seal_common(uint8_t enc[FCP_HPKE_ENCBYTES], uint8_t *ct, const fcp_hpke_params *p,
                       const uint8_t pkR[32], const uint8_t *aad, size_t aad_len, const uint8_t *pt,
                       size_t pt_len, const fcp_rng *rng, const uint8_t *ikmE, size_t ikmE_len)
{
    fcp_hpke_ctx ctx;
    int rc;

    if (rng != NULL)
        rc = fcp_hpke_setup_sender(&ctx, enc, p, pkR, rng);
    else
        rc = fcp_hpke_setup_sender_derand(&ctx, enc, p, pkR, ikmE, ikmE_len);
    if (rc == 0)
        rc = fcp_hpke_ctx_seal(&ctx, ct, aad, aad_len, pt, pt_len);
    if (rc != 0) {
        fcp_memzero(enc, FCP_HPKE_ENCBYTES);
        if (ct != NULL && ct != pt)
            fcp_memzero(ct, pt_len + FCP_HPKE_TAGBYTES);
    }
    fcp_hpke_ctx_wipe(&ctx);
    return rc;
}

int fcp_hpke_seal(uint8_t enc[FCP_HPKE_ENCBYTES], uint8_t *ct, const fcp_hpke_params *p,
                  const uint8_t pkR[FCP_HPKE_PUBLICKEYBYTES], const uint8_t *aad, size_t aad_len,
                  const uint8_t *pt, size_t pt_len, const fcp_rng *rng)
{
    if (rng == NULL) {
        fcp_memzero(enc, FCP_HPKE_ENCBYTES);
        return FCP_ERNG;
    }
    return seal_common(enc, ct, p, pkR, aad, aad_len, pt, pt_len, rng, NULL, 0);
}

int fcp_hpke_seal_derand(uint8_t enc[FCP_HPKE_ENCBYTES], uint8_t *ct, const fcp_hpke_params *p,
                         const uint8_t pkR[FCP_HPKE_PUBLICKEYBYTES], const uint8_t *aad, size_t aad_len,
                         const uint8_t *pt, size_t pt_len, const uint8_t *ikmE, size_t ikmE_len)
{
    return seal_common(enc, ct, p, pkR, aad, aad_len, pt, pt_len, NULL, ikmE, ikmE_len);
}

int fcp_hpke_open(uint8_t *pt, const fcp_hpke_params *p, const uint8_t skR[FCP_HPKE_SECRETKEYBYTES],
                  const uint8_t enc[FCP_HPKE_ENCBYTES], const uint8_t *aad, size_t aad_len, const uint8_t *ct,
                  size_t ct_len)
{
    fcp_hpke_ctx ctx;
    int rc;

    rc = fcp_hpke_setup_receiver(&ctx, p, enc, skR);
    if (rc == 0)
        rc = fcp_hpke_ctx_open(&ctx, pt, aad, aad_len, ct, ct_len);
    else if (pt != NULL && ct_len > FCP_HPKE_TAGBYTES)
        fcp_memzero(pt, ct_len - FCP_HPKE_TAGBYTES);
    fcp_hpke_ctx_wipe(&ctx);
    return rc;
}
