/*
 * authz_token.h - CapabilityToken (spec §7.5, §7.5.1): CWT claims inside an
 * untagged COSE_Sign1, minted by a node's issuance key and verified in a
 * fixed order.
 *
 *   token     = [protected: bstr(a2 01 27 04 48 <kid>), unprotected: {},
 *                payload: bstr(canonical claims map), signature: bstr(64)]
 *               (tag 18 accepted on decode, never emitted)
 *   kid       = BLAKE3("fcp.kid.v2" || node_iss_pubkey)[0..8]
 *   signature = Ed25519(cbor(["Signature1", protected, h'', payload]))
 *
 * Claim labels (D-TOKEN-1): RFC 8392 iss 1, sub 2, aud 3, exp 4, nbf 5,
 * iat 6, cti 7 (the spec's jti); FCP private labels from the reference
 * implementation: capability_id -65537, zone_id -65538 (the spec's
 * iss_zone), operations -65539, principal_id -65540, delegation_depth
 * -65541, parent_token -65542, iss_node -65543, aud_binary -65544,
 * grant_object_ids -65545, holder_node -65546, chk_id -65547, chk_seq
 * -65548 (the spec's rev_head/rev_seq binding), constraints -65549 (the
 * spec's attenuation), grants -65550 (the spec's caps), instance_id -65551,
 * schema_version -65552 (= 1).
 *
 * Verification order (fcp_token_verify; each step its own error):
 *   1 size and COSE structure, alg, kid          FCP_ETOKEN_TOO_LARGE..HEADER
 *   2 issuer attestation by kid, owner-verified  UNKNOWN_ISSUER, ISSUER_ATTESTATION, KID_MISMATCH
 *   3 issuer revocation (issuance key in scope IssuerKey, the node's
 *     signing key in scope NodeAttestation)      ISSUER_REVOKED
 *   4 signature (before any claim is read)       SIGNATURE
 *   5 claims decode                              CLAIMS, CLAIM_UNKNOWN, SCHEMA_VERSION
 *   6 token revocation                           REVOKED
 *   7 required claims, iss_node, delegation      MISSING_CLAIM, ISS_NODE, DELEGATION
 *   8 time: nbf, iat, exp (with skew), lifetime  NOT_YET_VALID, IAT_FUTURE, FCP_ETOKEN_EXPIRED, LIFETIME
 *   9 audience, zone, aud_binary                 AUDIENCE, ZONE, AUD_BINARY
 *  10 checkpoint binding                         CHECKPOINT, CHECKPOINT_AHEAD
 *  11 requested operation                        FCP_EOP_NOT_GRANTED, TIER
 * 11b delegation chain (D-TOKEN-7), when parent_token is present, link by
 *     link up to the root: parent fetched by id (PARENT_MISSING, PARENT_REF,
 *     DELEGATION_CYCLE), verified as steps 1-8 (PARENT_INVALID,
 *     PARENT_REVOKED, PARENT_TIME), then the link: zone (DELEGATION_ZONE),
 *     aud / aud_binary / instance_id (DELEGATION_AUDIENCE), depth = parent's
 *     - 1 (DELEGATION_STEP), validity inside the parent's
 *     (DELEGATION_WINDOW), grants and grant_object_ids subsets
 *     (DELEGATION_GRANTS, DELEGATION_GRANT_IDS), constraints narrowing
 *     (DELEGATION_CONSTRAINTS)
 *  12 grant objects: fetch, owner signature, window, revocation, grantee
 *     (the chain root's principal for a delegated token), caps subset,
 *     attenuation                                NO_GRANTS .. ATTENUATION_WIDENS
 *  13 holder binding and proof (Risky/Dangerous) HOLDER_NODE, HOLDER_PROOF_MISSING, HOLDER_PROOF
 *
 * Everything a verifier needs from the node (attestations, grant objects,
 * revocation state, checkpoints, holder keys) comes through fcp_token_lookup,
 * so the store can back it.  Pure and sans-IO: time is a parameter.
 */
#ifndef FCP_AUTHZ_TOKEN_H
#define FCP_AUTHZ_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_attest.h"
#include "fcp/model_cap.h"

#define FCP_TOKEN_MAX_BYTES        65536
#define FCP_TOKEN_SCHEMA_VERSION   1
#define FCP_TOKEN_TEXT_MAX         256   /* iss, sub, aud, node ids, principal */
#define FCP_TOKEN_MAX_OPS          32
#define FCP_TOKEN_MAX_GRANT_IDS    16
#define FCP_TOKEN_CTI_MAX          64
#define FCP_TOKEN_CHK_ID_MAX       32
#define FCP_TOKEN_PARENT_MAX       64
#define FCP_TOKEN_MAX_DELEGATION   8
#define FCP_TOKEN_DEFAULT_TTL      300u  /* spec §7.5 DEFAULT_TTL_SECS */
#define FCP_TOKEN_DEFAULT_SKEW     60u
#define FCP_HOLDER_PROOF_DOMAIN    "FCP2-HOLDER-PROOF-V1"

/* Claim labels (D-TOKEN-1). */
enum fcp_token_label {
    FCP_CLAIM_ISS = 1, FCP_CLAIM_SUB = 2, FCP_CLAIM_AUD = 3, FCP_CLAIM_EXP = 4, FCP_CLAIM_NBF = 5,
    FCP_CLAIM_IAT = 6, FCP_CLAIM_CTI = 7,
    FCP_CLAIM_CAPABILITY_ID = -65537, FCP_CLAIM_ZONE_ID = -65538, FCP_CLAIM_OPERATIONS = -65539,
    FCP_CLAIM_PRINCIPAL_ID = -65540, FCP_CLAIM_DELEGATION_DEPTH = -65541,
    FCP_CLAIM_PARENT_TOKEN = -65542, FCP_CLAIM_ISS_NODE = -65543, FCP_CLAIM_AUD_BINARY = -65544,
    FCP_CLAIM_GRANT_OBJECT_IDS = -65545, FCP_CLAIM_HOLDER_NODE = -65546, FCP_CLAIM_CHK_ID = -65547,
    FCP_CLAIM_CHK_SEQ = -65548, FCP_CLAIM_CONSTRAINTS = -65549, FCP_CLAIM_GRANTS = -65550,
    FCP_CLAIM_INSTANCE_ID = -65551, FCP_CLAIM_SCHEMA_VERSION = -65552
};

/* Presence bits of fcp_token_claims.present. */
#define FCP_TC_ISS        (1u << 0)
#define FCP_TC_SUB        (1u << 1)
#define FCP_TC_AUD        (1u << 2)
#define FCP_TC_EXP        (1u << 3)
#define FCP_TC_NBF        (1u << 4)
#define FCP_TC_IAT        (1u << 5)
#define FCP_TC_CTI        (1u << 6)
#define FCP_TC_CAPABILITY (1u << 7)
#define FCP_TC_ZONE       (1u << 8)
#define FCP_TC_OPERATIONS (1u << 9)
#define FCP_TC_PRINCIPAL  (1u << 10)
#define FCP_TC_DELEGATION (1u << 11)
#define FCP_TC_PARENT     (1u << 12)
#define FCP_TC_ISS_NODE   (1u << 13)
#define FCP_TC_AUD_BINARY (1u << 14)
#define FCP_TC_GRANT_IDS  (1u << 15)
#define FCP_TC_HOLDER     (1u << 16)
#define FCP_TC_CHK_ID     (1u << 17)
#define FCP_TC_CHK_SEQ    (1u << 18)
#define FCP_TC_CONSTRAINTS (1u << 19)
#define FCP_TC_GRANTS     (1u << 20)
#define FCP_TC_INSTANCE   (1u << 21)
#define FCP_TC_SCHEMA     (1u << 22)

/* The claims.  A field is meaningful only when its FCP_TC_* bit is set;
 * texts are NUL-terminated UTF-8; lists are never empty when present. */
typedef struct fcp_token_claims {
    uint32_t present;
    char     iss[FCP_TOKEN_TEXT_MAX + 1];
    char     sub[FCP_TOKEN_TEXT_MAX + 1];
    char     aud[FCP_TOKEN_TEXT_MAX + 1];
    uint64_t exp, nbf, iat;
    size_t   cti_len;
    uint8_t  cti[FCP_TOKEN_CTI_MAX];
    char     capability_id[FCP_CAP_ID_MAX + 1];
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    size_t   n_operations;
    char     operations[FCP_TOKEN_MAX_OPS][FCP_CAP_ID_MAX + 1];
    char     principal_id[FCP_TOKEN_TEXT_MAX + 1];
    uint64_t delegation_depth;
    size_t   parent_token_len;
    uint8_t  parent_token[FCP_TOKEN_PARENT_MAX];
    char     iss_node[FCP_TOKEN_TEXT_MAX + 1];
    uint8_t  aud_binary[FCP_OBJECT_ID_BYTES];
    size_t   n_grant_object_ids;
    uint8_t  grant_object_ids[FCP_TOKEN_MAX_GRANT_IDS][FCP_OBJECT_ID_BYTES];
    char     holder_node[FCP_TOKEN_TEXT_MAX + 1];
    size_t   chk_id_len;
    uint8_t  chk_id[FCP_TOKEN_CHK_ID_MAX];
    uint64_t chk_seq;
    fcp_cap_constraints constraints;
    size_t   n_grants;
    fcp_cap_grant grants[FCP_CAP_MAX_GRANTS];
    char     instance_id[FCP_TOKEN_TEXT_MAX + 1];
    uint64_t schema_version;
} fcp_token_claims;

/* Zero the claims (no claim present). */
void fcp_token_claims_init(fcp_token_claims *c);
/* Setters for text claims: copy s (NUL-terminated) and set the bit;
 * FCP_ETOO_LARGE if it does not fit, FCP_ECBOR_UTF8 if not UTF-8. */
int fcp_token_claims_set_text(fcp_token_claims *c, int label, const char *s);
/* Append an operation (FCP_ELIMIT when full). */
int fcp_token_claims_add_operation(fcp_token_claims *c, const char *op);

/* Canonical CBOR claims map of exactly the present claims (no synthesis). */
int fcp_token_claims_encode(const fcp_token_claims *c, fcp_buf *out);
/* Strict decode: canonical integer-keyed map, known labels only
 * (FCP_ETOKEN_CLAIM_UNKNOWN), typed values and limits (FCP_ETOKEN_CLAIMS),
 * schema_version == 1 when present (FCP_ETOKEN_SCHEMA_VERSION).  *c zeroed
 * on error. */
int fcp_token_claims_decode(fcp_token_claims *c, const uint8_t *p, size_t n);

/* The grants a token confers: its `grants` claim when present, else one
 * {capability_id, op} per operation, or {capability_id} when it has no
 * operations.  Fills out[0..*n) (cap FCP_CAP_MAX_GRANTS, FCP_ELIMIT);
 * FCP_ETOKEN_MISSING_CLAIM if the token has neither grants nor
 * capability_id. */
int fcp_token_effective_grants(const fcp_token_claims *c, fcp_cap_grant *out, size_t *n);

/* Decoded COSE_Sign1 envelope; pointers into the caller's token bytes. */
typedef struct fcp_cose_sign1 {
    const uint8_t *protected_hdr;   /* the protected bstr contents */
    size_t         protected_len;
    uint8_t        kid[FCP_KID_BYTES];
    const uint8_t *payload;
    size_t         payload_len;
    const uint8_t *signature;       /* 64 bytes */
    int            tagged;          /* the input carried tag 18 */
} fcp_cose_sign1;

/* Strictly decode the envelope (step 1).  Errors FCP_ETOKEN_TOO_LARGE,
 * FCP_ETOKEN_COSE, FCP_ETOKEN_ALG, FCP_ETOKEN_KID, FCP_ETOKEN_HEADER. */
int fcp_cose_sign1_decode(fcp_cose_sign1 *s, const uint8_t *p, size_t n);

/* Append cbor(["Signature1", protected, h'', payload]) to out. */
int fcp_cose_sig_structure(const uint8_t *protected_hdr, size_t plen, const uint8_t *payload,
                           size_t len, fcp_buf *out);

/* Mint: synthesize schema_version = 1 when absent and aud = zone_id when aud
 * is absent and zone_id present (as the reference's CoseToken::sign), encode
 * the claims, sign with the 64-byte issuance secret key, and append the
 * untagged COSE_Sign1 to out.  FCP_ETOKEN_TOO_LARGE if it would exceed
 * FCP_TOKEN_MAX_BYTES. */
int fcp_token_mint(const fcp_token_claims *c, const uint8_t iss_sk[64], fcp_buf *out);

/* The token's id for revocation: fcp_content_id over the untagged encoding
 * (so a tag-18 copy has the same id; D-TOKEN-4). */
int fcp_token_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_cose_sign1 *s);

/* Holder proof (spec §7.5.1 via the reference's rule):
 *   "FCP2-HOLDER-PROOF-V1" || u32le(len) || request_id || u32le(len) ||
 *   operation_id || u32le(len) || token_jti,   Ed25519 by the holder node. */
int fcp_holder_proof_bytes(const char *request_id, const char *operation_id, const uint8_t *jti,
                           size_t jti_len, fcp_buf *out);
int fcp_holder_proof_sign(uint8_t sig[64], const char *request_id, const char *operation_id,
                          const uint8_t *jti, size_t jti_len, const uint8_t holder_sk[64]);
/* 0 or FCP_ETOKEN_HOLDER_PROOF. */
int fcp_holder_proof_verify(const uint8_t sig[64], const char *request_id,
                            const char *operation_id, const uint8_t *jti, size_t jti_len,
                            const uint8_t holder_pk[32]);

/* A grant object as the node's store hands it over. */
typedef struct fcp_token_grant_ref {
    const fcp_cap_object *obj;   /* decoded object, valid during the verify call */
    int preverified;             /* 1: the store already checked the owner signature */
} fcp_token_grant_ref;

/* An issuer attestation as the node's store hands it over. */
typedef struct fcp_token_issuer_ref {
    const fcp_node_attestation *att; /* valid during the verify call */
    int preverified;                 /* 1: owner signature already checked (time is
                                        still checked on every verify) */
} fcp_token_issuer_ref;

/* Node lookups.  Each returns 0 on success or a negative error; FCP_ENOENT
 * means "not known" (mapped to the step's own error). */
typedef struct fcp_token_lookup {
    void *ctx;
    /* The attestation whose node_iss_pubkey has key id kid. */
    int (*issuer_by_kid)(void *ctx, const uint8_t kid[FCP_KID_BYTES], fcp_token_issuer_ref *ref);
    /* The CapabilityObject with this id. */
    int (*grant_object)(void *ctx, const uint8_t id[FCP_OBJECT_ID_BYTES], fcp_token_grant_ref *ref);
    /* 1 if id is revoked in scope at now, 0 if not, or a negative error. */
    int (*is_revoked)(void *ctx, enum fcp_rev_scope scope, const uint8_t id[32], uint64_t now);
    /* The verifier's checkpoint for zone: its seq, and the checkpoint id at
     * seq `at` (if known; *id_len 0 when not). */
    int (*checkpoint)(void *ctx, const char *zone, uint64_t at, uint64_t *our_seq, uint8_t *id,
                      size_t *id_len);
    /* Ed25519 signing key of a node (holder proofs). */
    int (*node_key)(void *ctx, const char *node_id, uint8_t pk[32]);
    /* 1 if principal carries tag (Grantee::Tag); NULL = never. */
    int (*principal_has_tag)(void *ctx, const char *principal, const char *tag);
    /* The encoded token (COSE_Sign1 bytes, valid during the verify call)
     * whose token id (fcp_token_id) is id: the parent of a delegated token
     * (D-TOKEN-7).  NULL = no delegated token verifies
     * (FCP_ETOKEN_PARENT_MISSING). */
    int (*parent_token)(void *ctx, const uint8_t id[FCP_OBJECT_ID_BYTES], const uint8_t **bytes,
                        size_t *len);
} fcp_token_lookup;

/* What the verifier is asked to accept. */
typedef struct fcp_token_request {
    uint64_t now;                   /* Unix seconds */
    uint32_t skew_secs;             /* allowed clock skew (FCP_TOKEN_DEFAULT_SKEW) */
    uint64_t max_lifetime_secs;     /* 0 = no maximum */
    const uint8_t *owner_pk;        /* 32 bytes: signs attestations and grant objects */
    const char *audience;           /* connector id; NULL = not checked */
    const char *zone_id;            /* expected zone; NULL = not checked */
    const uint8_t *aud_binary;      /* connector binary ObjectId (32) or NULL */
    enum fcp_op_tier tier;
    const char *operation;          /* requested operation; NULL = not checked */
    const char *presenter_node;     /* node presenting the token (holder check) */
    const char *request_id;         /* holder proof inputs */
    const uint8_t *holder_sig;      /* 64 bytes or NULL */
    const fcp_object_id_key *oid_key; /* if set, each grant object's id is re-derived
                                         and must equal the listed id */
} fcp_token_request;

/* Result of a successful verification. */
typedef struct fcp_token_verified {
    fcp_token_claims      claims;
    uint8_t               token_id[FCP_OBJECT_ID_BYTES];
    fcp_node_attestation  issuer;
    size_t                n_grants;
    fcp_cap_grant         grants[FCP_CAP_MAX_GRANTS];
    size_t                n_parents;       /* delegation links verified (0: not delegated) */
    uint8_t               root_token_id[FCP_OBJECT_ID_BYTES]; /* chain root (= token_id when not delegated) */
} fcp_token_verified;

/* Set defaults in r: skew FCP_TOKEN_DEFAULT_SKEW, tier Safe, everything
 * else zero / NULL. */
void fcp_token_request_init(fcp_token_request *r, uint64_t now, const uint8_t owner_pk[32]);

/* Verify token p[0..n) for request r with lookups lk, in the order above.
 * 0 and *out filled, or the first failing step's error (out zeroed). */
int fcp_token_verify(const uint8_t *p, size_t n, const fcp_token_request *r,
                     const fcp_token_lookup *lk, fcp_token_verified *out);

/* Signature-only check with a known issuance key (no lookups): steps 1, 4
 * and 5.  Used by tools and the interop oracle. */
int fcp_token_verify_signature(const uint8_t *p, size_t n, const uint8_t iss_pk[32],
                               fcp_token_claims *claims);

#endif
