/*
 * admin_revoke_test.c - the data of the admin op "revoke" (D-CLI-1) and the
 * enrollment request (D-ENROLL-1):
 *   golden: from fixed keys, the owner-signed RevocationObject (zone z:owner,
 *   one token id, scope capability) and the RevocationEvent that chains it
 *   (seq 1, no prev) are rebuilt, their ObjectIds under the fixed z:owner
 *   ObjectIdKey and the payload [bstr object, bstr event] compared byte for
 *   byte with conformance/golden/authority/d-cli-1-revoke.json; the decoded
 *   pair verifies against the owner key, the event names the object, and
 *   applying it to a revocation set revokes the id (seq 1, head = event id);
 *   a second event must name the first as prev.
 *   refusals: other shapes, trailing bytes, wrong item types, oversize parts.
 *   D-ENROLL-1: a join request is the attestation with an all-zero
 *   signature: it decodes, does not verify, and verifies once the owner
 *   signs the same fields; zone key ids are derived from the key (D-ZONE-2).
 * Set FCP_REGEN_GOLDEN=1 to print the vector instead of checking it.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/admin.h"
#include "fcp/authz_revocation.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_attest.h"
#include "fcp/model_revocation.h"
#include "fcp/model_zonekeys.h"
#include "test.h"

#define GOLDEN "conformance/golden/authority/d-cli-1-revoke.json"

static uint8_t owner_pk[32], owner_sk[64];
static fcp_object_id_key oid_key;
static const uint64_t T0 = 1790000000u;

static void keys(void)
{
    uint8_t seed[32];
    for (int i = 0; i < 32; i++) {
        seed[i] = (uint8_t)(0x40 + i);
        oid_key.bytes[i] = (uint8_t)(0x80 + i);
    }
    fcp_ed25519_keypair_from_seed(owner_pk, owner_sk, seed);
}

static void hex(char *out, size_t cap, const uint8_t *p, size_t n)
{
    fcp_hex_encode(out, cap, p, n);
}

/* The RevocationObject and RevocationEvent of the vector. */
static int build(fcp_revocation_object *obj, fcp_revocation_event *ev, fcp_buf *ob, fcp_buf *eb, uint8_t oid[32],
                 uint8_t evid[32], uint64_t seq, const uint8_t *prev, const uint8_t rid[32])
{
    memset(obj, 0, sizeof *obj);
    memset(ev, 0, sizeof *ev);
    fcp_schema_id s;
    fcp_revocation_object_schema(&s);
    int rc = fcp_object_header_init(&obj->header, &s, FCP_ZONE_OWNER, T0 + seq);
    obj->n_revoked = 1;
    memcpy(obj->revoked[0], rid, 32);
    obj->scope = FCP_REV_CAPABILITY;
    snprintf(obj->reason, sizeof obj->reason, "revoked by owner");
    obj->effective_at = T0 + seq;
    if (!rc) rc = fcp_revocation_object_sign(obj, owner_sk);
    if (!rc) rc = fcp_revocation_object_encode(obj, ob);
    if (!rc) rc = fcp_revocation_object_id(oid, obj, &oid_key);
    fcp_revocation_event_schema(&s);
    if (!rc) rc = fcp_object_header_init(&ev->header, &s, FCP_ZONE_OWNER, T0 + seq);
    memcpy(ev->revocation_object_id, oid, 32);
    ev->seq = seq;
    ev->has_prev = prev != NULL;
    if (prev)
        memcpy(ev->prev, prev, 32);
    ev->occurred_at = T0 + seq;
    if (!rc) rc = fcp_revocation_event_sign(ev, owner_sk);
    if (!rc) rc = fcp_revocation_event_encode(ev, eb);
    if (!rc) rc = fcp_revocation_event_id(evid, ev, &oid_key);
    return rc;
}

static void golden(void)
{
    static fcp_revocation_object obj;
    fcp_revocation_event ev;
    fcp_buf ob, eb, pl;
    fcp_buf_init(&ob);
    fcp_buf_init(&eb);
    fcp_buf_init(&pl);
    uint8_t rid[32], oid[32], evid[32];
    for (int i = 0; i < 32; i++)
        rid[i] = (uint8_t)(0xa0 ^ i);
    CHECK_EQ(build(&obj, &ev, &ob, &eb, oid, evid, 1, NULL, rid), 0);
    CHECK_EQ(fcp_admin_revoke_encode(&pl, ob.data, ob.len, eb.data, eb.len), 0);
    char *h_obj = malloc(2 * ob.len + 1), *h_ev = malloc(2 * eb.len + 1), *h_pl = malloc(2 * pl.len + 1);
    char h_oid[65], h_evid[65], h_pk[65];
    hex(h_obj, 2 * ob.len + 1, ob.data, ob.len);
    hex(h_ev, 2 * eb.len + 1, eb.data, eb.len);
    hex(h_pl, 2 * pl.len + 1, pl.data, pl.len);
    hex(h_oid, sizeof h_oid, oid, 32);
    hex(h_evid, sizeof h_evid, evid, 32);
    hex(h_pk, sizeof h_pk, owner_pk, 32);
    if (getenv("FCP_REGEN_GOLDEN")) {
        printf("{\n  \"decision\": \"D-CLI-1\",\n  \"note\": \"owner seed 40..5f, z:owner ObjectIdKey 80..9f, "
               "revoked id a0^i, T0 1790000000\",\n  \"owner_pk\": \"%s\",\n  \"object\": \"%s\",\n"
               "  \"object_id\": \"%s\",\n  \"event\": \"%s\",\n  \"event_id\": \"%s\",\n  \"payload\": \"%s\"\n}\n",
               h_pk, h_obj, h_oid, h_ev, h_evid, h_pl);
    } else {
        json_error_t err;
        json_t *j = json_load_file(GOLDEN, 0, &err);
        CHECK(j != NULL);
        if (j) {
            CHECK(!strcmp(fcp_t_jstr(j, "owner_pk"), h_pk));
            CHECK(!strcmp(fcp_t_jstr(j, "object"), h_obj));
            CHECK(!strcmp(fcp_t_jstr(j, "object_id"), h_oid));
            CHECK(!strcmp(fcp_t_jstr(j, "event"), h_ev));
            CHECK(!strcmp(fcp_t_jstr(j, "event_id"), h_evid));
            CHECK(!strcmp(fcp_t_jstr(j, "payload"), h_pl));
            json_decref(j);
        }
    }
    /* decode, verify, chain, apply: what fcpd does */
    const uint8_t *po, *pe;
    size_t lo, le;
    CHECK_EQ(fcp_admin_revoke_decode(pl.data, pl.len, &po, &lo, &pe, &le), 0);
    CHECK(lo == ob.len && pe - pl.data + le == pl.len);
    static fcp_revocation_object o2;
    fcp_revocation_event e2;
    uint8_t oid2[32], evid2[32];
    CHECK_EQ(fcp_revocation_object_decode(&o2, po, lo), 0);
    CHECK_EQ(fcp_revocation_object_verify(&o2, owner_pk), 0);
    CHECK_EQ(fcp_revocation_event_decode(&e2, pe, le), 0);
    CHECK_EQ(fcp_revocation_event_verify(&e2, owner_pk), 0);
    CHECK_EQ(fcp_revocation_object_id(oid2, &o2, &oid_key), 0);
    CHECK_MEM(oid2, e2.revocation_object_id, 32);
    CHECK_EQ(fcp_revocation_event_id(evid2, &e2, &oid_key), 0);
    CHECK_MEM(evid2, evid, 32);
    fcp_revset set;
    uint8_t k16[16] = { 1 };
    CHECK_EQ(fcp_revset_init(&set, 8, k16), 0);
    CHECK_EQ(fcp_revset_contains(&set, rid, FCP_REV_CAPABILITY, T0 + 5), 0);
    CHECK_EQ(fcp_revset_apply_event(&set, &e2, evid2, &o2, T0 + 5), 0);
    CHECK_EQ(fcp_revset_contains(&set, rid, FCP_REV_CAPABILITY, T0 + 5), 1);
    CHECK_EQ(set.seq, 1);
    CHECK_MEM(set.head_event, evid, 32);
    /* the same event again, and a second event without the right prev */
    CHECK_EQ(fcp_revset_apply_event(&set, &e2, evid2, &o2, T0 + 5), FCP_EREV_CHAIN_DUPLICATE);
    fcp_buf ob2, eb2;
    fcp_buf_init(&ob2);
    fcp_buf_init(&eb2);
    uint8_t rid2[32] = { 7 }, oid3[32], evid3[32], wrong[32] = { 9 };
    CHECK_EQ(build(&obj, &ev, &ob2, &eb2, oid3, evid3, 2, wrong, rid2), 0);
    CHECK_EQ(fcp_revset_apply_event(&set, &ev, evid3, &obj, T0 + 6), FCP_EREV_CHAIN_BROKEN);
    fcp_buf_free(&ob2);
    fcp_buf_free(&eb2);
    fcp_buf_init(&ob2);
    fcp_buf_init(&eb2);
    CHECK_EQ(build(&obj, &ev, &ob2, &eb2, oid3, evid3, 2, evid, rid2), 0);
    CHECK_EQ(fcp_revset_apply_event(&set, &ev, evid3, &obj, T0 + 6), 0);
    CHECK_EQ(set.seq, 2);
    /* another owner's signature does not verify */
    uint8_t opk[32], osk[64], oseed[32] = { 3 };
    fcp_ed25519_keypair_from_seed(opk, osk, oseed);
    CHECK_EQ(fcp_revocation_object_verify(&o2, opk), FCP_EBAD_SIGNATURE);
    fcp_revset_free(&set);
    fcp_buf_free(&ob2);
    fcp_buf_free(&eb2);
    free(h_obj);
    free(h_ev);
    free(h_pl);
    fcp_buf_free(&ob);
    fcp_buf_free(&eb);
    fcp_buf_free(&pl);
}

static void refusals(void)
{
    const uint8_t *a, *b;
    size_t la, lb;
    static const uint8_t ok[] = { 0x82, 0x41, 0x01, 0x42, 0x02, 0x03 };
    CHECK_EQ(fcp_admin_revoke_decode(ok, sizeof ok, &a, &la, &b, &lb), 0);
    CHECK(la == 1 && lb == 2 && a[0] == 1 && b[1] == 3);
    static const uint8_t trailing[] = { 0x82, 0x41, 0x01, 0x42, 0x02, 0x03, 0x00 };
    CHECK_EQ(fcp_admin_revoke_decode(trailing, sizeof trailing, &a, &la, &b, &lb), FCP_EADMIN_MALFORMED);
    static const uint8_t three[] = { 0x83, 0x41, 0x01, 0x41, 0x02, 0x41, 0x03 };
    CHECK_EQ(fcp_admin_revoke_decode(three, sizeof three, &a, &la, &b, &lb), FCP_EADMIN_MALFORMED);
    static const uint8_t text[] = { 0x82, 0x61, 0x61, 0x41, 0x02 };
    CHECK_EQ(fcp_admin_revoke_decode(text, sizeof text, &a, &la, &b, &lb), FCP_EADMIN_MALFORMED);
    static const uint8_t map[] = { 0xa0 };
    CHECK_EQ(fcp_admin_revoke_decode(map, sizeof map, &a, &la, &b, &lb), FCP_EADMIN_MALFORMED);
    static const uint8_t noncanon[] = { 0x82, 0x58, 0x01, 0x01, 0x41, 0x02 };   /* length in 2 bytes */
    CHECK_EQ(fcp_admin_revoke_decode(noncanon, sizeof noncanon, &a, &la, &b, &lb), FCP_EADMIN_MALFORMED);
    CHECK_EQ(fcp_admin_revoke_decode(ok, 3, &a, &la, &b, &lb), FCP_EADMIN_MALFORMED);
    /* a part above 64 KiB */
    size_t big = 64 * 1024 + 1;
    uint8_t *x = calloc(1, big);
    fcp_buf out;
    fcp_buf_init(&out);
    CHECK_EQ(fcp_admin_revoke_encode(&out, x, big, x, 1), FCP_ETOO_LARGE);
    fcp_buf_free(&out);
    fcp_buf_init(&out);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &out);
    fcp_cbor_put_array(&e, 2);
    fcp_cbor_put_bytes(&e, x, big);
    fcp_cbor_put_bytes(&e, x, 1);
    CHECK_EQ(fcp_cbor_enc_finish(&e), 0);
    fcp_cbor_enc_free(&e);
    CHECK_EQ(fcp_admin_revoke_decode(out.data, out.len, &a, &la, &b, &lb), FCP_ETOO_LARGE);
    fcp_buf_free(&out);
    free(x);
}

static void enroll_request(void)
{
    uint8_t seed[32] = { 5 }, sig_pk[32], sig_sk[64], iss_pk[32], iss_sk[64];
    fcp_ed25519_keypair_from_seed(sig_pk, sig_sk, seed);
    seed[0] = 6;
    fcp_ed25519_keypair_from_seed(iss_pk, iss_sk, seed);
    fcp_node_attestation a;
    memset(&a, 0, sizeof a);
    snprintf(a.node_id, sizeof a.node_id, "node-2");
    memcpy(a.node_sig_pubkey, sig_pk, 32);
    memset(a.node_enc_pubkey, 0x11, 32);
    memcpy(a.node_iss_pubkey, iss_pk, 32);
    a.issued_at = T0;
    fcp_buf req;
    fcp_buf_init(&req);
    CHECK_EQ(fcp_attestation_encode(&a, &req), 0);   /* what `fcp init --join` writes */
    fcp_node_attestation d;
    CHECK_EQ(fcp_attestation_decode(&d, req.data, req.len), 0);
    CHECK_EQ(fcp_attestation_verify(&d, owner_pk, T0), FCP_EBAD_SIGNATURE);
    d.issued_at = T0 + 10;   /* the owner re-issues it */
    CHECK_EQ(fcp_attestation_sign(&d, owner_sk), 0);
    CHECK_EQ(fcp_attestation_verify(&d, owner_pk, T0 + 10), 0);
    CHECK_MEM(d.node_sig_pubkey, sig_pk, 32);
    fcp_buf_free(&req);
    /* derived zone key ids: equal for equal keys, different across zones */
    uint8_t key[32], k1[8], k2[8], k3[8];
    memset(key, 0x33, 32);
    CHECK_EQ(fcp_zone_key_id(k1, "z:work", 6, key), 0);
    CHECK_EQ(fcp_zone_key_id(k2, "z:work", 6, key), 0);
    CHECK_EQ(fcp_zone_key_id(k3, "z:private", 9, key), 0);
    CHECK_MEM(k1, k2, 8);
    CHECK(memcmp(k1, k3, 8) != 0);
}

int main(void)
{
    if (fcp_crypto_init() < 0)
        return 1;
    keys();
    golden();
    if (getenv("FCP_REGEN_GOLDEN"))
        return 0;
    refusals();
    enroll_request();
    return fcp_t_done("admin_revoke_test");
}
