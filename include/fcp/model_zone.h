/*
 * model_zone.h - zones as mesh objects (spec §5.2.1 / review Change 5) and
 * the quorum-signed zone checkpoint (§3.8 ZoneFrontier, D-ZONE-7).
 *
 * ZoneDefinitionObject (fcp.core.ZoneDefinitionObject/1.0.0, owner-signed):
 *   { "header": ObjectHeader, "zone_id": text, "name": text 1..64 printable,
 *     "integrity_level": 0..100, "confidentiality_level": 0..100,
 *     "symbol_port": 1..65535, "control_port": 1..65535 (!= symbol_port),
 *     "policy_object_id": bytes 32, ? "prev": bytes 32, "version": uint >= 1,
 *     "quorum_signers": [+ node-id] (strictly ascending), ? "max_faults": uint,
 *     "signature": bytes 64 }
 *   version and the quorum fields are ours (D-ZONE-4, D-ZONE-5): versions rise
 *   by at least 1 along prev links; max_faults f defaults to
 *   floor((n-1)/3) and must satisfy 2f < n.  transport_policy (type not
 *   defined by the spec) is not supported and is refused as unknown.
 *
 * ZonePolicyObject (fcp.core.ZonePolicyObject/1.0.0, owner-signed):
 *   { "header", "zone_id", "policy": ZonePolicy, ? "prev", "version",
 *     "signature" }
 *   ZonePolicy = { "principals_allow", "principals_deny", "connectors_allow",
 *     "connectors_deny", "cap_allow", "cap_deny": [* pattern], "default_deny": bool }
 *   pattern = 1..128 printable ASCII bytes, at most one '*' and only as the
 *   last byte; every list strictly ascending (a set, one encoding).
 *
 * ZoneCheckpoint (fcp.core.ZoneCheckpoint/1.0.0, quorum-signed):
 *   { "header", "zone_id", "checkpoint_seq": uint, ? "prev_checkpoint_id":
 *     bytes 32, "rev_head": bytes 32, "rev_seq": uint, "audit_head": bytes 32,
 *     "audit_seq": uint, "zone_definition_head": bytes 32,
 *     "zone_policy_head": bytes 32, "active_zone_key_manifest": bytes 32,
 *     "as_of_epoch": uint, "quorum_signatures": [* [node-id, bytes 64]] }
 *   checkpoint_seq 0 has no prev, later ones have one (FCP_ECKPT_GENESIS).
 *
 * Every object's header must carry the object's schema and zone.  ObjectId
 * of any of them = derive_id(header, SchemaHash || cbor(object), ObjectIdKey)
 * (D-ZONE-1).
 */
#ifndef FCP_MODEL_ZONE_H
#define FCP_MODEL_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_ids.h"
#include "fcp/model_object.h"
#include "fcp/model_sign.h"

#define FCP_ZONE_NAME_MAX        64
#define FCP_ZONE_LEVEL_MAX       100
#define FCP_ZONE_MAX_SIGNERS     FCP_QUORUM_MAX
#define FCP_ZONE_PATTERN_MAX     128
#define FCP_ZONE_PATTERNS_MAX    32     /* per list */
#define FCP_ZONE_MAX_ENCODED     (256 * 1024)

/* Safety tiers and their quorum rules (spec §15.1, §18.2, D-ZONE-5). */
enum fcp_safety_tier {
    FCP_TIER_SAFE = 0,       /* 1 signature */
    FCP_TIER_RISKY = 1,      /* f + 1 */
    FCP_TIER_DANGEROUS = 2,  /* n - f */
    FCP_TIER_CRITICAL = 3,   /* n - f: checkpoints, audit heads (CriticalWrite) */
};

typedef struct fcp_zone_definition {
    fcp_object_header header;
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    char     name[FCP_ZONE_NAME_MAX + 1];
    uint8_t  integrity_level;
    uint8_t  confidentiality_level;
    uint16_t symbol_port;
    uint16_t control_port;
    uint8_t  policy_object_id[FCP_OBJECT_ID_BYTES];
    int      has_prev;
    uint8_t  prev[FCP_OBJECT_ID_BYTES];
    uint64_t version;
    size_t   n_signers;
    char     quorum_signers[FCP_ZONE_MAX_SIGNERS][FCP_NODE_ID_MAX + 1];
    int      has_max_faults;
    uint64_t max_faults;
    uint8_t  signature[64];
} fcp_zone_definition;

/* The six pattern lists of a ZonePolicy, in this index order. */
enum fcp_zone_policy_list {
    FCP_ZP_PRINCIPALS_ALLOW = 0,
    FCP_ZP_PRINCIPALS_DENY = 1,
    FCP_ZP_CONNECTORS_ALLOW = 2,
    FCP_ZP_CONNECTORS_DENY = 3,
    FCP_ZP_CAP_ALLOW = 4,
    FCP_ZP_CAP_DENY = 5,
    FCP_ZP_LISTS = 6
};

typedef struct fcp_zone_policy {
    size_t n[FCP_ZP_LISTS];
    char   pat[FCP_ZP_LISTS][FCP_ZONE_PATTERNS_MAX][FCP_ZONE_PATTERN_MAX + 1];
    int    default_deny;
} fcp_zone_policy;

typedef struct fcp_zone_policy_object {
    fcp_object_header header;
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    fcp_zone_policy policy;
    int      has_prev;
    uint8_t  prev[FCP_OBJECT_ID_BYTES];
    uint64_t version;
    uint8_t  signature[64];
} fcp_zone_policy_object;

/* One quorum signature with its node id stored inline. */
typedef struct fcp_zone_sig {
    char    node_id[FCP_NODE_ID_MAX + 1];
    uint8_t sig[FCP_SIG_BYTES];
} fcp_zone_sig;

typedef struct fcp_zone_checkpoint {
    fcp_object_header header;
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    uint64_t checkpoint_seq;
    int      has_prev;
    uint8_t  prev_checkpoint_id[FCP_OBJECT_ID_BYTES];
    uint8_t  rev_head[FCP_OBJECT_ID_BYTES];
    uint64_t rev_seq;
    uint8_t  audit_head[FCP_OBJECT_ID_BYTES];
    uint64_t audit_seq;
    uint8_t  zone_definition_head[FCP_OBJECT_ID_BYTES];
    uint8_t  zone_policy_head[FCP_OBJECT_ID_BYTES];
    uint8_t  active_zone_key_manifest[FCP_OBJECT_ID_BYTES];
    uint64_t as_of_epoch;
    size_t   n_sigs;
    fcp_zone_sig sigs[FCP_QUORUM_MAX];   /* strictly ascending by node id */
} fcp_zone_checkpoint;

void fcp_zone_definition_schema(fcp_schema_id *s);
void fcp_zone_policy_object_schema(fcp_schema_id *s);
void fcp_zone_checkpoint_schema(fcp_schema_id *s);

/* Pattern syntax check (see above): 0 or FCP_EZONE_PATTERN. */
int fcp_zone_pattern_validate(const char *p, size_t n);

/* validate: every decoder invariant.  Errors named in the header comment
 * plus header errors, FCP_ESCHEMA_MISMATCH, FCP_EAUTHZ_ZONE_MISMATCH,
 * FCP_ENODE_ID, FCP_ELIMIT, FCP_EUNSORTED_SIGNERS / FCP_EDUPLICATE_SIGNER
 * (signer lists and quorum arrays). */
int fcp_zone_definition_validate(const fcp_zone_definition *d);
int fcp_zone_policy_validate(const fcp_zone_policy *p);
int fcp_zone_policy_object_validate(const fcp_zone_policy_object *o);
int fcp_zone_checkpoint_validate(const fcp_zone_checkpoint *c);

/* Canonical CBOR (validated first); _unsigned omits "signature" /
 * "quorum_signatures". */
int fcp_zone_definition_encode(const fcp_zone_definition *d, fcp_buf *out);
int fcp_zone_definition_encode_unsigned(const fcp_zone_definition *d, fcp_buf *out);
int fcp_zone_policy_object_encode(const fcp_zone_policy_object *o, fcp_buf *out);
int fcp_zone_policy_object_encode_unsigned(const fcp_zone_policy_object *o, fcp_buf *out);
int fcp_zone_checkpoint_encode(const fcp_zone_checkpoint *c, fcp_buf *out);
int fcp_zone_checkpoint_encode_unsigned(const fcp_zone_checkpoint *c, fcp_buf *out);

/* Strict decoders (nothing may follow; n <= FCP_ZONE_MAX_ENCODED else
 * FCP_ETOO_LARGE).  Errors: FCP_ECBOR_*, FCP_EMISSING_FIELD,
 * FCP_EUNKNOWN_FIELD, FCP_EOBJECT (fixed-length bytes), FCP_ECBOR_INT_RANGE
 * (a level above 255 or a port above 65535), FCP_ELIMIT and the validate
 * errors.  Output zeroed on error. */
int fcp_zone_definition_decode(fcp_zone_definition *d, const uint8_t *p, size_t n);
int fcp_zone_policy_object_decode(fcp_zone_policy_object *o, const uint8_t *p, size_t n);
int fcp_zone_checkpoint_decode(fcp_zone_checkpoint *c, const uint8_t *p, size_t n);

/* Owner signatures. */
int fcp_zone_definition_sign(fcp_zone_definition *d, const uint8_t owner_sk[64]);
int fcp_zone_definition_verify(const fcp_zone_definition *d, const uint8_t owner_pk[32]);
int fcp_zone_policy_object_sign(fcp_zone_policy_object *o, const uint8_t owner_sk[64]);
int fcp_zone_policy_object_verify(const fcp_zone_policy_object *o, const uint8_t owner_pk[32]);

/* Add node_id's signature over the checkpoint's unsigned view, keeping the
 * array sorted.  FCP_EDUPLICATE_SIGNER if it already signed, FCP_ELIMIT if
 * full. */
int fcp_zone_checkpoint_add_signature(fcp_zone_checkpoint *c, const char *node_id, size_t len,
                                      const uint8_t node_sk[64]);

/* ObjectIds (D-ZONE-1). */
int fcp_zone_definition_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_zone_definition *d,
                                  const fcp_object_id_key *key);
int fcp_zone_policy_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_zone_policy_object *o,
                              const fcp_object_id_key *key);
int fcp_zone_checkpoint_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_zone_checkpoint *c,
                                  const fcp_object_id_key *key);

/* Quorum parameters of a definition: n = n_signers, f = max_faults or its
 * default floor((n-1)/3). */
uint64_t fcp_zone_definition_faults(const fcp_zone_definition *d);

#endif
