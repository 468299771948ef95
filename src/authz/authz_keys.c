/*
 * authz_keys.c - issuing, opening, rotating and revoking zone keys, and the
 * local zone keyring (spec §5.2, §19.4; D-ZONE-2, D-ZONE-3).
 *
 * Issuance seals the same zone key and ObjectIdKey to every member, one
 * HpkeSealedBox per (member, purpose), bound to (purpose, zone, issued_at,
 * node id), so a box cannot be replayed into another zone, another manifest
 * time or to another node.  Every secret that passes through here is wiped
 * before return.
 */
#include "fcp/authz_keys.h"

#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_sealed.h"
#include "fcp/model_sign.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

static int member_cmp(const fcp_zk_member *a, const fcp_zk_member *b)
{
    return fcp_node_id_cmp((const uint8_t *)a->node_id, a->node_id_len, (const uint8_t *)b->node_id,
                           b->node_id_len);
}

/* Sort member indices by node id (insertion sort; n <= 64). */
static void sort_members(const fcp_zk_member *m, size_t n, size_t *idx)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i], j = i;
        while (j > 0 && member_cmp(&m[idx[j - 1]], &m[v]) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

static int seal_one(fcp_zk_wrapped *w, const fcp_zk_member *mem, int purpose, const char *zone,
                    uint64_t issued_at, const uint8_t key[32], const fcp_rng *rng,
                    const uint8_t *seed, size_t index)
{
    fcp_seal_binding b;
    fcp_sealed_box box;
    int rc;
    b.purpose = purpose;
    b.zone_id = zone;
    b.zone_id_len = strlen(zone);
    b.recipient_node_id = mem->node_id;
    b.recipient_len = mem->node_id_len;
    b.issued_at = issued_at;
    if (seed) {
        uint8_t in[34], ikm[32];
        memcpy(in, seed, 32);
        in[32] = (uint8_t)purpose;
        in[33] = (uint8_t)index;
        fcp_blake3(ikm, in, sizeof in);
        rc = fcp_sealed_box_seal_derand(&box, w->ct, mem->enc_pk, &b, key, 32, ikm, sizeof ikm);
        fcp_memzero(ikm, sizeof ikm);
        fcp_memzero(in, sizeof in);
    } else {
        rc = fcp_sealed_box_seal(&box, w->ct, mem->enc_pk, &b, key, 32, rng);
    }
    if (rc)
        return rc;
    memcpy(w->enc, box.enc, 32);
    memcpy(w->node_id, mem->node_id, mem->node_id_len);
    w->node_id[mem->node_id_len] = '\0';
    fcp_key_id(w->node_enc_kid, mem->enc_pk);
    return 0;
}

static int issue(fcp_zone_key_manifest *m, const fcp_zk_params *p, const fcp_zk_member *members,
                 size_t n, const uint8_t zone_key[32], const uint8_t oid_key[32],
                 const uint8_t *prev_key_id, const uint8_t owner_sk[64], const fcp_rng *rng,
                 const uint8_t *seed)
{
    size_t idx[FCP_ZK_MAX_MEMBERS];
    fcp_schema_id s;
    if (n == 0)
        return FCP_EZK_NO_MEMBERS;
    if (n > FCP_ZK_MAX_MEMBERS)
        return FCP_ELIMIT;
    TRY(fcp_zone_id_validate(p->zone_id, p->zone_id_len));
    for (size_t i = 0; i < n; i++)
        TRY(fcp_node_id_validate(members[i].node_id, members[i].node_id_len));
    sort_members(members, n, idx);
    for (size_t i = 1; i < n; i++)
        if (member_cmp(&members[idx[i - 1]], &members[idx[i]]) == 0)
            return FCP_EZK_WRAPPED_ORDER;
    fcp_zk_manifest_schema(&s);
    memcpy(m->zone_id, p->zone_id, p->zone_id_len);
    m->zone_id[p->zone_id_len] = '\0';
    TRY(fcp_object_header_init(&m->header, &s, m->zone_id, p->issued_at));
    TRY(fcp_zone_key_id(m->zone_key_id, p->zone_id, p->zone_id_len, zone_key));
    TRY(fcp_object_id_key_id(m->object_id_key_id, p->zone_id, p->zone_id_len, oid_key));
    m->algorithm = p->algorithm;
    m->valid_from = p->valid_from;
    m->has_valid_until = p->has_valid_until;
    m->valid_until = p->valid_until;
    m->has_ratchet = p->has_ratchet;
    m->ratchet = p->ratchet;
    if (prev_key_id) {
        m->has_prev = 1;
        memcpy(m->prev_zone_key_id, prev_key_id, 8);
    }
    for (size_t i = 0; i < n; i++) {
        const fcp_zk_member *mem = &members[idx[i]];
        TRY(seal_one(&m->wrapped_keys[i], mem, FCP_SEAL_ZONE_KEY, m->zone_id, p->issued_at,
                     zone_key, rng, seed, i));
        TRY(seal_one(&m->wrapped_oid_keys[i], mem, FCP_SEAL_OBJECTID_KEY, m->zone_id,
                     p->issued_at, oid_key, rng, seed, i));
    }
    m->n_wrapped = n;
    return fcp_zk_manifest_sign(m, owner_sk);
}

static int issue_wrap(fcp_zone_key_manifest *m, const fcp_zk_params *p,
                      const fcp_zk_member *members, size_t n, const uint8_t zone_key[32],
                      const uint8_t oid_key[32], const uint8_t *prev_key_id,
                      const uint8_t owner_sk[64], const fcp_rng *rng, const uint8_t *seed)
{
    memset(m, 0, sizeof *m);
    int rc = issue(m, p, members, n, zone_key, oid_key, prev_key_id, owner_sk, rng, seed);
    if (rc)
        memset(m, 0, sizeof *m);
    return rc;
}

int fcp_zk_issue(fcp_zone_key_manifest *m, const fcp_zk_params *p, const fcp_zk_member *members,
                 size_t n_members, const uint8_t zone_key[FCP_ZONE_KEY_BYTES],
                 const uint8_t oid_key[FCP_ZONE_KEY_BYTES], const uint8_t *prev_key_id,
                 const uint8_t owner_sk[64], const fcp_rng *rng)
{
    return issue_wrap(m, p, members, n_members, zone_key, oid_key, prev_key_id, owner_sk, rng,
                      NULL);
}

int fcp_zk_issue_derand(fcp_zone_key_manifest *m, const fcp_zk_params *p,
                        const fcp_zk_member *members, size_t n_members,
                        const uint8_t zone_key[FCP_ZONE_KEY_BYTES],
                        const uint8_t oid_key[FCP_ZONE_KEY_BYTES], const uint8_t *prev_key_id,
                        const uint8_t owner_sk[64], const uint8_t seed[32])
{
    return issue_wrap(m, p, members, n_members, zone_key, oid_key, prev_key_id, owner_sk, NULL,
                      seed);
}

static int open_one(const fcp_zk_wrapped *w, int purpose, const fcp_zone_key_manifest *m,
                    const uint8_t enc_sk[32], uint8_t out[32])
{
    fcp_seal_binding b;
    fcp_sealed_box box;
    b.purpose = purpose;
    b.zone_id = m->zone_id;
    b.zone_id_len = strlen(m->zone_id);
    b.recipient_node_id = w->node_id;
    b.recipient_len = strlen(w->node_id);
    b.issued_at = m->header.created_at;
    box.kem_id = 0x0020;
    box.kdf_id = 0x0001;
    box.aead_id = 0x0003;
    memcpy(box.enc, w->enc, 32);
    box.ct = w->ct;
    box.ct_len = FCP_ZK_WRAPPED_CT_BYTES;
    return fcp_sealed_box_open(out, &box, enc_sk, &b);
}

static int do_open(const fcp_zone_key_manifest *m, const char *node_id, size_t len,
                   const uint8_t enc_sk[32], uint8_t zone_key[32], uint8_t oid_key[32])
{
    uint8_t pk[32], kid[FCP_KID_BYTES], id[8];
    int i = fcp_zk_manifest_find(m, node_id, len);
    if (i < 0)
        return i;
    TRY(fcp_x25519_base(pk, enc_sk));
    fcp_key_id(kid, pk);
    if (memcmp(kid, m->wrapped_keys[i].node_enc_kid, FCP_KID_BYTES) != 0 ||
        memcmp(kid, m->wrapped_oid_keys[i].node_enc_kid, FCP_KID_BYTES) != 0)
        return FCP_EZK_ENC_KID;
    TRY(open_one(&m->wrapped_keys[i], FCP_SEAL_ZONE_KEY, m, enc_sk, zone_key));
    TRY(open_one(&m->wrapped_oid_keys[i], FCP_SEAL_OBJECTID_KEY, m, enc_sk, oid_key));
    TRY(fcp_zone_key_id(id, m->zone_id, strlen(m->zone_id), zone_key));
    if (!fcp_ct_equal(id, m->zone_key_id, 8))
        return FCP_EZK_KEY_ID;
    TRY(fcp_object_id_key_id(id, m->zone_id, strlen(m->zone_id), oid_key));
    if (!fcp_ct_equal(id, m->object_id_key_id, 8))
        return FCP_EZK_KEY_ID;
    return 0;
}

int fcp_zk_open(const fcp_zone_key_manifest *m, const char *node_id, size_t node_id_len,
                const uint8_t enc_sk[32], uint8_t zone_key[FCP_ZONE_KEY_BYTES],
                uint8_t oid_key[FCP_ZONE_KEY_BYTES])
{
    int rc = do_open(m, node_id, node_id_len, enc_sk, zone_key, oid_key);
    if (rc) {
        fcp_memzero(zone_key, FCP_ZONE_KEY_BYTES);
        fcp_memzero(oid_key, FCP_ZONE_KEY_BYTES);
    }
    return rc;
}

int fcp_zk_check_rotation(const fcp_zone_key_manifest *prev, const fcp_zone_key_manifest *next)
{
    if (strcmp(prev->zone_id, next->zone_id) != 0)
        return FCP_EAUTHZ_ZONE_MISMATCH;
    if (!next->has_prev || memcmp(next->prev_zone_key_id, prev->zone_key_id, 8) != 0 ||
        memcmp(next->zone_key_id, prev->zone_key_id, 8) == 0)
        return FCP_EZK_ROTATION;
    if (next->valid_from < prev->valid_from)
        return FCP_EZK_ROTATION;
    return 0;
}

int fcp_zk_remove_node(fcp_zone_key_manifest *out, uint8_t new_zone_key[FCP_ZONE_KEY_BYTES],
                       const fcp_zone_key_manifest *prev, const char *removed, size_t removed_len,
                       const fcp_zk_member *members, size_t n_members,
                       const uint8_t oid_key[FCP_ZONE_KEY_BYTES], uint64_t now,
                       const uint8_t owner_sk[64], const fcp_rng *rng)
{
    fcp_zk_params p;
    int rc;
    for (size_t i = 0; i < n_members; i++)
        if (members[i].node_id_len == removed_len &&
            memcmp(members[i].node_id, removed, removed_len) == 0)
            return FCP_EZK_REMOVED;
    rc = fcp_rng_fill(rng, new_zone_key, FCP_ZONE_KEY_BYTES);
    if (rc)
        return rc;
    memset(&p, 0, sizeof p);
    p.zone_id = prev->zone_id;
    p.zone_id_len = strlen(prev->zone_id);
    p.algorithm = prev->algorithm;
    p.issued_at = now;
    p.valid_from = now > prev->valid_from ? now : prev->valid_from;
    p.has_ratchet = prev->has_ratchet;
    p.ratchet = prev->ratchet;
    rc = fcp_zk_issue(out, &p, members, n_members, new_zone_key, oid_key, prev->zone_key_id,
                      owner_sk, rng);
    if (rc)
        fcp_memzero(new_zone_key, FCP_ZONE_KEY_BYTES);
    return rc;
}

/* ---- keyring ------------------------------------------------------------- */

void fcp_zone_keyring_init(fcp_zone_keyring *r)
{
    memset(r, 0, sizeof *r);
    r->default_overlap_secs = FCP_ZK_DEFAULT_OVERLAP_SECS;
}

void fcp_zone_keyring_wipe(fcp_zone_keyring *r)
{
    uint64_t ov = r->default_overlap_secs;
    fcp_memzero(r, sizeof *r);
    r->default_overlap_secs = ov;
}

static int zone_is(const fcp_zone_key_entry *e, const char *zone, size_t len)
{
    return strlen(e->zone_id) == len && memcmp(e->zone_id, zone, len) == 0;
}

const fcp_zone_key_entry *fcp_zone_keyring_find(const fcp_zone_keyring *r, const char *zone,
                                                size_t zone_len, const uint8_t key_id[8])
{
    for (size_t i = 0; i < r->n; i++)
        if (zone_is(&r->e[i], zone, zone_len) && memcmp(r->e[i].key_id, key_id, 8) == 0)
            return &r->e[i];
    return NULL;
}

int fcp_zone_keyring_add(fcp_zone_keyring *r, const fcp_zone_key_manifest *m,
                         const uint8_t owner_pk[32], const char *node_id, size_t node_id_len,
                         const uint8_t enc_sk[32])
{
    fcp_zone_key_entry e;
    int rc;
    TRY(fcp_zk_manifest_verify(m, owner_pk));
    if (fcp_zone_keyring_find(r, m->zone_id, strlen(m->zone_id), m->zone_key_id))
        return 0;
    if (r->n >= FCP_KEYRING_MAX)
        return FCP_EZK_KEYRING_FULL;
    memset(&e, 0, sizeof e);
    rc = fcp_zk_open(m, node_id, node_id_len, enc_sk, e.key, e.oid_key);
    if (rc == 0) {
        memcpy(e.zone_id, m->zone_id, sizeof e.zone_id);
        memcpy(e.key_id, m->zone_key_id, 8);
        memcpy(e.oid_key_id, m->object_id_key_id, 8);
        e.algorithm = m->algorithm;
        e.valid_from = m->valid_from;
        e.has_valid_until = m->has_valid_until;
        e.valid_until = m->valid_until;
        e.overlap_secs = m->has_ratchet ? m->ratchet.overlap_secs : r->default_overlap_secs;
        r->e[r->n++] = e;
    }
    fcp_memzero(&e, sizeof e);
    return rc;
}

int fcp_zone_keyring_active(const fcp_zone_keyring *r, const char *zone, size_t zone_len,
                            uint64_t t, const fcp_zone_key_entry **out)
{
    const fcp_zone_key_entry *best = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const fcp_zone_key_entry *e = &r->e[i];
        if (!zone_is(e, zone, zone_len) || e->valid_from > t)
            continue;
        if (e->has_valid_until && t >= e->valid_until)
            continue;
        /* newest valid_from wins; equal starts -> smaller key id, so every
         * node picks the same key */
        if (!best || e->valid_from > best->valid_from ||
            (e->valid_from == best->valid_from && memcmp(e->key_id, best->key_id, 8) < 0))
            best = e;
    }
    if (!best)
        return FCP_EZK_NO_ACTIVE;
    *out = best;
    return 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

int fcp_zone_keyring_for_decrypt(const fcp_zone_keyring *r, const char *zone, size_t zone_len,
                                 const uint8_t key_id[8], uint64_t t,
                                 const fcp_zone_key_entry **out)
{
    const fcp_zone_key_entry *k = fcp_zone_keyring_find(r, zone, zone_len, key_id);
    if (!k)
        return FCP_EZK_UNKNOWN;
    if (sat_add(t, k->overlap_secs) < k->valid_from)
        return FCP_EZK_EXPIRED;
    if (k->has_valid_until && t >= sat_add(k->valid_until, k->overlap_secs))
        return FCP_EZK_EXPIRED;
    for (size_t i = 0; i < r->n; i++) {
        const fcp_zone_key_entry *s = &r->e[i];
        if (s == k || !zone_is(s, zone, zone_len) || s->valid_from <= k->valid_from)
            continue;
        if (s->valid_from <= t && t >= sat_add(s->valid_from, k->overlap_secs))
            return FCP_EZK_EXPIRED;
    }
    *out = k;
    return 0;
}
