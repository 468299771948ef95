/*
 * host_manifest.h - connector manifests (spec §11.1), their canonical CBOR
 * form and hash, the copy embedded in a connector binary (§11.3, ELF section
 * ".fcp_manifest") and the publisher signature checked at install (§13.2).
 *
 * A manifest.toml is parsed with the strict TOML subset (toml.h) and checked
 * table by table with its schema helper, so an unknown key or a value of the
 * wrong type is refused with a message naming the key path and line:
 *   "manifest.toml:14: key 'sandbox.memory_mb' must be an integer, got a string".
 * Every semantic rule (id syntax, tiers, limits, capability lists) has its own
 * FCP_EHOST_MANIFEST_* code and is reported the same way.
 *
 * The accepted format (docs/connectors.md has a complete example):
 *   [manifest]   format = "fcp-connector-manifest", schema_version = "2.0"
 *   [connector]  id, name, version, description, archetypes, format = "native",
 *                publisher_key (64 hex digits, Ed25519)
 *   [capabilities] required / optional / forbidden (arrays of strings)
 *   [provides.operations.<name>] description, capability, safety_tier,
 *                idempotency, requires_approval, rate_limit, input_schema,
 *                output_schema (JSON text), network_constraints (inline table)
 *   [sandbox]    profile, memory_mb, cpu_seconds, wall_clock_timeout_ms,
 *                max_pids, deny_exec
 *   [state]      model = "none" | "local" | "mesh", singleton_writer
 *
 * The parsed manifest owns its strings (free with fcp_manifest_free).  The
 * canonical CBOR form (D-MANIFEST-2) sorts operations by name and capability
 * lists bytewise, so two manifests that mean the same thing hash the same.
 */
#ifndef FCP_HOST_MANIFEST_H
#define FCP_HOST_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_cap.h"
#include "fcp/toml.h"

#define FCP_MANIFEST_MAX_TEXT      (256u * 1024u) /* manifest.toml bytes */
#define FCP_MANIFEST_MAX_OPS       64u
#define FCP_MANIFEST_MAX_CAPS      64u            /* per list */
#define FCP_MANIFEST_MAX_SCHEMA    16384u         /* bytes of one JSON schema */
#define FCP_MANIFEST_MAX_ID        64u            /* connector id, op name, capability */
#define FCP_MANIFEST_MAX_NAME      128u
#define FCP_MANIFEST_MAX_DESC      1024u
#define FCP_MANIFEST_MAX_HOSTS     16u            /* = FCP_NET_MAX_HOSTS */
#define FCP_MANIFEST_MAX_PORTS     16u
#define FCP_MANIFEST_MAX_PINS      8u
#define FCP_MANIFEST_HASH_BYTES    32u
#define FCP_MANIFEST_SECTION       ".fcp_manifest"
/* Signed message = this context (21 bytes) || manifest hash || binary hash. */
#define FCP_MANIFEST_SIG_CONTEXT   "FCP2-CONNECTOR-SIG-V1"

typedef enum fcp_safety_tier {
    FCP_TIER_SAFE = 0,
    FCP_TIER_RISKY = 1,
    FCP_TIER_DANGEROUS = 2,
} fcp_safety_tier;

typedef enum fcp_idempotency {
    FCP_IDEMPOTENCY_NONE = 0,
    FCP_IDEMPOTENCY_BEST_EFFORT = 1,
    FCP_IDEMPOTENCY_STRICT = 2,
} fcp_idempotency;

typedef enum fcp_approval_mode {
    FCP_APPROVAL_NONE = 0,
    FCP_APPROVAL_POLICY = 1,
    FCP_APPROVAL_INTERACTIVE = 2,
    FCP_APPROVAL_REQUIRED = 3,
} fcp_approval_mode;

typedef enum fcp_sandbox_profile {
    FCP_SANDBOX_STRICT = 0,
    FCP_SANDBOX_MODERATE = 1,
    FCP_SANDBOX_PERMISSIVE = 2,
} fcp_sandbox_profile;

typedef enum fcp_state_model {
    FCP_STATE_NONE = 0,
    FCP_STATE_LOCAL = 1, /* cache in $CONNECTOR_STATE only */
    FCP_STATE_MESH = 2,  /* externalised as ConnectorStateObjects (spec §10.4) */
} fcp_state_model;

/* Archetype bits (spec §10.1). */
#define FCP_ARCH_BIDIRECTIONAL 0x01u
#define FCP_ARCH_STREAMING     0x02u
#define FCP_ARCH_OPERATIONAL   0x04u
#define FCP_ARCH_STORAGE       0x08u
#define FCP_ARCH_KNOWLEDGE     0x10u

typedef struct fcp_manifest_network {
    int      present;
    char   **host_allow;
    size_t   n_host;
    uint16_t port_allow[FCP_MANIFEST_MAX_PORTS];
    size_t   n_port;
    char   **spki_pins;
    size_t   n_pins;
    int      require_sni;          /* default 0 */
    int      deny_localhost;       /* default 1 (spec §7.3) */
    int      deny_private_ranges;  /* default 1 */
    int      deny_tailnet_ranges;  /* default 1 */
} fcp_manifest_network;

typedef struct fcp_manifest_op {
    char             *name;
    char             *description;
    char             *capability;
    fcp_safety_tier   tier;
    fcp_idempotency   idempotency;
    fcp_approval_mode approval;
    uint32_t          rate_count;     /* 0 = no rate limit */
    uint32_t          rate_per_s;     /* 1, 60 or 3600 */
    char             *input_schema;   /* JSON text */
    char             *output_schema;
    fcp_manifest_network net;
} fcp_manifest_op;

typedef struct fcp_manifest_sandbox {
    fcp_sandbox_profile profile;
    uint32_t memory_mb;              /* RLIMIT_AS */
    uint32_t cpu_seconds;            /* RLIMIT_CPU */
    uint32_t wall_clock_timeout_ms;  /* per operation, enforced by the host */
    uint32_t max_pids;               /* RLIMIT_NPROC */
    int      deny_exec;
} fcp_manifest_sandbox;

typedef struct fcp_manifest {
    char    *id;
    char    *name;
    char    *version;
    char    *description;
    unsigned archetypes;            /* FCP_ARCH_* bits */
    uint8_t  publisher_key[32];
    char   **caps_required;  size_t n_required;
    char   **caps_optional;  size_t n_optional;
    char   **caps_forbidden; size_t n_forbidden;
    fcp_manifest_op *ops;           /* sorted by name */
    size_t   n_ops;
    fcp_manifest_sandbox sandbox;
    fcp_state_model state_model;
    int      singleton_writer;
} fcp_manifest;

/* Parse and validate manifest.toml text[0..len).  name is used in messages
 * ("connectors/notes/manifest.toml").  On success *m is filled (free with
 * fcp_manifest_free) and 0 is returned; on failure *m is left empty, err
 * (may be NULL) holds "<name>:<line>: ..." and the code, which is returned:
 * an FCP_ETOML_* code for syntax and schema (unknown key, wrong type,
 * missing key, range) or an FCP_EHOST_MANIFEST_* code. */
int fcp_manifest_parse(fcp_manifest *m, const char *name, const char *text, size_t len,
                       fcp_toml_error *err);

/* Free everything a parsed manifest owns and zero it.  NULL allowed. */
void fcp_manifest_free(fcp_manifest *m);

/* The NetworkConstraints an operation's network_constraints table stands for
 * (D-MANIFEST-6): the spec defaults (fcp_net_constraints_default: default
 * cidr_deny, connect 10 s, total 30 s) with host_allow, port_allow (sorted),
 * spki_pins and the four flags from the manifest.  The manifest parser
 * already applied the CapabilityObject's per-entry rules; the result is
 * checked again with fcp_net_constraints_validate.  FCP_EHOST_MANIFEST_NETWORK
 * if net is not present or does not validate. */
int fcp_manifest_net_constraints(const fcp_manifest_network *net, fcp_net_constraints *out);

/* Operation by name, or NULL. */
const fcp_manifest_op *fcp_manifest_find_op(const fcp_manifest *m, const char *name);

/* Append the canonical CBOR form to out.  0 or an FCP_E* code. */
int fcp_manifest_encode(const fcp_manifest *m, fcp_buf *out);

/* manifest hash = BLAKE3 derive_key("FCP2 connector manifest v1", canonical CBOR). */
int fcp_manifest_hash(const fcp_manifest *m, uint8_t out[FCP_MANIFEST_HASH_BYTES]);

/* binary hash = BLAKE3 derive_key("FCP2 connector binary v1", bytes). */
void fcp_manifest_binary_hash(const uint8_t *bin, size_t len, uint8_t out[FCP_MANIFEST_HASH_BYTES]);

/* Publisher signature (spec §13.2): Ed25519 over
 * FCP_MANIFEST_SIG_CONTEXT || manifest hash || binary hash. */
int fcp_manifest_sign(uint8_t sig[64], const uint8_t manifest_hash[32], const uint8_t binary_hash[32],
                      const uint8_t sk[64]);

/* Locate the ".fcp_manifest" section in an ELF64/ELF32 little-endian file
 * bin[0..len) without executing it.  Every header, table and offset is
 * bounds-checked.  On success *sec points into bin and *sec_len is the
 * section size with trailing NUL bytes removed.  Errors: FCP_EHOST_ELF,
 * FCP_EHOST_ELF_NO_MANIFEST. */
int fcp_elf_find_manifest(const uint8_t *bin, size_t len, const uint8_t **sec, size_t *sec_len);

/* Path of the program interpreter (PT_INTERP) of an ELF file, copied into
 * out (NUL-terminated).  1 if found, 0 if the file has none (static), or
 * FCP_EHOST_ELF / FCP_EBUFFER_TOO_SMALL. */
int fcp_elf_interp(const uint8_t *bin, size_t len, char *out, size_t cap);

/* Install-time check (spec §11.3, §13.2) of a connector binary against the
 * installed manifest: the embedded manifest must parse and have the same
 * canonical form (FCP_EHOST_MANIFEST_MISMATCH), the publisher key must equal
 * trusted_key when one is given (FCP_EHOST_SIGNATURE), and sig must verify
 * under the manifest's publisher key over (manifest hash || binary hash)
 * (FCP_EHOST_SIGNATURE).  err (may be NULL) explains. */
int fcp_manifest_verify_install(const fcp_manifest *installed, const uint8_t *bin, size_t len,
                                const uint8_t sig[64], const uint8_t *trusted_key,
                                fcp_toml_error *err);

/* Names for messages and wire fields: "safe", "risky", "dangerous";
 * "strict", "moderate", "permissive". */
const char *fcp_safety_tier_name(fcp_safety_tier t);
const char *fcp_sandbox_profile_name(fcp_sandbox_profile p);

#endif
