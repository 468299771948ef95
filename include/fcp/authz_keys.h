/*
 * authz_keys.h - zone key issuance, opening, rotation, node removal and the
 * local zone keyring (spec §5.2 ZoneKeyManifest / ZoneKeyRing, §19.4).
 *
 * Pure and sans-IO: keys and randomness come from the caller (fcp_rng), time
 * is a Unix-seconds argument.  Secret material (zone keys, ObjectIdKeys,
 * node X25519 secrets) is only ever in caller buffers or in the keyring,
 * which fcp_zone_keyring_wipe clears.
 *
 * Rotation (D-ZONE-3): a new manifest names the previous key in
 * prev_zone_key_id and starts at its valid_from.  From then on the new key
 * is the active one (used to encrypt); the superseded key keeps decrypting
 * for overlap_secs (the manifest's ratchet.overlap_secs, else the keyring's
 * default, FCP_ZK_DEFAULT_OVERLAP_SECS), then it is refused with
 * FCP_EZK_EXPIRED.  The ObjectIdKey stays the same across routine rotations.
 *
 * Removal (§19.4): fcp_zk_remove_node issues a rotation manifest whose
 * recipients exclude the removed node, so the removed node cannot open the
 * new zone key (it has no wrapped entry, and no other entry opens with its
 * key).  Data sealed under earlier keys stays readable to it: rotation gives
 * forward protection only, as the spec says.
 */
#ifndef FCP_AUTHZ_KEYS_H
#define FCP_AUTHZ_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/model_zonekeys.h"
#include "fcp/rng.h"

#define FCP_ZK_DEFAULT_OVERLAP_SECS 300u   /* upstream rekey_policy overlap_window_secs */
#define FCP_KEYRING_MAX             32     /* keys one keyring holds, all zones */

/* One recipient: its node id (canonical) and X25519 node_enc_pubkey. */
typedef struct fcp_zk_member {
    const char *node_id;
    size_t      node_id_len;
    uint8_t     enc_pk[32];
} fcp_zk_member;

/* What a manifest says besides its recipients. */
typedef struct fcp_zk_params {
    const char *zone_id;
    size_t      zone_id_len;
    int         algorithm;         /* enum fcp_zone_key_alg */
    uint64_t    issued_at;         /* header.created_at; bound in every seal */
    uint64_t    valid_from;
    int         has_valid_until;
    uint64_t    valid_until;
    int         has_ratchet;
    fcp_zk_ratchet ratchet;
} fcp_zk_params;

/* Build and owner-sign a manifest for zone_key / oid_key (32 bytes each),
 * sealing both to every member (purposes FCP2-ZONE-KEY, FCP2-OBJECTID-KEY).
 * prev_key_id (may be NULL) becomes prev_zone_key_id.  Members may be given
 * in any order; they are sorted by node id.  Errors: FCP_EZK_NO_MEMBERS,
 * FCP_ELIMIT (> FCP_ZK_MAX_MEMBERS), FCP_ENODE_ID, FCP_EZK_WRAPPED_ORDER
 * (duplicate member), zone errors, seal errors (FCP_EBAD_KEY, FCP_ERNG),
 * validate errors.  *m is zeroed on error. */
int fcp_zk_issue(fcp_zone_key_manifest *m, const fcp_zk_params *p, const fcp_zk_member *members,
                 size_t n_members, const uint8_t zone_key[FCP_ZONE_KEY_BYTES],
                 const uint8_t oid_key[FCP_ZONE_KEY_BYTES], const uint8_t *prev_key_id,
                 const uint8_t owner_sk[64], const fcp_rng *rng);

/* As fcp_zk_issue with every HPKE ephemeral key derived from seed (32
 * bytes): ikm = BLAKE3(seed || purpose byte || node index u8) - for golden
 * vectors only. */
int fcp_zk_issue_derand(fcp_zone_key_manifest *m, const fcp_zk_params *p,
                        const fcp_zk_member *members, size_t n_members,
                        const uint8_t zone_key[FCP_ZONE_KEY_BYTES],
                        const uint8_t oid_key[FCP_ZONE_KEY_BYTES], const uint8_t *prev_key_id,
                        const uint8_t owner_sk[64], const uint8_t seed[32]);

/* A member opens its entries: checks node_enc_kid against the public key of
 * enc_sk (FCP_EZK_ENC_KID), opens both sealed keys (FCP_EDECRYPT), and checks
 * they match zone_key_id / object_id_key_id (FCP_EZK_KEY_ID).  Does not check
 * the owner signature (call fcp_zk_manifest_verify first).  Errors also
 * FCP_EZK_NOT_MEMBER.  Outputs are wiped on error. */
int fcp_zk_open(const fcp_zone_key_manifest *m, const char *node_id, size_t node_id_len,
                const uint8_t enc_sk[32], uint8_t zone_key[FCP_ZONE_KEY_BYTES],
                uint8_t oid_key[FCP_ZONE_KEY_BYTES]);

/* 0 if next is a valid rotation of prev: same zone (FCP_EAUTHZ_ZONE_MISMATCH),
 * next.prev_zone_key_id == prev.zone_key_id and the key ids differ
 * (FCP_EZK_ROTATION), next.valid_from >= prev.valid_from (FCP_EZK_ROTATION). */
int fcp_zk_check_rotation(const fcp_zone_key_manifest *prev, const fcp_zone_key_manifest *next);

/* Rotation after removing a node (§19.4): issue a manifest for members
 * (which must not contain removed: FCP_EZK_REMOVED) with a fresh zone key
 * taken from rng into new_zone_key, prev = prev->zone_key_id, zone and
 * algorithm from prev, valid_from = now.  oid_key is kept (pass the current
 * one) or rotated (pass a new one). */
int fcp_zk_remove_node(fcp_zone_key_manifest *out, uint8_t new_zone_key[FCP_ZONE_KEY_BYTES],
                       const fcp_zone_key_manifest *prev, const char *removed, size_t removed_len,
                       const fcp_zk_member *members, size_t n_members,
                       const uint8_t oid_key[FCP_ZONE_KEY_BYTES], uint64_t now,
                       const uint8_t owner_sk[64], const fcp_rng *rng);

/* ---- keyring (spec ZoneKeyRing) ----------------------------------------- */

typedef struct fcp_zone_key_entry {
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    uint8_t  key_id[FCP_ZONE_KEY_ID_BYTES];
    uint8_t  key[FCP_ZONE_KEY_BYTES];
    int      algorithm;
    uint64_t valid_from;
    int      has_valid_until;
    uint64_t valid_until;
    uint64_t overlap_secs;
    uint8_t  oid_key_id[FCP_ZONE_KEY_ID_BYTES];
    uint8_t  oid_key[FCP_ZONE_KEY_BYTES];
} fcp_zone_key_entry;

typedef struct fcp_zone_keyring {
    size_t   n;
    uint64_t default_overlap_secs;
    fcp_zone_key_entry e[FCP_KEYRING_MAX];
} fcp_zone_keyring;

/* Empty keyring with the default overlap. */
void fcp_zone_keyring_init(fcp_zone_keyring *r);
/* Wipe every key and empty the ring. */
void fcp_zone_keyring_wipe(fcp_zone_keyring *r);

/* Verify m against owner_pk, open it as node_id and add the key.  Adding a
 * key id that is already present is a no-op (0).  Errors: verify/open
 * errors, FCP_EZK_KEYRING_FULL. */
int fcp_zone_keyring_add(fcp_zone_keyring *r, const fcp_zone_key_manifest *m,
                         const uint8_t owner_pk[32], const char *node_id, size_t node_id_len,
                         const uint8_t enc_sk[32]);

/* Which key for (zone, key id): the entry or NULL (no time check). */
const fcp_zone_key_entry *fcp_zone_keyring_find(const fcp_zone_keyring *r, const char *zone,
                                                size_t zone_len, const uint8_t key_id[8]);

/* The key to ENCRYPT with in zone at time t: the entry with the greatest
 * valid_from <= t whose valid_until (if any) is > t.  FCP_EZK_NO_ACTIVE if
 * none; *out set on success. */
int fcp_zone_keyring_active(const fcp_zone_keyring *r, const char *zone, size_t zone_len,
                            uint64_t t, const fcp_zone_key_entry **out);

/* The key to DECRYPT a frame labelled key_id at time t (D-ZONE-3):
 * FCP_EZK_UNKNOWN if absent; FCP_EZK_EXPIRED if t < valid_from - overlap,
 * t >= valid_until + overlap, or a newer key of the zone took over at s <= t
 * and t >= s + overlap. */
int fcp_zone_keyring_for_decrypt(const fcp_zone_keyring *r, const char *zone, size_t zone_len,
                                 const uint8_t key_id[8], uint64_t t,
                                 const fcp_zone_key_entry **out);

#endif
