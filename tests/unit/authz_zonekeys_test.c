/*
 * authz_zonekeys_test.c - ZoneKeyManifest: issuance and opening by members,
 * encode/decode identity, owner signature, one negative per validation and
 * decode rule with its exact code, rotation with an overlap window (property
 * test over random windows), the keyring, and node removal (the removed node
 * cannot open the new key, property-tested over random memberships).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "authz_fixtures.h"
#include "fcp/authz_keys.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_sealed.h"
#include "fcp/rng.h"

static fcp_rng_xoshiro xrng;

static fcp_zk_member mem(int i)
{
    fcp_zk_member m;
    m.node_id = fx_nodes[i].id;
    m.node_id_len = strlen(fx_nodes[i].id);
    memcpy(m.enc_pk, fx_nodes[i].enc_pk, 32);
    return m;
}

static void params(fcp_zk_params *p, uint64_t valid_from)
{
    memset(p, 0, sizeof *p);
    p->zone_id = "z:work";
    p->zone_id_len = 6;
    p->algorithm = FCP_ZK_ALG_CHACHA20POLY1305;
    p->issued_at = valid_from;
    p->valid_from = valid_from;
}

static int issue3(fcp_zone_key_manifest *m, uint8_t zk[32], uint8_t ok[32], uint64_t vf,
                  const uint8_t *prev)
{
    fcp_zk_member ms[3] = { mem(2), mem(0), mem(1) };  /* unsorted on purpose */
    fcp_zk_params p;
    params(&p, vf);
    fcp_rng_fill(&xrng.rng, zk, 32);
    return fcp_zk_issue(m, &p, ms, 3, zk, ok, prev, fx_owner_sk, &xrng.rng);
}

static fcp_zone_key_manifest m1, m2, m3, t1;
static uint8_t oidk[32];

static void test_issue_open(void)
{
    uint8_t zk[32], a[32], b[32], id[8];
    fcp_buf x, y;
    CHECK_ERR(issue3(&m1, zk, oidk, 1000, NULL), 0);
    CHECK_EQ(m1.n_wrapped, 3);
    CHECK(strcmp(m1.wrapped_keys[0].node_id, "node-a") == 0);
    CHECK(strcmp(m1.wrapped_keys[2].node_id, "node-c") == 0);
    CHECK_ERR(fcp_zk_manifest_verify(&m1, fx_owner_pk), 0);
    CHECK_ERR(fcp_zone_key_id(id, "z:work", 6, zk), 0);
    CHECK_MEM(id, m1.zone_key_id, 8);
    for (int i = 0; i < 3; i++) {
        CHECK_ERR(fcp_zk_open(&m1, fx_nodes[i].id, 6, fx_nodes[i].enc_sk, a, b), 0);
        CHECK_MEM(a, zk, 32);
        CHECK_MEM(b, oidk, 32);
    }
    /* node-d is not a member; posing as node-a with its own key fails */
    CHECK_ERR(fcp_zk_open(&m1, "node-d", 6, fx_nodes[3].enc_sk, a, b), FCP_EZK_NOT_MEMBER);
    CHECK_ERR(fcp_zk_open(&m1, "node-a", 6, fx_nodes[3].enc_sk, a, b), FCP_EZK_ENC_KID);
    CHECK(fcp_ct_is_zero(a, 32) && fcp_ct_is_zero(b, 32));
    /* round trip */
    fcp_buf_init(&x);
    fcp_buf_init(&y);
    CHECK_ERR(fcp_zk_manifest_encode(&m1, &x), 0);
    CHECK_ERR(fcp_zk_manifest_decode(&t1, x.data, x.len), 0);
    CHECK_ERR(fcp_zk_manifest_encode(&t1, &y), 0);
    CHECK(x.len == y.len && memcmp(x.data, y.data, x.len) == 0);
    CHECK_ERR(fcp_zk_manifest_verify(&t1, fx_owner_pk), 0);
    CHECK_ERR(fcp_zk_open(&t1, "node-b", 6, fx_nodes[1].enc_sk, a, b), 0);
    CHECK_MEM(a, zk, 32);
    fcp_buf_free(&x);
    fcp_buf_free(&y);
    /* tampering */
    t1 = m1;
    t1.wrapped_keys[1].ct[5] ^= 1;
    CHECK_ERR(fcp_zk_open(&t1, "node-b", 6, fx_nodes[1].enc_sk, a, b), FCP_EDECRYPT);
    t1 = m1;
    t1.header.created_at++;   /* AAD issued_at changes: boxes no longer open */
    t1.header.provenance.created_at = t1.header.created_at;
    CHECK_ERR(fcp_zk_open(&t1, "node-b", 6, fx_nodes[1].enc_sk, a, b), FCP_EDECRYPT);
    CHECK_ERR(fcp_zk_manifest_verify(&t1, fx_owner_pk), FCP_EBAD_SIGNATURE);
    t1 = m1;
    t1.zone_key_id[0] ^= 1;    /* key id no longer matches the key */
    CHECK_ERR(fcp_zk_open(&t1, "node-b", 6, fx_nodes[1].enc_sk, a, b), FCP_EZK_KEY_ID);
    t1 = m1;
    t1.object_id_key_id[0] ^= 1;
    CHECK_ERR(fcp_zk_open(&t1, "node-b", 6, fx_nodes[1].enc_sk, a, b), FCP_EZK_KEY_ID);
    t1 = m1;
    memcpy(&t1.wrapped_keys[0], &m1.wrapped_keys[1], sizeof t1.wrapped_keys[0]);
    strcpy(t1.wrapped_keys[0].node_id, "node-a");   /* node-b's box relabelled */
    CHECK_ERR(fcp_zk_open(&t1, "node-a", 6, fx_nodes[0].enc_sk, a, b), FCP_EZK_ENC_KID);
    fcp_memzero(zk, 32);
}

static void test_validate(void)
{
    t1 = m1; t1.algorithm = 2;
    CHECK_ERR(fcp_zk_manifest_validate(&t1), FCP_EZK_ALGORITHM);
    t1 = m1; t1.has_valid_until = 1; t1.valid_until = t1.valid_from;
    CHECK_ERR(fcp_zk_manifest_validate(&t1), FCP_EZK_VALIDITY);
    t1 = m1; t1.has_prev = 1; memcpy(t1.prev_zone_key_id, t1.zone_key_id, 8);
    CHECK_ERR(fcp_zk_manifest_validate(&t1), FCP_EZK_PREV);
    t1 = m1; t1.n_wrapped = 0;
    CHECK_ERR(fcp_zk_manifest_validate(&t1), FCP_EZK_NO_MEMBERS);
    t1 = m1; t1.n_wrapped = FCP_ZK_MAX_MEMBERS + 1;
    CHECK_ERR(fcp_zk_manifest_validate(&t1), FCP_ELIMIT);
    t1 = m1; strcpy(t1.wrapped_keys[1].node_id, "node-a");
    CHECK_ERR(fcp_zk_manifest_validate(&t1), FCP_EZK_WRAPPED_ORDER);
    t1 = m1; strcpy(t1.wrapped_oid_keys[2].node_id, "node-z");
    CHECK_ERR(fcp_zk_manifest_validate(&t1), FCP_EZK_WRAPPED_SET);
    t1 = m1; strcpy(t1.wrapped_keys[2].node_id, "-bad");
    CHECK_ERR(fcp_zk_manifest_validate(&t1), FCP_ENODE_ID);
    t1 = m1; strcpy(t1.header.zone_id, "z:private");
    CHECK_ERR(fcp_zk_manifest_validate(&t1), FCP_EAUTHZ_ZONE_MISMATCH);
    t1 = m1; strcpy(t1.header.schema.name, "Other");
    CHECK_ERR(fcp_zk_manifest_validate(&t1), FCP_ESCHEMA_MISMATCH);
    t1 = m1; strcpy(t1.zone_id, "z:Work");
    CHECK_ERR(fcp_zk_manifest_validate(&t1), FCP_EZONE_ID_CHAR);
    t1 = m1; t1.valid_from++;
    CHECK_ERR(fcp_zk_manifest_verify(&t1, fx_owner_pk), FCP_EBAD_SIGNATURE);
    CHECK_ERR(fcp_zk_manifest_verify(&m1, fx_nodes[0].sig_pk), FCP_EBAD_SIGNATURE);
}

static int edit_decode(const fcp_buf *x, const char *key, const uint8_t *v, size_t vn)
{
    fcp_buf y;
    fcp_buf_init(&y);
    int rc = fx_edit(&y, x->data, x->len, key, v, vn);
    if (rc == 0)
        rc = fcp_zk_manifest_decode(&t1, y.data, y.len);
    fcp_buf_free(&y);
    return rc;
}

/* A one-entry wrapped list whose sealed box has ct_len bytes. */
static size_t wrapped_with_ct(uint8_t *out, size_t cap, size_t ct_len)
{
    uint8_t ct[64] = { 0 };
    fcp_sealed_box box;
    fcp_buf o;
    fcp_cbor_enc e;
    memset(&box, 0, sizeof box);
    box.kem_id = 0x20;
    box.kdf_id = 1;
    box.aead_id = 3;
    box.ct = ct;
    box.ct_len = ct_len;
    fcp_buf_init_fixed(&o, out, cap);
    fcp_cbor_enc_init(&e, &o);
    fcp_cbor_put_array(&e, 1);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "node_id");
    fcp_cbor_put_cstr(&e, "node-a");
    fcp_cbor_put_cstr(&e, "node_enc_kid");
    fcp_cbor_put_bytes(&e, ct, 8);
    fcp_cbor_put_cstr(&e, "sealed_key");
    fcp_sealed_box_encode_to(&box, &e);
    fcp_cbor_map_close(&e);
    fcp_cbor_enc_free(&e);
    return o.len;
}

static void test_decode_rejects(void)
{
    fcp_buf x;
    uint8_t v[256];
    size_t n;
    fcp_buf_init(&x);
    CHECK_ERR(fcp_zk_manifest_encode(&m1, &x), 0);
    n = fx_uint(v, 1);
    CHECK_ERR(edit_decode(&x, "extra", v, n), FCP_EUNKNOWN_FIELD);
    CHECK_ERR(edit_decode(&x, "signature", NULL, 0), FCP_EMISSING_FIELD);
    CHECK_ERR(edit_decode(&x, "wrapped_keys", NULL, 0), FCP_EMISSING_FIELD);
    n = fx_text(v, sizeof v, "AES256GCM");
    CHECK_ERR(edit_decode(&x, "algorithm", v, n), FCP_EZK_ALGORITHM);
    n = fx_bytes(v, sizeof v, m1.zone_key_id, 7);
    CHECK_ERR(edit_decode(&x, "zone_key_id", v, n), FCP_EOBJECT);
    n = fx_text(v, sizeof v, "z:private");
    CHECK_ERR(edit_decode(&x, "zone_id", v, n), FCP_EAUTHZ_ZONE_MISMATCH);
    n = fx_uint(v, 999);
    CHECK_ERR(edit_decode(&x, "valid_until", v, n), FCP_EZK_VALIDITY);
    n = wrapped_with_ct(v, sizeof v, 47);
    CHECK_ERR(edit_decode(&x, "wrapped_keys", v, n), FCP_EZK_SEALED_LEN);
    n = wrapped_with_ct(v, sizeof v, 48);
    CHECK_ERR(edit_decode(&x, "wrapped_keys", v, n), FCP_EZK_WRAPPED_SET);
    CHECK_ERR(fcp_zk_manifest_decode(&t1, x.data, x.len - 1), FCP_ECBOR_TRUNCATED);
    CHECK_ERR(fcp_zk_manifest_decode(&t1, x.data, FCP_ZK_MAX_ENCODED + 1), FCP_ETOO_LARGE);
    CHECK(t1.n_wrapped == 0);
    fcp_buf_free(&x);
}

static void test_rotation_keyring(void)
{
    uint8_t zk1[32], zk2[32], a[32], b[32];
    fcp_zone_keyring r;
    const fcp_zone_key_entry *e;
    memset(zk1, 0, 32);
    CHECK_ERR(fcp_zk_open(&m1, "node-a", 6, fx_nodes[0].enc_sk, zk1, b), 0);
    CHECK_ERR(issue3(&m2, zk2, oidk, 2000, m1.zone_key_id), 0);
    CHECK_ERR(fcp_zk_check_rotation(&m1, &m2), 0);
    CHECK_MEM(m1.object_id_key_id, m2.object_id_key_id, 8);   /* routine rotation */
    CHECK_ERR(fcp_zk_check_rotation(&m2, &m1), FCP_EZK_ROTATION);
    t1 = m2; t1.valid_from = 999;
    CHECK_ERR(fcp_zk_check_rotation(&m1, &t1), FCP_EZK_ROTATION);
    t1 = m2; t1.has_prev = 0;
    CHECK_ERR(fcp_zk_check_rotation(&m1, &t1), FCP_EZK_ROTATION);
    t1 = m2; strcpy(t1.zone_id, "z:private");
    CHECK_ERR(fcp_zk_check_rotation(&m1, &t1), FCP_EAUTHZ_ZONE_MISMATCH);

    fcp_zone_keyring_init(&r);
    CHECK_ERR(fcp_zone_keyring_add(&r, &m1, fx_nodes[0].sig_pk, "node-a", 6, fx_nodes[0].enc_sk),
              FCP_EBAD_SIGNATURE);
    CHECK_ERR(fcp_zone_keyring_add(&r, &m1, fx_owner_pk, "node-d", 6, fx_nodes[3].enc_sk),
              FCP_EZK_NOT_MEMBER);
    CHECK_EQ(r.n, 0);
    CHECK_ERR(fcp_zone_keyring_add(&r, &m1, fx_owner_pk, "node-a", 6, fx_nodes[0].enc_sk), 0);
    CHECK_ERR(fcp_zone_keyring_add(&r, &m1, fx_owner_pk, "node-a", 6, fx_nodes[0].enc_sk), 0);
    CHECK_EQ(r.n, 1);
    CHECK_ERR(fcp_zone_keyring_add(&r, &m2, fx_owner_pk, "node-a", 6, fx_nodes[0].enc_sk), 0);
    CHECK_EQ(r.n, 2);
    CHECK(fcp_zone_keyring_find(&r, "z:work", 6, m2.zone_key_id) != NULL);
    CHECK(fcp_zone_keyring_find(&r, "z:private", 9, m2.zone_key_id) == NULL);
    CHECK_ERR(fcp_zone_keyring_active(&r, "z:work", 6, 999, &e), FCP_EZK_NO_ACTIVE);
    CHECK_ERR(fcp_zone_keyring_active(&r, "z:work", 6, 1500, &e), 0);
    CHECK_MEM(e->key, zk1, 32);
    CHECK_ERR(fcp_zone_keyring_active(&r, "z:work", 6, 2000, &e), 0);
    CHECK_MEM(e->key, zk2, 32);
    CHECK_MEM(e->oid_key, oidk, 32);
    /* old key decrypts during the 300 s overlap, then not */
    CHECK_ERR(fcp_zone_keyring_for_decrypt(&r, "z:work", 6, m1.zone_key_id, 2299, &e), 0);
    CHECK_MEM(e->key, zk1, 32);
    CHECK_ERR(fcp_zone_keyring_for_decrypt(&r, "z:work", 6, m1.zone_key_id, 2300, &e), FCP_EZK_EXPIRED);
    CHECK_ERR(fcp_zone_keyring_for_decrypt(&r, "z:work", 6, m2.zone_key_id, 1750, &e), 0);
    CHECK_ERR(fcp_zone_keyring_for_decrypt(&r, "z:work", 6, m2.zone_key_id, 1699, &e), FCP_EZK_EXPIRED);
    CHECK_ERR(fcp_zone_keyring_for_decrypt(&r, "z:work", 6, m2.zone_key_id, 99999, &e), 0);
    CHECK_ERR(fcp_zone_keyring_for_decrypt(&r, "z:other", 7, m2.zone_key_id, 2000, &e), FCP_EZK_UNKNOWN);
    fcp_zone_keyring_wipe(&r);
    CHECK_EQ(r.n, 0);
    CHECK(fcp_ct_is_zero(r.e[0].key, 32));
    (void)a;
    fcp_memzero(zk1, 32);
    fcp_memzero(zk2, 32);
}

/* Property: for random rotation times and overlaps, the old key decrypts
 * exactly while t < v2 + overlap, and the active key switches at v2. */
static void test_rotation_property(void)
{
    int bad = 0;
    for (int it = 0; it < 40; it++) {
        fcp_zone_keyring r;
        const fcp_zone_key_entry *e;
        fcp_zk_params p;
        fcp_zk_member ms[1] = { mem(0) };
        uint8_t k1[32], k2[32];
        uint64_t v1 = 1000 + fcp_rng_xoshiro_below(&xrng, 1000);
        uint64_t v2 = v1 + 1 + fcp_rng_xoshiro_below(&xrng, 5000);
        uint64_t ov = fcp_rng_xoshiro_below(&xrng, 600);
        fcp_rng_fill(&xrng.rng, k1, 32);
        fcp_rng_fill(&xrng.rng, k2, 32);
        params(&p, v1);
        p.has_ratchet = 1;
        p.ratchet.overlap_secs = ov;
        p.ratchet.retain_epochs = 2;
        fcp_zone_keyring_init(&r);
        if (fcp_zk_issue(&t1, &p, ms, 1, k1, oidk, NULL, fx_owner_sk, &xrng.rng) ||
            fcp_zone_keyring_add(&r, &t1, fx_owner_pk, "node-a", 6, fx_nodes[0].enc_sk))
            bad++;
        uint8_t id1[8];
        memcpy(id1, t1.zone_key_id, 8);
        params(&p, v2);
        p.has_ratchet = 1;
        p.ratchet.overlap_secs = ov;
        if (fcp_zk_issue(&t1, &p, ms, 1, k2, oidk, id1, fx_owner_sk, &xrng.rng) ||
            fcp_zone_keyring_add(&r, &t1, fx_owner_pk, "node-a", 6, fx_nodes[0].enc_sk))
            bad++;
        for (int s = 0; s < 20; s++) {
            uint64_t t = v1 + fcp_rng_xoshiro_below(&xrng, (v2 - v1) + ov + 50);
            int rc = fcp_zone_keyring_for_decrypt(&r, "z:work", 6, id1, t, &e);
            if ((rc == 0) != (t < v2 + ov))
                bad++;
            if (fcp_zone_keyring_active(&r, "z:work", 6, t, &e) != 0 ||
                memcmp(e->key, t >= v2 ? k2 : k1, 32) != 0)
                bad++;
        }
        fcp_zone_keyring_wipe(&r);
    }
    CHECK_EQ(bad, 0);
}

static void test_removal(void)
{
    uint8_t nk[32], a[32], b[32];
    fcp_zk_member keep[2] = { mem(0), mem(1) };
    fcp_zk_member all[3] = { mem(0), mem(1), mem(2) };
    CHECK_ERR(fcp_zk_remove_node(&m3, nk, &m2, "node-c", 6, all, 3, oidk, 3000, fx_owner_sk,
                                 &xrng.rng), FCP_EZK_REMOVED);
    CHECK_ERR(fcp_zk_remove_node(&m3, nk, &m2, "node-c", 6, keep, 2, oidk, 3000, fx_owner_sk,
                                 &xrng.rng), 0);
    CHECK_ERR(fcp_zk_manifest_verify(&m3, fx_owner_pk), 0);
    CHECK_ERR(fcp_zk_check_rotation(&m2, &m3), 0);
    CHECK_EQ(m3.valid_from, 3000);
    CHECK_ERR(fcp_zk_open(&m3, "node-c", 6, fx_nodes[2].enc_sk, a, b), FCP_EZK_NOT_MEMBER);
    for (size_t i = 0; i < m3.n_wrapped; i++) {
        fcp_seal_binding bd = { FCP_SEAL_ZONE_KEY, "z:work", 6, m3.wrapped_keys[i].node_id,
                                6, m3.header.created_at };
        fcp_sealed_box box = { 0x20, 1, 3, { 0 }, m3.wrapped_keys[i].ct, 48 };
        memcpy(box.enc, m3.wrapped_keys[i].enc, 32);
        CHECK_ERR(fcp_zk_open(&m3, m3.wrapped_keys[i].node_id, 6, fx_nodes[2].enc_sk, a, b),
                  FCP_EZK_ENC_KID);
        CHECK_ERR(fcp_sealed_box_open(a, &box, fx_nodes[2].enc_sk, &bd), FCP_EDECRYPT);
    }
    for (int i = 0; i < 2; i++) {
        CHECK_ERR(fcp_zk_open(&m3, fx_nodes[i].id, 6, fx_nodes[i].enc_sk, a, b), 0);
        CHECK_MEM(a, nk, 32);
        CHECK_MEM(b, oidk, 32);
    }
    fcp_memzero(nk, 32);
}

/* Property: over random memberships, the removed node never opens the new
 * manifest's zone key and every remaining node does. */
static void test_removal_property(void)
{
    int bad = 0;
    for (int it = 0; it < 12; it++) {
        fcp_zk_member ms[FX_NODES];
        size_t n = 0;
        int removed = (int)fcp_rng_xoshiro_below(&xrng, FX_NODES);
        uint8_t nk[32], a[32], b[32];
        for (int i = 0; i < FX_NODES; i++)
            if (i != removed && (fcp_rng_xoshiro_below(&xrng, 4) != 0 || n == 0))
                ms[n++] = mem(i);
        if (fcp_zk_remove_node(&m3, nk, &m2, fx_nodes[removed].id, 6, ms, n, oidk, 5000,
                               fx_owner_sk, &xrng.rng) != 0)
            bad++;
        for (int i = 0; i < FX_NODES; i++) {
            int rc = fcp_zk_open(&m3, fx_nodes[i].id, 6, fx_nodes[i].enc_sk, a, b);
            int member = fcp_zk_manifest_find(&m3, fx_nodes[i].id, 6) >= 0;
            if (i == removed && (rc == 0 || member))
                bad++;
            if (member && (rc != 0 || memcmp(a, nk, 32) != 0))
                bad++;
        }
        fcp_memzero(nk, 32);
    }
    CHECK_EQ(bad, 0);
}

int main(void)
{
    if (fx_init() != 0)
        return 1;
    fcp_rng_xoshiro_init(&xrng, 0x5eed2026u);
    fcp_rng_fill(&xrng.rng, oidk, 32);
    test_issue_open();
    test_validate();
    test_decode_rejects();
    test_rotation_keyring();
    test_rotation_property();
    test_removal();
    test_removal_property();
    return fcp_t_done("authz_zonekeys");
}
