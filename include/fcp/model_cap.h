/*
 * model_cap.h - capability objects (spec §7.2-§7.4, §7.6; review Change 6):
 * CapabilityConstraints, NetworkConstraints, CredentialObject,
 * CapabilityObject, RoleObject and RoleAssignment.
 *
 * Encoding (D-MODEL-6 with D-CAP-1..5): each struct is a canonical CBOR map
 * keyed by its field names; None is an absent key; in CapabilityConstraints
 * and NetworkConstraints an empty list is an absent key too (upstream's
 * serde skip, reproduced byte for byte by the policy.json fixtures that
 * agree with the spec), so every value has exactly one encoding and the
 * decoder rejects a present-but-empty list.  Signed objects are signed per
 * model_sign.h (D-MODEL-7) by the owner key under the schema ids below.
 *
 * All structs are fixed-size values with named capacity limits: nothing is
 * allocated, and decoders check every count before use.  Strings are stored
 * NUL-terminated.  Pure: no clock, no I/O.
 */
#ifndef FCP_MODEL_CAP_H
#define FCP_MODEL_CAP_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_ids.h"
#include "fcp/model_object.h"

/* ---- limits ------------------------------------------------------------ */
#define FCP_CAP_ID_MAX          128  /* CapabilityId / OperationId / CredentialId / RoleId bytes */
#define FCP_CAP_PREFIX_MAX      256  /* one resource URI prefix */
#define FCP_CAP_MAX_PREFIXES    16   /* resource_allow / resource_deny entries */
#define FCP_CAP_MAX_CREDENTIALS 8    /* credential_allow entries */
#define FCP_NET_HOST_MAX        253  /* one host pattern */
#define FCP_NET_MAX_HOSTS       16
#define FCP_NET_MAX_PORTS       16
#define FCP_NET_MAX_IPS         16
#define FCP_NET_MAX_CIDRS       16
#define FCP_NET_CIDR_MAX        43   /* "ffff:...:ffff/128" */
#define FCP_NET_MAX_PINS        8
#define FCP_NET_PIN_MAX         44   /* base64 of a SHA-256 */
#define FCP_NET_DEFAULT_CIDRS   7    /* the spec's default cidr_deny entries */
#define FCP_CAP_MAX_GRANTS      32   /* CapabilityGrant lists (roles, tokens) */
#define FCP_CAP_MAX_PLACEMENT   8    /* entries per placement list */
#define FCP_CAP_PLACEMENT_ITEM_MAX 256 /* bytes of one raw placement item */
#define FCP_ROLE_MAX_PARENTS    8
#define FCP_ROLE_MAX_DEPTH      16   /* inheritance chain length */
#define FCP_CRED_MAX_HOSTS      16
#define FCP_CRED_NAME_MAX       128  /* header / query parameter name */
#define FCP_CRED_PREFIX_MAX     64
#define FCP_CAP_MAX_ENCODED     (64 * 1024)

/* Revocation scopes (spec §14.3 RevocationScope), also used as the scope
 * argument of the is_revoked lookup. */
enum fcp_rev_scope {
    FCP_REV_CAPABILITY = 0, FCP_REV_ISSUER_KEY = 1, FCP_REV_NODE_ATTESTATION = 2,
    FCP_REV_ZONE_KEY = 3, FCP_REV_CONNECTOR_BINARY = 4
};
#define FCP_REV_SCOPE_COUNT 5

/* Safety tiers of an operation (spec §7.2 SafetyTier; named fcp_op_tier
 * because authz_zone.h uses fcp_safety_tier for quorum classes). */
enum fcp_op_tier { FCP_OP_SAFE = 0, FCP_OP_RISKY = 1, FCP_OP_DANGEROUS = 2,
                   FCP_OP_FORBIDDEN = 3 };

/* ---- NetworkConstraints (spec §7.3) ------------------------------------- */
typedef struct fcp_net_constraints {
    size_t   n_host_allow;
    char     host_allow[FCP_NET_MAX_HOSTS][FCP_NET_HOST_MAX + 1]; /* "api.x.com" exact, "*.x.com" suffix */
    size_t   n_port_allow;
    uint16_t port_allow[FCP_NET_MAX_PORTS];   /* strictly ascending, no 0; empty = any port */
    size_t   n_ip_allow;
    char     ip_allow[FCP_NET_MAX_IPS][FCP_NET_CIDR_MAX + 1];     /* textual IPv4/IPv6 */
    size_t   n_cidr_deny;
    char     cidr_deny[FCP_NET_MAX_CIDRS][FCP_NET_CIDR_MAX + 1];
    uint8_t  deny_localhost;       /* spec default 1 */
    uint8_t  deny_private_ranges;  /* spec default 1 */
    uint8_t  deny_tailnet_ranges;  /* spec default 1 */
    uint8_t  require_sni;
    size_t   n_spki_pins;
    char     spki_pins[FCP_NET_MAX_PINS][FCP_NET_PIN_MAX + 1];
    uint32_t connect_timeout_ms;   /* required, > 0 (D-CAP-2) */
    uint32_t total_timeout_ms;     /* required, >= connect_timeout_ms */
} fcp_net_constraints;

/* Fill n with the spec defaults: no hosts, any port, the NORMATIVE default
 * cidr_deny list (127.0.0.0/8, ::1/128, 169.254.0.0/16, 10.0.0.0/8,
 * 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10), all three deny_* true,
 * require_sni true, connect 10 s, total 30 s. */
void fcp_net_constraints_default(fcp_net_constraints *n);

/* Check n: hosts are lowercase DNS names or "*." + name, ports ascending
 * non-zero, addresses and CIDRs parse, pins are 44-char base64.  0,
 * FCP_ECAP_NETWORK_NO_TIMEOUT (a timeout is 0 or connect > total), or
 * FCP_ECAP_NETWORK. */
int fcp_net_constraints_validate(const fcp_net_constraints *n);

/* The per-entry rules of fcp_net_constraints_validate, for other places that
 * accept the same strings (connector manifests, D-MANIFEST-6): a host_allow
 * pattern (lowercase DNS name of LDH labels 1..63 bytes without a leading or
 * trailing '-', optionally "*." + such a name, at most FCP_NET_HOST_MAX
 * bytes) and an SPKI pin (base64 of a SHA-256: 43 characters of
 * [A-Za-z0-9+/] and '=').  0 or FCP_ECAP_NETWORK. */
int fcp_net_host_pattern_validate(const char *s, size_t n);
int fcp_net_pin_validate(const char *s, size_t n);

/* 1 if host (lowercase, no trailing dot) matches one host_allow pattern:
 * exact, or "*.suffix" matching any name ending in ".suffix". */
int fcp_net_host_allowed(const fcp_net_constraints *n, const char *host);

/* ---- CapabilityConstraints (spec §7.3, Change 6) ------------------------ */
typedef struct fcp_cap_constraints {
    size_t   n_resource_allow;          /* empty = any resource */
    char     resource_allow[FCP_CAP_MAX_PREFIXES][FCP_CAP_PREFIX_MAX + 1];
    size_t   n_resource_deny;
    char     resource_deny[FCP_CAP_MAX_PREFIXES][FCP_CAP_PREFIX_MAX + 1];
    int      has_max_calls;
    uint32_t max_calls;
    int      has_max_bytes;
    uint64_t max_bytes;
    int      has_idempotency_scope;
    char     idempotency_scope[FCP_CAP_ID_MAX + 1];
    int      has_network;
    fcp_net_constraints network;
    size_t   n_credential_allow;        /* empty = no credential may be injected */
    char     credential_allow[FCP_CAP_MAX_CREDENTIALS][FCP_CAP_ID_MAX + 1];
} fcp_cap_constraints;

/* Check c (strings printable, lists within limits and sorted-unique where
 * they are sets, network valid).  0, FCP_ECAP_OBJECT or network errors. */
int fcp_cap_constraints_validate(const fcp_cap_constraints *c);
/* Canonical CBOR map (validates first). */
int fcp_cap_constraints_encode(const fcp_cap_constraints *c, fcp_buf *out);
/* Strict decode of one map from p[0..n); *c zeroed on error.  Errors:
 * FCP_ECBOR_*, FCP_EUNKNOWN_FIELD, FCP_ECAP_OBJECT (empty list present,
 * wrong type), FCP_ELIMIT, validate errors. */
int fcp_cap_constraints_decode(fcp_cap_constraints *c, const uint8_t *p, size_t n);
struct fcp_cbor_enc;
struct fcp_cbor_dec;
int fcp_cap_constraints_encode_to(const fcp_cap_constraints *c, struct fcp_cbor_enc *e);
int fcp_cap_constraints_decode_from(fcp_cap_constraints *c, struct fcp_cbor_dec *d);

/* ---- CapabilityGrant (spec §7.5) ----------------------------------------- */
typedef struct fcp_cap_grant {
    char capability[FCP_CAP_ID_MAX + 1];
    int  has_operation;
    char operation[FCP_CAP_ID_MAX + 1];
} fcp_cap_grant;

/* ---- CredentialObject (Change 6) ---------------------------------------- */
enum fcp_cred_apply_kind { FCP_CRED_HTTP_HEADER = 0, FCP_CRED_QUERY_PARAM = 1 };
enum fcp_cred_format_kind { FCP_CRED_RAW = 0, FCP_CRED_PREFIX = 1 };

typedef struct fcp_credential_object {
    fcp_object_header header;
    char     credential_id[FCP_CAP_ID_MAX + 1];  /* "cred:..." */
    char     secret_id[FCP_CAP_ID_MAX + 1];
    enum fcp_cred_apply_kind apply;
    char     name[FCP_CRED_NAME_MAX + 1];        /* header or parameter name */
    enum fcp_cred_format_kind format;
    char     prefix[FCP_CRED_PREFIX_MAX + 1];    /* FCP_CRED_PREFIX only */
    size_t   n_host_allow;                       /* empty = no host binding */
    char     host_allow[FCP_CRED_MAX_HOSTS][FCP_NET_HOST_MAX + 1];
    uint64_t created_at;
    uint8_t  signature[64];
} fcp_credential_object;

void fcp_credential_schema(fcp_schema_id *s);
int fcp_credential_validate(const fcp_credential_object *c);
int fcp_credential_encode_unsigned(const fcp_credential_object *c, fcp_buf *out);
int fcp_credential_encode(const fcp_credential_object *c, fcp_buf *out);
int fcp_credential_decode(fcp_credential_object *c, const uint8_t *p, size_t n);
int fcp_credential_sign(fcp_credential_object *c, const uint8_t owner_sk[64]);
/* 0 or FCP_EBAD_SIGNATURE (after validate errors). */
int fcp_credential_verify(const fcp_credential_object *c, const uint8_t owner_pk[32]);

/* The egress rule (Change 6): credential_id must be in the constraints'
 * credential_allow (FCP_ECAP_CREDENTIAL_NOT_ALLOWED) and, when the credential
 * has host_allow, host must match one entry (FCP_ECAP_HOST_NOT_ALLOWED). */
int fcp_credential_check_use(const fcp_cap_constraints *c, const fcp_credential_object *cred,
                             const char *host);

/* Render the value to inject: for RAW the secret as is, for PREFIX
 * prefix || secret.  Appends to out (caller wipes it with fcp_buf_free_secret). */
int fcp_credential_render(const fcp_credential_object *c, const uint8_t *secret, size_t secret_len,
                          fcp_buf *out);

/* ---- CapabilityObject (spec §7.3, §7.4) ---------------------------------- */
enum fcp_grantee_kind { FCP_GRANTEE_PRINCIPAL = 0, FCP_GRANTEE_ZONE = 1, FCP_GRANTEE_TAG = 2,
                        FCP_GRANTEE_BEARER = 3 };

/* PlacementPolicy: requires/prefers/excludes are carried as canonical CBOR
 * items (validated, not interpreted here; D-CAP-4), zones as ZoneIds. */
typedef struct fcp_cap_placement_item {
    size_t  len;
    uint8_t cbor[FCP_CAP_PLACEMENT_ITEM_MAX];
} fcp_cap_placement_item;

typedef struct fcp_cap_placement {
    size_t n_requires, n_prefers, n_excludes, n_zones;
    fcp_cap_placement_item requires[FCP_CAP_MAX_PLACEMENT];
    fcp_cap_placement_item prefers[FCP_CAP_MAX_PLACEMENT];
    fcp_cap_placement_item excludes[FCP_CAP_MAX_PLACEMENT];
    char zones[FCP_CAP_MAX_PLACEMENT][FCP_ZONE_ID_MAX + 1];
} fcp_cap_placement;

typedef struct fcp_cap_object {
    fcp_object_header   header;
    char                capability_id[FCP_CAP_ID_MAX + 1];
    enum fcp_grantee_kind grantee;
    char                grantee_value[FCP_CAP_ID_MAX + 1];  /* principal, zone or tag; "" for Bearer */
    fcp_cap_constraints constraints;
    fcp_cap_placement   placement;
    uint64_t            valid_from;
    uint64_t            valid_until;
    uint8_t             signature[64];
} fcp_cap_object;

void fcp_cap_object_schema(fcp_schema_id *s);
/* 0, FCP_ECAP_OBJECT, FCP_ECAP_WINDOW, constraint / header errors. */
int fcp_cap_object_validate(const fcp_cap_object *o);
int fcp_cap_object_encode_unsigned(const fcp_cap_object *o, fcp_buf *out);
int fcp_cap_object_encode(const fcp_cap_object *o, fcp_buf *out);
/* Strict decode; *o zeroed on error.  FCP_ETOO_LARGE above FCP_CAP_MAX_ENCODED. */
int fcp_cap_object_decode(fcp_cap_object *o, const uint8_t *p, size_t n);
int fcp_cap_object_sign(fcp_cap_object *o, const uint8_t owner_sk[64]);
int fcp_cap_object_verify(const fcp_cap_object *o, const uint8_t owner_pk[32]);
/* The object's id, the one tokens list in grant_object_ids: the keyed
 * ObjectId (fcp_object_id) of its full canonical encoding under the zone of
 * its header and its schema (D-CAP-5). */
int fcp_cap_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_cap_object *o,
                      const fcp_object_id_key *key);

/* ---- RoleObject / RoleAssignment (spec §7.6; D-CAP-3) -------------------- */
typedef struct fcp_role_object {
    fcp_object_header header;
    char     role_id[FCP_CAP_ID_MAX + 1];                    /* "role:..." */
    size_t   n_grants;
    fcp_cap_grant grants[FCP_CAP_MAX_GRANTS];                /* sorted, unique */
    int      has_constraints;
    fcp_cap_constraints constraints;
    size_t   n_inherits;
    char     inherits[FCP_ROLE_MAX_PARENTS][FCP_CAP_ID_MAX + 1]; /* parent role ids, sorted */
    uint8_t  signature[64];
} fcp_role_object;

typedef struct fcp_role_assignment {
    fcp_object_header header;
    char     role_id[FCP_CAP_ID_MAX + 1];
    char     principal[FCP_CAP_ID_MAX + 1];
    uint64_t valid_from;
    uint64_t valid_until;
    int      has_constraints;                                /* further narrowing */
    fcp_cap_constraints constraints;
    uint8_t  signature[64];
} fcp_role_assignment;

void fcp_role_schema(fcp_schema_id *s);
void fcp_role_assignment_schema(fcp_schema_id *s);
int fcp_role_validate(const fcp_role_object *r);
int fcp_role_encode_unsigned(const fcp_role_object *r, fcp_buf *out);
int fcp_role_encode(const fcp_role_object *r, fcp_buf *out);
int fcp_role_decode(fcp_role_object *r, const uint8_t *p, size_t n);
int fcp_role_sign(fcp_role_object *r, const uint8_t owner_sk[64]);
int fcp_role_verify(const fcp_role_object *r, const uint8_t owner_pk[32]);
int fcp_role_assignment_validate(const fcp_role_assignment *a);
int fcp_role_assignment_encode_unsigned(const fcp_role_assignment *a, fcp_buf *out);
int fcp_role_assignment_encode(const fcp_role_assignment *a, fcp_buf *out);
int fcp_role_assignment_decode(fcp_role_assignment *a, const uint8_t *p, size_t n);
int fcp_role_assignment_sign(fcp_role_assignment *a, const uint8_t owner_sk[64]);
int fcp_role_assignment_verify(const fcp_role_assignment *a, const uint8_t owner_pk[32]);

/* Grant helpers: text order of (capability, operation), an absent operation
 * first.  validate checks identifiers (FCP_ECAP_OBJECT). */
int fcp_cap_grant_cmp(const fcp_cap_grant *a, const fcp_cap_grant *b);
int fcp_cap_grant_validate(const fcp_cap_grant *g);
int fcp_cap_grant_encode_to(const fcp_cap_grant *g, struct fcp_cbor_enc *e);
int fcp_cap_grant_decode_from(fcp_cap_grant *g, struct fcp_cbor_dec *d);

/* Identifier rule shared by capability, operation, credential and role ids:
 * 1..FCP_CAP_ID_MAX bytes of printable ASCII without spaces.  0 or
 * FCP_ECAP_OBJECT. */
int fcp_cap_id_validate(const char *s, size_t n);

#endif
