/*
 * authz_token.c - CapabilityToken claims codec, COSE_Sign1 envelope, minting,
 * holder proofs and the ordered verifier (spec §7.5, §7.5.1; D-TOKEN-1..6).
 *
 * The verifier never interprets a claim before the signature over the
 * payload has been checked with the attested issuance key: the envelope is
 * parsed (structure only), the issuer is resolved by kid, its attestation and
 * revocation status are checked, the signature is verified, and only then is
 * the payload decoded.  Each later step has its own error so a caller and a
 * test can name the exact reason a token was refused.
 */
#include "fcp/authz_token.h"

#include <stdlib.h>
#include <string.h>

#include "fcp/authz_cap.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_ids.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

/* ---- claims --------------------------------------------------------------- */

void fcp_token_claims_init(fcp_token_claims *c)
{
    memset(c, 0, sizeof *c);
}

static char *text_slot(fcp_token_claims *c, int label, size_t *max, uint32_t *bit)
{
    switch (label) {
    case FCP_CLAIM_ISS: *max = FCP_TOKEN_TEXT_MAX; *bit = FCP_TC_ISS; return c->iss;
    case FCP_CLAIM_SUB: *max = FCP_TOKEN_TEXT_MAX; *bit = FCP_TC_SUB; return c->sub;
    case FCP_CLAIM_AUD: *max = FCP_TOKEN_TEXT_MAX; *bit = FCP_TC_AUD; return c->aud;
    case FCP_CLAIM_CAPABILITY_ID: *max = FCP_CAP_ID_MAX; *bit = FCP_TC_CAPABILITY; return c->capability_id;
    case FCP_CLAIM_ZONE_ID: *max = FCP_ZONE_ID_MAX; *bit = FCP_TC_ZONE; return c->zone_id;
    case FCP_CLAIM_PRINCIPAL_ID: *max = FCP_TOKEN_TEXT_MAX; *bit = FCP_TC_PRINCIPAL; return c->principal_id;
    case FCP_CLAIM_ISS_NODE: *max = FCP_TOKEN_TEXT_MAX; *bit = FCP_TC_ISS_NODE; return c->iss_node;
    case FCP_CLAIM_HOLDER_NODE: *max = FCP_TOKEN_TEXT_MAX; *bit = FCP_TC_HOLDER; return c->holder_node;
    case FCP_CLAIM_INSTANCE_ID: *max = FCP_TOKEN_TEXT_MAX; *bit = FCP_TC_INSTANCE; return c->instance_id;
    default: return NULL;
    }
}

static int text_ok(const char *s, size_t n, size_t max)
{
    if (n == 0 || n > max)
        return FCP_ETOKEN_CLAIMS;
    for (size_t i = 0; i < n; i++)
        if (s[i] == 0)
            return FCP_ETOKEN_CLAIMS;
    return fcp_utf8_valid((const uint8_t *)s, n) ? 0 : FCP_ECBOR_UTF8;
}

int fcp_token_claims_set_text(fcp_token_claims *c, int label, const char *s)
{
    size_t max = 0;
    uint32_t bit = 0;
    char *slot = text_slot(c, label, &max, &bit);
    if (!slot)
        return FCP_EINVAL;
    size_t n = strlen(s);
    if (n > max)
        return FCP_ETOO_LARGE;
    TRY(text_ok(s, n, max));
    memcpy(slot, s, n + 1);
    c->present |= bit;
    return 0;
}

int fcp_token_claims_add_operation(fcp_token_claims *c, const char *op)
{
    if (c->n_operations >= FCP_TOKEN_MAX_OPS)
        return FCP_ELIMIT;
    size_t n = strlen(op);
    if (fcp_cap_id_validate(op, n))
        return FCP_ECAP_OBJECT;
    memcpy(c->operations[c->n_operations++], op, n + 1);
    c->present |= FCP_TC_OPERATIONS;
    return 0;
}

static void put_text_claim(fcp_cbor_enc *e, int label, const char *s)
{
    fcp_cbor_put_int(e, label);
    fcp_cbor_put_cstr(e, s);
}

static void put_uint_claim(fcp_cbor_enc *e, int label, uint64_t v)
{
    fcp_cbor_put_int(e, label);
    fcp_cbor_put_uint(e, v);
}

static void put_bytes_claim(fcp_cbor_enc *e, int label, const uint8_t *p, size_t n)
{
    fcp_cbor_put_int(e, label);
    fcp_cbor_put_bytes(e, p, n);
}

static int claims_encode_to(const fcp_token_claims *c, fcp_cbor_enc *e)
{
    uint32_t pr = c->present;
    if (((pr & FCP_TC_OPERATIONS) && c->n_operations == 0) ||
        ((pr & FCP_TC_GRANT_IDS) && c->n_grant_object_ids == 0) ||
        ((pr & FCP_TC_GRANTS) && c->n_grants == 0) || c->n_operations > FCP_TOKEN_MAX_OPS ||
        c->n_grant_object_ids > FCP_TOKEN_MAX_GRANT_IDS || c->n_grants > FCP_CAP_MAX_GRANTS ||
        ((pr & FCP_TC_CTI) && (c->cti_len == 0 || c->cti_len > FCP_TOKEN_CTI_MAX)) ||
        ((pr & FCP_TC_PARENT) && (c->parent_token_len == 0 || c->parent_token_len > FCP_TOKEN_PARENT_MAX)) ||
        ((pr & FCP_TC_CHK_ID) && (c->chk_id_len == 0 || c->chk_id_len > FCP_TOKEN_CHK_ID_MAX)) ||
        ((pr & FCP_TC_SCHEMA) && c->schema_version != FCP_TOKEN_SCHEMA_VERSION))
        return FCP_ETOKEN_CLAIMS;
    /* the encoder emits only what the decoder accepts */
    static const int text_labels[] = { FCP_CLAIM_ISS, FCP_CLAIM_SUB, FCP_CLAIM_AUD, FCP_CLAIM_CAPABILITY_ID,
                                       FCP_CLAIM_ZONE_ID, FCP_CLAIM_PRINCIPAL_ID, FCP_CLAIM_ISS_NODE,
                                       FCP_CLAIM_HOLDER_NODE, FCP_CLAIM_INSTANCE_ID };
    for (size_t i = 0; i < sizeof text_labels / sizeof text_labels[0]; i++) {
        size_t max;
        uint32_t bit;
        const char *t = text_slot((fcp_token_claims *)c, text_labels[i], &max, &bit);
        if ((pr & bit) && text_ok(t, strnlen(t, max + 1), max))
            return FCP_ETOKEN_CLAIMS;
    }
    if (((pr & FCP_TC_ZONE) && fcp_zone_id_validate(c->zone_id, strlen(c->zone_id))) ||
        ((pr & FCP_TC_CAPABILITY) && fcp_cap_id_validate(c->capability_id, strlen(c->capability_id))))
        return FCP_ETOKEN_CLAIMS;
    for (size_t i = 0; (pr & FCP_TC_OPERATIONS) && i < c->n_operations; i++)
        if (fcp_cap_id_validate(c->operations[i], strnlen(c->operations[i], FCP_CAP_ID_MAX + 1)))
            return FCP_ETOKEN_CLAIMS;
    if (pr == 0)
        return fcp_cbor_put_map(e, 0); /* {} without the sorting builder */
    fcp_cbor_map_open(e);
    if (pr & FCP_TC_ISS) put_text_claim(e, FCP_CLAIM_ISS, c->iss);
    if (pr & FCP_TC_SUB) put_text_claim(e, FCP_CLAIM_SUB, c->sub);
    if (pr & FCP_TC_AUD) put_text_claim(e, FCP_CLAIM_AUD, c->aud);
    if (pr & FCP_TC_EXP) put_uint_claim(e, FCP_CLAIM_EXP, c->exp);
    if (pr & FCP_TC_NBF) put_uint_claim(e, FCP_CLAIM_NBF, c->nbf);
    if (pr & FCP_TC_IAT) put_uint_claim(e, FCP_CLAIM_IAT, c->iat);
    if (pr & FCP_TC_CTI) put_bytes_claim(e, FCP_CLAIM_CTI, c->cti, c->cti_len);
    if (pr & FCP_TC_CAPABILITY) put_text_claim(e, FCP_CLAIM_CAPABILITY_ID, c->capability_id);
    if (pr & FCP_TC_ZONE) put_text_claim(e, FCP_CLAIM_ZONE_ID, c->zone_id);
    if (pr & FCP_TC_OPERATIONS) {
        fcp_cbor_put_int(e, FCP_CLAIM_OPERATIONS);
        fcp_cbor_put_array(e, c->n_operations);
        for (size_t i = 0; i < c->n_operations; i++)
            fcp_cbor_put_cstr(e, c->operations[i]);
    }
    if (pr & FCP_TC_PRINCIPAL) put_text_claim(e, FCP_CLAIM_PRINCIPAL_ID, c->principal_id);
    if (pr & FCP_TC_DELEGATION) put_uint_claim(e, FCP_CLAIM_DELEGATION_DEPTH, c->delegation_depth);
    if (pr & FCP_TC_PARENT) put_bytes_claim(e, FCP_CLAIM_PARENT_TOKEN, c->parent_token, c->parent_token_len);
    if (pr & FCP_TC_ISS_NODE) put_text_claim(e, FCP_CLAIM_ISS_NODE, c->iss_node);
    if (pr & FCP_TC_AUD_BINARY) put_bytes_claim(e, FCP_CLAIM_AUD_BINARY, c->aud_binary, 32);
    if (pr & FCP_TC_GRANT_IDS) {
        fcp_cbor_put_int(e, FCP_CLAIM_GRANT_OBJECT_IDS);
        fcp_cbor_put_array(e, c->n_grant_object_ids);
        for (size_t i = 0; i < c->n_grant_object_ids; i++)
            fcp_cbor_put_bytes(e, c->grant_object_ids[i], 32);
    }
    if (pr & FCP_TC_HOLDER) put_text_claim(e, FCP_CLAIM_HOLDER_NODE, c->holder_node);
    if (pr & FCP_TC_CHK_ID) put_bytes_claim(e, FCP_CLAIM_CHK_ID, c->chk_id, c->chk_id_len);
    if (pr & FCP_TC_CHK_SEQ) put_uint_claim(e, FCP_CLAIM_CHK_SEQ, c->chk_seq);
    if (pr & FCP_TC_CONSTRAINTS) {
        fcp_cbor_put_int(e, FCP_CLAIM_CONSTRAINTS);
        TRY(fcp_cap_constraints_encode_to(&c->constraints, e));
    }
    if (pr & FCP_TC_GRANTS) {
        fcp_cbor_put_int(e, FCP_CLAIM_GRANTS);
        fcp_cbor_put_array(e, c->n_grants);
        for (size_t i = 0; i < c->n_grants; i++)
            TRY(fcp_cap_grant_encode_to(&c->grants[i], e));
    }
    if (pr & FCP_TC_INSTANCE) put_text_claim(e, FCP_CLAIM_INSTANCE_ID, c->instance_id);
    if (pr & FCP_TC_SCHEMA) put_uint_claim(e, FCP_CLAIM_SCHEMA_VERSION, c->schema_version);
    return fcp_cbor_map_close(e);
}

int fcp_token_claims_encode(const fcp_token_claims *c, fcp_buf *out)
{
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    int rc = claims_encode_to(c, &e);
    int rc2 = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc ? rc : rc2;
}

/* Map any CBOR-level failure inside the payload to FCP_ETOKEN_CLAIMS while
 * keeping the finer claim errors. */
static int claims_err(int rc)
{
    if (rc == FCP_ETOKEN_CLAIM_UNKNOWN || rc == FCP_ETOKEN_SCHEMA_VERSION || rc == FCP_ETOKEN_CLAIMS)
        return rc;
    return FCP_ETOKEN_CLAIMS;
}

static int get_text_into(fcp_cbor_dec *d, char *out, size_t max)
{
    const char *p;
    size_t n;
    TRY(fcp_cbor_get_text(d, &p, &n));
    TRY(text_ok(p, n, max));
    memcpy(out, p, n);
    out[n] = 0;
    return 0;
}

static int get_bytes_into(fcp_cbor_dec *d, uint8_t *out, size_t *len, size_t min, size_t max)
{
    const uint8_t *p;
    size_t n;
    TRY(fcp_cbor_get_bytes(d, &p, &n));
    if (n < min || n > max)
        return FCP_ETOKEN_CLAIMS;
    memcpy(out, p, n);
    if (len)
        *len = n;
    return 0;
}

static int decode_claim(fcp_token_claims *c, fcp_cbor_dec *d, int64_t label)
{
    uint64_t cnt;
    size_t max;
    uint32_t bit;
    char *slot;
    switch (label) {
    case FCP_CLAIM_EXP: c->present |= FCP_TC_EXP; return fcp_cbor_get_uint(d, &c->exp);
    case FCP_CLAIM_NBF: c->present |= FCP_TC_NBF; return fcp_cbor_get_uint(d, &c->nbf);
    case FCP_CLAIM_IAT: c->present |= FCP_TC_IAT; return fcp_cbor_get_uint(d, &c->iat);
    case FCP_CLAIM_CTI:
        c->present |= FCP_TC_CTI;
        return get_bytes_into(d, c->cti, &c->cti_len, 1, FCP_TOKEN_CTI_MAX);
    case FCP_CLAIM_OPERATIONS:
        c->present |= FCP_TC_OPERATIONS;
        TRY(fcp_cbor_get_array(d, &cnt));
        if (cnt == 0 || cnt > FCP_TOKEN_MAX_OPS)
            return FCP_ETOKEN_CLAIMS;
        c->n_operations = (size_t)cnt;
        for (size_t i = 0; i < c->n_operations; i++) {
            TRY(get_text_into(d, c->operations[i], FCP_CAP_ID_MAX));
            if (fcp_cap_id_validate(c->operations[i], strlen(c->operations[i])))
                return FCP_ETOKEN_CLAIMS;
        }
        return 0;
    case FCP_CLAIM_DELEGATION_DEPTH:
        c->present |= FCP_TC_DELEGATION;
        return fcp_cbor_get_uint(d, &c->delegation_depth);
    case FCP_CLAIM_PARENT_TOKEN:
        c->present |= FCP_TC_PARENT;
        return get_bytes_into(d, c->parent_token, &c->parent_token_len, 1, FCP_TOKEN_PARENT_MAX);
    case FCP_CLAIM_AUD_BINARY:
        c->present |= FCP_TC_AUD_BINARY;
        return get_bytes_into(d, c->aud_binary, NULL, 32, 32);
    case FCP_CLAIM_GRANT_OBJECT_IDS:
        c->present |= FCP_TC_GRANT_IDS;
        TRY(fcp_cbor_get_array(d, &cnt));
        if (cnt == 0 || cnt > FCP_TOKEN_MAX_GRANT_IDS)
            return FCP_ETOKEN_CLAIMS;
        c->n_grant_object_ids = (size_t)cnt;
        for (size_t i = 0; i < c->n_grant_object_ids; i++)
            TRY(get_bytes_into(d, c->grant_object_ids[i], NULL, 32, 32));
        return 0;
    case FCP_CLAIM_CHK_ID:
        c->present |= FCP_TC_CHK_ID;
        return get_bytes_into(d, c->chk_id, &c->chk_id_len, 1, FCP_TOKEN_CHK_ID_MAX);
    case FCP_CLAIM_CHK_SEQ: c->present |= FCP_TC_CHK_SEQ; return fcp_cbor_get_uint(d, &c->chk_seq);
    case FCP_CLAIM_CONSTRAINTS:
        c->present |= FCP_TC_CONSTRAINTS;
        return fcp_cap_constraints_decode_from(&c->constraints, d);
    case FCP_CLAIM_GRANTS:
        c->present |= FCP_TC_GRANTS;
        TRY(fcp_cbor_get_array(d, &cnt));
        if (cnt == 0 || cnt > FCP_CAP_MAX_GRANTS)
            return FCP_ETOKEN_CLAIMS;
        c->n_grants = (size_t)cnt;
        for (size_t i = 0; i < c->n_grants; i++)
            TRY(fcp_cap_grant_decode_from(&c->grants[i], d));
        return 0;
    case FCP_CLAIM_SCHEMA_VERSION:
        c->present |= FCP_TC_SCHEMA;
        TRY(fcp_cbor_get_uint(d, &c->schema_version));
        return c->schema_version == FCP_TOKEN_SCHEMA_VERSION ? 0 : FCP_ETOKEN_SCHEMA_VERSION;
    default:
        break;
    }
    slot = text_slot(c, (int)label, &max, &bit);
    if (!slot)
        return FCP_ETOKEN_CLAIM_UNKNOWN;
    c->present |= bit;
    TRY(get_text_into(d, slot, max));
    if (label == FCP_CLAIM_ZONE_ID && fcp_zone_id_validate(slot, strlen(slot)))
        return FCP_ETOKEN_CLAIMS;
    if (label == FCP_CLAIM_CAPABILITY_ID && fcp_cap_id_validate(slot, strlen(slot)))
        return FCP_ETOKEN_CLAIMS;
    return 0;
}

static int claims_decode(fcp_token_claims *c, const uint8_t *p, size_t n)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const uint8_t *k;
    size_t kl;
    int rc;
    lim.max_depth = 8;
    lim.max_items = 64;
    fcp_cbor_dec_init(&d, p, n, &lim);
    TRY(fcp_cbor_map_begin(&d, &it));
    while ((rc = fcp_cbor_map_next_key(&d, &it, &k, &kl)) > 0) {
        fcp_cbor_dec kd;
        int64_t label;
        fcp_cbor_dec_init(&kd, k, kl, NULL);
        if (fcp_cbor_get_int(&kd, &label) || label < -65552 || label > 7 || label == 0 ||
            (label < 0 && label > -65537))
            return FCP_ETOKEN_CLAIM_UNKNOWN;
        TRY(decode_claim(c, &d, label));
    }
    TRY(rc);
    return fcp_cbor_dec_finish(&d);
}

int fcp_token_claims_decode(fcp_token_claims *c, const uint8_t *p, size_t n)
{
    memset(c, 0, sizeof *c);
    int rc = claims_decode(c, p, n);
    if (rc) {
        memset(c, 0, sizeof *c);
        return claims_err(rc);
    }
    return 0;
}

int fcp_token_effective_grants(const fcp_token_claims *c, fcp_cap_grant *out, size_t *n)
{
    *n = 0;
    if (c->present & FCP_TC_GRANTS) {
        memcpy(out, c->grants, c->n_grants * sizeof *out);
        *n = c->n_grants;
        return 0;
    }
    if (!(c->present & FCP_TC_CAPABILITY))
        return FCP_ETOKEN_MISSING_CLAIM;
    size_t cl = strlen(c->capability_id);
    if (c->n_operations == 0) {
        memset(&out[0], 0, sizeof out[0]);
        memcpy(out[0].capability, c->capability_id, cl + 1);
        *n = 1;
        return 0;
    }
    if (c->n_operations > FCP_CAP_MAX_GRANTS)
        return FCP_ELIMIT;
    for (size_t i = 0; i < c->n_operations; i++) {
        memset(&out[i], 0, sizeof out[i]);
        memcpy(out[i].capability, c->capability_id, cl + 1);
        strcpy(out[i].operation, c->operations[i]);
        out[i].has_operation = 1;
    }
    *n = c->n_operations;
    return 0;
}

/* ---- COSE_Sign1 -------------------------------------------------------------- */

static int protected_decode(fcp_cose_sign1 *s)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const uint8_t *k;
    size_t kl;
    int have_alg = 0, have_kid = 0, rc;
    lim.max_depth = 2;
    lim.max_items = 8;
    fcp_cbor_dec_init(&d, s->protected_hdr, s->protected_len, &lim);
    if (fcp_cbor_map_begin(&d, &it))
        return FCP_ETOKEN_COSE;
    while ((rc = fcp_cbor_map_next_key(&d, &it, &k, &kl)) > 0) {
        if (kl == 1 && k[0] == 0x01) {
            int64_t alg;
            if (fcp_cbor_get_int(&d, &alg) || alg != -8)
                return FCP_ETOKEN_ALG;
            have_alg = 1;
        } else if (kl == 1 && k[0] == 0x04) {
            const uint8_t *kid;
            size_t n;
            if (fcp_cbor_get_bytes(&d, &kid, &n) || n != FCP_KID_BYTES)
                return FCP_ETOKEN_KID;
            memcpy(s->kid, kid, FCP_KID_BYTES);
            have_kid = 1;
        } else {
            return FCP_ETOKEN_HEADER;
        }
    }
    if (rc < 0 || fcp_cbor_dec_finish(&d))
        return FCP_ETOKEN_COSE;
    if (!have_alg)
        return FCP_ETOKEN_ALG;
    if (!have_kid)
        return FCP_ETOKEN_KID;
    return 0;
}

static int cose_decode(fcp_cose_sign1 *s, const uint8_t *p, size_t n)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    unsigned major;
    uint64_t cnt;
    size_t sl;
    lim.allow = FCP_CBOR_ALLOW_TAG;
    lim.max_depth = 3;
    lim.max_items = 8;
    fcp_cbor_dec_init(&d, p, n, &lim);
    if (fcp_cbor_peek(&d, &major))
        return FCP_ETOKEN_COSE;
    if (major == FCP_CBOR_TAG) {
        uint64_t tag;
        if (fcp_cbor_get_tag(&d, &tag) || tag != 18)
            return FCP_ETOKEN_COSE;
        s->tagged = 1;
    }
    if (fcp_cbor_get_array(&d, &cnt) || cnt != 4)
        return FCP_ETOKEN_COSE;
    if (fcp_cbor_get_bytes(&d, &s->protected_hdr, &s->protected_len))
        return FCP_ETOKEN_COSE;
    if (fcp_cbor_get_map(&d, &cnt))
        return FCP_ETOKEN_COSE;
    if (cnt != 0)
        return FCP_ETOKEN_HEADER; /* nothing unauthenticated may ride along */
    if (fcp_cbor_get_bytes(&d, &s->payload, &s->payload_len))
        return FCP_ETOKEN_COSE;
    if (fcp_cbor_get_bytes(&d, &s->signature, &sl) || sl != 64)
        return FCP_ETOKEN_COSE;
    if (fcp_cbor_dec_finish(&d))
        return FCP_ETOKEN_COSE;
    return protected_decode(s);
}

int fcp_cose_sign1_decode(fcp_cose_sign1 *s, const uint8_t *p, size_t n)
{
    memset(s, 0, sizeof *s);
    if (n > FCP_TOKEN_MAX_BYTES)
        return FCP_ETOKEN_TOO_LARGE;
    int rc = cose_decode(s, p, n);
    if (rc)
        memset(s, 0, sizeof *s);
    return rc;
}

int fcp_cose_sig_structure(const uint8_t *protected_hdr, size_t plen, const uint8_t *payload,
                           size_t len, fcp_buf *out)
{
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_put_array(&e, 4);
    fcp_cbor_put_text(&e, "Signature1", 10);
    fcp_cbor_put_bytes(&e, protected_hdr, plen);
    fcp_cbor_put_bytes(&e, "", 0);
    fcp_cbor_put_bytes(&e, payload, len);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

static void protected_bytes(uint8_t out[13], const uint8_t kid[FCP_KID_BYTES])
{
    out[0] = 0xa2;
    out[1] = 0x01;
    out[2] = 0x27;
    out[3] = 0x04;
    out[4] = 0x48;
    memcpy(out + 5, kid, FCP_KID_BYTES);
}

/* Ed25519 over the Sig_structure, built in a stack buffer when it fits. */
static int sig_verify(const uint8_t *prot, size_t plen, const uint8_t *payload, size_t len,
                      const uint8_t *sig, const uint8_t pk[32])
{
    uint8_t mem[1024];
    fcp_buf b;
    int rc;
    if (plen + len + 32 <= sizeof mem)
        fcp_buf_init_fixed(&b, mem, sizeof mem);
    else
        fcp_buf_init(&b);
    rc = fcp_cose_sig_structure(prot, plen, payload, len, &b);
    if (rc == 0)
        rc = fcp_ed25519_verify(sig, b.data, b.len, pk) ? FCP_ETOKEN_SIGNATURE : 0;
    if (b.data != mem)
        fcp_buf_free(&b);
    return rc;
}

int fcp_token_mint(const fcp_token_claims *c0, const uint8_t iss_sk[64], fcp_buf *out)
{
    fcp_token_claims *c;
    fcp_buf payload, tbs;
    fcp_cbor_enc e;
    uint8_t prot[13], kid[FCP_KID_BYTES], sig[64];
    int rc;
    c = malloc(sizeof *c);
    if (!c)
        return FCP_ENOMEM;
    memcpy(c, c0, sizeof *c);
    /* synthesis as the reference's CoseToken::sign (D-TOKEN-2) */
    if (!(c->present & FCP_TC_SCHEMA)) {
        c->schema_version = FCP_TOKEN_SCHEMA_VERSION;
        c->present |= FCP_TC_SCHEMA;
    }
    if (!(c->present & FCP_TC_AUD) && (c->present & FCP_TC_ZONE)) {
        strcpy(c->aud, c->zone_id);
        c->present |= FCP_TC_AUD;
    }
    fcp_buf_init(&payload);
    fcp_buf_init(&tbs);
    rc = fcp_token_claims_encode(c, &payload);
    free(c);
    if (rc)
        goto out;
    if (payload.len + 100 > FCP_TOKEN_MAX_BYTES) {
        rc = FCP_ETOKEN_TOO_LARGE;
        goto out;
    }
    fcp_key_id(kid, iss_sk + 32);
    protected_bytes(prot, kid);
    rc = fcp_cose_sig_structure(prot, sizeof prot, payload.data, payload.len, &tbs);
    if (rc)
        goto out;
    rc = fcp_ed25519_sign(sig, tbs.data, tbs.len, iss_sk);
    if (rc)
        goto out;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_put_array(&e, 4);
    fcp_cbor_put_bytes(&e, prot, sizeof prot);
    fcp_cbor_put_map(&e, 0);
    fcp_cbor_put_bytes(&e, payload.data, payload.len);
    fcp_cbor_put_bytes(&e, sig, 64);
    rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
out:
    fcp_buf_free(&payload);
    fcp_buf_free(&tbs);
    return rc;
}

int fcp_token_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_cose_sign1 *s)
{
    /* untagged re-encoding: 0x84, bstr(protected), 0xa0, bstr(payload), bstr(sig) */
    fcp_blake3_hasher h;
    uint8_t head[FCP_CBOR_HEAD_MAX + 1];
    fcp_buf hb;
    fcp_cbor_enc e;
    memset(out, 0, FCP_OBJECT_ID_BYTES);
    fcp_blake3_hasher_init(&h);
    fcp_buf_init_fixed(&hb, head, sizeof head);
    fcp_cbor_enc_init(&e, &hb);
    fcp_cbor_put_head(&e, FCP_CBOR_ARRAY, 4);
    fcp_cbor_put_head(&e, FCP_CBOR_BYTES, s->protected_len);
    TRY(fcp_cbor_enc_finish(&e));
    fcp_blake3_hasher_update(&h, hb.data, hb.len);
    fcp_blake3_hasher_update(&h, s->protected_hdr, s->protected_len);
    fcp_buf_reset(&hb);
    fcp_cbor_put_head(&e, FCP_CBOR_MAP, 0);
    fcp_cbor_put_head(&e, FCP_CBOR_BYTES, s->payload_len);
    TRY(fcp_cbor_enc_finish(&e));
    fcp_blake3_hasher_update(&h, hb.data, hb.len);
    fcp_blake3_hasher_update(&h, s->payload, s->payload_len);
    fcp_buf_reset(&hb);
    fcp_cbor_put_head(&e, FCP_CBOR_BYTES, 64);
    TRY(fcp_cbor_enc_finish(&e));
    fcp_cbor_enc_free(&e);
    fcp_blake3_hasher_update(&h, hb.data, hb.len);
    fcp_blake3_hasher_update(&h, s->signature, 64);
    fcp_blake3_hasher_finalize(&h, out, FCP_OBJECT_ID_BYTES);
    return 0;
}

/* ---- holder proof ------------------------------------------------------------ */

int fcp_holder_proof_bytes(const char *request_id, const char *operation_id, const uint8_t *jti,
                           size_t jti_len, fcp_buf *out)
{
    size_t rl = strlen(request_id), ol = strlen(operation_id);
    if (rl > UINT32_MAX || ol > UINT32_MAX || jti_len > UINT32_MAX)
        return FCP_ETOO_LARGE;
    TRY(fcp_buf_append(out, FCP_HOLDER_PROOF_DOMAIN, strlen(FCP_HOLDER_PROOF_DOMAIN)));
    TRY(fcp_buf_put_u32le(out, (uint32_t)rl));
    TRY(fcp_buf_append(out, request_id, rl));
    TRY(fcp_buf_put_u32le(out, (uint32_t)ol));
    TRY(fcp_buf_append(out, operation_id, ol));
    TRY(fcp_buf_put_u32le(out, (uint32_t)jti_len));
    return fcp_buf_append(out, jti, jti_len);
}

int fcp_holder_proof_sign(uint8_t sig[64], const char *request_id, const char *operation_id,
                          const uint8_t *jti, size_t jti_len, const uint8_t holder_sk[64])
{
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = fcp_holder_proof_bytes(request_id, operation_id, jti, jti_len, &b);
    if (rc == 0)
        rc = fcp_ed25519_sign(sig, b.data, b.len, holder_sk);
    fcp_buf_free(&b);
    return rc;
}

int fcp_holder_proof_verify(const uint8_t sig[64], const char *request_id,
                            const char *operation_id, const uint8_t *jti, size_t jti_len,
                            const uint8_t holder_pk[32])
{
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = fcp_holder_proof_bytes(request_id, operation_id, jti, jti_len, &b);
    if (rc == 0)
        rc = fcp_ed25519_verify(sig, b.data, b.len, holder_pk) ? FCP_ETOKEN_HOLDER_PROOF : 0;
    fcp_buf_free(&b);
    return rc;
}

/* ---- verifier ------------------------------------------------------------------ */

void fcp_token_request_init(fcp_token_request *r, uint64_t now, const uint8_t owner_pk[32])
{
    memset(r, 0, sizeof *r);
    r->now = now;
    r->skew_secs = FCP_TOKEN_DEFAULT_SKEW;
    r->owner_pk = owner_pk;
    r->tier = FCP_OP_SAFE;
}

static int revoked(const fcp_token_lookup *lk, enum fcp_rev_scope scope, const uint8_t id[32],
                   uint64_t now, int err)
{
    if (!lk->is_revoked)
        return 0;
    int r = lk->is_revoked(lk->ctx, scope, id, now);
    if (r < 0)
        return r;
    return r ? err : 0;
}

/* Step 1-4: envelope, issuer, issuer revocation, signature. */
static int verify_envelope(const uint8_t *p, size_t n, const fcp_token_request *r,
                           const fcp_token_lookup *lk, fcp_cose_sign1 *s, fcp_token_verified *out)
{
    fcp_token_issuer_ref ref = { NULL, 0 };
    uint8_t kid[FCP_KID_BYTES];
    TRY(fcp_cose_sign1_decode(s, p, n));
    if (!lk->issuer_by_kid)
        return FCP_ETOKEN_UNKNOWN_ISSUER;
    int rc = lk->issuer_by_kid(lk->ctx, s->kid, &ref);
    if (rc == FCP_ENOENT || (rc == 0 && !ref.att))
        return FCP_ETOKEN_UNKNOWN_ISSUER;
    TRY(rc);
    const fcp_node_attestation *a = ref.att;
    if (!ref.preverified) {
        if (!r->owner_pk || fcp_attestation_verify(a, r->owner_pk, r->now))
            return FCP_ETOKEN_ISSUER_ATTESTATION;
    } else if ((a->has_expires_at && r->now >= a->expires_at) ||
               (a->issued_at > r->now && a->issued_at - r->now > FCP_ATTEST_MAX_SKEW)) {
        return FCP_ETOKEN_ISSUER_ATTESTATION;
    }
    fcp_key_id(kid, a->node_iss_pubkey);
    if (memcmp(kid, s->kid, FCP_KID_BYTES) != 0)
        return FCP_ETOKEN_KID_MISMATCH;
    TRY(revoked(lk, FCP_REV_ISSUER_KEY, a->node_iss_pubkey, r->now, FCP_ETOKEN_ISSUER_REVOKED));
    TRY(revoked(lk, FCP_REV_NODE_ATTESTATION, a->node_sig_pubkey, r->now, FCP_ETOKEN_ISSUER_REVOKED));
    TRY(sig_verify(s->protected_hdr, s->protected_len, s->payload, s->payload_len, s->signature,
                   a->node_iss_pubkey));
    memcpy(&out->issuer, a, sizeof *a);
    return 0;
}

static int verify_time(const fcp_token_claims *c, const fcp_token_request *r)
{
    uint64_t skew = r->skew_secs;
    if ((c->present & FCP_TC_NBF) && c->nbf > r->now && c->nbf - r->now > skew)
        return FCP_ETOKEN_NOT_YET_VALID;
    if ((c->present & FCP_TC_IAT) && c->iat > r->now && c->iat - r->now > skew)
        return FCP_ETOKEN_IAT_FUTURE;
    if (r->now > c->exp && r->now - c->exp > skew)
        return FCP_ETOKEN_EXPIRED;
    uint64_t start = (c->present & FCP_TC_NBF) ? c->nbf : (c->present & FCP_TC_IAT) ? c->iat : c->exp;
    if ((c->present & FCP_TC_IAT) && c->iat > start)
        start = c->iat;
    if (((c->present & (FCP_TC_NBF | FCP_TC_IAT)) && c->exp <= start) ||
        (r->max_lifetime_secs && c->exp - start > r->max_lifetime_secs))
        return FCP_ETOKEN_LIFETIME;
    return 0;
}

static int verify_checkpoint(const fcp_token_claims *c, const fcp_token_request *r,
                             const fcp_token_lookup *lk)
{
    int bound = (c->present & FCP_TC_CHK_ID) && (c->present & FCP_TC_CHK_SEQ);
    if ((c->present & (FCP_TC_CHK_ID | FCP_TC_CHK_SEQ)) && !bound)
        return FCP_ETOKEN_CHECKPOINT; /* half a binding binds nothing */
    if (!bound)
        return r->tier >= FCP_OP_RISKY ? FCP_ETOKEN_CHECKPOINT : 0;
    uint64_t ours = 0;
    uint8_t id[FCP_TOKEN_CHK_ID_MAX];
    size_t idl = 0;
    if (!lk->checkpoint)
        return FCP_ETOKEN_CHECKPOINT;
    int rc = lk->checkpoint(lk->ctx, c->zone_id, c->chk_seq, &ours, id, &idl);
    if (rc == FCP_ENOENT)
        return FCP_ETOKEN_CHECKPOINT;
    TRY(rc);
    if (ours < c->chk_seq)
        return FCP_ETOKEN_CHECKPOINT_AHEAD;
    if (idl != c->chk_id_len || memcmp(id, c->chk_id, idl) != 0)
        return FCP_ETOKEN_CHECKPOINT;
    return 0;
}

/* The principal a token speaks for: principal_id, else sub, else NULL. */
static const char *token_principal(const fcp_token_claims *c)
{
    return (c->present & FCP_TC_PRINCIPAL) ? c->principal_id
           : (c->present & FCP_TC_SUB)     ? c->sub
                                           : NULL;
}

/* principal: the token's own, or for a delegated token the chain root's (the
 * grant objects were granted to the delegator, not to the delegate). */
static int grantee_ok(const fcp_cap_object *o, const fcp_token_claims *c, const char *principal,
                      const fcp_token_lookup *lk)
{
    switch (o->grantee) {
    case FCP_GRANTEE_BEARER: return 1;
    case FCP_GRANTEE_ZONE: return strcmp(o->grantee_value, c->zone_id) == 0;
    case FCP_GRANTEE_PRINCIPAL: return principal && strcmp(o->grantee_value, principal) == 0;
    case FCP_GRANTEE_TAG:
        return principal && lk->principal_has_tag &&
               lk->principal_has_tag(lk->ctx, principal, o->grantee_value) == 1;
    default: return 0;
    }
}

static int verify_grants(const fcp_token_claims *c, const fcp_token_request *r,
                         const fcp_token_lookup *lk, const fcp_cap_grant *grants, size_t n_grants,
                         const char *principal)
{
    const fcp_cap_object *objs[FCP_TOKEN_MAX_GRANT_IDS];
    uint64_t start = (c->present & FCP_TC_NBF) ? c->nbf : (c->present & FCP_TC_IAT) ? c->iat : r->now;
    if (!(c->present & FCP_TC_GRANT_IDS) || c->n_grant_object_ids == 0)
        return FCP_ETOKEN_NO_GRANTS;
    if (!lk->grant_object)
        return FCP_ETOKEN_GRANT_MISSING;
    for (size_t i = 0; i < c->n_grant_object_ids; i++) {
        fcp_token_grant_ref ref = { NULL, 0 };
        int rc = lk->grant_object(lk->ctx, c->grant_object_ids[i], &ref);
        if (rc == FCP_ENOENT || (rc == 0 && !ref.obj))
            return FCP_ETOKEN_GRANT_MISSING;
        TRY(rc);
        const fcp_cap_object *o = ref.obj;
        if (!ref.preverified && (!r->owner_pk || fcp_cap_object_verify(o, r->owner_pk)))
            return FCP_ETOKEN_GRANT_INVALID;
        if (r->oid_key) {
            uint8_t id[32];
            if (fcp_cap_object_id(id, o, r->oid_key) || memcmp(id, c->grant_object_ids[i], 32) != 0)
                return FCP_ETOKEN_GRANT_INVALID;
        }
        if (o->valid_from > start || o->valid_until < c->exp)
            return FCP_ETOKEN_GRANT_WINDOW;
        TRY(revoked(lk, FCP_REV_CAPABILITY, c->grant_object_ids[i], r->now, FCP_ETOKEN_GRANT_REVOKED));
        if (!grantee_ok(o, c, principal, lk))
            return FCP_ETOKEN_GRANT_GRANTEE;
        objs[i] = o;
    }
    /* caps ⊆ grants: each token grant needs an object for its capability,
     * and the token's constraints must narrow that object's constraints */
    for (size_t g = 0; g < n_grants; g++) {
        int covered = 0, narrow = 0;
        for (size_t i = 0; i < c->n_grant_object_ids; i++) {
            if (strcmp(objs[i]->capability_id, grants[g].capability) != 0)
                continue;
            covered = 1;
            if (!(c->present & FCP_TC_CONSTRAINTS) ||
                fcp_cap_constraints_narrows(&c->constraints, &objs[i]->constraints) == 0)
                narrow = 1;
        }
        if (!covered)
            return FCP_ETOKEN_CAPS_NOT_SUBSET;
        if (!narrow)
            return FCP_ETOKEN_ATTENUATION_WIDENS;
    }
    return 0;
}

/* ---- delegation chains (D-TOKEN-7) --------------------------------------- */

/* A parent's own failure, named as the parent's: issuer revocation is
 * PARENT_REVOKED, any other token-format or issuer failure PARENT_INVALID;
 * errors from the lookups themselves pass through. */
static int parent_err(int rc)
{
    if (rc == FCP_ETOKEN_ISSUER_REVOKED)
        return FCP_ETOKEN_PARENT_REVOKED;
    if (rc <= FCP_ETOKEN_TOO_LARGE && rc >= FCP_ETOKEN_TIER)
        return FCP_ETOKEN_PARENT_INVALID;
    return rc;
}

/* Steps 1-8 for a parent token p[0..n) (no audience, checkpoint, grant
 * object or holder checks: those bind the presented token, and the link
 * rules tie it to its parents).  Fills pv (claims, token id, issuer,
 * effective grants). */
static int verify_parent(const uint8_t *p, size_t n, const fcp_token_request *r,
                         const fcp_token_lookup *lk, fcp_token_verified *pv)
{
    fcp_cose_sign1 s;
    fcp_token_claims *c = &pv->claims;
    TRY(parent_err(verify_envelope(p, n, r, lk, &s, pv)));
    if (fcp_token_claims_decode(c, s.payload, s.payload_len) != 0)
        return FCP_ETOKEN_PARENT_INVALID;
    TRY(fcp_token_id(pv->token_id, &s));
    TRY(revoked(lk, FCP_REV_CAPABILITY, pv->token_id, r->now, FCP_ETOKEN_PARENT_REVOKED));
    const uint32_t need = FCP_TC_ISS_NODE | FCP_TC_ZONE | FCP_TC_EXP;
    if ((c->present & need) != need || strcmp(c->iss_node, pv->issuer.node_id) != 0)
        return FCP_ETOKEN_PARENT_INVALID;
    if ((c->present & FCP_TC_DELEGATION) && c->delegation_depth > FCP_TOKEN_MAX_DELEGATION)
        return FCP_ETOKEN_DELEGATION;   /* the limit holds for every token of a chain */
    if (verify_time(c, r) != 0)
        return FCP_ETOKEN_PARENT_TIME;
    if (fcp_token_effective_grants(c, pv->grants, &pv->n_grants) != 0)
        return FCP_ETOKEN_PARENT_INVALID;
    return 0;
}

/* An optional claim the child may add but never change: equal when the
 * parent has it (texts compared as strings, aud_binary as 32 bytes). */
static int same_if_parent_has(uint32_t bit, const fcp_token_claims *ch, const fcp_token_claims *pa,
                              const char *ct, const char *pt, const uint8_t *cb, const uint8_t *pb)
{
    if (!(pa->present & bit))
        return 1;
    if (!(ch->present & bit))
        return 0;
    return ct ? strcmp(ct, pt) == 0 : memcmp(cb, pb, FCP_OBJECT_ID_BYTES) == 0;
}

static int start_of(const fcp_token_claims *c, uint64_t *t)
{
    if (c->present & (FCP_TC_NBF | FCP_TC_IAT)) {
        *t = (c->present & FCP_TC_NBF) ? c->nbf : c->iat;
        if ((c->present & FCP_TC_IAT) && c->iat > *t)
            *t = c->iat;
        return 1;
    }
    return 0;
}

/* The link rules between a verified child and its verified parent. */
static int check_link(const fcp_token_verified *child, const fcp_token_verified *parent)
{
    const fcp_token_claims *ch = &child->claims, *pa = &parent->claims;
    uint64_t cs, ps;
    if (strcmp(ch->zone_id, pa->zone_id) != 0)
        return FCP_ETOKEN_DELEGATION_ZONE;
    if (!same_if_parent_has(FCP_TC_AUD, ch, pa, ch->aud, pa->aud, NULL, NULL) ||
        !same_if_parent_has(FCP_TC_AUD_BINARY, ch, pa, NULL, NULL, ch->aud_binary, pa->aud_binary) ||
        !same_if_parent_has(FCP_TC_INSTANCE, ch, pa, ch->instance_id, pa->instance_id, NULL, NULL))
        return FCP_ETOKEN_DELEGATION_AUDIENCE;
    /* spec §7.5 attenuation: each hop spends exactly one level */
    if (!(ch->present & FCP_TC_DELEGATION) || !(pa->present & FCP_TC_DELEGATION) ||
        pa->delegation_depth == 0 || ch->delegation_depth != pa->delegation_depth - 1)
        return FCP_ETOKEN_DELEGATION_STEP;
    if (ch->exp > pa->exp || (start_of(pa, &ps) && (!start_of(ch, &cs) || cs < ps)))
        return FCP_ETOKEN_DELEGATION_WINDOW;
    if (fcp_cap_grants_subset(child->grants, child->n_grants, parent->grants, parent->n_grants))
        return FCP_ETOKEN_DELEGATION_GRANTS;
    for (size_t i = 0; i < ch->n_grant_object_ids; i++) {
        int found = 0;
        for (size_t j = 0; j < pa->n_grant_object_ids && !found; j++)
            found = memcmp(ch->grant_object_ids[i], pa->grant_object_ids[j], FCP_OBJECT_ID_BYTES) == 0;
        if (!found)
            return FCP_ETOKEN_DELEGATION_GRANT_IDS;
    }
    if ((pa->present & FCP_TC_CONSTRAINTS) &&
        (!(ch->present & FCP_TC_CONSTRAINTS) ||
         fcp_cap_constraints_narrows(&ch->constraints, &pa->constraints) != 0))
        return FCP_ETOKEN_DELEGATION_CONSTRAINTS;
    return 0;
}

static int seen_before(uint8_t (*seen)[FCP_OBJECT_ID_BYTES], size_t n, const uint8_t *id)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(seen[i], id, FCP_OBJECT_ID_BYTES) == 0)
            return 1;
    return 0;
}

/* Step 11b: walk parent_token links from out's token to the root.  On
 * success root_principal holds the root's principal (or is empty when the
 * root names none) and out->n_parents / root_token_id are set.  Depth
 * strictly falls by one per link from at most FCP_TOKEN_MAX_DELEGATION, so
 * a chain has at most FCP_TOKEN_MAX_DELEGATION parents; the loop bound is a
 * second guard. */
static int verify_delegation(const fcp_token_request *r, const fcp_token_lookup *lk,
                             fcp_token_verified *out, char root_principal[FCP_TOKEN_TEXT_MAX + 1])
{
    uint8_t seen[FCP_TOKEN_MAX_DELEGATION + 2][FCP_OBJECT_ID_BYTES];
    size_t n_seen = 1;
    fcp_token_verified *buf = NULL;
    const fcp_token_verified *child = out;
    int rc = 0;
    memcpy(seen[0], out->token_id, FCP_OBJECT_ID_BYTES);
    memcpy(out->root_token_id, out->token_id, FCP_OBJECT_ID_BYTES);
    while (child->claims.present & FCP_TC_PARENT) {
        const fcp_token_claims *ch = &child->claims;
        const uint8_t *pb = NULL;
        size_t pl = 0;
        if (n_seen > FCP_TOKEN_MAX_DELEGATION) {
            rc = FCP_ETOKEN_DELEGATION;
            break;
        }
        if (ch->parent_token_len != FCP_OBJECT_ID_BYTES) {
            rc = FCP_ETOKEN_PARENT_REF;
            break;
        }
        if (seen_before(seen, n_seen, ch->parent_token)) {
            rc = FCP_ETOKEN_DELEGATION_CYCLE;
            break;
        }
        if (!lk->parent_token) {
            rc = FCP_ETOKEN_PARENT_MISSING;
            break;
        }
        rc = lk->parent_token(lk->ctx, ch->parent_token, &pb, &pl);
        if (rc == FCP_ENOENT || (rc == 0 && !pb)) {
            rc = FCP_ETOKEN_PARENT_MISSING;
            break;
        }
        if (rc < 0)
            break;
        if (!buf && !(buf = malloc(2 * sizeof *buf))) {
            rc = FCP_ENOMEM;
            break;
        }
        /* the parent goes into whichever buffer does not hold the child */
        fcp_token_verified *pv = (child == &buf[0]) ? &buf[1] : &buf[0];
        memset(pv, 0, sizeof *pv);
        if ((rc = verify_parent(pb, pl, r, lk, pv)) != 0)
            break;
        if (seen_before(seen, n_seen, pv->token_id)) {
            rc = FCP_ETOKEN_DELEGATION_CYCLE;
            break;
        }
        if (memcmp(pv->token_id, ch->parent_token, FCP_OBJECT_ID_BYTES) != 0) {
            rc = FCP_ETOKEN_PARENT_REF;
            break;
        }
        if ((rc = check_link(child, pv)) != 0)
            break;
        memcpy(seen[n_seen++], pv->token_id, FCP_OBJECT_ID_BYTES);
        child = pv;
    }
    if (rc == 0) {
        const char *p = token_principal(&child->claims);
        out->n_parents = n_seen - 1;
        memcpy(out->root_token_id, child->token_id, FCP_OBJECT_ID_BYTES);
        root_principal[0] = 0;
        if (p)
            memcpy(root_principal, p, strlen(p) + 1);
    }
    free(buf);
    return rc;
}

static int verify_holder(const fcp_token_claims *c, const fcp_token_request *r,
                         const fcp_token_lookup *lk)
{
    uint8_t pk[32];
    if (r->tier < FCP_OP_RISKY)
        return 0;
    if (!(c->present & FCP_TC_HOLDER) || !r->presenter_node || strcmp(r->presenter_node, c->holder_node) != 0)
        return FCP_ETOKEN_HOLDER_NODE;
    if (!r->holder_sig || !r->request_id || !r->operation || !(c->present & FCP_TC_CTI))
        return FCP_ETOKEN_HOLDER_PROOF_MISSING;
    if (!lk->node_key || lk->node_key(lk->ctx, c->holder_node, pk))
        return FCP_ETOKEN_HOLDER_PROOF;
    return fcp_holder_proof_verify(r->holder_sig, r->request_id, r->operation, c->cti, c->cti_len, pk);
}

static int verify(const uint8_t *p, size_t n, const fcp_token_request *r, const fcp_token_lookup *lk,
                  fcp_token_verified *out)
{
    fcp_cose_sign1 s;
    fcp_token_claims *c = &out->claims;
    /* 1-4 */
    TRY(verify_envelope(p, n, r, lk, &s, out));
    /* 5 */
    TRY(fcp_token_claims_decode(c, s.payload, s.payload_len));
    /* 6 */
    TRY(fcp_token_id(out->token_id, &s));
    TRY(revoked(lk, FCP_REV_CAPABILITY, out->token_id, r->now, FCP_ETOKEN_REVOKED));
    /* 7 */
    const uint32_t need = FCP_TC_ISS_NODE | FCP_TC_ZONE | FCP_TC_EXP;
    if ((c->present & need) != need)
        return FCP_ETOKEN_MISSING_CLAIM;
    if (r->tier >= FCP_OP_RISKY && !(c->present & FCP_TC_CTI))
        return FCP_ETOKEN_MISSING_CLAIM;
    if (strcmp(c->iss_node, out->issuer.node_id) != 0)
        return FCP_ETOKEN_ISS_NODE;
    if ((c->present & FCP_TC_DELEGATION) && c->delegation_depth > FCP_TOKEN_MAX_DELEGATION)
        return FCP_ETOKEN_DELEGATION;
    /* 8 */
    TRY(verify_time(c, r));
    /* 9 */
    if (r->audience && (!(c->present & FCP_TC_AUD) || strcmp(c->aud, r->audience) != 0))
        return FCP_ETOKEN_AUDIENCE;
    if (r->zone_id && strcmp(c->zone_id, r->zone_id) != 0)
        return FCP_ETOKEN_ZONE;
    if (c->present & FCP_TC_AUD_BINARY) {
        if (r->aud_binary && memcmp(c->aud_binary, r->aud_binary, 32) != 0)
            return FCP_ETOKEN_AUD_BINARY;
        if (!r->aud_binary && r->tier >= FCP_OP_RISKY)
            return FCP_ETOKEN_AUD_BINARY;
    } else if (r->tier >= FCP_OP_RISKY) {
        return FCP_ETOKEN_AUD_BINARY; /* NORMATIVE for Risky/Dangerous (§7.5) */
    }
    /* 10 */
    TRY(verify_checkpoint(c, r, lk));
    /* 11 */
    TRY(fcp_token_effective_grants(c, out->grants, &out->n_grants));
    if (r->tier >= FCP_OP_FORBIDDEN)
        return FCP_ETOKEN_TIER;
    if (r->operation) {
        int ok = 0;
        for (size_t i = 0; i < out->n_grants && !ok; i++)
            ok = !out->grants[i].has_operation || strcmp(out->grants[i].operation, r->operation) == 0;
        if (!ok)
            return FCP_EOP_NOT_GRANTED;
    }
    /* 11b */
    char root_principal[FCP_TOKEN_TEXT_MAX + 1];
    TRY(verify_delegation(r, lk, out, root_principal));
    /* 12 */
    TRY(verify_grants(c, r, lk, out->grants, out->n_grants,
                      out->n_parents ? (root_principal[0] ? root_principal : NULL)
                                     : token_principal(c)));
    /* 13 */
    return verify_holder(c, r, lk);
}

int fcp_token_verify(const uint8_t *p, size_t n, const fcp_token_request *r,
                     const fcp_token_lookup *lk, fcp_token_verified *out)
{
    memset(out, 0, sizeof *out);
    int rc = verify(p, n, r, lk, out);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int fcp_token_verify_signature(const uint8_t *p, size_t n, const uint8_t iss_pk[32],
                               fcp_token_claims *claims)
{
    fcp_cose_sign1 s;
    uint8_t kid[FCP_KID_BYTES];
    TRY(fcp_cose_sign1_decode(&s, p, n));
    fcp_key_id(kid, iss_pk);
    if (memcmp(kid, s.kid, FCP_KID_BYTES) != 0)
        return FCP_ETOKEN_KID_MISMATCH;
    TRY(sig_verify(s.protected_hdr, s.protected_len, s.payload, s.payload_len, s.signature, iss_pk));
    return fcp_token_claims_decode(claims, s.payload, s.payload_len);
}
